"""``gridplanner demo``: every analysis on the bundled sample, headless."""

from __future__ import annotations

import argparse
from pathlib import Path

from gridplanner.cli import EXIT_OK


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the demo command."""
    p = subparsers.add_parser("demo", help="run the analyses on the bundled sample district")
    p.add_argument("--out", metavar="DIR", default="gridplanner-demo",
                   help="folder for the outputs (default: ./gridplanner-demo)")
    p.add_argument("--project", metavar="PROJECT", help="use this project instead of the sample")
    p.set_defaults(func=run_demo_command)


def run_demo_command(args: argparse.Namespace) -> int:
    """Run the demo and print where its outputs are."""
    from gridplanner.cli.common import terminal_feedback
    from gridplanner.demo import run_demo

    with terminal_feedback() as feedback:
        report = run_demo(Path(args.out), project_path=args.project, feedback=feedback)
    print(report)
    return EXIT_OK
