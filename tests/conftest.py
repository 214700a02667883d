"""Fixtures shared by every test package."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import geopandas as gpd
import pytest


@pytest.fixture(autouse=True)
def _source_language_after_each_test():
    """Put the process-wide language back, so no test depends on the order tests run in.

    A command run with ``--lang zh_CN`` (or the app switched to Chinese) sets the
    language for the whole process.
    """
    yield
    from gridplanner.i18n import SOURCE_LANGUAGE, set_language

    set_language(SOURCE_LANGUAGE)


@pytest.fixture(scope="session")
def sample_layers() -> dict[str, gpd.GeoDataFrame]:
    """The generated sample district's layers (generated once per test session)."""
    from sample_data.generate import generate_district

    return generate_district(scale="sample")


@pytest.fixture(scope="session")
def sample_project_file(tmp_path_factory: pytest.TempPathFactory, sample_layers):
    """The sample district saved as a project file (read-only for tests)."""
    from gridplanner.project import Project, save_project

    path = tmp_path_factory.mktemp("sample") / "sample.gpkg"
    save_project(Project(layers=sample_layers), path)
    return path


@pytest.fixture
def sample_project(sample_project_file):
    """A fresh copy in memory of the sample project, free to modify."""
    from gridplanner.project import open_project

    return open_project(sample_project_file)


def _networkx_point_costs(net, sources, targets):
    """Reference walking costs (targets × sources) from networkx, independent of scipy.

    Every snapped point is inserted into a networkx copy of the network by
    splitting its edge at the point's foot; the access walks are added on top.
    """
    import itertools

    import networkx as nx
    import numpy as np

    g = nx.Graph()
    g.add_nodes_from(range(net.n_nodes))
    for u, v, length in zip(net.edge_u, net.edge_v, net.edge_length_m, strict=True):
        g.add_edge(int(u), int(v), weight=float(length))
    by_edge: dict[int, list] = {}
    for name, snap in (("s", sources), ("h", targets)):
        for i in range(len(snap)):
            by_edge.setdefault(int(snap.edge[i]), []).append((float(snap.t[i]), (name, i)))
    for e, items in by_edge.items():
        u, v, length = int(net.edge_u[e]), int(net.edge_v[e]), float(net.edge_length_m[e])
        g.remove_edge(u, v)
        chain = [(0.0, u), *sorted(items), (1.0, v)]
        for (t1, a), (t2, b) in itertools.pairwise(chain):
            g.add_edge(a, b, weight=(t2 - t1) * length + 1e-12)
    cost = np.full((len(targets), len(sources)), np.inf)
    for j in range(len(sources)):
        reached = nx.single_source_dijkstra_path_length(g, ("s", j), weight="weight")
        for i in range(len(targets)):
            if ("h", i) in reached:
                cost[i, j] = reached[("h", i)] + sources.access_m[j] + targets.access_m[i]
    return cost


@pytest.fixture(scope="session")
def networkx_point_costs():
    """The networkx reference for walking costs between snapped points."""
    return _networkx_point_costs
