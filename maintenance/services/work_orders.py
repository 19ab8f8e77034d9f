"""Work orders from opening to closing, with their SLA clocks.

open → assigned (a member or a contractor) → in progress (the response) → on hold (a reason; the
clock pauses for the reasons marked as pausing) → in progress … → completed (the resolution: work
done, labour hours, materials, cost, photos) → verified (an inspector's new reading passes) →
closed; or cancelled with a reason from any status before closed. A failing verification reading
sends it back to in progress with the reading kept. Every transition is a ``WorkOrderEvent`` and an
audit event in the same transaction; a transition from the wrong status is refused and changes
nothing.

Numbers are WO-00001… per organisation, taken under the lock of the organisation's maintenance
settings row, so that concurrent openings never collide. Corrective work orders come from defects
(``work_order_open_corrective``, at most one unclosed per asset and criterion: a database
constraint), preventive ones from plans (``work_order_create_preventive``, exactly once per plan,
asset and due point: a database constraint; a second call returns None).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenance import judging, sla
from maintenance.models import (
    Asset,
    AssetReading,
    Contractor,
    Criterion,
    CriterionVersion,
    Defect,
    DefectStatus,
    EnteredAs,
    HoldReason,
    MaintenanceSettings,
    PmPlan,
    Priority,
    Site,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderKind,
    WorkOrderPause,
    WorkOrderStatus,
)
from maintenance.models.work_orders import UNCLOSED_STATUSES
from maintenance.services.settings import maintenance_settings_for, validated
from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, OrgRole, User

S = WorkOrderStatus


def _not_found(field: str) -> ApplicationError:
    return ApplicationError(_("Not found."), code="not_found", fields={field: [_("Not found.")]})


def _corrective_exists(asset: Asset) -> ApplicationError:
    return ApplicationError(
        _("%(asset)s already has an unclosed work order for this criterion.") % {"asset": asset.code},
        code="corrective_exists",
    )


def next_number(organization_id: int) -> int:
    """The next WO number of the organisation; call inside a transaction (the settings row stays
    locked until it ends, so that two openings never take the same number)."""
    settings = maintenance_settings_for(organization_id)
    MaintenanceSettings.objects.for_organization(organization_id).select_for_update().filter(
        pk=settings.pk
    ).values_list("pk").get()
    highest = WorkOrder.objects.for_organization(organization_id).aggregate(highest=Max("number"))["highest"]
    return (highest or 0) + 1


def _event(work_order: WorkOrder, actor: User | None, from_status: str, note: str = "") -> WorkOrderEvent:
    return WorkOrderEvent.objects.create(
        organization_id=work_order.organization_id,
        work_order=work_order,
        from_status=from_status,
        to_status=work_order.status,
        actor=actor if actor is not None and actor.is_authenticated else None,
        note=note,
        at=timezone.now(),
    )


def _set_due_times(work_order: WorkOrder, organization: Organization) -> None:
    response, resolution, around = sla.due_times(
        organization=organization, priority=work_order.priority, opened_at=work_order.opened_at
    )
    work_order.response_due_at, work_order.resolution_due_at, work_order.around_the_clock = (
        response,
        resolution,
        around,
    )


def _opened(
    work_order: WorkOrder, actor: User | None, organization: Organization, note: str = "", *, derived: bool = False
) -> WorkOrder:
    """Save a new work order, its first event and its audit row.

    ``derived``: every field was copied from rows already stored (a defect's corrective order), so the
    model's validation is not run again: it would read each foreign key and check each constraint in a
    query of its own (about 30 per breach). The database still enforces every constraint, and the
    unclosed-corrective one is caught by the caller.
    """
    if not derived:
        validated(work_order, exclude=["number"])
    work_order.save()
    _event(work_order, actor, "", note)
    audit_record(
        organization=organization,
        actor=actor,
        action="work_order.opened",
        target=work_order,
        changes=diff(
            {},
            {
                "kind": work_order.kind,
                "title": work_order.title,
                "priority": work_order.priority,
                "asset": work_order.asset_id,
                "site": work_order.site_id,
                "response_due_at": work_order.response_due_at,
                "resolution_due_at": work_order.resolution_due_at,
            },
        ),
    )
    return work_order


@transaction.atomic
def work_order_open_corrective(*, actor: User | None, defect: Defect, title: str = "") -> WorkOrder:
    """Open the corrective work order of a defect: the defect's priority and SLA due times from now;
    asset, site, origin project, criterion, contractor and warranty claim copied from the defect.

    An asset and criterion have at most one unclosed corrective work order: when one exists this
    raises ``ApplicationError`` with code ``corrective_exists`` (add the reading to its defect instead).
    """
    organization = defect.organization
    asset = defect.asset
    unclosed = WorkOrder.objects.for_organization(organization).filter(
        kind=WorkOrderKind.CORRECTIVE, asset=asset, criterion_id=defect.criterion_id, status__in=UNCLOSED_STATUSES
    )
    if unclosed.exists():
        raise _corrective_exists(asset)
    title = (title or "").strip() or _("%(measure)s: %(asset)s") % {
        "measure": defect.criterion_version.measure,
        "asset": f"{asset.code} {asset.name}",
    }
    work_order = WorkOrder(
        organization=organization,
        number=next_number(organization.pk),
        kind=WorkOrderKind.CORRECTIVE,
        title=title[:255],
        asset=asset,
        site_id=asset.site_id,
        criterion_id=defect.criterion_id,
        defect=defect,
        origin_project_id=defect.origin_project_id or asset.origin_project_id,
        priority=defect.priority,
        contractor_id=None,
        warranty_claim=defect.warranty_claim,
        reported_by=actor if actor is not None and actor.is_authenticated else None,
        opened_at=timezone.now(),
    )
    _set_due_times(work_order, organization)
    try:
        with transaction.atomic():
            return _opened(work_order, actor, organization, derived=True)
    except IntegrityError as error:
        if unclosed.exists():
            raise _corrective_exists(asset) from error
        raise


@transaction.atomic
def work_order_create_preventive(
    *,
    actor: User | None,
    plan: PmPlan,
    asset: Asset,
    due_key: str,
    due_date: dt.date | None,
    title: str,
) -> WorkOrder | None:
    """Make the preventive work order of a plan for an asset and due point, exactly once: None when
    it exists already (checked first, and safe when two runs race: the unique constraint decides).

    Priority, instructions, assignee and contractor come from the plan (assigned at once when the
    plan names someone). The resolution is due by the SLA of the priority, or at the end of the due
    date's working day when that is later.
    """
    organization = plan.organization
    existing = WorkOrder.objects.for_organization(organization).filter(pm_plan=plan, asset=asset, pm_due_key=due_key)
    if existing.exists():
        return None
    now = timezone.now()
    work_order = WorkOrder(
        organization=organization,
        number=next_number(organization.pk),
        kind=WorkOrderKind.PREVENTIVE,
        title=((title or "").strip() or plan.name)[:255],
        description=plan.instructions,
        asset=asset,
        site_id=asset.site_id,
        pm_plan=plan,
        pm_due_key=due_key,
        due_date=due_date,
        origin_project_id=asset.origin_project_id,
        priority=plan.priority,
        assignee_id=plan.assignee_id,
        contractor_id=plan.contractor_id,
        opened_at=now,
    )
    if plan.assignee_id or plan.contractor_id:
        work_order.status, work_order.assigned_at = S.ASSIGNED, now
    _set_due_times(work_order, organization)
    if due_date is not None:
        settings = maintenance_settings_for(organization)
        end_of_due_day = dt.datetime.combine(
            due_date, settings.workday_end, tzinfo=sla.zoneinfo.ZoneInfo(organization.time_zone)
        )
        work_order.resolution_due_at = max(work_order.resolution_due_at, end_of_due_day)
    try:
        with transaction.atomic():
            return _opened(work_order, actor, organization)
    except IntegrityError:
        if existing.exists():
            return None
        raise


# --- requests ---------------------------------------------------------------------------------


@transaction.atomic
def work_order_request(
    *,
    actor: User,
    organization: Organization,
    title: str,
    description: str = "",
    priority: str = Priority.P3,
    asset: Asset | None = None,
    site: Site | None = None,
    location_text: str = "",
    reporter_name: str = "",
    reporter_contact: str = "",
) -> WorkOrder:
    """Report a request for maintenance (anyone but a viewer; for a caller, with their name and
    contact): on an asset, at a site, or at a place described in words."""
    title = (title or "").strip()
    if not title:
        message = _("Say what needs doing.")
        raise ApplicationError(message, code="invalid", fields={"title": [message]})
    if priority not in Priority.values:
        raise ApplicationError(_("Choose a priority."), code="invalid", fields={"priority": [_("Choose a priority.")]})
    if asset is not None and asset.organization_id != organization.pk:
        raise _not_found("asset")
    if site is not None and site.organization_id != organization.pk:
        raise _not_found("site")
    location_text = (location_text or "").strip()
    if asset is None and site is None and not location_text:
        message = _("Name the asset, the site or where it is.")
        raise ApplicationError(message, code="invalid", fields={"location_text": [message]})
    reporter_name, reporter_contact = (reporter_name or "").strip(), (reporter_contact or "").strip()
    if reporter_contact and not reporter_name:
        message = _("Name the person the contact belongs to.")
        raise ApplicationError(message, code="invalid", fields={"reporter_name": [message]})
    work_order = WorkOrder(
        organization=organization,
        number=next_number(organization.pk),
        kind=WorkOrderKind.REQUEST,
        title=title,
        description=(description or "").strip(),
        asset=asset,
        site_id=asset.site_id if asset is not None else (site.pk if site is not None else None),
        location_text=location_text,
        origin_project_id=asset.origin_project_id if asset is not None else None,
        priority=priority,
        reported_by=actor,
        reporter_name=reporter_name,
        reporter_contact=reporter_contact,
        opened_at=timezone.now(),
    )
    _set_due_times(work_order, organization)
    return _opened(work_order, actor, organization)


# --- the lifecycle ----------------------------------------------------------------------------


def _locked(work_order: WorkOrder) -> WorkOrder:
    locked = (
        WorkOrder.objects.for_organization(work_order.organization_id)
        .select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=work_order.pk)
    )
    return locked


def _refuse(work_order: WorkOrder, action: str) -> ApplicationError:
    return ApplicationError(
        _("%(reference)s is %(status)s: it cannot be %(action)s.")
        % {"reference": work_order.reference, "status": work_order.get_status_display(), "action": action},
        code="invalid_transition",
    )


def _require(work_order: WorkOrder, statuses: tuple[str, ...], action: str) -> None:
    if work_order.status not in statuses:
        raise _refuse(work_order, action)


def _moved(
    work_order: WorkOrder,
    actor: User | None,
    from_status: str,
    action: str,
    before: dict[str, Any],
    fields: list[str],
    note: str = "",
) -> WorkOrder:
    work_order.updated_at = timezone.now()
    validated(work_order)
    work_order.save()
    _event(work_order, actor, from_status, note)
    changes = diff(before, snapshot(work_order, fields))
    if note:
        changes["note"] = [None, note]
    audit_record(organization=work_order.organization, actor=actor, action=action, target=work_order, changes=changes)
    return work_order


def check_worker(organization_id: int, user: User | None) -> None:
    """An assignee must be a member of the organisation who is not a viewer."""
    if user is None:
        return
    membership = Membership.objects.for_organization(organization_id).filter(user=user).first()
    if membership is None:
        raise _not_found("assignee")
    if membership.role == OrgRole.VIEWER:
        message = _("A viewer cannot be assigned work.")
        raise ApplicationError(message, code="invalid", fields={"assignee": [message]})


@transaction.atomic
def work_order_assign(
    *,
    actor: User,
    work_order: WorkOrder,
    assignee: User | None = None,
    contractor: Contractor | None = None,
    note: str = "",
) -> WorkOrder:
    """Dispatch to a member or a contractor (or both: a member of the firm's team). An open work order
    becomes assigned; one assigned, in progress or on hold is reassigned in its status."""
    work_order = _locked(work_order)
    _require(work_order, (S.OPEN, S.ASSIGNED, S.IN_PROGRESS, S.ON_HOLD), _("assigned"))
    if assignee is None and contractor is None:
        message = _("Choose a member or a contractor.")
        raise ApplicationError(message, code="invalid", fields={"assignee": [message]})
    check_worker(work_order.organization_id, assignee)
    if contractor is not None and (contractor.organization_id != work_order.organization_id):
        raise _not_found("contractor")
    if contractor is not None and not contractor.is_active:
        message = _("%(name)s is no longer an active contractor.") % {"name": contractor.name}
        raise ApplicationError(message, code="invalid", fields={"contractor": [message]})
    fields = ["status", "assignee", "contractor", "assigned_at"]
    before, from_status = snapshot(work_order, fields), work_order.status
    work_order.assignee, work_order.contractor = assignee, contractor
    work_order.assigned_at = timezone.now()
    if work_order.status == S.OPEN:
        work_order.status = S.ASSIGNED
    return _moved(work_order, actor, from_status, "work_order.assigned", before, fields, (note or "").strip())


@transaction.atomic
def work_order_start(*, actor: User, work_order: WorkOrder, note: str = "") -> WorkOrder:
    """Start the work: the response. Late when after the response deadline (``response_breached``)."""
    work_order = _locked(work_order)
    _require(work_order, (S.ASSIGNED,), _("started"))
    fields = ["status", "started_at", "response_breached"]
    before, from_status = snapshot(work_order, fields), work_order.status
    now = timezone.now()
    work_order.status, work_order.started_at = S.IN_PROGRESS, now
    work_order.response_breached = now > work_order.response_due_at
    return _moved(work_order, actor, from_status, "work_order.started", before, fields, (note or "").strip())


@transaction.atomic
def work_order_hold(*, actor: User, work_order: WorkOrder, reason: HoldReason, note: str = "") -> WorkOrder:
    """Put on hold for a reason (before or during the work); the SLA clock stops while it lasts when
    the reason pauses it."""
    work_order = _locked(work_order)
    _require(work_order, (S.ASSIGNED, S.IN_PROGRESS), _("put on hold"))
    if reason.organization_id != work_order.organization_id:
        raise _not_found("reason")
    if not reason.is_active:
        message = _("This hold reason is no longer in use.")
        raise ApplicationError(message, code="invalid", fields={"reason": [message]})
    note = (note or "").strip()
    fields = ["status", "hold_reason"]
    before, from_status = snapshot(work_order, fields), work_order.status
    WorkOrderPause.objects.create(
        organization_id=work_order.organization_id,
        work_order=work_order,
        reason=reason,
        pauses_clock=reason.pauses_clock,
        note=note,
        started_at=timezone.now(),
    )
    work_order.status, work_order.hold_reason = S.ON_HOLD, reason
    return _moved(work_order, actor, from_status, "work_order.held", before, fields, note or reason.name)


def _clock(work_order: WorkOrder) -> sla.Clock:
    return sla.clock_for(work_order.organization, around_the_clock=work_order.around_the_clock)


def _end_pause(work_order: WorkOrder, now: dt.datetime) -> None:
    """End the running pause; a pausing one moves the due times still ahead by the clock time it took."""
    pause = (
        WorkOrderPause.objects.for_organization(work_order.organization_id)
        .select_for_update()
        .filter(work_order=work_order, ended_at__isnull=True)
        .first()
    )
    if pause is None:
        return
    pause.ended_at = now
    if pause.pauses_clock:
        clock = _clock(work_order)
        paused = clock.elapsed(pause.started_at, now)
        pause.paused_seconds = int(paused.total_seconds())
        work_order.paused_seconds += pause.paused_seconds
        if work_order.started_at is None:
            work_order.response_due_at = clock.add(work_order.response_due_at, paused)
        work_order.resolution_due_at = clock.add(work_order.resolution_due_at, paused)
    pause.save(update_fields=["ended_at", "paused_seconds"])


@transaction.atomic
def work_order_resume(*, actor: User, work_order: WorkOrder, note: str = "") -> WorkOrder:
    """Take off hold: back to in progress (or to assigned when the work had not started). A pausing
    reason moves the deadlines by the working time (or clock time, around the clock) it lasted."""
    work_order = _locked(work_order)
    _require(work_order, (S.ON_HOLD,), _("resumed"))
    fields = ["status", "hold_reason", "paused_seconds", "response_due_at", "resolution_due_at"]
    before, from_status = snapshot(work_order, fields), work_order.status
    _end_pause(work_order, timezone.now())
    work_order.status = S.IN_PROGRESS if work_order.started_at is not None else S.ASSIGNED
    work_order.hold_reason = None
    return _moved(work_order, actor, from_status, "work_order.resumed", before, fields, (note or "").strip())


def _decimal(value: Any, field: str, message: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or number < 0:
        raise ApplicationError(message, code="invalid", fields={field: [message]})
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def work_order_complete(
    *,
    actor: User,
    work_order: WorkOrder,
    work_done: str,
    labour_hours: Any = 0,
    materials: str = "",
    cost: Any = 0,
) -> WorkOrder:
    """Record the work as done: the resolution. Late when after the resolution deadline
    (``resolution_breached``). Photos are attached to the work order as files."""
    work_order = _locked(work_order)
    _require(work_order, (S.IN_PROGRESS,), _("completed"))
    work_done = (work_done or "").strip()
    if not work_done:
        message = _("Describe the work done.")
        raise ApplicationError(message, code="invalid", fields={"work_done": [message]})
    hours = _decimal(labour_hours, "labour_hours", _("Enter the labour hours as a number, 0 or more."))
    amount = _decimal(cost, "cost", _("Enter the cost as an amount, 0 or more."))
    fields = ["status", "completed_at", "resolution_breached", "work_done", "labour_hours", "materials", "cost"]
    before, from_status = snapshot(work_order, fields), work_order.status
    now = timezone.now()
    work_order.status, work_order.completed_at = S.COMPLETED, now
    work_order.resolution_breached = now > work_order.resolution_due_at
    work_order.work_done, work_order.labour_hours = work_done, hours
    work_order.materials, work_order.cost = (materials or "").strip(), amount
    return _moved(work_order, actor, from_status, "work_order.completed", before, fields)


@transaction.atomic
def work_order_verify(
    *,
    actor: User,
    work_order: WorkOrder,
    value: Any = None,
    second_value: Any = None,
    entered_as: str = EnteredAs.VALUE,
    notes: str = "",
    criterion: Criterion | None = None,
) -> tuple[WorkOrder, AssetReading | None]:
    """An inspector checks the repair with a new reading of the work order's criterion (or of a
    criterion of the asset's category, for a work order without one), judged now: a pass verifies it,
    a failure sends it back to in progress; the reading is kept either way. A work order with no
    criterion to read is verified on the inspector's notes."""
    work_order = _locked(work_order)
    _require(work_order, (S.COMPLETED,), _("verified"))
    notes = (notes or "").strip()
    criterion_id = work_order.criterion_id
    if criterion_id is None and criterion is not None:
        if criterion.organization_id != work_order.organization_id or (
            work_order.asset is not None and criterion.category_id != work_order.asset.category_id
        ):
            raise _not_found("criterion")
        criterion_id = criterion.pk
    reading: AssetReading | None = None
    if criterion_id is None or work_order.asset_id is None:
        if not notes:
            message = _("Describe what was checked.")
            raise ApplicationError(message, code="invalid", fields={"notes": [message]})
        passed, text = True, notes
    else:
        if value is None or value == "":
            message = _("Enter the new reading.")
            raise ApplicationError(message, code="invalid", fields={"value": [message]})
        version = (
            CriterionVersion.objects.for_organization(work_order.organization_id)
            .filter(criterion_id=criterion_id, is_current=True)
            .first()
        )
        if version is None:
            raise _not_found("criterion")
        asset = work_order.asset
        assert asset is not None
        verdict = judging.judge(
            version,
            value=value,
            second_value=second_value if second_value not in (None, "") else None,
            entered_as=entered_as,
            surface=asset.judged_surface(),
        )
        reading = AssetReading(
            organization_id=work_order.organization_id,
            asset=asset,
            criterion_id=criterion_id,
            criterion_version=version,
            entered_as=entered_as,
            entered_value=Decimal(str(value)),
            value=verdict.judged_value,
            second_value=Decimal(str(second_value)) if second_value not in (None, "") else None,
            passed=verdict.passed,
            notes=notes,
            verifies=work_order,
            defect=work_order.defect,
            taken_by=actor,
        )
        reading.save()
        passed, text = verdict.passed, verdict.text
    fields = ["status", "verified_at", "completed_at", "resolution_breached"]
    before, from_status = snapshot(work_order, fields), work_order.status
    if passed:
        work_order.status, work_order.verified_at = S.VERIFIED, timezone.now()
        action = "work_order.verified"
    else:
        work_order.status, work_order.completed_at, work_order.resolution_breached = S.IN_PROGRESS, None, False
        action = "work_order.verification_failed"
    moved = _moved(work_order, actor, from_status, action, before, fields, text)
    return moved, reading


@transaction.atomic
def work_order_close(*, actor: User, work_order: WorkOrder, note: str = "") -> WorkOrder:
    """Close a verified work order; its defect is resolved."""
    work_order = _locked(work_order)
    _require(work_order, (S.VERIFIED,), _("closed"))
    fields = ["status", "closed_at"]
    before, from_status = snapshot(work_order, fields), work_order.status
    now = timezone.now()
    work_order.status, work_order.closed_at = S.CLOSED, now
    if work_order.defect_id is not None:
        Defect.objects.for_organization(work_order.organization_id).filter(
            pk=work_order.defect_id, status=DefectStatus.OPEN
        ).update(status=DefectStatus.RESOLVED, resolved_at=now)
    return _moved(work_order, actor, from_status, "work_order.closed", before, fields, (note or "").strip())


@transaction.atomic
def work_order_cancel(*, actor: User, work_order: WorkOrder, reason: str) -> WorkOrder:
    """Cancel with a reason (raised in error, a duplicate, no longer needed); a corrective work
    order's open defect is cancelled with it."""
    work_order = _locked(work_order)
    _require(work_order, (S.OPEN, S.ASSIGNED, S.IN_PROGRESS, S.ON_HOLD, S.COMPLETED, S.VERIFIED), _("cancelled"))
    reason = (reason or "").strip()
    if not reason:
        message = _("Give the reason for cancelling.")
        raise ApplicationError(message, code="invalid", fields={"reason": [message]})
    fields = ["status", "cancelled_at", "cancel_reason", "hold_reason"]
    before, from_status = snapshot(work_order, fields), work_order.status
    now = timezone.now()
    if work_order.status == S.ON_HOLD:
        _end_pause(work_order, now)
    work_order.status, work_order.cancelled_at, work_order.cancel_reason = S.CANCELLED, now, reason
    work_order.hold_reason = None
    if work_order.kind == WorkOrderKind.CORRECTIVE and work_order.defect_id is not None:
        Defect.objects.for_organization(work_order.organization_id).filter(
            pk=work_order.defect_id, status=DefectStatus.OPEN
        ).update(status=DefectStatus.CANCELLED, resolved_at=now)
    return _moved(work_order, actor, from_status, "work_order.cancelled", before, fields)


@transaction.atomic
def work_order_set_priority(*, actor: User, work_order: WorkOrder, priority: str, note: str = "") -> WorkOrder:
    """Change the priority of a work order not yet completed: its due times are computed again from
    its opening under the new priority's target, moved by the time it has been paused so far."""
    work_order = _locked(work_order)
    _require(work_order, (S.OPEN, S.ASSIGNED, S.IN_PROGRESS, S.ON_HOLD), _("re-prioritised"))
    if priority not in Priority.values:
        raise ApplicationError(_("Choose a priority."), code="invalid", fields={"priority": [_("Choose a priority.")]})
    if priority == work_order.priority:
        message = _("The work order already has this priority.")
        raise ApplicationError(message, code="invalid", fields={"priority": [message]})
    fields = ["priority", "response_due_at", "resolution_due_at", "around_the_clock", "response_breached"]
    before = snapshot(work_order, fields)
    work_order.priority = priority
    _set_due_times(work_order, work_order.organization)
    if work_order.paused_seconds:
        clock = _clock(work_order)
        paused = dt.timedelta(seconds=work_order.paused_seconds)
        work_order.response_due_at = clock.add(work_order.response_due_at, paused)
        work_order.resolution_due_at = clock.add(work_order.resolution_due_at, paused)
    if work_order.started_at is not None:
        work_order.response_breached = work_order.started_at > work_order.response_due_at
    work_order.updated_at = timezone.now()
    validated(work_order)
    work_order.save()
    changes = diff(before, snapshot(work_order, fields))
    if (note or "").strip():
        changes["note"] = [None, note.strip()]
    audit_record(
        organization=work_order.organization,
        actor=actor,
        action="work_order.priority_changed",
        target=work_order,
        changes=changes,
    )
    return work_order
