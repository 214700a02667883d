"""Scenarios dock: list, create, rename, delete, view; compare side by side.

Scenarios live in the project (``gridplanner.scenarios``). Viewing one shows its
layers on the map read-only; the base data ("current") stays what edits change.
"Create from current edits" turns the grid edits made since the project was
opened into a scenario and puts the base grids back, so the edit can be compared
with the data it started from.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QModelIndex, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridplanner import palette
from gridplanner.errors import GridPlannerError
from gridplanner.scenarios import (
    Comparison,
    apply_scenario,
    compare_scenarios,
    delete_scenario,
    rename_scenario,
    scenario_from_edits,
    scenario_names,
)
from layers.schema import SCHEMAS
from ui.dialogs.messages import plain_label
from ui.i18n import bind, on_language_change, tr

if TYPE_CHECKING:
    from ui.main_window import MainWindow

BETTER = QColor(palette.BETTER)
WORSE = QColor(palette.WORSE)
BAR_COLOURS = palette.CHART


class BarChart(QWidget):
    """Bars of one figure across scenarios (painted with QPainter, CJK-safe)."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.values: list[tuple[str, float]] = []
        self.setMinimumHeight(160)

    def set_data(self, title: str, values: list[tuple[str, float]]) -> None:
        """Show ``values`` (label, number) under ``title``."""
        self.title = title
        self.values = values
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: D102
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        font = QFont()
        font.setPointSizeF(9)
        p.setFont(font)
        p.setPen(QColor("#222222"))
        p.drawText(QRectF(6, 4, self.width() - 12, 18), Qt.AlignmentFlag.AlignLeft, self.title)
        font.setPointSizeF(8.5)
        p.setFont(font)
        finite = [v for _l, v in self.values if v is not None and math.isfinite(v)]
        if not finite:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, tr("no value"))
            p.end()
            return
        top = max(max(finite), 0.0) or 1.0
        n = len(self.values)
        left, right, y0, y1 = 10.0, self.width() - 10.0, 44.0, self.height() - 24.0
        slot = (right - left) / max(n, 1)
        p.setPen(QPen(QColor("#888888"), 1))
        p.drawLine(QPointF(left, y1), QPointF(right, y1))
        for i, (label, value) in enumerate(self.values):
            x = left + i * slot + slot * 0.15
            w = slot * 0.7
            if value is not None and math.isfinite(value):
                h = (y1 - y0) * max(value, 0.0) / top
                p.fillRect(QRectF(x, y1 - h, w, h), QColor(BAR_COLOURS[i % len(BAR_COLOURS)]))
                p.setPen(QColor("#222222"))
                p.drawText(QRectF(x - 10, y1 - h - 16, w + 20, 14),
                           Qt.AlignmentFlag.AlignCenter, _num(value))
            p.setPen(QColor("#222222"))
            p.drawText(QRectF(x - 10, y1 + 3, w + 20, 16), Qt.AlignmentFlag.AlignCenter,
                       label[:18])
        p.end()


def _num(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


class ScenarioPanel(QWidget):
    """Manage and compare scenarios."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.main_window = window
        self.comparison: Comparison | None = None
        self.viewing = "current"
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.itemDoubleClicked.connect(lambda item: self.view(item.data(
            Qt.ItemDataRole.UserRole)))
        self.btn_new = bind(QPushButton(), "setText", "Create from current edits")
        self.btn_rename = bind(QPushButton(), "setText", "Rename")
        self.btn_delete = bind(QPushButton(), "setText", "Delete")
        self.btn_view = bind(QPushButton(), "setText", "Show on map")
        self.btn_compare = bind(QPushButton(), "setText", "Compare ticked")
        self.with_coverage = bind(QCheckBox(), "setText", "with coverage")
        self.with_allocation = bind(QCheckBox(), "setText", "with walking allocation")
        self.with_coverage.setChecked(True)
        self.btn_new.clicked.connect(lambda: self.create_from_edits())
        self.btn_rename.clicked.connect(lambda: self.rename())
        self.btn_delete.clicked.connect(lambda: self.delete())
        self.btn_view.clicked.connect(lambda: self.view(self._current_name()))
        self.btn_compare.clicked.connect(lambda: self.compare())
        grid = QGridLayout()
        grid.addWidget(self.btn_new, 0, 0, 1, 2)
        grid.addWidget(self.btn_rename, 1, 0)
        grid.addWidget(self.btn_delete, 1, 1)
        grid.addWidget(self.btn_view, 2, 0, 1, 2)
        grid.addWidget(self.with_coverage, 3, 0)
        grid.addWidget(self.with_allocation, 3, 1)
        grid.addWidget(self.btn_compare, 4, 0, 1, 2)
        manage = QWidget()
        v = QVBoxLayout(manage)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.list, 1)
        v.addLayout(grid)
        self.viewing_label = plain_label(word_wrap=True)
        v.addWidget(self.viewing_label)
        # comparison
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.clicked.connect(self._figure_clicked)
        self.figure_choice = QComboBox()
        self.figure_choice.currentIndexChanged.connect(self._show_chart)
        self.chart = BarChart()
        self.changes = plain_label(word_wrap=True)
        # The comparison gets a wide dock of its own (placed by the main window).
        self.compare_widget = QWidget()
        cv = QVBoxLayout(self.compare_widget)
        cv.setContentsMargins(2, 2, 2, 2)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        chart_box = QWidget()
        ch = QVBoxLayout(chart_box)
        ch.setContentsMargins(0, 0, 0, 0)
        ch.addWidget(self.figure_choice)
        ch.addWidget(self.chart, 1)
        split.addWidget(chart_box)
        split.setSizes([700, 420])
        cv.addWidget(split, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.changes, 1)
        self.btn_clear_comparison = bind(QPushButton(), "setText", "Clear comparison")
        self.btn_clear_comparison.clicked.connect(self.clear_comparison)
        self.btn_clear_comparison.setEnabled(False)
        bottom.addWidget(self.btn_clear_comparison)
        cv.addLayout(bottom)
        self._outlined = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(manage)
        window.session.project_replaced.connect(self._project_replaced)
        window.session.project_replaced.connect(self.refresh)
        on_language_change(self._retranslate)
        self._retranslate()

    def _retranslate(self) -> None:
        self.refresh()
        if self.comparison is not None:
            self.show_comparison(self.comparison)

    def clear_comparison(self) -> None:
        """Forget the comparison shown: empty table and chart, no outlines on the map."""
        self.comparison = None
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.figure_choice.clear()
        self.chart.set_data("", [])
        self.changes.clear()
        self.btn_clear_comparison.setEnabled(False)
        if self._outlined:
            self._outlined = False
            self.main_window.canvas.set_highlight(None)

    def comparison_closed(self, shown: bool) -> None:
        """Drop the comparison outlines when its dock is closed (``shown`` False)."""
        if not shown and self._outlined:
            self._outlined = False
            self.main_window.canvas.set_highlight(None)

    def _project_replaced(self) -> None:
        self.viewing = "current"
        if self._outlined:
            self._outlined = False
            self.main_window.canvas.set_highlight(None)
        self.btn_clear_comparison.setEnabled(False)
        self.comparison = None
        self.table.clear()
        self.table.setRowCount(0)

    # ----------------------------------------------------------------- list
    def names(self) -> list[str]:
        """Return ``current`` then the stored scenarios."""
        return scenario_names(self.main_window.session.project)

    def refresh(self) -> None:
        """Rebuild the list (keeps ticks)."""
        ticked = set(self.ticked()) or {"current"}
        self.list.clear()
        for name in self.names():
            label = tr("current data") if name == "current" else name
            if name == self.viewing:
                label += "  ◀ " + tr("on the map")
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in ticked
                               else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.viewing_label.setText(
            "" if self.viewing == "current" else
            tr("The map shows scenario '{name}' (read-only). Show 'current data' to edit.")
            .format(name=self.viewing))

    def ticked(self) -> list[str]:
        """Names ticked for comparison, in list order."""
        out = []
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def set_ticked(self, names: list[str]) -> None:
        """Tick exactly ``names``."""
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole)
                               in names else Qt.CheckState.Unchecked)

    def _current_name(self) -> str:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else "current"

    # -------------------------------------------------------------- actions
    def create_from_edits(self, name: str | None = None) -> str | None:
        """Store the edits made since opening as a scenario; the base data goes back."""
        session = self.main_window.session
        name = name or self.main_window.prompter.ask_text(tr("New scenario"), tr("Scenario name"))
        if not name:
            return None
        try:
            scenario_from_edits(session.project, session.commands, name,
                                description=tr("{n} edits").format(n=session.commands.index))
        except GridPlannerError as exc:
            self.main_window.prompter.error(tr("The scenario was not created"), exc.message)
            return None
        self.refresh()
        return name

    def rename(self, old: str | None = None, new: str | None = None) -> bool:
        """Rename a stored scenario."""
        old = old or self._current_name()
        if old == "current":
            return False
        new = new or self.main_window.prompter.ask_text(tr("Rename scenario"), tr("New name"), old)
        if not new or new == old:
            return False
        try:
            rename_scenario(self.main_window.session.project, old, new)
        except GridPlannerError as exc:
            self.main_window.prompter.error(tr("The scenario was not renamed"), exc.message)
            return False
        if self.viewing == old:
            self.viewing = new
        self.refresh()
        return True

    def delete(self, name: str | None = None) -> bool:
        """Delete a stored scenario."""
        name = name or self._current_name()
        if name == "current":
            return False
        try:
            delete_scenario(self.main_window.session.project, name)
        except GridPlannerError as exc:
            self.main_window.prompter.error(tr("The scenario was not deleted"), exc.message)
            return False
        if self.viewing == name:
            self.view("current")
        self.refresh()
        return True

    def view(self, name: str) -> None:
        """Show a scenario's layers on the map (``current``: the base data again)."""
        session = self.main_window.session
        project = session.project
        try:
            layers = apply_scenario(project, name).layers
        except GridPlannerError as exc:
            self.main_window.prompter.error(tr("The scenario cannot be shown"), exc.message)
            return
        for layer, frame in layers.items():
            session.stack.set_frame(layer, frame)
        for layer in SCHEMAS:
            if layer not in layers and layer in session.stack:
                session.stack.remove(layer)  # a layer only the scenario had
        self.viewing = name
        self.main_window.editing_enabled(name == "current")
        self.refresh()

    def compare(self, names: list[str] | None = None, *, coverage: bool | None = None,
                allocation: bool | None = None) -> None:
        """Compare two or more scenarios on the analysis thread."""
        names = names or self.ticked()
        if len(names) < 2:
            self.main_window.prompter.error(tr("Compare scenarios"),
                                       tr("Tick two or more scenarios to compare."))
            return
        project = self.main_window.session.project
        cov = self.with_coverage.isChecked() if coverage is None else coverage
        alloc = self.with_allocation.isChecked() if allocation is None else allocation
        self.main_window.run_analysis(
            "compare", lambda fb: compare_scenarios(project, names, coverage=cov,
                                                    allocation=alloc, feedback=fb),
            self.show_comparison)

    # ------------------------------------------------------------ comparison
    def show_comparison(self, comparison: Comparison) -> None:
        """Fill the figure table and chart; outline the changed grids on the map."""
        from gridplanner.scenarios.labels import FIGURES

        self.comparison = comparison
        figures: pd.DataFrame = comparison.figures
        names = list(comparison.names)
        rows = [i for i in range(len(figures))
                if np.isfinite(pd.to_numeric(figures.loc[i, names], errors="coerce")
                               .to_numpy(dtype=float)).any()]
        deltas = [f"Δ {n}" for n in names[1:]]
        self.table.clear()
        self.table.setRowCount(len(rows))
        headers = [tr("Figure"), *[tr("current data") if n == "current" else n
                                   for n in names], *deltas]
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.figure_choice.blockSignals(True)
        self.figure_choice.clear()
        for r, i in enumerate(rows):
            figure = FIGURES.get(str(figures.loc[i, "key"]))
            label = figure.title() if figure else figures.loc[i, "figure_en"]
            self.table.setItem(r, 0, QTableWidgetItem(str(label)))
            self.figure_choice.addItem(str(label), int(i))
            for c, name in enumerate(names):
                self.table.setItem(r, 1 + c, QTableWidgetItem(_fmt(figures.loc[i, name])))
            better = figure.better if figure else ""
            for c, col in enumerate(deltas):
                value = float(figures.loc[i, col]) if pd.notna(figures.loc[i, col]) else np.nan
                item = QTableWidgetItem(_fmt(value, signed=True))
                if np.isfinite(value) and abs(value) > 1e-9:
                    item.setBackground(QBrush(QColor(palette.CHANGED_CELL)))
                    if better:
                        good = (value < 0) == (better == "lower")
                        item.setForeground(QBrush(BETTER if good else WORSE))
                        f = item.font()
                        f.setBold(True)
                        item.setFont(f)
                self.table.setItem(r, 1 + len(names) + c, item)
        self.table.resizeColumnsToContents()
        self.figure_choice.blockSignals(False)
        first_changed = next((r for r, i in enumerate(rows) if any(
            pd.notna(figures.loc[i, d]) and abs(float(figures.loc[i, d])) > 1e-9
            for d in deltas)), 0)
        self.figure_choice.setCurrentIndex(first_changed)
        self._show_chart()
        self._show_changes(comparison)
        dock = self.main_window.docks.get("comparison")
        if dock is not None:
            dock.show()
            dock.raise_()

    def _figure_clicked(self, index: QModelIndex) -> None:
        self.figure_choice.setCurrentIndex(index.row())

    def _show_chart(self, *_args: object) -> None:
        if self.comparison is None or self.figure_choice.count() == 0:
            return
        i = self.figure_choice.currentData()
        figures = self.comparison.figures
        values = [(tr("current data") if n == "current" else n,
                   float(figures.loc[i, n]) if pd.notna(figures.loc[i, n]) else float("nan"))
                  for n in self.comparison.names]
        self.chart.set_data(self.figure_choice.currentText(), values)

    def _show_changes(self, comparison: Comparison) -> None:
        import geopandas as gpd

        changed = comparison.changed_grids
        n_staff = len(comparison.changed_staff)
        self.changes.setText(tr("{g} grid changes and {s} staff changes against the first "
                                "scenario; changed grids are outlined on the map.")
                             .format(g=len(changed), s=n_staff))
        geoms = []
        for res in comparison.results[1:]:
            proj = res.project
            if proj is None:
                continue
            grids = proj.layer("grids")
            ids = set(changed.loc[changed["scenario"] == res.name, "grid_id"].astype(str))
            geoms.extend(grids.geometry[grids["grid_id"].astype(str).isin(ids)].tolist())
        ref = comparison.results[0].project
        if ref is not None and len(changed):
            grids = ref.layer("grids")
            gone = set(changed.loc[changed["change"] == "removed", "grid_id"].astype(str))
            geoms.extend(grids.geometry[grids["grid_id"].astype(str).isin(gone)].tolist())
        self.main_window.canvas.set_highlight(gpd.GeoSeries(geoms) if geoms else None)
        self._outlined = bool(geoms)
        self.btn_clear_comparison.setEnabled(True)


def _fmt(value: Any, *, signed: bool = False) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not np.isfinite(v):
        return "—"
    text = _num(abs(v) if signed else v)
    if signed and abs(v) > 1e-9:
        text = ("+" if v > 0 else "−") + text
    return text


