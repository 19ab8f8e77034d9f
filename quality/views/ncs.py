"""Non-conformance pages: a project's list and the organisation's, raising one, and one's page with its
lifecycle, corrective actions, verification, rework cost, history and evidence files."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from pmo.models import User
from pmo.views import paginate
from projects.models import WbsElement
from projects.views.portfolio import sort_links
from quality.models import (
    OPEN_NC_STATUSES,
    ActionStatus,
    CorrectiveAction,
    InspectionType,
    NcEvent,
    NcStatus,
    NonConformance,
    PartyKind,
    ReworkCost,
    Severity,
)
from quality.nc_forms import (
    DEFAULT_ORDERING,
    ORDERINGS,
    SORTABLE,
    ActionForm,
    ActionUpdateForm,
    CancelForm,
    NcFilter,
    NcForm,
    OrganizationNcFilter,
    ReworkCostForm,
    RootCauseForm,
    TransitionForm,
    VerifyForm,
    ordering_of,
    organization_members,
)
from quality.nc_permissions import ActionOwnerRule, may_update_action
from quality.permissions import QualityAction
from quality.services import ncs as services
from quality.services.settings import quality_settings_for
from quality.views.base import InProject, QualityPage

SEVERITY_BADGES: dict[str, str] = {
    Severity.MINOR: "badge-grey",
    Severity.MAJOR: "badge-amber",
    Severity.CRITICAL: "badge-red",
}
STATUS_BADGES: dict[str, str] = {
    NcStatus.OPEN: "badge-blue",
    NcStatus.ANALYSIS: "badge-amber",
    NcStatus.ACTION_PLAN: "badge-amber",
    NcStatus.IN_PROGRESS: "badge-amber",
    NcStatus.VERIFICATION: "badge-teal",
    NcStatus.CLOSED: "badge-green",
    NcStatus.CANCELLED: "badge-grey",
}
ACTION_BADGES: dict[str, str] = {
    ActionStatus.OPEN: "badge-blue",
    ActionStatus.IN_PROGRESS: "badge-amber",
    ActionStatus.DONE: "badge-green",
    ActionStatus.CANCELLED: "badge-grey",
}
#: The lifecycle's steps as the stepper shows them.
STEPS = (
    NcStatus.OPEN,
    NcStatus.ANALYSIS,
    NcStatus.ACTION_PLAN,
    NcStatus.IN_PROGRESS,
    NcStatus.VERIFICATION,
    NcStatus.CLOSED,
)
#: Query parameters that do not narrow the list.
NOT_FILTERS = frozenset({"page", "ordering"})
MAIN_FILTERS = ("q", "status", "severity", "overdue", "project")


def _forward(status: str) -> tuple[str, str] | None:
    """The button that moves a non-conformance on from ``status``: (to, label)."""
    steps: dict[str, tuple[str, str]] = {
        NcStatus.OPEN: (NcStatus.ANALYSIS, _("Start the root cause analysis")),
        NcStatus.ANALYSIS: (NcStatus.ACTION_PLAN, _("Plan the actions")),
        NcStatus.ACTION_PLAN: (NcStatus.IN_PROGRESS, _("Start the corrective work")),
        NcStatus.IN_PROGRESS: (NcStatus.VERIFICATION, _("Submit for verification")),
    }
    return steps.get(status)


def _back(status: str) -> tuple[str, str] | None:
    steps: dict[str, tuple[str, str]] = {
        NcStatus.ACTION_PLAN: (NcStatus.ANALYSIS, _("Back to the analysis")),
        NcStatus.IN_PROGRESS: (NcStatus.ACTION_PLAN, _("Back to the action plan")),
    }
    return steps.get(status)


def stepper(nc: NonConformance, history: list[NcEvent]) -> list[dict[str, Any]]:
    """The lifecycle steps with their state: done, current or to do; a cancelled one stops where it was."""
    if nc.status == NcStatus.CANCELLED:
        left = next((event.from_status for event in reversed(history) if event.to_status == NcStatus.CANCELLED), "")
        reached = STEPS.index(NcStatus(left)) if left in STEPS else 0
        steps = [
            {"label": NcStatus(status).label, "state": "done" if index <= reached else "todo"}
            for index, status in enumerate(STEPS)
        ]
        steps.insert(reached + 1, {"label": NcStatus.CANCELLED.label, "state": "cancelled"})
        return steps
    current = STEPS.index(NcStatus(nc.status))
    closed = nc.status == NcStatus.CLOSED
    return [
        {
            "label": NcStatus(status).label,
            "state": "done" if index < current or closed else "current" if index == current else "todo",
        }
        for index, status in enumerate(STEPS)
    ]


class NcListPage(QualityPage):
    """A list of non-conformances: filters, sorting, pages; a fixed number of queries."""

    template_name = "quality/ncs.html"
    section = "ncs"

    def ncs(self) -> QuerySet[NonConformance]:
        ncs = NonConformance.objects.for_organization(self.organization).select_related(
            "project", "responsible_user", "inspection_type"
        )
        if self.in_project():
            ncs = ncs.filter(project=self.project)  # type: ignore[attr-defined]
        return ncs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = self.organization.today()
        ordering = ordering_of(self.request.GET.get("ordering"))
        filter_class = NcFilter if self.in_project() else OrganizationNcFilter
        filterset = filter_class(self.request.GET, queryset=self.ncs().order_by(*ORDERINGS[ordering]))
        page = paginate(self.request, filterset.qs if filterset.is_valid() else filterset.queryset.none())
        rows = []
        for nc in page.object_list:
            nc.organization = self.organization
            rows.append(
                {
                    "nc": nc,
                    "url": reverse("quality-nc", args=[self.organization.slug, nc.project_id, nc.pk]),
                    "severity_badge": SEVERITY_BADGES.get(nc.severity, "badge-grey"),
                    "status_badge": STATUS_BADGES.get(nc.status, "badge-grey"),
                    "overdue": nc.status in OPEN_NC_STATUSES and nc.due_date < today,
                }
            )
        filtered = any(value for key, value in self.request.GET.items() if key not in NOT_FILTERS)
        list_url = (
            reverse("project-quality-ncs", args=[self.organization.slug, self.project.pk])  # type: ignore[attr-defined]
            if self.in_project()
            else reverse("org-quality-ncs", args=[self.organization.slug])
        )
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
            list_url=list_url,
            sort=sort_links(ordering, SORTABLE),
            ordering=self.request.GET.get("ordering", "") if ordering != DEFAULT_ORDERING else "",
            today=today,
            may_raise=self.in_project() and self.can(QualityAction.NC_RAISE) and self.project.is_open,  # type: ignore[attr-defined]
        )
        return context


class ProjectNcListView(InProject, NcListPage):
    """A project's non-conformances."""


class OrganizationNcListView(NcListPage):
    """Every project's non-conformances, for the quality office and the PMO."""


class NcFormsMixin:
    """What the raise and edit forms choose from, read once per request."""

    organization: Any
    project: Any

    def people(self) -> list[User]:
        if not hasattr(self, "_people"):
            self._people = list(organization_members(self.organization))
        return self._people

    def elements(self) -> list[WbsElement]:
        return list(
            WbsElement.objects.for_organization(self.organization).filter(project=self.project).order_by("sort_key")
        )

    def types(self) -> list[InspectionType]:
        return list(InspectionType.objects.for_organization(self.organization).order_by("position", "code"))


class NcCreateView(NcFormsMixin, InProject, QualityPage):
    """Raise a non-conformance directly: anyone on the project; the due date follows the severity."""

    template_name = "quality/nc_form.html"
    section = "ncs"
    read_action = QualityAction.NC_RAISE
    write_action = QualityAction.NC_RAISE

    def due_dates(self) -> dict[str, dt.date]:
        settings = quality_settings_for(self.organization)
        today = self.organization.today()
        return {severity: today + dt.timedelta(days=settings.due_days(severity)) for severity in Severity.values}

    def form(self, data: Any = None) -> NcForm:
        types = self.types()
        initial: dict[str, Any] = {"severity": Severity.MINOR, "due_date": self.due_dates()[Severity.MINOR]}
        quality_type = next((kind for kind in types if kind.code == "quality"), None)
        if quality_type is not None:
            initial["inspection_type"] = quality_type.pk
        return NcForm(
            data,
            initial=initial,
            organization=self.organization,
            people=self.people(),
            types=types,
            elements=self.elements(),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        dates = self.due_dates()
        form = kwargs.get("form") or self.form()
        form.fields["due_date"].widget.attrs.update(
            {f"data-due-{severity}": dates[severity].isoformat() for severity in Severity.values}
        )
        form.fields["due_date"].help_text = _(
            "By severity: critical %(critical)s, major %(major)s, minor %(minor)s. It follows the severity until "
            "you change it."
        ) % {key: value.isoformat() for key, value in dates.items()}
        context.update(
            form=form, list_url=reverse("project-quality-ncs", args=[self.organization.slug, self.project.pk])
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form(request.POST)
        status = 400
        if form.is_valid():
            nc, status = self.attempt(
                lambda: services.nc_raise(actor=self.actor, project=self.project, **form.cleaned_data), form
            )
            if nc is not None:
                messages.success(request, _("%(code)s raised.") % {"code": nc.code})
                return redirect(reverse("quality-nc", args=[self.organization.slug, self.project.pk, nc.pk]))
        return self.render_page(status, form=form)


class NcDetailView(ActionOwnerRule, NcFormsMixin, InProject, QualityPage):
    """One non-conformance: its facts, lifecycle, actions, verification, rework cost, history and files."""

    template_name = "quality/nc_detail.html"
    section = "ncs"
    model = NonConformance
    # Owners of actions report their progress: each operation checks its own rule.
    write_action = QualityAction.NC_RAISE
    operations: dict[str, tuple[str, str | None]] = {
        # op: (handler, the action it needs; None: the handler checks)
        "transition": ("transition", QualityAction.NC_MANAGE),
        "root_cause": ("root_cause", QualityAction.NC_MANAGE),
        "edit": ("edit", QualityAction.NC_MANAGE),
        "verify": ("verify", QualityAction.NC_VERIFY),
        "cancel": ("cancel", QualityAction.NC_MANAGE),
        "action_add": ("action_add", QualityAction.NC_MANAGE),
        "action_update": ("action_update", None),
        "rework": ("rework", QualityAction.NC_MANAGE),
    }
    nc: NonConformance

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.nc = get_object_or_404(
            NonConformance.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related(
                "inspection_type",
                "inspection",
                "wbs_element",
                "responsible_user",
                "raised_by",
                "verified_by",
            ),
            pk=url_kwargs["nc_id"],
        )
        self.nc.project = self.project
        self.nc.organization = self.organization
        self.actions = list(
            CorrectiveAction.objects.for_organization(self.organization)
            .filter(non_conformance=self.nc)
            .select_related("owner", "completed_by")
            .order_by("due_date", "id")
        )

    def owns_an_action(self) -> bool:
        return any(action.owner_id == self.membership.user_id for action in self.actions)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (self.can(QualityAction.NC_MANAGE) or self.owns_an_action()):
            raise PermissionDenied
        handler, needed = self.operations.get(request.POST.get("op", ""), ("", None))
        if not handler:
            messages.error(request, _("Unknown action."))
            return self.render_page(400)
        if needed is not None and not self.can(needed):
            raise PermissionDenied
        response: HttpResponse = getattr(self, handler)(request)
        return response

    def _done(self, message: str) -> HttpResponse:
        messages.success(self.request, message)
        return redirect(reverse("quality-nc", args=[self.organization.slug, self.project.pk, self.nc.pk]))

    def inspection_url(self) -> str | None:
        if self.nc.inspection_id is None:
            return None
        try:
            return reverse("quality-inspection", args=[self.organization.slug, self.project.pk, self.nc.inspection_id])
        except NoReverseMatch:  # the inspection pages are not mounted
            return None

    def edit_form(self, data: Any = None) -> NcForm:
        nc = self.nc
        form = NcForm(
            data,
            initial={
                "title": nc.title,
                "description": nc.description,
                "severity": nc.severity,
                "location": nc.location,
                "wbs_element": nc.wbs_element_id,
                "responsible_kind": nc.responsible_kind,
                "responsible_user": nc.responsible_user_id,
                "responsible_name": nc.responsible_name,
                "due_date": nc.due_date,
            },
            organization=self.organization,
            people=self.people(),
            types=None,
            elements=self.elements(),
        )
        form.fields["due_date"].required = True
        return self.with_version(form, nc)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        nc = self.nc
        today = self.organization.today()
        history = list(
            NcEvent.objects.for_organization(self.organization)
            .filter(non_conformance=nc)
            .select_related("actor")
            .order_by("at", "id")
        )
        reworks = list(
            ReworkCost.objects.for_organization(self.organization)
            .filter(non_conformance=nc)
            .select_related("actual_cost", "actual_cost__category", "recorded_by")
            .order_by("recorded_at", "id")
        )
        manage = self.can(QualityAction.NC_MANAGE) and nc.is_open
        workers = services.corrective_workers(self.actions)
        action_rows = []
        for action in self.actions:
            updatable = (
                nc.is_open
                and nc.status != NcStatus.VERIFICATION
                and may_update_action(self.membership, self.project_role, action.owner_id)
            )
            action_rows.append(
                {
                    "action": action,
                    "badge": ACTION_BADGES.get(action.status, "badge-grey"),
                    "overdue": action.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
                    and action.due_date < today,
                    "form": (
                        kwargs.get("update_forms", {}).get(action.pk)
                        or ActionUpdateForm(
                            initial={"status": action.status, "note": action.note},
                            prefix=f"a{action.pk}",
                        )
                    )
                    if updatable
                    else None,
                }
            )
        forward, back = _forward(nc.status), _back(nc.status)
        context.update(
            nc=nc,
            today=today,
            steps=stepper(nc, history),
            severity_badge=SEVERITY_BADGES.get(nc.severity, "badge-grey"),
            status_badge=STATUS_BADGES.get(nc.status, "badge-grey"),
            overdue=nc.is_open and nc.due_date < today,
            member_responsible=nc.responsible_kind == PartyKind.MEMBER,
            action_rows=action_rows,
            history=history,
            reworks=reworks,
            manage=manage,
            forward={"to": forward[0], "label": forward[1]} if manage and forward else None,
            back={"to": back[0], "label": back[1]} if manage and back else None,
            list_url=reverse("project-quality-ncs", args=[self.organization.slug, self.project.pk]),
            costs_url=reverse("project-actual-costs", args=[self.organization.slug, self.project.pk]),
            did_the_work=self.membership.user_id in workers,
            inspection_url=self.inspection_url(),
        )
        if manage:
            context["transition_form"] = kwargs.get("transition_form") or TransitionForm()
            context["cancel_form"] = kwargs.get("cancel_form") or CancelForm()
            if nc.status in (NcStatus.OPEN, NcStatus.ANALYSIS, NcStatus.ACTION_PLAN):
                context["root_cause_form"] = kwargs.get("root_cause_form") or self.with_version(
                    RootCauseForm(initial={"root_cause": nc.root_cause}), nc
                )
            if nc.status in (NcStatus.ANALYSIS, NcStatus.ACTION_PLAN, NcStatus.IN_PROGRESS):
                context["action_form"] = kwargs.get("action_form") or ActionForm(
                    organization=self.organization, people=self.people(), initial={"due_date": nc.due_date}
                )
            context["edit_form"] = kwargs.get("edit_form") or self.edit_form()
        if self.can(QualityAction.NC_MANAGE) and nc.status != NcStatus.CANCELLED:
            context["rework_form"] = kwargs.get("rework_form") or ReworkCostForm(
                date_window=self.organization.date_window, initial={"date": today}
            )
        if nc.status == NcStatus.VERIFICATION and self.can(QualityAction.NC_VERIFY):
            context["verify_form"] = kwargs.get("verify_form") or VerifyForm()
        return context

    # --- operations ---------------------------------------------------------------------------

    def transition(self, request: HttpRequest) -> HttpResponse:
        form = TransitionForm(request.POST)
        status = 400
        if form.is_valid():
            nc, status = self.attempt(
                lambda: services.nc_transition(actor=self.actor, nc=self.nc, **form.cleaned_data), None
            )
            if nc is not None:
                return self._done(
                    _("%(code)s is now: %(status)s.") % {"code": nc.code, "status": nc.get_status_display()}
                )
        else:
            messages.error(request, _("Choose where the non-conformance goes."))
        return self.render_page(status)

    def root_cause(self, request: HttpRequest) -> HttpResponse:
        form = self.with_version(RootCauseForm(request.POST), self.nc)
        status = 400
        if form.is_valid():
            nc, status = self.attempt(
                lambda: services.nc_update(actor=self.actor, nc=self.nc, root_cause=form.cleaned_data["root_cause"]),
                form,
                edited=self.nc,
            )
            if nc is not None:
                return self._done(_("Root cause saved."))
        return self.render_page(status, root_cause_form=form)

    def edit(self, request: HttpRequest) -> HttpResponse:
        form = self.edit_form(request.POST)
        status = 400
        if form.is_valid():
            nc, status = self.attempt(
                lambda: services.nc_update(actor=self.actor, nc=self.nc, **form.cleaned_data), form, edited=self.nc
            )
            if nc is not None:
                return self._done(_("%(code)s saved.") % {"code": nc.code})
        return self.render_page(status, edit_form=form)

    def verify(self, request: HttpRequest) -> HttpResponse:
        form = VerifyForm(request.POST)
        status = 400
        if form.is_valid():
            nc, status = self.attempt(
                lambda: services.nc_verify(actor=self.actor, nc=self.nc, **form.cleaned_data), form
            )
            if nc is not None:
                if nc.status == NcStatus.CLOSED:
                    return self._done(_("%(code)s verified and closed.") % {"code": nc.code})
                return self._done(_("%(code)s failed verification: back to the corrective work.") % {"code": nc.code})
        return self.render_page(status, verify_form=form)

    def cancel(self, request: HttpRequest) -> HttpResponse:
        form = CancelForm(request.POST)
        status = 400
        if form.is_valid():
            nc, status = self.attempt(
                lambda: services.nc_cancel(actor=self.actor, nc=self.nc, **form.cleaned_data), form
            )
            if nc is not None:
                return self._done(_("%(code)s cancelled.") % {"code": nc.code})
        return self.render_page(status, cancel_form=form)

    def action_add(self, request: HttpRequest) -> HttpResponse:
        form = ActionForm(request.POST, organization=self.organization, people=self.people())
        status = 400
        if form.is_valid():
            action, status = self.attempt(
                lambda: services.action_add(actor=self.actor, nc=self.nc, **form.cleaned_data), form
            )
            if action is not None:
                return self._done(_("Action planned."))
        return self.render_page(status, action_form=form)

    def action_update(self, request: HttpRequest) -> HttpResponse:
        action_id = request.POST.get("action", "")
        action = next((action for action in self.actions if str(action.pk) == action_id), None)
        if action is None:
            messages.error(request, _("That action is not one of this non-conformance's."))
            return self.render_page(400)
        if not may_update_action(self.membership, self.project_role, action.owner_id):
            raise PermissionDenied
        form = ActionUpdateForm(request.POST, prefix=f"a{action.pk}")
        status = 400
        if form.is_valid():
            fields = {"status": form.cleaned_data["status"], "note": form.cleaned_data["note"]}
            updated, status = self.attempt(
                lambda: services.action_update(actor=self.actor, action=action, **fields), form
            )
            if updated is not None:
                return self._done(_("Action updated."))
        return self.render_page(status, update_forms={action.pk: form})

    def rework(self, request: HttpRequest) -> HttpResponse:
        form = ReworkCostForm(request.POST, date_window=self.organization.date_window)
        status = 400
        if form.is_valid():
            rework, status = self.attempt(
                lambda: services.rework_cost_record(actor=self.actor, nc=self.nc, **form.cleaned_data), form
            )
            if rework is not None:
                return self._done(_("Rework cost recorded as an actual cost of the project."))
        return self.render_page(status, rework_form=form)
