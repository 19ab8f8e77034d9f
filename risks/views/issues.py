"""The issues log of a project (the Issues tab) and one issue's page, with their writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from pmo.errors import ApplicationError
from pmo.models import User
from pmo.views import paginate
from projects.models import ChangeRequest
from projects.permissions import ProjectAction
from projects.views.common import ProjectTabsMixin
from risks.issue_forms import (
    ChangeRequestFromIssueForm,
    CloseForm,
    IssueEditForm,
    IssueFilter,
    IssueForm,
    ReopenForm,
    ResolutionForm,
    organization_members,
)
from risks.models import Issue, IssueSeverity, IssueStatus
from risks.permissions import RiskAction, may_update
from risks.services import issues as services

SEVERITY_BADGES: dict[str, str] = {
    IssueSeverity.LOW: "badge-grey",
    IssueSeverity.MEDIUM: "badge-amber",
    IssueSeverity.HIGH: "badge-red",
    IssueSeverity.CRITICAL: "badge-red",
}
STATUS_BADGES: dict[str, str] = {
    IssueStatus.OPEN: "badge-blue",
    IssueStatus.IN_PROGRESS: "badge-amber",
    IssueStatus.RESOLVED: "badge-green",
    IssueStatus.CLOSED: "badge-grey",
}
OPEN = (IssueStatus.OPEN, IssueStatus.IN_PROGRESS)


class IssuePage(ProjectTabsMixin, TemplateView):
    """A page of the issues log, under the project's Issues tab."""

    read_action = RiskAction.RISK_VIEW
    tab = "issues"
    operations: dict[str, str] = {}

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handler = self.operations.get(request.POST.get("op", ""))
        if handler is None:
            messages.error(request, _("Unknown action."))
            return self.render_to_response(self.get_context_data(), status=400)
        response: HttpResponse = getattr(self, handler)(request)
        return response

    def attempt(self, call: Callable[[], Any], form: Any = None, edited: Model | None = None) -> tuple[Any, int]:
        """Run one service call; a refusal goes beside the form's fields, or to the page's messages."""
        try:
            if edited is None or form is None:
                return call(), 200
            with self.unchanged_since_read(form, edited):
                return call(), 200
        except ApplicationError as error:
            if form is not None and any(field in form.fields for field in error.fields):
                self.report(error, form)
            else:
                messages.error(self.request, error.message)
            return None, error.status_code

    def owners(self) -> list[User]:
        return list(organization_members(self.organization))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["severity_badges"] = SEVERITY_BADGES
        context["status_badges"] = STATUS_BADGES
        context["today"] = self.organization.today()
        return context


class IssueListView(IssuePage):
    """The log: filters (status, severity, owner, overdue, words), pages of issues, and raising one."""

    template_name = "risks/issues.html"
    write_action = RiskAction.ISSUE_MANAGE
    operations = {"create": "create"}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        queryset = (
            Issue.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("owner", "risk", "change_request")
            .order_by("-number")
        )
        filterset = IssueFilter(self.request.GET, queryset=queryset)
        context["filter"] = filterset
        page = paginate(self.request, filterset.qs if filterset.is_valid() else queryset.none())
        context["page"] = page
        for issue in page.object_list:
            issue.organization = self.organization
            if issue.risk is not None:
                issue.risk.organization = self.organization
        context["rows"] = [
            {
                "issue": issue,
                "severity_badge": SEVERITY_BADGES.get(issue.severity, "badge-grey"),
                "status_badge": STATUS_BADGES.get(issue.status, "badge-grey"),
                "overdue": issue.status in OPEN and issue.due is not None and issue.due < context["today"],
            }
            for issue in page.object_list
        ]
        context["filtered"] = any(value for key, value in self.request.GET.items() if key != "page")
        if self.can(RiskAction.ISSUE_MANAGE) and self.project.is_open:
            context["create_form"] = kwargs.get("create_form") or IssueForm(
                organization=self.organization, owners=self.owners()
            )
        return context

    def create(self, request: HttpRequest) -> HttpResponse:
        form = IssueForm(request.POST, organization=self.organization, owners=self.owners())
        status = 400
        if form.is_valid():
            issue, status = self.attempt(
                lambda: services.issue_raise(actor=self.actor, project=self.project, **form.cleaned_data), form
            )
            if issue is not None:
                messages.success(request, _("Issue %(issue)s raised.") % {"issue": issue.code})
                return redirect(issue.get_absolute_url())
        return self.render_to_response(self.get_context_data(create_form=form), status=status)


class IssueDetailView(IssuePage):
    """One issue: its facts, the risk it came from, its change request, files and the writes allowed."""

    template_name = "risks/issue_detail.html"
    model = Issue
    # Owners change their own issues: each operation checks its own rule.
    write_action = RiskAction.RISK_CONTRIBUTE
    operations = {
        "save": "save",
        "resolve": "resolve",
        "close": "close",
        "reopen": "reopen",
        "change_request": "change_request",
    }
    issue: Issue

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.issue = get_object_or_404(
            Issue.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("owner", "raised_by", "risk", "change_request"),
            pk=url_kwargs["pk"],
        )
        self.issue.project = self.project
        self.issue.organization = self.organization
        if self.issue.risk is not None:
            self.issue.risk.organization = self.organization

    def may_update(self) -> bool:
        return may_update(self.membership, self.project_role, self.issue.owner_id, RiskAction.ISSUE_MANAGE)

    def _require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        issue = self.issue
        is_open = issue.status in OPEN
        may_edit = self.may_update() and issue.status != IssueStatus.CLOSED
        may_manage = self.can(RiskAction.ISSUE_MANAGE)
        change = issue.change_request
        change_open = change is not None and change.status in services.OPEN_CHANGES
        context.update(
            issue=issue,
            severity_badge=SEVERITY_BADGES.get(issue.severity, "badge-grey"),
            status_badge=STATUS_BADGES.get(issue.status, "badge-grey"),
            overdue=is_open and issue.due is not None and issue.due < context["today"],
            change=change,
            change_open=change_open,
        )
        if may_edit:
            initial = {
                "title": issue.title,
                "description": issue.description,
                "severity": issue.severity,
                "owner": issue.owner_id,
                "due": issue.due,
                "status": issue.status if is_open else IssueStatus.OPEN,
            }
            form_class = IssueEditForm if is_open else IssueForm
            context["form"] = kwargs.get("form") or self.with_version(
                form_class(initial=initial, organization=self.organization, owners=self.owners()), issue
            )
        if is_open and self.may_update():
            context["resolve_form"] = kwargs.get("resolve_form") or ResolutionForm()
        if may_manage and issue.status != IssueStatus.CLOSED:
            context["close_form"] = kwargs.get("close_form") or CloseForm()
        if may_manage and not is_open:
            context["reopen_form"] = kwargs.get("reopen_form") or ReopenForm()
        if (
            self.can(ProjectAction.CHANGE_REQUEST_CREATE)
            and issue.status != IssueStatus.CLOSED
            and not change_open
            and self.project.is_open
        ):
            context["change_form"] = kwargs.get("change_form") or ChangeRequestFromIssueForm(
                initial={"kind": ChangeRequest.Kind.SCOPE}
            )
        return context

    def _done(self, message: str) -> HttpResponse:
        messages.success(self.request, message)
        return redirect(self.issue.get_absolute_url())

    def _again(self, status: int, **forms_: forms.Form) -> HttpResponse:
        return self.render_to_response(self.get_context_data(**forms_), status=status)

    def save(self, request: HttpRequest) -> HttpResponse:
        self._require(self.may_update())
        form_class = IssueEditForm if self.issue.status in OPEN else IssueForm
        form = self.with_version(
            form_class(request.POST, organization=self.organization, owners=self.owners()), self.issue
        )
        status = 400
        if form.is_valid():
            issue, status = self.attempt(
                lambda: services.issue_update(actor=self.actor, issue=self.issue, **form.cleaned_data),
                form,
                edited=self.issue,
            )
            if issue is not None:
                return self._done(_("Issue saved."))
        return self._again(status, form=form)

    def resolve(self, request: HttpRequest) -> HttpResponse:
        self._require(self.may_update())
        form = ResolutionForm(request.POST)
        status = 400
        if form.is_valid():
            issue, status = self.attempt(
                lambda: services.issue_resolve(actor=self.actor, issue=self.issue, **form.cleaned_data), form
            )
            if issue is not None:
                return self._done(_("Issue resolved."))
        return self._again(status, resolve_form=form)

    def close(self, request: HttpRequest) -> HttpResponse:
        self._require(self.can(RiskAction.ISSUE_MANAGE))
        form = CloseForm(request.POST)
        status = 400
        if form.is_valid():
            issue, status = self.attempt(
                lambda: services.issue_close(actor=self.actor, issue=self.issue, **form.cleaned_data), form
            )
            if issue is not None:
                return self._done(_("Issue closed."))
        return self._again(status, close_form=form)

    def reopen(self, request: HttpRequest) -> HttpResponse:
        self._require(self.can(RiskAction.ISSUE_MANAGE))
        form = ReopenForm(request.POST)
        status = 400
        if form.is_valid():
            issue, status = self.attempt(
                lambda: services.issue_reopen(actor=self.actor, issue=self.issue, **form.cleaned_data), form
            )
            if issue is not None:
                return self._done(_("Issue reopened."))
        return self._again(status, reopen_form=form)

    def change_request(self, request: HttpRequest) -> HttpResponse:
        self._require(self.can(ProjectAction.CHANGE_REQUEST_CREATE))
        form = ChangeRequestFromIssueForm(request.POST)
        status = 400
        if form.is_valid():
            change, status = self.attempt(
                lambda: services.issue_open_change_request(actor=self.actor, issue=self.issue, **form.cleaned_data),
                form,
            )
            if change is not None:
                messages.success(
                    request,
                    _("Change request CR-%(number)d was raised as a draft from %(issue)s; complete and submit it.")
                    % {"number": change.number, "issue": self.issue.code},
                )
                return redirect(
                    "project-change-request",
                    org_slug=self.organization.slug,
                    project_id=self.project.pk,
                    pk=change.pk,
                )
        return self._again(status, change_form=form)
