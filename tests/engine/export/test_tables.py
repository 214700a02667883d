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


def _comparison(**changes):
    def fake(name, ft):
        figures = dict.fromkeys(FIGURES, float("nan"))
        figures["staff_full_time"] = ft
        for key, (before, after) in changes.items():
            figures[key] = before if name == "current" else after
        staff = pd.DataFrame({"staff_id": ["s1"], "role": ["full_time"], "name": ["张三"],
                              "load": [400]})
        grids = pd.DataFrame({"grid_id": ["=cmd|' /C calc'!A0"], "band_status": ["above"]})
        return ScenarioFigures(name=name, figures=figures, grids=grids, staff=staff)

    return compare_figures([fake("current", 10.0), fake("plan", 12.0)])


def test_xlsx_chinese_headers_and_no_formulas(tmp_path):
    paths = write_report(_comparison(), tmp_path / "r.xlsx", chinese_headers=True)
    wb = load_workbook(paths[0])
    assert wb.sheetnames[:2] == ["指标对比", "网格对比"]
    figs = wb["指标对比"]
    header = [c.value for c in figs[1]]
    assert header == ["指标", "current", "plan", "Δ plan"]
    row = next(r for r in figs.iter_rows(values_only=True) if r[0] == "专职网格员人数")
    assert row[1:] == (10, 12, 2)
    grids = wb["网格对比"]
    cell = grids["A2"]
    assert cell.value == "'=cmd|' /C calc'!A0"  # Excel's own mark for text
    assert cell.data_type == "s"  # text, never a formula
    assert grids["B2"].value == "偏多"  # band status in Chinese
    # Staff sheets leave personal columns out by default.
    staff_header = [c.value for c in wb["人员 current"][1]]
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
    assert "class='n'>-3</td>" in page  # no direction known: not coloured
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


def _fill(cell):
    return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type else None


def test_xlsx_report_colours_better_and_worse_and_rounds_percentages(tmp_path):
    comparison = _comparison(walk_mean_m=(500.0, 400.0), households_unassigned=(5.0, 9.0),
                             coverage_households_all=(40.04, 45.06))
    wb = load_workbook(write_report(comparison, tmp_path / "r.xlsx", lang="en")[0])
    assert wb.sheetnames[:4] == ["figures", "grids", "changed grids", "changed staff"]
    figs = wb["figures"]
    assert figs.freeze_panes == "A2"
    rows = {r[0].value: r for r in figs.iter_rows(min_row=2)}
    walk = rows["Walking distance, mean (m)"]
    assert (walk[3].value, _fill(walk[3])) == (-100, "C6EFCE")  # shorter walk: green
    unassigned = rows["Unassigned households"]
    assert (unassigned[3].value, _fill(unassigned[3])) == (4, "FFC7CE")  # more: red
    covered = rows["Households covered, all cameras (%)"]
    assert [c.value for c in covered[1:]] == [40.0, 45.1, 5.0]
    assert covered[1].number_format == "#,##0.0"
    assert _fill(covered[3]) == "C6EFCE"
    workers = rows["Full-time grid workers"]
    assert _fill(workers[3]) is None  # no better direction for a head count
    assert workers[1].number_format == "#,##0"


def test_html_report_in_one_language_with_print_layout(tmp_path):
    comparison = _comparison(walk_mean_m=(500.0, 600.0))
    path = write_report(comparison, tmp_path / "r.html", lang="zh_CN")[0]
    page = path.read_text(encoding="utf-8")
    assert "<html lang='zh-CN'>" in page
    assert "方案对比：current / plan" in page
    assert "@media print" in page
    assert "thead{display:table-header-group}" in page
    assert "<th>步行距离均值(米)</th>" not in page  # figures are rows, not columns
    assert "<td>步行距离均值(米)</td>" in page
    assert "class='n worse'>100</td>" in page
    assert "Scenario" not in page
    assert "figures" not in page
    english = write_report(comparison, tmp_path / "e.html", lang="en")[0].read_text(
        encoding="utf-8")
    assert "<td>Walking distance, mean (m)</td>" in english
    assert "<th>Figure</th>" in english  # readable headers, not column names
    assert "<th>Band status [current]</th>" in english
    assert "<th>户数状态 [current]</th>" in page
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in english.replace("张三", ""))


def test_sheet_names_are_short_whole_words_in_the_language(tmp_path):
    long_name = "the plan for the northern communities in spring"
    sheets = {"uncovered_intersections": pd.DataFrame({"node_id": [1]}),
              f"staff {long_name}": pd.DataFrame({"a": [1]})}
    names = load_workbook(write_xlsx(sheets, tmp_path / "zh.xlsx", lang="zh_CN")).sheetnames
    assert names == ["未覆盖路口", "staff the plan for the northern"]
    names = load_workbook(write_xlsx(sheets, tmp_path / "en.xlsx", lang="en")).sheetnames
    assert names[0] == "uncovered_intersections"


def test_column_widths_count_chinese_characters_double(tmp_path):
    frame = pd.DataFrame({"name": ["青春路社区党群服务中心"], "households_pct_all": [12.345]})
    ws = load_workbook(write_xlsx({"t": frame}, tmp_path / "w.xlsx", lang="zh_CN"))["t"]
    assert ws.column_dimensions["A"].width >= 22
    assert ws["B2"].value == 12.3
    assert [c.value for c in ws[1]] == ["名称", "住户覆盖率(全部,%)"]
