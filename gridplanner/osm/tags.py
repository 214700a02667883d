"""What OpenStreetMap tags say, read into the project's columns.

Each function takes tag values as pandas Series of text (``None`` where a feature
lacks the tag) and returns numpy arrays, one value per feature. The readings follow
the OSM wiki: ``highway``/``foot``/``access`` for who may walk, ``layer``/``bridge``/
``tunnel`` for the level, ``height``/``building:levels`` for a building's height,
``camera:direction`` (degrees, compass letters or a clockwise range such as
``90-270``) for where a camera looks.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: Highways no one walks along (or that do not exist yet).
NOT_WALKED = frozenset({"motorway", "motorway_link", "raceway", "bus_guideway", "busway",
                        "escape", "construction", "proposed", "planned", "abandoned",
                        "disused", "razed"})
#: Highway values that are not roads to take at all.
NOT_ROADS = frozenset({"proposed", "planned", "abandoned", "razed", "disused", "platform",
                       "services", "rest_area", "elevator", "emergency_bay"})
_FOOT_YES = frozenset({"yes", "designated", "permissive", "official"})
_FOOT_NO = frozenset({"no", "private", "use_sidepath", "discouraged"})
_ACCESS_NO = frozenset({"no", "private"})
#: Compass letters to degrees (0 = north, clockwise), the 16 winds.
COMPASS = {name: i * 22.5 for i, name in enumerate(
    ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
     "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"))}
#: Building types that are homes.
RESIDENTIAL = frozenset({"residential", "apartments", "house", "detached", "semidetached_house",
                         "terrace", "dormitory", "bungalow", "farm", "houseboat", "static_caravan",
                         "stilt_house", "trullo", "cabin", "hut"})
#: Home types of one or two storeys, when the levels are not mapped.
LOW_HOMES = frozenset({"house", "detached", "semidetached_house", "terrace", "bungalow", "farm",
                       "houseboat", "static_caravan", "cabin", "hut", "stilt_house", "trullo"})
_NUMBER = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*(m|metres|meters|米|ft|feet|')?\s*$",
                     re.IGNORECASE)
_FEET_M = 0.3048


def _text(values: pd.Series) -> pd.Series:
    """Values lowered and stripped, ``""`` where missing."""
    return values.astype(object).where(values.notna(), "").astype(str).str.strip().str.lower()


def walkable(highway: pd.Series, foot: pd.Series, access: pd.Series) -> np.ndarray:
    """Whether people may walk along each way.

    ``foot=yes`` (or designated, permissive) allows it whatever the road; ``foot=no``
    (or private, use_sidepath) forbids it; otherwise motorways and unbuilt roads
    are not walked and ``access=no``/``private`` forbids it.

    Examples
    --------
    >>> walkable(pd.Series(["residential", "motorway", "primary", "service"]),
    ...          pd.Series([None, None, "no", "yes"]),
    ...          pd.Series([None, None, None, "private"])).tolist()
    [True, False, False, True]
    """
    hw, ft, ac = _text(highway), _text(foot), _text(access)
    yes = ft.isin(_FOOT_YES).to_numpy()
    no = ft.isin(_FOOT_NO).to_numpy()
    barred = hw.isin(NOT_WALKED).to_numpy() | ac.isin(_ACCESS_NO).to_numpy()
    return np.asarray(yes | (~no & ~barred), dtype=bool)


def road_level(layer: pd.Series, bridge: pd.Series, tunnel: pd.Series) -> np.ndarray:
    """Vertical level of each way: ``layer``, else 1 on a bridge, -1 in a tunnel, else 0.

    Examples
    --------
    >>> road_level(pd.Series(["2", None, None, "x"]), pd.Series([None, "yes", None, None]),
    ...            pd.Series([None, None, "yes", None])).tolist()
    [2, 1, -1, 0]
    """
    num = pd.to_numeric(_text(layer).str.replace(";.*", "", regex=True), errors="coerce")
    br = _text(bridge)
    tn = _text(tunnel)
    on_bridge = ((br != "") & (br != "no")).to_numpy()
    # A building passage runs at street level.
    in_tunnel = ((tn != "") & (tn != "no") & (tn != "building_passage")).to_numpy()
    guess = np.where(on_bridge, 1, np.where(in_tunnel, -1, 0))
    values = num.to_numpy(dtype=float)
    out = np.where(np.isfinite(values), np.round(values), guess)
    return np.clip(out, -20, 20).astype(np.int64)


def metres(values: pd.Series) -> np.ndarray:
    """Lengths such as ``12``, ``12 m``, ``12.5m`` or ``40 ft`` in metres (NaN if unreadable).

    Examples
    --------
    >>> metres(pd.Series(["12", "12.5 m", "40 ft", "tall", None])).round(2).tolist()
    [12.0, 12.5, 12.19, nan, nan]
    """
    parts = _text(values).str.replace(",", ".", regex=False).str.extract(_NUMBER)
    num = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype=float)
    feet = parts[1].fillna("").str.lower().isin(["ft", "feet", "'"]).to_numpy()
    return np.where(feet, num * _FEET_M, num)


def levels(values: pd.Series) -> np.ndarray:
    """Storeys above ground (the first number given; NaN when none or not above 0)."""
    first = _text(values).str.extract(r"^(\d+(?:\.\d+)?)")[0]
    num = pd.to_numeric(first, errors="coerce").to_numpy(dtype=float)
    return np.where(num > 0, num, np.nan)


def _bearing(text: pd.Series) -> np.ndarray:
    upper = text.str.upper()
    compass = upper.map(COMPASS).to_numpy(dtype=float)
    num = pd.to_numeric(text.where(~text.isin(["", "nan"])), errors="coerce").to_numpy(float)
    return np.where(np.isfinite(num), np.mod(num, 360.0), compass)


def camera_direction(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Azimuth and span in degrees from ``camera:direction`` values.

    A single value gives the azimuth and no span (NaN); a clockwise range ``A-B``
    gives its middle and its width; ``0-359`` or ``0-360`` is all round (azimuth
    NaN, span 360).

    Examples
    --------
    >>> az, span = camera_direction(pd.Series(["45", "NE", "90-270", "W-E", "0-360", None]))
    >>> az.tolist()
    [45.0, 45.0, 180.0, 0.0, nan, nan]
    >>> span.tolist()
    [nan, nan, 180.0, 180.0, 360.0, nan]
    """
    text = _text(values).str.split(";").str[0].str.strip()
    # A range is two values split by a hyphen that is not a leading minus sign.
    pair = text.str.extract(r"^([a-z]+|\d+(?:\.\d+)?)\s*-\s*([a-z]+|\d+(?:\.\d+)?)$")
    is_range = pair[0].notna().to_numpy()
    single = _bearing(text)
    start = _bearing(pair[0].fillna(""))
    end = _bearing(pair[1].fillna(""))
    raw_end = pd.to_numeric(pair[1], errors="coerce").to_numpy(dtype=float)
    span = np.mod(end - start, 360.0)
    full = is_range & ((span >= 359) | ((start == 0) & (raw_end >= 359)))
    azimuth = np.where(is_range, np.mod(start + span / 2.0, 360.0), single)
    width = np.where(is_range, span, np.nan)
    azimuth = np.where(full, np.nan, azimuth)
    width = np.where(full, 360.0, width)
    ok = is_range & np.isfinite(start) & np.isfinite(end)
    azimuth = np.where(is_range & ~ok, np.nan, azimuth)
    width = np.where(is_range & ~ok, np.nan, width)
    return azimuth, width
