"""Building policies from their names, including a user's own class."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from amicable.dialer.core import (
    PredictivePolicy,
    ProgressivePolicy,
    RatioPolicy,
    Snapshot,
    UnableToBuildPolicy,
    ViciDialAdaptivePolicy,
    make_policy,
)


def test_builds_the_built_in_policies() -> None:
    assert isinstance(make_policy("progressive"), ProgressivePolicy)
    ratio = make_policy("ratio:2.5")
    assert isinstance(ratio, RatioPolicy) and ratio.ratio == 2.5
    predictive = make_policy("predictive", {"safety_margin": 0.01}, abandon_target=0.02)
    assert isinstance(predictive, PredictivePolicy)
    assert predictive.goal == pytest.approx(0.01)
    vicidial = make_policy("vicidial:ADAPT_AVERAGE", {"adaptive_maximum_level": 2.0})
    assert isinstance(vicidial, ViciDialAdaptivePolicy)
    assert vicidial.dial_method == "ADAPT_AVERAGE" and vicidial.maximum_level == 2.0


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("ratio:abc", "must be a number"),
        ("ratio:-1", "more than 0"),
        ("aggressive", "expected progressive"),
        ("no_such_module_xyz:Policy", "cannot import"),
        ("amicable.dialer.core.pacing:NoSuchClass", "has no NoSuchClass"),
        ("amicable.dialer.core.pacing:Event", "bad pacing_options"),
    ],
)
def test_explains_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(UnableToBuildPolicy, match=message):
        make_policy(spec)


def test_rejects_options_the_policy_does_not_take() -> None:
    with pytest.raises(UnableToBuildPolicy, match="bad pacing_options"):
        make_policy("predictive", {"speed": "fast"})
    with pytest.raises(UnableToBuildPolicy, match="takes no pacing_options"):
        make_policy("progressive", {"ratio": 2})


def test_imports_a_plug_in_class_with_its_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my_pacing.py").write_text(
        textwrap.dedent(
            """
            class FixedLines:
                def __init__(self, lines=1):
                    self.lines = lines
                    self.seen = []

                def observe(self, event):
                    self.seen.append(event.kind)

                def calls_to_place(self, snapshot):
                    return max(0, self.lines - snapshot.calls_dialing)
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    policy = make_policy("my_pacing:FixedLines", {"lines": 4})
    assert policy.calls_to_place(Snapshot(0.0, 1, 1, 0, 0, 1, 0, 0, 0, 0)) == 3
    sys.modules.pop("my_pacing", None)
