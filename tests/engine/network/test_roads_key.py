"""The graph cache key follows the roads' content."""

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
