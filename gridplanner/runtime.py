"""Keep long engine runs from stalling other threads (the desktop app's GUI thread).

Python's cyclic garbage collector tracks every geometry object. A run that makes
hundreds of thousands of them sets off full collections, each a walk over every
tracked object of the process (the loaded project's geometries included) with the
GIL held: 70-300 ms each at district scale, whichever thread triggers them. Long
engine entry points the app runs on worker threads are wrapped in
:func:`gc_paused`.

Holding collection off during the run was measured against ``gc.freeze()`` (the
objects alive when the run starts moved out of the collector's sight, collection
left on), ``benchmarks/bench_gc.py`` at district scale, two passes: the collector's
longest pause during a coverage run was 36-56 ms held off, 147-271 ms frozen
(134-256 ms with the collector simply on), during an allocation 9-33 ms held off
against 48-79 ms frozen. Freezing does not help because the runs themselves make
the objects the full collections walk. Collection is therefore held off, but only
while a run lasts: the count of runs in progress brings it back when the last ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_gc_lock = threading.Lock()
_gc_holders = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold Python's automatic garbage collection off inside the block.

    Runs may overlap (threads) or nest: collection comes back on, if it was on,
    when the last of them ends. Reference counting still frees everything that
    is not in a reference cycle; the young objects left are collected by the
    first automatic collection afterwards (a young generation, not a walk over
    the whole heap).

    Examples
    --------
    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    global _gc_holders, _gc_was_enabled
    with _gc_lock:
        if _gc_holders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _gc_was_enabled:
                gc.enable()
