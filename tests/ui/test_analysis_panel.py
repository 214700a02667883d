"""The analysis dock is built from the engine's registry and shows what the engine returns."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import shapely
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QPushButton, QSpinBox

from gridplanner.analyses import analyses, get, option_info
from gridplanner.context import AnalysisContext
from gridplanner.integrity import staff_grid_ids
from gridplanner.scenarios import apply_scenario, compare_figures, key_figures
from gridplanner.scenarios.builders import containing_grid
from gridplanner.settings import ROLES
from tests.ui.helpers import run_analysis
from ui.panels.analysis_panel import NO_PAGE, RESULT_STYLES, layer_key, result_style

#: Every registered analysis: a page each, the incident lookup on the map, and the
#: network summary (no page) through the same run path.
IN_THE_APP = [a.name for a in analyses()]
#: Small runs of the slow ones.
QUICK = {"site-cameras": {"k": 2, "use_buildings": False}, "place": {"n": 2},
         "coverage": {"use_buildings": False}}


def _run(window, qtbot, name, values=None):
    last = run_analysis(window, qtbot, name, values)
    assert window.prompter.errors == []
    assert last.analysis.name == name
    return last


def _sizes(layers):
    return {name: len(frame) for name, frame in layers.items()}


def test_pages_are_the_registry_analyses_but_network_and_route(window):
    panel = window.analysis
    names = [panel.choice.itemData(i) for i in range(panel.choice.count())]
    assert names == [a.name for a in analyses() if a.name not in ("network", "route")]
    assert [panel.choice.itemText(i) for i in range(panel.choice.count())] == [
        get(n).title for n in names]
    for name in names:
        shown = {f.name for f in get(name).fields() if not option_info(f).cli_only}
        assert set(panel.inputs[name]) == shown


def test_widgets_follow_the_option_types_ranges_and_defaults(window):
    inputs = window.analysis.inputs
    # coverage: "gaps" is for the command line; the --no-buildings switch reads positively
    assert set(inputs["coverage"]) == {"include_offline", "use_buildings"}
    buildings = inputs["coverage"]["use_buildings"]
    assert isinstance(buildings.widget, QCheckBox)
    assert buildings.widget.isChecked()
    # siting: a required count starts at its minimum, within the declared range
    k = inputs["site-cameras"]["k"].widget
    assert isinstance(k, QSpinBox)
    assert (k.minimum(), k.maximum(), k.value()) == (1, 100_000, 1)
    spacing = inputs["site-cameras"]["spacing_m"].widget
    assert isinstance(spacing, QDoubleSpinBox)
    assert (spacing.minimum(), spacing.maximum(), spacing.value()) == (1.0, 10_000.0, 50.0)
    assert spacing.suffix() == " m"
    # an optional number left unset is None: the engine picks the category's default
    range_m = inputs["site-cameras"]["range_m"]
    assert isinstance(range_m.widget, QDoubleSpinBox)
    assert range_m.get() is None
    range_m.set(80.0)
    assert range_m.get() == 80.0
    range_m.set(None)
    assert range_m.get() is None
    category = inputs["site-cameras"]["category"].widget
    assert isinstance(category, QComboBox)
    assert [category.itemData(i) for i in range(category.count())] == [1, 2, 3]
    assert category.currentData() == 1
    # a file option: a line and a browse button; empty is None
    candidates = inputs["site-cameras"]["candidates"]
    assert candidates.widget.findChild(QLineEdit) is not None
    assert candidates.widget.findChild(QPushButton) is not None
    assert candidates.get() is None
    # choices of roles, the default chosen
    role = inputs["allocate"]["role"].widget
    assert [role.itemData(i) for i in range(role.count())] == list(ROLES)
    assert role.currentData() == "full_time"
    # text
    community = inputs["check"]["community"]
    assert isinstance(community.widget, QLineEdit)
    assert community.get() is None
    assert set(inputs["check"]) == {"community"}  # --all is for the command line
    assert window.analysis.values("balance") == {"community": None, "min_households": 300,
                                                 "max_households": 500}
    assert inputs["grid-heads"] == {}


def test_every_page_starts_at_the_defaults_the_engine_accepts(window):
    for name, page in window.analysis.inputs.items():
        analysis = get(name)
        options = analysis.make_options(window.analysis.values(name))
        defaults = {f.name: f.default for f in analysis.fields()
                    if f.name in page and f.default is not dataclasses.MISSING}
        assert {k: getattr(options, k) for k in defaults} == defaults, name


@pytest.mark.parametrize("name", IN_THE_APP)
def test_the_app_shows_the_layers_the_registry_gives(window, qtbot, name):
    project = window.session.project
    before = dict(project.layers)
    panel = window.analysis
    if name == "route":
        grids = project.layers["grids"]
        pt = shapely.point_on_surface(grids.geometry.iloc[5])
        with qtbot.waitSignal(window.analysis_ended, timeout=120000):
            panel.incident_at(pt.x, pt.y)
        assert window.prompter.errors == []
        run = panel.last
        top = window.identify.tree.topLevelItem(0)
        fields = {top.child(i).text(0): top.child(i).text(1) for i in range(top.childCount())}
        assert fields["Grid"].endswith(f"({grids['grid_id'].iloc[5]})")
    elif name in NO_PAGE:
        with qtbot.waitSignal(window.analysis_ended, timeout=120000):
            panel.run(name, {})
        assert window.prompter.errors == []
        run = panel.last
        assert run.analysis.name == name
    else:
        run = _run(window, qtbot, name, QUICK.get(name))
    expected = get(name).run(AnalysisContext.of(project), run.options, None)
    assert _sizes(panel.layers_of(name)) == _sizes(expected.layers)
    for layer, frame in expected.layers.items():
        if hasattr(frame, "geometry"):
            on_map = window.session.stack.get(layer_key(name, layer))
            assert len(on_map.frame) == len(frame)
    assert panel.model.rowCount() == len(expected.table)
    assert panel.summary.text() == expected.summary
    # the project's own layers are untouched (results named like them sit beside them)
    assert all(project.layers[n] is frame for n, frame in before.items())


def test_a_new_run_replaces_the_layers_of_the_last_run(window, qtbot):
    stack = window.session.stack
    project = window.session.project
    first = _run(window, qtbot, "allocate", {"grid_heads": True})
    assert {"assignments", "staff_load", "unassigned", "grid_heads"} <= set(stack.names())
    _run(window, qtbot, "allocate", {"grid_heads": False})
    assert "grid_heads" not in stack.names()
    assert "grid_heads" not in project.extra_layers
    assert project.extra_layers["assignments"] is not first.result.layers["assignments"]
    # a layer another analysis wrote last is that analysis's now
    _run(window, qtbot, "allocate", {"grid_heads": True})
    heads = _run(window, qtbot, "grid-heads")
    _run(window, qtbot, "allocate", {"grid_heads": False})
    assert project.extra_layers["grid_heads"] is heads.result.layers["grid_heads"]
    assert "grid_heads" not in window.analysis.layers_of("allocate")


def test_result_layers_keep_their_look(window, qtbot):
    stack = window.session.stack
    _run(window, qtbot, "coverage", {"use_buildings": False})
    assert window.analysis.coverage.use_buildings is False
    assert stack.get("grid_coverage").style == RESULT_STYLES["grid_coverage"]
    assert stack.get("coverage_gaps").style == RESULT_STYLES["coverage_gaps"]
    assert not stack.get("households").visible
    run = _run(window, qtbot, "balance", {"min_households": 250, "max_households": 450})
    style = stack.get("balance__grids").style
    assert style == result_style("balance__grids", run.options)
    assert style.breaks == (0.0, 250, 451, 1e9)
    stack.set_visible("households", True)


def test_options_the_engine_refuses_are_reported_without_a_run(window):
    window.analysis.run("site-cameras", {"k": 0})
    assert not window.runner.is_busy()
    assert len(window.prompter.errors) == 1
    assert "out of range" in window.prompter.errors[0][1]


def test_accepted_staff_have_grids_and_lower_grids_missing_staff(fresh_window, qtbot):
    window = fresh_window
    panel = window.analysis
    project = window.session.project
    run = _run(window, qtbot, "place", {"n": 3})
    assert panel.accept_button.isEnabled()
    assert panel.accept_button.text() == "Accept new staff into a new scenario"
    assert panel.accept_into_scenario("placed") == "placed"
    assert window.prompter.errors == []
    assert "placed" in window.scenarios.names()
    derived = apply_scenario(project, "placed")
    staff = derived.layers["staff"]
    new = staff[~staff["staff_id"].isin(project.layers["staff"]["staff_id"])]
    assert len(new) == 3
    assert set(new["role"]) == {run.options.role}
    homes = containing_grid(new.geometry, project.layers["grids"])
    assert (new["grid_id"].to_numpy() == homes).all()
    assert (homes != "").all()
    figures = compare_figures([
        key_figures(project, coverage=False, allocation=False),
        key_figures(derived, name="placed", coverage=False, allocation=False)]).figures
    delta = figures.set_index("key").loc["grids_missing_staff", "Δ placed"]
    assert delta < 0


def test_accepted_sites_and_proposal_become_scenarios(fresh_window, qtbot):
    window = fresh_window
    panel = window.analysis
    project = window.session.project
    _run(window, qtbot, "site-cameras", {"k": 2, "use_buildings": False})
    assert panel.accept_into_scenario("cameras") == "cameras"
    cameras = apply_scenario(project, "cameras").layers["cameras"]
    assert len(cameras) == len(project.layers["cameras"]) + 2
    assert set(cameras["status"].iloc[-2:]) == {"online"}
    run = _run(window, qtbot, "balance")
    window.prompter.texts.append("balanced")
    assert panel.accept_into_scenario() == "balanced"
    derived = apply_scenario(project, "balanced")
    assert len(derived.layers["grids"]) == len(run.result.layers["grids"])
    assert "households" not in derived.layers["grids"].columns
    named = set(staff_grid_ids(derived.layers["staff"]["grid_id"]))
    assert named
    assert named <= set(derived.layers["grids"]["grid_id"].astype(str))
    assert window.scenarios.names() == ["current", "cameras", "balanced"]
    # results of other analyses cannot be accepted
    _run(window, qtbot, "grid-heads")
    assert not panel.accept_button.isEnabled()
    assert panel.accept_into_scenario("heads") is None


def test_coverage_follows_grid_edits(fresh_window, qtbot):
    from gridplanner.analyses import run
    from gridplanner.context import AnalysisContext

    window = fresh_window
    _run(window, qtbot, "coverage", {"use_buildings": False})
    grids = window.session.project.layers["grids"]
    geoms = grids.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    i, j = next((int(a), int(b)) for a, b in zip(*tree.query(geoms, predicate="touches"),
                                                   strict=True)
                if a < b and grids["community_id"].iloc[a] == grids["community_id"].iloc[b]
                and shapely.intersection(geoms[a], geoms[b]).length > 50)
    window.session.stack.select("grids", [i, j])
    assert window.editing.merge_selected()
    rows = {gid: now for gid, _before, now in window.edit_panel.rows if now}
    assert len(rows) == 1
    (gid, now), = rows.items()
    full = run("coverage", AnalysisContext.of(window.session.project),
               use_buildings=False).value.grid_table
    expected = float(full.loc[full["grid_id"] == gid, "households_pct_all"].iloc[0])
    assert np.isclose(now["coverage"], expected)
