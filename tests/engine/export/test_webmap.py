from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
import shapely

from gridplanner.export.webmap import MapError, build_map
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


def _props(page: str) -> list[dict]:
    """Every GeoJSON feature's properties embedded in the page."""
    out = []
    for m in re.finditer(r'\{"features": \[.*?\], "type": "FeatureCollection"\}', page):
        out += [f["properties"] for f in json.loads(m.group(0))["features"]]
    return out


def test_no_network_references_and_leaflet_inline():
    page = build_map(_tiny())
    assert "L.map(" in page
    assert "Leaflet 1.9.3" in page  # the library itself is in the file
    # Nothing loaded from elsewhere: no script/link/img pointing at a URL.
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(https?:)?//", page)


def test_personal_fields_left_out_unless_asked():
    page = build_map(_tiny())
    assert "13900001111" not in page
    assert "330702199001011234" not in page
    texts = " ".join(" ".join(str(v) for v in p.values()) for p in _props(page))
    assert "张三" not in texts
    assert "李四" not in texts
    assert "张三".encode("unicode_escape").decode() not in page
    with_personal = build_map(_tiny(), include_personal=True)
    assert "13900001111" in with_personal
    popups = " ".join(p.get("popup", "") for p in _props(with_personal))
    assert "张三" in popups
    assert "电话 Phone" in popups


def test_attribute_text_is_escaped_in_popups():
    page = build_map(_tiny())
    popups = [p["popup"] for p in _props(page) if "网格编码 Grid code</th><td>G1" in p.get(
        "popup", "")]
    assert len(popups) == 1
    assert "&lt;img src=x onerror=alert(1)&gt;" in popups[0]
    assert "<img" not in popups[0]
    assert "网格编码 Grid code" in popups[0]


def test_colour_by_figure_and_unknown_colouring():
    table = gpd.pd.DataFrame({"grid_id": ["G1", "G2"], "households_pct_all": [10.0, 95.0]})
    page = build_map(_tiny(), grid_table=table, color_by="coverage")
    fills = [p["fill"] for p in _props(page) if "fill" in p and "G" in p.get("tip", "")]
    assert fills[:2] == ["#d7191c", "#1a9641"]  # lowest and highest class
    assert "住户视频覆盖率 Households covered" in page
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
    assert "intranet.example" in shifted
