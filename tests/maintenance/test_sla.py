"""SLA deadlines worked by hand: weekends, holidays, make-up days, pauses, around the clock, breaches.

The week used: Monday 1 March 2027 to Sunday 7 March 2027, Asia/Shanghai, working day 09:00-17:00.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import pytest

from maintenance import sla
from maintenance.models import HoldReason, WorkOrder
from maintenance.services import settings as settings_services
from maintenance.services import work_orders as services
from pmo.models import CalendarException, WorkingCalendar
from pmo.workdays import WorkCalendar
from tests.factories import AssetFactory, DefectFactory, HoldReasonFactory, UserFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MON, TUE, WED, THU, FRI, SAT, SUN = (dt.date(2027, 3, day) for day in range(1, 8))
NEXT_MON = dt.date(2027, 3, 8)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def clock(holidays: tuple[dt.date, ...] = (), extra: tuple[dt.date, ...] = ()) -> sla.WorkingHours:
    return sla.WorkingHours(calendar=WorkCalendar(holidays=holidays, extra_working_days=extra), tz=SHANGHAI)


H = dt.timedelta(hours=1)


@contextmanager
def now_is(instant: dt.datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=instant):
        yield


# --- the arithmetic -------------------------------------------------------------------------------


def test_hours_within_one_working_day_stay_on_it() -> None:
    assert clock().add(at(MON, 10), 2 * H) == at(MON, 12)


def test_hours_that_use_up_the_day_exactly_end_at_its_close_not_the_next_morning() -> None:
    assert clock().add(at(MON, 9), 8 * H) == at(MON, 17)
    assert clock().add(at(MON, 9), 16 * H) == at(TUE, 17)


def test_a_deadline_across_the_weekend_skips_saturday_and_sunday() -> None:
    # Friday 15:00 + 8 h: 2 h on Friday, 6 h on Monday.
    assert clock().add(at(FRI, 15), 8 * H) == at(NEXT_MON, 15)
    # 3 working days (24 h) from Friday 15:00: 2 + 8 (Mon) + 8 (Tue) + 6 (Wed).
    assert clock().add(at(FRI, 15), 24 * H) == at(dt.date(2027, 3, 10), 15)


def test_a_holiday_is_skipped() -> None:
    assert clock(holidays=(NEXT_MON,)).add(at(FRI, 15), 8 * H) == at(dt.date(2027, 3, 9), 15)


def test_a_make_up_working_day_on_a_saturday_counts() -> None:
    assert clock(extra=(SAT,)).add(at(FRI, 15), 8 * H) == at(SAT, 15)


def test_opened_outside_working_hours_the_clock_starts_at_the_next_working_start() -> None:
    assert clock().add(at(FRI, 18), 2 * H) == at(NEXT_MON, 11)
    assert clock().add(at(SAT, 10), 2 * H) == at(NEXT_MON, 11)
    assert clock().add(at(MON, 7), 2 * H) == at(MON, 11)
    assert clock().add(at(MON, 17), 2 * H) == at(TUE, 11)


def test_working_time_elapsed_counts_only_the_working_hours() -> None:
    assert clock().elapsed(at(FRI, 16), at(NEXT_MON, 10)) == 2 * H
    assert clock().elapsed(at(MON, 10), at(MON, 12)) == 2 * H
    assert clock().elapsed(at(MON, 18), at(TUE, 8)) == dt.timedelta(0)
    assert clock().elapsed(at(MON, 9), at(FRI, 17)) == 40 * H
    assert clock(holidays=(WED,)).elapsed(at(MON, 9), at(FRI, 17)) == 32 * H
    assert clock().elapsed(at(TUE, 10), at(MON, 10)) == dt.timedelta(0)


def test_elapsed_undoes_add_for_a_start_inside_working_hours() -> None:
    working = clock(holidays=(WED,), extra=(SAT,))
    for hours in (0.5, 3, 8, 13, 40, 160):
        due = working.add(at(TUE, 14, 30), dt.timedelta(hours=hours))
        assert working.elapsed(at(TUE, 14, 30), due) == dt.timedelta(hours=hours)


def test_around_the_clock_counts_every_hour() -> None:
    around = sla.AroundTheClock()
    assert around.add(at(FRI, 23), 2 * H) == at(SAT, 1)
    assert around.elapsed(at(FRI, 23), at(SAT, 23)) == 24 * H


# --- the organisation's deadlines ------------------------------------------------------------------


@pytest.fixture
def org(organization):  # type: ignore[no-untyped-def]
    organization.time_zone = "Asia/Shanghai"
    organization.save(update_fields=["time_zone"])
    return organization


def test_the_default_targets_are_p1_around_the_clock_and_the_rest_in_working_days(org) -> None:  # type: ignore[no-untyped-def]
    targets = settings_services.sla_targets_for(org)
    assert {
        priority: (t.response_hours, t.resolution_hours, t.around_the_clock) for priority, t in targets.items()
    } == {
        "P1": (Decimal("2"), Decimal("24"), True),
        "P2": (Decimal("8"), Decimal("24"), False),
        "P3": (Decimal("16"), Decimal("80"), False),
        "P4": (Decimal("40"), Decimal("160"), False),
    }
    reasons = {reason.code: reason.pauses_clock for reason in HoldReason.objects.for_organization(org)}
    assert reasons == {"waiting_client": True, "waiting_access": True, "waiting_parts": False, "weather": True}


def test_p1_runs_around_the_clock_over_the_weekend(org) -> None:  # type: ignore[no-untyped-def]
    assert sla.due_times(organization=org, priority="P1", opened_at=at(SAT, 3)) == (at(SAT, 5), at(SUN, 3), True)


def test_p2_due_times_follow_the_default_calendar_holidays_and_make_up_days(org) -> None:  # type: ignore[no-untyped-def]
    calendar = WorkingCalendar.objects.for_organization(org).get(is_default=True)
    CalendarException.objects.create(organization=org, calendar=calendar, date=NEXT_MON, name="Holiday")
    CalendarException.objects.create(organization=org, calendar=calendar, date=SAT, is_working=True, name="Make-up")
    # Friday 15:00: 2 h Friday, 6 h on the make-up Saturday; 24 h: 2 + 8 (Sat) + 8 (Tue 9th) + 6 (Wed 10th).
    response, resolution, around = sla.due_times(organization=org, priority="P2", opened_at=at(FRI, 15))
    assert (response, resolution, around) == (at(SAT, 15), at(dt.date(2027, 3, 10), 15), False)


def test_the_settings_calendar_and_working_hours_are_the_clocks(org) -> None:  # type: ignore[no-untyped-def]
    site_calendar = WorkingCalendar.objects.create(organization=org, name="Park", working_weekdays=[0, 1, 2, 3, 4, 5])
    actor = UserFactory()
    settings_services.maintenance_settings_update(
        actor=actor,
        organization=org,
        calendar=site_calendar,
        workday_start=dt.time(8, 0),
        workday_end=dt.time(18, 0),
    )
    # A 10-hour day, Saturdays worked: Friday 17:00 + 8 h → 1 h Friday, 7 h Saturday (08:00-15:00).
    response, _, _ = sla.due_times(organization=org, priority="P2", opened_at=at(FRI, 17))
    assert response == at(SAT, 15)


def _work_order(org, priority: str, opened: dt.datetime) -> WorkOrder:  # type: ignore[no-untyped-def]
    defect = DefectFactory(organization=org, asset=AssetFactory(organization=org), priority=priority)
    with now_is(opened):
        return services.work_order_open_corrective(actor=None, defect=defect)


def test_a_work_order_opened_on_friday_evening_starts_its_clock_on_monday(org) -> None:  # type: ignore[no-untyped-def]
    work_order = _work_order(org, "P3", at(FRI, 19))
    # P3: respond within 2 working days (16 h), resolve within 10 (80 h) from Monday 09:00.
    assert work_order.response_due_at == at(dt.date(2027, 3, 9), 17)
    assert work_order.resolution_due_at == at(dt.date(2027, 3, 19), 17)
    assert work_order.reference == "WO-00001"


def _through_start(org, work_order: WorkOrder, started: dt.datetime):  # type: ignore[no-untyped-def]
    from tests.factories import ContractorFactory

    actor = UserFactory()
    with now_is(started - H):
        work_order = services.work_order_assign(
            actor=actor, work_order=work_order, contractor=ContractorFactory(organization=org)
        )
    with now_is(started):
        work_order = services.work_order_start(actor=actor, work_order=work_order)
    return actor, work_order


def test_a_pausing_hold_moves_the_deadlines_by_the_working_time_paused(org) -> None:  # type: ignore[no-untyped-def]
    work_order = _work_order(org, "P3", at(MON, 9))
    assert work_order.resolution_due_at == at(FRI, 17) + dt.timedelta(days=7)  # 10 working days: Friday week
    actor, work_order = _through_start(org, work_order, at(MON, 11))
    reason = HoldReason.objects.for_organization(org).get(code="waiting_client")
    with now_is(at(MON, 13)):
        work_order = services.work_order_hold(actor=actor, work_order=work_order, reason=reason)
    with now_is(at(TUE, 11)):
        work_order = services.work_order_resume(actor=actor, work_order=work_order)
    # Paused Monday 13:00-17:00 and Tuesday 09:00-11:00: 6 working hours.
    assert work_order.paused_seconds == 6 * 3600
    assert work_order.resolution_due_at == at(dt.date(2027, 3, 15), 15)
    assert work_order.status == "in_progress"
    assert work_order.pauses.get().paused_seconds == 6 * 3600


def test_a_hold_that_does_not_pause_leaves_the_deadlines(org) -> None:  # type: ignore[no-untyped-def]
    work_order = _work_order(org, "P3", at(MON, 9))
    due = work_order.resolution_due_at
    actor, work_order = _through_start(org, work_order, at(MON, 11))
    reason = HoldReason.objects.for_organization(org).get(code="waiting_parts")
    with now_is(at(MON, 13)):
        work_order = services.work_order_hold(actor=actor, work_order=work_order, reason=reason)
    with now_is(at(TUE, 11)):
        work_order = services.work_order_resume(actor=actor, work_order=work_order)
    assert (work_order.paused_seconds, work_order.resolution_due_at) == (0, due)


def test_a_hold_before_the_work_starts_moves_the_response_deadline_too(org) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import ContractorFactory

    work_order = _work_order(org, "P2", at(MON, 9))
    actor = UserFactory()
    with now_is(at(MON, 10)):
        work_order = services.work_order_assign(
            actor=actor, work_order=work_order, contractor=ContractorFactory(organization=org)
        )
        work_order = services.work_order_hold(
            actor=actor, work_order=work_order, reason=HoldReasonFactory(organization=org, code="weather")
        )
    with now_is(at(MON, 14)):
        work_order = services.work_order_resume(actor=actor, work_order=work_order)
    # P2: respond 8 h (Monday 17:00), resolve 24 h (Wednesday 17:00); 4 h paused.
    assert work_order.status == "assigned"
    assert work_order.response_due_at == at(TUE, 13)
    assert work_order.resolution_due_at == at(THU, 13)


def test_around_the_clock_pauses_count_every_hour(org) -> None:  # type: ignore[no-untyped-def]
    work_order = _work_order(org, "P1", at(FRI, 16))
    assert (work_order.response_due_at, work_order.resolution_due_at) == (at(FRI, 18), at(SAT, 16))
    actor, work_order = _through_start(org, work_order, at(FRI, 17))
    with now_is(at(FRI, 18)):
        work_order = services.work_order_hold(
            actor=actor, work_order=work_order, reason=HoldReason.objects.for_organization(org).get(code="weather")
        )
    with now_is(at(SAT, 6)):
        work_order = services.work_order_resume(actor=actor, work_order=work_order)
    assert work_order.paused_seconds == 12 * 3600
    assert work_order.resolution_due_at == at(SUN, 4)


def test_breach_flags_are_set_when_the_work_comes_after_the_deadlines(org) -> None:  # type: ignore[no-untyped-def]
    work_order = _work_order(org, "P2", at(MON, 9))
    # Responds by Monday 17:00 and resolves by Wednesday 17:00.
    actor, work_order = _through_start(org, work_order, at(TUE, 9))
    assert work_order.response_breached is True
    with now_is(at(THU, 9)):
        work_order = services.work_order_complete(
            actor=actor, work_order=work_order, work_done="Patched", labour_hours="3", cost="120.50"
        )
    assert work_order.resolution_breached is True
    assert work_order.cost == Decimal("120.50")


def test_no_breach_when_the_work_is_in_time(org) -> None:  # type: ignore[no-untyped-def]
    work_order = _work_order(org, "P2", at(MON, 9))
    actor, work_order = _through_start(org, work_order, at(MON, 16, 59))
    with now_is(at(WED, 17)):
        work_order = services.work_order_complete(actor=actor, work_order=work_order, work_done="Patched")
    assert (work_order.response_breached, work_order.resolution_breached) == (False, False)


def test_a_new_priority_recomputes_the_deadlines_from_the_opening(org) -> None:  # type: ignore[no-untyped-def]
    work_order = _work_order(org, "P3", at(MON, 9))
    with now_is(at(TUE, 10)):
        work_order = services.work_order_set_priority(actor=UserFactory(), work_order=work_order, priority="P2")
    assert (work_order.response_due_at, work_order.resolution_due_at) == (at(MON, 17), at(WED, 17))
    assert work_order.around_the_clock is False
    with now_is(at(TUE, 10)):
        work_order = services.work_order_set_priority(actor=UserFactory(), work_order=work_order, priority="P1")
    assert (work_order.response_due_at, work_order.resolution_due_at, work_order.around_the_clock) == (
        at(MON, 11),
        at(TUE, 9),
        True,
    )
