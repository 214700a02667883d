"""Basemaps under the data: web tiles (XYZ/WMTS), tile folders and MBTiles files (no Qt).

Presets cover OpenStreetMap, Tianditu (vector and imagery, with their labels; the
user's key), and Amap (GCJ-02 tiles: the data are placed on them through the
GCJ-02 offset). :func:`compose` returns an RGBA image of any window of the map in
the project's CRS; :func:`draw_basemap` puts it under a matplotlib map.

Examples
--------
>>> spec = parse_basemap("tianditu-imagery", key="0123")
>>> len(spec.layers), spec.tile_system
(2, 'wgs84')
"""

from __future__ import annotations

from gridplanner.basemap.compose import BasemapImage, compose, draw_basemap
from gridplanner.basemap.fetch import (
    CACHE_ENV,
    FetchReport,
    TileFetcher,
    clear_cache,
    default_cache_dir,
)
from gridplanner.basemap.sources import (
    PRESETS,
    TIANDITU_KEY_ENV,
    BasemapError,
    BasemapSpec,
    parse_basemap,
    preset_names,
)

__all__ = [
    "CACHE_ENV",
    "PRESETS",
    "TIANDITU_KEY_ENV",
    "BasemapError",
    "BasemapImage",
    "BasemapSpec",
    "FetchReport",
    "TileFetcher",
    "clear_cache",
    "compose",
    "default_cache_dir",
    "draw_basemap",
    "parse_basemap",
    "preset_names",
]
