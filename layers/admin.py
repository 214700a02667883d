"""Administrative hierarchy of the service areas: levels and parent links.

Service areas nest: a city holds districts (or counties), a district streets (or
towns), a street communities (or villages). Files arrive in the forms the
authorities publish: DataV/Amap boundaries carry a numeric ``adcode`` and a
``parent`` object (``{"adcode": 330700}``), registers a ``上级编码`` text code.
Ids are text: ``330702`` and ``0330702`` are different codes, and a number read
as ``330702.0`` is the code ``330702``.

Checks (warnings: the boundaries are still usable):

- a parent id that names no area, when the file holds areas of the parent's level
  (a district's own parent, the city, is usually not in a district's file);
- a parent whose level is not above its child's (a community as a street's parent);
- an area that is its own parent.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

from layers.errors import Problem
from layers.schema import ADMIN_LEVELS

#: ``{"adcode": 330700}`` as DataV/Amap files carry a parent (read as JSON text).
_PARENT_OBJECT = re.compile(r"^\s*\{.*\}\s*$", re.DOTALL)


def parent_code(value: object) -> object:
    """Return the parent's code in ``value``: a DataV ``{"adcode": N}`` object gives ``N``.

    Examples
    --------
    >>> parent_code('{ "adcode": 330700 }'), parent_code("330700"), parent_code(None)
    ('330700', '330700', None)
    """
    if isinstance(value, dict):
        found = value.get("adcode", value.get("id"))
        return None if found is None else str(found)
    if isinstance(value, str) and _PARENT_OBJECT.match(value):
        try:
            data = json.loads(value)
        except json.JSONDecodeError:
            return value
        return parent_code(data) if isinstance(data, dict) else value
    return value


def tidy_parents(values: pd.Series) -> pd.Series:
    """Parent ids with DataV parent objects reduced to their code; others unchanged."""
    if values.dtype != object:
        return values
    looks = values.map(lambda v: isinstance(v, dict | str) and "{" in str(v))
    if not looks.any():
        return values
    out = values.copy()
    out[looks] = values[looks].map(parent_code)
    return out


def level_rank(levels: pd.Series) -> np.ndarray:
    """Position of each level in :data:`ADMIN_LEVELS` (-1 for an unknown one)."""
    ranks = {name: i for i, name in enumerate(ADMIN_LEVELS)}
    return np.asarray(levels.map(lambda v: ranks.get(v, -1)), dtype=np.int64)


def hierarchy_problems(frame: pd.DataFrame, *, source: str = "") -> list[Problem]:
    """Warnings for parent links that point nowhere, upwards of the wrong level or to itself.

    Parameters
    ----------
    frame
        Validated service areas (``area_id``, ``level``, ``parent_id`` as text).
    source
        File name used in messages.

    Examples
    --------
    >>> areas = pd.DataFrame({"area_id": ["1", "2", "3"],
    ...                       "level": ["street", "community", "community"],
    ...                       "parent_id": ["", "1", "9"]})
    >>> [p.message for p in hierarchy_problems(areas)]
    ["parent '9' is not an area of the file"]
    """
    if not len(frame) or not {"area_id", "level", "parent_id"} <= set(frame.columns):
        return []
    ids = frame["area_id"].astype(object).where(frame["area_id"].notna(), None)
    parents = frame["parent_id"].astype(object).where(frame["parent_id"].notna(), "")
    parents = parents.map(lambda v: "" if v is None else str(v))
    rank = level_rank(frame["level"])
    row_of = pd.Series(np.arange(len(frame)), index=pd.Index(ids)).groupby(level=0).first()
    has_parent = (parents != "").to_numpy()
    parent_row = parents.map(row_of).to_numpy(dtype=float)
    known = ~np.isnan(parent_row)
    top = rank[rank >= 0].min(initial=len(ADMIN_LEVELS))  # the highest level in the file
    out: list[Problem] = []

    def add(rows: np.ndarray, message: str, hint: str) -> None:
        for row in rows:
            out.append(Problem(message.format(parent=parents.iloc[row],
                                              level=frame["level"].iloc[row]),
                               layer="service_areas", row=int(row),
                               feature_id=None if ids.iloc[row] is None else str(ids.iloc[row]),
                               column="parent_id", hint=hint, source=source,
                               severity="warning"))

    # A parent is expected in the file when areas of some level above the child's are there.
    above_present = rank > top
    add(np.flatnonzero(has_parent & ~known & above_present),
        "parent '{parent}' is not an area of the file",
        "correct the parent code, or add the parent area")
    own = has_parent & (parents.to_numpy() == ids.astype(str).to_numpy())
    add(np.flatnonzero(own), "the area is its own parent", "give the code of the area above it")
    rows = np.flatnonzero(has_parent & known & ~own)
    prank = rank[parent_row[rows].astype(np.int64)]
    wrong = rows[(prank >= 0) & (rank[rows] >= 0) & (prank >= rank[rows])]
    add(wrong, "parent '{parent}' is not above a {level} (levels from the top: "
        + ", ".join(ADMIN_LEVELS) + ")", "check the levels of the area and of its parent")
    return out
