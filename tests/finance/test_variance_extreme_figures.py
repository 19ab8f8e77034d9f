"""Figures too large for a snapshot's columns never stop the variance run of the other projects.

A batch writes every project's snapshot in one statement: one project whose figures overflow the
columns (an extreme credit, or EAC = BAC x AC / EV with a tiny EV) made the database refuse the
whole statement, so no project of the batch was evaluated. A figure that still does not fit the
widened columns is stored as null ("not measurable"), as an undefined ratio is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from finance.models import EvmSnapshot
from finance.variance import variance_run_batch
from pmo.models import Membership, Organization
from projects.models import PercentCompleteMethod, Project
from tests.conftest import require_service
from tests.finance.test_earned_value_support import (
    baseline,
    build_textbook,
    cost,
    march,
    new_project,
    progress,
    task,
)

pytestmark = pytest.mark.django_db

TEXTBOOK = {
    "bac": Decimal("10000.00"),
    "pv": Decimal("5000.00"),
    "ev": Decimal("4000.00"),
    "ac": Decimal("4500.00"),
    "cpi": Decimal("0.8889"),
    "vac": Decimal("-1250.00"),
}


def figures(snapshot: EvmSnapshot, names: list[str]) -> dict[str, Any]:
    return {name: getattr(snapshot, name) for name in names}


def exploding_project(organization: Organization) -> tuple[Membership, Project]:
    """Inputs within the money limit whose EAC = BAC x AC / EV is about 10^26: EV is one cent."""
    admin, project = new_project(organization, "P-X")
    actor = admin.user
    task(project, actor, "Everything", "999999999999.99", duration=5)
    penny = task(
        project, actor, "Penny", "0.01", duration=1, percent_complete_method=PercentCompleteMethod.ZERO_HUNDRED
    )
    baseline(project, actor)
    progress(actor, penny, march(2), actual_start=march(2), actual_finish=march(2))
    cost(project, march(2), "999999999999.99")
    return admin, project


def run_both(organization: Organization, *projects: Project, day: dt.date) -> int:
    report = variance_run_batch(organization=organization, project_ids=[item.pk for item in projects], as_of=day)
    return report.snapshots


def snapshot_of(organization: Organization, project: Project) -> EvmSnapshot:
    return EvmSnapshot.objects.for_organization(organization).get(project=project)


def test_a_project_whose_forecast_overflows_the_columns_is_stored_as_not_measurable_and_the_batch_goes_on(
    organization: Organization,
) -> None:
    normal = build_textbook(organization).project
    _, extreme = exploding_project(organization)

    assert run_both(organization, extreme, normal, day=march(9)) == 2

    assert figures(snapshot_of(organization, normal), list(TEXTBOOK)) == TEXTBOOK
    stored = snapshot_of(organization, extreme)
    assert (stored.bac, stored.ev, stored.ac) == (
        Decimal("1000000000000.00"),
        Decimal("0.01"),
        Decimal("999999999999.99"),
    )
    # EAC, ETC and VAC are about 10^26: not measurable rather than a failed run.
    assert (stored.eac, stored.etc, stored.vac) == (None, None, None)
    assert stored.cpi == Decimal("0.0000")


def test_an_extreme_credit_on_one_project_does_not_stop_the_run_of_the_others(organization: Organization) -> None:
    normal = build_textbook(organization).project
    credited = build_textbook(organization, code="P-2").project
    # Recorded before the money input limit existed: CV about 10^14, EAC about -2.5 x 10^14.
    cost(credited, march(6), "-99999999999999.99")

    assert run_both(organization, normal, credited, day=march(9)) == 2

    assert figures(snapshot_of(organization, normal), list(TEXTBOOK)) == TEXTBOOK
    stored = snapshot_of(organization, credited)
    assert stored.cv == Decimal("4000.00") - stored.ac
    assert stored.ac < Decimal("-99999999990000")


def test_a_cost_on_a_project_with_exploding_figures_is_evaluated_once_committed(
    organization: Organization, django_capture_on_commit_callbacks: Any
) -> None:
    from finance.services.costs import actual_cost_create
    from tests.finance.test_earned_value_support import works_category

    admin, extreme = exploding_project(organization)
    EvmSnapshot.objects.for_organization(organization).delete()

    with django_capture_on_commit_callbacks(execute=True):
        actual_cost_create(
            actor=admin.user,
            project=extreme,
            date=organization.today(),
            amount=Decimal("999999999999.99"),
            category=works_category(organization),
        )

    today = snapshot_of(organization, extreme)
    assert today.date == organization.today()
    assert today.eac is None


@pytest.mark.postgres
def test_on_postgresql_one_projects_overflowing_figures_leave_the_others_snapshots_written(
    organization: Organization,
) -> None:
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "the numeric columns' overflow is PostgreSQL's")
    normal = build_textbook(organization).project
    _, extreme = exploding_project(organization)
    credited = build_textbook(organization, code="P-2").project
    cost(credited, march(6), "-99999999999999.99")

    assert run_both(organization, normal, extreme, credited, day=march(9)) == 3

    assert figures(snapshot_of(organization, normal), list(TEXTBOOK)) == TEXTBOOK
    assert snapshot_of(organization, extreme).eac is None
    assert snapshot_of(organization, credited).cv > Decimal("99999999990000")


def test_the_earned_value_of_a_project_with_exploding_figures_is_shown_as_not_measurable(
    organization: Organization,
) -> None:
    from tests.conftest import api_client_for, page_client_for

    admin, extreme = exploding_project(organization)
    run_both(organization, extreme, day=march(9))
    api = api_client_for(admin.user)

    figures = api.get(f"/api/v1/orgs/acme/projects/{extreme.pk}/evm/?as_of=2026-03-09")
    snapshots = api.get(f"/api/v1/orgs/acme/projects/{extreme.pk}/evm/snapshots/")
    page = page_client_for(admin.user).get(f"/o/acme/projects/{extreme.pk}/earned-value/?as_of=2026-03-09")

    assert figures.status_code == 200, figures.content
    assert figures.json()["eac_combined"] is None
    assert snapshots.status_code == 200
    assert snapshots.json()["results"][0]["eac"] is None
    assert page.status_code == 200
