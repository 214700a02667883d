"""Read layer files of every format planners are handed, and write GeoPackage/GeoJSON.

Readers return the raw table (columns as in the file, CRS as declared); the
:func:`load_layer` convenience reads, reprojects and validates in one call.
Chinese data brings its own difficulties, handled here: shapefile attribute tables
in GBK/GB18030 or Big5 with or without a ``.cpg`` file, CSV files saved by Excel in
GBK, and coordinate columns called 经度/纬度.

Inputs are not trusted: a path must name a regular file (a named pipe would block
the import and a link to a device fill memory), a zip archive is checked before
anything is unpacked and is unpacked only into a temporary folder, and names GDAL
would misread (``;``, ``!``, control characters) are read through a link with a
plain name.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import os
import re
import shutil
import stat
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from layers.crs import WGS84, check_coordinates, choose_crs_for, guess_crs, reproject
from layers.errors import Problem, ReadError
from layers.mapping import LayerMapping, apply_mapping
from layers.schema import schema_for
from layers.validate import name_rows, validate

VECTOR_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".zip", ".fgb", ".kml", ".gml"}
TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xls"}
_LON_NAMES = ("lon", "lng", "long", "longitude", "经度", "x", "东坐标", "横坐标", "point_x")
_LAT_NAMES = ("lat", "latitude", "纬度", "y", "北坐标", "纵坐标", "point_y")
_WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "shape", "几何", "坐标串")
#: Files GDAL opens beside the one it is given.
_SIDECARS = {
    ".shp": (".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qpj"),
    ".gpkg": ("-wal", "-shm", "-journal"),
}
#: Most bytes a zipped shapefile may unpack to (a city's households are ~1 GB).
ZIP_MAX_BYTES = 4 * 1024**3
#: Compression ratio above which a large member is taken for a zip bomb; real
#: layers compress 2-20 times, attribute tables of blank text up to ~100 times.
ZIP_MAX_RATIO = 200
_ZIP_RATIO_FROM_BYTES = 32 * 1024**2
#: Largest text table (CSV) or GeoJSON read into memory by Python.
TEXT_MAX_BYTES = 1024**3
#: Bytes of a text or attribute table looked at to tell its encoding.
_SNIFF_BYTES = 4 * 1024**2
#: Characters GDAL does not take literally in a file name.
_GDAL_UNSAFE = re.compile(r"[;!\x00-\x1f\x7f]")
_CPG_NAMES = {"936": "gb18030", "gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030",
              "gb18030": "gb18030", "950": "big5", "cp950": "big5", "big5": "big5",
              "65001": "utf-8", "utf8": "utf-8", "utf-8": "utf-8"}


@dataclass
class LoadedLayer:
    """A layer read, reprojected and validated, with what was noticed on the way."""

    frame: gpd.GeoDataFrame
    warnings: list[Problem] = field(default_factory=list)
    source: str = ""
    encoding: str | None = None


# --------------------------------------------------------------------------- paths


def split_layer_spec(spec: str | Path) -> tuple[Path, str | None]:
    """Split ``FILE::LAYER`` into the file and the layer (or sheet) name.

    An existing file wins over splitting, so a file whose name holds ``::`` is
    read whole; otherwise the last ``::`` after an existing file separates the
    layer. A file to be written (none of it exists yet) is split only where the
    part before ``::`` has a suffix: ``out::v2.gpkg`` is one new file. Every command
    that reads or writes a layer file parses its argument here.

    Examples
    --------
    >>> split_layer_spec("data.gpkg::grids")
    (PosixPath('data.gpkg'), 'grids')
    >>> split_layer_spec("data.gpkg")
    (PosixPath('data.gpkg'), None)
    >>> split_layer_spec("plan::v2.gpkg")
    (PosixPath('plan::v2.gpkg'), None)
    """
    text = str(spec)
    if "::" not in text or _lexists(text):
        return Path(text), None
    pos = len(text)
    while (pos := text.rfind("::", 0, pos)) > 0:
        if _lexists(text[:pos]):
            return Path(text[:pos]), text[pos + 2:] or None
    head, _, layer = text.rpartition("::")
    if not Path(head).suffix and Path(text).suffix:
        return Path(text), None
    return Path(head), layer or None


def _lexists(text: str) -> bool:
    try:
        return os.path.lexists(text)
    except (ValueError, OSError):  # a NUL byte, a name too long
        return False


def check_input_file(path: str | Path) -> Path:
    """Return ``path`` when it names a readable, non-empty regular file.

    Links are followed. A named pipe, device or socket is refused at once (reading
    one would block forever or never end), as is a folder, a broken link or a file
    without read permission.

    Raises
    ------
    ReadError
        Saying what the path is instead and what to give.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if path.is_symlink():
            raise ReadError(f"{path}: a link to {os.readlink(path)}, which does not exist") \
                from None
        raise ReadError(f"{path}: file not found") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ReadError(f"{path}: cannot be opened ({reason})") from exc
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise ReadError(f"{path}: is a folder, not a file: give the layer file inside it "
                        "(.shp, .gpkg, .geojson, .csv, .xlsx or .zip)")
    if not stat.S_ISREG(mode):
        kind = ("a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a device")
        raise ReadError(f"{path}: is {kind}, not a file saved on disk: save the data to a "
                        "file and give that")
    if info.st_size == 0:
        raise ReadError(f"{path}: the file is empty")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise ReadError(f"{path}: cannot be read ({exc.strerror}): check the file's "
                        "permission settings") from exc
    return path


def _sidecars(path: Path) -> list[Path]:
    """Existing files GDAL would open beside ``path`` (a shapefile's .dbf ...)."""
    out = []
    for ext in _SIDECARS.get(path.suffix.lower(), ()):
        for candidate in {path.with_name(path.name + ext) if ext.startswith("-")
                          else path.with_suffix(s) for s in (ext, ext.upper())}:
            if _lexists(str(candidate)):
                out.append(candidate)
    return out


def _check_sidecars(path: Path) -> None:
    for extra in _sidecars(path):
        check_input_file(extra)


def plain_stem(stem: str) -> str:
    r"""Return ``stem`` with the characters GDAL cuts a GeoPackage's name at replaced.

    Temporary files beside a user's file are named from its stem; GDAL would read
    and write ``.a;b.tmp-1.gpkg`` as ``.a``, so those characters become ``_``.

    Examples
    --------
    >>> plain_stem("网格;2024!\n"), plain_stem("plain name")
    ('网格_2024__', 'plain name')
    """
    return _GDAL_UNSAFE.sub("_", stem)


@contextlib.contextmanager
def _gdal_path(path: Path) -> Iterator[Path]:
    """Yield a name GDAL reads literally: ``path``, or a link to it with a plain name."""
    text = str(path.absolute())
    if not _GDAL_UNSAFE.search(text) and text == text.strip():
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="gridplanner-") as tmp:
        for part in (path, *_sidecars(path)):
            suffix = part.name[len(path.stem):]
            link = Path(tmp) / f"layer{suffix}"
            try:
                link.symlink_to(part.resolve())
            except OSError:  # no symbolic links here: copy instead
                shutil.copyfile(part, link)
        yield Path(tmp) / f"layer{path.suffix}"


# --------------------------------------------------------------------------- reading


def list_layers(path: str | Path) -> list[str]:
    """Return the layer names inside a vector file (one name for single-layer files)."""
    path = check_input_file(path)
    _check_sidecars(path)
    try:
        with _gdal_path(path) as gdal_path:
            return [str(row[0]) for row in pyogrio.list_layers(gdal_path)]
    except Exception as exc:
        raise ReadError(f"{path}: cannot list layers ({exc})") from exc


def read_file(
    path: str | Path,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    max_rows: int | None = None,
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
    max_rows
        Read only the first rows (a preview); GIS files stop reading there.

    Raises
    ------
    ReadError
        When the file is missing, empty, not a regular file, of an unknown kind or
        unreadable.
    """
    path = check_input_file(path)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _read_zip(path, layer=layer, encoding=encoding).iloc[:max_rows]
    if suffix in TABLE_SUFFIXES:
        return read_table(path, sheet=layer, encoding=encoding).iloc[:max_rows]
    if suffix not in VECTOR_SUFFIXES:
        raise ReadError(
            f"{path}: unknown file type '{suffix}'; use GeoPackage, GeoJSON, Shapefile "
            "(.shp or .zip), CSV or XLSX"
        )
    _check_sidecars(path)
    if suffix == ".shp":
        _check_shapefile_counts(path)
        encoding = encoding or detect_shapefile_encoding(path)
    kwargs: dict[str, Any] = {}
    if encoding:
        kwargs["encoding"] = encoding
    if max_rows is not None:
        kwargs["max_features"] = max_rows
    try:
        with _gdal_path(path) as gdal_path:
            frame = _read_vector(gdal_path, layer, kwargs)
    except Exception as exc:
        if suffix in (".geojson", ".json") and layer is None:
            frame = _read_geojson_text(path, exc)
        else:
            raise _vector_error(path, layer, exc) from exc
    if not isinstance(frame, gpd.GeoDataFrame):
        raise ReadError(f"{path}: the table has no geometry column")
    return frame.iloc[:max_rows]


def _vector_error(path: Path, layer: str | None, exc: Exception) -> ReadError:
    if layer:
        try:
            names = [str(row[0]) for row in pyogrio.list_layers(path)]
        except Exception:
            names = []
        if names and layer not in names:
            return ReadError(f"{path}: no layer '{layer}' in the file; layers there: "
                             f"{', '.join(names)}")
    if "not recognized as being in a supported file format" in str(exc):
        return ReadError(f"{path}: not a valid {path.suffix} file (damaged, or another format "
                         "with this ending): open it in QGIS to check, or export it again")
    return ReadError(f"{path}: cannot read{f' layer {layer}' if layer else ''}: {exc}")


def _read_vector(path: Path, layer: str | None, kwargs: dict[str, Any]) -> Any:
    with warnings.catch_warnings():
        # GDAL's notes on what it mended while reading (an unclosed ring) are
        # not for the user: validation reports what matters, by row.
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return pyogrio.read_dataframe(path, layer=layer, **kwargs)
        except UnicodeDecodeError:
            # Shapefile field names cut at 10 bytes can split a UTF-8 character; the
            # values are usually fine, so fall back to an encoding that never fails.
            if path.suffix.lower() != ".shp":
                raise
            return pyogrio.read_dataframe(path, layer=layer, encoding="gb18030")
        except shapely.errors.GEOSException:
            return _read_vector_lenient(path, layer, kwargs)


def _read_vector_lenient(path: Path, layer: str | None, kwargs: dict[str, Any]) -> Any:
    """Read a layer where GEOS cannot build some shapes (a ring of two points).

    Those shapes read as missing, so validation names their rows instead of the
    whole file being refused.
    """
    meta, _, wkb, fields = pyogrio.raw.read(path, layer=layer, **kwargs)
    data = dict(zip(meta["fields"], fields, strict=True))
    geometry = shapely.from_wkb(wkb, on_invalid="ignore") if wkb is not None else None
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geometry), crs=meta["crs"])


def _read_geojson_text(path: Path, gdal_error: Exception) -> gpd.GeoDataFrame:
    """Read a GeoJSON GDAL refused (its parser stops at a 10 MB text value) with json."""
    error = _vector_error(path, None, gdal_error)
    if path.stat().st_size > TEXT_MAX_BYTES:
        raise error from gdal_error
    try:
        data = json.loads(_decode_text(path, None)[0])  # GBK GeoJSON is met too
        features = data["features"] if data.get("type") == "FeatureCollection" else [data]
        crs: Any = CRS.from_epsg(4326)
        name = (data.get("crs") or {}).get("properties", {}).get("name")
        if name:
            crs = CRS.from_user_input(name)
        return gpd.GeoDataFrame.from_features(features, crs=crs)
    except Exception as exc:  # any shape of broken JSON: report what GDAL said
        raise error from exc


def _read_zip(path: Path, *, layer: str | None, encoding: str | None) -> gpd.GeoDataFrame:
    """Read the shapefile inside a zip archive, unpacking only its parts, only into tmp."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist() if not i.is_dir()]
            shps = [i for i in members if i.filename.lower().endswith(".shp")]
            if not shps:
                raise ReadError(f"{path}: the archive holds no .shp file")
            pick = shps[0]
            if layer:
                named = [i for i in shps if _zip_stem(i) == layer]
                if not named:
                    raise ReadError(f"{path}: no shapefile '{layer}' in the archive; it holds "
                                    f"{', '.join(_zip_stem(i) for i in shps)}")
                pick = named[0]
            base = pick.filename[: -len(".shp")]
            parts = {}
            for info in members:
                rest = info.filename[len(base):]
                if info.filename.startswith(base) and re.fullmatch(r"(\.[\w-]+)+", rest):
                    parts[rest.lower()] = info
            _check_zip_members(path, list(parts.values()))
            with tempfile.TemporaryDirectory(prefix="gridplanner-zip-") as tmp:
                stem = re.sub(r"[^\w-]", "_", _zip_stem(pick)) or "layer"
                for suffix, info in parts.items():
                    with archive.open(info) as src, open(Path(tmp) / (stem + suffix),
                                                          "wb") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
                inner = Path(tmp) / f"{stem}.shp"
                try:
                    return read_file(inner, encoding=encoding)
                except ReadError as exc:
                    raise ReadError(exc.message.replace(str(inner), f"{path} ({pick.filename})")
                                    ) from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            EOFError, OSError, zlib.error) as exc:
        raise ReadError(f"{path}: not a valid zip archive or cannot be unpacked ({exc})") \
            from exc


def _zip_stem(info: zipfile.ZipInfo) -> str:
    """Return a member's file stem, its name read as GBK unless the archive says UTF-8."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeError):
            name = name.encode("cp437").decode("gb18030")
    return Path(name.replace("\\", "/")).stem


def _check_zip_members(
    path: Path, members: list[zipfile.ZipInfo], *, limit: int | None = None
) -> None:
    """Refuse encrypted members, zip bombs and more than ``limit`` bytes unpacked."""
    limit = ZIP_MAX_BYTES if limit is None else limit
    for info in members:
        if info.flag_bits & 0x1:
            raise ReadError(f"{path}: {info.filename} is password-protected: unpack the "
                            "archive with its password and import the .shp file")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _ZIP_RATIO_FROM_BYTES and ratio > ZIP_MAX_RATIO:
            raise ReadError(f"{path}: {info.filename} would unpack to {_size(info.file_size)} "
                            f"from {_size(info.compress_size)} ({ratio:,.0f} times): refused "
                            "as a probable zip bomb; unpack it yourself if you trust it")
    total = sum(i.file_size for i in members)
    if total > limit:
        raise ReadError(f"{path}: the contents would unpack to {_size(total)}, more than the "
                        f"{_size(limit)} allowed: save the layer as a GeoPackage (or, for a "
                        "zipped shapefile, unpack it yourself and import the .shp)")


def _size(n: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} bytes"  # pragma: no cover


def _check_shapefile_counts(path: Path) -> None:
    """Refuse a shapefile whose .dbf holds another number of records than its shapes."""
    shx = next((p for p in _sidecars(path) if p.suffix.lower() == ".shx"), None)
    dbf = next((p for p in _sidecars(path) if p.suffix.lower() == ".dbf"), None)
    if shx is None or dbf is None:
        return
    shapes = (shx.stat().st_size - 100) // 8
    with open(dbf, "rb") as f:
        head = f.read(8)
    if len(head) < 8 or shapes < 0:
        return
    records = int.from_bytes(head[4:8], "little")
    if records != shapes:
        raise ReadError(f"{path}: the .shp holds {shapes:,} shapes but the .dbf "
                        f"{records:,} attribute records: the files do not belong together or "
                        "one was cut short; export the layer again")


def detect_shapefile_encoding(path: Path) -> str:
    """Return the attribute encoding of a shapefile.

    A ``.cpg`` file naming a known encoding wins; otherwise the ``.dbf`` bytes are
    tried as UTF-8, then as GB18030 (a superset of GBK and GB2312, which Chinese GIS
    tools write without saying so) or Big5, whichever reads as more common text.
    """
    for cpg in (path.with_suffix(".cpg"), path.with_suffix(".CPG")):
        if cpg.is_file():
            with open(cpg, "rb") as f:
                name = f.read(64).decode("ascii", errors="ignore").strip().lower()
            name = _CPG_NAMES.get(name, name)
            with contextlib.suppress(LookupError):
                codecs.lookup(name)
                return name
    dbf = next((p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF")) if p.is_file()),
               None)
    if dbf is None:
        return "utf-8"
    with open(dbf, "rb") as f:
        data = f.read(_SNIFF_BYTES)
    header_len = int.from_bytes(data[8:10], "little") if len(data) > 10 else 0
    body = data[header_len:]
    if not any(b >= 0x80 for b in body):
        return "utf-8"
    found = _guess_encoding(body, final=len(data) < _SNIFF_BYTES)
    return found or "latin-1"


def _guess_encoding(raw: bytes, *, final: bool) -> str | None:
    """Tell UTF-8, GB18030 and Big5 apart; ``None`` when none of them decodes ``raw``.

    GB18030 decodes almost any bytes, Big5 text included; when both decode, the one
    whose characters are more often common Chinese characters or punctuation wins.
    """
    decoded = {}
    for candidate in ("utf-8", "gb18030", "big5"):
        try:
            decoded[candidate] = codecs.getincrementaldecoder(candidate)().decode(raw, final)
        except UnicodeDecodeError:
            continue
        if candidate == "utf-8":
            return candidate
    if len(decoded) == 2:
        return max(decoded, key=lambda c: (_common_share(decoded[c], c), c == "gb18030"))
    return next(iter(decoded), None)


def _common_share(text: str, encoding: str) -> float:
    """Share of non-ASCII characters that are common in text of that encoding."""
    chars = [c for c in text[:200_000] if ord(c) > 0x7F]
    if not chars:
        return 1.0
    # GB2312 level-1 characters (lead bytes B0-D7) are the 3,755 most used
    # simplified ones; Big5 A4-C6 holds the 5,401 most used traditional ones.
    lead = (0xB0, 0xD7) if encoding == "gb18030" else (0xA4, 0xC6)
    codec = "gb2312" if encoding == "gb18030" else "big5"
    good = 0
    for c in chars:
        if "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef":
            good += 1
            continue
        try:
            first = c.encode(codec)[0]
        except UnicodeEncodeError:
            continue
        good += lead[0] <= first <= lead[1]
    return good / len(chars)


def _decode_text(path: Path, encoding: str | None) -> tuple[str, str]:
    raw = path.read_bytes()
    candidates: tuple[str, ...]
    if encoding:
        candidates = (encoding,)
    elif raw.startswith(codecs.BOM_UTF8):
        candidates = ("utf-8-sig",)
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)  # Excel's "Unicode text"
    else:
        guess = _guess_encoding(raw[:_SNIFF_BYTES], final=len(raw) <= _SNIFF_BYTES)
        candidates = tuple(dict.fromkeys(c for c in (guess, "utf-8", "gb18030", "big5") if c))
    for candidate in candidates:
        try:
            text = raw.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        if not encoding and candidate in ("gb18030", "big5"):
            _check_one_encoding(path, raw, candidate.upper())
        return text, candidate
    if not encoding:
        _check_one_encoding(path, raw, "in another encoding")
    raise ReadError(
        f"{path}: the text is neither UTF-8, UTF-16, GBK/GB18030 nor Big5; save it as UTF-8 "
        "and try again"
    )


def _check_one_encoding(path: Path, raw: bytes, other: str) -> None:
    """Refuse text whose lines are partly UTF-8 and partly ``other`` (e.g. ``GB18030``).

    Files pasted together from two sources decode as GB18030 whole, the UTF-8
    lines turning into other, wrong characters without any error.
    """
    utf8_rows: list[int] = []
    other_rows: list[int] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if line.isascii():
            continue
        try:
            decoded = line.decode("utf-8")
        except UnicodeDecodeError:
            other_rows.append(number)
            continue
        # A short line of GBK bytes can happen to be valid UTF-8; four characters cannot.
        if sum(ord(c) > 0x7F for c in decoded) >= 4:
            utf8_rows.append(number)
    if utf8_rows and other_rows:
        raise ReadError(
            f"{path}: the text mixes two encodings: line {utf8_rows[0]} is UTF-8, line "
            f"{other_rows[0]} is {other}; save the whole file in one encoding "
            "(UTF-8) and try again")


def _check_unique_header(path: Path, table: pd.DataFrame, header: list[Any]) -> pd.DataFrame:
    """Drop a repeated column holding the same values; refuse one holding others."""
    names = [str(h).strip() for h in header]
    seen: dict[str, int] = {}
    drop = []
    for i, name in enumerate(names):
        if name not in seen:
            seen[name] = i
            continue
        first, again = table.iloc[:, seen[name]], table.iloc[:, i]
        if not first.fillna("").astype(str).equals(again.fillna("").astype(str)):
            raise ReadError(f"{path}: column '{name}' appears twice (columns {seen[name] + 1} "
                            f"and {i + 1}) with different values; rename or delete one")
        drop.append(i)
    if not drop:
        return table
    return table.iloc[:, [i for i in range(table.shape[1]) if i not in drop]]


def _sniff_delimiter(text: str) -> str:
    """Return the delimiter (comma, tab, semicolon or pipe) splitting the first lines evenly."""
    lines = text[: 1 << 16].splitlines()[:50]
    if len(text) > 1 << 16 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    lines = [line for line in lines if line.strip()]
    best, best_score = ",", (0, 0)
    for sep in (",", "\t", ";", "|"):
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=sep)]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        score = (sum(c == counts[0] for c in counts), counts[0])
        if score > best_score:
            best, best_score = sep, score
    return best


def read_table(
    path: str | Path, *, sheet: str | None = None, encoding: str | None = None
) -> gpd.GeoDataFrame:
    """Read a CSV or XLSX table with lon/lat, x/y or WKT columns into a GeoDataFrame.

    Cells are read as text (an 18-digit id keeps its digits; numbers are converted
    by validation). CSV files are split on commas, tabs, semicolons or pipes,
    whichever splits them evenly. The CRS is WGS84 when lon/lat columns are found,
    otherwise left unset (the caller gives it or it is guessed from the coordinate
    ranges).
    """
    path = check_input_file(path)
    if path.suffix.lower() in (".xlsx", ".xls"):
        table = _read_spreadsheet(path, sheet)
    else:
        size = path.stat().st_size
        if size > TEXT_MAX_BYTES:
            raise ReadError(f"{path}: too large to read as a text table ({_size(size)}, at "
                            f"most {_size(TEXT_MAX_BYTES)}): save it as a GeoPackage")
        text, _ = _decode_text(path, encoding)
        sep = _sniff_delimiter(text)
        try:
            table = pd.read_csv(io.StringIO(text), sep=sep, dtype=str,
                                keep_default_na=False, na_values=[""])
            header = next(csv.reader(io.StringIO(text), delimiter=sep), [])
        except Exception as exc:
            raise ReadError(f"{path}: cannot read CSV: {exc}") from exc
        if len(header) == table.shape[1]:
            table = _check_unique_header(path, table, header)
    if table.empty:
        raise ReadError(f"{path}: the table has no rows")
    return _table_geometry(table, path)


def _read_spreadsheet(path: Path, sheet: str | None) -> pd.DataFrame:
    if path.suffix.lower() == ".xlsx" and zipfile.is_zipfile(path):
        # An .xlsx is a zip archive of XML: check what it unpacks to before parsing.
        with zipfile.ZipFile(path) as archive:
            _check_zip_members(path, archive.infolist(), limit=TEXT_MAX_BYTES)
    try:
        # Objects, not numbers: ids stay as the cells hold them (text stays text).
        table = pd.read_excel(path, sheet_name=sheet or 0, dtype=object,
                              keep_default_na=False, na_values=[""])
        header = pd.read_excel(path, sheet_name=sheet or 0, header=None, nrows=1,
                               dtype=object).iloc[0].tolist() if table.shape[1] else []
    except Exception as exc:
        raise ReadError(f"{path}: cannot read spreadsheet{f' sheet {sheet}' if sheet else ''}: "
                        f"{exc}") from exc
    if table.isna().to_numpy().any():
        _check_formulas(path, sheet)
    if len(header) == table.shape[1]:
        table = _check_unique_header(path, table, header)
    return table


def _check_formulas(path: Path, sheet: str | None) -> None:
    """Refuse formula cells the file holds no computed value for (they read as empty)."""
    try:
        import openpyxl

        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # pandas read it; this second look is only a bonus
        return
    try:
        ws_f = formulas[sheet] if sheet else formulas.worksheets[0]
        ws_v = values[sheet] if sheet else values.worksheets[0]
        missing = []
        header: list[Any] = []
        for row_f, row_v in zip(ws_f.iter_rows(), ws_v.iter_rows(), strict=False):
            header = header or [getattr(c, "value", None) for c in row_v]
            for i, (cell_f, cell_v) in enumerate(zip(row_f, row_v, strict=False)):
                value = getattr(cell_f, "value", None)
                if isinstance(value, str) and value.startswith("=") and cell_v.value is None:
                    name = header[i] if i < len(header) else None
                    missing.append(cell_f.coordinate + (f" (column {name})" if name else ""))
            if len(missing) >= 5:
                break
    finally:
        formulas.close()
        values.close()
    if missing:
        raise ReadError(f"{path}: cell {', '.join(missing)} holds a formula without a saved "
                        "result (the file was written by a program that does not calculate): "
                        "open it in Excel or WPS and save it, or paste the values")


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
        x, y = _numbers(table[lon_col]), _numbers(table[lat_col])
        _check_not_swapped(x, y, lon_col, lat_col, path)
        geom = np.asarray(shapely.points(x, y), dtype=object)
        geom[~(np.isfinite(x) & np.isfinite(y))] = None
        rest = table.drop(columns=[lon_col, lat_col])
        frame = gpd.GeoDataFrame(rest, geometry=gpd.GeoSeries(geom, index=table.index))
        return _degrees_as_wgs84(frame)
    wkt_col = _find_column(cols, _WKT_NAMES)
    if wkt_col:
        text = table[wkt_col].astype(object).where(table[wkt_col].notna(), None)
        geom = shapely.from_wkt(text.to_numpy(), on_invalid="ignore")
        rest = table.drop(columns=[wkt_col])
        return _degrees_as_wgs84(
            gpd.GeoDataFrame(rest, geometry=gpd.GeoSeries(geom, index=table.index)))
    raise ReadError(
        f"{path}: no coordinate columns found; name them lon/lat (经度/纬度), x/y or WKT. "
        f"Columns present: {', '.join(map(str, cols))}"
    )


def _numbers(values: pd.Series) -> np.ndarray:
    text = values.map(lambda v: v.strip() if isinstance(v, str) else v)
    return np.asarray(pd.to_numeric(text, errors="coerce"), dtype=float)


def _check_not_swapped(x: np.ndarray, y: np.ndarray, lon: str, lat: str, path: Path) -> None:
    """Refuse longitude and latitude columns whose names were swapped."""
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.any() and np.mean((np.abs(x[ok]) <= 90) & (np.abs(y[ok]) > 90)
                            & (np.abs(y[ok]) <= 180)) > 0.5:
        raise ReadError(f"{path}: columns '{lon}' and '{lat}' look swapped: '{lat}' holds "
                        "values above 90, which no latitude has; swap the two column names")


def _degrees_as_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Declare WGS84 when most rows are degrees (a stray row is reported later, by row)."""
    guessed = guess_crs(frame)
    return frame.set_crs(WGS84) if guessed is not None and guessed.equals(WGS84) else frame


def load_layer(
    path: str | Path,
    kind: str,
    *,
    layer: str | None = None,
    source_crs: CRS | str | None = None,
    target_crs: CRS | None = None,
    encoding: str | None = None,
    mapping: LayerMapping | None = None,
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
    mapping
        File columns and values to read as the schema's (see :mod:`layers.mapping`).

    Raises
    ------
    ReadError, CRSError, SchemaError
        Each naming the file, and for schema problems every row at fault.
    """
    path = Path(path)
    schema = schema_for(kind)
    raw = apply_mapping(read_file(path, layer=layer, encoding=encoding), schema, mapping,
                        source=str(path))
    if source_crs is None and raw.crs is not None:
        check_coordinates(raw, source=str(path), layer=schema.name)
    target = target_crs
    if target is None and raw.crs is not None and source_crs is None and raw.crs.is_projected:
        target = raw.crs
    outliers: list[Problem] = []
    if target is None:
        wgs = reproject(raw, CRS.from_epsg(4326), source_crs=source_crs)
        chosen, outliers = choose_crs_for({schema.name: wgs})
        target = chosen or wgs.crs
        frame = wgs.to_crs(target)
    else:
        frame = reproject(raw, target, source_crs=source_crs)
    result = validate(frame, schema, source=str(path))
    found = name_rows([replace(p, source=str(path)) for p in outliers], result.frame, schema)
    return LoadedLayer(result.frame, found + result.warnings, str(path), encoding)


def write_layer(frame: gpd.GeoDataFrame, path: str | Path, *, layer: str) -> None:
    """Write a layer to a GeoPackage (added beside other layers) or GeoJSON (WGS84).

    The file is written under a temporary plain name (so a name GDAL would cut,
    ``a;b.gpkg``, is kept) and moved into place in one step: a GeoPackage that
    exists is copied, the layer written into the copy (replacing a layer of that
    name), and the copy moved over it, so a failed write leaves the old file whole.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".geojson", ".json", ".gpkg"):
        raise ReadError(f"{path}: can only write .gpkg or .geojson")
    with atomic_target(path) as tmp:
        if suffix == ".gpkg":
            if path.is_file():
                shutil.copyfile(path, tmp)
            pyogrio.write_dataframe(_gpkg_safe(frame), tmp, layer=layer, driver="GPKG")
        else:
            out = frame.to_crs(4326) if frame.crs is not None else frame
            pyogrio.write_dataframe(out, tmp, driver="GeoJSON")


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
            # An empty text cell may be NaN after pandas operations: keep it empty, not "nan".
            out[name] = col.map(lambda v: v if v is None or isinstance(v, str) else (
                None if isinstance(v, float) and v != v else str(v)))
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
    tmp = target.with_name(f".{plain_stem(target.stem)}.tmp-{os.getpid()}{target.suffix}")
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
