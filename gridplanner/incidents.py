"""Incident statistics: counts per grid or community by kind and period, and hot spots.

:func:`incident_stats` places every incident of the ``incidents`` layer in its grid
(one rule, :meth:`~gridplanner.context.AnalysisContext.grid_of`) or in that grid's
community, counts them by kind and by month or week, and tests each unit's count
against the district rate with its households as exposure: under the district rate
λ = incidents / households, a unit holding E households expects μ = λE incidents,
and its one-sided Poisson p-value is P(X ≥ k | μ). A unit is *hot* when that
p-value, adjusted for testing every unit (Benjamini–Hochberg), is below ``alpha``:
a large grid is not hot merely for having many households.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import stats

from gridplanner.errors import AnalysisError
from gridplanner.feedback import Feedback, report
from gridplanner.i18n import _

if TYPE_CHECKING:
    from gridplanner.context import AnalysisContext

UNITS = ("grid", "community")
PERIODS = ("month", "week")
#: Period label of an incident without a time.
NO_TIME = "unknown"


@dataclass(frozen=True)
class IncidentStats:
    """Result of :func:`incident_stats`.

    Attributes
    ----------
    units
        One row per grid or community: ``unit_id``, ``households``, ``incidents``,
        ``per_1000_households``, ``expected`` (at the district rate), ``ratio``
        (incidents / expected), ``p_value`` (one-sided Poisson), ``p_adjusted``
        (Benjamini–Hochberg), ``hot``; polygons (a community: its grids' union).
    counts
        Long table: ``unit_id``, ``period``, ``kind``, ``incidents``.
    by_kind, by_period
        Wide tables: one row per unit, one column per kind or period.
    points
        The incidents with ``unit_id`` and ``period`` ("" outside every unit).
    rate_per_household
        The district rate λ (incidents inside units per household).
    outside
        Incidents inside no unit.
    """

    by: str
    period: str
    units: gpd.GeoDataFrame
    counts: pd.DataFrame
    by_kind: pd.DataFrame
    by_period: pd.DataFrame
    points: gpd.GeoDataFrame
    rate_per_household: float
    outside: int
    alpha: float


def period_labels(times: pd.Series, period: str) -> np.ndarray:
    """Label each time with its month (``2020-03``) or ISO week (``2020-W09``).

    Examples
    --------
    >>> t = pd.Series(pd.to_datetime(["2020-03-01", "2020-01-01", None]))
    >>> period_labels(t, "month").tolist(), period_labels(t, "week").tolist()
    (['2020-03', '2020-01', 'unknown'], ['2020-W09', '2020-W01', 'unknown'])
    """
    when = pd.to_datetime(times, errors="coerce")
    out = np.full(len(when), NO_TIME, dtype=object)
    ok = when.notna().to_numpy()
    if not ok.any():
        return out
    valid = when[ok]
    if period == "month":
        out[ok] = valid.dt.strftime("%Y-%m").to_numpy()
    else:
        iso = valid.dt.isocalendar()
        out[ok] = (iso["year"].astype(str) + "-W"
                   + iso["week"].astype(str).str.zfill(2)).to_numpy(dtype=object)
    return out


def poisson_hot(counts: np.ndarray, exposure: np.ndarray, *, alpha: float = 0.05
                ) -> pd.DataFrame:
    """Test each unit's count against the common rate, with ``exposure`` as its size.

    Units without exposure are left out of the rate and the test (NaN, not hot).

    Returns
    -------
    pandas.DataFrame
        ``expected``, ``ratio``, ``p_value`` (P(X >= count) for X Poisson with mean
        ``expected``), ``p_adjusted`` (Benjamini–Hochberg over the tested units),
        ``hot`` (``p_adjusted < alpha`` and more than expected).

    Examples
    --------
    Two grids of 100 households with 2 and 18 incidents: each expects 10.

    >>> t = poisson_hot(np.array([2, 18]), np.array([100, 100]))
    >>> t["expected"].tolist(), t["hot"].tolist()
    ([10.0, 10.0], [False, True])
    >>> round(float(t["p_value"].iloc[1]), 4), round(float(t["p_adjusted"].iloc[1]), 4)
    (0.0143, 0.0286)
    """
    counts = np.asarray(counts, dtype=float)
    exposure = np.asarray(exposure, dtype=float)
    tested = exposure > 0
    rate = counts[tested].sum() / exposure[tested].sum() if tested.any() else np.nan
    expected = np.where(tested, rate * exposure, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(tested & (expected > 0), counts / expected, np.nan)
    p = np.full(len(counts), np.nan)
    adjusted = np.full(len(counts), np.nan)
    if tested.any() and rate > 0:
        p[tested] = stats.poisson.sf(counts[tested] - 1, expected[tested])
        adjusted[tested] = stats.false_discovery_control(p[tested], method="bh")
    elif tested.any():
        p[tested] = adjusted[tested] = 1.0
    hot = (adjusted < alpha) & (counts > np.nan_to_num(expected, nan=np.inf))
    return pd.DataFrame({"expected": np.round(expected, 3), "ratio": np.round(ratio, 3),
                         "p_value": p, "p_adjusted": adjusted, "hot": hot})


def incident_stats(ctx: AnalysisContext, *, by: str = "grid", period: str = "month",
                   alpha: float = 0.05, feedback: Feedback | None = None) -> IncidentStats:
    """Count the project's incidents per grid or community and find the hot ones.

    Parameters
    ----------
    ctx
        The project's analysis context (layers ``incidents``, ``grids``,
        ``households``).
    by
        ``"grid"`` or ``"community"`` (the grids' ``community_id``).
    period
        ``"month"`` or ``"week"`` (ISO weeks).
    alpha
        False-discovery rate below which a unit is hot.
    feedback
        Progress and cancellation.

    Raises
    ------
    AnalysisError
        When the project has no incidents or no grids.
    """
    if by not in UNITS or period not in PERIODS:
        raise AnalysisError(_("incidents: --by takes {units} and --period {periods}",
                              units=" / ".join(UNITS), periods=" / ".join(PERIODS)))
    incidents = ctx.layer("incidents")
    grids = ctx.layer("grids")
    if not len(incidents):
        raise AnalysisError(_("incidents: layer incidents is empty: import incident reports "
                              "(points with kind and time) first"))
    if not len(grids):
        raise AnalysisError(_("incidents: layer grids is empty: incidents are counted per "
                              "grid"))
    report(feedback, 0.0, _("placing incidents in grids"))
    grid_ids = grids["grid_id"].astype(str).to_numpy()
    unit_of_grid = grid_ids if by == "grid" else (
        grids["community_id"].fillna("").astype(str).to_numpy()
        if "community_id" in grids.columns else np.full(len(grids), "", dtype=object))
    at = ctx.grid_of(np.asarray(incidents.geometry.values, dtype=object))
    unit = np.where(at >= 0, unit_of_grid[np.maximum(at, 0)], "").astype(object)
    hh_at = ctx.household_grid()
    weights = ctx.household_weights()
    hh_unit = pd.Series(weights[hh_at >= 0]).groupby(unit_of_grid[hh_at[hh_at >= 0]]).sum()
    units = pd.unique(unit_of_grid[unit_of_grid != ""])
    kinds = (incidents["kind"].fillna("").astype(str).replace("", "unknown").to_numpy()
             if "kind" in incidents.columns else np.full(len(incidents), "unknown"))
    periods = period_labels(incidents["time"] if "time" in incidents.columns
                            else pd.Series(pd.NaT, index=incidents.index), period)
    report(feedback, 0.5, _("counting incidents"))
    inside = unit != ""
    points = gpd.GeoDataFrame({
        "incident_id": incidents["incident_id"].astype(str).to_numpy()
        if "incident_id" in incidents.columns else np.arange(len(incidents)).astype(str),
        "kind": kinds, "period": periods, "unit_id": unit},
        geometry=incidents.geometry.values, crs=incidents.crs)
    frame = pd.DataFrame({"unit_id": unit[inside], "period": periods[inside],
                          "kind": kinds[inside]})
    counts = frame.groupby(["unit_id", "period", "kind"]).size().rename(
        "incidents").reset_index()
    total = frame.groupby("unit_id").size().reindex(units).fillna(0).astype(np.int64)
    exposure = hh_unit.reindex(units).fillna(0).astype(np.int64)
    test = poisson_hot(total.to_numpy(), exposure.to_numpy(), alpha=alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_1000 = np.where(exposure > 0, np.round(1000.0 * total / np.maximum(exposure, 1),
                                                   2), np.nan)
    table = pd.DataFrame({"unit_id": units, "households": exposure.to_numpy(),
                          "incidents": total.to_numpy(), "per_1000_households": per_1000})
    table = pd.concat([table, test], axis=1)
    shapes = _unit_shapes(grids, unit_of_grid, units)
    units_frame = gpd.GeoDataFrame(table, geometry=shapes, crs=grids.crs)
    by_kind = frame.groupby(["unit_id", "kind"]).size().unstack(fill_value=0).reindex(
        units, fill_value=0).rename_axis(columns=None).reset_index()
    by_period = frame.groupby(["unit_id", "period"]).size().unstack(fill_value=0).reindex(
        units, fill_value=0)
    by_period = by_period[sorted(by_period.columns)].rename_axis(columns=None).reset_index()
    tested = exposure.to_numpy() > 0
    rate = float(total.to_numpy()[tested].sum() / exposure.to_numpy()[tested].sum()
                 ) if tested.any() and exposure.to_numpy()[tested].sum() else float("nan")
    report(feedback, 1.0, _("incident statistics done"))
    return IncidentStats(by=by, period=period, units=units_frame, counts=counts,
                         by_kind=by_kind, by_period=by_period, points=points,
                         rate_per_household=rate, outside=int((~inside).sum()), alpha=alpha)


def _unit_shapes(grids: gpd.GeoDataFrame, unit_of_grid: np.ndarray, units: np.ndarray
                 ) -> np.ndarray:
    """Each unit's polygon: the grid itself, or the union of a community's grids."""
    geoms = np.asarray(grids.geometry.values, dtype=object)
    out = np.empty(len(units), dtype=object)
    for i, u in enumerate(units):  # one step per unit (grids or communities), not per point
        parts = geoms[unit_of_grid == u]
        out[i] = parts[0] if len(parts) == 1 else shapely.union_all(parts)
    return out
