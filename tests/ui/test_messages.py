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
