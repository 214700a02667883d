"""Progress and cancellation for long engine work (the QGIS Processing pattern).

Engine functions take ``*, feedback=None``. They report with :func:`report`, which
also raises :class:`~gridplanner.errors.Cancelled` when the user asked to stop, so
a long loop needs a single line per step. The CLI and the app each supply their
own feedback object; tests pass :class:`RecordingFeedback`.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Protocol, TextIO, runtime_checkable

from gridplanner.errors import Cancelled


@runtime_checkable
class Feedback(Protocol):
    """What an engine function may call on the feedback object it was given."""

    def set_progress(self, fraction: float, message: str = "") -> None:
        """Report the fraction done (0..1) and what is happening."""

    def is_cancelled(self) -> bool:
        """Return True once the user asked to stop."""


def report(feedback: Feedback | None, fraction: float, message: str = "") -> None:
    """Pass progress on, and raise :class:`Cancelled` if the user asked to stop."""
    if feedback is None:
        return
    if feedback.is_cancelled():
        raise Cancelled()
    feedback.set_progress(min(max(fraction, 0.0), 1.0), message)


class SubFeedback:
    """Map a child's 0..1 progress into ``[start, end]`` of a parent's."""

    def __init__(self, parent: Feedback | None, start: float, end: float) -> None:
        self.parent = parent
        self.start = start
        self.end = end

    def set_progress(self, fraction: float, message: str = "") -> None:
        """Forward scaled progress to the parent."""
        if self.parent is not None:
            self.parent.set_progress(self.start + (self.end - self.start) * fraction, message)

    def is_cancelled(self) -> bool:
        """Ask the parent."""
        return self.parent is not None and self.parent.is_cancelled()


def sub(feedback: Feedback | None, start: float, end: float) -> SubFeedback | None:
    """Return a :class:`SubFeedback` over ``feedback``, or None when there is none."""
    return None if feedback is None else SubFeedback(feedback, start, end)


class CancelToken:
    """A thread-safe cancel flag shared by a runner and the code it runs."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report."""
        self._event.set()

    def is_cancelled(self) -> bool:
        """Return True once cancelled."""
        return self._event.is_set()


class RecordingFeedback(CancelToken):
    """Keep every progress report; optionally cancel after ``cancel_after`` reports."""

    def __init__(self, cancel_after: int | None = None) -> None:
        super().__init__()
        self.reports: list[tuple[float, str]] = []
        self.cancel_after = cancel_after

    def set_progress(self, fraction: float, message: str = "") -> None:
        """Record the report."""
        self.reports.append((fraction, message))
        if self.cancel_after is not None and len(self.reports) >= self.cancel_after:
            self.cancel()


class TerminalFeedback(CancelToken):
    """A one-line progress bar on stderr; Ctrl+C cancels the run cleanly."""

    def __init__(self, stream: TextIO | None = None, *, min_interval_s: float = 0.1) -> None:
        super().__init__()
        self.stream = stream or sys.stderr
        self.min_interval_s = min_interval_s
        self._last = 0.0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_message = ""

    def set_progress(self, fraction: float, message: str = "") -> None:
        """Redraw the bar (on a terminal) or print each new stage (in a log)."""
        now = time.monotonic()
        if self._tty:
            if now - self._last < self.min_interval_s and fraction < 1.0:
                return
            width = 30
            done = int(width * fraction)
            bar = "#" * done + "-" * (width - done)
            self.stream.write(f"\r[{bar}] {fraction * 100:5.1f}% {message[:60]:<60}")
            if fraction >= 1.0:
                self.stream.write("\n")
            self.stream.flush()
        elif message and message != self._last_message:
            self.stream.write(f"  {fraction * 100:5.1f}%  {message}\n")
            self.stream.flush()
            self._last_message = message
        self._last = now

    def finish(self) -> None:
        """End the bar's line on a terminal."""
        if self._tty and self._last:
            self.stream.write("\n")
            self.stream.flush()
