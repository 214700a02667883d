"""Memory of the app's coverage path on a big project, headless.

Run: ``QT_QPA_PLATFORM=offscreen PYTHONPATH=. .venv/bin/python benchmarks/app_memory.py
PROJECT`` (cap it, e.g. ``prlimit --as=12000000000``, on a shared machine).

Opens the project as the app does (``open_project`` on its I/O thread) and runs
coverage through the analysis panel's own hook (``AnalysisPanel._run_coverage``:
``CoverageState.from_project`` kept for edit-by-edit updates, then the result
frames), then one camera edit through the kept state. Prints wall and CPU
seconds and the process's peak resident memory after each step. The map canvas
is not drawn here.
"""

from __future__ import annotations

import resource
import sys
import time
from types import SimpleNamespace

import shapely


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Open, run coverage the app's way, edit one camera; print each step's cost."""
    from gridplanner.project import open_project
    from ui.panels.analysis_panel import AnalysisPanel

    t0, c0 = time.perf_counter(), time.process_time()

    def step(what: str) -> None:
        print(f"{what:<40} {time.perf_counter() - t0:8.1f} s wall {time.process_time() - c0:8.1f}"
              f" s CPU  peak {_peak_mb():8.0f} MB", flush=True)

    project = open_project(sys.argv[1])
    step("opened")
    options = SimpleNamespace(include_offline=False, use_buildings=True, gaps=10)
    result, state = AnalysisPanel._run_coverage(project, options, None)
    step("coverage (app hook, with buildings)")
    cams = project.layer("cameras").copy()
    p = cams.geometry.iloc[0]
    cams.iloc[0, cams.columns.get_loc("geometry")] = shapely.Point(p.x + 30, p.y)
    state.update(cameras=cams, changed_camera_ids=[cams.iloc[0]["camera_id"]])
    step("one camera moved (incremental update)")
    print(result.headline)


if __name__ == "__main__":
    main()
