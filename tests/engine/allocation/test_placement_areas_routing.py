"""Placement (p-median), grid heads, service areas and incident routing."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, box

from gridplanner.allocation.grid_heads import assign_grid_heads_layers
from gridplanner.allocation.placement import p_median, place_staff_layers
from gridplanner.allocation.service_areas import service_areas_layers
from gridplanner.routing import parse_point, route_incidents_layers

CRS = 3857


def gdf(rows, geoms):
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS)


def brute_force(d, w, p, existing):
    best = np.inf
    for combo in itertools.combinations(range(d.shape[0]), p):
        cur = np.minimum(existing, d[list(combo)].min(axis=0))
        best = min(best, float((w * cur).sum()))
    return best


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 100_000), n_c=st.integers(4, 9), n_d=st.integers(5, 25),
       p=st.integers(1, 3), with_existing=st.booleans())
def test_p_median_reaches_the_exact_optimum_on_small_instances(seed, n_c, n_d, p,
                                                               with_existing):
    rng = np.random.default_rng(seed)
    cxy = rng.uniform(0, 100, size=(n_c, 2))
    dxy = rng.uniform(0, 100, size=(n_d, 2))
    d = np.linalg.norm(cxy[:, None] - dxy[None], axis=2)
    w = rng.integers(1, 5, size=n_d).astype(float)
    existing = rng.uniform(20, 80, size=n_d) if with_existing else np.full(n_d, 1e9)
    sol = p_median(d, w, p, existing=existing, starts=3, seed=seed)
    assert len(set(sol.chosen)) == p
    assert sol.objective == pytest.approx(brute_force(d, w, p, existing), rel=1e-6)


def test_placement_on_the_network_picks_the_heavy_end():
    roads = gdf({}, [LineString([(0, 0), (2000, 0)])])
    hh = gdf({"household_id": ["a", "b", "c"], "households": [1, 1, 50]},
             [Point(100, 0), Point(300, 0), Point(1900, 5)])
    staff = gdf({"staff_id": ["w"], "role": "full_time"}, [Point(0, 0)])
    cand = gdf({}, [Point(1000, 0), Point(1890, 0), Point(200, 0)])
    r = place_staff_layers(hh, staff, roads, 1, candidates=cand)
    assert r.sites["candidate"].tolist() == [1]
    # Before: 100 + 300 + 50 * 1905; after: 100 + 300 + 50 * 15.
    assert r.total_before_household_m == pytest.approx(100 + 300 + 50 * 1905)
    assert r.total_after_household_m == pytest.approx(100 + 300 + 50 * 15)


def test_grid_heads_one_per_grid_and_grids_left_without_one():
    roads = gdf({}, [LineString([(0, 0), (300, 0)])])
    grids = gdf({"grid_id": ["A", "B", "C"]},
                [box(0, -50, 100, 50), box(100, -50, 200, 50), box(200, -50, 300, 50)])
    hh = gdf({"household_id": ["h1", "h2"], "households": [3, 1]},
             [Point(20, 0), Point(80, 0)])
    staff = gdf({"staff_id": ["x", "y"], "role": "grid_head"}, [Point(40, 0), Point(160, 0)])
    r = assign_grid_heads_layers(grids, hh, staff, roads)
    t = r.table.set_index("grid_id")
    # Grid A's centre is the household-weighted mean, x = 35.
    assert t.loc["A", "geometry"].x == pytest.approx(35.0)
    assert t.loc["A", "staff_id"] == "x"
    assert t.loc["A", "distance_m"] == pytest.approx(5.0)
    assert t.loc["B", "staff_id"] == "y"
    assert t.loc["B", "distance_m"] == pytest.approx(10.0)
    assert t.loc["C", "staff_id"] == ""
    assert t.loc["C", "flag"] != ""
    assert r.grids_without_head == 1


def test_service_areas_respect_each_cutoff_and_split_by_nearest():
    roads = gdf({}, [LineString([(0, 0), (1000, 0)])])
    fac = gdf({"facility_id": ["F", "G"], "kind": ["party_centre", "police_station"],
               "cutoff_m": [600.0, 300.0]}, [Point(0, 0), Point(1000, 0)])
    hh = gdf({"household_id": ["a", "b", "c", "d"], "households": [1, 2, 3, 4]},
             [Point(100, 10), Point(550, 0), Point(650, 0), Point(990, 0)])
    r = service_areas_layers(fac, hh, roads)
    owner = dict(zip(r.households["household_id"], r.households["facility_id"], strict=True))
    # b is 550 m from F (within 600) and 450 m from G (beyond G's 300 m): F.
    # c is 650 m from F (beyond) and 350 m from G (beyond): nobody.
    assert owner == {"a": "F", "b": "F", "d": "G"}
    areas = r.areas.set_index("facility_id")
    assert areas.loc["F", "households"] == 3
    assert areas.loc["G", "households"] == 4
    assert areas.loc["F", "geometry"].geom_type == "Polygon"
    assert areas.loc["F", "geometry"].contains(Point(100, 10))
    assert areas.loc["F", "road_length_m"] > 0


def test_route_incidents_grid_staff_and_nearest():
    roads = gdf({}, [LineString([(0, 0), (400, 0)])])
    grids = gdf({"grid_id": ["G1", "G2"], "community_id": ["C1", ""]},
                [box(0, -50, 200, 50), box(200, -50, 400, 50)])
    areas = gdf({"area_id": ["C2"], "level": ["community"]}, [box(200, -60, 400, 60)])
    staff = gdf({"staff_id": ["h1", "w1", "w2", "p"],
                 "role": ["grid_head", "full_time", "full_time", "police"],
                 "grid_id": ["G1", "G1", "G2", "G1;G2"]},
                [Point(10, 0), Point(150, 0), Point(390, 0), Point(200, 0)])
    pts = gdf({"incident_id": ["e1", "e2", "e3"]},
              [Point(190, 5), Point(350, 0), Point(900, 900)])
    r = route_incidents_layers(pts, grids=grids, service_areas=areas, staff=staff, roads=roads)
    e1, e2, e3 = (r.iloc[i] for i in range(3))
    assert (e1.grid_id, e1.community_id, e1.grid_head, e1.full_time, e1.police) == (
        "G1", "C1", "h1", "w1", "p")
    assert e1.nearest_full_time == "w1"
    assert e1.nearest_full_time_m == pytest.approx(45.0)
    assert e1.nearest_police == "p"
    assert e1.nearest_police_m == pytest.approx(15.0)
    assert (e2.grid_id, e2.community_id, e2.full_time, e2.police) == ("G2", "C2", "w2", "p")
    assert e2.nearest_full_time == "w2"
    assert e2.nearest_full_time_m == pytest.approx(40.0)
    assert e3.grid_id == ""
    assert e3.nearest_full_time == ""
    assert np.isnan(e3.nearest_full_time_m)


def test_parse_point():
    assert parse_point("1.5,2") == (1.5, 2.0)
    with pytest.raises(Exception, match="X,Y"):
        parse_point("nope")


def test_service_areas_whole_result_by_hand():
    roads = gdf({}, [LineString([(0, 0), (1000, 0)])])
    # H lies 900 m from the road: off the network, with the default 1000 m cutoff.
    fac = gdf({"facility_id": ["F", "G", "H"], "kind": ["party_centre", "police_station", "x"],
               "cutoff_m": [600.0, 300.0, None]},
              [Point(0, 0), Point(1000, 0), Point(500, 900)])
    hh = gdf({"household_id": ["a", "b", "c", "d"], "households": [1, 2, 3, 4]},
             [Point(100, 10), Point(550, 0), Point(650, 0), Point(990, 0)])
    r = service_areas_layers(fac, hh, roads, margin_m=40.0)
    # a walks 10 m to the road and 100 m along it; c is beyond both cutoffs.
    assert r.households.drop(columns="geometry").values.tolist() == [
        ["a", "F", 110.0, 1, "party_centre"], ["b", "F", 550.0, 2, "party_centre"],
        ["d", "G", 10.0, 4, "police_station"]]
    # F serves the road from 0 to 600, G from 700 to 1000.
    assert r.areas.drop(columns="geometry").values.tolist() == [
        ["F", "party_centre", 600.0, 3, 2, 600.0, True],
        ["G", "police_station", 300.0, 4, 1, 300.0, True],
        ["H", "x", 1000.0, 0, 0, 0.0, False]]
    assert r.areas.columns.tolist()[:-1] == ["facility_id", "kind", "cutoff_m", "households",
                                             "household_points", "road_length_m",
                                             "on_network"]
    f, g, h = r.areas.geometry
    # The road F serves (0..600) grown by 40 m; a (10 m off the road) lies inside.
    assert f.bounds == pytest.approx((-40.0, -40.0, 640.0, 40.0), abs=0.5)
    assert f.contains(Point(100, 10))
    assert g.bounds == pytest.approx((660.0, -40.0, 1040.0, 40.0), abs=0.5)
    assert h.is_empty
    assert r.roads["road_length_m"].tolist() == [600.0, 300.0, 0.0]
    f_roads, g_roads = r.roads.geometry[0], r.roads.geometry[1]
    assert len(f_roads.geoms) == len(g_roads.geoms) == 1
    # (The search starts 1e-9 m off the road: the facility's access edge.)
    assert np.sort(f_roads.geoms[0].xy[0]) == pytest.approx([0.0, 600.0])
    assert np.sort(g_roads.geoms[0].xy[0]) == pytest.approx([700.0, 1000.0])
    assert list(f_roads.geoms[0].xy[1]) == list(g_roads.geoms[0].xy[1]) == [0.0, 0.0]
    assert r.roads.geometry[2].is_empty


def test_placement_reports_walking_gains_and_newly_served_households_apart():
    # The worker at 0 reaches a (100 m) and b (2,500 m); c (50 households at
    # 9,000 m) lies beyond the 3,000 m cutoff: nobody serves it before.
    roads = gdf({}, [LineString([(0, 0), (10_000, 0)])])
    hh = gdf({"household_id": ["a", "b", "c"], "households": [1, 2, 50]},
             [Point(100, 0), Point(2500, 0), Point(9000, 0)])
    staff = gdf({"staff_id": ["w"], "role": "full_time"}, [Point(0, 0)])
    cand = gdf({}, [Point(8900, 0), Point(2400, 0)])
    r = place_staff_layers(hh, staff, roads, 2, candidates=cand)
    sites = r.sites.set_index("candidate")
    # The far site serves c anew (100 m each) and shortens nobody's walk; the
    # near one shortens b's walk from 2,500 m to 100 m.
    assert sites.loc[0, "newly_served_households"] == 50
    assert sites.loc[0, "gain_household_m"] == pytest.approx(0.0)
    assert sites.loc[0, "newly_served_household_m"] == pytest.approx(50 * 100)
    assert sites.loc[1, "newly_served_households"] == 0
    assert sites.loc[1, "gain_household_m"] == pytest.approx(2 * 2400)
    assert (r.served_before_households, r.served_after_households, r.households) == (3, 53, 53)
    # Totals over the households served: before a and b, after all three.
    assert r.total_before_household_m == pytest.approx(100 + 2 * 2500)
    assert r.total_after_household_m == pytest.approx(100 + 2 * 100 + 50 * 100)
    # The households served before, after: the same basis as the total before.
    assert r.served_before_after_household_m == pytest.approx(100 + 2 * 100)
    # Walking gains and new households' walks add up to the change of the total.
    assert (r.total_before_household_m - r.sites["gain_household_m"].sum()
            + r.sites["newly_served_household_m"].sum()) == pytest.approx(
                r.total_after_household_m)
