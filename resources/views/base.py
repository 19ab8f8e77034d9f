"""What the resources pages share: the organisation or project they sit in, the section's sub-navigation,
and service calls that may refuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.db.models import Model
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from pmo.errors import ApplicationError
from pmo.models import User
from pmo.pages import OrganizationPageMixin
from projects.pages import ProjectPageMixin
from projects.views.common import ProjectTabsMixin
from resources.permissions import ResourceAction

#: The project's resources pages in the sub-navigation: (key, URL name, label). A section whose URL
#: is not mounted yet is left out.
PROJECT_SECTIONS: tuple[tuple[str, str, Any], ...] = (
    ("assignments", "project-resources", _("Assignments")),
    ("requests", "project-resource-requests", _("Requests")),
    ("leveling", "project-resource-leveling", _("Leveling")),
    ("approvals", "project-timesheet-approvals", _("Timesheet approvals")),
    ("work", "project-resource-work", _("Actual work")),
)
#: The organisation's resources pages in the sub-navigation.
ORGANIZATION_SECTIONS: tuple[tuple[str, str, Any], ...] = (
    ("overview", "org-resources", _("Utilisation")),
    ("pool", "org-resource-pool", _("Pool")),
    ("demand", "org-resource-demand", _("Demand and capacity")),
    ("requests", "org-resource-requests", _("Requests")),
    ("leveling", "org-resource-leveling", _("Leveling")),
    ("timesheet", "org-timesheet", _("My timesheet")),
    ("approvals", "org-timesheet-approvals", _("Approvals")),
    ("settings", "org-resource-settings", _("Settings")),
)


class ResourcesPage(OrganizationPageMixin, TemplateView):
    """A resources page of the organisation; mix ``InProject`` before it for a project's page."""

    read_action = ResourceAction.RESOURCES_VIEW
    #: The key of this page in the sub-navigation.
    section = "overview"

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)

    def in_project(self) -> bool:
        return getattr(self, "project", None) is not None

    def sections(self) -> list[dict[str, Any]]:
        """The sub-navigation: every section whose URL exists yet, the current one marked."""
        links = []
        kwargs: dict[str, Any] = {"org_slug": self.organization.slug}
        sections = ORGANIZATION_SECTIONS
        if self.in_project():
            kwargs["project_id"] = self.project.pk  # type: ignore[attr-defined]
            sections = PROJECT_SECTIONS
        for key, name, label in sections:
            try:
                url = reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue  # a section whose pages are not mounted yet
            links.append({"key": key, "url": url, "label": label, "current": key == self.section})
        return links

    def render_page(self, status: int = 200, **forms: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(**forms), status=status)

    def attempt(self, call: Callable[[], Any], form: Any = None, edited: Model | None = None) -> tuple[Any, int]:
        """Run one service call; on a refusal report it beside the form (or as a message) and give its status.

        With ``edited``, the call runs only if that row is still the version the form was loaded with.
        """
        try:
            if edited is None:
                return call(), 200
            with self.unchanged_since_read(form, edited):
                return call(), 200
        except ApplicationError as error:
            self.report(error, form)
            if form is not None and not any(field in form.fields for field in error.fields):
                messages.error(self.request, error.message)
            return None, error.status_code

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["resources_sections"] = self.sections()
        context["in_project"] = self.in_project()
        if not self.in_project():
            context["nav_active"] = "resources"
        return context


class InProject(ProjectTabsMixin):
    """Mixed before a ``ResourcesPage``: the page is one project's, under its Resources tab."""

    tab = "resources"

    def resolve_scope(self, **url_kwargs: Any) -> None:
        """The project first (``ProjectPageMixin``), then what the resources page resolves in it."""
        ProjectPageMixin.resolve_scope(self, **url_kwargs)
        super(ProjectPageMixin, self).resolve_scope(**url_kwargs)
