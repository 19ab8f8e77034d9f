"""The base of every API view under ``/api/v1/orgs/{org_slug}/projects/{project_id}/``."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from pmo.api.base import OrganizationScopedMixin
from pmo.models import Membership
from pmo.tenancy import MemberRole, resolve_membership_with
from projects.models import Project, ProjectMember
from projects.services.locks import lock_project

PROJECT_ROLE = MemberRole(ProjectMember, "project")


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
        .order_by()  # one row: the default ordering would join the project and the user only to sort it
        .values_list("role", flat=True)
        .first()
    )
    return project, role


def resolve_project_access(
    request: HttpRequest, org_slug: str, project_id: Any
) -> tuple[Membership, Project, str | None]:
    """The user's membership, the project named by the URL and the user's role on it: one query, or 404."""
    return resolve_membership_with(request, org_slug, Project, project_id, PROJECT_ROLE)


class ProjectScopedMixin(OrganizationScopedMixin):
    """Resolves ``project_id`` with the organisation; the project role joins the policy check."""

    project: Project

    def resolve_access(self, request: Any, **url_kwargs: Any) -> Membership:
        membership, self.project, self.project_role = resolve_project_access(
            request, url_kwargs["org_slug"], url_kwargs["project_id"]
        )
        return membership

    def lock_scope(self) -> None:
        lock_project(self.project)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["project"] = getattr(self, "project", None)
        return context
