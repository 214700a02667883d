"""Faster code paths of the coverage engine give the same answers as the plain ones."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from _coverage_helpers import CRS, cameras, grids, households, points
from hypothesis import given, settings
from hypothesis import strategies as st

from gridplanner.coverage import CoverageState, coverage_from_layers
from gridplanner.coverage.engine import box_pairs
from gridplanner.coverage.footprints import sector_polygons
from gridplanner.coverage.visibility import _shadows, building_index, visible_footprints


def _brute_pairs(bounds, x, y):
    inside = ((x[None, :] >= bounds[:, [0]]) & (x[None, :] <= bounds[:, [2]])
              & (y[None, :] >= bounds[:, [1]]) & (y[None, :] <= bounds[:, [3]]))
    f, p = np.nonzero(inside)
    return sorted(zip(f.tolist(), p.tolist(), strict=True))


coord = st.floats(-50, 50, allow_nan=False).map(lambda v: round(v, 1))


@settings(max_examples=60, deadline=None)
@given(boxes=st.lists(st.tuples(coord, coord, st.floats(0, 40), st.floats(0, 40)),
                      min_size=1, max_size=12),
       pts=st.lists(st.tuples(coord, coord), min_size=1, max_size=60))
def test_box_pairs_equal_brute_force(boxes, pts):
    b = np.array([[x, y, x + w, y + h] for x, y, w, h in boxes])
    xy = np.array(pts, dtype=float)
    f, p = box_pairs(b, xy[:, 0], xy[:, 1])
    assert sorted(zip(f.tolist(), p.tolist(), strict=True)) == _brute_pairs(b, xy[:, 0],
                                                                            xy[:, 1])


def test_box_pairs_skip_missing_boxes_and_points():
    b = np.array([[0.0, 0.0, 10.0, 10.0], [np.nan] * 4])
    f, p = box_pairs(b, np.array([5.0, np.nan, 10.0]), np.array([5.0, 1.0, 10.0]))
    assert sorted(zip(f.tolist(), p.tolist(), strict=True)) == [(0, 0), (0, 2)]


def test_point_on_a_slanted_grid_edge_counts_as_covered():
    # Two grids split by the slanted line y = 0.3 x; the points lie exactly on it
    # (0.3 * x is exact in binary for these x). A circle around them covers them:
    # clipping the union to the grid moves the edge by rounding noise, testing the
    # footprint itself does not.
    left = shapely.Polygon([(0, 0), (100, 30), (100, 100), (0, 100)])
    right = shapely.Polygon([(0, 0), (100, 0), (100, 30)])
    g = gpd.GeoDataFrame({"grid_id": ["g1", "g2"]}, geometry=[left, right], crs=CRS)
    on_edge = [(10.0, 3.0), (20.0, 6.0), (30.0, 9.0), (50.0, 15.0), (70.0, 21.0)]
    cams = cameras([("c1", 40.3, 11.7, 2, 45.0, np.nan, 360.0, "online")])
    res = coverage_from_layers(g, cams, intersections=points(on_edge),
                               households=households(on_edge))
    table = res.table.set_index("grid_id")
    # Each point belongs to the first grid holding it (g1), and is seen.
    assert table.loc["g1", "intersections"] == 5
    assert table.loc["g1", "intersections_pct_all"] == 100.0
    assert table.loc["g1", "intersections_pct_cat23"] == 100.0
    assert table.loc["g1", "households_pct_all"] == 100.0
    assert len(res.uncovered_intersections) == 0


def _layout(seed):
    rng = np.random.default_rng(seed)
    boxes = [(i * 50.0, j * 50.0, i * 50.0 + 50, j * 50.0 + 50)
             for i in range(10) for j in range(8)]
    n = 120
    rows = [(f"c{i}", *rng.uniform(0, 500, 1), *rng.uniform(0, 400, 1),
             int(rng.integers(1, 4)), float(rng.uniform(10, 60)),
             float(rng.uniform(0, 360)) if i % 4 else np.nan, float(rng.uniform(30, 120)),
             "online" if i % 7 else "offline") for i in range(n)]
    hh = [tuple(p) for p in rng.uniform(0, 500, (600, 2))]
    ix = [tuple(p) for p in rng.uniform(0, 400, (200, 2))]
    return grids(*boxes), cameras(rows), households(hh), points(ix)


def test_threaded_run_gives_the_single_threaded_tables():
    g, cams, hh, ix = _layout(5)
    one = CoverageState.from_layers(g, cams, households=hh, intersections=ix, workers=1)
    two = CoverageState.from_layers(g, cams, households=hh, intersections=ix, workers=2)
    assert len(g) >= 64  # large enough for the threaded path
    pd.testing.assert_frame_equal(one.table, two.table)
    for a, b in zip(one.engine.point_sets, two.engine.point_sets, strict=True):
        np.testing.assert_array_equal(a.covered, b.covered)


def test_point_flags_match_a_test_against_each_footprint():
    g, cams, hh, ix = _layout(11)
    state = CoverageState.from_layers(g, cams, households=hh, intersections=ix)
    counted = state.slot_counted & state.slot_alive
    fps = state.slot_footprint[counted]
    cat = state.slot_values.category[counted]
    pts = hh.geometry.to_numpy()
    hit = shapely.intersects(fps[:, None], pts[None, :])
    flags = state.engine.households.covered
    inside = state.engine.households.grid >= 0
    np.testing.assert_array_equal(flags[0][inside], hit.any(axis=0)[inside])
    np.testing.assert_array_equal(flags[1][inside], hit[cat == 1].any(axis=0)[inside])
    np.testing.assert_array_equal(flags[2][inside],
                                  hit[(cat == 2) | (cat == 3)].any(axis=0)[inside])


def _town(seed, n_cams=300):
    rng = np.random.default_rng(seed)
    blocks = [shapely.box(x, y, x + rng.uniform(8, 25), y + rng.uniform(8, 25))
              for x in range(0, 400, 40) for y in range(0, 400, 40)]
    xy = rng.uniform(0, 400, (n_cams, 2))
    rng_m = rng.uniform(20, 80, n_cams)
    az = np.where(np.arange(n_cams) % 5 == 0, np.nan, rng.uniform(0, 360, n_cams))
    fov = rng.uniform(40, 120, n_cams)
    fp = sector_polygons(xy[:, 0], xy[:, 1], rng_m, az, fov)
    return fp, xy, rng_m, building_index(np.array(blocks, dtype=object))


def test_threaded_shadow_cutting_gives_the_same_footprints():
    fp, xy, rng_m, index = _town(2)
    one = visible_footprints(fp, xy[:, 0], xy[:, 1], rng_m, index, workers=1)
    two = visible_footprints(fp, xy[:, 0], xy[:, 1], rng_m, index, workers=2)
    assert len(fp) >= 256  # large enough for the threaded path
    assert shapely.equals_exact(one, two, tolerance=0.0).all()
    assert (shapely.area(one) < shapely.area(fp) - 1.0).sum() > 100  # shadows do cut


def test_shadows_subtracted_one_by_one_equal_the_merged_shadows():
    # Reference: every camera's shadows merged into one polygon, subtracted once.
    fp, xy, rng_m, (geoms, hulls, tree) = _town(4, n_cams=120)
    got = visible_footprints(fp, xy[:, 0], xy[:, 1], rng_m, (geoms, hulls, tree))
    cam, bld = tree.query(fp, predicate="intersects")
    pts = shapely.points(xy[cam])
    own = shapely.dwithin(geoms[bld], pts, 0.5) | shapely.intersects(hulls[bld], pts)
    cam, bld = cam[~own], bld[~own]
    shadows = _shadows(xy[cam, 0], xy[cam, 1], rng_m[cam], hulls[bld])
    merged = np.full(len(fp), None, dtype=object)
    shapely.multipolygons(shadows, indices=cam, out=merged)
    has = ~shapely.is_missing(merged)
    want = fp.copy()
    want[has] = shapely.difference(fp[has], shapely.buffer(merged[has], 0.0))
    assert (np.bincount(cam) >= 3).sum() > 20  # many cameras behind several buildings
    np.testing.assert_allclose(shapely.area(got), shapely.area(want), rtol=0, atol=1e-6)
    assert (shapely.area(shapely.symmetric_difference(got, want)) < 1e-6).all()


def _merged_reference(state):
    """Uncovered road stretches by line_merge of the bare 5 m pieces, per grid."""
    rd = state.engine.roads
    idx = np.flatnonzero((rd.grid >= 0) & ~rd.covered[0])
    out = []
    for g in np.unique(rd.grid[idx]):
        mine = idx[rd.grid[idx] == g]
        lines = shapely.linestrings(state.engine.road_pieces[mine].reshape(-1, 2, 2))
        merged = shapely.line_merge(shapely.MultiLineString(list(lines)))
        out += [(state.grid_ids[g], p) for p in shapely.get_parts(merged)]
    return out


def test_uncovered_road_stretches_stop_at_junctions_like_line_merge():
    from _coverage_helpers import roads

    # A road along y = 50 crossed at x = 40 (a piece end: 40 = 8 x 5 m) by a road
    # ending there, and a second road continuing the first at x = 100 (degree 2).
    g = grids((0, 0, 100, 100), (100, 0, 200, 100))
    r = roads([(0, 50), (100, 50)], [(40, 50), (40, 90)], [(100, 50), (140, 50)],
              [(140, 50), (140, 10)])
    cams = cameras([("c1", 190, 90, 2, 15.0, np.nan, 360.0, "online")])
    res = coverage_from_layers(g, cams, roads=r)
    got = sorted((gid, shapely.normalize(geom).wkt)
                 for gid, geom in zip(res.uncovered_roads["grid_id"],
                                      res.uncovered_roads.geometry, strict=True))
    state = CoverageState.from_layers(g, cams, roads=r)
    want = sorted((gid, shapely.normalize(geom).wkt) for gid, geom in _merged_reference(state))
    assert got == want
    # g1: the junction at (40, 50) splits the first road; the branch runs alone.
    assert sorted(res.uncovered_roads.loc[res.uncovered_roads["grid_id"] == "g1",
                                          "length_m"].round(6)) == [40.0, 40.0, 60.0]
    # g2: the continuation and its bend merge into one 80 m stretch.
    assert res.uncovered_roads.loc[res.uncovered_roads["grid_id"] == "g2",
                                   "length_m"].round(6).tolist() == [80.0]


def test_household_on_the_edge_of_two_gaps_counts_in_its_own_grid():
    g = grids((0, 0, 100, 100), (100, 0, 200, 100))
    cams = cameras([("c1", 50, 50, 1, 10.0, np.nan, 360.0, "online")])
    # (100, 50) lies on both grids' gaps; it belongs to g1 (the first grid holding it).
    res = coverage_from_layers(g, cams, households=households([(100, 50), (150, 50)],
                                                              [3, 2]))
    gaps = res.gaps.set_index("grid_id")
    assert gaps.loc["g1", "uncovered_households"] == 3
    assert gaps.loc["g2", "uncovered_households"] == 2
    assert res.uncovered_households.set_index("household_id").loc["h1", "grid_id"] == "g1"


def test_points_intersecting_polygons_match_a_tree_query():
    from gridplanner.coverage.engine import _PointSet

    rng = np.random.default_rng(8)
    xy = rng.uniform(0, 100, (2000, 2)).round(0)  # many points exactly on edges
    xy[:5] = np.nan
    ps = _PointSet(xy[:, 0], xy[:, 1], np.ones(len(xy)))
    polys = np.array([shapely.box(10, 10, 40, 30),
                      shapely.Polygon([(50, 50), (90, 60), (70, 95)]),
                      shapely.box(200, 200, 210, 210)], dtype=object)
    _, want = shapely.STRtree(shapely.points(xy)).query(polys, predicate="intersects")
    np.testing.assert_array_equal(ps.intersecting(polys), np.unique(want))


def test_redrawn_grid_recomputes_only_grids_whose_points_moved():
    g = grids((0, 0, 100, 100), (100, 0, 200, 100), (0, 100, 100, 200))
    cams = cameras([("c1", 100, 50, 2, 30.0, np.nan, 360.0, "online")])
    # h1 sits on the g1/g2 edge (it belongs to g1); h2 inside g2.
    hh = households([(100, 50), (150, 50), (50, 150)])
    state = CoverageState.from_layers(g, cams, households=hh)
    # Redraw g2 keeping the shared edge: h1 stays in g1, so only g2 is recomputed.
    g_new = g.copy()
    g_new.loc[1, "geometry"] = shapely.box(100, 0, 190, 100)
    rows = state.update(grids=g_new, changed_grid_ids=["g2"])
    assert rows["grid_id"].tolist() == ["g2"]
    fresh = CoverageState.from_layers(g_new, cams, households=hh)
    pd.testing.assert_frame_equal(state.table, fresh.table)
    # Cut g1 back from the edge: h1 moves to g2 and both grids are recomputed.
    g_new.loc[0, "geometry"] = shapely.box(0, 0, 90, 100)
    rows = state.update(grids=g_new, changed_grid_ids=["g1"])
    assert rows["grid_id"].tolist() == ["g1", "g2"]
    fresh = CoverageState.from_layers(g_new, cams, households=hh)
    pd.testing.assert_frame_equal(state.table, fresh.table)
    assert state.table.set_index("grid_id").loc["g2", "households"] == 2


def test_result_layers_do_not_depend_on_threads():
    g, cams, hh, ix = _layout(3)
    one = CoverageState.from_layers(g, cams, households=hh, intersections=ix, workers=1)
    two = CoverageState.from_layers(g, cams, households=hh, intersections=ix, workers=2)
    a, b = one.result().layers(), two.result().layers()
    assert len(a["coverage_gaps"]) > 10
    for name in a:
        pd.testing.assert_frame_equal(pd.DataFrame(a[name].drop(columns="geometry")),
                                      pd.DataFrame(b[name].drop(columns="geometry")))
        assert shapely.equals_exact(a[name].geometry.to_numpy(),
                                    b[name].geometry.to_numpy(), tolerance=0.0).all()


def test_box_pairs_bucket_path_equals_brute_force():
    # Enough boxes x points to take the bucketed path rather than the dense one.
    rng = np.random.default_rng(12)
    lo = rng.uniform(0, 1000, (700, 2)).round(0)
    b = np.hstack([lo, lo + rng.uniform(0, 60, (700, 2)).round(0)])
    xy = rng.uniform(0, 1050, (700, 2)).round(0)
    xy[:20] = b[:20, 2:]  # points exactly on box corners
    f, p = box_pairs(b, xy[:, 0], xy[:, 1])
    assert len(b) * len(xy) > 1 << 18
    assert sorted(zip(f.tolist(), p.tolist(), strict=True)) == _brute_pairs(b, xy[:, 0],
                                                                            xy[:, 1])


def test_point_members_follow_points_that_change_grid():
    from gridplanner.coverage.engine import _PointSet

    rng = np.random.default_rng(4)
    ps = _PointSet(rng.uniform(0, 1, 500), rng.uniform(0, 1, 500), np.ones(500))
    ps.grid = rng.integers(-1, 40, 500)

    def scan(grids):
        in_set = np.zeros(41, dtype=bool)
        in_set[grids] = True
        return in_set, np.flatnonzero(in_set[ps.grid])

    for step in range(6):
        grids = rng.choice(40, 3, replace=False)
        in_set, want = scan(grids)
        np.testing.assert_array_equal(ps.members(grids, in_set), want)
        idx = rng.choice(500, 30, replace=False)
        ps.grid[idx] = rng.integers(-1, 40, 30) if step % 2 else grids[0]
        ps.moved(idx)
    assert ps._grid_index is not None
    assert len(ps._grid_index[2]) > 0
