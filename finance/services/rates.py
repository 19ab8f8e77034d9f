"""Exchange rates: how many units of the organisation's currency one unit of another is worth.

A rate holds from its ``valid_from`` date until the next rate of the same currency. Rates are
added or removed, never edited, so what a past conversion used stays on record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from finance.models import ExchangeRate
from finance.services.categories import validated
from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Organization, User

ONE = Decimal(1)
RATE_FIELDS = ["currency", "rate", "valid_from"]


@transaction.atomic
def exchange_rate_create(
    *, actor: User, organization: Organization, currency: str, rate: Decimal, valid_from: dt.date
) -> ExchangeRate:
    currency = (currency or "").strip().upper()
    if currency == organization.default_currency:
        raise ApplicationError(
            _("%(currency)s is the organisation's own currency; its rate is always 1.") % {"currency": currency},
            code="own_currency",
            fields={"currency": [_("Choose another currency.")]},
        )
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
        raise ApplicationError(_("A rate is more than zero."), fields={"rate": [_("Enter a number more than zero.")]})
    exchange_rate = ExchangeRate(organization=organization, currency=currency, rate=rate, valid_from=valid_from)
    validated(exchange_rate)
    if ExchangeRate.objects.for_organization(organization).filter(currency=currency, valid_from=valid_from).exists():
        raise ApplicationError(
            _("A rate for this currency and date already exists."),
            code="duplicate_rate",
            fields={"valid_from": [_("A rate for this currency and date already exists.")]},
        )
    exchange_rate.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="exchange_rate.created",
        target=exchange_rate,
        changes=diff({}, snapshot(exchange_rate, RATE_FIELDS)),
    )
    return exchange_rate


@transaction.atomic
def exchange_rate_delete(*, actor: User, rate: ExchangeRate) -> None:
    rate = ExchangeRate.objects.for_organization(rate.organization_id).select_for_update().get(pk=rate.pk)
    audit_record(
        organization=rate.organization,
        actor=actor,
        action="exchange_rate.deleted",
        target=rate,
        changes=diff(snapshot(rate, RATE_FIELDS), {}),
    )
    rate.delete()


# --- reads ----------------------------------------------------------------------------


def rates_on(organization: Organization, currencies: Iterable[str], day: dt.date) -> dict[str, Decimal | None]:
    """The rate of each currency on ``day`` (1 for the organisation's own; None when none holds yet).

    One query, whatever the number of currencies (none when all are the organisation's own).
    """
    wanted = {currency.upper() for currency in currencies}
    result: dict[str, Decimal | None] = dict.fromkeys(wanted)
    foreign = wanted - {organization.default_currency}
    if organization.default_currency in wanted:
        result[organization.default_currency] = ONE
    if foreign:
        rates = ExchangeRate.objects.for_organization(organization)
        latest = rates.filter(currency=OuterRef("currency"), valid_from__lte=day).order_by("-valid_from")
        for currency, rate in rates.filter(currency__in=foreign, pk=Subquery(latest.values("pk")[:1])).values_list(
            "currency", "rate"
        ):
            result[currency] = rate
    return result


def rate_on(organization: Organization, currency: str, day: dt.date) -> Decimal | None:
    """The rate of ``currency`` on ``day``: the latest one valid from that day or before, or None."""
    return rates_on(organization, [currency], day)[currency.upper()]
