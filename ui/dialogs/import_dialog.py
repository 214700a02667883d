"""Import layers: pick files per layer and the source CRS, see every problem, then accept.

Reading, reprojecting and validating run through
:func:`gridplanner.importer.build_project` on a worker thread; the dialog lists
the problems it reports (errors block, warnings do not) before anything reaches
the project.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gridplanner.errors import GridPlannerError
from gridplanner.importer import build_project
from gridplanner.project import Project
from layers.crs import parse_source_crs
from layers.schema import LAYER_NAMES
from ui.i18n import tr
from ui.panels.layers_panel import layer_title
from ui.workers import TaskRunner

FILE_FILTER = ("GIS files (*.gpkg *.geojson *.json *.shp *.zip *.csv *.xlsx *.kml *.fgb);;"
               "All files (*)")
#: Source CRS choices: (label, text given to parse_source_crs; "" = as the file says).
CRS_CHOICES = (
    ("As declared by each file", ""),
    ("WGS84 (EPSG:4326, GPS)", "4326"),
    ("CGCS2000 (EPSG:4490)", "4490"),
    ("GCJ-02 (Amap, Tencent)", "gcj02"),
    ("BD-09 (Baidu)", "bd09"),
)


class ImportDialog(QDialog):
    """Choose layer files and build (or extend) a project from them."""

    def __init__(self, project: Project | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Import layers"))
        self.resize(720, 560)
        self.base = project
        self.result_project: Project | None = None
        self.runner = TaskRunner(self)
        self.runner.progress.connect(self._show_progress)
        self.runner.finished.connect(self._checked)
        self.runner.failed.connect(self._failed)
        self.runner.cancelled.connect(self._progress_cleared)
        self.paths: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for name in LAYER_NAMES:
            edit = QLineEdit()
            edit.setPlaceholderText(tr("file (optional)"))
            edit.textChanged.connect(self._inputs_changed)
            browse = QPushButton(tr("Browse…"))
            browse.clicked.connect(lambda _c=False, n=name: self._browse(n))
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(browse)
            holder = QWidget()
            holder.setLayout(row)
            form.addRow(layer_title(name), holder)
            self.paths[name] = edit
        self.crs = QComboBox()
        self.crs.setEditable(True)
        for label, value in CRS_CHOICES:
            self.crs.addItem(tr(label), value)
        form.addRow(tr("Source coordinates"), self.crs)
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setPlaceholderText(tr("Press Check to read the files and list problems."))
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.check_button = QPushButton(tr("Check"))
        self.check_button.clicked.connect(self.check)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Import"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.check_button)
        row.addWidget(self.progress, 1)
        layout.addLayout(row)
        layout.addWidget(QLabel(tr("Problems found")))
        layout.addWidget(self.problems, 1)
        layout.addWidget(self.buttons)
        self._inputs_changed()

    def _show_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 100))
        self.progress.setFormat(message)

    def _progress_cleared(self) -> None:
        self.progress.setValue(0)

    def _browse(self, name: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Choose the {layer} file")
                                              .format(layer=layer_title(name)), "", FILE_FILTER)
        if path:
            self.paths[name].setText(path)

    def files(self) -> dict[str, str]:
        """Layer name -> file given."""
        return {n: e.text().strip() for n, e in self.paths.items() if e.text().strip()}

    def source_crs(self) -> Any:
        """Return the CRS chosen (None: as declared); raise CRSError for nonsense."""
        index = self.crs.currentIndex()
        text = self.crs.currentText().strip()
        value = self.crs.itemData(index) if index >= 0 and self.crs.itemText(index) == text \
            else text
        return parse_source_crs(str(value)) if value else None

    def _inputs_changed(self) -> None:
        self.result_project = None
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.check_button.setEnabled(bool(self.files()))

    def check(self) -> None:
        """Read, reproject and validate the files on a worker thread."""
        files = self.files()
        try:
            source = self.source_crs()
        except GridPlannerError as exc:
            self.problems.setPlainText(exc.message)
            return
        analysis = self.base.crs if self.base is not None and self.base.layers else None
        self.problems.setPlainText(tr("Reading…"))
        self.runner.run(lambda fb: build_project(files, source_crs=source, analysis_crs=analysis,
                                                 feedback=fb), "import")

    def _checked(self, project: Project) -> None:
        self.result_project = project
        self.progress.setValue(100)
        lines = [tr("{n} layers read without errors.").format(n=len(project.layers))]
        lines += [tr("{layer}: {count} features").format(layer=layer_title(n), count=len(f))
                  for n, f in project.layers.items()]
        if project.warnings:
            lines.append("")
            lines.append(tr("{n} warnings (the data is kept):").format(n=len(project.warnings)))
            lines += ["  - " + p.describe() for p in project.warnings[:200]]
        self.problems.setPlainText("\n".join(lines))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)

    def _failed(self, message: str, details: str) -> None:
        self.result_project = None
        self.progress.setValue(0)
        self.problems.setPlainText(tr("The files cannot be imported yet:") + "\n" + message)

    def done(self, result: int) -> None:  # noqa: D102
        self.runner.cancel()
        self.runner.wait()
        super().done(result)


def existing(path: str) -> Path | None:
    """``path`` as a Path when it exists."""
    p = Path(path)
    return p if p.exists() else None
