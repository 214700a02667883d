"""Incremental updates agree with full recomputes; coverage properties."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _coverage_helpers import CRS, buildings, cameras, households, points, roads
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridplanner.coverage import PCT_COLUMNS, CoverageState, coverage_from_layers


def layout(seed, n_cameras=30):
    rng = np.random.default_rng(seed)
    boxes = [(x, y, x + 100, y + 100) for x in (0, 100, 200) for y in (0, 100, 200)]
    g = gpd.GeoDataFrame({"grid_id": [f"g{i}" for i in range(9)]},
                         geometry=[shapely.box(*b) for b in boxes], crs=CRS)
    cams = cameras([
        (f"c{i}", *rng.uniform(0, 300, 2), int(rng.integers(1, 4)), float(rng.uniform(10, 60)),
         float(rng.uniform(0, 360)) if rng.random() < 0.7 else np.nan,
         float(rng.uniform(20, 180)), "online" if rng.random() < 0.9 else "offline")
        for i in range(n_cameras)])
    hh = households([tuple(p) for p in rng.uniform(0, 300, (200, 2))],
                    [int(w) for w in rng.integers(1, 20, 200)])
    ix = points([tuple(p) for p in rng.uniform(0, 300, (40, 2))])
    rd = roads([(0, 50), (300, 55)], [(150, 0), (148, 300)], [(0, 250), (300, 180)])
    bl = buildings(*[shapely.box(x, y, x + 8, y + 12) for x, y in rng.uniform(0, 290, (25, 2))])
    return {"grids": g, "cameras": cams, "households": hh, "intersections": ix, "roads": rd,
                "buildings": bl}


def full(layers, **kw):
    return CoverageState.from_layers(layers["grids"], layers["cameras"],
                                     **{k: v for k, v in layers.items()
                                        if k not in ("grids", "cameras")}, **kw)


def assert_tables_equal(a, b):
    a = a.set_index("grid_id").sort_index()
    b = b.set_index("grid_id").sort_index()
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-7)


@pytest.mark.parametrize("seed", [1, 2])
def test_moving_a_camera_updates_like_a_full_recompute(seed):
    layers = layout(seed)
    state = full(layers)
    cams = layers["cameras"].copy()
    cams.loc[3, "geometry"] = shapely.Point(150, 150)
    cams.loc[3, "azimuth_deg"] = 10.0
    cams.loc[3, "status"] = "online"
    rows = state.update(cameras=cams, changed_camera_ids=["c3"])
    assert 0 < len(rows) <= 9
    expected = full({**layers, "cameras": cams})
    assert_tables_equal(state.table, expected.table)
    assert_tables_equal(state.district, expected.district)
    # The uncovered layers follow too.
    got, want = state.result(), expected.result()
    assert sorted(got.uncovered_households["household_id"]) == sorted(
        want.uncovered_households["household_id"])


def test_removing_adding_and_switching_off_cameras():
    layers = layout(3)
    state = full(layers)
    cams = layers["cameras"].copy()
    cams = cams[cams["camera_id"] != "c0"]
    cams.loc[cams["camera_id"] == "c1", "status"] = "offline"
    new = cameras([("new", 50, 50, 1, 80.0, np.nan, 360.0, "online")])
    cams = pd.concat([cams, new], ignore_index=True)
    state.update(cameras=cams, changed_camera_ids=["c0", "c1", "new"])
    assert_tables_equal(state.table, full({**layers, "cameras": cams}).table)


def test_redrawing_a_grid_moves_households_between_grids():
    layers = layout(4)
    state = full(layers)
    g = layers["grids"].copy()
    g.loc[0, "geometry"] = shapely.box(0, 0, 150, 100)  # grows into g3
    g.loc[3, "geometry"] = shapely.box(150, 0, 200, 100)
    rows = state.update(grids=g, changed_grid_ids=["g0", "g3"])
    assert set(rows["grid_id"]) >= {"g0", "g3"}
    assert_tables_equal(state.table, full({**layers, "grids": g}).table)


def test_adding_and_removing_grids():
    layers = layout(5)
    state = full(layers)
    g = layers["grids"].copy()
    g = g[g["grid_id"] != "g8"]
    g = pd.concat([g, gpd.GeoDataFrame({"grid_id": ["new"]},
                                       geometry=[shapely.box(200, 200, 300, 300)], crs=CRS)],
                  ignore_index=True)
    state.update(grids=g, changed_grid_ids=["g8", "new"])
    got = state.table
    assert "g8" not in set(got["grid_id"])
    assert "new" in set(got["grid_id"])
    assert_tables_equal(got, full({**layers, "grids": g}).table)


def test_update_with_nothing_changed_returns_no_rows():
    state = full(layout(6))
    assert state.update(cameras=None, changed_camera_ids=[]).empty


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), x=st.floats(0, 300), y=st.floats(0, 300),
       r=st.floats(5, 120), az=st.one_of(st.just(np.nan), st.floats(0, 359.9)),
       fov=st.floats(5, 360), cat=st.sampled_from([1, 2, 3]))
def test_adding_a_camera_never_lowers_any_share(seed, x, y, r, az, fov, cat):
    layers = layout(seed, n_cameras=12)
    state = full(layers)
    before = state.table.set_index("grid_id")[list(PCT_COLUMNS)]
    cams = pd.concat([layers["cameras"],
                      cameras([("added", x, y, cat, r, az, fov, "online")])],
                     ignore_index=True)
    state.update(cameras=cams, changed_camera_ids=["added"])
    after = state.table.set_index("grid_id")[list(PCT_COLUMNS)]
    both = before.notna().to_numpy()
    assert (after.to_numpy()[both] >= before.to_numpy()[both] - 1e-9).all()
    values = after.to_numpy(dtype=float)
    assert np.nanmin(values) >= 0.0
    assert np.nanmax(values) <= 100.0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(0, 40))
def test_shares_stay_within_0_and_100(seed, n):
    layers = layout(seed, n_cameras=n)
    res = coverage_from_layers(**layers, include_offline=bool(seed % 2))
    values = res.table[list(PCT_COLUMNS)].to_numpy(dtype=float)
    assert np.all(np.isnan(values) | ((values >= 0) & (values <= 100)))
    # Category sets never exceed "all".
    t = res.table
    for measure in ("area", "households", "roads", "intersections"):
        for cats in ("cat1", "cat23"):
            ok = t[f"{measure}_pct_all"].isna() | (
                t[f"{measure}_pct_{cats}"] <= t[f"{measure}_pct_all"] + 1e-9)
            assert ok.all()
