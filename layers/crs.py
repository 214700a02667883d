"""Coordinate systems: parse what users type, detect, transform, choose a metric CRS.

Besides everything PROJ knows, the names ``gcj02`` and ``bd09`` stand for the
Chinese web-map systems (see :mod:`layers.webmap`), which are converted to WGS84
explicitly before any PROJ transformation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as ProjCRSError
from pyproj.exceptions import ProjError

from layers.errors import CRSError, Problem
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
#: A feature farther than this from the middle of the data is reported as an
#: outlier (a district spans tens of kilometres, a large city about 150).
OUTLIER_MIN_KM = 150.0
#: ... or farther than this many times the median distance of all features.
_OUTLIER_SPREAD = 10.0
#: Share of features that must agree before the bulk decides a CRS question.
_BULK_SHARE = 0.5


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


def finite_rows(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Tell which rows hold a geometry whose every coordinate is finite."""
    geoms = np.asarray(frame.geometry.array, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    if len(coords):
        bad = ~np.isfinite(coords).all(axis=1)
        ok[np.unique(index[bad])] = False
    return np.asarray(ok, dtype=bool)


def feature_centres(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Centre of each feature's bounding box, shape ``(n, 2)``; NaN where unusable."""
    geoms = np.asarray(frame.geometry.array, dtype=object)
    out = np.full((len(geoms), 2), np.nan)
    ok = finite_rows(frame)
    if ok.any():
        b = shapely.bounds(geoms[ok])
        out[ok] = np.column_stack([(b[:, 0] + b[:, 2]) / 2.0, (b[:, 1] + b[:, 3]) / 2.0])
    return out


def _lonlat_ok(xy: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.asarray((np.abs(xy[:, 0]) <= 180) & (np.abs(xy[:, 1]) <= 90))


def _in_degrees(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Rows whose every coordinate is finite and within longitude/latitude ranges."""
    ok = finite_rows(frame)
    if ok.any():
        b = shapely.bounds(np.asarray(frame.geometry.array, dtype=object)[ok])
        ok[ok] = _lonlat_ok(b[:, :2]) & _lonlat_ok(b[:, 2:])
    return ok


def guess_crs(frame: gpd.GeoDataFrame) -> CRS | None:
    """Guess the CRS of a layer that declares none, from its coordinate ranges.

    Lon/lat ranges give WGS84; eastings of 25-45 million give the CGCS2000
    Gauss-Kruger 3-degree zone with that prefix. The bulk of the features decides
    (a stray point does not hide the answer). Anything else is ambiguous and gives
    ``None``.
    """
    usable = finite_rows(frame)
    if not usable.any():
        return None
    if _in_degrees(frame)[usable].mean() > _BULK_SHARE:
        return WGS84
    xy = feature_centres(frame)[usable]
    zone = np.floor(xy[:, 0] / 1_000_000)
    middle = float(np.median(zone))
    same = (zone == middle) & (xy[:, 1] > 0) & (xy[:, 1] < 10_000_000)
    if 25 <= middle <= 45 and same.mean() > _BULK_SHARE:
        return CRS.from_epsg(_GK3_ZONE_FIRST[0] + int(middle) - _GK3_ZONE_FIRST[1])
    return None


def check_coordinates(frame: gpd.GeoDataFrame, *, source: str = "", layer: str = "") -> None:
    """Raise :class:`CRSError` when coordinates cannot be in the declared CRS.

    Catches the usual mistakes: projected metres declared as degrees, degrees
    declared as metres, and data far outside the area the CRS is meant for. The
    bulk of the features decides; a minority of rows whose coordinates cannot be
    degrees are listed one by one in the error's ``problems``.
    """
    if frame.empty or frame.crs is None:
        return
    xy = feature_centres(frame)
    usable = np.isfinite(xy).all(axis=1)
    if not usable.any():
        return
    where = " ".join(x for x in (source, f"layer {layer}" if layer else "") if x)
    prefix = f"{where}: " if where else ""
    crs = CRS.from_user_input(frame.crs)
    in_degrees = _in_degrees(frame)
    bulk = xy[usable]
    mid_x, mid_y = np.median(bulk[:, 0]), np.median(bulk[:, 1])
    if crs.is_geographic:
        if in_degrees[usable].mean() <= _BULK_SHARE:
            raise CRSError(
                f"{prefix}coordinates run to {np.max(bulk[:, 0]):.0f}, "
                f"{np.max(bulk[:, 1]):.0f}, which cannot be degrees, yet the file declares "
                f"{crs.name}; give the real system with --source-crs (e.g. 4549 for "
                "CGCS2000 Gauss-Kruger CM 120E)"
            )
        rows = np.flatnonzero(usable & ~in_degrees)
        if len(rows):
            problems = [
                Problem(f"coordinates {xy[r, 0]:.6g}, {xy[r, 1]:.6g} cannot be degrees",
                        layer=layer, row=int(r), column="geometry", source=source,
                        hint="correct or delete the row")
                for r in rows
            ]
            listed = ", ".join(str(r + 1) for r in rows[:10]) + (" ..." if len(rows) > 10 else "")
            raise CRSError(f"{prefix}row {listed}: coordinates cannot be degrees; correct or "
                           "delete the rows", problems)
        return
    if abs(mid_x) <= 180 and abs(mid_y) <= 90:
        raise CRSError(
            f"{prefix}coordinates look like degrees ({mid_x:.4f}, {mid_y:.4f}) but the "
            f"file declares the projected {crs.name}; use --source-crs 4326 (or gcj02/bd09)"
        )
    area = crs.area_of_use
    if area is None:
        return
    lon, lat = Transformer.from_crs(crs, WGS84, always_xy=True).transform(mid_x, mid_y)
    margin = 5.0  # degrees: Gauss-Kruger zones are used a little beyond their edges
    inside = (
        np.isfinite(lon) and np.isfinite(lat)
        and area.west - margin <= lon <= area.east + margin
        and area.south - margin <= lat <= area.north + margin
    )
    if not inside:
        where_text = (f"lon {lon:.2f}, lat {lat:.2f}" if np.isfinite(lon) and np.isfinite(lat)
                      else f"x {mid_x:.0f}, y {mid_y:.0f}")
        raise CRSError(
            f"{prefix}the data lies around {where_text}, far outside the area of "
            f"{crs.name} ({area.west:.0f}..{area.east:.0f} E); the declared coordinate "
            "system is probably wrong: give the right one with --source-crs"
        )


def lonlat_centres(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Feature centres (see :func:`feature_centres`) in WGS84 degrees; NaN where unusable."""
    xy = feature_centres(frame)
    if frame.crs is None:
        raise CRSError("the layer has no coordinate system")
    ok = np.isfinite(xy).all(axis=1)
    if ok.any() and not CRS.from_user_input(frame.crs).equals(WGS84):
        lon, lat = Transformer.from_crs(frame.crs, WGS84, always_xy=True).transform(
            xy[ok, 0], xy[ok, 1], errcheck=False)
        xy[ok] = np.column_stack([lon, lat])
    xy[~(np.isfinite(xy).all(axis=1) & _lonlat_ok(xy))] = np.nan
    return xy


def choose_crs_for(
    frames: Mapping[str, gpd.GeoDataFrame],
) -> tuple[CRS | None, list[Problem]]:
    """Pick the metric CRS of several layers from the bulk of their features.

    The CRS is the one :func:`choose_analysis_crs` gives for the median position of
    all features, so a stray point (a household at 0, 0 or on another continent)
    does not move the working CRS into a zone thousands of kilometres away. Such
    points are returned as warnings naming layer and row.

    Parameters
    ----------
    frames
        Layer name to layer, each with a CRS.

    Returns
    -------
    tuple
        The CRS (``None`` when no feature has usable coordinates) and the outliers.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> pts = gpd.GeoDataFrame(geometry=shapely.points([(119.6, 29.1), (119.61, 29.1),
    ...                                                 (0.0, 0.0)]), crs=4326)
    >>> crs, outliers = choose_crs_for({"households": pts})
    >>> crs.to_epsg(), [(p.layer, p.row) for p in outliers]
    (4549, [('households', 2)])
    """
    centres, layers, rows = [], [], []
    for name, frame in frames.items():
        if frame.empty or frame.crs is None:
            continue
        xy = lonlat_centres(frame)
        centres.append(xy)
        layers += [name] * len(xy)
        rows.append(np.arange(len(xy)))
    if not centres:
        return None, []
    xy = np.concatenate(centres)
    row = np.concatenate(rows)
    ok = np.isfinite(xy).all(axis=1)
    if not ok.any():
        return None, []
    lon, lat = float(np.median(xy[ok, 0])), float(np.median(xy[ok, 1]))
    crs = choose_analysis_crs((lon, lat, lon, lat))
    dist = np.full(len(xy), np.nan)
    dist[ok] = _distance_km(xy[ok, 0], xy[ok, 1], lon, lat)
    limit = max(OUTLIER_MIN_KM, _OUTLIER_SPREAD * float(np.median(dist[ok])))
    far = np.flatnonzero(ok & (dist > limit))
    problems = [
        Problem(f"lies {dist[i]:,.0f} km from the rest of the data (lon {xy[i, 0]:.4f}, "
                f"lat {xy[i, 1]:.4f}): probably a wrong coordinate",
                layer=layers[i], row=int(row[i]), column="geometry",
                hint="check the coordinates or delete the row", severity="warning")
        for i in far
    ]
    return crs, problems


def _distance_km(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    """Great-circle distances (km) from one point."""
    p1, p2 = np.radians(lat), np.radians(lat0)
    dp, dl = p2 - p1, np.radians(lon0 - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def to_wgs84_bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """Return the frame's bounds in WGS84 degrees."""
    if frame.crs is None:
        raise CRSError("the layer has no coordinate system")
    usable = frame.geometry[finite_rows(frame)]
    box = gpd.GeoSeries([shapely.box(*usable.total_bounds)], crs=frame.crs)
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
    try:
        return out.to_crs(target)
    except (ProjError, ValueError) as exc:
        raise CRSError(f"cannot transform from {CRS.from_user_input(out.crs).name} to "
                       f"{target.name} ({exc}); give the data's system with --source-crs") \
            from exc


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
    if not (np.isfinite(lon) and np.isfinite(lat) and abs(lon) <= 180 and abs(lat) <= 90):
        raise CRSError(f"cannot choose a working coordinate system for lon {lon}, lat {lat}: "
                       "give it with --analysis-crs (e.g. 4549)")
    if 73.0 <= lon <= 135.5 and 15.0 <= lat <= 54.0:
        return gauss_kruger_crs(lon)
    return utm_crs(lon, lat)
