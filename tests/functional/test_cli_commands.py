"""The `amicable` console script's portfolio commands."""

import json

import pytest
from django.core.management import CommandError, call_command

from amicable.config.cli import main
from amicable.portfolio.models import Creditor, Debt

pytestmark = pytest.mark.django_db


def test_creditor_add_and_import_json(placement_csv, capsys):
    call_command("creditor", "add", "mercy", "--name", "Mercy Hospital", "--fee-rate", "0.25")
    assert Creditor.objects.get(code="mercy").contingency_fee_rate == 0.25
    capsys.readouterr()

    call_command("import", str(placement_csv), "--creditor", "mercy", "--json")

    result = json.loads(capsys.readouterr().out)
    assert {
        k: result[k] for k in ("rows", "created", "updated", "unchanged", "rejected", "warnings")
    } == {"rows": 5, "created": 4, "updated": 0, "unchanged": 0, "rejected": 1, "warnings": 2}
    assert result["errors_file"].endswith("errors.csv")
    assert Debt.objects.count() == 4


def test_creditor_add_refuses_bad_input():
    with pytest.raises(CommandError, match="fee_rate"):
        call_command("creditor", "add", "x", "--name", "X", "--fee-rate", "1.5")
    with pytest.raises(CommandError, match="code"):
        call_command("creditor", "add", "bad code!", "--name", "X")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--fee-rate", "nan"], "fee_rate: 'nan' is not a number"),
        (["--fee-rate", "Infinity"], "fee_rate: 'Infinity' is not a number"),
        (["--fee-rate", "0.123456"], "fee_rate: '0.123456' has more than 4 decimals"),
        (["--min-settlement", "0.55555"], "min_settlement_rate: '0.55555' has more than 4"),
    ],
)
def test_creditor_add_refuses_rates_it_cannot_keep(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("creditor", "add", "acme", "--name", "Acme", *arguments)
    assert not Creditor.objects.exists()


def test_creditor_add_refuses_codes_and_names_longer_than_kept():
    with pytest.raises(CommandError, match="code: is 33 characters long; at most 32"):
        call_command("creditor", "add", "x" * 33, "--name", "X")
    with pytest.raises(CommandError, match="name: is 201 characters long; at most 200"):
        call_command("creditor", "add", "acme", "--name", "N" * 201)
    assert not Creditor.objects.exists()


def test_creditor_codes_are_not_case_sensitive(placement_csv, capsys):
    call_command("creditor", "add", "MERCY", "--name", "Mercy Hospital")
    assert Creditor.objects.get().code == "mercy"
    call_command("import", str(placement_csv), "--creditor", "Mercy", "--json")
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["created"] == 4


def test_import_with_a_bad_mapping_file_is_a_clear_error(creditor_mercy, placement_csv, tmp_path):
    mapping = tmp_path / "map.json"
    mapping.write_text("garbage", encoding="utf-8")
    with pytest.raises(CommandError, match="the mapping file map.json is not JSON"):
        call_command("import", str(placement_csv), "--creditor", "mercy", "--mapping", str(mapping))


def test_import_of_a_missing_file_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import", "/nope.csv", "--creditor", "mercy")


def test_console_script_runs_django_commands(capsys):
    assert main(["creditor", "list"]) == 0


def test_help_lists_the_commands_that_need_no_database(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "import" in out and "simulate" in out and "compliance check" in out
