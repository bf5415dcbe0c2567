"""`amicable compliance explain|check|export`."""

import csv
import json
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from amicable.compliance.api import authorize_contact
from tests.integration.compliance.compliance_world import debt_ids, make_consumer

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
MONDAY_10 = datetime(2026, 4, 6, 10, 0, tzinfo=NY)
EXAMPLE = Path(__file__).resolve().parents[3] / "docs/examples/compliance/issue_example.json"


def test_explain_prints_the_decision_json():
    dana = make_consumer()
    medical = debt_ids(dana)[0]
    out = StringIO()
    call_command(
        "compliance",
        "explain",
        "--debt",
        str(medical),
        "--at",
        "2026-04-06T07:30:00-04:00",
        stdout=out,
    )
    body = json.loads(out.getvalue())
    assert body["allowed"] is False and body["reasons"][0]["rule"] == "inconvenient_time"
    assert body["next_allowed_at"] == "2026-04-06T08:00:00-04:00"
    with pytest.raises(CommandError, match="offset"):
        call_command("compliance", "explain", "--debt", str(medical), "--at", "2026-04-06T07:30")
    with pytest.raises(CommandError, match="No debt"):
        call_command("compliance", "explain", "--debt", "999999")


def test_check_delegates_to_the_scenario_checker(capsys):
    call_command("compliance", "check", str(EXAMPLE))
    assert "allowed" in json.loads(capsys.readouterr().out)


def test_export_writes_the_contact_log(tmp_path):
    dana = make_consumer()
    for hours in (0, 14):  # 10:00 allowed, 24:00 refused
        authorize_contact(
            consumer_id=dana.pk,
            debt_ids=debt_ids(dana),
            channel="call",
            now=MONDAY_10 + timedelta(hours=hours),
        )
    target = tmp_path / "log.csv"
    call_command(
        "compliance", "export", "--from", "2026-04-06", "--to", "2026-04-07", "--out", str(target)
    )
    rows = list(csv.DictReader(target.open()))
    assert [r["allowed"] for r in rows] == ["yes", "no"]
    assert rows[1]["rules"] == "inconvenient_time"
    assert len(rows[0]["debt_ids"].split()) == 2
    out = StringIO()
    call_command("compliance", "export", "--from", "2026-04-07", "--to", "2026-04-07", stdout=out)
    assert out.getvalue().count("\n") == 2
