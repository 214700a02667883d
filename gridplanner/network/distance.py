"""Network distances with ``scipy.sparse.csgraph`` (networkx is the model, not the engine).

Public API
----------
- :func:`nearest_source` gives every node of a graph its nearest source and the
  distance, in one multi-source Dijkstra pass (``min_only=True``).
- :func:`k_nearest_sources` gives, for chosen target nodes, the ``k`` nearest
  sources within a cutoff, by Dijkstra from the sources in batches with
  ``limit=cutoff_m``, keeping only the target columns.
- :func:`point_table` turns node tables into tables for attached points.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from gridplanner.feedback import Feedback, report
from gridplanner.network.snap import Attachment


def nearest_source(
    matrix: sparse.csr_matrix, sources: np.ndarray, *, cutoff_m: float = np.inf
) -> tuple[np.ndarray, np.ndarray]:
    """Distance to and index (into ``sources``) of the nearest source, for every node.

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
    batch: int = 32,
    mask: Callable[[np.ndarray], np.ndarray] | None = None,
    feedback: Feedback | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest sources of each target node, nearest first.

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
    best_d = np.full((len(tgt), k), np.inf)
    best_i = np.full((len(tgt), k), -1, dtype=np.int64)
    if len(src) == 0 or len(tgt) == 0:
        return best_i, best_d
    for start in range(0, len(src), batch):
        report(feedback, start / len(src), "network distances")
        chunk = src[start:start + batch]
        d = dijkstra(matrix, directed=True, indices=chunk, limit=cutoff_m)[:, tgt]
        if mask is not None:
            d = np.where(mask(np.arange(start, start + len(chunk))), d, np.inf)
        d = d.T
        ids = np.broadcast_to(np.arange(start, start + len(chunk)), d.shape)
        all_d = np.concatenate([best_d, d], axis=1)
        all_i = np.concatenate([best_i, ids], axis=1)
        if all_d.shape[1] > k:
            part = np.argpartition(all_d, k - 1, axis=1)[:, :k]
            best_d = np.take_along_axis(all_d, part, axis=1)
            best_i = np.take_along_axis(all_i, part, axis=1)
        else:
            best_d, best_i = all_d, all_i
    order = np.argsort(best_d, axis=1, kind="stable")
    best_d = np.take_along_axis(best_d, order, axis=1)
    best_i = np.where(np.isfinite(best_d), np.take_along_axis(best_i, order, axis=1), -1)
    report(feedback, 1.0, "network distances")
    return best_i, best_d


def point_table(
    att: Attachment, node_index: np.ndarray, node_dist: np.ndarray, targets: np.ndarray, *, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """K nearest sources of attached points, from the tables of their two nodes.

    ``node_index``/``node_dist`` are :func:`k_nearest_sources` results for
    ``targets``, which must include every ``lo_node``/``hi_node`` of ``att``.
    Exact: a source among a point's ``k`` nearest is among the ``k`` nearest of
    the node it is reached through.
    """
    pos = np.searchsorted(targets, np.maximum(att.lo_node, 0))
    pos_hi = np.searchsorted(targets, np.maximum(att.hi_node, 0))
    ids = np.concatenate([node_index[pos], node_index[pos_hi]], axis=1)
    d = np.concatenate([node_dist[pos] + att.lo_m[:, None],
                        node_dist[pos_hi] + att.hi_m[:, None]], axis=1)
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
    off = att.lo_node < 0
    d[off] = np.inf
    ids[off] = -1
    return ids, d


def _row_lexsort(ids: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Per row, the order sorting by ``ids`` then ``d``."""
    o1 = np.argsort(d, axis=1, kind="stable")
    ids1 = np.take_along_axis(ids, o1, axis=1)
    o2 = np.argsort(ids1, axis=1, kind="stable")
    return np.take_along_axis(o1, o2, axis=1)
