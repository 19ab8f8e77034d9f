"""A project's inspection and test plan: the table of entries (hold points marked, each entry's latest
inspection) with the add and edit form beside it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from projects.models import Phase
from quality.inspection_filters import latest_inspection
from quality.inspection_forms import PlanEntryForm, current_templates
from quality.models import ChecklistTemplate, InspectionStatus, Outcome, PlanEntry
from quality.permissions import QualityAction
from quality.services import plan as services
from quality.services.settings import quality_settings_for
from quality.views.base import InProject, QualityPage

STATUS_BADGES: dict[str, str] = {
    InspectionStatus.SCHEDULED: "badge-blue",
    InspectionStatus.IN_PROGRESS: "badge-amber",
    InspectionStatus.SIGNED: "badge-grey",
    InspectionStatus.CANCELLED: "badge-grey",
}
OUTCOME_BADGES: dict[str, str] = {
    Outcome.PASSED: "badge-green",
    Outcome.PASSED_WITH_REMARKS: "badge-amber",
    Outcome.FAILED: "badge-red",
}


def may_schedule(page: QualityPage) -> bool:
    """Whether the member may schedule some inspection on the page's project: as a planner, as the
    quality role, or in a project role the organisation lets inspect safety and environment."""
    project = getattr(page, "project", None)
    if project is None or not project.is_open:
        return False
    if page.can(QualityAction.PLAN_MANAGE) or page.can(QualityAction.INSPECT):
        return True
    return bool(
        page.project_role
        and page.can(QualityAction.INSPECT_FIELD)
        and page.project_role in (quality_settings_for(page.organization).field_inspector_roles or [])
    )


class PlanView(InProject, QualityPage):
    """``GET`` the plan (``?edit=<id>`` opens an entry in the form); ``POST`` ``op`` = save or delete."""

    template_name = "quality/plan.html"
    section = "plan"
    write_action = QualityAction.PLAN_MANAGE

    def entries(self) -> list[PlanEntry]:
        return list(
            PlanEntry.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("wbs_element")
            .annotate(
                latest_status=latest_inspection("status"),
                latest_outcome=latest_inspection("outcome"),
                latest_id=latest_inspection("id"),
                latest_number=latest_inspection("number"),
            )
            .order_by("planned_date", "id")
        )

    def templates(self) -> list[ChecklistTemplate]:
        return list(current_templates(self.organization).select_related("inspection_type"))

    def edited(self) -> PlanEntry | None:
        pk = self.request.POST.get("entry") if self.request.method == "POST" else self.request.GET.get("edit")
        if not pk or not str(pk).isdigit():
            return None
        return get_object_or_404(
            PlanEntry.objects.for_organization(self.organization).filter(project=self.project), pk=pk
        )

    def plan_url(self) -> str:
        return reverse(
            "project-quality-plan", kwargs={"org_slug": self.organization.slug, "project_id": self.project.pk}
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        may_manage = self.can(QualityAction.PLAN_MANAGE) and self.project.is_open
        templates = kwargs.get("templates") or self.templates()
        names = {template.code: template for template in templates}
        entry = kwargs.get("entry", self.edited() if may_manage else None)
        form = kwargs.get("form")
        if form is None and may_manage:
            form = PlanEntryForm(
                initial=PlanEntryForm.initial_of(entry) if entry else {},
                project=self.project,
                templates=templates,
            )
        phases = dict(Phase.choices)
        roles = dict(services.INSPECTOR_ROLES)
        rows = []
        for plan_entry in self.entries():
            template = names.get(plan_entry.template_code)
            latest_url = ""
            if plan_entry.latest_id:  # type: ignore[attr-defined]
                latest_url = reverse(
                    "quality-inspection",
                    kwargs={
                        "org_slug": self.organization.slug,
                        "project_id": self.project.pk,
                        "inspection_id": plan_entry.latest_id,  # type: ignore[attr-defined]
                    },
                )
            rows.append(
                {
                    "entry": plan_entry,
                    "template_name": template.name if template else "",
                    "phase": phases.get(plan_entry.phase, ""),
                    "role": roles.get(plan_entry.inspector_role, ""),
                    "latest_status": InspectionStatus(plan_entry.latest_status).label  # type: ignore[attr-defined]
                    if plan_entry.latest_status  # type: ignore[attr-defined]
                    else "",
                    "latest_badge": OUTCOME_BADGES.get(plan_entry.latest_outcome)  # type: ignore[attr-defined]
                    or STATUS_BADGES.get(plan_entry.latest_status, "badge-grey"),  # type: ignore[attr-defined]
                    "latest_outcome": Outcome(plan_entry.latest_outcome).label  # type: ignore[attr-defined]
                    if plan_entry.latest_outcome  # type: ignore[attr-defined]
                    else "",
                    "latest_code": f"I-{plan_entry.latest_number:03d}" if plan_entry.latest_number else "",  # type: ignore[attr-defined]
                    "latest_url": latest_url,
                }
            )
        context.update(
            rows=rows,
            form=form,
            entry=entry,
            may_manage=may_manage,
            may_schedule=may_schedule(self),
            plan_url=self.plan_url(),
            hold_points=sum(1 for row in rows if row["entry"].hold_point),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.project.is_open:
            raise PermissionDenied
        entry = self.edited()
        if request.POST.get("op") == "delete":
            if entry is None:
                return HttpResponseRedirect(self.plan_url())
            _result, status = self.attempt(lambda: services.plan_entry_delete(actor=self.actor, entry=entry))
            if status == 200:
                messages.success(request, _("The plan entry was deleted."))
            return HttpResponseRedirect(self.plan_url())
        templates = self.templates()
        form = PlanEntryForm(request.POST, project=self.project, templates=templates)
        if not form.is_valid():
            return self.render_page(400, form=form, entry=entry, templates=templates)
        values = form.cleaned_data
        if entry is None:
            call: Any = lambda: services.plan_entry_add(actor=self.actor, project=self.project, **values)  # noqa: E731
        else:
            call = lambda: services.plan_entry_update(actor=self.actor, entry=entry, **values)  # noqa: E731
        _result, status = self.attempt(call, form)
        if status != 200:
            return self.render_page(status, form=form, entry=entry, templates=templates)
        return HttpResponseRedirect(self.plan_url())
