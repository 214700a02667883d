"""Optimal capacitated allocation: hand-checked cases and an independent LP check."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
from scipy.optimize import linprog
from shapely import LineString, Point, box

from gridplanner.allocation import allocate_layers
from gridplanner.allocation.flow import FlowSolution, resolve_splits, solve_flow
from gridplanner.analyses import run
from gridplanner.context import AnalysisContext
from gridplanner.errors import AnalysisError
from gridplanner.project import Project

CRS = 3857


def frame(rows, geoms):
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS)


def households(*items):
    """items: (id, x, y, households)."""
    return frame({"household_id": [i[0] for i in items], "households": [i[3] for i in items]},
                 [Point(i[1], i[2]) for i in items])


def staff(*items, role="full_time"):
    """items: (id, x, y, capacity, grid_id)."""
    return frame({"staff_id": [i[0] for i in items], "role": role,
                  "capacity": [i[3] for i in items], "grid_id": [i[4] for i in items]},
                 [Point(i[1], i[2]) for i in items])


def line(*pts):
    return frame({"road_id": [str(i) for i in range(len(pts) - 1)]},
                 [LineString([a, b]) for a, b in itertools.pairwise(pts)])


def pairs(result):
    a = result.assignments
    return dict(zip(a["household_id"], a["staff_id"], strict=True))


def test_path_graph_where_greedy_is_wrong():
    # Road from -100 to 200. A at 0 and B at 200 take one household each.
    # h1 at 90 is nearest to A (90 vs 110); greedy gives it A and sends h2 (at -100)
    # to B: 90 + 300 = 390. The optimum is h2 -> A (100), h1 -> B (110): 210.
    roads = line((-100, 0), (0, 0), (90, 0), (200, 0))
    hh = households(("h1", 90, 0, 1), ("h2", -100, 0, 1))
    st = staff(("A", 0, 0, 1, ""), ("B", 200, 0, 1, ""))
    r = allocate_layers(hh, st, roads)
    assert pairs(r) == {"h1": "B", "h2": "A"}
    assert r.totals.objective_household_m == pytest.approx(210.0)
    assert r.totals.flow_optimum_household_m == pytest.approx(210.0)
    assert r.totals.gap_pct == 0
    load = r.staff_load.set_index("staff_id")
    assert load.loc["A", "load"] == 1
    assert load.loc["B", "load"] == 1
    assert load.loc["B", "mean_distance_m"] == pytest.approx(110.0)
    assert load.loc["A", "capacity_used_pct"] == pytest.approx(100.0)


def test_households_at_a_point_go_whole_and_capacity_is_never_exceeded():
    roads = line((0, 0), (1000, 0))
    hh = households(("big", 100, 0, 6), ("small", 120, 0, 2))
    st = staff(("A", 0, 0, 5, ""), ("B", 1000, 0, 10, ""))
    r = allocate_layers(hh, st, roads)
    got = pairs(r)
    assert got == {"big": "B", "small": "A"}
    load = r.staff_load.set_index("staff_id")["load"]
    assert load["A"] <= 5
    assert load["B"] <= 10
    # The flow optimum (splitting "big") is the lower bound of the whole-point answer.
    assert r.totals.flow_optimum_household_m <= r.totals.objective_household_m
    assert r.totals.split_points == 1


def test_disconnected_piece_and_far_points_are_unassigned_with_reasons():
    roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (500, 0)]),
                                       LineString([(0, 1000), (100, 1000)])], crs=CRS)
    hh = households(("near", 50, 5, 1), ("island", 50, 1005, 2), ("far", 5000, 5000, 1))
    st = staff(("A", 0, 0, 10, ""))
    r = allocate_layers(hh, st, roads)
    assert pairs(r) == {"near": "A"}
    reasons = dict(zip(r.unassigned["household_id"], r.unassigned["reason"], strict=True))
    assert reasons["island"].startswith("unreachable")
    assert reasons["far"].startswith("off the road network")
    assert r.totals.unassigned_households == 3


def test_no_capacity_left_is_reported():
    roads = line((0, 0), (100, 0))
    hh = households(("a", 10, 0, 1), ("b", 20, 0, 1))
    st = staff(("A", 0, 0, 1, ""))
    r = allocate_layers(hh, st, roads)
    assert pairs(r) == {"a": "A"}
    assert r.unassigned["reason"].iloc[0].startswith("no capacity left")


def test_candidates_widen_when_the_nearest_are_full():
    # Ten workers of capacity 1 in a row; ten households at the left end. With k=2
    # the flow must widen each household's candidate list to reach everyone.
    roads = line((0, 0), (1000, 0))
    hh = households(*[(f"h{i}", i, 0, 1) for i in range(10)])
    st = staff(*[(f"s{i}", 100 * i, 0, 1, "") for i in range(10)])
    r = allocate_layers(hh, st, roads, k=2)
    assert r.totals.unassigned_households == 0
    assert r.totals.k_used > 2
    assert r.totals.objective_household_m == pytest.approx(
        sum(100 * i for i in range(10)) - sum(range(10)), abs=1e-6)


def test_within_grid_mode_and_multi_grid_staff():
    roads = line((0, 0), (400, 0))
    grids = frame({"grid_id": ["G1", "G2"]}, [box(0, -50, 200, 50), box(200, -50, 400, 50)])
    hh = households(("a", 190, 0, 1), ("b", 390, 0, 1))
    st = staff(("w1", 10, 0, 5, "G1"), ("w2", 210, 0, 5, "G2"), ("p", 395, 0, 5, "G3"))
    free = allocate_layers(hh, st, roads)
    assert pairs(free) == {"a": "w2", "b": "p"}
    strict = allocate_layers(hh, st, roads, grids=grids, within_grid=True)
    assert pairs(strict) == {"a": "w1", "b": "w2"}
    assert list(strict.assignments["grid_id"]) == ["G1", "G2"]
    # A member listing several grids serves each of them.
    st2 = staff(("w1", 10, 0, 5, "G1"), ("w2", 210, 0, 5, "G3"), ("p", 395, 0, 5, "G1;G2"))
    both = allocate_layers(hh, st2, roads, grids=grids, within_grid=True)
    assert pairs(both) == {"a": "w1", "b": "p"}
    st3 = staff(("w1", 10, 0, 5, "G1"))
    lonely = allocate_layers(hh, st3, roads, grids=grids, within_grid=True)
    assert "grid G2" in lonely.unassigned["reason"].iloc[0]


def test_empty_capacity_takes_the_role_default_from_settings():
    roads = line((0, 0), (100, 0))
    hh = households(("a", 10, 0, 3), ("b", 20, 0, 3))
    st = staff(("A", 0, 0, None, ""))
    project = Project(layers={"roads": roads, "households": hh, "staff": st},
                      settings={"capacity_defaults": {"full_time": 4}})
    r = run("allocate", AnalysisContext.of(project)).value
    assert r.staff_load["capacity"].tolist() == [4]
    assert r.totals.assigned_households == 3
    with pytest.raises(AnalysisError, match="no police members"):
        run("allocate", AnalysisContext.of(project), role="police")


def _lp_optimum(cost, weight, capacity):
    n_h, n_s = cost.shape
    c = np.where(np.isfinite(cost), cost, 0).ravel()
    bounds = [(0, None) if np.isfinite(v) else (0, 0) for v in cost.ravel()]
    a_eq = np.zeros((n_h, n_h * n_s))
    for h in range(n_h):
        a_eq[h, h * n_s:(h + 1) * n_s] = 1
    a_ub = np.zeros((n_s, n_h * n_s))
    for s in range(n_s):
        a_ub[s, s::n_s] = 1
    res = linprog(c, A_ub=a_ub, b_ub=capacity, A_eq=a_eq, b_eq=weight, bounds=bounds,
                  method="highs")
    assert res.status == 0
    return res.fun


@pytest.mark.parametrize("seed", range(6))
def test_flow_optimum_equals_an_independent_lp(seed, networkx_point_costs):
    rng = np.random.default_rng(seed)
    # A 4 x 4 street lattice, 120 m blocks; households and staff scattered.
    xs = np.arange(4) * 120.0
    lines = [LineString([(0, y), (360, y)]) for y in xs]
    lines += [LineString([(x, 0), (x, 360)]) for x in xs]
    roads = gpd.GeoDataFrame(geometry=lines, crs=CRS)
    n_h, n_s = 14, 4
    hxy = rng.uniform(0, 360, size=(n_h, 2))
    sxy = rng.uniform(0, 360, size=(n_s, 2))
    w = rng.integers(1, 4, size=n_h)
    cap = rng.integers(4, 12, size=n_s)
    cap[0] = max(cap[0], int(w.sum()) - int(cap[1:].sum()))  # feasible
    hh = households(*[(f"h{i}", *hxy[i], int(w[i])) for i in range(n_h)])
    st = staff(*[(f"s{i}", *sxy[i], int(cap[i]), "") for i in range(n_s)])
    r = allocate_layers(hh, st, roads, k=n_s)
    # Independent distances: networkx on a graph with the feet spliced in.
    from gridplanner.allocation.common import source_to_point_distances
    from gridplanner.network.graph import build_network
    from gridplanner.network.snap import snap_points

    net = build_network(roads)
    ss = snap_points(net, st.geometry.values)
    hs = snap_points(net, hh.geometry.values)
    cost = networkx_point_costs(net, ss, hs)
    assert np.allclose(cost, source_to_point_distances(net, ss, hs).T, atol=1e-6)
    lp = _lp_optimum(cost, w, cap)
    assert r.totals.flow_optimum_household_m == pytest.approx(lp, abs=0.05 * w.sum())
    assert r.totals.objective_household_m >= r.totals.flow_optimum_household_m - 1e-6
    if r.totals.split_points == 0:
        assert r.totals.objective_household_m == pytest.approx(lp, abs=0.05 * w.sum())



def test_solve_flow_and_resolve_splits_by_hand():
    # One point of 3 households, workers with capacity 2 and 3.
    sol = solve_flow(np.array([3]), np.array([0, 0]), np.array([0, 1]), np.array([1.0, 2.0]),
                     np.array([2, 3]), unassigned_cost_m=100)
    assert sol.optimum_m == pytest.approx(2 * 1.0 + 1 * 2.0)
    staff_of, dist = resolve_splits(sol, np.array([3]), np.array([2, 3]))
    assert staff_of.tolist() == [1]
    assert dist.tolist() == [2.0]
    # Nobody has room for the whole point: left unassigned, capacity kept.
    tight = FlowSolution(np.array([0, 0]), np.array([0, 1]), np.array([2, 1]),
                         np.array([1.0, 2.0]), 4.0, 0)
    staff_of, _ = resolve_splits(tight, np.array([3]), np.array([2, 2]))
    assert staff_of.tolist() == [-1]


def test_messy_rows_are_reported_not_fatal():
    roads = gpd.GeoDataFrame({"speed_kmh": ["fast", None]},
                             geometry=[LineString([(0, 0), (100, 0)]), None], crs=CRS)
    hh = gpd.GeoDataFrame({"household_id": ["a", "b", "c", "d"], "households": [1, "x", 1, 1]},
                          geometry=[Point(10, 1), None, Point(np.nan, np.nan),
                                    box(0, 0, 1, 1)], crs=CRS)
    st = staff(("s", 0, 0, "lots", None), ("t", 50, 0, 2, ""))
    st.loc[1, "geometry"] = None
    r = allocate_layers(hh, st, roads)
    assert pairs(r) == {"a": "s"}
    reasons = dict(zip(r.unassigned["household_id"], r.unassigned["reason"], strict=True))
    assert set(reasons) == {"b", "c", "d"}
    assert all(v.startswith("no location") for v in reasons.values())
    assert any(p.layer == "staff" and p.feature_id == "t" for p in r.problems)
    assert r.staff_load.set_index("staff_id").loc["s", "capacity"] == 500


def test_whole_result_of_a_within_grid_case_by_hand():
    # Main road y=0 from x=0 to 400; an island road at y=1000. Grids G1 (x<200),
    # G2 (x>200) on the main road, G3 on the island.
    roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (400, 0)]),
                                       LineString([(0, 1000), (100, 1000)])], crs=CRS)
    grids = frame({"grid_id": ["G1", "G2", "G3"]},
                  [box(0, -50, 200, 50), box(200, -50, 400, 50), box(0, 950, 100, 1050)])
    hh = households(("a", 50, 5, 2), ("b", 150, 0, 1), ("c", 250, 0, 2), ("d", 380, -5, 1),
                    ("e", 195, 0, 1), ("f", 50, 1000, 1), ("g", 300, 200, 1),
                    ("h", 300, 600, 1), ("i", 0, 0, 1))
    hh.loc[8, "geometry"] = None
    # w3's base is 900 m from any road: left out with a warning.
    st = staff(("w1", 10, 0, 3, "G1"), ("w2", 390, 0, 5, "G2"), ("w3", 1000, 900, 4, "G3"))
    r = allocate_layers(hh, st, roads, grids=grids, within_grid=True)
    # G1 holds 4 households for w1's 3: the flow leaves e (185 m) out, not b (140 m).
    assert r.assignments.drop(columns="geometry").values.tolist() == [
        ["a", "w1", 45.0, 2, "G1"], ["b", "w1", 140.0, 1, "G1"],
        ["c", "w2", 140.0, 2, "G2"], ["d", "w2", 15.0, 1, "G2"]]
    load = r.staff_load.drop(columns="geometry")
    assert load.columns.tolist() == ["staff_id", "load", "capacity", "capacity_used_pct",
                                     "mean_distance_m", "max_distance_m"]
    # Means: (2 * 45 + 140) / 3 = 76.7 and (2 * 140 + 15) / 3 = 98.3.
    assert load.iloc[:2].values.tolist() == [["w1", 3, 3, 100.0, 76.7, 140.0],
                                             ["w2", 3, 5, 60.0, 98.3, 140.0]]
    assert load.iloc[2, :4].tolist() == ["w3", 0, 4, 0.0]
    assert load.iloc[2, 4:].isna().all()
    assert r.unassigned.drop(columns="geometry").values.tolist() == [
        ["e", "no capacity left among full_time staff within 3000 m", 1],
        ["f", "no full_time staff of grid G3 within 3000 m on the road network", 1],
        ["g", "outside every grid", 1],
        ["h", "off the road network: farther than 300 m from any walkable road", 1],
        ["i", "no location: the point is empty or not a valid point", 1]]
    # 525 household-m over 6 households; the 95th household-weighted percentile is 140 m.
    # Nothing presses the candidate lists: k stays 8 clipped to the 3 members.
    assert r.totals.as_dict() == {
        "objective_household_m": 525.0, "mean_distance_m": 87.5, "p95_distance_m": 140.0,
        "max_distance_m": 140.0, "households_beyond_1km": 0, "assigned_households": 6,
        "unassigned_households": 5, "flow_optimum_household_m": 525.0, "gap_pct": 0.0,
        "split_points": 0, "unassigned_to_keep_points_whole": 0, "k_used": 3,
        "flow_assigned_households": 6, "flow_unassigned_households": 5,
        # e and f could be placed in principle: each charged 10 * 3000 + 1 m.
        "unassigned_cost_m": 30001.0, "total_with_unassigned_household_m": 60527.0,
        "flow_total_with_unassigned_household_m": 60527.0,
        # The flow split nothing: its answer is proven optimal, no exact solve needed.
        "whole_points_optimal": True, "whole_points_gap_pct": 0.0,
        "whole_points_seconds": 0.0, "whole_points_most_households": 6}
    assert [(p.layer, p.feature_id, p.severity) for p in r.problems] == [
        ("staff", "w3", "warning")]
    assert (r.role, r.within_grid) == ("full_time", True)


def test_nothing_on_the_roads_is_said_plainly():
    roads = gpd.GeoDataFrame(geometry=[LineString([(90_000, 0), (90_100, 0)])], crs=4547)
    hh = gpd.GeoDataFrame({"household_id": ["a", "b"], "households": [1, 2]},
                          geometry=[Point(10, 5), Point(90, 5)], crs=4547)
    near = gpd.GeoDataFrame({"staff_id": ["w"], "role": "full_time", "grid_id": ""},
                            geometry=[Point(90_050, 0)], crs=4547)
    with pytest.raises(AnalysisError, match="none of the 2 household points lies within 300 m"):
        allocate_layers(hh, near, roads)
    far = near.set_geometry([Point(0, 0)], crs=4547)
    on_road = hh.set_geometry([Point(90_010, 0), Point(90_020, 0)], crs=4547)
    with pytest.raises(AnalysisError, match="none of the 1 full_time staff bases"):
        allocate_layers(on_road, far, roads)
