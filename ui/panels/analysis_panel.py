"""Analysis dock: one page of options per registered analysis, run with progress and cancel.

The pages are built from the engine's registry (:func:`gridplanner.analyses.analyses`).
Each option becomes a widget by its type and :class:`~gridplanner.analyses.OptionInfo`:
a check box for a switch, a spin box bounded by the option's range for a number, a
list for choices, a line (with a browse button for files) for text; options shown
on the command line only are left out, and every widget starts at the option's
default. A run builds the options (``analysis.make_options``) and calls
``analysis.run`` on the project's :class:`~gridplanner.context.AnalysisContext` on
the window's analysis thread (starting one cancels the run in flight).

The result is shown the same way for every analysis: its layers go on the map under
the engine's names, one group per analysis (a new run replaces the layers of that
analysis's last run), its table in the table view and its summary under the options.
A layer whose engine name is a project layer's (the balanced proposal's ``grids``,
the service areas' ``service_areas``) is kept as ``<analysis>__<name>`` so the
project's own layer stays (:func:`layer_key`). What some analyses need beyond that
are small hooks keyed by analysis name: coverage keeps its
:class:`~gridplanner.coverage.CoverageState` so edits update coverage grid by grid,
allocation and coverage hide the dense household points, the grid checks fill the
Checks dock, the incident lookup (``route``, run by clicking the map) answers in the
Identify dock, and siting, placement and balancing results can be accepted into a new
scenario through :func:`gridplanner.scenarios.accept_result`. Above the engine's
summary the panel explains some results in the interface language, with names: who
is responsible for an incident and who is nearest, the walking distance before and
after new staff, why households stay unassigned (:func:`unassigned_reasons`).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gridplanner import palette
from gridplanner.allocation.assign import AllocationResult
from gridplanner.analyses import Analysis, AnalysisResult, analyses, get, option_info
from gridplanner.analyses.cameras import coverage_result
from gridplanner.context import AnalysisContext
from gridplanner.coverage import CoverageResult, CoverageState
from gridplanner.errors import GridPlannerError
from gridplanner.feedback import Feedback
from gridplanner.locate import grid_index, household_weights
from gridplanner.project import Project
from gridplanner.scenarios import accept_result
from gridplanner.scenarios.lifecycle import ACCEPTS
from layers.schema import SCHEMAS
from ui.canvas.styles import LayerStyle
from ui.dialogs.messages import plain_label
from ui.i18n import bind, on_language_change, tr
from ui.panels.attribute_table import ROLE_TITLES, FrameModel

if TYPE_CHECKING:
    from ui.main_window import MainWindow

#: Analyses without a page: the network summary is for the command line, and the
#: incident lookup is the click-the-map tool.
NO_PAGE = frozenset({"network", "route"})

#: Dense point layers are drawn only from this scale in (1:N).
DENSE_MAX_SCALE = 5000.0
#: Colour of the incident marker of the incident lookup.
INCIDENT_COLOUR = palette.INCIDENT

#: How result layers are drawn, by their name on the map (:func:`layer_key`). An
#: entry may depend on the run's options (the balanced proposal colours its band).
RESULT_STYLES: dict[str, LayerStyle | Callable[[Any], LayerStyle]] = {
    "grid_coverage": LayerStyle(mode="graduated", field="households_pct_all",
                                breaks=(0.0, 20.0, 40.0, 60.0, 80.0, 100.0001),
                                outline=palette.GRID_OUTLINE, fill_alpha=0.55, size_px=1.0,
                                unit="%"),
    "coverage_gaps": LayerStyle(colour=palette.GAP_AREA, outline=palette.GAP_AREA,
                                fill_alpha=0.25,
                                size_px=0.0),
    "uncovered_households": LayerStyle(colour=palette.UNCOVERED, size_px=2.5),
    # Thousands of dots at district scale: drawn from 1:5,000 in (QGIS-like).
    "uncovered_intersections": LayerStyle(colour=palette.UNSEEN_INTERSECTION, size_px=3.5,
                                          max_scale=DENSE_MAX_SCALE),
    "proposed_cameras": LayerStyle(colour=palette.PROPOSED_SITE[0], size_px=11.0,
                                   symbol="triangle"),
    "proposed_footprints": LayerStyle(colour=palette.PROPOSED_SITE[0],
                                      outline=palette.PROPOSED_SITE[1], fill_alpha=0.35,
                                      size_px=1.0),
    "assignments": LayerStyle(mode="graduated", field="distance_m",
                              breaks=(0.0, 250.0, 500.0, 1000.0, 2000.0, 1e9), size_px=3.0,
                              unit="m", reverse=True),
    "unassigned": LayerStyle(colour=palette.UNASSIGNED, size_px=6.0),
    "new_sites": LayerStyle(colour=palette.NEW_STAFF_SITE, size_px=12.0, symbol="diamond"),
    "routes": LayerStyle(colour=INCIDENT_COLOUR, size_px=22.0, symbol="star"),
    "service_areas__service_areas": LayerStyle(mode="categorised", field="facility_id",
                                               fill_alpha=0.35),
    "balance__grids": lambda options: LayerStyle(
        mode="graduated", field="households", outline=palette.PROPOSED_GRID_OUTLINE,
        fill_alpha=0.45,
        label_field="grid_id", unit="households",
        breaks=(0.0, options.min_households, options.max_households + 1, 1e9)),
}

#: Button text of the analyses whose results can become a scenario.
ACCEPT_LABELS = {"site-cameras": "Accept sites into a new scenario",
                 "place": "Accept new staff into a new scenario",
                 "balance": "Accept proposal into a new scenario"}

#: How choice values read in the forms (others show as they are).
CHOICE_TITLES = {**ROLE_TITLES, "grid": "By grid", "community": "By community",
                 "month": "By month", "week": "By week"}

#: Result layers drawn only when the user ticks them: thousands of overlapping
#: camera views or road pieces would bury the coverage colours and the gaps.
HIDDEN_RESULTS = frozenset({"camera_footprints", "uncovered_roads", "service_roads"})
#: Dense layers hidden when an analysis shows its own points over them.
HIDE_AFTER = {"coverage": ("households", "buildings"), "allocate": ("households",)}
#: Labels of options whose engine help reads badly beside a form field.
FORM_LABELS = {("place", "role"): "Role of the new staff",
               ("allocate", "role"): "Role"}

#: Largest number a spin box takes where the option sets no maximum.
_SPIN_MAX = 2_147_483_647


def layer_key(analysis: str, layer: str) -> str:
    """Name in the project and on the map of result ``layer`` of ``analysis``.

    The engine's name, unless that is a project layer's name (``grids``,
    ``service_areas``): then ``<analysis>__<layer>``, so the result sits beside the
    project's own layer instead of replacing it.

    Examples
    --------
    >>> layer_key("coverage", "grid_coverage"), layer_key("balance", "grids")
    ('grid_coverage', 'balance__grids')
    >>> layer_key("service-areas", "service_areas")
    'service_areas__service_areas'
    """
    return f"{analysis.replace('-', '_')}__{layer}" if layer in SCHEMAS else layer


def result_style(key: str, options: Any) -> LayerStyle | None:
    """Style of the result layer shown as ``key`` for a run with ``options``."""
    style = RESULT_STYLES.get(key)
    if style is None or isinstance(style, LayerStyle):
        return style
    return style(options)


# ------------------------------------------------------------------ option widgets
@dataclass
class OptionInput:
    """The widget of one option and how to read and set its value."""

    name: str
    widget: QWidget
    get: Callable[[], Any]
    set: Callable[[Any], None]
    #: What shows the option's help as a tooltip (and its unit as a suffix); the
    #: panel sets them again after a language switch.
    tip_widget: QWidget | None = None
    help: str = ""
    unit: str = ""

    def retranslate(self) -> None:
        """Show the help and unit in the current language."""
        if self.tip_widget is None:
            return
        self.tip_widget.setToolTip(option_tip(self.help, self.unit))
        if self.unit and isinstance(self.tip_widget, QSpinBox | QDoubleSpinBox):
            self.tip_widget.setSuffix(f" {tr(self.unit)}")


def option_tip(help_text: str, unit: str) -> str:
    """Return the tooltip of an option: its help, and its unit when it has one."""
    return f"{tr(help_text)} ({tr(unit)})" if unit else tr(help_text)


def _field_types(options: type) -> dict[str, Any]:
    return typing.get_type_hints(options)


def _split_optional(hint: Any) -> tuple[Any, bool]:
    """Return the base type of ``float | None`` and the like, and whether None is allowed."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return (args[0] if len(args) == 1 else str), len(args) < len(typing.get_args(hint))
    return hint, False


def option_input(f: dataclasses.Field[Any], hint: Any, parent: QWidget) -> OptionInput:
    """Build the widget of option ``f`` (annotation ``hint``), set to its default."""
    info = option_info(f)
    kind, optional = _split_optional(hint)
    default = None if f.default is dataclasses.MISSING else f.default
    tip = option_tip(info.help, info.unit)
    if kind is bool:
        box = QCheckBox()
        box.setChecked(bool(default))
        return OptionInput(f.name, box, box.isChecked, lambda v: box.setChecked(bool(v)))
    if info.choices:
        combo = QComboBox()
        values = ([None] if optional else []) + list(info.choices)
        for value in values:
            combo.addItem("" if value is None else tr(CHOICE_TITLES.get(str(value), str(value))),
                          value)
        combo.setCurrentIndex(max(values.index(default), 0) if default in values else 0)
        return OptionInput(f.name, combo, combo.currentData,
                           lambda v: combo.setCurrentIndex(max(combo.findData(v), 0)))
    if kind in (int, float):
        number = _number_input(f.name, kind, info.minimum, info.maximum, info.unit, optional,
                               default, tip)
        return dataclasses.replace(number, tip_widget=number.widget, help=info.help,
                                   unit=info.unit)
    line = QLineEdit("" if default is None else str(default))
    line.setToolTip(tip)

    def text() -> str | None:
        value = line.text().strip()
        return None if optional and not value else value

    def set_text(v: Any) -> None:
        line.setText("" if v is None else str(v))

    if info.metavar != "FILE":
        return OptionInput(f.name, line, text, set_text, line, info.help, info.unit)
    row = QWidget(parent)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(line, 1)
    browse = bind(QPushButton(), "setText", "Browse…")

    def choose() -> None:
        path, _ = QFileDialog.getOpenFileName(parent, tr(info.help), line.text())
        if path:
            line.setText(path)

    browse.clicked.connect(choose)
    layout.addWidget(browse)
    return OptionInput(f.name, row, text, set_text, line, info.help, info.unit)


def _number_input(name: str, kind: type, low: float | None, high: float | None, unit: str,
                  optional: bool, default: Any, tip: str) -> OptionInput:
    lowest = float(low) if low is not None else -float(_SPIN_MAX)
    highest = float(high) if high is not None else float(_SPIN_MAX)
    box: QSpinBox | QDoubleSpinBox
    if kind is int:
        box = QSpinBox()
    else:
        box = QDoubleSpinBox()
        box.setDecimals(2)
    # An option that may be left unset (the engine then picks its default) shows
    # "—" one step below its minimum.
    floor = lowest - box.singleStep() if optional else lowest
    if isinstance(box, QSpinBox):
        box.setRange(int(max(floor, -_SPIN_MAX)), int(min(highest, _SPIN_MAX)))
    else:
        box.setRange(floor, highest)
    if optional:
        box.setSpecialValueText("—")
    if unit:
        box.setSuffix(f" {tr(unit)}")
    box.setToolTip(tip)

    def get_value() -> Any:
        value = box.value()
        if optional and value <= floor:
            return None
        return int(value) if kind is int else float(value)

    def set_value(v: Any) -> None:
        if isinstance(box, QSpinBox):
            box.setValue(int(floor) if v is None else int(v))
        else:
            box.setValue(floor if v is None else float(v))

    set_value(default if default is not None else (None if optional else lowest))
    return OptionInput(name, box, get_value, set_value)


# ------------------------------------------------------------------ the panel
@dataclass(frozen=True)
class Run:
    """A finished run: the analysis, the options it ran with and its result."""

    analysis: Analysis
    options: Any
    result: AnalysisResult


RunHook = Callable[[Project, Any, Feedback], tuple[AnalysisResult, Any]]


class AnalysisPanel(QWidget):
    """The analysis dock."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.main_window = window
        self.pages = [a for a in analyses() if a.name not in NO_PAGE]
        self.last: Run | None = None
        #: The engine's results of the last coverage and allocation runs (for exports).
        self.coverage: CoverageResult | None = None
        self.allocation: AllocationResult | None = None
        self._coverage_state: CoverageState | None = None
        #: Per analysis: engine layer name -> name on the map, of its last run.
        self.groups: dict[str, dict[str, str]] = {}
        #: Per analysis: result tables without geometry of its last run.
        self.tables: dict[str, dict[str, pd.DataFrame]] = {}
        self._owner: dict[str, str] = {}
        self._run_hooks: dict[str, RunHook] = {"coverage": self._run_coverage}
        self._shown_hooks: dict[str, Callable[[Run, Any], None]] = {
            "coverage": self._coverage_shown, "allocate": self._allocation_shown,
            "check": self._checks_shown, "route": self._incident_shown,
            "place": self._placement_shown}
        self.choice = QComboBox()
        self.stack = QStackedWidget()
        self.run_button = bind(QPushButton(), "setText", "Run")
        self.run_button.clicked.connect(lambda: self.run())
        self.accept_button = QPushButton()
        self.accept_button.setEnabled(False)
        self.accept_button.clicked.connect(lambda: self.accept_into_scenario())
        self.running = ""
        #: What the app explains of a result in the interface language (who, why).
        self.explain = plain_label(word_wrap=True)
        self.explain.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = plain_label()
        self.summary.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        summary_area = QScrollArea()
        summary_area.setWidgetResizable(True)
        summary_box = QWidget()
        summary_layout = QVBoxLayout(summary_box)
        summary_layout.setContentsMargins(2, 2, 2, 2)
        summary_layout.addWidget(self.explain)
        summary_layout.addWidget(self.summary, 1)
        summary_area.setWidget(summary_box)
        self.model = FrameModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.inputs: dict[str, dict[str, OptionInput]] = {}
        self._choice_boxes: list[tuple[QComboBox, OptionInput]] = []
        for analysis in self.pages:
            self.stack.addWidget(self._page(analysis))
        self.choice.currentIndexChanged.connect(self.stack.setCurrentIndex)
        options_area = QScrollArea()
        options_area.setWidgetResizable(True)
        options_area.setWidget(self.stack)
        top = QWidget()
        form = QVBoxLayout(top)
        form.setContentsMargins(0, 0, 0, 0)
        form.addWidget(self.choice)
        form.addWidget(options_area, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.accept_button)
        form.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(summary_area)
        split.addWidget(self.table)
        split.setSizes([420, 160, 260])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(split)
        self._menu_actions: list[QAction] = []
        window.session.project_replaced.connect(self._project_replaced)
        window.analysis_failed.connect(self._run_failed)
        window.analysis_cancelled.connect(self._run_cancelled)
        on_language_change(self._retranslate)
        self._retranslate()

    # ----------------------------------------------------------------- pages
    def _page(self, analysis: Analysis) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        # Help texts are sentences: each above its widget, wrapped to the dock's width.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        hints = _field_types(analysis.options)
        inputs: dict[str, OptionInput] = {}
        for f in analysis.fields():
            info = option_info(f)
            if info.cli_only:
                continue
            item = option_input(f, hints[f.name], page)
            label = bind(QLabel(), "setText",
                         FORM_LABELS.get((analysis.name, f.name), info.form_label))
            label.setWordWrap(True)
            form.addRow(label, item.widget)
            inputs[f.name] = item
            if isinstance(item.widget, QComboBox):
                self._choice_boxes.append((item.widget, item))
        self.inputs[analysis.name] = inputs
        return page

    def _retranslate(self) -> None:
        index = self.choice.currentIndex()
        self.choice.blockSignals(True)
        self.choice.clear()
        for analysis in self.pages:
            self.choice.addItem(tr(analysis.title), analysis.name)
        self.choice.setCurrentIndex(max(index, 0))
        self.choice.blockSignals(False)
        for page in self.inputs.values():
            for item in page.values():
                item.retranslate()
        for combo, _item in self._choice_boxes:
            for i in range(combo.count()):
                value = combo.itemData(i)
                combo.setItemText(i, "" if value is None else
                                  tr(CHOICE_TITLES.get(str(value), str(value))))
        self._update_accept()

    def values(self, name: str) -> dict[str, Any]:
        """Return the option values the page of analysis ``name`` shows."""
        return {key: item.get() for key, item in self.inputs.get(name, {}).items()}

    def actions_for_menu(self) -> list[QAction]:
        """One menu action per analysis, then the incident tool.

        An analysis entry opens its options; nothing runs before the user presses Run.
        """
        actions = []
        for analysis in self.pages:
            act = QAction(self.main_window)
            bind(act, "setText", analysis.title)
            act.triggered.connect(lambda _c=False, n=analysis.name: self.open_options(n))
            actions.append(act)
        incident = QAction(self.main_window)
        bind(incident, "setText", "Incident lookup (click the map)")
        incident.triggered.connect(self.start_incident_tool)
        actions.append(incident)
        self._menu_actions = actions
        return actions

    def select(self, name: str) -> None:
        """Show the options of analysis ``name``."""
        self.choice.setCurrentIndex([a.name for a in self.pages].index(name))
        self.main_window.docks["analysis"].raise_()

    def open_options(self, name: str) -> None:
        """Show the options of ``name`` with the Run button ready (nothing starts)."""
        dock = self.main_window.docks["analysis"]
        dock.show()
        self.select(name)
        self.run_button.setFocus()

    def show_and_run(self, name: str) -> None:
        """Select an analysis and run it with its current options."""
        self.select(name)
        self.run(name)

    # ------------------------------------------------------------------ runs
    def run(self, name: str | None = None, values: dict[str, Any] | None = None) -> None:
        """Run an analysis on the analysis thread (cancelling any run in flight).

        ``values`` default to what its page shows; options the engine refuses are
        reported without running.
        """
        analysis = get(name or str(self.choice.currentData()))
        try:
            options = analysis.make_options(self.values(analysis.name) if values is None
                                            else values)
        except GridPlannerError as exc:
            self.main_window.prompter.error(tr("The analysis could not run"),
                                            form_wording(analysis, exc.message))
            return
        project = self.main_window.session.project
        context = AnalysisContext.of(project)  # made here, not on the worker thread
        hook = self._run_hooks.get(analysis.name)

        def work(feedback: Feedback) -> tuple[AnalysisResult, Any]:
            if hook is not None:
                return hook(project, options, feedback)
            return analysis.run(context, options, feedback), None

        self.summary.setText(tr("Running {name}…").format(name=tr(analysis.title)))
        self.explain.clear()
        self.running = analysis.name
        self.main_window.run_analysis(analysis.name, work,
                                      lambda out: self._finished(analysis, options, out))

    def _run_failed(self, label: str, message: str) -> None:
        if self.running and label == self.running:
            self.running = ""
            self.summary.setText(tr("The run failed: {message}").format(
                message=form_wording(get(label), message)))

    def _run_cancelled(self, label: str) -> None:
        if self.running and label == self.running:
            self.running = ""
            self.summary.setText(tr("Cancelled"))

    def _finished(self, analysis: Analysis, options: Any,
                  out: tuple[AnalysisResult, Any]) -> None:
        result, extra = out
        self.running = ""
        run = Run(analysis, options, result)
        self.last = run
        self._show_layers(run)
        self.show_table(result.table)
        self.summary.setText(result.summary)
        stack = self.main_window.session.stack
        for name in HIDE_AFTER.get(analysis.name, ()):
            stack.set_visible(name, False)
        shown = self._shown_hooks.get(analysis.name)
        if shown is not None:
            shown(run, extra)
        self._update_accept()

    def _show_layers(self, run: Run) -> None:
        """Put the run's layers on the map; drop its analysis's layers of the last run."""
        session = self.main_window.session
        name = run.analysis.name
        keys: dict[str, str] = {}
        tables: dict[str, pd.DataFrame] = {}
        for layer, frame in run.result.layers.items():
            if not isinstance(frame, gpd.GeoDataFrame):
                tables[layer] = frame
                continue
            key = layer_key(name, layer)
            first = key not in session.stack
            session.add_result_layer(key, frame, group=name)
            if first and key in HIDDEN_RESULTS:
                session.stack.set_visible(key, False)
            style = result_style(key, run.options)
            if style is not None:
                session.stack.set_style(key, style)
            keys[layer] = key
        for key in self.groups.get(name, {}).values():
            if key not in keys.values() and self._owner.get(key) == name:
                session.remove_result_layer(key)
                del self._owner[key]
        self.groups[name] = keys
        self.tables[name] = tables
        self._owner.update(dict.fromkeys(keys.values(), name))

    def layers_of(self, name: str) -> dict[str, pd.DataFrame]:
        """Return the layers of the last run of ``name`` by engine name, as the app holds them.

        Map layers are read back from the project; tables without geometry are the
        ones kept for the table view.
        """
        project = self.main_window.session.project
        out: dict[str, pd.DataFrame] = {
            layer: project.extra_layers[key] for layer, key in self.groups.get(name, {}).items()
            if self._owner.get(key) == name and key in project.extra_layers}
        out.update(self.tables.get(name, {}))
        return out

    def _project_replaced(self) -> None:
        self.last = None
        self.coverage = None
        self.allocation = None
        self._coverage_state = None
        self.groups.clear()
        self.tables.clear()
        self._owner.clear()
        self.summary.clear()
        self.explain.clear()
        self.running = ""
        self.show_table(None)
        self._update_accept()

    def _update_accept(self) -> None:
        name = self.last.analysis.name if self.last is not None else ""
        ok = name in ACCEPT_LABELS and name in ACCEPTS
        self.accept_button.setText(tr(ACCEPT_LABELS[name]) if ok else
                                   tr("Accept into a new scenario"))
        self.accept_button.setEnabled(ok)

    def show_table(self, frame: pd.DataFrame | None) -> None:
        """Show a result table under the options."""
        if frame is None:
            frame = pd.DataFrame()
        if isinstance(frame, gpd.GeoDataFrame):
            frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        self.model.set_frame(frame)
        self.table.resizeColumnsToContents()

    # ------------------------------------------------------------------ hooks
    @staticmethod
    def _run_coverage(project: Project, options: Any,
                      feedback: Feedback) -> tuple[AnalysisResult, Any]:
        # The state stays with the panel: edits then update coverage grid by grid.
        state = CoverageState.from_project(project, include_offline=options.include_offline,
                                           use_buildings=options.use_buildings,
                                           feedback=feedback)
        return coverage_result(state.result(), options), state

    def _coverage_shown(self, run: Run, state: Any) -> None:
        self.coverage = run.result.value
        self._coverage_state = state
        grids = run.result.layers["grid_coverage"]
        shares = dict(zip(grids["grid_id"].astype(str), grids["households_pct_all"],
                          strict=True))
        self.main_window.edit_panel.set_coverage_baseline(shares)

    def coverage_update(self, changed_ids: list[str]) -> dict[str, float] | None:
        """Household coverage share of the grids an edit changed, recomputed grid-locally.

        Goes through the coverage state kept from the last coverage run; None when
        no coverage has been run (or the update cannot be made).
        """
        state = self._coverage_state
        if state is None or not changed_ids:
            return None
        try:
            rows = state.update(self.main_window.session.project, changed_grid_ids=changed_ids)
        except GridPlannerError:
            return None
        return {str(g): float(v) if pd.notna(v) else float("nan")
                for g, v in zip(rows["grid_id"], rows["households_pct_all"], strict=True)}

    def _allocation_shown(self, run: Run, _extra: Any) -> None:
        self.allocation = run.result.value
        project = self.main_window.session.project
        lines = unassigned_reasons(run.result.layers.get("unassigned"), project.layer("grids"),
                                   project.layer("staff"), role=run.options.role,
                                   within_grid=run.options.within_grid)
        self.explain.setText("\n".join(lines))

    def _placement_shown(self, run: Run, _extra: Any) -> None:
        value = run.result.value
        before = float(getattr(value, "total_before_household_m", float("nan")))
        after = float(getattr(value, "total_after_household_m", float("nan")))
        kept = float(getattr(value, "served_before_after_household_m", float("nan")))
        served0 = int(getattr(value, "served_before_households", 0))
        served1 = int(getattr(value, "served_after_households", 0))
        role = role_title(run.options.role)
        self.explain.setText("\n".join([
            tr("{n} new {role} bases").format(n=len(run.result.layers.get("new_sites", [])),
                                            role=role),
            tr("Total walking distance of the households served before: {before} m → "
               "{after} m").format(before=f"{before:,.0f}", after=f"{kept:,.0f}"),
            tr("Total walking distance of all households served: {before} m ({n0} "
               "households) → {after} m ({n1} households)").format(
                before=f"{before:,.0f}", after=f"{after:,.0f}", n0=f"{served0:,}",
                n1=f"{served1:,}")]))

    def _checks_shown(self, run: Run, _extra: Any) -> None:
        self.main_window.checks.show_result(run.result.value)
        self.main_window.docks["checks"].raise_()

    def _incident_shown(self, run: Run, _extra: Any) -> None:
        table = run.result.table
        if not len(table):
            return
        project = self.main_window.session.project
        records = incident_records(table.iloc[0], project.layer("grids"),
                                   project.layer("staff"))
        self.main_window.identify.show_records(records)
        self.main_window.docks["identify"].raise_()
        routes = run.result.layers.get("routes")
        if routes is not None and len(routes):  # the star of the incident layer marks it
            self.main_window.session.stack.set_visible(layer_key("route", "routes"), True)
        grid = str(records[0][1].get("Grid", "—"))
        self.explain.setText(tr("Incident in grid {grid}").format(grid=grid) if grid != "—"
                             else tr("The incident is outside every grid"))

    # ------------------------------------------------------- into scenarios
    def accept_into_scenario(self, name: str | None = None) -> str | None:
        """Store the last siting, placement or balancing result as a new scenario."""
        last = self.last
        if last is None or last.analysis.name not in ACCEPTS:
            return None
        name = name or self.main_window.prompter.ask_text(tr("New scenario"), tr("Scenario name"),
                                                     tr("proposal"))
        if not name:
            return None
        try:
            accept_result(self.main_window.session.project, name, last.result, last.options,
                          description=tr("accepted from {what}").format(
                              what=tr(last.analysis.title)))
        except GridPlannerError as exc:
            self.main_window.prompter.error(tr("The scenario was not created"), exc.message)
            return None
        self.main_window.scenarios.refresh()
        return name

    # ------------------------------------------------------------ incidents
    def start_incident_tool(self) -> None:
        """Click the map to see who owns a point and who is nearest."""
        from ui.canvas.tools import PointTool

        self.main_window.canvas.set_tool(PointTool(lambda x, y, _m: self.incident_at(x, y),
                                              "incident"))

    def incident_at(self, x: float, y: float) -> None:
        """Look up an incident point (the ``route`` analysis); the answer goes to Identify."""
        self.run("route", {"at": f"{float(x)!r},{float(y)!r}"})


def form_wording(analysis: Analysis, message: str) -> str:
    """Name the form's fields where an engine message names command-line flags.

    ``give --min below --max`` reads "give “Households at least” below “Households
    at most”" in the form that has no flags.
    """
    import re

    for f in analysis.fields():
        info = option_info(f)
        label = f"“{tr(FORM_LABELS.get((analysis.name, f.name), info.form_label))}”"
        for flag in {info.flag or "--" + f.name.replace("_", "-"), info.short} - {""}:
            message = re.sub(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", label, message)
    return message


# ------------------------------------------------------------- explanations
#: One member of each staff role, as sentences name them (catalogue texts, context
#: ``member``).
ROLE_NOUNS = {"full_time": "full-time grid worker", "grid_head": "grid head",
              "police": "grid police officer", "part_time": "part-time grid worker"}


def role_title(role: str) -> str:
    """Return one member of a staff role, in the interface language."""
    from gridplanner.i18n import pgettext

    return pgettext("member", ROLE_NOUNS[role]) if role in ROLE_NOUNS else str(role)


def _people(ids: Any, staff: pd.DataFrame) -> str:
    """``name (phone)`` of the staff ids in ``ids`` (``;``-joined text), or ''."""
    text = "" if ids is None or (isinstance(ids, float) and pd.isna(ids)) else str(ids)
    wanted = [i for i in (t.strip() for t in text.split(";")) if i]
    if not wanted:
        return ""
    known = staff.set_index(staff["staff_id"].astype(str)) if "staff_id" in staff.columns \
        else pd.DataFrame()
    shown = []
    for sid in wanted:
        if sid not in known.index:
            shown.append(sid)
            continue
        row = known.loc[sid]
        row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
        name = str(row.get("name", "") or sid)
        phone = str(row.get("phone", "") or "")
        shown.append(f"{name} ({phone})" if phone else name)
    return "; ".join(shown)


def incident_records(row: pd.Series, grids: pd.DataFrame, staff: pd.DataFrame
                     ) -> list[tuple[str, dict[str, Any]]]:
    """Return what the incident lookup shows: the grid by name, its staff, the nearest.

    Titles and field names are catalogue texts; people read ``name (phone)``.
    """
    from gridplanner.routing import ROUTE_ROLES

    gid = str(row.get("grid_id", "") or "")
    grid_text = gid
    if gid and "grid_id" in grids.columns and "name" in grids.columns:
        names = grids.loc[grids["grid_id"].astype(str) == gid, "name"]
        if len(names) and str(names.iloc[0]):
            grid_text = f"{names.iloc[0]} ({gid})"
    where: dict[str, Any] = {"Grid": grid_text or "—",
                             "Community": str(row.get("community_id", "") or "—")}
    responsible: dict[str, Any] = {}
    nearest: dict[str, Any] = {}
    for role in ROUTE_ROLES:
        title = ROLE_FIELD_TITLES[role]
        responsible[title] = _people(row.get(role), staff) or "—"
        who = _people(row.get(f"nearest_{role}"), staff)
        metres = row.get(f"nearest_{role}_m")
        if who and metres is not None and not pd.isna(metres):
            who += f", {float(metres):,.0f} {tr('m')}"
        nearest[title] = who or "—"
    return [("Incident", where), ("Staff responsible for the grid", responsible),
            ("Nearest staff on the roads", nearest)]


#: Field names of the staff roles in the incident lookup (catalogue texts).
ROLE_FIELD_TITLES = {"grid_head": "Grid head", "full_time": "Full-time grid worker",
                     "police": "Grid police officer"}


def unassigned_reasons(unassigned: pd.DataFrame | None, grids: gpd.GeoDataFrame,
                       staff: pd.DataFrame, *, role: str, within_grid: bool) -> list[str]:
    """Why households stay unassigned, in the interface language, most households first.

    Within grids, a grid whose staff of ``role`` is missing altogether says so by
    name ("grid … has no full-time worker: 1,768 households"); the other reasons
    are the engine's, counted.
    """
    if unassigned is None or not len(unassigned):
        return [tr("Every household is assigned.")]
    weights = pd.Series(household_weights(unassigned), index=unassigned.index)
    lines: list[tuple[int, str]] = []
    handled = np.zeros(len(unassigned), dtype=bool)
    if within_grid and isinstance(unassigned, gpd.GeoDataFrame) and len(grids):
        from gridplanner.integrity import staff_grid_ids

        grid_of = grid_index(np.asarray(grids.geometry.values, dtype=object),
                             np.asarray(unassigned.geometry.values, dtype=object))
        of_role = staff[staff["role"].astype(str) == role] if "role" in staff.columns \
            else staff.iloc[:0]
        staffed = set(staff_grid_ids(of_role["grid_id"])) if "grid_id" in of_role.columns \
            else set()
        ids = grids["grid_id"].astype(str).to_numpy()
        names = grids["name"].astype(str).to_numpy() if "name" in grids.columns \
            else ids
        for g in np.unique(grid_of[grid_of >= 0]):
            if ids[g] in staffed:
                continue
            mask = grid_of == g
            handled |= mask
            label = f"{names[g]} ({ids[g]})" if names[g] and names[g] != ids[g] else ids[g]
            lines.append((int(weights[mask].sum()), tr(
                "grid {grid} has no {role}: {n} households").format(
                grid=label, role=role_title(role), n=f"{int(weights[mask].sum()):,}")))
    rest = unassigned[~handled]
    if len(rest):
        counted = weights[~handled].groupby(rest["reason"].astype(str)).sum()
        for reason, n in counted.items():
            lines.append((int(n), tr("{reason}: {n} households").format(
                reason=tr(str(reason)), n=f"{int(n):,}")))
    total = int(weights.sum())
    lines.sort(key=lambda item: -item[0])
    return [tr("{n} households stay unassigned:").format(n=f"{total:,}"),
            *(f"  {text}" for _n, text in lines)]
