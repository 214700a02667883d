"""Pieces the allocation analyses share: network distances from a set of points."""

from __future__ import annotations

import numpy as np
from scipy.sparse.csgraph import dijkstra

from gridplanner.feedback import Feedback, report
from gridplanner.i18n import _
from gridplanner.network.graph import RoadNetwork
from gridplanner.network.snap import Snapped, attach, augment


def source_to_point_distances(
    net: RoadNetwork,
    sources: Snapped,
    points: Snapped,
    *,
    cutoff_m: float = np.inf,
    batch: int = 48,
    feedback: Feedback | None = None,
) -> np.ndarray:
    """Dense ``(len(sources), len(points))`` network distances, access walks included.

    ``inf`` beyond ``cutoff_m``, for unreachable pairs and for points or sources off
    the network. Meant for few sources (facilities, grid heads, candidates).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, Point
    >>> from gridplanner.network.graph import build_network
    >>> from gridplanner.network.snap import snap_points
    >>> net = build_network(gpd.GeoDataFrame(geometry=[LineString([(0, 0), (10, 0)])]))
    >>> d = source_to_point_distances(net, snap_points(net, [Point(0, 1)]),
    ...                               snap_points(net, [Point(10, 2)]))
    >>> d.round(6).tolist()
    [[13.0]]
    """
    aug = augment(net, sources)
    att = attach(net, aug, points)
    out = np.full((len(sources), len(points)), np.inf)
    on = np.flatnonzero(aug.source_node >= 0)
    for start in range(0, len(on), batch):
        report(feedback, start / max(len(on), 1), _("network distances"))
        chunk = on[start:start + batch]
        d = dijkstra(aug.matrix, directed=True, indices=aug.source_node[chunk], limit=cutoff_m)
        dist = att.distance(d)
        out[chunk] = np.where(dist <= cutoff_m, dist, np.inf)
    return out

