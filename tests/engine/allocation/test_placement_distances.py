"""Placement's pruned candidate distances serve the p-median like the full matrix."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra
from shapely import LineString, Point

from gridplanner.allocation.placement import _candidate_distances, p_median
from gridplanner.network.graph import build_network
from gridplanner.network.snap import augment, snap_points


def _grid_roads(rng, n):
    lines = []
    for i in range(n + 1):
        for j in range(n):
            if rng.random() < 0.85:
                lines.append(LineString([(i * 100, j * 100), (i * 100, (j + 1) * 100)]))
            if rng.random() < 0.85:
                lines.append(LineString([(j * 100, i * 100), ((j + 1) * 100, i * 100)]))
    return gpd.GeoDataFrame(geometry=lines, crs=3857)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_cand=st.integers(1, 120), cutoff=st.floats(150, 900),
       unreached=st.floats(0, 0.3), p=st.integers(1, 4))
def test_pruned_matrix_gives_the_same_p_median(seed, n_cand, cutoff, unreached, p):
    rng = np.random.default_rng(seed)
    net = build_network(_grid_roads(rng, 12))
    cand = [Point(*xy) for xy in rng.uniform(0, 1200, size=(n_cand, 2))]
    cs = snap_points(net, cand, cutoff_m=1e6)
    aug = augment(net, cs)
    src = aug.source_node
    ok_c = np.flatnonzero(src >= 0)
    dem_nodes = np.sort(rng.choice(net.n_nodes, size=min(200, net.n_nodes), replace=False))
    cur = rng.uniform(0, cutoff, size=len(dem_nodes))
    cur[rng.random(len(cur)) < unreached] = np.inf
    fast = _candidate_distances(aug, src, ok_c, dem_nodes, cur, cutoff, n_cand, None)
    full = np.full((n_cand, len(dem_nodes)), np.inf, dtype=np.float32)
    full[ok_c] = dijkstra(aug.matrix, indices=src[ok_c], limit=cutoff)[:, dem_nodes]
    useful = full < np.minimum(cur, cutoff)[None, :] + (~np.isfinite(cur))[None, :] * 1e-3
    # Every entry that can matter is exact; the others are exact or left out.
    assert np.array_equal(fast[useful], full[useful])
    assert ((fast == full) | np.isinf(fast)).all()
    w = rng.integers(1, 5, size=len(dem_nodes)).astype(float)
    big = 10.0 * cutoff + 1.0
    a = p_median(fast, w, p, existing=cur, starts=2, unreachable_m=big)
    b = p_median(full, w, p, existing=cur, starts=2, unreachable_m=big)
    assert a == b


def test_p_median_reads_a_finite_float32_matrix_without_changing_it():
    rng = np.random.default_rng(3)
    d = rng.uniform(0, 100, size=(12, 30)).astype(np.float32)
    d[rng.random(d.shape) < 0.3] = 1001.0  # the stand-in, already written
    w = rng.integers(1, 4, size=30).astype(float)
    keep = d.copy()
    with_inf = np.where(d == 1001.0, np.inf, d)
    a = p_median(d, w, 3, unreachable_m=1001.0)
    b = p_median(with_inf, w, 3, unreachable_m=1001.0)
    assert a == b
    assert np.array_equal(d, keep)
