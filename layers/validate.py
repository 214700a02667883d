"""Validate a GeoDataFrame against its layer schema, collecting every problem.

The public :func:`validate` maps column aliases (refusing two columns with
different values that would both give one field), checks geometry (coordinates
must be finite; polygons are repaired and checked again after the repair),
coerces types (numbers must be finite and inside the column's range; ids and
codes are text, ``7.0`` reading as ``7``), fills defaults and checks values and
ids. Errors are collected for all rows and raised together as one
:class:`~layers.errors.SchemaError`; warnings (a repaired polygon, a camera with
an impossible angle) are returned with the cleaned frame.

What :func:`validate` returns validates again without errors, also after a
GeoPackage round trip: text holds no NUL bytes or lone surrogates, and no column
name clashes with another or with what a GeoPackage keeps for itself, so a
project written from validated layers always opens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.admin import hierarchy_problems, tidy_parents
from layers.errors import Problem, SchemaError
from layers.schema import SCHEMAS, Column, LayerSchema, schema_for

_GEOM_FAMILY = {
    "Point": ("Point", "MultiPoint"),
    "LineString": ("LineString", "MultiLineString"),
    "Polygon": ("Polygon", "MultiPolygon"),
}
_TRUE = {"true", "1", "yes", "y", "t", "是", "真", "对", "可"}
_FALSE = {"false", "0", "no", "n", "f", "否", "假", "不", "不可", ""}
#: Column names a GeoPackage keeps for itself (compared without case).
_RESERVED_NAMES = frozenset({"fid", "geom"})
#: Most attribute columns a GeoPackage table holds (SQLite's limit is 2,000 in all).
_MAX_COLUMNS = 1_990
#: Text a GeoPackage cannot hold as it is: NUL cuts a value short, a lone
#: surrogate cannot be written as UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
#: ``7.0`` or ``-12.00``: a whole number written by a spreadsheet.
_WHOLE_TEXT = re.compile(r"^([+-]?\d+)\.0*$")
#: ``3.30702E+17``: a long number a spreadsheet wrote in scientific notation.
_SCIENTIFIC = re.compile(r"^[+-]?\d(\.\d+)?[eE]\+?\d+$")
#: Spreadsheets keep 15 significant digits: longer numeric ids have lost some.
_SPREADSHEET_DIGITS = 1e15
#: Whitespace at either end of a value, in values joined by NUL (not whitespace).
_EDGE_SPACE = re.compile(r"\x00\s|\s\x00")
#: Whole numbers up to here are exact in a float (and fit an Int64).
_EXACT_INT = 2.0**53
#: Smallest polygon area kept, in square metres (where the CRS is in metres): a
#: "polygon" of a few square millimetres is a line drawn as one, e.g. corners on
#: one parallel of latitude that projection bent apart.
_MIN_AREA_M2 = 1.0
#: No coordinate of a real place reaches this, in degrees or metres (Earth's
#: circumference is 4e7 m; Gauss-Kruger eastings with a zone prefix stay below 5e7).
_FARTHEST = 1e9


def _generic_aliases() -> frozenset[str]:
    """Return the aliases several fields answer to (``id``, ``编号``).

    A column so named beside a field's own name is another field, not a copy of it.
    """
    owners: dict[str, set[str]] = {}
    for schema in SCHEMAS.values():
        for col in schema.columns:
            for alias in col.aliases:
                owners.setdefault(alias.lower(), set()).add(col.name)
    return frozenset(a for a, names in owners.items() if len(names) > 1)


_GENERIC_ALIASES = _generic_aliases()


@dataclass
class ValidationResult:
    """A cleaned layer and the warnings met while cleaning it."""

    frame: gpd.GeoDataFrame
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class _Ctx:
    schema: LayerSchema
    source: str
    ids: pd.Series = field(default_factory=lambda: pd.Series([], dtype=object))
    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        rows: Iterable[Any],
        message: str,
        *,
        column: str = "",
        hint: str = "",
        severity: str = "error",
    ) -> None:
        for row in rows:
            fid = self.ids.iloc[int(row)] if len(self.ids) else None
            self.problems.append(
                Problem(
                    message,
                    layer=self.schema.name,
                    row=int(row),
                    feature_id=None if pd.isna(fid) else str(fid),
                    column=column,
                    hint=hint,
                    source=self.source,
                    severity=severity,
                )
            )

    def note(self, message: str, *, column: str = "", hint: str = "",
             severity: str = "error") -> None:
        """Add a problem of the whole layer (no row)."""
        self.problems.append(Problem(message, layer=self.schema.name, column=column, hint=hint,
                                     source=self.source, severity=severity))


def validate(
    frame: gpd.GeoDataFrame, layer: str | LayerSchema, *, source: str = ""
) -> ValidationResult:
    """Check ``frame`` against the schema of ``layer`` and return a cleaned copy.

    Parameters
    ----------
    frame
        The layer as read; not modified.
    layer
        Layer name (or alias such as ``"网格"``) or a schema.
    source
        File name used in messages.

    Returns
    -------
    ValidationResult
        The cleaned frame (schema columns first, typed, defaults filled, index
        reset) and the warnings.

    Raises
    ------
    SchemaError
        With every error found, when any row cannot be used.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> gdf = gpd.GeoDataFrame({"网格编码": ["A"]}, geometry=[shapely.box(0, 0, 1, 1)])
    >>> validate(gdf, "grids").frame["grid_id"].tolist()
    ['A']
    """
    schema = layer if isinstance(layer, LayerSchema) else schema_for(layer)
    ctx = _Ctx(schema, source)
    df = _rename_aliases(frame, ctx).reset_index(drop=True)
    id_col = schema.id_column
    if id_col and id_col in df:
        ctx.ids = _as_text(df[id_col], code=True)
    if len(df) == 0:
        ctx.note("the layer has no features", severity="warning",
                 hint="check that the right file and layer were chosen")
    _check_required_columns(df, ctx)
    df = _check_geometry(df, ctx)
    if schema.name == "service_areas" and "parent_id" in df:
        df["parent_id"] = tidy_parents(df["parent_id"])
    for col in schema.columns:
        df[col.name] = _coerce_column(df, col, ctx)
    _check_ids(df, ctx)
    if schema.name == "service_areas":
        ctx.problems += hierarchy_problems(df, source=source)
    errors = [p for p in ctx.problems if p.severity == "error"]
    if errors:
        raise SchemaError.from_problems(errors)
    ordered = schema.column_names + [c for c in df.columns if c not in schema.column_names]
    out = gpd.GeoDataFrame(_storable_text(df[ordered]), geometry="geometry",
                           crs=frame.crs)
    return ValidationResult(out, [p for p in ctx.problems if p.severity != "error"])


def name_rows(
    problems: Sequence[Problem], frame: pd.DataFrame, layer: str | LayerSchema
) -> list[Problem]:
    """Fill in the feature id of problems that name only a row of ``frame``."""
    schema = layer if isinstance(layer, LayerSchema) else schema_for(layer)
    id_col = schema.id_column
    if not id_col or id_col not in frame.columns:
        return list(problems)
    ids = frame[id_col]
    out = []
    for p in problems:
        if p.feature_id is None and p.row is not None and 0 <= p.row < len(ids) \
                and pd.notna(ids.iloc[p.row]):
            p = replace(p, feature_id=str(ids.iloc[p.row]))
        out.append(p)
    return out


# --------------------------------------------------------------------------- columns


def _rename_aliases(frame: gpd.GeoDataFrame, ctx: _Ctx) -> gpd.GeoDataFrame:
    """Rename source columns to schema names, matching aliases case-insensitively.

    Two source columns that both give one field must hold the same values; a
    column matching nothing that looks like a cut schema name is reported; other
    columns are kept under a name a GeoPackage can store beside the rest.
    """
    schema = ctx.schema
    df = frame.copy()
    if df.geometry.name != "geometry":
        df = df.rename_geometry("geometry")
    df.columns = [c if c == "geometry" else str(c) for c in df.columns]
    by_name: dict[str, list[str]] = {}
    for c in df.columns:
        if c != "geometry":
            by_name.setdefault(c.strip().lower(), []).append(c)
    renames: dict[str, str] = {}
    used: set[str] = set()
    for col in schema.columns:
        if col.name in df.columns:
            used.add(col.name)
            _check_alias_beside_name(df, col, by_name, used, ctx)
            continue
        hits: list[str] = []
        for name in col.match_names:
            hits += [c for c in by_name.get(name.lower(), [])
                     if c not in used and c not in hits and c not in schema.column_names]
        if not hits:
            continue
        hits.sort(key=list(df.columns).index)
        if len(hits) > 1 and not _same_values(df, hits):
            names = " and ".join(f"'{h}'" for h in hits)
            ctx.note(f"columns {names} both give {col.name}, with different values",
                     column=col.name, hint="keep one of them: delete or rename the others")
        renames[hits[0]] = col.name
        used.update(hits)
    _suggest_cut_names(df, renames, used, ctx)
    df = df.rename(columns=renames)
    return _storable_names(df, ctx)


def _check_alias_beside_name(df: pd.DataFrame, col: Column, by_name: dict[str, list[str]],
                             used: set[str], ctx: _Ctx) -> None:
    """Warn when a column named as one of ``col``'s own aliases disagrees with it."""
    names = [n for n in col.match_names if n.lower() not in _GENERIC_ALIASES]
    others = [c for n in names for c in by_name.get(n.lower(), [])
              if c != col.name and c not in used and c not in ctx.schema.column_names]
    others = list(dict.fromkeys(others))
    if others and not _same_values(df, [col.name, *others]):
        shown = " and ".join(f"'{c}'" for c in others)
        ctx.note(f"column {shown} also gives {col.name}, with other values; '{col.name}' is "
                 f"used and {shown} kept as another column",
                 column=col.name, severity="warning",
                 hint=f"delete or rename {shown} if '{col.name}' is the right one")
    used.update(others)


def _same_values(df: pd.DataFrame, columns: list[str]) -> bool:
    first = _as_text(df[columns[0]])
    return all(first.equals(_as_text(df[c])) for c in columns[1:])


def _suggest_cut_names(
    df: pd.DataFrame, renames: dict[str, str], used: set[str], ctx: _Ctx
) -> None:
    """Report columns that match nothing but look like a schema name cut short."""
    given = set(renames.values()) | {c for c in df.columns if c in ctx.schema.column_names}
    known = {n.lower(): col.name for col in ctx.schema.columns for n in col.match_names}
    for c in df.columns:
        key = c.strip().lower()
        if c == "geometry" or c in used or key in known:
            continue
        if len(key) < (3 if key.isascii() else 2):
            continue
        targets = sorted({name for n, name in known.items()
                          if n.startswith(key) and name not in given})
        if targets:
            ctx.note(f"column '{c}' is not used: it looks like {' or '.join(targets)} cut short",
                     column=c, hint=f"rename it to '{targets[0]}' to load it",
                     severity="warning")


def _storable_names(df: gpd.GeoDataFrame, ctx: _Ctx) -> gpd.GeoDataFrame:
    """Give extra columns names a GeoPackage stores beside the schema's (case-blind)."""
    wanted = len(set(df.columns) | set(ctx.schema.column_names))
    if wanted > _MAX_COLUMNS:
        ctx.note(f"the layer has {wanted:,} columns, more than the {_MAX_COLUMNS:,} a "
                 "GeoPackage holds", hint="keep only the columns you need and export again")
        return df
    taken = {n.lower() for n in ctx.schema.column_names} | set(_RESERVED_NAMES)
    renames = {}
    for c in df.columns:
        if c == "geometry" or c in ctx.schema.column_names:
            continue
        new, k = c, 1
        while new.lower() in taken:
            k += 1
            new = f"{c}_{k}"
        taken.add(new.lower())
        if new != c:
            renames[c] = new
            why = ("a GeoPackage keeps that name for itself" if c.lower() in _RESERVED_NAMES
                   else "another column has that name")
            ctx.note(f"column '{c}' is kept as '{new}' ({why})", column=c, severity="warning")
    return df.rename(columns=renames) if renames else df


def _check_required_columns(df: pd.DataFrame, ctx: _Ctx) -> None:
    for col in ctx.schema.columns:
        if col.required and col.name not in df.columns:
            names = "、".join(col.aliases[:3])
            ctx.note(f"required column '{col.name}' is missing", column=col.name,
                     hint=f"add it or rename a column to '{col.name}' (also accepted: "
                     f"{names}); columns present: {', '.join(map(str, df.columns))}")


# --------------------------------------------------------------------------- geometry


def _check_geometry(df: gpd.GeoDataFrame, ctx: _Ctx) -> gpd.GeoDataFrame:
    geom = np.asarray(df.geometry.array, dtype=object).copy()
    want = ctx.schema.geometry
    missing = shapely.is_missing(geom) | shapely.is_empty(geom)
    ctx.add(np.flatnonzero(missing), "geometry is missing, empty or unreadable",
            column="geometry", hint="draw the feature or delete the row")
    coords, index = shapely.get_coordinates(geom, return_index=True)
    not_finite = np.zeros(len(geom), dtype=bool)
    not_finite[np.unique(index[~np.isfinite(coords).all(axis=1)])] = True
    not_finite &= ~missing
    ctx.add(np.flatnonzero(not_finite), "geometry has coordinates that are not finite "
            "numbers (NaN or infinity)", column="geometry",
            hint="correct the coordinates or delete the row")
    with np.errstate(invalid="ignore"):
        too_far = np.zeros(len(geom), dtype=bool)
        too_far[np.unique(index[(np.abs(coords) > _FARTHEST).any(axis=1)])] = True
    too_far &= ~missing & ~not_finite
    ctx.add(np.flatnonzero(too_far), f"geometry has coordinates beyond {_FARTHEST:,.0f}, "
            "which no place on Earth has", column="geometry",
            hint="correct the coordinates or delete the row")
    unusable = missing | not_finite | too_far
    geom[unusable & ~missing] = None  # keep GEOS away from them; the errors above stand
    geom = _flattened(geom, ctx)
    types = np.asarray(shapely.get_type_id(geom))
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                      "MultiLineString", "MultiPolygon", "GeometryCollection"])
    type_names = np.where(types >= 0, names[np.clip(types, 0, 7)], "")
    bad_type = np.flatnonzero(~np.isin(type_names, _GEOM_FAMILY[want]) & ~unusable)
    if len(bad_type):
        found = sorted(set(type_names[bad_type]))
        ctx.add(bad_type, f"geometry is {'/'.join(found)}, expected {want}", column="geometry",
                hint=f"load this file as a {want.lower()} layer or convert it")
    if want == "Point":
        multi = np.flatnonzero((type_names == "MultiPoint") & ~unusable)
        if len(multi):
            parts = shapely.get_num_geometries(geom[multi])
            geom[multi] = shapely.get_geometry(geom[multi], 0)
            many = multi[parts > 1]
            ctx.add(many, "multipoint has several points; the first one is used",
                    column="geometry", severity="warning")
    if want == "Polygon":
        polygonal = np.isin(type_names, _GEOM_FAMILY["Polygon"]) & ~unusable
        geom = _repair_polygons(geom, polygonal, ctx, min_area=_smallest_area(df.crs))
    df = df.copy()
    df["geometry"] = gpd.GeoSeries(geom, index=df.index, crs=df.crs)
    return df


def _flattened(geom: np.ndarray, ctx: _Ctx) -> np.ndarray:
    """Drop heights (Z) and measures (M), saying so once for the layer.

    Every analysis works on the plane; a height kept would be written back and
    compared in edits, and a measure means nothing here.
    """
    extra = shapely.has_z(geom) | shapely.has_m(geom)
    if not extra.any():
        return geom
    n = int(extra.sum())
    ctx.note(f"{n:,} of the features had heights (Z) or measures (M); they are dropped, "
             "analyses work on the plane", column="geometry",
             severity="warning")
    geom[extra] = shapely.force_2d(geom[extra])
    return geom


def _smallest_area(crs: Any) -> float:
    """Least polygon area in the CRS's units: 1 m² in metres, above 0 otherwise."""
    try:
        unit = crs.axis_info[0].unit_conversion_factor if crs is not None and crs.is_projected \
            else 0.0
    except (AttributeError, IndexError):
        unit = 0.0
    return _MIN_AREA_M2 / unit**2 if unit > 0 else 0.0


def _repair_polygons(
    geom: np.ndarray, polygonal: np.ndarray, ctx: _Ctx, *, min_area: float
) -> np.ndarray:
    """Repair invalid polygons; refuse those that have no area, before or after repair."""
    valid = shapely.is_valid(geom)
    invalid = np.flatnonzero(polygonal & ~valid)
    if len(invalid):
        reasons = shapely.is_valid_reason(geom[invalid])
        # make_valid can return collections holding stray lines: keep only the area.
        geom[invalid] = [_polygonal_part(g) for g in shapely.make_valid(geom[invalid])]
        valid[invalid] = shapely.is_valid(geom[invalid])
    with np.errstate(all="ignore"):  # coordinates near 1e9 may overflow the area
        area = shapely.area(geom)
    flat = polygonal & (shapely.is_empty(geom) | ~(area > 0) | ~(area >= min_area) | ~valid)
    ctx.add(np.flatnonzero(flat), "polygon has no area, even after repair (its corners lie "
            "on a line or a point, or it has fewer than 3 distinct corners)", column="geometry",
            hint="redraw the polygon or delete the row" + (
                f"; polygons below {_MIN_AREA_M2:g} m² are refused" if min_area > 0 else ""))
    if len(invalid):
        for row, reason in zip(invalid, reasons, strict=True):
            if not flat[row]:
                ctx.add([row], f"invalid polygon repaired ({reason})", column="geometry",
                        hint="check the repaired shape", severity="warning")
    return geom


def _polygonal_part(g: shapely.Geometry) -> shapely.Geometry:
    if shapely.get_type_id(g) in (3, 6):
        return g
    parts = shapely.get_parts(g)
    polys = [p for p in parts if shapely.get_type_id(p) in (3, 6)]
    return shapely.union_all(polys) if polys else shapely.Polygon()


# --------------------------------------------------------------------------- values


def _as_text(values: pd.Series, *, code: bool = False) -> pd.Series:
    """Render values as stripped text, empty as ``None``.

    Whole floats lose their ``.0`` (``330702001.0`` from a spreadsheet becomes
    ``'330702001'``); with ``code`` also text such as ``'7.0'`` becomes ``'7'``,
    so an id read as ``7`` in one file and ``7.0`` in another is one id.
    """
    if pd.api.types.is_bool_dtype(values):
        return values.astype(object).where(values.notna(), None).map(
            lambda v: v if v is None else str(v))
    if pd.api.types.is_float_dtype(values):
        return _float_text(values)
    if pd.api.types.is_integer_dtype(values):
        return values.astype("string").astype(object).where(values.notna(), None)
    out = values.astype(object)
    mask = out.notna().to_numpy()
    if mask.any():
        present = out[mask]
        if pd.api.types.infer_dtype(present, skipna=True) == "string":
            # The usual case: one scan of all the text, stripping only when needed.
            joined = "\x00" + _joined(present, "\x00") + "\x00"
            shown = present.str.strip() if _EDGE_SPACE.search(joined) else present
        else:
            shown = pd.Series([_number_text(v) if isinstance(v, float | np.floating)
                               else str(v).strip() for v in present], index=present.index)
        if code and "." in _joined(shown):
            shown = shown.map(_whole_text)
        out[mask] = shown
    out[mask & (out == "").to_numpy()] = None
    return out


def _joined(values: pd.Series, sep: str = "") -> str:
    """Join a column of strings into one string.

    Through a list: iterating a pandas string array goes element by element
    through Python.
    """
    return sep.join(values.to_numpy(dtype=object).tolist())


def _float_text(values: pd.Series) -> pd.Series:
    """Floats as text: whole ones without ``.0`` and never through an overflowing int."""
    v = values.to_numpy(dtype=float)
    out = np.full(len(v), None, dtype=object)
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(v) & (v == np.round(v))
    exact = whole & (np.abs(v) < _EXACT_INT)
    out[exact] = v[exact].astype(np.int64).astype(str)
    out[whole & ~exact] = [f"{x:.0f}" for x in v[whole & ~exact]]
    rest = ~np.isnan(v) & ~whole
    out[rest] = [str(x) for x in v[rest]]
    return pd.Series(out, index=values.index, dtype=object)


def _number_text(v: Any) -> Any:
    f = float(v)
    if np.isnan(f):
        return None
    if np.isfinite(f) and f == np.round(f):
        return f"{f:.0f}"
    return str(f)


def _whole_text(text: str) -> str:
    found = _WHOLE_TEXT.match(text)
    return found.group(1) if found else text


def _cut_by_spreadsheet(raw: pd.Series) -> np.ndarray:
    """Rows whose id is a long number a spreadsheet stored with 15 digits at most."""
    if pd.api.types.is_integer_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        return np.zeros(len(raw), dtype=bool)  # integer columns hold every digit
    if pd.api.types.is_float_dtype(raw):
        with np.errstate(invalid="ignore"):
            return np.asarray(np.abs(raw.to_numpy(dtype=float)) >= _SPREADSHEET_DIGITS)
    if pd.api.types.infer_dtype(raw, skipna=True) == "string":
        joined = _joined(raw.dropna())
        if "e" not in joined and "E" not in joined:
            return np.zeros(len(raw), dtype=bool)
        return raw.str.strip().str.match(_SCIENTIFIC).fillna(False).to_numpy(dtype=bool)

    def cut(v: Any) -> bool:
        if isinstance(v, str):
            return bool(_SCIENTIFIC.match(v.strip()))
        if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
            return bool(np.isfinite(float(v)) and abs(float(v)) >= _SPREADSHEET_DIGITS)
        return False

    return np.fromiter((cut(v) for v in raw), dtype=bool, count=len(raw))


def _storable_text(df: pd.DataFrame) -> pd.DataFrame:
    """Drop NUL bytes and lone surrogates from text columns (a GeoPackage cannot keep them)."""
    out = df
    for name in df.columns:
        col = df[name]
        # Text columns are object or (pandas 3) the string dtype.
        if name == "geometry" or not (col.dtype == object
                                      or pd.api.types.is_string_dtype(col.dtype)):
            continue
        if pd.api.types.infer_dtype(col, skipna=True) == "string":
            is_text = col.notna().to_numpy()
        else:
            is_text = col.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        text = col[is_text]
        # One scan of all the text finds the rare column that needs a look row by row.
        if not len(text) or not _UNSTORABLE.search(_joined(text)):
            continue
        bad = text.str.contains(_UNSTORABLE, regex=True).to_numpy(dtype=bool)
        if out is df:
            out = df.copy()
        fixed = [_UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", s)
                 for s in text[bad]]
        out.loc[text.index[bad], name] = fixed
    return out


def _coerce_column(df: pd.DataFrame, col: Column, ctx: _Ctx) -> pd.Series:
    n = len(df)
    if col.name not in df.columns:
        return _default_series(col, n)
    raw = df[col.name]
    if col.value_aliases and not pd.api.types.is_numeric_dtype(raw):
        # Case is not meaningful in a value's spelling ("District", "Town").
        aliases = {**{str(c).lower(): c for c in col.choices or () if isinstance(c, str)},
                   **{k.lower(): v for k, v in col.value_aliases.items()}, **col.value_aliases}
        # Each distinct value once (a column holds few distinct values, many rows).
        codes, uniques = pd.factorize(raw)
        named = np.array([aliases.get(str(v).strip(), aliases.get(str(v).strip().lower(), v))
                          for v in uniques.tolist()] + [None], dtype=object)
        raw = pd.Series(np.where(codes >= 0, named[codes], raw.to_numpy(dtype=object)),
                        index=raw.index, dtype=object)
    reported = np.zeros(n, dtype=bool)  # rows a problem was already given for
    if col.dtype == "str":
        out = _as_text(raw, code=col.code)
        if col.code:
            ctx.add(np.flatnonzero(_cut_by_spreadsheet(raw)), "looks like a long number a "
                    "spreadsheet kept only 15 digits of: the last digits may be wrong",
                    column=col.name, severity="warning",
                    hint="store the column as text in the spreadsheet and export it again")
    elif col.dtype in ("int", "float"):
        out, reported = _coerce_number(raw, col, ctx)
    elif col.dtype == "bool":
        out = _coerce_bool(raw, col, ctx)
    else:
        out = _coerce_datetime(raw, col, ctx)
    if col.warn_if_empty:
        empty = np.flatnonzero(pd.isna(out).to_numpy() & ~reported)
        ctx.add(empty, "value is empty", column=col.name, severity="warning",
                hint=f"fill in {col.name}")
    if col.required:
        missing = np.flatnonzero(pd.isna(out).to_numpy())
        ctx.add(missing, "value is empty but required", column=col.name,
                hint=f"fill in {col.name} for every row")
    elif col.default is not None:
        out = out.where(pd.notna(out), col.default)
        if col.dtype == "int" and _int_safe(out):
            out = out.astype("float64").round().astype("Int64")
    if col.choices is not None:
        _check_choices(out, col, ctx, skip=reported)
    return out


def _default_series(col: Column, n: int) -> pd.Series:
    dtypes = {"str": object, "int": "Int64", "float": "float64", "bool": bool,
              "datetime": "datetime64[ns]"}
    if col.default is None:
        if col.dtype == "float":
            return pd.Series(np.full(n, np.nan))
        if col.dtype == "datetime":
            return pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
        return pd.Series([None] * n, dtype=dtypes[col.dtype])
    return pd.Series([col.default] * n, dtype=dtypes[col.dtype])


def _int_safe(values: pd.Series) -> bool:
    """Whether every value is empty or a whole number an Int64 holds exactly."""
    num = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    present = ~np.isnan(num)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(num) & (num == np.round(num)) & (np.abs(num) < _EXACT_INT)
    return bool(np.all(ok | ~present))


def _coerce_number(raw: pd.Series, col: Column, ctx: _Ctx) -> tuple[pd.Series, np.ndarray]:
    """Read numbers, reporting unreadable, non-finite and out-of-range values.

    Returns the values and the rows reported. Rows in error are emptied; values
    kept with a warning stay as they are (an int column then stays float).
    """
    if raw.dtype == object:
        text = raw.map(lambda v: v.strip() if isinstance(v, str) else v)
        num = pd.to_numeric(text.astype(str).where(text.notna(), None), errors="coerce")
    elif pd.api.types.is_bool_dtype(raw):
        num = pd.Series(np.nan, index=raw.index)
    else:
        num = pd.to_numeric(raw, errors="coerce")
    num = num.astype("float64")
    blank = raw.isna().to_numpy().copy()
    if not pd.api.types.is_numeric_dtype(raw):  # text: blank also when only spaces
        blank |= (raw.astype(str).str.strip() == "").to_numpy()
    unreadable = num.isna().to_numpy() & ~blank
    allowed = f"allowed: {col.range_text}" if col.range_text else ""
    ctx.add(np.flatnonzero(unreadable), "value is not a number", column=col.name,
            hint="use digits only, e.g. 60 or 12.5" + (f"; {allowed}" if allowed else ""),
            severity=col.on_bad)
    values = num.to_numpy()
    with np.errstate(invalid="ignore"):
        present = ~np.isnan(values)
        infinite = present & ~np.isfinite(values)
        finite = present & ~infinite
        ctx.add(np.flatnonzero(infinite), "value is not a finite number", column=col.name,
                hint=allowed or "use an ordinary number", severity=col.on_bad)
        bad = unreadable | infinite
        if col.min_value is not None:
            low = finite & ((values < col.min_value) if col.min_inclusive
                            else (values <= col.min_value))
            word = "below" if col.min_inclusive else "at or below"
            ctx.add(np.flatnonzero(low), f"value {word} {col.min_value:g}", column=col.name,
                    hint=allowed, severity=col.on_bad)
            bad |= low
        if col.max_value is not None:
            high = finite & ((values > col.max_value) if col.max_inclusive
                             else (values >= col.max_value))
            word = "above" if col.max_inclusive else "at or above"
            ctx.add(np.flatnonzero(high), f"value {word} {col.max_value:g}", column=col.name,
                    hint=allowed, severity=col.on_bad)
            bad |= high
        if col.dtype == "int":
            frac = finite & (values != np.round(values))
            ctx.add(np.flatnonzero(frac), "value must be a whole number", column=col.name,
                    hint=allowed, severity=col.on_bad)
            bad |= frac
    if col.on_bad == "error" and bad.any():
        num = num.where(~bad)  # refused anyway; keep what follows free of overflow
    if col.dtype == "int" and _int_safe(num):
        return num.round().astype("Int64"), bad
    return num, bad


def _coerce_bool(raw: pd.Series, col: Column, ctx: _Ctx) -> pd.Series:
    if pd.api.types.is_bool_dtype(raw):
        return raw.fillna(col.default if col.default is not None else False).astype(bool)
    text = raw.map(lambda v: "" if pd.isna(v) else str(v).strip().lower())
    is_true = text.isin(_TRUE)
    is_false = text.isin(_FALSE)
    bad = np.flatnonzero((~is_true & ~is_false).to_numpy())
    ctx.add(bad, "value is not yes/no", column=col.name, hint="use true/false, 1/0 or 是/否",
            severity=col.on_bad)
    out = pd.Series(np.where(text == "", bool(col.default), is_true.to_numpy()), index=raw.index)
    return out.astype(bool)


def _coerce_datetime(raw: pd.Series, col: Column, ctx: _Ctx) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(raw):
        return raw
    text = raw.map(lambda v: v if pd.isna(v) else str(v).strip())
    try:
        out = pd.to_datetime(text, errors="coerce", format="mixed")
    except (ValueError, TypeError, OverflowError):
        # Times with and without a zone in one column: read them all as UTC.
        try:
            out = pd.to_datetime(text, errors="coerce", format="mixed", utc=True)
        except (ValueError, TypeError, OverflowError):
            out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    bad = np.flatnonzero((out.isna() & raw.notna() & (text != "")).to_numpy())
    ctx.add(bad, "value is not a date/time", column=col.name,
            hint="use e.g. 2024-05-01 08:30", severity="warning")
    return out


def _check_choices(values: pd.Series, col: Column, ctx: _Ctx, *, skip: np.ndarray) -> None:
    if col.choices is None:
        return
    present = values.notna().to_numpy() & ~skip
    allowed = values.isin(col.choices).to_numpy()
    if col.dtype in ("int", "float"):
        numeric = pd.to_numeric(values, errors="coerce")
        allowed = allowed | numeric.isin([float(c) for c in col.choices]).to_numpy()
    bad = np.flatnonzero(present & ~allowed)
    if not len(bad):
        return
    choices = ", ".join(map(str, col.choices))
    for row in bad:
        shown = values.iloc[row]
        if isinstance(shown, float):
            shown = f"{shown:g}"
        ctx.add([row], f"'{str(shown)[:80]}' is not one of: {choices}", column=col.name,
                severity=col.on_bad)


def _check_ids(df: pd.DataFrame, ctx: _Ctx) -> None:
    id_col = ctx.schema.id_column
    if not id_col or id_col not in df.columns:
        return
    ids = df[id_col]
    codes, _ = pd.factorize(ids)
    dup = np.flatnonzero(ids.notna().to_numpy() & ids.duplicated(keep="first").to_numpy())
    if not len(dup):
        return
    first = np.full(int(codes.max()) + 1, len(ids), dtype=np.int64)
    valid = codes >= 0
    np.minimum.at(first, codes[valid], np.flatnonzero(valid))
    for row in dup:
        ctx.add([row], f"duplicate id '{ids.iloc[row]}' (first used in row "
                f"{first[codes[row]] + 1})", column=id_col, hint="give every feature its own id",
                severity=ctx.schema.duplicate_ids)
