"""Rendering call scripts with the call's details."""

import string

from django.conf import settings

from amicable.communications.default_scripts import SCRIPTS
from amicable.communications.models import ScriptTemplate


class _Leave(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_scripts(*, language: str, values: dict[str, str]) -> dict[str, str]:
    """Every step's script in the person's language: the administrators' version when there
    is one, else the default; English where a step has no script in that language."""
    context = _Leave(
        agency_name=getattr(settings, "AMICABLE_AGENCY_NAME", "Amicable Recovery Services"),
        callback_number=getattr(settings, "AMICABLE_CALLBACK_NUMBER", "(800) 555-0199"),
        **values,
    )
    bodies = {
        step: SCRIPTS.get((step, language)) or SCRIPTS.get((step, "EN"), "")
        for step in ScriptTemplate.Step.values
    }
    stored = {
        (t.step, t.language): t.body
        for t in ScriptTemplate.objects.filter(language__in={language, "EN"})
    }
    for step in bodies:
        bodies[step] = stored.get((step, language)) or stored.get((step, "EN")) or bodies[step]
    formatter = string.Formatter()
    return {step: formatter.vformat(body, (), context) for step, body in bodies.items()}
