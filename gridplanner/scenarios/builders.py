"""Helpers that build scenario layers.

Re-home staff onto a new grid layer, add staff or cameras at given sites, turn a
balanced grid proposal into the layers of a scenario, and pick sites for extra
full-time workers.
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


def new_ids(taken: pd.Series, count: int, *, prefix: str) -> list[str]:
    """Return ``count`` ids ``<prefix>001`` ... that are not in ``taken``.

    Examples
    --------
    >>> new_ids(pd.Series(["NEW001", "x"]), 2, prefix="NEW")
    ['NEW002', 'NEW003']
    """
    used = set(taken.astype(str)) if len(taken) else set()
    ids: list[str] = []
    i = 1
    while len(ids) < count:
        candidate = f"{prefix}{i:03d}"
        if candidate not in used:
            ids.append(candidate)
        i += 1
    return ids


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
    ids = new_ids(staff["staff_id"], len(sites), prefix=prefix)
    grid_ids = (containing_grid(sites, grids) if grids is not None
                else np.full(len(sites), "", dtype=object))
    new = gpd.GeoDataFrame({"staff_id": ids, "role": [role] * len(ids),
                            "grid_id": grid_ids}, geometry=list(sites.to_numpy()),
                           crs=staff.crs)
    return gpd.GeoDataFrame(pd.concat([staff, new], ignore_index=True), crs=staff.crs)


def add_cameras(
    cameras: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, *, prefix: str = "NEWCAM",
    status: str = "online",
) -> gpd.GeoDataFrame:
    """Return ``cameras`` with one new camera at each proposed site.

    The view of each site (``category``, ``range_m``, ``azimuth_deg``, ``fov_deg``)
    is kept where ``sites`` has it, as :func:`gridplanner.coverage.siting.site_cameras`
    proposes them; ids are ``<prefix>001`` ... (skipping ids in use).

    Examples
    --------
    >>> cams = gpd.GeoDataFrame({"camera_id": ["c1"], "category": [2], "status": ["online"]},
    ...                         geometry=[shapely.Point(0, 0)])
    >>> picks = gpd.GeoDataFrame({"site_id": ["X1"], "category": [1], "range_m": [60.0]},
    ...                          geometry=[shapely.Point(5, 5)])
    >>> out = add_cameras(cams, picks)
    >>> out["camera_id"].tolist(), out["category"].tolist(), out["status"].tolist()
    (['c1', 'NEWCAM001'], [2, 1], ['online', 'online'])
    """
    if sites.crs is not None and cameras.crs is not None and sites.crs != cameras.crs:
        sites = sites.to_crs(cameras.crs)
    columns: dict[str, object] = {"camera_id": new_ids(cameras["camera_id"], len(sites),
                                                       prefix=prefix)}
    for col in ("category", "range_m", "azimuth_deg", "fov_deg"):
        if col in sites.columns:
            columns[col] = sites[col].to_numpy()
    columns["status"] = [status] * len(sites)
    new = gpd.GeoDataFrame(columns, geometry=list(sites.geometry.to_numpy()), crs=cameras.crs)
    if cameras.geometry.name != "geometry":
        new = new.rename_geometry(cameras.geometry.name)
    return gpd.GeoDataFrame(pd.concat([cameras, new], ignore_index=True), crs=cameras.crs)


def proposal_layers(
    project: Project, proposal_grids: gpd.GeoDataFrame
) -> dict[str, gpd.GeoDataFrame]:
    """Return the ``grids`` and ``staff`` of a scenario taking a balanced grid proposal.

    The proposal's figure columns (households, compactness, ``proposed``) are left
    out so the layer is a plain grid layer, and staff are re-homed onto the new
    grids (:func:`rehome_staff`), so their ``grid_id`` names grids that exist.

    Examples
    --------
    >>> grids = gpd.GeoDataFrame({"grid_id": ["a"]}, geometry=[shapely.box(0, 0, 9, 9)])
    >>> staff = gpd.GeoDataFrame({"staff_id": ["s"], "role": ["full_time"],
    ...                           "grid_id": ["a"]}, geometry=[shapely.Point(1, 1)])
    >>> new = gpd.GeoDataFrame({"grid_id": ["b"], "households": [400], "proposed": [True]},
    ...                        geometry=[shapely.box(0, 0, 9, 9)])
    >>> out = proposal_layers(Project(layers={"grids": grids, "staff": staff}), new)
    >>> out["grids"].columns.tolist(), out["staff"]["grid_id"].tolist()
    (['grid_id', 'geometry'], ['b'])
    """
    figures = [c for c in PROPOSAL_COLUMNS if c in proposal_grids.columns]
    grids = proposal_grids.drop(columns=figures)
    return {"grids": grids, "staff": rehome_staff(project.layer("staff"), grids)}


#: Figure columns a balanced grid proposal adds to its grid layer.
PROPOSAL_COLUMNS = ("households", "polsby_popper", "reock", "proposed")


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
