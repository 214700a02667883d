"""Export dialogs: HTML map, XLSX/CSV reports, GeoPackage results, PNG of the view.

The writing runs on the window's analysis thread through the engine's exporters
(``gridplanner.export``); the dialog stays open with a progress bar and closes
when the file is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ui.i18n import current_language, tr

TITLES = {"html": "Export the HTML map", "tables": "Export reports (XLSX/CSV)",
          "gpkg": "Export result layers (GeoPackage)", "png": "Export an image of the view"}
SUFFIX = {"html": ".html", "tables": ".xlsx", "gpkg": ".gpkg", "png": ".png"}
FILTERS = {"html": "HTML (*.html)", "tables": "Excel (*.xlsx);;CSV (*.csv)",
           "gpkg": "GeoPackage (*.gpkg)", "png": "PNG image (*.png)"}


class ExportDialog(QDialog):
    """One export: a file name plus the options of its kind."""

    def __init__(self, window: Any, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.window = window
        self.kind = kind
        self.written: list[Path] = []
        self.setWindowTitle(tr(TITLES[kind]))
        self.path = QLineEdit()
        base = window.session.project.path
        stem = base.stem if base is not None else "gridplanner"
        self.path.setText(str(Path.home() / f"{stem}_{kind}{SUFFIX[kind]}"))
        browse = QPushButton(tr("Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        holder = QWidget()
        holder.setLayout(row)
        form = QFormLayout(self)
        form.addRow(tr("File"), holder)
        self.chinese = QCheckBox()
        self.chinese.setChecked(current_language() == "zh_CN")
        self.personal = QCheckBox()
        self.width = QSpinBox()
        self.height = QSpinBox()
        self.colour_by = QComboBox()
        if kind in ("html", "tables"):
            form.addRow(tr("Chinese headers and labels"), self.chinese)
            form.addRow(tr("Include names, phones and ID numbers"), self.personal)
        if kind == "html":
            for key, label in (("band_status", "Households against the band"),
                               ("households", "Households"), ("coverage", "Camera coverage"),
                               ("walk", "Walking distance")):
                self.colour_by.addItem(tr(label), key)
            form.addRow(tr("Colour grids by"), self.colour_by)
        if kind == "png":
            for box, value in ((self.width, window.canvas.width() * 2),
                               (self.height, window.canvas.height() * 2)):
                box.setRange(100, 12000)
                box.setValue(max(value, 200))
            form.addRow(tr("Width (px)"), self.width)
            form.addRow(tr("Height (px)"), self.height)
        self.status = QLabel()
        self.status.setWordWrap(True)
        form.addRow(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Export"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Close"))
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        window.analysis_finished.connect(self._finished)
        window.analysis_failed.connect(self._failed)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.windowTitle(), self.path.text(),
                                              FILTERS[self.kind])
        if path:
            self.path.setText(path)

    def start(self) -> None:
        """Write the file on the analysis thread."""
        target = Path(self.path.text().strip()).expanduser()
        if not target.suffix:
            target = target.with_suffix(SUFFIX[self.kind])
        self.status.setText(tr("Writing {path}…").format(path=target))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        job = self.job(target)
        self.window.run_analysis("export", job, self._done)

    def job(self, target: Path) -> Any:
        """Return the function that writes ``target`` (run on a worker thread)."""
        window = self.window
        project = window.session.snapshot()
        chinese = self.chinese.isChecked()
        personal = self.personal.isChecked()
        analysis = window.analysis
        coverage = analysis.coverage
        comparison = window.scenarios.comparison
        colour_by = self.colour_by.currentData() or "band_status"
        if self.kind == "png":
            size = QSize(self.width.value(), self.height.value())
            job = window.canvas.render_job()

            def png(feedback: Any) -> list[Path]:
                from ui.canvas.render import ViewState, render

                v = job.view
                scale = v.scale * min(size.width() / v.width, size.height() / v.height)
                big = ViewState(v.cx, v.cy, scale, size.width(), size.height())
                image = render(type(job)(big, job.layers, job.prepared)).image
                target.parent.mkdir(parents=True, exist_ok=True)
                if not image.save(str(target), "PNG"):
                    raise OSError(f"{target}: the image could not be written")
                return [target]

            return png
        if self.kind == "html":
            def html(feedback: Any) -> list[Path]:
                from gridplanner.export.webmap import build_map, save_map

                grid_table = coverage.grid_table if coverage is not None else None
                results = {k: v for k, v in project.extra_layers.items()
                           if isinstance(v, gpd.GeoDataFrame)}
                page = build_map(project, grid_table=grid_table, results=results,
                                 color_by=colour_by if (colour_by != "coverage"
                                                        or grid_table is not None)
                                 else "band_status",
                                 include_personal=personal,
                                 title=project.path.stem if project.path else "GridPlanner",
                                 feedback=feedback)
                return [save_map(target, page)]

            return html
        if self.kind == "tables":
            def tables(feedback: Any) -> list[Path]:
                from gridplanner.export.tables import write_report, write_tables

                if comparison is not None:
                    return write_report(comparison, target, chinese_headers=chinese,
                                        include_personal=personal)
                return write_tables(_result_sheets(project, coverage), target,
                                    chinese_headers=chinese, include_personal=personal)

            return tables

        def gpkg(feedback: Any) -> list[Path]:
            from layers.io import write_layer

            layers = {k: v for k, v in project.extra_layers.items()
                      if isinstance(v, gpd.GeoDataFrame) and not k.startswith("scenario__")}
            if not layers:
                from gridplanner.errors import AnalysisError

                raise AnalysisError("there are no result layers yet: run an analysis first")
            target.unlink(missing_ok=True)
            for i, (name, frame) in enumerate(layers.items()):
                if feedback is not None:
                    feedback.set_progress(i / len(layers), name)
                write_layer(frame, target, layer=name)
            return [target]

        return gpkg

    def _done(self, written: list[Path]) -> None:
        self.written = list(written)
        self.status.setText(tr("Written:") + "\n" + "\n".join(str(p) for p in self.written))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)

    def _finished(self, label: str) -> None:
        if label == "export":
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)

    def _failed(self, label: str, message: str) -> None:
        if label == "export":
            self.status.setText(message)
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)


def _result_sheets(project: Any, coverage: Any) -> dict[str, pd.DataFrame]:
    sheets: dict[str, pd.DataFrame] = {}
    if coverage is not None:
        sheets["coverage"] = coverage.table
    for name, frame in project.extra_layers.items():
        if name.startswith("scenario__") or name == "grid_coverage":
            continue
        sheets[name] = frame
    sheets["staff"] = project.layer("staff")
    sheets["grids"] = project.layer("grids")
    return sheets
