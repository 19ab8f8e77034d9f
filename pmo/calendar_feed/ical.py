"""A feed's events from every registered source, written as an iCalendar file (RFC 5545)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import icalendar
from django.utils import timezone

from pmo.calendar_feed.sources import CalendarSource, FeedEvent, FeedQuery, calendar_sources, feed_query
from pmo.models import Membership

PRODUCT_ID = "-//PMO//Calendar feed//EN"
#: How often calendar programs are asked to fetch the feed again.
REFRESH = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Feed:
    query: FeedQuery
    events: list[tuple[CalendarSource, FeedEvent]]

    @property
    def etag(self) -> str:
        """A strong validator of the events and the time zone they are written in (not of ``DTSTAMP``,
        which is the time of each answer): a new time zone of the owner is a new ETag."""
        digest = hashlib.sha256(self.query.time_zone.key.encode())
        for source, event in self.events:
            digest.update(repr((source.code, event)).encode())
        return f'"{digest.hexdigest()[:32]}"'


def feed_for(membership: Membership) -> Feed:
    """Every source's events of the member in the window of ``feed_query``, by day."""
    query = feed_query(membership)
    events = [(source, event) for source in calendar_sources for event in source.events(query)]
    events.sort(key=lambda pair: (_sort_key(pair[1].start), pair[0].code, pair[1].key))
    return Feed(query, events)


def _sort_key(start: dt.date | dt.datetime) -> tuple[dt.date, str]:
    if isinstance(start, dt.datetime):
        return start.date(), start.isoformat()
    return start, ""


def render(feed: Feed, *, name: str, base_url: str) -> bytes:
    """The feed as an iCalendar file: dates as all-day events, times in the feed's time zone (its owner's)."""
    query = feed.query
    organization = query.organization
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", query.time_zone.key)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    for source, item in feed.events:
        event = icalendar.Event()
        event.add("uid", f"{source.code}-{item.key}-{organization.pk}@pmo")
        event.add("dtstamp", stamp)
        event.add("summary", item.summary)
        event.add("categories", [str(source.label)])
        if isinstance(item.start, dt.datetime):
            event.add("dtstart", item.start.astimezone(query.time_zone))
            if isinstance(item.end, dt.datetime):
                event.add("dtend", item.end.astimezone(query.time_zone))
        else:
            event.add("dtstart", item.start)
            event.add("dtend", item.end or item.start + dt.timedelta(days=1))
        # A date in a plan does not make its people busy.
        event.add("transp", "TRANSPARENT")
        if item.description:
            event.add("description", item.description)
        if item.path:
            event.add("url", base_url + item.path)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
