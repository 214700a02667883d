"""Export dialogs: HTML map, XLSX/CSV reports, GeoPackage results, PNG of the view, PDF atlas.

Each export calls the engine's one function for its format (the same the command
line and the demo call): :func:`gridplanner.export.webmap.export_map`,
:func:`gridplanner.export.tables.write_tables` / ``write_report``,
:func:`gridplanner.export.results.write_geopackage` and
:func:`gridplanner.export.png.render_png` and
:func:`gridplanner.export.atlas.export_atlas`, with the map's figures from
:func:`gridplanner.export.figures.map_figures`. The writing runs on the window's
analysis thread, its progress shown in the dialog with a button to cancel it;
every file is written atomically, and the open project and its autosave are
refused as targets before anything runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import Qt
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
    QProgressBar,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ui.i18n import current_language, tr

TITLES = {"html": "Export the HTML map", "tables": "Export reports (XLSX/CSV)",
          "gpkg": "Export result layers (GeoPackage)", "png": "Export an image of the view",
          "atlas": "Export a PDF atlas"}
SUFFIX = {"html": ".html", "tables": ".xlsx", "gpkg": ".gpkg", "png": ".png", "atlas": ".pdf"}
FILTERS = {"html": "HTML (*.html)", "tables": "Excel (*.xlsx);;CSV (*.csv)",
           "gpkg": "GeoPackage (*.gpkg)", "png": "PNG image (*.png)", "atlas": "PDF (*.pdf)"}


class ExportDialog(QDialog):
    """One export: a file name plus the options of its kind."""

    def __init__(self, window: Any, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.main_window = window
        self.kind = kind
        self.written: list[Path] = []
        #: What a table export writes: the open comparison (when there is one) or
        #: the analysis results (the main window asks).
        self.source = "comparison"
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
        self.width_px = QSpinBox()
        self.height_px = QSpinBox()
        self.colour_by = QComboBox()
        if kind == "tables":
            form.addRow(tr("Chinese headers and labels"), self.chinese)
        if kind in ("html", "tables", "gpkg"):
            form.addRow(tr("Include names, phones and ID numbers"), self.personal)
        self.language = QComboBox()
        self.paper = QComboBox()
        self.community = QLineEdit()
        if kind == "atlas":
            from gridplanner.i18n import LANGUAGES

            for code, name in LANGUAGES.items():
                self.language.addItem(name, code)
            self.language.setCurrentIndex(self.language.findData(current_language()))
            form.addRow(tr("Atlas language"), self.language)
            for size in ("A4", "A3"):
                self.paper.addItem(size, size)
            form.addRow(tr("Paper size"), self.paper)
            form.addRow(tr("Community (empty: all)"), self.community)
            form.addRow(tr("Print staff names"), self.personal)
        if kind in ("html", "png", "atlas"):
            from gridplanner.export.webmap import COLOR_BY

            chinese_ui = current_language() == "zh_CN"
            for key, scheme in COLOR_BY.items():
                self.colour_by.addItem(scheme.title_zh if chinese_ui else scheme.title_en, key)
            form.addRow(tr("Colour the cover by") if kind == "atlas" else tr("Colour grids by"),
                        self.colour_by)
        if kind == "png":
            for box, value in ((self.width_px, window.canvas.width() * 2),
                               (self.height_px, window.canvas.height() * 2)):
                box.setRange(100, 12000)
                box.setValue(max(value, 200))
            form.addRow(tr("Width (px)"), self.width_px)
            form.addRow(tr("Height (px)"), self.height_px)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # paths and messages as typed
        form.addRow(self.status)
        # The dialog is modal: it shows the run's progress and cancels it itself.
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.stop = QPushButton(tr("Cancel"))
        self.stop.clicked.connect(window.cancel_analysis)
        running = QHBoxLayout()
        running.addWidget(self.progress, 1)
        running.addWidget(self.stop)
        self.running = QWidget()
        self.running.setLayout(running)
        self.running.hide()
        form.addRow(self.running)
        window.runner.progress.connect(self._progress)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Export"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Close"))
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        window.analysis_finished.connect(self._finished)
        window.analysis_failed.connect(self._failed)
        window.analysis_cancelled.connect(self._cancelled)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.windowTitle(), self.path.text(),
                                              FILTERS[self.kind])
        if path:
            self.path.setText(path)

    def target(self) -> Path:
        """Return the file to write (with the kind's suffix when none is given)."""
        target = Path(self.path.text().strip()).expanduser()
        return target if target.suffix else target.with_suffix(SUFFIX[self.kind])

    def protected(self) -> tuple[Path, ...]:
        """Return the files no export may replace: the open project and its autosave."""
        from gridplanner.export.files import protected_paths

        return (*protected_paths(self.main_window.session.project.path),
                self.main_window.autosave_target())

    def start(self) -> None:
        """Check the target, then write the file on the analysis thread."""
        from gridplanner.export.files import ExportError, check_target

        target = self.target()
        try:
            check_target(target, protect=self.protected())
        except ExportError as exc:
            self.status.setText(exc.message)
            self.main_window.prompter.error(tr(TITLES[self.kind]), exc.message)
            return
        self.status.setText(tr("Writing {path}…").format(path=target))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.progress.setValue(0)
        self.running.show()
        job = self.job(target)
        self.main_window.run_analysis("export", job, self._done)

    def job(self, target: Path) -> Any:
        """Return the function that writes ``target`` (run on a worker thread)."""
        from gridplanner.feedback import sub

        window = self.main_window
        project = window.session.snapshot()
        chinese = self.chinese.isChecked()
        personal = self.personal.isChecked()
        protect = self.protected()
        coverage = window.analysis.coverage
        allocation = window.analysis.allocation
        comparison = window.scenarios.comparison if self.source == "comparison" else None
        colour_by = self.colour_by.currentData() or "band_status"
        layers = {k: v for k, v in project.extra_layers.items()
                  if not k.startswith("scenario__")}
        lang = self.language.currentData() or current_language()
        paper = self.paper.currentData() or "A4"
        community = self.community.text().strip() or None
        view = window.canvas.view()
        size = (self.width_px.value(), self.height_px.value())
        basemap = window.canvas.basemap.spec  # the image shows the basemap the map shows

        def figures(feedback: Any) -> Any:
            from gridplanner.export.figures import map_figures

            return map_figures(project, color_by=colour_by, coverage=coverage,
                               allocation=allocation, layers=layers, feedback=feedback)

        def html(feedback: Any) -> list[Path]:
            from gridplanner.export.webmap import export_map

            shown = figures(sub(feedback, 0.0, 0.7))
            return [export_map(project, target, grid_table=shown.grids, results=shown.layers,
                               staff_table=shown.staff, color_by=colour_by,
                               include_personal=personal,
                               protect=protect, feedback=sub(feedback, 0.7, 1.0))]

        def png(feedback: Any) -> list[Path]:
            from gridplanner.export.png import render_png

            shown = figures(sub(feedback, 0.0, 0.7))
            return [render_png(project, target, grid_table=shown.grids, results=shown.layers,
                               color_by=colour_by, extent=view.extent(), size_px=size,
                               protect=protect, basemap=basemap,
                               feedback=sub(feedback, 0.7, 1.0))]

        def tables(feedback: Any) -> list[Path]:
            from gridplanner.export.tables import write_report, write_tables

            # The box decides the tables' language, whatever the interface speaks.
            table_lang = "zh_CN" if chinese else "en"
            if comparison is not None:
                return write_report(comparison, target, chinese_headers=chinese,
                                    include_personal=personal, protect=protect,
                                    lang=table_lang)
            return write_tables(_result_sheets(project, coverage), target,
                                chinese_headers=chinese, include_personal=personal,
                                protect=protect, lang=table_lang)

        def gpkg(feedback: Any) -> list[Path]:
            from gridplanner.export.results import write_geopackage

            return [write_geopackage(layers, target, include_personal=personal,
                                     protect=protect, feedback=feedback)]

        def atlas(feedback: Any) -> list[Path]:
            from gridplanner.export.atlas import export_atlas

            return [export_atlas(project, target, community=community, lang=lang,
                                 include_personal=personal, page=paper, color_by=colour_by,
                                 coverage=coverage, allocation=allocation, protect=protect,
                                 source=project.path.name if project.path else None,
                                 basemap=basemap, feedback=feedback).path]

        return {"html": html, "png": png, "tables": tables, "gpkg": gpkg,
                "atlas": atlas}[self.kind]

    def _progress(self, fraction: float, message: str) -> None:
        if self.running.isVisible():
            self.progress.setValue(int(fraction * 100))
            self.progress.setFormat(f"{message[:40]} %p%")

    def _done(self, written: list[Path]) -> None:
        self.written = list(written)
        self.running.hide()
        self.status.setText(tr("Written:") + "\n" + "\n".join(str(p) for p in self.written))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)

    def _finished(self, label: str) -> None:
        if label == "export":
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)

    def _failed(self, label: str, message: str) -> None:
        if label == "export":
            self.status.setText(message)
            self.running.hide()
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)

    def _cancelled(self, label: str) -> None:
        if label == "export":
            self.status.setText(tr("Cancelled"))
            self.running.hide()
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
