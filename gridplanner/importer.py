"""Build a project from separate layer files, reprojected into one analysis CRS."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
from pyproj import CRS

from gridplanner.errors import CRSError, Problem, ReadError, SchemaError
from gridplanner.feedback import Feedback, report
from gridplanner.project import Project
from layers.crs import WGS84, check_coordinates, choose_analysis_crs, reproject, to_wgs84_bounds
from layers.io import read_file
from layers.schema import schema_for
from layers.validate import validate


def build_project(
    files: Mapping[str, str | Path],
    *,
    source_crs: CRS | str | None = None,
    analysis_crs: CRS | None = None,
    feedback: Feedback | None = None,
) -> Project:
    """Read, reproject and validate layer files into a new project.

    Parameters
    ----------
    files
        Layer name (``grids``, ``cameras`` ...) to file; ``"path::layer"`` picks a
        layer inside a GeoPackage.
    source_crs
        Overrides the CRS every file declares (a CRS, ``"gcj02"`` or ``"bd09"``).
    analysis_crs
        Metric CRS of the project; chosen from the data's extent when omitted.

    Raises
    ------
    SchemaError
        Listing every problem of every layer at once (reading, CRS and schema).
    """
    raw: dict[str, gpd.GeoDataFrame] = {}
    problems: list[Problem] = []
    for i, (kind, spec) in enumerate(files.items()):
        name = schema_for(kind).name
        path, layer = _split_spec(spec)
        report(feedback, 0.5 * i / max(len(files), 1), f"reading {path.name}")
        try:
            frame = read_file(path, layer=layer)
            if source_crs is None:
                check_coordinates(frame, source=str(path), layer=name)
            raw[name] = reproject(frame, WGS84, source_crs=source_crs)
        except (ReadError, CRSError) as exc:
            problems.append(Problem(exc.message, layer=name))
    if analysis_crs is None:
        extents = [to_wgs84_bounds(f) for f in raw.values() if not f.empty]
        if not extents and not problems:
            raise SchemaError("every layer is empty: nothing to build a project from")
        if extents:
            box = (min(e[0] for e in extents), min(e[1] for e in extents),
                   max(e[2] for e in extents), max(e[3] for e in extents))
            analysis_crs = choose_analysis_crs(box)
    project = Project(settings={"analysis_crs": analysis_crs.to_string()} if analysis_crs
                      else {})
    for i, (name, frame) in enumerate(raw.items()):
        report(feedback, 0.5 + 0.5 * i / max(len(raw), 1), f"checking {name}")
        source = str(_split_spec(files[_key_for(files, name)])[0])
        try:
            result = validate(frame.to_crs(analysis_crs), name, source=source)
        except SchemaError as exc:
            problems.extend(exc.problems)
            continue
        project.layers[name] = result.frame
        project.warnings.extend(result.warnings)
    if problems:
        raise SchemaError.from_problems(problems)
    report(feedback, 1.0, "project built")
    return project


def _split_spec(spec: str | Path) -> tuple[Path, str | None]:
    text = str(spec)
    if "::" in text:
        path, layer = text.rsplit("::", 1)
        return Path(path), layer
    return Path(text), None


def _key_for(files: Mapping[str, str | Path], name: str) -> str:
    return next(k for k in files if schema_for(k).name == name)
