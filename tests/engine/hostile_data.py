"""A tiny district and hostile variants of it, for running every command on them.

Four 200 m grids in one community near Jinhua (EPSG:4549), a 100 m road lattice,
16 household points, the 1+1+1+X staff of each grid, two cameras and a facility:
small enough that every command runs in well under a second.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridplanner.project import Project, save_project

X0, Y0 = 465_000.0, 3_218_000.0
CRS = 4549
ROLES = ("grid_head", "full_time", "police", "part_time")


def tiny_layers() -> dict[str, gpd.GeoDataFrame]:
    """The tiny district's layers."""
    cells = [shapely.box(X0 + c * 200, Y0 + r * 200, X0 + (c + 1) * 200, Y0 + (r + 1) * 200)
             for r in range(2) for c in range(2)]
    grids = gpd.GeoDataFrame({"grid_id": [f"G{i}" for i in range(4)],
                              "community_id": ["C1"] * 4}, geometry=cells, crs=CRS)
    areas = gpd.GeoDataFrame({"area_id": ["C1"], "level": ["community"]},
                             geometry=[shapely.box(X0, Y0, X0 + 400, Y0 + 400)], crs=CRS)
    lines = ([shapely.LineString([(X0, Y0 + k * 100), (X0 + 400, Y0 + k * 100)])
              for k in range(5)]
             + [shapely.LineString([(X0 + k * 100, Y0), (X0 + k * 100, Y0 + 400)])
                for k in range(5)])
    roads = gpd.GeoDataFrame({"road_id": [f"R{i}" for i in range(len(lines))]},
                             geometry=lines, crs=CRS)
    homes = [(X0 + 50 + 100 * i, Y0 + 50 + 100 * j) for i in range(4) for j in range(4)]
    households = gpd.GeoDataFrame({"household_id": [f"H{i}" for i in range(len(homes))],
                                   "households": [20] * len(homes)},
                                  geometry=shapely.points(homes), crs=CRS)
    rows = [(f"S{g}{role}", role, f"G{g}", cells[g].centroid) for g in range(4)
            for role in ROLES]
    staff = gpd.GeoDataFrame({"staff_id": [r[0] for r in rows], "role": [r[1] for r in rows],
                              "grid_id": [r[2] for r in rows]},
                             geometry=[r[3] for r in rows], crs=CRS)
    cameras = gpd.GeoDataFrame({"camera_id": ["K1", "K2"], "category": [1, 2],
                                "azimuth_deg": [0.0, None]},
                               geometry=shapely.points([(X0 + 100, Y0 + 100),
                                                        (X0 + 300, Y0 + 300)]), crs=CRS)
    facilities = gpd.GeoDataFrame({"facility_id": ["F1"], "kind": ["party_centre"]},
                                  geometry=[shapely.Point(X0 + 200, Y0 + 200)], crs=CRS)
    return {"grids": grids, "service_areas": areas, "roads": roads,
            "households": households, "staff": staff, "cameras": cameras,
            "facilities": facilities}


def _without(name: str) -> Callable[[dict], dict]:
    return lambda layers: {k: v for k, v in layers.items() if k != name}


def _emptied(name: str) -> Callable[[dict], dict]:
    return lambda layers: {**layers, name: layers[name].iloc[:0]}


def _moved(name: str, dx: float) -> Callable[[dict], dict]:
    def move(layers: dict) -> dict:
        frame = layers[name].copy()
        frame["geometry"] = frame.geometry.translate(dx, 0.0)
        return {**layers, name: frame}
    return move


def _no_role(role: str) -> Callable[[dict], dict]:
    return lambda layers: {**layers, "staff": layers["staff"][layers["staff"]["role"] != role]}


def _long_road(layers: dict) -> dict:
    t = np.linspace(0.0, 1.0, 50_000)
    xy = np.c_[X0 + 400 * t, Y0 + 200 + 150 * np.sin(t * 60)]
    road = gpd.GeoDataFrame({"road_id": ["LONG"]}, geometry=[shapely.LineString(xy)], crs=CRS)
    return {**layers, "roads": pd.concat([layers["roads"], road], ignore_index=True)}


#: Variant name to the change it makes to the tiny district.
VARIANTS: dict[str, Callable[[dict], dict]] = {
    "full": lambda layers: layers,
    **{f"empty_{n}": _emptied(n) for n in ("grids", "service_areas", "roads", "households",
                                           "staff", "cameras", "facilities")},
    **{f"no_{n}": _without(n) for n in ("grids", "roads", "households", "staff")},
    **{f"no_{r}": _no_role(r) for r in ("grid_head", "full_time", "police")},
    # Another place, or another Gauss-Kruger zone's coordinates read in this one.
    **{f"far_{n}": _moved(n, 3000.0) for n in ("households", "staff", "roads", "grids",
                                               "cameras", "facilities")},
    "zone_households": _moved("households", 300_000.0),
    "long_road": _long_road,
}


def write_variant(name: str, path: Path) -> Path:
    """Save the tiny district changed by variant ``name`` as a project file."""
    save_project(Project(layers=VARIANTS[name](tiny_layers())), path)
    return path
