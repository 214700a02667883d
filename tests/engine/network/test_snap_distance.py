"""Snapping, split graphs and network distances, checked against networkx."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString, Point

from gridplanner.allocation.common import source_to_point_distances
from gridplanner.network.distance import k_nearest_sources, nearest_source
from gridplanner.network.graph import build_network
from gridplanner.network.snap import snap_points


def roads(*lines):
    return gpd.GeoDataFrame(geometry=list(lines), crs=3857)


def square_block():
    return roads(LineString([(0, 0), (100, 0)]), LineString([(100, 0), (100, 100)]),
                 LineString([(100, 100), (0, 100)]), LineString([(0, 100), (0, 0)]))


def test_snap_projects_onto_nearest_edge_and_reports_far_points():
    net = build_network(roads(LineString([(0, 0), (100, 0)])))
    s = snap_points(net, [Point(30, 4), Point(-10, 0), Point(50, 400), None], cutoff_m=300)
    assert s.edge.tolist()[:2] == [0, 0]
    assert s.edge[2] == -1
    assert s.edge[3] == -1
    assert s.access_m[0] == pytest.approx(4.0)
    assert s.access_m[1] == pytest.approx(10.0)  # beyond the end: to the end point
    assert tuple(s.foot_xy[0]) == pytest.approx((30.0, 0.0))
    t0 = s.t[0] if net.edge_u[0] == 0 else 1 - s.t[0]
    assert t0 == pytest.approx(0.3)


def test_household_reaches_staff_across_the_block_only_around_it():
    net = build_network(square_block())
    staff = snap_points(net, [Point(50, 90)])
    house = snap_points(net, [Point(50, 10)])
    d = source_to_point_distances(net, staff, house)
    # 10 m to the top road, 50 + 100 + 50 m around the block, 10 m to the house.
    assert d[0, 0] == pytest.approx(220.0)


def test_points_on_the_same_edge_use_the_direct_stretch():
    net = build_network(roads(LineString([(0, 0), (1000, 0)])))
    d = source_to_point_distances(net, snap_points(net, [Point(400, 3)]),
                                  snap_points(net, [Point(450, 4), Point(100, 0)]))
    assert d[0].tolist() == pytest.approx([57.0, 303.0])


def _random_roads(rng, n_lines):
    pts = rng.uniform(0, 500, size=(n_lines, 3, 2))
    return roads(*[LineString(p) for p in pts])


def _nx_graph(net):
    g = nx.Graph()
    g.add_nodes_from(range(net.n_nodes))
    for u, v, w in zip(net.edge_u, net.edge_v, net.edge_length_m, strict=True):
        g.add_edge(int(u), int(v), weight=float(w))
    return g


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_lines=st.integers(3, 25), n_src=st.integers(1, 5))
def test_nearest_and_k_nearest_equal_networkx_dijkstra(seed, n_lines, n_src):
    rng = np.random.default_rng(seed)
    net = build_network(_random_roads(rng, n_lines), join_tolerance_m=5)
    g = _nx_graph(net)
    src = rng.choice(net.n_nodes, size=min(n_src, net.n_nodes), replace=False)
    dist, which = nearest_source(net.matrix(), src)
    ref = nx.multi_source_dijkstra_path_length(g, set(src.tolist()), weight="weight")
    for node in range(net.n_nodes):
        if node in ref:
            assert dist[node] == pytest.approx(ref[node], abs=1e-6)
            exact = nx.dijkstra_path_length(g, int(src[which[node]]), node, weight="weight")
            assert exact == pytest.approx(ref[node], abs=1e-6)
        else:
            assert np.isinf(dist[node])
            assert which[node] == -1
    targets = np.arange(net.n_nodes)
    k = 3
    idx, kd = k_nearest_sources(net.matrix(), src, targets, k=k, cutoff_m=400,
                                node_xy=net.node_xy)
    per_src = [nx.single_source_dijkstra_path_length(g, int(s), weight="weight") for s in src]
    for t in targets:
        want = sorted(d[t] for d in per_src if t in d and d[t] <= 400)[:k]
        got = kd[t][np.isfinite(kd[t])].tolist()
        assert got == pytest.approx(want, abs=1e-6)
        for i, d in zip(idx[t], kd[t], strict=True):
            if i >= 0:
                assert per_src[i][t] == pytest.approx(d, abs=1e-6)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_point_distances_equal_networkx_with_the_feet_inserted(seed, networkx_point_costs):
    rng = np.random.default_rng(seed)
    net = build_network(_random_roads(rng, 12), join_tolerance_m=5)
    s_pts = [Point(*xy) for xy in rng.uniform(0, 500, size=(3, 2))]
    h_pts = [Point(*xy) for xy in rng.uniform(0, 500, size=(6, 2))]
    ss, hs = snap_points(net, s_pts, cutoff_m=1e6), snap_points(net, h_pts, cutoff_m=1e6)
    d = source_to_point_distances(net, ss, hs)
    want = networkx_point_costs(net, ss, hs).T
    assert d == pytest.approx(want, abs=1e-6)


def _path_matrix(n, step=10.0):
    """A path 0 - 1 - ... - n-1, ``step`` m per edge, and its node coordinates."""
    from scipy import sparse

    u = np.arange(n - 1)
    m = sparse.csr_matrix((np.full(2 * (n - 1), step), (np.r_[u, u + 1], np.r_[u + 1, u])),
                          shape=(n, n))
    return m, np.c_[np.arange(n) * step, np.zeros(n)]


@pytest.mark.parametrize("with_xy", [False, True])
def test_k_nearest_by_hand_with_mask_ties_and_a_node_carrying_two_targets(with_xy):
    # Path of 6 nodes, 10 m apart; sources at nodes 0, 5, 2, 4 (positions 0-3).
    m, xy = _path_matrix(6)
    src = np.array([0, 5, 2, 4])
    tgt = np.array([3, 3, 1])  # node 3 carries two targets (say, one per grid)
    allowed = np.ones((4, 3), dtype=bool)
    allowed[[2, 3], 1] = False  # target 1 may only use sources 0 and 1
    i, d = k_nearest_sources(m, src, tgt, k=2, mask=lambda rows: allowed[rows],
                             node_xy=xy if with_xy else None, batch=1)
    # Equal distances go to the lower source position first.
    assert i.tolist() == [[2, 3], [1, 0], [0, 2]]
    assert d.tolist() == [[10.0, 10.0], [20.0, 30.0], [10.0, 10.0]]
    i, d = k_nearest_sources(m, src, tgt, k=2, cutoff_m=25.0,
                             mask=lambda rows: allowed[rows],
                             node_xy=xy if with_xy else None)
    assert i.tolist() == [[2, 3], [1, -1], [0, 2]]
    assert d.tolist() == [[10.0, 10.0], [20.0, np.inf], [10.0, 10.0]]


@pytest.mark.parametrize("with_xy", [False, True])
def test_k_nearest_stops_at_min_k_and_says_how_far_its_lists_are_exact(with_xy):
    # Path of 11 nodes, 10 m apart; sources at nodes 5, 0, 10; targets at 5 and 6.
    m, xy = _path_matrix(11)
    src, tgt = np.array([5, 0, 10]), np.array([5, 6])
    node_xy = xy if with_xy else None
    i, d = k_nearest_sources(m, src, tgt, k=3, cutoff_m=1000.0, node_xy=node_xy)
    assert i.tolist() == [[0, 1, 2], [0, 2, 1]]
    assert d.tolist() == [[0.0, 50.0, 50.0], [10.0, 40.0, 60.0]]
    searched = np.full(2, -1.0)
    i, d = k_nearest_sources(m, src, tgt, k=3, cutoff_m=1000.0, min_k=1,
                             searched_m=searched, node_xy=node_xy)
    # One source each is enough: the search stopped short of the next ones
    # (50 m and 40 m away), beyond the radius it reports.
    assert i.tolist() == [[0, -1, -1], [0, -1, -1]]
    assert d.tolist() == [[0.0, np.inf, np.inf], [10.0, np.inf, np.inf]]
    assert 0.0 <= searched[0] < 50.0
    assert 10.0 <= searched[1] < 40.0
