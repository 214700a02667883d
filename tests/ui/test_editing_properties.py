"""Property test: random edits through the app's edit controller never touch the wrong grid.

Random sequences of select / merge / split / move vertex / reassign / lock / undo /
redo on a 4x3 block; after every step the selected grids are exactly the ones
picked (or the merge result), locked grids are unchanged and the grids still tile
the block.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gridplanner.project import Project

COMMUNITY = "330702001001"
COLS, ROWS, SIZE = 4, 3, 100.0
TOTAL = COLS * ROWS * SIZE * SIZE
STEPS = ["select", "select_pair", "select_one", "merge", "split", "reshape", "move", "reassign",
         "lock", "undo", "redo"]


def block_project() -> Project:
    boxes = [shapely.box(c * SIZE, r * SIZE, (c + 1) * SIZE, (r + 1) * SIZE)
             for r in range(ROWS) for c in range(COLS)]
    n = len(boxes)
    ids = [f"{COMMUNITY}{k + 1:03d}" for k in range(n)]
    grids = gpd.GeoDataFrame({
        "grid_id": ids, "name": [f"grid {k + 1}" for k in range(n)],
        "community_id": [COMMUNITY] * n, "kind": ["urban"] * n,
        "locked": [k == 0 for k in range(n)],  # one grid locked from the start
    }, geometry=boxes, crs=4549)
    xy = [(x, y) for y in np.arange(25, ROWS * SIZE, 50) for x in np.arange(25, COLS * SIZE, 50)]
    households = gpd.GeoDataFrame({
        "household_id": [f"H{i:03d}" for i in range(len(xy))],
        "households": [100] * len(xy),
    }, geometry=shapely.points(np.asarray(xy, dtype=float)), crs=4549)
    return Project(layers={"grids": grids, "households": households})


def _ids(window) -> list[str]:
    return window.session.project.layers["grids"]["grid_id"].astype(str).tolist()


def _locked_rows(window) -> dict[str, tuple]:
    grids = window.session.project.layers["grids"]
    locked = grids["locked"].fillna(False).astype(bool).to_numpy()
    return {str(row["grid_id"]): (row.geometry.wkb, str(row["name"]),
                                  str(row["community_id"]))
            for _, row in grids[locked].iterrows()}


def _check_tiling(window) -> None:
    geoms = np.asarray(window.session.project.layers["grids"].geometry.array, dtype=object)
    assert shapely.is_valid(geoms).all()
    assert (shapely.get_num_geometries(geoms) == 1).all()
    areas = shapely.area(geoms)
    assert (areas > 0).all()
    assert float(areas.sum()) == pytest.approx(TOTAL, rel=1e-7)  # no overlap ...
    assert float(shapely.area(shapely.union_all(geoms))) == pytest.approx(TOTAL, rel=1e-7)  # no gap


def _check_corners_shared(window, spared: set[str]) -> None:
    """Every grid corner lying on another grid's edge is a vertex of that grid too.

    Grids locked at some point (``spared``) are left out: a locked grid is never
    changed, so it gets no new vertex while it is locked.
    """
    grids = window.session.project.layers["grids"]
    geoms = np.asarray(grids.geometry.array, dtype=object)
    locked = grids["grid_id"].astype(str).isin(spared).to_numpy()
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    xy = np.unique(coords, axis=0)
    pt, grid = shapely.STRtree(shapely.boundary(geoms)).query(
        shapely.points(xy), predicate="dwithin", distance=1e-6)
    keys = {(float(x), float(y), int(g)) for (x, y), g in zip(coords, owner, strict=True)}
    missing = [(tuple(xy[p]), int(g)) for p, g in zip(pt, grid, strict=True)
               if not locked[g] and (float(xy[p][0]), float(xy[p][1]), int(g)) not in keys]
    assert missing == [], "corners on a neighbour's edge but not its vertex"


def _step(window, data, kind: str, picked: set[str]) -> set[str]:
    """Run one user step; return the ids that should be selected afterwards."""
    editing = window.editing
    stack = window.session.stack
    grids = window.session.project.layers["grids"]
    ids = _ids(window)
    if kind == "select":
        rows = data.draw(st.lists(st.integers(0, len(ids) - 1), min_size=1, max_size=3,
                                  unique=True), label="rows")
        add = data.draw(st.booleans(), label="add (Shift)")
        stack.select("grids", rows, add=add)
        chosen = {ids[r] for r in rows}
        return (picked | chosen) if add else chosen
    if kind == "select_one":  # a click on one grid
        row = data.draw(st.integers(0, len(ids) - 1), label="row")
        stack.select("grids", [row])
        return {ids[row]}
    if kind == "select_pair":  # a click on a grid, Shift+click on a neighbour
        row = data.draw(st.integers(0, len(ids) - 1), label="row")
        geoms = grids.geometry.to_numpy()
        shared = shapely.length(shapely.intersection(shapely.boundary(geoms[row]),
                                                     shapely.boundary(geoms)))
        shared[row] = 0
        other = data.draw(st.sampled_from(np.flatnonzero(shared > 0).tolist()),
                          label="neighbour")
        stack.select("grids", [row])
        stack.select("grids", [other], add=True)
        return {ids[row], ids[other]}
    if kind == "merge":
        before = editing.selected_grid_ids()
        if editing.merge_selected():
            return {before[0]}
        return picked
    if kind == "split":
        pos = data.draw(st.integers(0, len(ids) - 1), label="grid to split")
        chosen = editing.selected_grid_ids()
        if len(chosen) == 1:  # the controller splits the selected grid
            pos = ids.index(chosen[0])
        centre = grids.geometry.iloc[pos].representative_point()
        angle = data.draw(st.integers(0, 179), label="angle") * np.pi / 180
        dx, dy = 30 * np.cos(angle), 30 * np.sin(angle)
        # a short line through the grid, its ends pushed to just outside the grid
        line = shapely.LineString([(centre.x - dx, centre.y - dy), (centre.x + dx, centre.y + dy)])
        line = shapely.affinity.scale(line, 20, 20, origin=centre)
        line = shapely.intersection(line, grids.geometry.iloc[pos].buffer(5))
        if shapely.get_type_id(line) == 1:
            editing.split(line)
        return picked
    if kind == "reshape":  # a bulge drawn from one point of a shared edge to another
        geoms = grids.geometry.to_numpy()
        a = data.draw(st.integers(0, len(ids) - 1), label="grid")
        edges = shapely.line_merge(shapely.intersection(shapely.boundary(geoms[a]),
                                                        shapely.boundary(geoms)))
        lengths = shapely.length(edges)
        lengths[a] = 0
        if lengths.max() <= 0:
            return picked
        edge = shapely.get_parts(edges[int(np.argmax(lengths))])
        edge = edge[int(np.argmax(shapely.length(edge)))]
        p, q = edge.interpolate(0.2, normalized=True), edge.interpolate(0.8, normalized=True)
        mid = edge.interpolate(0.5, normalized=True)
        dx, dy = q.x - p.x, q.y - p.y
        norm = float(np.hypot(dx, dy)) or 1.0
        bulge = data.draw(st.integers(-20, 20), label="bulge")
        tip = (mid.x - dy / norm * bulge, mid.y + dx / norm * bulge)
        editing.reshape(shapely.LineString([(p.x, p.y), tip, (q.x, q.y)]))
        return picked
    if kind == "move":
        coords = np.unique(shapely.get_coordinates(grids.geometry.array), axis=0)
        inner = ((coords[:, 0] > 0) & (coords[:, 0] < COLS * SIZE) & (coords[:, 1] > 0)
                 & (coords[:, 1] < ROWS * SIZE))
        if inner.any() and data.draw(st.booleans(), label="inner vertex"):
            coords = coords[inner]
        start = coords[data.draw(st.integers(0, len(coords) - 1), label="vertex")]
        shift = data.draw(st.tuples(st.integers(-30, 30), st.integers(-30, 30)), label="shift")
        editing.move_vertex((float(start[0]), float(start[1])),
                            (float(start[0] + shift[0]), float(start[1] + shift[1])))
        return picked
    if kind == "reassign":
        hh = window.session.project.layers["households"]
        chosen = editing.selected_grid_ids()
        near = np.arange(len(hh))
        if len(chosen) == 1:  # mostly households just outside the receiving grid
            target = grids.geometry.iloc[ids.index(chosen[0])]
            d = shapely.distance(np.asarray(hh.geometry.array, dtype=object), target)
            if ((d > 0) & (d <= 50)).any() and data.draw(st.booleans(), label="next to it"):
                near = np.flatnonzero((d > 0) & (d <= 50))
        k = int(near[data.draw(st.integers(0, len(near) - 1), label="household")])
        p = hh.geometry.iloc[k]
        editing.reassign_in(shapely.box(p.x - 1, p.y - 1, p.x + 1, p.y + 1))
        return picked
    if kind == "lock":
        editing.set_locked(data.draw(st.booleans(), label="lock"))
        return picked
    if kind == "undo":
        window.undo()
        return picked
    window.redo()
    return picked


@pytest.fixture
def editing_window(make_window):
    """One window for every example of the test (each example opens a new project)."""
    return make_window()


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_random_edits_never_touch_the_wrong_grid(editing_window, data):
    window = editing_window
    window.session.set_project(block_project())
    window.prompter.errors.clear()
    picked: set[str] = set()
    spared = set(_locked_rows(window))
    for _ in range(data.draw(st.integers(4, 20), label="steps")):
        kind = data.draw(st.sampled_from(STEPS), label="step")
        locked_before = _locked_rows(window)
        picked = _step(window, data, kind, picked)
        # the selection: the grids picked that still exist (a merge leaves its result)
        picked &= set(_ids(window))
        assert set(window.editing.selected_grid_ids()) == picked, kind
        # locked grids: unchanged by anything but their own unlock
        locked_after = _locked_rows(window)
        for gid in set(locked_before) & set(locked_after):
            assert locked_after[gid] == locked_before[gid], (kind, gid)
        if kind not in ("lock", "undo", "redo"):
            assert set(locked_before) <= set(locked_after), kind
        _check_tiling(window)
        spared |= set(locked_after)
        _check_corners_shared(window, spared)
    assert not pd.isna(window.session.project.layers["grids"]["grid_id"]).any()
    event(f"edits applied: {len(window.session.commands.history)}")
