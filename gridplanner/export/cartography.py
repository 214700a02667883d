"""What every drawn map (PNG and PDF atlas) shares: the map's content and its furniture.

:func:`draw_map` is the one function that draws a map's axes: grids (coloured, or
greyed around a grid in focus), community outlines, walkable roads, camera views
by category, coverage gaps, households sized by how many they hold, staff bases
with a symbol per role and facilities. The PNG maps and every page of the atlas
call it, so a map reads the same wherever it is printed. The furniture is drawn by
:func:`add_scale_bar`, :func:`add_north_arrow`, :func:`add_legend` and
:func:`add_grid_labels`.

Layers are turned once into a :class:`MapData` (geometry arrays and spatial
indexes); each map then draws only what falls in its window, as one compound
path per style (a vector PDF stays small and a page draws in milliseconds).
Coordinates are the project's projected CRS, in metres, north up.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridplanner import palette
from gridplanner.i18n import pgettext
from gridplanner.project import Project
from gridplanner.text import range_labels

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.path import Path as MplPath

    from gridplanner.basemap import BasemapSpec
    from gridplanner.feedback import Feedback

#: Catalogue context of the texts drawn on maps and atlas pages.
CONTEXT = "atlas"
#: Roles drawn with their marker (part-time volunteers are many: a small dot).
ROLE_MARKERS: dict[str, tuple[str, float]] = {
    "grid_head": ("*", 150.0), "full_time": ("o", 60.0), "police": ("^", 70.0),
    "part_time": (".", 25.0),
}
#: Facility kinds with a marker of their own; other kinds use "other".
FACILITY_MARKER = ("P", 90.0)
#: Grey of the grids around the one in focus.
NEIGHBOUR_FILL = palette.PRINT_NEIGHBOUR_FILL
ROAD_COLOUR = palette.PRINT_ROAD
HOUSEHOLD_COLOUR = palette.PRINT_HOUSEHOLD
#: Words in context ``map`` of the catalogue for roles and facility kinds.
#: Legend and key-figure labels of the roles (catalogue texts, context ``atlas``).
ROLE_LABELS = {"grid_head": "Grid head", "full_time": "Full-time grid worker",
               "police": "Grid police officer", "part_time": "Part-time grid worker"}
_FACILITY_WORDS = {"party_centre": "party centre", "mediation_centre": "mediation centre",
                   "police_station": "police station"}


def text(msgid: str, lang: str | None, /, context: str = CONTEXT, **fields: Any) -> str:
    """Return a map text in ``lang`` from the catalogue (context ``atlas`` unless given)."""
    return pgettext(context, msgid, lang=lang, **fields)


@dataclass
class _Layer:
    """Geometries of one layer with their attributes and a spatial index."""

    frame: pd.DataFrame
    geoms: np.ndarray
    _tree: shapely.STRtree | None = None

    def within(self, box: tuple[float, float, float, float]) -> np.ndarray:
        """Positions of the geometries that touch ``box``."""
        if not len(self.geoms):
            return np.zeros(0, dtype=int)
        if self._tree is None:
            self._tree = shapely.STRtree(self.geoms)
        return np.sort(self._tree.query(shapely.box(*box)))


def _layer(frame: gpd.GeoDataFrame | None, columns: Sequence[str] = ()) -> _Layer:
    if frame is None or not len(frame) or "geometry" not in frame:
        return _Layer(pd.DataFrame({c: [] for c in columns}), np.empty(0, dtype=object))
    geoms = np.asarray(frame.geometry.values, dtype=object)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    data = pd.DataFrame({c: (frame[c].to_numpy() if c in frame.columns else
                             np.full(len(frame), None)) for c in columns},
                        index=pd.RangeIndex(len(frame)))
    return _Layer(data[keep].reset_index(drop=True), geoms[keep])


@dataclass
class MapData:
    """The layers a map draws, prepared once for many maps (atlas pages, PNGs).

    Build it with :func:`map_data`.
    """

    grids: _Layer
    communities: _Layer
    roads: _Layer
    footprints: _Layer
    gaps: _Layer
    households: _Layer
    uncovered: _Layer
    staff: _Layer
    facilities: _Layer
    extent: tuple[float, float, float, float]
    grid_ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    crs: Any = None


def map_data(project: Project, results: Mapping[str, gpd.GeoDataFrame] | None = None
             ) -> MapData:
    """Prepare the layers of ``project`` and the result layers a map draws.

    Parameters
    ----------
    project
        The project's layers (grids, service areas, roads, households, staff,
        facilities).
    results
        Result layers: ``camera_footprints``, ``coverage_gaps``,
        ``uncovered_households`` (those missing are not drawn).

    Returns
    -------
    MapData

    Examples
    --------
    >>> g = gpd.GeoDataFrame({"grid_id": ["a"]}, geometry=[shapely.box(0, 0, 9, 9)])
    >>> data = map_data(Project(layers={"grids": g}))
    >>> data.extent, data.grid_ids.tolist()
    ((0.0, 0.0, 9.0, 9.0), ['a'])
    """
    results = dict(results or {})
    grids = _layer(project.layer("grids"), ("grid_id", "name", "community_id"))
    grids.frame["grid_id"] = grids.frame["grid_id"].astype(str)
    areas = project.layer("service_areas")
    if len(areas) and "level" in areas.columns:
        areas = areas[areas["level"].astype(str) == "community"]
    roads = project.layer("roads")
    if len(roads) and "walkable" in roads.columns:
        roads = roads[roads["walkable"].fillna(True).astype(bool)]
    footprints = results.get("camera_footprints")
    if footprints is not None and len(footprints) and "counted" in footprints.columns:
        footprints = footprints[footprints["counted"].fillna(True).astype(bool)]
    households = _layer(project.layer("households"), ("households",))
    households.frame["households"] = pd.to_numeric(
        households.frame["households"], errors="coerce").fillna(1).clip(lower=1)
    extent_geoms = grids.geoms if len(grids.geoms) else households.geoms
    bounds = shapely.total_bounds(extent_geoms) if len(extent_geoms) else np.array(
        [0.0, 0.0, 1.0, 1.0])
    views = _layer(footprints, ("category",))
    # One colour per category value, looked up once per distinct value.
    categories = views.frame["category"]
    lookup = {c: palette.camera_colour(c) for c in pd.unique(categories)}
    views.frame["colour"] = categories.map(lookup).fillna(palette.CAMERA_UNKNOWN) if len(
        categories) else pd.Series([], dtype=object)
    return MapData(
        grids=grids, communities=_layer(areas, ("area_id", "name")),
        roads=_layer(roads), footprints=views,
        gaps=_layer(results.get("coverage_gaps")), households=households,
        uncovered=_layer(results.get("uncovered_households"), ("households",)),
        staff=_layer(project.layer("staff"), ("staff_id", "role", "grid_id", "name")),
        facilities=_layer(project.layer("facilities"), ("kind", "name")),
        extent=(float(bounds[0]), float(bounds[1]), float(bounds[2]), float(bounds[3])),
        grid_ids=grids.frame["grid_id"].to_numpy(dtype=object), crs=project.crs)


# ------------------------------------------------------------------ paths


def polygon_path(geoms: np.ndarray) -> MplPath | None:
    """One compound path of every polygon in ``geoms`` (holes kept), or None if empty.

    Exteriors run counter-clockwise and holes clockwise, so the non-zero fill rule
    fills overlapping polygons once and leaves holes open.

    Examples
    --------
    >>> p = polygon_path(np.array([shapely.box(0, 0, 1, 1), shapely.box(2, 0, 3, 1)]))
    >>> len(p.vertices), int((p.codes == 1).sum())
    (10, 2)
    """
    from matplotlib.path import Path

    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    parts = parts[(shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)]
    if not len(parts):
        return None
    rings = shapely.get_rings(shapely.orient_polygons(parts))
    coords, index = shapely.get_coordinates(rings, return_index=True)
    return Path(coords, _codes(index, Path, closed=True))


def line_path(geoms: np.ndarray) -> MplPath | None:
    """One compound path of every line in ``geoms`` (polygons give their outlines)."""
    from matplotlib.path import Path

    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    polygons = shapely.get_type_id(parts) == 3
    if polygons.any():
        parts = np.concatenate([parts[~polygons], shapely.get_rings(parts[polygons])])
    parts = parts[~shapely.is_empty(parts)]
    if not len(parts):
        return None
    coords, index = shapely.get_coordinates(parts, return_index=True)
    return Path(coords, _codes(index, Path, closed=False))


def _codes(index: np.ndarray, path_type: Any, *, closed: bool) -> np.ndarray:
    codes = np.full(len(index), path_type.LINETO, dtype=np.uint8)
    if not len(index):
        return codes
    starts = np.r_[0, np.flatnonzero(np.diff(index)) + 1]
    codes[starts] = path_type.MOVETO
    if closed:
        codes[np.r_[starts[1:] - 1, len(index) - 1]] = path_type.CLOSEPOLY
    return codes


def _on_page(ax: Axes, geoms: np.ndarray) -> np.ndarray:
    """Cut geometries to the axes' window (and a margin) and drop detail below print size.

    A grid page shows a few hundred metres: camera views and roads reaching far
    outside it, and vertices closer than a third of a point, would only make the
    file bigger and slower to write.
    """
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    margin = 0.02 * max(x1 - x0, y1 - y0)
    geoms = np.asarray(geoms, dtype=object)
    tolerance = (x1 - x0) / (_axes_size_in(ax)[0] * 72 * 3)
    try:
        clipped = shapely.clip_by_rect(geoms, x0 - margin, y0 - margin, x1 + margin,
                                       y1 + margin)
        return np.asarray(shapely.simplify(clipped, tolerance, preserve_topology=False),
                          dtype=object)
    except shapely.errors.GEOSException:  # a broken shape among them: draw them as they are
        return geoms


def _fill(ax: Axes, geoms: np.ndarray, *, color: str, alpha: float = 1.0,
          edgecolor: str = "none", linewidth: float = 0.0, zorder: float = 1.0,
          hatch: str | None = None) -> None:
    from matplotlib.patches import PathPatch

    path = polygon_path(_on_page(ax, geoms))
    if path is not None:
        # add_artist, not add_patch: the limits are set, and add_patch would walk
        # every vertex to update them.
        ax.add_artist(PathPatch(path, facecolor=color, edgecolor=edgecolor, alpha=alpha,
                                linewidth=linewidth, zorder=zorder, hatch=hatch))


def _lines(ax: Axes, geoms: np.ndarray, *, color: str, linewidth: float,
           zorder: float = 2.0, alpha: float = 1.0) -> None:
    from matplotlib.patches import PathPatch

    path = line_path(_on_page(ax, geoms))
    if path is not None:
        ax.add_artist(PathPatch(path, facecolor="none", edgecolor=color, linewidth=linewidth,
                                zorder=zorder, alpha=alpha, capstyle="round"))


def _xy(geoms: np.ndarray) -> np.ndarray:
    return shapely.get_coordinates(shapely.centroid(geoms)) if len(geoms) else np.zeros((0, 2))


# ------------------------------------------------------------------ the map


@dataclass(frozen=True)
class MapView:
    """What one map shows.

    Parameters
    ----------
    box
        Window in the project's CRS (min x, min y, max x, max y); fitted to the
        axes' shape by :func:`fit_box`.
    colours
        Fill colour per grid (same order as :attr:`MapData.grid_ids`); None greys
        every grid except the one in focus.
    focus
        Grid id drawn as the subject (thick outline, its neighbours greyed).
    detail
        Draw households, camera views, gaps and roads (a street-scale map).
    grid_alpha
        Opacity of the grid fills.
    """

    box: tuple[float, float, float, float]
    colours: Sequence[str] | None = None
    focus: str | None = None
    detail: bool = False
    grid_alpha: float = 0.75


def fit_box(box: tuple[float, float, float, float], aspect: float, *,
            pad: float = 0.0) -> tuple[float, float, float, float]:
    """Grow ``box`` (by ``pad`` of its size, then to width/height ``aspect``) around its centre.

    Examples
    --------
    >>> fit_box((0, 0, 10, 10), 2.0)
    (-5.0, 0.0, 15.0, 10.0)
    """
    minx, miny, maxx, maxy = (float(v) for v in box)
    w, h = max(maxx - minx, 1e-9), max(maxy - miny, 1e-9)
    w, h = w * (1 + 2 * pad), h * (1 + 2 * pad)
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def axes_aspect(ax: Axes) -> float:
    """Width over height of ``ax`` on the page."""
    width, height = _axes_size_in(ax)
    return width / max(height, 1e-9)


def _axes_size_in(ax: Axes) -> tuple[float, float]:
    """Width and height of ``ax`` on the page, in inches."""
    pos = ax.get_position()
    fw, fh = ax.get_figure(root=True).get_size_inches()  # type: ignore[union-attr]
    return float(pos.width * fw), float(pos.height * fh)


def draw_map(ax: Axes, data: MapData, view: MapView, *, lang: str | None = None,
             basemap: BasemapSpec | None = None, feedback: Feedback | None = None
             ) -> list[Artist]:
    """Draw the map of ``view`` on ``ax``; return the legend entries of what was drawn.

    The one place a map's axes are drawn (PNG maps and atlas pages), the basemap
    (when asked for) under everything else.

    Parameters
    ----------
    ax
        Matplotlib axes; its limits become ``view.box`` (equal scale, no axis lines).
    data
        Prepared layers (:func:`map_data`).
    view
        Window, colours, focus and level of detail.
    lang
        Language of the legend labels (default: the current language).
    basemap
        Tiles drawn under the map (:func:`gridplanner.basemap.parse_basemap`).
    feedback
        Progress and cancellation of the basemap's tiles.

    Returns
    -------
    list
        Legend handles (patches and markers with their labels), see
        :func:`legend_entries`.
    """
    box = view.box
    drawn: list[str] = []
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    if basemap is not None:
        from gridplanner.basemap import draw_basemap

        draw_basemap(ax, crs=data.crs, spec=basemap, feedback=feedback)
    grids = data.grids
    shown = grids.within(box)
    # Over a basemap the fills let it show through.
    see_through = 0.45 if basemap is not None else 1.0
    if view.focus is not None or view.colours is None:
        _fill(ax, grids.geoms[shown], color=NEIGHBOUR_FILL, alpha=see_through, zorder=1)
    else:
        colours = np.asarray(view.colours, dtype=object)[shown]
        for colour in dict.fromkeys(colours.tolist()):
            _fill(ax, grids.geoms[shown][colours == colour], color=str(colour),
                  alpha=view.grid_alpha * see_through, zorder=1)
    focus_geoms = grids.geoms[:0]
    if view.focus is not None:
        focus_geoms = grids.geoms[grids.frame["grid_id"].to_numpy() == view.focus]
        _fill(ax, focus_geoms, color="#ffffff", alpha=0.5 * see_through, zorder=1.5)
    if view.detail:
        roads = data.roads.within(box)
        if len(roads):
            _lines(ax, data.roads.geoms[roads], color=ROAD_COLOUR, linewidth=0.5, zorder=2)
            drawn.append("roads")
        fp = data.footprints.within(box)
        if len(fp):
            colour_of = data.footprints.frame["colour"].to_numpy(dtype=object)[fp]
            for cat in (3, 2, 1):  # category 1 on top
                chosen = colour_of == palette.camera_colour(cat)
                if chosen.any():
                    _fill(ax, data.footprints.geoms[fp][chosen],
                          color=palette.camera_colour(cat), alpha=0.28, zorder=3)
                    drawn.append(f"category:{cat}")
        gaps = data.gaps.within(box)
        if len(gaps):
            _fill(ax, data.gaps.geoms[gaps], color=palette.COVERAGE_GAP, alpha=0.22,
                  zorder=3.5)
            _lines(ax, data.gaps.geoms[gaps], color=palette.COVERAGE_GAP, linewidth=0.5,
                   zorder=3.6)
            drawn.append("gaps")
    _lines(ax, grids.geoms[shown], color=palette.GRID_OUTLINE, linewidth=0.5, zorder=4)
    communities = data.communities.within(box)
    if len(communities):
        _lines(ax, data.communities.geoms[communities], color=palette.COMMUNITY_OUTLINE,
               linewidth=1.4, zorder=4.2)
        drawn.append("communities")
    if len(focus_geoms):
        _lines(ax, focus_geoms, color="#000000", linewidth=2.2, zorder=4.5)
        drawn.append("focus")
    if view.detail:
        drawn += _points(ax, data, box)
    drawn += _staff(ax, data, box, detail=view.detail)
    return legend_entries(drawn, lang=lang)


def present(data: MapData, *, detail: bool = True, focus: bool = True) -> list[str]:
    """Legend keys of every layer ``data`` holds (a legend shared by many maps)."""
    keys: list[str] = []
    if detail and len(data.roads.geoms):
        keys.append("roads")
    if detail and len(data.footprints.geoms):
        colours = set(data.footprints.frame["colour"])
        keys += [f"category:{c}" for c in (3, 2, 1) if palette.camera_colour(c) in colours]
    if detail and len(data.gaps.geoms):
        keys.append("gaps")
    if len(data.communities.geoms):
        keys.append("communities")
    if focus:
        keys.append("focus")
    if detail and len(data.households.geoms):
        keys.append("households")
    if detail and len(data.uncovered.geoms):
        keys.append("uncovered")
    if detail:
        keys += [f"facility:{k}" for k in dict.fromkeys(
            data.facilities.frame["kind"].astype(str).tolist())]
    roles = set(data.staff.frame["role"].astype(str))
    keys += [f"role:{r}" for r in ROLE_MARKERS if r in roles and (detail or r != "part_time")]
    return keys


def legend_entries(keys: Sequence[str], *, lang: str | None = None) -> list[Artist]:
    """Legend handles for the drawn layers named by ``keys`` (see :func:`present`)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    out: list[Artist] = []
    for key in dict.fromkeys(keys):
        kind, _, value = key.partition(":")
        if kind == "roads":
            out.append(Line2D([], [], color=ROAD_COLOUR, linewidth=1.0,
                              label=text("Walkable roads", lang)))
        elif kind == "category":
            labels = {"1": pgettext("map", "Category 1 footprints", lang=lang),
                      "2": pgettext("map", "Category 2 footprints", lang=lang),
                      "3": pgettext("map", "Category 3 footprints", lang=lang)}
            out.append(Patch(color=palette.camera_colour(value), alpha=0.5,
                             label=labels[value]))
        elif kind == "gaps":
            out.append(Patch(facecolor=palette.COVERAGE_GAP, alpha=0.35,
                             edgecolor=palette.COVERAGE_GAP,
                             label=pgettext("map", "Coverage gaps", lang=lang)))
        elif kind == "communities":
            out.append(Line2D([], [], color=palette.COMMUNITY_OUTLINE, linewidth=1.4,
                              label=pgettext("map", "Communities", lang=lang)))
        elif kind == "focus":
            out.append(Line2D([], [], color="#000000", linewidth=2.2,
                              label=text("This grid", lang)))
        elif kind == "households":
            out.append(Line2D([], [], linestyle="none", marker="o", markersize=4,
                              color=HOUSEHOLD_COLOUR,
                              label=text("Households (size: households)", lang)))
        elif kind == "uncovered":
            out.append(Line2D([], [], linestyle="none", marker="o", markersize=5,
                              markerfacecolor="none", color=palette.UNCOVERED,
                              label=pgettext("map", "Uncovered households", lang=lang)))
        elif kind == "facility":
            marker, _size = FACILITY_MARKER
            out.append(Line2D([], [], linestyle="none", marker=marker, markersize=8,
                              markerfacecolor=palette.facility_colour(value),
                              markeredgecolor="#000000", label=pgettext(
                                  "map", _FACILITY_WORDS.get(value, "other"), lang=lang)))
        elif kind == "role":
            marker, _size = ROLE_MARKERS[value]
            out.append(Line2D([], [], linestyle="none", marker=marker, markersize=9,
                              markerfacecolor=palette.role_colour(value),
                              markeredgecolor="#ffffff",
                              label=text(ROLE_LABELS[value], lang)))
    return out


def _points(ax: Axes, data: MapData, box: tuple[float, float, float, float]) -> list[str]:
    drawn: list[str] = []
    hh = data.households.within(box)
    if len(hh):
        weight = data.households.frame["households"].to_numpy(dtype=float)[hh]
        _sized(ax, _xy(data.households.geoms[hh]), weight, markerfacecolor=HOUSEHOLD_COLOUR,
               markeredgewidth=0, alpha=0.7, zorder=5)
        drawn.append("households")
    un = data.uncovered.within(box)
    if len(un):
        weight = data.uncovered.frame["households"].to_numpy(dtype=float)[un]
        _sized(ax, _xy(data.uncovered.geoms[un]), weight, markerfacecolor="none",
               markeredgecolor=palette.UNCOVERED, markeredgewidth=0.8, zorder=5.5)
        drawn.append("uncovered")
    fac = data.facilities.within(box)
    if len(fac):
        xy = _xy(data.facilities.geoms[fac])
        kinds = data.facilities.frame["kind"].astype(str).to_numpy()[fac]
        marker, size = FACILITY_MARKER
        for kind in dict.fromkeys(kinds.tolist()):
            chosen = kinds == kind
            _markers(ax, xy[chosen], marker=marker, area=size,
                     colour=palette.facility_colour(kind), edge="#000000", zorder=6)
            drawn.append(f"facility:{kind}")
    return drawn


def _markers(ax: Axes, xy: np.ndarray, *, marker: str, area: float, colour: str, edge: str,
             zorder: float) -> None:
    """Same-sized symbols as one line of markers (cheaper to make and to write than scatter)."""
    ax.plot(xy[:, 0], xy[:, 1], linestyle="none", marker=marker, markersize=math.sqrt(area),
            markerfacecolor=colour, markeredgecolor=edge, markeredgewidth=0.6, zorder=zorder)


def _sized(ax: Axes, xy: np.ndarray, households: np.ndarray, **style: Any) -> None:
    """Household points in a few size classes (half-point steps of the symbol's width)."""
    width = np.round(np.sqrt(household_size(households)) * 2) / 2
    for w in np.unique(width):
        chosen = width == w
        ax.plot(xy[chosen, 0], xy[chosen, 1], linestyle="none", marker="o",
                markersize=float(w), **style)


def _staff(ax: Axes, data: MapData, box: tuple[float, float, float, float], *,
           detail: bool) -> list[str]:
    staff = data.staff.within(box)
    if not len(staff):
        return []
    drawn: list[str] = []
    xy = _xy(data.staff.geoms[staff])
    roles = data.staff.frame["role"].astype(str).to_numpy()[staff]
    for role, (marker, size) in ROLE_MARKERS.items():
        chosen = roles == role
        if not chosen.any() or (role == "part_time" and not detail):
            continue
        _markers(ax, xy[chosen], marker=marker, area=size if detail else size / 3,
                 colour=palette.role_colour(role), edge="#ffffff", zorder=7)
        drawn.append(f"role:{role}")
    return drawn


def household_size(households: np.ndarray) -> np.ndarray:
    """Marker area (points²) of household points: grows with the square root of households.

    Examples
    --------
    >>> household_size(np.array([1, 4, 100])).round(1).tolist()
    [3.0, 6.0, 30.0]
    """
    return 3.0 * np.sqrt(np.clip(np.asarray(households, dtype=float), 1, None))


# ------------------------------------------------------------------ furniture


def nice_length(width_m: float) -> float:
    """Longest 1, 2 or 5 × 10ⁿ metres not beyond a quarter of ``width_m``.

    Examples
    --------
    >>> nice_length(4000), nice_length(900), nice_length(30)
    (1000.0, 200.0, 5.0)
    """
    target = max(width_m / 4, 1e-9)
    exp = 10 ** math.floor(math.log10(target))
    return float(max(m * exp for m in (1, 2, 5) if m * exp <= target))


def _metres(value: float, lang: str | None) -> str:
    if value >= 1000:
        return text("{n} km", lang, n=f"{value / 1000:g}")
    return text("{n} m", lang, n=f"{value:g}")


def add_scale_bar(ax: Axes, *, lang: str | None = None, loc: tuple[float, float] = (0.03, 0.03),
                  scale: bool = True) -> list[Artist]:
    """Draw a two-part scale bar (and the scale 1:N of the printed page) on ``ax``.

    The axes' x limits are in metres (the projected CRS). Returns the artists.
    """
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    width_m = float(x1 - x0)
    length = nice_length(width_m)
    frac = length / width_m
    height = 0.012
    artists: list[Artist] = []
    bx, by = loc
    artists.append(ax.add_patch(Rectangle((bx - 0.01, by - 0.015), frac + 0.05, 0.075,
                                          transform=ax.transAxes, facecolor="white",
                                          edgecolor="none", alpha=0.8, zorder=20)))
    for i, colour in enumerate(("#000000", "#ffffff")):
        artists.append(ax.add_patch(Rectangle(
            (bx + i * frac / 2, by), frac / 2, height, transform=ax.transAxes,
            facecolor=colour, edgecolor="#000000", linewidth=0.6, zorder=21)))
    for pos, value in ((0.0, 0.0), (0.5, length / 2), (1.0, length)):
        label = _metres(value, lang) if pos == 1.0 else f"{value:g}"
        artists.append(ax.text(bx + pos * frac, by + height + 0.005, label,
                               transform=ax.transAxes, ha="center", va="bottom",
                               fontsize=7, zorder=22))
    if scale:
        width_in = _axes_size_in(ax)[0]
        denominator = width_m / (width_in * 0.0254) if width_in > 0 else 0
        if denominator > 0:
            rounded = float(f"{denominator:.2g}")
            artists.append(ax.text(bx + frac + 0.01, by, f"1:{rounded:,.0f}",
                                   transform=ax.transAxes, ha="left", va="bottom",
                                   fontsize=7, zorder=22))
    return artists


def add_north_arrow(ax: Axes, *, lang: str | None = None,
                    loc: tuple[float, float] = (0.955, 0.86)) -> list[Artist]:
    """Draw a north arrow (grid north, up) near the top right corner of ``ax``."""
    from matplotlib.patches import Polygon

    x, y = loc
    aspect = axes_aspect(ax)
    w = 0.018
    h = 0.07 * min(aspect, 2.0) / max(aspect, 0.5)
    left = Polygon([(x, y + h), (x - w, y), (x, y + h * 0.25)], closed=True,
                   transform=ax.transAxes, facecolor="#000000", edgecolor="#000000",
                   linewidth=0.8, zorder=21)
    right = Polygon([(x, y + h), (x + w, y), (x, y + h * 0.25)], closed=True,
                    transform=ax.transAxes, facecolor="#ffffff", edgecolor="#000000",
                    linewidth=0.8, zorder=21)
    label = ax.text(x, y + h + 0.01, text("N", lang), transform=ax.transAxes, ha="center",
                    va="bottom", fontsize=10, weight="bold", zorder=21)
    return [ax.add_patch(left), ax.add_patch(right), label]


def add_legend(ax: Axes, handles: Sequence[Artist], *, title: str = "", loc: str = "upper left",
               anchor: tuple[float, float] | None = None, fontsize: float = 7.5,
               ncol: int = 1) -> Any:
    """Draw a legend of ``handles`` (duplicate labels dropped) on ``ax``."""
    unique: dict[str, Artist] = {}
    for h in handles:
        label = str(h.get_label())
        if label and not label.startswith("_"):
            unique.setdefault(label, h)
    if not unique:
        return None
    kwargs: dict[str, Any] = {"loc": loc, "fontsize": fontsize, "framealpha": 0.92,
                              "title": title or None, "title_fontsize": fontsize + 1,
                              "ncol": ncol, "borderaxespad": 0.3, "handlelength": 1.6}
    if anchor is not None:
        kwargs["bbox_to_anchor"] = anchor
    legend = ax.legend(handles=list(unique.values()), labels=list(unique), **kwargs)
    legend._legend_box.align = "left"  # type: ignore[attr-defined]  # titles flush left
    legend.set_zorder(30)
    return legend


def draw_key(ax: Axes, handles: Sequence[Artist], *, title: str = "", ncol: int = 2,
             fontsize: float = 7.0, row_pt: float = 13.0) -> None:
    """Draw a legend of ``handles`` into the empty axes ``ax``, laid out by hand.

    The same entries as :func:`add_legend`, without matplotlib's Legend: its
    layout measures every text again at each save, the larger part of the time of
    an atlas page whose legend never changes.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    width_in, height_in = _axes_size_in(ax)
    step = row_pt / 72 / max(height_in, 1e-9)
    swatch_w, swatch_h = 14 / 72 / max(width_in, 1e-9), 0.55 * step
    entries = {str(h.get_label()): h for h in handles
               if str(h.get_label()) and not str(h.get_label()).startswith("_")}
    rows = math.ceil(len(entries) / max(ncol, 1))
    top = 1.0
    if title:
        ax.text(0.0, top, title, fontsize=fontsize + 1, weight="bold", va="top")
        top -= step * 1.3
    ax.add_artist(Rectangle((-0.02, top - rows * step - 0.02), 1.04,
                            1.04 - top + rows * step + 0.02, facecolor="white",
                            edgecolor="#999999", linewidth=0.5, zorder=-1, clip_on=False))
    for i, (label, h) in enumerate(entries.items()):
        col, row = divmod(i, rows)
        x = col / max(ncol, 1)
        y = top - (row + 0.5) * step
        if isinstance(h, Patch):
            ax.add_artist(Rectangle((x, y - swatch_h / 2), swatch_w, swatch_h,
                                    facecolor=h.get_facecolor(), edgecolor=h.get_edgecolor(),
                                    linewidth=0.5))
        elif isinstance(h, Line2D):
            if h.get_marker() not in (None, "None", "", " ", "none"):
                ax.plot([x + swatch_w / 2], [y], linestyle="none", marker=h.get_marker(),
                        markersize=h.get_markersize() * 0.8,
                        markerfacecolor=h.get_markerfacecolor(),
                        markeredgecolor=h.get_markeredgecolor(), markeredgewidth=0.6)
            else:
                ax.plot([x, x + swatch_w], [y, y], color=h.get_color(),
                        linewidth=h.get_linewidth())
        ax.text(x + swatch_w * 1.4, y, label, fontsize=fontsize, va="center")


def scheme_handles(color_by: str, *, lang: str | None = None) -> list[Artist]:
    """Legend entries of a grid colouring (:data:`gridplanner.export.webmap.COLOR_BY`)."""
    from matplotlib.patches import Patch

    from gridplanner.export.webmap import COLOR_BY

    scheme = COLOR_BY[color_by]
    words = {"below": "below band", "in band": "in band", "above": "above band", "": "no data"}
    if scheme.categories:
        out: list[Artist] = []
        for value, label, colour in scheme.categories:
            shown = pgettext("map", words[value], lang=lang) if value in words and (
                color_by == "band_status") else label
            out.append(Patch(color=colour, label=shown))
        return out
    unit = {"%": "%", "m": text("m", lang)}.get(scheme.unit, scheme.unit)
    out = [Patch(color=colour, label=label) for colour, label in
           zip(scheme.colors, range_labels(scheme.edges(), unit), strict=True)]
    out.append(Patch(color=palette.NO_DATA, label=pgettext("map", "no data", lang=lang)))
    return out


def scheme_title(color_by: str, *, lang: str | None = None) -> str:
    """Title of a grid colouring in ``lang``."""
    from gridplanner.export.webmap import COLOR_BY

    return pgettext("map", COLOR_BY[color_by].title_en, lang=lang)


def grid_colours(data: MapData, grid_table: pd.DataFrame | None, color_by: str) -> list[str]:
    """Fill colour of every grid of ``data`` coloured by ``color_by`` from ``grid_table``."""
    from gridplanner.export.webmap import COLOR_BY, _classify

    scheme = COLOR_BY[color_by]
    ids = data.grid_ids
    if grid_table is not None and len(grid_table) and scheme.column in grid_table.columns:
        table = grid_table.assign(grid_id=grid_table["grid_id"].astype(str)).drop_duplicates(
            "grid_id").set_index("grid_id")
        column = table[scheme.column].reindex(ids).reset_index(drop=True)
    else:
        column = pd.Series([np.nan] * len(ids))
    return list(_classify(column, scheme)) if len(ids) else []


def add_grid_labels(ax: Axes, data: MapData, *, box: tuple[float, float, float, float],
                    column: str = "grid_id", fontsize: float = 6.5,
                    skip: str | None = None) -> list[Artist]:
    """Label the grids in ``box`` whose label fits inside their width on the page."""
    shown = data.grids.within(box)
    if not len(shown):
        return []
    # The scale the map is drawn at once its equal aspect has shrunk the axes to
    # the data's shape; the box the caller asked for can be wider than what shows.
    ax.apply_aspect()
    x0, x1 = ax.get_xlim()
    pt_per_m = _axes_size_in(ax)[0] * 72 / max(abs(x1 - x0), 1e-9)
    geoms = data.grids.geoms[shown]
    frame = data.grids.frame.iloc[shown]
    labels = frame[column].astype(str).to_numpy()
    ids = frame["grid_id"].astype(str).to_numpy()
    bounds = shapely.bounds(geoms)
    # Room: most of the grid's width (grids lean, so their box is wider than the
    # row the label sits on), less the label's white backing (pad 0.6 em a side).
    room_pt = (bounds[:, 2] - bounds[:, 0]) * pt_per_m * 0.8 - 1.2 * fontsize
    room_h = (bounds[:, 3] - bounds[:, 1]) * pt_per_m
    if column == "grid_id":
        # Where the full code does not fit, the grid's number within its community
        # (the code after the community's) may.
        community = frame["community_id"].fillna("").astype(str).to_numpy()
        short = np.array([g[len(c):] if c and g.startswith(c) and len(g) > len(c) else g
                          for g, c in zip(labels, community, strict=True)], dtype=object)
        labels = np.where(_width_pt(labels, fontsize) <= room_pt, labels, short)
    fits = (_width_pt(labels, fontsize) <= room_pt) & (room_h >= fontsize * 1.6)
    if skip is not None:
        fits &= ids != skip
    xy = shapely.get_coordinates(shapely.point_on_surface(geoms[fits]))
    out: list[Artist] = []
    # A light box rather than a stroked halo: a stroked text is drawn as outlines,
    # which a PDF reader cannot search and which lose the fallback font.
    backing = {"facecolor": "white", "alpha": 0.65, "linewidth": 0, "pad": 0.6}
    for (x, y), label in zip(xy, labels[fits], strict=True):
        if box[0] <= x <= box[2] and box[1] <= y <= box[3]:
            # Under the staff symbols (zorder 7), which must stay visible.
            out.append(ax.text(x, y, drawable(label), ha="center", va="center",
                               fontsize=fontsize, color="#333333", zorder=6.8, bbox=backing,
                               clip_on=True))
    return out


def _width_pt(labels: np.ndarray, fontsize: float) -> np.ndarray:
    """Rough printed width of labels: wide (CJK) characters a full em, others 0.6 em."""
    return np.array([sum(1.0 if ord(ch) > 0x2E80 else 0.6 for ch in str(s)) * fontsize
                     for s in labels], dtype=float)


def source_and_date(project: Project, source: str | None,
                    date: dt.date | None) -> tuple[str, str]:
    """Return the data source and ISO date a map prints (defaults: the file name, today).

    Examples
    --------
    >>> source_and_date(Project(), None, dt.date(2024, 5, 1))
    ('GridPlanner', '2024-05-01')
    """
    return (source or (project.path.name if project.path else "GridPlanner"),
            (date or dt.date.today()).isoformat())


def credits_line(source: str, date: str, lang: str | None) -> str:
    """Return the line a map prints at its foot: the data source and the date.

    Examples
    --------
    >>> credits_line("a.gpkg", "2024-05-01", "en")
    'Data source: a.gpkg · Date: 2024-05-01'
    """
    return text("Data source: {source} · Date: {date}", lang, source=drawable(source),
                date=date)


def grid_bounds(data: MapData, grid_id: str) -> tuple[float, float, float, float]:
    """Return the bounds (min x, min y, max x, max y) of the grid ``grid_id`` of ``data``.

    Examples
    --------
    >>> g = gpd.GeoDataFrame({"grid_id": ["a", "b"]},
    ...                      geometry=[shapely.box(0, 0, 9, 9), shapely.box(9, 0, 20, 5)])
    >>> grid_bounds(map_data(Project(layers={"grids": g})), "b")
    (9.0, 0.0, 20.0, 5.0)
    """
    minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(
        data.grids.geoms[data.grid_ids == grid_id]))
    return minx, miny, maxx, maxy


def drawable(value: object) -> str:
    """Return ``value`` as text without line breaks and control characters."""
    import re

    return re.sub("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]", " ", str(value))


def font_rc(*, vector: bool = False) -> dict[Any, Any]:
    """Matplotlib settings for drawing Chinese text (and, for PDF, embedding it).

    A CJK font with TrueType outlines is embedded as Type 42 (real, searchable
    text); one with CFF outlines (Noto Sans CJK) as Type 3 with its Unicode map,
    since matplotlib would declare CFF data as TrueType and some readers refuse it.
    """
    from gridplanner.export.fonts import cjk_families

    rc: dict[Any, Any] = {"font.sans-serif": cjk_families(), "font.family": "sans-serif",
                          "axes.unicode_minus": False, "text.parse_math": False,
                          "text.usetex": False}
    if vector:
        rc["pdf.fonttype"] = 42 if _truetype_cjk() else 3
        rc["pdf.compression"] = 1  # fast; level 6 takes a tenth of the time for 3 % less
    return rc


def _truetype_cjk() -> bool:
    """Tell whether the CJK font matplotlib will use has TrueType (glyf) outlines."""
    from matplotlib import font_manager

    from gridplanner.export.fonts import cjk_families

    families = cjk_families()
    if len(families) < 2:
        return True  # no CJK font: DejaVu Sans is TrueType
    try:
        path = font_manager.findfont(font_manager.FontProperties(family=families[0]),
                                     fallback_to_default=False)
        from fontTools.ttLib import TTFont

        font = TTFont(path, fontNumber=0, lazy=True)
        return "glyf" in font
    except Exception:  # unreadable font: the safe choice
        return False
