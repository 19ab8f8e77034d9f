"""Non-conformances (质量问题) through corrective action (整改) to verified closure.

open → analysis (root cause) → action plan (corrective and preventive actions) → in progress →
verification → closed, or cancelled with a reason from any open status. The quality role verifies,
never a person who did the corrective work; a failed verification sends it back to in progress.
Closing needs every action ended and the verification evidence. Every transition is kept as an
``NcEvent`` besides the audit trail. Rework cost becomes an actual cost of the project through
finance's cost service, under the "rework" cost category (created if missing).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from finance.models import CostCategory
from finance.services.categories import cost_categories_ensure_defaults
from finance.services.costs import actual_cost_create
from pmo.audit import audit_record, diff, snapshot
from pmo.concurrency import locked_row
from pmo.errors import ApplicationError
from pmo.models import User
from projects.models import Project, WbsElement
from projects.services.locks import lock_project, lock_project_row
from quality.models import (
    ENDED_ACTION_STATUSES,
    OPEN_NC_STATUSES,
    ActionKind,
    ActionStatus,
    ChecklistItem,
    CorrectiveAction,
    Inspection,
    InspectionType,
    NcEvent,
    NcStatus,
    NonConformance,
    PartyKind,
    Reading,
    ReworkCost,
    Severity,
)
from quality.services.inspections import check_element, check_member, check_open_project
from quality.services.settings import builtin_type, quality_settings_for, validated

REWORK_CATEGORY = "rework"
#: Named in both languages, as finance names its default categories.
REWORK_CATEGORY_NAME = "返工 Rework"
DESCRIPTIVE_FIELDS = [
    "title",
    "description",
    "severity",
    "location",
    "wbs_element",
    "responsible_kind",
    "responsible_user",
    "responsible_name",
    "due_date",
    "root_cause",
]
ACTION_FIELDS = ["kind", "description", "owner", "due_date", "status", "note"]

# Where a status may go by hand (``nc_verify`` closes or reopens; ``nc_cancel`` cancels).
TRANSITIONS: dict[str, frozenset[str]] = {
    NcStatus.OPEN: frozenset({NcStatus.ANALYSIS}),
    NcStatus.ANALYSIS: frozenset({NcStatus.ACTION_PLAN}),
    NcStatus.ACTION_PLAN: frozenset({NcStatus.ANALYSIS, NcStatus.IN_PROGRESS}),
    NcStatus.IN_PROGRESS: frozenset({NcStatus.ACTION_PLAN, NcStatus.VERIFICATION}),
    NcStatus.VERIFICATION: frozenset(),
}


def _not_found(field: str) -> ApplicationError:
    return ApplicationError(_("Not found."), code="not_found", fields={field: [_("Not found.")]})


def _lock(nc: NonConformance) -> tuple[Project, NonConformance]:
    locked = lock_project_row(nc)
    locked.organization = locked.project.organization
    return locked.project, locked


def _check_open(nc: NonConformance) -> None:
    if not nc.is_open:
        raise ApplicationError(
            _("%(code)s is %(status)s: it can no longer change.")
            % {"code": nc.code, "status": nc.get_status_display()},
            code="nc_closed",
        )


def _event(nc: NonConformance, actor: User, from_status: str, note: str = "") -> None:
    NcEvent.objects.create(
        organization_id=nc.organization_id,
        non_conformance=nc,
        from_status=from_status,
        to_status=nc.status,
        note=note,
        actor=actor,
    )


def _check_party(organization_id: int, kind: str, user: User | None, name: str) -> None:
    if kind not in PartyKind.values:
        raise ApplicationError(_("Choose the responsible party."), code="invalid", fields={"responsible_kind": ["?"]})
    check_member(organization_id, user, "responsible_user")
    if kind != PartyKind.MEMBER and not (name or "").strip():
        message = _("Name the contractor or supplier.")
        raise ApplicationError(message, code="invalid", fields={"responsible_name": [message]})


def default_due_date(organization_id: int, severity: str, raised_on: dt.date) -> dt.date:
    """Raised on plus the organisation's days for the severity (critical 2, major 7, minor 14 by default)."""
    return raised_on + dt.timedelta(days=quality_settings_for(organization_id).due_days(severity))


@transaction.atomic
def nc_raise(
    *,
    actor: User,
    project: Project,
    title: str,
    severity: str = Severity.MINOR,
    inspection_type: InspectionType | None = None,
    description: str = "",
    wbs_element: WbsElement | None = None,
    location: str = "",
    responsible_kind: str = PartyKind.MEMBER,
    responsible_user: User | None = None,
    responsible_name: str = "",
    due_date: dt.date | None = None,
    inspection: Inspection | None = None,
    item: ChecklistItem | None = None,
    reading: Reading | None = None,
) -> NonConformance:
    """Raise a non-conformance, from an inspection or directly; NC-001… per project. Its due date
    defaults to today plus the organisation's days for its severity."""
    project = lock_project(project)
    check_open_project(project)
    organization_id = project.organization_id
    if severity not in Severity.values:
        raise ApplicationError(_("Choose a severity."), code="invalid", fields={"severity": [_("Choose a severity.")]})
    if inspection_type is None:
        inspection_type = (
            inspection.inspection_type if inspection is not None else builtin_type(organization_id, "quality")
        )
    elif inspection_type.organization_id != organization_id:
        raise _not_found("inspection_type")
    if inspection is not None and (
        inspection.organization_id != organization_id or inspection.project_id != project.pk
    ):
        raise _not_found("inspection")
    check_element(project, wbs_element)
    _check_party(organization_id, responsible_kind, responsible_user, responsible_name)
    today = project.organization.today()
    if due_date is not None and due_date < today:
        message = _("The due date cannot be in the past.")
        raise ApplicationError(message, code="invalid", fields={"due_date": [message]})
    highest = (
        NonConformance.objects.for_organization(organization_id)
        .filter(project=project)
        .aggregate(highest=Max("number"))["highest"]
    )
    nc = NonConformance(
        organization_id=organization_id,
        project=project,
        number=(highest or 0) + 1,
        title=(title or "").strip(),
        description=(description or "").strip(),
        severity=severity,
        inspection_type=inspection_type,
        inspection=inspection,
        item=item,
        reading=reading,
        wbs_element=wbs_element,
        location=(location or "").strip(),
        responsible_kind=responsible_kind,
        responsible_user=responsible_user,
        responsible_name=(responsible_name or "").strip(),
        due_date=due_date or default_due_date(organization_id, severity, today),
        raised_by=actor,
        raised_on=today,
    )
    validated(nc)
    nc.save()
    _event(nc, actor, "", "")
    audit_record(
        organization=project.organization,
        actor=actor,
        action="non_conformance.raised",
        target=nc,
        changes=diff(
            {},
            {
                "title": nc.title,
                "severity": nc.severity,
                "inspection_type": inspection_type.code,
                "inspection": inspection.pk if inspection else None,
                "due_date": nc.due_date,
            },
        ),
    )
    from quality import alert_kinds

    alert_kinds.on_raised(nc)
    return nc


@transaction.atomic
def nc_update(*, actor: User, nc: NonConformance, **fields: Any) -> NonConformance:
    """Change what a non-conformance says while it is open (title, severity, party, due date, root cause)."""
    unknown = set(fields) - set(DESCRIPTIVE_FIELDS)
    if unknown:
        raise ValueError(f"not descriptive fields: {sorted(unknown)}")
    project, nc = _lock(nc)
    _check_open(nc)
    if "wbs_element" in fields:
        check_element(project, fields["wbs_element"])
    before = snapshot(nc, DESCRIPTIVE_FIELDS)
    for name, value in fields.items():
        setattr(nc, name, value.strip() if isinstance(value, str) else value)
    _check_party(nc.organization_id, nc.responsible_kind, nc.responsible_user, nc.responsible_name)
    if nc.responsible_kind == PartyKind.MEMBER:
        nc.responsible_name = ""
    nc.updated_at = timezone.now()
    validated(nc)
    nc.save()
    changes = diff(before, snapshot(nc, DESCRIPTIVE_FIELDS))
    if changes:
        audit_record(
            organization=project.organization, actor=actor, action="non_conformance.updated", target=nc, changes=changes
        )
    return nc


def _actions(nc: NonConformance) -> list[CorrectiveAction]:
    return list(CorrectiveAction.objects.for_organization(nc.organization_id).filter(non_conformance=nc))


@transaction.atomic
def nc_transition(*, actor: User, nc: NonConformance, to_status: str, note: str = "") -> NonConformance:
    """Move a non-conformance one step along its lifecycle, checking what each step needs."""
    project, nc = _lock(nc)
    _check_open(nc)
    if to_status not in TRANSITIONS.get(nc.status, frozenset()):
        raise ApplicationError(
            _("A non-conformance cannot go from %(from)s to %(to)s.")
            % {
                "from": nc.get_status_display(),
                "to": NcStatus(to_status).label if to_status in NcStatus.values else to_status,
            },
            code="invalid_transition",
        )
    actions = _actions(nc)
    if to_status == NcStatus.ACTION_PLAN and not nc.root_cause.strip():
        message = _("Record the root cause before planning the actions.")
        raise ApplicationError(message, code="root_cause_missing", fields={"root_cause": [message]})
    if to_status == NcStatus.IN_PROGRESS and not any(action.kind == ActionKind.CORRECTIVE for action in actions):
        raise ApplicationError(
            _("Plan at least one corrective action before starting the work."), code="no_corrective_action"
        )
    if to_status == NcStatus.VERIFICATION:
        waiting = [action for action in actions if action.status not in ENDED_ACTION_STATUSES]
        if waiting:
            raise ApplicationError(
                _("%(count)s actions are not ended yet: finish or cancel them first.") % {"count": len(waiting)},
                code="actions_open",
            )
        if not any(action.status == ActionStatus.DONE and action.kind == ActionKind.CORRECTIVE for action in actions):
            raise ApplicationError(
                _("At least one corrective action must be done before verification."), code="no_corrective_action"
            )
    from_status = nc.status
    nc.status = to_status
    nc.updated_at = timezone.now()
    nc.save(update_fields=["status", "updated_at"])
    _event(nc, actor, from_status, (note or "").strip())
    audit_record(
        organization=project.organization,
        actor=actor,
        action="non_conformance.status_changed",
        target=nc,
        changes={"status": [from_status, to_status], **({"note": [None, note.strip()]} if note.strip() else {})},
    )
    return nc


def corrective_workers(actions: list[CorrectiveAction]) -> set[int]:
    """Who did the corrective work: the owners and finishers of the corrective actions that were done."""
    workers: set[int] = set()
    for action in actions:
        if action.kind == ActionKind.CORRECTIVE and action.status == ActionStatus.DONE:
            workers.add(action.owner_id)
            if action.completed_by_id is not None:
                workers.add(action.completed_by_id)
    return workers


@transaction.atomic
def nc_verify(*, actor: User, nc: NonConformance, passed: bool, note: str) -> NonConformance:
    """Verify the corrective work: close the non-conformance with the evidence, or send it back to
    in progress. Never by a person who did the corrective work."""
    project, nc = _lock(nc)
    _check_open(nc)
    if nc.status != NcStatus.VERIFICATION:
        raise ApplicationError(
            _("%(code)s is not awaiting verification.") % {"code": nc.code}, code="invalid_transition"
        )
    note = (note or "").strip()
    if not note:
        message = _("Describe the verification evidence.") if passed else _("Say why the verification failed.")
        raise ApplicationError(message, code="invalid", fields={"note": [message]})
    actions = _actions(nc)
    if actor.pk in corrective_workers(actions):
        raise ApplicationError(
            _("The corrective work must be verified by someone who did not do it."), code="verifier_did_the_work"
        )
    from_status = nc.status
    before = snapshot(nc, ["status", "verification_note", "verified_by", "closed_on", "days_to_close"])
    if passed:
        today = project.organization.today()
        nc.status = NcStatus.CLOSED
        nc.verification_note, nc.verified_by, nc.closed_on = note, actor, today
        nc.days_to_close = max((today - nc.raised_on).days, 0)
    else:
        nc.status = NcStatus.IN_PROGRESS
    nc.updated_at = timezone.now()
    validated(nc)
    nc.save()
    _event(nc, actor, from_status, note)
    audit_record(
        organization=project.organization,
        actor=actor,
        action="non_conformance.verified" if passed else "non_conformance.verification_failed",
        target=nc,
        changes=diff(
            before, snapshot(nc, ["status", "verification_note", "verified_by", "closed_on", "days_to_close"])
        ),
    )
    return nc


@transaction.atomic
def nc_cancel(*, actor: User, nc: NonConformance, reason: str) -> NonConformance:
    """Cancel a non-conformance raised in error or duplicated; the reason is required and kept."""
    project, nc = _lock(nc)
    _check_open(nc)
    reason = (reason or "").strip()
    if not reason:
        message = _("Give the reason for cancelling.")
        raise ApplicationError(message, code="invalid", fields={"reason": [message]})
    from_status = nc.status
    nc.status, nc.cancel_reason = NcStatus.CANCELLED, reason
    nc.updated_at = timezone.now()
    nc.save(update_fields=["status", "cancel_reason", "updated_at"])
    _event(nc, actor, from_status, reason)
    audit_record(
        organization=project.organization,
        actor=actor,
        action="non_conformance.cancelled",
        target=nc,
        changes={"status": [from_status, nc.status], "cancel_reason": [None, reason]},
    )
    return nc


@transaction.atomic
def action_add(
    *,
    actor: User,
    nc: NonConformance,
    description: str,
    owner: User,
    due_date: dt.date,
    kind: str = ActionKind.CORRECTIVE,
) -> CorrectiveAction:
    """Add a corrective or preventive action to a non-conformance's plan (from analysis on)."""
    project, nc = _lock(nc)
    _check_open(nc)
    if nc.status == NcStatus.OPEN:
        raise ApplicationError(_("Start the root cause analysis before planning actions."), code="invalid_transition")
    if nc.status == NcStatus.VERIFICATION:
        raise ApplicationError(_("%(code)s is awaiting verification.") % {"code": nc.code}, code="invalid_transition")
    check_member(nc.organization_id, owner, "owner")
    action = CorrectiveAction(
        organization_id=nc.organization_id,
        non_conformance=nc,
        kind=kind,
        description=(description or "").strip(),
        owner=owner,
        due_date=due_date,
    )
    validated(action, exclude=["non_conformance", "owner"])
    action.save()
    audit_record(
        organization=project.organization,
        actor=actor,
        action="corrective_action.added",
        target=action,
        changes=diff({}, snapshot(action, ["non_conformance", "kind", "description", "owner", "due_date"])),
    )
    return action


@transaction.atomic
def action_update(*, actor: User, action: CorrectiveAction, **fields: Any) -> CorrectiveAction:
    """Change an action or report its progress; marking it done records who did it and when."""
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise ValueError(f"not action fields: {sorted(unknown)}")
    project, nc = _lock(action.non_conformance)
    _check_open(nc)
    if nc.status == NcStatus.VERIFICATION:
        raise ApplicationError(_("%(code)s is awaiting verification.") % {"code": nc.code}, code="invalid_transition")
    action = locked_row(action)  # type: ignore[assignment]
    if "owner" in fields:
        check_member(nc.organization_id, fields["owner"], "owner")
    before = snapshot(action, [*ACTION_FIELDS, "completed_by", "completed_on"])
    for name, value in fields.items():
        setattr(action, name, value.strip() if isinstance(value, str) else value)
    if action.status == ActionStatus.DONE and before["status"] != ActionStatus.DONE:
        action.completed_by, action.completed_on = actor, project.organization.today()
    elif action.status != ActionStatus.DONE:
        action.completed_by, action.completed_on = None, None
    action.updated_at = timezone.now()
    validated(action, exclude=["non_conformance", "owner"])
    action.save()
    changes = diff(before, snapshot(action, [*ACTION_FIELDS, "completed_by", "completed_on"]))
    if changes:
        audit_record(
            organization=project.organization,
            actor=actor,
            action="corrective_action.updated",
            target=action,
            changes=changes,
        )
    return action


def rework_category(project: Project) -> CostCategory:
    """The organisation's "rework" cost category, created if it is missing."""
    organization = project.organization
    cost_categories_ensure_defaults(organization)
    categories = CostCategory.objects.for_organization(organization)
    found = categories.filter(code=REWORK_CATEGORY).first()
    if found is not None:
        return found
    order = (categories.aggregate(highest=Max("order"))["highest"] or 0) + 1
    category = CostCategory.objects.create(
        organization=organization, code=REWORK_CATEGORY, name=REWORK_CATEGORY_NAME, order=order
    )
    audit_record(
        organization=organization,
        actor=None,
        action="cost_category.created",
        target=category,
        changes={"code": [None, REWORK_CATEGORY]},
    )
    return category


@transaction.atomic
def rework_cost_record(
    *, actor: User, nc: NonConformance, amount: Any, date: dt.date, supplier: str = "", reference: str = ""
) -> ReworkCost:
    """Record rework cost of a non-conformance as an actual cost of the project (category "rework"),
    so that it counts in earned value and budget control like any other cost."""
    project, nc = _lock(nc)
    if nc.status == NcStatus.CANCELLED:
        raise ApplicationError(_("%(code)s was cancelled.") % {"code": nc.code}, code="nc_closed")
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0:
        message = _("Enter an amount above zero.")
        raise ApplicationError(message, code="invalid", fields={"amount": [message]})
    cost = actual_cost_create(
        actor=actor,
        project=project,
        date=date,
        amount=value,
        category=rework_category(project),
        wbs_element=nc.wbs_element,
        supplier=supplier or (nc.responsible_name if nc.responsible_kind != PartyKind.MEMBER else ""),
        reference=reference or nc.code,
    )
    rework = ReworkCost.objects.create(
        organization_id=nc.organization_id, non_conformance=nc, actual_cost=cost, recorded_by=actor
    )
    before = nc.rework_cost
    nc.rework_cost = ReworkCost.objects.for_organization(nc.organization_id).filter(non_conformance=nc).aggregate(
        total=Sum("actual_cost__amount")
    )["total"] or Decimal("0")
    nc.updated_at = timezone.now()
    nc.save(update_fields=["rework_cost", "updated_at"])
    audit_record(
        organization=project.organization,
        actor=actor,
        action="non_conformance.rework_cost_recorded",
        target=nc,
        changes={"rework_cost": [before, nc.rework_cost], "actual_cost": [None, cost.pk]},
    )
    return rework


def open_statuses() -> tuple[str, ...]:
    return tuple(OPEN_NC_STATUSES)
