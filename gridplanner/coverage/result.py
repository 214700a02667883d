"""The result of a coverage run and the names of its columns and layers."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from gridplanner.coverage.engine import CATEGORY_SETS

#: Figures given per grid, each for every set in :data:`CATEGORY_SETS`.
MEASURES: tuple[str, ...] = ("area", "households", "roads", "intersections")

#: Percentage columns of the per-grid table, in order (0-100; empty where the grid
#: has nothing to cover, e.g. no intersections).
PCT_COLUMNS: tuple[str, ...] = tuple(
    f"{measure}_pct_{cats}" for measure in MEASURES for cats in CATEGORY_SETS
)

#: Count columns that follow the percentages.
COUNT_COLUMNS: tuple[str, ...] = ("area_m2", "households", "road_m", "intersections",
                                  "cameras")

#: ``grid_id`` of the district total row in :attr:`CoverageResult.table`.
DISTRICT_ROW_ID = "(district)"

#: Names of the GeoPackage layers written by ``gridplanner coverage``.
LAYER_NAMES: tuple[str, ...] = ("grid_coverage", "coverage_gaps", "uncovered_households",
                                "uncovered_intersections", "uncovered_roads",
                                "camera_footprints", "camera_issues")


@dataclass(frozen=True)
class CoverageResult:
    """Camera coverage of a district.

    Attributes
    ----------
    grid_table
        One row per grid: ``grid_id``, the :data:`PCT_COLUMNS`, the
        :data:`COUNT_COLUMNS` and the grid polygon.
    district
        One row with the same columns for the whole district (``grid_id`` is
        :data:`DISTRICT_ROW_ID`), totals over the grids.
    gaps
        Uncovered pieces of each grid: ``gap_id``, ``grid_id``, ``rank`` (1 = most
        uncovered households), ``uncovered_households``, ``area_m2``, polygon;
        sorted by rank. Pieces under the run's ``min_gap_m2`` are left out.
    uncovered_households
        Household points no counted camera sees: ``household_id``, ``grid_id``,
        ``households``.
    uncovered_intersections
        Intersections (road nodes of degree >= 3) no counted camera sees:
        ``node_id``, ``degree``, ``grid_id``.
    uncovered_roads
        Walkable road stretches no counted camera sees: ``grid_id``, ``length_m``.
    footprints
        Visible footprint of every camera with a position: ``camera_id``,
        ``category``, ``status``, ``range_m``, ``azimuth_deg``, ``fov_deg`` (the
        values used), ``counted`` (online, or offline ones included), ``area_m2``.
    camera_issues
        Camera rows with missing or impossible values (see
        :func:`~gridplanner.coverage.checks.check_cameras`).
    include_offline
        Whether offline cameras were counted.
    use_buildings
        Whether building shadows were cut out.
    """

    grid_table: gpd.GeoDataFrame
    district: pd.DataFrame
    gaps: gpd.GeoDataFrame
    uncovered_households: gpd.GeoDataFrame
    uncovered_intersections: gpd.GeoDataFrame
    uncovered_roads: gpd.GeoDataFrame
    footprints: gpd.GeoDataFrame
    camera_issues: gpd.GeoDataFrame
    include_offline: bool = False
    use_buildings: bool = True

    @property
    def table(self) -> pd.DataFrame:
        """Per-grid rows and the district total row, without geometry."""
        grids = pd.DataFrame(self.grid_table.drop(columns="geometry"))
        return pd.concat([grids, self.district], ignore_index=True)

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Return the result layers by the names ``gridplanner coverage`` writes."""
        return {
            "grid_coverage": self.grid_table,
            "coverage_gaps": self.gaps,
            "uncovered_households": self.uncovered_households,
            "uncovered_intersections": self.uncovered_intersections,
            "uncovered_roads": self.uncovered_roads,
            "camera_footprints": self.footprints,
            "camera_issues": self.camera_issues,
        }
