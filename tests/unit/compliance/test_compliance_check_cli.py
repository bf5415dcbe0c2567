"""`amicable compliance check` and the example scenarios in docs/examples/compliance/."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from amicable.compliance.check_cli import main

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "compliance"


def _examples() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json"))


def test_there_are_examples() -> None:
    assert len(_examples()) >= 5


@pytest.mark.parametrize("scenario", _examples(), ids=lambda p: p.stem)
def test_documented_example_gives_its_documented_answer(
    scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(scenario)]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = json.loads((EXAMPLES / "expected" / scenario.name).read_text())
    assert printed == expected


def test_reads_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    text = (EXAMPLES / "validation_period_over_thanksgiving.json").read_text()
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    assert main(["-"]) == 0
    assert json.loads(capsys.readouterr().out)["validation_period_ends_on"] == "2027-01-02"


def test_notes_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    scenario = json.loads((EXAMPLES / "issue_example.json").read_text())
    scenario["ask"]["at"] = "2026-04-06T12:00:00-04:00"
    path = tmp_path / "s.json"
    path.write_text(json.dumps(scenario))
    assert main([str(path), "--notes"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["allowed"] is True
    assert "1006.14(b)(3)(i)" in out["notes"][0]


def test_invalid_scenario_exits_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = json.loads((EXAMPLES / "issue_example.json").read_text())
    scenario["events"][2]["at"] = "yesterday"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(scenario))
    assert main([str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "events[2].at: not an ISO 8601 time with offset" in captured.err


def test_invalid_json_and_missing_file_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{")
    assert main([str(path)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([])
    assert caught.value.code == 2
    assert "amicable compliance check" in capsys.readouterr().err


def test_cli_does_not_import_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import amicable.compliance.check_cli; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
