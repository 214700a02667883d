"""Scenario and export commands.

``scenario`` (list / show / create / delete), ``compare``, ``export-map``,
``export-results`` and ``export-png``.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from gridplanner.cli import EXIT_OK
from gridplanner.cli.common import (
    add_project_argument,
    format_table,
    load,
    terminal_feedback,
    write_lock,
)
from gridplanner.errors import ProjectError
from gridplanner.i18n import _, current_language

_COLOR_CHOICES = ("band_status", "households", "coverage", "coverage_cat1", "coverage_cat23",
                  "intersections", "walk", "workers")


def _add_analysis_switches(p: argparse.ArgumentParser) -> None:
    """Let a command skip the two slow analyses its figures would otherwise run."""
    p.add_argument("--no-coverage", action="store_true", help="skip camera coverage")
    p.add_argument("--no-allocation", action="store_true", help="skip walking allocation")


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the scenario and export commands."""
    p = subparsers.add_parser(
        "scenario", help="list, show, create or delete scenarios stored in a project",
        description="Scenarios are named variants of the staff roster, grid layer, cameras "
        "and parameters, kept inside the project file. 'current' is the base data.")
    sp = p.add_subparsers(dest="scenario_command", metavar="ACTION", required=True)
    q = sp.add_parser("list", help="the scenarios and what each changes")
    add_project_argument(q)
    q.set_defaults(func=run_scenario_list)
    q = sp.add_parser("show", help="one scenario's changes and parameters")
    add_project_argument(q)
    q.add_argument("name", metavar="NAME")
    q.set_defaults(func=run_scenario_show)
    q = sp.add_parser("delete", help="remove a scenario (the project file is saved)")
    add_project_argument(q)
    q.add_argument("name", metavar="NAME")
    q.set_defaults(func=run_scenario_delete)
    q = sp.add_parser(
        "create", help="store a scenario from layer files and parameters (file is saved)",
        description="Each layer file given replaces that layer in the scenario (it is "
        "stored as a difference against the base data when that is smaller). "
        "--set KEY=VALUE overrides a setting, VALUE in JSON, e.g. --set "
        "'band={\"urban\": [250, 450]}' --set walk_cutoff_m=1500.")
    add_project_argument(q)
    q.add_argument("name", metavar="NAME")
    for layer in ("staff", "grids", "cameras", "households", "facilities"):
        q.add_argument(f"--{layer}", metavar="FILE",
                       help=f"{layer} layer of the scenario (FILE::LAYER picks a layer)")
    q.add_argument("--balanced-grids", action="store_true",
                   help="use a balanced grid proposal (households in the band) as grid layer")
    q.add_argument("--set", dest="settings", action="append", default=[], metavar="KEY=VALUE",
                   help="setting override (repeatable)")
    q.add_argument("--description", default="", help="free text shown in reports")
    q.add_argument("--replace", action="store_true", help="replace a scenario of that name")
    q.set_defaults(func=run_scenario_create)

    p = subparsers.add_parser(
        "compare", help="key figures of scenarios side by side, written as a report",
        description="Compute the key figures of two or more scenarios ('current' is the "
        "base data) and the differences against the first; write them to --out (.xlsx, "
        ".csv or .html).")
    add_project_argument(p)
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                   help="two or more scenario names; the first is the reference")
    p.add_argument("--out", metavar="FILE", help="report.xlsx, report.csv or report.html")
    p.add_argument("--chinese-headers", action="store_true",
                   help="Chinese column headers in a .csv report (.xlsx and .html reports "
                   "follow --lang)")
    p.add_argument("--include-personal", action="store_true",
                   help="keep staff names, phones and ID numbers in the report")
    _add_analysis_switches(p)
    p.set_defaults(func=run_compare)

    p = subparsers.add_parser(
        "export-map", help="interactive HTML map that works offline",
        description="Write a self-contained HTML map (Leaflet inside the file, no internet "
        "needed): grids coloured by a figure, switchable layers, bilingual popups.")
    add_project_argument(p)
    p.add_argument("--out", metavar="FILE", required=True, help="map.html")
    p.add_argument("--scenario", default="current", help="scenario to show (default current)")
    p.add_argument("--color-by", choices=_COLOR_CHOICES, default="band_status",
                   help="figure that colours the grids (default band_status)")
    p.add_argument("--include-personal", action="store_true",
                   help="show staff names, phones and ID numbers in popups")
    p.add_argument("--tile-url", metavar="URL",
                   help="XYZ basemap, e.g. an intranet Tianditu server .../{z}/{x}/{y}.png "
                   "(default: no basemap)")
    p.add_argument("--tile-system", choices=("wgs84", "gcj02"), default="wgs84",
                   help="coordinates of the tiles: wgs84 (also CGCS2000/Tianditu) or gcj02 "
                   "(Amap/Tencent-style; the data are shifted to match)")
    p.add_argument("--tile-attribution", default="", help="credit line of the basemap")
    _add_analysis_switches(p)
    p.set_defaults(func=run_export_map)

    p = subparsers.add_parser(
        "export-results", help="every result of a scenario as GeoPackage layers or tables",
        description="Run the analyses of a scenario and write every result: .gpkg (layers "
        "and tables), .xlsx (one sheet per table) or .csv (per-grid figures).")
    add_project_argument(p)
    p.add_argument("--out", metavar="FILE", required=True, help="results.gpkg, .xlsx or .csv")
    p.add_argument("--scenario", default="current", help="scenario (default current)")
    p.add_argument("--chinese-headers", action="store_true",
                   help="Chinese column headers in .csv (.xlsx follows --lang)")
    p.add_argument("--include-personal", action="store_true",
                   help="keep staff names, phones and ID numbers")
    _add_analysis_switches(p)
    p.set_defaults(func=run_export_results)

    p = subparsers.add_parser("export-png", help="PNG map image of the district or of grids")
    add_project_argument(p)
    p.add_argument("--out", metavar="FILE_OR_DIR", required=True,
                   help="map.png, or a folder with --per-grid")
    p.add_argument("--scenario", default="current", help="scenario (default current)")
    p.add_argument("--color-by", choices=_COLOR_CHOICES, default="band_status")
    p.add_argument("--grid", metavar="GRID_ID", help="draw only around this grid")
    p.add_argument("--per-grid", action="store_true", help="one image per grid into --out")
    p.add_argument("--dpi", type=int, default=150)
    p.add_argument("--basemap", metavar="PRESET|URL|PATH",
                   help="tiles under the map: osm, tianditu-vector, tianditu-imagery (key in "
                   "GRIDPLANNER_TIANDITU_KEY), amap, a {z}/{x}/{y} URL, a tile folder or an "
                   ".mbtiles file (prefix gcj02: for GCJ-02 tiles)")
    _add_analysis_switches(p)
    p.set_defaults(func=run_export_png)


# ------------------------------------------------------------------ scenarios


def run_scenario_list(args: argparse.Namespace) -> int:
    """Print the scenarios and their changes."""
    from gridplanner.scenarios import get_scenario, scenario_names

    project = load(args.project)
    rows = []
    for name in scenario_names(project):
        sc = get_scenario(project, name)
        rows.append([name, _describe_changes(sc), ", ".join(sc.parameters) or "",
                     sc.description])
    print(format_table([_("scenario"), _("changes"), _("parameters"), _("description")],
                       rows))
    return EXIT_OK


def _describe_changes(sc: Any) -> str:
    parts = []
    for layer, ch in sc.changes.items():
        if ch.mode == "table":
            parts.append(_("{layer}: whole layer", layer=layer))
        else:
            parts.append(f"{layer}: +{len(ch.added)} -{len(ch.removed)} ~{len(ch.changed)}")
    return "; ".join(parts) or "-"


def run_scenario_show(args: argparse.Namespace) -> int:
    """Print one scenario."""
    from gridplanner.scenarios import get_scenario

    project = load(args.project)
    sc = get_scenario(project, args.name)
    print(_("scenario: {name}", name=sc.name))
    print(_("description: {text}", text=sc.description))
    print(_("created: {time}", time=sc.created))
    print(_("changes: {changes}", changes=_describe_changes(sc)))
    print(_("parameters: {values}",
            values=json.dumps(dict(sc.parameters), ensure_ascii=False) or "{}"))
    return EXIT_OK


def run_scenario_delete(args: argparse.Namespace) -> int:
    """Delete a scenario and save."""
    from gridplanner.project import save_project
    from gridplanner.scenarios import delete_scenario

    with write_lock(args.project, "scenario delete"):
        project = load(args.project)
        delete_scenario(project, args.name)
        save_project(project)
    print(_("deleted scenario '{name}' from {path}", name=args.name, path=project.path))
    return EXIT_OK


def _parse_settings(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ProjectError(_("--set {item}: write KEY=VALUE, e.g. walk_cutoff_m=1500",
                                 item=repr(item)))
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


def run_scenario_create(args: argparse.Namespace) -> int:
    """Create a scenario from files / a balanced proposal / settings and save."""
    from gridplanner.project import save_project
    from gridplanner.scenarios import save_scenario
    from layers.io import load_layer, split_layer_spec

    with write_lock(args.project, "scenario create"):
        project = load(args.project)
        layers = {}
        for layer in ("staff", "grids", "cameras", "households", "facilities"):
            text = getattr(args, layer)
            if not text:
                continue
            path, sub = split_layer_spec(text)
            loaded = load_layer(path, layer, layer=sub, target_crs=project.crs)
            layers[layer] = loaded.frame
        if args.balanced_grids:
            if "grids" in layers:
                raise ProjectError(_("give either --grids or --balanced-grids, not both"))
            from gridplanner.analyses import run
            from gridplanner.context import AnalysisContext

            low, high = project.config.band_for("urban")
            with terminal_feedback() as feedback:
                proposal = run("balance", AnalysisContext.of(project), min_households=low,
                               max_households=high, feedback=feedback).value
            layers["grids"] = proposal.grids
        settings = _parse_settings(args.settings)
        if not layers and not settings:
            raise ProjectError(_("nothing to vary: give a layer file (--staff FILE ...), "
                                 "--balanced-grids, or --set KEY=VALUE"))
        sc = save_scenario(project, args.name, layers=layers, parameters=settings,
                           description=args.description, replace=args.replace)
        save_project(project)
    if sc.parameters:
        print(_("scenario '{name}': {changes}; parameters {keys}", name=sc.name,
                changes=_describe_changes(sc), keys=", ".join(sc.parameters)))
    else:
        print(_("scenario '{name}': {changes}", name=sc.name, changes=_describe_changes(sc)))
    print(_("saved in {path}", path=project.path))
    return EXIT_OK


# ------------------------------------------------------------------ compare


def figures_table(comparison: Any) -> str:
    """Render the comparison's figures as a plain-text table (labels in the current language)."""
    names = list(comparison.names)
    headers = [_("figure"), *names, *[f"Δ {n}" for n in names[1:]]]
    label = "figure_zh" if current_language() == "zh_CN" else "figure_en"
    rows = []
    for rec in comparison.figures.to_dict("records"):
        row: list[Any] = [rec[label]]
        row += [_num(rec[n]) for n in names]
        row += [_num(rec[f"Δ {n}"], signed=True) for n in names[1:]]
        rows.append(row)
    return format_table(headers, rows)


def _num(value: Any, *, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    v = float(value)
    if abs(v) < 0.05:
        v = 0.0  # no "-0" for differences that round away
    text = f"{v:+,.1f}" if signed else f"{v:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def run_compare(args: argparse.Namespace) -> int:
    """Compare scenarios and write the report."""
    from gridplanner.export.files import check_target, protected_paths
    from gridplanner.export.tables import write_report
    from gridplanner.scenarios import compare_scenarios

    if len(args.scenarios) < 2:
        raise ProjectError(_("give at least two scenarios, e.g. current and a stored one"))
    if args.out:
        check_target(args.out, protect=protected_paths(args.project))
    project = load(args.project)
    with terminal_feedback() as feedback:
        comparison = compare_scenarios(project, args.scenarios,
                                       coverage=not args.no_coverage,
                                       allocation=not args.no_allocation, feedback=feedback)
    print(figures_table(comparison))
    if len(comparison.changed_grids) or len(comparison.changed_staff):
        print("\n" + _("changed grids: {grids}, changed staff: {staff}",
                       grids=len(comparison.changed_grids),
                       staff=len(comparison.changed_staff)))
    for note in comparison.notes:
        print(_("note: {text}", text=note))
    if args.out:
        paths = write_report(comparison, args.out, chinese_headers=args.chinese_headers,
                             include_personal=args.include_personal,
                             protect=protected_paths(args.project))
        for path in paths:
            print(_("written: {path}", path=path))
    return EXIT_OK


# ------------------------------------------------------------------ exports


def _scenario_figures(args: argparse.Namespace) -> Any:
    from gridplanner.scenarios import apply_scenario, is_current, key_figures

    project = load(args.project)
    derived = project if is_current(args.scenario) else apply_scenario(project, args.scenario)
    with terminal_feedback() as feedback:
        figures = key_figures(derived, name=args.scenario, coverage=not args.no_coverage,
                              allocation=not args.no_allocation, feedback=feedback)
    for note in figures.notes:
        print(_("note: {text}", text=note))
    return figures


def _map_figures(figures: Any, color_by: str) -> Any:
    """Return the map's figures from the scenario's analyses (skipped ones stay empty)."""
    from gridplanner.export.figures import map_figures

    res = figures.results
    return map_figures(figures.project, color_by=color_by, checks=res.get("checks"),
                       coverage=res.get("coverage"), allocation=res.get("allocation"),
                       compute_missing=False)


def run_export_map(args: argparse.Namespace) -> int:
    """Write the offline HTML map."""
    from gridplanner.basemap.sources import tile_template
    from gridplanner.export.files import check_target, protected_paths
    from gridplanner.export.webmap import export_map

    protect = protected_paths(args.project)
    check_target(args.out, protect=protect)  # before the analyses, not after
    tile_url = tile_template(args.tile_url) if args.tile_url else None
    figures = _scenario_figures(args)
    shown = _map_figures(figures, args.color_by)
    path = export_map(figures.project, args.out, grid_table=shown.grids, results=shown.layers,
                      staff_table=shown.staff, color_by=args.color_by,
                      include_personal=args.include_personal, tile_url=tile_url,
                      tile_system=args.tile_system, tile_attribution=args.tile_attribution,
                      scenario=args.scenario, protect=protect)
    print(_("written: {path}", path=path))
    return EXIT_OK


def run_export_results(args: argparse.Namespace) -> int:
    """Write every result as GeoPackage layers, XLSX sheets or a CSV table."""
    from gridplanner.export.files import check_target, protected_paths
    from gridplanner.export.results import result_layers, write_geopackage
    from gridplanner.export.tables import ExportError, write_tables

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".gpkg", ".xlsx", ".csv"):
        raise ExportError(_("{path}: use .gpkg, .xlsx or .csv", path=out))
    protect = protected_paths(args.project)
    check_target(out, protect=protect)  # before the analyses, not after
    figures = _scenario_figures(args)
    layers = result_layers(figures)
    if suffix == ".gpkg":
        write_geopackage(layers, out, include_personal=args.include_personal, protect=protect)
    elif suffix == ".xlsx":
        sheets = {name: frame for name, frame in layers.items() if name != "camera_footprints"}
        write_tables(sheets, out, chinese_headers=args.chinese_headers,
                     include_personal=args.include_personal, protect=protect)
    else:
        write_tables({"grid_figures": figures.grids}, out, chinese_headers=args.chinese_headers,
                     include_personal=args.include_personal, protect=protect)
    print(_("written: {path} ({what})", path=out,
            what=", ".join(layers) if suffix != ".csv" else _("per-grid figures")))
    return EXIT_OK


def run_export_png(args: argparse.Namespace) -> int:
    """Write a PNG of the district, of one grid, or one per grid."""
    from gridplanner.basemap import parse_basemap
    from gridplanner.export.files import ExportError, check_target, protected_paths
    from gridplanner.export.png import render_grid_pngs, render_png

    if not 20 <= args.dpi <= 1200:
        raise ExportError(_("--dpi {dpi}: give 20 to 1200 dots per inch", dpi=args.dpi))

    protect = protected_paths(args.project)
    basemap = parse_basemap(args.basemap) if args.basemap else None
    if not args.per_grid:
        check_target(args.out, protect=protect)  # before the analyses, not after
    figures = _scenario_figures(args)
    shown = _map_figures(figures, args.color_by)
    if args.per_grid:
        with terminal_feedback() as feedback:
            paths = render_grid_pngs(figures.project, args.out, grid_table=shown.grids,
                                     results=shown.layers, color_by=args.color_by,
                                     dpi=args.dpi, lang=getattr(args, "lang", None),
                                     protect=protect, basemap=basemap, feedback=feedback)
        print(_("written: {n} images in {path}", n=len(paths), path=args.out))
        return EXIT_OK
    # The title is the map's own (the colouring, or the grid's code and name).
    path = render_png(figures.project, args.out, grid_table=shown.grids, results=shown.layers,
                      color_by=args.color_by, grid_id=args.grid, dpi=args.dpi,
                      lang=getattr(args, "lang", None), protect=protect,
                      source=Path(args.project).name, basemap=basemap)
    print(_("written: {path}", path=path))
    return EXIT_OK
