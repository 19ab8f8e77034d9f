"""One project: overview, team, settings and the stage gate."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from pmo.concurrency import PRECONDITION_FAILED, row_version
from pmo.errors import ApplicationError
from projects.forms import (
    CancelProjectForm,
    GateForm,
    ProjectForm,
    ProjectMemberForm,
    ProjectMemberRoleForm,
)
from projects.gate_checks import CURRENT_BASELINE, recorded_check
from projects.models import (
    NEXT_PHASE,
    OPEN_PHASES,
    Phase,
    Project,
    ProjectMember,
    StageGate,
    StatusReport,
    WbsElement,
)
from projects.pages import ProjectPageMixin
from projects.permissions import ProjectAction, can_pass_gate
from projects.selectors import (
    current_baseline,
    projects_progress,
)
from projects.services import projects as services
from projects.services.gate_checks import gate_checks_evaluate
from projects.views.common import (
    ProjectTabsMixin,
)


class ProjectOverviewView(ProjectTabsMixin, TemplateView):
    template_name = "projects/project_overview.html"
    tab = "overview"
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_MANAGE

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
        if self.can(ProjectAction.PROJECT_MANAGE) and project.is_open:
            context["member_form"] = kwargs.get("member_form") or ProjectMemberForm(organization=self.organization)
            context["role_choices"] = ProjectMemberRoleForm.base_fields["role"].choices  # type: ignore[attr-defined]
            # Each role form carries its member's version; a stale one shows the role chosen and the current version.
            kept_pk, kept_role, kept_version = kwargs.get("role_kept") or (None, "", "")
            for team_member in team:
                kept = team_member.pk == kept_pk
                team_member.row_version = kept_version if kept else row_version(team_member)
                team_member.shown_role = kept_role if kept else team_member.role
                team_member.role_kept = kept
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


class ProjectMemberMixin(ProjectPageMixin):
    """A page about one member of the project's team."""

    model = ProjectMember
    kwargs: dict[str, Any]

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


class ProjectMemberView(ProjectMemberMixin, ProjectOverviewView):
    """POST a new project role for one team member; a stale form shows the overview again, the choice kept."""

    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_MANAGE

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_member()
        return HttpResponseRedirect(self.overview_url())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = self.get_member()
        form = self.with_version(ProjectMemberRoleForm(request.POST), member)
        if not form.is_valid():
            messages.error(request, _("Choose a valid project role."))
        else:
            try:
                with self.unchanged_since_read(form, member):
                    services.project_member_change_role(
                        actor=request.user,  # type: ignore[arg-type]
                        member=member,
                        role=form.cleaned_data["role"],
                    )
            except ApplicationError as error:
                self.report(error)
                if error.code == PRECONDITION_FAILED:
                    kept = (member.pk, form.cleaned_data["role"], getattr(form, "row_version", ""))
                    return self.render_to_response(self.get_context_data(role_kept=kept), status=error.status_code)
            else:
                messages.success(
                    request,
                    _("%(user)s is now %(role)s on the project.")
                    % {"user": member.user, "role": member.get_role_display()},
                )
        return HttpResponseRedirect(self.overview_url())


class ProjectMemberRemoveView(ProjectMemberMixin, TemplateView):
    template_name = "projects/member_remove.html"
    read_action = ProjectAction.PROJECT_MANAGE
    write_action = ProjectAction.PROJECT_MANAGE

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
    read_action = ProjectAction.PROJECT_MANAGE
    write_action = ProjectAction.PROJECT_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or self.with_version(
            ProjectForm(organization=self.organization, instance=self.project), self.project
        )
        context["editing"] = True
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ProjectForm(request.POST, organization=self.organization, instance=copy.copy(self.project))
        self.with_version(form, self.project)
        if form.is_valid():
            try:
                with self.unchanged_since_read(form, self.project):
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
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.GATE_APPROVE

    def criteria(self) -> list[Any]:
        if self.project.phase not in OPEN_PHASES:
            return []
        return services.gate_criteria(self.organization, self.project.phase)

    def computed_checks(self) -> list[dict[str, Any]]:
        """The checks that apply to leaving the current phase, as they stand before anyone decides."""
        return [
            {
                "code": result.code,
                "label": result.label,
                "explanation": result.check.explanation,
                "passed": result.passed,
                "reason": result.reason,
                "remedy_url": (
                    reverse(result.check.remedy_url_name, args=[self.organization.slug, self.project.pk])
                    if result.check.remedy_url_name and not result.passed
                    else ""
                ),
            }
            for result in gate_checks_evaluate(self.project)
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        phase = Phase(self.project.phase)
        criteria = kwargs.get("criteria")
        if criteria is None:
            criteria = self.criteria()
        may_decide = self.can(ProjectAction.GATE_APPROVE)
        computed_checks = self.computed_checks() if NEXT_PHASE.get(phase) else []
        context.update(
            phase=phase,
            next_phase=NEXT_PHASE.get(phase),
            is_open=self.project.is_open,
            may_advance=may_decide and can_pass_gate(self.membership, self.project_role, phase),
            may_cancel=may_decide and can_pass_gate(self.membership, self.project_role, phase, cancel=True),
            computed_checks=computed_checks,
            needs_baseline=any(c["code"] == CURRENT_BASELINE and not c["passed"] for c in computed_checks),
            gate_blocked=any(not c["passed"] for c in computed_checks),
            gate_form=kwargs.get("gate_form") or GateForm(criteria=criteria),
            cancel_form=kwargs.get("cancel_form") or CancelProjectForm(),
            history=[
                {
                    "gate": gate,
                    "from_label": Phase(gate.from_phase).label,
                    "to_label": Phase(gate.to_phase).label,
                    "computed_checks": [recorded_check(item) for item in gate.computed_checks],
                }
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
