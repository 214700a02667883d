"""The headless demo: every analysis on the sample, two scenarios compared, exports.

``gridplanner demo --out DIR`` opens the bundled sample district (or a given
project), validates it, runs the grid checks, camera coverage and walking
allocation, builds the scenario "+20 full-time workers, balanced grids", stores it
in a copy of the project (``DIR/demo_project.gpkg``, reopened from disk so the
scenario is shown to survive a save), compares it with the current data and
writes the offline HTML maps, the XLSX/HTML reports, the result GeoPackage and a
PNG map.
"""

from __future__ import annotations

from pathlib import Path

from gridplanner.context import AnalysisContext
from gridplanner.feedback import Feedback, report, sub
from gridplanner.i18n import _
from gridplanner.integrity import reference_problems
from gridplanner.project import Project, open_project, save_project
from gridplanner.sample import sample_project_path

#: Name of the example scenario the demo builds.
DEMO_SCENARIO = "+20 full-time, balanced grids"
NEW_WORKERS = 20


def build_demo_scenario(project: Project, *, feedback: Feedback | None = None) -> None:
    """Store the example scenario in ``project``: balanced grids and 20 more workers.

    The grid layer is the balanced proposal of :mod:`gridplanner.grids.balance`;
    staff are re-homed to the new grids and 20 full-time workers are added at the
    bases the p-median placement (the registered analysis ``place``)
    chooses to cut walking most; without a road network, where the full-time
    capacity falls shortest of the households.
    """
    from gridplanner.analyses import run
    from gridplanner.errors import AnalysisError
    from gridplanner.scenarios import save_scenario
    from gridplanner.scenarios.builders import add_staff, proposal_layers, sites_for_new_workers

    ctx = AnalysisContext.of(project)
    low, high = ctx.settings.band_for("urban")
    proposal = run("balance", ctx, min_households=low, max_households=high,
                   feedback=sub(feedback, 0.0, 0.6)).layers["grids"]
    balanced = proposal_layers(project, proposal)
    grids, staff = balanced["grids"], balanced["staff"]
    try:
        placed = run("place", ctx, n=NEW_WORKERS, role="full_time",
                     feedback=sub(feedback, 0.6, 1.0))
        sites = placed.layers["new_sites"].geometry
    except AnalysisError:
        sites = sites_for_new_workers(project, NEW_WORKERS, grids=grids)
    staff = add_staff(staff, sites, role="full_time", grids=grids, prefix="NEWFT")
    save_scenario(project, DEMO_SCENARIO, layers={"grids": grids, "staff": staff},
                  description=f"{NEW_WORKERS} more full-time grid workers (p-median "
                  "placement) and the balanced grid proposal "
                  "(增加20名专职网格员，网格均衡调整)", replace=True)


def run_demo(
    out_dir: Path, *, project_path: str | Path | None = None, feedback: Feedback | None = None
) -> str:
    """Run the demo and return the text summary it prints.

    Parameters
    ----------
    out_dir
        Folder the outputs are written to (created).
    project_path
        A project to use instead of the bundled sample.
    feedback
        Progress and cancellation.
    """
    from gridplanner.cli.cmd_project import project_summary, summarise_problems
    from gridplanner.cli.cmd_scenarios import figures_table
    from gridplanner.export.figures import map_figures
    from gridplanner.export.png import render_png
    from gridplanner.export.results import result_layers, write_geopackage
    from gridplanner.export.tables import write_report
    from gridplanner.export.webmap import export_map
    from gridplanner.scenarios import apply_scenario, compare_figures, key_figures

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = Path(project_path) if project_path else sample_project_path()
    report(feedback, 0.0, _("opening the project"))
    project = open_project(path, feedback=sub(feedback, 0.0, 0.05))
    problems = project.warnings + reference_problems(project)
    lines = [project_summary(project), "",
             _("validation: 0 errors, {n} warnings", n=len(problems)),
             summarise_problems(problems)]

    report(feedback, 0.05, _("building the example scenario"))
    build_demo_scenario(project, feedback=sub(feedback, 0.05, 0.15))
    from gridplanner.cli.common import write_lock

    # The folder may hold a demo project the app has open: write it only under its lock.
    with write_lock(out_dir / "demo_project.gpkg", "demo", must_exist=False):
        project_file = save_project(project, out_dir / "demo_project.gpkg")
    project = open_project(project_file)  # the scenario comes back from the file

    report(feedback, 0.2, _("analyses of the current data"))
    current = key_figures(project, name="current", feedback=sub(feedback, 0.2, 0.5))
    report(feedback, 0.5, _("analyses of the scenario"))
    variant = key_figures(apply_scenario(project, DEMO_SCENARIO), name=DEMO_SCENARIO,
                          feedback=sub(feedback, 0.5, 0.8))
    comparison = compare_figures([current, variant])

    report(feedback, 0.8, _("writing reports and maps"))
    outputs: list[tuple[str, Path]] = []
    for p in write_report(comparison, out_dir / "comparison.xlsx"):
        outputs.append((_("comparison report (XLSX)"), p))
    for p in write_report(comparison, out_dir / "comparison.html"):
        outputs.append((_("comparison report (HTML)"), p))
    for figures, stem, colour in ((current, "map_current", "coverage"),
                                  (variant, "map_scenario", "band_status")):
        assert figures.project is not None
        shown = map_figures(figures.project, color_by=colour, compute_missing=False,
                            **{k: figures.results.get(k)
                               for k in ("checks", "coverage", "allocation")})
        outputs.append((_("offline HTML map ({name})", name=figures.name),
                        export_map(figures.project, out_dir / f"{stem}.html",
                                   grid_table=shown.grids, results=shown.layers,
                                   staff_table=shown.staff, color_by=colour,
                                   title=_("GridPlanner demo: {name}",
                                           name=figures.name))))
        if figures is current:
            outputs.append((_("PNG map (coverage)"),
                            render_png(figures.project, out_dir / "map_coverage.png",
                                       grid_table=shown.grids, results=shown.layers,
                                       color_by=colour, source=path.name)))
    report(feedback, 0.86, _("every registered analysis"))
    analyses_file, analysis_lines = run_every_analysis(project, out_dir,
                                                       feedback=sub(feedback, 0.86, 0.9))
    outputs.append((_("every analysis (GeoPackage)"), analyses_file))
    report(feedback, 0.9, _("writing the result GeoPackage"))
    layers = result_layers(current)
    layers.update({f"scenario_{k}": v for k, v in result_layers(variant).items()})
    outputs.append((_("result GeoPackage"),
                    write_geopackage(layers, out_dir / "results.gpkg")))
    outputs.append((_("project with the scenario"), project_file))
    report(feedback, 1.0, _("demo finished"))

    lines += ["", _("scenarios compared: current vs '{name}'", name=DEMO_SCENARIO),
              figures_table(comparison), "",
              _("changed grids: {grids}, changed staff: {staff}",
                grids=len(comparison.changed_grids), staff=len(comparison.changed_staff))]
    lines += [_("note: {text}", text=n) for n in comparison.notes]
    lines += ["", _("analyses (each from the registry, layers in analyses.gpkg):"),
              *analysis_lines]
    lines += ["", _("outputs:")] + [f"  {label}: {p.resolve()}" for label, p in outputs]
    lines += ["", _("outputs in: {path}", path=out_dir.resolve())]
    return "\n".join(lines)


#: Options the demo gives analyses that need some (others run with their defaults).
DEMO_OPTIONS: dict[str, dict[str, object]] = {
    "site-cameras": {"k": 10}, "place": {"n": 10},
}


def run_every_analysis(project: Project, out_dir: Path, *,
                       feedback: Feedback | None = None) -> tuple[Path, list[str]]:
    """Run every registered analysis on ``project``; write their layers to one file.

    Layers are named ``ANALYSIS__LAYER`` in ``out_dir/analyses.gpkg``. Incident routing
    runs on the project's own incidents (or is left out when it has none). Returns
    the file and one line per analysis.
    """
    from gridplanner.analyses import analyses
    from gridplanner.export.files import protected_paths
    from gridplanner.export.results import write_geopackage

    ctx = AnalysisContext.of(project)
    incidents = project.layer("incidents")
    layers: dict[str, object] = {}
    lines = []
    todo = [a for a in analyses() if a.name != "route" or len(incidents)]
    for i, analysis in enumerate(todo):
        report(feedback, i / len(todo), _("running {name}", name=analysis.name))
        values = dict(DEMO_OPTIONS.get(analysis.name, {}))
        if analysis.name == "route":
            values = {"points": str(project.path) + "::incidents"} if project.path else {}
            if not values:
                continue
        result = analysis.run(ctx, analysis.make_options(values), sub(
            feedback, i / len(todo), (i + 1) / len(todo)))
        for name, frame in result.layers.items():
            layers[f"{analysis.name.replace('-', '_')}__{name}"] = frame
        lines.append(f"  {analysis.name}: {result.headline[:110]}")
    path = write_geopackage(layers, out_dir / "analyses.gpkg",
                            protect=protected_paths(project.path))
    return path, lines
