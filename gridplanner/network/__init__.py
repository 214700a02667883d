"""Road network: the walking graph, snapping points onto it, network distances.

Public API
----------
- :mod:`gridplanner.network.graph`: :func:`build_network`, :func:`network_of`
  (cached), :func:`intersections`, :func:`components`, :class:`RoadNetwork`.
"""

from gridplanner.network.graph import (
    RoadNetwork,
    build_network,
    components,
    intersections,
    network_of,
)

__all__ = ["RoadNetwork", "build_network", "components", "intersections", "network_of"]
