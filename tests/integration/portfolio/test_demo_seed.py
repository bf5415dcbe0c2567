from datetime import date

import phonenumbers
import pytest

from amicable.portfolio.models import Consumer, ContactPoint, Creditor, Debt
from amicable.portfolio.seeding import seed_demo_portfolio

pytestmark = pytest.mark.django_db


def test_seed_builds_a_realistic_portfolio_and_is_idempotent(now):
    first = seed_demo_portfolio(accounts=300, seed=7, as_of=date(2026, 4, 1), now=now)
    again = seed_demo_portfolio(accounts=300, seed=7, as_of=date(2026, 4, 1), now=now)

    assert first["created"] == 300 and again == {"created": 0, "unchanged": 300, "updated": 0}
    assert set(Creditor.objects.values_list("industry", flat=True)) >= {
        "MEDICAL",
        "TELECOM",
        "CREDIT_CARD",
        "UTILITY",
    }
    assert Consumer.objects.filter(preferred_language="ES").exists()
    assert Consumer.objects.count() < Debt.objects.count()  # some people owe two debts
    zones = {p.state for p in ContactPoint.objects.filter(kind="ADDRESS")}
    assert len(zones) > 10
    for phone in ContactPoint.objects.filter(kind="PHONE")[:100]:
        assert phonenumbers.is_valid_number(phonenumbers.parse(phone.value))


def test_seed_is_deterministic_for_a_seed(now):
    from amicable.portfolio.demo_data import demo_accounts

    def sample(seed):
        return [
            (a.record.account_number, a.record.last_name, a.record.balance)
            for a in demo_accounts(count=50, seed=seed, as_of=date(2026, 4, 1))
        ]

    assert sample(3) == sample(3)
    assert sample(3) != sample(4)


def _plain_index_names() -> set[str]:
    from django.db import connection

    from amicable.portfolio.imports import PORTFOLIO_TABLES

    with connection.cursor() as cursor:
        return {
            name
            for model in PORTFOLIO_TABLES
            for name in connection.introspection.get_constraints(cursor, model._meta.db_table)
        }


def _declared_plain_indexes() -> dict[str, str]:
    from amicable.portfolio.bulk_insert import _plain_indexes
    from amicable.portfolio.imports import PORTFOLIO_TABLES

    return {name: column for _table, column, name, _sql in _plain_indexes(PORTFOLIO_TABLES)}


def _first_load(now, monkeypatch, *, after_each_batch) -> None:
    """Seed 300 accounts into the empty portfolio as a first (deferred-index) load, calling
    `after_each_batch()` after each batch is written."""
    from amicable.portfolio import imports

    original = imports.apply_prepared_rows

    def spy(**kwargs):
        counts = original(**kwargs)
        after_each_batch()
        return counts

    monkeypatch.setattr(imports, "DEFER_INDEXES_FROM_ROWS", 100)
    monkeypatch.setattr("amicable.portfolio.seeding.apply_prepared_rows", spy)
    seed_demo_portfolio(accounts=300, seed=7, as_of=date(2026, 4, 1), now=now)


def test_a_load_into_an_empty_portfolio_builds_the_plain_indexes_afterwards(now, monkeypatch):
    declared = _declared_plain_indexes()
    assert len(declared) >= 8 and set(declared) <= _plain_index_names()
    seen_during_load: list[set[str]] = []

    _first_load(
        now, monkeypatch, after_each_batch=lambda: seen_during_load.append(_plain_index_names())
    )

    missing_during_load = set(declared) - seen_during_load[0]
    assert {declared[name] for name in missing_during_load} == set(declared.values()) - {
        "ssn_hash"  # the load looks people up by it
    }
    assert set(declared) <= _plain_index_names()  # all built again
    assert Debt.objects.count() == 300
    assert Debt.objects.filter(account_number__startswith="MER").exists()  # searchable


def test_indexes_a_killed_load_left_missing_are_built_by_the_next_load(now, monkeypatch):
    from django.db import connection

    from amicable.portfolio import imports

    monkeypatch.setattr(imports, "DEFER_INDEXES_FROM_ROWS", 100)
    with pytest.raises(RuntimeError), imports.indexes_for_a_load(rows=300):
        assert not set(_declared_plain_indexes()) <= _plain_index_names()
        raise RuntimeError("the load failed")
    if connection.vendor == "postgresql":
        assert len(_foreign_keys_present()) >= 6  # restored on the way out too
    assert set(_declared_plain_indexes()) <= _plain_index_names()  # rebuilt on the way out

    seed_demo_portfolio(accounts=50, seed=7, as_of=date(2026, 4, 1), now=now)
    name = next(n for n, column in _declared_plain_indexes().items() if column == "name_key")
    with connection.cursor() as cursor:  # as if a process had died in the middle of a load
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    assert name not in _plain_index_names()

    seed_demo_portfolio(accounts=300, seed=7, as_of=date(2026, 4, 1), now=now)  # not empty now

    assert set(_declared_plain_indexes()) <= _plain_index_names()
    if connection.vendor == "postgresql":  # and the foreign keys the killed load dropped
        assert all(_foreign_keys_present().values()) and len(_foreign_keys_present()) >= 6


def _foreign_keys_present() -> dict[str, bool]:
    """Constraint name -> validated, for the portfolio tables' foreign keys (PostgreSQL)."""
    from django.db import connection

    from amicable.portfolio.bulk_insert import _foreign_keys
    from amicable.portfolio.imports import PORTFOLIO_TABLES

    names = [name for _table, name, _sql in _foreign_keys(PORTFOLIO_TABLES)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, convalidated FROM pg_constraint WHERE conname = ANY(%s)", [names]
        )
        return dict(cursor.fetchall())


def test_on_postgresql_a_first_load_checks_foreign_keys_once_at_the_end(now, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot drop a foreign key without rebuilding the table")
    declared = _foreign_keys_present()
    assert len(declared) >= 6 and all(declared.values())
    seen_during_load: list[dict[str, bool]] = []

    _first_load(
        now, monkeypatch, after_each_batch=lambda: seen_during_load.append(_foreign_keys_present())
    )

    assert seen_during_load[0] == {}  # no per-row checks while loading
    assert _foreign_keys_present() == declared  # all back, validated


def _column_defaults() -> dict[str, str]:
    """`table.column` -> default expression, for the portfolio tables (PostgreSQL)."""
    from django.db import connection

    from amicable.portfolio.imports import PORTFOLIO_TABLES

    tables = [model._meta.db_table for model in PORTFOLIO_TABLES]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname || '.' || a.attname, pg_get_expr(d.adbin, d.adrelid)"
            " FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid"
            " JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum"
            " WHERE c.relname = ANY(%s)",
            [tables],
        )
        return dict(cursor.fetchall())


def test_on_postgresql_a_first_load_sends_the_constants_as_column_defaults(now, monkeypatch):
    """Creditor, placement, statuses and timestamps are the same in every row of a placement:
    column defaults supply them instead of a third of the values COPY would carry. A seed
    switches creditors and placements chunk by chunk, so the defaults follow."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite binds the constants as literals of the statement")
    seen_during_load: list[dict[str, str]] = []

    _first_load(
        now, monkeypatch, after_each_batch=lambda: seen_during_load.append(_column_defaults())
    )

    assert "portfolio_debt.creditor_id" in seen_during_load[0]
    assert "portfolio_contactpoint.status" in seen_during_load[0]
    assert _column_defaults() == {}  # dropped at the end
    for creditor in Creditor.objects.all():
        debts = Debt.objects.filter(creditor=creditor)
        assert debts.exists()
        assert set(debts.values_list("placement__creditor", flat=True)) == {creditor.pk}
        assert set(debts.values_list("debt_type", flat=True)) == {creditor.industry}
        assert set(debts.values_list("status", flat=True)) == {"ACTIVE"}
        assert set(debts.values_list("placed_at", flat=True)) == {now}
    assert set(ContactPoint.objects.values_list("status", "source", "consent")) == {
        ("VALID", "PLACEMENT", "UNKNOWN")
    }
    assert set(Consumer.objects.values_list("is_deceased", "in_bankruptcy", "created_at")) == {
        (False, False, now)
    }
    creditors_of_person: dict[int, set[int]] = {}
    for consumer_id, creditor_id in Debt.objects.values_list("consumer_id", "creditor_id"):
        creditors_of_person.setdefault(consumer_id, set()).add(creditor_id)
    for consumer_id, creditor_id in ContactPoint.objects.values_list("consumer_id", "creditor_id"):
        assert creditor_id in creditors_of_person[consumer_id]


def test_on_postgresql_defaults_a_killed_load_left_are_dropped_by_the_next_load(now, monkeypatch):
    from django.db import connection

    from amicable.portfolio import imports

    if connection.vendor != "postgresql":
        pytest.skip("SQLite binds the constants as literals of the statement")
    with connection.cursor() as cursor:  # as if a process had died in the middle of a load
        cursor.execute('ALTER TABLE "portfolio_debt" ALTER COLUMN "status" SET DEFAULT \'X\'')
    assert _column_defaults() == {"portfolio_debt.status": "'X'::character varying"}

    with imports.indexes_for_a_load(rows=10):  # a small load: not a first one
        assert _column_defaults() == {}


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_another_load_leaves_a_running_first_loads_defaults_alone():
    """Defaults belong to the table, not to a connection: a load starting elsewhere while a
    first load runs must not drop them from under it."""
    import threading

    from django.db import connection, connections

    from amicable.portfolio import bulk_insert
    from amicable.portfolio.imports import PORTFOLIO_TABLES

    if connection.vendor != "postgresql":
        pytest.skip("SQLite binds the constants as literals of the statement")

    def another_load() -> None:
        try:
            bulk_insert.drop_column_defaults(PORTFOLIO_TABLES)
        finally:
            connections["default"].close()

    with (
        bulk_insert.load_lock(),
        bulk_insert.constants_as_column_defaults(PORTFOLIO_TABLES),
    ):
        with connection.cursor() as cursor:
            assert bulk_insert._as_column_defaults(cursor, "portfolio_debt", {"status": "X"})
        elsewhere = threading.Thread(target=another_load)
        elsewhere.start()
        elsewhere.join()
        assert _column_defaults() == {"portfolio_debt.status": "'X'::character varying"}
    assert _column_defaults() == {}


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_load_waits_for_the_one_before_it():
    """A load that starts while another runs waits for it to end: were it to run alongside,
    both would create the people their files share (and a first load does not even look
    people up in the portfolio)."""
    import threading

    from django.db import connection, connections

    from amicable.portfolio import bulk_insert, imports

    if connection.vendor != "postgresql":
        pytest.skip("the tests' SQLite database is in memory: nobody else can load into it")
    decided: list[bool] = []

    def another_load() -> None:
        try:
            with imports.indexes_for_a_load(rows=1_000_000) as first_load:
                decided.append(first_load)
        finally:
            connections["default"].close()

    with bulk_insert.load_lock():
        elsewhere = threading.Thread(target=another_load)
        elsewhere.start()
        elsewhere.join(timeout=1.0)
        assert elsewhere.is_alive() and decided == []  # waiting for the lock
    elsewhere.join(timeout=30)
    assert decided == [True]  # then alone, into a portfolio still empty: a first load


def _orphan_point(now) -> ContactPoint:
    """As if a bug wrote a contact point for nobody (once: a load has several batches)."""
    point, _ = ContactPoint.objects.get_or_create(
        consumer_id=987654321, kind="EMAIL", value="x@example.com", created_at=now
    )
    return point


# Committed batch by batch, as a real load is: inside a test's transaction the failed check
# would leave the transaction refusing every statement, the first-load lock's release too.
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_row_without_its_parent_fails_the_first_load(now, monkeypatch):
    from django.db import IntegrityError, connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot drop a foreign key without rebuilding the table")

    with pytest.raises(IntegrityError, match="portfolio_contactpoi_consumer_id"):
        _first_load(now, monkeypatch, after_each_batch=lambda: _orphan_point(now))


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_key_that_failed_validation_is_validated_again_until_mended(
    now, monkeypatch
):
    from django.db import IntegrityError, connection

    from amicable.portfolio import imports
    from amicable.portfolio.bulk_insert import build_missing_indexes

    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot drop a foreign key without rebuilding the table")

    with pytest.raises(IntegrityError):  # rows committed batch by batch, the check at the end
        _first_load(now, monkeypatch, after_each_batch=lambda: _orphan_point(now))
    name = "portfolio_contactpoi_consumer_id_15b29056_fk_portfolio"
    assert _foreign_keys_present()[name] is False  # there, but not checked

    with pytest.raises(IntegrityError):  # the next load's repair says so again
        build_missing_indexes(imports.PORTFOLIO_TABLES)
    _orphan_point(now).delete()
    build_missing_indexes(imports.PORTFOLIO_TABLES)

    assert all(_foreign_keys_present().values()) and len(_foreign_keys_present()) >= 6


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_schema_changes_at_the_end_of_a_load_run_on_two_connections(monkeypatch):
    from django.db import ProgrammingError, connection

    from amicable.portfolio import bulk_insert

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: its changes run one after the other")

    names = [f"scratch_two_connections_{n}" for n in range(6)]
    statements = [f'CREATE INDEX "{name}" ON "portfolio_consumer" ("first_name")' for name in names]
    groups = [statements[:2], statements[2:5], statements[5:]]  # each group in order
    threads = []
    execute = bulk_insert.threading.Thread.start

    def counting_start(self):
        threads.append(self.name)
        return execute(self)

    monkeypatch.setattr(bulk_insert.threading.Thread, "start", counting_start)
    try:
        with connection.cursor() as cursor:
            bulk_insert._alter_tables_on_two_connections(cursor, groups)
            present = connection.introspection.get_constraints(cursor, "portfolio_consumer")
        assert threads == ["schema-changes"] and set(names) <= set(present)

        with connection.cursor() as cursor, pytest.raises(ProgrammingError, match="no_such"):
            bulk_insert._alter_tables_on_two_connections(
                cursor, [['CREATE INDEX "x" ON "no_such_table" ("a")']] * 3
            )
    finally:
        with connection.cursor() as cursor:
            for name in names:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


def test_a_seed_keeps_the_statistics_of_debts_and_people_fresh_on_postgresql(now, monkeypatch):
    """Without them, PostgreSQL's planner scans for each chunk's look-ups (a million-account
    seed took 212 s instead of 116)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from amicable.portfolio import imports

    monkeypatch.setattr(imports, "ANALYZE_FROM_ROWS", 100)
    with CaptureQueriesContext(connection) as queries:
        seed_demo_portfolio(accounts=300, seed=7, as_of=date(2026, 4, 1), now=now)

    analyzed = {q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")}
    if connection.vendor == "postgresql":
        assert analyzed == {
            f'ANALYZE "{Debt._meta.db_table}"',
            f'ANALYZE "{Consumer._meta.db_table}"',
        }
    else:
        assert analyzed == set()  # SQLite's planner needs no statistics


def test_a_second_seed_is_refused_rather_than_overwriting_the_first(now):
    from amicable.portfolio.seeding import UnableToSeed

    seed_demo_portfolio(accounts=20, seed=3, as_of=date(2026, 4, 1), now=now)
    before = list(Debt.objects.order_by("id").values_list("account_number", "balance"))

    with pytest.raises(UnableToSeed, match="demo portfolio of seed 3; another seed would"):
        seed_demo_portfolio(accounts=20, seed=4, as_of=date(2026, 4, 1), now=now)

    assert list(Debt.objects.order_by("id").values_list("account_number", "balance")) == before
    again = seed_demo_portfolio(accounts=25, seed=3, as_of=date(2026, 4, 1), now=now)
    assert (again["created"], again["unchanged"]) == (5, 20)


def test_seeded_dates_are_in_order_and_never_after_the_as_of_date():
    from amicable.portfolio.demo_data import demo_accounts

    as_of = date(2026, 4, 6)
    for account in demo_accounts(count=2000, seed=7, as_of=as_of):
        record = account.record
        assert record.delinquency_date is not None and record.delinquency_date < as_of
        if record.charge_off_date is not None:
            assert record.delinquency_date < record.charge_off_date <= as_of
        if record.last_payment_date is not None:
            assert record.last_payment_date < record.delinquency_date
        assert record.itemization_date is not None
        assert record.delinquency_date <= record.itemization_date <= as_of


def test_the_name_key_migration_remakes_every_key_fold_now_changes(now):
    import importlib

    from django.apps import apps

    from amicable.portfolio.models import name_key

    refold = importlib.import_module(
        "amicable.portfolio.migrations.0009_name_keys_folded_again"
    ).refold
    seed_demo_portfolio(accounts=5, seed=7, as_of=date(2026, 4, 1), now=now)
    odd = Consumer.objects.order_by("id").first()
    last = "De\u00a0 La Cruz"  # a no-break space beside a space
    Consumer.objects.filter(pk=odd.pk).update(
        first_name="Maria", last_name=last, name_key="de\u00a0 la cruz maria"
    )

    refold(apps, None)

    assert Consumer.objects.get(pk=odd.pk).name_key == name_key("Maria", last)
    assert name_key("Maria", last) == "de la cruz maria"
