"""Soak: 1,000 random app actions on the sample without an exception or a memory leak.

Edits (rename, lock, move a shared vertex, split, merge, reassign households),
undo/redo, selections and zooms, analyses (grid checks often, coverage and
allocation now and then), scenarios created from the edits and switched on the
map, autosaves and saves, all driven through the window as the menus drive them.

The resident memory (RSS) is measured after a warm-up and at the end: it may not
grow by more than ``RSS_GROWTH_LIMIT_MB``. The undo history keeps every edit (by
design, unlimited), so scenarios created from the edits clear it now and then, as
a planner does.
"""

from __future__ import annotations

import gc
import random
import time
from pathlib import Path

import numpy as np
import pytest
import shapely

from .conftest import settle

ACTIONS = 1000
WARM_UP = 200
#: Allowed RSS growth between the end of the warm-up and the end (MB). Measured on
#: the sample: 42 MB over the last 800 actions, most of it the undo history and the
#: scenarios the run keeps; a leak of a frame per action would pass it quickly.
RSS_GROWTH_LIMIT_MB = 100.0


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


class Driver:
    """Random actions on one window; counts what was done and what was refused."""

    def __init__(self, window, qtbot, rng: random.Random) -> None:
        self.w = window
        self.qtbot = qtbot
        self.rng = rng
        self.done: dict[str, int] = {}
        self.scenarios = 0
        self.times: dict[str, tuple[float, float]] = {}

    # ------------------------------------------------------------- helpers
    def grids(self):
        return self.w.session.project.layers["grids"]

    def random_grid(self) -> int:
        return self.rng.randrange(len(self.grids()))

    def neighbour_pair(self) -> tuple[int, int] | None:
        grids = self.grids()
        i = self.random_grid()
        geoms = grids.geometry.to_numpy()
        rows = grids.sindex.query(geoms[i], predicate="touches")
        same = [int(j) for j in rows if j != i and grids["community_id"].iloc[j]
                == grids["community_id"].iloc[i]]
        if not same:
            return None
        return i, self.rng.choice(same)

    def select(self, rows: list[int]) -> None:
        self.w.session.stack.select("grids", rows)

    def wait_analysis(self, start) -> None:
        with self.qtbot.waitSignal(self.w.analysis_ended, timeout=120_000):
            start()

    # ------------------------------------------------------------- actions
    def rename(self) -> None:
        from gridplanner.grids.commands import RenameGrid

        gid = str(self.grids()["grid_id"].iloc[self.random_grid()])
        self.w.editing.push(RenameGrid(gid, name=f"soak {self.rng.randrange(10**6)}"))

    def lock(self) -> None:
        self.select([self.random_grid()])
        self.w.editing.set_locked(self.rng.random() < 0.5)

    def move_vertex(self) -> None:
        pair = self.neighbour_pair()
        if pair is None:
            return
        geoms = self.grids().geometry.to_numpy()
        shared = shapely.intersection(geoms[pair[0]].boundary, geoms[pair[1]].boundary)
        coords = shapely.get_coordinates(shared)
        if len(coords) == 0:
            return
        x, y = coords[self.rng.randrange(len(coords))]
        dx, dy = self.rng.uniform(-15, 15), self.rng.uniform(-15, 15)
        self.w.editing.move_vertex((float(x), float(y)), (float(x + dx), float(y + dy)))

    def split(self) -> None:
        i = self.random_grid()
        geom = self.grids().geometry.iloc[i]
        c = geom.centroid
        angle = self.rng.uniform(0, np.pi)
        r = 2 * np.sqrt(geom.area)
        line = shapely.LineString([(c.x - r * np.cos(angle), c.y - r * np.sin(angle)),
                                   (c.x + r * np.cos(angle), c.y + r * np.sin(angle))])
        self.select([i])
        self.w.editing.split(line)

    def merge(self) -> None:
        pair = self.neighbour_pair()
        if pair is not None:
            self.select(list(pair))
            self.w.editing.merge_selected()

    def reassign(self) -> None:
        pair = self.neighbour_pair()
        if pair is None:
            return
        geoms = self.grids().geometry.to_numpy()
        shared = shapely.intersection(geoms[pair[0]].boundary, geoms[pair[1]].boundary)
        if shared.is_empty:
            return
        box = shapely.buffer(shared.centroid, 60)
        self.select([pair[1]])
        self.w.editing.reassign_in(box)

    def undo(self) -> None:
        self.w.undo()

    def redo(self) -> None:
        self.w.redo()

    def view(self) -> None:
        self.rng.choice([self.w.canvas.zoom_full, self.w.canvas.zoom_to_selection,
                         lambda: self.w.canvas.zoom_to_layer("households")])()
        self.w.set_tool(self.rng.choice(["pan", "identify", "select"]))

    def checks(self) -> None:
        self.wait_analysis(self.w.checks.run)

    def analysis(self) -> None:
        key = self.rng.choice(["coverage", "allocate", "grid-heads"])
        values = self.w.analysis.values(key)
        if key == "coverage":
            values["use_buildings"] = False  # the view blocking is the slow part
        self.wait_analysis(lambda: self.w.analysis.run(key, values))

    def scenario(self) -> None:
        panel = self.w.scenarios
        if panel.viewing != "current" or self.rng.random() < 0.3:
            panel.view("current")
        elif self.w.session.commands is not None and self.w.session.commands.can_undo:
            self.scenarios += 1
            panel.create_from_edits(f"soak-{self.scenarios}")
        else:
            names = [n for n in panel.names() if n != "current"]
            if names:
                panel.view(self.rng.choice(names))

    def autosave(self) -> None:
        if self.w.session.dirty:
            with self.qtbot.waitSignal(self.w.io_runner.finished, timeout=120_000):
                self.w.autosave()

    def save(self) -> None:
        if self.w.scenarios.viewing == "current":
            assert self.w.save()

    def run(self, n: int) -> None:
        table = [(self.rename, 8), (self.lock, 6), (self.move_vertex, 10), (self.split, 6),
                 (self.merge, 5), (self.reassign, 5), (self.undo, 18), (self.redo, 12),
                 (self.view, 8), (self.checks, 4), (self.analysis, 1), (self.scenario, 5),
                 (self.autosave, 0.3), (self.save, 0.1)]
        actions = [a for a, _w in table]
        weights = [w for _a, w in table]
        for _ in range(n):
            action = self.rng.choices(actions, weights)[0]
            if self.w.scenarios.viewing != "current" and action in (
                    self.rename, self.lock, self.move_vertex, self.split, self.merge,
                    self.reassign, self.undo, self.redo, self.save):
                action = self.scenario  # edits are off while a scenario is shown
            t0 = time.perf_counter()
            action()
            t1 = time.perf_counter()
            settle(self.w)
            t2 = time.perf_counter()
            self.done[action.__name__] = self.done.get(action.__name__, 0) + 1
            k = action.__name__
            self.times[k] = (self.times.get(k, (0, 0))[0] + t1 - t0,
                             self.times.get(k, (0, 0))[1] + t2 - t1)
            assert not self.w.runner.is_busy()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_thousand_random_actions_without_error_or_leak(fresh_window, qtbot):
    w = fresh_window
    driver = Driver(w, qtbot, random.Random(20240501))
    t0 = time.monotonic()
    driver.run(WARM_UP)
    gc.collect()
    settle(w)
    rss_warm = _rss_mb()
    driver.run(ACTIONS - WARM_UP)
    gc.collect()
    settle(w)
    rss_end = _rss_mb()
    elapsed = time.monotonic() - t0
    print(f"\nsoak: {ACTIONS} actions in {elapsed:.0f} s; RSS {rss_warm:.0f} -> "
          f"{rss_end:.0f} MB; {driver.done}; {len(w.prompter.errors)} refusals shown")
    print("seconds per kind (action, redraw):",
          {k: (round(a, 1), round(b, 1)) for k, (a, b) in driver.times.items()})
    assert sum(driver.done.values()) == ACTIONS
    assert rss_end - rss_warm < RSS_GROWTH_LIMIT_MB
    # the engine refused edits it must refuse (locked grids, impossible splits), but
    # nothing else went wrong
    unexpected = [m for t, m in w.prompter.errors
                  if t not in ("The edit was not applied", "Merge grids",
                               "Reassign households", "Lock grids")]
    assert unexpected == [], unexpected[:5]
    # and the work is all there after a save
    from gridplanner.project import open_project

    w.scenarios.view("current")
    assert w.save()
    back = open_project(w.session.project.path)
    ours = w.session.project
    assert sorted(back.layers["grids"]["grid_id"]) == sorted(ours.layers["grids"]["grid_id"])
    assert sorted(back.scenarios) == sorted(ours.scenarios)
    assert len(back.scenarios) == driver.scenarios
