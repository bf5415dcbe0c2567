"""The metrics of a simulated shift (or of several days added together).

Field names are fixed by the issue and by docs/dialer.md: other people's tooling reads them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(slots=True)
class Metrics:
    dials: int
    live_answers: int
    connected: int
    abandoned: int
    abandon_rate: float  # abandoned / live_answers (0 when nobody answered)
    agent_seconds: float  # agents x hours x 3600
    talk_seconds: float
    wrap_seconds: float
    idle_seconds: float
    utilization: float  # (talk_seconds + wrap_seconds) / agent_seconds
    talk_minutes_per_agent_hour: float
    mean_wait_to_connect: float  # seconds a connected person waited after becoming waiting

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(slots=True)
class Totals:
    """Raw sums from which Metrics are computed; days are combined by adding Totals."""

    agents: int = 0
    hours: float = 0.0
    dials: int = 0
    live_answers: int = 0
    connected: int = 0
    abandoned: int = 0
    talk_seconds: float = 0.0
    wrap_seconds: float = 0.0
    wait_seconds: float = 0.0  # summed over connected people
    agent_seconds: float = 0.0
    series: list[SeriesPoint] = field(default_factory=list)

    def add(self, other: Totals) -> None:
        self.dials += other.dials
        self.live_answers += other.live_answers
        self.connected += other.connected
        self.abandoned += other.abandoned
        self.talk_seconds += other.talk_seconds
        self.wrap_seconds += other.wrap_seconds
        self.wait_seconds += other.wait_seconds
        self.agent_seconds += other.agent_seconds
        self.hours += other.hours
        self.agents = max(self.agents, other.agents)

    def metrics(self) -> Metrics:
        busy = self.talk_seconds + self.wrap_seconds
        agent_hours = self.agent_seconds / 3600.0
        return Metrics(
            dials=self.dials,
            live_answers=self.live_answers,
            connected=self.connected,
            abandoned=self.abandoned,
            abandon_rate=self.abandoned / self.live_answers if self.live_answers else 0.0,
            agent_seconds=self.agent_seconds,
            talk_seconds=self.talk_seconds,
            wrap_seconds=self.wrap_seconds,
            idle_seconds=self.agent_seconds - busy,
            utilization=busy / self.agent_seconds if self.agent_seconds else 0.0,
            talk_minutes_per_agent_hour=(
                self.talk_seconds / 60.0 / agent_hours if agent_hours else 0.0
            ),
            mean_wait_to_connect=self.wait_seconds / self.connected if self.connected else 0.0,
        )


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One bucket of the shift, for the plot: busy share of agent time and abandonment so far."""

    start: float  # seconds since the start of the shift
    end: float
    utilization: float  # within the bucket
    abandon_rate: float  # cumulative, abandoned / live answers since the start
    bucket_abandon_rate: float  # within the bucket
