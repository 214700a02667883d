"""The engine's analyses (:data:`BUILTIN`), which the registry loads first."""

from __future__ import annotations

from gridplanner.analyses.cameras import COVERAGE, SITING
from gridplanner.analyses.grids import BALANCE, CHECK
from gridplanner.analyses.organisation import ORGANISATION_ANALYSES
from gridplanner.analyses.walking import (
    ALLOCATE,
    GRID_HEADS,
    NETWORK,
    PLACE,
    ROUTE,
    SERVICE_AREAS,
)

#: The engine's analyses in menu order.
BUILTIN = (COVERAGE, SITING, ALLOCATE, GRID_HEADS, PLACE, SERVICE_AREAS, CHECK, BALANCE,
           NETWORK, ROUTE, *ORGANISATION_ANALYSES)
