"""Column and value mapping: read files whose columns carry other names.

A planner's files arrive with their own column names (DataV/Amap ``adcode``, a
register's ``户数``) and their own spellings of values (``专职网格员``). A
:class:`ImportMapping` says, per layer, which file column gives which schema column
and which values stand for which; :func:`apply_mapping` applies it to a table as
read, before validation. The command line (``--column``, ``--value``,
``--mapping``) and the app's import dialog build the same object and share the
same JSON file::

    {"format": "gridplanner-mapping", "version": 1,
     "layers": {"service_areas": {"columns": {"area_id": "adcode"},
                                  "values": {"level": {"区": "district"}}}}}

Columns not named in a mapping are still matched by the schema's aliases.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from layers.errors import Problem, ReadError, SchemaError
from layers.schema import LAYER_NAMES, LayerSchema, schema_for
from layers.small_files import read_small_file
from layers.validate import validate

#: The ``format`` field of a mapping file.
FORMAT = "gridplanner-mapping"
VERSION = 1
#: Largest mapping file read (a mapping is a few hundred bytes).
_MAX_BYTES = 1024**2


@dataclass(frozen=True)
class LayerMapping:
    """How one file's columns and values become one layer's.

    Parameters
    ----------
    columns
        Schema column -> file column it is read from; ``""``: from none (a file
        column whose name or alias would match it is kept aside as ``NAME_file``).
    values
        Column -> {value in the file -> value meant}.
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        """Whether the mapping changes anything."""
        return bool(self.columns) or any(self.values.values())

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary as written to the JSON file (empty parts left out)."""
        out: dict[str, Any] = {}
        if self.columns:
            out["columns"] = dict(self.columns)
        values = {c: dict(v) for c, v in self.values.items() if v}
        if values:
            out["values"] = values
        return out


@dataclass(frozen=True)
class ImportMapping:
    """Mappings of several layers, keyed by schema layer name."""

    layers: Mapping[str, LayerMapping] = field(default_factory=dict)

    def __bool__(self) -> bool:
        """Whether any layer's mapping changes anything."""
        return any(self.layers.values())

    def for_layer(self, name: str) -> LayerMapping:
        """Return the mapping of layer ``name`` (empty when none was given)."""
        return self.layers.get(schema_for(name).name, LayerMapping())

    def with_layer(self, name: str, mapping: LayerMapping) -> ImportMapping:
        """Return a copy with layer ``name``'s mapping replaced."""
        layers = dict(self.layers)
        layers[schema_for(name).name] = mapping
        return ImportMapping(layers)

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary as written to the JSON file."""
        return {"format": FORMAT, "version": VERSION,
                "layers": {n: m.to_dict() for n, m in self.layers.items() if m}}

    def to_json(self) -> str:
        """Return the mapping file's text (UTF-8, Chinese kept readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- building


def _layer_schema(name: str, *, given: str) -> LayerSchema:
    try:
        return schema_for(name.replace("-", "_"))  # service-areas as the flag spells it
    except KeyError:
        raise SchemaError(f"{given}: unknown layer '{name}'; layers are "
                          f"{', '.join(LAYER_NAMES)}") from None


def _schema_column(schema: LayerSchema, name: str, *, given: str) -> str:
    if name in schema.column_names:
        return name
    for col in schema.columns:  # an alias (网格编码) names the column too
        if name.lower() in (n.lower() for n in col.match_names):
            return col.name
    raise SchemaError(f"{given}: layer {schema.name} has no column '{name}'; its columns are "
                      f"{', '.join(schema.column_names)}")


def parse_column_flag(text: str) -> tuple[str, str, str]:
    """Split ``LAYER:TARGET=SOURCE`` into layer, schema column and file column.

    An empty ``SOURCE`` (``grids:name=``) leaves the column empty even where a file
    column's name would match it.

    Raises
    ------
    SchemaError
        Naming the flag value when its form, layer or target column is wrong.

    Examples
    --------
    >>> parse_column_flag("service_areas:area_id=adcode")
    ('service_areas', 'area_id', 'adcode')
    >>> parse_column_flag("住户:households=户数")
    ('households', 'households', '户数')
    """
    given = f"--column {text}"
    head, eq, source = text.partition("=")
    layer, colon, target = head.partition(":")
    if not (eq and colon and layer.strip() and target.strip()):
        raise SchemaError(f"{given}: write it as LAYER:COLUMN=FILE_COLUMN, e.g. "
                          "service_areas:area_id=adcode")
    schema = _layer_schema(layer.strip(), given=given)
    return schema.name, _schema_column(schema, target.strip(), given=given), source.strip()


def parse_value_flag(text: str) -> tuple[str, str, str, str]:
    """Split ``LAYER:COLUMN:FROM=TO`` into layer, schema column, file value and value meant.

    Examples
    --------
    >>> parse_value_flag("staff:role:专职网格员=full_time")
    ('staff', 'role', '专职网格员', 'full_time')
    """
    given = f"--value {text}"
    head, eq, to = text.partition("=")
    parts = head.split(":", 2)
    if not eq or len(parts) != 3 or not all(p.strip() for p in parts[:2]) \
            or not parts[2].strip():
        raise SchemaError(f"{given}: write it as LAYER:COLUMN:VALUE=MEANT, e.g. "
                          "staff:role:专职网格员=full_time")
    schema = _layer_schema(parts[0].strip(), given=given)
    column = _schema_column(schema, parts[1].strip(), given=given)
    _check_value(schema, column, to.strip(), given=given)
    return schema.name, column, parts[2].strip(), to.strip()


def _check_value(schema: LayerSchema, column: str, value: str, *, given: str) -> None:
    col = schema.column(column)
    if col.choices is None or value == "":
        return
    known = {str(c) for c in col.choices} | set(col.value_aliases)
    if value not in known:
        raise SchemaError(f"{given}: '{value}' is not a value of {schema.name}.{column}; use "
                          f"one of {', '.join(map(str, col.choices))}")


def mapping_from_flags(
    *,
    columns: Iterable[str] = (),
    values: Iterable[str] = (),
    base: ImportMapping | None = None,
) -> ImportMapping:
    """Build a mapping from ``--column`` and ``--value`` flag values, over ``base``.

    Flags given on the command line override what a mapping file says for the same
    layer and column.

    Examples
    --------
    >>> m = mapping_from_flags(columns=["service_areas:area_id=adcode"],
    ...                        values=["service_areas:level:区=district"])
    >>> m.for_layer("service_areas").columns
    {'area_id': 'adcode'}
    """
    cols: dict[str, dict[str, str]] = {}
    vals: dict[str, dict[str, dict[str, str]]] = {}
    for name, m in (base.layers if base else {}).items():
        cols[name] = dict(m.columns)
        vals[name] = {c: dict(v) for c, v in m.values.items()}
    for text in columns:
        layer, target, source = parse_column_flag(text)
        cols.setdefault(layer, {})[target] = source
    for text in values:
        layer, column, old, new = parse_value_flag(text)
        vals.setdefault(layer, {}).setdefault(column, {})[old] = new
    names = [n for n in LAYER_NAMES if n in cols or n in vals]
    return ImportMapping({n: LayerMapping(cols.get(n, {}), vals.get(n, {})) for n in names})


def mapping_from_dict(data: Any, *, source: str = "mapping") -> ImportMapping:
    """Read the mapping file's structure, checking every layer, column and value.

    Raises
    ------
    SchemaError
        Naming the file and the entry at fault.
    """
    if not isinstance(data, dict) or not isinstance(data.get("layers", {}), dict):
        raise SchemaError(f"{source}: not a column mapping (expected an object with "
                          "\"layers\")")
    if data.get("format", FORMAT) != FORMAT:
        raise SchemaError(f"{source}: format '{data.get('format')}' is not {FORMAT}")
    columns: list[str] = []
    values: list[str] = []
    for layer, entry in data.get("layers", {}).items():
        if not isinstance(entry, dict):
            raise SchemaError(f"{source}: layer '{layer}' must map to an object with "
                              "\"columns\" and \"values\"")
        for target, src in (entry.get("columns") or {}).items():
            if src is None:
                src = ""
            if not isinstance(src, str):
                raise SchemaError(f"{source}: {layer}.{target} must name a file column as text")
            columns.append(f"{layer}:{target}={src}")
        for column, table in (entry.get("values") or {}).items():
            if not isinstance(table, dict):
                raise SchemaError(f"{source}: values of {layer}.{column} must be an object")
            values += [f"{layer}:{column}:{old}={new}" for old, new in table.items()]
    try:
        return mapping_from_flags(columns=columns, values=values)
    except SchemaError as exc:
        message = exc.message.replace("--column ", "").replace("--value ", "")
        raise SchemaError(f"{source}: {message}") from None


def load_mapping(path: str | Path) -> ImportMapping:
    """Read a mapping JSON file written by :meth:`ImportMapping.to_json` or by hand."""
    path = Path(path)
    raw = read_small_file(path, limit_bytes=_MAX_BYTES, what="a column mapping")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ReadError(f"{path}: not a readable JSON mapping ({exc})") from exc
    return mapping_from_dict(data, source=str(path))


def save_mapping(mapping: ImportMapping, path: str | Path) -> Path:
    """Write ``mapping`` as JSON to ``path``, replacing it in one step."""
    from layers.io import atomic_target  # layers.io reads through this module

    path = Path(path)
    with atomic_target(path) as tmp:
        tmp.write_text(mapping.to_json(), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- applying


def apply_mapping(
    frame: gpd.GeoDataFrame,
    layer: str | LayerSchema,
    mapping: LayerMapping | None,
    *,
    source: str = "",
) -> gpd.GeoDataFrame:
    """Return ``frame`` with the mapped columns renamed and the mapped values replaced.

    A schema column already in the file that a mapping takes from another column
    is kept as ``NAME_file``. Values are compared as text (``7`` and ``7.0`` are
    one value), so a numeric code can be mapped too; unmapped values are left as
    they are for validation to judge.

    Raises
    ------
    SchemaError
        When a mapped file column is not in the file, listing the file's columns.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> gdf = gpd.GeoDataFrame({"adcode": [330702], "level": ["区"]},
    ...                        geometry=[shapely.box(0, 0, 1, 1)])
    >>> m = LayerMapping({"area_id": "adcode"}, {"level": {"区": "district"}})
    >>> apply_mapping(gdf, "service_areas", m)[["area_id", "level"]].values.tolist()
    [[330702, 'district']]
    """
    schema = layer if isinstance(layer, LayerSchema) else schema_for(layer)
    if not mapping:
        return frame
    geometry = frame.geometry.name
    present = [str(c) for c in frame.columns if c != geometry]
    problems = [
        Problem(f"mapping {schema.name}:{target}={src}: the file has no column '{src}'; its "
                f"columns are {', '.join(present) or '(none)'}", layer=schema.name,
                column=target, source=source,
                hint=f"map one of those columns to {target}, e.g. --column "
                f"{schema.name}:{target}={present[0] if present else 'COLUMN'}")
        for target, src in mapping.columns.items() if src and src not in present
    ]
    if problems:
        raise SchemaError.from_problems(problems)
    out = frame.copy()
    out.columns = [c if c == geometry else str(c) for c in out.columns]
    taken = {t: s for t, s in mapping.columns.items() if s}
    moved = {t: f"{t}_file" for t, s in taken.items() if t in present and s != t}
    # Columns left empty on purpose: move aside what validation would read for them.
    unused = [t for t, s in mapping.columns.items() if not s]
    if unused:
        found = suggest_columns(present, schema)
        for target in unused:
            held = found.get(target)
            if held is not None and held not in taken.values():
                moved[held] = f"{held}_file"
    new_columns = {t: out[s] for t, s in taken.items()}
    sources = set(taken.values()) - set(taken)
    out = out.drop(columns=[s for s in sources if s in out.columns]).rename(columns=moved)
    for target, values in new_columns.items():
        out[target] = values.to_numpy()
    for column, table in mapping.values.items():
        if not table:
            continue
        # The column as named in the file, or the one its aliases match.
        held = column if column in out.columns else suggest_columns(
            [c for c in out.columns if c != geometry], schema).get(column)
        if held is None:
            raise SchemaError.from_problems([Problem(
                f"values of {column} are mapped but the file has no {column} column; its "
                f"columns are {', '.join(present) or '(none)'}", layer=schema.name,
                column=column, source=source,
                hint=f"map a file column to it too, e.g. --column {schema.name}:{column}=COLUMN")])
        out[held] = _map_values(out[held], table)
    return out


def _map_values(values: pd.Series, table: Mapping[str, str]) -> pd.Series:
    text = values.map(_value_text)
    mapped = text.map(dict(table))
    hit = mapped.notna().to_numpy()
    if not hit.any():
        return values
    out = values.astype(object).copy()
    out[hit] = mapped[hit]
    return out


def _value_text(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, float) and v.is_integer():
        return f"{v:.0f}"
    return str(v).strip()


# --------------------------------------------------------------------------- suggestions


def suggest_columns(columns: Iterable[str], layer: str | LayerSchema) -> dict[str, str | None]:
    """Map each schema column to the file column its name or aliases match (or None).

    This is what validation would take by itself; the import dialog starts from it.

    Examples
    --------
    >>> suggest_columns(["网格编码", "名称", "x"], "grids")["grid_id"]
    '网格编码'
    """
    schema = layer if isinstance(layer, LayerSchema) else schema_for(layer)
    names = [str(c) for c in columns]
    by_key: dict[str, str] = {}
    for c in names:
        by_key.setdefault(c.strip().lower(), c)
    used: set[str] = set()
    out: dict[str, str | None] = {}
    for col in schema.columns:
        hit = None
        if col.name in names:
            hit = col.name
        else:
            for n in col.match_names:
                found = by_key.get(n.lower())
                if found is not None and found not in used and found not in schema.column_names:
                    hit = found
                    break
        if hit is not None:
            used.add(hit)
        out[col.name] = hit
    return out


def column_signature(columns: Iterable[str]) -> str:
    """Return a short key of a file's column set (each month's register has the same).

    Examples
    --------
    >>> column_signature(["b", "a"]) == column_signature(["a", "b", "geometry"])
    True
    """
    names = sorted({str(c) for c in columns} - {"geometry"})
    return hashlib.sha1("\x1f".join(names).encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- preview


@dataclass(frozen=True)
class Preview:
    """The first rows of a file as the layer would read them, and what is wrong.

    Attributes
    ----------
    frame
        The schema's columns (validated and typed when the rows pass, else as the
        file holds them after the mapping), without geometry.
    problems
        Errors and warnings of these rows; rows are counted from the first.
    """

    frame: pd.DataFrame
    problems: list[Problem]


def preview_mapping(
    head: gpd.GeoDataFrame,
    layer: str | LayerSchema,
    mapping: LayerMapping | None,
    *,
    source: str = "",
) -> Preview:
    """Apply ``mapping`` to the first rows of a file and validate them.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> head = gpd.GeoDataFrame({"adcode": [330702], "level": ["区"]},
    ...                         geometry=[shapely.box(0, 0, 9, 9)], crs=4549)
    >>> p = preview_mapping(head, "service_areas", LayerMapping({"area_id": "adcode"}))
    >>> p.frame[["area_id", "level"]].values.tolist(), p.problems
    ([['330702', 'district']], [])
    """
    schema = layer if isinstance(layer, LayerSchema) else schema_for(layer)
    try:
        mapped = apply_mapping(head, schema, mapping, source=source)
    except SchemaError as exc:
        return Preview(pd.DataFrame(columns=schema.column_names), list(exc.problems))
    try:
        result = validate(mapped, schema, source=source)
    except SchemaError as exc:
        taken = suggest_columns([c for c in mapped.columns if c != mapped.geometry.name],
                                schema)
        raw = pd.DataFrame({t: mapped[s].to_numpy() if s is not None
                            else [None] * len(mapped) for t, s in taken.items()})
        return Preview(raw, list(exc.problems))
    return Preview(pd.DataFrame(result.frame[schema.column_names]), result.warnings)


def values_to_map(
    frame: gpd.GeoDataFrame,
    layer: str | LayerSchema,
    mapping: LayerMapping | None,
    *,
    limit: int = 50,
) -> dict[str, list[str]]:
    """Values of list columns that validation would not accept, or that are mapped.

    For each schema column with a list of allowed values (``kind``, ``role``,
    ``level`` ...), the distinct values of ``frame`` (as in the file) that are
    neither allowed nor a known spelling of one, plus those ``mapping`` maps.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> f = gpd.GeoDataFrame({"staff_id": ["a", "b", "c"], "role": ["组长", "网格长", "组长"]},
    ...                      geometry=shapely.points([(0, 0)] * 3))
    >>> values_to_map(f, "staff", None)
    {'role': ['组长']}
    """
    schema = layer if isinstance(layer, LayerSchema) else schema_for(layer)
    columns_only = LayerMapping(mapping.columns) if mapping else None
    mapped = apply_mapping(frame, schema, columns_only)
    names = [c for c in mapped.columns if c != mapped.geometry.name]
    found = suggest_columns(names, schema)
    out: dict[str, list[str]] = {}
    for col in schema.columns:
        if col.choices is None:
            continue
        held = col.name if col.name in names else found.get(col.name)
        explicit = mapping.values.get(col.name, {}) if mapping else {}
        if held is None:
            continue
        accepted = {str(c).lower() for c in col.choices} | {k.lower() for k in col.value_aliases}
        seen = [v for v in dict.fromkeys(mapped[held].map(_value_text)) if v]
        wanted = [v for v in seen if v.lower() not in accepted or v in explicit]
        if wanted:
            out[col.name] = wanted[:limit]
    return out
