"""Policies and scenarios that would crash or exhaust the simulator get a clear error
(exit status 2, what went wrong, no traceback)."""

from __future__ import annotations

import io
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from amicable.dialer.core import Snapshot
from amicable.simulation.cli import main
from amicable.simulation.scenario import parse_scenario
from amicable.simulation.world import World

SHORT = 'seed = 3\nhours = 0.25\nagents = 8\npacing = "predictive"\n'


def run(args: list[str]) -> int:
    return main(args, stdout=io.StringIO())


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "short.toml"
    path.write_text(SHORT)
    return path


def _one_gigabyte_of_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.mark.parametrize("answer", ["10**12", "1e300"])
def test_a_policy_asking_for_a_huge_count_stops_with_a_clear_message(
    scenario_file, tmp_path, answer
):
    (tmp_path / "greedy_policy.py").write_text(
        f"class Greedy:\n    def calls_to_place(self, s):\n        return {answer}\n"
    )
    code = "import sys; from amicable.simulation.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-c", code, str(scenario_file), "--pacing", "greedy_policy:Greedy"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path) + ":" + ":".join(sys.path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_one_gigabyte_of_memory,  # noqa: PLW1509 - a limit, set before exec
    )
    assert done.returncode == 2, done.stderr[-400:]
    assert "Traceback" not in done.stderr
    assert "the simulator places at most 1,000 a tick" in done.stderr


def test_a_plug_in_whose_module_raises_on_import(scenario_file, tmp_path, monkeypatch, capsys):
    (tmp_path / "raising_module.py").write_text("raise RuntimeError('needs a licence file')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert run([str(scenario_file), "--pacing", "raising_module:P"]) == 2
    assert "needs a licence file" in capsys.readouterr().err


def test_a_plug_in_whose_observe_is_not_callable(scenario_file, tmp_path, monkeypatch, capsys):
    (tmp_path / "odd_policy.py").write_text(
        "class P:\n    observe = 5\n    def calls_to_place(self, s):\n        return 1\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert run([str(scenario_file), "--pacing", "odd_policy:P"]) == 2
    assert "observe must be a method" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("pacing", "options", "named"),
    [
        ("clairvoyant", "{ foo = 1 }", "pacing_options"),
        ("vicidial", "{ dial_method = 5 }", "dial_method"),
    ],
)
def test_built_in_policies_with_bad_options(tmp_path, capsys, pacing, options, named):
    path = tmp_path / "bad.toml"
    path.write_text(f'hours = 0.1\nagents = 2\npacing = "{pacing}"\npacing_options = {options}\n')
    assert run([str(path)]) == 2
    err = capsys.readouterr().err
    assert named in err and "Traceback" not in err


def test_a_shift_of_too_many_ticks_is_refused(tmp_path, capsys):
    path = tmp_path / "long.toml"
    path.write_text("hours = 1e300\nagents = 2\n")
    assert run([str(path)]) == 2
    assert "at most 10,000,000" in capsys.readouterr().err


def test_picked_up_comes_before_the_answer_even_with_no_detection_time():
    scenario = parse_scenario(
        {
            "hours": 0.01,
            "agents": 1,
            "outcomes": {
                "live": 0.5,
                "machine": 0.5,
                "no_answer": 0.0,
                "busy": 0.0,
                "invalid": 0.0,
            },
            "timing": {"amd_seconds": 0.0},
        }
    )

    class Recorder:
        def __init__(self) -> None:
            self.kinds: dict[int, list[str]] = {}

        def observe(self, event) -> None:
            if event.call_id is not None:
                self.kinds.setdefault(event.call_id, []).append(event.kind)

        def calls_to_place(self, snapshot: Snapshot) -> int:
            return 1 if snapshot.now < 5 else 0

    policy = Recorder()
    World(scenario, policy, seed=1).run()

    answered = 0
    for kinds in policy.kinds.values():
        answer = [k for k in kinds if k in ("answered_live", "answered_machine")]
        if answer:
            answered += 1
            assert kinds.count("picked_up") == 1
            assert kinds.index("picked_up") < kinds.index(answer[0]), kinds
    assert answered >= 3
