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
    assert "newly_served_households" in text
