"""Service areas of facilities on the walking network.

Public API
----------
- :func:`service_areas_layers` (the registered analysis ``service-areas`` on a
  project) gives a :class:`ServiceAreaResult`: per facility the households and road
  stretches within its own ``cutoff_m`` by network distance, each going to the
  nearest such facility, as polygons, as lines and as counts.

Facilities of different kinds (``kind``) do not compete: each kind is served
on its own (or only one kind, with ``kind=``), so a household may belong to a
police station and to a mediation centre at once.

Within a kind the areas partition what they cover (a network Voronoi diagram):
every piece of road goes to the nearest facility that reaches it within its
cutoff, an edge shared by two facilities is cut where their walks are equal,
and the polygon of a facility is its road pieces and its households' access
walks grown by ``margin_m``, kept to the part of the plane nearer to them than
to any other facility's pieces (Voronoi cells of points along all the pieces),
so polygons of one kind do not overlap. Where facilities of one kind have
different cutoffs, a road piece beyond its nearest facility's cutoff is not
handed on to a farther facility with a longer cutoff (households are: each
goes to the nearest facility that reaches it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra

from gridplanner.errors import AnalysisError
from gridplanner.feedback import Feedback, report, sub
from gridplanner.i18n import _
from gridplanner.locate import household_weights
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

DEFAULT_CUTOFF_M = 1000.0


@dataclass(frozen=True)
class ServiceAreaResult:
    """Service areas of facilities.

    ``areas`` (one polygon row per facility with counts), ``households``
    (``household_id``, ``facility_id``, ``distance_m``, ``households``,
    ``kind``: one row per household point and kind of facility serving it) and
    ``roads`` (served stretches per facility).
    """

    areas: gpd.GeoDataFrame
    households: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame


@gc_paused()
def service_areas_layers(
    facilities: gpd.GeoDataFrame,
    households: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    *,
    margin_m: float = 40.0,
    kind: str | None = None,
    snap_cutoff_m: float = DEFAULTS.snap_cutoff_m,
    join_tolerance_m: float = DEFAULTS.join_tolerance_m,
    network: RoadNetwork | None = None,
    household_snap: Snapped | None = None,
    facility_snap: Snapped | None = None,
    feedback: Feedback | None = None,
) -> ServiceAreaResult:
    """Households and roads within each facility's ``cutoff_m``, split by nearest.

    Each kind of facility (column ``kind``) is served on its own; ``kind``
    keeps only the facilities of that kind. ``network``, ``household_snap`` and
    ``facility_snap`` (every facility row, in order) pass in what an
    :class:`~gridplanner.context.AnalysisContext` already holds.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, Point
    >>> roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1000, 0)])], crs=3857)
    >>> fac = gpd.GeoDataFrame({"facility_id": ["F", "G"], "cutoff_m": [300.0, 100.0]},
    ...                        geometry=[Point(0, 0), Point(1000, 0)], crs=3857)
    >>> hh = gpd.GeoDataFrame({"household_id": ["a", "b", "c"], "households": [1, 2, 4]},
    ...                       geometry=[Point(100, 0), Point(500, 0), Point(950, 0)], crs=3857)
    >>> r = service_areas_layers(fac, hh, roads)
    >>> r.areas[["facility_id", "households", "household_points"]].values.tolist()
    [['F', 1, 1], ['G', 4, 1]]
    """
    check_values(snap_cutoff_m=snap_cutoff_m, join_tolerance_m=join_tolerance_m)
    if len(facilities) == 0:
        raise AnalysisError(_("layer facilities is empty: add facilities to compute service areas"))
    net = network if network is not None else build_network(
        roads, join_tolerance_m=join_tolerance_m, feedback=sub(feedback, 0, 0.2))
    if net.n_edges == 0:
        raise AnalysisError(_("layer roads has no walkable road: the walking network is empty"))
    if facility_snap is not None:
        facility_snap = snapped_or_given(net, facilities.geometry.values, facility_snap,
                                         cutoff_m=snap_cutoff_m, what="facility_snap")
    kinds = (facilities["kind"].fillna("").astype(str) if "kind" in facilities.columns
             else pd.Series("", index=facilities.index)).to_numpy()
    if kind is not None:
        if not (kinds == kind).any():
            raise AnalysisError(
                f"layer facilities has no facility of kind {kind!r} (column kind); "
                f"kinds present: {', '.join(sorted(set(kinds.tolist()))) or 'none'}")
        keep = kinds == kind
        if facility_snap is not None:
            facility_snap = facility_snap.take(np.flatnonzero(keep))
        facilities, kinds = facilities.loc[keep], kinds[keep]
    report(feedback, 0.2, _("snapping"))
    hh_snap = household_snap if household_snap is not None else snap_points(
        net, households.geometry.values, cutoff_m=snap_cutoff_m)
    groups = sorted(set(kinds.tolist()))
    parts = []
    for i, k in enumerate(groups):
        rows = np.flatnonzero(kinds == k)
        parts.append(_one_kind(
            net, facilities.iloc[rows], k, households, hh_snap, margin_m=margin_m,
            snap_cutoff_m=snap_cutoff_m,
            fac_snap=facility_snap.take(rows) if facility_snap is not None else None,
            feedback=sub(feedback, 0.2 + 0.8 * i / len(groups),
                         0.2 + 0.8 * (i + 1) / len(groups))))
    # Rows back in the facilities' order; households by kind, then point.
    order = np.argsort(np.concatenate([np.flatnonzero(kinds == k) for k in groups]),
                       kind="stable")
    areas = pd.concat([p.areas for p in parts], ignore_index=True).iloc[order]
    roads_out = pd.concat([p.roads for p in parts], ignore_index=True).iloc[order]
    hh_out = pd.concat([p.households for p in parts], ignore_index=True)
    report(feedback, 1.0, _("service areas done"))
    return ServiceAreaResult(
        gpd.GeoDataFrame(areas.reset_index(drop=True), geometry="geometry",
                         crs=facilities.crs),
        gpd.GeoDataFrame(hh_out, geometry="geometry", crs=households.crs),
        gpd.GeoDataFrame(roads_out.reset_index(drop=True), geometry="geometry",
                         crs=facilities.crs))


def _one_kind(net: RoadNetwork, facilities: gpd.GeoDataFrame, kind: str,
              households: gpd.GeoDataFrame, hh_snap: Snapped, *, margin_m: float,
              snap_cutoff_m: float, fac_snap: Snapped | None,
              feedback: Feedback | None) -> ServiceAreaResult:
    """Service areas of facilities that compete with each other (one kind)."""
    fid = facilities["facility_id"].astype(str).to_numpy()
    cutoff = _cutoffs(facilities)
    fac_snap = snapped_or_given(net, facilities.geometry.values, fac_snap,
                                cutoff_m=snap_cutoff_m, what="facility_snap")
    aug = augment(net, fac_snap)
    reach = _reach(aug, attach(net, aug, hh_snap), len(hh_snap), cutoff, feedback=feedback)
    report(feedback, 0.85, _("areas"))
    weight = household_weights(households)
    served = reach.point_owner >= 0
    hh_out = gpd.GeoDataFrame(
        {"household_id": households["household_id"].astype(str).to_numpy()[served],
         "facility_id": fid[reach.point_owner[served]],
         "distance_m": np.round(reach.point_m[served], 1),
         "households": weight[served],
         "kind": kind},
        geometry=households.geometry.values[served], crs=households.crs)
    stretches = _stretches(net, aug, reach, cutoff)
    polys, road_rows = _shapes(stretches, reach, households, fac_snap, hh_snap,
                               margin_m=margin_m)
    n_f = len(facilities)
    length = np.bincount(stretches.owner, weights=stretches.length_m, minlength=n_f)
    counts = np.bincount(reach.point_owner[served], weights=weight[served], minlength=n_f)
    npts = np.bincount(reach.point_owner[served], minlength=n_f)
    areas = gpd.GeoDataFrame(
        {"facility_id": fid,
         "kind": facilities["kind"].astype(str).to_numpy() if "kind" in facilities.columns
         else "",
         "cutoff_m": cutoff,
         "households": counts.astype(np.int64),
         "household_points": npts.astype(np.int64),
         "road_length_m": np.round(length, 1),
         "on_network": fac_snap.on_network},
        geometry=polys, crs=facilities.crs)
    roads_out = gpd.GeoDataFrame({"facility_id": fid, "road_length_m": np.round(length, 1)},
                                 geometry=road_rows, crs=facilities.crs)
    return ServiceAreaResult(areas, hh_out, roads_out)


@dataclass(frozen=True)
class _Reach:
    """Nearest facility within its own cutoff, of every graph node and household point.

    ``node_m``/``node_owner`` are indexed by the nodes of the graph split at the
    facilities (the road network's nodes first), ``point_m``/``point_owner`` by
    household point; owners are facility positions, ``-1`` (and ``inf``) where no
    facility reaches.
    """

    node_m: np.ndarray
    node_owner: np.ndarray
    point_m: np.ndarray
    point_owner: np.ndarray


@dataclass(frozen=True)
class _Stretches:
    """Served road stretches: owning facility, end points and length of each."""

    owner: np.ndarray
    a: np.ndarray
    b: np.ndarray
    length_m: np.ndarray
    lines: np.ndarray


def _cutoffs(facilities: gpd.GeoDataFrame) -> np.ndarray:
    """Each facility's own ``cutoff_m``; the default where missing or not positive."""
    raw = pd.to_numeric(facilities["cutoff_m"], errors="coerce") if (
        "cutoff_m" in facilities.columns) else pd.Series(np.nan, index=facilities.index)
    return raw.where(raw > 0, DEFAULT_CUTOFF_M).to_numpy(dtype=float)


def _reach(aug: Augmented, att: Attachment, n_points: int, cutoff: np.ndarray, *,
           feedback: Feedback | None) -> _Reach:
    """Search from the facilities, in batches, each as far as its own cutoff."""
    n_nodes = aug.matrix.shape[0]
    best_node = np.full(n_nodes, np.inf)
    owner_node = np.full(n_nodes, -1, dtype=np.int64)
    best_pt = np.full(n_points, np.inf)
    owner_pt = np.full(n_points, -1, dtype=np.int64)
    on = np.flatnonzero(aug.source_node >= 0)
    for start in range(0, len(on), 32):
        report(feedback, 0.3 + 0.5 * start / max(len(on), 1), _("network distances"))
        chunk = on[start:start + 32]
        d = dijkstra(aug.matrix, directed=True, indices=aug.source_node[chunk],
                     limit=float(cutoff[chunk].max()))
        d = np.where(d <= cutoff[chunk][:, None], d, np.inf)
        _merge_best(d, chunk, best_node, owner_node)
        dp = att.distance(d)
        _merge_best(np.where(dp <= cutoff[chunk][:, None], dp, np.inf), chunk, best_pt,
                    owner_pt)
    return _Reach(best_node, owner_node, best_pt, owner_pt)


def _stretches(net: RoadNetwork, aug: Augmented, reach: _Reach,
               cutoff: np.ndarray) -> _Stretches:
    """Cut the road pieces of the split graph between the facilities (network Voronoi).

    On a piece from ``u`` to ``v`` (length ``L``) whose ends the facilities
    ``A`` and ``B`` reach first (at ``du``, ``dv``), a point ``x`` along it is
    ``du + x`` from ``A`` and ``dv + L - x`` from ``B``: ``A`` takes it while
    within its cutoff and nearer, or while ``B`` does not reach it; so ``A``
    holds ``[0, min(xa, max(xb, x*)))`` and ``B`` ``[max(xb, min(xa, x*)), L]``,
    with ``xa = cutA - du``, ``xb = L - (cutB - dv)`` and ``x* = (dv + L - du) / 2``.
    The two never overlap; where ``A`` and ``B`` are one facility they may join.
    """
    u, v, length = _road_pieces(net, aug)
    own_u, own_v = reach.node_owner[u], reach.node_owner[v]
    du, dv = reach.node_m[u], reach.node_m[v]
    has_a, has_b = own_u >= 0, own_v >= 0
    xa = np.where(has_a, np.clip(cutoff[np.maximum(own_u, 0)] - du, 0.0, length), 0.0)
    xb = np.where(has_b, np.clip(length - (cutoff[np.maximum(own_v, 0)] - dv), 0.0, length),
                  length)
    with np.errstate(invalid="ignore"):
        mid = np.clip((dv + length - du) / 2.0, 0.0, length)
    mid = np.where(has_a & has_b, mid, np.where(has_a, length, 0.0))
    a_end = np.where(has_a, np.minimum(xa, np.maximum(xb, mid)), 0.0)
    b_start = np.where(has_b, np.maximum(xb, np.minimum(xa, mid)), length)
    xy_u, xy_v = aug.node_xy[u], aug.node_xy[v]
    frac_a = np.where(length > 0, a_end / np.maximum(length, 1e-12), 0.0)[:, None]
    frac_b = np.where(length > 0, b_start / np.maximum(length, 1e-12), 1.0)[:, None]
    s_owner = np.concatenate([own_u, own_v])
    s_a = np.concatenate([xy_u, xy_u + frac_b * (xy_v - xy_u)])
    s_b = np.concatenate([xy_u + frac_a * (xy_v - xy_u), xy_v])
    s_len = np.concatenate([a_end, length - b_start])
    keep = (s_owner >= 0) & (s_len > 1e-6)
    s_a, s_b = s_a[keep], s_b[keep]
    lines = np.asarray(shapely.linestrings(np.stack([s_a, s_b], axis=1))) if len(s_a) else (
        np.array([], dtype=object))
    return _Stretches(s_owner[keep], s_a, s_b, s_len[keep], lines)


def _road_pieces(net: RoadNetwork, aug: Augmented) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Road edges of the split graph: ends (split-graph nodes) and lengths.

    Edges without a facility's foot on them stay whole; the others are cut at
    the feet (access edges to the facilities themselves are not road).
    """
    se, st, sn = aug.split_edge, aug.split_t, aug.split_node
    nxt = se[1:] == se[:-1]
    keep = np.ones(net.n_edges, dtype=bool)
    keep[se] = False
    u = np.concatenate([net.edge_u[keep], sn[:-1][nxt]])
    v = np.concatenate([net.edge_v[keep], sn[1:][nxt]])
    length = np.concatenate([net.edge_length_m[keep],
                             (st[1:][nxt] - st[:-1][nxt]) * net.edge_length_m[se[:-1][nxt]]])
    return u.astype(np.int64), v.astype(np.int64), length


def _shapes(stretches: _Stretches, reach: _Reach, households: gpd.GeoDataFrame,
            fac_snap: Snapped, hh_snap: Snapped, *, margin_m: float
            ) -> tuple[list[Any], list[Any]]:
    """Polygon and served roads of each facility; the polygons do not overlap.

    A facility's pieces are its road stretches, its households' walks to the
    road and its own, grown by ``margin_m`` and kept to its Voronoi cells:
    those of points spaced along every facility's pieces, so each spot of the
    plane goes to the facility whose pieces are nearest.
    """
    n_f = len(fac_snap)
    owner_pt = reach.point_owner
    served = np.flatnonzero(owner_pt >= 0)
    hh_xy = shapely.get_coordinates(households.geometry.values[served]).reshape(-1, 2)
    on_f = np.flatnonzero(fac_snap.on_network)
    fac_xy = fac_snap.foot_xy[on_f].reshape(-1, 2)
    # Every piece: stretches, household access walks, the facilities' feet.
    p_owner = np.concatenate([stretches.owner, owner_pt[served], on_f]).astype(np.int64)
    p_a = np.concatenate([stretches.a, hh_xy, fac_xy]).reshape(-1, 2)
    p_b = np.concatenate([stretches.b, hh_snap.foot_xy[served],
                          fac_snap.foot_xy[on_f]]).reshape(-1, 2)
    road_rows = _per_owner(stretches.lines, stretches.owner, n_f, shapely.multilinestrings,
                           shapely.MultiLineString())
    if len(p_owner) == 0:
        return [shapely.Polygon() for _ in range(n_f)], road_rows
    # Grown: road stretches, and the walks of households lying off the roads
    # (those near a road are inside its growth already).
    far = np.concatenate([np.ones(len(stretches.owner), dtype=bool),
                          hh_snap.access_m[served] > margin_m / 2.0,
                          np.ones(len(on_f), dtype=bool)])
    lines = np.asarray(shapely.linestrings(np.stack([p_a[far], p_b[far]], axis=1)))
    cells = _voronoi_owner_cells(p_a, p_b, p_owner, n_f, step_m=max(margin_m / 2.0, 1.0),
                                 margin_m=margin_m)
    polys: list[Any] = []
    # One polygon per facility: few facilities, each a vectorised GEOS call.
    # Pieces are joined into as few lines as they form before growing: GEOS
    # then joins a few long growths instead of many overlapping short ones.
    merged = _per_owner(lines, p_owner[far], n_f, _merged_parts, None)
    for f in range(n_f):
        if merged[f] is None or cells[f] is None:
            polys.append(shapely.Polygon())
            continue
        grown_f = shapely.union_all(shapely.buffer(merged[f], margin_m, quad_segs=4))
        area = shapely.intersection(grown_f, cells[f])
        polys.append(shapely.make_valid(area) if not area.is_valid else area)
    return polys, road_rows


def _merged_parts(lines: np.ndarray) -> np.ndarray:
    """Join touching segments into the fewest lines (as an array of lines)."""
    return np.asarray(shapely.get_parts(shapely.line_merge(shapely.multilinestrings(lines))))


def _per_owner(geoms: np.ndarray, owner: np.ndarray, n: int, join: Any, empty: Any
               ) -> list[Any]:
    """Join the geometries of each owner ``0..n-1`` (``empty`` where there are none)."""
    order = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[order], np.arange(n + 1))
    return [join(geoms[order[bounds[f]:bounds[f + 1]]]) if bounds[f + 1] > bounds[f]
            else empty for f in range(n)]


def _voronoi_owner_cells(a: np.ndarray, b: np.ndarray, owner: np.ndarray, n_f: int, *,
                         step_m: float, margin_m: float) -> list[Any]:
    """Per owner, the union of the Voronoi cells of points spaced along its pieces.

    Points lie inside the pieces (their ends are shared between owners where a
    road is cut), at most ``step_m`` apart, plus the pieces' free ends; the
    cells of different owners do not overlap.
    """
    length = np.hypot(*(b - a).T)
    n_pts = np.maximum(np.ceil(length / step_m).astype(np.int64), 1)
    piece = np.repeat(np.arange(len(a)), n_pts)
    first = np.cumsum(n_pts) - n_pts
    t = (np.arange(len(piece)) - first[piece] + 0.5) / n_pts[piece]
    xy = a[piece] + t[:, None] * (b[piece] - a[piece])
    # The pieces' ends (households, facilities, ends of roads) where only one
    # owner has them.
    ends = np.concatenate([a, b])
    end_owner = np.concatenate([owner, owner])
    xy = np.concatenate([xy, ends])
    lab = np.concatenate([owner[piece], end_owner])
    key = np.round(xy, 3)
    _, first_at, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    # A spot two owners share (where a road is cut) is left to the spaced points.
    mixed = np.zeros(len(first_at), dtype=bool)
    np.logical_or.at(mixed, inverse, lab != lab[first_at][inverse])
    keep_u = ~mixed
    sites_xy = key[first_at][keep_u]
    sites_lab = lab[first_at][keep_u]
    # One site per owner in each square of half a step: the spacing asks no more,
    # and a road drawn with 10^6 vertices would otherwise give 10^6 cells to build.
    square = np.floor(sites_xy / (step_m / 2.0)).astype(np.int64)
    _, one = np.unique(np.c_[square, sites_lab], axis=0, return_index=True)
    one = np.sort(one)
    sites_xy, sites_lab = sites_xy[one], sites_lab[one]
    lo, hi = sites_xy.min(axis=0) - 2 * margin_m - 1, sites_xy.max(axis=0) + 2 * margin_m + 1
    frame = shapely.box(lo[0], lo[1], hi[0], hi[1])
    if len(sites_xy) == 1:
        cell_geoms = np.array([frame], dtype=object)
    else:
        cells = shapely.voronoi_polygons(shapely.multipoints(sites_xy), extend_to=frame,
                                         ordered=True)
        cell_geoms = np.asarray(shapely.get_parts(cells))
    out: list[Any] = []
    order = np.argsort(sites_lab, kind="stable")
    bounds = np.searchsorted(sites_lab[order], np.arange(n_f + 1))
    for f in range(n_f):
        mine = cell_geoms[order[bounds[f]:bounds[f + 1]]]
        out.append(shapely.coverage_union_all(mine) if len(mine) else None)
    return out


def _merge_best(d: np.ndarray, chunk: np.ndarray, best: np.ndarray, owner: np.ndarray) -> None:
    """Keep, per column, the smallest distance so far and the row's facility."""
    if d.shape[0] == 0:
        return
    i = np.argmin(d, axis=0)
    v = d[i, np.arange(d.shape[1])]
    better = v < best
    best[better] = v[better]
    owner[better] = chunk[i[better]]


#: Most points a service area's hull is drawn around: a road drawn with 10^6
#: vertices would keep the concave hull busy for many minutes.
_HULL_MAX_POINTS = 20_000

