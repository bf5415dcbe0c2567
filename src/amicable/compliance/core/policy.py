"""Choices the regulation leaves open and agencies may reasonably make differently.

Every default is the reading documented in docs/compliance.md ("Decisions on ambiguities"); where
the text is unclear the default is the one that protects the consumer more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from amicable.compliance.core.states import OVERLAYS, Overlay


@dataclass(frozen=True, slots=True)
class Policy:
    """Agency settings for the rules engine (RULES.md §8 numbers in brackets).

    earliest_local_time / latest_local_time [§8.1]: the assumed-convenient window. Reg F makes
        "before 8:00 a.m. and after 9:00 p.m." inconvenient, so 08:00:00 and 21:00:00 themselves
        are allowed and 21:00:01 is not. An agency reading the FDCPA's "after 8 ... before 9"
        strictly can set e.g. ``time(8, 0, 1)`` and ``time(20, 59, 59)``.
    max_calls_in_seven_days: 7 (1006.14(b)(2)(i)(A)); lower it for a stricter house rule.
    conversation_quiet_days: 7 (1006.14(b)(2)(i)(B)); the conversation day is day 1.
    observed_holidays_extend_receipt [§8.5]: when a legal public holiday falls on a weekend,
        also skip the Friday/Monday it is observed on when counting the 5 days to assumed
        receipt. A later assumed receipt only lengthens the validation period, so True is safe.
    pause_on_late_written_dispute [§8.5]: 1006.38(d)(2) pauses collection only for a written
        dispute submitted within the validation period; True pauses for every written dispute
        until verification is sent.
    dispute_timely_if_sent_in_period [§8.5]: a dispute is "submitted ... within the validation
        period" if sent (postmarked) by its end (True) or only if received by then (False).
    pause_on_oral_dispute: Regulation F pauses collection only for a written dispute; an oral
        one must still be reported as disputed and its reason heard. True (the default, the
        house rule most agencies follow and the one that avoids "calls after I disputed it"
        complaints) also pauses collection on an oral dispute until verification is sent;
        False follows the regulation's minimum.
    passive_collection_wait_days [§8.7]: 14, the safe harbor, counting the mailing day as day 1.
    state_caps_count_unanswered [§8.9]: state "communication" caps count every connected
        attempt (ringing, voicemail reached without a message) like Reg F does (True), or only
        attempts that delivered something to a person or a voicemail (False).
    reply_exempts_default_hours: a reply to a consumer's own message may go out before 8 a.m. or
        after 9 p.m. (False: the respond-once exception of comment 6(b)(1)-2 covers only times
        the consumer designated as inconvenient, not the default hours).
    search_horizon_days: how far ahead `next_allowed_at` looks before answering None.
    overlays: the state and city overlays in force (states.OVERLAYS plus agency additions).
    """

    earliest_local_time: time = time(8, 0)
    latest_local_time: time = time(21, 0)
    max_calls_in_seven_days: int = 7
    conversation_quiet_days: int = 7
    observed_holidays_extend_receipt: bool = True
    pause_on_late_written_dispute: bool = True
    dispute_timely_if_sent_in_period: bool = True
    pause_on_oral_dispute: bool = True
    passive_collection_wait_days: int = 14
    state_caps_count_unanswered: bool = True
    reply_exempts_default_hours: bool = False
    search_horizon_days: int = 400
    overlays: tuple[Overlay, ...] = OVERLAYS
    overlay_states: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Lets the engine skip overlays at once for consumers in states without any.
        object.__setattr__(self, "overlay_states", frozenset(o.state for o in self.overlays))


DEFAULT_POLICY = Policy()
