"""Generate a synthetic, Jinhua-like district (婺城区, code 330702) with known problems.

The district is a distorted lattice of main roads around urban Wucheng
(119.64 E, 29.08 N), in CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549).
Every lattice cell is a *block*: one grid (网格), or two grids split along the
block's cross lane in the dense centre. Blocks are grouped into communities (社区)
and communities into streets (街道), so the service areas tile exactly. Inside a
block, two north-south lanes and one east-west lane cut six compounds (小区); each
compound has a central path with buildings on both sides and a short stub path to
each building's door. Household points sit at building centres.

Everything is drawn from one seed: the same ``scale`` and ``seed`` give identical
layers, geometry and attributes alike. All work is vectorised with numpy and
shapely array functions; only per-street and per-community steps loop.

Planted problems
----------------
Real data is never clean, and the checks of GridPlanner need something to find.
Each scale carries, at seeded random places:

- ``grid_gap``: two neighbouring grids ``[a, b]``; ``a`` is shrunk by 3 m along the
  side it shares with ``b``, leaving a sliver gap between them.
- ``grid_overlap``: two other neighbours ``[c, d]``; ``c`` grows 6 m into ``d``.
- ``grid_low_households`` / ``grid_high_households``: grids planned with 160-260
  and 580-780 households, outside the 300-500 band (3 each at sample scale, about
  5 % of grids at larger scales). All other grids hold 300-500 households.
- ``grid_no_full_time`` (3 grids at sample scale, about 5 %) and ``grid_no_head``
  (1 grid, about 1 %): grids missing part of their 1+1+1+X staff.
- Camera rows with impossible values, one problem each: ``camera_range_nonpositive``
  (range 0 and -10 m), ``camera_range_too_large`` (5000 m), ``camera_fov_invalid``
  (0 and 400 degrees), ``camera_azimuth_invalid`` (370), ``camera_category_missing``
  (``<NA>``), ``camera_duplicate_id`` (the id two rows share),
  ``camera_same_position`` (two cameras on one spot), ``camera_outside_grids`` (one
  camera 2.5 km beyond the district).
- Road messiness: ``road_crossing_without_vertex`` (in a few blocks the lanes are
  single straight lines that cross each other, and the compound paths end on them,
  without a shared vertex), ``road_dangling_end`` (lanes that stop 1-3 m short of
  the road they should meet) and ``road_isolated_piece`` (one compound's paths,
  cut off from the network).
- ``grid_hot_incidents``: one urban grid given 30 extra dispute and public-order
  reports, the hot spot the incident statistics should find.

The organisation of the district (all drawn from a stream of its own, so adding it
left every other layer as it was): party members (``households.party_members``,
about one per eight households) and floating residents
(``households.floating_population``); party branches or groups on most grids
(``grids.party_branch``); the special grid's host unit (``grids.host_unit``,
``grids.host_kind``); party-member staff (``staff.party_member``) and the X
members' specialties (``staff.specialty`` of part-time staff); facilities of every
kind, the petition reception and citizen service centres without a cutoff of their
own (the per-kind default applies).

:func:`planted_problems` returns these as ``{problem: [ids]}``. For the default
seed at sample scale they are::

    grid_gap                 ['330702002002004', '330702002002005']
    grid_overlap             ['330702001001005', '330702001001006']
    grid_low_households      ['330702001001003', '330702001002001', '330702002003001']
    grid_high_households     ['330702001001002', '330702001002007', '330702002004002']
    grid_no_full_time        ['330702001002008', '330702001004001', '330702002004003']
    grid_no_head             ['330702001001008']
    camera_range_nonpositive ['C001873', 'C001624']
    camera_range_too_large   ['C000263']
    camera_fov_invalid       ['C000345', 'C000868']
    camera_azimuth_invalid   ['C001415']
    camera_category_missing  ['C000562']
    camera_duplicate_id      ['C000972']
    camera_same_position     ['C000547', 'C001344']
    camera_outside_grids     ['C000690']
    grid_hot_incidents       ['330702002003002']

(road ids are listed by :func:`planted_problems` too; they are many and change
whenever the road layout does.)

Units and conventions
---------------------
``speed_kmh`` on roads is the walking speed along it (4.0 km/h on arterials,
where crossings interrupt the walk, 4.3 on secondary roads, 4.5 on lanes and
paths). Azimuths are degrees clockwise from grid north of EPSG:4549 (about 0.2
degrees from true north here). Incident times are naive local time (UTC+8). A
police officer covers two or three grids: the ``grid_id`` of a police row lists
them separated by ``;``, the grid of the officer's base first.

Command line::

    python -m sample_data.generate --scale sample --seed 20200410 --out district.gpkg
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from functools import reduce
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from sample_data import _names

CRS = "EPSG:4549"
DISTRICT_CODE = "330702"
DISTRICT_NAME = "婺城区"
#: Centre of the generated district: urban Wucheng, Jinhua (lon, lat, CGCS2000).
CENTRE_LONLAT = (119.64, 29.08)
DEFAULT_SEED = 20200410

LAYER_NAMES = (
    "service_areas",
    "grids",
    "households",
    "buildings",
    "roads",
    "cameras",
    "staff",
    "facilities",
    "incidents",
)


@dataclass(frozen=True)
class Scale:
    """Size parameters of one generated district.

    Attributes
    ----------
    blocks
        Lattice cells (blocks) east-west and north-south.
    block_m
        Typical block side in metres (blocks grow towards the edge).
    streets
        Street tiles east-west and north-south.
    community_blocks
        Typical community size in blocks (east-west, north-south).
    split_blocks
        Blocks that hold two grids instead of one.
    slots
        Building slots on each side of a compound path.
    cameras
        Cameras to place.
    incidents_per_grid
        Incident reports per grid.
    households
        Range of households planned for an ordinary grid.
    """

    blocks: tuple[int, int]
    block_m: float
    streets: tuple[int, int]
    community_blocks: tuple[int, int]
    split_blocks: int
    slots: int
    cameras: int
    incidents_per_grid: float
    households: tuple[int, int]


#: The three sizes of SPEC section 7.
SCALES: dict[str, Scale] = {
    "sample": Scale(
        blocks=(8, 6), block_m=420.0, streets=(2, 1), community_blocks=(2, 3), split_blocks=2,
        slots=9, cameras=2_000, incidents_per_grid=6.0, households=(330, 470),
    ),
    "district": Scale(
        blocks=(20, 19), block_m=460.0, streets=(4, 2), community_blocks=(2, 3), split_blocks=20,
        slots=12, cameras=15_000, incidents_per_grid=6.0, households=(310, 440),
    ),
    "city": Scale(
        blocks=(72, 70), block_m=440.0, streets=(8, 7), community_blocks=(2, 3), split_blocks=260,
        slots=10, cameras=115_000, incidents_per_grid=6.0, households=(400, 499),
    ),
}  # fmt: skip

# Positions inside a block, in block coordinates (u west-east, v south-north, 0..1).
# Every shared point is computed from these same constants, so neighbours agree to
# the last bit and roads meet at identical vertices.
_EDGE_U = np.array([0.0, 1 / 6, 1 / 3, 1 / 2, 2 / 3, 5 / 6, 1.0])  # cross-lane breaks
_EDGE_V = np.array([0.0, 0.5, 1.0])
_LANE_U = _EDGE_U[[2, 4]]  # the two north-south lanes
_SPINE_U = _EDGE_U[[1, 3, 5]]  # compound paths, one per column of compounds
_MID_V = _EDGE_V[1]  # the east-west cross lane

# Setbacks (metres) that keep buildings clear of roads.
_LANE_SETBACK = 12.0
_ARTERIAL_SETBACK = 15.0
_SIDE_SETBACK = 10.0
_PATH_GAP = 6.0  # from a compound path to the facing wall

_HOUSE, _APARTMENT, _SHOP = 0, 1, 2

#: Walking speed (km/h) along each kind of road: slower where crossings and traffic
#: lights interrupt the walk. The expressway is not walkable at all.
_SPEED = {"arterial": 4.0, "secondary": 4.3, "lane": 4.5, "path": 4.5, "expressway": 4.5}
_CAPACITY = {"grid_head": 500, "full_time": 500, "police": 3000, "part_time": 80}
_ROLE_ORDER = ("grid_head", "full_time", "police", "part_time")
_INCIDENT_START = np.datetime64("2020-01-01T00:00:00")
_INCIDENT_END = np.datetime64("2020-04-10T00:00:00")


# --------------------------------------------------------------------------- public


def generate_district(
    *, scale: str = "sample", seed: int = DEFAULT_SEED, feedback: Any = None
) -> dict[str, gpd.GeoDataFrame]:
    """Generate a synthetic district with all project layers.

    Parameters
    ----------
    scale
        ``"sample"`` (~20k households, ~50 grids), ``"district"`` (~150k, 400) or
        ``"city"`` (~2.4M, ~5k); see :data:`SCALES`.
    seed
        Random seed; the same seed and scale give identical layers.
    feedback
        Optional progress object with ``set_progress(fraction, message)`` and
        ``is_cancelled()``.

    Returns
    -------
    dict of str to GeoDataFrame
        ``service_areas``, ``grids``, ``households``, ``buildings``, ``roads``,
        ``cameras``, ``staff``, ``facilities`` and ``incidents``, all in EPSG:4549.

    Raises
    ------
    ValueError
        If ``scale`` is unknown.
    RuntimeError
        ``"cancelled"`` when ``feedback.is_cancelled()`` turns true.
    """
    layers, planted = _build(scale, seed, feedback)
    _remember(scale, seed, planted)
    return layers


def planted_problems(*, scale: str = "sample", seed: int = DEFAULT_SEED) -> dict[str, list[str]]:
    """Return the ids carrying each planted problem (see the module docstring).

    Parameters
    ----------
    scale, seed
        As for :func:`generate_district`.

    Returns
    -------
    dict of str to list of str
        Problem name to grid, camera or road ids.
    """
    if (scale, seed) not in _PLANTED:
        _remember(scale, seed, _build(scale, seed, None)[1])
    return {key: list(ids) for key, ids in _PLANTED[(scale, seed)].items()}


#: Planted ids of the last few districts generated, so that asking for them right
#: after :func:`generate_district` does not build the district again.
_PLANTED: dict[tuple[str, int], dict[str, list[str]]] = {}


def _remember(scale: str, seed: int, planted: dict[str, list[str]]) -> None:
    _PLANTED[(scale, seed)] = planted
    while len(_PLANTED) > 8:
        del _PLANTED[next(iter(_PLANTED))]


# ------------------------------------------------------------------------ pipeline


def _build(
    scale_name: str, seed: int, feedback: Any
) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, list[str]]]:
    if scale_name not in SCALES:
        raise ValueError(f"unknown scale {scale_name!r}; use one of {sorted(SCALES)}")
    scale = SCALES[scale_name]
    # One independent stream per stage: changing one stage leaves the others alone.
    # Stream 10 (the organisation's columns) came later: spawning one more child
    # leaves the first ten streams, and so every other layer, as they were.
    streams = np.random.SeedSequence([seed, list(SCALES).index(scale_name)]).spawn(11)
    rng = [np.random.default_rng(s) for s in streams]

    _progress(feedback, 0.0, "laying out blocks")
    blocks = _Blocks(_lattice(scale, rng[0]))
    hier = _hierarchy(blocks, scale, rng[1])
    grids = _grids(blocks, hier, scale, rng[2])
    _progress(feedback, 0.1, "drawing grids and service areas")
    grid_polys = _grid_polygons(blocks, grids)
    service = _service_areas(grid_polys, grids, hier)
    grid_polys = _plant_gap_and_overlap(grid_polys, grids)
    _progress(feedback, 0.2, "placing buildings and households")
    slots = _slots(blocks, grids, scale, rng[3])
    households, buildings = _households(slots, grids, blocks, rng[4])
    _progress(feedback, 0.45, "building the road network")
    roads, road_planted = _roads(blocks, slots, scale, rng[5])
    _progress(feedback, 0.65, "placing cameras")
    cameras, camera_planted = _cameras(blocks, slots, grids, scale, rng[6])
    _progress(feedback, 0.8, "staffing grids")
    staff = _staff(blocks, grids, rng[7])
    facilities = _facilities(blocks, hier, rng[8])
    incidents = _incidents(blocks, households, grids, scale, rng[9])
    _progress(feedback, 0.9, "assembling layers")

    layers = {
        "service_areas": service,
        "grids": _frame(
            {
                "grid_id": grids.ids,
                "name": grids.names,
                "community_id": hier.comm_codes[grids.comm],
                "kind": grids.kind,
                "locked": grids.locked,
            },
            grid_polys,
        ),
        "households": households,
        "buildings": buildings,
        "roads": roads,
        "cameras": cameras,
        "staff": staff,
        "facilities": facilities,
        "incidents": incidents,
    }
    hot = _organise(layers, blocks, hier, grids, rng[10])
    planted = {key: grids.ids[idx].tolist() for key, idx in grids.planted.items()}
    planted["grid_hot_incidents"] = [str(grids.ids[hot])]
    planted.update(camera_planted)
    planted.update(road_planted)
    _progress(feedback, 1.0, "done")
    return layers, planted


def _progress(feedback: Any, fraction: float, message: str) -> None:
    """Report progress; stop with ``RuntimeError("cancelled")`` when asked to."""
    if feedback is None:
        return
    if feedback.is_cancelled():
        raise RuntimeError("cancelled")
    feedback.set_progress(fraction, message)


def _frame(columns: dict[str, Any], geometry: Any) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=geometry, crs=CRS)


def _ids(prefix: str, count: int, width: int = 6) -> np.ndarray:
    """Return ``prefix`` + 1..count, zero-padded (wider if the count needs it)."""
    width = max(width, len(str(count)))
    return _cat(prefix, np.strings.zfill(np.arange(1, count + 1).astype(str), width))


def _cat(*parts: Any) -> np.ndarray:
    """Concatenate string arrays and scalars element-wise (vectorised)."""
    return reduce(np.strings.add, parts)


# -------------------------------------------------------------------- block lattice


def _origin() -> np.ndarray:
    """Projected position of the district centre, rounded to the metre."""
    to_gk = Transformer.from_crs("EPSG:4490", CRS, always_xy=True)
    return np.round(np.array(to_gk.transform(*CENTRE_LONLAT)))


def _spacing(count: int, block_m: float, rng: np.random.Generator) -> np.ndarray:
    """Road positions along one axis: blocks widen from the old centre outwards."""
    t = (np.arange(count) + 0.5) / count * 2 - 1
    widths = block_m * (0.85 + 0.4 * t**2) * rng.uniform(0.92, 1.08, count)
    edges = np.concatenate([[0.0], np.cumsum(widths)])
    return edges - edges[-1] / 2


def _lattice(scale: Scale, rng: np.random.Generator) -> np.ndarray:
    """Main-road crossings, shape ``(ny + 1, nx + 1, 2)``, south to north, west to east."""
    nx, ny = scale.blocks
    gx, gy = np.meshgrid(_spacing(nx, scale.block_m, rng), _spacing(ny, scale.block_m, rng))
    pts = np.stack([gx, gy], axis=-1)
    wobble = 0.035 * scale.block_m
    pts += np.clip(rng.normal(0.0, wobble, pts.shape), -2 * wobble, 2 * wobble)
    # A gentle bend, as the old town's streets follow the Wu river (婺江).
    pts[..., 1] += 0.25 * scale.block_m * np.sin(pts[..., 0] / (3 * scale.block_m))
    angle = np.deg2rad(rng.uniform(-14.0, -6.0))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return pts @ rot.T + _origin()


class _Blocks:
    """The lattice cells, with a bilinear map from block coordinates to metres."""

    def __init__(self, lattice: np.ndarray) -> None:
        self.lattice = lattice
        self.ny, self.nx = lattice.shape[0] - 1, lattice.shape[1] - 1
        self.count = self.nx * self.ny
        self.j, self.i = np.divmod(np.arange(self.count), self.nx)
        i, j = self.i, self.j
        # Corners A (south-west), B (south-east), C (north-east), D (north-west).
        self.corners = np.stack(
            [lattice[j, i], lattice[j, i + 1], lattice[j + 1, i + 1], lattice[j + 1, i]]
        )
        self.centre = self.at(np.arange(self.count), 0.5, 0.5)
        mid = self.centre.mean(axis=0)
        radius = np.linalg.norm(self.centre - mid, axis=1)
        self.radius = radius / radius.max()  # 0 at the district centre, 1 at the edge
        self.middle = mid
        self.edge = (i == 0) | (j == 0) | (i == self.nx - 1) | (j == self.ny - 1)

    def index(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Block number of lattice cell ``(i, j)``."""
        return j * self.nx + i

    def at(self, blk: Any, u: Any, v: Any) -> np.ndarray:
        """Points at block coordinates ``(u, v)`` of blocks ``blk`` (broadcast)."""
        a, b, c, d = (self.corners[k][blk] for k in range(4))
        u = np.asarray(u, dtype=float)[..., None]
        v = np.asarray(v, dtype=float)[..., None]
        # The term order matters: a point on a shared edge evaluates to the same two
        # non-zero terms from both blocks, so neighbours get bit-identical vertices.
        return a * ((1 - u) * (1 - v)) + b * (u * (1 - v)) + c * (u * v) + d * ((1 - u) * v)

    def u_axis(self, blk: Any, v: Any) -> np.ndarray:
        """Return unit vectors along the block's west-east direction at height ``v``."""
        v = np.asarray(v, dtype=float)[..., None]
        a, b, c, d = (self.corners[k][blk] for k in range(4))
        return _unit((b - a) * (1 - v) + (c - d) * v)


def _unit(vec: np.ndarray) -> np.ndarray:
    return vec / np.linalg.norm(vec, axis=-1, keepdims=True)


def _perp(vec: np.ndarray) -> np.ndarray:
    """Rotate by +90 degrees (west-east becomes south-north)."""
    return np.stack([-vec[..., 1], vec[..., 0]], axis=-1)


def _bearing(vec: np.ndarray) -> np.ndarray:
    """Compass bearing of vectors, degrees clockwise from north."""
    return np.degrees(np.arctan2(vec[..., 0], vec[..., 1])) % 360.0


# ------------------------------------------------------------------------ hierarchy


@dataclass
class _Hierarchy:
    block_comm: np.ndarray
    comm_street: np.ndarray
    street_codes: np.ndarray
    street_names: np.ndarray
    comm_codes: np.ndarray
    comm_names: np.ndarray


def _cuts(count: int, size: float, rng: np.random.Generator) -> np.ndarray:
    """Cut ``range(count)`` into runs of about ``size``, cut points nudged at random."""
    parts = max(1, round(count / size))
    cuts = np.round(np.linspace(0, count, parts + 1)).astype(int)
    for k in range(1, parts):
        cuts[k] = np.clip(cuts[k] + rng.integers(-1, 2), cuts[k - 1] + 1, cuts[k + 1] - 1)
    return cuts


def _hierarchy(blocks: _Blocks, scale: Scale, rng: np.random.Generator) -> _Hierarchy:
    """Group blocks into communities and communities into streets (rectangular tiles)."""
    sx, sy = scale.streets
    cx, cy = scale.community_blocks
    xcuts, ycuts = _cuts(blocks.nx, blocks.nx / sx, rng), _cuts(blocks.ny, blocks.ny / sy, rng)
    block_comm = np.empty(blocks.count, dtype=int)
    comm_street: list[int] = []
    comm_codes: list[str] = []
    street = 0
    for y0, y1 in pairwise(ycuts):
        for x0, x1 in pairwise(xcuts):
            street += 1
            ccx, ccy = x0 + _cuts(x1 - x0, cx, rng), y0 + _cuts(y1 - y0, cy, rng)
            number = 0
            for a0, a1 in pairwise(ccy):
                for b0, b1 in pairwise(ccx):
                    inside = (blocks.i >= b0) & (blocks.i < b1) & (blocks.j >= a0) & (blocks.j < a1)
                    block_comm[inside] = len(comm_street)
                    comm_street.append(street - 1)
                    number += 1
                    comm_codes.append(f"{DISTRICT_CODE}{street:03d}{number:03d}")
    street_codes = np.array([f"{DISTRICT_CODE}{s:03d}" for s in range(1, street + 1)])
    street_names = _names.extend_names(_names.STREET_NAMES, street)
    return _Hierarchy(
        block_comm=block_comm,
        comm_street=np.array(comm_street),
        street_codes=street_codes,
        street_names=np.array(street_names),
        comm_codes=np.array(comm_codes),
        comm_names=np.array(_names.community_names(len(comm_codes), rng)),
    )


# ---------------------------------------------------------------------------- grids


@dataclass
class _Grids:
    block: np.ndarray  # block of each grid
    half: np.ndarray  # -1 whole block, 0 south half, 1 north half
    comm: np.ndarray
    ids: np.ndarray
    names: np.ndarray
    kind: np.ndarray
    locked: np.ndarray
    target: np.ndarray  # planned households
    of_block: np.ndarray  # (blocks, 2): grid of each block half
    planted: dict[str, np.ndarray]
    gap_pair: tuple[int, int]
    overlap_pair: tuple[int, int]

    @property
    def count(self) -> int:
        return len(self.block)


def _rank_in_groups(groups: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Rank (0-based) of each element by ``key`` among elements of its group."""
    order = np.lexsort((key, groups))
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    run = np.diff(np.r_[starts, len(groups)])
    rank = np.empty(len(groups), dtype=int)
    rank[order] = np.arange(len(groups)) - np.repeat(starts, run)
    return rank


def _grids(blocks: _Blocks, hier: _Hierarchy, scale: Scale, rng: np.random.Generator) -> _Grids:
    """Decide the grids of every block, their ids, names, kinds and planned households."""
    rural_block = blocks.edge & (rng.random(blocks.count) < 0.3)
    split = _split_blocks(blocks, rural_block, scale.split_blocks, rng)
    block = np.repeat(np.arange(blocks.count), 1 + split)
    first = np.r_[True, block[1:] != block[:-1]]
    half = np.where(split[block], (~first).astype(int), -1)
    comm = hier.block_comm[block]
    # Number grids within their community from south-west to north-east.
    order = np.lexsort((half, blocks.i[block], blocks.j[block], comm))
    block, half, comm = block[order], half[order], comm[order]
    count = len(block)
    number = (_rank_in_groups(comm, np.arange(count)) + 1).astype(str)

    of_block = np.empty((blocks.count, 2), dtype=int)
    of_block[block, np.maximum(half, 0)] = np.arange(count)
    of_block[block, np.where(half < 0, 1, half)] = np.arange(count)

    kind = np.where(rural_block[block], "rural", "urban").astype("<U7")
    whole_urban = np.flatnonzero((kind == "urban") & (half < 0) & ~blocks.edge[block])
    special = rng.choice(whole_urban, max(1, count // 80), replace=False)
    kind[special] = "special"
    label = np.full(count, "", dtype="<U8")
    label[special] = _cat("（", np.resize(np.array(_names.SPECIAL_LABELS), len(special)), "）")

    gap_pair, overlap_pair = _neighbour_pairs(blocks, block, half, comm, rng)
    target, planted = _plant_grid_problems(count, scale.households, rng)
    planted = {"grid_gap": np.array(gap_pair), "grid_overlap": np.array(overlap_pair), **planted}
    # Lock a couple of grids (a school, a finished redraw) away from the planted pairs.
    free = np.setdiff1d(np.arange(count), np.r_[gap_pair, overlap_pair])
    locked = np.zeros(count, dtype=bool)
    locked[rng.choice(free, max(2, count // 50), replace=False)] = True
    return _Grids(
        block=block,
        half=half,
        comm=comm,
        ids=_cat(hier.comm_codes[comm], np.strings.zfill(number, 3)),
        names=_cat(hier.comm_names[comm], "第", number, "网格", label),
        kind=kind,
        locked=locked,
        target=target,
        of_block=of_block,
        planted=planted,
        gap_pair=gap_pair,
        overlap_pair=overlap_pair,
    )


def _split_blocks(
    blocks: _Blocks, rural: np.ndarray, count: int, rng: np.random.Generator
) -> np.ndarray:
    """Pick the blocks that hold two grids: dense ones, mostly near the old centre."""
    weight = np.where(rural | blocks.edge, 0.0, np.exp(-4 * blocks.radius**2))
    split = np.zeros(blocks.count, dtype=bool)
    split[rng.choice(blocks.count, count, replace=False, p=weight / weight.sum())] = True
    return split


def _plant_grid_problems(
    count: int, band: tuple[int, int], rng: np.random.Generator
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Plan households per grid; pick disjoint grids for band and staffing problems."""
    n_band, n_head = max(3, round(0.05 * count)), max(1, round(0.01 * count))
    perm = rng.permutation(count)
    cuts = np.cumsum([0, n_band, n_band, n_band, n_head])
    keys = ("grid_low_households", "grid_high_households", "grid_no_full_time", "grid_no_head")
    planted = {k: np.sort(perm[a:b]) for k, a, b in zip(keys, cuts[:-1], cuts[1:], strict=True)}
    target = rng.integers(band[0], band[1] + 1, count)
    target[planted["grid_low_households"]] = rng.integers(160, 261, n_band)
    target[planted["grid_high_households"]] = rng.integers(580, 781, n_band)
    return target, planted


def _neighbour_pairs(
    blocks: _Blocks,
    block: np.ndarray,
    half: np.ndarray,
    comm: np.ndarray,
    rng: np.random.Generator,
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Two disjoint pairs of whole-block grids side by side in one community."""
    whole = np.full(blocks.count, -1)
    whole[block[half < 0]] = np.flatnonzero(half < 0)
    west = whole[blocks.index(blocks.i[:-1], blocks.j[:-1])]
    east_blocks = np.arange(blocks.count - 1) + 1
    east = whole[east_blocks]
    ok = (west >= 0) & (east >= 0) & (blocks.i[:-1] < blocks.nx - 1)
    ok &= np.where(ok, comm[np.maximum(west, 0)] == comm[np.maximum(east, 0)], False)
    candidates = np.flatnonzero(ok)[rng.permutation(int(ok.sum()))]
    first = (int(west[candidates[0]]), int(east[candidates[0]]))
    for c in candidates[1:]:
        pair = (int(west[c]), int(east[c]))
        if not set(pair) & set(first):
            return first, pair
    raise RuntimeError("no two disjoint neighbouring grids to plant a gap and an overlap")


# Rings of a whole block and of its two halves, in block coordinates (counter-clockwise).
_U0, _U1, _U2, _U3 = _EDGE_U[[0, 2, 4, 6]]
_V0, _V1, _V2 = _EDGE_V
_RINGS = {
    -1: (
        (_U0, _V0),
        (_U1, _V0),
        (_U2, _V0),
        (_U3, _V0),
        (_U3, _V1),
        (_U3, _V2),
        (_U2, _V2),
        (_U1, _V2),
        (_U0, _V2),
        (_U0, _V1),
    ),
    0: (
        (_U0, _V0),
        (_U1, _V0),
        (_U2, _V0),
        (_U3, _V0),
        (_U3, _V1),
        (_U2, _V1),
        (_U1, _V1),
        (_U0, _V1),
    ),
    1: (
        (_U0, _V1),
        (_U1, _V1),
        (_U2, _V1),
        (_U3, _V1),
        (_U3, _V2),
        (_U2, _V2),
        (_U1, _V2),
        (_U0, _V2),
    ),
}


def _grid_polygons(blocks: _Blocks, grids: _Grids) -> np.ndarray:
    """Grid polygons; the halves of a split block carry the cross-lane vertices."""
    polys = np.empty(grids.count, dtype=object)
    for half, ring in _RINGS.items():
        sel = np.flatnonzero(grids.half == half)
        uv = np.array(ring)
        pts = blocks.at(grids.block[sel][:, None], uv[:, 0], uv[:, 1])
        polys[sel] = shapely.polygons(pts)
    return polys


def _service_areas(grid_polys: np.ndarray, grids: _Grids, hier: _Hierarchy) -> gpd.GeoDataFrame:
    """Communities as unions of their grids, streets as unions of their communities."""
    comm_polys = np.array(
        [
            shapely.coverage_union_all(grid_polys[grids.comm == c])
            for c in range(len(hier.comm_codes))
        ]
    )
    street_polys = np.array(
        [
            shapely.coverage_union_all(comm_polys[hier.comm_street == s])
            for s in range(len(hier.street_codes))
        ]
    )
    n_s, n_c = len(street_polys), len(comm_polys)
    return _frame(
        {
            "area_id": np.r_[hier.street_codes, hier.comm_codes],
            "name": np.r_[hier.street_names, hier.comm_names],
            "level": np.r_[np.full(n_s, "street"), np.full(n_c, "community")],
            "parent_id": np.r_[np.full(n_s, DISTRICT_CODE), hier.street_codes[hier.comm_street]],
            "committee": np.r_[np.full(n_s, ""), _cat(hier.comm_names, "大党委")],
        },
        np.r_[street_polys, comm_polys],
    )


def _plant_gap_and_overlap(grid_polys: np.ndarray, grids: _Grids) -> np.ndarray:
    """Shrink one grid away from its neighbour; grow another into its neighbour."""
    polys = grid_polys.copy()
    a, b = grids.gap_pair
    polys[a] = shapely.difference(polys[a], shapely.buffer(polys[b], 3.0, join_style="mitre"))
    c, d = grids.overlap_pair
    grown = shapely.intersection(polys[d], shapely.buffer(polys[c], 6.0, join_style="mitre"))
    polys[c] = shapely.union(polys[c], grown)
    return polys


# ------------------------------------------------------------------ buildings, homes


@dataclass
class _Slots:
    """Building slots: one building each, on either side of a compound path."""

    block: np.ndarray
    col: np.ndarray  # compound column 0..2 (west to east)
    row: np.ndarray  # 0 south of the cross lane, 1 north of it
    step: np.ndarray  # 0 next to the cross lane .. slots-1 next to the main road
    side: np.ndarray  # -1 west of the path, +1 east of it
    grid: np.ndarray
    junction: np.ndarray  # where the stub leaves the compound path
    door: np.ndarray  # end of the stub, just outside the wall
    centre: np.ndarray
    u_axis: np.ndarray
    v_axis: np.ndarray
    width: np.ndarray
    depth: np.ndarray
    kind: np.ndarray
    height: np.ndarray


def _slots(blocks: _Blocks, grids: _Grids, scale: Scale, rng: np.random.Generator) -> _Slots:
    """Lay out building slots along the compound paths of every block."""
    k = scale.slots
    blk, col, row, step, side = (a.ravel() for a in np.indices((blocks.count, 3, 2, k, 2)))
    side = side * 2 - 1
    uc = _SPINE_U[col]
    # Slot positions along the path, measured in metres from the cross lane.
    length = np.linalg.norm(blocks.at(blk, uc, 1.0) - blocks.at(blk, uc, 0.0), axis=1)
    pitch = (length / 2 - _LANE_SETBACK - _ARTERIAL_SETBACK) / k
    dist = _LANE_SETBACK + pitch * (step + 0.5)
    v = np.where(row == 0, _MID_V - dist / length, _MID_V + dist / length)
    junction = blocks.at(blk, uc, v)
    u_axis = blocks.u_axis(blk, v)
    v_axis = _perp(u_axis)
    across = np.linalg.norm(blocks.at(blk, 1.0, v) - blocks.at(blk, 0.0, v), axis=1) / 6
    grid = grids.of_block[blk, row]

    kind = _slot_kinds(grids, grid, step == k - 1, rng)
    width, depth, height = _building_sizes(kind, across, pitch, rng)
    door = junction + side[:, None] * u_axis * (_PATH_GAP - 0.5)
    centre = junction + side[:, None] * u_axis * (_PATH_GAP + width / 2)[:, None]
    return _Slots(
        block=blk,
        col=col,
        row=row,
        step=step,
        side=side,
        grid=grid,
        junction=junction,
        door=door,
        centre=centre,
        u_axis=u_axis,
        v_axis=v_axis,
        width=width,
        depth=depth,
        kind=kind,
        height=height,
    )


def _slot_kinds(
    grids: _Grids, grid: np.ndarray, on_main_road: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Shops along main roads, apartments where the grid's household target needs them."""
    gkind = grids.kind[grid]
    p_shop = np.where(on_main_road, np.where(gkind == "rural", 0.1, 0.35), 0.03)
    p_shop = np.where(gkind == "special", 0.3, p_shop)
    kind = np.where(rng.random(len(grid)) < p_shop, _SHOP, _HOUSE)
    # Apartment blocks hold ~72 households and houses ~2.5: pick just enough
    # apartments per grid to reach its planned total.
    homes = np.bincount(grid[kind == _HOUSE], minlength=grids.count)
    share = (grids.target / np.maximum(homes, 1) - 2.5) / 70.0
    share = np.where(grids.kind == "rural", 0.0, np.clip(share, 0.0, 0.5))
    n_apartments = np.round(share * homes).astype(int)
    res = np.flatnonzero(kind == _HOUSE)
    rank = _rank_in_groups(grid[res], rng.random(len(res)))
    kind[res[rank < n_apartments[grid[res]]]] = _APARTMENT
    return kind


def _building_sizes(
    kind: np.ndarray, across: np.ndarray, pitch: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Footprint width (along the block), depth and height of each building."""
    n = len(kind)
    # Houses, apartment slabs and shops, in that order (the kind codes).
    width = np.choose(
        kind, [rng.uniform(10, 16, n), rng.uniform(30, 48, n), rng.uniform(12, 28, n)]
    )
    depth = np.choose(kind, [rng.uniform(8, 12, n), rng.uniform(11, 16, n), rng.uniform(10, 14, n)])
    floors = np.choose(kind, [rng.integers(2, 5, n), rng.integers(6, 19, n), rng.integers(1, 4, n)])
    storey = np.choose(kind, [3.2, 3.0, 4.5])
    # Never reach the lane or main road beyond the slot, nor the next slot.
    width = np.minimum(width, across - _PATH_GAP - _SIDE_SETBACK)
    depth = np.minimum(depth, 0.75 * pitch)
    return np.round(width, 1), np.round(depth, 1), np.round(floors * storey, 1)


def _apportion(groups: np.ndarray, weights: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Split integer ``totals`` per group in proportion to ``weights`` (largest remainder)."""
    size = len(totals)
    wsum = np.bincount(groups, weights, minlength=size)
    quota = totals[groups] * weights / wsum[groups]
    floor = np.floor(quota)
    left = totals - np.round(np.bincount(groups, floor, minlength=size)).astype(int)
    rank = _rank_in_groups(groups, floor - quota)  # largest remainder first
    return floor.astype(int) + (rank < left[groups])


def _households(
    slots: _Slots, grids: _Grids, blocks: _Blocks, rng: np.random.Generator
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Household points (one per residential building) and building footprints."""
    res = np.flatnonzero(slots.kind != _SHOP)
    grid = slots.grid[res]
    homes = np.bincount(grid, minlength=grids.count)
    total = np.maximum(grids.target, homes)  # every building holds at least one household
    weight = np.where(
        slots.kind[res] == _APARTMENT, rng.integers(24, 121, len(res)), rng.integers(1, 5, len(res))
    ).astype(float)
    households = 1 + _apportion(grid, weight, total - homes)
    population = households + rng.poisson(1.6 * households)

    half_w = (slots.width / 2)[:, None] * slots.u_axis
    half_d = (slots.depth / 2)[:, None] * slots.v_axis
    c = slots.centre
    rings = np.stack(
        [c - half_w - half_d, c + half_w - half_d, c + half_w + half_d, c - half_w + half_d], axis=1
    )
    buildings = _frame(
        {"building_id": _ids("B", len(c)), "height_m": slots.height}, shapely.polygons(rings)
    )
    points = _frame(
        {
            "household_id": _ids("H", len(res)),
            "households": households,
            "population": population,
            "address": _addresses(slots, blocks, res),
        },
        shapely.points(c[res]),
    )
    return points, buildings


def _addresses(slots: _Slots, blocks: _Blocks, idx: np.ndarray) -> np.ndarray:
    """``婺城区人民西路12号3幢``: the main road a compound opens to, gate and building."""
    ew_names, _ = _road_names(blocks)
    blk, row, col = slots.block[idx], slots.row[idx], slots.col[idx]
    road = ew_names[blocks.j[blk] + row]
    # Odd numbers on the south side of a road, even on the north, as on door plates.
    gate = 2 * (3 * blocks.i[blk] + col) + np.where(row == 1, 1, 2)
    building = 2 * slots.step[idx] + (slots.side[idx] > 0) + 1
    return _cat(DISTRICT_NAME, road, gate.astype(str), "号", building.astype(str), "幢")


def _road_names(blocks: _Blocks) -> tuple[np.ndarray, np.ndarray]:
    """Names of the east-west (路) and north-south (街) main roads, south/west first."""
    ew = _names.extend_names(_names.EW_ROAD_NAMES, blocks.ny + 1, "段")
    ns = _names.extend_names(_names.NS_ROAD_NAMES, blocks.nx + 1, "段")
    return np.array(ew), np.array(ns)


# -------------------------------------------------------------------------- roads


class _RoadBuilder:
    """Collects batches of road lines; ids follow the order of the batches."""

    def __init__(self) -> None:
        self.geoms: list[Any] = []
        self.columns: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.count = 0

    def add(self, coords: np.ndarray, name: Any, kind: Any, walkable: bool = True) -> np.ndarray:
        """Add lines ``coords`` (lines, points, 2); return their row numbers."""
        n = len(coords)
        self.geoms.append(shapely.linestrings(coords))
        self.columns.append(
            (
                np.broadcast_to(np.asarray(name, dtype=str), (n,)),
                np.broadcast_to(np.asarray(kind, dtype=str), (n,)),
                np.full(n, walkable),
            )
        )
        self.count += n
        return np.arange(self.count - n, self.count)

    def frame(self) -> gpd.GeoDataFrame:
        name, kind, walkable = (np.concatenate(c) for c in zip(*self.columns, strict=True))
        speed = np.select(
            [~walkable] + [kind == k for k in _SPEED], [_SPEED["expressway"], *_SPEED.values()]
        )
        return _frame(
            {
                "road_id": _ids("R", self.count),
                "name": name,
                "kind": kind,
                "walkable": walkable,
                "speed_kmh": speed,
            },
            np.concatenate(self.geoms),
        )


class _MainRoads(NamedTuple):
    """Break points of every main-road edge between two lattice crossings.

    ``ew`` holds east-west edges ``(edges, 7, 2)``, ``ns`` north-south edges
    ``(edges, 3, 2)``; ``row`` and ``col`` give their lattice line, ``*_block`` the
    block the points were computed from. The block on the other side of an edge
    computes the very same values.
    """

    ew: np.ndarray
    row: np.ndarray
    ew_block: np.ndarray
    ns: np.ndarray
    col: np.ndarray
    ns_block: np.ndarray


def _main_road_points(blocks: _Blocks) -> _MainRoads:
    """Compute the break points of all main-road edges (see :class:`_MainRoads`)."""
    nx, ny = blocks.nx, blocks.ny
    row, hi = np.divmod(np.arange((ny + 1) * nx), nx)
    ew_block = blocks.index(hi, np.minimum(row, ny - 1))
    ew = blocks.at(ew_block[:, None], _EDGE_U[None, :], np.where(row < ny, 0.0, 1.0)[:, None])
    vj, col = np.divmod(np.arange(ny * (nx + 1)), nx + 1)
    ns_block = blocks.index(np.minimum(col, nx - 1), vj)
    ns = blocks.at(ns_block[:, None], np.where(col < nx, 0.0, 1.0)[:, None], _EDGE_V[None, :])
    return _MainRoads(ew, row, ew_block, ns, col, ns_block)


def _segments(pts: np.ndarray, wobble: float, rng: np.random.Generator) -> np.ndarray:
    """Cut polylines ``(lines, points, 2)`` into 3-point segments with a wobbly midpoint."""
    start, end = pts[:, :-1].reshape(-1, 2), pts[:, 1:].reshape(-1, 2)
    mid = (start + end) / 2 + np.clip(rng.normal(0, wobble, start.shape), -2 * wobble, 2 * wobble)
    return np.stack([start, mid, end], axis=1)


def _line_names(prefix: np.ndarray, number: np.ndarray, tail: str) -> np.ndarray:
    return _cat(prefix, number.astype(str), tail)


def _roads(
    blocks: _Blocks, slots: _Slots, scale: Scale, rng: np.random.Generator
) -> tuple[gpd.GeoDataFrame, dict[str, list[str]]]:
    """Lay out main roads, lanes, compound paths and stubs, with planted digitising faults."""
    roads = _RoadBuilder()
    ew_names, ns_names = _road_names(blocks)
    ew, row, _, ns, col, _ = _main_road_points(blocks)
    ew_rows = np.repeat(row, 6)
    roads.add(
        _segments(ew, 0.8, rng),
        ew_names[ew_rows],
        np.where(ew_rows % 3 == 0, "arterial", "secondary"),
    )
    ns_cols = np.repeat(col, 2)
    roads.add(
        _segments(ns, 0.8, rng),
        ns_names[ns_cols],
        np.where(ns_cols % 3 == 0, "arterial", "secondary"),
    )
    _expressway(roads, blocks, rng)

    n_cross = max(3, blocks.count // 100)
    crossing = np.zeros(blocks.count, dtype=bool)
    crossing[rng.choice(blocks.count, n_cross, replace=False)] = True
    crossing_rows, dangling_rows = _lanes(roads, blocks, crossing, ew_names, ns_names, rng)

    isolated_rows = _compound_paths(roads, blocks, slots, scale, crossing, rng)
    frame = roads.frame()
    ids = frame["road_id"].to_numpy()
    return frame, {
        "road_crossing_without_vertex": ids[crossing_rows].tolist(),
        "road_dangling_end": ids[dangling_rows].tolist(),
        "road_isolated_piece": ids[isolated_rows].tolist(),
    }


def _expressway(roads: _RoadBuilder, blocks: _Blocks, rng: np.random.Generator) -> None:
    """Add an elevated expressway 120 m south of the district, with two ramps; not walkable."""
    south, second = blocks.lattice[0], blocks.lattice[1]
    line = south - 120.0 * _unit(second - south)
    roads.add(_segments(line[None], 1.0, rng), _names.EXPRESSWAY_NAME, "arterial", walkable=False)
    ramps = np.array([blocks.nx // 3, 2 * blocks.nx // 3])
    roads.add(
        np.stack([south[ramps], line[ramps]], axis=1),
        _names.EXPRESSWAY_NAME,
        "arterial",
        walkable=False,
    )


def _lanes(
    roads: _RoadBuilder,
    blocks: _Blocks,
    crossing: np.ndarray,
    ew_names: np.ndarray,
    ns_names: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Add two north-south lanes and one east-west cross lane to every block.

    In ``crossing`` blocks each lane is one straight line, so they cross without a
    shared vertex. Elsewhere lanes break at every junction; a few of them stop
    short of the main road. Returns the rows of both kinds of fault.
    """
    ok = np.flatnonzero(~crossing)
    bad = np.flatnonzero(crossing)
    i, j = blocks.i, blocks.j
    cross_pts = blocks.at(ok[:, None], _EDGE_U[None, :], _MID_V)
    roads.add(
        _segments(cross_pts, 0.3, rng),
        _line_names(ns_names[i[ok]], j[ok] + 1, "巷")[np.repeat(np.arange(len(ok)), 6)],
        "lane",
    )
    lane_pts = blocks.at(ok[:, None, None], _LANE_U[None, :, None], _EDGE_V[None, None, :])
    lane_segs = _segments(lane_pts.reshape(-1, 3, 2), 0.3, rng)  # (block, lane, half) order
    lane_no = 2 * i[ok][:, None] + np.arange(1, 3)
    lane_names = _line_names(np.repeat(ew_names[j[ok]], 2), lane_no.ravel(), "弄")

    # Dangling ends: pull the main-road end of a few lane halves back by 1.2-2.8 m.
    dangling = rng.choice(len(lane_segs), max(4, blocks.count // 50), replace=False)
    end = np.where(dangling % 2 == 0, 0, 2)  # south half starts on the road, north half ends
    tip, other = lane_segs[dangling, end], lane_segs[dangling, 2 - end]
    lane_segs[dangling, end] = tip + _unit(other - tip) * rng.uniform(1.2, 2.8, len(tip))[:, None]
    rows = roads.add(lane_segs, np.repeat(lane_names, 2), "lane")

    straight = np.concatenate(
        [
            np.stack([blocks.at(bad, 0.0, _MID_V), blocks.at(bad, 1.0, _MID_V)], axis=1),
            np.stack([blocks.at(bad, _LANE_U[0], 0.0), blocks.at(bad, _LANE_U[0], 1.0)], axis=1),
            np.stack([blocks.at(bad, _LANE_U[1], 0.0), blocks.at(bad, _LANE_U[1], 1.0)], axis=1),
        ]
    )
    names = np.r_[
        _line_names(ns_names[i[bad]], j[bad] + 1, "巷"),
        _line_names(ew_names[j[bad]], 2 * i[bad] + 1, "弄"),
        _line_names(ew_names[j[bad]], 2 * i[bad] + 2, "弄"),
    ]
    crossing_rows = roads.add(straight, names, "lane")
    return crossing_rows, rows[np.sort(dangling)]


def _compound_paths(
    roads: _RoadBuilder,
    blocks: _Blocks,
    slots: _Slots,
    scale: Scale,
    crossing: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Add each compound's central path (gate to far end) and a stub to every door.

    One compound loses its gate segment: an isolated piece. Returns its rows.
    """
    k = scale.slots
    cell_blk = slots.block[:: 2 * k]
    cell_col, cell_row = slots.col[:: 2 * k], slots.row[:: 2 * k]
    gate = blocks.at(cell_blk, _SPINE_U[cell_col], _MID_V)
    junctions = slots.junction[::2].reshape(-1, k, 2)
    chain = np.concatenate([gate[:, None], junctions], axis=1)
    segs = np.stack([chain[:, :-1], chain[:, 1:]], axis=2)  # (cells, k, 2, 2)

    isolated = rng.choice(np.flatnonzero(~crossing[cell_blk]))
    keep = np.ones(segs.shape[:2], dtype=bool)
    keep[isolated, 0] = False
    path_rows = roads.add(segs[keep], "", "path")
    # About a third of compounds have a back gate onto the main road.
    through = (rng.random(len(cell_blk)) < 0.35) & (np.arange(len(cell_blk)) != isolated)
    far = blocks.at(
        cell_blk[through], _SPINE_U[cell_col[through]], np.where(cell_row[through] == 0, 0.0, 1.0)
    )
    roads.add(np.stack([junctions[through, -1], far], axis=1), "", "path")
    stub_rows = roads.add(np.stack([slots.junction, slots.door], axis=1), "", "path")

    cut_off = path_rows[np.flatnonzero(keep.ravel()) // k == isolated]
    stubs = stub_rows[slots.block * 6 + slots.col * 2 + slots.row == isolated]
    return np.r_[cut_off, stubs]


# ------------------------------------------------------------------------- cameras


@dataclass
class _Sites:
    """Candidate camera sites of one category."""

    pos: np.ndarray
    azimuth: np.ndarray  # NaN for all-round domes
    block: np.ndarray
    weight: np.ndarray

    @staticmethod
    def join(parts: list[_Sites]) -> _Sites:
        fields = ("pos", "azimuth", "block", "weight")
        return _Sites(*(np.concatenate([getattr(p, f) for p in parts]) for f in fields))

    def take(self, idx: np.ndarray) -> _Sites:
        return _Sites(self.pos[idx], self.azimuth[idx], self.block[idx], self.weight[idx])


def _aimed(pos: np.ndarray, look: np.ndarray, block: np.ndarray, weight: Any = 1.0) -> _Sites:
    weight = np.broadcast_to(np.asarray(weight, float), len(pos)).copy()
    return _Sites(pos, _bearing(look), np.broadcast_to(block, len(pos)), weight)


def _category1_sites(blocks: _Blocks) -> _Sites:
    """Domes at main crossings; bullets along main roads and at lane crossings."""
    nodes = blocks.lattice.reshape(-1, 2)
    node_j, node_i = np.divmod(np.arange(len(nodes)), blocks.nx + 1)
    # 7 m in from the crossing: clear of the kerbs, well inside a grid.
    domes = _Sites(
        nodes + 7.0 * _unit(blocks.middle - nodes),
        np.full(len(nodes), np.nan),
        blocks.index(np.minimum(node_i, blocks.nx - 1), np.minimum(node_j, blocks.ny - 1)),
        np.full(len(nodes), 3.0),
    )
    main = _main_road_points(blocks)
    parts = [domes]
    for edges, edge_block in ((main.ew, main.ew_block), (main.ns, main.ns_block)):
        inner = edges[:, 1:-1]
        base = inner.reshape(-1, 2)
        along = np.repeat(_unit(edges[:, -1] - edges[:, 0]), inner.shape[1], axis=0)
        block = np.repeat(edge_block, inner.shape[1])
        side = _perp(along)
        side *= np.sign(np.sum(side * (blocks.middle - base), axis=1))[:, None]
        for look in (along, -along):
            # A pole 4 m off the kerb, a little behind the spot it watches.
            parts.append(_aimed(base + 4.0 * side - 1.5 * look, look, block))
    blk = np.repeat(np.arange(blocks.count), 2)
    crossings = blocks.at(blk, np.tile(_LANE_U, blocks.count), _MID_V)
    u_axis = blocks.u_axis(blk, _MID_V)
    for look in (u_axis, -u_axis, _perp(u_axis), -_perp(u_axis)):
        parts.append(_aimed(crossings + 2.5 * _perp(look), look, blk))
    return _Sites.join(parts)


def _category23_sites(blocks: _Blocks, slots: _Slots, k: int) -> tuple[_Sites, _Sites]:
    """Gate and path cameras of compounds (2); door and shop-front cameras (3)."""
    junction = slots.junction[::2].reshape(-1, k, 2)
    u_axis = slots.u_axis[::2].reshape(-1, k, 2)
    cell_blk, cell_col = slots.block[:: 2 * k], slots.col[:: 2 * k]
    gate = blocks.at(cell_blk, _SPINE_U[cell_col], _MID_V)
    inward = _unit(junction[:, 0] - gate)
    gates = _aimed(gate + 3.0 * inward + 1.5 * u_axis[:, 0], -inward, cell_blk, 3.0)
    back = _unit(junction[:, :-1] - junction[:, 1:]).reshape(-1, 2)
    along_path = (junction[:, 1:] + 2.0 * u_axis[:, 1:]).reshape(-1, 2) - back
    paths = _aimed(along_path, back, np.repeat(cell_blk, k - 1))
    cat2 = _Sites.join([gates, paths])

    facing_path = -slots.side[:, None] * slots.u_axis
    door_weight = np.choose(slots.kind, [1.0, 2.0, 4.0])
    doors = _aimed(slots.door + 0.3 * slots.v_axis, facing_path, slots.block, door_weight)
    shop = np.flatnonzero((slots.kind == _SHOP) & (slots.step == k - 1))
    out = np.where(slots.row[shop] == 0, -1.0, 1.0)[:, None] * slots.v_axis[shop]
    front = slots.centre[shop] + (slots.depth[shop] / 2 + 0.5)[:, None] * out
    fronts = _aimed(front, out, slots.block[shop], 4.0)
    return cat2, _Sites.join([doors, fronts])


def _cameras(
    blocks: _Blocks, slots: _Slots, grids: _Grids, scale: Scale, rng: np.random.Generator
) -> tuple[gpd.GeoDataFrame, dict[str, list[str]]]:
    """Sample cameras from candidate sites: 30 % category 1, 40 % category 2, 30 % 3."""
    rural_block = np.zeros(blocks.count, dtype=bool)
    rural_block[grids.block[grids.kind == "rural"]] = True
    pools = (_category1_sites(blocks), *_category23_sites(blocks, slots, scale.slots))
    wanted = np.round(scale.cameras * np.array([0.3, 0.4, 0.3])).astype(int)
    picked = []
    for pool, n in zip(pools, wanted, strict=True):
        # Fewer cameras in the rural fringe.
        w = pool.weight * np.where(rural_block[pool.block], 0.3, 1.0)
        idx = np.sort(rng.choice(len(w), min(n, len(w)), replace=False, p=w / w.sum()))
        picked.append(pool.take(idx))
    sizes = [len(p.pos) for p in picked]
    sites = _Sites.join(picked)
    category = np.repeat([1, 2, 3], sizes)
    n = len(category)
    dome = np.isnan(sites.azimuth)
    lo = np.choose(category - 1, [60.0, 25.0, 15.0])
    hi = np.choose(category - 1, [150.0, 60.0, 40.0])
    range_m = np.where(dome, rng.uniform(40, 80, n), rng.uniform(lo, hi)).round()
    fov = np.choose(
        category - 1, [rng.uniform(40, 90, n), rng.uniform(60, 100, n), rng.uniform(70, 110, n)]
    ).round()
    fov[dome] = 360.0
    frame = _frame(
        {
            "camera_id": _ids("C", n),
            "category": pd.array(category, dtype="Int64"),
            "range_m": range_m,
            "azimuth_deg": sites.azimuth.round(1),
            "fov_deg": fov,
            "status": np.where(rng.random(n) < 0.05, "offline", "online"),
        },
        shapely.points(sites.pos),
    )
    return frame, _plant_camera_faults(frame, blocks, rng)


def _plant_camera_faults(
    cameras: gpd.GeoDataFrame, blocks: _Blocks, rng: np.random.Generator
) -> dict[str, list[str]]:
    """Spoil a handful of camera rows in place, one problem each; return their ids."""
    rows = rng.choice(np.flatnonzero(cameras["azimuth_deg"].notna().to_numpy()), 12, replace=False)
    ids = cameras["camera_id"].to_numpy().copy()
    cameras.loc[rows[[0, 1, 2]], "range_m"] = [0.0, -10.0, 5000.0]
    cameras.loc[rows[[3, 4]], "fov_deg"] = [0.0, 400.0]
    cameras.loc[rows[5], "azimuth_deg"] = 370.0
    cameras.loc[rows[6], "category"] = pd.NA
    cameras.loc[rows[7], "camera_id"] = ids[rows[8]]
    geom = cameras.geometry.to_numpy().copy()
    geom[rows[9]] = geom[rows[10]]
    lowest = blocks.lattice.reshape(-1, 2).min(axis=0)
    geom[rows[11]] = shapely.points(lowest - 2500.0)
    cameras.geometry = geom
    return {
        "camera_range_nonpositive": ids[rows[[0, 1]]].tolist(),
        "camera_range_too_large": [ids[rows[2]]],
        "camera_fov_invalid": ids[rows[[3, 4]]].tolist(),
        "camera_azimuth_invalid": [ids[rows[5]]],
        "camera_category_missing": [ids[rows[6]]],
        "camera_duplicate_id": [ids[rows[8]]],
        "camera_same_position": ids[rows[[9, 10]]].tolist(),
        "camera_outside_grids": [ids[rows[11]]],
    }


# --------------------------------------------------------------- staff, facilities


def _near_lane(
    blocks: _Blocks, blk: np.ndarray, half: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Return points 2.5-4.5 m off a block's cross lane, on the side of the given half.

    Buildings keep 12 m from the lane, so these points are always in the open.
    """
    n = len(blk)
    u = rng.uniform(0.06, 0.94, n)
    side = np.where(half == 0, -1.0, np.where(half == 1, 1.0, rng.choice([-1.0, 1.0], n)))
    off = _perp(blocks.u_axis(blk, _MID_V)) * (side * rng.uniform(2.5, 4.5, n))[:, None]
    return blocks.at(blk, u, _MID_V) + off


def _police_groups(comm: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Split each community's grids into runs of 2-3, one police officer per run.

    Returns the first grid of each run and the run's length.
    """
    starts = np.flatnonzero(np.r_[True, comm[1:] != comm[:-1]])
    ends = np.r_[starts[1:], len(comm)]
    first: list[int] = []
    for start, end in zip(starts, ends, strict=True):  # one loop step per community
        at = start
        while at < end:
            left = end - at
            size = left if left <= 3 else (2 if left == 4 else int(rng.integers(2, 4)))
            first.append(int(at))
            at += size
    first_arr = np.array(first, dtype=int)
    return first_arr, np.diff(np.r_[first_arr, len(comm)])


def _staff(blocks: _Blocks, grids: _Grids, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Staff every grid 1+1+1+X, minus the planted gaps in the roster.

    A police officer covers two or three neighbouring grids of one community; the
    officer's ``grid_id`` lists them separated by ``;``, the base grid first.
    """
    every = np.arange(grids.count)
    head = np.setdiff1d(every, grids.planted["grid_no_head"])
    full_time = np.setdiff1d(every, grids.planted["grid_no_full_time"])
    police, covers = _police_groups(grids.comm, rng)
    part_time = np.repeat(every, rng.integers(2, 7, grids.count))
    grid = np.r_[head, full_time, police, part_time]
    role = np.repeat(np.arange(4), [len(head), len(full_time), len(police), len(part_time)])
    ids = grids.ids
    last = grids.count - 1
    police_ids = _cat(
        ids[police],
        np.where(covers > 1, _cat(";", ids[np.minimum(police + 1, last)]), ""),
        np.where(covers > 2, _cat(";", ids[np.minimum(police + 2, last)]), ""),
    )
    grid_ids = np.r_[ids[head], ids[full_time], police_ids, ids[part_time]]
    order = np.lexsort((role, grid))
    grid, role, grid_ids = grid[order], role[order], grid_ids[order]
    n = len(grid)
    return _frame(
        {
            "staff_id": _ids("S", n, 5),
            "name": _names.person_names(n, rng),
            "role": np.array(_ROLE_ORDER)[role],
            "capacity": np.array([_CAPACITY[r] for r in _ROLE_ORDER])[role],
            "grid_id": grid_ids,
            "phone": _names.phone_numbers(n, rng),
        },
        shapely.points(_near_lane(blocks, grids.block[grid], grids.half[grid], rng)),
    )


def _central_block(blocks: _Blocks, group: np.ndarray) -> np.ndarray:
    """Return, for each group of blocks, the block nearest the group's mean centre."""
    size = group.max() + 1
    count = np.bincount(group, minlength=size)[:, None]
    mean = np.stack([np.bincount(group, blocks.centre[:, d], size) for d in (0, 1)], 1) / count
    dist = np.linalg.norm(blocks.centre - mean[group], axis=1)
    first = _rank_in_groups(group, dist) == 0
    return np.flatnonzero(first)[np.argsort(group[first])]


def _facilities(blocks: _Blocks, hier: _Hierarchy, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Place party centres, police stations and mediation and governance centres.

    One party service centre per community; a police station and a governance centre
    (综治中心) per street; one mediation centre per eight streets, the first one in the
    middle of the district.
    """
    comm_blk = _central_block(blocks, hier.block_comm)
    street_blk = _central_block(blocks, hier.comm_street[hier.block_comm])
    n_streets = len(hier.street_codes)
    stems = np.array(
        [n.removesuffix("街道").removesuffix("镇").removesuffix("乡") for n in hier.street_names]
    )
    n_med = max(1, n_streets // 8)
    med_blk = np.r_[
        np.argmin(np.linalg.norm(blocks.centre - blocks.middle, axis=1)),
        rng.choice(street_blk, n_med - 1, replace=False),
    ].astype(int)
    med_names = np.array(
        [f"{DISTRICT_NAME}社会矛盾纠纷调处化解中心"]
        + [f"{DISTRICT_NAME}社会矛盾纠纷调处化解中心{k}分中心" for k in range(2, n_med + 1)]
    )
    blk = np.r_[comm_blk, street_blk, med_blk, street_blk]
    kind = np.repeat(
        ["party_centre", "police_station", "mediation_centre", "other"],
        [len(comm_blk), n_streets, n_med, n_streets],
    )
    name = np.r_[
        np.strings.add(hier.comm_names, "党群服务中心"),
        np.strings.add(stems, "派出所"),
        med_names,
        np.strings.add(hier.street_names, "综治中心"),
    ]
    cutoff = np.select(
        [kind == "party_centre", kind == "police_station", kind == "mediation_centre"],
        [1000.0, 2000.0, 3000.0],
        1500.0,
    )
    return _frame(
        {"facility_id": _ids("F", len(blk), 4), "kind": kind, "name": name, "cutoff_m": cutoff},
        shapely.points(_near_lane(blocks, blk, np.full(len(blk), -1), rng)),
    )


def _incidents(
    blocks: _Blocks,
    households: gpd.GeoDataFrame,
    grids: _Grids,
    scale: Scale,
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """Draw incident reports over early 2020: most at homes, some on main roads."""
    n = round(scale.incidents_per_grid * grids.count)
    at_home = round(0.85 * n)
    weight = households["households"].to_numpy().astype(float)
    homes = shapely.get_coordinates(households.geometry.to_numpy())
    home_pts = homes[rng.choice(len(homes), at_home, p=weight / weight.sum())]
    main = _main_road_points(blocks)
    road = np.r_[main.ew[:, 1:-1].reshape(-1, 2), main.ns[:, 1:-1].reshape(-1, 2)]
    road_pts = road[rng.integers(0, len(road), n - at_home)]
    pos = np.r_[home_pts, road_pts] + rng.normal(0, 4.0, (n, 2))
    kind = np.r_[
        rng.choice(np.array(_names.INCIDENT_KINDS), at_home, p=_names.INCIDENT_WEIGHTS),
        np.where(rng.random(n - at_home) < 0.6, "交通安全", "治安"),
    ]
    span = int((_INCIDENT_END - _INCIDENT_START) / np.timedelta64(1, "s"))
    when = _INCIDENT_START + rng.integers(0, span, n).astype("timedelta64[s]")
    order = np.argsort(when, kind="stable")
    return _frame(
        {"incident_id": _ids("E", n, 5), "kind": kind[order], "time": pd.to_datetime(when[order])},
        shapely.points(pos[order]),
    )


# ---------------------------------------------------------------- organisation

#: Share of staff who are party members, by role.
_PARTY_SHARE = {"grid_head": 0.85, "full_time": 0.55, "police": 0.9, "part_time": 0.45}
#: X members (part-time staff) by specialty, and how common each is.
_SPECIALTIES = ("part_time_worker", "auxiliary_police", "doctor", "health_inspector",
                "market_supervision", "law_enforcement", "other")
_SPECIALTY_WEIGHTS = (0.48, 0.14, 0.1, 0.06, 0.08, 0.08, 0.06)
#: Kind of host unit of each special-grid label.
_HOST_KINDS = {"农贸市场": "market", "中学校园": "school", "工业园区": "enterprise",
               "医院": "other"}
#: Extra incidents reported in one grid (a hot spot for the incident statistics).
_HOT_INCIDENTS = 30


def _organise(layers: dict[str, gpd.GeoDataFrame], blocks: _Blocks, hier: _Hierarchy,
              grids: _Grids, rng: np.random.Generator) -> int:
    """Add the organisation's columns and facilities; plant a hot spot of incidents.

    Party members live in about one household in eight; floating residents are
    about a third as many as households, more around special grids' host units.
    Most grids have a party branch (党支部) or party group (党小组); special grids
    name their host unit. Part-time staff are the X members of the work groups,
    each with a specialty. The governance centres are ``governance_centre``; a
    petition reception (信访超市) sits beside each mediation centre and a citizen
    service centre (便民服务中心) in each street, their cutoffs left to the
    per-kind default. Returns the position of the grid given extra incidents.
    """
    g = layers["grids"]
    special = grids.kind == "special"
    label = np.array([next((k for k in _HOST_KINDS if k in n), "") for n in grids.names])
    host = np.where(special, _cat(hier.comm_names[grids.comm], label), "")
    branch_draw = rng.random(grids.count)
    branch = np.where(branch_draw < 0.72, _cat(grids.names, "党支部"),
                      np.where(branch_draw < 0.88, _cat(grids.names, "党小组"), ""))
    layers["grids"] = _with(
        g, party_branch=branch, host_unit=host,
        host_kind=np.array([_HOST_KINDS.get(k, "") for k in label]))

    hh = layers["households"]
    count = hh["households"].to_numpy()
    at_special = np.zeros(len(hh), dtype=bool)
    for poly in g.geometry.values[special]:  # one step per special grid (a handful)
        at_special |= shapely.contains_xy(poly, *shapely.get_coordinates(hh.geometry.values).T)
    layers["households"] = _with(
        hh, party_members=rng.poisson(0.13 * count).astype(np.int64),
        floating_population=rng.poisson(np.where(at_special, 0.9, 0.3) * count).astype(
            np.int64))

    staff = layers["staff"]
    role = staff["role"].to_numpy()
    share = np.array([_PARTY_SHARE[r] for r in role])
    x_member = role == "part_time"
    specialty = np.where(x_member, rng.choice(np.array(_SPECIALTIES), len(staff),
                                              p=_SPECIALTY_WEIGHTS), "")
    layers["staff"] = _with(staff, party_member=rng.random(len(staff)) < share,
                            specialty=specialty)

    layers["facilities"] = _more_facilities(layers["facilities"], blocks, hier, rng)
    hot = int(rng.choice(np.flatnonzero(~special & (grids.kind == "urban"))))
    layers["incidents"] = _hot_incidents(layers["incidents"], hh, g.geometry.values[hot], rng)
    return hot


def _with(frame: gpd.GeoDataFrame, **columns: Any) -> gpd.GeoDataFrame:
    """Add columns before the geometry, which stays last."""
    out = frame.assign(**columns)
    return out[[c for c in out.columns if c != "geometry"] + ["geometry"]]


def _more_facilities(fac: gpd.GeoDataFrame, blocks: _Blocks, hier: _Hierarchy,
                     rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Name the governance centres' kind; add petition receptions and service centres."""
    kind = np.where(fac["kind"].to_numpy() == "other", "governance_centre", fac["kind"])
    fac = fac.assign(kind=kind)
    med = fac[fac["kind"] == "mediation_centre"]
    street_blk = _central_block(blocks, hier.comm_street[hier.block_comm])
    reception = shapely.get_coordinates(med.geometry.values) + rng.uniform(-6, 6, (len(med), 2))
    service = _near_lane(blocks, street_blk, np.full(len(street_blk), -1), rng)
    n_old, n_new = len(fac), len(med) + len(street_blk)
    added = _frame(
        {"facility_id": _ids("F", n_old + n_new, 4)[n_old:],
         "kind": np.repeat(["petition_reception", "service_centre"],
                           [len(med), len(street_blk)]),
         "name": np.r_[np.strings.replace(med["name"].to_numpy().astype(str),
                                          "社会矛盾纠纷调处化解中心", "信访超市"),
                       np.strings.add(hier.street_names, "便民服务中心")],
         "cutoff_m": np.full(n_new, np.nan)},
        shapely.points(np.r_[reception, service]))
    return pd.concat([fac, added], ignore_index=True)


def _hot_incidents(inc: gpd.GeoDataFrame, households: gpd.GeoDataFrame, grid: Any,
                   rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Add a cluster of disputes and public-order reports at homes of one grid."""
    homes = shapely.get_coordinates(households.geometry.values)
    inside = np.flatnonzero(shapely.contains_xy(grid, homes[:, 0], homes[:, 1]))
    pos = homes[rng.choice(inside, _HOT_INCIDENTS)] + rng.normal(0, 4.0, (_HOT_INCIDENTS, 2))
    span = int((_INCIDENT_END - _INCIDENT_START) / np.timedelta64(1, "s"))
    when = pd.to_datetime(_INCIDENT_START + rng.integers(0, span, _HOT_INCIDENTS).astype(
        "timedelta64[s]"))
    kind = np.where(rng.random(_HOT_INCIDENTS) < 0.6, "矛盾纠纷", "治安")
    every = pd.concat([inc, _frame({"incident_id": "", "kind": kind, "time": when},
                                   shapely.points(pos))], ignore_index=True)
    every = every.sort_values("time", kind="stable", ignore_index=True)
    return every.assign(incident_id=_ids("E", len(every), 5))


# ----------------------------------------------------------------------------- CLI


def write_layers(layers: dict[str, gpd.GeoDataFrame], path: str | Path) -> str:
    """Save layers as a GridPlanner project, or as plain GeoPackage layers.

    Parameters
    ----------
    layers
        Layers as returned by :func:`generate_district`.
    path
        Target ``.gpkg`` file; replaced if it exists.

    Returns
    -------
    str
        ``"project"`` or ``"geopackage"``: which writer was used.
    """
    path = Path(path)
    try:
        from gridplanner.project import Project, save_project
    except ImportError:
        # Keep the .gpkg extension (GDAL warns otherwise) and write beside the target.
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}.gpkg")
        tmp.unlink(missing_ok=True)
        for name, frame in layers.items():
            frame.to_file(tmp, layer=name, driver="GPKG")
        tmp.replace(path)
        return "geopackage"
    save_project(Project(layers=layers, settings={}), path)
    return "project"


class _ConsoleFeedback:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def set_progress(self, fraction: float, message: str) -> None:
        elapsed = time.perf_counter() - self.start
        print(f"{elapsed:6.1f}s {fraction:4.0%} {message}", file=sys.stderr)

    def is_cancelled(self) -> bool:
        return False


def main(argv: list[str] | None = None) -> int:
    """Command line: generate a district and write it to a GeoPackage."""
    parser = argparse.ArgumentParser(
        prog="python -m sample_data.generate", description="Generate a synthetic district."
    )
    parser.add_argument("--scale", choices=list(SCALES), default="sample")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, required=True, help="target .gpkg file")
    args = parser.parse_args(argv)
    layers = generate_district(scale=args.scale, seed=args.seed, feedback=_ConsoleFeedback())
    how = write_layers(layers, args.out)
    for name, frame in layers.items():
        print(f"{name:14s} {len(frame):>9,d}")
    print(f"wrote {args.out} ({how}, {args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
