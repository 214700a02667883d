"""Read the features GridPlanner uses from an OpenStreetMap PBF file, offline.

One pass of pyosmium (libosmium) over the file: node locations are kept to build
way lines, closed ways and multipolygon/boundary relations are assembled into
areas, and a key filter in C++ drops every object none of the wanted keys is on,
so Python sees only candidates. What comes out are plain tables of tags with WKB
geometry in WGS84; :mod:`gridplanner.osm.build` turns them into layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from gridplanner.errors import ReadError
from gridplanner.feedback import Feedback, report
from gridplanner.i18n import _

#: Tags kept per kind of feature (every other tag is dropped while reading).
ROAD_TAGS = ("highway", "name", "foot", "access", "layer", "bridge", "tunnel", "area", "ref")
BUILDING_TAGS = ("building", "height", "building:levels", "name", "addr:street",
                 "addr:housenumber", "amenity", "landuse")
CAMERA_TAGS = ("man_made", "surveillance", "surveillance:type", "surveillance:zone",
               "camera:type", "camera:direction", "direction", "camera:angle", "camera:mount",
               "operator", "name", "ref")
FACILITY_TAGS = ("amenity", "office", "name", "addr:street", "addr:housenumber", "operator")
ADMIN_TAGS = ("boundary", "admin_level", "name", "ref", "name:en")
LANDUSE_TAGS = ("landuse",)
#: Keys an object must have one of to be looked at.
_KEYS = ("highway", "building", "man_made", "amenity", "office", "boundary", "landuse")
#: Administrative levels taken as service areas (townships, streets, communities).
ADMIN_LEVELS = (8, 9, 10)
_ADMIN_LEVEL_TEXT = frozenset(str(v) for v in ADMIN_LEVELS)
#: Rough bytes of PBF per object carrying a wanted key (city extracts: 50-80; the
#: untagged nodes between are most of the file), to turn objects seen into a
#: fraction done. An estimate only: the progress stops short of the end until then.
_BYTES_PER_OBJECT = 60.0
_REPORT_EVERY = 20_000


@dataclass(frozen=True)
class OsmTables:
    """The raw features found, each a GeoDataFrame in WGS84 with an ``osm_id`` column."""

    roads: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    cameras: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    admin: gpd.GeoDataFrame
    residential_land: gpd.GeoDataFrame


class _Collector:
    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {
            k: [] for k in ("roads", "buildings", "cameras", "facilities", "admin",
                            "residential_land")}

    def add(self, kind: str, osm_id: str, wkb: str, tags: Any, keep: tuple[str, ...]) -> None:
        row: dict[str, Any] = {"osm_id": osm_id, "wkb": wkb}
        for key in keep:
            row[key] = tags.get(key)
        self.rows[kind].append(row)

    def frame(self, kind: str, keep: tuple[str, ...]) -> gpd.GeoDataFrame:
        rows = self.rows[kind]
        table = pd.DataFrame(rows, columns=["osm_id", "wkb", *keep])
        geom = shapely.from_wkb(table["wkb"].to_numpy(dtype=object), on_invalid="ignore") \
            if len(table) else []
        return gpd.GeoDataFrame(table.drop(columns="wkb"), geometry=gpd.GeoSeries(
            geom, index=table.index), crs=4326)


def _is_camera(tags: Any) -> bool:
    if tags.get("man_made") != "surveillance":
        return False
    # Guards and other watchers are not cameras; an untyped surveillance node mostly is.
    return tags.get("surveillance:type", "camera") in ("camera", "ALPR", "ANPR", "alpr", "anpr")


def _is_facility(tags: Any) -> bool:
    return tags.get("amenity") in ("police", "community_centre", "townhall") \
        or tags.get("office") == "government"


def read_pbf(path: str | Path, *, feedback: Feedback | None = None) -> OsmTables:
    """Read roads, buildings, cameras, facilities and boundaries from a ``.osm.pbf`` file.

    Parameters
    ----------
    path
        An OpenStreetMap extract (``.osm.pbf``; ``.osm`` XML also works).
    feedback
        Progress (estimated from the file size) and cancellation.

    Returns
    -------
    OsmTables
        One table per kind of feature, geometry in WGS84, the tags kept as columns.

    Raises
    ------
    ReadError
        When the file is missing or not an OSM file.
    """
    import osmium  # optional dependency: the "osm" extra

    from layers.io import check_input_file

    # A pipe would block the reader forever and a device never end: refuse at once.
    path = check_input_file(path)
    expected = max(path.stat().st_size / _BYTES_PER_OBJECT, 1.0)
    wkb = osmium.geom.WKBFactory()
    out = _Collector()
    keys = osmium.filter.KeyFilter(*_KEYS)
    processor = (osmium.FileProcessor(str(path))
                 .with_areas(osmium.filter.KeyFilter("building", "boundary", "amenity",
                                                     "office", "landuse"))
                 .with_filter(keys))
    seen = 0
    try:
        for obj in processor:
            seen += 1
            if seen % _REPORT_EVERY == 0:
                report(feedback, min(0.95, seen / expected),
                       _("reading {name}: {n:,} objects", name=path.name, n=seen))
            _take(obj, out, wkb, osmium)
    except RuntimeError as exc:  # libosmium's parse errors
        raise ReadError(_("{path}: not a readable OpenStreetMap file ({error})",
                          path=path, error=exc)) from exc
    report(feedback, 1.0, _("read {n:,} objects", n=seen))
    return OsmTables(
        roads=out.frame("roads", ROAD_TAGS),
        buildings=out.frame("buildings", BUILDING_TAGS),
        cameras=out.frame("cameras", CAMERA_TAGS),
        facilities=out.frame("facilities", FACILITY_TAGS),
        admin=out.frame("admin", ADMIN_TAGS),
        residential_land=out.frame("residential_land", LANDUSE_TAGS),
    )


def _take(obj: Any, out: _Collector, wkb: Any, osmium: Any) -> None:
    tags = obj.tags
    if obj.is_node():
        if _is_camera(tags) or _is_facility(tags):
            try:
                point = wkb.create_point(obj)
            except osmium.InvalidLocationError:
                return
            if _is_camera(tags):
                out.add("cameras", f"n{obj.id}", point, tags, CAMERA_TAGS)
            if _is_facility(tags):
                out.add("facilities", f"n{obj.id}", point, tags, FACILITY_TAGS)
        return
    if obj.is_way():
        highway = tags.get("highway")
        if highway is None or tags.get("area") == "yes":
            return
        try:
            line = wkb.create_linestring(obj)
        except (osmium.InvalidLocationError, RuntimeError):
            return  # nodes outside the extract, or fewer than two distinct ones
        out.add("roads", f"w{obj.id}", line, tags, ROAD_TAGS)
        return
    if not obj.is_area():
        return
    osm_id = f"{'w' if obj.from_way() else 'r'}{obj.orig_id()}"

    def geometry() -> str:
        return str(wkb.create_multipolygon(obj))

    try:
        if tags.get("building") not in (None, "no"):
            out.add("buildings", osm_id, geometry(), tags, BUILDING_TAGS)
        if _is_facility(tags):
            out.add("facilities", osm_id, geometry(), tags, FACILITY_TAGS)
        if tags.get("landuse") == "residential":
            out.add("residential_land", osm_id, geometry(), tags, LANDUSE_TAGS)
        if not obj.from_way() and tags.get("boundary") == "administrative" \
                and tags.get("admin_level") in _ADMIN_LEVEL_TEXT:
            out.add("admin", osm_id, geometry(), tags, ADMIN_TAGS)
    except (osmium.InvalidLocationError, RuntimeError):
        return  # a broken ring libosmium could not assemble
