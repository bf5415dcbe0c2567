"""The pure compliance rules core: no Django, no clock, no I/O.

Build `Facts` (consumer, debts, events), describe the contact as a `Request`, and call
``evaluate(request, facts, now)``. See docs/compliance.md.
"""

from amicable.compliance.core.decision import Decision, Reason, Request
from amicable.compliance.core.engine import evaluate
from amicable.compliance.core.events import (
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
    Consumer,
    Debt,
    EmailAddress,
    Facts,
    InconvenientTime,
    Phone,
    PostalAddress,
)
from amicable.compliance.core.policy import DEFAULT_POLICY, Policy
from amicable.compliance.core.states import OVERLAYS, FrequencyCap, Overlay
from amicable.compliance.core.validation import ValidationPeriod, validation_period

__all__ = [
    "DEFAULT_POLICY",
    "OVERLAYS",
    "Attorney",
    "Bankruptcy",
    "BureauReport",
    "Call",
    "Cease",
    "Consent",
    "ConsentRevoked",
    "Consumer",
    "ConsumerCall",
    "Deceased",
    "Debt",
    "Decision",
    "Dispute",
    "Email",
    "EmailAddress",
    "Event",
    "Facts",
    "FrequencyCap",
    "InconvenientTime",
    "Letter",
    "NotPersonsNumber",
    "OptOut",
    "Overlay",
    "Phone",
    "Policy",
    "PostalAddress",
    "Reason",
    "Request",
    "Text",
    "ValidationNotice",
    "ValidationPeriod",
    "VerificationSent",
    "evaluate",
    "validation_period",
]
