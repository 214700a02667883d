"""With the interface in 简体中文 no English reaches the user, and in English no Chinese.

The scans run every analysis and every kind of edit on the sample, then read every
text the window shows: window and dock titles, menus, labels, buttons, check
boxes, drop-downs, trees and lists, table headers and the cells holding words of
the data model, placeholders, tooltips and the status bar. Codes, units and proper
names are allowed; the user's own data (grid names, staff names) is not scanned.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import shapely
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QTableView,
    QTreeWidget,
    QWidget,
)

from tests.ui.helpers import neighbouring_grids
from ui.panels import attribute_table
from ui.panels.attribute_table import FrameModel

#: Columns holding words of the data model (scanned in tables of the user's data).
WORD_COLUMNS = getattr(attribute_table, "WORD_COLUMNS", frozenset({"kind", "role", "locked"}))

#: Words allowed in a Chinese interface: codes, units, names of formats and programs.
ALLOWED_LATIN = {
    "GridPlanner", "XLSX", "CSV", "HTML", "PNG", "PDF", "GeoPackage", "gpkg", "EPSG", "CRS",
    "WGS", "GCJ", "OpenStreetMap", "OSM", "MBTiles", "XYZ", "WMTS", "ID", "ms", "km", "px",
    "English", "Shift", "Ctrl", "Esc", "Alt", "Del",
    # codes inside the option texts: the FILE::LAYER syntax, layer names
    "FILE", "LAYER", "grid_heads",
    # names of compactness measures
    "Reock", "Polsby", "Popper",
}
#: Column headers whose catalogue entries come with the organisation columns.
COLUMNS_ELSEWHERE = {"incident_id", "cutoff_m", "time"}
#: File names and paths (recent files, the window title) are the user's.
PATHS = re.compile(r"\S*[/\\]\S+|\S+\.gpkg")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
#: Column and layer codes of the data files (range_m, camera_issues) name what to fix.
CODES = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
CJK = re.compile(r"[\u3400-\u9fff]")
#: Widgets showing engine texts (summaries, findings) while those are converted to
#: the catalogue; scanned apart (see test_engine_texts_in_chinese).
ENGINE_TEXT = ("summary",)
#: Sentences the engine writes in English today (analysis summaries): scanned apart.
ENGINE_OWNED = "engine"

#: Small runs of the slow analyses.
QUICK = {"site-cameras": {"k": 2, "use_buildings": False}, "place": {"n": 2},
         "coverage": {"use_buildings": False}}


def _english(text: str, engine: frozenset[str] = frozenset()) -> list[str]:
    """Latin words of ``text`` outside the allow-list, paths and the engine's own texts."""
    for owned in engine:
        text = text.replace(owned, "")
    text = CODES.sub("", PATHS.sub("", text))
    return [w for w in LATIN_WORD.findall(text) if w not in ALLOWED_LATIN]


def engine_texts(window) -> frozenset[str]:
    """Texts the engine writes (option help, unassigned reasons) in the current language.

    They come from the engine's catalogue; the engine-text scan lists the ones
    still in English.
    """
    from gridplanner.analyses import option_info
    from ui.i18n import tr

    owned: set[str] = set()
    for analysis in window.analysis.pages:
        for f in analysis.fields():
            owned.add(tr(option_info(f).help))
    unassigned = window.session.project.extra_layers.get("unassigned")
    if unassigned is not None and "reason" in unassigned.columns:
        owned.update(unassigned["reason"].astype(str).unique().tolist())
    return frozenset(sorted(owned, key=len, reverse=True))


def _menu_texts(menu: QMenu) -> list[tuple[str, str]]:
    out = [("menu", menu.title())]
    for act in menu.actions():
        if act.menu() is not None:
            out.extend(_menu_texts(act.menu()))
        elif not act.isSeparator() and act.text():
            out.append(("action", act.text()))
            if act.toolTip() and act.toolTip() != act.text().replace("&", ""):
                out.append(("tooltip", act.toolTip()))
    return out


def _item_view_texts(view: QAbstractItemView, data_words_only: bool) -> list[tuple[str, str]]:
    model = view.model()
    if model is None:
        return []
    out = []
    if isinstance(view, QListWidget):
        return [("list", view.item(i).text()) for i in range(view.count())]
    from PySide6.QtCore import QModelIndex

    for c in range(model.columnCount(QModelIndex())):
        header = model.headerData(c, Qt.Orientation.Horizontal)
        if header is not None:
            out.append(("header", str(header)))
    if isinstance(view, QTreeWidget):
        stack = [view.topLevelItem(i) for i in range(view.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item is None:
                continue
            out.append(("tree", item.text(0)))
            stack.extend(item.child(j) for j in range(item.childCount()))
        return out
    if isinstance(model, FrameModel):
        words = [c for c, name in enumerate(model.columns) if name in WORD_COLUMNS]
        for r in range(min(model.rowCount(), 50)):
            out.extend(("cell", str(model.data(model.index(r, c)))) for c in words)
    elif not data_words_only:
        for r in range(min(model.rowCount(QModelIndex()), 50)):
            for c in range(model.columnCount(QModelIndex())):
                value = model.data(model.index(r, c))
                if value is not None:
                    out.append(("cell", str(value)))
    return out


def visible_texts(window) -> list[tuple[str, str]]:
    """(where, text) of every text of the window a user can read."""
    texts: list[tuple[str, str]] = [("title", window.windowTitle()),
                                    ("status", window.statusBar().currentMessage())]
    for act in window.menuBar().actions():
        if act.menu() is not None:
            texts.extend(_menu_texts(act.menu()))
    engine_widgets = {id(getattr(window.analysis, name)) for name in ENGINE_TEXT}
    for widget in window.findChildren(QWidget):
        if id(widget) in engine_widgets:
            continue
        if isinstance(widget, QDockWidget):
            texts.append(("dock", widget.windowTitle()))
        elif isinstance(widget, QLabel):
            texts.append(("label", widget.text()))
        elif isinstance(widget, QAbstractButton):
            texts.append(("button", widget.text()))
        elif isinstance(widget, QGroupBox):
            texts.append(("group", widget.title()))
        elif isinstance(widget, QComboBox):
            texts.extend(("combo", widget.itemText(i)) for i in range(widget.count()))
        elif isinstance(widget, QLineEdit):
            texts.append(("placeholder", widget.placeholderText()))
        elif isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):
            # tables of the user's data: headers and words of the data model only
            data = isinstance(widget, QTableView) and isinstance(widget.model(), FrameModel)
            texts.extend(_item_view_texts(widget, data_words_only=data))
        if widget.toolTip():
            texts.append(("tooltip", widget.toolTip()))
    return [(where, t) for where, t in texts if t and t.strip()]


def _run_everything(window, qtbot) -> list[tuple[str, str]]:
    """Run every analysis, the incident lookup and every kind of grid edit.

    Returns the texts shown on the way that a later look would not see: the
    result table of each run, the attribute table of each layer.
    """
    panel = window.analysis
    seen: list[tuple[str, str]] = []
    for analysis in panel.pages:
        panel.select(analysis.name)
        for key, value in QUICK.get(analysis.name, {}).items():
            panel.inputs[analysis.name][key].set(value)
        with qtbot.waitSignal(window.analysis_ended, timeout=180000):
            qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
        assert window.prompter.errors == [], analysis.name
        seen.extend(_item_view_texts(panel.table, data_words_only=True))
    grids = window.session.project.layers["grids"]
    pt = shapely.point_on_surface(grids.geometry.iloc[3])
    with qtbot.waitSignal(window.analysis_ended, timeout=120000):
        panel.incident_at(pt.x, pt.y)
    _edit_everything(window)
    for name in window.session.stack.names():
        window.table.show_layer(name)
        seen.extend(_item_view_texts(window.table.view, data_words_only=True))
    return seen


def _edit_everything(window) -> None:
    editing = window.editing
    stack = window.session.stack
    grids = window.session.project.layers["grids"]
    i, j = neighbouring_grids(grids)
    stack.select("grids", [i, j])
    assert editing.merge_selected()
    grids = window.session.project.layers["grids"]
    x0, y0, x1, y1 = grids.geometry.iloc[0].bounds
    cy = (y0 + y1) / 2
    stack.select("grids", [0])
    assert editing.split(shapely.LineString([(x0 - 20, cy), (x1 + 20, cy)]))
    households = window.session.project.layers["households"]
    grids = window.session.project.layers["grids"]
    stack.select("grids", [1])
    inside = households[households.within(grids.geometry.iloc[2])]
    if len(inside):
        editing.reassign_in(inside.geometry.iloc[0].buffer(1.0))
    stack.select("grids", [2])
    assert editing.set_locked(True)
    window.undo()
    window.redo()
    window.prompter.errors.clear()


@pytest.fixture
def zh_window(fresh_window):
    fresh_window.set_language("zh_CN")
    yield fresh_window
    fresh_window.set_language("en")


def _show_everywhere(window) -> None:
    """Put each kind of content on screen once: a word table, the legend, the edit list."""
    window.layer_panel.rebuild()
    window.legend.rebuild()
    window.layer_panel.set_current("grids")
    window.table.show_layer("grids")


def test_the_chinese_interface_shows_no_english(zh_window, qtbot):
    window = zh_window
    seen = _run_everything(window, qtbot)
    _show_everywhere(window)
    window.statusBar().showMessage("")
    with qtbot.waitSignal(window.analysis_ended, timeout=120000):
        window.analysis.run("allocate")
    texts = seen + visible_texts(window)
    engine = engine_texts(window)
    english = {(where, t) for where, t in texts if _english(t, engine)
               and not (where == "header" and t in COLUMNS_ELSEWHERE)}
    assert not english, "\n".join(map(repr, sorted(english)))
    # the texts the old app left in English, one by one
    assert window.statusBar().currentMessage().startswith("已完成：")
    assert "allocate" not in window.statusBar().currentMessage()
    history = [window.edit_panel.history.item(i).text()
               for i in range(window.edit_panel.history.count())]
    assert len(history) >= 4
    assert all(CJK.search(h) for h in history)
    assert window.table.title.text().endswith("行")


def test_the_english_interface_shows_no_chinese_but_data(fresh_window, qtbot):
    window = fresh_window
    _run_everything(window, qtbot)
    _show_everywhere(window)
    data = set()
    project = window.session.project
    for frame in [*project.layers.values(), *project.extra_layers.values()]:
        for column in frame.columns:
            if frame[column].dtype == object:
                data.update(frame[column].dropna().astype(str).unique().tolist())
    names = "|".join(re.escape(d) for d in sorted(data, key=len, reverse=True) if CJK.search(d))
    pattern = re.compile(names) if names else None
    chinese = set()
    for where, text in visible_texts(window):
        if where in ("status",):
            continue
        rest = pattern.sub("", text) if pattern is not None else text
        if CJK.search(rest) and where not in ("combo",) and "简体中文" not in text:
            chinese.add((where, text))
    assert not chinese, "\n".join(map(repr, sorted(chinese)))


@pytest.mark.parametrize("label", ["compare", "export", "allocate", "route"])
def test_status_bar_names_every_run_in_chinese(window, label):
    from ui.main_window import analysis_title

    window.set_language("zh_CN")
    try:
        assert CJK.search(analysis_title(label))
        assert not _english(analysis_title(label))
    finally:
        window.set_language("en")


def test_edits_report_in_chinese_in_the_status_bar(zh_window):
    window = zh_window
    grids = window.session.project.layers["grids"]
    i, j = neighbouring_grids(grids)
    window.session.stack.select("grids", [i, j])
    assert window.editing.merge_selected()
    message = window.statusBar().currentMessage()
    assert CJK.search(message)
    assert not _english(message)


def test_role_drop_down_follows_a_language_switch(window):
    panel = window.analysis
    combo = panel.inputs["place"]["role"].widget
    window.set_language("zh_CN")
    try:
        items = [combo.itemText(i) for i in range(combo.count())]
        assert "专职网格员" in items
        assert not any(_english(t) for t in items)
    finally:
        window.set_language("en")
    assert "Full-time grid workers" in [combo.itemText(i) for i in range(combo.count())]


def test_attribute_words_read_in_chinese(qapp):
    from ui import i18n

    frame = pd.DataFrame({"grid_id": ["a", "b"], "kind": ["urban", "rural"],
                          "locked": [True, False], "role": ["full_time", "police"]})
    model = FrameModel(frame)
    i18n.set_language("zh_CN")
    try:
        cells = [[model.data(model.index(r, c)) for c in range(4)] for r in range(2)]
        assert cells == [["a", "城市", "是", "专职网格员"], ["b", "农村", "否", "网格警长"]]
        assert model.headerData(1, Qt.Orientation.Horizontal) != "kind"
    finally:
        i18n.set_language("en")
    assert model.data(model.index(0, 1)) == "urban"


def test_row_counts_read_in_chinese(window):
    window.set_language("zh_CN")
    try:
        window.table.show_layer("grids")
        assert re.fullmatch(r"[\d,]+ 行", window.table.title.text())
    finally:
        window.set_language("en")
    window.table.show_layer("grids")
    assert window.table.title.text().endswith("rows")


def test_qt_standard_buttons_read_in_chinese(qapp):
    from PySide6.QtWidgets import QDialogButtonBox

    from ui import i18n

    i18n.set_language("zh_CN")
    try:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
        texts = [b.text() for b in box.buttons()]
        assert all(CJK.search(t) for t in texts), texts
    finally:
        i18n.set_language("en")


def test_engine_texts_in_chinese(zh_window, qtbot):
    """The engine's summaries read in Chinese too (they come from the engine catalogue)."""
    window = zh_window
    panel = window.analysis
    leftovers = {}
    for analysis in panel.pages:
        panel.select(analysis.name)
        for key, value in QUICK.get(analysis.name, {}).items():
            panel.inputs[analysis.name][key].set(value)
        with qtbot.waitSignal(window.analysis_ended, timeout=180000):
            qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
        words = _english(panel.summary.text())
        if words:
            leftovers[analysis.name] = sorted(set(words))[:8]
    from ui.workers import wait_all

    window.canvas.wait_idle()
    wait_all(20000)
    assert leftovers == {}


def test_words_are_catalogue_entries():
    from gridplanner.i18n import pgettext

    assert pgettext("attribute", "urban", lang="zh_CN") == "城市"
    assert pgettext("attribute", "True", lang="zh_CN") == "是"
    assert np.all([pgettext("attribute", w, lang="en") == w for w in ("urban", "rural")])
