"""Writes of resources' dated cost rates: add one, and correct or remove one not yet in force.

A rate holds from its date until the next one (``resources.rates``), so the history is kept by
adding rates, never by changing one already in force: a rate dated today or earlier stays as it
is. A rate dated after today may be corrected or removed. People and equipment have a standard
and an overtime rate per hour; a material has a cost per unit of measure and no overtime. Amounts
are in the organisation's currency (``Organization.default_currency``). A rate may be back-dated, but not
into a period finance has closed (``finance.services.period_lock``). Each change is audited as
``resource_rate.created``, ``resource_rate.updated`` or ``resource_rate.deleted``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from finance.services.period_lock import check_period_open
from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import User
from pmo.money import money_limit_message, within_money_limit
from resources.models import CostRate, Resource, ResourceKind
from resources.services.settings import validated

RATE_FIELDS = ["effective_from", "standard_rate", "overtime_rate", "note"]
MONEY_PLACES = 2


def _locked_resource(resource: Resource) -> Resource:
    return (
        Resource.objects.for_organization(resource.organization_id)
        .select_for_update(of=("self",), no_key=True)
        .select_related("organization")
        .get(pk=resource.pk)
    )


def _money_problem(value: Any, *, required: bool) -> str | None:
    if value is None:
        return _("This field is required.") if required else None
    if not isinstance(value, Decimal) or not value.is_finite():
        return _("Enter a number.")
    if value < 0:
        return _("A rate cannot be negative.")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MONEY_PLACES:
        return _("Use at most %(places)d decimal places.") % {"places": MONEY_PLACES}
    if not within_money_limit(value):
        return money_limit_message()
    return None


def _check_rate(resource: Resource, rate: CostRate) -> None:
    problems: dict[str, list[str]] = {}
    window = resource.organization.date_window
    if not isinstance(rate.effective_from, dt.date):
        problems["effective_from"] = [_("Enter a date.")]
    elif not window.contains(rate.effective_from):
        problems["effective_from"] = [window.message()]
    else:
        clash = (
            CostRate.objects.for_organization(resource.organization_id)
            .filter(resource=resource, effective_from=rate.effective_from)
            .exclude(pk=rate.pk)
            .exists()
        )
        if clash:
            problems["effective_from"] = [
                _("The resource already has a rate from %(day)s; correct that one or choose another date.")
                % {"day": rate.effective_from.isoformat()}
            ]
    standard = _money_problem(rate.standard_rate, required=True)
    if standard:
        problems["standard_rate"] = [standard]
    if resource.kind == ResourceKind.MATERIAL and rate.overtime_rate is not None:
        problems["overtime_rate"] = [_("A material has a cost per unit and no overtime rate.")]
    else:
        overtime = _money_problem(rate.overtime_rate, required=False)
        if overtime:
            problems["overtime_rate"] = [overtime]
    if problems:
        raise ApplicationError(next(iter(problems.values()))[0], code="invalid", fields=problems)


def _not_yet_in_force(rate: CostRate, today: dt.date) -> None:
    if rate.effective_from <= today:
        raise ApplicationError(
            _(
                "The rate from %(day)s is already in force and stays in the history; add a new rate from a later "
                "date instead."
            )
            % {"day": rate.effective_from.isoformat()},
            code="rate_in_force",
            status_code=409,
        )


@transaction.atomic
def cost_rate_add(
    *,
    actor: User,
    resource: Resource,
    effective_from: dt.date,
    standard_rate: Decimal,
    overtime_rate: Decimal | None = None,
    note: str = "",
) -> CostRate:
    """Add a rate from a date on; the one before it holds until then."""
    resource = _locked_resource(resource)
    rate = CostRate(
        organization_id=resource.organization_id,
        resource=resource,
        effective_from=effective_from,
        standard_rate=standard_rate,
        overtime_rate=overtime_rate,
        note=" ".join((note or "").split()),
        created_by=actor,
    )
    _check_rate(resource, rate)
    # The rate in force on a closed day is part of what was booked for it: a rate back-dated into a
    # closed period would disagree with the labour cost already booked there.
    check_period_open(resource.organization_id, rate.effective_from, "effective_from")
    validated(rate, exclude=["organization", "resource", "created_by"])
    rate.save()
    audit_record(
        organization=resource.organization,
        actor=actor,
        action="resource_rate.created",
        target=rate,
        changes=diff({}, {"resource": resource.pk, **snapshot(rate, RATE_FIELDS)}),
    )
    return rate


def _locked_rate(rate: CostRate) -> tuple[Resource, CostRate]:
    resource = _locked_resource(rate.resource)
    locked = CostRate.objects.for_organization(resource.organization_id).select_for_update().get(pk=rate.pk)
    locked.resource = resource
    return resource, locked


@transaction.atomic
def cost_rate_update(*, actor: User, rate: CostRate, **fields: Any) -> CostRate:
    """Correct a rate that is not in force yet (its date, amounts or note); its new date must be after today too."""
    unknown = sorted(set(fields) - set(RATE_FIELDS))
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %s") % ", ".join(unknown),
            fields={field: [_("This field cannot be changed.")] for field in unknown},
        )
    resource, rate = _locked_rate(rate)
    today = resource.organization.today()
    _not_yet_in_force(rate, today)
    before = snapshot(rate, RATE_FIELDS)
    for field, value in fields.items():
        setattr(rate, field, value)
    rate.note = " ".join((rate.note or "").split())
    if isinstance(rate.effective_from, dt.date) and rate.effective_from <= today:
        message = _("A corrected rate starts after today; to change what holds today, add a new rate.")
        raise ApplicationError(message, code="invalid", fields={"effective_from": [message]})
    _check_rate(resource, rate)
    validated(rate, exclude=["organization", "resource", "created_by"])
    changes = diff(before, snapshot(rate, RATE_FIELDS))
    if changes:
        rate.save()
        audit_record(
            organization=resource.organization,
            actor=actor,
            action="resource_rate.updated",
            target=rate,
            changes={"resource": [resource.pk, resource.pk], **changes},
        )
    return rate


@transaction.atomic
def cost_rate_remove(*, actor: User, rate: CostRate) -> None:
    """Remove a rate that is not in force yet; one in force stays in the history (409)."""
    resource, rate = _locked_rate(rate)
    _not_yet_in_force(rate, resource.organization.today())
    audit_record(
        organization=resource.organization,
        actor=actor,
        action="resource_rate.deleted",
        target=rate,
        changes=diff({"resource": resource.pk, **snapshot(rate, RATE_FIELDS)}, {}),
    )
    rate.delete()
