"""The two rules every analysis shares: which grid a point is in, and what a point weighs.

One definition each, so a household in an overlap belongs to the same grid in
coverage, checks, within-grid allocation and incident routing, and counts the same
number of households everywhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

#: Largest number of households one point may hold.
MAX_HOUSEHOLDS_PER_POINT = 100_000


def grid_index(grid_geoms: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Position of the grid each point lies in, or -1 outside every grid.

    A point on a grid's boundary lies in it. Where grids overlap (a drawing error the
    grid checks report), the grid that comes first in the layer wins.

    Examples
    --------
    >>> g = np.array([shapely.box(0, 0, 2, 1), shapely.box(1, 0, 3, 1)])
    >>> grid_index(g, shapely.points([[0.5, 0.5], [1.5, 0.5], [2.5, 0.5], [9, 9]])).tolist()
    [0, 0, 1, -1]
    """
    grid_geoms = np.asarray(grid_geoms, dtype=object)
    points = np.asarray(points, dtype=object)
    out = np.full(len(points), -1, dtype=np.int64)
    if not len(points) or not len(grid_geoms):
        return out
    usable = ~(shapely.is_missing(grid_geoms) | shapely.is_empty(grid_geoms))
    geoms = grid_geoms.copy()
    geoms[~usable] = None
    ok = ~(shapely.is_missing(points) | shapely.is_empty(points))
    pt, grid = shapely.STRtree(geoms).query(points[ok], predicate="intersects")
    out[ok] = first_grid(int(ok.sum()), pt, grid)
    return out


def first_grid(n_points: int, point: np.ndarray, grid: np.ndarray,
               out: np.ndarray | None = None) -> np.ndarray:
    """Apply the overlap rule to (point, grid) pairs: the lowest grid position wins.

    ``point`` and ``grid`` are positions of the pairs that lie in each other (found
    by any spatial join). Points without a pair get -1, or keep their value in
    ``out`` when given (which is filled in place and returned). Every grid lookup
    (:func:`grid_index`, the grid checks, the coverage engine) ends here, so a
    point in an overlap belongs to the same grid everywhere.

    Examples
    --------
    >>> first_grid(3, np.array([0, 0, 2]), np.array([4, 1, 2])).tolist()
    [1, -1, 2]
    """
    if out is None:
        out = np.full(n_points, -1, dtype=np.int64)
    if len(point):
        lowest = np.full(n_points, np.iinfo(np.int64).max)
        np.minimum.at(lowest, point, grid)
        found = lowest < np.iinfo(np.int64).max
        out[found] = lowest[found]
    return out


def grid_ids_of(grid_ids: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Map grid positions from :func:`grid_index` to ids ("" outside every grid)."""
    ids = np.asarray(grid_ids, dtype=object)
    out = np.full(len(index), "", dtype=object)
    inside = index >= 0
    out[inside] = ids[index[inside]]
    return out


def household_weights(households: pd.DataFrame, *, floating_weight: float = 0.0,
                      incidents: np.ndarray | None = None,
                      incident_weight: float = 0.0) -> np.ndarray:
    """Households held by each point: the ``households`` column as whole numbers.

    A missing or unreadable value counts 1 (one household at that address); values
    are rounded and kept within 0 to 100,000. Layers are validated on import, so
    these fallbacks only matter for frames built by hand.

    Two optional additions, each rounded per point: ``floating_weight`` households
    per floating resident (column ``floating_population``, for the band when the
    setting ``band_floating_weight`` asks), and ``incident_weight`` households per
    incident attributed to the point (``incidents``: a count per point, from
    :func:`incidents_per_point`; the workload of an allocation).

    Examples
    --------
    >>> household_weights(pd.DataFrame({"households": [3, None, "x", 2.6, -1]})).tolist()
    [3, 1, 1, 3, 0]
    >>> hh = pd.DataFrame({"households": [10, 4], "floating_population": [6, 0]})
    >>> household_weights(hh, floating_weight=0.5).tolist()
    [13, 4]
    >>> household_weights(hh, incidents=np.array([0, 3]), incident_weight=2).tolist()
    [10, 10]
    """
    if "households" not in households.columns:
        values = np.ones(len(households), dtype=float)
    else:
        values = pd.to_numeric(households["households"], errors="coerce").to_numpy(dtype=float)
        values = np.where(np.isfinite(values), values, 1.0)
    base = np.clip(np.round(values), 0, MAX_HOUSEHOLDS_PER_POINT).astype(np.int64)
    if floating_weight > 0 and "floating_population" in households.columns:
        floating = pd.to_numeric(households["floating_population"], errors="coerce"
                                 ).to_numpy(dtype=float)
        base = base + np.round(floating_weight * np.nan_to_num(
            np.clip(floating, 0, None), nan=0.0)).astype(np.int64)
    if incident_weight > 0 and incidents is not None:
        base = base + np.round(incident_weight * np.asarray(incidents, dtype=float)
                               ).astype(np.int64)
    return base


def incidents_per_point(points: np.ndarray, incidents: np.ndarray) -> np.ndarray:
    """How many incidents lie nearest to each point (each incident counts once).

    Examples
    --------
    >>> incidents_per_point(shapely.points([[0, 0], [10, 0]]),
    ...                     shapely.points([[1, 0], [9, 1], [8, 0], [50, 50]])).tolist()
    [1, 3]
    """
    points = np.asarray(points, dtype=object)
    incidents = np.asarray(incidents, dtype=object)
    out = np.zeros(len(points), dtype=np.int64)
    usable = ~(shapely.is_missing(points) | shapely.is_empty(points))
    ok = ~(shapely.is_missing(incidents) | shapely.is_empty(incidents))
    if not usable.any() or not ok.any():
        return out
    where = np.flatnonzero(usable)
    _, nearest = shapely.STRtree(points[where]).query_nearest(incidents[ok],
                                                              all_matches=False)
    np.add.at(out, where[nearest], 1)
    return out
