"""Geometry helpers shared by grid checks, edit commands and balancing.

Everything here is vectorised over grids and household points (shapely 2 array
functions, STRtree, numpy); nothing loops over households in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from gridplanner.locate import first_grid, household_weights
from gridplanner.project import Project

#: Household points closer than this to a grid boundary count as on it (m).
BOUNDARY_EPS_M = 1e-6


def polygonal(geom: shapely.Geometry | None) -> shapely.Geometry:
    """Return the polygonal part of ``geom`` (collections from overlays hold lines)."""
    if geom is None or shapely.is_empty(geom):
        return shapely.Polygon()
    tid = shapely.get_type_id(geom)
    if tid in (3, 6):
        return geom
    parts = shapely.get_parts(geom)
    polys = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
    if not len(polys):
        return shapely.Polygon()
    return shapely.union_all(polys)


def part_count(geoms: np.ndarray) -> np.ndarray:
    """Count the non-empty polygon parts of each geometry (0 for empty or missing)."""
    geoms = np.asarray(geoms, dtype=object)
    n = np.asarray(shapely.get_num_geometries(geoms), dtype=np.int64)
    n[shapely.is_missing(geoms) | shapely.is_empty(geoms)] = 0
    return n


def polsby_popper(geoms: np.ndarray) -> np.ndarray:
    """Polsby–Popper compactness 4πA/P² (1 for a circle, 0.785 for a square).

    Examples
    --------
    >>> float(polsby_popper(np.array([shapely.box(0, 0, 1, 1)]))[0]).__round__(3)
    0.785
    """
    geoms = np.asarray(geoms, dtype=object)
    area = shapely.area(geoms)
    perim = shapely.length(geoms)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(perim > 0, 4 * np.pi * area / perim**2, 0.0)
    return np.nan_to_num(out)


def reock(geoms: np.ndarray) -> np.ndarray:
    """Reock compactness: area over the area of the smallest enclosing circle.

    Examples
    --------
    >>> float(reock(np.array([shapely.box(0, 0, 1, 1)]))[0]).__round__(3)
    0.637
    """
    geoms = np.asarray(geoms, dtype=object)
    area = shapely.area(geoms)
    radius = shapely.minimum_bounding_radius(geoms)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(radius > 0, area / (np.pi * radius**2), 0.0)
    return np.nan_to_num(out)


@dataclass(frozen=True)
class PointMembership:
    """Which grid each household point lies in.

    Attributes
    ----------
    grid_index
        Per point, the position of its grid in the grid array, or -1 when none.
        A point on a shared boundary goes to the lowest position
        (:func:`gridplanner.locate.first_grid`, the rule of every analysis).
    n_inside
        Per point, how many grid interiors contain it (2+ means overlapping grids).
    """

    grid_index: np.ndarray
    n_inside: np.ndarray


def point_membership(grid_geoms: np.ndarray, points: np.ndarray) -> PointMembership:
    """Locate points in grids with one STRtree query (no loop over points).

    Examples
    --------
    >>> g = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> m = point_membership(g, shapely.points([[0.5, 0.5], [1, 0.5], [5, 5]]))
    >>> m.grid_index.tolist(), m.n_inside.tolist()
    ([0, 0, -1], [1, 0, 0])
    """
    grid_geoms = np.asarray(grid_geoms, dtype=object)
    points = np.asarray(points, dtype=object)
    n = len(points)
    index = np.full(n, -1, dtype=np.int64)
    n_inside = np.zeros(n, dtype=np.int64)
    ok = ~(shapely.is_missing(points) | shapely.is_empty(points))
    if not n or not len(grid_geoms) or not ok.any():
        return PointMembership(index, n_inside)
    usable = ~(shapely.is_missing(grid_geoms) | shapely.is_empty(grid_geoms))
    geoms = grid_geoms.copy()
    geoms[~usable] = None
    tree = shapely.STRtree(points)
    gi, pi = tree.query(geoms, predicate="intersects")
    if len(pi):
        inside = shapely.contains_properly(geoms[gi], points[pi])
        n_inside = np.bincount(pi[inside], minlength=n).astype(np.int64)
        first_grid(n, pi, gi, out=index)
    return PointMembership(index, n_inside)


def count_households(grid_geoms: np.ndarray, households: gpd.GeoDataFrame) -> np.ndarray:
    """Households per grid: the summed ``households`` of the points inside each one.

    Examples
    --------
    >>> g = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> hh = gpd.GeoDataFrame({"households": [3, 4]},
    ...                       geometry=shapely.points([[0.5, 0.5], [1.5, 0.5]]))
    >>> count_households(g, hh).tolist()
    [3, 4]
    """
    grid_geoms = np.asarray(grid_geoms, dtype=object)
    if not len(households) or not len(grid_geoms):
        return np.zeros(len(grid_geoms), dtype=np.int64)
    member = point_membership(grid_geoms, households.geometry.array)
    weights = household_weights(households)
    hit = member.grid_index >= 0
    return np.bincount(member.grid_index[hit], weights=weights[hit],
                       minlength=len(grid_geoms)).astype(np.int64)


def community_polygons(project: Project) -> dict[str, shapely.Geometry]:
    """Return community service areas by ``area_id`` (level ``community``).

    With no service-area layer, the union of each community's grids stands in.
    """
    areas = project.layer("service_areas")
    out: dict[str, shapely.Geometry] = {}
    if len(areas):
        level = areas["level"].astype(str) if "level" in areas.columns else None
        keep = (level == "community").to_numpy() if level is not None else np.ones(
            len(areas), dtype=bool)
        geoms = areas.geometry.array
        for aid, geom in zip(areas["area_id"].astype(str).to_numpy()[keep],
                             np.asarray(geoms, dtype=object)[keep], strict=True):
            if geom is not None and not shapely.is_empty(geom):
                out[aid] = polygonal(shapely.make_valid(geom)) if not shapely.is_valid(
                    geom) else geom
        if out:
            return out
    grids = project.layer("grids")
    if not len(grids) or "community_id" not in grids.columns:
        return out
    cid = grids["community_id"].fillna("").astype(str)
    for key, frame in grids.groupby(cid.to_numpy()):
        if key:
            geoms = np.asarray(frame.geometry.array, dtype=object)
            geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
            bad = ~shapely.is_valid(geoms)
            geoms[bad] = [polygonal(g) for g in shapely.make_valid(geoms[bad])]
            out[str(key)] = shapely.union_all(geoms)
    return out


def adjacency_pairs(
    geoms: np.ndarray, *, min_shared_m: float = 0.0, snap_m: float = 0.0
) -> np.ndarray:
    """Return pairs (i, j), i < j, of polygons sharing boundary or overlapping.

    A shared stretch must be longer than ``min_shared_m`` when that is given.

    With ``snap_m > 0`` boundaries within that distance of each other count as
    shared, for real layers whose neighbours do not share exact vertices.

    Examples
    --------
    >>> g = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1),
    ...               shapely.box(2, 1, 3, 2)])
    >>> adjacency_pairs(g).tolist()
    [[0, 1]]
    """
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) < 2:
        return np.empty((0, 2), dtype=np.int64)
    tree = shapely.STRtree(geoms)
    if snap_m > 0:
        a, b = tree.query(geoms, predicate="dwithin", distance=snap_m)
    else:
        a, b = tree.query(geoms, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    if not len(a):
        return np.empty((0, 2), dtype=np.int64)
    if snap_m > 0 or min_shared_m > 0:
        other = shapely.boundary(geoms[b])
        if snap_m > 0:
            other = shapely.buffer(other, snap_m)
        shared = shapely.length(shapely.intersection(shapely.boundary(geoms[a]), other))
        # Overlapping neighbours share area rather than a line: count them adjacent too.
        overlap = shapely.area(shapely.intersection(geoms[a], geoms[b])) > 0
        ok = (shared > min_shared_m) | overlap
    else:
        # DE-9IM: boundaries meet along a line (BB = 1) or interiors overlap (II = 2).
        # relate is several times faster than measuring the shared line.
        cells = shapely.relate(geoms[a], geoms[b]).astype("U9").view("U1").reshape(-1, 9)
        ok = (cells[:, 4] == "1") | (cells[:, 0] == "2")
    return np.column_stack([a[ok], b[ok]]).astype(np.int64)
