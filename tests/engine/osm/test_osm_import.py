"""A project from OpenStreetMap: counts against an independent count of the tags written."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("osmium")

from gridplanner.cli import EXIT_OK, main
from gridplanner.errors import Cancelled, CRSError, SchemaError
from gridplanner.feedback import RecordingFeedback
from gridplanner.osm import osm_project, parse_bbox
from gridplanner.osm.tags import camera_direction, metres, road_level, walkable
from gridplanner.project import open_project
from tests.engine.osm.town import LON0, STEP, count, make_town

RESIDENTIAL = ("residential", "apartments", "house")


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    return make_town(tmp_path_factory.mktemp("osm") / "town.osm.pbf")


@pytest.fixture(scope="module")
def built(town):
    return osm_project(town.path)


def _is_camera(tags):
    return tags.get("man_made") == "surveillance" and tags.get("surveillance:type",
                                                               "camera") == "camera"


def test_counts_match_the_tags_written(town, built):
    layers = built.project.layers
    roads = [t for t in town.ways if "highway" in t and t["highway"] != "proposed"]
    assert len(layers["roads"]) == len(roads)
    walk = [t for t in roads if t["highway"] != "motorway" and t.get("foot") != "no"
            and (t.get("access") != "private" or t.get("foot") == "yes")]
    assert int(layers["roads"]["walkable"].sum()) == len(walk)
    assert len(layers["buildings"]) == count(town.ways, building=lambda v: v is not None)
    cameras = [t for t in town.nodes if _is_camera(t)]
    assert len(layers["cameras"]) == len(cameras)
    facilities = layers["facilities"]["kind"].value_counts().to_dict()
    assert facilities == {"police_station": count(town.nodes, amenity="police"),
                          "party_centre": count(town.ways, amenity="community_centre"),
                          "other": count(town.nodes, amenity="townhall")
                          + count(town.nodes, office="government")}
    homes = [t for t, in_land in town.buildings
             if t["building"] in RESIDENTIAL or (t["building"] == "yes" and in_land)]
    assert len(layers["households"]) == len(homes)
    assert built.found["cameras"] == len(cameras)
    assert built.estimated["household points"] == len(homes)


def test_counts_match_the_file_read_back(town, built):
    """The file holds what the town says: counted again with a bare osmium handler."""
    import osmium

    class Count(osmium.SimpleHandler):
        def __init__(self):
            super().__init__()
            self.cameras = self.buildings = self.roads = 0

        def node(self, n):
            self.cameras += _is_camera(dict(n.tags))

        def way(self, w):
            self.buildings += "building" in w.tags
            self.roads += w.tags.get("highway") not in (None, "proposed")

    count_ = Count()
    count_.apply_file(str(town.path))
    layers = built.project.layers
    assert (count_.cameras, count_.buildings, count_.roads) == (
        len(layers["cameras"]), len(layers["buildings"]), len(layers["roads"]))


def test_service_areas_and_grids(built):
    areas = built.project.layers["service_areas"].sort_values("name")
    assert sorted(areas["level"]) == ["community", "community", "street"]
    street = areas.loc[areas["level"] == "street", "area_id"].iloc[0]
    assert set(areas.loc[areas["level"] == "community", "parent_id"]) == {street}
    grids = built.project.layers["grids"]
    assert sorted(grids["community_id"]) == sorted(areas.loc[areas["level"] == "community",
                                                             "area_id"])


def test_household_estimate_by_hand(built):
    homes = built.project.layers["households"]
    row = homes[homes["levels_source"] == "building:levels"].iloc[0]
    expected = max(1, round(row["footprint_m2"] * row["levels"] / 90.0))
    assert row["households"] == expected
    assert row["floor_area_per_household_m2"] == 90.0
    # A 0.0003-degree square near 29°N is about 29 m by 33 m.
    assert 850 < row["footprint_m2"] < 1050
    assert bool(homes["estimated"].all())
    defaults = homes[homes["levels_source"] == "default"]
    assert set(defaults["levels"]) <= {2.0, 6.0}


def test_cameras_direction_and_dome(built):
    cams = built.project.layers["cameras"]
    dome = cams["osm_camera_type"] == "dome"
    assert cams.loc[dome, "azimuth_deg"].isna().all()
    assert (cams.loc[dome, "fov_deg"] == 360).all()
    ne = cams[(cams["osm_direction"] == "NE") & ~dome]
    assert (ne["azimuth_deg"] == 45).all()
    assert len(ne)
    span = cams[(cams["osm_direction"] == "90-270") & ~dome]
    assert (span["azimuth_deg"] == 180).all()
    assert (span["fov_deg"] == 180).all()


def test_bbox_keeps_what_lies_inside(town, tmp_path):
    west, south, _east, north = town.bounds
    mid = LON0 + 2 * STEP - 0.0002
    result = osm_project(town.path, bbox=(west - 0.001, south - 0.001, mid, north + 0.001))
    inside = [t for t, (lon, _) in zip(town.nodes, town.node_lonlat, strict=True)
              if _is_camera(t) and lon < mid]
    assert len(result.project.layers["cameras"]) == len(inside)
    roads = result.project.layers["roads"]
    assert roads.to_crs(4326).total_bounds[2] <= mid + 1e-7


def test_progress_and_cancel(town):
    feedback = RecordingFeedback()
    osm_project(town.path, feedback=feedback)
    assert feedback.reports[-1][0] == 1.0
    stop = RecordingFeedback(cancel_after=1)
    with pytest.raises(Cancelled):
        osm_project(town.path, feedback=stop)


def test_nothing_in_the_area(town):
    with pytest.raises(SchemaError, match="no roads, buildings, cameras or facilities found "
                       "inside the area given"):
        osm_project(town.path, bbox=(100.0, 20.0, 100.1, 20.1))


def test_bbox_errors():
    with pytest.raises(CRSError, match="four numbers"):
        parse_bbox("1,2,3")
    with pytest.raises(CRSError, match="west must be below east"):
        parse_bbox("120,29,119,30")


# --------------------------------------------------------------------------- tags


def test_tag_readings_by_hand():
    assert walkable(pd.Series(["trunk", "motorway", "footway"]),
                    pd.Series([None, "yes", "use_sidepath"]),
                    pd.Series(["no", None, None])).tolist() == [False, True, False]
    assert road_level(pd.Series(["-1", None]), pd.Series([None, "viaduct"]),
                      pd.Series(["building_passage", None])).tolist() == [-1, 1]
    got = metres(pd.Series(["3,5 m", "10米"]))
    assert got.tolist() == [3.5, 10.0]
    az, span = camera_direction(pd.Series(["nw", "350-10", "-45", "0-359"]))
    assert az[0] == 315
    assert az[1] == 0
    assert span[1] == 20
    assert az[2] == 315
    assert math.isnan(az[3])
    assert span[3] == 360


# --------------------------------------------------------------------------- command line


def _staff_csv(path: Path) -> Path:
    lon = LON0 + np.array([0.5, 1.5, 2.5, 3.5]) * STEP
    lat = 29.070 + np.array([0.5, 1.5, 2.5, 3.5]) * STEP
    pd.DataFrame({"工号": ["S1", "S2", "S3", "S4"], "岗位": ["专职网格员"] * 4,
                  "服务户数": [800, 800, 800, 800], "经度": lon, "纬度": lat}).to_csv(
        path, index=False)
    return path


def _run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def test_import_osm_then_every_analysis_runs(town, tmp_path, capsys):
    out = tmp_path / "osm.gpkg"
    code, text = _run(capsys, "import-osm", out, "--pbf", town.path,
                      "--staff", _staff_csv(tmp_path / "staff.csv"))
    assert code == EXIT_OK, text
    assert "Found in OpenStreetMap" in text
    assert "household points" in text
    assert "staff" in text
    project = open_project(out)
    assert len(project.layers["staff"]) == 4
    for command in ("coverage", "allocate", "check", "service-areas", "grid-heads"):
        code, text = _run(capsys, command, out, "--out", tmp_path / f"{command}.gpkg")
        assert code in (EXIT_OK, 1), (command, text)  # 1: check found something
        assert (tmp_path / f"{command}.gpkg").exists()
    assert "assigned" in _run(capsys, "allocate", out, "--out", tmp_path / "a.gpkg")[1]
    code, text = _run(capsys, "export-map", out, "--out", tmp_path / "map.html")
    assert code == EXIT_OK, text
    assert "青春社区" in (tmp_path / "map.html").read_text(encoding="utf-8")


def test_import_osm_bad_file(tmp_path, capsys):
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"not osm at all")
    code, text = _run(capsys, "import-osm", tmp_path / "o.gpkg", "--pbf", bad)
    assert code == 2
    assert "bad.osm.pbf" in text


def test_boundary_file_in_gcj02(town, tmp_path, capsys):
    import geopandas as gpd
    import shapely

    from layers.webmap import wgs84_to_gcj02

    west, south, _east, north = town.bounds
    mid = LON0 + 2 * STEP - 0.0002
    half = shapely.box(west - 0.001, south - 0.001, mid, north + 0.001)
    shifted = shapely.transform(half, lambda xy: np.column_stack(
        wgs84_to_gcj02(xy[:, 0], xy[:, 1])))
    path = tmp_path / "half.geojson"
    gpd.GeoDataFrame(geometry=[shifted], crs=4326).to_file(path)
    out = tmp_path / "o.gpkg"
    code, text = _run(capsys, "import-osm", out, "--pbf", town.path, "--boundary", path,
                      "--source-crs", "gcj02")
    assert code == EXIT_OK, text
    inside = [t for t, (lon, _) in zip(town.nodes, town.node_lonlat, strict=True)
              if _is_camera(t) and lon < mid]
    assert len(open_project(out).layers["cameras"]) == len(inside)


def test_mapping_flags_need_their_file(town, tmp_path, capsys):
    code, text = _run(capsys, "import-osm", tmp_path / "o.gpkg", "--pbf", town.path,
                      "--column", "staff:staff_id=工号")
    assert code == 2
    assert "no staff file is imported" in text


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="named pipes are POSIX")
def test_import_osm_says_what_a_pipe_device_or_folder_is(tmp_path, capsys):
    import os

    pipe = tmp_path / "pipe.osm.pbf"
    os.mkfifo(pipe)
    zero = tmp_path / "zero.osm.pbf"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "folder.osm.pbf"
    folder.mkdir()
    for path, words in ((pipe, "named pipe"), (zero, "device"), (folder, "folder")):
        code, text = _run(capsys, "import-osm", tmp_path / "o.gpkg", "--pbf", path)
        assert code == 2
        assert words in text, text  # not "file not found": the file is there
        assert "not found" not in text
