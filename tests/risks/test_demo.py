"""The demo's risk register: bilingual risks on the main projects, with history, responses, issues and an analysis."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from pmo.models import Organization
from projects.demo import PARK
from risks.models import (
    Issue,
    MonteCarloRun,
    ResponseAction,
    Risk,
    RiskAssessment,
    RiskResponse,
    RiskStatus,
    RunStatus,
)
from risks.selectors import project_exposure

pytestmark = pytest.mark.django_db
DAY = dt.date(2027, 2, 10)


@pytest.fixture
def demo(monkeypatch: pytest.MonkeyPatch) -> Organization:
    """The demo seeded at ten in the morning of ``DAY`` in Shanghai."""
    moment = dt.datetime.combine(DAY, dt.time(2, 0), tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    call_command("seed_demo", quiet_logins=True)
    return Organization.objects.get(slug="demo")


def counts(organization: Organization) -> dict[str, int]:
    return {
        model.__name__: model.objects.for_organization(organization).count()
        for model in (Risk, RiskAssessment, RiskResponse, ResponseAction, Issue, MonteCarloRun)
    }


def test_the_demo_projects_carry_a_register_across_the_categories(demo: Organization) -> None:
    risks = list(Risk.objects.for_organization(demo).select_related("project", "category"))

    assert 12 <= len(risks) <= 16
    assert len({risk.category.code for risk in risks}) >= 8
    by_project = Counter(risk.project.code if risk.project else None for risk in risks)
    assert by_project[PARK] >= 6
    assert by_project[None] == 1
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in risk.title) for risk in risks)
    assert all(any("a" <= ch.lower() <= "z" for ch in risk.title) for risk in risks)
    assert any(risk.kind == "opportunity" for risk in risks)


def test_the_register_has_high_risks_responses_overdue_actions_and_two_issues(demo: Organization) -> None:
    risks = Risk.objects.for_organization(demo)
    today = demo.today()

    assert risks.open().high().count() >= 2
    assert risks.filter(status=RiskStatus.OCCURRED).count() == 2
    assert risks.filter(status=RiskStatus.CLOSED).count() == 1
    assert risks.filter(status=RiskStatus.IDENTIFIED).count() == 1
    assert risks.filter(target_score__isnull=False).count() >= 10
    assert risks.filter(cost_likely__gt=0, days_likely__gt=0).count() >= 5
    issues = Issue.objects.for_organization(demo)
    assert issues.count() == 2
    assert all(issue.risk_id is not None for issue in issues)
    actions = ResponseAction.objects.for_organization(demo)
    assert actions.filter(due__lt=today).exclude(status__in=["done", "cancelled"]).count() >= 2
    assert risks.review_overdue(today).exists()
    assert risks.open().filter(next_review__gte=today).count() >= 3
    assert RiskAssessment.objects.for_organization(demo).filter(kind="reviewed").count() == 3


def test_the_history_reaches_back_weeks_so_the_exposure_trend_has_a_shape(demo: Organization) -> None:
    history = RiskAssessment.objects.for_organization(demo)
    now = timezone.now()

    assert history.filter(at__lt=now - dt.timedelta(weeks=6)).exists()
    assert history.filter(kind="assessed", reason__gt="").count() >= 3
    reassessed = Risk.objects.for_organization(demo).get(title__startswith="征地拆迁滞后")
    scores = list(history.filter(risk=reassessed, kind="assessed").order_by("at").values_list("score", flat=True))
    assert scores == [20, 25]
    assert reassessed.inherent_score == 20
    assert reassessed.assessed_at < now - dt.timedelta(weeks=4)
    park = reassessed.project.__class__.objects.for_organization(demo).get(code=PARK)
    assert project_exposure(park) > 0


def test_the_park_has_one_monte_carlo_run_done(demo: Organization) -> None:
    runs = MonteCarloRun.objects.for_organization(demo)

    assert runs.count() == 1
    run = runs.get()
    assert run.project.code == PARK
    assert run.status == RunStatus.DONE
    assert run.confident_finish is not None


def test_seeding_again_duplicates_nothing(demo: Organization) -> None:
    before = counts(demo)

    call_command("seed_demo", quiet_logins=True)

    assert counts(demo) == before
