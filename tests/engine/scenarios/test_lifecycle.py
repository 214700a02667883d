"""Scenario steps a front-end offers: from edits, rename, accept an analysis result."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gridplanner.analyses import AnalysisResult, get
from gridplanner.errors import ProjectError
from gridplanner.grids.commands import CommandStack, MergeGrids
from gridplanner.project import Project, open_project, save_project
from gridplanner.scenarios import (
    accept_result,
    apply_scenario,
    compare_figures,
    get_scenario,
    key_figures,
    rename_scenario,
    save_scenario,
    scenario_from_edits,
    scenario_names,
)
from gridplanner.scenarios.edit_figures import band_status, grid_edit_figures, toward_band
from gridplanner.scenarios.model import table_name
from layers.validate import validate

CRS = "EPSG:4549"


def _grids() -> gpd.GeoDataFrame:
    # G1 and G2 side by side in community C; G3 alone in D.
    boxes = [shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100),
             shapely.box(200, 0, 300, 100)]
    frame = gpd.GeoDataFrame({"grid_id": ["G1", "G2", "G3"], "community_id": ["C", "C", "D"],
                              "kind": ["urban", "urban", "special"]}, geometry=boxes, crs=CRS)
    return validate(frame, "grids").frame


def _staff() -> gpd.GeoDataFrame:
    # G1 has its 1+1+1; G2 lacks a full-time worker; G3 has nobody.
    frame = gpd.GeoDataFrame(
        {"staff_id": ["h1", "f1", "p1", "h2", "p2"],
         "role": ["grid_head", "full_time", "police", "grid_head", "police"],
         "grid_id": ["G1", "G1", "G1", "G2", "G2"]},
        geometry=shapely.points([(10, 10), (20, 20), (30, 30), (110, 10), (120, 20)]),
        crs=CRS)
    return validate(frame, "staff").frame


def _cameras() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame({"camera_id": ["c1", "NEWCAM001"], "category": [2, 3]},
                             geometry=shapely.points([(5, 5), (150, 50)]), crs=CRS)
    return validate(frame, "cameras").frame


def _households() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame({"household_id": ["a", "b", "c"], "households": [250, 120, 40]},
                             geometry=shapely.points([(50, 50), (150, 50), (150, 60)]),
                             crs=CRS)
    return validate(frame, "households").frame


@pytest.fixture
def project() -> Project:
    return Project(layers={"grids": _grids(), "staff": _staff(), "cameras": _cameras(),
                           "households": _households()})


# ------------------------------------------------------------------ from edits
def test_edits_become_a_scenario_and_the_base_comes_back(project):
    base = project.layers["grids"]
    stack = CommandStack(project)
    stack.push(MergeGrids(["G1", "G2"]))
    merged = project.layers["grids"]
    sc = scenario_from_edits(project, stack, "merged", description="one merge")
    assert project.layers["grids"] is base
    assert (stack.index, stack.can_undo, stack.can_redo) == (0, False, False)
    assert sorted(sc.changes) == ["grids"]
    assert sc.description == "one merge"
    derived = apply_scenario(project, "merged")
    assert sorted(derived.layers["grids"]["grid_id"]) == sorted(merged["grid_id"])


def test_a_refused_name_leaves_the_edits_in_place(project):
    save_scenario(project, "taken", layers={"staff": _staff().iloc[:3]})
    stack = CommandStack(project)
    stack.push(MergeGrids(["G1", "G2"]))
    merged = project.layers["grids"]
    for name in ("taken", "current", "  "):
        with pytest.raises(ProjectError):
            scenario_from_edits(project, stack, name)
        assert project.layers["grids"] is merged
        assert stack.index == 1


def test_no_edits_is_refused(project):
    with pytest.raises(ProjectError, match="no edits"):
        scenario_from_edits(project, CommandStack(project), "nothing")


# ------------------------------------------------------------------ rename
def test_rename_keeps_place_content_and_whole_tables(project, tmp_path):
    grids = project.layers["grids"].copy()
    grids["geometry"] = grids.geometry.scale(1.01, 1.0, origin=(0, 0))
    save_scenario(project, "first", layers={"staff": _staff().iloc[:4]})
    kept = save_scenario(project, "wide", layers={"grids": grids},
                         parameters={"walk_cutoff_m": 1500.0}, description="wider grids")
    save_scenario(project, "last", layers={"staff": _staff().iloc[:3]})
    old_table = table_name("wide", "grids")
    renamed = rename_scenario(project, "wide", "宽网格")
    assert scenario_names(project) == ["current", "first", "宽网格", "last"]
    assert old_table not in project.extra_layers
    assert table_name("宽网格", "grids") in project.extra_layers
    assert (renamed.description, renamed.created, dict(renamed.parameters)) == (
        kept.description, kept.created, {"walk_cutoff_m": 1500.0})
    reopened = open_project(save_project(project, tmp_path / "p.gpkg"))
    derived = apply_scenario(reopened, "宽网格")
    np.testing.assert_allclose(derived.layers["grids"].geometry.area, [10100.0] * 3)
    assert get_scenario(reopened, "宽网格").description == "wider grids"


def test_rename_refuses_unknown_taken_and_reserved_names(project):
    save_scenario(project, "a", layers={"staff": _staff().iloc[:4]})
    save_scenario(project, "b", layers={"staff": _staff().iloc[:3]})
    with pytest.raises(ProjectError, match="no scenario called 'x'"):
        rename_scenario(project, "x", "y")
    with pytest.raises(ProjectError, match="exists already"):
        rename_scenario(project, "a", "b")
    with pytest.raises(ProjectError, match="base data"):
        rename_scenario(project, "a", "现状")
    with pytest.raises(ProjectError, match="cannot be renamed"):
        rename_scenario(project, "current", "z")
    assert scenario_names(project) == ["current", "a", "b"]


# ------------------------------------------------------------------ accepting results
def _result(name: str, layers: dict[str, gpd.GeoDataFrame]) -> AnalysisResult:
    first = next(iter(layers.values()))
    return AnalysisResult(name, layers, pd.DataFrame(first), "")


def test_accepted_staff_get_their_grid_and_lower_grids_missing_staff(project):
    sites = gpd.GeoDataFrame({"rank": [1, 2]}, geometry=shapely.points([(150, 80), (250, 50)]),
                             crs=CRS)
    options = get("place").make_options({"n": 2})
    sc = accept_result(project, "two more", _result("place", {"new_sites": sites}), options)
    added = {r["staff_id"]: (r["role"], r["grid_id"]) for r in sc.changes["staff"].added}
    assert added == {"NEW001": ("full_time", "G2"), "NEW002": ("full_time", "G3")}
    before = key_figures(project, coverage=False, allocation=False)
    after = key_figures(apply_scenario(project, "two more"), name="two more", coverage=False,
                        allocation=False)
    figures = compare_figures([before, after]).figures.set_index("key")
    # G2 had everyone but a full-time worker; G3 still lacks a head and police.
    assert figures.loc["grids_missing_staff", "current"] == 2
    assert figures.loc["grids_missing_staff", "Δ two more"] == -1


def test_accepted_staff_take_the_placed_role(project):
    sites = gpd.GeoDataFrame({"rank": [1]}, geometry=[shapely.Point(250, 50)], crs=CRS)
    options = get("place").make_options({"n": 1, "role": "police"})
    sc = accept_result(project, "police", _result("place", {"new_sites": sites}), options)
    assert [(r["role"], r["grid_id"]) for r in sc.changes["staff"].added] == [("police", "G3")]


def test_accepted_camera_sites_become_online_cameras_with_their_view(project):
    picks = gpd.GeoDataFrame({"site_id": ["X1"], "category": [1], "range_m": [60.0],
                              "azimuth_deg": [90.0], "fov_deg": [70.0], "gain": [5.0]},
                             geometry=[shapely.Point(260, 40)], crs=CRS)
    accept_result(project, "cams", _result("site-cameras", {"proposed_cameras": picks}))
    cameras = apply_scenario(project, "cams").layers["cameras"]
    new = cameras.iloc[-1]
    assert cameras["camera_id"].tolist() == ["c1", "NEWCAM001", "NEWCAM002"]
    assert (new["category"], new["range_m"], new["azimuth_deg"], new["fov_deg"],
            new["status"]) == (1, 60.0, 90.0, 70.0, "online")
    assert new.geometry.equals(shapely.Point(260, 40))


def test_accepted_proposal_is_a_plain_grid_layer_with_staff_rehomed(project):
    proposal = gpd.GeoDataFrame(
        {"grid_id": ["N1", "N2", "G3"], "community_id": ["C", "C", "D"],
         "kind": ["urban", "urban", "special"], "households": [300, 110, 0],
         "polsby_popper": [0.5, 0.5, 0.78], "reock": [0.4, 0.4, 0.6],
         "proposed": [True, True, False]},
        geometry=[shapely.box(0, 0, 140, 100), shapely.box(140, 0, 200, 100),
                  shapely.box(200, 0, 300, 100)], crs=CRS)
    accept_result(project, "balanced", _result("balance", {"grids": proposal}))
    derived = apply_scenario(project, "balanced")
    assert set(derived.layers["grids"].columns).isdisjoint(
        {"households", "polsby_popper", "reock", "proposed"})
    staff = derived.layers["staff"].set_index("staff_id")["grid_id"].to_dict()
    assert staff == {"h1": "N1", "f1": "N1", "p1": "N1", "h2": "N1", "p2": "N1"}


def test_results_of_other_analyses_cannot_be_accepted(project):
    frame = gpd.GeoDataFrame({"x": [1]}, geometry=[shapely.Point(0, 0)], crs=CRS)
    with pytest.raises(ProjectError, match="cannot become a scenario"):
        accept_result(project, "x", _result("coverage", {"grid_coverage": frame}))
    assert scenario_names(project) == ["current"]


# ------------------------------------------------------------------ edit figures
def test_band_rules():
    status = band_status(np.array([299, 300, 500, 501, np.nan]), np.full(5, 300),
                         np.full(5, 500))
    assert status.tolist() == ["below", "in band", "in band", "above", ""]
    assert toward_band(290, 280, 300, 500) == 1
    assert toward_band(280, 290, 300, 500) == -1
    assert toward_band(510, 600, 300, 500) == 1
    assert toward_band(320, 480, 300, 500) == 0
    assert toward_band(np.nan, 480, 300, 500) == 0


def test_grid_edit_figures_count_or_take_the_commands_counts(project):
    project.set_setting("band", {"special": [0, 10]})
    table = grid_edit_figures(project).set_index("grid_id")
    assert table["households"].to_dict() == {"G1": 250.0, "G2": 160.0, "G3": 0.0}
    assert table["band_status"].to_dict() == {"G1": "below", "G2": "below", "G3": "in band"}
    assert table.loc["G3", "band_max"] == 10
    np.testing.assert_allclose(table["polsby_popper"], np.pi / 4)
    some = grid_edit_figures(project, ["G2", "gone"], household_counts={"G2": 410})
    assert some[["grid_id", "households", "band_status"]].values.tolist() == [
        ["G2", 410.0, "in band"]]
