"""Time one allocation on a project file, stage by stage (wall seconds, peak RSS).

Run: ``python benchmarks/alloc_once.py PROJECT [--role full_time] [--within-grid]``

Prints each progress message with the elapsed time and the process's peak
resident memory so far, then the totals as JSON (to compare two versions).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import sys
import time

from gridplanner.analyses import run
from gridplanner.context import AnalysisContext
from gridplanner.project import open_project


def peak_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Stages:
    """Feedback printing elapsed time and peak memory at each new message."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.last = ""

    def set_progress(self, fraction: float, message: str) -> None:
        if message != self.last:
            self.last = message
            print(f"{time.perf_counter() - self.start:8.2f}s wall {time.process_time():8.2f}s "
                  f"CPU {peak_mb():8.0f} MB  {message}", file=sys.stderr, flush=True)

    def is_cancelled(self) -> bool:
        return False


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("project")
    ap.add_argument("--role", default="full_time")
    ap.add_argument("--within-grid", action="store_true")
    args = ap.parse_args()
    if os.environ.get("GRIDPLANNER_DEBUG"):
        logging.basicConfig(level=logging.DEBUG, format="%(relativeCreated)9.0f ms %(message)s")
    fb = Stages()
    project = open_project(args.project)
    fb.set_progress(0, "opened")
    ctx = AnalysisContext.of(project)
    ctx.network()
    fb.set_progress(0, "network")
    ctx.snapped("households")
    fb.set_progress(0, "households snapped")
    t0, c0 = time.perf_counter(), time.process_time()
    result = run("allocate", ctx, role=args.role, within_grid=args.within_grid,
                 feedback=fb).value
    fb.set_progress(1, "done")
    out = result.totals.as_dict()
    out["allocate_s"] = round(time.perf_counter() - t0, 2)
    out["allocate_cpu_s"] = round(time.process_time() - c0, 2)
    out["peak_mb"] = round(peak_mb())
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
