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


def test_import_of_a_missing_file_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import", "/nope.csv", "--creditor", "mercy")


def test_console_script_runs_django_commands(capsys):
    assert main(["creditor", "list"]) == 0
