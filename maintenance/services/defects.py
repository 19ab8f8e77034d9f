"""What a breaching reading leads to: a defect and its corrective work order, or, when the asset
already has an unclosed corrective work order for the same criterion, the reading added to that
work order's defect (one repair, however often the breach is seen before it is closed).

A defect found on or before the asset's warranty end (the reading's day in the organisation's
time zone) is a warranty claim against the asset's contractor, counted for its origin project.
The partial unique constraint ``maintenance_one_unclosed_corrective_per_criterion`` backs the
de-duplication when two breaches of the same asset and criterion are recorded at the same time:
the second opening fails, rolls back its defect and joins the first one's.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence

from django.db import transaction

from maintenance.models import AssetReading, Defect, DefectStatus, WorkOrder, WorkOrderKind
from maintenance.models.work_orders import UNCLOSED_STATUSES
from pmo.audit import audit_record
from pmo.errors import ApplicationError
from pmo.models import Organization, User


def _unclosed(organization_id: int, readings: Sequence[AssetReading]) -> dict[tuple[int, int], WorkOrder]:
    """The unclosed corrective work orders of the readings' assets and criteria (one query)."""
    if not readings:
        return {}
    found = (
        WorkOrder.objects.for_organization(organization_id)
        .filter(
            kind=WorkOrderKind.CORRECTIVE,
            status__in=UNCLOSED_STATUSES,
            asset_id__in={reading.asset_id for reading in readings},
            criterion_id__in={reading.criterion_id for reading in readings},
        )
        .order_by("pk")
    )
    return {(order.asset_id, order.criterion_id): order for order in found}


def _open(actor: User | None, organization: Organization, reading: AssetReading) -> WorkOrder:
    """A new defect for the reading and its corrective work order (W's service)."""
    from maintenance.services.work_orders import work_order_open_corrective

    asset = reading.asset
    found_on = reading.taken_at.astimezone(zoneinfo.ZoneInfo(organization.time_zone)).date()
    defect = Defect.objects.create(
        organization=organization,
        asset=asset,
        criterion_id=reading.criterion_id,
        criterion_version=reading.criterion_version,
        priority=reading.criterion_version.priority,
        status=DefectStatus.OPEN,
        found_at=reading.taken_at,
        warranty_claim=asset.under_warranty(found_on),
        contractor_id=asset.contractor_id,
        origin_project_id=asset.origin_project_id,
    )
    defect.organization = organization
    defect.asset = asset
    work_order = work_order_open_corrective(actor=actor, defect=defect)
    reading.defect = defect
    audit_record(
        organization=organization,
        actor=actor,
        action="maintenance_defect.found",
        target=defect,
        changes={
            "reading": [None, reading.pk],
            "work_order": [None, work_order.reference],
            "warranty_claim": [None, defect.warranty_claim],
        },
    )
    return work_order


def _joined(actor: User | None, organization: Organization, reading: AssetReading, work_order: WorkOrder) -> None:
    reading.defect_id = work_order.defect_id
    audit_record(
        organization=organization,
        actor=actor,
        action="maintenance_defect.seen_again",
        target=work_order,
        changes={"reading": [None, reading.pk]},
    )


@transaction.atomic
def record_breaches(
    *, actor: User | None, organization: Organization, readings: Sequence[AssetReading]
) -> dict[int, WorkOrder]:
    """Handle saved breaching readings: each gets the defect of its asset's unclosed corrective
    work order for the criterion, or a new defect with its own work order. Returns the work order
    of each reading, by reading id.

    Costs one query to find the unclosed work orders and one to link the readings, plus the
    opening of each new work order (its defect, number, SLA and event) and one audit row per reading.
    """
    readings = [reading for reading in readings if reading.passed is False]
    orders = _unclosed(organization.pk, readings)
    result: dict[int, WorkOrder] = {}
    for reading in readings:
        key = (reading.asset_id, reading.criterion_id)
        work_order = orders.get(key)
        if work_order is None:
            try:
                with transaction.atomic():
                    work_order = _open(actor, organization, reading)
            except ApplicationError as error:
                if error.code != "corrective_exists":
                    raise
                # Another breach of the same asset and criterion opened one meanwhile: join it.
                work_order = _unclosed(organization.pk, [reading])[key]
                _joined(actor, organization, reading, work_order)
            orders[key] = work_order
        else:
            _joined(actor, organization, reading, work_order)
        result[reading.pk] = work_order
    if readings:
        AssetReading.objects.for_organization(organization).bulk_update(readings, ["defect"])
    return result


def record_breach(*, actor: User | None, reading: AssetReading) -> WorkOrder:
    """Handle one saved breaching reading (see ``record_breaches``)."""
    if reading.passed is not False:
        raise ValueError("only a breaching reading makes a defect")
    organization = Organization.objects.get(pk=reading.organization_id)
    return record_breaches(actor=actor, organization=organization, readings=[reading])[reading.pk]
