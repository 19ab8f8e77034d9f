from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from pmo.pages import OrganizationPageMixin
from pmo.policy import Action
from projects.models import Project


class ProjectListView(OrganizationPageMixin, TemplateView):
    template_name = "projects/project_list.html"
    read_action = Action.PROJECT_VIEW

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["projects"] = Project.objects.for_organization(self.organization).select_related("manager")
        context["nav_active"] = "projects"
        return context
