"""seed_bench's risk registers: as the services would store them, with a history that ends where the risk stands."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command

from pmo.audit import snapshot
from pmo.models import Organization
from risks.models import Issue, Risk, RiskAssessment, RiskResponse
from risks.services.register import derive
from risks.services.settings import risk_settings_for

pytestmark = pytest.mark.django_db
STATUS_DATE = dt.date(2026, 6, 15)
DERIVED = ["impact", "score", "level", "probability_percent", "emv", "target_score", "target_level", "next_review"]


@pytest.fixture
def bench() -> Organization:
    call_command(
        "seed_bench",
        projects=3,
        tasks_per_project=10,
        status_date="2026-06-15",
        no_variance=True,
        stdout=io.StringIO(),
    )
    return Organization.objects.get(slug="bench-3x10")


def test_every_project_has_twenty_risks_and_the_organisation_ten(bench: Organization) -> None:
    risks = Risk.objects.for_organization(bench)

    per_project = Counter(risks.values_list("project__code", flat=True))
    assert per_project == {"B-0001": 20, "B-0002": 20, "B-0003": 20, None: 10}
    assert len(set(risks.values_list("status", flat=True))) >= 5
    assert risks.open().high().exists()


def test_the_derived_figures_are_what_the_register_derives(bench: Organization) -> None:
    settings = risk_settings_for(bench)
    for risk in Risk.objects.for_organization(bench).select_related("organization"):
        stored = snapshot(risk, DERIVED)
        derive(risk, settings, STATUS_DATE)
        assert snapshot(risk, DERIVED) == stored, risk.title


def test_each_risks_history_ends_where_the_risk_stands(bench: Organization) -> None:
    latest: dict[int, RiskAssessment] = {}
    for entry in RiskAssessment.objects.for_organization(bench).order_by("at", "id"):
        latest[entry.risk_id] = entry
    for risk in Risk.objects.for_organization(bench):
        entry = latest[risk.pk]
        assert (entry.score, entry.level, entry.emv, entry.is_open) == (
            risk.score,
            risk.level,
            risk.emv,
            risk.is_open,
        ), risk.title


def test_answered_risks_have_responses_and_occurred_ones_their_issue(bench: Organization) -> None:
    risks = Risk.objects.for_organization(bench)
    responded = set(RiskResponse.objects.for_organization(bench).values_list("risk_id", flat=True))
    answered = set(risks.filter(status__in=["responding", "monitoring"]).values_list("pk", flat=True))
    assert answered <= responded
    occurred = set(risks.of_projects().filter(status="occurred").values_list("pk", flat=True))
    assert set(Issue.objects.for_organization(bench).values_list("risk_id", flat=True)) == occurred
