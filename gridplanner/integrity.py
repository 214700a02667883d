"""Checks across layers that a single schema cannot see: references and staffing.

These come out as warnings: a grid without a full-time worker is a planning
finding, not broken data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridplanner.i18n import _, pgettext
from gridplanner.project import Project
from layers.errors import Problem

#: The "1+1+1" every grid should have.
CORE_ROLES = ("grid_head", "full_time", "police")


def staff_grid_ids(values: pd.Series) -> list[str]:
    """All grid ids named in a staff ``grid_id`` column.

    A police officer often covers several grids: the column may list them
    separated by ``;``, ``,`` or ``、``.
    """
    text = values.dropna().astype(str).str.replace(r"[,、，\s]+", ";", regex=True)
    return [g for g in text.str.split(";").explode().tolist() if g]


def missing_roles(project: Project) -> pd.DataFrame:
    """Per grid, which of the 1+1+1 roles nobody based in it holds.

    Returns
    -------
    pandas.DataFrame
        Columns ``grid_id`` and one boolean column per core role, True where the
        grid lacks it; only grids lacking something are listed.
    """
    grids = project.layer("grids")
    staff = project.layer("staff")
    ids = grids["grid_id"].astype(str).to_numpy()
    table = pd.DataFrame({"grid_id": ids})
    for role in CORE_ROLES:
        have = set(staff_grid_ids(staff.loc[staff["role"] == role, "grid_id"]))
        table[f"lacks_{role}"] = ~np.isin(ids, list(have))
    flags = table[[f"lacks_{r}" for r in CORE_ROLES]].any(axis=1)
    return table[flags].reset_index(drop=True)


def reference_problems(project: Project) -> list[Problem]:
    """Warnings for ids that point nowhere and grids missing core staff."""
    out: list[Problem] = []
    grid_ids = set(project.layer("grids")["grid_id"].astype(str))
    staff = project.layer("staff")
    for row, (sid, gid) in enumerate(zip(staff["staff_id"], staff["grid_id"], strict=True)):
        named = staff_grid_ids(pd.Series([gid]))
        if any(g not in grid_ids for g in named):
            out.append(Problem(_("grid '{grid}' does not exist", grid=gid), layer="staff",
                               row=row, feature_id=str(sid), column="grid_id",
                               severity="warning",
                               hint=_("correct the grid code or add the grid")))
    areas = project.layer("service_areas")
    communities = set(areas["area_id"].astype(str))
    grids = project.layer("grids")
    if communities:
        for row, (gid, cid) in enumerate(zip(grids["grid_id"], grids["community_id"],
                                              strict=True)):
            if cid not in (None, "") and str(cid) not in communities:
                out.append(Problem(_("community '{community}' is not a service area",
                                     community=cid), layer="grids",
                                   row=row, feature_id=str(gid), column="community_id",
                                   severity="warning"))
    if len(grids) and "staff" in project.layers:
        for _row, rec in missing_roles(project).iterrows():
            lacking = [r for r in CORE_ROLES if rec[f"lacks_{r}"]]
            out.append(Problem(_("grid has no {roles} based in it",
                                 roles=" / ".join(pgettext("role", r) for r in lacking)),
                               layer="grids", feature_id=str(rec["grid_id"]),
                               column="grid_id", severity="warning",
                               hint=_("assign staff to complete 1+1+1")))
    return out
