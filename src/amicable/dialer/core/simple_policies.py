"""The two fixed policies: progressive (one line per idle agent) and ratio (X lines per idle agent).

They learn nothing. Progressive is the safe baseline: it never abandons anyone because each
line in flight has an idle agent waiting for it. Ratio is the classic "power dialer" knob.
"""

from __future__ import annotations

import math

from amicable.dialer.core.pacing import Snapshot, progressive_count


class ProgressivePolicy:
    """Keep exactly one call in flight (dialing or waiting) per idle agent."""

    def calls_to_place(self, snapshot: Snapshot) -> int:
        return progressive_count(snapshot)


class RatioPolicy:
    """Keep `ratio` calls in flight per idle agent (rounded down), e.g. ratio:2.5."""

    def __init__(self, ratio: float) -> None:
        if not math.isfinite(ratio) or ratio <= 0:
            raise ValueError(f"ratio must be a positive number, got {ratio!r}")
        self.ratio = ratio

    def calls_to_place(self, snapshot: Snapshot) -> int:
        if snapshot.agents_logged_in <= 0:
            return 0
        wanted = math.floor(self.ratio * snapshot.agents_idle + 1e-9)
        return max(0, wanted - snapshot.calls_dialing - snapshot.calls_waiting)
