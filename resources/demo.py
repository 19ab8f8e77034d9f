"""Demo content of the resources app: the pool, its rates and absences, assignments on the demo projects,
resource requests, and four weeks of timesheets.

``seed_demo`` calls :func:`seed` after the projects, finance, risks and quality parts. The organisation
gets 25 people in four departments (设计部 Design, 施工部 Construction, 安全质量部 HSE/Quality, 设备部
Equipment) with their roles and skills, five of them the demo's users (the project manager, the team
member, quality, risk and maintenance logins), a placeholder for a structural engineer not yet named,
three pieces of equipment (an excavator crew of three, 300 %), three materials, hourly rates from a
year ago with the design department's raise two weeks ago, and a few absences.

Everyone is assigned to tasks of the projects under way. Four resources are over-allocated above the
alert's threshold in the next weeks, each across two projects that are already amber or red (and never
above the red threshold on an amber one), so that the heat map and the alerts show them without
changing a project's rating: a site engineer on the park's asphalt and the ring road's commissioning,
a part-time structural engineer, a road designer on the school and the park's footbridge, and the
excavator crew; a landscape architect's training falls on her planting tasks. Three requests: one open,
one with a surveyor proposed, one fulfilled (its electrical engineer assigned). Four people keep
timesheets for the last four weeks: the first two approved (their hours are the ring road's and the
school's labour cost, at the rates in force each day), the third approved but for one rejected line
and one person's lines still waiting, the last submitted and waiting.

Dates are counted from the Monday of ``today``'s week. Every write goes through the services, acting
as the demo's users. Idempotent: the pool, the assignments, the requests and the timesheets are each
added only when the organisation has none yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pmo.models import Organization, User
from projects.demo import PARK, week_start
from projects.models import OPEN_PHASES, Project, WbsElement
from resources.models import (
    Assignment,
    ExceptionKind,
    LineCategory,
    Resource,
    ResourceKind,
    ResourceRequest,
    ResourceRole,
    Skill,
    Timesheet,
    TimesheetLine,
)
from resources.services import assignments, pool, rates_service, requests, timesheets

ROAD, SCHOOL, PARKING, LIBRARY = "TR-2026-01", "PB-2026-01", "TR-2026-03", "PB-2026-03"
LIGHTING, SHELTERS, CLINIC = "GW-2026-03", "TR-2026-02", "PB-2026-02"
POCKET_PARKS, FOOTBRIDGE = "GW-2026-04", "TR-2026-04"

DESIGN = "设计部 Design"
CONSTRUCTION = "施工部 Construction"
HSE = "安全质量部 HSE/Quality"
EQUIPMENT = "设备部 Equipment"

#: key → (name, kind)
ROLES: dict[str, tuple[str, str]] = {
    "pm": ("项目经理 Project manager", ResourceKind.PERSON),
    "civil": ("土木工程师 Civil engineer", ResourceKind.PERSON),
    "structural": ("结构工程师 Structural engineer", ResourceKind.PERSON),
    "road": ("道路工程师 Road engineer", ResourceKind.PERSON),
    "landscape": ("景观设计师 Landscape architect", ResourceKind.PERSON),
    "electrical": ("电气工程师 Electrical engineer", ResourceKind.PERSON),
    "bim": ("BIM 工程师 BIM engineer", ResourceKind.PERSON),
    "surveyor": ("测量员 Surveyor", ResourceKind.PERSON),
    "site": ("施工员 Site engineer", ResourceKind.PERSON),
    "foreman": ("工长 Foreman", ResourceKind.PERSON),
    "cost": ("造价工程师 Quantity surveyor", ResourceKind.PERSON),
    "quality": ("质检员 Quality inspector", ResourceKind.PERSON),
    "safety": ("安全员 Safety officer", ResourceKind.PERSON),
    "plant": ("设备工程师 Plant engineer", ResourceKind.PERSON),
    "operator": ("机械操作手 Plant operator", ResourceKind.PERSON),
    "electrician": ("电工 Electrician", ResourceKind.PERSON),
    "excavator": ("挖掘机班组 Excavator crew", ResourceKind.EQUIPMENT),
    "crane": ("起重机 Crane", ResourceKind.EQUIPMENT),
    "roller": ("压路机 Road roller", ResourceKind.EQUIPMENT),
}

SKILLS: dict[str, str] = {
    "pmp": "项目管理 Project management",
    "cad": "CAD 制图 CAD drafting",
    "bim": "BIM 建模 BIM modelling",
    "road": "道路设计 Road design",
    "bridge": "桥梁结构 Bridge structures",
    "landscape": "景观设计 Landscape design",
    "lighting": "照明设计 Lighting design",
    "survey": "GNSS 测量 GNSS surveying",
    "concrete": "混凝土施工 Concrete works",
    "asphalt": "沥青摊铺 Asphalt paving",
    "inspection": "质量检验 Quality inspection",
    "safety": "安全管理 Safety management",
    "lifting": "起重作业 Lifting operations",
    "electrical": "电气安装 Electrical installation",
}


@dataclass(frozen=True)
class Person:
    code: str
    name: str
    department: str
    role: str
    skills: tuple[tuple[str, int], ...]
    rate: int  # CNY an hour; overtime is half as much again
    login: str = ""  # the demo user linked to the resource


PEOPLE: tuple[Person, ...] = (
    Person("P-001", "张伟 Zhang Wei", CONSTRUCTION, "pm", (("pmp", 5), ("road", 3)), 260, login="pm"),
    Person("P-002", "Emma Brown", DESIGN, "civil", (("road", 4), ("cad", 4), ("bim", 3)), 180, login="member"),
    Person("P-003", "刘洋 Liu Yang", HSE, "quality", (("inspection", 5), ("concrete", 3)), 150, login="quality"),
    Person("P-004", "赵磊 Zhao Lei", HSE, "safety", (("safety", 4), ("pmp", 2)), 150, login="risk"),
    Person(
        "P-005", "周强 Zhou Qiang", EQUIPMENT, "plant", (("lifting", 4), ("electrical", 3)), 160, login="maintenance"
    ),
    Person("P-006", "王芳 Wang Fang", DESIGN, "structural", (("bridge", 5), ("cad", 4), ("bim", 4)), 240),
    Person("P-007", "李娜 Li Na", DESIGN, "landscape", (("landscape", 4), ("cad", 3)), 200),
    Person("P-008", "陈刚 Chen Gang", DESIGN, "electrical", (("lighting", 4), ("electrical", 4), ("cad", 3)), 210),
    Person("P-009", "杨洁 Yang Jie", DESIGN, "road", (("road", 5), ("cad", 4)), 220),
    Person("P-010", "黄磊 Huang Lei", DESIGN, "bim", (("bim", 5), ("cad", 5)), 190),
    Person("P-011", "吴敏 Wu Min", DESIGN, "surveyor", (("survey", 4), ("cad", 2)), 140),
    Person("P-012", "徐军 Xu Jun", CONSTRUCTION, "site", (("asphalt", 4), ("concrete", 3), ("safety", 2)), 170),
    Person("P-013", "孙浩 Sun Hao", CONSTRUCTION, "site", (("concrete", 4), ("survey", 2)), 160),
    Person("P-014", "马超 Ma Chao", CONSTRUCTION, "foreman", (("concrete", 4), ("safety", 3)), 130),
    Person("P-015", "朱琳 Zhu Lin", CONSTRUCTION, "site", (("road", 3), ("asphalt", 3)), 165),
    Person("P-016", "胡斌 Hu Bin", CONSTRUCTION, "surveyor", (("survey", 5),), 145),
    Person("P-017", "郭涛 Guo Tao", CONSTRUCTION, "foreman", (("concrete", 5),), 135),
    Person("P-018", "林峰 Lin Feng", CONSTRUCTION, "foreman", (("asphalt", 5),), 135),
    Person("P-019", "何静 He Jing", CONSTRUCTION, "cost", (("pmp", 3),), 175),
    Person("P-020", "高翔 Gao Xiang", HSE, "safety", (("safety", 5), ("lifting", 3)), 145),
    Person("P-021", "罗丹 Luo Dan", HSE, "quality", (("inspection", 4), ("asphalt", 2)), 140),
    Person("P-022", "郑宇 Zheng Yu", HSE, "safety", (("safety", 3),), 135),
    Person("P-023", "梁勇 Liang Yong", EQUIPMENT, "operator", (("lifting", 5),), 120),
    Person("P-024", "宋鹏 Song Peng", EQUIPMENT, "operator", (("lifting", 3),), 115),
    Person("P-025", "唐亮 Tang Liang", EQUIPMENT, "electrician", (("electrical", 4),), 110),
)
#: The design department's raise, in force from two weeks ago: code → new hourly rate.
RAISE = {"P-002": 195, "P-006": 255, "P-007": 215, "P-008": 225, "P-009": 235, "P-010": 200, "P-011": 150}

#: (code, name, role, units %, CNY an hour)
MACHINES: tuple[tuple[str, str, str, int, int], ...] = (
    ("E-001", "挖掘机班组（3 台 20 t） Excavator crew (three 20 t)", "excavator", 300, 650),
    ("E-002", "25 t 汽车起重机 25 t mobile crane", "crane", 100, 480),
    ("E-003", "双钢轮压路机（2 台） Tandem rollers (two)", "roller", 200, 260),
)
#: (code, name, unit, CNY a unit)
MATERIALS: tuple[tuple[str, str, str, int], ...] = (
    ("M-001", "C30 商品混凝土 C30 ready-mix concrete", "m³", 520),
    ("M-002", "HRB400 钢筋 HRB400 rebar", "t", 4350),
    ("M-003", "AC-13 沥青混合料 AC-13 asphalt mix", "t", 680),
)
PLACEHOLDER = ("X-001", "结构工程师（待定） Structural engineer (to be named)", "structural")


@dataclass(frozen=True)
class Absence:
    code: str
    kind: str
    first: int  # days from this week's Monday
    last: int
    note: str
    hours: Decimal | None = None


ABSENCES: tuple[Absence, ...] = (
    Absence("P-002", ExceptionKind.LEAVE, -13, -12, "年假 Annual leave"),
    Absence("P-013", ExceptionKind.LEAVE, -21, -17, "探亲假 Home leave"),
    Absence("P-007", ExceptionKind.TRAINING, 14, 16, "BIM 培训 BIM training course"),
    Absence("P-006", ExceptionKind.PART_TIME, -28, 55, "育儿期间每天 6 小时 Six hours a day (parental)", Decimal("6")),
)

#: (project, task, resource, units %): people and equipment; the materials are in ``QUANTITIES``.
ASSIGNMENTS: tuple[tuple[str, str, str, int], ...] = (
    # The park (amber): asphalt, footpaths, footbridge and planting.
    (PARK, "2.3", "P-012", 100),
    (PARK, "2.3", "P-018", 100),
    (PARK, "2.3", "E-003", 100),
    (PARK, "2.4", "P-002", 100),
    (PARK, "2.5", "P-003", 25),
    (PARK, "2.5", "P-020", 50),
    (PARK, "2.5", "P-023", 100),
    (PARK, "2.5", "P-009", 40),
    (PARK, "2.5", "E-002", 60),
    (PARK, "3.1", "P-007", 50),
    (PARK, "3.2", "P-007", 30),
    # The ring road (red): main works, installation and commissioning.
    (ROAD, "2.2", "P-001", 50),
    (ROAD, "2.2", "P-004", 25),
    (ROAD, "2.2", "P-005", 100),
    (ROAD, "2.3", "P-002", 50),
    (ROAD, "3.1", "P-012", 50),
    (ROAD, "3.1", "P-006", 50),
    # The school extension (red).
    (SCHOOL, "2.2", "P-001", 25),
    (SCHOOL, "2.2", "P-003", 50),
    (SCHOOL, "2.2", "P-017", 100),
    (SCHOOL, "2.2", "P-024", 100),
    (SCHOOL, "2.2", "E-001", 200),
    (SCHOOL, "2.3", "P-006", 60),
    (SCHOOL, "2.3", "P-009", 100),
    # Smart parking and the library (amber).
    (PARKING, "2.2", "P-020", 50),
    (LIBRARY, "2.2", "P-015", 100),
    (LIBRARY, "2.2", "E-001", 150),
    # Green projects: nobody there is over-allocated.
    (LIGHTING, "2.2", "P-013", 100),
    (LIGHTING, "2.2", "P-004", 25),
    (LIGHTING, "2.3", "P-008", 50),
    (LIGHTING, "2.3", "P-022", 50),
    (LIGHTING, "2.3", "P-025", 100),
    (SHELTERS, "2.2", "P-014", 100),
    (SHELTERS, "2.2", "P-021", 50),
    (SHELTERS, "2.2", "E-003", 50),
    (CLINIC, "2.1", "P-011", 50),
    (CLINIC, "2.2", "P-019", 50),
    (CLINIC, "2.2", "P-021", 50),
    # Planning: the placeholder and the BIM engineer.
    (POCKET_PARKS, "1.1", "P-010", 100),
    (FOOTBRIDGE, "1.1", "P-010", 100),
    (FOOTBRIDGE, "1.2", "X-001", 100),
)
#: (project, task, material, quantity)
QUANTITIES: tuple[tuple[str, str, str, int], ...] = (
    (PARK, "2.3", "M-003", 1250),
    (PARK, "2.5", "M-001", 420),
    (PARK, "2.5", "M-002", 38),
    (ROAD, "2.2", "M-003", 2400),
    (SCHOOL, "2.2", "M-001", 850),
    (SCHOOL, "2.2", "M-002", 96),
    (LIBRARY, "2.2", "M-001", 300),
)

#: The timesheets: login → lines of (category, project, task, hours Monday to Friday).
Line = tuple[str, str, str, tuple[int, int, int, int, int]]
WEEK_LINES: dict[str, tuple[Line, ...]] = {
    "pm": (
        (LineCategory.PROJECT, ROAD, "2.2", (4, 4, 4, 4, 4)),
        (LineCategory.PROJECT, SCHOOL, "2.2", (3, 3, 3, 3, 3)),
        (LineCategory.ADMIN, "", "", (1, 1, 1, 1, 1)),
    ),
    "member": (
        (LineCategory.PROJECT, ROAD, "2.3", (6, 6, 6, 6, 6)),
        (LineCategory.PROJECT, SCHOOL, "2.3", (2, 2, 2, 2, 2)),
    ),
    "quality": (
        (LineCategory.PROJECT, SCHOOL, "2.2", (6, 6, 6, 6, 6)),
        (LineCategory.ADMIN, "", "", (2, 2, 2, 2, 2)),
    ),
    "maintenance": ((LineCategory.PROJECT, ROAD, "2.2", (8, 8, 8, 8, 8)),),
}
#: The member's week of leave (two weeks ago): the project hours stop on Tuesday and Wednesday.
LEAVE_WEEK = 2
LEAVE_LINES: tuple[Line, ...] = (
    (LineCategory.PROJECT, ROAD, "2.3", (6, 0, 0, 6, 6)),
    (LineCategory.PROJECT, SCHOOL, "2.3", (2, 0, 0, 2, 2)),
    (LineCategory.LEAVE, "", "", (0, 8, 8, 0, 0)),
)
REJECTION = "请把这些工时记在 2.2 主体工程上 Book these hours on 2.2 Main works, where the work was done"


RAISE_NOTE = "年度调薪 Annual pay review"
FULFILMENT = "陈刚可以兼顾 Chen Gang can take it on"


def seed(organization: Organization, users: dict[str, User], *, today: dt.date | None = None) -> None:
    today = today or organization.today()
    monday = week_start(today)
    resources = Resource.objects.for_organization(organization)
    if not resources.exists():
        _pool(organization, users["resource"], users, monday)
    by_code = {resource.code: resource for resource in resources.select_related("organization")}
    projects = {
        project.code: project
        for project in Project.objects.for_organization(organization)
        .select_related("organization")
        .filter(phase__in=OPEN_PHASES)
    }
    tasks = {
        (task.project.code, task.code): task
        for task in WbsElement.objects.for_organization(organization)
        .filter(project__in=list(projects.values()))
        .select_related("project")
    }
    if not Assignment.objects.for_organization(organization).exists():
        _assignments(users["pm"], projects, tasks, by_code)
    if not ResourceRequest.objects.for_organization(organization).exists():
        _requests(organization, users, projects, tasks, by_code)
    if not Timesheet.objects.for_organization(organization).exists():
        _timesheets(users, tasks, by_code, monday)


def _pool(organization: Organization, office: User, users: dict[str, User], monday: dt.date) -> None:
    """Roles, skills, people, equipment and materials with their rates, and the absences."""
    roles = {
        key: pool.resource_role_create(actor=office, organization=organization, name=name, kind=kind)
        for key, (name, kind) in ROLES.items()
    }
    skills: dict[str, Skill] = {
        key: pool.skill_create(actor=office, organization=organization, name=name) for key, name in SKILLS.items()
    }
    a_year_ago = monday - dt.timedelta(weeks=52)
    raised_from = monday - dt.timedelta(weeks=2)
    created: dict[str, Resource] = {}
    for person in PEOPLE:
        resource = pool.resource_create(
            actor=office,
            organization=organization,
            code=person.code,
            name=person.name,
            user=users[person.login] if person.login else None,
            role=roles[person.role],
            department=person.department,
            skills=[(skills[key], level) for key, level in person.skills],
        )
        _rate(office, resource, a_year_ago, person.rate, overtime=True)
        if person.code in RAISE:
            _rate(office, resource, raised_from, RAISE[person.code], overtime=True, note=RAISE_NOTE)
        created[person.code] = resource
    code, name, role = PLACEHOLDER
    pool.resource_create(
        actor=office,
        organization=organization,
        code=code,
        name=name,
        is_placeholder=True,
        role=roles[role],
        department=DESIGN,
    )
    for code, name, role, units, rate in MACHINES:
        machine = pool.resource_create(
            actor=office,
            organization=organization,
            code=code,
            name=name,
            kind=ResourceKind.EQUIPMENT,
            role=roles[role],
            department=EQUIPMENT,
            max_units=Decimal(units),
        )
        _rate(office, machine, a_year_ago, rate)
    for code, name, unit, rate in MATERIALS:
        material = pool.resource_create(
            actor=office, organization=organization, code=code, name=name, kind=ResourceKind.MATERIAL, unit=unit
        )
        _rate(office, material, a_year_ago, rate)
    for absence in ABSENCES:
        pool.resource_exception_add(
            actor=office,
            resource=created[absence.code],
            kind=absence.kind,
            start=monday + dt.timedelta(days=absence.first),
            finish=monday + dt.timedelta(days=absence.last),
            hours_per_day=absence.hours,
            note=absence.note,
        )


def _rate(office: User, resource: Resource, day: dt.date, rate: int, *, overtime: bool = False, note: str = "") -> None:
    standard = Decimal(rate)
    rates_service.cost_rate_add(
        actor=office,
        resource=resource,
        effective_from=day,
        standard_rate=standard,
        overtime_rate=standard * Decimal("1.5") if overtime else None,
        note=note,
    )


Tasks = dict[tuple[str, str], WbsElement]


def _assignments(pm: User, projects: dict[str, Project], tasks: Tasks, resources: dict[str, Resource]) -> None:
    """People and equipment by units, materials by quantity, on the tasks of the projects still open."""
    for code, task, resource, units in ASSIGNMENTS:
        if code in projects and (code, task) in tasks:
            assignments.assignment_create(
                actor=pm, project=projects[code], task=tasks[code, task], resource=resources[resource], units=units
            )
    for code, task, material, quantity in QUANTITIES:
        if code in projects and (code, task) in tasks:
            assignments.assignment_create(
                actor=pm, project=projects[code], task=tasks[code, task], resource=resources[material], work=quantity
            )


def _requests(
    organization: Organization,
    users: dict[str, User],
    projects: dict[str, Project],
    tasks: Tasks,
    resources: dict[str, Resource],
) -> None:
    """A landscape architect asked for (open), a surveyor proposed, an electrical engineer assigned (fulfilled)."""
    pm, office = users["pm"], users["resource"]
    roles = {role.name: role for role in ResourceRole.objects.for_organization(organization)}
    skills = {skill.name: skill for skill in Skill.objects.for_organization(organization)}

    def ask(
        code: str, task_code: str, role: str, hours: int, *, skill: str = "", level: int = 1, days: int = 0
    ) -> ResourceRequest | None:
        """The request on the task, for its whole span or its first ``days`` days."""
        task = tasks.get((code, task_code))
        if code not in projects or task is None or task.planned_start is None or task.planned_finish is None:
            return None
        finish = task.planned_start + dt.timedelta(days=days) if days else task.planned_finish
        return requests.resource_request_create(
            actor=pm,
            project=projects[code],
            task=task,
            hours=hours,
            start=task.planned_start,
            finish=min(finish, task.planned_finish),
            role=roles[ROLES[role][0]],
            skill=skills[SKILLS[skill]] if skill else None,
            min_level=level,
            note="演示数据 Demo data",
        )

    ask(PARK, "3.2", "landscape", 60, skill="landscape", level=3)
    surveyor = ask(SHELTERS, "2.2", "surveyor", 40, days=13)
    if surveyor is not None:
        requests.resource_request_propose(actor=office, request=surveyor, resource=resources["P-016"])
    electrician = ask(CLINIC, "2.3", "electrical", 60, skill="lighting", level=3)
    if electrician is not None:
        requests.resource_request_propose(actor=office, request=electrician, resource=resources["P-008"])
        requests.resource_request_fulfil(
            actor=office, request=electrician, note="陈刚可以兼顾 Chen Gang can take it on"
        )


def _timesheets(users: dict[str, User], tasks: Tasks, resources: dict[str, Resource], monday: dt.date) -> None:
    """Four weeks of four people: submitted, then decided by the project manager or the resource office."""
    people = {resource.user_id: resource for resource in resources.values() if resource.user_id is not None}
    for weeks_ago in (4, 3, 2, 1):
        week = monday - dt.timedelta(weeks=weeks_ago)
        written: dict[str, list[TimesheetLine]] = {}
        for login, lines in WEEK_LINES.items():
            user = users[login]
            resource = people[user.pk]
            if login == "member" and weeks_ago == LEAVE_WEEK:
                lines = LEAVE_LINES
            sheet = timesheets.timesheet_for(actor=user, resource=resource, week_start=week)
            written[login] = [
                timesheets.timesheet_line_add(
                    actor=user,
                    timesheet=sheet,
                    category=category,
                    task=tasks[code, task] if code else None,
                    hours=[*hours, 0, 0],
                )
                for category, code, task, hours in lines
                if not code or (code, task) in tasks
            ]
            timesheets.timesheet_submit(actor=user, timesheet=sheet)
        if weeks_ago == 1:
            continue
        deciding = [line for login, lines in written.items() for line in lines]
        if weeks_ago == LEAVE_WEEK:
            deciding = [line for line in deciding if line not in written["quality"]]
            returned = next(
                line for line in written["member"] if line.task is not None and line.task.project.code == SCHOOL
            )
            deciding.remove(returned)
            timesheets.timesheet_line_reject(actor=users["pm"], line=returned, reason=REJECTION)
        _approve(users, deciding)


def _approve(users: dict[str, User], lines: list[TimesheetLine]) -> None:
    """The project manager approves the project lines of others; the resource office his and the rest."""
    pm, office = users["pm"], users["resource"]
    by_office = [
        line for line in lines if line.category != LineCategory.PROJECT or line.timesheet.resource.user_id == pm.pk
    ]
    by_manager = [line for line in lines if line not in by_office]
    for actor, chosen in ((pm, by_manager), (office, by_office)):
        if chosen:
            timesheets.timesheet_lines_decide(actor=actor, lines=chosen, approve=True)
