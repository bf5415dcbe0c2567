"""What the predictive policy learns: durations with a survival curve, and dial outcomes by age.

Both are histograms with a few pseudo-observations as a prior, so the policy has something
sensible (and deliberately pessimistic) to say before the first call ends.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


class Survival:
    """A Kaplan-Meier survival curve over fixed-width bins, for talk or wrap-up durations.

    Durations still running (an agent 40 s into a call) are passed in as censored at refresh
    time: ignoring them would make early estimates think every call is short, because only the
    short ones have ended yet.
    """

    def __init__(
        self,
        bin_seconds: float,
        max_seconds: float,
        prior: Iterable[float],
        *,
        min_at_risk: float = 20.0,
    ) -> None:
        self.width = bin_seconds
        self.min_at_risk = min_at_risk
        self.n_bins = int(max_seconds / bin_seconds)
        self.ended = [0.0] * self.n_bins
        self.count = 0
        for seconds in prior:
            self.ended[self._bin(seconds)] += 1.0
        # survival[k] = P(duration > k * width); one more entry than bins.
        self.survival = [1.0] * (self.n_bins + 1)
        # Where the fitted constant hazard starts (see `refresh`): from there on, what is
        # left of a duration no longer depends on how long it has lasted.
        self.tail_bin = self.n_bins

    def _bin(self, seconds: float) -> int:
        b = int(seconds / self.width)
        return b if b < self.n_bins else self.n_bins - 1

    def add(self, seconds: float) -> None:
        self.ended[self._bin(seconds)] += 1.0
        self.count += 1

    def refresh(self, running: Iterable[float]) -> None:
        """Recompute the curve from ended durations and those still running (censored).

        Kaplan-Meier is only as good as the durations that lasted that long: past the last
        bin that at least `min_at_risk` of them reached, a handful decide the curve, and past
        the longest one it drops to nothing, which tells the policy that an agent 300 s into a
        wrap-up is certain to be free within seconds (wrap-ups have long tails, so some are).
        From that bin on, the curve goes on with the one constant hazard that best fits the
        durations that went past it: those that ended there (at least one), over all the time
        they and the running ones spent there.
        """
        censored = [0.0] * self.n_bins
        for seconds in running:
            censored[self._bin(seconds)] += 1.0
        at_risk = 0.0
        at_risk_from = [0.0] * self.n_bins
        for k in range(self.n_bins - 1, -1, -1):
            at_risk += self.ended[k] + censored[k]
            at_risk_from[k] = at_risk
        tail = next((k for k in range(self.n_bins) if at_risk_from[k] < self.min_at_risk), None)
        s = 1.0
        survival = [1.0] * (self.n_bins + 1)
        for k in range(self.n_bins if tail is None else tail):
            if at_risk_from[k] > 0:
                s *= 1.0 - self.ended[k] / at_risk_from[k]
            survival[k + 1] = s
        if tail is not None:
            ended = sum(self.ended[tail:])
            exposure = sum(
                (self.ended[k] + censored[k]) * (k + 0.5 - tail) * self.width
                for k in range(tail, self.n_bins)
            )
            if exposure > 0:
                # None ended there yet (all still running): count one, rather than say that
                # they never end, or take the hazard of one noisy bin before the cut.
                hazard = max(ended, 1.0) / exposure
            elif tail > 0 and survival[tail] > 0:
                # No duration went past the cut: the mean hazard of the curve before it.
                hazard = -math.log(survival[tail]) / (tail * self.width)
            else:
                hazard = 0.0  # nothing to go on at all: the curve stays where it is
            step = math.exp(-hazard * self.width)
            for k in range(tail, self.n_bins):
                s *= step
                survival[k + 1] = s
        self.survival = survival
        self.tail_bin = self.n_bins if tail is None else tail

    def at(self, seconds: float) -> float:
        """P(duration > seconds), interpolated linearly between bin edges."""
        x = seconds / self.width
        k = int(x)
        if k >= self.n_bins:
            return self.survival[self.n_bins]
        frac = x - k
        return self.survival[k] * (1.0 - frac) + self.survival[k + 1] * frac


class DialOutcomes:
    """How dials end, by their age in whole seconds: live (a person waiting) or not.

    From it: the share of new dials that bring a person within h seconds, and the chance that a
    dial still ringing at age a brings a person within the next h seconds.
    """

    def __init__(self, max_age_seconds: int = 120, prior_live_rate: float = 0.5) -> None:
        self.max_age = max_age_seconds
        self.live = [0.0] * (max_age_seconds + 1)
        self.resolved = [0.0] * (max_age_seconds + 1)
        # Ten pseudo-dials: half live, spread over typical ring times; the other half resolve
        # over the usual no-answer window. Pessimistic on purpose (it over-states live answers).
        for i in range(10):
            if i < 10 * prior_live_rate:
                age = 4 + 2 * i
                self.live[age] += 1.0
            else:
                age = 2 + 5 * (i % 6)
            self.resolved[min(age, max_age_seconds)] += 1.0
        self.cum_live = [0.0] * (max_age_seconds + 2)
        self.cum_resolved = [0.0] * (max_age_seconds + 2)
        self.total = 0.0
        # Seconds from pick-up to a person waiting (answering-machine detection), once the
        # caller reports pick-ups; ages are then pick-up ages and arrivals come this much later.
        self.arrival_delay = 0.0
        self.refresh()

    def add(self, age_seconds: float, live: bool) -> None:
        # Bin b holds ages in (b - 1, b], so cum[b] counts ages <= b: a dial still ringing at
        # an age of exactly 2 s is known not to be one of the busy tones that end at 2 s.
        a = math.ceil(age_seconds - 1e-9)
        if a > self.max_age:
            a = self.max_age
        if a < 0:
            a = 0
        self.resolved[a] += 1.0
        if live:
            self.live[a] += 1.0

    def refresh(self) -> None:
        # cum_x[a] = count with age <= a (whole seconds); one spare entry at the end.
        live_sum = resolved_sum = 0.0
        for a in range(self.max_age + 1):
            live_sum += self.live[a]
            resolved_sum += self.resolved[a]
            self.cum_live[a] = live_sum
            self.cum_resolved[a] = resolved_sum
        self.cum_live[self.max_age + 1] = live_sum
        self.cum_resolved[self.max_age + 1] = resolved_sum
        self.total = resolved_sum

    def _cum(self, table: list[float], age: float) -> float:
        # Linear interpolation of a cumulative count at a fractional age.
        if age >= self.max_age + 1:
            return table[self.max_age + 1]
        if age < 0:
            return 0.0
        k = int(age)
        frac = age - k
        return table[k] * (1.0 - frac) + table[k + 1] * frac

    def live_rate(self) -> float:
        return self._cum(self.cum_live, self.max_age + 1) / self.total

    def new_dial_live_by(self, h: float) -> float:
        """P(a dial placed now brings a waiting person within h seconds)."""
        return self._cum(self.cum_live, h - self.arrival_delay) / self.total

    def in_flight_live_within(self, age: float, h: float) -> float:
        """P(a dial still ringing at `age` brings a waiting person within the next h seconds)."""
        remaining = self.total - self._cum(self.cum_resolved, age)
        if remaining <= 1e-9:
            return 0.0
        gained = self._cum(self.cum_live, age + h - self.arrival_delay) - self._cum(
            self.cum_live, age
        )
        return min(1.0, max(0.0, gained / remaining))
