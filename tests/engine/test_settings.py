"""Typed settings: every value checked on load and on change, with its range."""

from __future__ import annotations

import json
import math
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridplanner.project import Project, open_project, save_project
from gridplanner.settings import SPECS, Settings, SettingsError

BAD = [
    ("band", [300]), ("band", "abc"), ("band", {"urban": [500, 300]}),
    ("band", {"urban": [None, 3]}), ("camera_defaults", {"1": [1, 2]}),
    ("camera_defaults", {"7": {"range_m": 10}}), ("camera_defaults", {"1": {"range_m": -5}}),
    ("walk_cutoff_m", 0), ("walk_cutoff_m", -1), ("walk_cutoff_m", math.nan),
    ("walk_cutoff_m", 1e308), ("walk_cutoff_m", 1e9), ("walk_cutoff_m", "far"),
    ("snap_cutoff_m", None), ("join_tolerance_m", math.inf), ("role_cost_yuan", {"police": "free"}),
    ("role_cost_yuan", {"chef": 1}), ("coverage_threshold_pct", 150), ("language", "fr"),
    ("analysis_crs", "garbage"), ("analysis_crs", 4326), ("capacity_defaults", {"full_time": 2.5}),
    ("walk_cutoff_m", True), ("band", [[[[[]]]]]),
]


@pytest.mark.parametrize(("key", "value"), BAD)
def test_bad_values_are_refused_on_change_with_the_allowed_values(key, value):
    with pytest.raises(SettingsError, match=f"setting {key} = "):
        Settings().updated(**{key: value})


@pytest.mark.parametrize(("key", "value"), BAD)
def test_bad_stored_values_open_with_a_warning_and_the_default(tmp_path, key, value):
    path = save_project(Project(), tmp_path / "p.gpkg")
    with sqlite3.connect(path) as con:
        con.execute("INSERT INTO gp_settings VALUES (?, ?)", (key, json.dumps(value)))
    project = open_project(path)
    assert getattr(project.config, key) == getattr(Settings(), key)
    found = [w for w in project.warnings if w.column == key]
    assert len(found) == 1
    assert "default" in found[0].describe()
    assert str(path) in found[0].describe()


def test_defaults_round_trip_and_unknown_keys_survive():
    s = Settings.from_stored({"future_key": {"a": 1}, "walk_cutoff_m": 1200})
    stored = s.to_stored()
    assert stored["future_key"] == {"a": 1}
    assert Settings.from_stored(stored) == s
    assert set(SPECS) <= set(stored)


def test_nested_tables_merge_key_by_key():
    s = Settings.from_stored({"band": {"urban": [250, 450]},
                              "camera_defaults": {"2": {"range_m": 50}}})
    assert s.band_for("urban") == (250, 450)
    assert s.band_for("rural") == (300, 500)
    assert s.band_for("unknown kind") == (250, 450)
    assert dict(s.camera_defaults[2]) == {"range_m": 50.0, "fov_deg": 80.0}


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_walk_cutoff_accepts_exactly_finite_values_in_range(value):
    ok = math.isfinite(value) and 10 <= value <= 50_000
    if ok:
        assert Settings().updated(walk_cutoff_m=value).walk_cutoff_m == value
    else:
        with pytest.raises(SettingsError):
            Settings().updated(walk_cutoff_m=value)


def test_unknown_setting_is_refused_on_change():
    with pytest.raises(SettingsError, match="unknown setting"):
        Settings().updated(walk_cutof_m=100)


@pytest.mark.parametrize("value", [math.nan, math.inf, -1.0, 0.0, 1e308])
def test_engine_functions_refuse_bad_distances_instead_of_hanging(value):
    import geopandas as gpd
    from shapely import LineString, Point

    from gridplanner.allocation import allocate_layers
    from gridplanner.allocation.placement import place_staff_layers

    roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (100, 0)])], crs=3857)
    hh = gpd.GeoDataFrame({"household_id": ["a"], "households": [1]},
                          geometry=[Point(10, 5)], crs=3857)
    st = gpd.GeoDataFrame({"staff_id": ["w"], "role": "full_time", "grid_id": ""},
                          geometry=[Point(0, 0)], crs=3857)
    with pytest.raises(SettingsError, match="walk_cutoff_m"):
        allocate_layers(hh, st, roads, walk_cutoff_m=value)
    with pytest.raises(SettingsError, match="snap_cutoff_m"):
        place_staff_layers(hh, st, roads, 1, snap_cutoff_m=value)


def test_no_signature_repeats_a_setting_default_as_a_literal():
    """Parameters named like a setting take their default from the settings type."""
    import ast
    from pathlib import Path

    from gridplanner.settings import SPECS

    root = Path(__file__).resolve().parents[2]
    literal = []
    for path in sorted([*(root / "gridplanner").rglob("*.py"), *(root / "layers").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                args = node.args
                pairs = [*zip(args.args[len(args.args) - len(args.defaults):], args.defaults,
                              strict=True),
                         *((a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults,
                                                  strict=True) if d is not None)]
            elif isinstance(node, ast.ClassDef):
                pairs = [(s.target, s.value) for s in node.body
                         if isinstance(s, ast.AnnAssign) and s.value is not None]
            else:
                continue
            for arg, default in pairs:
                name = arg.arg if isinstance(arg, ast.arg) else getattr(arg, "id", "")
                if name in SPECS and isinstance(default, ast.Constant) and isinstance(
                        default.value, (int, float)) and not isinstance(default.value, bool):
                    if path.name == "settings.py":
                        continue  # the one place the defaults are written
                    literal.append(f"{path.relative_to(root)}:{default.lineno} {name}")
    assert literal == []
