"""The analysis context: what analyses compute once per project and share.

An :class:`AnalysisContext` belongs to one :class:`~gridplanner.project.Project`
(:meth:`AnalysisContext.of`). It owns the checked settings, the household weights,
the grid of every household (one rule, :func:`gridplanner.locate.grid_index`), the
walking network, the points snapped to it (households, staff of each role,
facilities, candidate sites) and any other table an analysis asks it
to remember (:meth:`AnalysisContext.memo`). Each remembered value names the layers
and settings it was computed from; the project's change events drop exactly those
values, so an edit to the grids keeps the network and a new camera keeps the
household snapping. There are no module-level caches: a context dies with its
project.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from gridplanner.feedback import Feedback
from gridplanner.locate import grid_ids_of, grid_index, household_weights, incidents_per_point
from gridplanner.settings import Settings

if TYPE_CHECKING:
    import geopandas as gpd

    from gridplanner.network.graph import RoadNetwork
    from gridplanner.network.snap import Snapped
    from gridplanner.project import Project

T = TypeVar("T")


@dataclass(frozen=True)
class _Entry:
    value: Any
    layers: frozenset[str]
    settings: frozenset[str]


class AnalysisContext:
    """Shared, invalidated-on-change state of one project's analyses.

    Thread-safe: the app computes on worker threads while the GUI thread edits;
    a value being computed when its inputs change is not kept.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from gridplanner.project import Project
    >>> grids = gpd.GeoDataFrame({"grid_id": ["a", "b"]},
    ...                          geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> hh = gpd.GeoDataFrame({"household_id": ["h1", "h2"], "households": [3, None]},
    ...                       geometry=shapely.points([[0.5, 0.5], [1.5, 0.5]]))
    >>> ctx = AnalysisContext.of(Project(layers={"grids": grids, "households": hh}))
    >>> ctx.household_grid_ids().tolist(), ctx.household_weights().tolist()
    (['a', 'b'], [3, 1])
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self._lock = threading.RLock()
        self._entries: dict[Any, _Entry] = {}
        self._generation = 0
        project.subscribe(self._on_change)

    @classmethod
    def of(cls, project: Project) -> AnalysisContext:
        """Return the context of ``project`` (made on first use, kept by the project)."""
        ctx = project.__dict__.get("_context")
        if ctx is None:
            ctx = cls(project)
            project.__dict__["_context"] = ctx
        return ctx

    # ------------------------------------------------------------ remembering
    def memo(self, key: Any, build: Callable[[], T], *, layers: Iterable[str] = (),
             settings: Iterable[str] = ()) -> T:
        """Return the value remembered under ``key``, building it on first use.

        ``layers`` and ``settings`` name what the value is computed from: a change
        to any of them forgets it.
        """
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                return hit.value
            generation = self._generation
        value = build()
        with self._lock:
            if generation == self._generation:
                self._entries[key] = _Entry(value, frozenset(layers), frozenset(settings))
        return value

    def forget(self, *, layer: str | None = None, setting: str | None = None) -> None:
        """Drop remembered values computed from ``layer`` / ``setting`` (all if neither)."""
        with self._lock:
            self._generation += 1
            if layer is None and setting is None:
                self._entries.clear()
                return
            self._entries = {
                k: e for k, e in self._entries.items()
                if not ((layer is not None and layer in e.layers)
                        or (setting is not None and (setting in e.settings or (
                            setting == "" and e.settings))))}

    def inherit(self, parent: AnalysisContext) -> None:
        """Take over ``parent``'s values whose layers and settings are the same here.

        Scenario variants share most layers with the project they come from: the
        network and the snapped households carry over when roads and households
        did not change.
        """
        mine, theirs = self.project, parent.project
        same_settings = {k for k in _setting_names()
                         if getattr(mine.config, k) == getattr(theirs.config, k)}
        with parent._lock:
            entries = dict(parent._entries)
        with self._lock:
            for key, entry in entries.items():
                if key in self._entries or not entry.settings <= same_settings:
                    continue
                if all(mine.layers.get(n) is theirs.layers.get(n) for n in entry.layers):
                    self._entries[key] = entry

    def _on_change(self, event: str, name: str) -> None:
        if event in ("layer_changed", "layer_removed"):
            self.forget(layer=name)
        elif event == "settings_changed":
            self.forget(setting=name)

    # ------------------------------------------------------------ the shared rules
    @property
    def settings(self) -> Settings:
        """The project's checked settings."""
        return self.memo("settings", lambda: self.project.config, settings=_setting_names())

    def household_weights(self, *, band: bool = False, workload: bool = False) -> np.ndarray:
        """Households held by each household point (one rule: ``locate.household_weights``).

        ``band`` adds the floating population as the setting ``band_floating_weight``
        asks (what the household band counts); ``workload`` adds the setting
        ``incident_weight_households`` per incident nearest the point (what an
        allocation weighted by workload serves).
        """
        if not band and not workload:
            return self.memo("household_weights",
                             lambda: household_weights(self.project.layer("households")),
                             layers=("households",))
        cfg = self.settings

        def build() -> np.ndarray:
            households = self.project.layer("households")
            counts = None
            if workload and cfg.incident_weight_households > 0:
                counts = incidents_per_point(
                    np.asarray(households.geometry.values, dtype=object),
                    np.asarray(self.project.layer("incidents").geometry.values,
                               dtype=object))
            return household_weights(
                households, floating_weight=cfg.band_floating_weight if band else 0.0,
                incidents=counts, incident_weight=cfg.incident_weight_households)

        return self.memo(("household_weights", band, workload), build,
                         layers=("households", "incidents"),
                         settings=("band_floating_weight", "incident_weight_households"))

    def grid_of(self, points: np.ndarray) -> np.ndarray:
        """Grid position of each point in the grids layer (-1 outside every grid)."""
        grids = self.project.layer("grids")
        return grid_index(np.asarray(grids.geometry.values, dtype=object), points)

    def grid_ids(self, points: np.ndarray) -> np.ndarray:
        """``grid_id`` of the grid each point lies in ("" outside every grid)."""
        grids = self.project.layer("grids")
        return grid_ids_of(grids["grid_id"].astype(str).to_numpy(), self.grid_of(points))

    def household_grid(self) -> np.ndarray:
        """Grid position of every household point (remembered)."""
        return self.memo("household_grid", lambda: self.grid_of(
            np.asarray(self.project.layer("households").geometry.values, dtype=object)),
            layers=("grids", "households"))

    def household_grid_ids(self) -> np.ndarray:
        """``grid_id`` of every household point ("" outside every grid)."""
        grids = self.project.layer("grids")
        return grid_ids_of(grids["grid_id"].astype(str).to_numpy(), self.household_grid())

    # ------------------------------------------------------------ the network
    def network(self, *, feedback: Feedback | None = None) -> RoadNetwork:
        """Return the walking network of the roads (built once per roads and tolerance)."""
        from gridplanner.network.graph import build_network

        tolerance = self.settings.join_tolerance_m
        return self.memo("network", lambda: build_network(
            self.project.layer("roads"), join_tolerance_m=tolerance, feedback=feedback),
            layers=("roads",), settings=("join_tolerance_m",))

    def snapped(self, layer: str, *, rows: np.ndarray | None = None,
                key: str = "") -> Snapped:
        """Points of ``layer`` snapped to the network (remembered per layer and ``key``).

        ``rows`` picks some rows (e.g. staff of one role, named by ``key``).
        """
        from gridplanner.network.snap import snap_points

        def build() -> Snapped:
            frame = self.project.layer(layer)
            geoms = np.asarray(frame.geometry.values, dtype=object)
            if rows is not None:
                geoms = geoms[rows]
            return snap_points(self.network(), geoms, cutoff_m=self.settings.snap_cutoff_m)

        return self.memo(("snapped", layer, key), build, layers=(layer, "roads"),
                         settings=("join_tolerance_m", "snap_cutoff_m"))

    def staff_snapped(self, role: str, *, missing_role: str = "full_time") -> Snapped:
        """Staff of ``role`` (in layer order) snapped to the network (remembered).

        A staff layer without a ``role`` column counts every row as
        ``missing_role``. Dropped when the staff, the roads or the walking
        settings change.

        Examples
        --------
        >>> import geopandas as gpd, shapely
        >>> from gridplanner.project import Project
        >>> roads = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (100, 0)])])
        >>> staff = gpd.GeoDataFrame({"staff_id": ["a", "b"], "role": ["police", "full_time"]},
        ...                          geometry=shapely.points([[10, 5], [60, 5]]))
        >>> ctx = AnalysisContext.of(Project(layers={"roads": roads, "staff": staff}))
        >>> ctx.staff_snapped("full_time").foot_xy.tolist()
        [[60.0, 0.0]]
        >>> ctx.staff_snapped("full_time") is ctx.staff_snapped("full_time")
        True
        """
        staff = self.layer("staff")
        roles = (staff["role"].astype(str).to_numpy() if "role" in staff.columns
                 else np.full(len(staff), missing_role, dtype=object))
        return self.snapped("staff", rows=np.flatnonzero(roles == role),
                            key=f"role={role};missing={missing_role}")

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """Return the project's layer ``name`` (an empty frame of its schema when missing)."""
        return self.project.layer(name)


def _setting_names() -> tuple[str, ...]:
    from gridplanner.settings import SPECS

    return tuple(SPECS)
