"""The main navigation and the panel slots, drawn from what apps registered in ``pmo.navigation``."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from pmo import navigation

register = template.Library()


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

    ``values`` are what the page hands the slot's panels (``PanelContext.values``).
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
        data = panel.context(given)
        if data is None:
            continue
        with context.push(**data):
            parts.append(engine.get_template(panel.template).render(context))
    return mark_safe("".join(parts))  # noqa: S308  (templates escape what they render)
