"""What the issues log adds to the layers below: the project's Issues tab and files on issues."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from django.utils.translation import gettext_lazy as _

from pmo import navigation
from pmo.attachments import register_attachable
from pmo.navigation import ProjectTab
from risks.models import Issue
from risks.permissions import RiskAction


def _issue_title(issue: Any) -> str:
    return f"{issue.code} {issue.title}"


def register() -> None:
    navigation.project_tabs.register(
        ProjectTab("issues", _("Issues"), "project-issues", order=115, action=RiskAction.RISK_VIEW)
    )
    # Team members attach photos and reports; deleting anybody's file is the issue managers' call.
    register_attachable(
        Issue,
        view=RiskAction.RISK_VIEW,
        change=RiskAction.RISK_CONTRIBUTE,
        manage=RiskAction.ISSUE_MANAGE,
        project=attrgetter("project"),
        url=lambda issue: issue.get_absolute_url(),
        title=_issue_title,
    )
