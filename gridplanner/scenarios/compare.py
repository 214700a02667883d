"""Side-by-side comparison of scenarios: figures, per-grid before/after, what changed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridplanner.errors import ProjectError
from gridplanner.feedback import Feedback, report, sub
from gridplanner.i18n import _
from gridplanner.project import Project
from gridplanner.scenarios.figures import ScenarioFigures, key_figures
from gridplanner.scenarios.labels import FIGURES
from gridplanner.scenarios.model import CURRENT, apply_scenario, get_scenario, is_current

#: Per-grid columns shown before/after in the comparison.
GRID_COLUMNS = ("households", "band_status", "full_time_workers", "lacks",
                "households_pct_all", "intersections_pct_all", "walk_mean_m", "walk_max_m")


@dataclass(frozen=True)
class Comparison:
    """Scenarios side by side.

    Attributes
    ----------
    names
        Scenario names in the order given; the first is the reference.
    figures
        One row per key figure: ``key``, ``figure_zh``, ``figure_en``, one column
        per scenario, then ``Δ <name>`` = that scenario minus the first.
    grids
        Per grid before/after: ``grid_id`` then ``<column> [<scenario>]`` for each
        of :data:`GRID_COLUMNS` present, grids of every scenario (outer join).
    changed_grids
        ``scenario``, ``grid_id``, ``change`` (added / removed / reshaped /
        attributes), ``detail``: grids that differ from the first scenario's.
    changed_staff
        ``scenario``, ``staff_id``, ``role``, ``change`` (added / removed / moved /
        role / grid / capacity_changed, several joined by ``;``), ``before``,
        ``after``: staff that differ from the first scenario's.
    results
        Each scenario's :class:`ScenarioFigures`.
    """

    names: tuple[str, ...]
    figures: pd.DataFrame
    grids: pd.DataFrame
    changed_grids: pd.DataFrame
    changed_staff: pd.DataFrame
    results: tuple[ScenarioFigures, ...]

    @property
    def notes(self) -> list[str]:
        """Why figures are missing, per scenario."""
        return [f"{r.name}: {n}" for r in self.results for n in r.notes]


def compare_scenarios(
    project: Project,
    names: Sequence[str],
    *,
    coverage: bool = True,
    allocation: bool = True,
    feedback: Feedback | None = None,
) -> Comparison:
    """Compute and compare the key figures of scenarios of ``project``.

    Parameters
    ----------
    project
        The project holding the scenarios.
    names
        Two or more scenario names (``current`` is the base data); the first is
        the reference the differences are taken against.
    coverage, allocation
        Run camera coverage / walking allocation (slow parts) or leave them out.
    feedback
        Progress and cancellation.

    Returns
    -------
    Comparison

    Raises
    ------
    ProjectError
        When a name is unknown (the message lists the scenarios there are) or
        fewer than two names are given.

    Examples
    --------
    >>> cmp = compare_scenarios(Project(), ["current", "current"], coverage=False)
    >>> cmp.figures.loc[cmp.figures["key"] == "grids_total", "Δ current (2)"].item()
    0.0
    """
    if len(names) < 2:
        raise ProjectError("give at least two scenarios to compare, e.g. current and one "
                           "stored scenario")
    scenarios = [get_scenario(project, n) for n in names]  # fail early on unknown names
    results = []
    step = 1.0 / len(names)
    for i, (name, scenario) in enumerate(zip(names, scenarios, strict=True)):
        report(feedback, i * step, _("scenario {name}", name=name))
        derived = project if is_current(name) else apply_scenario(project, scenario)
        label = CURRENT if is_current(name) else name
        results.append(key_figures(derived, name=label, coverage=coverage,
                                   allocation=allocation,
                                   feedback=sub(feedback, i * step, (i + 1) * step)))
    report(feedback, 1.0, _("comparison done"))
    return compare_figures(results)


def compare_figures(results: Sequence[ScenarioFigures]) -> Comparison:
    """Assemble a :class:`Comparison` from figures already computed.

    Parameters
    ----------
    results
        Figures of two or more scenarios; the first is the reference. Each
        result's ``project`` is used to list changed grids and staff.

    Returns
    -------
    Comparison
    """
    labels = _unique_labels([r.name for r in results])
    figures = pd.DataFrame({
        "key": list(FIGURES),
        "figure_zh": [f.title(lang="zh_CN") for f in FIGURES.values()],
        "figure_en": [f.title(lang="en") for f in FIGURES.values()],
    })
    for label, res in zip(labels, results, strict=True):
        figures[label] = [res.figures.get(k, np.nan) for k in FIGURES]
    for label in labels[1:]:
        figures[f"Δ {label}"] = figures[label] - figures[labels[0]]
    grids = _grid_before_after(labels, results)
    changed_grids, changed_staff = _changes(labels, results)
    return Comparison(names=tuple(labels), figures=figures, grids=grids,
                      changed_grids=changed_grids, changed_staff=changed_staff,
                      results=tuple(results))


def _unique_labels(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


def _grid_before_after(labels: list[str], results: Sequence[ScenarioFigures]) -> pd.DataFrame:
    table: pd.DataFrame | None = None
    for label, res in zip(labels, results, strict=True):
        cols = [c for c in GRID_COLUMNS if c in res.grids.columns]
        part = res.grids[["grid_id", *cols]].drop_duplicates("grid_id")
        part = part.rename(columns={c: f"{c} [{label}]" for c in cols})
        table = part if table is None else table.merge(part, on="grid_id", how="outer")
    assert table is not None
    return table.sort_values("grid_id", kind="stable").reset_index(drop=True)


def _changes(
    labels: list[str], results: Sequence[ScenarioFigures]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    grid_parts = []
    staff_parts = []
    ref = results[0].project
    for label, res in zip(labels[1:], results[1:], strict=True):
        if ref is None or res.project is None:
            continue
        g = grid_changes(ref.layer("grids"), res.project.layer("grids"))
        grid_parts.append(g.assign(scenario=label))
        s = staff_changes(ref.layer("staff"), res.project.layer("staff"))
        staff_parts.append(s.assign(scenario=label))
    grid_cols = ["scenario", "grid_id", "change", "detail"]
    staff_cols = ["scenario", "staff_id", "role", "change", "before", "after"]
    grids = (pd.concat(grid_parts, ignore_index=True)[grid_cols] if grid_parts
             else pd.DataFrame({c: [] for c in grid_cols}))
    staff = (pd.concat(staff_parts, ignore_index=True)[staff_cols] if staff_parts
             else pd.DataFrame({c: [] for c in staff_cols}))
    return grids, staff


def _keyed(frame: gpd.GeoDataFrame, id_col: str) -> gpd.GeoDataFrame:
    out = frame.copy()
    out.index = out[id_col].astype(str).to_numpy()
    return out[~out.index.duplicated()]


def grid_changes(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame) -> pd.DataFrame:
    """List grids added, removed, reshaped or with changed attributes.

    Examples
    --------
    >>> a = gpd.GeoDataFrame({"grid_id": ["g1", "g2"]},
    ...                      geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> b = gpd.GeoDataFrame({"grid_id": ["g1", "g3"]},
    ...                      geometry=[shapely.box(0, 0, 1.5, 1), shapely.box(1, 0, 2, 1)])
    >>> grid_changes(a, b)[["grid_id", "change"]].values.tolist()
    [['g1', 'reshaped'], ['g2', 'removed'], ['g3', 'added']]
    """
    a = _keyed(before, "grid_id")
    b = _keyed(after, "grid_id")
    rows: list[dict[str, str]] = []
    common = a.index.intersection(b.index)
    ga = np.asarray(a.loc[common].geometry.to_numpy(), dtype=object)
    gb = np.asarray(b.loc[common].geometry.to_numpy(), dtype=object)
    # Equal shapes written with another start vertex are not a reshape.
    same_shape = shapely.equals(ga, gb) if len(common) else np.array([], dtype=bool)
    area_a = shapely.area(ga)
    area_b = shapely.area(gb)
    attrs = [c for c in ("name", "community_id", "kind", "locked")
             if c in a.columns and c in b.columns]
    for i, gid in enumerate(common):
        if not same_shape[i]:
            rows.append({"grid_id": gid, "change": "reshaped",
                         "detail": f"area {area_a[i]:,.0f} → {area_b[i]:,.0f} m²"})
            continue
        diffs = [c for c in attrs if str(a.at[gid, c]) != str(b.at[gid, c])]
        if diffs:
            rows.append({"grid_id": gid, "change": "attributes",
                         "detail": ", ".join(f"{c}: {a.at[gid, c]} → {b.at[gid, c]}"
                                             for c in diffs)})
    rows += [{"grid_id": g, "change": "removed", "detail": ""}
             for g in a.index.difference(b.index)]
    rows += [{"grid_id": g, "change": "added",
              "detail": f"area {shapely.area(b.at[g, 'geometry']):,.0f} m²"}
             for g in b.index.difference(a.index)]
    out = pd.DataFrame(rows, columns=["grid_id", "change", "detail"])
    return out.sort_values("grid_id", kind="stable").reset_index(drop=True)


def staff_changes(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame) -> pd.DataFrame:
    """List staff added, removed, moved, or with a changed role, grid or capacity.

    Examples
    --------
    >>> a = gpd.GeoDataFrame({"staff_id": ["s1"], "role": ["full_time"], "grid_id": ["g1"]},
    ...                      geometry=[shapely.Point(0, 0)])
    >>> b = a.assign(grid_id="g2").set_geometry([shapely.Point(30, 40)])
    >>> staff_changes(a, b)[["staff_id", "change", "after"]].values.tolist()
    [['s1', 'moved;grid', 'moved 50 m; grid g2']]
    """
    a = _keyed(before, "staff_id")
    b = _keyed(after, "staff_id")
    common = a.index.intersection(b.index)
    ga = np.asarray(a.loc[common].geometry.to_numpy(), dtype=object)
    gb = np.asarray(b.loc[common].geometry.to_numpy(), dtype=object)
    moved_m = shapely.distance(ga, gb) if len(common) else np.array([])
    rows: list[dict[str, str]] = []
    for i, sid in enumerate(common):
        kinds, was, now = [], [], []
        if moved_m[i] > 0.01 or (np.isnan(moved_m[i]) and not shapely.equals(ga[i], gb[i])):
            kinds.append("moved")
            now.append(f"moved {moved_m[i]:,.0f} m")
        for col, word in (("role", "role"), ("grid_id", "grid"), ("capacity", "capacity_changed")):
            va = a.at[sid, col] if col in a.columns else None
            vb = b.at[sid, col] if col in b.columns else None
            if _text(va) != _text(vb):
                kinds.append(word)
                was.append(f"{word.split('_')[0]} {_text(va)}")
                now.append(f"{word.split('_')[0]} {_text(vb)}")
        if kinds:
            rows.append({"staff_id": sid, "role": _text(b.at[sid, "role"]),
                         "change": ";".join(kinds), "before": "; ".join(was),
                         "after": "; ".join(now)})
    for sid in a.index.difference(b.index):
        rows.append({"staff_id": sid, "role": _text(a.at[sid, "role"]), "change": "removed",
                     "before": f"grid {_text(a.at[sid, 'grid_id'])}", "after": ""})
    for sid in b.index.difference(a.index):
        rows.append({"staff_id": sid, "role": _text(b.at[sid, "role"]), "change": "added",
                     "before": "", "after": f"grid {_text(b.at[sid, 'grid_id'])}"})
    out = pd.DataFrame(rows, columns=["staff_id", "role", "change", "before", "after"])
    return out.sort_values("staff_id", kind="stable").reset_index(drop=True)


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
