"""The real question boxes: each answer maps to the button the user pressed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from ui.dialogs.messages import Prompter


def _press_when_shown(label: str) -> list[str]:
    """Press the button labelled ``label`` once the box is open; return the labels seen.

    A box without that button is closed with Escape, so the test can tell.
    """
    seen: list[str] = []

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, press)
            return
        seen.extend(b.text() for b in box.buttons())
        for button in box.buttons():
            if button.text() == label:
                button.click()
                return
        box.reject()

    QTimer.singleShot(0, press)
    return seen


@pytest.mark.parametrize(("label", "answer"), [("Save", "save"), ("Discard", "discard"),
                                               ("Cancel", "cancel")])
def test_save_changes_answers_follow_the_button(qtbot, label, answer):
    seen = _press_when_shown(label)
    assert Prompter().ask_save_changes() == answer
    assert label in seen


@pytest.mark.parametrize(("label", "answer"), [("Scenario comparison", "comparison"),
                                               ("Analysis results", "results"),
                                               ("Cancel", "cancel")])
def test_tables_source_answers_follow_the_button(qtbot, label, answer):
    seen = _press_when_shown(label)
    assert Prompter().ask_tables_source() == answer
    assert label in seen


def test_escape_gives_the_fallback(qtbot):
    def escape() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, escape)
            return
        box.reject()

    QTimer.singleShot(0, escape)
    assert Prompter().ask_changed_on_disk("/tmp/p.gpkg") == "cancel"


#: Text from data (a scenario or file name, a cell value) that Qt would read as markup.
_MARKUP = "<b>bold</b> <img src='x.png'> &amp; <a href='http://x'>link</a>"


@pytest.mark.parametrize("show", ["error", "info", "confirm", "locked", "changed", "recover"])
def test_boxes_show_text_from_data_literally(qtbot, show):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    shown: list[tuple[Qt.TextFormat, list[str]]] = []

    def look() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, look)
            return
        labels = [label for label in box.findChildren(QLabel) if _MARKUP in label.text()]
        shown.append((box.textFormat(), [label.text() for label in labels]))
        if labels:
            # What a reader sees: plain text keeps every character of the name.
            shown.append((labels[0].textFormat(), [labels[0].text()]))
        box.reject()

    QTimer.singleShot(0, look)
    prompter = Prompter()
    {"error": lambda: prompter.error("t", f"scenario {_MARKUP}: cannot be read"),
     "info": lambda: prompter.info("t", _MARKUP),
     "confirm": lambda: prompter.confirm("t", f"Delete {_MARKUP}?"),
     "locked": lambda: prompter.ask_locked("/p.gpkg", f"held by {_MARKUP}"),
     "changed": lambda: prompter.ask_changed_on_disk(f"/tmp/{_MARKUP}.gpkg"),
     "recover": lambda: prompter.ask_recover(f"/tmp/{_MARKUP}.gpkg")}[show]()
    assert shown, "no box was shown"
    assert shown[0][0] == Qt.TextFormat.PlainText
    assert shown[0][1], "the text was not shown as given"
    assert all(fmt == Qt.TextFormat.PlainText for fmt, _texts in shown)




def test_labels_showing_a_scenario_name_show_it_literally(fresh_window):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    from gridplanner.grids.commands import RenameGrid

    window = fresh_window
    name = "<b>bold</b> <img src='x.png'>"
    gid = str(window.session.project.layers["grids"]["grid_id"].iloc[0])
    window.editing.push(RenameGrid(gid, name="renamed"))
    assert window.scenarios.create_from_edits(name) == name
    window.scenarios.view(name)
    showing = [label for label in window.findChildren(QLabel) if name in label.text()]
    assert showing, "the scenario name is shown in no label"
    assert [label.textFormat() for label in showing] == [Qt.TextFormat.PlainText] * len(showing)
