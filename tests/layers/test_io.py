"""Readers for every supported format, including Chinese encodings and headers."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from layers import ReadError, SchemaError, load_layer, read_file, write_layer
from layers.io import detect_shapefile_encoding

INPUTS = Path(__file__).parents[1] / "data" / "inputs"
NAMES = ["青春路社区第1网格", "青春路社区第2网格"]


def _grids() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"网格编码": ["330702001001001", "330702001001002"], "网格名称": NAMES},
        geometry=[shapely.box(119.64, 29.07, 119.642, 29.072),
                  shapely.box(119.642, 29.07, 119.644, 29.072)],
        crs=4326,
    )


def test_gbk_shapefile_without_cpg_is_detected():
    path = INPUTS / "grids_gbk.shp"
    assert not path.with_suffix(".cpg").exists()
    assert detect_shapefile_encoding(path) == "gb18030"
    assert read_file(path)["网格名称"].tolist() == NAMES


def test_gbk_shapefile_with_cpg(tmp_path):
    path = tmp_path / "g.shp"
    pyogrio.write_dataframe(_grids(), path, encoding="GBK")
    path.with_suffix(".cpg").write_text("936")
    assert detect_shapefile_encoding(path) == "gb18030"
    assert read_file(path)["网格名称"].tolist() == NAMES


def test_utf8_shapefile(tmp_path):
    path = tmp_path / "g.shp"
    frame = _grids().rename(columns={"网格编码": "grid_id", "网格名称": "name"})
    pyogrio.write_dataframe(frame, path, encoding="UTF-8")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    assert detect_shapefile_encoding(path) == "utf-8"
    assert read_file(path)["name"].tolist() == NAMES


def test_zipped_shapefile(tmp_path):
    archive = tmp_path / "grids.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in INPUTS.glob("grids_gbk.*"):
            zf.write(f, f"folder/{f.name}")
    loaded = load_layer(archive, "grids")
    assert loaded.frame["grid_id"].tolist() == ["330702001001001", "330702001001002"]
    assert loaded.frame["name"].tolist() == NAMES
    assert loaded.frame.crs.to_epsg() == 4549  # chosen metric CRS for Jinhua


def test_gbk_csv_with_chinese_lonlat_headers():
    loaded = load_layer(INPUTS / "staff_gbk.csv", "staff")
    frame = loaded.frame
    assert frame["name"].tolist() == ["张伟", "王芳", "李强"]
    assert frame["role"].tolist() == ["grid_head", "full_time", "police"]
    assert frame.crs.to_epsg() == 4549
    lonlat = frame.to_crs(4326).geometry
    assert lonlat.x.iloc[0] == pytest.approx(119.6470, abs=1e-9)


def test_csv_with_wkt_and_xlsx_with_xy(tmp_path):
    pd.DataFrame({"grid_id": ["A"], "WKT": ["POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0))"]}) \
        .to_csv(tmp_path / "g.csv", index=False)
    frame = read_file(tmp_path / "g.csv")
    assert frame.geometry.iloc[0].area == 100 * 100
    assert frame.crs is None  # metres: the caller must say which system
    pd.DataFrame({"camera_id": ["C1"], "X": [465000.0], "Y": [3218000.0]}) \
        .to_excel(tmp_path / "c.xlsx", index=False)
    from pyproj import CRS

    frame = load_layer(tmp_path / "c.xlsx", "cameras",
                       source_crs=CRS.from_epsg(4549)).frame
    assert frame.geometry.iloc[0].x == pytest.approx(465000.0)


def test_geopackage_named_layer_and_round_trip(tmp_path):
    path = tmp_path / "x.gpkg"
    write_layer(_grids(), path, layer="网格")
    write_layer(_grids().iloc[:1], path, layer="other")
    assert len(read_file(path, layer="网格")) == 2
    assert len(read_file(path, layer="other")) == 1


def test_geojson_written_in_wgs84(tmp_path):
    write_layer(_grids().to_crs(4549), tmp_path / "g.geojson", layer="grids")
    back = read_file(tmp_path / "g.geojson")
    assert back.crs.to_epsg() == 4326
    assert back.geometry.iloc[0].bounds[0] == pytest.approx(119.64)


def _failing_after_write(monkeypatch):
    """Make pyogrio write its file and then fail, as a full disk would halfway."""
    real = pyogrio.write_dataframe

    def write_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pyogrio, "write_dataframe", write_then_fail)


@pytest.mark.parametrize(("name", "layer"), [("x.gpkg", "added"), ("g.geojson", "grids")])
def test_write_layer_that_fails_leaves_the_old_file(tmp_path, monkeypatch, name, layer):
    path = tmp_path / name
    write_layer(_grids(), path, layer="网格")
    before = path.read_bytes()
    _failing_after_write(monkeypatch)
    with pytest.raises(OSError, match="No space"):
        write_layer(_grids().iloc[:1], path, layer=layer)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary left behind


def test_write_layer_adds_beside_and_replaces_a_layer_of_the_same_name(tmp_path):
    path = tmp_path / "x.gpkg"
    write_layer(_grids(), path, layer="a")
    write_layer(_grids(), path, layer="b")
    write_layer(_grids().iloc[:1], path, layer="a")
    assert sorted(n for n, _ in pyogrio.list_layers(path)) == ["a", "b"]
    assert (len(read_file(path, layer="a")), len(read_file(path, layer="b"))) == (1, 2)
    assert [p.name for p in tmp_path.iterdir()] == ["x.gpkg"]


def test_gcj02_file_lands_on_true_positions():
    loaded = load_layer(INPUTS / "households_gcj02.geojson", "households", source_crs="gcj02")
    truth = gpd.GeoSeries(shapely.points([(119.6470, 29.0790)]), crs=4326).to_crs(4549)
    assert loaded.frame.geometry.iloc[0].distance(truth.iloc[0]) < 0.01
    naive = load_layer(INPUTS / "households_gcj02.geojson", "households")
    assert naive.frame.geometry.iloc[0].distance(truth.iloc[0]) > 300


@pytest.mark.parametrize(("name", "kind", "error", "text"), [
    ("empty.geojson", "grids", ReadError, "empty"),
    ("missing.geojson", "grids", ReadError, "not found"),
    ("grids_missing_id_column.geojson", "grids", SchemaError, "grid_id"),
    ("cameras_wrong_geometry.geojson", "cameras", SchemaError, "expected Point"),
    ("households_duplicate_ids.csv", "households", SchemaError, "duplicate id 'H2'"),
    ("README.md", "grids", ReadError, "unknown file type"),
])
def test_broken_inputs_give_clear_errors(name, kind, error, text):
    with pytest.raises(error, match=text) as err:
        load_layer(INPUTS / name, kind)
    assert name in err.value.message or name.replace(".geojson", "") in err.value.message


def test_text_in_no_known_encoding_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"camera_id,lon,lat\n\xff\xfe\xfa,119.6,29.1\n")
    with pytest.raises(ReadError, match="save it as UTF-8"):
        read_file(path)
