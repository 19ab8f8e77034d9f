"""The maintenance app's part of the calendar feed: rounds to walk and work-order deadlines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone, translation

from maintenance.calendar_sources import rounds, work_order_deadlines
from maintenance.models import RoundStatus, WorkOrderStatus
from pmo.calendar_feed.sources import feed_query
from pmo.models import Organization, OrgRole
from tests.factories import ContractorFactory, RoundFactory, WorkOrderFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The feed renders in its owner's language; these tests read the English texts."""
    with translation.override("en"):
        yield


def test_open_rounds_of_the_inspector_on_their_due_day(organization: Organization) -> None:
    inspector = member(organization, OrgRole.MAINTENANCE)
    day = organization.today() + dt.timedelta(days=3)
    dates = {"period_start": day - dt.timedelta(days=6), "period_end": day, "due_date": day}
    mine = RoundFactory(organization=organization, inspector=inspector.user, **dates)
    RoundFactory(
        organization=organization,
        inspector=inspector.user,
        status=RoundStatus.CANCELLED,
        **{**dates, "period_start": day - dt.timedelta(days=5)},
    )
    RoundFactory(organization=organization, **{**dates, "period_start": day - dt.timedelta(days=4)})
    [event] = rounds(feed_query(inspector))
    assert event.key == f"round-{mine.pk}"
    assert event.start == day


def test_deadlines_of_work_orders_assigned_to_the_person_or_their_firm(organization: Organization) -> None:
    technician = member(organization, OrgRole.MEMBER)
    firm = ContractorFactory(organization=organization, user=technician.user)
    assigned = WorkOrderFactory(organization=organization, assignee=technician.user)
    to_firm = WorkOrderFactory(organization=organization, contractor=firm)
    started = WorkOrderFactory(
        organization=organization,
        assignee=technician.user,
        status=WorkOrderStatus.IN_PROGRESS,
        started_at=timezone.now(),
    )
    WorkOrderFactory(organization=organization, assignee=technician.user, status=WorkOrderStatus.COMPLETED)
    WorkOrderFactory(organization=organization)
    found = {event.key: event for event in work_order_deadlines(feed_query(technician))}
    assert set(found) == {
        f"work-order-{assigned.pk}-response",
        f"work-order-{assigned.pk}-resolution",
        f"work-order-{to_firm.pk}-response",
        f"work-order-{to_firm.pk}-resolution",
        f"work-order-{started.pk}-resolution",
    }
    assert found[f"work-order-{assigned.pk}-resolution"].start == assigned.resolution_due_at
    assert found[f"work-order-{assigned.pk}-response"].summary.startswith(f"Respond by: {assigned.reference}")


def test_maintenance_sources_take_one_query_each(organization: Organization, django_assert_num_queries: Any) -> None:
    person = member(organization, OrgRole.MAINTENANCE)
    day = organization.today()
    for offset in range(3):
        start = day + dt.timedelta(days=offset)
        RoundFactory(
            organization=organization, inspector=person.user, period_start=start, period_end=start, due_date=start
        )
        WorkOrderFactory(organization=organization, assignee=person.user)
    query = feed_query(person)
    with django_assert_num_queries(1):
        assert len(rounds(query)) == 3
    with django_assert_num_queries(1):
        assert len(work_order_deadlines(query)) == 6
