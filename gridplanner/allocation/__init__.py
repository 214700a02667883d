"""Allocation on the walking network.

Households to staff, grid heads to grids, placement of new staff, service areas
of facilities.

Public API
----------
- :func:`allocate` / :func:`allocate_layers` -> :class:`AllocationResult`
  (optimal capacitated assignment, :mod:`gridplanner.allocation.assign`).
- :func:`~gridplanner.allocation.grid_heads.assign_grid_heads`,
  :func:`~gridplanner.allocation.placement.place_staff`,
  :func:`~gridplanner.allocation.service_areas.service_areas`.
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
