"""Command-line writes take the project's lock: concurrent runs lose nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from gridplanner.cli import EXIT_ERROR, EXIT_OK, main
from gridplanner.locking import ProjectLock, lock_file_for, this_host
from gridplanner.project import file_stamp, open_project, save_project

sys.path.insert(0, str(Path(__file__).parent))
from test_project import _tiny_project

ROOT = Path(__file__).parents[2]
INPUTS = Path(__file__).parents[1] / "data" / "inputs"


def test_concurrent_scenario_creates_keep_every_scenario(sample_project_file, tmp_path):
    path = tmp_path / "sample.gpkg"
    shutil.copy(sample_project_file, path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRIDPLANNER_LOCK_WAIT_S": "300"}
    names = [f"s{i}" for i in range(3)]
    procs = [subprocess.Popen(
        [sys.executable, "-c", "from gridplanner.cli import entry; entry()", "scenario",
         "create", str(path), name, "--set", f"walk_cutoff_m={1000 + i}"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i, name in enumerate(names)]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [EXIT_OK] * 3, outputs
    scenarios = open_project(path).scenarios
    assert sorted(scenarios) == names
    for i, name in enumerate(names):
        assert scenarios[name]["parameters"]["walk_cutoff_m"] == 1000 + i
    assert not lock_file_for(path).exists()


def test_cli_write_fails_naming_the_holder(tmp_path, capsys, monkeypatch):
    path = save_project(_tiny_project(), tmp_path / "p.gpkg")
    before = file_stamp(path)
    monkeypatch.setenv("GRIDPLANNER_LOCK_WAIT_S", "0.3")
    with ProjectLock(path, program="GridPlanner app"):
        for args in (["scenario", "create", str(path), "x", "--set", "walk_cutoff_m=1500"],
                     ["scenario", "delete", str(path), "方案一"],
                     ["import", str(path), "--grids", str(INPUTS / "grids_gbk.shp")]):
            assert main(args) == EXIT_ERROR
            err = capsys.readouterr().err
            assert "waiting up to 0.3 s for GridPlanner app" in err
            assert "GridPlanner app of user" in err
            assert f"on {this_host()} (process {os.getpid()}" in err
            assert "Traceback" not in err
    assert file_stamp(path) == before
    assert main(["scenario", "create", str(path), "x", "--set", "walk_cutoff_m=1500"]) == EXIT_OK
    assert "x" in open_project(path).scenarios


def test_cli_write_on_a_missing_project_says_not_found(tmp_path, capsys):
    assert main(["scenario", "create", str(tmp_path / "nope" / "p.gpkg"), "x", "--set",
                 "walk_cutoff_m=1500"]) == EXIT_ERROR
    assert "file not found" in capsys.readouterr().err


def test_demo_does_not_write_a_project_someone_holds(tmp_path, capsys, monkeypatch):
    out = tmp_path / "demo"
    out.mkdir()
    held = save_project(_tiny_project(), out / "demo_project.gpkg")
    before = file_stamp(held)
    monkeypatch.setenv("GRIDPLANNER_LOCK_WAIT_S", "0.3")
    with ProjectLock(held, program="GridPlanner app"):
        assert main(["demo", "--out", str(out)]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "GridPlanner app of user" in err
    assert "Traceback" not in err
    assert file_stamp(held) == before


def test_new_projects_are_not_written_under_an_autosave_name(tmp_path, capsys):
    target = tmp_path / ".district.autosave.gpkg"
    code = main(["import", str(target), "--grids", str(INPUTS / "grids_gbk.shp")])
    assert code == EXIT_ERROR
    assert "autosave" in capsys.readouterr().err
    assert not target.exists()
