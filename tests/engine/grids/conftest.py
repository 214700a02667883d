"""Tiny hand-made grid projects: a 3x3 block of 100 m squares in one community."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gridplanner.project import Project

COMMUNITY = "330702001001"
CRS = 4549
SIZE = 100.0


def gid(k: int) -> str:
    """Grid code k (1..9, row-major from the south-west corner)."""
    return f"{COMMUNITY}{k:03d}"


def squares() -> list[shapely.Polygon]:
    return [shapely.box(c * SIZE, r * SIZE, (c + 1) * SIZE, (r + 1) * SIZE)
            for r in range(3) for c in range(3)]


def grids_frame(geoms: list[shapely.Geometry], ids: list[str] | None = None,
                locked: list[bool] | None = None) -> gpd.GeoDataFrame:
    n = len(geoms)
    ids = ids or [gid(k + 1) for k in range(n)]
    return gpd.GeoDataFrame({
        "grid_id": ids,
        "name": [f"grid {i}" for i in ids],
        "community_id": [COMMUNITY] * n,
        "kind": ["urban"] * n,
        "locked": locked or [False] * n,
    }, geometry=geoms, crs=CRS)


def household_frame(xy: list[tuple[float, float]], counts: list[int]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "household_id": [f"H{i:03d}" for i in range(len(xy))],
        "households": counts,
    }, geometry=shapely.points(np.asarray(xy, dtype=float)), crs=CRS)


def community_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "area_id": ["330702001", COMMUNITY], "name": ["street", "community"],
        "level": ["street", "community"], "parent_id": ["330702", "330702001"],
    }, geometry=[shapely.box(0, 0, 3 * SIZE, 3 * SIZE)] * 2, crs=CRS)


def lattice_households() -> gpd.GeoDataFrame:
    """A 6x6 lattice of points (4 per grid, at 25/75 m), 100 households each."""
    coords = [(x, y) for y in np.arange(25, 300, 50) for x in np.arange(25, 300, 50)]
    return household_frame(coords, [100] * len(coords))


@pytest.fixture
def block_project() -> Project:
    """Clean 3x3 block, 4 household points of 100 households per grid, no staff."""
    return Project(layers={
        "grids": grids_frame(squares()),
        "service_areas": community_frame(),
        "households": lattice_households(),
    })


class Blocks:
    """The helpers above, handed to tests through the ``blocks`` fixture."""

    COMMUNITY = COMMUNITY
    CRS = CRS
    gid = staticmethod(gid)
    squares = staticmethod(squares)
    grids_frame = staticmethod(grids_frame)
    household_frame = staticmethod(household_frame)
    community_frame = staticmethod(community_frame)
    lattice_households = staticmethod(lattice_households)


@pytest.fixture
def blocks() -> type[Blocks]:
    return Blocks
