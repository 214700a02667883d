"""The walking graph: noding the ``roads`` layer into nodes and straight edges.

Public API
----------
- :func:`build_network` turns a roads frame into a :class:`RoadNetwork`: lines are
  split where they share a vertex or cross (only between lines of the same
  ``level``, so a bridge drawn over a road does not meet it, while a bridge's ends
  still join the road they touch), line ends closer than ``join_tolerance_m`` to
  another end or line are joined, roads with ``walkable`` false are dropped.
- :func:`intersections` gives the road nodes of degree >= 3 as points.
- :func:`components` lists the disconnected pieces (count, size, where).
- :meth:`RoadNetwork.matrix` gives the symmetric sparse weight matrix for
  ``scipy.sparse.csgraph``; :meth:`RoadNetwork.to_networkx` the networkx model.

Every edge of the network is one straight piece of a road segment, so snapping a
point onto an edge and splitting it there is exact. Nodes include the degree-2
vertices of the drawn lines: shortest paths on the sparse matrix do not mind, and
road stretches keep their exact shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from gridplanner.feedback import Feedback, report
from gridplanner.i18n import _
from gridplanner.settings import DEFAULTS
from layers.errors import Problem

if TYPE_CHECKING:
    import networkx as nx

#: Walking speed used where a road has no usable ``speed_kmh``.
DEFAULT_SPEED_KMH = 4.5
#: Coordinates closer than this (metres) are the same vertex.
_SAME_POINT_M = 1e-3


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """A noded, undirected walking network.

    Attributes
    ----------
    node_xy
        Node coordinates, shape ``(n_nodes, 2)``, in ``crs``.
    edge_u, edge_v
        Node indices of each edge's ends (``edge_u < edge_v``; no parallel edges).
    edge_length_m
        Length of each edge in metres.
    edge_speed_kmh
        Walking speed on each edge.
    edge_road
        Row position in the roads frame each edge comes from.
    crs
        Coordinate system of ``node_xy`` (metric).
    problems
        Road rows that were skipped, and why.
    """

    node_xy: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length_m: np.ndarray
    edge_speed_kmh: np.ndarray
    edge_road: np.ndarray
    crs: Any = None
    problems: tuple[Problem, ...] = ()
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_xy)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self.edge_u)

    @cached_property
    def degree(self) -> np.ndarray:
        """Number of distinct neighbours of each node."""
        return np.bincount(
            np.concatenate([self.edge_u, self.edge_v]), minlength=self.n_nodes
        ).astype(np.int64)

    def edge_weight(self, weight: str = "length_m") -> np.ndarray:
        """Edge weights: ``"length_m"`` (metres) or ``"time_s"`` (seconds at speed)."""
        if weight == "length_m":
            return self.edge_length_m
        if weight == "time_s":
            return self.edge_length_m / (self.edge_speed_kmh / 3.6)
        raise ValueError(f"unknown weight {weight!r}: use 'length_m' or 'time_s'")

    def matrix(self, weight: str = "length_m") -> sparse.csr_matrix:
        """Symmetric CSR matrix of edge weights for ``scipy.sparse.csgraph``.

        Zero-length edges get a tiny positive weight, since csgraph reads an
        explicit zero as "no edge".
        """
        key = f"matrix:{weight}"
        if key not in self._cache:
            w = np.maximum(self.edge_weight(weight), 1e-9)
            n = self.n_nodes
            rows = np.concatenate([self.edge_u, self.edge_v])
            cols = np.concatenate([self.edge_v, self.edge_u])
            self._cache[key] = sparse.csr_matrix(
                (np.concatenate([w, w]), (rows, cols)), shape=(n, n)
            )
        return self._cache[key]

    @cached_property
    def component(self) -> np.ndarray:
        """Connected-piece label of every node (0 = the piece with most length)."""
        if self.n_nodes == 0:
            return np.zeros(0, dtype=np.int64)
        _, labels = connected_components(self.matrix(), directed=False)
        length = np.bincount(labels[self.edge_u], weights=self.edge_length_m,
                             minlength=labels.max() + 1)
        order = np.argsort(-length, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return rank[labels].astype(np.int64)

    def edge_lines(self) -> np.ndarray:
        """Each edge as a two-point shapely LineString."""
        if "lines" not in self._cache:
            pts = np.stack([self.node_xy[self.edge_u], self.node_xy[self.edge_v]], axis=1)
            self._cache["lines"] = shapely.linestrings(pts)
        return self._cache["lines"]

    def edge_tree(self) -> shapely.STRtree:
        """Spatial index over :meth:`edge_lines` (built once)."""
        if "edge_tree" not in self._cache:
            self._cache["edge_tree"] = shapely.STRtree(self.edge_lines())
        return self._cache["edge_tree"]

    def edge_vectors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Start point, direction and inverse squared length of every edge (built once)."""
        if "edge_vectors" not in self._cache:
            a = self.node_xy[self.edge_u]
            d = self.node_xy[self.edge_v] - a
            len2 = (d**2).sum(axis=1)
            inv = np.divide(1.0, len2, out=np.zeros_like(len2), where=len2 > 0)
            self._cache["edge_vectors"] = (a, d, inv)
        return self._cache["edge_vectors"]

    def edges_frame(self) -> gpd.GeoDataFrame:
        """Edges as a GeoDataFrame (``u``, ``v``, ``length_m``, ``road_row``, ``piece``)."""
        return gpd.GeoDataFrame(
            {
                "u": self.edge_u,
                "v": self.edge_v,
                "length_m": self.edge_length_m,
                "road_row": self.edge_road,
                "piece": self.component[self.edge_u] if self.n_edges else [],
            },
            geometry=self.edge_lines(),
            crs=self.crs,
        )

    def nodes_frame(self) -> gpd.GeoDataFrame:
        """Nodes as a GeoDataFrame (``node_id``, ``degree``, ``piece``)."""
        return gpd.GeoDataFrame(
            {
                "node_id": np.arange(self.n_nodes, dtype=np.int64),
                "degree": self.degree,
                "piece": self.component,
            },
            geometry=shapely.points(self.node_xy) if self.n_nodes else [],
            crs=self.crs,
        )

    def to_networkx(self, weight: str = "length_m") -> nx.Graph:
        """Return the network as a networkx Graph.

        Edges carry ``weight`` under that name, nodes carry ``x`` and ``y``.
        networkx is needed only here (``pip install networkx``); the engine's own
        distances go through ``scipy.sparse.csgraph``.
        """
        import networkx as nx

        G = nx.Graph()  # noqa: N806
        G.add_nodes_from(
            (int(i), {"x": float(x), "y": float(y)}) for i, (x, y) in enumerate(self.node_xy)
        )
        w = self.edge_weight(weight)
        G.add_weighted_edges_from(
            zip(self.edge_u.tolist(), self.edge_v.tolist(), w.tolist(), strict=True),
            weight=weight,
        )
        return G


# --------------------------------------------------------------------------- building


def build_network(
    roads: gpd.GeoDataFrame,
    *,
    join_tolerance_m: float = DEFAULTS.join_tolerance_m,
    feedback: Feedback | None = None,
) -> RoadNetwork:
    """Build the walking network of a roads layer.

    Parameters
    ----------
    roads
        Line layer in a metric CRS; optional columns ``walkable`` (bool, default
        true), ``speed_kmh`` and ``level`` (bridges and tunnels: lines of
        different levels meet only where one of them ends).
    join_tolerance_m
        Line ends closer than this to another line end or to another line are
        joined to it (undershoots and near misses of hand-drawn data).
    feedback
        Progress and cancellation.

    Returns
    -------
    RoadNetwork
        Nodes, straight edges and the problems found in the rows.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (10, 0)]),
    ...                                    LineString([(5, -5), (5, 5)])], crs=3857)
    >>> net = build_network(roads)
    >>> net.n_nodes, net.n_edges
    (5, 4)
    """
    report(feedback, 0.0, _("reading roads"))
    lines, row, level, speed, problems = _clean_lines(roads)
    report(feedback, 0.2, _("noding roads"))
    net = _node_lines(lines, row, level, speed, float(max(join_tolerance_m, 0.0)))
    report(feedback, 1.0, _("road network built"))
    return RoadNetwork(*net, crs=roads.crs, problems=tuple(problems))


def _column(roads: gpd.GeoDataFrame, name: str, default: Any) -> pd.Series:
    if name in roads.columns:
        return roads[name]
    return pd.Series([default] * len(roads), index=roads.index, dtype=object)


def _clean_lines(
    roads: gpd.GeoDataFrame,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[Problem]]:
    problems: list[Problem] = []
    geoms = np.asarray(roads.geometry.values, dtype=object)
    ids = _column(roads, "road_id", None).astype(object).to_numpy()
    walk_raw = _column(roads, "walkable", True)
    walkable = ~walk_raw.isin([False, 0, "false", "False", "0", "no", "否"]).to_numpy()
    speed = pd.to_numeric(_column(roads, "speed_kmh", DEFAULT_SPEED_KMH), errors="coerce")
    bad_speed = ~(speed > 0).to_numpy()
    speed = speed.where(~bad_speed, DEFAULT_SPEED_KMH).to_numpy(dtype=float)
    level = (
        pd.to_numeric(_column(roads, "level", 0), errors="coerce").fillna(0).to_numpy().astype(
            np.int64
        )
    )
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    for i in np.flatnonzero(missing):
        problems.append(Problem("road has no geometry; skipped", layer="roads", row=int(i),
                                feature_id=_fmt_id(ids[i]), column="geometry"))
    keep = ~missing & walkable
    kept = geoms[keep]
    if (shapely.get_type_id(kept) == 1).all():  # plain LineStrings: nothing to explode
        parts, part_row = kept, np.flatnonzero(keep)
    else:
        parts, part_row = shapely.get_parts(kept, return_index=True)
        part_row = np.flatnonzero(keep)[part_row]
    gtype = shapely.get_type_id(parts)
    is_line = np.isin(gtype, [1, 2])  # LineString, LinearRing
    for i in np.unique(part_row[~is_line]):
        problems.append(Problem("road part is not a line; skipped", layer="roads", row=int(i),
                                feature_id=_fmt_id(ids[i]), column="geometry",
                                hint="roads must be LineStrings"))
    parts, part_row = parts[is_line], part_row[is_line]
    coords = shapely.get_coordinates(parts)
    finite_part = np.ones(len(parts), dtype=bool)
    if len(coords) and not np.isfinite(coords).all():
        _, cidx = shapely.get_coordinates(parts, return_index=True)
        bad = ~np.isfinite(coords).all(axis=1)
        finite_part[np.unique(cidx[bad])] = False
        for i in np.unique(part_row[~finite_part]):
            problems.append(Problem("road has non-finite coordinates; skipped", layer="roads",
                                    row=int(i), feature_id=_fmt_id(ids[i]), column="geometry"))
    parts, part_row = parts[finite_part], part_row[finite_part]
    for i in np.flatnonzero(bad_speed & keep & (speed == DEFAULT_SPEED_KMH)):
        raw = _column(roads, "speed_kmh", None).iloc[i]
        if raw is not None and not (isinstance(raw, float) and np.isnan(raw)):
            problems.append(Problem(f"speed_kmh {raw!r} is not a positive number; "
                                    f"{DEFAULT_SPEED_KMH} km/h used", layer="roads",
                                    row=int(i), feature_id=_fmt_id(ids[i]), column="speed_kmh",
                                    severity="warning"))
    return parts, part_row, level[part_row], speed[part_row], problems


def _fmt_id(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value)


_NodedLines = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class _Segments:
    """The non-degenerate segments of the road lines, as numpy arrays."""

    a: np.ndarray  # start coordinates (n, 2)
    b: np.ndarray  # end coordinates (n, 2)
    line: np.ndarray  # line of each segment
    length: np.ndarray
    a_is_end: np.ndarray  # the start is the first point of its line
    b_is_end: np.ndarray  # the end is the last point of its line
    level: np.ndarray  # level of each segment's line

    def __len__(self) -> int:
        return len(self.a)


@dataclass
class _Candidates:
    """Node candidates: (segment, t along it, x/y, is a line end), and links between them.

    Every segment's two ends come first (start, then end), so a node placed at
    its first candidate sits on a real vertex where there is one.
    """

    seg: list[np.ndarray]
    t: list[np.ndarray]
    xy: list[np.ndarray]
    end: list[np.ndarray]
    links: list[np.ndarray] = field(default_factory=list)  # pairs that are one node
    n: int = 0

    @classmethod
    def of(cls, segs: _Segments) -> _Candidates:
        n = len(segs)
        return cls([np.arange(n), np.arange(n)], [np.zeros(n), np.ones(n)],
                   [segs.a, segs.b], [segs.a_is_end, segs.b_is_end], n=2 * n)

    def add(self, seg: np.ndarray, t: np.ndarray, xy: np.ndarray) -> np.ndarray:
        """Add inner candidates (no line ends); return their candidate indices."""
        self.seg.append(seg)
        self.t.append(t)
        self.xy.append(xy)
        self.end.append(np.zeros(len(seg), dtype=bool))
        index = self.n + np.arange(len(seg))
        self.n += len(seg)
        return index


def _node_lines(
    lines: np.ndarray,
    row: np.ndarray,
    level: np.ndarray,
    speed: np.ndarray,
    tol: float,
) -> _NodedLines:
    """Split the lines into a graph: node x/y, edge ends, lengths, speeds and rows."""
    segs = _segments(lines, level)
    if segs is None:
        empty_i = np.zeros(0, dtype=np.int64)
        return (np.zeros((0, 2)), empty_i, empty_i, np.zeros(0), np.zeros(0), empty_i)
    cand = _Candidates.of(segs)
    # One query finds every pair of segments that cross or touch, or where a line
    # end passes within the tolerance of another segment (only segments holding a
    # line end grow by the tolerance). The exact tests are numpy below.
    grow = np.where(segs.a_is_end | segs.b_is_end, max(tol, _SAME_POINT_M), _SAME_POINT_M)
    qi, qj = _SegmentIndex(segs.a, segs.b, grow).touching_pairs(segs.line)
    # Segments sharing a vertex (the usual case in noded data) are joined by the
    # location grouping below. (A collinear overlap starting at a shared vertex is
    # left unsplit: both pieces stay usable, one of them ends in a dead end.)
    a, b = segs.a, segs.b
    shared = (
        (a[qi] == a[qj]).all(axis=1) | (a[qi] == b[qj]).all(axis=1)
        | (b[qi] == a[qj]).all(axis=1) | (b[qi] == b[qj]).all(axis=1)
    )
    qi, qj = qi[~shared], qj[~shared]
    _add_crossings(segs, qi, qj, cand)
    _add_touches(segs, qi, qj, tol, cand)
    seg_all = np.concatenate(cand.seg)
    t_all = np.concatenate(cand.t)
    node, node_xy = _merge_nodes(segs, cand, tol)
    return _edges(segs, seg_all, t_all, node, node_xy, row, speed)


def _segments(lines: np.ndarray, level: np.ndarray) -> _Segments | None:
    """Cut the lines into their segments of non-zero length (None when there are none)."""
    coords, cidx = shapely.get_coordinates(lines, return_index=True)
    if len(coords) < 2:
        return None
    same = cidx[:-1] == cidx[1:]
    a = coords[:-1][same]
    b = coords[1:][same]
    seg_line = cidx[:-1][same]
    # Line ends, by position in the coordinate array.
    first_pos = np.r_[0, np.flatnonzero(cidx[1:] != cidx[:-1]) + 1]
    last_pos = np.r_[first_pos[1:] - 1, len(coords) - 1]
    pos = np.flatnonzero(same)  # coordinate index of each segment's start
    a_is_end = np.isin(pos, first_pos)
    b_is_end = np.isin(pos + 1, last_pos)
    seglen = np.hypot(*(b - a).T)
    nonzero = seglen > 0
    if not nonzero.any():
        return None
    seg_line = seg_line[nonzero]
    return _Segments(a[nonzero], b[nonzero], seg_line, seglen[nonzero], a_is_end[nonzero],
                     b_is_end[nonzero], level[seg_line])


def _add_crossings(segs: _Segments, qi: np.ndarray, qj: np.ndarray,
                   cand: _Candidates) -> None:
    """Add proper crossings in the interior of both segments (same level only)."""
    a, b = segs.a, segs.b
    p, r = a[qi], b[qi] - a[qi]
    q, s = a[qj], b[qj] - a[qj]
    denom = r[:, 0] * s[:, 1] - r[:, 1] * s[:, 0]
    qp = q - p
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (qp[:, 0] * s[:, 1] - qp[:, 1] * s[:, 0]) / denom
        u = (qp[:, 0] * r[:, 1] - qp[:, 1] * r[:, 0]) / denom
    eps_i = _SAME_POINT_M / segs.length[qi]
    eps_j = _SAME_POINT_M / segs.length[qj]
    cross = (
        (segs.level[qi] == segs.level[qj])
        & (np.abs(denom) > 1e-12)
        & (t > eps_i) & (t < 1 - eps_i)
        & (u > eps_j) & (u < 1 - eps_j)
    )
    if cross.any():
        ci, cj, ct, cu = qi[cross], qj[cross], t[cross], u[cross]
        cxy = p[cross] + ct[:, None] * r[cross]
        on_i = cand.add(ci, ct, cxy)
        on_j = cand.add(cj, cu, cxy)
        cand.links.append(np.stack([on_i, on_j], axis=1))


def _add_touches(segs: _Segments, qi: np.ndarray, qj: np.ndarray, tol: float,
                 cand: _Candidates) -> None:
    """Add segment ends lying on another segment, joined where the levels agree.

    T-junctions drawn without a shared vertex, overlaps, and line ends within the
    tolerance of another line (undershoots) join whatever the level.
    """
    a, b, n_seg = segs.a, segs.b, len(segs)
    cand_xy = np.concatenate([a, b])
    cand_end = np.concatenate([segs.a_is_end, segs.b_is_end])
    src = np.concatenate([qi, qi + n_seg, qj, qj + n_seg])
    dst = np.concatenate([qj, qj, qi, qi])
    own_seg = src % n_seg
    ok = cand_end[src] | (segs.level[own_seg] == segs.level[dst])
    limits = np.full(len(src), _SAME_POINT_M)
    # Line ends within the tolerance of another line (undershoots).
    if tol > 0:
        near = cand_end[src] & ~_same_line(src, dst, segs.line, n_seg)
        limits = np.where(near, tol, limits)
    src, dst, limits = src[ok], dst[ok], limits[ok]
    pxy = cand_xy[src]
    d0 = a[dst]
    dv = b[dst] - d0
    tt = np.clip(((pxy - d0) * dv).sum(axis=1) / (segs.length[dst] ** 2), 0.0, 1.0)
    foot = d0 + tt[:, None] * dv
    hit = np.hypot(*(pxy - foot).T) <= limits
    if hit.any():
        at = cand.add(dst[hit], tt[hit], foot[hit])
        cand.links.append(np.stack([at, src[hit]], axis=1))


def _merge_nodes(segs: _Segments, cand: _Candidates,
                 tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Node of each candidate and each node's x/y (at its first candidate)."""
    seg_all = np.concatenate(cand.seg)
    xy_all = np.concatenate(cand.xy)
    end_all = np.concatenate(cand.end)
    n_pt = len(seg_all)
    links = list(cand.links)
    # Line ends within the tolerance of each other are one node.
    if tol > 0:
        end_idx = np.flatnonzero(end_all)
        pairs = cKDTree(xy_all[end_idx]).query_pairs(tol, output_type="ndarray")
        links.append(end_idx[pairs])

    # Same location: one node, except inner vertices of different levels.
    key = np.round(xy_all / _SAME_POINT_M).astype(np.int64)
    loc = _group_ids(key[:, 0], key[:, 1])
    has_end = np.zeros(int(loc.max()) + 1, dtype=bool)
    has_end[loc[end_all]] = True
    lvl = np.where(has_end[loc], np.iinfo(np.int64).min, segs.level[seg_all])
    group = _group_ids(loc, lvl)
    n_group = int(group.max()) + 1
    link = np.concatenate(links) if links else np.zeros((0, 2), dtype=np.int64)
    g = sparse.coo_matrix(
        (np.ones(len(link)), (group[link[:, 0]], group[link[:, 1]])), shape=(n_group, n_group)
    )
    _, node_of_group = connected_components(g, directed=False)
    node = node_of_group[group]
    n_nodes = int(node.max()) + 1
    # A node sits at its first candidate: a real vertex where there is one.
    first = np.full(n_nodes, n_pt, dtype=np.int64)
    np.minimum.at(first, node, np.arange(n_pt))
    return node, xy_all[first]


def _edges(segs: _Segments, seg_all: np.ndarray, t_all: np.ndarray, node: np.ndarray,
           node_xy: np.ndarray, row: np.ndarray, speed: np.ndarray) -> _NodedLines:
    """Edges between consecutive candidates along each segment, parallels merged."""
    order = np.lexsort((t_all, seg_all))
    s_sorted, t_sorted, n_sorted = seg_all[order], t_all[order], node[order]
    nxt = s_sorted[1:] == s_sorted[:-1]
    eu, ev = n_sorted[:-1][nxt], n_sorted[1:][nxt]
    es = s_sorted[:-1][nxt]
    elen = (t_sorted[1:][nxt] - t_sorted[:-1][nxt]) * segs.length[es]
    real = eu != ev
    eu, ev, es, elen = eu[real], ev[real], es[real], elen[real]
    lo, hi = np.minimum(eu, ev), np.maximum(eu, ev)
    # Parallel edges: keep the shortest.
    order = np.lexsort((elen, hi, lo))
    lo, hi, es, elen = lo[order], hi[order], es[order], elen[order]
    first_of = np.r_[True, (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])]
    lo, hi, es, elen = lo[first_of], hi[first_of], es[first_of], elen[first_of]
    # Drop nodes no edge uses (points merged away), renumbering the rest.
    used = np.zeros(len(node_xy), dtype=bool)
    used[lo] = True
    used[hi] = True
    new_id = np.cumsum(used) - 1
    return (
        node_xy[used],
        new_id[lo].astype(np.int64),
        new_id[hi].astype(np.int64),
        elen.astype(float),
        speed[segs.line[es]].astype(float),
        row[segs.line[es]].astype(np.int64),
    )


#: Widest box of a segment piece: a long slanted segment's one box would
#: otherwise cover a whole district and pair it with everything inside.
_PIECE_M = 50.0
#: At most this many pieces per segment (a segment hundreds of km long).
_MAX_PIECES = 256
#: Boxes queried at a time, so that candidate pairs never pile up in memory.
_QUERY_BATCH = 50_000


class _SegmentIndex:
    """An STRtree over the segments, slanted ones cut into boxes at most ``_PIECE_M`` wide.

    Each segment's boxes grow by its own margin (the join tolerance only where a
    line ends, ``_SAME_POINT_M`` elsewhere): a road drawn with 10^6 vertices a
    centimetre apart would otherwise pair every vertex with the hundreds within
    the tolerance and run out of memory, and one long diagonal segment would pair
    with everything in its box. Queries run in batches and give each pair once.
    """

    def __init__(self, a: np.ndarray, b: np.ndarray, grow: np.ndarray) -> None:
        # A box is as wide as the shorter side of the segment's extent: only
        # slanted segments need cutting to keep their boxes small.
        side = np.abs(b - a).min(axis=1)
        k = np.clip(np.ceil(side / _PIECE_M), 1, _MAX_PIECES).astype(np.int64)
        self.piece_seg = np.repeat(np.arange(len(a)), k)
        step = np.arange(len(self.piece_seg)) - np.repeat(np.cumsum(k) - k, k)
        kk = k[self.piece_seg]
        d = (b - a)[self.piece_seg]
        p0 = a[self.piece_seg] + (step / kk)[:, None] * d
        p1 = a[self.piece_seg] + ((step + 1) / kk)[:, None] * d
        g = grow[self.piece_seg][:, None]
        lo, hi = np.minimum(p0, p1) - g, np.maximum(p0, p1) + g
        self.boxes = np.asarray(shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1]))
        self.tree = shapely.STRtree(self.boxes)
        self.n_seg = len(a)

    def touching_pairs(self, seg_line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Segment pairs ``i < j`` whose boxes meet, except neighbours on one line."""
        n = np.int64(self.n_seg)
        keys = [np.zeros(0, dtype=np.int64)]
        for start in range(0, len(self.boxes), _QUERY_BATCH):
            qp, qo = self.tree.query(self.boxes[start:start + _QUERY_BATCH])
            si, sj = self.piece_seg[qp + start], self.piece_seg[qo]
            # Consecutive segments of one line meet only at their shared vertex.
            keep = (si < sj) & ~((sj - si == 1) & (seg_line[si] == seg_line[sj]))
            keys.append(_unique_ints(si[keep] * n + sj[keep]))
        key = _unique_ints(np.concatenate(keys))
        return key // n, key % n


def _unique_ints(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (by sorting: ``np.unique`` hashes, many times slower here)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def _same_line(src: np.ndarray, dst: np.ndarray, seg_line: np.ndarray, n_seg: int) -> np.ndarray:
    """Tell where a candidate point and a segment belong to the same line."""
    return np.asarray(seg_line[src % n_seg] == seg_line[dst])


def _group_ids(*keys: np.ndarray) -> np.ndarray:
    """Dense ids of equal key tuples (a numpy ``factorize`` over several columns)."""
    order = np.lexsort(keys[::-1])
    change = np.zeros(len(order), dtype=bool)
    if len(order):
        change[0] = True
    for k in keys:
        ks = k[order]
        change[1:] |= ks[1:] != ks[:-1]
    ids = np.empty(len(order), dtype=np.int64)
    ids[order] = np.cumsum(change) - 1
    return ids


# --------------------------------------------------------------------------- queries


def intersections(roads: gpd.GeoDataFrame, *, join_tolerance_m: float = DEFAULTS.join_tolerance_m,
                  network: RoadNetwork | None = None) -> gpd.GeoDataFrame:
    """Road nodes of degree >= 3 of the noded walkable network.

    Parameters
    ----------
    roads
        Roads layer (see :func:`build_network`).
    join_tolerance_m
        Line ends closer than this are joined before degrees are counted.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``node_id`` (int), ``degree`` (int) and Point ``geometry``, in the
        CRS of ``roads``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (10, 0)]),
    ...                                    LineString([(5, -5), (5, 5)])], crs=3857)
    >>> intersections(roads)[["node_id", "degree"]].to_dict("records")
    [{'node_id': 2, 'degree': 4}]
    """
    net = network if network is not None else build_network(
        roads, join_tolerance_m=join_tolerance_m)
    nodes = net.nodes_frame()
    out = nodes.loc[nodes["degree"] >= 3, ["node_id", "degree", "geometry"]]
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class Piece:
    """One connected piece of the network."""

    piece: int
    n_nodes: int
    n_edges: int
    length_m: float
    x: float
    y: float


def components(net: RoadNetwork) -> list[Piece]:
    """List the connected pieces, largest (by length) first, with where each one is.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (10, 0)]),
    ...                                    LineString([(50, 0), (55, 0)])], crs=3857)
    >>> [(p.piece, p.n_nodes, p.length_m) for p in components(build_network(roads))]
    [(0, 2, 10.0), (1, 2, 5.0)]
    """
    if net.n_nodes == 0:
        return []
    comp = net.component
    n = int(comp.max()) + 1
    nodes = np.bincount(comp, minlength=n)
    edge_comp = comp[net.edge_u]
    edges = np.bincount(edge_comp, minlength=n)
    length = np.bincount(edge_comp, weights=net.edge_length_m, minlength=n)
    x = np.bincount(comp, weights=net.node_xy[:, 0], minlength=n) / np.maximum(nodes, 1)
    y = np.bincount(comp, weights=net.node_xy[:, 1], minlength=n) / np.maximum(nodes, 1)
    # Report a node of the piece (a centroid may lie off it).
    nearest = np.full(n, -1)
    d = np.hypot(net.node_xy[:, 0] - x[comp], net.node_xy[:, 1] - y[comp])
    order = np.lexsort((d, comp))
    first = np.r_[True, comp[order][1:] != comp[order][:-1]]
    nearest[comp[order][first]] = order[first]
    return [
        Piece(int(i), int(nodes[i]), int(edges[i]), float(length[i]),
              float(net.node_xy[nearest[i], 0]), float(net.node_xy[nearest[i], 1]))
        for i in range(n)
    ]
