"""Build a pacing policy from its name, as written in a scenario or a campaign.

    "progressive"                 one line per idle agent
    "ratio:2.5"                   2.5 lines per idle agent
    "predictive"                  our learning policy (amicable.dialer.core.predictive)
    "vicidial"                    ViciDial's adaptive pacing; "vicidial:ADAPT_AVERAGE" picks the
                                  dial method (ADAPT_HARD_LIMIT is the default)
    "package.module:ClassName"    any importable class, built with the options as keywords

`options` are keyword arguments for the policy's constructor (a scenario's `pacing_options`).
Built-in policies that respect an abandonment cap also receive `abandon_target` unless the
options set it; plug-in classes receive exactly `options`.
"""

from __future__ import annotations

import importlib
import math
from typing import Any

from amicable.dialer.core.pacing import PacingPolicy
from amicable.dialer.core.predictive import PredictivePolicy
from amicable.dialer.core.simple_policies import ProgressivePolicy, RatioPolicy
from amicable.dialer.core.vicidial import ViciDialAdaptivePolicy


class UnableToBuildPolicy(ValueError):
    """The pacing name is not understood, cannot be imported, or rejects its options."""


def make_policy(
    spec: str, options: dict[str, Any] | None = None, *, abandon_target: float = 0.03
) -> PacingPolicy:
    options = dict(options or {})
    name = spec.strip()
    try:
        if name == "progressive":
            _no_options(name, options)
            return ProgressivePolicy()
        if name.startswith("ratio:"):
            _no_options(name, options)
            return RatioPolicy(_ratio(name))
        if name == "predictive":
            options.setdefault("abandon_target", abandon_target)
            return PredictivePolicy(**options)
        if name == "vicidial" or name.startswith("vicidial:"):
            options.setdefault("abandon_target", abandon_target)
            if ":" in name:
                options["dial_method"] = name.split(":", 1)[1]
            return ViciDialAdaptivePolicy(**options)
        if ":" in name:
            return _plug_in(name, options)
    except TypeError as error:  # a constructor refused the keyword arguments
        raise UnableToBuildPolicy(f"pacing {name!r}: bad pacing_options ({error})") from error
    except ValueError as error:
        if isinstance(error, UnableToBuildPolicy):
            raise
        raise UnableToBuildPolicy(f"pacing {name!r}: {error}") from error
    raise UnableToBuildPolicy(
        f"pacing {name!r}: expected progressive, predictive, ratio:X, vicidial[:METHOD] "
        "or package.module:ClassName"
    )


def _no_options(name: str, options: dict[str, Any]) -> None:
    if options:
        raise UnableToBuildPolicy(
            f"pacing {name!r}: takes no pacing_options, got {sorted(options)}"
        )


def _ratio(name: str) -> float:
    text = name.split(":", 1)[1]
    try:
        ratio = float(text)
    except ValueError:
        raise UnableToBuildPolicy(f"pacing {name!r}: the ratio must be a number") from None
    if not math.isfinite(ratio) or ratio <= 0:
        raise UnableToBuildPolicy(f"pacing {name!r}: the ratio must be more than 0")
    return ratio


def _plug_in(name: str, options: dict[str, Any]) -> PacingPolicy:
    module_name, _, class_name = name.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise UnableToBuildPolicy(
            f"pacing {name!r}: cannot import {module_name} ({error})"
        ) from error
    except SyntaxError as error:
        raise UnableToBuildPolicy(
            f"pacing {name!r}: {module_name} has a syntax error "
            f"({error.filename}, line {error.lineno}: {error.msg})"
        ) from error
    except (Exception, SystemExit) as error:  # the module's own code failed as it loaded
        raise UnableToBuildPolicy(
            f"pacing {name!r}: importing {module_name} raised {type(error).__name__}: {error}"
        ) from error
    cls = getattr(module, class_name, None)
    if cls is None:
        raise UnableToBuildPolicy(f"pacing {name!r}: {module_name} has no {class_name}")
    try:
        policy = cls(**options)
    except TypeError:
        raise  # bad pacing_options: reported as such by make_policy
    except (Exception, SystemExit) as error:  # the plug-in's own constructor failed
        raise UnableToBuildPolicy(
            f"pacing {name!r}: {class_name}(...) raised {type(error).__name__}: {error}"
        ) from error
    if not callable(getattr(policy, "calls_to_place", None)):
        raise UnableToBuildPolicy(f"pacing {name!r}: {class_name} has no calls_to_place(snapshot)")
    observe = getattr(policy, "observe", None)
    if observe is not None and not callable(observe):
        raise UnableToBuildPolicy(
            f"pacing {name!r}: {class_name}.observe must be a method observe(event), "
            f"not {type(observe).__name__}"
        )
    return policy
