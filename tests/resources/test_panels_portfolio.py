"""The portfolio dashboard's resources panel: over-allocated resources (from their alerts), open requests and
timesheet lines waiting, in three queries whatever the numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from finance.variance import variance_run_batch
from pmo.models import AlertStatus, Membership, Organization, OrgRole
from pmo.navigation import PanelContext
from projects.models import Phase, Project
from resources.alert_kinds import ResourceAlertKind, ResourceSubjectType, overload_subject
from resources.panels import PORTFOLIO_QUERIES, TOP_OVERLOADED, PortfolioResources, portfolio_resources
from tests.conftest import page_client_for
from tests.factories import (
    AlertFactory,
    AlertRuleFactory,
    AssignmentFactory,
    ProjectFactory,
    ResourceFactory,
    ResourceRequestFactory,
    TimesheetLineFactory,
    WbsElementFactory,
    member,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 18)


def context_of(membership: Membership) -> PanelContext:
    return PanelContext(
        request=RequestFactory().get("/"),
        organization=membership.organization,
        membership=membership,
        project=None,
        project_role=None,
    )


def figures(organization: Organization) -> PortfolioResources:
    return portfolio_resources(context_of(member(organization, OrgRole.VIEWER)))["resource_portfolio"]


def shared_resource(organization: Organization) -> tuple[Project, Project]:
    """Li Lei: 8 h a day on A from 16 to 27 March and 4 h a day on B from 23 to 27 March (150 % that week)."""
    a = ProjectFactory(organization=organization, code="A", phase=Phase.EXECUTION)
    b = ProjectFactory(organization=organization, code="B", phase=Phase.EXECUTION)
    li = ResourceFactory(organization=organization, code="R-01", name="Li Lei")
    for project, start, finish, units in (
        (a, "2026-03-16", "2026-03-27", "100"),
        (b, "2026-03-23", "2026-03-27", "50"),
    ):
        element = WbsElementFactory(
            project=project, planned_start=dt.date.fromisoformat(start), planned_finish=dt.date.fromisoformat(finish)
        )
        AssignmentFactory(project=project, task=element, resource=li, units=Decimal(units))
    return a, b


def test_the_over_allocated_resources_are_those_the_alerts_found(organization: Organization) -> None:
    a, b = shared_resource(organization)
    assert figures(organization).overloaded == 0  # not evaluated yet
    variance_run_batch(organization=organization, project_ids=[a.pk, b.pk], as_of=TODAY)
    found = figures(organization)
    assert found.overloaded == 1
    [li] = found.top
    assert (li.label, li.peak, li.projects, li.weeks) == ("R-01 Li Lei", Decimal("150"), 2, "2026-03-23 (150%)")


def test_requests_and_lines_waiting_are_counted(organization: Organization) -> None:
    project = ProjectFactory(organization=organization, phase=Phase.EXECUTION)
    for status in ("open", "open", "proposed", "fulfilled", "declined"):
        ResourceRequestFactory(project=project, status=status)
    oldest = timezone.now() - dt.timedelta(days=4)
    TimesheetLineFactory(organization=organization, status="submitted", submitted_at=oldest)
    TimesheetLineFactory(organization=organization, status="submitted", submitted_at=timezone.now())
    TimesheetLineFactory(organization=organization, category="admin", task=None, project=None, status="submitted")
    TimesheetLineFactory(organization=organization, status="approved", submitted_at=oldest - dt.timedelta(days=1))
    found = figures(organization)
    assert (found.open_requests, found.proposed_requests) == (2, 1)
    assert (found.lines_waiting, found.oldest_waiting) == (3, oldest)


def test_the_top_five_are_the_highest_peaks_each_resource_once(organization: Organization) -> None:
    rule = AlertRuleFactory(organization=organization, kind=ResourceAlertKind.OVERALLOCATED, threshold=Decimal(110))
    projects = [ProjectFactory(organization=organization) for _index in range(2)]
    for number, peak in enumerate(("120", "180", "135", "111.5", "160", "200", "125")):
        resource = ResourceFactory(organization=organization, code=f"R-{number}", name=f"Person {number}")
        for project, value in zip(projects, (peak, "112"), strict=True):
            AlertFactory(
                project=project,
                rule=rule,
                severity="amber",
                subject_type=ResourceSubjectType.OVERLOAD,
                subject_id=overload_subject(resource.pk, project.pk),
                figures={"value": value, "resource": str(resource), "weeks": f"2026-03-23 ({value}%)"},
            )
    resolved = ResourceFactory(organization=organization, code="R-9")
    AlertFactory(
        project=projects[0],
        rule=rule,
        status=AlertStatus.RESOLVED,
        subject_type=ResourceSubjectType.OVERLOAD,
        subject_id=overload_subject(resolved.pk, projects[0].pk),
        figures={"value": "300", "resource": str(resolved)},
    )
    found = figures(organization)
    assert found.overloaded == 7
    assert [(item.label, item.peak, item.projects) for item in found.top] == [
        ("R-5 Person 5", Decimal("200"), 2),
        ("R-1 Person 1", Decimal("180"), 2),
        ("R-4 Person 4", Decimal("160"), 2),
        ("R-2 Person 2", Decimal("135"), 2),
        ("R-6 Person 6", Decimal("125"), 2),
    ]
    assert len(found.top) == TOP_OVERLOADED


def test_the_panel_runs_three_queries_for_an_empty_organisation_and_a_busy_one(organization: Organization) -> None:
    def measure() -> int:
        viewer = member(organization, OrgRole.VIEWER)
        with CaptureQueriesContext(connection) as queries:
            portfolio_resources(context_of(viewer))
        return len(queries)

    empty = measure()
    a, b = shared_resource(organization)
    variance_run_batch(organization=organization, project_ids=[a.pk, b.pk], as_of=TODAY)
    ResourceRequestFactory(project=a)
    TimesheetLineFactory(organization=organization, status="submitted", submitted_at=timezone.now())
    assert empty == measure() == PORTFOLIO_QUERIES == 3


def test_the_dashboard_shows_the_panel_in_both_languages(organization: Organization) -> None:
    a, b = shared_resource(organization)
    variance_run_batch(organization=organization, project_ids=[a.pk, b.pk], as_of=TODAY)
    pmo = member(organization, OrgRole.PMO).user
    html = page_client_for(pmo).get("/o/acme/").content.decode()
    assert 'data-panel="portfolio-resources"' in html
    assert 'id="resources-over" data-value="1"' in html
    assert "R-01 Li Lei" in html
    pmo.language = "zh-hans"
    pmo.save(update_fields=["language"])
    assert "超负荷资源" in page_client_for(pmo).get("/o/acme/").content.decode()
