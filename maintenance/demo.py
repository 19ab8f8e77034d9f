"""Demo content of the maintenance app: the riverside park handed over to operations and maintenance.

``seed_demo`` calls :func:`seed` after the projects, finance, risks, quality and resources parts. The
riverside park and greenway (``GW-2026-01``) hands over about 150 assets in two sites, the greenway
(asphalt path segments, footpaths and kerbs, the footbridge, lamp posts, signs) and the park
(sculptures, seats, planted areas, heritage trees, planters, the plaza's paving): the old section
K0-K1 and the park's existing sculptures, seats and trees were taken over long out of warranty, the
new section K1-K2, its kerbs, the new signs and half the planting are still in their defect liability
period, against their contractors. The organisation's standards are the built-in catalogue (the seed's
plan). A weekly inspection plan over both sites, done by the named inspector (Emma Brown), has four
weeks of rounds done, each with a reading per criterion at every stop, and this week's round half done
(the greenway read, the park to do). The failing readings opened defects and work orders, one in each
state: closed (a kerb step, and a pothole repaired after its resolution deadline, the first SLA
breach), verified (dead branches), completed and waiting for its verification (a seat), in progress (a
heritage tree with hard paving too close to its trunk, past its deadline: the second breach; and the
warranty claim, a rut on the new section, with City Roads & Bridges), on hold waiting for the client (a
rusted sculpture, read again last week: the reading joined its work order rather than opening another),
cancelled (a bump left to the annual resurfacing), assigned (a damaged sign) and open (a kerb step found
this week, and a citizen's call about a loose seat). A preventive plan by calendar (the footbridge every
three months) and one by meter (lamps every 10,000 operating hours, on the lamp posts' meters) have
opened their work orders.

The park is still under way in the projects' demo (its quality and resources stories go on): its
finished first stage is handed over, as the handover service allows during execution.
Every write goes through the services, acting as the demo's users (the O&M manager Zhou Qiang, the
inspector Emma Brown); the rounds are made by the generator on the Monday of their week; dates are
then moved back to the days the story says, counted from ``today``, and each work order's SLA due
times and breaches recomputed for its story's times. Idempotent: once the park has its handover, the
part leaves everything alone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from maintenance import sla
from maintenance.generation import criteria_by_category, generate_rounds
from maintenance.models import (
    OPEN_STATUSES,
    Asset,
    AssetCategory,
    AssetReading,
    Contractor,
    Criterion,
    CriterionKind,
    CriterionVersion,
    Defect,
    DefectWhen,
    EnteredAs,
    Handover,
    HoldReason,
    Round,
    RoundStop,
    Site,
    Unit,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderPause,
    WorkOrderStatus,
)
from maintenance.services import assets as asset_services
from maintenance.services import handover as handover_services
from maintenance.services import meters, plans, preventive, rounds, work_orders
from maintenance.services.settings import inspector_name, maintenance_settings_for
from maintenance.standards import ensure_catalogue
from pmo.models import Organization, User
from projects.demo import PARK
from projects.models import Project

S = WorkOrderStatus
PLAN_NAME = "滨河公园及绿道每周巡查 Weekly inspection of the riverside park and greenway"
METER_CODE = "lamp-hours"
PAST_WEEKS = 4

#: key → (name, contact, phone)
CONTRACTORS: dict[str, tuple[str, str, str]] = {
    "roads": ("城建路桥工程有限公司 City Roads & Bridges Co.", "王经理 Mr Wang", "021-5550 1201"),
    "landscape": ("滨江园林绿化有限公司 Binjiang Landscaping Co.", "林工 Ms Lin", "021-5550 3302"),
    "lighting": ("光明照明工程有限公司 Guangming Lighting Engineering Co.", "赵工 Mr Zhao", "021-5550 4410"),
    "upkeep": ("市政设施养护有限公司 Municipal Facilities Upkeep Co.", "孙队长 Mr Sun", "021-5550 7788"),
}
#: code → (name, areas)
SITES: dict[str, tuple[str, tuple[str, ...]]] = {
    "GW": (
        "滨河绿道 Riverside greenway",
        ("K0-K1 老段 Old section K0-K1", "K1-K2 新段 New section K1-K2", "人行桥 Footbridge"),
    ),
    "RP": (
        "滨河公园 Riverside park",
        ("北草坪 North lawn", "南花园 South garden", "滨水广场 Waterfront plaza"),
    ),
}
SCULPTURES = [
    ("河之舞", "River dance"),
    ("渔歌", "Fisherman's song"),
    ("帆影", "Sails"),
    ("水韵", "Rhythm of water"),
    ("远航", "Setting sail"),
    ("归燕", "Swallows home"),
]
TREES = [
    ("香樟", "camphor tree"),
    ("银杏", "ginkgo"),
    ("朴树", "Chinese hackberry"),
    ("香樟", "camphor tree"),
    ("榉树", "zelkova"),
    ("枫杨", "Chinese wingnut"),
]


@dataclass(frozen=True)
class AssetSpec:
    code: str
    name: str
    category: str
    site: str
    area: int  # index into the site's areas
    location: str
    quantity: Decimal
    unit: str
    surface: Decimal | None
    installed_days_ago: int
    warranty_days: int  # from the install date
    contractor: str | None


def _assets() -> list[AssetSpec]:
    """The park's assets: old ones taken over, new ones built by the project (in their warranty)."""
    specs: list[AssetSpec] = []
    add = specs.append
    m2, metre, count = Unit.SQUARE_METRE, Unit.METRE, Unit.COUNT
    for number in range(1, 21):
        new = number > 10
        start = (number - 1) * 100
        chainage = f"K{start // 1000}+{start % 1000:03d}-K{(start + 100) // 1000}+{(start + 100) % 1000:03d}"
        add(
            AssetSpec(
                f"GW-P{number:02d}",
                f"绿道 {chainage} Greenway {chainage}",
                "asphalt-road",
                "GW",
                1 if new else 0,
                chainage,
                Decimal(400),
                m2,
                None,
                60 if new else 2200,
                730,
                "roads",
            )
        )
        add(
            AssetSpec(
                f"GW-F{number:02d}",
                f"人行道及路缘石 {chainage} Footpath and kerb {chainage}",
                "footpath-kerb",
                "GW",
                1 if new else 0,
                chainage,
                Decimal(100),
                metre,
                Decimal(150),
                60 if new else 2200,
                730,
                "roads",
            )
        )
    add(
        AssetSpec(
            "GW-B01",
            "滨河人行桥 Riverside footbridge",
            "footbridge",
            "GW",
            2,
            "K1+050",
            Decimal(1),
            count,
            Decimal(180),
            5400,
            730,
            "roads",
        )
    )
    for number in range(1, 31):
        add(
            AssetSpec(
                f"GW-L{number:02d}",
                f"路灯 L{number:02d} Lamp post L{number:02d}",
                "lighting",
                "GW",
                0 if number <= 15 else 1,
                f"K{(number - 1) * 70 // 1000}+{(number - 1) * 70 % 1000:03d}",
                Decimal(1),
                count,
                None,
                1500,
                730,
                "lighting",
            )
        )
    for number in range(1, 9):
        add(
            AssetSpec(
                f"GW-S{number:02d}",
                f"导向标牌 S{number:02d} Wayfinding sign S{number:02d}",
                "sign",
                "GW",
                0 if number <= 4 else 1,
                f"K{(number - 1) * 250 // 1000}+{(number - 1) * 250 % 1000:03d}",
                Decimal(1),
                count,
                Decimal("1.2"),
                45 if number > 4 else 1500,
                365,
                "upkeep",
            )
        )
    for number, (zh, en) in enumerate(SCULPTURES, start=1):
        add(
            AssetSpec(
                f"RP-Z{number:02d}",
                f"雕塑《{zh}》 Sculpture '{en}'",
                "sculpture",
                "RP",
                2 if number <= 3 else 1,
                "",
                Decimal(1),
                count,
                Decimal(12),
                3300,
                730,
                None,
            )
        )
    for number in range(1, 21):
        add(
            AssetSpec(
                f"RP-C{number:02d}",
                f"座椅 C{number:02d} Seat C{number:02d}",
                "seat",
                "RP",
                number % 3,
                "",
                Decimal(1),
                count,
                Decimal(2),
                1900,
                730,
                "upkeep",
            )
        )
    for number in range(1, 21):
        new = number <= 8
        area = 0 if number <= 10 else 1
        add(
            AssetSpec(
                f"RP-G{number:02d}",
                f"绿地 G{number:02d} Planted area G{number:02d}",
                "greenery",
                "RP",
                area,
                "",
                Decimal(300 + 40 * number),
                m2,
                None,
                45 if new else 2900,
                365,
                "landscape",
            )
        )
    for number, (zh, en) in enumerate(TREES, start=1):
        add(
            AssetSpec(
                f"RP-T{number:02d}",
                f"古树 {zh} T{number:02d} Heritage {en} T{number:02d}",
                "heritage-tree",
                "RP",
                0 if number <= 3 else 1,
                "",
                Decimal(1),
                count,
                Decimal("0.5"),
                9000,
                0,
                None,
            )
        )
    for number in range(1, 5):
        add(
            AssetSpec(
                f"RP-V{number:02d}",
                f"花钵 V{number:02d} Planter V{number:02d}",
                "planter",
                "RP",
                2,
                "",
                Decimal(1),
                count,
                Decimal("1.5"),
                1200,
                730,
                "landscape",
            )
        )
    for number in range(1, 9):
        add(
            AssetSpec(
                f"RP-K{number:02d}",
                f"广场铺装 K{number:02d} Plaza paving K{number:02d}",
                "paving",
                "RP",
                2,
                "",
                Decimal(200),
                m2,
                None,
                2500,
                730,
                "roads",
            )
        )
    return specs


#: The asset the proposed row of the asphalt greenway deliverable (WBS 2.3) becomes.
DELIVERABLE_ROWS = {"2.3": "GW-P11"}


@dataclass(frozen=True)
class Breach:
    """A reading outside the standard on a week's round (``weeks_ago`` 0: this week's) and the story of
    the work order it opens, as offsets in hours from when it was found."""

    weeks_ago: int
    asset: str
    criterion: str
    value: str
    note: str
    story: str
    second: str | None = None


BREACHES = [
    Breach(4, "GW-P07", "pothole-depth", "28", "K0+640 处，约 0.3 m²。At K0+640, about 0.3 m².", "closed_late"),
    Breach(4, "GW-F05", "step", "14", "两块侧石错台。Two kerb stones out of line.", "closed"),
    Breach(3, "RP-Z02", "rust-area", "18", "底座锈蚀。The base is rusting.", "on_hold"),
    Breach(3, "RP-C07", "damaged-area", "15", "椅面木条断裂。Broken slats.", "completed"),
    Breach(3, "RP-G12", "dead-branches", "40", "东侧灌木枯枝。Dead wood in the east shrubs.", "verified"),
    Breach(3, "RP-T03", "hard-paving-distance", "2", "新铺石板距树干 2 m。New slabs 2 m from the trunk.", "late"),
    Breach(2, "GW-P05", "bump", "18", "井盖周边拱起。Heave around a manhole cover.", "cancelled"),
    Breach(1, "GW-P12", "rut-depth", "19", "新段车辙，保修期内。Rutting on the new section, in warranty.", "warranty"),
    Breach(1, "RP-Z02", "rust-area", "21", "锈蚀扩大。The rust has spread.", "joins"),
    Breach(0, "GW-F03", "step", "13", "K0+250 处。At K0+250.", "open"),
    Breach(0, "GW-S04", "damaged-area", "25", "标牌被撞弯。The sign was hit and bent.", "assigned"),
]

#: story → the steps after opening: (hours after being found, action, arguments).
STORIES: dict[str, list[tuple[float, str, dict[str, Any]]]] = {
    "closed_late": [
        (1, "assign", {"contractor": "upkeep"}),
        (5, "start", {}),
        (7 * 24, "complete", {"work_done": "冷补沥青修补坑槽。Pothole filled with cold-mix asphalt.", "hours": 6}),
        (8 * 24, "verify", {"value": "0"}),
        (8 * 24 + 2, "close", {}),
    ],
    "closed": [
        (1, "assign", {"contractor": "upkeep"}),
        (20, "start", {}),
        (26, "complete", {"work_done": "重新安砌侧石。Kerb stones re-laid.", "hours": 4}),
        (48, "verify", {"value": "3"}),
        (50, "close", {}),
    ],
    "on_hold": [
        (2, "assign", {"contractor": "upkeep"}),
        (24, "start", {}),
        (
            26,
            "hold",
            {"reason": "waiting_client", "note": "重新涂装需业主确认色号。The client chooses the new coating."},
        ),
    ],
    "completed": [
        (1, "assign", {"contractor": "upkeep"}),
        (22, "start", {}),
        (4 * 24, "complete", {"work_done": "更换椅面木条。Slats replaced.", "hours": 3}),
    ],
    "verified": [
        (1, "assign", {"contractor": "landscape"}),
        (24, "start", {}),
        (3 * 24, "complete", {"work_done": "修剪枯枝并清运。Dead wood pruned and removed.", "hours": 8}),
        (5 * 24, "verify", {"value": "10"}),
    ],
    "late": [
        (1, "assign", {"contractor": "landscape"}),
        (4, "start", {"note": "等待园林局批准移除石板。Waiting for the parks bureau to approve lifting the slabs."}),
    ],
    "cancelled": [
        (24, "cancel", {"reason": "已纳入年度路面大修。Included in the annual resurfacing."}),
    ],
    "warranty": [
        (
            2,
            "assign",
            {"contractor": "roads", "note": "保修期内，由施工单位维修。In warranty: the builder repairs it."},
        ),
        (20, "start", {}),
    ],
    "assigned": [
        (1, "assign", {"contractor": "upkeep"}),
    ],
    "open": [],
}


class _Clock:
    """The demo's moments: days before ``today`` in the organisation's time zone, never after now."""

    def __init__(self, organization: Organization, today: dt.date) -> None:
        self.today = today
        self.zone = zoneinfo.ZoneInfo(organization.time_zone)
        self.now = timezone.now()

    def monday(self, weeks_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=self.today.weekday(), weeks=weeks_ago)

    def at(self, day: dt.date, hour: float) -> dt.datetime:
        return min(dt.datetime.combine(day, dt.time(0), self.zone) + dt.timedelta(hours=hour), self.now)

    def later(self, moment: dt.datetime, hours: float) -> dt.datetime:
        return min(moment + dt.timedelta(hours=hours), self.now)


@dataclass
class _Story:
    """A work order and the moments of its events, in the order they were written."""

    work_order: WorkOrder
    found: dt.datetime
    moments: list[dt.datetime] = field(default_factory=list)
    paused_from: dt.datetime | None = None


class _Demo:
    def __init__(self, organization: Organization, users: dict[str, User], today: dt.date) -> None:
        self.organization = organization
        self.users = users
        self.manager = users["maintenance"]
        self.inspector = users["member"]
        self.clock = _Clock(organization, today)
        self.stories: dict[tuple[str, str], _Story] = {}
        self.contractors: dict[str, Contractor] = {}

    # --- the register --------------------------------------------------------------------

    def register(self, park: Project) -> dict[str, Asset]:
        organization, manager = self.organization, self.manager
        ensure_catalogue(organization)
        maintenance_settings_for(organization)
        inspector_name(actor=manager, organization=organization, user=self.inspector)
        existing = {contractor.name: contractor for contractor in Contractor.objects.for_organization(organization)}
        for key, (name, contact, phone) in CONTRACTORS.items():
            self.contractors[key] = existing.get(name) or asset_services.contractor_create(
                actor=manager, organization=organization, name=name, contact=contact, phone=phone
            )
        sites = {}
        for code, (name, _areas) in SITES.items():
            sites[code] = Site.objects.for_organization(organization).filter(code=code).first() or (
                asset_services.site_create(actor=manager, organization=organization, code=code, name=name, project=park)
            )
        categories = {category.code: category for category in AssetCategory.objects.for_organization(organization)}
        # The park is under way in the projects' demo: its finished first stage is handed over.
        handover = handover_services.handover_start(actor=manager, project=park, site=sites["GW"])
        handover_services.handover_update(
            actor=manager,
            handover=handover,
            notes="第一阶段（绿道与公园）移交运维，接管原有设施。The first stage (greenway and park) handed over; "
            "the existing assets taken over with it.",
        )
        specs = {spec.code: spec for spec in _assets()}
        proposed = set()
        for row in handover.rows.select_related("wbs_element").order_by("position"):
            asset_code = DELIVERABLE_ROWS.get(row.wbs_element.code) if row.wbs_element else None
            if asset_code is None:
                handover_services.handover_row_update(actor=manager, row=row, excluded=True)
                continue
            proposed.add(asset_code)
            values = self._row(specs[asset_code], sites, categories)
            values.pop("name")  # the deliverable's name stays
            handover_services.handover_row_update(actor=manager, row=row, **values)
        for spec in specs.values():
            if spec.code not in proposed:
                handover_services.handover_row_add(
                    actor=manager, handover=handover, **self._row(spec, sites, categories)
                )
        handover_services.handover_complete(actor=manager, handover=handover)
        return {
            asset.code: asset
            for asset in Asset.objects.for_organization(organization).filter(handover=handover).select_related("site")
        }

    def _row(self, spec: AssetSpec, sites: dict[str, Site], categories: dict[str, AssetCategory]) -> dict[str, Any]:
        installed = self.clock.today - dt.timedelta(days=spec.installed_days_ago)
        return {
            "site": sites[spec.site],
            "area_name": SITES[spec.site][1][spec.area],
            "code": spec.code,
            "name": spec.name,
            "category": categories[spec.category],
            "location_text": spec.location or SITES[spec.site][1][spec.area],
            "quantity": spec.quantity,
            "unit": spec.unit,
            "surface_area": spec.surface,
            "install_date": installed,
            "warranty_end": installed + dt.timedelta(days=spec.warranty_days),
            "contractor": self.contractors[spec.contractor] if spec.contractor else None,
        }

    # --- inspection ------------------------------------------------------------------------

    def inspections(self, assets: dict[str, Asset]) -> None:
        organization, clock = self.organization, self.clock
        plan = plans.plan_create(
            actor=self.manager,
            organization=organization,
            name=PLAN_NAME,
            starts_on=clock.monday(PAST_WEEKS + 1),
            inspector=self.inspector,
            sites=list(Site.objects.for_organization(organization).filter(code__in=list(SITES))),
        )
        versions = {
            (version.criterion.category_id, version.criterion.code): version
            for version in CriterionVersion.objects.for_organization(organization)
            .filter(is_current=True)
            .select_related("criterion")
        }
        for weeks_ago in range(PAST_WEEKS, -1, -1):
            generate_rounds(organization=organization, today=clock.monday(weeks_ago))
            round_ = Round.objects.for_organization(organization).get(plan=plan, period_start=clock.monday(weeks_ago))
            self.round(round_, weeks_ago, assets, versions)

    def round(
        self,
        round_: Round,
        weeks_ago: int,
        assets: dict[str, Asset],
        versions: dict[tuple[int, str], CriterionVersion],
    ) -> None:
        """The week's readings (this week's: the greenway only), breaches as the story says, dated on the
        Wednesday of the week."""
        organization, clock = self.organization, self.clock
        stops = list(
            RoundStop.objects.for_organization(organization)
            .filter(round=round_)
            .select_related("asset", "asset__site")
            .order_by("position")
        )
        if weeks_ago == 0:
            stops = [stop for stop in stops if stop.asset.site.code == "GW"]
        criteria = {
            criterion.pk: criterion
            for criterion in Criterion.objects.for_organization(organization).filter(
                category_id__in={stop.asset.category_id for stop in stops}
            )
        }
        by_category = criteria_by_category(round_.plan, {stop.asset.category_id for stop in stops})
        read = {stop.pk: by_category.get(stop.asset.category_id, []) for stop in stops}
        breaches = {(breach.asset, breach.criterion): breach for breach in BREACHES if breach.weeks_ago == weeks_ago}
        inputs: list[rounds.ReadingInput] = []
        for index, stop in enumerate(stops):
            for criterion_id in read.get(stop.pk, []):
                criterion = criteria[criterion_id]
                version = versions[(criterion.category_id, criterion.code)]
                breach = breaches.get((stop.asset.code, criterion.code))
                value, second = _within(version, index) if breach is None else (Decimal(breach.value), None)
                if breach is not None and version.kind == CriterionKind.COMPOUND:
                    second = Decimal(breach.second or "0")
                inputs.append(
                    rounds.ReadingInput(
                        criterion_id=criterion_id,
                        stop_id=stop.pk,
                        value=value,
                        second_value=second,
                        entered_as=EnteredAs.PERCENT if version.kind == CriterionKind.PERCENTAGE else EnteredAs.VALUE,
                        notes=breach.note if breach else "",
                    )
                )
        found_day = clock.monday(weeks_ago) + dt.timedelta(days=2)
        results: list[rounds.ReadingResult] = []
        for start in range(0, len(inputs), rounds.MAX_BATCH):
            results += rounds.round_submit_readings(
                actor=self.inspector, round=round_, readings=inputs[start : start + rounds.MAX_BATCH]
            )
        if weeks_ago:
            rounds.round_complete(actor=self.inspector, round=round_)
        # Dates: the round walked on the Wednesday from 9:00, three minutes a stop.
        visited = {stop.pk: clock.at(found_day, 9 + 0.05 * index) for index, stop in enumerate(stops)}
        if weeks_ago:
            for stop in stops:
                stop.visited_at = visited[stop.pk]
            RoundStop.objects.for_organization(organization).bulk_update(stops, ["visited_at"], batch_size=500)
            # Each reading when its stop was visited.
            AssetReading.objects.for_organization(organization).filter(round=round_).update(
                taken_at=Subquery(
                    RoundStop.objects.for_organization(organization)
                    .filter(pk=OuterRef("stop_id"))
                    .values("visited_at")[:1]
                )
            )
            Round.objects.for_organization(organization).filter(pk=round_.pk).update(
                created_at=clock.at(clock.monday(weeks_ago) - dt.timedelta(days=7), 2),
                started_at=clock.at(found_day, 9),
                completed_at=clock.at(found_day, 9 + 0.05 * len(stops) + 0.2),
            )
        for result in results:
            if result.work_order is None:
                continue
            code = result.reading.asset.code
            breach = breaches[(code, criteria[result.reading.criterion_id].code)]
            found = visited[result.reading.stop_id] if weeks_ago else clock.now
            self.story(breach, result.work_order, found)

    def story(self, breach: Breach, work_order: WorkOrder, found: dt.datetime) -> None:
        """Take the work order through its story's steps, noting when each happened."""
        key = (breach.asset, breach.criterion)
        if breach.story == "joins":
            return
        story = self.stories[key] = _Story(work_order, found, [found])
        reasons = {reason.code: reason for reason in HoldReason.objects.for_organization(self.organization)}
        for hours, action, arguments in STORIES[breach.story]:
            moment = self.clock.later(found, hours)
            work_order = self.step(work_order, action, arguments, reasons)
            story.moments.append(moment)
            if action == "hold":
                story.paused_from = moment
        story.work_order = work_order

    def step(
        self, work_order: WorkOrder, action: str, arguments: dict[str, Any], reasons: dict[str, HoldReason]
    ) -> WorkOrder:
        manager, note = self.manager, arguments.get("note", "")
        if action == "assign":
            return work_orders.work_order_assign(
                actor=manager, work_order=work_order, contractor=self.contractors[arguments["contractor"]], note=note
            )
        if action == "start":
            return work_orders.work_order_start(actor=manager, work_order=work_order, note=note)
        if action == "hold":
            return work_orders.work_order_hold(
                actor=manager, work_order=work_order, reason=reasons[arguments["reason"]], note=note
            )
        if action == "complete":
            hours = Decimal(arguments["hours"])
            return work_orders.work_order_complete(
                actor=manager,
                work_order=work_order,
                work_done=arguments["work_done"],
                labour_hours=hours,
                cost=hours * Decimal(120) + Decimal(350),
            )
        if action == "verify":
            verified, _reading = work_orders.work_order_verify(
                actor=self.inspector, work_order=work_order, value=Decimal(arguments["value"])
            )
            return verified
        if action == "close":
            return work_orders.work_order_close(actor=manager, work_order=work_order)
        if action == "cancel":
            return work_orders.work_order_cancel(actor=manager, work_order=work_order, reason=arguments["reason"])
        raise ValueError(action)

    # --- requests and preventive work -------------------------------------------------------

    def request(self, assets: dict[str, Asset]) -> None:
        work_order = work_orders.work_order_request(
            actor=self.manager,
            organization=self.organization,
            title="市民来电：北草坪座椅松动 Citizen's call: a loose seat on the north lawn",
            description="座椅一端螺栓松脱，坐下时晃动。A bolt at one end has come loose; the seat rocks.",
            priority="P3",
            asset=assets["RP-C03"],
            reporter_name="王女士 Ms Wang",
            reporter_contact="138 0000 1234",
        )
        self.stories[("request", "")] = _Story(work_order, self.clock.later(self.clock.now, -2), [])
        self.stories[("request", "")].moments.append(self.stories[("request", "")].found)

    def preventive(self, assets: dict[str, Asset]) -> None:
        organization, manager, clock = self.organization, self.manager, self.clock
        preventive.pm_plan_create(
            actor=manager,
            organization=organization,
            name="人行桥季度检查 Quarterly footbridge inspection",
            asset=assets["GW-B01"],
            interval=3,
            interval_unit="months",
            starts_on=clock.today + dt.timedelta(days=5) - dt.timedelta(days=182),
            lead_days=14,
            priority="P3",
            instructions="检查栏杆、伸缩缝与桥面铺装。Check the railings, expansion joints and deck surfacing.",
            contractor=self.contractors["roads"],
        )
        preventive.pm_plan_create(
            actor=manager,
            organization=organization,
            name="路灯每 10000 小时换灯 Lamp change every 10,000 hours",
            trigger="meter",
            category=assets["GW-L01"].category,
            meter_code=METER_CODE,
            meter_interval=Decimal(10000),
            meter_lead=Decimal(500),
            priority="P4",
            instructions="更换光源并清洁灯罩。Replace the lamp and clean the cover.",
            contractor=self.contractors["lighting"],
        )
        preventive.generate_preventive(organization=organization, today=clock.today, actor=manager)
        read_at = clock.at(clock.today - dt.timedelta(days=2), 22)
        for number in range(1, 31):
            asset = assets[f"GW-L{number:02d}"]
            hours = {4: 9620, 11: 9870, 23: 10040}.get(number, 2400 + 211 * number)
            meter = meters.meter_create(
                actor=manager,
                asset=asset,
                code=METER_CODE,
                name="灯具累计运行小时 Lamp operating hours",
                initial_value=Decimal(hours - 120),
            )
            meters.meter_reading_record(actor=manager, meter=meter, value=Decimal(hours), read_at=read_at)

    # --- dates ----------------------------------------------------------------------------

    def redate(self) -> None:
        """Each story's work order, defect, events and pause at the story's moments; due times and breaches
        as the SLA targets give them for those moments."""
        organization, now = self.organization, self.clock.now
        for story in self.stories.values():
            work_order = WorkOrder.objects.for_organization(organization).get(pk=story.work_order.pk)
            events = list(WorkOrderEvent.objects.for_organization(organization).filter(work_order=work_order))
            moments = dict(zip([event.pk for event in events], story.moments, strict=False))
            for event in events:
                event.at = moments.get(event.pk, event.at)
            WorkOrderEvent.objects.for_organization(organization).bulk_update(events, ["at"])
            at: dict[str, dt.datetime] = {}
            for event in events:
                at.setdefault(event.to_status, event.at)
            opened = story.found
            response_due, resolution_due, _around = sla.due_times(
                organization=organization, priority=work_order.priority, opened_at=opened
            )
            completed = at.get(S.COMPLETED) if work_order.completed_at else None
            resolved_by = completed or (now if work_order.status in OPEN_STATUSES else None)
            paused = work_order.status == S.ON_HOLD and work_order.hold_reason and work_order.hold_reason.pauses_clock
            changes = {
                "opened_at": opened,
                "created_at": opened,
                "updated_at": max(event.at for event in events) if events else opened,
                "response_due_at": response_due,
                "resolution_due_at": resolution_due,
                "assigned_at": at.get(S.ASSIGNED) if work_order.assigned_at else None,
                "started_at": at.get(S.IN_PROGRESS) if work_order.started_at else None,
                "completed_at": completed,
                "verified_at": at.get(S.VERIFIED) if work_order.verified_at else None,
                "closed_at": at.get(S.CLOSED) if work_order.closed_at else None,
                "cancelled_at": at.get(S.CANCELLED) if work_order.cancelled_at else None,
                "response_breached": bool(at.get(S.IN_PROGRESS) and at[S.IN_PROGRESS] > response_due),
                "resolution_breached": bool(resolved_by and resolved_by > resolution_due and not paused),
            }
            WorkOrder.objects.for_organization(organization).filter(pk=work_order.pk).update(**changes)
            if work_order.defect_id is not None:
                resolved = changes["closed_at"] or changes["cancelled_at"]
                Defect.objects.for_organization(organization).filter(pk=work_order.defect_id).update(
                    found_at=opened, resolved_at=resolved
                )
            if story.paused_from is not None:
                WorkOrderPause.objects.for_organization(organization).filter(
                    work_order=work_order, ended_at__isnull=True
                ).update(started_at=story.paused_from)
            if changes["verified_at"] is not None:
                AssetReading.objects.for_organization(organization).filter(verifies=work_order).update(
                    taken_at=changes["verified_at"]
                )


def _within(version: CriterionVersion, index: int) -> tuple[Decimal, Decimal | None]:
    """A reading within the standard, a little different from stop to stop."""

    def good(defect_when: str, limit: Decimal) -> Decimal:
        share = Decimal(1 + index % 4) / 10
        if defect_when in (DefectWhen.LT, DefectWhen.LTE):
            return (limit * (1 + share * 5)).quantize(Decimal("0.1"))
        return (limit * share).quantize(Decimal("0.1"))

    second = None
    if version.kind == CriterionKind.COMPOUND and version.second_limit is not None:
        second = good(version.second_defect_when, version.second_limit)
    return good(version.defect_when, version.limit), second


def seed(organization: Organization, users: dict[str, User], *, today: dt.date | None = None) -> None:
    today = today or organization.today()
    park = Project.objects.for_organization(organization).select_related("organization").filter(code=PARK).first()
    if park is None or Handover.objects.for_organization(organization).filter(project=park).exists():
        return
    demo = _Demo(organization, users, today)
    assets = demo.register(park)
    demo.inspections(assets)
    demo.request(assets)
    demo.preventive(assets)
    demo.redate()
