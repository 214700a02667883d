"""The coverage and site-cameras commands on the bundled sample district."""

from __future__ import annotations

import numpy as np
import pyogrio
import pytest

from gridplanner.analyses import run
from gridplanner.cli import main
from gridplanner.context import AnalysisContext
from gridplanner.coverage import LAYER_NAMES, PCT_COLUMNS

EXPECTED_GRID_COLUMNS = [
    "grid_id",
    "area_pct_all", "area_pct_cat1", "area_pct_cat23",
    "households_pct_all", "households_pct_cat1", "households_pct_cat23",
    "roads_pct_all", "roads_pct_cat1", "roads_pct_cat23",
    "intersections_pct_all", "intersections_pct_cat1", "intersections_pct_cat23",
]


def test_coverage_command_writes_every_layer(sample_project_file, tmp_path, capsys):
    out = tmp_path / "result.gpkg"
    assert main(["coverage", str(sample_project_file), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "households" in printed
    assert "camera records with problems" in printed
    layers = dict(pyogrio.list_layers(out))
    for name in ("grid_coverage", "coverage_gaps", "uncovered_households",
                 "uncovered_intersections", "camera_footprints", "camera_issues"):
        assert name in layers
    grid = pyogrio.read_dataframe(out, layer="grid_coverage")
    assert list(grid.columns[:13]) == EXPECTED_GRID_COLUMNS
    assert grid["grid_id"].is_unique
    values = grid[EXPECTED_GRID_COLUMNS[1:]].to_numpy(dtype=float)
    assert np.nanmin(values) >= 0
    assert np.nanmax(values) <= 100
    assert (grid["households_pct_all"] > 0).any()
    issues = pyogrio.read_dataframe(out, layer="camera_issues")
    assert {"camera_id", "row", "reason", "action"} <= set(issues.columns)
    assert len(issues) >= 10
    uncovered = pyogrio.read_dataframe(out, layer="uncovered_households")
    assert {"household_id", "grid_id", "households"} <= set(uncovered.columns)
    assert uncovered["grid_id"].notna().all()


def test_offline_and_buildings_options(sample_project, tmp_path):
    ctx = AnalysisContext.of(sample_project)
    base = run("coverage", ctx).value
    more = run("coverage", ctx, include_offline=True).value
    open_sky = run("coverage", ctx, use_buildings=False).value
    a = base.district.iloc[0]
    assert more.district.iloc[0]["area_pct_all"] > a["area_pct_all"]
    assert open_sky.district.iloc[0]["area_pct_all"] > a["area_pct_all"]
    assert set(base.layers()) == set(LAYER_NAMES)
    # The district row is the household-weighted total of the grid rows.
    t = base.grid_table
    covered = (t["households_pct_all"].fillna(0) * t["households"]).sum() / 100
    assert a["households_pct_all"] == pytest.approx(100 * covered / t["households"].sum())
    assert len(base.grid_table) == len(sample_project.layer("grids"))
    values = base.table[list(PCT_COLUMNS)].to_numpy(dtype=float)
    assert np.nanmax(values) <= 100


def test_site_cameras_command(sample_project_file, tmp_path, capsys):
    out = tmp_path / "sites.gpkg"
    assert main(["site-cameras", str(sample_project_file), "-k", "4", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "proven within" in printed
    sites = pyogrio.read_dataframe(out, layer="proposed_cameras")
    assert len(sites) == 4
    assert {"rank", "gain", "new_households", "new_intersections", "azimuth_deg",
            "cumulative_gain", "bound_optimum"} <= set(sites.columns)
    assert (np.diff(sites["gain"]) <= 1e-9).all()
    assert (sites["gain"] > 0).all()


def test_bad_out_name_is_a_clean_error(sample_project_file, capsys):
    assert main(["coverage", str(sample_project_file), "--out", "result.txt"]) == 2
    assert "GeoPackage" in capsys.readouterr().err
