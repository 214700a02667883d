from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridplanner.errors import ProjectError
from gridplanner.project import Project, open_project, save_project
from gridplanner.scenarios import (
    apply_scenario,
    delete_scenario,
    get_scenario,
    make_scenario,
    save_scenario,
    scenario_names,
)
from gridplanner.scenarios.model import table_name
from layers.validate import validate

CRS = "EPSG:4549"


def _grids() -> gpd.GeoDataFrame:
    boxes = [shapely.box(i * 100.0, 0.0, (i + 1) * 100.0, 100.0) for i in range(3)]
    frame = gpd.GeoDataFrame({"grid_id": ["G1", "G2", "G3"], "community_id": ["C"] * 3},
                             geometry=boxes, crs=CRS)
    return validate(frame, "grids").frame


def _staff() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {"staff_id": ["s1", "s2", "s3", "s4"],
         "role": ["full_time", "full_time", "grid_head", "police"],
         "grid_id": ["G1", "G2", "G1", "G1;G2"],
         "name": ["张三", "李四", "王五", "赵六"],
         "capacity": [500, 400, None, None]},
        geometry=[shapely.Point(50, 50), shapely.Point(150, 50), shapely.Point(40, 40),
                  shapely.Point(120, 10)], crs=CRS)
    return validate(frame, "staff").frame


def _cameras(dup: bool = False) -> gpd.GeoDataFrame:
    ids = ["c1", "c1" if dup else "c2", "c3"]
    frame = gpd.GeoDataFrame({"camera_id": ids, "category": [1, 2, 3]},
                             geometry=[shapely.Point(10, 10), shapely.Point(110, 10),
                                       shapely.Point(210, 10)], crs=CRS)
    return validate(frame, "cameras").frame


@pytest.fixture
def project() -> Project:
    return Project(layers={"grids": _grids(), "staff": _staff(), "cameras": _cameras()})


def _variant_staff(base: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = base[base["staff_id"] != "s2"].copy()  # remove s2
    out.loc[out["staff_id"] == "s1", "geometry"] = shapely.Point(60.5, 55.25)  # move s1
    out.loc[out["staff_id"] == "s3", "capacity"] = 450  # change a capacity
    new = gpd.GeoDataFrame({"staff_id": ["n1", "n2"], "role": ["full_time", "full_time"],
                            "grid_id": ["G3", "G3"]},
                           geometry=[shapely.Point(250, 50), shapely.Point(260, 60)], crs=CRS)
    return gpd.GeoDataFrame(pd.concat([out, new], ignore_index=True), crs=CRS)


def test_staff_changes_are_stored_as_a_small_diff(project):
    variant = _variant_staff(project.layers["staff"])
    sc, tables = make_scenario(project, "plan", layers={"staff": variant})
    change = sc.changes["staff"]
    assert change.mode == "diff"
    assert tables == {}
    assert [r["staff_id"] for r in change.added] == ["n1", "n2"]
    assert sorted(r["staff_id"] for r in change.changed) == ["s1", "s3"]
    assert change.removed == ("s2",)
    moved = next(r for r in change.changed if r["staff_id"] == "s1")
    assert shapely.from_wkb(moved["wkb"]).equals(shapely.Point(60.5, 55.25))


def test_apply_gives_the_variant_and_leaves_base_alone(project):
    base_before = project.layers["staff"].copy()
    save_scenario(project, "plan", layers={"staff": _variant_staff(project.layers["staff"])})
    derived = apply_scenario(project, "plan")
    staff = derived.layers["staff"]
    # Changed rows keep their base position; added rows come last.
    assert staff["staff_id"].tolist() == ["s1", "s3", "s4", "n1", "n2"]
    assert staff.loc[0, "geometry"].equals(shapely.Point(60.5, 55.25))
    assert int(staff.loc[1, "capacity"]) == 450
    assert staff["role"].tolist() == ["full_time", "grid_head", "police", "full_time",
                                      "full_time"]
    pd.testing.assert_frame_equal(project.layers["staff"], base_before)
    assert derived.layers["grids"] is project.layers["grids"]


def test_reshaped_grid_layer_is_stored_whole_and_survives_reopen(project, tmp_path):
    grids = project.layers["grids"].copy()
    grids["geometry"] = grids.geometry.scale(1.01, 1.0, origin=(0, 0))
    sc = save_scenario(project, "balanced", layers={"grids": grids},
                       parameters={"band": {"urban": [250, 450]}, "walk_cutoff_m": 1500.0})
    assert sc.changes["grids"].mode == "table"
    tname = table_name("balanced", "grids")
    assert tname == "scenario__balanced__grids"
    assert tname in project.extra_layers
    path = save_project(project, tmp_path / "p.gpkg")
    reopened = open_project(path)
    assert scenario_names(reopened) == ["current", "balanced"]
    derived = apply_scenario(reopened, "balanced")
    got = derived.layers["grids"].geometry.area.to_numpy()
    np.testing.assert_allclose(got, [10100.0, 10100.0, 10100.0])
    assert derived.config["band"]["urban"] == [250, 450]
    assert derived.config["band"]["rural"] == [300, 500]  # untouched keys merged
    assert derived.config["walk_cutoff_m"] == 1500.0
    assert not any(k.startswith("scenario__") for k in derived.extra_layers)


def test_diff_scenario_round_trips_through_the_file(project, tmp_path):
    variant = _variant_staff(project.layers["staff"])
    save_scenario(project, "增加专职", layers={"staff": variant}, description="两名新专职")
    reopened = open_project(save_project(project, tmp_path / "p.gpkg"))
    assert get_scenario(reopened, "增加专职").description == "两名新专职"
    a = apply_scenario(project, "增加专职").layers["staff"]
    b = apply_scenario(reopened, "增加专职").layers["staff"]
    assert a["staff_id"].tolist() == b["staff_id"].tolist()
    assert shapely.equals_exact(a.geometry.to_numpy(), b.geometry.to_numpy(), 0).all()
    assert b["name"].tolist()[:3] == ["张三", "王五", "赵六"]


def test_duplicate_camera_ids_force_a_whole_table(project):
    project.layers["cameras"] = _cameras(dup=True)
    variant = project.layers["cameras"].iloc[:2]
    sc, tables = make_scenario(project, "fewer cams", layers={"cameras": variant})
    assert sc.changes["cameras"].mode == "table"
    assert len(next(iter(tables.values()))) == 2


def test_unchanged_layer_is_left_out(project):
    sc, _ = make_scenario(project, "same", layers={"grids": project.layers["grids"].copy()})
    assert sc.changes == {}


def test_names_and_deletion(project):
    with pytest.raises(ProjectError, match="base data"):
        save_scenario(project, "现状")
    grids = project.layers["grids"].copy()
    grids["geometry"] = grids.geometry.buffer(1)
    save_scenario(project, "b", layers={"grids": grids})
    with pytest.raises(ProjectError, match="exists already"):
        save_scenario(project, "b")
    with pytest.raises(ProjectError, match="scenarios: current, b"):
        apply_scenario(project, "nope")
    delete_scenario(project, "b")
    assert project.scenarios == {}
    assert project.extra_layers == {}


def test_missing_whole_table_is_a_clear_error(project):
    grids = project.layers["grids"].copy()
    grids["geometry"] = grids.geometry.buffer(1)
    save_scenario(project, "b", layers={"grids": grids})
    project.extra_layers.clear()
    with pytest.raises(ProjectError, match="scenario__b__grids"):
        apply_scenario(project, "b")


def test_diff_against_changed_base_warns(project):
    save_scenario(project, "drop s2", layers={"staff": project.layers["staff"].iloc[[0, 2, 3]]})
    project.layers["staff"] = project.layers["staff"].iloc[[0, 2, 3]].reset_index(drop=True)
    derived = apply_scenario(project, "drop s2")
    assert any(w.feature_id == "s2" for w in derived.warnings)
    assert len(derived.layers["staff"]) == 3


def test_bad_added_row_names_the_scenario(project):
    bad = _staff()
    bad = pd.concat([bad, bad.iloc[[0]].assign(staff_id="x", role="全职")], ignore_index=True)
    save_scenario(project, "ok", layers={"staff": bad.iloc[:4]})
    project.scenarios["ok"]["layers"] = {"staff": {"mode": "diff", "added": [
        {"staff_id": "x", "role": "astronaut", "geometry": "POINT (1 1)"}]}}
    with pytest.raises(ProjectError, match=r"scenario 'ok'.*staff"):
        apply_scenario(project, "ok")


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    keep=st.lists(st.booleans(), min_size=4, max_size=4),
    moves=st.lists(st.tuples(st.floats(0, 300), st.floats(0, 100)), min_size=4, max_size=4),
    n_new=st.integers(0, 3),
)
def test_apply_of_make_is_the_variant(project, keep, moves, n_new):
    base = project.layers["staff"]
    variant = base[np.array(keep)].copy()
    variant["geometry"] = [shapely.Point(*moves[i]) for i in range(len(variant))]
    new = gpd.GeoDataFrame({"staff_id": [f"n{i}" for i in range(n_new)],
                            "role": ["full_time"] * n_new},
                           geometry=[shapely.Point(i, i) for i in range(n_new)], crs=CRS)
    variant = gpd.GeoDataFrame(pd.concat([variant, new], ignore_index=True), crs=CRS)
    sc, tables = make_scenario(project, "p", layers={"staff": variant})
    derived = apply_scenario(Project(layers=project.layers, extra_layers=tables), sc)
    got = derived.layers["staff"].set_index("staff_id").sort_index()
    want = validate(variant, "staff").frame.set_index("staff_id").sort_index()
    assert got.index.tolist() == want.index.tolist()
    assert shapely.equals_exact(got.geometry.to_numpy(), want.geometry.to_numpy(), 0).all()
    assert got["role"].tolist() == want["role"].tolist()


@pytest.mark.parametrize("value", [-5, float("nan"), "far", 1e9])
def test_scenario_parameters_are_checked_like_settings(value):
    from gridplanner.errors import SettingsError

    p = Project()
    with pytest.raises(SettingsError, match="scenario 'x': setting walk_cutoff_m = "):
        save_scenario(p, "x", parameters={"walk_cutoff_m": value})
    assert "x" not in p.scenarios
