"""Analyses on the walking network.

The network itself, allocation, grid heads, placement of new staff, facility
service areas and incident routing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridplanner.analyses.registry import Analysis, AnalysisResult, option
from gridplanner.errors import AnalysisError
from gridplanner.i18n import _, ngettext, pgettext
from gridplanner.scenarios.labels import column_label
from gridplanner.settings import ROLES
from gridplanner.text import format_table, problem_text, severity_label

if TYPE_CHECKING:
    from gridplanner.allocation.assign import AllocationResult, AllocationTotals
    from gridplanner.allocation.grid_heads import GridHeadResult
    from gridplanner.allocation.placement import PlacementResult
    from gridplanner.context import AnalysisContext
    from gridplanner.feedback import Feedback

POLY, LINE, POINT = "MultiPolygon", "MultiLineString", "Point"


# ------------------------------------------------------------------ network
@dataclass(frozen=True)
class NetworkOptions:
    """Options of the walking-network summary."""

    pieces: int = option(10, help="pieces to list", minimum=0, metavar="N", cli_only=True)


def run_network(ctx: AnalysisContext, opts: NetworkOptions,
                feedback: Feedback | None) -> AnalysisResult:
    """Size, connected pieces and road problems of the walking graph."""
    from gridplanner.network.graph import components

    roads = ctx.layer("roads")
    net = ctx.network(feedback=feedback)
    pieces = components(net)
    lines = [_("roads: {rows:,} rows, walking graph: {nodes:,} nodes, {edges:,} edges, "
               "{km:,.1f} km", rows=len(roads), nodes=net.n_nodes, edges=net.n_edges,
               km=float(net.edge_length_m.sum()) / 1000),
             _("intersections (degree >= 3): {intersections:,}; dead ends: {dead_ends:,}",
               intersections=int((net.degree >= 3).sum()),
               dead_ends=int((net.degree == 1).sum())),
             _("connected pieces: {n}", n=len(pieces))]
    if len(pieces) > 1:
        rows = [[p.piece, p.n_nodes, p.n_edges, round(p.length_m, 1), round(p.x, 1),
                 round(p.y, 1)] for p in pieces[:opts.pieces]]
        lines.append(format_table([_("piece"), _("nodes"), _("edges"), _("length m"), "x",
                                   "y"], rows))
        small = sum(p.n_nodes for p in pieces[1:])
        lines.append(_("{n:,} nodes lie outside the main piece: households and staff there "
                       "cannot reach the rest; join the roads or check their levels.",
                       n=small))
    lines.extend(f"  [{severity_label(p.severity)}] {problem_text(p)}"
                 for p in net.problems[:20])
    if len(net.problems) > 20:
        lines.append("  " + _("... and {n} more road problems", n=len(net.problems) - 20))
    piece_frame = gpd.GeoDataFrame(
        {"piece": [p.piece for p in pieces], "nodes": [p.n_nodes for p in pieces],
         "edges": [p.n_edges for p in pieces], "length_m": [p.length_m for p in pieces]},
        geometry=shapely.points([(p.x, p.y) for p in pieces]) if pieces else [],
        crs=roads.crs)
    layers = {"road_nodes": net.nodes_frame(), "road_edges": net.edges_frame(),
              "road_pieces": piece_frame}
    return AnalysisResult("network", layers, pd.DataFrame(piece_frame.drop(columns="geometry")),
                          "\n".join(lines), net,
                          geometry_types={"road_nodes": POINT, "road_edges": "LineString",
                                          "road_pieces": POINT})


# ------------------------------------------------------------------ allocation
@dataclass(frozen=True)
class AllocationOptions:
    """Options of the household-to-staff allocation."""

    role: str = option("full_time", help="staff role to assign to", choices=ROLES, label="Role")
    within_grid: bool = option(False, help="only staff whose grid_id names the household's "
                               "grid", label="Only within the household's grid")
    k: int = option(8, help="candidate staff per household to start with (widened as "
                    "needed)", minimum=1, maximum=10_000, metavar="K")
    grid_heads: bool = option(False, help="also assign one grid head per grid (layer "
                              "grid_heads)")


def run_allocation(ctx: AnalysisContext, opts: AllocationOptions,
                   feedback: Feedback | None) -> AnalysisResult:
    """Households to staff of a role, optimally within capacity."""
    from gridplanner.organisation import allocate_workload, workload_note

    result = allocate_workload(ctx, role=opts.role, within_grid=opts.within_grid, k=opts.k,
                               feedback=feedback)
    heads = _grid_heads(ctx, feedback) if opts.grid_heads else None
    layers: dict[str, Any] = {"assignments": result.assignments,
                              "staff_load": result.staff_load,
                              "unassigned": result.unassigned}
    if heads is not None:
        layers["grid_heads"] = heads.table
    summary = allocation_summary(result, heads, role=opts.role, within_grid=opts.within_grid)
    note = workload_note(ctx)
    if note:
        summary = f"{summary}\n{note}"
    return AnalysisResult("allocate", layers, pd.DataFrame(result.staff_load), summary,
                          result, geometry_types=dict.fromkeys(layers, POINT))


def allocation_summary(result: AllocationResult, heads: GridHeadResult | None, *, role: str,
                       within_grid: bool) -> str:
    """Totals, reasons for unassigned households and full staff, as printed text."""
    t = result.totals
    role_name = pgettext("role", role)
    if within_grid:
        head = _("assigned {assigned:,} households to {role} staff within grids; "
                 "{unassigned:,} unassigned", assigned=t.assigned_households, role=role_name,
                 unassigned=t.unassigned_households)
    else:
        head = _("assigned {assigned:,} households to {role} staff; {unassigned:,} "
                 "unassigned", assigned=t.assigned_households, role=role_name,
                 unassigned=t.unassigned_households)
    lines = [head]
    rows = [
        [_("objective (household-metres)"), f"{t.objective_household_m:,.0f}"],
        [_("mean distance (m)"), f"{t.mean_distance_m:,.1f}"],
        [_("95th percentile distance (m)"), f"{t.p95_distance_m:,.1f}"],
        [_("max distance (m)"), f"{t.max_distance_m:,.1f}"],
        [_("households beyond 1 km"), f"{t.households_beyond_1km:,}"],
        [_("households assigned / unassigned"),
         f"{t.assigned_households:,} / {t.unassigned_households:,}"],
        [_("flow optimum (lower bound)"), f"{t.flow_optimum_household_m:,.0f}"],
        [_("flow: households assigned / unassigned"),
         f"{t.flow_assigned_households:,} / {t.flow_unassigned_households:,}"],
        [_("total, {m:,.0f} m per unassigned household", m=t.unassigned_cost_m),
         f"{t.total_with_unassigned_household_m:,.0f}"],
        [_("lower bound, {m:,.0f} m per unassigned household", m=t.unassigned_cost_m),
         f"{t.flow_total_with_unassigned_household_m:,.0f}"],
        [_("above the lower bound (%)"), f"{t.gap_pct:.3f}"],
        [_("points split by the flow, made whole"), f"{t.split_points:,}"],
        [_("households dropped to keep points whole"),
         f"{t.unassigned_to_keep_points_whole:,}"],
        [_("whole points proven optimal"), _whole_proof(t)],
    ]
    lines.append(format_table([_("total"), _("value")], rows))
    if len(result.unassigned):
        reasons = result.unassigned.groupby("reason")["households"].agg(["count", "sum"])
        lines.append(format_table([_("reason"), _("points"), _("households")],
                                  [[r, int(c), int(n)] for r, (c, n) in reasons.iterrows()]))
    full = result.staff_load[result.staff_load["load"] >= result.staff_load["capacity"]]
    if len(full):
        lines.append(_("{n} staff at full capacity", n=len(full)))
    lines.extend(f"  [{severity_label(p.severity)}] {problem_text(p)}"
                 for p in result.problems[:10])
    if heads is not None:
        lines.append(heads_summary(heads))
    return "\n".join(lines)


def _whole_proof(t: AllocationTotals) -> str:
    """Say whether the whole-point answer is proven optimal, else what is proven."""
    from gridplanner.i18n import _, pgettext

    if t.whole_points_optimal:
        return pgettext("whole points proven", "yes")
    if t.whole_points_most_households > t.assigned_households:
        return _("no (time limit): {assigned} of at most {most} households placed whole; "
                 "walking within {gap}% of the least for as many",
                 assigned=f"{t.assigned_households:,}",
                 most=f"{t.whole_points_most_households:,}",
                 gap=f"{t.whole_points_gap_pct:.3f}")
    return _("no (time limit): within {gap}% of the lower bound",
             gap=f"{t.whole_points_gap_pct:.3f}")


def heads_summary(heads: GridHeadResult) -> str:
    """One line: total distance of heads to their grids, grids without a head."""
    return ngettext("grid heads: total {m:,.0f} m to grid centres; {n} grid without a head",
                    "grid heads: total {m:,.0f} m to grid centres; {n} grids without a head",
                    heads.grids_without_head, m=heads.total_distance_m)


# ------------------------------------------------------------------ grid heads
@dataclass(frozen=True)
class GridHeadOptions:
    """Grid heads to grids has no options."""


def run_grid_heads(ctx: AnalysisContext, opts: GridHeadOptions,
                   feedback: Feedback | None) -> AnalysisResult:
    """One grid head per grid, nearest to the grid's household-weighted centre."""
    heads = _grid_heads(ctx, feedback)
    return AnalysisResult("grid-heads", {"grid_heads": heads.table},
                          pd.DataFrame(heads.table.drop(columns="geometry")),
                          heads_summary(heads), heads, geometry_types={"grid_heads": POINT})


def _grid_heads(ctx: AnalysisContext, feedback: Feedback | None) -> GridHeadResult:
    """Grid heads of the context's project, with its network and household grids."""
    from gridplanner.allocation.grid_heads import assign_grid_heads_layers

    cfg = ctx.settings
    return assign_grid_heads_layers(
        ctx.layer("grids"), ctx.layer("households"), ctx.layer("staff"),
        ctx.layer("roads"), walk_cutoff_m=cfg.walk_cutoff_m,
        snap_cutoff_m=cfg.snap_cutoff_m, join_tolerance_m=cfg.join_tolerance_m,
        network=ctx.network(feedback=feedback), household_grid=ctx.household_grid(),
        head_snap=ctx.staff_snapped("grid_head", missing_role=""), feedback=feedback)


# ------------------------------------------------------------------ placement
@dataclass(frozen=True)
class PlacementOptions:
    """Options of the placement of new staff bases."""

    n: int = option(help="bases to add", minimum=1, maximum=100_000, short="-n", metavar="N",
                    label="New staff")
    role: str = option("full_time", help="role whose existing bases are kept", choices=ROLES)
    candidates: str | None = option(None, help="candidate points (default: road "
                                    "intersections); FILE::LAYER picks a layer",
                                    metavar="FILE")
    starts: int = option(3, help="greedy + random starts", minimum=1, maximum=100)


def run_placement(ctx: AnalysisContext, opts: PlacementOptions,
                  feedback: Feedback | None) -> AnalysisResult:
    """N new staff bases that cut the households' total walk most (p-median)."""
    from gridplanner.allocation.placement import candidate_points, place_staff_layers
    from gridplanner.analyses.inputs import read_optional_points
    from gridplanner.network.snap import snap_points

    candidates, notes = read_optional_points(opts.candidates, ctx.project,
                                             what=_("candidate"))
    cfg = ctx.settings
    net = ctx.network(feedback=feedback)
    # The default candidates (road intersections) are kept with the network;
    # points from a file are snapped per run.
    candidate_snap = None
    if candidates is None or not len(candidates):
        candidate_snap = ctx.memo("snapped_intersection_candidates", lambda: snap_points(
            net, candidate_points(net), cutoff_m=cfg.snap_cutoff_m), layers=("roads",),
            settings=("join_tolerance_m", "snap_cutoff_m"))
    result = place_staff_layers(
        ctx.layer("households"), ctx.layer("staff"), ctx.layer("roads"), opts.n,
        role=opts.role, candidates=candidates, starts=opts.starts,
        walk_cutoff_m=cfg.walk_cutoff_m, snap_cutoff_m=cfg.snap_cutoff_m,
        join_tolerance_m=cfg.join_tolerance_m, network=net,
        household_snap=ctx.snapped("households"),
        staff_snap=ctx.staff_snapped(opts.role, missing_role=""),
        candidate_snap=candidate_snap, feedback=feedback)
    summary = "\n".join([*notes, placement_summary(result, role=opts.role)])
    served = result.served_after_households - result.served_before_households
    headline = _("{n} new bases: walk of the households served before {before:,.0f} -> "
                 "{after:,.0f} household-metres; {served:,} households newly served",
                 n=len(result.sites), before=result.total_before_household_m,
                 after=result.served_before_after_household_m, served=served)
    return AnalysisResult("place", {"new_sites": result.sites},
                          pd.DataFrame(result.sites.drop(columns="geometry")), summary,
                          result, geometry_types={"new_sites": POINT}, headline=headline)


def placement_summary(result: PlacementResult, *, role: str) -> str:
    """Per-site walking gains and newly served households, and the totals, as text.

    Walking gains and households newly brought within the walking cutoff are
    kept apart: a household nobody served had no walk to shorten.
    """
    s = result.sites
    rows = [[int(r), round(float(g), 1), int(n), round(float(m), 1), round(p.x, 1),
             round(p.y, 1)] for r, g, n, m, p in zip(
        s["rank"], s["gain_household_m"], s["newly_served_households"],
        s["newly_served_household_m"], s.geometry, strict=True)]
    before, after = result.served_before_households, result.served_after_households
    return "\n".join([
        format_table([_("rank"), _("walk saved (household-metres)"),
                      _("households newly served"), _("walk of the newly served "
                                                     "(household-metres)"), "x", "y"], rows),
        _("households within {cutoff:,.0f} m of {role} staff: {before:,} -> {after:,} of "
          "{total:,} ({new:,} newly served)", cutoff=result.walk_cutoff_m,
          role=pgettext("role", role), before=before, after=after, total=result.households,
          new=after - before),
        _("walk of the {n:,} households served before: {before:,.0f} -> {after:,.0f} "
          "household-metres", n=before, before=result.total_before_household_m,
          after=result.served_before_after_household_m),
        _("walk of all households served: {before:,.0f} ({n_before:,} households) -> "
          "{after:,.0f} ({n_after:,} households) household-metres",
          before=result.total_before_household_m, n_before=before,
          after=result.total_after_household_m, n_after=after),
    ])


# ------------------------------------------------------------------ service areas
@dataclass(frozen=True)
class ServiceAreaOptions:
    """Options of the facility service areas (each facility's cutoff_m applies)."""

    kind: str | None = option(None, help="only facilities of this kind (default: each kind "
                              "on its own, kinds do not compete)", metavar="KIND",
                              label="Facility kind")


def run_service_areas(ctx: AnalysisContext, opts: ServiceAreaOptions,
                      feedback: Feedback | None) -> AnalysisResult:
    """Households and roads within each facility's cutoff, split by nearest facility."""
    from gridplanner.allocation.service_areas import service_areas_layers
    from gridplanner.organisation import with_facility_cutoffs

    # A facility without a cutoff_m takes its kind's default (setting facility_cutoff_m).
    cfg = ctx.settings
    result = service_areas_layers(
        with_facility_cutoffs(ctx.layer("facilities"), cfg), ctx.layer("households"),
        ctx.layer("roads"), kind=opts.kind, snap_cutoff_m=cfg.snap_cutoff_m,
        join_tolerance_m=cfg.join_tolerance_m, network=ctx.network(feedback=feedback),
        household_snap=ctx.snapped("households"), facility_snap=ctx.snapped("facilities"),
        feedback=feedback)
    a = result.areas
    rows = [[f, _kind(k), round(float(c), 0), int(h), round(float(r), 0)]
            for f, k, c, h, r in zip(
        a["facility_id"], a["kind"], a["cutoff_m"], a["households"], a["road_length_m"],
        strict=True)]
    per_kind = a.groupby("kind", sort=True)["households"].agg(["count", "sum"])
    summary = "\n".join([
        format_table([_("facility"), _("kind"), _("cutoff m"), _("households"),
                      _("road length m")], rows),
        _("each kind of facility serves on its own (a household may be served by one "
          "facility of each kind); within a kind the areas do not overlap"),
        format_table([_("kind"), _("facilities"), _("households served")],
                     [[_kind(k), int(c), f"{int(n):,}"] for k, (c, n) in per_kind.iterrows()])])
    layers = {"service_areas": result.areas, "service_households": result.households,
              "service_roads": result.roads}
    return AnalysisResult("service-areas", layers, pd.DataFrame(a.drop(columns="geometry")),
                          summary, result,
                          geometry_types={"service_areas": POLY, "service_households": POINT,
                                          "service_roads": LINE},
                          headline=_("{n} facilities of {kinds} kinds: {served} households "
                                     "served", n=len(a), kinds=len(per_kind),
                                     served="; ".join(f"{_kind(k)} {int(n):,}" for k, n
                                                      in per_kind["sum"].items())))


def _kind(kind: object) -> str:
    """Name a facility kind in the reader's language (派出所 for police_station)."""
    return pgettext("attribute", str(kind))


# ------------------------------------------------------------------ incident routing
@dataclass(frozen=True)
class RouteOptions:
    """Where the incidents are: one point, or a file of points."""

    at: str | None = option(None, help="one point", metavar="X,Y")
    points: str | None = option(None, help="a point layer or table (FILE::LAYER picks a "
                                "layer)", metavar="FILE")
    crs: str | None = option(None, help="CRS of --at or --points (default: the project's, or "
                             "what the file declares), e.g. 4326, gcj02", metavar="CRS",
                             label="Coordinate system of the points")


def run_route(ctx: AnalysisContext, opts: RouteOptions,
              feedback: Feedback | None) -> AnalysisResult:
    """Grid, community, the grid's staff and the nearest staff of each incident point."""
    points, notes = _incident_points(ctx, opts)
    table = _routes(ctx, points, feedback)
    shown = pd.DataFrame(table.drop(columns="geometry"))
    rows = [[("" if (isinstance(v, float) and np.isnan(v)) else v) for v in rec]
            for rec in shown.head(50).itertuples(index=False)]
    lines = [*notes, format_table([column_label(str(c)) for c in shown.columns], rows)]
    if len(shown) > 50:
        lines.append(_("... {n} more rows", n=len(shown) - 50))
    located = int((shown["grid_id"] != "").sum())
    return AnalysisResult("route", {"routes": table}, shown, "\n".join(lines), table,
                          geometry_types={"routes": POINT},
                          headline=_("{n} incident points, {located} inside a grid",
                                     n=len(shown), located=located))


def _routes(ctx: AnalysisContext, points: gpd.GeoDataFrame,
            feedback: Feedback | None) -> gpd.GeoDataFrame:
    """Route ``points`` with the context's network and its nearest-staff tables."""
    from gridplanner.routing import NearestTables, nearest_tables, route_incidents_layers

    cfg = ctx.settings

    def nearest(role: str, members: gpd.GeoDataFrame) -> NearestTables:
        net = ctx.network()
        return ctx.memo(("nearest_staff", role),
                        lambda: nearest_tables(net, members, cfg.snap_cutoff_m),
                        layers=("staff", "roads"),
                        settings=("snap_cutoff_m", "join_tolerance_m"))

    return route_incidents_layers(
        points, grids=ctx.layer("grids"), service_areas=ctx.layer("service_areas"),
        staff=ctx.layer("staff"), roads=ctx.layer("roads"),
        snap_cutoff_m=cfg.snap_cutoff_m, join_tolerance_m=cfg.join_tolerance_m,
        network=ctx.network(feedback=feedback), nearest=nearest, feedback=feedback)


def _incident_points(ctx: AnalysisContext, opts: RouteOptions
                     ) -> tuple[gpd.GeoDataFrame, list[str]]:
    from gridplanner.analyses.inputs import read_points
    from gridplanner.routing import parse_point
    from layers.crs import parse_source_crs, reproject

    if (opts.at is None) == (opts.points is None):
        raise AnalysisError(_("route: give one point (--at X,Y) or a file of points "
                              "(--points)"))
    crs = ctx.project.crs
    given = parse_source_crs(opts.crs) if opts.crs else None
    if opts.at is not None:
        x, y = parse_point(opts.at)
        points = gpd.GeoDataFrame({"incident_id": ["1"]}, geometry=[shapely.Point(x, y)],
                                  crs=None if given is not None else crs)
        if crs is not None and given is not None:
            points = reproject(points, crs, source_crs=given)
        return points, []
    assert opts.points is not None
    points, notes = read_points(opts.points, ctx.project, what=_("incident"),
                                representative=True, source_crs=given)
    if "incident_id" not in points.columns:
        points = points.assign(incident_id=[str(i + 1) for i in range(len(points))])
    return points, notes


NETWORK = Analysis("network", "Walking network", "walking graph summary and disconnected "
                   "pieces", NetworkOptions, run_network, out_required=False,
                   out_help="also write road_nodes, road_edges and road_pieces layers")
ALLOCATE = Analysis("allocate", "Allocate households to staff",
                    "assign households to staff optimally within capacity",
                    AllocationOptions, run_allocation,
                    out_help="GeoPackage for assignments, staff_load and unassigned")
GRID_HEADS = Analysis("grid-heads", "Assign grid heads to grids",
                      "assign one grid head per grid (nearest to its households)",
                      GridHeadOptions, run_grid_heads, out_help="GeoPackage for grid_heads")
PLACE = Analysis("place", "Place new staff", "choose N new staff bases (p-median on the "
                 "roads)", PlacementOptions, run_placement, out_help="GeoPackage for new_sites")
SERVICE_AREAS = Analysis("service-areas", "Facility service areas",
                         "households and roads within each facility's cutoff",
                         ServiceAreaOptions, run_service_areas,
                         out_help="GeoPackage for service_areas, service_households, "
                         "service_roads")
ROUTE = Analysis("route", "Incident lookup", "grid, community and staff for incident points",
                 RouteOptions, run_route, out_required=False, out_suffixes=(".gpkg", ".csv"),
                 out_help="write the table (.gpkg, .csv)")
