"""Property tests: random command sequences keep the tiling, spare locked grids, and
undo back to the exact original layer."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridplanner.grids import (
    CommandStack,
    GridEditError,
    MergeGrids,
    MoveSharedVertex,
    ReassignHouseholds,
    ReshapeBoundary,
    SetLocked,
    SplitGrid,
)
from gridplanner.grids.commands import polygonal_boundary_intersection
from gridplanner.grids.topology import adjacency_pairs
from gridplanner.project import Project

KINDS = ["move", "split", "merge", "reassign", "lock", "reshape"]
TOTAL = 90000.0


def make_project(blocks, locked_first: bool) -> Project:
    locked = [locked_first] + [False] * 8
    return Project(layers={"grids": blocks.grids_frame(blocks.squares(), locked=locked),
                           "households": blocks.lattice_households()})


def draw_command(data, project):
    grids = project.layers["grids"]
    ids = grids["grid_id"].tolist()
    kind = data.draw(st.sampled_from(KINDS))
    if kind == "move":
        coords = shapely.get_coordinates(grids.geometry.array)
        start = coords[data.draw(st.integers(0, len(coords) - 1))]
        shift = data.draw(st.tuples(st.integers(-30, 30), st.integers(-30, 30)))
        return MoveSharedVertex(tuple(start), (start[0] + shift[0], start[1] + shift[1]))
    if kind == "split":
        pos = data.draw(st.integers(0, len(ids) - 1))
        centre = grids.geometry.iloc[pos].representative_point()
        angle = data.draw(st.integers(0, 179)) * np.pi / 180
        dx, dy = 400 * np.cos(angle), 400 * np.sin(angle)
        line = [(centre.x - dx, centre.y - dy), (centre.x + dx, centre.y + dy)]
        return SplitGrid(ids[pos], line)
    if kind == "merge":
        pair = data.draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))
        return MergeGrids(pair, keep_id=pair[1])
    if kind == "reassign":
        hh = project.layers["households"]["household_id"].tolist()
        chosen = data.draw(st.lists(st.sampled_from(hh), min_size=1, max_size=3, unique=True))
        return ReassignHouseholds(chosen, data.draw(st.sampled_from(ids)))
    if kind == "lock":
        return SetLocked([data.draw(st.sampled_from(ids))], data.draw(st.booleans()))
    pairs = adjacency_pairs(np.asarray(grids.geometry.array, dtype=object))
    if not len(pairs):
        return SetLocked([ids[0]], False)
    i, j = pairs[data.draw(st.integers(0, len(pairs) - 1))]
    shared = shapely.line_merge(polygonal_boundary_intersection(
        grids.geometry.iloc[i], grids.geometry.iloc[j]))
    parts = shapely.get_parts(shared)
    parts = parts[shapely.length(parts) > 0]
    if not len(parts):  # neighbours meeting at a corner only: nothing to reshape
        return SetLocked([ids[i]], False)
    part = parts[0]
    f0, f1 = sorted(data.draw(st.lists(st.floats(0, 1), min_size=2, max_size=2)))
    p0, p1 = part.interpolate(f0, normalized=True), part.interpolate(f1, normalized=True)
    mid = part.interpolate((f0 + f1) / 2, normalized=True)
    bulge = data.draw(st.tuples(st.integers(-40, 40), st.integers(-40, 40)))
    line = [(p0.x, p0.y), (mid.x + bulge[0], mid.y + bulge[1]), (p1.x, p1.y)]
    return ReshapeBoundary(ids[i], ids[j], line)


def assert_tiling(project):
    geoms = np.asarray(project.layers["grids"].geometry.array, dtype=object)
    union = shapely.union_all(geoms)
    assert abs(float(shapely.area(geoms).sum()) - TOTAL) <= 1e-6 * TOTAL
    assert abs(float(union.area) - TOTAL) <= 1e-6 * TOTAL
    gap = shapely.symmetric_difference(union, shapely.box(0, 0, 300, 300)).area
    assert gap <= 1e-6 * TOTAL
    assert shapely.is_valid(geoms).all()


def locked_rows(frame):
    locked = frame[frame["locked"].astype(bool)]
    return {gid: geom.wkb for gid, geom in zip(locked["grid_id"], locked.geometry, strict=True)}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data(), locked_first=st.booleans(), steps=st.integers(1, 6))
def test_random_commands_keep_tiling_and_undo_exactly(blocks, data, locked_first, steps):
    project = make_project(blocks, locked_first)
    original = project.layers["grids"]
    original_wkb = [g.wkb for g in original.geometry]
    stack = CommandStack(project)
    for _ in range(steps):
        command = draw_command(data, project)
        before = project.layers["grids"]
        locked_before = locked_rows(before)
        try:
            stack.push(command)
        except GridEditError:
            assert project.layers["grids"] is before
            continue
        after = project.layers["grids"]
        assert_tiling(project)
        after_geoms = dict(zip(after["grid_id"], after.geometry, strict=True))
        for gid, wkb in locked_before.items():
            if command.kind != "set_locked":
                assert gid in after_geoms
                assert after_geoms[gid].wkb == wkb
    for _ in range(stack.index):
        stack.undo()
    assert project.layers["grids"] is original
    assert [g.wkb for g in project.layers["grids"].geometry] == original_wkb
    assert not stack.can_undo
