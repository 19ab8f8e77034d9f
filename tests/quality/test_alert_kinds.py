"""The quality alert kinds, raised by the variance run (and at once for a critical non-conformance)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from finance.earned_value import project_calendars
from finance.variance import variance_run_batch
from pmo.alerts.kinds import EvaluationBatch, alert_kinds, alert_message
from pmo.models import Alert, AlertStatus, Organization, Severity
from projects.models import Phase, Project
from quality.alert_kinds import QualityAlertKind, evaluate, on_raised
from tests.factories import (
    DeliverableFactory,
    InspectionFactory,
    NonConformanceFactory,
    PlanEntryFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 20)


def run(*projects: Project) -> None:
    variance_run_batch(organization=projects[0].organization, project_ids=[p.pk for p in projects], as_of=TODAY)


def active(organization: Organization, kind: str) -> list[Alert]:
    return list(
        Alert.objects.for_organization(organization)
        .filter(kind=kind)
        .exclude(status=AlertStatus.RESOLVED)
        .order_by("subject_type", "subject_id")
    )


def build(organization: Organization, code: str = "P1") -> Project:
    project = ProjectFactory(organization=organization, code=code, name="Road", phase=Phase.EXECUTION)
    NonConformanceFactory(project=project, number=4, title="Rut", severity="major", due_date=dt.date(2026, 3, 10))
    NonConformanceFactory(
        project=project,
        number=5,
        title="Open trench",
        severity="critical",
        raised_on=dt.date(2026, 3, 19),
        due_date=dt.date(2026, 3, 21),
    )
    InspectionFactory(project=project, number=2, status="scheduled", scheduled_date=dt.date(2026, 3, 17))
    PlanEntryFactory(project=project, planned_date=dt.date(2026, 3, 1), template_code="KERB")
    DeliverableFactory(
        project=project, status="rejected", decision_note="Cracked", decided_at=timezone.now() - dt.timedelta(days=2)
    )
    return project


def test_quality_registers_four_kinds_with_bilingual_wording() -> None:
    codes = [spec.code for spec in alert_kinds if spec.code in QualityAlertKind.values]
    assert codes == [
        "quality_nc_overdue",
        "quality_critical_nc",
        "quality_inspection_overdue",
        "quality_acceptance_rejected",
    ]
    for code in codes:
        spec = alert_kinds[code]
        with translation.override("zh-hans"):
            chinese = (str(spec.label), str(spec.explanation))
        with translation.override("en"):
            assert chinese != (str(spec.label), str(spec.explanation))


def test_the_variance_run_raises_each_kind(organization: Organization) -> None:
    project = build(organization)
    run(project)

    [overdue] = active(organization, QualityAlertKind.NC_OVERDUE)
    assert (overdue.severity, overdue.figures["value"]) == (Severity.RED, "10")  # 10 days > 7
    with translation.override("en"):
        assert alert_message(overdue.kind, overdue.subject_label, overdue.figures) == (
            "P1 · NC-004 Rut was due on 2026-03-10 (10 days ago) and is not closed."
        )
    [critical] = active(organization, QualityAlertKind.CRITICAL_NC_OPENED)
    assert (critical.severity, critical.figures["value"], critical.subject_label) == (
        Severity.RED,
        "2",
        "P1 · NC-005 Open trench",
    )
    late = active(organization, QualityAlertKind.INSPECTION_OVERDUE)
    assert sorted((alert.subject_type, alert.figures["value"]) for alert in late) == [
        ("quality_insp", "3"),
        ("quality_plan", "19"),
    ]
    [rejected] = active(organization, QualityAlertKind.ACCEPTANCE_REJECTED)
    assert rejected.subject_type == "quality_deliv"


def test_a_critical_non_conformance_queues_its_project_at_once(organization: Organization, monkeypatch) -> None:
    queued: list[int] = []
    monkeypatch.setattr("quality.alert_kinds.project_evaluation_queue", lambda project: queued.append(project.pk))
    project = ProjectFactory(organization=organization)
    on_raised(NonConformanceFactory(project=project, severity="major"))
    assert queued == []
    on_raised(NonConformanceFactory(project=project, severity="critical"))
    assert queued == [project.pk]


def test_the_evaluator_reads_one_project_or_many_in_four_queries(organization: Organization) -> None:
    def measure(projects: list[Project]) -> int:
        batch = EvaluationBatch(
            organization=organization,
            projects={p.pk: p for p in projects},
            as_of=TODAY,
            calendars=project_calendars(organization.pk, projects),
        )
        with CaptureQueriesContext(connection) as queries:
            evaluate(batch)
        return len(queries)

    assert measure([build(organization, "A")]) == measure([build(organization, c) for c in ("B", "C")]) == 4
