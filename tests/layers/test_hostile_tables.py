"""Hostile tables: silent wrongs refused or reported, awkward but valid input accepted.

Two columns giving one field, Big5 text, a .dbf shorter than its .shp and a
spreadsheet formula without a value must never pass silently; shapefile names
cut to 10 characters, a ``fid`` column, pipe-separated CSV and odd column names
must load and survive a project round trip.
"""

from __future__ import annotations

import struct

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridplanner.importer import build_project
from gridplanner.project import open_project, save_project
from layers import ReadError, SchemaError, load_layer, read_file, validate
from layers.io import detect_shapefile_encoding
from layers.schema import SCHEMAS
from tests.engine.hostile_data import tiny_layers
from tests.layers.hostile import attempt

JINHUA = [(119.647, 29.079), (119.648, 29.079), (119.649, 29.079)]
TRADITIONAL = ["青春路社區第1網格", "將軍路社區網格員", "後宅街道辦事處"]


def _points(data: dict, n: int = 3) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(data, geometry=shapely.points(JINHUA[:n]), crs=4326)


def _round_trip(tmp_path, files: dict[str, str]):
    project = build_project(files)
    path = tmp_path / "project.gpkg"
    save_project(project, path)
    return project, open_project(path)


# ------------------------------------------------------------------ silent wrongs


def test_two_columns_for_one_field_with_different_values_are_refused():
    frame = _points({"household_id": ["A", "B", "C"], "户数": [10, 20, 30],
                     "HOUSEHOLDS": [1, 2, 3]})
    with pytest.raises(SchemaError, match="columns '户数' and 'HOUSEHOLDS' both give households"):
        validate(frame, "households")


def test_two_columns_for_one_field_with_the_same_values_load():
    frame = _points({"户编号": ["A", "B", "C"], "HOUSEHOLD_ID": ["A", "B", "C"],
                     "户数": ["10", "20", "30"], "HOUSEHOLDS": [10.0, 20.0, 30.0]})
    out = validate(frame, "households").frame
    assert out["household_id"].tolist() == ["A", "B", "C"]
    assert out["households"].tolist() == [10, 20, 30]


@pytest.mark.parametrize("other", ["gbk", "big5"])
def test_text_mixing_utf8_and_another_encoding_is_refused_naming_lines(tmp_path, other):
    path = tmp_path / "h.csv"
    lines = ["household_id,address,lon,lat"] + [
        f"H{i},{TRADITIONAL[i % 3]},{JINHUA[i % 3][0]},{JINHUA[i % 3][1]}" for i in range(6)]
    path.write_bytes(b"\n".join(line.encode("utf-8" if i % 2 else other)
                                for i, line in enumerate(lines)))
    with pytest.raises(ReadError, match="mixes two encodings: line 2 is UTF-8, line 3 is"):
        read_file(path)


def test_short_gbk_lines_that_happen_to_be_utf8_are_not_mixed(tmp_path):
    path = tmp_path / "h.csv"
    # "文" in GBK (CE C4) is no UTF-8; "兰" (C0 BC) neither, but a lone two-byte
    # character can be: one such line among GBK lines is not a second encoding.
    rows = ["household_id,address,lon,lat", "H1,网格一号,119.647,29.079",
            "H2,\u00e9,119.648,29.079"]
    path.write_bytes("\n".join(rows).encode("gb18030"))
    assert read_file(path)["address"].tolist() == ["网格一号", "\u00e9"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_column_name_given_twice_with_other_values_is_refused(tmp_path, suffix):
    path = tmp_path / f"h{suffix}"
    rows = [["household_id", "households", "lon", "lat", "households"],
            ["A", "20", "119.647", "29.079", "5"], ["B", "30", "119.648", "29.079", "30"]]
    _write_rows(path, rows)
    with pytest.raises(ReadError, match=r"column 'households' appears twice \(columns 2 and 5"):
        read_file(path)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_column_name_given_twice_with_the_same_values_loads(tmp_path, suffix):
    path = tmp_path / f"h{suffix}"
    rows = [["household_id", "households", "lon", "lat", "households"],
            ["A", "20", "119.647", "29.079", "20"]]
    _write_rows(path, rows)
    frame = load_layer(path, "households").frame
    assert frame["households"].tolist() == [20]
    assert not [c for c in frame.columns if c.startswith("households.")]


def _write_rows(path, rows: list[list[str]]) -> None:
    if path.suffix == ".csv":
        path.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
        return
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


def _specific_aliases() -> list[tuple[str, str, str]]:
    from layers.validate import _GENERIC_ALIASES

    layers = tiny_layers()
    return [(layer, col.name, alias) for layer in layers
            for col in SCHEMAS[layer].columns if col.dtype in ("str", "int", "float", "bool")
            for alias in col.aliases
            if alias.lower() not in _GENERIC_ALIASES and alias.lower() != col.name
            and alias not in layers[layer].columns and not col.code]


def _two_values(layer: str, column: str) -> tuple[object, object]:
    col = SCHEMAS[layer].column(column)
    if col.choices is not None:
        return col.choices[0], col.choices[-1]
    if col.dtype == "bool":
        return True, False
    if col.dtype in ("int", "float"):
        low = col.min_value if col.min_inclusive else col.min_value + 1
        return low + 1, low + 2
    return "one", "other"


@pytest.mark.parametrize(("layer", "column", "alias"), _specific_aliases(),
                         ids=["/".join(c) for c in _specific_aliases()])
def test_field_name_beside_its_own_alias_with_other_values_is_reported(layer, column, alias):
    frame = tiny_layers()[layer]
    mine, other = _two_values(layer, column)
    frame[column] = [mine] * len(frame)
    frame[alias] = [other] * len(frame)
    out = validate(frame, layer)
    (warning,) = [p for p in out.warnings if alias in p.message]
    assert warning.column == column
    assert f"'{column}' is used" in warning.message
    assert out.frame[column].tolist() == [mine] * len(frame)


def test_field_name_beside_its_own_alias_with_the_same_values_is_quiet():
    frame = tiny_layers()["households"].assign(户数=20)
    out = validate(frame, "households")
    assert not [p for p in out.warnings if "户数" in p.message]


def test_exact_schema_name_beside_a_generic_alias_is_not_a_conflict():
    frame = _points({"camera_id": ["C1", "C2", "C3"], "id": [1, 2, 3]})
    out = validate(frame, "cameras").frame
    assert out["camera_id"].tolist() == ["C1", "C2", "C3"]
    assert out["id"].tolist() == [1, 2, 3]


def test_big5_csv_is_read_as_big5(tmp_path):
    path = tmp_path / "staff.csv"
    pd.DataFrame({"人员编号": ["S1", "S2", "S3"], "姓名": TRADITIONAL,
                  "经度": [p[0] for p in JINHUA], "纬度": [p[1] for p in JINHUA]}) \
        .rename(columns={"人员编号": "staff_id", "姓名": "name", "经度": "lon", "纬度": "lat"}) \
        .to_csv(path, index=False, encoding="big5")
    assert load_layer(path, "staff").frame["name"].tolist() == TRADITIONAL


def test_gbk_csv_stays_gbk(tmp_path):
    names = ["青春路社区第1网格", "将军路社区网格员", "后宅街道办事处"]
    path = tmp_path / "staff.csv"
    pd.DataFrame({"staff_id": ["S1", "S2", "S3"], "name": names,
                  "lon": [p[0] for p in JINHUA], "lat": [p[1] for p in JINHUA]}) \
        .to_csv(path, index=False, encoding="gbk")
    assert load_layer(path, "staff").frame["name"].tolist() == names


def test_big5_shapefile_without_cpg_is_detected(tmp_path):
    path = tmp_path / "g.shp"
    frame = _points({"grid_id": ["A", "B", "C"], "name": TRADITIONAL})
    pyogrio.write_dataframe(frame, path, encoding="big5")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    assert detect_shapefile_encoding(path) == "big5"
    assert read_file(path)["name"].tolist() == TRADITIONAL


def test_cpg_naming_an_unknown_encoding_is_ignored(tmp_path):
    path = tmp_path / "g.shp"
    pyogrio.write_dataframe(_points({"grid_id": ["A", "B", "C"], "name": TRADITIONAL}), path,
                            encoding="UTF-8")
    path.with_suffix(".cpg").write_text("no-such-encoding" * 1000)
    assert read_file(path)["name"].tolist() == TRADITIONAL


def test_dbf_with_fewer_records_than_shapes_is_refused(tmp_path):
    path = tmp_path / "h.shp"
    pyogrio.write_dataframe(_points({"hid": ["A", "B", "C"]}), path)
    other = tmp_path / "other.shp"
    pyogrio.write_dataframe(_points({"hid": ["X"]}, n=1), other)
    path.with_suffix(".dbf").write_bytes(other.with_suffix(".dbf").read_bytes())
    with pytest.raises(ReadError, match=r"h\.shp: the \.shp holds 3 shapes but the \.dbf 1"):
        read_file(path)


def test_formula_without_a_saved_value_is_refused_naming_the_cell(tmp_path):
    path = tmp_path / "staff.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["staff_id", "capacity", "lon", "lat"])
    ws.append(["S1", 300, *JINHUA[0]])
    ws.append(["S2", "=B2*2", *JINHUA[1]])  # openpyxl saves no computed value
    wb.save(path)
    with pytest.raises(ReadError, match=r"cell B3 \(column capacity\) holds a formula"):
        load_layer(path, "staff")


def test_formula_with_a_saved_value_loads(tmp_path):
    path = tmp_path / "staff.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["staff_id", "capacity", "lon", "lat"])
    ws.append(["S1", 300, *JINHUA[0]])
    ws.append(["S2", None, *JINHUA[1]])  # empty, not a formula: the role default applies
    wb.save(path)
    assert load_layer(path, "staff").frame["capacity"].isna().tolist() == [False, True]


# ------------------------------------------------------------------ valid input


@pytest.mark.filterwarnings("ignore:Normalized/laundered field name")
def test_shapefile_names_cut_to_ten_characters_load(tmp_path):
    households = tmp_path / "households.shp"
    pyogrio.write_dataframe(_points({"household_id": ["H1", "H2", "H3"],
                                     "households": [3, 4, 5]}), households)
    facilities = tmp_path / "facilities.shp"
    pyogrio.write_dataframe(_points({"facility_id": ["F1", "F2", "F3"]}), facilities)
    grids = tmp_path / "grids.shp"
    pyogrio.write_dataframe(gpd.GeoDataFrame(
        {"grid_id": ["G1"], "community_id": ["C1"]},
        geometry=[shapely.box(119.646, 29.078, 119.650, 29.080)], crs=4326), grids)
    assert "household_" in read_file(households).columns
    _, reopened = _round_trip(tmp_path, {"households": str(households),
                                         "facilities": str(facilities),
                                         "grids": str(grids)})
    assert reopened.layers["households"]["household_id"].tolist() == ["H1", "H2", "H3"]
    assert reopened.layers["facilities"]["facility_id"].tolist() == ["F1", "F2", "F3"]
    assert reopened.layers["grids"]["community_id"].tolist() == ["C1"]


def test_every_long_schema_name_has_its_cut_form():
    for schema in SCHEMAS.values():
        for col in schema.columns:
            if len(col.name.encode()) > 10:
                assert col.name[:10] in col.match_names


def test_cut_forms_never_collide_with_another_column():
    for schema in SCHEMAS.values():
        for col in schema.columns:
            others = {n.lower() for c in schema.columns if c is not col for n in c.match_names}
            own_cut = {n.lower() for n in col.match_names[len(col.aliases) + 1:]}
            assert not own_cut & others, (schema.name, col.name)


def test_column_cut_too_short_is_reported_with_a_suggestion():
    frame = _points({"household_id": ["A", "B", "C"], "populati": [3, 4, 5],
                     "addr": ["x", "y", "z"]})
    result = validate(frame, "households")
    found = {w.column: w for w in result.warnings}
    assert "looks like population cut short" in found["populati"].message
    assert "rename it to 'population'" in found["populati"].hint
    assert "looks like address cut short" in found["addr"].message
    assert result.frame["populati"].tolist() == [3, 4, 5]  # kept as it was


def test_fid_column_survives_the_project(tmp_path):
    path = tmp_path / "h.geojson"
    pyogrio.write_dataframe(_points({"household_id": ["A", "B", "C"], "fid": ["x", "y", "x"],
                                     "FID_1": [1, 1, 1]}), path, driver="GeoJSON")
    _, reopened = _round_trip(tmp_path, {"households": str(path)})
    frame = reopened.layers["households"]
    assert frame["fid_2"].tolist() == ["x", "y", "x"]
    assert frame["FID_1"].tolist() == [1, 1, 1]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_csv_separated_by_any_common_delimiter(tmp_path, sep):
    path = tmp_path / "h.csv"
    rows = [["household_id", "address", "lon", "lat"],
            ["A", "金华市,婺城区", "119.647", "29.079"], ["B", "x", "119.648", "29.079"]]
    quoted = [[f'"{v}"' if "," in v and sep == "," else v for v in row] for row in rows]
    path.write_text("\n".join(sep.join(r) for r in quoted) + "\n", encoding="utf-8")
    frame = load_layer(path, "households").frame
    assert frame["household_id"].tolist() == ["A", "B"]
    assert frame["address"].tolist() == ["金华市,婺城区", "x"]


def test_columns_differing_only_in_case_survive_the_project(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("household_id,Note,note,geom,lon,lat\nA,1,2,3,119.647,29.079\n")
    project, reopened = _round_trip(tmp_path, {"households": str(path)})
    frame = reopened.layers["households"]
    assert frame[["Note", "note_2", "geom_2"]].iloc[0].tolist() == ["1", "2", "3"]
    assert any("kept as 'note_2'" in w.message for w in project.warnings)


name_text = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(["fid", "FID", "geom", "Geom", "note", "Note", "NOTE", "households",
                     "户数", "HOUSEHOLDS", "", " ", "household_", "id", "populati"]),
)
value_text = st.text(st.characters(exclude_categories=()), max_size=30)  # surrogates too


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(name_text, min_size=1, max_size=5), st.lists(value_text, min_size=3,
                                                            max_size=3))
def test_any_column_names_and_text_values_are_refused_or_survive(tmp_path, names, values):
    data = {"household_id": ["A", "B", "C"]}
    for name in names:
        data.setdefault(name, values)
    frame = _points({k: v for k, v in data.items() if k != "geometry"})
    result, error = attempt(validate, frame, "households")
    if error is not None:
        assert error.problems
        return
    path = tmp_path / "p.gpkg"
    from gridplanner.project import Project

    save_project(Project(layers={"households": result.frame}), path)
    reopened = open_project(path).layers["households"]
    assert reopened["household_id"].tolist() == result.frame["household_id"].tolist()
    assert len(reopened.columns) == len(result.frame.columns)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=15), min_size=1, max_size=4))
def test_any_ids_text_is_refused_by_row_or_stored_as_written(ids):
    frame = gpd.GeoDataFrame({"household_id": ids},
                             geometry=[shapely.Point(JINHUA[0])] * len(ids), crs=4326)
    result, error = attempt(validate, frame, "households")
    if error is not None:
        assert all(p.row is not None and p.column == "household_id" for p in error.problems)
        return
    out = result.frame["household_id"].tolist()
    assert all(isinstance(v, str) and v for v in out)
    assert len(set(out)) == len(out)


def test_text_with_nul_and_surrogates_is_stored(tmp_path):
    frame = _points({"household_id": ["a\x00b", "a\x00c", "\ud800x"],
                     "address": ["line\x00cut", "ok", "\udcff"]})
    result = validate(frame, "households")
    from gridplanner.project import Project

    path = tmp_path / "p.gpkg"
    save_project(Project(layers={"households": result.frame}), path)
    reopened = open_project(path).layers["households"]
    assert reopened["household_id"].tolist() == ["ab", "ac", "\ufffdx"]
    assert reopened["address"].tolist() == ["linecut", "ok", "\ufffd"]


def test_dbf_header_record_count_is_read_from_the_file(tmp_path):
    # The check reads the count from the header, not by reading every record.
    path = tmp_path / "h.shp"
    pyogrio.write_dataframe(_points({"hid": ["A", "B", "C"]}), path)
    header = path.with_suffix(".dbf").read_bytes()[:8]
    assert struct.unpack("<I", header[4:8])[0] == 3
    assert len(read_file(path)) == 3


def test_more_columns_than_a_geopackage_holds_is_a_clear_error(tmp_path):
    extra = {f"c{i}": ["x"] * 3 for i in range(2100)}
    frame = _points({"household_id": ["A", "B", "C"], **extra})
    with pytest.raises(SchemaError, match="2,107 columns, more than the 1,990"):
        validate(frame, "households")


@pytest.mark.parametrize("value", ["\ud800", "a\udfffb", "x\x00y"])
def test_unstorable_text_in_any_text_column_is_cleaned_before_the_save(tmp_path, value):
    # pandas 3 reads text as its string dtype, not object: both kinds are cleaned.
    from gridplanner.project import Project

    frame = _points({"household_id": ["A", "B", "C"], "note": [value] * 3})
    result = validate(frame, "households")
    path = save_project(Project(layers={"households": result.frame}), tmp_path / "p.gpkg")
    note = open_project(path).layers["households"]["note"].tolist()
    assert all("\ud800" not in v and "\udfff" not in v and "\x00" not in v for v in note)
