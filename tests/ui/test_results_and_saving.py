"""Results that explain themselves, and saving that matches what a planner expects."""

from __future__ import annotations

import hashlib
import shutil
import threading

import pytest

from gridplanner.project import open_project
from tests.ui.helpers import run_analysis


# ------------------------------------------------------------------ results
def test_menu_entries_open_the_options_and_start_nothing(window):
    panel = window.analysis
    menu = next(a.menu() for a in window.menuBar().actions() if a.menu() is not None
                and "Analysis" in a.menu().title())
    entries = [a for a in menu.actions() if a.text()]
    allocate = next(a for a in entries if a.text() == "Allocate households to staff")
    allocate.trigger()
    assert not window.runner.is_busy()
    assert panel.choice.currentData() == "allocate"
    assert "Running" not in panel.summary.text()


def test_a_failed_run_clears_running_from_panel_and_status_bar(window, qtbot):
    from gridplanner.errors import AnalysisError

    def boom(feedback):
        raise AnalysisError("the walking network has no roads: import roads first")

    panel = window.analysis
    panel._run_hooks["coverage"] = lambda project, options, fb: boom(fb)
    try:
        with qtbot.waitSignal(window.analysis_ended, timeout=60000):
            panel.run("coverage")
    finally:
        del panel._run_hooks["coverage"]
        panel._run_hooks["coverage"] = type(panel)._run_coverage
    assert "Running" not in panel.summary.text()
    assert "roads" in panel.summary.text()
    assert "Running" not in window.statusBar().currentMessage()
    assert window.prompter.errors


def test_placement_names_the_role_and_shows_walking_before_and_after(window, qtbot):
    panel = window.analysis
    combo = panel.inputs["place"]["role"].widget
    assert combo.findData("police") >= 0  # the user picks the role
    run = run_analysis(window, qtbot, "place", {"n": 2, "role": "police"})
    assert run.options.role == "police"
    text = panel.explain.text()
    before = f"{run.result.value.total_before_household_m:,.0f} m"
    after = f"{run.result.value.total_after_household_m:,.0f} m"
    assert "grid police officer" in text
    assert before in text
    assert after in text


def test_only_within_grid_says_which_grids_have_no_worker(window, qtbot):
    run = run_analysis(window, qtbot, "allocate", {"within_grid": True})
    unassigned = run.result.layers["unassigned"]
    assert len(unassigned)
    lines = window.analysis.explain.text().splitlines()
    total = int(unassigned["households"].sum())
    assert lines[0] == f"{total:,} households stay unassigned:"
    named = [line for line in lines if "has no full-time grid worker" in line]
    assert named
    grids = window.session.project.layers["grids"]
    staff = window.session.project.layers["staff"]
    workers = set(staff.loc[staff["role"] == "full_time", "grid_id"].astype(str))
    for line in named:
        gid = line.split("(")[1].split(")")[0]
        assert gid in set(grids["grid_id"].astype(str))
        assert gid not in workers
    counts = [int(line.rsplit(": ", 1)[1].split()[0].replace(",", "")) for line in lines[1:]]
    assert sum(counts) == total


def test_errors_name_form_fields_not_command_line_flags(window):
    from gridplanner.analyses import get
    from ui.panels.analysis_panel import form_wording

    text = form_wording(get("balance"), "give --min below --max")
    assert text == "give “Households at least” below “Households at most”"
    assert "--" not in form_wording(get("place"), "give -n (bases to add)")
    window.set_language("zh_CN")
    try:
        assert "--" not in form_wording(get("balance"), "give --min below --max")
    finally:
        window.set_language("en")


def test_a_refused_option_is_reported_in_form_words(window, monkeypatch):
    from gridplanner.analyses import get
    from gridplanner.errors import AnalysisError

    analysis = get("balance")

    def refuse(values):
        raise AnalysisError("balance: give --min below --max")

    monkeypatch.setattr(type(analysis), "make_options", lambda self, values: refuse(values))
    window.analysis.run("balance")
    assert window.prompter.errors[-1][1] == \
        "balance: give “Households at least” below “Households at most”"


# ------------------------------------------------------------------- saving
def test_running_an_analysis_does_not_mark_the_project_unsaved(fresh_window, qtbot):
    window = fresh_window
    assert not window.session.dirty
    run_analysis(window, qtbot, "allocate")
    assert not window.session.dirty
    assert not window.windowTitle().startswith("*")


@pytest.mark.parametrize("keep", [False, True])
def test_results_are_kept_in_the_file_only_when_set(private_window, qtbot, keep):
    window = private_window
    window.set_keep_results(keep)
    run_analysis(window, qtbot, "allocate")
    window.session.set_dirty(True)
    assert window.save()
    saved = open_project(window.session.project.path)
    assert ("assignments" in saved.extra_layers) is keep
    assert "assignments" in window.session.stack  # still on the map either way


def test_save_writes_the_file_off_the_gui_thread(private_window, monkeypatch):
    import gridplanner.project as project_module
    import ui.main_window as main_window

    window = private_window
    threads = []
    real = project_module.save_project

    def recording(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(main_window, "save_project", recording)
    window.session.set_dirty(True)
    assert window.save()
    assert threads
    assert threads[0] is not threading.main_thread()
    assert not window.session.dirty
    assert window.centralWidget().isEnabled()


def test_opening_the_installed_sample_opens_the_users_copy(make_window, sample_project_file,
                                                           tmp_path, monkeypatch, qtbot):
    import ui.main_window as main_window

    installed = tmp_path / "install" / "sample_district.gpkg"
    installed.parent.mkdir()
    shutil.copy(sample_project_file, installed)
    digest = hashlib.sha256(installed.read_bytes()).hexdigest()
    monkeypatch.setattr(main_window, "bundled_sample_paths", lambda: [installed])
    window = make_window()
    with qtbot.waitSignal(window.project_loaded, timeout=60000):
        window.open_project(installed, ask=False, recover=False)
    assert window.last_error == ""
    path = window.session.project.path
    assert path is not None
    assert path.parent == main_window.sample_copy_folder()
    assert "GridPlanner" in str(path.parent)
    window.session.set_dirty(True)
    assert window.save()
    assert hashlib.sha256(installed.read_bytes()).hexdigest() == digest


def test_table_export_asks_between_results_and_comparison(window, monkeypatch):
    from ui.dialogs import export_dialog

    shown = []
    monkeypatch.setattr(export_dialog.ExportDialog, "exec", lambda self: shown.append(self))
    window.scenarios.comparison = object()  # a comparison is open
    try:
        window.prompter.ask_tables_source = lambda: "results"
        window.export("tables")
        assert shown[-1].source == "results"
        window.prompter.ask_tables_source = lambda: "comparison"
        window.export("tables")
        assert shown[-1].source == "comparison"
        window.prompter.ask_tables_source = lambda: "cancel"
        window.export("tables")
        assert len(shown) == 2
    finally:
        window.scenarios.comparison = None
        del window.prompter.ask_tables_source


def test_incident_outside_every_grid_says_so(window, qtbot):
    grids = window.session.project.layers["grids"]
    x0, y0, _x1, _y1 = grids.total_bounds
    with qtbot.waitSignal(window.analysis_ended, timeout=120000):
        window.analysis.incident_at(x0 - 500.0, y0 - 500.0)
    assert window.analysis.explain.text() == "The incident is outside every grid"
    top = window.identify.tree.topLevelItem(0)
    fields = {top.child(i).text(0): top.child(i).text(1) for i in range(top.childCount())}
    assert fields["Grid"] == "—"


def test_unassigned_reasons_count_households_and_grids_by_the_engine_rules():
    import geopandas as gpd
    import shapely

    from ui.panels.analysis_panel import unassigned_reasons

    # A and B overlap on 50..100: the engine gives such a point to A, the first grid.
    grids = gpd.GeoDataFrame({"grid_id": ["A", "B"], "name": ["A", "B"]},
                             geometry=[shapely.box(0, 0, 100, 100), shapely.box(50, 0, 150, 100)],
                             crs=4549)
    staff = gpd.GeoDataFrame({"staff_id": ["wb"], "role": ["full_time"], "grid_id": ["B"]},
                             geometry=[shapely.Point(120, 50)], crs=4549)
    unassigned = gpd.GeoDataFrame(
        {"household_id": ["h1", "h2", "h3"], "reason": ["too far"] * 3,
         "households": [2.6, 2.6, -4]},  # read as 3, 3 and 0 households
        geometry=shapely.points([[75, 50], [120, 50], [10, 10]]), crs=4549)
    lines = unassigned_reasons(unassigned, grids, staff, role="full_time", within_grid=True)
    assert lines == ["6 households stay unassigned:",
                     "  grid A has no full-time grid worker: 3 households",
                     "  too far: 3 households"]
