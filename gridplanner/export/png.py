"""PNG map images of the district or of one grid, drawn with matplotlib (no Qt).

Draws on a bare matplotlib Figure (Agg), so it runs headless on a server and
inside the desktop app alike; Chinese labels use the
first installed CJK font (Noto Sans CJK SC, WenQuanYi, Microsoft YaHei, SimHei).
Text from the data (grid codes, titles) is drawn as it is: matplotlib's maths
markup (``$...$``) is switched off, so a ``$`` in a name is just a character.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gridplanner.export.webmap import COLOR_BY, _classify
from gridplanner.feedback import Feedback, report
from gridplanner.project import Project
from gridplanner.scenarios.labels import WORDS_ZH

_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei",
              "Microsoft YaHei", "SimHei")
_ROLE_COLORS = {"grid_head": "#b15928", "full_time": "#1f78b4", "police": "#e31a1c",
                "part_time": "#33a02c"}


def _cjk_font() -> list[str]:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return [n for n in _CJK_FONTS if n in names] + ["DejaVu Sans"]


def render_png(
    project: Project,
    path: str | Path,
    *,
    grid_table: pd.DataFrame | None = None,
    results: Mapping[str, gpd.GeoDataFrame] | None = None,
    color_by: str = "band_status",
    grid_id: str | None = None,
    title: str = "",
    dpi: int = 150,
    size_in: tuple[float, float] = (10.0, 8.0),
    feedback: Feedback | None = None,
) -> Path:
    """Draw grids coloured by a figure, with staff and coverage, to a PNG file.

    Parameters
    ----------
    project
        Layers to draw.
    path
        The ``.png`` file.
    grid_table
        Per-grid figures (``ScenarioFigures.grids``) for the colours and labels.
    results
        Result layers (``camera_footprints``, ``uncovered_households``) drawn when
        given (for one grid only: district views stay readable without them).
    color_by
        Key of :data:`gridplanner.export.webmap.COLOR_BY`.
    grid_id
        Draw only around this grid (its neighbours greyed), else the whole district.
    title
        Title above the map.
    dpi, size_in
        Resolution and size in inches.
    feedback
        Progress and cancellation.

    Returns
    -------
    Path

    Raises
    ------
    MapError
        For an unknown ``color_by`` or ``grid_id``.

    Examples
    --------
    >>> import tempfile, pathlib, shapely
    >>> g = gpd.GeoDataFrame({"grid_id": ["网格1"]}, geometry=[shapely.box(0, 0, 9, 9)],
    ...                      crs=4549)
    >>> out = render_png(Project(layers={"grids": g}), pathlib.Path(tempfile.mkdtemp()) / "m.png")
    >>> out.stat().st_size > 1000
    True
    """
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    from gridplanner.export.webmap import MapError

    if color_by not in COLOR_BY:
        raise MapError(f"cannot colour grids by '{color_by}'; choose one of "
                       f"{', '.join(COLOR_BY)}")
    scheme = COLOR_BY[color_by]
    grids = project.layer("grids").copy()
    grids["grid_id"] = grids["grid_id"].astype(str)
    if grid_table is not None and len(grid_table) and scheme.column in grid_table.columns:
        values = grid_table.drop_duplicates("grid_id").set_index(
            grid_table.drop_duplicates("grid_id")["grid_id"].astype(str))[scheme.column]
        column = values.reindex(grids["grid_id"].to_numpy()).reset_index(drop=True)
    else:
        column = pd.Series([np.nan] * len(grids))
    colors = _classify(column, scheme) if len(grids) else []
    report(feedback, 0.1, "drawing")
    # A bare Figure (no pyplot) draws with Agg whatever backend the app uses, and is
    # safe on a worker thread.
    with matplotlib.rc_context({"font.sans-serif": _cjk_font(), "font.family": "sans-serif",
                                "axes.unicode_minus": False, "text.parse_math": False,
                                "text.usetex": False}):
        fig = Figure(figsize=size_in, dpi=dpi)
        ax = fig.subplots()
        try:
            focus = None
            if grid_id is not None:
                focus = grids[grids["grid_id"] == str(grid_id)]
                if not len(focus):
                    raise MapError(f"grid '{grid_id}' is not in the grids layer")
            if len(grids):
                alpha = 0.75 if focus is None else 0.25
                grids.plot(ax=ax, color=colors, edgecolor="#333333", linewidth=0.6, alpha=alpha)
                if focus is not None:
                    idx = focus.index.to_numpy()
                    focus.plot(ax=ax, color=[colors[grids.index.get_loc(i)] for i in idx],
                               edgecolor="#000000", linewidth=2.0, alpha=0.8)
            areas = project.layer("service_areas")
            if len(areas):
                areas[areas["level"].astype(str) == "community"].boundary.plot(
                    ax=ax, color="#253494", linewidth=1.4)
            res = dict(results or {})
            extra_handles = []
            if focus is not None:
                minx, miny, maxx, maxy = focus.total_bounds
                pad = max(maxx - minx, maxy - miny) * 0.25
                box = (minx - pad, miny - pad, maxx + pad, maxy + pad)
                fp = _clip(res.get("camera_footprints"), box)
                if len(fp):
                    fp.plot(ax=ax, color="#e31a1c", alpha=0.15, linewidth=0)
                    extra_handles.append(Patch(color="#e31a1c", alpha=0.3,
                                               label="摄像头覆盖 camera footprints"))
                hh = _clip(project.layer("households"), box)
                if len(hh):
                    hh.plot(ax=ax, color="#555555", markersize=4)
                    extra_handles.append(Patch(color="#555555", label="住户 households"))
                un = _clip(res.get("uncovered_households"), box)
                if len(un):
                    un.plot(ax=ax, color="#d7191c", markersize=8)
                    extra_handles.append(Patch(color="#d7191c",
                                               label="未覆盖住户 uncovered households"))
            staff = project.layer("staff")
            if len(staff):
                for role, color in _ROLE_COLORS.items():
                    part = staff[staff["role"].astype(str) == role]
                    if len(part) and role != "part_time":
                        part.plot(ax=ax, color=color, markersize=14 if focus is None else 40,
                                  edgecolor="white", linewidth=0.5)
            if focus is not None:
                ax.set_xlim(box[0], box[2])
                ax.set_ylim(box[1], box[3])
                for _, row in focus.iterrows():
                    c = row.geometry.representative_point()
                    ax.annotate(_drawable(row["grid_id"]), (c.x, c.y), ha="center", fontsize=9,
                                weight="bold")
            ax.set_axis_off()
            ax.set_aspect("equal")
            handles = _legend_handles(scheme, Patch)
            handles += [Patch(color=c, label=f"{WORDS_ZH[r]} {r.replace('_', ' ')}")
                        for r, c in _ROLE_COLORS.items() if r != "part_time"]
            handles += extra_handles
            ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(1.01, 0.0),
                      fontsize=8, framealpha=0.9,
                      title=f"{scheme.title_zh} {scheme.title_en}", title_fontsize=9)
            if title:
                ax.set_title(_drawable(title), fontsize=13)
            target = Path(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(target, bbox_inches="tight")
        finally:
            fig.clear()
    report(feedback, 1.0, "image written")
    return target


def _drawable(text: object) -> str:
    """``text`` with line breaks and control characters shown as spaces."""
    return _UNDRAWABLE.sub(" ", str(text))


_UNDRAWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _clip(frame: gpd.GeoDataFrame | None,
          box: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    if frame is None or not len(frame):
        return gpd.GeoDataFrame(geometry=[])
    return frame.cx[box[0]:box[2], box[1]:box[3]]


def _legend_handles(scheme: Any, patch: Any) -> list[Any]:
    if scheme.categories:
        return [patch(color=c, label=label) for _, label, c in scheme.categories]
    edges = list(scheme.breaks)
    out = []
    for i, c in enumerate(scheme.colors):
        label = (f"≥ {edges[i]:g}{scheme.unit}" if i == len(scheme.colors) - 1
                 else f"{edges[i]:g} – {edges[i + 1]:g}{scheme.unit}")
        out.append(patch(color=c, label=label))
    return out


def render_grid_pngs(
    project: Project,
    out_dir: str | Path,
    *,
    grid_table: pd.DataFrame | None = None,
    results: Mapping[str, gpd.GeoDataFrame] | None = None,
    color_by: str = "band_status",
    dpi: int = 110,
    feedback: Feedback | None = None,
) -> list[Path]:
    """Write one PNG per grid (``<grid_id>.png``) into ``out_dir``; return the paths."""
    ids = project.layer("grids")["grid_id"].astype(str).tolist()
    out = []
    for i, gid in enumerate(ids):
        report(feedback, i / max(len(ids), 1), f"grid {gid}")
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in gid)
        out.append(render_png(project, Path(out_dir) / f"{safe}.png", grid_table=grid_table,
                              results=results, color_by=color_by, grid_id=gid,
                              title=f"网格 Grid {gid}", dpi=dpi, size_in=(6.0, 5.0)))
    report(feedback, 1.0, "images written")
    return out
