"""The projects app's records that carry files: status reports, change requests and passed stage gates."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from django.urls import reverse

from pmo.attachments import register_attachable
from pmo.attachments.registry import set_project_role_resolver
from projects.models import ChangeRequest, ProjectMember, StageGate, StatusReport
from projects.permissions import ProjectAction


def _project_role(project: Any, user_id: int) -> str | None:
    role: str | None = (
        ProjectMember.objects.for_organization(project.organization_id)
        .filter(project=project, user_id=user_id)
        .values_list("role", flat=True)
        .first()
    )
    return role


def _on_project(name: str) -> Any:
    def url(record: Any) -> str:
        kwargs = {"org_slug": record.project.organization.slug, "project_id": record.project_id}
        if name != "project-gate":
            kwargs["pk"] = record.pk
        return reverse(name, kwargs=kwargs)

    return url


# Each record, the action that attaches and deletes its files, and the page that shows it. Seeing
# the files needs what seeing the project needs; signed gate documents are filed by whoever
# manages the project, on the gate it passed.
RECORDS = (
    (StatusReport, ProjectAction.STATUS_REPORT_WRITE, "project-status-report"),
    (ChangeRequest, ProjectAction.CHANGE_REQUEST_CREATE, "project-change-request"),
    (StageGate, ProjectAction.PROJECT_MANAGE, "project-gate"),
)


def register() -> None:
    set_project_role_resolver(_project_role)
    for model, change, page in RECORDS:
        register_attachable(
            model, view=ProjectAction.PROJECT_VIEW, change=change, project=attrgetter("project"), url=_on_project(page)
        )
