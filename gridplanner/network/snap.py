"""Snapping points onto the walking network, and splitting edges at them.

Public API
----------
- :func:`snap_points` projects points onto their nearest edge (one vectorised
  STRtree query) and gives the foot point, its position along the edge and the
  off-road access distance; points farther than ``cutoff_m`` stay off the network.
- :func:`augment` splits the edges at the feet of a few "source" points (staff,
  facilities) and hangs each source on its foot by an access edge, so
  ``scipy.sparse.csgraph`` searches from those sources give exact distances that
  include their access walk, even to a point on the same road stretch.
- :class:`Attachment` gives, for many "demand" points (households), the two
  nodes of the split graph around each foot and the walk to each, so any node
  distance turns into a point distance with :meth:`Attachment.distance`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy import sparse

from gridplanner.network.graph import RoadNetwork

#: Point sets at least this large are remembered per network (by content).


@dataclass(frozen=True)
class Snapped:
    """Points projected onto a network.

    Attributes
    ----------
    edge
        Edge index of each point's foot, ``-1`` when no edge is within the cutoff.
    t
        Position of the foot along the edge, 0 at ``edge_u`` and 1 at ``edge_v``.
    access_m
        Straight distance from the point to its foot (NaN when off the network).
    foot_xy
        Foot coordinates, shape ``(n, 2)`` (NaN when off the network).
    """

    edge: np.ndarray
    t: np.ndarray
    access_m: np.ndarray
    foot_xy: np.ndarray

    @property
    def on_network(self) -> np.ndarray:
        """True for points that found an edge within the cutoff."""
        return self.edge >= 0

    def __len__(self) -> int:
        return len(self.edge)

    def take(self, rows: np.ndarray) -> Snapped:
        """Return the snapping of the points at positions ``rows`` (each point snaps alone)."""
        return Snapped(self.edge[rows], self.t[rows], self.access_m[rows], self.foot_xy[rows])


def snap_points(net: RoadNetwork, points: np.ndarray, *, cutoff_m: float = 300.0) -> Snapped:
    """Project points onto their nearest edge of ``net``.

    Parameters
    ----------
    net
        The walking network.
    points
        Shapely points (array-like); missing or empty ones stay off the network.
    cutoff_m
        Points farther than this from every edge are left off the network.

    Returns
    -------
    Snapped
        Edge, position, access distance and foot of every point.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, Point
    >>> from gridplanner.network.graph import build_network
    >>> net = build_network(gpd.GeoDataFrame(geometry=[LineString([(0, 0), (10, 0)])]))
    >>> s = snap_points(net, [Point(4, 3), Point(4, 500)], cutoff_m=100)
    >>> s.edge.tolist(), float(s.t[0]), float(s.access_m[0])
    ([0, -1], 0.4, 3.0)
    """
    pts = np.asarray(points, dtype=object)
    n = len(pts)
    edge = np.full(n, -1, dtype=np.int64)
    t = np.full(n, np.nan)
    access = np.full(n, np.nan)
    foot = np.full((n, 2), np.nan)
    if n == 0 or net.n_edges == 0:
        return Snapped(edge, t, access, foot)
    valid = ~(shapely.is_missing(pts) | shapely.is_empty(pts))
    valid[valid] = shapely.get_type_id(pts[valid]) == 0  # points only
    valid[valid] = np.isfinite(shapely.get_coordinates(pts[valid])).all(axis=1)
    idx = np.flatnonzero(valid)
    xy_all = shapely.get_coordinates(pts[idx])
    tree = net.edge_tree()
    # Most points lie near a road: a box query and numpy distances are much faster
    # than GEOS nearest-neighbour search; the rest fall back to it.
    r0 = min(float(cutoff_m), 30.0)
    boxes = shapely.box(xy_all[:, 0] - r0, xy_all[:, 1] - r0, xy_all[:, 0] + r0,
                        xy_all[:, 1] + r0)
    qi, qe = tree.query(np.asarray(boxes))  # sorted by qi
    dq = _project(net, xy_all[qi], qe)[2]
    pi_list: list[np.ndarray] = []
    pe_list: list[np.ndarray] = []
    if len(qi):
        starts = np.flatnonzero(np.r_[True, qi[1:] != qi[:-1]])
        best = np.minimum.reduceat(dq, starts)
        group = np.cumsum(np.r_[True, qi[1:] != qi[:-1]]) - 1
        hit = np.flatnonzero((dq == best[group]) & (dq <= r0))
        first = hit[np.r_[True, qi[hit][1:] != qi[hit][:-1]]] if len(hit) else hit
        pi_list.append(qi[first])
        pe_list.append(qe[first])
    found = np.concatenate(pi_list) if pi_list else np.zeros(0, dtype=np.int64)
    rest = np.setdiff1d(np.arange(len(idx)), found)
    if len(rest):
        ri, re_ = tree.query_nearest(pts[idx[rest]], max_distance=cutoff_m, all_matches=False)
        pi_list.append(rest[ri])
        pe_list.append(re_)
    qpos = np.concatenate([*pi_list, np.zeros(0, dtype=np.int64)])
    qe = np.concatenate([*pe_list, np.zeros(0, dtype=np.int64)])
    pi = idx[qpos]
    tt, f, dd = _project(net, xy_all[qpos], qe)
    edge[pi] = qe
    t[pi] = tt
    access[pi] = dd
    foot[pi] = f
    return Snapped(edge, t, access, foot)


def snapped_or_given(net: RoadNetwork, points: np.ndarray, given: Snapped | None, *,
                     cutoff_m: float, what: str) -> Snapped:
    """Return ``given`` (points already snapped, e.g. by the analysis context) or snap them.

    Raises
    ------
    ValueError
        When ``given`` does not hold one snapped point per point (a caller's mistake).

    Examples
    --------
    >>> from shapely import LineString, Point
    >>> from gridplanner.network.graph import build_network
    >>> import geopandas as gpd
    >>> net = build_network(gpd.GeoDataFrame(geometry=[LineString([(0, 0), (10, 0)])]))
    >>> snapped_or_given(net, [Point(4, 3)], None, cutoff_m=5, what="staff").edge.tolist()
    [0]
    """
    if given is None:
        return snap_points(net, points, cutoff_m=cutoff_m)
    if len(given) != len(points):
        raise ValueError(f"{what}: {len(given)} snapped points given for {len(points)} points")
    return given


def _project(
    net: RoadNetwork, xy: np.ndarray, edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Position along, foot on and distance to the given edges."""
    a_all, d_all, inv_all = net.edge_vectors()
    a = a_all[edges]
    d = d_all[edges]
    rel = xy - a
    tt = np.clip((rel[:, 0] * d[:, 0] + rel[:, 1] * d[:, 1]) * inv_all[edges], 0.0, 1.0)
    foot = a + tt[:, None] * d
    off = xy - foot
    return tt, foot, np.sqrt(off[:, 0] ** 2 + off[:, 1] ** 2)


@dataclass(frozen=True)
class Augmented:
    """The network with its edges split at source feet and a node per source.

    Attributes
    ----------
    matrix
        Symmetric CSR weight matrix of the split graph (metres).
    source_node
        Node of each source point (hung on its foot by the access edge), ``-1``
        for sources off the network.
    split_edge, split_t, split_node
        The split points, sorted by edge then position: which original edge,
        where along it, and the node there (the edge's ends are included for
        every split edge).
    """

    matrix: sparse.csr_matrix
    source_node: np.ndarray
    split_edge: np.ndarray
    split_t: np.ndarray
    split_node: np.ndarray
    n_base_nodes: int
    node_xy: np.ndarray


def augment(net: RoadNetwork, sources: Snapped) -> Augmented:
    """Split the edges of ``net`` at the feet of ``sources``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, Point
    >>> from gridplanner.network.graph import build_network
    >>> net = build_network(gpd.GeoDataFrame(geometry=[LineString([(0, 0), (10, 0)])]))
    >>> aug = augment(net, snap_points(net, [Point(4, 3)]))
    >>> aug.matrix.shape, aug.source_node.tolist()
    ((4, 4), [3])
    """
    n0 = net.n_nodes
    on = np.flatnonzero(sources.on_network)
    m = len(on)
    foot_node = n0 + np.arange(m)
    source_node = np.full(len(sources), -1, dtype=np.int64)
    source_node[on] = n0 + m + np.arange(m)
    edges_split = np.unique(sources.edge[on])
    # Split points: each split edge's two ends plus the feet on it.
    s_edge = np.concatenate([edges_split, edges_split, sources.edge[on]])
    s_t = np.concatenate([np.zeros(len(edges_split)), np.ones(len(edges_split)),
                          sources.t[on]])
    s_node = np.concatenate([net.edge_u[edges_split], net.edge_v[edges_split], foot_node])
    # Ends sort before (t=0) / after (t=1) feet at the same position.
    tie = np.concatenate([np.zeros(len(edges_split)), np.full(len(edges_split), 2.0),
                          np.ones(m)])
    order = np.lexsort((tie, s_t, s_edge))
    s_edge, s_t, s_node = s_edge[order], s_t[order], s_node[order]
    nxt = s_edge[1:] == s_edge[:-1]
    sub_u = s_node[:-1][nxt]
    sub_v = s_node[1:][nxt]
    sub_w = (s_t[1:][nxt] - s_t[:-1][nxt]) * net.edge_length_m[s_edge[:-1][nxt]]
    keep = np.ones(net.n_edges, dtype=bool)
    keep[edges_split] = False
    u = np.concatenate([net.edge_u[keep], sub_u, foot_node])
    v = np.concatenate([net.edge_v[keep], sub_v, source_node[on]])
    w = np.concatenate([net.edge_length_m[keep], sub_w, sources.access_m[on]])
    w = np.maximum(w, 1e-9)  # csgraph reads explicit zeros as missing edges
    n = n0 + 2 * m
    mat = sparse.csr_matrix(
        (np.concatenate([w, w]), (np.concatenate([u, v]), np.concatenate([v, u]))),
        shape=(n, n),
    )
    foot_xy = sources.foot_xy[on]
    node_xy = np.concatenate([net.node_xy, foot_xy, foot_xy])
    return Augmented(mat, source_node, s_edge, s_t, s_node, n0, node_xy)


@dataclass(frozen=True)
class Attachment:
    """Where demand points join the split graph.

    Attributes
    ----------
    lo_node, hi_node
        Nodes of the split graph before and after each foot along its edge
        (``-1`` for points off the network).
    lo_m, hi_m
        Walk from the point (access included) to ``lo_node`` and ``hi_node``.
    """

    lo_node: np.ndarray
    hi_node: np.ndarray
    lo_m: np.ndarray
    hi_m: np.ndarray

    def distance(self, node_dist: np.ndarray) -> np.ndarray:
        """Point distances from node distances (last axis indexed by node)."""
        lo = np.take(node_dist, np.maximum(self.lo_node, 0), axis=-1) + self.lo_m
        hi = np.take(node_dist, np.maximum(self.hi_node, 0), axis=-1) + self.hi_m
        out = np.minimum(lo, hi)
        return np.where(self.lo_node >= 0, out, np.inf)


def attach(net: RoadNetwork, aug: Augmented, points: Snapped) -> Attachment:
    """Locate snapped demand points on the split graph of ``aug``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, Point
    >>> from gridplanner.network.graph import build_network
    >>> net = build_network(gpd.GeoDataFrame(geometry=[LineString([(0, 0), (10, 0)])]))
    >>> aug = augment(net, snap_points(net, [Point(4, 3)]))
    >>> att = attach(net, aug, snap_points(net, [Point(8, 1)]))
    >>> att.lo_node.tolist(), att.lo_m.round(6).tolist(), att.hi_m.round(6).tolist()
    ([2], [5.0], [3.0])
    """
    on = points.on_network
    n = len(points)
    e = np.where(on, points.edge, 0)
    t = np.where(on, points.t, 0.0)
    length = net.edge_length_m[e]
    lo_node = np.where(on, net.edge_u[e], -1)
    hi_node = np.where(on, net.edge_v[e], -1)
    lo_t = np.zeros(n)
    hi_t = np.ones(n)
    if len(aug.split_edge):
        # Position among the split points of the same edge: edge + t as one key.
        key_s = aug.split_edge + aug.split_t * 0.999999
        key_p = e + t * 0.999999
        pos = np.searchsorted(key_s, key_p, side="right")
        split = on & np.isin(e, aug.split_edge)
        lo = np.clip(pos - 1, 0, len(key_s) - 1)
        hi = np.clip(pos, 0, len(key_s) - 1)
        # A foot exactly at a split edge's far end sorts after it: step back.
        past = split & (aug.split_edge[hi] != e)
        hi = np.where(past, lo, hi)
        lo = np.where(past, lo - 1, lo)
        lo_node = np.where(split, aug.split_node[lo], lo_node)
        hi_node = np.where(split, aug.split_node[hi], hi_node)
        lo_t = np.where(split, aug.split_t[lo], lo_t)
        hi_t = np.where(split, aug.split_t[hi], hi_t)
    acc = np.where(on, points.access_m, np.inf)
    lo_m = acc + np.maximum(t - lo_t, 0.0) * length
    hi_m = acc + np.maximum(hi_t - t, 0.0) * length
    return Attachment(lo_node.astype(np.int64), hi_node.astype(np.int64), lo_m, hi_m)
