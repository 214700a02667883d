"""Checks dock: every grid-check finding; clicking one zooms to it and outlines it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.messages import plain_label
from ui.i18n import bind, tr
from ui.panels.attribute_table import FrameModel

if TYPE_CHECKING:
    from gridplanner.grids.checks import CheckResult
    from ui.main_window import MainWindow

#: Check keys as users read them (translated with tr at display time).
CHECK_TITLES = {
    "gap": "Gap between grids", "overlap": "Overlapping grids",
    "outside_community": "Grid crosses its community boundary",
    "unknown_community": "Unknown community", "empty": "Empty grid",
    "invalid": "Invalid shape", "multipart": "Grid in several parts", "sliver": "Sliver",
    "band": "Households outside the band", "household_no_grid": "Household in no grid",
    "household_two_grids": "Household in two grids", "compactness": "Not compact",
    "missing_staff": "Missing 1+1+1 staff", "duplicate_code": "Duplicate grid code",
    "malformed_code": "Malformed grid code",
}


class ChecksPanel(QWidget):
    """Lists the findings of the grid checks (the registry's ``check`` analysis)."""

    finished = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.main_window = window
        self.result: CheckResult | None = None
        self.run_button = bind(QPushButton(), "setText", "Run checks")
        self.run_button.clicked.connect(lambda: self.run())
        self.summary = plain_label(word_wrap=True)
        self.model = FrameModel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.clicked.connect(self._clicked)
        top = QHBoxLayout()
        top.addWidget(self.run_button)
        top.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.view)

    def run(self) -> None:
        """Run every check on the analysis thread, with the options the Analysis dock shows."""
        self.main_window.analysis.run("check")

    def show_result(self, result: CheckResult) -> None:
        """List the findings of a check run."""
        self.result = result
        table = result.findings.copy()
        table.insert(1, "title", [tr(CHECK_TITLES.get(c, c)) for c in table["check"]])
        self.model.set_frame(table)
        self.view.resizeColumnsToContents()
        counts = result.counts()
        parts = [f"{tr(CHECK_TITLES.get(str(k), str(k)))}: {v}" for k, v in counts.items()]
        self.summary.setText(tr("{n} findings").format(n=len(result)) +
                             (" — " + "; ".join(parts) if parts else ""))
        self.finished.emit()

    def _clicked(self, index: QModelIndex) -> None:
        if self.result is None or not index.isValid():
            return
        row = int(self.model.order[index.row()])
        findings: gpd.GeoDataFrame = self.model.frame
        geom = findings.geometry.iloc[row]
        if geom is None or geom.is_empty:
            return
        x0, y0, x1, y1 = geom.bounds
        pad = max(x1 - x0, y1 - y0, 50.0) * 0.6
        self.main_window.canvas.zoom_to((x0 - pad, y0 - pad, x1 + pad, y1 + pad), margin=0.0)
        self.main_window.canvas.set_highlight(gpd.GeoSeries([geom]))
