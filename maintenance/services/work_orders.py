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

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenance import sla
from maintenance.models import (
    Asset,
    Defect,
    MaintenanceSettings,
    PmPlan,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderKind,
    WorkOrderStatus,
)
from maintenance.models.work_orders import UNCLOSED_STATUSES
from maintenance.services.settings import maintenance_settings_for, validated
from pmo.audit import audit_record, diff
from pmo.errors import ApplicationError
from pmo.models import Organization, User

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


def _opened(work_order: WorkOrder, actor: User | None, organization: Organization, note: str = "") -> WorkOrder:
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
            return _opened(work_order, actor, organization)
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
