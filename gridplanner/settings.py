"""Project settings: defaults, merging, and per-key documentation.

Settings are plain JSON-able values kept in the project file's ``gp_settings``
table, one row per key. Unknown keys are kept as they are, so a newer version's
settings survive a round trip through an older one.
"""

from __future__ import annotations

import copy
from typing import Any

from layers.schema import CAMERA_DEFAULTS, CAPACITY_DEFAULTS

DEFAULT_SETTINGS: dict[str, Any] = {
    # EPSG code of the metric CRS all analysis runs in; None = chosen from the data.
    "analysis_crs": None,
    # Households per grid that count as well sized, by grid kind (SPEC: 300-500 urban).
    "band": {"urban": [300, 500], "rural": [300, 500], "special": [0, 100000]},
    # Camera range/fov defaults by category, used where a record leaves them empty.
    "camera_defaults": {str(k): v for k, v in CAMERA_DEFAULTS.items()},
    # Household capacity by staff role, used where a record leaves it empty.
    "capacity_defaults": dict(CAPACITY_DEFAULTS),
    # Walking: largest network distance a worker is expected to cover (m).
    "walk_cutoff_m": 3000.0,
    # Points farther than this from any road are reported as off the network (m).
    "snap_cutoff_m": 300.0,
    # Road ends closer than this are joined when building the walking graph (m).
    "join_tolerance_m": 3.0,
    # Yearly cost per person by role (yuan), for scenario comparison.
    "role_cost_yuan": {"grid_head": 90000, "full_time": 70000, "police": 150000,
                       "part_time": 6000},
    # Interface language: "zh_CN" or "en".
    "language": "zh_CN",
}


def merged_settings(stored: dict[str, Any] | None) -> dict[str, Any]:
    """Return the defaults overlaid with ``stored`` (nested dicts merged key by key)."""
    out = copy.deepcopy(DEFAULT_SETTINGS)
    for key, value in (stored or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


def camera_defaults(settings: dict[str, Any]) -> dict[int, dict[str, float]]:
    """Camera defaults with integer category keys."""
    raw = merged_settings(settings)["camera_defaults"]
    return {int(k): {kk: float(vv) for kk, vv in v.items()} for k, v in raw.items()}


def band_for(settings: dict[str, Any], kind: str) -> tuple[int, int]:
    """(min, max) households for a grid kind."""
    band = merged_settings(settings)["band"]
    low, high = band.get(kind, band["urban"])
    return int(low), int(high)
