"""Draw layers into a QImage with QPainter, off the GUI thread (the QGIS way).

Each layer is *prepared* once per data or style change: its geometry becomes one
:class:`QPainterPath` per colour class in map coordinates (polygons and lines) or
coordinate arrays (points). A path is built without a Python loop over features:
the element list is written as bytes with numpy in the layout of Qt's own
``QDataStream`` serialisation and read back in one call. Rendering a view then
only sets a transform and fills/strokes a handful of paths, and points go
through ``drawPointsNp``. Fills are drawn without antialiasing and outlines as
1-pixel cosmetic antialiased strokes, which keeps a district frame in tens of
milliseconds.

Renderers are looked up by geometry kind in :data:`RENDERERS` (napari's registry
of drawn items per layer type).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from PySide6.QtCore import QByteArray, QDataStream, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QTransform,
)

from gridplanner import palette
from ui.canvas.layer_model import MapLayer
from ui.canvas.styles import Classified, LayerStyle, classify


@dataclass(frozen=True)
class ViewState:
    """What part of the map a frame shows: centre (map units), pixels per unit, size."""

    cx: float
    cy: float
    scale: float
    width: int
    height: int

    def transform(self) -> QTransform:
        """Map coordinates to pixels (y up on the map, down on screen)."""
        s = self.scale
        return QTransform(s, 0.0, 0.0, -s, self.width / 2 - self.cx * s,
                          self.height / 2 + self.cy * s)

    def to_screen(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised map -> pixel."""
        return ((x - self.cx) * self.scale + self.width / 2,
                self.height / 2 - (y - self.cy) * self.scale)

    def to_map(self, px: float, py: float) -> tuple[float, float]:
        """Pixel -> map coordinates."""
        return (self.cx + (px - self.width / 2) / self.scale,
                self.cy - (py - self.height / 2) / self.scale)

    def extent(self) -> tuple[float, float, float, float]:
        """Map bounds of the view."""
        x0, y1 = self.to_map(0, 0)
        x1, y0 = self.to_map(self.width, self.height)
        return x0, y0, x1, y1


# --------------------------------------------------------------------- paths
#: Largest number of path elements drawn in one QPainter call. PySide holds the
#: GIL during a Qt call, so a long call on the render thread stalls the GUI thread;
#: chunks keep each call to a few tens of milliseconds.
CHUNK_ELEMENTS = 120_000
#: Points per drawPointsNp call, for the same reason.
POINT_CHUNK = 40_000
#: Above this many small dots in view, dots are splatted into an image with numpy.
SPLAT_MIN_POINTS = 20_000


def path_from_parts(coords: np.ndarray, part_index: np.ndarray) -> QPainterPath:
    """One QPainterPath from coordinates split into parts (rings or lines).

    ``coords`` is (n, 2); ``part_index[i]`` names the part of row i, parts being
    contiguous. Each part becomes a moveTo followed by lineTos, serialised in
    Qt's QDataStream layout (big-endian int32 type, two float64) and read back at
    C++ speed.

    Examples
    --------
    >>> import numpy as np
    >>> p = path_from_parts(np.array([[0, 0], [1, 0], [1, 1.0]]), np.array([0, 0, 0]))
    >>> p.elementCount()
    3
    """
    n = len(coords)
    if n == 0:
        return QPainterPath()
    starts = np.ones(n, dtype=bool)
    starts[1:] = part_index[1:] != part_index[:-1]
    return _path_from_starts(np.asarray(coords, dtype=float), starts)


def _path_from_starts(coords: np.ndarray, starts: np.ndarray) -> QPainterPath:
    n = len(coords)
    buf = np.empty((n, 20), dtype=np.uint8)
    kinds = np.where(starts, 0, 1).astype(">i4")  # MoveToElement, LineToElement
    buf[:, :4] = kinds.view(np.uint8).reshape(n, 4)
    buf[:, 4:] = np.ascontiguousarray(coords, dtype=">f8").view(np.uint8).reshape(n, 16)
    last_move = int(np.flatnonzero(starts)[-1])
    blob = (np.array([n], dtype=">i4").tobytes() + buf.tobytes()
            + np.array([last_move, 0], dtype=">i4").tobytes())  # cStart, OddEvenFill
    path = QPainterPath()
    data = QByteArray(blob)  # the stream only points at it: keep it alive while reading
    stream = QDataStream(data, QIODevice.OpenModeFlag.ReadOnly)
    stream >> path
    del stream
    return path


def _parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of every ring / line of ``geoms`` and the start offset of each part.

    Simple features (lines, polygons without holes) are one part each, read in one
    ``get_coordinates`` call without creating ring objects; the rest go through
    ``to_ragged_array``.
    """
    types = shapely.get_type_id(geoms)
    simple = (types == 1) | (types == 2) | (
        (types == 3) & (shapely.get_num_interior_rings(geoms) == 0))
    pieces: list[tuple[np.ndarray, np.ndarray]] = []
    if simple.any():
        coords, index = shapely.get_coordinates(geoms[simple], return_index=True)
        counts = np.bincount(index, minlength=int(simple.sum()))
        pieces.append((coords, np.r_[0, np.cumsum(counts)].astype(np.int64)))
    rest = geoms[~simple]
    if len(rest):
        pieces.append(_complex_parts(rest))
    if len(pieces) == 1:
        return pieces[0]
    (c1, o1), (c2, o2) = pieces
    return np.concatenate([c1, c2]), np.concatenate([o1[:-1], o2 + len(c1)])


def _complex_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    try:
        _kind, coords, offsets = shapely.to_ragged_array(geoms)
        return coords, np.asarray(offsets[0], dtype=np.int64)
    except (ValueError, TypeError):  # mixed lines and polygons: take parts one by one
        type_ids = shapely.get_type_id(geoms)
        polygonal = np.isin(type_ids, (3, 6))
        pieces: list[np.ndarray] = []
        if polygonal.any():
            pieces.append(shapely.get_rings(shapely.get_parts(geoms[polygonal])))
        if (~polygonal).any():
            lines = shapely.get_parts(geoms[~polygonal])
            pieces.append(lines[np.isin(shapely.get_type_id(lines), (1, 2))])
        flat = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
        coords, index = shapely.get_coordinates(flat, return_index=True)
        counts = np.bincount(index, minlength=len(flat))
        return coords, np.r_[0, np.cumsum(counts)].astype(np.int64)


def geometry_paths(geoms: np.ndarray, *, chunk: int = CHUNK_ELEMENTS) -> list[QPainterPath]:
    """All rings (polygons) or lines of ``geoms`` as paths in map coordinates.

    Parts are never split; a new path starts when one would pass ``chunk`` elements.
    """
    geoms = np.asarray(geoms, dtype=object)
    geoms = geoms[~shapely.is_missing(geoms)]
    geoms = geoms[~shapely.is_empty(geoms)]
    if len(geoms) == 0:
        return []
    coords, offsets = _parts(geoms)
    n = len(coords)
    if n == 0:
        return []
    starts = np.zeros(n, dtype=bool)
    starts[offsets[:-1][offsets[:-1] < n]] = True
    cuts = [0]
    part_starts = offsets[:-1]
    while n - cuts[-1] > chunk:
        k = int(np.searchsorted(part_starts, cuts[-1] + chunk, side="right")) - 1
        nxt = int(part_starts[k]) if k >= 0 else n
        if nxt <= cuts[-1]:  # one part longer than a chunk: keep it whole
            later = part_starts[part_starts > cuts[-1]]
            nxt = int(later[0]) if len(later) else n
        if nxt >= n:
            break
        cuts.append(nxt)
    cuts.append(n)
    return [_path_from_starts(coords[a:b], starts[a:b]) for a, b in
            itertools.pairwise(cuts) if b > a]


def geometry_path(geoms: np.ndarray) -> QPainterPath:
    """All rings (polygons) or lines of ``geoms`` as one path in map coordinates."""
    paths = geometry_paths(geoms, chunk=1 << 62)
    return paths[0] if paths else QPainterPath()


def point_xy(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """X and y of point geometries (centroids for anything else; NaN when missing)."""
    if len(geoms) == 0:
        return np.zeros(0), np.zeros(0)
    single = shapely.get_type_id(geoms) == 0
    pts = geoms if single.all() else np.where(single, geoms, shapely.centroid(geoms))
    return (np.asarray(shapely.get_x(pts), dtype=float),
            np.asarray(shapely.get_y(pts), dtype=float))


# ------------------------------------------------------------------ prepared
@dataclass
class Prepared:
    """A layer ready to draw: paths or point arrays per colour class."""

    key: tuple[int, LayerStyle]
    kind: str
    classes: Classified
    paths: list[list[QPainterPath]] = field(default_factory=list)
    outline: list[QPainterPath] = field(default_factory=list)
    #: Typical feature size in map units (median sqrt(area) or length): outlines of
    #: features smaller than a few pixels are not drawn (the fill shows them).
    feature_size: float = float("inf")
    xy: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    labels: list[tuple[float, float, float, str]] = field(default_factory=list)
    #: Outlines of the locked features (a true ``locked`` column), hatched over the fill.
    locked: list[QPainterPath] = field(default_factory=list)


def prepare(layer: MapLayer | LayerSnapshot) -> Prepared:
    """Build the drawing of ``layer`` (may run on any thread)."""
    frame: Any = layer.frame
    style = layer.style
    classes = classify(frame, style, layer.name)
    prepared = Prepared(layer.style_key, layer.kind, classes)
    geoms = frame.geometry.to_numpy()
    if layer.kind == "point":
        x, y = point_xy(geoms)
        ok = np.isfinite(x) & np.isfinite(y)
        for k in range(len(classes.colours)):
            sel = ok & (classes.codes == k)
            prepared.xy.append((x[sel].astype(float), y[sel].astype(float)))
        return prepared
    if len(classes.colours) == 1:
        prepared.paths.append(geometry_paths(geoms[classes.codes == 0]))
    else:
        for k in range(len(classes.colours)):
            prepared.paths.append(geometry_paths(geoms[classes.codes == k]))
    if layer.kind == "polygon":
        usable = geoms[~shapely.is_missing(geoms)]
        if len(usable):
            prepared.feature_size = float(np.median(np.sqrt(np.maximum(
                shapely.area(usable), 0.0))))
        prepared.outline = (prepared.paths[0] if len(classes.colours) == 1
                            and not (classes.codes < 0).any() else geometry_paths(geoms))
        locked = locked_mask(frame)
        if locked.any():
            prepared.locked = geometry_paths(geoms[locked])
        if style.label_field and style.label_field in frame.columns and len(frame):
            pts = shapely.point_on_surface(geoms)
            size = np.sqrt(np.maximum(shapely.area(geoms), 0.0))
            texts = frame[style.label_field].astype(str).fillna("").to_numpy()
            xs, ys = shapely.get_x(pts), shapely.get_y(pts)
            prepared.labels = [(float(a), float(b), float(s), str(t)) for a, b, s, t
                               in zip(xs, ys, size, texts, strict=True) if t and np.isfinite(a)]
    return prepared


def locked_mask(frame: Any) -> np.ndarray:
    """Return True for the rows whose ``locked`` column is set (no column: none)."""
    if "locked" not in getattr(frame, "columns", ()):
        return np.zeros(len(frame), dtype=bool)
    values = frame["locked"]
    if values.dtype == object:
        text = values.astype(str).str.strip().str.lower()
        return np.asarray(text.isin(("true", "1", "yes", "y", "t", "是")), dtype=bool)
    return np.asarray(values.fillna(False).astype(bool), dtype=bool)


# --------------------------------------------------------------------- draw
#: Hatching of locked grids: dark diagonal lines a few pixels apart at every zoom.
LOCK_HATCH = palette.LOCK_HATCH
def _qcolor(hex_colour: str, alpha: float = 1.0) -> QColor:
    colour = QColor(hex_colour)
    colour.setAlphaF(float(min(max(alpha, 0.0), 1.0)))
    return colour


def points_np(p: QPainter, sx: np.ndarray, sy: np.ndarray) -> None:
    """Draw points at screen coordinates ``sx``, ``sy`` with the current pen."""
    # PySide6's stub asks for sequences; the call takes float arrays without a copy.
    p.drawPointsNp(sx, sy)  # type: ignore[arg-type]


def draw_polygons(p: QPainter, prep: Prepared, style: LayerStyle, view: ViewState) -> None:
    """Fill without antialiasing, then draw one cosmetic outline."""
    p.setTransform(view.transform())
    p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    p.setPen(Qt.PenStyle.NoPen)
    if style.fill_alpha > 0:
        for colour, paths in zip(prep.classes.colours, prep.paths, strict=True):
            brush = QBrush(_qcolor(colour, style.fill_alpha))
            for path in paths:
                p.fillPath(path, brush)
    if prep.locked:
        # Drawn in pixels, so the hatching keeps its spacing whatever the zoom.
        p.resetTransform()
        hatch = QBrush(_qcolor(LOCK_HATCH, 0.6), Qt.BrushStyle.BDiagPattern)
        to_screen = view.transform()
        for path in prep.locked:
            p.fillPath(to_screen.map(path), hatch)
        p.setTransform(view.transform())
    # Outlines of features a few pixels wide would only smear the fill.
    if prep.outline and style.size_px > 0 and prep.feature_size * view.scale >= 4:
        # Antialiased strokes wider than a pixel leave Qt's cosmetic stroker and cost
        # some 20x more: wide outlines are drawn aliased.
        p.setRenderHint(QPainter.RenderHint.Antialiasing, style.size_px <= 1.0)
        pen = QPen(_qcolor(style.outline), style.size_px)
        pen.setCosmetic(True)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(pen)
        for path in prep.outline:
            p.drawPath(path)
    p.resetTransform()


def draw_lines(p: QPainter, prep: Prepared, style: LayerStyle, view: ViewState) -> None:
    """One cosmetic stroke per class."""
    p.setTransform(view.transform())
    p.setRenderHint(QPainter.RenderHint.Antialiasing, style.size_px <= 1.0)
    p.setBrush(Qt.BrushStyle.NoBrush)
    for colour, paths in zip(prep.classes.colours, prep.paths, strict=True):
        pen = QPen(_qcolor(colour), style.size_px)
        pen.setCosmetic(True)
        p.setPen(pen)
        for path in paths:
            p.drawPath(path)
    p.resetTransform()


def draw_points(p: QPainter, prep: Prepared, style: LayerStyle, view: ViewState) -> None:
    """Points in pixels, culled to the view first.

    Dense small dots are splatted into a pixel buffer with numpy and drawn as one
    image (about ten times faster than drawing 150k squares); the rest go through
    ``drawPointsNp``, round and antialiased when few.
    """
    p.resetTransform()
    size = style.size_px
    marker = MARKERS.get(style.symbol)
    for colour, (x, y) in zip(prep.classes.colours, prep.xy, strict=True):
        if len(x) == 0:
            continue
        sx, sy = view.to_screen(x, y)
        keep = (sx > -size) & (sy > -size) & (sx < view.width + size) & (sy < view.height + size)
        if not keep.any():
            continue
        sx, sy = sx[keep], sy[keep]
        if marker is not None and len(sx) <= MARKER_MAX_POINTS:
            draw_markers(p, sx, sy, marker, size, _qcolor(colour))
            continue
        if size < 4 and len(sx) > SPLAT_MIN_POINTS:
            splat_points(p, sx, sy, _qcolor(colour), size, view.width, view.height)
            continue
        round_dots = size >= 4
        p.setRenderHint(QPainter.RenderHint.Antialiasing, round_dots and len(sx) < 5000)
        step = POINT_CHUNK
        if round_dots:  # a dark rim under the dot keeps it visible over any fill
            pen = QPen(QColor("#202020"), size + 2)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            for i in range(0, len(sx), step):
                points_np(p, sx[i:i + step], sy[i:i + step])
        pen = QPen(_qcolor(colour), size)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap if round_dots else Qt.PenCapStyle.SquareCap)
        p.setPen(pen)
        for i in range(0, len(sx), step):
            points_np(p, sx[i:i + step], sy[i:i + step])


def _star(points: int = 5, inner: float = 0.45) -> np.ndarray:
    angles = np.pi / 2 + np.arange(2 * points + 1) * np.pi / points
    radius = np.where(np.arange(2 * points + 1) % 2 == 0, 1.0, inner)
    return np.column_stack([np.cos(angles) * radius, -np.sin(angles) * radius])


#: Point marker outlines (closed rings, unit radius, y down) by style symbol; a
#: circle is drawn as a round dot.
MARKERS: dict[str, np.ndarray] = {
    "square": np.array([[-0.8, -0.8], [0.8, -0.8], [0.8, 0.8], [-0.8, 0.8], [-0.8, -0.8]]),
    "triangle": np.array([[0.0, -1.0], [0.95, 0.75], [-0.95, 0.75], [0.0, -1.0]]),
    "diamond": np.array([[0.0, -1.0], [0.85, 0.0], [0.0, 1.0], [-0.85, 0.0], [0.0, -1.0]]),
    "star": _star(),
}
#: Above this many markers in view, they are drawn as plain dots.
MARKER_MAX_POINTS = 20_000


def draw_markers(p: QPainter, sx: np.ndarray, sy: np.ndarray, marker: np.ndarray,
                 size: float, colour: QColor) -> None:
    """Fill one marker shape per point with a dark rim, as one path (no loop over points)."""
    k = len(marker)
    radius = max(size, 4.0) * 0.75
    xs = (sx[:, None] + marker[None, :, 0] * radius).ravel()
    ys = (sy[:, None] + marker[None, :, 1] * radius).ravel()
    starts = np.zeros(len(xs), dtype=bool)
    starts[::k] = True
    path = _path_from_starts(np.column_stack([xs, ys]), starts)
    path.setFillRule(Qt.FillRule.WindingFill)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    pen = QPen(QColor("#202020"), 1.2)
    p.setPen(pen)
    p.setBrush(QBrush(colour))
    p.drawPath(path)


def scale_denominator(view: ViewState) -> float:
    """N of the map scale 1:N of ``view`` at 96 dpi (map units in metres)."""
    return (1.0 / view.scale) / (0.0254 / 96)


def shown_at(style: LayerStyle, view: ViewState) -> bool:
    """Whether a layer of ``style`` is drawn at the scale of ``view``."""
    return style.max_scale <= 0 or scale_denominator(view) <= style.max_scale


def splat_points(p: QPainter, sx: np.ndarray, sy: np.ndarray, colour: QColor, size: float,
                 width: int, height: int) -> None:
    """Draw square dots of ``size`` pixels by writing them into an ARGB buffer."""
    side = max(round(size), 1)
    lo = -(side // 2)
    ix = np.floor(sx).astype(np.int64)
    iy = np.floor(sy).astype(np.int64)
    mask = np.zeros(width * height, dtype=bool)
    for dx in range(lo, lo + side):
        for dy in range(lo, lo + side):
            x = ix + dx
            y = iy + dy
            ok = (x >= 0) & (x < width) & (y >= 0) & (y < height)
            mask[y[ok] * width + x[ok]] = True
    a = colour.alpha()
    argb = (a << 24) | ((colour.red() * a // 255) << 16) | ((colour.green() * a // 255) << 8) \
        | (colour.blue() * a // 255)
    pixels = np.zeros(width * height, dtype=np.uint32)
    pixels[mask] = np.uint32(argb)
    image = QImage(pixels.data, width, height, width * 4,
                   QImage.Format.Format_ARGB32_Premultiplied)
    p.drawImage(0, 0, image)
    del image  # drawn: the buffer may go


def draw_labels(p: QPainter, labels: list[tuple[float, float, float, str]],
                view: ViewState) -> None:
    """Label features big enough on screen, skipping ones that would collide."""
    font = QFont()
    font.setPointSizeF(9.0)
    p.setFont(font)
    metrics = QFontMetricsF(font)
    taken: list[QRectF] = []
    halo = QPen(QColor(255, 255, 255, 220), 3)
    x0, y0, x1, y1 = view.extent()
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    for x, y, size_m, text in labels:
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            continue
        width = metrics.horizontalAdvance(text)
        if size_m * view.scale < width * 0.9:
            continue  # too small at this zoom
        sx, sy = view.to_screen(np.array([x]), np.array([y]))
        rect = QRectF(float(sx[0]) - width / 2, float(sy[0]) - metrics.height() / 2,
                      width, metrics.height())
        if any(rect.intersects(r) for r in taken):
            continue
        taken.append(rect)
        path = QPainterPath()
        path.addText(QPointF(rect.left(), rect.top() + metrics.ascent()), font, text)
        p.strokePath(path, halo)
        p.fillPath(path, QBrush(QColor(palette.APP_LABEL)))


Drawer = Callable[[QPainter, Prepared, LayerStyle, ViewState], None]
#: Drawing function per geometry kind (the registry the canvas dispatches on).
RENDERERS: dict[str, Drawer] = {
    "polygon": draw_polygons,
    "line": draw_lines,
    "point": draw_points,
}


@dataclass(frozen=True)
class LayerSnapshot:
    """A layer's state when a frame was asked for (frames are replaced, never mutated)."""

    name: str
    kind: str
    frame: object
    style: LayerStyle
    opacity: float
    style_key: tuple[int, LayerStyle]

    @classmethod
    def of(cls, layer: MapLayer) -> LayerSnapshot:
        """Snapshot ``layer``."""
        return cls(layer.name, layer.kind, layer.frame, layer.style, layer.opacity,
                   layer.style_key)


@dataclass(frozen=True)
class RenderJob:
    """Everything one frame needs, copied so the worker shares nothing mutable."""

    view: ViewState
    layers: tuple[LayerSnapshot, ...]
    prepared: dict[str, Prepared]
    device_pixel_ratio: float = 1.0
    #: Colour under the layers ("transparent" when a basemap is painted beneath).
    background: str = palette.APP_BACKGROUND


@dataclass
class RenderResult:
    """A finished frame and the layer drawings built for it."""

    image: QImage
    view: ViewState
    prepared: dict[str, Prepared]
    seconds: float = 0.0


def render(job: RenderJob, is_cancelled: Callable[[], bool] = lambda: False) -> RenderResult:
    """Draw the visible layers bottom-up into a new image (any thread)."""
    import time

    t0 = time.perf_counter()
    view = job.view
    image = QImage(view.width, view.height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(job.background))
    built: dict[str, Prepared] = {}
    painter = QPainter(image)
    try:
        for layer in job.layers:
            if is_cancelled():
                break
            if not shown_at(layer.style, view):
                continue
            prep = job.prepared.get(layer.name)
            if prep is None or prep.key != layer.style_key:
                prep = prepare(layer)
                built[layer.name] = prep
            painter.save()
            painter.setOpacity(layer.opacity)
            RENDERERS[prep.kind](painter, prep, layer.style, view)
            painter.restore()
        for layer in job.layers:  # labels last, above every layer (as QGIS does)
            if not shown_at(layer.style, view):
                continue
            prep = built.get(layer.name) or job.prepared.get(layer.name)
            if prep is not None and prep.labels and not is_cancelled():
                draw_labels(painter, prep.labels, view)
    finally:
        painter.end()
    return RenderResult(image, view, built, time.perf_counter() - t0)
