"""Caches on content: the graph key, and snapped point sets on a network."""

from __future__ import annotations

import geopandas as gpd
from shapely import LineString, MultiLineString

from gridplanner.network.graph import roads_key


def _roads(geoms, **cols):
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=3857)


def test_same_content_same_key_and_any_change_a_new_one():
    a = LineString([(0, 0), (10, 0), (10, 10)])
    b = LineString([(0, 5), (20, 5)])
    base = _roads([a, b], speed_kmh=[4.5, 5.0], walkable=[True, True])
    key = roads_key(base)
    assert roads_key(base.copy()) == key
    assert roads_key(_roads([a, b], speed_kmh=[4.5, 6.0], walkable=[True, True])) != key
    assert roads_key(_roads([a, b], speed_kmh=[4.5, 5.0], walkable=[True, False])) != key
    assert roads_key(_roads([b, a], speed_kmh=[4.5, 5.0], walkable=[True, True])) != key
    assert roads_key(_roads([a.reverse(), b], speed_kmh=[4.5, 5.0],
                            walkable=[True, True])) != key
    assert roads_key(base.to_crs(3395)) != key


def test_parts_of_a_multiline_are_part_of_the_key():
    # Same coordinates, cut into lines differently: different graphs.
    one = MultiLineString([[(0, 0), (1, 0)], [(2, 0), (3, 0), (4, 0)]])
    two = MultiLineString([[(0, 0), (1, 0), (2, 0)], [(3, 0), (4, 0)]])
    assert roads_key(_roads([one])) != roads_key(_roads([two]))
    mixed = _roads([LineString([(0, 0), (1, 0)])], level=["1"])
    assert roads_key(mixed) != roads_key(_roads([LineString([(0, 0), (1, 0)])], level=["2"]))


def test_large_point_sets_are_remembered_by_content_and_given_as_copies():
    import numpy as np
    from shapely import Point

    from gridplanner.network.graph import build_network
    from gridplanner.network.snap import _MEMO_MIN_POINTS, snap_points

    net = build_network(_roads([LineString([(0, 0), (1000, 0)])]))
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 1000, size=(_MEMO_MIN_POINTS, 2))
    xy[0] = (500.0, 10.0)
    pts = [Point(x, y) for x, y in xy]
    first = snap_points(net, pts, cutoff_m=500)
    assert first.edge[0] == 0
    first.edge[:] = 99  # a caller scribbling on its result must not reach the memo
    again = snap_points(net, pts, cutoff_m=500)
    fresh = snap_points(build_network(_roads([LineString([(0, 0), (1000, 0)])])), pts,
                        cutoff_m=500)
    for a, b in ((again.edge, fresh.edge), (again.t, fresh.t),
                 (again.access_m, fresh.access_m), (again.foot_xy, fresh.foot_xy)):
        assert np.array_equal(a, b, equal_nan=True)
    # Another cutoff, or a moved point, is a different set.
    assert (snap_points(net, pts, cutoff_m=100).edge == -1).sum() > 0
    moved = list(pts)
    moved[0] = Point(xy[0, 0], 900)
    assert snap_points(net, moved, cutoff_m=500).edge[0] == -1
