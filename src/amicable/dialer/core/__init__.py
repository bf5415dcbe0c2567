"""The dialer's pure pacing core: no Django, no clock, no I/O.

Import from here: the policy interface (`Snapshot`, `Event`, `PacingPolicy`), the policies, and
`make_policy` which builds one from a name such as "predictive" or "ratio:2.5".
"""

from amicable.dialer.core.factory import UnableToBuildPolicy, make_policy
from amicable.dialer.core.pacing import EVENT_KINDS, Event, PacingPolicy, Snapshot
from amicable.dialer.core.predictive import PredictivePolicy
from amicable.dialer.core.simple_policies import ProgressivePolicy, RatioPolicy
from amicable.dialer.core.vicidial import ViciDialAdaptivePolicy

__all__ = [
    "EVENT_KINDS",
    "Event",
    "PacingPolicy",
    "PredictivePolicy",
    "ProgressivePolicy",
    "RatioPolicy",
    "Snapshot",
    "UnableToBuildPolicy",
    "ViciDialAdaptivePolicy",
    "make_policy",
]
