"""The quality app's part of the calendar feed: the inspections the person will carry out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pmo.calendar_feed.sources import feed_query
from pmo.models import Organization, OrgRole
from quality.calendar_sources import inspections
from quality.models import InspectionStatus
from tests.factories import InspectionFactory, member

pytestmark = pytest.mark.django_db


def test_scheduled_and_started_inspections_of_the_inspector_only(organization: Organization) -> None:
    inspector = member(organization, OrgRole.QUALITY)
    day = organization.today() + dt.timedelta(days=4)
    scheduled = InspectionFactory(organization=organization, inspector=inspector.user, scheduled_date=day)
    started = InspectionFactory(
        organization=organization, inspector=inspector.user, scheduled_date=day, status=InspectionStatus.IN_PROGRESS
    )
    InspectionFactory(organization=organization, inspector=inspector.user, scheduled_date=day, status="cancelled")
    InspectionFactory(organization=organization, scheduled_date=day)
    InspectionFactory(organization=organization, inspector=inspector.user, scheduled_date=None)
    found = inspections(feed_query(inspector))
    assert {event.key for event in found} == {f"inspection-{scheduled.pk}", f"inspection-{started.pk}"}
    assert {event.start for event in found} == {day}
    assert found[0].path.startswith("/o/acme/")


def test_inspections_take_one_query(organization: Organization, django_assert_num_queries: Any) -> None:
    inspector = member(organization, OrgRole.QUALITY)
    for _ in range(3):
        InspectionFactory(organization=organization, inspector=inspector.user, scheduled_date=organization.today())
    query = feed_query(inspector)
    with django_assert_num_queries(1):
        assert len(inspections(query)) == 3
