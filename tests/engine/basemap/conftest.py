"""A local tile server per test and a tile cache in the test's folder (no internet)."""

from __future__ import annotations

import pytest

from tests.engine.basemap.tileserver import TileServer


@pytest.fixture
def tile_server():
    with TileServer() as server:
        yield server


@pytest.fixture
def fetcher(tmp_path):
    from gridplanner.basemap import TileFetcher

    return TileFetcher(cache_dir=tmp_path / "cache", timeout_s=5)
