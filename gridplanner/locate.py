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
    if len(pt):
        first = np.full(int(ok.sum()), np.iinfo(np.int64).max)
        np.minimum.at(first, pt, grid)
        found = first < np.iinfo(np.int64).max
        out[np.flatnonzero(ok)[found]] = first[found]
    return out


def grid_ids_of(grid_ids: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Map grid positions from :func:`grid_index` to ids ("" outside every grid)."""
    ids = np.asarray(grid_ids, dtype=object)
    out = np.full(len(index), "", dtype=object)
    inside = index >= 0
    out[inside] = ids[index[inside]]
    return out


def household_weights(households: pd.DataFrame) -> np.ndarray:
    """Households held by each point: the ``households`` column as whole numbers.

    A missing or unreadable value counts 1 (one household at that address); values
    are rounded and kept within 0 to 100,000. Layers are validated on import, so
    these fallbacks only matter for frames built by hand.

    Examples
    --------
    >>> household_weights(pd.DataFrame({"households": [3, None, "x", 2.6, -1]})).tolist()
    [3, 1, 1, 3, 0]
    """
    if "households" not in households.columns:
        return np.ones(len(households), dtype=np.int64)
    values = pd.to_numeric(households["households"], errors="coerce").to_numpy(dtype=float)
    values = np.where(np.isfinite(values), values, 1.0)
    return np.clip(np.round(values), 0, MAX_HOUSEHOLDS_PER_POINT).astype(np.int64)
