"""The district's organisation in the data: party building, special grids, work groups.

Pure functions over a project's layers (through its
:class:`~gridplanner.context.AnalysisContext`):

- :func:`facility_cutoffs`: each facility's walking cutoff, its own or its kind's
  default (setting ``facility_cutoff_m``).
- :func:`special_grids`, :func:`band_kinds`: grids drawn around a host unit
  (专属网格: an enterprise, school, market or park) and the band each grid is
  measured against.
- :func:`work_group_members`, :func:`work_groups`, :func:`work_group_shortfalls`:
  each grid's work group (1+1+1+X: grid head, full-time worker, police officer and
  X members by specialty) and the grids lacking a configured minimum.
- :func:`grid_organisation`: per grid party members, party-member workers,
  红色网格 (a party branch and at least one party-member worker), households per
  party member, floating population and the host unit.
- :func:`link_members`: 党员联户, households linked to party members living in
  their grid, with the exact allocation engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gridplanner.feedback import Feedback, report, sub
from gridplanner.i18n import _
from gridplanner.integrity import GRID_ID_SEPARATORS
from gridplanner.settings import ROLES, Settings
from layers.schema import SPECIALTIES

if TYPE_CHECKING:
    from gridplanner.allocation.assign import AllocationResult
    from gridplanner.context import AnalysisContext

#: Members of a work group, in the order tables list them: the roles, then the X
#: members' specialties.
MEMBER_KINDS: tuple[str, ...] = ROLES + SPECIALTIES


def _text(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Return a text column as stripped strings ("" where missing or absent)."""
    if column not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return frame[column].fillna("").astype(str).str.strip().to_numpy(dtype=object)


def _counts(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Return a count column as whole numbers >= 0 (0 where missing or absent)."""
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=np.int64)
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    return np.clip(np.round(np.nan_to_num(values, nan=0.0)), 0, None).astype(np.int64)


# ------------------------------------------------------------------ facilities
def facility_cutoffs(facilities: pd.DataFrame, settings: Settings) -> np.ndarray:
    """Each facility's walking cutoff (m): its own ``cutoff_m``, else its kind's default.

    Examples
    --------
    >>> f = pd.DataFrame({"kind": ["police_station", "party_centre"], "cutoff_m": [None, 800]})
    >>> facility_cutoffs(f, Settings()).tolist()
    [2000.0, 800.0]
    """
    kinds = _text(facilities, "kind")
    default = np.array([settings.cutoff_for(k or "other") for k in kinds], dtype=float)
    own = (pd.to_numeric(facilities["cutoff_m"], errors="coerce").to_numpy(dtype=float)
           if "cutoff_m" in facilities.columns else np.full(len(facilities), np.nan))
    return np.where(np.isfinite(own) & (own > 0), own, default)


def with_facility_cutoffs(facilities: gpd.GeoDataFrame, settings: Settings
                          ) -> gpd.GeoDataFrame:
    """Return ``facilities`` with every ``cutoff_m`` filled (see :func:`facility_cutoffs`)."""
    return facilities.assign(cutoff_m=facility_cutoffs(facilities, settings))


# ------------------------------------------------------------------ grids
def special_grids(grids: pd.DataFrame) -> np.ndarray:
    """Whether each grid is a special grid: kind ``special`` or a host unit named.

    Examples
    --------
    >>> g = pd.DataFrame({"kind": ["urban", "special", "urban"],
    ...                   "host_unit": ["", "", "第一中学"]})
    >>> special_grids(g).tolist()
    [False, True, True]
    """
    kinds = _text(grids, "kind")
    return (kinds == "special") | (_text(grids, "host_unit") != "")


def band_kinds(grids: pd.DataFrame) -> np.ndarray:
    """Return the grid kind whose band applies to each grid: ``special`` for special grids.

    Examples
    --------
    >>> band_kinds(pd.DataFrame({"kind": ["rural", "urban"], "host_unit": ["", "市场"]})).tolist()
    ['rural', 'special']
    """
    kinds = _text(grids, "kind")
    kinds = np.where(kinds == "", "urban", kinds)
    return np.where(special_grids(grids), "special", kinds).astype(object)


# ------------------------------------------------------------------ work groups
def member_label(member: str, lang: str | None = None) -> str:
    """Name a work-group member kind in the reader's language: a role or an X specialty.

    Examples
    --------
    >>> member_label("police", lang="zh_CN"), member_label("doctor", lang="zh_CN")
    ('网格警长', '医生')
    """
    from gridplanner.i18n import pgettext

    role = pgettext("role", member, lang=lang)
    return role if role != member else pgettext("specialty", member, lang=lang)


def work_group_members(grids: pd.DataFrame, staff: pd.DataFrame) -> pd.DataFrame:
    """One row per staff member and grid they serve, with the member's share.

    A member whose ``grid_id`` lists n grids (a police officer covering three)
    counts ``share`` = 1/n in each. ``member`` is the specialty of X members that
    have one, else the role.

    Returns
    -------
    pandas.DataFrame
        ``grid_id``, ``staff_id``, ``role``, ``specialty``, ``member``,
        ``party_member``, ``grids_served``, ``share``; only grids of ``grids``.

    Examples
    --------
    >>> g = pd.DataFrame({"grid_id": ["a", "b"]})
    >>> s = pd.DataFrame({"staff_id": ["p", "d"], "role": ["police", "part_time"],
    ...                   "grid_id": ["a;b", "a"], "specialty": [None, "doctor"]})
    >>> work_group_members(g, s)[["grid_id", "staff_id", "member", "share"]].values.tolist()
    [['a', 'p', 'police', 0.5], ['a', 'd', 'doctor', 1.0], ['b', 'p', 'police', 0.5]]
    """
    columns = ["grid_id", "staff_id", "role", "specialty", "member", "party_member",
               "grids_served", "share"]
    if not len(staff) or "grid_id" not in staff.columns:
        return pd.DataFrame({c: pd.Series([], dtype=float if c == "share" else object)
                             for c in columns})
    # The rule of staff_grid_ids (ids separated by ``;``, ``,`` or ``、``), row by row.
    parts = staff["grid_id"].fillna("").astype(str).reset_index(drop=True).str.replace(
        GRID_ID_SEPARATORS, ";", regex=True).str.split(";").explode()
    parts = parts[parts.fillna("") != ""]
    rows = parts.index.to_numpy(dtype=np.int64)
    n = np.bincount(rows, minlength=len(staff))
    role = _text(staff, "role")
    specialty = _text(staff, "specialty")
    party = (staff["party_member"].fillna(False).astype(bool).to_numpy()
             if "party_member" in staff.columns else np.zeros(len(staff), dtype=bool))
    member = np.where(specialty != "", specialty, role)
    out = pd.DataFrame({
        "grid_id": parts.to_numpy(dtype=object),
        "staff_id": _text(staff, "staff_id")[rows],
        "role": role[rows], "specialty": specialty[rows], "member": member[rows],
        "party_member": party[rows], "grids_served": n[rows],
        "share": 1.0 / np.maximum(n[rows], 1)}, columns=columns)
    known = set(_text(grids, "grid_id").tolist())
    out = out[out["grid_id"].isin(known)]
    order = pd.Categorical(out["member"], categories=list(MEMBER_KINDS), ordered=True)
    out = out.assign(_o=order.codes).sort_values(["grid_id", "_o", "staff_id"], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


def work_groups(grids: pd.DataFrame, staff: pd.DataFrame) -> pd.DataFrame:
    """Each grid's work group: members by role and specialty, and who they are.

    Returns
    -------
    pandas.DataFrame
        One row per grid, in the grids' order: ``grid_id``, one count column per
        role and specialty (:data:`MEMBER_KINDS`, whole members serving the grid),
        ``party_member_workers`` and ``members`` (staff ids by kind, e.g.
        ``grid_head: S1; police: S3``).

    Examples
    --------
    >>> g = pd.DataFrame({"grid_id": ["a", "b"]})
    >>> s = pd.DataFrame({"staff_id": ["h", "p"], "role": ["grid_head", "police"],
    ...                   "grid_id": ["a", "a;b"], "party_member": [True, False]})
    >>> t = work_groups(g, s)
    >>> t[["grid_id", "grid_head", "police", "party_member_workers"]].values.tolist()
    [['a', 1, 1, 1], ['b', 0, 1, 0]]
    >>> t["members"].tolist()
    ['grid_head: h; police: p', 'police: p']
    """
    ids = _text(grids, "grid_id")
    members = work_group_members(grids, staff)
    table = pd.DataFrame({"grid_id": ids})
    counts = members.groupby(["grid_id", "member"]).size().unstack(fill_value=0) if len(
        members) else pd.DataFrame(index=pd.Index([], name="grid_id"))
    for kind in MEMBER_KINDS:
        col = counts[kind] if kind in counts.columns else pd.Series(dtype=np.int64)
        table[kind] = col.reindex(ids).fillna(0).astype(np.int64).to_numpy()
    party = members[members["party_member"].astype(bool)].groupby("grid_id").size()
    table["party_member_workers"] = party.reindex(ids).fillna(0).astype(np.int64).to_numpy()
    if not len(members):
        table["members"] = ""
        return table
    listed = members.groupby(["grid_id", "member"], sort=False)["staff_id"].agg(
        lambda v: ", ".join(v)).reset_index()
    text = listed.assign(t=listed["member"] + ": " + listed["staff_id"]).groupby(
        "grid_id", sort=False)["t"].agg("; ".join)
    table["members"] = text.reindex(ids).fillna("").to_numpy()
    return table


def work_group_shortfalls(grids: pd.DataFrame, staff: pd.DataFrame,
                          minimum: dict[str, float] | Any) -> pd.DataFrame:
    """Grids whose work group holds fewer members of a kind than ``minimum`` asks.

    Parameters
    ----------
    grids, staff
        The layers.
    minimum
        Members per grid by role or specialty (setting ``work_group_minimum``); a
        member serving n grids counts 1/n in each, so 0.33 asks for one member per
        three grids at most.

    Returns
    -------
    pandas.DataFrame
        ``grid_id``, ``member``, ``have`` (summed shares), ``need``; one row per
        grid and kind short.

    Examples
    --------
    >>> g = pd.DataFrame({"grid_id": ["a", "b", "c", "d"]})
    >>> s = pd.DataFrame({"staff_id": ["p"], "role": ["police"], "grid_id": ["a;b;c;d"]})
    >>> work_group_shortfalls(g, s, {"police": 0.33}).values.tolist()
    [['a', 'police', 0.25, 0.33], ['b', 'police', 0.25, 0.33], ['c', 'police', 0.25, 0.33], \
['d', 'police', 0.25, 0.33]]
    """
    ids = _text(grids, "grid_id")
    members = work_group_members(grids, staff)
    shares = members.groupby(["grid_id", "member"])["share"].sum()
    rows: list[tuple[Any, ...]] = []
    for kind, need in minimum.items():
        if float(need) <= 0:
            continue
        have = (shares.xs(kind, level="member") if len(shares) and kind in
                shares.index.get_level_values("member") else pd.Series(dtype=float))
        have = have.reindex(ids).fillna(0.0).to_numpy(dtype=float)
        short = have < float(need) - 1e-9  # shares are sums of 1/n: allow rounding
        rows.extend(zip(ids[short], [kind] * int(short.sum()),
                        np.round(have[short], 4), [float(need)] * int(short.sum()),
                        strict=True))
    out = pd.DataFrame(rows, columns=["grid_id", "member", "have", "need"])
    position = {g: i for i, g in enumerate(ids)}
    out = out.assign(_o=out["grid_id"].map(position)).sort_values(["_o", "member"],
                                                                  kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


# ------------------------------------------------------------------ per-grid figures
ORGANISATION_COLUMNS = (
    "grid_id", "party_branch", "host_unit", "host_kind", "special", "households",
    "floating_population", "party_members", "party_member_workers", "red_grid",
    "households_per_party_member",
)


def grid_organisation(ctx: AnalysisContext) -> pd.DataFrame:
    """Party building, special-grid and population figures of every grid.

    Returns
    -------
    pandas.DataFrame
        One row per grid (:data:`ORGANISATION_COLUMNS`): its ``party_branch``,
        ``host_unit`` and ``host_kind``, ``special``; ``households``,
        ``floating_population`` and ``party_members`` of the household points inside
        it; ``party_member_workers`` (staff marked ``party_member`` serving it);
        ``red_grid`` (红色网格: a party branch and at least one party-member
        worker); ``households_per_party_member`` (NaN without party members).
    """
    grids = ctx.layer("grids")
    households = ctx.layer("households")
    n = len(grids)
    where = ctx.household_grid() if len(households) else np.array([], dtype=np.int64)
    inside = where >= 0

    def per_grid(values: np.ndarray) -> np.ndarray:
        return np.bincount(where[inside], weights=values[inside], minlength=n).astype(
            np.int64) if n else np.zeros(0, dtype=np.int64)

    hh = per_grid(ctx.household_weights().astype(float))
    members = per_grid(_counts(households, "party_members").astype(float))
    floating = per_grid(_counts(households, "floating_population").astype(float))
    groups = work_groups(grids, ctx.layer("staff"))
    branch = _text(grids, "party_branch")
    workers = groups["party_member_workers"].to_numpy(dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_member = np.where(members > 0, np.round(hh / np.maximum(members, 1), 1), np.nan)
    host_kind = _text(grids, "host_kind")
    return pd.DataFrame({
        "grid_id": _text(grids, "grid_id"), "party_branch": branch,
        "host_unit": _text(grids, "host_unit"), "host_kind": host_kind,
        "special": special_grids(grids), "households": hh, "floating_population": floating,
        "party_members": members, "party_member_workers": workers,
        "red_grid": (branch != "") & (workers > 0),
        "households_per_party_member": per_member}, columns=list(ORGANISATION_COLUMNS))


# ------------------------------------------------------------------ 党员联户
@dataclass(frozen=True)
class LinkResult:
    """Households linked to party members (党员联户).

    Attributes
    ----------
    links
        One row per household point and linking member point: ``household_id``,
        ``member_point`` (the household point where the linking party members
        live), ``grid_id``, ``distance_m``, ``households`` (how many of the point's
        households); the household point's geometry. A building's households may be
        linked to members at several points.
    members
        One row per household point with party members: ``member_point``,
        ``grid_id``, ``party_members``, ``capacity``, ``linked_households``,
        ``mean_distance_m``, ``max_distance_m``.
    unlinked
        Households no party member of their grid could take: ``household_id``,
        ``reason``, ``households``.
    grids
        Per grid: ``grid_id``, ``households``, ``party_members``,
        ``linked_households``, ``unlinked_households``, ``households_per_party_member``.
    allocation
        The engine's own result (one demand point per household).
    capacity_households
        Households each party member links.
    """

    links: gpd.GeoDataFrame
    members: gpd.GeoDataFrame
    unlinked: gpd.GeoDataFrame
    grids: pd.DataFrame
    allocation: AllocationResult
    capacity_households: int


#: Most candidate member points per household when the grid has more (then the
#: engine widens the candidates where the answer presses against them).
MAX_LINK_CANDIDATES = 64


def link_members(ctx: AnalysisContext, *, capacity_households: int | None = None,
                 k: int | None = None, feedback: Feedback | None = None) -> LinkResult:
    """Link every household to party members living in its own grid, walking least.

    Each household point with party members (column ``party_members``) takes up to
    ``capacity_households`` households per member, only from its own grid. Every
    household is its own demand point, so a building's households may go to
    members at different points; the assignment is the allocation engine's
    (:func:`gridplanner.allocation.allocate_layers`): most households linked, then
    least total walking, exactly (a min-cost flow over single households is
    integral).

    Parameters
    ----------
    ctx
        The project's analysis context (its network and snapped households are reused).
    capacity_households
        Households per party member; default the setting ``link_capacity_households``.
    k
        Candidate member points per household to start with (widened as needed).
        Default: every member point of the household's grid (the largest grid's
        count, at most :data:`MAX_LINK_CANDIDATES`), so the candidate model holds
        every allowed link and its optimum is the optimum.
    feedback
        Progress and cancellation.

    Raises
    ------
    AnalysisError
        When no household point has party members, or the project has no grids.
    """
    from gridplanner.allocation import allocate_layers
    from gridplanner.errors import AnalysisError

    cfg = ctx.settings
    cap = int(capacity_households if capacity_households is not None
              else cfg.link_capacity_households)
    households = ctx.layer("households")
    grids = ctx.layer("grids")
    party = _counts(households, "party_members")
    if not len(grids):
        raise AnalysisError(_("link-members: layer grids is empty: households are linked to "
                              "party members of their own grid"))
    if not party.any():
        raise AnalysisError(_("link-members: no household point has party members (layer "
                              "households, column party_members): fill in party_members"))
    grid_ids = ctx.household_grid_ids()
    ids = _text(households, "household_id")
    holders = np.flatnonzero((party > 0) & (grid_ids != ""))
    if k is None:
        per_grid = np.unique(grid_ids[holders], return_counts=True)[1]
        k = int(min(per_grid.max(initial=1), MAX_LINK_CANDIDATES))
    staff = gpd.GeoDataFrame(
        {"staff_id": ids[holders], "role": "part_time", "capacity": party[holders] * cap,
         "grid_id": grid_ids[holders]},
        geometry=households.geometry.values[holders], crs=households.crs)
    # One demand point per household: the point's position in ``rows``.
    weights = ctx.household_weights()
    rows = np.repeat(np.arange(len(households)), weights)
    single = gpd.GeoDataFrame({"household_id": np.arange(len(rows)).astype(str),
                               "households": 1},
                              geometry=households.geometry.values[rows], crs=households.crs)
    snapped = ctx.snapped("households")
    single_snap = snapped.take(rows)
    report(feedback, 0.0, _("linking households to party members"))
    result = allocate_layers(
        single, staff, ctx.layer("roads"), grids=grids, role="part_time",
        within_grid=True, k=k, walk_cutoff_m=cfg.walk_cutoff_m,
        snap_cutoff_m=cfg.snap_cutoff_m, join_tolerance_m=cfg.join_tolerance_m,
        network=ctx.network(feedback=sub(feedback, 0.0, 0.2)),
        household_snap=single_snap, household_grid=ctx.household_grid()[rows],
        staff_snap=snapped.take(holders),
        feedback=sub(feedback, 0.2, 0.95))
    report(feedback, 0.95, _("figures of the links"))
    return _link_result(ctx, result, staff, party, grid_ids, rows, cap)


def _link_result(ctx: AnalysisContext, result: AllocationResult, staff: gpd.GeoDataFrame,
                 party: np.ndarray, grid_ids: np.ndarray, rows: np.ndarray,
                 cap: int) -> LinkResult:
    """Fold the single households back onto their points; per member and grid figures."""
    households = ctx.layer("households")
    ids = _text(households, "household_id")
    a = result.assignments
    point = rows[a["household_id"].astype(int).to_numpy()]
    links = pd.DataFrame({"point": point, "member_point": a["staff_id"].astype(str).to_numpy(),
                          "distance_m": a["distance_m"].to_numpy(dtype=float)})
    links = links.groupby(["point", "member_point"], sort=True).agg(
        distance_m=("distance_m", "first"), households=("distance_m", "size")).reset_index()
    p = links["point"].to_numpy()
    links_frame = gpd.GeoDataFrame(
        {"household_id": ids[p], "member_point": links["member_point"].to_numpy(),
         "grid_id": grid_ids[p], "distance_m": links["distance_m"].to_numpy(),
         "households": links["households"].to_numpy(dtype=np.int64)},
        geometry=households.geometry.values[p], crs=households.crs)
    un = result.unassigned
    un_point = rows[un["household_id"].astype(int).to_numpy()]
    gone = pd.DataFrame({"point": un_point, "reason": un["reason"].astype(str).to_numpy()})
    gone = gone.groupby(["point", "reason"], sort=True).size().rename(
        "households").reset_index()
    q = gone["point"].to_numpy()
    unlinked = gpd.GeoDataFrame(
        {"household_id": ids[q], "reason": gone["reason"].to_numpy(),
         "households": gone["households"].to_numpy(dtype=np.int64)},
        geometry=households.geometry.values[q], crs=households.crs)
    load = pd.DataFrame(result.staff_load).drop(columns="geometry", errors="ignore")
    load = load.set_index(load["staff_id"].astype(str))
    mid = staff["staff_id"].astype(str).to_numpy()
    members = gpd.GeoDataFrame({
        "member_point": mid, "grid_id": staff["grid_id"].to_numpy(),
        "party_members": staff["capacity"].to_numpy() // cap,
        "capacity": staff["capacity"].to_numpy(),
        "linked_households": load["load"].reindex(mid).fillna(0).astype(np.int64).to_numpy(),
        "mean_distance_m": load["mean_distance_m"].reindex(mid).to_numpy(dtype=float),
        "max_distance_m": load["max_distance_m"].reindex(mid).to_numpy(dtype=float)},
        geometry=staff.geometry.values, crs=staff.crs)
    weights = ctx.household_weights()
    gids = _text(ctx.layer("grids"), "grid_id")
    frame = pd.DataFrame({"grid_id": grid_ids, "households": weights, "party_members": party})
    frame = frame[frame["grid_id"] != ""].groupby("grid_id")[["households", "party_members"]
                                                              ].sum()
    linked = links_frame.groupby("grid_id")["households"].sum()
    table = pd.DataFrame({"grid_id": gids})
    table["households"] = frame["households"].reindex(gids).fillna(0).astype(np.int64).values
    table["party_members"] = frame["party_members"].reindex(gids).fillna(0).astype(
        np.int64).values
    table["linked_households"] = linked.reindex(gids).fillna(0).astype(np.int64).values
    table["unlinked_households"] = table["households"] - table["linked_households"]
    pm = table["party_members"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["households_per_party_member"] = np.where(
            pm > 0, np.round(table["households"].to_numpy(dtype=float) / np.maximum(pm, 1), 1),
            np.nan)
    return LinkResult(links=links_frame, members=members, unlinked=unlinked, grids=table,
                      allocation=result, capacity_households=cap)


# ------------------------------------------------------------------ workload
def allocate_workload(ctx: AnalysisContext, *, role: str = "full_time",
                      within_grid: bool = False, k: int = 8,
                      feedback: Feedback | None = None) -> AllocationResult:
    """Allocate households to staff, weighted by workload when the settings ask.

    With the setting ``incident_weight_households`` above 0 and an ``incidents``
    layer, each household point weighs its households plus that many per incident
    nearest to it (:meth:`AnalysisContext.household_weights` with ``workload``), so
    staff of busy grids take fewer households; loads and capacities are then in
    these workload units. Otherwise households count as they are. This is what
    the registered analysis ``allocate`` runs; the settings, the network and the
    snapped points come from ``ctx``.
    """
    from gridplanner.allocation import allocate_layers

    cfg = ctx.settings
    households = ctx.layer("households")
    if cfg.incident_weight_households > 0 and len(ctx.layer("incidents")):
        households = households.assign(households=ctx.household_weights(workload=True))
    return allocate_layers(
        households, ctx.layer("staff"), ctx.layer("roads"),
        grids=ctx.layer("grids") if within_grid else None, role=role,
        within_grid=within_grid, k=k, walk_cutoff_m=cfg.walk_cutoff_m,
        snap_cutoff_m=cfg.snap_cutoff_m, join_tolerance_m=cfg.join_tolerance_m,
        capacity_defaults=dict(cfg.capacity_defaults),
        time_limit_s=cfg.whole_points_time_limit_s,
        network=ctx.network(feedback=sub(feedback, 0.0, 0.25)),
        household_snap=ctx.snapped("households"),
        household_grid=ctx.household_grid() if within_grid else None,
        staff_snap=ctx.staff_snapped(role), feedback=feedback)


def workload_note(ctx: AnalysisContext) -> str:
    """One line saying that an allocation weighed workload, or "" when it did not."""
    cfg = ctx.settings
    n = len(ctx.layer("incidents"))
    if cfg.incident_weight_households <= 0 or not n:
        return ""
    extra = int(ctx.household_weights(workload=True).sum() - ctx.household_weights().sum())
    return _("workload: households plus {w:g} per incident ({n:,} incidents, {extra:,} "
             "household-equivalents added; setting incident_weight_households)",
             w=cfg.incident_weight_households, n=n, extra=extra)
