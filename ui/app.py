"""Start the desktop app: ``run_app(project_path=...)`` is what ``gridplanner`` calls."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

ORGANISATION = "GridPlanner"
APPLICATION = "GridPlanner"
#: Fonts tried first so Chinese text renders the same everywhere (Linux often has no
#: default CJK fallback configured for Qt).
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
             "WenQuanYi Micro Hei")


def make_application(argv: list[str] | None = None) -> QApplication:
    """Create (once) the QApplication with names, font and translator set up."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    setup_font(app)
    preload_engine()
    from ui import i18n

    i18n.set_language(str(QSettings().value("language", "")) or None)
    return app


def preload_engine() -> None:
    """Import the engine's modules now, at start-up.

    A first import on a worker thread holds the GIL for up to a few hundred
    milliseconds (scipy builds classes in C), which would stall the GUI thread in
    the middle of the first analysis.
    """
    import scipy.sparse.csgraph
    import scipy.spatial

    import gridplanner.allocation
    import gridplanner.analyses
    import gridplanner.coverage
    import gridplanner.export.tables
    import gridplanner.export.webmap
    import gridplanner.grids.balance
    import gridplanner.grids.checks
    import gridplanner.grids.commands
    import gridplanner.network
    import gridplanner.scenarios

    del scipy, gridplanner  # imported for their side effect: loaded modules


def setup_font(app: QApplication) -> None:
    """Prefer a CJK-capable UI font when one is installed."""
    families = set(QFontDatabase.families())
    for family in CJK_FONTS:
        if family in families:
            font = QFont(app.font())
            font.setFamilies([family, *font.families()])
            app.setFont(font)
            return


def run_app(project_path: Path | None = None) -> int:
    """Open the main window (on ``project_path`` when given) and run the event loop.

    Returns
    -------
    int
        The exit code of the event loop.
    """
    app = make_application()
    from ui.main_window import MainWindow

    window = MainWindow()
    window.show_initial()
    window.start(Path(project_path) if project_path is not None else None)
    code = int(app.exec())
    window.shutdown()
    return code


def main() -> int:
    """``python -m ui.app [project.gpkg]``."""
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    return run_app(path)


if __name__ == "__main__":
    sys.exit(main())
