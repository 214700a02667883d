"""Network distances with ``scipy.sparse.csgraph`` (networkx is the model, not the engine).

Public API
----------
- :func:`nearest_source` gives every node of a graph its nearest source and the
  distance, in one multi-source Dijkstra pass (``min_only=True``).
- :func:`k_nearest_sources` gives, for chosen target nodes, the ``k`` nearest
  sources within a cutoff, by Dijkstra from the sources in batches with
  ``limit=cutoff_m``, keeping only the target columns.
- :func:`local_dijkstra` runs limited searches on the local piece of the graph
  around each batch of sources (exact, much less work per source).
- :func:`point_table` turns node tables into tables for attached points.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from gridplanner.feedback import Feedback, report
from gridplanner.i18n import _
from gridplanner.network.snap import Attachment


def nearest_source(
    matrix: sparse.csr_matrix, sources: np.ndarray, *, cutoff_m: float = np.inf
) -> tuple[np.ndarray, np.ndarray]:
    """Find the distance to and index (in ``sources``) of every node's nearest source.

    Nodes beyond ``cutoff_m`` or unreachable get ``inf`` and ``-1``.

    Examples
    --------
    >>> from scipy import sparse
    >>> m = sparse.csr_matrix(([1.0, 1.0, 2.0, 2.0], ([0, 1, 1, 2], [1, 0, 2, 1])), (3, 3))
    >>> d, s = nearest_source(m, np.array([0, 2]))
    >>> d.tolist(), s.tolist()
    ([0.0, 1.0, 0.0], [0, 0, 1])
    """
    src = np.asarray(sources, dtype=np.int64)
    n = matrix.shape[0]
    if len(src) == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    dist, _, nearest = dijkstra(matrix, directed=True, indices=src, min_only=True,
                                limit=cutoff_m, return_predecessors=True)
    # ``nearest`` holds node ids of sources; map them to positions in ``sources``.
    pos = np.full(n, -1, dtype=np.int64)
    pos[src[::-1]] = np.arange(len(src))[::-1]
    which = np.where(nearest >= 0, pos[np.maximum(nearest, 0)], -1)
    return dist, which


def k_nearest_sources(
    matrix: sparse.csr_matrix,
    sources: np.ndarray,
    targets: np.ndarray,
    *,
    k: int,
    cutoff_m: float = np.inf,
    batch: int = 48,
    mask: Callable[[np.ndarray], np.ndarray] | None = None,
    node_xy: np.ndarray | None = None,
    min_k: int | None = None,
    searched_m: np.ndarray | None = None,
    first_radius_m: float | None = None,
    feedback: Feedback | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Find the ``k`` nearest sources of each target node, nearest first.

    Dijkstra runs from the sources in batches with a search radius that starts
    at a few times the typical nearest-source distance and doubles, up to
    ``cutoff_m``, only for the targets that have not yet found ``k`` sources;
    only finite distances are kept, as (target, source, distance) triples. With
    ``node_xy`` (coordinates of the matrix's nodes; no edge may weigh less than
    the straight distance between its ends, as with lengths in metres), each
    search runs on the local piece of the graph it can reach
    (:func:`local_dijkstra`) and the wider rounds search only from sources
    within the radius, as the crow flies, of a pending target.

    With ``min_k``, a target stops widening once ``min_k`` sources are found:
    its list is then exact only up to the radius searched, which is written to
    ``searched_m`` (one value per target) when given; callers widen where needed.

    ``first_radius_m``, when given, is the radius of the first round (else
    guessed from a search of the whole graph): callers that already know how
    far the sources lie save that search. The result does not depend on it.

    ``mask(positions)``, when given, returns a boolean array
    ``(len(positions), len(targets))`` of the source/target pairs allowed
    (e.g. staff only for households of their own grid).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``index`` (positions in ``sources``, ``-1`` where fewer than ``k`` are
        within the cutoff) and ``dist`` (``inf`` there), both ``(len(targets), k)``.

    Examples
    --------
    >>> from scipy import sparse
    >>> m = sparse.csr_matrix(([1.0, 1.0, 2.0, 2.0], ([0, 1, 1, 2], [1, 0, 2, 1])), (3, 3))
    >>> i, d = k_nearest_sources(m, np.array([0, 2]), np.array([1]), k=2)
    >>> i.tolist(), d.tolist()
    ([[0, 1]], [[1.0, 2.0]])
    """
    src = np.asarray(sources, dtype=np.int64)
    tgt = np.asarray(targets, dtype=np.int64)
    k = max(int(k), 1)
    if len(src) == 0 or len(tgt) == 0:
        return np.full((len(tgt), k), -1, dtype=np.int64), np.full((len(tgt), k), np.inf)
    search = _Search(matrix=matrix, sources=src, targets=tgt, k=k,
                     need=k if min_k is None else min(k, max(int(min_k), 1)),
                     cutoff_m=cutoff_m, batch=batch, mask=mask, node_xy=node_xy)
    radius = (_first_radius(search) if first_radius_m is None
              else min(cutoff_m, max(float(first_radius_m), 1.0)))
    pending = np.arange(len(tgt))
    found: list[_Hits] = []
    rounds = 0
    while len(pending):
        hits = _round_hits(search, pending, radius, rounds, feedback)
        count = np.bincount(hits.target, minlength=len(tgt))
        complete = (count[pending] >= search.need) | (radius >= cutoff_m)
        if searched_m is not None:
            searched_m[pending[complete]] = radius
        ok = np.zeros(len(tgt), dtype=bool)
        ok[pending[complete]] = True
        found.append(hits.where(ok[hits.target]))
        pending = pending[~complete]
        # Double once, then straight to the cutoff (from the targets left, when
        # they are fewer than the sources).
        radius = min(cutoff_m, 2.0 * radius) if rounds == 0 else cutoff_m
        rounds += 1
    best_i, best_d = _nearest_first(_Hits.joined(found), len(tgt), k)
    report(feedback, 1.0, _("network distances"))
    return best_i, best_d


@dataclass(frozen=True)
class _Search:
    """What every round of :func:`k_nearest_sources` searches with.

    ``need`` is how many sources a target must have found to stop widening.
    """

    matrix: sparse.csr_matrix
    sources: np.ndarray
    targets: np.ndarray
    k: int
    need: int
    cutoff_m: float
    batch: int
    mask: Callable[[np.ndarray], np.ndarray] | None
    node_xy: np.ndarray | None


@dataclass(frozen=True)
class _Hits:
    """Sources found for targets: positions in the targets and sources, and distances."""

    target: np.ndarray
    source: np.ndarray
    dist_m: np.ndarray

    def where(self, keep: np.ndarray) -> _Hits:
        """Return the hits where ``keep`` is true."""
        return _Hits(self.target[keep], self.source[keep], self.dist_m[keep])

    @staticmethod
    def joined(parts: list[_Hits]) -> _Hits:
        """Return the hits of all ``parts`` in order (typed even when empty)."""
        return _Hits(np.concatenate([*(h.target for h in parts), np.zeros(0, dtype=np.int64)]),
                     np.concatenate([*(h.source for h in parts), np.zeros(0, dtype=np.int64)]),
                     np.concatenate([*(h.dist_m for h in parts), np.zeros(0)]))


def _first_radius(search: _Search) -> float:
    """Start at a few times the typical nearest-source distance (the cutoff with a mask)."""
    if search.mask is not None:
        return search.cutoff_m
    d1 = dijkstra(search.matrix, directed=True, indices=search.sources, min_only=True,
                  limit=search.cutoff_m)[search.targets]
    d1 = d1[np.isfinite(d1)]
    # The k-th nearest lies roughly sqrt(k) times as far as the nearest.
    guess = (1.5 * (1.0 + np.sqrt(search.k)) * float(np.median(d1)) + 1.0 if len(d1)
             else search.cutoff_m)
    return min(search.cutoff_m, guess)


def _round_hits(search: _Search, pending: np.ndarray, radius: float, rounds: int,
                feedback: Feedback | None) -> _Hits:
    """Find the sources within ``radius`` of the ``pending`` targets.

    Only sources within ``radius`` of a pending target as the crow flies can
    reach one; after the first round, when the targets left are fewer than
    those sources, search from the targets instead.
    """
    active = np.arange(len(search.sources))
    if search.node_xy is not None and np.isfinite(radius):
        near = cKDTree(search.node_xy[search.targets[pending]]).query_ball_point(
            search.node_xy[search.sources], r=radius, return_length=True)
        active = np.flatnonzero(near > 0)
    if rounds and len(pending) < len(active):
        return _hits_from_targets(search, pending, radius)
    return _hits_from_sources(search, pending, active, radius, rounds, feedback)


def _hits_from_targets(search: _Search, pending: np.ndarray, radius: float) -> _Hits:
    """Search from the pending targets (the graph is symmetric)."""
    src = search.sources
    allowed_all = None if search.mask is None else search.mask(np.arange(len(src)))
    parts: list[_Hits] = []
    for chunk_t, d in _searches_to(search.matrix, search.targets[pending], pending, src,
                                   radius, search.node_xy, search.batch):
        if allowed_all is not None:
            d = np.where(allowed_all[:, chunk_t].T, d, np.inf)
        r, c = np.nonzero(np.isfinite(d))
        parts.append(_Hits(chunk_t[r], c, d[r, c]))
    return _Hits.joined(parts)


def _hits_from_sources(search: _Search, pending: np.ndarray, active: np.ndarray,
                       radius: float, rounds: int, feedback: Feedback | None) -> _Hits:
    """Search from the sources ``active``, keeping the nodes of pending targets."""
    # A node may carry several targets (one per grid): map node -> its targets.
    n_nodes = search.matrix.shape[0]
    pend_nodes = search.targets[pending]
    by_node = np.argsort(pend_nodes, kind="stable")
    uniq, first_at, counts = np.unique(pend_nodes[by_node], return_index=True,
                                       return_counts=True)
    slot = np.full(n_nodes, -1, dtype=np.int64)
    count_at = np.zeros(n_nodes, dtype=np.int64)
    slot[uniq] = first_at
    count_at[uniq] = counts
    parts: list[_Hits] = []
    done_src = 0
    for chunk, nodes, d in _searches_from(search.matrix, search.sources, active, radius,
                                          search.node_xy, search.batch):
        report(feedback, min(0.95, 0.3 * rounds + 0.3 * done_src / len(active)),
               _("network distances"))
        done_src += len(chunk)
        r, col = np.nonzero(np.isfinite(d))
        node = nodes[col]
        c = count_at[node]
        hit = c > 0
        r, col, node, c = r[hit], col[hit], node[hit], c[hit]
        rep = np.repeat(np.arange(len(r)), c)
        offset = np.arange(len(rep)) - np.repeat(np.cumsum(c) - c, c)
        t_of = pending[by_node[slot[node][rep] + offset]]
        dist = d[r, col][rep]
        r = r[rep]
        if search.mask is not None:
            allowed = search.mask(chunk)
            ok_m = allowed[r, t_of]
            r, t_of, dist = r[ok_m], t_of[ok_m], dist[ok_m]
        parts.append(_Hits(t_of, chunk[r], dist))
    return _Hits.joined(parts)


def _nearest_first(hits: _Hits, n_targets: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the ``(n_targets, k)`` tables of source positions and distances."""
    best_d = np.full((n_targets, k), np.inf)
    best_i = np.full((n_targets, k), -1, dtype=np.int64)
    order = _order_by_target_distance_source(hits.target, hits.dist_m, hits.source, n_targets)
    t_, s_, d_ = hits.target[order], hits.source[order], hits.dist_m[order]
    first = np.searchsorted(t_, np.arange(n_targets))
    rank = np.arange(len(t_)) - first[t_]
    top = rank < k
    best_i[t_[top], rank[top]] = s_[top]
    best_d[t_[top], rank[top]] = d_[top]
    return best_i, best_d


def _order_by_target_distance_source(
    t: np.ndarray, d: np.ndarray, s: np.ndarray, n_targets: int
) -> np.ndarray:
    """Return the order sorting by target, then distance, then source (``np.lexsort``).

    One sort of an int64 key: the target in the high bits, the leading bits of
    the distance (non-negative floats order like their bit patterns) below.
    Equal keys (distances equal in those leading bits) are re-sorted exactly;
    (target, source) pairs are unique, so the order is fully determined.
    """
    if len(t) == 0:
        return np.zeros(0, dtype=np.int64)
    t_bits = max(int(n_targets - 1).bit_length(), 1)
    key = (t.astype(np.int64) << (63 - t_bits)) | (
        np.ascontiguousarray(d, dtype=np.float64).view(np.int64) >> t_bits)
    order = np.argsort(key)
    ks = key[order]
    tie = np.flatnonzero(ks[1:] == ks[:-1])
    if len(tie):
        at = np.unique(np.concatenate([tie, tie + 1]))
        run = np.cumsum(np.r_[True, ks[at][1:] != ks[at][:-1]])
        idx = order[at]
        order[at] = idx[np.lexsort((s[idx], d[idx], run))]
    return order


def _searches_from(
    matrix: sparse.csr_matrix, src: np.ndarray, active: np.ndarray, radius: float,
    node_xy: np.ndarray | None, batch: int,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Yield (positions in ``src``, nodes, distances) for searches from ``src[active]``."""
    if node_xy is None or not np.isfinite(radius):
        every = np.arange(matrix.shape[0])
        for start in range(0, len(active), batch):
            chunk = active[start:start + batch]
            yield chunk, every, dijkstra(matrix, directed=True, indices=src[chunk],
                                         limit=radius)
        return
    for pos, nodes, d in local_dijkstra(matrix, src[active], limit_m=radius,
                                        node_xy=node_xy, batch=min(batch, 16)):
        yield active[pos], nodes, d


def _searches_to(
    matrix: sparse.csr_matrix, start_nodes: np.ndarray, labels: np.ndarray, src: np.ndarray,
    radius: float, node_xy: np.ndarray | None, batch: int,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (``labels`` of a batch, distances to every source) searching from targets."""
    if node_xy is None or not np.isfinite(radius):
        for start in range(0, len(start_nodes), batch):
            d = dijkstra(matrix, directed=True, indices=start_nodes[start:start + batch],
                         limit=radius)
            yield labels[start:start + batch], d[:, src]
        return
    for pos, nodes, d in local_dijkstra(matrix, start_nodes, limit_m=radius,
                                        node_xy=node_xy, batch=min(batch, 16)):
        at = np.minimum(np.searchsorted(nodes, src), len(nodes) - 1)
        inside = nodes[at] == src
        yield labels[pos], np.where(inside[None, :], d[:, at], np.inf)


def local_dijkstra(
    matrix: sparse.csr_matrix,
    sources: np.ndarray,
    *,
    limit_m: float | np.ndarray,
    node_xy: np.ndarray,
    batch: int = 8,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Run Dijkstra from ``sources`` with a search limit, each batch on a local piece.

    A node within ``limit_m`` of a source by the network lies within ``limit_m``
    of it as the crow flies, as long as no edge weighs less than the straight
    distance between its ends (true of lengths in metres). So each batch of
    nearby sources searches only the part of the graph inside their bounding
    box grown by ``limit_m``: the distances found are exactly those of a search
    on the whole graph, while scipy's per-source cost (arrays the size of the
    graph) shrinks to the size of that part.

    Parameters
    ----------
    matrix
        CSR weight matrix whose weights are at least the straight distances
        between the nodes' ``node_xy``.
    sources
        Source nodes.
    limit_m
        Search limit, one for all or one per source (a batch searches as far as
        its largest); with ``inf`` the whole graph is one piece.
    node_xy
        Coordinates of the matrix's nodes.
    batch
        Sources per search (taken in a space-filling order).

    Yields
    ------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Positions in ``sources`` of the batch, the nodes of the piece searched
        and the distances ``(len(positions), len(nodes))`` from each source of
        the batch to them (``inf`` beyond ``limit_m``).

    Examples
    --------
    >>> from scipy import sparse
    >>> m = sparse.csr_matrix(([1.0, 1.0, 2.0, 2.0], ([0, 1, 1, 2], [1, 0, 2, 1])), (3, 3))
    >>> xy = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]])
    >>> [(p.tolist(), n.tolist(), d.tolist())
    ...  for p, n, d in local_dijkstra(m, np.array([0]), limit_m=1.5, node_xy=xy)]
    [([0], [0, 1, 2], [[0.0, 1.0, inf]])]

    (On so small a graph the piece is the whole graph.)
    """
    src = np.asarray(sources, dtype=np.int64)
    n = matrix.shape[0]
    if len(src) == 0:
        return
    sxy = node_xy[src]
    limits = np.broadcast_to(np.asarray(limit_m, dtype=float), src.shape)
    typical = float(np.median(limits)) if len(limits) else 1.0
    order = _space_order(sxy, max(typical, 1.0) if np.isfinite(typical) else 1.0)
    x, y = node_xy[:, 0], node_xy[:, 1]
    local = np.full(n, -1, dtype=np.int64)
    for start in range(0, len(src), batch):
        pos = order[start:start + batch]
        limit = float(limits[pos].max())
        # Rounding slack: a node exactly at the limit must not fall outside the box.
        grow = limit * (1 + 1e-9) + 1e-6
        lo = sxy[pos].min(axis=0) - grow
        hi = sxy[pos].max(axis=0) + grow
        nodes = np.flatnonzero((x >= lo[0]) & (x <= hi[0]) & (y >= lo[1]) & (y <= hi[1]))
        if len(nodes) > 0.6 * n:
            d = dijkstra(matrix, directed=True, indices=src[pos], limit=limit)
            yield pos, np.arange(n), d
            continue
        local[nodes] = np.arange(len(nodes))
        sub = _subgraph(matrix, nodes, local)
        d = dijkstra(sub, directed=True, indices=local[src[pos]], limit=limit)
        local[nodes] = -1
        yield pos, nodes, d


def _space_order(xy: np.ndarray, cell: float) -> np.ndarray:
    """Order points along a Z-order curve over cells of ``cell`` metres."""
    q = np.floor((xy - xy.min(axis=0)) / cell).astype(np.int64)
    q = np.clip(q, 0, (1 << 20) - 1)
    code = np.zeros(len(xy), dtype=np.int64)
    for bit in range(20):
        code |= ((q[:, 0] >> bit) & 1) << (2 * bit)
        code |= ((q[:, 1] >> bit) & 1) << (2 * bit + 1)
    return np.lexsort((xy[:, 1], xy[:, 0], code))


def _subgraph(matrix: sparse.csr_matrix, nodes: np.ndarray, local: np.ndarray) -> sparse.csr_matrix:
    """Cut out the CSR matrix among ``nodes`` (sorted); ``local`` maps node -> new index."""
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    start = indptr[nodes]
    count = indptr[nodes + 1] - start
    total = int(count.sum())
    gather = np.arange(total) + np.repeat(start - (np.cumsum(count) - count), count)
    cols = local[indices[gather]]
    keep = cols >= 0
    rows = np.repeat(np.arange(len(nodes)), count)[keep]
    new_ptr = np.zeros(len(nodes) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(nodes)), out=new_ptr[1:])
    return sparse.csr_matrix((data[gather][keep], cols[keep], new_ptr),
                             shape=(len(nodes), len(nodes)))


def point_table(
    att: Attachment,
    lo_row: np.ndarray,
    hi_row: np.ndarray,
    node_index: np.ndarray,
    node_dist: np.ndarray,
    *,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Find the K nearest sources of attached points from their two nodes' tables.

    ``lo_row``/``hi_row`` give the row of ``node_index``/``node_dist`` (a
    :func:`k_nearest_sources` result) for each point's two nodes (``-1`` for
    points left out). Exact: a source among a point's ``k`` nearest is among the
    ``k`` nearest of the node it is reached through.

    Examples
    --------
    A point 1 m off node 0 (row 0) and 3 m off node 1 (row 1):

    >>> from gridplanner.network.snap import Attachment
    >>> att = Attachment(np.array([0]), np.array([1]), np.array([1.0]), np.array([3.0]))
    >>> i, d = point_table(att, np.array([0]), np.array([1]),
    ...                    np.array([[0, 1], [1, 0]]), np.array([[5.0, 9.0], [2.0, 20.0]]), k=2)
    >>> i.tolist(), d.tolist()
    ([[1, 0]], [[5.0, 6.0]])
    """
    n = len(lo_row)
    ids = np.full((n, k), -1, dtype=np.int64)
    d = np.full((n, k), np.inf)
    # In chunks of rows: the merge works on (rows, 2 x width) temporaries.
    step = max(1, _POINT_CHUNK_CELLS // max(2 * node_index.shape[1], 1))
    for start in range(0, n, step):
        rows = slice(start, min(n, start + step))
        part = Attachment(att.lo_node[rows], att.hi_node[rows], att.lo_m[rows], att.hi_m[rows])
        ids[rows], d[rows] = _point_rows(part, lo_row[rows], hi_row[rows], node_index,
                                         node_dist, k=k)
    return ids, d


#: Cells (rows x columns) of the temporaries :func:`point_table` works on at once.
_POINT_CHUNK_CELLS = 1 << 22


def _point_rows(
    att: Attachment, lo_row: np.ndarray, hi_row: np.ndarray, node_index: np.ndarray,
    node_dist: np.ndarray, *, k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`point_table` for one chunk of points."""
    lo = np.maximum(lo_row, 0)
    hi = np.maximum(hi_row, 0)
    ids = np.concatenate([node_index[lo], node_index[hi]], axis=1)
    d = np.concatenate([node_dist[lo] + att.lo_m[:, None],
                        node_dist[hi] + att.hi_m[:, None]], axis=1)
    d = np.where(ids >= 0, d, np.inf)
    # Keep the shorter route per source: sort by (source, distance), drop repeats.
    order = _row_lexsort(ids, d)
    ids = np.take_along_axis(ids, order, axis=1)
    d = np.take_along_axis(d, order, axis=1)
    repeat = np.zeros_like(ids, dtype=bool)
    repeat[:, 1:] = ids[:, 1:] == ids[:, :-1]
    d = np.where(repeat | (ids < 0), np.inf, d)
    order = np.argsort(d, axis=1, kind="stable")[:, :k]
    d = np.take_along_axis(d, order, axis=1)
    ids = np.where(np.isfinite(d), np.take_along_axis(ids, order, axis=1), -1)
    if d.shape[1] < k:
        pad = k - d.shape[1]
        ids = np.pad(ids, ((0, 0), (0, pad)), constant_values=-1)
        d = np.pad(d, ((0, 0), (0, pad)), constant_values=np.inf)
    off = lo_row < 0
    d[off] = np.inf
    ids[off] = -1
    return ids, d


def _row_lexsort(ids: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Return, per row, the order sorting by ``ids`` then ``d``."""
    o1 = np.argsort(d, axis=1, kind="stable")
    ids1 = np.take_along_axis(ids, o1, axis=1)
    o2 = np.argsort(ids1, axis=1, kind="stable")
    return np.take_along_axis(o1, o2, axis=1)
