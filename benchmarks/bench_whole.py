"""Whole buildings to staff: proven gap and time, HiGHS against CP-SAT, at district scale.

Run: ``.venv/bin/python benchmarks/bench_whole.py [--scale district] [--roles full_time
part_time] [--time-limit 60]``

Data: ``sample_data.generate.generate_district(scale=...)``. For each role the
allocation runs once as the app runs it (``allocate_layers``); the whole-point
model it hands to :func:`~gridplanner.allocation.whole.solve_whole` (candidate
arcs, capacities, the repaired flow as start) is kept and solved again in the
same run:

- ``highs``: the default (free parts by ``scipy.optimize.milp``);
- ``cp-sat``: the same method with OR-Tools CP-SAT on the free parts, the
  baseline of the ratio (time of the baseline / time of ours);
- ``start``: the repaired flow alone (no integer program), whose gap above the
  relaxation is what the exact solve removes.

Printed per row: wall and CPU seconds, households placed whole and the most any
whole answer can place (proven), walking (household-metres), its proven gap
above the best bound (0 = proven optimal), and the points the integer program
was given after fixing by reduced cost. Nothing is written to the repository.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import gridplanner.allocation.whole as whole
from gridplanner.allocation.assign import allocate_layers
from sample_data.generate import generate_district


def capture(role: str, layers: dict[str, Any], time_limit_s: float) -> tuple[dict[str, Any],
                                                                              float]:
    """Run the allocation and keep the model it gives the whole-point solve."""
    kept: dict[str, Any] = {}
    original = whole.solve_whole

    def spy(*args: Any, **kwargs: Any) -> whole.WholeSolution:
        kept["args"], kept["kwargs"] = args, kwargs
        return original(*args, **kwargs)

    whole.solve_whole = spy  # type: ignore[assignment]
    try:
        w0 = time.perf_counter()
        result = allocate_layers(layers["households"], layers["staff"], layers["roads"],
                                 role=role, time_limit_s=time_limit_s)
        wall = time.perf_counter() - w0
    finally:
        whole.solve_whole = original  # type: ignore[assignment]
    t = result.totals
    print(f"  allocate {role}: {wall:.2f} s end to end; {t.assigned_households:,} of at most "
          f"{t.whole_points_most_households:,} households whole; proven optimal: "
          f"{t.whole_points_optimal}; gap {t.whole_points_gap_pct:.4f}%; whole-point solve "
          f"{t.whole_points_seconds:.2f} s", flush=True)
    return kept, wall


def line(name: str, wall: float, cpu: float, sol: whole.WholeSolution | None,
         start: tuple[int, float] | None = None, base: float | None = None) -> None:
    if sol is not None:
        served, most, walk = sol.assigned_households, sol.most_households, sol.walking_m
        gap, free = sol.gap_pct, sol.free_points
    else:
        assert start is not None
        served, most, walk, gap, free = start[0], -1, start[1], float("nan"), 0
    ratio = f"{base / wall:6.1f}x" if base else "       "
    print(f"  {name:<8} {wall:8.2f} {cpu:8.2f} {served:>8,} {most:>8,} {walk:>14,.0f} "
          f"{gap:9.4f} {free:>7,} {ratio}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="district")
    ap.add_argument("--roles", nargs="+", default=["full_time", "part_time"])
    ap.add_argument("--time-limit", type=float, default=60.0)
    args = ap.parse_args()
    layers = generate_district(scale=args.scale)
    print(f"scale {args.scale}: {len(layers['households']):,} household points "
          f"({int(layers['households']['households'].sum()):,} households); "
          f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    for role in args.roles:
        kept, _ = capture(role, layers, args.time_limit)
        if not kept:
            print(f"  {role}: the repaired flow was already optimal; no whole-point solve")
            continue
        a, kw = kept["args"], dict(kept["kwargs"])
        kw["time_limit_s"] = args.time_limit
        w, arc_cost = a[0], a[3]
        start = kw["start_arc"]
        on = start >= 0
        start_walk = float((w[on] * arc_cost[start[on]]).sum())
        print(f"  {'solver':<8} {'wall s':>8} {'cpu s':>8} {'placed':>8} {'at most':>8} "
              f"{'walking':>14} {'gap %':>9} {'free':>7} ratio")
        line("start", 0.0, 0.0, None, start=(int(w[on].sum()), start_walk))
        times: dict[str, float] = {}
        sols: dict[str, whole.WholeSolution] = {}
        for backend in ("cp-sat", "highs"):
            w0, c0 = time.perf_counter(), time.process_time()
            sols[backend] = whole.solve_whole(*a, **kw, backend=backend)  # type: ignore[misc]
            times[backend] = time.perf_counter() - w0
            cpu = time.process_time() - c0
            line(backend, times[backend], cpu, sols[backend],
                 base=times["cp-sat"] if backend == "highs" else None)
        relaxed = sols["highs"]
        print(f"  relaxation: {relaxed.relaxed_households:,} households, "
              f"{relaxed.relaxed_m:,.0f} household-m; start above it by "
              f"{100 * (start_walk - relaxed.relaxed_m) / max(relaxed.relaxed_m, 1):.3f}% "
              f"(at {int(w[on].sum()):,} households)")


if __name__ == "__main__":
    main()
