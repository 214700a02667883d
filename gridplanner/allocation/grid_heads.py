"""Grid heads to grids: one head per grid, least total walk to the grids' centres.

Public API
----------
- :func:`assign_grid_heads_layers` (the registered analysis ``grid-heads`` on a
  project): a :class:`GridHeadResult` whose ``table`` has one row per grid
  (``grid_id``, ``staff_id``, ``distance_m``, ``flag``).

Each grid's centre is the household-weighted mean of its household points (the
polygon's representative point when it has none), snapped to the roads. The
assignment of heads to grids is a rectangular linear assignment (scipy's
``linear_sum_assignment``) on network distances; grids that get nobody (more
grids than heads, or none within reach) are flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.optimize import linear_sum_assignment

from gridplanner.allocation.common import source_to_point_distances
from gridplanner.errors import AnalysisError
from gridplanner.feedback import Feedback, report, sub
from gridplanner.i18n import _
from gridplanner.locate import grid_index, household_weights
from gridplanner.network.graph import RoadNetwork, build_network
from gridplanner.network.snap import Snapped, snap_points, snapped_or_given
from gridplanner.runtime import gc_paused
from gridplanner.settings import DEFAULTS, check_values


@dataclass(frozen=True)
class GridHeadResult:
    """Grid heads assigned to grids.

    ``table`` has one row per grid: ``grid_id``, ``staff_id`` ("" when none),
    ``distance_m``, ``flag`` ("" or why the grid has no head), centre point.
    """

    table: gpd.GeoDataFrame
    total_distance_m: float
    grids_without_head: int


@gc_paused()
def assign_grid_heads_layers(
    grids: gpd.GeoDataFrame,
    households: gpd.GeoDataFrame,
    staff: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    *,
    walk_cutoff_m: float = DEFAULTS.walk_cutoff_m,
    snap_cutoff_m: float = DEFAULTS.snap_cutoff_m,
    join_tolerance_m: float = DEFAULTS.join_tolerance_m,
    network: RoadNetwork | None = None,
    household_grid: np.ndarray | None = None,
    head_snap: Snapped | None = None,
    feedback: Feedback | None = None,
) -> GridHeadResult:
    """Assign one grid head per grid minimising total walk to the grid centres.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, Point, box
    >>> roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (200, 0)])], crs=3857)
    >>> grids = gpd.GeoDataFrame({"grid_id": ["A", "B"]},
    ...                          geometry=[box(0, -50, 100, 50), box(100, -50, 200, 50)], crs=3857)
    >>> hh = gpd.GeoDataFrame({"household_id": ["h"], "households": [1]},
    ...                       geometry=[Point(150, 0)], crs=3857)
    >>> st = gpd.GeoDataFrame({"staff_id": ["x", "y"], "role": "grid_head"},
    ...                       geometry=[Point(190, 0), Point(10, 0)], crs=3857)
    >>> r = assign_grid_heads_layers(grids, hh, st, roads)
    >>> r.table[["grid_id", "staff_id"]].values.tolist()
    [['A', 'y'], ['B', 'x']]
    """
    check_values(walk_cutoff_m=walk_cutoff_m, snap_cutoff_m=snap_cutoff_m,
                 join_tolerance_m=join_tolerance_m)
    if len(grids) == 0:
        raise AnalysisError(_("layer grids is empty: there is nothing to assign heads to"))
    role = (staff["role"].astype(str) if "role" in staff.columns
            else pd.Series("", index=staff.index))
    heads = staff.loc[(role == "grid_head").to_numpy()]
    net = network if network is not None else build_network(
        roads, join_tolerance_m=join_tolerance_m, feedback=sub(feedback, 0, 0.3))
    report(feedback, 0.3, _("grid centres"))
    centres = _centres(grids, households, household_grid)
    gid = grids["grid_id"].astype(str).to_numpy()
    cost = np.full((len(grids), max(len(heads), 1)), np.inf)
    if len(heads):
        hs = snapped_or_given(net, heads.geometry.values, head_snap,
                              cutoff_m=snap_cutoff_m, what="head_snap")
        cs = snap_points(net, centres, cutoff_m=max(snap_cutoff_m, 1000.0))
        cost = source_to_point_distances(net, hs, cs, cutoff_m=walk_cutoff_m,
                                         feedback=sub(feedback, 0.3, 0.9)).T
    big = 1e12
    rows, cols = linear_sum_assignment(np.where(np.isfinite(cost), cost, big))
    staff_col = np.full(len(grids), "", dtype=object)
    dist = np.full(len(grids), np.nan)
    flag = np.full(len(grids), "", dtype=object)
    hid = heads["staff_id"].astype(str).to_numpy() if len(heads) else np.array([], dtype=object)
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        if len(heads) and np.isfinite(cost[r, c]):
            staff_col[r] = hid[c]
            dist[r] = round(float(cost[r, c]), 1)
    missing = staff_col == ""
    flag[missing] = (f"no grid head within {walk_cutoff_m:g} m left for this grid"
                     if len(heads) else "the staff layer has no grid heads")
    table = gpd.GeoDataFrame({"grid_id": gid, "staff_id": staff_col, "distance_m": dist,
                              "flag": flag}, geometry=centres, crs=grids.crs)
    report(feedback, 1.0, _("grid heads assigned"))
    return GridHeadResult(table, float(np.nansum(dist)), int(missing.sum()))


def _centres(grids: gpd.GeoDataFrame, households: gpd.GeoDataFrame,
             where: np.ndarray | None) -> np.ndarray:
    """Household-weighted centre of each grid (representative point if empty)."""
    n = len(grids)
    rep = shapely.get_coordinates(shapely.point_on_surface(np.asarray(grids.geometry.values)))
    if len(households) == 0:
        return np.asarray(shapely.points(rep))
    if where is None:
        where = grid_index(np.asarray(grids.geometry.values, dtype=object),
                           np.asarray(households.geometry.values, dtype=object))
    w = household_weights(households).astype(float)
    ok = where >= 0
    xy = shapely.get_coordinates(households.geometry.values[ok])
    ww = w[ok]
    tot = np.bincount(where[ok], weights=ww, minlength=n)
    cx = np.bincount(where[ok], weights=ww * xy[:, 0], minlength=n)
    cy = np.bincount(where[ok], weights=ww * xy[:, 1], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(tot[:, None] > 0, np.stack([cx / tot, cy / tot], axis=1), rep)
    return np.asarray(shapely.points(out))
