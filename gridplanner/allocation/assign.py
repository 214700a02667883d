"""Optimal capacitated assignment of households to staff on the walking network.

Public API
----------
- :func:`allocate` runs the assignment on a :class:`~gridplanner.project.Project`
  (settings from ``project.config``) and returns an :class:`AllocationResult`.
- :func:`allocate_layers` does the same on plain frames.
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

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from gridplanner.allocation.flow import resolve_splits, solve_flow
from gridplanner.errors import AnalysisError
from gridplanner.feedback import Feedback, report, sub
from gridplanner.integrity import staff_grid_ids
from gridplanner.network.distance import k_nearest_sources, point_table
from gridplanner.network.graph import RoadNetwork, network_of
from gridplanner.network.snap import attach, augment, snap_points
from gridplanner.project import Project
from gridplanner.runtime import gc_paused
from layers.errors import Problem
from layers.schema import CAPACITY_DEFAULTS

ROLES = ("grid_head", "full_time", "police", "part_time")


@dataclass(frozen=True)
class AllocationTotals:
    """Headline figures of an allocation (distances household-weighted).

    ``flow_optimum_household_m`` is the min-cost-flow optimum, which may split a
    household point between staff: a lower bound. ``gap_pct`` is how far the
    final whole-point answer lies above it, both charged the same cost per
    unassigned household; ``unassigned_to_keep_points_whole`` counts households
    the flow placed but no single staff member had room for as a whole point.
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

    def as_dict(self) -> dict[str, float | int]:
        """Return the figures as a plain dict."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class AllocationResult:
    """Result of :func:`allocate`."""

    role: str
    within_grid: bool
    assignments: gpd.GeoDataFrame
    staff_load: gpd.GeoDataFrame
    unassigned: gpd.GeoDataFrame
    totals: AllocationTotals
    problems: tuple[Problem, ...] = field(default=())


@gc_paused()
def allocate(
    project: Project,
    *,
    role: str = "full_time",
    within_grid: bool = False,
    k: int = 8,
    feedback: Feedback | None = None,
) -> AllocationResult:
    """Assign every household point to a staff member of ``role``, optimally.

    Uses the project's ``walk_cutoff_m``, ``snap_cutoff_m``, ``join_tolerance_m``
    and ``capacity_defaults`` settings. The road graph is cached on the roads'
    content, so repeated calls reuse it.

    Examples
    --------
    >>> from gridplanner.sample import sample_project  # doctest: +SKIP
    >>> result = allocate(sample_project(), role="full_time")  # doctest: +SKIP
    >>> result.totals.mean_distance_m  # doctest: +SKIP
    412.3
    """
    cfg = project.config
    return allocate_layers(
        project.layer("households"),
        project.layer("staff"),
        project.layer("roads"),
        grids=project.layer("grids") if within_grid else None,
        role=role,
        within_grid=within_grid,
        k=k,
        walk_cutoff_m=float(cfg["walk_cutoff_m"]),
        snap_cutoff_m=float(cfg["snap_cutoff_m"]),
        join_tolerance_m=float(cfg["join_tolerance_m"]),
        capacity_defaults=cfg.get("capacity_defaults", CAPACITY_DEFAULTS),
        feedback=feedback,
    )


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
    walk_cutoff_m: float = 3000.0,
    snap_cutoff_m: float = 300.0,
    join_tolerance_m: float = 3.0,
    capacity_defaults: dict[str, Any] | None = None,
    network: RoadNetwork | None = None,
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
    walk_cutoff_m, snap_cutoff_m, join_tolerance_m
        Longest walk considered; farthest a point may be from a road; road-end
        joining tolerance of the graph.
    capacity_defaults
        Capacity by role for staff rows without one.
    network
        A prebuilt network (else built from ``roads``, cached).
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
    if role not in ROLES:
        raise AnalysisError(f"unknown staff role {role!r}: use one of {', '.join(ROLES)}")
    defaults = dict(CAPACITY_DEFAULTS)
    defaults.update(capacity_defaults or {})
    problems: list[Problem] = []
    for name, frame in (("households", households), ("staff", staff)):
        if frame.geometry is None:
            raise AnalysisError(f"layer {name} has no geometry")
    if "staff_id" not in staff.columns or "household_id" not in households.columns:
        raise AnalysisError("layers households and staff need household_id and staff_id "
                            "columns: import them through the project first")
    role_col = staff["role"].astype(str) if "role" in staff.columns else pd.Series(
        "full_time", index=staff.index)
    members = staff.loc[(role_col == role).to_numpy()]
    if len(members) == 0:
        raise AnalysisError(f"layer staff has no {role} members to assign households to: "
                            "add them or choose another --role")
    if within_grid and (grids is None or len(grids) == 0):
        raise AnalysisError("within-grid assignment needs a grids layer")
    report(feedback, 0.0, "road network")
    net = network if network is not None else network_of(
        roads, join_tolerance_m=join_tolerance_m, feedback=sub(feedback, 0.0, 0.25))
    if net.n_edges == 0:
        raise AnalysisError("layer roads has no walkable road: the walking network is empty")

    report(feedback, 0.25, "snapping to roads")
    weight = _household_weights(households, problems)
    hh_snap = snap_points(net, households.geometry.values, cutoff_m=snap_cutoff_m)
    st_snap = snap_points(net, members.geometry.values, cutoff_m=snap_cutoff_m)
    capacity = staff_capacity(members, defaults)
    staff_ids = members["staff_id"].astype(str).to_numpy()
    for i in np.flatnonzero(~st_snap.on_network):
        problems.append(Problem(f"staff base is farther than {snap_cutoff_m:g} m from any "
                                "walkable road; left out", layer="staff",
                                feature_id=staff_ids[i], column="geometry", severity="warning"))
    _check_snapped(hh_snap, st_snap, role=role, snap_cutoff_m=snap_cutoff_m)
    aug = augment(net, st_snap)
    att = attach(net, aug, hh_snap)
    src_nodes = aug.source_node

    # Demand nodes: graph nodes, one per grid in within-grid mode.
    hh_grid = np.full(len(households), -1, dtype=np.int64)
    staff_grid: sparse.csr_matrix | None = None
    grid_ids: np.ndarray = np.array([], dtype=object)
    if within_grid:
        assert grids is not None
        grid_ids = grids["grid_id"].astype(str).to_numpy()
        hh_grid = _containing(households.geometry.values, grids.geometry.values)
        staff_grid = _staff_grid_matrix(members, grid_ids)
    on = att.lo_node >= 0
    usable = on & ((hh_grid >= 0) | (not within_grid))
    if within_grid and len(households) and not usable.any():
        raise AnalysisError("no household near a walkable road lies inside a grid: the "
                            "households and the grids layer do not overlap; check both "
                            "layers' coordinates, or assign without --within-grid")
    key_lo = np.where(usable, att.lo_node, -1)
    key_hi = np.where(usable, att.hi_node, -1)
    # Unique (node, grid) pairs, sorted: through one int64 key (np.unique with
    # axis=0 sorts structured rows, several times slower).
    width = np.int64(max(int(hh_grid.max(initial=0)), 0) + 2)
    flat = np.unique(np.concatenate([key_lo[usable], key_hi[usable]]) * width
                     + np.tile(hh_grid[usable] + 1, 2))
    dem_keys = np.stack([flat // width, flat % width - 1], axis=1)
    dem_node, dem_grid = dem_keys[:, 0], dem_keys[:, 1]
    lo_dem = _key_index(dem_keys, key_lo, hh_grid, usable)
    hi_dem = _key_index(dem_keys, key_hi, hh_grid, usable)

    report(feedback, 0.3, "network distances")
    n_staff = len(members)
    k0 = max(1, min(int(k), n_staff))
    k_table = k0  # widened below, only where the flow presses against it
    sg = staff_grid

    def mask_for(cols: np.ndarray) -> Any:
        """Return the own-grid mask of staff x demand-node pairs, or None."""
        if not within_grid or sg is None:
            return None
        grid_cols = np.maximum(dem_grid[cols], 0)
        return lambda chunk: np.asarray(sg[chunk][:, grid_cols].toarray() > 0)

    all_nodes = np.arange(len(dem_node))
    # Lists are exact up to ``searched``: a node short of k staff there may have
    # more farther out, fetched only if the flow presses against its list.
    searched = np.full(len(dem_node), walk_cutoff_m)
    tab_i, tab_d = _table(aug.matrix, src_nodes, dem_node, k=k_table, cutoff_m=walk_cutoff_m,
                          mask=mask_for(all_nodes), node_xy=aug.node_xy,
                          min_k=max(2, k0 // 2), searched_m=searched,
                          feedback=sub(feedback, 0.3, 0.65))

    report(feedback, 0.65, "candidate staff")
    pt_i, pt_d = point_table(att, lo_dem, hi_dem, tab_i, tab_d, k=k_table)

    report(feedback, 0.7, "solving the assignment")
    k_pt = np.full(len(households), k0, dtype=np.int64)
    max_cost = float(np.max(np.where(np.isfinite(pt_d), pt_d, 0), initial=0.0))
    # Above any single assignment, and above a chain of several reassignments.
    unassigned_cost = 10.0 * max(max_cost, walk_cutoff_m) + 1.0
    w_use = np.where(usable, weight, 0)
    rows = np.arange(len(households))
    for _ in range(12):
        cols = (np.arange(k_table)[None, :] < k_pt[:, None]) & (pt_i >= 0)
        arc_point, arc_col = np.nonzero(cols)
        sol = solve_flow(w_use, arc_point, pt_i[arc_point, arc_col], pt_d[arc_point, arc_col],
                         capacity, unassigned_cost_m=unassigned_cost)
        flow = np.zeros(len(arc_point), dtype=np.int64)
        flow[sol.arc_index] = sol.arc_flow
        at_last = np.zeros(len(households), dtype=bool)
        at_last[arc_point[(arc_col == k_pt[arc_point] - 1) & (flow > 0)]] = True
        pressed = at_last | (sol.unassigned_by_node > 0)
        more = (k_pt < k_table) & (pt_i[rows, np.minimum(k_pt, k_table - 1)] >= 0)
        # Pressed against the whole table while more may lie beyond it: widen the
        # table (more columns, or the full cutoff where the search stopped short).
        short = (searched[np.maximum(lo_dem, 0)] < walk_cutoff_m) | (
            searched[np.maximum(hi_dem, 0)] < walk_cutoff_m)
        n_found = (pt_i >= 0).sum(axis=1)
        full = pressed & (k_pt >= n_found) & (
            ((pt_i[:, k_table - 1] >= 0) & (k_table < n_staff)) | short)
        widen = pressed & more
        if full.any():
            k_new = min(n_staff, 2 * k_table)
            nodes = np.unique(np.concatenate([lo_dem[full], hi_dem[full]]))
            sub_i, sub_d = _table(aug.matrix, src_nodes, dem_node[nodes], k=k_new,
                                  cutoff_m=walk_cutoff_m, mask=mask_for(nodes),
                                  node_xy=aug.node_xy, feedback=None)
            searched[nodes] = walk_cutoff_m
            pad = k_new - k_table
            tab_i = np.pad(tab_i, ((0, 0), (0, pad)), constant_values=-1)
            tab_d = np.pad(tab_d, ((0, 0), (0, pad)), constant_values=np.inf)
            tab_i[nodes], tab_d[nodes] = sub_i, sub_d
            pt_i, pt_d = point_table(att, lo_dem, hi_dem, tab_i, tab_d, k=k_new)
            k_table = k_new
            k_pt = np.where(full, k_new, k_pt)
        elif not widen.any():
            break
        k_pt = np.where(widen, np.minimum(k_pt * 2, k_table), k_pt)
    k_used = int(k_pt.max(initial=k0))

    report(feedback, 0.85, "whole points")
    # The flow optimum is the lower bound. Points it splits are pinned, whole, to
    # the staff member taking most of them (with room), and the rest re-solved
    # around them; what is still split after that is placed by resolve_splits.
    lower_bound = sol.optimum_m
    first_unassigned = sol.unassigned
    first_split = int((np.bincount(sol.part_point, minlength=len(households)) > 1).sum())
    pinned = np.full(len(households), -1, dtype=np.int64)
    pinned_d = np.full(len(households), np.inf)
    cap_left = capacity.copy()
    w_active = w_use.copy()
    for _ in range(pin_rounds):
        counts = np.bincount(sol.part_point, minlength=len(households))
        split = np.flatnonzero(counts > 1)
        if len(split) == 0:
            break
        changed = _pin(sol, split, w_active, cap_left, pinned, pinned_d)
        if not changed:
            break
        sol = solve_flow(w_active, arc_point, pt_i[arc_point, arc_col],
                         pt_d[arc_point, arc_col], cap_left, unassigned_cost_m=unassigned_cost)
    candidates = _split_candidates(sol, pt_i, pt_d, k_pt)
    assigned_staff, dist = resolve_splits(sol, w_active, cap_left, candidates,
                                          alt_staff=pt_i, alt_cost_m=pt_d)
    is_pinned = pinned >= 0
    assigned_staff[is_pinned] = pinned[is_pinned]
    dist[is_pinned] = pinned_d[is_pinned]
    n_split = first_split

    return _result(
        households, members, weight, assigned_staff, dist, capacity, lower_bound,
        unassigned_cost, first_unassigned, sol, hh_snap.on_network, usable, hh_grid,
        within_grid, grid_ids,
        pt_i, role, walk_cutoff_m, snap_cutoff_m, n_split, k_used, problems,
        feedback,
    )


def _no_location(points: np.ndarray) -> np.ndarray:
    """Tell which rows' geometry is missing, empty, not a point or not finite."""
    pts = np.asarray(points, dtype=object)
    bad = shapely.is_missing(pts) | shapely.is_empty(pts)
    bad[~bad] = shapely.get_type_id(pts[~bad]) != 0
    bad[~bad] = ~np.isfinite(shapely.get_coordinates(pts[~bad])).all(axis=1)
    return np.asarray(bad)


def _household_weights(households: gpd.GeoDataFrame, problems: list[Problem]) -> np.ndarray:
    if "households" not in households.columns:
        return np.ones(len(households), dtype=np.int64)
    raw = pd.to_numeric(households["households"], errors="coerce")
    bad = ~(raw >= 1)
    ids = households["household_id"].astype(str).to_numpy()
    for i in np.flatnonzero(bad.to_numpy())[:50]:
        problems.append(Problem("households is not a whole number >= 1; counted as 1",
                                layer="households", row=int(i), feature_id=ids[i],
                                column="households", severity="warning"))
    return raw.where(~bad, 1).round().to_numpy().astype(np.int64)


def _containing(points: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """Index of the polygon containing each point (first one), or -1."""
    out = np.full(len(points), -1, dtype=np.int64)
    valid = ~(shapely.is_missing(points) | shapely.is_empty(points))
    pi, gi = shapely.STRtree(np.asarray(polygons)).query(
        np.asarray(points)[valid], predicate="intersects")
    first = np.r_[True, pi[1:] != pi[:-1]] if len(pi) else np.zeros(0, dtype=bool)
    out[np.flatnonzero(valid)[pi[first]]] = gi[first]
    return out


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


def _check_snapped(hh_snap: Any, st_snap: Any, *, role: str, snap_cutoff_m: float) -> None:
    """Refuse a run where nothing reaches the roads, naming what is missing."""
    far = ("lies within {cut:g} m of a walkable road: the {layer} and roads layers do not "
           "overlap (data in another place or another coordinate system, e.g. another "
           "Gauss-Kruger zone); check both layers' coordinates")
    if len(st_snap) and not st_snap.on_network.any():
        raise AnalysisError(f"no {role} staff base " + far.format(cut=snap_cutoff_m,
                                                                  layer="staff"))
    if len(hh_snap) and not hh_snap.on_network.any():
        raise AnalysisError("no household " + far.format(cut=snap_cutoff_m, layer="households"))


def _table(
    matrix: sparse.csr_matrix,
    src_nodes: np.ndarray,
    targets: np.ndarray,
    *,
    k: int,
    cutoff_m: float,
    mask: Any,
    node_xy: np.ndarray,
    feedback: Feedback | None,
    min_k: int | None = None,
    searched_m: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """K nearest staff (positions in the staff list) of every demand node."""
    ok = np.flatnonzero(src_nodes >= 0)
    idx, dist = k_nearest_sources(matrix, src_nodes[ok], targets, k=k, cutoff_m=cutoff_m,
                                  node_xy=node_xy, feedback=feedback, min_k=min_k,
                                  searched_m=searched_m,
                                  mask=None if mask is None else
                                  (lambda chunk: mask(ok[chunk])))
    return np.where(idx >= 0, ok[np.maximum(idx, 0)], -1), dist


def _pin(
    sol: Any, split: np.ndarray, w_active: np.ndarray, cap_left: np.ndarray,
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
    sol: Any, pt_i: np.ndarray, pt_d: np.ndarray, k_pt: np.ndarray,
) -> dict[int, list[tuple[int, float]]]:
    """Nearest-first candidates of the points the flow split (few of them)."""
    counts = np.bincount(sol.part_point, minlength=len(pt_i))
    split = np.flatnonzero(counts > 1)
    return {
        int(p): [(int(s), float(d)) for s, d in zip(pt_i[p, :k_pt[p]].tolist(),
                                                   pt_d[p, :k_pt[p]].tolist(), strict=True)
                 if s >= 0]
        for p in split.tolist()
    }


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    if len(values) == 0:
        return float("nan")
    order = np.argsort(values)
    cw = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cw, q * cw[-1])])


def _result(
    households: gpd.GeoDataFrame, members: gpd.GeoDataFrame, weight: np.ndarray,
    assigned: np.ndarray, dist: np.ndarray, capacity: np.ndarray, optimum: float,
    unassigned_cost: float, first_unassigned: int, sol: Any, on_network: np.ndarray,
    usable: np.ndarray,
    hh_grid: np.ndarray, within_grid: bool, grid_ids: np.ndarray, pt_i: np.ndarray,
    role: str, walk_cutoff_m: float, snap_cutoff_m: float, n_split: int, k_used: int,
    problems: list[Problem],
    feedback: Feedback | None,
) -> AllocationResult:
    hid = households["household_id"].astype(str).to_numpy()
    sid = members["staff_id"].astype(str).to_numpy()
    crs = households.crs
    ok = assigned >= 0
    assignments = gpd.GeoDataFrame(
        {
            "household_id": hid[ok],
            "staff_id": sid[assigned[ok]],
            "distance_m": np.round(dist[ok], 1),
            "households": weight[ok],
        },
        geometry=households.geometry.values[ok],
        crs=crs,
    )
    if within_grid:
        assignments["grid_id"] = grid_ids[hh_grid[ok]]
    n_staff = len(members)
    load = np.bincount(assigned[ok], weights=weight[ok], minlength=n_staff).astype(np.int64)
    wsum = np.bincount(assigned[ok], weights=weight[ok] * dist[ok], minlength=n_staff)
    dmax = np.zeros(n_staff)
    np.maximum.at(dmax, assigned[ok], dist[ok])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(load > 0, wsum / np.maximum(load, 1), np.nan)
        used = np.where(capacity > 0, 100.0 * load / np.maximum(capacity, 1), np.nan)
    staff_load = gpd.GeoDataFrame(
        {
            "staff_id": sid,
            "load": load,
            "capacity": capacity,
            "capacity_used_pct": np.round(used, 1),
            "mean_distance_m": np.round(mean, 1),
            "max_distance_m": np.where(load > 0, np.round(dmax, 1), np.nan),
        },
        geometry=members.geometry.values,
        crs=members.crs,
    )
    reasons = _reasons(assigned, on_network, usable, hh_grid, within_grid, grid_ids, pt_i,
                       sol, role, walk_cutoff_m, snap_cutoff_m, weight,
                       _no_location(households.geometry.values))
    un = ~ok
    unassigned = gpd.GeoDataFrame(
        {"household_id": hid[un], "reason": reasons[un], "households": weight[un]},
        geometry=households.geometry.values[un],
        crs=crs,
    )
    w_ok = weight[ok]
    d_ok = dist[ok]
    objective = float((w_ok * d_ok).sum())
    # Both sides carry the same charge for households the flow left unassigned.
    # Compare like with like: both sides charge the unassigned-household cost for
    # the households they leave out (the flow: only those it could not place).
    dropped = int(weight[un & usable].sum()) - int(first_unassigned)
    flow_cost = optimum
    flow_total = optimum + first_unassigned * unassigned_cost
    final_total = objective + int(weight[un & usable].sum()) * unassigned_cost
    gap = 100.0 * (final_total - flow_total) / flow_total if flow_total > 0 else 0.0
    totals = AllocationTotals(
        objective_household_m=round(objective, 1),
        mean_distance_m=round(float(objective / w_ok.sum()), 1) if w_ok.sum() else float("nan"),
        p95_distance_m=round(_weighted_quantile(d_ok, w_ok, 0.95), 1),
        max_distance_m=round(float(d_ok.max(initial=0.0)), 1) if len(d_ok) else float("nan"),
        households_beyond_1km=int(w_ok[d_ok > 1000.0].sum()),
        assigned_households=int(w_ok.sum()),
        unassigned_households=int(weight[un].sum()),
        flow_optimum_household_m=round(flow_cost, 1),
        gap_pct=round(max(gap, 0.0), 4),
        split_points=n_split,
        unassigned_to_keep_points_whole=max(dropped, 0),
        k_used=k_used,
    )
    report(feedback, 1.0, "assignment done")
    return AllocationResult(role, within_grid, assignments, staff_load, unassigned, totals,
                            tuple(problems))


def _reasons(
    assigned: np.ndarray, on_network: np.ndarray, usable: np.ndarray, hh_grid: np.ndarray,
    within_grid: bool, grid_ids: np.ndarray, pt_i: np.ndarray, sol: Any, role: str,
    walk_cutoff_m: float, snap_cutoff_m: float, weight: np.ndarray, no_location: np.ndarray,
) -> np.ndarray:
    n = len(assigned)
    reason = np.full(n, "", dtype=object)
    has_cand = usable & (pt_i[:, 0] >= 0) if pt_i.shape[1] else np.zeros(n, dtype=bool)
    flow_un = np.zeros(n, dtype=np.int64)
    np.add.at(flow_un, sol.part_point[sol.part_staff < 0], sol.part_amount[sol.part_staff < 0])
    un = assigned < 0
    reason[un] = f"no capacity left among {role} staff within {walk_cutoff_m:g} m"
    split = un & usable & has_cand & (flow_un < weight)
    reason[split] = ("no single staff member within reach has room for all households "
                     "of this point")
    reason[un & usable & ~has_cand] = (f"unreachable: no {role} staff within "
                                       f"{walk_cutoff_m:g} m on the road network")
    if within_grid:
        no_grid = un & on_network & (hh_grid < 0)
        reason[no_grid] = "outside every grid"
        in_grid = un & usable & ~has_cand
        reason[in_grid] = [f"no {role} staff of grid {grid_ids[g]} within {walk_cutoff_m:g} m "
                           "on the road network" for g in hh_grid[in_grid]]
    reason[un & ~on_network] = (f"off the road network: farther than {snap_cutoff_m:g} m "
                                "from any walkable road")
    reason[un & no_location] = "no location: the point is empty or not a valid point"
    return reason
