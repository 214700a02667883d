"""PNG map images of the district, of one grid or of a window, drawn with matplotlib (no Qt).

Draws on a bare matplotlib Figure (Agg), so it runs headless on a server and
inside the desktop app alike; Chinese labels use the
first installed CJK font (Noto Sans CJK SC, WenQuanYi, Microsoft YaHei, SimHei).
Text from the data (grid codes, titles) is drawn as it is: matplotlib's maths
markup (``$...$``) is switched off, so a ``$`` in a name is just a character.
Colours come from :mod:`gridplanner.palette`; files are written atomically.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gridplanner import palette
from gridplanner.basemap import BasemapSpec, draw_basemap
from gridplanner.export.files import atomic_file, check_target, safe_file_stem
from gridplanner.export.fonts import cjk_families
from gridplanner.export.webmap import COLOR_BY, MapError, _classify
from gridplanner.feedback import Feedback, report, sub
from gridplanner.i18n import bilingual
from gridplanner.project import Project
from gridplanner.scenarios.labels import WORDS_ZH

#: Roles drawn on the maps (part-time volunteers are too many to show).
_DRAWN_ROLES = ("grid_head", "full_time", "police")
#: A window is drawn with households and camera views from this scale on (m per pixel).
_DETAIL_M_PER_PX = 2.5


def render_png(
    project: Project,
    path: str | Path,
    *,
    grid_table: pd.DataFrame | None = None,
    results: Mapping[str, gpd.GeoDataFrame] | None = None,
    color_by: str = "band_status",
    grid_id: str | None = None,
    extent: tuple[float, float, float, float] | None = None,
    title: str = "",
    dpi: int = 150,
    size_in: tuple[float, float] = (10.0, 8.0),
    size_px: tuple[int, int] | None = None,
    protect: Iterable[str | Path] = (),
    basemap: BasemapSpec | None = None,
    feedback: Feedback | None = None,
) -> Path:
    """Draw grids coloured by a figure, with staff and coverage, to a PNG file.

    Parameters
    ----------
    project
        Layers to draw.
    path
        The ``.png`` file (written atomically).
    grid_table
        Per-grid figures for the colours and labels
        (:func:`gridplanner.export.figures.map_figures`).
    results
        Result layers (``camera_footprints``, ``uncovered_households``) drawn when
        given, in views of one grid or of a window at street scale (district views
        stay readable without them).
    color_by
        Key of :data:`gridplanner.export.webmap.COLOR_BY`.
    grid_id
        Draw only around this grid (its neighbours greyed), else the whole district.
    extent
        Draw this window (min x, min y, max x, max y in the project's CRS), e.g. the
        app's view, instead of the district.
    title
        Title above the map.
    dpi, size_in
        Resolution and size in inches (the image is trimmed to the drawing).
    size_px
        Exact width and height of the image in pixels (the legend goes inside the
        map); overrides ``size_in``.
    protect
        Files that must not be replaced (the open project and its autosave).
    basemap
        Tiles drawn under the map (:func:`gridplanner.basemap.parse_basemap`).
    feedback
        Progress and cancellation.

    Returns
    -------
    Path

    Raises
    ------
    MapError
        For an unknown ``color_by`` or ``grid_id``, or an empty ``extent``.
    ExportError
        When the target is refused or cannot be written.

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

    if color_by not in COLOR_BY:
        raise MapError(f"cannot colour grids by '{color_by}'; choose one of "
                       f"{', '.join(COLOR_BY)}")
    if extent is not None and not (extent[2] > extent[0] and extent[3] > extent[1]):
        raise MapError(f"the window {extent} is empty; give min x, min y, max x, max y")
    protect = tuple(protect)
    target = check_target(path, protect=protect)
    scheme = COLOR_BY[color_by]
    grids = project.layer("grids").copy()
    grids["grid_id"] = grids["grid_id"].astype(str)
    if grid_table is not None and len(grid_table) and scheme.column in grid_table.columns:
        table = grid_table.assign(grid_id=grid_table["grid_id"].astype(str)).drop_duplicates(
            "grid_id").set_index("grid_id")
        column = table[scheme.column].reindex(grids["grid_id"].to_numpy()).reset_index(
            drop=True)
    else:
        column = pd.Series([np.nan] * len(grids))
    colors = _classify(column, scheme) if len(grids) else []
    report(feedback, 0.1, "drawing")
    exact = size_px is not None
    if size_px is not None:
        size_in = (max(int(size_px[0]), 1) / dpi, max(int(size_px[1]), 1) / dpi)
    # A bare Figure (no pyplot) draws with Agg whatever backend the app uses, and is
    # safe on a worker thread.
    with matplotlib.rc_context({"font.sans-serif": cjk_families(), "font.family": "sans-serif",
                                "axes.unicode_minus": False, "text.parse_math": False,
                                "text.usetex": False}):
        fig = Figure(figsize=size_in, dpi=dpi)
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0)) if exact else fig.subplots()
        try:
            focus = None
            if grid_id is not None:
                focus = grids[grids["grid_id"] == str(grid_id)]
                if not len(focus):
                    raise MapError(f"grid '{grid_id}' is not in the grids layer")
            box = extent
            if focus is not None:
                minx, miny, maxx, maxy = focus.total_bounds
                pad = max(maxx - minx, maxy - miny) * 0.25
                box = (minx - pad, miny - pad, maxx + pad, maxy + pad)
            if len(grids):
                alpha = 0.75 if focus is None else 0.25
                grids.plot(ax=ax, color=colors, edgecolor=palette.GRID_OUTLINE, linewidth=0.6,
                           alpha=alpha)
                if focus is not None:
                    idx = focus.index.to_numpy()
                    focus.plot(ax=ax, color=[colors[grids.index.get_loc(i)] for i in idx],
                               edgecolor="#000000", linewidth=2.0, alpha=0.8)
            areas = project.layer("service_areas")
            if len(areas) and "level" in areas.columns:
                areas[areas["level"].astype(str) == "community"].boundary.plot(
                    ax=ax, color=palette.COMMUNITY_OUTLINE, linewidth=1.4)
            width_px = size_in[0] * dpi
            detail = focus is not None or (
                box is not None and (box[2] - box[0]) / width_px <= _DETAIL_M_PER_PX)
            extra_handles = []
            if detail and box is not None:
                extra_handles = _details(ax, project, dict(results or {}), box, Patch)
            staff = project.layer("staff")
            if len(staff):
                for role in _DRAWN_ROLES:
                    part = staff[staff["role"].astype(str) == role]
                    if len(part):
                        part.plot(ax=ax, color=palette.role_colour(role),
                                  markersize=40 if detail else 14, edgecolor="white",
                                  linewidth=0.5)
            if box is not None:
                ax.set_xlim(box[0], box[2])
                ax.set_ylim(box[1], box[3])
            if focus is not None:
                for _, row in focus.iterrows():
                    c = row.geometry.representative_point()
                    ax.annotate(_drawable(row["grid_id"]), (c.x, c.y), ha="center", fontsize=9,
                                weight="bold")
            ax.set_axis_off()
            ax.set_aspect("equal", adjustable="datalim" if exact else "box")
            if basemap is not None:
                draw_basemap(ax, crs=project.crs, spec=basemap, feedback=sub(feedback, 0.1, 0.7))
            handles = _legend_handles(scheme, Patch)
            handles += [Patch(color=palette.role_colour(r),
                              label=f"{WORDS_ZH[r]} {r.replace('_', ' ')}")
                        for r in _DRAWN_ROLES]
            handles += extra_handles
            ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9,
                      title=f"{scheme.title_zh} {scheme.title_en}", title_fontsize=9,
                      bbox_to_anchor=(0.0, 0.0) if exact else (1.01, 0.0))
            if title:
                if exact:
                    ax.text(0.5, 0.98, _drawable(title), transform=ax.transAxes, ha="center",
                            va="top", fontsize=13,
                            bbox={"facecolor": "white", "alpha": 0.8, "linewidth": 0})
                else:
                    ax.set_title(_drawable(title), fontsize=13)
            report(feedback, 0.8, "writing the image")
            with atomic_file(target, protect=protect) as tmp:
                fig.savefig(tmp, format="png", bbox_inches=None if exact else "tight")
        finally:
            fig.clear()
    report(feedback, 1.0, "image written")
    return target


def _details(ax: Any, project: Project, results: dict[str, gpd.GeoDataFrame],
             box: tuple[float, float, float, float], patch: Any) -> list[Any]:
    """Draw camera footprints, households and uncovered households inside ``box``."""
    handles = []
    fp = _clip(results.get("camera_footprints"), box)
    if len(fp):
        cats = fp["category"] if "category" in fp.columns else pd.Series([None] * len(fp))
        colours = [palette.camera_colour(c) for c in cats]
        fp.plot(ax=ax, color=colours, alpha=0.2, linewidth=0)
        handles += [patch(color=palette.camera_colour(c), alpha=0.4,
                          label=bilingual(f"Category {c} footprints"))
                    for c in (1, 2, 3)]
    hh = _clip(project.layer("households"), box)
    if len(hh):
        hh.plot(ax=ax, color="#555555", markersize=4)
        handles.append(patch(color="#555555", label=bilingual("households")))
    un = _clip(results.get("uncovered_households"), box)
    if len(un):
        un.plot(ax=ax, color=palette.UNCOVERED, markersize=8)
        handles.append(patch(color=palette.UNCOVERED, label=bilingual("uncovered households")))
    return handles


def _drawable(text: object) -> str:
    """Return ``text`` with line breaks, control characters and broken ones as spaces."""
    return _UNDRAWABLE.sub(" ", str(text))


_UNDRAWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


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
    out.append(patch(color=palette.NO_DATA, label=bilingual("no data")))
    return out


def render_grid_pngs(
    project: Project,
    out_dir: str | Path,
    *,
    grid_table: pd.DataFrame | None = None,
    results: Mapping[str, gpd.GeoDataFrame] | None = None,
    color_by: str = "band_status",
    dpi: int = 110,
    protect: Iterable[str | Path] = (),
    basemap: BasemapSpec | None = None,
    feedback: Feedback | None = None,
) -> list[Path]:
    """Write one PNG per grid (``<grid_id>.png``, made safe and unique) into ``out_dir``."""
    ids = project.layer("grids")["grid_id"].astype(str).tolist()
    out = []
    used: set[str] = set()
    for i, gid in enumerate(ids):
        report(feedback, i / max(len(ids), 1), f"grid {gid}")
        name = safe_file_stem(gid, used)
        out.append(render_png(project, Path(out_dir) / f"{name}.png", grid_table=grid_table,
                              results=results, color_by=color_by, grid_id=gid,
                              title=f"{bilingual('Grid', 'map-title')} {gid}",
                              dpi=dpi, size_in=(6.0, 5.0), protect=protect, basemap=basemap))
    report(feedback, 1.0, "images written")
    return out
