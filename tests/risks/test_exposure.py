"""Exposure (Σ EMV of open risks) beside contingency, its trend from the history, and the portfolio's figures.

The hand-worked register of the tests: a threat at 40 % with a cost impact of 1,000 / 2,000 / 6,000
has a PERT mean of (1,000 + 4 x 2,000 + 6,000) / 6 = 2,500 and an EMV of 1,000.00; an opportunity
at 50 % of 600 / 600 / 600 counts -300.00; a closed threat of 800.00 does not count. Exposure 700.00.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any, cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.models import BudgetVersion
from pmo.models import Organization
from projects.models import Phase, Project
from risks import scoring
from risks.models import Risk
from risks.selectors import (
    exposure_of,
    exposure_trend,
    portfolio_exposure,
    project_contingency,
    project_exposure,
    top_risks,
)
from tests.factories import (
    BudgetVersionFactory,
    ExchangeRateFactory,
    ProjectFactory,
    RiskAssessmentFactory,
    RiskFactory,
)

pytestmark = pytest.mark.django_db


def new_project(organization: Organization, **fields: Any) -> Project:
    return cast(Project, ProjectFactory(organization=organization, **fields))


def risk(project: Project | None, emv: str, *, status: str = "assessed", kind: str = "threat", **fields: Any) -> Risk:
    organization = project.organization if project is not None else fields.pop("organization")
    return cast(
        Risk,
        RiskFactory(project=project, organization=organization, emv=Decimal(emv), status=status, kind=kind, **fields),
    )


def contingency(project: Project, amount: str, *, status: str = BudgetVersion.Status.APPROVED) -> BudgetVersion:
    return cast(
        BudgetVersion,
        BudgetVersionFactory(
            project=project,
            status=status,
            is_current=status == BudgetVersion.Status.APPROVED,
            contingency_reserve=Decimal(amount),
        ),
    )


def hand_worked(project: Project) -> None:
    threat = scoring.emv(Decimal(40), Decimal(1000), Decimal(2000), Decimal(6000), opportunity=False)
    opportunity = scoring.emv(Decimal(50), Decimal(600), Decimal(600), Decimal(600), opportunity=True)
    assert (threat, opportunity) == (Decimal("1000.00"), Decimal("-300.00"))
    risk(project, str(threat))
    risk(project, str(opportunity), kind="opportunity", status="responding")
    risk(project, "800.00", status="closed")


@pytest.fixture
def project(organization: Organization) -> Project:
    return new_project(organization, code="P1", phase=Phase.EXECUTION)


def test_exposure_is_the_emv_of_open_threats_minus_open_opportunities(project: Project) -> None:
    hand_worked(project)
    risk(project, "500.00", status="occurred")  # became an issue: no longer a risk to cover
    risk(project, "0.00", status="identified")  # not assessed yet

    assert project_exposure(project) == Decimal("700.00")


def test_a_project_without_risks_is_exposed_to_nothing(project: Project) -> None:
    assert project_exposure(project) == Decimal("0.00")
    assert exposure_of(project).exposure == Decimal("0.00")


def test_contingency_is_the_reserve_of_the_current_approved_budget_only(project: Project) -> None:
    assert project_contingency(project) is None
    contingency(project, "999.00", status=BudgetVersion.Status.DRAFT)
    assert project_contingency(project) is None

    contingency(project, "650.00")

    assert project_contingency(project) == Decimal("650.00")


def test_exposure_beside_contingency_says_whether_it_is_covered(project: Project) -> None:
    hand_worked(project)
    contingency(project, "650.00")

    with CaptureQueriesContext(connection) as queries:
        found = exposure_of(project)

    assert len(queries) == 1
    assert (found.exposure, found.contingency, found.headroom, found.over) == (
        Decimal("700.00"),
        Decimal("650.00"),
        Decimal("-50.00"),
        True,
    )
    assert found.covered_percent == Decimal("107.7")


def test_exposure_without_an_approved_budget_exceeds_its_missing_contingency(project: Project) -> None:
    risk(project, "10.00")

    found = exposure_of(project)

    assert found.contingency is None
    assert found.over
    assert found.covered_percent is None


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def test_the_trend_sums_the_latest_entry_of_each_risk_at_the_end_of_each_day(project: Project) -> None:
    first, second = risk(project, "300.00"), risk(project, "200.00", status="closed")
    RiskAssessmentFactory(risk=first, kind="raised", at=at(2), emv=Decimal("0.00"), is_open=True)
    RiskAssessmentFactory(risk=first, at=at(3), emv=Decimal("500.00"), is_open=True)
    RiskAssessmentFactory(risk=second, at=at(3, 15), emv=Decimal("200.00"), is_open=True)
    RiskAssessmentFactory(risk=first, at=at(5), emv=Decimal("400.00"), is_open=True)
    RiskAssessmentFactory(risk=first, at=at(5, 16), emv=Decimal("300.00"), is_open=True)  # the day's last counts
    RiskAssessmentFactory(risk=second, kind="status", at=at(9), emv=Decimal("200.00"), is_open=False)

    with CaptureQueriesContext(connection) as queries:
        points = exposure_trend(project, until=dt.date(2026, 3, 12))

    assert len(queries) == 1
    assert points == [
        (dt.date(2026, 3, 2), Decimal("0.00")),
        (dt.date(2026, 3, 3), Decimal("700.00")),
        (dt.date(2026, 3, 5), Decimal("500.00")),
        (dt.date(2026, 3, 9), Decimal("300.00")),
        (dt.date(2026, 3, 12), Decimal("300.00")),  # carried to the day asked
    ]
    assert project_exposure(project, dt.date(2026, 3, 4)) == Decimal("700.00")
    assert project_exposure(project, dt.date(2026, 3, 1)) == Decimal("0.00")


def test_the_trend_of_a_project_without_history_is_empty(project: Project) -> None:
    risk(project, "300.00")
    assert exposure_trend(project) == []


def test_the_trend_reads_the_day_in_the_organisations_time_zone(project: Project) -> None:
    first = risk(project, "300.00")
    # 23:30 in Shanghai on 3 March is 15:30 UTC: still the 3rd for the organisation.
    RiskAssessmentFactory(risk=first, at=dt.datetime(2026, 3, 3, 15, 30, tzinfo=dt.UTC), emv=Decimal("300.00"))

    assert exposure_trend(project, until=dt.date(2026, 3, 3)) == [(dt.date(2026, 3, 3), Decimal("300.00"))]


def test_the_portfolio_adds_up_in_the_home_currency_and_names_the_projects_over_contingency(
    organization: Organization, project: Project
) -> None:
    hand_worked(project)  # 700 against 650: over
    contingency(project, "650.00")
    covered = new_project(organization, code="P2", phase=Phase.PLANNING, currency="USD")
    risk(covered, "100.00")  # 100 USD at 7.2 = 720 CNY, against 200 USD = 1,440 CNY
    contingency(covered, "200.00")
    ExchangeRateFactory(organization=organization, currency="USD", rate=Decimal("7.2"), valid_from=dt.date(2026, 1, 1))
    unrated = new_project(organization, code="P3", phase=Phase.PLANNING, currency="EUR")
    risk(unrated, "60.00")
    new_project(organization, code="P4", phase=Phase.CLOSED)

    found = portfolio_exposure(organization)

    assert [row.code for row in found.projects] == ["P1", "P2", "P3"]
    assert (found.exposure, found.contingency, found.headroom) == (
        Decimal("1420.00"),
        Decimal("2090.00"),
        Decimal("670.00"),
    )
    assert [row.code for row in found.over] == ["P3", "P1"]  # P3: 60 over no contingency at all
    assert found.missing_rates == {"EUR": [unrated.pk]}
    assert found.of(covered.pk).exposure == Decimal("100.00")  # type: ignore[union-attr]


def test_the_portfolio_costs_the_same_queries_for_2_or_20_projects(organization: Organization) -> None:
    def build(count: int, first: int) -> None:
        for number in range(first, first + count):
            project = new_project(organization, code=f"Q{number:03d}", phase=Phase.EXECUTION)
            contingency(project, "100.00")
            for _ in range(3):
                risk(project, "40.00")

    build(2, 0)
    with CaptureQueriesContext(connection) as few:
        small = portfolio_exposure(organization)
    build(18, 2)
    with CaptureQueriesContext(connection) as many:
        large = portfolio_exposure(organization)

    assert len(few) == len(many) == 1
    assert (small.exposure, large.exposure) == (Decimal("240.00"), Decimal("2400.00"))
    assert len(large.over) == 20


def test_top_risks_are_the_open_ones_by_score_then_emv_across_projects(
    organization: Organization, project: Project
) -> None:
    other = new_project(organization, code="P2")
    risk(project, "100.00", score=12, level="medium")
    high = risk(other, "50.00", score=20, level="high")
    richer = risk(project, "900.00", score=12, level="medium")
    risk(project, "5000.00", score=25, status="closed")
    risk(project, "0.00")  # not assessed: no score
    corporate = risk(None, "10.00", organization=organization, score=16, level="high")

    with CaptureQueriesContext(connection) as queries:
        found = top_risks(organization, limit=3)

    assert len(queries) == 1
    assert [row.risk_id for row in found] == [high.pk, corporate.pk, richer.pk]
    assert found[0].project_code == "P2"
    assert found[1].project_code == ""
    only = top_risks(organization, Project.objects.for_organization(organization).filter(pk=other.pk))
    assert [row.risk_id for row in only] == [high.pk, corporate.pk]
    assert top_risks(organization, organisation_level=False, limit=1)[0].risk_id == high.pk


def test_another_organisations_risks_never_count(
    organization: Organization, other_organization: Organization, project: Project
) -> None:
    elsewhere = new_project(other_organization, phase=Phase.EXECUTION)
    risk(elsewhere, "999.00", score=25)
    risk(project, "1.00", score=1)

    assert portfolio_exposure(organization).exposure == Decimal("1.00")
    assert [row.project_code for row in top_risks(organization)] == ["P1"]


def test_projects_already_read_give_the_same_figures_in_one_query(organization: Organization, project: Project) -> None:
    hand_worked(project)
    contingency(project, "650.00")
    bare = new_project(organization, code="P2", phase=Phase.PLANNING)
    contingency(bare, "40.00")
    scoped = Project.objects.for_organization(organization).open()
    listed = list(scoped)

    with CaptureQueriesContext(connection) as queries:
        found = portfolio_exposure(organization, scoped, rates={"CNY": Decimal(1)}, listed=listed)

    assert len(queries) == 1
    assert found.projects == portfolio_exposure(organization, scoped).projects
    assert [(row.code, row.exposure, row.contingency) for row in found.projects] == [
        ("P1", Decimal("700.00"), Decimal("650.00")),
        ("P2", Decimal("0.00"), Decimal("40.00")),
    ]
