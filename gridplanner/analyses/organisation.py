"""Analyses of the district's organisation.

Grid work groups and party building per grid, 党员联户 (households linked to party
members) and incident statistics.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from gridplanner.analyses.registry import Analysis, AnalysisResult, option
from gridplanner.i18n import _, pgettext
from gridplanner.text import format_table

if TYPE_CHECKING:
    from gridplanner.context import AnalysisContext
    from gridplanner.feedback import Feedback

POLY, POINT = "MultiPolygon", "Point"


def _number(value: float, digits: int = 1) -> str:
    return "" if not np.isfinite(value) else f"{value:,.{digits}f}"


# ------------------------------------------------------------------ organisation
@dataclass(frozen=True)
class OrganisationOptions:
    """Options of the per-grid organisation figures."""

    grids: int = option(20, help="grids to list", minimum=0, metavar="N", cli_only=True)


def run_organisation(ctx: AnalysisContext, opts: OrganisationOptions,
                     feedback: Feedback | None) -> AnalysisResult:
    """Each grid's work group, party building figures, host unit and floating population."""
    from gridplanner.feedback import report
    from gridplanner.organisation import (
        MEMBER_KINDS,
        grid_organisation,
        member_label,
        work_group_members,
        work_group_shortfalls,
        work_groups,
    )

    report(feedback, 0.0, _("work groups"))
    grids = ctx.layer("grids")
    staff = ctx.layer("staff")
    org = grid_organisation(ctx)
    groups = work_groups(grids, staff)
    short = work_group_shortfalls(grids, staff, dict(ctx.settings.work_group_minimum))
    text = _shortfall_text(short, str)
    table = org.merge(groups.drop(columns="party_member_workers"), on="grid_id", how="left")
    table["work_group_short"] = text.reindex(table["grid_id"]).fillna("").to_numpy()
    layer = gpd.GeoDataFrame(table, geometry=grids.geometry.values, crs=grids.crs)
    members = work_group_members(grids, staff)
    report(feedback, 1.0, _("work groups done"))
    summary = _organisation_summary(table, members, _shortfall_text(short, member_label),
                                    opts.grids, MEMBER_KINDS)
    red = int(table["red_grid"].sum())
    return AnalysisResult(
        "organisation", {"grid_organisation": layer, "work_group_members": members},
        pd.DataFrame(table), summary, table, geometry_types={"grid_organisation": POLY},
        headline=_("{grids} grids: {red} red grids, {special} special grids, {short} short "
                   "of the work-group minimum", grids=len(table), red=red,
                   special=int(table["special"].sum()),
                   short=int((table["work_group_short"] != "").sum())))


def _shortfall_text(short: pd.DataFrame, label: Callable[[str], str]) -> pd.Series:
    """Per grid, what its work group lacks: ``police 0/0.33; doctor 0/1``."""
    if not len(short):
        return pd.Series(dtype=object)
    return short.groupby("grid_id", sort=False).apply(
        lambda r: "; ".join(f"{label(m)} {h:g}/{n:g}" for m, h, n in zip(
            r["member"], r["have"], r["need"], strict=True)), include_groups=False)


def _members_text(members: pd.DataFrame) -> pd.Series:
    """Per grid, its work group by member kind in the reader's language."""
    from gridplanner.organisation import member_label

    if not len(members):
        return pd.Series(dtype=object)
    listed = members.groupby(["grid_id", "member"], sort=False)["staff_id"].agg(
        lambda v: ", ".join(v)).reset_index()
    listed["t"] = [f"{member_label(m)}: {ids}" for m, ids in zip(
        listed["member"], listed["staff_id"], strict=True)]
    return listed.groupby("grid_id", sort=False)["t"].agg("; ".join)


def _organisation_summary(table: pd.DataFrame, members: pd.DataFrame, short: pd.Series,
                          limit: int, kinds: tuple[str, ...]) -> str:
    from gridplanner.organisation import member_label

    households = float(table["households"].sum())
    party = float(table["party_members"].sum())
    per = households / party if party else float("nan")
    by_kind = members.drop_duplicates("staff_id")["member"].value_counts()
    lines = [
        _("party members among residents: {n:,}; households per party member: {per}",
          n=int(party), per=_number(per) or "-"),
        _("red grids (party branch and a party-member worker): {red} of {n}",
          red=int(table["red_grid"].sum()), n=len(table)),
        _("special grids: {n}; floating population: {f:,}", n=int(table["special"].sum()),
          f=int(table["floating_population"].sum())),
        _("staff by role and specialty: {counts}", counts=", ".join(
            f"{member_label(k)} {int(by_kind.get(k, 0))}" for k in kinds
            if by_kind.get(k, 0))),
    ]
    shown = table.head(limit)
    group = _members_text(members).reindex(shown["grid_id"]).fillna("").to_numpy()
    lacking = short.reindex(shown["grid_id"]).fillna("").to_numpy()
    rows = [[r.grid_id, r.party_branch, r.host_unit, int(r.households),
             int(r.party_members), int(r.party_member_workers), _("yes") if r.red_grid else "",
             g, s] for r, g, s in zip(shown.itertuples(index=False), group, lacking,
                                      strict=True)]
    if rows:
        lines.append(format_table([_("grid"), _("party branch"), _("host unit"),
                                   _("households"), _("party members"),
                                   _("party-member workers"), _("red grid"), _("work group"),
                                   _("short of")], rows))
    if len(table) > len(shown):
        lines.append(_("... and {n} more grids in the result layer grid_organisation",
                       n=len(table) - len(shown)))
    return "\n".join(lines)


# ------------------------------------------------------------------ 党员联户
@dataclass(frozen=True)
class LinkOptions:
    """Options of linking households to party members."""

    capacity_households: int | None = option(
        None, help="households each party member links (default: the setting "
        "link_capacity_households)", minimum=1, maximum=10_000, metavar="N",
        unit="households", flag="--capacity", label="Households per party member")
    k: int | None = option(None, help="candidate party members per household to start with "
                           "(widened as needed; default: every member point of the grid, "
                           "up to 64)", minimum=1, maximum=10_000, metavar="K",
                           label="Candidate members per household")


def run_link_members(ctx: AnalysisContext, opts: LinkOptions,
                     feedback: Feedback | None) -> AnalysisResult:
    """Households linked to party members of their own grid, walking least."""
    from gridplanner.organisation import link_members

    result = link_members(ctx, capacity_households=opts.capacity_households, k=opts.k,
                          feedback=feedback)
    t = result.allocation.totals
    unlinked = result.unlinked.assign(reason=result.unlinked["reason"].astype(str).str.replace(
        "part_time staff", "party members", regex=False))
    g = result.grids
    lines = [
        _("linked {linked:,} households to {members:,} party members at {points:,} points "
          "({cap} households each, within their grid); {unlinked:,} not linked",
          linked=t.assigned_households, members=int(result.members["party_members"].sum()),
          points=len(result.members), cap=result.capacity_households,
          unlinked=t.unassigned_households),
        _("walk to the linking party member: mean {mean} m, max {max} m",
          mean=_number(t.mean_distance_m), max=_number(t.max_distance_m)),
    ]
    if len(unlinked):
        reasons = unlinked.groupby("reason")["households"].agg(["count", "sum"])
        lines.append(format_table([_("reason"), _("points"), _("households")],
                                  [[r, int(c), int(n)] for r, (c, n) in reasons.iterrows()]))
    rows = [[r.grid_id, int(r.households), int(r.party_members), int(r.linked_households),
             int(r.unlinked_households), _number(r.households_per_party_member)]
            for r in g.itertuples(index=False)]
    lines.append(format_table([_("grid"), _("households"), _("party members"), _("linked"),
                               _("not linked"), _("households per party member")], rows))
    layers = {"member_links": result.links, "party_member_points": result.members,
              "unlinked_households": unlinked, "link_grids": g}
    return AnalysisResult(
        "link-members", layers, pd.DataFrame(g), "\n".join(lines), result,
        geometry_types={"member_links": POINT, "party_member_points": POINT,
                        "unlinked_households": POINT},
        headline=_("{linked:,} households linked to party members, {unlinked:,} not linked",
                   linked=t.assigned_households, unlinked=t.unassigned_households))


# ------------------------------------------------------------------ incidents
@dataclass(frozen=True)
class IncidentOptions:
    """Options of the incident statistics."""

    by: str = option("grid", help="count per grid or per community",
                     choices=("grid", "community"), label="Count per")
    period: str = option("month", help="count per month or per ISO week",
                         choices=("month", "week"), label="Period")
    alpha: float = option(0.05, help="false-discovery rate below which a unit is hot",
                          minimum=0.0001, maximum=0.5, label="Significance")
    top: int = option(15, help="units to list", minimum=0, metavar="N", cli_only=True)


def run_incidents(ctx: AnalysisContext, opts: IncidentOptions,
                  feedback: Feedback | None) -> AnalysisResult:
    """Incidents per grid or community by kind and period; hot units by a Poisson test."""
    from gridplanner.incidents import incident_stats

    s = incident_stats(ctx, by=opts.by, period=opts.period, alpha=opts.alpha,
                       feedback=feedback)
    u = s.units
    hot = int(u["hot"].sum())
    total = int(u["incidents"].sum())
    lines = [
        _("{n:,} incidents in {units} units ({by}); {outside:,} outside every grid",
          n=total, units=len(u), by=pgettext("incident unit", opts.by),
          outside=s.outside),
        _("district rate: {rate} incidents per 1,000 households; hot units (Poisson test "
          "against the district rate, households as exposure, false-discovery rate "
          "{alpha:g}): {hot}", rate=_number(1000 * s.rate_per_household, 2),
          alpha=opts.alpha, hot=hot),
    ]
    ranked = u.sort_values(["p_value", "incidents"], ascending=[True, False]).head(opts.top)
    rows = [[r.unit_id, int(r.households), int(r.incidents), _number(r.per_1000_households, 2),
             _number(r.expected, 1), _number(r.ratio, 2), f"{r.p_value:.4f}",
             f"{r.p_adjusted:.4f}", _("yes") if r.hot else ""]
            for r in ranked.itertuples(index=False)]
    lines.append(format_table([_("unit"), _("households"), _("incidents"),
                               _("per 1,000 households"), _("expected"), _("ratio"),
                               _("p-value"), _("adjusted p"), _("hot")], rows))
    kinds = s.counts.groupby("kind")["incidents"].sum().sort_values(ascending=False)
    lines.append(format_table([_("kind"), _("incidents")],
                              [[k, int(n)] for k, n in kinds.items()]))
    layers = {"incident_units": u, "incident_counts": s.counts,
              "incident_by_kind": s.by_kind, "incident_by_period": s.by_period,
              "incident_points": s.points}
    return AnalysisResult(
        "incidents", layers, pd.DataFrame(u.drop(columns="geometry")), "\n".join(lines), s,
        geometry_types={"incident_units": POLY, "incident_points": POINT},
        headline=_("{n:,} incidents; {hot} hot units of {units}", n=total, hot=hot,
                   units=len(u)))


ORGANISATION = Analysis(
    "organisation", "Grid organisation", "work groups, party building, special grids and "
    "floating population per grid", OrganisationOptions, run_organisation,
    out_required=False, out_suffixes=(".gpkg", ".xlsx"),
    out_help="also write grid_organisation and work_group_members (.gpkg, .xlsx)")
LINK_MEMBERS = Analysis(
    "link-members", "Link households to party members",
    "link households to party members of their grid (党员联户)", LinkOptions,
    run_link_members,
    out_help="GeoPackage for member_links, party_member_points, unlinked_households and "
    "link_grids")
INCIDENTS = Analysis(
    "incidents", "Incident statistics", "incidents per grid or community by kind and "
    "period, and hot units", IncidentOptions, run_incidents, out_required=False,
    out_suffixes=(".xlsx", ".gpkg"),
    out_help="also write the statistics (.xlsx tables or .gpkg layers)")

#: This module's analyses in menu order.
ORGANISATION_ANALYSES = (ORGANISATION, LINK_MEMBERS, INCIDENTS)
