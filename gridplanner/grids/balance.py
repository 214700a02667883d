"""Balanced grid proposals: redraw a community's grids with households in the band.

Method
------
For each community (its service-area polygon, or the union of its grids when the
project has no service areas):

1. **Units.** Locked grids are taken out; the rest of the community is cut into
   Voronoi cells of the household points, clipped to it. Each cell carries its
   point's households; pieces of cells cut off by a concave boundary become empty
   filler units. Cells that share an edge are neighbours; the neighbour graph is
   split into connected components (locked grids can cut a community in pieces),
   each solved on its own.
2. **Number of grids.** ``k`` is the count whose mean load is nearest the band's
   middle among those that allow every grid inside the band
   (``ceil(H / max) <= k <= floor(H / min)``); when no ``k`` does, the nearest to
   the middle.
3. **Capacitated k-means.** Weighted k-means++ seeds (fixed seed, so the result
   is reproducible), then rounds of: assign units to centres minimising
   household-weighted squared distance with equal capacities (an exact min-cost
   flow, OR-Tools), move centres to the weighted means. Three last rounds add a
   cost for each main road (not a compound path) crossed on the way to a centre,
   which pulls boundaries onto roads where the loads allow.
4. **Contiguity.** Each grid keeps its heaviest connected piece; stray units go
   to a neighbouring grid, preferring one reached without crossing a road.
5. **Exchange.** Boundary units move from grids above the band to lighter
   neighbours and from heavier neighbours into grids below it, then towards the
   nearer grid centre for compactness, only when the giving grid stays connected
   and no grid moves further out of the band.
6. **Shapes.** Each grid is the union of its units.

Guarantees: the proposal's grids of a community tile exactly the community minus
its locked grids (union equal up to floating-point overlay, gaps and overlaps
below 1e-6 of the area), do not cross the community boundary, each grid is one
piece (its units stay connected over shared edges), locked grids and other
communities are returned unchanged, and the same input gives the same output.
Every grid lands inside the band when each piece of the community left free by
locked grids has a household total that allows it (``band_feasible``) and no
single building point holds more households than the band's width; this holds
on the bundled sample and is tested there, but it is not proved in general (the
method is a heuristic, not an exact partition). Grids are compact but less so
than hand-drawn blocks: their edges follow building cells, so Polsby-Popper is
typically 0.55-0.75 against about 0.78 for rectangular blocks.

Speed (CPU time, 2-core machine, ``benchmarks/bench_grids.py``): the bundled
sample's eight communities take about 1.3 s in all; a district (150k households in
51k points, 400 grids, 60 communities) about 17 s, i.e. 0.2-0.4 s per community, so
one community is interactive and a whole district is a background job (progress is
reported per community and it can be cancelled between communities).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from gridplanner.feedback import Feedback, report
from gridplanner.grids.topology import (
    adjacency_pairs,
    community_polygons,
    count_households,
    polsby_popper,
    polygonal,
    reock,
)
from gridplanner.i18n import gettext
from gridplanner.runtime import gc_paused
from gridplanner.settings import DEFAULTS
from layers.errors import GridPlannerError

if TYPE_CHECKING:
    from gridplanner.context import AnalysisContext

#: Road kinds that do not count as a boundary worth following.
_MINOR_ROADS = frozenset({"path", "footway", "steps", "stub", "service", "track"})
#: Rounds of capacitated k-means (assignment, then centres to the weighted means).
_LLOYD_ROUNDS = 12
#: Further rounds with the road-crossing cost, and its weight (share of radius²).
_ROAD_ROUNDS = 3
_ROAD_WEIGHT = 1.0


class BalanceError(GridPlannerError):
    """A balanced proposal cannot be made (say which community or setting to fix)."""


@dataclass(frozen=True)
class BalanceProposal:
    """A proposed grid layer and its figures against the current grids.

    Attributes
    ----------
    grids
        The whole proposed grid layer: rebalanced communities replaced, locked grids
        and other communities as they are. Extra columns: ``households``,
        ``polsby_popper``, ``reock``, ``proposed`` (True for new grids).
    figures
        One row per rebalanced community: ``community_id``, ``households``,
        ``grids_before``, ``grids_after``, ``violations_before``,
        ``violations_after``, ``violations_locked`` (those of locked grids, which
        the proposal keeps as they are), ``min_before``, ``max_before``, ``min_after``,
        ``max_after``, ``pp_mean_before``, ``pp_mean_after``, ``reock_mean_before``,
        ``reock_mean_after``, ``band_feasible`` (the households of each piece of
        the community left free by locked grids allow a grid count with every grid in
        the band).
    min_households, max_households
        The band used.
    """

    grids: gpd.GeoDataFrame
    figures: pd.DataFrame
    min_households: int
    max_households: int


@gc_paused()
def propose_balanced_grids(
    ctx: AnalysisContext,
    *,
    community_id: str | None = None,
    min_households: int = DEFAULTS.band_for("urban")[0],
    max_households: int = DEFAULTS.band_for("urban")[1],
    seed: int = 0,
    feedback: Feedback | None = None,
) -> BalanceProposal:
    """Propose new grids with households in the band for one or every community.

    Nothing in the project changes: accept the returned layer as a scenario, or
    discard it.

    Parameters
    ----------
    ctx
        The project's analysis context; uses the project's ``grids``,
        ``households``, ``service_areas`` and ``roads``. On a project, the
        registered analysis ``balance`` (:func:`gridplanner.analyses.run`) runs
        this.
    community_id
        Rebalance only this community (default: every community).
    min_households, max_households
        The band of households per grid.
    seed
        Seed of the k-means start (the result is reproducible for a given seed).
    feedback
        Progress and cancellation.

    Returns
    -------
    BalanceProposal
        The proposed grid layer and its figures.

    Raises
    ------
    BalanceError
        When the band is empty, the community is unknown, or there are no grids
        or communities to work on.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> grids = gpd.GeoDataFrame({"grid_id": ["c001"], "community_id": ["c"],
    ...                           "kind": ["urban"], "locked": [False]},
    ...                          geometry=[shapely.box(0, 0, 400, 100)], crs=4549)
    >>> xy = [(x + 5.0, 50.0) for x in range(0, 400, 10)]
    >>> hh = gpd.GeoDataFrame({"household_id": [str(i) for i in range(40)],
    ...                        "households": [20] * 40},
    ...                       geometry=shapely.points(xy), crs=4549)
    >>> from gridplanner.context import AnalysisContext
    >>> from gridplanner.project import Project
    >>> ctx = AnalysisContext.of(Project(layers={"grids": grids, "households": hh}))
    >>> p = propose_balanced_grids(ctx)
    >>> sorted(p.grids["households"].tolist())
    [400, 400]
    """
    if min_households < 0 or max_households < max(min_households, 1):
        raise BalanceError(f"the band {min_households}-{max_households} is empty: give --min "
                           "below --max")
    project = ctx.project
    grids = project.layer("grids")
    if not len(grids):
        raise BalanceError("the project has no grids layer to rebalance")
    communities = community_polygons(project)
    chosen = _chosen(communities, community_id)
    inputs = _inputs(ctx, grids)
    band = _Band(min_households, max_households)
    keep_rows = np.ones(len(grids), dtype=bool)
    new_frames: list[gpd.GeoDataFrame] = []
    figures: list[dict[str, object]] = []
    for ci, cid in enumerate(chosen):
        report(feedback, ci / len(chosen),
               gettext("balancing community {community}", community=cid))
        redrawn = _redraw(inputs, cid, communities[cid], band, seed)
        keep_rows &= ~redrawn.replaced
        new_frames.append(redrawn.grids)
        figures.append(redrawn.figures)
    report(feedback, 0.95, gettext("assembling the proposal"))
    result = _assemble(inputs, keep_rows, new_frames)
    report(feedback, 1.0, gettext("proposal ready"))
    return BalanceProposal(grids=result, figures=pd.DataFrame(figures),
                           min_households=int(min_households),
                           max_households=int(max_households))


@dataclass(frozen=True)
class _Band:
    """Households per grid allowed: ``low`` to ``high``, both included."""

    low: int
    high: int


@dataclass(frozen=True)
class _Inputs:
    """What every community's redraw reads, prepared once.

    Attributes
    ----------
    grids, households
        The layers.
    roads
        Main road lines (boundaries worth following).
    community, locked, kind, geoms
        Per grid row: community id, locked flag, kind and polygon.
    points, weights, point_tree
        Household points with a location, their households, and an index of them.
    """

    grids: gpd.GeoDataFrame
    households: gpd.GeoDataFrame
    roads: np.ndarray
    community: np.ndarray
    locked: np.ndarray
    kind: np.ndarray
    geoms: np.ndarray
    points: np.ndarray
    weights: np.ndarray
    point_tree: shapely.STRtree


@dataclass(frozen=True)
class _Redrawn:
    """One community's new grids, the rows they replace and its figures row."""

    replaced: np.ndarray
    grids: gpd.GeoDataFrame
    figures: dict[str, object]


def _chosen(communities: dict[str, Any], community_id: str | None) -> list[str]:
    """Return the communities to rebalance: the one asked for, or every one."""
    if community_id is not None:
        if str(community_id) not in communities:
            known = ", ".join(sorted(communities)[:10])
            raise BalanceError(f"community {community_id} is not a community service area "
                               f"(known: {known})")
        chosen = [str(community_id)]
    else:
        chosen = sorted(communities)
    if not chosen:
        raise BalanceError("no communities found: add a service_areas layer or fill the "
                           "grids' community_id")
    return chosen


def _inputs(ctx: AnalysisContext, grids: gpd.GeoDataFrame) -> _Inputs:
    """Read the grid columns, main roads and household points once."""
    households = ctx.layer("households")
    locked = (grids["locked"].fillna(False).astype(bool).to_numpy()
              if "locked" in grids.columns else np.zeros(len(grids), dtype=bool))
    kinds = (grids["kind"].fillna("urban").astype(str).to_numpy()
             if "kind" in grids.columns else np.full(len(grids), "urban"))
    hh_points = np.asarray(households.geometry.array, dtype=object)
    hh_weights = ctx.household_weights()
    valid_points = ~(shapely.is_missing(hh_points) | shapely.is_empty(hh_points))
    hh_points, hh_weights = hh_points[valid_points], hh_weights[valid_points]
    return _Inputs(grids=grids, households=households,
                   roads=_major_roads(ctx.layer("roads")),
                   community=grids["community_id"].fillna("").astype(str).to_numpy(),
                   locked=locked, kind=kinds,
                   geoms=np.asarray(grids.geometry.array, dtype=object),
                   points=hh_points, weights=hh_weights, point_tree=shapely.STRtree(hh_points))


def _redraw(inputs: _Inputs, cid: str, cpoly: Any, band: _Band, seed: int) -> _Redrawn:
    """Redraw one community's unlocked grids."""
    mine = inputs.community == cid
    mine_locked = mine & inputs.locked
    replace = mine & ~inputs.locked
    locked_union = shapely.union_all(inputs.geoms[mine_locked]) if mine_locked.any() else None
    free = cpoly if locked_union is None else polygonal(
        shapely.difference(cpoly, locked_union))
    kind_values = inputs.kind[replace] if replace.any() else np.array(["urban"])
    kind = pd.Series(kind_values).mode().iloc[0]
    taken = set(inputs.grids["grid_id"].astype(str)[mine_locked])
    near = (inputs.point_tree.query(free, predicate="intersects") if len(inputs.points)
            else np.array([], dtype=np.int64))
    cells, loads, feasible = _balance_region(free, inputs.points[near], inputs.weights[near],
                                             inputs.roads, band.low, band.high, seed)
    ids = _new_codes(cid, len(cells), taken)
    crs = inputs.grids.crs
    frame = gpd.GeoDataFrame({
        "grid_id": ids, "name": [""] * len(ids), "community_id": [cid] * len(ids),
        "kind": [kind] * len(ids), "locked": [False] * len(ids),
    }, geometry=gpd.GeoSeries(cells, crs=crs), crs=crs)
    figures = _figures(inputs, cid, mine, cells, loads, feasible, band)
    return _Redrawn(replaced=replace, grids=frame, figures=figures)


def _figures(inputs: _Inputs, cid: str, mine: np.ndarray, cells: list[Any], loads: np.ndarray,
             feasible: bool, band: _Band) -> dict[str, object]:
    """One community's figures row: loads, band violations and shapes before and after."""
    geoms, households = inputs.geoms, inputs.households
    mine_locked = mine & inputs.locked
    before = count_households(geoms[mine], households)
    after_all = np.r_[loads, count_households(geoms[mine_locked], households)]
    geoms_after = np.r_[np.asarray(cells, dtype=object), geoms[mine_locked]]
    low, high = band.low, band.high
    return {
        "community_id": cid,
        "households": int(np.sum(after_all)),
        "grids_before": int(mine.sum()),
        "grids_after": len(geoms_after),
        "violations_before": _violations(before, low, high),
        "violations_after": _violations(after_all, low, high),
        "violations_locked": _violations(after_all[len(loads):], low, high),
        "min_before": int(before.min()) if len(before) else 0,
        "max_before": int(before.max()) if len(before) else 0,
        "min_after": int(after_all.min()) if len(after_all) else 0,
        "max_after": int(after_all.max()) if len(after_all) else 0,
        "pp_mean_before": float(polsby_popper(geoms[mine]).mean()) if mine.any() else 0.0,
        "pp_mean_after": float(polsby_popper(geoms_after).mean()),
        "reock_mean_before": float(reock(geoms[mine]).mean()) if mine.any() else 0.0,
        "reock_mean_after": float(reock(geoms_after).mean()),
        "band_feasible": bool(feasible),
    }


def _assemble(inputs: _Inputs, keep_rows: np.ndarray,
              new_frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Return the kept grids and the new ones, with households and shape figures."""
    grids = inputs.grids
    kept = grids[keep_rows].assign(proposed=False)
    new = [frame.assign(proposed=True) for frame in new_frames]
    out = pd.concat([kept, *new], ignore_index=True)
    result = gpd.GeoDataFrame(out, geometry=grids.geometry.name, crs=grids.crs)
    result_geoms = np.asarray(result.geometry.array, dtype=object)
    result["households"] = count_households(result_geoms, inputs.households)
    result["polsby_popper"] = polsby_popper(result_geoms)
    result["reock"] = reock(result_geoms)
    return result


def _violations(loads: np.ndarray, low: int, high: int) -> int:
    return int(((loads < low) | (loads > high)).sum())


def _major_roads(roads: gpd.GeoDataFrame) -> np.ndarray:
    if not len(roads):
        return np.array([], dtype=object)
    keep = np.ones(len(roads), dtype=bool)
    if "kind" in roads.columns:
        keep = ~roads["kind"].fillna("").astype(str).str.lower().isin(_MINOR_ROADS).to_numpy()
    if "walkable" in roads.columns:
        keep &= roads["walkable"].fillna(True).astype(bool).to_numpy() | keep
    geoms = np.asarray(roads.geometry.array, dtype=object)[keep]
    return geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]


def _new_codes(cid: str, n: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    k = 1
    while len(out) < n:
        code = f"{cid}{k:03d}"
        if code not in taken:
            out.append(code)
        k += 1
    return out


# ----------------------------------------------------------------------------- units


_NO_PAIRS = np.empty((0, 2), dtype=np.int64)


@dataclass
class _Units:
    geoms: np.ndarray  # unit polygons
    weight: np.ndarray  # households per unit
    xy: np.ndarray  # (n, 2) anchor (household point, or centroid of a filler)
    pairs: np.ndarray  # (e, 2) neighbouring units, i < j
    crossing: np.ndarray  # (e,) the step between the pair's anchors crosses a main road
    roads: np.ndarray  # major road lines near the region


def _units(free: Any, points: np.ndarray, weights: np.ndarray,
           roads: np.ndarray) -> _Units:
    xy = shapely.get_coordinates(points)
    w = weights
    if not len(xy):
        return _Units(np.array([free], dtype=object), np.zeros(1, dtype=np.int64),
                      shapely.get_coordinates(shapely.centroid(free)), _NO_PAIRS,
                      np.zeros(0, dtype=bool), roads[:0])
    uniq, inverse = np.unique(np.round(xy, 3), axis=0, return_inverse=True)
    uw = np.bincount(inverse.ravel(), weights=w, minlength=len(uniq)).astype(np.int64)
    if len(uniq) == 1:
        return _Units(np.array([free], dtype=object), uw, uniq, _NO_PAIRS,
                      np.zeros(0, dtype=bool), roads[:0])
    cells = shapely.get_parts(shapely.voronoi_polygons(
        shapely.multipoints(uniq), extend_to=free, ordered=True))
    # Only cells crossing the boundary need the (costly) overlay.
    shapely.prepare(free)
    clipped = cells.copy()
    crossing = ~shapely.contains_properly(free, cells)
    clipped[crossing] = shapely.intersection(cells[crossing], free)
    # A cell clipped by a concave boundary can fall apart: the piece holding the
    # point carries the households, the rest become empty filler units.
    parts, owner = shapely.get_parts(clipped, return_index=True)
    poly = np.isin(shapely.get_type_id(parts), (3, 6)) & (shapely.area(parts) > 1e-6)
    parts, owner = parts[poly], owner[poly]
    anchors = np.asarray(shapely.points(uniq), dtype=object)
    holds = shapely.intersects(parts, anchors[owner])
    has_main = np.zeros(len(uniq), dtype=bool)
    main_idx = np.full(len(uniq), -1)
    for i in np.flatnonzero(holds):
        if not has_main[owner[i]]:
            has_main[owner[i]] = True
            main_idx[owner[i]] = i
    is_main = np.zeros(len(parts), dtype=bool)
    is_main[main_idx[main_idx >= 0]] = True
    weight = np.where(is_main, uw[owner], 0).astype(np.int64)
    # Points whose cell piece was lost to rounding: give their households to the
    # biggest piece of their cell.
    lost = np.flatnonzero(~has_main)
    for o in lost:
        mine = np.flatnonzero(owner == o)
        if len(mine):
            weight[mine[np.argmax(shapely.area(parts[mine]))]] += uw[o]
    anchor_xy = np.where(is_main[:, None], uniq[owner],
                         shapely.get_coordinates(shapely.point_on_surface(parts)))
    pairs = adjacency_pairs(parts)
    near = roads[shapely.intersects(roads, free)] if len(roads) else roads
    crossing = np.zeros(len(pairs), dtype=bool)
    if len(pairs) and len(near):
        segs = shapely.linestrings(np.stack([anchor_xy[pairs[:, 0]], anchor_xy[pairs[:, 1]]],
                                            axis=1))
        hit, _ = shapely.STRtree(near).query(segs, predicate="intersects")
        crossing[hit] = True
    return _Units(parts, weight, anchor_xy, pairs, crossing, near)


def _adjacency_lists(n: int, pairs: np.ndarray) -> list[np.ndarray]:
    if not len(pairs):
        return [np.array([], dtype=np.int64) for _ in range(n)]
    both = np.r_[pairs, pairs[:, ::-1]]
    order = np.argsort(both[:, 0], kind="stable")
    both = both[order]
    splits = np.searchsorted(both[:, 0], np.arange(n + 1))
    return [both[splits[i]:splits[i + 1], 1] for i in range(n)]


# ----------------------------------------------------------------------------- solve


def _balance_region(free: Any, points: np.ndarray, weights: np.ndarray, roads: np.ndarray,
                    low: int, high: int, seed: int
                    ) -> tuple[list[Any], np.ndarray, bool]:
    """Cut ``free`` into grids; return them, their households and band feasibility.

    Feasible means every connected piece of ``free`` has a household total that
    fits the band.
    """
    if shapely.is_empty(free) or shapely.area(free) <= 0:
        return [], np.zeros(0, dtype=np.int64), True
    units = _units(free, points, weights, roads)
    n = len(units.geoms)
    if n == 1:
        return [free], units.weight.copy(), _feasible(int(units.weight.sum()), low, high)
    rows, cols = units.pairs[:, 0], units.pairs[:, 1]
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
    n_comp, comp = connected_components(graph, directed=False)
    label = np.full(n, -1, dtype=np.int64)
    next_label = 0
    rng = np.random.default_rng(seed)
    feasible = True
    for c in range(n_comp):
        idx = np.flatnonzero(comp == c)
        total = int(units.weight[idx].sum())
        feasible &= _feasible(total, low, high)
        k = _grid_count(total, low, high, int((units.weight[idx] > 0).sum()))
        assign = _partition(units, idx, k, low, high, rng)
        label[idx] = assign + next_label
        next_label += int(assign.max()) + 1
    cells: list[Any] = []
    loads: list[int] = []
    for g in range(next_label):
        members = np.flatnonzero(label == g)
        if not len(members):
            continue
        cells.append(polygonal(shapely.union_all(units.geoms[members])))
        loads.append(int(units.weight[members].sum()))
    return cells, np.asarray(loads, dtype=np.int64), feasible


def _feasible(total: int, low: int, high: int) -> bool:
    """Tell whether ``total`` households can be cut into grids all in the band."""
    if total <= 0:
        return True
    return -(-total // high) <= (total // low if low > 0 else total)


def _grid_count(total: int, low: int, high: int, n_weighted: int) -> int:
    if total <= 0 or n_weighted <= 1:
        return 1
    mid = (low + high) / 2.0
    k_lo = -(-total // high)
    k_hi = total // low if low > 0 else k_lo
    k = round(total / mid)
    k = min(max(k, k_lo), k_hi) if k_lo <= k_hi else max(k, 1)
    return int(max(1, min(k, n_weighted)))


def _partition(units: _Units, idx: np.ndarray, k: int, low: int, high: int,
               rng: np.random.Generator) -> np.ndarray:
    """Label the units ``idx`` (one connected component) with grids 0..k-1."""
    m = len(idx)
    if k <= 1 or m <= 1:
        return np.zeros(m, dtype=np.int64)
    pos = np.full(len(units.geoms), -1, dtype=np.int64)
    pos[idx] = np.arange(m)
    inside = (pos[units.pairs[:, 0]] >= 0) & (pos[units.pairs[:, 1]] >= 0)
    local_pairs = pos[units.pairs[inside]]
    local_cross = units.crossing[inside]
    nbrs = _adjacency_lists(m, local_pairs)
    xy = units.xy[idx]
    w = units.weight[idx].astype(float)
    seeds = _kmeans_seeds(xy, w, k, rng)
    centres = xy[seeds].astype(float)
    crossed = local_pairs[local_cross]
    road = {(int(a), int(b)) for a, b in np.r_[crossed, crossed[:, ::-1]]}
    label = np.zeros(m, dtype=np.int64)
    for _ in range(_LLOYD_ROUNDS):
        label = _capacitated_assign(xy, w, centres)
        new = _centres(xy, w, label, centres)
        shift = float(np.hypot(*(new - centres).T).max())
        centres = new
        if shift < 1.0:
            break
    if road:
        # Each main road crossed between a unit and a grid's centre costs a detour of
        # one grid radius, so boundaries settle on roads where the loads allow.
        graph = _road_graph(m, local_pairs, local_cross)
        radius2 = float(np.ptp(xy[:, 0]) * np.ptp(xy[:, 1])) / (np.pi * len(centres))
        for _ in range(_ROAD_ROUNDS):
            penalty = _ROAD_WEIGHT * radius2 * _road_crossings(graph, xy, w, centres)
            label = _capacitated_assign(xy, w, centres, penalty)
            centres = _centres(xy, w, label, centres)
    label = _make_contiguous(nbrs, xy, w, label, len(centres), road)
    _exchange(nbrs, xy, w, label, len(centres), low, high)
    return label


def _centres(xy: np.ndarray, w: np.ndarray, label: np.ndarray, old: np.ndarray) -> np.ndarray:
    return np.array([_centre(xy, w, label, g) if (label == g).any() else old[g]
                     for g in range(len(old))])


def _road_graph(m: int, pairs: np.ndarray, crossing: np.ndarray) -> csr_matrix:
    """Build the unit graph: edges weigh 1 across a main road, almost nothing else."""
    weight = np.where(crossing, 1.0, 1e-6)
    rows = np.r_[pairs[:, 0], pairs[:, 1]]
    cols = np.r_[pairs[:, 1], pairs[:, 0]]
    return coo_matrix((np.r_[weight, weight], (rows, cols)), shape=(m, m)).tocsr()


def _road_crossings(graph: csr_matrix, xy: np.ndarray, w: np.ndarray,
                    centres: np.ndarray) -> np.ndarray:
    """Count the fewest main roads crossed walking from each unit to each centre."""
    d2 = ((xy[:, None, :] - centres[None]) ** 2).sum(-1)
    d2[w <= 0] = np.inf
    sources = np.argmin(d2, axis=0)
    dist = dijkstra(graph, directed=False, indices=sources)
    crossings = np.round(np.where(np.isfinite(dist), dist, 0.0)).T
    return np.asarray(crossings, dtype=float)


def _capacitated_assign(xy: np.ndarray, w: np.ndarray, centres: np.ndarray,
                        penalty: np.ndarray | None = None) -> np.ndarray:
    """Assign units to centres with equal capacities (min-cost flow).

    The cost is the household-weighted squared distance; a unit split between
    grids goes to the grid taking most of it, empty units to the nearest centre.
    """
    from ortools.graph.python import min_cost_flow

    k = len(centres)
    d2 = ((xy[:, None, :] - centres[None]) ** 2).sum(-1)
    if penalty is not None:
        d2 = d2 + penalty
    label = np.argmin(d2, axis=1)
    weighted = np.flatnonzero(w > 0)
    if not len(weighted):
        return label
    supply = np.round(w[weighted]).astype(np.int64)
    total = int(supply.sum())
    cap = -(-total // k)
    n = len(weighted)
    flow = min_cost_flow.SimpleMinCostFlow()
    tails = np.repeat(np.arange(n), k)
    heads = n + np.tile(np.arange(k), n)
    # Costs in units of (10 m)^2 keep integers small and the optimum unchanged in practice.
    costs = np.round(d2[weighted].ravel() / 100.0).astype(np.int64)
    caps = np.repeat(supply, k)
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    sink = n + k
    flow.add_arcs_with_capacity_and_unit_cost(
        n + np.arange(k), np.full(k, sink), np.full(k, cap, dtype=np.int64),
        np.zeros(k, dtype=np.int64))
    flow.set_nodes_supplies(np.r_[np.arange(n), sink], np.r_[supply, -total])
    if flow.solve() != flow.OPTIMAL:
        return label
    amounts = flow.flows(arcs).reshape(n, k)
    label[weighted] = np.argmax(amounts, axis=1)
    return label


def _make_contiguous(nbrs: list[np.ndarray], xy: np.ndarray, w: np.ndarray, label: np.ndarray,
                     k: int, road: set[tuple[int, int]]) -> np.ndarray:
    """Keep each grid's heaviest connected piece and hand out the rest.

    The other pieces go unit by unit to the neighbouring grid reached without
    crossing a road, else to the lightest neighbour.
    """
    m = len(label)
    out = np.full(m, -1, dtype=np.int64)
    for g in range(k):
        members = np.flatnonzero(label == g)
        if not len(members):
            continue
        pieces = _pieces(nbrs, label, members, g)
        best = max(pieces, key=lambda p: (float(w[p].sum()), len(p)))
        out[best] = g
    load = np.bincount(out[out >= 0], weights=w[out >= 0], minlength=k)
    pending = deque(int(u) for u in np.flatnonzero(out < 0))
    stalls = 0
    while pending and stalls <= len(pending):
        u = pending.popleft()
        options = [(int(out[v]), (u, int(v)) in road) for v in nbrs[u] if out[v] >= 0]
        if not options:
            pending.append(u)
            stalls += 1
            continue
        stalls = 0
        g = min(options, key=lambda o: (o[1], load[o[0]]))[0]
        out[u] = g
        load[g] += w[u]
    out[out < 0] = 0
    return out


def _pieces(nbrs: list[np.ndarray], label: np.ndarray, members: np.ndarray,
            g: int) -> list[np.ndarray]:
    seen: set[int] = set()
    pieces: list[np.ndarray] = []
    for start in members:
        start = int(start)
        if start in seen:
            continue
        seen.add(start)
        piece = [start]
        queue = deque([start])
        while queue:
            x = queue.popleft()
            for v in nbrs[x]:
                v = int(v)
                if v not in seen and label[v] == g:
                    seen.add(v)
                    piece.append(v)
                    queue.append(v)
        pieces.append(np.array(piece, dtype=np.int64))
    return pieces


def _kmeans_seeds(xy: np.ndarray, w: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Pick k seed units: weighted k-means++ then a few Lloyd steps."""
    weight = np.where(w > 0, w, 1e-3)
    first = int(rng.choice(len(xy), p=weight / weight.sum()))
    centres = [xy[first]]
    for _ in range(1, k):
        d2 = np.min(((xy[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
        p = d2 * weight
        if p.sum() <= 0:
            break
        centres.append(xy[int(rng.choice(len(xy), p=p / p.sum()))])
    c = np.array(centres)
    for _ in range(15):
        d2 = ((xy[:, None, :] - c[None]) ** 2).sum(-1)
        near = np.argmin(d2, axis=1)
        for j in range(len(c)):
            mask = near == j
            if mask.any():
                c[j] = np.average(xy[mask], axis=0, weights=weight[mask])
    # Snap each centre to a distinct weighted unit.
    chosen: list[int] = []
    d2 = ((xy[:, None, :] - c[None]) ** 2).sum(-1)
    d2[w <= 0] = np.inf
    for j in range(len(c)):
        order = np.argsort(d2[:, j])
        for cand in order:
            if int(cand) not in chosen and np.isfinite(d2[cand, j]):
                chosen.append(int(cand))
                break
    return np.array(chosen, dtype=np.int64)


def _connected_without(nbrs: list[np.ndarray], label: np.ndarray, g: int, u: int) -> bool:
    members = np.flatnonzero(label == g)
    if len(members) <= 1:
        return False
    start = int(members[0]) if members[0] != u else int(members[1])
    seen = {start, u}
    queue = deque([start])
    while queue:
        x = queue.popleft()
        for v in nbrs[x]:
            v = int(v)
            if v not in seen and label[v] == g:
                seen.add(v)
                queue.append(v)
    return len(seen) == len(members)


def _exchange(nbrs: list[np.ndarray], xy: np.ndarray, w: np.ndarray, label: np.ndarray, k: int,
              low: int, high: int, *, max_rounds: int = 60) -> None:
    """Move boundary units between neighbouring grids until every grid is in the band.

    Then move units towards the nearer grid centre for compactness (in place).
    """

    def excess(x: float) -> float:
        return _excess(x, low, high)

    load = np.bincount(label, weights=w, minlength=k)
    for _ in range(max_rounds):
        moved = False
        bad = [g for g in np.argsort(-np.abs(load - (low + high) / 2)) if excess(load[g]) > 0]
        if not bad:
            break
        for g in bad:
            g = int(g)
            if excess(load[g]) <= 0:
                continue
            giving = load[g] > high
            boundary = _boundary_moves(nbrs, label, g, giving)
            centres: dict[int, np.ndarray] = {}
            best: tuple[float, int, int, int] | None = None
            for u, h in boundary:
                src, dst = (g, h) if giving else (h, g)
                before = excess(load[src]) + excess(load[dst])
                after = excess(load[src] - w[u]) + excess(load[dst] + w[u])
                if after >= before - 1e-9:
                    continue
                if dst not in centres:
                    centres[dst] = _centre(xy, w, label, dst)
                dist = float(np.hypot(*(xy[u] - centres[dst])))
                score = after * 1e6 + dist
                if (best is None or score < best[0]) and _connected_without(nbrs, label,
                                                                             src, u):
                    best = (score, u, src, dst)
            if best is not None:
                _, u, src, dst = best
                label[u] = dst
                load[src] -= w[u]
                load[dst] += w[u]
                moved = True
        if not moved:
            break
    _compact(nbrs, xy, w, label, k, low, high, load)


def _excess(x: float, low: int, high: int) -> float:
    return max(0.0, low - x) + max(0.0, x - high)


def _boundary_moves(nbrs: list[np.ndarray], label: np.ndarray, g: int,
                    giving: bool) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for u in np.flatnonzero(label == g):
        for v in nbrs[u]:
            h = int(label[v])
            if h != g:
                if giving:
                    out.append((int(u), h))
                else:
                    out.append((int(v), h))
    return list(dict.fromkeys(out))


def _centre(xy: np.ndarray, w: np.ndarray, label: np.ndarray, g: int) -> np.ndarray:
    mask = label == g
    weights = np.where(w[mask] > 0, w[mask], 1e-3)
    return np.average(xy[mask], axis=0, weights=weights)


def _compact(nbrs: list[np.ndarray], xy: np.ndarray, w: np.ndarray, label: np.ndarray, k: int,
             low: int, high: int, load: np.ndarray, *, rounds: int = 3) -> None:
    for _ in range(rounds):
        centres = np.array([_centre(xy, w, label, g) for g in range(k)])
        dist = np.hypot(xy[:, None, 0] - centres[None, :, 0], xy[:, None, 1] - centres[None, :, 1])
        moved = 0
        for u in range(len(label)):
            g = int(label[u])
            options = {int(label[v]) for v in nbrs[u]} - {g}
            if not options:
                continue
            h = min(options, key=lambda j: dist[u, j])
            if dist[u, h] >= 0.85 * dist[u, g]:
                continue
            before = _excess(load[g], low, high) + _excess(load[h], low, high)
            after = (_excess(load[g] - w[u], low, high)
                     + _excess(load[h] + w[u], low, high))
            if after > before:
                continue
            if not _connected_without(nbrs, label, g, u):
                continue
            label[u] = h
            load[g] -= w[u]
            load[h] += w[u]
            moved += 1
        if not moved:
            break

