"""The operations and maintenance data of ``seed_bench``: what the projects handed over, inspected week after
week, and the work orders of what the inspections found.

Each bench project (not the big one) delivered ``ASSETS_PER_PROJECT`` assets (L: 1,000 projects x 50 =
50,000), in an area of its own; the areas of ``PROJECTS_PER_SITE`` projects make a site (L: 100 sites),
each with a weekly inspection plan over every current criterion of its assets' categories (the built-in
catalogue, ``maintenance.standards.ensure_catalogue``). The plans have ``PAST_WEEKS`` weeks of rounds
before this one, done with a reading per criterion at every stop (a few of last week's rounds left half
done, so overdue), and this week's round scheduled. About ``FAIL_SHARE`` of the readings breach: each
opens a defect and its corrective work order, or joins the one still unclosed on the same asset and
criterion, as ``maintenance.services.defects.record_breach`` does. The work orders are in every state,
the older the further along (closed after a passing verification reading, some cancelled, some on hold
with a pausing reason, some breaching their SLA deadlines); defects inside the asset's warranty are
claims against its contractor. Calendar preventive plans per category and a meter plan on the lamps add
preventive work orders, and one asset in a hundred has a citizen's request.

SLA due times are those of the organisation's targets (``maintenance.services.settings``), counted here in
calendar time with working hours spread over the week (the bench needs the volume, not the exact clock).
Rows are built unsaved and bulk-inserted around the services (no audit events) from a generator of their
own, so that the rest of the bench's data is the same with or without maintenance; the readings (L:
about 400,000) are written with ``COPY`` on PostgreSQL, as quality's are.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import zoneinfo
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from maintenance.models import (
    Area,
    Asset,
    AssetCategory,
    AssetReading,
    Contractor,
    CriterionKind,
    CriterionVersion,
    DayRule,
    Defect,
    DefectStatus,
    DefectWhen,
    EnteredAs,
    Frequency,
    HoldReason,
    InspectionPlan,
    Inspector,
    IntervalUnit,
    Meter,
    MeterReading,
    PmPlan,
    PmTrigger,
    Round,
    RoundStatus,
    RoundStop,
    Site,
    SlaTarget,
    StopStatus,
    Unit,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderKind,
    WorkOrderPause,
    WorkOrderStatus,
)
from maintenance.models.work_orders import UNCLOSED_STATUSES
from pmo.models import Organization, User
from projects.models import Project

ASSETS_PER_PROJECT = 50
PROJECTS_PER_SITE = 10
CONTRACTORS = 20
PAST_WEEKS = 3
#: Share of last week's rounds left half done (overdue).
OVERDUE_SHARE = 0.1
FAIL_SHARE = 0.03
REQUEST_SHARE = 0.01
PREVENTIVE_SHARE = 0.02
METER_CODE = "lamp-hours"
TIME_ZONE = "Asia/Shanghai"
CENT = Decimal("0.01")
#: Working hours of a week spread over its 168 hours: working-hour targets in calendar time.
WORKING_TO_CALENDAR = Decimal(168) / Decimal(40)

#: Words in a category's code or name that make its assets counted in m² (their quantity is their surface).
AREA_WORDS = ("road", "path", "pav", "green", "lawn", "plant")

#: (age in days from, weights of the statuses) — the older a work order, the further along it is.
STATUS_WEIGHTS: list[tuple[int, dict[str, int]]] = [
    (
        21,
        {
            WorkOrderStatus.CLOSED: 70,
            WorkOrderStatus.VERIFIED: 4,
            WorkOrderStatus.COMPLETED: 5,
            WorkOrderStatus.CANCELLED: 6,
            WorkOrderStatus.IN_PROGRESS: 6,
            WorkOrderStatus.ON_HOLD: 5,
            WorkOrderStatus.ASSIGNED: 4,
        },
    ),
    (
        10,
        {
            WorkOrderStatus.CLOSED: 35,
            WorkOrderStatus.VERIFIED: 10,
            WorkOrderStatus.COMPLETED: 15,
            WorkOrderStatus.IN_PROGRESS: 15,
            WorkOrderStatus.ON_HOLD: 10,
            WorkOrderStatus.ASSIGNED: 10,
            WorkOrderStatus.CANCELLED: 5,
        },
    ),
    (
        0,
        {
            WorkOrderStatus.OPEN: 30,
            WorkOrderStatus.ASSIGNED: 25,
            WorkOrderStatus.IN_PROGRESS: 20,
            WorkOrderStatus.ON_HOLD: 10,
            WorkOrderStatus.COMPLETED: 10,
            WorkOrderStatus.CLOSED: 5,
        },
    ),
]
#: The order a work order passes through its statuses.
PATH: list[str] = [
    WorkOrderStatus.OPEN,
    WorkOrderStatus.ASSIGNED,
    WorkOrderStatus.IN_PROGRESS,
    WorkOrderStatus.COMPLETED,
    WorkOrderStatus.VERIFIED,
    WorkOrderStatus.CLOSED,
]


@dataclass(frozen=True)
class Rule:
    """A criterion's current version, as the generator needs it."""

    version_id: int
    criterion_id: int
    kind: str
    defect_when: str
    limit: Decimal
    second_defect_when: str
    second_limit: Decimal | None
    priority: str
    label: str


@dataclass
class _Target:
    response: Decimal
    resolution: Decimal
    around_the_clock: bool

    def due(self, opened: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        factor = Decimal(1) if self.around_the_clock else WORKING_TO_CALENDAR
        return (
            opened + dt.timedelta(hours=float(self.response * factor)),
            opened + dt.timedelta(hours=float(self.resolution * factor)),
        )


#: A reading before it is inserted: stop (a model, its pk set once inserted, or None), round, asset,
#: rule, value, second value, passed, defect (a model or None), work order verified (or None), taker, when.
ReadingRow = tuple[Any, Any, Asset, Rule, Decimal, Decimal | None, bool, Any, Any, int | None, dt.datetime]


def _settings(organization: Organization) -> tuple[dict[str, _Target], list[HoldReason]]:
    """The organisation's SLA targets and hold reasons, with their defaults made."""
    from maintenance.services.settings import maintenance_settings_for

    maintenance_settings_for(organization)
    targets = {
        target.priority: _Target(target.response_hours, target.resolution_hours, target.around_the_clock)
        for target in SlaTarget.objects.for_organization(organization)
    }
    reasons = list(HoldReason.objects.for_organization(organization).filter(is_active=True))
    return targets, reasons


def _rules(organization: Organization) -> dict[int, list[Rule]]:
    """Every current criterion of each category (the built-in catalogue), by category id."""
    from maintenance.standards import ensure_catalogue

    ensure_catalogue(organization)
    rules: dict[int, list[Rule]] = {}
    versions = (
        CriterionVersion.objects.for_organization(organization)
        .filter(is_current=True, criterion__retired_at__isnull=True, criterion__category__is_active=True)
        .select_related("criterion")
        .order_by("criterion__category_id", "criterion__position", "criterion__code")
    )
    for version in versions:
        rules.setdefault(version.criterion.category_id, []).append(
            Rule(
                version.pk,
                version.criterion_id,
                version.kind,
                version.defect_when,
                version.limit,
                version.second_defect_when,
                version.second_limit,
                version.priority,
                version.measure_en or version.measure_zh,
            )
        )
    return rules


def _value(rng: random.Random, defect_when: str, limit: Decimal, *, breach: bool, percent: bool) -> Decimal:
    """A reading on the right side of ``limit``: breaching the defect condition or within it."""
    above = defect_when in (DefectWhen.GT, DefectWhen.GTE)
    low, high = (Decimal("0.1"), Decimal("0.9")) if above != breach else (Decimal("1.1"), Decimal("1.8"))
    base = limit if limit > 0 else Decimal(1)
    value = (base * Decimal(str(round(rng.uniform(float(low), float(high)), 3)))).quantize(Decimal("0.1"))
    if above and breach and value <= limit:
        value = limit + Decimal("0.1")
    if not above and not breach and value <= limit:
        value = limit + Decimal("0.1")
    if percent:
        value = min(value, Decimal(100))
        if not breach and above and value > limit:
            value = limit
    return max(value, Decimal(0))


def _reading_values(rng: random.Random, rule: Rule, *, breach: bool) -> tuple[Decimal, Decimal | None]:
    percent = rule.kind == CriterionKind.PERCENTAGE
    value = _value(rng, rule.defect_when, rule.limit, breach=breach, percent=percent)
    second = None
    if rule.kind == CriterionKind.COMPOUND and rule.second_limit is not None:
        second = _value(rng, rule.second_defect_when, rule.second_limit, breach=breach, percent=False)
    return value, second


class MaintenanceSeeder:
    def __init__(
        self,
        *,
        organization: Organization,
        users: dict[str, User],
        status_date: dt.date,
        seed: int,
        assets_per_project: int = ASSETS_PER_PROJECT,
    ) -> None:
        self.organization = organization
        self.users = users
        self.status_date = status_date
        self.rng = random.Random(seed * 7919 + 15)  # noqa: S311  (synthetic data, not secrets)
        self.assets_per_project = assets_per_project
        self.zone = zoneinfo.ZoneInfo(TIME_ZONE)
        self.now = dt.datetime.combine(status_date, dt.time(17), self.zone)
        self.inspector = users.get("maintenance") or users["member"]
        self.technician = users["member"]
        self.work_orders: list[WorkOrder] = []
        self.events: list[WorkOrderEvent] = []
        self.pauses: list[WorkOrderPause] = []
        self.defects: list[Defect] = []
        self.readings: list[ReadingRow] = []
        #: The defect of each asset (by code) and criterion whose work order is still unclosed.
        self.unclosed: dict[tuple[str, int], Defect] = {}

    def moment(self, day: dt.date, hour: float = 10) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(0), self.zone) + dt.timedelta(hours=hour)

    # --- the register -------------------------------------------------------------------

    def seed(self, create: Callable[[type[Any], list[Any]], None], counts: MutableMapping[str, int]) -> None:
        organization, rng = self.organization, self.rng
        self.targets, self.reasons = _settings(organization)
        rules = _rules(organization)
        categories = list(AssetCategory.objects.for_organization(organization).filter(is_active=True))
        create(
            Inspector,
            [Inspector(organization=organization, user=user) for user in {self.inspector, self.technician}],
        )
        contractors = [
            Contractor(organization=organization, name=f"Contractor {number:02d}", contact=f"Contact {number:02d}")
            for number in range(1, CONTRACTORS + 1)
        ]
        create(Contractor, contractors)
        projects = list(
            Project.objects.for_organization(organization)
            .exclude(code="B-BIG")
            .order_by("code")
            .values_list("pk", "code", flat=False)
        )
        sites: list[Site] = []
        areas: list[Area] = []
        assets: list[Asset] = []
        by_site: dict[int, list[Asset]] = {}
        for index, (project_id, code) in enumerate(projects):
            if index % PROJECTS_PER_SITE == 0:
                number = len(sites) + 1
                sites.append(
                    Site(
                        organization=organization,
                        code=f"S{number:03d}",
                        name=f"Bench site {number:03d}",
                        project_id=project_id,
                    )
                )
            site = sites[-1]
            area = Area(
                organization=organization, site=site, name=f"Area of {code}", position=index % PROJECTS_PER_SITE
            )
            areas.append(area)
            for number in range(1, self.assets_per_project + 1):
                category = categories[(index + number) % len(categories)]
                asset = self.asset(code, number, category, site, area, project_id, rng.choice(contractors))
                asset.route_order = (index % PROJECTS_PER_SITE) * self.assets_per_project + number
                assets.append(asset)
                by_site.setdefault(len(sites), []).append(asset)
        create(Site, sites)
        create(Area, areas)
        copy_instances(Asset, assets, create, counts)

        plans = [
            InspectionPlan(
                organization=organization,
                name=f"Weekly round of {site.name}",
                frequency=Frequency.WEEKLY,
                day_rule=DayRule.WORKING_DAYS,
                inspector=self.inspector,
                starts_on=self.monday(PAST_WEEKS + 5),
            )
            for site in sites
        ]
        create(InspectionPlan, plans)
        create(
            InspectionPlan.sites.through,
            [
                InspectionPlan.sites.through(inspectionplan_id=plan.pk, site_id=site.pk)
                for plan, site in zip(plans, sites, strict=True)
            ],
        )
        rounds: list[Round] = []
        stops: list[RoundStop] = []
        for plan, number in zip(plans, range(1, len(sites) + 1), strict=True):
            for weeks_ago in range(PAST_WEEKS, -1, -1):
                self.round(plan, weeks_ago, by_site[number], rules, rounds, stops)
        create(Round, rounds)
        copy_instances(RoundStop, stops, create, counts)
        self.preventive(categories, assets, create)
        self.requests(assets)
        self.number()
        create(Defect, self.defects)
        create(WorkOrder, self.work_orders)
        copy_instances(WorkOrderEvent, self.events, create, counts)
        create(WorkOrderPause, self.pauses)
        insert_readings(self.readings, organization, create, counts)

    def monday(self, weeks_ago: int) -> dt.date:
        this_monday = self.status_date - dt.timedelta(days=self.status_date.weekday())
        return this_monday - dt.timedelta(weeks=weeks_ago)

    def asset(
        self,
        project_code: str,
        number: int,
        category: AssetCategory,
        site: Site,
        area: Area,
        project_id: int,
        contractor: Contractor,
    ) -> Asset:
        rng = self.rng
        words = f"{category.code} {category.name_en}".lower()
        surface = any(word in words for word in AREA_WORDS)
        quantity = Decimal(rng.randint(50, 2000)) if surface else Decimal(1)
        installed = self.status_date - dt.timedelta(days=rng.randint(60, 1500))
        return Asset(
            organization=self.organization,
            code=f"{project_code}-{number:03d}",
            name=f"{category.name_en or category.name_zh} {number:03d}",
            category=category,
            site=site,
            area=area,
            quantity=quantity,
            unit=Unit.SQUARE_METRE if surface else Unit.COUNT,
            surface_area=None if surface else Decimal(rng.randint(1, 20)),
            install_date=installed,
            warranty_end=installed + dt.timedelta(days=730),
            contractor=contractor,
            origin_project_id=project_id,
        )

    # --- rounds, readings and what they find ---------------------------------------------

    def round(
        self,
        plan: InspectionPlan,
        weeks_ago: int,
        assets: list[Asset],
        rules: dict[int, list[Rule]],
        rounds: list[Round],
        stops: list[RoundStop],
    ) -> None:
        rng = self.rng
        start = self.monday(weeks_ago)
        due = start + dt.timedelta(days=4)
        if weeks_ago == 0:
            status, done = RoundStatus.SCHEDULED, 0
        elif weeks_ago == 1 and rng.random() < OVERDUE_SHARE:
            status, done = RoundStatus.IN_PROGRESS, len(assets) // 2
        else:
            status, done = RoundStatus.COMPLETED, len(assets)
        started = self.moment(start + dt.timedelta(days=rng.randint(0, 2)), 9) if done else None
        completed = self.moment(due, 16) if status == RoundStatus.COMPLETED else None
        round_ = Round(
            organization=self.organization,
            plan=plan,
            period_start=start,
            period_end=start + dt.timedelta(days=6),
            due_date=due,
            inspector=self.inspector,
            status=status,
            started_at=started,
            completed_at=completed,
            created_at=self.moment(start - dt.timedelta(days=7), 2),
        )
        rounds.append(round_)
        inspected = [asset for asset in assets if rules.get(asset.category_id)]
        done = min(done, len(inspected))
        for position, asset in enumerate(inspected, start=1):
            visited = started + dt.timedelta(minutes=3 * position) if started and position <= done else None
            stop = RoundStop(
                organization=self.organization,
                round=round_,
                asset=asset,
                position=position,
                status=StopStatus.DONE if visited else StopStatus.PENDING,
                visited_at=visited,
            )
            stops.append(stop)
            if visited is None:
                continue
            for rule in rules[asset.category_id]:
                breach = rng.random() < FAIL_SHARE
                value, second = _reading_values(rng, rule, breach=breach)
                defect = self.breach(asset, rule, visited) if breach else None
                self.readings.append(
                    (stop, round_, asset, rule, value, second, not breach, defect, None, self.inspector.pk, visited)
                )

    def breach(self, asset: Asset, rule: Rule, found: dt.datetime) -> Defect:
        """The defect a breaching reading joins (its asset and criterion's unclosed work order) or opens."""
        key = (asset.code, rule.criterion_id)
        joined = self.unclosed.get(key)
        if joined is not None:
            return joined
        warranty = asset.warranty_end is not None and found.date() <= asset.warranty_end
        defect = Defect(
            organization=self.organization,
            asset=asset,
            criterion_id=rule.criterion_id,
            criterion_version_id=rule.version_id,
            priority=rule.priority,
            found_at=found,
            warranty_claim=warranty,
            contractor=asset.contractor if warranty else None,
            origin_project_id=asset.origin_project_id,
        )
        self.defects.append(defect)
        order = self.work_order(
            WorkOrderKind.CORRECTIVE,
            f"{rule.label}: {asset.code}",
            asset,
            rule.priority,
            found,
            defect=defect,
            criterion_id=rule.criterion_id,
            warranty_claim=warranty,
        )
        if order.status in (WorkOrderStatus.CLOSED, WorkOrderStatus.VERIFIED):
            defect.status, defect.resolved_at = DefectStatus.RESOLVED, order.verified_at
            value, second = _reading_values(self.rng, rule, breach=False)
            self.readings.append(
                (
                    None,
                    None,
                    asset,
                    rule,
                    value,
                    second,
                    True,
                    None,
                    order,
                    self.inspector.pk,
                    order.verified_at or found,
                )
            )
        elif order.status == WorkOrderStatus.CANCELLED:
            defect.status = DefectStatus.CANCELLED
        if order.status in UNCLOSED_STATUSES:
            self.unclosed[key] = defect
        return defect

    def work_order(
        self,
        kind: str,
        title: str,
        asset: Asset,
        priority: str,
        opened: dt.datetime,
        **fields: Any,
    ) -> WorkOrder:
        """A work order opened at ``opened`` and taken as far along as its age makes likely."""
        rng = self.rng
        age = (self.now - opened).days
        weights = next(weights for since, weights in STATUS_WEIGHTS if age >= since)
        status = rng.choices(list(weights), weights=list(weights.values()))[0]
        response_due, resolution_due = self.targets[priority].due(opened)
        order = WorkOrder(
            organization=self.organization,
            number=0,
            kind=kind,
            title=title[:255],
            asset=asset,
            site=asset.site,
            origin_project_id=asset.origin_project_id,
            priority=priority,
            status=status,
            reported_by=self.inspector if kind != WorkOrderKind.REQUEST else None,
            opened_at=opened,
            created_at=opened,
            updated_at=opened,
            response_due_at=response_due,
            resolution_due_at=resolution_due,
            around_the_clock=self.targets[priority].around_the_clock,
            **fields,
        )
        events: list[tuple[str, dt.datetime, str]] = [(WorkOrderStatus.OPEN, opened, "")]
        moment = opened
        reached = PATH.index(status) if status in PATH else None
        if status == WorkOrderStatus.CANCELLED:
            order.cancelled_at = min(self.now, opened + dt.timedelta(hours=rng.uniform(2, 72)))
            order.cancel_reason = "Duplicate of a citizen's report." if rng.random() < 0.5 else "Not our asset."
            events.append((WorkOrderStatus.CANCELLED, order.cancelled_at, order.cancel_reason))
        on_hold = status == WorkOrderStatus.ON_HOLD
        if on_hold:
            reached = PATH.index(WorkOrderStatus.IN_PROGRESS)
        if reached:
            for step in PATH[1 : reached + 1]:
                moment = min(self.now, moment + dt.timedelta(hours=self._hours(step)))
                events.append((step, moment, ""))
                if step == WorkOrderStatus.ASSIGNED:
                    order.assigned_at = moment
                    if rng.random() < 0.5 and asset.contractor is not None:
                        order.contractor = asset.contractor
                    else:
                        order.assignee = self.technician
                elif step == WorkOrderStatus.IN_PROGRESS:
                    order.started_at = moment
                elif step == WorkOrderStatus.COMPLETED:
                    order.completed_at = moment
                    order.labour_hours = Decimal(rng.randint(1, 16))
                    order.cost = (order.labour_hours * Decimal(rng.randint(80, 150)) + rng.randint(0, 3000)).quantize(
                        CENT
                    )
                    order.work_done = "Repaired and made good."
                    order.materials = "Cold-mix asphalt, 2 bags" if rng.random() < 0.4 else ""
                elif step == WorkOrderStatus.VERIFIED:
                    order.verified_at = moment
                elif step == WorkOrderStatus.CLOSED:
                    order.closed_at = moment
        if on_hold and self.reasons:
            reason = rng.choice(self.reasons)
            paused_from = min(self.now, moment + dt.timedelta(hours=rng.uniform(1, 24)))
            order.hold_reason = reason
            events.append((WorkOrderStatus.ON_HOLD, paused_from, reason.name_en))
            self.pauses.append(
                WorkOrderPause(
                    organization=self.organization,
                    work_order=order,
                    reason=reason,
                    pauses_clock=reason.pauses_clock,
                    started_at=paused_from,
                )
            )
        elif on_hold:
            order.status = WorkOrderStatus.IN_PROGRESS
        responded = order.started_at or (None if order.status == WorkOrderStatus.CANCELLED else self.now)
        resolved = order.completed_at or (None if order.status == WorkOrderStatus.CANCELLED else self.now)
        order.response_breached = responded is not None and responded > order.response_due_at
        order.resolution_breached = resolved is not None and resolved > order.resolution_due_at
        order.updated_at = max(at for _step, at, _note in events)
        previous = ""
        for step, at, note in events:
            self.events.append(
                WorkOrderEvent(
                    organization=self.organization,
                    work_order=order,
                    from_status=previous,
                    to_status=step,
                    actor=self.inspector,
                    note=note,
                    at=at,
                )
            )
            previous = step
        self.work_orders.append(order)
        return order

    def _hours(self, step: str) -> float:
        rng = self.rng
        hours: dict[str, float] = {
            WorkOrderStatus.ASSIGNED: rng.uniform(0.5, 8),
            WorkOrderStatus.IN_PROGRESS: rng.uniform(1, 40),
            WorkOrderStatus.COMPLETED: rng.uniform(2, 160),
            WorkOrderStatus.VERIFIED: rng.uniform(4, 48),
            WorkOrderStatus.CLOSED: rng.uniform(0.5, 8),
        }
        return hours[step]

    # --- preventive work and requests ------------------------------------------------------

    def preventive(
        self, categories: list[AssetCategory], assets: list[Asset], create: Callable[[type[Any], list[Any]], None]
    ) -> None:
        organization, rng = self.organization, self.rng
        plans = [
            PmPlan(
                organization=organization,
                name=f"Monthly service of {category.name_en or category.name_zh}",
                category=category,
                trigger=PmTrigger.CALENDAR,
                interval=1,
                interval_unit=IntervalUnit.MONTHS,
                starts_on=self.status_date.replace(day=1) - dt.timedelta(days=365),
                lead_days=7,
                instructions="Clean, tighten and check.",
            )
            for category in categories
        ]
        lamps = next((category for category in categories if "light" in category.code), None)
        meter_plan = None
        if lamps is not None:
            meter_plan = PmPlan(
                organization=organization,
                name="Lamp change every 10,000 hours",
                category=lamps,
                trigger=PmTrigger.METER,
                meter_code=METER_CODE,
                meter_interval=Decimal(10000),
                meter_lead=Decimal(500),
                priority="P3",
            )
            plans.append(meter_plan)
        create(PmPlan, plans)
        by_category = dict(zip([category.pk for category in categories], plans, strict=False))
        first_of_month = self.status_date.replace(day=1)
        for months_ago in (1, 0):
            due = (first_of_month - dt.timedelta(days=28 * months_ago)).replace(day=1)
            for asset in rng.sample(assets, max(1, int(len(assets) * PREVENTIVE_SHARE))):
                plan = by_category[asset.category_id]
                self.work_order(
                    WorkOrderKind.PREVENTIVE,
                    f"{plan.name}: {asset.code}",
                    asset,
                    plan.priority,
                    self.moment(due - dt.timedelta(days=plan.lead_days), 1),
                    pm_plan=plan,
                    pm_due_key=due.isoformat(),
                    due_date=due,
                )
        if meter_plan is not None and lamps is not None:
            meters, readings = [], []
            for asset in (asset for asset in assets if asset.category_id == lamps.pk):
                hours = Decimal(rng.randint(1000, 19000))
                read_at = self.moment(self.status_date - dt.timedelta(days=3))
                meter = Meter(
                    organization=organization,
                    asset=asset,
                    code=METER_CODE,
                    name="Lamp operating hours",
                    current_value=hours,
                    read_at=read_at,
                )
                meters.append(meter)
                readings.append(MeterReading(organization=organization, meter=meter, value=hours, read_at=read_at))
                if hours % 10000 >= 9500 or hours % 10000 < 1000:
                    point = (hours / 10000).quantize(Decimal(1), rounding="ROUND_HALF_UP") * 10000
                    self.work_order(
                        WorkOrderKind.PREVENTIVE,
                        f"{meter_plan.name}: {asset.code}",
                        asset,
                        meter_plan.priority,
                        read_at - dt.timedelta(days=rng.randint(0, 20)),
                        pm_plan=meter_plan,
                        pm_due_key=f"meter:{int(point)}",
                    )
            create(Meter, meters)
            create(MeterReading, readings)

    def requests(self, assets: list[Asset]) -> None:
        rng = self.rng
        for number, asset in enumerate(rng.sample(assets, max(1, int(len(assets) * REQUEST_SHARE))), start=1):
            self.work_order(
                WorkOrderKind.REQUEST,
                f"Reported by a citizen: {asset.name} damaged",
                asset,
                rng.choice(["P2", "P3", "P3", "P4"]),
                self.now - dt.timedelta(hours=rng.uniform(1, 24 * 30)),
                reporter_name=f"Citizen {number:04d}",
                reporter_contact=f"138{number:08d}",
                description="Called the hotline.",
            )

    def number(self) -> None:
        """Numbers in the order the work orders were opened."""
        for number, order in enumerate(sorted(self.work_orders, key=lambda order: order.opened_at), start=1):
            order.number = number


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_instances(
    model: type[Any],
    rows: list[Any],
    create: Callable[[type[Any], list[Any]], None],
    counts: MutableMapping[str, int],
) -> None:
    """Insert unsaved instances whose parents are inserted: on PostgreSQL with ``COPY``, their ids drawn from
    the table's sequence first (set on the instances, as ``bulk_create`` sets them); elsewhere ``create``.

    ``bulk_create`` spends most of its time preparing each value of each row; the rows here are plain.
    """
    if connection.vendor != "postgresql" or not rows:
        create(model, rows)
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = pk
            row._state.adding = False
    fields = model._meta.concrete_fields
    buffer = io.StringIO()
    write = buffer.write
    for row in rows:
        values = []
        for field in fields:
            if field.is_relation:
                parent = field.get_cached_value(row, None)
                values.append(_copy_value(parent.pk if parent is not None else getattr(row, field.attname)))
            else:
                values.append(_copy_value(getattr(row, field.attname)))
        write("\t".join(values) + "\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN", buffer)
    counts[model.__name__] = counts.get(model.__name__, 0) + len(rows)


def insert_readings(
    readings: list[ReadingRow],
    organization: Organization,
    create: Callable[[type[Any], list[Any]], None],
    counts: MutableMapping[str, int],
) -> None:
    """The readings (every object they name inserted already): ``COPY`` on PostgreSQL, else ``bulk_create``."""
    if connection.vendor == "postgresql":
        copy_readings(readings, organization)
        counts[AssetReading.__name__] = counts.get(AssetReading.__name__, 0) + len(readings)
        return
    create(
        AssetReading,
        [
            AssetReading(
                organization=organization,
                round=round_,
                stop=stop,
                asset=asset,
                criterion_id=rule.criterion_id,
                criterion_version_id=rule.version_id,
                entered_as=EnteredAs.PERCENT if rule.kind == CriterionKind.PERCENTAGE else EnteredAs.VALUE,
                entered_value=value,
                value=value,
                second_value=second,
                passed=passed,
                defect=defect,
                verifies=verifies,
                taken_by_id=taker,
                taken_at=taken,
            )
            for stop, round_, asset, rule, value, second, passed, defect, verifies, taker, taken in readings
        ],
    )


READING_COLUMNS = (
    "organization_id",
    "round_id",
    "stop_id",
    "asset_id",
    "criterion_id",
    "criterion_version_id",
    "not_applicable",
    "entered_as",
    "entered_value",
    "value",
    "second_value",
    "passed",
    "notes",
    "verifies_id",
    "defect_id",
    "taken_by_id",
    "taken_at",
)


def copy_readings(readings: list[ReadingRow], organization: Organization) -> None:
    if not readings:
        return
    buffer = io.StringIO()
    write = buffer.write
    null = "\\N"
    org = organization.pk
    for stop, round_, asset, rule, value, second, passed, defect, verifies, taker, taken in readings:
        entered = EnteredAs.PERCENT if rule.kind == CriterionKind.PERCENTAGE else EnteredAs.VALUE
        write(
            f"{org}\t{round_.pk if round_ else null}\t{stop.pk if stop else null}\t{asset.pk}\t"
            f"{rule.criterion_id}\t{rule.version_id}\tf\t{entered}\t{value}\t{value}\t"
            f"{null if second is None else second}\t{'t' if passed else 'f'}\t\t"
            f"{verifies.pk if verifies else null}\t{defect.pk if defect else null}\t"
            f"{null if taker is None else taker}\t{taken.isoformat()}\n"
        )
    buffer.seek(0)
    table = connection.ops.quote_name(AssetReading._meta.db_table)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(READING_COLUMNS)}) FROM STDIN", buffer)


def seed(
    *,
    organization: Organization,
    users: dict[str, User],
    status_date: dt.date,
    seed: int,
    create: Callable[[type[Any], list[Any]], None],
    counts: MutableMapping[str, int],
) -> None:
    """The O&M data over every bench project (already inserted)."""
    MaintenanceSeeder(organization=organization, users=users, status_date=status_date, seed=seed).seed(create, counts)
