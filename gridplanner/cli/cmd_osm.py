"""``import-osm``: a new project from an OpenStreetMap extract."""

from __future__ import annotations

import argparse
from pathlib import Path

from gridplanner.cli import EXIT_OK
from gridplanner.cli.cmd_project import add_mapping_arguments, import_mapping
from gridplanner.cli.common import format_table, terminal_feedback, write_lock
from gridplanner.errors import ReadError
from gridplanner.i18n import _, pgettext
from gridplanner.project import save_project
from layers.crs import parse_source_crs
from layers.schema import LAYER_NAMES


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``import-osm`` command."""
    from gridplanner.osm.build import DEFAULT_LEVELS, FLOOR_AREA_PER_HOUSEHOLD_M2

    p = subparsers.add_parser(
        "import-osm", help="build a project from an OpenStreetMap extract (.osm.pbf)",
        description="Roads, buildings, cameras, police stations, community centres and "
        "administrative boundaries from an OpenStreetMap extract, read offline; households "
        "are estimated from residential buildings and grids made one per community.")
    p.add_argument("out", metavar="OUT.gpkg", help="project file to write")
    p.add_argument("--pbf", required=True, metavar="FILE.osm.pbf", help="the OSM extract")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--bbox", metavar="W,S,E,N",
                       help="keep only what lies in this box (degrees)")
    where.add_argument("--boundary", metavar="FILE",
                       help="keep only what lies inside this polygon file (FILE::LAYER too)")
    p.add_argument("--source-crs", metavar="CRS",
                   help="what --bbox, --boundary and your own layer files are in when not "
                   "WGS84 or not declared: gcj02 (Amap, Tencent), bd09 (Baidu) or an EPSG "
                   "code; OpenStreetMap itself is always WGS84")
    p.add_argument("--floor-area-per-household-m2", type=float,
                   default=FLOOR_AREA_PER_HOUSEHOLD_M2, metavar="M2",
                   help="gross floor area of one home, for the household estimate "
                   f"(default {FLOOR_AREA_PER_HOUSEHOLD_M2:g})")
    p.add_argument("--default-levels", type=int, default=DEFAULT_LEVELS, metavar="N",
                   help="storeys of a residential block whose levels are not mapped "
                   f"(default {DEFAULT_LEVELS})")
    for name in LAYER_NAMES:
        p.add_argument("--" + name.replace("_", "-"), dest=name, metavar="FILE",
                       help=f"your own {name} file, used instead of what OpenStreetMap gives "
                       "or estimates (FILE::LAYER picks a GeoPackage layer)")
    add_mapping_arguments(p)
    p.set_defaults(func=run_import_osm)


def run_import_osm(args: argparse.Namespace) -> int:
    """Build the project, save it and print what was found and estimated."""
    from gridplanner.osm import osm_project, parse_bbox

    try:
        import osmium  # noqa: F401  (the "osm" extra)
    except ImportError:
        raise ReadError(_("reading OpenStreetMap files needs the osmium package: "
                          "pip install 'gridplanner[osm]'")) from None
    source = parse_source_crs(args.source_crs) if args.source_crs else None
    bbox = parse_bbox(args.bbox) if args.bbox else None
    files = {name: getattr(args, name) for name in LAYER_NAMES if getattr(args, name)}
    mapping = import_mapping(args, given=files)
    with terminal_feedback() as feedback:
        result = osm_project(args.pbf, bbox=bbox, boundary=args.boundary, source_crs=source,
                             floor_area_per_household_m2=args.floor_area_per_household_m2,
                             default_levels=args.default_levels, files=files,
                             mapping=mapping, feedback=feedback)
        Path(args.out).resolve().parent.mkdir(parents=True, exist_ok=True)
        with write_lock(args.out, "import-osm", must_exist=False):
            out = save_project(result.project, Path(args.out), feedback=feedback)
    print(_("Found in OpenStreetMap:"))
    print(format_table([_("what"), _("count")],
                       [[pgettext("osm", k), v] for k, v in result.found.items()]))
    if result.estimated:
        print("\n" + _("Estimated (replace with real data when you have it):"))
        print(format_table([_("what"), _("count")],
                           [[pgettext("osm", k), v] for k, v in result.estimated.items()]))
    if result.given:
        print("\n" + _("From your own files:"))
        print(format_table([_("layer"), _("features")], [[k, v] for k, v in result.given.items()]))
    if result.project.warnings:
        print("\n" + _("{n} warnings while checking the layers",
                        n=len(result.project.warnings)))
    print("\n" + _("written: {path}", path=out))
    return EXIT_OK
