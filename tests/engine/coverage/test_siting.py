"""Camera siting: lazy greedy against exact optima, bounds, and the project entry."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
import shapely
from _coverage_helpers import CRS, buildings, cameras, grids, households
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from gridplanner.context import AnalysisContext
from gridplanner.coverage.siting import lazy_greedy, site_cameras
from gridplanner.errors import AnalysisError
from gridplanner.project import Project


def exact_optimum(dense, weight, k):
    best = 0.0
    for combo in itertools.combinations(range(dense.shape[0]), min(k, dense.shape[0])):
        best = max(best, float(weight[dense[list(combo)].any(axis=0)].sum()))
    return best


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_opt=st.integers(1, 9), n_tgt=st.integers(1, 14),
       k=st.integers(1, 4), density=st.floats(0.05, 0.6))
def test_lazy_greedy_is_within_its_bounds_of_the_exact_optimum(seed, n_opt, n_tgt, k, density):
    rng = np.random.default_rng(seed)
    dense = rng.random((n_opt, n_tgt)) < density
    weight = rng.integers(1, 10, n_tgt).astype(float)
    picks, gains, bounds, rows = lazy_greedy(sparse.csr_matrix(dense.astype(float)), weight, k)
    opt = exact_optimum(dense, weight, k)
    total = sum(gains)
    assert total == pytest.approx(float(weight[dense[picks].any(axis=0)].sum()) if picks else 0)
    assert total >= (1 - 1 / np.e) * opt - 1e-9
    assert min(bounds) >= opt - 1e-9  # every reported bound is a true upper bound
    assert gains == sorted(gains, reverse=True)  # submodular: gains never grow
    assert all(g > 0 for g in gains)
    assert len(rows) == len(picks)


def test_lazy_greedy_with_refinement_uses_the_exact_rows():
    # Open-ground rows over-estimate; the refined rows are what counts.
    over = sparse.csr_matrix(np.array([[1, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 1]], float))
    exact = {0: np.array([0]), 1: np.array([1, 2]), 2: np.array([3])}
    picks, gains, bounds, _ = lazy_greedy(over, np.ones(4), 2, refine=lambda o: exact[o])
    assert picks == [1, 0] or picks == [1, 2]
    assert gains == [2.0, 1.0]
    assert min(bounds) >= 3.0


def test_greedy_picks_the_known_best_sites():
    g = grids((0, 0, 300, 100))
    homes = households([(20, 50), (25, 55), (150, 50), (280, 50)], [10, 10, 3, 30])
    cands = gpd.GeoDataFrame({"candidate_id": ["west", "middle", "east", "outside"]},
                             geometry=[shapely.Point(22, 52), shapely.Point(150, 52),
                                       shapely.Point(278, 52), shapely.Point(900, 900)],
                             crs=CRS)
    project = Project(layers={"grids": g, "households": homes,
                              "cameras": cameras([("c", 150, 50, 1, 5.0, np.nan, 360.0,
                                                   "online")])})
    res = site_cameras(AnalysisContext.of(project), k=3, candidates=cands,
                       all_round=True, range_m=20.0)
    # "middle" is already seen by the existing camera: nothing left to add there.
    assert res.proposed["site_id"].tolist() == ["east", "west"]
    assert res.proposed["gain"].tolist() == [30.0, 20.0]
    assert res.proposed["new_households"].tolist() == [30, 20]
    assert res.proposed["cumulative_gain"].tolist() == [30.0, 50.0]
    assert res.total_gain == 50.0
    assert res.optimum_bound >= 50.0
    assert res.guarantee == pytest.approx(1.0)
    assert res.proposed.crs == g.crs
    assert np.isnan(res.proposed["azimuth_deg"]).all()


def test_directional_views_and_building_shadows():
    g = grids((-100, -100, 100, 100))
    homes = households([(30, 0), (60, 0), (0, 30)], [5, 50, 7])
    cands = gpd.GeoDataFrame({"candidate_id": ["o"]}, geometry=[shapely.Point(0, 0)], crs=CRS)
    wall = buildings(shapely.box(40, -20, 45, 20))
    project = Project(layers={"grids": g, "households": homes, "buildings": wall})
    res = site_cameras(AnalysisContext.of(project), k=1, candidates=cands,
                       range_m=80.0, fov_deg=60.0, directions=4)
    # Facing east it would see 55 households on open ground, but the wall hides
    # the 50 at x=60: north (7) beats east (5).
    assert res.proposed["azimuth_deg"].tolist() == [0.0]
    assert res.proposed["gain"].tolist() == [7.0]
    res = site_cameras(AnalysisContext.of(project), k=1, candidates=cands,
                       range_m=80.0, fov_deg=60.0, directions=4, use_buildings=False)
    assert res.proposed["azimuth_deg"].tolist() == [90.0]
    assert res.proposed["gain"].tolist() == [55.0]


def test_intersection_weight_and_default_candidates():
    g = grids((0, 0, 200, 200))
    roads = gpd.GeoDataFrame({"road_id": ["a", "b", "c"]},
                             geometry=[shapely.LineString([(0, 100), (200, 100)]),
                                       shapely.LineString([(100, 0), (100, 200)]),
                                       shapely.LineString([(100, 100), (180, 180)])], crs=CRS)
    homes = households([(20, 20)], [3])
    project = Project(layers={"grids": g, "roads": roads, "households": homes})
    res = site_cameras(AnalysisContext.of(project), k=1, all_round=True,
                       range_m=10.0, intersection_weight=10.0)
    assert res.proposed["new_intersections"].tolist() == [1]
    assert res.proposed["gain"].tolist() == [10.0]


def test_bad_k_and_no_candidates_are_clear_errors():
    project = Project(layers={"grids": grids((0, 0, 10, 10))})
    with pytest.raises(AnalysisError, match="k must be"):
        site_cameras(AnalysisContext.of(project), k=0)
    with pytest.raises(AnalysisError, match="no candidate"):
        site_cameras(AnalysisContext.of(project), k=1)


def test_every_column_and_footprint_of_the_picks_by_hand():
    g = grids((0, 0, 300, 100))
    homes = households([(20, 50), (150, 50), (280, 50)], [10, 3, 30])
    cands = gpd.GeoDataFrame({"candidate_id": ["west", "middle", "east"]},
                             geometry=[shapely.Point(22, 52), shapely.Point(150, 52),
                                       shapely.Point(278, 52)], crs=CRS)
    project = Project(layers={"grids": g, "households": homes})
    res = site_cameras(AnalysisContext.of(project), k=2, candidates=cands,
                       all_round=True, range_m=20.0)
    frame = res.proposed.drop(columns="geometry")
    assert frame.columns.tolist() == ["rank", "site_id", "source", "category", "azimuth_deg",
                                      "fov_deg", "range_m", "gain", "new_households",
                                      "new_intersections", "cumulative_gain", "bound_optimum"]
    assert frame.drop(columns="azimuth_deg").values.tolist() == [
        [1, "east", "candidate", 1, 360.0, 20.0, 30.0, 30, 0, 30.0, 40.0],
        [2, "west", "candidate", 1, 360.0, 20.0, 10.0, 10, 0, 40.0, 43.0]]
    assert frame["azimuth_deg"].isna().all()
    # Bounds: before any pick 0 + (30 + 10); after the first 30 + (10 + 3); after
    # the second 40 + (3 + 0). The smallest, 40, is what the picks reach.
    assert (res.total_gain, res.optimum_bound, res.guarantee) == (40.0, 40.0, 1.0)
    assert [(p.x, p.y) for p in res.proposed.geometry] == [(278.0, 52.0), (22.0, 52.0)]
    assert res.footprints["rank"].tolist() == [1, 2]
    for shape, (x, y) in zip(res.footprints.geometry, [(278, 52), (22, 52)], strict=True):
        assert shape.bounds == pytest.approx((x - 20, y - 20, x + 20, y + 20), abs=1e-6)
        assert shape.area == pytest.approx(np.pi * 400, rel=0.01)


def test_a_picked_footprint_is_its_view_cut_by_building_shadows():
    g = grids((-100, -100, 100, 100))
    homes = households([(30, 0), (60, 0), (0, 30)], [5, 50, 7])
    cands = gpd.GeoDataFrame({"candidate_id": ["o"]}, geometry=[shapely.Point(0, 0)], crs=CRS)
    wall = buildings(shapely.box(40, -20, 45, 20))
    project = Project(layers={"grids": g, "households": homes, "buildings": wall})
    res = site_cameras(AnalysisContext.of(project), k=2, candidates=cands,
                       range_m=80.0, fov_deg=60.0, directions=4)
    assert res.proposed["azimuth_deg"].tolist() == [0.0, 90.0]
    assert res.proposed["gain"].tolist() == [7.0, 5.0]
    north, east = res.footprints.geometry
    sector = np.pi * 80**2 / 6
    # Facing north the wall is out of view; facing east it hides the 50 at x=60.
    assert north.area == pytest.approx(sector, rel=0.01)
    assert east.area < 0.8 * sector
    assert east.covers(shapely.Point(30, 0))
    assert not east.intersects(shapely.Point(60, 0))
