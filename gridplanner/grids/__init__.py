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
"""

from __future__ import annotations

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
