"""Editing never touches the wrong grid: selections follow ids, line tools, lock marks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from PySide6.QtCore import QPoint, QPointF, Qt

from tests.ui.helpers import neighbouring_grids


def _frame(ids, boxes):
    return gpd.GeoDataFrame({"grid_id": ids, "name": ids, "community_id": [""] * len(ids),
                             "locked": [False] * len(ids)},
                            geometry=[shapely.box(*b) for b in boxes], crs=4549)


def _selected(stack, name="grids"):
    layer = stack.get(name)
    return layer.frame["grid_id"].iloc[layer.selection].tolist()


def test_selection_follows_ids_when_the_frame_is_replaced(qapp):
    from ui.canvas.layer_model import LayerStack

    boxes = [(0, 0, 1, 1), (1, 0, 2, 1), (2, 0, 3, 1)]
    stack = LayerStack()
    stack.set_frame("grids", _frame(["a", "b", "c"], boxes))
    stack.select("grids", [1, 2])
    seen = []
    stack.selection_changed.connect(seen.append)
    # a merged away: rows move up, the selection stays on b and c
    stack.set_frame("grids", _frame(["b", "c"], boxes[1:]))
    assert _selected(stack) == ["b", "c"]
    # b merged into c: only c is left selected
    stack.set_frame("grids", _frame(["c", "x"], boxes[1:]))
    assert _selected(stack) == ["c"]
    assert seen == ["grids", "grids"]
    # reordered rows: still c
    stack.set_frame("grids", _frame(["x", "a", "c"], boxes))
    assert _selected(stack) == ["c"]
    # a grid recoded in place stays selected under its new code
    stack.set_frame("grids", _frame(["x", "a", "c2"], boxes))
    assert _selected(stack) == ["c2"]
    stack.set_frame("grids", _frame(["x", "a", "c"], boxes))
    assert _selected(stack) == ["c"]
    # ... but a wholly new layer does not inherit the selection by position
    stack.set_frame("grids", _frame(["p", "q", "r"], boxes))
    assert _selected(stack) == []
    # of two grids with the same code only the one picked stays selected
    stack.set_frame("grids", _frame(["p", "d", "d"], boxes))
    stack.select("grids", [2])
    stack.set_frame("grids", _frame(["d", "d"], boxes[1:]))
    assert stack.get("grids").selection.tolist() == [1]
    # a layer without ids follows its index labels
    pts = gpd.GeoDataFrame({"v": [1, 2, 3]}, geometry=shapely.points([[0, 0], [1, 1], [2, 2]]),
                           index=[10, 11, 12], crs=4549)
    stack.set_frame("result", pts)
    stack.select("result", [2])
    stack.set_frame("result", pts.loc[[12, 10]])
    assert stack.get("result").selection.tolist() == [0]


def test_merge_then_lock_locks_only_the_merged_grid(fresh_window):
    window = fresh_window
    stack = window.session.stack
    grids = window.session.project.layers["grids"]
    i, j = neighbouring_grids(grids, before_last=True)
    a, b = str(grids["grid_id"].iloc[i]), str(grids["grid_id"].iloc[j])
    stack.select("grids", [i, j])
    assert window.editing.selected_grid_ids() == [a, b]
    window.editing.act_merge.trigger()
    assert window.prompter.errors == []
    assert window.editing.selected_grid_ids() == [a]
    window.undo()
    assert window.editing.selected_grid_ids() == [a]
    window.redo()
    assert window.editing.selected_grid_ids() == [a]
    def locked_ids():
        frame = window.session.project.layers["grids"]
        return set(frame.loc[frame["locked"].astype(bool), "grid_id"].astype(str))

    before = locked_ids()
    assert a not in before
    window.editing.act_lock.trigger()
    assert locked_ids() - before == {a}


def _screen(canvas, x, y) -> QPoint:
    sx, sy = canvas.view().to_screen(np.array([x]), np.array([y]))
    return QPointF(float(sx[0]), float(sy[0])).toPoint()


def test_line_tool_finished_by_double_click_keeps_no_start_point(qtbot):
    from ui.canvas.canvas import MapCanvas
    from ui.canvas.layer_model import LayerStack
    from ui.canvas.tools import LineTool

    canvas = MapCanvas(LayerStack())
    qtbot.addWidget(canvas)
    canvas.resize(400, 300)
    canvas.set_view(0.0, 0.0, 1.0)
    lines = []
    tool = LineTool(lines.append, name="split")
    canvas.set_tool(tool)
    a, b = _screen(canvas, -50, 0), _screen(canvas, 50, 10)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=b)
    # a double-click is press, release, double-click, release
    qtbot.mouseDClick(canvas, Qt.MouseButton.LeftButton, pos=b)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=b)
    assert len(lines) == 1
    assert np.allclose(shapely.get_coordinates(lines[0]), [[-50, 0], [50, 10]], atol=1.5)
    assert tool.points == []
    qtbot.mouseMove(canvas, _screen(canvas, 0, 60))
    assert tool._hover is None  # no rubber band follows the mouse
    # the next line starts afresh
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=a)
    assert len(tool.points) == 1
    canvas.shutdown()


def test_locked_grids_are_hatched_on_the_map(qapp):
    from PySide6.QtGui import QColor

    from ui.canvas.layer_model import LayerStack
    from ui.canvas.render import LayerSnapshot, RenderJob, ViewState, render
    from ui.canvas.styles import LayerStyle

    frame = _frame(["a", "b"], [(0, 0, 100, 100), (100, 0, 200, 100)])
    frame["locked"] = [False, True]
    stack = LayerStack()
    stack.set_frame("grids", frame)
    stack.set_style("grids", LayerStyle(colour="#ff0000", fill_alpha=1.0, size_px=0))
    view = ViewState(100.0, 50.0, 2.0, 400, 200)
    job = RenderJob(view, tuple(LayerSnapshot.of(x) for x in stack.visible_bottom_up()), {})
    img = render(job).image

    def colours(x0, x1):
        return {QColor(img.pixel(x, y)).name() for x in range(x0, x1) for y in range(20, 180)}

    assert colours(20, 180) == {"#ff0000"}  # unlocked: plain fill
    locked = colours(220, 380)
    assert "#ff0000" in locked  # locked: the fill ...
    assert len(locked) > 1  # ... with hatching over it


def test_split_in_the_app_makes_corners_that_move_and_lists_only_the_pieces(fresh_window):
    window = fresh_window
    grids = window.session.project.layers["grids"]
    target = 10
    gid = str(grids["grid_id"].iloc[target])
    x0, y0, x1, y1 = grids.geometry.iloc[target].bounds
    cy = (y0 + y1) / 2
    window.session.stack.select("grids", [target])
    assert window.editing.split(shapely.LineString([(x0 - 20, cy), (x1 + 20, cy)]))
    command = window.session.commands.commands[-1]
    pieces = set(command.params["new_ids"])
    assert gid in pieces
    assert len(pieces) == 2
    # the figures list the two pieces, not the neighbours that only gained a corner
    shown = {window.edit_panel.figures.item(r, 0).text()
             for r in range(window.edit_panel.figures.rowCount())}
    assert shown == pieces
    assert command.joined_grid_ids
    assert window.editing.selected_grid_ids() == [gid]
    # every new corner is a vertex of each grid it touches, and moving it is accepted
    after = window.session.project.layers["grids"]
    geoms = after.geometry.to_numpy()
    old = {tuple(c) for c in shapely.get_coordinates(grids.geometry.iloc[target])}
    piece = geoms[after["grid_id"].astype(str).to_numpy() == gid][0]
    corners = [tuple(c) for c in shapely.get_coordinates(piece) if tuple(c) not in old]
    assert corners
    inner = []
    for corner in set(corners):
        touching = np.flatnonzero(shapely.dwithin(geoms, shapely.Point(corner), 1e-6))
        assert len(touching) >= 2
        for k in touching:
            assert corner in {tuple(c) for c in shapely.get_coordinates(geoms[k])}
        if len(touching) >= 3:
            inner.append(corner)
    assert inner  # a corner inside the district: the pieces and a neighbour meet there
    corner = inner[0]
    assert window.editing.move_vertex(corner, (corner[0], corner[1] + 5.0))
    assert window.prompter.errors == []
