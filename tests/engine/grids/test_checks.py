"""Grid checks on a hand-made 3x3 block with planted problems (values worked out by hand)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from gridplanner.context import AnalysisContext
from gridplanner.grids import run_checks
from gridplanner.grids.topology import count_households, point_membership
from gridplanner.project import Project


@pytest.fixture
def planted(blocks) -> Project:
    """3x3 block of 100 m squares with:

    - gap: grid 9 stops at y=290, leaving box(200, 290, 300, 300) = 1000 m² uncovered;
    - overlap: grid 2 reaches x=205, covering box(200, 0, 205, 100) = 500 m² of grid 3;
    - sliver: grid 1 stops at x=97; grid 10 is box(97, 0, 100, 100), 3 m wide, 300 m²;
    - grid 8 pokes 20 m above the community: box(100, 200, 200, 320), 2000 m² outside.
    """
    geoms = blocks.squares()
    geoms[8] = shapely.box(200, 200, 300, 290)
    geoms[1] = shapely.box(100, 0, 205, 100)
    geoms[0] = shapely.box(0, 0, 97, 100)
    geoms[7] = shapely.box(100, 200, 200, 320)
    geoms.append(shapely.box(97, 0, 100, 100))
    grids = blocks.grids_frame(geoms)
    # Households: 350 in most grids; grid 4 has 100 (below band), grid 5 has 900.
    xy, counts = [], []
    for k in range(9):
        r, c = divmod(k, 3)
        xy.append((c * 100 + 50, r * 100 + 50))
        counts.append({3: 100, 4: 900}.get(k, 350))
    xy.append((250, 295))  # in the gap: no grid
    counts.append(7)
    xy.append((202, 50))  # in the overlap: grids 2 and 3
    counts.append(5)
    households = blocks.household_frame(xy, counts)
    staff = gpd.GeoDataFrame({
        "staff_id": [f"S{i}" for i in range(3 * 9)],
        "role": ["grid_head", "full_time", "police"] * 9,
        "grid_id": [blocks.gid(k // 3 + 1) for k in range(27)],
    }, geometry=shapely.points([(1, 1)] * 27), crs=blocks.CRS)
    # Grid 6 has no full-time worker; the police officer of grid 7 also covers grid 8.
    staff.loc[staff["grid_id"] == blocks.gid(6), "role"] = ["grid_head", "part_time", "police"]
    staff.loc[(staff["grid_id"] == blocks.gid(8)) & (staff["role"] == "police"), "grid_id"] = ""
    staff.loc[(staff["grid_id"] == blocks.gid(7)) & (staff["role"] == "police"), "grid_id"] = (
        f"{blocks.gid(7)};{blocks.gid(8)}")
    return Project(layers={"grids": grids, "households": households, "staff": staff,
                           "service_areas": blocks.community_frame()})


def by_check(result, check):
    return result.of(check).reset_index(drop=True)


def test_planted_gap_found_with_area_and_neighbours(planted, blocks):
    gaps = by_check(run_checks(AnalysisContext.of(planted)), "gap")
    assert len(gaps) == 1
    assert gaps.loc[0, "value"] == pytest.approx(1000.0)
    assert blocks.gid(9) in gaps.loc[0, "grid_ids"].split(";")
    assert gaps.geometry[0].equals(shapely.box(200, 290, 300, 300))


def test_planted_overlap_found(planted, blocks):
    overlaps = by_check(run_checks(AnalysisContext.of(planted)), "overlap")
    assert len(overlaps) == 1
    assert overlaps.loc[0, "grid_ids"] == f"{blocks.gid(2)};{blocks.gid(3)}"
    assert overlaps.loc[0, "value"] == pytest.approx(500.0)


def test_sliver_and_compactness(planted, blocks):
    result = run_checks(AnalysisContext.of(planted))
    slivers = by_check(result, "sliver")
    assert slivers["grid_ids"].tolist() == [blocks.gid(10)]
    assert slivers.loc[0, "value"] == pytest.approx(300.0)
    compact = by_check(result, "compactness")
    # 3 x 100 m strip: Polsby-Popper 4*pi*300/206**2 = 0.089.
    assert blocks.gid(10) in compact["grid_ids"].tolist()
    assert compact.set_index("grid_ids").loc[blocks.gid(10), "value"] == pytest.approx(
        0.0888, abs=1e-3)


def test_outside_community(planted, blocks):
    out = by_check(run_checks(AnalysisContext.of(planted)), "outside_community")
    assert out["grid_ids"].tolist() == [blocks.gid(8)]
    assert out.loc[0, "value"] == pytest.approx(2000.0)
    assert "16.7%" in out.loc[0, "message"]


def test_household_band_and_points(planted, blocks):
    result = run_checks(AnalysisContext.of(planted))
    band = by_check(result, "band").set_index("grid_ids")["value"]
    # grid 2: 350 + 5 in the overlap; grid 4: 100; grid 5: 900; grid 10 (sliver): 0.
    assert band.to_dict() == {blocks.gid(4): 100.0, blocks.gid(5): 900.0,
                              blocks.gid(10): 0.0}
    nogrid = by_check(result, "household_no_grid")
    assert nogrid["value"].tolist() == [7.0]
    two = by_check(result, "household_two_grids")
    assert two.loc[0, "grid_ids"] == f"{blocks.gid(2)};{blocks.gid(3)}"
    table = result.grid_table.set_index("grid_id")
    assert table.loc[blocks.gid(2), "households"] == 355  # lower position wins the overlap
    assert table.loc[blocks.gid(3), "households"] == 350


def test_missing_staff_uses_shared_police(planted, blocks):
    missing = by_check(run_checks(AnalysisContext.of(planted)), "missing_staff").set_index(
        "grid_ids")["message"]
    assert set(missing.index) == {blocks.gid(6), blocks.gid(10)}
    assert missing[blocks.gid(6)].endswith("has no full-time worker")
    assert "no grid head, no full-time worker, no police officer" in missing[blocks.gid(10)]


def test_codes_duplicate_and_malformed(blocks):
    geoms = blocks.squares()[:4]
    grids = blocks.grids_frame(geoms, ids=[blocks.gid(1), blocks.gid(1), "330799001001003",
                                           f"{blocks.COMMUNITY}0A4"])
    result = run_checks(AnalysisContext.of(Project(layers={"grids": grids})))
    assert by_check(result, "duplicate_code")["grid_ids"].tolist() == [
        f"{blocks.gid(1)};{blocks.gid(1)}"]
    malformed = by_check(result, "malformed_code")
    assert malformed["grid_ids"].tolist() == ["330799001001003", f"{blocks.COMMUNITY}0A4"]
    assert "does not start with its community's code" in malformed.loc[0, "message"]


def test_clean_block_has_no_findings(block_project):
    result = run_checks(AnalysisContext.of(block_project))
    # 4 x 100 households = 400 per grid: inside the band; squares are compact.
    assert len(result) == 0
    assert result.grid_table["households"].tolist() == [400] * 9


def test_invalid_multipart_and_empty(blocks):
    bowtie = shapely.Polygon([(0, 0), (100, 100), (100, 0), (0, 100)])
    two = shapely.MultiPolygon([shapely.box(0, 0, 50, 50), shapely.box(60, 60, 100, 100)])
    grids = blocks.grids_frame([bowtie, two, shapely.Polygon()])
    result = run_checks(AnalysisContext.of(Project(layers={"grids": grids})))
    assert by_check(result, "invalid")["grid_ids"].tolist() == [blocks.gid(1)]
    assert set(by_check(result, "multipart")["grid_ids"]) == {blocks.gid(1), blocks.gid(2)}
    assert by_check(result, "empty")["grid_ids"].tolist() == [blocks.gid(3)]


def test_community_filter_and_progress(planted):
    from gridplanner.errors import AnalysisError
    from gridplanner.feedback import RecordingFeedback

    feedback = RecordingFeedback()
    community = str(planted.layer("grids")["community_id"].iloc[0])
    result = run_checks(AnalysisContext.of(planted), community_id=community, feedback=feedback)
    assert set(result.findings["community_id"]) <= {community}
    assert feedback.reports[-1][0] == 1.0
    # A code that names no community is refused, not reported as "no findings".
    with pytest.raises(AnalysisError, match="community nope is neither"):
        run_checks(AnalysisContext.of(planted), community_id="nope")


def test_point_on_shared_edge_counts_once():
    grids = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)]
    pts = shapely.points([(1, 0.5), (0.5, 0.5)])
    member = point_membership(grids, pts)
    assert member.grid_index.tolist() == [0, 0]
    hh = gpd.GeoDataFrame({"households": [2, 3]}, geometry=pts)
    assert count_households(grids, hh).tolist() == [5, 0]
