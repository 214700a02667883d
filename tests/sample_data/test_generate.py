"""Tests of the synthetic district generator (sample scale only; larger scales are benchmarks)."""

from __future__ import annotations

import ast
import re
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from sample_data import generate
from sample_data.generate import generate_district, planted_problems, write_layers

COLUMNS = {
    "service_areas": ["area_id", "name", "level", "parent_id", "committee"],
    "grids": ["grid_id", "name", "community_id", "kind", "locked", "party_branch",
              "host_unit", "host_kind"],
    "households": ["household_id", "households", "population", "address", "party_members",
                   "floating_population"],
    "buildings": ["building_id", "height_m"],
    "roads": ["road_id", "name", "kind", "walkable", "speed_kmh"],
    "cameras": ["camera_id", "category", "range_m", "azimuth_deg", "fov_deg", "status"],
    "staff": ["staff_id", "name", "role", "capacity", "grid_id", "phone", "party_member",
              "specialty"],
    "facilities": ["facility_id", "kind", "name", "cutoff_m"],
    "incidents": ["incident_id", "kind", "time"],
}
GEOMETRY = {
    "service_areas": "Polygon",
    "grids": "Polygon",
    "buildings": "Polygon",
    "roads": "LineString",
}


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return generate_district()


@pytest.fixture(scope="module")
def planted() -> dict[str, list[str]]:
    return planted_problems()


@pytest.fixture(scope="module")
def households_per_grid(layers) -> pd.Series:
    grids = layers["grids"][["grid_id", "geometry"]]
    joined = gpd.sjoin(layers["households"], grids, predicate="within")
    return joined.groupby("grid_id")["households"].sum()


def _assert_same(a: dict[str, gpd.GeoDataFrame], b: dict[str, gpd.GeoDataFrame]) -> None:
    assert list(a) == list(b)
    for name in a:
        pd.testing.assert_frame_equal(
            a[name].drop(columns="geometry"), b[name].drop(columns="geometry")
        )
        assert np.array_equal(
            shapely.to_wkb(a[name].geometry.values), shapely.to_wkb(b[name].geometry.values)
        ), name


# ------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_layers(layers):
    _assert_same(layers, generate_district(seed=generate.DEFAULT_SEED))


def test_other_seed_gives_other_district(layers):
    other = generate_district(seed=7)
    assert not np.array_equal(
        shapely.to_wkb(layers["households"].geometry.values[:50]),
        shapely.to_wkb(other["households"].geometry.values[:50]),
    )
    assert not layers["cameras"]["range_m"].equals(other["cameras"]["range_m"])


def test_unknown_scale_is_refused():
    with pytest.raises(ValueError, match="unknown scale"):
        generate_district(scale="province")


# ------------------------------------------------------------------------ schema


def test_layers_columns_and_crs(layers):
    assert list(layers) == list(COLUMNS) == list(generate.LAYER_NAMES)
    for name, frame in layers.items():
        assert list(frame.columns) == [*COLUMNS[name], "geometry"], name
        assert frame.crs.to_epsg() == 4549, name
        assert frame.geometry.name == "geometry"
        expected = GEOMETRY.get(name, "Point")
        assert set(frame.geom_type) == {expected}, name
        assert shapely.is_valid(frame.geometry.values).all(), name
        assert frame.index.equals(pd.RangeIndex(len(frame))), name


def test_no_object_columns_and_typed_values(layers):
    for name, frame in layers.items():
        for col in COLUMNS[name]:
            assert frame[col].dtype != object, (name, col)
    grids, cams = layers["grids"], layers["cameras"]
    assert grids["locked"].dtype == bool
    assert layers["roads"]["walkable"].dtype == bool
    assert cams["category"].dtype == "Int64"
    for name, col in [
        ("households", "households"),
        ("households", "population"),
        ("staff", "capacity"),
    ]:
        assert layers[name][col].dtype == np.int64
    for name, col in [
        ("cameras", "range_m"),
        ("cameras", "azimuth_deg"),
        ("cameras", "fov_deg"),
        ("roads", "speed_kmh"),
        ("buildings", "height_m"),
        ("facilities", "cutoff_m"),
    ]:
        assert layers[name][col].dtype == np.float64
    assert pd.api.types.is_datetime64_any_dtype(layers["incidents"]["time"])
    for name, frame in layers.items():
        for col in COLUMNS[name]:
            if pd.api.types.is_string_dtype(frame[col]):
                assert frame[col].map(type).eq(str).all(), (name, col)


def test_district_sits_in_urban_wucheng(layers):
    to_lonlat = Transformer.from_crs(4549, 4326, always_xy=True)
    centre = layers["service_areas"].union_all().centroid
    lon, lat = to_lonlat.transform(centre.x, centre.y)
    assert abs(lon - 119.64) < 0.01
    assert abs(lat - 29.08) < 0.01


def test_sample_counts(layers):
    n = {name: len(frame) for name, frame in layers.items()}
    assert 45 <= n["grids"] <= 55
    assert 3000 <= n["households"] <= 5500
    assert 18_000 <= layers["households"]["households"].sum() <= 22_000
    assert n["buildings"] >= n["households"]
    assert 1900 <= n["cameras"] <= 2100
    assert 200 <= n["incidents"] <= 600
    nodes = np.unique(shapely.get_coordinates(layers["roads"].geometry.values), axis=0)
    assert 8000 <= len(nodes) <= 12_000
    population = layers["households"]["population"] / layers["households"]["households"]
    assert 2.3 < population.mean() < 2.9


# -------------------------------------------------------------------- hierarchy


def test_streets_and_communities(layers):
    areas = layers["service_areas"]
    streets = areas[areas["level"] == "street"]
    comms = areas[areas["level"] == "community"]
    assert len(streets) == 2
    assert 6 <= len(comms) <= 10
    assert streets["area_id"].str.fullmatch(r"330702\d{3}").all()
    assert (streets["parent_id"] == "330702").all()
    assert (streets["committee"] == "").all()
    assert streets["name"].str.endswith("街道").all()
    assert comms["area_id"].str.fullmatch(r"330702\d{6}").all()
    assert (comms["area_id"].str[:9] == comms["parent_id"]).all()
    assert comms["parent_id"].isin(streets["area_id"]).all()
    assert comms["name"].str.endswith("社区").all()
    assert (comms["committee"] == comms["name"] + "大党委").all()
    assert "青春路社区" in set(comms["name"])
    assert areas["area_id"].is_unique
    # Communities tile their street exactly.
    for street_id, street in zip(streets["area_id"], streets.geometry, strict=True):
        parts = comms[comms["parent_id"] == street_id].geometry
        assert shapely.coverage_is_valid(parts.values)
        assert parts.union_all().symmetric_difference(street).area < 1e-3


def test_grid_ids_and_names(layers):
    grids = layers["grids"]
    comms = layers["service_areas"].set_index("area_id")["name"]
    assert grids["grid_id"].is_unique
    assert grids["grid_id"].str.fullmatch(r"330702\d{9}").all()
    assert (grids["grid_id"].str[:12] == grids["community_id"]).all()
    numbers = grids["grid_id"].str[-3:].astype(int).astype(str)
    expected = grids["community_id"].map(comms) + "第" + numbers + "网格"
    assert all(n.startswith(e) for n, e in zip(grids["name"], expected, strict=True))
    kinds = grids["kind"].value_counts()
    assert kinds["urban"] > kinds.get("rural", 0) > 0
    assert kinds.get("special", 0) >= 1
    assert grids["locked"].sum() >= 2


def test_grids_tile_communities_except_planted_gap_and_overlap(layers, planted):
    grids = layers["grids"]
    areas = layers["service_areas"]
    comms = areas[areas["level"] == "community"].set_index("area_id").geometry
    gap, overlap = set(planted["grid_gap"]), set(planted["grid_overlap"])
    for comm_id, members in grids.groupby("community_id"):
        diff = members.union_all().symmetric_difference(comms[comm_id]).area
        if gap & set(members["grid_id"]):
            assert diff > 100  # a 3 m sliver along a whole block side
        else:
            assert diff < 1e-3, comm_id
    # The only overlapping pair is the planted one.
    geoms = grids.geometry.values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    areas_ = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    overlapping = {
        frozenset(grids["grid_id"].iloc[[a, b]])
        for a, b, area in zip(left[pairs], right[pairs], areas_, strict=True)
        if area > 1e-3
    }
    assert overlapping == {frozenset(overlap)}
    # The gap lies between the planted gap pair.
    a, b = (grids.set_index("grid_id").geometry[g] for g in planted["grid_gap"])
    assert a.distance(b) == pytest.approx(3.0, abs=0.1)
    assert not gap & overlap


# --------------------------------------------------------------- homes, buildings


def test_household_band_problems(households_per_grid, planted, layers):
    assert len(households_per_grid) == len(layers["grids"])
    low = set(households_per_grid.index[households_per_grid < 300])
    high = set(households_per_grid.index[households_per_grid > 500])
    assert low == set(planted["grid_low_households"])
    assert high == set(planted["grid_high_households"])
    assert len(low) >= 2
    assert len(high) >= 2


def test_every_household_in_one_building_and_one_grid(layers):
    homes = layers["households"]
    assert homes["household_id"].is_unique
    assert (homes["households"] >= 1).all()
    assert (homes["population"] >= homes["households"]).all()
    assert homes["address"].str.match(r"婺城区.+\d+号\d+幢$").all()
    for name in ("buildings", "grids"):
        tree = shapely.STRtree(layers[name].geometry.values)
        inside, _ = tree.query(homes.geometry.values, predicate="within")
        assert np.array_equal(np.sort(inside), np.arange(len(homes))), name


def test_buildings_clear_of_roads_and_of_each_other(layers):
    buildings = layers["buildings"]
    assert buildings["building_id"].is_unique
    assert buildings["height_m"].between(3, 60).all()
    tree = shapely.STRtree(buildings.geometry.values)
    hit, _ = tree.query(layers["roads"].geometry.values, predicate="intersects")
    assert len(hit) == 0
    a, b = tree.query(buildings.geometry.values, predicate="intersects")
    assert np.array_equal(a, b)


# ------------------------------------------------------------------------- roads


def _components(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Connected component of every line, joining lines only at identical vertices."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    xy, line = shapely.get_coordinates(lines, return_index=True)
    _, node = np.unique(xy, axis=0, return_inverse=True)
    same = line[1:] == line[:-1]
    n = node.max() + 1
    graph = coo_matrix((np.ones(same.sum()), (node[:-1][same], node[1:][same])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    return label[node[np.r_[np.flatnonzero(np.r_[True, ~same])]]], label


def test_road_kinds_and_attributes(layers):
    roads = layers["roads"]
    assert roads["road_id"].is_unique
    assert set(roads["kind"]) == {"arterial", "secondary", "lane", "path"}
    assert (roads.loc[roads["kind"] == "path", "speed_kmh"] == 4.5).all()
    assert (roads.loc[roads["kind"] == "path", "name"] == "").all()
    assert (roads.loc[roads["kind"] != "path", "name"] != "").all()
    blocked = roads[~roads["walkable"]]
    assert 2 <= len(blocked) <= 30
    assert (blocked["name"] == "金义东快速路").all()
    assert {"八一南街", "人民西路"} <= set(roads["name"])


def test_roads_meet_at_shared_vertices_except_planted(layers, planted):
    roads = layers["roads"]
    first_label, _ = _components(roads.geometry.values)
    main = np.bincount(first_label).argmax()
    in_main = first_label == main
    assert in_main.mean() > 0.95
    isolated = roads["road_id"].isin(planted["road_isolated_piece"]).to_numpy()
    assert not in_main[isolated].any()


def test_planted_road_faults(layers, planted):
    roads = layers["roads"].set_index("road_id")
    geoms = roads.geometry
    others = shapely.STRtree(layers["roads"].geometry.values)

    crossing = geoms[planted["road_crossing_without_vertex"]].values
    assert len(crossing) >= 3
    crossed, _ = others.query(crossing, predicate="crosses")
    assert len(crossed) >= 2

    for road_id in planted["road_dangling_end"]:
        line = geoms[road_id]
        ends = shapely.points(shapely.get_coordinates(line)[[0, -1]])
        rest = geoms.drop(road_id)
        near = rest[rest.distance(line) < 10].values
        gaps = [min(shapely.distance(end, near)) for end in ends]
        assert 1.0 <= max(gaps) <= 3.0, road_id

    piece = shapely.union_all(geoms[planted["road_isolated_piece"]].values)
    rest = geoms.drop(planted["road_isolated_piece"])
    assert rest.distance(piece).min() > 10


# ----------------------------------------------------------------------- cameras


def test_camera_mix(layers, planted):
    cams = layers["cameras"]
    share = cams["category"].value_counts(normalize=True)
    assert 0.25 < share[1] < 0.35
    assert share[2] + share[3] > 0.6
    assert 0.02 < (cams["status"] == "offline").mean() < 0.08
    domes = cams["azimuth_deg"].isna()
    assert domes.sum() > 10
    assert (cams.loc[domes, "fov_deg"] == 360).all()
    assert (cams.loc[domes, "category"] == 1).all()


def test_planted_camera_faults(layers, planted):
    cams = layers["cameras"]
    by_id = cams.drop_duplicates("camera_id", keep=False).set_index("camera_id")
    assert (by_id.loc[planted["camera_range_nonpositive"], "range_m"] <= 0).all()
    assert (by_id.loc[planted["camera_range_too_large"], "range_m"] == 5000).all()
    assert set(by_id.loc[planted["camera_fov_invalid"], "fov_deg"]) == {0.0, 400.0}
    assert (by_id.loc[planted["camera_azimuth_invalid"], "azimuth_deg"] == 370).all()
    assert by_id.loc[planted["camera_category_missing"], "category"].isna().all()
    assert (
        cams["camera_id"][cams["camera_id"].duplicated()].tolist() == planted["camera_duplicate_id"]
    )

    xy = pd.DataFrame(shapely.get_coordinates(cams.geometry.values), columns=["x", "y"])
    shared = cams["camera_id"][xy.duplicated(keep=False).to_numpy()]
    assert sorted(shared) == sorted(planted["camera_same_position"])

    joined = gpd.sjoin(
        cams, layers["grids"][["grid_id", "geometry"]], how="left", predicate="within"
    )
    outside = joined.loc[joined["grid_id"].isna(), "camera_id"].tolist()
    assert outside == planted["camera_outside_grids"]
    far = by_id.loc[planted["camera_outside_grids"]].geometry
    assert layers["grids"].distance(far.iloc[0]).min() > 1000

    # Every other row is clean.
    bad = {i for key, ids in planted.items() if key.startswith("camera_") for i in ids}
    good = cams[~cams["camera_id"].isin(bad)]
    assert 6 <= len(cams) - len(good) <= 12
    assert good["category"].isin([1, 2, 3]).all()
    assert good["range_m"].between(10, 200).all()
    assert good["fov_deg"].between(30, 360).all()
    az = good["azimuth_deg"].dropna()
    assert az.between(0, 360, inclusive="left").all()


# -------------------------------------------------------------- staff, facilities


def test_staff_roster(layers, planted):
    staff, grids = layers["staff"], layers["grids"]
    assert staff["staff_id"].is_unique
    assert staff["phone"].str.fullmatch(r"1\d{10}").all()
    assert staff["name"].str.len().between(2, 3).all()
    capacity = {"grid_head": 500, "full_time": 500, "police": 3000, "part_time": 80}
    assert (staff["capacity"] == staff["role"].map(capacity)).all()
    # A police officer lists the two or three grids covered, ";"-separated.
    covered = staff.assign(grid_id=staff["grid_id"].str.split(";")).explode("grid_id")
    assert covered["grid_id"].isin(grids["grid_id"]).all()
    police_cover = staff.loc[staff["role"] == "police", "grid_id"].str.count(";") + 1
    assert police_cover.between(1, 3).all()
    assert police_cover.mean() > 2
    assert (staff.loc[staff["role"] != "police", "grid_id"].str.count(";") == 0).all()
    roles = covered.groupby(["grid_id", "role"]).size().unstack(fill_value=0)
    roles = roles.reindex(grids["grid_id"], fill_value=0)
    assert set(roles.index[roles["full_time"] == 0]) == set(planted["grid_no_full_time"])
    assert set(roles.index[roles["grid_head"] == 0]) == set(planted["grid_no_head"])
    assert (roles["police"] == 1).all()
    assert len(planted["grid_no_full_time"]) >= 3
    assert len(planted["grid_no_head"]) == 1
    assert roles["part_time"].between(2, 6).all()
    assert roles["full_time"].max() == roles["grid_head"].max() == 1


def test_staff_bases_in_their_grid_and_in_the_open(layers):
    staff = layers["staff"]
    joined = gpd.sjoin(staff, layers["grids"][["grid_id", "geometry"]], predicate="within")
    assert len(joined) == len(staff)
    base_grid = joined["grid_id_left"].str.split(";").str[0]
    assert (base_grid == joined["grid_id_right"]).all()
    hit, _ = shapely.STRtree(layers["buildings"].geometry.values).query(
        staff.geometry.values, predicate="intersects"
    )
    assert len(hit) == 0
    assert layers["roads"].sindex.nearest(staff.geometry, return_distance=True)[1].max() < 20


def test_facilities(layers):
    fac, areas = layers["facilities"], layers["service_areas"]
    counts = fac["kind"].value_counts()
    assert counts["party_centre"] == (areas["level"] == "community").sum()
    assert counts["police_station"] == 2
    assert counts["mediation_centre"] == 1
    assert fac["facility_id"].is_unique
    cutoff = fac.groupby("kind")["cutoff_m"].first()
    assert cutoff["party_centre"] == 1000
    assert cutoff["police_station"] == 2000
    assert fac["name"].str.contains("党群服务中心|派出所|调处化解中心|综治中心|信访超市|"
                                    "便民服务中心").all()
    # Every kind of facility the district runs; the added ones take the kind's default.
    assert set(fac["kind"]) == {"party_centre", "police_station", "mediation_centre",
                                "governance_centre", "petition_reception", "service_centre"}
    assert fac.loc[fac["kind"] == "service_centre", "cutoff_m"].isna().all()


def test_organisation_columns_are_plausible(layers):
    hh, grids, staff = layers["households"], layers["grids"], layers["staff"]
    per_member = hh["households"].sum() / hh["party_members"].sum()
    assert 5 < per_member < 12
    assert 0.2 < hh["floating_population"].sum() / hh["households"].sum() < 0.5
    assert 0.6 < (grids["party_branch"] != "").mean() < 1.0
    special = grids["kind"] == "special"
    assert (grids.loc[special, "host_unit"] != "").all()
    assert (grids.loc[~special, "host_unit"] == "").all()
    assert set(grids.loc[special, "host_kind"]) <= {"enterprise", "school", "market", "park",
                                                    "other"}
    x = staff["role"] == "part_time"
    assert (staff.loc[x, "specialty"] != "").all()
    assert (staff.loc[~x, "specialty"] == "").all()
    assert staff.loc[staff["role"] == "police", "party_member"].mean() > 0.7


def test_incidents(layers):
    inc = layers["incidents"]
    assert inc["incident_id"].is_unique
    assert inc["time"].is_monotonic_increasing
    assert inc["time"].min() >= pd.Timestamp("2020-01-01")
    assert inc["time"].max() < pd.Timestamp("2020-04-10")
    assert {"矛盾纠纷", "治安", "消防隐患", "环境卫生"} <= set(inc["kind"])


# -------------------------------------------------------------- planted, feedback


def test_planted_ids_exist(layers, planted):
    id_column = {
        "grid": ("grids", "grid_id"),
        "camera": ("cameras", "camera_id"),
        "road": ("roads", "road_id"),
    }
    for key, ids in planted.items():
        assert ids, key
        name, column = id_column[key.split("_")[0]]
        assert set(ids) <= set(layers[name][column]), key


def test_docstring_lists_the_default_planted_problems(planted):
    listed = dict(re.findall(r"^ {4}(\w+) +(\[.*\])$", generate.__doc__, flags=re.MULTILINE))
    assert listed
    for key, value in listed.items():
        assert ast.literal_eval(value) == planted[key], key


class _Recorder:
    def __init__(self, cancel_at: int | None = None) -> None:
        self.reports: list[tuple[float, str]] = []
        self.cancel_at = cancel_at

    def set_progress(self, fraction: float, message: str) -> None:
        self.reports.append((fraction, message))

    def is_cancelled(self) -> bool:
        return self.cancel_at is not None and len(self.reports) >= self.cancel_at


def test_feedback_reports_progress():
    rec = _Recorder()
    generate_district(feedback=rec)
    fractions = [f for f, _ in rec.reports]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0
    assert fractions[-1] == 1.0
    assert all(message for _, message in rec.reports)


def test_feedback_can_cancel():
    with pytest.raises(RuntimeError, match="cancelled"):
        generate_district(feedback=_Recorder(cancel_at=2))


def test_write_layers_falls_back_to_plain_geopackage(layers, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "gridplanner.project", None)  # import fails
    subset = {name: layers[name] for name in ("grids", "cameras", "incidents")}
    path = tmp_path / "district.gpkg"
    assert write_layers(subset, path) == "geopackage"
    assert [name for name, _ in pyogrio.list_layers(path)] == list(subset)
    back = gpd.read_file(path, layer="cameras")
    assert len(back) == len(layers["cameras"])
    assert back.crs.to_epsg() == 4549
