"""The engine's analyses (:data:`BUILTIN`), which the registry loads first.

Each one: a frozen options dataclass (keyword-only fields with units in their names,
defaults from the settings where the settings have one) and a ``run`` taking the
project's analysis context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from gridplanner.analyses.registry import Analysis, AnalysisResult, option
from gridplanner.settings import ROLES

if TYPE_CHECKING:
    from gridplanner.context import AnalysisContext
    from gridplanner.feedback import Feedback

_POLY, _LINE, _POINT = "MultiPolygon", "MultiLineString", "Point"


# ------------------------------------------------------------------ coverage
@dataclass(frozen=True)
class CoverageOptions:
    """Options of camera coverage."""

    include_offline: bool = option(False, help="count offline cameras too (default: online "
                                   "only)")
    use_buildings: bool = option(True, help="cut camera views by building shadows",
                                 negate="--no-buildings")
    gaps: int = option(10, help="largest gaps to list in the summary", minimum=0,
                       metavar="N", cli_only=True)


def _run_coverage(ctx: AnalysisContext, opts: CoverageOptions,
                  feedback: Feedback | None) -> AnalysisResult:
    from gridplanner.cli.cmd_coverage import coverage_summary
    from gridplanner.coverage import compute_coverage

    result = compute_coverage(ctx.project, include_offline=opts.include_offline,
                              use_buildings=opts.use_buildings, feedback=feedback)
    return AnalysisResult("coverage", result.layers(), result.grid_table,
                          coverage_summary(result, gaps=opts.gaps), result,
                          geometry_types={
                              "grid_coverage": _POLY, "coverage_gaps": _POLY,
                              "uncovered_households": _POINT,
                              "uncovered_intersections": _POINT,
                              "uncovered_roads": _LINE, "camera_footprints": _POLY,
                              "camera_issues": _POINT})


COVERAGE = Analysis("coverage", "Camera coverage",
                  "camera coverage per grid and category, gaps, camera record checks",
                  CoverageOptions, _run_coverage)


# ------------------------------------------------------------------ allocation
@dataclass(frozen=True)
class AllocationOptions:
    """Options of the household-to-staff allocation."""

    role: str = option("full_time", help="staff role to assign to", choices=ROLES)
    within_grid: bool = option(False, help="only staff whose grid_id names the household's "
                               "grid")
    k: int = option(8, help="candidate staff per household to start with (widened as "
                    "needed)", minimum=1, maximum=10_000, metavar="K")
    grid_heads: bool = option(False, help="also assign one grid head per grid (layer "
                              "grid_heads)")


def _run_allocation(ctx: AnalysisContext, opts: AllocationOptions,
                    feedback: Feedback | None) -> AnalysisResult:
    from gridplanner.allocation import allocate
    from gridplanner.allocation.grid_heads import assign_grid_heads
    from gridplanner.cli.cmd_network import allocation_summary

    result = allocate(ctx.project, role=opts.role, within_grid=opts.within_grid, k=opts.k,
                      feedback=feedback)
    heads = assign_grid_heads(ctx.project, feedback=feedback) if opts.grid_heads else None
    layers: dict[str, Any] = {"assignments": result.assignments,
                              "staff_load": result.staff_load,
                              "unassigned": result.unassigned}
    if heads is not None:
        layers["grid_heads"] = heads.table
    summary = allocation_summary(result, heads, role=opts.role, within_grid=opts.within_grid)
    return AnalysisResult("allocate", layers, pd.DataFrame(result.staff_load), summary,
                          result, geometry_types=dict.fromkeys(layers, _POINT))


ALLOCATE = Analysis("allocate", "Allocate households to staff",
                  "assign households to staff optimally within capacity",
                  AllocationOptions, _run_allocation,
                  out_help="GeoPackage for assignments, staff_load and unassigned")


# ------------------------------------------------------------------ grid checks
@dataclass(frozen=True)
class CheckOptions:
    """Options of the grid checks."""

    community: str | None = option(None, help="only findings of this community",
                                   metavar="ID")
    list_all: bool = option(False, help="list every finding, not the first 15 of each check",
                            flag="--all", cli_only=True)


def _run_checks(ctx: AnalysisContext, opts: CheckOptions,
                feedback: Feedback | None) -> AnalysisResult:
    from gridplanner.cli.cmd_grids import format_findings
    from gridplanner.grids.checks import run_checks

    result = run_checks(ctx.project, community_id=opts.community, feedback=feedback)
    return AnalysisResult("check", {"grid_checks": result.findings},
                          pd.DataFrame(result.findings.drop(columns="geometry")),
                          format_findings(result, every=opts.list_all), result,
                          exit_code=1 if len(result.findings) else 0)


CHECK = Analysis(
    "check", "Grid checks", "check the grids: gaps, overlaps, band, compactness, staff, codes",
    CheckOptions, _run_checks, out_required=False, adds_layer=True,
    out_help="also write the findings as a layer (.gpkg, FILE.gpkg::LAYER, or .geojson); "
    "default layer name grid_checks",
    description="List grid findings grouped by check. Findings are warnings; the exit code "
    "is 1 when there are any, 0 when the grids are clean.")


#: The engine's analyses in menu order.
BUILTIN = (COVERAGE, ALLOCATE, CHECK)
