"""Camera record checks, and the effective camera values coverage uses.

Camera tables from several suppliers are messy; the layer loads with warnings and
keeps the raw values. :func:`check_cameras` lists every row with a missing or
impossible value, with the reason and what coverage does about it;
:func:`resolve_cameras` turns the rows into the arrays coverage draws from.

How coverage treats each problem (also written into the ``action`` column):

- no position (empty or non-finite point): the camera is left out;
- ``range_m`` empty, not positive, not finite or above ``max_range_m`` (1000 m by
  default): the default range of the camera's category is used (a range of 0 is
  usually "not filled in"; 5000 is usually a unit mistake; the camera exists, so
  dropping it would understate coverage);
- ``fov_deg`` empty or outside (0, 360] on a camera with an azimuth: the
  category's default field of view is used;
- ``azimuth_deg`` outside [0, 360): read modulo 360 (-90 is 270, 370 is 10);
- ``category`` empty or not 1, 2 or 3: the camera counts under "all" only, and
  takes the defaults of the category with the shortest default range (the cautious
  choice);
- ``status`` neither online nor offline: counted as online;
- duplicate ids, duplicate positions, and cameras outside every grid are listed
  and kept: two records on one pole are common and the union of views does not
  double count; a camera outside the grids may still see into one.

Defaults by category come from the project settings
(:func:`gridplanner.settings.camera_defaults`; as shipped: category 1 range 60 m,
fov 90 degrees; category 2 35 m, 80 degrees; category 3 25 m, 70 degrees), i.e. the
usable identification distance of Sharp Eyes mast cameras and of compound and
shop wall cameras rather than the lens's theoretical reach.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridplanner.i18n import _

#: Largest range (m) taken at face value; larger values are treated as mistakes.
MAX_RANGE_M = 1000.0

#: Cameras closer than this (m) are reported as sharing one position.
DUPLICATE_POSITION_M = 0.1

ISSUE_COLUMNS = ["camera_id", "row", "column", "value", "reason", "action"]


@dataclass(frozen=True)
class ResolvedCameras:
    """Effective camera values, one entry per row of the cameras layer.

    Attributes
    ----------
    camera_id
        Ids as text (``"row N"`` where the id is empty).
    x, y
        Position (NaN where the row has no usable point).
    category
        1, 2 or 3; 0 where missing or invalid (counted under "all" only).
    range_m, azimuth_deg, fov_deg
        Values coverage draws with (defaults filled; azimuth NaN = all-round).
    online
        Status is not ``offline``.
    usable
        The row has a usable position.
    """

    camera_id: np.ndarray
    x: np.ndarray
    y: np.ndarray
    category: np.ndarray
    range_m: np.ndarray
    azimuth_deg: np.ndarray
    fov_deg: np.ndarray
    online: np.ndarray
    usable: np.ndarray

    def __len__(self) -> int:
        return len(self.camera_id)

    def take(self, index: np.ndarray) -> ResolvedCameras:
        """Return the cameras at ``index`` (positions in this object)."""
        return ResolvedCameras(*(getattr(self, f)[index] for f in _FIELDS))


_FIELDS = ("camera_id", "x", "y", "category", "range_m", "azimuth_deg", "fov_deg",
           "online", "usable")


def resolve_cameras(
    cameras: gpd.GeoDataFrame,
    *,
    defaults: dict[int, dict[str, float]],
    max_range_m: float = MAX_RANGE_M,
) -> tuple[ResolvedCameras, pd.DataFrame]:
    """Effective values of every camera row, and the problems met on the way.

    Parameters
    ----------
    cameras
        Cameras layer (raw values kept by validation); not modified.
    defaults
        ``{category: {"range_m": .., "fov_deg": ..}}``, e.g. from
        :func:`gridplanner.settings.camera_defaults`.
    max_range_m
        Ranges above this are treated as mistakes and replaced by the default.

    Returns
    -------
    tuple
        :class:`ResolvedCameras` and a frame of value problems with the columns
        ``position`` (row position), ``column``, ``value``, ``reason``, ``action``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> cams = gpd.GeoDataFrame({"camera_id": ["a"], "category": [1], "range_m": [-5.0],
    ...     "azimuth_deg": [370.0], "fov_deg": [None]}, geometry=[shapely.Point(0, 0)])
    >>> res, issues = resolve_cameras(cams, defaults={1: {"range_m": 60.0, "fov_deg": 90.0}})
    >>> float(res.range_m[0]), float(res.azimuth_deg[0]), float(res.fov_deg[0])
    (60.0, 10.0, 90.0)
    >>> issues["column"].tolist()
    ['range_m', 'azimuth_deg', 'fov_deg']
    """
    n = len(cameras)
    problems = _Problems()
    add = problems.add
    ids = _text(cameras, "camera_id", n)
    no_id = pd.isna(ids)
    camera_id = ids.astype(object).copy()
    camera_id[no_id] = [_("row {n}", n=i + 1) for i in np.flatnonzero(no_id)]
    add(no_id, "camera_id", ids, _("camera_id is empty"), _("kept, shown by its row number"))
    xy, usable = _positions(cameras, add)
    category, def_range, def_fov = _categories(cameras, defaults, add)
    range_m = _ranges(cameras, usable, def_range, max_range_m, add)
    azimuth, fov = _directions(cameras, usable, def_fov, add)

    status = _text(cameras, "status", n)
    status = np.where(pd.isna(status), "online", status)
    status_l = np.char.lower(status.astype(str))
    add(~np.isin(status_l, ("online", "offline")), "status", status,
        _("status is neither online nor offline"), _("counted as online"))

    camera = ResolvedCameras(
        camera_id=camera_id,
        x=xy[:, 0],
        y=xy[:, 1],
        category=category,
        range_m=range_m.astype("float64"),
        azimuth_deg=azimuth.astype("float64"),
        fov_deg=fov.astype("float64"),
        online=status_l != "offline",
        usable=usable,
    )
    return camera, _problem_frame(problems.found)


class _Problems:
    """Value problems met while resolving cameras: (rows, column, values, reason, action)."""

    def __init__(self) -> None:
        self.found: list[tuple[np.ndarray, str, np.ndarray, Any, Any]] = []

    def add(self, mask: np.ndarray, column: str, values: np.ndarray, reason: Any,
            action: Any) -> None:
        if mask.any():
            self.found.append((np.flatnonzero(mask), column, values, reason, action))


_Add = Callable[[np.ndarray, str, np.ndarray, Any, Any], None]


def _positions(cameras: gpd.GeoDataFrame, add: _Add) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of each camera (a multipoint's first point) and whether usable."""
    n = len(cameras)
    geom = cameras.geometry.to_numpy() if n else np.empty(0, dtype=object)
    point = np.asarray(shapely.get_type_id(geom) == 0) & ~np.asarray(shapely.is_empty(geom))
    multi = np.asarray(shapely.get_type_id(geom) == 4) & ~np.asarray(shapely.is_empty(geom))
    first = np.where(multi, shapely.get_geometry(geom, 0), geom)
    xy = np.full((n, 2), np.nan)
    has = point | multi
    if has.any():
        xy[has] = shapely.get_coordinates(first[has])[:, :2]
    usable = has & np.isfinite(xy).all(axis=1)
    add(~usable, "geometry", np.full(n, "", dtype=object),
        _("no usable position (empty, not a point or not finite)"),
        _("left out of coverage"))
    return xy, usable


def _categories(cameras: gpd.GeoDataFrame, defaults: dict[int, dict[str, float]],
                add: _Add) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Category of each camera (0: unknown) and its default range and field of view.

    A camera of unknown category takes the defaults of the category seeing least far.
    """
    n = len(cameras)
    category_raw = _number(cameras, "category", n)
    valid_cat = np.isin(category_raw, (1.0, 2.0, 3.0))
    category = np.where(valid_cat, np.nan_to_num(category_raw), 0).astype("int64")
    cautious = min(defaults, key=lambda c: (defaults[c]["range_m"], c)) if defaults else 0
    fallback = _("counted under 'all' only; category {category} defaults used",
                 category=cautious)
    add(np.isnan(category_raw), "category", category_raw, _("category is empty"), fallback)
    add(~np.isnan(category_raw) & ~valid_cat, "category", category_raw,
        _("category is not 1, 2 or 3"), fallback)
    default_cat = np.where(valid_cat, category, cautious)
    return (category, _lookup(defaults, default_cat, "range_m", 25.0),
            _lookup(defaults, default_cat, "fov_deg", 90.0))


def _ranges(cameras: gpd.GeoDataFrame, usable: np.ndarray, def_range: np.ndarray,
            max_range_m: float, add: _Add) -> np.ndarray:
    """View range of each camera: its own, else (empty, not positive, too long) the default."""
    range_raw = _number(cameras, "range_m", len(cameras))
    range_m = range_raw.copy()
    empty = np.isnan(range_raw)
    finite = np.isfinite(range_raw)
    nonpos = finite & (range_raw <= 0)
    large = (finite & (range_raw > max_range_m)) | (np.isinf(range_raw))
    bad_range = empty | nonpos | large
    range_m[bad_range] = def_range[bad_range]

    def default_text(r: int) -> str:
        return _("default {m:g} m used", m=def_range[r])

    add(empty & usable, "range_m", range_raw, _("range_m is empty"), default_text)
    add(nonpos, "range_m", range_raw, _("range_m is not positive"), default_text)
    add(large, "range_m", range_raw, _("range_m is above {m:g} m", m=max_range_m),
        default_text)
    return range_m


def _directions(cameras: gpd.GeoDataFrame, usable: np.ndarray, def_fov: np.ndarray,
                add: _Add) -> tuple[np.ndarray, np.ndarray]:
    """Azimuth (NaN: all round) and field of view of each camera."""
    n = len(cameras)
    az_raw = _number(cameras, "azimuth_deg", n)
    az_bad = np.isfinite(az_raw) & ((az_raw < 0) | (az_raw >= 360))
    azimuth = np.where(np.isfinite(az_raw), np.mod(az_raw, 360.0), np.nan)
    add(az_bad, "azimuth_deg", az_raw, _("azimuth_deg is outside [0, 360)"),
        lambda r: _("read as {value:g}", value=azimuth[r]))

    fov_raw = _number(cameras, "fov_deg", n)
    fov_bad = np.isfinite(fov_raw) & ((fov_raw <= 0) | (fov_raw > 360))
    fov_bad |= np.isinf(fov_raw)
    directed = ~np.isnan(azimuth)
    fov_empty = np.isnan(fov_raw) & directed
    fov = np.where(fov_bad | fov_empty, def_fov, fov_raw)
    fov = np.where(directed, fov, 360.0)

    def fov_text(r: int) -> str:
        return _("default {degrees:g} degrees used", degrees=def_fov[r])

    add(fov_empty & usable, "fov_deg", fov_raw, _("fov_deg is empty"), fov_text)
    add(fov_bad & directed, "fov_deg", fov_raw, _("fov_deg is outside (0, 360]"), fov_text)
    add(fov_bad & ~directed, "fov_deg", fov_raw, _("fov_deg is outside (0, 360]"),
        _("ignored: the camera has no azimuth and sees all round"))
    return azimuth, fov


def check_cameras(
    cameras: gpd.GeoDataFrame,
    grids: gpd.GeoDataFrame | None = None,
    *,
    defaults: dict[int, dict[str, float]],
    max_range_m: float = MAX_RANGE_M,
    duplicate_position_m: float = DUPLICATE_POSITION_M,
) -> gpd.GeoDataFrame:
    """List camera rows with missing or impossible values, with reason and action.

    Parameters
    ----------
    cameras
        Cameras layer; not modified.
    grids
        Grids layer, to find cameras outside every grid (skipped when None).
    defaults
        Camera defaults by category (see :func:`resolve_cameras`).
    max_range_m
        Ranges above this are reported as impossible.
    duplicate_position_m
        Cameras closer than this are reported as sharing a position.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per problem: ``camera_id``, ``row`` (1-based row in the layer),
        ``column``, ``value`` (as text), ``reason``, ``action``, point geometry.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> cams = gpd.GeoDataFrame({"camera_id": ["a", "a"], "category": [1, 2],
    ...     "range_m": [30.0, 0.0]}, geometry=[shapely.Point(0, 0), shapely.Point(5, 0)])
    >>> check_cameras(cams, defaults={1: {"range_m": 60.0, "fov_deg": 90.0},
    ...     2: {"range_m": 35.0, "fov_deg": 80.0}})[["row", "reason"]].values.tolist()
    [[2, 'range_m is not positive'], [2, 'camera_id is used by an earlier row']]
    """
    resolved, value_issues = resolve_cameras(cameras, defaults=defaults,
                                             max_range_m=max_range_m)
    parts = [value_issues]
    parts.append(_duplicate_ids(resolved, cameras))
    parts.append(_duplicate_positions(resolved, duplicate_position_m))
    if grids is not None:
        parts.append(_outside_grids(resolved, grids))
    table = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
        len(p) for p in parts) else _problem_frame([])
    pos = table["position"].to_numpy(dtype="int64")
    geometry = np.full(len(pos), None, dtype=object)
    if len(pos):
        ok = resolved.usable[pos]
        geometry[ok] = shapely.points(resolved.x[pos][ok], resolved.y[pos][ok])
    out = pd.DataFrame({
        "camera_id": resolved.camera_id[pos].astype(str) if len(pos) else [],
        "row": pos + 1,
        "column": table["column"].to_numpy(),
        "value": table["value"].to_numpy(),
        "reason": table["reason"].to_numpy(),
        "action": table["action"].to_numpy(),
    })
    order = np.argsort(pos, kind="stable")
    return gpd.GeoDataFrame(out.iloc[order].reset_index(drop=True),
                            geometry=gpd.GeoSeries(geometry[order], crs=cameras.crs),
                            crs=cameras.crs)


def _duplicate_ids(resolved: ResolvedCameras, cameras: gpd.GeoDataFrame) -> pd.DataFrame:
    ids = pd.Series(_text(cameras, "camera_id", len(resolved)))
    dup = (ids.notna() & ids.duplicated(keep="first")).to_numpy()
    if not dup.any():
        return _problem_frame([])
    first_row = pd.Series(np.arange(len(ids))).groupby(ids.to_numpy()).transform("min")
    first_row = first_row.fillna(-1).to_numpy(dtype="int64")
    actions = np.array([_("kept; row {n} has the same id", n=int(r) + 1) for r in first_row],
                       dtype=object)
    return _problem_frame([(np.flatnonzero(dup), "camera_id", ids.to_numpy(),
                            _("camera_id is used by an earlier row"), actions)])


def _duplicate_positions(resolved: ResolvedCameras, tolerance_m: float) -> pd.DataFrame:
    idx = np.flatnonzero(resolved.usable)
    if len(idx) < 2:
        return _problem_frame([])
    pts = np.asarray(shapely.points(resolved.x[idx], resolved.y[idx]), dtype=object)
    a, b = shapely.STRtree(pts).query(pts, predicate="dwithin", distance=tolerance_m)
    keep = a > b  # report the later row against the earliest one it meets
    if not keep.any():
        return _problem_frame([])
    later = idx[a[keep]]
    earlier = idx[b[keep]]
    first = pd.Series(earlier).groupby(later).min()
    rows = first.index.to_numpy()
    other = first.to_numpy()
    reason = np.empty(len(resolved), dtype=object)
    reason[rows] = [_("same position as camera {camera} (row {n})",
                      camera=resolved.camera_id[o], n=o + 1) for o in other]
    mask = np.zeros(len(resolved), dtype=bool)
    mask[rows] = True
    return _problem_frame([(np.flatnonzero(mask), "geometry", np.full(len(resolved), ""),
                            reason, _("kept; check they are distinct cameras on one pole"))])


def _outside_grids(resolved: ResolvedCameras, grids: gpd.GeoDataFrame) -> pd.DataFrame:
    idx = np.flatnonzero(resolved.usable)
    geoms = grids.geometry.to_numpy()
    if not len(idx):
        return _problem_frame([])
    pts = shapely.points(resolved.x[idx], resolved.y[idx])
    hit_pt, _grid = shapely.STRtree(geoms).query(pts, predicate="intersects")
    inside = np.zeros(len(idx), dtype=bool)
    inside[hit_pt] = True
    mask = np.zeros(len(resolved), dtype=bool)
    mask[idx[~inside]] = True
    return _problem_frame([(np.flatnonzero(mask), "geometry", np.full(len(resolved), ""),
                            _("outside every grid"),
                            _("kept; its view counts where it reaches a grid"))])


def _problem_frame(problems: list[tuple[np.ndarray, str, np.ndarray, Any, Any]]) -> pd.DataFrame:
    pos: list[np.ndarray] = []
    cols: list[str] = []
    vals: list[str] = []
    reasons: list[str] = []
    actions: list[str] = []
    for rows, column, values, reason, action in problems:
        pos.append(rows)
        cols += [column] * len(rows)
        vals += [_value_text(values[r]) for r in rows]
        reasons += [_pick(reason, int(r)) for r in rows]
        actions += [_pick(action, int(r)) for r in rows]
    return pd.DataFrame({
        "position": np.concatenate(pos) if pos else np.empty(0, dtype="int64"),
        "column": cols,
        "value": vals,
        "reason": reasons,
        "action": actions,
    })


def _pick(text: Any, row: int) -> str:
    """Text for one row from a constant, a per-row array or a function of the row."""
    if isinstance(text, np.ndarray):
        return str(text[row])
    if callable(text):
        return str(text(row))
    return str(text)


def _value_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    return str(value)


def _text(frame: pd.DataFrame, column: str, n: int) -> np.ndarray:
    if column not in frame.columns:
        return np.full(n, None, dtype=object)
    values = frame[column].to_numpy(dtype=object, na_value=None)
    out = np.full(n, None, dtype=object)
    present = np.flatnonzero(~pd.isna(values))
    if len(present):
        out[present] = [_id_text(v) for v in values[present]]
    out[np.flatnonzero(out == "")] = None
    return out


def _id_text(value: Any) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _number(frame: pd.DataFrame, column: str, n: int) -> np.ndarray:
    if column not in frame.columns:
        return np.full(n, np.nan)
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values):
        return np.asarray(values.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")
    raw = values.to_numpy(dtype=object, na_value=None)
    num = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce")
    return np.asarray(num.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")


def _lookup(defaults: dict[int, dict[str, float]], category: np.ndarray, key: str,
            fallback: float) -> np.ndarray:
    table = np.full(4, fallback)
    for cat, values in defaults.items():
        if 0 <= int(cat) <= 3 and key in values:
            table[int(cat)] = float(values[key])
    return table[np.clip(category, 0, 3)]
