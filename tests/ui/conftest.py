"""Fixtures for the app tests: isolated settings, a scripted prompter, thread-leak check."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")


@pytest.fixture(autouse=True)
def no_leftover_threads():
    """Fail a test that leaves a worker thread running (checked after every teardown)."""
    yield
    from PySide6.QtCore import QThreadPool

    from ui.workers import running_threads, wait_all

    left = running_threads()
    pool = QThreadPool.globalInstance().activeThreadCount()
    if left or pool:
        wait_all(10000)
        QThreadPool.globalInstance().waitForDone(10000)
        pytest.fail(f"the test left {len(left)} worker thread(s) and {pool} pool thread(s) "
                    "running")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, qapp, monkeypatch):
    """QSettings, autosaves and language in a temporary folder, English by default."""
    from PySide6.QtCore import QSettings, QStandardPaths

    from ui import i18n

    qapp.setOrganizationName("GridPlannerTests")
    qapp.setApplicationName("GridPlannerTests")
    # A test closing its last window must not post a quit to the application: it
    # would end the next test's wait for a signal at once.
    qapp.setQuitOnLastWindowClosed(False)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "settings"))
    QStandardPaths.setTestModeEnabled(True)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # test-mode app data lives there
    QSettings().clear()
    i18n.set_language("en")
    yield
    i18n.set_language("en")


class ScriptedPrompter:
    """Answers the window's questions without dialogs and records the errors shown."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []
        self.infos: list[str] = []
        self.save_answer = "discard"
        self.recover_answer: bool | str = False  # False: keep it for later
        self.locked_answer = "read_only"
        self.changed_answer = "cancel"
        self.texts: list[str] = []
        self.asked: list[str] = []

    def error(self, title: str, message: str, details: str = "") -> None:
        self.errors.append((title, message))

    def info(self, title: str, message: str) -> None:
        self.infos.append(message)

    def ask_save_changes(self) -> str:
        self.asked.append("save_changes")
        return self.save_answer

    def ask_recover(self, autosave: str) -> bool | str:
        self.asked.append("recover")
        return self.recover_answer

    def ask_locked(self, path: str, message: str) -> str:
        self.asked.append("locked")
        self.infos.append(message)
        return self.locked_answer

    def ask_changed_on_disk(self, path: str) -> str:
        self.asked.append("changed_on_disk")
        return self.changed_answer

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        return self.texts.pop(0) if self.texts else None

    def confirm(self, title: str, message: str) -> bool:
        return True


@pytest.fixture
def make_window(qtbot):
    """Build main windows with a scripted prompter; closes them (waiting for threads)."""
    from ui.main_window import MainWindow

    made = []

    def make():
        window = MainWindow()
        window.prompter = ScriptedPrompter()
        window.editing.window.prompter = window.prompter
        qtbot.addWidget(window)
        window.resize(1000, 700)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        window.session.set_dirty(False)
        window.shutdown()


def _wait(signal, timeout_ms: int = 60000) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


def settle(w) -> None:
    """Let pending frames, analyses and helper runs finish (no thread outlives a test)."""
    from PySide6.QtCore import QCoreApplication

    from ui.workers import running_threads

    for _ in range(200):
        QCoreApplication.processEvents()
        if w.canvas.is_rendering():
            _wait(w.canvas.frame_ready, 20000)
            continue
        threads = running_threads()
        if threads:
            for thread in threads:
                thread.wait(20000)
            continue
        QCoreApplication.processEvents()
        if not w.canvas.is_rendering() and not running_threads():
            return


def _open_sample(w, path) -> None:
    w.open_project(path, ask=False, recover=False)
    _wait(w.project_loaded)
    assert w.last_error == ""
    settle(w)


@pytest.fixture(scope="module")
def shared_window(qapp, sample_project_file, tmp_path_factory):
    """One window on the sample for the tests of a module that leave its data as it was."""
    from PySide6.QtCore import QSettings

    from ui.main_window import MainWindow

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path_factory.mktemp("shared_settings")))
    w = MainWindow()
    w.prompter = ScriptedPrompter()
    w.resize(1000, 700)
    w.show()
    _open_sample(w, sample_project_file)
    yield w
    w.session.set_dirty(False)
    w.shutdown()
    w.close()
    w.deleteLater()


@pytest.fixture
def window(shared_window):
    """The shared sample window, reset to the pan tool with nothing selected."""
    w = shared_window
    w.prompter.errors.clear()
    w.set_tool("pan")
    w.session.stack.clear_selection()
    w.canvas.set_highlight(None)
    yield w
    settle(w)


@pytest.fixture
def fresh_window(make_window, sample_project_file, tmp_path):
    """A window of its own on a copy of the sample, for tests that change the data.

    A copy: the shared window holds the sample file's lock, and a second window on
    the same file would open it read-only.
    """
    import shutil

    copy = tmp_path / sample_project_file.name
    shutil.copy(sample_project_file, copy)
    w = make_window()
    _open_sample(w, copy)
    return w


@pytest.fixture
def private_window(make_window, sample_project_file, tmp_path):
    """A window of its own on a private copy of the sample (its file may be written)."""
    import shutil

    path = shutil.copy(sample_project_file, tmp_path / "district.gpkg")
    w = make_window()
    _open_sample(w, path)
    return w
