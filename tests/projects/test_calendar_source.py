"""The projects app's part of the calendar feed: the milestones of the person's projects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from pmo.calendar_feed.sources import feed_query
from pmo.models import Membership, Organization, OrgRole
from projects.calendar_sources import milestones
from projects.models import Phase, WbsElement
from tests.factories import ProjectFactory, ProjectMemberFactory, WbsElementFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The feed renders in its owner's language; these tests read the English texts."""
    with translation.override("en"):
        yield


def milestone(project: Any, day: dt.date, **fields: Any) -> WbsElement:
    return WbsElementFactory(
        project=project, kind=WbsElement.Kind.MILESTONE, duration=0, planned_start=day, planned_finish=day, **fields
    )


@pytest.fixture
def person(organization: Organization) -> Membership:
    return member(organization, OrgRole.MEMBER)


def test_milestones_of_projects_the_person_is_on_or_manages_and_no_others(
    organization: Organization, person: Membership
) -> None:
    day = organization.today() + dt.timedelta(days=20)
    on_team = ProjectFactory(organization=organization)
    ProjectMemberFactory(project=on_team, user=person.user, role="member")
    managed = ProjectFactory(organization=organization, manager=person.user)
    elsewhere = ProjectFactory(organization=organization)
    wanted = {milestone(on_team, day).pk, milestone(managed, day).pk}
    milestone(elsewhere, day)
    WbsElementFactory(project=on_team, kind=WbsElement.Kind.TASK, planned_finish=day)
    found = milestones(feed_query(person))
    assert {event.key for event in found} == {f"milestone-{pk}" for pk in wanted}
    assert all(event.start == day for event in found)


def test_a_reached_milestone_sits_on_the_day_it_was_reached(organization: Organization, person: Membership) -> None:
    project = ProjectFactory(organization=organization, manager=person.user)
    planned = organization.today() + dt.timedelta(days=5)
    reached = organization.today() - dt.timedelta(days=2)
    milestone(project, planned, name="Handover", actual_start=reached, actual_finish=reached)
    [event] = milestones(feed_query(person))
    assert event.start == reached
    assert event.summary.startswith("Milestone reached: Handover")


def test_cancelled_projects_leave_the_feed(organization: Organization, person: Membership) -> None:
    project = ProjectFactory(organization=organization, manager=person.user, phase=Phase.CANCELLED)
    milestone(project, organization.today())
    assert milestones(feed_query(person)) == []


def test_milestones_take_one_query(
    organization: Organization, person: Membership, django_assert_num_queries: Any
) -> None:
    for _ in range(3):
        milestone(ProjectFactory(organization=organization, manager=person.user), organization.today())
    query = feed_query(person)
    with django_assert_num_queries(1):
        assert len(milestones(query)) == 3
