"""Key figures of one scenario, computed by the engine's own analyses.

Nothing here re-implements an analysis: staff counts and costs come from the
roster and settings, grid sizes and staffing from :func:`gridplanner.grids.run_checks`
and :func:`gridplanner.integrity.missing_roles`, camera coverage from
:func:`gridplanner.coverage.CoverageState`, walking distances and loads from
:func:`gridplanner.allocation.allocate_layers`. An analysis that cannot run on the data
(no roads, no cameras ...) leaves its figures empty (NaN) with a note saying why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gridplanner.errors import Cancelled, GridPlannerError
from gridplanner.feedback import Feedback, report, sub
from gridplanner.i18n import _
from gridplanner.integrity import CORE_ROLES, missing_roles, staff_grid_ids
from gridplanner.locate import grid_index, household_weights
from gridplanner.project import Project
from gridplanner.scenarios.edit_figures import ABOVE, BELOW, band_status
from gridplanner.scenarios.labels import FIGURES
from gridplanner.settings import Settings
from layers.schema import SPECIALTIES

#: Distance beyond which a household counts as far from its worker (m).
FAR_DISTANCE_M = 1000.0
ROLES = ("grid_head", "full_time", "police", "part_time")


@dataclass(frozen=True)
class ScenarioFigures:
    """Key figures and per-grid / per-staff tables of one scenario.

    Attributes
    ----------
    name
        Scenario name.
    figures
        Figure key (see :data:`gridplanner.scenarios.labels.FIGURES`) -> value;
        NaN where the analysis could not run.
    grids
        One row per grid: ``grid_id``, ``community_id``, ``kind``, ``households``,
        ``band_min``, ``band_max``, ``band_status`` (below / in band / above),
        ``lacks`` (missing core roles), ``full_time_workers``, the organisation
        columns of :func:`gridplanner.organisation.grid_organisation`
        (``party_members``, ``red_grid``, ``special`` ...), ``work_group_short``
        (kinds of member below the setting ``work_group_minimum``), coverage shares
        (``households_pct_all`` ...), ``walk_mean_m``, ``walk_max_m``.
    staff
        One row per staff member of the allocated role: ``staff_id``, ``role``,
        ``grid_id``, ``load``, ``capacity``, ``capacity_used_pct``,
        ``mean_distance_m``, ``max_distance_m``.
    notes
        Why some figures are missing, one line per analysis.
    results
        The analyses' own result objects by name (``checks``, ``coverage``,
        ``allocation``), for maps and GeoPackage exports.
    project
        The project the figures were computed on (the scenario applied).
    """

    name: str
    figures: dict[str, float]
    grids: pd.DataFrame
    staff: pd.DataFrame
    notes: tuple[str, ...] = ()
    results: dict[str, Any] = field(default_factory=dict)
    project: Project | None = None


def key_figures(
    project: Project,
    *,
    name: str = "current",
    coverage: bool = True,
    allocation: bool = True,
    feedback: Feedback | None = None,
) -> ScenarioFigures:
    """Compute the key figures of ``project`` (a base project or a scenario applied).

    Parameters
    ----------
    project
        Layers and settings to measure; use
        :func:`gridplanner.scenarios.apply_scenario` to get a scenario's.
    name
        Label of the result.
    coverage, allocation
        Skip the camera coverage or the walking allocation (their figures stay NaN).
    feedback
        Progress and cancellation.

    Returns
    -------
    ScenarioFigures

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from layers.validate import validate
    >>> staff = gpd.GeoDataFrame({"staff_id": ["a", "b"], "role": ["full_time", "police"]},
    ...                          geometry=[shapely.Point(0, 0)] * 2, crs=4549)
    >>> staff = validate(staff, "staff").frame
    >>> f = key_figures(Project(layers={"staff": staff}), coverage=False, allocation=False)
    >>> f.figures["staff_full_time"], f.figures["staff_cost_yuan"]
    (1.0, 220000.0)
    """
    figures: dict[str, float] = {key: float("nan") for key in FIGURES}
    notes: list[str] = []
    results: dict[str, Any] = {}
    config = project.config
    figures.update(_staff_figures(project, config))
    report(feedback, 0.0, _("checking grids"))
    checks = _run_checks(project, notes, sub(feedback, 0.0, 0.2))
    if checks is not None:
        results["checks"] = checks
    grids = grid_figures(project, checks=checks)
    figures["grids_missing_staff"] = float((grids["lacks"] != "").sum())
    _organisation_summary(grids, figures)
    if checks is not None:
        if len(project.layer("households")):
            outside = grids["band_status"].isin([BELOW, ABOVE]).to_numpy()
            special = grids["special"].to_numpy(dtype=bool)
            figures["grids_outside_band"] = float((outside & ~special).sum())
            figures["special_grids_outside_band"] = float((outside & special).sum())
        else:
            notes.append(_("household band: the project has no households"))
    if coverage:
        report(feedback, 0.2, _("camera coverage"))
        result = _run_coverage(project, notes, sub(feedback, 0.2, 0.5))
        if result is not None:
            results["coverage"] = result
            grids = _with_coverage(grids, result)
            _coverage_summary(project, result, grids, figures)
    staff = _empty_staff_table()
    if allocation:
        report(feedback, 0.5, _("walking allocation"))
        assigned = _run_allocation(project, notes, sub(feedback, 0.5, 1.0))
        if assigned is not None:
            results["allocation"] = assigned
            grids = _with_walk(grids, project, assigned)
            staff = _allocation_summary(project, assigned, figures)
    report(feedback, 1.0, _("figures done"))
    return ScenarioFigures(name=name, figures=figures, grids=grids, staff=staff,
                           notes=tuple(notes), results=results, project=project)


def grid_figures(
    project: Project, *, checks: Any = None, coverage: Any = None, allocation: Any = None
) -> pd.DataFrame:
    """Return the per-grid figures of ``project`` from analysis results already computed.

    The one table maps and reports colour and label grids by (``ScenarioFigures.grids``
    is made by it too): ``grid_id``, ``community_id``, ``kind``,
    ``full_time_workers``, ``lacks`` always; ``households``, ``band_min``,
    ``band_max``, ``band_status`` from ``checks``; ``households_pct_all`` ... from
    ``coverage``; ``walk_mean_m`` and ``walk_max_m`` from ``allocation``.

    Parameters
    ----------
    project
        The project the results were computed on.
    checks
        Result of :func:`gridplanner.grids.run_checks`, or None (``households`` empty,
        ``band_status`` "").
    coverage
        Result of the registered analysis ``coverage``, or None.
    allocation
        Result of :func:`gridplanner.allocation.allocate_layers`, or None.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"grid_id": ["a", "b"]}, geometry=[shapely.box(0, 0, 1, 1)] * 2)
    >>> table = grid_figures(Project(layers={"grids": g}))
    >>> table["lacks"].tolist(), table["band_status"].tolist()
    (['grid_head;full_time;police', 'grid_head;full_time;police'], ['', ''])
    """
    table = _with_band(_grid_base(project), checks)
    if coverage is not None:
        table = _with_coverage(table, coverage)
    if allocation is not None:
        table = _with_walk(table, project, allocation)
    return table


def _staff_figures(project: Project, config: Settings) -> dict[str, float]:
    staff = project.layer("staff")
    roles = staff["role"].astype(str).value_counts() if len(staff) else pd.Series(dtype=int)
    out = {f"staff_{r}": float(roles.get(r, 0)) for r in ROLES}
    specialty = (staff["specialty"].dropna().astype(str).value_counts()
                 if len(staff) and "specialty" in staff.columns else pd.Series(dtype=int))
    out.update({f"staff_{k}": float(specialty.get(k, 0)) for k in SPECIALTIES})
    out["party_member_staff"] = float(staff["party_member"].fillna(False).astype(bool).sum()
                                      ) if len(staff) and "party_member" in staff else 0.0
    costs = config.role_cost_yuan
    out["staff_cost_yuan"] = float(sum(float(costs.get(r, 0) or 0) * int(n)
                                       for r, n in roles.items()))
    households = project.layer("households")
    out["households_total"] = float(household_weights(households).sum())
    out["grids_total"] = float(len(project.layer("grids")))
    return out


def run_analysis(
    project: Project, name: str, *, feedback: Feedback | None = None
) -> tuple[Any, tuple[str, ...]]:
    """Run one analysis behind the figures: ``checks``, ``coverage`` or ``allocation``.

    The allocation is the full-time workers' (the walking figures are theirs).

    Returns
    -------
    tuple
        The analysis result, or None when it cannot run on the data, and the notes
        saying why.

    Examples
    --------
    >>> run_analysis(Project(), "coverage")
    (None, ('camera coverage: the project has no cameras',))
    """
    runners = {"checks": _run_checks, "coverage": _run_coverage,
               "allocation": _run_allocation}
    notes: list[str] = []
    result = runners[name](project, notes, feedback)
    return result, tuple(notes)


def _grid_base(project: Project) -> pd.DataFrame:
    grids = project.layer("grids")
    ids = grids["grid_id"].astype(str).to_numpy()
    table = pd.DataFrame({"grid_id": ids})
    for col in ("community_id", "kind"):
        table[col] = grids[col].astype(str).to_numpy() if col in grids.columns else ""
    staff = project.layer("staff")
    full_time = staff_grid_ids(staff.loc[staff["role"] == "full_time", "grid_id"]) if len(
        staff) else []
    counts = pd.Series(full_time, dtype=object).value_counts()
    table["full_time_workers"] = counts.reindex(ids).fillna(0).astype(int).to_numpy()
    lacking = missing_roles(project) if len(grids) else pd.DataFrame({"grid_id": []})
    lacks = {str(rec["grid_id"]): ";".join(r for r in CORE_ROLES if rec[f"lacks_{r}"])
             for rec in lacking.to_dict("records")}
    table["lacks"] = [lacks.get(g, "") for g in ids]
    return _with_organisation(table, project)


def _with_organisation(table: pd.DataFrame, project: Project) -> pd.DataFrame:
    """Party building, special-grid, floating population and work-group columns."""
    from gridplanner.context import AnalysisContext
    from gridplanner.organisation import grid_organisation, work_group_shortfalls

    org = grid_organisation(AnalysisContext.of(project)).drop(columns=["grid_id",
                                                                      "households"])
    for col in org.columns:
        table[col] = org[col].to_numpy()
    short = work_group_shortfalls(project.layer("grids"), project.layer("staff"),
                                  dict(project.config.work_group_minimum))
    text = short.groupby("grid_id", sort=False)["member"].agg(";".join)
    table["work_group_short"] = text.reindex(table["grid_id"]).fillna("").to_numpy()
    return table


def _organisation_summary(grids: pd.DataFrame, figures: dict[str, float]) -> None:
    members = float(grids["party_members"].sum())
    figures["party_members"] = members
    figures["red_grids"] = float(grids["red_grid"].sum())
    figures["floating_population"] = float(grids["floating_population"].sum())
    figures["special_grids"] = float(grids["special"].sum())
    figures["grids_short_work_group"] = float((grids["work_group_short"] != "").sum())
    households = figures.get("households_total", float("nan"))
    figures["households_per_party_member"] = (round(households / members, 1) if members > 0
                                              else float("nan"))


def _run_checks(project: Project, notes: list[str], feedback: Feedback | None) -> Any:
    try:
        from gridplanner.analyses import run
        from gridplanner.context import AnalysisContext

        return run("check", AnalysisContext.of(project), feedback=feedback).value
    except (ImportError, AttributeError) as exc:  # the grids engine is not installed
        notes.append(_("grid checks unavailable ({error})", error=exc))
    except Cancelled:
        raise
    except GridPlannerError as exc:
        notes.append(_("grid checks could not run: {error}", error=exc.message))
    return None


def _with_band(table: pd.DataFrame, checks: Any) -> pd.DataFrame:
    table = table.copy()
    ids = table["grid_id"].to_numpy()
    if checks is None:
        table["households"] = np.nan
        table["band_status"] = ""
        return table
    gt = checks.grid_table.drop_duplicates("grid_id").set_index("grid_id")
    for col in ("households", "band_min", "band_max"):
        table[col] = gt[col].reindex(ids).to_numpy()
    # The band counts floating residents when the setting asks (band_households).
    counted = gt["band_households"] if "band_households" in gt.columns else gt["households"]
    table["band_status"] = band_status(counted.reindex(ids).to_numpy(dtype=float),
                                       table["band_min"].to_numpy(dtype=float),
                                       table["band_max"].to_numpy(dtype=float))
    return table


def _run_coverage(project: Project, notes: list[str], feedback: Feedback | None) -> Any:
    if not len(project.layer("cameras")):
        notes.append(_("camera coverage: the project has no cameras"))
        return None
    try:
        from gridplanner.analyses import run
        from gridplanner.context import AnalysisContext

        return run("coverage", AnalysisContext.of(project), feedback=feedback).value
    except (ImportError, AttributeError) as exc:
        notes.append(_("camera coverage unavailable ({error})", error=exc))
    except Cancelled:
        raise
    except GridPlannerError as exc:
        notes.append(_("camera coverage could not run: {error}", error=exc.message))
    return None


def _with_coverage(table: pd.DataFrame, result: Any) -> pd.DataFrame:
    per_grid = pd.DataFrame(result.grid_table).drop(columns="geometry", errors="ignore")
    per_grid = per_grid.assign(grid_id=per_grid["grid_id"].astype(str))
    cols = [c for c in per_grid.columns if c.endswith(("_pct_all", "_pct_cat1", "_pct_cat23"))]
    return table.drop(columns=[c for c in cols if c in table.columns]).merge(
        per_grid[["grid_id", *cols]].drop_duplicates("grid_id"), on="grid_id", how="left")


def _coverage_summary(project: Project, result: Any, table: pd.DataFrame,
                      figures: dict[str, float]) -> None:
    district = result.district.iloc[0] if len(result.district) else pd.Series(dtype=float)
    for what in ("households", "intersections"):
        for cat in ("all", "cat1", "cat23"):
            value = district.get(f"{what}_pct_{cat}", np.nan)
            figures[f"coverage_{what}_{cat}"] = float(value) if value is not None else np.nan
    threshold = project.config.coverage_threshold_pct
    if "households_pct_all" in table.columns:
        # Grids with no households have no share (NaN) and are not counted.
        pct = table["households_pct_all"].to_numpy(dtype=float)
        figures["grids_under_coverage_threshold"] = float(
            ((pct < threshold) & ~np.isnan(pct)).sum())


def _empty_staff_table() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in ("staff_id", "role", "grid_id", "load", "capacity",
                                         "capacity_used_pct", "mean_distance_m",
                                         "max_distance_m")})


def _run_allocation(project: Project, notes: list[str], feedback: Feedback | None) -> Any:
    staff = project.layer("staff")
    if not (staff["role"] == "full_time").any() if len(staff) else True:
        notes.append(_("walking allocation: the project has no full-time workers"))
        return None
    if not len(project.layer("households")) or not len(project.layer("roads")):
        notes.append(_("walking allocation: the project needs households and roads"))
        return None
    try:
        from gridplanner.context import AnalysisContext
        from gridplanner.organisation import allocate_workload

        return allocate_workload(AnalysisContext.of(project), role="full_time",
                                 feedback=feedback)
    except (ImportError, AttributeError) as exc:
        notes.append(_("walking allocation unavailable ({error})", error=exc))
    except Cancelled:
        raise
    except GridPlannerError as exc:
        notes.append(_("walking allocation could not run: {error}", error=exc.message))
    return None


def _allocation_summary(project: Project, result: Any,
                        figures: dict[str, float]) -> pd.DataFrame:
    totals = result.totals
    figures["walk_mean_m"] = float(totals.mean_distance_m)
    figures["walk_p95_m"] = float(totals.p95_distance_m)
    figures["walk_max_m"] = float(totals.max_distance_m)
    figures["households_beyond_1km"] = float(totals.households_beyond_1km)
    figures["households_unassigned"] = float(totals.unassigned_households)
    load = pd.DataFrame(result.staff_load)
    if len(load):
        loads = load["load"].to_numpy(dtype=float)
        figures["households_per_worker_mean"] = float(loads.mean())
        figures["households_per_worker_max"] = float(loads.max())
    return staff_figures(project, result)


def staff_figures(project: Project, allocation: Any) -> pd.DataFrame:
    """Return one row per allocated staff member: id, role, grid, load and distances.

    Columns ``staff_id``, ``role``, ``grid_id``, ``load``, ``capacity``,
    ``capacity_used_pct``, ``mean_distance_m``, ``max_distance_m``; empty without
    an ``allocation`` (result of :func:`gridplanner.allocation.allocate_layers`).
    """
    if allocation is None:
        return _empty_staff_table()
    load = pd.DataFrame(allocation.staff_load).drop(columns="geometry", errors="ignore")
    staff = project.layer("staff")
    info = pd.DataFrame({"staff_id": staff["staff_id"].astype(str).to_numpy(),
                         "role": staff["role"].astype(str).to_numpy(),
                         "grid_id": staff["grid_id"].astype(str).to_numpy()})
    load["staff_id"] = load["staff_id"].astype(str)
    staff_table = info.drop_duplicates("staff_id").merge(load, on="staff_id", how="inner")
    keep = [c for c in _empty_staff_table().columns if c in staff_table.columns]
    return staff_table[keep].reset_index(drop=True)


def _with_walk(table: pd.DataFrame, project: Project, result: Any) -> pd.DataFrame:
    walk = _walk_per_grid(project, result.assignments)
    return table.drop(columns=[c for c in ("walk_mean_m", "walk_max_m") if c in table.columns]
                      ).merge(walk, on="grid_id", how="left")


def _walk_per_grid(project: Project, assignments: gpd.GeoDataFrame) -> pd.DataFrame:
    """Household-weighted mean and max walk of the households inside each grid."""
    grids = project.layer("grids")
    empty = pd.DataFrame({"grid_id": pd.Series([], dtype=str), "walk_mean_m": [],
                          "walk_max_m": []})
    if not len(assignments) or not len(grids):
        return empty
    where = grid_index(np.asarray(grids.geometry.values, dtype=object),
                       np.asarray(assignments.geometry.values, dtype=object))
    inside = where >= 0
    if not inside.any():
        return empty
    w = assignments["households"].to_numpy(dtype=float)[inside]
    d = assignments["distance_m"].to_numpy(dtype=float)[inside]
    gid = grids["grid_id"].astype(str).to_numpy()[where[inside]]
    per = pd.DataFrame({"grid_id": gid, "wd": w * d,
                        "w": w, "d": d}).groupby("grid_id").agg(
        wd=("wd", "sum"), w=("w", "sum"), walk_max_m=("d", "max"))
    per["walk_mean_m"] = (per["wd"] / per["w"]).round(1)
    return per[["walk_mean_m", "walk_max_m"]].reset_index()
