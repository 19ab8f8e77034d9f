"""Inspection rounds made by real Celery workers on the real Redis: a worker killed in the middle of
the generation leaves whole rounds only, and the redelivered run makes the rest, each exactly once."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from maintenance.generation import period_of
from maintenance.models import DayRule, Frequency, Round, RoundStop
from pmo.models import Organization
from tests.factories import (
    AssetCategoryFactory,
    AssetFactory,
    CriterionFactory,
    InspectionPlanFactory,
    MaintenanceSettingsFactory,
    OrganizationFactory,
    SiteFactory,
)
from tests.workers.conftest import Workers, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

ASSETS_PER_PLAN = 3


def waiting_for_a_lock() -> int:
    """Other sessions of the test database waiting for a lock: a worker stuck behind the held round."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def daily_plans(organization: Organization, count: int) -> list[object]:
    """``count`` daily plans, each over its own category's assets, with a round due every day."""
    MaintenanceSettingsFactory(organization=organization, round_lead_days=0)
    site = SiteFactory(organization=organization)
    plans = []
    for number in range(count):
        category = AssetCategoryFactory(organization=organization)
        CriterionFactory(organization=organization, category=category)
        for _asset in range(ASSETS_PER_PLAN):
            AssetFactory(organization=organization, site=site, category=category)
        plan = InspectionPlanFactory(
            organization=organization,
            name=f"Daily walk {number:02d}",
            frequency=Frequency.DAILY,
            day_rule=DayRule.EVERY_DAY,
            starts_on=organization.today().replace(day=1),
        )
        plan.categories.set([category])
        plans.append(plan)
    return plans


def test_a_worker_killed_while_making_rounds_leaves_whole_rounds_and_the_next_makes_the_rest_once(
    workers: Workers,
) -> None:
    organization = OrganizationFactory()
    count, held = 12, 5
    plans = daily_plans(organization, count)
    today = period_of(Frequency.DAILY, organization.today())
    with transaction.atomic():
        # The test inserts the held plan's round without committing: the worker's insert of the
        # same round waits for this transaction, and is killed there.
        Round.objects.create(
            organization=organization,
            plan=plans[held],
            period_start=today.start,
            period_end=today.end,
            due_date=today.end,
        )
        first = workers.start()
        workers.python("from pmo.celery import app\napp.send_task('maintenance.generate_rounds')")
        wait_for(lambda: waiting_for_a_lock() > 0, "the run to wait for the held round", workers)
        workers.kill(first)
        transaction.set_rollback(True)
    made = Round.objects.for_organization(organization)
    assert made.count() == held, "The rounds are made one after the other, in the order of the plans."
    assert RoundStop.objects.for_organization(organization).count() == held * ASSETS_PER_PLAN

    workers.start()
    wait_for(lambda: made.count() == count, "the redelivered run to make the other rounds", workers)
    assert sorted(made.values_list("plan_id", flat=True)) == sorted(plan.pk for plan in plans)  # type: ignore[attr-defined]
    assert RoundStop.objects.for_organization(organization).count() == count * ASSETS_PER_PLAN

    # The beat runs every hour: a run that finds every round made changes nothing.
    output = workers.python(
        "from maintenance.tasks import generate_rounds_org\n"
        f"print(generate_rounds_org.apply(kwargs={{'organization_id': {organization.pk}}}).get())"
    )
    assert output.strip() == "0"
    assert made.count() == count
