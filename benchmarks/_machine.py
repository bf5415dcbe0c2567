"""How fast this machine runs plain Python, printed beside the benchmarks' figures.

The VMs these benchmarks run on differ by up to half from one session to the next (the same
commit imported a million rows at 20,500 rows/s one week and 15,000 the next), so a figure
is only comparable with another one measured at a similar reference time.
"""

import math
import time


def reference_seconds() -> float:
    """The best of three runs of a fixed pure-Python workload (lower is faster)."""
    best = math.inf
    for _ in range(3):
        started = time.perf_counter()
        _workload()
        best = min(best, time.perf_counter() - started)
    return best


def describe() -> str:
    return f"machine: reference workload {reference_seconds():.3f} s (lower is faster)"


def _workload() -> tuple[float, int]:
    """Dict, str and float work, as the import's reader and the dialer's policy do."""
    counts: dict[str, int] = {}
    total = 0.0
    for i in range(1_200_000):
        key = str(i % 5_000)
        counts[key] = counts.get(key, 0) + 1
        total += i * 0.5
    return total, len(counts)
