"""Footprint geometry: sectors, circles, exact edges."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from _coverage_helpers import polygon_sector_area
from hypothesis import given, settings
from hypothesis import strategies as st

from gridplanner.coverage.footprints import sector_polygons


def one(x, y, r, az, fov):
    return sector_polygons(np.array([x]), np.array([y]), np.array([r]), np.array([az]),
                           np.array([fov]))[0]


def test_quarter_sector_facing_east_has_known_area_and_extent():
    poly = one(0.0, 0.0, 10.0, 90.0, 90.0)
    assert poly.is_valid
    # 12 segments over 90 degrees: within 0.3 % of the true quarter disc.
    assert poly.area == pytest.approx(polygon_sector_area(10, 90))
    assert poly.area == pytest.approx(np.pi * 100 / 4, rel=3e-3)
    minx, miny, maxx, maxy = poly.bounds
    assert (minx, maxx) == (0.0, 10.0)
    assert miny == pytest.approx(-10 * np.sin(np.pi / 4))
    assert maxy == pytest.approx(10 * np.sin(np.pi / 4))


def test_azimuth_is_clockwise_from_north():
    north = one(0.0, 0.0, 10.0, 0.0, 60.0)
    east = one(0.0, 0.0, 10.0, 90.0, 60.0)
    assert north.centroid.y > 5
    assert abs(north.centroid.x) < 1e-9
    assert east.centroid.x > 5
    assert abs(east.centroid.y) < 1e-9


def test_cardinal_edges_are_exact_so_points_on_them_are_covered():
    poly = one(0.0, 0.0, 50.0, 45.0, 90.0)  # edges due north and due east
    assert poly.covers(shapely.Point(30, 0))
    assert poly.covers(shapely.Point(0, 30))
    assert poly.covers(shapely.Point(50, 0))  # end of the edge, on the arc
    assert not poly.covers(shapely.Point(-0.001, 30))
    assert not poly.covers(shapely.Point(30, -0.001))


def test_empty_input_gives_empty_array():
    assert len(sector_polygons(*(np.empty(0),) * 5)) == 0


def test_nan_azimuth_is_all_round():
    circle = one(5.0, 5.0, 10.0, np.nan, 45.0)
    assert circle.area == pytest.approx(polygon_sector_area(10, 360))
    assert circle.centroid.distance(shapely.Point(5, 5)) < 1e-9


@settings(max_examples=40, deadline=None)
@given(x=st.floats(-1e5, 1e5), y=st.floats(-1e5, 1e5), r=st.floats(0.5, 500),
       az=st.floats(0, 359.99))
def test_fov_360_equals_a_circle(x, y, r, az):
    sector = one(x, y, r, az, 360.0)
    circle = shapely.Point(x, y).buffer(r, quad_segs=12)  # 48 segments
    assert sector.is_valid
    assert sector.symmetric_difference(circle).area <= 1e-6 * circle.area


@settings(max_examples=60, deadline=None)
@given(r=st.floats(1, 300), az=st.floats(0, 359.99), fov=st.floats(1, 359.9))
def test_sector_area_matches_the_drawn_polygon(r, az, fov):
    poly = one(100.0, -50.0, r, az, fov)
    assert poly.is_valid
    # rel 1e-5: a metre-wide sector drawn 100 m from the origin loses digits in the
    # area sum (seen: r = 1, fov = 2.00001 off by 2.5e-6).
    assert poly.area == pytest.approx(polygon_sector_area(r, fov), rel=1e-5)
    assert poly.area <= np.pi * r * r * fov / 360 * (1 + 1e-12)
