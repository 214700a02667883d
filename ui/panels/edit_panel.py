"""Editing dock: undo history and the live figures of the grids being edited.

After each edit (and each undo/redo) the grids it changed are measured through
the engine's incremental paths: the command's own ``household_counts``,
Polsby–Popper of the changed shapes only, and the coverage engine's grid-local
update when a coverage result is loaded. Each figure is shown with its change
against the value before the edit, green when it improved and red when it got
worse (households: towards or away from the band).
"""

from __future__ import annotations

from typing import Any

import numpy as np
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

from ui.i18n import bind, on_language_change, tr

GOOD = QColor("#1b7837")
BAD = QColor("#c51b7d")


class EditPanel(QWidget):
    """Undo history list plus a before/after table of the edited grids."""

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window = window
        self.history = QListWidget()
        self.history.itemClicked.connect(self._jump)
        self.figures = QTableWidget(0, 5)
        self.figures.verticalHeader().setVisible(False)
        self.note = QLabel()
        self.note.setWordWrap(True)
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
        self.baseline: dict[str, dict[str, float]] = {}
        self.rows: list[tuple[str, dict[str, float], dict[str, float]]] = []
        from ui.workers import TaskRunner

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
        project = self.window.session.project
        self._baseline_runner.run(lambda fb: baseline_figures(project), "baseline")

    def _baseline_done(self, table: dict[str, dict[str, float]]) -> None:
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
        commands = self.window.session.commands
        if commands is None:
            return
        index = commands.index
        first = QListWidgetItem(tr("(start)"))
        first.setData(Qt.ItemDataRole.UserRole, 0)
        self.history.addItem(first)
        for i, text in enumerate(commands.history):
            item = QListWidgetItem(f"{i + 1}. {text}")
            item.setData(Qt.ItemDataRole.UserRole, i + 1)
            if i >= index:
                item.setForeground(QBrush(QColor("#999999")))
            self.history.addItem(item)
        self.history.setCurrentRow(index)

    def _jump(self, item: QListWidgetItem) -> None:
        target = int(item.data(Qt.ItemDataRole.UserRole))
        commands = self.window.session.commands
        while commands is not None and commands.index > target and commands.can_undo:
            self.window.undo()
        while commands is not None and commands.index < target and commands.can_redo:
            self.window.redo()

    # -------------------------------------------------------------- figures
    def _measure(self, ids: list[str]) -> dict[str, dict[str, float]]:
        from gridplanner.grids.topology import polsby_popper

        project = self.window.session.project
        grids = project.layer("grids")
        present = grids["grid_id"].astype(str).to_numpy()
        pos = np.flatnonzero(np.isin(present, ids))
        geoms = grids.geometry.to_numpy()[pos]
        pp = polsby_popper(geoms) if len(pos) else np.zeros(0)
        out: dict[str, dict[str, float]] = {}
        coverage = self.window.analysis.coverage_update(ids) or {}
        for k, p in enumerate(pos):
            gid = str(present[p])
            out[gid] = {"pp": float(pp[k]), "coverage": coverage.get(gid, np.nan)}
        return out

    def _command_event(self, event: str, command: Any) -> None:
        if command is None:
            return
        ids = sorted(getattr(command, "changed_grid_ids", ()) or ())
        counts = dict(getattr(command, "household_counts", {}) or {})
        after = self._measure(ids)
        for gid, figs in after.items():
            figs["households"] = float(counts.get(gid, np.nan))
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
        self.window.docks["edit"].raise_()

    def _band(self, gid: str) -> tuple[int, int]:
        project = self.window.session.project
        grids = project.layer("grids")
        kind = grids.loc[grids["grid_id"].astype(str) == gid, "kind"]
        return project.config.band_for(str(kind.iloc[0]) if len(kind) else "urban")

    def _show_rows(self) -> None:
        self.figures.setRowCount(len(self.rows))
        for r, (gid, before, now) in enumerate(self.rows):
            low, high = self._band(gid)
            self.figures.setItem(r, 0, QTableWidgetItem(gid if now else f"{gid} ({tr('gone')})"))
            hh, hh0 = now.get("households", np.nan), before.get("households", np.nan)
            self.figures.setItem(r, 1, _cell(hh, hh0, _band_better(hh, hh0, low, high), "{:.0f}"))
            status = "" if np.isnan(hh) else (tr("in band") if low <= hh <= high
                                              else tr("below") if hh < low else tr("above"))
            band = QTableWidgetItem(status)
            band.setToolTip(f"{low}–{high}")
            if status:
                band.setForeground(QBrush(GOOD if low <= hh <= high else BAD))
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


def baseline_figures(project: Any) -> dict[str, dict[str, float]]:
    """Households and compactness of every grid (the figures before any edit)."""
    from gridplanner.grids.topology import count_households, polsby_popper

    grids = project.layer("grids")
    if not len(grids):
        return {}
    geoms = grids.geometry.to_numpy()
    counts = count_households(geoms, project.layer("households"))
    pp = polsby_popper(geoms)
    return {str(g): {"households": float(c), "pp": float(p), "coverage": np.nan}
            for g, c, p in zip(grids["grid_id"].astype(str), counts, pp, strict=True)}


def _higher_better(now: float, before: float) -> int:
    if np.isnan(now) or np.isnan(before) or abs(now - before) < 1e-9:
        return 0
    return 1 if now > before else -1


def _band_better(now: float, before: float, low: int, high: int) -> int:
    if np.isnan(now) or np.isnan(before) or now == before:
        return 0

    def distance(v: float) -> float:
        return max(low - v, 0.0, v - high)

    d_now, d_before = distance(now), distance(before)
    if d_now == d_before:
        return 0
    return 1 if d_now < d_before else -1


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
