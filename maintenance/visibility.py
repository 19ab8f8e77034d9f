"""Who sees and works which work orders, and the SLA predicates the work-order list filters by.

A member whose only role is member and who is the login of a contractor sees the work orders of
the firm (and those assigned to them); everyone else who may view maintenance sees all. The
assignee and the contractor's login do the work (start, hold, resume, complete); so does the
maintenance office, which dispatches.

The predicates mean what the O&M figures mean (``maintenance.selectors``): overdue is still open
past the resolution deadline (a hold that pauses the clock, begun before the deadline, holds it);
breached is a deadline missed, whether the work came late or has not come yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from maintenance.models import OPEN_STATUSES, Contractor, WorkOrder, WorkOrderPause, WorkOrderStatus
from maintenance.permissions import MaintenanceAction
from pmo.models import Membership, OrgRole
from pmo.policy import can


def contractor_firms(membership: Membership) -> list[int]:
    """The contractors whose login the member is."""
    return list(
        Contractor.objects.for_organization(membership.organization_id)
        .filter(user_id=membership.user_id)
        .values_list("pk", flat=True)
    )


def sees_only_firm(membership: Membership) -> list[int] | None:
    """The firms a contractor's login is limited to, or None when the member sees every work order."""
    if membership.role != OrgRole.MEMBER:
        return None
    firms = contractor_firms(membership)
    return firms or None


def visible_work_orders(membership: Membership) -> QuerySet[WorkOrder]:
    """The work orders the member may see."""
    work_orders = WorkOrder.objects.for_organization(membership.organization_id)
    firms = sees_only_firm(membership)
    if firms is None:
        return work_orders
    return work_orders.filter(Q(contractor_id__in=firms) | Q(assignee_id=membership.user_id))


def sees_work_order(membership: Membership, work_order: WorkOrder) -> bool:
    """One work order against ``visible_work_orders``'s rule: a contractor's login sees its firm's and
    its own; every other member sees all."""
    firms = sees_only_firm(membership)
    return firms is None or work_order.contractor_id in firms or work_order.assignee_id == membership.user_id


def may_work(membership: Membership, work_order: WorkOrder, firms: list[int] | None = None) -> bool:
    """Start, hold, resume and complete: the maintenance office, the assignee, the contractor's login."""
    if can(membership, MaintenanceAction.MANAGE):
        return True
    if not can(membership, MaintenanceAction.WORK):
        return False
    if work_order.assignee_id is not None and work_order.assignee_id == membership.user_id:
        return True
    if work_order.contractor_id is None:
        return False
    if firms is None:
        firms = contractor_firms(membership)
    return work_order.contractor_id in firms


def _paused_before_due() -> Exists:
    return Exists(
        WorkOrderPause.objects.filter(
            work_order=OuterRef("pk"),
            ended_at__isnull=True,
            pauses_clock=True,
            started_at__lte=OuterRef("resolution_due_at"),
        )
    )


def overdue_q(now: dt.datetime) -> Q:
    """Open past the resolution deadline, its clock not stopped by a pausing hold begun in time."""
    return Q(status__in=OPEN_STATUSES, resolution_due_at__lt=now) & ~Q(_paused_before_due())


def breached_q(now: dt.datetime) -> Q:
    """A deadline missed: responded or resolved late, or not yet and the deadline passed."""
    not_cancelled = ~Q(status=WorkOrderStatus.CANCELLED)
    response = Q(started_at__gt=F("response_due_at")) | Q(started_at__isnull=True, response_due_at__lt=now)
    resolution = Q(completed_at__gt=F("resolution_due_at")) | Q(
        completed_at__isnull=True, status__in=OPEN_STATUSES, resolution_due_at__lt=now
    )
    return not_cancelled & (response | resolution)


@dataclass(frozen=True)
class ClockState:
    """A work order's SLA clock as the pages show it."""

    response_due_at: dt.datetime
    resolution_due_at: dt.datetime
    response_late: bool
    resolution_late: bool
    responded: bool
    resolved: bool
    paused: bool
    paused_seconds: int
    #: Until the deadline still ahead (negative: overdue by), or None once resolved or cancelled.
    remaining: dt.timedelta | None

    @property
    def overdue(self) -> bool:
        return self.remaining is not None and self.remaining < dt.timedelta(0)

    @property
    def breached(self) -> bool:
        return self.response_late or self.resolution_late

    @property
    def paused_hours(self) -> float:
        return round(self.paused_seconds / 3600, 1)


def clock_state(work_order: WorkOrder, now: dt.datetime, *, paused: bool | None = None) -> ClockState:
    """The clock of one work order at ``now``; ``paused``: whether a pausing hold runs (read from the
    hold reason when not given)."""
    if paused is None:
        paused = work_order.status == WorkOrderStatus.ON_HOLD and bool(
            work_order.hold_reason_id and work_order.hold_reason and work_order.hold_reason.pauses_clock
        )
    responded = work_order.started_at is not None
    resolved = work_order.completed_at is not None or work_order.status in (
        WorkOrderStatus.COMPLETED,
        WorkOrderStatus.VERIFIED,
        WorkOrderStatus.CLOSED,
    )
    cancelled = work_order.status == WorkOrderStatus.CANCELLED
    response_late = (
        work_order.started_at > work_order.response_due_at
        if work_order.started_at is not None
        else (not cancelled and not paused and now > work_order.response_due_at)
    )
    resolution_late = (
        work_order.completed_at > work_order.resolution_due_at
        if work_order.completed_at is not None
        else (not cancelled and not resolved and not paused and now > work_order.resolution_due_at)
    )
    remaining = None if resolved or cancelled or paused else work_order.resolution_due_at - now
    return ClockState(
        response_due_at=work_order.response_due_at,
        resolution_due_at=work_order.resolution_due_at,
        response_late=response_late,
        resolution_late=resolution_late,
        responded=responded,
        resolved=resolved,
        paused=paused,
        paused_seconds=work_order.paused_seconds,
        remaining=remaining,
    )
