"""Layer panel: visibility, order (drag or buttons), opacity, style and legend."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QDropEvent, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.canvas.layer_model import LayerStack, MapLayer
from ui.canvas.styles import classify
from ui.i18n import bind, on_language_change, tr

#: Display names of the schema layers (translated through tr at display time).
LAYER_TITLES = {
    "service_areas": "Service areas", "grids": "Grids", "cameras": "Cameras",
    "households": "Households", "roads": "Roads", "staff": "Staff",
    "facilities": "Facilities", "buildings": "Buildings", "incidents": "Incidents",
    # result layers, by their names on the map (ui.panels.analysis_panel.layer_key)
    "grid_coverage": "Coverage per grid", "coverage_gaps": "Coverage gaps",
    "uncovered_households": "Households not seen", "uncovered_intersections":
        "Intersections not seen", "assignments": "Households by walking distance",
    "unassigned": "Unassigned households", "balance__grids": "Balanced grid proposal",
    "proposed_cameras": "Proposed camera sites", "proposed_footprints":
        "Camera views of the proposed sites", "new_sites": "Proposed staff places",
    "service_areas__service_areas": "Facility service areas",
}


def layer_title(name: str) -> str:
    """Return the translated display name of a layer (unknown ones keep theirs)."""
    return tr(LAYER_TITLES[name]) if name in LAYER_TITLES else name


def swatch(colour: str, kind: str) -> QIcon:
    """Draw a small legend icon."""
    pix = QPixmap(14, 14)
    pix.fill(QColor(0, 0, 0, 0) if kind != "polygon" else QColor(colour))
    if kind != "polygon":
        from PySide6.QtGui import QPainter

        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setBrush(QColor(colour))
        p.setPen(QColor("#333333"))
        if kind == "point":
            p.drawEllipse(3, 3, 8, 8)
        else:
            p.fillRect(0, 6, 14, 3, QColor(colour))
        p.end()
    return QIcon(pix)


class _Tree(QTreeWidget):
    order_changed = Signal()

    def dropEvent(self, event: QDropEvent) -> None:
        super().dropEvent(event)
        self.order_changed.emit()


class LayerPanel(QWidget):
    """Layers top first; the current layer drives the attribute table and style editor."""

    current_changed = Signal(str)
    style_requested = Signal(str)
    zoom_requested = Signal(str)

    def __init__(self, stack: LayerStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stack = stack
        self.tree = _Tree()
        self.tree.setHeaderHidden(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.order_changed.connect(self._sync_order)
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.currentItemChanged.connect(self._current_item)
        self.tree.itemDoubleClicked.connect(self._double_clicked)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.valueChanged.connect(self._opacity_changed)
        self.up = bind(QPushButton(), "setText", "Up")
        self.down = bind(QPushButton(), "setText", "Down")
        self.style_button = bind(QPushButton(), "setText", "Style…")
        self.up.clicked.connect(lambda: self._step(-1))
        self.down.clicked.connect(lambda: self._step(1))
        self.style_button.clicked.connect(lambda: self.style_requested.emit(self.current()))
        buttons = QHBoxLayout()
        for b in (self.up, self.down, self.style_button):
            buttons.addWidget(b)
        row = QHBoxLayout()
        row.addWidget(bind(QLabel(), "setText", "Opacity"))
        row.addWidget(self.opacity)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.tree)
        layout.addLayout(row)
        layout.addLayout(buttons)
        self._building = False
        self._last_current = ""
        # Many layer events arrive at once when a project opens: rebuild once after them.
        self._rebuild_timer = QTimer(self)
        self._rebuild_timer.setSingleShot(True)
        self._rebuild_timer.setInterval(0)
        self._rebuild_timer.timeout.connect(self.rebuild)
        for sig in (stack.inserted, stack.removed):
            sig.connect(lambda _name: self._rebuild_timer.start())
        stack.moved.connect(self._rebuild_timer.start)
        stack.changed.connect(self._layer_changed)
        on_language_change(self.rebuild)
        self.rebuild()

    def current(self) -> str:
        """Name of the current layer ('' when none)."""
        item = self.tree.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        return str(item.data(0, Qt.ItemDataRole.UserRole)) if item is not None else ""

    def set_current(self, name: str) -> None:
        """Make ``name`` the current layer (also once it appears after a pending rebuild)."""
        self._wanted = name
        for item in self._layer_items():
            if item.data(0, Qt.ItemDataRole.UserRole) == name:
                self.tree.setCurrentItem(item)
                return

    def rebuild(self) -> None:
        """Rebuild the tree from the stack (keeps the current layer)."""
        self._rebuild_timer.stop()
        current = getattr(self, "_wanted", "") or self.current() or self._last_current
        self._building = True
        self.tree.blockSignals(True)
        self.tree.clear()
        for layer in self.stack:
            item = QTreeWidgetItem([f"{layer_title(layer.name)}  ({len(layer.frame):,})"])
            item.setData(0, Qt.ItemDataRole.UserRole, layer.name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                          | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)
            item.setCheckState(0, Qt.CheckState.Checked if layer.visible
                               else Qt.CheckState.Unchecked)
            self._add_legend(item, layer)
            self.tree.addTopLevelItem(item)
        self.tree.blockSignals(False)
        self._building = False
        if current and current in self.stack:
            self.set_current(current)
            self._wanted = ""
        elif self._layer_items():
            self.tree.setCurrentItem(self._layer_items()[0])
        self._current_item()

    def _layer_items(self) -> list[QTreeWidgetItem]:
        """Return the tree's layer rows, top first."""
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in items if item is not None]

    def _add_legend(self, item: QTreeWidgetItem, layer: MapLayer) -> None:
        classes = classify(layer.frame, layer.style, layer.name)
        if layer.style.mode == "single" or len(classes.colours) <= 1:
            item.setIcon(0, swatch(classes.colours[0] if classes.colours else layer.style.colour,
                                   layer.kind))
            return
        for colour, label in list(zip(classes.colours, classes.labels, strict=True))[:24]:
            child = QTreeWidgetItem([label or "—"])
            child.setIcon(0, swatch(colour, layer.kind))
            child.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.addChild(child)
        item.setIcon(0, swatch(classes.colours[0] if classes.colours else "#999999",
                               layer.kind))

    def _layer_changed(self, name: str, what: str) -> None:
        if what in ("style", "data"):
            self._rebuild_timer.start()
        elif what == "visible":
            layer = self.stack.get(name)
            for item in self._layer_items():
                if item.data(0, Qt.ItemDataRole.UserRole) == name and layer is not None:
                    self._building = True
                    item.setCheckState(0, Qt.CheckState.Checked if layer.visible
                                       else Qt.CheckState.Unchecked)
                    self._building = False

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._building or item.parent() is not None:
            return
        name = str(item.data(0, Qt.ItemDataRole.UserRole))
        self.stack.set_visible(name, item.checkState(0) == Qt.CheckState.Checked)

    def _current_item(self, *_args: object) -> None:
        name = self.current()
        layer = self.stack.get(name)
        if layer is not None:
            self.opacity.blockSignals(True)
            self.opacity.setValue(round(layer.opacity * 100))
            self.opacity.blockSignals(False)
        if name != self._last_current:
            self._last_current = name
            self.current_changed.emit(name)

    def _double_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        if item.parent() is None:
            self.zoom_requested.emit(str(item.data(0, Qt.ItemDataRole.UserRole)))

    def _opacity_changed(self, value: int) -> None:
        if self.current():
            self.stack.set_opacity(self.current(), value / 100)

    def _step(self, delta: int) -> None:
        name = self.current()
        names = self.stack.names()
        if name in names:
            self.stack.move(name, names.index(name) + delta)

    def _sync_order(self) -> None:
        names = []
        for item in self._layer_items():
            names.append(str(item.data(0, Qt.ItemDataRole.UserRole)))
            # a layer dropped onto another becomes its child: lift it back out
            for j in reversed(range(item.childCount())):
                child = item.child(j)
                if child is not None and child.data(0, Qt.ItemDataRole.UserRole):
                    names.append(str(child.data(0, Qt.ItemDataRole.UserRole)))
        self.stack.blockSignals(True)
        for index, name in enumerate(names):
            self.stack.move(name, index)
        self.stack.blockSignals(False)
        self.stack.moved.emit()
