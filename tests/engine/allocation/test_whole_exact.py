"""Whole-point allocation is exact: equal to brute force on small tight cases."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gridplanner.allocation.whole import solve_whole

_PAIRS: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _mask_pairs(n):
    """Every (set, subset) pair of n points, sorted by set (3 ** n pairs)."""
    if n not in _PAIRS:
        digit = np.array(list(itertools.product(range(3), repeat=n)), dtype=np.int64)
        bits = 1 << np.arange(n)
        sets = ((digit > 0) * bits).sum(axis=1)
        subs = ((digit == 2) * bits).sum(axis=1)
        order = np.argsort(sets, kind="stable")
        _PAIRS[n] = (sets[order], subs[order])
    return _PAIRS[n]


def brute_force(w, cost, cap):
    """Most households assigned, then the least household-metres, over every assignment.

    Exhaustive by dynamic programming over sets of points: staff by staff, the
    best way to serve each set is the best split of it into a part this member
    takes (within capacity) and a set served by the members before.
    """
    n, m = cost.shape
    sets, subs = _mask_pairs(n)
    members = (np.arange(1 << n)[:, None] >> np.arange(n)[None, :]) & 1
    load = members @ w
    # Integer decimetres: one household more outweighs any walking.
    dm = np.round(cost * 10).astype(np.int64)
    big = 10 ** 12
    best = np.full(1 << n, -(10 ** 18), dtype=np.int64)
    best[0] = 0
    starts = np.searchsorted(sets, np.arange(1 << n))
    for s in range(m):
        gain = np.where(load <= cap[s], load * big - members @ (w * dm[:, s]), -(10 ** 18))
        value = best[sets ^ subs] + gain[subs]
        best = np.maximum.reduceat(value, starts)
    top = int(best.max())
    served = (top + big // 2) // big
    return served, (served * big - top) / 10.0


def case(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 13))
    m = int(rng.integers(1, 5))
    w = rng.integers(1, 61, size=n)
    # Tight: total room about the households, split unevenly.
    share = rng.dirichlet(np.ones(m))
    cap = np.floor(share * w.sum() * rng.uniform(0.7, 1.1)).astype(np.int64)
    cost = np.round(rng.uniform(10, 3000, size=(n, m)), 1)
    return w, cost, cap


#: Ways to solve: options left to the integer solver in the first round (0: only
#: those priced at the relaxation, so the proof has to widen; many: all at once),
#: and the integer solver of the free parts.
_WAYS = [(0, "highs"), (3, "highs"), (10_000, "highs"), (0, "cp-sat"), (3, "cp-sat")]


@pytest.mark.parametrize("block", range(10))
def test_equal_to_brute_force_on_random_tight_cases(block):
    for seed in range(block * 25, block * 25 + 25):
        w, cost, cap = case(seed)
        n, m = cost.shape
        arc_point = np.repeat(np.arange(n), m)
        arc_staff = np.tile(np.arange(m), n)
        free_arcs, backend = _WAYS[seed % len(_WAYS)]
        sol = solve_whole(w, arc_point, arc_staff, cost.ravel(), cap, time_limit_s=30,
                          free_arcs=free_arcs, backend=backend)
        assert sol.optimal, seed
        served, walk = brute_force(w, cost, cap)
        assert sol.assigned_households == served, seed
        assert sol.most_households == served, seed
        assert sol.walking_m == pytest.approx(walk, abs=1e-6), seed
        assert sol.bound_m == pytest.approx(walk, abs=1e-6), seed
        # The answer itself is whole and within capacity.
        chosen = sol.arc[sol.arc >= 0]
        load = np.bincount(arc_staff[chosen], weights=w[sol.arc >= 0], minlength=m)
        assert (load <= cap).all()
        # The relaxation (points may split) bounds it.
        assert sol.relaxed_households >= served
        if sol.relaxed_households == served:
            assert sol.relaxed_m <= walk + 1e-6


@pytest.mark.parametrize("seed", range(4))
def test_fixing_by_reduced_cost_keeps_the_optimum_on_larger_cases(seed):
    # 24 buildings, 4 staff, some arcs missing: too large for brute force, so
    # the answer with options fixed by reduced cost must equal the integer
    # program over every option.
    rng = np.random.default_rng(500 + seed)
    n, m = 24, 4
    w = rng.integers(1, 61, size=n)
    cap = np.floor(rng.dirichlet(np.ones(m)) * w.sum() * rng.uniform(0.8, 1.05)).astype(int)
    keep = rng.random((n, m)) < 0.7
    arc_point, arc_staff = np.nonzero(keep)
    cost = np.round(rng.uniform(10, 3000, size=len(arc_point)), 1)
    fixed = solve_whole(w, arc_point, arc_staff, cost, cap, free_arcs=0, time_limit_s=60)
    whole = solve_whole(w, arc_point, arc_staff, cost, cap, free_arcs=10**9, time_limit_s=60)
    assert fixed.optimal
    assert whole.optimal
    assert fixed.assigned_households == whole.assigned_households
    assert fixed.walking_m == pytest.approx(whole.walking_m, abs=1e-6)


def test_a_start_better_than_nothing_is_kept_and_improved():
    # One worker with room for 5; 3 households at 100 m and 3 at 300 m: the
    # start holding the farther point becomes the nearer one.
    sol = solve_whole(np.array([3, 3]), np.array([0, 1]), np.array([0, 0]),
                      np.array([100.0, 300.0]), np.array([5]),
                      start_arc=np.array([-1, 1]))
    assert sol.arc.tolist() == [0, -1]
    assert sol.walking_m == 300.0


def test_everyone_is_assigned_where_a_greedy_repair_leaves_a_building_out():
    # Rooms for 6 (A) and 4 (B); buildings of 4, 3 and 3 households. Nearest
    # first puts the 4 on A, a 3 on B, and the last 3 fits nowhere; yet A can
    # take both 3s and B the 4.
    w = np.array([4, 3, 3])
    arc_point = np.array([0, 0, 1, 1, 2, 2])
    arc_staff = np.array([0, 1, 0, 1, 0, 1])
    cost = np.array([100.0, 900.0, 200.0, 300.0, 250.0, 400.0])
    greedy = np.array([0, 3, -1])
    sol = solve_whole(w, arc_point, arc_staff, cost, np.array([6, 4]), start_arc=greedy)
    assert sol.optimal
    assert sol.assigned_households == 10
    assert sol.arc.tolist() == [1, 2, 4]
    assert sol.walking_m == pytest.approx(4 * 900 + 3 * 200 + 3 * 250)


def test_most_households_before_least_walking():
    # One more household served outweighs any walking: with room for 5, the
    # far building of 5 beats the near ones of 3 and 1.
    sol = solve_whole(np.array([3, 5, 1]), np.array([0, 1, 2]), np.array([0, 0, 0]),
                      np.array([10.0, 2900.0, 20.0]), np.array([5]))
    assert sol.assigned_households == 5
    assert sol.arc.tolist() == [-1, 1, -1]


def test_out_of_time_the_start_is_kept_with_honest_bounds():
    rng = np.random.default_rng(7)
    n, m = 30, 4
    w = rng.integers(1, 61, size=n)
    cap = np.full(m, int(w.sum() * 0.22))
    arc_point = np.repeat(np.arange(n), m)
    arc_staff = np.tile(np.arange(m), n)
    cost = np.round(rng.uniform(10, 3000, size=n * m), 1)
    start = np.full(n, -1)
    sol = solve_whole(w, arc_point, arc_staff, cost, cap, start_arc=start, time_limit_s=0)
    exact = solve_whole(w, arc_point, arc_staff, cost, cap, time_limit_s=60)
    assert exact.optimal
    assert not sol.optimal
    # Whatever was reached, the bounds hold for the true optimum.
    assert sol.most_households >= exact.assigned_households
    assert sol.assigned_households <= exact.assigned_households
    if sol.assigned_households == exact.assigned_households:
        assert sol.bound_m <= exact.walking_m + 1e-6
    assert sol.gap_pct > 0 or sol.walking_m == exact.walking_m


@pytest.mark.parametrize("seed", range(20))
def test_the_brute_force_agrees_with_plain_enumeration(seed):
    rng = np.random.default_rng(1000 + seed)
    n, m = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    w = rng.integers(1, 61, size=n)
    cap = rng.integers(0, 100, size=m)
    cost = np.round(rng.uniform(10, 3000, size=(n, m)), 1)
    best = (-1, 0.0)
    for choice in itertools.product(range(m + 1), repeat=n):
        c = np.array(choice)
        load = np.bincount(c, weights=w, minlength=m + 1)[:m]
        if (load > cap).any():
            continue
        served = int(w[c < m].sum())
        walk = float(sum(w[p] * cost[p, c[p]] for p in range(n) if c[p] < m))
        if served > best[0] or (served == best[0] and walk < best[1]):
            best = (served, walk)
    got = brute_force(w, cost, cap)
    assert got[0] == best[0]
    assert got[1] == pytest.approx(best[1], abs=1e-6)


def test_allocation_keeps_the_nearer_building_when_only_one_fits():
    import geopandas as gpd
    from shapely import LineString, Point

    from gridplanner.allocation import allocate_layers

    roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1000, 0)])], crs=3857)
    hh = gpd.GeoDataFrame({"household_id": ["a", "b"], "households": [3, 3]},
                          geometry=[Point(100, 0), Point(300, 0)], crs=3857)
    st = gpd.GeoDataFrame({"staff_id": ["w"], "role": "full_time", "capacity": [5],
                           "grid_id": [""]}, geometry=[Point(0, 0)], crs=3857)
    r = allocate_layers(hh, st, roads)
    assert r.assignments["household_id"].tolist() == ["a"]
    assert r.totals.objective_household_m == pytest.approx(300.0)
    assert r.totals.whole_points_optimal


def test_no_household_is_said_dropped_for_wholeness_when_none_is():
    import geopandas as gpd
    from shapely import LineString, Point

    from gridplanner.allocation import allocate_layers

    # Room for 3: the flow takes q (2) and one household of s; whole, q and r
    # (3 households as well). s is left out for want of capacity, not wholeness.
    roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1000, 0)])], crs=3857)
    hh = gpd.GeoDataFrame({"household_id": ["q", "s", "r"], "households": [2, 2, 1]},
                          geometry=[Point(10, 0), Point(20, 0), Point(50, 0)], crs=3857)
    st = gpd.GeoDataFrame({"staff_id": ["w"], "role": "full_time", "capacity": [3],
                           "grid_id": [""]}, geometry=[Point(0, 0)], crs=3857)
    r = allocate_layers(hh, st, roads)
    assert sorted(r.assignments["household_id"]) == ["q", "r"]
    assert r.totals.unassigned_to_keep_points_whole == 0
    assert r.totals.whole_points_optimal
    assert r.unassigned["reason"].tolist() == [
        "no capacity left among full_time staff within 3000 m"]


def test_parts_too_large_to_prove_keep_the_start_unproven(monkeypatch):
    import gridplanner.allocation.whole as whole_module

    w, cost, cap = case(3)
    n, m = cost.shape
    arc_point, arc_staff = np.repeat(np.arange(n), m), np.tile(np.arange(m), n)
    exact = solve_whole(w, arc_point, arc_staff, cost.ravel(), cap, free_arcs=10**9)
    monkeypatch.setattr(whole_module, "_MOST_PART_ARCS", 0)
    sol = solve_whole(w, arc_point, arc_staff, cost.ravel(), cap, free_arcs=10**9)
    assert not sol.optimal
    chosen = sol.arc[sol.arc >= 0]
    load = np.bincount(arc_staff[chosen], weights=w[sol.arc >= 0], minlength=m)
    assert (load <= cap).all()
    assert sol.most_households >= exact.assigned_households >= sol.assigned_households
