"""Optimal capacitated assignment of households to staff on the walking network.

Public API
----------
- :func:`allocate_layers` runs the assignment on plain frames and returns an
  :class:`AllocationResult`; on a project, run the registered analysis
  ``allocate`` (:func:`gridplanner.analyses.run`), which takes the settings, the
  network and the snapped points from the project's
  :class:`~gridplanner.context.AnalysisContext`.
- :class:`AllocationResult` holds ``assignments`` (``household_id``,
  ``staff_id``, ``distance_m`` per household point), ``staff_load``
  (``staff_id``, ``load``, ``capacity``, ``capacity_used_pct``,
  ``mean_distance_m``, ``max_distance_m``), ``unassigned`` (``household_id``,
  ``reason``) and :class:`AllocationTotals`.

How it works: households, and the staff of the role, are snapped onto the roads;
the road edges are split at the staff's feet; Dijkstra from the staff (scipy,
in batches with a walking cutoff) gives each demand node its nearest staff;
a min-cost flow (:mod:`gridplanner.allocation.flow`) assigns households
optimally over those candidates, widening the candidate lists where the flow
presses against them (households left unassigned, or sent to their farthest
candidate) until it no longer does; points the flow split between staff then go
whole to one of them within capacity. The flow optimum is a lower bound: the
totals say how far the final answer is above it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from gridplanner.allocation.flow import FlowSolution, resolve_splits, solve_flow
from gridplanner.errors import AnalysisError
from gridplanner.feedback import Feedback, report, sub
from gridplanner.i18n import gettext, pgettext
from gridplanner.integrity import staff_grid_ids
from gridplanner.locate import grid_index, household_weights
from gridplanner.network.distance import k_nearest_sources, point_table
from gridplanner.network.graph import RoadNetwork, build_network
from gridplanner.network.snap import (
    Attachment,
    Augmented,
    Snapped,
    attach,
    augment,
    snap_points,
    snapped_or_given,
)
from gridplanner.runtime import gc_paused
from gridplanner.settings import DEFAULTS, check_values
from layers.errors import Problem
from layers.schema import CAPACITY_DEFAULTS

ROLES = ("grid_head", "full_time", "police", "part_time")

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AllocationTotals:
    """Headline figures of an allocation (distances household-weighted).

    ``flow_optimum_household_m`` is the min-cost-flow optimum, which may split a
    household point between staff: a lower bound. ``gap_pct`` is how far the
    final whole-point answer lies above it, both charged the same cost per
    unassigned household; ``unassigned_to_keep_points_whole`` counts households
    the flow placed but no single staff member had room for as a whole point.

    The answer and the bound serve different numbers of households, so their
    walking totals alone do not compare: ``flow_assigned_households`` /
    ``flow_unassigned_households`` are the flow's counts, and
    ``total_with_unassigned_household_m`` / ``flow_total_with_unassigned_household_m``
    charge both ``unassigned_cost_m`` per household left out (households off the
    network or without a location left out of both), the basis of ``gap_pct``.

    ``whole_points_optimal`` says whether the whole-point answer is proven
    optimal (most households assigned, then least walking) over the candidate
    staff; if the solver's time limit was reached, ``whole_points_gap_pct`` is
    the proven gap of its walking total above the best bound.
    ``whole_points_seconds`` is the time that exact solve took (0 when the
    repaired flow was already optimal). ``whole_points_most_households`` is a
    proven upper bound on the households whole points can take (equal to
    ``assigned_households`` when proven optimal); ``whole_points_gap_pct`` then
    bounds the walking of as many households.
    """

    objective_household_m: float
    mean_distance_m: float
    p95_distance_m: float
    max_distance_m: float
    households_beyond_1km: int
    assigned_households: int
    unassigned_households: int
    flow_optimum_household_m: float
    gap_pct: float
    split_points: int
    unassigned_to_keep_points_whole: int
    k_used: int
    flow_assigned_households: int = 0
    flow_unassigned_households: int = 0
    unassigned_cost_m: float = 0.0
    total_with_unassigned_household_m: float = 0.0
    flow_total_with_unassigned_household_m: float = 0.0
    whole_points_optimal: bool = True
    whole_points_gap_pct: float = 0.0
    whole_points_seconds: float = 0.0
    whole_points_most_households: int = 0

    def as_dict(self) -> dict[str, float | int]:
        """Return the figures as a plain dict."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class AllocationResult:
    """Result of :func:`allocate_layers`."""

    role: str
    within_grid: bool
    assignments: gpd.GeoDataFrame
    staff_load: gpd.GeoDataFrame
    unassigned: gpd.GeoDataFrame
    totals: AllocationTotals
    problems: tuple[Problem, ...] = field(default=())


def staff_capacity(staff: gpd.GeoDataFrame, defaults: dict[str, Any]) -> np.ndarray:
    """Capacity of each staff row: its own value, else its role's default.

    Examples
    --------
    >>> import pandas as pd
    >>> staff = pd.DataFrame({"role": ["full_time", "police"], "capacity": [None, 10]})
    >>> staff_capacity(staff, {"full_time": 500, "police": 3000}).tolist()
    [500, 10]
    """
    cap = pd.to_numeric(staff["capacity"], errors="coerce") if "capacity" in staff else None
    role = staff["role"].astype(str) if "role" in staff else pd.Series("full_time",
                                                                          index=staff.index)
    default = role.map(lambda r: defaults.get(r, CAPACITY_DEFAULTS.get(r, 0))).astype(float)
    cap = default if cap is None else cap.where(cap.notna() & (cap >= 0), default)
    return cap.fillna(0).round().to_numpy().astype(np.int64)


@gc_paused()
def allocate_layers(
    households: gpd.GeoDataFrame,
    staff: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    *,
    grids: gpd.GeoDataFrame | None = None,
    role: str = "full_time",
    within_grid: bool = False,
    k: int = 8,
    pin_rounds: int = 2,
    time_limit_s: float = DEFAULTS.whole_points_time_limit_s,
    walk_cutoff_m: float = DEFAULTS.walk_cutoff_m,
    snap_cutoff_m: float = DEFAULTS.snap_cutoff_m,
    join_tolerance_m: float = DEFAULTS.join_tolerance_m,
    capacity_defaults: dict[str, Any] | None = None,
    network: RoadNetwork | None = None,
    household_snap: Snapped | None = None,
    household_grid: np.ndarray | None = None,
    staff_snap: Snapped | None = None,
    feedback: Feedback | None = None,
) -> AllocationResult:
    """Assign household points to staff of ``role`` on plain frames.

    Parameters
    ----------
    households, staff, roads
        The layers (one metric CRS).
    grids
        Needed with ``within_grid``: a household may only go to staff whose
        ``grid_id`` (one or several, ``;``-separated) names its grid.
    role
        Staff role to assign to.
    k
        Candidate staff per household point to start with (widened where needed).
    pin_rounds
        Re-solves with the points the flow split pinned whole (0 = none).
    time_limit_s
        Time limit of the exact whole-point solve (run only when the repaired
        flow is not already proven optimal); when reached, the proven gap is
        reported.
    walk_cutoff_m, snap_cutoff_m, join_tolerance_m
        Longest walk considered; farthest a point may be from a road; road-end
        joining tolerance of the graph.
    capacity_defaults
        Capacity by role for staff rows without one.
    network, household_snap, household_grid
        The network, the households snapped to it and each household's grid
        position, when already known (an :class:`~gridplanner.context.AnalysisContext`
        keeps them); else computed here.
    staff_snap
        The staff of ``role`` (in layer order) snapped to ``network``, when already
        known (:meth:`~gridplanner.context.AnalysisContext.staff_snapped`).
    feedback
        Progress and cancellation.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, Point
    >>> roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (100, 0)])], crs=3857)
    >>> hh = gpd.GeoDataFrame({"household_id": ["a", "b"], "households": [1, 1]},
    ...                       geometry=[Point(10, 5), Point(90, 5)], crs=3857)
    >>> st = gpd.GeoDataFrame({"staff_id": ["w1", "w2"], "role": "full_time",
    ...                        "capacity": [1, 1], "grid_id": ""},
    ...                       geometry=[Point(0, 0), Point(100, 0)], crs=3857)
    >>> r = allocate_layers(hh, st, roads)
    >>> r.assignments[["household_id", "staff_id", "distance_m"]].values.tolist()
    [['a', 'w1', 15.0], ['b', 'w2', 15.0]]
    """
    check_values(walk_cutoff_m=walk_cutoff_m, snap_cutoff_m=snap_cutoff_m,
                 join_tolerance_m=join_tolerance_m)
    members = _role_members(households, staff, grids, role=role, within_grid=within_grid)
    opts = _Options(role=role, within_grid=within_grid, k=max(1, min(int(k), len(members))),
                    pin_rounds=pin_rounds, walk_cutoff_m=walk_cutoff_m,
                    snap_cutoff_m=snap_cutoff_m, time_limit_s=float(time_limit_s))
    defaults = dict(CAPACITY_DEFAULTS)
    defaults.update(capacity_defaults or {})
    report(feedback, 0.0, gettext("road network"))
    net = network if network is not None else build_network(
        roads, join_tolerance_m=join_tolerance_m, feedback=sub(feedback, 0.0, 0.25))
    if net.n_edges == 0:
        raise AnalysisError(gettext("layer roads has no walkable road: the walking network "
                                    "is empty"))

    report(feedback, 0.25, gettext("snapping to roads"))
    hh_snap = household_snap if household_snap is not None else snap_points(
        net, households.geometry.values, cutoff_m=snap_cutoff_m)
    _require_on_network(hh_snap, len(households), gettext("household points"), opts)
    grid_ids, hh_grid = _grid_positions(households, grids, household_grid, opts)
    team = _staff_on_network(members, net, grid_ids, defaults=defaults, opts=opts,
                             snapped=staff_snap)
    _require_on_network_staff(team, opts)
    demand = _demand(households, net, hh_snap, team, grid_ids, hh_grid, opts)

    report(feedback, 0.3, gettext("network distances"))
    cands = _candidates(team, demand, opts, feedback=feedback)

    report(feedback, 0.7, gettext("solving the assignment"))
    flow = _solve(team, demand, cands, opts)

    report(feedback, 0.85, gettext("whole points"))
    done = _exact_whole(team, demand, flow, _whole_points(team, demand, flow, opts), opts)

    result = _result(households, team, demand, flow, done, opts)
    report(feedback, 1.0, gettext("assignment done"))
    return result


# ----------------------------------------------------------------------------- steps

#: Catalogue text of the hint that ends both "none ... lies near a road" errors.
_FAR_HINT = ("check that they and the roads are in the same coordinate system (data in "
             "the wrong Gauss-Kruger zone or in GCJ-02 read as WGS84 lies hundreds of "
             "metres to kilometres away), or raise the setting snap_cutoff_m")


def _require_on_network(snapped: Snapped, n: int, what: str, opts: _Options) -> None:
    """Refuse to allocate when no point of a layer reaches the roads."""
    if n and not snapped.on_network.any():
        raise AnalysisError(gettext("none of the {n:,} {what} lies within {m:g} m of a "
                                    "walkable road: {hint}", n=n, what=what,
                                    m=opts.snap_cutoff_m, hint=gettext(_FAR_HINT)))


def _require_on_network_staff(team: _Staff, opts: _Options) -> None:
    if len(team.members) and not (team.network.source_node >= 0).any():
        raise AnalysisError(gettext("none of the {n:,} {role} staff bases lies within {m:g} m "
                                    "of a walkable road: {hint}", n=len(team.members),
                                    role=opts.role, m=opts.snap_cutoff_m,
                                    hint=gettext(_FAR_HINT)))


@dataclass(frozen=True)
class _Options:
    """The settings of one run (``k`` already clipped to the number of staff)."""

    role: str
    within_grid: bool
    k: int
    pin_rounds: int
    walk_cutoff_m: float
    snap_cutoff_m: float
    time_limit_s: float = DEFAULTS.whole_points_time_limit_s


@dataclass(frozen=True)
class _Staff:
    """The staff of the role, and the road graph split at their feet.

    Attributes
    ----------
    members
        Their rows of the staff layer.
    ids, capacity
        ``staff_id`` and households each may take, per member.
    network
        The road graph split at the members' feet, a node per member.
    grids
        Member x grid membership in within-grid mode, else None.
    problems
        Members left out (their base is too far from any road).
    """

    members: gpd.GeoDataFrame
    ids: np.ndarray
    capacity: np.ndarray
    network: Augmented
    grids: sparse.csr_matrix | None
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class _Demand:
    """Household points and the demand nodes they are reached through.

    A demand node is a node of the split graph, one per grid in within-grid mode
    (a node on a grid boundary serves households of either grid).

    Attributes
    ----------
    weight
        Households per point.
    on_network, usable
        Points snapped onto a road; of those, the ones the flow may place (in a
        grid, in within-grid mode).
    grid, grid_ids
        Position of each point's grid (``-1`` = none, or not within-grid mode),
        and the grids' ``grid_id``.
    attachment
        Where each point joins the split graph.
    node, node_grid
        Graph node and grid position (``-1`` = any) of each demand node.
    lo, hi
        Demand node (row) of each point's two graph nodes, ``-1`` when unusable.
    """

    weight: np.ndarray
    on_network: np.ndarray
    usable: np.ndarray
    grid: np.ndarray
    grid_ids: np.ndarray
    attachment: Attachment
    node: np.ndarray
    node_grid: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    @property
    def flow_weight(self) -> np.ndarray:
        """Households per point the flow places (0 for unusable points)."""
        return np.where(self.usable, self.weight, 0)


@dataclass(frozen=True)
class _Candidates:
    """Nearest staff of each household point (positions among members), nearest first.

    One list per point, of its own length (the lists widen only where the flow
    presses against them), kept flat: point ``p``'s list is
    ``index[ptr[p]:ptr[p + 1]]`` with distances ``dist[ptr[p]:ptr[p + 1]]``.

    Attributes
    ----------
    ptr, index, dist
        The lists, flat.
    width
        Per point, how many nearest staff its list was searched for: a list
        shorter than that holds every staff member within the radius searched.
    searched_m
        Radius up to which each demand node's list is exact: a node short of
        its width there may have more farther out.
    """

    ptr: np.ndarray
    index: np.ndarray
    dist: np.ndarray
    width: np.ndarray
    searched_m: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        """Candidates of each point."""
        return np.diff(self.ptr)

    def first(self, take: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (point, flat position) of the first ``take[p]`` candidates of each point."""
        take = np.minimum(take, self.lengths)
        point = np.repeat(np.arange(len(take)), take)
        starts = np.cumsum(take) - take
        rank = np.arange(len(point)) - np.repeat(starts, take)
        return point, self.ptr[point] + rank

    @staticmethod
    def from_table(index: np.ndarray, dist: np.ndarray, width: np.ndarray,
                   searched_m: np.ndarray) -> _Candidates:
        """Flatten ``(points, k)`` tables (``-1`` = none, found entries first)."""
        found = index >= 0
        ptr = np.zeros(len(index) + 1, dtype=np.int64)
        np.cumsum(found.sum(axis=1), out=ptr[1:])
        return _Candidates(ptr=ptr, index=index[found], dist=dist[found], width=width,
                           searched_m=searched_m)

    def replaced(self, rows: np.ndarray, index: np.ndarray, dist: np.ndarray,
                 width: int, searched_m: np.ndarray) -> _Candidates:
        """Return the lists with the points ``rows`` given new ``(rows, k)`` tables."""
        n = len(self.ptr) - 1
        new = np.zeros(n, dtype=bool)
        new[rows] = True
        lengths = self.lengths
        found = index >= 0
        count = lengths.copy()
        count[rows] = found.sum(axis=1)
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(count, out=ptr[1:])
        out_i = np.empty(int(ptr[-1]), dtype=np.int64)
        out_d = np.empty(int(ptr[-1]))
        # Kept lists move by how much the lists before them grew.
        owner = np.repeat(np.arange(n), lengths)
        kept = np.flatnonzero(~new[owner])
        at = kept + (ptr[:-1] - self.ptr[:-1])[owner[kept]]
        out_i[at], out_d[at] = self.index[kept], self.dist[kept]
        r, c = np.nonzero(found)
        at = ptr[rows[r]] + c
        out_i[at], out_d[at] = index[r, c], dist[r, c]
        w = self.width.copy()
        w[rows] = width
        return _Candidates(ptr=ptr, index=out_i, dist=out_d, width=w, searched_m=searched_m)


@dataclass(frozen=True)
class _Flow:
    """The min-cost flow over the candidate arcs, once the lists stopped widening.

    Attributes
    ----------
    candidates
        The candidate tables as last widened.
    k_point
        Candidates of each point the flow may use.
    arc_point, arc_pos
        The arcs of the last solve: point and flat position in ``candidates``.
    solution
        The last solve.
    unassigned_cost_m
        Cost of leaving one household unassigned.
    k_used
        Most candidates any point was given.
    """

    candidates: _Candidates
    k_point: np.ndarray
    arc_point: np.ndarray
    arc_pos: np.ndarray
    solution: FlowSolution
    unassigned_cost_m: float
    k_used: int

    @property
    def arc_staff(self) -> np.ndarray:
        """Staff member (position among the members) of each arc of the last solve."""
        return self.candidates.index[self.arc_pos]

    @property
    def arc_cost_m(self) -> np.ndarray:
        """Walking distance of each arc of the last solve."""
        return self.candidates.dist[self.arc_pos]


@dataclass(frozen=True)
class _Assignment:
    """Every household point given whole to one member, or to nobody.

    Attributes
    ----------
    staff, dist_m
        Member position (``-1`` = unassigned) and walking distance of each point.
    lower_bound_m
        The flow optimum (it may split points): a lower bound.
    flow_unassigned
        Households the flow left unassigned.
    split_points
        Points the flow split between staff.
    solution
        The last flow solved (after pinning split points whole).
    """

    staff: np.ndarray
    dist_m: np.ndarray
    lower_bound_m: float
    flow_unassigned: int
    split_points: int
    solution: FlowSolution
    optimal: bool = True
    bound_m: float = 0.0
    seconds: float = 0.0
    most_households: int = 0


#: Most rounds of widening the candidate lists and solving again.
_WIDEN_ROUNDS = 12


def _role_members(
    households: gpd.GeoDataFrame, staff: gpd.GeoDataFrame, grids: gpd.GeoDataFrame | None,
    *, role: str, within_grid: bool,
) -> gpd.GeoDataFrame:
    """Check the inputs and return the staff rows of ``role``."""
    if role not in ROLES:
        raise AnalysisError(gettext("unknown staff role {role!r}: use one of {roles}",
                                    role=role, roles=", ".join(ROLES)))
    for name, frame in (("households", households), ("staff", staff)):
        if frame.geometry is None:
            raise AnalysisError(gettext("layer {name} has no geometry", name=name))
    if "staff_id" not in staff.columns or "household_id" not in households.columns:
        raise AnalysisError(gettext("layers households and staff need household_id and "
                                    "staff_id columns: import them through the project "
                                    "first"))
    role_col = staff["role"].astype(str) if "role" in staff.columns else pd.Series(
        "full_time", index=staff.index)
    members = staff.loc[(role_col == role).to_numpy()]
    if len(members) == 0:
        raise AnalysisError(gettext("layer staff has no {role} members to assign households "
                                    "to: add them or choose another --role", role=role))
    if within_grid and (grids is None or len(grids) == 0):
        raise AnalysisError(gettext("within-grid assignment needs a grids layer"))
    return members


def _grid_positions(
    households: gpd.GeoDataFrame, grids: gpd.GeoDataFrame | None,
    household_grid: np.ndarray | None, opts: _Options,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the grids' ids and each household's grid position (-1 outside every grid).

    Outside within-grid mode no grid counts: no ids, every position -1.
    """
    if not opts.within_grid or grids is None:
        return np.array([], dtype=object), np.full(len(households), -1, dtype=np.int64)
    grid_ids = grids["grid_id"].astype(str).to_numpy()
    hh_grid = household_grid if household_grid is not None else grid_index(
        np.asarray(grids.geometry.values, dtype=object),
        np.asarray(households.geometry.values, dtype=object))
    return grid_ids, hh_grid


def _staff_on_network(
    members: gpd.GeoDataFrame, net: RoadNetwork, grid_ids: np.ndarray, *,
    defaults: dict[str, Any], opts: _Options, snapped: Snapped | None = None,
) -> _Staff:
    """Snap the members onto the roads (unless ``snapped``) and split the graph at their feet."""
    snapped = snapped_or_given(net, members.geometry.values, snapped,
                               cutoff_m=opts.snap_cutoff_m, what="staff_snap")
    ids = members["staff_id"].astype(str).to_numpy()
    problems = tuple(
        Problem(f"staff base is farther than {opts.snap_cutoff_m:g} m from any walkable "
                "road; left out", layer="staff", feature_id=ids[i], column="geometry",
                severity="warning")
        for i in np.flatnonzero(~snapped.on_network))
    return _Staff(members=members, ids=ids, capacity=staff_capacity(members, defaults),
                  network=augment(net, snapped),
                  grids=_staff_grid_matrix(members, grid_ids) if opts.within_grid else None,
                  problems=problems)


def _demand(
    households: gpd.GeoDataFrame, net: RoadNetwork, hh_snap: Snapped, team: _Staff,
    grid_ids: np.ndarray, hh_grid: np.ndarray, opts: _Options,
) -> _Demand:
    """Attach the household points to the split graph and list their demand nodes."""
    att = attach(net, team.network, hh_snap)
    usable = (att.lo_node >= 0) & ((hh_grid >= 0) | (not opts.within_grid))
    if opts.within_grid and len(households) and not usable.any():
        raise AnalysisError(gettext("no household near a walkable road lies inside a grid: "
                                    "the households and the grids layer do not overlap; "
                                    "check both layers' coordinates, or assign without "
                                    "--within-grid"))
    key_lo = np.where(usable, att.lo_node, -1)
    key_hi = np.where(usable, att.hi_node, -1)
    # Unique (node, grid) pairs, sorted: through one int64 key (np.unique with
    # axis=0 sorts structured rows, several times slower).
    width = np.int64(max(int(hh_grid.max(initial=0)), 0) + 2)
    flat = np.unique(np.concatenate([key_lo[usable], key_hi[usable]]) * width
                     + np.tile(hh_grid[usable] + 1, 2))
    keys = np.stack([flat // width, flat % width - 1], axis=1)
    return _Demand(
        weight=household_weights(households), on_network=hh_snap.on_network, usable=usable,
        grid=hh_grid, grid_ids=grid_ids, attachment=att, node=keys[:, 0],
        node_grid=keys[:, 1], lo=_key_index(keys, key_lo, hh_grid, usable),
        hi=_key_index(keys, key_hi, hh_grid, usable))


def _candidates(team: _Staff, demand: _Demand, opts: _Options, *,
                feedback: Feedback | None) -> _Candidates:
    """Find the first ``k`` candidates of each demand node and point.

    A node stops searching once it has half of them: its list is exact up to
    the radius searched, and widened only where the flow presses against it.
    """
    searched = np.full(len(demand.node), opts.walk_cutoff_m)
    node_i, node_d = _table(team, demand, np.arange(len(demand.node)), k=opts.k,
                            cutoff_m=opts.walk_cutoff_m, min_k=max(2, opts.k // 2),
                            searched_m=searched, feedback=sub(feedback, 0.3, 0.65))
    report(feedback, 0.65, gettext("candidate staff"))
    pt_i, pt_d = point_table(demand.attachment, demand.lo, demand.hi, node_i, node_d,
                             k=opts.k)
    width = np.full(len(demand.lo), opts.k, dtype=np.int64)
    return _Candidates.from_table(pt_i, pt_d, width, searched)


def _widen(team: _Staff, demand: _Demand, cands: _Candidates, full: np.ndarray,
           opts: _Options) -> _Candidates:
    """Double the lists of the points ``full``, searching the whole cutoff for them.

    Only those points' demand nodes are searched again; every other list stays.
    """
    n_staff = len(team.ids)
    searched = cands.searched_m.copy()
    for width in np.unique(cands.width[full]).tolist():
        rows = np.flatnonzero(full & (cands.width == width))
        k_new = min(n_staff, 2 * int(width))
        nodes = np.unique(np.concatenate([demand.lo[rows], demand.hi[rows]]))
        # Twice as many staff lie some 1.5 times as far (on a plane): start there.
        last = cands.dist[np.maximum(cands.ptr[rows + 1] - 1, 0)]
        reach = float(np.max(np.where(cands.lengths[rows] > 0, last, 0.0), initial=0.0))
        sub_i, sub_d = _table(team, demand, nodes, k=k_new, cutoff_m=opts.walk_cutoff_m,
                              feedback=None, first_radius_m=1.5 * reach + 1.0)
        searched[nodes] = opts.walk_cutoff_m
        # Rows of the points' nodes among ``nodes``.
        lo = np.searchsorted(nodes, demand.lo[rows])
        hi = np.searchsorted(nodes, demand.hi[rows])
        att = demand.attachment
        part = Attachment(att.lo_node[rows], att.hi_node[rows], att.lo_m[rows], att.hi_m[rows])
        pt_i, pt_d = point_table(part, lo, hi, sub_i, sub_d, k=k_new)
        cands = cands.replaced(rows, pt_i, pt_d, k_new, searched)
    return cands


def _solve(team: _Staff, demand: _Demand, cands: _Candidates, opts: _Options) -> _Flow:
    """Solve the flow, widening the candidate lists where it presses against them.

    A point is pressed when it is left (partly) unassigned or sends households
    to its last candidate. Its list then doubles, within what was found, or is
    searched again twice as wide when the point uses all of it while more
    staff may lie beyond.
    """
    n_staff = len(team.ids)
    k_pt = np.full(len(demand.weight), opts.k, dtype=np.int64)
    max_cost = float(np.max(cands.dist[np.isfinite(cands.dist)], initial=0.0))
    # Above any single assignment, and above a chain of several reassignments.
    unassigned_cost = 10.0 * max(max_cost, opts.walk_cutoff_m) + 1.0
    w_use = demand.flow_weight
    lo_ok, hi_ok = np.maximum(demand.lo, 0), np.maximum(demand.hi, 0)
    for _ in range(_WIDEN_ROUNDS):
        arc_point, arc_pos = cands.first(k_pt)
        sol = solve_flow(w_use, arc_point, cands.index[arc_pos], cands.dist[arc_pos],
                         team.capacity, unassigned_cost_m=unassigned_cost)
        flow = np.zeros(len(arc_point), dtype=np.int64)
        flow[sol.arc_index] = sol.arc_flow
        rank = arc_pos - cands.ptr[arc_point]
        at_last = np.zeros(len(k_pt), dtype=bool)
        at_last[arc_point[(rank == k_pt[arc_point] - 1) & (flow > 0)]] = True
        pressed = at_last | (sol.unassigned_by_node > 0)
        n_found = cands.lengths
        more = k_pt < n_found
        # Pressed against the whole list while more may lie beyond it: search
        # again, wider (more staff, or the full cutoff where the search stopped short).
        short = (cands.searched_m[lo_ok] < opts.walk_cutoff_m) | (
            cands.searched_m[hi_ok] < opts.walk_cutoff_m)
        full = pressed & ~more & (((n_found >= cands.width) & (cands.width < n_staff)) | short)
        widen = pressed & more
        _log.debug("flow over %d arcs: %d points pressed, %d widened in their lists, "
                   "%d searched again", len(arc_point), int(pressed.sum()), int(widen.sum()),
                   int(full.sum()))
        if not (full.any() or widen.any()):
            break
        if full.any():
            t0 = time.perf_counter()
            cands = _widen(team, demand, cands, full, opts)
            _log.debug("searched again in %.1f s", time.perf_counter() - t0)
            k_pt = np.where(full, cands.width, k_pt)
        k_pt = np.where(widen, np.minimum(k_pt * 2, cands.lengths), k_pt)
    return _Flow(candidates=cands, k_point=k_pt, arc_point=arc_point, arc_pos=arc_pos,
                 solution=sol, unassigned_cost_m=unassigned_cost,
                 k_used=int(k_pt.max(initial=opts.k)))


def _whole_points(team: _Staff, demand: _Demand, flow: _Flow, opts: _Options) -> _Assignment:
    """Give every point the flow split to one member, whole, within capacity.

    The flow optimum is the lower bound. Points it splits are pinned, whole, to
    the member taking most of them (with room), and the rest re-solved around
    them; what is still split after that is placed by ``resolve_splits``.
    """
    sol = flow.solution
    n_points = len(demand.weight)
    split_points = int((np.bincount(sol.part_point, minlength=n_points) > 1).sum())
    pinned = np.full(n_points, -1, dtype=np.int64)
    pinned_d = np.full(n_points, np.inf)
    cap_left = team.capacity.copy()
    w_active = demand.flow_weight
    cands = flow.candidates
    for _ in range(opts.pin_rounds):
        counts = np.bincount(sol.part_point, minlength=n_points)
        split = np.flatnonzero(counts > 1)
        if len(split) == 0:
            break
        changed = _pin(sol, split, w_active, cap_left, pinned, pinned_d)
        if not changed:
            break
        sol = solve_flow(w_active, flow.arc_point, flow.arc_staff, flow.arc_cost_m, cap_left,
                         unassigned_cost_m=flow.unassigned_cost_m)
    split_cands = _split_candidates(sol, cands, flow.k_point)
    staff_of, dist = resolve_splits(sol, w_active, cap_left, split_cands,
                                    alt_staff=cands.index, alt_cost_m=cands.dist,
                                    alt_ptr=cands.ptr)
    is_pinned = pinned >= 0
    staff_of[is_pinned] = pinned[is_pinned]
    dist[is_pinned] = pinned_d[is_pinned]
    return _Assignment(staff=staff_of, dist_m=dist, lower_bound_m=flow.solution.optimum_m,
                       flow_unassigned=flow.solution.unassigned, split_points=split_points,
                       solution=sol)


def _exact_whole(team: _Staff, demand: _Demand, flow: _Flow, done: _Assignment,
                 opts: _Options) -> _Assignment:
    """Make the whole-point answer exact where the repaired flow may not be.

    The repair is optimal when it assigns as many households as the flow and
    walks no more; else :func:`~gridplanner.allocation.whole.solve_whole`,
    started from the repair, decides over the same candidate arcs.
    """
    from gridplanner.allocation.whole import solve_whole

    w = demand.flow_weight
    ok = done.staff >= 0
    most = int(w.sum()) - int(done.flow_unassigned)
    walking = float((w[ok] * done.dist_m[ok]).sum())
    if int(w[ok].sum()) >= most and walking <= done.lower_bound_m * (1 + 1e-9) + 1e-6:
        return replace(done, bound_m=done.lower_bound_m, most_households=most)
    # The repair may have used a candidate beyond a point's list: add its arc.
    at = np.flatnonzero(ok)
    arc_point = np.concatenate([flow.arc_point, at])
    arc_staff = np.concatenate([flow.arc_staff, done.staff[at]])
    arc_cost = np.concatenate([flow.arc_cost_m, done.dist_m[at]])
    start = np.full(len(w), -1, dtype=np.int64)
    start[at] = len(flow.arc_point) + np.arange(len(at))
    sol = solve_whole(w, arc_point, arc_staff, arc_cost, team.capacity, start_arc=start,
                      time_limit_s=opts.time_limit_s)
    got = sol.arc >= 0
    staff_of = np.full(len(w), -1, dtype=np.int64)
    dist = np.full(len(w), np.inf)
    staff_of[got] = arc_staff[sol.arc[got]]
    dist[got] = arc_cost[sol.arc[got]]
    return replace(done, staff=staff_of, dist_m=dist, optimal=sol.optimal,
                   bound_m=sol.bound_m, seconds=sol.seconds,
                   most_households=sol.most_households)


def _no_location(points: np.ndarray) -> np.ndarray:
    """Tell which rows' geometry is missing, empty, not a point or not finite."""
    pts = np.asarray(points, dtype=object)
    bad = shapely.is_missing(pts) | shapely.is_empty(pts)
    bad[~bad] = shapely.get_type_id(pts[~bad]) != 0
    bad[~bad] = ~np.isfinite(shapely.get_coordinates(pts[~bad])).all(axis=1)
    return np.asarray(bad)


def _staff_grid_matrix(members: gpd.GeoDataFrame, grid_ids: np.ndarray) -> sparse.csr_matrix:
    """Staff x grid membership from each row's ``grid_id`` list."""
    pos = {g: i for i, g in enumerate(grid_ids.tolist())}
    rows, cols = [], []
    values = members["grid_id"] if "grid_id" in members.columns else pd.Series(
        [""] * len(members))
    # One entry per staff member: the roster is small.
    for r, value in enumerate(values.tolist()):
        for g in staff_grid_ids(pd.Series([value])):
            if g in pos:
                rows.append(r)
                cols.append(pos[g])
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                             shape=(len(members), max(len(grid_ids), 1)))


def _key_index(keys: np.ndarray, node: np.ndarray, grid: np.ndarray,
               usable: np.ndarray) -> np.ndarray:
    out = np.full(len(node), -1, dtype=np.int64)
    if len(keys) == 0:
        return out
    width = np.int64(max(int(grid.max(initial=0)), 0) + 2)
    flat_keys = keys[:, 0] * width + (keys[:, 1] + 1)
    flat = node[usable] * width + (grid[usable] + 1)
    out[usable] = np.searchsorted(flat_keys, flat)
    return out


def _table(
    team: _Staff,
    demand: _Demand,
    rows: np.ndarray,
    *,
    k: int,
    cutoff_m: float,
    feedback: Feedback | None,
    min_k: int | None = None,
    searched_m: np.ndarray | None = None,
    first_radius_m: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """K nearest staff (positions among the members) of the demand nodes ``rows``.

    In within-grid mode only staff of a node's own grid count.
    """
    src_nodes = team.network.source_node
    ok = np.flatnonzero(src_nodes >= 0)
    mask = None
    if team.grids is not None:
        member_grids = team.grids
        grid_cols = np.maximum(demand.node_grid[rows], 0)

        def mask(chunk: np.ndarray) -> np.ndarray:
            return np.asarray(member_grids[ok[chunk]][:, grid_cols].toarray() > 0)

    idx, dist = k_nearest_sources(team.network.matrix, src_nodes[ok], demand.node[rows], k=k,
                                  cutoff_m=cutoff_m, node_xy=team.network.node_xy,
                                  feedback=feedback, min_k=min_k, searched_m=searched_m,
                                  mask=mask, first_radius_m=first_radius_m)
    return np.where(idx >= 0, ok[np.maximum(idx, 0)], -1), dist


def _pin(
    sol: FlowSolution, split: np.ndarray, w_active: np.ndarray, cap_left: np.ndarray,
    pinned: np.ndarray, pinned_d: np.ndarray,
) -> bool:
    """Pin each split point to its largest-share staff member with room (in place)."""
    sel = np.isin(sol.part_point, split) & (sol.part_staff >= 0)
    pp, ps = sol.part_point[sel], sol.part_staff[sel]
    pa, pc = sol.part_amount[sel], sol.part_cost_m[sel]
    order = np.lexsort((-pa, pp))
    changed = False
    # Few points (about one per staff member): a plain loop is fine here.
    for p, s, c in zip(pp[order].tolist(), ps[order].tolist(), pc[order].tolist(),
                       strict=True):
        need = int(w_active[p])
        if need > 0 and cap_left[s] >= need:
            pinned[p], pinned_d[p] = s, c
            cap_left[s] -= need
            w_active[p] = 0
            changed = True
    return changed


def _split_candidates(
    sol: FlowSolution, cands: _Candidates, k_pt: np.ndarray,
) -> dict[int, list[tuple[int, float]]]:
    """Nearest-first candidates of the points the flow split (few of them)."""
    counts = np.bincount(sol.part_point, minlength=len(k_pt))
    split = np.flatnonzero(counts > 1)
    out: dict[int, list[tuple[int, float]]] = {}
    for p in split.tolist():
        a = int(cands.ptr[p])
        b = min(int(cands.ptr[p + 1]), a + int(k_pt[p]))
        out[p] = [(int(s), float(d)) for s, d in zip(cands.index[a:b].tolist(),
                                                     cands.dist[a:b].tolist(), strict=True)]
    return out


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    if len(values) == 0:
        return float("nan")
    order = np.argsort(values)
    cw = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cw, q * cw[-1])])


# ----------------------------------------------------------------------------- result


def _result(
    households: gpd.GeoDataFrame, team: _Staff, demand: _Demand, flow: _Flow,
    done: _Assignment, opts: _Options,
) -> AllocationResult:
    """Assemble the result frames and totals."""
    hid = households["household_id"].astype(str).to_numpy()
    weight = demand.weight
    ok = done.staff >= 0
    assignments = gpd.GeoDataFrame(
        {
            "household_id": hid[ok],
            "staff_id": team.ids[done.staff[ok]],
            "distance_m": np.round(done.dist_m[ok], 1),
            "households": weight[ok],
        },
        geometry=households.geometry.values[ok],
        crs=households.crs,
    )
    if opts.within_grid:
        assignments["grid_id"] = demand.grid_ids[demand.grid[ok]]
    reasons = _reasons(done, demand, flow.candidates.lengths, opts,
                       _no_location(households.geometry.values))
    un = ~ok
    unassigned = gpd.GeoDataFrame(
        {"household_id": hid[un], "reason": reasons[un], "households": weight[un]},
        geometry=households.geometry.values[un],
        crs=households.crs,
    )
    return AllocationResult(opts.role, opts.within_grid, assignments,
                            _staff_load(team, weight, done), unassigned,
                            _totals(demand, flow, done), team.problems)


def _staff_load(team: _Staff, weight: np.ndarray, done: _Assignment) -> gpd.GeoDataFrame:
    """One row per member: load, capacity used, mean and longest walk."""
    ok = done.staff >= 0
    assigned, dist = done.staff[ok], done.dist_m[ok]
    n_staff, capacity = len(team.ids), team.capacity
    load = np.bincount(assigned, weights=weight[ok], minlength=n_staff).astype(np.int64)
    wsum = np.bincount(assigned, weights=weight[ok] * dist, minlength=n_staff)
    dmax = np.zeros(n_staff)
    np.maximum.at(dmax, assigned, dist)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(load > 0, wsum / np.maximum(load, 1), np.nan)
        used = np.where(capacity > 0, 100.0 * load / np.maximum(capacity, 1), np.nan)
    return gpd.GeoDataFrame(
        {
            "staff_id": team.ids,
            "load": load,
            "capacity": capacity,
            "capacity_used_pct": np.round(used, 1),
            "mean_distance_m": np.round(mean, 1),
            "max_distance_m": np.where(load > 0, np.round(dmax, 1), np.nan),
        },
        geometry=team.members.geometry.values,
        crs=team.members.crs,
    )


def _totals(demand: _Demand, flow: _Flow, done: _Assignment) -> AllocationTotals:
    """Headline figures, and how far the whole-point answer lies above the flow bound."""
    weight = demand.weight
    ok = done.staff >= 0
    un = ~ok
    w_ok = weight[ok]
    d_ok = done.dist_m[ok]
    objective = float((w_ok * d_ok).sum())
    # Compare like with like: both sides charge the unassigned-household cost for
    # the households they leave out (the flow: only those it could not place).
    left_out = int(weight[un & demand.usable].sum())
    dropped = left_out - int(done.flow_unassigned)
    flow_total = done.lower_bound_m + done.flow_unassigned * flow.unassigned_cost_m
    final_total = objective + left_out * flow.unassigned_cost_m
    gap = 100.0 * (final_total - flow_total) / flow_total if flow_total > 0 else 0.0
    return AllocationTotals(
        objective_household_m=round(objective, 1),
        mean_distance_m=round(float(objective / w_ok.sum()), 1) if w_ok.sum() else float("nan"),
        p95_distance_m=round(_weighted_quantile(d_ok, w_ok, 0.95), 1),
        max_distance_m=round(float(d_ok.max(initial=0.0)), 1) if len(d_ok) else float("nan"),
        households_beyond_1km=int(w_ok[d_ok > 1000.0].sum()),
        assigned_households=int(w_ok.sum()),
        unassigned_households=int(weight[un].sum()),
        flow_optimum_household_m=round(done.lower_bound_m, 1),
        gap_pct=round(max(gap, 0.0), 4),
        split_points=done.split_points,
        unassigned_to_keep_points_whole=max(dropped, 0),
        k_used=flow.k_used,
        flow_assigned_households=int(weight[demand.usable].sum()) - int(done.flow_unassigned),
        flow_unassigned_households=int(weight.sum()) - int(weight[demand.usable].sum())
        + int(done.flow_unassigned),
        unassigned_cost_m=float(flow.unassigned_cost_m),
        total_with_unassigned_household_m=round(final_total, 1),
        flow_total_with_unassigned_household_m=round(flow_total, 1),
        whole_points_optimal=bool(done.optimal),
        whole_points_gap_pct=0.0 if done.optimal or objective <= 0 else round(
            max(100.0 * (objective - done.bound_m) / objective, 0.0), 4),
        whole_points_seconds=round(done.seconds, 2),
        whole_points_most_households=max(int(done.most_households), int(w_ok.sum())),
    )


def _reasons(done: _Assignment, demand: _Demand, n_cands: np.ndarray, opts: _Options,
             no_location: np.ndarray) -> np.ndarray:
    """Say why each unassigned point is (empty for assigned points)."""
    sol, usable, hh_grid = done.solution, demand.usable, demand.grid
    role, walk = opts.role, opts.walk_cutoff_m
    n = len(done.staff)
    reason = np.full(n, "", dtype=object)
    has_cand = usable & (n_cands > 0)
    flow_un = np.zeros(n, dtype=np.int64)
    np.add.at(flow_un, sol.part_point[sol.part_staff < 0], sol.part_amount[sol.part_staff < 0])
    un = done.staff < 0
    role_name = pgettext("role", role)
    reason[un] = gettext("no capacity left among {role} staff within {m:g} m", role=role_name,
                         m=walk)
    # Only when whole points cost households: as many as the flow's, and the
    # households left out are those no capacity is left for.
    dropped = int(demand.weight[un & usable].sum()) > int(done.flow_unassigned)
    split = un & usable & has_cand & (flow_un < demand.weight) & dropped
    reason[split] = gettext("no single staff member within reach has room for all "
                            "households of this point")
    reason[un & usable & ~has_cand] = gettext("unreachable: no {role} staff within {m:g} m on "
                                              "the road network", role=role_name, m=walk)
    if opts.within_grid:
        no_grid = un & demand.on_network & (hh_grid < 0)
        reason[no_grid] = gettext("outside every grid")
        in_grid = un & usable & ~has_cand
        reason[in_grid] = [gettext("no {role} staff of grid {grid} within {m:g} m on the road "
                                   "network", role=role_name, grid=demand.grid_ids[g], m=walk)
                           for g in hh_grid[in_grid]]
    reason[un & ~demand.on_network] = gettext(
        "off the road network: farther than {m:g} m from any walkable road",
        m=opts.snap_cutoff_m)
    reason[un & no_location] = gettext("no location: the point is empty or not a valid point")
    return reason
