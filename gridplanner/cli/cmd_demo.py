"""``gridplanner demo``: every analysis on the bundled sample, headless, and its PDF atlas."""

from __future__ import annotations

import argparse
from pathlib import Path

from gridplanner.cli import EXIT_OK
from gridplanner.i18n import _


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the demo command."""
    p = subparsers.add_parser("demo", help="run the analyses on the bundled sample district")
    p.add_argument("--out", metavar="DIR", default="gridplanner-demo",
                   help="folder for the outputs (default: ./gridplanner-demo)")
    p.add_argument("--project", metavar="PROJECT", help="use this project instead of the sample")
    p.set_defaults(func=run_demo_command)


def run_demo_command(args: argparse.Namespace) -> int:
    """Run the demo, write the PDF atlas of its project and print where the outputs are."""
    from gridplanner.cli.common import terminal_feedback
    from gridplanner.demo import run_demo
    from gridplanner.export.atlas import export_atlas
    from gridplanner.feedback import sub
    from gridplanner.project import open_project

    out = Path(args.out)
    with terminal_feedback() as feedback:
        report = run_demo(out, project_path=args.project, feedback=sub(feedback, 0.0, 0.8))
        project = open_project(out / "demo_project.gpkg")
        atlas = export_atlas(project, out / "atlas.pdf", lang=getattr(args, "lang", None)
                             or project.config.language, feedback=sub(feedback, 0.8, 1.0))
    print(report)
    print(_("PDF atlas ({pages} pages): {path}", pages=atlas.pages, path=atlas.path.resolve()))
    return EXIT_OK
