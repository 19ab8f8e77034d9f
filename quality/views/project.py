"""A project's quality overview: its figures, non-conformances by severity and status, and what is overdue.

Eight queries besides the page's own: the five of ``quality.selectors.quality_figures`` and one for each
overdue list (non-conformances, inspections, plan entries with no inspection), each cut at ``LISTED``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse

from quality.models import (
    OPEN_NC_STATUSES,
    Inspection,
    InspectionStatus,
    NonConformance,
    PlanEntry,
)
from quality.selectors import OPEN_INSPECTION_STATUSES, quality_figures
from quality.views.base import InProject, QualityPage
from quality.views.figures import SEVERITY_BADGES, FigureLinks, nc_table, url_or_none

#: Rows of each overdue list; the list page has them all.
LISTED = 10


class ProjectQualityView(InProject, QualityPage):
    template_name = "quality/project_overview.html"
    section = "overview"

    def overdue_lists(self, today: Any) -> dict[str, Any]:
        organization, project = self.organization, self.project
        ncs = list(
            NonConformance.objects.for_organization(organization)
            .filter(project=project, status__in=OPEN_NC_STATUSES, due_date__lt=today)
            .order_by("due_date", "number")[:LISTED]
        )
        inspections = list(
            Inspection.objects.for_organization(organization)
            .filter(project=project, status__in=OPEN_INSPECTION_STATUSES, scheduled_date__lt=today)
            .select_related("template")
            .order_by("scheduled_date", "number")[:LISTED]
        )
        scheduled = Inspection.objects.filter(plan_entry=OuterRef("pk")).exclude(status=InspectionStatus.CANCELLED)
        entries = list(
            PlanEntry.objects.for_organization(organization)
            .filter(project=project, planned_date__lt=today)
            .exclude(Exists(scheduled))
            .select_related("wbs_element")
            .order_by("planned_date", "id")[:LISTED]
        )
        slug = organization.slug
        return {
            "overdue_ncs": [
                {
                    "nc": nc,
                    "url": reverse("quality-nc", args=[slug, project.pk, nc.pk]),
                    "days": (today - nc.due_date).days,
                    "badge": SEVERITY_BADGES.get(nc.severity, "badge-grey"),
                }
                for nc in ncs
            ],
            "overdue_inspections": [
                {
                    "inspection": inspection,
                    "url": url_or_none("quality-inspection", slug, project.pk, inspection.pk),
                    "days": (today - inspection.scheduled_date).days,
                }
                for inspection in inspections
                if inspection.scheduled_date is not None
            ],
            "unscheduled_entries": [
                {"entry": entry, "days": (today - entry.planned_date).days}
                for entry in entries
                if entry.planned_date is not None
            ],
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = self.organization.today()
        project = self.project
        figures = quality_figures(self.organization, project.pk, today=today)
        links = FigureLinks(self.organization.slug, project.pk)
        context.update(
            figures=figures,
            today=today,
            links=links.figure_links(),
            nc_table=nc_table(figures, links),
            listed=LISTED,
            **self.overdue_lists(today),
        )
        return context
