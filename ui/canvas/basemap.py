"""The basemap under the map canvas's layers, and its menu (View → Basemap).

The basemap is composed by :func:`gridplanner.basemap.compose` on a worker thread
for the canvas's view (tiles fetched concurrently through the user's tile cache)
and handed back as a finished :class:`QImage`. Painting only blits that image,
transformed while the view moves, under the layers' frame; a new image is asked
for shortly after the view stops changing, and a newer request cancels an older
one. The choice, the opacity and the Tianditu key live in the user's QSettings,
never in the project or its exports.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyproj import CRS, Transformer
from PySide6.QtCore import QObject, QRectF, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QImage, QPainter
from PySide6.QtWidgets import QFileDialog, QMenu

from gridplanner import palette
from gridplanner.basemap import (
    BasemapError,
    BasemapSpec,
    TileFetcher,
    clear_cache,
    compose,
    parse_basemap,
)
from gridplanner.basemap.compose import wgs84_transformer
from gridplanner.errors import Cancelled
from gridplanner.feedback import CancelToken, Feedback
from gridplanner.i18n import N_
from ui.i18n import bind, tr
from ui.workers import readable_error

if TYPE_CHECKING:
    from ui.canvas.canvas import MapCanvas
    from ui.canvas.render import ViewState

#: QSettings keys.
SOURCE_KEY = "basemap/source"
OPACITY_KEY = "basemap/opacity"
TIANDITU_KEY = "basemap/tianditu_key"
#: Presets offered in the menu, with their menu texts.
MENU_PRESETS = (
    ("osm", N_("OpenStreetMap")),
    ("tianditu-vector", N_("Tianditu vector map")),
    ("tianditu-imagery", N_("Tianditu imagery")),
    ("amap", N_("Amap (GCJ-02)")),
    ("amap-imagery", N_("Amap imagery (GCJ-02)")),
)
OPACITIES = (1.0, 0.75, 0.5, 0.25)
#: Quiet time after the last view change before tiles are asked for (ms).
_DEBOUNCE_MS = 150
#: The worker thread ends after this long without work (s).
_THREAD_IDLE_S = 60.0


@dataclass(frozen=True)
class BasemapFrame:
    """A finished basemap image and the view it shows."""

    image: QImage
    view: ViewState
    attribution: str
    problems: tuple[str, ...]


def compose_frame(spec: BasemapSpec, crs: CRS, view: ViewState, fetcher: TileFetcher,
                  feedback: Feedback | None = None, *,
                  to_wgs84: Transformer | None = None) -> BasemapFrame:
    """Compose the basemap of ``view`` as a QImage (any thread)."""
    img = compose(spec, view.extent(), crs=crs, size_px=(view.width, view.height),
                  fetcher=fetcher, to_wgs84=to_wgs84, feedback=feedback)
    h, w = img.rgba.shape[:2]
    qimage = QImage(img.rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
    return BasemapFrame(qimage, view, img.attribution, img.problems)


class _Token(CancelToken):
    """Cancel flag of one request; progress is not shown (tiles come in a blink or fail)."""

    def set_progress(self, fraction: float, message: str = "") -> None:
        """Ignore progress."""


class _JobSignals(QObject):
    #: generation, BasemapFrame or None, error message ('' when cancelled or done)
    done = Signal(int, object, str)
    #: number of cached tiles removed
    cleared = Signal(int)


Job = tuple[int, CancelToken, Callable[[], object]]


class _Worker:
    """One long-lived Python thread serving basemap requests in turn.

    PROJ sets up a context per thread (~0.2 s) and pyproj keeps it in the thread's
    Python state, so one thread that lives across requests pays it once, where a
    thread per request would pay it on every pan. The thread ends after a minute
    without work and is started again by the next request.
    """

    def __init__(self, signals: _JobSignals) -> None:
        self.signals = signals
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, job: Job) -> None:
        """Queue ``job``; start the thread if it is not running."""
        with self._lock:
            self._queue.put(job)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="basemap",
                                                daemon=True)
                self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Let the queued jobs end (they are cancelled first) and stop the thread."""
        with self._lock:
            thread = self._thread
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join(timeout_s)

    def is_running(self) -> bool:
        """Return True while the thread is alive."""
        with self._lock:
            return self._thread is not None

    def _loop(self) -> None:
        while True:
            try:
                job = self._queue.get(timeout=_THREAD_IDLE_S)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            if job is None:
                with self._lock:
                    self._thread = None
                return
            generation, token, fn = job
            result: object = None
            message = ""
            if not token.is_cancelled():
                try:
                    result = fn()
                except Cancelled:
                    pass
                except Exception as exc:  # shown in the status bar, never raised in Qt
                    message = readable_error(exc)
            with contextlib.suppress(RuntimeError):  # the canvas went away meanwhile
                self.signals.done.emit(generation, result, message)


class BasemapController(QObject):
    """Keeps the canvas's basemap: what it is, its latest image, and the fetch in flight.

    Signals
    -------
    ready()
        A new basemap image is shown.
    failed(str)
        The basemap could not be set up or fetched (a readable message).
    changed()
        The source or opacity changed.
    """

    ready = Signal()
    failed = Signal(str)
    changed = Signal()
    cache_cleared = Signal(int)

    def __init__(self, canvas: MapCanvas) -> None:
        super().__init__(canvas)
        self.canvas = canvas
        self.spec: BasemapSpec | None = None
        self.source = ""
        self.opacity = 1.0
        self.fetcher = TileFetcher()
        self.last_error = ""
        self._frame: BasemapFrame | None = None
        self._transformers: dict[str, Transformer] = {}
        self._signals = _JobSignals(self)
        self._signals.done.connect(self._on_done)
        self._signals.cleared.connect(self.cache_cleared)
        self._worker = _Worker(self._signals)
        self._generation = 0
        self._pending = 0
        self._token = CancelToken()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(_DEBOUNCE_MS)
        self._timer.timeout.connect(self._start)

    # ---------------------------------------------------------------- state
    def crs(self) -> CRS | None:
        """CRS of the canvas's layers (all share the project's), or None."""
        for layer in self.canvas.stack:
            crs = getattr(layer.frame, "crs", None)
            if crs is not None:
                return CRS.from_user_input(crs)
        return None

    def is_active(self) -> bool:
        """Return True when a basemap is chosen."""
        return self.spec is not None

    def is_busy(self) -> bool:
        """Return True while tiles are being fetched or are due."""
        return self._pending > 0 or self._timer.isActive()

    def frame_background(self) -> str:
        """Colour the layers' frame is drawn on: transparent over a basemap."""
        return "transparent" if self.is_active() else palette.APP_BACKGROUND

    def set_spec(self, spec: BasemapSpec | None, source: str = "") -> None:
        """Show ``spec`` under the layers (None: no basemap)."""
        self.spec = spec
        self.source = source if spec is not None else ""
        self._frame = None
        self.last_error = ""
        self._token.cancel()
        self.changed.emit()
        self.canvas.refresh()  # the layers' frame changes background
        self.canvas.update()

    def set_source(self, text: str, *, key: str | None = None) -> bool:
        """Parse and show a preset name, URL, folder or MBTiles file; False (and failed) if not."""
        if not text:
            self.set_spec(None)
            return True
        try:
            spec = parse_basemap(text, key=key if key is not None else self.stored_key())
        except BasemapError as exc:
            self.last_error = exc.message
            self.failed.emit(exc.message)
            return False
        self.set_spec(spec, text)
        return True

    def set_opacity(self, opacity: float) -> None:
        """Draw the basemap at ``opacity`` (0..1)."""
        self.opacity = min(max(float(opacity), 0.0), 1.0)
        self.changed.emit()
        self.canvas.update()

    @staticmethod
    def stored_key() -> str:
        """Return the Tianditu key the user entered (QSettings), or ''."""
        return str(QSettings().value(TIANDITU_KEY, "") or "")

    def save(self) -> None:
        """Remember source and opacity for the next start."""
        settings = QSettings()
        settings.setValue(SOURCE_KEY, self.source)
        settings.setValue(OPACITY_KEY, self.opacity)

    def restore(self) -> None:
        """Show the basemap remembered from the last session (quietly none if it fails)."""
        settings = QSettings()
        try:
            self.opacity = min(max(float(str(settings.value(OPACITY_KEY, 1.0))), 0.0), 1.0)
        except ValueError:
            self.opacity = 1.0
        source = str(settings.value(SOURCE_KEY, "") or "")
        if source:
            self.set_source(source)

    # --------------------------------------------------------------- frames
    def request(self) -> None:
        """Ask for the basemap of the current view soon (requests merge)."""
        if self.spec is not None:
            self._timer.start()

    def _start(self) -> None:
        spec, crs = self.spec, self.crs()
        if spec is None or crs is None or not len(self.canvas.stack):
            return
        view = self.canvas.view()
        if self._frame is not None and self._frame.view == view:
            return
        fetcher = self.fetcher
        cache = self._transformers
        self._token.cancel()  # a newer view makes the one in flight stale
        self._token = token = _Token()
        self._generation += 1
        self._pending += 1

        def work() -> BasemapFrame:
            # built once per CRS on the worker (a PROJ lookup); only the worker uses it
            key = crs.to_wkt()
            if key not in cache:
                cache[key] = wgs84_transformer(crs)
            return compose_frame(spec, crs, view, fetcher, token, to_wgs84=cache[key])

        self._worker.submit((self._generation, token, work))

    def _on_done(self, generation: int, result: object, message: str) -> None:
        if generation < 0:
            return  # housekeeping (clearing the cache), not a frame
        self._pending = max(self._pending - 1, 0)
        if generation != self._generation or self.spec is None:
            return  # superseded by a newer view or source
        if isinstance(result, BasemapFrame):
            self._frame = result
            self.last_error = ""
            if result.problems:
                self.failed.emit(result.problems[0])
            self.canvas.update()
            self.ready.emit()
        elif message:
            self.last_error = message
            self.failed.emit(message)

    def clear_cache(self) -> None:
        """Delete the cached tiles on the worker thread; ``cache_cleared(n)`` follows."""
        root = self.fetcher.cache_dir
        signals = self._signals

        def work() -> object:
            n = clear_cache(root)
            with contextlib.suppress(RuntimeError):  # the canvas went away meanwhile
                signals.cleared.emit(n)
            return None

        self._worker.submit((-1, CancelToken(), work))

    def shutdown(self) -> None:
        """Stop fetching and wait for the worker (before the window closes)."""
        self._timer.stop()
        self._token.cancel()
        self._worker.stop()
        self._pending = 0

    # ------------------------------------------------------------- painting
    def paint(self, painter: QPainter, view: ViewState) -> None:
        """Draw the latest basemap image under the layers, moved to ``view``."""
        frame = self._frame
        if self.spec is None or frame is None:
            return
        painter.save()
        painter.setOpacity(self.opacity)
        if frame.view != view:
            old_inv, _ok = frame.view.transform().inverted()
            painter.setTransform(old_inv * view.transform())
            # a moved frame is shown only until the new one arrives: speed over looks
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(0, 0, frame.image)
        painter.restore()

    def paint_credit(self, painter: QPainter, width: int, height: int) -> None:
        """Write the basemap's credit line in the lower right corner."""
        frame = self._frame
        if self.spec is None or frame is None or not frame.attribution:
            return
        painter.save()
        font = painter.font()
        font.setPointSizeF(7.5)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        text = frame.attribution
        tw = metrics.horizontalAdvance(text) + 8
        th = metrics.height() + 2
        box = QRectF(width - tw, height - th, tw, th)
        painter.fillRect(box, QColor(255, 255, 255, 170))
        painter.setPen(QColor("#333333"))
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.restore()


def install_basemap_menu(window: Any, menu: QMenu) -> QMenu:
    """Add View → Basemap to ``menu``: the presets, a URL, a folder, an MBTiles file.

    Also restores the basemap of the last session and shows fetch problems in the
    window's status bar.
    """
    controller: BasemapController = window.canvas.basemap
    sub = menu.addMenu("")
    bind(sub, "setTitle", "Basemap")
    group = QActionGroup(sub)
    actions: dict[str, QAction] = {}

    def add(key: str, text: str) -> QAction:
        act = QAction(sub)
        bind(act, "setText", text)
        act.setCheckable(True)
        act.setData(key)
        group.addAction(act)
        sub.addAction(act)
        actions[key] = act
        return act

    add("", N_("No basemap")).triggered.connect(lambda: choose(""))
    for key, text in MENU_PRESETS:
        add(key, text).triggered.connect(lambda _c=False, k=key: choose(k))
    add("url", N_("Tile URL…")).triggered.connect(lambda: choose_url())
    add("folder", N_("Local tile folder…")).triggered.connect(lambda: choose_folder())
    add("mbtiles", N_("MBTiles file…")).triggered.connect(lambda: choose_mbtiles())
    sub.addSeparator()
    key_action = bind(QAction(sub), "setText", "Tianditu key…")
    key_action.triggered.connect(lambda: ask_key())
    sub.addAction(key_action)
    opacity_menu = sub.addMenu("")
    bind(opacity_menu, "setTitle", "Basemap opacity")
    opacity_group = QActionGroup(opacity_menu)
    for value in OPACITIES:
        act = QAction(f"{value:.0%}", opacity_menu)
        act.setCheckable(True)
        act.setData(value)
        act.triggered.connect(lambda _c=False, v=value: set_opacity(v))
        opacity_group.addAction(act)
        opacity_menu.addAction(act)
    clear_action = bind(QAction(sub), "setText", "Clear the tile cache")
    clear_action.triggered.connect(lambda: clear())
    sub.addAction(clear_action)

    def sync() -> None:
        source = controller.source
        key = source if source in actions else ""
        spec = controller.spec
        if spec is not None and key == "":
            key = {"xyz": "url", "folder": "folder", "mbtiles": "mbtiles"}.get(spec.kind, "")
        actions[key].setChecked(True)
        for act in opacity_group.actions():
            act.setChecked(abs(float(act.data()) - controller.opacity) < 1e-6)

    def choose(source: str) -> None:
        spec_needs_key = source.startswith("tianditu") and not controller.stored_key()
        if spec_needs_key and not ask_key(apply=False):
            sync()
            return
        if controller.set_source(source):
            controller.save()
        sync()

    def choose_url() -> None:
        text = window.prompter.ask_text(
            tr("Basemap"), tr("Tile URL with {z}, {x} and {y} (prefix gcj02: for GCJ-02 "
                              "tiles):"), controller.source if "://" in controller.source
            else "")
        if text:
            choose(text)
        else:
            sync()

    def choose_folder() -> None:
        path = QFileDialog.getExistingDirectory(window, tr("Tile folder ({z}/{x}/{y}.png)"))
        if path:
            choose(path)
        else:
            sync()

    def choose_mbtiles() -> None:
        path, _filter = QFileDialog.getOpenFileName(window, tr("MBTiles file"), "",
                                                    tr("MBTiles (*.mbtiles)"))
        if path:
            choose(path)
        else:
            sync()

    def ask_key(apply: bool = True) -> bool:
        key = window.prompter.ask_text(
            tr("Tianditu key"), tr("Your Tianditu key (a browser-type key from "
                                   "console.tianditu.gov.cn); kept in your user settings "
                                   "only:"), controller.stored_key())
        if not key:
            return False
        QSettings().setValue(TIANDITU_KEY, key)
        if apply and controller.source.startswith("tianditu"):
            controller.set_source(controller.source)
        return True

    def set_opacity(value: float) -> None:
        controller.set_opacity(value)
        controller.save()

    def clear() -> None:
        controller.clear_cache()

    controller.cache_cleared.connect(lambda n: window.statusBar().showMessage(
        tr("Removed {n} cached tiles").format(n=n), 5000))
    controller.failed.connect(lambda message: window.statusBar().showMessage(
        tr("Basemap: {message}").format(message=message), 15000))
    controller.restore()
    sync()
    return sub
