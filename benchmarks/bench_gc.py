"""How long a long engine run stalls another Python thread, by garbage-collector policy.

Run:  .venv/bin/python benchmarks/bench_gc.py

The app runs analyses on a worker thread while its GUI thread must keep answering.
Python's cyclic collector walks every tracked object with the GIL held; with a
district project loaded (hundreds of thousands of geometries) each full collection
stalls every other thread. This compares, in one process on the same data:

* ``collector on``: automatic collection as Python does it;
* ``paused (gc_paused)``: automatic collection held off during the run, what the
  engine's long entry points do (``gridplanner.runtime.gc_paused``);
* ``frozen (gc.freeze)``: the loaded project moved to the permanent generation
  once after loading, collection left on during the run;

measuring the longest gap of a 5 ms sleep loop on the main thread while a district
coverage run and an allocation run execute on a worker thread, and the run's time.
"""

from __future__ import annotations

import gc
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gridplanner.allocation import allocate
from gridplanner.context import AnalysisContext
from gridplanner.coverage import compute_coverage
from gridplanner.project import Project
from sample_data.generate import generate_district

REAL_DISABLE = gc.disable


def stall(run) -> tuple[float, float, float]:
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


def main() -> None:
    layers = generate_district(scale="district")
    print(f"district: {len(layers['grids'])} grids, {len(layers['cameras'])} cameras, "
          f"{len(layers['households'])} household points, {len(layers['buildings'])} "
          "buildings")
    runs = {
        "coverage": lambda p: compute_coverage(p, use_buildings=False),
        "allocation": lambda p: allocate(p),
    }
    print(f"{'policy':24} {'run':11} {'longest stall ms':>17} {'median ms':>10} {'run s':>7}")
    for policy in ("collector on", "paused (gc_paused)", "frozen (gc.freeze)"):
        for name, fn in runs.items():
            project = Project(layers=dict(layers))
            AnalysisContext.of(project).network()  # both policies start from a built network
            gc.collect()
            if policy != "paused (gc_paused)":
                gc.disable = lambda: None  # gc_paused then leaves collection on
            if policy == "frozen (gc.freeze)":
                gc.freeze()
            try:
                worst, median, seconds = stall(lambda p=project, f=fn: f(p))
            finally:
                gc.disable = REAL_DISABLE
                gc.unfreeze()
                gc.enable()
            print(f"{policy:24} {name:11} {worst:17.1f} {median:10.2f} {seconds:7.2f}")


if __name__ == "__main__":
    main()
