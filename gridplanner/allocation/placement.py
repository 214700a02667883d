"""Placement of new staff bases: p-median on the walking network.

Public API
----------
- :func:`p_median` solves the problem on a dense distance matrix (greedy
  additions, then Teitz–Bart vertex interchange, from a few starts).
- :func:`place_staff_layers` (the registered analysis ``place`` on a project) chooses
  ``n`` new bases among road intersections (or a candidate layer) that cut the
  households' total walk to their nearest staff member of a role the most,
  existing staff of that role kept. Returns a :class:`PlacementResult`.

Capacities are not modelled here: placement answers "where would new staff cut
walking most"; run :func:`~gridplanner.allocation.allocate_layers` afterwards for the
capacitated assignment. Demand: household points are gathered at the road node
they join the network by (the nearer end of their road stretch), so the matrix
has one column per such node.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from gridplanner.errors import AnalysisError
from gridplanner.feedback import Feedback, report, sub
from gridplanner.i18n import gettext
from gridplanner.locate import household_weights
from gridplanner.network.distance import local_dijkstra
from gridplanner.network.graph import RoadNetwork, build_network
from gridplanner.network.snap import (
    Augmented,
    Snapped,
    attach,
    augment,
    snap_points,
    snapped_or_given,
)
from gridplanner.runtime import gc_paused
from gridplanner.settings import DEFAULTS, check_values

#: Largest (candidate sets x p x demand points) p_median tries set by set, for a
#: proven optimum (about 0.1 s of numpy work).
EXACT_WORK = 30_000_000
#: Most road intersections offered as candidate sites (thinned evenly in space).
MAX_CANDIDATES = 1500


@dataclass(frozen=True)
class PMedianSolution:
    """Chosen candidate indices (in pick order) and the weighted total distance."""

    chosen: tuple[int, ...]
    objective: float
    gains: tuple[float, ...]


def p_median(
    dist: np.ndarray,
    weight: np.ndarray,
    p: int,
    *,
    existing: np.ndarray | None = None,
    starts: int = 3,
    seed: int = 0,
    neighbours: np.ndarray | None = None,
    unreachable_m: float | None = None,
    feedback: Feedback | None = None,
) -> PMedianSolution:
    """Choose ``p`` rows of ``dist`` minimising the weighted sum of column minima.

    Parameters
    ----------
    dist
        ``(n_candidates, n_demand)`` distances (``inf`` = unreachable).
    weight
        Demand weights.
    p
        How many candidates to choose.
    existing
        Distance of each demand to the facilities already there (default inf).
    starts
        Greedy start plus ``starts - 1`` random starts, each improved by
        Teitz–Bart interchange until no swap helps; the best is kept. Instances
        small enough (:data:`EXACT_WORK`) are solved by trying every set, so
        their answers are proven optimal.
    neighbours
        Per candidate, the candidates an interchange may put in its place
        (e.g. its nearest ones, for large instances); default: all of them.
    unreachable_m
        Finite stand-in for ``inf`` (unreachable) distances; default ten times
        the largest finite distance in ``dist``, plus one. Must exceed every
        finite distance and every finite ``existing`` value that matters.

    Examples
    --------
    Demand at 0, 1, 2, 10 and 11 on a line, candidates at every point:

    >>> pts = np.array([0.0, 1.0, 2.0, 10.0, 11.0])
    >>> d = np.abs(pts[:, None] - pts[None, :])
    >>> sol = p_median(d, np.ones(5), 2)
    >>> sorted(sol.chosen), sol.objective
    ([1, 3], 3.0)
    """
    n_c, n_d = dist.shape
    p = int(min(max(p, 0), n_c))
    d, w, cur0 = _prepared(dist, weight, existing, unreachable_m)
    if p == 0:
        return PMedianSolution((), float((w * cur0).sum()), ())
    if math.comb(n_c, p) * p * n_d <= EXACT_WORK:
        chosen = _every_set(d, w, cur0, p)
        obj = float((w * np.minimum(cur0, d[chosen].min(axis=0))).sum())
        return PMedianSolution(tuple(chosen), obj, tuple(_gains_in_order(d, w, cur0, chosen)))
    return _from_starts(d, w, cur0, p, starts=starts, seed=seed, neighbours=neighbours,
                        feedback=feedback)


def _prepared(dist: np.ndarray, weight: np.ndarray, existing: np.ndarray | None,
              unreachable_m: float | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the float32 distances, weights and existing distances, stand-in for inf."""
    n_d = dist.shape[1]
    base = np.full(n_d, np.inf) if existing is None else np.asarray(existing, dtype=float)
    # A finite stand-in for "unreachable" keeps sums meaningful.
    if unreachable_m is None:
        finite = dist[np.isfinite(dist)]
        big = (float(finite.max()) if len(finite) else 1.0) * 10.0 + 1.0
    else:
        big = float(unreachable_m)
    # The matrix is only read: a float32 one without inf or NaN is used as it is
    # (it can be large); else one float32 copy, stand-in written in place.
    if (dist.dtype == np.float32 and dist.size
            and np.isfinite(dist.max()) and np.isfinite(dist.min())):
        d = dist
    else:
        d = np.array(dist, dtype=np.float32)
        d[~np.isfinite(dist)] = big
    w = np.asarray(weight, dtype=float).astype(np.float32)
    cur0 = np.minimum(np.where(np.isfinite(base), base, big), big).astype(np.float32)
    return d, w, cur0


def _from_starts(d: np.ndarray, w: np.ndarray, cur0: np.ndarray, p: int, *, starts: int,
                 seed: int, neighbours: np.ndarray | None,
                 feedback: Feedback | None) -> PMedianSolution:
    """Greedy start plus random restarts, each improved by interchange; the best kept."""
    rng = np.random.default_rng(seed)
    best: tuple[float, list[int], list[float]] | None = None
    for start in range(max(starts, 1)):
        report(feedback, start / max(starts, 1), gettext("placing staff"))
        if start == 0:
            chosen, gains = _greedy(d, w, cur0, p)
        else:
            chosen = _restart(d, w, cur0, p, rng, neighbours,
                              None if best is None else best[1])
        chosen, obj = _interchange(d, w, cur0, chosen, neighbours)
        if start > 0:
            gains = _gains_in_order(d, w, cur0, chosen)
        if best is None or obj < best[0] - 1e-9:
            best = (obj, chosen, gains)
    assert best is not None
    report(feedback, 1.0, gettext("placing staff"))
    return PMedianSolution(tuple(best[1]), best[0], tuple(best[2]))


def _restart(d: np.ndarray, w: np.ndarray, cur0: np.ndarray, p: int,
             rng: np.random.Generator, neighbours: np.ndarray | None,
             best: list[int] | None) -> list[int]:
    """Sites a random restart begins from."""
    n_c = d.shape[0]
    if neighbours is None:
        return list(rng.choice(n_c, size=p, replace=False).tolist())
    # Large instances: restart from the best answer so far with a fifth of the
    # sites moved at random (neighbourhood swaps converge from there).
    chosen = list(best) if best is not None else _greedy(d, w, cur0, p)[0]
    for pos in rng.choice(p, size=max(1, p // 5), replace=False).tolist():
        free = np.setdiff1d(np.arange(n_c), chosen)
        if len(free):
            chosen[pos] = int(rng.choice(free))
    return chosen


def _every_set(d: np.ndarray, w: np.ndarray, cur: np.ndarray, p: int) -> list[int]:
    """Return the best ``p`` rows, trying every set (small instances), in greedy order."""
    best_cost, best_set = np.inf, np.zeros(0, dtype=np.int64)
    combos = itertools.combinations(range(d.shape[0]), p)
    while True:
        rows = max(1, 4_000_000 // max(p * d.shape[1], 1))  # bounded temporary per block
        block = np.array(list(itertools.islice(combos, rows)), dtype=np.int64)
        if not len(block):
            break
        served = np.minimum(cur[None, :], d[block].min(axis=1))  # sets x demand
        cost = served @ w
        i = int(np.argmin(cost))
        if cost[i] < best_cost - 1e-9:
            best_cost, best_set = float(cost[i]), block[i]
    # Report the picks in the order greedy would add them (largest gain first).
    order: list[int] = []
    left = [int(c) for c in best_set]
    now = cur.copy()
    while left:
        gains = [float((w * (now - np.minimum(now, d[c]))).sum()) for c in left]
        pick = left.pop(int(np.argmax(gains)))
        order.append(pick)
        now = np.minimum(now, d[pick])
    return order


def _greedy(d: np.ndarray, w: np.ndarray, cur: np.ndarray, p: int) -> tuple[list[int], list[float]]:
    """Add the site with the largest gain, p times, updating gains incrementally."""
    cur = cur.copy()
    chosen: list[int] = []
    gains: list[float] = []
    # In row blocks: the full-size temporaries would be several times the matrix.
    gain = np.empty(d.shape[0], dtype=np.result_type(d, cur, w))
    for start in range(0, d.shape[0], 128):
        block = d[start:start + 128]
        gain[start:start + 128] = (np.maximum(cur[None, :] - block, 0.0)
                                   * w[None, :]).sum(axis=1)
    for _ in range(p):
        g = gain.copy()
        g[chosen] = -1.0
        j = int(np.argmax(g))
        chosen.append(j)
        gains.append(float(g[j]))
        new = np.minimum(cur, d[j])
        changed = np.flatnonzero(new < cur)
        if len(changed):
            # Only demands the new site now serves better change anyone's gain.
            dc = d[:, changed]
            before = np.maximum(cur[changed][None, :] - dc, 0.0)
            after = np.maximum(new[changed][None, :] - dc, 0.0)
            gain -= ((before - after) * w[changed][None, :]).sum(axis=1)
        cur = new
    return chosen, gains


def _gains_in_order(
    d: np.ndarray, w: np.ndarray, cur: np.ndarray, chosen: list[int]
) -> list[float]:
    """Gain of each chosen site, re-ordered greedily among the chosen."""
    sub_d = d[chosen]
    order, gains = _greedy(sub_d, w, cur, len(chosen))
    chosen[:] = [chosen[i] for i in order]
    return gains


def _interchange(
    d: np.ndarray, w: np.ndarray, cur0: np.ndarray, chosen: list[int],
    neighbours: np.ndarray | None = None,
) -> tuple[list[int], float]:
    """Teitz–Bart: swap a chosen site for an unchosen one while that lowers the total.

    With ``neighbours`` (per candidate, the candidates to try in its place) each
    swap considers those only; without, every candidate (the exact method).
    """
    chosen = list(chosen)
    n_c = d.shape[0]
    obj = np.inf
    improved = True
    best: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    while improved:
        improved = False
        for pos in range(len(chosen)):
            # Best and second-best distance of each demand among chosen + existing
            # (they change only when a swap is made).
            if best is None:
                best = _best_two(d, cur0, chosen)
                obj = float((w * best[0]).sum())
            best1, best2, best_i = best
            without = np.where(best_i == pos, best2, best1)
            pool = (np.arange(n_c) if neighbours is None
                    else np.asarray(neighbours[chosen[pos]]))
            taken = set(chosen)
            pool = np.asarray([c for c in pool.tolist() if c not in taken], dtype=np.int64)
            if len(pool) == 0:
                continue
            totals = (np.minimum(without[None, :], d[pool]) * w[None, :]).sum(axis=1)
            j = int(np.argmin(totals))
            if totals[j] < obj * (1 - 1e-7) - 1e-9:
                chosen[pos] = int(pool[j])
                improved = True
                best = None
    if best is None and chosen:
        obj = float((w * _best_two(d, cur0, chosen)[0]).sum())
    return chosen, obj


def _best_two(
    d: np.ndarray, cur0: np.ndarray, chosen: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Smallest and second-smallest value of each column of ``d[chosen]`` + ``cur0``.

    Also returns the row (position in ``chosen``; ``len(chosen)`` for ``cur0``)
    of the smallest. With ties the second value equals the first, so "the best
    without row r" is ``second`` where ``row == r`` and ``first`` elsewhere.
    """
    stack = np.vstack([d[chosen], cur0[None, :]])
    cols = np.arange(stack.shape[1])
    row = np.argmin(stack, axis=0)
    first = stack[row, cols]
    stack[row, cols] = np.inf
    second = stack.min(axis=0)
    return first, second, row


def _candidate_distances(
    aug: Any, src: np.ndarray, ok_c: np.ndarray, dem_nodes: np.ndarray, cur: np.ndarray,
    walk_cutoff_m: float, n_cand: int, feedback: Feedback | None,
    unreachable_m: float = np.inf,
) -> np.ndarray:
    """Candidate x demand-node walking distances (float32, ``unreachable_m`` beyond reach).

    A candidate can only help a demand node it reaches in less than the walk to
    the nearest existing staff member (``cur``, the cutoff where there is none),
    so each batch of candidates searches only as far as the largest such walk
    around it, on the local piece of the graph; the few demand nodes farthest
    from existing staff search towards the candidates instead, as far as their
    own ``cur``. Entries left out are longer than ``cur`` there: the p-median,
    whose stand-in for "unreachable" lies above the cutoff, treats them exactly
    like their true values.
    """
    dist = np.full((n_cand, len(dem_nodes)), unreachable_m, dtype=np.float32)
    col = np.full(aug.matrix.shape[0], -1, dtype=np.int64)
    col[dem_nodes] = np.arange(len(dem_nodes))
    cand_xy = aug.node_xy[src[ok_c]]
    if len(dem_nodes) == 0 or len(ok_c) == 0:
        return dist
    capped = np.minimum(cur, walk_cutoff_m)
    # The demand nodes farthest from existing staff (few) search towards the
    # candidates themselves, so the many candidate searches stay short.
    n_far = min(len(dem_nodes), max(64, len(ok_c) // 10))
    far = np.argpartition(-capped, n_far - 1)[:n_far]
    rest = np.ones(len(dem_nodes), dtype=bool)
    rest[far] = False
    limit = (_largest_useful_walk(aug.node_xy[dem_nodes[rest]], capped[rest], cand_xy,
                                  walk_cutoff_m)
             if rest.any() else np.zeros(len(ok_c)))
    done = 0
    for pos, nodes, d in local_dijkstra(aug.matrix, src[ok_c], limit_m=limit,
                                        node_xy=aug.node_xy, batch=16):
        report(feedback, 0.3 + 0.4 * done / max(len(ok_c), 1), gettext("network distances"))
        done += len(pos)
        c = col[nodes]
        at = c >= 0
        dist[np.ix_(ok_c[pos], c[at])] = np.minimum(d[:, at], unreachable_m)
    cand_nodes = src[ok_c]
    by_node = np.argsort(cand_nodes, kind="stable")
    sorted_nodes = cand_nodes[by_node]
    for pos, nodes, d in local_dijkstra(aug.matrix, dem_nodes[far], limit_m=capped[far],
                                        node_xy=aug.node_xy, batch=16):
        at = np.minimum(np.searchsorted(nodes, sorted_nodes), len(nodes) - 1)
        inside = nodes[at] == sorted_nodes
        rows = ok_c[by_node[inside]]
        block = np.ix_(rows, far[pos])
        dist[block] = np.minimum(dist[block], d[:, at[inside]].T)
    return dist


def _largest_useful_walk(
    dem_xy: np.ndarray, cur: np.ndarray, cand_xy: np.ndarray, cutoff_m: float,
    cell_m: float = 250.0,
) -> np.ndarray:
    """Bound, per candidate, the walk to any demand node it could serve better.

    A candidate helps demand node ``j`` only if it walks there in less than
    ``cur[j]``, hence only if ``j`` lies within ``cur[j]`` as the crow flies.
    On cells of ``cell_m``: a cell whose largest ``cur`` exceeds its nearest
    distance to the candidate's cell may hold such a node; the largest ``cur``
    over those cells bounds the walk needed.
    """
    origin = np.minimum(dem_xy.min(axis=0), cand_xy.min(axis=0))
    cell_d = np.floor((dem_xy - origin) / cell_m).astype(np.int64)
    cell_c = np.floor((cand_xy - origin) / cell_m).astype(np.int64)
    width = int(max(cell_d[:, 1].max(), cell_c[:, 1].max())) + 1
    key_d = cell_d[:, 0] * width + cell_d[:, 1]
    cells, inv = np.unique(key_d, return_inverse=True)
    top = np.zeros(len(cells))
    np.maximum.at(top, inv, cur)
    cxy = np.stack([cells // width, cells % width], axis=1)
    c_cells, c_inv = np.unique(cell_c[:, 0] * width + cell_c[:, 1], return_inverse=True)
    qxy = np.stack([c_cells // width, c_cells % width], axis=1)
    out = np.zeros(len(c_cells))
    for start in range(0, len(c_cells), 256):
        q = qxy[start:start + 256]
        gap = np.maximum(np.abs(q[:, None, :] - cxy[None, :, :]) - 1, 0) * cell_m
        near = np.hypot(gap[..., 0], gap[..., 1])
        out[start:start + 256] = np.where(near <= top[None, :], top[None, :], 0.0).max(axis=1)
    return np.minimum(out[c_inv.ravel()], cutoff_m)


@dataclass(frozen=True)
class PlacementResult:
    """New bases and the walking totals before and after them.

    ``sites`` has ``rank``, ``candidate``, ``gain_household_m`` (how much the
    site shortens the walks of households already served when it is added, in
    rank order), ``newly_served_households`` (households no staff member
    reached within the walking cutoff until this site) and
    ``newly_served_household_m`` (their walk to it), and the point.

    Totals are household-metres over the households served (within the
    walking cutoff of a staff member of the role): ``total_before_household_m``
    over the ``served_before_households``, ``total_after_household_m`` over the
    ``served_after_households``; ``served_before_after_household_m`` is the
    walk of the households served before, after the new bases (the same
    households as the total before). ``households`` counts every household.
    The total after equals the total before, less the gains, plus the newly
    served households' walks.
    """

    sites: gpd.GeoDataFrame
    total_before_household_m: float
    total_after_household_m: float
    served_before_households: int = 0
    served_after_households: int = 0
    households: int = 0
    served_before_after_household_m: float = 0.0
    walk_cutoff_m: float = DEFAULTS.walk_cutoff_m


@gc_paused()
def place_staff_layers(
    households: gpd.GeoDataFrame,
    staff: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    n: int,
    *,
    role: str = "full_time",
    candidates: gpd.GeoDataFrame | None = None,
    max_candidates: int = MAX_CANDIDATES,
    starts: int = 3,
    walk_cutoff_m: float = DEFAULTS.walk_cutoff_m,
    snap_cutoff_m: float = DEFAULTS.snap_cutoff_m,
    join_tolerance_m: float = DEFAULTS.join_tolerance_m,
    network: RoadNetwork | None = None,
    household_snap: Snapped | None = None,
    staff_snap: Snapped | None = None,
    candidate_snap: Snapped | None = None,
    feedback: Feedback | None = None,
) -> PlacementResult:
    """Choose ``n`` new bases for staff of ``role`` minimising households' total walk.

    Candidates are the given points, else the road intersections (degree >= 3,
    thinned evenly to ``max_candidates``, :func:`candidate_points`); existing
    staff of ``role`` stay. ``network``, ``household_snap``, ``staff_snap`` (the
    staff of ``role``, in order) and ``candidate_snap`` (the candidates) pass in
    what an :class:`~gridplanner.context.AnalysisContext` already holds.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, Point
    >>> roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1000, 0)])], crs=3857)
    >>> hh = gpd.GeoDataFrame({"household_id": ["a", "b"], "households": [5, 1]},
    ...                       geometry=[Point(900, 0), Point(100, 0)], crs=3857)
    >>> st = gpd.GeoDataFrame({"staff_id": ["w"], "role": "full_time"},
    ...                       geometry=[Point(0, 0)], crs=3857)
    >>> cand = gpd.GeoDataFrame(geometry=[Point(500, 0), Point(880, 0)], crs=3857)
    >>> r = place_staff_layers(hh, st, roads, 1, candidates=cand)
    >>> r.sites["candidate"].tolist(), r.total_after_household_m
    ([1], 200.0)
    """
    check_values(walk_cutoff_m=walk_cutoff_m, snap_cutoff_m=snap_cutoff_m,
                 join_tolerance_m=join_tolerance_m)
    if n < 1:
        raise AnalysisError(gettext("choose at least one new staff base (n >= 1)"))
    net = network if network is not None else build_network(
        roads, join_tolerance_m=join_tolerance_m, feedback=sub(feedback, 0, 0.2))
    if net.n_edges == 0:
        raise AnalysisError(gettext("layer roads has no walkable road: the walking network "
                                    "is empty"))
    report(feedback, 0.2, gettext("candidates"))
    cand_pts = candidate_points(net, candidates, max_candidates=max_candidates)
    role_col = staff["role"].astype(str) if "role" in staff.columns else pd.Series(
        "", index=staff.index)
    existing = staff.loc[(role_col == role).to_numpy()]
    weight = household_weights(households).astype(float)

    hs = household_snap if household_snap is not None else snap_points(
        net, households.geometry.values, cutoff_m=snap_cutoff_m)
    cs = snapped_or_given(net, cand_pts, candidate_snap, cutoff_m=snap_cutoff_m,
                          what="candidate_snap")
    es = snapped_or_given(net, existing.geometry.values, staff_snap, cutoff_m=snap_cutoff_m,
                          what="staff_snap")
    aug = augment(net, cs)
    demand = _demand(net, aug, hs, weight)
    dem_nodes, dem_w, walk_of = demand.nodes, demand.weight, demand.walk_of
    report(feedback, 0.3, gettext("network distances"))
    src = aug.source_node
    ok_c = np.flatnonzero(src >= 0)
    cur = _existing_distances(net, es, cs, ok_c, dem_nodes, walk_cutoff_m)
    # Filled with p_median's stand-in for "unreachable" (above the cutoff), so
    # p_median reads the matrix as it is, without a copy.
    unreachable = 10.0 * walk_cutoff_m + 1.0
    dist = _candidate_distances(aug, src, ok_c, dem_nodes, cur, walk_cutoff_m,
                                len(cand_pts), feedback, unreachable_m=unreachable)
    report(feedback, 0.7, gettext("choosing sites"))
    # Interchange tries, in place of a site, its 40 nearest candidates.
    cxy = shapely.get_coordinates(cand_pts)
    m = min(len(cxy), 40)
    neighbours = cKDTree(cxy).query(cxy, k=m)[1].reshape(len(cxy), m)
    sol = p_median(dist, dem_w, n, existing=cur, starts=starts, neighbours=neighbours,
                   unreachable_m=unreachable, feedback=sub(feedback, 0.7, 1))
    chosen = np.asarray(sol.chosen, dtype=np.int64)
    gain, fresh_hh, fresh_m, now = _pick_by_pick(dist, chosen, cur, dem_w, walk_of,
                                                 walk_cutoff_m)
    served0, served1 = np.isfinite(cur), np.isfinite(now)
    sites = gpd.GeoDataFrame(
        {"rank": np.arange(1, len(chosen) + 1), "candidate": chosen,
         "gain_household_m": np.round(gain, 1),
         "newly_served_households": fresh_hh,
         "newly_served_household_m": np.round(fresh_m, 1)},
        geometry=cand_pts[chosen], crs=households.crs)
    return PlacementResult(
        sites,
        total_before_household_m=round(_walk_total(cur, dem_w, walk_of, served0), 1),
        total_after_household_m=round(_walk_total(now, dem_w, walk_of, served1), 1),
        served_before_households=round(float(dem_w[served0].sum())),
        served_after_households=round(float(dem_w[served1].sum())),
        households=round(float(weight.sum())),
        served_before_after_household_m=round(_walk_total(now, dem_w, walk_of, served0), 1),
        walk_cutoff_m=float(walk_cutoff_m))


def candidate_points(net: RoadNetwork, candidates: gpd.GeoDataFrame | None = None, *,
                     max_candidates: int = MAX_CANDIDATES) -> np.ndarray:
    """Return the given candidates, else road intersections thinned to ``max_candidates``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> from gridplanner.network.graph import build_network
    >>> net = build_network(gpd.GeoDataFrame(geometry=[LineString([(0, 0), (10, 0)]),
    ...                                                 LineString([(5, -5), (5, 5)])]))
    >>> [p.coords[0] for p in candidate_points(net)]  # the crossing
    [(5.0, 0.0)]
    """
    if candidates is not None and len(candidates):
        return np.asarray(candidates.geometry.values)
    nodes = np.flatnonzero(net.degree >= 3)
    if len(nodes) == 0:
        nodes = np.arange(net.n_nodes)
    if len(nodes) > max_candidates:
        # Even thinning in space: sort along a coarse grid, take every k-th.
        xy = net.node_xy[nodes]
        cell = max(float(np.ptp(xy[:, 0]) + np.ptp(xy[:, 1])) / 200.0, 1.0)
        key = np.lexsort(((xy[:, 0] // cell), (xy[:, 1] // cell)))
        nodes = nodes[key][:: int(np.ceil(len(nodes) / max_candidates))]
    return np.asarray(shapely.points(net.node_xy[nodes]))


@dataclass(frozen=True)
class _Demand:
    """Household demand gathered on road nodes of the candidates' split graph."""

    nodes: np.ndarray  # demand node numbers
    weight: np.ndarray  # households per demand node
    walk_of: np.ndarray  # household-metres of the access walks to each node


def _demand(net: RoadNetwork, aug: Augmented, hs: Snapped, weight: np.ndarray) -> _Demand:
    """Each household point joins by the nearer end of its stretch."""
    att = attach(net, aug, hs)
    on = att.lo_node >= 0
    node = np.where(att.lo_m <= att.hi_m, att.lo_node, att.hi_node)[on]
    walk = np.minimum(att.lo_m, att.hi_m)[on]
    dem_nodes, dem_of = np.unique(node, return_inverse=True)
    w_on = weight[on]
    return _Demand(dem_nodes, np.bincount(dem_of, weights=w_on, minlength=len(dem_nodes)),
                   np.bincount(dem_of, weights=w_on * walk, minlength=len(dem_nodes)))


def _existing_distances(net: RoadNetwork, es: Snapped, cs: Snapped, ok_c: np.ndarray,
                        dem_nodes: np.ndarray, walk_cutoff_m: float) -> np.ndarray:
    """Walk from each demand node to the nearest existing base (inf beyond the cutoff).

    One multi-source pass on the existing staff's own split graph. Base nodes keep
    their numbers there; candidate feet are placed along their edges.
    """
    cur = np.full(len(dem_nodes), np.inf)
    if len(es.edge):
        eaug = augment(net, es)
        ok_e = eaug.source_node[eaug.source_node >= 0]
        if len(ok_e):
            d_e = dijkstra(eaug.matrix, directed=True, indices=ok_e, min_only=True,
                           limit=walk_cutoff_m)[:net.n_nodes]
            e = cs.edge[ok_c]
            length = net.edge_length_m[e]
            foot_d = np.minimum(d_e[net.edge_u[e]] + cs.t[ok_c] * length,
                                d_e[net.edge_v[e]] + (1 - cs.t[ok_c]) * length)
            all_d = np.concatenate([d_e, foot_d])
            cur = all_d[dem_nodes]
    return np.where(cur <= walk_cutoff_m, cur, np.inf)


def _walk_total(d: np.ndarray, w: np.ndarray, walk_of: np.ndarray, rows: np.ndarray) -> float:
    """Household-metres of the demand nodes ``rows``: along the roads plus access walks."""
    return float((w[rows] * d[rows]).sum() + walk_of[rows].sum())


def _pick_by_pick(
    dist: np.ndarray, chosen: np.ndarray, cur: np.ndarray, w: np.ndarray,
    walk_of: np.ndarray, cutoff_m: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the walking gain, newly served households and their walk of each pick.

    ``cur`` is each demand node's walk to existing staff (``inf`` where none is
    within ``cutoff_m``). Returns the three per-pick arrays and the walks after
    all picks (``inf`` where still unserved).
    """
    now = np.where(cur <= cutoff_m, cur, np.inf)
    gain = np.zeros(len(chosen))
    fresh_hh = np.zeros(len(chosen), dtype=np.int64)
    fresh_m = np.zeros(len(chosen))
    for i, j in enumerate(chosen.tolist()):
        dj = dist[j].astype(float)
        new = np.minimum(now, np.where(dj <= cutoff_m, dj, np.inf))
        served = np.isfinite(now)
        gain[i] = float((w[served] * (now[served] - new[served])).sum())
        fresh = ~served & np.isfinite(new)
        fresh_hh[i] = round(float(w[fresh].sum()))
        fresh_m[i] = float((w[fresh] * new[fresh]).sum() + walk_of[fresh].sum())
        now = new
    return gain, fresh_hh, fresh_m, now
