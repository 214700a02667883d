"""Helpers shared by the CLI commands: opening projects, progress."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from gridplanner.feedback import TerminalFeedback
from gridplanner.locking import ProjectLock, ProjectLockedError, lock_wait_s
from gridplanner.text import format_table

if TYPE_CHECKING:
    from gridplanner.project import Project

__all__ = ["add_project_argument", "format_table", "load", "terminal_feedback"]


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
    """Open a project with a progress bar (a pipe or device is refused before opening)."""
    from gridplanner.project import open_project
    from layers.io import check_input_file

    check_input_file(path)
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
        from gridplanner.project import open_project

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
