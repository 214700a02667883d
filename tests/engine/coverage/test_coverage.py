"""Coverage per grid on hand-checked layouts."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from _coverage_helpers import (
    buildings,
    cameras,
    grids,
    households,
    points,
    polygon_sector_area,
    roads,
)

from gridplanner.coverage import (
    DISTRICT_ROW_ID,
    PCT_COLUMNS,
    coverage_from_layers,
)
from gridplanner.errors import AnalysisError

QUARTER = polygon_sector_area(50, 90)  # drawn quarter disc of radius 50


def row(result, grid_id):
    table = result.table.set_index("grid_id")
    return table.loc[grid_id]


def test_single_sector_over_a_square_grid_has_the_known_share():
    res = coverage_from_layers(
        grids((0, 0, 100, 100)),
        cameras([("c1", 0, 0, 1, 50.0, 45.0, 90.0, "online")]),
    )
    r = row(res, "g1")
    assert r["area_pct_all"] == pytest.approx(100 * QUARTER / 10_000, rel=1e-9)
    assert r["area_pct_all"] == pytest.approx(100 * np.pi * 2500 / 4 / 10_000, rel=3e-3)
    assert r["area_pct_cat1"] == pytest.approx(r["area_pct_all"])
    assert r["area_pct_cat23"] == 0.0
    assert r["area_m2"] == pytest.approx(10_000)
    assert r["cameras"] == 1
    # Nothing to cover: no households, roads or intersections.
    assert np.isnan(r["households_pct_all"])
    assert np.isnan(r["intersections_pct_all"])


def test_sector_split_between_two_grids():
    res = coverage_from_layers(
        grids((0, 0, 100, 100), (100, 0, 200, 100)),
        cameras([("c1", 100, 0, 2, 50.0, np.nan, 360.0, "online")]),
    )
    # An all-round camera on the shared edge: half its circle falls in each grid.
    half = polygon_sector_area(50, 360) / 2
    assert row(res, "g1")["area_pct_all"] == pytest.approx(100 * half / 10_000 / 2, rel=1e-9)
    assert row(res, "g2")["area_pct_cat23"] == pytest.approx(100 * half / 10_000 / 2,
                                                              rel=1e-9)
    district = res.district.iloc[0]
    assert district["grid_id"] == DISTRICT_ROW_ID
    assert district["area_pct_all"] == pytest.approx(100 * half / 20_000, rel=1e-9)


def test_household_exactly_on_a_sector_edge_is_covered():
    res = coverage_from_layers(
        grids((-100, -100, 100, 100)),
        cameras([("c1", 0, 0, 1, 50.0, 45.0, 90.0, "online")]),
        households=households([(30, 0), (0, 30), (50, 0), (-1, 30), (36, 36), (20, 20)],
                              [1, 2, 4, 8, 16, 32]),
    )
    r = row(res, "g1")
    seen = 1 + 2 + 4 + 32
    assert r["households"] == 63
    assert r["households_pct_all"] == pytest.approx(100 * seen / 63)
    assert sorted(res.uncovered_households["household_id"]) == ["h4", "h5"]
    assert set(res.uncovered_households["grid_id"]) == {"g1"}


def test_categories_are_counted_separately():
    res = coverage_from_layers(
        grids((0, 0, 100, 100)),
        cameras([("c1", 25, 50, 1, 10.0, np.nan, 360.0, "online"),
                 ("c2", 75, 50, 2, 10.0, np.nan, 360.0, "online"),
                 ("c3", 75, 50, 3, 10.0, np.nan, 360.0, "online"),
                 ("c4", 50, 90, np.nan, 5.0, np.nan, 360.0, "online")]),
        households=households([(25, 50), (75, 50), (50, 90), (5, 5)], [10, 20, 30, 40]),
        intersections=points([(25, 50), (5, 5)]),
    )
    r = row(res, "g1")
    circle = polygon_sector_area(10, 360)
    small = polygon_sector_area(5, 360)
    assert r["area_pct_cat1"] == pytest.approx(100 * circle / 10_000, rel=1e-9)
    # Categories 2 and 3 overlap exactly: counted once.
    assert r["area_pct_cat23"] == pytest.approx(100 * circle / 10_000, rel=1e-9)
    # The uncategorised camera counts under "all" only.
    assert r["area_pct_all"] == pytest.approx(100 * (2 * circle + small) / 10_000, rel=1e-9)
    assert r["households_pct_cat1"] == pytest.approx(10.0)
    assert r["households_pct_cat23"] == pytest.approx(20.0)
    assert r["households_pct_all"] == pytest.approx(60.0)
    assert r["intersections_pct_all"] == pytest.approx(50.0)
    assert r["intersections_pct_cat1"] == pytest.approx(50.0)
    assert r["intersections_pct_cat23"] == 0.0
    assert res.uncovered_intersections["node_id"].tolist() == [2]


def test_offline_camera_is_ignored_unless_asked_for():
    layers = {"grids": grids((0, 0, 100, 100)),
                  "cameras": cameras([("c1", 50, 50, 1, 10.0, np.nan, 360.0, "offline")]),
                  "households": households([(50, 50)])}
    off = row(coverage_from_layers(**layers), "g1")
    assert off["area_pct_all"] == 0.0
    assert off["households_pct_all"] == 0.0
    on = row(coverage_from_layers(**layers, include_offline=True), "g1")
    assert on["area_pct_all"] == pytest.approx(100 * polygon_sector_area(10, 360) / 10_000)
    assert on["households_pct_all"] == 100.0


def test_building_casts_a_known_shadow():
    # Camera at the origin facing east, 90 degrees, 30 m; a wall from x=10 to 20
    # spanning the whole view: everything beyond x=20 is hidden, the wall is seen.
    layers = {"grids": grids((-50, -50, 50, 50)),
                  "cameras": cameras([("c1", 0, 0, 1, 30.0, 90.0, 90.0, "online")]),
                  "households": households([(5, 1), (15, 0), (25, 0), (12, 12)]),
                  "buildings": buildings(shapely.box(10, -50, 20, 50))}
    res = coverage_from_layers(**layers)
    assert row(res, "g1")["area_m2"] == pytest.approx(10_000)
    assert res.footprints["area_m2"].iloc[0] == pytest.approx(400.0)  # triangle x <= 20
    assert row(res, "g1")["area_pct_all"] == pytest.approx(4.0)
    assert sorted(res.uncovered_households["household_id"]) == ["h3"]
    open_sky = coverage_from_layers(**{k: v for k, v in layers.items() if k != "buildings"})
    assert row(open_sky, "g1")["area_pct_all"] == pytest.approx(
        100 * polygon_sector_area(30, 90) / 10_000)
    assert open_sky.uncovered_households.empty


def test_small_building_shadow_area_and_own_building():
    # A 2 x 2 m kiosk 10 m east of the camera hides a thin wedge behind it.
    cams = cameras([("c1", 0, 0, 1, 30.0, 90.0, 90.0, "online")])
    res = coverage_from_layers(grids((-50, -50, 50, 50)), cams,
                               buildings=buildings(shapely.box(10, -1, 12, 1)))
    hidden = polygon_sector_area(30, 90) - res.footprints["area_m2"].iloc[0]
    wedge = np.pi * 900 * 2 * np.degrees(np.arctan(0.1)) / 360 - 10 - 4
    assert hidden == pytest.approx(wedge, rel=0.01)
    # The building the camera hangs on does not block it.
    res = coverage_from_layers(grids((-50, -50, 50, 50)), cams,
                               buildings=buildings(shapely.box(-5, -5, 5, 5)))
    assert res.footprints["area_m2"].iloc[0] == pytest.approx(polygon_sector_area(30, 90))


def test_roads_and_gaps():
    res = coverage_from_layers(
        grids((0, 0, 100, 100)),
        cameras([("c1", 0, 50, 1, 40.0, 90.0, 180.0, "online")]),
        roads=roads([(0, 50), (100, 50)], [(50, 0), (50, 100)]),
    )
    r = row(res, "g1")
    assert r["road_m"] == pytest.approx(200.0)
    # 40 m of the east-west road lie in the view (pieces of 5 m, boundary at 40 m).
    assert r["roads_pct_all"] == pytest.approx(20.0)
    assert res.uncovered_roads["length_m"].sum() == pytest.approx(160.0)
    gap_area = res.gaps["area_m2"].sum()
    assert gap_area == pytest.approx(10_000 - polygon_sector_area(40, 180), rel=1e-9)
    assert set(res.gaps["grid_id"]) == {"g1"}
    assert res.gaps["rank"].tolist() == list(range(1, len(res.gaps) + 1))


def test_gap_clusters_ranked_by_uncovered_households():
    res = coverage_from_layers(
        grids((0, 0, 100, 100)),
        # A camera band through the middle splits the grid into two gaps.
        cameras([("c1", 50, -10, 1, 200.0, 0.0, 2.0, "online")]),
        households=households([(10, 10), (20, 20), (90, 90)], [5, 5, 30]),
    )
    assert len(res.gaps) == 2
    assert res.gaps["uncovered_households"].tolist() == [30, 10]
    assert res.gaps["rank"].tolist() == [1, 2]


def test_table_columns_and_percent_range():
    res = coverage_from_layers(
        grids((0, 0, 100, 100), (100, 0, 200, 100)),
        cameras([("c1", 100, 50, 1, 500.0, np.nan, 360.0, "online")]),
        households=households([(10, 10)]),
    )
    assert list(res.grid_table.columns[:13]) == ["grid_id", *PCT_COLUMNS]
    pct = res.table[list(PCT_COLUMNS)].to_numpy(dtype=float)
    assert np.nanmin(pct) >= 0
    assert np.nanmax(pct) <= 100
    assert row(res, "g1")["area_pct_all"] == 100.0
    assert len(res.table) == 3


def test_no_grids_is_a_clear_error():
    with pytest.raises(AnalysisError, match="grids"):
        coverage_from_layers(grids(), cameras([]))


def test_geographic_crs_is_refused():
    g = grids((0, 0, 1, 1)).set_crs(4326, allow_override=True)
    with pytest.raises(AnalysisError, match="metric"):
        coverage_from_layers(g, cameras([]).set_crs(4326, allow_override=True))


def test_inputs_are_not_modified():
    g = grids((0, 0, 100, 100))
    c = cameras([("c1", 50, 50, 1, -5.0, 400.0, 0.0, "online")])
    before = c.copy()
    coverage_from_layers(g, c)
    assert c.equals(before)
