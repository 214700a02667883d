"""Road network: the walking graph, snapping points onto it, network distances.

Public API
----------
- :mod:`gridplanner.network.graph`: :func:`build_network` (a project's network is
  kept by its :class:`~gridplanner.context.AnalysisContext`), :func:`intersections`
  (road nodes of degree >= 3), :func:`components` (disconnected pieces),
  :class:`RoadNetwork`.
- :mod:`gridplanner.network.snap`: :func:`snap_points`, :func:`augment` (split
  the edges at source points), :func:`attach` (demand points on the split graph).
- :mod:`gridplanner.network.distance`: :func:`nearest_source` (one multi-source
  Dijkstra), :func:`k_nearest_sources` (K nearest within a cutoff),
  :func:`point_table`.
"""

from gridplanner.network.distance import k_nearest_sources, nearest_source, point_table
from gridplanner.network.graph import (
    RoadNetwork,
    build_network,
    components,
    intersections,
)
from gridplanner.network.snap import attach, augment, snap_points

__all__ = [
    "RoadNetwork",
    "attach",
    "augment",
    "build_network",
    "components",
    "intersections",
    "k_nearest_sources",
    "nearest_source",
    "point_table",
    "snap_points",
]
