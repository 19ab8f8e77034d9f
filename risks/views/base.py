"""What the risk pages share: the project or organisation they sit in, their URLs, service calls that may refuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from pmo.errors import ApplicationError
from pmo.models import User
from pmo.pages import SAFE_METHODS, OrganizationPageMixin
from projects.models import Project
from projects.pages import ProjectPageMixin
from projects.views.common import ProjectTabsMixin
from risks.models import Level, Risk, RiskStatus
from risks.permissions import RiskAction, may_update

LEVEL_BADGES: dict[str, str] = {
    Level.LOW: "badge-green",
    Level.MEDIUM: "badge-amber",
    Level.HIGH: "badge-red",
}
STATUS_BADGES: dict[str, str] = {
    RiskStatus.IDENTIFIED: "badge-grey",
    RiskStatus.ASSESSED: "badge-blue",
    RiskStatus.RESPONDING: "badge-amber",
    RiskStatus.MONITORING: "badge-teal",
    RiskStatus.OCCURRED: "badge-red",
    RiskStatus.CLOSED: "badge-green",
}


class RiskPage(OrganizationPageMixin, TemplateView):
    """A page of the register, of one project (``project`` set) or of the organisation (``project`` None)."""

    read_action = RiskAction.RISK_VIEW

    @property
    def project_or_none(self) -> Project | None:
        """The project of a project's page (``InProject`` resolves it), None on the organisation's."""
        return getattr(self, "project", None)

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)

    def url(self, name: str, **kwargs: Any) -> str:
        """``name`` of the project's page (``project-<name>``) or the organisation's (``org-<name>``)."""
        if self.project_or_none is not None:
            return reverse(
                f"project-{name}",
                kwargs={"org_slug": self.organization.slug, "project_id": self.project_or_none.pk, **kwargs},
            )
        return reverse(f"org-{name}", kwargs={"org_slug": self.organization.slug, **kwargs})

    def currency(self) -> str:
        return self.project_or_none.currency if self.project_or_none is not None else self.organization.default_currency

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
        context["register_url"] = self.url("risks")
        context["in_project"] = self.project_or_none is not None
        context["currency"] = self.currency()
        if self.project_or_none is None:
            context["nav_active"] = "risks"
        return context


class InProject(ProjectTabsMixin):
    """Mixed before a ``RiskPage``: the page is one project's, under its Risks tab."""

    tab = "risks"

    def resolve_scope(self, **url_kwargs: Any) -> None:
        """The project first (``ProjectPageMixin``), then what the risk page resolves in it (a risk, say)."""
        ProjectPageMixin.resolve_scope(self, **url_kwargs)
        super(ProjectPageMixin, self).resolve_scope(**url_kwargs)


class OneRisk(RiskPage):
    """A page about one risk (``pk`` in the URL): of the project, or an organisation-level one."""

    model = Risk
    risk: Risk
    #: The page's URL name without its ``project-`` or ``org-`` prefix.
    page_name = "risk"

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        risks = Risk.objects.for_organization(self.organization).select_related("category", "owner", "raised_by")
        if self.project_or_none is not None:
            risks = risks.filter(project=self.project_or_none)
        self.risk = get_object_or_404(risks, pk=url_kwargs["pk"])
        self.risk.organization = self.organization
        if self.project_or_none is not None:
            self.risk.project = self.project_or_none
        elif self.risk.project_id is not None and self.request.method not in SAFE_METHODS:
            # A project's risk is changed on its project's pages, where project roles count.
            raise Http404

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.project_or_none is None and self.risk.project_id is not None:
            return HttpResponseRedirect(
                reverse(
                    f"project-{self.page_name}",
                    kwargs={"org_slug": self.organization.slug, "project_id": self.risk.project_id, "pk": self.risk.pk},
                )
            )
        return super().get(request, *args, **kwargs)

    def risk_url(self, name: str = "risk") -> str:
        return self.url(name, pk=self.risk.pk)

    def may_update(self) -> bool:
        """Whether the member may assess or review this risk: as a manager of the register, or as its owner."""
        return may_update(self.membership, self.project_role, self.risk.owner_id, RiskAction.RISK_MANAGE)

    def require_update(self) -> None:
        if not self.may_update():
            raise PermissionDenied

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["risk"] = self.risk
        context["risk_url"] = self.risk_url()
        return context
