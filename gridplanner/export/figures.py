"""What a map shows besides the layers: per-grid and per-staff figures and result layers.

One function, :func:`map_figures`, builds them for the HTML and PNG maps of the
command line, the app and the demo: from analysis results already computed where
they are given, running the analysis a colouring needs when it is missing. The
per-grid table is :func:`gridplanner.scenarios.figures.grid_figures`, the same
table the scenario comparison reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from gridplanner.feedback import Feedback, report, sub
from gridplanner.i18n import _, pgettext
from gridplanner.project import Project

#: The analysis each colouring of the grids needs (others need only the grid checks).
NEEDS: dict[str, str] = {
    "coverage": "coverage",
    "coverage_cat1": "coverage",
    "coverage_cat23": "coverage",
    "intersections": "coverage",
    "walk": "allocation",
}
#: Result layers a map draws.
MAP_LAYERS = ("camera_footprints", "coverage_gaps", "uncovered_households", "staff_areas",
              "facility_service_areas")


@dataclass(frozen=True)
class MapFigures:
    """Figures and result layers for a map.

    Attributes
    ----------
    grids
        One row per grid (:func:`gridplanner.scenarios.figures.grid_figures`).
    staff
        One row per full-time worker with load and distances (may be empty).
    layers
        Result layers the map draws, by name (see :data:`MAP_LAYERS`).
    notes
        Analyses that could not run, and why.
    """

    grids: pd.DataFrame
    staff: pd.DataFrame
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def map_figures(
    project: Project,
    *,
    color_by: str = "band_status",
    checks: Any = None,
    coverage: Any = None,
    allocation: Any = None,
    layers: Mapping[str, Any] | None = None,
    compute_missing: bool = True,
    feedback: Feedback | None = None,
) -> MapFigures:
    """Return the figures and result layers a map of ``project`` coloured by ``color_by`` shows.

    Parameters
    ----------
    project
        The project the map shows.
    color_by
        Key of :data:`gridplanner.export.webmap.COLOR_BY`.
    checks, coverage, allocation
        Results already computed on ``project`` (grid checks, camera coverage, the
        full-time workers' allocation); an allocation of another role is not used.
    layers
        Result layers already made (the app's), drawn unless a result given or
        computed here replaces them.
    compute_missing
        Run the grid checks, and the analysis ``color_by`` needs, when not given.
    feedback
        Progress and cancellation.

    Returns
    -------
    MapFigures

    Raises
    ------
    MapError
        For an unknown ``color_by``.

    Examples
    --------
    >>> import shapely
    >>> from layers.validate import validate
    >>> g = gpd.GeoDataFrame({"grid_id": ["a"]}, geometry=[shapely.box(0, 0, 9, 9)], crs=4549)
    >>> f = map_figures(Project(layers={"grids": validate(g, "grids").frame}), color_by="walk")
    >>> f.grids[["full_time_workers", "band_status"]].to_dict("records")
    [{'full_time_workers': 0, 'band_status': 'below'}]
    >>> f.notes
    ('walking allocation: the project has no full-time workers',)
    """
    from gridplanner.export.results import staff_areas
    from gridplanner.export.webmap import check_color_by
    from gridplanner.scenarios.figures import grid_figures, run_analysis, staff_figures

    check_color_by(color_by)
    if allocation is not None and getattr(allocation, "role", "full_time") != "full_time":
        allocation = None  # the map's walking figures are the full-time workers'
    given = {"checks": checks, "coverage": coverage, "allocation": allocation}
    wanted = ["checks", NEEDS.get(color_by, "")] if compute_missing else []
    notes: list[str] = []
    running = {"checks": pgettext("atlas", "Running the grid checks"),
               "coverage": pgettext("atlas", "Running camera coverage"),
               "allocation": pgettext("atlas", "Running the walking allocation")}
    for i, name in enumerate(n for n in ("checks", "coverage", "allocation") if n in wanted):
        if given[name] is None:
            report(feedback, i / 2, running[name])
            given[name], said = run_analysis(project, name,
                                             feedback=sub(feedback, i / 2, (i + 1) / 2))
            notes += said
    report(feedback, 1.0, _("figures for the map ready"))
    out = {k: v for k, v in (layers or {}).items()
           if k in MAP_LAYERS and isinstance(v, gpd.GeoDataFrame)}
    if given["coverage"] is not None and hasattr(given["coverage"], "layers"):
        out.update({k: v for k, v in given["coverage"].layers().items() if k in MAP_LAYERS})
    if given["allocation"] is not None:
        out["staff_areas"] = staff_areas(given["allocation"].assignments,
                                         given["allocation"].staff_load)
    return MapFigures(grids=grid_figures(project, **given),
                      staff=staff_figures(project, given["allocation"]), layers=out,
                      notes=tuple(notes))
