"""Tile arithmetic of the web-mercator XYZ scheme (also WMTS ``w`` sets such as Tianditu's).

Zoom ``z`` cuts the square web-mercator world into ``2**z`` by ``2**z`` tiles of
``TILE_PX`` pixels, ``x`` growing east and ``y`` growing south (MBTiles stores rows
the other way up: :func:`tms_row`). *World pixels* are pixel positions on the whole
world image at one zoom; every function takes and returns numpy arrays of floats.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Tile edge in pixels.
TILE_PX = 256
#: Web-mercator latitude limit (degrees): the square world's north and south edges.
MAX_LAT = 85.0511287798066
#: Ground size of one pixel at zoom 0 on the equator (metres): 2 pi R / 256.
M_PER_PX_Z0 = 2 * np.pi * 6378137.0 / TILE_PX

Array = NDArray[np.float64]


def lonlat_to_world_px(lon: ArrayLike, lat: ArrayLike, zoom: int) -> tuple[Array, Array]:
    """World-pixel position of WGS84 (or GCJ-02) lon/lat at ``zoom``.

    Examples
    --------
    >>> x, y = lonlat_to_world_px(0.0, 0.0, 1)
    >>> float(x), float(y)
    (256.0, 256.0)
    """
    size = TILE_PX * 2.0 ** zoom
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.clip(np.asarray(lat, dtype=float), -MAX_LAT, MAX_LAT)
    x = (lon_a + 180.0) / 360.0 * size
    s = np.sin(np.radians(lat_a))
    y = (0.5 - np.log((1 + s) / (1 - s)) / (4 * np.pi)) * size
    return x, y


def world_px_to_lonlat(x: ArrayLike, y: ArrayLike, zoom: int) -> tuple[Array, Array]:
    """Inverse of :func:`lonlat_to_world_px`.

    Examples
    --------
    >>> lon, lat = world_px_to_lonlat(*lonlat_to_world_px(119.65, 29.08, 17), 17)
    >>> round(float(lon), 9), round(float(lat), 9)
    (119.65, 29.08)
    """
    size = TILE_PX * 2.0 ** zoom
    lon = np.asarray(x, dtype=float) / size * 360.0 - 180.0
    n = np.pi * (1 - 2 * np.asarray(y, dtype=float) / size)
    lat = np.degrees(np.arctan(np.sinh(n)))
    return lon, lat


def lonlat_to_tile(lon: ArrayLike, lat: ArrayLike, zoom: int) -> tuple[Array, Array]:
    """Fractional tile column and row of lon/lat (``floor`` gives the tile's x, y).

    Examples
    --------
    >>> x, y = lonlat_to_tile(119.65, 29.08, 17)
    >>> int(x), int(y)
    (109099, 54462)
    """
    x, y = lonlat_to_world_px(lon, lat, zoom)
    return x / TILE_PX, y / TILE_PX


def tile_bounds_lonlat(x: int, y: int, zoom: int) -> tuple[float, float, float, float]:
    """West, south, east and north edges (degrees) of tile ``x, y`` at ``zoom``.

    Examples
    --------
    >>> tile_bounds_lonlat(0, 0, 1)[:3]
    (-180.0, 0.0, 0.0)
    """
    west, north = world_px_to_lonlat(x * TILE_PX, y * TILE_PX, zoom)
    east, south = world_px_to_lonlat((x + 1) * TILE_PX, (y + 1) * TILE_PX, zoom)
    return float(west), float(south), float(east), float(north)


def tms_row(y: int, zoom: int) -> int:
    """Row of XYZ tile row ``y`` in the TMS scheme (MBTiles), and back (it is its own inverse).

    Examples
    --------
    >>> tms_row(0, 2), tms_row(3, 2)
    (3, 0)
    """
    return (1 << zoom) - 1 - y


def ground_m_per_px(zoom: int, lat: float) -> float:
    """Ground size of one tile pixel at ``zoom`` and latitude ``lat`` (metres).

    Examples
    --------
    >>> round(ground_m_per_px(17, 29.08), 3)
    1.044
    """
    return float(M_PER_PX_Z0 * np.cos(np.radians(lat)) / 2.0 ** zoom)


def zoom_for_resolution(m_per_px: float, lat: float, *, min_zoom: int = 0,
                        max_zoom: int = 19) -> int:
    """Pick the zoom whose pixels come closest to ``m_per_px`` in size (within the limits).

    Closest on a log scale: tiles are shown between 0.7 and 1.4 times their own size,
    so their labels stay readable, as web maps do between zoom levels.

    Examples
    --------
    >>> zoom_for_resolution(1.0, 29.0)
    17
    """
    if not (np.isfinite(m_per_px) and m_per_px > 0):
        return max_zoom
    exact = np.log2(M_PER_PX_Z0 * np.cos(np.radians(lat)) / m_per_px)
    return int(min(max(np.round(exact), min_zoom), max_zoom))


def tiles_covering(west: float, south: float, east: float, north: float,
                   zoom: int) -> tuple[range, range]:
    """Columns and rows of the tiles that cover a lon/lat box at ``zoom``.

    Examples
    --------
    >>> tiles_covering(-10.0, -10.0, 10.0, 10.0, 2)
    (range(1, 3), range(1, 3))
    """
    n = 1 << zoom
    x0, y0 = lonlat_to_tile(west, north, zoom)
    x1, y1 = lonlat_to_tile(east, south, zoom)
    cols = range(max(int(np.floor(x0)), 0), min(int(np.floor(x1)), n - 1) + 1)
    rows = range(max(int(np.floor(y0)), 0), min(int(np.floor(y1)), n - 1) + 1)
    return cols, rows
