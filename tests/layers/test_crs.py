"""Parsing, guessing, checking and choosing coordinate systems."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from pyproj import CRS

from layers.crs import (
    check_coordinates,
    choose_analysis_crs,
    guess_crs,
    parse_source_crs,
    reproject,
)
from layers.errors import CRSError
from layers.webmap import wgs84_to_gcj02


@pytest.mark.parametrize(("text", "expected"), [
    ("gcj02", "gcj02"), ("GCJ-02", "gcj02"), ("高德", "gcj02"), ("bd09", "bd09"),
    ("Baidu", "bd09"), ("4490", 4490), ("EPSG:4549", 4549), ("wgs84", 4326),
    ("cgcs2000", 4490),
])
def test_parse_source_crs(text, expected):
    got = parse_source_crs(text)
    assert (got if isinstance(got, str) else got.to_epsg()) == expected


def test_parse_unknown_crs_is_clear():
    with pytest.raises(CRSError, match="gcj02"):
        parse_source_crs("martian")


@pytest.mark.parametrize(("bounds", "epsg"), [
    ((119.5, 29.0, 119.8, 29.2), 4549),  # Jinhua: GK CM 120E
    ((116.2, 39.8, 116.5, 40.0), 4548),  # Beijing: GK CM 117E
    ((113.1, 23.0, 113.4, 23.2), 4547),  # Guangzhou: GK CM 114E
    ((2.2, 48.8, 2.4, 48.9), 32631),  # Paris: UTM 31N
])
def test_choose_analysis_crs(bounds, epsg):
    crs = choose_analysis_crs(bounds)
    assert crs.to_epsg() == epsg
    assert crs.is_projected


def test_guess_crs_from_ranges():
    lonlat = gpd.GeoDataFrame(geometry=[shapely.Point(119.6, 29.1)])
    assert guess_crs(lonlat).to_epsg() == 4326
    zoned = gpd.GeoDataFrame(geometry=[shapely.Point(40_465_000, 3_218_000)])
    assert guess_crs(zoned).to_epsg() == 4528  # CGCS2000 GK zone 40
    ambiguous = gpd.GeoDataFrame(geometry=[shapely.Point(465_000, 3_218_000)])
    assert guess_crs(ambiguous) is None


def test_metres_declared_as_degrees_rejected():
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(465_000, 3_218_000)], crs=4326)
    with pytest.raises(CRSError, match="cannot be degrees"):
        check_coordinates(gdf, source="x.geojson")


def test_degrees_declared_as_metres_rejected():
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(119.6, 29.1)], crs=4549)
    with pytest.raises(CRSError, match="look like degrees"):
        check_coordinates(gdf)


def test_far_outside_crs_area_rejected():
    # Eastings 4,000 km east of the CM 120E zone's centre: not Gauss-Kruger data.
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(4_500_000, 5_500_000)], crs=4549)
    with pytest.raises(CRSError, match="far outside"):
        check_coordinates(gdf)


def test_reproject_gcj02_back_to_true_position():
    lon, lat = wgs84_to_gcj02(119.65, 29.08)
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(float(lon), float(lat))], crs=4326)
    out = reproject(gdf, CRS.from_epsg(4549), source_crs="gcj02")
    truth = gpd.GeoSeries([shapely.Point(119.65, 29.08)], crs=4326).to_crs(4549)
    assert out.geometry.iloc[0].distance(truth.iloc[0]) < 0.01


def test_reproject_without_crs_needs_a_hint():
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(465_000, 3_218_000)])
    with pytest.raises(CRSError, match="--source-crs"):
        reproject(gdf, CRS.from_epsg(4549))
    out = reproject(gdf, CRS.from_epsg(4549), source_crs=CRS.from_epsg(4549))
    assert out.geometry.iloc[0].x == pytest.approx(465_000)
