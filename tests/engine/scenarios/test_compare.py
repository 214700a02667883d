from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gridplanner.errors import ProjectError
from gridplanner.project import Project
from gridplanner.scenarios import (
    ScenarioFigures,
    apply_scenario,
    compare_figures,
    compare_scenarios,
    grid_changes,
    key_figures,
    save_scenario,
    staff_changes,
)
from gridplanner.scenarios.builders import add_staff, rehome_staff, sites_for_new_workers
from gridplanner.scenarios.labels import FIGURES, column_label
from layers.validate import validate

CRS = "EPSG:4549"


def _project() -> Project:
    grids = gpd.GeoDataFrame(
        {"grid_id": ["G1", "G2", "G3"], "community_id": ["C"] * 3},
        geometry=[shapely.box(i * 100.0, 0, (i + 1) * 100.0, 100) for i in range(3)], crs=CRS)
    staff = gpd.GeoDataFrame(
        {"staff_id": ["h1", "f1", "p1", "f2", "x1"],
         "role": ["grid_head", "full_time", "police", "full_time", "part_time"],
         "grid_id": ["G1", "G1", "G1;G2", "G2", "G2"]},
        geometry=[shapely.Point(10, 10), shapely.Point(20, 20), shapely.Point(30, 30),
                  shapely.Point(150, 50), shapely.Point(160, 50)], crs=CRS)
    hh = gpd.GeoDataFrame(
        {"household_id": ["a", "b", "c"], "households": [350, 600, 100]},
        geometry=[shapely.Point(50, 50), shapely.Point(150, 50), shapely.Point(250, 50)],
        crs=CRS)
    layers = {"grids": grids, "staff": staff, "households": hh}
    return Project(layers={k: validate(v, k).frame for k, v in layers.items()})


def test_key_figures_by_hand():
    f = key_figures(_project(), coverage=False, allocation=False)
    fig = f.figures
    assert fig["staff_grid_head"] == 1
    assert fig["staff_full_time"] == 2
    assert fig["staff_police"] == 1
    assert fig["staff_part_time"] == 1
    # 90k + 2 x 70k + 150k + 6k (default yearly costs)
    assert fig["staff_cost_yuan"] == 386_000
    assert fig["households_total"] == 1050
    assert fig["grids_total"] == 3
    # G1: 350 in band; G2: 600 above; G3: 100 below.
    assert fig["grids_outside_band"] == 2
    assert f.grids.set_index("grid_id")["band_status"].to_dict() == {
        "G1": "in band", "G2": "above", "G3": "below"}
    # G2 lacks a grid head, G3 lacks everything.
    assert fig["grids_missing_staff"] == 2
    assert f.grids.set_index("grid_id").loc["G3", "lacks"] == "grid_head;full_time;police"
    assert f.grids.set_index("grid_id")["full_time_workers"].tolist() == [1, 1, 0]
    assert math.isnan(fig["walk_mean_m"])
    assert math.isnan(fig["coverage_households_all"])


def test_missing_inputs_become_notes_not_errors():
    f = key_figures(_project())  # no roads, no cameras
    assert any("no cameras" in n for n in f.notes)
    assert any("roads" in n for n in f.notes)
    assert math.isnan(f.figures["walk_p95_m"])


def test_custom_costs_and_band_from_scenario_parameters():
    p = _project()
    save_scenario(p, "cheap", parameters={"role_cost_yuan": {"part_time": 0},
                                          "band": {"urban": [50, 700]}})
    f = key_figures(apply_scenario(p, "cheap"), coverage=False, allocation=False)
    assert f.figures["staff_cost_yuan"] == 380_000
    assert f.figures["grids_outside_band"] == 0


def _fake(name: str, values: dict[str, float], project: Project | None = None) -> ScenarioFigures:
    figures = {k: float("nan") for k in FIGURES}
    figures.update(values)
    grids = pd.DataFrame({"grid_id": ["G1", "G2"], "households": [100, 200]})
    staff = pd.DataFrame({"staff_id": [], "role": []})
    return ScenarioFigures(name=name, figures=figures, grids=grids, staff=staff,
                           project=project)


def test_compare_figures_differences_against_first():
    a = _fake("current", {"staff_full_time": 10, "walk_mean_m": 400.0})
    b = _fake("plan", {"staff_full_time": 30, "walk_mean_m": 250.0})
    c = _fake("plan", {"staff_full_time": 5})
    cmp = compare_figures([a, b, c])
    assert cmp.names == ("current", "plan", "plan (2)")
    rows = cmp.figures.set_index("key")
    assert rows.loc["staff_full_time", "Δ plan"] == 20
    assert rows.loc["staff_full_time", "Δ plan (2)"] == -5
    assert rows.loc["walk_mean_m", "Δ plan"] == -150
    assert math.isnan(rows.loc["walk_mean_m", "Δ plan (2)"])
    assert rows.loc["walk_mean_m", "figure_zh"] == "步行距离均值(米)"
    assert list(cmp.grids.columns[:3]) == ["grid_id", "households [current]", "households [plan]"]


def test_grid_and_staff_changes():
    p = _project()
    before_g = p.layers["grids"]
    after_g = before_g.copy()
    after_g.loc[0, "geometry"] = shapely.box(0, 0, 120, 100)
    after_g.loc[1, "community_id"] = "D"
    # Same square written from another start vertex is not a reshape.
    after_g.loc[2, "geometry"] = shapely.Polygon([(300, 100), (300, 0), (200, 0), (200, 100)])
    after_g = pd.concat([after_g, after_g.iloc[[0]].assign(grid_id="G9")], ignore_index=True)
    g = grid_changes(before_g, after_g)
    assert g[["grid_id", "change"]].values.tolist() == [
        ["G1", "reshaped"], ["G2", "attributes"], ["G9", "added"]]
    assert g.loc[0, "detail"] == "area 10,000 → 12,000 m²"

    s0 = p.layers["staff"]
    s1 = s0.copy()
    s1.loc[1, "geometry"] = shapely.Point(23, 24)  # moved 5 m
    s1.loc[3, "role"] = "grid_head"
    s1.loc[3, "capacity"] = 300
    s1 = s1[s1["staff_id"] != "x1"]
    s = staff_changes(s0, s1).set_index("staff_id")
    assert s.loc["f1", "change"] == "moved"
    assert s.loc["f1", "after"] == "moved 5 m"
    assert s.loc["f2", "change"] == "role;capacity_changed"
    assert s.loc["f2", "before"] == "role full_time; capacity "
    assert s.loc["x1", "change"] == "removed"
    assert len(s) == 3


def test_compare_scenarios_lists_changes_and_rejects_unknown():
    p = _project()
    staff = add_staff(p.layers["staff"], gpd.GeoSeries([shapely.Point(250, 50)], crs=CRS),
                      grids=p.layers["grids"])
    save_scenario(p, "hire", layers={"staff": staff})
    cmp = compare_scenarios(p, ["current", "hire"], coverage=False, allocation=False)
    rows = cmp.figures.set_index("key")
    assert rows.loc["staff_full_time", "Δ hire"] == 1
    assert rows.loc["staff_cost_yuan", "Δ hire"] == 70_000
    assert cmp.changed_staff[["scenario", "staff_id", "change", "after"]].values.tolist() == [
        ["hire", "NEW001", "added", "grid G3"]]
    assert cmp.grids.loc[cmp.grids["grid_id"] == "G3", "full_time_workers [hire]"].item() == 1
    with pytest.raises(ProjectError, match="no scenario called 'nope'"):
        compare_scenarios(p, ["current", "nope"])
    with pytest.raises(ProjectError, match="at least two"):
        compare_scenarios(p, ["current"])


def test_builders():
    p = _project()
    grids = gpd.GeoDataFrame({"grid_id": ["N1", "N2"]},
                             geometry=[shapely.box(0, 0, 140, 100),
                                       shapely.box(140, 0, 300, 100)], crs=CRS)
    moved = rehome_staff(p.layers["staff"], grids)
    assert moved["grid_id"].tolist() == ["N1", "N1", "N1", "N2", "N2"]
    kept = rehome_staff(p.layers["staff"], p.layers["grids"].iloc[[0]])
    assert kept.loc[2, "grid_id"] == "G1"  # police keeps the grid that still exists
    # G2 (600 households, one worker of 500) and G3 (100, none) both lack 100; the
    # tie goes to the first grid, then G3 is the one still short.
    sites = sites_for_new_workers(p, 2)
    assert [(pt.x, pt.y) for pt in sites] == [(150.0, 50.0), (250.0, 50.0)]


def test_column_labels():
    assert column_label("households [plan]", chinese=True) == "住户数 [plan]"
    assert column_label("households [plan]", chinese=False) == "households [plan]"
    assert column_label("unknown_col", chinese=True) == "unknown_col"
    assert all(f.better in ("lower", "higher", "") for f in FIGURES.values())
