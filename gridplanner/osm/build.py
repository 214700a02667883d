"""Build a project from an OpenStreetMap extract: roads, buildings, homes, cameras.

OpenStreetMap holds what a planner needs to start in a new place: the walking
network, building footprints (often with their storeys), mapped surveillance
cameras and the police stations, community centres and government offices.
Households are not in it: they are estimated per residential building (floor area
÷ floor area per household) and every input of the estimate is kept in columns, so
the real register can replace them later. Grids are not in it either: one grid per
community (or per street, or one for the whole area) is made as a starting point
for ``balance``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from gridplanner.errors import CRSError, SchemaError
from gridplanner.feedback import Feedback, report, sub
from gridplanner.i18n import _
from gridplanner.importer import build_project
from gridplanner.osm import tags
from gridplanner.osm.reader import OsmTables, read_pbf
from gridplanner.project import Project
from layers.crs import WGS84, choose_crs_for, reproject
from layers.io import read_file, split_layer_spec
from layers.mapping import ImportMapping
from layers.schema import ADMIN_LEVELS
from layers.validate import validate

#: Storey height used to turn ``building:levels`` into a height and back.
METRES_PER_LEVEL = 3.0
#: Gross floor area per household (m²): Chinese urban homes average 90-110 m² of
#: building area including the shared parts (stairs, corridors).
FLOOR_AREA_PER_HOUSEHOLD_M2 = 90.0
#: Storeys of a residential block whose levels are not mapped (the six-storey walk-up
#: of Chinese housing estates); houses take two.
DEFAULT_LEVELS = 6
_LOW_HOME_LEVELS = 2
#: Start of the estimate counts a layer from the planner's own files replaces.
_ESTIMATE_KEYS = {"households": "household", "grids": "grids", "cameras": "camera"}
#: OSM admin_level -> service-area level (China: 8 township/street, 10 village/community).
_ADMIN_LEVEL = {"8": "street", "9": "street", "10": "community"}


@dataclass(frozen=True)
class OsmImport:
    """A project built from OpenStreetMap and what was found and estimated in it.

    Attributes
    ----------
    project
        The new project (not saved).
    found
        Counts of what the file holds, e.g. ``{"roads": 812, "cameras": 14}``.
    estimated
        Counts of what was estimated, e.g. ``{"households": 5230}``.
    given
        Features per layer taken from the planner's own files instead.
    """

    project: Project
    found: dict[str, int] = field(default_factory=dict)
    estimated: dict[str, int] = field(default_factory=dict)
    given: dict[str, int] = field(default_factory=dict)


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """Read ``W,S,E,N`` in degrees.

    Raises
    ------
    CRSError
        When it is not four numbers with west below east and south below north.

    Examples
    --------
    >>> parse_bbox("119.6,29.0,119.7,29.1")
    (119.6, 29.0, 119.7, 29.1)
    """
    try:
        w, s, e, n = (float(v) for v in text.replace(" ", "").split(","))
    except ValueError:
        raise CRSError(_("--bbox {text}: give four numbers W,S,E,N, e.g. "
                         "119.60,29.05,119.70,29.12", text=text)) from None
    if not (w < e and s < n and -180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= 90
            and -90 <= n <= 90):
        raise CRSError(_("--bbox {text}: west must be below east and south below north, "
                         "in degrees (longitude -180..180, latitude -90..90)", text=text))
    return w, s, e, n


def area_of_interest(
    *,
    bbox: tuple[float, float, float, float] | None = None,
    boundary: str | Path | None = None,
    source_crs: CRS | str | None = None,
) -> shapely.Geometry | None:
    """Return the area to keep in WGS84: a box, a boundary file's union, or None (all).

    ``source_crs`` says what the box's degrees or the boundary file's coordinates
    are in when they are not WGS84 (``gcj02`` for a box read off Amap).
    """
    if bbox is not None:
        frame = gpd.GeoDataFrame(geometry=[shapely.box(*bbox)], crs=WGS84)
        if source_crs is not None:
            frame = reproject(frame.set_crs(None, allow_override=True), WGS84,
                              source_crs=source_crs)
        return frame.geometry.iloc[0]
    if boundary is not None:
        path, layer = split_layer_spec(boundary)
        frame = read_file(path, layer=layer)
        wgs = reproject(frame, WGS84, source_crs=source_crs)
        polys = wgs.geometry[wgs.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
        if polys.empty:
            raise SchemaError(_("{path}: the boundary file holds no polygon", path=path))
        return shapely.union_all(shapely.make_valid(polys.to_numpy()))
    return None


def osm_project(
    path: str | Path,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    boundary: str | Path | None = None,
    source_crs: CRS | str | None = None,
    floor_area_per_household_m2: float = FLOOR_AREA_PER_HOUSEHOLD_M2,
    default_levels: int = DEFAULT_LEVELS,
    files: Mapping[str, str | Path] | None = None,
    mapping: ImportMapping | None = None,
    feedback: Feedback | None = None,
) -> OsmImport:
    """Build a project from an OpenStreetMap ``.osm.pbf`` extract.

    Parameters
    ----------
    path
        The extract.
    bbox
        ``(W, S, E, N)`` in degrees: keep only what lies inside.
    boundary
        A polygon file (``FILE::LAYER`` too): keep only what lies inside.
    source_crs
        What the box or the boundary file is in, when not WGS84 (``gcj02``, ``bd09``,
        an EPSG code). The OSM data itself is always WGS84.
    floor_area_per_household_m2
        Gross floor area of one home, dividing a residential building's floor area.
    default_levels
        Storeys of a residential block that has no ``building:levels`` or ``height``.
    files
        The planner's own layer files (layer name -> file, as for
        :func:`gridplanner.importer.build_project`): each replaces what OSM gives or
        estimates for that layer (the staff roster, the real household register).
    mapping
        Column and value mapping of those files.
    feedback
        Progress and cancellation.

    Returns
    -------
    OsmImport
        The project and the counts found and estimated.

    Raises
    ------
    ReadError, CRSError, SchemaError
        For an unreadable file, a bad box or boundary, or an area with nothing in it.
    """
    if not floor_area_per_household_m2 > 0:
        raise SchemaError(_("the floor area per household must be above 0 m²"))
    if not 1 <= default_levels <= 200:
        raise SchemaError(_("the default number of storeys must be from 1 to 200"))
    aoi = area_of_interest(bbox=bbox, boundary=boundary, source_crs=source_crs)
    raw = read_pbf(path, feedback=sub(feedback, 0.0, 0.7))
    raw = _clip(raw, aoi)
    report(feedback, 0.75, _("building layers"))
    everything = {k: v for k, v in vars(raw).items() if len(v)}
    if not everything:
        raise SchemaError(
            _("{path}: no roads, buildings, cameras or facilities found inside the area "
              "given", path=path) if aoi is not None else
            _("{path}: no roads, buildings, cameras or facilities found", path=path))
    crs = choose_crs_for(everything)[0]
    if crs is None:
        raise CRSError(_("{path}: no feature has usable coordinates", path=path))
    metric = OsmTables(**{k: v.to_crs(crs) for k, v in vars(raw).items()})
    found: dict[str, int] = {}
    estimated: dict[str, int] = {}
    layers: dict[str, gpd.GeoDataFrame] = {}
    layers["roads"] = _roads(metric.roads, found)
    layers["buildings"] = _buildings(metric.buildings, found)
    layers["households"] = _households(metric.buildings, metric.residential_land,
                                       floor_area_per_household_m2, default_levels,
                                       found, estimated)
    layers["cameras"] = _cameras(metric.cameras, found, estimated)
    layers["facilities"] = _facilities(metric.facilities, found)
    areas = _service_areas(metric.admin, found)
    if len(areas):
        layers["service_areas"] = areas
    outline = aoi if aoi is not None else _hull(everything)
    layers["grids"] = _grids(areas, gpd.GeoSeries([outline], crs=WGS84).to_crs(crs).iloc[0],
                             crs, estimated)
    report(feedback, 0.8, _("checking layers"))
    project = Project(settings={"analysis_crs": crs.to_string()})
    for name, frame in layers.items():
        if not len(frame):
            continue
        result = validate(frame, name, source=str(path))
        project.layers[name] = result.frame
        project.warnings.extend(result.warnings)
    given: dict[str, int] = {}
    if files:
        own = build_project(files, source_crs=source_crs, analysis_crs=crs, mapping=mapping,
                            feedback=sub(feedback, 0.85, 1.0))
        project.layers.update(own.layers)
        project.warnings.extend(own.warnings)
        given = {name: len(frame) for name, frame in own.layers.items()}
        replaced = tuple(_ESTIMATE_KEYS[n] for n in given if n in _ESTIMATE_KEYS)
        for key in [k for k in estimated if replaced and k.startswith(replaced)]:
            del estimated[key]
    report(feedback, 1.0, _("project built"))
    return OsmImport(project, found, estimated, given)


# --------------------------------------------------------------------------- clipping


def _clip(raw: OsmTables, aoi: shapely.Geometry | None) -> OsmTables:
    if aoi is None:
        return raw
    shapely.prepare(aoi)
    out: dict[str, gpd.GeoDataFrame] = {}
    for name, frame in vars(raw).items():
        geom = frame.geometry.to_numpy()
        if name == "roads":
            keep = shapely.intersects(aoi, geom)
            clipped = frame[keep].copy()
            cut = shapely.intersection(clipped.geometry.to_numpy(), aoi)
            lines = np.isin(shapely.get_type_id(cut), (1, 5))  # (Multi)LineString
            clipped = clipped[lines].copy()
            clipped["geometry"] = cut[lines]
            out[name] = clipped
        else:
            inside = shapely.contains(aoi, shapely.point_on_surface(geom))
            out[name] = frame[inside]
    return OsmTables(**out)


def _hull(frames: dict[str, gpd.GeoDataFrame]) -> shapely.Geometry:
    """Convex hull of every vertex, a little widened (no union of the shapes: slow)."""
    xy = np.concatenate([shapely.get_coordinates(f.geometry.to_numpy()) for f in frames.values()])
    return shapely.MultiPoint(xy).convex_hull.buffer(0.0005)


# --------------------------------------------------------------------------- layers


def _text_or_empty(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "")


def _roads(frame: gpd.GeoDataFrame, found: dict[str, int]) -> gpd.GeoDataFrame:
    hw = frame["highway"].astype(str)
    frame = frame[~hw.isin(tags.NOT_ROADS)]
    walk = tags.walkable(frame["highway"], frame["foot"], frame["access"])
    found["roads"] = len(frame)
    found["walkable roads"] = int(walk.sum())
    return gpd.GeoDataFrame({
        "road_id": frame["osm_id"].to_numpy(),
        "name": _text_or_empty(frame["name"]).to_numpy(),
        "kind": frame["highway"].to_numpy(),
        "walkable": walk,
        "level": tags.road_level(frame["layer"], frame["bridge"], frame["tunnel"]),
        "osm_foot": frame["foot"].to_numpy(),
        "osm_access": frame["access"].to_numpy(),
    }, geometry=frame.geometry.to_numpy(), crs=frame.crs)


def _height(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Height (m), storeys and where each came from, per building."""
    height = tags.metres(frame["height"])
    levels = tags.levels(frame["building:levels"])
    height = np.where(np.isfinite(height) & (height > 0), height, np.nan)
    source = np.where(np.isfinite(height), "height",
                      np.where(np.isfinite(levels), "building:levels", ""))
    height_m = np.where(np.isfinite(height), height, levels * METRES_PER_LEVEL)
    return np.minimum(height_m, 1000.0), levels, source


def _buildings(frame: gpd.GeoDataFrame, found: dict[str, int]) -> gpd.GeoDataFrame:
    height_m, _levels, source = _height(frame)
    found["buildings"] = len(frame)
    found["buildings with height"] = int((source == "height").sum())
    found["buildings with levels only"] = int((source == "building:levels").sum())
    return gpd.GeoDataFrame({
        "building_id": frame["osm_id"].to_numpy(),
        "height_m": height_m,
        "height_source": source,
        "osm_building": frame["building"].to_numpy(),
        "name": _text_or_empty(frame["name"]).to_numpy(),
    }, geometry=frame.geometry.to_numpy(), crs=frame.crs)


def _households(
    frame: gpd.GeoDataFrame,
    land: gpd.GeoDataFrame,
    per_household_m2: float,
    default_levels: int,
    found: dict[str, int],
    estimated: dict[str, int],
) -> gpd.GeoDataFrame:
    kind = frame["building"].astype(str).str.lower()
    tagged = kind.isin(tags.RESIDENTIAL).to_numpy()
    # A building of no stated use inside residential land is taken for a home.
    spot = shapely.point_on_surface(frame.geometry.to_numpy())
    in_land = np.zeros(len(frame), dtype=bool)
    if len(land):
        tree = shapely.STRtree(land.geometry.to_numpy())
        hits = tree.query(spot, predicate="within")
        in_land[np.unique(hits[0])] = True
    plain = (kind == "yes").to_numpy() & ~frame["amenity"].notna().to_numpy()
    homes = tagged | (plain & in_land)
    rows = frame[homes]
    height_m, levels, _source = _height(rows)
    low = kind[homes].isin(tags.LOW_HOMES).to_numpy()
    from_height = ~np.isfinite(levels) & np.isfinite(height_m)
    storeys = np.where(np.isfinite(levels), levels,
                       np.where(from_height, np.maximum(np.round(height_m / METRES_PER_LEVEL),
                                                        1),
                                np.where(low, _LOW_HOME_LEVELS, default_levels)))
    level_source = np.where(np.isfinite(levels), "building:levels",
                            np.where(from_height, "height", "default"))
    footprint = shapely.area(rows.geometry.to_numpy())
    floor = footprint * storeys
    count = np.clip(np.round(floor / per_household_m2), 1, 100_000).astype(np.int64)
    basis = np.where(tagged[homes], "building=" + kind[homes].to_numpy(dtype=str),
                     "landuse=residential")
    found["residential buildings"] = int(homes.sum())
    estimated["households"] = int(count.sum())
    estimated["household points"] = len(rows)
    estimated["residential buildings without levels"] = int((level_source == "default").sum())
    return gpd.GeoDataFrame({
        "household_id": rows["osm_id"].to_numpy(),
        "households": count,
        "estimated": np.ones(len(rows), dtype=bool),
        "footprint_m2": np.round(footprint, 1),
        "levels": storeys,
        "levels_source": level_source,
        "floor_area_m2": np.round(floor, 1),
        "floor_area_per_household_m2": np.full(len(rows), float(per_household_m2)),
        "residential_basis": basis,
        "address": (_text_or_empty(rows["addr:street"]) + " "
                    + _text_or_empty(rows["addr:housenumber"])).str.strip().to_numpy(),
    }, geometry=spot[homes], crs=frame.crs)


def _camera_category(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Sharp Eyes category guessed from what a camera watches (OSM has no category)."""
    where = frame["surveillance"].astype(object).where(frame["surveillance"].notna(), "")
    zone = frame["surveillance:zone"].astype(object).where(frame["surveillance:zone"].notna(),
                                                          "")
    public = where.isin(["public"]).to_numpy() | zone.isin(
        ["traffic", "town", "street", "public_transport_platform"]).to_numpy()
    shop = where.isin(["indoor"]).to_numpy() | zone.isin(["shop", "bank"]).to_numpy()
    return np.where(public, 1, np.where(shop, 3, 2))


def _cameras(frame: gpd.GeoDataFrame, found: dict[str, int],
             estimated: dict[str, int]) -> gpd.GeoDataFrame:
    direction = frame["camera:direction"].where(frame["camera:direction"].notna(),
                                                frame["direction"])
    azimuth, span = tags.camera_direction(direction)
    dome = frame["camera:type"].astype(str).str.lower().eq("dome").to_numpy()
    fov = np.where(np.isfinite(span) & (span > 0), span, np.nan)
    azimuth = np.where(dome, np.nan, azimuth)
    fov = np.where(dome, 360.0, fov)
    found["cameras"] = len(frame)
    found["cameras with a direction"] = int(np.isfinite(azimuth).sum())
    found["cameras all-round (dome, full range or no direction)"] = int(
        (~np.isfinite(azimuth)).sum())
    estimated["camera categories"] = len(frame)
    return gpd.GeoDataFrame({
        "camera_id": frame["osm_id"].to_numpy(),
        "category": _camera_category(frame),
        "category_estimated": np.ones(len(frame), dtype=bool),
        "azimuth_deg": azimuth,
        "fov_deg": fov,
        "status": np.full(len(frame), "online"),
        "osm_direction": direction.to_numpy(),
        "osm_camera_type": frame["camera:type"].to_numpy(),
        # camera:angle is the tilt from horizontal, not the field of view: kept as it is.
        "osm_camera_angle": frame["camera:angle"].to_numpy(),
        "osm_surveillance": frame["surveillance"].to_numpy(),
        "osm_zone": frame["surveillance:zone"].to_numpy(),
        "operator": _text_or_empty(frame["operator"]).to_numpy(),
    }, geometry=frame.geometry.to_numpy(), crs=frame.crs)


def _facilities(frame: gpd.GeoDataFrame, found: dict[str, int]) -> gpd.GeoDataFrame:
    amenity = frame["amenity"].astype(object).where(frame["amenity"].notna(), "")
    office = frame["office"].astype(object).where(frame["office"].notna(), "")
    kind = np.select([amenity.eq("police").to_numpy(), amenity.eq("community_centre").to_numpy()],
                     ["police_station", "party_centre"], "other")
    osm_kind = np.where(amenity != "", "amenity=" + amenity.astype(str),
                        "office=" + office.astype(str))
    found["police stations"] = int((kind == "police_station").sum())
    found["community centres"] = int((kind == "party_centre").sum())
    found["government offices"] = int((kind == "other").sum())
    return gpd.GeoDataFrame({
        "facility_id": frame["osm_id"].to_numpy(),
        "kind": kind,
        "name": _text_or_empty(frame["name"]).to_numpy(),
        "osm_kind": osm_kind,
        "address": (_text_or_empty(frame["addr:street"]) + " "
                    + _text_or_empty(frame["addr:housenumber"])).str.strip().to_numpy(),
    }, geometry=shapely.point_on_surface(frame.geometry.to_numpy()), crs=frame.crs)


def _service_areas(frame: gpd.GeoDataFrame, found: dict[str, int]) -> gpd.GeoDataFrame:
    level = frame["admin_level"].map(_ADMIN_LEVEL).to_numpy(dtype=object)
    ref = frame["ref"].astype(object)
    ids = np.where(ref.notna() & ~ref.duplicated(keep=False), ref.astype(str),
                   frame["osm_id"].astype(str)).astype(object)
    geom = frame.geometry.to_numpy()
    rank = np.array([ADMIN_LEVELS.index(v) for v in level], dtype=np.int64) if len(level) \
        else np.zeros(0, dtype=np.int64)
    parent = np.full(len(frame), "", dtype=object)
    if len(frame):
        # The parent is the smallest area of a higher level holding the area's inside point.
        spot = shapely.point_on_surface(geom)
        tree = shapely.STRtree(geom)
        child, container = tree.query(spot, predicate="within")
        above = rank[container] < rank[child]
        child, container = child[above], container[above]
        order = np.lexsort((shapely.area(geom[container]), child))
        child, container = child[order], container[order]
        first = np.unique(child, return_index=True)[1]
        parent[child[first]] = ids[container[first]]
    found["streets and towns (admin_level 8-9)"] = int((level == "street").sum())
    found["communities and villages (admin_level 10)"] = int((level == "community").sum())
    return gpd.GeoDataFrame({
        "area_id": ids,
        "name": _text_or_empty(frame["name"]).to_numpy(),
        "level": level,
        "parent_id": parent,
        "osm_admin_level": frame["admin_level"].to_numpy(),
    }, geometry=geom, crs=frame.crs)


def _grids(areas: gpd.GeoDataFrame, outline: Any, crs: CRS,
           estimated: dict[str, int]) -> gpd.GeoDataFrame:
    """One grid per community (or street, or one for the area) to start planning from."""
    for level, what in (("community", "grids (one per community)"),
                        ("street", "grids (one per street)")):
        rows = areas[areas["level"] == level] if len(areas) else areas
        if len(rows):
            estimated[what] = len(rows)
            return gpd.GeoDataFrame({
                "grid_id": (rows["area_id"].astype(str) + "-001").to_numpy(),
                "name": rows["name"].to_numpy(),
                "community_id": rows["area_id"].to_numpy() if level == "community"
                else np.full(len(rows), ""),
                "kind": np.full(len(rows), "urban"),
            }, geometry=rows.geometry.to_numpy(), crs=crs)
    estimated["grids (one for the area)"] = 1
    return gpd.GeoDataFrame({"grid_id": ["osm-001"], "name": [""], "kind": ["urban"]},
                            geometry=[outline], crs=crs)
