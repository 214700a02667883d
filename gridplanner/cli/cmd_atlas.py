"""``export-atlas``: the PDF atlas of a project or scenario (cover, index, a page per grid)."""

from __future__ import annotations

import argparse

from gridplanner.cli import EXIT_OK
from gridplanner.cli.common import add_project_argument, load, terminal_feedback
from gridplanner.i18n import _

_COLOR_CHOICES = ("band_status", "households", "coverage", "coverage_cat1", "coverage_cat23",
                  "intersections", "walk", "workers")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the export-atlas command."""
    p = subparsers.add_parser(
        "export-atlas", help="PDF atlas: cover, index and one printed page per grid",
        description="Write a PDF for meetings: a cover with the district map and key "
        "figures, an index of grids with a traffic-light status, and one page per grid "
        "(map with camera views, gaps, households, staff and facilities; key figures; "
        "checks). Vector pages, Chinese text searchable.",
        conflict_handler="resolve")  # a --lang shared by every command may replace ours
    add_project_argument(p)
    p.add_argument("--out", metavar="FILE", required=True, help="atlas.pdf")
    p.add_argument("--scenario", default="current", help="scenario (default current)")
    p.add_argument("--grids", metavar="ID,ID,...", help="only these grids")
    p.add_argument("--community", metavar="ID", help="only the grids of this community")
    p.add_argument("--include-personal", action="store_true",
                   help="print staff names on the grid pages")
    p.add_argument("--page", choices=("A4", "A3"), default="A4",
                   help="paper size, landscape (default A4)")
    p.add_argument("--color-by", choices=_COLOR_CHOICES, default="band_status",
                   help="figure that colours the cover's district map (default band_status)")
    p.add_argument("--basemap", metavar="PRESET|URL|PATH",
                   help="tiles under every map: osm, tianditu-vector, tianditu-imagery, amap, "
                   "a {z}/{x}/{y} URL, a tile folder or an .mbtiles file (prefix gcj02: for "
                   "GCJ-02 tiles); default none")
    # SUPPRESS: a --lang given before the command name is not overwritten.
    p.add_argument("--lang", choices=("zh_CN", "en"), default=argparse.SUPPRESS,
                   help="language of the atlas (default: the project's language setting, "
                   "else the system's)")
    p.set_defaults(func=run_export_atlas)


def run_export_atlas(args: argparse.Namespace) -> int:
    """Run the analyses of the scenario and write the atlas."""
    from gridplanner.basemap import parse_basemap
    from gridplanner.export.atlas import export_atlas
    from gridplanner.export.files import check_target, protected_paths
    from gridplanner.i18n import system_language
    from gridplanner.scenarios import apply_scenario, is_current

    protect = protected_paths(args.project)
    basemap = parse_basemap(args.basemap) if args.basemap else None  # before any work
    check_target(args.out, protect=protect)  # before the analyses, not after
    project = load(args.project)
    derived = project if is_current(args.scenario) else apply_scenario(project, args.scenario)
    lang = getattr(args, "lang", None) or project.config.language or system_language()
    grids = [g for g in (args.grids or "").split(",") if g.strip()] or None
    with terminal_feedback() as feedback:
        result = export_atlas(derived, args.out, grids=grids, community=args.community,
                              lang=lang, include_personal=args.include_personal,
                              page=args.page, color_by=args.color_by, scenario=args.scenario,
                              source=project.path.name if project.path else None,
                              basemap=basemap, protect=protect, feedback=feedback)
    for note in result.notes:
        print(_("note: {text}", text=note))
    print(_("written: {path} ({pages} pages, {grids} grids)", path=result.path,
            pages=result.pages, grids=len(result.grids)))
    return EXIT_OK
