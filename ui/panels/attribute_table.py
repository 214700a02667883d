"""Attribute table: a Qt model over a layer's frame, sorting, text filter, shared selection.

The model never copies the frame: it keeps an order array (row positions, sorted
and filtered with numpy/pandas) and formats cells on demand, so a 150k-row layer
opens at once. Selection is the layer stack's: selecting rows here selects them on
the map and the other way round.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.canvas.layer_model import LayerStack
from ui.dialogs.messages import plain_label
from ui.i18n import bind, on_language_change, tr

Index = QModelIndex | QPersistentModelIndex


class FrameModel(QAbstractTableModel):
    """Read-only table model over a DataFrame (geometry column left out)."""

    def __init__(self, frame: pd.DataFrame | None = None) -> None:
        super().__init__()
        self._frame = pd.DataFrame()
        self._columns: list[str] = []
        self._values: list[np.ndarray] = []
        self._right: list[bool] = []
        self.order = np.zeros(0, dtype=np.int64)
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._filter = ""
        if frame is not None:
            self.set_frame(frame)
        on_language_change(self._language_changed)

    def _language_changed(self) -> None:
        if self._columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)
            if len(self.order):
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(len(self.order) - 1, len(self._columns) - 1))

    def set_frame(self, frame: pd.DataFrame) -> None:
        """Show ``frame`` (kept by reference), re-applying sort and filter."""
        self.beginResetModel()
        self._frame = frame
        geom = getattr(frame, "geometry", None)
        geom_name = geom.name if geom is not None and hasattr(geom, "name") else "geometry"
        self._columns = [str(c) for c in frame.columns if c != geom_name]
        # Cell access straight from numpy arrays: data() is called for every visible cell.
        self._values = [frame[c].to_numpy() for c in self._columns]
        self._right = [pd.api.types.is_numeric_dtype(frame[c])
                       and not pd.api.types.is_bool_dtype(frame[c]) for c in self._columns]
        #: Columns whose values are words of the data model (kinds, roles, yes/no),
        #: shown in the interface language; other text is the user's data, as typed.
        self._words = [c in WORD_COLUMNS or pd.api.types.is_bool_dtype(frame[c])
                       for c in self._columns]
        self._apply()
        self.endResetModel()

    @property
    def frame(self) -> pd.DataFrame:
        """The frame shown."""
        return self._frame

    @property
    def columns(self) -> list[str]:
        """Columns shown."""
        return self._columns

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, D102
        return 0 if parent.isValid() else len(self.order)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, D102
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: D102
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self._values[index.column()][int(self.order[index.row()])]
            if self._words[index.column()]:
                return value_title(value)
            return _format(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and self._right[index.column()]:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: D102
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if section >= len(self._columns):
                return None
            return column_title(self._columns[section])
        return str(int(self.order[section]) + 1) if section < len(self.order) else None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort rows by a column (stable, missing values last)."""
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply()
        self.layoutChanged.emit()

    def set_filter(self, text: str) -> None:
        """Keep rows where any column contains ``text`` (case-insensitive)."""
        self.beginResetModel()
        self._filter = text.strip()
        self._apply()
        self.endResetModel()

    def _apply(self) -> None:
        n = len(self._frame)
        rows = np.arange(n, dtype=np.int64)
        if self._filter and n:
            needle = self._filter.lower()
            mask = np.zeros(n, dtype=bool)
            for col in self._columns:
                text = self._frame[col].astype(str).str.lower()
                mask |= text.str.contains(needle, regex=False).to_numpy()
            rows = rows[mask]
        if self._sort is not None and 0 <= self._sort[0] < len(self._columns) and len(rows):
            col = self._frame[self._columns[self._sort[0]]].iloc[rows]
            keys = col.to_numpy()
            try:
                ranked = np.argsort(pd.Series(keys).rank(method="first", na_option="bottom")
                                    .to_numpy(), kind="stable")
            except TypeError:
                ranked = np.argsort(col.astype(str).to_numpy(), kind="stable")
            if self._sort[1] == Qt.SortOrder.DescendingOrder:
                ranked = ranked[::-1]
            rows = rows[ranked]
        self.order = rows


def column_title(column: str) -> str:
    """Return a column header in the interface language (English: the column name)."""
    from gridplanner.scenarios.labels import WORDS, column_label, word_label

    title = column_label(column)
    if title == column and column in WORDS:  # a column named after a role: its title
        return word_label(column)
    return title


#: Columns holding words of the data model rather than the user's own text.
WORD_COLUMNS = frozenset({"kind", "status", "level", "role", "change", "band_status",
                          "walkable", "locked", "online"})
#: How staff roles read as a group (legend classes, form choices; catalogue texts).
ROLE_TITLES = {"full_time": "Full-time grid workers", "grid_head": "Grid heads",
               "police": "Police", "part_time": "Part-time workers"}
#: Catalogue context of attribute words (``urban`` -> 城市, ``True`` -> 是).
VALUE_CONTEXT = "attribute"


def value_title(value: Any) -> str:
    """Return an attribute word in the interface language (yes/no for booleans).

    Words without a catalogue entry show as they are.
    """
    from gridplanner.i18n import pgettext

    if isinstance(value, bool | np.bool_):
        return pgettext(VALUE_CONTEXT, "True" if value else "False")
    text = _format(value)
    if not text:
        return text
    from gridplanner.scenarios.labels import WORDS, word_label

    if text in WORDS:
        return word_label(text)
    return pgettext(VALUE_CONTEXT, text)


def cell_text(column: str, value: Any) -> str:
    """Return one value as shown: words of the data model (and yes/no) translated."""
    if column in WORD_COLUMNS or isinstance(value, bool | np.bool_):
        return value_title(value)
    return _format(value)


def _format(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float | np.floating):
        number = float(value)
        return f"{number:,.2f}" if abs(number) < 1e6 else f"{number:,.0f}"
    if value is pd.NaT:
        return ""
    return str(value)


class AttributeTable(QWidget):
    """The table of one layer, following the stack's selection."""

    def __init__(self, stack: LayerStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stack = stack
        self.layer_name = ""
        self.model = FrameModel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setDefaultSectionSize(20)
        self.view.selectionModel().selectionChanged.connect(self._table_selection)
        self.filter = QLineEdit()
        bind(self.filter, "setPlaceholderText", "Filter rows…")
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(250)
        self._filter_timer.timeout.connect(lambda: self._set_filter(self.filter.text()))
        self.filter.textChanged.connect(lambda _t: self._filter_timer.start())
        self.title = plain_label()
        self.clear_button = bind(QPushButton(), "setText", "Clear selection")
        self.clear_button.clicked.connect(stack.clear_selection)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.filter, 1)
        top.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.view)
        self._syncing = False
        stack.selection_changed.connect(self._stack_selection)
        stack.changed.connect(self._layer_changed)
        # A project reopening removes and re-adds its layers: keep showing the same one.
        stack.removed.connect(lambda name: self._reset_to(name, None))
        stack.inserted.connect(lambda name: self._reset_to(name, name))
        on_language_change(self._retranslate)

    def _reset_to(self, name: str, show: str | None) -> None:
        if name != self.layer_name:
            return
        if show is None:
            self.model.set_frame(pd.DataFrame())
            self._update_title()
        else:
            self.show_layer(show)

    def show_layer(self, name: str) -> None:
        """Show the table of ``name`` ('' for none)."""
        self.layer_name = name
        layer = self.stack.get(name)
        self.model.set_frame(layer.frame if layer is not None else pd.DataFrame())
        self._update_title()
        self._stack_selection(name)

    def _set_filter(self, text: str) -> None:
        self.model.set_filter(text)
        self._update_title()
        self._stack_selection(self.layer_name)

    def _update_title(self) -> None:
        total = len(self.model.frame)
        shown = self.model.rowCount()
        text = f"{shown:,}" if shown == total else f"{shown:,} / {total:,}"
        self.title.setText(tr("{n} rows").format(n=text))

    def _retranslate(self) -> None:
        self._update_title()

    def _layer_changed(self, name: str, what: str) -> None:
        if name == self.layer_name and what == "data":
            self.show_layer(name)

    def _table_selection(self, *_args: object) -> None:
        if self._syncing or not self.layer_name:
            return
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        positions = self.model.order[rows] if rows else np.zeros(0, dtype=np.int64)
        self._syncing = True
        try:
            self.stack.select(self.layer_name, positions)
        finally:
            self._syncing = False

    def _stack_selection(self, name: str) -> None:
        if self._syncing or name != self.layer_name:
            return
        layer = self.stack.get(name)
        selected = layer.selection if layer is not None else np.zeros(0, dtype=np.int64)
        view_rows = np.flatnonzero(np.isin(self.model.order, selected))
        selection = QItemSelection()
        if len(view_rows):
            breaks = np.flatnonzero(np.diff(view_rows) != 1)
            starts = np.r_[view_rows[0], view_rows[breaks + 1]]
            ends = np.r_[view_rows[breaks], view_rows[-1]]
            last = self.model.columnCount() - 1
            for a, b in zip(starts[:2000], ends[:2000], strict=False):
                selection.select(self.model.index(int(a), 0), self.model.index(int(b), last))
        self._syncing = True
        try:
            self.view.selectionModel().select(
                selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            if len(view_rows):
                self.view.scrollTo(self.model.index(int(view_rows[0]), 0))
        finally:
            self._syncing = False

    def selected_positions(self) -> np.ndarray:
        """Row positions (in the frame) selected in the table."""
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return self.model.order[rows] if rows else np.zeros(0, dtype=np.int64)
