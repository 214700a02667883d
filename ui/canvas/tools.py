"""Map tools: what a mouse press on the canvas does.

Tools are light objects; they draw their handles (rubber bands, vertices, lines
being drawn) on top of the cached frame in :meth:`MapTool.paint` and hand their
result to a callback. They never change data: the window turns a result into a
selection, an identify request or an engine edit command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import shapely
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPen, QPolygonF

from gridplanner import palette
from ui.canvas.render import ViewState, points_np

BAND = QColor(palette.EDIT_LINE)


class MapTool:
    """Base tool: no action; subclasses override the handlers they need."""

    cursor = Qt.CursorShape.ArrowCursor
    pans = False
    name = ""

    def press(self, event: QMouseEvent, canvas: Any) -> None:
        """Mouse button pressed."""

    def move(self, event: QMouseEvent, canvas: Any) -> None:
        """Mouse moved (with or without a button)."""

    def release(self, event: QMouseEvent, canvas: Any) -> None:
        """Mouse button released."""

    def paint(self, painter: QPainter, view: ViewState) -> None:
        """Draw handles on top of the map."""

    def deactivate(self) -> None:
        """Clean up: the tool is being replaced."""


class PanTool(MapTool):
    """Drag to pan (the canvas does the work)."""

    cursor = Qt.CursorShape.OpenHandCursor
    pans = True
    name = "pan"


class PointTool(MapTool):
    """Click: ``callback(x, y, modifiers)`` with map coordinates (identify, incidents)."""

    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, callback: Callable[[float, float, Any], object],
                 name: str = "point") -> None:
        self.callback = callback
        self.name = name

    def release(self, event: QMouseEvent, canvas: Any) -> None:  # noqa: D102
        if event.button() == Qt.MouseButton.LeftButton:
            x, y = canvas.map_point(event.position())
            self.callback(x, y, event.modifiers())


class BoxTool(MapTool):
    """Drag a rectangle (or click): ``callback(geometry, modifiers)`` in map units.

    A click without dragging gives a small square of a few pixels around the point.
    With ``lasso=True`` the drag draws a free polygon instead.
    """

    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, callback: Callable[[shapely.Geometry, Any], object], *,
                 lasso: bool = False, name: str = "select") -> None:
        self.callback = callback
        self.lasso = lasso
        self.name = name
        self._start: QPointF | None = None
        self._points: list[QPointF] = []
        self._view: ViewState | None = None

    def press(self, event: QMouseEvent, canvas: Any) -> None:  # noqa: D102
        if event.button() == Qt.MouseButton.LeftButton:
            self._start = event.position()
            self._points = [event.position()]

    def move(self, event: QMouseEvent, canvas: Any) -> None:  # noqa: D102
        if self._start is not None:
            self._points.append(event.position())
            canvas.update()

    def release(self, event: QMouseEvent, canvas: Any) -> None:  # noqa: D102
        if self._start is None:
            return
        start, end = self._start, event.position()
        self._start = None
        view = canvas.view()
        if (end - start).manhattanLength() < 4:
            x, y = view.to_map(end.x(), end.y())
            tol = canvas.tolerance_m()
            geom = shapely.box(x - tol, y - tol, x + tol, y + tol)
        elif self.lasso and len(self._points) >= 3:
            xy = np.array([view.to_map(p.x(), p.y()) for p in self._points])
            geom = shapely.make_valid(shapely.polygons(xy))
        else:
            x0, y0 = view.to_map(start.x(), start.y())
            x1, y1 = view.to_map(end.x(), end.y())
            geom = shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        self._points = []
        canvas.update()
        self.callback(geom, event.modifiers())

    def paint(self, painter: QPainter, view: ViewState) -> None:  # noqa: D102
        if self._start is None or len(self._points) < 2:
            return
        pen = QPen(BAND, 1.5, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(QColor(255, 109, 0, 40))
        if self.lasso:
            painter.drawPolygon(QPolygonF(self._points))
        else:
            painter.drawRect(QRectF(self._start, self._points[-1]).normalized())


class LineTool(MapTool):
    """Click vertices, double-click or Enter to finish: ``callback(LineString)``.

    Used for split-by-line and reshape-boundary. Esc drops the line, Backspace the
    last vertex.
    """

    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, callback: Callable[[shapely.LineString], object], *,
                 name: str = "line", snap: Callable[[float, float, float], tuple[float, float]]
                 | None = None) -> None:
        self.callback = callback
        self.name = name
        self.snap = snap
        self.points: list[tuple[float, float]] = []
        self._hover: tuple[float, float] | None = None
        # A double-click is press, release, double-click, release: the last release
        # belongs to the finished line and must not start a new one.
        self._ignore_release = False

    def _map(self, event: QMouseEvent, canvas: Any) -> tuple[float, float]:
        x, y = canvas.map_point(event.position())
        if self.snap is not None:
            x, y = self.snap(x, y, canvas.tolerance_m(8))
        return x, y

    def press(self, event: QMouseEvent, canvas: Any) -> None:  # noqa: D102
        self._ignore_release = False

    def release(self, event: QMouseEvent, canvas: Any) -> None:  # noqa: D102
        if self._ignore_release:
            self._ignore_release = False
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self.points.append(self._map(event, canvas))
            canvas.update()
        elif event.button() == Qt.MouseButton.RightButton:
            self.finish(canvas)

    def move(self, event: QMouseEvent, canvas: Any) -> None:  # noqa: D102
        if self.points:
            self._hover = self._map(event, canvas)
            canvas.update()

    def double_click(self, event: QMouseEvent, canvas: Any) -> None:
        """Finish the line (the release that follows adds no point)."""
        self._ignore_release = True
        self.finish(canvas)

    def key(self, event: QKeyEvent, canvas: Any) -> None:
        """Enter finishes, Esc drops, Backspace removes the last vertex."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish(canvas)
        elif event.key() == Qt.Key.Key_Escape:
            self.points = []
            self._hover = None
        elif event.key() == Qt.Key.Key_Backspace and self.points:
            self.points.pop()
        canvas.update()

    def finish(self, canvas: Any) -> None:
        """Hand the line over when it has two distinct vertices."""
        pts = [p for i, p in enumerate(self.points) if i == 0 or p != self.points[i - 1]]
        self.points = []
        self._hover = None
        canvas.update()
        if len(pts) >= 2:
            self.callback(shapely.LineString(pts))

    def paint(self, painter: QPainter, view: ViewState) -> None:  # noqa: D102
        pts = self.points + ([self._hover] if self._hover and self.points else [])
        if not pts:
            return
        xy = np.array(pts, dtype=float)
        sx, sy = view.to_screen(xy[:, 0], xy[:, 1])
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(BAND, 2))
        painter.drawPolyline(QPolygonF([QPointF(a, b) for a, b in zip(sx, sy, strict=True)]))
        pen = QPen(BAND, 7)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        points_np(painter, sx, sy)


class VertexTool(MapTool):
    """Drag a grid vertex; on release ``callback(old_xy, new_xy)``, snapped to vertices.

    ``vertices()`` returns the (n, 2) array of candidate vertices (those of the
    unlocked grids); they are drawn as small squares so the user sees what can move.
    """

    cursor = Qt.CursorShape.PointingHandCursor
    name = "vertex"

    def __init__(self, vertices: Callable[[], np.ndarray],
                 callback: Callable[[tuple[float, float], tuple[float, float]], object]) -> None:
        self.vertices = vertices
        self.callback = callback
        self._cache: np.ndarray | None = None
        self.dragging: tuple[float, float] | None = None
        self._to: tuple[float, float] | None = None

    def invalidate(self) -> None:
        """Forget the cached vertices (the grids changed)."""
        self._cache = None

    def _verts(self) -> np.ndarray:
        if self._cache is None:
            self._cache = self.vertices()
        return self._cache

    def nearest(self, x: float, y: float, tol: float,
                exclude: tuple[float, float] | None = None) -> tuple[float, float] | None:
        """Return the vertex nearest to (x, y) within ``tol``."""
        v = self._verts()
        if len(v) == 0:
            return None
        d = np.hypot(v[:, 0] - x, v[:, 1] - y)
        if exclude is not None:
            d[(v[:, 0] == exclude[0]) & (v[:, 1] == exclude[1])] = np.inf
        i = int(np.argmin(d))
        return (float(v[i, 0]), float(v[i, 1])) if d[i] <= tol else None

    def press(self, event: QMouseEvent, canvas: Any) -> None:  # noqa: D102
        if event.button() == Qt.MouseButton.LeftButton:
            x, y = canvas.map_point(event.position())
            self.dragging = self.nearest(x, y, canvas.tolerance_m(8))

    def move(self, event: QMouseEvent, canvas: Any) -> None:  # noqa: D102
        if self.dragging is not None:
            x, y = canvas.map_point(event.position())
            self._to = self.nearest(x, y, canvas.tolerance_m(8), exclude=self.dragging) or (x, y)
            canvas.update()

    def release(self, event: QMouseEvent, canvas: Any) -> None:  # noqa: D102
        start, end = self.dragging, self._to
        self.dragging = self._to = None
        canvas.update()
        if start is not None and end is not None and start != end:
            self.callback(start, end)

    def paint(self, painter: QPainter, view: ViewState) -> None:  # noqa: D102
        v = self._verts()
        if len(v):
            sx, sy = view.to_screen(v[:, 0], v[:, 1])
            keep = (sx >= 0) & (sy >= 0) & (sx <= view.width) & (sy <= view.height)
            if keep.sum() < 20000:
                painter.setPen(QPen(QColor(palette.EDIT_VERTEX), 5))
                points_np(painter, sx[keep], sy[keep])
        if self.dragging is not None and self._to is not None:
            a = view.to_screen(np.array([self.dragging[0]]), np.array([self.dragging[1]]))
            b = view.to_screen(np.array([self._to[0]]), np.array([self._to[1]]))
            painter.setPen(QPen(BAND, 2, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(a[0][0], a[1][0]), QPointF(b[0][0], b[1][0]))
            pen = QPen(BAND, 9)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.drawPoint(QPointF(b[0][0], b[1][0]))


def grid_vertices(geoms: np.ndarray) -> np.ndarray:
    """Return the unique ring vertices of polygons as an (n, 2) array."""
    if len(geoms) == 0:
        return np.zeros((0, 2))
    coords = shapely.get_coordinates(shapely.get_rings(shapely.get_parts(geoms)))
    return np.unique(coords, axis=0)
