"""Making inspection rounds from the plans: exactly one round per plan and period.

A plan's periods are days, ISO weeks (Monday to Sunday), calendar months or calendar quarters. A
run makes the round of every active plan's period that is under way today or starts within the
organisation's ``round_lead_days``, when the period overlaps the plan's dates. Under the
working-days rule a daily plan makes no round on a day off, and every round is due on the last
working day of its period (its last day when it has none); under the every-day rule on its last
day. Periods missed while no run happened are not made afterwards: their rounds would be overdue
when made.

The round's stops are the plan's active assets (``covered_assets``) that have a criterion to read
(``criteria_by_category``), in route order: site, area, route order, code.

**Exactly once.** Each round is inserted with its stops in one transaction of its own; the insert
of an existing (plan, period) round fails on the constraint ``maintenance_round_once_per_period``
inside a savepoint and the period is skipped. So two runs at the same time make each round once
(the second insert waits for the first transaction, then conflicts), and a run that dies between
two rounds leaves whole rounds only: the next run makes the rest.

**Cost.** A run reads the settings, the calendar, the plans with their scope and the existing rounds
in a fixed number of queries, then per plan its assets and criteria (two queries), and per round
made one insert of the round and one bulk insert of its stops, whatever the number of assets
(SQLite splits a bulk insert into batches of its parameter limit; PostgreSQL does not).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet

from maintenance.models import (
    Asset,
    AssetStatus,
    Criterion,
    DayRule,
    Frequency,
    InspectionPlan,
    MaintenanceSettings,
    Round,
    RoundStatus,
    RoundStop,
)
from pmo.models import CalendarException, Organization, WorkingCalendar
from pmo.workdays import WorkCalendar


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class RunResult:
    rounds: int
    stops: int


def maintenance_settings(organization: Organization | int) -> MaintenanceSettings:
    """The organisation's maintenance settings (made with their defaults on first read)."""
    from maintenance.services.settings import maintenance_settings_for

    return maintenance_settings_for(organization)


def maintenance_calendar(organization_id: int, calendar_id: int | None) -> WorkCalendar:
    """The working days maintenance counts with: the settings' calendar, else the organisation's
    default, else Monday to Friday."""
    calendars = WorkingCalendar.objects.for_organization(organization_id)
    calendar = (calendars.filter(pk=calendar_id).first() if calendar_id else None) or calendars.filter(
        is_default=True
    ).first()
    if calendar is None:
        return WorkCalendar()
    holidays: list[dt.date] = []
    extra: list[dt.date] = []
    for day, is_working in (
        CalendarException.objects.for_organization(organization_id)
        .filter(calendar=calendar)
        .values_list("date", "is_working")
    ):
        (extra if is_working else holidays).append(day)
    return WorkCalendar(calendar.working_weekdays, holidays, extra)


# --- periods -------------------------------------------------------------------------------


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def period_of(frequency: str, day: dt.date) -> Period:
    """The period of ``frequency`` that contains ``day``."""
    if frequency == Frequency.DAILY:
        return Period(day, day)
    if frequency == Frequency.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return Period(start, start + dt.timedelta(days=6))
    if frequency == Frequency.MONTHLY:
        return Period(day.replace(day=1), _month_end(day.year, day.month))
    if frequency == Frequency.QUARTERLY:
        first_month = (day.month - 1) // 3 * 3 + 1
        return Period(dt.date(day.year, first_month, 1), _month_end(day.year, first_month + 2))
    raise ValueError(f"unknown frequency {frequency!r}")


def periods_between(frequency: str, first: dt.date, last: dt.date) -> list[Period]:
    """The periods under way on ``first`` or starting up to ``last``, in order."""
    periods: list[Period] = []
    period = period_of(frequency, first)
    while period.start <= last:
        periods.append(period)
        period = period_of(frequency, period.end + dt.timedelta(days=1))
    return periods


def due_date(period: Period, day_rule: str, calendar: WorkCalendar) -> dt.date:
    """The last day of the period; under the working-days rule its last working day (its last day
    when it has none)."""
    if day_rule != DayRule.WORKING_DAYS:
        return period.end
    last = calendar.previous_working_day(period.end) if not calendar.is_working_day(period.end) else period.end
    return last if last >= period.start else period.end


def plan_periods(plan: InspectionPlan, today: dt.date, lead_days: int, calendar: WorkCalendar) -> list[Period]:
    """The plan's periods a run on ``today`` makes rounds for."""
    horizon = today + dt.timedelta(days=lead_days)
    periods = []
    for period in periods_between(plan.frequency, today, horizon):
        if period.end < plan.starts_on or (plan.ends_on is not None and period.start > plan.ends_on):
            continue
        if (
            plan.frequency == Frequency.DAILY
            and plan.day_rule == DayRule.WORKING_DAYS
            and not calendar.is_working_day(period.start)
        ):
            continue
        periods.append(period)
    return periods


# --- what a plan covers ------------------------------------------------------------------


def covered_assets(plan: InspectionPlan) -> QuerySet[Asset]:
    """The plan's active assets in route order (its sites, areas and categories; empty means any).

    Reads the plan's scope from ``plan.sites`` etc. (prefetched by the run).
    """
    assets = Asset.objects.for_organization(plan.organization_id).filter(status=AssetStatus.ACTIVE)
    site_ids = [site.pk for site in plan.sites.all()]
    area_ids = [area.pk for area in plan.areas.all()]
    category_ids = [category.pk for category in plan.categories.all()]
    if site_ids:
        assets = assets.filter(site_id__in=site_ids)
    if area_ids:
        assets = assets.filter(area_id__in=area_ids)
    if category_ids:
        assets = assets.filter(category_id__in=category_ids)
    return assets.order_by("site__code", F("area__position").asc(nulls_first=True), "area__name", "route_order", "code")


def criteria_by_category(plan: InspectionPlan, category_ids: Iterable[int]) -> dict[int, list[int]]:
    """The criteria the plan reads on an asset of each category: the plan's chosen ones of that
    category, or all its criteria in force when the plan chose none; ids in the category's order."""
    wanted = set(category_ids)
    criteria = Criterion.objects.for_organization(plan.organization_id).filter(
        category_id__in=wanted, retired_at__isnull=True, versions__is_current=True
    )
    chosen = [criterion.pk for criterion in plan.criteria.all()]
    if chosen:
        criteria = criteria.filter(pk__in=chosen)
    found: dict[int, list[int]] = defaultdict(list)
    for pk, category_id in criteria.order_by("category_id", "position", "code").values_list("pk", "category_id"):
        found[category_id].append(pk)
    return dict(found)


def route(plan: InspectionPlan) -> list[int]:
    """The ids of the assets a round of the plan stops at, in route order (two queries)."""
    rows = list(covered_assets(plan).values_list("pk", "category_id"))
    read = criteria_by_category(plan, {category_id for _pk, category_id in rows})
    return [pk for pk, category_id in rows if read.get(category_id)]


# --- the run ---------------------------------------------------------------------------------


def _insert_round(plan: InspectionPlan, period: Period, due: dt.date, asset_ids: list[int]) -> int | None:
    """Insert one round with its stops in one transaction; None when the period already has its round."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                made = Round.objects.create(
                    organization_id=plan.organization_id,
                    plan=plan,
                    period_start=period.start,
                    period_end=period.end,
                    due_date=due,
                    inspector_id=plan.inspector_id,
                    status=RoundStatus.SCHEDULED,
                )
        except IntegrityError:
            return None
        RoundStop.objects.bulk_create(
            [
                RoundStop(organization_id=plan.organization_id, round=made, asset_id=asset_id, position=position)
                for position, asset_id in enumerate(asset_ids, start=1)
            ]
        )
    return len(asset_ids)


def generate_rounds(*, organization: Organization, today: dt.date) -> RunResult:
    """Make the rounds of the organisation's active plans due for ``today``'s run (see the module)."""
    settings = maintenance_settings(organization)
    calendar = maintenance_calendar(organization.pk, settings.calendar_id)
    horizon = today + dt.timedelta(days=settings.round_lead_days)
    plans = list(
        InspectionPlan.objects.for_organization(organization)
        .filter(is_active=True, starts_on__lte=horizon)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .prefetch_related("sites", "areas", "categories", "criteria")
        .order_by("pk")
    )
    wanted = {plan.pk: plan_periods(plan, today, settings.round_lead_days, calendar) for plan in plans}
    earliest = min((periods[0].start for periods in wanted.values() if periods), default=None)
    existing: set[tuple[int, dt.date]] = set()
    if earliest is not None:
        existing = set(
            Round.objects.for_organization(organization)
            .filter(plan_id__in=list(wanted), period_start__gte=earliest)
            .values_list("plan_id", "period_start")
        )
    rounds = stops = 0
    for plan in plans:
        missing = [period for period in wanted[plan.pk] if (plan.pk, period.start) not in existing]
        if not missing:
            continue
        asset_ids = route(plan)
        if not asset_ids:
            continue  # nothing to inspect yet: the plan's assets or criteria come later
        for period in missing:
            made = _insert_round(plan, period, due_date(period, plan.day_rule, calendar), asset_ids)
            if made is not None:
                rounds += 1
                stops += made
    return RunResult(rounds=rounds, stops=stops)
