"""Column and value mapping, administrative levels and parent links."""

from __future__ import annotations

import contextlib
import json

import geopandas as gpd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.admin import hierarchy_problems
from layers.errors import SchemaError
from layers.mapping import (
    ImportMapping,
    LayerMapping,
    apply_mapping,
    column_signature,
    load_mapping,
    mapping_from_dict,
    mapping_from_flags,
    parse_column_flag,
    parse_value_flag,
    save_mapping,
    suggest_columns,
)
from layers.validate import validate


def _areas(**columns):
    n = len(next(iter(columns.values())))
    boxes = [shapely.box(i * 100, 0, i * 100 + 90, 90) for i in range(n)]
    return gpd.GeoDataFrame(columns, geometry=boxes, crs=4549)


def test_column_flag_names_layer_and_columns():
    assert parse_column_flag("service_areas:area_id=adcode") == ("service_areas", "area_id",
                                                                 "adcode")
    # Layer and column aliases are accepted, the schema's names come out.
    assert parse_column_flag("网格:网格编码=WGBM") == ("grids", "grid_id", "WGBM")
    assert parse_column_flag("service-areas:area_id=adcode")[0] == "service_areas"


@pytest.mark.parametrize(("text", "said"), [
    ("service_areas:area_id", "LAYER:COLUMN=FILE_COLUMN"),
    ("areas:area_id=adcode", "unknown layer 'areas'"),
    ("service_areas:adcode=area_id", "has no column 'adcode'"),
])
def test_column_flag_errors_name_the_flag(text, said):
    with pytest.raises(SchemaError) as info:
        parse_column_flag(text)
    assert f"--column {text}" in info.value.message
    assert said in info.value.message


def test_value_flag_checks_the_value_meant():
    assert parse_value_flag("staff:role:专职网格员=full_time") == ("staff", "role", "专职网格员",
                                                                "full_time")
    with pytest.raises(SchemaError, match=r"'boss' is not a value of staff\.role"):
        parse_value_flag("staff:role:组长=boss")


def test_apply_renames_and_keeps_the_displaced_column():
    frame = _areas(adcode=[330702, 330703], area_id=["a", "b"], name=["婺城区", "金东区"])
    out = apply_mapping(frame, "service_areas", LayerMapping({"area_id": "adcode"}))
    assert out["area_id"].tolist() == [330702, 330703]
    assert out["area_id_file"].tolist() == ["a", "b"]
    assert "adcode" not in out.columns
    assert frame.columns.tolist()[:2] == ["adcode", "area_id"]  # input untouched


def test_apply_unknown_source_lists_the_file_columns():
    frame = _areas(code=["1"], name=["x"])
    with pytest.raises(SchemaError) as info:
        apply_mapping(frame, "service_areas", LayerMapping({"area_id": "adcode"}),
                      source="d.geojson")
    assert "area_id=adcode: the file has no column 'adcode'; its columns are code, name" in \
        info.value.message
    assert "d.geojson" in info.value.message


def test_values_mapped_as_text_through_an_alias_column():
    frame = gpd.GeoDataFrame({"人员编号": ["S1", "S2", "S3"], "岗位": ["组长", "网格长", None]},
                             geometry=shapely.points([(0, 0), (1, 1), (2, 2)]), crs=4549)
    mapping = mapping_from_flags(values=["staff:role:组长=grid_head"]).for_layer("staff")
    out = validate(apply_mapping(frame, "staff", mapping), "staff").frame
    assert out["role"].tolist() == ["grid_head", "grid_head", "full_time"]


def test_numeric_values_map_as_text():
    frame = _areas(area_id=["1", "2"], level=[2.0, 3.0])
    mapping = LayerMapping(values={"level": {"2": "street", "3": "community"}})
    out = validate(apply_mapping(frame, "service_areas", mapping), "service_areas").frame
    assert out["level"].tolist() == ["street", "community"]


def test_saving_a_mapping_that_fails_leaves_the_old_file(tmp_path, monkeypatch):
    from pathlib import Path

    path = save_mapping(mapping_from_flags(columns=["households:households=户数"]),
                        tmp_path / "m.json")
    before = path.read_bytes()
    real = Path.write_text

    def half_then_fail(self, text, *args, **kwargs):
        real(self, text[: len(text) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", half_then_fail)
    with pytest.raises(OSError, match="No space"):
        save_mapping(mapping_from_flags(columns=["households:households=hh"]), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_mapping_json_round_trip(tmp_path):
    mapping = mapping_from_flags(columns=["service_areas:area_id=adcode",
                                          "households:households=户数"],
                                 values=["staff:role:专职网格员=full_time"])
    path = save_mapping(mapping, tmp_path / "m.json")
    assert "专职网格员" in path.read_text(encoding="utf-8")  # readable, not \\u escapes
    assert load_mapping(path) == mapping
    # Flags override the file for the same column and add to it otherwise.
    over = mapping_from_flags(columns=["service_areas:area_id=code"], base=mapping)
    assert over.for_layer("service_areas").columns == {"area_id": "code"}
    assert over.for_layer("households").columns == {"households": "户数"}


@pytest.mark.parametrize(("data", "said"), [
    ([1, 2], "not a column mapping"),
    ({"format": "qgis", "layers": {}}, "format 'qgis'"),
    ({"layers": {"grids": {"columns": {"nope": "x"}}}}, "grids:nope=x: layer grids has no "
                                                        "column 'nope'"),
    ({"layers": {"grids": {"columns": {"grid_id": 5}}}}, "must name a file column"),
])
def test_mapping_file_errors_name_the_entry(data, said):
    with pytest.raises(SchemaError, match=None) as info:
        mapping_from_dict(data, source="m.json")
    assert info.value.message.startswith("m.json: ")
    assert said in info.value.message


def test_load_mapping_refuses_broken_json(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("{nope", encoding="utf-8")
    with pytest.raises(Exception, match="not a readable JSON mapping"):
        load_mapping(path)
    assert json.loads(ImportMapping().to_json())["layers"] == {}


def test_suggestions_follow_the_aliases():
    found = suggest_columns(["户编号", "户数", "other"], "households")
    assert found == {"household_id": "户编号", "households": "户数", "population": None,
                     "address": None, "party_members": None, "floating_population": None}
    assert suggest_columns(["community_", "grid_id"], "grids")["community_id"] == "community_"


def test_signature_is_the_column_set():
    assert column_signature(["a", "b"]) == column_signature(["b", "a", "geometry"])
    assert column_signature(["a", "b"]) != column_signature(["a", "c"])


# --------------------------------------------------------------------------- levels


@pytest.mark.parametrize(("given", "level"), [
    ("市", "city"), ("区", "district"), ("县", "district"), ("county", "district"),
    ("District", "district"), ("街道", "street"), ("镇", "street"), ("乡", "street"),
    ("town", "street"), ("street", "street"), ("社区", "community"), ("村", "community"),
    ("village", "community"),
])
def test_admin_levels_and_aliases(given, level):
    out = validate(_areas(area_id=["1"], level=[given]), "service_areas").frame
    assert out["level"].tolist() == [level]


def test_adcodes_stay_text_with_leading_zeros():
    frame = _areas(area_id=["0571001", "330702"], parent_id=["", "0571001"],
                   level=["district", "street"])
    out = validate(frame, "service_areas").frame
    assert out["area_id"].tolist() == ["0571001", "330702"]
    numeric = validate(_areas(area_id=[330702.0, 330703.0]), "service_areas").frame
    assert numeric["area_id"].tolist() == ["330702", "330703"]


def test_datav_parent_objects_give_the_parent_code():
    frame = _areas(area_id=[330702, 330703], parent_id=['{ "adcode": 330700 }', {"adcode": 1}],
                   level=["district", "district"])
    out = validate(frame, "service_areas").frame
    assert out["parent_id"].tolist() == ["330700", "1"]


def test_parent_links_checked():
    frame = _areas(area_id=["D", "S1", "S2", "C1", "C2", "C3"],
                   level=["district", "street", "street", "community", "community", "street"],
                   parent_id=["CITY", "D", "C1", "S1", "S9", "C3"])
    result = validate(frame, "service_areas")
    found = {(p.feature_id, p.message.split(" (")[0]) for p in result.warnings}
    assert found == {
        ("S2", "parent 'C1' is not above a street"),
        ("C2", "parent 'S9' is not an area of the file"),
        ("C3", "the area is its own parent"),
    }
    # The district's parent (the city) is not expected in a district's file.
    assert all(p.feature_id != "D" for p in result.warnings)


def test_hierarchy_of_an_empty_layer():
    assert hierarchy_problems(_areas(area_id=[])) == []


def test_empty_source_keeps_a_matching_column_out():
    frame = gpd.GeoDataFrame({"网格编码": ["g1"], "名称": ["not a name"]},
                             geometry=[shapely.box(0, 0, 50, 50)], crs=4549)
    mapping = mapping_from_flags(columns=["grids:name="]).for_layer("grids")
    out = validate(apply_mapping(frame, "grids", mapping), "grids").frame
    assert out["name"].tolist() == [""]
    assert out["名称_file"].tolist() == ["not a name"]


def test_preview_reports_problems_of_the_first_rows():
    from layers.mapping import preview_mapping

    head = _areas(adcode=[1, 2, 3], level=["区", "planet", "村"])
    preview = preview_mapping(head, "service_areas", LayerMapping({"area_id": "adcode"}))
    assert [(p.row, p.column) for p in preview.problems] == [(1, "level")]
    assert preview.frame["area_id"].tolist() == [1, 2, 3]  # as read: the rows do not pass
    fixed = preview_mapping(head, "service_areas", LayerMapping(
        {"area_id": "adcode"}, {"level": {"planet": "city"}}))
    assert fixed.problems == []
    assert fixed.frame["level"].tolist() == ["district", "city", "community"]


def test_read_file_first_rows_only(tmp_path):
    from layers.io import read_file

    frame = _areas(area_id=[str(i) for i in range(30)])
    frame.to_file(tmp_path / "a.gpkg")
    frame.drop(columns="geometry").assign(x=1.0, y=2.0).to_csv(tmp_path / "a.csv", index=False)
    assert len(read_file(tmp_path / "a.gpkg", max_rows=5)) == 5
    assert len(read_file(tmp_path / "a.csv", max_rows=5)) == 5
    assert len(read_file(tmp_path / "a.gpkg")) == 30


# --------------------------------------------------------------------------- properties

_NAMES = st.text(alphabet=st.sampled_from("abcxyz_户数编号区"), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(names=st.lists(_NAMES, min_size=3, max_size=3, unique=True),
       ids=st.lists(st.from_regex(r"0?[1-9][0-9]{0,7}", fullmatch=True), min_size=1,
                    max_size=6, unique=True))
def test_renamed_columns_mapped_back_read_the_same(names, ids):
    """Any file whose columns carry other names reads as the original once mapped."""
    n = len(ids)
    frame = gpd.GeoDataFrame({"household_id": ids, "households": list(range(1, n + 1)),
                              "address": ["x"] * n},
                             geometry=shapely.points([(i * 10.0, 0.0) for i in range(n)]),
                             crs=4549)
    renamed = frame.rename(columns=dict(zip(["household_id", "households", "address"], names,
                                            strict=True)))
    mapping = mapping_from_flags(columns=[
        f"households:{t}={s}" for t, s in zip(["household_id", "households", "address"], names,
                                              strict=True)])
    mapping = load_mapping_text(mapping.to_json())
    got = validate(apply_mapping(renamed, "households", mapping.for_layer("households")),
                   "households").frame
    want = validate(frame, "households").frame
    assert got[want.columns].equals(want)
    assert got["household_id"].tolist() == ids  # text: leading zeros kept


def load_mapping_text(text):
    return mapping_from_dict(json.loads(text))


def _unblock_reader(fifo):
    """Open ``fifo`` for writing once, so a reader stuck on it (before the fix) is let go."""
    import os

    with contextlib.suppress(OSError):
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="named pipes are POSIX")
def test_load_mapping_refuses_pipes_devices_and_folders_at_once(tmp_path):
    import os
    import threading

    from layers.errors import ReadError

    fifo = tmp_path / "mapping.json"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "folder.json"
    folder.mkdir()
    big = tmp_path / "big.json"
    big.write_text(" " * (2 * 1024**2) + "{}", encoding="utf-8")
    expected = {fifo: "is a named pipe", zero: "is a device", folder: "is a folder",
                big: "too large"}
    for path, words in expected.items():
        outcome: list[BaseException | None] = []

        def load(p=path, out=outcome):
            try:
                load_mapping(p)
                out.append(None)
            except BaseException as exc:  # handed to the test thread
                out.append(exc)

        reader = threading.Thread(target=load, daemon=True)
        reader.start()
        reader.join(30)  # a reader blocked on the pipe would never return
        if reader.is_alive():
            _unblock_reader(fifo)
            reader.join(30)
            pytest.fail(f"{path.name}: reading the mapping blocked")
        assert isinstance(outcome[0], ReadError), (path.name, outcome)
        assert str(path) in str(outcome[0]), str(outcome[0])
        assert words in str(outcome[0]), str(outcome[0])
        assert "column mapping" in str(outcome[0]) or words == "too large"
