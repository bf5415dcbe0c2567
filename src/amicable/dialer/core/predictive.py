"""`predictive`: dial so that the people who answer meet agents as they free up.

The idea, in one paragraph. A person who answers must find an agent within a couple of seconds
(`patience_seconds`), or they are abandoned. So for every moment t in the next half-minute, the
people who will have answered by t must not outnumber the agents that will have been free by
t + patience. Each tick we estimate both sides from what we have observed:

- agents: idle now, plus for each busy agent the chance they finish by then, given how long they
  have already talked or wrapped up (learned talk and wrap-up survival curves);
- people: those already waiting, plus for each dial still ringing the chance it brings a person
  by then, given its age (learned from how earlier dials ended and when), and for each line
  picked up but still in answering-machine detection the chance it is a person, given how
  long it rang (learned from earlier pick-ups: a pick-up after 8 s is nearly always a person,
  after 20 s mostly a machine). Pick-ups are optional events: without them, a dial counts as
  ringing until its outcome;
- and each new dial adds the chance it brings a person by then.

Treating each agent and each dial as an independent chance gives, at each horizon, the
distribution of the agents freed and of the people arriving. We add dials one at a time while
the chance that the extra dial's person finds no agent (summed over when they may arrive) stays
under the normal tail beyond z standard deviations: the marginal rule that maximises connected
calls for a given number of abandoned ones. Where the counts are small (variance up to
`exact_variance`, typical of 20 agents: about one agent freed and one person arriving in the
next ten seconds) that chance is computed from the two discrete counts, each a binomial with the
mean and variance of its sum of chances; the normal approximation is far off there, and its
errors put the risk in the wrong places. Larger counts use the normal approximation of the
headroom (agents minus people), which is accurate and cheaper. Small teams have a large relative
variance, so the policy falls back towards progressive on its own; and it never dials less than
progressive would (one line per idle agent on its own never abandons anyone).

z is tuned by feedback on abandonment (see `_tune_margin`): the abandons the model expects from
the dials it places (the chances it computed for them, scaled by how many abandons it actually
saw per expected one) raise it, each answered call lowers it a little, so it settles where
abandoned / answered is the goal (the campaign's target minus `safety_margin`). Expected abandons
come smoothly, dial by dial, where actual ones come by chance and in bursts: z swings less, and
a steady z gives more utilisation for the same abandonment than a swinging one. The goal is a
budget spread over the planned shift, so a bad hour is paid back over the hours left rather than
with a jump in z; the feedback's step shrinks as answers accumulate; and close to the cap a
smooth reserve raises z. If the shift's abandonment rate is over the target anyway, the policy
drops to progressive until it is back under.
"""

from __future__ import annotations

import math
from itertools import accumulate

from amicable.dialer.core.estimates import DialOutcomes, Survival
from amicable.dialer.core.pacing import (
    ANSWERED_LIVE,
    CONNECTED,
    DIAL_PLACED,
    NON_LIVE_OUTCOMES,
    PICKED_UP,
    TALK_ENDED,
    WRAP_ENDED,
    Event,
    Snapshot,
    progressive_count,
)

_SQRT2 = math.sqrt(2.0)
_VARIANCE_FLOOR = 0.25
_CONTINUITY = 0.5
_PMF_TAIL = 1e-7  # counts less likely than this are left out
_MAX_PICK_SECOND = 120
_TALKING = 0
_WRAPPING = 1


class PredictivePolicy:
    """Our learning predictive pacing policy (see the module docstring for how it works)."""

    def __init__(
        self,
        *,
        abandon_target: float = 0.03,
        safety_margin: float = 0.004,
        patience_seconds: float = 2.0,
        horizons: tuple[float, ...] = (3, 5, 7, 9, 11, 13, 16, 20, 25, 32),
        initial_z: float = 2.5,
        min_z: float = -1.0,
        max_z: float = 6.0,
        z_step: float = 0.3,
        z_step_min: float = 0.02,
        z_step_answers: float = 100.0,
        shift_hours: float = 8.0,
        plan_min_hours: float = 1.0,
        reserve_abandons: float = 4.0,
        reserve_z: float = 1.5,
        guard_min_answers: int = 1000,
        max_dials_per_agent: float = 3.0,
        exact_variance: float = 3.0,
        prior_ratio: float = 1.7,
        prior_expected_abandons: float = 10.0,
    ) -> None:
        if not 0 <= abandon_target <= 1:
            raise ValueError("abandon_target must be between 0 and 1")
        if z_step < 0 or z_step_min < 0 or z_step_answers <= 0:
            raise ValueError("z_step and z_step_min must be at least 0, z_step_answers above 0")
        if shift_hours < 0 or plan_min_hours <= 0 or reserve_abandons < 0:
            raise ValueError("shift_hours, plan_min_hours and reserve_abandons must be positive")
        if prior_ratio <= 0 or prior_expected_abandons <= 0:
            raise ValueError("prior_ratio and prior_expected_abandons must be above 0")
        if patience_seconds < 0 or not horizons or min(horizons) <= 0:
            raise ValueError("patience_seconds must be at least 0, and horizons above 0")
        self.abandon_target = abandon_target
        self.goal = max(0.0, abandon_target - safety_margin)
        self.patience = patience_seconds
        self.horizons = tuple(float(h) for h in horizons)
        self.z = initial_z  # the margin, in standard deviations; see _risk_limit
        self.min_z = min_z
        self.max_z = max_z
        self.z_step = z_step
        self.z_step_min = z_step_min
        self.z_step_answers = z_step_answers
        self.shift_seconds = shift_hours * 3600.0
        self.plan_min_seconds = plan_min_hours * 3600.0
        self.reserve_abandons = reserve_abandons
        self.reserve_z = reserve_z
        self.reserve = 0.0  # extra margin while close to the cap; see _tune_margin
        self.guard_min_answers = guard_min_answers
        self.max_dials_per_agent = max_dials_per_agent
        self.exact_variance = exact_variance
        # Abandons the model expects from the dials placed so far (the sum of their chances of
        # abandoning), and the ratio of actual to expected ones; see _tune_margin.
        self.prior_ratio = prior_ratio
        self.prior_expected = prior_expected_abandons
        self.expected_abandons = 0.0
        self._expected_seen = 0.0

        # What we learn. Priors are long calls and long wrap-ups, so we under-dial until real
        # durations come in: while fewer than 20 durations (priors, ended and running) are
        # known, the curve is the constant hazard fitted to them (`Survival.refresh`), which
        # expects agents to take long (about 750 s of talk, 150 s of wrap-up on average).
        self.talk = Survival(5.0, 3000.0, prior=(600.0, 900.0))
        self.wrap = Survival(1.0, 1800.0, prior=(120.0, 180.0))
        self.outcomes = DialOutcomes()

        # What is going on now, from events.
        self.in_flight: dict[int, float] = {}  # call id -> placed at
        # Dials still ringing by the time they were placed: the dials of one tick share their
        # age, hence their table row, so their chances are summed once, times their number.
        self._ringing: dict[float, int] = {}
        self._scaled_rows: dict[tuple[int, int], tuple[float, ...]] = {}
        self.picked: dict[int, tuple[float, float]] = {}  # call id -> (placed at, picked up at)
        # Pick-ups by their ring second: how many, and how many of them were people.
        self._pick_all = [1.0] * (_MAX_PICK_SECOND + 1)
        self._pick_live = [0.5] * (_MAX_PICK_SECOND + 1)
        self._picked_rows: list[tuple[float, ...]] = []
        self._delay_sum = 0.0
        self._delay_n = 0
        self.busy: dict[int, tuple[int, float]] = {}  # agent id -> (talking/wrapping, since)
        # The busy agents' table rows summed by column, kept up to date (see _agents_freeing).
        # agent id -> (when its row changes next, its bin, its row in the sums)
        self._counted: dict[int, tuple[float, int, tuple[float, ...]]] = {}
        self._uncounted: list[tuple[float, ...]] = []  # changes not yet in the sums
        self._freeing: list[float] = []

        # Lookup tables, rebuilt from time to time (see _refresh).
        self._talk_rows: list[tuple[float, ...]] = []
        self._wrap_rows: list[tuple[float, ...]] = []
        self._talk_steps: list[tuple[float, ...]] = []  # row k minus row k - 1
        self._wrap_steps: list[tuple[float, ...]] = []
        self._call_rows: list[tuple[float, ...]] = []
        self._new_dial_live: tuple[float, ...] = ()
        self._arrive_between: tuple[float, ...] = ()
        self._live_rate = 1.0
        self._next_agent_refresh = 0.0
        self._next_call_refresh = 0.0
        self._last_live_answers = 0
        self._last_abandoned = 0

    # -- learning ------------------------------------------------------------------------------

    def observe(self, event: Event) -> None:
        kind = event.kind
        call = event.call_id if event.call_id is not None else -1
        agent = event.agent_id if event.agent_id is not None else -1
        if kind == DIAL_PLACED:
            self.in_flight[call] = event.time
            self._ringing[event.time] = self._ringing.get(event.time, 0) + 1
        elif kind == PICKED_UP:
            placed = self.in_flight.pop(call, None)
            if placed is not None:
                self._stop_ringing(placed)
                self.picked[call] = (placed, event.time)
        elif kind == ANSWERED_LIVE or kind in NON_LIVE_OUTCOMES:
            live = kind == ANSWERED_LIVE
            picked = self.picked.pop(call, None)
            if picked is not None:
                placed, picked_at = picked
                second = _pick_second(picked_at - placed)
                self._pick_all[second] += 1.0
                if live:
                    self._pick_live[second] += 1.0
                    self._delay_sum += event.time - picked_at
                    self._delay_n += 1
                self.outcomes.add(picked_at - placed, live=live)
            else:
                placed = self.in_flight.pop(call, None)
                if placed is not None:
                    self._stop_ringing(placed)
                    # Without a pick-up event the age is the outcome's; once pick-ups are
                    # reported, ages are pick-up ages, so a live answer's delay comes off.
                    delay = self.outcomes.arrival_delay if live else 0.0
                    self.outcomes.add(event.time - placed - delay, live=live)
        elif kind == CONNECTED:
            self._uncount(agent)
            self.busy[agent] = (_TALKING, event.time)
        elif kind == TALK_ENDED:
            self._uncount(agent)
            self.busy[agent] = (_WRAPPING, event.time)
            if event.seconds is not None:
                self.talk.add(event.seconds)
        elif kind == WRAP_ENDED:
            self.busy.pop(agent, None)
            self._uncount(agent)
            if event.seconds is not None:
                self.wrap.add(event.seconds)
        # ABANDONED needs nothing: abandonment is counted from the snapshot, so the margin
        # behaves the same for a caller that sends no events.

    def _uncount(self, agent: int) -> None:
        """Take an agent who changes state out of the kept sums (see _agents_freeing)."""
        entry = self._counted.pop(agent, None)
        if entry is not None:
            self._uncounted.append(tuple([-x for x in entry[2]]))

    def _stop_ringing(self, placed: float) -> None:
        left = self._ringing.pop(placed, 0) - 1
        if left > 0:
            self._ringing[placed] = left

    # -- deciding ------------------------------------------------------------------------------

    def calls_to_place(self, snapshot: Snapshot) -> int:
        if snapshot.agents_logged_in <= 0:
            return 0
        floor = progressive_count(snapshot)
        self._tune_margin(snapshot)
        answered = snapshot.live_answers
        if (
            answered >= self.guard_min_answers
            and snapshot.abandoned > self.abandon_target * answered
        ) or snapshot.abandoned >= self.abandon_target * self._cap_basis(snapshot):
            return floor  # over the cap for the shift: only dial what cannot abandon

        now = snapshot.now
        if now >= self._next_call_refresh:
            self._refresh_calls(now)
        if now >= self._next_agent_refresh:
            self._refresh_agents(now)

        n_h = len(self.horizons)
        # Agents free by each horizon (+ patience): busy agents' chances; people from dials
        # still ringing: their chances. Rows hold, per horizon, a mean (+ for agents, - for
        # people) and then a variance; summing the columns gives each side's mean and variance.
        freeing = self._agents_freeing(now)
        call_rows = self._call_rows
        call_last = len(call_rows) - 1
        scaled_rows = self._scaled_rows
        people_rows = []
        for placed, count in self._ringing.items():
            k = int(now - placed + 1e-9)
            if k > call_last:
                k = call_last
            if count == 1:
                people_rows.append(call_rows[k])
            else:
                row = scaled_rows.get((k, count))
                if row is None:
                    row = scaled_rows[k, count] = tuple([count * x for x in call_rows[k]])
                people_rows.append(row)
        picked_rows = self._picked_rows
        first_horizon = self.horizons[0]
        delay = self.outcomes.arrival_delay
        for placed, picked_at in self.picked.values():
            row = picked_rows[_pick_second(picked_at - placed)]
            arrives_in = picked_at + delay - now
            if arrives_in > first_horizon:  # a slow detection: not there by the first horizons
                row = _row_from(row, self.horizons, arrives_in)
            people_rows.append(row)
        # Every row is 2 x horizons long, so zip needs no `strict` check (a third of the cost).
        coming: list[float] = [0.0] * (2 * n_h)
        if people_rows:
            coming = list(map(sum, zip(*people_rows, strict=False)))

        base = snapshot.agents_idle - snapshot.calls_waiting
        cap = int(self.max_dials_per_agent * snapshot.agents_logged_in)
        limit = self._risk_limit * self._live_rate
        # Per horizon where the extra dial's person may arrive: either the discrete counts
        # (people arriving, agents freed: see _count_pmf) or a normal headroom.
        exact_variance = self.exact_variance
        arrive_between = self._arrive_between
        reach = self._new_dial_live
        # normal: (arrive, reach, its variance, headroom mean, variance); exact: (arrive, reach,
        # people's distribution, agents freed's cumulative distribution).
        normal: list[tuple[float, float, float, float, float]] = []
        exact: list[tuple[float, float, list[float], list[float]]] = []
        for j in range(n_h):
            chance = arrive_between[j]
            if chance <= 0.0:
                continue
            free_var = freeing[n_h + j]
            people_var = coming[n_h + j]
            variance = free_var + people_var
            r = reach[j]
            if variance > exact_variance:
                mean = base + freeing[j] + coming[j] - _CONTINUITY
                normal.append((chance, r, r * (1.0 - r), mean, variance + _VARIANCE_FLOOR))
            else:
                free_pmf = _count_pmf(freeing[j], free_var if free_var > 0.0 else 0.0)
                people = _count_pmf(-coming[j], people_var if people_var > 0.0 else 0.0)
                exact.append((chance, r, people, list(accumulate(free_pmf))))
        erfc, sqrt = math.erfc, math.sqrt
        dials = 0
        while dials < cap:
            risk = 0.0
            for chance, r, spread, mean, variance in normal:
                sd = sqrt(variance + dials * spread) * _SQRT2
                risk += chance * 0.5 * erfc((mean - dials * r) / sd)
            for chance, _r, people, free_cdf in exact:
                risk += chance * _no_agent_chance(people, free_cdf, base)
            if risk > limit:
                break
            self.expected_abandons += risk  # this dial's chance of an abandoned person
            dials += 1
            for i, (chance, r, people, free_cdf) in enumerate(exact):
                exact[i] = (chance, r, _add_chance(people, r), free_cdf)
        return max(floor, dials)

    def _agents_freeing(self, now: float) -> list[float]:
        """The busy agents' rows summed by column (their chances of being free by each
        horizon, then the variances).

        Summing a hundred rows every tick was a third of a 100-agent shift's time, yet an
        agent's row only changes when its elapsed time crosses into the next bin of its table
        (every 5 s of talk, every second of wrap-up) or its state changes. So the sums are
        kept from tick to tick: an agent is looked at again only once it is due to cross, and
        a crossing adds the difference between the two rows. The sums start again from
        nothing whenever the tables are rebuilt, so rounding never builds up for long.
        """
        counted = self._counted
        changes = self._uncounted  # rows of agents that left a state, as negative rows
        for agent, (state, since) in self.busy.items():
            entry = counted.get(agent)
            if entry is not None and now < entry[0]:
                continue
            if state == _TALKING:
                rows, steps, width = self._talk_rows, self._talk_steps, self.talk.width
            else:
                rows, steps, width = self._wrap_rows, self._wrap_steps, self.wrap.width
            last = len(rows) - 1
            k = int((now - since) / width)
            if k < 0:  # a state that starts a moment after `now` (clocks of two processes)
                k = 0
            if k >= last:
                k, due = last, math.inf
            else:  # a hair early, so the tick that crosses is never missed
                due = since + (k + 1) * width - 1e-9
            counted[agent] = (due, k, rows[k])
            if entry is None:
                changes.append(rows[k])
            elif entry[1] == k - 1:
                changes.append(steps[k])
            elif entry[1] != k:
                changes.append(rows[k])
                changes.append(tuple([-x for x in entry[2]]))
        if not counted:
            self._freeing = [0.0] * (2 * len(self.horizons))
        elif changes:
            sums = map(sum, zip(*changes, strict=False))
            self._freeing = [a + b for a, b in zip(self._freeing, sums, strict=False)]
        changes.clear()
        return self._freeing

    @property
    def _risk_limit(self) -> float:
        """The marginal abandonment risk we accept per dial: the normal tail beyond z.

        `reserve` is added while the shift is close to its cap (see `_tune_margin`).
        """
        return 0.5 * math.erfc((self.z + self.reserve) / _SQRT2)

    def _tune_margin(self, snapshot: Snapshot) -> None:
        """Set the margin z from the abandonment budget. Three parts, and why:

        - **Integral feedback on expected abandons.** z rises `step` per abandon expected from
          the dials placed and falls `step x goal` per answered call, so it settles where
          abandons / answers is the goal. An expected abandon is the chance the model computed
          for a dial (its `risk`) times `ratio`, the actual abandons per expected one so far
          (starting from `prior_ratio` over `prior_expected_abandons`: the model leaves out
          the people of dials placed in later ticks who arrive first, so it under-states by
          about that much). Why not the actual abandons: they come by chance and in bursts
          (at a fixed z a 20-agent shift ends anywhere between 2.0% and 3.4%), and reacting
          to each one swings z, which costs utilisation (abandonment is convex in z: the hours
          at a low z abandon more than the hours at a high z save). The expected ones come
          smoothly, dial by dial, while the ratio and the budget below still answer for the
          actual abandons, slowly. The step starts at `z_step` and shrinks as 1/sqrt(answers)
          down to `z_step_min`. While the reserve is on, z does not fall: the reserve makes the
          dials safer, hence fewer expected abandons, and z would otherwise sink under it and
          overshoot when it ends.
        - **The budget, spread over the shift.** The goal the feedback aims at is not the
          fixed `target - safety_margin` but what is left of that budget for the rest of the
          planned shift (`shift_hours`, at least `plan_min_hours` ahead): abandons saved early
          may be spent later and a bad hour is paid back slowly, instead of with a jump in z.
        - **A reserve before the cap.** Within `reserve_abandons` of the cap (counted, before
          `guard_min_answers`, as if that many answers were in), z gets up to `reserve_z`
          extra, smoothly. This keeps the shift off the hard guard in `calls_to_place`, whose
          fall-back to progressive costs far more than dialing a little less for a while.
        """
        answers = snapshot.live_answers
        abandons = snapshot.abandoned
        answered = answers - self._last_live_answers
        abandoned = abandons - self._last_abandoned
        self._last_live_answers = answers
        self._last_abandoned = abandons

        if self.reserve_abandons > 0:
            slack = self.abandon_target * self._cap_basis(snapshot) - abandons
            short = (self.reserve_abandons - slack) / self.reserve_abandons
            self.reserve = self.reserve_z * min(1.0, max(0.0, short))
        else:
            self.reserve = 0.0

        expected_new = self.expected_abandons - self._expected_seen
        self._expected_seen = self.expected_abandons
        if not (answered or abandoned or expected_new):
            return
        prior = self.prior_expected
        ratio = (abandons + self.prior_ratio * prior) / (self.expected_abandons + prior)
        seen = max(self.z_step_answers, float(answers))
        step = max(self.z_step_min, self.z_step * math.sqrt(self.z_step_answers / seen))
        goal = self.goal
        if snapshot.now > 0 and answers > 0:
            left = max(self.plan_min_seconds, self.shift_seconds - snapshot.now)
            expected = answers / snapshot.now * left  # answers still to come, at today's pace
            goal = max(0.0, (self.goal * (answers + expected) - abandons) / expected)
        z = self.z + step * (ratio * expected_new - goal * answered)
        if self.reserve > 0.0:
            z = max(z, self.z)
        self.z = min(self.max_z, max(self.min_z, z))

    def _cap_basis(self, snapshot: Snapshot) -> float:
        """The answers the cap is reckoned on: those so far, and at least `guard_min_answers`
        or, if fewer, the answers the shift is on course for (today's pace until the end of
        `shift_hours`). A small team answers only a few hundred people a shift (5 agents:
        about 400, so 12 abandons at 3%): reckoned on more, it could end over the cap. A
        larger team's early hours are reckoned on 1,000 (20 agents answer about 400 people an
        hour): reckoned on 500, a burst of abandons in the first two hours, which the rest of
        the shift pays back anyway, held z up with the reserve for an hour or more."""
        answers = snapshot.live_answers
        if snapshot.now <= 0 or answers <= 0:
            return float(max(answers, self.guard_min_answers))
        left = max(0.0, self.shift_seconds - snapshot.now)
        on_course = answers + answers / snapshot.now * left
        return max(float(answers), min(float(self.guard_min_answers), on_course))

    # -- the lookup tables ---------------------------------------------------------------------

    def _refresh_calls(self, now: float) -> None:
        self._next_call_refresh = now + min(300.0, max(5.0, now / 4.0))
        outcomes = self.outcomes
        if self._delay_n:
            outcomes.arrival_delay = self._delay_sum / self._delay_n
        outcomes.refresh()
        n_h = len(self.horizons)
        picked_rows = []
        for all_, live_ in zip(self._pick_all, self._pick_live, strict=True):
            p = live_ / all_
            picked_rows.append(tuple([-p] * n_h + [p * (1.0 - p)] * n_h))
        self._picked_rows = picked_rows
        self._new_dial_live = tuple(outcomes.new_dial_live_by(h) for h in self.horizons)
        self._live_rate = max(outcomes.live_rate(), 1e-6)
        # Chance a new dial brings a person in (h[j-1], h[j]]; the tail goes to the last one.
        reach = self._new_dial_live
        between = [b - a for a, b in zip((0.0,) + reach[:-1], reach, strict=True)]
        between[-1] += self._live_rate - self._new_dial_live[-1]
        self._arrive_between = tuple(between)
        rows = []
        for age in range(outcomes.max_age + 1):
            q = [outcomes.in_flight_live_within(age, h) for h in self.horizons]
            # People from ringing dials count against the headroom, hence the minus sign.
            rows.append(tuple([-p for p in q] + [p * (1.0 - p) for p in q]))
        self._call_rows = rows
        self._scaled_rows = {}

    def _refresh_agents(self, now: float) -> None:
        self._next_agent_refresh = now + min(1800.0, max(30.0, now / 2.0))
        running_talk = [now - since for state, since in self.busy.values() if state == _TALKING]
        running_wrap = [now - since for state, since in self.busy.values() if state == _WRAPPING]
        self.talk.refresh(running_talk)
        self.wrap.refresh(running_wrap)
        windows = [h + self.patience for h in self.horizons]

        # Rows past the tail (too few durations survive to estimate) are never computed:
        # the last good row stands for them (see `_rows_kept`).
        wrap = self.wrap
        wrap_rows = []
        for k in range(_rows_kept(wrap, 1e-4)):
            elapsed = (k + 0.5) * wrap.width
            alive = wrap.at(elapsed)
            ps = [_conditional_end(alive, wrap.at(elapsed + w)) for w in windows]
            wrap_rows.append(_row(ps))
        self._wrap_rows = wrap_rows

        self._talk_rows = _talk_then_wrap_rows(self.talk, wrap, windows)
        self._talk_steps = _steps(self._talk_rows)
        self._wrap_steps = _steps(self._wrap_rows)
        # New tables: every busy agent's row changes, so the sums start again from nothing.
        self._counted = {}
        self._uncounted = []
        self._freeing = [0.0] * (2 * len(self.horizons))


def _talk_then_wrap_rows(
    talk: Survival, wrap: Survival, windows: list[float]
) -> list[tuple[float, ...]]:
    """The talking agents' table: per bin of elapsed talk, P(talk ends, then wrap-up ends,
    within each window).

    The talk's end is summed over the window's steps; the chance that the wrap-up fits in
    what is left of the window depends on the step only, not on how long the talk has
    lasted, so it is worked out once per window rather than once per row (this runs at
    every refresh, over some 600 rows)."""
    plans = []
    for window in windows:
        steps = max(1, int(math.ceil(window / talk.width)))
        step = window / steps
        plans.append(
            (
                [(i + 1) * step for i in range(steps)],
                [1.0 - wrap.at(window - (i + 0.5) * step) for i in range(steps)],
            )
        )
    talk_at = talk.at
    rows = []
    for k in range(_rows_kept(talk, 1e-4)):
        elapsed = (k + 0.5) * talk.width
        alive = talk_at(elapsed)
        if alive <= 1e-12:
            rows.append(_row([0.0] * len(windows)))
            continue
        ps = []
        for offsets, wrap_done in plans:
            total = 0.0
            previous = alive
            for offset, done in zip(offsets, wrap_done, strict=False):
                current = talk_at(elapsed + offset)
                ends_here = previous - current
                if ends_here > 0:
                    total += ends_here * done
                previous = current
            ps.append(min(1.0, total / alive))
        rows.append(_row(ps))
    return rows


def _steps(rows: list[tuple[float, ...]]) -> list[tuple[float, ...]]:
    """Each row minus the one before it (the first row as it is)."""
    steps = rows[:1]
    for before, row in zip(rows, rows[1:], strict=False):
        steps.append(tuple([b - a for a, b in zip(before, row, strict=True)]))
    return steps


def _pick_second(ring: float) -> int:
    """The whole second (rounded up) a pick-up came at, for the live-by-pick-up-time table."""
    second = math.ceil(ring - 1e-9)
    return 0 if second < 0 else min(second, _MAX_PICK_SECOND)


def _row_from(
    row: tuple[float, ...], horizons: tuple[float, ...], start: float
) -> tuple[float, ...]:
    """`row` (means, then variances, per horizon) without the horizons before `start`."""
    n = len(horizons)
    keep = [h >= start for h in horizons]
    return tuple(
        [m if k else 0.0 for m, k in zip(row[:n], keep, strict=True)]
        + [v if k else 0.0 for v, k in zip(row[n:], keep, strict=True)]
    )


def _conditional_end(alive_now: float, alive_later: float) -> float:
    if alive_now <= 1e-12:
        return 0.0
    return min(1.0, max(0.0, 1.0 - alive_later / alive_now))


def _row(ps: list[float]) -> tuple[float, ...]:
    """An agent's table row: the chances of being free by each horizon, then their variances."""
    return tuple(ps + [p * (1.0 - p) for p in ps])


def _rows_kept(curve: Survival, min_alive: float) -> int:
    """How many rows of a duration's table to keep: up to the first bin where fewer than
    `min_alive` durations survive to estimate from, and no further than the first bin of the
    curve's constant-hazard tail, whose rows are all the same (at least one row)."""
    last = min(curve.n_bins, curve.tail_bin + 1)
    for k in range(last):
        if curve.at((k + 0.5) * curve.width) < min_alive:
            return max(1, k)
    return last


def _no_agent_chance(people: list[float], free_cdf: list[float], base: int) -> float:
    """P(frees <= people - base): a person arriving then finds no agent.

    `people[k]` is the chance that k people arrive first, `free_cdf[k]` that at most k agents
    are freed, `base` the agents idle now minus the people waiting.
    """
    last = len(free_cdf) - 1
    risk = 0.0
    for k in range(max(0, base), len(people)):
        f = k - base
        risk += people[k] * (free_cdf[f] if f < last else 1.0)
    return risk


def _add_chance(pmf: list[float], p: float) -> list[float]:
    """The distribution of a count after adding one more independent chance p."""
    q = 1.0 - p
    out = [x * q for x in pmf]
    out.append(0.0)
    for i, x in enumerate(pmf):
        out[i + 1] += x * p
    return out


def _count_pmf(mean: float, variance: float) -> list[float]:
    """The distribution of a count with this mean and variance: a sum of independent chances.

    A binomial with the same mean and (about) the same variance, shifted by the count that is
    as good as certain when some chances are close to one; a Poisson if the chances are all
    small. The far tail is cut off.
    """
    if mean <= 1e-9:
        return [1.0]
    # Chances close to one can make a count narrower than a binomial with that mean and whole
    # trials: then the first counts are taken as sure (`shift`) and the rest is fitted, keeping
    # whichever fits the variance best.
    best = (math.inf, 0, mean, 0)
    shift = 0
    rest = mean
    while rest > 1e-9:
        if variance < rest * (1.0 - 1e-3):
            trials = rest / (1.0 - variance / rest)
            least = math.ceil(rest - 1e-9)  # fewer trials could not hold the mean
            candidates: tuple[int, ...] = (
                max(math.floor(trials), least),
                max(math.ceil(trials), least),
            )
        else:
            candidates = (0,)  # no narrower than a Poisson
        for n in candidates:
            fitted = rest if n <= 0 or n > 60 else rest * (1.0 - rest / n)
            miss = abs(fitted - variance)
            if miss < best[0]:
                best = (miss, shift, rest, n)
        if best[0] <= 0.05 + 0.1 * variance:
            break
        shift += 1
        rest -= 1.0
    _, shift, rest, n = best
    head = [0.0] * shift
    if n <= 0 or n > 60:  # many small chances: Poisson
        term = math.exp(-rest)
        pmf = head + [term]
        k = 1
        while k <= rest or term > _PMF_TAIL:
            term *= rest / k
            pmf.append(term)
            k += 1
        return pmf
    p = min(1.0, rest / n)
    q = 1.0 - p
    if q <= 1e-12:
        return head + [0.0] * n + [1.0]
    term = q**n
    pmf = head + [term]
    ratio = p / q
    for k in range(n):
        term *= (n - k) / (k + 1) * ratio
        pmf.append(term)
        if term < _PMF_TAIL and k >= rest:
            break
    return pmf
