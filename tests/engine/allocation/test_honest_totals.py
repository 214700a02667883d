"""Totals that add up: placement gains and allocation totals on one basis."""

from __future__ import annotations

import re

import pytest

from gridplanner.analyses import run
from gridplanner.context import AnalysisContext
from gridplanner.project import open_project


def _number(text: str, pattern: str) -> float:
    m = re.search(pattern, text)
    assert m is not None, (pattern, text)
    return float(m.group(1).replace(",", ""))


def test_place_on_the_sample_gains_add_up_to_the_totals(sample_project_file):
    result = run("place", AnalysisContext.of(open_project(sample_project_file)), n=5,
                 starts=1)
    r, sites = result.value, result.value.sites
    # Per-site gains and newly served walks explain the change of the total.
    assert r.total_before_household_m - sites["gain_household_m"].sum() + sites[
        "newly_served_household_m"].sum() == pytest.approx(r.total_after_household_m, abs=1.0)
    assert sites["newly_served_households"].sum() == (r.served_after_households
                                                      - r.served_before_households)
    # No gain exceeds what the households served before can lose in walking.
    assert sites["gain_household_m"].max() <= r.total_before_household_m
    assert r.served_before_after_household_m <= r.total_before_household_m
    text = result.summary
    assert _number(text, r"served before: ([\d,]+) ->") == pytest.approx(
        r.total_before_household_m, abs=1)
    assert _number(text, r"served before: [\d,]+ -> ([\d,]+)") == pytest.approx(
        r.served_before_after_household_m, abs=1)
    assert "households newly served" in text  # the per-site table's readable header


def _drop_case():
    """One worker with room for 5 households; two buildings of 3 close by."""
    import geopandas as gpd
    from shapely import LineString, Point

    crs = 3857
    roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1000, 0)])], crs=crs)
    hh = gpd.GeoDataFrame({"household_id": ["a", "b"], "households": [3, 3]},
                          geometry=[Point(100, 0), Point(300, 0)], crs=crs)
    st = gpd.GeoDataFrame({"staff_id": ["w"], "role": "full_time", "capacity": [5],
                           "grid_id": [""]}, geometry=[Point(0, 0)], crs=crs)
    return hh, st, roads


def test_allocation_totals_compare_served_and_unserved_on_one_basis():
    from gridplanner.allocation import allocate_layers
    from gridplanner.analyses.walking import allocation_summary

    hh, st, roads = _drop_case()
    r = allocate_layers(hh, st, roads)
    t = r.totals
    # The flow places 3 + 2 households (300 + 600 m); whole buildings: only a fits.
    assert (t.assigned_households, t.unassigned_households) == (3, 3)
    assert (t.flow_assigned_households, t.flow_unassigned_households) == (5, 1)
    assert t.flow_optimum_household_m == pytest.approx(300 + 600)
    # Walking alone, the answer walks 3 households and the bound 5: not comparable.
    # Charged the same per household left out, the answer is not below its bound.
    cost = t.unassigned_cost_m
    assert cost > 1000
    assert t.total_with_unassigned_household_m == pytest.approx(
        t.objective_household_m + 3 * cost)
    assert t.flow_total_with_unassigned_household_m == pytest.approx(900 + 1 * cost)
    assert t.total_with_unassigned_household_m >= t.flow_total_with_unassigned_household_m
    text = allocation_summary(r, None, role="full_time", within_grid=False)
    assert _number(text, r"households assigned / unassigned +([\d,]+) /") == 3
    assert _number(text, r"flow: households assigned / unassigned +([\d,]+) /") == 5
    answer = _number(text, r"total, \S+ m per unassigned household +([\d,]+)")
    bound = _number(text, r"lower bound, \S+ m per unassigned household +([\d,]+)")
    assert answer >= bound


def test_within_grid_total_on_the_sample_is_not_below_its_bound(sample_project_file):
    result = run("allocate", AnalysisContext.of(open_project(sample_project_file)),
                 within_grid=True)
    t = result.value.totals
    assert t.total_with_unassigned_household_m >= t.flow_total_with_unassigned_household_m
    assert (t.assigned_households + t.unassigned_households
            == t.flow_assigned_households + t.flow_unassigned_households)
    answer = _number(result.summary, r"total, \S+ m per unassigned household +([\d,]+)")
    bound = _number(result.summary, r"lower bound, \S+ m per unassigned household +([\d,]+)")
    assert answer >= bound
