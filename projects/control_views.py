"""Pages of status reports, change requests and the change log of one project."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from pmo.concurrency import row_version
from pmo.errors import ApplicationError
from pmo.models import User
from pmo.pdf import pdf_response
from pmo.views import paginate
from projects import reports
from projects.control_forms import (
    ChangeRequestFilter,
    ChangeRequestForm,
    CommentForm,
    ImplementForm,
    ReturnForm,
    StatusReportCreateForm,
    StatusReportFilter,
    StatusReportForm,
)
from projects.models import ChangeRequest, ChangeRequestElement, Rag, StatusReport
from projects.permissions import ProjectAction
from projects.selectors import control as control_reads
from projects.selectors import project_work_calendar
from projects.services import control
from projects.services.projects import project_settings
from projects.views import ProjectTabsMixin


class ControlPage(ProjectTabsMixin, TemplateView):
    """A project page with the project's header and tabs (a ``ProjectPageMixin``)."""

    @property
    def actor(self) -> User:
        return self.request.user  # type: ignore[return-value]


class ControlFormPage(ControlPage):
    """A project page whose POST names one of several operations in ``op``."""

    #: op → handler method name; an unknown op is a 400 with a message.
    operations: dict[str, str] = {}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handler = self.operations.get(request.POST.get("op", ""))
        if handler is None:
            messages.error(request, _("Unknown action."))
            return self.render_to_response(self.get_context_data(), status=400)
        response: HttpResponse = getattr(self, handler)(request)
        return response

    def attempt(self, call: Callable[[], Any], form: Any = None, edited: Model | None = None) -> tuple[Any, int]:
        """Run one service call; on a refusal, report it and return the status the page answers with.

        A refusal that names fields goes beside them; any other is a page message, since the form
        it came from may no longer be shown (a decision the user turns out not to be allowed).
        With ``edited``, the call runs only if that row is still the version the form was loaded with.
        """
        try:
            if edited is None or form is None:
                return call(), 200
            with self.unchanged_since_read(form, edited):
                return call(), 200
        except ApplicationError as error:
            self.report(error, form if error.fields else None)
            return None, error.status_code


HISTORY_LABELS = {
    "created": gettext_lazy("Raised"),
    "updated": gettext_lazy("Edited"),
    "submitted": gettext_lazy("Submitted"),
    "approved": gettext_lazy("Approved"),
    "rejected": gettext_lazy("Rejected"),
    "implemented": gettext_lazy("Implemented"),
}


def history_rows(entries: list[control_reads.HistoryEntry]) -> list[dict[str, Any]]:
    """Audit events of a change request as the pages show them (decision comments are shown beside the decision)."""
    rows = []
    for entry in entries:
        baseline = entry.changes.get("baseline", [None, None])[1]
        rows.append(
            {
                "at": entry.at,
                "actor": entry.actor,
                "label": HISTORY_LABELS.get(entry.action, entry.action),
                "comment": _("new baseline “%(name)s”") % {"name": baseline} if baseline else "",
            }
        )
    return rows


# --- status reports ---------------------------------------------------------------------


class StatusReportListView(ControlFormPage):
    template_name = "projects/control/status_report_list.html"
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.STATUS_REPORT_WRITE
    operations = {"create": "create"}
    tab = "status"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        queryset = (
            StatusReport.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("author")
            .order_by("-period_end")
        )
        filterset = StatusReportFilter(self.request.GET, queryset=queryset)
        context["filter"] = filterset
        context["page"] = paginate(self.request, filterset.qs if filterset.is_valid() else queryset.none())
        if self.can(ProjectAction.STATUS_REPORT_WRITE):
            week_end = control_reads.report_week_end(project_work_calendar(self.project), timezone.localdate())
            context["week_end"] = week_end
            context["create_form"] = kwargs.get("create_form") or StatusReportCreateForm(
                initial={"period_end": week_end}
            )
        return context

    def create(self, request: HttpRequest) -> HttpResponse:
        form = StatusReportCreateForm(request.POST)
        status = 400
        if form.is_valid():
            report, status = self.attempt(
                lambda: control.status_report_create(
                    actor=self.actor, project=self.project, period_end=form.cleaned_data["period_end"]
                ),
                form,
            )
            if report is not None:
                messages.success(
                    request,
                    _("Draft report for the week ending %(date)s created from the plan's figures.")
                    % {"date": report.period_end.isoformat()},
                )
                return redirect(
                    "project-status-report",
                    org_slug=self.organization.slug,
                    project_id=self.project.pk,
                    pk=report.pk,
                )
        return self.render_to_response(self.get_context_data(create_form=form), status=status)


class StatusReportDetailView(ControlFormPage):
    template_name = "projects/control/status_report_detail.html"
    model = StatusReport
    read_action = ProjectAction.PROJECT_VIEW
    # Review is the PMO office's, who also hold this; the review operation checks it.
    write_action = ProjectAction.STATUS_REPORT_WRITE
    operations = {"save": "save", "submit": "submit", "review": "review", "return": "send_back"}
    tab = "status"
    status_report: StatusReport

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.status_report = get_object_or_404(
            StatusReport.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("author", "reviewed_by", "returned_by"),
            pk=url_kwargs["pk"],
        )
        self.status_report.project = self.project

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report = self.status_report
        is_draft = report.status == StatusReport.Status.DRAFT
        context["report"] = report
        context["figures"] = report.figures or None
        computed_at = (report.figures or {}).get("computed_at")
        context["computed_at"] = dt.datetime.fromisoformat(computed_at) if computed_at else None
        labels = {name: field.label for name, field in StatusReportForm.base_fields.items()}
        context["rags"] = [
            (labels[field], getattr(report, field), Rag(getattr(report, field)).label) for field in control.RAG_FIELDS
        ]
        context["narrative"] = [(labels[field], getattr(report, field)) for field in control.NARRATIVE_FIELDS]
        context["can_edit"] = is_draft and self.can(ProjectAction.STATUS_REPORT_WRITE)
        context["can_submit"] = (
            is_draft
            and self.can(ProjectAction.STATUS_REPORT_WRITE)
            and control.status_report_may_submit(
                membership=self.membership, project_role=self.project_role, report=report
            )
        )
        context["can_review"] = report.status == StatusReport.Status.SUBMITTED and self.can(
            ProjectAction.STATUS_REPORT_REVIEW
        )
        if context["can_edit"]:
            context["form"] = kwargs.get("form") or self.with_version(
                StatusReportForm(initial={field: getattr(report, field) for field in control.REPORT_FIELDS}), report
            )
        if context["can_review"]:
            context["review_form"] = kwargs.get("review_form") or CommentForm()
            context["return_form"] = kwargs.get("return_form") or ReturnForm()
        return context

    def _done(self, message: str) -> HttpResponse:
        messages.success(self.request, message)
        return redirect(
            "project-status-report",
            org_slug=self.organization.slug,
            project_id=self.project.pk,
            pk=self.status_report.pk,
        )

    def save(self, request: HttpRequest) -> HttpResponse:
        form = self.with_version(StatusReportForm(request.POST), self.status_report)
        status = 400
        if form.is_valid():
            report, status = self.attempt(
                lambda: control.status_report_update(actor=self.actor, report=self.status_report, **form.cleaned_data),
                form,
                edited=self.status_report,
            )
            if report is not None:
                return self._done(_("Report saved."))
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def submit(self, request: HttpRequest) -> HttpResponse:
        """Submit what is on the form: the ratings and narrative are saved first, and stay saved if refused.

        The save is checked against the version the form was loaded with and commits on its own
        (as ``status_report_save_and_submit`` does for the API), so a refused submission loses nothing.
        """
        report: StatusReport | None = self.status_report
        form = None
        status = 200
        if any(name in request.POST for name in StatusReportForm.base_fields):
            form = self.with_version(StatusReportForm(request.POST), self.status_report)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(form=form), status=400)
            fields = form.cleaned_data
            report, status = self.attempt(
                lambda: control.status_report_update(actor=self.actor, report=self.status_report, **fields),
                form,
                edited=self.status_report,
            )
        if report is not None:
            if form is not None:
                # Saved: a refused submission shows the form again at the version it now has.
                form.row_version = row_version(type(report)._base_manager.get(pk=report.pk))  # type: ignore[attr-defined]
            submitted = report
            report, status = self.attempt(
                lambda: control.status_report_submit(
                    actor=self.actor, membership=self.membership, project_role=self.project_role, report=submitted
                ),
                form,
            )
        if report is not None:
            return self._done(_("Report submitted to the PMO."))
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def review(self, request: HttpRequest) -> HttpResponse:
        return self._decide(
            CommentForm(request.POST), control.status_report_review, _("Report marked as reviewed."), "review_form"
        )

    def send_back(self, request: HttpRequest) -> HttpResponse:
        return self._decide(
            ReturnForm(request.POST), control.status_report_return, _("Report returned to its author."), "return_form"
        )

    def _decide(self, form: forms.Form, service: Callable[..., Any], done: str, form_name: str) -> HttpResponse:
        """The PMO's decision on a submitted report, with the comment the form carries."""
        if not self.can(ProjectAction.STATUS_REPORT_REVIEW):
            raise PermissionDenied
        status = 400
        if form.is_valid():
            report, status = self.attempt(
                lambda: service(
                    actor=self.actor,
                    membership=self.membership,
                    report=self.status_report,
                    comment=form.cleaned_data["comment"],
                ),
                form,
            )
            if report is not None:
                return self._done(done)
        return self.render_to_response(self.get_context_data(**{form_name: form}), status=status)


# --- change requests --------------------------------------------------------------------


class StatusReportPdfView(StatusReportDetailView):
    """The report printed (``projects.reports``): whoever sees the report's page may download it."""

    is_download = True

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        content, filename = reports.status_report_pdf(self.status_report)
        return pdf_response(content, filename)


class ChangeRequestListView(ControlFormPage):
    template_name = "projects/control/change_request_list.html"
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.CHANGE_REQUEST_CREATE
    operations = {"create": "create"}
    tab = "changes"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        queryset = (
            ChangeRequest.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("requested_by")
            .order_by("-number")
        )
        filterset = ChangeRequestFilter(self.request.GET, queryset=queryset)
        context["filter"] = filterset
        context["page"] = paginate(self.request, filterset.qs if filterset.is_valid() else queryset.none())
        if self.can(ProjectAction.CHANGE_REQUEST_CREATE) and self.project.is_open:
            context["create_form"] = kwargs.get("create_form") or ChangeRequestForm(project=self.project)
        return context

    def create(self, request: HttpRequest) -> HttpResponse:
        form = ChangeRequestForm(request.POST, project=self.project)
        status = 400
        if form.is_valid():
            change_request, status = self.attempt(
                lambda: control.change_request_create(
                    actor=self.actor,
                    project=self.project,
                    title=form.cleaned_data["title"],
                    kind=form.cleaned_data["kind"],
                    description=form.cleaned_data["description"],
                    reason=form.cleaned_data["reason"],
                    impact_days=form.cleaned_data["impact_days"],
                    impact_cost=form.cleaned_data["impact_cost"],
                    affected=list(form.cleaned_data["affected"]),
                ),
                form,
            )
            if change_request is not None:
                messages.success(request, _("%(change)s was raised as a draft.") % {"change": change_request})
                return redirect(
                    "project-change-request",
                    org_slug=self.organization.slug,
                    project_id=self.project.pk,
                    pk=change_request.pk,
                )
        return self.render_to_response(self.get_context_data(create_form=form), status=status)


class ChangeRequestDetailView(ControlFormPage):
    template_name = "projects/control/change_request_detail.html"
    model = ChangeRequest
    read_action = ProjectAction.PROJECT_VIEW
    # Who decides depends on the change's size: the service applies those rules, and each
    # operation below asks for its own action.
    write_action = ProjectAction.PROJECT_VIEW
    operations = {
        "save": "save",
        "submit": "submit",
        "approve": "approve",
        "reject": "reject",
        "implement": "implement",
    }
    tab = "changes"
    change_request: ChangeRequest

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.change_request = get_object_or_404(
            ChangeRequest.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("requested_by", "decided_by"),
            pk=url_kwargs["pk"],
        )
        self.change_request.project = self.project

    def _require(self, action: ProjectAction) -> None:
        if not self.can(action):
            raise PermissionDenied

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        change_request = self.change_request
        status = change_request.status
        links = (
            ChangeRequestElement.objects.for_organization(self.organization)
            .filter(change_request=change_request)
            .select_related("element")
            .order_by("element__code")
        )
        rules = project_settings(self.organization)
        who: dict[str, Any] = {
            "membership": self.membership,
            "project_role": self.project_role,
            "change_request": change_request,
        }
        may_edit = self.can(ProjectAction.CHANGE_REQUEST_CREATE) and control.change_request_may_edit(**who)
        context["change_request"] = change_request
        context["affected"] = [link.element for link in links]
        context["rule"] = control.change_request_decision_rule(change_request, rules)
        context["rules"] = rules
        context["history"] = history_rows(
            control_reads.change_request_history(self.organization.pk, [change_request])[change_request.pk]
        )
        context["baseline"] = control_reads.change_request_baselines(self.organization.pk, [change_request]).get(
            change_request.pk
        )
        context["is_requester"] = change_request.requested_by_id == self.membership.user_id
        context["can_edit"] = status == ChangeRequest.Status.DRAFT and may_edit
        context["can_submit"] = context["can_edit"]
        context["can_decide"] = status == ChangeRequest.Status.SUBMITTED and control.change_request_may_decide(
            **who, rules=rules
        )
        context["can_implement"] = status == ChangeRequest.Status.APPROVED and self.can(ProjectAction.PROJECT_MANAGE)
        if context["can_edit"]:
            context["form"] = kwargs.get("form") or self.with_version(
                ChangeRequestForm(
                    project=self.project,
                    initial={
                        **{field: getattr(change_request, field) for field in control.CHANGE_FIELDS},
                        "affected": [element.pk for element in context["affected"]],
                    },
                ),
                change_request,
            )
        if context["can_decide"]:
            context["decision_form"] = kwargs.get("decision_form") or CommentForm()
        if context["can_implement"]:
            context["baseline_name"] = control.change_request_baseline_name(change_request)
            context["implement_form"] = kwargs.get("implement_form") or ImplementForm()
        return context

    def _done(self, message: str) -> HttpResponse:
        messages.success(self.request, message)
        return redirect(
            "project-change-request",
            org_slug=self.organization.slug,
            project_id=self.project.pk,
            pk=self.change_request.pk,
        )

    def _who(self) -> dict[str, Any]:
        return {"actor": self.actor, "membership": self.membership, "project_role": self.project_role}

    def save(self, request: HttpRequest) -> HttpResponse:
        self._require(ProjectAction.CHANGE_REQUEST_CREATE)
        form = self.with_version(ChangeRequestForm(request.POST, project=self.project), self.change_request)
        status = 400
        if form.is_valid():
            fields = {**form.cleaned_data, "affected": list(form.cleaned_data["affected"])}
            change_request, status = self.attempt(
                lambda: control.change_request_update(**self._who(), change_request=self.change_request, **fields),
                form,
                edited=self.change_request,
            )
            if change_request is not None:
                return self._done(_("Change request saved."))
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def submit(self, request: HttpRequest) -> HttpResponse:
        self._require(ProjectAction.CHANGE_REQUEST_CREATE)
        change_request, status = self.attempt(
            lambda: control.change_request_submit(**self._who(), change_request=self.change_request)
        )
        if change_request is not None:
            return self._done(_("Change request submitted for decision."))
        return self.render_to_response(self.get_context_data(), status=status)

    def _decide(self, request: HttpRequest, approve: bool) -> HttpResponse:
        form = CommentForm(request.POST)
        status = 400
        if form.is_valid():
            service = control.change_request_approve if approve else control.change_request_reject
            change_request, status = self.attempt(
                lambda: service(
                    **self._who(), change_request=self.change_request, comment=form.cleaned_data["comment"]
                ),
                form,
            )
            if change_request is not None:
                return self._done(_("Change request approved.") if approve else _("Change request rejected."))
        return self.render_to_response(self.get_context_data(decision_form=form), status=status)

    def approve(self, request: HttpRequest) -> HttpResponse:
        return self._decide(request, approve=True)

    def reject(self, request: HttpRequest) -> HttpResponse:
        return self._decide(request, approve=False)

    def implement(self, request: HttpRequest) -> HttpResponse:
        self._require(ProjectAction.PROJECT_MANAGE)
        form = ImplementForm(request.POST)
        status = 400
        if form.is_valid():
            change_request, status = self.attempt(
                lambda: control.change_request_implement(
                    actor=self.actor,
                    change_request=self.change_request,
                    create_baseline=form.cleaned_data["create_baseline"],
                ),
                form,
            )
            if change_request is not None:
                return self._done(_("Change request implemented."))
        return self.render_to_response(self.get_context_data(implement_form=form), status=status)


class ChangeLogView(ControlPage):
    """Every change request of the project with its decision and its history."""

    template_name = "projects/control/change_log.html"
    read_action = ProjectAction.PROJECT_VIEW
    tab = "changelog"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        queryset = (
            ChangeRequest.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("requested_by", "decided_by")
            .order_by("-number")
        )
        page = paginate(self.request, queryset)
        change_requests = list(page.object_list)
        history = control_reads.change_request_history(self.organization.pk, change_requests)
        baselines = control_reads.change_request_baselines(self.organization.pk, change_requests)
        context["page"] = page
        context["rows"] = [
            (change_request, history_rows(history[change_request.pk]), baselines.get(change_request.pk))
            for change_request in change_requests
        ]
        return context
