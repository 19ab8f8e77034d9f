"""Timesheet pages: my week (a grid of lines by days, a stack of cards on a phone), the lines waiting
for my decision (the organisation's and a project's), and a project's actual work against assigned work."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from finance.services.period_lock import locked_through
from pmo.errors import ApplicationError
from pmo.views import paginate
from resources.forms_timesheets import CorrectionForm, DecisionForm, TimesheetLineForm
from resources.models import DAY_FIELDS, LineStatus, Resource, Timesheet, TimesheetLine
from resources.permissions import ResourceAction
from resources.services import timesheets as services
from resources.timesheet_selectors import (
    actual_work,
    approvable_lines,
    approval_groups,
    week_grid,
    work_by_resource,
    work_by_task,
)
from resources.views.base import InProject, ResourcesPage

APPROVALS_PER_PAGE = 50
STATUS_BADGES = {
    LineStatus.DRAFT: "badge-grey",
    LineStatus.SUBMITTED: "badge-amber",
    LineStatus.APPROVED: "badge-green",
    LineStatus.REJECTED: "badge-red",
    LineStatus.REVERSED: "badge-grey",
}
TIMESHEET_BADGES = {
    "draft": "badge-grey",
    "submitted": "badge-blue",
    "returned": "badge-red",
    "approved": "badge-green",
}


def parse_week(raw: str | None, today: dt.date) -> dt.date:
    """The Monday of the week a ``?week=`` date falls in; this week when missing or not a date."""
    try:
        day = dt.date.fromisoformat(raw or "")
    except ValueError:
        day = today
    return services.week_start_of(day)


class TimesheetView(ResourcesPage):
    """My timesheet of a week: edit the draft and rejected lines, add one, submit, correct approved ones."""

    template_name = "resources/timesheets/timesheet.html"
    section = "timesheet"
    write_action = ResourceAction.TIMESHEET_KEEP
    operations = {"add": "add_line", "save": "save", "submit": "submit", "remove": "remove", "correct": "correct"}

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.resource: Resource | None = services.person_resource(self.organization, self.request.user)  # type: ignore[arg-type]
        today = self.organization.today()
        self.week_start = parse_week(self.request.GET.get("week") or self.request.POST.get("week"), today)
        self.timesheet: Timesheet | None = None
        if self.resource is not None:
            self.timesheet = (
                Timesheet.objects.for_organization(self.organization)
                .filter(resource=self.resource, week_start=self.week_start)
                .select_related("resource")
                .first()
            )

    def page_url(self) -> str:
        url = reverse("org-timesheet", kwargs={"org_slug": self.organization.slug})
        return f"{url}?{urlencode({'week': self.week_start.isoformat()})}"

    def week_url(self, week_start: dt.date) -> str:
        url = reverse("org-timesheet", kwargs={"org_slug": self.organization.slug})
        return f"{url}?{urlencode({'week': week_start.isoformat()})}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        grid = week_grid(self.timesheet, self.week_start)
        posted: dict[str, str] = kwargs.get("posted") or {}
        rows = []
        for line in grid.lines:
            editable = line.status in services.OPEN_LINE_STATUSES
            cells = []
            for index, (name, day) in enumerate(zip(DAY_FIELDS, grid.days, strict=True)):
                value = line.day_hours()[index]
                key = f"h-{line.pk}-{index}"
                cells.append(
                    {
                        "name": key,
                        "day": day,
                        "field": name,
                        "value": posted.get(key, _plain(value)),
                        "hours": value,
                    }
                )
            rows.append(
                {
                    "line": line,
                    "label": services.line_label(line),
                    "editable": editable,
                    "cells": cells,
                    "note": posted.get(f"n-{line.pk}", line.note),
                    "badge": STATUS_BADGES.get(LineStatus(line.status), "badge-grey"),
                    "correctable": line.status == LineStatus.APPROVED
                    and line.reverses_id is None
                    and not getattr(line, "is_corrected", False),
                }
            )
        days = [{"date": day, "total": total} for day, total in zip(grid.days, grid.day_totals, strict=True)]
        context.update(
            resource=self.resource,
            timesheet=self.timesheet,
            week_start=self.week_start,
            week_end=self.week_start + dt.timedelta(days=6),
            week_label=services.week_label(self.week_start),
            previous_url=self.week_url(self.week_start - dt.timedelta(days=7)),
            next_url=self.week_url(self.week_start + dt.timedelta(days=7)),
            this_week_url=self.week_url(services.week_start_of(self.organization.today())),
            days=days,
            rows=rows,
            total=grid.total,
            timesheet_badge=TIMESHEET_BADGES.get(self.timesheet.status if self.timesheet else "draft"),
            has_open_lines=any(row["editable"] for row in rows),
            may_keep=self.resource is not None and self.can(ResourceAction.TIMESHEET_KEEP),
            locked_through=locked_through(self.organization.pk),
            correcting=kwargs.get("correcting") or _number(self.request.GET.get("correct")),
        )
        if context["may_keep"] and self.resource is not None:
            context["line_form"] = kwargs.get("line_form") or TimesheetLineForm(
                days=grid.days, tasks=services.timesheet_tasks(self.resource)
            )
            context["correction_form"] = kwargs.get("correction_form")
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        op = request.POST.get("op", "")
        if op.startswith("remove-"):
            op, self.chosen_line = "remove", op.removeprefix("remove-")
        handler = self.operations.get(op)
        if handler is None:
            messages.error(request, _("Unknown action."))
            return self.render_page(status=400)
        if self.resource is None:
            messages.error(
                request, _("You are not a resource of the organisation yet: the resource office links you to one.")
            )
            return self.render_page(status=400)
        response: HttpResponse = getattr(self, handler)(request)
        return response

    def _timesheet(self) -> Timesheet:
        assert self.resource is not None
        if self.timesheet is None:
            self.timesheet = services.timesheet_for(
                actor=self.actor, resource=self.resource, week_start=self.week_start
            )
            self.timesheet.resource = self.resource
        return self.timesheet

    def _line(self, request: HttpRequest) -> TimesheetLine | None:
        raw = getattr(self, "chosen_line", None) or request.POST.get("line", "")
        if self.timesheet is None or not raw.isdigit():
            return None
        return (
            TimesheetLine.objects.for_organization(self.organization)
            .filter(timesheet=self.timesheet, pk=int(raw))
            .select_related("timesheet__resource", "project", "task")
            .first()
        )

    def add_line(self, request: HttpRequest) -> HttpResponse:
        assert self.resource is not None
        form = TimesheetLineForm(
            request.POST, days=services.week_days(self.week_start), tasks=services.timesheet_tasks(self.resource)
        )
        status = 400
        if form.is_valid():

            def add() -> TimesheetLine:
                with transaction.atomic():
                    return services.timesheet_line_add(
                        actor=self.actor,
                        timesheet=self._timesheet(),
                        category=form.cleaned_data["category"],
                        task=form.cleaned_data["task"],
                        hours=form.hours(),
                        note=form.cleaned_data["note"],
                    )

            line, status = self.attempt(add, form)
            if line is not None:
                messages.success(request, _("Line added: %(line)s.") % {"line": services.line_label(line)})
                return HttpResponseRedirect(self.page_url())
            self.resolve_scope()
        return self.render_page(status=status, line_form=form)

    def _save_grid(self, request: HttpRequest) -> int:
        """Save every editable line whose hours or note changed; how many."""
        if self.timesheet is None:
            return 0
        saved = 0
        for line in TimesheetLine.objects.for_organization(self.organization).filter(
            timesheet=self.timesheet, status__in=list(services.OPEN_LINE_STATUSES)
        ):
            if f"h-{line.pk}-0" not in request.POST:
                continue
            hours = [request.POST.get(f"h-{line.pk}-{index}", "") for index in range(len(DAY_FIELDS))]
            note = request.POST.get(f"n-{line.pk}")
            line.timesheet = self.timesheet
            before = (line.day_hours(), line.note)
            updated = services.timesheet_line_update(actor=self.actor, line=line, hours=hours, note=note)
            if (updated.day_hours(), updated.note) != before:
                saved += 1
        return saved

    def _posted(self, request: HttpRequest) -> dict[str, str]:
        return {key: str(request.POST.get(key, "")) for key in request.POST if key.startswith(("h-", "n-"))}

    def save(self, request: HttpRequest) -> HttpResponse:
        try:
            with transaction.atomic():
                saved = self._save_grid(request)
        except ApplicationError as error:
            messages.error(request, error.message)
            return self.render_page(status=error.status_code, posted=self._posted(request))
        messages.success(request, _("Hours saved.") if saved else _("Nothing changed."))
        return HttpResponseRedirect(self.page_url())

    def submit(self, request: HttpRequest) -> HttpResponse:
        try:
            with transaction.atomic():
                self._save_grid(request)
                if self.timesheet is None:
                    raise ApplicationError(
                        _("Add a line with your hours before submitting the week."), code="empty_timesheet"
                    )
                services.timesheet_submit(actor=self.actor, timesheet=self.timesheet)
        except ApplicationError as error:
            messages.error(request, error.message)
            return self.render_page(status=error.status_code, posted=self._posted(request))
        messages.success(
            request, _("Week %(week)s submitted for approval.") % {"week": services.week_label(self.week_start)}
        )
        return HttpResponseRedirect(self.page_url())

    def remove(self, request: HttpRequest) -> HttpResponse:
        line = self._line(request)
        if line is None:
            messages.error(request, _("That line is not on this timesheet."))
            return self.render_page(status=400)
        label = services.line_label(line)
        _removed, status = self.attempt(lambda: services.timesheet_line_remove(actor=self.actor, line=line))
        if status == 200:
            messages.success(request, _("Line removed: %(line)s.") % {"line": label})
            return HttpResponseRedirect(self.page_url())
        return self.render_page(status=status)

    def correct(self, request: HttpRequest) -> HttpResponse:
        line = self._line(request)
        if line is None:
            messages.error(request, _("That line is not on this timesheet."))
            return self.render_page(status=400)
        form = CorrectionForm(request.POST, prefix=f"c{line.pk}", days=services.week_days(self.week_start))
        status = 400
        if form.is_valid():
            result, status = self.attempt(
                lambda: services.timesheet_line_correct(
                    actor=self.actor, line=line, hours=form.hours(), reason=form.cleaned_data["reason"]
                ),
                form,
            )
            if result is not None:
                messages.success(
                    request,
                    _("%(line)s corrected: the approved hours are reversed; submit the new line.")
                    % {"line": services.line_label(line)},
                )
                return HttpResponseRedirect(self.page_url())
        return self.render_page(status=status, correction_form=form, correcting=line.pk)


def _number(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 19 else None


def _plain(value: Any) -> str:
    return "" if not value else format(value.normalize(), "f")


class ApprovalsMixin:
    """Lines waiting for the reader's decision, grouped by person and week, decided one by one or in bulk."""

    request: HttpRequest
    membership: Any
    organization: Any

    def waiting(self) -> Any:
        lines = approvable_lines(self.membership)
        project = getattr(self, "project", None)
        if project is not None:
            lines = lines.filter(project=project)
        return lines

    def approvals_context(self) -> dict[str, Any]:
        page = paginate(
            self.request,
            self.waiting().select_related("timesheet__resource", "project", "task"),
            per_page=APPROVALS_PER_PAGE,
        )
        return {
            "page": page,
            "groups": approval_groups(list(page.object_list)),
            "decision_form": DecisionForm(),
            "day_fields": DAY_FIELDS,
        }

    def decide(self, request: HttpRequest, back: str) -> HttpResponse:
        view: Any = self
        single = request.POST.get("approve_line") or request.POST.get("reject_line")
        if single:
            ids = [single]
            approve = bool(request.POST.get("approve_line"))
        else:
            ids = request.POST.getlist("line")
            approve = request.POST.get("decision") == "approve"
        chosen = sorted({int(raw) for raw in ids if raw.isdigit() and len(raw) < 19})
        if not chosen:
            messages.error(request, _("Choose the lines to decide on."))
            return view.render_page(status=400)
        lines = list(self.waiting().filter(pk__in=chosen))
        if len(lines) != len(chosen):
            messages.error(request, _("Some of these lines are no longer waiting for your decision."))
            return view.render_page(status=400)
        form = DecisionForm(request.POST)
        reason = form.data.get("reason", "")
        try:
            decided = services.timesheet_lines_decide(actor=view.actor, lines=lines, approve=approve, reason=reason)
        except ApplicationError as error:
            messages.error(request, error.message)
            return view.render_page(status=error.status_code)
        if approve:
            messages.success(request, _("%(count)s lines approved.") % {"count": len(decided)})
        else:
            messages.success(request, _("%(count)s lines returned to their people.") % {"count": len(decided)})
        return HttpResponseRedirect(back)


class ApprovalsView(ApprovalsMixin, ResourcesPage):
    """Every timesheet line waiting for my decision, across projects."""

    template_name = "resources/timesheets/approvals.html"
    section = "approvals"
    # Anyone may manage a project; each line's decision checks who may take it.
    write_action = ResourceAction.RESOURCES_VIEW

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.approvals_context())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.decide(request, reverse("org-timesheet-approvals", kwargs={"org_slug": self.organization.slug}))


class ProjectApprovalsView(ApprovalsMixin, InProject, ResourcesPage):
    """The project's timesheet lines waiting for a decision, and its actual work against assigned work."""

    template_name = "resources/timesheets/approvals.html"
    section = "approvals"
    read_action = ResourceAction.TIMESHEET_APPROVE
    write_action = ResourceAction.TIMESHEET_APPROVE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.approvals_context())
        context["work_url"] = reverse(
            "project-resource-work", kwargs={"org_slug": self.organization.slug, "project_id": self.project.pk}
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        back = reverse(
            "project-timesheet-approvals", kwargs={"org_slug": self.organization.slug, "project_id": self.project.pk}
        )
        return self.decide(request, back)


class ResourceWorkPage(InProject, ResourcesPage):
    """Approved timesheet hours against assigned work, per task and per person."""

    template_name = "resources/timesheets/work.html"
    section = "work"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = actual_work(self.organization.pk, project_ids=[self.project.pk])
        context.update(
            rows=rows,
            by_task=work_by_task(rows),
            by_resource=work_by_resource(rows),
            may_approve=self.can(ResourceAction.TIMESHEET_APPROVE),
        )
        return context
