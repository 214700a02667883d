"""The open project as the app sees it: project, layer stack, command stack, dirty flag.

The engine's :class:`~gridplanner.project.Project` owns the data. Its events
(``layer_changed`` ...) are turned into a Qt signal here; a signal emitted from a
worker thread is queued to the GUI thread, so the layer stack and widgets are
only ever touched on the GUI thread whoever changed the project.

The session also holds what makes it the one writer of its file: the project's
lock (:mod:`gridplanner.locking`) while the project is open for changes, or, when
it is open read-only or has no file yet, the untitled autosave slot its work is
autosaved into.
"""

from __future__ import annotations

import copy
from typing import Any

import geopandas as gpd
from PySide6.QtCore import QObject, Signal

from gridplanner.grids.commands import CommandStack, GridCommand
from gridplanner.locking import ProjectLock
from gridplanner.project import AutosaveSlot, Project
from layers.schema import SCHEMAS
from ui.canvas.layer_model import LayerStack


class Session(QObject):
    """One open project.

    Signals
    -------
    project_replaced()
        A different project was opened or created.
    dirty_changed(bool)
        Unsaved changes appeared or were saved.
    history_changed()
        The undo stack changed.
    """

    project_replaced = Signal()
    dirty_changed = Signal(bool)
    history_changed = Signal()
    command_event = Signal(str, object)
    _event = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stack = LayerStack(self)
        self.project = Project()
        self.commands = CommandStack(self.project)
        self.dirty = False
        self.results: dict[str, Any] = {}
        #: Names of the analysis result layers on the map: redrawn by every run, they
        #: are not edits (no unsaved mark) and are saved only when ``keep_results``.
        self.result_layers: set[str] = set()
        #: Result layer name -> the analysis that drew it (its group on the map).
        self.result_groups: dict[str, str] = {}
        #: Save result layers with the project (a setting of the app; off by default
        #: so a district project does not grow with every run).
        self.keep_results = False
        #: Counts the changes the user made (edits, imports): a save that started
        #: before the last change leaves the project marked unsaved.
        self.revision = 0
        self.lock: ProjectLock | None = None
        self.slot: AutosaveSlot | None = None
        self.read_only = False
        self._event.connect(self._on_event)

    # ---------------------------------------------------------------- project
    def set_project(self, project: Project, *, dirty: bool = False,
                    lock: ProjectLock | None = None, read_only: bool = False,
                    slot: AutosaveSlot | None = None) -> None:
        """Show ``project`` (replacing the one open).

        ``lock`` is the project file's lock this session now holds; ``read_only``
        says the file is another writer's; ``slot`` is where untitled work is
        autosaved. Locks of the project replaced are given up.
        """
        self.adopt_file(lock, slot=slot, read_only=read_only)
        self.project.unsubscribe(self._listener)
        self.commands.close()
        self.project = project
        self.results = {}
        self.result_layers = set()
        self.result_groups = {}
        project.subscribe(self._listener)
        self.commands = CommandStack(project)
        self.commands.subscribe(self._commands_changed)
        self.stack.clear()
        for name in [*project.layers, *project.extra_layers]:
            self._sync_layer(name)
        self.set_dirty(dirty)
        self.project_replaced.emit()
        self.history_changed.emit()

    def _listener(self, event: str, name: str = "") -> None:
        self._event.emit(event, name)  # queued when called from a worker thread

    def _commands_changed(self, event: str = "", command: GridCommand | None = None) -> None:
        self.revision += 1
        self.set_dirty(True)
        self.command_event.emit(event, command)
        self.history_changed.emit()

    def _on_event(self, event: str, name: str) -> None:
        if event == "layer_changed":
            self._sync_layer(name)
        elif event == "layer_removed":
            self.stack.remove(name)
        if name in self.result_layers:
            if event == "layer_removed":
                self.result_layers.discard(name)
                self.result_groups.pop(name, None)
            if not self.keep_results:
                return  # an analysis drew it again: nothing the user would lose
        self.revision += 1
        self.set_dirty(True)

    def _sync_layer(self, name: str) -> None:
        frame = self.project.layers.get(name)
        if frame is None:
            frame = self.project.extra_layers.get(name)
        if frame is None:
            self.stack.remove(name)
            return
        if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
            return  # a table without geometry: shown in the analysis panel, not on the map
        if name not in SCHEMAS and name.startswith("scenario__"):
            return  # stored scenario variants stay in the file, off the map
        self.stack.set_frame(name, frame, group=self.result_groups.get(name, ""))

    def adopt_file(self, lock: ProjectLock | None, *, slot: AutosaveSlot | None = None,
                   read_only: bool = False) -> None:
        """Hold ``lock`` (and ``slot``) from now on, giving up the ones held before."""
        if self.lock is not None and self.lock is not lock:
            self.lock.release()
        if self.slot is not None and self.slot is not slot:
            self.slot.release()
        self.lock = lock
        self.slot = slot
        self.read_only = read_only

    def owns_file(self) -> bool:
        """Return True when this session may write its project's file (holds its lock)."""
        return (self.project.path is not None and self.lock is not None and self.lock.held
                and not self.read_only)

    def release(self) -> None:
        """Give up the project lock and the autosave slot (closing the window)."""
        self.adopt_file(None)

    def set_dirty(self, dirty: bool) -> None:
        """Mark unsaved changes."""
        if dirty != self.dirty:
            self.dirty = dirty
            self.dirty_changed.emit(dirty)

    def add_result_layer(self, name: str, frame: gpd.GeoDataFrame, *, group: str = "") -> None:
        """Show an analysis result as a layer (kept in the file only with ``keep_results``).

        ``group`` names the analysis: its layers sit together in the layer panel.
        """
        self.result_layers.add(name)
        if group:
            self.result_groups[name] = group
        self.project.set_layer(name, frame)

    def remove_result_layer(self, name: str) -> None:
        """Drop an analysis result layer from the project (and the map)."""
        if name in SCHEMAS:
            raise ValueError(f"{name} is a project layer, not a result")
        self.project.remove_layer(name)

    def snapshot(self, *, for_file: bool = False) -> Project:
        """Return a shallow copy safe to save from a worker while the user works on.

        Frames are replaced, never modified in place (engine convention), so copying
        the dicts is enough. ``for_file``: the copy to write into the project file,
        without the analysis result layers unless :attr:`keep_results` is set.
        """
        extra = {name: frame for name, frame in self.project.extra_layers.items()
                 if not for_file or self.keep_results or name not in self.result_layers}
        return Project(layers=dict(self.project.layers),
                       settings=copy.deepcopy(self.project.settings),
                       scenarios=copy.deepcopy(self.project.scenarios),
                       extra_layers=extra, path=self.project.path,
                       file_stamp=self.project.file_stamp)

    # ---------------------------------------------------------------- editing
    def push(self, command: GridCommand) -> None:
        """Apply an edit command through the engine's command stack."""
        self.commands.push(command)

    def undo(self) -> None:
        """Undo the last edit."""
        if self.commands.can_undo:
            self.commands.undo()

    def redo(self) -> None:
        """Redo the last undone edit."""
        if self.commands.can_redo:
            self.commands.redo()
