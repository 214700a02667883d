"""Every stage at district (and optionally city) scale, each against a baseline run alongside.

Run (from the repository root)::

    PYTHONPATH=. .venv/bin/python benchmarks/run_all.py [--scales district,city]
        [--data DIR] [--stages load,validate,...] [--out results.md]

Data: ``sample_data.generate`` writes ``DIR/<scale>.gpkg`` once (reused after).
Each stage runs in this process and is timed by wall clock and by CPU seconds
(the machine is shared: CPU time is what the stage itself cost); peak memory
is the largest resident size of the process seen while the stage ran, sampled
every 20 ms. Where a baseline exists it is measured in the same run, on the same
data, and the ratio is baseline / ours:

==================  =================================================================
stage               baseline
==================  =================================================================
load                reading every layer with pyogrio, no validation
validate            (none: the schema checks of every layer, read already)
graph               ``shapely.union_all`` of the roads (GEOS noding alone)
snapping            ``STRtree.query_nearest`` of the household points
distances           ``networkx.multi_source_dijkstra`` (nearest staff of every node)
allocation          ``networkx.network_simplex`` on a 3,000-point subsample, against
                    our solver on the same subsample (the full model takes minutes)
placement           PySAL ``spopt`` p-median (HiGHS) when installed
coverage full       one shapely footprint per camera, households tested one by one
coverage edit       the full run (what an app would do without incremental updates)
checks              counting households per grid with one ``within`` per grid
balancing           (none)
exports             writing the same layers with plain ``GeoDataFrame.to_file``
atlas               the PDF atlas, analyses included
process             the same command as a whole process (start-up, load, compute,
                    write) against its compute alone: the ratio is process / compute
==================  =================================================================

City-scale baselines that would take many minutes (networkx, per-camera loops)
are skipped and marked so. Nothing is written to the repository unless
``--out`` names a file there.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("load", "validate", "graph", "snapping", "distances", "allocation", "placement",
          "coverage", "coverage_edit", "checks", "balancing", "exports", "atlas", "process")


# ----------------------------------------------------------------------------- measuring


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


class _PeakSampler:
    """Largest resident size of this process while a stage runs (sampled every 20 ms)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_mb())
            self._stop.wait(0.02)

    def __enter__(self) -> _PeakSampler:
        self.peak = _rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


@dataclass
class Row:
    """One line of the results table."""

    scale: str
    stage: str
    wall_s: float
    cpu_s: float
    peak_mb: float
    base_s: float | None = None
    ratio: float | None = None
    note: str = ""


ROWS: list[Row] = []


def measure(fn: Callable[[], Any]) -> tuple[Any, float, float, float]:
    """Run ``fn``; return its value, wall seconds, CPU seconds and peak RSS (MB)."""
    with _PeakSampler() as peak:
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return out, wall, cpu, peak.peak


def record(scale: str, stage: str, fn: Callable[[], Any], *,
           baseline: Callable[[], Any] | None = None,
           note: str | Callable[[Any], str] = "", base_note: str = "") -> Any:
    """Time ``fn`` (and ``baseline``), print and keep the row; return ``fn``'s value.

    ``note`` may be a function of ``fn``'s value.
    """
    out, wall, cpu, peak = measure(fn)
    base = ratio = None
    if baseline is not None:
        _, base, _, _ = measure(baseline)
        ratio = base / wall if wall > 0 else None
    row = Row(scale, stage, wall, cpu, peak, base, ratio,
              "; ".join(t for t in (note(out) if callable(note) else note, base_note) if t))
    ROWS.append(row)
    _print(row)
    return out


def _print(row: Row) -> None:
    base = f"{row.base_s:9.2f}" if row.base_s is not None else " " * 9
    ratio = f"{row.ratio:8.1f}x" if row.ratio is not None else " " * 9
    print(f"{row.scale:8} {row.stage:<34} {row.wall_s:8.2f} {row.cpu_s:8.2f} "
          f"{row.peak_mb:8.0f} {base} {ratio}  {row.note}", flush=True)


# ----------------------------------------------------------------------------- data


def project_file(scale: str, data: Path) -> Path:
    """Return ``data/<scale>.gpkg``, generating it the first time."""
    path = data / f"{scale}.gpkg"
    if not path.exists():
        data.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "sample_data.generate", "--scale", scale,
                        "--out", str(path)], check=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    return path


# ----------------------------------------------------------------------------- stages


def run_scale(scale: str, path: Path, stages: set[str], *, big: bool) -> None:
    """Run the chosen stages on one project file."""
    import geopandas as gpd
    import pyogrio
    import shapely

    from gridplanner.analyses import run
    from gridplanner.context import AnalysisContext
    from gridplanner.project import open_project
    from layers.validate import validate

    project = record(scale, "load (open project: read + validate)",
                     lambda: open_project(path),
                     baseline=lambda: [pyogrio.read_dataframe(path, layer=n)
                                       for n, _ in pyogrio.list_layers(path)
                                       if not str(n).startswith("gridplanner")],
                     base_note="base: pyogrio read of every layer, unvalidated")
    ctx = AnalysisContext.of(project)
    hh = project.layer("households")
    weights = ctx.household_weights()
    print(f"{scale}: {len(hh):,} household points holding {int(weights.sum()):,} households, "
          f"{len(project.layer('grids')):,} grids, {len(project.layer('cameras')):,} cameras, "
          f"{len(project.layer('roads')):,} road lines, {len(project.layer('staff')):,} staff",
          flush=True)
    if "validate" in stages:
        raw = {n: pyogrio.read_dataframe(path, layer=n) for n in project.layers}
        record(scale, "validate (every layer's schema)",
               lambda: [validate(frame, n) for n, frame in raw.items()],
               note=f"{sum(len(f) for f in raw.values()):,} rows")
        del raw
    net = None
    if stages & {"graph", "snapping", "distances", "allocation"}:
        from gridplanner.network.graph import build_network

        roads = project.layer("roads")
        net = record(scale, "graph (noding + CSR)",
                     lambda: build_network(roads,
                                           join_tolerance_m=ctx.settings.join_tolerance_m),
                     baseline=lambda: shapely.union_all(np.asarray(roads.geometry.values)),
                     base_note="base: shapely.union_all")
        ctx.memo("network", lambda: net, layers=("roads",), settings=("join_tolerance_m",))
    if "snapping" in stages and net is not None:
        from gridplanner.network.snap import snap_points

        pts = np.asarray(hh.geometry.values)
        tree = shapely.STRtree(net.edge_lines())
        record(scale, "snapping (household points)",
               lambda: snap_points(net, pts, cutoff_m=ctx.settings.snap_cutoff_m),
               baseline=lambda: tree.query_nearest(pts, max_distance=300, all_matches=False),
               base_note="base: STRtree.query_nearest")
    if "distances" in stages and net is not None:
        _distances(scale, ctx, net, big=big)
    if "allocation" in stages:
        ctx.snapped("households")
        def totals(res: Any) -> str:
            t = res.value.totals
            return (f"k used {t.k_used}, {t.assigned_households:,} households assigned, "
                    f"{t.unassigned_households:,} unassigned, flow optimum "
                    f"{t.flow_optimum_household_m:,.0f} household-m, final {t.gap_pct}% "
                    "above it")

        record(scale, "allocation (full_time, end to end)",
               lambda: run("allocate", ctx, role="full_time"), note=totals)
        if not big:
            _simplex(scale, ctx)
    if "placement" in stages:
        _placement(scale, ctx, big=big)
    if "coverage" in stages:
        record(scale, "coverage full (with buildings)", lambda: run("coverage", ctx),
               baseline=None if big else lambda: _naive_coverage(project),
               base_note="" if big else "base: one shapely footprint per camera")
    if "coverage_edit" in stages:
        _coverage_edit(scale, project)
    if "checks" in stages:
        grids = project.layer("grids")
        pts = np.asarray(hh.geometry.values)

        def per_grid_within() -> list[int]:
            tree = shapely.STRtree(pts)
            return [len(tree.query(g, predicate="contains")) for g in grids.geometry.values]

        record(scale, "checks (every grid check)", lambda: run("check", ctx),
               baseline=per_grid_within,
               base_note="base: households per grid, one STRtree query per grid")
    if "balancing" in stages and not big:
        record(scale, "balancing (whole district)", lambda: run("balance", ctx))
    if "exports" in stages:
        _exports(scale, project, ctx, gpd)
    if "atlas" in stages:
        _atlas(scale, project)
    if "process" in stages:
        _process(scale, path, ctx, big=big)


def _distances(scale: str, ctx: Any, net: Any, *, big: bool) -> None:
    from gridplanner.network.distance import nearest_source
    from gridplanner.network.snap import augment, snap_points

    staff = ctx.layer("staff")
    staff = staff[staff["role"] == "full_time"]
    aug = augment(net, snap_points(net, np.asarray(staff.geometry.values)))
    src = aug.source_node[aug.source_node >= 0]

    def nx_nearest() -> Any:
        import networkx as nx

        g = nx.Graph()
        coo = aug.matrix.tocoo()
        g.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(),
                                      strict=True))
        return nx.multi_source_dijkstra(g, set(src.tolist()))

    record(scale, "distances (nearest staff, every node)",
           lambda: nearest_source(aug.matrix, src),
           baseline=None if big else nx_nearest,
           base_note="skipped at this scale" if big else
           "base: networkx multi_source_dijkstra (graph build included)")


def _simplex(scale: str, ctx: Any) -> None:
    """Our solver and networkx network simplex on the same 3,000-point model."""
    import networkx as nx

    from gridplanner.allocation.assign import staff_capacity
    from gridplanner.allocation.flow import solve_flow
    from gridplanner.network.distance import k_nearest_sources, point_table
    from gridplanner.network.snap import attach, augment, snap_points

    net = ctx.network()
    staff = ctx.layer("staff")
    staff = staff[staff["role"] == "full_time"]
    aug = augment(net, snap_points(net, np.asarray(staff.geometry.values)))
    att = attach(net, aug, ctx.snapped("households"))
    n_sub = 3000
    lo, hi = att.lo_node[:n_sub], att.hi_node[:n_sub]
    targets = np.unique(np.concatenate([lo, hi]))
    targets = targets[targets >= 0]
    src_ok = np.flatnonzero(aug.source_node >= 0)
    ti, td = k_nearest_sources(aug.matrix, aug.source_node[src_ok], targets, k=8,
                               cutoff_m=3000.0, node_xy=aug.node_xy)
    sub_att = type(att)(lo, hi, att.lo_m[:n_sub], att.hi_m[:n_sub])
    pt_i, pt_d = point_table(sub_att, np.where(lo >= 0, np.searchsorted(targets, lo), -1),
                             np.searchsorted(targets, np.maximum(hi, 0)), ti, td, k=8)
    w = ctx.household_weights()[:n_sub].astype(np.int64)
    cap_all = staff_capacity(staff, {})[src_ok]
    cap = np.maximum(1, np.ceil(cap_all * w.sum() / cap_all.sum() * 1.3)).astype(np.int64)
    ap, ac = np.nonzero(pt_i >= 0)
    staff_of, cost = pt_i[ap, ac], pt_d[ap, ac]

    def ours() -> float:
        sol = solve_flow(w, ap, staff_of, cost, cap, unassigned_cost_m=30000.0)
        return sol.optimum_m + 30000.0 * sol.unassigned

    def simplex() -> float:
        d = nx.DiGraph()
        for p in range(n_sub):
            d.add_node(("h", p), demand=-int(w[p]))
            d.add_edge(("h", p), "sink", weight=300000, capacity=int(w[p]))
        for p, s, c in zip(ap.tolist(), staff_of.tolist(), np.round(cost * 10).astype(int)
                           .tolist(), strict=True):
            d.add_edge(("h", p), ("s", s), weight=c, capacity=int(w[p]))
        for s in range(len(cap)):
            d.add_edge(("s", s), "sink", weight=0, capacity=int(cap[s]))
        d.add_node("sink", demand=int(w.sum()))
        return nx.network_simplex(d)[0] / 10.0

    a, b = ours(), simplex()
    record(scale, "allocation solve, 3,000-point model", ours, baseline=simplex,
           note=f"{len(ap):,} arcs; optima {a:,.1f} vs {b:,.1f} "
           f"(equal up to decimetre rounding: {abs(a - b) <= 0.05 * w.sum() + 1e-6})",
           base_note="base: networkx network_simplex")


def _placement(scale: str, ctx: Any, *, big: bool) -> None:
    from gridplanner.analyses import run

    note = "20 new full_time bases"
    baseline = None
    try:
        import spopt  # noqa: F401
    except ImportError:
        note += "; base: spopt not installed"
    else:
        if not big:
            baseline = lambda: _spopt_pmedian(ctx)  # noqa: E731
            note += (f"; base: spopt PMedian (HiGHS or CBC), {_SPOPT_POINTS} household "
                     f"points x {_SPOPT_SITES} straight-line sites (a far smaller model)")
        else:
            note += "; base: skipped at this scale"
    record(scale, "placement (p-median, 20 sites)", lambda: run("place", ctx, n=20),
           baseline=baseline, note=note)


#: The spopt model's size: an exact MIP grows as points x sites.
_SPOPT_POINTS, _SPOPT_SITES = 600, 100


def _spopt_pmedian(ctx: Any) -> Any:
    import pulp
    from spopt.locate import PMedian

    hh = ctx.layer("households").iloc[:_SPOPT_POINTS]
    xy = np.column_stack([hh.geometry.x, hh.geometry.y])
    rng = np.random.default_rng(1)
    sites = xy[rng.choice(len(xy), _SPOPT_SITES, replace=False)]
    cost = np.hypot(xy[:, None, 0] - sites[None, :, 0], xy[:, None, 1] - sites[None, :, 1])
    weights = ctx.household_weights()[:_SPOPT_POINTS]
    model = PMedian.from_cost_matrix(cost, weights, p_facilities=20)
    available = pulp.listSolvers(onlyAvailable=True)
    name = next(n for n in ("HiGHS", "HiGHS_CMD", "PULP_CBC_CMD") if n in available)
    return model.solve(pulp.getSolver(name, msg=False, timeLimit=300))


def _naive_coverage(project: Any) -> Any:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_coverage import naive

    return naive(project.layer("grids"), project.layer("cameras"), project.layer("households"))


def _coverage_edit(scale: str, project: Any) -> None:
    import shapely

    from gridplanner.coverage import CoverageState

    state, wall, _, peak = measure(lambda: CoverageState.from_project(project))
    cams = project.layer("cameras").copy()
    rng = np.random.default_rng(3)
    times = []
    for i in rng.choice(len(cams), 20, replace=False):
        cid = cams.iloc[i]["camera_id"]
        p = cams.geometry.iloc[i]
        cams.iloc[i, cams.columns.get_loc("geometry")] = shapely.Point(p.x + 30, p.y)
        _, w, _, _ = measure(lambda c=cid: state.update(cameras=cams, changed_camera_ids=[c]))
        times.append(w)
    med = float(np.median(times))
    row = Row(scale, "coverage edit (one camera moved, median of 20)", med, med, peak,
              wall, wall / med if med > 0 else None, "base: the full run")
    ROWS.append(row)
    _print(row)


def _exports(scale: str, project: Any, ctx: Any, gpd: Any) -> None:
    from gridplanner.analyses import run
    from gridplanner.export.webmap import export_map
    from layers.io import write_geopackage

    result = run("coverage", ctx)
    layers = {k: v for k, v in result.layers.items() if isinstance(v, gpd.GeoDataFrame)}
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)

        def plain() -> None:
            for name, frame in layers.items():
                frame.to_file(t / "plain.gpkg", layer=name, driver="GPKG")

        record(scale, "export coverage layers (GeoPackage)",
               lambda: write_geopackage(layers, t / "ours.gpkg",
                                        geometry_types=dict(result.geometry_types)),
               baseline=plain, base_note="base: GeoDataFrame.to_file per layer",
               note=f"{sum(len(f) for f in layers.values()):,} features")
        record(scale, "export HTML map", lambda: export_map(project, t / "map.html"),
               note="offline Leaflet page")


def _atlas(scale: str, project: Any) -> None:
    """The PDF atlas: cover, index and one page per grid (analyses included)."""
    from gridplanner.export.atlas import export_atlas

    with tempfile.TemporaryDirectory() as tmp:
        record(scale, "atlas", lambda: export_atlas(project, Path(tmp) / "atlas.pdf"),
               note="one page per grid, vector PDF")


def _process(scale: str, path: Path, ctx: Any, *, big: bool) -> None:
    """Each command as a whole process against its compute alone."""
    from gridplanner.analyses import run

    commands = [("coverage", []), ("check", []), ("allocate", ["--role", "full_time"])]
    if not big:
        commands.append(("balance", []))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name, extra in commands:
        _, compute, _, _ = measure(lambda n=name: run(n, ctx))
        with tempfile.TemporaryDirectory() as tmp:
            out = ["--out", str(Path(tmp) / "out.gpkg")]
            if name == "check":
                out = []
            argv = [sys.executable, "-c", "from gridplanner.cli import entry; entry()",
                    name, str(path), *extra, *out]
            w0 = time.perf_counter()
            before = os.times()
            subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, check=False)
            after = os.times()
            wall = time.perf_counter() - w0
        cpu = (after.children_user - before.children_user
               + after.children_system - before.children_system)
        row = Row(scale, f"process: gridplanner {name}", wall, cpu, float("nan"), compute,
                  wall / compute if compute > 0 else None,
                  "ratio = whole process / compute in a warm process (lower is better)")
        ROWS.append(row)
        _print(row)


# ----------------------------------------------------------------------------- report


def machine() -> str:
    """One line describing the machine and its load."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return (f"{cpu}, {os.cpu_count()} cores, {mem_kb / 1e6:.0f} GB RAM, "
            f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")


def markdown() -> str:
    """The results as a Markdown table."""
    head = ("| scale | stage | wall s | CPU s | peak MB | baseline s | ratio | notes |\n"
            "|---|---|---:|---:|---:|---:|---:|---|\n")
    body = "".join(
        f"| {r.scale} | {r.stage} | {r.wall_s:.2f} | {r.cpu_s:.2f} | "
        f"{'' if np.isnan(r.peak_mb) else f'{r.peak_mb:,.0f}'} | "
        f"{'' if r.base_s is None else f'{r.base_s:.2f}'} | "
        f"{'' if r.ratio is None else f'{r.ratio:.1f}x'} | {r.note} |\n" for r in ROWS)
    return head + body


def main() -> None:
    """Run the suite."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scales", default="district",
                    help="comma-separated: sample, district, city (default district)")
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "gp-bench",
                    help="folder of the generated projects (reused when present)")
    ap.add_argument("--stages", default=",".join(STAGES),
                    help=f"comma-separated, some of {','.join(STAGES)}")
    ap.add_argument("--out", type=Path, help="also write the table (Markdown) here")
    args = ap.parse_args()
    stages = set(args.stages.split(","))
    print(machine())
    print(f"{'scale':8} {'stage':<34} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} "
          f"{'base s':>9} {'ratio':>9}", flush=True)
    for scale in args.scales.split(","):
        run_scale(scale, project_file(scale, args.data), stages, big=scale == "city")
    text = f"{machine()}\n\n{markdown()}"
    print("\n" + text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
