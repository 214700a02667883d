"""The organisation in the data: party building, special grids, work groups, facility
kinds, floating population, workload and 党员联户, on tiny hand-checked cases."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import LineString, Point, box

from gridplanner.context import AnalysisContext
from gridplanner.errors import AnalysisError, SettingsError
from gridplanner.grids.checks import run_checks
from gridplanner.organisation import (
    facility_cutoffs,
    grid_organisation,
    link_members,
    special_grids,
    work_group_shortfalls,
    work_groups,
)
from gridplanner.project import Project
from gridplanner.scenarios.figures import key_figures
from gridplanner.settings import Settings
from layers.validate import validate

CRS = 4549


def frame(layer, rows, geoms):
    return validate(gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS), layer).frame


def two_grids(**extra):
    """Grids a (x 0-100) and b (x 100-200) of one community."""
    rows = {"grid_id": ["c1001", "c1002"], "community_id": ["c1", "c1"], **extra}
    return frame("grids", rows, [box(0, 0, 100, 100), box(100, 0, 200, 100)])


# ------------------------------------------------------------------ schema, settings


def test_new_columns_read_chinese_names_and_values():
    grids = frame("grids", {"网格编码": ["g1", "g2"], "党支部": ["一支部", ""],
                            "专属单位": ["第一中学", ""], "单位类型": ["学校", ""]},
                  [box(0, 0, 1, 1), box(1, 0, 2, 1)])
    assert grids["party_branch"].tolist() == ["一支部", ""]
    assert grids["host_unit"].tolist() == ["第一中学", ""]
    assert grids["host_kind"].iloc[0] == "school"
    assert pd.isna(grids["host_kind"].iloc[1])
    hh = frame("households", {"户编号": ["h"], "户数": [4], "党员数": [2], "流动人口": [3]},
               [Point(0, 0)])
    assert hh[["party_members", "floating_population"]].values.tolist() == [[2, 3]]
    staff = frame("staff", {"工号": ["s1", "s2", "s3"], "政治面貌": ["中共党员", "群众", None],
                            "专业": ["辅警", "卫生监督员", "市场监管"]}, [Point(0, 0)] * 3)
    assert staff["party_member"].tolist() == [True, False, False]
    assert staff["specialty"].tolist() == ["auxiliary_police", "health_inspector",
                                           "market_supervision"]
    fac = frame("facilities", {"设施编号": ["f1", "f2", "f3", "f4"],
                               "设施类型": ["综治中心", "信访超市", "便民服务中心",
                                            "矛盾纠纷调处化解中心"]}, [Point(0, 0)] * 4)
    assert fac["kind"].tolist() == ["governance_centre", "petition_reception",
                                    "service_centre", "mediation_centre"]


def test_empty_kinds_survive_a_save_and_reopen(tmp_path):
    from gridplanner.project import open_project, save_project

    grids = two_grids(host_unit=["", "第一中学"], host_kind=["", "学校"])
    staff = frame("staff", {"staff_id": ["s1", "s2"], "specialty": [None, "医生"]},
                  [Point(0, 0)] * 2)
    path = save_project(Project(layers={"grids": grids, "staff": staff}), tmp_path / "p.gpkg")
    back = open_project(path)
    assert back.layers["grids"]["host_kind"].fillna("").tolist() == ["", "school"]
    assert back.layers["staff"]["specialty"].fillna("").tolist() == ["", "doctor"]


def test_old_files_without_the_columns_keep_working():
    hh = frame("households", {"household_id": ["h"]}, [Point(0, 0)])
    assert hh[["party_members", "floating_population"]].values.tolist() == [[0, 0]]
    staff = frame("staff", {"staff_id": ["s"]}, [Point(0, 0)])
    assert not staff["party_member"].iloc[0]
    assert pd.isna(staff["specialty"].iloc[0])


@pytest.mark.parametrize(("layer", "rows"), [
    ("households", {"household_id": ["h"], "party_members": [-1]}),
    ("households", {"household_id": ["h"], "floating_population": ["many"]}),
    ("staff", {"staff_id": ["s"], "specialty": ["chef"]}),
    ("grids", {"grid_id": ["g"], "host_kind": ["castle"]}),
    ("facilities", {"facility_id": ["f"], "kind": ["spa"]}),
])
def test_bad_values_in_the_new_columns_are_refused_naming_the_column(layer, rows):
    from layers.errors import SchemaError

    with pytest.raises(SchemaError) as err:
        frame(layer, rows, [box(0, 0, 1, 1) if layer == "grids" else Point(0, 0)])
    assert next(iter(set(rows) - {f"{layer[:-1]}_id", "household_id", "staff_id",
                                  "grid_id", "facility_id"})) in str(err.value)


def test_organisation_settings_have_defaults_and_refuse_bad_values():
    s = Settings()
    assert s.link_capacity_households == 10
    assert s.cutoff_for("police_station") == 2000.0
    assert s.cutoff_for("no such kind") == s.cutoff_for("other")
    assert s.work_group_minimum == {"police": 0.33}
    assert s.band_floating_weight == 0.0
    assert s.incident_weight_households == 0.0
    for bad in ({"link_capacity_households": 0}, {"facility_cutoff_m": {"spa": 10}},
                {"work_group_minimum": {"chef": 1}}, {"band_floating_weight": -1},
                {"incident_weight_households": float("nan")}):
        with pytest.raises(SettingsError):
            s.updated(**bad)


# ------------------------------------------------------------------ facility kinds


def test_facility_cutoff_comes_from_the_record_else_its_kind():
    fac = pd.DataFrame({"kind": ["service_centre", "mediation_centre", "petition_reception"],
                        "cutoff_m": [np.nan, 500.0, 0.0]})
    s = Settings().updated(facility_cutoff_m={"service_centre": 700})
    assert facility_cutoffs(fac, s).tolist() == [700.0, 500.0, 3000.0]


def test_service_areas_use_the_kind_default_cutoff():
    from gridplanner.analyses import run

    roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (3000, 0)])], crs=CRS)
    fac = frame("facilities", {"facility_id": ["P", "S"], "kind": ["派出所", "便民服务中心"]},
                [Point(0, 0), Point(0, 0)])
    hh = frame("households", {"household_id": ["a", "b"], "households": [1, 1]},
               [Point(900, 0), Point(1900, 0)])
    project = Project(layers={"roads": roads, "facilities": fac, "households": hh})
    areas = run("service-areas", AnalysisContext.of(project)).value.areas.set_index(
        "facility_id")
    # police station 2000 m reaches both, citizen service centre 1000 m only a.
    assert areas["cutoff_m"].to_dict() == {"P": 2000.0, "S": 1000.0}
    assert areas["households"].to_dict() == {"P": 2, "S": 1}


# ------------------------------------------------------------------ party building


def party_project(**settings):
    grids = two_grids(party_branch=["一支部", "二支部"])
    hh = frame("households", {"household_id": ["h1", "h2", "h3"], "households": [30, 10, 20],
                              "party_members": [2, 1, 0], "floating_population": [5, 0, 40]},
               [Point(10, 10), Point(50, 50), Point(150, 50)])
    staff = frame("staff", {"staff_id": ["s1", "s2", "s3"],
                            "role": ["grid_head", "police", "full_time"],
                            "grid_id": ["c1001", "c1001;c1002", "c1002"],
                            "party_member": [True, True, False]},
                  [Point(5, 5), Point(100, 50), Point(150, 5)])
    return Project(layers={"grids": grids, "households": hh, "staff": staff},
                   settings=settings)


def test_grid_organisation_figures_by_hand():
    table = grid_organisation(AnalysisContext.of(party_project())).set_index("grid_id")
    a, b = table.loc["c1001"], table.loc["c1002"]
    assert (a["households"], a["party_members"], a["floating_population"]) == (40, 3, 5)
    assert (b["households"], b["party_members"], b["floating_population"]) == (20, 0, 40)
    # a: head and police are party members; b: the police officer serving both is.
    assert (a["party_member_workers"], b["party_member_workers"]) == (2, 1)
    assert a["households_per_party_member"] == pytest.approx(13.3)
    assert np.isnan(b["households_per_party_member"])
    assert bool(a["red_grid"])
    assert bool(b["red_grid"])


def test_red_grid_needs_a_branch_and_a_party_member_worker():
    project = party_project()
    grids = project.layers["grids"].assign(party_branch=["", "二支部"])
    staff = project.layers["staff"].assign(party_member=[True, False, False])
    project = Project(layers={**project.layers, "grids": grids, "staff": staff})
    table = grid_organisation(AnalysisContext.of(project))
    # a has a party-member head but no branch; b a branch but no party-member worker.
    assert table["red_grid"].tolist() == [False, False]


def test_key_figures_count_party_building_and_specialties():
    project = party_project()
    staff = project.layers["staff"]
    extra = frame("staff", {"staff_id": ["x1", "x2", "x3"], "role": "part_time",
                            "grid_id": "c1002", "specialty": ["医生", "辅警", "医生"]},
                  [Point(150, 50)] * 3)
    project = Project(layers={**project.layers, "staff": pd.concat([staff, extra],
                                                                   ignore_index=True)})
    f = key_figures(project, coverage=False, allocation=False).figures
    assert f["party_members"] == 3
    assert f["party_member_staff"] == 2
    assert f["red_grids"] == 2
    assert f["households_per_party_member"] == 20.0
    assert f["floating_population"] == 45
    assert (f["staff_doctor"], f["staff_auxiliary_police"], f["staff_law_enforcement"]) == (
        2, 1, 0)


# ------------------------------------------------------------------ floating population


def test_band_counts_floating_residents_when_the_setting_asks():
    plain = run_checks(AnalysisContext.of(party_project()))
    assert plain.grid_table["band_households"].tolist() == [40, 20]
    counted = run_checks(AnalysisContext.of(party_project(band_floating_weight=0.5,
                                                          band={"urban": [0, 35]})))
    # a: 40 + 0.5 * 5 -> 43 (2.5 rounds to 2 at h1); b: 20 + 0.5 * 40 = 40.
    assert counted.grid_table["band_households"].tolist() == [42, 40]
    assert counted.grid_table["households"].tolist() == [40, 20]
    band = counted.of("band")
    assert band["grid_ids"].tolist() == ["c1001", "c1002"]
    assert "floating residents counted" in band["message"].iloc[1]


# ------------------------------------------------------------------ special grids


def test_special_grids_have_their_own_band_and_are_reported_apart():
    grids = two_grids(host_unit=["", "城东农贸市场"], host_kind=["", "market"])
    assert special_grids(grids).tolist() == [False, True]
    hh = frame("households", {"household_id": ["h1", "h2"], "households": [30, 30]},
               [Point(50, 50), Point(150, 50)])
    project = Project(layers={"grids": grids, "households": hh},
                      settings={"band": {"urban": [0, 100], "special": [50, 100]}})
    checks = run_checks(AnalysisContext.of(project))
    assert checks.of("band").empty
    special = checks.of("special_band")
    assert special["grid_ids"].tolist() == ["c1002"]
    assert "城东农贸市场" in special["message"].iloc[0]
    f = key_figures(project, coverage=False, allocation=False).figures
    assert (f["grids_outside_band"], f["special_grids_outside_band"], f["special_grids"]) == (
        0, 1, 1)


# ------------------------------------------------------------------ work groups


def test_each_grids_work_group_is_listed_by_role_and_specialty():
    grids = two_grids()
    staff = frame("staff", {"staff_id": ["h", "p", "d", "m"],
                            "role": ["grid_head", "police", "part_time", "part_time"],
                            "grid_id": ["c1001", "c1001;c1002", "c1002", "c1002"],
                            "specialty": [None, None, "医生", "市场监管"]}, [Point(0, 0)] * 4)
    t = work_groups(grids, staff).set_index("grid_id")
    assert t.loc["c1001", ["grid_head", "police", "doctor"]].tolist() == [1, 1, 0]
    assert t.loc["c1002", ["grid_head", "police", "doctor", "market_supervision"]
                 ].tolist() == [0, 1, 1, 1]
    assert t.loc["c1002", "members"] == "police: p; doctor: d; market_supervision: m"


def test_work_group_minimum_counts_shared_members_by_their_share():
    grids = frame("grids", {"grid_id": list("abcd")},
                  [box(i, 0, i + 1, 1) for i in range(4)])
    staff = frame("staff", {"staff_id": ["p1", "p2"], "role": "police",
                            "grid_id": ["a;b;c", "d"]}, [Point(0, 0)] * 2)
    # One police officer per three grids: p1 (1/3 each) meets 0.33 exactly.
    assert work_group_shortfalls(grids, staff, {"police": 0.33}).empty
    short = work_group_shortfalls(grids, staff, {"police": 0.5, "doctor": 1})
    assert short.values.tolist() == [
        ["a", "doctor", 0.0, 1.0], ["a", "police", 0.3333, 0.5],
        ["b", "doctor", 0.0, 1.0], ["b", "police", 0.3333, 0.5],
        ["c", "doctor", 0.0, 1.0], ["c", "police", 0.3333, 0.5],
        ["d", "doctor", 0.0, 1.0]]
    project = Project(layers={"grids": grids, "staff": staff},
                      settings={"work_group_minimum": {"police": 0.5}})
    found = run_checks(AnalysisContext.of(project)).of("work_group")
    assert found["grid_ids"].tolist() == ["a", "b", "c"]
    f = key_figures(project, coverage=False, allocation=False)
    assert f.figures["grids_short_work_group"] == 3
    assert f.grids["work_group_short"].tolist() == ["police", "police", "police", ""]


# ------------------------------------------------------------------ 党员联户


def _brute_force_links(dist, demand_grid, member_grid, capacity):
    """Most households linked, then least walking, over every assignment."""
    best = (-1, np.inf)
    options = [[-1, *[m for m in range(len(capacity)) if member_grid[m] == demand_grid[h]]]
               for h in range(len(demand_grid))]
    for choice in itertools.product(*options):
        used = np.bincount([c for c in choice if c >= 0], minlength=len(capacity))
        if (used > capacity).any():
            continue
        linked = sum(c >= 0 for c in choice)
        walk = sum(dist[h, c] for h, c in enumerate(choice) if c >= 0)
        if (linked, -walk) > (best[0], -best[1]):
            best = (linked, walk)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_link_members_matches_brute_force_on_tiny_cases(seed):
    rng = np.random.default_rng(seed)
    # A straight road; every point on it, so walking = |dx|. Grids split at x = 100.
    n = int(rng.integers(3, 6))
    xs = rng.choice(np.arange(2, 199), n, replace=False).astype(float)
    weights = rng.integers(1, 3, n)
    party = np.zeros(n, dtype=int)
    party[rng.choice(n, 2, replace=False)] = 1
    cap = int(rng.integers(1, 3))
    roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (200, 0)])], crs=CRS)
    grids = two_grids()
    hh = frame("households", {"household_id": [f"h{i}" for i in range(n)],
                              "households": weights, "party_members": party},
               [Point(x, 0) for x in xs])
    project = Project(layers={"roads": roads, "grids": grids, "households": hh},
                      settings={"link_capacity_households": cap})
    result = link_members(AnalysisContext.of(project))
    # Brute force over single households.
    rows = np.repeat(np.arange(n), weights)
    members = np.flatnonzero(party > 0)
    dist = np.abs(xs[rows][:, None] - xs[members][None, :])
    best = _brute_force_links(dist, (xs[rows] > 100).astype(int),
                              (xs[members] > 100).astype(int), party[members] * cap)
    t = result.allocation.totals
    assert t.assigned_households == best[0]
    assert t.objective_household_m == pytest.approx(best[1], abs=0.01)
    assert int(result.links["households"].sum()) == best[0]
    assert int(result.unlinked["households"].sum()) == int(weights.sum()) - best[0]
    # Links never leave the grid.
    member_grid = dict(zip(result.members["member_point"], result.members["grid_id"],
                           strict=True))
    assert (result.links["member_point"].map(member_grid) == result.links["grid_id"]).all()


@pytest.mark.parametrize("seed", range(6))
def test_link_members_matches_a_transportation_lp_on_larger_cases(seed):
    from scipy.optimize import linprog

    rng = np.random.default_rng(seed)
    n = 40
    xs = rng.choice(np.arange(1, 200), n, replace=False).astype(float)
    weights = rng.integers(1, 4, n)
    party = np.where(rng.random(n) < 0.3, rng.integers(1, 3, n), 0)
    roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (200, 0)])], crs=CRS)
    hh = frame("households", {"household_id": [f"h{i}" for i in range(n)],
                              "households": weights, "party_members": party},
               [Point(x, 0) for x in xs])
    project = Project(layers={"roads": roads, "grids": two_grids(), "households": hh},
                      settings={"link_capacity_households": 3})
    t = link_members(AnalysisContext.of(project)).allocation.totals
    # Reference: the transportation LP over points (integral: totally unimodular),
    # each household linked worth far more than any walk.
    members = np.flatnonzero(party > 0)
    same = (xs[:, None] > 100) == (xs[members][None, :] > 100)
    dist = np.abs(xs[:, None] - xs[members][None, :])
    pi, mi = np.nonzero(same)
    cost = dist[pi, mi] - 1e6
    rows_p = np.zeros((n, len(pi)))
    rows_p[pi, np.arange(len(pi))] = 1
    rows_m = np.zeros((len(members), len(pi)))
    rows_m[mi, np.arange(len(pi))] = 1
    lp = linprog(cost, A_ub=np.vstack([rows_p, rows_m]),
                 b_ub=np.r_[weights, party[members] * 3], bounds=(0, None), method="highs")
    linked = round(float(lp.x.sum()))
    assert t.assigned_households == linked
    assert t.objective_household_m == pytest.approx(float(dist[pi, mi] @ lp.x), abs=0.05)


def test_link_members_splits_a_building_between_members_and_figures_by_grid():
    roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (200, 0)])], crs=CRS)
    hh = frame("households", {"household_id": ["big", "m1", "m2", "far"],
                              "households": [15, 1, 1, 4], "party_members": [0, 1, 1, 0]},
               [Point(50, 0), Point(40, 0), Point(70, 0), Point(150, 0)])
    project = Project(layers={"roads": roads, "grids": two_grids(), "households": hh})
    r = link_members(AnalysisContext.of(project), capacity_households=10)
    links = r.links.set_index(["household_id", "member_point"])["households"].to_dict()
    # 17 households of grid a, 20 places: m1 and m2 take themselves, the building splits.
    assert links[("big", "m1")] + links[("big", "m2")] == 15
    assert links[("m1", "m1")] == 1
    assert links[("m2", "m2")] == 1
    # m1 is 10 m from the building, m2 20 m: m1 fills up first.
    assert links[("big", "m1")] == 9
    assert r.unlinked[["household_id", "households"]].values.tolist() == [["far", 4]]
    g = r.grids.set_index("grid_id")
    assert g.loc["c1001", ["households", "party_members", "linked_households"]].tolist() == [
        17, 2, 17]
    assert g.loc["c1002", ["linked_households", "unlinked_households"]].tolist() == [0, 4]
    assert g.loc["c1001", "households_per_party_member"] == 8.5


def test_link_members_without_party_members_says_what_to_fill_in():
    project = party_project()
    hh = project.layers["households"].assign(party_members=0)
    project = Project(layers={**project.layers, "households": hh})
    with pytest.raises(AnalysisError, match="party_members"):
        link_members(AnalysisContext.of(project))


# ------------------------------------------------------------------ workload


def test_workload_weight_gives_busy_points_to_staff_with_room():
    from gridplanner.organisation import allocate_workload

    roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (100, 0)])], crs=CRS)
    hh = frame("households", {"household_id": ["a", "b"], "households": [2, 2]},
               [Point(10, 0), Point(20, 0)])
    staff = frame("staff", {"staff_id": ["w1", "w2"], "role": "full_time",
                            "capacity": [5, 50]}, [Point(0, 0), Point(100, 0)])
    incidents = frame("incidents", {"incident_id": ["e1", "e2"], "kind": "治安"},
                      [Point(20, 1), Point(21, 1)])
    layers = {"roads": roads, "households": hh, "staff": staff, "incidents": incidents}
    plain = allocate_workload(AnalysisContext.of(Project(layers=layers)))
    assert plain.assignments["staff_id"].tolist() == ["w1", "w1"]
    ctx = AnalysisContext.of(Project(layers=layers,
                                     settings={"incident_weight_households": 1.5}))
    # b weighs 2 + 1.5 * 2 = 5: it no longer fits beside a at w1 (capacity 5).
    assert ctx.household_weights(workload=True).tolist() == [2, 5]
    assert ctx.household_weights().tolist() == [2, 2]
    busy = allocate_workload(ctx)
    assert busy.assignments.set_index("household_id")["staff_id"].to_dict() == {
        "a": "w2", "b": "w1"}
    assert busy.staff_load.set_index("staff_id")["load"].to_dict() == {"w1": 5, "w2": 2}


def test_comparison_shows_red_grids_and_work_groups_before_and_after():
    from gridplanner.scenarios import compare_figures

    base = party_project()
    staff = base.layers["staff"].assign(party_member=False)
    plan = Project(layers={**base.layers, "staff": staff},
                   settings={"work_group_minimum": {"police": 1}})
    cmp = compare_figures([key_figures(base, name="current", coverage=False,
                                       allocation=False),
                           key_figures(plan, name="plan", coverage=False, allocation=False)])
    grids = cmp.grids.set_index("grid_id")
    assert grids["red_grid [current]"].tolist() == [True, True]
    assert grids["red_grid [plan]"].tolist() == [False, False]
    assert grids["work_group_short [plan]"].tolist() == ["police", "police"]
    figures = cmp.figures.set_index("key")
    assert figures.loc["red_grids", ["current", "plan"]].tolist() == [2, 0]
    assert figures.loc["grids_short_work_group", ["current", "plan"]].tolist() == [0, 2]
    assert figures.loc["red_grids", "figure_zh"] == "红色网格数(有党支部且有党员工作人员)"


def test_allocation_summary_says_it_weighed_workload():
    from gridplanner.analyses import run

    roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (100, 0)])], crs=CRS)
    hh = frame("households", {"household_id": ["a"], "households": [2]}, [Point(10, 0)])
    staff = frame("staff", {"staff_id": ["w1"], "role": "full_time"}, [Point(0, 0)])
    incidents = frame("incidents", {"incident_id": ["e1"]}, [Point(11, 1)])
    layers = {"roads": roads, "households": hh, "staff": staff, "incidents": incidents}
    plain = run("allocate", AnalysisContext.of(Project(layers=layers)))
    assert "workload" not in plain.summary
    busy = run("allocate", AnalysisContext.of(Project(
        layers=layers, settings={"incident_weight_households": 3})))
    assert "workload: households plus 3 per incident (1 incidents, 3 household" in busy.summary
