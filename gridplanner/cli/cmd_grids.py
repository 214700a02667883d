"""Grid commands: ``check`` (grid findings) and ``balance`` (a balanced redraw proposal)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import pyogrio

from gridplanner.cli import EXIT_OK, EXIT_PROBLEMS
from gridplanner.cli.common import add_project_argument, format_table, load, terminal_feedback
from gridplanner.errors import ReadError
from gridplanner.grids.checks import CHECK_ORDER, CheckResult, run_checks
from layers.io import split_layer_spec, write_layer


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the grid commands."""
    p = subparsers.add_parser(
        "check", help="check the grids: gaps, overlaps, band, compactness, staff, codes",
        description="List grid findings grouped by check. Findings are warnings; the exit "
        "code is 1 when there are any, 0 when the grids are clean.")
    add_project_argument(p)
    p.add_argument("--out", metavar="FILE",
                   help="also write the findings as a layer (.gpkg, FILE.gpkg::LAYER, or "
                   ".geojson); default layer name grid_checks")
    p.add_argument("--community", metavar="ID", help="only findings of this community")
    p.add_argument("--all", action="store_true", help="list every finding, not the first 15 "
                   "of each check")
    p.set_defaults(func=run_check)

    p = subparsers.add_parser(
        "balance", help="propose grids with households in the band (written to a file)",
        description="Propose new grid boundaries per community: households in the band, "
        "each grid one piece, compact, tiling the community; locked grids stay. The "
        "project is not changed.")
    add_project_argument(p)
    p.add_argument("--community", metavar="ID", help="rebalance only this community")
    p.add_argument("--min", dest="min_households", type=int, default=300, metavar="N",
                   help="fewest households per grid (default 300)")
    p.add_argument("--max", dest="max_households", type=int, default=500, metavar="N",
                   help="most households per grid (default 500)")
    p.add_argument("--out", metavar="PROPOSAL.gpkg", required=True,
                   help="GeoPackage to write: layer 'grids' (the proposal) and table "
                   "'balance_figures'")
    p.set_defaults(func=run_balance)


def _split_target(out: str, default_layer: str) -> tuple[Path, str]:
    path, layer = split_layer_spec(out)
    return path, layer or default_layer


def format_findings(result: CheckResult, *, every: bool = False, limit: int = 15) -> str:
    """Render findings grouped by check, after a table of counts."""
    findings = result.findings
    if not len(findings):
        return "no findings: the grids are clean"
    counts = result.counts()
    lines = [format_table(["check", "findings"], [[c, int(n)] for c, n in counts.items()])]
    for check in CHECK_ORDER:
        rows = findings[findings["check"] == check]
        if not len(rows):
            continue
        lines.append(f"\n{check} ({len(rows)}):")
        shown = rows if every else rows.head(limit)
        lines.extend(f"  - {msg}" for msg in shown["message"])
        if len(rows) > len(shown):
            lines.append(f"  ... and {len(rows) - len(shown)} more (--all lists them)")
    return "\n".join(lines)


def run_check(args: argparse.Namespace) -> int:
    """Run the grid checks, print them grouped, optionally write them to a layer."""
    project = load(args.project)
    with terminal_feedback() as feedback:
        result = run_checks(project, community_id=args.community, feedback=feedback)
    print(format_findings(result, every=args.all))
    if args.out:
        path, layer = _split_target(args.out, "grid_checks")
        try:
            write_layer(result.findings, path, layer=layer)
        except ReadError:
            raise
        except Exception as exc:
            raise ReadError(f"{path}: could not write the findings ({exc})") from exc
        print(f"\nwritten: {path} (layer {layer}, {len(result.findings)} findings)")
    return EXIT_PROBLEMS if len(result.findings) else EXIT_OK


def run_balance(args: argparse.Namespace) -> int:
    """Propose balanced grids and write them to a GeoPackage."""
    from gridplanner.grids.balance import BalanceError, propose_balanced_grids

    if args.min_households < 0 or args.max_households < max(args.min_households, 1):
        raise BalanceError(f"the band {args.min_households}-{args.max_households} is empty: "
                           "give --min below --max")
    path, layer = _split_target(args.out, "grids")
    if path.suffix.lower() != ".gpkg":
        raise ReadError(f"{path}: the proposal is written as a GeoPackage: give a .gpkg name")
    project = load(args.project)
    with terminal_feedback() as feedback:
        proposal = propose_balanced_grids(
            project, community_id=args.community, min_households=args.min_households,
            max_households=args.max_households, feedback=feedback)
    try:
        write_layer(proposal.grids, path, layer=layer)
        pyogrio.write_dataframe(pd.DataFrame(proposal.figures), path,
                                layer="balance_figures", driver="GPKG")
    except Exception as exc:
        raise ReadError(f"{path}: could not write the proposal ({exc})") from exc
    print(format_figures(proposal.figures))
    print(f"\nwritten: {path} (layer {layer}: {len(proposal.grids)} grids; table "
          "balance_figures). The project is unchanged: load the layer as a scenario to "
          "use it.")
    return EXIT_OK


def format_figures(figures: pd.DataFrame) -> str:
    """Per-community figures of a proposal as a table."""
    rows = [[r.community_id, r.households, f"{r.grids_before} -> {r.grids_after}",
             f"{r.violations_before} -> {r.violations_after}",
             f"{r.min_before}-{r.max_before}", f"{r.min_after}-{r.max_after}",
             f"{r.pp_mean_before:.2f} -> {r.pp_mean_after:.2f}",
             f"{r.reock_mean_before:.2f} -> {r.reock_mean_after:.2f}"]
            for r in figures.itertuples(index=False)]
    return format_table(["community", "households", "grids", "out of band",
                         "households before", "households after", "Polsby-Popper",
                         "Reock"], rows)
