"""Demo content of the quality app: the construction project's standards, checklists and records.

``seed_demo`` calls :func:`seed` after the projects, finance and risks parts. The organisation gets
a small standards library (CJJ 1-2008 城镇道路工程施工与质量验收规范, CJJ 82-2012, JGJ 59-2011,
GB 50204-2015 and the greenway's own operations and maintenance standard, seed 003) and five
bilingual checklist templates with the numbers of those standards: earthworks (compaction,
layer thickness), asphalt pavement (thickness, flatness under a 3 m straightedge, alligator
cracking as a compound of crack width and spacing, pothole and rut depth), kerbs and footpaths
(step between blocks, alignment, joints), tree planting (survival, dead branches, a photo) and a
site safety walk (guard rails, PPE, harnesses; critical items).

The riverside park (the construction project under way) gets an inspection and test plan with a
hold point on the asphalt greenway, inspections over the last weeks whose failing readings opened
non-conformances, and those non-conformances at each stage: one closed after re-compaction with
its rework cost, a critical safety one closed the next day, one in corrective work with its
actions (one overdue), one in root cause analysis, one just raised from the planting inspection,
and one raised directly against a supplier; its earthworks deliverable was rejected by the
quality role (which opened a non-conformance) and two more wait for acceptance. The ring road gets
an inspection and an overdue non-conformance; the tunnel lighting project (closing) gets its
deliverables signed, one accepted with the signed scan and one with a condition since met, so that
its closing gate passes, and the client's satisfaction survey.

Every write goes through the services, acting as the demo's users; dates are then moved back to
the days the story says, counted from ``today``. Idempotent: the library adds what is missing, and
a project that has inspections (deliverables, for the tunnel) is left as it is.
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from pmo.models import Organization, User
from projects.demo import PARK
from projects.models import Project, WbsElement
from quality.models import (
    AcceptanceCondition,
    AcceptanceDecision,
    AcceptanceStatus,
    ActionKind,
    ActionStatus,
    ChecklistItem,
    ChecklistTemplate,
    CorrectiveAction,
    Deliverable,
    Inspection,
    NcEvent,
    NcStatus,
    NonConformance,
    PartyKind,
    PlanEntry,
    Reading,
    SatisfactionSurvey,
    Standard,
)
from quality.services import acceptance, inspections, library, ncs, plan
from quality.services.settings import builtin_type, inspection_types_ensure_defaults, quality_settings_for

ROAD = "TR-2026-01"
TUNNEL = "TR-2025-09"
MINOR, MAJOR, CRITICAL = "minor", "major", "critical"
LTE, LT, GTE, GT, BETWEEN = "lte", "lt", "gte", "gt", "between"

# ---------------------------------------------------------------------------------------------
# The library
# ---------------------------------------------------------------------------------------------

#: key → (standard number, title, clause, notes)
STANDARDS: dict[str, tuple[str, str, str, str]] = {
    "subgrade": (
        "CJJ 1-2008",
        "城镇道路工程施工与质量验收规范 Code for construction and quality acceptance of urban roads",
        "6.8.1",
        "路基压实度与分层厚度。Subgrade compaction and layer thickness.",
    ),
    "asphalt": (
        "CJJ 1-2008",
        "城镇道路工程施工与质量验收规范 Code for construction and quality acceptance of urban roads",
        "8.5.1",
        "沥青混合料面层：厚度、平整度（3 m 直尺最大间隙 ≤ 5 mm）。"
        "Asphalt surfacing: thickness, flatness (largest gap under a 3 m straightedge ≤ 5 mm).",
    ),
    "kerb": (
        "CJJ 1-2008",
        "城镇道路工程施工与质量验收规范 Code for construction and quality acceptance of urban roads",
        "16.11.1",
        "路缘石安砌：直顺、勾缝、相邻块高差。Kerb laying: alignment, joints, step between blocks.",
    ),
    "concrete": (
        "GB 50204-2015",
        "混凝土结构工程施工质量验收规范 Code for acceptance of constructional quality of concrete structures",
        "8.3.2",
        "现浇结构位置和尺寸允许偏差（人行桥加固）。Tolerances of cast-in-place structures (footbridge strengthening).",
    ),
    "planting": (
        "CJJ 82-2012",
        "园林绿化工程施工及验收规范 Code for construction and acceptance of landscape engineering",
        "4.8",
        "苗木种植成活与支撑。Survival and staking of planted trees.",
    ),
    "safety": (
        "JGJ 59-2011",
        "建筑施工安全检查标准 Standard for construction safety inspection",
        "3.13",
        "高处作业：临边防护、安全带。Work at height: edge protection and harnesses.",
    ),
    "maintenance": (
        "GW-OM-2026",
        "滨河绿道运维养护标准 Riverside greenway operations and maintenance standard",
        "2.2",
        "道路、人行道与路缘石维修保养通则：坑槽 > 20 mm、车辙 > 15 mm、龟裂缝宽 ≥ 3 mm 且缝距 ≤ 100 mm、"
        "相邻块高差 ≤ 10 mm。Roads, footpaths and kerbs: pothole > 20 mm, rut > 15 mm, alligator cracking "
        "3 mm wide or more at 100 mm spacing or less, step between blocks ≤ 10 mm.",
    ),
}


@dataclass(frozen=True)
class Item:
    """One check: the words in both languages, its kind and what it must meet."""

    zh: str
    en: str
    kind: str
    severity: str = MINOR
    standard: str = ""
    unit: str = ""
    comparator: str = ""
    a: str | None = None
    b: str | None = None
    second: tuple[str, str, str, str] | None = None  # label, unit, comparator, limit
    options: tuple[tuple[str, str, bool], ...] = ()  # key, label, acceptable
    readings: int = 1


@dataclass(frozen=True)
class Template:
    code: str
    zh: str
    en: str
    inspection_type: str
    description: str
    items: tuple[Item, ...] = field(default_factory=tuple)


TEMPLATES: list[Template] = [
    Template(
        "EW-01",
        "土方路基压实检查",
        "Earthworks: subgrade compaction",
        "quality",
        "每 1000 m² 每压实层检测 3 点。Three tests per compacted layer and 1,000 m².",
        (
            Item(
                "压实度（重型击实）",
                "Degree of compaction (heavy compaction)",
                "numeric",
                MAJOR,
                "subgrade",
                "%",
                GTE,
                "93",
                readings=3,
            ),
            Item("分层松铺厚度", "Loose layer thickness", "numeric", MINOR, "subgrade", "mm", LTE, "300", readings=3),
            Item(
                "路床无翻浆、弹簧现象",
                "No pumping or springing at formation level",
                "pass_fail",
                MAJOR,
                "subgrade",
            ),
        ),
    ),
    Template(
        "AP-01",
        "沥青路面面层检查",
        "Asphalt pavement surfacing",
        "quality",
        "设计厚度 50 mm（+10/-5 mm）；平整度用 3 m 直尺。Design thickness 50 mm (+10/-5 mm); flatness "
        "with a 3 m straightedge.",
        (
            Item(
                "面层厚度",
                "Surface course thickness",
                "numeric",
                MAJOR,
                "asphalt",
                "mm",
                BETWEEN,
                "45",
                "60",
                readings=3,
            ),
            Item(
                "平整度（3 m 直尺最大间隙）",
                "Flatness: largest gap under a 3 m straightedge",
                "numeric",
                MAJOR,
                "asphalt",
                "mm",
                LTE,
                "5",
                readings=5,
            ),
            Item(
                "龟裂（缝宽与缝距）",
                "Alligator cracking (crack width and spacing)",
                "compound",
                MINOR,
                "maintenance",
                "mm",
                LT,
                "3",
                second=("缝距 crack spacing", "mm", GT, "100"),
            ),
            Item("坑槽深度", "Pothole depth", "numeric", MAJOR, "maintenance", "mm", LTE, "20"),
            Item("车辙深度", "Rut depth", "numeric", MINOR, "maintenance", "mm", LTE, "15"),
        ),
    ),
    Template(
        "KF-01",
        "人行道与路缘石检查",
        "Kerbs and footpaths",
        "quality",
        "每 100 m 抽查 5 处。Five spots checked per 100 m.",
        (
            Item(
                "相邻块高差",
                "Step between adjacent blocks",
                "numeric",
                MAJOR,
                "maintenance",
                "mm",
                LTE,
                "10",
                readings=5,
            ),
            Item("路缘石直顺，线形顺畅", "Kerb line straight and smooth", "pass_fail", MINOR, "kerb"),
            Item(
                "勾缝",
                "Joints",
                "choice",
                MINOR,
                "kerb",
                options=(
                    ("full", "饱满密实 Full and dense", True),
                    ("partial", "局部不饱满 Partly unfilled", False),
                    ("missing", "未勾缝 Not pointed", False),
                ),
            ),
            Item("人行道坑洞深度", "Footpath pothole depth", "numeric", MINOR, "maintenance", "mm", LTE, "20"),
        ),
    ),
    Template(
        "PL-01",
        "乔木种植检查",
        "Tree planting",
        "quality",
        "种植后 2 周检查。Checked two weeks after planting.",
        (
            Item(
                "成活情况",
                "Survival",
                "choice",
                MAJOR,
                "planting",
                options=(
                    ("established", "成活良好 Established", True),
                    ("weak", "长势较弱 Weak but alive", True),
                    ("dead", "枯死 Dead", False),
                ),
                readings=5,
            ),
            Item("枯枝占树冠比例", "Dead branches, share of the canopy", "numeric", MINOR, "planting", "%", LTE, "33"),
            Item("支撑牢固", "Stakes and ties secure", "pass_fail", MINOR, "planting"),
            Item("种植现场照片", "Photo of the planted trees", "photo", MINOR),
        ),
    ),
    Template(
        "SW-01",
        "现场安全巡查",
        "Site safety walk",
        "safety",
        "安全监察部每周巡查，实行安全一票否决。Weekly walk by the safety supervision department, which "
        "has a one-vote veto.",
        (
            Item("临边防护栏杆齐全", "Guard rails in place at every open edge", "pass_fail", CRITICAL, "safety"),
            Item("高处作业系挂安全带", "Harnesses clipped on when working at height", "pass_fail", CRITICAL, "safety"),
            Item(
                "个人防护用品佩戴",
                "Personal protective equipment worn",
                "choice",
                MAJOR,
                "safety",
                options=(
                    ("all", "全员佩戴 Everyone", True),
                    ("one", "个别未佩戴 One person without", False),
                    ("several", "多人未佩戴 Several people without", False),
                ),
            ),
            Item("临时用电一机一闸一漏保", "Temporary power: one switch and RCD per machine", "pass_fail", MAJOR),
            Item("巡查记录", "Observations", "text"),
        ),
    ),
]


def _library(organization: Organization, actor: User) -> tuple[dict[str, Standard], dict[str, ChecklistTemplate]]:
    """The standards and the current version of each template, made where missing."""
    inspection_types_ensure_defaults(organization)
    quality_settings_for(organization)
    standards: dict[str, Standard] = {}
    for key, (code, title, clause, notes) in STANDARDS.items():
        found = Standard.objects.for_organization(organization).filter(code=code, clause=clause).first()
        standards[key] = found or library.standard_create(
            actor=actor, organization=organization, code=code, title=title, clause=clause, notes=notes
        )
    templates: dict[str, ChecklistTemplate] = {}
    for spec in TEMPLATES:
        found_template = (
            ChecklistTemplate.objects.for_organization(organization).filter(code=spec.code, is_current=True).first()
        )
        templates[spec.code] = found_template or _template(organization, actor, spec, standards)
    return standards, templates


def _template(
    organization: Organization, actor: User, spec: Template, standards: dict[str, Standard]
) -> ChecklistTemplate:
    items: list[dict[str, Any]] = []
    for item in spec.items:
        second = item.second
        items.append(
            {
                "text_zh": item.zh,
                "text_en": item.en,
                "kind": item.kind,
                "severity": item.severity,
                "standard": standards[item.standard] if item.standard else None,
                "max_readings": item.readings,
                "unit": item.unit,
                "comparator": item.comparator,
                "limit_a": item.a,
                "limit_b": item.b,
                "second_label": second[0] if second else "",
                "second_unit": second[1] if second else "",
                "second_comparator": second[2] if second else "",
                "second_limit_a": second[3] if second else None,
                "options": [{"key": key, "label": label, "acceptable": ok} for key, label, ok in item.options],
            }
        )
    return library.template_create(
        actor=actor,
        organization=organization,
        code=spec.code,
        inspection_type=builtin_type(organization, spec.inspection_type),
        items=items,
        name_zh=spec.zh,
        name_en=spec.en,
        description=spec.description,
    )


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------


class _Clock:
    """Days and moments of the demo's past, counted back from ``today``."""

    def __init__(self, organization: Organization, today: dt.date) -> None:
        self.today = today
        self.zone = zoneinfo.ZoneInfo(organization.time_zone)

    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)

    def at(self, days_ago: int, hour: int = 10) -> dt.datetime:
        moment = dt.datetime.combine(self.day(days_ago), dt.time(hour), self.zone)
        return min(moment, timezone.now())


def _date_inspection(inspection: Inspection, clock: _Clock, days_ago: int) -> None:
    """The inspection done and signed on the day the story says (its readings too)."""
    organization_id = inspection.organization_id
    moment = clock.at(days_ago, 11)
    fields: dict[str, Any] = {"inspected_on": clock.day(days_ago), "updated_at": moment}
    if inspection.signed_at is not None:
        fields["signed_at"] = clock.at(days_ago, 16)
        fields["updated_at"] = fields["signed_at"]
    Inspection.objects.for_organization(organization_id).filter(pk=inspection.pk).update(
        created_at=clock.at(days_ago + 3, 9), **fields
    )
    Reading.objects.for_organization(organization_id).filter(inspection=inspection).update(recorded_at=moment)


def _date_nc(nc: NonConformance, clock: _Clock, raised_days_ago: int, closed_days_ago: int | None = None) -> None:
    """Raised (and closed) on the story's days; its due date counted from the day it was raised."""
    organization_id = nc.organization_id
    raised_on = clock.day(raised_days_ago)
    due = ncs.default_due_date(organization_id, nc.severity, raised_on)
    fields: dict[str, Any] = {"raised_on": raised_on, "due_date": due, "created_at": clock.at(raised_days_ago, 16)}
    if closed_days_ago is not None:
        closed_on = clock.day(closed_days_ago)
        fields.update(closed_on=closed_on, days_to_close=(closed_on - raised_on).days)
    NonConformance.objects.for_organization(organization_id).filter(pk=nc.pk).update(**fields)


def _date_events(nc: NonConformance, clock: _Clock, days_ago: list[int]) -> None:
    """The history's entries, oldest first, on the given days (the last day repeats for the rest)."""
    events = list(NcEvent.objects.for_organization(nc.organization_id).filter(non_conformance=nc).order_by("at", "id"))
    for index, event in enumerate(events):
        ago = days_ago[min(index, len(days_ago) - 1)]
        NcEvent.objects.for_organization(nc.organization_id).filter(pk=event.pk).update(
            at=clock.at(ago, 9 + min(index, 8))
        )


# ---------------------------------------------------------------------------------------------
# Inspections and non-conformances
# ---------------------------------------------------------------------------------------------


def _record(actor: User, inspection: Inspection, values: dict[int, list[Any]], notes: dict[int, str] | None = None):
    """Readings by item position: a number, ``(width, spacing)``, ``True``/``False``, a choice key or text."""
    items = {
        item.position: item
        for item in ChecklistItem.objects.for_organization(inspection.organization_id).filter(
            template=inspection.template
        )
    }
    readings: dict[int, list[Reading]] = {}
    for position, series in values.items():
        item = items[position]
        for sequence, value in enumerate(series, start=1):
            kwargs: dict[str, Any] = {}
            match item.kind:
                case "numeric":
                    kwargs["number"] = value
                case "compound":
                    kwargs["number"], kwargs["second_number"] = value
                case "pass_fail":
                    kwargs["passed_check"] = value
                case "choice":
                    kwargs["choice"] = value
                case _:
                    kwargs["text"] = value
            readings.setdefault(position, []).append(
                inspections.reading_record(
                    actor=actor,
                    inspection=inspection,
                    item=item,
                    sequence=sequence,
                    note=(notes or {}).get(position, "") if sequence == len(series) else "",
                    **kwargs,
                )
            )
    return readings


def _photo(actor: User, organization: Organization, reading: Reading, caption: str) -> bool:
    """A drawn site photo on a photo item's reading, where readings take files; whether it was attached."""
    from PIL import Image, ImageDraw

    photo = Image.new("RGB", (1200, 800), (186, 214, 236))
    draw = ImageDraw.Draw(photo)
    draw.rectangle((0, 560, 1200, 800), fill=(120, 100, 70))
    for left in range(120, 1200, 240):
        draw.rectangle((left + 50, 380, left + 70, 580), fill=(90, 60, 30))
        draw.ellipse((left, 220, left + 120, 420), fill=(60, 140, 60))
    draw.text((40, 40), caption, fill=(20, 20, 20), font_size=44)
    data = io.BytesIO()
    photo.save(data, format="JPEG", quality=85)
    return _attach(actor, organization, reading, "planting.jpg", data.getvalue())


def _nc_of(inspection: Inspection, position: int) -> NonConformance:
    return (
        NonConformance.objects.for_organization(inspection.organization_id)
        .select_related("project__organization")
        .get(inspection=inspection, item__position=position)
    )


@dataclass(frozen=True)
class Action:
    description: str
    owner: str  # a demo login
    due_days: int  # from today; negative: past
    kind: str = ActionKind.CORRECTIVE
    status: str = ActionStatus.OPEN


def _plan_actions(nc: NonConformance, users: dict[str, User], root_cause: str, actions: list[Action], clock: _Clock):
    """Analysis, the root cause, the action plan and its actions; the work started when it is planned."""
    pm = users["pm"]
    nc = ncs.nc_transition(actor=pm, nc=nc, to_status=NcStatus.ANALYSIS)
    nc = ncs.nc_update(actor=pm, nc=nc, root_cause=root_cause)
    nc = ncs.nc_transition(actor=pm, nc=nc, to_status=NcStatus.ACTION_PLAN)
    made = [
        ncs.action_add(
            actor=pm,
            nc=nc,
            description=action.description,
            owner=users[action.owner],
            due_date=clock.day(-action.due_days),
            kind=action.kind,
        )
        for action in actions
    ]
    nc = ncs.nc_transition(actor=pm, nc=nc, to_status=NcStatus.IN_PROGRESS)
    for action, row in zip(actions, made, strict=True):
        if action.status != ActionStatus.OPEN:
            ncs.action_update(actor=users[action.owner], action=row, status=action.status)
    return nc, made


def _date_done_actions(made: list[CorrectiveAction], clock: _Clock, days_ago: int) -> None:
    for row in made:
        CorrectiveAction.objects.for_organization(row.organization_id).filter(
            pk=row.pk, status=ActionStatus.DONE
        ).update(completed_on=clock.day(days_ago))


def _plan_entry(project: Project, actor: User, elements: dict[str, WbsElement], **fields: Any) -> PlanEntry:
    code = fields.pop("wbs", None)
    return plan.plan_entry_add(actor=actor, project=project, wbs_element=elements[code] if code else None, **fields)


def _park(organization: Organization, users: dict[str, User], project: Project, clock: _Clock) -> None:
    quality, pm, member = users["quality"], users["pm"], users["member"]
    elements = {
        element.code: element for element in WbsElement.objects.for_organization(organization).filter(project=project)
    }
    # The inspection and test plan.
    entries = {
        "earthworks": _plan_entry(
            project,
            pm,
            elements,
            template_code="EW-01",
            wbs="2.2",
            planned_date=clock.day(42),
            before_task_finish=True,
            inspector_role="quality",
            notes="每压实层检测。Each compacted layer.",
        ),
        "asphalt": _plan_entry(
            project,
            pm,
            elements,
            template_code="AP-01",
            wbs="2.3",
            planned_date=clock.day(12),
            before_task_finish=True,
            hold_point=True,
            inspector_role="quality",
            notes="停检点：面层验收合格前不得报完工。Hold point: the surfacing is not complete until it passes.",
        ),
        "kerbs": _plan_entry(
            project,
            pm,
            elements,
            template_code="KF-01",
            wbs="2.4",
            planned_date=clock.day(-14),
            before_task_finish=True,
            inspector_role="quality",
        ),
        "planting": _plan_entry(
            project,
            pm,
            elements,
            template_code="PL-01",
            wbs="3.1",
            planned_date=clock.day(3),
            inspector_role="quality",
            notes="种植后 2 周。Two weeks after planting.",
        ),
        "safety": _plan_entry(
            project,
            pm,
            elements,
            template_code="SW-01",
            phase="execution",
            inspector_role="quality",
            notes="每周一次。Every week.",
        ),
    }

    # I-001, six weeks ago: the subgrade's compaction is short of 93 % → NC-001, closed after re-compaction.
    earth = inspections.inspection_schedule(
        actor=pm,
        project=project,
        plan_entry=entries["earthworks"],
        inspector=quality,
        location="绿道 K0+000 至 K0+300 路基 Greenway subgrade K0+000 to K0+300",
        participants="监理 陈工；施工队 刘班长 Supervisor Chen; foreman Liu",
    )
    _record(quality, earth, {1: ["91.5", "94.0", "92.8"], 2: ["280", "300", "290"], 3: [True]})
    earth = inspections.inspection_sign(actor=quality, inspection=earth, remarks="两点压实度不足。Two tests short.")
    _date_inspection(earth, clock, 42)
    nc = _nc_of(earth, 1)
    nc = ncs.nc_update(
        actor=pm,
        nc=nc,
        responsible_kind=PartyKind.CONTRACTOR,
        responsible_name="滨江土方工程有限公司 Binjiang Earthworks Co.",
    )
    nc, made = _plan_actions(
        nc,
        users,
        "土方含水率偏高，碾压遍数不足。The fill was too wet and rolled too few passes.",
        [
            Action("翻晒后分层重新碾压 Dry out and re-compact in layers", "member", 38, status=ActionStatus.DONE),
            Action(
                "碾压前检测含水率 Test the moisture before rolling",
                "pm",
                35,
                ActionKind.PREVENTIVE,
                ActionStatus.DONE,
            ),
        ],
        clock,
    )
    ncs.rework_cost_record(
        actor=pm, nc=nc, amount="18600", date=clock.day(37), supplier="滨江土方工程有限公司 Binjiang Earthworks Co."
    )
    nc = ncs.nc_transition(actor=pm, nc=nc, to_status=NcStatus.VERIFICATION)
    ncs.nc_verify(
        actor=quality,
        nc=nc,
        passed=True,
        note="复测压实度 94.2 %、95.0 %、93.6 %，合格。Re-tested at 94.2 %, 95.0 % and 93.6 %: compliant.",
    )
    _date_done_actions(made, clock, 37)
    _date_nc(nc, clock, 42, closed_days_ago=35)
    _date_events(nc, clock, [42, 41, 40, 40, 36, 35])

    # I-002, five weeks ago: the re-inspection passes.
    again = inspections.inspection_schedule(actor=pm, project=project, reinspection_of=earth, inspector=quality)
    _record(quality, again, {1: ["94.2", "95.0", "93.6"], 2: ["290", "285", "295"], 3: [True]})
    again = inspections.inspection_sign(actor=quality, inspection=again)
    _date_inspection(again, clock, 35)

    # I-003, four weeks ago: a missing guard rail on the footbridge → a critical safety NC, closed next day.
    walk = inspections.inspection_schedule(
        actor=quality,
        project=project,
        plan_entry=entries["safety"],
        inspector=quality,
        wbs_element=elements["2.5"],
        location="人行桥东侧临边 East edge of the footbridge",
        participants="安全监察部 孙工 Safety supervision, Sun",
    )
    _record(
        quality,
        walk,
        {
            1: [False],
            2: [True],
            3: ["all"],
            4: [True],
            5: ["东侧临边护栏拆除后未恢复。East edge rail removed, not put back."],
        },
        notes={1: "桥面东侧约 12 m 无护栏。About 12 m of the east edge without a rail."},
    )
    walk = inspections.inspection_sign(actor=quality, inspection=walk)
    _date_inspection(walk, clock, 28)
    nc = _nc_of(walk, 1)
    nc, made = _plan_actions(
        nc,
        users,
        "吊装作业后未恢复临边防护。The rail was taken down for a lift and not put back.",
        [
            Action("立即恢复东侧临边护栏 Put the east edge rail back at once", "member", 28, status=ActionStatus.DONE),
            Action(
                "吊装作业许可增加防护恢复签字 Lift permits to sign off the rail's reinstatement",
                "pm",
                27,
                ActionKind.PREVENTIVE,
                ActionStatus.DONE,
            ),
        ],
        clock,
    )
    nc = ncs.nc_transition(actor=pm, nc=nc, to_status=NcStatus.VERIFICATION)
    ncs.nc_verify(
        actor=quality,
        nc=nc,
        passed=True,
        note="护栏已恢复并加固，现场复查合格。Rail back and braced; checked on site.",
    )
    _date_done_actions(made, clock, 28)
    _date_nc(nc, clock, 28, closed_days_ago=27)
    _date_events(nc, clock, [28, 28, 28, 28, 27, 27])

    # I-004, last week: the weekly safety walk passes.
    weekly = inspections.inspection_schedule(
        actor=quality, project=project, plan_entry=entries["safety"], inspector=quality, location="全线 Whole site"
    )
    _record(quality, weekly, {1: [True], 2: [True], 3: ["all"], 4: [True], 5: ["无异常。Nothing to report."]})
    weekly = inspections.inspection_sign(actor=quality, inspection=weekly)
    _date_inspection(weekly, clock, 6)

    # I-005, twelve days ago: the greenway's surfacing (hold point) fails on flatness → NC-003 in
    # corrective work, and on alligator cracking → NC-004 in root cause analysis.
    asphalt = inspections.inspection_schedule(
        actor=pm,
        project=project,
        plan_entry=entries["asphalt"],
        inspector=quality,
        location="绿道 K0+400 至 K0+600 Greenway K0+400 to K0+600",
        participants="监理 陈工；城建路桥 王经理 Supervisor Chen; Wang, City Roads & Bridges",
    )
    _record(
        quality,
        asphalt,
        {
            1: ["52", "48", "47"],
            2: ["3", "4", "7", "4", "5"],
            3: [("3.5", "80")],
            4: ["8"],
            5: ["6"],
        },
        notes={2: "K0+440 处。At K0+440.", 3: "K0+520 附近约 2 m²。About 2 m² near K0+520."},
    )
    asphalt = inspections.inspection_sign(actor=quality, inspection=asphalt)
    _date_inspection(asphalt, clock, 12)
    roads = "城建路桥工程有限公司 City Roads & Bridges Co."
    flatness = ncs.nc_update(
        actor=pm, nc=_nc_of(asphalt, 2), responsible_kind=PartyKind.CONTRACTOR, responsible_name=roads
    )
    flatness, _made = _plan_actions(
        flatness,
        users,
        "摊铺机找平基准移位，终压温度偏低。The paver's levelling reference moved and the final rolling was too cold.",
        [
            Action(
                "铣刨 K0+420 至 K0+460 并重新摊铺 Mill and re-lay K0+420 to K0+460",
                "member",
                -3,
                status=ActionStatus.IN_PROGRESS,
            ),
            Action(
                "复核摊铺机找平基准 Check the paver's levelling reference",
                "pm",
                2,
                ActionKind.PREVENTIVE,
            ),
        ],
        clock,
    )
    _date_nc(flatness, clock, 12)
    _date_events(flatness, clock, [12, 11, 9, 8])
    cracking = ncs.nc_update(
        actor=pm, nc=_nc_of(asphalt, 3), responsible_kind=PartyKind.CONTRACTOR, responsible_name=roads
    )
    cracking = ncs.nc_transition(
        actor=pm, nc=cracking, to_status=NcStatus.ANALYSIS, note="取芯查基层。Cores to check the base."
    )
    _date_nc(cracking, clock, 12)
    _date_events(cracking, clock, [12, 5])

    # I-006, three days ago: the new trees; one dead-branch reading over a third → NC-005, just raised.
    planting = inspections.inspection_schedule(
        actor=pm,
        project=project,
        plan_entry=entries["planting"],
        inspector=quality,
        location="公园北区 North lawn",
    )
    readings = _record(
        quality,
        planting,
        {1: ["established", "established", "weak", "established", "established"], 2: ["40"], 3: [True], 4: ["N1-N5"]},
        notes={2: "N3 号香樟。Camphor tree N3."},
    )
    if _photo(quality, organization, readings[4][0], "North lawn, trees N1-N5"):
        planting = inspections.inspection_sign(actor=quality, inspection=planting)
        _date_nc(_nc_of(planting, 2), clock, 3)
        _date_events(_nc_of(planting, 2), clock, [3])
    _date_inspection(planting, clock, 3)

    # I-007, in two weeks: the kerbs and footpaths, scheduled from the plan.
    inspections.inspection_schedule(actor=pm, project=project, plan_entry=entries["kerbs"], inspector=quality)

    # NC raised directly by the team: chipped kerb stones from the supplier.
    kerbs = ncs.nc_raise(
        actor=member,
        project=project,
        title="路缘石进场缺棱掉角 Kerb stones delivered chipped",
        severity=MINOR,
        description="第 3 批 120 块中 14 块缺角。14 of the 120 stones of the third delivery are chipped.",
        wbs_element=elements["2.4"],
        location="材料堆场 Materials yard",
        responsible_kind=PartyKind.SUPPLIER,
        responsible_name="华东石材有限公司 East China Stone Co.",
    )
    _date_nc(kerbs, clock, 2)
    _date_events(kerbs, clock, [2])


def _ring_road(organization: Organization, users: dict[str, User], project: Project, clock: _Clock) -> None:
    """A passed surfacing inspection, and a safety walk whose PPE finding is now overdue."""
    quality, pm = users["quality"], users["pm"]
    elements = {
        element.code: element for element in WbsElement.objects.for_organization(organization).filter(project=project)
    }
    surfacing = inspections.inspection_schedule(
        actor=pm,
        project=project,
        template=ChecklistTemplate.objects.for_organization(organization).get(code="AP-01", is_current=True),
        inspector=quality,
        wbs_element=elements.get("2.2"),
        location="东环路北段 K2+100 至 K2+400 North section K2+100 to K2+400",
    )
    _record(
        quality, surfacing, {1: ["51", "53", "49"], 2: ["2", "3", "3", "4", "2"], 3: [("1", "250")], 4: ["0"], 5: ["3"]}
    )
    surfacing = inspections.inspection_sign(actor=quality, inspection=surfacing)
    _date_inspection(surfacing, clock, 20)
    walk = inspections.inspection_schedule(
        actor=quality,
        project=project,
        template=ChecklistTemplate.objects.for_organization(organization).get(code="SW-01", is_current=True),
        inspector=quality,
        location="东环路南段夜间施工 South section, night shift",
    )
    _record(
        quality,
        walk,
        {1: [True], 2: [True], 3: ["several"], 4: [True], 5: ["夜班多人未戴反光背心。Several without hi-vis vests."]},
    )
    walk = inspections.inspection_sign(actor=quality, inspection=walk)
    _date_inspection(walk, clock, 10)
    vests = ncs.nc_update(
        actor=pm,
        nc=_nc_of(walk, 3),
        responsible_kind=PartyKind.CONTRACTOR,
        responsible_name="市政道路工程公司 Municipal Roads Co.",
    )
    vests = ncs.nc_transition(actor=pm, nc=vests, to_status=NcStatus.ANALYSIS)
    vests = ncs.nc_update(actor=pm, nc=vests, root_cause="夜班未做班前检查。No pre-shift check on the night shift.")
    vests = ncs.nc_transition(actor=pm, nc=vests, to_status=NcStatus.ACTION_PLAN)
    _date_nc(vests, clock, 10)
    _date_events(vests, clock, [10, 9, 8])


# ---------------------------------------------------------------------------------------------
# Acceptance and the customer's survey
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signing:
    """A deliverable flagged and signed: the WBS code, its criteria, the decision and its note."""

    code: str
    criteria: str
    decision: str
    note: str
    days_ago: int
    condition: str = ""
    responsible: str = ""  # the contractor of the non-conformance a rejection opens
    inspections: str = ""  # the code of the template of the inspections it relies on


TUNNEL_SIGNINGS = [
    Signing(
        "2.2",
        "灯具安装位置、型号与设计一致，绝缘电阻 ≥ 0.5 MΩ。Luminaires placed and of the type designed; "
        "insulation resistance ≥ 0.5 MΩ.",
        AcceptanceStatus.ACCEPTED,
        "资料齐全，现场抽查合格。Records complete; spot checks passed.",
        9,
    ),
    Signing(
        "2.3",
        "控制系统联调，分段调光正常。The control system commissioned; dimming by section works.",
        AcceptanceStatus.CONDITIONAL,
        "同意验收，需补交灯具质保书。Accepted once the luminaires' warranties are handed over.",
        8,
        condition="补交灯具质保书 Hand over the luminaires' warranty certificates",
    ),
]
PARK_SIGNINGS = [
    Signing(
        "2.2",
        "路基压实度 ≥ 93 %，排水出水口标高符合图纸。Subgrade compaction ≥ 93 %; drainage outfalls at the levels drawn.",
        AcceptanceStatus.REJECTED,
        "北侧排水出水口标高低于设计 40 mm，雨后积水。The north outfall sits 40 mm below its design level; "
        "water stands after rain.",
        1,
        responsible="滨江土方工程有限公司 Binjiang Earthworks Co.",
        inspections="EW-01",
    ),
]


def _sign(
    organization: Organization, users: dict[str, User], project: Project, signings: list[Signing], clock: _Clock
) -> None:
    """Deliverables flagged by the project manager and signed by the quality role on the story's days:
    an acceptance carries the signed scan, a condition is met since, a rejection opened a non-conformance."""
    quality, pm = users["quality"], users["pm"]
    elements = {
        element.code: element for element in WbsElement.objects.for_organization(organization).filter(project=project)
    }
    for signing in signings:
        element = elements.get(signing.code)
        if element is None:
            continue
        relied_on = (
            list(
                Inspection.objects.for_organization(organization).filter(
                    project=project, template__code=signing.inspections
                )
            )
            if signing.inspections
            else []
        )
        deliverable = acceptance.deliverable_flag(
            actor=pm, project=project, wbs_element=element, criteria=signing.criteria, inspections=relied_on
        )
        deliverable = acceptance.deliverable_sign(
            actor=quality,
            deliverable=deliverable,
            decision=signing.decision,
            note=signing.note,
            conditions=[(signing.condition, None)] if signing.condition else [],
        )
        moment = clock.at(signing.days_ago, 15)
        Deliverable.objects.for_organization(organization).filter(pk=deliverable.pk).update(
            decided_at=moment, updated_at=moment
        )
        AcceptanceDecision.objects.for_organization(organization).filter(deliverable=deliverable).update(
            signed_at=moment
        )
        if signing.decision == AcceptanceStatus.ACCEPTED:
            _attach(quality, organization, deliverable, "signed-acceptance.pdf", _signed_scan(project, element))
        for condition in AcceptanceCondition.objects.for_organization(organization).filter(deliverable=deliverable):
            acceptance.condition_close(actor=pm, condition=condition, note="质保书已归档。Warranties filed.")
            AcceptanceCondition.objects.for_organization(organization).filter(pk=condition.pk).update(
                due_date=clock.day(signing.days_ago - 7), closed_on=clock.day(signing.days_ago - 4), created_at=moment
            )
        if deliverable.non_conformance is not None:
            nc = ncs.nc_update(
                actor=pm,
                nc=deliverable.non_conformance,
                responsible_kind=PartyKind.CONTRACTOR,
                responsible_name=signing.responsible,
            )
            _date_nc(nc, clock, signing.days_ago)
            _date_events(nc, clock, [signing.days_ago])


def _tunnel(organization: Organization, users: dict[str, User], project: Project, clock: _Clock) -> None:
    """The tunnel lighting, in closing: its deliverables accepted (one with a condition since met), so
    that its closing gate passes, and the client's satisfaction survey entered on their behalf."""
    pm = users["pm"]
    _sign(organization, users, project, TUNNEL_SIGNINGS, clock)
    survey = acceptance.survey_save(
        actor=pm,
        project=project,
        quality=4,
        schedule=5,
        communication=4,
        service=4,
        comments="隧道亮度明显改善，夜间施工未影响通行。The tunnel is much brighter, and the night works kept it open.",
        respondent="市交通局 王工 Mr Wang, City transport bureau",
    )
    SatisfactionSurvey.objects.for_organization(organization).filter(pk=survey.pk).update(entered_at=clock.at(4, 14))


def _signed_scan(project: Project, element: WbsElement) -> bytes:
    """A one-page PDF standing for the signed acceptance certificate."""
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    lines = [f"Acceptance certificate: {project.code}", f"WBS {element.code}", "Accepted.", "Signed: Liu Yang"]
    for row, line in enumerate(lines):
        draw.text((120, 160 + row * 90), line, fill="black", font_size=44)
    data = io.BytesIO()
    page.save(data, format="PDF", resolution=150)
    return data.getvalue()


def _attach(actor: User, organization: Organization, parent: Any, name: str, content: bytes) -> bool:
    """A file on a record, where that kind of record takes files; whether it was attached."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pmo.attachments.registry import attachable_for
    from pmo.attachments.services import attachments_add

    if attachable_for(parent) is None:
        return False
    media_type = "application/pdf" if name.endswith(".pdf") else "image/jpeg"
    attachments_add(
        actor=actor,
        organization=organization,
        parent=parent,
        uploads=[SimpleUploadedFile(name, content, media_type)],
    )
    return True


def _flag_pending(organization: Organization, users: dict[str, User], project: Project) -> None:
    """Deliverables the park's manager flagged, not yet offered for acceptance."""
    elements = {
        element.code: element
        for element in WbsElement.objects.for_organization(organization).filter(
            project=project, code__in=["2.3", "5.2"]
        )
    }
    surfacing = Inspection.objects.for_organization(organization).filter(project=project, template__code="AP-01")
    if "2.3" in elements:
        acceptance.deliverable_flag(
            actor=users["pm"],
            project=project,
            wbs_element=elements["2.3"],
            criteria="面层厚度、平整度合格，无龟裂。Thickness and flatness within limits; no alligator cracking.",
            inspections=list(surfacing),
        )
    if "5.2" in elements:
        acceptance.deliverable_flag(
            actor=users["pm"],
            project=project,
            wbs_element=elements["5.2"],
            criteria="竣工资料齐全，运维单位签收。As-built records complete; signed for by maintenance.",
        )


# ---------------------------------------------------------------------------------------------


def seed(organization: Organization, users: dict[str, User], *, today: dt.date | None = None) -> None:
    today = today or organization.today()
    clock = _Clock(organization, today)
    _library(organization, users["quality"])
    projects = {
        project.code: project
        for project in Project.objects.for_organization(organization)
        .select_related("organization")
        .filter(code__in=[PARK, ROAD, TUNNEL])
    }
    inspected = set(
        Inspection.objects.for_organization(organization)
        .filter(project__in=list(projects.values()))
        .values_list("project_id", flat=True)
    )
    park = projects.get(PARK)
    if park is not None and park.is_open and park.pk not in inspected:
        _park(organization, users, park, clock)
        _sign(organization, users, park, PARK_SIGNINGS, clock)
        _flag_pending(organization, users, park)
    road = projects.get(ROAD)
    if road is not None and road.is_open and road.pk not in inspected:
        _ring_road(organization, users, road, clock)
    tunnel = projects.get(TUNNEL)
    if (
        tunnel is not None
        and tunnel.is_open
        and not Deliverable.objects.for_organization(organization).filter(project=tunnel).exists()
    ):
        _tunnel(organization, users, tunnel, clock)
