"""Benchmark grid checks, edit commands and balanced proposals.

Run: ``python benchmarks/bench_grids.py [--scale sample|district]``. Writes nothing.
Each figure is reported with a baseline measured in the same run:

- household counting: STRtree + bincount against a per-grid ``within`` loop;
- checks: all checks against household counting alone;
- one edit (split + undo) against running every check once (what an app would do
  without grid-local refresh);
- balancing against the Voronoi overlay of the household points alone (the
  geometric floor of the method).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely

CPU: dict[str, float] = {}


def timed(fn: Callable[[], Any], repeat: int = 1, name: str = "") -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs (CPU time of the best run kept in CPU[name])."""
    best = float("inf")
    out = None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        wall = time.perf_counter() - t
        if wall < best:
            best = wall
            CPU[name] = time.process_time() - c
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="district", choices=["sample", "district"])
    args = parser.parse_args()

    from gridplanner.analyses import run
    from gridplanner.context import AnalysisContext
    from gridplanner.grids import CommandStack, SplitGrid
    from gridplanner.grids.topology import community_polygons, count_households
    from gridplanner.project import Project
    from sample_data.generate import generate_district

    t_gen, layers = timed(lambda: generate_district(scale=args.scale))
    project = Project(layers=layers)
    grids, households = layers["grids"], layers["households"]
    print(f"scale {args.scale}: {len(grids)} grids, {len(households)} household points, "
          f"{int(households['households'].sum())} households (generated in {t_gen:.1f} s)")
    geoms = np.asarray(grids.geometry.array, dtype=object)

    def naive_count() -> list[int]:
        return [int(households.loc[households.within(g), "households"].sum()) for g in geoms]

    t_naive, naive = timed(naive_count)
    t_count, fast = timed(lambda: count_households(geoms, households), repeat=3)
    print(f"household count  STRtree {t_count * 1000:8.1f} ms | per-grid loop "
          f"{t_naive * 1000:8.1f} ms | ratio {t_naive / t_count:6.1f}x faster "
          f"(same totals: {int(fast.sum()) == sum(naive)})")

    t_checks, result = timed(lambda: run("check", AnalysisContext.of(project)).value, repeat=2)
    print(f"run_checks       {t_checks * 1000:8.1f} ms | {t_checks / t_count:6.1f}x the count "
          f"alone | {len(result)} findings")

    target = grids.iloc[int(np.argmax(grids.area))]
    c = target.geometry.centroid
    line = [(c.x, c.y - 5000), (c.x, c.y + 5000)]

    def edit() -> None:
        stack = CommandStack(project)
        stack.push(SplitGrid(target["grid_id"], line))
        stack.undo()
        stack.close()

    t_edit, _ = timed(edit, repeat=3)
    print(f"split + undo     {t_edit * 1000:8.1f} ms | {t_edit / t_checks:6.3f}x a full check run")

    communities = community_polygons(project)
    points = np.asarray(households.geometry.array, dtype=object)

    def voronoi_floor() -> None:
        for poly in communities.values():
            inside = points[shapely.contains_properly(poly, points)]
            xy = np.unique(np.round(shapely.get_coordinates(inside), 3), axis=0)
            cells = shapely.get_parts(shapely.voronoi_polygons(
                shapely.multipoints(xy), extend_to=poly, ordered=True))
            shapely.intersection(cells, poly)

    t_floor, _ = timed(voronoi_floor, name="floor")
    t_bal, proposal = timed(lambda: run("balance", AnalysisContext.of(project)).value,
                            name="balance")
    f = proposal.figures
    print(f"balance          {t_bal:8.2f} s  (CPU {CPU['balance']:.2f} s) | "
          f"{t_bal / t_floor:6.1f}x a plain Voronoi overlay of every cell ({t_floor:.2f} s, "
          f"CPU {CPU['floor']:.2f} s) | {len(f)} communities, grids {f['grids_before'].sum()} -> "
          f"{f['grids_after'].sum()}, out of band {f['violations_before'].sum()} -> "
          f"{f['violations_after'].sum()} (locked {f['violations_locked'].sum()}), "
          f"Polsby-Popper mean {f['pp_mean_before'].mean():.2f} -> "
          f"{f['pp_mean_after'].mean():.2f}")


if __name__ == "__main__":
    main()
