"""The ``batch`` command: many districts at once on Dask (see :mod:`gridplanner.batch`)."""

from __future__ import annotations

import argparse

from gridplanner.cli import EXIT_OK, EXIT_PROBLEMS
from gridplanner.cli.common import format_table, terminal_feedback
from gridplanner.i18n import _, pgettext

_DEFAULT_ANALYSES = "coverage,allocation,checks"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``batch`` command."""
    p = subparsers.add_parser(
        "batch", help="run analyses on many district projects at once (Dask)",
        description="Run each project as one task on dask.distributed: a local cluster by "
        "default, or an existing one with --scheduler. Writes OUT/<district>/<analysis>.gpkg "
        "and OUT/summary.csv (one row per district). A district that fails is reported "
        "without stopping the others; the exit code is then 1.")
    p.add_argument("projects", metavar="PROJECT", nargs="+", help="project GeoPackages")
    p.add_argument("--out", metavar="DIR", required=True, help="folder for the results")
    p.add_argument("--analyses", default=_DEFAULT_ANALYSES, metavar="LIST",
                   help=f"comma-separated, some of {_DEFAULT_ANALYSES} (default: all)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler to use, e.g. tcp://10.0.0.5:8786 (default: a local "
                   "cluster); its workers must see the projects and DIR at the same paths")
    p.add_argument("--workers", type=int, default=2, metavar="N",
                   help="workers of the local cluster (default 2)")
    p.set_defaults(func=run_batch_command)


def run_batch_command(args: argparse.Namespace) -> int:
    """Run the batch and print the combined summary."""
    from gridplanner.batch import run_batch

    names = [a.strip() for a in args.analyses.split(",") if a.strip()]
    with terminal_feedback() as feedback:
        result = run_batch(args.projects, args.out, analyses=names, scheduler=args.scheduler,
                           workers=args.workers, feedback=feedback)
    table = result.summary
    shown = ["district", "status", "household_points", "households", "grids",
             "households_pct_all", "unassigned_households", "findings", "seconds"]
    rows = [["" if v is None or v != v else v for v in rec]
            for rec in table[shown].itertuples(index=False)]
    print(format_table([pgettext("column", c) for c in shown], rows))
    for rec in table[table["status"] != "ok"].itertuples(index=False):
        print(_("{district}: failed: {error}", district=rec.district, error=rec.error))
    print("\n" + _("written: {path}", path=result.summary_path))
    return EXIT_PROBLEMS if result.failed else EXIT_OK
