"""The app's texts come from the engine's catalogue and follow a language switch."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox

import gridplanner.i18n as engine
from ui import i18n
from ui.i18n import bind, tr

B = QDialogButtonBox.StandardButton


def _idle(qapp) -> bool:
    """No window renders or waits to render, and no worker thread runs."""
    from shiboken6 import isValid

    from ui.main_window import MainWindow
    from ui.workers import running_threads

    windows = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and isValid(w)]
    return not running_threads() and not any(w.canvas.is_rendering() for w in windows)


@pytest.fixture(autouse=True)
def back_to_english_and_idle(qapp, qtbot, window):
    """Each test may switch languages; windows redraw on a switch, so wait for them.

    Every test here runs beside the module's open window (as in the app), whose
    panels rebuild and whose map redraws when the language changes.
    """
    yield
    i18n.set_language("en")
    qtbot.waitUntil(lambda: _idle(qapp), timeout=60000)


def _standard_texts(box):
    return [box.button(b).text() for b in (B.Ok, B.Cancel, B.Save, B.Discard)]


def test_tr_reads_the_engine_catalogue_and_the_switch_reaches_the_engine(qapp):
    assert tr("Cancel") == "Cancel"
    assert i18n.set_language("zh_CN") == "zh_CN"
    assert engine.current_language() == "zh_CN"
    assert tr("Cancel") == "取消" == engine.gettext("Cancel")
    assert tr("{n} rows").format(n=3) == "3 行"
    assert tr("Not a text of the app") == "Not a text of the app"
    i18n.set_language("en")
    assert engine.current_language() == "en"
    assert tr("Cancel") == "Cancel"


def test_unknown_or_empty_language_follows_the_system(qapp):
    assert i18n.set_language(None) == i18n.system_language()
    assert i18n.set_language("fr") == i18n.system_language()
    assert engine.current_language() == i18n.system_language()


def test_bound_texts_follow_the_switch(qapp, qtbot):
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    qtbot.addWidget(label)
    bind(label, "setText", "Unsaved changes")
    assert label.text() == "Unsaved changes"
    i18n.set_language("zh_CN")
    assert label.text() == "未保存的修改"
    i18n.set_language("en")
    assert label.text() == "Unsaved changes"


def test_every_bound_widget_of_the_window_reads_chinese(window):
    """A sample of the whole window: every text set through bind(), plus panels."""
    window.set_language("zh_CN")
    cat = engine.catalogue("zh_CN")
    wrong = []
    for ref, setter, text in i18n._bindings:
        obj = ref()
        if obj is None:
            continue
        getter = setter[3].lower() + setter[4:]  # setText -> text, setWindowTitle -> ...
        expected = cat.lookup(text)
        if expected is not None and getattr(obj, getter)() != expected:
            wrong.append((text, getattr(obj, getter)()))
    assert wrong == []
    assert window.menuBar().actions()[0].text() == "文件(&F)"
    assert window.docks["comparison"].windowTitle() == "方案比较"
    choices = [window.analysis.choice.itemText(i) for i in range(window.analysis.choice.count())]
    assert "视频覆盖分析" in choices
    assert "网格检查" in choices
    window.set_language("en")
    assert window.menuBar().actions()[0].text() == "&File"
    choices = [window.analysis.choice.itemText(i) for i in range(window.analysis.choice.count())]
    assert "Camera coverage" in choices


def test_dialogs_opened_in_chinese(window, qtbot):
    from PySide6.QtWidgets import QLabel

    from ui.dialogs.export_dialog import ExportDialog

    window.set_language("zh_CN")
    dialog = ExportDialog(window, "html")
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "导出 HTML 地图"
    labels = {w.text() for w in dialog.findChildren(QLabel)}
    assert {"文件", "网格着色依据"} <= labels
    assert dialog.buttons.button(B.Ok).text() == "导出"
    dialog.close()
    tables = ExportDialog(window, "tables")
    qtbot.addWidget(tables)
    assert "中文表头和标签" in {w.text() for w in tables.findChildren(QLabel)}
    assert tables.chinese.isChecked()
    tables.close()


def test_qt_standard_buttons_are_chinese(qapp, qtbot):
    """Qt's own qtbase_zh_CN.qm ships with PySide6-Essentials and is installed."""
    from pathlib import Path

    assert Path(i18n.qt_translations_file("zh_CN")).is_file()
    before = QDialogButtonBox(B.Ok | B.Cancel | B.Save | B.Discard)
    qtbot.addWidget(before)
    assert _standard_texts(before) == ["OK", "Cancel", "Save", "Discard"]
    i18n.set_language("zh_CN")
    made_after = QDialogButtonBox(B.Ok | B.Cancel | B.Save | B.Discard)
    qtbot.addWidget(made_after)
    assert _standard_texts(made_after) == ["确定", "取消", "保存", "丢弃"]
    qtbot.waitUntil(lambda: _standard_texts(before) == ["确定", "取消", "保存", "丢弃"])
    i18n.set_language("en")
    qtbot.waitUntil(lambda: _standard_texts(made_after) == ["OK", "Cancel", "Save", "Discard"])
    # switching back and forth keeps one Qt translator, not one per switch
    for lang in ("zh_CN", "zh_CN", "en", "zh_CN"):
        i18n.set_language(lang)
    assert len(i18n._qt_translators) == 1


@pytest.mark.parametrize("table", ["ui.panels.layers_panel:LAYER_TITLES",
                                   "ui.panels.checks_panel:CHECK_TITLES"])
def test_texts_kept_in_tables_have_chinese(table):
    import importlib

    module, name = table.split(":")
    texts = getattr(importlib.import_module(module), name).values()
    cat = engine.catalogue("zh_CN")
    assert [t for t in texts if cat.lookup(t) is None] == []


def test_attribute_table_headers_follow_the_language(qapp):
    from ui.panels.attribute_table import column_title

    assert column_title("grid_id") == "grid_id"
    i18n.set_language("zh_CN")
    assert column_title("grid_id") == "网格编码"
    assert column_title("households [plan]") == "住户数 [plan]"


def test_asking_for_the_language_in_use_changes_nothing(qapp):
    calls = []

    class Listener:
        def changed(self):
            calls.append(engine.current_language())

    listener = Listener()
    i18n.on_language_change(listener.changed)
    i18n.set_language("en")
    assert calls == []
    i18n.set_language("zh_CN")
    i18n.set_language("zh-CN")
    assert calls == ["zh_CN"]
    engine.set_language("en")  # the engine switched on its own: the app follows again
    i18n.set_language("zh_CN")
    assert calls == ["zh_CN", "zh_CN"]
    assert tr("Cancel") == "取消"
