"""The grid-local coverage engine shared by the full run and the incremental update.

Every figure of a grid depends only on the footprints that touch the grid, the
households, intersections and road stretches inside it, and the grid's outline.
:class:`CoverageEngine` keeps those inputs as arrays and spatial indexes and
computes the figures of any set of grids in one vectorised pass:

1. footprints touching the grids: one STRtree query, pairs (grid, footprint);
2. per grid and camera-category set, the union of those footprints: one
   ``shapely.multipolygons`` per set (parts grouped by grid) and one ``buffer(0)``
   (GEOS merges overlapping parts), then clipped to the grid; "all" is the union
   of the category-1 and category-2/3 unions (plus any uncategorised cameras);
3. households, intersections and road pieces: paired with the footprints
   touching their grids by bounding box in numpy (:func:`box_pairs`), each pair
   tested against the prepared footprint straight from the point's coordinates
   (``intersects_xy``, boundary included); a point is covered by a category set
   when a footprint of the set covers it, then ``bincount`` per grid (weighted
   by ``households`` and by piece length). Testing the footprints themselves
   rather than the clipped unions is cheaper (a point meets one or two
   footprints) and exact for points on a grid's edge, where the clipped union's
   edge is off by rounding.

Walkable roads are cut once into pieces of at most ``road_step_m`` (5 m by
default) and each piece counts as covered when its midpoint is, and belongs to
the grid holding its midpoint. This measures road shares to within half a step
per place where a road enters or leaves a view, without overlaying lines with
polygons (GEOS line/polygon overlay of unnoded road networks took seconds per
hundred grids). The gap of a grid (the grid minus its "all" union) is drawn only
when a result is asked for.

So the whole district is never intersected with one giant union (which costs
minutes at city scale), and a one-grid recompute touches only that grid. The
full run splits the grids into chunks run on worker threads (shapely releases
the GIL).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import shapely

from gridplanner.coverage.chunked import get_parts, grouped
from gridplanner.coverage.footprints import masked
from gridplanner.locate import first_grid

#: Camera-category sets every figure is given for.
CATEGORY_SETS: tuple[str, ...] = ("all", "cat1", "cat23")

_EMPTY = shapely.MultiPolygon()


#: Box x point comparisons below which :func:`box_pairs` compares all pairs directly.
_DENSE_PAIRS = 1 << 18

#: Length (m) of the pieces walkable roads are cut into for measuring coverage.
ROAD_STEP_M = 5.0


@dataclass
class GridBlock:
    """Figures of a set of grids (positions ``grid`` in the engine's grid arrays).

    Covered amounts are arrays of shape (3, n) in the order of :data:`CATEGORY_SETS`.
    """

    grid: np.ndarray
    area_m2: np.ndarray
    covered_m2: np.ndarray
    households: np.ndarray
    covered_households: np.ndarray
    road_m: np.ndarray
    covered_road_m: np.ndarray
    intersections: np.ndarray
    covered_intersections: np.ndarray
    cameras: np.ndarray
    covered: np.ndarray  # (3, n) object: covered polygons within each grid


class _PointSet:
    """Weighted points, their grid and their coverage flags per category set."""

    def __init__(self, x: np.ndarray, y: np.ndarray, weight: np.ndarray,
                 points: np.ndarray | None = None) -> None:
        self.x = np.ascontiguousarray(x, dtype="float64")
        self.y = np.ascontiguousarray(y, dtype="float64")
        self.weight = np.asarray(weight, dtype="float64")
        self.grid = np.full(len(self.x), -1, dtype="int64")
        self.covered = np.zeros((3, len(self.x)), dtype=bool)
        self._points = points
        self._tree: shapely.STRtree | None = None
        self._x_order: np.ndarray | None = None
        self._grid_index: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._x_sorted = np.empty(0)

    @classmethod
    def from_points(cls, points: np.ndarray, weight: np.ndarray) -> _PointSet:
        """Build from point geometries (missing or empty ones never match)."""
        points = np.asarray(points, dtype=object)
        xy = np.full((len(points), 2), np.nan)
        ok = ~shapely.is_missing(points) & ~shapely.is_empty(points)
        if ok.any():
            xy[ok] = shapely.get_coordinates(points[ok])[:, :2]
        return cls(xy[:, 0], xy[:, 1], weight, points)

    @property
    def points(self) -> np.ndarray:
        """Point geometries (made on first use)."""
        if self._points is None:
            self._points = np.asarray(shapely.points(self.x, self.y), dtype=object)
        return self._points

    def members(self, grids: np.ndarray, in_set: np.ndarray) -> np.ndarray:
        """Positions (ascending) of the points in ``grids`` (``in_set`` flags them).

        A handful of grids (an edit) are looked up in the points sorted by grid
        (made on first use) plus the points that changed grid since (see
        :meth:`moved`); many grids scan the flags.
        """
        if len(grids) > 32:
            return np.flatnonzero(in_set[self.grid])
        index = self._grid_index
        if index is None:
            # One tuple assigned at once: worker threads may build it side by side.
            order = np.argsort(self.grid, kind="stable")
            index = self._grid_index = (order, self.grid[order], np.empty(0, dtype="int64"))
        order, sorted_grid, moved = index
        lo = np.searchsorted(sorted_grid, grids, side="left")
        hi = np.searchsorted(sorted_grid, grids, side="right")
        cand = np.unique(np.concatenate([order[a:b] for a, b in zip(lo, hi, strict=True)]
                                        + [moved]))
        return cand[in_set[self.grid[cand]]]

    def moved(self, idx: np.ndarray) -> None:
        """Note points whose grid changed: looked up beside the (now stale) index.

        The index is dropped once many points have moved, and rebuilt on next use.
        """
        index = self._grid_index
        if index is None or not len(idx):
            return
        order, sorted_grid, moved = index
        moved = np.union1d(moved, idx)
        self._grid_index = (None if len(moved) > max(10_000, len(self.x) // 20)
                            else (order, sorted_grid, moved))

    def intersecting(self, geoms: np.ndarray) -> np.ndarray:
        """Positions of the points in or on any of ``geoms`` (a handful of polygons).

        Uses the points sorted by x (made on first use, a fraction of the cost of a
        tree over point geometries): each polygon scans the run of points within
        its x range, filters by its y range and tests the rest from coordinates.
        """
        if self._x_order is None:
            self._x_order = np.argsort(self.x, kind="stable")
            self._x_sorted = self.x[self._x_order]
        found = [np.empty(0, dtype="int64")]
        for geom, (x0, y0, x1, y1) in zip(geoms, shapely.bounds(geoms), strict=True):
            lo = int(np.searchsorted(self._x_sorted, x0, side="left"))
            hi = int(np.searchsorted(self._x_sorted, x1, side="right"))
            cand = self._x_order[lo:hi]
            cand = cand[(self.y[cand] >= y0) & (self.y[cand] <= y1)]
            hit = np.asarray(shapely.intersects_xy(geom, self.x[cand], self.y[cand]), dtype=bool)
            found.append(cand[hit])
        return np.unique(np.concatenate(found))

    @property
    def tree(self) -> shapely.STRtree:
        """STRtree over the points (built on first use: only grid edits need it)."""
        if self._tree is None:
            self._tree = shapely.STRtree(self.points)
        return self._tree


class CoverageEngine:
    """Arrays and indexes of one coverage run; see the module docstring.

    Parameters
    ----------
    grid_geoms
        Grid polygons.
    footprints
        Visible footprint per camera (None where the camera is not counted).
    category
        Camera category per footprint (0 = unknown: counted under "all" only).
    hh_points, hh_weight
        Household points and their ``households`` counts.
    ix_points
        Intersection points.
    roads
        Walkable road lines.
    road_step_m
        Length of the pieces roads are measured in.
    workers
        Threads used by :meth:`compute` on large grid sets.
    """

    def __init__(
        self,
        grid_geoms: np.ndarray,
        footprints: np.ndarray,
        category: np.ndarray,
        hh_points: np.ndarray,
        hh_weight: np.ndarray,
        ix_points: np.ndarray,
        roads: np.ndarray,
        *,
        road_step_m: float = ROAD_STEP_M,
        workers: int = 2,
    ) -> None:
        self.grid_geoms = np.asarray(grid_geoms, dtype=object).copy()
        self.footprints = np.asarray(footprints, dtype=object).copy()
        self.category = np.asarray(category, dtype="int64").copy()
        self.workers = max(int(workers), 1)
        self.alive = ~shapely.is_missing(self.footprints) & ~shapely.is_empty(self.footprints)
        self.grid_tree = shapely.STRtree(self.grid_geoms)
        shapely.prepare(self.grid_geoms)
        # Prepared once here, before any worker thread tests points against them.
        shapely.prepare(self.footprints[self.alive])
        road_lines = np.asarray(roads, dtype=object)

        def households() -> _PointSet:
            ps = _PointSet.from_points(hh_points, hh_weight)
            ps.grid = self._assign_xy(ps.x, ps.y, _private(self.grid_geoms))
            return ps

        def intersections() -> _PointSet:
            ps = _PointSet.from_points(ix_points, np.ones(len(ix_points)))
            ps.grid = self._assign_xy(ps.x, ps.y, _private(self.grid_geoms))
            return ps

        def pieces() -> tuple[np.ndarray, _PointSet]:
            ends, length, line = road_pieces(road_lines, step_m=road_step_m)
            mid = 0.5 * (ends[:, :2] + ends[:, 2:])
            ps = _PointSet(mid[:, 0], mid[:, 1], length)
            ps.grid = self._assign_pieces(road_lines, line, ps, _private(self.grid_geoms))
            return ends, ps

        # Independent preparations: run side by side (GEOS releases the GIL). Each
        # job tests its own prepared copy of the grids: GEOS prepared geometries
        # build their indexes lazily and are not safe to share between threads.
        with ThreadPoolExecutor(self.workers) as pool:
            jobs = (pool.submit(households), pool.submit(intersections), pool.submit(pieces))
            self._fp_tree = shapely.STRtree(masked(self.footprints, self.alive))
            self._fp_tree_size = len(self.footprints)
            self.households = jobs[0].result()
            self.intersections = jobs[1].result()
            self.road_pieces, self.roads = jobs[2].result()

    @property
    def point_sets(self) -> tuple[_PointSet, _PointSet, _PointSet]:
        """Households, intersections and road pieces."""
        return self.households, self.intersections, self.roads

    # -- assignment of points to grids -------------------------------------------

    def reassign(self, old_geoms: np.ndarray, grids: np.ndarray) -> np.ndarray:
        """Re-assign points near changed grids; return every grid whose points moved.

        Parameters
        ----------
        old_geoms
            Outlines the changed grids had before (None for new grids).
        grids
            Positions of the changed grids (their new outlines already set).
        """
        self.grid_tree = shapely.STRtree(self.grid_geoms)
        touched = {int(g) for g in grids}
        area = np.concatenate([np.asarray(old_geoms, dtype=object), self.grid_geoms[grids]])
        area = area[~shapely.is_missing(area) & ~shapely.is_empty(area)]
        if not len(area):
            return np.array(sorted(touched), dtype="int64")
        for ps in self.point_sets:
            if not len(ps.x):
                continue
            pts = ps.intersecting(area)
            if not len(pts):
                continue
            before = ps.grid[pts]
            after = self._assign_xy(ps.x[pts], ps.y[pts])
            ps.grid[pts] = after
            # Only grids that gained or lost points need a recompute (points on a
            # neighbour's shared edge are found by the query but stay put).
            changed = before != after
            ps.moved(pts[changed])
            moved = np.unique(np.concatenate([before[changed], after[changed]]))
            touched.update(int(g) for g in moved[moved >= 0])
        return np.array(sorted(touched), dtype="int64")

    def _assign_pieces(self, lines: np.ndarray, piece_line: np.ndarray,
                       ps: _PointSet, grid_geoms: np.ndarray) -> np.ndarray:
        """Grid of each road piece's midpoint, testing only grids its road touches."""
        out = np.full(len(ps.x), -1, dtype="int64")
        if not len(out) or not len(grid_geoms):
            return out
        # Bounding-box pairs, then the exact test against the prepared grids: faster
        # than a predicate query, which prepares every road line instead.
        line, grid = self.grid_tree.query(lines)
        meets = np.asarray(shapely.intersects(grid_geoms[grid], lines[line]), dtype=bool)
        line, grid = line[meets], grid[meets]
        start = np.searchsorted(piece_line, np.arange(len(lines)))
        count = np.searchsorted(piece_line, np.arange(len(lines)), side="right") - start
        # Most roads lie inside a single grid: their pieces need no test.
        touches = np.bincount(line, minlength=len(lines))
        single = touches[line] == 1
        inside = np.zeros(len(line), dtype=bool)
        inside[single] = shapely.covers(grid_geoms[grid[single]], lines[line[single]])
        whole = np.repeat(inside, count[line])
        piece_all = np.repeat(start[line], count[line]) + (
            np.arange(int(count[line].sum()))
            - np.repeat(np.cumsum(count[line]) - count[line], count[line]))
        out[piece_all[whole]] = np.repeat(grid[inside], count[line][inside])
        line, grid = line[~inside], grid[~inside]
        reps = count[line]
        piece = np.repeat(start[line], reps) + (
            np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps))
        cand = np.repeat(grid, reps)
        hit = np.asarray(shapely.intersects_xy(grid_geoms[cand], ps.x[piece], ps.y[piece]),
                         dtype=bool)
        return first_grid(len(out), piece[hit], cand[hit], out=out)

    def _assign_xy(self, x: np.ndarray, y: np.ndarray,
                   grid_geoms: np.ndarray | None = None) -> np.ndarray:
        """Grid of each point given by coordinates (-1 outside every grid).

        Same rule as :meth:`_assign` (boundary included, the first grid in the
        layer wins), from a numpy box join and coordinate tests against the
        prepared grids: no point geometries and no per-point tree query.
        """
        geoms = self.grid_geoms if grid_geoms is None else grid_geoms
        out = np.full(len(x), -1, dtype="int64")
        if not len(x) or not len(geoms):
            return out
        grid, pt = box_pairs(shapely.bounds(geoms), x, y)
        hit = np.asarray(shapely.intersects_xy(geoms[grid], x[pt], y[pt]), dtype=bool)
        return first_grid(len(x), pt[hit], grid[hit], out=out)

    def _assign(self, points: np.ndarray) -> np.ndarray:
        out = np.full(len(points), -1, dtype="int64")
        if not len(points) or not len(self.grid_geoms):
            return out
        pt, grid = self.grid_tree.query(points, predicate="intersects")
        # Several grids (overlapping drawings): the first one in the layer wins.
        return first_grid(len(points), pt, grid, out=out)

    # -- footprints --------------------------------------------------------------

    def set_footprints(self, slots: np.ndarray, footprints: np.ndarray,
                       category: np.ndarray) -> None:
        """Set footprints at ``slots``: new slots past the end, or None to retire one.

        A slot already in the spatial index must not get a different footprint
        (the index would still hold the old one): give changed cameras new slots.
        """
        slots = np.asarray(slots, dtype="int64")
        size = int(slots.max()) + 1 if len(slots) else 0
        if size > len(self.footprints):
            grow = size - len(self.footprints)
            self.footprints = np.concatenate([self.footprints, np.full(grow, None, dtype=object)])
            self.category = np.concatenate([self.category, np.zeros(grow, dtype="int64")])
            self.alive = np.concatenate([self.alive, np.zeros(grow, dtype=bool)])
        footprints = np.asarray(footprints, dtype=object)
        self.footprints[slots] = footprints
        self.category[slots] = category
        self.alive[slots] = ~shapely.is_missing(footprints) & ~shapely.is_empty(footprints)
        shapely.prepare(self.footprints[slots][self.alive[slots]])
        if len(self.footprints) - self._fp_tree_size > 256:
            self._fp_tree = shapely.STRtree(masked(self.footprints, self.alive))
            self._fp_tree_size = len(self.footprints)

    def footprints_touching(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (position in ``geoms``, footprint slot) of live footprints touching them."""
        pos, fp = self._fp_tree.query(geoms, predicate="intersects")
        extra = np.arange(self._fp_tree_size, len(self.footprints))
        extra = extra[self.alive[extra]]
        if len(extra) and len(geoms):
            hit = shapely.intersects(np.asarray(geoms, dtype=object)[:, None],
                                     self.footprints[extra][None, :])
            ep, ef = np.nonzero(hit)
            pos = np.concatenate([pos, ep])
            fp = np.concatenate([fp, extra[ef]])
        keep = self.alive[fp]
        return pos[keep], fp[keep]

    def grids_touching(self, geoms: np.ndarray) -> np.ndarray:
        """Grid positions touched by any of ``geoms`` (None entries ignored)."""
        geoms = np.asarray(geoms, dtype=object)
        geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
        if not len(geoms):
            return np.empty(0, dtype="int64")
        _, grid = self.grid_tree.query(geoms, predicate="intersects")
        return np.unique(grid)

    # -- figures -----------------------------------------------------------------

    def compute(self, grids: np.ndarray) -> GridBlock:
        """Figures of the grids at positions ``grids`` (threads for large sets)."""
        grids = np.asarray(grids, dtype="int64")
        if self.workers > 1 and len(grids) >= 64:
            chunks = np.array_split(grids, self.workers * 2)
            with ThreadPoolExecutor(self.workers) as pool:
                blocks = list(pool.map(lambda c: self._compute(c, private=True), chunks))
            return _concat(blocks)
        return self._compute(grids)

    def _compute(self, grids: np.ndarray, *, private: bool = False) -> GridBlock:
        n = len(grids)
        geoms = self.grid_geoms[grids]
        pos, fp = self.footprints_touching(geoms)
        order = np.lexsort((fp, pos))
        pos = pos[order]
        fp = fp[order]
        cat = self.category[fp]
        cov1 = self._union(geoms, pos, fp, cat == 1)
        cov23 = self._union(geoms, pos, fp, (cat == 2) | (cat == 3))
        cov_all = _union_pairwise(cov1, cov23)
        other = cat == 0
        if other.any():
            cov_all = _union_pairwise(cov_all, self._union(geoms, pos, fp, other))
        covered = np.stack([cov_all, cov1, cov23])

        in_set = np.zeros(len(self.grid_geoms) + 1, dtype=bool)
        in_set[grids] = True
        local = np.full(len(self.grid_geoms) + 1, -1, dtype="int64")
        local[grids] = np.arange(n)
        seen_by = np.unique(fp)
        # On a worker thread, test prepared copies of the footprints: a footprint
        # can touch grids of several chunks, and prepared geometries must not be
        # shared between threads.
        fps = _private(self.footprints[seen_by]) if private else self.footprints[seen_by]
        figures = [self._points(ps, grids, seen_by, fps, in_set, local, n)
                   for ps in self.point_sets]
        (hh_tot, hh_cov), (ix_tot, ix_cov), (rd_tot, rd_cov) = figures
        return GridBlock(
            grid=grids,
            area_m2=shapely.area(geoms),
            covered_m2=shapely.area(covered),
            households=hh_tot,
            covered_households=hh_cov,
            road_m=rd_tot,
            covered_road_m=rd_cov,
            intersections=ix_tot,
            covered_intersections=ix_cov,
            cameras=np.bincount(pos, minlength=n),
            covered=covered,
        )

    def _union(self, geoms: np.ndarray, pos: np.ndarray, fp: np.ndarray,
               mask: np.ndarray) -> np.ndarray:
        """Per grid: union of the selected footprints, clipped to the grid."""
        out = np.full(len(geoms), None, dtype=object)
        if mask.any():
            chosen = self.footprints[fp[mask]]
            if (shapely.get_type_id(chosen) == 3).all():
                parts, owner = chosen, pos[mask]
            else:  # footprints split by building shadows
                parts, which = get_parts(chosen)
                owner = pos[mask][which]
            keep = shapely.get_type_id(parts) == 3
            # In slices: one call holds the GIL (other threads wait) for its whole run.
            out = grouped(shapely.multipolygons, parts[keep], owner[keep], len(geoms))
        has = ~shapely.is_missing(out)
        result = np.full(len(geoms), _EMPTY, dtype=object)
        if has.any():
            merged = shapely.buffer(out[has], 0.0)
            result[has] = shapely.intersection(merged, geoms[has])
        return result

    def _points(self, ps: _PointSet, grids: np.ndarray, seen_by: np.ndarray,
                fps: np.ndarray, in_set: np.ndarray, local: np.ndarray, n: int
                ) -> tuple[np.ndarray, np.ndarray]:
        """Totals and covered amounts (3, n) of points in the grids; updates flags.

        A point of a grid is covered by a category set when a footprint of that set
        covers it (boundary included): every footprint covering a point of the grid
        touches the grid, so ``seen_by`` (the footprints touching the grids) holds
        them all. Points are paired with footprints by bounding box in numpy (see
        :func:`box_pairs`) and each pair tested from coordinates against the
        prepared footprint: fewer, cheaper tests than against the per-grid unions,
        and exact on grid edges, where clipped unions carry rounding noise.
        """
        mine = ps.members(grids, in_set)
        g = local[ps.grid[mine]]
        w = ps.weight[mine]
        total = np.bincount(g, w, minlength=n)
        covered = np.zeros((3, n))
        ps.covered[:, mine] = False
        if not len(mine) or not len(seen_by):
            return total, covered
        x = ps.x[mine]
        y = ps.y[mine]
        f, p = box_pairs(shapely.bounds(fps), x, y)
        hit = np.asarray(shapely.intersects_xy(fps[f], x[p], y[p]), dtype=bool)
        f, p = f[hit], p[hit]
        cat = self.category[seen_by[f]]
        for k, in_cats in enumerate((None, cat == 1, (cat == 2) | (cat == 3))):
            flag = np.zeros(len(mine), dtype=bool)
            flag[p if in_cats is None else p[in_cats]] = True
            ps.covered[k, mine] = flag
            covered[k] = np.bincount(g, w * flag, minlength=n)
        return total, covered


def box_pairs(bounds: np.ndarray, x: np.ndarray, y: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (box, point) of points inside (or on) boxes, found with numpy alone.

    Points are bucketed in square cells sorted row by row; each box scans the
    cell rows it spans with two ``searchsorted`` per row, and the candidates are
    filtered by the exact box. No point geometries are made.

    Parameters
    ----------
    bounds
        Boxes, shape (m, 4) as ``xmin, ymin, xmax, ymax`` (NaN rows match nothing).
    x, y
        Point coordinates (NaN points match nothing).

    Returns
    -------
    tuple
        Box positions and point positions of the pairs.

    Examples
    --------
    >>> import numpy as np
    >>> f, p = box_pairs(np.array([[0.0, 0.0, 10.0, 10.0]]), np.array([5.0, 10.0, 11.0]),
    ...                  np.array([5.0, 0.0, 5.0]))
    >>> f.tolist(), sorted(p.tolist())
    ([0, 0], [0, 1])
    """
    none = np.empty(0, dtype="int64")
    bounds = np.asarray(bounds, dtype="float64").reshape(-1, 4)
    ok_box = np.flatnonzero(np.isfinite(bounds).all(axis=1))
    ok_pt = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if not len(ok_box) or not len(ok_pt):
        return none, none
    b = bounds[ok_box]
    px, py = x[ok_pt], y[ok_pt]
    if len(b) * len(px) <= _DENSE_PAIRS:
        # Few boxes and points (a one-grid update): compare them all at once.
        inside = ((px[None, :] >= b[:, [0]]) & (px[None, :] <= b[:, [2]])
                  & (py[None, :] >= b[:, [1]]) & (py[None, :] <= b[:, [3]]))
        box_i, pt_i = np.nonzero(inside)
        return ok_box[box_i], ok_pt[pt_i]
    x0, y0 = float(px.min()), float(py.min())
    # Cells about half a box wide: each box scans a few short runs of points.
    size = float(np.median(np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]))) / 2.0
    span = max(float(px.max()) - x0, float(py.max()) - y0)
    size = max(size, span / 4096.0, 1e-6)
    cols = int(np.floor((float(px.max()) - x0) / size)) + 1
    rows = int(np.floor((float(py.max()) - y0) / size)) + 1
    key = (np.floor((py - y0) / size).astype("int64") * cols
           + np.floor((px - x0) / size).astype("int64"))
    order = np.argsort(key, kind="stable")
    key = key[order]
    c0 = np.clip(np.floor((b[:, 0] - x0) / size), 0, cols - 1).astype("int64")
    c1 = np.clip(np.floor((b[:, 2] - x0) / size), -1, cols - 1).astype("int64")
    r0 = np.clip(np.floor((b[:, 1] - y0) / size), 0, rows - 1).astype("int64")
    r1 = np.clip(np.floor((b[:, 3] - y0) / size), -1, rows - 1).astype("int64")
    nrow = np.maximum(r1 - r0 + 1, 0) * (c1 >= c0)
    box = np.repeat(np.arange(len(b)), nrow)
    row = np.repeat(r0, nrow) + (np.arange(int(nrow.sum()))
                                 - np.repeat(np.cumsum(nrow) - nrow, nrow))
    lo = np.searchsorted(key, row * cols + c0[box], side="left")
    hi = np.searchsorted(key, row * cols + c1[box], side="right")
    cnt = hi - lo
    box = np.repeat(box, cnt)
    pt = order[np.repeat(lo, cnt) + (np.arange(int(cnt.sum()))
                                     - np.repeat(np.cumsum(cnt) - cnt, cnt))]
    inside = ((px[pt] >= b[box, 0]) & (px[pt] <= b[box, 2])
              & (py[pt] >= b[box, 1]) & (py[pt] <= b[box, 3]))
    return ok_box[box[inside]], ok_pt[pt[inside]]


def road_pieces(lines: np.ndarray, *, step_m: float = ROAD_STEP_M
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut lines into straight pieces of at most ``step_m``, in numpy.

    Parameters
    ----------
    lines
        LineStrings or MultiLineStrings.
    step_m
        Longest piece (m).

    Returns
    -------
    tuple
        Piece end coordinates, shape (n, 4) as ``x0, y0, x1, y1``, their lengths,
        and the position in ``lines`` each piece comes from (ascending).

    Examples
    --------
    >>> import numpy as np, shapely
    >>> lines = np.array([shapely.LineString([(0, 0), (12, 0)])])
    >>> ends, length, line = road_pieces(lines, step_m=5)
    >>> ends[:, 0].tolist(), length.round(3).tolist(), line.tolist()
    ([0.0, 4.0, 8.0], [4.0, 4.0, 4.0], [0, 0, 0])
    """
    lines = np.asarray(lines, dtype=object)
    types = shapely.get_type_id(lines)
    # Only multi-part lines are split: get_parts copies every geometry it returns.
    part_line = np.flatnonzero(np.isin(types, (1, 2)))
    parts = lines[part_line]
    multi = np.flatnonzero(types == 5)
    if len(multi):
        sub, which = get_parts(lines[multi])
        is_line = np.isin(shapely.get_type_id(sub), (1, 2))
        parts = np.concatenate([parts, sub[is_line]])
        part_line = np.concatenate([part_line, multi[which[is_line]]])
        order = np.argsort(part_line, kind="stable")
        parts, part_line = parts[order], part_line[order]
    if not len(parts):
        return np.empty((0, 4)), np.empty(0), np.empty(0, dtype="int64")
    coords, owner = shapely.get_coordinates(parts, return_index=True)
    same = owner[1:] == owner[:-1]
    a = coords[:-1][same]
    b = coords[1:][same]
    seg_line = part_line[owner[:-1][same]]
    ok = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    a, b, seg_line = a[ok], b[ok], seg_line[ok]
    seg_len = np.hypot(*(b - a).T)
    count = np.maximum(np.ceil(seg_len / max(step_m, 1e-3)).astype("int64"), 1)
    seg = np.repeat(np.arange(len(a)), count)
    k = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    cnt = count[seg]
    t0 = k / cnt
    t1 = (k + 1) / cnt
    ends = np.empty((len(seg), 4))
    for axis in (0, 1):
        a_s = a[:, axis][seg]
        d_s = (b[:, axis] - a[:, axis])[seg]
        ends[:, axis] = a_s + d_s * t0
        ends[:, 2 + axis] = a_s + d_s * t1
    length = seg_len[seg] / cnt
    keep = length > 0
    return ends[keep], length[keep], seg_line[seg][keep]


def _private(geoms: np.ndarray) -> np.ndarray:
    """Return prepared copies of ``geoms`` (exact, through WKB) for one thread."""
    out = np.asarray(shapely.from_wkb(shapely.to_wkb(np.asarray(geoms, dtype=object))),
                     dtype=object)
    shapely.prepare(out)
    return out


def _union_pairwise(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise union, skipping the overlay where one side is empty."""
    out = a.copy()
    b_empty = shapely.is_empty(b)
    a_empty = shapely.is_empty(a)
    out[a_empty] = b[a_empty]
    both = ~a_empty & ~b_empty
    if both.any():
        out[both] = shapely.union(a[both], b[both])
    return out


def _concat(blocks: list[GridBlock]) -> GridBlock:
    def cat(name: str, axis: int = 0) -> np.ndarray:
        return np.concatenate([getattr(b, name) for b in blocks], axis=axis)

    return GridBlock(
        grid=cat("grid"),
        area_m2=cat("area_m2"),
        covered_m2=cat("covered_m2", 1),
        households=cat("households"),
        covered_households=cat("covered_households", 1),
        road_m=cat("road_m"),
        covered_road_m=cat("covered_road_m", 1),
        intersections=cat("intersections"),
        covered_intersections=cat("covered_intersections", 1),
        cameras=cat("cameras"),
        covered=cat("covered", 1),
    )
