"""Walking graph: noding, joining, levels, pieces, intersections."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely import LineString, MultiLineString, Point

from gridplanner.network.graph import build_network, components, intersections


def roads(*lines, **cols):
    return gpd.GeoDataFrame(cols, geometry=list(lines), crs=3857)


def test_crossing_lines_are_split_at_the_crossing():
    net = build_network(roads(LineString([(0, 0), (10, 0)]), LineString([(4, -5), (4, 5)])))
    assert net.n_nodes == 5
    assert net.n_edges == 4
    assert sorted(net.edge_length_m.round(6)) == [4.0, 5.0, 5.0, 6.0]
    centre = np.flatnonzero(net.degree == 4)
    assert len(centre) == 1
    assert tuple(net.node_xy[centre[0]]) == pytest.approx((4.0, 0.0))


def test_shared_vertex_joins_and_inner_vertices_kept():
    net = build_network(roads(LineString([(0, 0), (5, 0), (10, 0)]),
                              LineString([(5, 0), (5, 5)])))
    assert net.n_nodes == 4
    assert sorted(net.degree.tolist()) == [1, 1, 1, 3]


def test_bridge_on_another_level_does_not_meet_the_road_below():
    frame = roads(LineString([(0, 0), (10, 0)]), LineString([(5, -5), (5, 5)]), level=[0, 1])
    net = build_network(frame)
    assert net.n_nodes == 4
    assert net.degree.max() == 1
    assert len(components(net)) == 2
    # Without the level tag they cross.
    assert build_network(frame.drop(columns="level")).degree.max() == 4


def test_bridge_ends_join_the_roads_they_touch():
    frame = roads(LineString([(0, 0), (10, 0)]), LineString([(10, 0), (20, 0)]),
                  level=[0, 1])
    assert len(components(build_network(frame))) == 1


def test_undershoot_within_tolerance_is_joined_beyond_it_not():
    road = LineString([(0, 0), (20, 0)])
    near = LineString([(10, 2), (10, 12)])  # ends 2 m short of the road
    assert len(components(build_network(roads(road, near), join_tolerance_m=3))) == 1
    net = build_network(roads(road, near), join_tolerance_m=1)
    assert len(components(net)) == 2


def test_end_to_end_gap_within_tolerance_is_joined():
    net = build_network(roads(LineString([(0, 0), (10, 0)]), LineString([(11, 0), (20, 0)])),
                        join_tolerance_m=2)
    assert len(components(net)) == 1
    assert net.n_nodes == 3


def test_non_walkable_and_broken_rows_are_dropped_and_reported():
    frame = roads(LineString([(0, 0), (10, 0)]), LineString([(0, 5), (10, 5)]), None,
                  Point(3, 3), walkable=[True, False, True, True], road_id=["a", "b", "c", "d"])
    net = build_network(frame)
    assert net.n_edges == 1
    assert {p.feature_id for p in net.problems} == {"c", "d"}


def test_multilines_and_duplicates():
    frame = roads(MultiLineString([[(0, 0), (10, 0)], [(10, 0), (10, 10)]]),
                  LineString([(0, 0), (10, 0)]))
    net = build_network(frame)
    assert net.n_edges == 2
    assert net.edge_length_m.sum() == pytest.approx(20.0)


def test_components_report_pieces_largest_first():
    net = build_network(roads(LineString([(0, 0), (100, 0)]), LineString([(0, 50), (30, 50)]),
                              LineString([(30, 50), (30, 80)])))
    pieces = components(net)
    assert [(p.n_nodes, p.n_edges, p.length_m) for p in pieces] == [(2, 1, 100.0),
                                                                     (3, 2, 60.0)]


def test_intersections_of_a_three_by_three_street_grid():
    lines = [LineString([(0, y), (200, y)]) for y in (0, 100, 200)]
    lines += [LineString([(x, 0), (x, 200)]) for x in (0, 100, 200)]
    out = intersections(roads(*lines))
    assert list(out.columns) == ["node_id", "degree", "geometry"]
    assert out.crs == "EPSG:3857"
    pts = sorted((p.x, p.y, d) for p, d in zip(out.geometry, out["degree"], strict=True))
    # Four T-junctions on the sides and one crossing in the middle; corners have degree 2.
    assert pts == [(0, 100, 3), (100, 0, 3), (100, 100, 4), (100, 200, 3), (200, 100, 3)]
    assert out["node_id"].dtype.kind == "i"


def test_network_matches_networkx_model():
    frame = roads(LineString([(0, 0), (10, 0), (10, 10)]), LineString([(5, -5), (5, 5)]))
    net = build_network(frame)
    graph = net.to_networkx()
    assert graph.number_of_nodes() == net.n_nodes
    assert nx.is_connected(graph)
    assert sum(d["length_m"] for *_, d in graph.edges(data=True)) == pytest.approx(30.0)
