"""Making, renaming and accepting scenarios: the steps a front-end offers.

- :func:`scenario_from_edits`: the edits on a grid command stack become a scenario
  and the base data goes back to what it was before them;
- :func:`rename_scenario`: a stored scenario under a new name (its place in the
  list, description, parameters and creation time kept);
- :func:`accept_result`: an analysis result put into effect as a new scenario:
  proposed camera sites become cameras, placed staff bases become staff of the
  placed role (in the grid holding their base), a balanced grid proposal becomes
  the grid layer with staff re-homed onto it. :data:`ACCEPTS` names the analyses
  whose results can be accepted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from gridplanner.errors import GridPlannerError, ProjectError
from gridplanner.project import Project
from gridplanner.scenarios.builders import add_cameras, add_staff, proposal_layers
from gridplanner.scenarios.model import (
    SCENARIO_LAYERS,
    LayerChange,
    Scenario,
    _check_name,
    _drop_tables,
    get_scenario,
    is_current,
    save_scenario,
    table_name,
)

if TYPE_CHECKING:
    from gridplanner.analyses.registry import AnalysisResult
    from gridplanner.grids.commands import CommandStack


def scenario_from_edits(project: Project, commands: CommandStack, name: str, *,
                        description: str = "") -> Scenario:
    """Store the edits on ``commands`` as scenario ``name``; the base data goes back.

    Every edit is undone (the layers return to the very frames they were before
    the first edit), the edited layers are stored as the scenario, and the edit
    history is cleared: the edits now live in the scenario, so redoing them onto
    the base would make the two disagree.

    Raises
    ------
    ProjectError
        When the name is taken or reserved, or nothing was edited. The edits are
        then left in place as they were.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from gridplanner.grids.commands import CommandStack, MergeGrids
    >>> grids = gpd.GeoDataFrame({"grid_id": ["a", "b"], "community_id": ["c", "c"]},
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs=4549)
    >>> p = Project(layers={"grids": grids})
    >>> stack = CommandStack(p)
    >>> stack.push(MergeGrids(["a", "b"]))
    >>> sc = scenario_from_edits(p, stack, "merged")
    >>> len(p.layers["grids"]), sorted(sc.changes), stack.can_undo
    (2, ['grids'], False)
    """
    _check_name(name)
    if name in project.scenarios:
        raise ProjectError(f"a scenario called '{name}' exists already; choose another name")
    if not commands.index:
        raise ProjectError("there are no edits to keep as a scenario: edit the grids first")
    edited = {k: v for k, v in project.layers.items() if k in SCENARIO_LAYERS}
    steps = commands.index
    while commands.can_undo:
        commands.undo()
    changed = {k: v for k, v in edited.items() if project.layers.get(k) is not v}
    try:
        scenario = save_scenario(project, name, layers=changed, description=description)
    except GridPlannerError:
        while commands.index < steps and commands.can_redo:
            commands.redo()
        raise
    commands.clear()
    return scenario


def rename_scenario(project: Project, old: str, new: str) -> Scenario:
    """Give stored scenario ``old`` the name ``new`` (same place in the list).

    Raises
    ------
    ProjectError
        When ``old`` is unknown or the base data, or ``new`` is taken or reserved.

    Examples
    --------
    >>> p = Project(scenarios={"a": {"name": "a"}, "b": {"name": "b"}})
    >>> rename_scenario(p, "a", "c").name, list(p.scenarios)
    ('c', ['c', 'b'])
    """
    if is_current(old):
        raise ProjectError("the current data is not a stored scenario and cannot be renamed")
    scenario = get_scenario(project, old)
    _check_name(new)
    if new == old:
        return scenario
    if new in project.scenarios:
        raise ProjectError(f"a scenario called '{new}' exists already; choose another name")
    changes: dict[str, LayerChange] = {}
    tables: dict[str, gpd.GeoDataFrame] = {}
    for layer, change in scenario.changes.items():
        if change.mode == "table":
            frame = project.extra_layers.get(change.table)
            if frame is None:
                raise ProjectError(f"scenario '{old}': its {layer} table {change.table} is "
                                   "missing from the project; delete the scenario and "
                                   "create it again")
            change = dataclasses.replace(change, table=table_name(new, layer))
            tables[change.table] = frame
        changes[layer] = change
    renamed = dataclasses.replace(scenario, name=new, changes=changes)
    _drop_tables(project, old)
    project.extra_layers.update(tables)
    docs = list(project.scenarios.items())
    project.scenarios.clear()
    for key, doc in docs:
        if key == old:
            project.scenarios[new] = renamed.to_json()
        else:
            project.scenarios[key] = doc
    project.emit("scenarios_changed", new)
    return renamed


# ------------------------------------------------------------------ accepting results
def _siting_layers(project: Project, result: AnalysisResult, options: Any
                   ) -> dict[str, gpd.GeoDataFrame]:
    return {"cameras": add_cameras(project.layer("cameras"),
                                   result.layers["proposed_cameras"])}


def _placement_layers(project: Project, result: AnalysisResult, options: Any
                      ) -> dict[str, gpd.GeoDataFrame]:
    role = str(getattr(options, "role", "full_time"))
    sites = result.layers["new_sites"]
    return {"staff": add_staff(project.layer("staff"), sites.geometry, role=role,
                               grids=project.layer("grids"))}


def _balance_layers(project: Project, result: AnalysisResult, options: Any
                    ) -> dict[str, gpd.GeoDataFrame]:
    return proposal_layers(project, result.layers["grids"])


#: Analyses whose result can become a scenario, and the layers it changes.
ACCEPTS: Mapping[str, Callable[[Project, AnalysisResult, Any], dict[str, gpd.GeoDataFrame]]] = {
    "site-cameras": _siting_layers,
    "place": _placement_layers,
    "balance": _balance_layers,
}


def accepted_layers(project: Project, result: AnalysisResult, options: Any = None
                    ) -> dict[str, gpd.GeoDataFrame]:
    """Return the layers of ``project`` as they are once ``result`` is put into effect.

    ``options`` are the options the result was run with (placement: the role of
    the new staff).

    Raises
    ------
    ProjectError
        When the analysis's results cannot be accepted (see :data:`ACCEPTS`).
    """
    build = ACCEPTS.get(result.name)
    if build is None:
        raise ProjectError(f"a result of {result.name} cannot become a scenario; accept "
                           f"one of {', '.join(ACCEPTS)}")
    return build(project, result, options)


def accept_result(project: Project, name: str, result: AnalysisResult, options: Any = None,
                  *, description: str = "") -> Scenario:
    """Store ``result`` put into effect as the new scenario ``name``.

    Raises
    ------
    ProjectError
        When the name is taken or reserved, the result cannot be accepted, or the
        layers it gives break their schema.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from gridplanner.analyses import AnalysisResult
    >>> grids = gpd.GeoDataFrame({"grid_id": ["g"]}, geometry=[shapely.box(0, 0, 9, 9)],
    ...                          crs=4549)
    >>> staff = gpd.GeoDataFrame({"staff_id": ["s"], "role": ["police"], "grid_id": ["g"]},
    ...                          geometry=[shapely.Point(1, 1)], crs=4549)
    >>> p = Project(layers={"grids": grids, "staff": staff})
    >>> sites = gpd.GeoDataFrame({"rank": [1]}, geometry=[shapely.Point(5, 5)], crs=4549)
    >>> placed = AnalysisResult("place", {"new_sites": sites}, sites, "")
    >>> sc = accept_result(p, "one more", placed)
    >>> [(r["staff_id"], r["role"], r["grid_id"]) for r in sc.changes["staff"].added]
    [('NEW001', 'full_time', 'g')]
    """
    layers = accepted_layers(project, result, options)
    return save_scenario(project, name, layers=layers,
                         description=description or f"accepted from {result.name}")
