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


def _export(window, qtbot, kind, target, **options):
    from ui.dialogs.export_dialog import ExportDialog

    dialog = ExportDialog(window, kind)
    dialog.path.setText(str(target))
    for name, value in options.items():
        getattr(dialog, name).setChecked(value)
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
