"""Scenarios (named variants of staff, grids, cameras and parameters) and comparing them."""

from gridplanner.scenarios.model import (
    CURRENT,
    LayerChange,
    Scenario,
    apply_scenario,
    delete_scenario,
    get_scenario,
    is_current,
    make_scenario,
    save_scenario,
    scenario_names,
    store_scenario,
)

__all__ = [
    "CURRENT",
    "LayerChange",
    "Scenario",
    "apply_scenario",
    "delete_scenario",
    "get_scenario",
    "is_current",
    "make_scenario",
    "save_scenario",
    "scenario_names",
    "store_scenario",
]
