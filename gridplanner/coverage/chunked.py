"""Geometry constructors run in slices, so other threads get the GIL in between.

shapely's constructors that group inputs by ``indices`` (``linestrings``,
``linearrings``, ``multilinestrings``, ...) and ``get_parts`` hold the GIL for
their whole run: at district scale one call took 50-250 ms, during which the
desktop app's GUI thread could not run. The helpers here make the same
geometries, in the same order, from slices of at most :data:`CHUNK` inputs.

The other cause of long holds is Python's cyclic garbage collector: geometries
are tracked objects, so a run that makes hundreds of thousands of them sets off
full collections, each a walk over every tracked object of the process (the
loaded project's geometries included) with the GIL held: 70-300 ms each at
district scale, whichever thread triggers them.
:func:`gridplanner.runtime.gc_paused` holds automatic collection off for the
length of a run.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import shapely

#: Inputs per slice: a few milliseconds of GIL-holding work each.
CHUNK = 32_768


def grouped(make: Callable[..., np.ndarray], items: np.ndarray, indices: np.ndarray,
            n_out: int, *, chunk: int = CHUNK) -> np.ndarray:
    """Call ``make(items, indices=indices, out=...)`` slice by slice.

    ``indices`` must be ascending (as shapely requires): slices end where the
    index changes, so every output geometry is made from all its inputs at once.

    Parameters
    ----------
    make
        A shapely constructor taking ``indices`` and ``out`` (``shapely.linestrings``,
        ``shapely.linearrings``, ``shapely.multilinestrings``, ...).
    items
        Coordinates (n, 2) or geometries (n,).
    indices
        Output position of each input, ascending.
    n_out
        Number of outputs (positions no input names stay None).
    chunk
        Inputs per slice (a single output with more inputs is made in one call).

    Returns
    -------
    numpy.ndarray
        Object array of ``n_out`` geometries, as one call of ``make`` would give.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> coords = np.array([[0, 0], [1, 0], [2, 0], [2, 1], [5, 5], [6, 5]], dtype=float)
    >>> lines = grouped(shapely.linestrings, coords, np.array([0, 0, 1, 1, 2, 2]), 3, chunk=3)
    >>> [line.wkt for line in lines]
    ['LINESTRING (0 0, 1 0)', 'LINESTRING (2 0, 2 1)', 'LINESTRING (5 5, 6 5)']
    """
    indices = np.asarray(indices, dtype="int64")
    out = np.full(n_out, None, dtype=object)
    n = len(indices)
    start = 0
    while start < n:
        stop = min(start + max(int(chunk), 1), n)
        if stop < n:  # end the slice where the output position changes
            stop = int(np.searchsorted(indices, indices[stop - 1], side="right"))
        make(items[start:stop], indices=indices[start:stop], out=out)
        start = stop
    return out


def get_parts(geoms: np.ndarray, *, chunk: int = CHUNK) -> tuple[np.ndarray, np.ndarray]:
    """``shapely.get_parts(geoms, return_index=True)`` made from slices of ``geoms``.

    Slices hold at most ``chunk`` parts (one geometry with more parts is split
    in one call).

    Parameters
    ----------
    geoms
        Geometries.
    chunk
        Parts per slice.

    Returns
    -------
    tuple
        The parts and the position in ``geoms`` each comes from.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> geoms = np.array([shapely.MultiPoint([(0, 0), (1, 1)]), shapely.Point(2, 2)])
    >>> parts, which = get_parts(geoms, chunk=1)
    >>> [p.wkt for p in parts], which.tolist()
    (['POINT (0 0)', 'POINT (1 1)', 'POINT (2 2)'], [0, 0, 1])
    """
    geoms = np.asarray(geoms, dtype=object)
    size = np.asarray(shapely.get_num_geometries(geoms), dtype="int64")
    ends = np.cumsum(size)
    parts: list[np.ndarray] = [np.empty(0, dtype=object)]
    which: list[np.ndarray] = [np.empty(0, dtype="int64")]
    start = 0
    while start < len(geoms):
        done = ends[start - 1] if start else 0
        stop = int(np.searchsorted(ends, done + max(int(chunk), 1), side="right"))
        stop = min(max(stop, start + 1), len(geoms))
        p, w = shapely.get_parts(geoms[start:stop], return_index=True)
        parts.append(np.asarray(p, dtype=object))
        which.append(np.asarray(w, dtype="int64") + start)
        start = stop
    return np.concatenate(parts), np.concatenate(which)
