"""The review dates of the risks a person owns in their calendar feed (``pmo.calendar_feed.sources``)."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pmo.calendar_feed.sources import CalendarSource, FeedEvent, FeedQuery, calendar_sources
from risks.models import Risk
from risks.permissions import RiskAction


def risk_reviews(query: FeedQuery) -> list[FeedEvent]:
    """The next review of each open risk the person owns, of a project or of the organisation. One query."""
    if not query.may(RiskAction.RISK_VIEW):
        return []
    rows = (
        Risk.objects.for_organization(query.organization)
        .open()
        .filter(owner_id=query.user_id, next_review__gte=query.start, next_review__lte=query.end)
        .select_related("organization", "project")
        .order_by("next_review", "pk")
    )
    return [
        FeedEvent(
            key=f"risk-review-{risk.pk}",
            summary=gettext("Risk review: %(code)s %(title)s") % {"code": risk.code, "title": risk.title}
            + (f" ({risk.project.code})" if risk.project is not None else ""),
            start=risk.next_review,
            description=str(risk.project) if risk.project is not None else "",
            path=risk.get_absolute_url(),
        )
        for risk in rows
    ]


RISK_REVIEWS = CalendarSource("risk_reviews", _("Reviews of the risks you own"), risk_reviews, queries=1, order=40)


def register() -> None:
    calendar_sources.register(RISK_REVIEWS)
