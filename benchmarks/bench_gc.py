"""How long a long engine run stalls another Python thread, by garbage-collector policy.

Run:  .venv/bin/python benchmarks/bench_gc.py [--scale sample|district] [--repeat N]

The app runs analyses on a worker thread while its GUI thread must keep answering.
Python's cyclic collector walks every tracked object with the GIL held; with a
district project loaded (hundreds of thousands of geometries) each full collection
stalls every other thread. This compares, in one process on the same data:

* ``collector on``: automatic collection as Python does it;
* ``gc.disable in run``: automatic collection held off, process-wide, during the run;
* ``gc.freeze in run``: the objects alive when the run starts (the loaded project,
  the built network) moved out of the collector's sight, collection left on for
  what the run makes;

(``gridplanner.runtime.gc_paused``, which the engine's long entry points use, is
made a no-op here so that each policy is measured on its own)

measuring the collector's own pauses (from ``gc.callbacks``: count, longest, total;
these do not depend on how busy the machine is), the longest gap of a 5 ms sleep
loop on the main thread while a district coverage run and an allocation run execute
on a worker thread, and the run's time.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gridplanner.analyses import run
from gridplanner.context import AnalysisContext
from gridplanner.project import Project
from sample_data.generate import generate_district

REAL = {"disable": gc.disable, "freeze": gc.freeze, "unfreeze": gc.unfreeze}
POLICIES = ("collector on", "gc.disable in run", "gc.freeze in run")


class Pauses:
    """Collector pauses seen through ``gc.callbacks``."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.times.append(time.perf_counter() - self._start)


def stall(run: Callable[[], object]) -> tuple[float, float, float]:
    """Longest and median gap of a 5 ms sleep loop while ``run`` works on a thread."""
    done = threading.Event()
    elapsed = []

    def work() -> None:
        t = time.perf_counter()
        run()
        elapsed.append(time.perf_counter() - t)
        done.set()

    worker = threading.Thread(target=work)
    gaps = []
    worker.start()
    while not done.is_set():
        t = time.perf_counter()
        time.sleep(0.005)
        gaps.append(time.perf_counter() - t - 0.005)
    worker.join()
    return max(gaps) * 1000, statistics.median(gaps) * 1000, elapsed[0]


def _policy_run(policy: str, run: Callable[[], object]) -> Callable[[], object]:
    """``run`` under ``policy``; the engine's own gc_paused is made a no-op meanwhile."""
    def wrapped() -> object:
        if policy == "gc.disable in run":
            REAL["disable"]()
        elif policy == "gc.freeze in run":
            REAL["freeze"]()
        try:
            return run()
        finally:
            REAL["unfreeze"]()
            gc.enable()
    return wrapped


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="district")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    layers = generate_district(scale=args.scale)
    print(f"{args.scale}: {len(layers['grids'])} grids, {len(layers['cameras'])} cameras, "
          f"{len(layers['households'])} household points, {len(layers['buildings'])} "
          "buildings")
    runs = {
        "coverage": lambda p: run("coverage", AnalysisContext.of(p), use_buildings=False).value,
        "allocation": lambda p: run("allocate", AnalysisContext.of(p)).value,
    }
    print(f"{'policy':20} {'run':11} {'gc pauses':>9} {'longest ms':>10} {'total ms':>9} "
          f"{'stall ms':>9} {'median':>7} {'run s':>6}")
    for _ in range(args.repeat):
        for policy in POLICIES:
            for name, fn in runs.items():
                project = Project(layers=dict(layers))
                AnalysisContext.of(project).network()  # every policy starts from a network
                gc.collect()
                pauses = Pauses()
                gc.disable = gc.freeze = gc.unfreeze = lambda: None
                gc.callbacks.append(pauses)
                try:
                    worst, median, seconds = stall(_policy_run(
                        policy, lambda p=project, f=fn: f(p)))
                finally:
                    gc.callbacks.remove(pauses)
                    gc.disable, gc.freeze, gc.unfreeze = (
                        REAL["disable"], REAL["freeze"], REAL["unfreeze"])
                    gc.unfreeze()
                    gc.enable()
                times = pauses.times or [0.0]
                print(f"{policy:20} {name:11} {len(pauses.times):9d} "
                      f"{max(times) * 1000:10.1f} {sum(times) * 1000:9.1f} {worst:9.1f} "
                      f"{median:7.2f} {seconds:6.2f}", flush=True)


if __name__ == "__main__":
    main()
