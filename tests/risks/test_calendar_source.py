"""The risks app's part of the calendar feed: the reviews of the risks the person owns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pmo.calendar_feed.sources import feed_query
from pmo.models import Organization, OrgRole
from risks.calendar_sources import risk_reviews
from risks.models import RiskStatus
from tests.factories import ProjectFactory, RiskFactory, member

pytestmark = pytest.mark.django_db


def test_reviews_of_open_risks_the_person_owns(organization: Organization) -> None:
    owner = member(organization, OrgRole.RISK)
    day = organization.today() + dt.timedelta(days=14)
    project = ProjectFactory(organization=organization)
    of_project = RiskFactory(organization=organization, project=project, owner=owner.user, next_review=day)
    of_organization = RiskFactory(organization=organization, owner=owner.user, next_review=day)
    RiskFactory(organization=organization, owner=owner.user, next_review=day, status=RiskStatus.CLOSED)
    RiskFactory(organization=organization, next_review=day)
    RiskFactory(organization=organization, owner=owner.user, next_review=None)
    found = {event.key: event for event in risk_reviews(feed_query(owner))}
    assert set(found) == {f"risk-review-{of_project.pk}", f"risk-review-{of_organization.pk}"}
    assert found[f"risk-review-{of_project.pk}"].summary.endswith(f"({project.code})")
    assert found[f"risk-review-{of_organization.pk}"].path == of_organization.get_absolute_url()


def test_risk_reviews_take_one_query(organization: Organization, django_assert_num_queries: Any) -> None:
    owner = member(organization, OrgRole.RISK)
    for _ in range(3):
        RiskFactory(
            organization=organization,
            project=ProjectFactory(organization=organization),
            owner=owner.user,
            next_review=organization.today(),
        )
    query = feed_query(owner)
    with django_assert_num_queries(1):
        assert len(risk_reviews(query)) == 3
