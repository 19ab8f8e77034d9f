"""What apps put in a person's calendar feed: each registers a source in its ``AppConfig.ready()``.

The core owns the token and the feed and names no app. A source is a function of a
:class:`FeedQuery` (the organisation, the member, the window of days, the time zone) that returns
:class:`FeedEvent` values, and declares ``queries``, the fixed number it runs whatever the number of
events; ``tests/pmo/test_calendar_feed.py`` pins the feed's total against the declarations::

    calendar_sources.register(CalendarSource("risk_reviews", _("Risk reviews"), risk_reviews, queries=1))
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from pmo.policy import can

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from pmo.models import Membership, Organization, User

#: The days a feed covers around its owner's today.
DAYS_BACK = 90
DAYS_AHEAD = 365


@dataclass(frozen=True)
class FeedQuery:
    """Whose feed, and which days: ``start`` to ``end`` inclusive, in the feed's ``time_zone``."""

    membership: Membership
    start: dt.date
    end: dt.date
    time_zone: zoneinfo.ZoneInfo

    @property
    def organization(self) -> Organization:
        return self.membership.organization

    @property
    def user(self) -> User:
        return self.membership.user

    @property
    def user_id(self) -> int:
        return self.membership.user_id

    @property
    def starts_at(self) -> dt.datetime:
        """The first instant of the window, for date-time columns."""
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=self.time_zone)

    @property
    def ends_before(self) -> dt.datetime:
        """The first instant after the window."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=self.time_zone)

    def may(self, action: str, project_role: str | None = None) -> bool:
        return can(self.membership, action, project_role)


def feed_query(membership: Membership) -> FeedQuery:
    """The member's window, ``DAYS_BACK`` before their today to ``DAYS_AHEAD`` after, in their time zone.

    The feed's owner's own time zone, else the organisation's (``User.time_zone_in``): a calendar
    program fetches the feed without a session, so nobody else's preference applies.
    """
    time_zone = zoneinfo.ZoneInfo(membership.user.time_zone_in(membership.organization))
    today = timezone.now().astimezone(time_zone).date()
    return FeedQuery(
        membership=membership,
        start=today - dt.timedelta(days=DAYS_BACK),
        end=today + dt.timedelta(days=DAYS_AHEAD),
        time_zone=time_zone,
    )


@dataclass(frozen=True)
class FeedEvent:
    """One event: all day when ``start`` is a date, at a time (shown in the feed's time zone) otherwise.

    ``key`` is stable for the same record and kind of date (``"inspection-12"``), so that calendar
    programs update the event rather than adding another; ``path`` is the record's page.
    ``end`` is exclusive (the day after the last for all-day events); none: a day, or an instant.
    """

    key: str
    summary: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime | None = None
    description: str = ""
    path: str = ""


@dataclass(frozen=True)
class CalendarSource:
    code: str
    label: StrOrPromise
    events: Callable[[FeedQuery], Iterable[FeedEvent]]
    queries: int
    order: int = 100


class CalendarSources:
    """The registered sources by code, in their order; a code registered twice differently is an error."""

    def __init__(self) -> None:
        self._sources: dict[str, CalendarSource] = {}

    def register(self, source: CalendarSource) -> CalendarSource:
        known = self._sources.get(source.code)
        if known is not None and known != source:
            raise ImproperlyConfigured(f"The calendar source {source.code!r} is registered twice.")
        self._sources[source.code] = source
        return source

    def unregister(self, source: CalendarSource) -> None:
        self._sources.pop(source.code, None)

    def __iter__(self) -> Iterator[CalendarSource]:
        return iter(sorted(self._sources.values(), key=lambda source: (source.order, source.code)))

    @property
    def queries(self) -> int:
        """What every source runs together."""
        return sum(source.queries for source in self)


calendar_sources = CalendarSources()
