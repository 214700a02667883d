"""Scenarios: named variants of the base data, stored inside the project file.

A scenario changes some layers (staff roster, grids, cameras, ...) and some
analysis parameters (band, capacities, walking cutoff, camera defaults, costs).
The base data itself is the scenario called ``current``.

Each scenario is one JSON document in the project's ``gp_scenarios`` table.
A changed layer is kept in whichever form is smaller and stays exact:

- as a *difference* against the base layer (rows added, removed and changed,
  identified by the layer's id column, geometry as exact hex WKB) when the
  layer has unique ids and few rows change, e.g. 20 staff added or 5 moved;
- as a *whole table* (an extra spatial table ``scenario__<slug>__<layer>`` in the
  same GeoPackage, which QGIS shows as it is) when ids are not unique, much of
  the layer changes, or the layer is ``grids`` / ``service_areas`` (an alternative
  grid layer is a map users open on its own).

Applying a scenario builds a new :class:`~gridplanner.project.Project`; the base
project is never modified by it.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridplanner.context import AnalysisContext
from gridplanner.errors import ProjectError, SettingsError
from gridplanner.i18n import _
from gridplanner.project import Project, scenario_document_problem
from layers.errors import Problem, SchemaError
from layers.schema import SCHEMAS
from layers.validate import validate

#: Name of the base data seen as a scenario.
CURRENT = "current"
#: Other names users type for the base data.
CURRENT_ALIASES = frozenset({"current", "base", "baseline", "现状", "当前", "基础"})
DOCUMENT_FORMAT = 1
TABLE_PREFIX = "scenario__"
#: Above this share of changed rows a layer is stored whole rather than as a diff.
_WHOLE_TABLE_SHARE = 0.5
#: Diffs this small are always kept as diffs, whatever the share.
_ALWAYS_DIFF_ROWS = 25
#: Diffs never grow past this many rows: JSON is a poor store for bulk geometry.
_MAX_DIFF_ROWS = 2000
#: Layers kept whole whenever they change: an alternative grid layer is a map the
#: user wants to open in QGIS as it is, and grids are few compared with households.
_WHOLE_LAYERS = frozenset({"grids", "service_areas"})
#: Layers a scenario may change.
SCENARIO_LAYERS = ("staff", "grids", "cameras", "households", "facilities", "service_areas",
                   "roads", "buildings")


@dataclass(frozen=True)
class LayerChange:
    """How one layer differs in a scenario.

    Parameters
    ----------
    layer
        Layer name (``staff``, ``grids`` ...).
    mode
        ``"diff"`` or ``"table"``.
    added, changed
        Whole records (column -> JSON value, geometry as hex WKB under ``wkb``, or
        as WKT under ``geometry`` in hand-written documents) of rows that are
        new or differ from the base row with the same id (diff mode).
    removed
        Ids of base rows the scenario drops (diff mode).
    table
        Name of the extra table holding the whole layer (table mode).
    """

    layer: str
    mode: str
    added: tuple[dict[str, Any], ...] = ()
    changed: tuple[dict[str, Any], ...] = ()
    removed: tuple[str, ...] = ()
    table: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form stored in the project file."""
        if self.mode == "table":
            return {"mode": "table", "table": self.table}
        return {"mode": "diff", "added": list(self.added), "changed": list(self.changed),
                "removed": list(self.removed)}

    @classmethod
    def from_json(cls, layer: str, doc: Mapping[str, Any]) -> LayerChange:
        """Read the stored JSON form."""
        mode = str(doc.get("mode", "diff"))
        if mode == "table":
            return cls(layer, "table", table=str(doc.get("table", "")))
        return cls(layer, "diff", added=tuple(doc.get("added") or ()),
                   changed=tuple(doc.get("changed") or ()),
                   removed=tuple(str(v) for v in doc.get("removed") or ()))

    @property
    def size(self) -> int:
        """Rows touched (diff mode); 0 for a whole table."""
        return len(self.added) + len(self.changed) + len(self.removed)


@dataclass(frozen=True)
class Scenario:
    """A named variant: changed layers plus parameter overrides.

    Parameters
    ----------
    name
        Unique name within the project (any text, Chinese is fine).
    description
        Free text shown in reports.
    changes
        Changed layers by layer name.
    parameters
        Settings that differ from the project's (``band``, ``capacity_defaults``,
        ``walk_cutoff_m``, ``camera_defaults``, ``role_cost_yuan`` ...); nested
        dicts are merged key by key over the project's settings.
    created
        ISO time the scenario was stored.
    """

    name: str
    description: str = ""
    changes: Mapping[str, LayerChange] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    created: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the document stored in ``gp_scenarios``."""
        return {
            "format": DOCUMENT_FORMAT,
            "name": self.name,
            "description": self.description,
            "created": self.created,
            "parameters": copy.deepcopy(dict(self.parameters)),
            "layers": {k: v.to_json() for k, v in self.changes.items()},
        }

    @classmethod
    def from_json(cls, name: str, doc: Mapping[str, Any]) -> Scenario:
        """Read a stored document; raises ProjectError when it is not one."""
        why = scenario_document_problem(doc)
        if why is not None:
            raise ProjectError(f"scenario '{name}': the stored document cannot be read "
                               f"({why}); delete the scenario and create it again")
        version = int(doc.get("format", DOCUMENT_FORMAT) or DOCUMENT_FORMAT)
        if version > DOCUMENT_FORMAT:
            raise ProjectError(f"scenario '{name}' was written by a newer GridPlanner "
                               f"(format {version}); update GridPlanner to use it")
        layers_doc = doc.get("layers", {}) or {}
        changes = {str(k): LayerChange.from_json(str(k), v) for k, v in layers_doc.items()}
        return cls(name=name, description=str(doc.get("description", "") or ""),
                   changes=changes, parameters=dict(doc.get("parameters", {}) or {}),
                   created=str(doc.get("created", "") or ""))


def is_current(name: str) -> bool:
    """Return True when ``name`` means the base data.

    Examples
    --------
    >>> is_current("现状"), is_current("plan B")
    (True, False)
    """
    return name.strip().lower() in CURRENT_ALIASES


def scenario_names(project: Project) -> list[str]:
    """Return ``current`` followed by the stored scenarios in stored order."""
    return [CURRENT, *project.scenarios]


def get_scenario(project: Project, name: str) -> Scenario:
    """Return the stored scenario ``name`` (``current`` gives an empty scenario).

    Raises
    ------
    ProjectError
        When no scenario has that name (the message lists the names there are).
    """
    if is_current(name):
        return Scenario(name=CURRENT, description=_("base data"))
    if name not in project.scenarios:
        known = ", ".join(scenario_names(project))
        raise ProjectError(f"no scenario called '{name}' in the project; scenarios: {known}")
    return Scenario.from_json(name, project.scenarios[name])


def slugify(name: str) -> str:
    """Return a table-name-safe ASCII slug; non-ASCII names get a short stable hash.

    Examples
    --------
    >>> slugify("Plan B (2025)")
    'plan_b_2025'
    >>> slugify("增加20名专职")
    's20_b4d2cc94'
    """
    ascii_part = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if ascii_part and name.isascii():
        return ascii_part[:40]
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return f"s{ascii_part[:30]}_{digest}" if ascii_part else f"s_{digest}"


def table_name(scenario: str, layer: str) -> str:
    """Name of the extra table holding a scenario's whole ``layer``."""
    return f"{TABLE_PREFIX}{slugify(scenario)}__{layer}"


# --------------------------------------------------------------------------- build


def make_scenario(
    project: Project,
    name: str,
    *,
    layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    parameters: Mapping[str, Any] | None = None,
    description: str = "",
) -> tuple[Scenario, dict[str, gpd.GeoDataFrame]]:
    """Describe the variant ``layers`` + ``parameters`` as a scenario of ``project``.

    Each given layer is compared with the base layer and kept as a diff or as a
    whole table, whichever is smaller and exact. Nothing is stored.

    Parameters
    ----------
    project
        The base data.
    name
        Scenario name; ``current`` and its aliases are reserved.
    layers
        Whole variant layers by name (e.g. a staff roster with 20 new rows, a
        balanced grid proposal). Layers equal to the base are left out.
    parameters
        Settings overrides (``{"band": {"urban": [250, 450]}}`` ...).
    description
        Free text.

    Returns
    -------
    (Scenario, dict)
        The scenario and the whole tables it needs (table name -> frame).

    Raises
    ------
    ProjectError
        For a reserved or empty name, an unknown layer, or a layer that breaks
        its schema (every problem listed).
    SettingsError
        For a parameter that is no setting, or a value outside its range.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from gridplanner.project import Project, scenario_document_problem
    >>> staff = gpd.GeoDataFrame({"staff_id": ["a"], "role": ["full_time"]},
    ...                          geometry=[shapely.Point(0, 0)], crs=3857)
    >>> p = Project(layers={"staff": validate(staff, "staff").frame})
    >>> more = pd.concat([p.layers["staff"], p.layers["staff"].assign(staff_id="b")])
    >>> sc, tables = make_scenario(p, "plus one", layers={"staff": more})
    >>> [r["staff_id"] for r in sc.changes["staff"].added], tables
    (['b'], {})
    """
    _check_name(name)
    changes: dict[str, LayerChange] = {}
    tables: dict[str, gpd.GeoDataFrame] = {}
    for layer, frame in (layers or {}).items():
        if layer not in SCENARIO_LAYERS:
            raise ProjectError(f"scenario '{name}': layer '{layer}' cannot be varied; "
                               f"use one of {', '.join(SCENARIO_LAYERS)}")
        variant = _validated(frame, layer, name)
        base = project.layer(layer)
        if project.crs is not None and variant.crs is not None and variant.crs != project.crs:
            variant = variant.to_crs(project.crs)
        change = _diff(base, variant, layer, name)
        if change is None:
            tname = table_name(name, layer)
            changes[layer] = LayerChange(layer, "table", table=tname)
            tables[tname] = variant
        elif change.size:
            changes[layer] = change
    params = _json_clean(dict(parameters or {}))
    try:
        project.config.updated(**params)  # each value within its setting's range
    except SettingsError as exc:
        raise SettingsError(f"scenario '{name}': {exc.message}", exc.problems) from exc
    created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    return Scenario(name=name, description=description, changes=changes,
                    parameters=params, created=created), tables


def store_scenario(
    project: Project, scenario: Scenario, tables: Mapping[str, gpd.GeoDataFrame] | None = None,
    *, replace: bool = False,
) -> None:
    """Put ``scenario`` (and its whole tables) into ``project``; save to keep it.

    This is an edit of the project, so it changes ``project`` in place and emits
    ``scenarios_changed``.

    Raises
    ------
    ProjectError
        When a scenario of that name exists and ``replace`` is false.
    """
    _check_name(scenario.name)
    if scenario.name in project.scenarios and not replace:
        raise ProjectError(f"a scenario called '{scenario.name}' exists already; choose "
                           "another name or replace it")
    if scenario.name in project.scenarios:
        _drop_tables(project, scenario.name)
    for tname, frame in (tables or {}).items():
        project.extra_layers[tname] = frame
    project.scenarios[scenario.name] = scenario.to_json()
    project.emit("scenarios_changed", scenario.name)


def save_scenario(
    project: Project,
    name: str,
    *,
    layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    parameters: Mapping[str, Any] | None = None,
    description: str = "",
    replace: bool = False,
) -> Scenario:
    """:func:`make_scenario` then :func:`store_scenario`; returns the scenario."""
    scenario, tables = make_scenario(project, name, layers=layers, parameters=parameters,
                                     description=description)
    store_scenario(project, scenario, tables, replace=replace)
    return scenario


def delete_scenario(project: Project, name: str) -> None:
    """Remove a stored scenario and its whole tables from ``project``.

    Raises
    ------
    ProjectError
        When there is no such scenario or ``name`` is ``current``.
    """
    if is_current(name):
        raise ProjectError("the current data is not a stored scenario and cannot be deleted")
    if name not in project.scenarios:
        get_scenario(project, name)  # raises with the list of names
    _drop_tables(project, name)
    del project.scenarios[name]
    project.emit("scenarios_changed", name)


def _drop_tables(project: Project, name: str) -> None:
    old = Scenario.from_json(name, project.scenarios[name])
    for change in old.changes.values():
        if change.mode == "table":
            project.extra_layers.pop(change.table, None)


def _check_name(name: str) -> None:
    if not name or not name.strip():
        raise ProjectError("a scenario needs a name")
    if is_current(name):
        raise ProjectError(f"'{name}' is the name of the base data; choose another name")


# --------------------------------------------------------------------------- apply


def apply_scenario(project: Project, scenario: str | Scenario) -> Project:
    """Return a new project holding the base data with ``scenario`` applied.

    Parameters
    ----------
    project
        The base project (not modified).
    scenario
        A stored scenario's name, ``current``, or a :class:`Scenario`.

    Returns
    -------
    Project
        Layers and settings of the variant, no scenarios, no file path. Rows a
        diff refers to that the base data no longer has are listed in its
        ``warnings``.

    Raises
    ------
    ProjectError
        When the scenario is unknown, its whole table is missing, or its rows
        break the layer schema.

    Examples
    --------
    >>> derived = apply_scenario(Project(), "current")
    >>> derived.scenarios
    {}
    """
    sc = get_scenario(project, scenario) if isinstance(scenario, str) else scenario
    layers = dict(project.layers)
    warnings: list[Problem] = []
    for layer, change in sc.changes.items():
        if layer not in SCHEMAS:
            warnings.append(Problem(f"scenario '{sc.name}' changes unknown layer '{layer}'",
                                    severity="warning"))
            continue
        if change.mode == "table":
            layers[layer] = _table_layer(project, sc.name, change)
        else:
            frame, problems = _apply_diff(project.layer(layer), change, sc.name)
            layers[layer] = frame
            warnings.extend(problems)
    try:
        # A stored document may have been edited by hand: its values meet the ranges too.
        project.config.updated(**{str(k): v for k, v in sc.parameters.items()})
    except SettingsError as exc:
        raise SettingsError(f"scenario '{sc.name}': {exc.message}; change the parameter "
                            "or delete the scenario", exc.problems) from exc
    settings = _merge_settings(project.settings, sc.parameters)
    extra = {k: v for k, v in project.extra_layers.items() if not k.startswith(TABLE_PREFIX)}
    derived = Project(layers=layers, settings=settings, extra_layers=extra,
                      warnings=[*project.warnings, *warnings])
    # Unchanged layers are the same frames: their network and snapping carry over.
    AnalysisContext.of(derived).inherit(AnalysisContext.of(project))
    return derived


def _merge_settings(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(base))
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = copy.deepcopy(value)
    return out


def _table_layer(project: Project, name: str, change: LayerChange) -> gpd.GeoDataFrame:
    frame = project.extra_layers.get(change.table)
    if frame is None:
        raise ProjectError(f"scenario '{name}' keeps its {change.layer} layer in table "
                           f"'{change.table}', which the project file does not have; delete "
                           "the scenario and create it again")
    out = _validated(frame, change.layer, name)
    if project.crs is not None and out.crs is not None and out.crs != project.crs:
        out = out.to_crs(project.crs)
    return out


def _apply_diff(
    base: gpd.GeoDataFrame, change: LayerChange, name: str
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    id_col = SCHEMAS[change.layer].id_column
    assert id_col is not None
    problems: list[Problem] = []
    ids = base[id_col].astype(str)
    known = set(ids)
    for rid in change.removed:
        if rid not in known:
            problems.append(Problem(
                f"scenario '{name}' removes a row the base data does not have",
                layer=change.layer, feature_id=rid, column=id_col, severity="warning"))
    changed_ids = [str(r.get(id_col)) for r in change.changed]
    for rid in changed_ids:
        if rid not in known:
            problems.append(Problem(
                f"scenario '{name}' changes a row the base data does not have; added instead",
                layer=change.layer, feature_id=rid, column=id_col, severity="warning"))
    records = _records_frame([*change.changed, *change.added], base, change.layer, name)
    drop = ids.isin(set(change.removed) | set(changed_ids)).to_numpy()
    # Changed rows keep their base position so tables and maps stay in a stable order.
    order_base = np.flatnonzero(~drop).astype(float)
    position = {rid: float(i) for i, rid in enumerate(ids)}
    tail = float(len(base))
    order_new = np.array([position.get(str(r.get(id_col)), tail + i)
                          for i, r in enumerate([*change.changed, *change.added])], dtype=float)
    kept = base.loc[~drop]
    if len(records) == 0:
        return kept.reset_index(drop=True), problems
    parts = [f for f in (kept, records) if len(f)]
    merged = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    merged = gpd.GeoDataFrame(merged, geometry="geometry", crs=base.crs)
    order = np.concatenate([order_base, order_new]) if len(kept) else order_new
    merged = merged.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    return _validated(merged, change.layer, name), problems


def _records_frame(
    records: list[dict[str, Any]], base: gpd.GeoDataFrame, layer: str, name: str
) -> gpd.GeoDataFrame:
    if not records:
        return base.iloc[:0]
    table = pd.DataFrame.from_records(records)
    wkb = table.pop("wkb") if "wkb" in table else None
    wkt = table.pop("geometry") if "geometry" in table else None
    try:
        if wkb is not None:
            geoms = shapely.from_wkb(wkb.to_numpy(dtype=object), on_invalid="raise")
        elif wkt is not None:  # hand-written documents may use WKT
            geoms = shapely.from_wkt(wkt.to_numpy(dtype=object), on_invalid="raise")
        else:
            geoms = np.full(len(table), None, dtype=object)
    except (shapely.errors.GEOSException, TypeError, ValueError) as exc:
        raise ProjectError(f"scenario '{name}': a {layer} row has an unreadable geometry "
                           f"({exc}); delete the scenario and create it again") from exc
    frame = gpd.GeoDataFrame(table, geometry=geoms, crs=base.crs)
    return _validated(frame, layer, name)


def _validated(frame: gpd.GeoDataFrame, layer: str, name: str) -> gpd.GeoDataFrame:
    try:
        return validate(frame, layer, source=f"scenario '{name}'").frame
    except SchemaError as exc:
        raise ProjectError(f"scenario '{name}': its {layer} layer breaks the schema.\n"
                           f"{exc.message}", exc.problems) from exc


# --------------------------------------------------------------------------- diff


def _diff(
    base: gpd.GeoDataFrame, variant: gpd.GeoDataFrame, layer: str, name: str
) -> LayerChange | None:
    """Return a diff of ``variant`` against ``base``, or None when a whole table is better."""
    id_col = SCHEMAS[layer].id_column
    if id_col is None:
        return None
    if not _unique_ids(base, id_col) or not _unique_ids(variant, id_col):
        return None
    base_ids = base[id_col].astype(str)
    var_ids = variant[id_col].astype(str)
    removed = sorted(set(base_ids) - set(var_ids))
    added_mask = ~var_ids.isin(set(base_ids)).to_numpy()
    common = variant.loc[~added_mask]
    base_by_id = base.set_index(base_ids.to_numpy())
    aligned = base_by_id.loc[common[id_col].astype(str).to_numpy()]
    differs = _rows_differ(aligned, common, [c for c in SCHEMAS[layer].column_names
                                             if c in variant.columns or c in base.columns])
    n_touched = int(added_mask.sum()) + int(differs.sum())
    if n_touched and layer in _WHOLE_LAYERS:
        return None
    too_many = n_touched > _ALWAYS_DIFF_ROWS and (
        n_touched > _WHOLE_TABLE_SHARE * max(len(variant), 1) or n_touched > _MAX_DIFF_ROWS)
    if too_many:
        return None
    columns = [c for c in variant.columns if c != variant.geometry.name]
    added = _to_records(variant.loc[added_mask], columns)
    changed = _to_records(common.loc[differs], columns)
    return LayerChange(layer, "diff", added=tuple(added), changed=tuple(changed),
                       removed=tuple(removed))


def _unique_ids(frame: gpd.GeoDataFrame, id_col: str) -> bool:
    if id_col not in frame.columns:
        return False
    ids = frame[id_col]
    return bool(ids.notna().all() and ids.astype(str).is_unique)


def _rows_differ(
    base: gpd.GeoDataFrame, variant: gpd.GeoDataFrame, columns: list[str]
) -> np.ndarray:
    n = len(variant)
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return out
    a = np.asarray(base.geometry.to_numpy(), dtype=object)
    b = np.asarray(variant.geometry.to_numpy(), dtype=object)
    both_none = shapely.is_missing(a) & shapely.is_missing(b)
    out |= ~(both_none | shapely.equals_exact(a, b, tolerance=0.0))
    for col in columns:
        va = base[col] if col in base.columns else pd.Series([None] * n)
        vb = variant[col] if col in variant.columns else pd.Series([None] * n)
        va_arr = va.to_numpy(dtype=object, copy=True)
        vb_arr = vb.to_numpy(dtype=object, copy=True)
        na_a = pd.isna(va).to_numpy()
        na_b = pd.isna(vb).to_numpy()
        # pd.NA refuses ==; blank both sides' missing cells before comparing.
        va_arr[na_a] = None
        vb_arr[na_b] = None
        same = (na_a & na_b) | (~na_a & ~na_b & (va_arr == vb_arr))
        out |= ~same.astype(bool)
    return out


def _to_records(frame: gpd.GeoDataFrame, columns: list[str]) -> list[dict[str, Any]]:
    if len(frame) == 0:
        return []
    # WKB keeps every bit of the coordinates; WKT writers round them.
    wkb = shapely.to_wkb(np.asarray(frame.geometry.to_numpy(), dtype=object), hex=True)
    table = frame[columns]
    out = []
    for values, geom in zip(table.itertuples(index=False, name=None), wkb, strict=True):
        rec = {c: _json_value(v) for c, v in zip(columns, values, strict=True)}
        rec["wkb"] = geom
        out.append(rec)
    return out


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _json_clean(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_clean(v) for v in value]
    return _json_value(value)
