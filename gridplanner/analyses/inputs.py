"""Point files that analyses read beside the project (candidates, incident points)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely

from gridplanner.errors import AnalysisError, ReadError
from gridplanner.i18n import _

if TYPE_CHECKING:
    from pyproj import CRS

    from gridplanner.project import Project


def read_optional_points(spec: str | None, project: Project, *, what: str
                         ) -> tuple[gpd.GeoDataFrame | None, list[str]]:
    """:func:`read_points` when a file is given, else no points and no notes."""
    if not spec:
        return None, []
    return read_points(spec, project, what=what)


def read_points(spec: str, project: Project, *, what: str, representative: bool = False,
                source_crs: CRS | str | None = None) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read ``FILE`` or ``FILE::LAYER`` as points in the project's CRS.

    Rows without a geometry are dropped; with ``representative`` other shapes give
    their representative point, else they are dropped. ``source_crs`` overrides
    what the file declares (``gcj02`` and ``bd09`` included). Returns the points and
    notes on what was dropped or changed.

    Raises
    ------
    ReadError
        When the file holds no usable point.
    """
    from layers.crs import reproject
    from layers.io import read_file, split_layer_spec

    path, layer = split_layer_spec(spec)
    frame = read_file(path, layer=layer)
    notes: list[str] = []
    crs = project.crs
    if crs is None:
        raise AnalysisError(_("the project has no coordinate system; cannot place the {what} "
                              "of {path}", what=what, path=path))
    frame = reproject(frame, crs, source_crs=source_crs)
    geoms = np.asarray(frame.geometry.to_numpy(), dtype=object)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        notes.append(_("skipped {n} rows without a point", n=int(empty.sum())))
    frame, geoms = frame[~empty], geoms[~empty]
    not_point = shapely.get_type_id(geoms) != 0
    if not_point.any():
        if representative:
            notes.append(_("{n} rows are not points: their representative points are used",
                           n=int(not_point.sum())))
            frame = frame.set_geometry(frame.geometry.representative_point())
        else:
            notes.append(_("skipped {n} rows that are not points", n=int(not_point.sum())))
            frame = frame[~not_point]
    if not len(frame):
        raise ReadError(_("{path}: no {what} points in the file", path=path, what=what))
    return frame, notes

