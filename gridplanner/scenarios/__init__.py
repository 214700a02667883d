"""Scenarios (named variants of staff, grids, cameras and parameters) and comparing them.

The names load their modules on first use (the labels need none of the engine).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_WHERE = {
    "Comparison": "gridplanner.scenarios.compare",
    "compare_figures": "gridplanner.scenarios.compare",
    "compare_scenarios": "gridplanner.scenarios.compare",
    "grid_changes": "gridplanner.scenarios.compare",
    "staff_changes": "gridplanner.scenarios.compare",
    "ScenarioFigures": "gridplanner.scenarios.figures",
    "key_figures": "gridplanner.scenarios.figures",
    "accept_result": "gridplanner.scenarios.lifecycle",
    "rename_scenario": "gridplanner.scenarios.lifecycle",
    "scenario_from_edits": "gridplanner.scenarios.lifecycle",
    "CURRENT": "gridplanner.scenarios.model",
    "LayerChange": "gridplanner.scenarios.model",
    "Scenario": "gridplanner.scenarios.model",
    "apply_scenario": "gridplanner.scenarios.model",
    "delete_scenario": "gridplanner.scenarios.model",
    "get_scenario": "gridplanner.scenarios.model",
    "is_current": "gridplanner.scenarios.model",
    "make_scenario": "gridplanner.scenarios.model",
    "save_scenario": "gridplanner.scenarios.model",
    "scenario_names": "gridplanner.scenarios.model",
    "store_scenario": "gridplanner.scenarios.model",
}

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


def __getattr__(name: str) -> Any:
    """Import the module holding ``name`` on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
