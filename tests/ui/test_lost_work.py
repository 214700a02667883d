"""No lost work: recovery, autosaves, two writers on one project, a killed app."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gridplanner.grids.commands import RenameGrid
from gridplanner.locking import ProjectLock, lock_file_for, read_holder
from gridplanner.project import Project, autosave_path, open_project, save_project
from layers.validate import validate

ROOT = Path(__file__).parents[2]


def _grids_project() -> Project:
    grids = gpd.GeoDataFrame(
        {"grid_id": ["g1", "g2"], "name": ["one", "two"]},
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)], crs=4549)
    return Project(layers={"grids": validate(grids, "grids").frame})


def _names(project: Project) -> list[str]:
    return list(project.layers["grids"]["name"])


@pytest.fixture
def project_file(tmp_path) -> Path:
    return save_project(_grids_project(), tmp_path / "work.gpkg")


def _open(w, qtbot, path: Path) -> None:
    with qtbot.waitSignal(w.project_loaded, timeout=60000):
        w.open_project(path, ask=False)


def _autosave(w, qtbot) -> Path:
    target = w.autosave_target()
    with qtbot.waitSignal(w.io_runner.finished, timeout=60000):
        w.autosave()
    assert target.exists()
    return target


def _rename(w, name: str) -> None:
    w.session.push(RenameGrid("g1", name=name))
    assert w.session.dirty


def _untitled_work(w, qtbot, name: str) -> Path:
    w.apply_import(_grids_project())  # an empty window: the import becomes untitled work
    assert w.session.project.path is None
    _rename(w, name)
    return _autosave(w, qtbot)


def _answer_save_dialog(monkeypatch, path: Path | None) -> list[int]:
    from PySide6.QtWidgets import QFileDialog

    asked: list[int] = []

    def fake(*_args, **_kwargs):
        asked.append(1)
        return (str(path) if path is not None else "", "")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    return asked


def test_recovered_untitled_work_is_saved_through_save_as(make_window, qtbot, tmp_path,
                                                          monkeypatch):
    from ui.main_window import untitled_autosave_dir

    first = make_window()
    auto = _untitled_work(first, qtbot, "untitled edit")
    assert auto.parent == untitled_autosave_dir()
    first.shutdown()  # a crash: the autosave stays
    second = make_window()
    second.prompter.recover_answer = True
    with qtbot.waitSignal(second.project_loaded, timeout=60000):
        second.start(None)
    assert second.prompter.asked == ["recover"]
    assert second.session.project.path is None  # still untitled: it has no file
    assert second.session.dirty
    assert _names(second.session.project) == ["untitled edit", "two"]
    # Save asks where; cancelling it keeps the autosave
    asked = _answer_save_dialog(monkeypatch, None)
    assert not second.save()
    assert asked == [1]
    assert auto.exists()
    # the recovered work keeps being autosaved into the slot it came from
    _rename(second, "edited again")
    assert _autosave(second, qtbot) == auto
    target = tmp_path / "saved.gpkg"
    _answer_save_dialog(monkeypatch, target)
    assert second.save()
    assert _names(open_project(target)) == ["edited again", "two"]
    assert not auto.exists()  # only now, with the work in its own file
    assert second.session.project.path == target.resolve()
    assert second.session.owns_file()
    assert read_holder(target).pid == os.getpid()


def test_untitled_work_is_offered_when_the_app_starts_on_a_project(make_window, qtbot,
                                                                   project_file, tmp_path):
    first = make_window()
    auto = _untitled_work(first, qtbot, "untitled edit")
    first.shutdown()
    second = make_window()  # starts on a project (the sample, for `gridplanner`)
    with qtbot.waitSignal(second.project_loaded, timeout=60000):
        second.start(project_file)
    assert second.prompter.asked == ["recover"]
    assert second.session.project.path == project_file.resolve()  # declined: "later"
    assert auto.exists()
    second.close()  # closing cleanly never touches work it declined
    assert auto.exists()
    third = make_window()
    third.prompter.recover_answer = True
    with qtbot.waitSignal(third.project_loaded, timeout=60000):
        third.start(project_file)
    assert third.session.project.path is None
    assert _names(third.session.project) == ["untitled edit", "two"]


def test_run_app_on_the_sample_offers_untitled_work(make_window, qtbot, qapp,
                                                    sample_project_file, tmp_path,
                                                    monkeypatch):
    from PySide6.QtCore import QTimer

    import ui.main_window
    from ui.app import make_application, run_app

    from .conftest import ScriptedPrompter

    make_application()  # the app's own names: its autosave folder is the one run_app uses
    first = make_window()
    _untitled_work(first, qtbot, "before the sample")
    first.shutdown()
    prompters: list[ScriptedPrompter] = []
    seen = []

    def scripted(window):  # the window makes its prompter while it is built
        prompter = ScriptedPrompter()
        prompter.recover_answer = True
        prompters.append(prompter)
        seen.append(window)
        window.project_loaded.connect(lambda: qapp.exit(0))  # quit() would close windows
        return prompter

    monkeypatch.setattr(ui.main_window, "Prompter", scripted)
    sample = tmp_path / "sample.gpkg"
    shutil.copy(sample_project_file, sample)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: qapp.exit(1))
    guard.start(120_000)
    try:
        assert run_app(project_path=sample) == 0
    finally:
        guard.stop()
    window = seen[0]
    assert prompters[0].asked == ["recover"]
    assert _names(window.session.project) == ["before the sample", "two"]
    window.session.set_dirty(False)
    window.close()


def test_declined_project_autosave_is_kept_as_a_file(make_window, qtbot, project_file):
    first = make_window()
    _open(first, qtbot, project_file)
    _rename(first, "unsaved edit")
    auto = _autosave(first, qtbot)
    assert auto == autosave_path(project_file.resolve())
    first.shutdown()
    second = make_window()  # recover_answer False: "keep it for later"
    _open(second, qtbot, project_file)
    assert second.prompter.asked == ["recover"]
    assert _names(second.session.project) == ["one", "two"]
    kept = [p for p in project_file.parent.iterdir() if "(autosave" in p.name]
    assert len(kept) == 1
    assert _names(open_project(kept[0])) == ["unsaved edit", "two"]
    _rename(second, "new edit")
    _autosave(second, qtbot)  # the new autosave cannot overwrite the kept work
    second.session.set_dirty(False)
    assert second.close()
    assert _names(open_project(kept[0])) == ["unsaved edit", "two"]
    # deleting needs an explicit answer
    third = make_window()
    _open(third, qtbot, kept[0])
    _rename(third, "x")
    auto3 = _autosave(third, qtbot)
    third.shutdown()
    fourth = make_window()
    fourth.prompter.recover_answer = "discard"
    _open(fourth, qtbot, kept[0])
    assert not auto3.exists()


def test_second_window_on_a_project_opens_read_only(make_window, qtbot, project_file,
                                                    tmp_path, monkeypatch):
    first = make_window()
    _open(first, qtbot, project_file)
    second = make_window()
    _open(second, qtbot, project_file)
    assert second.prompter.asked == ["locked"]
    assert f"process {os.getpid()}" in second.prompter.infos[0]
    assert second.session.read_only
    assert not second.session.owns_file()
    assert "(read-only)" in second.windowTitle()
    # each window autosaves into its own file
    _rename(first, "first's edit")
    _rename(second, "second's edit")
    auto1 = _autosave(first, qtbot)
    auto2 = _autosave(second, qtbot)
    assert auto1 == autosave_path(project_file.resolve())
    assert auto2 != auto1
    assert _names(open_project(auto1))[0] == "first's edit"
    assert _names(open_project(auto2))[0] == "second's edit"
    # the read-only window cannot save over the project, not even through Save as
    asked = _answer_save_dialog(monkeypatch, project_file)
    assert not second.save()
    assert asked == [1]
    assert "open for changes" in second.prompter.errors[-1][1]
    assert _names(open_project(project_file)) == ["one", "two"]
    assert first.save()
    assert _names(open_project(project_file))[0] == "first's edit"
    assert not auto1.exists()
    # the read-only window's work goes to a file of its own
    other = tmp_path / "second.gpkg"
    _answer_save_dialog(monkeypatch, other)
    assert second.save()
    assert _names(open_project(other))[0] == "second's edit"
    assert not auto2.exists()
    assert second.session.owns_file()
    # refusing read-only leaves the window as it was
    third = make_window()
    third.prompter.locked_answer = "cancel"
    _open(third, qtbot, project_file)
    assert third.last_error == "cancelled"
    assert third.session.project.path is None
    # once the first window closes, the project can be opened for changes again
    assert first.close()
    assert not lock_file_for(project_file).exists()
    fourth = make_window()
    _open(fourth, qtbot, project_file)
    assert fourth.session.owns_file()
    assert "locked" not in fourth.prompter.asked


def test_save_asks_when_the_file_changed_on_disk(make_window, qtbot, project_file, tmp_path,
                                                 monkeypatch):
    w = make_window()
    _open(w, qtbot, project_file)
    _rename(w, "my edit")
    outside = _grids_project()
    outside.layers["grids"] = outside.layers["grids"].assign(name=["outside", "edit"])
    os.utime(project_file, (1, 1))  # a different modification time, as another tool leaves
    save_project(outside, project_file)  # e.g. from QGIS or another machine
    w.prompter.changed_answer = "cancel"
    assert not w.save()
    assert w.prompter.asked[-1] == "changed_on_disk"
    assert _names(open_project(project_file)) == ["outside", "edit"]
    other = tmp_path / "mine.gpkg"
    _answer_save_dialog(monkeypatch, other)
    w.prompter.changed_answer = "save_as"
    assert w.save()
    assert _names(open_project(other))[0] == "my edit"
    assert _names(open_project(project_file)) == ["outside", "edit"]
    # after saving, the file is the window's own again: no question
    _rename(w, "again")
    n = len(w.prompter.asked)
    assert w.save()
    assert w.prompter.asked[n:] == []
    # and "overwrite" overwrites
    save_project(outside, other)
    _rename(w, "final")
    w.prompter.changed_answer = "overwrite"
    assert w.save()
    assert _names(open_project(other))[0] == "final"


def test_lock_taken_away_while_open_is_noticed_at_save(make_window, qtbot, project_file):
    w = make_window()
    _open(w, qtbot, project_file)
    _rename(w, "mine")
    lock_file_for(project_file).unlink()  # removed by hand
    intruder = ProjectLock(project_file, program="another app").acquire()
    try:
        assert not w.save()
        assert "another app" in w.prompter.errors[-1][1]
        assert _names(open_project(project_file)) == ["one", "two"]
    finally:
        intruder.release()
    assert w.save()  # the lock is free again: it is taken back
    assert _names(open_project(project_file))[0] == "mine"


_KILLED_APP = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from PySide6.QtCore import QEventLoop, QSettings, QStandardPaths
from ui.app import make_application

app = make_application(["gridplanner"])
app.setOrganizationName("GridPlannerTests")
app.setApplicationName("GridPlannerTests")
QStandardPaths.setTestModeEnabled(True)
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, {settings!r})
from gridplanner.grids.commands import RenameGrid
from gridplanner.project import open_project
from ui.main_window import MainWindow


class Quiet:
    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def wait(signal):
    loop = QEventLoop()
    signal.connect(loop.quit)
    loop.exec()


w = MainWindow()
w.prompter = Quiet()
w.show()
if sys.argv[1] == "project":
    w.open_project(Path(sys.argv[2]), ask=False, recover=False)
    wait(w.project_loaded)
else:
    project = open_project(sys.argv[2])
    project.path = None
    w.apply_import(project)
w.session.push(RenameGrid("g1", name="edited before the kill"))
w.autosave()
wait(w.io_runner.finished)
print(w.autosave_target(), flush=True)
app.exec()
"""


@pytest.mark.parametrize("mode", ["project", "untitled"])
def test_app_killed_during_work_recovers_it_on_next_start(make_window, qtbot, project_file,
                                                          tmp_path, mode):
    from ui.main_window import untitled_autosave_dir

    code = _KILLED_APP.format(root=str(ROOT), settings=str(tmp_path / "child_settings"))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-c", code, mode, str(project_file)],
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        autosaved = Path(proc.stdout.readline().strip())
        assert autosaved.exists()
        if mode == "project":
            assert autosaved == autosave_path(project_file.resolve())
            assert read_holder(project_file).pid == proc.pid
        else:
            assert autosaved.parent == untitled_autosave_dir()
    finally:
        proc.kill()
        proc.wait()
    w = make_window()
    w.prompter.recover_answer = True
    with qtbot.waitSignal(w.project_loaded, timeout=60000):
        w.start(project_file)  # what the app does at start-up
    assert w.prompter.asked == ["recover"]
    assert _names(w.session.project) == ["edited before the kill", "two"]
    assert w.session.dirty
    if mode == "project":
        assert w.session.owns_file()  # the dead app's lock was taken over
        assert read_holder(project_file).pid == os.getpid()
    else:
        assert w.session.project.path is None


def test_two_untitled_windows_autosave_apart(make_window, qtbot):
    first, second = make_window(), make_window()
    auto1 = _untitled_work(first, qtbot, "first")
    auto2 = _untitled_work(second, qtbot, "second")
    assert auto1 != auto2
    assert _names(open_project(auto1))[0] == "first"
    assert _names(open_project(auto2))[0] == "second"
    # a window never offers another running window's work
    third = make_window()
    third.start(None)
    assert third.prompter.asked == []


def test_project_in_a_folder_that_cannot_be_written_opens_read_only(make_window, qtbot,
                                                                     project_file,
                                                                     monkeypatch):
    from gridplanner.locking import LockUnavailableError

    real_acquire = ProjectLock.acquire

    def acquire(self, **kwargs):
        if self.path.parent == project_file.resolve().parent:
            raise LockUnavailableError(f"{self.path}: cannot create the lock file")
        return real_acquire(self, **kwargs)

    monkeypatch.setattr(ProjectLock, "acquire", acquire)
    w = make_window()
    _open(w, qtbot, project_file)
    assert w.last_error == ""
    assert w.session.read_only
    assert "read-only" in w.statusBar().currentMessage()
    _rename(w, "edit")
    auto = _autosave(w, qtbot)
    assert auto.parent != project_file.parent  # into the user's own folder


def _cli(*args: str, wait_s: str = "0.5") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRIDPLANNER_LOCK_WAIT_S": wait_s}
    return subprocess.run([sys.executable, "-c", "from gridplanner.cli import entry; entry()",
                           *args], env=env, capture_output=True, text=True, timeout=300,
                          check=False)


def test_command_line_write_waits_on_the_app_and_loses_nothing(make_window, qtbot,
                                                                 project_file):
    from gridplanner.project import file_stamp

    w = make_window()
    _open(w, qtbot, project_file)
    _rename(w, "the app's edit")
    before = file_stamp(project_file)
    # Another process writing while the app has the project open is refused, naming the app.
    run = _cli("scenario", "create", str(project_file), "cli", "--set", "walk_cutoff_m=1500")
    assert run.returncode != 0, run.stdout
    assert "GridPlanner app" in run.stderr
    assert f"process {os.getpid()}" in run.stderr
    assert "Traceback" not in run.stderr
    assert file_stamp(project_file) == before
    assert w.save()
    assert w.close()  # the app lets go of the project ...
    run = _cli("scenario", "create", str(project_file), "cli", "--set", "walk_cutoff_m=1500")
    assert run.returncode == 0, run.stderr  # ... and the command line's write goes through
    saved = open_project(project_file)
    assert _names(saved)[0] == "the app's edit"  # neither write lost the other
    assert "cli" in saved.scenarios


_HOLDER = """
import sys
from gridplanner.locking import ProjectLock
lock = ProjectLock(sys.argv[1], program="GridPlanner app").acquire()
print("held", flush=True)
sys.stdin.readline()
"""


def test_app_opens_a_project_another_process_holds_read_only(make_window, qtbot,
                                                             project_file):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(project_file)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        w = make_window()
        _open(w, qtbot, project_file)
        assert w.prompter.asked == ["locked"]
        assert f"process {holder.pid}" in w.prompter.infos[0]
        assert w.session.read_only
        _rename(w, "read-only edit")
        assert _names(open_project(project_file)) == ["one", "two"]
        assert w.close()
    finally:
        holder.kill()  # killed: its lock is left behind, stale
        holder.wait()
    assert lock_file_for(project_file).exists()
    again = make_window()
    _open(again, qtbot, project_file)
    assert "locked" not in again.prompter.asked  # the dead holder's lock was taken over
    assert again.session.owns_file()
    assert read_holder(project_file).pid == os.getpid()


def test_copy_of_the_sample_never_replaces_work_already_in_its_place(tmp_path, monkeypatch):
    import pathlib

    import ui.main_window as main_window

    installed = tmp_path / "install" / "sample_district.gpkg"
    installed.parent.mkdir()
    installed.write_bytes(b"installed sample")
    folder = tmp_path / "documents" / "GridPlanner"
    monkeypatch.setattr(main_window, "bundled_sample_paths", lambda: [installed])
    monkeypatch.setattr(main_window, "sample_copy_folder", lambda: folder)
    first = main_window.user_copy_of_sample(installed)
    assert first == folder / installed.name
    assert first.read_bytes() == b"installed sample"
    assert [p.name for p in folder.iterdir()] == [installed.name]  # no temporary left
    first.write_bytes(b"work saved by the first window")
    # A second app starting at the same moment saw no copy yet (its check ran before
    # the first copy was made): making its copy now must not replace the saved work.
    real_exists = pathlib.Path.exists
    monkeypatch.setattr(pathlib.Path, "exists",
                        lambda self, **kw: False if self == first else real_exists(self, **kw))
    assert main_window.user_copy_of_sample(installed) == first
    assert first.read_bytes() == b"work saved by the first window"
    assert [p.name for p in folder.iterdir()] == [installed.name]


def test_save_as_refuses_the_name_of_an_autosave(make_window, qtbot, project_file, tmp_path,
                                                 monkeypatch):
    from ui.main_window import untitled_autosave_dir

    first = make_window()
    _open(first, qtbot, project_file)
    second = make_window()
    _untitled_work(second, qtbot, "second's work")
    # Autosaves are the app's own files: the window owning one replaces or deletes it,
    # which would take a project saved under that name with it.
    for name in (autosave_path(project_file.resolve()),
                 untitled_autosave_dir() / "untitled-7.autosave.gpkg",
                 tmp_path / ".other.autosave.gpkg"):
        _answer_save_dialog(monkeypatch, name)
        assert not second.save_as()
        assert "autosave" in second.prompter.errors[-1][1]
        assert not name.exists()
    assert second.session.dirty
    good = tmp_path / "second.gpkg"
    _answer_save_dialog(monkeypatch, good)
    assert second.save_as()
    assert _names(open_project(good))[0] == "second's work"
