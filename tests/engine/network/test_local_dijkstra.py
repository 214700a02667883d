"""Searches on local pieces of the graph equal searches on the whole graph."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra
from shapely import LineString, Point

from gridplanner.network.distance import k_nearest_sources, local_dijkstra
from gridplanner.network.graph import build_network
from gridplanner.network.snap import augment, snap_points


def _grid_roads(rng, n):
    """A jittered street grid, n x n blocks of 100 m, with a few gaps."""
    lines = []
    for i in range(n + 1):
        for j in range(n):
            if rng.random() < 0.9:
                lines.append(LineString([(i * 100, j * 100), (i * 100, (j + 1) * 100)]))
            if rng.random() < 0.9:
                lines.append(LineString([(j * 100, i * 100), ((j + 1) * 100, i * 100)]))
    return gpd.GeoDataFrame(geometry=lines, crs=3857)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_src=st.integers(1, 40), limit=st.floats(0, 900),
       batch=st.integers(1, 12), per_source=st.booleans())
def test_local_searches_equal_whole_graph_searches(seed, n_src, limit, batch, per_source):
    rng = np.random.default_rng(seed)
    net = build_network(_grid_roads(rng, 12))
    src = rng.choice(net.n_nodes, size=min(n_src, net.n_nodes), replace=False)
    limits = rng.uniform(0, limit, size=len(src)) if per_source else limit
    full = dijkstra(net.matrix(), indices=src, limit=np.max(limits))
    seen = np.zeros(len(src), dtype=int)
    for pos, nodes, d in local_dijkstra(net.matrix(), src, limit_m=limits,
                                        node_xy=net.node_xy, batch=batch):
        seen[pos] += 1
        own = np.broadcast_to(np.asarray(limits), src.shape)[pos][:, None]
        want = full[pos]
        # Every node within the source's limit lies in the piece, at the same distance.
        inside = np.zeros(net.n_nodes, dtype=bool)
        inside[nodes] = True
        assert not ((want <= own) & ~inside[None, :]).any()
        got = np.full_like(want, np.inf)
        got[:, nodes] = d
        close = want <= own
        assert np.array_equal(got[close], want[close])
        # Nothing found beyond what the whole-graph search finds.
        assert (np.isinf(got) | (got >= want)).all()
    assert (seen == 1).all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), k=st.integers(1, 6), min_k=st.sampled_from([None, 2]))
def test_k_nearest_with_coordinates_equals_without(seed, k, min_k):
    rng = np.random.default_rng(seed)
    net = build_network(_grid_roads(rng, 10))
    src_pts = [Point(*xy) for xy in rng.uniform(0, 1000, size=(25, 2))]
    aug = augment(net, snap_points(net, src_pts, cutoff_m=1e6))
    src = aug.source_node[aug.source_node >= 0]
    targets = np.arange(net.n_nodes)
    s1 = np.full(len(targets), 600.0)
    s2 = np.full(len(targets), 600.0)
    i1, d1 = k_nearest_sources(aug.matrix, src, targets, k=k, cutoff_m=600, min_k=min_k,
                               searched_m=s1)
    i2, d2 = k_nearest_sources(aug.matrix, src, targets, k=k, cutoff_m=600, min_k=min_k,
                               searched_m=s2, node_xy=aug.node_xy, batch=5)
    assert np.array_equal(i1, i2)
    assert np.array_equal(d1, d2)
    assert np.array_equal(s1, s2)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(0, 300), n_t=st.integers(1, 70_000),
       ties=st.booleans())
def test_target_distance_source_order_equals_lexsort(seed, n, n_t, ties):
    from gridplanner.network.distance import _order_by_target_distance_source

    rng = np.random.default_rng(seed)
    t = rng.integers(0, n_t, size=n)
    s = rng.permutation(n)  # (target, source) pairs unique
    d = rng.uniform(0, 3000, size=n)
    if ties and n:
        d = np.round(d / 500) * 500  # many exact ties
        d[: n // 3] = d[0] * (1 + 1e-14)  # near-ties that share leading bits
    order = _order_by_target_distance_source(t, d, s, n_t)
    assert np.array_equal(order, np.lexsort((s, d, t)))
