"""The PDF atlas at district scale (400 grids), against a naive page-by-page baseline.

District: the generated sample district at ``scale="district"`` (400 grids, 15 000
cameras, ~50 000 household points, 90 000 road lines). The analyses (grid checks,
camera coverage, walking allocation) run once through the registry and are not
part of the timings; what is timed is writing the PDF.

Measured in one run, on the same grids (``BENCH_PAGES``, 40 by default):

- the atlas: :func:`gridplanner.export.atlas.export_atlas` (one reused page
  figure, one compound path per style, every page into one PdfPages);
- the same pages, each on a new figure saved with its own ``savefig`` to a file of
  its own (the baseline the ratio is taken against: same content, no reuse);
- a naive page for reference: a new figure, the layers clipped to the page drawn
  with GeoPandas' ``plot``, a small legend, one ``savefig`` per page (less on the
  page than the atlas prints: no key figures, a two-entry legend).

Then the whole atlas of 400 grids, the number the target (under a minute) is about.
The machine is shared: the load average is printed with the times, and the ratio
of the two runs made side by side is the figure to compare between machines.

Run: ``.venv/bin/python benchmarks/bench_atlas.py`` (writes into a temporary folder).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from gridplanner.export.atlas import atlas_figures, export_atlas
from gridplanner.export.cartography import font_rc, map_data
from gridplanner.project import Project
from layers.validate import validate
from sample_data.generate import generate_district

PAGES = int(os.environ.get("BENCH_PAGES", "40"))


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def timed_cpu(fn, *args, **kwargs):
    """Wall time and this process's CPU time (less disturbed by other work on the machine)."""
    t, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t, time.process_time() - c


def naive_pages(project: Project, layers: dict, ids: list[str], folder: Path) -> None:
    """One new figure and one savefig per grid page, GeoPandas drawing the clipped layers."""
    from matplotlib.patches import Patch

    grids = project.layer("grids")
    draw = [(project.layer("roads"), {"color": "#b0b0b0", "linewidth": 0.5}),
            (layers.get("camera_footprints"), {"color": "#6a51a3", "alpha": 0.3}),
            (layers.get("coverage_gaps"), {"color": "#d7191c", "alpha": 0.2}),
            (project.layer("households"), {"color": "#4d4d4d", "markersize": 3}),
            (project.layer("staff"), {"color": "#1f78b4", "markersize": 30}),
            (project.layer("facilities"), {"color": "#e31a1c", "markersize": 60})]
    with matplotlib.rc_context(font_rc(vector=True)):
        for gid in ids:
            focus = grids[grids["grid_id"] == gid]
            minx, miny, maxx, maxy = focus.total_bounds
            pad = max(maxx - minx, maxy - miny) * 0.12
            box = (minx - pad, miny - pad, maxx + pad, maxy + pad)
            fig = Figure(figsize=(11.69, 8.27))
            ax = fig.add_axes((0.03, 0.06, 0.62, 0.84))
            grids.cx[box[0]:box[2], box[1]:box[3]].plot(ax=ax, color="#e6e6e6",
                                                        edgecolor="#333333")
            focus.plot(ax=ax, color="white", edgecolor="black", linewidth=2)
            for frame, style in draw:
                if frame is not None and len(frame):
                    part = frame.cx[box[0]:box[2], box[1]:box[3]]
                    if len(part):
                        part.plot(ax=ax, **style)
            ax.set_xlim(box[0], box[2])
            ax.set_ylim(box[1], box[3])
            ax.set_axis_off()
            ax.legend(handles=[Patch(color="#6a51a3", label="摄像头覆盖"),
                               Patch(color="#d7191c", label="覆盖盲区")], loc="lower left")
            fig.text(0.03, 0.95, f"网格 {gid}", fontsize=15)
            fig.savefig(folder / f"{gid}.pdf", format="pdf")


def same_pages_one_file_each(project: Project, figures, ids: list[str], folder: Path) -> None:
    """The atlas's own grid pages, each a new figure written by its own savefig."""
    from gridplanner.export import atlas

    data = map_data(project, figures.layers)
    table = figures.grids[figures.grids["grid_id"].isin(ids)].assign(page=3)
    with matplotlib.rc_context(font_rc(vector=True)):
        ctx = atlas._Page(size=atlas.PAGES["A4"], lang=None, total=len(ids) + 2,
                          source="bench", date="2026-01-01", include_personal=False)
        for row in table.itertuples(index=False):
            fig = atlas._GridPages(ctx, data).render(row)
            fig.savefig(folder / f"page_{row.grid_id}.pdf", format="pdf")


def main() -> None:
    print("PDF atlas benchmark (district scale)")
    raw, t_gen = timed(generate_district, scale="district")
    layers = {k: validate(v, k).frame for k, v in raw.items() if len(v)}
    project = Project(layers=layers)
    print(f"  data: {len(project.layer('grids'))} grids, {len(project.layer('cameras'))} "
          f"cameras, {len(project.layer('households'))} household points, "
          f"{len(project.layer('roads'))} road lines (generated in {t_gen:.1f} s)")
    figures, t_fig = timed(atlas_figures, project)
    print(f"  analyses through the registry (not timed below): {t_fig:.1f} s; notes: "
          f"{list(figures.notes) or 'none'}")
    ids = sorted(project.layer("grids")["grid_id"].astype(str))[:PAGES]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        export_atlas(project, folder / "warm.pdf", figures=figures, grids=ids[:2])
        load = os.getloadavg()[0]
        _, t_naive, c_naive = timed_cpu(naive_pages, project, figures.layers, ids, folder)
        _, t_same, c_same = timed_cpu(same_pages_one_file_each, project, figures, ids, folder)
        _, t_atlas, c_atlas = timed_cpu(export_atlas, project, folder / "part.pdf",
                                        figures=figures, grids=ids)
        print(f"  {len(ids)} grid pages, load average {load:.1f} (wall / CPU):")
        for label, t, c in (("naive GeoPandas page, savefig each (less content)", t_naive,
                             c_naive),
                            ("atlas pages, new figure and savefig each", t_same, c_same),
                            ("atlas (one figure reused, one PdfPages, + cover, index)",
                             t_atlas, c_atlas)):
            print(f"    {label:56s} {t:6.1f} s / {c:5.1f} s "
                  f"({c / len(ids) * 1000:.0f} ms CPU a page)")
        print(f"    ratio same pages one by one / atlas: {t_same / t_atlas:.1f}x wall, "
              f"{c_same / c_atlas:.1f}x CPU")
        load = os.getloadavg()[0]
        out, t_all, c_all = timed_cpu(export_atlas, project, folder / "atlas.pdf",
                                      figures=figures)
        size_mb = out.path.stat().st_size / 1e6
        print(f"  whole atlas: {out.pages} pages in {t_all:.1f} s wall, {c_all:.1f} s CPU "
              f"({c_all / out.pages * 1000:.0f} ms CPU a page, {size_mb:.1f} MB, load average "
              f"{load:.1f}; target under 60 s)")


if __name__ == "__main__":
    main()
