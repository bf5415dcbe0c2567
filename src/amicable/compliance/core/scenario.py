"""The `compliance check` scenario format: JSON in, `Facts`/`Request`/``now`` out, JSON back.

A scenario is ``{"consumer", "debts", "events", "ask"}`` (docs/compliance.md has the full
format); a file may hold one scenario or a list of them. Anything invalid raises `ScenarioError`
naming the field, e.g. ``events[2].at: not an ISO 8601 time with offset``. Unknown fields are
errors too, so a typo never silently changes a decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from amicable.compliance.core.decision import ACTIONS, PURPOSES, Decision, Request
from amicable.compliance.core.engine import evaluate
from amicable.compliance.core.events import (
    CALL_RESULTS,
    CONSENT_KINDS,
    MEDIA,
    PARTIES,
    Attorney,
    Bankruptcy,
    BureauReport,
    Call,
    Cease,
    Consent,
    ConsentRevoked,
    ConsumerCall,
    Deceased,
    Dispute,
    Email,
    Event,
    Letter,
    NotPersonsNumber,
    OptOut,
    Text,
    ValidationNotice,
    VerificationSent,
)
from amicable.compliance.core.facts import (
    WEEKDAYS,
    Consumer,
    Debt,
    EmailAddress,
    Facts,
    InconvenientTime,
    Phone,
    PostalAddress,
)
from amicable.compliance.core.policy import DEFAULT_POLICY, Policy
from amicable.compliance.core.validation import validation_period

PHONE_KINDS = frozenset({"mobile", "landline", "unknown"})
VALIDATION_ASK = "validation_period"


class ScenarioError(ValueError):
    """An invalid scenario; ``path`` names the field (``events[2].at``)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path = path
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Scenario:
    """One parsed scenario: a contact to decide, or a validation-period question."""

    facts: Facts
    now: datetime | None
    request: Request | None
    validation_debt_ids: tuple[str, ...] | None = None


class _Fields:
    """Reads one JSON object, tracking the path for error messages and unknown keys."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, dict):
            raise ScenarioError(path, "must be an object")
        self.data: dict[str, Any] = value
        self.path = path
        self.used: set[str] = set()

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str) -> object:
        self.used.add(key)
        return self.data.get(key)

    def has(self, key: str) -> bool:
        return key in self.data

    def required(self, key: str) -> object:
        if key not in self.data:
            raise ScenarioError(self.at(key), "is required")
        return self.get(key)

    def text(
        self, key: str, *, required: bool = False, choices: frozenset[str] | None = None
    ) -> str | None:
        value = self.required(key) if required else self.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise ScenarioError(self.at(key), "must be a non-empty string")
        if choices is not None and value not in choices:
            raise ScenarioError(self.at(key), f"must be one of {', '.join(sorted(choices))}")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise ScenarioError(self.at(key), "must be true or false")
        return value

    def items(self, key: str, *, required: bool = False) -> list[tuple[str, object]]:
        value = self.required(key) if required else self.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise ScenarioError(self.at(key), "must be a list")
        return [(f"{self.at(key)}[{i}]", item) for i, item in enumerate(value)]

    def instant(self, key: str) -> datetime:
        return parse_instant(self.required(key), self.at(key))

    def maybe_instant(self, key: str) -> datetime | None:
        value = self.get(key)
        return None if value is None else parse_instant(value, self.at(key))

    def day(self, key: str) -> date:
        return parse_day(self.required(key), self.at(key))

    def maybe_day(self, key: str) -> date | None:
        value = self.get(key)
        return None if value is None else parse_day(value, self.at(key))

    def name(self, key: str, *, choices: frozenset[str] | None = None) -> str:
        """A required non-empty string."""
        value = self.text(key, required=True, choices=choices)
        assert value is not None
        return value

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ScenarioError(self.at(unknown[0]), "unknown field")


def parse_instant(value: object, path: str) -> datetime:
    """An ISO 8601 date-time with a UTC offset (``Z`` or ``+hh:mm``)."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    raise ScenarioError(path, "not an ISO 8601 time with offset")


def parse_day(value: object, path: str) -> date:
    """An ISO 8601 calendar date (YYYY-MM-DD)."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ScenarioError(path, "not an ISO 8601 date (YYYY-MM-DD)")


def _clock(value: object, path: str, *, allow_24: bool) -> time | None:
    """A local time "HH:MM"; "24:00" (end of day) becomes None when allowed."""
    if isinstance(value, str):
        if allow_24 and value == "24:00":
            return None
        try:
            if len(value) == 5:
                return time.fromisoformat(value)
        except ValueError:
            pass
    raise ScenarioError(path, 'not a time of day "HH:MM"')


def parse(data: object) -> list[Scenario]:
    """Parse a scenario or a list of scenarios (paths then start with ``[i].``)."""
    if isinstance(data, list):
        if not data:
            raise ScenarioError("", "the scenario list is empty")
        return [parse_one(item, path=f"[{i}]") for i, item in enumerate(data)]
    return [parse_one(data)]


def parse_one(data: object, *, path: str = "") -> Scenario:
    """Parse one scenario object."""
    fields = _Fields(data, path)
    consumer = _consumer(_Fields(fields.required("consumer"), fields.at("consumer")))
    debts = _debts(fields)
    known = {debt.id for debt in debts}
    events = tuple(
        _event(_Fields(item, item_path), known) for item_path, item in fields.items("events")
    )
    ask = _Fields(fields.required("ask"), fields.at("ask"))
    fields.finish()
    zone = ZoneInfo(consumer.time_zones[0])
    facts = Facts(consumer=consumer, debts=debts, events=events)
    action = ask.text("action", required=True, choices=ACTIONS | {VALIDATION_ASK})
    debt_ids = _debt_refs(ask, "debts", known)
    if action == VALIDATION_ASK:
        if not debt_ids:
            raise ScenarioError(ask.at("debts"), "is required for a validation_period ask")
        ask.finish()
        return Scenario(facts=facts, now=None, request=None, validation_debt_ids=debt_ids)
    request, now = _ask(ask, action or "", debt_ids, zone)
    return Scenario(facts=facts, now=now, request=request)


def _consumer(fields: _Fields) -> Consumer:
    zones: list[str] = []
    for item_path, item in fields.items("time_zones", required=True):
        if not isinstance(item, str):
            raise ScenarioError(item_path, "must be an IANA time zone name")
        try:
            ZoneInfo(item)
        except (ZoneInfoNotFoundError, ValueError):
            raise ScenarioError(item_path, f"unknown time zone {item!r}") from None
        zones.append(item)
    if not zones:
        raise ScenarioError(fields.at("time_zones"), "needs at least one time zone")
    state = fields.text("state")
    if state is not None and (len(state) != 2 or not state.isalpha()):
        raise ScenarioError(fields.at("state"), "must be a two-letter state code")
    consumer = Consumer(
        time_zones=tuple(zones),
        state=state.upper() if state else None,
        city=fields.text("city"),
        inconvenient_times=tuple(
            _inconvenient(_Fields(item, p)) for p, item in fields.items("inconvenient")
        ),
        inconvenient_places=frozenset(
            _string(item, p) for p, item in fields.items("inconvenient_places")
        ),
        phones=tuple(_phone(_Fields(item, p)) for p, item in fields.items("phones")),
        emails=tuple(_email(_Fields(item, p)) for p, item in fields.items("emails")),
        addresses=tuple(_address(_Fields(item, p)) for p, item in fields.items("addresses")),
        employer_prohibits_contact=fields.flag("employer_prohibits_contact"),
    )
    fields.finish()
    return consumer


def _string(value: object, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise ScenarioError(path, "must be a non-empty string")
    return value


def _inconvenient(fields: _Fields) -> InconvenientTime:
    weekdays: set[int] = set()
    for item_path, item in fields.items("days", required=True):
        if item not in WEEKDAYS:
            raise ScenarioError(item_path, f"must be one of {', '.join(WEEKDAYS)}")
        weekdays.add(WEEKDAYS.index(item))
    start = _clock(fields.get("from") or "00:00", fields.at("from"), allow_24=False)
    end = _clock(fields.get("to") or "24:00", fields.at("to"), allow_24=True)
    if start is not None and end is not None and end <= start:
        raise ScenarioError(fields.at("to"), "must be after 'from'")
    until = fields.maybe_day("until")
    fields.finish()
    return InconvenientTime(
        weekdays=frozenset(weekdays), start=start or time(0), end=end, until=until
    )


def _phone(fields: _Fields) -> Phone:
    phone = Phone(
        id=fields.text("id", required=True) or "",
        kind=fields.text("type", choices=PHONE_KINDS) or "unknown",
        place=fields.text("place"),
    )
    fields.finish()
    return phone


def _email(fields: _Fields) -> EmailAddress:
    email = EmailAddress(id=fields.text("id", required=True) or "", work=fields.flag("work"))
    fields.finish()
    return email


def _address(fields: _Fields) -> PostalAddress:
    address = PostalAddress(
        id=fields.text("id", required=True) or "", place=fields.text("place") or "home"
    )
    fields.finish()
    return address


def _debts(fields: _Fields) -> tuple[Debt, ...]:
    debts: list[Debt] = []
    seen: set[str] = set()
    for item_path, item in fields.items("debts", required=True):
        debt_fields = _Fields(item, item_path)
        debt_id = debt_fields.text("id", required=True) or ""
        if debt_id in seen:
            raise ScenarioError(debt_fields.at("id"), f"duplicate debt id {debt_id!r}")
        seen.add(debt_id)
        debts.append(
            Debt(
                id=debt_id,
                type=debt_fields.text("type") or "other",
                student_loan_account=debt_fields.text("student_loan_account"),
            )
        )
        debt_fields.finish()
    if not debts:
        raise ScenarioError(fields.at("debts"), "needs at least one debt")
    return tuple(debts)


def _debt_refs(fields: _Fields, key: str, known: set[str]) -> tuple[str, ...]:
    refs: list[str] = []
    for item_path, item in fields.items(key):
        if item not in known:
            raise ScenarioError(item_path, f"unknown debt {item!r}")
        refs.append(item)
    return tuple(refs)


def _dates(fields: _Fields, key: str) -> tuple[date, ...] | None:
    if fields.get(key) is None:
        return None
    return tuple(parse_day(item, p) for p, item in fields.items(key))


EventParser = Callable[[_Fields, tuple[str, ...]], Event]

EVENT_PARSERS: Mapping[str, EventParser] = {
    "call": lambda f, debts: Call(
        at=f.instant("at"),
        result=f.name("result", choices=CALL_RESULTS),  # type: ignore[arg-type]  # checked against the choices
        debt_ids=debts,
        phone=f.text("phone"),
        to=f.text("to", choices=PARTIES) or "consumer",  # type: ignore[arg-type]  # checked against the choices
        discussed=None,  # filled in by _event (needs the known debts)
    ),
    "consumer_call": lambda f, debts: ConsumerCall(
        at=f.instant("at"),
        debt_ids=debts,
        phone=f.text("phone"),
    ),
    "email": lambda f, debts: Email(
        at=f.instant("at"),
        debt_ids=debts,
        address=f.text("address"),
        returned_on=f.maybe_day("returned_on"),
    ),
    "text": lambda f, debts: Text(
        at=f.instant("at"),
        debt_ids=debts,
        phone=f.text("phone"),
    ),
    "letter": lambda f, debts: Letter(
        on=f.day("on"),
        debt_ids=debts,
        content=f.text("content"),
        address=f.text("address"),
        returned_on=f.maybe_day("returned_on"),
    ),
    "validation_notice": lambda f, debts: ValidationNotice(
        on=f.day("on"),
        debt_ids=debts,
        medium=f.text("medium", choices=frozenset({"mail", "email"})) or "mail",
        returned_on=f.maybe_day("returned_on"),
    ),
    "consent": lambda f, debts: Consent(
        at=f.instant("at"),
        debt_ids=debts,
        for_dates=_dates(f, "for_dates"),
        kind=f.text("kind", choices=CONSENT_KINDS) or "calls",  # type: ignore[arg-type]  # checked against the choices
        phone=f.text("phone"),
    ),
    "consent_revoked": lambda f, debts: ConsentRevoked(
        at=f.instant("at"),
        debt_ids=debts,
        kind=f.text("kind", choices=CONSENT_KINDS) or "calls",  # type: ignore[arg-type]  # checked against the choices
        phone=f.text("phone"),
    ),
    "not_persons_number": lambda f, debts: NotPersonsNumber(
        at=f.instant("at"),
        phone=f.name("phone"),
    ),
    "attorney": lambda f, debts: Attorney(
        at=f.instant("at"),
        debt_ids=debts,
        ended=f.flag("ended"),
    ),
    "cease": lambda f, debts: Cease(
        at=f.instant("at"),
        debt_ids=debts,
        ended=f.flag("ended"),
    ),
    "opt_out": lambda f, debts: OptOut(
        at=f.instant("at"),
        address=f.text("address"),
        phone=f.text("phone"),
        medium=f.text("medium", choices=MEDIA),  # type: ignore[arg-type]  # checked against the choices
    ),
    "dispute": lambda f, debts: Dispute(
        at=f.instant("at"),
        debt_ids=debts,
        in_writing=f.flag("in_writing", default=True),
        sent_on=f.maybe_day("sent_on"),
    ),
    "verification_sent": lambda f, debts: VerificationSent(
        at=f.instant("at"),
        debt_ids=debts,
    ),
    "bureau_report": lambda f, debts: BureauReport(on=f.day("on"), debt_ids=debts),
    "bankruptcy": lambda f, debts: Bankruptcy(
        at=f.instant("at"),
        debt_ids=debts,
        ended=f.flag("ended"),
    ),
    "deceased": lambda f, debts: Deceased(at=f.instant("at")),
}
_NO_DEBTS = frozenset({"not_persons_number", "opt_out", "deceased"})


def _event(fields: _Fields, known: set[str]) -> Event:
    kind = fields.text("type", required=True, choices=frozenset(EVENT_PARSERS))
    debts = () if kind in _NO_DEBTS else _debt_refs(fields, "debts", known)
    event = EVENT_PARSERS[kind or ""](fields, debts)
    if isinstance(event, Call) and fields.has("discussed"):
        event = Call(
            at=event.at,
            result=event.result,
            debt_ids=event.debt_ids,
            phone=event.phone,
            to=event.to,
            discussed=_debt_refs(fields, "discussed", known),
        )
    if isinstance(event, OptOut) and not (event.address or event.phone or event.medium):
        raise ScenarioError(fields.path, "an opt_out needs an address, a phone or a medium")
    fields.finish()
    return event


def _ask(
    fields: _Fields, action: str, debt_ids: tuple[str, ...], zone: ZoneInfo
) -> tuple[Request, datetime]:
    """The request and its instant: ``at``, or the end of the local day ``on``."""
    on = fields.maybe_day("on")
    at = fields.maybe_instant("at")
    if at is None and (on is None or action in ("call", "text", "email")):
        at = fields.instant("at")  # raises "is required"
    if at is None:
        assert on is not None
        at = datetime.combine(on + timedelta(days=1), time(0), tzinfo=zone) - timedelta(
            microseconds=1
        )
    request = Request(
        action=action,  # type: ignore[arg-type]  # checked against the choices
        debt_ids=debt_ids,
        phone=fields.text("phone"),
        address=fields.text("address"),
        to=fields.text("to", choices=PARTIES) or "consumer",
        location_follow_up=fields.flag("location_follow_up"),
        replying_to_consumer=fields.flag("replying_to_consumer"),
        autodialed=fields.flag("autodialed"),
        prerecorded=fields.flag("prerecorded"),
        phone_type=fields.text("phone_type", choices=PHONE_KINDS),
        purpose=fields.text("purpose", choices=PURPOSES),  # type: ignore[arg-type]  # checked against the choices
    )
    fields.finish()
    return request, at


def render_decision(decision: Decision, *, notes: bool = False) -> dict[str, object]:
    """The issue's output JSON for a contact (``notes`` adds the applied exceptions)."""
    out: dict[str, object] = {
        "allowed": decision.allowed,
        "reasons": [
            {"rule": r.rule, "citation": r.citation, "message": r.message} for r in decision.reasons
        ],
        "calls_in_window": dict(decision.calls_in_window),
        "next_allowed_at": (
            decision.next_allowed_at.isoformat() if decision.next_allowed_at else None
        ),
    }
    if notes:
        out["notes"] = list(decision.notes)
    return out


def answer(
    scenario: Scenario, *, policy: Policy = DEFAULT_POLICY, notes: bool = False
) -> dict[str, object]:
    """Evaluate one scenario and render its answer."""
    if scenario.validation_debt_ids is not None:
        return _validation_answer(scenario, policy=policy)
    assert scenario.request is not None and scenario.now is not None
    decision = evaluate(scenario.request, scenario.facts, scenario.now, policy=policy)
    return render_decision(decision, notes=notes)


def _validation_answer(scenario: Scenario, *, policy: Policy) -> dict[str, object]:
    """The period of the latest validation notice for the asked debts that was not returned
    (a re-sent notice starts a new period, comment 34(b)(5)-2)."""
    wanted = set(scenario.validation_debt_ids or ())
    notices = [
        event
        for event in scenario.facts.events
        if isinstance(event, ValidationNotice)
        and event.returned_on is None
        and (not event.debt_ids or wanted & set(event.debt_ids))
    ]
    if not notices:
        return {
            "notice_sent_on": None,
            "assumed_received_on": None,
            "validation_period_ends_on": None,
        }
    latest = max(notices, key=lambda n: n.on)
    period = validation_period(latest.on, include_observed=policy.observed_holidays_extend_receipt)
    return {
        "notice_sent_on": period.notice_sent_on.isoformat(),
        "assumed_received_on": period.assumed_received_on.isoformat(),
        "validation_period_ends_on": period.ends_on.isoformat(),
    }


def check_json(data: object, *, policy: Policy = DEFAULT_POLICY, notes: bool = False) -> object:
    """Parse and answer a scenario document: one answer, or a list in the same order."""
    scenarios = parse(data)
    answers = [answer(s, policy=policy, notes=notes) for s in scenarios]
    return answers if isinstance(data, list) else answers[0]
