"""The issues log: raising, resolving, closing, an occurred risk's issue and its change request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Membership, OrgRole
from projects.models import ChangeRequest, ChangeRequestElement, Phase
from risks.models import Issue, IssueStatus, RiskAssessment, RiskStatus
from risks.services import issues as services
from tests.factories import (
    ChangeRequestFactory,
    IssueFactory,
    ProjectFactory,
    RiskFactory,
    RiskWbsLinkFactory,
    UserFactory,
    member,
)


@pytest.fixture
def manager(organization) -> Membership:
    return member(organization, OrgRole.PMO, username="pam")


@pytest.fixture
def project(organization):
    return ProjectFactory(organization=organization)


def test_issues_are_numbered_per_project(project, manager, organization) -> None:
    first = services.issue_raise(actor=manager.user, project=project, title="Crane down")
    second = services.issue_raise(actor=manager.user, project=project, title="Late steel", severity="high")
    other = services.issue_raise(actor=manager.user, project=ProjectFactory(organization=organization), title="x")
    assert (first.code, second.code, other.code) == ("I-001", "I-002", "I-001")
    assert second.severity == "high"
    assert AuditEvent.objects.for_organization(organization).filter(action="issue.raised").count() == 3


def test_bad_input_raises_nothing(project, manager) -> None:
    cases = [
        {"title": "  "},
        {"title": "x", "severity": "apocalyptic"},
        {"title": "x", "owner": UserFactory()},
        {"title": "x", "due": dt.date(2500, 1, 1)},
    ]
    for fields in cases:
        with pytest.raises(ApplicationError):
            services.issue_raise(actor=manager.user, project=project, **fields)
    assert not Issue.objects.for_organization(project.organization).exists()


def test_a_closed_project_takes_no_issue(manager, organization) -> None:
    project = ProjectFactory(organization=organization, phase=Phase.CLOSED)
    with pytest.raises(ApplicationError) as error:
        services.issue_raise(actor=manager.user, project=project, title="x")
    assert error.value.code == "project_closed"


def test_an_issue_is_updated_and_moves_between_open_and_in_progress(project, manager) -> None:
    issue = IssueFactory(project=project)
    services.issue_update(
        actor=manager.user, issue=issue, status="in_progress", severity="critical", owner=manager.user
    )
    issue.refresh_from_db()
    assert (issue.status, issue.severity, issue.owner) == ("in_progress", "critical", manager.user)
    with pytest.raises(ApplicationError) as error:
        services.issue_update(actor=manager.user, issue=issue, status="resolved")
    assert "status" in error.value.fields


def test_resolving_needs_a_resolution_and_stamps_the_time(project, manager) -> None:
    issue = IssueFactory(project=project)
    with pytest.raises(ApplicationError) as error:
        services.issue_resolve(actor=manager.user, issue=issue, resolution=" ")
    assert "resolution" in error.value.fields
    services.issue_resolve(actor=manager.user, issue=issue, resolution="Hired a second crane")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.RESOLVED
    assert issue.resolved_at is not None
    with pytest.raises(ApplicationError) as error:
        services.issue_resolve(actor=manager.user, issue=issue, resolution="again")
    assert error.value.code == "illegal_transition"


def test_closing_an_unresolved_issue_needs_its_resolution(project, manager) -> None:
    issue = IssueFactory(project=project)
    with pytest.raises(ApplicationError):
        services.issue_close(actor=manager.user, issue=issue)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN
    services.issue_close(actor=manager.user, issue=issue, resolution="Accepted the delay")
    issue.refresh_from_db()
    assert (issue.status, issue.resolution) == (IssueStatus.CLOSED, "Accepted the delay")


def test_a_resolved_issue_closes_with_its_resolution(project, manager) -> None:
    issue = IssueFactory(project=project, status=IssueStatus.RESOLVED, resolution="Fixed")
    services.issue_close(actor=manager.user, issue=issue)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED


def test_a_closed_issue_is_reopened_before_it_changes(project, manager) -> None:
    issue = IssueFactory(project=project, status=IssueStatus.CLOSED, resolution="Fixed")
    with pytest.raises(ApplicationError):
        services.issue_update(actor=manager.user, issue=issue, title="New")
    services.issue_reopen(actor=manager.user, issue=issue, reason="It came back")
    issue.refresh_from_db()
    assert (issue.status, issue.resolved_at, issue.resolution) == (IssueStatus.OPEN, None, "Fixed")


# --- occurred risks -----------------------------------------------------------------------


@pytest.fixture
def risk(project, manager):
    return RiskFactory(
        project=project,
        status=RiskStatus.RESPONDING,
        title="Crane failure",
        event="The tower crane fails",
        effect="Lifting stops for a week",
        owner=manager.user,
        score=12,
        level="medium",
        emv=Decimal("5000.00"),
    )


def test_an_occurred_risk_becomes_one_linked_issue_and_keeps_its_history(risk, manager) -> None:
    issue = services.risk_occurred(actor=manager.user, risk=risk, severity="high", due=dt.date(2026, 7, 1))

    risk.refresh_from_db()
    assert risk.status == RiskStatus.OCCURRED
    assert risk.occurred_at is not None
    assert (issue.risk, issue.title, issue.severity, issue.owner, issue.code) == (
        risk,
        "Crane failure",
        "high",
        manager.user,
        "I-001",
    )
    assert issue.description == "The tower crane fails\n\nLifting stops for a week"
    entry = RiskAssessment.objects.for_organization(risk.organization).get(risk=risk)
    assert entry.changes == {"status": ["responding", "occurred"]}
    assert "I-001" in entry.reason
    assert entry.is_open is False
    with pytest.raises(ApplicationError) as error:
        services.risk_occurred(actor=manager.user, risk=risk, severity="high")
    assert error.value.code == "already_occurred"
    assert Issue.objects.for_organization(risk.organization).count() == 1


def test_a_closed_risk_cannot_occur(project, manager) -> None:
    risk = RiskFactory(project=project, status=RiskStatus.CLOSED)
    with pytest.raises(ApplicationError) as error:
        services.risk_occurred(actor=manager.user, risk=risk, severity="high")
    assert error.value.code == "risk_not_open"
    assert not Issue.objects.for_organization(project.organization).exists()
    assert not RiskAssessment.objects.for_organization(project.organization).exists()


def test_an_occurrence_with_a_bad_severity_leaves_the_risk_as_it_was(risk, manager) -> None:
    with pytest.raises(ApplicationError):
        services.risk_occurred(actor=manager.user, risk=risk, severity="dire")
    risk.refresh_from_db()
    assert risk.status == RiskStatus.RESPONDING


def test_an_organisation_level_risk_has_no_issues_log(manager, organization) -> None:
    risk = RiskFactory(project=None, organization=organization)
    with pytest.raises(ApplicationError) as error:
        services.risk_occurred(actor=manager.user, risk=risk, severity="high")
    assert error.value.code == "no_project"


# --- change requests ----------------------------------------------------------------------


def test_an_issue_opens_a_change_request_prefilled_from_it(risk, manager) -> None:
    link = RiskWbsLinkFactory(risk=risk)
    issue = services.risk_occurred(actor=manager.user, risk=risk, severity="high", description="Crane gearbox broke")

    with translation.override("en"):
        change = services.issue_open_change_request(actor=manager.user, issue=issue, kind="schedule", impact_days=5)

    issue.refresh_from_db()
    assert issue.change_request == change
    assert change.title == "I-001 Crane failure"
    assert change.description == "Crane gearbox broke"
    assert "I-001" in change.reason
    assert "High" in change.reason
    assert (change.status, change.impact_days, change.requested_by) == ("draft", 5, manager.user)
    affected = ChangeRequestElement.objects.for_organization(risk.organization).filter(change_request=change)
    assert list(affected.values_list("element_id", flat=True)) == [link.element_id]


def test_a_second_change_request_waits_for_the_first_to_be_decided(project, manager) -> None:
    issue = IssueFactory(project=project)
    services.issue_open_change_request(actor=manager.user, issue=issue, kind="scope")
    with pytest.raises(ApplicationError) as error:
        services.issue_open_change_request(actor=manager.user, issue=issue, kind="scope")
    assert error.value.code == "change_request_open"
    assert ChangeRequest.objects.for_organization(project.organization).count() == 1


def test_a_rejected_change_request_lets_the_issue_open_another(project, manager) -> None:
    rejected = ChangeRequestFactory(project=project, status="rejected")
    issue = IssueFactory(project=project, change_request=rejected)
    change = services.issue_open_change_request(actor=manager.user, issue=issue, kind="cost", title="Buy a crane")
    issue.refresh_from_db()
    assert issue.change_request == change
    assert change.title == "Buy a crane"


def test_an_unknown_kind_of_change_is_refused(project, manager) -> None:
    issue = IssueFactory(project=project)
    with pytest.raises(ApplicationError) as error:
        services.issue_open_change_request(actor=manager.user, issue=issue, kind="magic")
    assert "kind" in error.value.fields
    assert not ChangeRequest.objects.for_organization(project.organization).exists()
