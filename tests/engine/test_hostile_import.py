"""Hostile files through ``gridplanner import``, then every command on what imports.

Each case replaces one layer file of the tiny district with a crafted one. The
outcome is asserted per case: the import stops (nothing written) with a message
naming the file and, where a row is at fault, the row and column; or the project
is written (with the warning named for the case), opens, validates, and every
core command runs on it or stops with the case's own clear error.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely

from gridplanner.cli import EXIT_ERROR, EXIT_OK, main
from gridplanner.project import open_project
from tests.engine.hostile_data import tiny_layers
from tests.engine.test_hostile_commands import CORE

Builder = Callable[[Path], tuple[str, str]]
# Shapefiles cut household_id to household_ (the point of some cases), and say so.
pytestmark = pytest.mark.filterwarnings("ignore:Normalized/laundered field name")


def _wgs(name: str) -> gpd.GeoDataFrame:
    return tiny_layers()[name].to_crs(4326)


def _lonlat_table(name: str) -> pd.DataFrame:
    frame = _wgs(name)
    table = pd.DataFrame(frame.drop(columns="geometry"))
    table["lon"], table["lat"] = frame.geometry.x, frame.geometry.y
    return table


def _base_files(folder: Path) -> dict[str, str]:
    files = {}
    for name in ("grids", "roads", "households", "staff", "cameras", "facilities"):
        path = folder / f"{name}.geojson"
        pyogrio.write_dataframe(_wgs(name), path, driver="GeoJSON")
        files[name] = str(path)
    return files


# ------------------------------------------------------------------ crafted files


def pipe_csv(d: Path) -> tuple[str, str]:
    path = d / "households.csv"
    _lonlat_table("households").to_csv(path, sep="|", index=False)
    return "households", str(path)


def far_point(d: Path) -> tuple[str, str]:
    frame = _wgs("households")
    far = gpd.GeoDataFrame({"household_id": ["FAR"], "households": [3]},
                           geometry=[shapely.Point(0.0, 0.0)], crs=4326)
    path = d / "households.geojson"
    pyogrio.write_dataframe(pd.concat([frame, far], ignore_index=True), path)
    return "households", str(path)


def wrong_zone(d: Path) -> tuple[str, str]:
    # Gauss-Kruger CM 117E coordinates of the households, declared as CM 120E.
    frame = tiny_layers()["households"].to_crs(4326).to_crs(4548)
    path = d / "households.gpkg"
    pyogrio.write_dataframe(frame.set_crs(4549, allow_override=True), path, layer="homes")
    return "households", f"{path}::homes"


def bowtie(d: Path) -> tuple[str, str]:
    frame = _wgs("grids")
    (x0, y0, x1, y1) = frame.geometry.iloc[0].bounds
    frame.loc[0, "geometry"] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    path = d / "grids.geojson"
    pyogrio.write_dataframe(frame, path)
    return "grids", str(path)


def flat_grid(d: Path) -> tuple[str, str]:
    frame = _wgs("grids")
    (x0, y0, x1, _) = frame.geometry.iloc[1].bounds
    frame.loc[1, "geometry"] = shapely.Polygon([(x0, y0), (x1, y0), (x0, y0), (x1, y0)])
    path = d / "grids.geojson"
    pyogrio.write_dataframe(frame, path)
    return "grids", str(path)


def two_point_ring(d: Path) -> tuple[str, str]:
    frame = _wgs("grids")
    data = json.loads(frame.to_json())
    data["features"][2]["geometry"]["coordinates"] = [[[119.6, 29.1], [119.61, 29.1]]]
    path = d / "grids.geojson"
    path.write_text(json.dumps(data))
    return "grids", str(path)


def huge_households(d: Path) -> tuple[str, str]:
    table = _lonlat_table("households").astype({"households": object})
    table.loc[3, "households"] = "1e20"
    path = d / "households.csv"
    table.to_csv(path, index=False)
    return "households", str(path)


def nan_text_xlsx(d: Path) -> tuple[str, str]:
    table = _lonlat_table("households").astype({"households": object})
    table.loc[0, "households"] = "NaN"
    path = d / "households.xlsx"
    table.to_excel(path, index=False)
    return "households", str(path)


def odd_cameras(d: Path) -> tuple[str, str]:
    table = _lonlat_table("cameras").astype(object)
    table.loc[0, "range_m"] = "inf"
    table.loc[1, "category"] = "1e20"
    path = d / "cameras.csv"
    table.to_csv(path, index=False)
    return "cameras", str(path)


def big5_staff(d: Path) -> tuple[str, str]:
    table = _lonlat_table("staff")
    table["name"] = "網格員" + table["staff_id"]
    path = d / "staff.csv"
    table.to_csv(path, index=False, encoding="big5")
    return "staff", str(path)


def _shapefile(d: Path, name: str) -> Path:
    path = d / "shp" / f"{name}.shp"
    path.parent.mkdir(exist_ok=True)
    pyogrio.write_dataframe(_wgs(name), path)
    return path


def cut_names_shapefile(d: Path) -> tuple[str, str]:
    return "households", str(_shapefile(d, "households"))


def zip_climbing_out(d: Path) -> tuple[str, str]:
    shp = _shapefile(d, "households")
    archive = d / "households.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp.parent.glob("households.*"):
            zf.writestr(zipfile.ZipInfo(f"../../{part.name}"), part.read_bytes())
    return "households", str(archive)


def encrypted_zip(d: Path) -> tuple[str, str]:
    shp = _shapefile(d, "households")
    archive = d / "households.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp.parent.glob("households.*"):
            zf.write(part, part.name)
    data = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = data.find(signature)
        while pos >= 0:
            data[pos + offset] |= 0x1
            pos = data.find(signature, pos + 4)
    archive.write_bytes(bytes(data))
    return "households", str(archive)


def short_dbf(d: Path) -> tuple[str, str]:
    shp = _shapefile(d, "households")
    few = d / "few" / "few.shp"
    few.parent.mkdir()
    pyogrio.write_dataframe(_wgs("households").iloc[:2], few)
    shp.with_suffix(".dbf").write_bytes(few.with_suffix(".dbf").read_bytes())
    return "households", str(shp)


def named_pipe(d: Path) -> tuple[str, str]:
    path = d / "pipe.geojson"
    os.mkfifo(path)
    return "households", str(path)


def folder(d: Path) -> tuple[str, str]:
    path = d / "households.shp"
    path.mkdir()
    return "households", str(path)


def fid_column(d: Path) -> tuple[str, str]:
    frame = _wgs("households")
    frame["fid"] = ["a"] * len(frame)
    path = d / "households.geojson"
    pyogrio.write_dataframe(frame, path)
    return "households", str(path)


def alias_conflict(d: Path) -> tuple[str, str]:
    table = _lonlat_table("households").rename(columns={"households": "户数"})
    table["HOUSEHOLDS"] = 1
    path = d / "households.csv"
    table.to_csv(path, index=False)
    return "households", str(path)


def formula_capacity(d: Path) -> tuple[str, str]:
    table = _lonlat_table("staff")
    path = d / "staff.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([*table.columns, "capacity"])
    for i, row in enumerate(table.itertuples(index=False)):
        ws.append([*row, f"=B{i + 2}*2" if i == 4 else 300])
    wb.save(path)
    return "staff", str(path)


def odd_name_layer(d: Path) -> tuple[str, str]:
    plain = d / "plain.gpkg"
    pyogrio.write_dataframe(_wgs("households"), plain, layer="住户")
    path = plain.rename(d / "a::b;c.gpkg")
    return "households", f"{path}::住户"


#: Case -> (builder, expected). Expected is ("error", texts) or ("ok", warning text).
CASES: dict[str, tuple[Builder, tuple[str, tuple[str, ...]]]] = {
    "pipe_csv": (pipe_csv, ("ok", ())),
    "far_point": (far_point, ("ok", ("km from the rest of the data",))),
    "wrong_zone": (wrong_zone, ("ok", ("km from the rest of the data",))),
    "bowtie": (bowtie, ("ok", ("invalid polygon repaired",))),
    "odd_cameras": (odd_cameras, ("ok", ("range_m", "category"))),
    "big5_staff": (big5_staff, ("ok", ())),
    "cut_names_shapefile": (cut_names_shapefile, ("ok", ())),
    "zip_climbing_out": (zip_climbing_out, ("ok", ())),
    "fid_column": (fid_column, ("ok", ("kept as 'fid_2'",))),
    "odd_name_layer": (odd_name_layer, ("ok", ())),
    "flat_grid": (flat_grid, ("error", ("row 2, id G1, column geometry", "no area"))),
    "two_point_ring": (two_point_ring, ("error", ("row 3, id G2, column geometry",))),
    "huge_households": (huge_households, ("error", ("row 4, id H3, column households",
                                                    "value above 100000"))),
    "nan_text_xlsx": (nan_text_xlsx, ("error", ("row 1, id H0, column households",
                                                "not a number"))),
    "encrypted_zip": (encrypted_zip, ("error", ("households.zip", "password-protected"))),
    "short_dbf": (short_dbf, ("error", ("households.shp", "attribute records"))),
    "named_pipe": (named_pipe, ("error", ("pipe.geojson", "named pipe"))),
    "folder": (folder, ("error", ("households.shp", "is a folder"))),
    "alias_conflict": (alias_conflict, ("error", ("'户数' and 'HOUSEHOLDS' both give",))),
    "formula_capacity": (formula_capacity, ("error", ("staff.xlsx", "cell F6 (column capacity)"))),
}
#: Commands that stop on an imported case, with what they say.
AFTER_IMPORT_ERRORS = {
    ("wrong_zone", c): "household points lies within 300 m of a walkable road"
    for c in ("allocate", "allocate-within-grid")
}


def _import(tmp_path: Path, case: str, capsys) -> tuple[int, str, Path]:
    files = _base_files(tmp_path)
    layer, spec = CASES[case][0](tmp_path)
    files[layer] = spec
    out = tmp_path / "project.gpkg"
    argv = ["import", str(out)]
    for name, path in files.items():
        argv += [f"--{name}", path]
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err, out


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", list(CASES))
def test_hostile_file_import(tmp_path, capsys, case):
    code, text, out = _import(tmp_path, case, capsys)
    assert "Traceback" not in text
    assert "unexpected failure" not in text, text[-1500:]
    kind, texts = CASES[case][1]
    for fragment in texts:
        assert fragment in text, text[-2000:]
    if kind == "error":
        assert code != EXIT_OK
        assert not out.exists()
        return
    assert code == EXIT_OK, text[-2000:]
    assert open_project(out).layers["households"].shape[0] >= 16


ACCEPTED = [c for c, (_, (kind, _)) in CASES.items() if kind == "ok"]
COMMANDS = ["validate", "info", "check", "coverage", "site-cameras", "allocate",
            "allocate-within-grid", "place", "service-areas", "route-points", "export-map"]


@pytest.mark.parametrize("case", ACCEPTED)
def test_every_command_on_what_imports(tmp_path, capsys, case):
    code, text, project = _import(tmp_path, case, capsys)
    assert code == EXIT_OK, text[-2000:]
    for command in COMMANDS:
        code = main(CORE[command](str(project), tmp_path))
        captured = capsys.readouterr()
        text = captured.out + captured.err
        assert "Traceback" not in text
        assert "unexpected failure" not in text, (command, text[-1500:])
        expected = AFTER_IMPORT_ERRORS.get((case, command))
        if expected is None:
            assert code in (0, 1), (command, text[-1500:])
        else:
            assert code == EXIT_ERROR
            assert expected in captured.err


INPUTS = Path(__file__).parents[1] / "data" / "inputs"


@pytest.mark.parametrize(("flag", "name", "code", "text"), [
    ("--households", "households_pipe_separated.csv", EXIT_OK, "written"),
    ("--households", "households_far_point.geojson", EXIT_OK, "km from the rest of the data"),
    ("--households", "households_zip_slip.zip", EXIT_OK, "written"),
    ("--households", "households_two_counts.csv", 1, "'户数' and 'HOUSEHOLDS' both give"),
    ("--households", "households_huge_counts.csv", 1, "row 3, id H3, column households"),
    ("--grids", "grids_flat_polygon.geojson", 1, "row 2, id G2, column geometry"),
])
def test_committed_hostile_inputs(tmp_path, capsys, flag, name, code, text):
    out = tmp_path / "p.gpkg"
    assert main(["import", str(out), flag, str(INPUTS / name)]) == code
    captured = capsys.readouterr()
    assert text in captured.out + captured.err
    assert out.exists() == (code == EXIT_OK)
