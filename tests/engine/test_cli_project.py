"""The project commands of the CLI on good and broken inputs: clear messages, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest

from gridplanner.cli import EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS, main
from gridplanner.project import open_project

INPUTS = Path(__file__).parents[1] / "data" / "inputs"


def _run(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    return code, text


def test_import_builds_project_from_mixed_files(tmp_path, capsys):
    out = tmp_path / "p.gpkg"
    code, text = _run(capsys, "import", str(out), "--grids", str(INPUTS / "grids_gbk.shp"),
                      "--staff", str(INPUTS / "staff_gbk.csv"))
    assert code == EXIT_OK
    assert "written" in text
    project = open_project(out)
    assert project.crs.to_epsg() == 4549
    assert project.layers["staff"]["name"].tolist() == ["张伟", "王芳", "李强"]
    assert project.layers["grids"]["name"].iloc[0] == "青春路社区第1网格"


def test_import_gcj02_with_source_crs(tmp_path, capsys):
    out = tmp_path / "p.gpkg"
    code, _ = _run(capsys, "import", str(out), "--households",
                   str(INPUTS / "households_gcj02.geojson"), "--source-crs", "gcj02")
    assert code == EXIT_OK
    point = open_project(out).layers["households"].to_crs(4326).geometry.iloc[0]
    assert point.x == pytest.approx(119.6470, abs=1e-7)
    assert point.y == pytest.approx(29.0790, abs=1e-7)


@pytest.mark.parametrize(("flag", "name", "text"), [
    ("--grids", "grids_missing_id_column.geojson", "required column 'grid_id' is missing"),
    ("--cameras", "cameras_wrong_geometry.geojson", "expected Point"),
    ("--households", "households_duplicate_ids.csv", "duplicate id 'H2'"),
    ("--grids", "empty.geojson", "the file is empty"),
    ("--cameras", "cameras_far_outside.gpkg", "far outside"),
])
def test_import_broken_inputs(tmp_path, capsys, flag, name, text):
    out = tmp_path / "p.gpkg"
    code, output = _run(capsys, "import", str(out), flag, str(INPUTS / name))
    assert code == EXIT_PROBLEMS
    assert text in output
    assert name in output
    assert not out.exists()


def test_import_all_broken_layers_reported_together(tmp_path, capsys):
    code, output = _run(capsys, "import", str(tmp_path / "p.gpkg"),
                        "--grids", str(INPUTS / "grids_missing_id_column.geojson"),
                        "--cameras", str(INPUTS / "cameras_wrong_geometry.geojson"))
    assert code == EXIT_PROBLEMS
    assert "grid_id" in output
    assert "expected Point" in output


def test_import_bad_crs_option(tmp_path, capsys):
    code, output = _run(capsys, "import", str(tmp_path / "p.gpkg"), "--grids",
                        str(INPUTS / "grids_gbk.shp"), "--source-crs", "martian")
    assert code == EXIT_ERROR
    assert "unknown coordinate system" in output


@pytest.mark.parametrize("name", ["plain_layers.gpkg", "damaged.gpkg", "nowhere.gpkg"])
def test_info_on_foreign_files(capsys, name):
    code, output = _run(capsys, "info", str(INPUTS / name))
    assert code == EXIT_ERROR
    assert output.startswith("error: ")


def test_validate_exit_codes(tmp_path, capsys):
    out = tmp_path / "p.gpkg"
    code, output = _run(capsys, "import", str(out), "--grids",
                        str(INPUTS / "grids_bowtie.geojson"))
    assert code == EXIT_OK
    assert "invalid polygon repaired" in output
    code, output = _run(capsys, "validate", str(out))
    assert code == EXIT_OK
    grids = pyogrio.read_dataframe(out, layer="grids")
    grids["grid_id"] = None  # emptied by hand in another tool
    pyogrio.write_dataframe(grids, out, layer="grids", layer_options={"OVERWRITE": "YES"})
    code, output = _run(capsys, "validate", str(out))
    assert code == EXIT_PROBLEMS
    assert "grid_id" in output


def test_sample_info_and_validate_list_planted_problems(sample_project_file, capsys):
    code, output = _run(capsys, "info", str(sample_project_file))
    assert code == EXIT_OK
    for layer in ("grids", "households", "roads", "cameras", "staff"):
        assert layer in output
    code, output = _run(capsys, "validate", str(sample_project_file), "--all")
    assert code == EXIT_OK
    assert "layer cameras" in output  # the planted bad camera rows
    # grids without a full-time worker, named with the fix
    assert "grid has no full_time based in it (assign staff" in output


def test_no_screen_runs_demo(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    root = Path(__file__).parents[2]
    proc = subprocess.run([sys.executable, "-c", "from gridplanner.cli import entry; entry()"],
                          cwd=tmp_path, env={**env, "PYTHONPATH": str(root)},
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "No screen available" in proc.stderr
    assert "grids" in proc.stdout
