"""The map canvas: shows the frame rendered off-thread, pans it at once, tools on top.

Painting never draws layers: it blits the last finished frame (transformed when
the view moved since), then the selection, highlights and the active tool's
handles, which are few. A new frame is asked for shortly after the view or a
layer changes and is rendered by :func:`ui.canvas.render.render` on a worker
thread; a newer request cancels an older one.
"""

from __future__ import annotations

import math
import time
from typing import cast

import geopandas as gpd
import numpy as np
import shapely
from PySide6.QtCore import QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QWidget

from gridplanner import palette
from ui.canvas.basemap import BasemapController
from ui.canvas.layer_model import LayerStack
from ui.canvas.render import (
    LayerSnapshot,
    Prepared,
    RenderJob,
    RenderResult,
    ViewState,
    geometry_path,
    point_xy,
    points_np,
    render,
)
from ui.canvas.tools import MapTool
from ui.workers import TaskRunner

SELECTION_COLOUR = QColor(palette.SELECTION)
HIGHLIGHT_COLOUR = QColor(palette.HIGHLIGHT)


class MapCanvas(QWidget):
    """Map view over a :class:`LayerStack`.

    Signals
    -------
    cursor_moved(float, float)
        Map coordinates under the mouse.
    view_changed()
        Centre or scale changed.
    frame_ready(float)
        A new frame finished rendering (seconds it took off-thread).
    """

    cursor_moved = Signal(float, float)
    view_changed = Signal()
    frame_ready = Signal(float)

    def __init__(self, stack: LayerStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stack = stack
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(200, 150)
        self.cx = 0.0
        self.cy = 0.0
        self.scale = 1.0
        self._frame: RenderResult | None = None
        self._prepared: dict[str, Prepared] = {}
        self._runner = TaskRunner(self)
        self._runner.finished.connect(self._on_frame)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(40)
        self._timer.timeout.connect(self._start_render)
        self._selection: dict[str, tuple[str, object]] = {}
        self._highlight: tuple[str, object] | None = None
        self.tool: MapTool | None = None
        self.basemap = BasemapController(self)
        self.last_paint_s = 0.0
        stack.inserted.connect(self._layers_changed)
        stack.removed.connect(self._layer_removed)
        stack.moved.connect(self.refresh)
        stack.changed.connect(self._layer_changed)
        stack.selection_changed.connect(self._selection_changed)

    # ------------------------------------------------------------------ view
    def view(self) -> ViewState:
        """Return the current view."""
        return ViewState(self.cx, self.cy, self.scale, max(self.width(), 1),
                         max(self.height(), 1))

    def set_view(self, cx: float, cy: float, scale: float) -> None:
        """Move the view; the cached frame is shown at once, a new one follows."""
        if not (math.isfinite(cx) and math.isfinite(cy) and math.isfinite(scale)) or scale <= 0:
            return
        self.cx, self.cy, self.scale = cx, cy, scale
        self.view_changed.emit()
        self.update()
        self.refresh()

    def zoom_to(self, bounds: tuple[float, float, float, float] | None,
                *, margin: float = 0.05) -> None:
        """Fit ``(minx, miny, maxx, maxy)`` in the view."""
        if bounds is None:
            return
        x0, y0, x1, y1 = bounds
        if not all(math.isfinite(v) for v in bounds):
            return
        w = max(x1 - x0, 1.0) * (1 + 2 * margin)
        h = max(y1 - y0, 1.0) * (1 + 2 * margin)
        scale = min(max(self.width(), 1) / w, max(self.height(), 1) / h)
        self.set_view((x0 + x1) / 2, (y0 + y1) / 2, scale)

    def zoom_full(self) -> None:
        """Show every layer."""
        self.zoom_to(self.stack.full_extent())

    def zoom_to_layer(self, name: str) -> None:
        """Show one layer."""
        layer = self.stack.get(name)
        if layer is not None and len(layer.frame):
            self.zoom_to(tuple(float(v) for v in layer.frame.total_bounds))  # type: ignore[arg-type]

    def zoom_to_selection(self) -> None:
        """Show the selected features of every layer."""
        boxes = []
        for layer in self.stack:
            if len(layer.selection):
                boxes.append(layer.frame.geometry.iloc[layer.selection].total_bounds)
        if boxes:
            arr = np.array(boxes)
            self.zoom_to((arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max()),
                         margin=0.3)

    def zoom_by(self, factor: float, at: QPointF | None = None) -> None:
        """Zoom by ``factor`` keeping the map point under ``at`` (pixels) fixed."""
        at = at or QPointF(self.width() / 2, self.height() / 2)
        mx, my = self.view().to_map(at.x(), at.y())
        scale = self.scale * factor
        cx = mx - (at.x() - self.width() / 2) / scale
        cy = my + (at.y() - self.height() / 2) / scale
        self.set_view(cx, cy, scale)

    def pan_pixels(self, dx: float, dy: float) -> None:
        """Move the map by ``dx, dy`` pixels."""
        self.set_view(self.cx - dx / self.scale, self.cy + dy / self.scale, self.scale)

    def map_point(self, pos: QPointF) -> tuple[float, float]:
        """Map coordinates of a widget position."""
        return self.view().to_map(pos.x(), pos.y())

    def tolerance_m(self, pixels: float = 6.0) -> float:
        """``pixels`` in map units at the current zoom."""
        return pixels / self.scale

    def scale_denominator(self) -> float:
        """Return N of the map scale 1:N at 96 dpi."""
        return (1.0 / self.scale) / (0.0254 / 96)

    # --------------------------------------------------------------- frames
    def refresh(self) -> None:
        """Ask for a new frame soon (requests within 40 ms merge into one)."""
        self._timer.start()
        self.basemap.request()

    def _layers_changed(self, name: str) -> None:
        if self._frame is None and len(self.stack) and self.scale == 1.0:
            self.zoom_full()
        self.refresh()

    def _layer_removed(self, name: str) -> None:
        self._prepared.pop(name, None)
        self._selection.pop(name, None)
        self.refresh()

    def _layer_changed(self, name: str, what: str) -> None:
        if what == "data":
            self._selection_changed(name)
        self.refresh()

    def render_job(self, view: ViewState | None = None) -> RenderJob:
        """Build the job that renders the visible layers for ``view`` (default: current)."""
        snaps = tuple(LayerSnapshot.of(layer) for layer in self.stack.visible_bottom_up())
        return RenderJob(view or self.view(), snaps, dict(self._prepared),
                         background=self.basemap.frame_background())

    def _start_render(self) -> None:
        job = self.render_job()
        self._runner.run(lambda fb: render(job, fb.is_cancelled), "render")

    def _on_frame(self, result: RenderResult) -> None:
        self._prepared.update(result.prepared)
        self._frame = result
        self.update()
        self.frame_ready.emit(result.seconds)

    def is_rendering(self) -> bool:
        """Return True while a frame is being rendered or is due."""
        return self._runner.is_busy() or self._timer.isActive()

    def wait_idle(self, timeout_ms: int = 10000) -> bool:
        """Block until no frame is being rendered (shutdown and tests)."""
        self._timer.stop()
        return self._runner.wait(timeout_ms)

    def shutdown(self) -> None:
        """Stop rendering before the window closes."""
        self._timer.stop()
        self._runner.cancel()
        self.basemap.shutdown()
        self._runner.wait()

    def render_image(self, size: QSize) -> QImage:
        """Render the current view at another size (for PNG export); any thread."""
        view = self.view()
        scale = self.scale * min(size.width() / view.width, size.height() / view.height)
        big = ViewState(self.cx, self.cy, scale, size.width(), size.height())
        return render(self.render_job(big)).image

    # ------------------------------------------------------------ overlays
    def _selection_changed(self, name: str) -> None:
        layer = self.stack.get(name)
        if layer is None or len(layer.selection) == 0:
            self._selection.pop(name, None)
        else:
            self._selection[name] = self._overlay(layer.kind, layer.frame.geometry.to_numpy()
                                                  [layer.selection])
        self.update()

    def set_highlight(self, geoms: gpd.GeoSeries | np.ndarray | None) -> None:
        """Outline ``geoms`` in magenta (check results, changed grids); None clears."""
        if geoms is None or len(geoms) == 0:
            self._highlight = None
        else:
            arr = np.asarray(geoms.to_numpy() if hasattr(geoms, "to_numpy") else geoms)
            kinds = shapely.get_type_id(arr)
            kind = "point" if np.all(np.isin(kinds, (0, 4))) else "polygon"
            self._highlight = self._overlay(kind, arr)
        self.update()

    @staticmethod
    def _overlay(kind: str, geoms: np.ndarray) -> tuple[str, object]:
        if kind == "point":
            return ("point", point_xy(geoms))
        return ("path", geometry_path(geoms))

    # -------------------------------------------------------------- painting
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: D102
        t0 = time.perf_counter()
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(palette.APP_BACKGROUND))
        view = self.view()
        self.basemap.paint(painter, view)
        frame = self._frame
        if frame is not None:
            if frame.view == view:
                painter.drawImage(0, 0, frame.image)
            else:
                old_inv, _ = frame.view.transform().inverted()
                painter.setTransform(old_inv * view.transform())
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
                painter.drawImage(0, 0, frame.image)
                painter.resetTransform()
        for kind, data in self._selection.values():
            self._paint_overlay(painter, view, kind, data, SELECTION_COLOUR)
        if self._highlight is not None:
            self._paint_overlay(painter, view, *self._highlight, HIGHLIGHT_COLOUR)
        self.basemap.paint_credit(painter, self.width(), self.height())
        if self.tool is not None:
            self.tool.paint(painter, view)
        painter.end()
        self.last_paint_s = time.perf_counter() - t0

    @staticmethod
    def _paint_overlay(p: QPainter, view: ViewState, kind: str, data: object,
                       colour: QColor) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if kind == "point":
            x, y = cast("tuple[np.ndarray, np.ndarray]", data)
            sx, sy = view.to_screen(np.asarray(x), np.asarray(y))
            pen = QPen(colour, 8)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            points_np(p, sx, sy)
            return
        p.setTransform(view.transform())
        pen = QPen(colour, 3)
        pen.setCosmetic(True)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(data)  # type: ignore[arg-type]
        p.resetTransform()

    # ----------------------------------------------------------------- input
    def set_tool(self, tool: MapTool | None) -> None:
        """Make ``tool`` receive mouse and key events (None: pan)."""
        if self.tool is not None and hasattr(self.tool, "deactivate"):
            self.tool.deactivate()
        self.tool = tool
        cursor = getattr(tool, "cursor", Qt.CursorShape.OpenHandCursor)
        self.setCursor(cursor)
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: D102
        self._drag_from = event.position()
        self._dragging = event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton
            and (self.tool is None or getattr(self.tool, "pans", False)))
        if not self._dragging and self.tool is not None:
            self.tool.press(event, self)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: D102
        mx, my = self.map_point(event.position())
        self.cursor_moved.emit(mx, my)
        if getattr(self, "_dragging", False):
            delta = event.position() - self._drag_from
            self._drag_from = event.position()
            self.pan_pixels(delta.x(), delta.y())
        elif self.tool is not None:
            self.tool.move(event, self)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: D102
        if getattr(self, "_dragging", False):
            self._dragging = False
            return
        if self.tool is not None:
            self.tool.release(event, self)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: D102
        if self.tool is not None and hasattr(self.tool, "double_click"):
            self.tool.double_click(event, self)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: D102
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.25 ** steps, event.position())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: D102
        step = 80
        key = event.key()
        moves: dict[int, tuple[int, int]] = {
            Qt.Key.Key_Left: (step, 0), Qt.Key.Key_Right: (-step, 0),
            Qt.Key.Key_Up: (0, step), Qt.Key.Key_Down: (0, -step)}
        if key in moves:
            self.pan_pixels(*moves[key])
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.5)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(1 / 1.5)
        elif self.tool is not None and hasattr(self.tool, "key"):
            self.tool.key(event, self)
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: D102
        old = event.oldSize()
        if self._frame is None and len(self.stack) and (old.width() <= 0 or self.scale == 1.0):
            self.zoom_full()
        self.refresh()
        super().resizeEvent(event)
