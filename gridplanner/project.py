"""The project: every layer, the settings and the scenarios, in one GeoPackage file.

The file is a plain GeoPackage that QGIS opens as it is: one spatial table per
layer, plus three attribute tables registered in ``gpkg_contents``:
``gp_meta`` (format marker and version), ``gp_settings`` (one JSON value per key)
and ``gp_scenarios`` (one JSON document per scenario). Result layers the user kept
and whole-layer scenario variants are further spatial tables, named freely.

Saving is atomic: everything is written to a temporary file in the same folder,
flushed to disk, then moved over the old file in one ``os.replace``; a crash or a
kill at any moment leaves either the old or the new file, never a broken one.
Opening reads every table from one snapshot of the file, so a save that replaces it
meanwhile cannot mix two versions. Who may write a project is settled by its lock
(:mod:`gridplanner.locking`), which the app and the command line take.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
from pyproj import CRS

from gridplanner import __version__
from gridplanner.errors import ProjectError, SettingsError
from gridplanner.feedback import Feedback, report
from gridplanner.i18n import _
from gridplanner.locking import (
    ProjectLock,
    ProjectLockedError,
    pid_alive,
    read_holder,
    this_host,
)
from gridplanner.settings import Settings
from layers.errors import GridPlannerError, Problem, SchemaError
from layers.io import _gpkg_safe, atomic_target, plain_stem
from layers.schema import LAYER_NAMES, SCHEMAS
from layers.validate import validate

FORMAT_NAME = "gridplanner-project"
FORMAT_VERSION = 1
_GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
_META_TABLES = ("gp_meta", "gp_settings", "gp_scenarios")
#: Deepest nesting of a stored setting or scenario document (real ones use a few levels).
MAX_JSON_DEPTH = 64
_REMEDY = "open its autosave (.NAME.autosave.gpkg beside it) or a backup instead"
_READ_TAG = ".read-"
_TMP_TAG = ".tmp-"
#: A read snapshot made on another machine is removed once it is this old.
_STALE_READ_S = 600.0

# Files this process is using right now, and targets it is saving: never "stale".
_active_guard = threading.Lock()
_active_files: set[Path] = set()
_saving: set[Path] = set()
_read_ids = itertools.count(1)

Listener = Callable[[str, str], None]


@dataclass
class Project:
    """Layers, settings and scenarios of one planning project.

    Parameters
    ----------
    layers
        Schema layers by name (``grids``, ``cameras`` ...), all in one CRS.
    settings
        Stored settings; read them through :attr:`config` to get defaults filled.
    scenarios
        Scenario documents by name (JSON-able dicts).
    extra_layers
        Other spatial tables kept in the file: results, scenario layer variants.
    path
        Where the project was opened from or last saved to.
    """

    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra_layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    path: Path | None = None
    warnings: list[Problem] = field(default_factory=list)
    #: (modification time in ns, size) of the file as last read or written; tells
    #: whether someone else changed the file since (see :func:`changed_on_disk`).
    file_stamp: tuple[int, int] | None = field(default=None, compare=False)
    _listeners: list[Listener] = field(default_factory=list, repr=False, compare=False)

    @property
    def config(self) -> Settings:
        """The settings, checked, with defaults filled in (bad stored values: defaults)."""
        return Settings.read(self.settings)[0]

    def set_setting(self, key: str, value: Any) -> None:
        """Change one setting and notify listeners.

        Raises
        ------
        SettingsError
            When ``key`` is unknown or ``value`` is outside what it accepts.
        """
        self.config.updated(**{key: value})  # raises with the allowed range
        self.settings[key] = value
        self.emit("settings_changed", key)

    @property
    def crs(self) -> CRS | None:
        """The analysis CRS: the setting if given, else the CRS the layers share."""
        code = self.config.analysis_crs  # checked: a projected CRS, or None
        if code:
            return CRS.from_user_input(code)
        for frame in self.layers.values():
            if frame.crs is not None:
                return CRS.from_user_input(frame.crs)
        return None

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """Return a layer, or an empty frame of its schema when the project has none."""
        if name in self.layers:
            return self.layers[name]
        schema = SCHEMAS[name]
        return gpd.GeoDataFrame(
            {c: [] for c in schema.column_names}, geometry=[], crs=self.crs
        )

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(event, name)`` on every change.

        Events: ``layer_changed``, ``layer_removed``, ``settings_changed``,
        ``scenarios_changed``.
        """
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling ``listener``."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def emit(self, event: str, name: str = "") -> None:
        """Tell every listener that something changed."""
        for listener in list(self._listeners):
            listener(event, name)

    def set_layer(self, name: str, frame: gpd.GeoDataFrame) -> None:
        """Replace (or add) a schema layer or an extra layer and notify listeners."""
        if name in SCHEMAS:
            self.layers[name] = frame
        else:
            self.extra_layers[name] = frame
        self.emit("layer_changed", name)

    def remove_layer(self, name: str) -> None:
        """Drop a layer and notify listeners."""
        self.layers.pop(name, None)
        self.extra_layers.pop(name, None)
        self.emit("layer_removed", name)


def save_project(
    project: Project, path: str | Path | None = None, *, feedback: Feedback | None = None
) -> Path:
    """Write the whole project to ``path`` (or its own path) atomically.

    Saving does not take the project's lock: callers that may meet another writer
    (the app, the command line) hold a :class:`~gridplanner.locking.ProjectLock`.

    Returns
    -------
    Path
        Where it was written; ``project.path`` is set to it.

    Raises
    ------
    ProjectError
        When the file cannot be written, or a setting or scenario could not be read
        back (not JSON, nested too deeply); the previous file is untouched.
    """
    target = Path(path) if path is not None else project.path
    if target is None:
        raise ProjectError("the project has no file yet: choose where to save it")
    target = target.resolve()
    if target.is_dir():
        raise ProjectError(f"{target}: is a folder; choose a file name ending in .gpkg")
    settings = _encode(target, "setting", project.settings, need_object=False)
    scenarios = _encode(target, "scenario", project.scenarios, need_object=True)
    _remove_stale_temporaries(target)
    with _active_guard:
        _saving.add(target)
    try:
        with atomic_target(target) as tmp:
            _write_all(project, tmp, settings, scenarios, feedback)
    except GridPlannerError:
        raise
    except Exception as exc:
        raise ProjectError(f"{target}: could not save the project ({exc}); "
                           "the previous file is unchanged") from exc
    finally:
        with _active_guard:
            _saving.discard(target)
    project.path = target
    project.file_stamp = file_stamp(target)
    return target


def file_stamp(path: str | Path) -> tuple[int, int] | None:
    """Return (modification time in ns, size) of ``path``, or None when it is absent."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def changed_on_disk(project: Project) -> bool:
    """Return True when the project's file differs from the version last read or saved.

    Another program (QGIS, a copy over the file, a GridPlanner on another machine)
    changed it; saving now would throw that change away.
    """
    if project.path is None or project.file_stamp is None:
        return False
    now = file_stamp(project.path)
    return now is not None and now != project.file_stamp


def _encode(target: Path, what: str, values: dict[str, Any], *,
            need_object: bool) -> list[tuple[str, str]]:
    rows = []
    for key, value in values.items():
        if not isinstance(key, str) or not key:
            raise ProjectError(f"{target}: a {what} name must be non-empty text, not "
                               f"{_show(key)}; the project was not saved")
        if need_object and not isinstance(value, dict):
            raise ProjectError(f"{target}: {what} '{key}' is not a JSON object; the project "
                               "was not saved")
        if _too_deep(value):
            raise ProjectError(f"{target}: {what} '{key}' is nested more than "
                               f"{MAX_JSON_DEPTH} levels deep; the project was not saved")
        try:
            rows.append((key, json.dumps(value, ensure_ascii=False)))
        except (TypeError, ValueError) as exc:
            raise ProjectError(f"{target}: {what} '{key}' cannot be stored as JSON ({exc}); "
                               "the project was not saved") from exc
    return rows


def _remove_stale_temporaries(target: Path) -> None:
    """Remove what killed saves and reads left beside ``target`` (best effort).

    Temporaries of processes still running here are kept, and so is everything
    while a holder on another machine has the project's lock (its process ids mean
    nothing here). SQLite may leave ``-journal`` files beside a killed temporary.
    """
    holder = read_holder(target)
    foreign = holder is not None and holder.host != this_host()
    with _active_guard:
        busy = set(_active_files)
        own_saving = target in _saving
    prefix = f".{plain_stem(target.stem)}"
    try:
        names = [e.name for e in os.scandir(target.parent)
                 if e.name.startswith((prefix + _TMP_TAG, prefix + _READ_TAG))]
    except OSError:
        return
    for name in names:
        stale = target.parent / name
        tag = _TMP_TAG if name.startswith(prefix + _TMP_TAG) else _READ_TAG
        parts = name[len(prefix) + len(tag):].split(".", 1)[0].split("-")
        if not parts[0].isdigit() or stale in busy:
            continue
        pid = int(parts[0])
        # Read snapshots name their machine; one from elsewhere is judged by its age.
        elsewhere = tag == _READ_TAG and (len(parts) < 3 or parts[1] != _host_tag())
        if elsewhere:
            if not _older_than(stale, _STALE_READ_S):
                continue
        elif pid == os.getpid():
            if own_saving and tag == _TMP_TAG:
                continue  # another thread of this process is writing it now
        elif foreign or pid_alive(pid):
            continue
        with contextlib.suppress(OSError):
            stale.unlink()


def _host_tag() -> str:
    return hashlib.sha1(this_host().encode("utf-8")).hexdigest()[:8]


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.lstat().st_ctime > seconds
    except OSError:
        return False


def _write_all(project: Project, tmp: Path, settings: list[tuple[str, str]],
               scenarios: list[tuple[str, str]], feedback: Feedback | None) -> None:
    tmp.unlink(missing_ok=True)
    names = [n for n in LAYER_NAMES if n in project.layers] + sorted(project.extra_layers)
    frames = {**project.layers, **project.extra_layers}
    for i, name in enumerate(names):
        report(feedback, i / max(len(names), 1), _("saving {name}", name=name))
        _write_frame(frames[name], tmp, name)
    if not names:
        _create_empty_geopackage(tmp)
    with contextlib.closing(sqlite3.connect(tmp)) as con, con:
        _write_tables(con, settings, scenarios)
    report(feedback, 1.0, _("saved"))


def _write_frame(frame: gpd.GeoDataFrame, path: Path, name: str) -> None:
    kwargs: dict[str, Any] = {}
    if frame.empty and name in SCHEMAS:
        kwargs["geometry_type"] = SCHEMAS[name].geometry
    if frame.crs is None:
        kwargs["crs"] = None
    pyogrio.write_dataframe(_gpkg_safe(frame), path, layer=name, driver="GPKG", **kwargs)


def _create_empty_geopackage(path: Path) -> None:
    empty = gpd.GeoDataFrame({"id": []}, geometry=[], crs=4326)
    pyogrio.write_dataframe(empty, path, layer="_empty", driver="GPKG", geometry_type="Point")
    with contextlib.closing(sqlite3.connect(path)) as con, con:
        con.execute("DROP TABLE IF EXISTS _empty")
        for table in ("gpkg_contents", "gpkg_geometry_columns"):
            con.execute(f"DELETE FROM {table} WHERE table_name = '_empty'")


def _write_tables(con: sqlite3.Connection, settings: list[tuple[str, str]],
                  scenarios: list[tuple[str, str]]) -> None:
    con.execute("CREATE TABLE gp_meta (key TEXT PRIMARY KEY, value TEXT)")
    con.executemany(
        "INSERT INTO gp_meta VALUES (?, ?)",
        [("format", FORMAT_NAME), ("format_version", str(FORMAT_VERSION)),
         ("written_by", f"gridplanner {__version__}")],
    )
    con.execute("CREATE TABLE gp_settings (key TEXT PRIMARY KEY, value TEXT)")
    con.executemany("INSERT INTO gp_settings VALUES (?, ?)", settings)
    con.execute("CREATE TABLE gp_scenarios (name TEXT PRIMARY KEY, document TEXT)")
    con.executemany("INSERT INTO gp_scenarios VALUES (?, ?)", scenarios)
    con.executemany(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
        "VALUES (?, 'attributes', ?, ?)",
        [(t, t, "GridPlanner project data") for t in _META_TABLES],
    )


def open_project(path: str | Path, *, feedback: Feedback | None = None) -> Project:
    """Open a project file written by :func:`save_project`.

    Everything is read from one snapshot of the file (a hard link, or a private copy
    where links are not possible), so a save that replaces the file meanwhile cannot
    mix two versions. Temporaries left beside it by killed saves are removed first.

    Raises
    ------
    ProjectError
        When the file is missing, not a GeoPackage, not a GridPlanner project,
        damaged, or holds layers that break their schema (every problem listed).
        Damage that loses nothing the user made (a setting that cannot be read, a
        missing settings table) opens with a warning in ``Project.warnings``.
    """
    path = Path(path)
    _check_is_file(path)
    real = path.resolve()
    _remove_stale_temporaries(real)
    with _snapshot(path, real) as (snap, stamp):
        project = _read_snapshot(path, snap, feedback)
    project.path = real
    project.file_stamp = stamp
    report(feedback, 1.0, _("opened"))
    return project


def _check_is_file(path: Path) -> None:
    if not path.exists():
        raise ProjectError(_("{path}: file not found", path=path))
    if path.is_dir():
        raise ProjectError(_("{path}: is a folder, not a project file; open the .gpkg file "
                             "inside it", path=path))
    if not path.is_file():
        raise ProjectError(_("{path}: not a regular file (a device or a pipe); open a .gpkg "
                             "project file", path=path))


def _link_current(real: Path, link: Path, attempts: int = 20) -> None:
    """Hard-link ``real`` to ``link``, retrying while a save replaces it.

    Linux refuses (ENOENT) to link an inode whose last name a concurrent
    ``os.replace`` has just removed, although the name itself never goes missing;
    linking again picks up the new file.
    """
    for attempt in range(attempts):
        try:
            os.link(real, link)
            return
        except FileNotFoundError:
            if attempt == attempts - 1 or not real.exists():
                raise
            time.sleep(0.001 * (attempt + 1))


@contextlib.contextmanager
def _snapshot(path: Path, real: Path) -> Iterator[tuple[Path, tuple[int, int]]]:
    """Yield one fixed version of ``real`` and its (mtime_ns, size) stamp.

    A hard link keeps the version that was there when it was made, whatever later
    saves put under the name; where links are impossible (FAT drives, read-only
    folders) a private copy is read through one open handle instead.
    """
    with _active_guard:
        link = real.with_name(f".{plain_stem(real.stem)}{_READ_TAG}{os.getpid()}-{_host_tag()}-"
                              f"{next(_read_ids)}{real.suffix}")
        _active_files.add(link)
    tmpdir: str | None = None
    try:
        try:
            _link_current(real, link)
            snap = link
        except FileNotFoundError as exc:
            raise ProjectError(_("{path}: file not found", path=path)) from exc
        except OSError:
            tmpdir = tempfile.mkdtemp(prefix="gridplanner-read-")
            snap = Path(tmpdir) / f"snapshot{real.suffix}"
            try:
                with real.open("rb") as src, snap.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 22)
            except OSError as exc:
                raise ProjectError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
        st = snap.stat()
        yield snap, (st.st_mtime_ns, st.st_size)
    finally:
        with contextlib.suppress(OSError):
            link.unlink(missing_ok=True)
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
        with _active_guard:
            _active_files.discard(link)


def _read_snapshot(path: Path, snap: Path, feedback: Feedback | None) -> Project:
    with snap.open("rb") as fh:
        header = fh.read(16)
    if header != b"SQLite format 3\x00":
        raise ProjectError(f"{path}: not a GeoPackage project file (open a .gpkg saved by "
                           "GridPlanner, or build one with 'gridplanner import')")
    tables = _read_tables(path, snap)
    project = Project(settings=tables.settings, scenarios=tables.scenarios,
                      warnings=list(tables.warnings))
    project.warnings.extend(Settings.read(tables.settings, source=str(path))[1])
    project.warnings.extend(_scenario_parameter_problems(project, path))
    problems: list[Problem] = []
    for i, name in enumerate(tables.spatial):
        report(feedback, i / max(len(tables.spatial), 1), _("reading {name}", name=name))
        try:
            frame = pyogrio.read_dataframe(snap, layer=name)
        except Exception as exc:
            detail = str(exc).replace(str(snap), str(path))
            raise ProjectError(f"{path}: layer {name} cannot be read ({detail}); the file is "
                               f"damaged: {_REMEDY}") from exc
        if name in SCHEMAS:
            try:
                result = validate(frame, name, source=str(path))
            except SchemaError as exc:
                problems.extend(exc.problems)
                continue
            project.layers[name] = result.frame
            project.warnings.extend(result.warnings)
        else:
            project.extra_layers[name] = frame
    if problems:
        err = SchemaError.from_problems(problems)
        raise ProjectError(f"{path}: the project's layers break their schema; fix them "
                           f"(e.g. in QGIS) and open again.\n{err.message}", problems)
    return project


def _scenario_parameter_problems(project: Project, path: Path) -> list[Problem]:
    """Warn of scenario parameters outside their settings' ranges (commands refuse them)."""
    found = []
    for name, doc in project.scenarios.items():
        try:
            project.config.updated(**{str(k): v for k, v in (doc.get("parameters") or {}).items()})
        except SettingsError as exc:
            found.append(Problem(f"scenario '{name}': {exc.message}; commands using the "
                                 "scenario stop until the parameter is changed",
                                 layer="gp_scenarios", source=str(path), severity="warning"))
    return found


@dataclass
class _Tables:
    settings: dict[str, Any]
    scenarios: dict[str, dict[str, Any]]
    spatial: list[str]
    warnings: list[Problem]


def _read_tables(path: Path, snap: Path) -> _Tables:
    try:
        con = sqlite3.connect(f"{snap.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ProjectError(f"{path}: cannot be opened ({exc}); {_REMEDY}") from exc
    # Damaged text comes back as bytes, which every reader below reports by table and key.
    con.text_factory = _text_or_bytes
    try:
        existing = {str(r[0]) for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        if "gp_meta" not in existing:
            raise ProjectError(
                f"{path}: a GeoPackage, but not a GridPlanner project; build a project "
                f"from its layers with 'gridplanner import OUT.gpkg --grids {path} ...'")
        _check_meta(path, _rows(con, path, "gp_meta", "key, value"))
        warnings: list[Problem] = []
        settings = _read_settings(path, con, existing, warnings)
        scenarios = _read_scenarios(path, con, existing, warnings)
        spatial = _registered_layers(path, con, existing)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        # SQLite's own message about a damaged schema may hold bytes that are not UTF-8.
        raise ProjectError(f"{path}: the file is damaged ({exc}); {_REMEDY}") from exc
    finally:
        con.close()
    return _Tables(settings, scenarios, spatial, warnings)


def _text_or_bytes(raw: bytes) -> str | bytes:
    """Decode a stored text value; keep bytes that are not UTF-8 as they are."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


def _rows(con: sqlite3.Connection, path: Path, table: str, columns: str) -> list[Any]:
    try:
        return con.execute(f"SELECT {columns} FROM {table}").fetchall()
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path}: table {table} is damaged ({exc}); {_REMEDY}") from exc


def _check_meta(path: Path, rows: list[Any]) -> None:
    meta = {k: v for k, v in rows if isinstance(k, str)}
    if meta.get("format") != FORMAT_NAME:
        raise ProjectError(f"{path}: not a GridPlanner project file (table gp_meta has no "
                           f"format '{FORMAT_NAME}')")
    if "format_version" not in meta:
        return  # the first files had no version: format 1
    raw = meta["format_version"]
    try:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise ValueError(raw)
        version = int(raw)
    except ValueError:
        raise ProjectError(f"{path}: table gp_meta, key format_version: {_show(raw)} is not a "
                           f"whole number; the file is damaged: {_REMEDY}") from None
    if version < 0:
        raise ProjectError(f"{path}: table gp_meta, key format_version: {version} is not a "
                           f"format number; the file is damaged: {_REMEDY}")
    if version > FORMAT_VERSION:
        raise ProjectError(f"{path}: written by a newer GridPlanner (format {version}); "
                           "update GridPlanner to open it")


def _read_settings(path: Path, con: sqlite3.Connection, existing: set[str],
                   warnings: list[Problem]) -> dict[str, Any]:
    def warn(key: str, message: str) -> None:
        warnings.append(Problem(message, layer="gp_settings", column=key, source=str(path),
                                severity="warning",
                                hint="the default is used; saving the project stores it"))

    if "gp_settings" not in existing:
        warn("", "the settings table is missing")
        return {}
    settings: dict[str, Any] = {}
    for key, text in _rows(con, path, "gp_settings", "key, value"):
        if not isinstance(key, str) or not key:
            warn("", f"a setting without a key name ({_show(key)}) was dropped")
            continue
        value, why = _parse_json(text)
        if why:
            warn(key, f"setting '{key}' dropped: {why}")
            continue
        settings[key] = value  # values are checked by Settings.read
    return settings


def _read_scenarios(path: Path, con: sqlite3.Connection, existing: set[str],
                    warnings: list[Problem]) -> dict[str, dict[str, Any]]:
    if "gp_scenarios" not in existing:
        warnings.append(Problem("the scenarios table is missing: no scenarios were read",
                                layer="gp_scenarios", source=str(path), severity="warning"))
        return {}
    scenarios: dict[str, dict[str, Any]] = {}
    for name, text in _rows(con, path, "gp_scenarios", "name, document"):
        if not isinstance(name, str) or not name:
            raise ProjectError(f"{path}: table gp_scenarios has a scenario without a name "
                               f"({_show(name)}); the file is damaged: {_REMEDY}")
        value, why = _parse_json(text)
        if why is None:
            why = scenario_document_problem(value)
        if why:
            raise ProjectError(f"{path}: table gp_scenarios, scenario '{name}': the document "
                               f"cannot be read ({why}); the file is damaged: {_REMEDY}")
        scenarios[name] = value
    return scenarios


def _kind(value: Any) -> str:
    return "null" if value is None else {"dict": "an object", "list": "a list",
                                         "str": "text", "bool": "true/false"}.get(
        type(value).__name__, "a number")


def scenario_document_problem(doc: Any) -> str | None:
    """Say what makes ``doc`` no scenario document, or return None when it is one.

    Checks the shape every reader relies on: an object whose ``format`` is a whole
    number, whose ``parameters`` is an object and whose ``layers`` maps layer names
    to changes (``mode`` ``diff`` with lists of record objects and of removed ids,
    or ``mode`` ``table`` naming a table).

    Examples
    --------
    >>> scenario_document_problem({"layers": {"staff": {"added": [{"staff_id": "S1"}]}}})
    >>> scenario_document_problem({"layers": 5})
    "'layers' is a number, not an object"
    """
    if not isinstance(doc, Mapping):
        return f"it is {_kind(doc)}, not a JSON object"
    fmt = doc.get("format")
    if fmt is not None and (isinstance(fmt, bool) or not isinstance(fmt, int | str)
                            or not str(fmt).strip().isdigit()):
        return f"'format' is {_kind(fmt)}, not a whole number"
    for key in ("parameters", "layers"):
        if doc.get(key) is not None and not isinstance(doc[key], Mapping):
            return f"'{key}' is {_kind(doc[key])}, not an object"
    for layer, change in (doc.get("layers") or {}).items():
        where = f"'layers', '{layer}'"
        if not isinstance(change, Mapping):
            return f"{where} is {_kind(change)}, not an object"
        mode = change.get("mode", "diff")
        if mode == "table":
            if not isinstance(change.get("table"), str):
                return f"{where}: 'table' is {_kind(change.get('table'))}, not a table name"
            continue
        if mode != "diff":
            return f"{where}: 'mode' is {mode!r}, not 'diff' or 'table'"
        for key in ("added", "changed", "removed"):
            items = change.get(key)
            if items is None:
                continue
            if not isinstance(items, list):
                return f"{where}: '{key}' is {_kind(items)}, not a list"
            record = key != "removed"
            for item in items:
                if record != isinstance(item, dict) or (not record and isinstance(
                        item, list | bool)):
                    return (f"{where}: '{key}' holds {_kind(item)}, not "
                            f"{'a record object' if record else 'an id'}")
                for column in ("wkb", "geometry") if record else ():
                    if item.get(column) is not None and not isinstance(item[column], str):
                        return (f"{where}: '{key}' holds a geometry '{column}' that is "
                                f"{_kind(item[column])}, not text")
    return None


def _registered_layers(path: Path, con: sqlite3.Connection, existing: set[str]) -> list[str]:
    if "gpkg_contents" not in existing:
        raise ProjectError(f"{path}: table gpkg_contents is missing, so this is no GeoPackage "
                           f"any more; {_REMEDY}")
    contents = _rows(con, path, "gpkg_contents", "table_name, data_type")
    geometry = {str(r[0]) for r in _rows(con, path, "gpkg_geometry_columns", "table_name")} \
        if "gpkg_geometry_columns" in existing else set()
    spatial = []
    for name, kind in contents:
        if not isinstance(name, str) or name in _META_TABLES:
            continue
        if name not in existing:
            raise ProjectError(f"{path}: layer {name} is registered in gpkg_contents but its "
                               f"table is missing; the file is damaged: {_REMEDY}")
        if kind == "features":
            if name not in geometry:
                raise ProjectError(f"{path}: layer {name} has no entry in "
                                   f"gpkg_geometry_columns; the file is damaged: {_REMEDY}")
            spatial.append(name)
    return spatial


def _parse_json(text: Any) -> tuple[Any, str | None]:
    """Return ``(value, None)``, or ``(None, why)`` when ``text`` is no usable JSON value."""
    if text is None:
        return None, "the value is empty (NULL)"
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return None, "the value is not UTF-8 text"
    try:
        value = json.loads(str(text))
    except RecursionError:
        return None, f"the value is nested more than {MAX_JSON_DEPTH} levels deep"
    except ValueError as exc:
        return None, f"the value is not valid JSON ({exc})"
    if _too_deep(value):
        return None, f"the value is nested more than {MAX_JSON_DEPTH} levels deep"
    return value, None


def _too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth + 1 > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def autosave_path(path: Path) -> Path:
    """Where the app keeps the autosave of the project saved at ``path``.

    Only the holder of the project's lock writes it, so two windows never share it.
    """
    return path.with_name(f".{path.stem}.autosave.gpkg")


UNTITLED_AUTOSAVE = "untitled.autosave.gpkg"
#: How every autosave file name ends (project autosaves and untitled ones).
AUTOSAVE_SUFFIX = ".autosave.gpkg"


def is_autosave_name(path: str | Path) -> bool:
    """Return whether ``path`` is named like an autosave, which no project may be saved as.

    The window owning an autosave replaces and deletes it: a project saved under
    such a name would go with it.

    Examples
    --------
    >>> is_autosave_name("/d/.district.autosave.gpkg"), is_autosave_name("/d/district.gpkg")
    (True, False)
    """
    return Path(path).name.lower().endswith(AUTOSAVE_SUFFIX)


@dataclass
class AutosaveSlot:
    """An autosave file for work that has no project file of its own, and its lock.

    Work never saved to a file (and work of a project open read-only) is autosaved
    in a folder of the user's; each running window claims its own slot, so windows
    never overwrite each other's autosave.
    """

    path: Path
    lock: ProjectLock

    def release(self) -> None:
        """Give the slot up (the file, if any, stays for recovery)."""
        self.lock.release()


def _untitled_name(n: int) -> str:
    return UNTITLED_AUTOSAVE if n == 1 else f"untitled-{n}.autosave.gpkg"


def claim_untitled_autosave(folder: str | Path, *, program: str = "GridPlanner app",
                            limit: int = 1000) -> AutosaveSlot:
    """Claim a free untitled autosave slot in ``folder`` (created when missing).

    A slot is free when no file holds unrecovered work there and no running window
    holds its lock.

    Raises
    ------
    ProjectError
        When the folder cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> first = claim_untitled_autosave(folder)
    >>> second = claim_untitled_autosave(folder)
    >>> first.path.name, second.path.name
    ('untitled.autosave.gpkg', 'untitled-2.autosave.gpkg')
    >>> first.release(); second.release()
    """
    base = Path(folder)
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProjectError(f"{base}: cannot create the autosave folder ({exc.strerror})") \
            from exc
    for n in range(1, limit + 1):
        path = base / _untitled_name(n)
        if path.exists():
            continue  # unrecovered work of an earlier run
        lock = ProjectLock(path, program=program)
        try:
            lock.acquire()
        except ProjectLockedError:
            continue
        if path.exists():  # written between the check and the lock
            lock.release()
            continue
        return AutosaveSlot(path, lock)
    raise ProjectError(f"{base}: no free autosave name among {limit}; recover or delete "
                       "the autosaves there")


def orphaned_autosaves(folder: str | Path) -> list[AutosaveSlot]:
    """Untitled autosaves in ``folder`` no running window owns, newest first.

    Each comes with its lock taken: keep the slots you recover, release the others.
    """
    base = Path(folder)
    try:
        found = [p for p in base.glob("untitled*.autosave.gpkg") if p.is_file()]
    except OSError:
        return []
    found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    slots = []
    for path in found:
        lock = ProjectLock(path, program="GridPlanner app")
        try:
            lock.acquire()
        except ProjectError:
            continue  # a running window's own autosave
        if path.exists():
            slots.append(AutosaveSlot(path, lock))
        else:
            lock.release()
    return slots


def keep_aside(autosave: Path, project_path: Path) -> Path:
    """Move an autosave the user chose not to recover now to a visible sibling file.

    Returns the new name, e.g. ``district (autosave 2024-05-01 0930).gpkg`` beside
    the project, which opens as a project of its own.
    """
    stamp = time.strftime("%Y-%m-%d %H%M", time.localtime(autosave.stat().st_mtime))
    for n in range(1, 1000):
        suffix = "" if n == 1 else f" {n}"
        target = project_path.with_name(f"{project_path.stem} (autosave {stamp}{suffix})"
                                         f"{project_path.suffix}")
        if target.exists():
            continue
        try:
            os.link(autosave, target)  # never replaces a file that appeared meanwhile
        except FileExistsError:
            continue
        except OSError:
            if target.exists():
                continue
            shutil.copy2(autosave, target)
        autosave.unlink(missing_ok=True)
        return target
    raise ProjectError(f"{autosave}: no free name to keep it under beside {project_path}")
