"""File → Export → PDF atlas: written off the GUI thread, with progress, and cancellable."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.skipif(shutil.which("pdfinfo") is None,
                                reason="needs poppler-utils (scripts/install-system-deps.sh)")

COMMUNITY = "330702001001"


def _pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def _dialog(window, target):
    from ui.dialogs.export_dialog import ExportDialog

    dialog = ExportDialog(window, "atlas")
    dialog.path.setText(str(target))
    dialog.community.setText(COMMUNITY)
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    return dialog


def test_the_file_menu_offers_the_atlas(window):
    export_menu = next(a.menu() for a in window.menuBar().actions()[0].menu().actions()
                       if a.menu() is not None and window.act_export_html in a.menu().actions())
    assert window.act_export_atlas in export_menu.actions()


def test_atlas_of_a_community_with_progress(window, qtbot, tmp_path):
    target = tmp_path / "atlas.pdf"
    dialog = _dialog(window, target)
    seen: list[int] = []
    window.runner.progress.connect(lambda f, _m: seen.append(dialog.progress.value()))
    with qtbot.waitSignal(window.analysis_ended, timeout=300000):
        dialog.start()
        assert not dialog.running.isHidden()  # the bar and its Cancel button
        assert not dialog.buttons.buttons()[0].isEnabled()
    assert window.prompter.errors == []
    assert dialog.written == [target]
    grids = window.session.project.layer("grids")
    n = int((grids["community_id"].astype(str) == COMMUNITY).sum())
    assert _pages(target) == n + 2
    assert seen  # the dialog's bar followed the run
    assert dialog.running.isHidden()
    dialog.close()


def test_cancel_stops_the_atlas_and_writes_nothing(window, qtbot, tmp_path):
    target = tmp_path / "cancelled.pdf"
    dialog = _dialog(window, target)
    with qtbot.waitSignal(window.analysis_cancelled, timeout=300000):
        dialog.start()
        dialog.stop.click()
    qtbot.waitUntil(lambda: not window.runner.is_busy(), timeout=300000)
    assert not target.exists()
    from ui.i18n import tr

    assert dialog.status.text() == tr("Cancelled")
    assert dialog.buttons.buttons()[0].isEnabled()
    dialog.close()
