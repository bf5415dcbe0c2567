from django import template

from amicable.kernel.money import format_money

register = template.Library()


@register.filter
def money(value):
    return format_money(value)


@register.filter
def arrangement_kind(option_kind: str) -> str:
    """The arrangement recorded when an agent picks a negotiation option."""
    return {"PIF": "PAY_IN_FULL", "SIF": "SETTLEMENT", "PLAN": "PLAN"}.get(option_kind, "PLAN")


@register.filter
def percent(rate) -> str:
    try:
        return f"{float(rate) * 100:.0f}%"
    except (TypeError, ValueError):
        return ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key, []) if mapping else []
