"""Project commands: ``info``, ``validate``, ``import``."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from gridplanner.cli import EXIT_OK, EXIT_PROBLEMS
from gridplanner.cli.common import (
    add_project_argument,
    format_table,
    load,
    terminal_feedback,
    write_lock,
)
from gridplanner.errors import ProjectError, SchemaError
from gridplanner.i18n import _, pgettext
from gridplanner.text import problem_message, problem_text, severity_label
from layers.errors import Problem
from layers.mapping import (
    ImportMapping,
    load_mapping,
    mapping_from_flags,
    parse_column_flag,
    parse_value_flag,
)
from layers.schema import LAYER_NAMES

if TYPE_CHECKING:
    from gridplanner.project import Project


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the project commands."""
    p = subparsers.add_parser("info", help="layers, counts, CRS and a validation summary")
    add_project_argument(p)
    p.set_defaults(func=run_info)

    p = subparsers.add_parser("validate", help="check every layer; exit code 1 on errors")
    add_project_argument(p)
    p.add_argument("--all", action="store_true", help="list every warning, not a summary")
    p.set_defaults(func=run_validate)

    p = subparsers.add_parser("import", help="build a project from layer files")
    p.add_argument("out", metavar="OUT.gpkg", help="project file to write")
    for name in LAYER_NAMES:
        flag = "--" + name.replace("_", "-")
        p.add_argument(flag, dest=name, metavar="FILE",
                       help=f"{name} layer file (FILE::LAYER picks a GeoPackage layer)")
    p.add_argument("--source-crs", metavar="CRS",
                   help="coordinate system of the files, overriding what they declare: "
                   "EPSG code, gcj02 (Amap/Tencent) or bd09 (Baidu)")
    p.add_argument("--analysis-crs", metavar="EPSG",
                   help="metric CRS of the project (default: chosen from the data)")
    add_mapping_arguments(p)
    p.set_defaults(func=run_import)


def add_mapping_arguments(p: argparse.ArgumentParser) -> None:
    """Add ``--column``, ``--value`` and ``--mapping`` to a command reading layer files."""
    p.add_argument("--column", action="append", default=[], metavar="LAYER:COLUMN=FILE_COLUMN",
                   help="read a layer's column from a file column of another name, e.g. "
                   "service_areas:area_id=adcode (repeatable)")
    p.add_argument("--value", action="append", default=[], metavar="LAYER:COLUMN:VALUE=MEANT",
                   help="read a value of the file as another, e.g. "
                   "staff:role:专职网格员=full_time (repeatable)")
    p.add_argument("--mapping", metavar="FILE.json",
                   help="column and value mapping saved by the app's import dialog (or "
                   "written by hand); --column and --value override it")


def summarise_problems(problems: list[Problem], *, every: bool = False) -> str:
    """Group problems by layer, column and message, with counts and example ids."""
    if every:
        return "\n".join(f"  [{severity_label(p.severity)}] {problem_text(p)}"
                         for p in problems)
    groups: Counter[tuple[str, str, str, str]] = Counter()
    examples: dict[tuple[str, str, str, str], list[str]] = {}
    for p in problems:
        message = p.message.split("'")[0].strip() if "duplicate" in p.message else p.message
        key = (p.severity, p.layer, p.column, message)
        groups[key] += 1
        if p.feature_id and len(examples.setdefault(key, [])) < 3:
            examples[key].append(p.feature_id)
    rows = [[severity_label(sev), layer, col, problem_message(msg), n,
             ", ".join(examples.get((sev, layer, col, msg), []))]
            for (sev, layer, col, msg), n in sorted(groups.items())]
    return format_table([_("severity"), _("layer"), _("column"), _("problem"), _("count"),
                         _("e.g.")], rows)


def project_summary(project: Project) -> str:
    """Layers with counts and geometry types, and the CRS."""
    rows = []
    for name in [*LAYER_NAMES, *sorted(project.extra_layers)]:
        frame = project.layers.get(name, project.extra_layers.get(name))
        if frame is None:
            continue
        gtypes = sorted(set(frame.geom_type.dropna())) if len(frame) else []
        rows.append([name, len(frame), "/".join(pgettext("geometry", g) for g in gtypes)])
    crs = project.crs
    head = _("project: {path}", path=project.path) + "\n" + (
        _("CRS: {code} ({name})", code=crs.to_string(), name=crs.name) if crs is not None
        else _("CRS: none"))
    return head + "\n\n" + format_table([_("layer"), _("features"), _("geometry")], rows)


def run_info(args: argparse.Namespace) -> int:
    """Print layers, counts, CRS and a validation summary."""
    from gridplanner.integrity import reference_problems

    project = load(args.project)
    print(project_summary(project))
    problems = project.warnings + reference_problems(project)
    print("\n" + _("validation: 0 errors, {n} warnings", n=len(problems)))
    if problems:
        print(summarise_problems(problems))
    return EXIT_OK


def run_validate(args: argparse.Namespace) -> int:
    """Validate every layer and cross-layer reference; exit 1 on errors."""
    from gridplanner.integrity import reference_problems

    try:
        project = load(args.project)
    except ProjectError as exc:
        if not exc.problems:
            raise
        print(summarise_problems(list(exc.problems), every=args.all))
        print("\n" + _("{n} errors: the project cannot be used until they are fixed",
                       n=len(exc.problems)))
        return EXIT_PROBLEMS
    problems = project.warnings + reference_problems(project)
    if problems:
        print(summarise_problems(problems, every=args.all))
    print("\n" + _("valid: 0 errors, {n} warnings", n=len(problems)))
    return EXIT_OK


def import_mapping(args: argparse.Namespace, *, given: dict[str, str]) -> ImportMapping:
    """Return the mapping of ``--mapping``, ``--column`` and ``--value``.

    Raises
    ------
    SchemaError
        Naming the flag value whose layer was given no file.
    """
    base = load_mapping(args.mapping) if args.mapping else None
    mapping = mapping_from_flags(columns=args.column, values=args.value, base=base)
    flagged = [(f"--column {t}", parse_column_flag(t)[0]) for t in args.column]
    flagged += [(f"--value {t}", parse_value_flag(t)[0]) for t in args.value]
    for text, layer in flagged:
        if layer not in given:
            raise SchemaError(_("{text}: no {layer} file is imported; give it with "
                                "--{flag} FILE", text=text, layer=layer,
                                flag=layer.replace("_", "-")))
    return mapping


def run_import(args: argparse.Namespace) -> int:
    """Build a project from layer files and save it."""
    from pyproj import CRS

    from gridplanner.importer import build_project
    from gridplanner.project import save_project
    from layers.crs import parse_source_crs

    files = {name: getattr(args, name) for name in LAYER_NAMES if getattr(args, name)}
    if not files:
        raise SchemaError("give at least one layer file, e.g. --grids grids.shp")
    source = parse_source_crs(args.source_crs) if args.source_crs else None
    analysis = parse_source_crs(args.analysis_crs) if args.analysis_crs else None
    if isinstance(analysis, str):
        raise SchemaError("--analysis-crs must be a metric CRS such as 4549, not a web-map one")
    if isinstance(analysis, CRS) and not analysis.is_projected:
        raise SchemaError(f"--analysis-crs {args.analysis_crs} is not a projected (metric) CRS")
    mapping = import_mapping(args, given=files)
    with terminal_feedback() as feedback:
        try:
            project = build_project(files, source_crs=source, analysis_crs=analysis,
                                    mapping=mapping, feedback=feedback)
        except SchemaError as exc:
            if not exc.problems:
                raise
            print(summarise_problems(list(exc.problems), every=True))
            print(f"\n{len(exc.problems)} errors: nothing was written")
            return EXIT_PROBLEMS
        Path(args.out).resolve().parent.mkdir(parents=True, exist_ok=True)
        with write_lock(args.out, "import", must_exist=False):
            out = save_project(project, Path(args.out), feedback=feedback)
    print(project_summary(project))
    if project.warnings:
        print(f"\n{len(project.warnings)} warnings:")
        print(summarise_problems(project.warnings))
    print(f"\nwritten: {out}")
    return EXIT_OK
