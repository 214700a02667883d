"""Grid editing tools: map gestures turned into the engine's undoable commands.

Every edit goes through :class:`gridplanner.grids.commands.CommandStack` (via
:meth:`ui.session.Session.push`); nothing here changes a GeoDataFrame. A refused
edit (locked grid, would leave a gap ...) comes back as the engine's message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely
from PySide6.QtGui import QAction

from gridplanner.grids.commands import GridCommand
from ui.canvas.tools import BoxTool, LineTool, MapTool, VertexTool, grid_vertices
from ui.i18n import tr

if TYPE_CHECKING:
    from ui.main_window import MainWindow

TOOL_NAMES = ("vertex", "reshape", "split", "reassign_box", "reassign_lasso")


class EditController:
    """Owns the editing actions and builds commands from tool results."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        a = window._action
        self.act_vertex = a("Move shared vertex", lambda: window.set_tool("vertex"),
                            checkable=True, tip="Drag a grid corner; neighbours follow")
        self.act_reshape = a("Reshape boundary", lambda: window.set_tool("reshape"),
                             checkable=True,
                             tip="Draw a new line between two grids; double-click to finish")
        self.act_split = a("Split grid by line", lambda: window.set_tool("split"),
                           checkable=True, tip="Draw a line across the selected grid")
        self.act_merge = a("Merge selected grids", self.merge_selected)
        self.act_reassign_box = a("Reassign households (box)",
                                  lambda: window.set_tool("reassign_box"), checkable=True,
                                  tip="Select the receiving grid, then drag a box over "
                                      "households")
        self.act_reassign_lasso = a("Reassign households (lasso)",
                                    lambda: window.set_tool("reassign_lasso"), checkable=True)
        self.act_lock = a("Lock selected grids", lambda: self.set_locked(True))
        self.act_unlock = a("Unlock selected grids", lambda: self.set_locked(False))
        for act in (self.act_vertex, self.act_reshape, self.act_split, self.act_reassign_box,
                    self.act_reassign_lasso):
            window.tools_group.addAction(act)
        self._vertex_tool: VertexTool | None = None
        window.session.stack.changed.connect(self._layer_changed)

    def actions(self) -> list[QAction]:
        """Actions for the Edit menu and toolbar."""
        return [self.act_vertex, self.act_reshape, self.act_split, self.act_merge,
                self.act_reassign_box, self.act_reassign_lasso, self.act_lock, self.act_unlock]

    # ------------------------------------------------------------------ data
    def grids(self) -> gpd.GeoDataFrame:
        """Return the current grid layer."""
        return self.window.session.project.layer("grids")

    def selected_grid_ids(self) -> list[str]:
        """Ids of the grids selected on the map or in the table."""
        layer = self.window.session.stack.get("grids")
        if layer is None or not len(layer.selection):
            return []
        return [str(v) for v in layer.frame["grid_id"].iloc[layer.selection]]

    def _unlocked_vertices(self) -> np.ndarray:
        grids = self.grids()
        if not len(grids):
            return np.zeros((0, 2))
        locked = grids["locked"].fillna(False).astype(bool).to_numpy() \
            if "locked" in grids.columns else np.zeros(len(grids), dtype=bool)
        return grid_vertices(grids.geometry.to_numpy()[~locked])

    def snap(self, x: float, y: float, tol: float) -> tuple[float, float]:
        """Snap to a grid vertex, else to a grid boundary, within ``tol``."""
        grids = self.grids()
        if not len(grids):
            return x, y
        p = shapely.Point(x, y)
        rows = grids.sindex.query(p.buffer(tol), predicate="intersects")
        if len(rows) == 0:
            return x, y
        geoms = grids.geometry.to_numpy()[rows]
        verts = grid_vertices(geoms)
        if len(verts):
            d = np.hypot(verts[:, 0] - x, verts[:, 1] - y)
            i = int(np.argmin(d))
            if d[i] <= tol:
                return float(verts[i, 0]), float(verts[i, 1])
        boundary = shapely.union_all(shapely.boundary(geoms))
        nearest = shapely.shortest_line(p, boundary)
        if nearest is not None and nearest.length <= tol:
            q = shapely.get_coordinates(nearest)[-1]
            return float(q[0]), float(q[1])
        return x, y

    # ----------------------------------------------------------------- tools
    def tool(self, name: str) -> MapTool:
        """Return the map tool for an editing action."""
        if name == "vertex":
            self._vertex_tool = VertexTool(self._unlocked_vertices, self.move_vertex)
            self.act_vertex.setChecked(True)
            return self._vertex_tool
        if name == "reshape":
            self.act_reshape.setChecked(True)
            return LineTool(self.reshape, name="reshape", snap=self.snap)
        if name == "split":
            self.act_split.setChecked(True)
            return LineTool(self.split, name="split", snap=self.snap)
        if name in ("reassign_box", "reassign_lasso"):
            lasso = name == "reassign_lasso"
            (self.act_reassign_lasso if lasso else self.act_reassign_box).setChecked(True)
            return BoxTool(lambda g, _m: self.reassign_in(g), lasso=lasso, name=name)
        raise KeyError(name)

    def _layer_changed(self, name: str, what: str) -> None:
        if name == "grids" and what == "data" and self._vertex_tool is not None:
            self._vertex_tool.invalidate()

    # -------------------------------------------------------------- commands
    def push(self, command: GridCommand) -> bool:
        """Push ``command``; a refusal is shown as the engine's message."""
        from layers.errors import GridPlannerError

        try:
            self.window.session.push(command)
        except GridPlannerError as exc:
            self.window.prompter.error(tr("The edit was not applied"), exc.message)
            return False
        from ui.panels.edit_panel import command_text

        self.window.statusBar().showMessage(command_text(command), 5000)
        return True

    def move_vertex(self, start: tuple[float, float], end: tuple[float, float]) -> bool:
        """Move a shared vertex (both neighbours follow)."""
        from gridplanner.grids.commands import MoveSharedVertex

        return self.push(MoveSharedVertex(start, end, tolerance_m=0.5))

    def reshape(self, line: shapely.LineString) -> bool:
        """Redraw the boundary between the two grids the line runs between."""
        from gridplanner.grids.commands import ReshapeBoundary

        pair = self.selected_grid_ids()
        if len(pair) != 2:
            pair = self._grids_along(line)
        if len(pair) != 2:
            self.window.prompter.error(
                tr("Reshape boundary"),
                tr("Draw the new line between exactly two neighbouring grids (or select the "
                   "two grids first)."))
            return False
        return self.push(ReshapeBoundary(pair[0], pair[1], line))

    def _grids_along(self, line: shapely.LineString) -> list[str]:
        grids = self.grids()
        rows = grids.sindex.query(line, predicate="intersects")
        if len(rows) < 2:
            return []
        inside = shapely.length(shapely.intersection(grids.geometry.to_numpy()[rows], line))
        top = rows[np.argsort(-inside)[:2]]
        return [str(v) for v in grids["grid_id"].iloc[top]]

    def split(self, line: shapely.LineString) -> bool:
        """Split the selected grid (or the one the line crosses most) along the line."""
        from gridplanner.grids.commands import SplitGrid

        ids = self.selected_grid_ids()
        if len(ids) != 1:
            grids = self.grids()
            rows = grids.sindex.query(line, predicate="intersects")
            if len(rows) == 0:
                return False
            inside = shapely.length(shapely.intersection(grids.geometry.to_numpy()[rows], line))
            ids = [str(grids["grid_id"].iloc[rows[int(np.argmax(inside))]])]
        return self.push(SplitGrid(ids[0], line))

    def merge_selected(self) -> bool:
        """Merge the selected grids into the first of them."""
        from gridplanner.grids.commands import MergeGrids

        ids = self.selected_grid_ids()
        if len(ids) < 2:
            self.window.prompter.error(tr("Merge grids"),
                                       tr("Select two or more neighbouring grids first "
                                          "(Shift adds to the selection)."))
            return False
        return self.push(MergeGrids(ids))

    def reassign_in(self, geom: shapely.Geometry) -> bool:
        """Give the households inside ``geom`` to the selected grid."""
        from gridplanner.grids.commands import ReassignHouseholds

        target = self.selected_grid_ids()
        if len(target) != 1:
            self.window.prompter.error(tr("Reassign households"),
                                       tr("Select the one grid that should receive the "
                                          "households first."))
            return False
        households = self.window.session.project.layer("households")
        rows = households.sindex.query(geom, predicate="intersects")
        if len(rows) == 0:
            return False
        ids = households["household_id"].astype(str).iloc[rows].tolist()
        return self.push(ReassignHouseholds(ids, target[0]))

    def set_locked(self, locked: bool) -> bool:
        """Lock or unlock the selected grids."""
        from gridplanner.grids.commands import SetLocked

        ids = self.selected_grid_ids()
        if not ids:
            self.window.prompter.error(tr("Lock grids"), tr("Select grids first."))
            return False
        return self.push(SetLocked(ids, locked))
