"""ViciDial's adaptive pacing (ADAPT_HARD_LIMIT / ADAPT_AVERAGE / ADAPT_TAPERED), re-implemented.

This is the comparison baseline, written from ViciDial's published source (AGPL): the dial level
is recalculated by `bin/AST_VDadapt.pl` (subroutines `count_agents_lines`, `calculate_drops`,
`calculate_dial_level`) and turned into calls by `bin/AST_VDauto_dial.pl`. We keep its
arithmetic, including its rounding, and map its timers and database counts onto our ticks:

ViciDial                                   here
-----------------------------------------  ------------------------------------------------------
auto_dial_level (campaign setting)         `auto_dial_level`, the starting level (default 1.0)
dial_method                                `dial_method`
available_only_ratio_tally  Y/N            `available_only_ratio_tally` (bool or "Y"/"N")
adaptive_maximum_level                     `adaptive_maximum_level` (the dial-level cap)
adaptive_dl_diff_target                    `adaptive_dl_diff_target`
dl_diff_target_method                      `dl_diff_target_method` ("ADAPT_CALC_ONLY" default, or
                                           "CALLS_PLACED": also added to the agent count)
adaptive_intensity                         `adaptive_intensity`
adaptive_dropped_percentage                `adaptive_dropped_percentage` (default: the campaign's
                                           abandon target x 100)
adaptive_latest_server_time (HHMM)         `adaptive_latest_server_time`; the shift starts at
                                           `shift_start_hourmin` (HHMM, default 900)
one stats sample per auto-dial loop,       one sample per tick; the differential is averaged
  averaged over the last 20 loops            over the last `differential_samples` (20) ticks
dial level recalculated every 15 s         every `level_interval_seconds` (15)
drop counts refreshed every 60 s           every `drop_stats_interval_seconds` (60)
"today" (since midnight)                   since the start of the shift (the snapshot counters)
last-minute calls / drops                  dials placed / people abandoned in the last 60 s

Agent statuses map as: READY = idle, INCALL = talking, PAUSED (disposition) = wrapping. A call in
SENT/RINGING = dialing, LIVE = waiting, XFER = talking to an agent.

The algorithm, in short: every 15 s the level is multiplied by (1 + differential / agents),
where the differential is "idle agents minus waiting calls" averaged over the last 20 samples;
it is capped at the maximum level and floored at 1. If the drop (abandon) rate since midnight
exceeds the limit once more than 50 calls were placed, HARD_LIMIT drops the level to 1.0,
AVERAGE halves it, TAPERED multiplies it by the share of the day left. Each tick it places
round(level x agents counted) minus the calls already in progress.
"""

from __future__ import annotations

from collections import deque

from amicable.dialer.core.pacing import Snapshot

DIAL_METHODS = ("ADAPT_HARD_LIMIT", "ADAPT_AVERAGE", "ADAPT_TAPERED")
DIFF_TARGET_METHODS = ("ADAPT_CALC_ONLY", "CALLS_PLACED")


def _yes(value: bool | str) -> bool:
    if isinstance(value, str):
        return value.strip().upper().startswith("Y")
    return bool(value)


class ViciDialAdaptivePolicy:
    """A faithful port of ViciDial's adaptive predictive dial-level controller."""

    def __init__(
        self,
        *,
        dial_method: str = "ADAPT_HARD_LIMIT",
        available_only_ratio_tally: bool | str = False,
        adaptive_maximum_level: float = 3.0,
        adaptive_dl_diff_target: int = 0,
        adaptive_intensity: float = 0.0,
        adaptive_dropped_percentage: float | None = None,
        auto_dial_level: float = 1.0,
        dl_diff_target_method: str = "ADAPT_CALC_ONLY",
        adaptive_latest_server_time: int = 2100,
        shift_start_hourmin: int = 900,
        abandon_target: float = 0.03,
        level_interval_seconds: float = 15.0,
        drop_stats_interval_seconds: float = 60.0,
        differential_samples: int = 20,
    ) -> None:
        if not isinstance(dial_method, str) or dial_method.upper() not in DIAL_METHODS:
            raise ValueError(f"dial_method must be one of {', '.join(DIAL_METHODS)}")
        dial_method = dial_method.upper()
        if dl_diff_target_method not in DIFF_TARGET_METHODS:
            raise ValueError(
                f"dl_diff_target_method must be one of {', '.join(DIFF_TARGET_METHODS)}"
            )
        if adaptive_maximum_level < 1:
            raise ValueError("adaptive_maximum_level must be at least 1.0")
        self.dial_method = dial_method
        self.available_only = _yes(available_only_ratio_tally)
        self.maximum_level = float(adaptive_maximum_level)
        self.dl_diff_target = int(adaptive_dl_diff_target)
        self.intensity = float(adaptive_intensity)
        if adaptive_dropped_percentage is None:
            adaptive_dropped_percentage = abandon_target * 100.0
        self.dropped_percentage = float(adaptive_dropped_percentage)
        self.dial_level = float(auto_dial_level)
        self.diff_target_in_calls = dl_diff_target_method == "CALLS_PLACED"
        self.latest_server_time = int(adaptive_latest_server_time)
        self.shift_start_hourmin = int(shift_start_hourmin)
        self.level_interval = level_interval_seconds
        self.drop_interval = drop_stats_interval_seconds

        # (ready agents, waiting calls, total agents) per tick, the last 20 of them.
        self._samples: deque[tuple[int, int, int]] = deque(maxlen=differential_samples)
        # (now, dials, abandoned) per tick over the last minute, for the one-minute drop rule.
        self._minute: deque[tuple[float, int, int]] = deque()
        self._last_level_at = 0.0
        self._last_drops_at: float | None = None  # ViciDial pulls drop stats on its first loop
        self._calls_today = 0
        self._answers_today = 0
        self._drops_today = 0
        self._calls_one = 0
        self._drops_one = 0

    # -- the auto-dial side (AST_VDauto_dial.pl) -------------------------------------------

    def calls_to_place(self, snapshot: Snapshot) -> int:
        self._record(snapshot)
        if self._last_drops_at is None or snapshot.now - self._last_drops_at >= self.drop_interval:
            self._calculate_drops(snapshot)
        if snapshot.now - self._last_level_at >= self.level_interval:
            self._last_level_at = snapshot.now
            self._calculate_dial_level(snapshot)

        if snapshot.agents_logged_in <= 0:
            return 0
        if self.available_only:
            agents_counted = snapshot.agents_idle
        else:
            agents_counted = snapshot.agents_idle + snapshot.agents_talking
        if self.diff_target_in_calls:
            agents_counted = max(0, agents_counted + self.dl_diff_target)
        goal = self.dial_level * agents_counted
        if self.available_only:
            goal += snapshot.agents_talking  # calls live with agents are added back
        goal_calls = round(goal)  # Perl sprintf("%.0f"): round half to even, as Python does
        existing = snapshot.calls_dialing + snapshot.calls_waiting + snapshot.agents_talking
        return max(0, goal_calls - existing)

    # -- the adapt side (AST_VDadapt.pl) ---------------------------------------------------

    def _record(self, snapshot: Snapshot) -> None:
        self._samples.append(
            (snapshot.agents_idle, snapshot.calls_waiting, snapshot.agents_logged_in)
        )
        self._minute.append((snapshot.now, snapshot.dials, snapshot.abandoned))
        while self._minute and self._minute[0][0] < snapshot.now - 60.0:
            self._minute.popleft()

    def _calculate_drops(self, snapshot: Snapshot) -> None:
        self._last_drops_at = snapshot.now
        self._calls_today = snapshot.dials
        self._answers_today = snapshot.live_answers
        self._drops_today = snapshot.abandoned
        _, dials_minute_ago, abandoned_minute_ago = self._minute[0]
        self._calls_one = snapshot.dials - dials_minute_ago
        self._drops_one = snapshot.abandoned - abandoned_minute_ago

    def _drops_answers_today_pct(self) -> float:
        if self._calls_today <= 0 or self._drops_today <= 0:
            return 0.0
        answers = max(1, self._answers_today)
        return round(self._drops_today / answers * 100.0, 2)

    def _drops_one_pct(self) -> float:
        if self._calls_one <= 0 or self._drops_one <= 0:
            return 0.0
        return round(self._drops_one / self._calls_one * 100.0, 2)

    def _current_hourmin(self, now: float) -> int:
        start_minutes = (self.shift_start_hourmin // 100) * 60 + self.shift_start_hourmin % 100
        minutes = (start_minutes + int(now // 60)) % (24 * 60)
        return (minutes // 60) * 100 + minutes % 60

    def _calculate_dial_level(self, snapshot: Snapshot) -> None:
        n = len(self._samples)
        if n == 0:
            return
        ready_avg = sum(s[0] for s in self._samples) / n
        waiting_avg = sum(s[1] for s in self._samples) / n
        agents_avg = sum(s[2] for s in self._samples) / n
        if agents_avg <= 0:
            return  # ViciDial only adapts campaigns with agents logged in

        differential_target = (ready_avg - waiting_avg) + self.dl_diff_target
        if differential_target != 0 and agents_avg != 0:
            differential_pct_raw = differential_target / agents_avg * 100.0
        else:
            differential_pct_raw = 0.0

        intensity_mul = self.intensity / 100.0
        if differential_pct_raw < 0:
            intensity_diff = differential_pct_raw * abs(intensity_mul - 1)
        else:
            intensity_diff = differential_pct_raw * (intensity_mul + 1)
        level = round(self.dial_level * (intensity_diff / 100.0 + 1), 3)
        if level > self.maximum_level:
            level = self.maximum_level
        if level < 1:
            level = 1.0

        if self._calls_one > 20 and self._drops_one_pct() > 50:
            level = level / 2
        if self._calls_today > 50 and self._drops_answers_today_pct() > self.dropped_percentage:
            if self.dial_method == "ADAPT_HARD_LIMIT":
                level = 1.0
            elif self.dial_method == "ADAPT_AVERAGE":
                level = level / 2
            else:  # ADAPT_TAPERED
                hours_left = self.latest_server_time - self._current_hourmin(snapshot.now)
                tapered_rate = 1.0 if hours_left > 1000 else hours_left / 1000
                level = 1.0 if hours_left < 0 else level * tapered_rate
        if level < 1:
            level = 1.0
        self.dial_level = level
