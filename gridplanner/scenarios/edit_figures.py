"""Figures of grids while they are edited: households, band and compactness.

The app shows, for the grids an edit changed, their households against the band
of their kind and their Polsby–Popper compactness, next to the values before the
edit. The rules live here, once: which band a grid's kind has
(:meth:`gridplanner.settings.Settings.band_for`), when a count is below, in or
above it (:func:`band_status`), and when a change moves a grid towards its band
(:func:`toward_band`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from gridplanner.grids.topology import count_households, polsby_popper
from gridplanner.project import Project

BELOW, IN_BAND, ABOVE = "below", "in band", "above"


def band_status(households: np.ndarray, band_min: np.ndarray, band_max: np.ndarray
                ) -> np.ndarray:
    """``below``, ``in band`` or ``above`` for each count ("" where the count is NaN).

    Examples
    --------
    >>> band_status(np.array([250.0, 400.0, 600.0, np.nan]), np.full(4, 300), np.full(4, 500))
    array(['below', 'in band', 'above', ''], dtype='<U7')
    """
    hh = np.asarray(households, dtype=float)
    status = np.where(hh < np.asarray(band_min, dtype=float), BELOW,
                      np.where(hh > np.asarray(band_max, dtype=float), ABOVE, IN_BAND))
    return np.where(np.isnan(hh), "", status)


def toward_band(now: float, before: float, band_min: float, band_max: float) -> int:
    """1 when ``now`` is closer to the band than ``before``, -1 when farther, else 0.

    Inside the band every count is as good as another; outside, the distance to the
    nearer end counts. Unknown values (NaN) give 0.

    Examples
    --------
    >>> toward_band(280, 250, 300, 500), toward_band(520, 480, 300, 500)
    (1, -1)
    >>> toward_band(450, 350, 300, 500)
    0
    """
    if np.isnan(now) or np.isnan(before) or now == before:
        return 0
    d_now = max(band_min - now, 0.0, now - band_max)
    d_before = max(band_min - before, 0.0, before - band_max)
    if d_now == d_before:
        return 0
    return 1 if d_now < d_before else -1


def grid_edit_figures(project: Project, grid_ids: Iterable[str] | None = None, *,
                      household_counts: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Households, band and compactness of the project's grids (all, or ``grid_ids``).

    Parameters
    ----------
    project
        The project (its ``grids`` and ``households`` are read).
    grid_ids
        Only these grids (ids that no longer exist are left out); all when None.
    household_counts
        Households per grid already known (an edit command's ``household_counts``);
        grids not in it are counted from the household points.

    Returns
    -------
    pandas.DataFrame
        ``grid_id``, ``kind``, ``households``, ``band_min``, ``band_max``,
        ``band_status`` (:func:`band_status`), ``polsby_popper``; in layer order.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> grids = gpd.GeoDataFrame({"grid_id": ["a", "b"], "kind": ["urban", "special"]},
    ...                          geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> hh = gpd.GeoDataFrame({"household_id": ["h"], "households": [320]},
    ...                       geometry=[shapely.Point(0.5, 0.5)])
    >>> t = grid_edit_figures(Project(layers={"grids": grids, "households": hh}))
    >>> t[["grid_id", "households", "band_status"]].values.tolist()
    [['a', 320.0, 'in band'], ['b', 0.0, 'in band']]
    """
    grids = project.layer("grids")
    ids = grids["grid_id"].astype(str).to_numpy()
    rows = np.arange(len(ids)) if grid_ids is None else np.flatnonzero(
        np.isin(ids, [str(g) for g in grid_ids]))
    geoms = np.asarray(grids.geometry.to_numpy(), dtype=object)[rows]
    kinds = (grids["kind"].fillna("urban").astype(str).to_numpy()[rows]
             if "kind" in grids.columns else np.full(len(rows), "urban", dtype=object))
    known = {str(k): float(v) for k, v in (household_counts or {}).items()}
    households = np.array([known.get(g, np.nan) for g in ids[rows]], dtype=float)
    missing = np.isnan(households)
    if missing.any():
        households[missing] = count_households(geoms[missing], project.layer("households"))
    config = project.config
    bands = {kind: config.band_for(kind) for kind in set(kinds.tolist())}
    low = np.array([bands[k][0] for k in kinds], dtype=np.int64)
    high = np.array([bands[k][1] for k in kinds], dtype=np.int64)
    return pd.DataFrame({
        "grid_id": ids[rows], "kind": kinds, "households": households, "band_min": low,
        "band_max": high, "band_status": band_status(households, low, high),
        "polsby_popper": polsby_popper(geoms) if len(geoms) else np.zeros(0)})
