"""Balanced proposals: hand-checked strip, and the bundled sample's communities."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gridplanner.context import AnalysisContext
from gridplanner.grids.balance import BalanceError, propose_balanced_grids
from gridplanner.grids.topology import community_polygons, count_households, part_count
from gridplanner.project import Project


@pytest.fixture(scope="module")
def sample_proposal(sample_layers):
    project = Project(layers=dict(sample_layers))
    return project, propose_balanced_grids(AnalysisContext.of(project))


def test_sample_every_community_in_band_one_piece_and_tiled(sample_proposal):
    project, proposal = sample_proposal
    communities = community_polygons(project)
    figures = proposal.figures.set_index("community_id")
    assert set(figures.index) == set(communities)
    grids = proposal.grids
    for cid, polygon in communities.items():
        mine = grids[grids["community_id"] == cid]
        geoms = np.asarray(mine.geometry.array, dtype=object)
        assert (part_count(geoms) == 1).all(), cid
        union = shapely.union_all(geoms)
        assert shapely.symmetric_difference(union, polygon).area <= 1e-6 * polygon.area, cid
        # No overlaps inside the community.
        assert shapely.area(geoms).sum() == pytest.approx(union.area, rel=1e-6)
        row = figures.loc[cid]
        if row["band_feasible"]:
            assert row["violations_after"] - row["violations_locked"] == 0, cid
            new = mine[mine["proposed"]]
            assert new["households"].between(300, 500).all(), cid


def test_sample_locked_grids_kept_and_project_untouched(sample_layers, sample_proposal):
    project, proposal = sample_proposal
    original = sample_layers["grids"]
    assert project.layers["grids"] is original
    locked = original[original["locked"].astype(bool)]
    assert len(locked) >= 1
    kept = proposal.grids.set_index("grid_id")
    for gid, geom in zip(locked["grid_id"], locked.geometry, strict=True):
        assert kept.loc[gid, "geometry"].equals_exact(geom, 0)
        assert not kept.loc[gid, "proposed"]


def test_sample_figures_consistent(sample_layers, sample_proposal):
    _, proposal = sample_proposal
    figures = proposal.figures
    households = sample_layers["households"]
    counts = count_households(np.asarray(proposal.grids.geometry.array, dtype=object),
                              households)
    assert counts.tolist() == proposal.grids["households"].tolist()
    assert figures["violations_before"].sum() > figures["violations_after"].sum()
    assert figures["grids_before"].sum() == 50


def _strip(n_points: int, households: int, locked: bool = False):
    grids = gpd.GeoDataFrame({"grid_id": ["c001", "c002"], "community_id": ["c", "c"],
                              "kind": ["urban"] * 2, "locked": [False, locked]},
                             geometry=[shapely.box(0, 0, 300, 100),
                                       shapely.box(300, 0, 400, 100)], crs=4549)
    xy = [(x + 5.0, 50.0) for x in np.linspace(0, 390, n_points)]
    hh = gpd.GeoDataFrame({"household_id": [str(i) for i in range(n_points)],
                           "households": [households] * n_points},
                          geometry=shapely.points(xy), crs=4549)
    return Project(layers={"grids": grids, "households": hh})


def test_strip_of_1200_households_makes_three_grids_of_400():
    # 48 points x 25 households = 1200: k = 1200 / 400 = 3 grids of 16 points each.
    proposal = propose_balanced_grids(AnalysisContext.of(_strip(48, 25)))
    assert sorted(proposal.grids["households"].tolist()) == [400, 400, 400]
    row = proposal.figures.iloc[0]
    assert (row["grids_before"], row["grids_after"]) == (2, 3)
    assert row["band_feasible"]


def test_locked_grid_stays_and_rest_is_balanced():
    # Grid c002 (x 300-400, 10 points x 30 = 300 households) is locked;
    # the other 30 points (900 households) are split into grids in the band.
    project = _strip(40, 30, locked=True)
    proposal = propose_balanced_grids(AnalysisContext.of(project), community_id="c")
    grids = proposal.grids.set_index("grid_id")
    assert grids.loc["c002", "geometry"].equals(shapely.box(300, 0, 400, 100))
    new = grids[grids["proposed"]]
    assert new["households"].sum() == 900
    assert new["households"].between(300, 500).all()
    assert "c002" not in new.index


def test_infeasible_total_is_reported():
    # 10 x 20 = 200 households: fewer than one grid's minimum.
    proposal = propose_balanced_grids(AnalysisContext.of(_strip(10, 20)))
    row = proposal.figures.iloc[0]
    assert not row["band_feasible"]
    assert row["grids_after"] == 1
    assert row["min_after"] == 200


def test_bad_band_and_unknown_community():
    with pytest.raises(BalanceError, match="band"):
        propose_balanced_grids(AnalysisContext.of(_strip(10, 20)), min_households=500,
                               max_households=300)
    with pytest.raises(BalanceError, match="not a community"):
        propose_balanced_grids(AnalysisContext.of(_strip(10, 20)), community_id="zzz")


def _rectangle_pp(w, h):
    return 4 * np.pi * w * h / (2 * (w + h)) ** 2


def _rectangle_reock(w, h):
    return w * h / (np.pi * (w * w + h * h) / 4)


def test_strip_figures_and_layer_by_hand():
    # 48 points 390/47 m apart from x=5, 25 households each: c001 (x < 300) holds
    # 36 of them (900 households), c002 the other 12 (300).
    proposal = propose_balanced_grids(AnalysisContext.of(_strip(48, 25)))
    row = proposal.figures.iloc[0].to_dict()
    pp_before = (_rectangle_pp(300, 100) + _rectangle_pp(100, 100)) / 2
    reock_before = (_rectangle_reock(300, 100) + _rectangle_reock(100, 100)) / 2
    # Three grids of 16 points: cells of collinear points are rectangles cut
    # halfway between points 15|16 and 31|32.
    step = 390 / 47
    cuts = [0.0, 5 + 15.5 * step, 5 + 31.5 * step, 400.0]
    widths = np.diff(cuts)
    assert {k: v for k, v in row.items() if not k.endswith(("_before", "_after"))} == {
        "community_id": "c", "households": 1200, "violations_locked": 0,
        "band_feasible": True}
    assert {k: row[k] for k in ("grids_before", "grids_after", "violations_before",
                                "violations_after", "min_before", "max_before", "min_after",
                                "max_after")} == {
        "grids_before": 2, "grids_after": 3, "violations_before": 1, "violations_after": 0,
        "min_before": 300, "max_before": 900, "min_after": 400, "max_after": 400}
    assert row["pp_mean_before"] == pytest.approx(pp_before)
    assert row["reock_mean_before"] == pytest.approx(reock_before)
    assert row["pp_mean_after"] == pytest.approx(np.mean(_rectangle_pp(widths, 100)))
    assert row["reock_mean_after"] == pytest.approx(np.mean(_rectangle_reock(widths, 100)))
    grids = proposal.grids
    # The layer's own columns first (the strip's grids have no name), then the new ones.
    assert grids.columns.tolist() == ["grid_id", "community_id", "kind", "locked", "geometry",
                                      "proposed", "name", "households", "polsby_popper",
                                      "reock"]
    grids = grids.iloc[np.argsort(grids.geometry.centroid.x.to_numpy())]
    assert sorted(grids["grid_id"]) == ["c001", "c002", "c003"]
    assert grids[["name", "community_id", "kind", "locked", "proposed", "households"]
                 ].values.tolist() == [["", "c", "urban", False, True, 400]] * 3
    for shape, a, b in zip(grids.geometry, cuts[:-1], cuts[1:], strict=True):
        assert shape.bounds == pytest.approx((a, 0.0, b, 100.0))
        assert shape.area == pytest.approx((b - a) * 100)
    assert grids["polsby_popper"].tolist() == pytest.approx(_rectangle_pp(widths, 100))
    assert grids["reock"].tolist() == pytest.approx(_rectangle_reock(widths, 100))
    assert (proposal.min_households, proposal.max_households) == (300, 500)
