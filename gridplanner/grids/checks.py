"""Grid checks: warnings about how grids are drawn, sized, staffed and coded.

Checks never block anything: they list findings for the planner to look at. Each
finding names the check, its severity, the grid ids involved, a plain-language
message and a geometry to zoom to (the gap or overlap itself, the part of a grid
outside its community, the grid, or the household point).

Check keys (column ``check``)
-----------------------------
``gap``                 community area covered by no grid
``overlap``             area covered by two grids
``outside_community``   part of a grid outside its community's service area
``unknown_community``   grid whose ``community_id`` is not a community service area
``empty``               grid with no area
``invalid``             self-intersecting or otherwise invalid polygon
``multipart``           grid made of several separate pieces
``sliver``              tiny or very thin grid
``band``                households outside the band for the grid's kind
``special_band``        households of a special grid (专属网格: kind ``special`` or
                        a host unit) outside the special band
``household_no_grid``   household point inside no grid
``household_two_grids`` household point inside two or more grids
``compactness``         Polsby–Popper or Reock below the threshold
``missing_staff``       grid lacking a grid head, full-time worker or police officer
``work_group``          grid whose work group holds fewer members of a role or
                        specialty than the setting ``work_group_minimum`` asks
``duplicate_code``      grid code used by several grids
``malformed_code``      grid code empty, with odd characters, or not starting with
                        its community's code
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridplanner.errors import AnalysisError
from gridplanner.feedback import Feedback, report
from gridplanner.grids.topology import (
    community_polygons,
    part_count,
    point_membership,
    polsby_popper,
    reock,
)
from gridplanner.i18n import _, pgettext
from gridplanner.integrity import CORE_ROLES, missing_roles
from gridplanner.locate import household_weights
from gridplanner.organisation import (
    band_kinds,
    member_label,
    special_grids,
    work_group_shortfalls,
)
from gridplanner.project import Project
from gridplanner.runtime import gc_paused

if TYPE_CHECKING:
    from gridplanner.context import AnalysisContext

FINDING_COLUMNS = ["check", "severity", "grid_ids", "community_id", "value", "message"]

#: Checks in the order the CLI prints them.
CHECK_ORDER = (
    "gap", "overlap", "outside_community", "unknown_community", "empty", "invalid",
    "multipart", "sliver", "band", "special_band", "household_no_grid",
    "household_two_grids", "compactness", "missing_staff", "work_group", "duplicate_code",
    "malformed_code",
)

_CODE_CHARS = re.compile(r"^[0-9A-Za-z_\-.]+$")


@dataclass(frozen=True)
class CheckResult:
    """Findings of :func:`run_checks` and the per-grid figures behind them.

    Attributes
    ----------
    findings
        One row per finding: ``check``, ``severity`` (``warning`` / ``info``),
        ``grid_ids`` (ids joined by ``;``), ``community_id``, ``value`` (area in
        m², households, ratio ... depending on the check), ``message``, and
        ``geometry``: what to zoom to (``geometry.envelope`` gives the box).
    grid_table
        One row per grid: ``grid_id``, ``community_id``, ``kind``, ``households``,
        ``band_households`` (what the band counts: households, plus floating
        residents when the setting ``band_floating_weight`` asks), ``special``,
        ``band_min``, ``band_max``, ``area_m2``, ``parts``, ``polsby_popper``,
        ``reock``.
    """

    findings: gpd.GeoDataFrame
    grid_table: pd.DataFrame

    def __len__(self) -> int:
        """Return the number of findings."""
        return len(self.findings)

    def counts(self) -> pd.Series:
        """Count findings per check, in :data:`CHECK_ORDER`, zero counts left out."""
        counts = self.findings["check"].value_counts()
        order = [c for c in CHECK_ORDER if c in counts.index]
        return counts.reindex(order).astype(int)

    def of(self, check: str) -> gpd.GeoDataFrame:
        """Return the findings of one check."""
        return self.findings[self.findings["check"] == check]

    def for_grid(self, grid_id: str) -> gpd.GeoDataFrame:
        """Return the findings naming ``grid_id``."""
        ids = self.findings["grid_ids"].astype(str).str.split(";")
        return self.findings[ids.apply(lambda v: grid_id in v)]


class _Findings:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.geoms: list[Any] = []

    def add(self, check: str, severity: str, grid_ids: list[str] | str, community: str,
            value: float, message: str, geometry: Any) -> None:
        ids = grid_ids if isinstance(grid_ids, str) else ";".join(grid_ids)
        self.rows.append({"check": check, "severity": severity, "grid_ids": ids,
                          "community_id": community, "value": float(value),
                          "message": message})
        self.geoms.append(geometry)

    def add_many(self, check: str, severity: str, grid_ids: np.ndarray,
                 community: np.ndarray, value: np.ndarray, message: np.ndarray,
                 geometry: np.ndarray) -> None:
        for i in range(len(grid_ids)):
            self.add(check, severity, str(grid_ids[i]), str(community[i]), float(value[i]),
                     str(message[i]), geometry[i])

    def frame(self, crs: Any) -> gpd.GeoDataFrame:
        df = pd.DataFrame(self.rows, columns=FINDING_COLUMNS)
        df["value"] = df["value"].astype(float)
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(self.geoms, crs=crs), crs=crs)


def _check_community_known(project: Project, community_id: str, comm: np.ndarray) -> None:
    """Refuse a community no grid names and no service area holds.

    Filtering on a misspelt code would report "no findings" for grids nobody checked.
    """
    known = set(comm.tolist())
    areas = project.layers.get("service_areas")
    if areas is not None and "area_id" in areas.columns:
        known |= set(areas["area_id"].dropna().astype(str))
    known.discard("")
    if community_id not in known:
        raise AnalysisError(_("community {community} is neither a grid's community_id nor a "
                              "service area (known: {known})", community=community_id,
                              known=", ".join(sorted(known)[:10]) or "-"))


@gc_paused()
def run_checks(
    ctx: AnalysisContext,
    *,
    community_id: str | None = None,
    min_area_m2: float = 1.0,
    sliver_area_m2: float = 500.0,
    sliver_width_m: float = 10.0,
    min_polsby_popper: float = 0.15,
    min_reock: float = 0.2,
    feedback: Feedback | None = None,
) -> CheckResult:
    """Check the grid layer and list every finding (warnings; nothing is changed).

    Parameters
    ----------
    ctx
        The project's analysis context; uses the project's ``grids``,
        ``service_areas``, ``households`` and ``staff`` layers and the household
        band settings (per grid kind). On a project, the registered analysis
        ``check`` (:func:`gridplanner.analyses.run`) runs this.
    community_id
        Only report findings about this community.
    min_area_m2
        Gaps, overlaps and parts outside a community smaller than this are ignored.
    sliver_area_m2, sliver_width_m
        A grid smaller than this area, or whose mean width (2 × area / perimeter)
        is below this, is a sliver.
    min_polsby_popper, min_reock
        Compactness thresholds (a square scores 0.785 and 0.637).
    feedback
        Progress and cancellation.

    Returns
    -------
    CheckResult
        Findings and per-grid figures.

    Examples
    --------
    >>> from gridplanner.context import AnalysisContext
    >>> from gridplanner.project import Project
    >>> g = gpd.GeoDataFrame({"grid_id": ["a", "a"], "community_id": ["", ""],
    ...                       "kind": ["urban"] * 2, "locked": [False] * 2},
    ...                      geometry=[shapely.box(0, 0, 100, 100),
    ...                                shapely.box(90, 0, 200, 100)], crs=4549)
    >>> ctx = AnalysisContext.of(Project(layers={"grids": g}))
    >>> sorted(set(run_checks(ctx).findings["check"]))
    ['duplicate_code', 'overlap']
    """
    project = ctx.project
    grids = project.layer("grids")
    crs = grids.crs if grids.crs is not None else project.crs
    out = _Findings()
    n = len(grids)
    ids = grids["grid_id"].fillna("").astype(str).to_numpy() if n else np.array([], dtype=str)
    comm = (grids["community_id"].fillna("").astype(str).to_numpy()
            if "community_id" in grids.columns and n else np.full(n, "", dtype=object))
    kinds = (grids["kind"].fillna("urban").astype(str).to_numpy()
             if "kind" in grids.columns and n else np.full(n, "urban", dtype=object))
    geoms = np.asarray(grids.geometry.array, dtype=object) if n else np.array([], dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    safe = geoms.copy()
    safe[missing] = shapely.Polygon()
    valid = shapely.is_valid(safe)
    # Overlay on invalid shapes raises: check the repaired shape, report the original.
    usable = np.where(valid, safe, shapely.make_valid(safe))
    usable = np.array([g if shapely.get_type_id(g) in (3, 6) else _poly(g) for g in usable],
                      dtype=object) if n else usable

    report(feedback, 0.0, _("checking shapes"))
    _shape_checks(out, ids, comm, safe, usable, missing, valid,
                  sliver_area_m2=sliver_area_m2, sliver_width_m=sliver_width_m)
    report(feedback, 0.15, _("checking overlaps"))
    _overlap_checks(out, ids, comm, usable, min_area_m2)
    report(feedback, 0.3, _("checking communities and gaps"))
    communities = community_polygons(project)
    has_areas = len(project.layer("service_areas")) > 0
    _community_checks(out, ids, comm, usable, communities, has_areas, min_area_m2)
    report(feedback, 0.55, _("counting households"))
    households = project.layer("households")
    counts = _household_checks(out, ids, comm, usable, households)
    band_counts = _band_counts(ctx, usable, households, counts)
    report(feedback, 0.7, _("checking household band and compactness"))
    special = special_grids(grids) if n else np.zeros(0, dtype=bool)
    band_kind = band_kinds(grids) if n else np.array([], dtype=object)
    band = np.array([project.config.band_for(k) for k in band_kind],
                    dtype=np.int64).reshape(-1, 2)
    pp = polsby_popper(usable)
    rk = reock(usable)
    if len(households):
        _band_checks(out, grids, ids, comm, kinds, usable, missing, special, band,
                     band_counts, floating=not np.array_equal(band_counts, counts))
    _compactness_checks(out, ids, comm, usable, missing, pp, rk,
                        min_polsby_popper=min_polsby_popper, min_reock=min_reock)
    report(feedback, 0.8, _("checking staff and codes"))
    _staff_checks(out, project, ids, comm, usable)
    _work_group_checks(out, project, ids, comm, usable)
    _code_checks(out, ids, comm, usable)
    report(feedback, 1.0, _("checks done"))

    findings = out.frame(crs)
    if community_id is not None:
        _check_community_known(project, str(community_id), comm)
        findings = findings[findings["community_id"] == str(community_id)].reset_index(
            drop=True)
    table = pd.DataFrame({
        "grid_id": ids, "community_id": comm, "kind": kinds,
        "households": counts, "band_households": band_counts, "special": special,
        "band_min": band[:, 0], "band_max": band[:, 1],
        "area_m2": shapely.area(usable), "parts": part_count(usable),
        "polsby_popper": pp, "reock": rk,
    })
    return CheckResult(findings=findings, grid_table=table)


def _band_checks(out: _Findings, grids: gpd.GeoDataFrame, ids: np.ndarray, comm: np.ndarray,
                 kinds: np.ndarray, usable: np.ndarray, missing: np.ndarray,
                 special: np.ndarray, band: np.ndarray, band_counts: np.ndarray, *,
                 floating: bool) -> None:
    """Grids whose households fall outside the band of their kind (special grids apart)."""
    n = len(ids)
    low = band_counts < band[:, 0]
    high = band_counts > band[:, 1]
    hosts = grids["host_unit"].fillna("").astype(str).to_numpy() if (
        "host_unit" in grids.columns) else np.full(n, "", dtype=object)
    for i in np.flatnonzero((low | high) & ~missing):
        floats = _(" (floating residents counted)") if floating else ""
        if special[i]:
            host = f" ({hosts[i]})" if hosts[i] else ""
            template = (_("special grid {grid}{host} has {n:,} households{floating}, "
                          "fewer than the {low}-{high} band for special grids") if low[i]
                        else _("special grid {grid}{host} has {n:,} households{floating}, "
                               "more than the {low}-{high} band for special grids"))
            out.add("special_band", "warning", ids[i], comm[i], band_counts[i],
                    template.format(grid=ids[i], host=host, n=band_counts[i],
                                    floating=floats, low=band[i, 0], high=band[i, 1]),
                    usable[i])
            continue
        template = (_("grid {grid} has {n:,} households{floating}, fewer than the "
                      "{low}-{high} band for {kind} grids") if low[i] else
                    _("grid {grid} has {n:,} households{floating}, more than the "
                      "{low}-{high} band for {kind} grids"))
        out.add("band", "warning", ids[i], comm[i], band_counts[i],
                template.format(grid=ids[i], n=band_counts[i], floating=floats,
                                low=band[i, 0], high=band[i, 1],
                                kind=pgettext("kind", str(kinds[i]))), usable[i])


def _compactness_checks(out: _Findings, ids: np.ndarray, comm: np.ndarray,
                        usable: np.ndarray, missing: np.ndarray, pp: np.ndarray,
                        rk: np.ndarray, *, min_polsby_popper: float,
                        min_reock: float) -> None:
    """Grids below either compactness threshold (information, not a warning)."""
    bad = ((pp < min_polsby_popper) | (rk < min_reock)) & ~missing
    for i in np.flatnonzero(bad):
        out.add("compactness", "info", ids[i], comm[i], pp[i],
                _("grid {grid} is not compact: Polsby-Popper {pp:.2f} (threshold "
                  "{pp_min:.2f}), Reock {reock:.2f} (threshold {reock_min:.2f})",
                  grid=ids[i], pp=pp[i], pp_min=min_polsby_popper, reock=rk[i],
                  reock_min=min_reock), usable[i])


def _poly(g: Any) -> Any:
    parts = shapely.get_parts(g)
    polys = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
    return shapely.union_all(polys) if len(polys) else shapely.Polygon()


def _shape_checks(out: _Findings, ids: np.ndarray, comm: np.ndarray, safe: np.ndarray,
                  usable: np.ndarray, missing: np.ndarray, valid: np.ndarray, *,
                  sliver_area_m2: float, sliver_width_m: float) -> None:
    area = shapely.area(usable)
    empty = missing | (area <= 0)
    for i in np.flatnonzero(empty):
        out.add("empty", "warning", ids[i], comm[i], 0.0,
                _("grid {grid} has no area: draw it again or delete it", grid=ids[i]),
                shapely.Point() if missing[i] else shapely.centroid(safe[i]))
    bad = np.flatnonzero(~valid & ~missing)
    reasons: list[str] = list(shapely.is_valid_reason(safe[bad])) if len(bad) else []
    for i, reason in zip(bad, reasons, strict=True):
        out.add("invalid", "warning", ids[i], comm[i], 0.0,
                _("grid {grid} is not a valid polygon ({reason})", grid=ids[i],
                  reason=reason), safe[i])
    parts = part_count(usable)
    for i in np.flatnonzero((parts > 1) & ~empty):
        out.add("multipart", "warning", ids[i], comm[i], parts[i],
                _("grid {grid} is made of {n} separate pieces", grid=ids[i], n=parts[i]),
                usable[i])
    perim = shapely.length(usable)
    with np.errstate(divide="ignore", invalid="ignore"):
        width = np.where(perim > 0, 2 * area / perim, 0.0)
    sliver = ~empty & ((area < sliver_area_m2) | (width < sliver_width_m))
    for i in np.flatnonzero(sliver):
        out.add("sliver", "warning", ids[i], comm[i], area[i],
                _("grid {grid} is a sliver: {area:,.0f} m², mean width {width:,.1f} m",
                  grid=ids[i], area=area[i], width=width[i]), usable[i])


def _overlap_checks(out: _Findings, ids: np.ndarray, comm: np.ndarray, usable: np.ndarray,
                    min_area_m2: float) -> None:
    if len(usable) < 2:
        return
    tree = shapely.STRtree(usable)
    a, b = tree.query(usable, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    if not len(a):
        return
    inter = shapely.intersection(usable[a], usable[b])
    area = shapely.area(inter)
    for k in np.flatnonzero(area >= min_area_m2):
        i, j = a[k], b[k]
        out.add("overlap", "warning", [ids[i], ids[j]], comm[i], area[k],
                _("grids {first} and {second} overlap by {area:,.0f} m²", first=ids[i],
                  second=ids[j], area=area[k]),
                _poly(inter[k]))


def _community_checks(out: _Findings, ids: np.ndarray, comm: np.ndarray, usable: np.ndarray,
                      communities: dict[str, Any], has_areas: bool,
                      min_area_m2: float) -> None:
    tree = shapely.STRtree(usable) if len(usable) else None
    for cid, cpoly in communities.items():
        if tree is None:
            break
        near = tree.query(cpoly, predicate="intersects")
        local = shapely.union_all(usable[near]) if len(near) else shapely.Polygon()
        if has_areas:
            gap = shapely.difference(cpoly, local)
        else:
            # No service areas: the community is its grids' union; gaps are its holes.
            outer = shapely.get_parts(local)
            filled = shapely.union_all(shapely.polygons(shapely.get_exterior_ring(outer)))
            gap = shapely.difference(filled, local)
        parts = shapely.get_parts(_poly(gap))
        parts = parts[shapely.area(parts) >= min_area_m2]
        if not len(parts):
            continue
        a, b = tree.query(parts, predicate="dwithin", distance=0.01)
        for k, part in enumerate(parts):
            touching = sorted({str(ids[j]) for j in b[a == k]})
            area = float(shapely.area(part))
            message = (_("gap of {area:,.0f} m² in community {community} next to grids "
                         "{grids}: no grid covers it", area=area, community=cid,
                         grids=_(", ").join(touching)) if touching else
                       _("gap of {area:,.0f} m² in community {community}: no grid covers it",
                         area=area, community=cid))
            out.add("gap", "warning", touching, cid, area, message, part)
    if not has_areas:
        return
    for i in range(len(ids)):
        cid = comm[i]
        if shapely.is_empty(usable[i]):
            continue
        if cid not in communities:
            out.add("unknown_community", "warning", ids[i], cid, 0.0,
                    _("grid {grid} names community '{community}', which is not a community "
                      "service area: correct its community_id", grid=ids[i], community=cid),
                    usable[i])
            continue
        outside = _poly(shapely.difference(usable[i], communities[cid]))
        area = float(shapely.area(outside))
        if area >= min_area_m2:
            share = 100.0 * area / max(float(shapely.area(usable[i])), 1e-9)
            out.add("outside_community", "warning", ids[i], cid, area,
                    _("grid {grid} extends {area:,.0f} m² ({share:.1f}% of it) outside "
                      "community {community}", grid=ids[i], area=area, share=share,
                      community=cid), outside)


def _household_checks(out: _Findings, ids: np.ndarray, comm: np.ndarray, usable: np.ndarray,
                      households: gpd.GeoDataFrame) -> np.ndarray:
    if not len(households):
        return np.zeros(len(ids), dtype=np.int64)
    points = np.asarray(households.geometry.array, dtype=object)
    member = point_membership(usable, points)
    weights = household_weights(households)
    hit = member.grid_index >= 0
    counts = np.bincount(member.grid_index[hit], weights=weights[hit],
                         minlength=len(ids)).astype(np.int64)
    hh_ids = households["household_id"].astype(str).to_numpy() if (
        "household_id" in households.columns) else np.arange(len(households)).astype(str)
    valid_pt = ~(shapely.is_missing(points) | shapely.is_empty(points))
    for p in np.flatnonzero(~hit & valid_pt):
        out.add("household_no_grid", "warning", [], "", weights[p],
                _("household point {point} ({n} households) lies in no grid",
                  point=hh_ids[p], n=weights[p]),
                points[p])
    two = np.flatnonzero(member.n_inside >= 2)
    if len(two):
        tree = shapely.STRtree(usable)
        pi, gi = tree.query(points[two], predicate="intersects")
        inside = shapely.contains_properly(usable[gi], points[two][pi])
        pi, gi = pi[inside], gi[inside]
        for k, p in enumerate(two):
            named = [str(ids[g]) for g in gi[pi == k]]
            out.add("household_two_grids", "warning", named, comm[gi[pi == k][0]],
                    weights[p],
                    _("household point {point} lies in {n} grids: {grids}", point=hh_ids[p],
                      n=len(named), grids=_(", ").join(named)), points[p])
    return counts


def _staff_checks(out: _Findings, project: Project, ids: np.ndarray, comm: np.ndarray,
                  usable: np.ndarray) -> None:
    if "staff" not in project.layers or not len(ids):
        return
    lacking = missing_roles(project)
    if not len(lacking):
        return
    names = {"grid_head": _("grid head"), "full_time": _("full-time worker"),
             "police": _("police officer")}
    position = {g: i for i, g in enumerate(ids)}
    for rec in lacking.itertuples(index=False):
        gid = str(rec.grid_id)
        roles = [names[r] for r in CORE_ROLES if getattr(rec, f"lacks_{r}")]
        i = position.get(gid)
        if i is None:
            continue
        out.add("missing_staff", "warning", gid, comm[i], len(roles),
                _("grid {grid} has no {roles}", grid=gid, roles=_(", no ").join(roles)),
                usable[i])


def _band_counts(ctx: AnalysisContext, usable: np.ndarray, households: gpd.GeoDataFrame,
                 counts: np.ndarray) -> np.ndarray:
    """Return what the band counts per grid: households, plus floating residents if asked."""
    if ctx.settings.band_floating_weight <= 0 or not len(households):
        return counts
    weights = ctx.household_weights(band=True)
    member = point_membership(usable, np.asarray(households.geometry.array, dtype=object))
    hit = member.grid_index >= 0
    return np.bincount(member.grid_index[hit], weights=weights[hit],
                       minlength=len(counts)).astype(np.int64)


def _work_group_checks(out: _Findings, project: Project, ids: np.ndarray, comm: np.ndarray,
                       usable: np.ndarray) -> None:
    minimum = dict(project.config.work_group_minimum)
    if "staff" not in project.layers or not len(ids) or not any(
            v > 0 for v in minimum.values()):
        return
    short = work_group_shortfalls(project.layer("grids"), project.layer("staff"), minimum)
    position = {g: i for i, g in enumerate(ids)}
    for gid, rows in short.groupby("grid_id", sort=False):
        i = position.get(str(gid))
        if i is None:
            continue
        lacking = _(", ").join(_("{member} {have:g} of {need:g}",
                                 member=member_label(str(r.member)), have=r.have,
                                 need=r.need) for r in rows.itertuples(index=False))
        out.add("work_group", "warning", str(gid), comm[i], len(rows),
                _("grid {grid}'s work group is short of the minimum members per grid: "
                  "{lacking} (setting work_group_minimum; a member serving n grids counts "
                  "1/n in each)", grid=gid, lacking=lacking), usable[i])


def _code_checks(out: _Findings, ids: np.ndarray, comm: np.ndarray, usable: np.ndarray) -> None:
    series = pd.Series(ids)
    dup = series.duplicated(keep=False).to_numpy() & (series != "").to_numpy()
    for code in sorted(set(ids[dup])):
        where = np.flatnonzero(ids == code)
        out.add("duplicate_code", "warning", [code] * len(where), comm[where[0]], len(where),
                _("grid code {code} is used by {n} grids: give each its own code", code=code,
                  n=len(where)),
                shapely.union_all(usable[where]))
    for i, (code, cid) in enumerate(zip(ids, comm, strict=True)):
        problem = ""
        if not code.strip():
            problem = _("grid code '{code}' is empty")
        elif not _CODE_CHARS.match(code):
            problem = _("grid code '{code}' holds spaces or characters other than letters, "
                        "digits, '-', '_', '.'")
        elif cid and not code.startswith(cid):
            problem = _("grid code '{code}' does not start with its community's code "
                        "{community}")
        elif cid and code == cid:
            problem = _("grid code '{code}' is the community's code {community} itself, "
                        "without a grid number")
        elif cid and cid.isdigit() and not code[len(cid):].isdigit():
            problem = _("grid code '{code}' should be the community code {community} "
                        "followed by digits")
        if problem:
            out.add("malformed_code", "warning", code, cid, 0.0,
                    problem.format(code=code, community=cid), usable[i])
