"""`amicable simulate` through its entry function."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from amicable.simulation.cli import main
from amicable.simulation.metrics import Metrics

SHORT = """
seed = 3
hours = 0.25
agents = 8
pacing = "predictive"
"""


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "short.toml"
    path.write_text(SHORT)
    return path


def run(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return main(args, stdout=out), out.getvalue()


def test_json_has_exactly_the_metric_fields(scenario_file: Path) -> None:
    code, out = run([str(scenario_file), "--json"])
    assert code == 0
    assert set(json.loads(out)) == set(Metrics.__dataclass_fields__)


def test_compare_prints_policies_side_by_side(scenario_file: Path) -> None:
    code, out = run([str(scenario_file), "--compare", "progressive,ratio:2", "--seed", "5"])
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == ["progressive", "ratio:2"]
    assert rows[0].split()[0] == "dials"
    code, out = run([str(scenario_file), "--compare", "progressive,predictive", "--json"])
    assert set(json.loads(out)) == {"progressive", "predictive"}


def test_plot_writes_an_svg(scenario_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "shift.svg"
    code, _ = run(
        [str(scenario_file), "--compare", "progressive,predictive", "--plot", str(target)]
    )
    assert code == 0
    root = ET.fromstring(target.read_text())
    assert root.tag.endswith("svg")
    assert len(root.findall("{http://www.w3.org/2000/svg}polyline")) == 4


def test_errors_go_to_stderr_with_status_2(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([str(scenario_file), "--plot", str(tmp_path / "x.png")])[0] == 2
    assert "only .svg is supported" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("[outcomes]\nlive = 0.5\nmachine = 0.4\n")
    assert run([str(bad)])[0] == 2
    assert "outcomes: probabilities sum to 0.9, must be 1" in capsys.readouterr().err
    assert run([str(scenario_file), "--pacing", "warp:speed"])[0] == 2
    assert "cannot import" in capsys.readouterr().err
    assert run([])[0] == 2


BROKEN_POLICIES = """
class Raises:
    def calls_to_place(self, snapshot):
        if snapshot.now > 60:
            raise RuntimeError("out of ideas")
        return 1


class AnswersNone:
    def calls_to_place(self, snapshot):
        return None


class AnswersNaN:
    def calls_to_place(self, snapshot):
        return float("nan")


class AnswersText:
    def calls_to_place(self, snapshot):
        return "3"


class ObserveRaises:
    def calls_to_place(self, snapshot):
        return 1

    def observe(self, event):
        raise KeyError(event.kind)


class ConstructorRaises:
    def __init__(self):
        raise RuntimeError("no licence")

    def calls_to_place(self, snapshot):
        return 0
"""


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("Raises", "the pacing policy failed 61 s into the shift: RuntimeError: out of ideas"),
        ("AnswersNone", "the pacing policy answered None 0 s into the shift"),
        ("AnswersNaN", "the pacing policy answered nan 0 s into the shift"),
        ("AnswersText", "the pacing policy answered '3' 0 s into the shift"),
        ("ObserveRaises", "the pacing policy failed"),
        ("ConstructorRaises", "ConstructorRaises(...) raised RuntimeError: no licence"),
    ],
)
def test_a_broken_plug_in_policy_is_a_clear_error_not_a_traceback(
    scenario_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    policy: str,
    message: str,
) -> None:
    (tmp_path / "broken_policies.py").write_text(BROKEN_POLICIES)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert run([str(scenario_file), "--pacing", f"broken_policies:{policy}"])[0] == 2
    assert message in capsys.readouterr().err


def test_a_plug_in_with_a_syntax_error_or_a_scenario_not_in_utf8_is_a_clear_error(
    scenario_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "typo_policy.py").write_text("class P:\n    def calls_to_place(self, s)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert run([str(scenario_file), "--pacing", "typo_policy:P"])[0] == 2
    assert "typo_policy has a syntax error" in capsys.readouterr().err
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes("# caf\xe9\nagents = 2\n".encode("latin-1"))
    assert run([str(latin1)])[0] == 2
    err = capsys.readouterr().err
    assert "not UTF-8 text" in err and err.count("latin1.toml") == 1
