"""``{% attachments_panel parent %}``: a record's files, with upload and delete where allowed."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.http import Http404

from pmo.attachments.access import access_to, attachments_of
from pmo.attachments.files import ACCEPT, KINDS
from pmo.attachments.registry import attachable_for

register = template.Library()


def _described(attachments: Any) -> list[Any]:
    rows = list(attachments)
    for attachment in rows:
        kind = KINDS.get(attachment.media_type)
        attachment.kind_label = kind.label if kind else attachment.media_type
        attachment.short_type = kind.extensions[0].lstrip(".").upper() if kind else "?"
    return rows


@register.inclusion_tag("pmo/includes/attachments_panel.html", takes_context=True)
def attachments_panel(context: template.Context, parent: Any) -> dict[str, Any]:
    """One query for the files (and none for the role when the page already knows the project's)."""
    attachable = attachable_for(parent) if parent is not None else None
    membership = context.get("membership")
    request = context.get("request")
    if attachable is None or membership is None or request is None:
        return {"shown": False}
    known = (context.get("project"), context.get("project_role"))
    try:
        access = access_to(membership, parent, attachable, known)
    except Http404:
        return {"shown": False}
    if not access.may_view:
        return {"shown": False}
    return {
        "shown": True,
        "max_mb": f"{settings.PMO_ATTACHMENT_MAX_BYTES / (1024 * 1024):.0f}",
        "max_files": settings.PMO_ATTACHMENT_MAX_FILES,
        "organization": membership.organization,
        "parent_type": attachable.name,
        "parent": parent,
        "attachments": _described(attachments_of(parent)),
        "may_change": access.may_change,
        "may_manage": access.may_manage,
        "user_id": membership.user_id,
        "next": request.get_full_path(),
        "accept": ACCEPT,
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


@register.simple_tag(takes_context=True)
def attachments_link(context: template.Context, parent: Any) -> str:
    """The URL of a record's own files page (for rows of a list)."""
    from django.urls import reverse
    from django.utils.http import urlencode

    attachable = attachable_for(parent)
    membership = context.get("membership")
    if attachable is None or membership is None:
        return ""
    query = urlencode({"parent_type": attachable.name, "parent_id": parent.pk})
    return f"{reverse('org-attachments', kwargs={'org_slug': membership.organization.slug})}?{query}"
