"""Demo content of the risks app: a bilingual risk register on the main projects under way.

``seed_demo`` calls :func:`seed` after the projects and finance parts. The riverside park (the
construction project of the demo), the ring road and the school extension get a register across
the categories: risks assessed weeks ago and reassessed since (so that the exposure trend has a
shape), responses with actions (some overdue), target scores, three-point cost and schedule impacts,
two risks that occurred and became issues, one closed; the organisation gets one risk of its own,
and the park one Monte Carlo run, executed at once. Every write goes through the services; their
history entries, raise and assessment times are then dated back to the weeks the register says,
counted from ``today``. Idempotent: a project that has risks (the organisation, for its own) is
left as it is, and so is a project with a Monte Carlo run.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from pmo.models import Organization, User
from projects.demo import PARK, week_start
from projects.models import Project, WbsElement
from risks.models import (
    ActionStatus,
    Issue,
    IssueSeverity,
    MonteCarloRun,
    Risk,
    RiskAssessment,
    RiskCategory,
    RiskKind,
    RiskStatus,
)
from risks.services import analysis, issues, register, responses
from risks.services.settings import risk_categories_ensure_defaults, risk_settings_for

ROAD = "TR-2026-01"
SCHOOL = "PB-2026-01"
MONTE_CARLO_ITERATIONS = 2000
MONTE_CARLO_SEED = 20260101


@dataclass(frozen=True)
class Assessment:
    weeks_ago: int
    probability: int
    impacts: dict[str, int]
    cost: tuple[int, int, int] = (0, 0, 0)
    days: tuple[int, int, int] = (0, 0, 0)
    reason: str = ""


@dataclass(frozen=True)
class Action:
    title: str
    owner: str  # a demo login
    due_days: int  # from today; negative: past
    status: str = ActionStatus.PLANNED
    cost: int = 0


@dataclass(frozen=True)
class Response:
    strategy: str
    description: str
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class Spec:
    title: str
    category: str
    cause: str
    event: str
    effect: str
    owner: str
    kind: str = RiskKind.THREAT
    trigger: str = ""
    proximity_weeks: int | None = None
    wbs: tuple[str, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    target: tuple[int, int] | None = None
    responses: tuple[Response, ...] = ()
    occurred: tuple[int, str, str] | None = None  # weeks ago, severity, what happened
    status: tuple[int, str, str] | None = None  # weeks ago, status, reason
    reviewed_weeks_ago: int | None = None  # reviewed since its last assessment, unchanged


S, C, Q, SE, R = "schedule", "cost", "quality", "safety", "reputation"

PARK_RISKS = [
    Spec(
        "桥梁加固钢材交付延迟 Late steel for the footbridge strengthening",
        "supplier",
        "唯一合格的钢材供应商产能紧张。The only qualified steel supplier is short of capacity.",
        "加固钢构件晚于计划交付。The strengthening steelwork arrives late.",
        "桥梁加固及竣工验收推迟。Footbridge strengthening and the completion inspection slip.",
        "pm",
        trigger="供应商未按期确认排产。The supplier has not confirmed its production slot.",
        proximity_weeks=4,
        wbs=("2.5",),
        assessments=(
            Assessment(8, 4, {S: 4, C: 3}, (80_000, 150_000, 300_000), (5, 10, 20)),
            Assessment(
                3, 3, {S: 4, C: 3}, (80_000, 150_000, 300_000), (5, 10, 20), "已签订排产协议。Production slot agreed."
            ),
        ),
        target=(2, 3),
        responses=(
            Response(
                "mitigate",
                "锁定排产并认证第二家供应商。Lock the production slot and qualify a second supplier.",
                (
                    Action("签订排产协议 Sign the production-slot agreement", "pm", -14, ActionStatus.DONE),
                    Action(
                        "认证第二家钢材供应商 Qualify a second steel supplier",
                        "member",
                        -3,
                        ActionStatus.IN_PROGRESS,
                        8_000,
                    ),
                ),
            ),
        ),
    ),
    Spec(
        "雨季导致土方作业延误 Rain stops the earthworks",
        "external",
        "汛期降雨集中。Heavy rain in the flood season.",
        "土方与排水施工停工。Earthworks and drainage stop.",
        "绿道铺装顺延，增加抽排费用。Paving starts later and pumping costs extra.",
        "pm",
        trigger="气象台发布暴雨预警。A rainstorm warning is issued.",
        wbs=("2.2",),
        assessments=(Assessment(10, 4, {S: 4, C: 2}, (20_000, 60_000, 120_000), (3, 8, 15)),),
        target=(3, 2),
        responses=(
            Response(
                "mitigate",
                "备用抽水泵，雨天调整工序。Standby pumps; resequence the work on rainy days.",
                (Action("租赁备用抽水泵 Hire standby pumps", "pm", -21, ActionStatus.DONE, 12_000),),
            ),
        ),
        occurred=(
            2,
            IssueSeverity.HIGH,
            "连续暴雨，基坑积水，土方停工四天。Four days of heavy rain flooded the excavation; earthworks stopped.",
        ),
    ),
    Spec(
        "古树根系受损 Heritage tree damaged by the works",
        "environment",
        "施工机械靠近古树根系作业。Plant works close to the heritage trees' roots.",
        "古树根系受损。A heritage tree's roots are damaged.",
        "园林部门罚款并要求补救，声誉受损。A fine and remedial work from the parks authority; reputation suffers.",
        "risk",
        wbs=("3.3",),
        assessments=(
            Assessment(9, 3, {SE: 4, R: 5}, (10_000, 50_000, 200_000)),
            Assessment(
                4, 2, {SE: 4, R: 5}, (10_000, 50_000, 200_000), reason="已设置保护围栏。Root-zone fencing installed."
            ),
        ),
        target=(1, 5),
        responses=(
            Response(
                "avoid",
                "根系保护区围挡，专人监护。Fence off the root zone and assign a tree warden.",
                (
                    Action("安装古树保护围栏 Install the root-zone fencing", "pm", -30, ActionStatus.DONE, 6_000),
                    Action("每周古树巡查 Weekly tree inspection", "member", 7, ActionStatus.IN_PROGRESS),
                ),
            ),
        ),
        status=(1, RiskStatus.MONITORING, "围栏有效，转入监控。The fencing works; monitored from now on."),
    ),
    Spec(
        "地下管线资料不全 Unrecorded underground utilities",
        "technical",
        "管线资料不完整。The utility records are incomplete.",
        "开挖时挖到未记录的管线。Excavation hits unrecorded services.",
        "停工等待迁改，费用增加。Work stops for the diversion; cost rises.",
        "pm",
        wbs=("2.1", "2.2"),
        assessments=(Assessment(6, 3, {S: 3, C: 4, SE: 4}, (30_000, 90_000, 250_000), (2, 6, 15)),),
        target=(1, 4),
        responses=(
            Response(
                "mitigate",
                "开挖前进行物探。A ground-penetrating radar survey before digging.",
                (Action("委托物探单位 Commission the radar survey", "pm", -5, ActionStatus.PLANNED, 15_000),),
            ),
        ),
    ),
    Spec(
        "新植乔木成活率低 New trees fail to establish",
        "quality",
        "移栽季节偏晚。Planting late in the season.",
        "部分乔木未成活。Some of the new trees die.",
        "补种费用与验收延误。Replanting cost and a later acceptance.",
        "member",
        proximity_weeks=10,
        wbs=("3.1",),
        assessments=(Assessment(5, 2, {Q: 3, C: 2}, (10_000, 25_000, 60_000)),),
        target=(1, 3),
    ),
    Spec(
        "东段场地提前移交 Early access to the east section",
        "schedule",
        "拆迁提前完成。Clearance finished early.",
        "东段提前移交施工。The east section is handed over early.",
        "工期缩短约一周，节省现场管理费。About a week saved, with its site overheads.",
        "pm",
        kind=RiskKind.OPPORTUNITY,
        assessments=(Assessment(4, 3, {S: 3}, (20_000, 40_000, 60_000), (3, 5, 7)),),
        reviewed_weeks_ago=1,
        target=(4, 3),
        responses=(
            Response(
                "exploit",
                "调配班组提前进场。Bring a crew forward.",
                (Action("调整进场计划 Update the mobilisation plan", "pm", -7, ActionStatus.DONE),),
            ),
        ),
    ),
    Spec(
        "桥梁高处作业坠落 Fall from height on the footbridge",
        "safety",
        "桥面临边作业。Work at the bridge's open edges.",
        "作业人员高处坠落。A worker falls from height.",
        "人员伤亡、停工整顿。Injury, and the site stopped for an investigation.",
        "risk",
        wbs=("2.5",),
        assessments=(Assessment(7, 2, {SE: 5, R: 4}, (0, 30_000, 150_000), (0, 5, 20)),),
        reviewed_weeks_ago=2,
        target=(1, 5),
        responses=(
            Response(
                "mitigate",
                "高处作业专项方案，每日班前检查。A method statement for work at height and daily checks.",
                (Action("审批高处作业方案 Approve the method statement", "risk", -35, ActionStatus.DONE),),
            ),
        ),
    ),
]

ROAD_RISKS = [
    Spec(
        "征地拆迁滞后 Land acquisition behind schedule",
        "external",
        "部分住户补偿未谈妥。Compensation is not agreed with some households.",
        "东段用地无法按期移交。The east section's land is not handed over in time.",
        "主体工程停滞，合同工期延误。Main works stall; the contract completion slips.",
        "pm",
        proximity_weeks=2,
        wbs=("2.2",),
        assessments=(
            Assessment(11, 4, {S: 5, C: 4}, (200_000, 500_000, 1_200_000), (10, 20, 40)),
            Assessment(
                5,
                5,
                {S: 5, C: 4},
                (200_000, 500_000, 1_200_000),
                (10, 20, 40),
                "两户仍未签协议。Two households have still not signed.",
            ),
        ),
        target=(3, 4),
        responses=(
            Response(
                "escalate",
                "提请区政府协调征地。Escalate the land acquisition to the district government.",
                (
                    Action("向区政府提交协调函 Send the coordination letter", "pmo", -7, ActionStatus.DONE),
                    Action("每周征地进展会 Weekly land meeting", "pm", 14, ActionStatus.IN_PROGRESS),
                ),
            ),
        ),
    ),
    Spec(
        "沥青价格上涨 Asphalt prices rise",
        "cost",
        "原油价格波动。Oil prices swing.",
        "沥青采购价高于预算。Asphalt costs more than budgeted.",
        "材料费超支。The materials budget overruns.",
        "finance",
        assessments=(Assessment(6, 4, {C: 4}, (150_000, 300_000, 600_000)),),
        target=(2, 3),
        responses=(
            Response(
                "transfer",
                "与供应商锁定价格。Fix the price with the supplier.",
                (Action("签订锁价协议 Sign the fixed-price agreement", "finance", -2, ActionStatus.PLANNED),),
            ),
        ),
    ),
    Spec(
        "交通导改方案未获批 Traffic management plan not approved",
        "schedule",
        "交警部门审批周期长。The traffic police take long to approve.",
        "导改方案未按期批准。The traffic diversion is not approved in time.",
        "半幅施工无法展开。Half-width works cannot start.",
        "pm",
        wbs=("2.1",),
        assessments=(Assessment(9, 3, {S: 4}, (0, 80_000, 200_000), (5, 10, 20)),),
        target=(2, 3),
        occurred=(
            1,
            IssueSeverity.CRITICAL,
            "导改方案被退回修改，半幅施工推迟。The plan was sent back for changes; half-width works are postponed.",
        ),
    ),
    Spec(
        "夜间施工噪声投诉 Night-work noise complaints",
        "external",
        "夜间浇筑与摊铺。Night-time pours and paving.",
        "周边居民投诉。Residents complain.",
        "夜间施工受限。Night work is restricted.",
        "member",
    ),
]

SCHOOL_RISKS = [
    Spec(
        "开学前无法完工 Not finished before the school term",
        "schedule",
        "主体工程已落后。The main works are already behind.",
        "新教学楼开学前无法交付。The new building is not ready for the term.",
        "学生无法入驻，社会影响大。Pupils cannot move in; a public embarrassment.",
        "pm",
        proximity_weeks=8,
        wbs=("2.2", "2.3"),
        assessments=(Assessment(8, 4, {S: 5, R: 4}, (100_000, 250_000, 500_000), (10, 15, 30)),),
        target=(2, 4),
        responses=(
            Response(
                "mitigate",
                "增加作业班组，周末施工。Add a crew and work weekends.",
                (Action("批准周末施工 Approve weekend working", "pm", -10, ActionStatus.DONE, 40_000),),
            ),
        ),
    ),
    Spec(
        "校园与工地隔离不足 School and site not kept apart",
        "safety",
        "边上课边施工。Building next to a school in session.",
        "学生进入施工区域。A pupil enters the site.",
        "人身伤害。Injury.",
        "risk",
        assessments=(Assessment(6, 2, {SE: 5}, (0, 20_000, 100_000)),),
        reviewed_weeks_ago=1,
        target=(1, 5),
        responses=(
            Response(
                "avoid",
                "硬隔离，错峰运输。Hard barriers; deliveries outside school hours.",
                (Action("安装硬隔离围挡 Put up the hard barriers", "pm", 3, ActionStatus.IN_PROGRESS, 18_000),),
            ),
        ),
    ),
    Spec(
        "抗震加固设计变更 Seismic retrofit design change",
        "technical",
        "原结构图纸与现场不符。The old drawings do not match the building.",
        "需变更加固设计。The retrofit design must change.",
        "增加费用与工期。Extra cost and time.",
        "pm",
        assessments=(Assessment(7, 3, {C: 4, S: 3}, (50_000, 120_000, 300_000), (5, 10, 20)),),
        status=(1, RiskStatus.CLOSED, "设计复核无需变更。The design review found no change needed."),
    ),
]

ORGANISATION_RISK = Spec(
    "关键技术人员流失 Key engineers leave for competitors",
    "organisational",
    "行业人才竞争激烈。Engineers are in demand across the industry.",
    "多名项目骨干离职。Several key project staff resign.",
    "多个项目进度与质量受影响。Several projects slip and lose quality.",
    "pmo",
    assessments=(Assessment(6, 3, {S: 3, Q: 3}, (0, 200_000, 500_000)),),
    target=(2, 3),
    responses=(
        Response(
            "mitigate",
            "关键岗位继任计划。Succession plans for the key roles.",
            (Action("完成继任计划 Complete the succession plans", "pmo", 20, ActionStatus.PLANNED),),
        ),
    ),
)

REGISTERS = {PARK: PARK_RISKS, ROAD: ROAD_RISKS, SCHOOL: SCHOOL_RISKS}


class _Clock:
    """Moments of the demo's past, counted in weeks back from the Monday of ``today``'s week."""

    def __init__(self, organization: Organization, today: dt.date) -> None:
        self.monday = week_start(today)
        self.zone = zoneinfo.ZoneInfo(organization.time_zone)

    def at(self, weeks_ago: int, day: int = 1, hour: int = 10) -> dt.datetime:
        moment = dt.datetime.combine(self.monday - dt.timedelta(weeks=weeks_ago, days=-day), dt.time(hour), self.zone)
        return min(moment, timezone.now())


def seed(organization: Organization, users: dict[str, User], *, today: dt.date | None = None) -> None:
    today = today or organization.today()
    risk_categories_ensure_defaults(organization)
    categories = {category.code: category for category in RiskCategory.objects.for_organization(organization)}
    clock = _Clock(organization, today)
    projects = {
        project.code: project
        for project in Project.objects.for_organization(organization).filter(code__in=list(REGISTERS))
    }
    with_risks = set(
        Risk.objects.for_organization(organization)
        .filter(project__in=list(projects.values()))
        .values_list("project_id", flat=True)
    )
    for code, specs in REGISTERS.items():
        project = projects.get(code)
        if project is None or project.pk in with_risks or not project.is_open:
            continue
        for spec in specs:
            _risk(organization, users, project, spec, categories, clock, today)
    if not Risk.objects.for_organization(organization).organisation_level().exists():
        _risk(organization, users, None, ORGANISATION_RISK, categories, clock, today)
    park = projects.get(PARK)
    if park is not None:
        _monte_carlo(organization, users, park)


def _backdate(risk: Risk, since: dt.datetime, moment: dt.datetime) -> None:
    """Date the history entries a service just wrote at ``moment``."""
    RiskAssessment.objects.for_organization(risk.organization_id).filter(risk=risk, at__gte=since).update(at=moment)


def _risk(
    organization: Organization,
    users: dict[str, User],
    project: Project | None,
    spec: Spec,
    categories: dict[str, RiskCategory],
    clock: _Clock,
    today: dt.date,
) -> Risk:
    actor = users["risk"]
    elements = (
        list(WbsElement.objects.for_organization(organization).filter(project=project, code__in=spec.wbs))
        if project is not None and spec.wbs
        else []
    )
    first_week = spec.assessments[0].weeks_ago if spec.assessments else 3
    raised_at = clock.at(first_week, day=0, hour=9)
    since = timezone.now()
    risk = register.risk_raise(
        actor=actor,
        organization=organization,
        project=project,
        title=spec.title,
        category=categories[spec.category],
        kind=spec.kind,
        cause=spec.cause,
        event=spec.event,
        effect=spec.effect,
        owner=users[spec.owner],
        trigger=spec.trigger,
        proximity=today + dt.timedelta(weeks=spec.proximity_weeks) if spec.proximity_weeks is not None else None,
        wbs_elements=elements,
        target_probability=spec.target[0] if spec.target else None,
        target_impact=spec.target[1] if spec.target else None,
    )
    _backdate(risk, since, raised_at)
    assessed_at = None
    for assessment in spec.assessments:
        since, assessed_at = timezone.now(), clock.at(assessment.weeks_ago, hour=11)
        risk = register.risk_assess(
            actor=users[spec.owner] if assessment.reason else actor,
            risk=risk,
            probability=assessment.probability,
            impacts=assessment.impacts,
            cost=tuple(Decimal(value) for value in assessment.cost),  # type: ignore[arg-type]
            days=assessment.days,
            reason=assessment.reason,
        )
        _backdate(risk, since, assessed_at)
    response_week = (spec.assessments[0].weeks_ago - 1) if spec.assessments else 1
    for planned in spec.responses:
        since = timezone.now()
        response = responses.response_add(
            actor=users[spec.owner], risk=risk, strategy=planned.strategy, description=planned.description
        )
        _backdate(risk, since, clock.at(max(response_week, 1), day=2, hour=15))
        for action in planned.actions:
            responses.action_add(
                actor=users[spec.owner],
                response=response,
                title=action.title,
                owner=users[action.owner],
                due=today + dt.timedelta(days=action.due_days),
                status=action.status,
                cost=Decimal(action.cost),
            )
    if spec.occurred is not None:
        weeks_ago, severity, description = spec.occurred
        since = timezone.now()
        issue = issues.risk_occurred(
            actor=users["pm"],
            risk=risk,
            severity=severity,
            due=today + dt.timedelta(days=7),
            description=description,
        )
        moment = clock.at(weeks_ago, day=2, hour=16)
        _backdate(risk, since, moment)
        Issue.objects.for_organization(organization).filter(pk=issue.pk).update(raised_at=moment)
        Risk.objects.for_organization(organization).filter(pk=risk.pk).update(occurred_at=moment)
    if spec.status is not None:
        weeks_ago, status, reason = spec.status
        since = timezone.now()
        risk = register.risk_set_status(actor=actor, risk=risk, status=status, reason=reason)
        moment = clock.at(weeks_ago, day=3, hour=16)
        _backdate(risk, since, moment)
        if status == RiskStatus.CLOSED:
            Risk.objects.for_organization(organization).filter(pk=risk.pk).update(closed_at=moment)
    reviewed_on = None
    if spec.reviewed_weeks_ago is not None:
        since = timezone.now()
        risk = register.risk_review(actor=users[spec.owner], risk=risk, note="复核，评估不变。Reviewed, unchanged.")
        moment = clock.at(spec.reviewed_weeks_ago, day=3, hour=17)
        _backdate(risk, since, moment)
        reviewed_on = moment.astimezone(clock.zone).date()
    _date_the_row(risk, raised_at, assessed_at, today, reviewed_on)
    return risk


def _date_the_row(
    risk: Risk, raised_at: dt.datetime, assessed_at: dt.datetime | None, today: dt.date, reviewed_on: dt.date | None
) -> None:
    """The risk's raise and last assessment as the register says, and its next review counted from the last one."""
    risk = Risk.objects.for_organization(risk.organization_id).select_related("organization").get(pk=risk.pk)
    risk.raised_at, risk.assessed_at = raised_at, assessed_at
    if reviewed_on is not None:
        risk._reviewed_on = reviewed_on  # type: ignore[attr-defined]
    settings = risk_settings_for(risk.organization_id)
    latest = RiskAssessment.objects.for_organization(risk.organization_id).filter(risk=risk).order_by("-at").first()
    fields = {
        "raised_at": raised_at,
        "assessed_at": assessed_at,
        "next_review": register.next_review(risk, settings, today),
        "updated_at": latest.at if latest is not None else raised_at,
    }
    Risk.objects.for_organization(risk.organization_id).filter(pk=risk.pk).update(**fields)


def _monte_carlo(organization: Organization, users: dict[str, User], project: Project) -> None:
    """One analysis of the park, run at once rather than queued, so that the demo shows its results."""
    if MonteCarloRun.objects.for_organization(organization).filter(project=project).exists():
        return
    run = analysis.monte_carlo_request(
        actor=users["risk"], project=project, iterations=MONTE_CARLO_ITERATIONS, seed=MONTE_CARLO_SEED
    )
    analysis.monte_carlo_execute(organization_id=organization.pk, run_id=run.pk)
