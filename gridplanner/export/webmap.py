"""The interactive HTML map (folium / Leaflet) that works with no network at all.

Leaflet's JavaScript and CSS are written into the page itself, taken from the
installed ``folium-offline`` package (which ships them, images as data URIs), so
the file opens on an offline government network. folium's other default assets
(jQuery, Bootstrap, Font Awesome) are not needed by this map and left out. A
basemap is optional: an XYZ tile URL such as an intranet Tianditu server; for
tiles in GCJ-02 (Amap, Tencent style) the data are shifted to match them.

Every text that comes from the data is HTML-escaped before it reaches the page,
and the personal columns of staff (name, phone, ID number) stay out unless asked
for.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridplanner.errors import GridPlannerError
from gridplanner.feedback import Feedback, report
from gridplanner.project import Project
from gridplanner.scenarios.labels import WORDS_ZH
from layers.webmap import wgs84_to_gcj02

#: JS and CSS URLs folium references, whose content folium-offline ships.
_LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
_LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
#: Coordinates written with 6 decimals of a degree (~0.1 m) keep the file small.
_DECIMALS = 6
#: Drawn outlines are simplified to this tolerance (m) before writing.
_SIMPLIFY_M = 0.5


class MapError(GridPlannerError):
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


_RED_GREEN = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")
_GREEN_RED = ("#1a9641", "#a6d96a", "#ffffbf", "#fdae61", "#d7191c")
_BLUES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")

COLOR_BY: dict[str, ColorScheme] = {
    "band_status": ColorScheme(
        "band_status", "户数状态", "Household band", categories=(
            ("below", "偏少 below band", "#6baed6"), ("in band", "适中 in band", "#74c476"),
            ("above", "偏多 above band", "#fd8d3c"), ("", "无数据 no data", "#bdbdbd"))),
    "households": ColorScheme("households", "住户数", "Households",
                              (0, 200, 300, 500, 700), _BLUES),
    "coverage": ColorScheme("households_pct_all", "住户视频覆盖率", "Households covered",
                            (0, 20, 40, 60, 80), _RED_GREEN, unit="%"),
    "coverage_cat1": ColorScheme("households_pct_cat1", "住户覆盖率(一类)",
                                 "Households covered, category 1", (0, 20, 40, 60, 80),
                                 _RED_GREEN, unit="%"),
    "coverage_cat23": ColorScheme("households_pct_cat23", "住户覆盖率(二三类)",
                                  "Households covered, categories 2-3", (0, 20, 40, 60, 80),
                                  _RED_GREEN, unit="%"),
    "intersections": ColorScheme("intersections_pct_all", "路口视频覆盖率",
                                 "Intersections covered", (0, 20, 40, 60, 80), _RED_GREEN,
                                 unit="%"),
    "walk": ColorScheme("walk_mean_m", "平均步行距离", "Mean walking distance",
                        (0, 250, 500, 750, 1000), _GREEN_RED, unit="m"),
    "workers": ColorScheme("full_time_workers", "专职网格员人数", "Full-time workers",
                           categories=(("0", "0", "#d7191c"), ("1", "1", "#a6d96a"),
                                       ("2", "2", "#1a9641"), ("3+", "3+", "#006837"))),
}

#: Popup rows of a grid: column, Chinese label, English label.
GRID_POPUP: tuple[tuple[str, str, str], ...] = (
    ("grid_id", "网格编码", "Grid code"),
    ("name", "名称", "Name"),
    ("community_id", "社区", "Community"),
    ("kind", "类型", "Kind"),
    ("households", "住户数", "Households"),
    ("band", "户数范围", "Band"),
    ("band_status", "户数状态", "Band status"),
    ("full_time_workers", "专职网格员", "Full-time workers"),
    ("lacks", "缺少人员", "Missing staff"),
    ("households_pct_all", "住户覆盖率 全部(%)", "Households covered, all (%)"),
    ("households_pct_cat1", "住户覆盖率 一类(%)", "Households covered, cat. 1 (%)"),
    ("households_pct_cat23", "住户覆盖率 二三类(%)", "Households covered, cat. 2-3 (%)"),
    ("intersections_pct_all", "路口覆盖率 全部(%)", "Intersections covered, all (%)"),
    ("intersections_pct_cat1", "路口覆盖率 一类(%)", "Intersections covered, cat. 1 (%)"),
    ("intersections_pct_cat23", "路口覆盖率 二三类(%)", "Intersections covered, cat. 2-3 (%)"),
    ("walk_mean_m", "平均步行距离(米)", "Mean walk (m)"),
    ("walk_max_m", "最大步行距离(米)", "Max walk (m)"),
)

STAFF_POPUP: tuple[tuple[str, str, str], ...] = (
    ("staff_id", "人员编号", "Staff id"),
    ("name", "姓名", "Name"),
    ("phone", "电话", "Phone"),
    ("id_number", "身份证号", "ID number"),
    ("role", "角色", "Role"),
    ("grid_id", "所属网格", "Grid"),
    ("capacity", "容量(户)", "Capacity"),
    ("load", "服务户数", "Households served"),
    ("mean_distance_m", "平均距离(米)", "Mean distance (m)"),
    ("max_distance_m", "最大距离(米)", "Max distance (m)"),
)

_PERSONAL = frozenset({"name", "phone", "id_number"})
_CATEGORY_COLORS = {1: "#e31a1c", 2: "#1f78b4", 3: "#6a3d9a"}
_ROLE_COLORS = {"grid_head": "#b15928", "full_time": "#1f78b4", "police": "#e31a1c",
                "part_time": "#33a02c"}
_FACILITY_COLORS = {"party_centre": "#e31a1c", "mediation_centre": "#ff7f00",
                    "police_station": "#1f78b4", "other": "#6a3d9a"}


def leaflet_assets() -> tuple[str, str]:
    """Return Leaflet's JavaScript and CSS text from the installed folium-offline.

    Raises
    ------
    MapError
        When the package is not installed.
    """
    try:
        from offlinefolium.elements import _res
    except ImportError as exc:
        raise MapError("the offline map needs the 'folium-offline' package, which ships "
                       "Leaflet; install it with: pip install folium-offline") from exc
    return str(_res[_LEAFLET_JS]), str(_res[_LEAFLET_CSS])


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
    feedback: Feedback | None = None,
) -> str:
    """Return a self-contained HTML page with the project's map.

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
        Shown at the top of the map.
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
    >>> g = gpd.GeoDataFrame({"grid_id": ["<b>1</b>"]},
    ...                      geometry=[shapely.box(0, 0, 500, 500)], crs=4549)
    >>> page = build_map(Project(layers={"grids": g}))
    >>> "<b>1</b>" in page, "lt;b" in page
    (False, True)
    """
    import folium

    if color_by not in COLOR_BY:
        raise MapError(f"cannot colour grids by '{color_by}'; choose one of "
                       f"{', '.join(COLOR_BY)}")
    system = tile_system.lower().replace("-", "")
    if system not in ("wgs84", "gcj02", "cgcs2000"):
        raise MapError(f"tile system '{tile_system}' is not supported; use wgs84 (also "
                       "for CGCS2000 / Tianditu tiles) or gcj02")
    scheme = COLOR_BY[color_by]
    js, css = leaflet_assets()
    results = dict(results or {})
    report(feedback, 0.0, "preparing the map")

    def show(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        return _display(frame, gcj02=system == "gcj02")

    grids = project.layer("grids")
    table = _grid_table(grids, grid_table)
    grids_disp = show(grids)
    bounds = _bounds([grids_disp, show(project.layer("service_areas")),
                      show(project.layer("households"))])
    fmap = folium.Map(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
                      tiles=None, prefer_canvas=True, control_scale=True,
                      zoom_snap=0.25)
    # Keep folium's CDN links out: Leaflet goes inline, the rest is unused here.
    fmap.default_js = []
    fmap.default_css = []
    root: Any = fmap.get_root()
    root.header.add_child(folium.Element(_ERROR_TRAP), name="gp_error_trap")
    root.header.add_child(folium.Element(f"<style>{css}</style>"), name="leaflet_css")
    root.header.add_child(folium.Element(f"<script>{js}</script>"), name="leaflet_js")
    root.header.add_child(folium.Element(_PAGE_CSS), name="gridplanner_css")
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=html.escape(tile_attribution or "basemap"),
                         name="底图 Basemap", overlay=False, control=True).add_to(fmap)

    report(feedback, 0.1, "drawing grids")
    _add_grids(fmap, grids_disp, table, scheme)
    _add_service_areas(fmap, show(project.layer("service_areas")))
    report(feedback, 0.3, "drawing cameras")
    _add_cameras(fmap, show(project.layer("cameras")), results.get("camera_footprints"), show)
    _add_polygons(fmap, results.get("coverage_gaps"), show, "覆盖盲区 Coverage gaps",
                  color="#d7191c", fill_opacity=0.35, show_layer=False)
    _add_points(fmap, results.get("uncovered_households"), show,
                "未覆盖住户 Uncovered households", color="#d7191c", radius=3, show_layer=False,
                label=("household_id", "住户编号", "Household"))
    report(feedback, 0.6, "drawing staff")
    _add_staff(fmap, show(project.layer("staff")), staff_table, results.get("staff_areas"),
               show, include_personal=include_personal)
    _add_facilities(fmap, show(project.layer("facilities")),
                    results.get("facility_service_areas"), show)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    legend = _legend_html(scheme, title)
    root.html.add_child(folium.Element(legend), name="legend")
    root.script.add_child(folium.Element(_status_script(fmap.get_name())), name="gp_status")
    report(feedback, 0.9, "writing the page")
    page = root.render()
    report(feedback, 1.0, "map done")
    return str(page)


def save_map(path: str | Path, page: str) -> Path:
    """Write the HTML page; raises MapError when the file cannot be written."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise MapError(f"{target}: cannot write the map ({exc})") from exc
    return target


# --------------------------------------------------------------------- helpers

_PAGE_CSS = """<style>
.gp-legend{position:absolute;z-index:1000;bottom:60px;left:12px;background:#fff;
 padding:8px 10px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.4);
 font:12px/1.4 'Noto Sans CJK SC','Microsoft YaHei',sans-serif;max-width:260px}
.gp-legend i{display:inline-block;width:14px;height:12px;margin-right:6px;
 vertical-align:middle;border:1px solid #777}
.gp-title{position:absolute;z-index:1000;top:10px;left:54px;background:#fff;
 padding:4px 10px;border-radius:4px;font:bold 14px 'Noto Sans CJK SC',sans-serif;
 box-shadow:0 1px 4px rgba(0,0,0,.4)}
.gp-popup table{border-collapse:collapse;font-size:12px}
.gp-popup th{text-align:left;padding:1px 8px 1px 0;font-weight:normal;color:#555}
.gp-popup td{padding:1px 0;font-weight:bold}
.leaflet-control-layers{font:12px 'Noto Sans CJK SC','Microsoft YaHei',sans-serif}
</style>"""


def _status_script(map_name: str) -> str:
    # A status the page exposes for checks: how many layers Leaflet holds and how
    # many script errors happened. Runs after every script of the page.
    return f"""
window.addEventListener('load', function() {{
  var count = 0;
  {map_name}.eachLayer(function() {{ count += 1; }});
  document.body.setAttribute('data-gp-layers', String(count));
  document.body.setAttribute('data-gp-errors', String(window.gpErrors.length));
}});
"""


_ERROR_TRAP = """<script>
window.gpErrors = [];
window.addEventListener('error', function(e) { window.gpErrors.push(String(e.message)); });
</script>"""


def _display(frame: gpd.GeoDataFrame, *, gcj02: bool) -> gpd.GeoDataFrame:
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


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    if isinstance(value, float | np.floating):
        v = float(value)
        return f"{v:,.0f}" if v.is_integer() or abs(v) >= 100 else f"{v:,.1f}"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    text = str(value)
    if text in WORDS_ZH:
        return f"{WORDS_ZH[text]} {text}"
    return text


def _popup_html(rows: Sequence[tuple[str, str, str]], record: Mapping[str, Any],
                skip: frozenset[str] = frozenset()) -> str:
    cells = []
    for col, zh, en in rows:
        if col in skip or col not in record:
            continue
        value = record[col]
        if value is None or (isinstance(value, str) and value == ""):
            continue
        cells.append(f"<tr><th>{html.escape(zh)} {html.escape(en)}</th>"
                     f"<td>{html.escape(_fmt(value))}</td></tr>")
    return f"<div class='gp-popup'><table>{''.join(cells)}</table></div>"


def _classify(values: pd.Series, scheme: ColorScheme) -> list[str]:
    if scheme.categories:
        lookup = {v: c for v, _, c in scheme.categories}
        if scheme.column == "full_time_workers":
            nums = pd.to_numeric(values, errors="coerce")
            keys = [("" if pd.isna(n) else "3+" if n >= 3 else str(int(n))) for n in nums]
        else:
            keys = ["" if pd.isna(v) else str(v) for v in values]
        return [lookup.get(k, lookup.get("", "#bdbdbd")) for k in keys]
    nums = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    idx = np.clip(np.searchsorted(np.asarray(scheme.breaks[1:]), nums, side="right"), 0,
                  len(scheme.colors) - 1)
    return [("#bdbdbd" if math.isnan(v) else scheme.colors[i]) for v, i in zip(nums, idx,
                                                                               strict=True)]


def _features(frame: gpd.GeoDataFrame, props: Mapping[str, Sequence[Any]]) -> dict[str, Any]:
    geoms = shapely.to_geojson(np.asarray(frame.geometry.to_numpy(), dtype=object))
    feats = []
    keys = list(props)
    for i, g in enumerate(geoms):
        feats.append({"type": "Feature", "id": i, "geometry": json.loads(g),
                      "properties": {k: props[k][i] for k in keys}})
    return {"type": "FeatureCollection", "features": feats}


_BIND = """function(feature, layer) {
  if (feature.properties.popup) { layer.bindPopup(feature.properties.popup, {maxWidth: 420}); }
  if (feature.properties.tip) { layer.bindTooltip(feature.properties.tip, {sticky: true}); }
}"""


def _geojson_layer(
    fmap: Any, data: dict[str, Any], name: str, style: Callable[[Any], dict[str, Any]],
    *, show_layer: bool = True, marker: Any = None,
) -> None:
    import folium
    from folium.utilities import JsCode

    group = folium.FeatureGroup(name=html.escape(name), show=show_layer)
    folium.GeoJson(data, name=html.escape(name), style_function=style, marker=marker,
                   on_each_feature=JsCode(_BIND), control=False).add_to(group)
    group.add_to(fmap)


def _add_grids(fmap: Any, grids: gpd.GeoDataFrame, table: pd.DataFrame,
               scheme: ColorScheme) -> None:
    if not len(grids):
        return
    rows = table.set_index("grid_id").reindex(grids["grid_id"].astype(str).to_numpy())
    rows = rows.reset_index()
    records = rows.to_dict("records")
    column = rows[scheme.column] if scheme.column in rows.columns else pd.Series(
        [np.nan] * len(rows))
    colors = _classify(column, scheme)
    data = _features(grids, {
        "fill": colors,
        "popup": [_popup_html(GRID_POPUP, r) for r in records],
        "tip": [html.escape(f"{r['grid_id']} {_fmt(r.get(scheme.column))}{scheme.unit}")
                for r in records],
    })
    _geojson_layer(fmap, data, "网格 Grids", lambda f: {
        "fillColor": f["properties"]["fill"], "color": "#333333", "weight": 1,
        "fillOpacity": 0.6})


def _add_service_areas(fmap: Any, areas: gpd.GeoDataFrame) -> None:
    if not len(areas):
        return
    level = areas["level"].astype(str) if "level" in areas.columns else pd.Series(
        ["community"] * len(areas))
    for lvl, name, weight, color in (("community", "社区 Communities", 2.5, "#253494"),
                                     ("street", "街道 Streets", 4.0, "#000000")):
        part = areas[(level == lvl).to_numpy()]
        if not len(part):
            continue
        recs = part.drop(columns=part.geometry.name).to_dict("records")
        rows = (("area_id", "编码", "Code"), ("name", "名称", "Name"),
                ("committee", "社区大党委", "Party committee"), ("parent_id", "上级", "Parent"))
        data = _features(part, {
            "popup": [_popup_html(rows, r) for r in recs],
            "tip": [html.escape(str(r.get("name") or r.get("area_id"))) for r in recs],
        })
        _geojson_layer(fmap, data, name, _outline_style(color, weight),
                       show_layer=lvl == "community")


def _add_cameras(fmap: Any, cameras: gpd.GeoDataFrame, footprints: gpd.GeoDataFrame | None,
                 show: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]) -> None:
    import folium

    if footprints is not None and len(footprints):
        fp = show(footprints)
        cats = (pd.to_numeric(fp["category"], errors="coerce") if "category" in fp.columns
                else pd.Series([np.nan] * len(fp)))
        for cat, label in ((1, "一类摄像头覆盖 Category 1 footprints"),
                           (2, "二类摄像头覆盖 Category 2 footprints"),
                           (3, "三类摄像头覆盖 Category 3 footprints")):
            part = fp[(cats == cat).to_numpy()]
            if not len(part):
                continue
            ids = (part["camera_id"].astype(str).tolist() if "camera_id" in part.columns
                   else [""] * len(part))
            data = _features(part, {"tip": [html.escape(i) for i in ids], "popup": [""] * len(
                part)})
            _geojson_layer(fmap, data, label, _fill_style(_CATEGORY_COLORS[cat], 0.25),
                           show_layer=cat == 1)
    if not len(cameras):
        return
    cats = pd.to_numeric(cameras["category"], errors="coerce")
    recs = cameras.drop(columns=cameras.geometry.name).to_dict("records")
    rows = (("camera_id", "编号", "Camera"), ("category", "类别", "Category"),
            ("range_m", "视距(米)", "Range (m)"), ("azimuth_deg", "方位角", "Azimuth"),
            ("fov_deg", "视场角", "Field of view"), ("status", "状态", "Status"))
    data = _features(cameras, {
        "fill": [_CATEGORY_COLORS.get(int(c), "#777777") if not pd.isna(c) else "#777777"
                 for c in cats],
        "popup": [_popup_html(rows, r) for r in recs],
        "tip": [html.escape(str(r.get("camera_id"))) for r in recs],
    })
    _geojson_layer(fmap, data, "摄像头 Cameras", lambda f: {
        "color": f["properties"]["fill"], "fillColor": f["properties"]["fill"],
        "fill": True, "weight": 1, "fillOpacity": 0.9}, show_layer=False,
        marker=folium.CircleMarker(radius=2))


def _outline_style(color: str, weight: float) -> Callable[[Any], dict[str, Any]]:
    def style(feature: Any) -> dict[str, Any]:
        return {"color": color, "weight": weight, "fill": False, "fillOpacity": 0.0}
    return style


def _fill_style(color: str, opacity: float) -> Callable[[Any], dict[str, Any]]:
    def style(feature: Any) -> dict[str, Any]:
        return {"color": color, "weight": 0.5, "fillColor": color, "fillOpacity": opacity}
    return style


def _add_polygons(fmap: Any, frame: gpd.GeoDataFrame | None,
                  show: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame], name: str, *,
                  color: str, fill_opacity: float, show_layer: bool) -> None:
    if frame is None or not len(frame):
        return
    disp = show(frame)
    data = _features(disp, {"popup": [""] * len(disp), "tip": [""] * len(disp)})
    _geojson_layer(fmap, data, name, _fill_style(color, fill_opacity), show_layer=show_layer)


def _add_points(fmap: Any, frame: gpd.GeoDataFrame | None,
                show: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame], name: str, *,
                color: str, radius: float, show_layer: bool,
                label: tuple[str, str, str]) -> None:
    import folium

    if frame is None or not len(frame):
        return
    disp = show(frame)
    col, zh, en = label
    ids = disp[col].astype(str).tolist() if col in disp.columns else [""] * len(disp)
    data = _features(disp, {"tip": [html.escape(f"{zh} {en}: {i}") for i in ids],
                            "popup": [""] * len(disp)})
    _geojson_layer(fmap, data, name, lambda f: {
        "color": color, "fillColor": color, "fill": True, "weight": 1, "fillOpacity": 0.8},
        show_layer=show_layer, marker=folium.CircleMarker(radius=radius))


def _add_staff(fmap: Any, staff: gpd.GeoDataFrame, table: pd.DataFrame | None,
               areas: gpd.GeoDataFrame | None,
               show: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame], *,
               include_personal: bool) -> None:
    import folium

    if areas is not None and len(areas):
        disp = show(areas)
        ids = disp["staff_id"].astype(str).tolist() if "staff_id" in disp.columns else [""] * len(
            disp)
        data = _features(disp, {"tip": [html.escape(f"服务范围 Area of {i}") for i in ids],
                                "popup": [""] * len(disp)})
        _geojson_layer(fmap, data, "专职服务范围 Workers' assigned areas", lambda f: {
            "color": "#1f78b4", "weight": 1.5, "fillColor": "#a6cee3", "fillOpacity": 0.15,
            "dashArray": "4 3"}, show_layer=False)
    if not len(staff):
        return
    frame = pd.DataFrame(staff.drop(columns=staff.geometry.name))
    if not include_personal:
        frame = frame.drop(columns=[c for c in frame.columns if c in _PERSONAL])
    if table is not None and len(table):
        extra = table.drop(columns=[c for c in table.columns
                                    if c in frame.columns and c != "staff_id"])
        frame = frame.merge(extra.drop_duplicates("staff_id"), on="staff_id", how="left")
    recs = frame.to_dict("records")
    skip = frozenset() if include_personal else _PERSONAL
    roles = frame["role"].astype(str).tolist() if "role" in frame.columns else [""] * len(frame)
    data = _features(staff, {
        "fill": [_ROLE_COLORS.get(r, "#777777") for r in roles],
        "popup": [_popup_html(STAFF_POPUP, r, skip) for r in recs],
        "tip": [html.escape(f"{r.get('staff_id')} {WORDS_ZH.get(str(r.get('role')), '')}")
                for r in recs],
    })
    _geojson_layer(fmap, data, "人员 Staff", lambda f: {
        "color": "#ffffff", "fillColor": f["properties"]["fill"], "fill": True, "weight": 1.5,
        "fillOpacity": 1.0}, marker=folium.CircleMarker(radius=5))


def _add_facilities(fmap: Any, facilities: gpd.GeoDataFrame,
                    service: gpd.GeoDataFrame | None,
                    show: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]) -> None:
    import folium

    if service is not None and len(service):
        _add_polygons(fmap, service, show, "设施服务区 Facility service areas",
                      color="#ff7f00", fill_opacity=0.15, show_layer=False)
    if not len(facilities):
        return
    recs = facilities.drop(columns=facilities.geometry.name).to_dict("records")
    rows = (("facility_id", "编号", "Facility"), ("name", "名称", "Name"),
            ("kind", "类型", "Kind"), ("cutoff_m", "服务半径(米)", "Cutoff (m)"))
    kinds = [str(r.get("kind")) for r in recs]
    data = _features(facilities, {
        "fill": [_FACILITY_COLORS.get(k, "#6a3d9a") for k in kinds],
        "popup": [_popup_html(rows, r) for r in recs],
        "tip": [html.escape(str(r.get("name") or r.get("facility_id"))) for r in recs],
    })
    _geojson_layer(fmap, data, "设施 Facilities", lambda f: {
        "color": "#000000", "fillColor": f["properties"]["fill"], "fill": True,
        "weight": 1.5, "fillOpacity": 1.0}, marker=folium.CircleMarker(radius=6))


def _legend_html(scheme: ColorScheme, title: str) -> str:
    items = []
    if scheme.categories:
        items = [(c, label) for _, label, c in scheme.categories]
    else:
        edges = list(scheme.breaks)
        for i, c in enumerate(scheme.colors):
            lo = edges[i]
            label = f"≥ {lo:g}{scheme.unit}" if i == len(scheme.colors) - 1 else (
                f"{lo:g} – {edges[i + 1]:g}{scheme.unit}")
            items.append((c, label))
        items.append(("#bdbdbd", "无数据 no data"))
    rows = "".join(f"<div><i style='background:{c}'></i>{html.escape(label)}</div>"
                   for c, label in items)
    roles = "".join(f"<div><i style='background:{c};border-radius:7px'></i>"
                    f"{html.escape(WORDS_ZH[r])} {html.escape(r.replace('_', ' '))}</div>"
                    for r, c in _ROLE_COLORS.items())
    facility_words = {"party_centre": "党群服务中心 party centre",
                      "mediation_centre": "矛盾调解中心 mediation centre",
                      "police_station": "派出所 police station", "other": "其他 other"}
    facilities = "".join(f"<div><i style='background:{c};border-radius:7px;border:2px solid "
                         f"#000'></i>{html.escape(facility_words[k])}</div>"
                         for k, c in _FACILITY_COLORS.items())
    head = (f"<div class='gp-title'>{html.escape(title)}</div>" if title else "")
    return (f"{head}<div class='gp-legend'><b>{html.escape(scheme.title_zh)} "
            f"{html.escape(scheme.title_en)}</b>{rows}<hr style='margin:4px 0'>"
            f"<b>人员 Staff</b>{roles}<hr style='margin:4px 0'>"
            f"<b>设施 Facilities</b>{facilities}</div>")
