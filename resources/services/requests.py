"""Resource requests: a project asks for a role or skill, the resource office proposes people and fulfils.

open → proposed (a named resource proposed, with the hours it would take on) → fulfilled (each
proposal becomes an assignment on the request's task: its hours as work) or declined (with a
reason); the requester (or a planner of the project) may cancel a request still open or proposed.
A request in any other state refuses the step with ``invalid_state`` (409). Requests are numbered
RQ-001… per project under the project's lock. Candidates for a request are the active named
resources of its role and skill (at the level asked for or above), each with its free capacity in
the request's period (``resources.selectors.free_capacity``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, User
from pmo.policy import can
from projects.models import Project, WbsElement
from projects.services.locks import lock_project, lock_project_row
from resources.models import (
    OPEN_REQUEST_STATUSES,
    TIMED_KINDS,
    RequestProposal,
    RequestStatus,
    Resource,
    ResourceRequest,
    ResourceRole,
    ResourceSkill,
    Skill,
)
from resources.permissions import ResourceAction
from resources.services.assignments import assignment_create, check_project_open, check_resource, check_task
from resources.services.settings import validated

CONFLICT = 409
MAX_HOURS = Decimal("99999999")
#: How many candidates a request shows at most (the best placed first).
CANDIDATE_LIMIT = 50


def _not_found(field: str) -> ApplicationError:
    return ApplicationError(_("Not found."), code="not_found", fields={field: [_("Not found.")]})


def _invalid(field: str, message: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]})


def _wrong_state(request: ResourceRequest, message: str) -> ApplicationError:
    """``message`` names the request's code and status: ``%(code)s`` and ``%(status)s``."""
    return ApplicationError(
        message % {"code": request.code, "status": request.get_status_display()},
        code="invalid_state",
        status_code=CONFLICT,
    )


def _hours(value: Any, field: str = "hours") -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        hours = Decimal("NaN")
    if not hours.is_finite() or hours < Decimal("0.25"):
        raise _invalid(field, _("Enter at least 0.25 hours."))
    if hours > MAX_HOURS:
        raise _invalid(field, _("At most 99999999 hours."))
    return hours


def _lock(request: ResourceRequest) -> tuple[Project, ResourceRequest]:
    locked = lock_project_row(request, "task", "role", "skill")
    locked.organization = locked.project.organization
    return locked.project, locked


def may_cancel(membership: Membership, project_role: str | None, request: ResourceRequest) -> bool:
    """The requester, or someone who may ask for resources on the request's project."""
    return request.requested_by_id == membership.user_id or can(membership, ResourceAction.REQUEST, project_role)


@transaction.atomic
def resource_request_create(
    *,
    actor: User,
    project: Project,
    task: WbsElement,
    hours: Any,
    start: dt.date,
    finish: dt.date,
    role: ResourceRole | None = None,
    skill: Skill | None = None,
    min_level: int = 1,
    note: str = "",
) -> ResourceRequest:
    """Ask for a role or a skill (at least ``min_level``), ``hours`` of work in a period, on a task."""
    project = lock_project(project)
    check_project_open(project)
    check_task(project, task)
    organization_id = project.organization_id
    if role is not None and role.organization_id != organization_id:
        raise _not_found("role")
    if skill is not None and skill.organization_id != organization_id:
        raise _not_found("skill")
    if role is None and skill is None:
        message = _("Ask for a role or a skill.")
        raise ApplicationError(message, code="role_or_skill", fields={"role": [message], "skill": [message]})
    if not 1 <= int(min_level) <= 5:
        raise _invalid("min_level", _("Choose a level from 1 to 5."))
    if finish < start:
        raise _invalid("finish", _("The period ends before it starts."))
    window = project.organization.date_window
    for field, day in (("start", start), ("finish", finish)):
        if not window.contains(day):
            raise _invalid(field, window.message(), "date_out_of_range")
    highest = (
        ResourceRequest.objects.for_organization(organization_id)
        .filter(project=project)
        .aggregate(highest=Max("number"))["highest"]
    )
    request = ResourceRequest(
        organization_id=organization_id,
        project=project,
        number=(highest or 0) + 1,
        task=task,
        role=role,
        skill=skill,
        min_level=int(min_level) if skill is not None else 1,
        hours=_hours(hours),
        start=start,
        finish=finish,
        note=(note or "").strip(),
        requested_by=actor,
    )
    validated(request, exclude=["project", "task", "role", "skill", "requested_by", "decided_by"])
    request.save()
    audit_record(
        organization=project.organization,
        actor=actor,
        action="resource_request.created",
        target=request,
        changes=diff(
            {},
            snapshot(request, ["number", "task", "role", "skill", "min_level", "hours", "start", "finish", "note"]),
        ),
    )
    return request


def _check_open(request: ResourceRequest, message: str) -> None:
    if request.status not in OPEN_REQUEST_STATUSES:
        raise _wrong_state(request, message)


@transaction.atomic
def resource_request_propose(
    *, actor: User, request: ResourceRequest, resource: Resource, hours: Any = None
) -> RequestProposal:
    """Propose a named, active person or equipment for an open request, with the hours it would take on
    (the request's hours unless given); the request becomes proposed."""
    project, request = _lock(request)
    _check_open(request, _("%(code)s is %(status)s: no more resources can be proposed for it."))
    check_resource(request.organization_id, resource)
    if resource.is_placeholder:
        raise _invalid("resource", _("Propose a named resource, not a placeholder."), "placeholder")
    if resource.kind not in TIMED_KINDS:
        raise _invalid("resource", _("A request asks for work: propose a person or equipment."), "material")
    if (
        RequestProposal.objects.for_organization(request.organization_id)
        .filter(request=request, resource=resource)
        .exists()
    ):
        raise _invalid("resource", _("%(resource)s is already proposed.") % {"resource": resource}, "duplicate")
    proposal = RequestProposal.objects.create(
        organization_id=request.organization_id,
        request=request,
        resource=resource,
        hours=_hours(request.hours if hours is None else hours),
        created_by=actor,
    )
    before = request.status
    if request.status != RequestStatus.PROPOSED:
        request.status = RequestStatus.PROPOSED
        request.version += 1
        request.save(update_fields=["status", "version"])
    audit_record(
        organization=project.organization,
        actor=actor,
        action="resource_request.proposed",
        target=request,
        changes={
            "proposal": [None, {"resource": resource.pk, "hours": str(proposal.hours)}],
            **({"status": [before, request.status]} if before != request.status else {}),
        },
    )
    return proposal


@transaction.atomic
def resource_request_withdraw_proposal(*, actor: User, proposal: RequestProposal) -> ResourceRequest:
    """Take back a proposal of a request not yet decided; without proposals left it is open again."""
    project, request = _lock(proposal.request)
    _check_open(request, _("%(code)s is %(status)s: its proposals can no longer change."))
    proposal = RequestProposal.objects.for_organization(request.organization_id).get(pk=proposal.pk, request=request)
    changes: dict[str, Any] = {"proposal": [{"resource": proposal.resource_id, "hours": str(proposal.hours)}, None]}
    proposal.delete()
    left = RequestProposal.objects.for_organization(request.organization_id).filter(request=request).exists()
    if not left and request.status == RequestStatus.PROPOSED:
        changes["status"] = [request.status, RequestStatus.OPEN]
        request.status = RequestStatus.OPEN
        request.version += 1
        request.save(update_fields=["status", "version"])
    audit_record(
        organization=project.organization,
        actor=actor,
        action="resource_request.proposal_withdrawn",
        target=request,
        changes=changes,
    )
    return request


def _decide(request: ResourceRequest, actor: User, status: str, reason: str) -> dict[str, list[Any]]:
    before = snapshot(request, ["status", "decided_by", "decided_at", "decision_reason"])
    request.status = status
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_reason = reason
    request.version += 1
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "version"])
    return diff(before, snapshot(request, ["status", "decided_by", "decided_at", "decision_reason"]))


@transaction.atomic
def resource_request_fulfil(*, actor: User, request: ResourceRequest, note: str = "") -> ResourceRequest:
    """Turn each proposal into an assignment on the request's task (its hours as work); the request is fulfilled.

    A proposed resource already assigned to the task, or no longer active, refuses the whole step.
    """
    project, request = _lock(request)
    if request.status != RequestStatus.PROPOSED:
        if request.status == RequestStatus.OPEN:
            raise ApplicationError(
                _("%(code)s has no proposal yet: propose a resource first.") % {"code": request.code},
                code="no_proposal",
                status_code=CONFLICT,
            )
        raise _wrong_state(request, _("%(code)s is %(status)s: it cannot be fulfilled."))
    proposals = list(
        RequestProposal.objects.for_organization(request.organization_id)
        .filter(request=request)
        .select_related("resource")
        .order_by("id")
    )
    created = []
    for proposal in proposals:
        assignment = assignment_create(
            actor=actor,
            project=project,
            task=request.task,
            resource=proposal.resource,
            work=proposal.hours,
            note=request.code,
            request=request,
        )
        created.append(assignment.pk)
    changes = _decide(request, actor, RequestStatus.FULFILLED, (note or "").strip())
    audit_record(
        organization=project.organization,
        actor=actor,
        action="resource_request.fulfilled",
        target=request,
        changes={**changes, "assignments": [None, created]},
    )
    return request


@transaction.atomic
def resource_request_decline(*, actor: User, request: ResourceRequest, reason: str) -> ResourceRequest:
    """Decline a request that is open or proposed, with the reason the requester will read."""
    project, request = _lock(request)
    _check_open(request, _("%(code)s is %(status)s: it cannot be declined."))
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Give the reason for declining."), "reason_missing")
    changes = _decide(request, actor, RequestStatus.DECLINED, reason)
    audit_record(
        organization=project.organization,
        actor=actor,
        action="resource_request.declined",
        target=request,
        changes=changes,
    )
    return request


@transaction.atomic
def resource_request_cancel(*, actor: User, request: ResourceRequest, reason: str = "") -> ResourceRequest:
    """Withdraw a request that is open or proposed (the requester, or a planner of the project)."""
    project, request = _lock(request)
    _check_open(request, _("%(code)s is %(status)s: it cannot be cancelled."))
    changes = _decide(request, actor, RequestStatus.CANCELLED, (reason or "").strip())
    audit_record(
        organization=project.organization,
        actor=actor,
        action="resource_request.cancelled",
        target=request,
        changes=changes,
    )
    return request


@dataclass(frozen=True)
class Candidate:
    """A resource that could fill a request: its skill level (if a skill was asked) and free hours."""

    resource: Resource
    level: int | None
    free_hours: float | None  # None: capacity unknown (no calendar)
    proposed: bool

    @property
    def enough(self) -> bool | None:
        return None if self.free_hours is None else self.free_hours > 0


def request_candidates(
    organization: Organization, request: ResourceRequest, *, limit: int = CANDIDATE_LIMIT
) -> list[Candidate]:
    """Active named people and equipment of the request's role and skill (at its level or above), the most
    free hours in the request's period first; a fixed number of queries."""
    from resources.selectors import free_capacity

    resources = Resource.objects.for_organization(organization).filter(
        is_active=True, is_placeholder=False, kind__in=list(TIMED_KINDS)
    )
    if request.role_id is not None:
        resources = resources.filter(role_id=request.role_id)
    levels: dict[int, int] = {}
    if request.skill_id is not None:
        levels = dict(
            ResourceSkill.objects.for_organization(organization)
            .filter(skill_id=request.skill_id, level__gte=request.min_level)
            .values_list("resource_id", "level")
        )
        resources = resources.filter(pk__in=list(levels))
    found = list(resources.select_related("role").order_by("code")[:500])
    if not found:
        return []
    free = free_capacity(organization, [resource.pk for resource in found], request.start, request.finish)
    proposed = set(
        RequestProposal.objects.for_organization(organization)
        .filter(request=request)
        .values_list("resource_id", flat=True)
    )
    candidates = [
        Candidate(resource, levels.get(resource.pk), free.get(resource.pk), resource.pk in proposed)
        for resource in found
    ]
    candidates.sort(key=lambda c: (not c.proposed, c.free_hours is None, -(c.free_hours or 0.0), c.resource.code))
    return candidates[:limit]
