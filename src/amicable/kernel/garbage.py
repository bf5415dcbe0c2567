"""Fewer passes of Python's cyclic garbage collector during bulk work.

A bulk load or a batch evaluation keeps hundreds of thousands of fresh objects alive at once
(a batch of rows, a portfolio's answers), none of them in a reference cycle, and the
collector, triggered every 700 allocations, scans them again and again: about 30% of the
demo generator's CPU time and a third of batch eligibility's, measured. Reference counting
still frees everything as usual; cycles are collected, only less often.
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_saved_threshold: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_gc_passes() -> Iterator[None]:
    """Collect a hundred times less often inside the block; objects that exist before it
    (modules, caches) are frozen out of the scans. Nested or concurrent blocks (threads of
    one process) share one setting, restored when the last of them ends."""
    global _depth, _saved_threshold
    with _lock:
        if _depth == 0:
            _saved_threshold = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(100_000, 50, 100)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved_threshold)
                gc.unfreeze()
