"""The issues log pages: the list with filters and its tab, one issue's page and its writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo.models import OrgRole
from projects.models import ChangeRequest
from risks.models import Issue, IssueStatus
from tests.conftest import page_client_for
from tests.factories import ChangeRequestFactory, IssueFactory, ProjectFactory, RiskFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(organization):
    return ProjectFactory(organization=organization)


@pytest.fixture
def manager(organization):
    return member(organization, OrgRole.PMO, username="pam")


@pytest.fixture
def client(manager):
    return page_client_for(manager.user)


def log(project) -> str:
    return f"/o/acme/projects/{project.pk}/issues/"


def test_an_empty_log_says_so_and_offers_to_raise_an_issue(client, project) -> None:
    text = client.get(log(project)).content.decode()
    assert "No issues yet." in text
    assert 'name="op" value="create"' in text
    assert f'href="/o/acme/projects/{project.pk}/issues/"' in text  # the Issues tab


def test_an_issue_is_raised_from_the_log(client, project, manager) -> None:
    answer = client.post(
        log(project),
        {"op": "create", "title": "Crane down", "severity": "high", "owner": manager.user.pk, "due": "2026-05-01"},
    )
    issue = Issue.objects.for_organization(project.organization).get()
    assert answer.status_code == 302
    assert answer["Location"] == issue.get_absolute_url()
    assert (issue.code, issue.owner, issue.due) == ("I-001", manager.user, dt.date(2026, 5, 1))


def test_a_refused_issue_keeps_the_input(client, project) -> None:
    answer = client.post(log(project), {"op": "create", "title": "Keep me", "severity": "dire"})
    assert answer.status_code == 400
    assert "Keep me" in answer.content.decode()
    assert not Issue.objects.for_organization(project.organization).exists()


def test_a_viewer_reads_the_log_without_the_form(organization, project) -> None:
    IssueFactory(project=project, title="Visible")
    viewer = page_client_for(member(organization, OrgRole.VIEWER).user)
    text = viewer.get(log(project)).content.decode()
    assert "Visible" in text
    assert 'name="op" value="create"' not in text
    assert viewer.post(log(project), {"op": "create", "title": "x"}).status_code == 403


def test_the_log_filters_and_says_when_nothing_matches(client, project) -> None:
    IssueFactory(project=project, title="Late steel", due=dt.date(2020, 1, 1), severity="high")
    IssueFactory(project=project, title="Noise complaint", severity="low")
    text = client.get(log(project) + "?overdue=true").content.decode()
    assert "Late steel" in text
    assert "Noise complaint" not in text
    assert "overdue" in text
    assert "No issues match." in client.get(log(project) + "?severity=critical").content.decode()


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_log_runs_a_fixed_number_of_queries(client, project, manager) -> None:
    def grow(n: int) -> None:
        for i in range(n):
            IssueFactory(
                project=project,
                owner=manager.user,
                risk=RiskFactory(project=project) if i % 2 else None,
                change_request=ChangeRequestFactory(project=project) if i % 3 == 0 else None,
            )

    grow(2)
    few = _queries(client, log(project))
    grow(15)
    assert _queries(client, log(project)) == few


def test_the_issue_page_resolves_and_closes(client, project) -> None:
    issue = IssueFactory(project=project, title="Crane down")
    url = issue.get_absolute_url()
    text = client.get(url).content.decode()
    assert "Crane down" in text
    assert 'name="op" value="resolve"' in text
    assert client.post(url, {"op": "resolve", "resolution": ""}).status_code == 400
    assert client.post(url, {"op": "resolve", "resolution": "A second crane"}).status_code == 302
    issue.refresh_from_db()
    assert issue.status == IssueStatus.RESOLVED
    assert client.post(url, {"op": "close", "resolution": ""}).status_code == 302
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED
    text = client.get(url).content.decode()
    assert 'name="op" value="reopen"' in text
    assert 'name="op" value="save"' not in text


def test_the_issue_is_edited_with_its_version(client, project) -> None:
    issue = IssueFactory(project=project)
    url = issue.get_absolute_url()
    answer = client.post(
        url, {"op": "save", "title": "Renamed", "severity": "critical", "status": "in_progress", "description": ""}
    )
    assert answer.status_code == 302
    issue.refresh_from_db()
    assert (issue.title, issue.severity, issue.status) == ("Renamed", "critical", "in_progress")


def test_the_issue_opens_a_change_request_and_leads_to_it(client, project) -> None:
    issue = IssueFactory(project=project, title="Soil", description="Piles deeper")
    answer = client.post(
        issue.get_absolute_url(), {"op": "change_request", "kind": "cost", "impact_days": "0", "impact_cost": "500"}
    )
    change = ChangeRequest.objects.for_organization(project.organization).get()
    assert answer.status_code == 302
    assert answer["Location"].endswith(f"/change-requests/{change.pk}/")
    text = client.get(issue.get_absolute_url()).content.decode()
    assert f"CR-{change.number}" in text
    assert 'name="op" value="change_request"' not in text


def test_the_issue_page_carries_files(client, project) -> None:
    issue = IssueFactory(project=project)
    text = client.get(issue.get_absolute_url()).content.decode()
    assert "attachments" in text.lower()


def test_another_organisations_issue_is_404(client, other_organization) -> None:
    issue = IssueFactory(project=ProjectFactory(organization=other_organization))
    assert client.get(f"/o/acme/projects/{issue.project_id}/issues/{issue.pk}/").status_code == 404
