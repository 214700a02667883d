"""Helpers shared by the CLI commands: opening projects, progress, tables."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from gridplanner.feedback import TerminalFeedback
from gridplanner.locking import ProjectLock, ProjectLockedError, lock_wait_s
from gridplanner.project import Project, open_project


@contextlib.contextmanager
def terminal_feedback() -> Iterator[TerminalFeedback]:
    """Show a progress bar whose Ctrl+C cancels the run at its next progress report."""
    feedback = TerminalFeedback()

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        if feedback.is_cancelled():
            raise KeyboardInterrupt
        feedback.cancel()

    try:
        previous = signal.signal(signal.SIGINT, on_interrupt)
    except ValueError:  # not in the main thread
        previous = None
    try:
        yield feedback
    finally:
        feedback.finish()
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def load(path: str | Path) -> Project:
    """Open a project with a progress bar."""
    with terminal_feedback() as feedback:
        return open_project(path, feedback=feedback)


@contextlib.contextmanager
def write_lock(path: str | Path, command: str, *,
               must_exist: bool = True) -> Iterator[ProjectLock]:
    """Hold the project's lock around a read-modify-write of its file.

    Waits up to ``GRIDPLANNER_LOCK_WAIT_S`` seconds (30 by default) while another
    program holds it, then fails with a message naming the holder.
    """
    if must_exist and not Path(path).is_file():
        open_project(path)  # raises the opener's own message (not found, a folder ...)
    wait_s = lock_wait_s()

    def waiting(exc: ProjectLockedError) -> None:
        who = exc.holder.describe() if exc.holder is not None else "another program"
        print(f"{path}: waiting up to {wait_s:g} s for {who} to finish with the project",
              file=sys.stderr)

    lock = ProjectLock(path, program=f"gridplanner {command}")
    lock.acquire(wait_s=wait_s, on_wait=waiting)
    try:
        yield lock
    finally:
        lock.release()


def add_project_argument(parser: argparse.ArgumentParser) -> None:
    """Add the positional PROJECT argument every analysis command takes."""
    parser.add_argument("project", metavar="PROJECT", help="project GeoPackage (.gpkg)")


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Render rows as an aligned plain-text table (CJK characters count double)."""
    cells = [[_fmt(v) for v in row] for row in rows]
    widths = [_width(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], _width(cell))
    lines = ["  ".join(_pad(h, widths[i]) for i, h in enumerate(headers))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(_pad(c, widths[i]) for i, c in enumerate(row)) for row in cells)
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
