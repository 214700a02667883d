"""GCJ-02 / BD-09 against published reference values, and exact round trips."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from layers.webmap import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

GEOD = Geod(ellps="WGS84")

# Published reference outputs for input (116.404, 39.915) (Tiananmen, Beijing).
REFERENCE = {
    "wgs84_to_gcj02": (116.41024449916938, 39.91640428150164),
    "gcj02_to_bd09": (116.41036949371029, 39.92133699351021),
    # One-step approximations published for the inverses; ours iterate, so they
    # agree to within the approximation's own error (a few metres at most).
    "bd09_to_gcj02": (116.39762729119315, 39.90865673957631),
    "gcj02_to_wgs84": (116.39775550083061, 39.91359571849836),
}


def _metres(lon1, lat1, lon2, lat2) -> float:
    return float(np.max(GEOD.inv(lon1, lat1, lon2, lat2)[2]))


def test_forward_formulas_match_published_values():
    assert wgs84_to_gcj02(116.404, 39.915) == pytest.approx(REFERENCE["wgs84_to_gcj02"],
                                                            abs=1e-12)
    assert gcj02_to_bd09(116.404, 39.915) == pytest.approx(REFERENCE["gcj02_to_bd09"],
                                                           abs=1e-12)


@pytest.mark.parametrize("name", ["bd09_to_gcj02", "gcj02_to_wgs84"])
def test_inverses_near_published_approximations(name):
    func = {"bd09_to_gcj02": bd09_to_gcj02, "gcj02_to_wgs84": gcj02_to_wgs84}[name]
    lon, lat = func(116.404, 39.915)
    assert _metres(lon, lat, *REFERENCE[name]) < 5.0


def test_offset_is_hundreds_of_metres_in_jinhua():
    lon, lat = wgs84_to_gcj02(119.65, 29.08)
    assert 300 < _metres(119.65, 29.08, lon, lat) < 800
    blon, blat = wgs84_to_bd09(119.65, 29.08)
    assert _metres(119.65, 29.08, blon, blat) > 800


def test_outside_china_unchanged():
    lon, lat = wgs84_to_gcj02(2.35, 48.85)
    assert (float(lon), float(lat)) == (2.35, 48.85)


china_lon = st.floats(min_value=74.0, max_value=134.0)
china_lat = st.floats(min_value=18.0, max_value=53.0)


@settings(max_examples=200, deadline=None)
@given(china_lon, china_lat)
def test_gcj02_round_trip_below_a_centimetre(lon, lat):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert _metres(lon, lat, *back) < 0.01


@settings(max_examples=200, deadline=None)
@given(china_lon, china_lat)
def test_bd09_round_trip_below_a_centimetre(lon, lat):
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert _metres(lon, lat, *back) < 0.01


def test_vectorised_over_arrays():
    lon = np.linspace(119.5, 119.8, 1000)
    lat = np.linspace(29.0, 29.2, 1000)
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert glon.shape == (1000,)
    back = gcj02_to_wgs84(glon, glat)
    assert _metres(lon, lat, *back) < 0.01
