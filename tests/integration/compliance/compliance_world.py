"""Consumers for the compliance tests, built directly in the database (fast, no import)."""

from datetime import UTC, datetime
from decimal import Decimal

from amicable.portfolio.models import Consumer, ContactPoint, Creditor, Debt, Placement

CREATED = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)


def creditor(code: str = "mercy", industry: str = "MEDICAL") -> Creditor:
    found = Creditor.objects.filter(code=code).first()
    if found is not None:
        return found
    return Creditor.objects.create(
        code=code, name=code.title(), industry=industry, created_at=CREATED
    )


def make_consumer(
    *,
    first_name: str = "Dana",
    last_name: str = "Whitfield",
    state: str = "NY",
    zip_code: str = "12207",
    phones: tuple[tuple[str, str], ...] = (("+15185550134", "MOBILE"),),
    email: str | None = "dana@example.com",
    debts: tuple[tuple[str, str], ...] = (("M-1", "MEDICAL"), ("B-1", "TELECOM")),
) -> Consumer:
    consumer = Consumer.objects.create(
        first_name=first_name, last_name=last_name, state=state, created_at=CREATED
    )
    for index, (value, phone_type) in enumerate(phones):
        ContactPoint.objects.create(
            consumer=consumer,
            kind="PHONE",
            value=value,
            phone_type=phone_type,
            is_primary=index == 0,
            created_at=CREATED,
        )
    if email:
        ContactPoint.objects.create(
            consumer=consumer, kind="EMAIL", value=email, created_at=CREATED
        )
    if zip_code:
        ContactPoint.objects.create(
            consumer=consumer,
            kind="ADDRESS",
            value=f"12 Main St, Town {state} {zip_code}",
            address1="12 Main St",
            city="Town",
            state=state,
            zip_code=zip_code,
            is_primary=True,
            created_at=CREATED,
        )
    for account, debt_type in debts:
        owner = creditor()
        placement, _ = Placement.objects.get_or_create(
            creditor=owner, file_name="world.csv", defaults={"received_at": CREATED}
        )
        Debt.objects.create(
            creditor=owner,
            placement=placement,
            consumer=consumer,
            account_number=f"{account}-{consumer.pk}",
            debt_type=debt_type,
            placed_at=CREATED,
            principal_balance=Decimal("100"),
            balance=Decimal("100"),
        )
    return consumer


def debt_ids(consumer: Consumer) -> list[int]:
    return list(consumer.debts.order_by("id").values_list("id", flat=True))


def phone_id(consumer: Consumer, index: int = 0) -> int:
    return list(
        consumer.contact_points.filter(kind="PHONE")
        .order_by("-is_primary", "id")
        .values_list("id", flat=True)
    )[index]


def point_id(consumer: Consumer, kind: str) -> int:
    return consumer.contact_points.filter(kind=kind).order_by("id").values_list("id", flat=True)[0]
