"""Incident routing: who owns a point, and who is nearest on the roads.

Public API
----------
- :func:`route_incidents_layers` (the registered analysis ``route`` on a project):
  for each point, the containing grid and community, the grid's head, full-time
  worker and police officer (the "one alert, three pushes" lookup), and the
  nearest on-network staff member of each role with the walking distance.
- :func:`parse_point` reads ``"X,Y"`` text.

Output columns: ``incident_id``, ``grid_id``, ``community_id``,
``grid_head``, ``full_time``, ``police`` (staff ids of the grid, ``;``-joined
when several), then for each role ``nearest_<role>`` and
``nearest_<role>_m``. The split graph of each role is kept by the project's
analysis context, so repeated lookups (the app, one alert at a time) are fast.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from gridplanner.errors import AnalysisError
from gridplanner.feedback import Feedback, report, sub
from gridplanner.i18n import _, pgettext
from gridplanner.integrity import staff_grid_ids
from gridplanner.locate import grid_index
from gridplanner.network.graph import RoadNetwork, build_network
from gridplanner.network.snap import Augmented, Snapped, attach, augment, snap_points
from gridplanner.runtime import gc_paused
from gridplanner.settings import DEFAULTS, check_values

ROUTE_ROLES = ("grid_head", "full_time", "police")
#: A role's split graph, each node's distance to its nearest member, and which member.
NearestTables = tuple[Augmented, np.ndarray, np.ndarray]


def parse_point(text: str) -> tuple[float, float]:
    """Read ``"X,Y"`` (also ``"X Y"`` or ``"X;Y"``) as two floats.

    Examples
    --------
    >>> parse_point("459600.5, 3215000")
    (459600.5, 3215000.0)
    """
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    if len(parts) != 2:
        raise AnalysisError(f"cannot read the point {text!r}: give it as X,Y")
    try:
        return float(parts[0]), float(parts[1])
    except ValueError as exc:
        raise AnalysisError(f"cannot read the point {text!r}: give it as X,Y numbers") from exc


@gc_paused()
def route_incidents_layers(
    points: gpd.GeoDataFrame,
    *,
    grids: gpd.GeoDataFrame,
    service_areas: gpd.GeoDataFrame,
    staff: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    snap_cutoff_m: float = DEFAULTS.snap_cutoff_m,
    join_tolerance_m: float = DEFAULTS.join_tolerance_m,
    network: RoadNetwork | None = None,
    nearest: Callable[[str, gpd.GeoDataFrame], NearestTables] | None = None,
    feedback: Feedback | None = None,
) -> gpd.GeoDataFrame:
    """Grid, community, grid staff and nearest staff of each point.

    ``network`` and ``nearest`` (role and its staff -> :func:`nearest_tables`) pass
    in what an :class:`~gridplanner.context.AnalysisContext` already holds.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, Point, box
    >>> roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (200, 0)])], crs=3857)
    >>> grids = gpd.GeoDataFrame({"grid_id": ["G1"], "community_id": ["C1"]},
    ...                          geometry=[box(0, -50, 200, 50)], crs=3857)
    >>> staff = gpd.GeoDataFrame({"staff_id": ["h", "w", "p"],
    ...                           "role": ["grid_head", "full_time", "police"],
    ...                           "grid_id": ["G1", "G1", "G1;G2"]},
    ...                          geometry=[Point(0, 0), Point(200, 0), Point(150, 0)], crs=3857)
    >>> pts = gpd.GeoDataFrame(geometry=[Point(50, 10)], crs=3857)
    >>> r = route_incidents_layers(pts, grids=grids, service_areas=grids.iloc[:0],
    ...                            staff=staff, roads=roads)
    >>> r[["grid_id", "community_id", "police", "nearest_full_time",
    ...    "nearest_full_time_m"]].values.tolist()
    [['G1', 'C1', 'p', 'w', 160.0]]
    """
    check_values(snap_cutoff_m=snap_cutoff_m, join_tolerance_m=join_tolerance_m)
    n = len(points)
    out = pd.DataFrame(index=range(n))
    out["incident_id"] = (points["incident_id"].astype(str).to_numpy()
                          if "incident_id" in points.columns
                          else np.array([str(i + 1) for i in range(n)], dtype=object))
    geoms = np.asarray(points.geometry.values)
    report(feedback, 0.0, _("grids"))
    out["grid_id"], out["community_id"] = _owners(geoms, grids, service_areas)
    role_col = staff["role"].astype(str) if "role" in staff.columns else pd.Series(
        "", index=staff.index)
    teams = {role: staff.loc[(role_col == role).to_numpy()] for role in ROUTE_ROLES}
    for role in ROUTE_ROLES:
        out[role] = _grid_staff(out["grid_id"].to_numpy(), teams[role])
    net = network if network is not None else build_network(
        roads, join_tolerance_m=join_tolerance_m, feedback=sub(feedback, 0.1, 0.4))
    tables = nearest or (lambda _role, members: nearest_tables(net, members, snap_cutoff_m))
    pts_snap = snap_points(net, geoms, cutoff_m=snap_cutoff_m) if net.n_edges else None
    for k, role in enumerate(ROUTE_ROLES):
        report(feedback, 0.4 + 0.2 * k, _("nearest {role}", role=pgettext("role", role)))
        near, dist = np.full(n, "", dtype=object), np.full(n, np.nan)
        if pts_snap is not None and len(teams[role]):
            near, dist = _nearest(net, pts_snap, teams[role], tables(role, teams[role]))
        out[f"nearest_{role}"] = near
        out[f"nearest_{role}_m"] = dist
    report(feedback, 1.0, _("routed"))
    return gpd.GeoDataFrame(out, geometry=geoms, crs=points.crs)


def _owners(geoms: np.ndarray, grids: gpd.GeoDataFrame, service_areas: gpd.GeoDataFrame
            ) -> tuple[np.ndarray, np.ndarray]:
    """Grid and community of each point ("" where none).

    The community comes from the point's grid, else from the community-level
    service area the point lies in.
    """
    n = len(geoms)
    grid_id = np.full(n, "", dtype=object)
    community = np.full(n, "", dtype=object)
    if len(grids):
        g = grid_index(np.asarray(grids.geometry.values, dtype=object), geoms)
        gid = grids["grid_id"].astype(str).to_numpy()
        grid_id = np.where(g >= 0, gid[np.maximum(g, 0)], "")
        comm = grids["community_id"].astype(str).to_numpy() if (
            "community_id" in grids.columns) else np.full(len(grids), "", dtype=object)
        community = np.where(g >= 0, comm[np.maximum(g, 0)], "")
    areas = service_areas
    if len(areas) and "level" in areas.columns:
        areas = areas[areas["level"].astype(str) == "community"]
    if len(areas):
        a = grid_index(np.asarray(areas.geometry.values, dtype=object), geoms)
        aid = areas["area_id"].astype(str).to_numpy()
        fill = pd.Series(community).isin(["", "nan", "None"]).to_numpy() & (a >= 0)
        community = community.astype(object)
        community[fill] = aid[a[fill]]
    return grid_id, community


def _nearest(net: RoadNetwork, pts_snap: Snapped, members: gpd.GeoDataFrame,
             tables: NearestTables) -> tuple[np.ndarray, np.ndarray]:
    """Nearest member on the roads of each snapped point and the walk to them (m)."""
    aug, node_d, node_s = tables
    att = attach(net, aug, pts_snap)
    lo = node_d[np.maximum(att.lo_node, 0)] + att.lo_m
    hi = node_d[np.maximum(att.hi_node, 0)] + att.hi_m
    use_hi = hi < lo
    d = np.where(use_hi, hi, lo)
    s = np.where(use_hi, node_s[np.maximum(att.hi_node, 0)],
                 node_s[np.maximum(att.lo_node, 0)])
    ok = (att.lo_node >= 0) & np.isfinite(d) & (s >= 0)
    near = np.full(len(d), "", dtype=object)
    dist = np.full(len(d), np.nan)
    near[ok] = members["staff_id"].astype(str).to_numpy()[s[ok]]
    dist[ok] = np.round(d[ok], 1)
    return near, dist


def _grid_staff(grid_of_point: np.ndarray, members: gpd.GeoDataFrame) -> np.ndarray:
    """Staff ids (``;``-joined) whose grid list names each point's grid."""
    by_grid: dict[str, list[str]] = {}
    gids = members["grid_id"].tolist() if "grid_id" in members.columns else []
    # One entry per staff member: the roster is small.
    for sid, value in zip(members["staff_id"].astype(str).tolist(), gids, strict=True):
        for g in staff_grid_ids(pd.Series([value])):
            by_grid.setdefault(g, []).append(sid)
    table = {g: ";".join(v) for g, v in by_grid.items()}
    return np.array([table.get(str(g), "") for g in grid_of_point], dtype=object)


def nearest_tables(
    net: RoadNetwork, members: gpd.GeoDataFrame, snap_cutoff_m: float
) -> NearestTables:
    """Split graph of a role's staff, and each node's distance to its nearest member."""
    snapped = snap_points(net, members.geometry.values, cutoff_m=snap_cutoff_m)
    aug = augment(net, snapped)
    src = aug.source_node[aug.source_node >= 0]
    pos = np.flatnonzero(aug.source_node >= 0)
    node_d = np.full(aug.matrix.shape[0], np.inf)
    node_s = np.full(aug.matrix.shape[0], -1, dtype=np.int64)
    if len(src):
        node_d, _, nearest = dijkstra(aug.matrix, directed=True, indices=src, min_only=True,
                                      return_predecessors=True)
        back = np.full(aug.matrix.shape[0], -1, dtype=np.int64)
        back[src] = pos
        node_s = np.where(nearest >= 0, back[np.maximum(nearest, 0)], -1)
    return aug, node_d, node_s
