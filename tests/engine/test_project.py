"""The project file: round trip, GeoPackage conformance, atomic save, bad files."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from gridplanner.errors import ProjectError
from gridplanner.project import Project, open_project, save_project
from layers.validate import validate

INPUTS = Path(__file__).parents[1] / "data" / "inputs"


def _tiny_project(n_households: int = 50) -> Project:
    rng = np.random.default_rng(1)
    grids = gpd.GeoDataFrame(
        {"grid_id": ["330702001001001", "330702001001002"], "name": ["一网格", "二网格"],
         "community_id": ["330702001001"] * 2, "kind": ["urban", "rural"],
         "locked": [False, True]},
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)], crs=4549)
    xy = rng.uniform(0, 200, size=(n_households, 2)) + np.array([465000, 3218000])
    grids = grids.set_geometry(grids.geometry.translate(465000, 3218000))
    households = gpd.GeoDataFrame(
        {"household_id": [f"H{i}" for i in range(n_households)],
         "households": rng.integers(1, 40, n_households),
         "address": ["金华市婺城区"] * n_households},
        geometry=shapely.points(xy), crs=4549)
    layers = {"grids": validate(grids, "grids").frame,
              "households": validate(households, "households").frame}
    return Project(layers=layers, settings={"band": {"urban": [280, 520]}},
                   scenarios={"方案一": {"note": "加两名专职网格员", "staff_added": 2}})


def test_round_trip_keeps_layers_settings_scenarios(tmp_path):
    project = _tiny_project()
    project.extra_layers["coverage_result"] = project.layers["grids"].assign(pct=[10.5, 99.0])
    path = save_project(project, tmp_path / "p.gpkg")
    back = open_project(path)
    for name, frame in project.layers.items():
        got = back.layers[name]
        assert list(got.columns) == list(frame.columns)
        assert got.geometry.geom_equals_exact(frame.geometry, tolerance=1e-6).all()
        for col in frame.columns.drop("geometry"):
            assert got[col].tolist() == frame[col].tolist(), col
    assert back.settings == project.settings
    assert back.config["band"]["urban"] == [280, 520]
    assert back.config["band"]["rural"] == [300, 500]  # default kept
    assert back.scenarios == project.scenarios
    assert back.extra_layers["coverage_result"]["pct"].tolist() == [10.5, 99.0]
    assert back.crs.to_epsg() == 4549


def test_file_is_a_plain_geopackage(tmp_path):
    path = save_project(_tiny_project(), tmp_path / "p.gpkg")
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert contents["grids"] == "features"
    assert contents["gp_settings"] == "attributes"
    assert contents["gp_scenarios"] == "attributes"
    names = {row[0] for row in pyogrio.list_layers(path)}
    assert {"grids", "households", "gp_meta", "gp_settings", "gp_scenarios"} <= names


def test_save_replaces_and_leaves_no_temporaries(tmp_path):
    project = _tiny_project()
    path = tmp_path / "p.gpkg"
    save_project(project, path)
    project.settings["language"] = "en"
    save_project(project)
    assert open_project(path).settings["language"] == "en"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.gpkg"]


_SAVER = """
import sys
sys.path.insert(0, {root!r})
import numpy as np, geopandas as gpd, shapely
from gridplanner.project import Project, save_project
from layers.validate import validate
n = 200_000
xy = np.random.default_rng(0).uniform(0, 1000, (n, 2)) + [465000, 3218000]
hh = gpd.GeoDataFrame({{"household_id": np.arange(n).astype(str), "households": 1}},
                      geometry=shapely.points(xy), crs=4549)
project = Project(layers={{"households": validate(hh, "households").frame}},
                  settings={{"generation": "new"}})
print("ready", flush=True)
while True:
    save_project(project, {path!r})
"""


def test_killed_save_leaves_previous_file_intact(tmp_path):
    path = tmp_path / "p.gpkg"
    original = _tiny_project()
    original.settings["generation"] = "old"
    save_project(original, path)
    root = str(Path(__file__).parents[2])
    proc = subprocess.Popen([sys.executable, "-c", _SAVER.format(root=root, path=str(path))],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        # Kill as soon as the big save has started writing its temporary file.
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(".p.tmp-") for p in tmp_path.iterdir()):
            assert time.monotonic() < deadline, "the save never started"
            time.sleep(0.01)
        time.sleep(0.2)
        proc.kill()
    finally:
        proc.wait()
    leftovers = [p for p in tmp_path.iterdir() if p.name != "p.gpkg"]
    assert leftovers, "the killed save should have left its temporary file behind"
    back = open_project(path)  # opening clears the dead process's temporaries
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.gpkg"]
    assert back.settings["generation"] in ("old", "new")
    if back.settings["generation"] == "old":
        assert len(back.layers["households"]) == 50
    shutil.copy(leftovers[0].parent / "p.gpkg", tmp_path / ".p.tmp-999999999.gpkg")
    (tmp_path / ".p.tmp-999999999.gpkg-journal").write_bytes(b"")
    save_project(original, path)  # and so does the next save
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.gpkg"]


@pytest.mark.parametrize(("name", "text"), [
    ("plain_layers.gpkg", "not a GridPlanner project"),
    ("damaged.gpkg", "damaged"),
    ("staff_gbk.csv", "not a GeoPackage"),
    ("nowhere.gpkg", "not found"),
])
def test_foreign_or_damaged_files_give_clear_errors(name, text):
    with pytest.raises(ProjectError, match=text):
        open_project(INPUTS / name)


def test_newer_format_refused(tmp_path):
    path = save_project(_tiny_project(), tmp_path / "p.gpkg")
    with sqlite3.connect(path) as con:
        con.execute("UPDATE gp_meta SET value = '99' WHERE key = 'format_version'")
    with pytest.raises(ProjectError, match="newer GridPlanner"):
        open_project(path)


def test_layer_broken_outside_the_app_is_reported(tmp_path):
    path = save_project(_tiny_project(), tmp_path / "p.gpkg")
    grids = pyogrio.read_dataframe(path, layer="grids")
    grids["grid_id"] = "330702001001001"  # as if edited by hand in QGIS
    pyogrio.write_dataframe(grids, path, layer="grids", layer_options={"OVERWRITE": "YES"})
    with pytest.raises(ProjectError, match="duplicate id") as err:
        open_project(path)
    assert err.value.problems[0].layer == "grids"


def test_events_reach_listeners():
    project = _tiny_project()
    seen: list[tuple[str, str]] = []
    project.subscribe(lambda event, name: seen.append((event, name)))
    project.set_layer("grids", project.layers["grids"].iloc[:1])
    project.set_layer("my_result", project.layers["grids"])
    project.remove_layer("my_result")
    assert seen == [("layer_changed", "grids"), ("layer_changed", "my_result"),
                    ("layer_removed", "my_result")]
    assert "my_result" not in project.extra_layers
