"""Allocation on the walking network.

Households to staff, grid heads to grids, placement of new staff, service areas
of facilities.

Public API
----------
- :func:`allocate_layers` -> :class:`AllocationResult`
  (optimal capacitated assignment, :mod:`gridplanner.allocation.assign`).
- :func:`~gridplanner.allocation.grid_heads.assign_grid_heads_layers`,
  :func:`~gridplanner.allocation.placement.place_staff_layers`,
  :func:`~gridplanner.allocation.service_areas.service_areas_layers`.

On a project, run the registered analyses (``allocate``, ``grid-heads``,
``place``, ``service-areas``) with :func:`gridplanner.analyses.run`.
"""

from gridplanner.allocation.assign import (
    AllocationResult,
    AllocationTotals,
    allocate_layers,
    staff_capacity,
)

__all__ = ["AllocationResult", "AllocationTotals", "allocate_layers", "staff_capacity"]
