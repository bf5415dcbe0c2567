"""Rendering call scripts with the call's details."""

import string

from django.conf import settings

from amicable.communications.models import ScriptTemplate


class _Leave(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_scripts(*, language: str, values: dict[str, str]) -> dict[str, str]:
    """Every step's script in the person's language (English where none is written)."""
    context = _Leave(
        agency_name=getattr(settings, "AMICABLE_AGENCY_NAME", "Amicable Recovery Services"),
        callback_number=getattr(settings, "AMICABLE_CALLBACK_NUMBER", "(800) 555-0199"),
        **values,
    )
    scripts: dict[str, str] = {}
    for template in ScriptTemplate.objects.filter(language__in={language, "EN"}):
        if template.language == language or template.step not in scripts:
            scripts[template.step] = string.Formatter().vformat(template.body, (), context)
    return scripts
