"""Validate a GeoDataFrame against its layer schema, collecting every problem.

The public :func:`validate` maps column aliases, checks geometry, coerces types,
fills defaults and checks values and ids. Errors are collected for all rows and
raised together as one :class:`~layers.errors.SchemaError`; warnings (a repaired
polygon, a camera with an impossible angle) are returned with the cleaned frame.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.errors import Problem, SchemaError
from layers.schema import Column, LayerSchema, schema_for

_GEOM_FAMILY = {
    "Point": ("Point", "MultiPoint"),
    "LineString": ("LineString", "MultiLineString"),
    "Polygon": ("Polygon", "MultiPolygon"),
}
_TRUE = {"true", "1", "yes", "y", "t", "是", "真", "对", "可"}
_FALSE = {"false", "0", "no", "n", "f", "否", "假", "不", "不可", ""}


@dataclass
class ValidationResult:
    """A cleaned layer and the warnings met while cleaning it."""

    frame: gpd.GeoDataFrame
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class _Ctx:
    schema: LayerSchema
    source: str
    ids: pd.Series
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
    df = _rename_aliases(frame, schema)
    df = df.reset_index(drop=True)
    id_col = schema.id_column
    ids = _as_text(df[id_col]) if id_col and id_col in df else pd.Series([], dtype=object)
    ctx = _Ctx(schema, source, ids)
    if len(df) == 0:
        ctx.problems.append(
            Problem(
                "the layer has no features",
                layer=schema.name,
                source=source,
                hint="check that the right file and layer were chosen",
                severity="warning",
            )
        )
    _check_required_columns(df, ctx)
    df = _check_geometry(df, ctx)
    for col in schema.columns:
        df[col.name] = _coerce_column(df, col, ctx)
    _check_ids(df, ctx)
    errors = [p for p in ctx.problems if p.severity == "error"]
    if errors:
        raise SchemaError.from_problems(errors)
    ordered = schema.column_names + [c for c in df.columns if c not in schema.column_names]
    out = gpd.GeoDataFrame(df[ordered], geometry="geometry", crs=frame.crs)
    return ValidationResult(out, [p for p in ctx.problems if p.severity != "error"])


def _rename_aliases(frame: gpd.GeoDataFrame, schema: LayerSchema) -> gpd.GeoDataFrame:
    """Rename source columns to schema names, matching aliases case-insensitively."""
    df = frame.copy()
    if df.geometry.name != "geometry":
        df = df.rename_geometry("geometry")
    existing = {str(c).strip().lower(): c for c in df.columns}
    renames: dict[Any, str] = {}
    for col in schema.columns:
        if col.name in df.columns:
            continue
        for alias in (col.name, *col.aliases):
            hit = existing.get(alias.lower())
            if hit is not None and hit not in renames and hit not in schema.column_names:
                renames[hit] = col.name
                break
    return df.rename(columns=renames)


def _check_required_columns(df: pd.DataFrame, ctx: _Ctx) -> None:
    for col in ctx.schema.columns:
        if col.required and col.name not in df.columns:
            names = "、".join(col.aliases[:3])
            ctx.problems.append(
                Problem(
                    f"required column '{col.name}' is missing",
                    layer=ctx.schema.name,
                    column=col.name,
                    source=ctx.source,
                    hint=f"add it or rename a column to '{col.name}' (also accepted: {names}); "
                    f"columns present: {', '.join(map(str, df.columns))}",
                )
            )


def _check_geometry(df: gpd.GeoDataFrame, ctx: _Ctx) -> gpd.GeoDataFrame:
    geom = df.geometry.array
    want = ctx.schema.geometry
    missing = np.flatnonzero(shapely.is_missing(geom) | shapely.is_empty(geom))
    ctx.add(missing, "geometry is missing or empty", column="geometry",
            hint="draw the feature or delete the row")
    types = np.asarray(shapely.get_type_id(geom))
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                      "MultiLineString", "MultiPolygon", "GeometryCollection"])
    type_names = np.where(types >= 0, names[np.clip(types, 0, 7)], "")
    bad_type = np.flatnonzero(~np.isin(type_names, _GEOM_FAMILY[want]) & (types >= 0))
    bad_type = np.setdiff1d(bad_type, missing)
    if len(bad_type):
        found = sorted(set(type_names[bad_type]))
        ctx.add(bad_type, f"geometry is {'/'.join(found)}, expected {want}", column="geometry",
                hint=f"load this file as a {want.lower()} layer or convert it")
    if want == "Point":
        multi = np.flatnonzero(type_names == "MultiPoint")
        if len(multi):
            geom = geom.copy()
            parts = shapely.get_num_geometries(geom[multi])
            geom[multi] = shapely.get_geometry(geom[multi], 0)
            many = multi[parts > 1]
            ctx.add(many, "multipoint has several points; the first one is used",
                    column="geometry", severity="warning")
    if want == "Polygon":
        geom = _repair_polygons(geom, type_names, ctx)
    df = df.copy()
    df["geometry"] = gpd.GeoSeries(geom, index=df.index, crs=df.crs)
    return df


def _repair_polygons(geom: Any, type_names: np.ndarray, ctx: _Ctx) -> Any:
    poly = np.isin(type_names, ("Polygon", "MultiPolygon"))
    invalid = np.flatnonzero(poly & ~shapely.is_valid(geom))
    if not len(invalid):
        return geom
    geom = geom.copy()
    reasons = shapely.is_valid_reason(geom[invalid])
    fixed = shapely.make_valid(geom[invalid])
    # make_valid can return collections holding stray lines: keep only the area.
    fixed = np.array([_polygonal_part(g) for g in fixed], dtype=object)
    geom[invalid] = fixed
    for row, reason in zip(invalid, reasons, strict=True):
        ctx.add([row], f"invalid polygon repaired ({reason})", column="geometry",
                hint="check the repaired shape", severity="warning")
    return geom


def _polygonal_part(g: shapely.Geometry) -> shapely.Geometry:
    if shapely.get_type_id(g) in (3, 6):
        return g
    parts = shapely.get_parts(g)
    polys = [p for p in parts if shapely.get_type_id(p) in (3, 6)]
    return shapely.union_all(polys) if polys else shapely.Polygon()


def _as_text(values: pd.Series) -> pd.Series:
    """Render ids and codes as text; 330702001.0 from a spreadsheet becomes '330702001'."""
    if pd.api.types.is_float_dtype(values):
        whole = values.notna() & (values == np.round(values))
        out = values.astype(object)
        out[whole] = values[whole].astype("int64").astype(str)
        out[values.notna() & ~whole] = values[values.notna() & ~whole].astype(str)
        return out.where(values.notna(), None)
    if pd.api.types.is_integer_dtype(values):
        return values.astype("string").astype(object).where(values.notna(), None)
    out = values.astype(object)
    mask = out.notna()
    out[mask] = out[mask].astype(str).str.strip()
    out[mask & (out == "")] = None
    return out


def _coerce_column(df: pd.DataFrame, col: Column, ctx: _Ctx) -> pd.Series:
    n = len(df)
    if col.name not in df.columns:
        return _default_series(col, n)
    raw = df[col.name]
    if col.value_aliases and not pd.api.types.is_numeric_dtype(raw):
        raw = raw.map(lambda v: col.value_aliases.get(str(v).strip(), v) if pd.notna(v) else v)
    if col.dtype == "str":
        out = _as_text(raw)
    elif col.dtype in ("int", "float"):
        out = _coerce_number(raw, col, ctx)
    elif col.dtype == "bool":
        out = _coerce_bool(raw, col, ctx)
    else:
        out = _coerce_datetime(raw, col, ctx)
    if col.warn_if_empty:
        empty = np.flatnonzero(pd.isna(out).to_numpy())
        ctx.add(empty, "value is empty", column=col.name, severity="warning",
                hint=f"fill in {col.name}")
    if col.required:
        missing = np.flatnonzero(pd.isna(out).to_numpy())
        ctx.add(missing, "value is empty but required", column=col.name,
                hint=f"fill in {col.name} for every row")
    elif col.default is not None:
        out = out.where(pd.notna(out), col.default)
        if col.dtype == "int":
            out = out.astype("Int64")
    if col.choices is not None:
        _check_choices(out, col, ctx)
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


def _coerce_number(raw: pd.Series, col: Column, ctx: _Ctx) -> pd.Series:
    text = raw.astype(str).str.strip() if raw.dtype == object else raw
    num = pd.to_numeric(text, errors="coerce")
    unreadable = np.flatnonzero(num.isna().to_numpy() & raw.notna().to_numpy()
                                & (raw.astype(str).str.strip() != "").to_numpy())
    ctx.add(unreadable, "value is not a number", column=col.name,
            hint="use digits only, e.g. 60 or 12.5", severity=col.on_bad)
    num = num.astype("float64")
    if col.min_value is not None:
        low = (num < col.min_value) if col.min_inclusive else (num <= col.min_value)
        word = "below" if col.min_inclusive else "at or below"
        ctx.add(np.flatnonzero(low.to_numpy()), f"value {word} {col.min_value:g}",
                column=col.name, severity=col.on_bad)
    if col.max_value is not None:
        high = (num > col.max_value) if col.max_inclusive else (num >= col.max_value)
        word = "above" if col.max_inclusive else "at or above"
        ctx.add(np.flatnonzero(high.to_numpy()), f"value {word} {col.max_value:g}",
                column=col.name, severity=col.on_bad)
    if col.dtype == "int":
        frac = np.flatnonzero((num.notna() & (num != np.round(num))).to_numpy())
        ctx.add(frac, "value must be a whole number", column=col.name, severity=col.on_bad)
        if col.on_bad == "error" or not len(frac):
            return num.round().astype("Int64")
        return num
    return num


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
    out = pd.to_datetime(raw, errors="coerce", format="mixed")
    bad = np.flatnonzero((out.isna() & raw.notna()).to_numpy())
    ctx.add(bad, "value is not a date/time", column=col.name,
            hint="use e.g. 2024-05-01 08:30", severity="warning")
    return out


def _check_choices(values: pd.Series, col: Column, ctx: _Ctx) -> None:
    if col.choices is None:
        return
    present = values.notna().to_numpy()
    allowed = values.isin(col.choices).to_numpy()
    if col.dtype in ("int", "float"):
        numeric = pd.to_numeric(values, errors="coerce")
        allowed = allowed | numeric.isin([float(c) for c in col.choices]).to_numpy()
    bad = np.flatnonzero(present & ~allowed)
    if not len(bad):
        return
    choices = ", ".join(map(str, col.choices))
    for row in bad:
        ctx.add([row], f"'{values.iloc[row]}' is not one of: {choices}", column=col.name,
                severity=col.on_bad)


def _check_ids(df: pd.DataFrame, ctx: _Ctx) -> None:
    id_col = ctx.schema.id_column
    if not id_col or id_col not in df.columns:
        return
    ids = df[id_col]
    dup = ids.notna() & ids.duplicated(keep="first")
    rows = np.flatnonzero(dup.to_numpy())
    for row in rows:
        first = int(np.flatnonzero((ids == ids.iloc[row]).to_numpy())[0])
        ctx.add([row], f"duplicate id '{ids.iloc[row]}' (first used in row {first + 1})",
                column=id_col, hint="give every feature its own id",
                severity=ctx.schema.duplicate_ids)
