"""Camera analyses: coverage and siting of new cameras."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from gridplanner.analyses.registry import Analysis, AnalysisResult, option
from gridplanner.i18n import _, pgettext
from gridplanner.text import format_table

if TYPE_CHECKING:
    from gridplanner.context import AnalysisContext
    from gridplanner.coverage import CoverageResult
    from gridplanner.coverage.siting import SitingResult
    from gridplanner.feedback import Feedback

POLY, LINE, POINT = "MultiPolygon", "MultiLineString", "Point"


@dataclass(frozen=True)
class CoverageOptions:
    """Options of camera coverage."""

    include_offline: bool = option(False, help="count offline cameras too (default: online "
                                   "only)", label="Include offline cameras")
    use_buildings: bool = option(True, help="cut camera views by building shadows",
                                 negate="--no-buildings", label="Buildings block the view")
    gaps: int = option(10, help="largest gaps to list in the summary", minimum=0,
                       metavar="N", cli_only=True)


def run_coverage(ctx: AnalysisContext, opts: CoverageOptions,
                 feedback: Feedback | None) -> AnalysisResult:
    """Coverage per grid and category, gaps and camera record checks."""
    from gridplanner.coverage import CoverageState

    result = CoverageState.from_project(ctx.project, include_offline=opts.include_offline,
                                        use_buildings=opts.use_buildings,
                                        feedback=feedback).result()
    return coverage_result(result, opts)


def coverage_result(result: CoverageResult, opts: CoverageOptions) -> AnalysisResult:
    """Return what front-ends show of a coverage result computed with ``opts``.

    For callers that compute coverage themselves, e.g. the app, which keeps the
    :class:`~gridplanner.coverage.CoverageState` to update coverage edit by edit.
    """
    district = result.district.iloc[0]
    headline = _("households covered {households} %, intersections {intersections} %; "
                 "{gaps} gaps", households=_pct(district["households_pct_all"]),
                 intersections=_pct(district["intersections_pct_all"]), gaps=len(result.gaps))
    return AnalysisResult("coverage", result.layers(), result.grid_table,
                          coverage_summary(result, gaps=opts.gaps), result, headline=headline,
                          geometry_types={
                              "grid_coverage": POLY, "coverage_gaps": POLY,
                              "uncovered_households": POINT,
                              "uncovered_intersections": POINT,
                              "uncovered_roads": LINE, "camera_footprints": POLY,
                              "camera_issues": POINT})


def coverage_summary(result: CoverageResult, *, gaps: int = 10, worst: int = 10) -> str:
    """Readable summary: district shares, least covered grids, largest gaps, issues."""
    lines = []
    if result.include_offline:
        lines.append(_("camera coverage (online and offline cameras, {shadows}), percent",
                       shadows=_("with building shadows") if result.use_buildings
                       else _("without buildings")))
    else:
        lines.append(_("camera coverage (online cameras, {shadows}), percent",
                       shadows=_("with building shadows") if result.use_buildings
                       else _("without buildings")))
    district = result.district.iloc[0]
    rows: list[list[Any]] = []
    for measure, label in (("area", _("area")), ("households", _("households")),
                           ("roads", _("walkable roads")),
                           ("intersections", _("intersections"))):
        rows.append([label, *(_pct(district[f"{measure}_pct_{c}"])
                              for c in ("all", "cat1", "cat23"))])
    lines.append(format_table([_("district"), _("all cameras"), _("category 1"),
                               _("categories 2-3")], rows))
    table = result.grid_table
    if len(table):
        lines.append("\n" + _("least covered grids by households (of {n}):", n=len(table)))
        order = table.sort_values(["households_pct_all", "area_pct_all"], na_position="last")
        rows = [[r.grid_id, int(r.households), _pct(r.households_pct_all),
                 _pct(r.households_pct_cat1), _pct(r.households_pct_cat23),
                 _pct(r.area_pct_all), _pct(r.intersections_pct_all)]
                for r in order.head(worst).itertuples()]
        lines.append(format_table([_("grid"), _("households"), _("households, all %"),
                                   _("households, cat. 1 %"), _("households, cat. 2-3 %"),
                                   _("area, all %"), _("intersections, all %")], rows))
    if len(result.gaps) and gaps > 0:
        lines.append("\n" + _("largest gaps by uncovered households (of {n}):",
                              n=len(result.gaps)))
        rows = [[int(r.rank), r.grid_id, int(r.uncovered_households), round(r.area_m2)]
                for r in result.gaps.head(gaps).itertuples()]
        lines.append(format_table([_("rank"), _("grid"), _("households"), _("area m²")],
                                  rows))
    lines.append("\n" + _("uncovered: {households:,} households at {points:,} points, "
                          "{intersections:,} intersections, {km:,.1f} km of walkable road",
                          households=int(result.uncovered_households["households"].sum()),
                          points=len(result.uncovered_households),
                          intersections=len(result.uncovered_intersections),
                          km=result.uncovered_roads["length_m"].sum() / 1000))
    issues = result.camera_issues
    if len(issues):
        lines.append("\n" + _("camera records with problems: {n}", n=len(issues)))
        rows = [[r.camera_id, str(r.row), pgettext("column", r.column), r.value, r.reason,
                 r.action]
                for r in issues.head(20).itertuples()]
        lines.append(format_table([_("camera"), _("row"), _("column"), _("value"),
                                   _("problem"), _("coverage")], rows))
        if len(issues) > 20:
            lines.append(_("... and {n} more in layer camera_issues", n=len(issues) - 20))
    else:
        lines.append("\n" + _("camera records: no problems found"))
    return "\n".join(lines)


def _pct(value: float) -> str:
    return "–" if pd.isna(value) else f"{float(value):.1f}"


@dataclass(frozen=True)
class SitingOptions:
    """Options of camera siting."""

    k: int = option(help="cameras to place", minimum=1, maximum=100_000, short="-k",
                    metavar="K", label="New cameras (K)")
    candidates: str | None = option(None, help="candidate points (any format the importer "
                                    "reads; FILE::LAYER picks a layer); default: "
                                    "intersections and points along walkable roads",
                                    metavar="FILE")
    spacing_m: float = option(50.0, help="spacing of road candidates in metres", unit="m",
                              minimum=1.0, maximum=10_000.0)
    intersection_weight: float = option(10.0, help="score of one newly seen intersection, "
                                        "in households", minimum=0.0, maximum=1e6)
    category: int = option(1, help="category of the new cameras", choices=(1, 2, 3))
    range_m: float | None = option(None, help="view range (default: category default)",
                                   unit="m", minimum=1.0, maximum=1000.0)
    fov_deg: float | None = option(None, help="field of view (default: category default)",
                                   unit="degrees", minimum=1.0, maximum=360.0)
    directions: int = option(8, help="azimuths tried per site", minimum=1, maximum=360)
    all_round: bool = option(False, help="place all-round cameras")
    include_offline: bool = option(False, help="count what offline cameras see as covered")
    use_buildings: bool = option(True, help="cut camera views by building shadows",
                                 negate="--no-buildings")


def run_siting(ctx: AnalysisContext, opts: SitingOptions,
               feedback: Feedback | None) -> AnalysisResult:
    """K new camera sites that see the most unseen households and intersections."""
    from gridplanner.analyses.inputs import read_optional_points
    from gridplanner.coverage.siting import site_cameras

    candidates, notes = read_optional_points(opts.candidates, ctx.project,
                                             what=_("candidate site"))
    result = site_cameras(
        ctx, k=opts.k, candidates=candidates, spacing_m=opts.spacing_m,
        intersection_weight=opts.intersection_weight, category=opts.category,
        range_m=opts.range_m, fov_deg=opts.fov_deg, directions=opts.directions,
        all_round=opts.all_round, include_offline=opts.include_offline,
        use_buildings=opts.use_buildings, feedback=feedback)
    layers = {"proposed_cameras": result.proposed, "proposed_footprints": result.footprints}
    summary = "\n".join([*notes, siting_summary(result, k=opts.k,
                                                weight=opts.intersection_weight)])
    headline = _("{n} camera sites proposed, score {score:,.0f} (within {pct:.0f} % of "
                 "optimal)", n=len(result.proposed), score=result.total_gain,
                 pct=result.guarantee * 100)
    return AnalysisResult("site-cameras", layers, pd.DataFrame(result.proposed), summary,
                          result, geometry_types={"proposed_cameras": POINT,
                                                  "proposed_footprints": POLY},
                          headline=headline)


def siting_summary(result: SitingResult, *, k: int, weight: float) -> str:
    """Return the picks with their gains, and how close to optimal they are proven."""
    rows = [[int(r.rank), r.site_id, _source(r.source),
             _("all-round") if pd.isna(r.azimuth_deg) else f"{r.azimuth_deg:g}",
             float(r.gain), int(r.new_households), int(r.new_intersections),
             float(r.cumulative_gain)]
            for r in result.proposed.itertuples()]
    lines = [format_table([_("rank"), _("site"), _("source"), _("azimuth"), _("gain"),
                           _("households"), _("intersections"), _("cumulative")], rows)]
    if len(result.proposed) < k:
        lines.append("\n" + _("only {n} sites add anything; every other candidate sees "
                              "nothing new", n=len(result.proposed)))
    lines.append("\n" + _("score {score:,.0f} (households + {weight:g} x intersections); the "
                          "best possible is at most {bound:,.0f}, so this pick is proven "
                          "within {pct:.0f} % of optimal", score=result.total_gain,
                          weight=weight, bound=result.optimum_bound,
                          pct=result.guarantee * 100))
    return "\n".join(lines)


def _source(source: str) -> str:
    """Return a candidate's source (intersection, road, candidate) in the current language."""
    return pgettext("site source", str(source))


COVERAGE = Analysis("coverage", "Camera coverage",
                    "camera coverage per grid and category, gaps, camera record checks",
                    CoverageOptions, run_coverage)
SITING = Analysis("site-cameras", "Camera siting (K new cameras)",
                  "choose K new camera sites that cover the most unseen households and "
                  "intersections", SitingOptions, run_siting,
                  out_help="GeoPackage to write proposed_cameras to (replaced if it exists)")
