"""Work-order pages: the list (filters, SLA due with overdue / due in), reporting a request, and one
work order's page with its SLA clock, actions for who may take them, history and photos."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenance import judging, reports
from maintenance.forms_work_orders import (
    DEFAULT_ORDERING,
    ME,
    ORDERINGS,
    SORTABLE,
    AssignForm,
    CancelForm,
    CompleteForm,
    HoldForm,
    NoteForm,
    PriorityForm,
    RequestForm,
    VerifyForm,
    WorkOrderFilter,
    member_label,
    ordering_of,
)
from maintenance.models import (
    Asset,
    AssetReading,
    Contractor,
    CriterionKind,
    CriterionVersion,
    Priority,
    Site,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderPause,
    WorkOrderStatus,
)
from maintenance.permissions import MaintenanceAction, may_inspect
from maintenance.services import work_orders as services
from maintenance.services.settings import hold_reasons_for
from maintenance.views.base import MaintenancePage
from maintenance.visibility import ClockState, clock_state, may_work, visible_work_orders
from pmo.models import Membership, OrgRole, User
from pmo.pdf import pdf_response
from pmo.views import paginate
from projects.views.portfolio import sort_links

S = WorkOrderStatus
STATUS_BADGES: dict[str, str] = {
    S.OPEN: "badge-blue",
    S.ASSIGNED: "badge-blue",
    S.IN_PROGRESS: "badge-amber",
    S.ON_HOLD: "badge-grey",
    S.COMPLETED: "badge-teal",
    S.VERIFIED: "badge-teal",
    S.CLOSED: "badge-green",
    S.CANCELLED: "badge-grey",
}
PRIORITY_BADGES: dict[str, str] = {
    Priority.P1: "badge-red",
    Priority.P2: "badge-amber",
    Priority.P3: "badge-blue",
    Priority.P4: "badge-grey",
}
STEPS = (S.OPEN, S.ASSIGNED, S.IN_PROGRESS, S.COMPLETED, S.VERIFIED, S.CLOSED)
NOT_FILTERS = frozenset({"page", "ordering"})
MAIN_FILTERS = ("q", "status", "priority", "overdue", "assignee")


def span(delta: dt.timedelta) -> str:
    """A duration as people say it: "3 d 4 h", "5 h 10 min", "12 min"."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}


def due_text(state: ClockState) -> tuple[str, str]:
    """What the SLA column says and its badge: overdue by, due in, paused, met or missed."""
    if state.paused:
        return _("clock paused"), "badge-grey"
    if state.remaining is not None:
        if state.remaining < dt.timedelta(0):
            return _("overdue by %(span)s") % {"span": span(state.remaining)}, "badge-red"
        soon = state.remaining < dt.timedelta(hours=8)
        return _("due in %(span)s") % {"span": span(state.remaining)}, "badge-amber" if soon else "badge-green"
    if state.resolved:
        return (_("resolved late"), "badge-red") if state.resolution_late else (_("resolved in time"), "badge-green")
    return "", ""


def stepper(work_order: WorkOrder) -> list[dict[str, Any]]:
    status = work_order.status
    if status == S.CANCELLED:
        return [{"label": S.CANCELLED.label, "state": "cancelled"}]
    current = S.IN_PROGRESS if status == S.ON_HOLD else status
    index = STEPS.index(S(current))
    closed = status == S.CLOSED
    return [
        {
            "label": (S.ON_HOLD.label if step == S.IN_PROGRESS and status == S.ON_HOLD else S(step).label),
            "state": "done" if position < index or closed else "current" if position == index else "todo",
        }
        for position, step in enumerate(STEPS)
    ]


def workers(organization: Any) -> list[User]:
    """The members who may be assigned work: everyone but the viewers."""
    doers = Membership.objects.for_organization(organization).exclude(role=OrgRole.VIEWER).values("user_id")
    return list(User.objects.filter(pk__in=doers, is_active=True).order_by("display_name", "username"))


class WorkOrderListView(MaintenancePage):
    """Every work order the member may see: filters, sorting, pages; a fixed number of queries."""

    template_name = "maintenance/work_orders.html"
    section = "work_orders"

    def work_orders(self) -> QuerySet[WorkOrder]:
        return visible_work_orders(self.membership).select_related(
            "asset", "site", "contractor", "assignee", "hold_reason"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        ordering = ordering_of(self.request.GET.get("ordering"))
        filterset = WorkOrderFilter(
            self.request.GET, queryset=self.work_orders().order_by(*ORDERINGS[ordering]), request=self.request
        )
        filterset.form.fields["assignee"].widget = forms.Select(
            choices=[
                ("", _("Anyone")),
                (ME, _("Me")),
                *((str(user.pk), member_label(user)) for user in workers(self.organization)),
            ]
        )
        filterset.form.fields["assignee"].help_text = ""
        page = paginate(self.request, filterset.qs if filterset.is_valid() else filterset.queryset.none())
        rows = []
        for work_order in page.object_list:
            state = clock_state(work_order, now)
            text, badge = due_text(state)
            rows.append(
                {
                    "wo": work_order,
                    "url": reverse("org-maintenance-work-order", args=[self.organization.slug, work_order.pk]),
                    "status_badge": STATUS_BADGES.get(work_order.status, "badge-grey"),
                    "priority_badge": PRIORITY_BADGES.get(work_order.priority, "badge-grey"),
                    "clock": state,
                    "due_text": text,
                    "due_badge": badge,
                }
            )
        filtered = any(value for key, value in self.request.GET.items() if key not in NOT_FILTERS)
        context.update(
            filter=filterset,
            main_filters=[field for field in filterset.form if field.name in MAIN_FILTERS],
            more_filters=[field for field in filterset.form if field.name not in MAIN_FILTERS],
            more_open=any(
                self.request.GET.get(field.name) for field in filterset.form if field.name not in MAIN_FILTERS
            ),
            page=page,
            rows=rows,
            filtered=filtered,
            list_url=reverse("org-maintenance-work-orders", args=[self.organization.slug]),
            mine_url=reverse("org-maintenance-work-orders", args=[self.organization.slug])
            + "?assignee=me&status=any_open",
            sort=sort_links(ordering, SORTABLE),
            ordering=self.request.GET.get("ordering", "") if ordering != DEFAULT_ORDERING else "",
            may_report=self.can(MaintenanceAction.REPORT),
        )
        return context


class WorkOrderRequestView(MaintenancePage):
    """Report a request for maintenance: anyone but a viewer, for themselves or an outside caller."""

    template_name = "maintenance/work_order_request.html"
    section = "work_orders"
    read_action = MaintenanceAction.REPORT
    write_action = MaintenanceAction.REPORT

    def form(self, data: Any = None) -> RequestForm:
        form = RequestForm(data)
        assets = list(Asset.objects.for_organization(self.organization).filter(status="active").order_by("code")[:2000])
        form.set_rows("asset", assets, lambda asset: f"{asset.code} {asset.name}")
        form.set_rows("site", list(Site.objects.for_organization(self.organization).order_by("code")))
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            form=kwargs.get("form") or self.form(),
            list_url=reverse("org-maintenance-work-orders", args=[self.organization.slug]),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form(request.POST)
        status = 400
        if form.is_valid():
            work_order, status = self.attempt(
                lambda: services.work_order_request(
                    actor=self.actor, organization=self.organization, **form.cleaned_data
                ),
                form,
            )
            if work_order is not None:
                messages.success(request, _("%(reference)s reported.") % {"reference": work_order.reference})
                return redirect(reverse("org-maintenance-work-order", args=[self.organization.slug, work_order.pk]))
        return self.render_page(status, form=form)


class WorkOrderDetailView(MaintenancePage):
    """One work order: what and where, the SLA clock, the actions the member may take, the history,
    the verification readings and the photos."""

    template_name = "maintenance/work_order.html"
    section = "work_orders"
    model = WorkOrder
    # Each operation checks its own rule (the assignee works, inspectors verify, the office dispatches).
    write_action = MaintenanceAction.VIEW
    operations: dict[str, str] = {
        "assign": "assign",
        "start": "start",
        "hold": "hold",
        "resume": "resume",
        "complete": "complete",
        "verify": "verify",
        "close": "close",
        "cancel": "cancel",
        "priority": "priority",
    }
    work_order: WorkOrder

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.work_order = get_object_or_404(
            visible_work_orders(self.membership).select_related(
                "asset",
                "asset__category",
                "site",
                "contractor",
                "assignee",
                "reported_by",
                "hold_reason",
                "criterion",
                "origin_project",
                "defect",
            ),
            pk=url_kwargs["pk"],
        )
        self.work_order.organization = self.organization

    # --- who may do what ---------------------------------------------------------------------

    def may_manage(self) -> bool:
        return self.can(MaintenanceAction.MANAGE)

    def may_work(self) -> bool:
        if not hasattr(self, "_may_work"):
            self._may_work = may_work(self.membership, self.work_order)
        return self._may_work

    def may_verify(self) -> bool:
        if not hasattr(self, "_may_verify"):
            self._may_verify = may_inspect(self.membership)
        return self._may_verify

    def allowed(self, op: str) -> bool:
        status = self.work_order.status
        if op in ("assign", "priority"):
            return self.may_manage() and status in (S.OPEN, S.ASSIGNED, S.IN_PROGRESS, S.ON_HOLD)
        if op == "close":
            return self.may_manage() and status == S.VERIFIED
        if op == "cancel":
            return self.may_manage() and status not in (S.CLOSED, S.CANCELLED)
        if op == "start":
            return self.may_work() and status == S.ASSIGNED
        if op == "hold":
            return self.may_work() and status in (S.ASSIGNED, S.IN_PROGRESS)
        if op == "resume":
            return self.may_work() and status == S.ON_HOLD
        if op == "complete":
            return self.may_work() and status == S.IN_PROGRESS
        if op == "verify":
            return self.may_verify() and status == S.COMPLETED
        return False

    # --- forms -------------------------------------------------------------------------------

    def assign_form(self, data: Any = None) -> AssignForm:
        work_order = self.work_order
        form = AssignForm(data, initial={"assignee": work_order.assignee_id, "contractor": work_order.contractor_id})
        form.set_rows("assignee", workers(self.organization), member_label)
        form.set_rows(
            "contractor",
            list(Contractor.objects.for_organization(self.organization).filter(is_active=True).order_by("name")),
        )
        return form

    def hold_form(self, data: Any = None) -> HoldForm:
        form = HoldForm(data)
        form.set_rows("reason", hold_reasons_for(self.organization), lambda reason: reason.name)
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        work_order = self.work_order
        now = timezone.now()
        history = list(
            WorkOrderEvent.objects.for_organization(self.organization)
            .filter(work_order=work_order)
            .select_related("actor")
            .order_by("at", "id")
        )
        pauses = list(
            WorkOrderPause.objects.for_organization(self.organization)
            .filter(work_order=work_order)
            .select_related("reason")
            .order_by("started_at")
        )
        readings = list(
            AssetReading.objects.for_organization(self.organization)
            .filter(verifies=work_order)
            .select_related("criterion_version", "taken_by")
            .order_by("taken_at")
        )
        state = clock_state(work_order, now)
        text, badge = due_text(state)
        context.update(
            wo=work_order,
            steps=stepper(work_order),
            status_badge=STATUS_BADGES.get(work_order.status, "badge-grey"),
            priority_badge=PRIORITY_BADGES.get(work_order.priority, "badge-grey"),
            clock=state,
            due_text=text,
            due_badge=badge,
            history=history,
            pauses=pauses,
            readings=readings,
            list_url=reverse("org-maintenance-work-orders", args=[self.organization.slug]),
            asset_url=self._asset_url(),
        )
        forms: dict[str, Any] = {
            "assign": lambda: self.assign_form(),
            "start": lambda: NoteForm(),
            "hold": lambda: self.hold_form(),
            "resume": lambda: NoteForm(),
            "complete": lambda: CompleteForm(),
            "verify": lambda: VerifyForm(),
            "close": lambda: NoteForm(),
            "cancel": lambda: CancelForm(),
            "priority": lambda: PriorityForm(initial={"priority": work_order.priority}),
        }
        context["ops"] = {op: kwargs.get(f"{op}_form") or make() for op, make in forms.items() if self.allowed(op)}
        version = (
            CriterionVersion.objects.for_organization(self.organization)
            .filter(criterion_id=work_order.criterion_id, is_current=True)
            .first()
            if work_order.criterion_id is not None
            else None
        )
        context.update(
            version=version,
            rule=judging.rule_text(version) if version is not None else "",
            needs_reading=version is not None and work_order.asset_id is not None,
            compound=version is not None and version.kind == CriterionKind.COMPOUND,
            percentage=version is not None and version.kind == CriterionKind.PERCENTAGE,
        )
        return context

    def _asset_url(self) -> str | None:
        if self.work_order.asset_id is None:
            return None
        try:
            return reverse("org-maintenance-asset", args=[self.organization.slug, self.work_order.asset_id])
        except NoReverseMatch:
            return None

    # --- operations --------------------------------------------------------------------------

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        op = request.POST.get("op", "")
        if op not in self.operations:
            messages.error(request, _("Unknown action."))
            return self.render_page(400)
        if not self.allowed(op):
            if op in ("start", "hold", "resume", "complete") and not self.may_work():
                raise PermissionDenied
            if op in ("assign", "priority", "close", "cancel") and not self.may_manage():
                raise PermissionDenied
            if op == "verify" and not self.may_verify():
                raise PermissionDenied
        response: HttpResponse = getattr(self, op)(request)
        return response

    def _done(self, message: str) -> HttpResponse:
        messages.success(self.request, message)
        return redirect(reverse("org-maintenance-work-order", args=[self.organization.slug, self.work_order.pk]))

    def _run(self, op: str, form: Any, call: Any, message: str) -> HttpResponse:
        status = 400
        if form.is_valid():
            result, status = self.attempt(lambda: call(form.cleaned_data), form)
            if result is not None:
                return self._done(message)
        return self.render_page(status, **{f"{op}_form": form})

    def assign(self, request: HttpRequest) -> HttpResponse:
        return self._run(
            "assign",
            self.assign_form(request.POST),
            lambda data: services.work_order_assign(actor=self.actor, work_order=self.work_order, **data),
            _("%(reference)s assigned.") % {"reference": self.work_order.reference},
        )

    def start(self, request: HttpRequest) -> HttpResponse:
        return self._run(
            "start",
            NoteForm(request.POST),
            lambda data: services.work_order_start(actor=self.actor, work_order=self.work_order, **data),
            _("Work started."),
        )

    def hold(self, request: HttpRequest) -> HttpResponse:
        return self._run(
            "hold",
            self.hold_form(request.POST),
            lambda data: services.work_order_hold(actor=self.actor, work_order=self.work_order, **data),
            _("%(reference)s is on hold.") % {"reference": self.work_order.reference},
        )

    def resume(self, request: HttpRequest) -> HttpResponse:
        return self._run(
            "resume",
            NoteForm(request.POST),
            lambda data: services.work_order_resume(actor=self.actor, work_order=self.work_order, **data),
            _("Work resumed."),
        )

    def complete(self, request: HttpRequest) -> HttpResponse:
        return self._run(
            "complete",
            CompleteForm(request.POST),
            lambda data: services.work_order_complete(actor=self.actor, work_order=self.work_order, **data),
            _("%(reference)s completed: an inspector verifies it next.") % {"reference": self.work_order.reference},
        )

    def verify(self, request: HttpRequest) -> HttpResponse:
        form = VerifyForm(request.POST)
        status = 400
        if form.is_valid():
            result, status = self.attempt(
                lambda: services.work_order_verify(actor=self.actor, work_order=self.work_order, **form.cleaned_data),
                form,
            )
            if result is not None:
                verified, _reading = result
                if verified.status == S.VERIFIED:
                    return self._done(
                        _("The repair passed: %(reference)s verified.") % {"reference": verified.reference}
                    )
                messages.warning(request, _("The new reading fails the standard: the work order is back in progress."))
                return redirect(reverse("org-maintenance-work-order", args=[self.organization.slug, verified.pk]))
        return self.render_page(status, verify_form=form)

    def close(self, request: HttpRequest) -> HttpResponse:
        return self._run(
            "close",
            NoteForm(request.POST),
            lambda data: services.work_order_close(actor=self.actor, work_order=self.work_order, **data),
            _("%(reference)s closed.") % {"reference": self.work_order.reference},
        )

    def cancel(self, request: HttpRequest) -> HttpResponse:
        return self._run(
            "cancel",
            CancelForm(request.POST),
            lambda data: services.work_order_cancel(actor=self.actor, work_order=self.work_order, **data),
            _("%(reference)s cancelled.") % {"reference": self.work_order.reference},
        )

    def priority(self, request: HttpRequest) -> HttpResponse:
        return self._run(
            "priority",
            PriorityForm(request.POST),
            lambda data: services.work_order_set_priority(actor=self.actor, work_order=self.work_order, **data),
            _("Priority changed; the deadlines follow it."),
        )


class WorkOrderPdfView(WorkOrderDetailView):
    """The work-order sheet printed (``maintenance.reports``), for whoever sees the work order."""

    is_download = True

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        content, filename = reports.work_order_pdf(self.work_order)
        return pdf_response(content, filename)
