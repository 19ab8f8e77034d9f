"""The demo: a portfolio in every phase, seeded relative to the day it is seeded."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from dashboard.portfolio import project_computed_rag
from pmo.models import Organization
from projects.demo import PARK, week_start
from projects.models import ChangeRequest, Phase, Portfolio, Project, StatusReport, WbsElement

pytestmark = pytest.mark.django_db

PHASES = {
    Phase.INITIATION: 2,
    Phase.PLANNING: 2,
    Phase.EXECUTION: 8,
    Phase.CLOSING: 1,
    Phase.OPERATIONS: 1,
    Phase.CLOSED: 1,
    Phase.CANCELLED: 1,
}
RAG = {
    "GW-2026-01": "amber",
    "GW-2026-02": "unknown",
    "GW-2026-03": "green",
    "GW-2026-04": "unknown",
    "PB-2025-07": "green",
    "PB-2026-01": "red",
    "PB-2026-02": "green",
    "PB-2026-03": "amber",
    "PB-2026-04": "unknown",
    "TR-2025-09": "green",
    "TR-2026-01": "red",
    "TR-2026-02": "green",
    "TR-2026-03": "amber",
    "TR-2026-04": "unknown",
}


def seed_on(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> Organization:
    """Seed with the clock at ten in the morning of ``day`` in Shanghai, the demo's time zone."""
    moment = dt.datetime.combine(day, dt.time(2, 0), tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    call_command("seed_demo", quiet_logins=True)
    organization = Organization.objects.get(slug="demo")
    assert organization.today() == day
    return organization


@pytest.mark.parametrize("day", [dt.date(2027, 2, 10), dt.date(2027, 6, 21)], ids=["february", "june"])
def test_seeded_on_any_day_the_demo_has_the_same_shape_its_dates_shifted(
    monkeypatch: pytest.MonkeyPatch, day: dt.date
) -> None:
    organization = seed_on(monkeypatch, day)
    projects = list(Project.objects.for_organization(organization).order_by("code"))

    assert Counter(project.phase for project in projects) == PHASES
    assert {
        project.code: project_computed_rag(organization, project, day).rag for project in projects if project.is_open
    } == RAG
    park = next(project for project in projects if project.code == PARK)
    assert park.planned_start == week_start(day) - dt.timedelta(weeks=12)
    assert Portfolio.objects.for_organization(organization).filter(parent__isnull=True).count() == 3
    reports = Counter(StatusReport.objects.for_organization(organization).values_list("status", flat=True))
    assert reports == {StatusReport.Status.REVIEWED: 3, StatusReport.Status.SUBMITTED: 5}
    changes = Counter(ChangeRequest.objects.for_organization(organization).values_list("status", flat=True))
    assert changes == {ChangeRequest.Status.APPROVED: 8, ChangeRequest.Status.SUBMITTED: 5}


def test_no_unfinished_work_of_the_demo_is_forecast_before_the_day_it_is_seeded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    day = dt.date(2027, 2, 10)
    organization = seed_on(monkeypatch, day)

    late = (
        WbsElement.objects.for_organization(organization)
        .filter(project__phase=Phase.EXECUTION, actual_finish__isnull=True, planned_finish__lt=day)
        .exclude(kind=WbsElement.Kind.SUMMARY)
    )
    assert list(late.values_list("project__code", "code")) == []
    under_way = Project.objects.for_organization(organization).filter(phase=Phase.EXECUTION)
    assert all(project.scheduled_finish >= day for project in under_way)
