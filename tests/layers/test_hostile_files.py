"""Hostile input files: archives, pipes, devices, folders, odd names and layer specs.

Every case ends in a clear :class:`ReadError` naming the file and what to do, or in
the layer being read; none may hang, read outside what it was given, or fill memory.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from layers import ReadError, SchemaError, load_layer, read_file
from layers.io import check_input_file, list_layers, split_layer_spec

JINHUA = (119.647, 29.079)


def _households(ids: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"household_id": ids},
        geometry=shapely.points([(JINHUA[0] + 0.001 * i, JINHUA[1]) for i in range(len(ids))]),
        crs=4326,
    )


def _ids(frame: gpd.GeoDataFrame) -> list[str]:
    """The id column as read (a shapefile cuts ``household_id`` to ``household_``)."""
    name = next(c for c in frame.columns if c.startswith("household_"))
    return frame[name].tolist()


def _write_shapefile(folder: Path, stem: str, ids: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.shp"
    with pytest.warns(RuntimeWarning, match="laundered"):
        pyogrio.write_dataframe(_households(ids), path, encoding="UTF-8")
    return path


def _zip_shapefile(archive: Path, shp: Path, member_stem: str) -> None:
    """Zip a shapefile's parts under ``member_stem`` taken literally (``../``, ``/abs``)."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in shp.parent.glob(f"{shp.stem}.*"):
            zf.writestr(zipfile.ZipInfo(f"{member_stem}{part.suffix}"), part.read_bytes())


# ------------------------------------------------------------------ zip archives


@pytest.mark.parametrize("member", ["../decoy", "a/../../decoy"])
def test_zip_member_climbing_out_reads_the_archived_copy(tmp_path, monkeypatch, member):
    # A shapefile named like the archive member, where the unsafe name points.
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch / "inner"))
    (scratch / "inner").mkdir()
    _write_shapefile(scratch, "decoy", ["OUTSIDE"])
    _write_shapefile(scratch / "inner" / "sub" / "sub2", "decoy", ["OUTSIDE"])
    archived = _write_shapefile(tmp_path / "src", "h", ["ARCHIVED"])
    archive = tmp_path / "evil.zip"
    _zip_shapefile(archive, archived, member)
    frame = read_file(archive)
    assert _ids(frame) == ["ARCHIVED"]


def test_zip_member_with_absolute_name_reads_the_archived_copy(tmp_path):
    decoy = _write_shapefile(tmp_path / "elsewhere", "decoy", ["OUTSIDE"])
    archived = _write_shapefile(tmp_path / "src", "h", ["ARCHIVED"])
    archive = tmp_path / "abs.zip"
    _zip_shapefile(archive, archived, str(decoy.with_suffix("")))
    assert _ids(read_file(archive)) == ["ARCHIVED"]


def _set_encrypted_flag(archive: Path) -> None:
    """Set the "encrypted" bit of every member, as a password-protected archive has it."""
    data = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = data.find(signature)
        while pos >= 0:
            data[pos + offset] |= 0x1
            pos = data.find(signature, pos + 4)
    archive.write_bytes(bytes(data))


def test_encrypted_zip_member_is_refused(tmp_path):
    shp = _write_shapefile(tmp_path / "src", "h", ["A"])
    archive = tmp_path / "locked.zip"
    _zip_shapefile(archive, shp, "h")
    _set_encrypted_flag(archive)
    with pytest.raises(ReadError, match="password") as err:
        read_file(archive)
    assert "locked.zip" in err.value.message


def test_zip_bomb_is_refused_before_unpacking(tmp_path, monkeypatch):
    written: list[str] = []
    real_open = open

    def watching_open(file, mode="r", *args, **kwargs):
        if "w" in str(mode):
            written.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    shp = _write_shapefile(tmp_path / "src", "h", ["A"])
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in shp.parent.glob("h.*"):
            zf.write(part, part.name)
        # 96 MiB of zeros squeezed into about 100 kB: a ratio no real layer has.
        zf.writestr("h.shp.xml", b"\0" * (96 * 1024 * 1024))
    monkeypatch.setattr("builtins.open", watching_open)
    with pytest.raises(ReadError, match="zip bomb") as err:
        read_file(archive)
    assert "bomb.zip" in err.value.message
    assert not written


def test_zip_larger_than_the_limit_is_refused(tmp_path, monkeypatch):
    import layers.io

    shp = _write_shapefile(tmp_path / "src", "h", ["A", "B"])
    archive = tmp_path / "big.zip"
    _zip_shapefile(archive, shp, "h")
    monkeypatch.setattr(layers.io, "ZIP_MAX_BYTES", 200)
    with pytest.raises(ReadError, match="unpack to") as err:
        read_file(archive)
    assert "big.zip" in err.value.message


def test_zip_with_a_named_shapefile_that_is_not_there(tmp_path):
    shp = _write_shapefile(tmp_path / "src", "h", ["A"])
    archive = tmp_path / "one.zip"
    _zip_shapefile(archive, shp, "folder/h")
    assert _ids(read_file(archive, layer="h")) == ["A"]
    with pytest.raises(ReadError, match=r"no shapefile 'other'.*h"):
        read_file(archive, layer="other")


def test_damaged_zip_is_a_clear_error(tmp_path):
    shp = _write_shapefile(tmp_path / "src", "h", ["A"])
    archive = tmp_path / "cut.zip"
    _zip_shapefile(archive, shp, "h")
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(ReadError, match=r"cut\.zip"):
        read_file(archive)


# ------------------------------------------------------------------ pipes, devices, folders


@pytest.mark.timeout(20)
@pytest.mark.parametrize("name", ["pipe.geojson", "pipe.csv", "pipe.zip", "pipe.gpkg"])
def test_named_pipe_is_refused_at_once(tmp_path, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    with pytest.raises(ReadError, match="named pipe") as err:
        read_file(fifo)
    assert name in err.value.message


@pytest.mark.timeout(20)
def test_shapefile_whose_dbf_is_a_pipe_is_refused(tmp_path):
    shp = _write_shapefile(tmp_path, "h", ["A"])
    shp.with_suffix(".dbf").unlink()
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    os.mkfifo(shp.with_suffix(".dbf"))
    with pytest.raises(ReadError, match=r"h\.dbf.*named pipe"):
        read_file(shp)


@pytest.mark.timeout(20)
@pytest.mark.parametrize("name", ["zero.csv", "zero.geojson", "zero.shp", "zero.xlsx"])
def test_link_to_a_device_is_refused(tmp_path, name):
    link = tmp_path / name
    link.symlink_to("/dev/zero")
    with pytest.raises(ReadError, match="device"):
        read_file(link)


def test_folder_given_as_a_layer_file_is_refused(tmp_path):
    folder = tmp_path / "grids.shp"
    folder.mkdir()
    with pytest.raises(ReadError, match="folder"):
        read_file(folder)
    with pytest.raises(ReadError, match="folder"):
        list_layers(folder)


def test_broken_link_and_unreadable_file(tmp_path):
    link = tmp_path / "gone.geojson"
    link.symlink_to(tmp_path / "nothing.geojson")
    with pytest.raises(ReadError, match="does not exist"):
        read_file(link)
    if os.geteuid() != 0:  # root reads anything
        locked = tmp_path / "locked.csv"
        locked.write_text("a,lon,lat\n1,119.6,29.1\n")
        locked.chmod(0)
        with pytest.raises(ReadError, match="permission"):
            read_file(locked)


def test_link_to_a_real_file_is_followed(tmp_path):
    real = tmp_path / "real.geojson"
    pyogrio.write_dataframe(_households(["A"]), real, driver="GeoJSON")
    link = tmp_path / "link.geojson"
    link.symlink_to(real)
    assert check_input_file(link) == link
    assert _ids(read_file(link)) == ["A"]


# ------------------------------------------------------------------ odd file names


@pytest.mark.filterwarnings("ignore:Normalized/laundered field name")
@pytest.mark.parametrize("stem", ["a::b", "a\nb", "a;b", "a!b", "a\tb", " lead", "网格 (1)"])
@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp", ".csv"])
def test_file_names_with_odd_characters_are_read(tmp_path, stem, suffix):
    path = tmp_path / f"{stem}{suffix}"
    frame = _households(["A", "B"])
    if suffix == ".csv":
        path.write_text("household_id,lon,lat\nA,119.647,29.079\nB,119.648,29.079\n")
    else:
        plain = tmp_path / f"plain{suffix}"
        pyogrio.write_dataframe(frame, plain)
        for part in tmp_path.glob("plain.*"):
            part.rename(tmp_path / f"{stem}{part.suffix}")
    assert _ids(read_file(path)) == ["A", "B"]
    assert load_layer(path, "households").frame["household_id"].tolist() == ["A", "B"]


GDAL_CUT = ["a;b", "a!b", "a\nb", "网格;2024"]


@pytest.mark.parametrize("stem", GDAL_CUT)
def test_project_saved_and_opened_under_a_name_gdal_cuts(tmp_path, stem):
    # GDAL reads and writes ".a;b.tmp-1.gpkg" as ".a": the temporaries beside the
    # file must not carry the user's characters.
    from gridplanner.project import Project, open_project, save_project

    path = tmp_path / f"{stem}.gpkg"
    save_project(Project(layers={"households": load_layer(
        _write_geojson(tmp_path, ["A", "B"]), "households").frame}), path)
    assert sorted(os.listdir(tmp_path)) == sorted(["h.geojson", path.name])
    assert open_project(path).layers["households"]["household_id"].tolist() == ["A", "B"]
    assert sorted(os.listdir(tmp_path)) == sorted(["h.geojson", path.name])


@pytest.mark.parametrize("stem", GDAL_CUT)
def test_layers_written_under_a_name_gdal_cuts(tmp_path, stem):
    from layers.io import write_geopackage, write_layer

    path = tmp_path / f"{stem}.gpkg"
    write_layer(_households(["A"]), path, layer="first")
    write_layer(_households(["B", "C"]), path, layer="second")
    assert os.listdir(tmp_path) == [path.name]
    assert list_layers(path) == ["first", "second"]
    assert _ids(read_file(path, layer="second")) == ["B", "C"]
    write_geopackage({"only": _households(["D"])}, path)
    assert os.listdir(tmp_path) == [path.name]
    assert list_layers(path) == ["only"]
    geojson = tmp_path / f"{stem}.geojson"
    write_layer(_households(["E"]), geojson, layer="x")
    assert _ids(read_file(geojson)) == ["E"]


def _write_geojson(folder: Path, ids: list[str]) -> Path:
    path = folder / "h.geojson"
    pyogrio.write_dataframe(_households(ids), path, driver="GeoJSON")
    return path


# ------------------------------------------------------------------ FILE::LAYER


@pytest.mark.parametrize(("spec", "expected"), [
    ("out::v2.gpkg", ("out::v2.gpkg", None)),
    ("plan::2024::v2.gpkg", ("plan::2024::v2.gpkg", None)),
    ("out.gpkg::findings", ("out.gpkg", "findings")),
    ("a::b.gpkg::findings", ("a::b.gpkg", "findings")),
    ("out.gpkg::", ("out.gpkg", None)),
])
def test_layer_spec_of_a_file_still_to_be_written(tmp_path, spec, expected):
    path, layer = split_layer_spec(tmp_path / spec)
    assert (path, layer) == (tmp_path / expected[0], expected[1])


def test_layer_spec_prefers_an_existing_file(tmp_path):
    odd = tmp_path / "a::b.gpkg"
    odd.write_bytes(b"x")
    assert split_layer_spec(str(odd)) == (odd, None)
    assert split_layer_spec(f"{odd}::grids") == (odd, "grids")
    plain = tmp_path / "p.gpkg"
    plain.write_bytes(b"x")
    assert split_layer_spec(f"{plain}::网格") == (plain, "网格")
    assert split_layer_spec(f"{plain}::") == (plain, None)
    assert split_layer_spec(str(tmp_path / "missing.gpkg::x")) == (tmp_path / "missing.gpkg",
                                                                   "x")


def test_missing_layer_names_the_layers_there(tmp_path):
    path = tmp_path / "x.gpkg"
    pyogrio.write_dataframe(_households(["A"]), path, layer="households")
    with pytest.raises(ReadError, match=r"no layer 'nope'.*households"):
        read_file(path, layer="nope")


# ------------------------------------------------------------------ big and damaged text


def test_geojson_with_a_16_mb_text_attribute(tmp_path):
    text = "路" * (16 * 1024 * 1024 // 3 + 10)
    data = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"household_id": "A", "address": text},
        "geometry": {"type": "Point", "coordinates": list(JINHUA)}}]}
    path = tmp_path / "big.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    frame = load_layer(path, "households").frame
    assert frame["address"].iloc[0] == text


def test_csv_with_a_16_mb_text_attribute(tmp_path):
    text = "x" * (16 * 1024 * 1024)
    path = tmp_path / "big.csv"
    path.write_text(f"household_id,address,lon,lat\nA,{text},119.647,29.079\n")
    assert read_file(path)["address"].iloc[0] == text


def test_text_table_too_large_to_read_is_refused(tmp_path, monkeypatch):
    import layers.io

    path = tmp_path / "h.csv"
    path.write_text("household_id,lon,lat\nA,119.647,29.079\n")
    monkeypatch.setattr(layers.io, "TEXT_MAX_BYTES", 10)
    with pytest.raises(ReadError, match="too large"):
        read_file(path)


@pytest.mark.parametrize("body", [b"{", b"\x00\x01\x02garbage", b"[]", b"null"])
def test_damaged_geojson_is_a_clear_error(tmp_path, body):
    path = tmp_path / "bad.geojson"
    path.write_bytes(body)
    with pytest.raises(ReadError, match=r"bad\.geojson: not a valid \.geojson file"):
        read_file(path)


def test_geojson_feature_without_geometry_names_the_row(tmp_path):
    path = tmp_path / "bare.geojson"
    path.write_text('{"type": "Feature", "properties": {"household_id": "A"}}')
    with pytest.raises(SchemaError, match="row 1, id A, column geometry: geometry is missing"):
        load_layer(path, "households")


def test_spreadsheet_that_unpacks_to_too_much_is_refused(tmp_path, monkeypatch):
    import layers.io

    path = tmp_path / "h.xlsx"
    pd.DataFrame({"household_id": ["A"], "lon": [JINHUA[0]], "lat": [JINHUA[1]]}).to_excel(
        path, index=False)
    assert read_file(path)["household_id"].tolist() == ["A"]
    monkeypatch.setattr(layers.io, "TEXT_MAX_BYTES", 1000)
    with pytest.raises(ReadError, match=r"h\.xlsx: the contents would unpack to"):
        read_file(path)
    monkeypatch.undo()
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/zeros.bin", b"\0" * (64 * 1024 * 1024))
    with pytest.raises(ReadError, match="zip bomb"):
        read_file(path)


def test_utf16_text_saved_by_excel_is_read(tmp_path):
    path = tmp_path / "h.txt"
    text = "household_id\taddress\tlon\tlat\nA\t金华市婺城区\t119.647\t29.079\n"
    path.write_bytes(text.encode("utf-16"))
    frame = read_file(path)
    assert frame["address"].tolist() == ["金华市婺城区"]
    assert frame.crs.to_epsg() == 4326


def test_swapped_lon_lat_columns_are_named(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("household_id,经度,纬度\nA,29.079,119.647\nB,29.08, 119.648\n")
    with pytest.raises(ReadError, match="columns '经度' and '纬度' look swapped"):
        read_file(path)


@pytest.mark.parametrize("repeat", [1, 4 * 1024 * 1024])  # the long one is beyond GDAL
def test_geojson_in_gbk_is_read(tmp_path, repeat):
    text = "婺城区" * repeat
    data = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"household_id": "甲", "address": text},
        "geometry": {"type": "Point", "coordinates": list(JINHUA)}}]}
    path = tmp_path / "gbk.geojson"
    path.write_bytes(json.dumps(data, ensure_ascii=False).encode("gbk"))
    frame = read_file(path)
    assert frame["household_id"].tolist() == ["甲"]
    assert frame["address"].iloc[0] == text
