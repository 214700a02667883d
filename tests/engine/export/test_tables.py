from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from openpyxl import load_workbook

from gridplanner.export.results import staff_areas, write_geopackage
from gridplanner.export.tables import (
    ExportError,
    report_html,
    write_csv,
    write_report,
    write_xlsx,
)
from gridplanner.scenarios import ScenarioFigures, compare_figures
from gridplanner.scenarios.labels import FIGURES


def _comparison():
    def fake(name, ft):
        figures = dict.fromkeys(FIGURES, float("nan"))
        figures["staff_full_time"] = ft
        staff = pd.DataFrame({"staff_id": ["s1"], "role": ["full_time"], "name": ["张三"],
                              "load": [400]})
        grids = pd.DataFrame({"grid_id": ["=cmd|' /C calc'!A0"], "band_status": ["above"]})
        return ScenarioFigures(name=name, figures=figures, grids=grids, staff=staff)

    return compare_figures([fake("current", 10.0), fake("plan", 12.0)])


def test_xlsx_chinese_headers_and_no_formulas(tmp_path):
    paths = write_report(_comparison(), tmp_path / "r.xlsx", chinese_headers=True)
    wb = load_workbook(paths[0])
    assert wb.sheetnames[:2] == ["figures 指标对比", "grids 网格对比"]
    figs = wb["figures 指标对比"]
    header = [c.value for c in figs[1]]
    assert header[:3] == ["指标代码", "指标", "指标(英文)"]
    assert header[3:] == ["current", "plan", "Δ plan"]
    row = next(r for r in figs.iter_rows(values_only=True) if r[0] == "staff_full_time")
    assert row[3:] == (10, 12, 2)
    grids = wb["grids 网格对比"]
    cell = grids["A2"]
    assert cell.value == "'=cmd|' /C calc'!A0"  # Excel's own mark for text
    assert cell.data_type == "s"  # text, never a formula
    assert grids["B2"].value == "偏多"  # band status in Chinese
    # Staff sheets leave personal columns out by default.
    staff_header = [c.value for c in wb["staff current"][1]]
    assert "姓名" not in staff_header
    assert "name" not in staff_header


def test_csv_report_writes_siblings_with_bom(tmp_path):
    paths = write_report(_comparison(), tmp_path / "r.csv")
    assert [p.name for p in paths] == ["r.csv", "r_grids.csv", "r_changed_grids.csv",
                                       "r_changed_staff.csv"]
    raw = paths[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    grid_text = paths[1].read_text(encoding="utf-8-sig")
    assert "'=cmd" in grid_text  # neutralised for spreadsheets
    table = pd.read_csv(paths[0], encoding="utf-8-sig")
    assert table.set_index("key").loc["staff_full_time", "Δ plan"] == 2


def test_html_report_escapes(tmp_path):
    page = report_html({"t": pd.DataFrame({"name": ["<script>alert(1)</script>"],
                                           "Δ x": [-3.0]})})
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert "class='n down'>-3</td>" in page
    (paths,) = [write_report(_comparison(), tmp_path / "r.html")]
    assert paths[0].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_unknown_format_and_sheet_names(tmp_path):
    with pytest.raises(ExportError, match=r"\.xlsx, \.csv or \.html"):
        write_report(_comparison(), tmp_path / "r.pdf")
    long = "x" * 40
    path = write_xlsx({long: pd.DataFrame({"a": [1]}), long + "y": pd.DataFrame({"a": [2]}),
                       "a/b:c": pd.DataFrame({"a": [3]})}, tmp_path / "s.xlsx")
    names = load_workbook(path).sheetnames
    assert names == ["x" * 31, "x" * 27 + " (2)", "a_b_c"]
    csv = write_csv(pd.DataFrame({"grid_id": ["g"], "households": [3]}), tmp_path / "t.csv",
                    chinese_headers=True)
    assert csv.read_text(encoding="utf-8-sig").splitlines()[0] == "网格编码,住户数"


def test_geopackage_strips_personal_columns(tmp_path):
    staff = gpd.GeoDataFrame({"staff_id": ["s1"], "name": ["张三"], "phone": ["139"],
                              "id_number": ["3307"], "load": [5]},
                             geometry=[shapely.Point(0, 0)], crs=4549)
    table = pd.DataFrame({"key": ["a"], "value": [1.5]})
    path = write_geopackage({"staff_load": staff, "figures": table}, tmp_path / "r.gpkg")
    back = gpd.read_file(path, layer="staff_load")
    assert back.columns.tolist() == ["staff_id", "load", "geometry"]
    import pyogrio

    assert pyogrio.read_dataframe(path, layer="figures")["value"].tolist() == [1.5]
    kept = write_geopackage({"staff_load": staff}, tmp_path / "p.gpkg", include_personal=True)
    assert "phone" in gpd.read_file(kept, layer="staff_load").columns


def test_staff_areas_cover_their_households():
    pts = shapely.points([(0, 0), (100, 0), (0, 100), (500, 500), (510, 500)])
    assign = gpd.GeoDataFrame({"staff_id": ["w1", "w2", "w1", "w2", "w1"],
                               "households": [1, 2, 3, 4, 5]}, geometry=pts, crs=4549)
    staff = gpd.GeoDataFrame({"staff_id": ["w1", "w2"]},
                             geometry=[shapely.Point(0, 0), shapely.Point(500, 500)], crs=4549)
    areas = staff_areas(assign, staff).set_index("staff_id")
    assert areas.loc["w1", "households"] == 9
    assert areas.loc["w2", "households"] == 6
    assert areas.loc["w1", "geometry"].contains(shapely.Point(510, 500))
    assert not areas.loc["w2", "geometry"].contains(shapely.Point(0, 100))
