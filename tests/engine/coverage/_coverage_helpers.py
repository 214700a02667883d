"""Tiny hand-made layers for the coverage tests."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

CRS = 4549


def grids(*boxes, ids=None):
    ids = ids or [f"g{i + 1}" for i in range(len(boxes))]
    return gpd.GeoDataFrame({"grid_id": ids}, geometry=[shapely.box(*b) for b in boxes], crs=CRS)


def cameras(rows):
    """rows: (id, x, y, category, range_m, azimuth_deg, fov_deg, status)."""
    cols = ["camera_id", "x", "y", "category", "range_m", "azimuth_deg", "fov_deg", "status"]
    data = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
    xs, ys = data.pop("x"), data.pop("y")
    return gpd.GeoDataFrame(data, geometry=shapely.points(np.c_[xs, ys]) if rows else [],
                            crs=CRS)


def households(points, weights=None):
    weights = weights or [1] * len(points)
    return gpd.GeoDataFrame({"household_id": [f"h{i + 1}" for i in range(len(points))],
                             "households": weights},
                            geometry=[shapely.Point(p) for p in points], crs=CRS)


def points(points, id_col="node_id"):
    return gpd.GeoDataFrame({id_col: list(range(1, len(points) + 1)),
                             "degree": [3] * len(points)},
                            geometry=[shapely.Point(p) for p in points], crs=CRS)


def roads(*lines):
    return gpd.GeoDataFrame({"road_id": [f"r{i}" for i in range(len(lines))]},
                            geometry=[shapely.LineString(line) for line in lines], crs=CRS)


def buildings(*polys):
    return gpd.GeoDataFrame({"building_id": [f"b{i}" for i in range(len(polys))]},
                            geometry=list(polys), crs=CRS)


def polygon_sector_area(r, fov_deg, segments_per_circle=48):
    """Area of the drawn sector: n isoceles triangles with apex angle fov/n."""
    n = max(int(np.ceil(segments_per_circle * fov_deg / 360.0)), 2)
    return 0.5 * r * r * n * np.sin(np.deg2rad(fov_deg) / n)
