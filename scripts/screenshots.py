"""Render the app's main states offscreen to PNG (for docs/ and the README).

Usage:  QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [--out docs]

Writes app_sample.png (window on the sample district), app_coverage.png (coverage
result), app_editing.png (a grid edit with the live figures), app_scenarios.png
(scenario comparison) and app_chinese.png (the Chinese interface).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, QTimer

SIZE = (1440, 900)


def wait(signal, timeout_ms: int = 300000) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


def settle(window) -> None:
    for _ in range(50):
        QCoreApplication.processEvents()
        if window.canvas.is_rendering():
            wait(window.canvas.frame_ready, 60000)
        else:
            QCoreApplication.processEvents()
            if not window.canvas.is_rendering():
                return


def shot(window, path: Path) -> None:
    settle(window)
    window.grab().save(str(path))
    print(f"wrote {path}")


class Quiet:
    """Prompter that answers without dialogs (scripted run)."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def error(self, title, message, details=""):
        print(f"error: {title}: {message}", file=sys.stderr)

    def info(self, title, message):
        pass

    def ask_save_changes(self):
        return "discard"

    def ask_recover(self, autosave):
        return False

    def ask_text(self, title, label, text=""):
        return self.texts.pop(0) if self.texts else text

    def confirm(self, title, message):
        return True


def neighbours(grids):
    import shapely

    geoms = grids.geometry.to_numpy()
    best = None
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            if grids["community_id"].iloc[i] != grids["community_id"].iloc[j]:
                continue
            shared = shapely.intersection(geoms[i].boundary, geoms[j].boundary).length
            if shared > 100 and (best is None or shared > best[0]):
                best = (shared, i, j)
    return best[1], best[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="gp-shots-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)

    from gridplanner.sample import sample_project_path
    from ui import i18n
    from ui.app import make_application
    from ui.main_window import MainWindow

    make_application()
    i18n.set_language("en")
    window = MainWindow()
    window.prompter = Quiet()
    window.resize(*SIZE)
    window.show()
    window.open_project(sample_project_path(), ask=False, recover=False)
    wait(window.project_loaded)
    settle(window)
    shot(window, out / "app_sample.png")

    # coverage result: graduated grids, gaps, unseen households
    window.analysis.select("coverage")
    window.analysis.run("coverage")
    wait(window.analysis_finished)
    window.session.stack.set_visible("roads", False)
    window.session.stack.set_visible("cameras", False)
    window.session.stack.set_visible("staff", False)
    window.layer_panel.set_current("grid_coverage")
    shot(window, out / "app_coverage.png")
    window.session.stack.set_visible("roads", True)

    # editing: move a shared vertex, live figures against before the edit
    for name in ("grid_coverage", "coverage_gaps", "uncovered_intersections"):
        window.session.stack.set_visible(name, False)
    window.session.stack.set_visible("households", True)
    grids = window.session.project.layers["grids"]
    i, j = neighbours(grids)
    import shapely

    shared = shapely.intersection(grids.geometry.iloc[i].boundary,
                                  grids.geometry.iloc[j].boundary)
    a, b = shapely.get_coordinates(shared)[:2]
    mid = (a + b) / 2
    window.canvas.zoom_to((mid[0] - 260, mid[1] - 200, mid[0] + 260, mid[1] + 200))
    window.session.stack.select("grids", [i, j])
    window.editing.act_merge.trigger()
    window.undo()
    window.session.stack.select("grids", [i])
    window.set_tool("vertex")
    corner = a
    target = (corner[0] + (mid[0] - corner[0]) * 0.0 + 25.0, corner[1] + 20.0)
    window.editing.move_vertex((float(corner[0]), float(corner[1])), target)
    window.docks["edit"].raise_()
    shot(window, out / "app_editing.png")

    # scenarios: store the edits as a scenario, balance proposal, compare
    window.set_tool("pan")
    window.scenarios.create("redrawn grid")
    window.analysis.select("balancing")
    combo = window.analysis.inputs["balancing"]["community_id"]
    combo.setCurrentIndex(1 if combo.count() > 1 else 0)
    window.analysis.run("balancing")
    wait(window.analysis_finished)
    window.analysis.accept_into_scenario("balanced")
    window.scenarios.refresh()
    window.scenarios.set_ticked(["current", "redrawn grid", "balanced"])
    window.scenarios.compare(coverage=True, allocation=False)
    wait(window.analysis_finished)
    window.session.stack.set_visible("balanced_grids", False)
    window.session.stack.set_visible("uncovered_households", False)
    window.session.stack.set_visible("households", True)
    window.canvas.zoom_full()
    shot(window, out / "app_scenarios.png")

    # the Chinese interface on the sample
    window.set_language("zh_CN")
    window.canvas.set_highlight(None)
    window.session.stack.set_visible("households", True)
    window.session.stack.set_visible("staff", True)
    window.docks["table"].raise_()
    window.docks["analysis"].raise_()
    window.analysis.select("coverage")
    window.docks["layers"].raise_()
    window.layer_panel.set_current("grids")
    shot(window, out / "app_chinese.png")
    window.set_language("en")

    window.session.set_dirty(False)
    window.shutdown()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
