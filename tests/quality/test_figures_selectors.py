"""The quality figures, worked by hand: first-pass yield, days to close (mean and P90), overdue counts,
satisfaction, and the same number of queries for one project or many."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pmo.models import Organization
from projects.models import Phase, Project
from quality.models import Discipline
from quality.selectors import FIGURE_QUERIES, portfolio_quality, quality_figures, safety_vetoes
from tests.factories import (
    InspectionFactory,
    InspectionTypeFactory,
    NonConformanceFactory,
    PlanEntryFactory,
    ProjectFactory,
    SatisfactionSurveyFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 20)


def signed(project: Project, outcome: str, **fields: Any) -> Any:
    return InspectionFactory(
        project=project, status="signed", outcome=outcome, signed_at=timezone.now(), inspected_on=TODAY, **fields
    )


def closed(project: Project, days: int) -> Any:
    raised = TODAY - dt.timedelta(days=days + 5)
    return NonConformanceFactory(
        project=project,
        status="closed",
        severity="minor",
        raised_on=raised,
        due_date=raised + dt.timedelta(days=14),
        closed_on=raised + dt.timedelta(days=days),
        days_to_close=days,
        verification_note="Re-measured.",
    )


def build(organization: Organization, code: str = "P1") -> Project:
    """Five first inspections (three pass, one with remarks, one fails) and its re-inspection that passed;
    closed NCs of 2, 4, 6, 8 and 30 days; two open NCs, one past its due date; a survey 4, 3, 5, 4."""
    project = ProjectFactory(organization=organization, code=code, phase=Phase.EXECUTION)
    for outcome in ("passed", "passed", "passed_with_remarks", "passed"):
        signed(project, outcome)
    failed = signed(project, "failed")
    signed(project, "passed", reinspection_of=failed)
    InspectionFactory(project=project, status="scheduled")  # not signed: not counted
    InspectionFactory(project=project, status="scheduled", scheduled_date=TODAY - dt.timedelta(days=3))  # overdue
    InspectionFactory(project=project, status="cancelled", scheduled_date=TODAY - dt.timedelta(days=3))
    for days in (8, 2, 30, 4, 6):
        closed(project, days)
    NonConformanceFactory(project=project, severity="critical", due_date=TODAY - dt.timedelta(days=1))
    NonConformanceFactory(project=project, severity="major", status="analysis", due_date=TODAY + dt.timedelta(days=3))
    NonConformanceFactory(
        project=project, severity="minor", status="cancelled", cancel_reason="Twice", due_date=TODAY - dt.timedelta(9)
    )
    # Plan entries past their date: one with no inspection (overdue), one with a signed one, one with a
    # cancelled one only (overdue), one in the future.
    PlanEntryFactory(project=project, planned_date=TODAY - dt.timedelta(days=2))
    done = PlanEntryFactory(project=project, planned_date=TODAY - dt.timedelta(days=2))
    InspectionFactory(project=project, plan_entry=done, status="in_progress", scheduled_date=TODAY)
    dropped = PlanEntryFactory(project=project, planned_date=TODAY - dt.timedelta(days=2))
    InspectionFactory(project=project, plan_entry=dropped, status="cancelled")
    PlanEntryFactory(project=project, planned_date=TODAY + dt.timedelta(days=2))
    SatisfactionSurveyFactory(project=project)
    return project


def test_the_figures_of_one_project_worked_by_hand(organization: Organization) -> None:
    project = build(organization)

    figures = quality_figures(organization, project.pk, today=TODAY)

    # First pass: 5 signed first inspections (the re-inspection does not count), 4 passed → 80.0 %.
    assert (figures.first_inspections, figures.first_passed) == (5, 4)
    assert figures.first_pass_yield == Decimal("80.0")
    # Days to close 2, 4, 6, 8, 30: mean 50 / 5 = 10.0; P90 at rank 0.9 x 4 = 3.6 → 8 + 0.6 x 22 = 21.2.
    assert figures.closed_ncs == 5
    assert figures.mean_days_to_close == Decimal("10.0")
    assert figures.p90_days_to_close == Decimal("21.2")
    assert figures.by_severity == {"minor": 6, "major": 1, "critical": 1}
    assert figures.by_status["closed"] == 5
    assert figures.by_status["open"] == 1
    assert figures.by_status["analysis"] == 1
    assert figures.by_status["cancelled"] == 1
    assert figures.open_ncs == 2
    assert figures.open_by_severity == {"minor": 0, "major": 1, "critical": 1}
    # Only the open critical one is past its due date (the cancelled one is not open).
    assert figures.overdue_ncs == 1
    # The critical NC is of a quality inspection: no veto.
    assert figures.safety_vetoes == 0
    assert (figures.overdue_inspections, figures.overdue_plan_entries, figures.planned_overdue) == (1, 2, 3)
    # (4 + 3 + 5 + 4) / 4 = 4.00
    assert figures.satisfaction == Decimal("4.00")


def test_nothing_yet_gives_empty_figures_not_zero_ratios(organization: Organization) -> None:
    project = ProjectFactory(organization=organization)
    figures = quality_figures(organization, project.pk, today=TODAY)
    assert figures.first_pass_yield is None
    assert figures.mean_days_to_close is None
    assert figures.p90_days_to_close is None
    assert figures.satisfaction is None
    assert (figures.open_ncs, figures.overdue_ncs, figures.planned_overdue) == (0, 0, 0)


def test_a_single_closed_non_conformance_is_its_own_mean_and_p90(organization: Organization) -> None:
    project = ProjectFactory(organization=organization)
    closed(project, 7)
    figures = quality_figures(organization, project.pk, today=TODAY)
    assert (figures.mean_days_to_close, figures.p90_days_to_close) == (Decimal("7.0"), Decimal("7.0"))


def test_the_portfolio_pools_its_projects(organization: Organization) -> None:
    first = build(organization, "P1")
    second = ProjectFactory(organization=organization, code="P2")
    signed(second, "failed")
    closed(second, 10)
    SatisfactionSurveyFactory(project=second, quality=2, schedule=2, communication=3, service=3)

    portfolio = portfolio_quality(organization, [first.pk, second.pk], today=TODAY)

    assert portfolio.of(second.pk).first_pass_yield == Decimal("0.0")
    total = portfolio.total
    # 4 of 6 first inspections passed: 66.67 → 66.7 %.
    assert (total.first_inspections, total.first_passed, total.first_pass_yield) == (6, 4, Decimal("66.7"))
    # 2, 4, 6, 8, 10, 30: mean 60 / 6 = 10.0; P90 at 0.9 x 5 = 4.5 → 10 + 0.5 x 20 = 20.0.
    assert (total.mean_days_to_close, total.p90_days_to_close) == (Decimal("10.0"), Decimal("20.0"))
    # Surveys 4.00 and 2.50: 3.25.
    assert total.satisfaction == Decimal("3.25")
    assert total.surveys == 2


def test_an_open_critical_safety_non_conformance_is_a_veto(organization: Organization) -> None:
    project = ProjectFactory(organization=organization)
    safety = InspectionTypeFactory(organization=organization, code="safety", discipline=Discipline.SAFETY)
    NonConformanceFactory(project=project, severity="critical", inspection_type=safety)
    NonConformanceFactory(project=project, severity="major", inspection_type=safety)
    NonConformanceFactory(
        project=project,
        severity="critical",
        inspection_type=safety,
        status="cancelled",
        cancel_reason="Duplicate",
    )

    assert quality_figures(organization, project.pk, today=TODAY).safety_vetoes == 1
    assert safety_vetoes(organization, [project.pk]) == {project.pk: 1}


def test_one_project_or_many_cost_the_same_queries(organization: Organization) -> None:
    one = build(organization, "A")
    many = [build(organization, code) for code in ("B", "C", "D")]
    with CaptureQueriesContext(connection) as single:
        quality_figures(organization, one.pk, today=TODAY)
    with CaptureQueriesContext(connection) as several:
        portfolio_quality(organization, Project.objects.for_organization(organization), today=TODAY)
    assert len(single) == len(several) == FIGURE_QUERIES == 5
    assert portfolio_quality(organization, [p.pk for p in many], today=TODAY).total.first_inspections == 15
