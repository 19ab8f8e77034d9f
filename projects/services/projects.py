"""Writes of portfolios, projects, project teams and the lifecycle with its stage gates."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, User
from projects.models import (
    NEXT_PHASE,
    OPEN_PHASES,
    Baseline,
    GateCriterion,
    Phase,
    Portfolio,
    Project,
    ProjectMember,
    ProjectRole,
    ProjectSettings,
    StageGate,
    WbsElement,
)
from projects.permissions import can_pass_gate
from projects.registries import money_holders
from projects.services.gate_checks import gate_checks_enforce
from projects.services.locks import lock_project

PROJECT_FIELDS = [
    "code",
    "name",
    "description",
    "objectives",
    "portfolio",
    "sponsor",
    "manager",
    "client",
    "priority",
    "currency",
    "tags",
    "planned_start",
    "planned_finish",
    "calendar",
]
PORTFOLIO_FIELDS = ["name", "kind", "parent", "description", "owner"]

# Checklists every organisation starts with; each can edit, add or switch off lines.
DEFAULT_GATE_CRITERIA: dict[str, list[str]] = {
    Phase.INITIATION: [
        "商业论证已批准 Business case approved",
        "目标具体且可衡量 Objectives are specific and measurable",
        "发起人与项目经理已指定 Sponsor and project manager appointed",
    ],
    Phase.PLANNING: [
        "范围与工作分解结构已评审 Scope and WBS reviewed",
        "进度计划与预算已确认 Schedule and budget agreed",
        "风险登记册已建立 Risk register set up",
        "质量计划已批准 Quality plan approved",
    ],
    Phase.EXECUTION: [
        "可交付成果已完成 Deliverables complete",
        "未决变更已关闭 Open change requests closed",
        "质量问题已整改 Non-conformances corrected",
    ],
    Phase.CLOSING: [
        "客户验收已签署 Client acceptance signed",
        "移交文件已交付 Handover documents delivered",
        "经验教训已记录 Lessons learned recorded",
    ],
    Phase.OPERATIONS: [
        "运维期已结束 Maintenance period ended",
        "资产已移交业主 Assets handed to the owner",
    ],
}


def _validated(instance: Any, exclude: list[str] | None = None) -> None:
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ApplicationError(
            "; ".join(error.messages), fields=getattr(error, "message_dict", {}), code="invalid"
        ) from error


def _check_people(organization: Organization, **people: User | None) -> None:
    """Sponsor, manager and team members must belong to the organisation."""
    ids = {user.pk for user in people.values() if user is not None}
    if not ids:
        return
    members = set(
        Membership.objects.for_organization(organization).filter(user_id__in=ids).values_list("user_id", flat=True)
    )
    for field, user in people.items():
        if user is not None and user.pk not in members:
            raise ApplicationError(
                _("%(user)s is not a member of the organisation.") % {"user": user},
                fields={field: [_("Not found.")]},
            )


def _check_related(organization: Organization, **objects: Any) -> None:
    for field, obj in objects.items():
        if obj is not None and obj.organization_id != organization.pk:
            raise ApplicationError(_("Not found."), fields={field: [_("Not found.")]})


# --- portfolios -----------------------------------------------------------------------


def _check_portfolio_tree(portfolio: Portfolio) -> None:
    """Two levels: portfolios, and programmes directly under a portfolio. The kind follows."""
    if portfolio.parent is None:
        portfolio.kind = Portfolio.Kind.PORTFOLIO
        return
    if portfolio.pk is not None and portfolio.parent_id == portfolio.pk:
        raise ApplicationError(_("A portfolio cannot contain itself."), fields={"parent": [_("Choose another.")]})
    if portfolio.parent.parent_id is not None:
        raise ApplicationError(
            _("Programmes sit directly under a portfolio."), fields={"parent": [_("Choose a portfolio.")]}
        )
    if (
        portfolio.pk is not None
        and Portfolio.objects.for_organization(portfolio.organization_id).filter(parent=portfolio).exists()
    ):
        raise ApplicationError(
            _("A portfolio with programmes cannot itself become a programme."),
            fields={"parent": [_("Move its programmes first.")]},
        )
    portfolio.kind = Portfolio.Kind.PROGRAMME


@transaction.atomic
def portfolio_create(*, actor: User, organization: Organization, **fields: Any) -> Portfolio:
    _check_related(organization, parent=fields.get("parent"))
    _check_people(organization, owner=fields.get("owner"))
    portfolio = Portfolio(organization=organization, **fields)
    _check_portfolio_tree(portfolio)
    _validated(portfolio)
    portfolio.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="portfolio.created",
        target=portfolio,
        changes=diff({}, snapshot(portfolio, ["name", "kind", "parent_id"])),
    )
    return portfolio


@transaction.atomic
def portfolio_update(*, actor: User, portfolio: Portfolio, **fields: Any) -> Portfolio:
    _check_related(portfolio.organization, parent=fields.get("parent"))
    _check_people(portfolio.organization, owner=fields.get("owner"))
    fields.pop("kind", None)  # follows from the parent
    before = snapshot(portfolio, ["name", "kind", "parent_id", "description", "owner_id"])
    for field, value in fields.items():
        setattr(portfolio, field, value)
    _check_portfolio_tree(portfolio)
    _validated(portfolio)
    changes = diff(before, snapshot(portfolio, ["name", "kind", "parent_id", "description", "owner_id"]))
    if changes:
        portfolio.save()
        audit_record(
            organization=portfolio.organization,
            actor=actor,
            action="portfolio.updated",
            target=portfolio,
            changes=changes,
        )
    return portfolio


# --- projects -------------------------------------------------------------------------


@transaction.atomic
def project_create(*, actor: User, organization: Organization, **fields: Any) -> Project:
    """Create a project in initiation; its manager joins the team as project manager."""
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    _check_people(organization, sponsor=fields.get("sponsor"), manager=fields.get("manager"))
    _check_related(organization, portfolio=fields.get("portfolio"), calendar=fields.get("calendar"))
    fields.setdefault("currency", organization.default_currency)
    fields["tags"] = _clean_tags(fields.get("tags") or [])
    project = Project(organization=organization, phase=Phase.INITIATION, **fields)
    _validated(project)
    project.save()
    if project.manager is not None:
        ProjectMember.objects.create(
            organization=organization, project=project, user=project.manager, role=ProjectRole.MANAGER
        )
    audit_record(
        organization=organization,
        actor=actor,
        action="project.created",
        target=project,
        changes=diff({}, snapshot(project, ["code", "name", "phase", "planned_start", "manager_id"])),
    )
    return project


def _clean_tags(tags: Any) -> list[str]:
    if isinstance(tags, str):
        tags = tags.split(",")
    if not isinstance(tags, list) or any(not isinstance(tag, str) for tag in tags):
        raise ApplicationError(_("Tags are a list of words."), fields={"tags": [_("Enter words separated by commas.")]})
    return sorted({tag.strip()[:40] for tag in tags if tag.strip()})


@transaction.atomic
def project_update(*, actor: User, project: Project, **fields: Any) -> Project:
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    project = lock_project(project)
    if not project.is_open:
        raise ApplicationError(_("A closed or cancelled project cannot be changed."), code="project_closed")
    _check_people(project.organization, sponsor=fields.get("sponsor"), manager=fields.get("manager"))
    _check_related(project.organization, portfolio=fields.get("portfolio"), calendar=fields.get("calendar"))
    if "tags" in fields:
        fields["tags"] = _clean_tags(fields["tags"])
    names = [
        field if field not in {"portfolio", "sponsor", "manager", "calendar"} else f"{field}_id"
        for field in PROJECT_FIELDS
    ]
    if "currency" in fields and fields["currency"] != project.currency:
        _check_currency_free(project)
    before = snapshot(project, names)
    for field, value in fields.items():
        setattr(project, field, value)
    _validated(project)
    changes = diff(before, snapshot(project, names))
    if not changes:
        return project
    project.save()
    if "manager_id" in changes and project.manager is not None:
        ProjectMember.objects.for_organization(project.organization_id).update_or_create(
            organization_id=project.organization_id,
            project=project,
            user=project.manager,
            defaults={"role": ProjectRole.MANAGER},
        )
    if {"planned_start", "calendar_id"} & set(changes):
        from projects.services.plan import schedule_recompute

        schedule_recompute(project)
    audit_record(
        organization=project.organization, actor=actor, action="project.updated", target=project, changes=changes
    )
    return project


def project_holds_money(project: Project) -> bool:
    """Whether any amount is recorded in the project's currency: a baseline, budgeted cost in the
    plan, or what finance keeps."""
    if Baseline.objects.for_organization(project.organization_id).filter(project=project).exists():
        return True
    planned = WbsElement.objects.for_organization(project.organization_id).filter(project=project)
    if planned.exclude(budgeted_cost=0).exists():
        return True
    return any(holds(project) for holds in money_holders)


def _check_currency_free(project: Project) -> None:
    """Amounts are never relabelled: once money is recorded, the currency stays."""
    if project_holds_money(project):
        raise ApplicationError(
            _(
                "The currency cannot change: the project already holds amounts in %(currency)s (costs, "
                "commitments, budgets, a baseline or budgeted cost in its plan), and they would be relabelled "
                "without conversion."
            )
            % {"currency": project.currency},
            code="currency_locked",
            fields={"currency": [_("The project already holds amounts in this currency.")]},
        )


def _check_team_role(role: str) -> None:
    if role not in ProjectRole.values:
        raise ApplicationError(_("Unknown project role."), fields={"role": [_("Choose a valid role.")]})
    if role == ProjectRole.MANAGER:
        # The manager role carries gate and change decisions: it follows the project's manager field.
        raise ApplicationError(
            _("The project manager is appointed on the project itself, not in the team list."),
            code="manager_via_project",
            fields={"role": [_("Choose another role, or change the project's manager.")]},
        )


@transaction.atomic
def project_member_add(*, actor: User, project: Project, user: User, role: str) -> ProjectMember:
    _check_people(project.organization, user=user)
    _check_team_role(role)
    team = ProjectMember.objects.for_organization(project.organization_id).filter(project=project)
    if team.filter(user=user).exists():
        raise ApplicationError(
            _("%(user)s is already on the project.") % {"user": user},
            code="already_member",
            fields={"user": [_("Already on the project.")]},
        )
    member = ProjectMember.objects.create(
        organization_id=project.organization_id, project=project, user=user, role=role
    )
    audit_record(
        organization=project.organization,
        actor=actor,
        action="project_member.added",
        target=member,
        changes={"project": [None, project.code], "user": [None, user.username], "role": [None, role]},
    )
    return member


@transaction.atomic
def project_member_change_role(*, actor: User, member: ProjectMember, role: str) -> ProjectMember:
    _check_team_role(role)
    if member.role == role:
        return member
    if member.user_id == member.project.manager_id:
        raise ApplicationError(
            _("The project manager keeps the manager role; appoint another manager first."),
            code="manager_required",
        )
    old = member.role
    member.role = role
    member.save(update_fields=["role"])
    audit_record(
        organization=member.project.organization,
        actor=actor,
        action="project_member.role_changed",
        target=member,
        changes={"role": [old, role]},
    )
    return member


@transaction.atomic
def project_member_remove(*, actor: User, member: ProjectMember) -> None:
    project = member.project
    if member.user_id == project.manager_id:
        raise ApplicationError(
            _("The project manager stays on the team; appoint another manager first."), code="manager_required"
        )
    audit_record(
        organization=project.organization,
        actor=actor,
        action="project_member.removed",
        target=member,
        changes={"user": [member.user.username, None], "role": [member.role, None]},
    )
    member.delete()


# --- the lifecycle --------------------------------------------------------------------


def gate_criteria_ensure_defaults(organization: Organization) -> None:
    """Give an organisation that has no checklist yet the default one (once, even under races)."""
    criteria = GateCriterion.objects.for_organization(organization)
    if criteria.exists():
        return
    with transaction.atomic():
        # Two first reads at once must not both seed: the organisation row serialises them.
        Organization.objects.select_for_update(no_key=True).filter(pk=organization.pk).first()
        if criteria.exists():
            return
        GateCriterion.objects.bulk_create(
            [
                GateCriterion(organization=organization, from_phase=phase, text=text, order=index)
                for phase, texts in DEFAULT_GATE_CRITERIA.items()
                for index, text in enumerate(texts, start=1)
            ]
        )


def gate_criteria(organization: Organization, from_phase: str) -> list[GateCriterion]:
    """The organisation's active checklist for leaving ``from_phase`` (defaults on first use)."""
    gate_criteria_ensure_defaults(organization)
    criteria = GateCriterion.objects.for_organization(organization)
    return list(criteria.filter(from_phase=from_phase, is_active=True).order_by("order", "pk"))


def project_settings(organization: Organization) -> ProjectSettings:
    settings, _created = ProjectSettings.objects.for_organization(organization).get_or_create(organization=organization)
    return settings


@transaction.atomic
def project_advance(
    *,
    actor: User,
    membership: Membership,
    project_role: str | None,
    project: Project,
    to_phase: str,
    passed_criteria: list[int],
    comment: str = "",
) -> StageGate:
    """Pass the stage gate out of the current phase into the next one, or cancel the project."""
    project = lock_project(project)
    current = Phase(project.phase)
    if current not in OPEN_PHASES:
        raise ApplicationError(
            _("The project is %(phase)s; it has no further gate.") % {"phase": current.label}, code="illegal_move"
        )
    cancel = to_phase == Phase.CANCELLED
    if not cancel and NEXT_PHASE.get(current) != to_phase:
        expected = NEXT_PHASE[current]
        raise ApplicationError(
            _("A project in %(current)s moves to %(next)s next, not to %(wanted)s.")
            % {
                "current": current.label,
                "next": expected.label,
                "wanted": Phase(to_phase).label if to_phase in Phase.values else to_phase,
            },
            code="illegal_move",
            fields={"to_phase": [_("Not the next phase.")]},
        )
    if not can_pass_gate(membership, project_role, current, cancel=cancel):
        raise ApplicationError(_("Your role may not approve this gate."), code="permission_denied", status_code=403)
    checklist: list[dict[str, Any]] = []
    computed_checks: list[dict[str, Any]] = []
    if cancel:
        if not comment.strip():
            raise ApplicationError(
                _("Say why the project is cancelled."), fields={"comment": [_("This field is required.")]}
            )
    else:
        criteria = gate_criteria(project.organization, current)
        passed = set(passed_criteria)
        unknown = passed - {criterion.pk for criterion in criteria}
        if unknown:
            raise ApplicationError(_("Unknown checklist items."), fields={"passed_criteria": [_("Not found.")]})
        missing = [criterion.text for criterion in criteria if criterion.pk not in passed]
        if missing:
            raise ApplicationError(
                _("Every checklist item must be met to pass the gate. Not met: %(items)s")
                % {"items": "; ".join(missing)},
                code="checklist_incomplete",
                fields={"passed_criteria": missing},
            )
        computed_checks = gate_checks_enforce(project)
        checklist = [{"criterion": criterion.text, "passed": True} for criterion in criteria]
    gate = StageGate.objects.create(
        organization_id=project.organization_id,
        project=project,
        from_phase=current,
        to_phase=to_phase,
        checklist=checklist,
        computed_checks=computed_checks,
        approved_by=actor,
        comment=comment.strip(),
    )
    project.phase = to_phase
    project.save(update_fields=["phase", "updated_at"])
    if to_phase == Phase.EXECUTION:
        from projects.services.schedule import schedule_recompute

        schedule_recompute(project)  # under way, the unfinished work is scheduled from today
    audit_record(
        organization=project.organization,
        actor=actor,
        action="project.cancelled" if cancel else "project.gate_passed",
        target=project,
        changes={"phase": [current.value, to_phase], "gate": [None, gate.pk]},
    )
    return gate
