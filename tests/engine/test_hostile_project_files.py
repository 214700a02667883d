"""Hostile project files: bytes flipped anywhere, scenario documents of any shape.

A project file changed by a disk fault, a bad copy or a hand edit either opens or
stops with a ProjectError naming the file and what to do; a scenario document the
opener accepts can be listed, shown and applied without anything but a clear error.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gridplanner.cli import main
from gridplanner.errors import GridPlannerError, ProjectError, SettingsError
from gridplanner.project import Project, open_project, save_project, scenario_document_problem
from gridplanner.scenarios.model import apply_scenario, get_scenario
from tests.engine.hostile_data import tiny_layers


@pytest.fixture(scope="module")
def good_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_project(Project(layers=tiny_layers()),
                        tmp_path_factory.mktemp("good") / "good.gpkg")


def _flipped(good: Path, target: Path, seed: int, flips: int) -> Path:
    """Copy ``good`` with ``flips`` bytes inverted past the first page (the header)."""
    data = bytearray(good.read_bytes())
    rng = np.random.default_rng(seed)
    for i in rng.integers(4096, len(data), flips):
        data[i] ^= 0xFF
    target.write_bytes(bytes(data))
    return target


def _opens_or_says_why(path: Path) -> Project | None:
    try:
        return open_project(path)
    except ProjectError as exc:
        message = exc.message
    assert str(path) in message
    return None


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), flips=st.sampled_from([1, 10, 200]))
@example(seed=1, flips=200)  # damages the schema text: SQLite's message is not UTF-8
def test_flipped_bytes_open_or_end_in_a_project_error(good_file, seed, flips):
    with tempfile.TemporaryDirectory() as folder:
        _opens_or_says_why(_flipped(good_file, Path(folder) / "p.gpkg", seed, flips))


def test_flipped_schema_is_reported_by_info(good_file, tmp_path, capsys):
    path = _flipped(good_file, tmp_path / "p.gpkg", 1, 200)
    assert main(["info", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unexpected failure" not in err
    assert str(path) in err
    assert "damaged" in err


def _with_scenario(good: Path, target: Path, document: str | bytes) -> Path:
    shutil.copyfile(good, target)
    with sqlite3.connect(target) as con:
        con.execute("INSERT INTO gp_scenarios VALUES ('alt', ?)", (document,))
    return target


def _use(project: Project) -> None:
    """List, show and apply the scenario as the commands do."""
    try:
        scenario = get_scenario(project, "alt")
        assert scenario.changes is not None
        apply_scenario(project, scenario)
    except GridPlannerError:
        pass


BAD_DOCUMENTS = [
    ({"base": 7, "changes": "x", "parameters": [1], "layers": 5}, "'parameters' is a list"),
    ({"layers": 5}, "'layers' is a number"),
    ({"format": "abc"}, "'format' is text"),
    ({"layers": {"staff": [1]}}, "'layers', 'staff' is a list"),
    ({"layers": {"staff": {"mode": "copy"}}}, "'mode' is 'copy'"),
    ({"layers": {"staff": {"mode": "table", "table": 5}}}, "'table' is a number"),
    ({"layers": {"staff": {"added": {"staff_id": "S9"}}}}, "'added' is an object"),
    ({"layers": {"staff": {"added": ["S9"]}}}, "'added' holds text"),
    ({"layers": {"staff": {"removed": [{"staff_id": "S9"}]}}}, "'removed' holds an object"),
    ({"layers": {"staff": {"added": [{"staff_id": "S9", "wkb": 5}]}}}, "'wkb' that is a number"),
    ({"layers": {"staff": {"changed": [{"staff_id": "S9", "geometry": [1, 2]}]}}},
     "'geometry' that is a list"),
]


@pytest.mark.parametrize(("document", "words"), BAD_DOCUMENTS,
                         ids=[w for _d, w in BAD_DOCUMENTS])
def test_scenario_document_of_the_wrong_shape_is_named_at_open(good_file, tmp_path, capsys,
                                                               document, words):
    path = _with_scenario(good_file, tmp_path / "p.gpkg", json.dumps(document))
    with pytest.raises(ProjectError, match="gp_scenarios, scenario 'alt'") as err:
        open_project(path)
    assert words in err.value.message
    assert main(["scenario", "list", str(path)]) == 2
    assert "unexpected failure" not in capsys.readouterr().err


def test_scenario_document_of_the_wrong_shape_is_refused_when_built_in_memory(good_file):
    project = open_project(good_file)
    project.scenarios["alt"] = {"layers": {"staff": {"added": [{"wkb": 5}]}}}
    with pytest.raises(ProjectError, match=r"scenario 'alt'.*'wkb' that is a number"):
        get_scenario(project, "alt")


JSON = st.recursive(st.none() | st.booleans() | st.integers(-10**20, 10**20)
                    | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                    max_leaves=8)
RECORD = st.fixed_dictionaries({}, optional={
    "staff_id": JSON | st.sampled_from(["S0grid_head", "S9"]), "role": JSON,
    "grid_id": JSON, "capacity": JSON,
    "wkb": JSON | st.just("0101000000000000000000F03F000000000000F03F"),
    "geometry": JSON | st.sampled_from(["POINT (465100 3218100)", "POINT (nan nan)",
                                        "LINESTRING (0 0, 1 1)", "garbage"])})
CHANGE = st.fixed_dictionaries({}, optional={
    "mode": st.sampled_from(["diff", "table"]) | JSON, "table": JSON,
    "added": st.lists(RECORD, max_size=2) | JSON, "changed": st.lists(RECORD, max_size=2) | JSON,
    "removed": st.lists(JSON, max_size=3)})
DOCUMENT = st.fixed_dictionaries({}, optional={
    "format": JSON | st.just(1), "description": JSON, "created": JSON,
    "parameters": st.dictionaries(st.sampled_from(["walk_cutoff_m", "band", "capacity_defaults",
                                                   "camera_defaults", "bogus"]), JSON,
                                  max_size=2) | JSON,
    "layers": st.dictionaries(st.sampled_from(["staff", "cameras", "grids", "bogus"]), CHANGE,
                              max_size=2) | JSON})


@pytest.fixture(scope="module")
def good_project(good_file: Path) -> Project:
    return open_project(good_file)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(document=DOCUMENT)
@example(document={"layers": {"staff": {"changed": None}}})  # null lists mean none
@example(document={"layers": {"staff": {"mode": "table", "table": None}}})
def test_any_scenario_document_applies_or_is_named(good_project, document):
    project = good_project  # applying a scenario never changes the base project
    project.scenarios["alt"] = document
    if scenario_document_problem(document) is not None:
        with pytest.raises(ProjectError, match="scenario 'alt'"):
            get_scenario(project, "alt")
        return
    _use(project)


@pytest.mark.parametrize(("parameters", "words"), [
    ({"walk_cutoff_m": "NaN"}, "walk_cutoff_m = NaN: give a number from 10 to 50000 m"),
    ({"walk_cutoff_m": 1e308}, "walk_cutoff_m"),
    ({"band": {"urban": [300]}}, "give [minimum, maximum] households"),
    ({"capacity_defaults": {"full_time": "free"}}, "capacity_defaults"),
    ({"coverage_threshold_pct": 150}, "coverage_threshold_pct"),
    ({"bogus": 1}, "unknown setting 'bogus'"),
])
def test_stored_scenario_parameters_out_of_range_are_named_when_applied(good_file, tmp_path,
                                                                        parameters, words):
    # Dropping them in silence made the scenario the base data under another name.
    path = _with_scenario(good_file, tmp_path / "p.gpkg", json.dumps({"parameters": parameters}))
    project = open_project(path)
    (warning,) = [p for p in project.warnings if p.layer == "gp_scenarios"]
    assert "scenario 'alt'" in warning.message
    assert words in warning.message
    with pytest.raises(SettingsError, match="scenario 'alt'") as err:
        apply_scenario(project, "alt")
    assert words in err.value.message
    assert main(["compare", str(path), "current", "alt", "--no-coverage"]) == 2
