"""The one limit on an amount a user enters, and the validator that keeps input within it.

Every amount a user enters (API input, page forms, CSV imports, and the model validation the
services run) is at most ``MONEY_LIMIT`` either way: a trillion less a cent. Its 15 significant
digits survive SQLite's float storage exactly (the quick-start database keeps decimals as
floats: 16 digits come back wrong, and reading them back fails), and the columns' 16 digits
leave room for the sums and figures derived from amounts.

Model fields get ``validate_money`` where money is declared (``finance.models.money``, the
plan's budgeted costs); every writable two-place decimal field of an API serializer gets it
from the strict input base (``pmo.api.inputs``); page forms from their model or money field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MONEY_LIMIT = Decimal("999999999999.99")
MONEY_OUT_OF_RANGE = "money_out_of_range"


def money_limit_message() -> str:
    return _("Enter an amount of at most %(limit)s.") % {"limit": f"{MONEY_LIMIT:,}"}


def within_money_limit(value: Decimal) -> bool:
    return abs(value) <= MONEY_LIMIT


def validate_money(value: Any) -> None:
    """A validator: raise ``ValidationError`` (code ``money_out_of_range``) beyond the limit either way."""
    if isinstance(value, (Decimal, int)) and Decimal(value).is_finite() and not within_money_limit(Decimal(value)):
        raise ValidationError(money_limit_message(), code=MONEY_OUT_OF_RANGE)
