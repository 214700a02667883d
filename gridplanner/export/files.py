"""Where an export may be written, and writing it so a failure never leaves half a file.

Every export (GeoPackage, XLSX, CSV, HTML, PNG) is written to a temporary file in
the target's folder, flushed to disk and moved over the target in one step
(:func:`layers.io.atomic_target`): a crash, a full disk or a cancelled run leaves
the old file or the new one, never a broken one. An export never replaces a
project: the open project, its autosave and any GridPlanner project file are
refused as targets before anything is written.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from gridplanner.errors import GridPlannerError
from layers.io import atomic_target


class ExportError(GridPlannerError):
    """An export cannot be written (unknown format, protected or locked file, no folder)."""


def protected_paths(*projects: str | Path | None) -> tuple[Path, ...]:
    """Return the project files given and their autosaves: files no export may replace.

    Examples
    --------
    >>> [p.name for p in protected_paths("/data/district.gpkg", None)]
    ['district.gpkg', '.district.autosave.gpkg']
    """
    from gridplanner.project import autosave_path

    out: list[Path] = []
    for project in projects:
        if project is None:
            continue
        path = Path(project).expanduser()
        out += [path, autosave_path(path)]
    return tuple(out)


def check_target(path: str | Path, *, protect: Iterable[str | Path] = ()) -> Path:
    """Return ``path`` as the file an export will write, or refuse it.

    Parameters
    ----------
    path
        The file to write.
    protect
        Files that must not be replaced, usually :func:`protected_paths` of the
        open project.

    Raises
    ------
    ExportError
        When ``path`` is a folder, one of ``protect``, or a GridPlanner project file.

    Examples
    --------
    >>> check_target("/tmp/map.html", protect=protected_paths("/tmp/map.gpkg")).name
    'map.html'
    >>> check_target("/tmp/.map.autosave.gpkg",
    ...              protect=protected_paths("/tmp/map.gpkg"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    gridplanner.export.files.ExportError: /tmp/.map.autosave.gpkg: this is the open project ...
    """
    target = Path(path).expanduser()
    if target.is_dir():
        raise ExportError(f"{target}: is a folder; give a file name to export to")
    for kept in protect:
        if _same_file(target, Path(kept).expanduser()):
            raise ExportError(f"{target}: this is the open project or its autosave; an "
                              "export never replaces a project: choose another file name")
    if _is_project_file(target):
        raise ExportError(f"{target}: this is a GridPlanner project file; an export never "
                          "replaces a project: choose another file name")
    return target


@contextlib.contextmanager
def atomic_file(path: str | Path, *, protect: Iterable[str | Path] = ()) -> Iterator[Path]:
    r"""Yield a temporary path to write; on success it replaces ``path`` in one step.

    ``path`` is checked with :func:`check_target` first. The temporary file sits in
    the same folder (so the final move is atomic) and is removed on any error.

    Raises
    ------
    ExportError
        When the target is refused or the file cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "t.csv"
    >>> with atomic_file(target) as tmp:
    ...     _ = tmp.write_text("a,b\n", encoding="utf-8")
    >>> target.read_text(encoding="utf-8"), [p.name for p in target.parent.iterdir()]
    ('a,b\n', ['t.csv'])
    """
    target = check_target(path, protect=protect)
    try:
        with atomic_target(target) as tmp:
            yield tmp
    except OSError as exc:
        raise ExportError(f"{target}: cannot be written ({exc.strerror or exc}); check that "
                          "the folder exists and may be written to, and close the file if "
                          "another program has it open") from exc


def safe_file_stem(text: str, used: set[str] | None = None) -> str:
    """Return ``text`` usable in a file name (others as ``_``), unique within ``used``.

    Examples
    --------
    >>> used: set[str] = set()
    >>> safe_file_stem("a/b", used), safe_file_stem("a_b", used), safe_file_stem("..", used)
    ('a_b', 'a_b-2', '_.')
    >>> safe_file_stem("con"), safe_file_stem("COM1.x"), safe_file_stem("网格<1>")
    ('_con', '_COM1.x', '网格_1_')
    """
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(text))[:120]
    if not stem or stem.startswith("."):
        stem = "_" + stem[1:]
    if stem.split(".")[0].upper() in _DEVICE_NAMES:
        stem = "_" + stem  # names Windows keeps for devices, whatever the suffix
    if used is None:
        return stem
    name, i = stem, 2
    while name.lower() in used:
        name = f"{stem}-{i}"
        i += 1
    used.add(name.lower())
    return name


_DEVICE_NAMES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
                           *(f"LPT{i}" for i in range(10))})


def _same_file(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def _is_project_file(path: Path) -> bool:
    """Whether ``path`` is a GridPlanner project (a GeoPackage with its ``gp_meta`` table)."""
    try:
        with path.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                return False
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                              "name = 'gp_meta'").fetchone()
        finally:
            con.close()
    except (OSError, sqlite3.Error):
        return False
    return row is not None
