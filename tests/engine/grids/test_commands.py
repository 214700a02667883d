"""Edit commands on the hand-made 3x3 block (expected shapes worked out by hand)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gridplanner.grids import (
    CommandStack,
    GridEditError,
    MergeGrids,
    MoveSharedVertex,
    ReassignHouseholds,
    RenameGrid,
    ReshapeBoundary,
    SetLocked,
    SplitGrid,
)


def geom_of(project, grid_id):
    grids = project.layers["grids"]
    return grids.loc[grids["grid_id"] == grid_id].geometry.iloc[0]


def total_area(project):
    return float(project.layers["grids"].area.sum())


def union_area(project):
    return float(shapely.union_all(project.layers["grids"].geometry.array).area)


def test_move_shared_vertex_moves_all_four_neighbours_and_nothing_else(block_project, blocks):
    before = block_project.layers["grids"]
    stack = CommandStack(block_project)
    command = MoveSharedVertex((100, 100), (110, 105), tolerance_m=0.5)
    stack.push(command)
    after = block_project.layers["grids"]
    moved = {blocks.gid(k) for k in (1, 2, 4, 5)}
    assert command.changed_grid_ids == moved
    for k in range(1, 10):
        old, new = geom_of_frame(before, blocks.gid(k)), geom_of_frame(after, blocks.gid(k))
        if blocks.gid(k) in moved:
            assert (110, 105) in list(new.exterior.coords)
            assert not new.equals(old)
        else:
            assert new.equals_exact(old, 0)
    # Grid 1 gains the triangle (100,0)-(110,105)-(100,100) on its east side and
    # (0,100)-(110,105)-(100,100) on its north side: 10*100/2 + 5*100/2 = 750 m².
    assert geom_of(block_project, blocks.gid(1)).area == pytest.approx(10750.0)
    assert total_area(block_project) == pytest.approx(90000.0, rel=1e-9)
    assert union_area(block_project) == pytest.approx(90000.0, rel=1e-9)
    assert command.household_counts[blocks.gid(1)] == 400


def geom_of_frame(frame, grid_id):
    return frame.loc[frame["grid_id"] == grid_id].geometry.iloc[0]


def test_moving_an_outer_vertex_is_refused(block_project):
    before = block_project.layers["grids"]
    stack = CommandStack(block_project)
    with pytest.raises(GridEditError, match="gap"):
        stack.push(MoveSharedVertex((100, 0), (100, -20)))
    assert block_project.layers["grids"] is before
    assert not stack.can_undo


def test_move_vertex_far_from_any_grid_is_refused(block_project):
    with pytest.raises(GridEditError, match="no grid boundary"):
        CommandStack(block_project).push(MoveSharedVertex((150, 150), (160, 160)))


def test_split_then_undo_restores_exact_geometry(block_project, blocks):
    original = block_project.layers["grids"]
    originals = [g.wkb for g in original.geometry]
    stack = CommandStack(block_project)
    command = SplitGrid(blocks.gid(5), [(130, 90), (130, 210)])
    stack.push(command)
    grids = block_project.layers["grids"]
    assert len(grids) == 10
    assert command.params["new_ids"] == [blocks.gid(5), blocks.gid(10)]
    assert geom_of(block_project, blocks.gid(5)).area == pytest.approx(7000.0)
    assert geom_of(block_project, blocks.gid(10)).area == pytest.approx(3000.0)
    # grids 2 and 8 gained the cut's end points as shared vertices, nothing else
    assert command.household_counts == {blocks.gid(5): 200, blocks.gid(10): 200,
                                        blocks.gid(2): 400, blocks.gid(8): 400}
    assert stack.history == [f"Split grid {blocks.gid(5)} into {blocks.gid(5)}, {blocks.gid(10)}"]
    stack.undo()
    assert block_project.layers["grids"] is original
    assert [g.wkb for g in block_project.layers["grids"].geometry] == originals
    stack.redo()
    assert len(block_project.layers["grids"]) == 10


def test_split_line_not_crossing_is_refused(block_project, blocks):
    with pytest.raises(GridEditError, match="does not cross grid"):
        CommandStack(block_project).push(SplitGrid(blocks.gid(5), [(130, 110), (130, 190)]))


def test_split_with_given_codes_and_clash(block_project, blocks):
    stack = CommandStack(block_project)
    with pytest.raises(GridEditError, match="already used"):
        stack.push(SplitGrid(blocks.gid(5), [(130, 90), (130, 210)],
                             new_ids=["X1", blocks.gid(1)]))
    stack.push(SplitGrid(blocks.gid(5), [(130, 90), (130, 210)], new_ids=["X1", "X2"]))
    assert set(block_project.layers["grids"]["grid_id"]) >= {"X1", "X2"}


def test_vertex_at_split_t_junction_moves_neighbour_too(block_project, blocks):
    stack = CommandStack(block_project)
    stack.push(SplitGrid(blocks.gid(5), [(150, 90), (150, 210)]))
    # (150, 200) is a vertex of the two halves but lies mid-edge of grid 8.
    command = MoveSharedVertex((150, 200), (150, 220))
    stack.push(command)
    assert blocks.gid(8) in command.changed_grid_ids
    assert geom_of(block_project, blocks.gid(8)).area == pytest.approx(10000 - 1000)
    assert total_area(block_project) == pytest.approx(90000.0, rel=1e-9)
    assert union_area(block_project) == pytest.approx(90000.0, rel=1e-9)


def test_merge_of_non_adjacent_grids_is_refused(block_project, blocks):
    before = block_project.layers["grids"]
    stack = CommandStack(block_project)
    with pytest.raises(GridEditError, match="do not share a boundary"):
        stack.push(MergeGrids([blocks.gid(1), blocks.gid(3)], keep_id=blocks.gid(1)))
    # Corner contact only is not adjacency either.
    with pytest.raises(GridEditError, match="do not share a boundary"):
        stack.push(MergeGrids([blocks.gid(1), blocks.gid(5)]))
    assert block_project.layers["grids"] is before
    assert stack.history == []


def test_merge_keeps_one_id_sums_counts_and_records_ids(block_project, blocks):
    grids = block_project.layers["grids"].copy()
    grids["population"] = np.arange(9) * 10
    block_project.set_layer("grids", grids)
    stack = CommandStack(block_project)
    command = MergeGrids([blocks.gid(2), blocks.gid(1)], keep_id=blocks.gid(1))
    stack.push(command)
    merged = block_project.layers["grids"].set_index("grid_id")
    assert len(merged) == 8
    assert merged.loc[blocks.gid(1), "geometry"].equals(shapely.box(0, 0, 200, 100))
    assert merged.loc[blocks.gid(1), "population"] == 10
    assert merged.loc[blocks.gid(1), "merged_from"] == f"{blocks.gid(2)};{blocks.gid(1)}"
    assert command.changed_grid_ids == {blocks.gid(1), blocks.gid(2)}
    assert command.household_counts == {blocks.gid(1): 800}
    stack.undo()
    assert block_project.layers["grids"] is grids


def test_locked_grid_is_never_changed(block_project, blocks):
    stack = CommandStack(block_project)
    stack.push(SetLocked([blocks.gid(2)], True))
    with pytest.raises(GridEditError, match="locked"):
        stack.push(MoveSharedVertex((100, 100), (110, 105)))
    with pytest.raises(GridEditError, match="locked"):
        stack.push(MergeGrids([blocks.gid(1), blocks.gid(2)]))
    with pytest.raises(GridEditError, match="locked"):
        stack.push(RenameGrid(blocks.gid(2), name="x"))
    stack.push(SetLocked([blocks.gid(2)], False))
    stack.push(MergeGrids([blocks.gid(1), blocks.gid(2)]))
    assert stack.index == 3


def test_community_restriction(block_project, blocks):
    stack = CommandStack(block_project, community_id="330702009009")
    with pytest.raises(GridEditError, match="selected community"):
        stack.push(SplitGrid(blocks.gid(5), [(130, 90), (130, 210)]))
    stack.community_id = blocks.COMMUNITY
    stack.push(SplitGrid(blocks.gid(5), [(130, 90), (130, 210)]))


def test_reshape_boundary_moves_the_enclosed_triangle(block_project, blocks):
    stack = CommandStack(block_project)
    command = ReshapeBoundary(blocks.gid(1), blocks.gid(2), [(100, 20), (130, 50), (100, 80)])
    stack.push(command)
    # Triangle (100,20)-(130,50)-(100,80): 60 * 30 / 2 = 900 m² goes from grid 2 to grid 1.
    assert geom_of(block_project, blocks.gid(1)).area == pytest.approx(10900.0)
    assert geom_of(block_project, blocks.gid(2)).area == pytest.approx(9100.0)
    assert union_area(block_project) == pytest.approx(90000.0, rel=1e-9)
    stack.undo()
    assert geom_of(block_project, blocks.gid(1)).equals_exact(shapely.box(0, 0, 100, 100), 0)


def test_reshape_boundary_line_off_the_shared_edge_is_refused(block_project, blocks):
    with pytest.raises(GridEditError, match="start and end on the boundary"):
        CommandStack(block_project).push(
            ReshapeBoundary(blocks.gid(1), blocks.gid(2), [(50, 20), (130, 50), (100, 80)]))
    with pytest.raises(GridEditError, match="leaves grids"):
        CommandStack(block_project).push(
            ReshapeBoundary(blocks.gid(1), blocks.gid(2), [(100, 20), (-20, 50), (100, 80)]))


def test_reassign_households_redraws_boundary(block_project, blocks):
    # Grid 2's western points are H001 (75, 25) -> no: lattice x=125 column is grid 2's west.
    hh = block_project.layers["households"]
    west_of_2 = hh[(hh.geometry.x == 125) & (hh.geometry.y < 100)]["household_id"].tolist()
    assert len(west_of_2) == 2
    stack = CommandStack(block_project)
    command = ReassignHouseholds(west_of_2, blocks.gid(1))
    stack.push(command)
    assert command.household_counts[blocks.gid(1)] == 600
    assert command.household_counts[blocks.gid(2)] == 200
    # Voronoi cells of the four points split grid 2 at x=150.
    assert geom_of(block_project, blocks.gid(1)).area == pytest.approx(15000.0)
    for g in block_project.layers["grids"].geometry:
        assert g.geom_type == "Polygon"
    assert union_area(block_project) == pytest.approx(90000.0, rel=1e-9)


def test_reassign_non_neighbouring_households_is_refused(block_project, blocks):
    hh = block_project.layers["households"]
    far = hh[(hh.geometry.x == 275) & (hh.geometry.y == 25)]["household_id"].tolist()
    with pytest.raises(GridEditError, match="not next to grid"):
        CommandStack(block_project).push(ReassignHouseholds(far, blocks.gid(1)))


def test_recode_updates_staff_and_undo_restores(block_project, blocks):
    staff = gpd.GeoDataFrame({"staff_id": ["S1", "S2"], "role": ["full_time", "police"],
                              "grid_id": [blocks.gid(1), f"{blocks.gid(2)};{blocks.gid(1)}"]},
                             geometry=shapely.points([(1, 1), (2, 2)]), crs=blocks.CRS)
    block_project.set_layer("staff", staff)
    stack = CommandStack(block_project)
    stack.push(RenameGrid(blocks.gid(1), name="东门", new_id=f"{blocks.COMMUNITY}101"))
    new_staff = block_project.layers["staff"]
    assert new_staff["grid_id"].tolist() == [f"{blocks.COMMUNITY}101",
                                             f"{blocks.gid(2)};{blocks.COMMUNITY}101"]
    assert geom_of(block_project, f"{blocks.COMMUNITY}101") is not None
    with pytest.raises(GridEditError, match="already used"):
        stack.push(RenameGrid(blocks.gid(2), new_id=blocks.gid(3)))
    stack.undo()
    assert block_project.layers["staff"] is staff
    assert block_project.layers["grids"]["grid_id"].iloc[0] == blocks.gid(1)


def test_stack_events_listeners_and_external_change(block_project, blocks):
    stack = CommandStack(block_project)
    events = []
    project_events = []
    stack.subscribe(lambda event, command: events.append(event))
    block_project.subscribe(lambda event, name: project_events.append((event, name)))
    stack.push(SplitGrid(blocks.gid(5), [(130, 90), (130, 210)]))
    stack.push(MergeGrids([blocks.gid(1), blocks.gid(2)]))
    stack.undo()
    assert stack.can_undo
    assert stack.can_redo
    assert stack.index == 1
    assert len(stack.history) == 2
    stack.push(SetLocked([blocks.gid(1)]))  # drops the undone merge
    assert stack.history[-1] == f"Lock grids {blocks.gid(1)}"
    assert not stack.can_redo
    assert len(stack.history) == 2
    assert events == ["pushed", "pushed", "undone", "pushed"]
    assert project_events.count(("layer_changed", "grids")) == 4
    with pytest.raises(GridEditError, match="nothing to redo"):
        stack.redo()
    # An outside change makes the history unsafe: it is cleared.
    block_project.set_layer("grids", block_project.layers["grids"].copy())
    assert events[-1] == "cleared"
    assert stack.history == []
    assert not stack.can_undo
    with pytest.raises(GridEditError, match="nothing to undo"):
        stack.undo()


def _vertices(geom):
    return {tuple(xy) for xy in shapely.get_coordinates(geom)}


def test_split_inserts_its_new_corners_into_the_neighbours(block_project, blocks):
    stack = CommandStack(block_project)
    command = SplitGrid(blocks.gid(5), [(150, 90), (150, 210)])
    stack.push(command)
    # (150, 100) and (150, 200) lie mid-edge of grids 2 and 8: they become shared vertices.
    assert (150.0, 100.0) in _vertices(geom_of(block_project, blocks.gid(2)))
    assert (150.0, 200.0) in _vertices(geom_of(block_project, blocks.gid(8)))
    assert {blocks.gid(2), blocks.gid(8)} <= command.changed_grid_ids
    assert command.joined_grid_ids == {blocks.gid(2), blocks.gid(8)}  # same shape, new corner
    assert geom_of(block_project, blocks.gid(2)).equals(shapely.box(100, 0, 200, 100))
    # the new corner moves with a tolerance too small to find a mid-edge point
    stack.push(MoveSharedVertex((150, 200), (150, 220), tolerance_m=1e-9))
    assert geom_of(block_project, blocks.gid(8)).area == pytest.approx(10000 - 1000)
    assert union_area(block_project) == pytest.approx(90000.0, rel=1e-9)
    stack.undo()
    stack.undo()
    assert geom_of(block_project, blocks.gid(2)).equals_exact(shapely.box(100, 0, 200, 100), 0)


def test_split_leaves_a_locked_neighbour_untouched(block_project, blocks):
    stack = CommandStack(block_project)
    stack.push(SetLocked([blocks.gid(8)], True))
    before = geom_of(block_project, blocks.gid(8))
    command = SplitGrid(blocks.gid(5), [(150, 90), (150, 210)])
    stack.push(command)
    assert geom_of(block_project, blocks.gid(8)) is before
    assert blocks.gid(8) not in command.changed_grid_ids
    assert (150.0, 100.0) in _vertices(geom_of(block_project, blocks.gid(2)))


def test_reshape_inserts_its_end_points_into_both_grids(block_project, blocks):
    stack = CommandStack(block_project)
    stack.push(ReshapeBoundary(blocks.gid(1), blocks.gid(2), [(100, 20), (130, 50), (100, 80)]))
    for k in (1, 2):
        assert {(100.0, 20.0), (100.0, 80.0)} <= _vertices(geom_of(block_project, blocks.gid(k)))


def test_split_gives_the_new_grid_a_distinct_name(block_project, blocks):
    stack = CommandStack(block_project)
    command = SplitGrid(blocks.gid(5), [(130, 90), (130, 210)])
    stack.push(command)
    grids = block_project.layers["grids"]
    keep, new = command.params["new_ids"]
    assert new == blocks.gid(10)
    names = dict(zip(grids["grid_id"], grids["name"], strict=True))
    assert names[keep] == f"grid {blocks.gid(5)}"
    assert names[new] != names[keep]
    assert names[new].startswith(names[keep])
    assert grids["name"].is_unique
    # splitting the new grid again gives yet another name
    command = SplitGrid(new, [(90, 150), (140, 150)])
    stack.push(command)
    assert block_project.layers["grids"]["name"].is_unique


def test_reshape_leaves_no_sliver_hole_from_floating_point_overlay():
    # found by the app's property test: the overlay left a hole of ~1e-13 m² in grid a
    from gridplanner.project import Project

    a = shapely.from_wkt("POLYGON ((100 100, 0 100, 0 200, 20 200, 27 226, 80 200, 100 200, "
                         "100 100))")
    b = shapely.from_wkt("POLYGON ((0 300, 100 300, 100 200, 80 200, 27 226, 20 200, 0 200, "
                         "0 300))")
    line = shapely.from_wkt("LINESTRING (75.33872898599299 202.28666125215437, "
                            "41.46358175190138 219.9281299527217, "
                            "21.349767331295276 205.0134215162396)")
    grids = gpd.GeoDataFrame({"grid_id": ["a", "b"], "name": ["a", "b"],
                              "community_id": ["", ""], "locked": [False, False]},
                             geometry=[a, b], crs=4549)
    project = Project(layers={"grids": grids})
    CommandStack(project).push(ReshapeBoundary("b", "a", line))
    geoms = np.asarray(project.layers["grids"].geometry.array, dtype=object)
    assert shapely.get_num_interior_rings(geoms).tolist() == [0, 0]
    assert shapely.is_valid(geoms).all()
    assert float(shapely.area(geoms).sum()) == pytest.approx(20000.0, rel=1e-9)
