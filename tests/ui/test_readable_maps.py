"""Maps a planner can read: grouped results, legend with units, dense layers, symbols."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from tests.ui.helpers import neighbouring_grids, run_analysis
from ui.canvas.render import LayerSnapshot, RenderJob, ViewState, render
from ui.canvas.styles import LayerStyle
from ui.panels.analysis_panel import RESULT_STYLES, layer_key
from ui.panels.layers_panel import GROUP_ROLE


def _run(window, qtbot, name, values=None):
    last = run_analysis(window, qtbot, name, values)
    assert window.prompter.errors == []
    window.layer_panel.rebuild()
    window.legend.rebuild()
    return last


def test_result_layers_sit_in_one_group_per_analysis_and_a_rerun_replaces_them(window, qtbot):
    _run(window, qtbot, "coverage", {"use_buildings": False})
    _run(window, qtbot, "allocate")
    groups = window.layer_panel.groups()
    assert set(groups["coverage"]) == set(window.analysis.groups["coverage"].values())
    assert "assignments" in groups["allocate"]
    names = window.session.stack.names()
    _run(window, qtbot, "coverage", {"use_buildings": False})
    assert window.session.stack.names().count("grid_coverage") == 1
    assert sorted(window.session.stack.names()) == sorted(names)
    assert set(window.layer_panel.groups()["coverage"]) == set(groups["coverage"])
    # ticking a group off hides its layers
    tree = window.layer_panel.tree
    group = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                 if tree.topLevelItem(i).data(0, GROUP_ROLE) == "allocate")
    group.setCheckState(0, Qt.CheckState.Unchecked)
    assert not window.session.stack.get("assignments").visible
    group.setCheckState(0, Qt.CheckState.Checked)
    assert window.session.stack.get("assignments").visible


def test_legend_lists_visible_layers_with_units(window, qtbot):
    _run(window, qtbot, "coverage", {"use_buildings": False})
    _run(window, qtbot, "allocate")
    entries = dict(window.legend.entries())
    assert entries["Coverage per grid"][:2] == ["0 – 20 %", "20 – 40 %"]
    assert entries["Coverage per grid"][-1] == "80 – 100 %"
    walk = entries["Households by walking distance"]
    assert walk[0] == "0 – 250 m"
    assert walk[-1] == "≥ 2,000 m"
    window.session.stack.set_visible("assignments", False)
    window.legend.rebuild()
    assert "Households by walking distance" not in dict(window.legend.entries())
    window.session.stack.set_visible("assignments", True)


def test_class_labels_read_in_units():
    from ui.canvas.styles import class_labels

    assert class_labels((0.0, 20.0, 100.0001), "%") == ("0 – 20 %", "20 – 100 %")
    assert class_labels((0.0, 150.0, 301.0, 1e9), "households") == (
        "0 – 150 households", "150 – 301 households", "≥ 301 households")


def test_dense_intersections_are_drawn_only_when_zoomed_in(window, qtbot):
    from ui.canvas.render import shown_at

    _run(window, qtbot, "coverage", {"use_buildings": False})
    layer = window.session.stack.get("uncovered_intersections")
    assert layer is not None
    assert len(layer.frame)
    assert layer.style.max_scale > 0
    window.canvas.zoom_full()
    full = window.canvas.view()
    assert not shown_at(layer.style, full)
    entries = [title for title, _classes in window.legend.entries()]
    assert any(t.startswith("Intersections not seen") and "zoom in" in t for t in entries)
    # rendered alone: nothing at the district view, dots once zoomed in to 1:2,000
    snap = LayerSnapshot.of(layer)
    far = render(RenderJob(ViewState(full.cx, full.cy, full.scale, 300, 200), (snap,), {}))
    x, y = layer.frame.geometry.iloc[0].x, layer.frame.geometry.iloc[0].y
    near_scale = 1.0 / (2000 * 0.0254 / 96)
    near = render(RenderJob(ViewState(x, y, near_scale, 300, 200), (snap,), {}))

    def painted(image):
        blank = far.image.pixelColor(0, 0)
        return any(near_or_far.pixelColor(i, j) != blank
                   for near_or_far in (image,) for i in range(0, 300, 3)
                   for j in range(0, 200, 3))

    assert not painted(far.image)
    assert painted(near.image)


def test_proposed_sites_and_staff_have_their_own_symbols(window):
    stack = window.session.stack
    cameras, staff = stack.get("cameras").style, stack.get("staff").style
    proposed_cameras = RESULT_STYLES["proposed_cameras"]
    proposed_staff = RESULT_STYLES["new_sites"]
    symbols = {(s.symbol, s.size_px >= 4) for s in (cameras, staff, proposed_cameras,
                                                    proposed_staff)}
    assert len(symbols) == 4  # no two alike
    assert proposed_cameras.symbol != "circle"
    assert proposed_staff.symbol != "circle"


def test_markers_are_drawn_in_their_shape():
    """Each symbol fills its own share of the box: a star least, a square most."""
    import geopandas as gpd
    import shapely

    from ui.canvas.layer_model import MapLayer

    frame = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)])

    def filled(symbol):
        style = LayerStyle(colour="#000000", size_px=40.0, symbol=symbol)
        layer = MapLayer("p", frame, "point", style)
        out = render(RenderJob(ViewState(0, 0, 1.0, 80, 80), (LayerSnapshot.of(layer),), {}))
        img = out.image
        bg = img.pixelColor(0, 0)
        return sum(img.pixelColor(i, j) != bg for i in range(80) for j in range(80))

    areas = {s: filled(s) for s in ("circle", "triangle", "diamond", "star", "square")}
    assert len(set(areas.values())) == 5
    assert areas["star"] < min(areas["triangle"], areas["diamond"], areas["circle"])
    assert areas["square"] == max(areas.values())


def test_comparison_outlines_go_when_the_comparison_is_cleared_or_closed(fresh_window, qtbot):
    window = fresh_window
    grids = window.session.project.layers["grids"]
    window.session.stack.select("grids", list(neighbouring_grids(grids)))
    assert window.editing.merge_selected()
    assert window.scenarios.create_from_edits("merged") == "merged"

    def compare():
        window.scenarios.set_ticked(["current", "merged"])
        with qtbot.waitSignal(window.analysis_ended, timeout=120000):
            window.scenarios.compare(coverage=False, allocation=False)
        assert window.canvas._highlight is not None

    compare()
    window.scenarios.btn_clear_comparison.click()
    assert window.canvas._highlight is None
    assert window.scenarios.comparison is None
    compare()
    window.docks["comparison"].close()
    assert window.canvas._highlight is None


@pytest.mark.parametrize("stored", [False, True])
def test_window_uses_the_screen_at_first_and_remembers_after(qapp, qtbot, stored):
    from PySide6.QtCore import QByteArray, QSettings

    from ui.main_window import MainWindow

    if stored:
        first = MainWindow()
        qtbot.addWidget(first)
        first.resize(640, 480)
        first.show()
        first.save_layout()
        first.shutdown()
        assert isinstance(QSettings().value("window/geometry"), QByteArray)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show_initial()
    try:
        assert window.isMaximized() is (not stored)
        if stored:
            assert window.width() < window.screen().availableGeometry().width()
    finally:
        window.shutdown()


def test_result_layer_names_and_keys_are_stable():
    assert layer_key("coverage", "uncovered_intersections") == "uncovered_intersections"
    assert np.isfinite(RESULT_STYLES["uncovered_intersections"].max_scale)
