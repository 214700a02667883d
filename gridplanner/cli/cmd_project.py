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
from layers.errors import Problem
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
    p.set_defaults(func=run_import)


def summarise_problems(problems: list[Problem], *, every: bool = False) -> str:
    """Group problems by layer, column and message, with counts and example ids."""
    if every:
        return "\n".join(f"  [{p.severity}] {p.describe()}" for p in problems)
    groups: Counter[tuple[str, str, str, str]] = Counter()
    examples: dict[tuple[str, str, str, str], list[str]] = {}
    for p in problems:
        message = p.message.split("'")[0].strip() if "duplicate" in p.message else p.message
        key = (p.severity, p.layer, p.column, message)
        groups[key] += 1
        if p.feature_id and len(examples.setdefault(key, [])) < 3:
            examples[key].append(p.feature_id)
    rows = [[sev, layer, col, msg, n, ", ".join(examples.get((sev, layer, col, msg), []))]
            for (sev, layer, col, msg), n in sorted(groups.items())]
    return format_table(["severity", "layer", "column", "problem", "count", "e.g."], rows)


def project_summary(project: Project) -> str:
    """Layers with counts and geometry types, and the CRS."""
    rows = []
    for name in [*LAYER_NAMES, *sorted(project.extra_layers)]:
        frame = project.layers.get(name, project.extra_layers.get(name))
        if frame is None:
            continue
        gtypes = sorted(set(frame.geom_type.dropna())) if len(frame) else []
        rows.append([name, len(frame), "/".join(gtypes)])
    crs = project.crs
    head = f"project: {project.path}\nCRS: {crs.to_string() if crs else 'none'}"
    if crs is not None:
        head += f" ({crs.name})"
    return head + "\n\n" + format_table(["layer", "features", "geometry"], rows)


def run_info(args: argparse.Namespace) -> int:
    """Print layers, counts, CRS and a validation summary."""
    from gridplanner.integrity import reference_problems

    project = load(args.project)
    print(project_summary(project))
    problems = project.warnings + reference_problems(project)
    print(f"\nvalidation: 0 errors, {len(problems)} warnings")
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
        print(f"\n{len(exc.problems)} errors: the project cannot be used until they are fixed")
        return EXIT_PROBLEMS
    problems = project.warnings + reference_problems(project)
    if problems:
        print(summarise_problems(problems, every=args.all))
    print(f"\nvalid: 0 errors, {len(problems)} warnings")
    return EXIT_OK


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
    with terminal_feedback() as feedback:
        try:
            project = build_project(files, source_crs=source, analysis_crs=analysis,
                                    feedback=feedback)
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
