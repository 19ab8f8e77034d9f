"""The risk registers of ``seed_bench``: risks on every project, their history, responses and issues.

Each project gets ``RISKS_PER_PROJECT`` risks, and the organisation a few of its own, in a spread of
statuses: most assessed and answered, some only identified, some closed, a few occurred and turned
into issues. Their derived figures (overall impact, score, level, percentage, EMV, target, next
review) come from ``risks.services.register.derive`` over the organisation's settings, as the
services store them; the inherent figures and each history entry's through ``risks.scoring``. Rows
are built unsaved and bulk-inserted with the project's other rows. The draws come from a generator
of their own, so that the rest of the bench's data is the same with or without risks.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pmo.models import Organization, User
from projects.models import Project, WbsElement
from risks import scoring
from risks.models import (
    ActionStatus,
    Issue,
    IssueSeverity,
    IssueStatus,
    ResponseAction,
    ResponseStrategy,
    Risk,
    RiskAssessment,
    RiskCategory,
    RiskKind,
    RiskResponse,
    RiskStatus,
    RiskWbsLink,
)
from risks.services.register import DIMENSIONS, derive
from risks.services.settings import risk_categories_ensure_defaults, risk_settings_for

RISKS_PER_PROJECT = 20
ORGANISATION_RISKS = 10
CENT = Decimal("0.01")
STATUSES = [
    (RiskStatus.IDENTIFIED, 8),
    (RiskStatus.ASSESSED, 25),
    (RiskStatus.RESPONDING, 35),
    (RiskStatus.MONITORING, 17),
    (RiskStatus.CLOSED, 10),
    (RiskStatus.OCCURRED, 5),
]
ANSWERED = {RiskStatus.RESPONDING, RiskStatus.MONITORING, RiskStatus.CLOSED, RiskStatus.OCCURRED}
EVENTS = [
    "Late delivery of long-lead equipment",
    "Unexpected ground conditions",
    "Design change requested by the client",
    "Key subcontractor fails",
    "Permit granted late",
    "Material prices rise",
    "Severe weather stops site work",
    "Utility diversion takes longer",
    "Safety incident on site",
    "Quality defect found at inspection",
    "Scope grows during design",
    "Interface with a neighbouring project slips",
]
OPPORTUNITIES = ["Early access to the site", "Cheaper alternative material approved", "Crew released early"]


@dataclass
class Register:
    """One project's (or the organisation's) risk rows, linked by object until inserted."""

    risks: list[Risk] = field(default_factory=list)
    links: list[RiskWbsLink] = field(default_factory=list)
    history: list[RiskAssessment] = field(default_factory=list)
    responses: list[RiskResponse] = field(default_factory=list)
    actions: list[ResponseAction] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


class RiskSeeder:
    def __init__(self, *, organization: Organization, users: dict[str, User], status_date: dt.date, seed: int) -> None:
        self.organization = organization
        self.users = users
        self.status_date = status_date
        self.rng = random.Random(f"risks-{seed}")  # noqa: S311  (synthetic data, not secrets)
        self.settings = risk_settings_for(organization)
        risk_categories_ensure_defaults(organization)
        self.categories = list(RiskCategory.objects.for_organization(organization).order_by("order", "pk"))
        self.zone = zoneinfo.ZoneInfo(organization.time_zone)

    def moment(self, day: dt.date, hour: int = 10) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=self.zone)

    def day(self, earliest: dt.date, latest: dt.date) -> dt.date:
        span = max(0, (latest - earliest).days)
        return earliest + dt.timedelta(days=self.rng.randint(0, span))

    def register(self, project: Project | None, leaves: list[WbsElement], budget: Decimal) -> Register:
        """The risks of a project (``leaves`` its tasks, ``budget`` its baseline cost), or of the organisation."""
        found = Register()
        count = RISKS_PER_PROJECT if project is not None else ORGANISATION_RISKS
        issues = 0
        for number in range(1, count + 1):
            risk = self.risk(found, project, number, budget)
            if project is not None and leaves and self.rng.random() < 0.5:
                tasks = [leaf for leaf in leaves if leaf.kind == WbsElement.Kind.TASK] or leaves
                found.links.append(
                    RiskWbsLink(organization=self.organization, risk=risk, element=self.rng.choice(tasks))
                )
            if risk.status in ANSWERED:
                self.response(found, risk)
            if risk.status == RiskStatus.OCCURRED and project is not None:
                issues += 1
                self.issue(found, risk, project, issues)
        return found

    def risk(self, found: Register, project: Project | None, number: int, budget: Decimal) -> Risk:
        rng, today = self.rng, self.status_date
        opportunity = rng.random() < 0.1
        status = rng.choices([s for s, _w in STATUSES], weights=[w for _s, w in STATUSES])[0]
        if opportunity and status == RiskStatus.OCCURRED:
            status = RiskStatus.MONITORING
        raised_on = today - dt.timedelta(days=rng.randint(10, 200))
        manager = (project.manager if project is not None else None) or self.users["pmo"]
        owner = manager if rng.random() < 0.6 else self.users["risk"]
        title = rng.choice(OPPORTUNITIES if opportunity else EVENTS)
        risk = Risk(
            organization=self.organization,
            project=project,
            number=number,
            title=f"{title} ({number})",
            kind=RiskKind.OPPORTUNITY if opportunity else RiskKind.THREAT,
            category=rng.choice(self.categories),
            cause="Synthetic cause.",
            event=title,
            effect="Delay and extra cost.",
            owner=owner,
            status=status,
            proximity=today + dt.timedelta(days=rng.randint(-20, 120)),
            raised_by=manager,
            raised_at=self.moment(raised_on, 9),
        )
        found.risks.append(risk)
        found.history.append(self.entry(risk, RiskAssessment.Kind.RAISED, risk.raised_at, manager))
        if status != RiskStatus.IDENTIFIED:
            self.assess(found, risk, raised_on, budget, manager)
        else:
            derive(risk, self.settings, today)
        risk.updated_at = found.history[-1].at
        if status not in {RiskStatus.IDENTIFIED, RiskStatus.ASSESSED}:
            changed_on = self.day(risk.updated_at.date(), today)
            at = self.moment(changed_on, 15)
            if status == RiskStatus.CLOSED:
                risk.closed_at = at
            elif status == RiskStatus.OCCURRED:
                risk.occurred_at = at
            found.history.append(
                self.entry(
                    risk,
                    RiskAssessment.Kind.STATUS,
                    at,
                    owner,
                    changes={"status": [RiskStatus.ASSESSED.value, status]},
                    is_open=status not in {RiskStatus.CLOSED, RiskStatus.OCCURRED},
                )
            )
            risk.updated_at = at
        return risk

    def assess(self, found: Register, risk: Risk, raised_on: dt.date, budget: Decimal, actor: User) -> None:
        """An inherent assessment, then a lower current one for most risks, a week or more later."""
        rng, today, settings = self.rng, self.status_date, self.settings
        probability = rng.choices([1, 2, 3, 4, 5], weights=[10, 25, 30, 25, 10])[0]
        rated = rng.sample(DIMENSIONS, rng.randint(1, 3))
        impacts = {dimension: rng.choices([1, 2, 3, 4, 5], weights=[10, 20, 30, 25, 15])[0] for dimension in rated}
        likely = (budget * Decimal(str(round(rng.uniform(0.002, 0.03), 4)))).quantize(Decimal(100))
        risk.cost_min, risk.cost_likely, risk.cost_max = (likely * Decimal("0.6")).quantize(CENT), likely, likely * 2
        risk.days_likely = rng.randint(0, 15)
        risk.days_min, risk.days_max = risk.days_likely // 2, risk.days_likely * 2
        # Inherent: before the responses, a step more likely.
        inherent_probability = min(5, probability + rng.randint(0, 1))
        inherent_impact = scoring.overall_impact(impacts.values(), settings.impact_rule)
        risk.inherent_probability, risk.inherent_impact = inherent_probability, inherent_impact
        risk.inherent_score = scoring.score(inherent_probability, inherent_impact)
        risk.inherent_level = scoring.level(settings.matrix, inherent_probability, inherent_impact)
        first_on = min(today, raised_on + dt.timedelta(days=rng.randint(0, 7)))
        first = self.moment(first_on, 11)
        inherent_emv = scoring.emv(
            settings.percent_of(inherent_probability),
            risk.cost_min,
            risk.cost_likely,
            risk.cost_max,
            opportunity=risk.kind == RiskKind.OPPORTUNITY,
        )
        found.history.append(
            RiskAssessment(
                organization=self.organization,
                risk=risk,
                project=risk.project,
                kind=RiskAssessment.Kind.ASSESSED,
                actor=actor,
                at=first,
                changes={"probability": [None, inherent_probability]},
                score=risk.inherent_score,
                level=risk.inherent_level,
                emv=inherent_emv,
                is_open=True,
            )
        )
        risk.probability = probability
        for dimension, value in impacts.items():
            setattr(risk, f"impact_{dimension}", value)
        risk.target_probability = max(1, probability - 2)
        risk.target_impact = max(1, (inherent_impact or 1) - rng.randint(0, 1))
        risk.assessed_at = first
        if probability != inherent_probability:
            later = (
                self.day(first_on + dt.timedelta(days=7), today) if first_on + dt.timedelta(days=7) <= today else today
            )
            risk.assessed_at = self.moment(later, 14)
        derive(risk, self.settings, today)
        if probability != inherent_probability:
            found.history.append(
                self.entry(
                    risk,
                    RiskAssessment.Kind.ASSESSED,
                    risk.assessed_at,
                    actor,
                    changes={"probability": [inherent_probability, probability]},
                    reason="Reassessed at the monthly review.",
                )
            )

    def entry(
        self,
        risk: Risk,
        kind: str,
        at: dt.datetime,
        actor: User,
        *,
        changes: dict[str, Any] | None = None,
        reason: str = "",
        is_open: bool = True,
    ) -> RiskAssessment:
        return RiskAssessment(
            organization=self.organization,
            risk=risk,
            project=risk.project,
            kind=kind,
            actor=actor,
            at=at,
            reason=reason,
            changes=changes or {},
            score=risk.score,
            level=risk.level,
            emv=risk.emv,
            is_open=is_open,
        )

    def response(self, found: Register, risk: Risk) -> None:
        rng, today = self.rng, self.status_date
        strategy = (
            rng.choice([ResponseStrategy.EXPLOIT, ResponseStrategy.ENHANCE])
            if risk.kind == RiskKind.OPPORTUNITY
            else rng.choices([ResponseStrategy.MITIGATE, ResponseStrategy.TRANSFER, ResponseStrategy.AVOID], [6, 2, 1])[
                0
            ]
        )
        created = risk.assessed_at or risk.raised_at
        response = RiskResponse(
            organization=self.organization,
            risk=risk,
            strategy=strategy,
            description="Synthetic response.",
            created_by=risk.owner or risk.raised_by,
            created_at=created,
        )
        found.responses.append(response)
        status = rng.choices([ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DONE], weights=[30, 40, 30])[
            0
        ]
        due = today + dt.timedelta(days=rng.randint(-30, 60))
        found.actions.append(
            ResponseAction(
                organization=self.organization,
                response=response,
                risk=risk,
                title="Carry out the response",
                owner=risk.owner,
                due=due,
                status=status,
                cost=(risk.cost_likely * Decimal("0.1")).quantize(CENT),
                done_at=self.moment(min(due, today), 16) if status == ActionStatus.DONE else None,
            )
        )

    def issue(self, found: Register, risk: Risk, project: Project, number: int) -> None:
        rng = self.rng
        status = rng.choice([IssueStatus.OPEN, IssueStatus.IN_PROGRESS, IssueStatus.RESOLVED])
        raised = risk.occurred_at or risk.updated_at
        found.issues.append(
            Issue(
                organization=self.organization,
                project=project,
                number=number,
                title=risk.title,
                description="The risk occurred.",
                severity=rng.choice(list(IssueSeverity)),
                owner=risk.owner,
                due=self.status_date + dt.timedelta(days=rng.randint(-10, 30)),
                status=status,
                resolution="Resolved on site." if status == IssueStatus.RESOLVED else "",
                risk=risk,
                raised_by=risk.owner or risk.raised_by,
                raised_at=raised,
                resolved_at=self.moment(self.status_date, 12) if status == IssueStatus.RESOLVED else None,
            )
        )


def insert(registers: list[Register], create: Any) -> None:
    """Every register's rows, parents before children, through the seeder's bulk ``create(model, rows)``."""

    def gather(attribute: str) -> list[Any]:
        return [row for register in registers for row in getattr(register, attribute)]

    create(Risk, gather("risks"))
    create(RiskWbsLink, gather("links"))
    create(RiskAssessment, gather("history"))
    create(RiskResponse, gather("responses"))
    create(ResponseAction, gather("actions"))
    create(Issue, gather("issues"))
