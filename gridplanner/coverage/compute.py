"""Public entry points of the coverage analysis.

:func:`compute_coverage` takes a project, :func:`coverage_from_layers` layers.

Both build a :class:`~gridplanner.coverage.incremental.CoverageState` (so the
full run and the app's edit-by-edit updates share one code path) and return its
:class:`~gridplanner.coverage.result.CoverageResult`.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from gridplanner.coverage.incremental import CoverageState
from gridplanner.coverage.result import CoverageResult
from gridplanner.feedback import Feedback
from gridplanner.runtime import gc_paused


def compute_coverage(
    project: Any,
    *,
    include_offline: bool = False,
    use_buildings: bool = True,
    intersections: gpd.GeoDataFrame | None = None,
    feedback: Feedback | None = None,
    **options: Any,
) -> CoverageResult:
    """Camera coverage of every grid of a project.

    Parameters
    ----------
    project
        A :class:`~gridplanner.project.Project`; its ``grids``, ``cameras``,
        ``households``, ``roads`` and (optional) ``buildings`` layers are read and
        not modified. Camera defaults come from the project settings.
    include_offline
        Count offline cameras too (online ones only by default).
    use_buildings
        Cut footprints by building shadows when the project has buildings.
    intersections
        Road nodes of degree >= 3 (``node_id``, ``degree``, points); computed from
        the roads with :func:`gridplanner.network.graph.intersections` when omitted.
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

    Raises
    ------
    AnalysisError
        When the project has no grids or its layers are not in a metric CRS.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from gridplanner.project import Project
    >>> grids = gpd.GeoDataFrame({"grid_id": ["g1"]}, geometry=[shapely.box(0, 0, 100, 100)],
    ...                          crs=4549)
    >>> cams = gpd.GeoDataFrame({"camera_id": ["c1"], "category": [1], "range_m": [20.0],
    ...     "azimuth_deg": [None], "status": ["online"]}, geometry=[shapely.Point(50, 50)],
    ...     crs=4549)
    >>> result = compute_coverage(Project(layers={"grids": grids, "cameras": cams}))
    >>> round(float(result.grid_table["area_pct_all"][0]), 1)  # 48-gon of radius 20
    12.5
    """
    # Collection paused: the run makes enough geometries to set off full
    # collections that hold the GIL (and the app's GUI thread) for 100+ ms each.
    with gc_paused():
        state = CoverageState.from_project(project, include_offline=include_offline,
                                           use_buildings=use_buildings,
                                           intersections=intersections, feedback=feedback,
                                           **options)
        return state.result()


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
        See :func:`compute_coverage`.

    Returns
    -------
    CoverageResult
        As :func:`compute_coverage`.

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
    with gc_paused():  # see compute_coverage
        state = CoverageState.from_layers(
            grids, cameras, households=households, roads=roads, intersections=intersections,
            buildings=buildings, camera_defaults=camera_defaults,
            include_offline=include_offline, feedback=feedback, **options)
        return state.result()
