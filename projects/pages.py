"""The base of every page under ``/o/{org_slug}/projects/{project_id}/``."""

from __future__ import annotations

from typing import Any

from pmo.pages import OrganizationPageMixin
from projects.api.base import resolve_project
from projects.models import Project
from projects.services.locks import lock_project


class ProjectPageMixin(OrganizationPageMixin):
    project: Project

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.project, self.project_role = resolve_project(
            self.organization.pk, url_kwargs["project_id"], self.membership.user_id
        )

    def lock_scope(self) -> None:
        lock_project(self.project)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["project"] = self.project
        context["project_role"] = self.project_role
        context["nav_active"] = "projects"
        return context
