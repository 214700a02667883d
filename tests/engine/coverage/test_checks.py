"""Camera record checks and how coverage treats impossible values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from _coverage_helpers import cameras, grids

from gridplanner.coverage import check_cameras, resolve_cameras
from layers.schema import CAMERA_DEFAULTS


def issues_by_row(frame):
    return {(int(r.row), r.column): r for r in frame.itertuples()}


def test_every_kind_of_problem_is_listed_with_reason_and_action():
    cams = cameras([
        ("ok", 10, 10, 1, 50.0, 90.0, 60.0, "online"),
        ("r0", 20, 10, 1, 0.0, 90.0, 60.0, "online"),
        ("rneg", 30, 10, 2, -10.0, 90.0, 60.0, "online"),
        ("rbig", 40, 10, 3, 5000.0, 90.0, 60.0, "online"),
        ("f0", 50, 10, 1, 50.0, 90.0, 0.0, "online"),
        ("f400", 60, 10, 1, 50.0, 90.0, 400.0, "online"),
        ("a370", 70, 10, 1, 50.0, 370.0, 60.0, "online"),
        ("a360", 80, 10, 1, 50.0, 360.0, 60.0, "online"),
        ("nocat", 90, 10, np.nan, np.nan, 90.0, np.nan, "online"),
        ("ok", 15, 15, 1, 50.0, 90.0, 60.0, "online"),
        ("samepos", 10, 10, 2, 30.0, 180.0, 60.0, "online"),
        ("far", 5000, 5000, 2, 30.0, 180.0, 60.0, "online"),
        ("odd", 25, 25, 7, 30.0, 180.0, 60.0, "broken"),
    ])
    issues = check_cameras(cams, grids((0, 0, 100, 100)), defaults=CAMERA_DEFAULTS)
    by = issues_by_row(issues)
    assert by[(2, "range_m")].reason == "range_m is not positive"
    assert by[(2, "range_m")].action == "default 60 m used"
    assert by[(3, "range_m")].value == "-10"
    assert by[(4, "range_m")].reason == "range_m is above 1000 m"
    assert by[(5, "fov_deg")].reason == "fov_deg is outside (0, 360]"
    assert by[(6, "fov_deg")].value == "400"
    assert by[(7, "azimuth_deg")].action == "read as 10"
    assert by[(8, "azimuth_deg")].action == "read as 0"
    assert by[(9, "category")].reason == "category is empty"
    assert by[(9, "range_m")].action == "default 25 m used"  # cautious: shortest default
    assert by[(10, "camera_id")].reason == "camera_id is used by an earlier row"
    assert "row 1" in by[(10, "camera_id")].action
    assert by[(11, "geometry")].reason == "same position as camera ok (row 1)"
    assert by[(12, "geometry")].reason == "outside every grid"
    assert by[(13, "category")].reason == "category is not 1, 2 or 3"
    assert by[(13, "status")].action == "counted as online"
    assert (1, "range_m") not in by
    assert not any(k[0] == 1 for k in by)
    assert list(issues.columns) == ["camera_id", "row", "column", "value", "reason", "action",
                                    "geometry"]
    assert issues["row"].is_monotonic_increasing


def test_resolved_values_follow_the_documented_rules():
    cams = cameras([
        ("a", 0, 0, 1, 0.0, -90.0, 0.0, "offline"),
        ("b", 0, 0, 2, np.nan, np.nan, np.nan, "在线"),
        ("c", 0, 0, 3, 2000.0, 10.0, np.nan, "online"),
    ])
    res, _ = resolve_cameras(cams, defaults=CAMERA_DEFAULTS)
    assert res.range_m.tolist() == [60.0, 35.0, 25.0]
    assert res.azimuth_deg[0] == 270.0
    assert np.isnan(res.azimuth_deg[1])
    assert res.fov_deg.tolist() == [90.0, 360.0, 70.0]
    assert res.online.tolist() == [False, True, True]
    assert res.category.tolist() == [1, 2, 3]


def test_missing_position_is_left_out():
    cams = cameras([("a", 0, 0, 1, 10.0, np.nan, 360.0, "online")])
    cams.loc[0, "geometry"] = None
    res, issues = resolve_cameras(cams, defaults=CAMERA_DEFAULTS)
    assert not res.usable[0]
    assert issues["column"].tolist() == ["geometry"]
    assert issues["action"].tolist() == ["left out of coverage"]


def test_text_values_and_missing_columns_do_not_crash():
    frame = cameras([("a", 0, 0, 1, 10.0, 0.0, 90.0, "online")])
    frame = frame.drop(columns=["status", "fov_deg"])
    frame["range_m"] = pd.Series(["abc"], dtype=object)
    res, issues = resolve_cameras(frame, defaults=CAMERA_DEFAULTS)
    assert res.range_m[0] == 60.0
    assert res.fov_deg[0] == 90.0
    assert set(issues["column"]) == {"range_m", "fov_deg"}


def test_sample_planted_camera_problems_are_all_found(sample_layers):
    from sample_data.generate import planted_problems

    issues = check_cameras(sample_layers["cameras"], sample_layers["grids"],
                           defaults=CAMERA_DEFAULTS)
    planted = planted_problems(scale="sample")
    found = set(issues["camera_id"])
    for key in ("camera_range_nonpositive", "camera_range_too_large", "camera_fov_invalid",
                "camera_azimuth_invalid", "camera_category_missing", "camera_duplicate_id",
                "camera_outside_grids"):
        assert set(planted[key]) <= found, key
    # One of the two cameras on one spot is reported against the other.
    assert len(set(planted["camera_same_position"]) & found) >= 1
    assert not shapely.is_empty(issues.geometry.dropna().to_numpy()).any()


@pytest.mark.parametrize("value", [0.0, -1.0, 1e9, np.inf])
def test_impossible_range_never_reaches_the_geometry(value):
    cams = cameras([("a", 0, 0, 2, value, np.nan, 360.0, "online")])
    res, _ = resolve_cameras(cams, defaults=CAMERA_DEFAULTS)
    assert res.range_m[0] == 35.0
