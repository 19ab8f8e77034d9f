"""The main navigation and the panel slots, drawn from what apps registered in ``pmo.navigation``."""

from __future__ import annotations

import logging
from typing import Any

from django import template
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils.safestring import SafeString, mark_safe

from pmo import navigation

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag(takes_context=True)
def main_navigation(context: template.Context) -> list[navigation.Link]:
    """The entries of the organisation page being shown that its member may see (no query)."""
    request = context["request"]
    return navigation.main.links(
        context["membership"], context["organization"], active=context.get("nav_active") or "", path=request.path
    )


@register.simple_tag(takes_context=True)
def panels(context: template.Context, slot: str, **values: Any) -> SafeString:
    """The panels registered for ``slot``, each its template rendered on top of the page's context.

    ``values`` are what the page hands the slot's panels (``PanelContext.values``). A panel that runs
    more queries than it declares (its context function and template together) is an error with
    ``DEBUG`` on and a logged warning otherwise.
    """
    membership = context["membership"]
    project_role = context.get("project_role")
    shown = [
        panel
        for panel in navigation.panels.in_slot(slot)
        if panel.action is None or navigation.allowed(membership, panel.action, project_role)
    ]
    if not shown:
        return SafeString()
    given = navigation.PanelContext(
        request=context["request"],
        organization=context["organization"],
        membership=membership,
        project=context.get("project"),
        project_role=project_role,
        values=values,
    )
    if context.template is None:
        raise template.TemplateSyntaxError("Panels are drawn inside a template.")
    engine = context.template.engine
    parts = []
    for panel in shown:
        counted = QueryCounter()
        with connection.execute_wrapper(counted):
            data = panel.context(given)
            if data is not None:
                with context.push(**data):
                    parts.append(engine.get_template(panel.template).render(context))
        if counted.queries > panel.queries:
            over_budget(panel, counted.queries)
    return mark_safe("".join(parts))  # noqa: S308  (templates escape what they render)


class QueryCounter:
    def __init__(self) -> None:
        self.queries = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries += 1
        return execute(sql, params, many, context)


def over_budget(panel: navigation.Panel, queries: int) -> None:
    """A panel ran more queries than it declares: an error while developing, a warning in production."""
    message = f"The panel {panel.slot}:{panel.key} ran {queries} queries; it declares {panel.queries}."
    if settings.DEBUG:
        raise ImproperlyConfigured(message)
    logger.warning(message)
