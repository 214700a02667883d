"""Camera siting: choose K new camera positions that see the most of what is unseen.

Candidates are the intersections and points every ``spacing_m`` along walkable
roads (or a layer of candidate points given by the user), each tried all-round
or facing ``directions`` evenly spaced azimuths with the category's field of
view. The score of a set of new views is the households they newly cover plus
``intersection_weight`` times the intersections they newly cover (what the
current counted cameras already see counts for nothing).

This is weighted maximum coverage, a monotone submodular objective, so the lazy
greedy used here (re-evaluate the stale best option until it stays best) is
within ``1 - 1/e`` (63 %) of the optimum. Each step also yields a data-dependent
bound: the optimum is at most the current score plus the K largest (stale, hence
upper) marginal gains; the smallest such bound over the steps is reported, and
``guarantee`` = score / bound says how close to optimal the picks are proven to be.
Several views may share one site (two cameras on one pole).

Every view is first scored on open ground (no buildings), an upper bound of its
true score; building shadows are cut only when the lazy greedy brings a view to
the top, once per site (the all-round view cut by shadows, then intersected with
the sector: shadows do not depend on where the camera faces). The bounds stay
valid because a stale or open-ground gain is never below the true one.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from gridplanner.coverage.footprints import ARC_SEGMENTS, sector_polygons
from gridplanner.coverage.incremental import CoverageState
from gridplanner.coverage.visibility import visible_footprints
from gridplanner.errors import AnalysisError
from gridplanner.feedback import Feedback, report
from gridplanner.i18n import _

if TYPE_CHECKING:
    from gridplanner.context import AnalysisContext

#: Default weight of one newly covered intersection, in households: a category-1
#: camera's first purpose is key public places and intersections.
INTERSECTION_WEIGHT = 10.0

#: Default spacing (m) of candidate points along walkable roads.
SPACING_M = 50.0

PROPOSED_COLUMNS = ("rank", "site_id", "source", "category", "azimuth_deg", "fov_deg",
                    "range_m", "gain", "new_households", "new_intersections",
                    "cumulative_gain", "bound_optimum")


@dataclass(frozen=True)
class SitingResult:
    """Picked camera sites and how good the pick is proven to be.

    Attributes
    ----------
    proposed
        One row per pick, in pick order: ``rank``, ``site_id``, ``source``
        (``intersection``, ``road`` or ``candidate``), ``category``,
        ``azimuth_deg`` (empty = all-round), ``fov_deg``, ``range_m``, ``gain``
        (marginal score of the pick), ``new_households``, ``new_intersections``,
        ``cumulative_gain``, ``bound_optimum`` (upper bound on the best possible
        score of K picks, found at that step); point geometry.
    footprints
        Visible footprint of each pick (same order), with ``rank``.
    total_gain
        Score of all picks.
    optimum_bound
        Smallest upper bound on the optimal score found (>= the optimum).
    guarantee
        ``total_gain / optimum_bound`` (1.0 = proven optimal; never below 0.63).
    """

    proposed: gpd.GeoDataFrame
    footprints: gpd.GeoDataFrame
    total_gain: float
    optimum_bound: float
    guarantee: float


def site_cameras(
    ctx: AnalysisContext,
    *,
    k: int,
    candidates: gpd.GeoDataFrame | None = None,
    spacing_m: float = SPACING_M,
    intersection_weight: float = INTERSECTION_WEIGHT,
    category: int = 1,
    range_m: float | None = None,
    fov_deg: float | None = None,
    directions: int = 8,
    all_round: bool = False,
    include_offline: bool = False,
    use_buildings: bool = True,
    state: CoverageState | None = None,
    feedback: Feedback | None = None,
) -> SitingResult:
    """Choose ``k`` new camera views that add the most newly covered targets.

    Parameters
    ----------
    ctx
        The project's analysis context (the project's grids, cameras, households,
        roads and buildings are read). On a project, the registered analysis
        ``site-cameras`` (:func:`gridplanner.analyses.run`) runs this.
    k
        Number of new cameras.
    candidates
        Candidate points (any columns; ``candidate_id`` or ``site_id`` used as id
        when present). Default: intersections and points along walkable roads.
    spacing_m
        Spacing of the default candidates along roads.
    intersection_weight
        Score of one newly covered intersection, in households.
    category
        Category of the new cameras (range and fov defaults from the settings).
    range_m, fov_deg
        Override the category's defaults.
    directions
        Azimuths tried per site (evenly spaced from north).
    all_round
        Try only all-round views.
    include_offline
        Count what offline cameras see as already covered.
    use_buildings
        Cut views by building shadows.
    state
        A coverage state of the project to reuse (saves recomputing coverage).
    feedback
        Progress and cancellation.

    Returns
    -------
    SitingResult
        The picks, their footprints, the score and its proven bound.

    Raises
    ------
    AnalysisError
        When ``k`` is not positive or there is no candidate.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from gridplanner.project import Project
    >>> grids = gpd.GeoDataFrame({"grid_id": ["g"]}, geometry=[shapely.box(0, 0, 200, 200)],
    ...                          crs=4549)
    >>> homes = gpd.GeoDataFrame({"household_id": ["h1", "h2"], "households": [5, 1]},
    ...     geometry=[shapely.Point(20, 20), shapely.Point(180, 180)], crs=4549)
    >>> cands = gpd.GeoDataFrame({"candidate_id": ["a", "b"]},
    ...     geometry=[shapely.Point(25, 25), shapely.Point(175, 175)], crs=4549)
    >>> from gridplanner.context import AnalysisContext
    >>> ctx = AnalysisContext.of(Project(layers={"grids": grids, "households": homes}))
    >>> res = site_cameras(ctx, k=1, candidates=cands, all_round=True)
    >>> res.proposed[["site_id", "gain"]].values.tolist()
    [['a', 5.0]]
    """
    if int(k) < 1:
        raise AnalysisError(f"site-cameras: k must be at least 1 (got {k})")
    project = ctx.project
    report(feedback, 0.0, _("current coverage"))
    if state is None:
        state = CoverageState.from_project(project, include_offline=include_offline,
                                           use_buildings=use_buildings)
    spec = _view_spec(project, category=category, range_m=range_m, fov_deg=fov_deg,
                      directions=directions, all_round=all_round)
    _check_options(view_range=spec.range_m, view_fov=spec.fov_deg, spacing_m=spacing_m,
                   directions=directions, intersection_weight=intersection_weight)
    report(feedback, 0.3, _("candidate sites"))
    sites = _candidate_sites(state, project, candidates, spacing_m)
    if not len(sites):
        if candidates is not None:
            raise AnalysisError("site-cameras: none of the candidate points lies inside a "
                                "grid; check the candidate layer's coordinates")
        raise AnalysisError("site-cameras: no candidate site inside the grids; give a "
                            "candidate layer or check the roads layer")
    report(feedback, 0.4, _("candidate views"))
    views = _views(sites, spec)
    report(feedback, 0.6, _("what each view would add"))
    targets = _targets(state, float(intersection_weight))
    buildings = state._buildings if use_buildings else None
    shadows = None if buildings is None else _Shadows(
        views, spec.range_m, targets.tree, buildings, own_building_m=state.own_building_m)
    report(feedback, 0.8, _("choosing sites"))
    picks, gains, bounds, rows = lazy_greedy(
        _incidence(targets.tree, views.polygons, len(targets.weight)), targets.weight, int(k),
        refine=None if shadows is None else shadows.targets)
    result = _picked(state, sites, views, spec, targets,
                     _Greedy(picks, gains, bounds, rows),
                     cut={} if shadows is None else shadows.cut)
    report(feedback, 1.0, _("sites chosen"))
    return result


def lazy_greedy(
    matrix: sparse.csr_matrix,
    weight: np.ndarray,
    k: int,
    *,
    refine: Callable[[int], np.ndarray] | None = None,
) -> tuple[list[int], list[float], list[float], list[np.ndarray]]:
    """Lazy greedy weighted maximum coverage with data-dependent optimum bounds.

    Parameters
    ----------
    matrix
        Options x targets incidence (CSR, nonzero = the option covers the target).
    weight
        Weight of each target.
    k
        Number of options to pick.
    refine
        Optional exact targets of an option, called the first time the option
        reaches the top; ``matrix`` then only needs to over-estimate (a superset).

    Returns
    -------
    tuple
        Picked option rows, their marginal gains, for each step (plus one after
        the last pick) an upper bound on the optimal score of ``k`` options, and
        the targets of each pick.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> m = sparse.csr_matrix(np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]]))
    >>> picks, gains, bounds, _ = lazy_greedy(m, np.ones(4), 2)
    >>> picks, gains, min(bounds)
    ([0, 2], [2.0, 2.0], 4.0)
    """
    n_opt = matrix.shape[0]
    covered = np.zeros(matrix.shape[1], dtype=bool)
    upper = np.asarray(matrix @ weight, dtype="float64").ravel()
    exact: dict[int, np.ndarray] = {}
    heap = [(-float(g), int(o)) for o, g in enumerate(upper) if g > 0]
    heapq.heapify(heap)
    picks: list[int] = []
    gains: list[float] = []
    bounds: list[float] = []
    rows: list[np.ndarray] = []
    score = 0.0

    def bound() -> float:
        if not n_opt:
            return score
        top = upper if n_opt <= k else np.partition(upper, n_opt - k)[n_opt - k:]
        return score + float(np.clip(top, 0, None).sum())

    while len(picks) < k:
        bounds.append(bound())
        best = None
        while heap:
            _, o = heapq.heappop(heap)
            if o in exact:
                t = exact[o]
            elif refine is not None:
                t = exact[o] = refine(o)
            else:
                t = matrix.indices[matrix.indptr[o]:matrix.indptr[o + 1]]
            gain = float(weight[t][~covered[t]].sum())
            upper[o] = gain
            if gain <= 0:
                continue
            if not heap or gain >= -heap[0][0]:
                best = (o, gain, t)
                break
            heapq.heappush(heap, (-gain, o))
        if best is None:
            break
        o, gain, t = best
        covered[t] = True
        upper[o] = 0.0
        score += gain
        picks.append(o)
        gains.append(gain)
        rows.append(t)
    bounds.append(bound())
    return picks, gains, bounds, rows


def _check_options(
    *, view_range: float, view_fov: float, spacing_m: float, directions: int,
    intersection_weight: float,
) -> None:
    """Refuse options no camera or candidate grid can have (NaN, infinity, zero)."""
    checks = [
        ("--range-m", view_range, 0.0 < view_range <= 1000.0, "above 0 and at most 1000"),
        ("--fov-deg", view_fov, 0.0 < view_fov <= 360.0, "above 0 and at most 360"),
        ("--spacing-m", spacing_m, 1.0 <= spacing_m <= 10_000.0, "from 1 to 10,000"),
        ("--directions", directions, 1 <= directions <= 360, "from 1 to 360"),
        ("--intersection-weight", intersection_weight,
         0.0 <= intersection_weight <= 1e6, "from 0 to 1,000,000"),
    ]
    for flag, value, ok, allowed in checks:
        if not ok:  # NaN fails every comparison, so it lands here too
            raise AnalysisError(f"site-cameras: {flag} must be {allowed} (got {value:g})")


def _candidate_sites(state: CoverageState, project: Any, candidates: gpd.GeoDataFrame | None,
                     spacing_m: float) -> gpd.GeoDataFrame:
    eng = state.engine
    if candidates is not None:
        geoms = np.asarray(candidates.geometry.to_numpy(), dtype=object)
        ok = (shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)
        id_col = next((c for c in ("candidate_id", "site_id", "id") if c in candidates), None)
        ids = (candidates[id_col].astype(str).to_numpy() if id_col
               else np.array([f"row {i + 1}" for i in range(len(candidates))], dtype=object))
        frame = gpd.GeoDataFrame({"site_id": ids[ok], "source": "candidate"},
                                 geometry=geoms[ok], crs=state.crs)
    else:
        ix = eng.intersections.points
        ix_ids = np.array([f"X{v}" for v in state.ix_ids], dtype=object)
        roads = np.asarray(project.layer("roads").geometry.to_numpy(), dtype=object)
        road_pts = _points_along(roads, spacing_m)
        frame = gpd.GeoDataFrame({
            "site_id": np.concatenate([ix_ids, [f"R{i + 1}" for i in range(len(road_pts))]]),
            "source": np.concatenate([np.full(len(ix), "intersection", dtype=object),
                                      np.full(len(road_pts), "road", dtype=object)]),
        }, geometry=np.concatenate([ix, road_pts]), crs=state.crs)
    inside = eng._assign(frame.geometry.to_numpy()) >= 0
    return frame[inside].reset_index(drop=True)


def _points_along(lines: np.ndarray, spacing_m: float) -> np.ndarray:
    parts = shapely.get_parts(lines[~shapely.is_missing(lines)])
    parts = parts[shapely.get_type_id(parts) == 1]
    if not len(parts):
        return np.empty(0, dtype=object)
    length = shapely.length(parts)
    count = np.floor(length / max(spacing_m, 1.0)).astype("int64") + 1
    line = np.repeat(np.arange(len(parts)), count)
    k = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    dist = np.minimum(k * spacing_m + np.where(count[line] == 1, length[line] / 2, 0.0),
                      length[line])
    return np.asarray(shapely.line_interpolate_point(parts[line], dist), dtype=object)


def _targets(state: CoverageState, intersection_weight: float) -> _Targets:
    """Uncovered households and intersections inside grids, with their weights."""
    eng = state.engine
    hh, ix = eng.households, eng.intersections
    hh_t = np.flatnonzero((hh.grid >= 0) & ~hh.covered[0])
    ix_t = np.flatnonzero((ix.grid >= 0) & ~ix.covered[0])
    points = np.concatenate([hh.points[hh_t], ix.points[ix_t]])
    weight = np.concatenate([hh.weight[hh_t], np.full(len(ix_t), intersection_weight)])
    is_ix = np.concatenate([np.zeros(len(hh_t), dtype=bool), np.ones(len(ix_t), dtype=bool)])
    return _Targets(points, weight, is_ix, shapely.STRtree(points))


def _incidence(tree: shapely.STRtree, views: np.ndarray, n_targets: int) -> sparse.csr_matrix:
    rows, cols = tree.query(views, predicate="covers")
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                               shape=(len(views), n_targets))
    matrix.sum_duplicates()
    return matrix


@dataclass(frozen=True)
class _ViewSpec:
    """The new cameras' category, range and field of view, and the azimuths tried.

    ``azimuths`` is empty when only all-round views are tried.
    """

    category: int
    range_m: float
    fov_deg: float
    azimuths: np.ndarray


@dataclass(frozen=True)
class _Views:
    """Candidate views: site (row of the sites), azimuth (NaN = all-round), polygon."""

    site_xy: np.ndarray
    site_of: np.ndarray
    azimuth: np.ndarray
    polygons: np.ndarray


@dataclass(frozen=True)
class _Targets:
    """Uncovered households and intersections inside grids, and their weights."""

    points: np.ndarray
    weight: np.ndarray
    is_intersection: np.ndarray
    tree: shapely.STRtree


@dataclass(frozen=True)
class _Greedy:
    """What :func:`lazy_greedy` returned: picks, gains, bounds and picked targets."""

    picks: list[int]
    gains: list[float]
    bounds: list[float]
    rows: list[np.ndarray]


def _view_spec(project: Any, *, category: int, range_m: float | None, fov_deg: float | None,
               directions: int, all_round: bool) -> _ViewSpec:
    """Read the category's defaults from the settings; check the range."""
    defaults = project.config.camera_defaults.get(int(category), {})
    view_range = float(range_m if range_m is not None else defaults.get("range_m", 60.0))
    view_fov = float(fov_deg if fov_deg is not None else defaults.get("fov_deg", 90.0))
    if not view_range > 0:
        raise AnalysisError(f"site-cameras: range must be positive (got {view_range})")
    if all_round or view_fov >= 360 or directions < 1:
        azimuths = np.empty(0)
    else:
        azimuths = np.arange(int(directions)) * 360.0 / int(directions)
    return _ViewSpec(int(category), view_range, view_fov, azimuths)


def _views(sites: gpd.GeoDataFrame, spec: _ViewSpec) -> _Views:
    """Every site's views on open ground: one per azimuth, or one all-round."""
    xy = shapely.get_coordinates(sites.geometry.to_numpy())
    n_site = len(sites)
    if not len(spec.azimuths):
        site_of = np.arange(n_site)
        azimuth = np.full(n_site, np.nan)
    else:
        site_of = np.repeat(np.arange(n_site), len(spec.azimuths))
        azimuth = np.tile(spec.azimuths, n_site)
    polygons = sector_polygons(xy[site_of, 0], xy[site_of, 1],
                               np.full(len(site_of), spec.range_m), azimuth,
                               np.full(len(site_of), spec.fov_deg), arc_segments=ARC_SEGMENTS)
    return _Views(xy, site_of, azimuth, polygons)


class _Shadows:
    """Cut building shadows out of the views the greedy looks at.

    Building shadows only shrink a view, so the open-ground incidence is an
    upper bound and shadows are cut only for views the greedy brings to the top,
    once per site (the all-round view cut by shadows, then intersected with each
    sector). ``cut`` keeps each view so cut, by option.
    """

    def __init__(self, views: _Views, range_m: float, tree: shapely.STRtree,
                 buildings: tuple[np.ndarray, np.ndarray, shapely.STRtree], *,
                 own_building_m: float) -> None:
        self._views = views
        self._range_m = range_m
        self._buildings = buildings
        self._own_building_m = own_building_m
        self._tree = tree
        self._visible_site: dict[int, Any] = {}
        self.cut: dict[int, Any] = {}

    def targets(self, option: int) -> np.ndarray:
        """Return the targets view ``option`` sees past the buildings."""
        views = self._views
        site = int(views.site_of[option])
        if site not in self._visible_site:
            x, y = views.site_xy[site:site + 1, 0], views.site_xy[site:site + 1, 1]
            circle = sector_polygons(x, y, np.array([self._range_m]), np.array([np.nan]),
                                     np.array([360.0]))
            self._visible_site[site] = visible_footprints(
                circle, x, y, np.array([self._range_m]), self._buildings,
                own_building_m=self._own_building_m)[0]
        view = shapely.intersection(views.polygons[option], self._visible_site[site])
        self.cut[option] = view
        return np.asarray(self._tree.query(view, predicate="covers"), dtype="int64")


def _picked(state: CoverageState, sites: gpd.GeoDataFrame, views: _Views, spec: _ViewSpec,
            targets: _Targets, greedy: _Greedy, *, cut: dict[int, Any]) -> SitingResult:
    """Assemble the picks' rows and footprints, the score and its bound."""
    covered = np.zeros(len(targets.weight), dtype=bool)
    new_hh: list[float] = []
    new_ix: list[int] = []
    is_ix = targets.is_intersection
    for t in greedy.rows:
        t = t[~covered[t]]
        covered[t] = True
        new_hh.append(float(targets.weight[t][~is_ix[t]].sum()))
        new_ix.append(int(is_ix[t].sum()))
    picks = np.asarray(greedy.picks, dtype="int64")
    gains = greedy.gains
    s = views.site_of[picks]
    frame = pd.DataFrame({
        "rank": np.arange(1, len(picks) + 1),
        "site_id": sites["site_id"].to_numpy()[s],
        "source": sites["source"].to_numpy()[s],
        "category": spec.category,
        "azimuth_deg": views.azimuth[picks],
        "fov_deg": np.where(np.isnan(views.azimuth[picks]), 360.0, spec.fov_deg),
        "range_m": spec.range_m,
        "gain": np.asarray(gains, dtype="float64"),
        "new_households": np.round(new_hh).astype("int64"),
        "new_intersections": np.asarray(new_ix, dtype="int64"),
        "cumulative_gain": np.cumsum(gains) if gains else np.empty(0),
        "bound_optimum": np.asarray(greedy.bounds[:len(picks)], dtype="float64"),
    })
    total = float(np.sum(gains))
    best_bound = float(min(greedy.bounds)) if greedy.bounds else 0.0
    best_bound = max(best_bound, total)
    proposed = gpd.GeoDataFrame(frame, geometry=sites.geometry.to_numpy()[s], crs=state.crs)
    shapes = np.array([cut.get(o, views.polygons[o]) for o in greedy.picks], dtype=object)
    footprints = gpd.GeoDataFrame({"rank": frame["rank"]}, geometry=shapes, crs=state.crs)
    return SitingResult(proposed, footprints, total, best_bound,
                        total / best_bound if best_bound > 0 else 1.0)
