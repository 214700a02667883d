"""Build a project from separate layer files, reprojected into one analysis CRS."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
from pyproj import CRS

from gridplanner.errors import CRSError, Problem, ReadError, SchemaError
from gridplanner.feedback import Feedback, report
from gridplanner.project import Project
from layers.crs import WGS84, check_coordinates, choose_crs_for, reproject
from layers.io import read_file, split_layer_spec
from layers.mapping import ImportMapping, apply_mapping
from layers.schema import schema_for
from layers.validate import name_rows, validate


def build_project(
    files: Mapping[str, str | Path],
    *,
    source_crs: CRS | str | None = None,
    analysis_crs: CRS | None = None,
    mapping: ImportMapping | None = None,
    feedback: Feedback | None = None,
) -> Project:
    """Read, reproject and validate layer files into a new project.

    Parameters
    ----------
    files
        Layer name (``grids``, ``cameras`` ...) to file; ``"path::layer"`` picks a
        layer inside a GeoPackage (a file whose own name holds ``::`` is read whole).
    source_crs
        Overrides the CRS every file declares (a CRS, ``"gcj02"`` or ``"bd09"``).
    analysis_crs
        Metric CRS of the project; chosen from the bulk of the data when omitted,
        features far from the rest being reported as warnings.
    mapping
        Column and value mapping per layer, applied to each file as read (before
        validation); columns it does not name are matched by the schema's aliases.

    Raises
    ------
    SchemaError
        Listing every problem of every layer at once (reading, CRS and schema).
    """
    raw: dict[str, gpd.GeoDataFrame] = {}
    sources: dict[str, str] = {}
    problems: list[Problem] = []
    for i, (kind, spec) in enumerate(files.items()):
        name = schema_for(kind).name
        path, layer = split_layer_spec(spec)
        sources[name] = str(path)
        report(feedback, 0.5 * i / max(len(files), 1), f"reading {path.name}")
        try:
            frame = read_file(path, layer=layer)
            if mapping is not None:
                frame = apply_mapping(frame, name, mapping.for_layer(name), source=str(path))
            if source_crs is None:
                check_coordinates(frame, source=str(path), layer=name)
            raw[name] = reproject(frame, WGS84, source_crs=source_crs)
        except (ReadError, CRSError, SchemaError) as exc:
            problems.extend(exc.problems or [Problem(exc.message, layer=name, source=str(path))])
    outliers: list[Problem] = []
    if analysis_crs is None:
        analysis_crs, outliers = choose_crs_for(raw)
    project = Project(settings={"analysis_crs": analysis_crs.to_string()} if analysis_crs
                      else {})
    for i, (name, frame) in enumerate(raw.items()):
        report(feedback, 0.5 + 0.5 * i / max(len(raw), 1), f"checking {name}")
        try:
            # Without a CRS (no usable coordinate anywhere) validation still names the rows.
            result = validate(frame.to_crs(analysis_crs) if analysis_crs else frame, name,
                              source=sources[name])
        except SchemaError as exc:
            problems.extend(exc.problems)
            continue
        project.layers[name] = result.frame
        found = [replace(p, source=sources[name]) for p in outliers if p.layer == name]
        project.warnings.extend(name_rows(found, result.frame, name))
        project.warnings.extend(result.warnings)
    if problems:
        raise SchemaError.from_problems(problems)
    if analysis_crs is None:
        raise SchemaError("every layer is empty: nothing to build a project from")
    report(feedback, 1.0, "project built")
    return project
