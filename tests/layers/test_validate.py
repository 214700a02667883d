"""Each schema rule, on tiny hand-made layers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from layers import SchemaError, validate
from layers.schema import SCHEMAS, schema_for

CRS = "EPSG:4549"


def _frame(data: dict, geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(data, geometry=geoms, crs=CRS)


def _squares(n: int) -> list:
    return [shapely.box(i * 100, 0, (i + 1) * 100, 100) for i in range(n)]


def _points(n: int) -> list:
    return [shapely.Point(i * 10.0, 5.0) for i in range(n)]


def test_every_layer_has_schema_with_id_column():
    for name, schema in SCHEMAS.items():
        assert schema.id_column in schema.column_names, name
        assert schema.geometry in ("Point", "LineString", "Polygon")


def test_chinese_column_names_are_mapped():
    gdf = _frame({"网格编码": ["A", "B"], "网格名称": ["一", "二"], "锁定": ["是", "否"]},
                 _squares(2))
    out = validate(gdf, "grids").frame
    assert out["grid_id"].tolist() == ["A", "B"]
    assert out["name"].tolist() == ["一", "二"]
    assert out["locked"].tolist() == [True, False]


def test_layer_aliases_find_schema():
    assert schema_for("摄像头").name == "cameras"
    with pytest.raises(KeyError):
        schema_for("nonsense")


def test_missing_required_column_names_alternatives():
    gdf = _frame({"name": ["a"]}, _squares(1))
    with pytest.raises(SchemaError) as err:
        validate(gdf, "grids", source="g.shp")
    (problem,) = err.value.problems
    assert problem.column == "grid_id"
    assert "网格编码" in problem.hint
    assert "g.shp" in err.value.message


def test_empty_required_values_reported_per_row():
    gdf = _frame({"grid_id": ["A", None, " ", "D"]}, _squares(4))
    with pytest.raises(SchemaError) as err:
        validate(gdf, "grids")
    assert sorted(p.row for p in err.value.problems) == [1, 2]


def test_all_problems_collected_at_once():
    gdf = _frame({"household_id": ["H1", "H1", "H3"], "households": ["2", "x", "0"]},
                 _points(3))
    with pytest.raises(SchemaError) as err:
        validate(gdf, "households")
    kinds = sorted((p.row, p.column) for p in err.value.problems)
    assert kinds == [(1, "household_id"), (1, "households"), (2, "households")]


def test_numeric_ids_from_spreadsheets_become_clean_text():
    gdf = _frame({"grid_id": [330702001001001.0, 330702001001002.0]}, _squares(2))
    assert validate(gdf, "grids").frame["grid_id"].tolist() == [
        "330702001001001", "330702001001002"]


def test_defaults_filled_for_missing_columns_and_values():
    gdf = _frame({"household_id": ["a", "b"], "households": [None, 5]}, _points(2))
    out = validate(gdf, "households").frame
    assert out["households"].tolist() == [1, 5]
    assert out["address"].tolist() == ["", ""]


def test_value_aliases_and_choices():
    gdf = _frame({"staff_id": ["1", "2", "3"], "role": ["网格长", "专职网格员", "boss"]},
                 _points(3))
    with pytest.raises(SchemaError) as err:
        validate(gdf, "staff")
    (problem,) = err.value.problems
    assert (problem.row, problem.column) == (2, "role")
    gdf.loc[2, "role"] = "网格警长"
    assert validate(gdf, "staff").frame["role"].tolist() == ["grid_head", "full_time", "police"]


def test_wrong_geometry_type_rejected():
    gdf = _frame({"camera_id": ["C1"]}, _squares(1))
    with pytest.raises(SchemaError, match="expected Point"):
        validate(gdf, "cameras")


def test_missing_geometry_rejected():
    gdf = _frame({"camera_id": ["C1", "C2"]}, [shapely.Point(0, 0), None])
    with pytest.raises(SchemaError) as err:
        validate(gdf, "cameras")
    assert [p.row for p in err.value.problems] == [1]


def test_invalid_polygon_repaired_with_warning():
    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    result = validate(_frame({"grid_id": ["B"]}, [bowtie]), "grids")
    geom = result.frame.geometry.iloc[0]
    assert geom.is_valid
    assert geom.area == pytest.approx(50.0)
    assert [w.column for w in result.warnings] == ["geometry"]


def test_single_multipoint_becomes_point():
    gdf = _frame({"camera_id": ["C1"]}, [shapely.MultiPoint([(1, 2)])])
    out = validate(gdf, "cameras").frame
    assert out.geometry.iloc[0].equals(shapely.Point(1, 2))


def test_duplicate_ids_error_for_grids_warning_for_cameras():
    with pytest.raises(SchemaError, match="duplicate id 'A'"):
        validate(_frame({"grid_id": ["A", "A"]}, _squares(2)), "grids")
    result = validate(_frame({"camera_id": ["C", "C"]}, _points(2)), "cameras")
    assert len(result.frame) == 2
    assert any("duplicate" in w.message for w in result.warnings)


def test_impossible_camera_values_are_warnings_and_kept():
    gdf = _frame({"camera_id": ["a", "b", "c", "d"], "category": [1, 7, 2, None],
                  "azimuth_deg": [370.0, 10, np.nan, 5], "fov_deg": [90, 400, 60, 60],
                  "range_m": [-5, 50, 50, 50]}, _points(4))
    result = validate(gdf, "cameras")
    flagged = sorted({(w.row, w.column) for w in result.warnings})
    assert flagged == [(0, "azimuth_deg"), (0, "range_m"), (1, "category"), (1, "fov_deg"),
                       (3, "category")]
    assert result.frame["azimuth_deg"].iloc[0] == 370.0
    assert np.isnan(result.frame["azimuth_deg"].iloc[2])


@pytest.mark.parametrize(("column", "value", "flagged"), [
    ("range_m", 0.0, True), ("range_m", 5000.0, True), ("range_m", 1000.0, False),
    ("fov_deg", 0.0, True), ("fov_deg", 360.0, False), ("azimuth_deg", 360.0, True),
    ("azimuth_deg", 0.0, False),
])
def test_camera_bounds_open_and_closed(column, value, flagged):
    gdf = _frame({"camera_id": ["a"], "category": [1], column: [value]}, _points(1))
    warnings = validate(gdf, "cameras").warnings
    assert any(w.column == column for w in warnings) == flagged


def test_bool_forms():
    gdf = _frame({"road_id": list("abcdef"),
                  "walkable": ["是", "否", "1", "0", "true", None]},
                 [shapely.LineString([(0, i), (1, i)]) for i in range(6)])
    out = validate(gdf, "roads").frame
    assert out["walkable"].tolist() == [True, False, True, False, True, True]


def test_empty_layer_is_a_warning():
    gdf = _frame({"grid_id": []}, [])
    result = validate(gdf, "grids")
    assert len(result.frame) == 0
    assert "no features" in result.warnings[0].message


def test_input_frame_not_modified():
    gdf = _frame({"网格编码": ["A"]}, _squares(1))
    before = gdf.copy()
    validate(gdf, "grids")
    assert list(gdf.columns) == list(before.columns)
