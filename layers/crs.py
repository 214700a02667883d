"""Coordinate systems: parse what users type, detect, transform, choose a metric CRS.

Besides everything PROJ knows, the names ``gcj02`` and ``bd09`` stand for the
Chinese web-map systems (see :mod:`layers.webmap`), which are converted to WGS84
explicitly before any PROJ transformation.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from layers.errors import CRSError
from layers.webmap import TO_WGS84

WGS84 = CRS.from_epsg(4326)
CGCS2000 = CRS.from_epsg(4490)
#: EPSG:4534 is CGCS2000 3-degree Gauss-Kruger CM 75E; the codes step one per zone
#: to EPSG:4554 (CM 135E). These have no zone prefix on the easting.
_GK3_CM_FIRST = (4534, 75)
#: EPSG:4513 is zone 25 (CM 75E) with the zone number prefixed to the easting.
_GK3_ZONE_FIRST = (4513, 25)

_WEBMAP_NAMES = {
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "gcj": "gcj02",
    "amap": "gcj02",
    "gaode": "gcj02",
    "高德": "gcj02",
    "火星坐标": "gcj02",
    "tencent": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "bd09ll": "bd09",
    "baidu": "bd09",
    "百度": "bd09",
}
_ALIASES = {"wgs84": "EPSG:4326", "wgs-84": "EPSG:4326", "cgcs2000": "EPSG:4490"}


def parse_source_crs(text: str) -> CRS | str:
    """Turn what a user typed into a pyproj CRS or the name of a web-map system.

    Parameters
    ----------
    text
        ``"gcj02"``, ``"bd09"``, ``"4490"``, ``"EPSG:4549"``, ``"wgs84"``, a WKT or
        PROJ string.

    Returns
    -------
    CRS or str
        A CRS, or ``"gcj02"`` / ``"bd09"``.

    Examples
    --------
    >>> parse_source_crs("GCJ-02")
    'gcj02'
    >>> parse_source_crs("4490").to_epsg()
    4490
    """
    key = text.strip().lower()
    if key in _WEBMAP_NAMES:
        return _WEBMAP_NAMES[key]
    key = _ALIASES.get(key, text.strip())
    if re.fullmatch(r"\d{4,6}", key):
        key = f"EPSG:{key}"
    try:
        return CRS.from_user_input(key)
    except ProjCRSError as exc:
        raise CRSError(
            f"unknown coordinate system '{text}': use an EPSG code such as 4326, 4490 or "
            "4549, or gcj02 / bd09 for Amap/Tencent/Baidu coordinates"
        ) from exc


def guess_crs(frame: gpd.GeoDataFrame) -> CRS | None:
    """Guess the CRS of a layer that declares none, from its coordinate ranges.

    Lon/lat ranges give WGS84; eastings of 25-45 million give the CGCS2000
    Gauss-Kruger 3-degree zone with that prefix. Anything else is ambiguous and
    gives ``None``.
    """
    if frame.empty:
        return None
    minx, miny, maxx, maxy = frame.total_bounds
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return None
    if minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90:
        return WGS84
    zone = int(minx // 1_000_000)
    if 25 <= zone <= 45 and int(maxx // 1_000_000) == zone and 0 < miny < 10_000_000:
        return CRS.from_epsg(_GK3_ZONE_FIRST[0] + zone - _GK3_ZONE_FIRST[1])
    return None


def check_coordinates(frame: gpd.GeoDataFrame, *, source: str = "", layer: str = "") -> None:
    """Raise :class:`CRSError` when coordinates cannot be in the declared CRS.

    Catches the usual mistakes: projected metres declared as degrees, degrees
    declared as metres, and data far outside the area the CRS is meant for.
    """
    if frame.empty or frame.crs is None:
        return
    bounds = frame.total_bounds
    if not np.all(np.isfinite(bounds)):
        return
    where = " ".join(x for x in (source, f"layer {layer}" if layer else "") if x)
    prefix = f"{where}: " if where else ""
    crs = CRS.from_user_input(frame.crs)
    if crs.is_geographic:
        if bounds[0] < -180 or bounds[2] > 180 or bounds[1] < -90 or bounds[3] > 90:
            raise CRSError(
                f"{prefix}coordinates run to {bounds[2]:.0f}, {bounds[3]:.0f}, which cannot be "
                f"degrees, yet the file declares {crs.name}; give the real system with "
                "--source-crs (e.g. 4549 for CGCS2000 Gauss-Kruger CM 120E)"
            )
        return
    lonlat = to_wgs84_bounds(frame)
    if -180 <= bounds[0] <= 180 and -90 <= bounds[1] <= 90 and abs(bounds[2]) <= 180:
        raise CRSError(
            f"{prefix}coordinates look like degrees ({bounds[0]:.4f}, {bounds[1]:.4f}) but the "
            f"file declares the projected {crs.name}; use --source-crs 4326 (or gcj02/bd09)"
        )
    area = crs.area_of_use
    if area is None:
        return
    margin = 5.0  # degrees: Gauss-Kruger zones are used a little beyond their edges
    inside = (
        lonlat[0] >= area.west - margin
        and lonlat[2] <= area.east + margin
        and lonlat[1] >= area.south - margin
        and lonlat[3] <= area.north + margin
    )
    if not inside:
        raise CRSError(
            f"{prefix}the data lies at lon {lonlat[0]:.2f}..{lonlat[2]:.2f}, lat "
            f"{lonlat[1]:.2f}..{lonlat[3]:.2f}, far outside the area of {crs.name} "
            f"({area.west:.0f}..{area.east:.0f} E); the declared coordinate system is "
            "probably wrong: give the right one with --source-crs"
        )


def to_wgs84_bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """Return the frame's bounds in WGS84 degrees."""
    if frame.crs is None:
        raise CRSError("the layer has no coordinate system")
    box = gpd.GeoSeries([shapely.box(*frame.total_bounds)], crs=frame.crs)
    b = box.to_crs(WGS84).total_bounds
    return float(b[0]), float(b[1]), float(b[2]), float(b[3])


def webmap_to_wgs84(frame: gpd.GeoDataFrame, system: str) -> gpd.GeoDataFrame:
    """Convert a layer whose lon/lat are in ``gcj02`` or ``bd09`` to WGS84.

    Vertices are converted in one vectorised pass over all coordinates.
    """
    convert = TO_WGS84[system]
    out = frame.copy()
    geoms = np.asarray(out.geometry.array, dtype=object)
    coords = shapely.get_coordinates(geoms)
    if len(coords):
        lon, lat = convert(coords[:, 0], coords[:, 1])
        geoms = shapely.set_coordinates(geoms.copy(), np.column_stack([lon, lat]))
    return out.set_geometry(gpd.GeoSeries(geoms, index=out.index), crs=WGS84)


def reproject(
    frame: gpd.GeoDataFrame, target: CRS, *, source_crs: CRS | str | None = None
) -> gpd.GeoDataFrame:
    """Bring a layer into ``target``, honouring a web-map or overriding source CRS.

    Parameters
    ----------
    frame
        The layer as read.
    target
        CRS to return.
    source_crs
        Overrides what the file declares: a CRS, or ``"gcj02"`` / ``"bd09"``
        (a GeoJSON from Amap declares WGS84 while its coordinates are GCJ-02).
    """
    if isinstance(source_crs, str):
        out = webmap_to_wgs84(frame.set_crs(WGS84, allow_override=True), source_crs)
    elif source_crs is not None:
        out = frame.set_crs(source_crs, allow_override=True)
    else:
        out = frame
    if out.crs is None:
        guessed = guess_crs(out)
        if guessed is None:
            raise CRSError(
                "the layer declares no coordinate system and its coordinates do not reveal "
                "one; give it with --source-crs (e.g. 4326, 4490, 4549, gcj02, bd09)"
            )
        out = out.set_crs(guessed)
    return out.to_crs(target)


def gauss_kruger_crs(lon: float) -> CRS:
    """CGCS2000 3-degree Gauss-Kruger CRS (no zone prefix) nearest to ``lon``."""
    cm = round(lon / 3.0) * 3
    cm = min(max(cm, 75), 135)
    return CRS.from_epsg(_GK3_CM_FIRST[0] + (cm - _GK3_CM_FIRST[1]) // 3)


def utm_crs(lon: float, lat: float) -> CRS:
    """WGS84 UTM zone CRS for a point."""
    zone = int((lon + 180) // 6) % 60 + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def choose_analysis_crs(bounds_lonlat: tuple[float, float, float, float]) -> CRS:
    """Pick a metric CRS for data with these WGS84 bounds.

    Inside China's mainland extent: the CGCS2000 Gauss-Kruger 3-degree zone of the
    data's centre (the national surveying standard, and what local data often
    already uses); elsewhere the UTM zone.

    Examples
    --------
    >>> choose_analysis_crs((119.5, 29.0, 119.8, 29.2)).to_epsg()
    4549
    """
    lon = (bounds_lonlat[0] + bounds_lonlat[2]) / 2.0
    lat = (bounds_lonlat[1] + bounds_lonlat[3]) / 2.0
    if 73.0 <= lon <= 135.5 and 15.0 <= lat <= 54.0:
        return gauss_kruger_crs(lon)
    return utm_crs(lon, lat)
