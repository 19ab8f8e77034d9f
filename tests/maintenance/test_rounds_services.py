"""Readings on a round: judged at once, stored with their version, breaches made into work orders."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from maintenance.models import (
    AssetReading,
    Defect,
    EnteredAs,
    RoundStatus,
    RoundStop,
    StopStatus,
    WorkOrder,
    WorkOrderKind,
)
from maintenance.services.rounds import (
    ReadingInput,
    round_complete,
    round_stop_reopen,
    round_stop_skip,
    round_submit_readings,
)
from pmo.errors import ApplicationError
from pmo.models import Organization
from tests.maintenance.rounds_support import walk

pytestmark = pytest.mark.django_db


def test_a_reading_is_judged_at_once_and_stored_with_the_current_version(organization: Organization) -> None:
    w = walk(organization)
    stop = w.stops[0]
    results = round_submit_readings(
        actor=w.user,
        round=w.round,
        stop=stop,
        readings=[
            ReadingInput(criterion_id=w.depth.pk, value=Decimal("12")),
            ReadingInput(criterion_id=w.cover.pk, value=Decimal("4"), entered_as=EnteredAs.AREA),
        ],
    )
    assert [r.verdict.passed for r in results if r.verdict] == [True, True]
    assert results[0].verdict is not None
    assert results[0].verdict.text.startswith("12 mm ≤ 20 mm")
    area = AssetReading.objects.for_organization(organization).get(criterion=w.cover)
    assert (area.entered_value, area.value, area.entered_as) == (Decimal("4"), Decimal("2"), EnteredAs.AREA)
    assert area.criterion_version.is_current
    stop.refresh_from_db()
    w.round.refresh_from_db()
    assert stop.status == StopStatus.DONE
    assert w.round.status == RoundStatus.IN_PROGRESS


def test_a_breach_opens_a_defect_and_a_corrective_work_order_with_the_criterions_priority(
    organization: Organization,
) -> None:
    w = walk(organization)
    results = round_submit_readings(
        actor=w.user,
        round=w.round,
        stop=w.stops[0],
        readings=[ReadingInput(criterion_id=w.depth.pk, value=Decimal("23"))],
    )
    assert results[0].verdict is not None
    assert results[0].verdict.text.startswith("23 mm > 20 mm")
    order = results[0].work_order
    assert order is not None
    assert (order.kind, order.priority, order.asset_id) == (WorkOrderKind.CORRECTIVE, "P2", w.stops[0].asset_id)
    reading = AssetReading.objects.for_organization(organization).get(pk=results[0].reading.pk)
    assert reading.defect_id == order.defect_id
    assert reading.passed is False


def test_a_second_breach_joins_the_unclosed_work_order_instead_of_opening_another(organization: Organization) -> None:
    w = walk(organization)
    first = round_submit_readings(
        actor=w.user,
        round=w.round,
        stop=w.stops[0],
        readings=[ReadingInput(criterion_id=w.depth.pk, value=Decimal("23"))],
    )[0].work_order
    w.round.status = RoundStatus.COMPLETED
    from tests.factories import RoundFactory, RoundStopFactory

    later = RoundFactory(
        organization=organization, plan=w.plan, period_start=dt.date(2026, 3, 9), period_end=dt.date(2026, 3, 15)
    )
    stop = RoundStopFactory(organization=organization, round=later, asset=w.stops[0].asset)
    second = round_submit_readings(
        actor=w.user,
        round=later,
        stop=stop,
        readings=[ReadingInput(criterion_id=w.depth.pk, value=Decimal("30"))],
    )[0]
    assert first is not None
    assert second.work_order is not None
    assert second.work_order.pk == first.pk
    assert WorkOrder.objects.for_organization(organization).filter(kind=WorkOrderKind.CORRECTIVE).count() == 1
    assert Defect.objects.for_organization(organization).count() == 1
    assert AssetReading.objects.for_organization(organization).filter(defect_id=first.defect_id).count() == 2


def test_a_defect_found_up_to_the_warranty_end_is_a_warranty_claim(organization: Organization) -> None:
    w = walk(organization, assets=1, warranty_end=dt.date(2099, 1, 1))
    result = round_submit_readings(
        actor=w.user,
        round=w.round,
        stop=w.stops[0],
        readings=[ReadingInput(criterion_id=w.depth.pk, value=Decimal("25"))],
    )[0]
    defect = Defect.objects.for_organization(organization).get()
    assert defect.warranty_claim is True
    assert result.work_order is not None
    assert result.work_order.warranty_claim is True


def test_a_defect_found_after_the_warranty_end_is_no_claim(organization: Organization) -> None:
    w = walk(organization, assets=1, warranty_end=dt.date(2020, 1, 1))
    round_submit_readings(
        actor=w.user,
        round=w.round,
        stop=w.stops[0],
        readings=[ReadingInput(criterion_id=w.depth.pk, value=Decimal("25"))],
    )
    assert Defect.objects.for_organization(organization).get().warranty_claim is False


def test_not_applicable_needs_no_value_and_is_not_judged(organization: Organization) -> None:
    w = walk(organization)
    result = round_submit_readings(
        actor=w.user,
        round=w.round,
        stop=w.stops[0],
        readings=[ReadingInput(criterion_id=w.depth.pk, not_applicable=True, notes="Covered by a skip")],
    )[0]
    assert result.verdict is None
    stored = AssetReading.objects.for_organization(organization).get()
    assert (stored.not_applicable, stored.value, stored.passed) == (True, None, None)


def test_a_bad_reading_refuses_the_whole_batch(organization: Organization) -> None:
    w = walk(organization)
    with pytest.raises(ApplicationError) as refused:
        round_submit_readings(
            actor=w.user,
            round=w.round,
            stop=w.stops[0],
            readings=[
                ReadingInput(criterion_id=w.depth.pk, value=Decimal("5")),
                ReadingInput(criterion_id=w.cover.pk, value=Decimal("140"), entered_as=EnteredAs.PERCENT),
            ],
        )
    assert refused.value.code == "reading_invalid"
    assert "readings[1].value" in refused.value.fields
    assert not AssetReading.objects.for_organization(organization).exists()


def test_a_reading_can_be_taken_again_while_the_round_is_open(organization: Organization) -> None:
    w = walk(organization)
    for value in ("12", "14"):
        round_submit_readings(
            actor=w.user,
            round=w.round,
            stop=w.stops[0],
            readings=[ReadingInput(criterion_id=w.depth.pk, value=Decimal(value))],
        )
    assert AssetReading.objects.for_organization(organization).get().value == Decimal("14")


def test_a_criterion_the_plan_does_not_read_at_the_stop_is_refused(organization: Organization) -> None:
    w = walk(organization)
    from tests.factories import CriterionFactory

    stranger = CriterionFactory(organization=organization)
    with pytest.raises(ApplicationError) as refused:
        round_submit_readings(
            actor=w.user,
            round=w.round,
            readings=[ReadingInput(criterion_id=stranger.pk, asset_id=w.stops[0].asset_id, value=Decimal("1"))],
        )
    assert refused.value.code == "not_found"


def test_a_completed_round_takes_no_readings(organization: Organization) -> None:
    w = walk(organization, assets=1)
    round_stop_skip(actor=w.user, stop=w.stops[0], note="Gate locked")
    round_complete(actor=w.user, round=w.round)
    with pytest.raises(ApplicationError) as refused:
        round_submit_readings(
            actor=w.user,
            round=w.round,
            stop=w.stops[0],
            readings=[ReadingInput(criterion_id=w.depth.pk, value=Decimal("1"))],
        )
    assert refused.value.code == "round_closed"


def test_a_round_with_stops_to_do_cannot_be_completed_until_they_are_read_or_not_reached(
    organization: Organization,
) -> None:
    w = walk(organization, assets=2)
    round_submit_readings(
        actor=w.user,
        round=w.round,
        stop=w.stops[0],
        readings=[
            ReadingInput(criterion_id=w.depth.pk, value=Decimal("3")),
            ReadingInput(criterion_id=w.cover.pk, value=Decimal("1"), entered_as=EnteredAs.PERCENT),
        ],
    )
    with pytest.raises(ApplicationError) as refused:
        round_complete(actor=w.user, round=w.round)
    assert refused.value.code == "stops_pending"
    with pytest.raises(ApplicationError) as no_note:
        round_stop_skip(actor=w.user, stop=w.stops[1], note="  ")
    assert no_note.value.code == "note_required"
    round_stop_skip(actor=w.user, stop=w.stops[1], note="Flooded path")
    completed = round_complete(actor=w.user, round=w.round)
    assert completed.status == RoundStatus.COMPLETED
    assert completed.completed_at is not None


def test_a_stop_marked_not_reached_can_be_taken_back(organization: Organization) -> None:
    w = walk(organization, assets=1)
    round_stop_skip(actor=w.user, stop=w.stops[0], note="Gate locked")
    round_stop_reopen(actor=w.user, stop=w.stops[0])
    assert RoundStop.objects.for_organization(organization).get().status == StopStatus.PENDING


def _batch(w: Any, count: int, failing: int = 0) -> list[ReadingInput]:
    readings = []
    for index, stop in enumerate(w.stops[: count // 2]):
        depth = Decimal("25") if index < failing else Decimal("10")
        readings.append(ReadingInput(criterion_id=w.depth.pk, stop_id=stop.pk, value=depth))
        readings.append(
            ReadingInput(criterion_id=w.cover.pk, stop_id=stop.pk, value=Decimal("3"), entered_as=EnteredAs.PERCENT)
        )
    return readings


@pytest.fixture
def unsplit_inserts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let SQLite insert a batch in one statement, as PostgreSQL does: Django assumes SQLite's old
    limit of 999 parameters, while the SQLite in use takes many more."""
    if connection.vendor == "sqlite":
        limit = sqlite3.connect(":memory:").getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        monkeypatch.setattr(connection.features, "max_query_params", limit)


@pytest.mark.usefixtures("unsplit_inserts")
@pytest.mark.parametrize("count", [20, 200])
def test_judging_a_batch_costs_the_same_queries_for_20_and_200_readings(
    count: int, django_assert_num_queries: Any
) -> None:
    from tests.factories import OrganizationFactory

    organization = OrganizationFactory()
    w = walk(organization, assets=100)
    readings = _batch(w, count)
    with django_assert_num_queries(QUERIES_PER_BATCH):
        results = round_submit_readings(actor=w.user, round=w.round, readings=readings)
    assert len(results) == count


@pytest.mark.usefixtures("unsplit_inserts")
def test_each_breach_adds_the_same_queries_and_passing_readings_add_none() -> None:
    from django.test.utils import CaptureQueriesContext

    from tests.factories import OrganizationFactory

    costs = []
    for failing in (1, 2, 3):
        w = walk(OrganizationFactory(), assets=10)
        with CaptureQueriesContext(connection) as captured:
            round_submit_readings(actor=w.user, round=w.round, readings=_batch(w, 20, failing=failing))
        costs.append(len(captured))
    assert costs[2] - costs[1] == costs[1] - costs[0] == QUERIES_PER_BREACH


#: A new defect and its corrective work order: savepoints, the defect, the unclosed check, the
#: settings, the number, the SLA target, the calendar and its exceptions, the work order, its event
#: and two audit rows. The order's fields come from stored rows, so the model's validation (a query
#: per foreign key and per constraint: 30 more per breach before) is not run again.
QUERIES_PER_BREACH = 19


#: The savepoint and its release, lock the round, its stops, the plan's criteria, the criteria in force,
#: the versions, the readings taken, insert, count the readings per stop, mark the stops done, start
#: the round, audit.
QUERIES_PER_BATCH = 13
