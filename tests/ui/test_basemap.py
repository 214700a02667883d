"""The basemap under the canvas: fetched off the GUI thread, lined up, chosen from the menu."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer
from PySide6.QtGui import QColor

from layers.webmap import wgs84_to_gcj02
from tests.engine.basemap.tileserver import TileServer

POINT = (119.6512, 29.0843)
TO_MAP = Transformer.from_crs(4326, 4549, always_xy=True)


@pytest.fixture
def tile_server():
    with TileServer() as server:
        yield server


@pytest.fixture(autouse=True)
def tile_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDPLANNER_TILE_CACHE", str(tmp_path / "tiles"))
    monkeypatch.delenv("GRIDPLANNER_TIANDITU_KEY", raising=False)
    return tmp_path / "tiles"


def _canvas(qtbot):
    from ui.canvas.canvas import MapCanvas
    from ui.canvas.layer_model import LayerStack
    from ui.canvas.styles import LayerStyle

    stack = LayerStack()
    x, y = TO_MAP.transform(*POINT)
    grid = gpd.GeoDataFrame({"grid_id": ["g1"]}, geometry=[shapely.box(x, y, x + 60, y + 40)],
                            crs=4549)
    stack.set_frame("grids", grid)
    stack.set_style("grids", LayerStyle(colour="#00aa00", outline="#000000", fill_alpha=0.0,
                                        size_px=2))
    canvas = MapCanvas(stack)
    qtbot.addWidget(canvas, before_close_func=lambda c: c.shutdown())
    canvas.resize(400, 300)
    canvas.show()
    canvas.set_view(x, y, 1.0)  # 1 px per metre: zoom 17 tiles, the point in the middle
    return canvas, stack


def _grab(canvas, path) -> np.ndarray:
    image = canvas.grab().toImage()
    image.save(str(path))
    w, h = image.width(), image.height()
    return np.array([[QColor(image.pixel(i, j)).getRgb()[:3] for i in range(w)]
                     for j in range(h)], dtype=int)


def _red_centre(rgb: np.ndarray) -> tuple[float, float]:
    red = (rgb[..., 0] > 200) & (rgb[..., 1] < 80) & (rgb[..., 2] < 80)
    assert red.sum() > 10, "the basemap's marker is not on the canvas"
    j, i = np.nonzero(red)
    return float(i.mean()) + 0.5, float(j.mean()) + 0.5


@pytest.mark.parametrize("system", ["wgs84", "gcj02"])
def test_canvas_shows_the_basemap_under_the_data(qtbot, tile_server, tmp_path, system):
    lon, lat = POINT
    tile_server.markers = [tuple(float(v) for v in wgs84_to_gcj02(lon, lat))
                           if system == "gcj02" else (lon, lat)]
    canvas, _stack = _canvas(qtbot)
    qtbot.waitUntil(lambda: not canvas.is_rendering())
    with qtbot.waitSignal(canvas.basemap.ready, timeout=30000):
        assert canvas.basemap.set_source(
            f"{system}:{tile_server.url}/marker/{{z}}/{{x}}/{{y}}.png")
    qtbot.waitUntil(lambda: not canvas.is_rendering() and not canvas.basemap.is_busy())
    rgb = _grab(canvas, tmp_path / f"canvas_{system}.png")
    # the marker drawn on the tiles sits where the data point is drawn: the view's centre
    cx, cy = _red_centre(rgb)
    assert abs(cx - 200) <= 1.5
    assert abs(cy - 150) <= 1.5
    # the basemap (white tiles) fills the canvas around the grid, whose outline is on top
    assert tuple(rgb[20, 20]) == (255, 255, 255)
    assert tuple(rgb[150 - 40, 230]) == (0, 0, 0)  # the grid's top edge, 40 m above
    assert len(tile_server.hits) >= 1


def test_panning_fetches_the_new_view_off_the_gui_thread(qtbot, tile_server, tile_cache):
    tile_server.markers = [POINT]
    canvas, _stack = _canvas(qtbot)
    with qtbot.waitSignal(canvas.basemap.ready, timeout=30000):
        canvas.basemap.set_source(f"{tile_server.url}/marker/{{z}}/{{x}}/{{y}}.png")
    before = len(tile_server.hits)
    with qtbot.waitSignal(canvas.basemap.ready, timeout=30000):
        canvas.pan_pixels(-600, 0)  # 600 m east: new tiles
    assert len(tile_server.hits) > before
    qtbot.waitUntil(lambda: not canvas.is_rendering() and not canvas.basemap.is_busy())
    assert list(tile_cache.rglob("*.tile"))
    with qtbot.waitSignal(canvas.basemap.cache_cleared, timeout=30000) as cleared:
        canvas.basemap.clear_cache()
    assert cleared.args[0] > 0
    assert not list(tile_cache.rglob("*.tile"))
    canvas.shutdown()
    assert not canvas.basemap._worker.is_running()  # the worker thread ends with the canvas


def test_fetch_errors_reach_the_status_bar_and_never_crash(make_window, qtbot, tile_server):
    window = make_window()
    canvas = window.canvas
    x, y = TO_MAP.transform(*POINT)
    window.session.stack.set_frame("grids", gpd.GeoDataFrame(
        {"grid_id": ["g1"]}, geometry=[shapely.box(x, y, x + 60, y + 40)], crs=4549))
    canvas.set_view(x, y, 1.0)
    with qtbot.waitSignal(canvas.basemap.failed, timeout=30000) as blocker:
        canvas.basemap.set_source(f"{tile_server.url}/status/403/{{z}}/{{x}}/{{y}}.png")
    assert "403" in blocker.args[0]
    assert "403" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not canvas.basemap.is_busy())


def test_menu_choice_and_tianditu_key_are_remembered(make_window, qtbot):
    from PySide6.QtCore import QSettings

    window = make_window()
    actions = {a.data(): a for a in window.findChildren(type(window.act_pan))
               if a.isCheckable() and isinstance(a.data(), str)}
    assert {"", "osm", "tianditu-vector", "tianditu-imagery", "amap", "url", "folder",
            "mbtiles"} <= set(actions)
    assert actions[""].isChecked()
    # Tianditu without a key asks for it; cancelling keeps the old choice
    window.prompter.texts = []
    actions["tianditu-imagery"].trigger()
    assert window.canvas.basemap.spec is None
    assert actions[""].isChecked()
    window.prompter.texts = ["MYKEY"]
    actions["tianditu-imagery"].trigger()
    spec = window.canvas.basemap.spec
    assert spec is not None
    assert spec.key == "MYKEY"
    assert QSettings().value("basemap/tianditu_key") == "MYKEY"
    assert QSettings().value("basemap/source") == "tianditu-imagery"
    window.canvas.basemap.shutdown()
    # a new window starts with the same basemap
    again = make_window()
    assert again.canvas.basemap.source == "tianditu-imagery"
    assert again.canvas.basemap.spec.key == "MYKEY"
    again.canvas.basemap.set_source("")
    window.canvas.basemap.set_source("")


def test_png_export_of_the_view_carries_the_basemap(window, qtbot, tile_server, tmp_path):
    from matplotlib.image import imread

    from ui.dialogs.export_dialog import ExportDialog

    basemap = window.canvas.basemap
    try:
        with qtbot.waitSignal(basemap.ready, timeout=60000):
            assert basemap.set_source(f"{tile_server.url}/solid/123456/{{z}}/{{x}}/{{y}}.png")
        dialog = ExportDialog(window, "png")
        dialog.width_px.setValue(600)
        dialog.height_px.setValue(400)
        dialog.path.setText(str(tmp_path / "view.png"))
        with qtbot.waitSignal(window.analysis_ended, timeout=120000):
            dialog.start()
        dialog.close()
        assert window.prompter.errors == []
        image = (imread(tmp_path / "view.png")[..., :3] * 255).round().astype(int)
        solid = np.all(image == (0x12, 0x34, 0x56), axis=-1)
        assert solid.mean() > 0.01  # the basemap shows around the district
    finally:
        basemap.set_source("")
        qtbot.waitUntil(lambda: not basemap.is_busy())
