"""TCPA: autodialed or prerecorded calls (and autodialed texts) to a mobile number.

47 U.S.C. 227(b)(1)(A)(iii) requires "the prior express consent of the called party" for calls
"using any automatic telephone dialing system or an artificial or prerecorded voice" to a
cellular number; there is no debt-collection exception. Consent may be revoked by any reasonable
means. The verbatim FCC rules were not available (RULES.md §6), so this is deliberately simple:
a known, unrevoked consent for the number (or for any number) is required. Numbers of unknown
type are treated as mobile.
"""

from __future__ import annotations

from amicable.compliance.core.check import Check

CITATION = "47 U.S.C. 227(b)(1)(A)(iii)"


def _applies_to(phone: str | None, target: str | None) -> bool:
    return phone is None or phone == target


def check(c: Check) -> None:
    request = c.request
    if request.action not in ("call", "text"):
        return
    artificial = request.autodialed or (request.action == "call" and request.prerecorded)
    if not artificial:
        return
    kind = request.phone_type or c.history.phone_kind.get(request.phone or "", "unknown")
    if kind not in ("mobile", "unknown"):
        return
    history = c.history
    known = c.known_ts
    consented = max(
        (
            ts
            for ts, phone in history.tcpa_consents
            if ts <= known and _applies_to(phone, request.phone)
        ),
        default=None,
    )
    revoked = max(
        (
            ts
            for ts, phone in history.tcpa_revocations
            if ts <= known and _applies_to(phone, request.phone)
        ),
        default=None,
    )
    if consented is not None and (revoked is None or revoked < consented):
        return
    how = "autodialed" if request.autodialed else "prerecorded"
    c.refuse(
        rule="tcpa_consent",
        citation=CITATION,
        message=lambda: (
            f"An {how} {request.action} to a mobile number needs the consumer's prior express "
            + ("consent, which was revoked." if consented is not None else "consent.")
        ),
        retry_at=None,
    )
