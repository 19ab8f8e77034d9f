"""Demo content of the projects app: a portfolio of projects in every phase, seeded relative to today.

``seed_demo`` calls :func:`seed` for every app that has a ``demo`` module. Every date is counted
from the Monday of the week of ``today`` (the day the demo is seeded), so that on any day the
demo has the same shape, its dates shifted: the same projects in the same phases, each one as far
ahead or behind its baseline as its ``health`` says. Idempotent: a project whose code exists is
left as it is, and so are its change requests.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from pmo.models import Membership, Organization, User
from pmo.workdays import WorkCalendar
from projects.attachments import attach_demo_files
from projects.models import (
    BaselineTask,
    ChangeRequest,
    ConstraintType,
    Phase,
    Portfolio,
    Project,
    ProjectRole,
    WbsElement,
)
from projects.models.project import NEXT_PHASE
from projects.selectors import current_baseline, project_work_calendar, report_week_end
from projects.services import change_requests, csv_io, plan
from projects.services import projects as services

PARK = "GW-2026-01"
PLAZA = "GW-2026-02"
GREEN, AMBER, RED = "green", "amber", "red"

# Key → (name, description, parent key): three portfolios and a programme.
PORTFOLIOS: dict[str, tuple[str, str, str | None]] = {
    "urban": ("城市更新 Urban renewal", "滨河地区更新项目组合 Renewal of the riverside district", None),
    "greenway": ("滨河绿道 Riverside greenway", "", "urban"),
    "transport": (
        "交通基础设施 Transport infrastructure",
        "道路、桥梁与公交 Roads, bridges and public transport",
        None,
    ),
    "buildings": ("公共建筑 Public buildings", "学校、医疗与文体设施 Schools, health and civic buildings", None),
}


@dataclass(frozen=True)
class Shape:
    """One demo project: where it stands today, and how it is doing against its baseline."""

    code: str
    name: str
    portfolio: str
    phase: str
    start_weeks: int  # its planned start, in weeks from this week's Monday (negative: already started)
    health: str | None = None  # under way: green (on plan), amber (over cost), red (late and over cost)
    budget: int = 0  # the baseline cost of the generic plan, CNY; 0: no plan yet
    client: str = ""
    priority: str = "medium"


SHAPES: list[Shape] = [
    Shape(
        PARK,
        "滨河公园及绿道 Riverside park and greenway",
        "greenway",
        Phase.EXECUTION,
        -12,
        AMBER,
        0,
        "滨河区人民政府 Riverside district government",
        "high",
    ),
    Shape(
        PLAZA,
        "滨河广场改造 Riverside plaza renovation",
        "greenway",
        Phase.INITIATION,
        5,
        client="滨河区城市管理局 Riverside district city management bureau",
    ),
    Shape(
        "GW-2026-03",
        "滨河夜景照明 Riverside night lighting",
        "greenway",
        Phase.EXECUTION,
        -6,
        GREEN,
        1_800_000,
        "滨河区城市管理局 Riverside district city management bureau",
    ),
    Shape(
        "GW-2026-04",
        "口袋公园 Pocket parks",
        "urban",
        Phase.PLANNING,
        3,
        budget=950_000,
        client="滨河区人民政府 Riverside district government",
    ),
    Shape(
        "TR-2026-01",
        "东环路拓宽 East ring road widening",
        "transport",
        Phase.EXECUTION,
        -12,
        RED,
        12_500_000,
        "市交通局 City transport bureau",
        "critical",
    ),
    Shape(
        "TR-2026-02",
        "公交站台改造 Bus shelter renewal",
        "transport",
        Phase.EXECUTION,
        -4,
        GREEN,
        2_200_000,
        "市公交集团 City bus company",
    ),
    Shape(
        "TR-2026-03",
        "智慧停车系统 Smart parking system",
        "transport",
        Phase.EXECUTION,
        -8,
        AMBER,
        3_600_000,
        "市交通局 City transport bureau",
    ),
    Shape(
        "TR-2026-04",
        "车站路人行天桥 Station Road footbridge",
        "transport",
        Phase.PLANNING,
        4,
        budget=4_800_000,
        client="市交通局 City transport bureau",
        priority="high",
    ),
    Shape(
        "TR-2025-09",
        "隧道照明更新 Tunnel lighting renewal",
        "transport",
        Phase.CLOSING,
        -14,
        GREEN,
        1_500_000,
        "市交通局 City transport bureau",
    ),
    Shape(
        "TR-2025-04",
        "北桥维修 North bridge repairs",
        "transport",
        Phase.CLOSED,
        -40,
        GREEN,
        2_600_000,
        "市交通局 City transport bureau",
    ),
    Shape(
        "PB-2026-01",
        "第三小学扩建 No. 3 primary school extension",
        "buildings",
        Phase.EXECUTION,
        -10,
        RED,
        8_900_000,
        "市教育局 City education bureau",
        "high",
    ),
    Shape(
        "PB-2026-02",
        "社区卫生中心装修 Community health centre fit-out",
        "buildings",
        Phase.EXECUTION,
        -3,
        GREEN,
        1_200_000,
        "市卫健委 City health commission",
    ),
    Shape(
        "PB-2026-03",
        "图书馆节能改造 Library energy retrofit",
        "buildings",
        Phase.EXECUTION,
        -7,
        AMBER,
        2_900_000,
        "市文旅局 City culture bureau",
    ),
    Shape(
        "PB-2026-04",
        "体育馆屋面更新 Sports hall roof renewal",
        "buildings",
        Phase.INITIATION,
        8,
        client="市体育局 City sports bureau",
    ),
    Shape(
        "PB-2025-07",
        "市民中心翻新 Civic centre refurbishment",
        "buildings",
        Phase.OPERATIONS,
        -26,
        GREEN,
        5_400_000,
        "市机关事务局 City government offices",
    ),
    Shape(
        "PB-2026-05",
        "老年活动中心 Senior citizens' centre",
        "buildings",
        Phase.CANCELLED,
        6,
        budget=3_100_000,
        client="市民政局 City civil affairs bureau",
    ),
]

# Working days a project's progress lags its baseline.
HEALTH_LAG = {GREEN: 0, AMBER: 0, RED: 15}

# (code path, name, kind, duration, cost, predecessors as "code type lag")
PARK_PLAN: list[tuple[str, str, str, int, int, str]] = [
    ("1", "设计 Design", "summary", 0, 0, ""),
    ("1.1", "现场测量 Site survey", "task", 5, 40000, ""),
    ("1.2", "方案设计 Concept design", "task", 10, 120000, "1.1 FS 0"),
    ("1.3", "施工图设计 Construction drawings", "task", 15, 180000, "1.2 FS 0"),
    ("1.4", "设计审批 Design approved", "milestone", 0, 0, "1.3 FS 0"),
    ("2", "土建 Civil works", "summary", 0, 0, ""),
    ("2.1", "场地清理 Site clearance", "task", 8, 150000, "1.4 FS 0"),
    ("2.2", "土方与排水 Earthworks and drainage", "task", 20, 900000, "2.1 FS 0"),
    ("2.3", "沥青绿道 Asphalt greenway", "task", 25, 1600000, "2.2 SS 10"),
    ("2.4", "人行道与路缘石 Footpaths and kerbs", "task", 15, 520000, "2.3 FF 5"),
    ("2.5", "桥梁加固 Footbridge strengthening", "task", 30, 1350000, "2.1 FS 5"),
    ("3", "景观 Landscape", "summary", 0, 0, ""),
    ("3.1", "乔木种植 Tree planting", "task", 12, 380000, "2.2 FS 0"),
    ("3.2", "灌木与地被 Shrubs and ground cover", "task", 10, 260000, "3.1 SS 4"),
    ("3.3", "古树保护 Heritage tree protection", "task", 6, 90000, "2.1 FS 0"),
    ("4", "设施 Facilities", "summary", 0, 0, ""),
    ("4.1", "照明系统 Lighting", "task", 14, 480000, "2.4 FS 0"),
    ("4.2", "座椅与标识 Seats and signs", "task", 8, 210000, "2.4 FS 0"),
    ("4.3", "雕塑安装 Sculpture installation", "task", 5, 300000, "3.2 FS 2"),
    ("5", "验收与移交 Acceptance and handover", "summary", 0, 0, ""),
    ("5.1", "竣工验收 Completion inspection", "task", 5, 60000, "4.1 FS 0;4.2 FS 0;4.3 FS 0;2.5 FS 0"),
    ("5.2", "移交运维 Handover to maintenance", "milestone", 0, 0, "5.1 FS 0"),
]

# The plan of every other project: about eleven weeks; costs in thousandths of the project's budget.
GENERIC_PLAN: list[tuple[str, str, str, int, int, str]] = [
    ("1", "设计 Design", "summary", 0, 0, ""),
    ("1.1", "现场调查 Site survey", "task", 5, 40, ""),
    ("1.2", "设计 Design", "task", 10, 100, "1.1 FS 0"),
    ("1.3", "设计批准 Design approved", "milestone", 0, 0, "1.2 FS 0"),
    ("2", "实施 Delivery", "summary", 0, 0, ""),
    ("2.1", "施工准备 Preparation", "task", 8, 80, "1.3 FS 0"),
    ("2.2", "主体工程 Main works", "task", 25, 500, "2.1 FS 0"),
    ("2.3", "安装 Installation", "task", 15, 180, "2.2 SS 10"),
    ("2.4", "完工 Works complete", "milestone", 0, 0, "2.2 FS 0;2.3 FS 0"),
    ("3", "验收 Acceptance", "summary", 0, 0, ""),
    ("3.1", "验收与调试 Inspection and commissioning", "task", 5, 100, "2.4 FS 0"),
    ("3.2", "移交 Handover", "milestone", 0, 0, "3.1 FS 0"),
]

#: The task of every demo plan that carries a date constraint.
SITE_SURVEY = "1.1"

UNDER_WAY = (Phase.EXECUTION, Phase.CLOSING, Phase.OPERATIONS, Phase.CLOSED)


def week_start(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday())


def last_report_day(project: Project, today: dt.date) -> dt.date:
    """The end of last week's reporting period: the day the demo's previous status reports are for."""
    return report_week_end(project_work_calendar(project), today - dt.timedelta(days=7))


def shape_of(code: str) -> Shape:
    return next(shape for shape in SHAPES if shape.code == code)


def seed(organization: Organization, users: dict[str, User], *, today: dt.date | None = None) -> None:
    today = today or organization.today()
    portfolios = _portfolios(organization)
    existing = set(Project.objects.for_organization(organization).values_list("code", flat=True))
    for shape in SHAPES:
        if shape.code not in existing:
            _seed_project(organization, users, shape, portfolios[shape.portfolio], today)


def _portfolios(organization: Organization) -> dict[str, Portfolio]:
    found: dict[str, Portfolio] = {}
    for key, (name, description, parent) in PORTFOLIOS.items():
        kind = Portfolio.Kind.PROGRAMME if parent else Portfolio.Kind.PORTFOLIO
        found[key], _ = Portfolio.objects.for_organization(organization).get_or_create(
            organization=organization,
            name=name,
            defaults={"description": description, "parent": found.get(parent or ""), "kind": kind},
        )
    return found


def _seed_project(
    organization: Organization, users: dict[str, User], shape: Shape, portfolio: Portfolio, today: dt.date
) -> None:
    admin, pm = users["admin"], users["pm"]
    project = services.project_create(
        actor=admin,
        organization=organization,
        code=shape.code,
        name=shape.name,
        description=f"{shape.name}：演示项目。Demo project.",
        objectives="按基线工期与预算完成\nDeliver on the baseline schedule and budget",
        portfolio=portfolio,
        sponsor=admin,
        manager=pm,
        client=shape.client,
        priority=shape.priority,
        planned_start=week_start(today) + dt.timedelta(weeks=shape.start_weeks),
        tags=[shape.portfolio],
    )
    if shape.code == PARK or shape.budget:
        services.project_member_add(actor=admin, project=project, user=users["member"], role=ProjectRole.MEMBER)
        services.project_member_add(actor=admin, project=project, user=users["finance"], role=ProjectRole.CONTROLLER)
        _plan(project, pm, PARK_PLAN if shape.code == PARK else GENERIC_PLAN, shape.budget)
    pmo = users["pmo"]
    membership = Membership.objects.for_organization(organization).get(user=pmo)
    target = Phase(shape.phase)
    path = [Phase.INITIATION]
    while path[-1] != target and path[-1] in NEXT_PHASE and target != Phase.CANCELLED:
        path.append(NEXT_PHASE[path[-1]])
    for phase in path[1:]:
        if phase == Phase.EXECUTION:
            plan.baseline_create(actor=pm, project=project, name="批准基线 Approved baseline")
            # The finish approved with the baseline, against which the forecast is shown.
            project.refresh_from_db()
            services.project_update(actor=admin, project=project, planned_finish=project.scheduled_finish)
        _advance(project, pmo, membership, phase)
        if phase == Phase.EXECUTION:
            _progress(project, pm, shape, today)
            if shape.phase == Phase.EXECUTION:
                _change_requests(project, users, shape)
    if target == Phase.CANCELLED:
        _advance(project, pmo, membership, Phase.PLANNING)
        _advance(project, pmo, membership, Phase.CANCELLED, comment="预算未获批准 Funding not approved")


def _advance(project: Project, actor: User, membership: Membership, phase: Phase, comment: str = "") -> None:
    project.refresh_from_db()
    criteria = [] if phase == Phase.CANCELLED else services.gate_criteria(project.organization, project.phase)
    services.project_advance(
        actor=actor,
        membership=membership,
        project_role=None,
        project=project,
        to_phase=phase,
        passed_criteria=[criterion.pk for criterion in criteria],
        comment=comment or "演示数据 Demo data",
    )


def _plan(project: Project, pm: User, rows: list[tuple[str, str, str, int, int, str]], budget: int) -> None:
    """The plan in one import (one reschedule), as a CSV file of it would bring it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["wbs_code", "name", "kind", "duration", "budgeted_cost", "predecessors", "constraint_type", "constraint_date"]
    )
    for code, name, kind, duration, cost, links in rows:
        predecessors = ";".join(
            f"{predecessor}{link_type}{int(lag):+d}"
            for predecessor, link_type, lag in (link.split() for link in filter(None, links.split(";")))
        )
        amount = cost * budget // 1000 if budget else cost
        # The site is handed over on the project's start: the survey cannot start before (a constraint
        # the plan already meets, so nothing moves).
        constraint = [ConstraintType.SNET, project.planned_start.isoformat()] if code == SITE_SURVEY else ["", ""]
        writer.writerow([code, name, kind, duration, amount if kind != "summary" else "", predecessors, *constraint])
    csv_io.plan_import_csv(actor=pm, project=project, content=out.getvalue())


def _progress(project: Project, pm: User, shape: Shape, today: dt.date) -> None:
    """Progress as the baseline planned it, ``HEALTH_LAG`` working days behind: last week's, then today's."""
    calendar = project_work_calendar(project)
    baseline = current_baseline(project)
    rows = BaselineTask.objects.for_organization(project.organization_id).filter(baseline=baseline, task__isnull=False)
    frozen = {row.task_id: (row.start, row.finish) for row in rows}
    tasks = (
        WbsElement.objects.for_organization(project.organization_id).filter(pk__in=list(frozen)).order_by("sort_key")
    )
    lag = HEALTH_LAG[shape.health or GREEN]
    known: dict[int, tuple[Decimal, dt.date | None, dt.date | None]] = {}
    for effective in (last_report_day(project, today), today):
        if effective < project.planned_start:
            continue
        reached = calendar.add_working_days(effective, -lag) if lag else effective
        for task in tasks:
            start, finish = frozen[task.pk]
            state = _state(calendar, start, finish, reached)
            if state is None or known.get(task.pk) == state:
                continue
            known[task.pk] = state
            percent, actual_start, actual_finish = state
            plan.task_progress_update(
                actor=pm,
                task=task,
                percent_complete=percent,
                actual_start=actual_start,
                actual_finish=actual_finish,
                effective_date=effective,
                note="演示数据 Demo data",
            )


def _state(
    calendar: WorkCalendar, start: dt.date, finish: dt.date, reached: dt.date
) -> tuple[Decimal, dt.date | None, dt.date | None] | None:
    """Where a task planned from ``start`` to ``finish`` stands once the work planned to ``reached`` is done."""
    if reached < start:
        return None
    if finish <= reached:
        return Decimal(100), start, finish
    done = Decimal(calendar.working_days_between(start, reached) * 100) / calendar.working_days_between(start, finish)
    return done.quantize(Decimal("0.01"), rounding=ROUND_CEILING), start, None


def _change_requests(project: Project, users: dict[str, User], shape: Shape) -> None:
    """Change requests in flight: one approved on every project under way, and one waiting or drafted."""
    if ChangeRequest.objects.for_organization(project.organization_id).filter(project=project).exists():
        return
    member, pm = users["member"], users["pm"]
    approved = change_requests.change_request_create(
        actor=member,
        project=project,
        title="增加安全围挡 Additional safety hoarding",
        kind=ChangeRequest.Kind.COST,
        description="沿人行道增加临时围挡。Temporary hoarding along the footpath.",
        reason="施工安全 Site safety",
        impact_cost=Decimal("45000"),
    )
    membership = Membership.objects.for_organization(project.organization_id).get(user=member)
    change_requests.change_request_submit(
        actor=member, membership=membership, project_role=ProjectRole.MEMBER, change_request=approved
    )
    pm_membership = Membership.objects.for_organization(project.organization_id).get(user=pm)
    change_requests.change_request_approve(
        actor=pm,
        membership=pm_membership,
        project_role=ProjectRole.MANAGER,
        change_request=approved,
        comment="同意 Approved",
    )
    attach_demo_files(approved, pm)
    if shape.health == GREEN:
        return
    waiting = change_requests.change_request_create(
        actor=pm,
        project=project,
        title="延长工期 Extension of time" if shape.health == RED else "材料替换 Alternative materials",
        kind=ChangeRequest.Kind.SCHEDULE if shape.health == RED else ChangeRequest.Kind.COST,
        description="因进度滞后申请调整。Adjustment requested after the delays reported.",
        reason="现场条件 Site conditions" if shape.health == RED else "材料涨价 Material prices rose",
        impact_days=20 if shape.health == RED else 0,
        impact_cost=Decimal(shape.budget // 20 or 250000),
    )
    change_requests.change_request_submit(
        actor=pm, membership=pm_membership, project_role=ProjectRole.MANAGER, change_request=waiting
    )
