"""Steps the app tests share: pick neighbouring grids, run an analysis from its panel."""

from __future__ import annotations

import shapely
from PySide6.QtCore import Qt


def neighbouring_grids(grids, *, before_last=False):
    """Two grids of one community sharing more than 50 m of boundary, as row positions.

    ``before_last`` keeps the second one off the last row, so a stale position
    would point at another grid.
    """
    geoms = grids.geometry.to_numpy()
    last = len(geoms) - 1 if before_last else len(geoms)
    for i in range(len(geoms)):
        for j in range(i + 1, last):
            if grids["community_id"].iloc[i] == grids["community_id"].iloc[j] and \
                    shapely.intersection(geoms[i].boundary, geoms[j].boundary).length > 50:
                return i, j
    raise AssertionError("no neighbouring grids in the sample")


def run_analysis(window, qtbot, name, values=None):
    """Run analysis ``name`` from the analysis panel with form ``values``; its last run."""
    panel = window.analysis
    panel.select(name)
    for key, value in (values or {}).items():
        panel.inputs[name][key].set(value)
    with qtbot.waitSignal(window.analysis_ended, timeout=120000):
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    return panel.last
