"""Camera coverage: footprints, shares per grid and category, gaps, checks, siting.

View footprints are cut by building shadows; shares are given per grid for all
cameras, category 1 and categories 2-3; gaps, camera record checks, camera siting
and incremental updates complete the package.

Public API
----------
- :func:`coverage_from_layers` (layers in) returns a :class:`CoverageResult`; on a
  project, run the registered analysis ``coverage`` (:func:`gridplanner.analyses.run`).
- :class:`CoverageState`: build once, then ``update(changed_camera_ids=...,
  changed_grid_ids=...)`` after each edit recomputes only the grids reached.
- :func:`check_cameras`: camera rows with missing or impossible values.
- :func:`sector_polygons`, :func:`visible_footprints`: the footprint geometry.
- :func:`site_cameras`: choose K new camera sites (lazy greedy with bounds).

Camera defaults (range and field of view where a record leaves them empty, by
category) come from :func:`gridplanner.settings.camera_defaults`; see
:mod:`gridplanner.coverage.checks` for how impossible values are treated.
"""

from gridplanner.coverage.checks import (
    MAX_RANGE_M,
    ResolvedCameras,
    check_cameras,
    resolve_cameras,
)
from gridplanner.coverage.compute import coverage_from_layers
from gridplanner.coverage.engine import CATEGORY_SETS
from gridplanner.coverage.footprints import ARC_SEGMENTS, sector_polygons
from gridplanner.coverage.incremental import CoverageState, road_intersections
from gridplanner.coverage.result import (
    COUNT_COLUMNS,
    DISTRICT_ROW_ID,
    LAYER_NAMES,
    PCT_COLUMNS,
    CoverageResult,
)
from gridplanner.coverage.siting import SitingResult, lazy_greedy, site_cameras
from gridplanner.coverage.visibility import building_index, visible_footprints

__all__ = [
    "ARC_SEGMENTS",
    "CATEGORY_SETS",
    "COUNT_COLUMNS",
    "DISTRICT_ROW_ID",
    "LAYER_NAMES",
    "MAX_RANGE_M",
    "PCT_COLUMNS",
    "CoverageResult",
    "CoverageState",
    "ResolvedCameras",
    "SitingResult",
    "building_index",
    "check_cameras",
    "coverage_from_layers",
    "lazy_greedy",
    "resolve_cameras",
    "road_intersections",
    "sector_polygons",
    "site_cameras",
    "visible_footprints",
]
