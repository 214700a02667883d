"""The analysis context: one rule per concept, values kept until their inputs change."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point

from gridplanner.context import AnalysisContext
from gridplanner.locate import grid_index, household_weights
from gridplanner.project import Project
from gridplanner.scenarios import apply_scenario, save_scenario
from gridplanner.settings import SettingsError

CRS = 4547


def _project() -> Project:
    # Two grids overlapping on x in [90, 110]; a household in the overlap.
    grids = gpd.GeoDataFrame({"grid_id": ["A", "B"], "community_id": ["C", "C"]},
                             geometry=[shapely.box(0, 0, 110, 100),
                                       shapely.box(90, 0, 200, 100)], crs=CRS)
    hh = gpd.GeoDataFrame({"household_id": ["in_a", "overlap", "in_b"],
                           "households": [2, 5, 1]},
                          geometry=[Point(10, 50), Point(100, 50), Point(150, 50)], crs=CRS)
    roads = gpd.GeoDataFrame({"road_id": ["r"]}, geometry=[LineString([(0, 0), (200, 0)])],
                             crs=CRS)
    staff = gpd.GeoDataFrame({"staff_id": ["wa", "wb"], "role": "full_time",
                              "capacity": [10, 10], "grid_id": ["A", "B"]},
                             geometry=[Point(0, 0), Point(200, 0)], crs=CRS)
    return Project(layers={"grids": grids, "households": hh, "roads": roads, "staff": staff})


def test_the_first_grid_in_the_layer_wins_an_overlap():
    p = _project()
    ctx = AnalysisContext.of(p)
    assert ctx.household_grid_ids().tolist() == ["A", "A", "B"]
    # Boundary points belong to the grid: x = 110 is A's edge (A comes first).
    g = np.asarray(p.layer("grids").geometry.values)
    assert grid_index(g, shapely.points([[110, 50], [200, 50], [300, 50]])).tolist() == [0, 1, -1]


def test_overlap_household_gets_the_same_grid_in_every_analysis():
    from gridplanner.analyses import run
    from gridplanner.grids.topology import point_membership
    from gridplanner.scenarios.builders import containing_grid

    p = _project()
    hh = p.layer("households")
    overlap = hh.geometry.values[1:2]
    grids = p.layer("grids")
    checks_grid = point_membership(np.asarray(grids.geometry.values), overlap).grid_index[0]
    ctx = AnalysisContext.of(p)
    routed = run("route", ctx, at="100,50").value
    within = run("allocate", ctx, within_grid=True).value.assignments.set_index("household_id")
    assert grids["grid_id"].iloc[checks_grid] == "A"
    assert routed["grid_id"].tolist() == ["A"]
    assert containing_grid(hh.geometry.iloc[1:2], grids).tolist() == ["A"]
    assert within.loc["overlap", "staff_id"] == "wa"  # A's worker, not B's
    coverage = run("coverage", ctx, use_buildings=False).value.grid_table.set_index("grid_id")
    assert coverage.loc["A", "households"] == 2 + 5
    assert coverage.loc["B", "households"] == 1


def test_weights_one_rule():
    frame = gpd.GeoDataFrame({"households": [3, None, "x", 2.6, -4, float("inf")]})
    assert household_weights(frame).tolist() == [3, 1, 1, 3, 0, 1]
    assert household_weights(gpd.GeoDataFrame({"a": [1, 2]})).tolist() == [1, 1]


def test_network_is_built_once_and_dropped_when_roads_change():
    p = _project()
    ctx = AnalysisContext.of(p)
    net = ctx.network()
    assert ctx.network() is net
    assert AnalysisContext.of(p) is ctx
    snapped = ctx.snapped("households")
    p.set_layer("cameras", p.layer("cameras"))  # unrelated layer: kept
    assert ctx.network() is net
    assert ctx.snapped("households") is snapped
    p.set_layer("households", p.layer("households").iloc[:2])
    assert ctx.network() is net  # households do not change the network
    assert len(ctx.snapped("households").edge) == 2
    p.set_layer("roads", p.layer("roads").iloc[:0])
    assert ctx.network() is not net
    assert ctx.network().n_edges == 0


def test_a_setting_change_drops_only_what_depends_on_it():
    p = _project()
    ctx = AnalysisContext.of(p)
    net = ctx.network()
    snapped = ctx.snapped("households")
    p.set_setting("band", {"urban": [100, 200]})
    assert ctx.network() is net
    assert ctx.snapped("households") is snapped
    assert ctx.settings.band_for("urban") == (100, 200)
    p.set_setting("snap_cutoff_m", 5.0)
    assert ctx.network() is net
    assert ctx.snapped("households") is not snapped
    assert int((ctx.snapped("households").edge >= 0).sum()) == 0  # all 50 m from the road
    p.set_setting("join_tolerance_m", 1.0)
    assert ctx.network() is not net


def test_bad_setting_change_is_refused_and_not_stored():
    p = _project()
    with pytest.raises(SettingsError, match="10 to 50000 m"):
        p.set_setting("walk_cutoff_m", float("nan"))
    assert "walk_cutoff_m" not in p.settings


def test_scenario_variant_shares_the_network_when_roads_are_unchanged():
    p = _project()
    net = AnalysisContext.of(p).network()
    save_scenario(p, "cheap", parameters={"band": {"urban": [10, 20]}})
    same_roads = apply_scenario(p, "cheap")
    assert AnalysisContext.of(same_roads).network() is net
    save_scenario(p, "loose", parameters={"join_tolerance_m": 10.0})
    other = apply_scenario(p, "loose")
    assert AnalysisContext.of(other).network() is not net


def test_a_value_computed_while_its_inputs_change_is_not_kept():
    p = _project()
    ctx = AnalysisContext.of(p)
    calls = []

    def build() -> int:
        calls.append(1)
        p.set_layer("roads", p.layer("roads"))  # an edit lands during the computation
        return len(calls)

    assert ctx.memo("x", build, layers=("roads",)) == 1
    assert ctx.memo("x", lambda: 99, layers=("roads",)) == 99


def test_grid_tools_count_households_by_the_one_rule():
    """Checks, balancing and edits count a point's households as the analyses do."""
    from gridplanner.grids import topology

    hh = gpd.GeoDataFrame({"households": [3, "x", 2.6, float("inf"), 250_000]},
                          geometry=shapely.points([[0.5, 0.5]] * 5))
    expected = int(household_weights(hh).sum())
    assert expected == 3 + 1 + 3 + 1 + 100_000
    grids = np.array([shapely.box(0, 0, 1, 1)])
    assert topology.count_households(grids, hh).tolist() == [expected]
    # no second parser beside the one rule
    assert getattr(topology, "household_weights", household_weights) is household_weights


@settings(max_examples=60, deadline=None)
@given(boxes=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(1, 4),
                                st.integers(1, 4)), min_size=1, max_size=5),
       xy=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=1,
                   max_size=30))
def test_grid_checks_locate_points_by_the_one_rule(boxes, xy):
    """Overlapping grids, points on corners and edges: checks agree with grid_index."""
    from gridplanner.grids.topology import point_membership

    grids = np.array([shapely.box(x, y, x + w, y + h) for x, y, w, h in boxes])
    points = shapely.points(np.array(xy, dtype=float) / 2)  # half steps: on edges too
    assert point_membership(grids, points).grid_index.tolist() == grid_index(
        grids, points).tolist()


def _counting_snaps(monkeypatch) -> list[int]:
    """Record the number of points of every snap from now on, wherever it is called."""
    import sys

    from gridplanner.network import snap

    sizes: list[int] = []
    real = snap.snap_points

    def counted(net, points, **kwargs):
        sizes.append(len(points))
        return real(net, points, **kwargs)

    for name, module in list(sys.modules.items()):
        if name.startswith("gridplanner") and getattr(module, "snap_points", None) is real:
            monkeypatch.setattr(module, "snap_points", counted)
    return sizes


def test_runs_reuse_the_staff_snap_until_the_staff_layer_changes(monkeypatch):
    from gridplanner.analyses import run

    p = _project()
    ctx = AnalysisContext.of(p)
    first = run("allocate", ctx).value
    run("grid-heads", ctx)
    sizes = _counting_snaps(monkeypatch)
    again = run("allocate", ctx).value
    assert sizes == []  # households and staff both kept by the context
    assert again.assignments.equals(first.assignments)
    snapped = ctx.staff_snapped("full_time")
    p.set_layer("cameras", p.layer("cameras"))  # unrelated layer: kept
    assert ctx.staff_snapped("full_time") is snapped
    p.set_layer("staff", p.layer("staff").iloc[:1])
    run("allocate", ctx)
    assert sizes == [1]  # only the changed staff layer is snapped again
    assert ctx.staff_snapped("full_time") is not snapped


def test_facilities_and_candidate_sites_are_snapped_once(monkeypatch):
    from gridplanner.analyses import run

    p = _project()
    p.set_layer("facilities", gpd.GeoDataFrame(
        {"facility_id": ["f"], "kind": ["派出所"], "cutoff_m": [500.0]},
        geometry=[Point(50, 0)], crs=CRS))
    ctx = AnalysisContext.of(p)
    areas = run("service-areas", ctx).value.areas
    sites = run("place", ctx, n=1).value.sites
    sizes = _counting_snaps(monkeypatch)
    assert run("service-areas", ctx).value.areas.equals(areas)
    assert run("place", ctx, n=1).value.sites.equals(sites)
    assert sizes == []
    p.set_setting("snap_cutoff_m", 250.0)
    run("service-areas", ctx)
    assert sizes == [len(p.layer("households")), 1]  # a walking setting drops the snaps
