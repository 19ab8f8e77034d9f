"""The milestones of a person's projects in their calendar feed (``pmo.calendar_feed.sources``)."""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pmo.calendar_feed.sources import CalendarSource, FeedEvent, FeedQuery, calendar_sources
from projects.models import Phase, ProjectMember, WbsElement
from projects.permissions import ProjectAction


def milestones(query: FeedQuery) -> list[FeedEvent]:
    """The milestones, on their forecast date (or the day they were reached), of the projects the person
    manages or is on; cancelled projects' are left out. One query."""
    organization = query.organization
    role = ProjectMember.objects.for_organization(organization).filter(
        project=OuterRef("project"), user_id=query.user_id
    )
    rows = (
        WbsElement.objects.for_organization(organization)
        .milestones()
        .annotate(day=Coalesce("actual_finish", "planned_finish"), project_role=Subquery(role.values("role")[:1]))
        .filter(Q(project__manager_id=query.user_id) | Q(project_role__isnull=False))
        .exclude(project__phase=Phase.CANCELLED)
        .filter(day__gte=query.start, day__lte=query.end)
        .values(
            "pk", "name", "code", "day", "actual_finish", "project_id", "project__code", "project__name", "project_role"
        )
    )
    events = []
    for row in rows:
        # Not on the team but named its manager: a manager's view.
        role = row["project_role"] or "manager"
        if not query.may(ProjectAction.PROJECT_VIEW, role):
            continue
        names = {"name": row["name"], "project": row["project__code"]}
        summary = (
            gettext("Milestone reached: %(name)s (%(project)s)") % names
            if row["actual_finish"]
            else gettext("Milestone: %(name)s (%(project)s)") % names
        )
        events.append(
            FeedEvent(
                key=f"milestone-{row['pk']}",
                summary=summary,
                start=row["day"],
                description=f"{row['project__code']} {row['project__name']}\n{row['code']} {row['name']}",
                path=reverse("project-wbs", kwargs={"org_slug": organization.slug, "project_id": row["project_id"]}),
            )
        )
    return events


MILESTONES = CalendarSource("milestones", _("Milestones of your projects"), milestones, queries=1, order=10)


def register() -> None:
    calendar_sources.register(MILESTONES)
