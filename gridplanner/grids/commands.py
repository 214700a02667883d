"""Topology-safe edits of the grid layer as undoable commands.

How the app drives edits
------------------------
Build a :class:`CommandStack` once per open project and push command objects on
it; the UI never changes a GeoDataFrame itself::

    stack = CommandStack(project, community_id=None)   # or restrict to one community
    stack.subscribe(lambda event, command: ...)        # "pushed"/"undone"/"redone"/"cleared"
    stack.push(SplitGrid("330702001001001", line))     # runs it; raises GridEditError if refused
    stack.undo(); stack.redo()
    stack.can_undo, stack.can_redo, stack.history, stack.index

Every command has

- ``do(project)`` and ``undo(project)``: they replace ``project.layers["grids"]``
  (and, for a recode, ``staff``) through :meth:`Project.set_layer`, so the project's
  listeners fire (``layer_changed``, ``"grids"``); no GeoDataFrame is ever modified
  in place. Undo puts back the very frame that was there before, so any number of
  undos restores the layer exactly.
- ``kind``: a short key for translation (``move_vertex``, ``reshape_boundary``,
  ``split``, ``merge``, ``reassign_households``, ``rename``, ``set_locked``) and
  ``params``: the values to fill into a translated message;
- ``description``: an English sentence for the history list;
- after ``do``/``undo``: ``changed_grid_ids`` (ids whose row changed, appeared or
  disappeared: refresh coverage and allocation for these only),
  ``joined_grid_ids`` (those of them that only gained a shared vertex: a new corner
  of the edit lies on their edge, their shape is the same) and
  ``household_counts`` (households per changed grid that exists now).

A geometry edit inserts every corner it makes into each grid whose edge the corner
lies on (unless that grid is locked or outside the community), so a split's or a
reshape's new corners are shared vertices that move with all their grids.

A refused command raises :class:`GridEditError` (a ``GridPlannerError``) whose
message says why and what to do, and leaves the project untouched. Commands are
refused when they would change a locked grid, a grid outside the stack's (or the
command's own) ``community_id``, leave a grid in several pieces or empty, or change
what the grid layer tiles: after every geometry edit the union of the changed
grids is the same as before (area to 1e-7 relative) and no new overlap appears.

An outside change to the grid or staff layer (not made through the stack) clears
the history, since those steps could no longer be undone safely.

Examples
--------
>>> import geopandas as gpd, shapely
>>> from gridplanner.project import Project
>>> g = gpd.GeoDataFrame({"grid_id": ["a", "b"], "name": ["A", "B"],
...                       "community_id": ["", ""], "kind": ["urban"] * 2,
...                       "locked": [False, False]},
...                      geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)],
...                      crs=4549)
>>> project = Project(layers={"grids": g})
>>> stack = CommandStack(project)
>>> stack.push(MergeGrids(["a", "b"], keep_id="a"))
>>> list(project.layers["grids"]["grid_id"]), stack.history
(['a'], ['Merge grids a, b into a'])
>>> _ = stack.undo(); list(project.layers["grids"]["grid_id"])
['a', 'b']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import split as split_polygon
from shapely.ops import substring

from gridplanner.grids.topology import (
    count_households,
    part_count,
    point_membership,
    polygonal,
)
from gridplanner.integrity import staff_grid_ids
from gridplanner.project import Project
from layers.errors import GridPlannerError

#: Polygon parts smaller than this, left by floating-point overlay, are dropped (m²).
_CRUMB_M2 = 1e-4
#: A new corner this close to another grid's edge is inserted into it as a shared vertex (m).
_SHARE_TOL_M = 1e-6
#: Relative area tolerance of the tiling guard.
_REL_TOL = 1e-7

LineLike = shapely.LineString | Sequence[Sequence[float]]
StackListener = Callable[[str, "GridCommand | None"], None]


class GridEditError(GridPlannerError):
    """A grid edit was refused; the message says why and what to do instead."""


# ----------------------------------------------------------------------------- helpers


def _line(line: LineLike, what: str = "line") -> shapely.LineString:
    geom = line if isinstance(line, shapely.Geometry) else shapely.LineString(
        [tuple(map(float, xy[:2])) for xy in line])
    if shapely.get_type_id(geom) != 1 or geom.is_empty or len(geom.coords) < 2:
        raise GridEditError(f"the {what} must be a line of at least two points")
    return geom


def _positions(grids: gpd.GeoDataFrame, grid_ids: Iterable[str]) -> list[int]:
    ids = grids["grid_id"].astype(str).to_numpy()
    out = []
    for gid in grid_ids:
        where = np.flatnonzero(ids == str(gid))
        if not len(where):
            raise GridEditError(f"grid {gid} does not exist in the grids layer")
        out.append(int(where[0]))
    return out


def _geoms(grids: gpd.GeoDataFrame) -> np.ndarray:
    return np.asarray(grids.geometry.array, dtype=object)


def _clean(geom: Any) -> Any:
    """Polygonal part of an overlay result without floating-point crumbs.

    Crumbs are parts and holes smaller than ``_CRUMB_M2``: slivers left where two
    overlays put the same point a few ulps apart.
    """
    geom = _without_crumb_holes(polygonal(geom))
    parts = shapely.get_parts(geom)
    if len(parts) <= 1:
        return geom
    keep = parts[shapely.area(parts) >= _CRUMB_M2]
    if len(keep) == len(parts):
        return geom
    return shapely.union_all(keep) if len(keep) else shapely.Polygon()


def _without_crumb_holes(geom: Any) -> Any:
    """Return ``geom`` without the interior rings smaller than ``_CRUMB_M2``."""
    parts = shapely.get_parts(geom)
    if not len(parts) or not (shapely.get_num_interior_rings(parts) > 0).any():
        return geom
    rebuilt = []
    for part in parts:
        holes = [r for r in part.interiors
                 if shapely.area(shapely.Polygon(r)) >= _CRUMB_M2]
        if len(holes) == len(part.interiors):
            rebuilt.append(part)
        else:
            rebuilt.append(shapely.Polygon(part.exterior, holes))
    if len(rebuilt) == 1 and shapely.get_type_id(geom) == 3:
        return rebuilt[0]
    return shapely.MultiPolygon(rebuilt)


def _with_geometry(grids: gpd.GeoDataFrame, updates: dict[int, Any]) -> gpd.GeoDataFrame:
    geoms = _geoms(grids).copy()
    for pos, geom in updates.items():
        geoms[pos] = geom
    new = grids.copy()
    new[grids.geometry.name] = gpd.GeoSeries(geoms, index=grids.index, crs=grids.crs)
    return new


def _is_locked(grids: gpd.GeoDataFrame, pos: int) -> bool:
    if "locked" not in grids.columns:
        return False
    value = grids["locked"].iloc[pos]
    return bool(value) if not pd.isna(value) else False


def _community(grids: gpd.GeoDataFrame, pos: int) -> str:
    if "community_id" not in grids.columns:
        return ""
    value = grids["community_id"].iloc[pos]
    return "" if pd.isna(value) else str(value)


def next_grid_ids(grids: gpd.GeoDataFrame, community_id: str, n: int,
                  *, taken: Iterable[str] = ()) -> list[str]:
    """``n`` unused grid codes for a community: its code plus the next 3-digit numbers.

    Examples
    --------
    >>> g = gpd.GeoDataFrame({"grid_id": ["330702001001001", "330702001001004"]},
    ...                      geometry=[None, None])
    >>> next_grid_ids(g, "330702001001", 2)
    ['330702001001005', '330702001001006']
    """
    used = set(grids["grid_id"].astype(str)) | set(taken)
    prefix = community_id or ""
    numbers = [int(g[len(prefix):]) for g in used
               if g.startswith(prefix) and g[len(prefix):].isdigit()]
    width = max([3, *(len(g) - len(prefix) for g in used
                      if g.startswith(prefix) and g[len(prefix):].isdigit())])
    start = max(numbers, default=0) + 1
    out: list[str] = []
    k = start
    while len(out) < n:
        code = f"{prefix}{k:0{width}d}"
        if code not in used:
            out.append(code)
        k += 1
    return out


# ----------------------------------------------------------------------------- commands


class GridCommand:
    """Base of the grid edit commands (see the module docstring for the protocol).

    Subclasses implement :meth:`_apply`, which returns the new layers and the grid
    ids it changes; the base class runs the guards, applies and undoes.
    """

    kind: ClassVar[str] = "edit"
    #: Geometry edits are checked against the tiling guard; attribute edits are not.
    changes_geometry: ClassVar[bool] = True
    #: May this command change locked grids (only SetLocked may)?
    touches_locked: ClassVar[bool] = False

    def __init__(self, *, community_id: str | None = None) -> None:
        self.community_id = community_id
        self.changed_grid_ids: frozenset[str] = frozenset()
        self.joined_grid_ids: frozenset[str] = frozenset()
        self.household_counts: dict[str, int] = {}
        self.params: dict[str, Any] = {}
        self._before: dict[str, gpd.GeoDataFrame] = {}
        self._after: dict[str, gpd.GeoDataFrame] = {}

    @property
    def description(self) -> str:
        """English description for the history list."""
        return self.kind

    def do(self, project: Project) -> None:
        """Apply the edit; raises :class:`GridEditError` (project untouched) if refused."""
        current = {name: project.layer(name) for name in self._after} or None
        if current and all(current[n] is self._before[n] for n in self._after):
            after = self._after
        else:
            grids = project.layer("grids")
            if not len(grids):
                raise GridEditError("the project has no grids to edit")
            try:
                new, old_ids, new_ids = self._apply(project, grids)
                if self.changes_geometry:
                    new["grids"], joined = self._share_new_vertices(grids, new["grids"],
                                                                    old_ids, new_ids)
                    old_ids, new_ids = old_ids | joined, new_ids | joined
                    self.joined_grid_ids = frozenset(joined)
                self._guard(grids, new["grids"], old_ids, new_ids)
            except shapely.errors.GEOSException as exc:
                raise GridEditError(
                    f"the shapes involved cannot be edited ({exc}); run 'gridplanner check' "
                    "to find invalid grids and repair them first") from exc
            self._before = {name: project.layer(name) for name in new}
            self._after = new
            self.changed_grid_ids = frozenset(old_ids | new_ids)
            after = new
        for name, frame in after.items():
            project.set_layer(name, frame)
        self._recount(project)

    def undo(self, project: Project) -> None:
        """Put back the layers as they were before :meth:`do`."""
        if not self._before:
            raise GridEditError(f"'{self.description}' has not been done, so it cannot be undone")
        for name, frame in self._before.items():
            project.set_layer(name, frame)
        self._recount(project)

    # -- to implement
    def _apply(self, project: Project, grids: gpd.GeoDataFrame
               ) -> tuple[dict[str, gpd.GeoDataFrame], set[str], set[str]]:
        raise NotImplementedError

    # -- shared
    def _check_editable(self, grids: gpd.GeoDataFrame, positions: Iterable[int]) -> None:
        ids = grids["grid_id"].astype(str).to_numpy()
        for pos in positions:
            if not self.touches_locked and _is_locked(grids, pos):
                raise GridEditError(f"grid {ids[pos]} is locked: unlock it first to change it")
            if self.community_id is not None and _community(grids, pos) != self.community_id:
                raise GridEditError(
                    f"grid {ids[pos]} belongs to community '{_community(grids, pos)}', not to "
                    f"the selected community '{self.community_id}': select that community "
                    "to edit it")

    def _editable(self, grids: gpd.GeoDataFrame, positions: np.ndarray) -> np.ndarray:
        """Mask of ``positions`` this command may change (unlocked, in its community)."""
        ok = np.ones(len(positions), dtype=bool)
        if "locked" in grids.columns:
            locked = grids["locked"].to_numpy()[positions]
            ok &= ~np.asarray(pd.Series(locked).fillna(False).astype(bool))
        if self.community_id is not None and "community_id" in grids.columns:
            ok &= grids["community_id"].fillna("").astype(str).to_numpy()[positions] \
                == self.community_id
        return ok

    def _share_new_vertices(self, old: gpd.GeoDataFrame, new: gpd.GeoDataFrame,
                            old_ids: set[str], new_ids: set[str]
                            ) -> tuple[gpd.GeoDataFrame, set[str]]:
        """Insert the edit's new corners into every grid whose edge they lie on.

        A corner the edit made (a split's cut point, a reshape line's end) that lies
        mid-edge of another grid becomes a vertex of that grid too, so the corner is
        a shared vertex that moves with all its grids. Grids the command may not change
        (locked, other community) are left as they are. Returns the frame and the ids
        of the grids that gained a vertex besides those the edit changed.
        """
        new_id = new["grid_id"].astype(str).to_numpy()
        old_id = old["grid_id"].astype(str).to_numpy()
        geoms = _geoms(new)
        made = np.flatnonzero(np.isin(new_id, list(new_ids)))
        before = np.flatnonzero(np.isin(old_id, list(old_ids)))
        if not len(made):
            return new, set()
        xy = shapely.get_coordinates(geoms[made])
        had = shapely.get_coordinates(_geoms(old)[before])
        key = xy[:, 0] + 1j * xy[:, 1]
        corners = np.unique(xy[~np.isin(key, had[:, 0] + 1j * had[:, 1])], axis=0)
        if not len(corners):
            return new, set()
        points = shapely.points(corners)
        pt, pos = shapely.STRtree(geoms).query(points, predicate="dwithin",
                                               distance=_SHARE_TOL_M)
        updates: dict[int, Any] = {}
        for p in np.unique(pos):
            here = corners[pt[pos == p]]
            geom = geoms[p]
            for xy_k in here:
                geom = _with_vertex_at(geom, xy_k, _SHARE_TOL_M, exact=True)
            if not geom.equals_exact(geoms[p], 0):
                updates[int(p)] = geom
        if not updates:
            return new, set()
        changed = np.fromiter(updates, dtype=np.int64)
        allowed = changed[self._editable(new, changed)]
        if not len(allowed):
            return new, set()
        joined = {str(new_id[p]) for p in allowed} - set(new_ids)
        return _with_geometry(new, {int(p): updates[int(p)] for p in allowed}), joined

    def _guard(self, old: gpd.GeoDataFrame, new: gpd.GeoDataFrame, old_ids: set[str],
               new_ids: set[str]) -> None:
        old_id = old["grid_id"].astype(str).to_numpy()
        new_id = new["grid_id"].astype(str).to_numpy()
        old_pos = np.flatnonzero(np.isin(old_id, list(old_ids)))
        new_pos = np.flatnonzero(np.isin(new_id, list(new_ids)))
        self._check_editable(old, old_pos)
        if len(set(new_id)) != len(new_id) and len(set(old_id)) == len(old_id):
            raise GridEditError("the edit would give two grids the same code")
        if not self.changes_geometry:
            return
        og = _geoms(old)[old_pos]
        ng = _geoms(new)[new_pos]
        empty = shapely.is_missing(ng) | shapely.is_empty(ng)
        if empty.any() or (shapely.area(ng) <= 0).any():
            raise GridEditError("the edit would leave a grid empty: merge the grids instead")
        if not shapely.is_valid(ng).all():
            raise GridEditError("the edit would make an invalid (self-crossing) grid shape: "
                                "draw the line again without crossing itself")
        if (part_count(ng) > max(1, int(part_count(og).max(initial=1)))).any():
            raise GridEditError("the edit would split a grid into separate pieces: each grid "
                                "must stay one piece")
        old_union = shapely.union_all(og)
        new_union = shapely.union_all(ng)
        total = float(shapely.area(og).sum())
        tol = _REL_TOL * total + 1e-6
        moved = float(shapely.area(shapely.symmetric_difference(old_union, new_union)))
        if moved > tol:
            raise GridEditError(
                f"the edit would open a gap or cover new ground ({moved:,.1f} m² changes "
                "hands with no grid): keep shared vertices and lines inside the grids edited")
        old_overlap = total - float(shapely.area(old_union))
        new_overlap = float(shapely.area(ng).sum()) - float(shapely.area(new_union))
        if new_overlap > old_overlap + tol:
            raise GridEditError(
                f"the edit would make grids overlap by {new_overlap - old_overlap:,.1f} m²: "
                "move the vertex or line less far")

    def _recount(self, project: Project) -> None:
        grids = project.layer("grids")
        households = project.layer("households")
        ids = grids["grid_id"].astype(str).to_numpy()
        pos = np.flatnonzero(np.isin(ids, list(self.changed_grid_ids)))
        counts = count_households(_geoms(grids)[pos], households)
        self.household_counts = {str(ids[p]): int(c) for p, c in zip(pos, counts, strict=True)}


class MoveSharedVertex(GridCommand):
    """Move a vertex together with every grid that shares it.

    Parameters
    ----------
    from_xy, to_xy
        Where the vertex is and where it goes (layer CRS, metres).
    tolerance_m
        Grid vertices within this distance of ``from_xy`` move; a grid whose edge
        passes within it without a vertex there gets one, so neighbours stay joined.
    """

    kind = "move_vertex"

    def __init__(self, from_xy: Sequence[float], to_xy: Sequence[float], tolerance_m: float = 0.5,
                 *, community_id: str | None = None) -> None:
        super().__init__(community_id=community_id)
        self.from_xy = (float(from_xy[0]), float(from_xy[1]))
        self.to_xy = (float(to_xy[0]), float(to_xy[1]))
        self.tolerance_m = float(tolerance_m)
        self.params = {"from_xy": self.from_xy, "to_xy": self.to_xy, "grid_ids": []}

    @property
    def description(self) -> str:
        """English description."""
        ids = ", ".join(self.params["grid_ids"]) or "grids"
        return f"Move a shared vertex of {ids}"

    def _apply(self, project: Project, grids: gpd.GeoDataFrame
               ) -> tuple[dict[str, gpd.GeoDataFrame], set[str], set[str]]:
        if self.from_xy == self.to_xy:
            raise GridEditError("the vertex does not move: drag it to a new place")
        geoms = _geoms(grids)
        origin = shapely.Point(self.from_xy)
        tree = shapely.STRtree(geoms)
        near = tree.query(origin, predicate="dwithin", distance=self.tolerance_m)
        # A grid containing the point is not enough: its boundary must pass near it.
        near = near[shapely.distance(shapely.boundary(geoms[near]), origin)
                    <= self.tolerance_m]
        ids = grids["grid_id"].astype(str).to_numpy()
        updates: dict[int, Any] = {}
        target = np.array(self.to_xy)
        for pos in sorted(int(p) for p in near):
            geom = _with_vertex_at(geoms[pos], np.array(self.from_xy), self.tolerance_m)

            def move(coords: np.ndarray) -> np.ndarray:
                d = np.hypot(coords[:, 0] - self.from_xy[0], coords[:, 1] - self.from_xy[1])
                out = coords.copy()
                out[d <= self.tolerance_m] = target
                return out

            moved = shapely.transform(geom, move)
            if not moved.equals_exact(geoms[pos], 0):
                updates[pos] = moved
        if not updates:
            raise GridEditError(
                f"no grid boundary passes within {self.tolerance_m:g} m of "
                f"({self.from_xy[0]:.1f}, {self.from_xy[1]:.1f}): pick a vertex on a grid edge")
        # Collapsed repeated points are harmless; remove them so shapes stay valid.
        for pos, geom in updates.items():
            updates[pos] = _clean(shapely.make_valid(geom)) if not shapely.is_valid(geom) else geom
        changed = {str(ids[p]) for p in updates}
        self.params["grid_ids"] = sorted(changed)
        return {"grids": _with_geometry(grids, updates)}, changed, changed


def _with_vertex_at(geom: Any, xy: np.ndarray, tol: float, *, exact: bool = False) -> Any:
    """Return ``geom`` with a vertex on its boundary nearest ``xy``.

    Only when it has none within ``tol``, so a T-junction neighbour moves along.
    The new vertex is the nearest boundary point, or ``xy`` itself when ``exact``
    (so two grids get the very same coordinates).
    """
    coords = shapely.get_coordinates(geom)
    if len(coords) and (np.hypot(*(coords - xy).T) <= tol).any():
        return geom
    boundary = shapely.boundary(geom)
    dist = float(shapely.distance(boundary, shapely.Point(xy)))
    if dist > tol:
        return geom
    polys = shapely.get_parts(geom)
    best: tuple[float, int, int, int, np.ndarray] | None = None
    rings_all: list[list[np.ndarray]] = []
    for pi, poly in enumerate(polys):
        rings = [np.asarray(poly.exterior.coords)] + [np.asarray(r.coords)
                                                       for r in poly.interiors]
        rings_all.append(rings)
        for ri, ring in enumerate(rings):
            a, b = ring[:-1], ring[1:]
            ab = b - a
            denom = np.einsum("ij,ij->i", ab, ab)
            with np.errstate(divide="ignore", invalid="ignore"):
                t = np.clip(np.einsum("ij,ij->i", xy - a, ab) / denom, 0, 1)
            t = np.nan_to_num(t)
            proj = a + ab * t[:, None]
            d = np.hypot(*(proj - xy).T)
            k = int(np.argmin(d))
            if best is None or d[k] < best[0]:
                best = (float(d[k]), pi, ri, k, proj[k])
    assert best is not None
    _, pi, ri, k, point = best
    ring = rings_all[pi][ri]
    rings_all[pi][ri] = np.vstack([ring[: k + 1], xy if exact else point, ring[k + 1:]])
    new_polys = [shapely.Polygon(r[0], r[1:]) for r in rings_all]
    return new_polys[0] if shapely.get_type_id(geom) == 3 else shapely.MultiPolygon(new_polys)


class ReshapeBoundary(GridCommand):
    """Redraw part of the boundary shared by two grids with a drawn line.

    The line must start and end on the shared boundary (within ``tolerance_m``)
    and stay inside the two grids; the area between the old boundary and the line
    changes hands.
    """

    kind = "reshape_boundary"

    def __init__(self, grid_a: str, grid_b: str, line: LineLike, *, tolerance_m: float = 1.0,
                 community_id: str | None = None) -> None:
        super().__init__(community_id=community_id)
        self.grid_a, self.grid_b = str(grid_a), str(grid_b)
        self.line = _line(line)
        self.tolerance_m = float(tolerance_m)
        self.params = {"grid_a": self.grid_a, "grid_b": self.grid_b}

    @property
    def description(self) -> str:
        """English description."""
        return f"Reshape the boundary between {self.grid_a} and {self.grid_b}"

    def _apply(self, project: Project, grids: gpd.GeoDataFrame
               ) -> tuple[dict[str, gpd.GeoDataFrame], set[str], set[str]]:
        pa, pb = _positions(grids, [self.grid_a, self.grid_b])
        if pa == pb:
            raise GridEditError("choose two different grids to reshape their shared boundary")
        self._check_editable(grids, [pa, pb])
        geoms = _geoms(grids)
        a, b = geoms[pa], geoms[pb]
        shared = shapely.line_merge(polygonal_boundary_intersection(a, b))
        if shapely.length(shared) <= 0:
            raise GridEditError(f"grids {self.grid_a} and {self.grid_b} share no boundary")
        start, end = shapely.Point(self.line.coords[0]), shapely.Point(self.line.coords[-1])
        parts = shapely.get_parts(shared)
        d_start = shapely.distance(parts, start)
        d_end = shapely.distance(parts, end)
        k = int(np.argmin(d_start + d_end))
        s = parts[k]
        if d_start[k] > self.tolerance_m or d_end[k] > self.tolerance_m:
            raise GridEditError(
                f"the line must start and end on the boundary shared by {self.grid_a} and "
                f"{self.grid_b} (within {self.tolerance_m:g} m); it is "
                f"{max(d_start[k], d_end[k]):.1f} m away")
        dp, dq = float(s.project(start)), float(s.project(end))
        p, q = s.interpolate(dp), s.interpolate(dq)
        inner = list(self.line.coords)[1:-1]
        back = substring(s, dq, dp)
        back_coords = list(back.coords) if shapely.get_type_id(back) == 1 else []
        ring = [p.coords[0], *inner, q.coords[0], *back_coords[1:-1], p.coords[0]]
        if len(ring) < 4:
            raise GridEditError("the line does not enclose any area: draw it away from the "
                                "current boundary")
        region = _clean(shapely.make_valid(shapely.Polygon(ring)))
        if shapely.area(region) <= _CRUMB_M2:
            raise GridEditError("the line does not move the boundary")
        union = shapely.union_all([a, b])
        outside = float(shapely.area(shapely.difference(region, union)))
        if outside > _REL_TOL * float(shapely.area(union)) + 1e-6:
            raise GridEditError(
                f"the line leaves grids {self.grid_a} and {self.grid_b} ({outside:,.1f} m² "
                "outside them): keep it inside the two grids")
        new_a = _clean(shapely.union_all([shapely.difference(a, region),
                                          shapely.intersection(b, region)]))
        new_b = _clean(shapely.union_all([shapely.difference(b, region),
                                          shapely.intersection(a, region)]))
        changed = {self.grid_a, self.grid_b}
        return {"grids": _with_geometry(grids, {pa: new_a, pb: new_b})}, changed, changed


def polygonal_boundary_intersection(a: Any, b: Any) -> Any:
    """Return the boundary two polygons share, as lines (touching points dropped)."""
    inter = shapely.intersection(shapely.boundary(a), shapely.boundary(b))
    parts = shapely.get_parts(inter)
    lines = parts[np.isin(shapely.get_type_id(parts), (1, 5))]
    return shapely.union_all(lines) if len(lines) else shapely.LineString()


class SplitGrid(GridCommand):
    """Split a grid in two (or more) along a line drawn across it.

    The largest piece keeps the grid's code and name unless ``new_ids`` names every
    piece (largest first); other pieces get the community's next free codes and the
    name followed by (2), (3) ... (the first not used by another grid).
    """

    kind = "split"

    def __init__(self, grid_id: str, line: LineLike, new_ids: Sequence[str] | None = None,
                 *, community_id: str | None = None) -> None:
        super().__init__(community_id=community_id)
        self.grid_id = str(grid_id)
        self.line = _line(line)
        self.new_ids = [str(x) for x in new_ids] if new_ids else None
        self.params = {"grid_id": self.grid_id, "new_ids": list(self.new_ids or [])}

    @property
    def description(self) -> str:
        """English description."""
        made = self.params["new_ids"]
        into = f" into {', '.join(made)}" if made else ""
        return f"Split grid {self.grid_id}{into}"

    def _apply(self, project: Project, grids: gpd.GeoDataFrame
               ) -> tuple[dict[str, gpd.GeoDataFrame], set[str], set[str]]:
        (pos,) = _positions(grids, [self.grid_id])
        self._check_editable(grids, [pos])
        geom = _geoms(grids)[pos]
        pieces = np.asarray(shapely.get_parts(split_polygon(geom, self.line)), dtype=object)
        pieces = pieces[np.isin(shapely.get_type_id(pieces), (3, 6))]
        pieces = pieces[shapely.area(pieces) > _CRUMB_M2]
        if len(pieces) < 2:
            raise GridEditError(
                f"the line does not cross grid {self.grid_id}: draw it from one side of the "
                "grid to the other")
        pieces = pieces[np.argsort(-shapely.area(pieces), kind="stable")]
        if self.new_ids is not None:
            if len(self.new_ids) != len(pieces):
                raise GridEditError(
                    f"the line cuts grid {self.grid_id} into {len(pieces)} pieces but "
                    f"{len(self.new_ids)} new codes were given")
            codes = list(self.new_ids)
        else:
            codes = [self.grid_id, *next_grid_ids(grids, _community(grids, pos),
                                                  len(pieces) - 1)]
        existing = set(grids["grid_id"].astype(str)) - {self.grid_id}
        clash = [c for c in codes if c in existing]
        if clash or len(set(codes)) != len(codes):
            raise GridEditError(f"grid code {', '.join(clash) or codes[0]} is already used: "
                                "choose unused codes")
        self.params["new_ids"] = codes
        new = _with_geometry(grids, {pos: pieces[0]})
        new.loc[new.index[pos], "grid_id"] = codes[0]
        extra = grids.iloc[[pos] * (len(pieces) - 1)].copy()
        extra["grid_id"] = codes[1:]
        if "name" in grids.columns:
            extra["name"] = _piece_names(grids, pos, codes[1:])
        extra[grids.geometry.name] = gpd.GeoSeries(list(pieces[1:]), index=extra.index,
                                                   crs=grids.crs)
        out = pd.concat([new, extra], ignore_index=True)
        frame = gpd.GeoDataFrame(out, geometry=grids.geometry.name, crs=grids.crs)
        return {"grids": frame}, {self.grid_id}, set(codes)


def _piece_names(grids: gpd.GeoDataFrame, pos: int, codes: list[str]) -> list[str]:
    """Distinct names for the new pieces of a split: the grid's name plus (2), (3) ...

    A grid without a name gives its new pieces their codes as names.
    """
    value = grids["name"].iloc[pos]
    base = "" if pd.isna(value) else str(value).strip()
    if not base:
        return list(codes)
    used = set(grids["name"].dropna().astype(str))
    out: list[str] = []
    k = 2
    while len(out) < len(codes):
        name = f"{base} ({k})"
        if name not in used:
            out.append(name)
            used.add(name)
        k += 1
    return out


class MergeGrids(GridCommand):
    """Merge neighbouring grids of one community into one.

    The merged grid keeps ``keep_id``'s attributes; other numeric columns (counts)
    are summed and ``merged_from`` records the merged codes.
    """

    kind = "merge"

    def __init__(self, grid_ids: Sequence[str], keep_id: str | None = None, *,
                 community_id: str | None = None) -> None:
        super().__init__(community_id=community_id)
        self.grid_ids = [str(g) for g in grid_ids]
        self.keep_id = str(keep_id) if keep_id is not None else (
            self.grid_ids[0] if self.grid_ids else "")
        self.params = {"grid_ids": self.grid_ids, "keep_id": self.keep_id}

    @property
    def description(self) -> str:
        """English description."""
        return f"Merge grids {', '.join(self.grid_ids)} into {self.keep_id}"

    def _apply(self, project: Project, grids: gpd.GeoDataFrame
               ) -> tuple[dict[str, gpd.GeoDataFrame], set[str], set[str]]:
        if len(set(self.grid_ids)) < 2:
            raise GridEditError("choose at least two different grids to merge")
        if self.keep_id not in self.grid_ids:
            raise GridEditError(f"the code to keep, {self.keep_id}, is not one of the merged "
                                "grids")
        positions = _positions(grids, self.grid_ids)
        self._check_editable(grids, positions)
        communities = {_community(grids, p) for p in positions}
        if len(communities) > 1:
            raise GridEditError(f"grids {', '.join(self.grid_ids)} belong to different "
                                f"communities ({', '.join(sorted(communities))}): a grid must "
                                "stay inside one community")
        geoms = _geoms(grids)[positions]
        merged = _clean(shapely.union_all(geoms))
        if part_count(np.array([merged]))[0] > 1:
            apart = _unconnected(geoms, self.grid_ids)
            raise GridEditError(f"grids {apart} do not share a boundary with the others, so "
                                "they cannot be merged: merge neighbouring grids only")
        keep = positions[self.grid_ids.index(self.keep_id)]
        new = _with_geometry(grids, {keep: merged})
        schema_cols = {"grid_id", "name", "community_id", "kind", "locked", "merged_from",
                       grids.geometry.name}
        for col in grids.columns:
            if col not in schema_cols and pd.api.types.is_numeric_dtype(grids[col]) and not (
                    pd.api.types.is_bool_dtype(grids[col])):
                new.loc[new.index[keep], col] = grids[col].iloc[positions].sum()
        new["merged_from"] = grids["merged_from"] if "merged_from" in grids.columns else ""
        new["merged_from"] = new["merged_from"].fillna("").astype(str)
        new.loc[new.index[keep], "merged_from"] = ";".join(self.grid_ids)
        drop = [p for p in positions if p != keep]
        new = new.drop(index=new.index[drop]).reset_index(drop=True)
        return {"grids": new}, set(self.grid_ids), {self.keep_id}


def _unconnected(geoms: np.ndarray, ids: list[str]) -> str:
    touching = shapely.intersects(geoms[:, None], geoms[None, :])
    alone = [ids[i] for i in range(len(ids))
             if not any(touching[i, j] and shapely.length(polygonal_boundary_intersection(
                 geoms[i], geoms[j])) > 0 for j in range(len(ids)) if j != i)]
    return ", ".join(alone or ids)


class ReassignHouseholds(GridCommand):
    """Move household points to a neighbouring grid, redrawing the boundary.

    The ground moved is the set of the selected points' cells (Voronoi cells of the
    household points of their current grid, clipped to it), so both grids stay one
    piece when the selection lies next to the target grid.
    """

    kind = "reassign_households"

    def __init__(self, household_ids: Sequence[str], to_grid_id: str, *,
                 community_id: str | None = None) -> None:
        super().__init__(community_id=community_id)
        self.household_ids = [str(h) for h in household_ids]
        self.to_grid_id = str(to_grid_id)
        self.params = {"household_ids": self.household_ids, "to_grid_id": self.to_grid_id,
                       "from_grid_ids": []}

    @property
    def description(self) -> str:
        """English description."""
        n = len(self.household_ids)
        return f"Reassign {n} household point{'s' if n != 1 else ''} to grid {self.to_grid_id}"

    def _apply(self, project: Project, grids: gpd.GeoDataFrame
               ) -> tuple[dict[str, gpd.GeoDataFrame], set[str], set[str]]:
        households = project.layer("households")
        if not len(households):
            raise GridEditError("the project has no households layer")
        (target,) = _positions(grids, [self.to_grid_id])
        hh_ids = households["household_id"].astype(str).to_numpy()
        chosen = np.flatnonzero(np.isin(hh_ids, self.household_ids))
        unknown = sorted(set(self.household_ids) - set(hh_ids[chosen]))
        if unknown:
            raise GridEditError(f"household {', '.join(unknown[:5])} not found in the "
                                "households layer")
        geoms = _geoms(grids)
        points = np.asarray(households.geometry.array, dtype=object)
        member = point_membership(geoms, points)
        sources = member.grid_index[chosen]
        if (sources < 0).any():
            lost = hh_ids[chosen[sources < 0]]
            raise GridEditError(f"household {', '.join(lost[:5])} lies in no grid; draw a grid "
                                "around it first")
        moving = chosen[sources != target]
        if not len(moving):
            raise GridEditError(f"the households are already in grid {self.to_grid_id}")
        updates: dict[int, Any] = {}
        ids = grids["grid_id"].astype(str).to_numpy()
        grown = geoms[target]
        for src in np.unique(member.grid_index[moving]):
            self._check_editable(grids, [int(src)])
            inside = np.flatnonzero(member.grid_index == src)
            region = _cells_of(geoms[src], points[inside],
                               np.isin(inside, moving))
            rest = _clean(shapely.difference(geoms[src], region))
            if shapely.is_empty(rest) or shapely.area(rest) <= _CRUMB_M2:
                raise GridEditError(f"moving every household of grid {ids[src]} would leave it "
                                    f"empty: merge it into {self.to_grid_id} instead")
            grown = _clean(shapely.union_all([grown, region]))
            # Pieces of the source cut off from its main part go with the moved ground
            # when they touch the target, so both grids stay one piece.
            parts = shapely.get_parts(rest)
            if len(parts) > 1:
                main = int(np.argmax(shapely.area(parts)))
                detached = [p for i, p in enumerate(parts) if i != main]
                rest = parts[main]
                grown = _clean(shapely.union_all([grown, *detached]))
            updates[int(src)] = rest
        self._check_editable(grids, [target])
        if part_count(np.array([grown]))[0] > 1:
            raise GridEditError(
                f"the selected households are not next to grid {self.to_grid_id}: select the "
                "households between them and the grid too")
        updates[target] = grown
        changed = {str(ids[p]) for p in updates}
        self.params["from_grid_ids"] = sorted(changed - {self.to_grid_id})
        return {"grids": _with_geometry(grids, updates)}, changed, changed


def _cells_of(grid: Any, points: np.ndarray, selected: np.ndarray) -> Any:
    """Union of the Voronoi cells (clipped to ``grid``) of the selected points."""
    xy = shapely.get_coordinates(points)
    uniq, inverse = np.unique(np.round(xy, 6), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    picked = np.zeros(len(uniq), dtype=bool)
    picked[inverse[selected]] = True
    if picked.all():
        return grid
    cells = shapely.get_parts(shapely.voronoi_polygons(
        shapely.multipoints(uniq), extend_to=grid, ordered=True))
    region = shapely.union_all(cells[picked])
    return _clean(shapely.intersection(region, grid))


class RenameGrid(GridCommand):
    """Rename a grid and/or give it a new code (staff records follow the new code)."""

    kind = "rename"
    changes_geometry = False

    def __init__(self, grid_id: str, *, name: str | None = None, new_id: str | None = None,
                 community_id: str | None = None) -> None:
        super().__init__(community_id=community_id)
        self.grid_id = str(grid_id)
        self.name = name
        self.new_id = str(new_id).strip() if new_id is not None else None
        self.params = {"grid_id": self.grid_id, "name": name, "new_id": self.new_id}

    @property
    def description(self) -> str:
        """English description."""
        bits = []
        if self.new_id is not None and self.new_id != self.grid_id:
            bits.append(f"recode {self.grid_id} as {self.new_id}")
        if self.name is not None:
            bits.append(f"rename {self.new_id or self.grid_id} to '{self.name}'")
        return ("; ".join(bits) or f"rename {self.grid_id}").capitalize()

    def _apply(self, project: Project, grids: gpd.GeoDataFrame
               ) -> tuple[dict[str, gpd.GeoDataFrame], set[str], set[str]]:
        (pos,) = _positions(grids, [self.grid_id])
        self._check_editable(grids, [pos])
        new = grids.copy()
        out: dict[str, gpd.GeoDataFrame] = {"grids": new}
        if self.name is not None:
            new.loc[new.index[pos], "name"] = self.name
        new_code = self.grid_id
        if self.new_id is not None and self.new_id != self.grid_id:
            if not self.new_id:
                raise GridEditError("a grid code cannot be empty")
            if self.new_id in set(grids["grid_id"].astype(str)):
                raise GridEditError(f"grid code {self.new_id} is already used by another grid")
            new.loc[new.index[pos], "grid_id"] = self.new_id
            new_code = self.new_id
            staff = project.layers.get("staff")
            if staff is not None and len(staff) and "grid_id" in staff.columns:
                named = staff["grid_id"].fillna("").astype(str)
                hit = named.apply(lambda v: self.grid_id in staff_grid_ids(pd.Series([v])))
                if hit.any():
                    new_staff = staff.copy()
                    new_staff.loc[hit, "grid_id"] = named[hit].apply(
                        lambda v: ";".join(new_code if g == self.grid_id else g
                                           for g in staff_grid_ids(pd.Series([v]))))
                    out["staff"] = new_staff
        return out, {self.grid_id}, {new_code}


#: Recoding and renaming are one command; both names are kept for the app.
RecodeGrid = RenameGrid


class SetLocked(GridCommand):
    """Lock grids (no edit may change them) or unlock them."""

    kind = "set_locked"
    changes_geometry = False
    touches_locked = True

    def __init__(self, grid_ids: Sequence[str], locked: bool = True, *,
                 community_id: str | None = None) -> None:
        super().__init__(community_id=community_id)
        self.grid_ids = [str(g) for g in grid_ids]
        self.locked = bool(locked)
        self.params = {"grid_ids": self.grid_ids, "locked": self.locked}

    @property
    def description(self) -> str:
        """English description."""
        return f"{'Lock' if self.locked else 'Unlock'} grids {', '.join(self.grid_ids)}"

    def _apply(self, project: Project, grids: gpd.GeoDataFrame
               ) -> tuple[dict[str, gpd.GeoDataFrame], set[str], set[str]]:
        positions = _positions(grids, self.grid_ids)
        self._check_editable(grids, positions)
        new = grids.copy()
        if "locked" not in new.columns:
            new["locked"] = False
        new["locked"] = new["locked"].fillna(False).astype(bool)
        new.loc[new.index[positions], "locked"] = self.locked
        ids = set(self.grid_ids)
        return {"grids": new}, ids, ids


# ----------------------------------------------------------------------------- stack


class CommandStack:
    """Unlimited undo/redo over grid commands on one project.

    Parameters
    ----------
    project
        The project whose layers the commands change.
    community_id
        When set, commands may only change grids of this community (a command's own
        ``community_id`` wins when it has one).
    """

    def __init__(self, project: Project, *, community_id: str | None = None) -> None:
        self.project = project
        self.community_id = community_id
        self._commands: list[GridCommand] = []
        self._index = 0
        self._listeners: list[StackListener] = []
        self._busy = False
        project.subscribe(self._on_project_event)

    @property
    def index(self) -> int:
        """How many commands of :attr:`history` are applied."""
        return self._index

    @property
    def history(self) -> list[str]:
        """Descriptions of every command, applied ones first (up to :attr:`index`)."""
        return [c.description for c in self._commands]

    @property
    def commands(self) -> list[GridCommand]:
        """The command objects of :attr:`history`."""
        return list(self._commands)

    @property
    def can_undo(self) -> bool:
        """True when there is an applied command."""
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        """True when an undone command can be redone."""
        return self._index < len(self._commands)

    def subscribe(self, callback: StackListener) -> None:
        """Call ``callback(event, command)`` after each change of the stack.

        Events: ``pushed``, ``undone``, ``redone`` (with the command) and ``cleared``
        (with None).
        """
        self._listeners.append(callback)

    def unsubscribe(self, callback: StackListener) -> None:
        """Stop calling ``callback``."""
        if callback in self._listeners:
            self._listeners.remove(callback)

    def push(self, command: GridCommand) -> None:
        """Run ``command`` and add it to the history (dropping undone commands).

        Raises
        ------
        GridEditError
            When the command is refused; the project and the history are unchanged.
        """
        if command.community_id is None:
            command.community_id = self.community_id
        self._run(command.do)
        del self._commands[self._index:]
        self._commands.append(command)
        self._index += 1
        self._notify("pushed", command)

    def undo(self) -> GridCommand:
        """Undo the last applied command and return it."""
        if not self.can_undo:
            raise GridEditError("nothing to undo")
        command = self._commands[self._index - 1]
        self._run(command.undo)
        self._index -= 1
        self._notify("undone", command)
        return command

    def redo(self) -> GridCommand:
        """Redo the next undone command and return it."""
        if not self.can_redo:
            raise GridEditError("nothing to redo")
        command = self._commands[self._index]
        self._run(command.do)
        self._index += 1
        self._notify("redone", command)
        return command

    def clear(self) -> None:
        """Forget the history (the layers stay as they are)."""
        self._commands.clear()
        self._index = 0
        self._notify("cleared", None)

    def close(self) -> None:
        """Stop listening to the project."""
        self.project.unsubscribe(self._on_project_event)

    def _run(self, action: Callable[[Project], None]) -> None:
        self._busy = True
        try:
            action(self.project)
        finally:
            self._busy = False

    def _on_project_event(self, event: str, name: str) -> None:
        if self._busy or name not in ("grids", "staff"):
            return
        if event in ("layer_changed", "layer_removed") and self._commands:
            self.clear()

    def _notify(self, event: str, command: GridCommand | None) -> None:
        for listener in list(self._listeners):
            listener(event, command)
