"""Long engine entry points hold automatic garbage collection off while they run."""

from __future__ import annotations

import gc

import pytest

from gridplanner.project import Project


def test_allocate_runs_with_collection_paused(monkeypatch):
    from gridplanner.allocation import assign

    seen: list[bool] = []

    def fake_layers(*args, **kwargs):
        seen.append(gc.isenabled())
        return "result"

    monkeypatch.setattr(assign, "allocate_layers", fake_layers)
    assert gc.isenabled()
    assert assign.allocate(Project()) == "result"
    assert seen == [False]
    assert gc.isenabled()


def test_collection_comes_back_after_an_error(monkeypatch):
    from gridplanner.allocation import assign

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(assign, "allocate_layers", boom)
    with pytest.raises(RuntimeError):
        assign.allocate(Project())
    assert gc.isenabled()


@pytest.mark.parametrize(("module", "name"), [
    ("gridplanner.allocation.assign", "allocate"),
    ("gridplanner.allocation.grid_heads", "assign_grid_heads"),
    ("gridplanner.allocation.placement", "place_staff"),
    ("gridplanner.allocation.service_areas", "service_areas"),
    ("gridplanner.grids.balance", "propose_balanced_grids"),
    ("gridplanner.grids.checks", "run_checks"),
    ("gridplanner.routing", "route_incidents"),
    ("gridplanner.coverage.compute", "compute_coverage"),
])
def test_entry_points_keep_their_docs_and_names(module, name):
    import importlib

    fn = getattr(importlib.import_module(module), name)
    assert fn.__name__ == name
    assert fn.__doc__
