"""Media and contact points: opt-outs, prohibited media, work email, wrong numbers.

* 1006.14(h)(1): no communication through a medium the person asked the collector not to use
  ("stop calling" bars calls, comment 14(h)(1)-3.i); a request may name one number or address
  (comment 14(h)(1)-2).
* 1006.6(e): every email or text carries an opt-out; an opt-out at an address or number covers
  it for every debt (comment 14(h)(1)-3.ii).
* Either way, a consumer who writes through that medium may be answered once through it
  (1006.14(h)(3)(ii)).
* 1006.22(f)(3): no email to an address the collector knows the employer provides, unless the
  consumer used it to write to the collector (a reply) or consented.
* A number the collector learned is not the consumer's (comment 14(b)(2)(i)-3) is not called or
  texted again: whoever answers is a third party (1006.6(d)(1)).
"""

from __future__ import annotations

from amicable.compliance.core.check import Check
from amicable.compliance.core.events import OptOut


def _matches(opt_out: OptOut, action: str, *, phone: str | None, address: str | None) -> bool:
    """Whether an opt-out bars this action through this number or address."""
    if action == "email":
        if opt_out.address is not None:
            return opt_out.address == address
        return opt_out.medium == "email" and opt_out.phone is None
    if action == "text":
        if opt_out.phone is not None:
            return opt_out.phone == phone and opt_out.medium in (None, "text")
        return opt_out.medium == "text" and opt_out.address is None
    if action == "call":
        if opt_out.medium != "call":
            return False
        return opt_out.phone is None or opt_out.phone == phone
    if action == "letter":
        if opt_out.medium != "letter":
            return False
        return opt_out.address is None or opt_out.address == address
    return False


def check(c: Check) -> None:
    request = c.request
    action = request.action
    if action == "bureau_report" or request.to == "attorney":
        return
    history = c.history
    if action in ("call", "text") and request.phone is not None and request.to == "consumer":
        learned = history.wrong_numbers.get(request.phone)
        if learned is not None and learned <= c.known_ts:
            c.refuse(
                rule="wrong_number",
                citation="12 CFR 1006.6(d)(1)",
                message=lambda: f"Phone {request.phone} is known not to be the consumer's number.",
                retry_at=None,
            )
    for ts, opt_out in history.opt_outs:
        if ts > c.known_ts:
            break
        if not _matches(opt_out, action, phone=request.phone, address=request.address):
            continue
        if request.replying_to_consumer:
            c.note(
                f"The consumer wrote through this {action} medium after opting out; one "
                "response through it is allowed (1006.14(h)(3)(ii))."
            )
            continue
        electronic = action in ("email", "text") and opt_out.medium is None
        c.refuse(
            rule="opt_out" if electronic else "prohibited_medium",
            citation="12 CFR 1006.6(e); 12 CFR 1006.14(h)(1)"
            if electronic
            else "12 CFR 1006.14(h)(1)",
            message=_opt_out_message(opt_out, action),
            retry_at=None,
        )
    if (
        action == "email"
        and request.address in history.work_emails
        and not request.replying_to_consumer
    ):
        c.refuse(
            rule="work_email",
            citation="12 CFR 1006.22(f)(3)",
            message=f"Email {request.address} is provided by the consumer's employer; use it "
            "only to reply to the consumer or with their consent.",
            retry_at=None,
        )


def _opt_out_message(opt_out: OptOut, action: str) -> str:
    if opt_out.address is not None:
        return f"The consumer opted out of emails to {opt_out.address}."
    if opt_out.phone is not None:
        kind = "calls" if opt_out.medium == "call" else "texts"
        return f"The consumer asked for no more {kind} to {opt_out.phone}."
    return f"The consumer asked the collector not to use {action}s at all."
