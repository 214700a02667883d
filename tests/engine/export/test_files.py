"""Every export writes atomically and never replaces a project file."""

from __future__ import annotations

import hashlib
import os
import shutil

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from gridplanner.cli import EXIT_ERROR, main
from gridplanner.export.files import ExportError, protected_paths
from gridplanner.export.png import render_png
from gridplanner.export.results import write_geopackage
from gridplanner.export.tables import write_report, write_tables
from gridplanner.export.webmap import export_map
from gridplanner.project import Project, autosave_path, save_project
from gridplanner.scenarios import ScenarioFigures, compare_figures
from gridplanner.scenarios.labels import FIGURES
from layers.validate import validate

CRS = "EPSG:4549"


def _project() -> Project:
    grids = gpd.GeoDataFrame({"grid_id": ["G1"]}, geometry=[shapely.box(500000, 3200000,
                                                                       500300, 3200300)],
                             crs=CRS)
    return Project(layers={"grids": validate(grids, "grids").frame})


def _comparison():
    figures = dict.fromkeys(FIGURES, 1.0)
    one = ScenarioFigures(name="a", figures=figures, grids=pd.DataFrame({"grid_id": ["g"]}),
                          staff=pd.DataFrame({"staff_id": []}))
    return compare_figures([one, ScenarioFigures(name="b", figures=figures, grids=one.grids,
                                                 staff=one.staff)])


def _layers():
    return {"grid_figures": _project().layer("grids")}


#: Each export format: a function writing to a path, with ``protect``.
WRITERS = {
    "gpkg": (".gpkg", lambda p, **kw: write_geopackage(_layers(), p, **kw)),
    "xlsx": (".xlsx", lambda p, **kw: write_tables({"t": pd.DataFrame({"a": [1]})}, p, **kw)),
    "csv": (".csv", lambda p, **kw: write_tables({"t": pd.DataFrame({"a": [1]})}, p, **kw)),
    "html": (".html", lambda p, **kw: export_map(_project(), p, **kw)),
    "png": (".png", lambda p, **kw: render_png(_project(), p, dpi=30, **kw)),
    "report": (".html", lambda p, **kw: write_report(_comparison(), p, **kw)),
}


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("kind", list(WRITERS))
def test_a_failed_write_leaves_the_old_file_and_no_temporary(kind, tmp_path, monkeypatch):
    suffix, write = WRITERS[kind]
    target = tmp_path / f"out{suffix}"
    write(target)
    before = _digest(target)

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(ExportError, match="No space left on device"):
        write(target)
    assert _digest(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


@pytest.mark.filterwarnings("ignore:The filename extension:RuntimeWarning")
@pytest.mark.parametrize("kind", list(WRITERS))
def test_a_project_and_its_autosave_are_never_replaced(kind, tmp_path):
    suffix, write = WRITERS[kind]
    project = save_project(_project(), tmp_path / f"district{suffix}")
    autosave = save_project(_project(), autosave_path(project))
    other = tmp_path / "plain.gpkg"
    kept = {p: _digest(p) for p in (project, autosave)}
    with pytest.raises(ExportError, match="GridPlanner project file"):
        write(project)  # a project file, whatever its name
    with pytest.raises(ExportError, match="open project or its autosave"):
        write(autosave, protect=protected_paths(project))
    if suffix == ".gpkg":
        other.write_bytes(b"not yet a project")  # a protected path refused before it exists
        with pytest.raises(ExportError, match="open project or its autosave"):
            write(tmp_path / ".plain.autosave.gpkg", protect=protected_paths(other))
    assert {p: _digest(p) for p in kept} == kept


def test_cli_refuses_the_project_as_output(sample_project_file, tmp_path, capsys):
    project = shutil.copy(sample_project_file, tmp_path / "district.gpkg")
    before = _digest(project)
    for args in (["export-results", str(project), "--out", str(project)],
                 ["export-map", str(project), "--out", str(project)],
                 ["export-png", str(project), "--out", str(project)],
                 ["allocate", str(project), "--out", str(project)],
                 ["route", str(project), "--at", "1,1", "--out", str(project)]):
        assert main(args) == EXIT_ERROR, args
        assert "never replaces a project" in capsys.readouterr().err
    assert _digest(project) == before
    assert "grids" in {str(n) for n, _ in pyogrio.list_layers(project)}


def test_result_files_are_written_only_through_the_export_package():
    """The layer model's writers are used by the export package and the project file only."""
    import re
    from pathlib import Path

    root = Path(__file__).parents[3]
    allowed = {"gridplanner/project.py"}
    found = []
    for path in sorted([*(root / "gridplanner").rglob("*.py"), *(root / "ui").rglob("*.py")]):
        name = path.relative_to(root).as_posix()
        if name.startswith("gridplanner/export/") or name in allowed:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"from layers(\.io)? import[^\n]*\b(write_geopackage|write_layer)\b", text):
            found.append(name)
    assert found == []
