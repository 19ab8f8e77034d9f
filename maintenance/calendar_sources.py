"""A person's inspection rounds and work-order deadlines in their calendar feed (``pmo.calendar_feed.sources``)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from maintenance.models import OPEN_STATUSES, Round, RoundStatus, WorkOrder
from maintenance.permissions import MaintenanceAction
from pmo.calendar_feed.sources import CalendarSource, FeedEvent, FeedQuery, calendar_sources


def rounds(query: FeedQuery) -> list[FeedEvent]:
    """The scheduled and started rounds the person is the inspector of, as all-day events over their
    period up to the day they are due. One query."""
    if not query.may(MaintenanceAction.VIEW):
        return []
    slug = query.organization.slug
    rows = (
        Round.objects.for_organization(query.organization)
        .filter(
            inspector_id=query.user_id,
            status__in=(RoundStatus.SCHEDULED, RoundStatus.IN_PROGRESS),
            due_date__gte=query.start,
            due_date__lte=query.end,
        )
        .values("pk", "plan__name", "period_start", "period_end", "due_date")
        .order_by("due_date", "pk")
    )
    return [
        FeedEvent(
            key=f"round-{row['pk']}",
            summary=gettext("Inspection round due: %(plan)s") % {"plan": row["plan__name"]},
            start=row["due_date"],
            description=gettext("Period %(start)s to %(end)s")
            % {"start": row["period_start"].isoformat(), "end": row["period_end"].isoformat()},
            path=reverse("org-maintenance-round", kwargs={"org_slug": slug, "round_id": row["pk"]}),
        )
        for row in rows
    ]


def work_order_deadlines(query: FeedQuery) -> list[FeedEvent]:
    """The SLA deadlines still ahead of the open work orders assigned to the person or to the contractor
    whose login they are: respond by (until work starts) and resolve by, at their time. One query."""
    if not query.may(MaintenanceAction.VIEW):
        return []
    slug = query.organization.slug
    window = Q(response_due_at__gte=query.starts_at, response_due_at__lt=query.ends_before) | Q(
        resolution_due_at__gte=query.starts_at, resolution_due_at__lt=query.ends_before
    )
    rows = (
        WorkOrder.objects.for_organization(query.organization)
        .filter(Q(assignee_id=query.user_id) | Q(contractor__user_id=query.user_id), window, status__in=OPEN_STATUSES)
        .values("pk", "number", "title", "started_at", "response_due_at", "resolution_due_at", "priority")
        .order_by("resolution_due_at", "pk")
    )
    events = []
    for row in rows:
        reference = f"WO-{row['number']:05d}"
        names = {"reference": reference, "title": row["title"]}
        path = reverse("org-maintenance-work-order", kwargs={"org_slug": slug, "pk": row["pk"]})
        deadlines = [("resolution", gettext("Resolve by: %(reference)s %(title)s"), row["resolution_due_at"])]
        if row["started_at"] is None:
            deadlines.insert(0, ("response", gettext("Respond by: %(reference)s %(title)s"), row["response_due_at"]))
        for kind, text, due in deadlines:
            if query.starts_at <= due < query.ends_before:
                events.append(
                    FeedEvent(
                        key=f"work-order-{row['pk']}-{kind}",
                        summary=text % names,
                        start=due,
                        description=gettext("Priority %(priority)s") % {"priority": row["priority"]},
                        path=path,
                    )
                )
    return events


ROUNDS = CalendarSource("rounds", _("Inspection rounds you will walk"), rounds, queries=1, order=50)
WORK_ORDERS = CalendarSource(
    "work_orders", _("Deadlines of work orders assigned to you"), work_order_deadlines, queries=1, order=60
)


def register() -> None:
    calendar_sources.register(ROUNDS)
    calendar_sources.register(WORK_ORDERS)
