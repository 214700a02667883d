"""Grid analyses: the grid checks and the balanced redraw proposal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from gridplanner.analyses.registry import Analysis, AnalysisResult, option
from gridplanner.i18n import _, ngettext, pgettext
from gridplanner.settings import DEFAULTS
from gridplanner.text import format_table

if TYPE_CHECKING:
    from gridplanner.context import AnalysisContext
    from gridplanner.feedback import Feedback
    from gridplanner.grids.checks import CheckResult


@dataclass(frozen=True)
class CheckOptions:
    """Options of the grid checks."""

    community: str | None = option(None, help="only findings of this community",
                                   metavar="ID", label="Community (empty: all)")
    list_all: bool = option(False, help="list every finding, not the first 15 of each check",
                            flag="--all", cli_only=True)


def run_checks(ctx: AnalysisContext, opts: CheckOptions,
               feedback: Feedback | None) -> AnalysisResult:
    """Gaps, overlaps, community crossings, band, compactness, staffing and codes."""
    from gridplanner.grids.checks import run_checks as checks

    result = checks(ctx, community_id=opts.community, feedback=feedback)
    return AnalysisResult("check", {"grid_checks": result.findings},
                          pd.DataFrame(result.findings.drop(columns="geometry")),
                          format_findings(result, every=opts.list_all), result,
                          exit_code=1 if len(result.findings) else 0,
                          headline=ngettext("{n} grid finding", "{n} grid findings",
                                            len(result.findings)))


def check_label(check: str) -> str:
    """Return the name of a grid check (key of column ``check``) in the current language.

    Examples
    --------
    >>> check_label("gap")
    'gap'
    """
    return pgettext("check", check)


def format_findings(result: CheckResult, *, every: bool = False, limit: int = 15) -> str:
    """Render findings grouped by check, after a table of counts."""
    from gridplanner.grids.checks import CHECK_ORDER

    findings = result.findings
    if not len(findings):
        return _("no findings: the grids are clean")
    counts = result.counts()
    lines = [format_table([_("check"), _("findings")],
                          [[check_label(c), int(n)] for c, n in counts.items()])]
    for check in CHECK_ORDER:
        rows = findings[findings["check"] == check]
        if not len(rows):
            continue
        lines.append("\n" + _("{check} ({n}):", check=check_label(check), n=len(rows)))
        shown = rows if every else rows.head(limit)
        lines.extend(f"  - {msg}" for msg in shown["message"])
        if len(rows) > len(shown):
            lines.append("  " + _("... and {n} more (--all lists them)",
                                  n=len(rows) - len(shown)))
    return "\n".join(lines)


#: The default band of an urban grid (setting ``band``), the proposal's default.
_URBAN_BAND = DEFAULTS.band_for("urban")


@dataclass(frozen=True)
class BalanceOptions:
    """Options of the balanced grid proposal."""

    community: str | None = option(None, help="rebalance only this community", metavar="ID",
                                   label="Community (empty: all)")
    min_households: int = option(_URBAN_BAND[0], help="fewest households per grid", flag="--min",
                                 minimum=0, maximum=100_000, metavar="N",
                                 label="Households at least")
    max_households: int = option(_URBAN_BAND[1], help="most households per grid", flag="--max",
                                 minimum=1, maximum=100_000, metavar="N",
                                 label="Households at most")


def run_balance(ctx: AnalysisContext, opts: BalanceOptions,
                feedback: Feedback | None) -> AnalysisResult:
    """Propose new grids per community with households in the band, tiling it."""
    from gridplanner.grids.balance import BalanceError, propose_balanced_grids

    if opts.max_households < max(opts.min_households, 1):
        raise BalanceError(_("the band {low}-{high} is empty: the minimum must be below the "
                             "maximum", low=opts.min_households, high=opts.max_households))
    proposal = propose_balanced_grids(
        ctx, community_id=opts.community, min_households=opts.min_households,
        max_households=opts.max_households, feedback=feedback)
    summary = (format_figures(proposal.figures) + "\n\n"
               + _("The project is unchanged: load the grids layer as a scenario to use it."))
    return AnalysisResult("balance", {"grids": proposal.grids,
                                      "balance_figures": pd.DataFrame(proposal.figures)},
                          pd.DataFrame(proposal.figures), summary, proposal,
                          geometry_types={"grids": "MultiPolygon"},
                          headline=_("{grids} grids proposed for {communities} communities",
                                     grids=len(proposal.grids),
                                     communities=len(proposal.figures)))


def format_figures(figures: pd.DataFrame) -> str:
    """Per-community figures of a proposal as a table."""
    rows = [[r.community_id, r.households, f"{r.grids_before} -> {r.grids_after}",
             f"{r.violations_before} -> {r.violations_after}",
             f"{r.min_before}-{r.max_before}", f"{r.min_after}-{r.max_after}",
             f"{r.pp_mean_before:.2f} -> {r.pp_mean_after:.2f}",
             f"{r.reock_mean_before:.2f} -> {r.reock_mean_after:.2f}"]
            for r in figures.itertuples(index=False)]
    return format_table([_("community"), _("households"), _("grids"), _("out of band"),
                         _("households before"), _("households after"), "Polsby-Popper",
                         "Reock"], rows)


CHECK = Analysis(
    "check", "Grid checks", "check the grids: gaps, overlaps, band, compactness, staff, codes",
    CheckOptions, run_checks, out_required=False, adds_layer=True,
    out_suffixes=(".gpkg", ".geojson", ".json"),
    out_help="also write the findings as a layer (.gpkg, FILE.gpkg::LAYER, or .geojson); "
    "default layer name grid_checks",
    description="List grid findings grouped by check. Findings are warnings; the exit code "
    "is 1 when there are any, 0 when the grids are clean.")
BALANCE = Analysis(
    "balance", "Balanced grid proposal",
    "propose grids with households in the band (written to a file)", BalanceOptions,
    run_balance, out_help="GeoPackage to write: layer 'grids' (the proposal) and table "
    "'balance_figures'",
    description="Propose new grid boundaries per community: households in the band, each "
    "grid one piece, compact, tiling the community; locked grids stay. The project is not "
    "changed.")
