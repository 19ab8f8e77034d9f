"""A person's planned inspections in their calendar feed (``pmo.calendar_feed.sources``)."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pmo.calendar_feed.sources import CalendarSource, FeedEvent, FeedQuery, calendar_sources
from quality.models import Inspection, InspectionStatus
from quality.permissions import QualityAction


def inspections(query: FeedQuery) -> list[FeedEvent]:
    """The scheduled and started inspections the person is the inspector of, on their day. One query."""
    if not query.may(QualityAction.QUALITY_VIEW):
        return []
    rows = (
        Inspection.objects.for_organization(query.organization)
        .filter(
            inspector_id=query.user_id,
            status__in=(InspectionStatus.SCHEDULED, InspectionStatus.IN_PROGRESS),
            scheduled_date__gte=query.start,
            scheduled_date__lte=query.end,
        )
        .select_related("organization", "project", "template")
        .order_by("scheduled_date", "pk")
    )
    return [
        FeedEvent(
            key=f"inspection-{inspection.pk}",
            summary=gettext("Inspection %(code)s: %(checklist)s (%(project)s)")
            % {"code": inspection.code, "checklist": inspection.template.name, "project": inspection.project.code},
            start=inspection.scheduled_date,
            description="\n".join(
                part for part in (str(inspection.project), inspection.location, inspection.participants) if part
            ),
            path=inspection.get_absolute_url(),
        )
        for inspection in rows
    ]


INSPECTIONS = CalendarSource("inspections", _("Inspections you will carry out"), inspections, queries=1, order=30)


def register() -> None:
    calendar_sources.register(INSPECTIONS)
