"""PNG map images of the district, of one grid or of a window, drawn with matplotlib (no Qt).

Draws on a bare matplotlib Figure (Agg), so it runs headless on a server and
inside the desktop app alike. Every image is a map fit to hand round: a title,
a legend, a scale bar, a north arrow, the date and the data source, and grid
labels where they fit. The map itself is drawn by
:func:`gridplanner.export.cartography.draw_map`, the function the PDF atlas uses.
Text from the data (grid codes, titles) is drawn as it is: matplotlib's maths
markup (``$...$``) is switched off, so a ``$`` in a name is just a character.
Colours come from :mod:`gridplanner.palette`; files are written atomically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gridplanner.basemap import BasemapSpec
from gridplanner.export.cartography import (
    MapData,
    MapView,
    add_grid_labels,
    add_legend,
    add_north_arrow,
    add_scale_bar,
    axes_aspect,
    draw_map,
    drawable,
    fit_box,
    font_rc,
    grid_colours,
    map_data,
    scheme_handles,
    scheme_title,
    source_and_date,
    text,
)
from gridplanner.export.files import atomic_file, check_target, safe_file_stem
from gridplanner.export.webmap import MapError, check_color_by
from gridplanner.feedback import Feedback, report, sub
from gridplanner.i18n import _
from gridplanner.project import Project

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
    lang: str | None = None,
    source: str | None = None,
    date: dt.date | None = None,
    prepared: MapData | None = None,
    protect: Iterable[str | Path] = (),
    basemap: BasemapSpec | None = None,
    feedback: Feedback | None = None,
) -> Path:
    """Draw grids coloured by a figure, with staff and coverage, to a PNG map.

    Parameters
    ----------
    project
        Layers to draw.
    path
        The ``.png`` file (written atomically).
    grid_table
        Per-grid figures for the colours
        (:func:`gridplanner.export.figures.map_figures`).
    results
        Result layers (``camera_footprints``, ``coverage_gaps``,
        ``uncovered_households``) drawn when given, in views of one grid or of a
        window at street scale (district views stay readable without them).
    color_by
        Key of :data:`gridplanner.export.webmap.COLOR_BY`.
    grid_id
        Draw only around this grid (its neighbours greyed), else the whole district.
    extent
        Draw this window (min x, min y, max x, max y in the project's CRS), e.g. the
        app's view, instead of the district.
    title
        Title above the map (default: the colouring, or the grid's code and name).
    dpi, size_in
        Resolution and size in inches.
    size_px
        Exact width and height of the image in pixels (title, legend and the rest
        go inside the map); overrides ``size_in``.
    lang
        Language of the map's texts (default: the current language).
    source
        Data source printed at the bottom (default: the project's file name).
    date
        Date printed at the bottom (default: today).
    prepared
        ``project`` and ``results`` already prepared by
        :func:`gridplanner.export.cartography.map_data` (for many images of one
        project).
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
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    check_color_by(color_by, lang=lang)
    if extent is not None and not (extent[2] > extent[0] and extent[3] > extent[1]):
        raise MapError(_("the window {extent} is empty; give min x, min y, max x, max y",
                         lang=lang, extent=str(extent)))
    protect = tuple(protect)
    target = check_target(path, protect=protect)
    data = prepared if prepared is not None else map_data(project, results)
    focus_row = None
    if grid_id is not None:
        matches = data.grids.frame.index[data.grid_ids == str(grid_id)]
        if not len(matches):
            raise MapError(_("grid '{grid}' is not in the grids layer", lang=lang,
                             grid=str(grid_id)))
        focus_row = data.grids.frame.loc[matches[0]]
    report(feedback, 0.1, text("Drawing the map", lang))
    exact = size_px is not None
    if size_px is not None:
        size_in = (max(int(size_px[0]), 1) / dpi, max(int(size_px[1]), 1) / dpi)
    if not title:
        title = (scheme_title(color_by, lang=lang) if focus_row is None else
                 text("Grid {code}", lang, code=drawable(grid_id)) + "  "
                 + drawable(focus_row["name"] if pd.notna(focus_row["name"]) else ""))
    source_text, date_text = source_and_date(project, source, date)
    credits = text("Data source: {source} · Date: {date}", lang, source=drawable(source_text),
                   date=date_text)
    # A bare Figure (no pyplot) draws with Agg whatever backend the app uses, and is
    # safe on a worker thread.
    with rc_context(font_rc()):
        fig = Figure(figsize=size_in, dpi=dpi)
        try:
            rect = (0.0, 0.0, 1.0, 1.0) if exact else (0.02, 0.07, 0.70, 0.84)
            ax = fig.add_axes(rect)
            if focus_row is not None:
                import shapely

                minx, miny, maxx, maxy = shapely.bounds(
                    data.grids.geoms[data.grid_ids == str(grid_id)]).T
                box = (minx.min(), miny.min(), maxx.max(), maxy.max())
                pad = 0.15
            else:
                box, pad = (extent, 0.0) if extent is not None else (data.extent, 0.03)
            box = fit_box(box, axes_aspect(ax), pad=pad)
            width_px = size_in[0] * dpi * (rect[2])
            detail = focus_row is not None or (
                extent is not None and (box[2] - box[0]) / width_px <= _DETAIL_M_PER_PX)
            colours = grid_colours(data, grid_table, color_by)
            handles = draw_map(ax, data, MapView(
                box=box, colours=colours, focus=None if focus_row is None else str(grid_id),
                detail=detail), lang=lang, basemap=basemap, feedback=sub(feedback, 0.1, 0.7))
            add_grid_labels(ax, data, box=box, fontsize=7 if exact else 6.5,
                            skip=None if focus_row is None else str(grid_id))
            add_scale_bar(ax, lang=lang, loc=(0.03, 0.03) if not exact else (0.6, 0.03),
                          scale=not exact)
            add_north_arrow(ax, lang=lang)
            if focus_row is None:
                handles = [*scheme_handles(color_by, lang=lang), *handles]
            legend_title = (scheme_title(color_by, lang=lang) if focus_row is None
                            else text("Legend", lang))
            if exact:
                add_legend(ax, handles, title=legend_title, loc="lower left", fontsize=7,
                           ncol=2 if len(handles) > 8 else 1)
                ax.text(0.5, 0.98, drawable(title), transform=ax.transAxes, ha="center",
                        va="top", fontsize=13, zorder=30,
                        bbox={"facecolor": "white", "alpha": 0.85, "linewidth": 0})
                ax.text(0.99, 0.005, credits, transform=ax.transAxes, ha="right",
                        va="bottom", fontsize=6.5, zorder=30,
                        bbox={"facecolor": "white", "alpha": 0.8, "linewidth": 0})
            else:
                add_legend(ax, handles, title=legend_title, loc="upper left",
                           anchor=(1.02, 1.0), fontsize=7.5)
                fig.text(0.02, 0.94, drawable(title), fontsize=14, weight="bold")
                fig.text(0.02, 0.025, credits, fontsize=7, color="#555555")
            report(feedback, 0.8, text("Writing the file", lang))
            with atomic_file(target, protect=protect) as tmp:
                fig.savefig(tmp, format="png")
        finally:
            fig.clear()
    report(feedback, 1.0, text("Image written", lang))
    return target


def render_grid_pngs(
    project: Project,
    out_dir: str | Path,
    *,
    grid_table: pd.DataFrame | None = None,
    results: Mapping[str, gpd.GeoDataFrame] | None = None,
    color_by: str = "band_status",
    dpi: int = 110,
    lang: str | None = None,
    protect: Iterable[str | Path] = (),
    basemap: BasemapSpec | None = None,
    feedback: Feedback | None = None,
) -> list[Path]:
    """Write one PNG per grid (``<grid_id>.png``, made safe and unique) into ``out_dir``."""
    ids = project.layer("grids")["grid_id"].astype(str).tolist()
    data = map_data(project, results)
    out = []
    used: set[str] = set()
    for i, gid in enumerate(ids):
        report(feedback, i / max(len(ids), 1), text("Drawing grid {code}", lang, code=gid))
        name = safe_file_stem(gid, used)
        out.append(render_png(project, Path(out_dir) / f"{name}.png", grid_table=grid_table,
                              results=results, color_by=color_by, grid_id=gid,
                              dpi=dpi, size_in=(8.0, 5.6), lang=lang, prepared=data,
                              protect=protect, basemap=basemap))
    report(feedback, 1.0, text("Images written", lang))
    return out
