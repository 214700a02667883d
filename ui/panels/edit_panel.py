"""Editing dock: undo history and the live figures of the grids being edited.

After each edit (and each undo/redo) the grids it changed are measured by the
engine (:func:`gridplanner.scenarios.edit_figures.grid_edit_figures`, with the
command's own ``household_counts``, shapes of the changed grids only) and by the
coverage engine's grid-local update when a coverage result is loaded. Each figure
is shown with its change against the value before the edit, green when it
improved and red when it got worse (households: towards or away from the band of
the grid's kind, :func:`~gridplanner.scenarios.edit_figures.toward_band`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridplanner import palette
from gridplanner.grids.commands import GridCommand
from gridplanner.project import Project
from gridplanner.scenarios.edit_figures import IN_BAND, band_status, grid_edit_figures, toward_band
from ui.dialogs.messages import plain_label
from ui.i18n import bind, current_language, on_language_change, tr
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from ui.main_window import MainWindow

#: Figures of one grid: households, band_min, band_max, pp, coverage.
Figures = dict[str, float]

GOOD = QColor(palette.BETTER)
BAD = QColor(palette.WORSE)


class EditPanel(QWidget):
    """Undo history list plus a before/after table of the edited grids."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.main_window = window
        self.history = QListWidget()
        self.history.itemClicked.connect(self._jump)
        self.figures = QTableWidget(0, 5)
        self.figures.verticalHeader().setVisible(False)
        self.note = plain_label(word_wrap=True)
        self.undo_button = bind(QPushButton(), "setText", "Undo")
        self.redo_button = bind(QPushButton(), "setText", "Redo")
        self.undo_button.clicked.connect(window.undo)
        self.redo_button.clicked.connect(window.redo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.redo_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(bind(QLabel(), "setText", "Live figures of the edited grids"))
        layout.addWidget(self.figures, 2)
        layout.addWidget(self.note)
        layout.addWidget(bind(QLabel(), "setText", "Edit history (click a step to go back "
                                                   "to it)"))
        layout.addWidget(self.history, 1)
        layout.addLayout(buttons)
        self.baseline: dict[str, Figures] = {}
        self.rows: list[tuple[str, Figures, Figures]] = []
        self._baseline_runner = TaskRunner(self)
        self._baseline_runner.finished.connect(self._baseline_done)
        session = window.session
        session.history_changed.connect(self.refresh_history)
        session.command_event.connect(self._command_event)
        session.project_replaced.connect(self._reset)
        on_language_change(self._retranslate)
        self._retranslate()

    def _retranslate(self) -> None:
        self.figures.setHorizontalHeaderLabels(
            [tr("Grid"), tr("Households"), tr("Band"), tr("Compactness"), tr("Coverage")])
        self.figures.horizontalHeader().setStretchLastSection(True)
        self._show_rows()
        self.refresh_history()

    def _reset(self) -> None:
        self.baseline = {}
        self.rows = []
        self._show_rows()
        project = self.main_window.session.project
        self._baseline_runner.run(lambda fb: baseline_figures(project), "baseline")

    def _baseline_done(self, table: dict[str, Figures]) -> None:
        for gid, figs in table.items():
            self.baseline.setdefault(gid, figs)

    def set_coverage_baseline(self, shares: dict[str, float]) -> None:
        """Coverage share per grid from a full coverage run (the 'before' values)."""
        for gid, share in shares.items():
            self.baseline.setdefault(gid, {})["coverage"] = float(share)

    # -------------------------------------------------------------- history
    def refresh_history(self) -> None:
        """Rebuild the history list from the command stack."""
        self.history.clear()
        commands = self.main_window.session.commands
        index = commands.index
        first = QListWidgetItem(tr("(start)"))
        first.setData(Qt.ItemDataRole.UserRole, 0)
        self.history.addItem(first)
        for i, command in enumerate(commands.commands):
            item = QListWidgetItem(f"{i + 1}. {command_text(command)}")
            item.setData(Qt.ItemDataRole.UserRole, i + 1)
            if i >= index:
                item.setForeground(QBrush(QColor("#999999")))
            self.history.addItem(item)
        self.history.setCurrentRow(index)

    def _jump(self, item: QListWidgetItem) -> None:
        target = int(item.data(Qt.ItemDataRole.UserRole))
        commands = self.main_window.session.commands
        while commands.index > target and commands.can_undo:
            self.main_window.undo()
        while commands.index < target and commands.can_redo:
            self.main_window.redo()

    # -------------------------------------------------------------- figures
    def _measure(self, ids: list[str], counts: dict[str, int]) -> dict[str, Figures]:
        figures = grid_edit_figures(self.main_window.session.project, ids, household_counts=counts)
        coverage = self.main_window.analysis.coverage_update(ids) or {}
        return {gid: {**_figures_of(row), "coverage": coverage.get(gid, np.nan)}
                for gid, row in figures.set_index("grid_id").iterrows()}

    def _command_event(self, event: str, command: GridCommand | None) -> None:
        if command is None:
            return
        # grids that only gained a shared corner keep their figures: not listed
        ids = sorted(command.changed_grid_ids - command.joined_grid_ids)
        after = self._measure(ids, dict(command.household_counts))
        self.rows = []
        for gid in ids:
            before = self.baseline.get(gid, {})
            now = after.get(gid)
            self.rows.append((gid, before, now or {}))
            if now is not None:
                self.baseline[gid] = now
            else:
                self.baseline.pop(gid, None)
        self._show_rows()
        self.main_window.docks["edit"].raise_()

    def _show_rows(self) -> None:
        self.figures.setRowCount(len(self.rows))
        for r, (gid, before, now) in enumerate(self.rows):
            band_of = now or before
            low = band_of.get("band_min", np.nan)
            high = band_of.get("band_max", np.nan)
            self.figures.setItem(r, 0, QTableWidgetItem(gid if now else f"{gid} ({tr('gone')})"))
            hh, hh0 = now.get("households", np.nan), before.get("households", np.nan)
            self.figures.setItem(r, 1, _cell(hh, hh0, toward_band(hh, hh0, low, high), "{:.0f}"))
            status = str(band_status(np.array([hh]), np.array([low]), np.array([high]))[0])
            band = QTableWidgetItem(tr(status) if status else "")
            if np.isfinite(low) and np.isfinite(high):
                band.setToolTip(f"{low:.0f}–{high:.0f}")
            if status:
                band.setForeground(QBrush(GOOD if status == IN_BAND else BAD))
            self.figures.setItem(r, 2, band)
            pp, pp0 = now.get("pp", np.nan), before.get("pp", np.nan)
            self.figures.setItem(r, 3, _cell(pp, pp0, _higher_better(pp, pp0), "{:.3f}"))
            cov, cov0 = now.get("coverage", np.nan), before.get("coverage", np.nan)
            self.figures.setItem(r, 4, _cell(cov, cov0, _higher_better(cov, cov0), "{:.1f}%"))
        self.figures.resizeColumnsToContents()
        if not self.rows:
            self.note.setText(tr("Edit a grid to see its households, compactness and coverage "
                                 "against the values before the edit."))
        else:
            self.note.setText(tr("Green: better than before the edit; red: worse."))


def command_text(command: GridCommand) -> str:
    """Describe an edit for the history list in the interface language.

    Built from the command's parameters (which grids, how many households), so
    the history reads in the language chosen whatever the engine's own wording.
    """
    p = command.params
    kind = getattr(command, "kind", "")

    def ids(key: str) -> str:
        separator = "、" if current_language() == "zh_CN" else ", "
        return separator.join(str(g) for g in p.get(key) or [])

    if kind == "move_vertex":
        return tr("Move a shared vertex of {ids}").format(ids=ids("grid_ids") or "—")
    if kind == "reshape_boundary":
        return tr("Reshape the boundary between {a} and {b}").format(a=p.get("grid_a"),
                                                                     b=p.get("grid_b"))
    if kind == "split":
        made = ids("new_ids")
        return (tr("Split grid {grid} into {ids}").format(grid=p.get("grid_id"), ids=made)
                if made else tr("Split grid {grid}").format(grid=p.get("grid_id")))
    if kind == "merge":
        return tr("Merge grids {ids} into {keep}").format(ids=ids("grid_ids"),
                                                          keep=p.get("keep_id"))
    if kind == "reassign_households":
        n = len(p.get("household_ids") or [])
        return tr("Reassign {n} household points to grid {grid}").format(
            n=n, grid=p.get("to_grid_id"))
    if kind == "rename":
        new_id, name, grid = p.get("new_id"), p.get("name"), p.get("grid_id")
        bits = []
        if new_id is not None and new_id != grid:
            bits.append(tr("Recode {grid} as {new}").format(grid=grid, new=new_id))
        if name is not None:
            bits.append(tr("Rename {grid} to “{name}”").format(grid=new_id or grid, name=name))
        return "; ".join(bits) or tr("Rename {grid}").format(grid=grid)
    if kind == "set_locked":
        text = tr("Lock grids {ids}") if p.get("locked") else tr("Unlock grids {ids}")
        return text.format(ids=ids("grid_ids"))
    return command.description


def baseline_figures(project: Project) -> dict[str, Figures]:
    """Figures of every grid before any edit (coverage comes from a coverage run)."""
    figures = grid_edit_figures(project)
    return {str(gid): {**_figures_of(row), "coverage": np.nan}
            for gid, row in figures.set_index("grid_id").iterrows()}


def _figures_of(row: pd.Series) -> Figures:
    return {"households": float(row["households"]), "pp": float(row["polsby_popper"]),
            "band_min": float(row["band_min"]), "band_max": float(row["band_max"])}


def _higher_better(now: float, before: float) -> int:
    if np.isnan(now) or np.isnan(before) or abs(now - before) < 1e-9:
        return 0
    return 1 if now > before else -1


def _cell(now: float, before: float, better: int, fmt: str) -> QTableWidgetItem:
    if np.isnan(now):
        return QTableWidgetItem("—")
    text = fmt.format(now)
    if not np.isnan(before) and abs(now - before) > 1e-9:
        delta = now - before
        sign = "+" if delta > 0 else "−"
        text += f"  ({sign}{fmt.format(abs(delta))})"
    item = QTableWidgetItem(text)
    if better:
        item.setForeground(QBrush(GOOD if better > 0 else BAD))
    return item
