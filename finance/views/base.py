"""What every finance page shares: operations named by ``op``, service calls that may refuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from finance.models import CostCategory
from finance.permissions import FinanceAction
from finance.services import categories
from pmo.errors import ApplicationError
from pmo.models import Organization, User
from pmo.pages import OrganizationPageMixin
from projects.models import Project, WbsElement
from projects.views.common import ProjectTabsMixin

# Refusals said at the top of the page as well as beside the fields they name.
PAGE_LEVEL_CODES = frozenset({"over_budget"})


class OperationsMixin(OrganizationPageMixin):
    """A page whose POST names one of several operations in ``op``; an unknown one is a 400."""

    #: op → (handler method name, the action it needs beyond the view's ``write_action``).
    operations: dict[str, tuple[str, FinanceAction | None]] = {}

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handler, action = self.operations.get(request.POST.get("op", ""), ("", None))
        if not handler:
            messages.error(request, _("Unknown action."))
            return self.render_page(status=400)
        if action is not None and not self.can(action):
            raise PermissionDenied
        response: HttpResponse = getattr(self, handler)(request)
        return response

    def render_page(self, status: int = 200, **forms: Any) -> HttpResponse:
        view = cast(TemplateView, self)
        return view.render_to_response(view.get_context_data(**forms), status=status)

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
            if form is not None and (not error.fields or error.code in PAGE_LEVEL_CODES):
                # A page message too, so that a refusal is seen even when the form sits lower down.
                messages.error(self.request, error.message)
            return None, error.status_code


def active_categories(organization: Organization) -> QuerySet[CostCategory]:
    """The categories a new line or cost may use (the defaults arrive on first use)."""
    categories.cost_categories_ensure_defaults(organization)
    return CostCategory.objects.for_organization(organization).filter(is_active=True).order_by("order", "name")


def project_elements(project: Project) -> QuerySet[WbsElement]:
    return WbsElement.objects.for_organization(project.organization_id).filter(project=project).order_by("sort_key")


class FinanceProjectPage(OperationsMixin, ProjectTabsMixin, TemplateView):
    """A page of a project's finances: the project header, the Finance tab and the section links."""

    read_action = FinanceAction.FINANCE_VIEW
    tab = "finance"
    section = ""

    def cost_form_options(self) -> dict[str, Any]:
        return {"categories": active_categories(self.organization), "elements": project_elements(self.project)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["section"] = self.section
        context["currency"] = self.project.currency
        return context
