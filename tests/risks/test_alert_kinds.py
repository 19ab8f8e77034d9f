"""The risk register's alert kinds, raised by the variance run and resolved when their condition clears."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from finance.models import BudgetVersion
from finance.variance import variance_run_batch
from pmo.alerts.kinds import alert_kinds, alert_message
from pmo.models import Alert, AlertStatus, Organization, OrgRole, Severity
from projects.models import Phase, Project
from risks.alert_kinds import RiskAlertKind, RiskSubjectType, evaluate
from risks.models import ActionStatus, Risk, RiskStatus
from tests.alert_kinds import SubjectType
from tests.factories import (
    BudgetVersionFactory,
    MonteCarloRunFactory,
    ProjectFactory,
    ResponseActionFactory,
    RiskAssessmentFactory,
    RiskFactory,
    RiskResponseFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 20)  # a Friday


def new_project(organization: Organization, code: str = "P1", **fields: Any) -> Project:
    return cast(
        Project, ProjectFactory(organization=organization, code=code, name="Bridge", phase=Phase.EXECUTION, **fields)
    )


def new_risk(project: Project, **fields: Any) -> Risk:
    values: dict[str, Any] = {"status": RiskStatus.ASSESSED, "title": "Flood"}
    values.update(fields)
    return cast(Risk, RiskFactory(project=project, organization=project.organization, **values))


def run(*projects: Project, day: dt.date = TODAY) -> None:
    variance_run_batch(organization=projects[0].organization, project_ids=[p.pk for p in projects], as_of=day)


def active(organization: Organization, kind: str) -> list[Alert]:
    return list(
        Alert.objects.for_organization(organization)
        .filter(kind=kind)
        .exclude(status=AlertStatus.RESOLVED)
        .order_by("subject_id")
    )


@pytest.fixture
def project(organization: Organization) -> Project:
    return new_project(organization)


def test_risks_registers_five_kinds_with_defaults_and_bilingual_wording() -> None:
    codes = [spec.code for spec in alert_kinds if spec.code in RiskAlertKind.values]
    assert codes == [
        "high_risk_unanswered",
        "risk_review_overdue",
        "risk_action_overdue",
        "exposure_over_contingency",
        "p80_finish_late",
    ]
    for code in codes:
        spec = alert_kinds[code]
        assert OrgRole.RISK.value in spec.org_roles
        assert spec.project_roles == ("manager",)
        with translation.override("zh-hans"):
            chinese = (str(spec.label), str(spec.explanation))
        with translation.override("en"):
            assert chinese != (str(spec.label), str(spec.explanation))
    assert RiskSubjectType.RISK in SubjectType.values


def test_a_high_risk_without_a_response_is_counted_from_when_it_became_high(project: Project) -> None:
    risk = new_risk(project, level="high", score=20, number=103)
    now = timezone.now()
    RiskAssessmentFactory(risk=risk, at=now - dt.timedelta(days=40), level="medium")
    RiskAssessmentFactory(risk=risk, at=now - dt.timedelta(days=10), level="high")
    RiskAssessmentFactory(risk=risk, kind="reviewed", at=now - dt.timedelta(days=2), level="high")
    new_risk(project, level="high", score=16, status=RiskStatus.CLOSED)
    new_risk(project, level="medium", score=9)

    run(project)

    [alert] = active(project.organization, RiskAlertKind.HIGH_RISK_UNANSWERED)
    assert (alert.subject_type, alert.subject_id, alert.severity) == ("risk", risk.pk, Severity.AMBER)
    assert alert.figures["value"] == "10"  # over 7, not over 21
    assert alert.subject_label == "P1 · R-103 Flood"
    with translation.override("en"):
        assert alert_message(alert.kind, alert.subject_label, alert.figures) == (
            "P1 · R-103 Flood has been high for 10 days without a response."
        )

    RiskResponseFactory(risk=risk, organization=project.organization)
    run(project)

    assert active(project.organization, RiskAlertKind.HIGH_RISK_UNANSWERED) == []
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED


def test_a_high_risk_without_history_waits_from_when_it_was_raised(project: Project) -> None:
    new_risk(project, level="high", score=25, raised_at=timezone.now() - dt.timedelta(days=30))

    run(project)

    [alert] = active(project.organization, RiskAlertKind.HIGH_RISK_UNANSWERED)
    assert (alert.figures["value"], alert.severity) == ("30", Severity.RED)


def test_a_review_past_its_date_raises_and_a_review_resolves(project: Project) -> None:
    risk = new_risk(project, level="medium", next_review=dt.date(2026, 3, 1))
    new_risk(project, level="medium", next_review=dt.date(2026, 3, 25))
    new_risk(project, level="medium", next_review=dt.date(2026, 3, 1), status=RiskStatus.CLOSED)

    run(project)

    [alert] = active(project.organization, RiskAlertKind.RISK_REVIEW_OVERDUE)
    assert (alert.subject_id, alert.figures["value"], alert.figures["due"], alert.severity) == (
        risk.pk,
        "19",
        "2026-03-01",
        Severity.RED,  # over 14 days
    )

    Risk.objects.for_organization(project.organization).filter(pk=risk.pk).update(next_review=dt.date(2026, 4, 1))
    run(project)

    assert active(project.organization, RiskAlertKind.RISK_REVIEW_OVERDUE) == []


def test_an_action_past_its_due_date_and_not_done_raises_until_it_is_done(project: Project) -> None:
    risk = new_risk(project, number=107)
    response = RiskResponseFactory(risk=risk, organization=project.organization)
    late = ResponseActionFactory(response=response, title="Raise the levee", due=dt.date(2026, 3, 17))
    ResponseActionFactory(response=response, due=dt.date(2026, 3, 10), status=ActionStatus.DONE)
    ResponseActionFactory(response=response, due=dt.date(2026, 3, 30))

    run(project)

    [alert] = active(project.organization, RiskAlertKind.RISK_ACTION_OVERDUE)
    assert (alert.subject_type, alert.subject_id, alert.figures["value"]) == ("risk_action", late.pk, "3")
    assert alert.subject_label == "P1 · R-107 · Raise the levee"

    late.status = ActionStatus.DONE
    late.save()
    run(project)

    assert active(project.organization, RiskAlertKind.RISK_ACTION_OVERDUE) == []


def test_exposure_above_the_contingency_reserve_raises_with_both_figures(project: Project) -> None:
    new_risk(project, emv=Decimal("900.00"))
    new_risk(project, emv=Decimal("-100.00"), kind="opportunity")
    BudgetVersionFactory(
        project=project, status=BudgetVersion.Status.APPROVED, is_current=True, contingency_reserve=Decimal("650")
    )
    covered = new_project(project.organization, "P2")
    new_risk(covered, emv=Decimal("100.00"))
    BudgetVersionFactory(
        project=covered, status=BudgetVersion.Status.APPROVED, is_current=True, contingency_reserve=Decimal("650")
    )

    run(project, covered)

    [alert] = active(project.organization, RiskAlertKind.EXPOSURE_OVER_CONTINGENCY)
    assert (alert.subject_type, alert.subject_id) == ("project", project.pk)
    assert {key: alert.figures[key] for key in ("value", "exposure", "contingency", "currency")} == {
        "value": "150.00",
        "exposure": "800.00",
        "contingency": "650.00",
        "currency": "CNY",
    }
    with translation.override("en"):
        assert alert_message(alert.kind, alert.subject_label, alert.figures) == (
            "P1 Bridge: risk exposure 800.00 is 150.00 above the contingency reserve 650.00."
        )

    Risk.objects.for_organization(project.organization).filter(project=project, kind="threat").update(
        status=RiskStatus.CLOSED
    )
    run(project, covered)

    assert active(project.organization, RiskAlertKind.EXPOSURE_OVER_CONTINGENCY) == []


def test_a_confident_finish_after_the_baseline_finish_raises_in_working_days(project: Project) -> None:
    MonteCarloRunFactory(
        project=project,
        finished_at=timezone.now() - dt.timedelta(days=3),
        baseline_finish=dt.date(2026, 6, 1),
        confident_finish=dt.date(2026, 7, 1),
    )
    latest = MonteCarloRunFactory(
        project=project,
        finished_at=timezone.now(),
        confidence=80,
        baseline_finish=dt.date(2026, 6, 1),  # a Monday
        confident_finish=dt.date(2026, 6, 5),  # Friday: four working days later
    )
    MonteCarloRunFactory(project=project, status="failed", finished_at=timezone.now(), confident_finish=None)

    run(project)

    [alert] = active(project.organization, RiskAlertKind.P80_FINISH_LATE)
    assert (alert.subject_id, alert.figures["value"], alert.severity) == (project.pk, "4", Severity.AMBER)
    assert alert.figures["confident_finish"] == "2026-06-05"
    with translation.override("en"):
        assert alert_message(alert.kind, alert.subject_label, alert.figures) == (
            "P1 Bridge: at 80% confidence it finishes on 2026-06-05, 4 working days after the baseline finish "
            "2026-06-01."
        )

    latest.confident_finish = dt.date(2026, 6, 1)
    latest.save()
    run(project)

    assert active(project.organization, RiskAlertKind.P80_FINISH_LATE) == []


def test_the_evaluator_reads_a_batch_in_the_same_queries_for_one_or_many_projects(
    organization: Organization,
) -> None:
    from finance.earned_value import project_calendars
    from pmo.alerts.kinds import EvaluationBatch

    def build(code: str) -> Project:
        project = new_project(organization, code)
        for number in range(3):
            risk = new_risk(project, level="high", next_review=dt.date(2026, 3, 1), emv=Decimal("10"))
            RiskAssessmentFactory(risk=risk, level="high")
            ResponseActionFactory(
                response=RiskResponseFactory(risk=new_risk(project), organization=organization),
                due=dt.date(2026, 3, 1),
                title=f"Act {number}",
            )
        MonteCarloRunFactory(
            project=project,
            finished_at=timezone.now(),
            baseline_finish=dt.date(2026, 6, 1),
            confident_finish=dt.date(2026, 6, 9),
        )
        return project

    def measure(projects: list[Project]) -> tuple[int, int]:
        batch = EvaluationBatch(
            organization=organization,
            projects={p.pk: p for p in projects},
            as_of=TODAY,
            calendars=project_calendars(organization.pk, projects),
        )
        with CaptureQueriesContext(connection) as queries:
            found = evaluate(batch)
        return len(queries), sum(len(list(items)) for items in found.values())

    one = measure([build("A")])
    many = measure([build("B"), build("C"), build("D"), build("E")])

    assert one[0] == many[0] == 6
    assert (one[1], many[1]) == (11, 44)
