"""Coverage kept up to date edit by edit: :class:`CoverageState`.

The app builds one state per project and calls :meth:`CoverageState.update` after
every camera or grid edit; only the grids the edit can reach are recomputed:

- a camera added, moved, re-aimed, removed or switched on/off: the grids its old
  and new footprints touch;
- a grid redrawn, added or removed: that grid, and the grids whose households or
  intersections moved in or out of it.

Each of those grids is recomputed from the footprints touching it alone (see
:mod:`gridplanner.coverage.engine`), a few milliseconds per grid at district scale.
The state is a cache owned by its caller: ``update`` changes it in place and
returns the new rows of the grids it recomputed.

Examples
--------
>>> import geopandas as gpd, shapely
>>> grids = gpd.GeoDataFrame({"grid_id": ["g1", "g2"]},
...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)], crs=4549)
>>> cams = gpd.GeoDataFrame({"camera_id": ["c1"], "category": [1], "range_m": [20.0]},
...     geometry=[shapely.Point(50, 50)], crs=4549)
>>> state = CoverageState.from_layers(grids, cams)
>>> moved = cams.set_geometry([shapely.Point(150, 50)], crs=4549)
>>> rows = state.update(cameras=moved, changed_camera_ids=["c1"])
>>> rows["grid_id"].tolist(), rows["area_pct_all"].round(1).tolist()
(['g1', 'g2'], [0.0, 12.5])
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridplanner.coverage.checks import (
    MAX_RANGE_M,
    ResolvedCameras,
    check_cameras,
    resolve_cameras,
)
from gridplanner.coverage.chunked import get_parts, grouped
from gridplanner.coverage.engine import (
    CATEGORY_SETS,
    ROAD_STEP_M,
    CoverageEngine,
    GridBlock,
    box_pairs,
)
from gridplanner.coverage.footprints import ARC_SEGMENTS, masked, sector_polygons
from gridplanner.coverage.result import (
    COUNT_COLUMNS,
    DISTRICT_ROW_ID,
    PCT_COLUMNS,
    CoverageResult,
)
from gridplanner.coverage.visibility import OWN_BUILDING_M, building_index, visible_footprints
from gridplanner.errors import AnalysisError
from gridplanner.feedback import Feedback, report
from gridplanner.i18n import gettext
from gridplanner.locate import household_weights
from gridplanner.runtime import gc_paused
from gridplanner.settings import DEFAULTS
from layers.schema import CAMERA_DEFAULTS

if TYPE_CHECKING:
    from gridplanner.network.graph import RoadNetwork

#: Gap pieces smaller than this (m²) are left out of the gap layer (slivers
#: between neighbouring views); their area still counts as uncovered.
MIN_GAP_M2 = 1.0

_NOT_WALKABLE = [False, 0, "false", "False", "0", "no", "否"]


class CoverageState:
    """Everything needed to recompute any grid's coverage; see the module docstring.

    Build it with :meth:`from_layers` or :meth:`from_project` (or let
    :func:`~gridplanner.coverage.coverage_from_layers` do it), read :attr:`table`,
    :attr:`district` or :meth:`result`, and call :meth:`update` after edits.
    """

    @gc_paused()
    def __init__(
        self,
        grids: gpd.GeoDataFrame,
        cameras: gpd.GeoDataFrame,
        *,
        households: gpd.GeoDataFrame | None = None,
        roads: gpd.GeoDataFrame | None = None,
        intersections: gpd.GeoDataFrame | None = None,
        buildings: gpd.GeoDataFrame | None = None,
        camera_defaults: dict[int, dict[str, float]] | None = None,
        include_offline: bool = False,
        max_range_m: float = MAX_RANGE_M,
        arc_segments: int = ARC_SEGMENTS,
        own_building_m: float = OWN_BUILDING_M,
        min_gap_m2: float = MIN_GAP_M2,
        road_step_m: float = ROAD_STEP_M,
        workers: int = 2,
        feedback: Feedback | None = None,
    ) -> None:
        _check_inputs(grids, cameras)
        report(feedback, 0.0, gettext("preparing layers"))
        self.crs = grids.crs
        self.defaults = dict(camera_defaults or CAMERA_DEFAULTS)
        self.include_offline = bool(include_offline)
        self.max_range_m = float(max_range_m)
        self.arc_segments = int(arc_segments)
        self.own_building_m = float(own_building_m)
        self.min_gap_m2 = float(min_gap_m2)
        self.workers = max(int(workers), 1)
        self.use_buildings = buildings is not None and len(buildings) > 0
        self._buildings = (building_index(buildings.geometry.to_numpy())
                           if buildings is not None and len(buildings) else None)
        self._cameras_frame = cameras
        self._grids_frame = grids

        self.grid_ids = _ids(grids, "grid_id")
        self.grid_alive = np.ones(len(grids), dtype=bool)
        grid_geoms = _polygons(grids.geometry.to_numpy())

        households = _frame_or_empty(households)
        self.hh_ids = (households["household_id"].to_numpy(dtype=object)
                       if "household_id" in households.columns
                       else np.arange(1, len(households) + 1).astype(str).astype(object))
        self.hh_weight = np.clip(household_weights(households).astype("float64"),
                                 0.0, None)
        hh_points = _points(households.geometry.to_numpy())

        intersections = _frame_or_empty(intersections)
        self.ix_ids = (intersections["node_id"].to_numpy() if "node_id" in intersections
                       else np.arange(len(intersections)))
        self.ix_degree = (intersections["degree"].to_numpy() if "degree" in intersections
                          else np.full(len(intersections), 3))
        ix_points = _points(intersections.geometry.to_numpy())

        road_lines = _walkable_lines(_frame_or_empty(roads))
        self.road_step_m = float(road_step_m)

        report(feedback, 0.05, gettext("drawing camera footprints"))
        self.slot_camera = np.empty(0, dtype=object)
        self.slot_alive = np.empty(0, dtype=bool)
        self.slot_counted = np.empty(0, dtype=bool)
        self.slot_values: ResolvedCameras | None = None
        self.slot_footprint = np.empty(0, dtype=object)
        resolved, _ = resolve_cameras(cameras, defaults=self.defaults,
                                      max_range_m=self.max_range_m)
        visible = self._visible(resolved)
        report(feedback, 0.35, gettext("indexing"))
        counted = resolved.usable & (resolved.online | self.include_offline)
        self.engine = CoverageEngine(grid_geoms, masked(visible, counted),
                                     resolved.category, hh_points, self.hh_weight, ix_points,
                                     road_lines, road_step_m=self.road_step_m,
                                     workers=workers)
        self._append_slots(resolved, visible, counted)
        self._figures = _Figures(len(grid_geoms))
        report(feedback, 0.45, gettext("coverage per grid"))
        self._store(self.engine.compute(np.arange(len(grid_geoms))))
        report(feedback, 1.0, gettext("coverage computed"))

    # -- construction ----------------------------------------------------------

    @classmethod
    def from_layers(
        cls,
        grids: gpd.GeoDataFrame,
        cameras: gpd.GeoDataFrame,
        **options: Any,
    ) -> CoverageState:
        """Build from layers; ``options`` are those of the constructor.

        Parameters
        ----------
        grids, cameras
            Grids and cameras layers in one metric CRS.
        **options
            ``households``, ``roads``, ``intersections``, ``buildings`` layers;
            ``camera_defaults``, ``include_offline``, ``max_range_m``,
            ``arc_segments``, ``own_building_m``, ``min_gap_m2``, ``road_step_m``,
            ``workers``, ``feedback``.
        """
        return cls(grids, cameras, **options)

    @classmethod
    @gc_paused()
    def from_project(
        cls,
        project: Any,
        *,
        include_offline: bool = False,
        use_buildings: bool = True,
        intersections: gpd.GeoDataFrame | None = None,
        feedback: Feedback | None = None,
        **options: Any,
    ) -> CoverageState:
        """Build from a :class:`~gridplanner.project.Project`.

        Intersections are the project network's nodes of degree >= 3 (the network
        its :class:`~gridplanner.context.AnalysisContext` keeps) unless given; camera
        defaults come from the project's settings.
        """
        from gridplanner.context import AnalysisContext

        ctx = AnalysisContext.of(project)
        config = ctx.settings
        roads = ctx.layer("roads")
        if intersections is None:
            intersections = ctx.memo("intersections", lambda: road_intersections(
                roads, join_tolerance_m=config.join_tolerance_m,
                network=ctx.network() if len(roads) else None),
                layers=("roads",), settings=("join_tolerance_m",))
        buildings = project.layer("buildings") if use_buildings else None
        return cls(
            project.layer("grids"),
            project.layer("cameras"),
            households=project.layer("households"),
            roads=roads,
            intersections=intersections,
            buildings=buildings,
            camera_defaults={k: dict(v) for k, v in config.camera_defaults.items()},
            include_offline=include_offline,
            feedback=feedback,
            **options,
        )

    # -- reading ---------------------------------------------------------------

    @property
    def table(self) -> pd.DataFrame:
        """Per-grid rows (``grid_id``, percentages, counts) in layer order."""
        return self._rows(np.flatnonzero(self.grid_alive))

    @property
    def district(self) -> pd.DataFrame:
        """One row of district totals over the live grids."""
        alive = np.flatnonzero(self.grid_alive)
        f = self._figures
        return _row_frame(
            np.array([DISTRICT_ROW_ID], dtype=object),
            f.area[alive].sum(keepdims=True),
            f.covered_m2[:, alive].sum(axis=1, keepdims=True),
            f.hh[alive].sum(keepdims=True),
            f.cov_hh[:, alive].sum(axis=1, keepdims=True),
            f.road[alive].sum(keepdims=True),
            f.cov_road[:, alive].sum(axis=1, keepdims=True),
            f.ix[alive].sum(keepdims=True),
            f.cov_ix[:, alive].sum(axis=1, keepdims=True),
            np.array([int(self.slot_counted[self.slot_alive].sum())]),
        )

    @gc_paused()
    def result(self) -> CoverageResult:
        """Build the full :class:`~gridplanner.coverage.result.CoverageResult` of the state."""
        alive = np.flatnonzero(self.grid_alive)
        table = self._rows(alive)
        grid_table = gpd.GeoDataFrame(table, geometry=self.engine.grid_geoms[alive],
                                      crs=self.crs)
        eng = self.engine
        hh = eng.households
        hh_mask = (hh.grid >= 0) & ~hh.covered[0]
        hh_mask &= self.grid_alive[np.maximum(hh.grid, 0)]
        uncovered_hh = gpd.GeoDataFrame({
            "household_id": self.hh_ids[hh_mask],
            "grid_id": self.grid_ids[hh.grid[hh_mask]],
            "households": self.hh_weight[hh_mask].astype("int64"),
        }, geometry=hh.points[hh_mask], crs=self.crs)
        ix = eng.intersections
        ix_mask = (ix.grid >= 0) & ~ix.covered[0]
        ix_mask &= self.grid_alive[np.maximum(ix.grid, 0)]
        uncovered_ix = gpd.GeoDataFrame({
            "node_id": self.ix_ids[ix_mask],
            "degree": self.ix_degree[ix_mask],
            "grid_id": self.grid_ids[ix.grid[ix_mask]],
        }, geometry=ix.points[ix_mask], crs=self.crs)
        # The gaps (mostly one GEOS difference, which releases the GIL) are drawn
        # on a worker thread while this one builds the other layers.
        with ThreadPoolExecutor(1) as pool:
            gaps = (pool.submit(self._gap_layer, alive, uncovered_hh) if self.workers > 1
                    else None)
            roads = self._road_layer()
            footprints = self._footprint_layer()
            issues = check_cameras(self._cameras_frame, self._grids_frame,
                                   defaults=self.defaults, max_range_m=self.max_range_m)
            gap_layer = gaps.result() if gaps is not None else self._gap_layer(alive,
                                                                               uncovered_hh)
        return CoverageResult(
            grid_table=grid_table,
            district=self.district,
            gaps=gap_layer,
            uncovered_households=uncovered_hh,
            uncovered_intersections=uncovered_ix,
            uncovered_roads=roads,
            footprints=footprints,
            camera_issues=issues,
            include_offline=self.include_offline,
            use_buildings=self.use_buildings,
        )

    # -- updating --------------------------------------------------------------

    @gc_paused()
    def update(
        self,
        project: Any = None,
        *,
        cameras: gpd.GeoDataFrame | None = None,
        grids: gpd.GeoDataFrame | None = None,
        changed_camera_ids: Iterable[Any] = (),
        changed_grid_ids: Iterable[Any] = (),
    ) -> pd.DataFrame:
        """Recompute the grids an edit can reach; return their new rows.

        Parameters
        ----------
        project
            The edited project (its ``cameras`` and ``grids`` layers are read), or
            None when ``cameras`` / ``grids`` are given.
        cameras, grids
            The edited layers (override ``project``'s).
        changed_camera_ids
            Ids of cameras added, removed or changed (all rows with the id).
        changed_grid_ids
            Ids of grids added, removed or redrawn.

        Returns
        -------
        pandas.DataFrame
            Rows (as in :attr:`table`) of the recomputed grids that still exist.
        """
        if project is not None:
            cameras = project.layer("cameras") if cameras is None else cameras
            grids = project.layer("grids") if grids is None else grids
        affected: list[np.ndarray] = []
        cam_ids = [_id_text(v) for v in changed_camera_ids]
        if cam_ids:
            if cameras is None:
                raise AnalysisError("update: give the edited cameras layer (or the project) "
                                    "with changed_camera_ids")
            affected.append(self._update_cameras(cameras, cam_ids))
            self._cameras_frame = cameras
        grid_ids = [_id_text(v) for v in changed_grid_ids]
        if grid_ids:
            if grids is None:
                raise AnalysisError("update: give the edited grids layer (or the project) "
                                    "with changed_grid_ids")
            affected.append(self._update_grids(grids, grid_ids))
            self._grids_frame = grids
        if not affected:
            return self._rows(np.empty(0, dtype="int64"))
        todo = np.unique(np.concatenate(affected))
        todo = todo[self.grid_alive[todo]]
        if len(todo):
            self._store(self.engine.compute(todo))
        return self._rows(todo)

    def _update_cameras(self, cameras: gpd.GeoDataFrame, ids: list[str]) -> np.ndarray:
        old = np.flatnonzero(self.slot_alive & np.isin(self.slot_camera, ids))
        old_fp = self.engine.footprints[old] if len(old) else np.empty(0, dtype=object)
        self.slot_alive[old] = False
        if len(old):
            self.engine.set_footprints(old, np.full(len(old), None, dtype=object),
                                       np.zeros(len(old), dtype="int64"))
        if "camera_id" in cameras.columns:
            raw = cameras["camera_id"]
            if pd.api.types.is_numeric_dtype(raw):
                # Ids read from a spreadsheet as numbers: compare their text.
                text = np.array([_id_text(v) for v in raw.to_numpy()], dtype=object)
                match = np.isin(text, ids)
            else:
                # Text ids were stripped when the layer was validated.
                match = raw.isin(ids).to_numpy()
            rows = np.flatnonzero(match)
        else:
            rows = np.empty(0, dtype="int64")
        # Only the edited rows are resolved: the layer's other rows are unchanged.
        new, _ = resolve_cameras(cameras.iloc[rows], defaults=self.defaults,
                                 max_range_m=self.max_range_m)
        visible = self._visible(new)
        counted = new.usable & (new.online | self.include_offline)
        slots = self._append_slots(new, visible, counted)
        self.engine.set_footprints(slots, masked(visible, counted), new.category)
        return self.engine.grids_touching(np.concatenate([old_fp, visible[counted]]))

    def _update_grids(self, grids: gpd.GeoDataFrame, ids: list[str]) -> np.ndarray:
        new_ids = _ids(grids, "grid_id")
        new_geoms = _polygons(grids.geometry.to_numpy())
        slots: list[int] = []
        old_geoms: list[Any] = []
        eng = self.engine
        for gid in dict.fromkeys(ids):  # the handful of grids named in one edit
            have = np.flatnonzero((self.grid_ids == gid) & self.grid_alive)
            rows = np.flatnonzero(new_ids == gid)
            geom = new_geoms[rows[0]] if len(rows) else None
            if len(have):
                slot = int(have[0])
                old_geoms.append(eng.grid_geoms[slot])
            else:
                slot = len(self.grid_ids)
                self.grid_ids = np.append(self.grid_ids, gid).astype(object)
                self.grid_alive = np.append(self.grid_alive, True)
                self._figures.grow(1)
                eng.grid_geoms = np.concatenate([eng.grid_geoms, np.full(1, None, dtype=object)])
                old_geoms.append(None)
            eng.grid_geoms[slot] = geom
            if geom is None:
                self.grid_alive[slot] = False
                self._figures.clear(slot)
            slots.append(slot)
        return eng.reassign(np.array(old_geoms, dtype=object), np.array(slots, dtype="int64"))

    # -- helpers ---------------------------------------------------------------

    def _visible(self, cams: ResolvedCameras) -> np.ndarray:
        out = np.full(len(cams), None, dtype=object)
        use = np.flatnonzero(cams.usable)
        if not len(use):
            return out
        fp = sector_polygons(cams.x[use], cams.y[use], cams.range_m[use],
                             cams.azimuth_deg[use], cams.fov_deg[use],
                             arc_segments=self.arc_segments)
        if self._buildings is not None:
            fp = visible_footprints(fp, cams.x[use], cams.y[use], cams.range_m[use],
                                    self._buildings, own_building_m=self.own_building_m,
                                    workers=self.workers)
        out[use] = fp
        return out

    def _append_slots(self, cams: ResolvedCameras, visible: np.ndarray,
                      counted: np.ndarray) -> np.ndarray:
        start = len(self.slot_camera)
        self.slot_camera = np.concatenate([self.slot_camera, cams.camera_id.astype(object)])
        self.slot_alive = np.concatenate([self.slot_alive, np.ones(len(cams), dtype=bool)])
        self.slot_counted = np.concatenate([self.slot_counted, counted])
        self.slot_footprint = np.concatenate([self.slot_footprint, visible])
        if self.slot_values is None:
            self.slot_values = cams
        else:
            self.slot_values = ResolvedCameras(*(
                np.concatenate([getattr(self.slot_values, f), getattr(cams, f)])
                for f in ResolvedCameras.__dataclass_fields__))
        return np.arange(start, start + len(cams))

    def _store(self, block: GridBlock) -> None:
        self._figures.store(block)

    def _rows(self, grids: np.ndarray) -> pd.DataFrame:
        f = self._figures
        return _row_frame(self.grid_ids[grids], f.area[grids], f.covered_m2[:, grids],
                          f.hh[grids], f.cov_hh[:, grids], f.road[grids],
                          f.cov_road[:, grids], f.ix[grids], f.cov_ix[:, grids],
                          f.cameras[grids])

    def _gap_layer(self, alive: np.ndarray, uncovered_hh: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        gaps = shapely.difference(self.engine.grid_geoms[alive], self._figures.cov_all[alive])
        parts, which = get_parts(gaps)
        poly = shapely.get_type_id(parts) == 3
        parts = parts[poly]
        which = which[poly]
        area = shapely.area(parts)
        keep = area >= self.min_gap_m2
        parts, which, area = parts[keep], which[keep], area[keep]
        hh: np.ndarray = np.zeros(len(parts))
        if len(parts) and len(uncovered_hh):
            hh = self._households_per_gap(parts, which, alive)
        order = np.lexsort((-area, -hh))
        rank = np.empty(len(parts), dtype="int64")
        rank[order] = np.arange(1, len(parts) + 1)
        frame = pd.DataFrame({
            "gap_id": np.arange(1, len(parts) + 1),
            "grid_id": self.grid_ids[alive][which].astype(str) if len(which) else [],
            "rank": rank,
            "uncovered_households": hh.astype("int64"),
            "area_m2": area,
        })
        out = gpd.GeoDataFrame(frame, geometry=parts, crs=self.crs)
        return out.sort_values("rank").reset_index(drop=True)

    def _households_per_gap(self, parts: np.ndarray, which: np.ndarray,
                            alive: np.ndarray) -> np.ndarray:
        """Uncovered households in each gap piece (a piece of their own grid first).

        Points and pieces are paired by bounding box in numpy and tested from
        coordinates, without point geometries or a tree over the pieces.
        """
        hh = self.engine.households
        idx = np.flatnonzero((hh.grid >= 0) & ~hh.covered[0]
                             & self.grid_alive[np.maximum(hh.grid, 0)])
        if not len(idx):
            return np.zeros(len(parts))
        part, pt = box_pairs(shapely.bounds(parts), hh.x[idx], hh.y[idx])
        shapely.prepare(parts)
        hit = np.asarray(shapely.intersects_xy(parts[part], hh.x[idx][pt], hh.y[idx][pt]),
                         dtype=bool)
        part, pt = part[hit], pt[hit]
        # A household on the edge of two pieces counts once: in its own grid's
        # piece when it touches one, else in the first piece.
        other = alive[which[part]] != hh.grid[idx][pt]
        order = np.lexsort((part, other, pt))
        part, pt = part[order], pt[order]
        first = np.unique(pt, return_index=True)[1]
        weight = np.floor(self.hh_weight[idx][pt[first]])  # as in the households column
        return np.bincount(part[first], weight, minlength=len(parts))

    def _road_layer(self) -> gpd.GeoDataFrame:
        rd = self.engine.roads
        mask = (rd.grid >= 0) & ~rd.covered[0]
        mask &= self.grid_alive[np.maximum(rd.grid, 0)]
        idx = np.flatnonzero(mask)
        if not len(idx):
            return gpd.GeoDataFrame({"grid_id": np.empty(0, dtype=object), "length_m": []},
                                    geometry=[], crs=self.crs)
        idx = idx[np.argsort(rd.grid[idx], kind="stable")]
        ends = self.engine.road_pieces[idx]
        grid = rd.grid[idx]
        # Pieces that continue one another (the next one starts exactly where this
        # one ends, same grid, and no other piece of the grid ends there: line_merge
        # stops at such junctions) are joined into one line in numpy first, so that
        # line_merge gets a few runs instead of every 5 m piece.
        joined = np.zeros(len(idx), dtype=bool)
        joined[1:] = (grid[1:] == grid[:-1]) & (ends[1:, 0] == ends[:-1, 2]) & (
            ends[1:, 1] == ends[:-1, 3])
        if joined.any():
            g2 = np.concatenate([grid, grid])
            x2 = np.concatenate([ends[:, 0], ends[:, 2]])
            y2 = np.concatenate([ends[:, 1], ends[:, 3]])
            order = np.lexsort((y2, x2, g2))
            new_node = np.ones(len(order), dtype=bool)
            new_node[1:] = ((g2[order][1:] != g2[order][:-1]) | (x2[order][1:] != x2[order][:-1])
                            | (y2[order][1:] != y2[order][:-1]))
            node = np.empty(len(order), dtype="int64")
            node[order] = np.cumsum(new_node) - 1
            degree = np.bincount(node)
            # The shared point of pieces i and i + 1 is the end of piece i.
            joined[1:] &= degree[node[len(idx):-1]] == 2
        run = np.cumsum(~joined) - 1
        starts = np.flatnonzero(~joined)
        # Each run: its first piece's start, then every piece's end.
        coords = np.concatenate([ends[starts, :2], ends[:, 2:]])
        owner = np.concatenate([run[starts], run])
        order = np.argsort(np.concatenate([2 * starts, 2 * np.arange(len(idx)) + 1]),
                           kind="stable")
        # Made in slices (chunked.grouped): one call over every piece held the GIL
        # long enough to stall the app's GUI thread.
        lines = grouped(shapely.linestrings, coords[order], owner[order], len(starts))
        owners, group = np.unique(grid[starts], return_inverse=True)
        merged = shapely.line_merge(grouped(shapely.multilinestrings, lines, group, len(owners)))
        parts, which = get_parts(merged)
        return gpd.GeoDataFrame({
            "grid_id": self.grid_ids[owners[which]].astype(str),
            "length_m": shapely.length(parts),
        }, geometry=parts, crs=self.crs)

    def _footprint_layer(self) -> gpd.GeoDataFrame:
        vals = self.slot_values
        live = self.slot_alive & (vals.usable if vals is not None else False)
        idx = np.flatnonzero(live)
        if vals is None or not len(idx):
            return gpd.GeoDataFrame({c: [] for c in _FOOTPRINT_COLUMNS}, geometry=[],
                                    crs=self.crs)
        geoms = self.slot_footprint[idx]
        return gpd.GeoDataFrame({
            "camera_id": vals.camera_id[idx].astype(str),
            "category": vals.category[idx],
            "status": np.where(vals.online[idx], "online", "offline"),
            "range_m": vals.range_m[idx],
            "azimuth_deg": vals.azimuth_deg[idx],
            "fov_deg": vals.fov_deg[idx],
            "counted": self.slot_counted[idx],
            "area_m2": shapely.area(geoms),
        }, geometry=geoms, crs=self.crs)


_FOOTPRINT_COLUMNS = ("camera_id", "category", "status", "range_m", "azimuth_deg", "fov_deg",
                      "counted", "area_m2")


class _Figures:
    """Per-grid figures by grid slot, grown as grids are added."""

    def __init__(self, n: int) -> None:
        self.area = np.zeros(n)
        self.covered_m2 = np.zeros((3, n))
        self.hh = np.zeros(n)
        self.cov_hh = np.zeros((3, n))
        self.road = np.zeros(n)
        self.cov_road = np.zeros((3, n))
        self.ix = np.zeros(n)
        self.cov_ix = np.zeros((3, n))
        self.cameras = np.zeros(n, dtype="int64")
        self.cov_all = np.full(n, None, dtype=object)

    def grow(self, k: int) -> None:
        for name, value in vars(self).items():
            pad = np.zeros((*value.shape[:-1], k), dtype=value.dtype)
            if value.dtype == object:
                pad = np.full((*value.shape[:-1], k), None, dtype=object)
            setattr(self, name, np.concatenate([value, pad], axis=-1))

    def clear(self, slot: int) -> None:
        for value in vars(self).values():
            value[..., slot] = None if value.dtype == object else 0

    def store(self, b: GridBlock) -> None:
        g = b.grid
        self.area[g] = b.area_m2
        self.covered_m2[:, g] = b.covered_m2
        self.hh[g] = b.households
        self.cov_hh[:, g] = b.covered_households
        self.road[g] = b.road_m
        self.cov_road[:, g] = b.covered_road_m
        self.ix[g] = b.intersections
        self.cov_ix[:, g] = b.covered_intersections
        self.cameras[g] = b.cameras
        self.cov_all[g] = b.covered[0]


def _row_frame(ids: np.ndarray, area: np.ndarray, cov_area: np.ndarray, hh: np.ndarray,
               cov_hh: np.ndarray, road: np.ndarray, cov_road: np.ndarray, ix: np.ndarray,
               cov_ix: np.ndarray, cameras: np.ndarray) -> pd.DataFrame:
    data: dict[str, Any] = {"grid_id": np.asarray(ids, dtype=object).astype(str)}
    for measure, total, covered in (("area", area, cov_area), ("households", hh, cov_hh),
                                    ("roads", road, cov_road), ("intersections", ix, cov_ix)):
        for k, cats in enumerate(CATEGORY_SETS):
            data[f"{measure}_pct_{cats}"] = _pct(covered[k], total)
    data["area_m2"] = area
    data["households"] = np.round(hh).astype("int64")
    data["road_m"] = road
    data["intersections"] = np.round(ix).astype("int64")
    data["cameras"] = np.asarray(cameras, dtype="int64")
    assert list(data) == ["grid_id", *PCT_COLUMNS, *COUNT_COLUMNS]
    return pd.DataFrame(data)


def _pct(covered: np.ndarray, total: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(total > 0, 100.0 * covered / np.where(total > 0, total, 1.0), np.nan)
    return np.clip(pct, 0.0, 100.0)


def road_intersections(roads: gpd.GeoDataFrame, *,
                       join_tolerance_m: float = DEFAULTS.join_tolerance_m,
                       network: RoadNetwork | None = None) -> gpd.GeoDataFrame:
    """Intersections (road nodes of degree >= 3) of the walkable network.

    Uses :func:`gridplanner.network.graph.intersections`; an empty roads layer
    gives an empty frame.
    """
    if roads is None or not len(roads):
        return gpd.GeoDataFrame({"node_id": [], "degree": []}, geometry=[],
                                crs=None if roads is None else roads.crs)
    from gridplanner.network.graph import intersections

    return intersections(roads, join_tolerance_m=join_tolerance_m, network=network)


def _check_inputs(grids: gpd.GeoDataFrame, cameras: gpd.GeoDataFrame) -> None:
    if grids is None or not len(grids):
        raise AnalysisError("coverage needs a grids layer with at least one grid: import one "
                            "(gridplanner import --grids FILE) and run again")
    if "grid_id" not in grids.columns:
        raise AnalysisError("grids layer has no grid_id column: name the grid code column "
                            "grid_id (or 网格编码)")
    crs = grids.crs
    if crs is not None and not crs.is_projected:
        raise AnalysisError(f"grids layer is in {crs.name}, not a metric CRS: coverage "
                            "measures metres; reproject the project (set analysis_crs)")
    if cameras is not None and len(cameras) and cameras.crs is not None and crs is not None \
            and not cameras.crs.equals(crs):
        raise AnalysisError("cameras layer and grids layer are in different CRS "
                            f"({cameras.crs.name} / {crs.name}): reproject one of them")


def _frame_or_empty(frame: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    if frame is None:
        return gpd.GeoDataFrame(geometry=[])
    return frame


def _ids(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.array([f"row {i + 1}" for i in range(len(frame))], dtype=object)
    values = frame[column].to_numpy(dtype=object)
    out = np.array([_id_text(v) for v in values], dtype=object)
    empty = np.array([v == "" for v in out], dtype=bool)
    out[empty] = [f"row {i + 1}" for i in np.flatnonzero(empty)]
    return out


def _id_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _polygons(geoms: np.ndarray) -> np.ndarray:
    geoms = np.asarray(geoms, dtype=object).copy()
    bad = shapely.is_missing(geoms)
    geoms[bad] = shapely.Polygon()
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    return geoms


def _points(geoms: np.ndarray) -> np.ndarray:
    geoms = np.asarray(geoms, dtype=object).copy()
    multi = shapely.get_type_id(geoms) == 4
    if multi.any():
        geoms[multi] = shapely.get_geometry(geoms[multi], 0)
    return geoms


def _walkable_lines(roads: gpd.GeoDataFrame) -> np.ndarray:
    geoms = np.asarray(roads.geometry.to_numpy(), dtype=object)
    if "walkable" in roads.columns:
        walk = ~roads["walkable"].isin(_NOT_WALKABLE).to_numpy()
        geoms = geoms[walk]
    keep = np.isin(shapely.get_type_id(geoms), (1, 5))
    return geoms[keep]
