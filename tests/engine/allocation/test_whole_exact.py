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


@pytest.mark.parametrize("block", range(10))
def test_equal_to_brute_force_on_random_tight_cases(block):
    for seed in range(block * 25, block * 25 + 25):
        w, cost, cap = case(seed)
        n, m = cost.shape
        arc_point = np.repeat(np.arange(n), m)
        arc_staff = np.tile(np.arange(m), n)
        sol = solve_whole(w, arc_point, arc_staff, cost.ravel(), cap, time_limit_s=10)
        assert sol.optimal
        served, walk = brute_force(w, cost, cap)
        assert sol.assigned_households == served, seed
        assert sol.walking_m == pytest.approx(walk, abs=1e-6), seed
        # The answer itself is whole and within capacity.
        chosen = sol.arc[sol.arc >= 0]
        load = np.bincount(arc_staff[chosen], weights=w[sol.arc >= 0], minlength=m)
        assert (load <= cap).all()


def test_a_start_better_than_nothing_is_kept_and_improved():
    # One worker with room for 5; 3 households at 100 m and 3 at 300 m: the
    # start holding the farther point becomes the nearer one.
    sol = solve_whole(np.array([3, 3]), np.array([0, 1]), np.array([0, 0]),
                      np.array([100.0, 300.0]), np.array([5]),
                      start_arc=np.array([-1, 1]), most_assignable=5)
    assert sol.arc.tolist() == [0, -1]
    assert sol.walking_m == 300.0


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
