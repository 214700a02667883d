"""The project: every layer, the settings and the scenarios, in one GeoPackage file.

The file is a plain GeoPackage that QGIS opens as it is: one spatial table per
layer, plus three attribute tables registered in ``gpkg_contents``:
``gp_meta`` (format marker and version), ``gp_settings`` (one JSON value per key)
and ``gp_scenarios`` (one JSON document per scenario). Result layers the user kept
and whole-layer scenario variants are further spatial tables, named freely.

Saving is atomic: everything is written to a temporary file in the same folder,
flushed to disk, then moved over the old file in one ``os.replace``; a crash or a
kill at any moment leaves either the old or the new file, never a broken one.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
from pyproj import CRS

from gridplanner import __version__
from gridplanner.errors import ProjectError
from gridplanner.feedback import Feedback, report
from gridplanner.settings import Settings
from layers.errors import GridPlannerError, Problem, SchemaError
from layers.io import _gpkg_safe, atomic_target
from layers.schema import LAYER_NAMES, SCHEMAS
from layers.validate import validate

FORMAT_NAME = "gridplanner-project"
FORMAT_VERSION = 1
_GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
_META_TABLES = ("gp_meta", "gp_settings", "gp_scenarios")

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
        code = self.config.analysis_crs
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

    Returns
    -------
    Path
        Where it was written; ``project.path`` is set to it.

    Raises
    ------
    ProjectError
        When the file cannot be written; the previous file is untouched.
    """
    target = Path(path) if path is not None else project.path
    if target is None:
        raise ProjectError("the project has no file yet: choose where to save it")
    target = target.resolve()
    _remove_stale_temporaries(target)
    try:
        with atomic_target(target) as tmp:
            _write_all(project, tmp, feedback)
    except GridPlannerError:
        raise
    except Exception as exc:
        raise ProjectError(f"{target}: could not save the project ({exc}); "
                           "the previous file is unchanged") from exc
    project.path = target
    return target


def _remove_stale_temporaries(target: Path) -> None:
    # SQLite may leave -journal/-wal/-shm files beside a killed temporary.
    for stale in target.parent.glob(f".{target.stem}.tmp-*"):
        pid = stale.name.split(".tmp-", 1)[1].split(".", 1)[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            stale.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # Our own pid: a temporary left by an earlier failed save in this process.
    return pid != os.getpid()


def _write_all(project: Project, tmp: Path, feedback: Feedback | None) -> None:
    tmp.unlink(missing_ok=True)
    names = [n for n in LAYER_NAMES if n in project.layers] + sorted(project.extra_layers)
    frames = {**project.layers, **project.extra_layers}
    for i, name in enumerate(names):
        report(feedback, i / max(len(names), 1), f"saving {name}")
        _write_frame(frames[name], tmp, name)
    if not names:
        _create_empty_geopackage(tmp)
    with sqlite3.connect(tmp) as con:
        _write_tables(con, project)
    report(feedback, 1.0, "saved")


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
    with sqlite3.connect(path) as con:
        con.execute("DROP TABLE IF EXISTS _empty")
        for table in ("gpkg_contents", "gpkg_geometry_columns"):
            con.execute(f"DELETE FROM {table} WHERE table_name = '_empty'")


def _write_tables(con: sqlite3.Connection, project: Project) -> None:
    con.execute("CREATE TABLE gp_meta (key TEXT PRIMARY KEY, value TEXT)")
    con.executemany(
        "INSERT INTO gp_meta VALUES (?, ?)",
        [("format", FORMAT_NAME), ("format_version", str(FORMAT_VERSION)),
         ("written_by", f"gridplanner {__version__}")],
    )
    con.execute("CREATE TABLE gp_settings (key TEXT PRIMARY KEY, value TEXT)")
    con.executemany(
        "INSERT INTO gp_settings VALUES (?, ?)",
        [(k, json.dumps(v, ensure_ascii=False)) for k, v in project.settings.items()],
    )
    con.execute("CREATE TABLE gp_scenarios (name TEXT PRIMARY KEY, document TEXT)")
    con.executemany(
        "INSERT INTO gp_scenarios VALUES (?, ?)",
        [(k, json.dumps(v, ensure_ascii=False)) for k, v in project.scenarios.items()],
    )
    con.executemany(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
        "VALUES (?, 'attributes', ?, ?)",
        [(t, t, "GridPlanner project data") for t in _META_TABLES],
    )


def open_project(path: str | Path, *, feedback: Feedback | None = None) -> Project:
    """Open a project file written by :func:`save_project`.

    Raises
    ------
    ProjectError
        When the file is missing, not a GeoPackage, not a GridPlanner project,
        damaged, or holds layers that break their schema (every problem listed).
    """
    path = Path(path)
    meta, settings, scenarios = _read_tables(path)
    version = int(meta.get("format_version", "0") or 0)
    if version > FORMAT_VERSION:
        raise ProjectError(f"{path}: written by a newer GridPlanner (format {version}); "
                           "update GridPlanner to open it")
    try:
        listed = [(str(r[0]), r[1]) for r in pyogrio.list_layers(path)]
    except Exception as exc:
        raise ProjectError(f"{path}: the GeoPackage is damaged ({exc})") from exc
    project = Project(settings=settings, scenarios=scenarios, path=path.resolve())
    project.warnings.extend(Settings.read(settings, source=str(path))[1])
    spatial = [name for name, gtype in listed if gtype is not None and name not in _META_TABLES]
    problems: list[Problem] = []
    for i, name in enumerate(spatial):
        report(feedback, i / max(len(spatial), 1), f"reading {name}")
        try:
            frame = pyogrio.read_dataframe(path, layer=name)
        except Exception as exc:
            raise ProjectError(f"{path}: layer {name} cannot be read ({exc})") from exc
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
    report(feedback, 1.0, "opened")
    return project


def _read_tables(
    path: Path,
) -> tuple[dict[str, str], dict[str, Any], dict[str, dict[str, Any]]]:
    if not path.exists():
        raise ProjectError(f"{path}: file not found")
    with path.open("rb") as fh:
        header = fh.read(16)
    if header != b"SQLite format 3\x00":
        raise ProjectError(f"{path}: not a GeoPackage project file (open a .gpkg saved by "
                           "GridPlanner, or build one with 'gridplanner import')")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            if "gp_meta" not in tables:
                raise ProjectError(
                    f"{path}: a GeoPackage, but not a GridPlanner project; build a project "
                    f"from its layers with 'gridplanner import OUT.gpkg --grids {path} ...'"
                )
            meta = dict(con.execute("SELECT key, value FROM gp_meta").fetchall())
            if meta.get("format") != FORMAT_NAME:
                raise ProjectError(f"{path}: not a GridPlanner project file")
            settings = {k: json.loads(v) for k, v in
                        con.execute("SELECT key, value FROM gp_settings").fetchall()}
            scenarios = {k: json.loads(v) for k, v in
                         con.execute("SELECT name, document FROM gp_scenarios").fetchall()}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{path}: the file is damaged ({exc}); open the autosave or a "
                           "backup instead") from exc
    except json.JSONDecodeError as exc:
        raise ProjectError(f"{path}: settings or scenarios are damaged ({exc})") from exc
    return meta, settings, scenarios


def autosave_path(path: Path) -> Path:
    """Where the app keeps the autosave of the project saved at ``path``."""
    return path.with_name(f".{path.stem}.autosave.gpkg")
