"""The base of every serializer: input is checked once, here, for the whole API.

- A key that is not one of the serializer's writable fields is refused (code ``unknown_field``)
  rather than silently dropped: ``{"currency": "USD"}`` on a cost must not be read as CNY.
- Every date and date-time field keeps its value within the organisation's date window
  (``pmo.dates``); ``unbounded_date_fields`` names the fields that set the window itself.
- Every two-place decimal field (an amount) keeps its value within the money limit
  (``pmo.money``), whether the field comes from a model or is declared on the serializer.
- Every integer field without bounds of its own stays within what an integer column holds
  (``INTEGER_MIN`` to ``INTEGER_MAX``): a declared ``IntegerField(min_value=0)`` for a position
  or an order would otherwise let 10**20 through to the database, which refuses it with a 500.

Query-parameter serializers derive from ``QuerySerializer``: a query string carries other
parameters too (pagination, ordering), so only the dates are checked there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Model
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.utils.formatting import lazy_format

from pmo.dates import within_date_window
from pmo.money import validate_money

UNKNOWN_FIELD = "unknown_field"
MONEY_PLACES = 2

#: What PostgreSQL's integer column holds (a model's IntegerField and PositiveIntegerField).
INTEGER_MIN = -(2**31)
INTEGER_MAX = 2**31 - 1

_IN = TypeVar("_IN")
_MT = TypeVar("_MT", bound=Model)


def bound_dates(field: serializers.Field) -> None:
    """Give a date field (or a list of them) the date-window validator, once."""
    if isinstance(field, serializers.ListField):
        bound_dates(field.child)
    elif (
        isinstance(field, (serializers.DateField, serializers.DateTimeField))
        and within_date_window not in field.validators
    ):
        field.validators = [*field.validators, within_date_window]


def bound_money(field: serializers.Field) -> None:
    """Give an amount field (two places, or a list of them) the money-limit validator, once."""
    if isinstance(field, serializers.ListField):
        bound_money(field.child)
    elif (
        isinstance(field, serializers.DecimalField)
        and field.decimal_places == MONEY_PLACES
        and validate_money not in field.validators
    ):
        field.validators = [*field.validators, validate_money]


def bound_integers(field: serializers.Field) -> None:
    """Give an integer field (or a list of them) without its own bounds those of an integer column, once."""
    if isinstance(field, serializers.ListField):
        bound_integers(field.child)
        return
    if not isinstance(field, serializers.IntegerField):
        return
    if field.max_value is None:
        field.max_value = INTEGER_MAX
        message = lazy_format(field.error_messages["max_value"], max_value=INTEGER_MAX)  # type: ignore[arg-type]
        field.validators = [*field.validators, MaxValueValidator(INTEGER_MAX, message=message)]  # type: ignore[arg-type]
    if field.min_value is None:
        field.min_value = INTEGER_MIN
        message = lazy_format(field.error_messages["min_value"], min_value=INTEGER_MIN)  # type: ignore[arg-type]
        field.validators = [*field.validators, MinValueValidator(INTEGER_MIN, message=message)]  # type: ignore[arg-type]


class StrictInputMixin:
    """Refuse unknown keys; keep dates within the organisation's window and amounts within the limit."""

    #: Refuse keys that are not writable fields (off for query parameters).
    refuse_unknown_fields: ClassVar[bool] = True
    #: Date fields exempt from the window (the fields that define it).
    unbounded_date_fields: ClassVar[tuple[str, ...]] = ()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = super().get_fields()  # type: ignore[misc]
        for name, field in fields.items():
            if field.read_only:
                continue
            if name not in self.unbounded_date_fields:
                bound_dates(field)
            bound_money(field)
            bound_integers(field)
        return fields

    def to_internal_value(self, data: Any) -> Any:
        if self.refuse_unknown_fields and isinstance(data, Mapping):
            writable = {field.field_name for field in self._writable_fields}  # type: ignore[attr-defined]
            unknown = sorted(str(key) for key in data if key not in writable)
            if unknown:
                raise serializers.ValidationError(
                    {key: [ErrorDetail(_("Unknown field."), code=UNKNOWN_FIELD)] for key in unknown}
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class Serializer(StrictInputMixin, serializers.Serializer[_IN]):
    pass


class ModelSerializer(StrictInputMixin, serializers.ModelSerializer[_MT]):
    pass


class QuerySerializer(Serializer):
    """Query parameters: dates checked, other parameters (page, ordering) let through."""

    refuse_unknown_fields = False


class EmptyInput(Serializer):
    """The body of an action that takes none: any key in it is unknown."""


def refuse_body(request: Any) -> None:
    """Refuse a body with keys on an action that reads none (``POST …/submit/``, say)."""
    data = request.data
    EmptyInput(data=data if isinstance(data, Mapping) else {}).is_valid(raise_exception=True)
