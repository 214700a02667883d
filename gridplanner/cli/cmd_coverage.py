"""Camera commands: ``coverage`` and ``site-cameras``.

``gridplanner coverage PROJECT --out RESULT.gpkg`` writes the layers
``grid_coverage``, ``coverage_gaps``, ``uncovered_households``,
``uncovered_intersections``, ``uncovered_roads``, ``camera_footprints`` and
``camera_issues`` and prints a summary. ``gridplanner site-cameras PROJECT -k K
--out RESULT.gpkg`` writes ``proposed_cameras`` (and ``proposed_footprints``).
The result file is written to a temporary name and moved into place, so a
failed or cancelled run leaves no half-written file.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridplanner.cli import EXIT_OK
from gridplanner.cli.common import add_project_argument, format_table, load, terminal_feedback
from gridplanner.errors import AnalysisError
from layers.errors import ReadError
from layers.io import write_geopackage

_GEOMETRY_TYPES = {
    "grid_coverage": "Polygon",
    "coverage_gaps": "Polygon",
    "uncovered_households": "Point",
    "uncovered_intersections": "Point",
    "uncovered_roads": "LineString",
    "camera_footprints": "Unknown",
    "camera_issues": "Point",
    "proposed_cameras": "Point",
    "proposed_footprints": "Unknown",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the camera commands."""
    p = subparsers.add_parser(
        "coverage", help="camera coverage per grid and category, gaps, camera record checks")
    add_project_argument(p)
    p.add_argument("--out", metavar="RESULT.gpkg", required=True,
                   help="GeoPackage to write the result layers to (replaced if it exists)")
    p.add_argument("--include-offline", action="store_true",
                   help="count offline cameras too (default: online only)")
    p.add_argument("--no-buildings", action="store_true",
                   help="ignore building shadows")
    p.add_argument("--gaps", type=int, default=10, metavar="N",
                   help="largest gaps to list in the summary (default 10)")
    p.set_defaults(func=run_coverage)

    p = subparsers.add_parser(
        "site-cameras", help="choose K new camera sites that cover the most unseen households "
        "and intersections")
    add_project_argument(p)
    p.add_argument("-k", "--k", type=int, required=True, metavar="K", help="cameras to place")
    p.add_argument("--out", metavar="RESULT.gpkg", required=True,
                   help="GeoPackage to write proposed_cameras to (replaced if it exists)")
    p.add_argument("--candidates", metavar="FILE",
                   help="candidate points (any format the importer reads; FILE::LAYER picks "
                   "a layer); default: intersections and points along walkable roads")
    p.add_argument("--spacing-m", type=float, default=50.0,
                   help="spacing of road candidates in metres (default 50)")
    p.add_argument("--intersection-weight", type=float, default=10.0,
                   help="score of one newly seen intersection, in households (default 10)")
    p.add_argument("--category", type=int, choices=(1, 2, 3), default=1,
                   help="category of the new cameras (default 1)")
    p.add_argument("--range-m", type=float, help="view range (default: category default)")
    p.add_argument("--fov-deg", type=float, help="field of view (default: category default)")
    p.add_argument("--directions", type=int, default=8,
                   help="azimuths tried per site (default 8)")
    p.add_argument("--all-round", action="store_true", help="place all-round cameras")
    p.add_argument("--include-offline", action="store_true",
                   help="count what offline cameras see as covered")
    p.add_argument("--no-buildings", action="store_true", help="ignore building shadows")
    p.set_defaults(func=run_site_cameras)


def run_coverage(args: argparse.Namespace) -> int:
    """Compute coverage, write the layers and print the summary."""
    from gridplanner.coverage import compute_coverage

    out = _out_path(args.out, args.project)
    project = load(args.project)
    with terminal_feedback() as feedback:
        result = compute_coverage(project, include_offline=args.include_offline,
                                  use_buildings=not args.no_buildings, feedback=feedback)
    _write_layers(result.layers(), out)
    print(coverage_summary(result, gaps=args.gaps))
    print(f"\nwritten: {out} (layers: {', '.join(result.layers())})")
    return EXIT_OK


def coverage_summary(result: object, *, gaps: int = 10, worst: int = 10) -> str:
    """Readable summary: district shares, least covered grids, largest gaps, issues."""
    from gridplanner.coverage import CoverageResult

    assert isinstance(result, CoverageResult)
    lines = []
    cameras = "online and offline" if result.include_offline else "online"
    shadows = "with building shadows" if result.use_buildings else "without buildings"
    lines.append(f"camera coverage ({cameras} cameras, {shadows}), percent")
    district = result.district.iloc[0]
    rows: list[list[Any]] = []
    for measure, label in (("area", "area"), ("households", "households"),
                           ("roads", "walkable roads"), ("intersections", "intersections")):
        rows.append([label, *(_pct(district[f"{measure}_pct_{c}"])
                              for c in ("all", "cat1", "cat23"))])
    lines.append(format_table(["district", "all", "cat 1", "cat 2-3"], rows))
    table = result.grid_table
    if len(table):
        lines.append(f"\nleast covered grids by households (of {len(table)}):")
        order = table.sort_values(["households_pct_all", "area_pct_all"], na_position="last")
        rows = [[r.grid_id, int(r.households), _pct(r.households_pct_all),
                 _pct(r.households_pct_cat1), _pct(r.households_pct_cat23),
                 _pct(r.area_pct_all), _pct(r.intersections_pct_all)]
                for r in order.head(worst).itertuples()]
        lines.append(format_table(["grid", "households", "hh all", "hh cat1", "hh cat2-3",
                                   "area all", "ix all"], rows))
    if len(result.gaps) and gaps > 0:
        lines.append(f"\nlargest gaps by uncovered households (of {len(result.gaps)}):")
        rows = [[int(r.rank), r.grid_id, int(r.uncovered_households), round(r.area_m2)]
                for r in result.gaps.head(gaps).itertuples()]
        lines.append(format_table(["rank", "grid", "households", "area m²"], rows))
    lines.append(f"\nuncovered: {int(result.uncovered_households['households'].sum()):,} "
                 f"households at {len(result.uncovered_households):,} points, "
                 f"{len(result.uncovered_intersections):,} intersections, "
                 f"{result.uncovered_roads['length_m'].sum() / 1000:,.1f} km of walkable road")
    issues = result.camera_issues
    if len(issues):
        lines.append(f"\ncamera records with problems: {len(issues)}")
        rows = [[r.camera_id, str(r.row), r.column, r.value, r.reason, r.action]
                for r in issues.head(20).itertuples()]
        lines.append(format_table(["camera", "row", "column", "value", "problem", "coverage"],
                                  rows))
        if len(issues) > 20:
            lines.append(f"... and {len(issues) - 20} more in layer camera_issues")
    else:
        lines.append("\ncamera records: no problems found")
    return "\n".join(lines)


def run_site_cameras(args: argparse.Namespace) -> int:
    """Choose new camera sites and write ``proposed_cameras``."""
    from gridplanner.coverage.siting import site_cameras

    out = _out_path(args.out, args.project)
    project = load(args.project)
    candidates = _read_candidates(args.candidates, project) if args.candidates else None
    with terminal_feedback() as feedback:
        result = site_cameras(
            project, k=args.k, candidates=candidates, spacing_m=args.spacing_m,
            intersection_weight=args.intersection_weight, category=args.category,
            range_m=args.range_m, fov_deg=args.fov_deg, directions=args.directions,
            all_round=args.all_round, include_offline=args.include_offline,
            use_buildings=not args.no_buildings, feedback=feedback)
    _write_layers({"proposed_cameras": result.proposed,
                   "proposed_footprints": result.footprints}, out)
    rows = [[int(r.rank), r.site_id, r.source,
             "all-round" if pd.isna(r.azimuth_deg) else f"{r.azimuth_deg:g}",
             float(r.gain), int(r.new_households), int(r.new_intersections),
             float(r.cumulative_gain)]
            for r in result.proposed.itertuples()]
    print(format_table(["rank", "site", "source", "azimuth", "gain", "households",
                        "intersections", "cumulative"], rows))
    if len(result.proposed) < args.k:
        print(f"\nonly {len(result.proposed)} sites add anything; every other candidate "
              "sees nothing new")
    print(f"\nscore {result.total_gain:,.0f} (households + {args.intersection_weight:g} x "
          f"intersections); the best possible is at most {result.optimum_bound:,.0f}, so "
          f"this pick is proven within {result.guarantee * 100:.0f} % of optimal")
    print(f"written: {out} (layers: proposed_cameras, proposed_footprints)")
    return EXIT_OK


def _pct(value: float) -> str:
    return "–" if pd.isna(value) else f"{float(value):.1f}"


def _out_path(out: str, project: str) -> Path:
    path = Path(out)
    if path.suffix.lower() != ".gpkg":
        raise ReadError(f"{path}: results are written as a GeoPackage: give a .gpkg name")
    if path.exists() and Path(project).exists() and path.resolve() == Path(project).resolve():
        raise ReadError(f"{path}: that is the project file itself: choose another --out file")
    return path


def _write_layers(frames: dict[str, gpd.GeoDataFrame], path: Path) -> None:
    # Polygon and line layers mix single and multi parts: declare the multi type.
    types = {name: f"Multi{t}" if t in ("Polygon", "LineString") else t
             for name, t in _GEOMETRY_TYPES.items()}
    write_geopackage(frames, path, geometry_types=types)


def _read_candidates(spec: str, project: object) -> gpd.GeoDataFrame:
    from layers.crs import reproject
    from layers.io import read_file, split_layer_spec

    path, layer = split_layer_spec(spec)
    frame = read_file(path, layer=layer)
    crs = getattr(project, "crs", None)
    if crs is None:
        raise AnalysisError("the project has no coordinate system; cannot place candidates")
    frame = reproject(frame, crs)
    types = shapely.get_type_id(frame.geometry.to_numpy())
    if not np.isin(types, (0, 4)).any():
        raise ReadError(f"{path}: candidate sites must be points")
    return frame
