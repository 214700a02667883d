"""Benchmark the organisation analyses: per-grid figures, incidents and 党员联户.

Run: ``python benchmarks/bench_organisation.py [--scale sample|district]``. Writes
nothing. Each figure is reported beside a baseline measured in the same run:

- grid organisation (party figures, work groups) against placing the households in
  their grids alone;
- incident statistics against placing the incidents in their grids alone;
- link-members (one demand point per household) against the ordinary full-time
  allocation (one demand point per building), which shares its network and snapping.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds of one run, and its result."""
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - t, time.process_time() - c, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="district", choices=["sample", "district"])
    args = parser.parse_args()

    from gridplanner.analyses import run
    from gridplanner.context import AnalysisContext
    from gridplanner.incidents import incident_stats
    from gridplanner.organisation import grid_organisation, link_members
    from gridplanner.project import Project
    from sample_data.generate import generate_district

    wall, _, layers = timed(lambda: generate_district(scale=args.scale))
    project = Project(layers=layers)
    ctx = AnalysisContext.of(project)
    hh = layers["households"]
    print(f"scale {args.scale}: {len(layers['grids'])} grids, {len(hh)} household points, "
          f"{int(hh['households'].sum())} households, {int(hh['party_members'].sum())} party "
          f"members, {len(layers['incidents'])} incidents (generated in {wall:.1f} s)")

    def report(name: str, wall: float, cpu: float) -> None:
        print(f"{name:48s} {wall:8.2f} s wall {cpu:8.2f} s CPU")

    wall, cpu, _ = timed(ctx.household_grid)
    report("baseline: households in their grids", wall, cpu)
    wall, cpu, table = timed(lambda: grid_organisation(ctx))
    report(f"grid organisation ({int(table['red_grid'].sum())} red grids)", wall, cpu)
    points = np.asarray(layers["incidents"].geometry.values, dtype=object)
    wall, cpu, _ = timed(lambda: ctx.grid_of(points))
    report("baseline: incidents in their grids", wall, cpu)
    wall, cpu, stats = timed(lambda: incident_stats(ctx))
    report(f"incident statistics ({int(stats.units['hot'].sum())} hot grids)", wall, cpu)
    wall, cpu, _ = timed(lambda: ctx.snapped("households"))
    report("network and household snapping (shared)", wall, cpu)
    wall, cpu, base = timed(lambda: run("allocate", ctx, role="full_time").value)
    report("baseline: full-time allocation (building points)", wall, cpu)
    wall, cpu, links = timed(lambda: link_members(ctx))
    t = links.allocation.totals
    report(f"link-members ({t.assigned_households:,} linked, "
           f"{t.unassigned_households:,} not)", wall, cpu)
    print(f"link-members optimal: {t.whole_points_optimal}; "
          f"full-time allocation: {base.totals.assigned_households:,} households")


if __name__ == "__main__":
    main()
