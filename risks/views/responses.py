"""A risk's responses and actions on its page, and the writes their forms send.

The risk's page includes ``risks/includes/responses.html``, whose data :func:`responses_section`
reads from what the page holds. Every form posts to :class:`RiskResponsesView` with an ``op``; a
write that succeeds goes back to the risk's page, one whose input is refused shows the form again on
a page of its own, with the input and the errors, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from finance.models import BudgetVersion
from finance.permissions import FinanceAction
from pmo.errors import ApplicationError
from pmo.models import Organization, User
from pmo.pages import OrganizationPageMixin
from projects.models import Project
from projects.views.common import ProjectTabsMixin
from risks.api.responses import project_role_of
from risks.issue_forms import (
    ActionForm,
    ActionStatusForm,
    OccurredForm,
    ResponseForm,
    organization_members,
)
from risks.models import ActionStatus, Issue, ResponseAction, Risk, RiskResponse, RiskStatus
from risks.permissions import RiskAction
from risks.services import issues as issue_services
from risks.services import responses as services

ACTION_BADGES = {
    ActionStatus.PLANNED: "badge-grey",
    ActionStatus.IN_PROGRESS: "badge-blue",
    ActionStatus.DONE: "badge-green",
    ActionStatus.CANCELLED: "badge-grey",
}


def _may_respond(perms: set[str], user_id: int | None, risk: Risk) -> bool:
    """The owner rule of ``risks.permissions.may_update``, read from the actions the page already allows."""
    if RiskAction.RISK_MANAGE in perms:
        return True
    return risk.owner_id is not None and risk.owner_id == user_id and RiskAction.RISK_CONTRIBUTE in perms


def _may_update_action(perms: set[str], user_id: int | None, risk: Risk, action: ResponseAction) -> bool:
    if _may_respond(perms, user_id, risk):
        return True
    return action.owner_id is not None and action.owner_id == user_id and RiskAction.RISK_CONTRIBUTE in perms


def response_choices(responses: list[RiskResponse]) -> list[tuple[int, str]]:
    return [(response.pk, f"{response.get_strategy_display()}: {response.description[:60]}") for response in responses]


def action_initial(action: ResponseAction) -> dict[str, Any]:
    return {
        "title": action.title,
        "owner": action.owner_id,
        "due": action.due,
        "status": action.status,
        "cost": action.cost,
    }


def responses_section(context: Any) -> dict[str, Any]:
    """What the responses section shows and which of its forms the member may use (fixed queries)."""
    risk: Risk = context["risk"]
    request = context["request"]
    organization: Organization = context.get("organization") or risk.organization
    perms: set[str] = set(context.get("perms_org") or ())
    user_id = request.user.pk
    in_project = risk.project_id is not None
    may_respond = _may_respond(perms, user_id, risk)
    responses = list(
        RiskResponse.objects.for_organization(organization)
        .filter(risk=risk)
        .select_related("created_by")
        .order_by("id")
    )
    actions = list(
        ResponseAction.objects.for_organization(organization)
        .filter(risk=risk)
        .select_related("owner", "budget_line__version")
        .order_by("due", "id")
    )
    may_budget = in_project and FinanceAction.BUDGET_EDIT in perms
    may_occur = in_project and risk.is_open and RiskAction.RISK_MANAGE in perms
    updatable = {a.pk for a in actions if _may_update_action(perms, user_id, risk, a)}
    owners: list[User] = []
    if may_respond or updatable or may_occur:
        owners = list(organization_members(organization))
    budget_candidates = [a for a in actions if a.budget_line_id is None and a.cost > 0 and a.status != "cancelled"]
    draft = None
    if may_budget and budget_candidates:
        draft = (
            BudgetVersion.objects.for_organization(organization)
            .filter(project_id=risk.project_id, status=BudgetVersion.Status.DRAFT)
            .order_by("-number")
            .values("pk", "number")
            .first()
        )
    issue = None
    if risk.status == RiskStatus.OCCURRED and in_project:
        issue = Issue.objects.for_organization(organization).filter(risk=risk).first()
    today = organization.today()
    by_response: dict[int, list[dict[str, Any]]] = {response.pk: [] for response in responses}
    for action in actions:
        may_update = action.pk in updatable
        by_response.setdefault(action.response_id, []).append(
            {
                "action": action,
                "badge": ACTION_BADGES.get(action.status, "badge-grey"),
                "overdue": action.due is not None
                and action.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
                and action.due < today,
                "may_update": may_update,
                "status_form": ActionStatusForm(initial={"status": action.status}, prefix=f"s{action.pk}")
                if may_update
                else None,
                "edit_form": ActionForm(
                    initial=action_initial(action), prefix=f"a{action.pk}", organization=organization, owners=owners
                )
                if may_update
                else None,
                "may_budget": may_budget and action in budget_candidates,
            }
        )
    post_url = (
        reverse(
            "project-risk-responses",
            kwargs={"org_slug": organization.slug, "project_id": risk.project_id, "risk_id": risk.pk},
        )
        if in_project
        else reverse("org-risk-responses", kwargs={"org_slug": organization.slug, "risk_id": risk.pk})
    )
    may_add = may_respond and risk.is_open
    return {
        "post_url": post_url,
        "responses": [
            {
                "response": response,
                "actions": by_response.get(response.pk, []),
                "edit_form": ResponseForm(
                    risk=risk,
                    prefix=f"r{response.pk}",
                    initial={"strategy": response.strategy, "description": response.description},
                )
                if may_respond
                else None,
            }
            for response in responses
        ],
        "action_count": len(actions),
        "may_respond": may_respond,
        "response_form": ResponseForm(risk=risk) if may_add else None,
        "action_form": ActionForm(
            organization=organization, owners=owners, responses=response_choices(responses), prefix="new"
        )
        if may_add and responses
        else None,
        "may_budget": may_budget,
        "draft": draft,
        "finance_url": reverse("project-finance", kwargs={"org_slug": organization.slug, "project_id": risk.project_id})
        if may_budget
        else "",
        "occurred_form": OccurredForm(organization=organization, owners=owners, prefix="occ") if may_occur else None,
        "issue": issue,
        "currency": context.get("currency", ""),
    }


class ResponsesWrites(OrganizationPageMixin, TemplateView):
    """The writes of a risk's responses section (``op`` names one); GET goes to the risk's page.

    A project's risk puts the project page base after it (``resolve_scope`` reads the project first).
    """

    template_name = "risks/response_form.html"
    read_action = RiskAction.RISK_VIEW
    # The risk's owner writes as risk managers do, an action's owner updates it: each op checks.
    write_action = RiskAction.RISK_CONTRIBUTE
    risk: Risk
    operations: dict[str, str] = {
        "response_add": "response_add",
        "response_edit": "response_edit",
        "response_remove": "response_remove",
        "action_add": "action_add",
        "action_edit": "action_edit",
        "action_status": "action_status",
        "action_budget": "action_budget",
        "occurred": "occurred",
    }
    TITLES = {
        "response_add": gettext_lazy("Plan a response"),
        "response_edit": gettext_lazy("Change the response"),
        "action_add": gettext_lazy("Add an action"),
        "action_edit": gettext_lazy("Change the action"),
        "action_status": gettext_lazy("Update the action's status"),
        "occurred": gettext_lazy("The risk occurred: open an issue"),
    }

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)

    #: The URL's project, or None for an organisation-level risk.
    risk_project: Project | None = None

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        url_project: Project | None = getattr(self, "project", None)
        risks = Risk.objects.for_organization(self.organization).filter(pk=url_kwargs["risk_id"])
        if url_project is not None:
            risks = risks.filter(project=url_project)
        risk = risks.select_related("owner", "project").first()
        if risk is None:
            raise Http404
        if url_project is None and risk.project is not None:
            # The organisation's route of a project's risk: the user's role on that project counts.
            self.project_role = project_role_of(risk.project, self.membership.user_id)
        self.risk_project = url_project or risk.project
        risk.organization = self.organization
        risk.project = self.risk_project
        self.risk = risk

    def risk_page(self) -> HttpResponseRedirect:
        return redirect(f"{self.risk.get_absolute_url()}#responses")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.risk_page()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handler = self.operations.get(request.POST.get("op", ""))
        if handler is None:
            messages.error(request, _("Unknown action."))
            return self.risk_page()
        response: HttpResponse = getattr(self, handler)(request)
        return response

    # --- who may ---------------------------------------------------------------------------

    @property
    def perms(self) -> set[str]:
        from pmo.policy import allowed_actions

        return {str(action) for action in allowed_actions(self.membership, self.project_role)}

    def require_respond(self) -> None:
        if not _may_respond(self.perms, self.membership.user_id, self.risk):
            raise PermissionDenied

    def owners(self) -> list[User]:
        return list(organization_members(self.organization))

    def responses(self) -> list[RiskResponse]:
        return list(RiskResponse.objects.for_organization(self.organization).filter(risk=self.risk).order_by("id"))

    def one_response(self, request: HttpRequest) -> RiskResponse:
        value = request.POST.get("response", "")
        found = (
            RiskResponse.objects.for_organization(self.organization)
            .filter(risk=self.risk, pk=int(value) if value.isdigit() else 0)
            .first()
        )
        if found is None:
            raise Http404
        found.risk = self.risk
        return found

    def one_action(self, request: HttpRequest) -> ResponseAction:
        value = request.POST.get("action", "")
        found = (
            ResponseAction.objects.for_organization(self.organization)
            .filter(risk=self.risk, pk=int(value) if value.isdigit() else 0)
            .first()
        )
        if found is None:
            raise Http404
        found.risk = self.risk
        return found

    # --- rendering --------------------------------------------------------------------------

    def attempt(self, call: Callable[[], Any], form: forms.Form | None = None) -> tuple[Any, int]:
        """Run one service call; a refusal goes beside the form's fields, or to the page's messages."""
        try:
            return call(), 200
        except ApplicationError as error:
            if form is not None and any(field in form.fields for field in error.fields):
                self.report(error, form)
            elif form is not None:
                form.add_error(None, error.message)
            else:
                messages.error(self.request, error.message)
            return None, error.status_code

    def again(self, op: str, form: forms.Form, status: int, **hidden: Any) -> HttpResponse:
        """The refused form on a page of its own, with the input and the errors."""
        context = self.get_context_data(
            form=form, op=op, heading=self.TITLES.get(op, ""), hidden=hidden, risk=self.risk
        )
        return self.render_to_response(context, status=status or 400)

    def done(self, message: str) -> HttpResponse:
        messages.success(self.request, message)
        return self.risk_page()

    # --- responses ---------------------------------------------------------------------------

    def response_add(self, request: HttpRequest) -> HttpResponse:
        self.require_respond()
        form = ResponseForm(request.POST, risk=self.risk)
        status = 400
        if form.is_valid():
            response, status = self.attempt(
                lambda: services.response_add(actor=self.actor, risk=self.risk, **form.cleaned_data), form
            )
            if response is not None:
                return self.done(_("Response planned."))
        return self.again("response_add", form, status)

    def response_edit(self, request: HttpRequest) -> HttpResponse:
        self.require_respond()
        response = self.one_response(request)
        form = ResponseForm(request.POST, risk=self.risk, prefix=f"r{response.pk}")
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: services.response_update(actor=self.actor, response=response, **form.cleaned_data), form
            )
            if saved is not None:
                return self.done(_("Response saved."))
        return self.again("response_edit", form, status, response=response.pk)

    def response_remove(self, request: HttpRequest) -> HttpResponse:
        self.require_respond()
        response = self.one_response(request)
        try:
            services.response_remove(actor=self.actor, response=response)
        except ApplicationError as error:
            messages.error(request, error.message)
            return self.risk_page()
        return self.done(_("Response removed."))

    # --- actions ---------------------------------------------------------------------------

    def action_add(self, request: HttpRequest) -> HttpResponse:
        self.require_respond()
        responses = self.responses()
        form = ActionForm(
            request.POST,
            organization=self.organization,
            owners=self.owners(),
            responses=response_choices(responses),
            prefix="new",
        )
        status = 400
        if form.is_valid():
            fields = dict(form.cleaned_data)
            chosen = next(r for r in responses if r.pk == fields.pop("response"))
            chosen.risk = self.risk
            action, status = self.attempt(
                lambda: services.action_add(actor=self.actor, response=chosen, **fields), form
            )
            if action is not None:
                return self.done(_("Action added."))
        return self.again("action_add", form, status)

    def require_action(self, action: ResponseAction) -> None:
        if not _may_update_action(self.perms, self.membership.user_id, self.risk, action):
            raise PermissionDenied

    def action_edit(self, request: HttpRequest) -> HttpResponse:
        action = self.one_action(request)
        self.require_action(action)
        form = ActionForm(request.POST, organization=self.organization, owners=self.owners(), prefix=f"a{action.pk}")
        status = 400
        if form.is_valid():
            fields = dict(form.cleaned_data)
            if action.budget_line_id is not None and fields.get("cost") == action.cost.quantize(Decimal("0.01")):
                fields.pop("cost")
            saved, status = self.attempt(
                lambda: services.action_update(actor=self.actor, action=action, **fields), form
            )
            if saved is not None:
                return self.done(_("Action saved."))
        return self.again("action_edit", form, status, action=action.pk)

    def action_status(self, request: HttpRequest) -> HttpResponse:
        action = self.one_action(request)
        self.require_action(action)
        form = ActionStatusForm(request.POST, prefix=f"s{action.pk}")
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: services.action_update(actor=self.actor, action=action, status=form.cleaned_data["status"]),
                form,
            )
            if saved is not None:
                return self.done(
                    _("%(action)s is now %(status)s.")
                    % {"action": saved.title, "status": ActionStatus(saved.status).label}
                )
        return self.again("action_status", form, status, action=action.pk)

    def action_budget(self, request: HttpRequest) -> HttpResponse:
        if not self.can(FinanceAction.BUDGET_EDIT):
            raise PermissionDenied
        action = self.one_action(request)
        saved, _status = self.attempt(lambda: services.action_add_to_budget(actor=self.actor, action=action))
        if saved is None:
            return self.risk_page()
        version = saved.budget_line.version if saved.budget_line is not None else None
        return self.done(
            _("The cost of “%(action)s” is now a line of budget version v%(number)s.")
            % {"action": saved.title, "number": version.number if version is not None else "?"}
        )

    # --- occurred -----------------------------------------------------------------------------

    def occurred(self, request: HttpRequest) -> HttpResponse:
        if not self.can(RiskAction.RISK_MANAGE):
            raise PermissionDenied
        form = OccurredForm(request.POST, organization=self.organization, owners=self.owners(), prefix="occ")
        status = 400
        if form.is_valid():
            issue, status = self.attempt(
                lambda: issue_services.risk_occurred(actor=self.actor, risk=self.risk, **form.cleaned_data), form
            )
            if issue is not None:
                messages.success(
                    request,
                    _("%(risk)s occurred; it is now issue %(issue)s.") % {"risk": self.risk.code, "issue": issue.code},
                )
                return redirect(issue.get_absolute_url())
        return self.again("occurred", form, status)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["risk"] = self.risk
        context["risk_url"] = self.risk.get_absolute_url()
        context["in_project"] = isinstance(self, ProjectTabsMixin)
        return context


class ProjectRiskResponsesView(ResponsesWrites, ProjectTabsMixin):
    """The writes of the responses section of a project's risk."""

    tab = "risks"


class OrganizationRiskResponsesView(ResponsesWrites):
    """The writes of the responses section of an organisation-level risk (no budget, no issue)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["nav_active"] = "risks"
        return context
