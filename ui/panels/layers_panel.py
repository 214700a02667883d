"""Layer panel: visibility, order (drag or buttons), opacity, style and legend.

The project's layers are rows of the tree; the result layers of one analysis sit
under a group row named after the analysis (ticking the group shows or hides them
all), which its next run fills anew.
"""

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
from ui.panels.attribute_table import ROLE_TITLES, value_title

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
    "routes": "Incident", "service_households": "Households by facility",
    "service_roads": "Roads by facility", "grid_heads": "Grid heads assigned",
    "camera_footprints": "Camera views", "camera_issues": "Camera record problems",
    "grid_checks": "Grid check findings", "staff_load": "Staff load",
    "uncovered_roads": "Roads not seen",
    "grid_organisation": "Organisation per grid", "work_group_members": "Work group members",
    "incident_units": "Incidents per grid", "incident_points": "Incidents placed",
    "incident_counts": "Incident counts", "incident_by_kind": "Incidents by kind",
    "incident_by_period": "Incidents by period", "member_links": "Households by party member",
    "party_member_points": "Party members", "unlinked_households": "Households not linked",
    "link_grids": "Party member links per grid",
}

#: Item data role of a group row: the analysis name.
GROUP_ROLE = Qt.ItemDataRole.UserRole + 1
LAYER_ROLE = Qt.ItemDataRole.UserRole


#: How category values of the layers' styled fields read (catalogue texts).
CATEGORY_TITLES = {**ROLE_TITLES, "urban": "urban", "rural": "rural",
                   "True": "yes", "False": "no"}


def class_title(layer: MapLayer, label: str) -> str:
    """Return a legend class label in the interface language (categories translated)."""
    if layer.style.mode == "categorised":
        return tr(CATEGORY_TITLES[label]) if label in CATEGORY_TITLES else value_title(label)
    return label


def legend_rows(layer: MapLayer, *, limit: int) -> tuple[str, list[QTreeWidgetItem], int]:
    """Return a layer's symbol colour, rows for its first ``limit`` classes, and its classes' count.

    Shared by the layer panel and the legend; a single-symbol layer has no class rows.
    """
    classes = classify(layer.frame, layer.style, layer.name)
    if layer.style.mode == "single" or len(classes.colours) <= 1:
        return (classes.colours[0] if classes.colours else layer.style.colour), [], 0
    rows = []
    for colour, label in list(zip(classes.colours, classes.labels, strict=True))[:limit]:
        row = QTreeWidgetItem([class_title(layer, label) or "—"])
        row.setIcon(0, swatch(colour, layer.kind, layer.style.symbol))
        row.setFlags(Qt.ItemFlag.ItemIsEnabled)
        rows.append(row)
    return classes.colours[0], rows, len(classes.colours)


def group_title(analysis: str) -> str:
    """Return the translated title of an analysis (unknown names keep theirs).

    Names the group of its result layers here, and its runs in the status bar.
    """
    from gridplanner.analyses import analyses

    titles = {a.name: a.title for a in analyses()}
    return tr(titles[analysis]) if analysis in titles else analysis


def layer_title(name: str) -> str:
    """Return the translated display name of a layer (unknown ones keep theirs)."""
    return tr(LAYER_TITLES[name]) if name in LAYER_TITLES else name


def swatch(colour: str, kind: str, symbol: str = "circle", size: int = 14) -> QIcon:
    """Draw a small legend icon (points in the layer's marker shape)."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QPainter, QPolygonF

    from ui.canvas.render import MARKERS

    pix = QPixmap(size, size)
    pix.fill(QColor(0, 0, 0, 0) if kind != "polygon" else QColor(colour))
    if kind != "polygon":
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setBrush(QColor(colour))
        p.setPen(QColor("#333333"))
        half = size / 2
        if kind == "point" and symbol in MARKERS:
            ring = MARKERS[symbol] * (half - 1) + half
            p.drawPolygon(QPolygonF([QPointF(float(x), float(y)) for x, y in ring]))
        elif kind == "point":
            p.drawEllipse(QPointF(half, half), half * 0.6, half * 0.6)
        else:
            p.fillRect(0, int(half) - 1, size, 3, QColor(colour))
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
        """Name of the current layer ('' when none, or a group row is current)."""
        item = self.tree.currentItem()
        while item is not None and not item.data(0, LAYER_ROLE):
            if item.data(0, GROUP_ROLE):
                return ""
            item = item.parent()
        return str(item.data(0, LAYER_ROLE)) if item is not None else ""

    def set_current(self, name: str) -> None:
        """Make ``name`` the current layer (also once it appears after a pending rebuild)."""
        self._wanted = name
        for item in self._layer_items():
            if item.data(0, LAYER_ROLE) == name:
                self.tree.setCurrentItem(item)
                return

    def groups(self) -> dict[str, list[str]]:
        """Return the result layers shown under each analysis group row, top first."""
        out: dict[str, list[str]] = {}
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top is not None and top.data(0, GROUP_ROLE):
                out[str(top.data(0, GROUP_ROLE))] = [
                    str(c.data(0, LAYER_ROLE)) for c in _children(top) if c.data(0, LAYER_ROLE)]
        return out

    def rebuild(self) -> None:
        """Rebuild the tree from the stack (keeps the current layer)."""
        self._rebuild_timer.stop()
        current = getattr(self, "_wanted", "") or self.current() or self._last_current
        self._building = True
        self.tree.blockSignals(True)
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for layer in self.stack:
            item = QTreeWidgetItem([f"{layer_title(layer.name)}  ({len(layer.frame):,})"])
            item.setData(0, LAYER_ROLE, layer.name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                          | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)
            item.setCheckState(0, Qt.CheckState.Checked if layer.visible
                               else Qt.CheckState.Unchecked)
            self._add_legend(item, layer)
            if not layer.group:
                self.tree.addTopLevelItem(item)
                continue
            group = groups.get(layer.group)
            if group is None:
                group = QTreeWidgetItem([group_title(layer.group)])
                group.setData(0, GROUP_ROLE, layer.group)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                               | Qt.ItemFlag.ItemIsUserCheckable)
                groups[layer.group] = group
                self.tree.addTopLevelItem(group)
                group.setExpanded(True)
            group.addChild(item)
        for group in groups.values():
            self._update_group_check(group)
            group.setExpanded(True)
        self.tree.blockSignals(False)
        self._building = False
        if current and current in self.stack:
            self.set_current(current)
            self._wanted = ""
        elif self._layer_items():
            self.tree.setCurrentItem(self._layer_items()[0])
        self._current_item()

    def _layer_items(self) -> list[QTreeWidgetItem]:
        """Return the tree's layer rows (inside groups too), top first."""
        items: list[QTreeWidgetItem] = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top is None:
                continue
            if top.data(0, GROUP_ROLE):
                items.extend(c for c in _children(top) if c.data(0, LAYER_ROLE))
            else:
                items.append(top)
        return items

    @staticmethod
    def _update_group_check(group: QTreeWidgetItem) -> None:
        states = {c.checkState(0) for c in _children(group) if c.data(0, LAYER_ROLE)}
        if states == {Qt.CheckState.Checked}:
            group.setCheckState(0, Qt.CheckState.Checked)
        elif states == {Qt.CheckState.Unchecked} or not states:
            group.setCheckState(0, Qt.CheckState.Unchecked)
        else:
            group.setCheckState(0, Qt.CheckState.PartiallyChecked)

    def _add_legend(self, item: QTreeWidgetItem, layer: MapLayer) -> None:
        colour, rows, _count = legend_rows(layer, limit=24)
        item.setIcon(0, swatch(colour, layer.kind, layer.style.symbol))
        for row in rows:
            item.addChild(row)

    def _layer_changed(self, name: str, what: str) -> None:
        if what in ("style", "data"):
            self._rebuild_timer.start()
        elif what == "visible":
            layer = self.stack.get(name)
            for item in self._layer_items():
                if item.data(0, LAYER_ROLE) == name and layer is not None:
                    self._building = True
                    item.setCheckState(0, Qt.CheckState.Checked if layer.visible
                                       else Qt.CheckState.Unchecked)
                    parent = item.parent()
                    if parent is not None and parent.data(0, GROUP_ROLE):
                        self._update_group_check(parent)
                    self._building = False

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._building:
            return
        if item.data(0, GROUP_ROLE):
            state = item.checkState(0)
            if state == Qt.CheckState.PartiallyChecked:
                return
            for child in _children(item):
                if child.data(0, LAYER_ROLE):
                    self.stack.set_visible(str(child.data(0, LAYER_ROLE)),
                                           state == Qt.CheckState.Checked)
            return
        if not item.data(0, LAYER_ROLE):
            return  # a legend row
        name = str(item.data(0, LAYER_ROLE))
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
        if item.data(0, LAYER_ROLE):
            self.zoom_requested.emit(str(item.data(0, LAYER_ROLE)))

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
            names.append(str(item.data(0, LAYER_ROLE)))
            # a layer dropped onto another becomes its child: lift it back out
            for j in reversed(range(item.childCount())):
                child = item.child(j)
                if child is not None and child.data(0, LAYER_ROLE):
                    names.append(str(child.data(0, LAYER_ROLE)))
        self.stack.blockSignals(True)
        for index, name in enumerate(names):
            self.stack.move(name, index)
        self.stack.blockSignals(False)
        self.stack.moved.emit()


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    kids = (item.child(j) for j in range(item.childCount()))
    return [kid for kid in kids if kid is not None]
