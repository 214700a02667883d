"""The demo end to end (run once for the module), and its HTML map in a real browser."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
from openpyxl import load_workbook

from gridplanner.demo import DEMO_SCENARIO, run_demo
from gridplanner.project import open_project
from gridplanner.scenarios import apply_scenario, scenario_names


@pytest.fixture(scope="module")
def demo(sample_project_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    text = run_demo(out, project_path=sample_project_file)
    return out, text


def test_demo_writes_every_output(demo):
    out, text = demo
    for name in ("comparison.xlsx", "comparison.html", "map_current.html", "map_scenario.html",
                 "results.gpkg", "map_coverage.png", "demo_project.gpkg"):
        assert (out / name).stat().st_size > 1000, name
        assert str((out / name).resolve()) in text
    assert "Full-time grid workers" in text  # the process language (English in tests)
    figures = load_workbook(out / "comparison.xlsx")["figures"]
    rows = {r[0]: r for r in figures.iter_rows(values_only=True)}
    assert rows["Full-time grid workers"][-1] == 20  # the scenario adds 20 workers
    assert rows["Staff cost per year (yuan)"][-1] == 20 * 70_000
    # Balanced grids bring grids into the band; the new workers shorten walks.
    outside = rows["Grids outside the household band"]
    assert outside[2] < outside[1]
    walk = rows["Walking distance, mean (m)"]
    assert walk[2] < walk[1]
    assert rows["Households covered, all cameras (%)"][1] > 0
    for sheet in load_workbook(out / "comparison.xlsx").worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


def test_demo_scenario_survives_reopen(demo):
    out, _ = demo
    project = open_project(out / "demo_project.gpkg")
    assert scenario_names(project) == ["current", DEMO_SCENARIO]
    variant = apply_scenario(project, DEMO_SCENARIO)
    added = variant.layers["staff"]["staff_id"].str.startswith("NEWFT")
    assert int(added.sum()) == 20
    assert set(variant.layers["staff"].loc[added, "role"]) == {"full_time"}
    grid_ids = set(variant.layers["grids"]["grid_id"])
    assert set(variant.layers["staff"].loc[added, "grid_id"]) <= grid_ids


def test_demo_geopackage_layers(demo):
    out, _ = demo
    names = {str(n) for n, _ in pyogrio.list_layers(out / "results.gpkg")}
    for name in ("grid_figures", "grid_findings", "camera_footprints", "coverage_gaps",
                 "uncovered_households", "household_assignments", "staff_load", "staff_areas",
                 "scenario_grid_figures", "scenario_staff_load", "scenario_figures"):
        assert name in names
    staff = gpd.read_file(out / "results.gpkg", layer="staff_load")
    assert {"name", "phone", "id_number"}.isdisjoint(staff.columns)
    assert staff["load"].sum() > 0


def test_demo_map_renders_offline_in_chromium(demo, tmp_path, chromium):
    out, _ = demo
    page = out / "map_current.html"
    shot = tmp_path / "map.png"
    run = chromium(["--window-size=1200,900", f"--screenshot={shot}", page.as_uri()],
                    tmp_path / "profile")
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    assert console == []
    assert "ERR_" not in run.stderr  # nothing tried to load from the network
    dom = chromium(["--dump-dom", page.as_uri()], tmp_path / "profile2").stdout
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None
    assert 'data-gp-errors="0"' in body.group(0)
    count = re.search(r'data-gp-layers="(\d+)"', body.group(0))
    assert count is not None
    # Grids, staff, communities, facilities and category 1 footprints are on.
    assert int(count.group(1)) > 500
    for name in ("网格 Grids", "一类摄像头覆盖 Category 1 footprints", "覆盖盲区 Coverage gaps",
                 "未覆盖住户 Uncovered households", "专职服务范围 Workers' assigned areas",
                 "人员 Staff", "设施 Facilities"):
        assert name in dom
    from matplotlib.image import imread

    img = imread(shot)[..., :3]
    assert img.shape[:2] == (900, 1200)
    colours = np.unique((img * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 50
    # Grid fills of the coverage colour ramp are on screen (orange 20-40 % class).
    orange = np.all(np.abs(img * 255 - [250, 205, 160]) < 30, axis=-1).mean()
    assert orange > 0.02
    shutil.copy(shot, Path("/tmp") / "gridplanner_demo_map.png")


def test_demo_runs_every_registered_analysis(demo):
    from gridplanner.analyses import analyses

    out, text = demo
    written = {name.split("__")[0] for name, _ in pyogrio.list_layers(out / "analyses.gpkg")}
    assert written == {a.name.replace("-", "_") for a in analyses()}
    for analysis in analyses():
        assert f"  {analysis.name}: " in text
