"""The base of every API view under ``/api/v1/orgs/{org_slug}/projects/{project_id}/``."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from pmo.api.base import OrganizationScopedMixin
from projects.models import Project, ProjectMember
from projects.services.locks import lock_project


def resolve_project(organization_id: int, project_id: Any, user_id: int) -> tuple[Project, str | None]:
    """The project named by the URL, in the organisation, and the user's role on it (or 404)."""
    project = (
        Project.objects.for_organization(organization_id).select_related("organization").filter(pk=project_id).first()
    )
    if project is None:
        raise Http404
    role = (
        ProjectMember.objects.for_organization(organization_id)
        .filter(project=project, user_id=user_id)
        .values_list("role", flat=True)
        .first()
    )
    return project, role


class ProjectScopedMixin(OrganizationScopedMixin):
    """Resolves ``project_id`` after the organisation; the project role joins the policy check."""

    project: Project

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.project, self.project_role = resolve_project(
            self.organization.pk,
            url_kwargs["project_id"],
            self.membership.user_id,
        )

    def lock_scope(self) -> None:
        lock_project(self.project)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["project"] = getattr(self, "project", None)
        return context
