"""Every result of a scenario as named layers, and writing them to a GeoPackage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridplanner.export.files import ExportError, check_target
from gridplanner.export.tables import without_personal
from gridplanner.feedback import Feedback, report
from gridplanner.i18n import _
from gridplanner.scenarios.figures import ScenarioFigures
from layers.io import write_geopackage as write_layers_atomically

#: Margin drawn around a worker's assigned households (m), so one or two points
#: still give an area.
_AREA_MARGIN_M = 15.0


def result_layers(figures: ScenarioFigures) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """Collect every result of a scenario under stable layer names.

    Names: ``grid_figures`` (grid polygons with the key per-grid figures),
    ``grid_findings`` (grid checks), the coverage layers (``grid_coverage``,
    ``coverage_gaps``, ``uncovered_households``, ``uncovered_intersections``,
    ``uncovered_roads``, ``camera_footprints``, ``camera_issues``), the
    allocation layers (``household_assignments``, ``staff_load``,
    ``unassigned_households``, ``staff_areas``: the area each worker serves, the
    convex hull of its households), and ``scenario_figures`` (a table).

    Parameters
    ----------
    figures
        Result of :func:`gridplanner.scenarios.key_figures`.

    Returns
    -------
    dict
        Layer name -> GeoDataFrame (or DataFrame for plain tables).
    """
    out: dict[str, gpd.GeoDataFrame | pd.DataFrame] = {}
    project = figures.project
    if project is not None and len(project.layer("grids")):
        grids = project.layer("grids")[["grid_id", "geometry"]].copy()
        grids["grid_id"] = grids["grid_id"].astype(str)
        table = figures.grids.drop(columns=["geometry"], errors="ignore")
        merged = grids.merge(table.drop_duplicates("grid_id"), on="grid_id", how="left")
        out["grid_figures"] = gpd.GeoDataFrame(merged, geometry="geometry", crs=grids.crs)
    checks = figures.results.get("checks")
    if checks is not None:
        out["grid_findings"] = checks.findings
    coverage = figures.results.get("coverage")
    if coverage is not None:
        out.update(coverage.layers())
    allocation = figures.results.get("allocation")
    if allocation is not None:
        out["household_assignments"] = allocation.assignments
        load = allocation.staff_load
        if len(figures.staff):
            extra = figures.staff[["staff_id", "role", "grid_id"]].drop_duplicates("staff_id")
            load = load.merge(extra, on="staff_id", how="left")
        out["staff_load"] = load
        out["unassigned_households"] = allocation.unassigned
        out["staff_areas"] = staff_areas(allocation.assignments, allocation.staff_load)
    out["scenario_figures"] = pd.DataFrame({"key": list(figures.figures),
                                            "value": list(figures.figures.values())})
    return out


def staff_areas(assignments: gpd.GeoDataFrame, staff: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the area each staff member serves: hull of its households and base.

    Examples
    --------
    >>> a = gpd.GeoDataFrame({"staff_id": ["w", "w", "w"]},
    ...     geometry=shapely.points([(0, 0), (100, 0), (0, 100)]))
    >>> s = gpd.GeoDataFrame({"staff_id": ["w"]}, geometry=[shapely.Point(0, 0)])
    >>> round(float(staff_areas(a, s).area[0]))  # triangle + 15 m margin
    10810
    """
    ids = pd.concat([assignments["staff_id"].astype(str), staff["staff_id"].astype(str)],
                    ignore_index=True)
    coords = np.vstack([shapely.get_coordinates(np.asarray(assignments.geometry.to_numpy(),
                                                           dtype=object)),
                        shapely.get_coordinates(np.asarray(staff.geometry.to_numpy(),
                                                           dtype=object))])
    if len(coords) != len(ids) or not len(ids):
        return gpd.GeoDataFrame({"staff_id": [], "households": []}, geometry=[],
                                crs=assignments.crs)
    codes, uniques = pd.factorize(ids)
    order = np.argsort(codes, kind="stable")  # multipoints wants grouped indices
    hulls = shapely.convex_hull(shapely.multipoints(coords[order], indices=codes[order]))
    hulls = shapely.buffer(hulls, _AREA_MARGIN_M, quad_segs=4)
    weight = assignments["households"] if "households" in assignments.columns else pd.Series(
        np.ones(len(assignments)))
    served = pd.Series(weight.to_numpy(dtype=float)).groupby(
        codes[: len(assignments)]).sum().reindex(range(len(uniques))).fillna(0)
    return gpd.GeoDataFrame({"staff_id": np.asarray(uniques, dtype=object),
                             "households": served.to_numpy()},
                            geometry=hulls, crs=assignments.crs)


def write_geopackage(
    layers: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    include_personal: bool = False,
    protect: Iterable[str | Path] = (),
    geometry_types: Mapping[str, str] | None = None,
    feedback: Feedback | None = None,
) -> Path:
    """Write layers (and plain tables) to a new GeoPackage, replacing the file atomically.

    Every GeoPackage of results (the app's, the command line's, the demo's and
    the batch runs') is written here. Personal staff columns (name, phone, ID
    number) are left out of staff layers (named ``staff...`` or with a
    ``staff_id`` column) unless ``include_personal``. ``protect`` lists files that
    must not be replaced (the open project and its autosave); GridPlanner project
    files are never replaced. ``geometry_types`` declares a layer's geometry type
    (``"MultiPolygon"`` ...), so an empty layer keeps it.

    Raises
    ------
    ExportError
        When the file cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.gpkg"
    >>> g = gpd.GeoDataFrame({"staff_id": ["a"], "phone": ["1"]},
    ...                      geometry=[shapely.Point(0, 0)], crs=4549)
    >>> _ = write_geopackage({"staff": g}, p)
    >>> gpd.read_file(p, layer="staff").columns.tolist()
    ['staff_id', 'geometry']
    """
    target = check_target(path, protect=protect)
    if not layers:
        raise ExportError(f"{target}: there are no result layers to write; run an analysis "
                          "first")
    frames: dict[str, pd.DataFrame] = {}
    for i, name in enumerate(layers):
        report(feedback, i / max(len(layers), 1), _("writing {name}", name=name))
        frame = layers[name] if include_personal else without_personal(layers[name], name)
        frames[name] = frame if isinstance(frame, gpd.GeoDataFrame) else _plain_table(frame)
    try:
        write_layers_atomically(frames, target, geometry_types=geometry_types)
    except Exception as exc:
        raise ExportError(f"{target}: cannot write the GeoPackage ({exc})") from exc
    report(feedback, 1.0, _("written"))
    return target


def add_layer(
    frame: gpd.GeoDataFrame,
    path: str | Path,
    *,
    layer: str,
    include_personal: bool = False,
    protect: Iterable[str | Path] = (),
) -> Path:
    """Write one result layer beside a GeoPackage's other layers, or as GeoJSON.

    The file is replaced in one step (a layer of the same name is replaced);
    personal staff columns and protected files as in :func:`write_geopackage`.

    Raises
    ------
    ExportError
        When the file is refused or cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.geojson"
    >>> g = gpd.GeoDataFrame({"staff_id": ["a"], "phone": ["1"]},
    ...                      geometry=[shapely.Point(0, 0)], crs=4549)
    >>> gpd.read_file(add_layer(g, p, layer="staff")).columns.tolist()
    ['staff_id', 'geometry']
    """
    from layers.io import write_layer

    target = check_target(path, protect=protect)
    out = frame if include_personal else without_personal(frame, layer)
    try:
        write_layer(gpd.GeoDataFrame(out), target, layer=layer)
    except Exception as exc:
        raise ExportError(f"{target}: cannot write layer {layer} ({exc})") from exc
    return target


def _plain_table(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: v if v is None or isinstance(v, str) else str(v))
        elif isinstance(out[col].dtype, pd.Int64Dtype):
            out[col] = out[col].astype("float64")
    return out
