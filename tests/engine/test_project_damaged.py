"""Damaged project files: every table the opener reads is checked before it is used.

Each damage ends in a ProjectError that names the file, the table or key and what to
do, or (where nothing the user made is lost) opens with a warning naming it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from gridplanner.cli import EXIT_ERROR, EXIT_OK, main
from gridplanner.errors import ProjectError
from gridplanner.project import open_project, save_project

sys.path.insert(0, str(Path(__file__).parent))
from test_project import _tiny_project

DEEP = "[" * 100_000 + "]" * 100_000
SET = "INSERT OR REPLACE INTO gp_settings VALUES "


@pytest.fixture(scope="module")
def good_file(tmp_path_factory) -> Path:
    return save_project(_tiny_project(), tmp_path_factory.mktemp("good") / "good.gpkg")


def _damaged(good: Path, tmp_path: Path, *statements: str) -> Path:
    path = tmp_path / "damaged.gpkg"
    shutil.copy(good, path)
    with sqlite3.connect(path) as con:
        for statement in statements:
            con.execute(statement)
    return path


ERRORS = [
    # (statements, words the message must hold besides the file name)
    (["UPDATE gp_meta SET value = 'abc' WHERE key = 'format_version'"],
     ["gp_meta", "format_version", "'abc'", "backup"]),
    (["UPDATE gp_meta SET value = NULL WHERE key = 'format_version'"],
     ["gp_meta", "format_version", "backup"]),
    (["UPDATE gp_meta SET value = '-3' WHERE key = 'format_version'"],
     ["gp_meta", "format_version", "backup"]),
    (["UPDATE gp_scenarios SET document = NULL"], ["gp_scenarios", "方案一", "backup"]),
    (["UPDATE gp_scenarios SET document = '[1, 2]'"], ["gp_scenarios", "方案一", "backup"]),
    (["UPDATE gp_scenarios SET document = '{\"note\": '"], ["gp_scenarios", "方案一"]),
    (["UPDATE gp_scenarios SET document = '{\"a\": " + DEEP + "}'"],
     ["gp_scenarios", "方案一", "nested"]),
    (["UPDATE gp_scenarios SET name = NULL"], ["gp_scenarios", "name"]),
    (["DROP TABLE households"], ["households", "gpkg_contents", "backup"]),
    (["ALTER TABLE gp_meta RENAME COLUMN value TO v"], ["gp_meta", "backup"]),
    (["DROP TABLE gp_scenarios",
      "CREATE TABLE gp_scenarios (name TEXT PRIMARY KEY)"], ["gp_scenarios", "backup"]),
    (["DELETE FROM gpkg_geometry_columns WHERE table_name = 'grids'"],
     ["grids", "gpkg_geometry_columns", "backup"]),
    (["DROP TABLE gpkg_contents"], ["gpkg_contents"]),
]


@pytest.mark.parametrize(("statements", "words"), ERRORS,
                         ids=[" / ".join(s)[:50] for s, _w in ERRORS])
def test_damage_ends_in_project_error_naming_table_and_remedy(good_file, tmp_path, capsys,
                                                               statements, words):
    path = _damaged(good_file, tmp_path, *statements)
    with pytest.raises(ProjectError) as err:
        open_project(path)
    message = err.value.message
    assert str(path) in message
    for word in words:
        assert word in message, (word, message)
    assert main(["info", str(path)]) == EXIT_ERROR
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert out.err.startswith("error: ")


WARNINGS = [
    # (statements, settings key dropped, words of the warning)
    ([SET + "('walk_cutoff_m', NULL)"], "walk_cutoff_m", ["empty"]),
    ([SET + "('walk_cutoff_m', '12,5')"], "walk_cutoff_m", ["JSON"]),
    ([SET + f"('walk_cutoff_m', '{DEEP}')"], "walk_cutoff_m",
     ["nested"]),
    ([SET + "('band', '" + "[" * 100 + "]" * 100 + "')"], "band",
     ["nested"]),
    ([SET + "(NULL, '1')"], "", ["key"]),
]


@pytest.mark.parametrize("value", ['"garbage"', "[1, 2]", "4326"])
def test_bad_analysis_crs_opens_with_a_warning_and_the_layers_crs(good_file, tmp_path, value):
    path = _damaged(good_file, tmp_path, SET + f"('analysis_crs', '{value}')")
    project = open_project(path)
    assert project.crs.to_epsg() == 4549
    found = [p for p in project.warnings if p.layer == "gp_settings"]
    assert len(found) == 1
    assert "analysis_crs" in found[0].describe()
    assert "metric" in found[0].describe()


@pytest.mark.parametrize(("statements", "key", "words"), WARNINGS,
                         ids=[s[0][:60] for s, _k, _w in WARNINGS])
def test_bad_setting_is_dropped_with_a_warning(good_file, tmp_path, capsys, statements, key,
                                               words):
    path = _damaged(good_file, tmp_path, *statements)
    project = open_project(path)
    assert project.settings == ({} if key == "band" else {"band": {"urban": [280, 520]}})
    assert key not in project.settings
    assert project.crs.to_epsg() == 4549
    found = [p for p in project.warnings if p.layer == "gp_settings"]
    assert len(found) == 1
    text = found[0].describe()
    assert key in text
    for word in words:
        assert word in text, (word, text)
    assert project.scenarios  # everything else is there
    assert main(["info", str(path)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "gp_settings" in out


def test_missing_settings_and_scenario_tables_open_with_warnings(good_file, tmp_path):
    path = _damaged(good_file, tmp_path, "DROP TABLE gp_settings", "DROP TABLE gp_scenarios",
                    "DELETE FROM gpkg_contents WHERE table_name IN "
                    "('gp_settings', 'gp_scenarios')")
    project = open_project(path)
    assert project.settings == {}
    assert project.scenarios == {}
    tables = sorted(p.layer for p in project.warnings)
    assert tables == ["gp_scenarios", "gp_settings"]
    assert set(project.layers) == {"grids", "households"}


def test_a_folder_is_not_a_project(tmp_path, capsys):
    folder = tmp_path / "looks_like.gpkg"
    folder.mkdir()
    with pytest.raises(ProjectError, match="is a folder"):
        open_project(folder)
    assert main(["info", str(folder)]) == EXIT_ERROR
    assert "Traceback" not in capsys.readouterr().err


def test_a_named_pipe_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.gpkg"
    os.mkfifo(fifo)
    with pytest.raises(ProjectError, match="not a regular file"):
        open_project(fifo)  # reading it would block forever


def test_garbage_analysis_crs_in_memory_falls_back_and_cannot_be_set():
    from gridplanner.errors import SettingsError

    project = _tiny_project()
    project.settings["analysis_crs"] = "garbage"
    assert project.crs == project.layers["grids"].crs  # the checked setting is empty
    with pytest.raises(SettingsError, match="analysis_crs"):
        project.set_setting("analysis_crs", "garbage")


def test_deep_settings_value_refused_at_save(tmp_path):
    value: list = []
    for _ in range(5000):
        value = [value]
    project = _tiny_project()
    project.settings["my_setting"] = value
    with pytest.raises(ProjectError, match=r"my_setting.*nested"):
        save_project(project, tmp_path / "p.gpkg")
    assert not (tmp_path / "p.gpkg").exists()


def test_folder_and_file_names_with_uri_characters_open(tmp_path):
    folder = tmp_path / "规划 #2? 100% [final]"
    folder.mkdir()
    path = save_project(_tiny_project(), folder / "项目 #1?.gpkg")
    project = open_project(path)
    assert set(project.layers) == {"grids", "households"}
    assert project.scenarios
    assert sorted(p.name for p in folder.iterdir()) == ["项目 #1?.gpkg"]
