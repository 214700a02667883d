"""The import dialog's column mapper: drop-downs, preview, problems, memory, JSON files."""

from __future__ import annotations

import json
import os

import geopandas as gpd
import shapely

from layers.mapping import load_mapping

SHOTS = os.environ.get("GRIDPLANNER_SHOTS")


def _districts(path, third="县级市"):
    boxes = [shapely.box(119.60 + i * 0.01, 29.0, 119.61 + i * 0.01, 29.01) for i in range(3)]
    frame = gpd.GeoDataFrame({"adcode": [330702, 330703, 330781], "name": ["婺城区", "金东区",
                                                                            "兰溪市"],
                              "level": ["district", "区", third],
                              "parent": ['{"adcode": 330700}'] * 3},
                             geometry=boxes, crs=4326)
    frame.to_file(path)
    return path


def _dialog(qtbot):
    from ui.dialogs.import_dialog import ImportDialog

    dialog = ImportDialog()
    qtbot.addWidget(dialog)
    return dialog


def _give(qtbot, dialog, layer, path):
    with qtbot.waitSignal(dialog.head_runner.finished, timeout=30000):
        dialog.paths[layer].setText(str(path))
    qtbot.waitUntil(lambda: dialog.current_layer() == layer, timeout=5000)


def test_mapping_table_preview_and_import(qtbot, tmp_path):
    dialog = _dialog(qtbot)
    _give(qtbot, dialog, "service_areas", _districts(tmp_path / "districts.geojson"))
    combo = dialog.combo_for("area_id")
    # adcode is no known alias of area_id: nothing is picked, the preview says so.
    assert combo.currentData() == ""
    assert dialog.combo_for("name").currentData() == "name"  # matched by name
    assert dialog.combo_for("parent_id").currentData() == "parent"  # matched by alias
    assert "required column 'area_id' is missing" in dialog.preview_problems.toPlainText()
    combo.setCurrentIndex(combo.findData("adcode"))
    assert dialog.mapping.for_layer("service_areas").columns == {"area_id": "adcode"}
    assert "No problems" in dialog.preview_problems.toPlainText()
    headers = [dialog.preview_table.horizontalHeaderItem(i).text()
               for i in range(dialog.preview_table.columnCount())]
    assert headers[:4] == ["area_id", "name", "level", "parent_id"]
    assert dialog.preview_table.item(1, 2).text() == "district"  # 区 read as district
    assert dialog.preview_table.item(0, 3).text() == "330700"
    assert "330702" in dialog.column_table.item(0, 2).text()  # example values
    if SHOTS:
        dialog.tabs.setCurrentIndex(1)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.grab().save(os.path.join(SHOTS, "import_mapping.png"))
        from ui import i18n

        i18n.set_language("zh_CN")
        zh = _dialog(qtbot)
        _give(qtbot, zh, "service_areas", tmp_path / "districts.geojson")
        zh.tabs.setCurrentIndex(1)
        zh.show()
        qtbot.waitExposed(zh)
        zh.grab().save(os.path.join(SHOTS, "import_mapping_zh.png"))
        zh.reject()
        i18n.set_language("en")
    with qtbot.waitSignal(dialog.runner.finished, timeout=30000):
        dialog.check()
    assert dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    assert dialog.result_project.layers["service_areas"]["area_id"].tolist() == [
        "330702", "330703", "330781"]
    dialog.reject()


def test_mapping_remembered_for_files_with_the_same_columns(qtbot, tmp_path):
    first = _dialog(qtbot)
    _give(qtbot, first, "service_areas", _districts(tmp_path / "march.geojson"))
    combo = first.combo_for("area_id")
    combo.setCurrentIndex(combo.findData("adcode"))
    first.reject()
    # Next month's file has the same columns: the dialog starts from the same mapping.
    second = _dialog(qtbot)
    _give(qtbot, second, "service_areas", _districts(tmp_path / "april.geojson"))
    assert second.combo_for("area_id").currentData() == "adcode"
    assert "No problems" in second.preview_problems.toPlainText()
    second.reject()


def test_choosing_none_keeps_an_alias_column_out(qtbot, tmp_path):
    dialog = _dialog(qtbot)
    _give(qtbot, dialog, "service_areas", _districts(tmp_path / "d.geojson"))
    area = dialog.combo_for("area_id")
    area.setCurrentIndex(area.findData("adcode"))
    dialog.combo_for("parent_id").setCurrentIndex(0)  # (none)
    assert dialog.mapping.for_layer("service_areas").columns == {"area_id": "adcode",
                                                                 "parent_id": ""}
    col = list(dialog.preview.frame.columns).index("parent_id")
    assert dialog.preview.frame.iloc[:, col].tolist() == ["", "", ""]
    dialog.reject()


def test_mapping_json_is_the_cli_file(qtbot, tmp_path):
    dialog = _dialog(qtbot)
    _give(qtbot, dialog, "service_areas", _districts(tmp_path / "d.geojson"))
    combo = dialog.combo_for("area_id")
    combo.setCurrentIndex(combo.findData("adcode"))
    saved = dialog.save_mapping_to(tmp_path / "m.json")
    assert load_mapping(saved).for_layer("service_areas").columns == {"area_id": "adcode"}
    dialog.reject()
    other = _dialog(qtbot)
    _give(qtbot, other, "service_areas", _districts(tmp_path / "d2.geojson"))
    (tmp_path / "v.json").write_text(json.dumps({"layers": {"service_areas": {
        "columns": {"area_id": "adcode"}, "values": {"level": {"县级市": "city"}}}}}),
        encoding="utf-8")
    other.load_mapping_from(tmp_path / "v.json")
    assert other.combo_for("area_id").currentData() == "adcode"
    assert other.preview_table.item(2, 2).text() == "city"
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    other.load_mapping_from(tmp_path / "bad.json")
    assert "not a readable JSON mapping" in other.problems.toPlainText()
    other.reject()


def test_values_not_understood_can_be_read_as_allowed_ones(qtbot, tmp_path):
    dialog = _dialog(qtbot)
    _give(qtbot, dialog, "service_areas", _districts(tmp_path / "d.geojson", third="开发区"))
    area = dialog.combo_for("area_id")
    area.setCurrentIndex(area.findData("adcode"))
    # 开发区 (a development zone) is no known level: listed with a drop-down.
    assert dialog.value_table.rowCount() == 1
    assert dialog.value_table.item(0, 1).text() == "开发区"
    assert "'开发区' is not one of" in dialog.preview_problems.toPlainText()
    if SHOTS:
        dialog.tabs.setCurrentIndex(1)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.grab().save(os.path.join(SHOTS, "import_values.png"))
    combo = dialog.value_table.cellWidget(0, 2)
    combo.setCurrentIndex(combo.findData("district"))
    assert dialog.mapping.for_layer("service_areas").values == {"level": {"开发区": "district"}}
    assert "No problems" in dialog.preview_problems.toPlainText()
    assert dialog.preview_table.item(2, 2).text() == "district"
    # The mapped value stays listed, so the choice can be undone.
    combo = dialog.value_table.cellWidget(0, 2)
    assert combo.currentData() == "district"
    combo.setCurrentIndex(0)
    assert dialog.mapping.for_layer("service_areas").values == {}
    dialog.reject()


def test_saving_the_mapping_never_replaces_a_project(qtbot, tmp_path):
    from gridplanner.project import open_project, save_project
    from tests.engine.test_project import _tiny_project

    project = save_project(_tiny_project(), tmp_path / "district.gpkg")
    before = project.read_bytes()
    dialog = _dialog(qtbot)
    # "All files" in the save box lets the project (or its autosave) be picked by mistake.
    assert dialog.save_mapping_to(project) is None
    assert project.read_bytes() == before
    assert "project" in dialog.problems.toPlainText()
    assert open_project(project).layers
    saved = dialog.save_mapping_to(tmp_path / "m.json")
    assert saved == tmp_path / "m.json"
    assert load_mapping(saved).layers == {}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["district.gpkg", "m.json"]
    dialog.reject()
