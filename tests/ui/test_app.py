"""The main window on the sample district: layers, selection, analyses, edits, scenarios."""

from __future__ import annotations

import time

import numpy as np
import shapely
from PySide6.QtCore import QPointF, Qt

from gridplanner.feedback import report
from tests.ui.helpers import neighbouring_grids


def _grid_count(w) -> int:
    return len(w.session.project.layers["grids"])


def _screen_of(canvas, x: float, y: float) -> QPointF:
    sx, sy = canvas.view().to_screen(np.array([x]), np.array([y]))
    return QPointF(float(sx[0]), float(sy[0]))


def test_opens_sample_with_layers_table_and_title(window):
    names = window.session.stack.names()
    for layer in ("grids", "households", "cameras", "roads", "staff"):
        assert layer in names
    assert names.index("staff") < names.index("grids")  # points above polygons
    assert window.table.layer_name == "grids"
    assert window.table.model.rowCount() == _grid_count(window)
    assert "sample.gpkg" in window.windowTitle()
    assert window.canvas._frame is not None
    assert window.canvas._frame.image.width() == window.canvas.width()


def test_toggle_and_reorder_layers(window, qtbot):
    panel = window.layer_panel
    stack = window.session.stack
    item = next(panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())
                if panel.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) == "roads")
    item.setCheckState(0, Qt.CheckState.Unchecked)
    assert not stack.get("roads").visible
    assert "roads" not in [s.name for s in window.canvas.render_job().layers]
    with qtbot.waitSignal(window.canvas.frame_ready, timeout=20000):
        pass
    assert "roads" not in {s.name for s in window.canvas.render_job().layers}
    panel.set_current("grids")
    before = stack.names().index("grids")
    passed = stack.names()[before - 1]  # the layer drawn just above the grids
    was_visible = stack.get(passed).visible
    stack.set_visible(passed, True)
    qtbot.mouseClick(panel.up, Qt.MouseButton.LeftButton)
    assert stack.names().index("grids") == before - 1
    assert stack.names()[before] == passed
    # drawing order follows: grids now drawn after (above) the layer it passed
    order = [s.name for s in window.canvas.render_job().layers]
    assert order.index("grids") > order.index(passed)
    assert panel.current() == "grids"
    with qtbot.waitSignal(window.canvas.frame_ready, timeout=20000):
        stack.move("grids", before)
        stack.set_visible(passed, was_visible)
        stack.set_visible("roads", True)


def test_map_selection_and_table_follow_each_other(window, qtbot):
    grids = window.session.project.layers["grids"]
    target = 7
    pt = shapely.point_on_surface(grids.geometry.iloc[target])
    window.layer_panel.set_current("grids")
    window.set_tool("select")
    pos = _screen_of(window.canvas, pt.x, pt.y).toPoint()
    qtbot.mouseClick(window.canvas, Qt.MouseButton.LeftButton, pos=pos)
    assert window.session.stack.get("grids").selection.tolist() == [target]
    selected = window.table.selected_positions().tolist()
    assert selected == [target]
    # and back: select rows in the table, the map's selection follows
    window.table.view.selectRow(0)
    first = int(window.table.model.order[0])
    assert window.session.stack.get("grids").selection.tolist() == [first]
    assert "grids" in window.canvas._selection


def test_identify_shows_attributes(window):
    grids = window.session.project.layers["grids"]
    pt = shapely.point_on_surface(grids.geometry.iloc[3])
    window.session.stack.set_visible("households", False)
    window._identify_at(pt.x, pt.y, Qt.KeyboardModifier.NoModifier)
    tree = window.identify.tree
    titles = [tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount())]
    assert str(grids["grid_id"].iloc[3]) in titles


def _slow(fb):
    # Long enough to be cancelled: numpy work reporting progress until told to stop.
    for i in range(100000):
        report(fb, i / 100000, "working")
        np.sort(np.random.default_rng(i).random(20000))
    return "finished"


def test_cancel_running_analysis(window, qtbot):
    results = []
    with qtbot.waitSignal(window.analysis_cancelled, timeout=30000):
        window.run_analysis("slow", _slow, results.append)
        with qtbot.waitSignal(window.runner.progress, timeout=10000):
            pass
        assert window.cancel_button.isVisible()
        qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    assert results == []
    assert not window.runner.is_busy()
    assert not window.cancel_button.isVisible()


def test_second_run_cancels_first(window, qtbot):
    got = []
    with qtbot.waitSignal(window.analysis_ended, timeout=30000) as blocker:
        window.run_analysis("slow", _slow, lambda r: got.append(("slow", r)))
        window.run_analysis("quick", lambda fb: 42, lambda r: got.append(("quick", r)))
    assert blocker.args == ["quick"]
    assert got == [("quick", 42)]


def test_checks_run_and_zoom_to_finding(window, qtbot):
    window.canvas.zoom_full()
    with qtbot.waitSignal(window.analysis_ended, timeout=60000):
        qtbot.mouseClick(window.checks.run_button, Qt.MouseButton.LeftButton)
    findings = window.checks.result.findings
    assert len(findings) > 0  # the sample has gaps, band and staffing findings
    assert window.checks.model.rowCount() == len(findings)
    shown = window.checks.model.order
    row = next(r for r in range(len(shown))
               if not findings.geometry.iloc[int(shown[r])].is_empty)
    geom = findings.geometry.iloc[int(shown[row])]
    old = window.canvas.scale
    window.checks._clicked(window.checks.model.index(row, 0))
    assert window.canvas.scale != old
    assert window.canvas._highlight is not None
    x0, y0, x1, y1 = window.canvas.view().extent()
    assert shapely.box(x0, y0, x1, y1).contains(geom)  # zoomed onto the finding


def test_edit_undo_redo_through_the_ui(fresh_window, qtbot):
    window = fresh_window
    grids = window.session.project.layers["grids"]
    n = len(grids)
    i, j = neighbouring_grids(grids)
    window.session.stack.select("grids", [i, j])
    window.editing.act_merge.trigger()
    assert window.prompter.errors == []
    assert _grid_count(window) == n - 1
    assert window.edit_panel.history.count() == 2  # (start) + the merge
    assert window.edit_panel.figures.rowCount() >= 1
    assert window.act_undo.isEnabled()
    window.canvas.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _grid_count(window) == n
    assert window.session.project.layers["grids"] is grids  # the very frame restored
    assert window.act_redo.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert _grid_count(window) == n - 1
    assert window.session.stack.get("grids").frame is window.session.project.layers["grids"]
    # the history list jumps back to the start
    window.edit_panel._jump(window.edit_panel.history.item(0))
    assert _grid_count(window) == n
    assert window.session.dirty


def _shared_vertex(grids, *, inside: bool):
    """A corner two grids of one community share, inside the district or on its edge."""
    geoms = grids.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    district = shapely.union_all(geoms)
    for geom in geoms:
        for xy in shapely.get_coordinates(geom.exterior)[:-1]:
            point = shapely.Point(xy)
            near = tree.query(point, predicate="dwithin", distance=0.01)
            if len(near) != 2 or grids["community_id"].iloc[near].nunique() != 1:
                continue
            if district.contains(point.buffer(20)) == inside:
                return xy, near
    raise AssertionError("no such vertex in the sample")


def _drag(window, qtbot, corner):
    window.canvas.zoom_to((corner[0] - 150, corner[1] - 150, corner[0] + 150, corner[1] + 150))
    window.set_tool("vertex")
    start = _screen_of(window.canvas, *corner)
    end = start + QPointF(6, 4)
    qtbot.mousePress(window.canvas, Qt.MouseButton.LeftButton, pos=start.toPoint())
    qtbot.mouseMove(window.canvas, pos=end.toPoint())
    qtbot.mouseRelease(window.canvas, Qt.MouseButton.LeftButton, pos=end.toPoint())


def test_vertex_drag_moves_shared_vertex(fresh_window, qtbot):
    window = fresh_window
    grids = window.session.project.layers["grids"]
    corner, pair = _shared_vertex(grids, inside=True)
    _drag(window, qtbot, corner)
    assert window.prompter.errors == []
    assert window.session.commands.index == 1
    moved = window.session.project.layers["grids"]
    assert moved is not grids
    for pos in pair:
        before = shapely.get_coordinates(grids.geometry.iloc[pos])
        after = shapely.get_coordinates(moved.geometry.iloc[pos])
        assert before.shape == after.shape
        changed = np.any(~np.isclose(before, after), axis=1)
        assert changed.any()
        assert np.allclose(before[changed], corner)  # only the corner moved ...
        new = np.unique(after[changed], axis=0)
        assert len(new) == 1  # ... to one place, right of it and lower on the screen
        assert new[0][0] > corner[0]
        assert new[0][1] < corner[1]
    window.undo()
    assert window.session.project.layers["grids"] is grids


def test_vertex_drag_off_the_district_edge_is_refused(fresh_window, qtbot):
    window = fresh_window
    grids = window.session.project.layers["grids"]
    corner, _pair = _shared_vertex(grids, inside=False)
    _drag(window, qtbot, corner)
    assert len(window.prompter.errors) == 1
    assert "gap" in window.prompter.errors[0][1]
    assert window.session.commands.index == 0
    assert window.session.project.layers["grids"] is grids


def test_scenarios_create_and_compare(fresh_window, qtbot):
    window = fresh_window
    grids = window.session.project.layers["grids"]
    i, j = neighbouring_grids(grids)
    window.session.stack.select("grids", [i, j])
    assert window.editing.merge_selected()
    assert window.scenarios.create_from_edits("merged") == "merged"
    assert _grid_count(window) == len(grids)  # base data back as it was
    assert "merged" in window.session.project.scenarios
    assert window.scenarios.names() == ["current", "merged"]
    assert window.scenarios.rename("merged", "合并方案")
    assert window.scenarios.names() == ["current", "合并方案"]
    window.scenarios.set_ticked(["current", "合并方案"])
    with qtbot.waitSignal(window.analysis_ended, timeout=120000):
        window.scenarios.compare(coverage=False, allocation=False)
    assert window.prompter.errors == []
    comparison = window.scenarios.comparison
    figures = comparison.figures.set_index("key")
    assert figures.loc["grids_total", "Δ 合并方案"] == -1
    assert window.scenarios.table.rowCount() > 0
    assert window.canvas._highlight is not None  # changed grids outlined
    window.scenarios.view("合并方案")
    assert len(window.session.stack.get("grids").frame) == len(grids) - 1
    assert not window.editing.act_merge.isEnabled()
    window.scenarios.view("current")
    assert len(window.session.stack.get("grids").frame) == len(grids)
    assert window.scenarios.delete("合并方案")
    assert window.scenarios.names() == ["current"]


def test_export_html_map(window, qtbot, tmp_path):
    from ui.dialogs.export_dialog import ExportDialog

    dialog = ExportDialog(window, "html")
    target = tmp_path / "map.html"
    dialog.path.setText(str(target))
    with qtbot.waitSignal(window.analysis_ended, timeout=120000):
        dialog.start()
    assert window.prompter.errors == []
    assert dialog.written == [target]
    text = target.read_text(encoding="utf-8")
    assert "<html" in text.lower()
    assert "leaflet" in text.lower()
    dialog.close()


def test_export_png_of_view(window, qtbot, tmp_path):
    from PySide6.QtGui import QImage

    from ui.dialogs.export_dialog import ExportDialog

    dialog = ExportDialog(window, "png")
    dialog.width_px.setValue(640)
    dialog.height_px.setValue(480)
    target = tmp_path / "view.png"
    dialog.path.setText(str(target))
    with qtbot.waitSignal(window.analysis_ended, timeout=60000):
        dialog.start()
    image = QImage(str(target))
    assert (image.width(), image.height()) == (640, 480)
    dialog.close()


def test_switch_language(window):
    file_menu = window.menuBar().actions()[0]
    assert file_menu.text() == "&File"
    window.set_language("zh_CN")
    assert file_menu.text() == "文件(&F)"
    assert window.docks["layers"].windowTitle() == "图层"
    assert window.act_undo.text() == "撤销"
    assert "网格" in window.layer_panel.tree.topLevelItem(
        window.session.stack.names().index("grids")).text(0)
    window.set_language("en")
    assert file_menu.text() == "&File"
    assert window.docks["layers"].windowTitle() == "Layers"


def test_unsaved_changes_prompt_on_close(fresh_window):
    window = fresh_window
    window.session.set_dirty(True)
    window.prompter.save_answer = "cancel"
    assert not window.close()
    assert window.isVisible()
    assert window.prompter.asked == ["save_changes"]
    window.prompter.save_answer = "discard"
    assert window.close()


def test_autosave_and_recovery_offer(make_window, qtbot, tmp_path):
    import geopandas as gpd

    from gridplanner.project import Project, autosave_path, save_project
    from layers.validate import validate

    grids = gpd.GeoDataFrame({"grid_id": ["g1", "g2"]},
                             geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
                             crs=4549)
    path = tmp_path / "work.gpkg"
    save_project(Project(layers={"grids": validate(grids, "grids").frame}), path)
    w = make_window()
    with qtbot.waitSignal(w.project_loaded, timeout=60000):
        w.open_project(path, ask=False)
    w.session.project.settings["walk_cutoff_m"] = 1234.0
    w.session.set_dirty(True)
    with qtbot.waitSignal(w.io_runner.finished, timeout=60000):
        w.autosave()
    auto = autosave_path(path.resolve())
    assert auto.exists()
    w.shutdown()  # as if it had crashed: its lock is gone, its autosave stays
    # a second start finds the autosave newer than the file and offers it
    w2 = make_window()
    w2.prompter.recover_answer = True
    with qtbot.waitSignal(w2.project_loaded, timeout=60000):
        w2.open_project(path, ask=False)
    assert w2.prompter.asked == ["recover"]
    assert w2.session.project.settings["walk_cutoff_m"] == 1234.0
    assert w2.session.dirty
    assert w2.session.project.path == path.resolve()
    # saving for real removes the autosave
    assert w2.save()
    assert not auto.exists()
    assert str(path.resolve()) in w2.recent_files()


def test_engine_errors_are_readable(make_window, qtbot, tmp_path):
    bad = tmp_path / "notes.gpkg"
    bad.write_text("this is not a geopackage", encoding="utf-8")
    w = make_window()
    with qtbot.waitSignal(w.project_loaded, timeout=30000):
        w.open_project(bad, ask=False)
    assert len(w.prompter.errors) == 1
    _title, message = w.prompter.errors[0]
    assert "not a GeoPackage" in message
    assert "Traceback" not in message


def test_layout_restored_between_runs(make_window):
    w = make_window()
    w.docks["checks"].hide()
    w.save_layout()
    w2 = make_window()
    assert not w2.docks["checks"].isVisible()
    assert w2.docks["layers"].isVisible()


def test_import_dialog_lists_problems_before_accepting(qtbot, tmp_path):
    import geopandas as gpd

    from ui.dialogs.import_dialog import ImportDialog

    boxes = [shapely.box(119.6, 29.0, 119.61, 29.01), shapely.box(119.61, 29.0, 119.62, 29.01)]
    bad = gpd.GeoDataFrame({"网格编码": ["g1", "g2"], "kind": ["urban", "downtown"]},
                           geometry=boxes, crs=4326)
    bad_path = tmp_path / "bad_grids.geojson"
    bad.to_file(bad_path)
    good = gpd.GeoDataFrame({"网格编码": ["g1", "g2"], "网格名称": ["一", "二"]},
                            geometry=boxes, crs=4326)
    good_path = tmp_path / "grids.geojson"
    good.to_file(good_path)
    cams = gpd.GeoDataFrame({"camera_id": ["c1"], "category": [7]},
                            geometry=[shapely.Point(119.605, 29.005)], crs=4326)
    cams_path = tmp_path / "cams.geojson"
    cams.to_file(cams_path)
    dialog = ImportDialog()
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    dialog.paths["grids"].setText(str(bad_path))
    with qtbot.waitSignal(dialog.runner.failed, timeout=30000):
        dialog.check()
    text = dialog.problems.toPlainText()
    assert "row 2" in text
    assert "downtown" in text
    assert not ok.isEnabled()
    dialog.paths["grids"].setText(str(good_path))
    dialog.paths["cameras"].setText(str(cams_path))
    dialog.crs.setCurrentIndex(3)  # GCJ-02
    with qtbot.waitSignal(dialog.runner.finished, timeout=30000):
        dialog.check()
    assert ok.isEnabled()
    assert "category" in dialog.problems.toPlainText()  # a warning, listed, data kept
    project = dialog.result_project
    assert list(project.layers["grids"]["grid_id"]) == ["g1", "g2"]
    assert project.crs.is_projected
    dialog.reject()


def test_gui_thread_stays_free_while_rendering(window, qtbot):
    """The event loop keeps turning while a frame renders (no long block)."""
    from PySide6.QtCore import QTimer

    gaps = []
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(5)
    with qtbot.waitSignal(window.canvas.frame_ready, timeout=30000):
        window.canvas.zoom_by(1.5)
    timer.stop()
    assert window.canvas.last_paint_s < 0.1
    assert max(gaps) < 0.5  # generous: CI machines are slow; the benchmark measures it


def test_incident_lookup_names_grid_and_staff(window, qtbot):
    grids = window.session.project.layers["grids"]
    pt = shapely.point_on_surface(grids.geometry.iloc[5])
    with qtbot.waitSignal(window.analysis_ended, timeout=120000):
        window.analysis.incident_at(pt.x, pt.y)
    assert window.prompter.errors == []
    records = {}
    for k in range(window.identify.tree.topLevelItemCount()):
        top = window.identify.tree.topLevelItem(k)
        records[top.text(0)] = {top.child(i).text(0): top.child(i).text(1)
                                for i in range(top.childCount())}
    gid, name = str(grids["grid_id"].iloc[5]), str(grids["name"].iloc[5])
    assert records["Incident"]["Grid"] == f"{name} ({gid})"
    staff = window.session.project.layers["staff"]
    worker = staff[(staff["role"] == "full_time") & (staff["grid_id"] == gid)].iloc[0]
    responsible = records["Staff responsible for the grid"]["Full-time grid worker"]
    assert f"{worker['name']} ({worker['phone']})" in responsible
    nearest = records["Nearest staff on the roads"]
    assert all(" m" in text and "(" in text for text in nearest.values())
    # the incident is marked on the map
    marker = window.session.stack.get("routes")
    assert marker is not None
    assert marker.visible
    assert marker.style.symbol == "star"
    assert len(marker.frame) == 1
    assert marker.frame.geometry.iloc[0].distance(pt) < 1e-6


def test_split_by_drawn_line_then_lock_refuses_edits(fresh_window, qtbot):
    window = fresh_window
    grids = window.session.project.layers["grids"]
    n = len(grids)
    target = 10
    geom = grids.geometry.iloc[target]
    x0, y0, x1, y1 = geom.bounds
    window.canvas.zoom_to((x0, y0, x1, y1), margin=0.3)
    window.session.stack.select("grids", [target])
    window.set_tool("split")
    cy = (y0 + y1) / 2
    start = _screen_of(window.canvas, x0 - (x1 - x0) * 0.1, cy).toPoint()
    end = _screen_of(window.canvas, x1 + (x1 - x0) * 0.1, cy).toPoint()
    qtbot.mouseClick(window.canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseClick(window.canvas, Qt.MouseButton.LeftButton, pos=end)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Return)
    assert window.prompter.errors == []
    assert _grid_count(window) == n + 1
    window.undo()
    assert _grid_count(window) == n
    # locked grids refuse edits with the engine's message, and nothing changes
    window.set_tool("pan")
    window.session.stack.select("grids", [target])
    window.editing.act_lock.trigger()
    assert bool(window.session.project.layers["grids"]["locked"].iloc[target])
    i, j = target, _neighbours_of(window.session.project.layers["grids"], target)
    window.session.stack.select("grids", [i, j])
    window.editing.act_merge.trigger()
    assert len(window.prompter.errors) == 1
    assert "lock" in window.prompter.errors[0][1].lower()
    assert _grid_count(window) == n


def _neighbours_of(grids, i):
    geoms = grids.geometry.to_numpy()
    for j in range(len(geoms)):
        if j != i and grids["community_id"].iloc[j] == grids["community_id"].iloc[i] and \
                shapely.intersection(geoms[i].boundary, geoms[j].boundary).length > 50:
            return j
    raise AssertionError("no neighbour")


def test_style_editor_result_changes_legend(window):
    from ui.dialogs.style_dialog import StyleDialog

    layer = window.session.stack.get("cameras")
    dialog = StyleDialog(layer, window)
    dialog.mode.setCurrentIndex(2)  # graduated
    dialog.field.setCurrentText("range_m")
    dialog.classes.setValue(3)
    style = dialog.chosen_style()
    assert (style.mode, style.field, style.classes) == ("graduated", "range_m", 3)
    old = layer.style
    window.session.stack.set_style("cameras", style)
    window.layer_panel.rebuild()
    item = window.layer_panel.tree.topLevelItem(window.session.stack.names().index("cameras"))
    assert 1 <= item.childCount() <= 3
    window.session.stack.set_style("cameras", old)
    dialog.close()


def test_export_xlsx_report(window, qtbot, tmp_path):
    import openpyxl

    from ui.dialogs.export_dialog import ExportDialog

    dialog = ExportDialog(window, "tables")
    target = tmp_path / "report.xlsx"
    dialog.path.setText(str(target))
    with qtbot.waitSignal(window.analysis_ended, timeout=60000):
        dialog.start()
    assert window.prompter.errors == []
    sheets = openpyxl.load_workbook(target).sheetnames
    assert len(sheets) >= 2
    dialog.close()


def test_run_app_opens_the_project_and_returns(qapp, sample_project_file, tmp_path):
    import shutil

    from PySide6.QtCore import QTimer

    from ui.app import run_app
    from ui.main_window import MainWindow

    seen = []
    # Hold the windows that exist now: a new window can take a freed one's id().
    before = list(qapp.topLevelWidgets())

    def hook():
        window = next(w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow)
                      and all(w is not b for b in before))
        seen.append(window)
        # exit(), not quit(): Qt 6's quit() asks every window of the session to close
        # and can leave a Quit event behind that makes every later event loop (and so
        # every wait in the following test modules) return at once.
        window.project_loaded.connect(lambda: qapp.exit(0))

    QTimer.singleShot(0, hook)
    # A private copy: other windows' autosaves beside the shared sample file would
    # make this real window ask to recover, in a dialog nobody answers.
    project_file = tmp_path / "sample.gpkg"
    shutil.copy(sample_project_file, project_file)
    guard = QTimer()  # never hang the suite
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: qapp.exit(1))
    guard.start(120_000)
    try:
        code = run_app(project_path=project_file)
    finally:
        guard.stop()
    assert code == 0
    window = seen[0]
    assert window.last_error == ""
    assert "grids" in window.session.stack.names()
    # Run the event loop once before the window closes: closing it right after the
    # application's own loop ended leaves later event loops holding the GIL, which
    # starves the worker threads of every test that follows in this process.
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    QTimer.singleShot(0, loop.quit)
    loop.exec()
    window.session.set_dirty(False)
    window.close()


def test_docked_panels_keep_qt_window_and_style(window):
    from PySide6.QtWidgets import QStyle

    from ui.dialogs.style_dialog import StyleDialog

    for panel in (window.analysis, window.checks, window.scenarios, window.edit_panel):
        assert panel.window() is window
    dialog = StyleDialog(window.session.stack.get("grids"), window)
    assert isinstance(dialog.style(), QStyle)
    assert dialog.size().width() > 0
    dialog.close()
