"""Pages of the projects app: the portfolio, each project, its WBS, Gantt chart and baselines.

Each view resolves the organisation (and the project) through its mixin, validates input with
a form from ``projects.forms`` and calls one service; a refusal comes back as
``ApplicationError`` and is shown beside the fields it names.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

from django.contrib import messages
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from pmo.errors import ApplicationError
from pmo.pages import OrganizationPageMixin
from pmo.policy import Action, can_pass_gate
from pmo.views import paginate
from projects import gantt
from projects.filters import ProjectFilter, portfolios_in_tree_order
from projects.forms import (
    BaselineForm,
    CancelProjectForm,
    DependencyForm,
    GateForm,
    PortfolioForm,
    ProgressForm,
    ProjectForm,
    ProjectMemberForm,
    ProjectMemberRoleForm,
    WbsElementForm,
)
from projects.models import (
    NEXT_PHASE,
    OPEN_PHASES,
    Baseline,
    BaselineTask,
    Dependency,
    PercentCompleteMethod,
    Phase,
    Portfolio,
    ProgressUpdate,
    Project,
    ProjectMember,
    StageGate,
    StatusReport,
    TaskStatus,
    WbsElement,
)
from projects.pages import ProjectPageMixin
from projects.selectors import (
    baseline_comparison,
    current_baseline,
    project_work_calendar,
    projects_progress,
)
from projects.services import plan
from projects.services import projects as services

LIFECYCLE = [Phase.INITIATION, Phase.PLANNING, Phase.EXECUTION, Phase.CLOSING, Phase.OPERATIONS, Phase.CLOSED]
PHASE_BADGES: dict[str, str] = {
    Phase.INITIATION: "badge-grey",
    Phase.PLANNING: "badge-blue",
    Phase.EXECUTION: "badge-green",
    Phase.CLOSING: "badge-amber",
    Phase.OPERATIONS: "badge-teal",
    Phase.CLOSED: "badge-grey",
    Phase.CANCELLED: "badge-red",
}
STATUS_BADGES: dict[str, str] = {
    TaskStatus.NOT_STARTED: "badge-grey",
    TaskStatus.IN_PROGRESS: "badge-blue",
    TaskStatus.DONE: "badge-green",
}


def ordered_elements(project: Project) -> list[WbsElement]:
    """The project's WBS in tree order: one query."""
    return list(
        WbsElement.objects.for_organization(project.organization_id).filter(project=project).order_by("sort_key")
    )


def descendants_of(element: WbsElement, elements: list[WbsElement]) -> set[int]:
    prefix = f"{element.code}."
    return {other.pk for other in elements if other.code.startswith(prefix)}


def plain_number(value: Decimal) -> Decimal:
    """70.00 → 70 and 12.50 → 12.5, for a form's initial value."""
    return value.to_integral_value() if value == value.to_integral_value() else value.normalize()


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# --- the portfolio ----------------------------------------------------------------------


SORTABLE = ("code", "name", "phase", "planned_start", "planned_finish", "scheduled_finish")


def sort_links(current: str, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """For each sortable column: the ordering its header link asks for, and its aria-sort state."""
    links = {}
    for field in fields:
        if current == field:
            links[field] = {"next": f"-{field}", "state": "ascending"}
        elif current == f"-{field}":
            links[field] = {"next": field, "state": "descending"}
        else:
            links[field] = {"next": field, "state": "none"}
    return links


class ProjectListView(OrganizationPageMixin, TemplateView):
    """Every project of the organisation, filtered, ordered and paginated; a fixed number of queries."""

    template_name = "projects/project_list.html"
    read_action = Action.PROJECT_VIEW

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        latest_report = (
            StatusReport.objects.for_organization(self.organization)
            .filter(project=OuterRef("pk"))
            .order_by("-period_end")
            .values("rag_overall")[:1]
        )
        queryset = (
            Project.objects.for_organization(self.organization)
            .select_related("portfolio", "portfolio__parent", "manager")
            .annotate(rag=Subquery(latest_report))
            .order_by("code")
        )
        filterset = ProjectFilter(self.request.GET, queryset=queryset, organization=self.organization)
        page = paginate(self.request, filterset.qs if filterset.is_valid() else queryset.none())
        progress = projects_progress(self.organization, [project.pk for project in page.object_list])
        context.update(
            filter=filterset,
            page=page,
            rows=[
                {
                    "project": project,
                    "phase_badge": PHASE_BADGES.get(project.phase, "badge-grey"),
                    "percent": progress.get(project.pk),
                    "late": bool(
                        project.planned_finish
                        and project.scheduled_finish
                        and project.scheduled_finish > project.planned_finish
                    ),
                }
                for project in page.object_list
            ],
            filtered=any(value for key, value in self.request.GET.items() if key not in {"page", "ordering"}),
            sort=sort_links(self.request.GET.get("ordering") or "code", SORTABLE),
            ordering=self.request.GET.get("ordering", ""),
            nav_active="projects",
        )
        return context


class ProjectCreateView(OrganizationPageMixin, TemplateView):
    template_name = "projects/project_form.html"
    read_action = Action.PROJECT_CREATE
    write_action = Action.PROJECT_CREATE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or ProjectForm(
            organization=self.organization, initial={"manager": self.request.user.pk}
        )
        context["nav_active"] = "projects"
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ProjectForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                project = services.project_create(
                    actor=request.user,  # type: ignore[arg-type]
                    organization=self.organization,
                    **form.service_fields(),
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("Project %(code)s was created.") % {"code": project.code})
                return redirect("project-overview", org_slug=self.organization.slug, project_id=project.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PortfolioListView(OrganizationPageMixin, TemplateView):
    """Portfolios with their programmes and how many projects each holds; PMO adds and edits them."""

    template_name = "projects/portfolios.html"
    read_action = Action.PROJECT_VIEW
    write_action = Action.PORTFOLIO_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = list(
            portfolios_in_tree_order(self.organization)
            .select_related("owner")
            .annotate(project_count=Count("projects", distinct=True))
        )
        totals: dict[int, int] = defaultdict(int)
        for row in rows:
            totals[row.parent_id or row.pk] += row.project_count
        context["rows"] = [{"portfolio": row, "direct": row.project_count, "total": totals[row.pk]} for row in rows]
        context["unassigned"] = (
            Project.objects.for_organization(self.organization).filter(portfolio__isnull=True).count()
        )
        if self.can(Action.PORTFOLIO_MANAGE):
            context["form"] = kwargs.get("form") or PortfolioForm(organization=self.organization)
        context["nav_active"] = "projects"
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PortfolioForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                portfolio = services.portfolio_create(
                    actor=request.user,  # type: ignore[arg-type]
                    organization=self.organization,
                    **form.service_fields(),
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("“%(name)s” was created.") % {"name": portfolio.name})
                return redirect("project-portfolios", org_slug=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PortfolioEditView(OrganizationPageMixin, TemplateView):
    model = Portfolio
    template_name = "projects/portfolio_form.html"
    read_action = Action.PORTFOLIO_MANAGE
    write_action = Action.PORTFOLIO_MANAGE

    def get_portfolio(self) -> Portfolio:
        return get_object_or_404(Portfolio.objects.for_organization(self.organization), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        portfolio = self.get_portfolio()
        context["portfolio"] = portfolio
        context["form"] = kwargs.get("form") or PortfolioForm(organization=self.organization, instance=portfolio)
        context["nav_active"] = "projects"
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        portfolio = self.get_portfolio()
        form = PortfolioForm(request.POST, organization=self.organization, instance=copy.copy(portfolio))
        if form.is_valid():
            try:
                services.portfolio_update(
                    actor=request.user,  # type: ignore[arg-type]
                    portfolio=portfolio,
                    **form.service_fields(),
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("“%(name)s” was saved.") % {"name": portfolio.name})
                return redirect("project-portfolios", org_slug=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- one project ------------------------------------------------------------------------


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url: str


def _reverse_or_none(name: str, **kwargs: Any) -> str | None:
    """The URL of a page another part of the app may not have mounted yet."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


class ProjectTabsMixin(ProjectPageMixin):
    """A project page with the project's header, lifecycle and tabs."""

    tab = ""

    def project_url(self, name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs={"org_slug": self.organization.slug, "project_id": self.project.pk, **kwargs})

    def tabs(self) -> list[Tab]:
        ids = {"org_slug": self.organization.slug, "project_id": self.project.pk}
        candidates: list[tuple[str, Any, str | None]] = [
            ("overview", gettext_lazy("Overview"), _reverse_or_none("project-overview", **ids)),
            ("wbs", gettext_lazy("WBS"), _reverse_or_none("project-wbs", **ids)),
            ("gantt", gettext_lazy("Gantt"), _reverse_or_none("project-gantt", **ids)),
            ("baselines", gettext_lazy("Baselines"), _reverse_or_none("project-baselines", **ids)),
            ("status", gettext_lazy("Status reports"), _reverse_or_none("project-status-reports", **ids)),
            ("changes", gettext_lazy("Change requests"), _reverse_or_none("project-change-requests", **ids)),
            ("changelog", gettext_lazy("Change log"), _reverse_or_none("project-change-log", **ids)),
            ("gates", gettext_lazy("Gate history"), _reverse_or_none("project-gate", **ids)),
        ]
        if self.can(Action.PROJECT_MANAGE) and self.project.is_open:
            candidates.append(("edit", gettext_lazy("Edit project"), _reverse_or_none("project-edit", **ids)))
        return [Tab(key, str(label), url) for key, label, url in candidates if url]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["tabs"] = self.tabs()
        context["tab"] = self.tab
        context["phase_badge"] = PHASE_BADGES.get(self.project.phase, "badge-grey")
        context["lifecycle"] = self.lifecycle()
        return context

    def lifecycle(self) -> list[dict[str, Any]]:
        """The stepper: each phase done, current or to come; a cancelled project shows where it stopped."""
        phase = self.project.phase
        if phase == Phase.CANCELLED:
            stopped = (
                StageGate.objects.for_organization(self.organization)
                .filter(project=self.project, to_phase=Phase.CANCELLED)
                .order_by("-approved_at")
                .values_list("from_phase", flat=True)
                .first()
            )
            reached = LIFECYCLE.index(Phase(stopped)) if stopped in Phase.values else 0
            steps = [
                {"phase": step, "state": "done" if index < reached else "todo"} for index, step in enumerate(LIFECYCLE)
            ]
            steps.insert(reached, {"phase": Phase.CANCELLED, "state": "cancelled"})
            return [{"label": Phase(step["phase"]).label, **step} for step in steps]
        current = LIFECYCLE.index(Phase(phase))
        return [
            {
                "phase": step,
                "label": step.label,
                "state": "done"
                if index < current or phase == Phase.CLOSED
                else "current"
                if index == current
                else "todo",
            }
            for index, step in enumerate(LIFECYCLE)
        ]


class ProjectOverviewView(ProjectTabsMixin, TemplateView):
    template_name = "projects/project_overview.html"
    tab = "overview"
    read_action = Action.PROJECT_VIEW
    write_action = Action.PROJECT_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        project = (
            Project.objects.for_organization(self.organization)
            .select_related("sponsor", "manager", "portfolio", "portfolio__parent", "calendar")
            .get(pk=self.project.pk)
        )
        leaves = WbsElement.objects.for_organization(self.organization).filter(project=project).leaves()
        figures = leaves.aggregate(
            tasks=Count("pk"),
            critical=Count("pk", filter=Q(is_critical=True)),
            milestones=Count("pk", filter=Q(kind="milestone")),
        )
        team = list(
            ProjectMember.objects.for_organization(self.organization)
            .filter(project=project)
            .select_related("user")
            .order_by("role", "user__display_name", "user__username")
        )
        latest_report = (
            StatusReport.objects.for_organization(self.organization)
            .filter(project=project)
            .order_by("-period_end")
            .first()
        )
        context.update(
            project=project,
            figures=figures,
            percent=projects_progress(self.organization, [project.pk]).get(project.pk),
            baseline=current_baseline(project),
            latest_report=latest_report,
            objectives=[line for line in project.objectives.splitlines() if line.strip()],
            late=bool(
                project.planned_finish
                and project.scheduled_finish
                and project.scheduled_finish > project.planned_finish
            ),
            team=team,
            next_phase=NEXT_PHASE.get(Phase(project.phase)),
        )
        if self.can(Action.PROJECT_MANAGE) and project.is_open:
            context["member_form"] = kwargs.get("member_form") or ProjectMemberForm(organization=self.organization)
            context["role_choices"] = ProjectMemberRoleForm.base_fields["role"].choices  # type: ignore[attr-defined]
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Add a person to the project team."""
        form = ProjectMemberForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                member = services.project_member_add(
                    actor=request.user,  # type: ignore[arg-type]
                    project=self.project,
                    user=form.cleaned_data["user"],
                    role=form.cleaned_data["role"],
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("%(user)s joined the team.") % {"user": member.user})
                return HttpResponseRedirect(self.project_url("project-overview") + "#team")
        return self.render_to_response(self.get_context_data(member_form=form), status=400)


class ProjectMemberView(ProjectPageMixin, TemplateView):
    """POST a new project role for one team member."""

    model = ProjectMember
    read_action = Action.PROJECT_VIEW
    write_action = Action.PROJECT_MANAGE

    def get_member(self) -> ProjectMember:
        return get_object_or_404(
            ProjectMember.objects.for_organization(self.organization).select_related("user", "project"),
            pk=self.kwargs["pk"],
            project=self.project,
        )

    def overview_url(self) -> str:
        return (
            reverse("project-overview", kwargs={"org_slug": self.organization.slug, "project_id": self.project.pk})
            + "#team"
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_member()
        return HttpResponseRedirect(self.overview_url())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = self.get_member()
        form = ProjectMemberRoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a valid project role."))
        else:
            try:
                services.project_member_change_role(
                    actor=request.user,  # type: ignore[arg-type]
                    member=member,
                    role=form.cleaned_data["role"],
                )
            except ApplicationError as error:
                self.report(error)
            else:
                messages.success(
                    request,
                    _("%(user)s is now %(role)s on the project.")
                    % {"user": member.user, "role": member.get_role_display()},
                )
        return HttpResponseRedirect(self.overview_url())


class ProjectMemberRemoveView(ProjectMemberView):
    template_name = "projects/member_remove.html"
    read_action = Action.PROJECT_MANAGE

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(member=self.get_member(), nav_active="projects"))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = self.get_member()
        try:
            services.project_member_remove(actor=request.user, member=member)  # type: ignore[arg-type]
        except ApplicationError as error:
            self.report(error)
        else:
            messages.success(request, _("%(user)s left the team.") % {"user": member.user})
        return HttpResponseRedirect(self.overview_url())


class ProjectEditView(ProjectTabsMixin, TemplateView):
    template_name = "projects/project_form.html"
    tab = "edit"
    read_action = Action.PROJECT_MANAGE
    write_action = Action.PROJECT_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or ProjectForm(organization=self.organization, instance=self.project)
        context["editing"] = True
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ProjectForm(request.POST, organization=self.organization, instance=copy.copy(self.project))
        if form.is_valid():
            try:
                services.project_update(
                    actor=request.user,  # type: ignore[arg-type]
                    project=self.project,
                    **form.service_fields(),
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("The project was saved."))
                return redirect("project-overview", org_slug=self.organization.slug, project_id=self.project.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class StageGateView(ProjectTabsMixin, TemplateView):
    """The checklist for leaving the current phase, the decision, and the gates passed so far."""

    template_name = "projects/gate.html"
    tab = "gates"
    read_action = Action.PROJECT_VIEW
    write_action = Action.GATE_APPROVE

    def criteria(self) -> list[Any]:
        if self.project.phase not in OPEN_PHASES:
            return []
        return services.gate_criteria(self.organization, self.project.phase)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        phase = Phase(self.project.phase)
        criteria = kwargs.get("criteria")
        if criteria is None:
            criteria = self.criteria()
        may_decide = self.can(Action.GATE_APPROVE)
        context.update(
            phase=phase,
            next_phase=NEXT_PHASE.get(phase),
            is_open=self.project.is_open,
            may_advance=may_decide and can_pass_gate(self.membership, self.project_role, phase),
            may_cancel=may_decide and can_pass_gate(self.membership, self.project_role, phase, cancel=True),
            needs_baseline=phase == Phase.PLANNING and current_baseline(self.project) is None,
            gate_form=kwargs.get("gate_form") or GateForm(criteria=criteria),
            cancel_form=kwargs.get("cancel_form") or CancelProjectForm(),
            history=[
                {"gate": gate, "from_label": Phase(gate.from_phase).label, "to_label": Phase(gate.to_phase).label}
                for gate in StageGate.objects.for_organization(self.organization)
                .filter(project=self.project)
                .select_related("approved_by")
                .order_by("-approved_at", "-pk")
            ],
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        criteria = self.criteria()
        cancelling = request.POST.get("decision") == "cancel"
        form: GateForm | CancelProjectForm
        if cancelling:
            form = CancelProjectForm(request.POST)
            to_phase: str | None = Phase.CANCELLED
        else:
            form = GateForm(request.POST, criteria=criteria)
            to_phase = NEXT_PHASE.get(Phase(self.project.phase))
        status = 400
        if form.is_valid():
            try:
                if to_phase is None:
                    raise ApplicationError(
                        _("The project is %(phase)s; it has no further gate.")
                        % {"phase": Phase(self.project.phase).label},
                        code="illegal_move",
                    )
                services.project_advance(
                    actor=request.user,  # type: ignore[arg-type]
                    membership=self.membership,
                    project_role=self.project_role,
                    project=self.project,
                    to_phase=to_phase,
                    passed_criteria=form.cleaned_data.get("passed_criteria", []),
                    comment=form.cleaned_data.get("comment", ""),
                )
            except ApplicationError as error:
                self.report(error, form)
                status = 403 if error.status_code == 403 else 400
            else:
                if cancelling:
                    messages.success(request, _("The project was cancelled."))
                else:
                    messages.success(
                        request,
                        _("The project moved to %(phase)s.") % {"phase": Phase(to_phase).label},
                    )
                return HttpResponseRedirect(self.project_url("project-gate"))
        forms = {"cancel_form": form} if cancelling else {"gate_form": form}
        context = self.get_context_data(criteria=criteria, refused=True, **forms)
        return self.render_to_response(context, status=status)


# --- the WBS ----------------------------------------------------------------------------


@dataclass
class WbsRow:
    element: WbsElement
    depth: int
    span: int | None
    predecessors: list[str]
    status: str


def _percent(value: Decimal) -> str:
    """54.87 → "54.9", 100.00 → "100"."""
    return f"{value:.1f}".removesuffix(".0")


def _money(value: Decimal) -> str:
    """Grouped as the active language groups numbers, like ``floatformat:"2g"`` in the templates."""
    return str(formats.number_format(value, 2, force_grouping=True))


class WbsTableRenderer:
    """The rows of the WBS table as HTML, in one pass over the elements.

    The template language spends about two milliseconds on a row of this size (eleven cells,
    an inline form); a 2,000-task plan would take seconds. Built here with the words
    translated once, the same table takes tens of milliseconds. Every piece of user text is
    escaped; URLs are relative to the WBS page.
    """

    def __init__(self, *, may_manage: bool, may_progress: bool, csrf_token: str, today: Any) -> None:
        self.may_manage = may_manage
        self.may_progress = may_progress
        self.csrf = escape(csrf_token)
        self.today = today.isoformat()
        self.kinds: dict[str, tuple[str, str]] = {
            WbsElement.Kind.SUMMARY: ("▾", escape(_("Summary"))),
            WbsElement.Kind.TASK: ("▬", escape(_("Task"))),
            WbsElement.Kind.MILESTONE: ("◆", escape(_("Milestone"))),
        }
        self.status = {value: escape(str(label)) for value, label in TaskStatus.choices}
        self.critical = escape(_("critical"))
        self.words = {
            key: escape(text)
            for key, text in {
                "update": _("Update progress"),
                "pct": _("% complete"),
                "follows": _("% complete follows the actual dates"),
                "start": _("Actual start"),
                "finish": _("Actual finish"),
                "effective": _("Effective date"),
                "save": _("Save"),
                "history": _("History"),
                "edit": _("Edit"),
                "delete": _("Delete"),
                "add": _("Add below"),
            }.items()
        }

    def render(self, rows: list[WbsRow]) -> SafeString:
        return mark_safe("".join(map(self.row, rows)))  # noqa: S308  (user text is escaped in row())

    def row(self, row: WbsRow) -> str:
        e = row.element
        pk = e.pk
        leaf = e.kind != WbsElement.Kind.SUMMARY
        classes = " ".join(name for name, on in (("wbs-summary", not leaf), ("wbs-critical", e.is_critical)) if on)
        icon, kind_label = self.kinds.get(e.kind, self.kinds[WbsElement.Kind.TASK])
        duration = e.duration if leaf else ("" if row.span is None else row.span)
        float_cell = "—" if e.total_float is None else str(e.total_float)
        if e.is_critical:
            float_cell += f' <span class="crit">{self.critical}</span>'
        pct = _percent(e.percent_complete)
        status = (
            f'<span class="badge {STATUS_BADGES[TaskStatus(row.status)]}">{self.status[row.status]}</span>'
            if leaf
            else ""
        )
        return (
            f'<tr id="e{pk}" class="{classes}"><td class="code">{escape(e.code)}</td>'
            f'<th scope="row" class="wbs-name d{row.depth}"><span class="kind kind-{e.kind}" role="img" '
            f'aria-label="{kind_label}" title="{kind_label}">{icon}</span>{escape(e.name)}</th>'
            f'<td class="num">{duration}</td>'
            f'<td class="date">{e.planned_start.isoformat() if e.planned_start else ""}</td>'
            f'<td class="date">{e.planned_finish.isoformat() if e.planned_finish else ""}</td>'
            f'<td class="num">{float_cell}</td>'
            f'<td class="num">{_money(e.budgeted_cost)}</td>'
            f'<td class="pct-cell"><progress max="100" value="{pct}" aria-hidden="true"></progress> '
            f"<span>{pct} %</span></td><td>{status}</td>"
            f'<td class="preds">{escape(", ".join(row.predecessors))}</td>'
            f'<td class="row-actions">{self.actions(e, leaf)}</td></tr>\n'
        )

    def actions(self, e: WbsElement, leaf: bool) -> str:
        w, pk, code = self.words, e.pk, escape(e.code)
        parts = []
        if leaf:
            if self.may_progress:
                parts.append(self.progress_form(e, code))
            parts.append(f'<a href="{pk}/history/">{w["history"]}<span class="visually-hidden"> {code}</span></a>')
        elif self.may_manage:
            parts.append(f'<a href="new/?parent={pk}">{w["add"]}<span class="visually-hidden"> {code}</span></a>')
        if self.may_manage:
            parts.append(f'<a href="{pk}/edit/">{w["edit"]}<span class="visually-hidden"> {code}</span></a>')
            parts.append(
                f'<a class="danger-link" href="{pk}/delete/">{w["delete"]}'
                f'<span class="visually-hidden"> {code}</span></a>'
            )
        return "".join(parts)

    def progress_form(self, e: WbsElement, code: str) -> str:
        w, pk = self.words, e.pk
        if e.percent_complete_method == PercentCompleteMethod.PHYSICAL:
            percent = (
                f'<label for="p{pk}-pct">{w["pct"]}</label><input type="number" id="p{pk}-pct" '
                f'name="percent_complete" min="0" max="100" step="any" value="{plain_number(e.percent_complete)}">'
            )
        else:
            percent = f'<p class="help">{w["follows"]}</p>'
        start = e.actual_start.isoformat() if e.actual_start else ""
        finish = e.actual_finish.isoformat() if e.actual_finish else ""
        return (
            f'<details class="row-form"><summary>{w["update"]}<span class="visually-hidden"> {code}</span></summary>'
            f'<form method="post" action="{pk}/progress/">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{self.csrf}">{percent}'
            f'<label for="p{pk}-as">{w["start"]}</label>'
            f'<input type="date" id="p{pk}-as" name="actual_start" value="{start}">'
            f'<label for="p{pk}-af">{w["finish"]}</label>'
            f'<input type="date" id="p{pk}-af" name="actual_finish" value="{finish}">'
            f'<label for="p{pk}-ed">{w["effective"]}</label>'
            f'<input type="date" id="p{pk}-ed" name="effective_date" value="{self.today}" required>'
            f'<button type="submit" class="button small primary">{w["save"]}</button></form></details>'
        )


class WbsView(ProjectTabsMixin, TemplateView):
    """The indented WBS with rolled-up summaries; a fixed number of queries whatever its size."""

    template_name = "projects/wbs.html"
    tab = "wbs"
    read_action = Action.PROJECT_VIEW

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        elements = ordered_elements(self.project)
        code_of = {element.pk: element.code for element in elements}
        predecessors: dict[int, list[str]] = defaultdict(list)
        links = (
            Dependency.objects.for_organization(self.organization)
            .filter(project=self.project)
            .values_list("predecessor_id", "successor_id", "type", "lag")
        )
        for predecessor, successor, kind, lag in links:
            label = f"{code_of.get(predecessor, '?')} {kind}" + (f"{lag:+d}" if lag else "")
            predecessors[successor].append(label)
        calendar = project_work_calendar(self.project)
        rows = [
            WbsRow(
                element=element,
                depth=min(element.code.count("."), 8),
                span=calendar.working_days_between(element.planned_start, element.planned_finish)
                if not element.is_leaf and element.planned_start and element.planned_finish
                else None,
                predecessors=predecessors.get(element.pk, []),
                status=element.status,
            )
            for element in elements
        ]
        may_manage = self.can(Action.PROJECT_MANAGE) and self.project.is_open
        may_progress = self.can(Action.PROGRESS_UPDATE) and self.project.is_open
        renderer = WbsTableRenderer(
            may_manage=may_manage,
            may_progress=may_progress,
            csrf_token=get_token(self.request),
            today=self.organization.today(),
        )
        roots = [element for element in elements if element.parent_id is None]
        context.update(
            rows=rows,
            rows_html=renderer.render(rows),
            totals={
                "cost": sum((element.budgeted_cost for element in roots), Decimal("0")),
                "tasks": sum(1 for element in elements if element.is_leaf),
                "critical": sum(1 for element in elements if element.is_leaf and element.is_critical),
            },
            may_manage=may_manage,
            may_progress=may_progress,
        )
        return context


class WbsFormMixin(ProjectTabsMixin):
    tab = "wbs"

    def wbs_url(self, element: WbsElement | None = None) -> str:
        return self.project_url("project-wbs") + (f"#e{element.pk}" if element is not None else "")


class WbsElementCreateView(WbsFormMixin, TemplateView):
    template_name = "projects/wbs_element_form.html"
    read_action = Action.PROJECT_MANAGE
    write_action = Action.PROJECT_MANAGE

    def parents(self) -> list[WbsElement]:
        return [element for element in ordered_elements(self.project) if element.kind != WbsElement.Kind.MILESTONE]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form")
        if form is None:
            parent = self.request.GET.get("parent", "")
            form = WbsElementForm(parents=self.parents(), initial={"parent": parent if parent.isdigit() else ""})
        context["form"] = form
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = WbsElementForm(request.POST, parents=self.parents())
        if form.is_valid():
            fields = {key: value for key, value in form.cleaned_data.items() if value is not None or key == "parent"}
            try:
                element = plan.wbs_element_create(
                    actor=request.user,  # type: ignore[arg-type]
                    project=self.project,
                    **fields,
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(
                    request, _("“%(name)s” was added as %(code)s.") % {"name": element.name, "code": element.code}
                )
                if "add_another" in request.POST:
                    parent = f"?parent={element.parent_id}" if element.parent_id else ""
                    return HttpResponseRedirect(self.project_url("project-wbs-add") + parent)
                return HttpResponseRedirect(self.wbs_url(element))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class WbsElementEditView(WbsFormMixin, TemplateView):
    """Change an element; its dependencies (add, remove) are managed on the same page."""

    model = WbsElement
    template_name = "projects/wbs_element_form.html"
    read_action = Action.PROJECT_MANAGE
    write_action = Action.PROJECT_MANAGE

    def setup_element(self) -> tuple[WbsElement, list[WbsElement]]:
        elements = ordered_elements(self.project)
        element = next((e for e in elements if e.pk == self.kwargs["pk"]), None)
        if element is None:
            raise WbsElement.DoesNotExist
        return element, elements

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().dispatch(request, *args, **kwargs)
        except WbsElement.DoesNotExist:
            from django.http import Http404

            raise Http404 from None

    def element_form(self, element: WbsElement, elements: list[WbsElement], data: Any = None) -> WbsElementForm:
        excluded = descendants_of(element, elements) | {element.pk}
        parents = [e for e in elements if e.pk not in excluded and e.kind != WbsElement.Kind.MILESTONE]
        initial = {
            "name": element.name,
            "parent": element.parent_id or "",
            "kind": element.kind,
            "duration": element.duration,
            "budgeted_cost": element.budgeted_cost,
            "percent_complete_method": element.percent_complete_method,
            "position": element.position,
            "notes": element.notes,
        }
        return WbsElementForm(data, parents=parents, element=element, initial=initial)

    def dependency_form(self, element: WbsElement, elements: list[WbsElement], data: Any = None) -> DependencyForm:
        candidates = [e for e in elements if e.is_leaf and e.pk != element.pk]
        return DependencyForm(data, candidates=candidates)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        element, elements = kwargs.get("element_and_elements") or self.setup_element()
        links = list(
            Dependency.objects.for_organization(self.organization)
            .filter(Q(predecessor=element) | Q(successor=element))
            .select_related("predecessor", "successor")
            .order_by("pk")
        )
        context.update(
            element=element,
            form=kwargs.get("form") or self.element_form(element, elements),
            dependency_form=(kwargs.get("dependency_form") or self.dependency_form(element, elements))
            if element.is_leaf
            else None,
            predecessors=[link for link in links if link.successor_id == element.pk],
            successors=[link for link in links if link.predecessor_id == element.pk],
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        element, elements = self.setup_element()
        form = self.element_form(element, elements, request.POST)
        if form.is_valid():
            fields = dict(form.cleaned_data)
            if fields.get("position") is None:
                fields.pop("position", None)
                if fields.get("parent") == element.parent:
                    fields.pop("parent")
            try:
                element = plan.wbs_element_update(
                    actor=request.user,  # type: ignore[arg-type]
                    element=element,
                    **fields,
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("%(code)s was saved.") % {"code": element.code})
                return HttpResponseRedirect(self.wbs_url(element))
        return self.render_to_response(
            self.get_context_data(form=form, element_and_elements=(element, elements)), status=400
        )


class DependencyCreateView(WbsElementEditView):
    """POST a predecessor for the task; the form lives on the element's edit page."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(self.project_url("project-wbs-edit", pk=self.kwargs["pk"]))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        element, elements = self.setup_element()
        form = self.dependency_form(element, elements, request.POST)
        if form.is_valid() and element.is_leaf:
            try:
                plan.dependency_create(
                    actor=request.user,  # type: ignore[arg-type]
                    project=self.project,
                    predecessor=form.cleaned_data["predecessor"],
                    successor=element,
                    type=form.cleaned_data["type"],
                    lag=form.cleaned_data["lag"],
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("The dependency was added."))
                return HttpResponseRedirect(self.project_url("project-wbs-edit", pk=element.pk) + "#dependencies")
        elif not element.is_leaf:
            form.add_error(None, _("Only tasks and milestones can be linked, not summary elements."))
        return self.render_to_response(
            self.get_context_data(dependency_form=form, element_and_elements=(element, elements)), status=400
        )


class DependencyDeleteView(ProjectPageMixin, TemplateView):
    model = Dependency
    read_action = Action.PROJECT_MANAGE
    write_action = Action.PROJECT_MANAGE

    def get_dependency(self) -> Dependency:
        return get_object_or_404(
            Dependency.objects.for_organization(self.organization).select_related("project"),
            pk=self.kwargs["pk"],
            project=self.project,
        )

    def edit_url(self, dependency: Dependency) -> str:
        return (
            reverse(
                "project-wbs-edit",
                kwargs={
                    "org_slug": self.organization.slug,
                    "project_id": self.project.pk,
                    "pk": dependency.successor_id,
                },
            )
            + "#dependencies"
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(self.edit_url(self.get_dependency()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        dependency = self.get_dependency()
        target = safe_next(request, self.edit_url(dependency))
        try:
            plan.dependency_delete(actor=request.user, dependency=dependency)  # type: ignore[arg-type]
        except ApplicationError as error:
            self.report(error)
        else:
            messages.success(request, _("The dependency was removed."))
        return HttpResponseRedirect(target)


class WbsElementDeleteView(WbsFormMixin, TemplateView):
    model = WbsElement
    template_name = "projects/wbs_element_delete.html"
    read_action = Action.PROJECT_MANAGE
    write_action = Action.PROJECT_MANAGE

    def get_element(self) -> WbsElement:
        return get_object_or_404(
            WbsElement.objects.for_organization(self.organization).select_related("project"),
            pk=self.kwargs["pk"],
            project=self.project,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        element = self.get_element()
        elements = WbsElement.objects.for_organization(self.organization).filter(project=self.project)
        context.update(
            element=element,
            descendants=elements.filter(code__startswith=f"{element.code}.").count(),
            links=Dependency.objects.for_organization(self.organization)
            .filter(Q(predecessor=element) | Q(successor=element))
            .count(),
            baselined=BaselineTask.objects.for_organization(self.organization).filter(task=element).exists(),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        element = self.get_element()
        try:
            plan.wbs_element_delete(actor=request.user, element=element)  # type: ignore[arg-type]
        except ApplicationError as error:
            self.report(error)
            return HttpResponseRedirect(self.project_url("project-wbs-delete", pk=element.pk))
        messages.success(request, _("%(code)s %(name)s was deleted.") % {"code": element.code, "name": element.name})
        return HttpResponseRedirect(self.wbs_url())


class TaskProgressView(WbsFormMixin, TemplateView):
    """Report progress on one task: the inline form of the WBS posts here; errors show here."""

    model = WbsElement
    template_name = "projects/task_progress.html"
    read_action = Action.PROGRESS_UPDATE
    write_action = Action.PROGRESS_UPDATE

    def get_task(self) -> WbsElement:
        return get_object_or_404(
            WbsElement.objects.for_organization(self.organization).select_related("project"),
            pk=self.kwargs["pk"],
            project=self.project,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        task = kwargs.get("task") or self.get_task()
        form = kwargs.get("form") or ProgressForm(
            task=task,
            initial={
                "percent_complete": plain_number(task.percent_complete),
                "actual_start": task.actual_start,
                "actual_finish": task.actual_finish,
                "effective_date": self.organization.today(),
            },
        )
        context.update(
            task=task,
            form=form,
            next=safe_next(self.request, ""),
            updates=list(
                ProgressUpdate.objects.for_organization(self.organization)
                .filter(task=task)
                .select_related("updated_by")
                .order_by("-effective_date", "-created_at", "-pk")[:5]
            ),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        task = self.get_task()
        form = ProgressForm(request.POST, task=task)
        if form.is_valid():
            try:
                plan.task_progress_update(
                    actor=request.user,  # type: ignore[arg-type]
                    task=task,
                    **form.service_fields(),
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("Progress on %(code)s was recorded.") % {"code": task.code})
                return HttpResponseRedirect(safe_next(request, self.wbs_url(task)))
        return self.render_to_response(self.get_context_data(task=task, form=form), status=400)


class TaskHistoryView(WbsFormMixin, TemplateView):
    model = WbsElement
    template_name = "projects/task_history.html"
    read_action = Action.PROJECT_VIEW

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        task = get_object_or_404(
            WbsElement.objects.for_organization(self.organization), pk=self.kwargs["pk"], project=self.project
        )
        updates = (
            ProgressUpdate.objects.for_organization(self.organization)
            .filter(task=task)
            .select_related("updated_by")
            .order_by("-effective_date", "-created_at", "-pk")
        )
        context.update(task=task, page=paginate(self.request, updates), may_progress=self.can(Action.PROGRESS_UPDATE))
        return context


# --- the Gantt chart --------------------------------------------------------------------


class GanttView(ProjectTabsMixin, TemplateView):
    """The server-drawn Gantt chart; a fixed number of queries whatever the size of the plan."""

    template_name = "projects/gantt.html"
    tab = "gantt"
    read_action = Action.PROJECT_VIEW

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        elements = ordered_elements(self.project)
        links = [
            gantt.GanttLink(*row)
            for row in Dependency.objects.for_organization(self.organization)
            .filter(project=self.project)
            .values_list("predecessor_id", "successor_id", "type", "lag")
        ]
        baseline = current_baseline(self.project)
        frozen = (
            list(BaselineTask.objects.for_organization(self.organization).filter(baseline=baseline))
            if baseline is not None
            else []
        )
        requested = self.request.GET.get("zoom", "")
        zoom = gantt.Zoom(requested) if requested in gantt.Zoom.__members__.values() else None
        calendar = project_work_calendar(self.project)
        wbs_url = self.project_url("project-wbs")
        chart = gantt.render_gantt(
            gantt.plan_items(elements, frozen),
            links,
            zoom=zoom,
            today=self.organization.today(),
            is_working_day=calendar.is_working_day,
            row_href=lambda item: f"{wbs_url}#e{item.id}",
        )
        context.update(
            chart=chart,
            baseline=baseline,
            zooms=[(value, label) for value, label in gantt.ZOOM_LABELS.items()],
            current_zoom=chart.zoom if chart else None,
        )
        return context


# --- baselines --------------------------------------------------------------------------


class BaselineListView(ProjectTabsMixin, TemplateView):
    template_name = "projects/baselines.html"
    tab = "baselines"
    read_action = Action.PROJECT_VIEW
    write_action = Action.PROJECT_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["baselines"] = list(
            Baseline.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("created_by", "change_request")
            .annotate(task_count=Count("tasks"))
            .order_by("-created_at", "-pk")
        )
        if self.can(Action.PROJECT_MANAGE) and self.project.is_open:
            context["form"] = kwargs.get("form") or BaselineForm()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = BaselineForm(request.POST)
        if form.is_valid():
            try:
                baseline = plan.baseline_create(
                    actor=request.user,  # type: ignore[arg-type]
                    project=self.project,
                    name=form.cleaned_data["name"],
                    make_current=form.cleaned_data["make_current"],
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("Baseline “%(name)s” was saved.") % {"name": baseline.name})
                return HttpResponseRedirect(self.project_url("project-baselines"))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class BaselineMakeCurrentView(ProjectPageMixin, TemplateView):
    read_action = Action.PROJECT_VIEW
    write_action = Action.PROJECT_MANAGE

    def list_url(self) -> str:
        return reverse("project-baselines", kwargs={"org_slug": self.organization.slug, "project_id": self.project.pk})

    def get_baseline(self) -> Baseline:
        return get_object_or_404(
            Baseline.objects.for_organization(self.organization).select_related("project"),
            pk=self.kwargs["baseline_id"],
            project=self.project,
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_baseline()
        return HttpResponseRedirect(self.list_url())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        baseline = self.get_baseline()
        try:
            plan.baseline_set_current(actor=request.user, baseline=baseline)  # type: ignore[arg-type]
        except ApplicationError as error:
            self.report(error)
        else:
            messages.success(request, _("“%(name)s” is now the current baseline.") % {"name": baseline.name})
        return HttpResponseRedirect(self.list_url())


class BaselineCompareView(ProjectTabsMixin, TemplateView):
    template_name = "projects/baseline_compare.html"
    tab = "baselines"
    read_action = Action.PROJECT_VIEW

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        baseline = get_object_or_404(
            Baseline.objects.for_organization(self.organization).select_related("project", "created_by"),
            pk=self.kwargs["baseline_id"],
            project=self.project,
        )
        rows, total = baseline_comparison(baseline)
        context.update(
            baseline=baseline,
            rows=[{"row": row, "depth": min(row.depth, 8)} for row in rows],
            total=total,
            counts={
                "changed": sum(1 for row in rows if row.status == "changed" and not row.is_summary),
                "added": sum(1 for row in rows if row.status == "added"),
                "removed": sum(1 for row in rows if row.status == "removed"),
            },
        )
        return context
