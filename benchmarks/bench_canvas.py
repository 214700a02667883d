"""Canvas benchmark at district scale: repaint, re-render and GUI-thread blocking.

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_canvas.py

Loads the generated district (400 grids, 15k cameras, ~90k road segments, ~55k
buildings) with its household points densified to 150,000, then measures

* pan / zoom repaint: one paintEvent while the view differs from the cached frame
  (the cached image is blitted with a transform) and one with the frame current;
* full re-render off the GUI thread: cold (layer drawings built from the data)
  and warm (drawings cached, new view: what a pan or zoom triggers);
* GUI-thread blocking: the longest gap of a 5 ms timer on the GUI thread while a
  cold render runs, while a coverage analysis runs on the analysis thread, and
  while the canvas pans and zooms with a frame rendered after each step;

and the same scene drawn the naive way, one QGraphicsItem per feature in a
QGraphicsScene (build, repaint, clear), measured in the same run for ratios.
Nothing is written to the repository.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geopandas as gpd
import numpy as np
import shapely
from PySide6.QtCore import QEventLoop, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsEllipseItem,
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsScene,
)

WIDTH, HEIGHT = 1400, 900
HOUSEHOLD_POINTS = 150_000


def district_layers() -> dict[str, gpd.GeoDataFrame]:
    from sample_data.generate import generate_district

    layers = generate_district(scale="district")
    hh = layers["households"]
    if len(hh) < HOUSEHOLD_POINTS:  # densify to the 150k household points
        rng = np.random.default_rng(7)
        pick = rng.integers(0, len(hh), HOUSEHOLD_POINTS - len(hh))
        xy = shapely.get_coordinates(hh.geometry.to_numpy()[pick])
        xy = xy + rng.normal(0, 6, (len(pick), 2))
        extra = gpd.GeoDataFrame({"household_id": [f"x{i}" for i in range(len(pick))],
                                  "households": 1}, geometry=shapely.points(xy), crs=hh.crs)
        layers["households"] = gpd.GeoDataFrame(
            pd_concat([hh[["household_id", "households", "geometry"]], extra]), crs=hh.crs)
    return layers


def pd_concat(frames):
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


def wait(signal, timeout_ms: int = 120000) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


class GapMeter:
    """Longest interval between ticks of a 5 ms timer on the GUI thread."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self.tick)
        self.gaps: list[float] = []

    def start(self) -> None:
        self.gaps = []
        self.last = time.perf_counter()
        self.timer.start(5)

    def tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now

    def stop(self) -> float:
        self.timer.stop()
        self.tick()
        return max(self.gaps) if self.gaps else 0.0


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from gridplanner.project import Project
    from ui.app import preload_engine

    preload_engine()  # as the app does at start-up
    from ui.canvas.render import ViewState, render
    from ui.main_window import MainWindow

    t0 = time.perf_counter()
    layers = district_layers()
    print(f"district generated in {time.perf_counter() - t0:.1f} s: " +
          ", ".join(f"{k} {len(v):,}" for k, v in layers.items()))
    window = MainWindow()
    window.resize(WIDTH + 700, HEIGHT + 300)
    window.show()
    app.processEvents()
    session = window.session
    canvas = window.canvas
    # Showing a project: the GUI-thread part of File > Open (reading runs off-thread).
    t = time.perf_counter()
    session.set_project(Project(layers=layers))
    app.processEvents()
    open_block = time.perf_counter() - t
    canvas.resize(WIDTH, HEIGHT)  # buildings and incidents hidden, as the app starts
    canvas.zoom_full()
    app.processEvents()

    # -- full re-render, cold (drawings built) and warm (cached drawings, new view)
    canvas.wait_idle()
    canvas._prepared.clear()
    meter = GapMeter()
    meter.start()
    t = time.perf_counter()
    canvas._start_render()
    wait(canvas.frame_ready)
    cold_wall = time.perf_counter() - t
    cold_block = meter.stop()
    cold = canvas._frame.seconds
    warm = []
    for factor in (1.3, 1 / 1.3, 1.5, 1 / 1.5, 1.0):
        view = canvas.view()
        job = canvas.render_job(ViewState(view.cx + 37.0, view.cy - 21.0, view.scale * factor,
                                          view.width, view.height))
        t = time.perf_counter()
        render(job)
        warm.append(time.perf_counter() - t)
    warm_s = statistics.median(warm)
    session.stack.set_visible("buildings", True)
    job = canvas.render_job()
    render(job)  # builds the buildings' drawing once
    warm_b = []
    for factor in (1.3, 1 / 1.3, 1.0):
        view = canvas.view()
        job = canvas.render_job(ViewState(view.cx + 11.0, view.cy, view.scale * factor,
                                          view.width, view.height))
        t = time.perf_counter()
        result = render(job)
        canvas._prepared.update(result.prepared)
        warm_b.append(time.perf_counter() - t)
    warm_buildings = statistics.median(warm_b)
    session.stack.set_visible("buildings", False)
    canvas.wait_idle()

    # -- repaint: cached frame, current view, and a panned / zoomed view (blit transformed)
    canvas._timer.stop()
    same = []
    for _ in range(20):
        canvas.repaint()
        same.append(canvas.last_paint_s)
    moved = []
    for i in range(20):
        canvas.cx += 15.0 if i % 2 else -10.0
        canvas.scale *= 1.02 if i % 3 else 1 / 1.02
        canvas.repaint()
        moved.append(canvas.last_paint_s)
    canvas._timer.stop()
    canvas.wait_idle()
    pan_repaint = statistics.median(moved)
    same_repaint = statistics.median(same)

    # -- GUI blocking while panning/zooming with frames rendered after each step
    meter.start()
    for step in range(8):
        canvas.pan_pixels(60 if step % 2 else -45, 30)
        canvas.zoom_by(1.2 if step % 2 else 1 / 1.2, QPointF(300, 200))
        wait(canvas.frame_ready)
    interact_block = meter.stop()

    # -- GUI blocking while an analysis runs on the analysis thread
    analysis_block = float("nan")
    analysis_s = float("nan")
    try:
        from gridplanner.analyses import run
        from gridplanner.context import AnalysisContext
        from ui.workers import TaskRunner

        runner = TaskRunner()
        project = session.project
        meter.start()
        t = time.perf_counter()
        ctx = AnalysisContext.of(project)
        runner.run(lambda fb: run("coverage", ctx, use_buildings=False, feedback=fb).value)
        wait(runner.finished, 600000)
        analysis_s = time.perf_counter() - t
        analysis_block = meter.stop()
    except ImportError:
        pass

    # -- the naive baseline: one QGraphicsItem per feature
    t = time.perf_counter()
    scene = QGraphicsScene()
    view = canvas.view()
    n_items = build_naive_scene(scene, {k: v for k, v in layers.items() if k != "buildings"})
    naive_build = time.perf_counter() - t
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_ARGB32_Premultiplied)
    x0, y0, x1, y1 = view.extent()
    naive = []
    for dx in (0.0, 40.0, -30.0):
        image.fill(QColor("#f4f2ec"))
        p = QPainter(image)
        t = time.perf_counter()
        scene.render(p, QRectF(0, 0, WIDTH, HEIGHT), QRectF(x0 + dx, -y1, x1 - x0, y1 - y0))
        naive.append(time.perf_counter() - t)
        p.end()
    naive_repaint = statistics.median(naive)
    t = time.perf_counter()
    scene.clear()
    naive_clear = time.perf_counter() - t

    print()
    print(f"canvas {WIDTH}x{HEIGHT}, layers drawn: " +
          ", ".join(s.name for s in canvas.render_job().layers))
    print(f"pan/zoom repaint (cached frame blitted)   {ms(pan_repaint)}   target < 50 ms")
    print(f"repaint, frame current                    {ms(same_repaint)}")
    print(f"full re-render off-thread, warm           {ms(warm_s)}   target < 300 ms")
    print(f"full re-render off-thread, cold (build)   {ms(cold)}   (wall {ms(cold_wall)})")
    print(f"full re-render, warm, + 55k buildings     {ms(warm_buildings)}")
    print(f"GUI thread longest block, cold render     {ms(cold_block)}   target < 100 ms")
    print(f"GUI thread, show an opened project        {ms(open_block)}")
    print(f"GUI thread longest block, pan+zoom x8     {ms(interact_block)}")
    print(f"GUI thread longest block, coverage run    {ms(analysis_block)}"
          f"   (run {analysis_s:.1f} s)")
    print(f"naive QGraphicsScene, {n_items:,} items: build {naive_build:.2f} s, "
          f"repaint {ms(naive_repaint)}, clear {ms(naive_clear)}")
    print(f"ratio naive repaint / pan repaint         {naive_repaint / pan_repaint:8.0f} x")
    print(f"ratio naive repaint / warm re-render      {naive_repaint / warm_s:8.1f} x")
    naive_total = naive_build + naive_repaint
    print(f"ratio naive build+repaint / cold render   {naive_total / cold:8.1f} x")
    session.set_dirty(False)
    window.shutdown()
    window.close()
    return 0


def build_naive_scene(scene: QGraphicsScene, layers: dict[str, gpd.GeoDataFrame]) -> int:
    """One item per feature, y flipped (scene y grows downwards)."""
    n = 0
    for name in ("service_areas", "grids", "buildings"):
        if name not in layers:
            continue
        brush = QBrush(QColor(120, 160, 200, 90))
        pen = QPen(QColor("#333333"), 0)
        for geom in layers[name].geometry:
            for part in getattr(geom, "geoms", [geom]):
                xy = shapely.get_coordinates(part.exterior)
                item = QGraphicsPolygonItem(QPolygonF([QPointF(x, -y) for x, y in xy]))
                item.setBrush(brush)
                item.setPen(pen)
                scene.addItem(item)
                n += 1
    pen = QPen(QColor("#9b8e7e"), 0)
    for geom in layers["roads"].geometry:
        xy = shapely.get_coordinates(geom)
        path = QPainterPath(QPointF(xy[0, 0], -xy[0, 1]))
        for x, y in xy[1:]:
            path.lineTo(x, -y)
        item = QGraphicsPathItem(path)
        item.setPen(pen)
        scene.addItem(item)
        n += 1
    for name, colour, r in (("households", "#2b8cbe", 2.0), ("cameras", "#e31a1c", 2.5),
                            ("staff", "#1f78b4", 4.0)):
        brush = QBrush(QColor(colour))
        xy = shapely.get_coordinates(layers[name].geometry.to_numpy())
        for x, y in xy:
            item = QGraphicsEllipseItem(x - r, -y - r, 2 * r, 2 * r)
            item.setBrush(brush)
            item.setPen(Qt.PenStyle.NoPen)
            scene.addItem(item)
            n += 1
    return n


if __name__ == "__main__":
    raise SystemExit(main())
