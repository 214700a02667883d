"""Helpers that build scenario layers.

Re-home staff onto a new grid layer, add staff at given sites, and pick sites for
extra full-time workers.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridplanner.integrity import staff_grid_ids
from gridplanner.locate import grid_ids_of, grid_index, household_weights
from gridplanner.project import Project


def containing_grid(points: gpd.GeoSeries, grids: gpd.GeoDataFrame) -> np.ndarray:
    """Return the ``grid_id`` of the grid containing each point ("" when none).

    Examples
    --------
    >>> g = gpd.GeoDataFrame({"grid_id": ["a", "b"]},
    ...                      geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> containing_grid(gpd.GeoSeries(shapely.points([(0.5, 0.5), (1.5, 0.5), (5, 5)])), g)
    array(['a', 'b', ''], dtype=object)
    """
    where = grid_index(np.asarray(grids.geometry.to_numpy(), dtype=object),
                       np.asarray(points.to_numpy(), dtype=object))
    return grid_ids_of(grids["grid_id"].astype(str).to_numpy(), where)


def rehome_staff(staff: gpd.GeoDataFrame, grids: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Point staff whose grids no longer exist at the grid containing their base.

    Staff whose ``grid_id`` names grids that all still exist keep it; for the
    others the ids that still exist are kept and, if none does, the grid that
    contains their base location is used.

    Examples
    --------
    >>> g = gpd.GeoDataFrame({"grid_id": ["n1"]}, geometry=[shapely.box(0, 0, 9, 9)])
    >>> s = gpd.GeoDataFrame({"staff_id": ["w"], "grid_id": ["old"]},
    ...                      geometry=[shapely.Point(1, 1)])
    >>> rehome_staff(s, g)["grid_id"].tolist()
    ['n1']
    """
    out = staff.copy()
    if not len(out):
        return out
    valid = set(grids["grid_id"].astype(str))
    kept = [";".join(g for g in staff_grid_ids(pd.Series([v])) if g in valid)
            for v in out["grid_id"].fillna("").astype(str)]
    home = containing_grid(out.geometry, grids)
    out["grid_id"] = [k if k else h for k, h in zip(kept, home, strict=True)]
    return out


def add_staff(
    staff: gpd.GeoDataFrame,
    sites: gpd.GeoSeries,
    *,
    role: str = "full_time",
    grids: gpd.GeoDataFrame | None = None,
    prefix: str = "NEW",
) -> gpd.GeoDataFrame:
    """Return ``staff`` with one new member of ``role`` at each site.

    New ids are ``<prefix>001`` ... (skipping ids in use); ``grid_id`` is the grid
    containing the site when ``grids`` is given.

    Examples
    --------
    >>> s = gpd.GeoDataFrame({"staff_id": ["a"], "role": ["police"], "grid_id": [""]},
    ...                      geometry=[shapely.Point(0, 0)])
    >>> add_staff(s, gpd.GeoSeries([shapely.Point(1, 1)]))["staff_id"].tolist()
    ['a', 'NEW001']
    """
    taken = set(staff["staff_id"].astype(str)) if len(staff) else set()
    ids: list[str] = []
    i = 1
    while len(ids) < len(sites):
        candidate = f"{prefix}{i:03d}"
        if candidate not in taken:
            ids.append(candidate)
        i += 1
    grid_ids = (containing_grid(sites, grids) if grids is not None
                else np.full(len(sites), "", dtype=object))
    new = gpd.GeoDataFrame({"staff_id": ids, "role": [role] * len(ids),
                            "grid_id": grid_ids}, geometry=list(sites.to_numpy()),
                           crs=staff.crs)
    return gpd.GeoDataFrame(pd.concat([staff, new], ignore_index=True), crs=staff.crs)


def sites_for_new_workers(project: Project, count: int, *, grids: gpd.GeoDataFrame | None = None
                          ) -> gpd.GeoSeries:
    """Pick ``count`` sites for extra full-time workers where capacity is shortest.

    Each grid's shortfall is its households minus the capacity of the full-time
    workers based in it; sites go one by one to the grid with the largest
    remaining shortfall (which then drops by one worker's default capacity), at
    the household point nearest the households' weighted centre. A simple rule
    for building demo scenarios, not an optimiser.

    Examples
    --------
    >>> from gridplanner.project import Project
    >>> g = gpd.GeoDataFrame({"grid_id": ["a", "b"]},
    ...                      geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> hh = gpd.GeoDataFrame({"household_id": ["1", "2"], "households": [900, 100]},
    ...                       geometry=shapely.points([(5, 5), (15, 5)]))
    >>> p = Project(layers={"grids": g, "households": hh})
    >>> [(pt.x, pt.y) for pt in sites_for_new_workers(p, 2)]
    [(5.0, 5.0), (5.0, 5.0)]
    """
    grids = project.layer("grids") if grids is None else grids
    households = project.layer("households")
    crs = households.crs
    if not count or not len(grids) or not len(households):
        return gpd.GeoSeries([], crs=crs)
    hh_grid = containing_grid(households.geometry, grids)
    weight = household_weights(households).astype(float)
    ids = grids["grid_id"].astype(str).to_numpy()
    demand = pd.Series(weight).groupby(hh_grid).sum().reindex(ids).fillna(0).to_numpy()
    capacity = float(project.config.capacity_for("full_time"))
    staff = project.layer("staff")
    workers = staff[staff["role"] == "full_time"] if len(staff) else staff
    cap = pd.Series(staff_grid_ids(workers["grid_id"]) if len(workers) else [],
                    dtype=object).value_counts().reindex(ids).fillna(0).to_numpy() * capacity
    shortfall = demand - cap
    xy = shapely.get_coordinates(np.asarray(households.geometry.to_numpy(), dtype=object))
    sites = []
    for _ in range(count):
        g = int(np.argmax(shortfall))
        shortfall[g] -= capacity
        members = np.flatnonzero(hh_grid == ids[g])
        if not len(members):
            continue
        centre = np.average(xy[members], axis=0, weights=weight[members])
        best = members[np.argmin(((xy[members] - centre) ** 2).sum(axis=1))]
        sites.append(shapely.Point(xy[best]))
    return gpd.GeoSeries(sites, crs=crs)
