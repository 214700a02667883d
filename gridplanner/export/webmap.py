r"""The interactive HTML map (Leaflet) that works with no network at all.

The page is put together from fixed parts and data, never through a template
engine:

- Leaflet's JavaScript and CSS, vendored in ``gridplanner/export/assets/leaflet``
  (BSD 2-Clause), are written into the page as they are; the images the CSS names
  become data URIs, so the file opens on an offline government network;
- the map's data (features, popup rows, tooltips, legend, title) is one JSON
  document in a ``<script type="application/json">`` block, with ``<``, ``>``,
  ``&`` and the line separators U+2028/U+2029 written as ``\uXXXX`` escapes so no
  text can end the block;
- a fixed script (``assets/webmap.js``) reads that JSON with ``JSON.parse`` and
  builds the layers, popups and legend with text nodes, so attribute text is shown
  as it is and never interpreted as HTML, script or template.

A basemap is optional: an XYZ tile URL such as an intranet Tianditu server; for
tiles in GCJ-02 (Amap, Tencent style) the data are shifted to match them. The
personal columns of staff (name, phone, ID number) stay out unless asked for.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridplanner import palette
from gridplanner.export.files import ExportError, atomic_file, check_target
from gridplanner.feedback import Feedback, report
from gridplanner.i18n import _, bilingual, pgettext
from gridplanner.project import Project
from gridplanner.scenarios.labels import WORDS_ZH
from gridplanner.text import range_labels
from layers.webmap import wgs84_to_gcj02


def _zh(english: str, context: str = "map") -> str:
    """Chinese of a map text from the catalogue (maps show Chinese and English)."""
    return pgettext(context, english, lang="zh_CN")


_bi = bilingual


def _row(column: str, english: str) -> tuple[str, str, str]:
    """Return a popup row: the column, its Chinese label and its English label."""
    return column, _zh(english), english


#: The vendored Leaflet and the page's own script and style.
ASSETS = Path(__file__).with_name("assets")
#: Coordinates written with 6 decimals of a degree (~0.1 m) keep the file small.
_DECIMALS = 6
#: Drawn outlines are simplified to this tolerance (m) before writing.
_SIMPLIFY_M = 0.5


class MapError(ExportError):
    """The map cannot be made (unknown colouring, missing offline assets ...)."""


@dataclass(frozen=True)
class ColorScheme:
    """How grids are coloured: by a column, with class breaks or categories."""

    column: str
    title_zh: str
    title_en: str
    breaks: tuple[float, ...] = ()
    colors: tuple[str, ...] = ()
    categories: tuple[tuple[str, str, str], ...] = ()  # (value, label, colour)
    unit: str = ""

    def edges(self) -> tuple[float, ...]:
        """Class limits: the lower limit of each class, the last class open above."""
        return (*self.breaks, float("inf"))


COLOR_BY: dict[str, ColorScheme] = {
    "band_status": ColorScheme(
        "band_status", _zh("Household band"), "Household band", categories=(
            ("below", _bi("below band"), palette.BAND_STATUS["below"]),
            ("in band", _bi("in band"), palette.BAND_STATUS["in band"]),
            ("above", _bi("above band"), palette.BAND_STATUS["above"]),
            ("", _bi("no data"), palette.NO_DATA))),
    "households": ColorScheme("households", _zh("Households"), "Households",
                              (0, 200, 300, 500, 700), palette.HOUSEHOLD_CLASSES),
    "coverage": ColorScheme("households_pct_all", _zh("Households covered"), "Households covered",
                            (0, 20, 40, 60, 80), palette.COVERAGE_CLASSES, unit="%"),
    "coverage_cat1": ColorScheme("households_pct_cat1", _zh("Households covered, category 1"),
                                 "Households covered, category 1", (0, 20, 40, 60, 80),
                                 palette.COVERAGE_CLASSES, unit="%"),
    "coverage_cat23": ColorScheme("households_pct_cat23", _zh("Households covered, categories 2-3"),
                                  "Households covered, categories 2-3", (0, 20, 40, 60, 80),
                                  palette.COVERAGE_CLASSES, unit="%"),
    "intersections": ColorScheme("intersections_pct_all", _zh("Intersections covered"),
                                 "Intersections covered", (0, 20, 40, 60, 80),
                                 palette.COVERAGE_CLASSES, unit="%"),
    "walk": ColorScheme("walk_mean_m", _zh("Mean walking distance"), "Mean walking distance",
                        (0, 250, 500, 750, 1000), palette.WALK_CLASSES, unit="m"),
    "workers": ColorScheme("full_time_workers", _zh("Full-time workers"), "Full-time workers",
                           categories=tuple((k, k, c) for k, c in palette.WORKERS.items())),
}

def check_color_by(color_by: str, *, lang: str | None = None) -> None:
    """Refuse a ``color_by`` that is not a key of :data:`COLOR_BY`.

    Raises
    ------
    MapError
        Naming the colourings there are (in ``lang``, default the current language).

    Examples
    --------
    >>> check_color_by("walk")
    """
    if color_by not in COLOR_BY:
        raise MapError(_("cannot colour grids by '{color_by}'; choose one of {choices}",
                         lang=lang, color_by=color_by, choices=", ".join(COLOR_BY)))

#: Popup rows of a grid: column, Chinese label, English label.
GRID_POPUP: tuple[tuple[str, str, str], ...] = (
    _row("grid_id", "Grid code"),
    _row("name", "Name"),
    _row("community_id", "Community"),
    _row("kind", "Kind"),
    _row("households", "Households"),
    _row("band", "Band"),
    _row("band_status", "Band status"),
    _row("full_time_workers", "Full-time workers"),
    _row("lacks", "Missing staff"),
    _row("households_pct_all", "Households covered, all (%)"),
    _row("households_pct_cat1", "Households covered, cat. 1 (%)"),
    _row("households_pct_cat23", "Households covered, cat. 2-3 (%)"),
    _row("intersections_pct_all", "Intersections covered, all (%)"),
    _row("intersections_pct_cat1", "Intersections covered, cat. 1 (%)"),
    _row("intersections_pct_cat23", "Intersections covered, cat. 2-3 (%)"),
    _row("walk_mean_m", "Mean walk (m)"),
    _row("walk_max_m", "Max walk (m)"),
)

STAFF_POPUP: tuple[tuple[str, str, str], ...] = (
    _row("staff_id", "Staff id"),
    ("name", _zh("Name", "person"), "Name"),
    _row("phone", "Phone"),
    _row("id_number", "ID number"),
    _row("role", "Role"),
    _row("grid_id", "Grid"),
    _row("capacity", "Capacity"),
    _row("load", "Households served"),
    _row("mean_distance_m", "Mean distance (m)"),
    _row("max_distance_m", "Max distance (m)"),
)

_PERSONAL = frozenset({"name", "phone", "id_number"})


def leaflet_assets() -> tuple[str, str]:
    """Return the vendored Leaflet's JavaScript and CSS (its images as data URIs).

    Raises
    ------
    MapError
        When the files are missing from the installation, or one could end the
        page element it is written into.
    """
    return _assets()[:2]


@cache
def _assets() -> tuple[str, str, str, str]:
    """Leaflet JS, Leaflet CSS, the page script and the page style, checked once."""
    folder = ASSETS / "leaflet"
    try:
        js = (folder / "leaflet.js").read_text(encoding="utf-8")
        css = (folder / "leaflet.css").read_text(encoding="utf-8")
        page_js = (ASSETS / "webmap.js").read_text(encoding="utf-8")
        page_css = (ASSETS / "webmap.css").read_text(encoding="utf-8")

        def inline(match: re.Match[str]) -> str:
            image = (folder / "images" / match.group(1)).read_bytes()
            return f"url(data:image/png;base64,{base64.b64encode(image).decode('ascii')})"

        css = re.sub(r"url\(images/([\w.-]+\.png)\)", inline, css)
    except OSError as exc:
        raise MapError(f"{ASSETS}: the map's Leaflet files are missing ({exc}); reinstall "
                       "GridPlanner") from exc
    for name, text, end in (("leaflet.js", js, "</script"), ("webmap.js", page_js, "</script"),
                            ("leaflet.css", css, "</style"),
                            ("webmap.css", page_css, "</style")):
        lowered = text.lower()
        if end in lowered or "<!--" in lowered:
            raise MapError(f"{ASSETS}: {name} contains '{end}' or '<!--' and cannot be "
                           "written into a page; reinstall GridPlanner")
    return js, css, page_js, page_css


def script_json(value: Any) -> str:
    r"""Return ``value`` as JSON text that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\u003c``, ``\u003e`` and ``\u0026`` (so no text
    can close the element or open a comment), the line separators U+2028/U+2029
    and lone surrogates become escapes too. ``JSON.parse`` gives back the exact text.

    Examples
    --------
    >>> script_json({"name": "</script><b>{{7*7}}</b>"})
    '{"name":"\\u003c/script\\u003e\\u003cb\\u003e{{7*7}}\\u003c/b\\u003e"}'
    >>> json.loads(script_json(["a\u2028b"])) == ["a\u2028b"]
    True
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _UNSAFE_IN_SCRIPT.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


_UNSAFE_IN_SCRIPT = re.compile("[<>&\u2028\u2029\ud800-\udfff]")


def build_map(
    project: Project,
    *,
    grid_table: pd.DataFrame | None = None,
    results: Mapping[str, gpd.GeoDataFrame] | None = None,
    staff_table: pd.DataFrame | None = None,
    color_by: str = "band_status",
    include_personal: bool = False,
    tile_url: str | None = None,
    tile_system: str = "wgs84",
    tile_attribution: str = "",
    title: str = "",
    scenario: str = "",
    date: dt.date | None = None,
    feedback: Feedback | None = None,
) -> str:
    r"""Return a self-contained HTML page with the project's map.

    Parameters
    ----------
    project
        Layers to draw (grids, service areas, cameras, staff, facilities).
    grid_table
        Per-grid figures (``grid_id`` plus columns such as ``households``,
        ``band_status``, ``households_pct_all``): popups and colours. Usually
        ``ScenarioFigures.grids``.
    results
        Result layers by name, drawn when present: ``camera_footprints`` (with
        ``category``), ``coverage_gaps``, ``uncovered_households``,
        ``staff_areas`` (with ``staff_id``), ``facility_service_areas``.
    staff_table
        Per-staff figures (``staff_id``, ``load`` ...) shown in staff popups.
    color_by
        Key of :data:`COLOR_BY`: ``band_status``, ``households``, ``coverage``,
        ``coverage_cat1``, ``coverage_cat23``, ``intersections``, ``walk``,
        ``workers``.
    include_personal
        Put staff names, phones and ID numbers into the popups.
    tile_url
        XYZ basemap URL (``.../{z}/{x}/{y}.png``); none by default (offline).
    tile_system
        Coordinates of the tiles: ``wgs84`` (also CGCS2000, Tianditu) or
        ``gcj02`` (Amap/Tencent-style tiles; the data are shifted to match).
    tile_attribution
        Credit line of the basemap.
    title
        Shown at the top of the map (default: the district's name), above a line
        with the scenario and the date.
    scenario
        Scenario shown ("" or "current": the base data).
    date
        Date shown (default: today).
    feedback
        Progress and cancellation.

    Returns
    -------
    str
        The HTML text.

    Raises
    ------
    MapError
        For an unknown ``color_by`` or ``tile_system``, or missing offline assets.

    Examples
    --------
    >>> import shapely
    >>> g = gpd.GeoDataFrame({"grid_id": ["<b>{{7*7}}</b>"]},
    ...                      geometry=[shapely.box(0, 0, 500, 500)], crs=4549)
    >>> page = build_map(Project(layers={"grids": g}))
    >>> "<b>" in page, "\\u003cb\\u003e{{7*7}}\\u003c/b\\u003e" in page
    (False, True)
    """
    check_color_by(color_by)
    system = _tile_system(tile_system)
    scheme = COLOR_BY[color_by]
    assets = _assets()
    report(feedback, 0.0, _("preparing the map"))
    show = partial(_display, gcj02=system == "gcj02")
    grids = project.layer("grids")
    grids_disp = show(grids)
    bounds = _bounds([grids_disp, show(project.layer("service_areas")),
                      show(project.layer("households"))])
    layers = _data_layers(project, dict(results or {}), show, grids_disp,
                          table=_grid_table(grids, grid_table), scheme=scheme,
                          staff_table=staff_table, include_personal=include_personal,
                          feedback=feedback)
    data = _payload(project, grids, show, layers=layers, bounds=bounds, scheme=scheme,
                    tile_url=tile_url, tile_attribution=tile_attribution, title=title,
                    scenario=scenario, date=date)
    report(feedback, 0.9, _("writing the page"))
    page = _page(data, assets)
    report(feedback, 1.0, _("map done"))
    return page


def _tile_system(tile_system: str) -> str:
    """Return ``tile_system`` as ``wgs84``, ``gcj02`` or ``cgcs2000``, or refuse it."""
    system = tile_system.lower().replace("-", "")
    if system not in ("wgs84", "gcj02", "cgcs2000"):
        raise MapError(_("tile system '{system}' is not supported; use wgs84 (also for "
                         "CGCS2000 / Tianditu tiles) or gcj02", system=tile_system))
    return system


def _payload(project: Project, grids: gpd.GeoDataFrame,
             show: Callable[[gpd.GeoDataFrame | None], gpd.GeoDataFrame], *,
             layers: list[dict[str, Any]], bounds: tuple[float, float, float, float],
             scheme: ColorScheme, tile_url: str | None, tile_attribution: str, title: str,
             scenario: str, date: dt.date | None) -> dict[str, Any]:
    """Return the page's JSON data: title lines, bounds, basemap, layers, legend, labels."""
    basemap = None
    if tile_url:
        basemap = {"url": str(tile_url), "attribution": str(tile_attribution or "basemap"),
                   "name": _bi("Basemap")}
    return {
        "title": str(title or district_name(project)),
        "subtitle": _subtitle(scenario, date),
        "bounds": [[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
        "basemap": basemap,
        "layers": layers,
        "legend": _legend(scheme),
        "legend_title": _bi("Legend", "atlas"),
        "labels": _grid_labels(grids, show(_label_points(grids))),
    }


def _data_layers(project: Project, results: Mapping[str, gpd.GeoDataFrame],
                 show: Callable[[gpd.GeoDataFrame | None], gpd.GeoDataFrame],
                 grids: gpd.GeoDataFrame, *, table: pd.DataFrame, scheme: ColorScheme,
                 staff_table: pd.DataFrame | None, include_personal: bool,
                 feedback: Feedback | None) -> list[dict[str, Any]]:
    """Return the page's layers, bottom up: grids, areas, cameras, coverage, staff, facilities.

    ``show`` turns a layer into display coordinates; ``grids`` are already shown,
    ``table`` holds their figures.
    """
    layers: list[dict[str, Any]] = []
    report(feedback, 0.1, _("drawing grids"))
    layers += _grid_layers(grids, table, scheme)
    layers += _service_area_layers(show(project.layer("service_areas")))
    report(feedback, 0.3, _("drawing cameras"))
    layers += _camera_layers(show(project.layer("cameras")), show(results.get(
        "camera_footprints")))
    layers += _plain_polygons(show(results.get("coverage_gaps")), _bi("Coverage gaps"),
                              color=palette.COVERAGE_GAP, fill_opacity=0.35, show_layer=False)
    layers += _plain_points(show(results.get("uncovered_households")),
                            _bi("Uncovered households"), color=palette.UNCOVERED, radius=3,
                            show_layer=False, label=_row("household_id", "Household"))
    report(feedback, 0.6, _("drawing staff"))
    layers += _staff_layers(show(project.layer("staff")), staff_table,
                            show(results.get("staff_areas")), include_personal=include_personal)
    layers += _facility_layers(show(project.layer("facilities")),
                               show(results.get("facility_service_areas")))
    return layers


def _page(data: Mapping[str, Any], assets: tuple[str, str, str, str]) -> str:
    """Put the page together: Leaflet, the page's style and script, and ``data`` as JSON."""
    js, css, page_js, page_css = assets
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n",
        "<title>GridPlanner</title>\n",
        _ERROR_TRAP,
        "<style>\n", css, "\n</style>\n<style>\n", page_css, "\n</style>\n",
        "<script>\n", js, "\n</script>\n</head>\n<body>\n<div id=\"gp-map\"></div>\n",
        "<script type=\"application/json\" id=\"gp-data\">", script_json(data), "</script>\n",
        "<script>\n", page_js, "\n</script>\n</body>\n</html>\n",
    ])


def export_map(
    project: Project,
    path: str | Path,
    *,
    grid_table: pd.DataFrame | None = None,
    results: Mapping[str, gpd.GeoDataFrame] | None = None,
    staff_table: pd.DataFrame | None = None,
    color_by: str = "band_status",
    include_personal: bool = False,
    tile_url: str | None = None,
    tile_system: str = "wgs84",
    tile_attribution: str = "",
    title: str = "",
    scenario: str = "",
    date: dt.date | None = None,
    protect: Iterable[str | Path] = (),
    feedback: Feedback | None = None,
) -> Path:
    """Write the HTML map of ``project`` to ``path``; the options are :func:`build_map`'s.

    The target is checked before the map is built (an export never replaces the
    open project, its autosave or any project file: ``protect`` names the first
    two) and written atomically. Use
    :func:`gridplanner.export.figures.map_figures` for ``grid_table``,
    ``results`` and ``staff_table``.

    Returns
    -------
    Path

    Raises
    ------
    MapError
        For unknown options.
    ExportError
        When the target is refused or cannot be written.
    """
    protect = tuple(protect)
    check_target(path, protect=protect)
    page = build_map(project, grid_table=grid_table, results=results, staff_table=staff_table,
                     color_by=color_by, include_personal=include_personal, tile_url=tile_url,
                     tile_system=tile_system, tile_attribution=tile_attribution, title=title,
                     scenario=scenario, date=date, feedback=feedback)
    return save_map(path, page, protect=protect)


def save_map(path: str | Path, page: str, *, protect: Iterable[str | Path] = ()) -> Path:
    """Write an HTML page atomically; raises ExportError when the file cannot be written."""
    target = Path(path)
    with atomic_file(target, protect=protect) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return target


# --------------------------------------------------------------------- helpers

# Counts the page's script errors (read by checks as the body's data-gp-errors).
_ERROR_TRAP = """<script>
window.gpErrors = [];
window.addEventListener('error', function (e) { window.gpErrors.push(String(e.message)); });
window.addEventListener('load', function () {
  document.body.setAttribute('data-gp-errors', String(window.gpErrors.length));
});
</script>
"""


def _display(frame: gpd.GeoDataFrame | None, *, gcj02: bool) -> gpd.GeoDataFrame:
    """``frame`` in WGS84 lon/lat (shifted to GCJ-02 when asked), rounded, simplified."""
    if frame is None or len(frame) == 0:
        return gpd.GeoDataFrame(frame if frame is not None else {}, geometry=[], crs=4326)
    out = frame[~(frame.geometry.isna() | frame.geometry.is_empty)].copy()
    if out.crs is not None and out.crs.is_projected:
        out["geometry"] = shapely.simplify(np.asarray(out.geometry.to_numpy(), dtype=object),
                                           _SIMPLIFY_M, preserve_topology=True)
    if out.crs is not None:
        out = out.to_crs(4326)
    geoms = np.asarray(out.geometry.to_numpy(), dtype=object)

    def shift(xy: np.ndarray) -> np.ndarray:
        if gcj02:
            lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
            xy = np.column_stack([lon, lat])
        return np.round(xy, _DECIMALS)

    out["geometry"] = shapely.transform(geoms, shift)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=4326)


def _subtitle(scenario: str, date: dt.date | None) -> str:
    """Return the line under the title: the scenario (unless the base data) and the date."""
    parts = []
    if scenario and scenario != "current":
        parts.append(f"{_zh('Scenario', 'atlas')} Scenario: {scenario}")
    parts.append(f"{_zh('Date', 'atlas')} Date: {(date or dt.date.today()).isoformat()}")
    return " · ".join(parts)


def district_name(project: Project) -> str:
    """Return the district's name: its district area, else its streets, else the file's.

    Examples
    --------
    >>> district_name(Project())
    'GridPlanner'
    """
    areas = project.layer("service_areas")
    if len(areas) and "level" in areas.columns and "name" in areas.columns:
        level = areas["level"].astype(str)
        for wanted in (("district", "county"), ("street", "town")):
            names = areas.loc[level.isin(wanted), "name"].astype(str).tolist()
            if names:
                return "、".join(names[:3]) + ("…" if len(names) > 3 else "")
    return project.path.stem if project.path else "GridPlanner"


def _label_points(grids: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a point inside each grid, where its label goes."""
    if not len(grids):
        return gpd.GeoDataFrame(geometry=[], crs=grids.crs)
    geoms = np.asarray(grids.geometry.to_numpy(), dtype=object)
    return gpd.GeoDataFrame({"grid_id": grids["grid_id"].astype(str).to_numpy()},
                            geometry=shapely.point_on_surface(geoms), crs=grids.crs)


#: Width of a grid code on screen, in pixels (15 characters of 12 px text).
_LABEL_PX = 100


def _grid_labels(grids: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> dict[str, Any]:
    """Grid codes at their points, and the zoom from which a typical grid holds its code.

    At zoom z a pixel is 156 543 m x cos(latitude) / 2^z wide; the labels appear from
    the zoom where the median grid is wider than :data:`_LABEL_PX` pixels.
    """
    if not len(points):
        return {"points": [], "min_zoom": 99}
    width_m = 0.0
    if grids.crs is not None and grids.crs.is_projected:
        b = grids.geometry.bounds
        width_m = float(np.nanmedian((b["maxx"] - b["minx"]).to_numpy()))
    lat = float(np.nanmean(points.geometry.y.to_numpy()))
    per_px = 156543.03 * math.cos(math.radians(lat))
    zoom = math.ceil(math.log2(per_px * _LABEL_PX / width_m)) if width_m > 0 else 16
    return {"points": [[float(p.y), float(p.x), str(g)] for p, g in zip(
        points.geometry, points["grid_id"], strict=True)], "min_zoom": int(min(max(zoom, 0), 20))}


def _bounds(frames: Sequence[gpd.GeoDataFrame]) -> tuple[float, float, float, float]:
    boxes = [f.total_bounds for f in frames if len(f)]
    if not boxes:
        return (119.6, 29.05, 119.7, 29.12)  # nothing to draw: an arbitrary small box
    arr = np.array(boxes)
    return (float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()),
            float(arr[:, 3].max()))


def _grid_table(grids: gpd.GeoDataFrame, table: pd.DataFrame | None) -> pd.DataFrame:
    base = pd.DataFrame(grids.drop(columns=grids.geometry.name)).copy()
    base["grid_id"] = base["grid_id"].astype(str)
    if table is not None and len(table):
        extra = table.copy()
        extra["grid_id"] = extra["grid_id"].astype(str)
        extra = extra.drop(columns=[c for c in extra.columns
                                    if c in base.columns and c != "grid_id"])
        base = base.merge(extra.drop_duplicates("grid_id"), on="grid_id", how="left")
    if "band_min" in base.columns and "band_max" in base.columns:
        base["band"] = [f"{_fmt(a)}–{_fmt(b)}" for a, b in zip(base["band_min"],
                                                                base["band_max"], strict=True)]
    return base


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(float(value))


def _fmt(value: Any) -> str:
    if _missing(value):
        return "–"
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isinf(v):
            return "∞" if v > 0 else "-∞"
        return f"{v:,.0f}" if v.is_integer() or abs(v) >= 100 else f"{v:,.1f}"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    text = str(value)
    if text in WORDS_ZH:
        return f"{WORDS_ZH[text]} {text}"
    return text


def _popup_rows(rows: Sequence[tuple[str, str, str]], record: Mapping[str, Any],
                skip: frozenset[str] = frozenset()) -> list[list[str]]:
    """``[label, value]`` pairs of a popup: plain text, shown by the page as text."""
    out = []
    for col, zh, en in rows:
        if col in skip or col not in record:
            continue
        value = record[col]
        if _missing(value) or (isinstance(value, str) and value == ""):
            continue
        out.append([f"{zh} {en}", _fmt(value)])
    return out


def _classify(values: pd.Series, scheme: ColorScheme) -> list[str]:
    if scheme.categories:
        lookup = {v: c for v, _, c in scheme.categories}
        if scheme.column == "full_time_workers":
            nums = pd.to_numeric(values, errors="coerce")
            keys = [("" if pd.isna(n) else "3+" if n >= 3 else str(int(n))) for n in nums]
        else:
            keys = ["" if pd.isna(v) else str(v) for v in values]
        return [lookup.get(k, lookup.get("", palette.NO_DATA)) for k in keys]
    nums = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    idx = np.clip(np.searchsorted(np.asarray(scheme.breaks[1:]), nums, side="right"), 0,
                  len(scheme.colors) - 1)
    return [(palette.NO_DATA if math.isnan(v) else scheme.colors[i]) for v, i in zip(nums, idx,
                                                                             strict=True)]


def _features(frame: gpd.GeoDataFrame, *, colours: Sequence[str] | None = None,
              popups: Sequence[list[list[str]]] | None = None,
              tips: Sequence[str] | None = None) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection; properties ``c`` (colour), ``p`` (popup), ``t`` (tip)."""
    geoms = shapely.to_geojson(np.asarray(frame.geometry.to_numpy(), dtype=object))
    feats = []
    for i, g in enumerate(geoms):
        props: dict[str, Any] = {}
        if colours is not None:
            props["c"] = colours[i]
        if popups is not None and popups[i]:
            props["p"] = popups[i]
        if tips is not None and tips[i]:
            props["t"] = tips[i]
        feats.append({"type": "Feature", "geometry": json.loads(g), "properties": props})
    return {"type": "FeatureCollection", "features": feats}


def _layer(name: str, features: dict[str, Any], style: dict[str, Any], *,
           show_layer: bool = True, radius: float = 4.0,
           stroke_from_colour: bool = False) -> dict[str, Any]:
    return {"name": name, "show": show_layer, "style": style, "radius": radius,
            "stroke_from_colour": stroke_from_colour, "features": features}


def _texts(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame.columns:
        return [""] * len(frame)
    return ["" if _missing(v) else str(v) for v in frame[column]]


def _grid_layers(grids: gpd.GeoDataFrame, table: pd.DataFrame,
                 scheme: ColorScheme) -> list[dict[str, Any]]:
    if not len(grids):
        return []
    rows = table.set_index("grid_id").reindex(grids["grid_id"].astype(str).to_numpy())
    rows = rows.reset_index()
    records = rows.to_dict("records")
    column = rows[scheme.column] if scheme.column in rows.columns else pd.Series(
        [np.nan] * len(rows))
    data = _features(grids, colours=_classify(column, scheme),
                     popups=[_popup_rows(GRID_POPUP, r) for r in records],
                     tips=[f"{r['grid_id']} {_fmt(r.get(scheme.column))}{scheme.unit}"
                           for r in records])
    return [_layer(_bi("Grids"), data, {"color": palette.GRID_OUTLINE, "weight": 1,
                                       "fillOpacity": 0.6})]


def _service_area_layers(areas: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    if not len(areas):
        return []
    level = areas["level"].astype(str) if "level" in areas.columns else pd.Series(
        ["community"] * len(areas))
    out = []
    for lvl, name, weight, color in (
            ("community", _bi("Communities"), 2.5, palette.COMMUNITY_OUTLINE),
            ("street", _bi("Streets"), 4.0, palette.STREET_OUTLINE)):
        part = areas[(level == lvl).to_numpy()]
        if not len(part):
            continue
        recs = part.drop(columns=part.geometry.name).to_dict("records")
        rows = (_row("area_id", "Code"), _row("name", "Name"),
                _row("committee", "Party committee"), _row("parent_id", "Parent"))
        tips = [str(r.get("name") or r.get("area_id") or "") for r in recs]
        data = _features(part, popups=[_popup_rows(rows, r) for r in recs], tips=tips)
        out.append(_layer(name, data, {"color": color, "weight": weight, "fill": False,
                                       "fillOpacity": 0.0}, show_layer=lvl == "community"))
    return out


def _camera_layers(cameras: gpd.GeoDataFrame,
                   footprints: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    out = []
    if len(footprints):
        cats = (pd.to_numeric(footprints["category"], errors="coerce")
                if "category" in footprints.columns else pd.Series([np.nan] * len(footprints)))
        for cat, label in ((1, _bi("Category 1 footprints")),
                           (2, _bi("Category 2 footprints")),
                           (3, _bi("Category 3 footprints"))):
            part = footprints[(cats == cat).to_numpy()]
            if not len(part):
                continue
            data = _features(part, tips=_texts(part, "camera_id"))
            out.append(_layer(label, data, _fill_style(palette.camera_colour(cat), 0.25),
                              show_layer=cat == 1))
    if not len(cameras):
        return out
    cats = pd.to_numeric(cameras["category"], errors="coerce") if "category" in (
        cameras.columns) else pd.Series([np.nan] * len(cameras))
    recs = cameras.drop(columns=cameras.geometry.name).to_dict("records")
    rows = (_row("camera_id", "Camera"), _row("category", "Category"),
            _row("range_m", "Range (m)"), _row("azimuth_deg", "Azimuth"),
            _row("fov_deg", "Field of view"), _row("status", "Status"))
    data = _features(cameras,
                     colours=[palette.camera_colour(c) for c in cats],
                     popups=[_popup_rows(rows, r) for r in recs],
                     tips=_texts(cameras, "camera_id"))
    out.append(_layer(_bi("Cameras"), data, {"fill": True, "weight": 1, "fillOpacity": 0.9},
                      show_layer=False, radius=2, stroke_from_colour=True))
    return out


def _fill_style(color: str, opacity: float) -> dict[str, Any]:
    return {"color": color, "weight": 0.5, "fillColor": color, "fillOpacity": opacity}


def _plain_polygons(frame: gpd.GeoDataFrame, name: str, *, color: str, fill_opacity: float,
                    show_layer: bool) -> list[dict[str, Any]]:
    if not len(frame):
        return []
    return [_layer(name, _features(frame), _fill_style(color, fill_opacity),
                   show_layer=show_layer)]


def _plain_points(frame: gpd.GeoDataFrame, name: str, *, color: str, radius: float,
                  show_layer: bool, label: tuple[str, str, str]) -> list[dict[str, Any]]:
    if not len(frame):
        return []
    col, zh, en = label
    data = _features(frame, tips=[f"{zh} {en}: {i}" for i in _texts(frame, col)])
    return [_layer(name, data, {"color": color, "fillColor": color, "fill": True,
                                "weight": 1, "fillOpacity": 0.8},
                   show_layer=show_layer, radius=radius)]


def _staff_layers(staff: gpd.GeoDataFrame, table: pd.DataFrame | None,
                  areas: gpd.GeoDataFrame, *, include_personal: bool) -> list[dict[str, Any]]:
    out = []
    if len(areas):
        data = _features(areas, tips=[f"{_zh('Area of')} Area of {i}" for i in _texts(areas,
                                                                          "staff_id")])
        line, fill = palette.STAFF_AREA
        out.append(_layer(_bi("Workers' assigned areas"), data, {
            "color": line, "weight": 1.5, "fillColor": fill, "fillOpacity": 0.15,
            "dashArray": "4 3"}, show_layer=False))
    if not len(staff):
        return out
    frame = pd.DataFrame(staff.drop(columns=staff.geometry.name))
    if not include_personal:
        frame = frame.drop(columns=[c for c in frame.columns if c in _PERSONAL])
    frame["staff_id"] = frame["staff_id"].astype(str)
    if table is not None and len(table) and "staff_id" in table.columns:
        extra = table.drop(columns=[c for c in table.columns
                                    if c in frame.columns and c != "staff_id"])
        if not include_personal:
            extra = extra.drop(columns=[c for c in extra.columns if c in _PERSONAL])
        extra = extra.assign(staff_id=extra["staff_id"].astype(str))
        frame = frame.merge(extra.drop_duplicates("staff_id"), on="staff_id", how="left")
    recs = frame.to_dict("records")
    skip = frozenset() if include_personal else _PERSONAL
    roles = _texts(frame, "role")
    data = _features(staff, colours=[palette.role_colour(r) for r in roles],
                     popups=[_popup_rows(STAFF_POPUP, r, skip) for r in recs],
                     tips=[f"{r.get('staff_id')} {WORDS_ZH.get(role, '')}".strip()
                           for r, role in zip(recs, roles, strict=True)])
    out.append(_layer(_bi("Staff"), data, {"color": "#ffffff", "fill": True, "weight": 1.5,
                                          "fillOpacity": 1.0}, radius=5))
    return out


def _facility_layers(facilities: gpd.GeoDataFrame,
                     service: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    out = _plain_polygons(service, _bi("Facility service areas"), color=palette.FACILITY_AREA,
                          fill_opacity=0.15, show_layer=False)
    if not len(facilities):
        return out
    recs = facilities.drop(columns=facilities.geometry.name).to_dict("records")
    rows = (_row("facility_id", "Facility"), _row("name", "Name"),
            _row("kind", "Kind"), _row("cutoff_m", "Cutoff (m)"))
    kinds = _texts(facilities, "kind")
    data = _features(facilities, colours=[palette.facility_colour(k) for k in kinds],
                     popups=[_popup_rows(rows, r) for r in recs],
                     tips=[str(r.get("name") or r.get("facility_id") or "") for r in recs])
    out.append(_layer(_bi("Facilities"), data, {"color": "#000000", "fill": True,
                                               "weight": 1.5, "fillOpacity": 1.0}, radius=6))
    return out


_FACILITY_WORDS = {"party_centre": _bi("party centre"),
                   "mediation_centre": _bi("mediation centre"),
                   "police_station": _bi("police station"), "other": _bi("other")}


def _legend(scheme: ColorScheme) -> list[dict[str, Any]]:
    """Legend sections: the grid colouring, camera categories, staff roles, facilities."""
    if scheme.categories:
        items = [{"colour": c, "label": label, "shape": "box"}
                 for _, label, c in scheme.categories]
    else:
        items = [{"colour": c, "label": label, "shape": "box"} for c, label in
                 zip(scheme.colors, range_labels(scheme.edges(), scheme.unit), strict=True)]
        items.append({"colour": palette.NO_DATA, "label": _bi("no data"), "shape": "box"})
    roles = [{"colour": c, "label": f"{WORDS_ZH[r]} {r.replace('_', ' ')}", "shape": "dot"}
             for r, c in palette.ROLE.items()]
    facilities = [{"colour": c, "label": _FACILITY_WORDS[k], "shape": "dot-outlined"}
                  for k, c in palette.FACILITY.items()]
    cameras = [{"colour": palette.camera_colour(cat), "label": label, "shape": "box"}
               for cat, label in ((1, _bi("category 1")), (2, _bi("category 2")),
                                  (3, _bi("category 3")))]
    coverage = [{"colour": palette.COVERAGE_GAP, "label": _bi("Coverage gaps"), "shape": "box"},
                {"colour": palette.UNCOVERED, "label": _bi("Uncovered households"),
                 "shape": "dot"}]
    return [{"title": f"{scheme.title_zh} {scheme.title_en}", "items": items},
            {"title": _bi("Cameras and views"), "items": cameras},
            {"title": _bi("Coverage gaps"), "items": coverage},
            {"title": _bi("Staff"), "items": roles},
            {"title": _bi("Facilities"), "items": facilities}]
