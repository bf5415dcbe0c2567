"""The negotiation maths core: pure Python, no Django, no clock (``today`` is passed in).

- `assess_affordability`: income and expenses, normalised to monthly, give disposable income.
- `propose_options`: pay in full, a settlement at the creditor's floor, and weekly, bi-weekly and
  monthly plans that fit the disposable income and the creditor's term limit.
- `evaluate_arrangement`: is a custom arrangement within the agent's authority, and why not.
- `build_schedule`: equal installments summing to the total to the cent.
- `promise_status` / `plan_status`: PENDING, KEPT or BROKEN given the payments received.
"""

from amicable.negotiation.core.affordability import (
    EXPENSE_CATEGORIES,
    Affordability,
    Expense,
    Income,
    UnableToAssessAffordability,
    assess_affordability,
    monthly_amount,
    per_period_amount,
)
from amicable.negotiation.core.options import (
    DEFAULT_SHARE_OF_DISPOSABLE,
    Authority,
    Option,
    OptionKind,
    UnableToProposeOptions,
    evaluate_arrangement,
    payment_capacity,
    propose_options,
    term_months,
)
from amicable.negotiation.core.promises import (
    InstallmentStatus,
    PlanStatus,
    PromiseStatus,
    UnableToJudgePromise,
    plan_status,
    promise_status,
)
from amicable.negotiation.core.schedule import (
    FREQUENCIES,
    PERIODS_PER_YEAR,
    Frequency,
    Installment,
    UnableToBuildSchedule,
    add_months,
    build_schedule,
)

__all__ = [
    "DEFAULT_SHARE_OF_DISPOSABLE",
    "EXPENSE_CATEGORIES",
    "FREQUENCIES",
    "PERIODS_PER_YEAR",
    "Affordability",
    "Authority",
    "Expense",
    "Frequency",
    "Income",
    "Installment",
    "InstallmentStatus",
    "Option",
    "OptionKind",
    "PlanStatus",
    "PromiseStatus",
    "UnableToAssessAffordability",
    "UnableToBuildSchedule",
    "UnableToJudgePromise",
    "UnableToProposeOptions",
    "add_months",
    "assess_affordability",
    "build_schedule",
    "evaluate_arrangement",
    "monthly_amount",
    "payment_capacity",
    "per_period_amount",
    "plan_status",
    "promise_status",
    "propose_options",
    "term_months",
]
