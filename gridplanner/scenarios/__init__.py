"""Scenarios (named variants of staff, grids, cameras and parameters) and comparing them."""

from gridplanner.scenarios.compare import (
    Comparison,
    compare_figures,
    compare_scenarios,
    grid_changes,
    staff_changes,
)
from gridplanner.scenarios.figures import ScenarioFigures, key_figures
from gridplanner.scenarios.lifecycle import accept_result, rename_scenario, scenario_from_edits
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
    "Comparison",
    "LayerChange",
    "Scenario",
    "ScenarioFigures",
    "accept_result",
    "apply_scenario",
    "compare_figures",
    "compare_scenarios",
    "delete_scenario",
    "get_scenario",
    "grid_changes",
    "is_current",
    "key_figures",
    "make_scenario",
    "rename_scenario",
    "save_scenario",
    "scenario_from_edits",
    "scenario_names",
    "staff_changes",
    "store_scenario",
]
