"""Tile arithmetic: hand-checked values and round trips (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from gridplanner.basemap.tiles import (
    MAX_LAT,
    TILE_PX,
    ground_m_per_px,
    lonlat_to_tile,
    lonlat_to_world_px,
    tile_bounds_lonlat,
    tiles_covering,
    tms_row,
    world_px_to_lonlat,
    zoom_for_resolution,
)
from layers.webmap import gcj02_to_wgs84, wgs84_to_gcj02

lons = st.floats(-180, 180, allow_nan=False)
lats = st.floats(-MAX_LAT + 1e-6, MAX_LAT - 1e-6, allow_nan=False)
zooms = st.integers(0, 22)


def test_hand_checked_tiles():
    # column: (116.3975 + 180) / 360 * 2**17 = 107915.3
    x, _y = lonlat_to_tile(116.3975, 39.9087, 17)
    assert int(x) == 107915
    # the equator and the prime meridian meet at the corner of the four zoom-1 tiles
    assert lonlat_to_tile(0.0, 0.0, 1) == (1.0, 1.0)
    assert lonlat_to_tile(-180.0, MAX_LAT, 3) == pytest.approx((0.0, 0.0), abs=1e-9)
    assert tile_bounds_lonlat(0, 0, 0) == pytest.approx((-180, -MAX_LAT, 180, MAX_LAT))
    assert tiles_covering(-1, -1, 1, 1, 1) == (range(0, 2), range(0, 2))
    assert ground_m_per_px(0, 0.0) == pytest.approx(156543.034, abs=1e-3)


def test_world_px_matches_pyproj_web_mercator():
    lon = np.array([119.65, -70.1, 0.0, 179.9])
    lat = np.array([29.08, -33.4, 0.0, 80.0])
    mx, my = Transformer.from_crs(4326, 3857, always_xy=True).transform(lon, lat)
    half = 20037508.342789244
    x, y = lonlat_to_world_px(lon, lat, 17)
    world = TILE_PX * 2 ** 17
    assert x == pytest.approx((mx + half) / (2 * half) * world, abs=1e-6)
    assert y == pytest.approx((half - my) / (2 * half) * world, abs=1e-6)


@settings(max_examples=300, deadline=None)
@given(lons, lats, zooms)
def test_world_px_round_trip(lon, lat, zoom):
    back_lon, back_lat = world_px_to_lonlat(*lonlat_to_world_px(lon, lat, zoom), zoom)
    assert float(back_lon) == pytest.approx(lon, abs=1e-9)
    assert float(back_lat) == pytest.approx(lat, abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(lons, lats, zooms)
def test_a_point_lies_in_its_tile(lon, lat, zoom):
    fx, fy = lonlat_to_tile(lon, lat, zoom)
    x, y = min(int(fx), 2 ** zoom - 1), min(int(fy), 2 ** zoom - 1)
    west, south, east, north = tile_bounds_lonlat(x, y, zoom)
    assert west - 1e-9 <= lon <= east + 1e-9
    assert south - 1e-9 <= lat <= north + 1e-9
    assert tms_row(tms_row(y, zoom), zoom) == y
    assert 0 <= tms_row(y, zoom) < 2 ** zoom


@settings(max_examples=200, deadline=None)
@given(st.floats(0.01, 10000), st.floats(-80, 80))
def test_chosen_zoom_shows_tiles_near_their_own_size(m_per_px, lat):
    z = zoom_for_resolution(m_per_px, lat, max_zoom=40)
    ratio = ground_m_per_px(z, lat) / m_per_px
    assert 2 ** -0.5 - 1e-9 <= ratio <= 2 ** 0.5 + 1e-9 or z == 0


@settings(max_examples=300, deadline=None)
@given(st.floats(73.0, 135.0), st.floats(18.0, 53.0))
def test_gcj02_shift_undoes_exactly(lon, lat):
    """The offset applied to the data (to meet GCJ-02 tiles) is undone to a millimetre."""
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert 1e-4 < max(abs(glon - lon), abs(glat - lat)) < 0.02  # tens to hundreds of metres
    back_lon, back_lat = gcj02_to_wgs84(glon, glat)
    assert float(back_lon) == pytest.approx(lon, abs=1e-8)
    assert float(back_lat) == pytest.approx(lat, abs=1e-8)
