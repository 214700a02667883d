"""What ``gridplanner`` with no command does: the app if there is a screen, else the demo."""

from __future__ import annotations

import os
import sys
from importlib.metadata import entry_points
from pathlib import Path


def has_screen() -> bool:
    """Return True when a Qt window can be shown (a display, or a non-Linux desktop)."""
    if os.environ.get("QT_QPA_PLATFORM", "") in ("offscreen", "minimal"):
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def launch_default(*, debug: bool = False) -> int:
    """Open the app on the sample, or run the headless demo when there is no screen."""
    from gridplanner.cli import main

    if not has_screen():
        print("No screen available: running the headless demo instead "
              "(gridplanner demo). Start a desktop session to see the app.", file=sys.stderr)
        return main([*(["--debug"] if debug else []), "demo"])
    # The app registers itself under this entry-point group, so the engine never
    # imports the Qt package and runs where Qt is not installed.
    apps = entry_points(group="gridplanner.app")
    try:
        run_app = next(iter(apps)).load()
    except (StopIteration, ImportError) as exc:
        reason = str(exc) or "no desktop app is installed"
        print(f"The desktop app cannot start ({reason}); install the app extra "
              "(pip install -e '.[app]'). Running the headless demo instead.", file=sys.stderr)
        return main(["demo"])
    from gridplanner.sample import sample_project_path

    return int(run_app(project_path=Path(sample_project_path())))
