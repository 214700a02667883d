"""Allocation on the walking network: households to staff, grid heads to grids,
placement of new staff, service areas of facilities.

Public API
----------
- :func:`allocate` / :func:`allocate_layers` -> :class:`AllocationResult`
  (optimal capacitated assignment, :mod:`gridplanner.allocation.assign`).
"""

from gridplanner.allocation.assign import (
    AllocationResult,
    AllocationTotals,
    allocate,
    allocate_layers,
    staff_capacity,
)

__all__ = ["AllocationResult", "AllocationTotals", "allocate", "allocate_layers",
           "staff_capacity"]
