"""Map legend: the visible layers, top first, with their symbols, classes and units.

A dock beside the map (QGIS's legend). Each visible layer shows its symbol, or one
row per class with the class limits and unit (coverage in %, walking distance in m,
households); a layer drawn only when zoomed in says from which scale, greyed while
the map is farther out.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ui.canvas.canvas import MapCanvas
from ui.canvas.layer_model import LayerStack, MapLayer
from ui.canvas.render import shown_at
from ui.i18n import on_language_change, tr
from ui.panels.layers_panel import layer_title, legend_rows, swatch

#: Most class rows shown for one layer (categories beyond are summed up).
MAX_CLASSES = 12


class LegendPanel(QWidget):
    """The legend of the layers the map shows."""

    def __init__(self, stack: LayerStack, canvas: MapCanvas,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stack = stack
        self.canvas = canvas
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.NoSelection)
        self.tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.tree)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self.rebuild)
        for signal in (stack.inserted, stack.removed):
            signal.connect(lambda _n: self._timer.start())
        stack.moved.connect(self._timer.start)
        stack.changed.connect(lambda _n, what: self._timer.start()
                              if what in ("visible", "style", "data") else None)
        canvas.view_changed.connect(self._view_changed)
        self._shown_at: dict[str, bool] = {}
        on_language_change(self.rebuild)
        self.rebuild()

    def entries(self) -> list[tuple[str, list[str]]]:
        """(layer title, class labels) as shown, top first (for tests and exports)."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top is None:
                continue
            kids = [top.child(j) for j in range(top.childCount())]
            out.append((top.text(0), [k.text(0) for k in kids if k is not None]))
        return out

    def _view_changed(self) -> None:
        view = self.canvas.view()
        now = {layer.name: shown_at(layer.style, view) for layer in self.stack.visible_bottom_up()
               if layer.style.max_scale > 0}
        if now != self._shown_at:
            self._timer.start()

    def rebuild(self) -> None:
        """Rebuild the legend from the visible layers."""
        self._timer.stop()
        view = self.canvas.view()
        self.tree.clear()
        self._shown_at = {}
        for layer in reversed(self.stack.visible_bottom_up()):
            item = self._entry(layer)
            if layer.style.max_scale > 0:
                shown = shown_at(layer.style, view)
                self._shown_at[layer.name] = shown
                item.setToolTip(0, tr("Drawn from 1:{n} in").format(
                    n=f"{layer.style.max_scale:,.0f}"))
                if not shown:
                    item.setText(0, item.text(0) + "  " + tr("(zoom in to see)"))
                    item.setForeground(0, QBrush(QColor("#888888")))
            self.tree.addTopLevelItem(item)
        self.tree.expandAll()

    def _entry(self, layer: MapLayer) -> QTreeWidgetItem:
        colour, rows, count = legend_rows(layer, limit=MAX_CLASSES)
        item = QTreeWidgetItem([layer_title(layer.name)])
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        if not rows:
            item.setIcon(0, swatch(colour, layer.kind, layer.style.symbol))
            return item
        item.addChildren(rows)
        if count > MAX_CLASSES:
            more = QTreeWidgetItem([tr("… {n} more").format(n=count - MAX_CLASSES)])
            more.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.addChild(more)
        return item
