from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return str(query.urlencode())


@register.simple_tag(takes_context=True)
def page_query(context: dict[str, Any], param: str, number: int, anchor: str = "") -> str:
    """The current query string with the page parameter ``param`` set to ``number`` (and an anchor to return to)."""
    query = context["request"].GET.copy()
    query[param or "page"] = number
    return f"{query.urlencode()}{'#' + anchor if anchor else ''}"


SHORT_WEEKDAYS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


@register.filter
def weekday_names(days: list[int]) -> str:
    """``[0, 1, 2]`` → "Mon, Tue, Wed" in the active language."""
    return ", ".join(str(SHORT_WEEKDAYS[day]) for day in sorted(days) if 0 <= day <= 6)


@register.filter
def is_change_pair(value: Any) -> bool:
    """An audit change of a field is ``[old, new]``; some events record plain values (a file's name)."""
    return isinstance(value, (list, tuple)) and len(value) == 2
