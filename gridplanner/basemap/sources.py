"""Where basemap tiles come from: presets, URL templates, tile folders and MBTiles files.

A :class:`BasemapSpec` names one basemap: one or more tile *layers* drawn in order
(Tianditu draws its labels as a second, transparent layer), where they come from,
and the coordinate system the tiles are drawn in (``wgs84``, which also serves
CGCS2000 tiles such as Tianditu's, or ``gcj02`` for Amap/Tencent-style tiles).
The Tianditu key is given by the user (a setting of the app, or the environment
variable ``GRIDPLANNER_TIANDITU_KEY``); it is filled into the URL only when a tile
is requested, so it never appears in cache file names, error messages or exports.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass, field, replace
from pathlib import Path

from gridplanner.errors import GridPlannerError
from gridplanner.i18n import _

#: Environment variable holding the user's Tianditu key.
TIANDITU_KEY_ENV = "GRIDPLANNER_TIANDITU_KEY"
#: Tile coordinate systems a basemap may use.
TILE_SYSTEMS = ("wgs84", "gcj02")


class BasemapError(GridPlannerError):
    """A basemap cannot be set up or fetched (the message says what to do)."""


@dataclass(frozen=True)
class BasemapSpec:
    """One basemap.

    Parameters
    ----------
    name
        Preset name or a short description (shown to the user, used for the cache).
    kind
        ``"xyz"`` (URL templates), ``"folder"`` (``{z}/{x}/{y}.png`` files) or
        ``"mbtiles"`` (an MBTiles sqlite file).
    layers
        URL templates (``{z} {x} {y}``, ``{s}`` for a subdomain, ``{key}`` for the key;
        WMTS ``{TileMatrix} {TileRow} {TileCol}`` also accepted) or the folder / file
        path, drawn bottom to top.
    tile_system
        ``"wgs84"`` or ``"gcj02"``.
    subdomains
        Values of ``{s}``, chosen per tile so requests spread over servers.
    min_zoom, max_zoom
        Zoom levels the source has.
    attribution
        Credit line for the map.
    needs_key
        The source needs the Tianditu key.
    key
        The key (never shown in ``repr`` nor written anywhere).
    """

    name: str
    kind: str
    layers: tuple[str, ...]
    tile_system: str = "wgs84"
    subdomains: tuple[str, ...] = ()
    min_zoom: int = 0
    max_zoom: int = 19
    attribution: str = ""
    needs_key: bool = False
    key: str = field(default="", repr=False, compare=False)

    def with_key(self, key: str | None) -> BasemapSpec:
        """Return the spec with ``key`` (None or empty: read the environment)."""
        return replace(self, key=(key or os.environ.get(TIANDITU_KEY_ENV, "")).strip())


_TDT = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
        "&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
        "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}")
_TDT_CREDIT = "© 天地图 Tianditu"
_AMAP_CREDIT = "© 高德地图 AutoNavi"

#: Built-in basemaps by name.
PRESETS: dict[str, BasemapSpec] = {
    "osm": BasemapSpec("osm", "xyz", ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",),
                       attribution="© OpenStreetMap contributors"),
    "tianditu-vector": BasemapSpec(
        "tianditu-vector", "xyz",
        (_TDT.replace("{layer}", "vec"), _TDT.replace("{layer}", "cva")),
        subdomains=tuple("01234567"), max_zoom=18, attribution=_TDT_CREDIT, needs_key=True),
    "tianditu-imagery": BasemapSpec(
        "tianditu-imagery", "xyz",
        (_TDT.replace("{layer}", "img"), _TDT.replace("{layer}", "cia")),
        subdomains=tuple("01234567"), max_zoom=18, attribution=_TDT_CREDIT, needs_key=True),
    "amap": BasemapSpec(
        "amap", "xyz",
        ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
         "&x={x}&y={y}&z={z}",),
        tile_system="gcj02", subdomains=tuple("1234"), min_zoom=3, max_zoom=18,
        attribution=_AMAP_CREDIT),
    "amap-imagery": BasemapSpec(
        "amap-imagery", "xyz",
        ("https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}",
         "https://webst0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}"),
        tile_system="gcj02", subdomains=tuple("1234"), min_zoom=3, max_zoom=18,
        attribution=_AMAP_CREDIT),
}

#: Names users may type for the presets (Chinese included).
_ALIASES = {
    "openstreetmap": "osm", "tianditu": "tianditu-vector", "tdt": "tianditu-vector",
    "tianditu-vec": "tianditu-vector", "tianditu-img": "tianditu-imagery",
    "天地图": "tianditu-vector", "天地图影像": "tianditu-imagery", "gaode": "amap",
    "高德": "amap", "高德地图": "amap", "amap-satellite": "amap-imagery",
    "高德影像": "amap-imagery",
}
_WMTS_FIELDS = {"{TileMatrix}": "{z}", "{TileRow}": "{y}", "{TileCol}": "{x}",
                "{TILEMATRIX}": "{z}", "{TILEROW}": "{y}", "{TILECOL}": "{x}"}


def preset_names() -> list[str]:
    """Names of the built-in basemaps."""
    return list(PRESETS)


def parse_basemap(text: str, *, key: str | None = None) -> BasemapSpec:
    """Turn what a user gave (``--basemap``, the app's choice) into a :class:`BasemapSpec`.

    Parameters
    ----------
    text
        A preset name (``osm``, ``tianditu-vector``, ``tianditu-imagery``, ``amap``,
        ``amap-imagery``), an ``http(s)`` URL template with ``{z}/{x}/{y}``, a tile
        folder or an ``.mbtiles`` file. A ``gcj02:`` prefix marks a URL, folder or
        file whose tiles are drawn in GCJ-02 (e.g. ``gcj02:D:/tiles/amap.mbtiles``).
    key
        Tianditu key; by default the environment variable ``GRIDPLANNER_TIANDITU_KEY``.

    Raises
    ------
    BasemapError
        When the text is none of these, a folder or file is missing, or Tianditu has
        no key.

    Examples
    --------
    >>> parse_basemap("OSM").layers[0]
    'https://tile.openstreetmap.org/{z}/{x}/{y}.png'
    >>> spec = parse_basemap("gcj02:https://intranet/t/{z}/{x}/{y}.png")
    >>> spec.kind, spec.tile_system
    ('xyz', 'gcj02')
    """
    raw = text.strip()
    system = "wgs84"
    lowered = raw.lower()
    for prefix in TILE_SYSTEMS:
        if lowered.startswith(prefix + ":"):
            system, raw = prefix, raw[len(prefix) + 1:].strip()
            lowered = raw.lower()
    name = _ALIASES.get(lowered, lowered)
    if name in PRESETS and system == "wgs84":
        spec = PRESETS[name].with_key(key)
        if spec.needs_key and not spec.key:
            raise BasemapError(_(
                "the {name} basemap needs your Tianditu key: apply for one (a browser-type "
                "key) at console.tianditu.gov.cn, then enter it under View → Basemap or set "
                "the environment variable {env}", name=name, env=TIANDITU_KEY_ENV))
        return spec
    if lowered.startswith(("http://", "https://")):
        template = tile_template(raw)
        return BasemapSpec(_redact(raw), "xyz", (template,), tile_system=system,
                           subdomains=tuple("abc") if "{s}" in template else (),
                           key=(key or "").strip())
    path = Path(raw).expanduser()
    if path.suffix.lower() == ".mbtiles" or path.is_file():
        if not path.exists() and not path.is_symlink():
            raise BasemapError(_("the MBTiles file {path} does not exist: check the path",
                                 path=str(path)))
        _check_tile_file(path)
        low, high = _mbtiles_zooms(path)
        return BasemapSpec(path.name, "mbtiles", (str(path),), tile_system=system,
                           min_zoom=low, max_zoom=high)
    if path.is_dir():
        zooms = [int(p.name) for p in path.iterdir() if p.is_dir() and p.name.isdigit()]
        if not zooms:
            raise BasemapError(_("the folder {path} holds no tiles: it needs sub-folders "
                                 "{{z}}/{{x}} with {{y}}.png files", path=str(path)))
        return BasemapSpec(path.name or str(path), "folder", (str(path),), tile_system=system,
                           min_zoom=min(zooms), max_zoom=max(zooms))
    raise BasemapError(_(
        "unknown basemap '{text}': give one of {presets}, a tile URL with {{z}}/{{x}}/{{y}}, "
        "a tile folder or an .mbtiles file", text=text, presets=", ".join(PRESETS)))


def _check_tile_file(path: Path) -> None:
    """Refuse a folder, pipe, device or unreadable file given as an MBTiles file."""
    from layers.errors import ReadError
    from layers.io import check_input_file  # heavy module: only when a file is named

    try:
        check_input_file(path)
    except ReadError as exc:
        raise BasemapError(str(exc)) from exc


def tile_template(url: str) -> str:
    """Return ``url`` as an XYZ tile template (WMTS fields renamed), or say what is wrong.

    Raises
    ------
    BasemapError
        When ``url`` is not an ``http(s)`` address with ``{z}``, ``{x}`` and ``{y}``
        (or ``{-y}``).

    Examples
    --------
    >>> tile_template("https://t/wmts?TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}")
    'https://t/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}'
    """
    template = url.strip()
    for wmts, xyz in _WMTS_FIELDS.items():
        template = template.replace(wmts, xyz)
    has_y = "{y}" in template or "{-y}" in template
    if (not template.lower().startswith(("http://", "https://"))
            or not ("{z}" in template and "{x}" in template and has_y)):
        raise BasemapError(_(
            "the tile URL {url} lacks {{z}}, {{x}} or {{y}}: write it like "
            "https://server/tiles/{{z}}/{{x}}/{{y}}.png", url=_redact(url)))
    return template


def _mbtiles_zooms(path: Path) -> tuple[int, int]:
    """Lowest and highest zoom level stored in an MBTiles file."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            low, high = con.execute(
                "SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise BasemapError(_(
            "{path} is not a readable MBTiles file ({reason}): it needs a table "
            "tiles(zoom_level, tile_column, tile_row, tile_data)", path=str(path),
            reason=str(exc))) from exc
    if low is None:
        raise BasemapError(_("the MBTiles file {path} holds no tiles", path=str(path)))
    return int(low), int(high)


def _redact(url: str) -> str:
    """Return the URL without query values that look like keys (``tk=``, ``key=``, ``token=``)."""
    return re.sub(r"(?i)([?&](?:tk|key|token|access_token|apikey)=)[^&#]*", r"\1…", url)
