"""Demo content of the projects app: a riverside park and greenway under way, and more.

``seed_demo`` calls :func:`seed` for every app that has a ``demo`` module. Idempotent: a
project whose code exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pmo.models import Membership, Organization, User
from projects.models import Phase, Portfolio, Project, ProjectRole, WbsElement
from projects.services import plan
from projects.services import projects as services

PARK = "GW-2026-01"
PLAZA = "GW-2026-02"

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


def seed(organization: Organization, users: dict[str, User]) -> None:
    admin, pm = users["admin"], users["pm"]
    portfolio, _ = Portfolio.objects.for_organization(organization).get_or_create(
        organization=organization, name="城市更新 Urban renewal", defaults={"description": "滨河地区更新项目组合"}
    )
    programme, _ = Portfolio.objects.for_organization(organization).get_or_create(
        organization=organization,
        name="滨河绿道 Riverside greenway",
        defaults={"parent": portfolio, "kind": Portfolio.Kind.PROGRAMME},
    )
    projects = Project.objects.for_organization(organization)
    if not projects.filter(code=PARK).exists():
        _seed_park(organization, programme, admin, pm, users)
    if not projects.filter(code=PLAZA).exists():
        services.project_create(
            actor=admin,
            organization=organization,
            code=PLAZA,
            name="滨河广场改造 Riverside plaza renovation",
            description="广场铺装与喷泉改造。Paving and fountain renovation of the plaza.",
            objectives="2027年6月前完成铺装更新\nReplace all paving by June 2027",
            portfolio=programme,
            sponsor=admin,
            manager=pm,
            client="滨河区城市管理局 Riverside district city management bureau",
            planned_start=dt.date(2027, 1, 4),
            tags=["plaza", "paving"],
        )


def _seed_park(organization: Organization, programme: Portfolio, admin: User, pm: User, users: dict[str, User]) -> None:
    project = services.project_create(
        actor=admin,
        organization=organization,
        code=PARK,
        name="滨河公园及绿道 Riverside park and greenway",
        description=(
            "沿河 3.2 公里绿道、公园设施及景观建设。3.2 km riverside greenway with park facilities and planting."
        ),
        objectives=(
            "绿道全线贯通，路面破损面积不超过 1 平方米\nGreenway open end to end; damaged surface ≤ 1 m²\n"
            "预算内完工 Deliver within the approved budget"
        ),
        portfolio=programme,
        sponsor=admin,
        manager=pm,
        client="滨河区人民政府 Riverside district government",
        priority="high",
        planned_start=dt.date(2026, 3, 2),
        tags=["greenway", "park"],
    )
    services.project_member_add(actor=admin, project=project, user=users["member"], role=ProjectRole.MEMBER)
    services.project_member_add(actor=admin, project=project, user=users["finance"], role=ProjectRole.CONTROLLER)
    elements: dict[str, WbsElement] = {}
    for code, name, kind, duration, cost, _links in PARK_PLAN:
        parent_code = code.rsplit(".", 1)[0] if "." in code else None
        elements[code] = plan.wbs_element_create(
            actor=pm,
            project=project,
            name=name,
            parent=elements[parent_code] if parent_code else None,
            kind=kind,
            duration=duration,
            budgeted_cost=Decimal(cost),
        )
    for code, _name, _kind, _duration, _cost, links in PARK_PLAN:
        for link in filter(None, links.split(";")):
            predecessor, link_type, lag = link.split()
            plan.dependency_create(
                actor=pm,
                project=project,
                predecessor=elements[predecessor],
                successor=elements[code],
                type=link_type,
                lag=int(lag),
            )
    pmo = users["pmo"]
    membership = Membership.objects.for_organization(organization).get(user=pmo)
    for target in (Phase.PLANNING, Phase.EXECUTION):
        if target == Phase.EXECUTION:
            plan.baseline_create(actor=pm, project=project, name="批准基线 Approved baseline")
        project.refresh_from_db()
        criteria = [criterion.pk for criterion in services.gate_criteria(organization, project.phase)]
        services.project_advance(
            actor=pmo,
            membership=membership,
            project_role=None,
            project=project,
            to_phase=target,
            passed_criteria=criteria,
            comment="演示数据 Demo data",
        )
    progress = [
        ("1.1", 100, dt.date(2026, 3, 6)),
        ("1.2", 100, dt.date(2026, 3, 23)),
        ("1.3", 100, dt.date(2026, 4, 15)),
        ("1.4", 100, dt.date(2026, 4, 15)),
        ("2.1", 100, dt.date(2026, 4, 28)),
        ("3.3", 100, dt.date(2026, 5, 15)),
        ("2.2", 60, dt.date(2026, 5, 20)),
        ("2.5", 35, dt.date(2026, 5, 20)),
    ]
    for code, percent, day in progress:
        task = WbsElement.objects.for_organization(organization).get(project=project, code=code)
        plan.task_progress_update(actor=pm, task=task, percent_complete=Decimal(percent), effective_date=day)
