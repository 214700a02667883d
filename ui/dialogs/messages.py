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

    def ask_recover(self, autosave: str) -> str:
        """Offer autosaved work left by a session that did not close.

        Returns ``recover``, ``discard`` (delete it) or ``keep`` (decide later: it
        is kept, never deleted without asking).
        """
        box = QMessageBox(QMessageBox.Icon.Question, tr("Recover unsaved work"),
                          tr("GridPlanner did not close normally last time. Open the "
                             "autosaved work from {path}?").format(path=autosave),
                          parent=self.parent)
        recover = box.addButton(tr("Recover"), QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(tr("Delete it"), QMessageBox.ButtonRole.DestructiveRole)
        later = box.addButton(tr("Keep it for later"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(recover)
        box.setEscapeButton(later)
        box.exec()
        clicked = box.clickedButton()
        if clicked is recover:
            return "recover"
        if clicked is discard and self.confirm(
                tr("Recover unsaved work"),
                tr("Delete the autosaved work for good? It cannot be recovered after.")):
            return "discard"
        return "keep"

    def ask_locked(self, path: str, message: str) -> str:
        """Ask what to do with a project another writer holds: ``read_only`` or ``cancel``."""
        box = QMessageBox(QMessageBox.Icon.Warning, tr("The project is in use"), message,
                          parent=self.parent)
        read_only = box.addButton(tr("Open read-only"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return "read_only" if box.clickedButton() is read_only else "cancel"

    def ask_changed_on_disk(self, path: str) -> str:
        """Ask before saving over a file changed since: ``overwrite``, ``save_as``, ``cancel``."""
        box = QMessageBox(QMessageBox.Icon.Warning, tr("The file changed on disk"),
                          tr("{path} was changed by another program since you opened it. "
                             "Saving over it throws those changes away.").format(path=path),
                          parent=self.parent)
        save_as = box.addButton(tr("Save as…"), QMessageBox.ButtonRole.AcceptRole)
        overwrite = box.addButton(tr("Overwrite"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save_as)
        box.exec()
        clicked = box.clickedButton()
        if clicked is save_as:
            return "save_as"
        if clicked is overwrite:
            return "overwrite"
        return "cancel"

    def ask_tables_source(self) -> str:
        """Ask what a table export writes: ``results``, ``comparison`` or ``cancel``."""
        box = QMessageBox(QMessageBox.Icon.Question, tr("Export reports (XLSX/CSV)"),
                          tr("A scenario comparison is open. Write the comparison report, "
                             "or the tables of the analysis results?"), parent=self.parent)
        comparison = box.addButton(tr("Scenario comparison"),
                                   QMessageBox.ButtonRole.AcceptRole)
        results = box.addButton(tr("Analysis results"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(comparison)
        box.exec()
        clicked = box.clickedButton()
        if clicked is comparison:
            return "comparison"
        if clicked is results:
            return "results"
        return "cancel"

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
