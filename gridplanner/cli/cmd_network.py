"""Road network commands: ``network``, ``allocate``, ``place``, ``service-areas``, ``route``.

- ``gridplanner network PROJECT [--out FILE.gpkg]``: graph summary and the
  disconnected pieces (``road_nodes``, ``road_edges``, ``road_pieces`` layers).
- ``gridplanner allocate PROJECT --role full_time [--within-grid] --out RESULT.gpkg``:
  layers ``assignments`` (``household_id``, ``staff_id``, ``distance_m``),
  ``staff_load`` (``staff_id``, ``load``, ``capacity``, ``mean_distance_m``,
  ``max_distance_m``), ``unassigned`` (``household_id``, ``reason``); prints the
  totals. ``--grid-heads`` also writes ``grid_heads`` (one head per grid).
- ``gridplanner place PROJECT -n N [--role R] [--candidates FILE] --out FILE.gpkg``:
  layer ``new_sites``.
- ``gridplanner service-areas PROJECT --out FILE.gpkg``: layers
  ``service_areas``, ``service_households``, ``service_roads``.
- ``gridplanner route PROJECT --at X,Y | --points FILE [--crs CRS] [--out FILE]``:
  grid, community, grid staff and nearest staff for each point.

Result files are written to a temporary name and moved into place, so a failed
or cancelled run leaves no half-written file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridplanner.allocation.assign import ROLES, allocate
from gridplanner.allocation.grid_heads import assign_grid_heads
from gridplanner.allocation.placement import place_staff
from gridplanner.allocation.service_areas import service_areas
from gridplanner.cli import EXIT_OK
from gridplanner.cli.common import add_project_argument, format_table, load, terminal_feedback
from gridplanner.errors import AnalysisError
from gridplanner.network.graph import components, network_of
from gridplanner.routing import parse_point, route_incidents
from layers.io import write_geopackage

_GEOMETRY_TYPES = {
    "assignments": "Point",
    "staff_load": "Point",
    "unassigned": "Point",
    "grid_heads": "Point",
    "new_sites": "Point",
    "service_areas": "MultiPolygon",
    "service_households": "Point",
    "service_roads": "MultiLineString",
    "road_nodes": "Point",
    "road_edges": "LineString",
    "road_pieces": "Point",
    "routes": "Point",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the road network commands."""
    p = subparsers.add_parser("network", help="walking graph summary and disconnected pieces")
    add_project_argument(p)
    p.add_argument("--out", metavar="FILE.gpkg",
                   help="also write road_nodes, road_edges and road_pieces layers")
    p.add_argument("--pieces", type=int, default=10, metavar="N",
                   help="pieces to list (default 10)")
    p.set_defaults(func=run_network)

    p = subparsers.add_parser(
        "allocate", help="assign households to staff optimally within capacity")
    add_project_argument(p)
    p.add_argument("--role", default="full_time", choices=ROLES,
                   help="staff role to assign to (default full_time)")
    p.add_argument("--within-grid", action="store_true",
                   help="only staff whose grid_id names the household's grid")
    p.add_argument("--out", metavar="RESULT.gpkg", required=True,
                   help="GeoPackage for assignments, staff_load and unassigned")
    p.add_argument("--k", type=int, default=8, metavar="K",
                   help="candidate staff per household to start with (widened as needed)")
    p.add_argument("--grid-heads", action="store_true",
                   help="also assign one grid head per grid (layer grid_heads)")
    p.set_defaults(func=run_allocate)

    p = subparsers.add_parser("place", help="choose N new staff bases (p-median on the roads)")
    add_project_argument(p)
    p.add_argument("-n", "--n", type=int, required=True, metavar="N", help="bases to add")
    p.add_argument("--role", default="full_time", choices=ROLES,
                   help="role whose existing bases are kept (default full_time)")
    p.add_argument("--candidates", metavar="FILE",
                   help="candidate points (default: road intersections; FILE::LAYER picks a "
                   "layer)")
    p.add_argument("--starts", type=int, default=3, help="greedy + random starts (default 3)")
    p.add_argument("--out", metavar="FILE.gpkg", required=True, help="GeoPackage for new_sites")
    p.set_defaults(func=run_place)

    p = subparsers.add_parser("service-areas",
                              help="households and roads within each facility's cutoff")
    add_project_argument(p)
    p.add_argument("--out", metavar="FILE.gpkg", required=True,
                   help="GeoPackage for service_areas, service_households, service_roads")
    p.set_defaults(func=run_service_areas)

    p = subparsers.add_parser("route", help="grid, community and staff for incident points")
    add_project_argument(p)
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--at", metavar="X,Y", help="one point")
    where.add_argument("--points", metavar="FILE",
                       help="a point layer or table (FILE::LAYER picks a layer)")
    p.add_argument("--crs", metavar="CRS",
                   help="CRS of --at or --points (default: the project's, or what the file "
                   "declares), e.g. 4326, gcj02")
    p.add_argument("--out", metavar="FILE", help="write the table (.gpkg, .csv)")
    p.set_defaults(func=run_route)


def _check_out(path: str | None) -> None:
    """Refuse a result file that is not a GeoPackage before any work is done."""
    if path is not None and Path(path).suffix.lower() != ".gpkg":
        raise AnalysisError(f"{path}: the result file must be a GeoPackage (.gpkg)")


def _write_layers(frames: dict[str, gpd.GeoDataFrame], path: Path) -> None:
    _check_out(str(path))
    write_geopackage(frames, path, geometry_types=_GEOMETRY_TYPES)


def run_network(args: argparse.Namespace) -> int:
    """Print the walking graph's size and pieces."""
    _check_out(args.out)
    project = load(args.project)
    roads = project.layer("roads")
    with terminal_feedback() as fb:
        net = network_of(roads, join_tolerance_m=float(project.config["join_tolerance_m"]),
                         feedback=fb)
    pieces = components(net)
    print(f"roads: {len(roads)} rows, walking graph: {net.n_nodes:,} nodes, "
          f"{net.n_edges:,} edges, {float(net.edge_length_m.sum()) / 1000:,.1f} km")
    print(f"intersections (degree >= 3): {int((net.degree >= 3).sum()):,}; "
          f"dead ends: {int((net.degree == 1).sum()):,}")
    print(f"connected pieces: {len(pieces)}")
    if len(pieces) > 1:
        rows = [[p.piece, p.n_nodes, p.n_edges, round(p.length_m, 1), round(p.x, 1),
                 round(p.y, 1)] for p in pieces[:args.pieces]]
        print(format_table(["piece", "nodes", "edges", "length_m", "x", "y"], rows))
        small = sum(p.n_nodes for p in pieces[1:])
        print(f"{small:,} nodes lie outside the main piece: households and staff there "
              "cannot reach the rest; join the roads or check their levels.")
    for problem in net.problems[:20]:
        print(f"  [{problem.severity}] {problem.describe()}")
    if len(net.problems) > 20:
        print(f"  ... and {len(net.problems) - 20} more road problems")
    if args.out:
        piece_frame = gpd.GeoDataFrame(
            {"piece": [p.piece for p in pieces], "nodes": [p.n_nodes for p in pieces],
             "edges": [p.n_edges for p in pieces], "length_m": [p.length_m for p in pieces]},
            geometry=shapely.points([(p.x, p.y) for p in pieces]) if pieces else [],
            crs=roads.crs)
        _write_layers({"road_nodes": net.nodes_frame(), "road_edges": net.edges_frame(),
                       "road_pieces": piece_frame}, Path(args.out))
        print(f"wrote {args.out}")
    return EXIT_OK


def run_allocate(args: argparse.Namespace) -> int:
    """Assign households to staff and write the result layers."""
    _check_out(args.out)
    project = load(args.project)
    with terminal_feedback() as fb:
        result = allocate(project, role=args.role, within_grid=args.within_grid, k=args.k,
                          feedback=fb)
        heads = assign_grid_heads(project, feedback=fb) if args.grid_heads else None
    t = result.totals
    frames = {
        "assignments": result.assignments,
        "staff_load": result.staff_load,
        "unassigned": result.unassigned,
    }
    if heads is not None:
        frames["grid_heads"] = heads.table
    _write_layers(frames, Path(args.out))
    mode = " within grids" if args.within_grid else ""
    print(f"assigned {t.assigned_households:,} households to {args.role} staff{mode}; "
          f"{t.unassigned_households:,} unassigned")
    rows = [
        ["objective (household-metres)", f"{t.objective_household_m:,.0f}"],
        ["mean distance (m)", f"{t.mean_distance_m:,.1f}"],
        ["95th percentile distance (m)", f"{t.p95_distance_m:,.1f}"],
        ["max distance (m)", f"{t.max_distance_m:,.1f}"],
        ["households beyond 1 km", f"{t.households_beyond_1km:,}"],
        ["flow optimum (lower bound)", f"{t.flow_optimum_household_m:,.0f}"],
        ["above the lower bound (%)", f"{t.gap_pct:.3f}"],
        ["points split by the flow, made whole", f"{t.split_points:,}"],
        ["households dropped to keep points whole", f"{t.unassigned_to_keep_points_whole:,}"],
    ]
    print(format_table(["total", "value"], rows))
    if len(result.unassigned):
        reasons = result.unassigned.groupby("reason")["households"].agg(["count", "sum"])
        print(format_table(["reason", "points", "households"],
                           [[r, int(c), int(s)] for r, (c, s) in reasons.iterrows()]))
    full = result.staff_load[result.staff_load["load"] >= result.staff_load["capacity"]]
    if len(full):
        print(f"{len(full)} staff at full capacity")
    for problem in result.problems[:10]:
        print(f"  [{problem.severity}] {problem.describe()}")
    if heads is not None:
        print(f"grid heads: total {heads.total_distance_m:,.0f} m to grid centres; "
              f"{heads.grids_without_head} grids without a head")
    print(f"wrote {args.out}")
    return EXIT_OK


def run_place(args: argparse.Namespace) -> int:
    """Choose new staff bases and write them."""
    _check_out(args.out)
    project = load(args.project)
    candidates = None
    if args.candidates:
        from layers.io import read_file, split_layer_spec

        path, layer = split_layer_spec(args.candidates)
        candidates = read_file(path, layer=layer)
        if project.crs is not None and candidates.crs is not None:
            candidates = candidates.to_crs(project.crs)
        candidates = candidates[~(candidates.geometry.is_empty | candidates.geometry.isna())]
        candidates = candidates[candidates.geom_type == "Point"]
        if len(candidates) == 0:
            raise AnalysisError(f"{args.candidates}: no candidate points in the file")
    with terminal_feedback() as fb:
        result = place_staff(project, args.n, role=args.role, candidates=candidates,
                             starts=args.starts, feedback=fb)
    _write_layers({"new_sites": result.sites}, Path(args.out))
    rows = [[int(r), round(float(g), 1), round(p.x, 1), round(p.y, 1)] for r, g, p in zip(
        result.sites["rank"], result.sites["gain_household_m"], result.sites.geometry,
        strict=True)]
    print(format_table(["rank", "gain_household_m", "x", "y"], rows))
    print(f"total walk: {result.total_before_household_m:,.0f} -> "
          f"{result.total_after_household_m:,.0f} household-metres")
    print(f"wrote {args.out}")
    return EXIT_OK


def run_service_areas(args: argparse.Namespace) -> int:
    """Compute facility service areas and write them."""
    _check_out(args.out)
    project = load(args.project)
    with terminal_feedback() as fb:
        result = service_areas(project, feedback=fb)
    _write_layers({"service_areas": result.areas, "service_households": result.households,
                   "service_roads": result.roads}, Path(args.out))
    a = result.areas
    rows = [[f, k, round(float(c), 0), int(h), round(float(r), 0)] for f, k, c, h, r in zip(
        a["facility_id"], a["kind"], a["cutoff_m"], a["households"], a["road_length_m"],
        strict=True)]
    print(format_table(["facility_id", "kind", "cutoff_m", "households", "road_length_m"],
                       rows))
    print(f"wrote {args.out}")
    return EXIT_OK


def run_route(args: argparse.Namespace) -> int:
    """Print who owns each point and who is nearest."""
    if args.out and Path(args.out).suffix.lower() not in (".gpkg", ".csv"):
        raise AnalysisError(f"{args.out}: write the table as .gpkg or .csv")
    from layers.crs import parse_source_crs, reproject

    if args.at:
        parse_point(args.at)
    given_crs = parse_source_crs(args.crs) if args.crs else None
    project = load(args.project)
    if args.at:
        x, y = parse_point(args.at)
        points = gpd.GeoDataFrame({"incident_id": ["1"]}, geometry=[shapely.Point(x, y)],
                                  crs=None if given_crs else project.crs)
    else:
        from layers.io import read_file, split_layer_spec

        path, layer = split_layer_spec(args.points)
        points = read_file(path, layer=layer)
        bad = (points.geometry.isna() | points.geometry.is_empty).to_numpy()
        if bad.any():
            print(f"skipped {int(bad.sum())} rows without a point")
            points = points[~bad]
        not_point = (points.geom_type != "Point").to_numpy()
        if not_point.any():
            print(f"{int(not_point.sum())} rows are not points: their representative "
                  "points are used")
            points = points.set_geometry(points.geometry.representative_point())
        if "incident_id" not in points.columns:
            points = points.assign(incident_id=[str(i + 1) for i in range(len(points))])
    if project.crs is not None and (given_crs is not None or points.crs is not None):
        points = reproject(points, project.crs, source_crs=given_crs)
    with terminal_feedback() as fb:
        table = route_incidents(project, points, feedback=fb)
    shown = pd.DataFrame(table.drop(columns="geometry"))
    cols = list(shown.columns)
    rows = [[("" if (isinstance(v, float) and np.isnan(v)) else v) for v in rec]
            for rec in shown.head(50).itertuples(index=False)]
    print(format_table(cols, rows))
    if len(shown) > 50:
        print(f"... {len(shown) - 50} more rows")
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() == ".csv":
            shown.to_csv(out, index=False, encoding="utf-8-sig")
        else:
            _write_layers({"routes": table}, out)
        print(f"wrote {args.out}")
    return EXIT_OK
