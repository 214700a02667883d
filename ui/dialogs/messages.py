"""Questions and error messages, behind one object tests can replace.

Errors from the engine carry a message written for the user; that is what the
dialog shows. Every box shows its text as plain text: messages carry names and
values from the data (a scenario named ``<b>x</b>``), which Qt would otherwise
read as markup. Unexpected errors show a one-line summary, with the technical
details folded away under "Show Details…" and never as the main text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from ui.i18n import tr


def plain_label(*, word_wrap: bool = False) -> QLabel:
    """Return a label for text that may come from the data, shown as plain text."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(word_wrap)
    return label


class Prompter:
    """Modal questions the main window asks; tests swap in a scripted one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def error(self, title: str, message: str, details: str = "") -> None:
        """Show a readable error (details folded away)."""
        box = self._box(QMessageBox.Icon.Warning, title, _first_lines(message))
        if details or message.count("\n") > 12:
            box.setDetailedText(details or message)
        box.exec()

    def info(self, title: str, message: str) -> None:
        """Show a message."""
        box = self._box(QMessageBox.Icon.Information, title, message)
        box.addButton(QMessageBox.StandardButton.Ok)
        box.exec()

    def choose(self, icon: QMessageBox.Icon, title: str, text: str,
               buttons: list[tuple[str, str, QMessageBox.ButtonRole]], *,
               default: str | None = None, fallback: str = "cancel") -> str:
        """Ask one question; return the key of the button pressed, else ``fallback``.

        ``buttons`` are ``(key, label, role)``; a button keyed ``fallback`` (a Cancel)
        is also the escape button.
        """
        box = self._box(icon, title, text)
        keyed = {}
        for key, label, role in buttons:
            keyed[key] = box.addButton(label, role)
        if default in keyed:
            box.setDefaultButton(keyed[default])
        if fallback in keyed:
            box.setEscapeButton(keyed[fallback])
        box.exec()
        clicked = box.clickedButton()
        return next((k for k, b in keyed.items() if b is clicked), fallback)

    def ask_save_changes(self) -> str:
        """``save``, ``discard`` or ``cancel`` before closing work with unsaved changes."""
        role = QMessageBox.ButtonRole
        return self.choose(QMessageBox.Icon.Question, tr("Unsaved changes"),
                           tr("The project has unsaved changes. Save them first?"),
                           [("save", tr("Save"), role.AcceptRole),
                            ("discard", tr("Discard"), role.DestructiveRole),
                            ("cancel", tr("Cancel"), role.RejectRole)])

    def ask_recover(self, autosave: str) -> str:
        """Offer autosaved work left by a session that did not close.

        Returns ``recover``, ``discard`` (delete it) or ``keep`` (decide later: it
        is kept, never deleted without asking).
        """
        box = self._box(QMessageBox.Icon.Question, tr("Recover unsaved work"),
                        tr("GridPlanner did not close normally last time. Open the "
                           "autosaved work from {path}?").format(path=autosave))
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
        role = QMessageBox.ButtonRole
        return self.choose(QMessageBox.Icon.Warning, tr("The project is in use"), message,
                           [("read_only", tr("Open read-only"), role.AcceptRole),
                            ("cancel", tr("Cancel"), role.RejectRole)])

    def ask_changed_on_disk(self, path: str) -> str:
        """Ask before saving over a file changed since: ``overwrite``, ``save_as``, ``cancel``."""
        role = QMessageBox.ButtonRole
        return self.choose(QMessageBox.Icon.Warning, tr("The file changed on disk"),
                           tr("{path} was changed by another program since you opened it. "
                              "Saving over it throws those changes away.").format(path=path),
                           [("save_as", tr("Save as…"), role.AcceptRole),
                            ("overwrite", tr("Overwrite"), role.DestructiveRole),
                            ("cancel", tr("Cancel"), role.RejectRole)], default="save_as")

    def ask_tables_source(self) -> str:
        """Ask what a table export writes: ``results``, ``comparison`` or ``cancel``."""
        role = QMessageBox.ButtonRole
        return self.choose(QMessageBox.Icon.Question, tr("Export reports (XLSX/CSV)"),
                           tr("A scenario comparison is open. Write the comparison report, "
                              "or the tables of the analysis results?"),
                           [("comparison", tr("Scenario comparison"), role.AcceptRole),
                            ("results", tr("Analysis results"), role.AcceptRole),
                            ("cancel", tr("Cancel"), role.RejectRole)],
                           default="comparison")

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        """Ask for a line of text (None when cancelled)."""
        from PySide6.QtWidgets import QInputDialog

        value, ok = QInputDialog.getText(self.parent, title, label, text=text)
        return value.strip() if ok and value.strip() else None

    def confirm(self, title: str, message: str) -> bool:
        """Yes/no."""
        box = self._box(QMessageBox.Icon.Question, title, message)
        yes = box.addButton(QMessageBox.StandardButton.Yes)
        no = box.addButton(QMessageBox.StandardButton.No)
        box.setDefaultButton(yes)
        box.setEscapeButton(no)
        box.exec()
        return box.clickedButton() is yes

    def _box(self, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
        """Return a message box showing ``text`` as plain text (never as markup)."""
        box = QMessageBox(icon, title, "", parent=self.parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(text)
        return box


def _first_lines(message: str, limit: int = 12) -> str:
    lines = message.splitlines()
    if len(lines) <= limit:
        return message
    return "\n".join([*lines[:limit], tr("… ({n} more lines under Show Details)")
                      .format(n=len(lines) - limit)])
