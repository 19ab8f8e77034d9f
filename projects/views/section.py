"""What the pages of an app's section share (quality, resources): the organisation or project they
sit in, the section's sub-navigation, and service calls that may refuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.db.models import Model
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.views.generic import TemplateView

from pmo.errors import ApplicationError
from pmo.models import User
from pmo.pages import OrganizationPageMixin
from projects.pages import ProjectPageMixin
from projects.views.common import ProjectTabsMixin


class SectionPage(OrganizationPageMixin, TemplateView):
    """A page of an app's section of the organisation, with the section's sub-navigation.

    An app subclasses it once with its section tables, the context name its sub-navigation
    template reads and its main-menu key; mix ``InProjectSection`` (the app's subclass) before it
    for a project's page.
    """

    #: The project's pages of the section: (key, URL name, label); a URL not mounted is left out.
    project_sections: tuple[tuple[str, str, Any], ...] = ()
    #: The organisation's pages of the section.
    organization_sections: tuple[tuple[str, str, Any], ...] = ()
    #: The context variable the section's sub-navigation template reads.
    sections_context_name = "sections"
    #: The main-menu entry marked current on the organisation's pages.
    nav_key = ""
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
        sections = self.organization_sections
        if self.in_project():
            kwargs["project_id"] = self.project.pk  # type: ignore[attr-defined]
            sections = self.project_sections
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
        context[self.sections_context_name] = self.sections()
        context["in_project"] = self.in_project()
        if not self.in_project():
            context["nav_active"] = self.nav_key
        return context


class InProjectSection(ProjectTabsMixin):
    """Mixed before a ``SectionPage``: the page is one project's, under the app's tab (``tab``)."""

    def resolve_scope(self, **url_kwargs: Any) -> None:
        """The project first (``ProjectPageMixin``), then what the section page resolves in it."""
        ProjectPageMixin.resolve_scope(self, **url_kwargs)
        super(ProjectPageMixin, self).resolve_scope(**url_kwargs)
