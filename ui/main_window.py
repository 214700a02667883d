"""The main window: canvas in the centre, docks around it, menus, toolbar, status bar."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from pyproj import CRS, Transformer
from PySide6.QtCore import QEventLoop, QSettings, QSize, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QToolBar,
    QWidget,
)

from gridplanner.errors import ProjectError
from gridplanner.locking import LockUnavailableError, ProjectLock, ProjectLockedError
from gridplanner.project import (
    AutosaveSlot,
    Project,
    autosave_path,
    changed_on_disk,
    claim_untitled_autosave,
    file_stamp,
    is_autosave_name,
    keep_aside,
    open_project,
    orphaned_autosaves,
    save_project,
)
from ui import i18n
from ui.canvas.basemap import install_basemap_menu
from ui.canvas.canvas import MapCanvas
from ui.canvas.tools import BoxTool, PanTool, PointTool
from ui.dialogs.messages import Prompter, plain_label
from ui.i18n import bind, tr
from ui.panels.attribute_table import AttributeTable
from ui.panels.identify import IdentifyPanel, features_at
from ui.panels.layers_panel import LayerPanel, group_title
from ui.panels.legend import LegendPanel
from ui.session import Session
from ui.workers import TaskRunner, wait_all

PROJECT_FILTER = "GridPlanner project (*.gpkg);;All files (*)"
MAX_RECENT = 8


def untitled_autosave_dir() -> Path:
    """Return the folder where work without a project file of its own is autosaved."""
    return Path(QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation) or Path.home() / ".gridplanner")


class _Declined(Exception):  # noqa: N818 (an answer, not an error)
    """The user chose not to go on (e.g. not to open a locked project read-only)."""


def _ask(prompter: Any, question: str, default: str, *args: Any) -> str:
    """Ask ``question`` of a prompter that may predate it (then ``default``)."""
    method = getattr(prompter, question, None)
    return str(method(*args)) if method is not None else default


class MainWindow(QMainWindow):
    """GridPlanner's main window.

    Signals
    -------
    project_loaded()
        A project finished opening (or failed: see ``last_error``).
    saved(str)
        The project was saved to a path.
    """

    project_loaded = Signal()
    saved = Signal(str)
    analysis_finished = Signal(str)
    analysis_failed = Signal(str, str)
    analysis_cancelled = Signal(str)
    #: Any end of an analysis run: finished, failed or cancelled.
    analysis_ended = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("GridPlannerMainWindow")
        self.session = Session(self)
        self.prompter = Prompter(self)
        self.settings = QSettings()
        self.last_error = ""
        self.canvas = MapCanvas(self.session.stack)
        self.setCentralWidget(self.canvas)
        self.io_runner = TaskRunner(self)
        self.runner = TaskRunner(self)  # analyses: a new run cancels the one in flight
        self._crs_runner = TaskRunner(self)
        self.save_runner = TaskRunner(self)
        self._saved_revision = -1
        self._crs_runner.finished.connect(lambda t: setattr(self, "_to_wgs84", t))
        self._pending_open: dict[str, Any] = {}
        self._to_wgs84: Transformer | None = None
        self._build_docks()
        self._build_status()
        self._build_actions()
        self._build_menus()
        self._connect()
        self.resize(1280, 820)
        self._autosave_timer = QTimer(self)
        self._autosave_timer.timeout.connect(self.autosave)
        minutes = float(str(self.settings.value("autosave_minutes", 3.0)))
        self._autosave_timer.start(max(int(minutes * 60000), 10000))
        self._restore_layout()
        self._update_title()

    # ------------------------------------------------------------------ build
    def _dock(self, key: str, title: str, widget: QWidget,
              area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(f"dock_{key}")
        bind(dock, "setWindowTitle", title)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        from ui.panels.analysis_panel import AnalysisPanel
        from ui.panels.checks_panel import ChecksPanel
        from ui.panels.edit_panel import EditPanel
        from ui.panels.scenario_panel import ScenarioPanel

        left = Qt.DockWidgetArea.LeftDockWidgetArea
        right = Qt.DockWidgetArea.RightDockWidgetArea
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.layer_panel = LayerPanel(self.session.stack)
        self.table = AttributeTable(self.session.stack)
        self.identify = IdentifyPanel(self.session.stack)
        self.analysis = AnalysisPanel(self)
        self.checks = ChecksPanel(self)
        self.scenarios = ScenarioPanel(self)
        self.edit_panel = EditPanel(self)
        self.legend = LegendPanel(self.session.stack, self.canvas)
        self.docks = {
            "layers": self._dock("layers", "Layers", self.layer_panel, left),
            "legend": self._dock("legend", "Legend", self.legend, left),
            "identify": self._dock("identify", "Identify", self.identify, left),
            "analysis": self._dock("analysis", "Analysis", self.analysis, right),
            "edit": self._dock("edit", "Editing", self.edit_panel, right),
            "scenarios": self._dock("scenarios", "Scenarios", self.scenarios, right),
            "table": self._dock("table", "Attribute table", self.table, bottom),
            "checks": self._dock("checks", "Checks", self.checks, bottom),
            "comparison": self._dock("comparison", "Scenario comparison",
                                     self.scenarios.compare_widget, bottom),
        }
        # the legend under the layers, always in view; Identify shares the layers' tab
        self.splitDockWidget(self.docks["layers"], self.docks["legend"],
                             Qt.Orientation.Vertical)
        self.tabifyDockWidget(self.docks["layers"], self.docks["identify"])
        self.tabifyDockWidget(self.docks["analysis"], self.docks["edit"])
        self.tabifyDockWidget(self.docks["edit"], self.docks["scenarios"])
        self.tabifyDockWidget(self.docks["table"], self.docks["checks"])
        self.tabifyDockWidget(self.docks["checks"], self.docks["comparison"])
        self.docks["layers"].raise_()
        self.docks["analysis"].raise_()
        self.docks["table"].raise_()
        self.resizeDocks([self.docks["layers"], self.docks["analysis"]], [250, 440],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["table"]], [250], Qt.Orientation.Vertical)

    def _build_status(self) -> None:
        bar = self.statusBar()
        self.coords = plain_label()
        self.scale_label = plain_label()
        self.render_label = plain_label()
        self.render_label.setMinimumWidth(110)
        self.scale_label.setMinimumWidth(90)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = bind(QPushButton(), "setText", "Cancel")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel_analysis)
        bar.addWidget(self.coords, 1)
        bar.addPermanentWidget(self.render_label)
        bar.addPermanentWidget(self.scale_label)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)

    def _action(self, text: str, slot: Any = None, shortcut: Any = None, *,
                checkable: bool = False, tip: str = "") -> QAction:
        action = QAction(self)
        bind(action, "setText", text)
        if tip:
            bind(action, "setToolTip", tip)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        if slot is not None:
            action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        from ui.editing import EditController

        a = self._action
        keys = QKeySequence.StandardKey
        self.act_new = a("&New project", self.new_project, keys.New)
        self.act_open = a("&Open project…", self.choose_open, keys.Open)
        self.act_save = a("&Save", self.save, keys.Save)
        self.act_save_as = a("Save &as…", self.save_as, keys.SaveAs)
        self.act_import = a("&Import layers…", self.import_layers, "Ctrl+I")
        self.act_export_html = a("HTML map…", lambda: self.export("html"))
        self.act_export_tables = a("Reports (XLSX/CSV)…", lambda: self.export("tables"))
        self.act_export_gpkg = a("Result layers (GeoPackage)…", lambda: self.export("gpkg"))
        self.act_export_png = a("Image of the view (PNG)…", lambda: self.export("png"))
        self.act_export_atlas = a("PDF atlas…", lambda: self.export("atlas"))
        self.act_quit = a("&Quit", self.close, keys.Quit)
        self.act_zoom_full = a("Zoom to full extent", self.canvas.zoom_full, "Ctrl+0")
        self.act_zoom_layer = a("Zoom to layer",
                                lambda: self.canvas.zoom_to_layer(self.layer_panel.current()))
        self.act_zoom_sel = a("Zoom to selection", self.canvas.zoom_to_selection, "Ctrl+J")
        self.act_clear_sel = a("Clear selection", self.session.stack.clear_selection, "Esc")
        self.tools_group = QActionGroup(self)
        self.act_pan = a("Pan", lambda: self.set_tool("pan"), checkable=True)
        self.act_identify = a("Identify", lambda: self.set_tool("identify"), "Ctrl+Shift+I",
                              checkable=True)
        self.act_select = a("Select", lambda: self.set_tool("select"), checkable=True,
                            tip="Click or drag a box on the current layer; Shift adds")
        for act in (self.act_pan, self.act_identify, self.act_select):
            self.tools_group.addAction(act)
        self.act_pan.setChecked(True)
        self.editing = EditController(self)
        self.act_undo = a("Undo", self.undo, "Ctrl+Z")
        self.act_redo = a("Redo", self.redo, "Ctrl+Shift+Z")
        self.language_group = QActionGroup(self)
        self.act_lang_system = a("Follow the system", lambda: self.set_language(""),
                                 checkable=True)
        self.act_lang_zh = a("简体中文", lambda: self.set_language("zh_CN"), checkable=True)
        self.act_lang_en = a("English", lambda: self.set_language("en"), checkable=True)
        for act in (self.act_lang_system, self.act_lang_zh, self.act_lang_en):
            self.language_group.addAction(act)
        stored = str(self.settings.value("language", ""))
        {"zh_CN": self.act_lang_zh, "en": self.act_lang_en}.get(
            stored, self.act_lang_system).setChecked(True)
        self.act_keep_results: QAction = a(
            "Keep analysis results in the project file",
            lambda: self.set_keep_results(self.act_keep_results.isChecked()), checkable=True,
            tip="Off: results are drawn again by running the analysis, and the project file "
                "stays small")
        keep = str(self.settings.value("keep_results", "false")).lower() == "true"
        self.act_keep_results.setChecked(keep)
        self.session.keep_results = keep
        self.act_about = a("About GridPlanner", self.about)

    def _menu(self, title: str) -> QMenu:
        menu = self.menuBar().addMenu("")
        bind(menu, "setTitle", title)
        return menu

    def _build_menus(self) -> None:
        m = self._menu("&File")
        m.addActions([self.act_new, self.act_open])
        self.recent_menu = m.addMenu("")
        bind(self.recent_menu, "setTitle", "Open &recent")
        m.addActions([self.act_save, self.act_save_as])
        m.addSeparator()
        m.addAction(self.act_import)
        export = m.addMenu("")
        bind(export, "setTitle", "&Export")
        export.addActions([self.act_export_html, self.act_export_tables, self.act_export_gpkg,
                           self.act_export_png, self.act_export_atlas])
        m.addSeparator()
        m.addAction(self.act_quit)
        self._rebuild_recent()
        m = self._menu("&Edit")
        m.addActions([self.act_undo, self.act_redo])
        m.addSeparator()
        m.addActions(self.editing.actions())
        m = self._menu("&View")
        m.addActions([self.act_pan, self.act_identify, self.act_select])
        m.addSeparator()
        m.addActions([self.act_zoom_full, self.act_zoom_layer, self.act_zoom_sel,
                      self.act_clear_sel])
        m.addSeparator()
        for dock in self.docks.values():
            m.addAction(dock.toggleViewAction())
        m.addSeparator()
        install_basemap_menu(self, m)
        m = self._menu("&Analysis")
        m.addActions(self.analysis.actions_for_menu())
        m = self._menu("&Settings")
        lang = m.addMenu("")
        bind(lang, "setTitle", "Language")
        lang.addActions([self.act_lang_system, self.act_lang_zh, self.act_lang_en])
        m.addAction(self.act_keep_results)
        m = self._menu("&Help")
        m.addAction(self.act_about)
        tb = QToolBar(self)
        tb.setObjectName("toolbar_main")
        bind(tb, "setWindowTitle", "Tools")
        tb.addActions([self.act_open, self.act_save])
        tb.addSeparator()
        tb.addActions([self.act_pan, self.act_identify, self.act_select, self.act_zoom_full,
                       self.act_zoom_sel])
        tb.addSeparator()
        tb.addActions([self.act_undo, self.act_redo])
        tb.addActions(self.editing.actions())
        self.addToolBar(tb)

    def _connect(self) -> None:
        s = self.session
        s.dirty_changed.connect(lambda _d: self._update_title())
        s.project_replaced.connect(self._project_replaced)
        s.history_changed.connect(self._update_undo)
        self.canvas.cursor_moved.connect(self._show_coords)
        self.canvas.view_changed.connect(self._show_scale)
        self.canvas.frame_ready.connect(
            lambda sec: self.render_label.setText(tr("render {ms:.0f} ms").format(ms=sec * 1000)))
        self.docks["comparison"].toggleViewAction().toggled.connect(
            self.scenarios.comparison_closed)
        self.layer_panel.current_changed.connect(self.table.show_layer)
        self.layer_panel.style_requested.connect(self.edit_style)
        self.layer_panel.zoom_requested.connect(self.canvas.zoom_to_layer)
        for runner in (self.runner, self.io_runner, self.save_runner):
            runner.progress.connect(self._progress)
            runner.busy_changed.connect(self._busy_changed)
        self.runner.finished.connect(self._analysis_finished)
        self.runner.failed.connect(self._analysis_failed)
        self.runner.cancelled.connect(self._analysis_cancelled)
        self.io_runner.finished.connect(self._io_done)
        self.io_runner.failed.connect(self._io_failed)
        self.io_runner.cancelled.connect(self._io_cancelled)
        self._update_undo()

    # --------------------------------------------------------------- status
    def _show_coords(self, x: float, y: float) -> None:
        crs = self.session.project.crs
        text = f"X {x:,.1f}  Y {y:,.1f}"
        if crs is not None:
            text += f"  ({crs.to_string()})"
            if self._to_wgs84 is not None:
                lon, lat = self._to_wgs84.transform(x, y)
                text += f"   {lon:.6f}°E  {lat:.6f}°N"
        self.coords.setText(text)

    def _show_scale(self) -> None:
        self.scale_label.setText(f"1:{self.canvas.scale_denominator():,.0f}")

    def _progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 100))
        self.progress.setFormat(f"{message[:40]} %p%")

    def _busy_changed(self, _busy: bool) -> None:
        busy = self.runner.is_busy() or self.io_runner.is_busy() or self.save_runner.is_busy()
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.progress.setValue(0)

    # -------------------------------------------------------------- analyses
    def run_analysis(self, label: str, fn: Any, on_done: Any) -> None:
        """Run ``fn(feedback)`` on the analysis thread; ``on_done(result)`` on the GUI thread.

        Starting another run cancels this one (its result is dropped).
        """
        self._analysis_done = on_done
        self.statusBar().showMessage(tr("Running: {what}").format(what=analysis_title(label)))
        self.runner.run(fn, label)

    def _analysis_finished(self, result: Any) -> None:
        label = self.runner.label
        done, self._analysis_done = getattr(self, "_analysis_done", None), None
        try:
            if done is not None:
                done(result)
        except Exception as exc:
            import traceback

            from ui.workers import readable_error

            self.statusBar().showMessage(
                tr("Failed: {what}").format(what=analysis_title(label)), 10000)
            self.prompter.error(tr("The result cannot be shown"), readable_error(exc),
                                traceback.format_exc())
            self.analysis_failed.emit(label, readable_error(exc))
            self.analysis_ended.emit(label)
            return
        self.statusBar().showMessage(tr("Finished: {what}").format(what=analysis_title(label)),
                                     5000)
        self.analysis_finished.emit(label)
        self.analysis_ended.emit(label)

    def _analysis_failed(self, message: str, details: str) -> None:
        label = self.runner.label
        self.last_error = message
        self.statusBar().showMessage(tr("Failed: {what}").format(what=analysis_title(label)),
                                     10000)
        self.prompter.error(tr("The analysis could not run"), message, details)
        self.analysis_failed.emit(label, message)
        self.analysis_ended.emit(label)

    def _analysis_cancelled(self) -> None:
        self.statusBar().showMessage(tr("Cancelled"), 5000)
        self.analysis_cancelled.emit(self.runner.label)
        self.analysis_ended.emit(self.runner.label)

    def cancel_analysis(self) -> None:
        """Cancel whatever long run is in flight."""
        self.runner.cancel()
        if self.io_runner.label == "open":
            self.io_runner.cancel()

    def _update_title(self) -> None:
        path = self.session.project.path
        name = path.name if path else tr("Untitled")
        if path is not None and self.session.read_only:
            name += " " + tr("(read-only)")
        star = "*" if self.session.dirty else ""
        self.setWindowTitle(f"{star}{name} — GridPlanner")

    def _update_undo(self) -> None:
        commands = self.session.commands
        self.act_undo.setEnabled(commands is not None and _flag(commands, "can_undo"))
        self.act_redo.setEnabled(commands is not None and _flag(commands, "can_redo"))

    # ------------------------------------------------------------------ tools
    def set_tool(self, name: str) -> None:
        """Switch the map tool (pan, identify, select or an editing tool)."""
        if name == "pan":
            tool: Any = PanTool()
            self.act_pan.setChecked(True)
        elif name == "identify":
            tool = PointTool(self._identify_at, "identify")
            self.act_identify.setChecked(True)
        elif name == "select":
            tool = BoxTool(self._select_in, name="select")
            self.act_select.setChecked(True)
        else:
            tool = self.editing.tool(name)
        self.canvas.set_tool(tool)

    def editing_enabled(self, enabled: bool) -> None:
        """Allow or forbid edits (forbidden while a scenario is shown read-only)."""
        for act in [*self.editing.actions(), self.act_undo, self.act_redo]:
            act.setEnabled(enabled)
        if not enabled and self.canvas.tool is not None and \
                getattr(self.canvas.tool, "name", "") in ("vertex", "reshape", "split",
                                                          "reassign_box", "reassign_lasso"):
            self.set_tool("pan")
        if enabled:
            self._update_undo()

    def _identify_at(self, x: float, y: float, _mods: Any) -> None:
        hits = features_at(self.session.stack, x, y, self.canvas.tolerance_m())
        self.identify.show_features(hits)
        self.docks["identify"].raise_()

    def _select_in(self, geom: Any, mods: Any) -> None:
        name = self.layer_panel.current()
        layer = self.session.stack.get(name)
        if layer is None:
            return
        rows = layer.frame.sindex.query(geom, predicate="intersects")
        add = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        self.session.stack.select(name, rows, add=add)

    # ------------------------------------------------------------- projects
    def new_project(self) -> None:
        """Start an empty project."""
        if self.maybe_save():
            self._install(Project())

    def choose_open(self) -> None:
        """Ask for a project file and open it."""
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self, tr("Open project"), "", PROJECT_FILTER)
        if path:
            self.open_project(Path(path), ask=False)

    def start(self, project_path: Path | None = None) -> None:
        """Start up: offer orphaned untitled work, then open ``project_path``.

        Work autosaved before it ever had a file is offered first, whatever project
        the app starts on (the bundled sample included); when it is recovered, that
        work is shown instead of ``project_path``.
        """
        if self.offer_untitled_recovery():
            return
        if project_path is not None:
            self.open_project(Path(project_path), ask=False)

    def open_project(self, path: Path, *, ask: bool = True, recover: bool = True) -> None:
        """Open ``path`` on a worker thread.

        The project's lock is taken first; when another window or program holds it,
        the user may open the project read-only. Holding the lock, an autosave left
        beside the file by a session that did not close is offered (recover it,
        delete it, or keep it as a file of its own). With ``recover=False`` such an
        autosave is kept aside without asking.
        """
        if ask and not self.maybe_save():
            return
        path = Path(path)
        sample_note = ""
        copy = user_copy_of_sample(path)
        if copy is not None:
            path, sample_note = copy, tr(
                "This is your own copy of the sample ({path}): Save writes it, never the "
                "installed sample.").format(path=copy)
        self.last_error = ""
        self._drop_pending()
        try:
            lock, read_only, note = self._lock_for_open(path)
        except _Declined:
            self._open_refused("cancelled")
            return
        source = path
        recovered = False
        auto = autosave_path(path.resolve())
        if lock is not None and auto.exists() and lock is not self.session.lock:
            answer = self._ask_recover(auto) if recover else "keep"
            if answer == "recover":
                source, recovered = auto, True
            elif answer == "discard":
                auto.unlink(missing_ok=True)
            elif answer == "keep" and (kept := self._keep_aside(auto, path)):
                note = kept
            else:  # cancelled, or the autosave could not be kept: open nothing
                lock.release()
                self._open_refused("cancelled")
                return
        self._pending_open = {"path": path, "recovered": recovered, "lock": lock,
                              "read_only": read_only, "slot": None,
                              "note": note or sample_note}
        self.statusBar().showMessage(tr("Opening {path}…").format(path=path.name))
        self.io_runner.run(lambda fb: open_project(source, feedback=fb), "open")

    def _lock_for_open(self, path: Path) -> tuple[ProjectLock | None, bool, str]:
        """Take the lock of ``path``: (lock or None, read-only, note for the user)."""
        current = self.session.lock
        if current is not None and current.held and current.path == ProjectLock(path).path:
            return current, False, ""
        lock = ProjectLock(path, program="GridPlanner app")
        try:
            lock.acquire()
        except ProjectLockedError as exc:
            answer = _ask(self.prompter, "ask_locked", "read_only", str(path), exc.message)
            if answer != "read_only":
                raise _Declined from exc
            return None, True, tr("Opened read-only: the project is open for changes "
                                  "elsewhere. Save your work under another name.")
        except LockUnavailableError:
            return None, True, tr("Opened read-only: the folder cannot be written to. "
                                  "Save your work under another name.")
        return lock, False, ""

    def _ask_recover(self, autosave: Path) -> str:
        """``recover``, ``discard``, ``keep`` (for later) or ``cancel``."""
        # Test and script prompters may still answer True/False (recover / not now).
        answer: str | bool | None = self.prompter.ask_recover(str(autosave))
        if answer is True:
            return "recover"
        if answer is False or answer is None:
            return "keep"
        return str(answer)

    def _keep_aside(self, autosave: Path, project: Path) -> str:
        """Keep a declined autosave as a file of its own; returns the note to show."""
        try:
            kept = keep_aside(autosave, project.resolve())
        except (OSError, ProjectError) as exc:
            self.prompter.error(tr("The autosave could not be kept"), str(exc))
            return ""
        return tr("The autosaved work was kept as {name}; open it to look at it.").format(
            name=kept.name)

    def _open_refused(self, reason: str) -> None:
        self.last_error = reason
        self.project_loaded.emit()

    def _drop_pending(self) -> None:
        """Release what an open still in flight holds (a newer open supersedes it)."""
        info, self._pending_open = self._pending_open, {}
        lock = info.get("lock")
        if lock is not None and lock is not self.session.lock:
            lock.release()
        slot = info.get("slot")
        if slot is not None and slot is not self.session.slot:
            slot.release()

    def _install(self, project: Project, *, dirty: bool = False,
                 lock: ProjectLock | None = None, read_only: bool = False,
                 slot: AutosaveSlot | None = None) -> None:
        """Show ``project``; the work replaced loses its autosaves unless it is unsaved."""
        if not self.session.dirty:
            self._finish_autosave()
            session = self.session
            if session.owns_file() and session.lock is not lock and \
                    session.project.path is not None:
                autosave_path(session.project.path).unlink(missing_ok=True)
            if session.slot is not None and session.slot is not slot:
                session.slot.path.unlink(missing_ok=True)
        self.session.set_project(project, dirty=dirty, lock=lock, read_only=read_only,
                                 slot=slot)

    def _io_done(self, result: Any) -> None:
        if self.io_runner.label == "open" or isinstance(result, Project):
            project: Project = result
            info, self._pending_open = self._pending_open, {}
            path = info.get("path")
            if path is None:  # recovered untitled work: it still needs a file
                project.path = None
                project.file_stamp = None
            else:
                project.path = Path(path).resolve()
                if info.get("recovered"):
                    project.file_stamp = file_stamp(project.path)
            self._install(project, dirty=bool(info.get("recovered")), lock=info.get("lock"),
                          read_only=bool(info.get("read_only")), slot=info.get("slot"))
            self._add_recent(project.path)
            note = str(info.get("note") or "")
            if note:
                self.statusBar().showMessage(note, 15000)
            elif project.path is not None:
                self.statusBar().showMessage(
                    tr("Opened {path}").format(path=project.path.name), 5000)
            else:
                self.statusBar().showMessage(tr("Recovered unsaved work: save it with "
                                                "Save as"), 15000)
            self.project_loaded.emit()
        elif isinstance(result, tuple) and result and result[0] == "autosaved":
            self.statusBar().showMessage(tr("Autosaved"), 3000)

    def _io_failed(self, message: str, details: str) -> None:
        self.last_error = message
        label = self.io_runner.label
        if label == "open":
            self._drop_pending()
            self.prompter.error(tr("The project cannot be opened"), message, details)
            self.project_loaded.emit()
        elif label != "autosave":
            self.prompter.error(tr("Problem"), message, details)

    def _io_cancelled(self) -> None:
        if self.io_runner.label == "open":
            self._drop_pending()
            self.last_error = "cancelled"
            self.project_loaded.emit()

    def _project_replaced(self) -> None:
        crs = self.session.project.crs
        self._to_wgs84 = None
        if crs is not None and not crs.is_geographic:
            # Building a transformer looks up the PROJ database (~0.2-0.4 s): off-thread.
            self._crs_runner.run(lambda _fb: _wgs84_transformer(crs), "crs")
        self.canvas.zoom_full()
        if "grids" in self.session.stack:
            self.layer_panel.set_current("grids")
        self._update_title()

    def save(self) -> bool:
        """Save to the project's file (asks for one when it has none or is read-only)."""
        path = self.session.project.path
        if path is None or self.session.read_only or self.session.lock is None:
            return self.save_as()
        return self._save_to(path)

    def save_as(self) -> bool:
        """Ask where, then save."""
        path, _ = QFileDialog.getSaveFileName(self, tr("Save project as"), "", PROJECT_FILTER)
        if not path:
            return False
        if not path.lower().endswith(".gpkg"):
            path += ".gpkg"
        if is_autosave_name(path):
            self.prompter.error(tr("The project cannot be saved"), tr(
                "{path}: this name is kept for autosaves, which GridPlanner replaces and "
                "deletes; choose another name").format(path=path))
            return False
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        # The file is written on the save thread; the window waits for it without
        # taking input (the user asked for the save and must not edit meanwhile).
        session = self.session
        project = session.project
        same = session.lock is not None and not session.read_only and \
            project.path is not None and session.lock.path == ProjectLock(path).path
        lock = session.lock if same else None
        if lock is not None:
            verdict = self._check_before_overwrite(lock, path)
            if verdict == "save_as":
                return self.save_as()
            if verdict != "ok":
                return False
        new_lock = None
        if lock is None:
            new_lock = ProjectLock(path, program="GridPlanner app")
            try:
                new_lock.acquire()
            except ProjectError as exc:
                self.prompter.error(tr("The project cannot be saved"), exc.message)
                return False
        self._finish_autosave()
        error = self._write_off_thread(path)
        if error is not None:
            if new_lock is not None:
                new_lock.release()
            self.prompter.error(tr("The project cannot be saved"), error)
            return False
        # The work is in the file now: the autosaves this window wrote are obsolete.
        if session.owns_file() and session.lock is not new_lock and lock is None:
            old = session.lock.path if session.lock is not None else None
            if old is not None:
                autosave_path(old).unlink(missing_ok=True)
        if session.slot is not None:
            session.slot.path.unlink(missing_ok=True)
        if new_lock is not None:
            own = autosave_path(new_lock.path)
            if own.exists():  # work of a crashed session of that file: never overwrite it
                self._keep_aside(own, new_lock.path)
            session.adopt_file(new_lock)
        else:
            autosave_path(path.resolve()).unlink(missing_ok=True)
        if session.revision == self._saved_revision:
            session.set_dirty(False)  # else the user changed something while it was written
        self._add_recent(project.path)
        self._update_title()
        self.saved.emit(str(path))
        return True

    def _write_off_thread(self, path: Path) -> str | None:
        """Write a snapshot of the project to ``path`` on the save thread.

        The window keeps painting (progress in the status bar) while the file is
        written, but takes no input, so what is saved is what the user sees. Returns
        None once saved, else the readable reason it was not.
        """
        session = self.session
        snapshot = session.snapshot(for_file=True)
        self._saved_revision = session.revision
        outcome: dict[str, Any] = {}
        loop = QEventLoop(self)

        def done(result: Any) -> None:
            outcome["ok"] = result
            loop.quit()

        def failed(message: str, _details: str = "") -> None:
            outcome["error"] = message
            loop.quit()

        runner = self.save_runner

        def cancelled() -> None:
            failed(tr("Saving was cancelled"))

        signals: list[tuple[Any, Any]] = [(runner.finished, done), (runner.failed, failed),
                                          (runner.cancelled, cancelled)]
        for signal, slot in signals:
            signal.connect(slot)
        frozen = [w for w in (self.centralWidget(), self.menuBar(), *self.docks.values(),
                              *self.findChildren(QToolBar)) if w is not None and w.isEnabled()]
        for widget in frozen:
            widget.setEnabled(False)
        self.setCursor(Qt.CursorShape.WaitCursor)
        self.statusBar().showMessage(tr("Saving {path}…").format(path=path.name))
        try:
            runner.run(lambda fb: save_project(snapshot, path, feedback=fb), "save")
            if runner.is_busy():
                loop.exec()
        finally:
            for signal, slot in signals:
                signal.disconnect(slot)
            for widget in frozen:
                widget.setEnabled(True)
            self.unsetCursor()
        if "error" in outcome:
            self.statusBar().clearMessage()
            return str(outcome["error"])
        session.project.path = snapshot.path
        session.project.file_stamp = snapshot.file_stamp
        self.statusBar().showMessage(tr("Saved {path}").format(path=path.name), 5000)
        return None

    def _check_before_overwrite(self, lock: ProjectLock, path: Path) -> str:
        """Before saving over the open file: ``ok``, ``save_as`` or ``stop``.

        The lock must still be this window's, and the file as it was read or last
        saved; when another program changed it, the user chooses.
        """
        if not lock.still_held():
            lock.release()
            try:
                lock.acquire()
            except ProjectError as exc:
                self.prompter.error(tr("The project cannot be saved"),
                                    exc.message + "\n" + tr("Save your work under another "
                                                            "name (Save as)."))
                return "stop"
        if changed_on_disk(self.session.project):
            answer = _ask(self.prompter, "ask_changed_on_disk", "cancel", str(path))
            if answer == "save_as":
                return "save_as"
            return "ok" if answer == "overwrite" else "stop"
        return "ok"

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False when the user cancels."""
        if not self.session.dirty:
            return True
        answer = self.prompter.ask_save_changes()
        if answer == "save":
            return self.save()
        if answer == "discard":
            self._drop_autosave()
            return True
        return False

    # -------------------------------------------------------------- autosave
    def autosave_target(self) -> Path | None:
        """Where the current work is autosaved (None when nowhere can be written).

        Beside the project when this window holds its lock; otherwise (untitled
        work, a project open read-only) in this window's own untitled slot.
        """
        session = self.session
        if session.owns_file() and session.project.path is not None:
            return autosave_path(session.project.path)
        if session.slot is None:
            try:
                session.slot = claim_untitled_autosave(untitled_autosave_dir())
            except ProjectError:
                return None
        return session.slot.path

    def autosave(self) -> None:
        """Save unsaved work aside (on a worker thread) when there is any."""
        if not self.session.dirty or self.io_runner.is_busy():
            return
        target = self.autosave_target()
        if target is None:
            return
        snapshot = self.session.snapshot(for_file=True)

        def work(fb: Any) -> tuple[str, str]:
            save_project(snapshot, target, feedback=fb)
            return ("autosaved", str(target))

        self.io_runner.run(work, "autosave")

    def _finish_autosave(self) -> None:
        """Let an autosave in flight end, so it cannot write after its file is removed."""
        if self.io_runner.is_busy() and self.io_runner.label == "autosave":
            self.io_runner.cancel()
            self.io_runner.wait(60000)

    def _drop_autosave(self) -> None:
        """Remove the autosaves of this window's work (only those it owns)."""
        self._finish_autosave()
        session = self.session
        if session.owns_file() and session.project.path is not None:
            autosave_path(session.project.path).unlink(missing_ok=True)
        if session.slot is not None:
            session.slot.path.unlink(missing_ok=True)

    def offer_untitled_recovery(self) -> bool:
        """Offer untitled work no running window owns (left by a crash); True if recovered.

        Each such autosave may be recovered (the first one recovered is opened, as
        untitled work that Save turns into Save as), deleted, or kept for later.
        """
        chosen: AutosaveSlot | None = None
        for slot in orphaned_autosaves(untitled_autosave_dir()):
            if chosen is not None:
                slot.release()
                continue
            answer = self._ask_recover(slot.path)
            if answer == "recover":
                chosen = slot
                continue
            if answer == "discard":
                slot.path.unlink(missing_ok=True)
            slot.release()
        if chosen is None:
            return False
        self._drop_pending()
        self.last_error = ""
        self._pending_open = {"path": None, "recovered": True, "lock": None,
                              "read_only": False, "slot": chosen, "note": ""}
        source = chosen.path
        self.io_runner.run(lambda fb: open_project(source, feedback=fb), "open")
        return True

    # ------------------------------------------------------------- recent
    def recent_files(self) -> list[str]:
        """Recently opened or saved projects, newest first."""
        value = self.settings.value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value] if isinstance(value, list) else []

    def _add_recent(self, path: Path | None) -> None:
        if path is None or path.parent == untitled_autosave_dir():
            return
        items = [str(path), *[p for p in self.recent_files() if p != str(path)]][:MAX_RECENT]
        self.settings.setValue("recent_files", items)
        self._rebuild_recent()

    def _rebuild_recent(self) -> None:
        self.recent_menu.clear()
        for item in self.recent_files():
            act = self.recent_menu.addAction(item)
            act.triggered.connect(lambda _c=False, p=item: self.open_project(Path(p)))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    # --------------------------------------------------------------- layout
    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def show_initial(self) -> None:
        """Show the window as it was left, or maximised on the first start."""
        if self.settings.value("window/geometry") is None:
            self.showMaximized()
        else:
            self.show()

    def set_keep_results(self, keep: bool) -> None:
        """Save analysis result layers with the project from now on (or not)."""
        self.settings.setValue("keep_results", "true" if keep else "false")
        self.act_keep_results.setChecked(keep)
        self.session.keep_results = keep
        if keep and self.session.result_layers:
            self.session.set_dirty(True)  # the results shown are not in the file yet

    def save_layout(self) -> None:
        """Remember window geometry and docks."""
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())

    # ----------------------------------------------------------- language
    def set_language(self, language: str) -> None:
        """Switch the interface language now and for the next start ('' = system)."""
        self.settings.setValue("language", language)
        i18n.set_language(language or None)
        self.statusBar().clearMessage()
        self.analysis.summary.clear()
        self.analysis.explain.clear()
        self._update_title()
        self.layer_panel.rebuild()

    # --------------------------------------------------------------- misc
    def edit_style(self, name: str) -> None:
        """Open the style editor of a layer."""
        from ui.dialogs.style_dialog import StyleDialog

        layer = self.session.stack.get(name)
        if layer is None:
            return
        dialog = StyleDialog(layer, self)
        if dialog.exec():
            self.session.stack.set_style(name, dialog.chosen_style())

    def import_layers(self) -> None:
        """Import layer files into the project (or a new one)."""
        from ui.dialogs.import_dialog import ImportDialog

        dialog = ImportDialog(self.session.project, self)
        if dialog.exec() and dialog.result_project is not None:
            self.apply_import(dialog.result_project)

    def apply_import(self, imported: Project) -> None:
        """Put imported layers into the open project (a new one when empty)."""
        project = self.session.project
        if not project.layers:
            imported.path = None
            self._install(imported, dirty=True)
            return
        for name, frame in imported.layers.items():
            project.set_layer(name, frame)
        self.canvas.zoom_full()

    def export(self, kind: str) -> None:
        """Open an export dialog.

        A table export first asks what to write when a comparison is open.
        """
        from ui.dialogs.export_dialog import ExportDialog

        source = "comparison"
        if kind == "tables" and self.scenarios.comparison is not None:
            source = _ask(self.prompter, "ask_tables_source", "comparison")
            if source not in ("comparison", "results"):
                return
        dialog = ExportDialog(self, kind)
        dialog.source = source
        self.last_export = dialog
        dialog.exec()

    def about(self) -> None:
        """Version and a short description."""
        from gridplanner import __version__

        self.prompter.info(tr("About GridPlanner"),
                           tr("GridPlanner {v}: grids, cameras and grid workers for "
                              "grid governance.").format(v=__version__))

    def undo(self) -> None:
        """Undo the last edit."""
        self._guard(self.session.undo)

    def redo(self) -> None:
        """Redo."""
        self._guard(self.session.redo)

    def _guard(self, fn: Any, *args: Any) -> Any:
        from layers.errors import GridPlannerError

        try:
            return fn(*args)
        except GridPlannerError as exc:
            self.prompter.error(tr("The edit was not applied"), exc.message)
        return None

    def sizeHint(self) -> QSize:  # noqa: D102
        return QSize(1280, 820)

    # -------------------------------------------------------------- closing
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: D102
        if not self.maybe_save():
            event.ignore()
            return
        self.save_layout()
        self._autosave_timer.stop()
        if not self.session.dirty:
            self._drop_autosave()
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Stop every worker thread (waits for them) and give up the project's lock.

        Autosaves stay where they are: closing through :meth:`closeEvent` removes
        them once the work is saved or discarded; otherwise they are recovered at
        the next start.
        """
        self._autosave_timer.stop()
        self.canvas.shutdown()
        self.runner.cancel()
        self.io_runner.cancel()
        self.save_runner.wait(60000)  # a save in flight ends: never half a file
        wait_all(10000)
        self._drop_pending()
        self.session.release()


def bundled_sample_paths() -> list[Path]:
    """Where the installed sample project may be (found without generating it)."""
    import os

    import sample_data
    from gridplanner.sample import SAMPLE_FILE

    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gridplanner"
    return [Path(sample_data.__file__).parent / SAMPLE_FILE, cache / SAMPLE_FILE]


def sample_copy_folder() -> Path:
    """Return the folder in the user's documents that holds their copy of the sample."""
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return (Path(docs) if docs else Path.home()) / "GridPlanner"


def user_copy_of_sample(path: Path) -> Path | None:
    """Return the user's copy of the installed sample when ``path`` is it, else None.

    The copy is made in the documents folder on first use and reused after, so
    work on the sample is kept and the installed file is never written.
    """
    try:
        resolved = path.resolve()
        bundled = next((p for p in bundled_sample_paths()
                        if p.exists() and p.resolve() == resolved), None)
    except OSError:
        return None
    if bundled is None:
        return None
    target = sample_copy_folder() / bundled.name
    if not target.exists():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _create_copy(bundled, target)
        except OSError:
            return None  # nowhere to copy: the first save asks for a place (read-only)
    return target


def _create_copy(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` only if ``target`` does not exist, in one step.

    Two apps starting at once may both find no copy: the copy is made beside the
    target and linked into place, which fails (and is dropped) when the other app's
    copy, perhaps already holding saved work, is there. Nobody sees a half copy.
    """
    import shutil

    tmp = target.with_name(f".{target.stem}.copy-{os.getpid()}{target.suffix}")
    try:
        shutil.copy2(source, tmp)
        try:
            os.link(tmp, target)
        except FileExistsError:
            return
        except OSError:  # no hard links here (FAT, some shares): create it exclusively
            try:
                with target.open("xb") as dst, tmp.open("rb") as src:
                    shutil.copyfileobj(src, dst)
            except FileExistsError:
                return
    finally:
        tmp.unlink(missing_ok=True)


#: Titles of the long runs that are not analyses (catalogue texts).
RUN_TITLES = {"compare": "Scenario comparison", "export": "Export"}


def analysis_title(name: str) -> str:
    """Return the translated title of the run ``name`` (an analysis, a comparison ...)."""
    return tr(RUN_TITLES[name]) if name in RUN_TITLES else group_title(name)


def _wgs84_transformer(crs: Any) -> Transformer | None:
    with contextlib.suppress(Exception):
        return Transformer.from_crs(crs, CRS.from_epsg(4326), always_xy=True)
    return None


def _flag(obj: Any, attr: str) -> bool:
    value = getattr(obj, attr, False)
    return bool(value() if callable(value) else value)
