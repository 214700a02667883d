"""Public entry point of the coverage analysis on layers.

:func:`coverage_from_layers` builds a
:class:`~gridplanner.coverage.incremental.CoverageState` (so the full run and the
app's edit-by-edit updates share one code path) and returns its
:class:`~gridplanner.coverage.result.CoverageResult`. On a project, run the
registered analysis ``coverage`` (:func:`gridplanner.analyses.run`), or keep a
state with :meth:`CoverageState.from_project` to update it edit by edit.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from gridplanner.coverage.incremental import CoverageState
from gridplanner.coverage.result import CoverageResult
from gridplanner.feedback import Feedback
from gridplanner.runtime import gc_paused


def coverage_from_layers(
    grids: gpd.GeoDataFrame,
    cameras: gpd.GeoDataFrame,
    *,
    households: gpd.GeoDataFrame | None = None,
    roads: gpd.GeoDataFrame | None = None,
    intersections: gpd.GeoDataFrame | None = None,
    buildings: gpd.GeoDataFrame | None = None,
    camera_defaults: dict[int, dict[str, float]] | None = None,
    include_offline: bool = False,
    feedback: Feedback | None = None,
    **options: Any,
) -> CoverageResult:
    """Camera coverage from layers, without a project (notebooks, tests).

    Parameters
    ----------
    grids, cameras
        Grids and cameras layers in one metric CRS.
    households, roads, intersections, buildings
        Optional layers; intersections are taken as given (not derived from roads).
    camera_defaults
        ``{category: {"range_m": .., "fov_deg": ..}}``; the shipped defaults when
        omitted.
    include_offline
        Count offline cameras too.
    feedback
        Progress and cancellation.
    **options
        Passed to :class:`~gridplanner.coverage.incremental.CoverageState`:
        ``max_range_m``, ``arc_segments``, ``own_building_m``, ``min_gap_m2``,
        ``workers``.

    Returns
    -------
    CoverageResult
        Per-grid table, district total, gaps, uncovered points and roads,
        footprints and camera issues.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> grids = gpd.GeoDataFrame({"grid_id": ["g1"]}, geometry=[shapely.box(0, 0, 20, 20)],
    ...                          crs=4549)
    >>> cams = gpd.GeoDataFrame({"camera_id": ["c1"], "category": [2], "range_m": [40.0],
    ...     "azimuth_deg": [45.0], "fov_deg": [90.0]}, geometry=[shapely.Point(0, 0)],
    ...     crs=4549)
    >>> res = coverage_from_layers(grids, cams)
    >>> res.grid_table[["area_pct_all", "area_pct_cat1", "area_pct_cat23"]].values.tolist()
    [[100.0, 0.0, 100.0]]
    """
    # Collection paused: the run makes enough geometries to set off full
    # collections that hold the GIL (and the app's GUI thread) for 100+ ms each.
    with gc_paused():
        state = CoverageState.from_layers(
            grids, cameras, households=households, roads=roads, intersections=intersections,
            buildings=buildings, camera_defaults=camera_defaults,
            include_offline=include_offline, feedback=feedback, **options)
        return state.result()
