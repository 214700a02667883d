"""Read layer files of every format planners are handed, and write GeoPackage/GeoJSON.

Readers return the raw table (columns as in the file, CRS as declared); the
:func:`load_layer` convenience reads, reprojects and validates in one call.
Chinese data brings its own difficulties, handled here: shapefile attribute tables
in GBK/GB18030 with or without a ``.cpg`` file, CSV files saved by Excel in GBK,
and coordinate columns called 经度/纬度.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from layers.crs import check_coordinates, reproject
from layers.errors import Problem, ReadError
from layers.schema import schema_for
from layers.validate import validate

VECTOR_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".zip", ".fgb", ".kml", ".gml"}
TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xls"}
_LON_NAMES = ("lon", "lng", "long", "longitude", "经度", "x", "东坐标", "横坐标", "point_x")
_LAT_NAMES = ("lat", "latitude", "纬度", "y", "北坐标", "纵坐标", "point_y")
_WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "shape", "几何", "坐标串")
_TEXT_ENCODINGS = ("utf-8-sig", "gb18030", "big5")


@dataclass
class LoadedLayer:
    """A layer read, reprojected and validated, with what was noticed on the way."""

    frame: gpd.GeoDataFrame
    warnings: list[Problem] = field(default_factory=list)
    source: str = ""
    encoding: str | None = None


def list_layers(path: str | Path) -> list[str]:
    """Return the layer names inside a vector file (one name for single-layer files)."""
    path = Path(path)
    _check_exists(path)
    try:
        return [str(row[0]) for row in pyogrio.list_layers(path)]
    except Exception as exc:
        raise ReadError(f"{path}: cannot list layers ({exc})") from exc


def read_file(
    path: str | Path, *, layer: str | None = None, encoding: str | None = None
) -> gpd.GeoDataFrame:
    """Read any supported file into a GeoDataFrame, columns and CRS as in the file.

    Parameters
    ----------
    path
        GeoPackage, GeoJSON, Shapefile (or a .zip holding one), CSV, XLSX.
    layer
        Layer (GeoPackage) or sheet (XLSX) name; the first when omitted.
    encoding
        Attribute text encoding; detected when omitted.

    Raises
    ------
    ReadError
        When the file is missing, empty, of an unknown kind or unreadable.
    """
    path = Path(path)
    _check_exists(path)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _read_zip(path, layer=layer, encoding=encoding)
    if suffix in TABLE_SUFFIXES:
        return read_table(path, sheet=layer, encoding=encoding)
    if suffix == ".shp":
        encoding = encoding or detect_shapefile_encoding(path)
    if suffix not in VECTOR_SUFFIXES:
        raise ReadError(
            f"{path}: unknown file type '{suffix}'; use GeoPackage, GeoJSON, Shapefile "
            "(.shp or .zip), CSV or XLSX"
        )
    kwargs: dict[str, Any] = {}
    if encoding:
        kwargs["encoding"] = encoding
    try:
        frame = _read_vector(path, layer, kwargs)
    except Exception as exc:
        raise ReadError(f"{path}: cannot read{f' layer {layer}' if layer else ''}: {exc}") from exc
    if not isinstance(frame, gpd.GeoDataFrame):
        raise ReadError(f"{path}: the table has no geometry column")
    return frame


def _read_vector(path: Path, layer: str | None, kwargs: dict[str, Any]) -> Any:
    try:
        return pyogrio.read_dataframe(path, layer=layer, **kwargs)
    except UnicodeDecodeError:
        # Shapefile field names cut at 10 bytes can split a UTF-8 character; the
        # values are usually fine, so fall back to an encoding that never fails.
        if path.suffix.lower() != ".shp":
            raise
        return pyogrio.read_dataframe(path, layer=layer, encoding="gb18030")


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise ReadError(f"{path}: file not found")
    if path.is_file() and path.stat().st_size == 0:
        raise ReadError(f"{path}: the file is empty")


def _read_zip(path: Path, *, layer: str | None, encoding: str | None) -> gpd.GeoDataFrame:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            shps = [n for n in names if n.lower().endswith(".shp")]
            if not shps:
                raise ReadError(f"{path}: the archive holds no .shp file")
            pick = shps[0]
            if layer:
                pick = next((n for n in shps if Path(n).stem == layer), pick)
            stem = pick[: -len(".shp")]
            with tempfile.TemporaryDirectory() as tmp:
                for name in names:
                    if name.startswith(stem + "."):
                        archive.extract(name, tmp)
                return read_file(Path(tmp) / pick, encoding=encoding)
    except zipfile.BadZipFile as exc:
        raise ReadError(f"{path}: not a valid zip archive") from exc


def detect_shapefile_encoding(path: Path) -> str:
    """Return the attribute encoding of a shapefile.

    A ``.cpg`` file wins; otherwise the ``.dbf`` bytes are tried as UTF-8, then as
    GB18030 (a superset of GBK and GB2312, which Chinese GIS tools write without
    saying so).
    """
    for cpg in (path.with_suffix(".cpg"), path.with_suffix(".CPG")):
        if cpg.exists():
            name = cpg.read_text(errors="ignore").strip().lower()
            return {"936": "gb18030", "gbk": "gb18030", "gb2312": "gb18030"}.get(name, name)
    dbf = next((p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF")) if p.exists()),
               None)
    if dbf is None:
        return "utf-8"
    data = dbf.read_bytes()
    header_len = int.from_bytes(data[8:10], "little") if len(data) > 10 else 0
    body = data[header_len:]
    if not any(b >= 0x80 for b in body):
        return "utf-8"
    for candidate in ("utf-8", "gb18030"):
        try:
            body.decode(candidate)
        except UnicodeDecodeError:
            continue
        return candidate
    return "latin-1"


def _decode_text(path: Path, encoding: str | None) -> tuple[str, str]:
    raw = path.read_bytes()
    for candidate in (encoding,) if encoding else _TEXT_ENCODINGS:
        try:
            return raw.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError):
            continue
    raise ReadError(
        f"{path}: the text is neither UTF-8 nor GBK/GB18030; save it as UTF-8 and try again"
    )


def read_table(
    path: str | Path, *, sheet: str | None = None, encoding: str | None = None
) -> gpd.GeoDataFrame:
    """Read a CSV or XLSX table with lon/lat, x/y or WKT columns into a GeoDataFrame.

    The CRS is WGS84 when lon/lat columns are found, otherwise left unset (the
    caller gives it or it is guessed from the coordinate ranges).
    """
    import io

    path = Path(path)
    _check_exists(path)
    if path.suffix.lower() in (".xlsx", ".xls"):
        try:
            table = pd.read_excel(path, sheet_name=sheet or 0)
        except Exception as exc:
            raise ReadError(f"{path}: cannot read spreadsheet: {exc}") from exc
    else:
        text, _ = _decode_text(path, encoding)
        try:
            table = pd.read_csv(io.StringIO(text), sep=None, engine="python", dtype=str,
                                keep_default_na=False, na_values=[""])
        except Exception as exc:
            raise ReadError(f"{path}: cannot read CSV: {exc}") from exc
    if table.empty:
        raise ReadError(f"{path}: the table has no rows")
    return _table_geometry(table, path)


def _find_column(columns: list[str], names: tuple[str, ...]) -> str | None:
    lower = {str(c).strip().lower(): c for c in columns}
    for name in names:
        if name in lower:
            return str(lower[name])
    return None


def _table_geometry(table: pd.DataFrame, path: Path) -> gpd.GeoDataFrame:
    cols = list(table.columns)
    lon_col = _find_column(cols, _LON_NAMES)
    lat_col = _find_column(cols, _LAT_NAMES)
    if lon_col and lat_col:
        x = pd.to_numeric(table[lon_col], errors="coerce").to_numpy(dtype=float)
        y = pd.to_numeric(table[lat_col], errors="coerce").to_numpy(dtype=float)
        geom = shapely.points(x, y)
        geom[~(np.isfinite(x) & np.isfinite(y))] = None
        rest = table.drop(columns=[lon_col, lat_col])
        crs = CRS.from_epsg(4326) if _looks_lonlat(x, y) else None
        return gpd.GeoDataFrame(rest, geometry=gpd.GeoSeries(geom, index=table.index), crs=crs)
    wkt_col = _find_column(cols, _WKT_NAMES)
    if wkt_col:
        text = table[wkt_col].astype(object).where(table[wkt_col].notna(), None)
        geom = shapely.from_wkt(text.to_numpy(), on_invalid="ignore")
        rest = table.drop(columns=[wkt_col])
        frame = gpd.GeoDataFrame(rest, geometry=gpd.GeoSeries(geom, index=table.index))
        if _looks_lonlat(*_xy(frame)):
            frame = frame.set_crs(4326)
        return frame
    raise ReadError(
        f"{path}: no coordinate columns found; name them lon/lat (经度/纬度), x/y or WKT. "
        f"Columns present: {', '.join(map(str, cols))}"
    )


def _xy(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    coords = shapely.get_coordinates(frame.geometry.array)
    return coords[:, 0], coords[:, 1]


def _looks_lonlat(x: np.ndarray, y: np.ndarray) -> bool:
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return False
    return bool(np.all(np.abs(x[ok]) <= 180) and np.all(np.abs(y[ok]) <= 90))


def load_layer(
    path: str | Path,
    kind: str,
    *,
    layer: str | None = None,
    source_crs: CRS | str | None = None,
    target_crs: CRS | None = None,
    encoding: str | None = None,
) -> LoadedLayer:
    """Read, reproject and validate one layer file.

    Parameters
    ----------
    path
        The file.
    kind
        Layer name of the schema (``grids``, ``cameras`` ...).
    layer
        Layer or sheet inside the file.
    source_crs
        Overrides the CRS the file declares; ``"gcj02"`` / ``"bd09"`` for web-map data.
    target_crs
        CRS to return; the file's own when omitted.
    encoding
        Attribute text encoding; detected when omitted.

    Raises
    ------
    ReadError, CRSError, SchemaError
        Each naming the file, and for schema problems every row at fault.
    """
    path = Path(path)
    schema = schema_for(kind)
    raw = read_file(path, layer=layer, encoding=encoding)
    if source_crs is None and raw.crs is not None:
        check_coordinates(raw, source=str(path), layer=schema.name)
    target = target_crs
    if target is None and raw.crs is not None and source_crs is None and raw.crs.is_projected:
        target = raw.crs
    if target is None:
        from layers.crs import choose_analysis_crs, to_wgs84_bounds

        wgs = reproject(raw, CRS.from_epsg(4326), source_crs=source_crs)
        target = choose_analysis_crs(to_wgs84_bounds(wgs)) if not wgs.empty else wgs.crs
        frame = wgs.to_crs(target)
    else:
        frame = reproject(raw, target, source_crs=source_crs)
    result = validate(frame, schema, source=str(path))
    return LoadedLayer(result.frame, result.warnings, str(path), encoding)


def write_layer(frame: gpd.GeoDataFrame, path: str | Path, *, layer: str) -> None:
    """Write a layer to a GeoPackage (added beside other layers) or GeoJSON (WGS84)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        out = frame.to_crs(4326) if frame.crs is not None else frame
        pyogrio.write_dataframe(out, path, driver="GeoJSON")
    elif suffix == ".gpkg":
        pyogrio.write_dataframe(_gpkg_safe(frame), path, layer=layer, driver="GPKG")
    else:
        raise ReadError(f"{path}: can only write .gpkg or .geojson")


def _gpkg_safe(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Make column types GeoPackage can store (nullable ints and objects as plain types)."""
    out = frame.copy()
    for name in out.columns:
        if name == out.geometry.name:
            continue
        col = out[name]
        if isinstance(col.dtype, pd.Int64Dtype):
            out[name] = col.astype("float64") if col.isna().any() else col.astype("int64")
        elif col.dtype == object:
            out[name] = col.map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return out


@contextlib.contextmanager
def atomic_target(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success move it over ``path`` in one step.

    The temporary file is flushed to disk before the move, so a crash or a killed
    process leaves either the old file or the new one, never a half-written one.
    On any error the temporary file is removed and ``path`` is untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.tmp-{os.getpid()}{target.suffix}")
    tmp.unlink(missing_ok=True)
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, target)
        _fsync(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory
    finally:
        os.close(fd)


def write_geopackage(
    frames: Mapping[str, Any], path: str | Path, *, geometry_types: Mapping[str, str] | None = None
) -> Path:
    """Write several layers (or plain tables) into a new GeoPackage, atomically.

    Parameters
    ----------
    frames
        Layer name to GeoDataFrame (a plain DataFrame becomes an attribute table).
    path
        The GeoPackage; replaced as a whole if it exists.
    geometry_types
        Declared geometry type per layer (``"MultiPolygon"`` ...); a ``Multi`` type
        promotes single parts. Others are inferred, ``"Unknown"`` when empty.
    """
    types = geometry_types or {}
    with atomic_target(path) as tmp:
        for name, frame in frames.items():
            kwargs: dict[str, Any] = {}
            if isinstance(frame, gpd.GeoDataFrame):
                out: Any = _gpkg_safe(frame)
                gtype = types.get(name, "Unknown" if frame.empty else None)
                if gtype is not None:
                    kwargs = {"geometry_type": gtype, "promote_to_multi": gtype.startswith("Multi")}
            else:
                out = frame
            pyogrio.write_dataframe(out, tmp, layer=name, driver="GPKG", **kwargs)
    return Path(path)
