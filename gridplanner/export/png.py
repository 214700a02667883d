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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

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
    credits_line,
    draw_map,
    drawable,
    fit_box,
    font_rc,
    grid_bounds,
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

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

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
    _check_extent(extent, lang=lang)
    protect = tuple(protect)
    target = check_target(path, protect=protect)
    data = prepared if prepared is not None else map_data(project, results)
    focus_row = _focus_row(data, grid_id, lang=lang)
    focus = None if focus_row is None else str(grid_id)
    report(feedback, 0.1, text("Drawing the map", lang))
    layout = _Layout.of(size_in=size_in, size_px=size_px, dpi=dpi)
    words = _words(project, focus_row, grid_id=grid_id, title=title, color_by=color_by,
                   source=source, date=date, lang=lang)
    # A bare Figure (no pyplot) draws with Agg whatever backend the app uses, and is
    # safe on a worker thread.
    with rc_context(font_rc()):
        fig = Figure(figsize=layout.size_in, dpi=dpi)
        try:
            ax = fig.add_axes(layout.rect)
            box, detail = _window(ax, data, focus=focus, extent=extent, layout=layout)
            view = MapView(box=box, colours=grid_colours(data, grid_table, color_by),
                           focus=focus, detail=detail)
            handles = draw_map(ax, data, view, lang=lang, basemap=basemap,
                               feedback=sub(feedback, 0.1, 0.7))
            _add_furniture(ax, data, view, exact=layout.exact, lang=lang)
            if focus is None:
                handles = [*scheme_handles(color_by, lang=lang), *handles]
            _add_legend_and_texts(fig, ax, handles, words, exact=layout.exact)
            report(feedback, 0.8, text("Writing the file", lang))
            with atomic_file(target, protect=protect) as tmp:
                fig.savefig(tmp, format="png")
        finally:
            fig.clear()
    report(feedback, 1.0, text("Image written", lang))
    return target


@dataclass(frozen=True)
class _Layout:
    """Size of an image and where its map goes.

    An image of an exact pixel size (``exact``) is all map, with the title, legend
    and credits inside it; otherwise they frame the map.
    """

    size_in: tuple[float, float]
    dpi: int
    exact: bool

    @classmethod
    def of(cls, *, size_in: tuple[float, float], size_px: tuple[int, int] | None,
           dpi: int) -> _Layout:
        """Return the layout of ``size_px`` pixels if given, else of ``size_in`` inches."""
        if size_px is not None:
            size_in = (max(int(size_px[0]), 1) / dpi, max(int(size_px[1]), 1) / dpi)
        return cls(size_in=size_in, dpi=dpi, exact=size_px is not None)

    @property
    def rect(self) -> tuple[float, float, float, float]:
        """The map's axes in figure fractions (left, bottom, width, height)."""
        return (0.0, 0.0, 1.0, 1.0) if self.exact else (0.02, 0.07, 0.70, 0.84)


@dataclass(frozen=True)
class _Words:
    """The texts printed around a map: title, legend title and credits line."""

    title: str
    legend_title: str
    credits: str


def _check_extent(extent: tuple[float, float, float, float] | None, *,
                  lang: str | None) -> None:
    """Refuse a window with no width or no height."""
    if extent is not None and not (extent[2] > extent[0] and extent[3] > extent[1]):
        raise MapError(_("the window {extent} is empty; give min x, min y, max x, max y",
                         lang=lang, extent=str(extent)))


def _focus_row(data: MapData, grid_id: str | None, *, lang: str | None) -> pd.Series | None:
    """Return the row of the grid in focus (None for a district or window view)."""
    if grid_id is None:
        return None
    matches = data.grids.frame.index[data.grid_ids == str(grid_id)]
    if not len(matches):
        raise MapError(_("grid '{grid}' is not in the grids layer", lang=lang,
                         grid=str(grid_id)))
    return data.grids.frame.loc[matches[0]]


def _words(project: Project, focus_row: pd.Series | None, *, grid_id: str | None, title: str,
           color_by: str, source: str | None, date: dt.date | None,
           lang: str | None) -> _Words:
    """Return the title (default: the colouring, or the grid's code and name) and credits."""
    if not title:
        title = (scheme_title(color_by, lang=lang) if focus_row is None else
                 text("Grid {code}", lang, code=drawable(grid_id)) + "  "
                 + drawable(focus_row["name"] if pd.notna(focus_row["name"]) else ""))
    source_text, date_text = source_and_date(project, source, date)
    credits = credits_line(source_text, date_text, lang)
    legend_title = (scheme_title(color_by, lang=lang) if focus_row is None
                    else text("Legend", lang))
    return _Words(title=title, legend_title=legend_title, credits=credits)


def _window(ax: Axes, data: MapData, *, focus: str | None,
            extent: tuple[float, float, float, float] | None,
            layout: _Layout) -> tuple[tuple[float, float, float, float], bool]:
    """Return the map's box (fit to the axes) and whether it is drawn at street scale.

    A grid in focus is drawn with a margin around it, a window as given, the
    district with a thin margin; a window narrow enough for its pixels to be
    :data:`_DETAIL_M_PER_PX` or less is drawn in detail, as is a grid.
    """
    if focus is not None:
        box, pad = grid_bounds(data, focus), 0.15
    else:
        box, pad = (extent, 0.0) if extent is not None else (data.extent, 0.03)
    box = fit_box(box, axes_aspect(ax), pad=pad)
    width_px = layout.size_in[0] * layout.dpi * (layout.rect[2])
    detail = focus is not None or (
        extent is not None and (box[2] - box[0]) / width_px <= _DETAIL_M_PER_PX)
    return box, detail


def _add_furniture(ax: Axes, data: MapData, view: MapView, *, exact: bool,
                   lang: str | None) -> None:
    """Draw the grid labels, the scale bar and the north arrow on the map."""
    add_grid_labels(ax, data, box=view.box, fontsize=7 if exact else 6.5, skip=view.focus)
    add_scale_bar(ax, lang=lang, loc=(0.03, 0.03) if not exact else (0.6, 0.03),
                  scale=not exact)
    add_north_arrow(ax, lang=lang)


def _add_legend_and_texts(fig: Figure, ax: Axes, handles: list[Artist], words: _Words, *,
                          exact: bool) -> None:
    """Draw the legend, title and credits: inside the map if ``exact``, else beside it."""
    if exact:
        add_legend(ax, handles, title=words.legend_title, loc="lower left", fontsize=7,
                   ncol=2 if len(handles) > 8 else 1)
        ax.text(0.5, 0.98, drawable(words.title), transform=ax.transAxes, ha="center",
                va="top", fontsize=13, zorder=30,
                bbox={"facecolor": "white", "alpha": 0.85, "linewidth": 0})
        ax.text(0.99, 0.005, words.credits, transform=ax.transAxes, ha="right",
                va="bottom", fontsize=6.5, zorder=30,
                bbox={"facecolor": "white", "alpha": 0.8, "linewidth": 0})
    else:
        add_legend(ax, handles, title=words.legend_title, loc="upper left",
                   anchor=(1.02, 1.0), fontsize=7.5)
        fig.text(0.02, 0.94, drawable(words.title), fontsize=14, weight="bold")
        fig.text(0.02, 0.025, words.credits, fontsize=7, color="#555555")

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
