"""Layer styles: single colour, categorised by a field, graduated by a figure.

A style turns a layer's rows into a few classes, each with a colour; the renderer
draws one path per class, so a style with five classes costs five fills however
many features the layer holds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from gridplanner import palette
from gridplanner.text import range_labels

#: Qualitative palette (ColorBrewer Set2/Set3-like), readable on white.
PALETTE = palette.QUALITATIVE
#: Ramp of graduated styles: the coverage classes (red = low share).
RAMP = palette.COVERAGE_CLASSES


@dataclass(frozen=True)
class LayerStyle:
    """How one layer is drawn.

    Parameters
    ----------
    mode
        ``single``, ``categorised`` or ``graduated``.
    colour
        Fill (polygons, points) or stroke (lines) colour for ``single``.
    outline
        Outline colour of polygons.
    field
        Column used by ``categorised`` and ``graduated``.
    classes
        Number of classes for ``graduated`` (equal-count breaks).
    size_px
        Point size or line width in pixels.
    fill_alpha
        Fill opacity 0..1 of polygons (the layer opacity multiplies it).
    label_field
        Column drawn as a label at a suitable zoom; empty for none.
    breaks
        Class limits of ``graduated`` (default: equal-count breaks).
    symbol
        Point marker: ``circle``, ``square``, ``triangle``, ``diamond`` or ``star``.
    unit
        Unit of the styled figure (a catalogue text: ``%``, ``m``, ``households``),
        shown with the class labels of the legend.
    reverse
        Run the graduated ramp the other way (green for low values: distances).
    max_scale
        Drawn only when the map is zoomed in to 1:``max_scale`` or closer (0: at
        every scale), as QGIS's scale-dependent visibility: dense point layers.
    """

    mode: str = "single"
    colour: str = palette.APP_DEFAULT[0]
    outline: str = palette.APP_DEFAULT[1]
    field: str = ""
    classes: int = 5
    size_px: float = 3.0
    fill_alpha: float = 0.35
    label_field: str = ""
    breaks: tuple[float, ...] = ()
    symbol: str = "circle"
    unit: str = ""
    max_scale: float = 0.0
    reverse: bool = False

    def with_(self, **changes: Any) -> LayerStyle:
        """Return a copy with ``changes``."""
        return replace(self, **changes)


DEFAULT_STYLES: dict[str, LayerStyle] = {
    "service_areas": LayerStyle(colour=palette.APP_SERVICE_AREA[0],
                                outline=palette.APP_SERVICE_AREA[1], fill_alpha=0.0,
                                size_px=2.0),  # wide outlines are drawn aliased (fast)
    "grids": LayerStyle(mode="categorised", field="community_id", outline=palette.APP_GRID_OUTLINE,
                        fill_alpha=0.30, label_field="name", size_px=1.0),
    "buildings": LayerStyle(colour=palette.APP_BUILDING[0], outline=palette.APP_BUILDING[1],
                             fill_alpha=0.6, size_px=0.5),
    "roads": LayerStyle(colour=palette.APP_ROAD, size_px=1.0),
    "households": LayerStyle(colour=palette.APP_HOUSEHOLD, size_px=2.0),
    "cameras": LayerStyle(mode="categorised", field="category", size_px=2.5),
    "staff": LayerStyle(mode="categorised", field="role", size_px=5.0),
    "facilities": LayerStyle(mode="categorised", field="kind", outline="#000000",
                             size_px=8.0),
    "incidents": LayerStyle(colour=palette.INCIDENT, size_px=5.0),
}

#: Fixed colours for known categories, so the same role looks the same everywhere
#: (the HTML and PNG maps use the same :mod:`gridplanner.palette`).
FIXED_COLOURS: dict[str, dict[str, str]] = {
    "cameras": {str(k): c for k, c in palette.CAMERA_CATEGORY.items()},
    "staff": dict(palette.ROLE),
    "facilities": dict(palette.FACILITY),
}


def default_style(name: str, geometry_kind: str) -> LayerStyle:
    """Return the style a layer gets when first shown."""
    if name in DEFAULT_STYLES:
        return DEFAULT_STYLES[name]
    if name.startswith("coverage") or "gap" in name:
        return LayerStyle(colour=palette.APP_RESULT_GAP[0], outline=palette.APP_RESULT_GAP[1],
                          fill_alpha=0.45)
    if geometry_kind == "point":
        return LayerStyle(colour=palette.APP_RESULT_POINT, size_px=4.0)
    if geometry_kind == "line":
        return LayerStyle(colour=palette.APP_RESULT_LINE, size_px=2.0)
    return LayerStyle(colour=palette.APP_RESULT_AREA[0], outline=palette.APP_RESULT_AREA[1],
                      fill_alpha=0.4)


@dataclass(frozen=True)
class Classified:
    """Rows split into classes: ``codes[i]`` is the class of row i (-1: not drawn)."""

    codes: np.ndarray
    colours: tuple[str, ...]
    labels: tuple[str, ...]


def classify(frame: pd.DataFrame, style: LayerStyle, layer_name: str = "") -> Classified:
    """Split the rows of ``frame`` into colour classes by ``style``.

    Examples
    --------
    >>> import pandas as pd
    >>> c = classify(pd.DataFrame({"k": ["a", "b", "a"]}), LayerStyle("categorised", field="k"))
    >>> c.codes.tolist(), c.labels
    ([0, 1, 0], ('a', 'b'))
    """
    n = len(frame)
    if style.mode == "categorised" and style.field in frame.columns:
        values = frame[style.field].astype(str).fillna("")
        cats, codes = np.unique(values.to_numpy(dtype=str), return_inverse=True)
        fixed = FIXED_COLOURS.get(layer_name, {})
        colours = tuple(fixed.get(str(c), PALETTE[i % len(PALETTE)])
                        for i, c in enumerate(cats))
        return Classified(codes.astype(np.int64), colours, tuple(str(c) for c in cats))
    if style.mode == "graduated" and style.field in frame.columns:
        values = pd.to_numeric(frame[style.field], errors="coerce").to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return Classified(np.full(n, -1, dtype=np.int64), (), ())
        breaks = np.array(style.breaks, dtype=float) if style.breaks else np.unique(
            np.quantile(finite, np.linspace(0, 1, max(style.classes, 2) + 1)))
        if breaks.size < 2:
            breaks = np.array([finite.min(), finite.max() + 1e-9])
        k = breaks.size - 1
        codes = np.clip(np.searchsorted(breaks, values, side="right") - 1, 0, k - 1)
        codes = np.where(np.isfinite(values), codes, -1).astype(np.int64)
        ramp = _ramp(k)[::-1] if style.reverse else _ramp(k)
        return Classified(codes, ramp, class_labels(breaks, style.unit))
    return Classified(np.zeros(n, dtype=np.int64), (style.colour,), ("",))



def class_labels(breaks: np.ndarray | tuple[float, ...], unit: str = "") -> tuple[str, ...]:
    """Labels of the classes between ``breaks``, with ``unit`` (a catalogue text).

    The engine's one rule (:func:`gridplanner.text.range_labels`) in the interface
    language.

    Examples
    --------
    >>> class_labels((0.0, 20.0, 100.0001), "%")
    ('0 – 20 %', '20 – 100 %')
    >>> class_labels((0.0, 500.0, 1e9), "m")
    ('0 – 500 m', '≥ 500 m')
    """
    from ui.i18n import tr

    return range_labels([float(v) for v in breaks], tr(unit) if unit else "")


def _ramp(k: int) -> tuple[str, ...]:
    if k <= len(RAMP):
        idx = np.round(np.linspace(0, len(RAMP) - 1, k)).astype(int)
        return tuple(RAMP[i] for i in idx)
    return tuple(RAMP[int(i)] for i in np.linspace(0, len(RAMP) - 1, k).round())
