"""Canvas rendering, layer model, styles and the table model on tiny hand-made data."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from gridplanner import palette


def _grids():
    return gpd.GeoDataFrame(
        {"grid_id": ["a", "b"], "name": ["甲", "乙"], "community_id": ["c1", "c2"]},
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)], crs=4549)


def test_path_from_parts_matches_qt_serialisation(qapp):
    from ui.canvas.render import geometry_path, path_from_parts

    coords = np.array([[0, 0], [1, 0], [1, 1], [5, 5], [6, 6.0]])
    path = path_from_parts(coords, np.array([0, 0, 0, 1, 1]))
    assert path.elementCount() == 5
    kinds = [path.elementAt(i).type.value for i in range(5)]
    assert kinds == [0, 1, 1, 0, 1]  # moveTo, lineTo, lineTo, moveTo, lineTo
    assert (path.elementAt(3).x, path.elementAt(3).y) == (5.0, 5.0)
    # a polygon with a hole: 5 + 5 ring vertices, the hole not filled (odd-even)
    donut = shapely.box(0, 0, 10, 10).difference(shapely.box(4, 4, 6, 6))
    p = geometry_path(np.array([donut]))
    assert p.elementCount() == 10
    assert p.contains(p.boundingRect().topLeft() + (p.boundingRect().center()
                                                     - p.boundingRect().topLeft()) * 0.2)
    assert not p.contains(p.boundingRect().center())


def test_render_draws_fills_points_in_place(qapp):
    from ui.canvas.layer_model import LayerStack
    from ui.canvas.render import LayerSnapshot, RenderJob, ViewState, render
    from ui.canvas.styles import LayerStyle

    stack = LayerStack()
    stack.set_frame("grids", _grids())
    pts = gpd.GeoDataFrame({"household_id": ["h1"]}, geometry=[shapely.Point(150, 50)],
                           crs=4549)
    stack.set_frame("households", pts)
    stack.set_style("grids", LayerStyle(colour="#ff0000", fill_alpha=1.0, size_px=0))
    stack.set_style("households", LayerStyle(colour="#0000ff", size_px=6))
    view = ViewState(100.0, 50.0, 2.0, 400, 200)  # 2 px per metre, whole layer in view
    job = RenderJob(view, tuple(LayerSnapshot.of(x) for x in stack.visible_bottom_up()), {})
    result = render(job)
    img = result.image
    assert QColor(img.pixel(100, 100)).name() == "#ff0000"  # inside grid a
    assert QColor(img.pixel(300, 100)).name() == "#0000ff"  # the household point
    assert QColor(img.pixel(300, 20)).name() == "#ff0000"   # grid b away from the point
    assert set(result.prepared) == {"grids", "households"}
    # hidden layers are not drawn
    stack.set_visible("households", False)
    job = RenderJob(view, tuple(LayerSnapshot.of(x) for x in stack.visible_bottom_up()),
                    result.prepared)
    assert QColor(render(job).image.pixel(300, 100)).name() == "#ff0000"


def test_classify_categorised_and_graduated():
    from ui.canvas.styles import LayerStyle, classify

    frame = pd.DataFrame({"k": ["b", "a", "b"], "v": [0.0, 50.0, 100.0]})
    c = classify(frame, LayerStyle("categorised", field="k"))
    assert c.codes.tolist() == [1, 0, 1]
    assert c.labels == ("a", "b")
    g = classify(frame, LayerStyle("graduated", field="v", breaks=(0.0, 40.0, 100.0)))
    assert g.codes.tolist() == [0, 1, 1]
    assert len(g.colours) == 2
    fixed = classify(pd.DataFrame({"role": ["police", "full_time"]}),
                     LayerStyle("categorised", field="role"), "staff")
    assert fixed.colours == (palette.ROLE["full_time"], palette.ROLE["police"])


def test_canvas_draws_roles_categories_and_kinds_in_the_maps_colours():
    from ui.canvas.styles import DEFAULT_STYLES, FIXED_COLOURS, RAMP, classify

    cams = classify(pd.DataFrame({"category": [3, 1, 2]}), DEFAULT_STYLES["cameras"], "cameras")
    assert cams.colours == tuple(palette.CAMERA_CATEGORY[k] for k in (1, 2, 3))
    kinds = classify(pd.DataFrame({"kind": ["police_station", "party_centre"]}),
                     DEFAULT_STYLES["facilities"], "facilities")
    assert kinds.colours == (palette.FACILITY["party_centre"], palette.FACILITY["police_station"])
    assert FIXED_COLOURS["staff"] == palette.ROLE
    assert RAMP == palette.COVERAGE_CLASSES


def test_layer_stack_order_visibility_selection(qapp):
    from ui.canvas.layer_model import LayerStack

    stack = LayerStack()
    stack.set_frame("grids", _grids())
    stack.set_frame("households", gpd.GeoDataFrame(
        {"household_id": ["1"]}, geometry=[shapely.Point(1, 1)], crs=4549))
    stack.set_frame("result", _grids())
    assert stack.names() == ["result", "households", "grids"]  # results on top
    stack.move("grids", 0)
    assert stack.names() == ["grids", "result", "households"]
    assert [x.name for x in stack.visible_bottom_up()] == ["households", "result", "grids"]
    seen = []
    stack.selection_changed.connect(seen.append)
    stack.select("grids", [1, 5, -1])
    assert stack.get("grids").selection.tolist() == [1]
    stack.select("grids", [0], add=True)
    assert stack.get("grids").selection.tolist() == [0, 1]
    assert seen == ["grids", "grids"]
    assert stack.full_extent() == (0.0, 0.0, 200.0, 100.0)


def test_frame_model_sorts_and_filters(qapp):
    from ui.panels.attribute_table import FrameModel

    frame = gpd.GeoDataFrame({"name": ["东城", "西城", "南湖"], "n": [3, 1, 2]},
                             geometry=[shapely.Point(0, 0)] * 3)
    model = FrameModel(frame)
    assert model.columns == ["name", "n"]
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert model.order.tolist() == [1, 2, 0]
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert model.order.tolist() == [0, 2, 1]
    model.set_filter("城")
    assert sorted(model.order.tolist()) == [0, 1]
    assert model.data(model.index(0, 0)) in ("东城", "西城")


def test_canvas_zoom_keeps_point_under_cursor(qtbot):
    from PySide6.QtCore import QPointF

    from ui.canvas.canvas import MapCanvas
    from ui.canvas.layer_model import LayerStack

    stack = LayerStack()
    canvas = MapCanvas(stack)
    qtbot.addWidget(canvas)
    canvas.resize(400, 300)
    canvas.set_view(1000.0, 2000.0, 1.0)
    before = canvas.map_point(QPointF(100, 50))
    canvas.zoom_by(2.0, QPointF(100, 50))
    after = canvas.map_point(QPointF(100, 50))
    assert np.allclose(before, after)
    assert canvas.scale == 2.0
    canvas.shutdown()


def test_void_qt_calls_survive_millions(qapp):
    """Regression: PySide6 6.12.0 on Python 3.11 aborted after ~10^5-10^6 void calls."""
    from PySide6.QtGui import QBrush
    from PySide6.QtWidgets import QGraphicsRectItem

    item = QGraphicsRectItem(0, 0, 1, 1)
    brush = QBrush(QColor("#ff0000"))
    set_brush = item.setBrush
    for _ in range(3_000_000):
        set_brush(brush)
    assert item.brush().color().name() == "#ff0000"


def test_dense_points_are_splatted_in_place(qapp):
    from PySide6.QtGui import QImage, QPainter

    from ui.canvas.render import splat_points

    image = QImage(10, 10, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("#ffffff"))
    p = QPainter(image)
    splat_points(p, np.array([2.5, 7.2]), np.array([3.9, 7.0]), QColor("#0000ff"), 2.0, 10, 10)
    p.end()
    blue = {(x, y) for x in range(10) for y in range(10)
            if QColor(image.pixel(x, y)).name() == "#0000ff"}
    # 2-px squares whose lower-right pixel is the point's pixel
    assert blue == {(1, 2), (2, 2), (1, 3), (2, 3), (6, 6), (7, 6), (6, 7), (7, 7)}


def test_incidents_and_the_incident_marker_share_the_palette_colour():
    from gridplanner import palette
    from ui.canvas.styles import DEFAULT_STYLES
    from ui.panels.analysis_panel import RESULT_STYLES

    assert DEFAULT_STYLES["incidents"].colour == palette.INCIDENT
    assert RESULT_STYLES["routes"].colour == palette.INCIDENT
