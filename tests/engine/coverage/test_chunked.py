"""Slice-by-slice geometry construction gives what one shapely call gives."""

from __future__ import annotations

import sys

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gridplanner.coverage.chunked import get_parts, grouped


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(2, 5), min_size=1, max_size=12), st.integers(1, 9))
def test_grouped_linestrings_match_one_call(sizes, chunk):
    rng = np.random.default_rng(len(sizes) * 31 + chunk)
    idx = np.repeat(np.arange(len(sizes)), sizes)
    coords = rng.random((len(idx), 2)).round(3)
    expected = shapely.linestrings(coords, indices=idx)
    got = grouped(shapely.linestrings, coords, idx, len(sizes), chunk=chunk)
    assert shapely.equals_exact(got, expected, tolerance=0).all()


def test_grouped_leaves_unnamed_outputs_none_and_keeps_groups_whole():
    lines = shapely.linestrings([[(0, 0), (1, 0)], [(1, 0), (2, 0)], [(5, 5), (6, 6)]])
    out = grouped(shapely.multilinestrings, lines, np.array([0, 0, 2]), 4, chunk=1)
    assert shapely.get_num_geometries(out[0]) == 2  # both lines of group 0 in one call
    assert out[1] is None
    assert out[3] is None
    assert out[2].wkt == "MULTILINESTRING ((5 5, 6 6))"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=0, max_size=12), st.integers(1, 7))
def test_get_parts_matches_one_call(sizes, chunk):
    geoms = np.array([shapely.MultiPoint([(i, k) for k in range(n)]) if n != 1
                      else shapely.Point(i, 0) for i, n in enumerate(sizes)] + [None],
                     dtype=object)
    expected, exp_which = shapely.get_parts(geoms, return_index=True)
    parts, which = get_parts(geoms, chunk=chunk)
    assert which.tolist() == exp_which.tolist()
    assert shapely.equals_exact(parts, expected, tolerance=0).all()
    assert len(parts) == sum(sizes)


def test_gc_paused_nests_and_restores():
    import gc

    from gridplanner.runtime import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still holds it off
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # was off before: stays off
    finally:
        gc.enable()


def test_coverage_run_sets_off_no_automatic_collection():
    import gc

    import geopandas as gpd

    from gridplanner.coverage import coverage_from_layers

    seen: list[str] = []

    def note(phase: str, info: dict) -> None:
        # Collections set off inside the engine (setting up the block itself may
        # allocate before collection is paused).
        frame = sys._getframe(1)
        while frame is not None:
            name = frame.f_code.co_filename.replace("\\", "/")
            if phase == "start" and ("coverage/incremental" in name or "coverage/engine" in name):
                seen.append(name)
                return
            frame = frame.f_back

    grids = gpd.GeoDataFrame({"grid_id": ["g1"]}, geometry=[shapely.box(0, 0, 100, 100)],
                             crs=4549)
    cams = gpd.GeoDataFrame({"camera_id": ["c1"], "category": [1], "range_m": [20.0]},
                            geometry=[shapely.Point(50, 50)], crs=4549)
    old = gc.get_threshold()
    gc.set_threshold(1)  # any tracked allocation would set off a collection
    gc.callbacks.append(note)
    try:
        result = coverage_from_layers(grids, cams)
    finally:
        gc.callbacks.remove(note)
        gc.set_threshold(*old)
    assert seen == []
    assert gc.isenabled()
    assert round(float(result.grid_table["area_pct_all"][0]), 1) == 12.5
