from django import template

from amicable.kernel.money import format_money

register = template.Library()


@register.filter
def money(value):
    return format_money(value)
