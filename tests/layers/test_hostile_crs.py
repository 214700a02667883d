"""Hostile coordinates: a far point must not move the working CRS, inf must not crash it."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from gridplanner.importer import build_project
from layers import SchemaError, load_layer
from layers.crs import check_coordinates, choose_crs_for, guess_crs
from layers.errors import CRSError

#: Four 500 m grids in Jinhua (WGS84 degrees).
CELLS = [shapely.box(119.64 + 0.005 * i, 29.07, 119.645 + 0.005 * i, 29.075) for i in range(4)]
HOMES = [(119.641 + 0.005 * i, 29.072) for i in range(4)]


def _files(tmp_path, far: tuple[float, float] | None) -> dict[str, str]:
    grids = gpd.GeoDataFrame({"grid_id": ["A", "B", "C", "D"]}, geometry=CELLS, crs=4326)
    homes = [*HOMES, far] if far else HOMES
    households = gpd.GeoDataFrame({"household_id": [f"H{i}" for i in range(len(homes))]},
                                  geometry=shapely.points(homes), crs=4326)
    pyogrio.write_dataframe(grids, tmp_path / "grids.geojson")
    pyogrio.write_dataframe(households, tmp_path / "households.geojson")
    return {"grids": str(tmp_path / "grids.geojson"),
            "households": str(tmp_path / "households.geojson")}


@pytest.mark.parametrize("far", [(0.0, 0.0), (-74.0, 40.7), (10.0, 50.0), (119.6, -29.0)])
def test_one_far_household_keeps_the_crs_and_is_reported(tmp_path, far):
    clean = build_project(_files(tmp_path, None))
    project = build_project(_files(tmp_path, far))
    assert project.crs.equals(clean.crs)
    assert project.crs.to_epsg() == 4549
    assert np.allclose(project.layers["grids"].area, clean.layers["grids"].area)
    (warning,) = [w for w in project.warnings if w.column == "geometry"]
    assert (warning.layer, warning.row, warning.feature_id) == ("households", 4, "H4")
    assert "km from the rest of the data" in warning.message
    assert warning.source.endswith("households.geojson")


def test_many_layers_agree_on_the_bulk(tmp_path):
    pts = gpd.GeoDataFrame(geometry=shapely.points([*HOMES, (0.0, 0.0), (0.1, 0.1)]), crs=4326)
    crs, outliers = choose_crs_for({"households": pts, "grids": gpd.GeoDataFrame(
        geometry=CELLS, crs=4326)})
    assert crs.to_epsg() == 4549
    assert [(p.layer, p.row) for p in outliers] == [("households", 4), ("households", 5)]


def test_no_usable_coordinate_gives_no_crs():
    pts = gpd.GeoDataFrame(geometry=[shapely.Point(np.inf, 1.0), None], crs=4326)
    assert choose_crs_for({"households": pts}) == (None, [])


def test_infinite_coordinates_name_the_row_instead_of_crashing(tmp_path):
    frame = gpd.GeoDataFrame({"household_id": ["A", "B", "C"]},
                             geometry=shapely.points([HOMES[0], (np.inf, 29.0),
                                                      (119.6, -np.inf)]), crs=4326)
    path = tmp_path / "h.gpkg"
    pyogrio.write_dataframe(frame, path)
    with pytest.raises(SchemaError, match=r"row 2, id B, column geometry: .*not finite"):
        build_project({"households": str(path)})
    with pytest.raises(SchemaError, match="row 3, id C, column geometry"):
        load_layer(path, "households")


def test_every_coordinate_infinite_is_a_clear_error(tmp_path):
    frame = gpd.GeoDataFrame({"household_id": ["A"]}, geometry=[shapely.Point(np.inf, 1)],
                             crs=4326)
    path = tmp_path / "h.gpkg"
    pyogrio.write_dataframe(frame, path)
    with pytest.raises(SchemaError, match="row 1, id A, column geometry"):
        build_project({"households": str(path)})


def test_one_row_that_cannot_be_degrees_is_named(tmp_path):
    path = tmp_path / "h.csv"
    pd.DataFrame({"household_id": ["A", "B", "C"], "lon": [119.64, 119.65, 465000.0],
                  "lat": [29.07, 29.07, 3218000.0]}).to_csv(path, index=False)
    frame = gpd.GeoDataFrame({"household_id": ["A", "B", "C"]}, geometry=shapely.points(
        [(119.64, 29.07), (119.65, 29.07), (465000.0, 3218000.0)]), crs=4326)
    with pytest.raises(CRSError) as err:
        check_coordinates(frame, source="h.csv", layer="households")
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "geometry")]
    with pytest.raises(SchemaError, match="row 3, column geometry: coordinates 465000"):
        build_project({"households": str(path)})
    with pytest.raises(CRSError, match="row 3: coordinates cannot be degrees"):
        load_layer(path, "households")


def test_guess_follows_the_bulk():
    pts = gpd.GeoDataFrame(geometry=shapely.points([*HOMES, (465000.0, 3218000.0)]))
    assert guess_crs(pts).to_epsg() == 4326
    zoned = gpd.GeoDataFrame(geometry=shapely.points([(40_465_000, 3_218_000)] * 3
                                                      + [(0.0, 0.0)]))
    assert guess_crs(zoned).to_epsg() == 4528


def test_geojson_declaring_a_crs_by_name_in_the_python_fallback(tmp_path):
    text = "x" * (11 * 1024 * 1024)
    path = tmp_path / "g.geojson"
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4549"}},
        "features": [{"type": "Feature", "properties": {"household_id": "A", "address": text},
                      "geometry": {"type": "Point", "coordinates": [465000.0, 3218000.0]}}]}))
    loaded = load_layer(path, "households")
    assert loaded.frame.crs.to_epsg() == 4549
    assert loaded.frame.geometry.x.iloc[0] == pytest.approx(465000.0)
