"""Roads drawn with very many vertices build a network within bounded memory.

A road of 10^6 vertices a millimetre apart made the segment-box query pair
every vertex with the thousands within the join tolerance (9 GB, then a
segmentation fault). The network must build in a process capped well below
that, and be the same network a plainly drawn road gives.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gridplanner.network.graph import build_network, components

X0, Y0 = 465_000.0, 3_218_000.0


def _dense_roads(n: int, shape: str) -> gpd.GeoDataFrame:
    t = np.linspace(0.0, 1.0, n)
    if shape == "straight":
        xy = np.c_[X0 + 1000 * t, np.full(n, Y0)]
    elif shape == "wave":
        xy = np.c_[X0 + 1000 * t, Y0 + 40 * np.sin(t * 40)]
    else:  # a slanted zigzag: long segments whose boxes overlap
        xy = np.c_[X0 + 1000 * (np.arange(n) % 2), Y0 + 1000 * t]
    cross = shapely.LineString([(X0 + 500.25, Y0 - 300), (X0 + 500.25, Y0 + 1300)])
    return gpd.GeoDataFrame({"road_id": ["DENSE", "CROSS"]},
                            geometry=[shapely.LineString(xy), cross], crs=4549)


@pytest.mark.parametrize("shape", ["straight", "wave", "zigzag"])
def test_dense_road_builds_in_a_capped_process(shape):
    # 200,000 vertices: the old query made about 2.4e8 pairs (some 20 GB).
    script = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))
        sys.path[:0] = {sys.path!r}
        from tests.engine.network.test_hostile_long_roads import _dense_roads
        from gridplanner.network.graph import build_network
        net = build_network(_dense_roads(200_000, {shape!r}))
        print(net.n_nodes, net.n_edges)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    n_nodes, n_edges = map(int, done.stdout.split())
    assert n_nodes > 200_000
    assert n_edges >= n_nodes - 2


@pytest.mark.parametrize("shape", ["straight", "wave", "zigzag"])
def test_dense_road_gives_the_network_of_the_same_line(shape):
    roads = _dense_roads(20_000, shape)
    net = build_network(roads)
    assert net.edge_length_m.sum() == pytest.approx(roads.length.sum(), rel=1e-9)
    assert len(components(net)) == 1  # the cross road meets the dense one
    assert int((net.degree >= 3).sum()) >= 1


def test_slanted_long_segments_are_noded_like_short_ones():
    # Two long slanted roads crossing, drawn as one segment and as many.
    a = shapely.LineString([(X0, Y0), (X0 + 5000, Y0 + 5000)])
    b = shapely.LineString([(X0, Y0 + 5000), (X0 + 5000, Y0)])
    plain = build_network(gpd.GeoDataFrame(geometry=[a, b], crs=4549))
    dense = build_network(gpd.GeoDataFrame(geometry=[a.segmentize(7.0), b.segmentize(7.0)],
                                           crs=4549))
    assert plain.n_nodes == 5
    assert (plain.degree == 4).sum() == (dense.degree == 4).sum() == 1
    assert dense.edge_length_m.sum() == pytest.approx(plain.edge_length_m.sum())


def _wave_pieces(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segments of one road drawn with ``n`` vertices, its halves served by two owners."""
    t = np.linspace(0.0, 1.0, n)
    xy = np.c_[X0 + 1000 * t, Y0 + 40 * np.sin(t * 40)]
    owner = (np.arange(n - 1) >= (n - 1) // 2).astype(np.int64)
    return xy[:-1], xy[1:], owner


def test_service_area_cells_are_built_from_spaced_sites_not_from_every_vertex(monkeypatch):
    # 200,000 vertices gave 400,000 Voronoi sites: minutes of GEOS work for one area.
    from gridplanner.allocation import service_areas

    a, b, owner = _wave_pieces(200_000)
    seen: list[int] = []

    class StopError(Exception):
        pass

    def counting(points, **kwargs):
        seen.append(len(shapely.get_parts(points)))
        raise StopError

    monkeypatch.setattr(service_areas.shapely, "voronoi_polygons", counting)
    with pytest.raises(StopError):
        service_areas._voronoi_owner_cells(a, b, owner, 2, step_m=25.0, margin_m=50.0)
    # At most one site per owner in each 12.5 m square the road crosses.
    assert seen[0] <= 2 * (1000 / 12.5 + 1) * (80 / 12.5 + 2)


def test_spaced_sites_still_give_each_owner_its_own_road():
    from gridplanner.allocation import service_areas

    a, b, owner = _wave_pieces(20_000)
    cells = service_areas._voronoi_owner_cells(a, b, owner, 2, step_m=25.0, margin_m=50.0)
    mid = a[len(a) // 2, 0]
    for f, cell in enumerate(cells):
        mine = a[(owner == f) & (np.abs(a[:, 0] - mid) > 25.0)]
        assert shapely.contains_xy(cell.buffer(1e-6), mine[:, 0], mine[:, 1]).all()
    assert cells[0].intersection(cells[1]).area < 1.0
