from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gridplanner.cli import main
from gridplanner.project import Project, open_project, save_project
from layers.validate import validate

CRS = "EPSG:4549"
X0, Y0 = 500000.0, 3200000.0


@pytest.fixture
def project_file(tmp_path):
    grids = gpd.GeoDataFrame(
        {"grid_id": ["G1", "G2"], "community_id": ["C", "C"]},
        geometry=[shapely.box(X0, Y0, X0 + 100, Y0 + 100),
                  shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100)], crs=CRS)
    staff = gpd.GeoDataFrame(
        {"staff_id": ["f1", "h1"], "role": ["full_time", "grid_head"], "grid_id": ["G1", "G1"],
         "name": ["张三", "李四"], "phone": ["13900001111", ""]},
        geometry=[shapely.Point(X0 + 10, Y0 + 10), shapely.Point(X0 + 20, Y0 + 20)], crs=CRS)
    hh = gpd.GeoDataFrame({"household_id": ["a", "b"], "households": [350, 120]},
                          geometry=[shapely.Point(X0 + 50, Y0 + 50),
                                    shapely.Point(X0 + 150, Y0 + 50)], crs=CRS)
    layers = {"grids": grids, "staff": staff, "households": hh}
    path = tmp_path / "p.gpkg"
    save_project(Project(layers={k: validate(v, k).frame for k, v in layers.items()}), path)
    staff_file = tmp_path / "staff_plus.gpkg"
    plus = pd.concat([staff, staff.iloc[[0]].assign(
        staff_id="f2", grid_id="G2", geometry=shapely.Point(X0 + 150, Y0 + 60))],
        ignore_index=True)
    gpd.GeoDataFrame(plus, crs=CRS).to_file(staff_file, layer="staff")
    return path, staff_file


def test_scenario_create_list_compare_delete(project_file, tmp_path, capsys):
    path, staff_file = project_file
    assert main(["scenario", "create", str(path), "plan", "--staff", str(staff_file),
                 "--set", "walk_cutoff_m=1500", "--description", "one more"]) == 0
    assert "staff: +1 -0 ~0" in capsys.readouterr().out
    assert open_project(path).scenarios["plan"]["parameters"] == {"walk_cutoff_m": 1500}
    assert main(["scenario", "list", str(path)]) == 0
    listed = capsys.readouterr().out
    assert "plan" in listed
    assert "one more" in listed
    out = tmp_path / "report.xlsx"
    assert main(["compare", str(path), "current", "plan", "--out", str(out),
                 "--no-coverage", "--no-allocation"]) == 0
    printed = capsys.readouterr().out
    line = next(t for t in printed.splitlines() if "Full-time grid workers" in t)
    assert line.split()[-3:] == ["1", "2", "+1"]
    assert out.exists()
    assert main(["scenario", "delete", str(path), "plan"]) == 0
    assert open_project(path).scenarios == {}


def test_errors_are_clean(project_file, capsys):
    path, _ = project_file
    assert main(["compare", str(path), "current", "nope", "--no-coverage"]) == 2
    assert "no scenario called 'nope'" in capsys.readouterr().err
    assert main(["scenario", "create", str(path), "empty"]) == 2
    assert "nothing to vary" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse rejects an unknown colouring
        main(["export-map", str(path), "--out", "x.html", "--color-by", "bad"])
    assert "invalid choice: 'bad'" in capsys.readouterr().err
    assert main(["export-results", str(path), "--out", "r.pdf", "--no-coverage"]) == 2
    assert "use .gpkg, .xlsx or .csv" in capsys.readouterr().err


def test_export_map_results_and_png(project_file, tmp_path, capsys):
    path, _ = project_file
    html = tmp_path / "map.html"
    assert main(["export-map", str(path), "--out", str(html), "--color-by", "households",
                 "--no-coverage", "--no-allocation"]) == 0
    page = html.read_text(encoding="utf-8")
    assert "13900001111" not in page
    assert "L.map(" in page
    assert main(["export-map", str(path), "--out", str(html), "--include-personal",
                 "--no-coverage", "--no-allocation"]) == 0
    assert "13900001111" in html.read_text(encoding="utf-8")
    gpkg = tmp_path / "r.gpkg"
    assert main(["export-results", str(path), "--out", str(gpkg), "--no-coverage",
                 "--no-allocation"]) == 0
    assert "grid_figures" in gpd.list_layers(gpkg)["name"].tolist()
    xlsx = tmp_path / "r.xlsx"
    assert main(["export-results", str(path), "--out", str(xlsx), "--chinese-headers",
                 "--no-coverage", "--no-allocation"]) == 0
    png = tmp_path / "m.png"
    assert main(["export-png", str(path), "--out", str(png), "--grid", "G1", "--dpi", "50",
                 "--no-coverage", "--no-allocation"]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    capsys.readouterr()
