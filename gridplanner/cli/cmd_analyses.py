"""Subcommands built from the analysis registry (:mod:`gridplanner.analyses`).

Each registered analysis becomes ``gridplanner NAME PROJECT [options] --out FILE``:
its options dataclass gives the flags (help, choices, ranges, off-switches), the
run goes through the project's analysis context with a progress bar, the result
layers are written atomically, and the summary is printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import types
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gridplanner.analyses import Analysis, analyses, option_info
from gridplanner.cli import EXIT_OK
from gridplanner.cli.common import add_project_argument, load, terminal_feedback
from gridplanner.errors import ReadError
from gridplanner.i18n import N_, _

if TYPE_CHECKING:
    from gridplanner.analyses import AnalysisResult


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add one subcommand per registered analysis."""
    for analysis in analyses():
        p = subparsers.add_parser(analysis.name, help=analysis.help,
                                  description=analysis.description or None)
        add_project_argument(p)
        for f in analysis.fields():
            _add_flag(p, f)
        p.add_argument("--out", metavar="FILE", required=analysis.out_required,
                       help=analysis.out_help)
        p.add_argument("--include-personal", action="store_true",
                       help="keep staff names, phones and ID numbers in the written file")
        p.set_defaults(func=lambda args, a=analysis: run_registered(a, args))


def _add_flag(parser: argparse.ArgumentParser, f: dataclasses.Field[Any]) -> None:
    info = option_info(f)
    kind = _base_type(f)
    flags = [info.flag or "--" + f.name.replace("_", "-")]
    if info.short:
        flags.insert(0, info.short)
    required = f.default is dataclasses.MISSING
    if kind is bool:
        if info.negate:
            parser.add_argument(info.negate, dest=f.name, action="store_false",
                                help=f"do not {info.help}")
        else:
            parser.add_argument(*flags, dest=f.name, action="store_true", help=info.help)
        return
    default = None if required else f.default
    shown = f" (default {default})" if default is not None else ""
    parser.add_argument(*flags, dest=f.name, type=kind, default=default, required=required,
                        choices=info.choices or None, metavar=info.metavar or None,
                        help=f"{info.help}{shown}")


def _base_type(f: dataclasses.Field[Any]) -> type:
    hint = f.type
    if isinstance(hint, str):
        hint = {"bool": bool, "int": int, "float": float, "str": str}.get(
            hint.split("|")[0].strip(), str)
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    return hint if isinstance(hint, type) else str


def run_registered(analysis: Analysis, args: argparse.Namespace) -> int:
    """Run ``analysis`` with the parsed flags, write its layers, print its summary."""
    out = _out_target(args.out, args.project, suffixes=analysis.out_suffixes) if (
        args.out) else None
    values = {f.name: getattr(args, f.name) for f in analysis.fields()}
    options = analysis.make_options(values)
    from gridplanner.context import AnalysisContext

    project = load(args.project)
    with terminal_feedback() as feedback:
        result = analysis.run(AnalysisContext.of(project), options, feedback)
    print(result.summary)
    if out is not None:
        _write(result, out, single=analysis.adds_layer, include_personal=args.include_personal,
               project=args.project)
        print("\n" + _("written: {path} (layers: {layers})", path=out[0],
                       layers=", ".join(_written(result, out[1]))))
    return result.exit_code or EXIT_OK


_KINDS = {".gpkg": N_("a GeoPackage (.gpkg)"), ".csv": N_("a CSV table (.csv)"),
          ".xlsx": N_("an Excel workbook (.xlsx)"),
          ".geojson": N_("GeoJSON (.geojson)"), ".json": N_("GeoJSON (.json)")}


def _out_target(out: str, project: str, *, suffixes: tuple[str, ...]) -> tuple[Path, str]:
    from gridplanner.export.files import check_target, protected_paths
    from layers.io import split_layer_spec

    path, found = split_layer_spec(out)
    layer = found or ""
    if path.suffix.lower() not in suffixes:
        kinds = _(" or ").join(_(_KINDS[s]) if s in _KINDS else s for s in suffixes)
        raise ReadError(_("{path}: results are written as {kinds}: give a {suffix} name",
                          path=path, kinds=kinds, suffix=suffixes[0]))
    check_target(path, protect=protected_paths(project))
    return path, layer


def _write(result: AnalysisResult, target: tuple[Path, str], *, single: bool,
           include_personal: bool, project: str) -> None:
    from gridplanner.export.files import protected_paths
    from gridplanner.export.results import add_layer, write_geopackage

    path, layer = target
    protect = protected_paths(project)
    if path.suffix.lower() == ".xlsx":  # every result layer as a sheet, geometry left out
        from gridplanner.export.tables import write_xlsx

        write_xlsx(dict(result.layers), path, column_names=True,
                   include_personal=include_personal, protect=protect)
        return
    if path.suffix.lower() == ".csv":
        from gridplanner.export.tables import write_csv

        write_csv(result.table, path, name=next(iter(result.layers), ""),
                  include_personal=include_personal, protect=protect)
        return
    if single or path.suffix.lower() != ".gpkg":
        # One layer to a named layer or a GeoJSON file (grid checks' findings).
        (name, frame), = list(result.layers.items())[:1]
        add_layer(frame, path, layer=layer or name, include_personal=include_personal,
                  protect=protect)
        return
    layers = dict(result.layers)
    if layer:  # FILE.gpkg::NAME names the first (main) layer
        first = next(iter(layers))
        layers = {layer: layers.pop(first), **layers}
    write_geopackage(layers, path, geometry_types=dict(result.geometry_types),
                     include_personal=include_personal, protect=protect)


def _written(result: AnalysisResult, layer: str) -> list[str]:
    names = list(result.layers)
    return [layer or names[0], *names[1:]] if names else []
