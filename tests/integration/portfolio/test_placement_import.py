"""The placement import against the database: create, re-import, update, reject, resume."""

import csv
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from amicable.identity.models import AuditEvent
from amicable.portfolio import imports
from amicable.portfolio.imports import (
    UnableToImportPlacement,
    receive_placement_file,
    run_placement_import,
)
from amicable.portfolio.ledger import Buckets, post_ledger_entry
from amicable.portfolio.models import Consumer, ContactPoint, Debt, LedgerEntry, Placement
from tests.conftest import STANDARD_HEADER, person_row, write_placement_csv

pytestmark = pytest.mark.django_db


def import_file(path: Path, now, creditor="mercy", **kwargs):
    placement = receive_placement_file(
        creditor_code=creditor, source_path=path, file_name=path.name, now=now
    )
    return run_placement_import(placement_id=placement.pk, now=now, **kwargs)


def read_report(summary) -> list[dict[str, str]]:
    with open(summary.errors_file, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_import_creates_debts_consumers_contact_points_and_ledger(
    creditor_mercy, placement_csv, now
):
    summary = import_file(placement_csv, now)

    assert summary.as_json() | {"errors_file": ""} == {
        "rows": 5,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
        "warnings": 2,
        "errors_file": "",
    }
    debt = Debt.objects.get(account_number="M-1001")
    assert (debt.principal_balance, debt.interest_balance, debt.fees_balance, debt.balance) == (
        Decimal("1000.00"),
        Decimal("200.00"),
        Decimal("50.00"),
        Decimal("1250.00"),
    )
    entry = LedgerEntry.objects.get(debt=debt)
    assert entry.kind == LedgerEntry.Kind.PLACEMENT and entry.amount == Decimal("1250.00")
    assert Debt.objects.get(account_number="M-1003").principal_balance == Decimal("310.00")
    # M-1001 and M-1005 share an SSN: one person with two linked debts.
    dana = Consumer.objects.get(ssn_last4="6789")
    assert sorted(dana.debts.values_list("account_number", flat=True)) == ["M-1001", "M-1005"]
    assert dana.ssn_encrypted and "123456789" not in dana.ssn_encrypted
    phones = ContactPoint.objects.filter(consumer=dana, kind=ContactPoint.Kind.PHONE)
    assert [p.value for p in phones] == ["+15185550134"]
    placement = Placement.objects.get(pk=summary.placement_id)
    assert placement.status == Placement.Status.COMPLETED
    assert placement.placed_total == Decimal("1250.00") + Decimal("80.25") + Decimal(
        "310.00"
    ) + Decimal("99.99")
    assert AuditEvent.objects.filter(
        action="placement.imported", object_id=str(placement.pk)
    ).exists()


def test_rejected_rows_and_warnings_are_reported_with_row_numbers(
    creditor_mercy, placement_csv, now
):
    summary = import_file(placement_csv, now)

    report = read_report(summary)
    assert list(report[0]) == ["row", "account_number", "level", "message"]
    levels = {(r["row"], r["account_number"], r["level"]) for r in report}
    assert ("4", "M-1004", "error") in levels
    assert ("3", "M-1003", "warning") in levels
    assert not Debt.objects.filter(account_number="M-1004").exists()
    ruth = Consumer.objects.get(last_name="Okafor")
    assert not ruth.contact_points.filter(kind__in=["PHONE", "EMAIL"]).exists()


def test_reimporting_the_same_file_creates_nothing_new(creditor_mercy, placement_csv, now):
    import_file(placement_csv, now)
    counts = (
        Debt.objects.count(),
        Consumer.objects.count(),
        LedgerEntry.objects.count(),
        ContactPoint.objects.count(),
    )

    again = import_file(placement_csv, now + timedelta(days=1))

    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 4, 1)
    assert (
        Debt.objects.count(),
        Consumer.objects.count(),
        LedgerEntry.objects.count(),
        ContactPoint.objects.count(),
    ) == counts


def raised_row() -> dict[str, str]:
    """M-1001 of the fixture file with 50.00 more interest and a second phone."""
    return person_row(
        "M-1001",
        balance="1,300.00",
        principal="1000.00",
        interest="250.00",
        fees="50.00",
        phone2="518-462-0199",
    )


def test_a_changed_row_updates_the_debt_through_an_adjustment(
    creditor_mercy, placement_csv, tmp_path, now
):
    import_file(placement_csv, now)
    changed = write_placement_csv(
        tmp_path / "update.csv",
        [raised_row()],
    )

    summary = import_file(changed, now + timedelta(days=30))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 0)
    debt = Debt.objects.get(account_number="M-1001")
    assert debt.balance == Decimal("1300.00") and debt.interest_balance == Decimal("250.00")
    entries = list(debt.ledger_entries.order_by("id").values_list("kind", "amount"))
    assert entries == [("PLACEMENT", Decimal("1250.00")), ("ADJUSTMENT", Decimal("50.00"))]
    assert debt.consumer.contact_points.filter(value="+15184620199").exists()


def test_the_same_accounts_in_a_file_with_fewer_columns_are_unchanged(
    creditor_mercy, placement_csv, tmp_path, now
):
    """The row reads differently (its fingerprint covers the columns it has), yet nothing
    about the debt changes: the report says unchanged, and no entry is posted."""
    first = import_file(placement_csv, now)
    fewer = ["account_number", "first_name", "last_name", "balance"]
    with placement_csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    narrow = write_placement_csv(tmp_path / "narrow.csv", rows, header=fewer)
    entries = LedgerEntry.objects.count()

    summary = import_file(narrow, now + timedelta(days=1))

    assert (summary.created, summary.updated) == (0, 0)
    assert summary.unchanged == first.created + first.unchanged
    assert LedgerEntry.objects.count() == entries
    again = import_file(narrow, now + timedelta(days=2))  # the new fingerprints were kept
    assert (again.updated, again.unchanged) == (0, summary.unchanged)


def collect_principal(debt, amount: Decimal, now) -> None:
    """A payment the agency collected against principal since the debt was placed."""
    post_ledger_entry(
        debt_id=debt.pk,
        kind=LedgerEntry.Kind.PAYMENT,
        buckets=Buckets(principal=-amount),
        effective_on=now.date(),
        recorded_at=now,
        idempotency_key=f"test:payment:{debt.pk}:{amount}",
    )


def test_a_resent_row_does_not_undo_a_payment_collected_since(
    creditor_mercy, placement_csv, tmp_path, now
):
    """The adjustment is the change in the creditor's figures, not the file against the
    balance now: resending a row with a new phone must keep the payment we collected."""
    import_file(placement_csv, now)
    debt = Debt.objects.get(account_number="M-1001")
    collect_principal(debt, Decimal("200.00"), now)
    resent = write_placement_csv(
        tmp_path / "resent.csv",
        [person_row("M-1001", balance="1,250.00", phone2="518-462-0199")],
    )
    raised = write_placement_csv(
        tmp_path / "raised.csv",
        [raised_row()],
    )

    assert import_file(resent, now + timedelta(days=30)).updated == 1
    debt.refresh_from_db()
    assert debt.balance == Decimal("1050.00")
    assert not debt.ledger_entries.filter(kind=LedgerEntry.Kind.ADJUSTMENT).exists()

    assert import_file(raised, now + timedelta(days=60)).updated == 1
    debt.refresh_from_db()
    assert debt.balance == Decimal("1100.00")  # the creditor's +50.00, the payment kept
    entries = list(debt.ledger_entries.order_by("id").values_list("kind", "amount"))
    assert entries == [
        ("PLACEMENT", Decimal("1250.00")),
        ("PAYMENT", Decimal("-200.00")),
        ("ADJUSTMENT", Decimal("50.00")),
    ]


def test_a_file_with_fewer_columns_keeps_what_it_does_not_say(
    creditor_mercy, placement_csv, tmp_path, now
):
    """A later file with only some columns updates those; the dates and the balance split it
    does not carry are kept, and a balance change goes to principal."""
    import_file(placement_csv, now)
    short = write_placement_csv(
        tmp_path / "short.csv",
        [{"account_number": "M-1001", "first_name": "Dana", "last_name": "W", "balance": "1300"}],
        header=["account_number", "first_name", "last_name", "balance"],
    )

    assert import_file(short, now + timedelta(days=30)).updated == 1

    debt = Debt.objects.get(account_number="M-1001")
    assert str(debt.delinquency_on) == "2025-01-15"
    assert debt.original_creditor == "Mercy General"
    assert (debt.principal_balance, debt.interest_balance, debt.fees_balance) == (
        Decimal("1050.00"),
        Decimal("200.00"),
        Decimal("50.00"),
    )


def test_ignored_columns_are_noted_in_the_report(creditor_mercy, tmp_path, now):
    path = tmp_path / "extra.csv"
    path.write_text(
        "account_number,first_name,last_name,balance,Internal Code\nX-1,Ann,Lee,10.00,Z9\n",
        encoding="utf-8",
    )
    summary = import_file(path, now)
    notes = [line for line in read_report(summary) if line["row"] == ""]
    assert len(notes) == 1 and notes[0]["level"] == "warning"
    assert "ignored" in notes[0]["message"] and "Internal Code" in notes[0]["message"]


def test_an_account_number_that_looks_like_a_formula_is_reported_as_text(
    creditor_mercy, tmp_path, now
):
    path = tmp_path / "formula.csv"
    path.write_text(
        'account_number,first_name,last_name,balance\n"=HYPERLINK(""http://x"")",Ann,,10\n',
        encoding="utf-8",
    )
    (line,) = read_report(import_file(path, now))
    assert line["account_number"] == '\'=HYPERLINK("http://x")'
    assert line["message"] == "last_name: is blank"


def test_blank_lines_are_not_rows_but_row_numbers_still_say_where_rows_are(
    creditor_mercy, tmp_path, now
):
    path = tmp_path / "gaps.csv"
    path.write_text(
        "account_number,first_name,last_name,balance\nG-1,Ann,Lee,1\n\n,,,\nG-2,Bo,,2\n\n",
        encoding="utf-8",
    )
    summary = import_file(path, now)
    assert (summary.rows, summary.created, summary.rejected) == (2, 1, 1)
    assert [line["row"] for line in read_report(summary)] == ["4"]


def test_a_failed_import_is_in_the_audit_trail(creditor_mercy, tmp_path, now):
    path = tmp_path / "no-balance.csv"
    path.write_text("account_number,first_name,last_name\nX-1,Ann,Lee\n", encoding="utf-8")
    with pytest.raises(UnableToImportPlacement):
        import_file(path, now)
    event = AuditEvent.objects.get(action="placement.failed")
    assert "balance" in event.details["reason"]


def _import_that_loses_power(tmp_path, now, monkeypatch, *, on_batch, **options):
    """A 25-row import whose `on_batch`-th batch dies; returns the placement, refreshed."""
    rows = [person_row(f"K-{n:04d}", ssn="", phone1="", email="") for n in range(1, 26)]
    path = write_placement_csv(tmp_path / "big.csv", rows)
    placement = receive_placement_file(
        creditor_code="mercy", source_path=path, file_name=path.name, now=now
    )
    real_apply = imports._apply_batch
    calls = {"n": 0}

    def crash(**kwargs):
        calls["n"] += 1
        if calls["n"] == on_batch:
            raise RuntimeError("the machine lost power")
        return real_apply(**kwargs)

    monkeypatch.setattr(imports, "_apply_batch", crash)
    with pytest.raises(RuntimeError):
        run_placement_import(placement_id=placement.pk, now=now, **options)
    monkeypatch.setattr(imports, "_apply_batch", real_apply)
    placement.refresh_from_db()
    return placement


def test_an_interrupted_import_resumes_without_duplicates(
    creditor_mercy, tmp_path, now, monkeypatch
):
    placement = _import_that_loses_power(
        tmp_path, now, monkeypatch, on_batch=3, batch_size=10, rows_per_commit=10
    )
    assert placement.status == Placement.Status.FAILED
    assert placement.rows_processed == 20 and Debt.objects.count() == 20

    summary = run_placement_import(placement_id=placement.pk, now=now, batch_size=10)

    assert (summary.rows, summary.created) == (25, 25)
    assert Debt.objects.count() == 25 and LedgerEntry.objects.count() == 25


def test_batches_committed_together_are_undone_together(creditor_mercy, tmp_path, now, monkeypatch):
    # Batches of 5 rows committed 10 rows at a time: the fourth undoes the third with it.
    placement = _import_that_loses_power(
        tmp_path, now, monkeypatch, on_batch=4, batch_size=5, rows_per_commit=10
    )
    assert placement.status == Placement.Status.FAILED
    assert (placement.rows_processed, placement.created) == (10, 10)
    assert Debt.objects.count() == 10 and LedgerEntry.objects.count() == 10

    summary = run_placement_import(placement_id=placement.pk, now=now, batch_size=5)

    assert (summary.rows, summary.created) == (25, 25)
    assert Debt.objects.count() == 25 and LedgerEntry.objects.count() == 25


def one_row_workbook(path: Path, row: dict) -> Path:
    """An XLSX workbook at `path` (whatever its name) with the standard header and `row`."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(STANDARD_HEADER)
    sheet.append([row[column] for column in STANDARD_HEADER])
    workbook.save(path)
    return path


def test_xlsx_placement(creditor_mercy, tmp_path, now):
    path = one_row_workbook(tmp_path / "placement.xlsx", person_row("X-1", ssn=""))

    summary = import_file(path, now)

    assert (summary.created, summary.rejected) == (1, 0)
    assert Debt.objects.get(account_number="X-1").balance == Decimal("1250.00")


def test_xlsx_date_time_cells_keep_their_date(creditor_mercy, tmp_path, now):
    """Spreadsheets exported from a creditor's system often hold date-times, not dates."""
    row = {**person_row("X-2", ssn=""), "delinquency_date": datetime(2025, 3, 14, 15, 30)}
    path = one_row_workbook(tmp_path / "placement.xlsx", row)

    summary = import_file(path, now)

    assert (summary.created, summary.rejected) == (1, 0)
    assert Debt.objects.get(account_number="X-2").delinquency_on == date(2025, 3, 14)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "Excel 97-2003"),
        (b"%PDF-1.7\n", "PDF"),
        (b"\x1f\x8b\x08\x00" + bytes(16), "gzip"),
        (b"<html><table><tr><td>account_number</td></tr></table></html>", "web page"),
    ],
)
def test_a_file_the_import_cannot_read_is_refused_on_arrival(
    creditor_mercy, tmp_path, now, content, kind
):
    path = tmp_path / "March.csv"  # the name does not matter: the content does
    path.write_bytes(content)
    with pytest.raises(UnableToImportPlacement, match=f"March.csv is .*{kind}.*save it as"):
        receive_placement_file(
            creditor_code="mercy", source_path=path, file_name=path.name, now=now
        )
    assert not Placement.objects.exists()


def test_a_zip_without_a_workbook_is_refused_on_arrival(
    creditor_mercy, placement_csv, tmp_path, now
):
    archive = tmp_path / "files.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(placement_csv, "placement.csv")
    with pytest.raises(UnableToImportPlacement, match="zip archive without an Excel workbook"):
        receive_placement_file(
            creditor_code="mercy", source_path=archive, file_name=archive.name, now=now
        )


def test_a_readable_file_is_read_whatever_its_name(creditor_mercy, placement_csv, tmp_path, now):
    """A CSV export named `.xls` and a workbook renamed `.xls` are what they contain."""
    renamed_workbook = one_row_workbook(tmp_path / "workbook.bin", person_row("X-9", ssn=""))

    for source, name in ((placement_csv, "Export.xls"), (renamed_workbook, "March.xls")):
        placement = receive_placement_file(
            creditor_code="mercy", source_path=source, file_name=name, now=now
        )
        summary = run_placement_import(placement_id=placement.pk, now=now)
        assert summary.created >= 1  # (the fixture file has a rejected row on purpose)
    assert Debt.objects.filter(account_number="X-9").exists()


def test_unknown_creditor_is_refused(db, placement_csv, now):
    with pytest.raises(UnableToImportPlacement, match="no creditor with code 'nobody'"):
        receive_placement_file(
            creditor_code="nobody", source_path=placement_csv, file_name="x.csv", now=now
        )


def test_unreadable_file_fails_with_a_clear_message_and_imports_nothing(
    creditor_mercy, tmp_path, now
):
    path = tmp_path / "bad.csv"
    path.write_text("name,amount\nDana,12\n", encoding="utf-8")

    with pytest.raises(UnableToImportPlacement, match="account_number"):
        import_file(path, now)

    assert Placement.objects.get().status == Placement.Status.FAILED
    assert not Debt.objects.exists()


def test_reading_in_a_second_process_gives_the_same_result(
    creditor_mercy, placement_csv, tmp_path, now
):
    placement = receive_placement_file(
        creditor_code="mercy", source_path=placement_csv, file_name="p.csv", now=now
    )
    summary = run_placement_import(placement_id=placement.pk, now=now, parallel=True)
    assert (summary.created, summary.rejected, summary.warnings) == (4, 1, 2)

    bad = tmp_path / "bad.csv"
    bad.write_text("name,amount\nDana,12\n", encoding="utf-8")
    refused = receive_placement_file(
        creditor_code="mercy", source_path=bad, file_name="b.csv", now=now
    )
    with pytest.raises(UnableToImportPlacement, match="account_number"):
        run_placement_import(placement_id=refused.pk, now=now, parallel=True)


def _ssn_index_present() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        return "consumer_ssn_hash" in connection.introspection.get_constraints(
            cursor, Consumer._meta.db_table
        )


def test_a_first_import_finds_people_again_within_its_file_without_the_ssn_index(
    creditor_mercy, tmp_path, now, monkeypatch
):
    # 10 people with 3 debts each, their rows spread over batches of 4, and 5 rows without an
    # SSN (a person each). Into an empty portfolio, with the SSN-hash index built afterwards.
    rows = [
        person_row(f"S-{n:03d}", ssn=f"123-45-{1000 + n % 10:04d}", first_name=f"P{n % 10}")
        for n in range(30)
    ] + [person_row(f"N-{n}", ssn="") for n in range(5)]
    path = write_placement_csv(tmp_path / "first.csv", rows)
    monkeypatch.setattr(imports, "DEFER_INDEXES_FROM_ROWS", 10)
    index_during_load = []
    original = imports.apply_prepared_rows

    def spy(**kwargs):
        index_during_load.append(_ssn_index_present())
        return original(**kwargs)

    monkeypatch.setattr(imports, "apply_prepared_rows", spy)

    summary = import_file(path, now, batch_size=4)

    assert summary.created == 35 and index_during_load and not any(index_during_load)
    assert _ssn_index_present()  # built at the end
    assert Consumer.objects.count() == 15
    for last4 in (f"{1000 + k:04d}" for k in range(10)):
        person = Consumer.objects.get(ssn_last4=last4)
        assert person.debts.count() == 3
        assert person.contact_points.filter(kind="PHONE").count() == 1

    # A later import of the same people for another creditor finds them through the index.
    from amicable.portfolio.services import create_creditor

    create_creditor(code="acme", name="Acme Telecom", now=now)
    later = write_placement_csv(tmp_path / "later.csv", rows[:10])
    assert import_file(later, now, creditor="acme", batch_size=4).created == 10
    assert Consumer.objects.count() == 15
    assert Consumer.objects.get(ssn_last4="1000").debts.count() == 4


def test_a_corrected_name_reaches_the_person_of_this_creditor_alone(
    creditor_mercy, creditor_brightline, placement_csv, tmp_path, now
):
    import_file(placement_csv, now)
    corrected = write_placement_csv(
        tmp_path / "corrected.csv",
        [
            person_row("M-1002", first_name="Luis", last_name="García Ruiz", ssn="234-56-7890"),
            person_row("M-1001", first_name="Dana", last_name="Whitfield-Ray"),
        ],
    )
    # Dana is also Brightline's (same SSN): Mercy's file does not rename her.
    import_file(
        write_placement_csv(tmp_path / "b.csv", [person_row("B-1")]), now, creditor="brightline"
    )

    summary = import_file(corrected, now + timedelta(days=30))

    # Dana's row changes nothing that is Mercy's to change: it counts as unchanged.
    assert (summary.updated, summary.unchanged) == (1, 1)
    luis = Debt.objects.get(account_number="M-1002").consumer
    assert (luis.last_name, luis.name_key) == ("García Ruiz", "garcia ruiz luis")
    assert Debt.objects.get(account_number="M-1001").consumer.last_name == "Whitfield"


def test_a_later_file_that_lowers_a_bucket_below_what_is_left_never_fails_the_import(
    creditor_mercy, placement_csv, tmp_path, now
):
    """Principal 1000 was paid to us since; the creditor's next file shows principal 0 (it
    counts our remittance). The fall is not taken twice, and the import goes on."""
    import_file(placement_csv, now)
    debt = Debt.objects.get(account_number="M-1001")
    collect_principal(debt, Decimal("1000.00"), now)
    paid = write_placement_csv(
        tmp_path / "paid.csv",
        [person_row("M-1001", balance="250.00", principal="0", interest="200.00", fees="50.00")],
    )
    short = write_placement_csv(
        tmp_path / "short.csv",
        [{"account_number": "M-1002", "first_name": "Luis", "last_name": "García", "balance": "5"}],
        header=["account_number", "first_name", "last_name", "balance"],
    )

    # The creditor's new figures are what the debt shows already: nothing to change.
    assert import_file(paid, now + timedelta(days=30)).unchanged == 1
    assert import_file(short, now + timedelta(days=31)).updated == 1

    debt.refresh_from_db()
    assert (debt.principal_balance, debt.balance) == (Decimal("0.00"), Decimal("250.00"))
    luis = Debt.objects.get(account_number="M-1002")  # 80.25: principal 80.25 placed
    assert luis.balance == Decimal("5.00") and luis.principal_balance >= 0


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_second_run_of_a_placement_waits_then_finds_it_done(
    creditor_mercy, placement_csv, now
):
    """A task run twice, or `--resume` while the worker is on it: the second run waits for
    the load lock, then reads the placement afresh and finds it done, rather than applying
    the file again over counts it read before the first run ended."""
    import threading

    from django.db import connection, connections

    from amicable.portfolio import bulk_insert

    if connection.vendor != "postgresql":
        pytest.skip("the tests' SQLite database is in memory: nobody else can load into it")
    placement = receive_placement_file(
        creditor_code="mercy", source_path=placement_csv, file_name=placement_csv.name, now=now
    )
    second = []

    def run_again() -> None:
        try:
            second.append(run_placement_import(placement_id=placement.pk, now=now))
        finally:
            connections["default"].close()

    with bulk_insert.load_lock():
        elsewhere = threading.Thread(target=run_again)
        elsewhere.start()
        elsewhere.join(timeout=1.0)
        assert elsewhere.is_alive()  # waiting for the lock
        first = run_placement_import(placement_id=placement.pk, now=now)
    elsewhere.join(timeout=30)

    assert (first.created, first.rejected) == (4, 1)
    assert second == [first]
    placement.refresh_from_db()
    assert (placement.created, placement.rejected) == (4, 1)
    assert AuditEvent.objects.filter(action="placement.imported").count() == 1
