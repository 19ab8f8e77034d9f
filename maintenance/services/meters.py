"""Meters on assets and their readings.

A meter only goes up: a reading below the meter's current value is refused (code
``meter_went_down``) unless it is marked as the first reading of a replaced or reset meter. Then
the old meter's count is carried over (``Meter.carried_over``), so that the asset's lifetime total,
which meter plans fall due on, keeps rising and no due point comes round twice. A reading dated
before the meter's last one is refused too (the current value is the latest reading).

Recording a reading checks the asset's meter plans at once: a due point reached (less the plan's
lead) gets its work order in the same transaction.

The maintenance office adds meters (``MaintenanceAction.MANAGE``); anyone who carries out work
(``MaintenanceAction.WORK``) may record readings: the callers check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from maintenance.models import Asset, AssetStatus, Meter, MeterReading
from maintenance.services.preventive import GenerationResult, generate_for_meter, validated
from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import User

METER_FIELDS = ["code", "name", "unit", "current_value"]
MAX_VALUE = Decimal("999999999999.99")
#: How far ahead of the server's clock a reading may be dated (a phone's clock running fast).
CLOCK_SKEW = dt.timedelta(minutes=10)


def _invalid(field_name: str, message: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field_name: [message]})


def _shown(value: Decimal, unit: str) -> str:
    return f"{number_format(value.normalize(), force_grouping=True)} {unit}".strip()


def _check_value(value: Decimal | None) -> Decimal:
    if value is None:
        raise _invalid("value", _("Enter the reading."))
    if value < 0:
        raise _invalid("value", _("A meter reading cannot be negative."))
    if value > MAX_VALUE:
        raise _invalid("value", _("This reading is too large for a meter."))
    return value


@transaction.atomic
def meter_create(
    *,
    actor: User | None,
    asset: Asset,
    code: str,
    name: str,
    unit: str = "h",
    initial_value: Decimal = Decimal("0"),
) -> Meter:
    """Put a meter on an asset, starting at ``initial_value`` (its reading when it was added)."""
    code = (code or "").strip()
    name = (name or "").strip()
    unit = (unit or "").strip()
    if asset.status != AssetStatus.ACTIVE:
        raise _invalid("asset", _("Asset %(asset)s is retired.") % {"asset": asset}, code="asset_retired")
    if not code:
        raise _invalid("code", _("Give the meter a code, the same on every asset of a kind, e.g. lamp-hours."))
    if not name:
        raise _invalid("name", _("Give the meter a name, e.g. lamp operating hours."))
    if not unit:
        raise _invalid("unit", _("Give the meter's unit, e.g. h."))
    if Meter.objects.for_organization(asset.organization_id).filter(asset=asset, code=code).exists():
        raise _invalid(
            "code", _("Asset %(asset)s already has a meter with the code %(code)s.") % {"asset": asset, "code": code}
        )
    initial = _check_value(initial_value)
    meter = Meter(organization_id=asset.organization_id, asset=asset, code=code, name=name, unit=unit)
    meter.current_value = initial
    validated(meter)
    meter.save()
    audit_record(
        organization=asset.organization,
        actor=actor,
        action="maintenance_meter.created",
        target=meter,
        changes=diff({}, snapshot(meter, METER_FIELDS)),
    )
    return meter


@transaction.atomic
def meter_update(*, actor: User | None, meter: Meter, name: str | None = None, unit: str | None = None) -> Meter:
    """Rename a meter or correct its unit (its code and readings stay)."""
    meter = Meter.objects.for_organization(meter.organization_id).select_for_update().get(pk=meter.pk)
    before = snapshot(meter, METER_FIELDS)
    if name is not None:
        if not name.strip():
            raise _invalid("name", _("Give the meter a name, e.g. lamp operating hours."))
        meter.name = name.strip()[:120]
    if unit is not None:
        if not unit.strip():
            raise _invalid("unit", _("Give the meter's unit, e.g. h."))
        meter.unit = unit.strip()[:16]
    meter.save(update_fields=["name", "unit"])
    changes = diff(before, snapshot(meter, METER_FIELDS))
    if changes:
        audit_record(
            organization=meter.organization,
            actor=actor,
            action="maintenance_meter.updated",
            target=meter,
            changes=changes,
        )
    return meter


@dataclass
class RecordedReading:
    reading: MeterReading
    meter: Meter
    generation: GenerationResult


@transaction.atomic
def meter_reading_record(
    *,
    actor: User | None,
    meter: Meter,
    value: Decimal,
    read_at: dt.datetime | None = None,
    replaced: bool = False,
) -> RecordedReading:
    """Record a reading and make the work orders of the asset's meter plans that it brings due.

    ``replaced`` marks the first reading of a new or reset meter: it may be lower than the current
    value, whose units are carried over into the meter's lifetime total.
    """
    meter = (
        Meter.objects.for_organization(meter.organization_id)
        .select_for_update(of=("self",))
        .select_related("organization", "asset")
        .get(pk=meter.pk)
    )
    if meter.asset.status != AssetStatus.ACTIVE:
        raise ApplicationError(
            _("Asset %(asset)s is retired: its meters are no longer read.") % {"asset": meter.asset},
            code="asset_retired",
        )
    value = _check_value(value)
    now = timezone.now()
    read_at = read_at or now
    if read_at > now + CLOCK_SKEW:
        raise _invalid("read_at", _("A reading cannot be dated in the future."))
    if not meter.organization.date_window.contains(read_at):
        raise _invalid("read_at", meter.organization.date_window.message(), code="date_out_of_range")
    if meter.read_at is not None and read_at < meter.read_at:
        raise _invalid(
            "read_at",
            _("The meter was last read at %(last)s: a new reading must be dated later.")
            % {"last": timezone.localtime(meter.read_at).strftime("%Y-%m-%d %H:%M")},
            code="reading_out_of_order",
        )
    before = snapshot(meter, [*METER_FIELDS, "carried_over"])
    if replaced:
        meter.carried_over += meter.current_value
    elif value < meter.current_value:
        raise _invalid(
            "value",
            _(
                "%(value)s is below the meter's current reading of %(current)s: a meter only goes up. "
                "If the meter was replaced or reset, mark the reading as such."
            )
            % {"value": _shown(value, meter.unit), "current": _shown(meter.current_value, meter.unit)},
            code="meter_went_down",
        )
    if meter.carried_over + value > MAX_VALUE:
        raise _invalid("value", _("This reading is too large for a meter."))
    meter.current_value = value
    meter.read_at = read_at
    meter.save(update_fields=["current_value", "read_at", "carried_over"])
    reading = MeterReading.objects.create(
        organization_id=meter.organization_id,
        meter=meter,
        value=value,
        read_at=read_at,
        read_by=actor if actor is not None and actor.is_authenticated else None,
        replaced=replaced,
    )
    audit_record(
        organization=meter.organization,
        actor=actor,
        action="maintenance_meter.replaced" if replaced else "maintenance_meter.read",
        target=meter,
        changes=diff(before, snapshot(meter, [*METER_FIELDS, "carried_over"])),
    )
    return RecordedReading(reading=reading, meter=meter, generation=generate_for_meter(actor=actor, meter=meter))
