"""Helpers and the tab bar shared by the project pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from pmo import navigation
from pmo.navigation import Link
from projects.models import (
    Phase,
    Project,
    StageGate,
    TaskStatus,
    WbsElement,
)
from projects.pages import ProjectPageMixin

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


class ProjectTabsMixin(ProjectPageMixin):
    """A project page with the project's header, lifecycle and tabs."""

    tab = ""

    def project_url(self, name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs={"org_slug": self.organization.slug, "project_id": self.project.pk, **kwargs})

    def tabs(self) -> list[Link]:
        """The tabs the apps registered (``pmo.navigation.project_tabs``) that this member may see here."""
        return navigation.project_tabs.links(self.membership, self.organization, self.project, self.project_role)

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
