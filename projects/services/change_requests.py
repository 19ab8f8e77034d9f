"""Change requests of a project, and who may edit and decide them.

A change request is raised as a draft, submitted, then approved or rejected by the role its
size calls for (``projects.permissions.change_request_approver_roles``, with the organisation's
thresholds), never by its requester, and finally implemented, optionally re-baselining the
project. Every write is audited in its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.alerts.services import project_evaluation_queue
from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Membership, OrgRole, User
from projects.models import (
    Baseline,
    ChangeRequest,
    ChangeRequestElement,
    Project,
    ProjectRole,
    ProjectSettings,
    WbsElement,
)
from projects.permissions import change_request_approver_roles
from projects.services.baselines import baseline_create
from projects.services.locks import lock_project, lock_project_row
from projects.services.projects import project_settings
from projects.services.status_reports import _acts_for_project, _denied, _illegal, _validated

CHANGE_FIELDS = ["title", "kind", "description", "reason", "impact_days", "impact_cost"]


# --- who may -------------------------------------------------------------------------


def change_request_may_edit(*, membership: Membership, project_role: str | None, change_request: ChangeRequest) -> bool:
    """The requester edits and submits a draft; so may the project's manager and the PMO office."""
    return change_request.requested_by_id == membership.user_id or _acts_for_project(
        membership, project_role, change_request.project
    )


@dataclass(frozen=True)
class DecisionRule:
    """Who decides a change request of its size, and why."""

    org_roles: frozenset[OrgRole]
    project_roles: frozenset[str]
    cost_over_threshold: bool
    days_over_threshold: bool


def change_request_decision_rule(change_request: ChangeRequest, rules: ProjectSettings) -> DecisionRule:
    """Reductions count as much as increases: a large cut of cost or time is as big a decision."""
    cost_over = abs(change_request.impact_cost) > rules.finance_approval_above
    days_over = abs(change_request.impact_days) > rules.pmo_approval_above_days
    org_roles, project_roles = change_request_approver_roles(
        cost_over_threshold=cost_over, days_over_threshold=days_over
    )
    return DecisionRule(org_roles, project_roles, cost_over, days_over)


def change_request_may_decide(
    *,
    membership: Membership,
    project_role: str | None,
    change_request: ChangeRequest,
    rules: ProjectSettings,
) -> bool:
    """Approvers by size (see :func:`change_request_decision_rule`), never the requester."""
    if change_request.requested_by_id == membership.user_id:
        return False
    rule = change_request_decision_rule(change_request, rules)
    if OrgRole(membership.role) in rule.org_roles:
        return True
    if ProjectRole.MANAGER in rule.project_roles:
        project = change_request.project
        return project_role == ProjectRole.MANAGER or (
            project.manager_id is not None and project.manager_id == membership.user_id
        )
    return project_role is not None and project_role in rule.project_roles


# --- change requests --------------------------------------------------------------------


def _locked_change(change_request: ChangeRequest) -> ChangeRequest:
    return lock_project_row(change_request, "organization")


def _check_affected(project: Project, elements: list[WbsElement]) -> list[WbsElement]:
    """Affected elements must be in the project; others look as if they did not exist."""
    foreign = [element for element in elements if element.project_id != project.pk]
    if foreign:
        raise ApplicationError(
            _("Affected elements must belong to the project."),
            fields={"affected": [_("Not found: %(ids)s") % {"ids": ", ".join(str(e.pk) for e in foreign)}]},
        )
    return list({element.pk: element for element in elements}.values())


def _check_open(project: Project) -> None:
    if not project.is_open:
        raise ApplicationError(_("A closed or cancelled project takes no change requests."), code="project_closed")


@transaction.atomic
def change_request_create(
    *,
    actor: User,
    project: Project,
    title: str,
    kind: str,
    description: str,
    reason: str,
    impact_days: int = 0,
    impact_cost: Decimal = Decimal("0"),
    affected: list[WbsElement] | None = None,
) -> ChangeRequest:
    """Raise a draft change request; numbers run 1, 2, 3 per project (the project row is locked)."""
    project = lock_project(project)
    _check_open(project)
    elements = _check_affected(project, affected or [])
    latest = (
        ChangeRequest.objects.for_organization(project.organization_id)
        .filter(project=project)
        .aggregate(latest=Max("number"))["latest"]
    )
    change_request = ChangeRequest(
        organization_id=project.organization_id,
        project=project,
        number=(latest or 0) + 1,
        title=title.strip(),
        kind=kind,
        description=description.strip(),
        reason=reason.strip(),
        impact_days=impact_days,
        impact_cost=impact_cost,
        requested_by=actor,
    )
    _validated(change_request)
    change_request.save()
    ChangeRequestElement.objects.bulk_create(
        [
            ChangeRequestElement(organization_id=project.organization_id, change_request=change_request, element=e)
            for e in elements
        ]
    )
    audit_record(
        organization=project.organization,
        actor=actor,
        action="change_request.created",
        target=change_request,
        changes=diff(
            {}, {**snapshot(change_request, ["number", "status", *CHANGE_FIELDS]), "affected": _ids(elements)}
        ),
    )
    return change_request


def _ids(elements: list[WbsElement]) -> list[int]:
    return sorted(element.pk for element in elements)


@transaction.atomic
def change_request_update(
    *,
    actor: User,
    membership: Membership,
    project_role: str | None,
    change_request: ChangeRequest,
    **fields: Any,
) -> ChangeRequest:
    """Change a draft; ``affected`` replaces the list of affected elements."""
    unknown = set(fields) - {*CHANGE_FIELDS, "affected"}
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    change_request = _locked_change(change_request)
    if change_request.status != ChangeRequest.Status.DRAFT:
        raise _illegal(_("Only a draft change request can be changed."))
    if not change_request_may_edit(membership=membership, project_role=project_role, change_request=change_request):
        raise _denied(_("Only the requester, the project's manager or the PMO office changes this draft."))
    links = ChangeRequestElement.objects.for_organization(change_request.organization_id).filter(
        change_request=change_request
    )
    before = {**snapshot(change_request, CHANGE_FIELDS), "affected": sorted(links.values_list("element_id", flat=True))}
    elements = fields.pop("affected", None)
    if elements is not None:
        elements = _check_affected(change_request.project, elements)
    for field, value in fields.items():
        setattr(change_request, field, value.strip() if isinstance(value, str) and field != "kind" else value)
    _validated(change_request)
    after = {
        **snapshot(change_request, CHANGE_FIELDS),
        "affected": _ids(elements) if elements is not None else before["affected"],
    }
    changes = diff(before, after)
    if not changes:
        return change_request
    changed_fields = [field for field in CHANGE_FIELDS if field in changes]
    if changed_fields:
        change_request.save(update_fields=changed_fields)
    if elements is not None and "affected" in changes:
        links.delete()
        ChangeRequestElement.objects.bulk_create(
            [
                ChangeRequestElement(
                    organization_id=change_request.organization_id, change_request=change_request, element=element
                )
                for element in elements
            ]
        )
    audit_record(
        organization=change_request.organization,
        actor=actor,
        action="change_request.updated",
        target=change_request,
        changes=changes,
    )
    return change_request


@transaction.atomic
def change_request_submit(
    *, actor: User, membership: Membership, project_role: str | None, change_request: ChangeRequest
) -> ChangeRequest:
    change_request = _locked_change(change_request)
    if change_request.status != ChangeRequest.Status.DRAFT:
        raise _illegal(_("Only a draft change request can be submitted."))
    if not change_request_may_edit(membership=membership, project_role=project_role, change_request=change_request):
        raise _denied(_("Only the requester, the project's manager or the PMO office submits this change request."))
    _check_open(change_request.project)
    change_request.status = ChangeRequest.Status.SUBMITTED
    change_request.submitted_at = timezone.now()
    change_request.save(update_fields=["status", "submitted_at"])
    audit_record(
        organization=change_request.organization,
        actor=actor,
        action="change_request.submitted",
        target=change_request,
        changes={"status": [ChangeRequest.Status.DRAFT, ChangeRequest.Status.SUBMITTED]},
    )
    project_evaluation_queue(change_request.project)
    return change_request


def _decide(
    *,
    actor: User,
    membership: Membership,
    project_role: str | None,
    change_request: ChangeRequest,
    outcome: str,
    comment: str,
) -> ChangeRequest:
    change_request = _locked_change(change_request)
    if change_request.status != ChangeRequest.Status.SUBMITTED:
        raise _illegal(_("Only a submitted change request can be approved or rejected."))
    if change_request.requested_by_id == actor.pk:
        raise _denied(_("A change request is decided by someone other than its requester."), "separation_of_duties")
    rules = project_settings(change_request.organization)
    if not change_request_may_decide(
        membership=membership, project_role=project_role, change_request=change_request, rules=rules
    ):
        rule = change_request_decision_rule(change_request, rules)
        if rule.cost_over_threshold:
            message = _("Its cost impact is above %(limit)s: finance decides this change request.") % {
                "limit": rules.finance_approval_above
            }
        elif rule.days_over_threshold:
            message = _("Its schedule impact is above %(days)s working days: the PMO decides this change request.") % {
                "days": rules.pmo_approval_above_days
            }
        else:
            message = _("The PMO office or the project's manager decides this change request.")
        raise _denied(message)
    comment = comment.strip()
    if outcome == ChangeRequest.Status.REJECTED and not comment:
        raise ApplicationError(
            _("Say why the change request is rejected."), fields={"comment": [_("This field is required.")]}
        )
    change_request.status = outcome
    change_request.decided_by = actor
    change_request.decided_at = timezone.now()
    change_request.decision_comment = comment
    change_request.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    audit_record(
        organization=change_request.organization,
        actor=actor,
        action=f"change_request.{outcome}",
        target=change_request,
        changes={"status": [ChangeRequest.Status.SUBMITTED, outcome], "decision_comment": [None, comment]},
    )
    project_evaluation_queue(change_request.project)
    return change_request


@transaction.atomic
def change_request_approve(
    *,
    actor: User,
    membership: Membership,
    project_role: str | None,
    change_request: ChangeRequest,
    comment: str = "",
) -> ChangeRequest:
    return _decide(
        actor=actor,
        membership=membership,
        project_role=project_role,
        change_request=change_request,
        outcome=ChangeRequest.Status.APPROVED,
        comment=comment,
    )


@transaction.atomic
def change_request_reject(
    *,
    actor: User,
    membership: Membership,
    project_role: str | None,
    change_request: ChangeRequest,
    comment: str,
) -> ChangeRequest:
    return _decide(
        actor=actor,
        membership=membership,
        project_role=project_role,
        change_request=change_request,
        outcome=ChangeRequest.Status.REJECTED,
        comment=comment,
    )


def change_request_baseline_name(change_request: ChangeRequest) -> str:
    return f"CR-{change_request.number} {change_request.title}"[: Baseline._meta.get_field("name").max_length]


@transaction.atomic
def change_request_implement(
    *, actor: User, change_request: ChangeRequest, create_baseline: bool = False
) -> ChangeRequest:
    """Mark an approved change as carried out; optionally freeze the plan as the new current baseline."""
    change_request = _locked_change(change_request)
    if change_request.status != ChangeRequest.Status.APPROVED:
        raise _illegal(_("Only an approved change request can be implemented."))
    baseline = None
    if create_baseline:
        baseline = baseline_create(
            actor=actor,
            project=change_request.project,
            name=change_request_baseline_name(change_request),
            make_current=True,
            change_request=change_request,
        )
    change_request.status = ChangeRequest.Status.IMPLEMENTED
    change_request.implemented_at = timezone.now()
    change_request.save(update_fields=["status", "implemented_at"])
    audit_record(
        organization=change_request.organization,
        actor=actor,
        action="change_request.implemented",
        target=change_request,
        changes={
            "status": [ChangeRequest.Status.APPROVED, ChangeRequest.Status.IMPLEMENTED],
            "baseline": [None, baseline.name if baseline is not None else None],
        },
    )
    return change_request
