"""Long work on worker threads, results applied on the GUI thread (Orange/napari style).

A :class:`TaskRunner` runs one engine call at a time on a :class:`QThread`. The
engine call receives a :class:`QtFeedback` (the engine's Feedback protocol) whose
progress reaches the GUI thread through a queued signal and whose cancel flag the
GUI sets. Starting a new run on the same runner cancels the one in flight; its
result, if it still arrives, is dropped. Results and errors are delivered on the
GUI thread through the ``finished`` / ``failed`` / ``cancelled`` signals, so slots
may touch widgets and the project freely.

Every thread started here is tracked, so tests can fail when one is left running
(:func:`running_threads`) and the app can wait for them on exit
(:func:`wait_all`).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from gridplanner.errors import Cancelled, GridPlannerError
from gridplanner.feedback import CancelToken

_threads: set[_WorkThread] = set()


def running_threads() -> list[QThread]:
    """Worker threads started by this module that have not finished."""
    return [t for t in _threads if t.isRunning()]


def wait_all(timeout_ms: int = 10000) -> bool:
    """Cancel and wait for every worker thread; True when all stopped in time."""
    deadline = time.monotonic() + timeout_ms / 1000
    for thread in list(_threads):
        thread.token.cancel()
    ok = True
    for thread in list(_threads):
        left = max(int((deadline - time.monotonic()) * 1000), 1)
        ok = thread.wait(left) and ok
    return ok


class _ProgressRelay(QObject):
    progress = Signal(float, str)


class QtFeedback(CancelToken):
    """The engine's Feedback protocol, thread-safe, relayed to the GUI as a signal.

    Progress is throttled to about 20 updates a second: the engine may report
    from tight loops and each report crosses threads.
    """

    def __init__(self, relay: _ProgressRelay, *, min_interval_s: float = 0.05) -> None:
        super().__init__()
        self._relay = relay
        self._min_interval_s = min_interval_s
        self._last = 0.0

    def set_progress(self, fraction: float, message: str = "") -> None:
        """Forward progress to the GUI thread (dropped once cancelled)."""
        now = time.monotonic()
        if self.is_cancelled():
            return
        if fraction < 1.0 and now - self._last < self._min_interval_s:
            return
        self._last = now
        self._relay.progress.emit(float(fraction), str(message))


class _WorkThread(QThread):
    def __init__(self, fn: Callable[..., Any], token: QtFeedback, parent: QObject) -> None:
        super().__init__(parent)
        self.fn = fn
        self.token = token
        self.result: Any = None
        self.error: BaseException | None = None
        self.details = ""

    def run(self) -> None:
        try:
            self.result = self.fn(self.token)
        except BaseException as exc:
            self.error = exc
            if not isinstance(exc, GridPlannerError):
                self.details = traceback.format_exc()


class TaskRunner(QObject):
    """Run one callable ``fn(feedback)`` at a time off the GUI thread.

    Signals
    -------
    started(str)
        A run began (its label).
    progress(float, str)
        Fraction done and message, on the GUI thread.
    finished(object)
        The result, on the GUI thread.
    failed(str, str)
        A readable message and (for unexpected errors) the details for a log.
    cancelled()
        The run stopped because it was cancelled.
    """

    started = Signal(str)
    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(str, str)
    cancelled = Signal()
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._current: _WorkThread | None = None
        self._relay = _ProgressRelay(self)
        self._relay.progress.connect(self._on_progress)
        self.label = ""

    def is_busy(self) -> bool:
        """Return True while a run is in flight."""
        return self._current is not None

    def run(self, fn: Callable[[QtFeedback], Any], label: str = "") -> None:
        """Start ``fn(feedback)``; a run already in flight is cancelled first."""
        if self._current is not None:
            self._current.token.cancel()
        token = QtFeedback(self._relay)
        thread = _WorkThread(fn, token, self)
        thread.finished.connect(lambda t=thread: self._on_thread_done(t))
        _threads.add(thread)
        self._current = thread
        self.label = label
        self.started.emit(label)
        self.busy_changed.emit(True)
        thread.start()

    def cancel(self) -> None:
        """Ask the run in flight to stop at its next progress report."""
        if self._current is not None:
            self._current.token.cancel()

    def wait(self, timeout_ms: int = 10000) -> bool:
        """Block until the run in flight ends (for shutdown and tests)."""
        thread = self._current
        return True if thread is None else thread.wait(timeout_ms)

    def _on_progress(self, fraction: float, message: str) -> None:
        if self._current is not None and not self._current.token.is_cancelled():
            self.progress.emit(fraction, message)

    def _on_thread_done(self, thread: _WorkThread) -> None:
        _threads.discard(thread)
        thread.deleteLater()
        if thread is not self._current:
            return  # superseded by a newer run: its result is stale
        self._current = None
        self.busy_changed.emit(False)
        if isinstance(thread.error, Cancelled) or (
            thread.error is None and thread.token.is_cancelled()
        ):
            self.cancelled.emit()
        elif thread.error is not None:
            self.failed.emit(readable_error(thread.error), thread.details)
        else:
            self.finished.emit(thread.result)


def readable_error(exc: BaseException) -> str:
    """Return a message for a dialog: the engine's own text or a plain summary."""
    from gridplanner.i18n import gettext as tr

    if isinstance(exc, GridPlannerError):
        return exc.message
    if isinstance(exc, MemoryError):
        return tr("Not enough memory for this run; close other programs or use the command "
                  "line.")
    if isinstance(exc, OSError):
        return tr("A file could not be used: {problem}").format(problem=exc)
    name = type(exc).__name__
    return tr("Unexpected problem ({name}): {problem}").format(name=name, problem=exc).strip()
