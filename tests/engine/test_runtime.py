"""Long engine entry points hold automatic garbage collection off while they run."""

from __future__ import annotations

import gc

import geopandas as gpd
import pytest

from gridplanner.project import Project


def test_allocation_runs_with_collection_paused(monkeypatch):
    from gridplanner.allocation import assign

    seen: list[bool] = []

    def first_step(*args, **kwargs):
        seen.append(gc.isenabled())
        raise RuntimeError("stop here")

    monkeypatch.setattr(assign, "_role_members", first_step)
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="stop here"):
        assign.allocate_layers(gpd.GeoDataFrame(), gpd.GeoDataFrame(), gpd.GeoDataFrame())
    assert seen == [False]
    assert gc.isenabled()


def test_a_registered_run_pauses_collection_and_restores_it_after_an_error(monkeypatch):
    from gridplanner.allocation import assign
    from gridplanner.analyses import run
    from gridplanner.context import AnalysisContext

    seen: list[bool] = []

    def first_step(*args, **kwargs):
        seen.append(gc.isenabled())
        raise RuntimeError("boom")

    monkeypatch.setattr(assign, "_role_members", first_step)
    with pytest.raises(RuntimeError):
        run("allocate", AnalysisContext.of(Project()))
    assert seen == [False]
    assert gc.isenabled()


@pytest.mark.parametrize(("module", "name"), [
    ("gridplanner.allocation.assign", "allocate_layers"),
    ("gridplanner.allocation.grid_heads", "assign_grid_heads_layers"),
    ("gridplanner.allocation.placement", "place_staff_layers"),
    ("gridplanner.allocation.service_areas", "service_areas_layers"),
    ("gridplanner.grids.balance", "propose_balanced_grids"),
    ("gridplanner.grids.checks", "run_checks"),
    ("gridplanner.routing", "route_incidents_layers"),
    ("gridplanner.coverage.compute", "coverage_from_layers"),
])
def test_entry_points_keep_their_docs_and_names(module, name):
    import importlib

    fn = getattr(importlib.import_module(module), name)
    assert fn.__name__ == name
    assert fn.__doc__
