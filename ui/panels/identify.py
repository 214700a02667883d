"""Identify: the attributes of the features under a click, top layer first."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ui.canvas.layer_model import LayerStack
from ui.i18n import on_language_change, tr
from ui.panels.attribute_table import _format, cell_text, column_title
from ui.panels.layers_panel import layer_title


def features_at(stack: LayerStack, x: float, y: float, tolerance_m: float,
                *, limit: int = 5) -> list[tuple[str, int]]:
    """(layer, row) pairs of visible features within ``tolerance_m`` of a point, top first."""
    probe = shapely.Point(x, y).buffer(tolerance_m)
    hits: list[tuple[str, int]] = []
    for layer in stack:
        if not layer.visible or len(layer.frame) == 0:
            continue
        rows = layer.frame.sindex.query(probe, predicate="intersects")
        if len(rows) == 0:
            continue
        if layer.kind != "polygon":  # nearest first for points and lines
            d = shapely.distance(layer.frame.geometry.to_numpy()[rows], shapely.Point(x, y))
            rows = rows[np.argsort(d)]
        hits.extend((layer.name, int(r)) for r in rows[:limit])
    return hits


class IdentifyPanel(QWidget):
    """Tree of layer → feature → attribute/value."""

    def __init__(self, stack: LayerStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stack = stack
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.tree)
        self._last: list[tuple[str, int]] = []
        self._extra: list[tuple[str, dict[str, Any]]] = []
        on_language_change(self._refresh)
        self._refresh()

    def show_features(self, hits: list[tuple[str, int]]) -> None:
        """Show the attributes of ``(layer, row)`` hits."""
        self._last = hits
        self._extra = []
        self._refresh()

    def show_records(self, records: list[tuple[str, dict[str, Any]]]) -> None:
        """Show free-form records (title, {field: value}), e.g. an incident lookup.

        Titles and field names are catalogue texts (translated when shown, so they
        follow a language switch); values are shown as given.
        """
        self._last = []
        self._extra = records
        self._refresh()

    def _refresh(self) -> None:
        self.tree.clear()
        self.tree.setHeaderLabels([tr("Field"), tr("Value")])
        for name, row in self._last:
            layer = self.stack.get(name)
            if layer is None or row >= len(layer.frame):
                continue
            rec = layer.frame.iloc[row]
            top = QTreeWidgetItem([layer_title(name), str(rec.iloc[0])])
            for col in layer.frame.columns:
                if col == layer.frame.geometry.name:
                    continue
                top.addChild(QTreeWidgetItem([column_title(str(col)),
                                              cell_text(str(col), rec[col])]))
            self.tree.addTopLevelItem(top)
        for title, fields in self._extra:
            top = QTreeWidgetItem([tr(title), ""])
            for key, value in fields.items():
                top.addChild(QTreeWidgetItem([tr(str(key)), _format(value)]))
            self.tree.addTopLevelItem(top)
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
