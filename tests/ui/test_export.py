"""The app's exports go through the engine's one writer per format."""

from __future__ import annotations

import csv

import geopandas as gpd
import pytest
import shapely
from openpyxl import load_workbook

LIVE = ("=", "+", "-", "@", "\t", "\r")
FORMULAS = ('=HYPERLINK("http://example.invalid","x")', "+1+2", "-1+2", "@SUM(A1)", "\t=1",
            "\r=1")


def _export(window, qtbot, kind, target, colour=None, **options):
    from ui.dialogs.export_dialog import ExportDialog

    dialog = ExportDialog(window, kind)
    dialog.path.setText(str(target))
    for name, value in options.items():
        getattr(dialog, name).setChecked(value)
    if colour is not None:
        dialog.colour_by.setCurrentIndex(dialog.colour_by.findData(colour))
    with qtbot.waitSignal(window.analysis_ended, timeout=180000):
        dialog.start()
    dialog.close()
    return dialog


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_report_export_keeps_formula_headers_and_values_as_text(fresh_window, qtbot, tmp_path,
                                                                suffix):
    window = fresh_window
    crs = window.session.project.crs
    frame = gpd.GeoDataFrame({f: [f] for f in FORMULAS},
                             geometry=[shapely.Point(500000, 3200000)], crs=crs)
    window.session.add_result_layer("=hostile", frame)
    target = tmp_path / f"report{suffix}"
    dialog = _export(window, qtbot, "tables", target)
    assert window.prompter.errors == []
    if suffix == ".xlsx":
        wb = load_workbook(target)
        ws = wb["_=hostile"]
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        for sheet in wb.worksheets:
            for row in sheet.iter_rows():
                assert all(c.data_type != "f" for c in row)
        expected = ["'" + f.replace("\r", "\n") for f in FORMULAS]
    else:
        assert [p.name for p in dialog.written] == ["report.csv", "report_staff.csv",
                                                    "report_grids.csv"]
        with target.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        expected = ["'" + f for f in FORMULAS]
    assert rows[0] == expected
    assert rows[1] == expected
    for row in rows:
        assert not any(str(v).startswith(LIVE) for v in row if v is not None)


def _grid_fills(page: str) -> list[str]:
    import json
    import re

    (block,) = re.findall(r'<script type="application/json" id="gp-data">(.*?)</script>', page,
                          flags=re.S)
    layer = next(x for x in json.loads(block)["layers"] if x["name"] == "网格 Grids")
    return [f["properties"]["c"] for f in layer["features"]["features"]]


@pytest.mark.parametrize("colour", ["band_status", "households", "coverage", "coverage_cat1",
                                    "coverage_cat23", "intersections", "walk", "workers"])
def test_html_map_colours_grids_by_every_option(window, qtbot, tmp_path, colour):
    from gridplanner import palette
    from gridplanner.export.webmap import COLOR_BY
    from ui.dialogs.export_dialog import ExportDialog

    dialog = ExportDialog(window, "html")
    keys = [dialog.colour_by.itemData(i) for i in range(dialog.colour_by.count())]
    assert keys == list(COLOR_BY)  # every colouring the command line offers
    dialog.close()
    target = tmp_path / f"{colour}.html"
    dialog = _export(window, qtbot, "html", target, colour=colour)
    assert window.prompter.errors == []
    assert dialog.written == [target]
    fills = _grid_fills(target.read_text(encoding="utf-8"))
    assert len(fills) == len(window.session.project.layer("grids"))
    classes = set(fills) - {palette.NO_DATA}
    assert len(classes) >= 2, (colour, set(fills))
    assert fills.count(palette.NO_DATA) <= len(fills) // 10, colour


def _digest(path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_exports_refuse_the_open_project_and_its_autosave(private_window, qtbot):
    from gridplanner.export.files import ExportError
    from ui.dialogs.export_dialog import ExportDialog

    window = private_window
    project = window.session.project.path
    before = _digest(project)
    for kind in ("gpkg", "html", "tables", "png"):
        for target in (project, window.autosave_target()):
            dialog = ExportDialog(window, kind)
            dialog.path.setText(str(target))
            dialog.start()  # refused at once: nothing runs
            assert "never replaces a project" in dialog.status.text()
            assert not window.runner.is_busy()
            # The engine refuses too, should the dialog's check be skipped.
            with pytest.raises(ExportError, match="never replaces a project"):
                dialog.job(target)(None)
            dialog.close()
    assert len(window.prompter.errors) == 8
    assert _digest(project) == before
    assert not window.autosave_target().exists()


def test_result_layers_export_is_atomic_and_honours_the_personal_box(private_window, qtbot,
                                                                     tmp_path):
    import pyogrio

    window = private_window
    crs = window.session.project.crs
    load = gpd.GeoDataFrame({"staff_id": ["s1"], "name": ["张三"], "phone": ["13900001111"],
                             "load": [12]}, geometry=[shapely.Point(500000, 3200000)], crs=crs)
    window.session.add_result_layer("staff_load", load)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "results.gpkg"
    target.write_bytes(b"an older export")
    _export(window, qtbot, "gpkg", target)
    assert window.prompter.errors == []
    columns = pyogrio.read_dataframe(target, layer="staff_load").columns.tolist()
    assert columns == ["staff_id", "load", "geometry"]
    _export(window, qtbot, "gpkg", target, personal=True)
    columns = pyogrio.read_dataframe(target, layer="staff_load").columns.tolist()
    assert columns == ["staff_id", "name", "phone", "load", "geometry"]
    assert [p.name for p in out.iterdir()] == ["results.gpkg"]  # no temporary left behind


def test_png_of_the_view_is_the_engine_map_at_the_chosen_size(window, qtbot, tmp_path):
    from matplotlib.image import imread

    from gridplanner import palette
    from ui.dialogs.export_dialog import ExportDialog

    dialog = ExportDialog(window, "png")
    dialog.width_px.setValue(800)
    dialog.height_px.setValue(500)
    dialog.path.setText(str(tmp_path / "view"))  # the suffix is added
    dialog.colour_by.setCurrentIndex(dialog.colour_by.findData("workers"))
    with qtbot.waitSignal(window.analysis_ended, timeout=120000):
        dialog.start()
    assert window.prompter.errors == []
    assert dialog.written == [tmp_path / "view.png"]
    image = imread(dialog.written[0])
    assert image.shape[:2] == (500, 800)
    seen = {"#" + "".join(f"{round(float(v) * 255):02x}" for v in px[:3])
            for px in image.reshape(-1, image.shape[2])[::5]}
    assert palette.ROLE["police"] in seen
    assert palette.ROLE["full_time"] in seen
    dialog.close()


def test_the_chinese_box_decides_the_language_of_a_workbook(private_window, qtbot, tmp_path):
    import re

    window = private_window
    chinese = re.compile(r"[\u4e00-\u9fff]")

    def headers(target):
        wb = load_workbook(target)
        return [str(c.value) for ws in wb.worksheets for c in ws[1]] + wb.sheetnames

    window.set_language("zh_CN")
    try:
        _export(window, qtbot, "tables", tmp_path / "en.xlsx", chinese=False)
        _export(window, qtbot, "tables", tmp_path / "zh.xlsx", chinese=True)
    finally:
        window.set_language("en")
    assert window.prompter.errors == []
    assert not [h for h in headers(tmp_path / "en.xlsx") if chinese.search(h)]
    assert [h for h in headers(tmp_path / "zh.xlsx") if chinese.search(h)]
