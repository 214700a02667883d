"""Questions and error messages, behind one object tests can replace.

Errors from the engine carry a message written for the user; that is what the
dialog shows. Unexpected errors show a one-line summary, with the technical
details folded away under "Show Details…" and never as the main text.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from ui.i18n import tr


class Prompter:
    """Modal questions the main window asks; tests swap in a scripted one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def error(self, title: str, message: str, details: str = "") -> None:
        """Show a readable error (details folded away)."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, _first_lines(message),
                          parent=self.parent)
        if details or message.count("\n") > 12:
            box.setDetailedText(details or message)
        box.exec()

    def info(self, title: str, message: str) -> None:
        """Show a message."""
        QMessageBox.information(self.parent, title, message)

    def ask_save_changes(self) -> str:
        """``save``, ``discard`` or ``cancel`` before closing work with unsaved changes."""
        box = QMessageBox(QMessageBox.Icon.Question, tr("Unsaved changes"),
                          tr("The project has unsaved changes. Save them first?"),
                          parent=self.parent)
        save = box.addButton(tr("Save"), QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(tr("Discard"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        clicked = box.clickedButton()
        if clicked is save:
            return "save"
        if clicked is discard:
            return "discard"
        return "cancel"

    def ask_recover(self, autosave: str) -> bool:
        """Offer to open the autosave left by a session that did not close cleanly."""
        answer = QMessageBox.question(
            self.parent, tr("Recover unsaved work"),
            tr("GridPlanner did not close normally last time. Open the autosaved work "
               "from {path}?").format(path=autosave))
        return answer == QMessageBox.StandardButton.Yes

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        """Ask for a line of text (None when cancelled)."""
        from PySide6.QtWidgets import QInputDialog

        value, ok = QInputDialog.getText(self.parent, title, label, text=text)
        return value.strip() if ok and value.strip() else None

    def confirm(self, title: str, message: str) -> bool:
        """Yes/no."""
        return QMessageBox.question(self.parent, title, message) == \
            QMessageBox.StandardButton.Yes


def _first_lines(message: str, limit: int = 12) -> str:
    lines = message.splitlines()
    if len(lines) <= limit:
        return message
    return "\n".join([*lines[:limit], tr("… ({n} more lines under Show Details)")
                      .format(n=len(lines) - limit)])
