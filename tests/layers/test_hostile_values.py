"""Hostile values: numbers out of range or not finite, ids written as numbers.

Every number column of every schema has a range; a value outside it, or not
finite, is a problem naming row, column and the allowed range (an error, or a
warning for camera records). Ids and codes are text: ``7`` and ``7.0`` are one id
and 18 digits stay 18 digits.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layers import SCHEMAS, SchemaError, load_layer, read_file, validate
from layers.schema import Column
from tests.layers.hostile import attempt

NUMBER_COLUMNS = [(layer, col) for layer, schema in SCHEMAS.items()
                  for col in schema.columns if col.dtype in ("int", "float")]
GEOMETRY = {"Point": shapely.Point(465_000, 3_218_000),
            "LineString": shapely.LineString([(465_000, 3_218_000), (465_100, 3_218_000)]),
            "Polygon": shapely.box(465_000, 3_218_000, 465_100, 3_218_100)}


def _frame(layer: str, column: str, values: list) -> gpd.GeoDataFrame:
    schema = SCHEMAS[layer]
    data = {column: values}
    if schema.id_column and schema.id_column != column:
        data[schema.id_column] = [f"X{i}" for i in range(len(values))]
    return gpd.GeoDataFrame(data, geometry=[GEOMETRY[schema.geometry]] * len(values),
                            crs=4549)


def _outcome(layer: str, col: Column, values: list) -> list:
    """Problems about ``col``, from the error or from the warnings."""
    result, error = attempt(validate, _frame(layer, col.name, values), layer, source="t.csv")
    if error is not None:
        problems = list(error.problems)
    else:
        problems = result.warnings
        assert len(result.frame[col.name]) == len(values)
    return [p for p in problems if p.column == col.name]


def test_every_number_column_has_a_range():
    for layer, col in NUMBER_COLUMNS:
        bounded = col.choices is not None or (col.min_value is not None
                                              and col.max_value is not None)
        assert bounded, f"{layer}.{col.name} has no documented range"
        assert col.range_text


@pytest.mark.parametrize(("layer", "col"), NUMBER_COLUMNS,
                         ids=[f"{layer}.{c.name}" for layer, c in NUMBER_COLUMNS])
@pytest.mark.parametrize("value", ["inf", "-inf", float("inf"), "1e400", "1e308", -1e308,
                                   "NaN", "abc"])
def test_non_finite_and_huge_values_name_row_column_and_range(layer, col, value):
    problems = _outcome(layer, col, [value])
    assert problems, f"{layer}.{col.name}={value!r} passed unreported"
    (p,) = problems
    assert p.row == 0
    assert p.severity == col.on_bad
    assert p.source == "t.csv"
    if col.choices is None:
        assert col.range_text in p.hint


@pytest.mark.parametrize(("layer", "col"), [(layer, c) for layer, c in NUMBER_COLUMNS
                                            if c.max_value is not None],
                         ids=[f"{layer}.{c.name}" for layer, c in NUMBER_COLUMNS
                              if c.max_value is not None])
def test_values_just_outside_the_range_are_reported(layer, col):
    assert _outcome(layer, col, [col.max_value * 10 + 1])
    assert _outcome(layer, col, [col.min_value - 1])
    inside = col.min_value if col.min_inclusive else (col.min_value + col.max_value) / 2
    assert not _outcome(layer, col, [inside])


@pytest.mark.parametrize("value", ["1e20", "1e308", "inf", "NaN", float("nan")])
def test_households_count_is_never_stored_as_one(tmp_path, value):
    path = tmp_path / "h.csv"
    pd.DataFrame({"household_id": ["A", "B"], "households": [value, "3"],
                  "lon": [119.647, 119.648], "lat": [29.079, 29.079]}).to_csv(path, index=False)
    if isinstance(value, float):  # an empty cell: the default of 1 household applies
        frame = load_layer(path, "households").frame
        assert frame["households"].tolist() == [1, 3]
        return
    with pytest.raises(SchemaError, match="row 1, id A, column households") as err:
        load_layer(path, "households")
    assert "100,000" in err.value.message or "not a number" in err.value.message


def test_nan_text_in_a_spreadsheet_is_not_an_empty_cell(tmp_path):
    path = tmp_path / "h.xlsx"
    pd.DataFrame({"household_id": ["A"], "households": ["NaN"], "lon": [119.647],
                  "lat": [29.079]}).to_excel(path, index=False)
    with pytest.raises(SchemaError, match="column households: value is not a number"):
        load_layer(path, "households")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(NUMBER_COLUMNS),
       st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                          st.integers(min_value=-(10**30), max_value=10**30),
                          st.text(max_size=12), st.none()), min_size=1, max_size=6))
def test_any_number_column_value_is_kept_in_range_or_reported(layer_col, values):
    layer, col = layer_col
    frame = _frame(layer, col.name, list(values))
    result, error = attempt(validate, frame, layer)
    if error is not None:
        assert all(p.row is not None for p in error.problems if p.column == col.name)
        return
    reported = {p.row for p in result.warnings if p.column == col.name}
    kept = pd.to_numeric(result.frame[col.name], errors="coerce").astype(float)
    for row, v in enumerate(kept):
        if math.isnan(v) or row in reported:
            continue
        if col.choices is not None:
            assert v in col.choices
            continue
        assert col.min_value <= v <= col.max_value


# ------------------------------------------------------------------ ids and codes


def test_ids_seven_and_seven_point_zero_are_one_id():
    frame = gpd.GeoDataFrame({"household_id": ["7", "7.0"], "households": [1, 2]},
                             geometry=[GEOMETRY["Point"]] * 2, crs=4549)
    with pytest.raises(SchemaError, match="duplicate id '7'"):
        validate(frame, "households")
    staff = gpd.GeoDataFrame({"staff_id": [7.0, 8.0], "grid_id": ["330702001001001.0", "G"]},
                             geometry=[GEOMETRY["Point"]] * 2, crs=4549)
    out = validate(staff, "staff").frame
    assert out["staff_id"].tolist() == ["7", "8"]
    assert out["grid_id"].tolist() == ["330702001001001", "G"]


def test_eighteen_digit_ids_keep_every_digit_from_csv_and_text_cells(tmp_path):
    ids = ["330702199001011234", "007"]
    csv_path = tmp_path / "s.csv"
    pd.DataFrame({"staff_id": ids, "id_number": ids, "lon": [119.647, 119.648],
                  "lat": [29.079, 29.079]}).to_csv(csv_path, index=False)
    loaded = load_layer(csv_path, "staff")
    assert loaded.frame["staff_id"].tolist() == ids
    assert loaded.frame["id_number"].tolist() == ids
    assert not [w for w in loaded.warnings if w.column in ("staff_id", "id_number")]
    xlsx = tmp_path / "s.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["staff_id", "lon", "lat"])
    ws.append(["330702199001011234", 119.647, 29.079])  # a text cell
    ws.append([7, 119.648, 29.079])
    wb.save(xlsx)
    assert load_layer(xlsx, "staff").frame["staff_id"].tolist() == ["330702199001011234", "7"]


def test_ids_a_spreadsheet_cut_to_15_digits_are_reported(tmp_path):
    xlsx = tmp_path / "s.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["staff_id", "lon", "lat"])
    ws.append([330702199001011234, 119.647, 29.079])  # stored as a number: digits lost
    wb.save(xlsx)
    loaded = load_layer(xlsx, "staff")
    (warning,) = [w for w in loaded.warnings if w.column == "staff_id"]
    assert "15 digits" in warning.message
    assert warning.row == 0
    csv_path = tmp_path / "s.csv"
    csv_path.write_text("staff_id,lon,lat\n3.30702E+17,119.647,29.079\n")
    assert [w.row for w in load_layer(csv_path, "staff").warnings if w.column == "staff_id"] \
        == [0]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                          st.integers(min_value=-(2**70), max_value=2**70),
                          st.text(max_size=20)), min_size=1, max_size=8))
def test_any_id_values_give_text_ids_or_name_the_rows(values):
    frame = gpd.GeoDataFrame({"camera_id": pd.Series(values, dtype=object)},
                             geometry=[GEOMETRY["Point"]] * len(values), crs=4549)
    result, error = attempt(validate, frame, "cameras")
    if error is not None:
        assert all(p.row is not None for p in error.problems)
        return
    out = result.frame
    assert all(isinstance(v, str) and v == v.strip() and v for v in out["camera_id"])
    assert not any(v.endswith(".0") for v in out["camera_id"])


def test_numbers_in_float_id_columns_do_not_overflow():
    frame = gpd.GeoDataFrame({"camera_id": [1e20, 7.0, 2.5]},
                             geometry=[GEOMETRY["Point"]] * 3, crs=4549)
    result = validate(frame, "cameras")
    assert result.frame["camera_id"].tolist() == ["100000000000000000000", "7", "2.5"]
    assert [w.row for w in result.warnings if w.column == "camera_id"] == [0]


def test_read_table_keeps_cells_as_text(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("household_id,households,lon,lat\n0012,5,119.647,29.079\n")
    frame = read_file(path)
    assert frame["household_id"].tolist() == ["0012"]
    assert np.isclose(frame.geometry.x.iloc[0], 119.647)


camera_value = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                         st.sampled_from(["inf", "1e20", "-0", "", "abc", "3", "360"]))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(camera_value, camera_value, camera_value, camera_value),
                min_size=1, max_size=4))
def test_camera_records_kept_with_warnings_reopen_as_a_project(tmp_path, rows):
    from gridplanner.project import Project, open_project, save_project

    frame = gpd.GeoDataFrame(
        {"camera_id": [f"C{i}" for i in range(len(rows))],
         **{name: pd.Series([r[k] for r in rows], dtype=object)
            for k, name in enumerate(("category", "range_m", "azimuth_deg", "fov_deg"))}},
        geometry=[GEOMETRY["Point"]] * len(rows), crs=4549)
    result = validate(frame, "cameras")  # camera values never stop the import
    path = tmp_path / "p.gpkg"
    save_project(Project(layers={"cameras": result.frame}), path)
    reopened = open_project(path).layers["cameras"]
    assert reopened["camera_id"].tolist() == result.frame["camera_id"].tolist()
