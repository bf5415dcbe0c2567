"""What other contexts may import from compliance.

The desk, the dialer, letters and payments ask `authorize_contact` before every contact and
record what happened with `record_attempt_result` and `record_fact`.
"""

from amicable.compliance.models import ComplianceFact, ContactAttempt
from amicable.compliance.services import (
    Authorization,
    ComplianceSnapshot,
    DebtWindow,
    Eligibility,
    Hold,
    LocalTime,
    PhoneConsent,
    UnableToAuthorizeContact,
    UnableToExplain,
    UnableToRecordFact,
    UnableToRecordResult,
    ValidationDates,
    authorize_contact,
    compliance_snapshot,
    eligible_debts,
    explain_debt,
    record_attempt_result,
    record_fact,
)

__all__ = [
    "Authorization",
    "ComplianceFact",
    "ComplianceSnapshot",
    "ContactAttempt",
    "DebtWindow",
    "Eligibility",
    "Hold",
    "LocalTime",
    "PhoneConsent",
    "UnableToAuthorizeContact",
    "UnableToExplain",
    "UnableToRecordFact",
    "UnableToRecordResult",
    "ValidationDates",
    "authorize_contact",
    "compliance_snapshot",
    "eligible_debts",
    "explain_debt",
    "record_attempt_result",
    "record_fact",
]
