"""Service areas of facilities on the walking network.

Public API
----------
- :func:`service_areas` on a project / :func:`service_areas_layers` on frames
  give a :class:`ServiceAreaResult`: per facility the households and road
  stretches within its own ``cutoff_m`` by network distance, each going to the
  nearest such facility, as polygons, as lines and as counts.

The polygon of a facility is the concave hull of the road stretches and the
households it serves, grown by ``margin_m``; the lines are the served road
stretches (whole edges, and the part of an edge up to the cutoff).
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
from gridplanner.locate import household_weights
from gridplanner.network.graph import RoadNetwork, build_network
from gridplanner.network.snap import Snapped, attach, augment, snap_points
from gridplanner.project import Project
from gridplanner.runtime import gc_paused
from gridplanner.settings import check_values

DEFAULT_CUTOFF_M = 1000.0


@dataclass(frozen=True)
class ServiceAreaResult:
    """Service areas of facilities.

    ``areas`` (one polygon row per facility with counts), ``households``
    (``household_id``, ``facility_id``, ``distance_m``) and ``roads`` (served
    stretches per facility).
    """

    areas: gpd.GeoDataFrame
    households: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame


@gc_paused()
def service_areas(
    project: Project, *, margin_m: float = 40.0, feedback: Feedback | None = None
) -> ServiceAreaResult:
    """Service areas of the project's facilities (see :func:`service_areas_layers`)."""
    from gridplanner.context import AnalysisContext

    ctx = AnalysisContext.of(project)
    cfg = ctx.settings
    return service_areas_layers(
        ctx.layer("facilities"), ctx.layer("households"), ctx.layer("roads"),
        margin_m=margin_m, snap_cutoff_m=cfg.snap_cutoff_m,
        join_tolerance_m=cfg.join_tolerance_m, network=ctx.network(feedback=feedback),
        household_snap=ctx.snapped("households"), feedback=feedback)


def service_areas_layers(
    facilities: gpd.GeoDataFrame,
    households: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    *,
    margin_m: float = 40.0,
    snap_cutoff_m: float = 300.0,
    join_tolerance_m: float = 3.0,
    network: RoadNetwork | None = None,
    household_snap: Snapped | None = None,
    feedback: Feedback | None = None,
) -> ServiceAreaResult:
    """Households and roads within each facility's ``cutoff_m``, split by nearest.

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
        raise AnalysisError("layer facilities is empty: add facilities to compute service areas")
    net = network if network is not None else build_network(
        roads, join_tolerance_m=join_tolerance_m, feedback=sub(feedback, 0, 0.2))
    if net.n_edges == 0:
        raise AnalysisError("layer roads has no walkable road: the walking network is empty")
    fid = facilities["facility_id"].astype(str).to_numpy()
    cutoff = _cutoffs(facilities)
    report(feedback, 0.2, "snapping")
    fac_snap = snap_points(net, facilities.geometry.values, cutoff_m=snap_cutoff_m)
    hh_snap = household_snap if household_snap is not None else snap_points(
        net, households.geometry.values, cutoff_m=snap_cutoff_m)
    reach = _reach(net, fac_snap, hh_snap, cutoff, feedback=feedback)
    report(feedback, 0.85, "areas")
    weight = household_weights(households)
    served = reach.point_owner >= 0
    hh_out = gpd.GeoDataFrame(
        {"household_id": households["household_id"].astype(str).to_numpy()[served],
         "facility_id": fid[reach.point_owner[served]],
         "distance_m": np.round(reach.point_m[served], 1),
         "households": weight[served]},
        geometry=households.geometry.values[served], crs=households.crs)
    stretches = _stretches(net, reach, cutoff)
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
    report(feedback, 1.0, "service areas done")
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


def _reach(net: RoadNetwork, fac_snap: Snapped, hh_snap: Snapped, cutoff: np.ndarray, *,
           feedback: Feedback | None) -> _Reach:
    """Search from the facilities, in batches, each as far as its own cutoff."""
    aug = augment(net, fac_snap)
    att = attach(net, aug, hh_snap)
    n_nodes = aug.matrix.shape[0]
    best_node = np.full(n_nodes, np.inf)
    owner_node = np.full(n_nodes, -1, dtype=np.int64)
    best_pt = np.full(len(hh_snap), np.inf)
    owner_pt = np.full(len(hh_snap), -1, dtype=np.int64)
    on = np.flatnonzero(aug.source_node >= 0)
    for start in range(0, len(on), 32):
        report(feedback, 0.3 + 0.5 * start / max(len(on), 1), "network distances")
        chunk = on[start:start + 32]
        d = dijkstra(aug.matrix, directed=True, indices=aug.source_node[chunk],
                     limit=float(cutoff[chunk].max()))
        d = np.where(d <= cutoff[chunk][:, None], d, np.inf)
        _merge_best(d, chunk, best_node, owner_node)
        dp = att.distance(d)
        _merge_best(np.where(dp <= cutoff[chunk][:, None], dp, np.inf), chunk, best_pt,
                    owner_pt)
    return _Reach(best_node, owner_node, best_pt, owner_pt)


def _stretches(net: RoadNetwork, reach: _Reach, cutoff: np.ndarray) -> _Stretches:
    """Cut out the road stretches each facility serves.

    Whole edges whose both ends one facility serves, plus the served part of
    edges leaving a facility's area (up to its cutoff).
    """
    eu, ev = net.edge_u, net.edge_v
    own = reach.node_owner[:net.n_nodes]
    dist_n = reach.node_m[:net.n_nodes]
    whole = (own[eu] >= 0) & (own[eu] == own[ev])
    seg_owner = [own[eu][whole]]
    seg_a = [net.node_xy[eu][whole]]
    seg_b = [net.node_xy[ev][whole]]
    seg_len = [net.edge_length_m[whole]]
    for a_n, b_n in ((eu, ev), (ev, eu)):
        part = (own[a_n] >= 0) & (own[b_n] != own[a_n])
        o = own[a_n][part]
        length = net.edge_length_m[part]
        frac = np.clip((cutoff[o] - dist_n[a_n][part]) / np.maximum(length, 1e-9), 0.0, 1.0)
        start = net.node_xy[a_n][part]
        seg_owner.append(o)
        seg_a.append(start)
        seg_b.append(start + frac[:, None] * (net.node_xy[b_n][part] - start))
        seg_len.append(frac * length)
    s_len = np.concatenate(seg_len)
    keep = s_len > 0
    s_a, s_b = np.concatenate(seg_a)[keep], np.concatenate(seg_b)[keep]
    lines = np.asarray(shapely.linestrings(np.stack([s_a, s_b], axis=1))) if len(s_a) else (
        np.array([], dtype=object))
    return _Stretches(np.concatenate(seg_owner)[keep], s_a, s_b, s_len[keep], lines)


def _shapes(stretches: _Stretches, reach: _Reach, households: gpd.GeoDataFrame,
            fac_snap: Snapped, hh_snap: Snapped, *, margin_m: float
            ) -> tuple[list[Any], list[Any]]:
    """Polygon and served roads of each facility.

    The polygon is the concave hull of its stretches' ends, its households and
    their feet on the road, and its own foot, grown by ``margin_m``.
    """
    n_f = len(fac_snap)
    owner_pt = reach.point_owner
    served = owner_pt >= 0
    order = np.argsort(stretches.owner, kind="stable")
    bounds = np.searchsorted(stretches.owner[order], np.arange(n_f + 1))
    hh_xy = np.full((len(households), 2), np.nan)
    hh_xy[served] = shapely.get_coordinates(households.geometry.values[served])
    pt_order = np.argsort(np.where(served, owner_pt, n_f), kind="stable")
    pt_bounds = np.searchsorted(np.where(served, owner_pt, n_f)[pt_order], np.arange(n_f + 1))
    polys: list[Any] = []
    road_rows: list[Any] = []
    # One hull per facility: few facilities, each a single vectorised GEOS call.
    for f in range(n_f):
        segs = order[bounds[f]:bounds[f + 1]]
        members = pt_order[pt_bounds[f]:pt_bounds[f + 1]]
        pts = np.concatenate([stretches.a[segs], stretches.b[segs], hh_snap.foot_xy[members],
                              hh_xy[members]])
        if fac_snap.on_network[f]:
            pts = np.concatenate([pts, fac_snap.foot_xy[f][None, :]])
        if len(pts):
            hull = shapely.concave_hull(shapely.multipoints(_hull_points(pts)), ratio=0.3)
            polys.append(shapely.buffer(hull, margin_m))
        else:
            polys.append(shapely.Polygon())
        road_rows.append(shapely.multilinestrings(stretches.lines[segs]) if len(segs) else
                         shapely.MultiLineString())
    return polys, road_rows


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


def _hull_points(pts: np.ndarray) -> np.ndarray:
    """Return ``pts``, or one point per grid cell when there are too many.

    The cell starts at 1 m and doubles until few enough remain, so the hull moves
    by less than a cell from the one through every point.
    """
    cell = 1.0
    while len(pts) > _HULL_MAX_POINTS:
        _, first = np.unique(np.floor(pts / cell), axis=0, return_index=True)
        if len(first) <= _HULL_MAX_POINTS:
            return pts[np.sort(first)]
        cell *= 2.0
    return pts
