"""Service areas of facilities on the walking network.

Public API
----------
- :func:`service_areas` on a project / :func:`service_areas_layers` on frames
  give a :class:`ServiceAreaResult`: per facility the households and road
  stretches within its own ``cutoff_m`` by network distance, each going to the
  nearest such facility, as polygons, as lines and as counts.

The polygon of a facility is the concave hull of the road nodes it serves,
grown by ``margin_m`` (by default half a typical block depth), so it covers the
buildings along the served roads; the lines are the served road edges.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra

from gridplanner.errors import AnalysisError
from gridplanner.feedback import Feedback, report, sub
from gridplanner.network.graph import network_of
from gridplanner.network.snap import attach, augment, snap_points
from gridplanner.project import Project

DEFAULT_CUTOFF_M = 1000.0


@dataclass(frozen=True)
class ServiceAreaResult:
    """``areas`` (one polygon row per facility with counts), ``households``
    (``household_id``, ``facility_id``, ``distance_m``) and ``roads`` (served
    stretches per facility).
    """

    areas: gpd.GeoDataFrame
    households: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame


def service_areas(
    project: Project, *, margin_m: float = 40.0, feedback: Feedback | None = None
) -> ServiceAreaResult:
    """Service areas of the project's facilities (see :func:`service_areas_layers`)."""
    cfg = project.config
    return service_areas_layers(
        project.layer("facilities"), project.layer("households"), project.layer("roads"),
        margin_m=margin_m, snap_cutoff_m=float(cfg["snap_cutoff_m"]),
        join_tolerance_m=float(cfg["join_tolerance_m"]), feedback=feedback)


def service_areas_layers(
    facilities: gpd.GeoDataFrame,
    households: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    *,
    margin_m: float = 40.0,
    snap_cutoff_m: float = 300.0,
    join_tolerance_m: float = 3.0,
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
    if len(facilities) == 0:
        raise AnalysisError("layer facilities is empty: add facilities to compute service areas")
    net = network_of(roads, join_tolerance_m=join_tolerance_m, feedback=sub(feedback, 0, 0.2))
    if net.n_edges == 0:
        raise AnalysisError("layer roads has no walkable road: the walking network is empty")
    fid = facilities["facility_id"].astype(str).to_numpy()
    cut_raw = pd.to_numeric(facilities["cutoff_m"], errors="coerce") if (
        "cutoff_m" in facilities.columns) else pd.Series(np.nan, index=facilities.index)
    cutoff = cut_raw.where(cut_raw > 0, DEFAULT_CUTOFF_M).to_numpy(dtype=float)
    report(feedback, 0.2, "snapping")
    fs = snap_points(net, facilities.geometry.values, cutoff_m=snap_cutoff_m)
    hs = snap_points(net, households.geometry.values, cutoff_m=snap_cutoff_m)
    aug = augment(net, fs)
    att = attach(net, aug, hs)
    n_nodes = aug.matrix.shape[0]
    best_node = np.full(n_nodes, np.inf)
    owner_node = np.full(n_nodes, -1, dtype=np.int64)
    best_pt = np.full(len(households), np.inf)
    owner_pt = np.full(len(households), -1, dtype=np.int64)
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
    report(feedback, 0.85, "areas")
    w_raw = pd.to_numeric(households["households"], errors="coerce") if (
        "households" in households.columns) else pd.Series(1.0, index=households.index)
    weight = np.nan_to_num(w_raw.to_numpy(dtype=float), nan=1.0).astype(np.int64)
    served = owner_pt >= 0
    hh_out = gpd.GeoDataFrame(
        {"household_id": households["household_id"].astype(str).to_numpy()[served],
         "facility_id": fid[owner_pt[served]],
         "distance_m": np.round(best_pt[served], 1),
         "households": weight[served]},
        geometry=households.geometry.values[served], crs=households.crs)
    # Road edges whose both ends one facility serves.
    base = net.n_nodes
    eu, ev = net.edge_u, net.edge_v
    edge_owner = np.where((owner_node[eu] >= 0) & (owner_node[eu] == owner_node[ev]),
                          owner_node[eu], -1)
    lines = net.edge_lines()
    road_rows = []
    polys = []
    n_f = len(facilities)
    length = np.bincount(np.maximum(edge_owner, 0), weights=net.edge_length_m * (edge_owner >= 0),
                         minlength=n_f)
    node_owner = owner_node[:base]
    order = np.argsort(node_owner, kind="stable")
    bounds = np.searchsorted(node_owner[order], np.arange(n_f + 1))
    e_order = np.argsort(edge_owner, kind="stable")
    e_bounds = np.searchsorted(edge_owner[e_order], np.arange(n_f + 1))
    # One hull per facility: few facilities, each a single vectorised GEOS call.
    for f in range(n_f):
        nodes = order[bounds[f]:bounds[f + 1]]
        edges = e_order[e_bounds[f]:e_bounds[f + 1]]
        pts = net.node_xy[nodes]
        if len(pts) == 0 and fs.on_network[f]:
            pts = fs.foot_xy[f][None, :]
        if len(pts):
            hull = shapely.concave_hull(shapely.multipoints(pts), ratio=0.3)
            polys.append(shapely.buffer(hull, margin_m))
        else:
            polys.append(shapely.Polygon())
        road_rows.append(shapely.multilinestrings(lines[edges]) if len(edges) else
                         shapely.MultiLineString())
    counts = np.bincount(owner_pt[served], weights=weight[served], minlength=n_f)
    npts = np.bincount(owner_pt[served], minlength=n_f)
    areas = gpd.GeoDataFrame(
        {"facility_id": fid,
         "kind": facilities["kind"].astype(str).to_numpy() if "kind" in facilities.columns
         else "",
         "cutoff_m": cutoff,
         "households": counts.astype(np.int64),
         "household_points": npts.astype(np.int64),
         "road_length_m": np.round(length, 1),
         "on_network": fs.on_network},
        geometry=polys, crs=facilities.crs)
    roads_out = gpd.GeoDataFrame({"facility_id": fid, "road_length_m": np.round(length, 1)},
                                 geometry=road_rows, crs=facilities.crs)
    report(feedback, 1.0, "service areas done")
    return ServiceAreaResult(areas, hh_out, roads_out)


def _merge_best(d: np.ndarray, chunk: np.ndarray, best: np.ndarray, owner: np.ndarray) -> None:
    """Keep, per column, the smallest distance so far and the row's facility."""
    if d.shape[0] == 0:
        return
    i = np.argmin(d, axis=0)
    v = d[i, np.arange(d.shape[1])]
    better = v < best
    best[better] = v[better]
    owner[better] = chunk[i[better]]
