"""Incident statistics: counts by unit, kind and period, and the Poisson hot-spot test."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from openpyxl import load_workbook
from shapely import Point, box

from gridplanner.cli import main
from gridplanner.context import AnalysisContext
from gridplanner.errors import AnalysisError
from gridplanner.incidents import incident_stats, period_labels, poisson_hot
from gridplanner.project import Project, save_project
from layers.validate import validate

CRS = 4549


def frame(layer, rows, geoms):
    return validate(gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS), layer).frame


def upper_tail(k: int, mu: float) -> float:
    """P(X >= k) for X ~ Poisson(mu), by the series."""
    return 1.0 - sum(math.exp(-mu) * mu**i / math.factorial(i) for i in range(k))


def test_poisson_test_against_the_series_and_benjamini_hochberg_by_hand():
    counts, exposure = np.array([2, 18, 10, 0]), np.array([100, 100, 100, 0])
    t = poisson_hot(counts, exposure, alpha=0.05)
    # The rate leaves out the unit without households: 30 / 300 = 0.1 per household.
    assert t["expected"].tolist()[:3] == [10.0, 10.0, 10.0]
    p = [upper_tail(2, 10.0), upper_tail(18, 10.0), upper_tail(10, 10.0)]
    assert t["p_value"].tolist()[:3] == pytest.approx(p, rel=1e-9)
    # BH over three tests: sorted p (0.0143, 0.54, 0.9995) -> 3p/1, 3p/2, p, monotone.
    assert t["p_adjusted"].iloc[1] == pytest.approx(3 * p[1])
    assert t["p_adjusted"].iloc[2] == pytest.approx(min(1.5 * p[2], p[0]))
    assert t["hot"].tolist() == [False, True, False, False]
    assert np.isnan(t["p_value"].iloc[3])
    assert t["ratio"].tolist()[:3] == [0.2, 1.8, 1.0]


def test_a_large_grid_is_not_hot_for_its_size_alone():
    # 40 incidents among 4,000 households is the district rate: not hot.
    t = poisson_hot(np.array([40, 1, 1, 1]), np.array([4000, 100, 100, 100]))
    assert not t["hot"].any()


def test_periods_are_months_or_iso_weeks():
    import pandas as pd

    t = pd.Series(pd.to_datetime(["2020-12-31", "2021-01-03", "2021-01-04"]))
    assert period_labels(t, "month").tolist() == ["2020-12", "2021-01", "2021-01"]
    # 3 January 2021 still belongs to ISO week 53 of 2020.
    assert period_labels(t, "week").tolist() == ["2020-W53", "2020-W53", "2021-W01"]


def project():
    grids = frame("grids", {"grid_id": ["c1001", "c1002", "c2001"],
                            "community_id": ["c1", "c1", "c2"]},
                  [box(0, 0, 100, 100), box(100, 0, 200, 100), box(200, 0, 300, 100)])
    hh = frame("households", {"household_id": ["h1", "h2", "h3"],
                              "households": [100, 100, 200]},
               [Point(50, 50), Point(150, 50), Point(250, 50)])
    pts = [Point(10, 10)] * 3 + [Point(150, 10)] * 12 + [Point(250, 10)] * 5 + [Point(900, 0)]
    kinds = ["治安", "治安", "矛盾纠纷"] + ["矛盾纠纷"] * 12 + ["消防隐患"] * 5 + ["治安"]
    times = (["2020-01-05", "2020-02-01", "2020-02-03"] + ["2020-03-10"] * 12
             + ["2020-01-20"] * 4 + [None] + ["2020-01-01"])
    incidents = frame("incidents", {"incident_id": [f"e{i}" for i in range(21)],
                                    "kind": kinds, "occurred_at": times}, pts)
    return Project(layers={"grids": grids, "households": hh, "incidents": incidents})


def test_counts_per_grid_by_kind_and_month_by_hand():
    s = incident_stats(AnalysisContext.of(project()))
    units = s.units.set_index("unit_id")
    assert units["incidents"].to_dict() == {"c1001": 3, "c1002": 12, "c2001": 5}
    assert units["households"].to_dict() == {"c1001": 100, "c1002": 100, "c2001": 200}
    assert s.outside == 1
    assert s.rate_per_household == pytest.approx(20 / 400)
    assert units["per_1000_households"].to_dict() == {"c1001": 30.0, "c1002": 120.0,
                                                     "c2001": 25.0}
    assert units["hot"].to_dict() == {"c1001": False, "c1002": True, "c2001": False}
    by_kind = s.by_kind.set_index("unit_id")
    assert by_kind.loc["c1001", ["治安", "矛盾纠纷"]].tolist() == [2, 1]
    by_period = s.by_period.set_index("unit_id")
    assert by_period.columns.tolist() == ["2020-01", "2020-02", "2020-03", "unknown"]
    assert by_period.loc["c2001"].tolist() == [4, 0, 0, 1]
    counts = s.counts.set_index(["unit_id", "period", "kind"])["incidents"]
    assert counts[("c1002", "2020-03", "矛盾纠纷")] == 12
    assert int(counts.sum()) == 20


def test_counts_per_community():
    s = incident_stats(AnalysisContext.of(project()), by="community", period="week")
    units = s.units.set_index("unit_id")
    assert units["incidents"].to_dict() == {"c1": 15, "c2": 5}
    assert units["households"].to_dict() == {"c1": 200, "c2": 200}
    assert units.geometry["c1"].area == pytest.approx(20_000)
    assert "2020-W11" in s.by_period.columns


def test_no_incidents_says_what_to_import():
    p = project()
    empty = Project(layers={k: v for k, v in p.layers.items() if k != "incidents"})
    with pytest.raises(AnalysisError, match="layer incidents is empty"):
        incident_stats(AnalysisContext.of(empty))


def test_command_line_writes_the_statistics_as_a_workbook(tmp_path, capsys):
    path = tmp_path / "p.gpkg"
    save_project(project(), path)
    out = tmp_path / "stats.xlsx"
    assert main(["incidents", str(path), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "hot units" in text
    book = load_workbook(out)
    assert book.sheetnames == ["incident_units", "incident_counts", "incident_by_kind",
                               "incident_by_period", "incident_points"]
    rows = list(book["incident_units"].values)
    assert rows[0][:3] == ("unit_id", "households", "incidents")
    assert len(rows) == 4
