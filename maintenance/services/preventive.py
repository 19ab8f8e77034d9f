"""Preventive plans: create, change, deactivate; which due point each plan and asset is at; the generator.

A plan is on one asset or on a category (then on every asset of the category in service). The due
points are ``maintenance.preventive``'s (read its docstring for the rules: fixed dates anchored on
the start date, floating from the last completion, meter every N units, only the latest open due
point is made, never a backlog). Work orders are made by ``work_order_create_preventive`` of the
work-order services, which makes at most one per plan, asset and due key; a run of the generator
that finds them made changes nothing.

Who may write is the callers' check (``MaintenanceAction.MANAGE``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from maintenance.models import (
    Asset,
    AssetCategory,
    AssetStatus,
    Contractor,
    IntervalUnit,
    Meter,
    PmPlan,
    PmSchedule,
    PmTrigger,
    Priority,
    WorkOrder,
)
from maintenance.preventive import (
    CalendarRule,
    DuePoint,
    MeterRule,
    calendar_next_point,
    calendar_point_to_make,
    meter_next_point,
    meter_point_to_make,
)
from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, User

PLAN_FIELDS = [
    "name",
    "asset",
    "category",
    "trigger",
    "interval",
    "interval_unit",
    "schedule",
    "starts_on",
    "lead_days",
    "meter_code",
    "meter_interval",
    "meter_lead",
    "priority",
    "instructions",
    "assignee",
    "contractor",
]
MAX_INTERVAL = 1000
MAX_LEAD_DAYS = 366


def _invalid(field_name: str, message: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field_name: [message]})


def validated(instance: models.Model) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ApplicationError(
            "; ".join(error.messages), code="invalid", fields=getattr(error, "message_dict", {})
        ) from error


def _same_organization(organization_id: int, value: Any, field_name: str) -> None:
    """A related row of another organisation is refused as if it did not exist."""
    if value is not None and value.organization_id != organization_id:
        raise _invalid(field_name, _("Choose one of the organisation's own."), code="not_found")


def _clean(organization: Organization, values: dict[str, Any]) -> dict[str, Any]:
    """The plan's values checked, in the order a form shows them; the other trigger's fields cleared."""
    values["name"] = (values.get("name") or "").strip()
    if not values["name"]:
        raise _invalid("name", _("Give the plan a name."))
    asset: Asset | None = values.get("asset")
    category: AssetCategory | None = values.get("category")
    _same_organization(organization.pk, asset, "asset")
    _same_organization(organization.pk, category, "category")
    if (asset is None) == (category is None):
        raise _invalid("asset", _("Choose either one asset or a category of assets, not both."))
    if asset is not None and asset.status != AssetStatus.ACTIVE:
        raise _invalid("asset", _("Asset %(asset)s is retired: it needs no preventive work.") % {"asset": asset})
    if values.get("trigger") not in PmTrigger.values:
        raise _invalid("trigger", _("Choose whether the plan goes by calendar or by meter."))
    if values.get("priority") not in Priority.values:
        raise _invalid("priority", _("Choose a priority from P1 to P4."))
    if values["trigger"] == PmTrigger.CALENDAR:
        _clean_calendar(organization, values)
    else:
        _clean_meter(organization, values)
    _same_organization(organization.pk, values.get("contractor"), "contractor")
    contractor: Contractor | None = values.get("contractor")
    if contractor is not None and not contractor.is_active:
        raise _invalid("contractor", _("Contractor %(name)s is no longer active.") % {"name": contractor.name})
    assignee: User | None = values.get("assignee")
    if (
        assignee is not None
        and not Membership.objects.for_organization(organization).filter(user_id=assignee.pk).exists()
    ):
        raise _invalid("assignee", _("Choose a member of the organisation."), code="not_found")
    values["instructions"] = (values.get("instructions") or "").strip()
    return values


def _clean_calendar(organization: Organization, values: dict[str, Any]) -> None:
    interval = values.get("interval")
    if interval is None or not 1 <= interval <= MAX_INTERVAL:
        raise _invalid(
            "interval", _("Say how often: every 1 to %(max)d days, weeks, months or years.") % {"max": MAX_INTERVAL}
        )
    if values.get("interval_unit") not in IntervalUnit.values:
        raise _invalid("interval_unit", _("Choose days, weeks, months or years."))
    if values.get("schedule") not in PmSchedule.values:
        raise _invalid("schedule", _("Choose fixed dates or floating from the last completion."))
    starts_on: dt.date | None = values.get("starts_on")
    if starts_on is None:
        raise _invalid("starts_on", _("Give the first due date."))
    if not organization.date_window.contains(starts_on):
        raise _invalid("starts_on", organization.date_window.message(), code="date_out_of_range")
    lead = values.get("lead_days")
    if lead is None or not 0 <= lead <= MAX_LEAD_DAYS:
        raise _invalid("lead_days", _("Open the work order 0 to %(max)d days ahead.") % {"max": MAX_LEAD_DAYS})
    values.update(meter_code="", meter_interval=None, meter_lead=Decimal("0"))


def _clean_meter(organization: Organization, values: dict[str, Any]) -> None:
    code = (values.get("meter_code") or "").strip()
    if not code:
        raise _invalid("meter_code", _("Give the code of the meter the plan follows, e.g. lamp-hours."))
    values["meter_code"] = code
    every: Decimal | None = values.get("meter_interval")
    if every is None or every <= 0:
        raise _invalid("meter_interval", _("Say every how many meter units the work falls due."))
    lead: Decimal = values.get("meter_lead") or Decimal("0")
    if lead < 0:
        raise _invalid("meter_lead", _("The lead cannot be negative."))
    if lead >= every:
        raise _invalid(
            "meter_lead",
            _("Open the work order less than one interval (%(every)s) ahead.") % {"every": _number(every)},
        )
    values["meter_lead"] = lead
    asset: Asset | None = values.get("asset")
    if asset is not None and not Meter.objects.for_organization(organization).filter(asset=asset, code=code).exists():
        raise _invalid(
            "meter_code",
            _("Asset %(asset)s has no meter with the code %(code)s: add the meter to the asset first.")
            % {"asset": asset, "code": code},
        )
    values.update(interval=None, interval_unit="", schedule=PmSchedule.FIXED, starts_on=None)
    values["lead_days"] = 0


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


@transaction.atomic
def pm_plan_create(
    *,
    actor: User | None,
    organization: Organization,
    name: str,
    trigger: str = PmTrigger.CALENDAR,
    asset: Asset | None = None,
    category: AssetCategory | None = None,
    interval: int | None = None,
    interval_unit: str = "",
    schedule: str = PmSchedule.FIXED,
    starts_on: dt.date | None = None,
    lead_days: int = 7,
    meter_code: str = "",
    meter_interval: Decimal | None = None,
    meter_lead: Decimal = Decimal("0"),
    priority: str = Priority.P4,
    instructions: str = "",
    assignee: User | None = None,
    contractor: Contractor | None = None,
) -> PmPlan:
    """Add a preventive plan; its first work order is made by the next generator run (or reading)."""
    values = _clean(
        organization,
        {
            "name": name,
            "asset": asset,
            "category": category,
            "trigger": trigger,
            "interval": interval,
            "interval_unit": interval_unit,
            "schedule": schedule,
            "starts_on": starts_on,
            "lead_days": lead_days,
            "meter_code": meter_code,
            "meter_interval": meter_interval,
            "meter_lead": meter_lead,
            "priority": priority,
            "instructions": instructions,
            "assignee": assignee,
            "contractor": contractor,
        },
    )
    plan = PmPlan(organization=organization, **values)
    validated(plan)
    plan.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="maintenance_pm_plan.created",
        target=plan,
        changes=diff({}, snapshot(plan, PLAN_FIELDS)),
    )
    return plan


def _locked(plan: PmPlan) -> PmPlan:
    return (
        PmPlan.objects.for_organization(plan.organization_id)
        .select_for_update(of=("self",))
        .select_related("organization", "asset", "category")
        .get(pk=plan.pk)
    )


@transaction.atomic
def pm_plan_update(*, actor: User | None, plan: PmPlan, **fields: Any) -> PmPlan:
    """Change a plan; the fields left out keep their values. Work orders already made stay as they are,
    later due points follow the new schedule."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"not preventive plan fields: {sorted(unknown)}")
    plan = _locked(plan)
    before = snapshot(plan, PLAN_FIELDS)
    values = _clean(plan.organization, {**before, **fields})
    for name, value in values.items():
        setattr(plan, name, value)
    validated(plan)
    plan.save()
    changes = diff(before, snapshot(plan, PLAN_FIELDS))
    if changes:
        audit_record(
            organization=plan.organization,
            actor=actor,
            action="maintenance_pm_plan.updated",
            target=plan,
            changes=changes,
        )
    return plan


@transaction.atomic
def pm_plan_set_active(*, actor: User | None, plan: PmPlan, active: bool) -> PmPlan:
    """Deactivate a plan (it makes no more work orders; those made stay) or activate it again."""
    plan = _locked(plan)
    if plan.is_active == active:
        return plan
    if active and plan.asset is not None and plan.asset.status != AssetStatus.ACTIVE:
        raise ApplicationError(
            _("Asset %(asset)s is retired: its plan cannot be activated again.") % {"asset": plan.asset},
            code="asset_retired",
        )
    plan.is_active = active
    plan.save(update_fields=["is_active"])
    audit_record(
        organization=plan.organization,
        actor=actor,
        action="maintenance_pm_plan.activated" if active else "maintenance_pm_plan.deactivated",
        target=plan,
        changes={"is_active": [not active, active]},
    )
    return plan


# Where each plan and asset stands


@dataclass
class PlanTarget:
    """One asset of a plan: the due point to make today (if any) and the next one still to make."""

    plan: PmPlan
    asset: Asset
    meter: Meter | None = None
    last_done: dt.date | None = None
    to_make: DuePoint | None = None
    next_point: DuePoint | None = None
    made_keys: set[str] = field(default_factory=set)

    @property
    def missing_meter(self) -> bool:
        return self.plan.trigger == PmTrigger.METER and self.meter is None


def calendar_rule(plan: PmPlan) -> CalendarRule:
    assert plan.interval is not None
    assert plan.starts_on is not None
    return CalendarRule(
        interval=plan.interval,
        unit=plan.interval_unit,
        starts_on=plan.starts_on,
        lead_days=plan.lead_days,
        floating=plan.schedule == PmSchedule.FLOATING,
    )


def meter_rule(plan: PmPlan) -> MeterRule:
    assert plan.meter_interval is not None
    return MeterRule(interval=plan.meter_interval, lead=plan.meter_lead)


def _local_date(moment: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> dt.date | None:
    return None if moment is None else moment.astimezone(zone).date()


def plan_targets(
    organization: Organization, plans: Sequence[PmPlan], *, today: dt.date, asset: Asset | None = None
) -> list[PlanTarget]:
    """Every (plan, asset in service) of ``plans`` with its due points on ``today``, in five queries at most.

    ``plans`` carry their asset (``select_related``). With ``asset``, only that asset's targets.
    Assets of category plans come in the category's route order; a meter plan's asset without the
    plan's meter gets no due point (``missing_meter``).
    """
    pairs: list[tuple[PmPlan, Asset]] = []
    category_ids = {plan.category_id for plan in plans if plan.category_id is not None}
    by_category: dict[int, list[Asset]] = defaultdict(list)
    if category_ids:
        members = Asset.objects.for_organization(organization).filter(
            category_id__in=category_ids, status=AssetStatus.ACTIVE
        )
        if asset is not None:
            members = members.filter(pk=asset.pk)
        for member in members.order_by("site_id", "route_order", "code"):
            by_category[member.category_id].append(member)
    for plan in plans:
        plan.organization = organization
        if plan.asset is not None:
            if plan.asset.status == AssetStatus.ACTIVE and (asset is None or plan.asset.pk == asset.pk):
                pairs.append((plan, plan.asset))
        elif plan.category_id is not None:
            pairs.extend((plan, member) for member in by_category.get(plan.category_id, []))
    if not pairs:
        return []
    targets = [PlanTarget(plan=plan, asset=member) for plan, member in pairs]
    _attach_meters(organization, targets)
    _attach_last_done(organization, targets)
    for target in targets:
        target.to_make = _point_to_make(target, today)
    _attach_made(organization, targets)
    for target in targets:
        target.next_point = _next_point(target, today)
    return targets


def _attach_meters(organization: Organization, targets: list[PlanTarget]) -> None:
    wanted = [t for t in targets if t.plan.trigger == PmTrigger.METER]
    if not wanted:
        return
    meters = Meter.objects.for_organization(organization).filter(
        asset_id__in={t.asset.pk for t in wanted}, code__in={t.plan.meter_code for t in wanted}
    )
    by_key = {(meter.asset_id, meter.code): meter for meter in meters}
    for target in wanted:
        target.meter = by_key.get((target.asset.pk, target.plan.meter_code))


def _attach_last_done(organization: Organization, targets: list[PlanTarget]) -> None:
    """The last completion (or cancellation) of each floating plan's work orders on each asset."""
    floating = [t for t in targets if t.plan.trigger == PmTrigger.CALENDAR and t.plan.schedule == PmSchedule.FLOATING]
    if not floating:
        return
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    rows = (
        WorkOrder.objects.for_organization(organization)
        .filter(pm_plan_id__in={t.plan.pk for t in floating}, asset_id__in={t.asset.pk for t in floating})
        .filter(Q(completed_at__isnull=False) | Q(cancelled_at__isnull=False))
        .values("pm_plan_id", "asset_id")
        .annotate(completed=Max("completed_at"), cancelled=Max("cancelled_at"))
    )
    done: dict[tuple[int, int], dt.date] = {}
    for row in rows:
        days = [d for d in (_local_date(row["completed"], zone), _local_date(row["cancelled"], zone)) if d]
        done[(row["pm_plan_id"], row["asset_id"])] = max(days)
    for target in floating:
        target.last_done = done.get((target.plan.pk, target.asset.pk))


def _point_to_make(target: PlanTarget, today: dt.date) -> DuePoint | None:
    if target.plan.trigger == PmTrigger.CALENDAR:
        return calendar_point_to_make(calendar_rule(target.plan), today=today, last_done=target.last_done)
    if target.meter is None:
        return None
    return meter_point_to_make(meter_rule(target.plan), value=target.meter.total)


def _attach_made(organization: Organization, targets: list[PlanTarget]) -> None:
    """Which of the current due points already have their work orders (one query)."""
    keys = {t.to_make.key for t in targets if t.to_make is not None}
    if not keys:
        return
    made = set(
        WorkOrder.objects.for_organization(organization)
        .filter(
            pm_plan_id__in={t.plan.pk for t in targets},
            asset_id__in={t.asset.pk for t in targets},
            pm_due_key__in=keys,
        )
        .values_list("pm_plan_id", "asset_id", "pm_due_key")
    )
    for target in targets:
        if target.to_make is not None and (target.plan.pk, target.asset.pk, target.to_make.key) in made:
            target.made_keys.add(target.to_make.key)


def _next_point(target: PlanTarget, today: dt.date) -> DuePoint | None:
    made = frozenset(target.made_keys)
    if target.plan.trigger == PmTrigger.CALENDAR:
        return calendar_next_point(calendar_rule(target.plan), today=today, last_done=target.last_done, made=made)
    if target.meter is None:
        return None
    return meter_next_point(meter_rule(target.plan), value=target.meter.total, made=made)


# Making the work orders


@dataclass
class GenerationResult:
    made: int = 0
    already: int = 0
    work_orders: list[WorkOrder] = field(default_factory=list)


def work_order_title(plan: PmPlan, asset: Asset, point: DuePoint) -> str:
    return f"{plan.name} · {asset.code} {asset.name}"[:255]


def _make(actor: User | None, targets: Iterable[PlanTarget], result: GenerationResult) -> GenerationResult:
    from maintenance.services.work_orders import work_order_create_preventive

    for target in targets:
        point = target.to_make
        if point is None:
            continue
        if point.key in target.made_keys:
            result.already += 1
            continue
        work_order = work_order_create_preventive(
            actor=actor,
            plan=target.plan,
            asset=target.asset,
            due_key=point.key,
            due_date=point.due_date,
            title=work_order_title(target.plan, target.asset, point),
        )
        if work_order is None:
            result.already += 1
        else:
            target.made_keys.add(point.key)
            result.made += 1
            result.work_orders.append(work_order)
    return result


def _active_plans(organization: Organization) -> models.QuerySet[PmPlan]:
    return (
        PmPlan.objects.for_organization(organization)
        .filter(is_active=True)
        .select_related("asset", "category", "assignee", "contractor")
        .order_by("pk")
    )


def generate_preventive(
    *, organization: Organization, today: dt.date | None = None, actor: User | None = None
) -> GenerationResult:
    """Make the preventive work orders due on ``today`` (the organisation's today by default).

    For each active plan and asset in service, the latest open due point gets its work order unless
    it has one (see the module); running again, or twice at once, makes nothing more. Each work
    order is made in its own transaction by ``work_order_create_preventive``.
    """
    today = today or organization.today()
    plans = list(_active_plans(organization))
    return _make(actor, plan_targets(organization, plans, today=today), GenerationResult())


def generate_for_meter(*, actor: User | None, meter: Meter) -> GenerationResult:
    """Check the meter plans of the meter's asset at once (after a reading), making what fell due."""
    organization = meter.organization
    asset = meter.asset
    plans = list(
        _active_plans(organization).filter(
            Q(asset=asset) | Q(category_id=asset.category_id), trigger=PmTrigger.METER, meter_code=meter.code
        )
    )
    targets = plan_targets(organization, plans, today=organization.today(), asset=asset)
    return _make(actor, targets, GenerationResult())
