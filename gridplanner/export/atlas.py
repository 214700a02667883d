"""The PDF atlas: a cover, an index and one printed page per grid, for meetings.

``export_atlas`` runs the analyses a page shows through the registry (grid
checks, camera coverage, the full-time workers' walking allocation; results
already computed may be passed in), then writes a vector PDF with matplotlib:

- a **cover**: district name, date, data source, the district map coloured by a
  chosen figure and the district's key figures;
- an **index**: every grid with its page number and a traffic-light status
  (green: no problem found, amber: one kind of problem, red: two or more);
- **one page per grid**: the grid with its neighbours greyed, camera views by
  category, coverage gaps, households sized by households, staff bases with a
  symbol per role and facilities; a key-figures box (households against the
  band, coverage of households and intersections by camera category, the
  1+1+1+X staff, mean and 95th-percentile walk, incidents, the checks that
  concern the grid); title, community, scale bar, north arrow, legend, page number.

Every text comes from the message catalogue in the chosen language; staff names
appear only when asked for. The Chinese font is embedded so the text can be
searched and copied. Maps are drawn by :func:`gridplanner.export.cartography.draw_map`,
the same function the PNG maps use.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gridplanner import palette
from gridplanner.errors import Cancelled, GridPlannerError
from gridplanner.export.cartography import (
    ROLE_LABELS,
    MapData,
    MapView,
    add_grid_labels,
    add_legend,
    add_north_arrow,
    add_scale_bar,
    axes_aspect,
    credits_line,
    draw_key,
    draw_map,
    drawable,
    fit_box,
    font_rc,
    grid_bounds,
    grid_colours,
    legend_entries,
    map_data,
    present,
    scheme_handles,
    scheme_title,
    source_and_date,
    text,
)
from gridplanner.export.files import ExportError, atomic_file, check_target
from gridplanner.feedback import Feedback, report, sub
from gridplanner.i18n import _, pgettext
from gridplanner.project import Project

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from gridplanner.basemap import BasemapSpec

#: Page sizes in inches, landscape.
PAGES: Mapping[str, tuple[float, float]] = {"A4": (11.69, 8.27), "A3": (16.54, 11.69)}
#: Traffic-light colours of the index (green, amber, red).
STATUS_COLOURS: Mapping[str, str] = palette.STATUS
#: Rows of the index per page (two columns of this many / 2).
INDEX_ROWS = 80
#: Checks shown on a grid page, in this order, with their catalogue text.
CHECK_TEXTS: Mapping[str, str] = {
    "gap": "Gap next to the grid",
    "overlap": "Overlaps a neighbour",
    "outside_community": "Crosses its community boundary",
    "unknown_community": "Community not found",
    "empty": "Empty shape",
    "invalid": "Invalid shape",
    "multipart": "Shape in several parts",
    "sliver": "Sliver",
    "band": "Households outside the band",
    "household_no_grid": "Households outside every grid",
    "household_two_grids": "Households in two grids",
    "compactness": "Not compact",
    "missing_staff": "Missing 1+1+1 staff",
    "duplicate_code": "Duplicate grid code",
    "malformed_code": "Malformed grid code",
    "coverage_low": "Household coverage under the threshold",
}
_ROLES = ("grid_head", "full_time", "police", "part_time")
#: Columns a grid page reads that an analysis may not have made.
_OPTIONAL = ("households", "band_min", "band_max", "walk_mean_m", "walk_max_m",
             *(f"{w}_pct_{c}" for w in ("households", "intersections")
               for c in ("all", "cat1", "cat23")))


@dataclass(frozen=True)
class AtlasResult:
    """What :func:`export_atlas` wrote.

    Attributes
    ----------
    path
        The PDF file.
    pages
        Pages written (cover, index pages, one per grid).
    grids
        Grid ids in page order.
    notes
        Analyses that could not run, and why (their figures are left blank).
    """

    path: Path
    pages: int
    grids: tuple[str, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class AtlasFigures:
    """Everything the pages show, computed once.

    Attributes
    ----------
    grids
        One row per grid (the per-grid figures of
        :func:`gridplanner.scenarios.figures.grid_figures` plus name, community and
        street names, ``walk_p95_m``, staff per role, incidents, ``checks`` as a
        list of (check, value) and ``status``).
    district
        District key figures by :data:`gridplanner.scenarios.labels.FIGURES` key
        (and ``incidents``).
    layers
        Result layers the maps draw.
    notes
        Analyses that could not run.
    """

    grids: pd.DataFrame
    district: dict[str, float]
    layers: dict[str, Any]
    notes: tuple[str, ...]


def atlas_figures(
    project: Project,
    *,
    checks: Any = None,
    coverage: Any = None,
    allocation: Any = None,
    lang: str | None = None,
    feedback: Feedback | None = None,
) -> AtlasFigures:
    """Run (through the analysis registry) what the atlas shows, unless given, and tabulate it.

    Parameters
    ----------
    project
        The project (a scenario applied, if wanted).
    checks, coverage, allocation
        Results already computed on ``project`` (grid checks, camera coverage, the
        full-time workers' allocation).
    lang
        Language of the progress messages (default: the current language).
    feedback
        Progress and cancellation.

    Returns
    -------
    AtlasFigures

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"grid_id": ["a"], "kind": ["urban"]},
    ...                      geometry=[shapely.box(0, 0, 9, 9)], crs=4549)
    >>> f = atlas_figures(Project(layers={"grids": g}))
    >>> f.grids[["grid_id", "status"]].to_dict("records")
    [{'grid_id': 'a', 'status': 'amber'}]
    """
    from gridplanner.context import AnalysisContext
    from gridplanner.scenarios.figures import grid_figures

    ctx = AnalysisContext.of(project)
    notes: list[str] = []
    if allocation is not None and getattr(allocation, "role", "full_time") != "full_time":
        allocation = None
    staff = project.layer("staff")
    plan: list[tuple[str, str, bool]] = [
        ("checks", "check", checks is None),
        ("coverage", "coverage", coverage is None and len(project.layer("cameras")) > 0),
        ("allocation", "allocate", allocation is None and len(staff) > 0
         and bool((staff["role"].astype(str) == "full_time").any())
         and len(project.layer("roads")) > 0 and len(project.layer("households")) > 0),
    ]
    given: dict[str, Any] = {"checks": checks, "coverage": coverage, "allocation": allocation}
    running = {"checks": text("Running the grid checks", lang),
               "coverage": text("Running camera coverage", lang),
               "allocation": text("Running the walking allocation", lang)}
    for i, (key, name, wanted) in enumerate(plan):
        if not wanted:
            continue
        report(feedback, i / 3, running[key])
        given[key] = _run(ctx, name, notes, sub(feedback, i / 3, (i + 1) / 3))
    table = grid_figures(project, **given)
    table = _with_names(table, project)
    table = _with_walk_p95(table, ctx, given["allocation"])
    table = _with_staff(table, project)
    table = _with_incidents(table, ctx)
    table = _with_checks(table, given["checks"], project.config.coverage_threshold_pct)
    for col in _OPTIONAL:  # figures of analyses that did not run stay blank
        if col not in table.columns:
            table[col] = np.nan
    layers: dict[str, Any] = {}
    if given["coverage"] is not None:
        layers.update(given["coverage"].layers())
    report(feedback, 1.0, "")
    return AtlasFigures(grids=table.sort_values("grid_id", kind="stable").reset_index(drop=True),
                        district=_district(project, table, given), layers=layers,
                        notes=tuple(notes))


def _run(ctx: Any, name: str, notes: list[str], feedback: Feedback | None) -> Any:
    from gridplanner.analyses import run

    try:
        return run(name, ctx, feedback=feedback).value
    except Cancelled:
        raise
    except GridPlannerError as exc:
        notes.append(f"{name}: {exc.message}")
    return None


def _with_names(table: pd.DataFrame, project: Project) -> pd.DataFrame:
    grids = project.layer("grids")
    names = pd.Series(grids["name"].astype(str).to_numpy() if "name" in grids.columns
                      else [""] * len(grids), index=grids["grid_id"].astype(str).to_numpy())
    table = table.copy()
    table["name"] = names[~names.index.duplicated()].reindex(table["grid_id"]).fillna(
        "").to_numpy()
    areas = project.layer("service_areas")
    lookup: dict[str, tuple[str, str]] = {}
    if len(areas):
        ids = areas["area_id"].astype(str).to_numpy()
        area_names = areas["name"].astype(str).to_numpy() if "name" in areas.columns else ids
        parents = (areas["parent_id"].astype(str).to_numpy() if "parent_id" in areas.columns
                   else np.full(len(ids), ""))
        lookup = {i: (n, p) for i, n, p in zip(ids, area_names, parents, strict=True)}
    community = table["community_id"].astype(str)
    table["community_name"] = [lookup.get(c, (c, ""))[0] for c in community]
    table["street_name"] = [lookup.get(lookup.get(c, ("", ""))[1], ("", ""))[0]
                            for c in community]
    return table


def _with_walk_p95(table: pd.DataFrame, ctx: Any, allocation: Any) -> pd.DataFrame:
    """Household-weighted 95th percentile of the walk of the households in each grid."""
    table = table.copy()
    table["walk_p95_m"] = np.nan
    if allocation is None or not len(allocation.assignments):
        return table
    a = allocation.assignments
    grid = ctx.grid_ids(np.asarray(a.geometry.values, dtype=object))
    frame = pd.DataFrame({"grid_id": grid, "d": a["distance_m"].to_numpy(dtype=float),
                          "w": a["households"].to_numpy(dtype=float)})
    frame = frame[(frame["grid_id"] != "") & frame["d"].notna()].sort_values(["grid_id", "d"])
    if not len(frame):
        return table
    cum = frame.groupby("grid_id")["w"].cumsum()
    total = frame.groupby("grid_id")["w"].transform("sum")
    p95 = frame[cum >= 0.95 * total].groupby("grid_id")["d"].first()
    table["walk_p95_m"] = p95.reindex(table["grid_id"].astype(str)).to_numpy()
    return table


def _with_staff(table: pd.DataFrame, project: Project) -> pd.DataFrame:
    """Count (and name) the staff of each role based in each grid."""
    table = table.copy()
    staff = project.layer("staff")
    ids = table["grid_id"].astype(str)
    for role in _ROLES:
        table[f"staff_{role}"] = 0
        table[f"names_{role}"] = ""
    if not len(staff):
        return table
    frame = pd.DataFrame({
        "role": staff["role"].astype(str).to_numpy(),
        "name": (staff["name"].fillna("").astype(str).to_numpy() if "name" in staff.columns
                 else np.full(len(staff), "")),
        "grid_id": staff["grid_id"].fillna("").astype(str).str.replace(
            r"[,、，\s]+", ";", regex=True).str.split(";").to_numpy()})
    frame = frame.explode("grid_id")
    frame = frame[frame["grid_id"] != ""]
    for role in _ROLES:
        part = frame[frame["role"] == role]
        counts = part.groupby("grid_id").size()
        names = part[part["name"] != ""].groupby("grid_id")["name"].agg("、".join)
        table[f"staff_{role}"] = counts.reindex(ids).fillna(0).astype(int).to_numpy()
        table[f"names_{role}"] = names.reindex(ids).fillna("").to_numpy()
    return table


def _with_incidents(table: pd.DataFrame, ctx: Any) -> pd.DataFrame:
    table = table.copy()
    incidents = ctx.layer("incidents")
    if not len(incidents):
        table["incidents"] = np.nan
        return table
    where = pd.Series(ctx.grid_ids(np.asarray(incidents.geometry.values, dtype=object)))
    counts = where[where != ""].value_counts()
    table["incidents"] = counts.reindex(table["grid_id"].astype(str)).fillna(0).to_numpy()
    return table


def _with_checks(table: pd.DataFrame, checks: Any, threshold_pct: float) -> pd.DataFrame:
    """List the findings concerning each grid and set its traffic-light status."""
    table = table.copy()
    found: dict[str, list[tuple[str, float]]] = {g: [] for g in table["grid_id"].astype(str)}
    if checks is not None and len(checks.findings):
        f = pd.DataFrame(checks.findings.drop(columns="geometry"))
        f = f.assign(grid_id=f["grid_ids"].fillna("").astype(str).str.split(";")).explode(
            "grid_id")
        f = f[f["grid_id"].isin(list(found))]
        for gid, check, value in zip(f["grid_id"], f["check"], f["value"], strict=True):
            found[gid].append((str(check), float(value) if pd.notna(value) else math.nan))
    if "households_pct_all" in table.columns:
        pct = table["households_pct_all"].to_numpy(dtype=float)
        for gid, p in zip(table["grid_id"].astype(str), pct, strict=True):
            if not np.isnan(p) and p < threshold_pct:
                found[gid].append(("coverage_low", float(p)))
    order = {c: i for i, c in enumerate(CHECK_TEXTS)}
    lists = [sorted(found[g], key=lambda cv: order.get(cv[0], 99))
             for g in table["grid_id"].astype(str)]
    table["checks"] = lists
    kinds = np.array([len({c for c, _ in cl}) for cl in lists])
    table["status"] = np.where(kinds == 0, "green", np.where(kinds == 1, "amber", "red"))
    return table


def _district(project: Project, table: pd.DataFrame, given: Mapping[str, Any]
              ) -> dict[str, float]:
    from gridplanner.locate import household_weights

    out: dict[str, float] = {"grids_total": float(len(table)),
                             "households_total": float(household_weights(
                                 project.layer("households")).sum())}
    staff = project.layer("staff")
    roles = staff["role"].astype(str).value_counts() if len(staff) else pd.Series(dtype=int)
    out.update({f"staff_{r}": float(roles.get(r, 0)) for r in _ROLES})
    if given.get("checks") is not None:
        out["grids_outside_band"] = float(table["band_status"].isin(["below", "above"]).sum())
    out["grids_missing_staff"] = float((table["lacks"] != "").sum())
    coverage = given.get("coverage")
    if coverage is not None and len(coverage.district):
        row = coverage.district.iloc[0]
        for what in ("households", "intersections"):
            for cat in ("all", "cat1", "cat23"):
                out[f"coverage_{what}_{cat}"] = float(row[f"{what}_pct_{cat}"])
    allocation = given.get("allocation")
    if allocation is not None:
        out["walk_mean_m"] = float(allocation.totals.mean_distance_m)
        out["walk_p95_m"] = float(allocation.totals.p95_distance_m)
        out["households_unassigned"] = float(allocation.totals.unassigned_households)
    if "incidents" in table.columns and table["incidents"].notna().any():
        out["incidents"] = float(len(project.layer("incidents")))
    return out


# ------------------------------------------------------------------ the document


def export_atlas(
    project: Project,
    path: str | Path,
    *,
    grids: Sequence[str] | None = None,
    community: str | None = None,
    lang: str | None = None,
    include_personal: bool = False,
    page: str = "A4",
    color_by: str = "band_status",
    scenario: str = "",
    title: str | None = None,
    source: str | None = None,
    date: dt.date | None = None,
    figures: AtlasFigures | None = None,
    checks: Any = None,
    coverage: Any = None,
    allocation: Any = None,
    basemap: BasemapSpec | None = None,
    protect: Iterable[str | Path] = (),
    feedback: Feedback | None = None,
) -> AtlasResult:
    """Write the PDF atlas of ``project``: cover, index, one page per grid.

    Parameters
    ----------
    project
        The project (a scenario applied, if wanted).
    path
        The ``.pdf`` file (written atomically).
    grids
        Only these grid ids (in code order), else every grid.
    community
        Only the grids of this community id.
    lang
        ``zh_CN`` or ``en`` (default: the current language).
    include_personal
        Print staff names on the grid pages (default: counts only).
    page
        ``A4`` or ``A3``, landscape.
    color_by
        Figure that colours the cover's district map
        (:data:`gridplanner.export.webmap.COLOR_BY`).
    scenario
        Scenario name printed on the cover ("" or "current": the base data).
    title
        District name on the cover (default: the district's service area, else the
        streets', else the project's file name).
    source
        Data source line (default: the project's file name).
    date
        Date printed (default: today).
    figures
        Figures already made by :func:`atlas_figures` (else computed here).
    checks, coverage, allocation
        Results already computed on ``project``, passed to :func:`atlas_figures`.
    basemap
        Tiles drawn under every map (:func:`gridplanner.basemap.parse_basemap`).
    protect
        Files that must not be replaced (the open project and its autosave).
    feedback
        Progress and cancellation.

    Returns
    -------
    AtlasResult

    Raises
    ------
    ExportError
        For an unknown page size, grid id or community, no grid to print, or a
        target that is refused or cannot be written.

    Examples
    --------
    >>> import tempfile, geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"grid_id": ["a", "b"], "kind": ["urban"] * 2},
    ...     geometry=[shapely.box(0, 0, 90, 90), shapely.box(90, 0, 180, 90)], crs=4549)
    >>> out = export_atlas(Project(layers={"grids": g}),
    ...                    Path(tempfile.mkdtemp()) / "atlas.pdf", lang="en")
    >>> out.pages, out.grids
    (4, ('a', 'b'))
    """
    from gridplanner.export.webmap import district_name

    protect = tuple(protect)
    target = _checked_target(path, page=page, color_by=color_by, protect=protect, lang=lang)
    all_ids = project.layer("grids")["grid_id"].astype(str)
    chosen = _chosen(project, all_ids, grids=grids, community=community, lang=lang)
    if figures is None:
        figures = atlas_figures(project, checks=checks, coverage=coverage,
                                allocation=allocation, lang=lang,
                                feedback=sub(feedback, 0.0, 0.3))
    plan = _Plan.of(figures, chosen)
    source_text, date_text = source_and_date(project, source, date)
    ctx = _Page(size=PAGES[page], lang=lang, total=plan.total, source=source_text,
                date=date_text, include_personal=include_personal,
                basemap=basemap)
    cover = _Cover(title=title or district_name(project), scenario=scenario,
                   color_by=color_by)
    _write_pdf(target, ctx, map_data(project, figures.layers), figures, plan, cover,
               protect=protect, feedback=feedback)
    report(feedback, 1.0, text("Atlas written", lang))
    return AtlasResult(target, plan.total, tuple(plan.table["grid_id"]), figures.notes)


def _checked_target(path: str | Path, *, page: str, color_by: str,
                    protect: tuple[str | Path, ...], lang: str | None) -> Path:
    """Refuse an unknown page size or colouring and a target that is not a new ``.pdf``."""
    from gridplanner.export.webmap import COLOR_BY

    if page not in PAGES:
        raise ExportError(_("page size '{page}': choose one of {choices}", lang=lang,
                            page=page, choices=", ".join(PAGES)))
    if color_by not in COLOR_BY:
        raise ExportError(_("cannot colour the cover by '{color_by}'; choose one of {choices}",
                            lang=lang, color_by=color_by, choices=", ".join(COLOR_BY)))
    target = check_target(path, protect=protect)
    if target.suffix.lower() != ".pdf":
        raise ExportError(_("{path}: the atlas is a PDF; name the file .pdf", lang=lang,
                            path=str(target)))
    return target


@dataclass(frozen=True)
class _Plan:
    """The atlas's pages: the cover, ``n_index`` index pages, then one page per grid.

    ``table`` holds the chosen grids' figures with their page numbers (``page``).
    """

    table: pd.DataFrame
    n_index: int
    total: int

    @classmethod
    def of(cls, figures: AtlasFigures, chosen: Sequence[str]) -> _Plan:
        """Return the plan of the grids ``chosen`` of ``figures``, pages numbered."""
        table = figures.grids[figures.grids["grid_id"].isin(chosen)].reset_index(drop=True)
        n_index = max(1, math.ceil(len(table) / INDEX_ROWS))
        first = 2 + n_index
        table = table.assign(page=np.arange(first, first + len(table)))
        return cls(table=table, n_index=n_index, total=1 + n_index + len(table))


@dataclass(frozen=True)
class _Cover:
    """What the cover names: the district, the scenario and the colouring of its map."""

    title: str
    scenario: str
    color_by: str


def _write_pdf(target: Path, ctx: _Page, data: MapData, figures: AtlasFigures, plan: _Plan,
               cover: _Cover, *, protect: tuple[str | Path, ...],
               feedback: Feedback | None) -> None:
    """Draw the cover, the index and the grid pages into ``target`` (atomically)."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_pdf import PdfPages

    lang, table = ctx.lang, plan.table
    meta = {"Title": f"{cover.title} {text('Grid atlas', lang)}", "Creator": "GridPlanner"}
    with rc_context(font_rc(vector=True)), atomic_file(target, protect=protect) as tmp, \
            PdfPages(tmp, metadata=meta) as pdf:
        report(feedback, 0.3, text("Drawing the cover", lang))
        pdf.savefig(_cover(ctx, data, figures, table, title=cover.title,
                           scenario=cover.scenario, color_by=cover.color_by))
        for i in range(plan.n_index):
            pdf.savefig(_index(ctx, table.iloc[i * INDEX_ROWS:(i + 1) * INDEX_ROWS],
                               number=2 + i))
        pages = _GridPages(ctx, data)
        for i, row in enumerate(table.itertuples(index=False)):
            report(feedback, 0.32 + 0.66 * i / max(len(table), 1),
                   text("Drawing grid {code}", lang, code=row.grid_id))
            pdf.savefig(pages.render(row))
        report(feedback, 0.99, text("Writing the file", lang))

def _chosen(project: Project, ids: pd.Series, *, grids: Sequence[str] | None,
            community: str | None, lang: str | None) -> list[str]:
    known = ids.tolist()
    chosen = known
    if grids:
        wanted = [str(g).strip() for g in grids if str(g).strip()]
        unknown = [g for g in wanted if g not in set(known)]
        if unknown:
            raise ExportError(_("grid '{grid}' is not in the grids layer; give grid ids such "
                                "as {examples}", lang=lang, grid=unknown[0],
                                examples=", ".join(known[:3])))
        chosen = [g for g in known if g in set(wanted)]
    if community is not None:
        layer = project.layer("grids")
        in_community = set(ids[layer["community_id"].astype(str).to_numpy() == str(community)]
                           ) if "community_id" in layer.columns else set()
        if not in_community:
            raise ExportError(_("community '{community}' has no grids; give a community_id of "
                                "the grids layer", lang=lang, community=str(community)))
        chosen = [g for g in chosen if g in in_community]
    if not chosen:
        raise ExportError(_("no grid to print: the project has no grids or none matches",
                            lang=lang))
    return chosen


@dataclass(frozen=True)
class _Page:
    size: tuple[float, float]
    lang: str | None
    total: int
    source: str
    date: str
    include_personal: bool
    basemap: BasemapSpec | None = None

    def t(self, msgid: str, **fields: Any) -> str:
        return text(msgid, self.lang, **fields)

    def figure(self, number: int) -> Figure:
        from matplotlib.figure import Figure

        fig = Figure(figsize=self.size)
        fig.text(0.03, 0.022, credits_line(self.source, self.date, self.lang),
                 fontsize=7, color="#555555")
        fig.text(0.97, 0.022, self.t("Page {n} of {total}", n=number, total=self.total),
                 fontsize=7, color="#555555", ha="right")
        return fig


def _num(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{float(value):,.{digits}f}"


def _metres(ctx: _Page, value: Any) -> str:
    return "–" if _num(value) == "–" else ctx.t("{n} m", n=_num(value))


def _pct(value: Any) -> str:
    return "–" if _num(value) == "–" else f"{_num(value, 1)}%"


def _framed_map(fig: Figure, rect: tuple[float, float, float, float], data: MapData,
                box: tuple[float, float, float, float], ctx: _Page, **view: Any) -> tuple[
                    Any, list[Any]]:
    from matplotlib.patches import Rectangle

    ax = fig.add_axes(rect)
    fitted = fit_box(box, axes_aspect(ax), pad=0.04)
    handles = draw_map(ax, data, MapView(box=fitted, **view), lang=ctx.lang,
                       basemap=ctx.basemap)
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False,
                           edgecolor="#000000", linewidth=0.8, zorder=25, clip_on=False))
    add_scale_bar(ax, lang=ctx.lang)
    add_north_arrow(ax, lang=ctx.lang)
    return ax, handles


def _limits(ax: Any) -> tuple[float, float, float, float]:
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return (float(x0), float(y0), float(x1), float(y1))


def _lines(fig: Figure, x: float, y: float, rows: Sequence[tuple[str, str]], *,
           width: float, step: float = 0.028, size: float = 8.5) -> float:
    """Label/value rows (a value on its own line when the label is empty); return the next y."""
    for label, value in rows:
        if label:
            fig.text(x, y, label, fontsize=size, color="#333333", va="top")
            fig.text(x + width, y, value, fontsize=size, va="top", ha="right",
                     weight="bold")
        else:
            fig.text(x + 0.01, y, value, fontsize=size - 0.5, va="top", color="#333333",
                     wrap=True)
        y -= step
    return y


def _cover(ctx: _Page, data: MapData, figures: AtlasFigures, table: pd.DataFrame, *,
           title: str, scenario: str, color_by: str) -> Figure:
    from gridplanner.scenarios.labels import FIGURES

    fig = ctx.figure(1)
    fig.text(0.03, 0.93, drawable(title), fontsize=22, weight="bold")
    fig.text(0.03, 0.885, ctx.t("Grid atlas"), fontsize=16)
    sub_lines = [ctx.t("Date: {date}", date=ctx.date),
                 ctx.t("Data source: {source}", source=drawable(ctx.source))]
    if scenario and scenario != "current":
        sub_lines.insert(0, ctx.t("Scenario: {name}", name=drawable(scenario)))
    fig.text(0.97, 0.93, "\n".join(sub_lines), fontsize=9, ha="right", va="top",
             linespacing=1.6)
    colours = grid_colours(data, figures.grids, color_by)
    ax, _ = _framed_map(fig, (0.03, 0.06, 0.6, 0.78), data, data.extent, ctx,
                        colours=colours, grid_alpha=0.85)
    add_grid_labels(ax, data, box=_limits(ax), fontsize=5.5)
    add_legend(ax, scheme_handles(color_by, lang=ctx.lang),
               title=scheme_title(color_by, lang=ctx.lang), loc="upper left")
    fig.text(0.66, 0.82, ctx.t("Key figures of the district"), fontsize=12, weight="bold")
    d = figures.district
    keys = [("grids_total", 0), ("households_total", 0), ("staff_grid_head", 0),
            ("staff_full_time", 0), ("staff_police", 0), ("staff_part_time", 0),
            ("grids_outside_band", 0), ("grids_missing_staff", 0),
            ("coverage_households_all", 1), ("coverage_households_cat1", 1),
            ("coverage_households_cat23", 1), ("coverage_intersections_all", 1),
            ("walk_mean_m", 0), ("walk_p95_m", 0), ("households_unassigned", 0)]
    rows = [(FIGURES[k].title(lang=ctx.lang), _num(d.get(k, math.nan), digits))
            for k, digits in keys]
    if "incidents" in d:
        rows.append((ctx.t("Incidents"), _num(d["incidents"])))
    if len(table) != len(figures.grids):
        rows.append((ctx.t("Grids in this atlas"), _num(len(table))))
    status = table["status"].value_counts()
    rows.append((ctx.t("Grid status green / amber / red"),
                 " / ".join(str(int(status.get(s, 0))) for s in STATUS_COLOURS)))
    _lines(fig, 0.66, 0.78, rows, width=0.31, step=0.034, size=9.5)
    return fig


def _index(ctx: _Page, rows: pd.DataFrame, *, number: int) -> Figure:
    """One index page: two columns of grids with status and page (a text per column)."""
    fig = ctx.figure(number)
    fig.text(0.03, 0.93, ctx.t("Index of grids"), fontsize=16, weight="bold")
    per_column = INDEX_ROWS // 2
    top, size = 0.875, 7.0
    spacing = 1.45
    line = size * spacing / 72 / ctx.size[1]  # one line, as a fraction of the page
    words = {"green": ctx.t("no problem"), "amber": ctx.t("one problem"),
             "red": ctx.t("several problems")}
    columns = [(0.0, ctx.t("Grid code"), "left"), (0.135, ctx.t("Name"), "left"),
               (0.27, ctx.t("Community"), "left"), (0.39, ctx.t("Status"), "left"),
               (0.445, ctx.t("Page"), "right")]
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    for col in range(2):
        x0 = 0.03 + col * 0.485
        part = rows.iloc[col * per_column:(col + 1) * per_column]
        if not len(part):
            continue
        cells = [[drawable(g) for g in part["grid_id"]],
                 [_short(drawable(n), 11) for n in part["name"]],
                 [_short(drawable(c), 8) for c in part["community_name"]],
                 [words[st] for st in part["status"]],
                 [str(p) for p in part["page"]]]
        for (dx, head, align), values in zip(columns, cells, strict=True):
            fig.text(x0 + dx, top, head, fontsize=8, weight="bold", ha=align, va="top")
            fig.text(x0 + dx + (0.012 if head == columns[3][1] else 0.0), top - 1.6 * line,
                     "\n".join(values), fontsize=size, ha=align, va="top",
                     linespacing=spacing)
        ys = top - 1.6 * line - (np.arange(len(part)) + 0.5) * line
        ax.scatter(np.full(len(part), x0 + columns[3][0] + 0.004), ys, s=22,
                   c=[STATUS_COLOURS[st] for st in part["status"]], linewidths=0)
    fig.text(0.03, 0.05, ctx.t("Status: green, no problem found; amber, one kind of problem; "
                               "red, two or more (checks of the grid and household coverage "
                               "under the threshold)."), fontsize=7.5, color="#333333")
    return fig


def _short(value: str, n: int) -> str:
    return value if len(value) <= n else value[: n - 1] + "…"


class _GridPages:
    """One figure reused for every grid page: only what differs is redrawn.

    Making a figure with its axes and legend costs more than drawing a page's
    map, so the frame, headings, north arrow and legend are made once.
    """

    def __init__(self, ctx: _Page, data: MapData) -> None:
        from matplotlib.patches import Rectangle

        self.ctx, self.data = ctx, data
        self.fig = fig = ctx.figure(0)
        self.page = fig.texts[-1]
        self.title = fig.text(0.03, 0.945, "", fontsize=15, weight="bold")
        self.place = fig.text(0.03, 0.915, "", fontsize=10, color="#333333")
        self.lamp = fig.text(0.97, 0.945, "●", fontsize=16, ha="right")
        self.ax = ax = fig.add_axes((0.03, 0.06, 0.62, 0.84))
        ax.set_axis_off()
        ax.add_artist(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False,
                                edgecolor="#000000", linewidth=0.8, zorder=25,
                                clip_on=False))
        add_north_arrow(ax, lang=ctx.lang)
        self.static = set(ax.get_children())
        self.aspect = axes_aspect(ax)
        fig.text(0.67, 0.88, ctx.t("Key figures"), fontsize=11, weight="bold")
        self.labels = fig.text(0.67, 0.85, "", fontsize=8.2, va="top", color="#333333",
                               linespacing=1.55)
        self.values = fig.text(0.97, 0.85, "", fontsize=8.2, va="top", ha="right",
                               weight="bold", linespacing=1.55)
        draw_key(fig.add_axes((0.675, 0.065, 0.29, 0.33)),
                 legend_entries(present(data), lang=ctx.lang), title=ctx.t("Legend"))

    def render(self, row: Any) -> Figure:
        """Draw the page of the grid in ``row`` (a row of the atlas table)."""
        ctx, data, ax = self.ctx, self.data, self.ax
        for child in ax.get_children():
            if child not in self.static and child.axes is ax:
                child.remove()
        self.page.set_text(ctx.t("Page {n} of {total}", n=int(row.page), total=ctx.total))
        self.title.set_text(ctx.t("Grid {code}", code=drawable(row.grid_id)) + "  "
                            + drawable(row.name))
        place = [p for p in (drawable(row.street_name), drawable(row.community_name)) if p]
        self.place.set_text(ctx.t("Community: {name}", name=" · ".join(place)) if place
                            else "")
        self.lamp.set_color(STATUS_COLOURS[row.status])
        minx, miny, maxx, maxy = grid_bounds(data, row.grid_id)
        pad = max(maxx - minx, maxy - miny) * 0.12
        box = fit_box((minx - pad, miny - pad, maxx + pad, maxy + pad), self.aspect)
        draw_map(ax, data, MapView(box=box, focus=row.grid_id, detail=True), lang=ctx.lang,
                 basemap=ctx.basemap)
        add_scale_bar(ax, lang=ctx.lang)
        add_grid_labels(ax, data, box=box, fontsize=6.5, skip=row.grid_id)
        rows = _grid_rows(ctx, row)
        self.labels.set_text("\n".join(label or "    " + value for label, value in rows))
        self.values.set_text("\n".join(value if label else " " for label, value in rows))
        return self.fig


def _grid_rows(ctx: _Page, row: Any) -> list[tuple[str, str]]:
    band = "–"
    if not (isinstance(row.households, float) and math.isnan(row.households)):
        status = {"below": pgettext("map", "below band", lang=ctx.lang),
                  "above": pgettext("map", "above band", lang=ctx.lang),
                  "in band": pgettext("map", "in band", lang=ctx.lang)}.get(
                      str(row.band_status), "")
        band = ctx.t("{n} (band {low}–{high}, {status})", n=_num(row.households),
                     low=_num(row.band_min), high=_num(row.band_max), status=status)
    rows = [(ctx.t("Households"), band)]
    for what, label in (("households", ctx.t("Households covered")),
                        ("intersections", ctx.t("Intersections covered"))):
        cols = [f"{what}_pct_{c}" for c in ("all", "cat1", "cat23")]
        values = [getattr(row, c, math.nan) for c in cols]
        rows.append((label, ctx.t("all {a} · cat. 1 {b} · cat. 2–3 {c}", a=_pct(values[0]),
                                  b=_pct(values[1]), c=_pct(values[2]))))
    x = int(row.staff_part_time)
    rows.append((ctx.t("Staff 1+1+1+X"), f"{int(row.staff_grid_head)}+{int(row.staff_full_time)}"
                 f"+{int(row.staff_police)}+{x}"))
    for role in ("grid_head", "full_time", "police"):
        names = getattr(row, f"names_{role}") if ctx.include_personal else ""
        count = int(getattr(row, f"staff_{role}"))
        label = ctx.t(ROLE_LABELS[role])
        shown = drawable(names) if names else (str(count) if count else ctx.t("none"))
        rows.append(("", f"{label}: {_short(shown, 30)}"))
    rows.append(("", f"{ctx.t(ROLE_LABELS['part_time'])}: {x}"))
    rows.append((ctx.t("Walking distance, mean / 95%"),
                 f"{_metres(ctx, row.walk_mean_m)} / {_metres(ctx, row.walk_p95_m)}"))
    if not (isinstance(row.incidents, float) and math.isnan(row.incidents)):
        rows.append((ctx.t("Incidents"), _num(row.incidents)))
    checks = list(row.checks)
    rows.append((ctx.t("Checks"), ctx.t("none") if not checks else str(len(checks))))
    for check, value in checks[:6]:
        rows.append(("", "· " + _check_text(ctx, check, value)))
    if len(checks) > 6:
        rows.append(("", ctx.t("… and {n} more", n=len(checks) - 6)))
    return rows


def _check_text(ctx: _Page, check: str, value: float) -> str:
    label = ctx.t(CHECK_TEXTS.get(check, check))
    if math.isnan(value):
        return label
    if check in ("gap", "overlap", "sliver"):
        return f"{label} ({ctx.t('{n} m²', n=_num(value))})"
    if check == "coverage_low":
        return f"{label} ({_pct(value)})"
    if check == "compactness":
        return f"{label} ({value:.2f})"
    return f"{label} ({_num(value)})"
