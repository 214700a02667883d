"""The real question boxes: each answer maps to the button the user pressed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from ui.dialogs.messages import Prompter


def _press_when_shown(label: str) -> None:
    """Press the button labelled ``label`` on the message box once it is open."""
    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, press)
            return
        for button in box.buttons():
            if button.text() == label:
                button.click()
                return
        box.reject()

    QTimer.singleShot(0, press)


@pytest.mark.parametrize(("label", "answer"), [("Save", "save"), ("Discard", "discard"),
                                               ("Cancel", "cancel")])
def test_save_changes_answers_follow_the_button(qtbot, label, answer):
    _press_when_shown(label)
    assert Prompter().ask_save_changes() == answer


@pytest.mark.parametrize(("label", "answer"), [("Scenario comparison", "comparison"),
                                               ("Analysis results", "results"),
                                               ("Cancel", "cancel")])
def test_tables_source_answers_follow_the_button(qtbot, label, answer):
    _press_when_shown(label)
    assert Prompter().ask_tables_source() == answer


def test_escape_gives_the_fallback(qtbot):
    def escape() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, escape)
            return
        box.reject()

    QTimer.singleShot(0, escape)
    assert Prompter().ask_changed_on_disk("/tmp/p.gpkg") == "cancel"
