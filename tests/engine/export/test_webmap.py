from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gridplanner.export.webmap import MapError, build_map, save_map
from gridplanner.project import Project
from layers.validate import validate
from layers.webmap import wgs84_to_gcj02

CRS = "EPSG:4549"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


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


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", f"--user-data-dir={profile}",
            # No network: every host fails to resolve and every request goes to a dead proxy.
            "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=2000"]
    return subprocess.run([*base, *args], capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install "
                    "chromium) so the offline map cannot be rendered")
def test_sample_map_renders_offline_in_chromium(sample_project, tmp_path):
    from gridplanner.scenarios import key_figures

    figures = key_figures(sample_project, coverage=False, allocation=False)
    page = build_map(sample_project, grid_table=figures.grids, title="样例 Sample")
    html_path = save_map(tmp_path / "map.html", page)
    shot = tmp_path / "map.png"
    run = _chromium(["--window-size=1200,900", f"--screenshot={shot}", html_path.as_uri()],
                    tmp_path / "profile")
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console
    assert "ERR_" not in run.stderr  # no resource tried to load from the network
    dom = _chromium(["--dump-dom", html_path.as_uri()], tmp_path / "profile2").stdout
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None
    assert 'data-gp-errors="0"' in body.group(0)
    layers = int(re.search(r'data-gp-layers="(\d+)"', body.group(0)).group(1))
    # 50 grids + 306 staff + communities + facilities, far more than an empty map.
    assert layers > 300
    assert "网格 Grids" in dom
    assert "leaflet-control-layers" in dom
    from matplotlib.image import imread

    img = imread(shot)
    assert img.shape[:2] == (900, 1200)
    colours = np.unique((img[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 20  # grids in several colours, outlines, legend text
    # The band colours of the grids appear on screen.
    green = np.all(np.abs(img[..., :3] * 255 - [158, 210, 160]) < 25, axis=-1).mean()
    assert green > 0.05
    shutil.copy(shot, Path("/tmp") / "gridplanner_map_test.png")
