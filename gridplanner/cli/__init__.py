"""The ``gridplanner`` command line.

Each ``cmd_*.py`` module in this package adds its subcommands through a
``register(subparsers)`` function, so analyses plug in without touching this file.
A command function takes the parsed arguments and returns the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import warnings
from collections.abc import Sequence

from gridplanner import __version__
from gridplanner.errors import Cancelled, GridPlannerError

EXIT_OK = 0
EXIT_PROBLEMS = 1  # the command ran and found errors (validate, check)
EXIT_ERROR = 2  # the command could not run
EXIT_CANCELLED = 130


def build_parser() -> argparse.ArgumentParser:
    """Build the full parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="gridplanner",
        description="Plan grids, cameras and grid workers. With no command, opens the "
        "desktop app on the bundled sample district (or runs the demo without a screen).",
    )
    parser.add_argument("--version", action="version", version=f"gridplanner {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            module.register(subparsers)
    from gridplanner.cli.common import add_language_option

    add_language_option(parser)  # after the commands: every one of them gets --lang
    return parser


#: Modules whose warnings the command line keeps to itself without ``--debug``:
#: every one but GridPlanner's own.
_LIBRARY_MODULES = r"(?!(gridplanner|layers)(\.|$))"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(args_list)
    from gridplanner.cli.common import apply_language
    from gridplanner.i18n import _

    apply_language(args.lang)
    if args.command is None:
        from gridplanner.cli.launch import launch_default

        return launch_default(debug=args.debug)
    try:
        with warnings.catch_warnings():
            if not args.debug:  # a library's own notes are not the user's business
                warnings.filterwarnings("ignore", module=_LIBRARY_MODULES)
            return int(args.func(args))
    except Cancelled:
        print("\n" + _("cancelled"), file=sys.stderr)
        return EXIT_CANCELLED
    except KeyboardInterrupt:
        print("\n" + _("interrupted"), file=sys.stderr)
        return EXIT_CANCELLED
    except GridPlannerError as exc:
        if args.debug:
            raise
        from gridplanner.text import error_message

        print(_("error: {message}", message=error_message(exc.message)), file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:
        if args.debug:
            raise
        print(_("error: unexpected failure: {kind}: {message}\n"
                "Run again with --debug for details and report it.",
                kind=type(exc).__name__, message=exc), file=sys.stderr)
        return EXIT_ERROR


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
