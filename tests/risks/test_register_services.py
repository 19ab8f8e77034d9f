"""The register's write path: scoring by hand-worked numbers, history, reviews, statuses and bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pmo.errors import ApplicationError
from pmo.models import AuditEvent, OrgRole
from risks import scoring
from risks.models import Risk, RiskAssessment, RiskCategory, RiskStatus
from risks.services.register import risk_assess, risk_raise, risk_review, risk_set_status, risk_update
from risks.services.settings import (
    risk_categories,
    risk_category_create,
    risk_category_update,
    risk_settings_for,
    risk_settings_update,
)
from tests.factories import ProjectFactory, WbsElementFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory()


@pytest.fixture
def manager(project):
    return member(project.organization, OrgRole.RISK).user


def raise_risk(project, actor, **fields):
    category = risk_categories(project.organization)[0]
    return risk_raise(
        actor=actor,
        organization=project.organization,
        project=project,
        title=fields.pop("title", "Late delivery of the transformer"),
        category=fields.pop("category", category),
        **fields,
    )


def test_the_default_matrix_gives_low_to_5_medium_to_12_and_high_from_15() -> None:
    matrix = scoring.default_matrix()
    assert {(p, i): matrix[p - 1][i - 1] for p, i in [(1, 5), (2, 3), (3, 4), (3, 5), (5, 5)]} == {
        (1, 5): "low",
        (2, 3): "medium",
        (3, 4): "medium",
        (3, 5): "high",
        (5, 5): "high",
    }


def test_an_average_impact_rounds_half_up_and_ignores_dimensions_not_rated() -> None:
    assert scoring.overall_impact([2, 3, None, None, None], "average") == 3  # 2.5 → 3
    assert scoring.overall_impact([1, 2, 2, None, None], "average") == 2  # 1.67 → 2
    assert scoring.overall_impact([1, 4, 2, None, None], "highest") == 4


def test_emv_is_the_probability_times_the_pert_mean_of_the_cost_and_negative_for_an_opportunity() -> None:
    # PERT mean (100 000 + 4 x 160 000 + 340 000) / 6 = 180 000; 30 % of it is 54 000.
    assert scoring.emv(Decimal("30"), Decimal(100000), Decimal(160000), Decimal(340000), opportunity=False) == Decimal(
        "54000.00"
    )
    assert scoring.emv(Decimal("30"), Decimal(100000), Decimal(160000), Decimal(340000), opportunity=True) == Decimal(
        "-54000.00"
    )
    # (10 + 40 + 20) / 6 = 11.666…; 70 % is 8.1666… → 8.17.
    assert scoring.emv(Decimal("70"), Decimal(10), Decimal(10), Decimal(20), opportunity=False) == Decimal("8.17")


def test_a_raised_risk_is_numbered_per_project_and_waits_for_its_assessment(project, manager) -> None:
    first = raise_risk(project, manager)
    second = raise_risk(project, manager, title="Typhoon season")
    other = raise_risk(ProjectFactory(organization=project.organization), manager)
    assert (first.code, second.code, other.code) == ("R-001", "R-002", "R-001")
    assert first.status == RiskStatus.IDENTIFIED
    assert (first.score, first.level, first.emv, first.next_review) == (None, "", Decimal("0.00"), None)
    assert RiskAssessment.objects.for_organization(project.organization).filter(risk=first, kind="raised").count() == 1
    assert AuditEvent.objects.for_organization(project.organization).filter(action="risk.raised").count() == 3


def test_an_organisation_risk_has_its_own_numbers(project, manager) -> None:
    category = risk_categories(project.organization)[0]
    risk = risk_raise(
        actor=manager, organization=project.organization, project=None, title="Exchange rate", category=category
    )
    assert (risk.project, risk.code) == (None, "R-001")


def test_the_first_assessment_is_the_inherent_one_and_gives_score_level_emv_and_next_review(project, manager) -> None:
    risk = raise_risk(project, manager)
    today = project.organization.today()
    risk = risk_assess(
        actor=manager,
        risk=risk,
        probability=3,
        impacts={"schedule": 4, "cost": 5, "quality": 2},
        cost=(Decimal(100000), Decimal(160000), Decimal(340000)),
        days=(5, 10, 30),
    )
    # Highest impact 5; 3 x 5 = 15, high; band 3 is 50 %: EMV 50 % of 180 000; high risks are reviewed weekly.
    assert (risk.impact, risk.score, risk.level) == (5, 15, "high")
    assert (risk.probability_percent, risk.emv) == (Decimal("50"), Decimal("90000.00"))
    assert (risk.inherent_score, risk.inherent_level, risk.status) == (15, "high", RiskStatus.ASSESSED)
    assert risk.next_review == today + dt.timedelta(days=7)


def test_a_reassessment_needs_a_reason_keeps_the_inherent_score_and_records_old_and_new(project, manager) -> None:
    risk = raise_risk(project, manager)
    risk = risk_assess(actor=manager, risk=risk, probability=4, impacts={"cost": 4})
    with pytest.raises(ApplicationError) as refused:
        risk_assess(actor=manager, risk=risk, probability=2, impacts={"cost": 4})
    assert refused.value.code == "reason_required"
    risk = risk_assess(
        actor=manager, risk=risk, probability=2, impacts={"cost": 4}, probability_percent=Decimal("25"), reason="Fenced"
    )
    assert (risk.score, risk.level, risk.inherent_score, risk.inherent_level) == (8, "medium", 16, "high")
    latest = RiskAssessment.objects.for_organization(project.organization).filter(risk=risk).first()
    assert latest.reason == "Fenced"
    assert latest.changes["score"] == [16, 8]
    assert latest.changes["probability_percent"] == ["70.00", "25"]


def test_bad_assessments_are_refused_and_change_nothing(project, manager) -> None:
    risk = raise_risk(project, manager)
    cases = [
        {"probability": 6, "impacts": {"cost": 3}},
        {"probability": 3, "impacts": {}},
        {"probability": 3, "impacts": {"cost": 0}},
        {"probability": 3, "impacts": {"weather": 3}},
        {"probability": 3, "impacts": {"cost": 3}, "cost": (5, 3, 9)},
        {"probability": 3, "impacts": {"cost": 3}, "days": (1.5, 2, 3)},
        {"probability": 3, "impacts": {"cost": 3}, "cost": (-1, 0, 1)},
    ]
    for case in cases:
        with pytest.raises(ApplicationError):
            risk_assess(actor=manager, risk=risk, **case)
    risk.refresh_from_db()
    assert (risk.status, risk.score, risk.assessed_at) == (RiskStatus.IDENTIFIED, None, None)
    assert RiskAssessment.objects.for_organization(project.organization).filter(risk=risk).count() == 1


def test_a_review_moves_the_next_review_without_changing_the_assessment(project, manager) -> None:
    risk = raise_risk(project, manager)
    with pytest.raises(ApplicationError):
        risk_review(actor=manager, risk=risk)
    risk = risk_assess(actor=manager, risk=risk, probability=1, impacts={"cost": 2})
    assert risk.level == "low"
    Risk.objects.for_organization(project.organization).filter(pk=risk.pk).update(next_review=dt.date(2020, 1, 1))
    risk = risk_review(actor=manager, risk=risk, note="Still remote")
    assert risk.next_review == project.organization.today() + dt.timedelta(days=90)
    assert risk.score == 2


def test_statuses_follow_the_lifecycle_and_closing_needs_a_reason(project, manager) -> None:
    risk = raise_risk(project, manager)
    with pytest.raises(ApplicationError) as refused:
        risk_set_status(actor=manager, risk=risk, status=RiskStatus.MONITORING)
    assert refused.value.code == "illegal_transition"
    risk = risk_assess(actor=manager, risk=risk, probability=3, impacts={"cost": 3})
    risk = risk_set_status(actor=manager, risk=risk, status=RiskStatus.MONITORING)
    with pytest.raises(ApplicationError):
        risk_set_status(actor=manager, risk=risk, status=RiskStatus.CLOSED)
    risk = risk_set_status(actor=manager, risk=risk, status=RiskStatus.CLOSED, reason="Foundations poured")
    assert (risk.status, risk.next_review, risk.closed_at is not None) == (RiskStatus.CLOSED, None, True)
    with pytest.raises(ApplicationError):
        risk_assess(actor=manager, risk=risk, probability=1, impacts={"cost": 1}, reason="x")
    closed = RiskAssessment.objects.for_organization(project.organization).filter(risk=risk).first()
    assert (closed.kind, closed.is_open, closed.reason) == ("status", False, "Foundations poured")


def test_an_update_refuses_another_projects_elements_and_strangers_as_owner(project, manager) -> None:
    risk = raise_risk(project, manager)
    foreign = WbsElementFactory()
    with pytest.raises(ApplicationError):
        risk_update(actor=manager, risk=risk, wbs_elements=[foreign])
    from tests.factories import UserFactory

    with pytest.raises(ApplicationError) as refused:
        risk_update(actor=manager, risk=risk, owner=UserFactory())
    assert refused.value.code == "owner_not_member"
    element = WbsElementFactory(project=project)
    risk = risk_update(actor=manager, risk=risk, wbs_elements=[element], title="  Transformer late  ")
    assert risk.title == "Transformer late"
    assert list(risk.wbs_links.values_list("element_id", flat=True)) == [element.pk]


def test_an_opportunity_counts_negative(project, manager) -> None:
    risk = raise_risk(project, manager, kind="opportunity")
    risk = risk_assess(actor=manager, risk=risk, probability=5, impacts={"cost": 3}, cost=(100, 100, 100))
    assert risk.emv == Decimal("-90.00")


def test_changing_the_matrix_and_bands_rederives_open_risks(project, manager) -> None:
    risk = raise_risk(project, manager)
    risk = risk_assess(actor=manager, risk=risk, probability=2, impacts={"cost": 2}, cost=(100, 100, 100))
    assert (risk.level, risk.emv) == ("low", Decimal("30.00"))
    matrix = scoring.default_matrix()
    matrix[1][1] = "medium"
    risk_settings_update(actor=manager, organization=project.organization, matrix=matrix, percent_2=Decimal("40"))
    risk.refresh_from_db()
    assert (risk.level, risk.probability_percent, risk.emv) == ("medium", Decimal("40.00"), Decimal("40.00"))


def test_a_matrix_that_falls_as_impact_rises_is_refused(project, manager) -> None:
    matrix = scoring.default_matrix()
    matrix[4][4] = "low"
    with pytest.raises(ApplicationError) as refused:
        risk_settings_update(actor=manager, organization=project.organization, matrix=matrix)
    assert refused.value.code == "invalid_matrix"
    assert risk_settings_for(project.organization).matrix == scoring.default_matrix()


def test_categories_start_with_ten_bilingual_defaults_and_are_switched_off_never_deleted(project, manager) -> None:
    categories = risk_categories(project.organization)
    assert len(categories) == 10
    assert (categories[0].name_zh, categories[0].name_en) == ("技术", "Technical")
    created = risk_category_create(actor=manager, organization=project.organization, code="Permits", name_zh="许可")
    assert created.code == "permits"
    with pytest.raises(ApplicationError):
        risk_category_create(actor=manager, organization=project.organization, code="permits", name_en="Permits")
    created = risk_category_update(actor=manager, category=created, is_active=False)
    with pytest.raises(ApplicationError) as refused:
        raise_risk(project, manager, category=created)
    assert refused.value.code == "category_inactive"
    assert RiskCategory.objects.for_organization(project.organization).count() == 11
