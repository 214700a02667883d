"""Grid checks, topology-safe grid editing with undo/redo, and balanced redraws.

Public API
----------
- :func:`run_checks` -> :class:`CheckResult`: gaps, overlaps, community crossings,
  shape problems, household band, compactness, staffing and code findings.
- Edit commands (:mod:`gridplanner.grids.commands`): :class:`MoveSharedVertex`,
  :class:`ReshapeBoundary`, :class:`SplitGrid`, :class:`MergeGrids`,
  :class:`ReassignHouseholds`, :class:`RenameGrid` (alias :class:`RecodeGrid`),
  :class:`SetLocked`, run through a
  :class:`CommandStack` with unlimited undo/redo.
- :func:`propose_balanced_grids` -> :class:`BalanceProposal`: new grids per
  community with households in the band, contiguous, compact and tiling the
  community.

The names load their modules on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gridplanner.grids.balance import BalanceError, BalanceProposal, propose_balanced_grids
    from gridplanner.grids.checks import CHECK_ORDER, CheckResult, run_checks
    from gridplanner.grids.commands import (
        CommandStack,
        GridCommand,
        GridEditError,
        MergeGrids,
        MoveSharedVertex,
        ReassignHouseholds,
        RecodeGrid,
        RenameGrid,
        ReshapeBoundary,
        SetLocked,
        SplitGrid,
        next_grid_ids,
    )
    from gridplanner.grids.topology import count_households, polsby_popper, reock

_WHERE = {
    "BalanceError": "gridplanner.grids.balance",
    "BalanceProposal": "gridplanner.grids.balance",
    "propose_balanced_grids": "gridplanner.grids.balance",
    "CHECK_ORDER": "gridplanner.grids.checks",
    "CheckResult": "gridplanner.grids.checks",
    "run_checks": "gridplanner.grids.checks",
    "CommandStack": "gridplanner.grids.commands",
    "GridCommand": "gridplanner.grids.commands",
    "GridEditError": "gridplanner.grids.commands",
    "MergeGrids": "gridplanner.grids.commands",
    "MoveSharedVertex": "gridplanner.grids.commands",
    "ReassignHouseholds": "gridplanner.grids.commands",
    "RecodeGrid": "gridplanner.grids.commands",
    "RenameGrid": "gridplanner.grids.commands",
    "ReshapeBoundary": "gridplanner.grids.commands",
    "SetLocked": "gridplanner.grids.commands",
    "SplitGrid": "gridplanner.grids.commands",
    "next_grid_ids": "gridplanner.grids.commands",
    "count_households": "gridplanner.grids.topology",
    "polsby_popper": "gridplanner.grids.topology",
    "reock": "gridplanner.grids.topology",
}

__all__ = [
    "CHECK_ORDER",
    "BalanceError",
    "BalanceProposal",
    "CheckResult",
    "CommandStack",
    "GridCommand",
    "GridEditError",
    "MergeGrids",
    "MoveSharedVertex",
    "ReassignHouseholds",
    "RecodeGrid",
    "RenameGrid",
    "ReshapeBoundary",
    "SetLocked",
    "SplitGrid",
    "count_households",
    "next_grid_ids",
    "polsby_popper",
    "propose_balanced_grids",
    "reock",
    "run_checks",
]


def __getattr__(name: str) -> Any:
    """Import the module holding ``name`` on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
