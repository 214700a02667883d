"""Import layers: pick files, map their columns, see every problem, then accept.

The **Files** page takes one file per layer and the source CRS. The **Columns**
page is a field mapper like QGIS's: for the chosen layer, each schema column with
a drop-down of the file's columns (pre-filled from the known aliases), example
values, a preview of the first rows as the layer would read them and the problems
left in those rows. The mapping is remembered per file signature (its set of
columns) and can be saved to and loaded from the JSON file ``gridplanner import
--mapping`` reads.

The first rows of each file are read on a worker thread; Check reads, reprojects
and validates whole files through :func:`gridplanner.importer.build_project` on a
worker thread too, and lists the problems it reports (errors block, warnings do
not) before anything reaches the project.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gridplanner.errors import GridPlannerError
from gridplanner.i18n import pgettext
from gridplanner.importer import build_project
from gridplanner.project import Project
from layers.crs import parse_source_crs
from layers.io import read_file, split_layer_spec
from layers.mapping import (
    ImportMapping,
    LayerMapping,
    Preview,
    column_signature,
    load_mapping,
    mapping_from_dict,
    preview_mapping,
    save_mapping,
    suggest_columns,
    values_to_map,
)
from layers.schema import LAYER_NAMES, schema_for
from ui.i18n import tr
from ui.panels.layers_panel import layer_title
from ui.workers import TaskRunner

FILE_FILTER = ("GIS files (*.gpkg *.geojson *.json *.shp *.zip *.csv *.xlsx *.kml *.fgb);;"
               "All files (*)")
MAPPING_FILTER = "Column mapping (*.json);;All files (*)"
#: Source CRS choices: (label, text given to parse_source_crs; "" = as the file says).
CRS_CHOICES = (
    ("As declared by each file", ""),
    ("WGS84 (EPSG:4326, GPS)", "4326"),
    ("CGCS2000 (EPSG:4490)", "4490"),
    ("GCJ-02 (Amap, Tencent)", "gcj02"),
    ("BD-09 (Baidu)", "bd09"),
)
#: Rows of each file read for the column page.
PREVIEW_ROWS = 50
#: Rows shown in the preview table.
SHOWN_ROWS = 20
#: QSettings group of the mappings remembered per layer and file signature.
SETTINGS_GROUP = "import/mappings"


def remembered_mapping(layer: str, signature: str) -> LayerMapping | None:
    """Return the mapping last used for a file of this layer with this column set, if any."""
    text = QSettings().value(f"{SETTINGS_GROUP}/{layer}/{signature}")
    if not text:
        return None
    try:
        return mapping_from_dict({"layers": {layer: json.loads(str(text))}}).for_layer(layer)
    except (GridPlannerError, ValueError):
        return None  # written by another version, or edited by hand: start afresh


def remember_mapping(layer: str, signature: str, mapping: LayerMapping) -> None:
    """Keep ``mapping`` for the next file of this layer with this column set."""
    QSettings().setValue(f"{SETTINGS_GROUP}/{layer}/{signature}",
                         json.dumps(mapping.to_dict(), ensure_ascii=False))


def _read_heads(files: dict[str, str], fb: Any) -> dict[str, Any]:
    """Read the first rows of each file (or the error met), off the GUI thread."""
    out: dict[str, Any] = {}
    for i, (name, spec) in enumerate(files.items()):
        fb.set_progress(i / max(len(files), 1), f"reading {Path(spec).name}")
        if fb.is_cancelled():
            break
        path, layer = split_layer_spec(spec)
        try:
            out[name] = read_file(path, layer=layer, max_rows=PREVIEW_ROWS)
        except GridPlannerError as exc:
            out[name] = exc
    return out


class ImportDialog(QDialog):
    """Choose layer files, map their columns and build (or extend) a project from them."""

    def __init__(self, project: Project | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Import layers"))
        self.resize(960, 780)
        self.base = project
        self.result_project: Project | None = None
        self.mapping = ImportMapping()
        #: First rows of each layer's file, the file they came from and its signature.
        self.heads: dict[str, Any] = {}
        self.head_files: dict[str, str] = {}
        self.signatures: dict[str, str] = {}
        self.preview: Preview | None = None
        self._filling = False
        self.runner = TaskRunner(self)
        self.runner.progress.connect(self._show_progress)
        self.runner.finished.connect(self._checked)
        self.runner.failed.connect(self._failed)
        self.runner.cancelled.connect(self._progress_cleared)
        self.head_runner = TaskRunner(self)
        self.head_runner.finished.connect(self._heads_read)
        self.head_runner.failed.connect(self._failed)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._files_page(), tr("Files"))
        self.tabs.addTab(self._columns_page(), tr("Columns"))
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
        bottom = QWidget()
        lower = QVBoxLayout(bottom)
        lower.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.check_button)
        row.addWidget(self.progress, 1)
        lower.addLayout(row)
        lower.addWidget(QLabel(tr("Problems found")))
        lower.addWidget(self.problems, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tabs)
        split.addWidget(bottom)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setSizes([540, 120])
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.buttons)
        self._inputs_changed()

    # ------------------------------------------------------------------ pages

    def _files_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.paths: dict[str, QLineEdit] = {}
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
        return page

    def _columns_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Layer")))
        self.layer_choice = QComboBox()
        self.layer_choice.currentIndexChanged.connect(self._show_layer)
        top.addWidget(self.layer_choice, 1)
        self.reset_button = QPushButton(tr("From names"))
        self.reset_button.setToolTip(tr("Match columns by their names and known aliases again"))
        self.reset_button.clicked.connect(self.reset_layer_mapping)
        self.load_button = QPushButton(tr("Load mapping…"))
        self.load_button.clicked.connect(self._load_clicked)
        self.save_button = QPushButton(tr("Save mapping…"))
        self.save_button.clicked.connect(self._save_clicked)
        for button in (self.reset_button, self.load_button, self.save_button):
            top.addWidget(button)
        layout.addLayout(top)
        self.column_table = QTableWidget(0, 3)
        self.column_table.setHorizontalHeaderLabels(
            [tr("Column"), tr("From file column"), tr("Example values")])
        self.column_table.verticalHeader().setVisible(False)
        self.column_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.column_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.preview_table = QTableWidget(0, 0)
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_problems = QPlainTextEdit()
        self.preview_problems.setReadOnly(True)
        self.preview_problems.setMaximumHeight(110)
        self.columns_note = QLabel(tr("Give a file on the Files page to map its columns."))
        self.columns_note.setWordWrap(True)
        layout.addWidget(self.columns_note)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.column_table)
        below = QWidget()
        box = QVBoxLayout(below)
        box.setContentsMargins(0, 0, 0, 0)
        self.preview_label = QLabel(tr("First rows as the layer reads them"))
        box.addWidget(self.preview_label)
        box.addWidget(self.preview_table, 1)
        self.value_table = QTableWidget(0, 3)
        self.value_table.setHorizontalHeaderLabels(
            [tr("Column"), tr("Value in the file"), tr("Read as")])
        self.value_table.verticalHeader().setVisible(False)
        self.value_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.value_table.horizontalHeader().setStretchLastSection(True)
        self.value_table.setMaximumHeight(110)
        pair = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel(tr("Values not understood")))
        left.addWidget(self.value_table)
        right = QVBoxLayout()
        right.addWidget(QLabel(tr("Problems in these rows")))
        right.addWidget(self.preview_problems)
        pair.addLayout(left, 1)
        pair.addLayout(right, 1)
        box.addLayout(pair)
        split.addWidget(below)
        split.setSizes([300, 220])
        layout.addWidget(split, 1)
        return page

    # ------------------------------------------------------------------ files

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
        files = self.files()
        self.check_button.setEnabled(bool(files))
        for name in list(self.heads):
            if self.head_files.get(name) != files.get(name):
                del self.heads[name]
        self.read_heads()

    def read_heads(self) -> None:
        """Read the first rows of every file given and not yet read, off the GUI thread."""
        wanted = {n: f for n, f in self.files().items()
                  if n not in self.heads and Path(split_layer_spec(f)[0]).is_file()}
        if wanted:
            self.head_runner.run(lambda fb: (wanted, _read_heads(wanted, fb)), "preview")
        else:
            self._fill_layer_choice()

    def _heads_read(self, result: tuple[dict[str, str], dict[str, Any]]) -> None:
        asked, heads = result
        current = self.files()
        for name, head in heads.items():
            if current.get(name) != asked[name]:
                continue  # the file was changed meanwhile; read again below
            self.heads[name] = head
            self.head_files[name] = asked[name]
            if isinstance(head, GridPlannerError):
                continue
            signature = column_signature(c for c in head.columns if c != head.geometry.name)
            self.signatures[name] = signature
            kept = remembered_mapping(name, signature)
            if kept is not None and not self.mapping.for_layer(name):
                self.mapping = self.mapping.with_layer(name, kept)
        self.read_heads()

    # ------------------------------------------------------------------ mapping table

    def _fill_layer_choice(self) -> None:
        names = [n for n in LAYER_NAMES if n in self.heads]
        shown = [self.layer_choice.itemData(i) for i in range(self.layer_choice.count())]
        if names != shown:
            keep = self.layer_choice.currentData()
            self._filling = True
            self.layer_choice.clear()
            for name in names:
                self.layer_choice.addItem(layer_title(name), name)
            self._filling = False
            index = names.index(keep) if keep in names else (0 if names else -1)
            self.layer_choice.setCurrentIndex(index)
        self._show_layer()

    def current_layer(self) -> str | None:
        """Return the layer whose columns the table shows."""
        value = self.layer_choice.currentData()
        return str(value) if value else None

    def file_columns(self, name: str) -> list[str]:
        """Return the columns of the layer's file (without its geometry)."""
        head = self.heads.get(name)
        if head is None or isinstance(head, GridPlannerError):
            return []
        return [str(c) for c in head.columns if c != head.geometry.name]

    def chosen_sources(self, name: str) -> dict[str, str | None]:
        """Map each schema column to the file column it will be read from (or None)."""
        found = suggest_columns(self.file_columns(name), name)
        explicit = self.mapping.for_layer(name).columns
        return {c: (explicit[c] or None) if c in explicit else found[c] for c in found}

    def _show_layer(self) -> None:
        if self._filling:
            return
        name = self.current_layer()
        self.column_table.setRowCount(0)
        has_file = name is not None
        for widget in (self.reset_button, self.save_button):
            widget.setEnabled(has_file)
        if name is None:
            self.columns_note.setText(tr("Give a file on the Files page to map its columns."))
            self._show_preview(None)
            return
        head = self.heads[name]
        if isinstance(head, GridPlannerError):
            self.columns_note.setText(head.message)
            self._show_preview(None)
            return
        self.columns_note.setText(tr("{file}: {n} columns. Pick the file column each column "
                                     "is read from; the choice is remembered for files with "
                                     "the same columns.").format(
            file=Path(self.head_files[name]).name, n=len(self.file_columns(name))))
        schema = schema_for(name)
        sources = self.chosen_sources(name)
        columns = self.file_columns(name)
        self._filling = True
        self.column_table.setRowCount(len(schema.columns))
        for row, col in enumerate(schema.columns):
            title = pgettext("column", col.name)
            label = col.name if title == col.name else f"{col.name}  {title}"
            item = QTableWidgetItem(label + (" *" if col.required else ""))
            if col.required:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
                item.setToolTip(tr("Required"))
            self.column_table.setItem(row, 0, item)
            combo = QComboBox()
            combo.addItem(tr("(none)"), "")
            for c in columns:
                combo.addItem(c, c)
            source = sources.get(col.name)
            combo.setCurrentIndex(combo.findData(source) if source else 0)
            combo.currentIndexChanged.connect(
                lambda _i, target=col.name, box=combo: self.set_source(
                    target, str(box.currentData() or "")))
            self.column_table.setCellWidget(row, 1, combo)
            self.column_table.setItem(row, 2, QTableWidgetItem(self._examples(name, source)))
        self._filling = False
        self._update_preview()

    def _examples(self, name: str, source: str | None) -> str:
        head = self.heads.get(name)
        if not source or head is None or isinstance(head, GridPlannerError):
            return ""
        values = pd.unique(head[source].dropna().astype(str))[:4]
        return ", ".join(v[:30] for v in values)

    def combo_for(self, target: str) -> QComboBox:
        """Return the drop-down of a schema column of the current layer."""
        name = self.current_layer()
        assert name is not None
        row = schema_for(name).column_names.index(target)
        widget = self.column_table.cellWidget(row, 1)
        assert isinstance(widget, QComboBox)
        return widget

    def set_source(self, target: str, source: str) -> None:
        """Read ``target`` of the current layer from file column ``source`` ("" = none)."""
        name = self.current_layer()
        if name is None or self._filling:
            return
        found = suggest_columns(self.file_columns(name), name)
        current = self.mapping.for_layer(name)
        columns = dict(current.columns)
        if source == (found.get(target) or ""):
            columns.pop(target, None)  # what the names give anyway: no rule needed
        else:
            columns[target] = source
        self._set_layer_mapping(name, LayerMapping(columns, current.values))
        row = schema_for(name).column_names.index(target)
        self.column_table.setItem(row, 2, QTableWidgetItem(self._examples(name, source)))

    def _set_layer_mapping(self, name: str, mapping: LayerMapping) -> None:
        self.mapping = self.mapping.with_layer(name, mapping)
        if name in self.signatures:
            remember_mapping(name, self.signatures[name], mapping)
        self.result_project = None
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self._update_preview()

    def reset_layer_mapping(self) -> None:
        """Forget the current layer's mapping: columns are matched by name and alias."""
        name = self.current_layer()
        if name is not None:
            self._set_layer_mapping(name, LayerMapping())
            self._show_layer()

    # ------------------------------------------------------------------ preview

    def _update_preview(self) -> None:
        name = self.current_layer()
        head = self.heads.get(name) if name else None
        if name is None or head is None or isinstance(head, GridPlannerError):
            self._show_preview(None)
            self._show_values(None, {})
            return
        mapping = self.mapping.for_layer(name)
        self._show_preview(preview_mapping(head, name, mapping,
                                           source=Path(self.head_files[name]).name))
        try:
            values = values_to_map(head, name, mapping)
        except GridPlannerError:
            values = {}  # the column mapping itself is wrong: the problems say so
        self._show_values(name, values)

    def _show_values(self, name: str | None, values: dict[str, list[str]]) -> None:
        """List the values of list columns no rule reads, each with a drop-down."""
        table = self.value_table
        self._filling = True
        table.setRowCount(0)
        if name is None:
            self._filling = False
            return
        schema = schema_for(name)
        mapped = self.mapping.for_layer(name).values
        rows = [(c, v) for c, vs in values.items() for v in vs]
        table.setRowCount(len(rows))
        for row, (column, value) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(column))
            table.setItem(row, 1, QTableWidgetItem(value))
            combo = QComboBox()
            combo.addItem(tr("(as it is)"), "")
            for choice in schema.column(column).choices or ():
                combo.addItem(str(choice), str(choice))
            chosen = mapped.get(column, {}).get(value)
            combo.setCurrentIndex(max(combo.findData(chosen), 0) if chosen else 0)
            combo.currentIndexChanged.connect(
                lambda _i, c=column, v=value, box=combo: self.set_value(
                    c, v, str(box.currentData() or "")))
            table.setCellWidget(row, 2, combo)
        self._filling = False

    def set_value(self, column: str, value: str, meant: str) -> None:
        """Read ``value`` of ``column`` in the current layer's file as ``meant`` ("" = as is)."""
        name = self.current_layer()
        if name is None or self._filling:
            return
        current = self.mapping.for_layer(name)
        values = {c: dict(v) for c, v in current.values.items()}
        if meant:
            values.setdefault(column, {})[value] = meant
        else:
            values.get(column, {}).pop(value, None)
        self._set_layer_mapping(name, LayerMapping(current.columns,
                                                   {c: v for c, v in values.items() if v}))

    def _show_preview(self, preview: Preview | None) -> None:
        self.preview = preview
        table = self.preview_table
        table.clear()
        if preview is None:
            table.setRowCount(0)
            table.setColumnCount(0)
            self.preview_problems.setPlainText("")
            return
        frame = preview.frame.head(SHOWN_ROWS)
        table.setColumnCount(len(frame.columns))
        table.setRowCount(len(frame))
        table.setHorizontalHeaderLabels([str(c) for c in frame.columns])
        for r, values in enumerate(frame.itertuples(index=False)):
            for c, value in enumerate(values):
                text = "" if value is None or (isinstance(value, float) and value != value) \
                    else str(value)
                table.setItem(r, c, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        if preview.problems:
            lines = [f"[{tr(p.severity)}] {p.describe()}" for p in preview.problems[:100]]
        else:
            lines = [tr("No problems in the first {n} rows.").format(n=len(preview.frame))]
        self.preview_problems.setPlainText("\n".join(lines))

    # ------------------------------------------------------------------ JSON files

    def _save_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Save the column mapping"),
                                              "mapping.json", MAPPING_FILTER)
        if path:
            self.save_mapping_to(path)

    def _load_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Load a column mapping"), "",
                                              MAPPING_FILTER)
        if path:
            self.load_mapping_from(path)

    def save_mapping_to(self, path: str | Path) -> Path | None:
        """Write the mapping of every layer to a JSON file ``import --mapping`` reads.

        A project file (picked by mistake under "All files") is refused, and the file
        is replaced in one step; a refusal or failure is shown, and None returned.
        """
        from gridplanner.export.files import check_target

        try:
            return save_mapping(self.mapping, check_target(path))
        except GridPlannerError as exc:
            self.problems.setPlainText(exc.message)
        except OSError as exc:
            self.problems.setPlainText(tr("{path}: cannot be written ({reason})").format(
                path=path, reason=exc.strerror or str(exc)))
        return None

    def load_mapping_from(self, path: str | Path) -> None:
        """Use the layers' mappings of a JSON file (a bad file is reported, not used)."""
        try:
            loaded = load_mapping(path)
        except GridPlannerError as exc:
            self.problems.setPlainText(exc.message)
            return
        for name, mapping in loaded.layers.items():
            self._set_layer_mapping(name, mapping)
        self._show_layer()

    # ------------------------------------------------------------------ whole files

    def check(self) -> None:
        """Read, reproject and validate the files on a worker thread."""
        files = self.files()
        try:
            source = self.source_crs()
        except GridPlannerError as exc:
            self.problems.setPlainText(exc.message)
            return
        analysis = self.base.crs if self.base is not None and self.base.layers else None
        mapping = ImportMapping({n: m for n, m in self.mapping.layers.items() if n in files})
        self.problems.setPlainText(tr("Reading…"))
        self.runner.run(lambda fb: build_project(files, source_crs=source, analysis_crs=analysis,
                                                 mapping=mapping, feedback=fb), "import")

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
        for runner in (self.runner, self.head_runner):
            runner.cancel()
            runner.wait()
        super().done(result)


def existing(path: str) -> Path | None:
    """``path`` as a Path when it exists."""
    p = Path(path)
    return p if p.exists() else None
