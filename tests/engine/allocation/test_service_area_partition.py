"""Service areas partition what they cover; kinds of facility do not compete."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import LineString, Point

from gridplanner.allocation.service_areas import service_areas_layers
from gridplanner.analyses import run
from gridplanner.context import AnalysisContext
from gridplanner.errors import AnalysisError
from gridplanner.project import open_project

CRS = 3857


def gdf(rows, geoms):
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS)


def _overlap(polys) -> float:
    """Area covered more than once."""
    polys = [p for p in polys if not p.is_empty]
    return float(sum(p.area for p in polys) - shapely.union_all(polys).area)


def test_two_facilities_split_the_road_where_walks_are_equal():
    roads = gdf({}, [LineString([(0, 0), (1000, 0)])])
    fac = gdf({"facility_id": ["F", "G"], "kind": "police_station", "cutoff_m": 600.0},
              [Point(0, 0), Point(1000, 0)])
    hh = gdf({"household_id": ["a", "b"], "households": [1, 1]},
             [Point(450, 20), Point(560, 20)])
    r = service_areas_layers(fac, hh, roads, margin_m=40.0)
    # Both reach 400..600: each takes the half nearer to it.
    assert r.roads["road_length_m"].tolist() == [500.0, 500.0]
    f, g = r.areas.geometry
    assert f.intersection(g).area == pytest.approx(0.0, abs=1e-6)
    assert f.contains(Point(450, 20))
    assert not g.contains(Point(450, 20))
    assert g.contains(Point(560, 20))
    assert not f.contains(Point(560, 20))


def test_a_facility_in_the_middle_of_a_long_road_keeps_its_part():
    # One straight road of 2 km; F and G at its ends, H halfway along it.
    roads = gdf({}, [LineString([(0, 0), (2000, 0)])])
    fac = gdf({"facility_id": ["F", "G", "H"], "kind": "x", "cutoff_m": 1000.0},
              [Point(0, 0), Point(2000, 0), Point(1000, 0)])
    r = service_areas_layers(fac, gdf({"household_id": [], "households": []}, []), roads)
    # Voronoi on the road: F 0..500, H 500..1500, G 1500..2000.
    assert r.roads["road_length_m"].tolist() == pytest.approx([500.0, 500.0, 1000.0],
                                                             abs=0.2)
    assert _overlap(r.areas.geometry) == pytest.approx(0.0, abs=1e-6)


def test_facilities_of_different_kinds_do_not_compete():
    roads = gdf({}, [LineString([(0, 0), (1000, 0)])])
    fac = gdf({"facility_id": ["P", "M"], "kind": ["police_station", "mediation_centre"],
               "cutoff_m": [800.0, 800.0]}, [Point(0, 0), Point(1000, 0)])
    hh = gdf({"household_id": ["a"], "households": [3]}, [Point(450, 0)])
    r = service_areas_layers(fac, hh, roads)
    # Each kind serves on its own: a belongs to the police station and to the
    # mediation centre, and each reaches its full 800 m.
    assert sorted(zip(r.households["kind"], r.households["facility_id"], strict=True)) == [
        ("mediation_centre", "M"), ("police_station", "P")]
    assert r.areas.set_index("facility_id")["households"].to_dict() == {"P": 3, "M": 3}
    assert r.roads["road_length_m"].tolist() == [800.0, 800.0]
    only = service_areas_layers(fac, hh, roads, kind="police_station")
    assert only.areas["facility_id"].tolist() == ["P"]
    assert only.households["facility_id"].tolist() == ["P"]
    with pytest.raises(AnalysisError, match="mediation_centre, police_station"):
        service_areas_layers(fac, hh, roads, kind="school")


@pytest.fixture(scope="module")
def sample_areas(sample_project_file):
    return run("service-areas", AnalysisContext.of(open_project(sample_project_file)))


def test_sample_areas_of_one_kind_do_not_overlap(sample_areas):
    areas = sample_areas.value.areas
    for kind, group in areas.groupby("kind"):
        total = float(group.geometry.area.sum())
        assert total > 0, kind
        assert _overlap(list(group.geometry)) < 0.001 * total, kind


def test_sample_households_lie_in_their_own_facility_area_only(sample_areas):
    areas = sample_areas.value.areas
    hh = sample_areas.value.households
    assert len(hh) > 0
    for kind, group in areas.groupby("kind"):
        mine = hh[hh["kind"] == kind]
        poly = dict(zip(group["facility_id"], group.geometry, strict=True))
        inside_own = np.array([poly[f].covers(p) for f, p in zip(
            mine["facility_id"], mine.geometry, strict=True)])
        assert inside_own.all(), kind
        tree = shapely.STRtree(list(group.geometry))
        pt_i, poly_i = tree.query(mine.geometry.values, predicate="within")
        other = group["facility_id"].to_numpy()[poly_i] != mine["facility_id"].to_numpy()[pt_i]
        assert not other.any(), kind


def test_service_areas_kind_option(sample_project_file):
    ctx = AnalysisContext.of(open_project(sample_project_file))
    r = run("service-areas", ctx, kind="police_station")
    assert set(r.value.areas["kind"]) == {"police_station"}
    assert "police_station" in r.summary
