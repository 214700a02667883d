from __future__ import annotations

import html
import json
import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gridplanner.export.webmap import MapError, build_map, save_map, script_json
from gridplanner.project import Project
from layers.validate import validate
from layers.webmap import wgs84_to_gcj02

CRS = "EPSG:4549"


def _tiny() -> Project:
    grids = gpd.GeoDataFrame(
        {"grid_id": ["G1", "G2"], "name": ["<img src=x onerror=alert(1)>", "东门"],
         "community_id": ["C1", "C1"]},
        geometry=[shapely.box(500000, 3200000, 500300, 3200300),
                  shapely.box(500300, 3200000, 500600, 3200300)], crs=CRS)
    staff = gpd.GeoDataFrame(
        {"staff_id": ["s1", "s2"], "role": ["full_time", "police"], "grid_id": ["G1", "G2"],
         "name": ["张三", "李四"], "phone": ["13900001111", "13900002222"],
         "id_number": ["330702199001011234", "330702199001015678"]},
        geometry=[shapely.Point(500100, 3200100), shapely.Point(500400, 3200100)], crs=CRS)
    areas = gpd.GeoDataFrame({"area_id": ["C1"], "name": ["江南社区"], "level": ["community"]},
                             geometry=[shapely.box(500000, 3200000, 500600, 3200300)], crs=CRS)
    layers = {"grids": grids, "staff": staff, "service_areas": areas}
    return Project(layers={k: validate(v, k).frame for k, v in layers.items()})


def _data(page: str) -> dict:
    """The map's data: the one JSON block of the page, read as the page reads it."""
    blocks = re.findall(r'<script type="application/json" id="gp-data">(.*?)</script>', page,
                        flags=re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def _outside_data(page: str) -> str:
    """The page without its JSON data block."""
    return re.sub(r'<script type="application/json" id="gp-data">.*?</script>', "", page,
                  flags=re.S)


def _props(page: str) -> list[dict]:
    """Every feature's properties: ``c`` colour, ``p`` popup rows, ``t`` tooltip."""
    return [f["properties"] for layer in _data(page)["layers"]
            for f in layer["features"]["features"]]


def _popup_text(props: dict) -> str:
    return " ".join(f"{label}: {value}" for label, value in props.get("p", []))


def test_no_network_references_and_leaflet_inline():
    page = build_map(_tiny())
    assert "Leaflet 1.9.4" in page  # the library itself is in the file
    assert "L.map('gp-map'" in page
    # Nothing loaded from elsewhere: no script/link/img pointing at a URL, and the
    # images the Leaflet CSS names are data URIs.
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)
    assert "url(images/" not in page
    assert "url(data:image/png;base64," in page


def test_personal_fields_left_out_unless_asked():
    page = build_map(_tiny())
    assert "13900001111" not in page
    assert "330702199001011234" not in page
    assert "张三" not in page
    assert "李四" not in page
    assert "张三".encode("unicode_escape").decode() not in page
    with_personal = build_map(_tiny(), include_personal=True)
    assert "13900001111" in with_personal
    popups = " ".join(_popup_text(p) for p in _props(with_personal))
    assert "姓名 Name: 张三" in popups
    assert "电话 Phone: 13900001111" in popups


def test_attribute_text_is_data_not_markup():
    page = build_map(_tiny())
    (popup,) = [p["p"] for p in _props(page) if ["网格编码 Grid code", "G1"] in p.get("p", [])]
    assert ["名称 Name", "<img src=x onerror=alert(1)>"] in popup  # exact text, as data
    assert "<img" not in page  # and never as markup in the page


def test_colour_by_figure_and_unknown_colouring():
    table = pd.DataFrame({"grid_id": ["G1", "G2"], "households_pct_all": [10.0, 95.0]})
    page = build_map(_tiny(), grid_table=table, color_by="coverage")
    grid_layer = next(layer for layer in _data(page)["layers"] if layer["name"] == "网格 Grids")
    fills = [f["properties"]["c"] for f in grid_layer["features"]["features"]]
    assert fills == ["#d7191c", "#1a9641"]  # lowest and highest class
    assert _data(page)["legend"][0]["title"] == "住户视频覆盖率 Households covered"
    with pytest.raises(MapError, match="band_status"):
        build_map(_tiny(), color_by="nonsense")
    with pytest.raises(MapError, match="gcj02"):
        build_map(_tiny(), tile_system="bd09")


def test_gcj02_tiles_shift_the_data():
    plain = build_map(_tiny())
    shifted = build_map(_tiny(), tile_url="http://intranet.example/{z}/{x}/{y}.png",
                        tile_system="gcj02")
    lon_lat = gpd.GeoSeries([shapely.Point(500000, 3200000)], crs=CRS).to_crs(4326)
    lon, lat = float(lon_lat.x[0]), float(lon_lat.y[0])
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert f"{round(lon, 6)}" in plain
    assert f"{round(float(glon), 6)}" not in plain
    assert f"{round(float(glon), 6)}" in shifted
    assert f"{round(float(glat), 6)}" in shifted
    assert _data(shifted)["basemap"]["url"] == "http://intranet.example/{z}/{x}/{y}.png"


def test_script_json_cannot_end_its_element():
    texts = ["</script>", "</SCRIPT >", "<!--", "-->", "]]>", "&", "\u2028\u2029", "\ud800",
             "\x00\x1f", "{{7*7}}"]
    text = script_json(texts)
    assert re.search(r"[<>&\u2028\u2029]", text) is None
    assert json.loads(text) == texts


# ----------------------------------------------------------- hostile attribute text


def _hostile_project(texts: tuple[str, ...]) -> Project:
    n = len(texts)
    boxes = [shapely.box(500000 + 100 * i, 3200000, 500100 + 100 * i, 3200100) for i in range(n)]
    ids = [f"G{i}{t}" for i, t in enumerate(texts)]
    grids = gpd.GeoDataFrame({"grid_id": ids, "name": list(texts), "community_id": ["C1"] * n,
                              "kind": ["urban"] * n}, geometry=boxes, crs=CRS)
    points = [shapely.Point(500050 + 100 * i, 3200050) for i in range(n)]
    staff = gpd.GeoDataFrame({"staff_id": [f"s{i}{t}" for i, t in enumerate(texts)],
                              "role": ["full_time"] * n, "grid_id": ids, "name": list(texts),
                              "phone": list(texts)}, geometry=points, crs=CRS)
    facilities = gpd.GeoDataFrame({"facility_id": [f"f{i}" for i in range(n)],
                                   "name": list(texts), "kind": ["other"] * n},
                                  geometry=points, crs=CRS)
    cameras = gpd.GeoDataFrame({"camera_id": [f"c{i}{t}" for i, t in enumerate(texts)],
                                "category": [1] * n, "status": ["online"] * n},
                               geometry=points, crs=CRS)
    areas = gpd.GeoDataFrame({"area_id": ["C1"], "name": [texts[0]], "level": ["community"]},
                             geometry=[shapely.box(500000, 3200000, 500000 + 100 * n, 3200100)],
                             crs=CRS)
    layers = {"grids": grids, "staff": staff, "facilities": facilities, "cameras": cameras,
              "service_areas": areas}
    return Project(layers={k: validate(v, k).frame for k, v in layers.items()})


def _hostile_page(texts: tuple[str, ...], **options) -> str:
    project = _hostile_project(texts)
    ids = project.layer("grids")["grid_id"].tolist()
    table = pd.DataFrame({"grid_id": ids, "lacks": list(texts),
                          "band_status": list(texts)})
    staff_table = pd.DataFrame({"staff_id": project.layer("staff")["staff_id"].tolist(),
                                "load": range(len(texts))})
    return build_map(project, grid_table=table, staff_table=staff_table, color_by="band_status",
                     include_personal=True, title=texts[0] + " " + texts[7], **options)


def test_hostile_text_is_never_evaluated_and_kept_exact(hostile):
    texts, marker = hostile
    page = _hostile_page(texts, tile_url="http://127.0.0.1:9/{z}/{x}/{y}.png",
                         tile_attribution=texts[4])
    assert not marker.exists()
    data = _data(page)
    assert data["title"] == texts[0] + " " + texts[7]
    assert data["basemap"]["attribution"] == texts[4]
    popups = [p.get("p", []) for p in _props(page)]
    rows = [row for popup in popups for row in popup]
    tips = [p.get("t", "") for p in _props(page)]
    for text in texts:
        # Each text comes back exactly as grid name, staff name/phone, facility name ...
        assert sum(["名称 Name", text] in rows for rows in popups) >= 2, text
        assert ["姓名 Name", text] in rows, text
        assert ["缺少人员 Missing staff", text] in rows, text
        assert text in tips, text  # facility tooltips are their names
        assert any(t.startswith(f"c{texts.index(text)}{text}") for t in tips), text
    # Nothing of the data is outside the JSON block: the rest of the page is fixed text.
    rest = _outside_data(page)
    assert rest == _outside_data(build_map(Project()))
    assert "calc=49" not in page


def test_hostile_text_shows_literally_in_a_browser(hostile, tmp_path, chromium):
    texts, marker = hostile
    page = _hostile_page(texts)
    # A probe added after the page's own script opens every popup and tooltip and
    # writes what the browser shows into the page, for --dump-dom to read.
    probe = """<script>
window.addEventListener('load', function () {
  var m = window.gridplannerMap, out = {popups: [], tips: []};
  Object.keys(m.overlays).forEach(function (k) { m.overlays[k].addTo(m.map); });
  Object.keys(m.overlays).forEach(function (k) {
    m.overlays[k].eachLayer(function (geo) { geo.eachLayer(function (f) {
      if (f.getPopup()) {
        f.openPopup();
        var cells = f.getPopup().getElement().querySelectorAll('th, td');
        out.popups.push(Array.prototype.map.call(cells, function (c) { return c.textContent; }));
        f.closePopup();
      }
      if (f.getTooltip()) {
        f.openTooltip();
        out.tips.push(f.getTooltip().getElement().textContent);
        f.closeTooltip();
      }
    }); });
  });
  out.legend = Array.prototype.map.call(
    document.querySelectorAll('.gp-legend-body b, .gp-legend-body div'),
    function (row) { return row.textContent; });
  out.title = document.querySelector('.gp-title-main').textContent;
  var pre = document.createElement('pre');
  pre.id = 'gp-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""
    path = save_map(tmp_path / "hostile.html", page.replace("</body>", probe + "</body>"))
    run = chromium(["--dump-dom", path.as_uri()], tmp_path / "profile")
    dom = run.stdout
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None
    assert 'data-gp-errors="0"' in body.group(0)
    assert "data-pwned" not in body.group(0)  # no injected script or handler ran
    assert not marker.exists()
    probe_text = re.search(r'<pre id="gp-probe">(.*?)</pre>', dom, flags=re.S)
    assert probe_text is not None
    shown = json.loads(html.unescape(probe_text.group(1)))
    cells = [cell for popup in shown["popups"] for cell in popup]
    for text in texts:
        assert cells.count(text) >= 4, text  # grid name, lacks, staff name and phone ...
        assert text in shown["tips"], text
    title = re.search(r"<title>(.*?)</title>", dom, flags=re.S)
    assert title is not None
    assert html.unescape(title.group(1)) == texts[0] + " " + texts[7]
    for label in ("户数状态 Household band", "偏少 below band", "网格警长 police",
                  "派出所 police station"):
        assert label in shown["legend"]
    assert shown["title"] == texts[0] + " " + texts[7]


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def test_camera_views_and_coverage_classes_cannot_be_confused():
    from gridplanner import palette

    cams = gpd.GeoDataFrame({"camera_id": ["c1", "c2", "c3"], "category": [1, 2, 3]},
                            geometry=[shapely.box(500000, 3200000, 500050, 3200050)] * 3,
                            crs=CRS)
    table = pd.DataFrame({"grid_id": ["G1", "G2"], "households_pct_all": [5.0, 95.0]})
    data = _data(build_map(_tiny(), grid_table=table, color_by="coverage",
                           results={"camera_footprints": cams}))
    layers = {layer["name"]: layer for layer in data["layers"]}
    views = {layers[n]["style"]["fillColor"] for n in layers if "footprints" in n}
    grids = {f["properties"]["c"] for f in layers["网格 Grids"]["features"]["features"]}
    legend = {s["title"]: {i["colour"] for i in s["items"]} for s in data["legend"]}
    coverage = legend["住户视频覆盖率 Households covered"] | legend["覆盖盲区 Coverage gaps"]
    assert len(views) == 3
    assert grids <= coverage
    # Every camera colour is far (in RGB) from every coverage colour, and purple.
    for view in views:
        r, g, b = _rgb(view)
        assert b > r >= g
        for other in coverage - {palette.NO_DATA}:
            distance = sum((x - y) ** 2 for x, y in zip(_rgb(view), _rgb(other),
                                                        strict=True)) ** 0.5
            assert distance > 100, (view, other)


def test_title_names_district_scenario_and_date():
    import datetime as dt

    data = _data(build_map(_tiny(), scenario="plan B", date=dt.date(2026, 5, 4)))
    assert data["title"] == "GridPlanner"  # no district or street area: the program
    assert data["subtitle"] == "方案 Scenario: plan B · 日期 Date: 2026-05-04"
    areas = gpd.GeoDataFrame({"area_id": ["S1", "S2"], "name": ["城东街道", "城西街道"],
                              "level": ["street", "street"]},
                             geometry=[shapely.box(500000, 3200000, 500600, 3200300)] * 2,
                             crs=CRS)
    project = _tiny()
    project.layers["service_areas"] = validate(areas, "service_areas").frame
    data = _data(build_map(project, scenario="current", date=dt.date(2026, 5, 4)))
    assert data["title"] == "城东街道、城西街道"
    assert data["subtitle"] == "日期 Date: 2026-05-04"  # the base data names no scenario


def test_grid_labels_from_the_zoom_where_a_grid_holds_its_code():
    labels = _data(build_map(_tiny()))["labels"]
    assert [p[2] for p in labels["points"]] == ["G1", "G2"]
    # 300 m grids near 28.9° N: a pixel is 156 543 m x cos(lat) / 2^z, so 100 px fit in
    # 300 m from zoom 16 on (log2(156543 * 0.875 * 100 / 300) = 15.5).
    assert labels["min_zoom"] == 16
    for lat, lon, _code in labels["points"]:
        assert 28 < lat < 30
        assert 119 < lon < 121


def test_legend_folds_for_popups_and_labels_follow_the_zoom(tmp_path, chromium):
    page = build_map(_tiny())
    probe = """<script>
window.addEventListener('load', function () {
  var m = window.gridplannerMap, out = {};
  var body = document.querySelector('.gp-legend-body');
  out.openAtStart = body.offsetParent !== null;
  m.map.setZoom(m.data.labels.min_zoom - 1, {animate: false});
  out.labelsBelow = m.map.hasLayer(m.labels);
  m.map.setZoom(m.data.labels.min_zoom, {animate: false});
  out.labelsAt = m.map.hasLayer(m.labels);
  out.labelTexts = Array.prototype.map.call(document.querySelectorAll('.gp-label-text'),
    function (e) { return e.textContent; });
  var grid = null;
  m.overlays[Object.keys(m.overlays)[0]].eachLayer(function (g) {
    g.eachLayer(function (f) { if (!grid) { grid = f; } }); });
  grid.openPopup();
  out.openWithPopup = body.offsetParent !== null;
  grid.closePopup();
  out.openAfterPopup = body.offsetParent !== null;
  document.querySelector('.gp-legend-toggle').click();
  out.openAfterClick = body.offsetParent !== null;
  var pre = document.createElement('pre');
  pre.id = 'gp-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""
    path = save_map(tmp_path / "fold.html", page.replace("</body>", probe + "</body>"))
    dom = chromium(["--dump-dom", path.as_uri()], tmp_path / "profile").stdout
    assert 'data-gp-errors="0"' in re.search(r"<body[^>]*>", dom).group(0)
    found = re.search(r'<pre id="gp-probe">(.*?)</pre>', dom, flags=re.S)
    assert found is not None
    out = json.loads(html.unescape(found.group(1)))
    assert out == {"openAtStart": True, "labelsBelow": False, "labelsAt": True,
                   "labelTexts": ["G1", "G2"], "openWithPopup": False,
                   "openAfterPopup": True, "openAfterClick": False}
