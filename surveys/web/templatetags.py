"""The desk's template tags (`{% load desk %}`): times in the site's zone, figures, roles."""
from django import template
from django.utils.html import format_html

from surveys.web import formatting
from surveys.web.presenters import format_label

register = template.Library()


@register.simple_tag
def when(value, zone=None, date_only=False):
    """`{% when visit.started_at site.timezone %}`: local time with its zone named, UTC on hover."""
    if value is None:
        return "—"
    local = formatting.local_time(value, zone, date_only=bool(date_only))
    if date_only:  # a day: the zone it was counted in on hover
        return format_html('<time datetime="{}" title="{} · {}">{}</time>', local.iso, local.zone, local.utc,
                           local.text)
    return format_html('<time datetime="{}" title="{} · {}">{} <span class="tz">{}</span></time>',
                       local.iso, local.utc, local.offset, local.text, local.zone)


@register.filter
def number(value):
    return formatting.number_text(value)


@register.filter
def quantity(row):
    return formatting.value_text(row)


@register.filter
def distance(metres):
    return formatting.distance_text(metres) if metres is not None else "—"


@register.filter
def role(value):
    return formatting.role_label(value or "")


@register.filter
def export_format(name):
    """An export format in words ("Claims, a spreadsheet (CSV)"); its file name stays beside it."""
    return format_label(name)
