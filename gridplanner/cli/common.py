"""Helpers shared by the CLI commands: the language, opening projects, progress.

The language of everything a command prints or writes is chosen once, before the
command runs: ``--lang`` when given (on any command), else the project's
``language`` setting when the project stores one, else the system locale.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from gridplanner.errors import ProjectError
from gridplanner.feedback import TerminalFeedback
from gridplanner.i18n import LANGUAGES, _, normalize_language, set_language
from gridplanner.locking import ProjectLock, ProjectLockedError, lock_wait_s
from gridplanner.text import format_table

if TYPE_CHECKING:
    from gridplanner.project import Project

__all__ = ["add_language_option", "add_project_argument", "apply_language", "format_table",
           "load", "terminal_feedback"]

#: Whether ``--lang`` was given, so a project's own setting does not override it.
_language_given = False


def _language_code(text: str) -> str:
    code = normalize_language(text)
    if code is None:
        raise argparse.ArgumentTypeError(
            f"invalid language {text!r}: choose {' or '.join(LANGUAGES)}")
    return code


def add_language_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--lang`` to ``parser`` and to every subcommand under it, at any depth.

    On the main parser its default is None (not given); on subcommands the option
    only sets the value when given, so ``gridplanner --lang en info P`` and
    ``gridplanner info P --lang en`` both work.
    """
    help_text = ("language of printed text and reports: zh_CN or en (default: the "
                 "project's language setting, else the system locale)")
    parser.add_argument("--lang", type=_language_code, default=None, metavar="zh_CN|en",
                        help=help_text)
    _add_to_subcommands(parser, help_text)


def _add_to_subcommands(parser: argparse.ArgumentParser, help_text: str) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # aliases share a parser
                sub.add_argument("--lang", type=_language_code, default=argparse.SUPPRESS,
                                 metavar="zh_CN|en", help=help_text)
                _add_to_subcommands(sub, help_text)


def apply_language(lang: str | None) -> str:
    """Use ``lang`` (``--lang``) for the rest of the run, or the system locale when None.

    Returns the language now in use. A project opened later with :func:`load`
    switches to its ``language`` setting unless ``lang`` was given.
    """
    global _language_given
    _language_given = lang is not None
    return set_language(lang)


def follow_project_language(project: Project) -> None:
    """Switch to the project's stored ``language`` setting unless ``--lang`` was given."""
    if not _language_given and "language" in project.settings:
        set_language(project.config.language)


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
        project = open_project(path, feedback=feedback)
    follow_project_language(project)
    return project


@contextlib.contextmanager
def write_lock(path: str | Path, command: str, *,
               must_exist: bool = True) -> Iterator[ProjectLock]:
    """Hold the project's lock around a read-modify-write of its file.

    Waits up to ``GRIDPLANNER_LOCK_WAIT_S`` seconds (30 by default) while another
    program holds it, then fails with a message naming the holder.
    """
    from gridplanner.project import is_autosave_name, open_project

    if must_exist and not Path(path).is_file():
        open_project(path)  # raises the opener's own message (not found, a folder ...)
    if not must_exist and is_autosave_name(path):  # the app replaces and deletes those
        raise ProjectError(_("{path}: this name is kept for autosaves, which GridPlanner "
                             "replaces and deletes; choose another name", path=path))
    wait_s = lock_wait_s()

    def waiting(exc: ProjectLockedError) -> None:
        who = exc.holder.describe() if exc.holder is not None else _("another program")
        print(_("{path}: waiting up to {seconds:g} s for {who} to finish with the project",
                path=path, seconds=wait_s, who=who), file=sys.stderr)

    lock = ProjectLock(path, program=f"gridplanner {command}")
    lock.acquire(wait_s=wait_s, on_wait=waiting)
    try:
        yield lock
    finally:
        lock.release()


def add_project_argument(parser: argparse.ArgumentParser) -> None:
    """Add the positional PROJECT argument every analysis command takes."""
    parser.add_argument("project", metavar="PROJECT", help="project GeoPackage (.gpkg)")
