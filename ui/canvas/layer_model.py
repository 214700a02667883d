"""The map's layer list: plain layer objects plus one QObject that announces changes.

napari's split: widgets (layer panel, attribute table, canvas) subscribe to the
:class:`LayerStack` signals and never own layer data. The data itself stays in the
engine's :class:`~gridplanner.project.Project`; a :class:`MapLayer` holds a
reference to the current frame and a version number that changes whenever the
project replaces it, which tells the canvas to rebuild that layer's drawing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from PySide6.QtCore import QObject, Signal

from layers.schema import SCHEMAS
from ui.canvas.styles import LayerStyle, default_style

#: Schema layers from bottom to top, as they are first stacked.
DEFAULT_ORDER = ("service_areas", "grids", "buildings", "roads", "households", "cameras",
                 "facilities", "staff", "incidents")
#: Layers hidden at first: too dense to read at the full extent.
HIDDEN_AT_START = ("buildings", "incidents")


def geometry_kind(frame: gpd.GeoDataFrame) -> str:
    """``polygon``, ``line`` or ``point`` from the layer's first non-empty geometry."""
    geoms = frame.geometry.to_numpy() if len(frame) else np.array([])
    types = shapely.get_type_id(geoms[~shapely.is_missing(geoms)]) if len(geoms) else []
    if len(types) == 0:
        return "polygon"
    t = int(np.bincount(np.asarray(types)).argmax())
    if t in (0, 4):
        return "point"
    if t in (1, 2, 5):
        return "line"
    return "polygon"


def follow_selection(name: str, old: gpd.GeoDataFrame, new: gpd.GeoDataFrame,
                     rows: np.ndarray) -> np.ndarray:
    """Rows of ``new`` holding the features selected (``rows``) in ``old``.

    Features are matched by the layer's id column (``grid_id`` ...), else by the
    frames' index labels; a selected feature that is gone drops out (of features
    sharing an id, the n-th stays the n-th). Only when
    neither identifies the features are the positions kept as they were. A feature
    given a new id in place (the only row whose id changed, to an id not used
    before) stays selected under its new id.
    """
    rows = rows[(rows >= 0) & (rows < len(old))]
    id_column = SCHEMAS[name].id_column if name in SCHEMAS else None
    if id_column is not None and id_column in old.columns and id_column in new.columns:
        before, keys = _occurrence_keys(old[id_column]), _occurrence_keys(new[id_column])
        picked = before[rows]
        if len(before) == len(keys):
            moved = np.flatnonzero(before != keys)
            if len(moved) == 1 and before[moved[0]] not in keys \
                    and keys[moved[0]] not in before:
                picked = np.where(picked == before[moved[0]], keys[moved[0]], picked)
    elif old.index.is_unique and new.index.is_unique:
        picked = old.index.to_numpy()[rows]
        keys = new.index.to_numpy()
    else:
        return rows[rows < len(new)]
    return np.flatnonzero(np.isin(keys, picked)).astype(np.int64)


def _occurrence_keys(ids: pd.Series) -> np.ndarray:
    """Ids as text; a repeated id gets its occurrence number (``a``, ``a#1`` ...)."""
    text = ids.astype(str).reset_index(drop=True)
    nth = text.groupby(text).cumcount().to_numpy()
    keys = text.to_numpy(dtype=object)
    repeated = nth > 0
    keys[repeated] = [f"{k}#{n}" for k, n in zip(keys[repeated], nth[repeated], strict=True)]
    return np.asarray(keys, dtype=object)


@dataclass(eq=False)
class MapLayer:
    """One layer as the map shows it."""

    name: str
    frame: gpd.GeoDataFrame
    kind: str
    style: LayerStyle
    visible: bool = True
    opacity: float = 1.0
    version: int = 0
    title: str = ""
    #: The analysis whose result this layer is ('' for the project's own layers):
    #: the layer panel shows a group per analysis.
    group: str = ""
    selection: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def style_key(self) -> tuple[int, LayerStyle]:
        """What the cached drawing depends on."""
        return (self.version, self.style)


class LayerStack(QObject):
    """Ordered layers (index 0 = top) with change signals.

    Signals
    -------
    inserted(str), removed(str), moved()
        The list changed.
    changed(str, str)
        A layer's ``data``, ``visible``, ``opacity`` or ``style`` changed.
    selection_changed(str)
        The selected rows of a layer changed (also when new data moved the selected
        features to other rows: a selection follows the features, not the rows).
    """

    inserted = Signal(str)
    removed = Signal(str)
    moved = Signal()
    changed = Signal(str, str)
    selection_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._layers: list[MapLayer] = []

    def __len__(self) -> int:
        return len(self._layers)

    def __iter__(self) -> Iterator[MapLayer]:
        return iter(list(self._layers))

    def __contains__(self, name: object) -> bool:
        return any(layer.name == name for layer in self._layers)

    def names(self) -> list[str]:
        """Layer names, top first."""
        return [layer.name for layer in self._layers]

    def get(self, name: str) -> MapLayer | None:
        """Return the layer called ``name``, or None."""
        return next((layer for layer in self._layers if layer.name == name), None)

    def clear(self) -> None:
        """Remove every layer."""
        for name in self.names():
            self.remove(name)

    def set_frame(self, name: str, frame: gpd.GeoDataFrame, *, title: str = "",
                  group: str = "") -> MapLayer:
        """Add the layer, or replace its data (keeping its style, visibility and place)."""
        layer = self.get(name)
        if layer is None:
            kind = geometry_kind(frame)
            layer = MapLayer(name, frame, kind, default_style(name, kind),
                             visible=name not in HIDDEN_AT_START, title=title, group=group)
            self._layers.insert(self._insert_position(name), layer)
            self.inserted.emit(name)
            return layer
        old, layer.frame = layer.frame, frame
        layer.version += 1
        layer.group = group or layer.group
        if len(layer.selection):
            rows = follow_selection(name, old, frame, layer.selection)
            if not np.array_equal(rows, layer.selection):
                layer.selection = rows
                self.selection_changed.emit(name)
        self.changed.emit(name, "data")
        return layer

    def _insert_position(self, name: str) -> int:
        if name not in DEFAULT_ORDER:
            return 0  # results go on top
        rank = DEFAULT_ORDER.index(name)
        for i, layer in enumerate(self._layers):
            if layer.name in DEFAULT_ORDER and DEFAULT_ORDER.index(layer.name) < rank:
                return i
        return len(self._layers)

    def remove(self, name: str) -> None:
        """Drop a layer."""
        layer = self.get(name)
        if layer is not None:
            self._layers.remove(layer)
            self.removed.emit(name)

    def move(self, name: str, index: int) -> None:
        """Put ``name`` at position ``index`` (0 = top)."""
        layer = self.get(name)
        if layer is None:
            return
        self._layers.remove(layer)
        self._layers.insert(max(0, min(index, len(self._layers))), layer)
        self.moved.emit()

    def set_visible(self, name: str, visible: bool) -> None:
        """Show or hide a layer."""
        layer = self.get(name)
        if layer is not None and layer.visible != visible:
            layer.visible = visible
            self.changed.emit(name, "visible")

    def set_opacity(self, name: str, opacity: float) -> None:
        """Set a layer's opacity (0..1)."""
        layer = self.get(name)
        if layer is not None:
            layer.opacity = float(min(max(opacity, 0.0), 1.0))
            self.changed.emit(name, "opacity")

    def set_style(self, name: str, style: LayerStyle) -> None:
        """Change a layer's style."""
        layer = self.get(name)
        if layer is not None and layer.style != style:
            layer.style = style
            self.changed.emit(name, "style")

    def select(self, name: str, rows: np.ndarray | list[int], *, add: bool = False) -> None:
        """Select rows (positions) of a layer; the other layers' selections are kept."""
        layer = self.get(name)
        if layer is None:
            return
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        if add:
            rows = np.union1d(layer.selection, rows)
        rows = rows[(rows >= 0) & (rows < len(layer.frame))]
        if np.array_equal(rows, layer.selection):
            return
        layer.selection = rows
        self.selection_changed.emit(name)

    def clear_selection(self) -> None:
        """Unselect everything."""
        for layer in self._layers:
            if len(layer.selection):
                layer.selection = np.zeros(0, dtype=np.int64)
                self.selection_changed.emit(layer.name)

    def visible_bottom_up(self) -> list[MapLayer]:
        """Visible layers in drawing order."""
        return [layer for layer in reversed(self._layers) if layer.visible]

    def full_extent(self) -> tuple[float, float, float, float] | None:
        """Bounds of the district (grids and service areas), else of every layer.

        The district outline wins because point layers often hold a few stray
        records far away, which would shrink the district to a dot.
        """
        frames = [layer.frame for layer in self._layers
                  if layer.name in ("grids", "service_areas") and len(layer.frame)]
        if not frames:
            frames = [layer.frame for layer in self._layers if len(layer.frame)]
        boxes = [f.total_bounds for f in frames]
        boxes = [b for b in boxes if np.all(np.isfinite(b))]
        if not boxes:
            return None
        arr = np.array(boxes)
        return (float(arr[:, 0].min()), float(arr[:, 1].min()),
                float(arr[:, 2].max()), float(arr[:, 3].max()))
