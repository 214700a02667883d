"""Render the app's main states offscreen to PNG (for docs/ and the README).

Usage:  QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [--out docs]
        [--lang zh_CN|en]

Writes, in the chosen interface language (Chinese by default), app_sample.png (the
window on the sample district, with the legend), app_coverage.png (coverage result
grouped in the layer panel, legend in percent), app_allocation.png (households by
walking distance; why households stay unassigned within grids), app_editing.png (a
grid edit with the live figures and the history), app_scenarios.png (scenario
comparison) and app_chinese.png (the incident lookup naming the grid's staff).
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
    window.legend.rebuild()  # the legend gathers changes for 100 ms before redrawing
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
    parser.add_argument("--lang", default="zh_CN")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="gp-shots-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)

    import shapely

    import ui.main_window as main_window
    from gridplanner.sample import sample_project_path
    from ui import i18n
    from ui.app import make_application
    from ui.main_window import MainWindow

    # the sample opens as the user's copy: keep that copy in the temporary folder
    main_window.sample_copy_folder = lambda: Path(tmp)  # type: ignore[assignment]
    make_application()
    i18n.set_language(args.lang)
    window = MainWindow()
    window.prompter = Quiet()
    window.resize(*SIZE)
    window.show()
    window.open_project(sample_project_path(), ask=False, recover=False)
    wait(window.project_loaded)
    window.statusBar().clearMessage()
    settle(window)
    stack = window.session.stack
    shot(window, out / "app_sample.png")

    # coverage result: grids coloured by coverage, gaps, unseen households; legend in %
    window.analysis.open_options("coverage")
    window.analysis.run("coverage")
    wait(window.analysis_ended)
    for name in ("roads", "cameras", "staff"):
        stack.set_visible(name, False)
    window.layer_panel.set_current("grid_coverage")
    shot(window, out / "app_coverage.png")
    for name in ("roads", "staff"):
        stack.set_visible(name, True)
    for name in ("grid_coverage", "coverage_gaps", "uncovered_households",
                 "uncovered_intersections"):
        stack.set_visible(name, False)

    # allocation within grids: distances in m, the reasons households stay unassigned
    window.analysis.open_options("allocate")
    window.analysis.inputs["allocate"]["within_grid"].set(True)
    window.analysis.run("allocate")
    wait(window.analysis_ended)
    window.layer_panel.set_current("assignments")
    shot(window, out / "app_allocation.png")
    for name in ("assignments", "unassigned"):
        stack.set_visible(name, False)

    # editing: move a shared vertex, live figures against before the edit
    stack.set_visible("households", True)
    grids = window.session.project.layers["grids"]
    i, j = neighbours(grids)
    shared = shapely.intersection(grids.geometry.iloc[i].boundary,
                                  grids.geometry.iloc[j].boundary)
    a, b = shapely.get_coordinates(shared)[:2]
    mid = (a + b) / 2
    window.canvas.zoom_to((mid[0] - 260, mid[1] - 200, mid[0] + 260, mid[1] + 200))
    stack.select("grids", [i])
    window.set_tool("vertex")
    window.editing.move_vertex((float(a[0]), float(a[1])),
                               (float(a[0]) + 25.0, float(a[1]) + 20.0))
    window.docks["edit"].raise_()
    shot(window, out / "app_editing.png")

    # scenarios: store the edit as a scenario and compare it with the current grids
    window.set_tool("pan")
    window.scenarios.create_from_edits(i18n.tr("proposal"))
    window.scenarios.refresh()
    window.scenarios.set_ticked(window.scenarios.names()[:2])
    window.scenarios.compare(coverage=False, allocation=False)
    wait(window.analysis_ended)
    window.docks["scenarios"].raise_()
    window.docks["comparison"].raise_()
    window.canvas.zoom_full()
    shot(window, out / "app_scenarios.png")
    window.scenarios.clear_comparison()

    # the incident lookup: grid by name, its staff and the nearest, marked on the map
    window.docks["table"].raise_()
    stack.set_visible("households", False)
    grids = window.session.project.layers["grids"]
    pt = shapely.point_on_surface(grids.geometry.iloc[5])
    window.analysis.incident_at(pt.x, pt.y)
    wait(window.analysis_ended)
    window.canvas.zoom_to((pt.x - 400, pt.y - 300, pt.x + 400, pt.y + 300))
    window.docks["identify"].raise_()
    window.layer_panel.set_current("grids")
    shot(window, out / "app_chinese.png")

    window.session.set_dirty(False)
    window.shutdown()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
