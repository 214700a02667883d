"""Chinese web-map coordinate systems GCJ-02 (Amap, Tencent) and BD-09 (Baidu).

PROJ does not know these: they are WGS84 longitude/latitude moved by a published
non-linear offset (GCJ-02), and that moved again (BD-09). The forward functions
follow the published formulas exactly; the inverses iterate the forward function
until the round trip closes to about a millimetre, far below the 0.01 m asked of
them and far better than the usual one-step approximation (errors of 1-2 m).
Outside China no offset is applied, as the published formulas do.

All functions take and return numpy arrays (or scalars) of degrees.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by the published formula
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0
_TOL_DEG = 1e-10  # ~0.01 mm: iteration stop
_MAX_ITER = 30

Array = NDArray[np.float64]


def _transform_lat(x: Array, y: Array) -> Array:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: Array, y: Array) -> Array:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Return True where the published formulas leave coordinates unchanged."""
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    return (lon_a < 72.004) | (lon_a > 137.8347) | (lat_a < 0.8293) | (lat_a > 55.8271)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """Shift WGS84 lon/lat to GCJ-02.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(116.404, 39.915)
    >>> round(float(lon), 8), round(float(lat), 8)
    (116.4102445, 39.91640428)
    """
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    dlat = _transform_lat(lon_a - 105.0, lat_a - 35.0)
    dlon = _transform_lon(lon_a - 105.0, lat_a - 35.0)
    radlat = lat_a / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    outside = out_of_china(lon_a, lat_a)
    return np.where(outside, lon_a, lon_a + dlon), np.where(outside, lat_a, lat_a + dlat)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """Shift GCJ-02 lon/lat to BD-09."""
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd09_to_gcj02_approx(lon: Array, lat: Array) -> tuple[Array, Array]:
    x = lon - 0.0065
    y = lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """Shift WGS84 lon/lat to BD-09 (through GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _invert(
    forward: object, lon: ArrayLike, lat: ArrayLike, first: tuple[Array, Array]
) -> tuple[Array, Array]:
    """Solve forward(x) = target by fixed-point iteration from a first guess."""
    target_lon = np.asarray(lon, dtype=float)
    target_lat = np.asarray(lat, dtype=float)
    x_lon, x_lat = first
    for _ in range(_MAX_ITER):
        f_lon, f_lat = forward(x_lon, x_lat)  # type: ignore[operator]
        err_lon = f_lon - target_lon
        err_lat = f_lat - target_lat
        x_lon = x_lon - err_lon
        x_lat = x_lat - err_lat
        if np.nanmax(np.abs(np.concatenate([np.ravel(err_lon), np.ravel(err_lat)])),
                     initial=0.0) < _TOL_DEG:
            break
    return x_lon, x_lat


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """Shift GCJ-02 lon/lat back to WGS84 by iterating the forward formula.

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(*wgs84_to_gcj02(119.65, 29.08))
    >>> round(float(lon), 9), round(float(lat), 9)
    (119.65, 29.08)
    """
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    return _invert(wgs84_to_gcj02, lon_a, lat_a, (lon_a.copy(), lat_a.copy()))


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """Shift BD-09 lon/lat back to GCJ-02 by iterating the forward formula."""
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    return _invert(gcj02_to_bd09, lon_a, lat_a, _bd09_to_gcj02_approx(lon_a, lat_a))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """Shift BD-09 lon/lat back to WGS84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


#: Converters from a web-map system to WGS84 and back, by lower-case name.
TO_WGS84 = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}
FROM_WGS84 = {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}
