"""The fast read path of list endpoints: rows read as values, output built by a plan derived from the serializer.

A list endpoint keeps its read-only ``ModelSerializer`` as the one declaration of its output: the
OpenAPI schema is generated from it, and :class:`RowBuilder` compiles it once into a plan (for each
field its key, the ``values()`` column it reads and a converter chosen by the field's DRF type, the
same rule DRF's ``to_representation`` applies). The view reads ``queryset.values(*builder.columns)``,
no model instances, and ``builder.build(rows)`` returns the very dicts the serializer would.

A field the plan cannot derive (a ``SerializerMethodField``, a property of the model) is named in
``computed`` with the columns it needs and a function of the row (a nested serializer's field as
``outer.inner``, its columns and function still those of the whole row; ``Computed.method`` runs
the serializer's own ``get_<field>``); a field that is neither derivable nor computed stops the
compilation (``ImproperlyConfigured``), so a serializer cannot grow a field the fast path silently
leaves out. ``tests/pmo/test_api_rows.py`` holds every organisation list to this path, and it and
each app's list tests compare the builder's output with the serializer's on the same rows.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

Row = Mapping[str, Any]
Converter = Callable[[Any], Any]


@dataclass(frozen=True)
class Computed:
    """A field built from a row by ``value``, reading ``columns`` (``values()`` names)."""

    columns: tuple[str, ...]
    value: Callable[[Row], Any]

    @classmethod
    def method(cls, serializer_class: type[serializers.Serializer[Any]], field: str, *columns: str) -> Computed:
        """A ``SerializerMethodField`` computed by the serializer's own ``get_<field>``.

        The method is given an object whose attributes are the row's ``columns`` (a missing one
        raises ``AttributeError``, so ``getattr`` with a default works as on the model), so the
        method stays the one rule; it must read no more than these attributes and no context.
        """
        holder: list[Any] = []

        def value(row: Row) -> Any:
            if not holder:
                holder.append(getattr(serializer_class(), f"get_{field}"))
            return holder[0](_RowObject(row))

        return cls(columns, value)


class _RowObject:
    """A row read through attributes, for a serializer method written for a model instance."""

    __slots__ = ("_row",)

    def __init__(self, row: Row) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        try:
            return self._row[name]
        except KeyError:
            raise AttributeError(name) from None


def _identity(value: Any) -> Any:
    return value


_IDENTITY_FIELDS = (
    serializers.IntegerField,
    serializers.BooleanField,
    serializers.CharField,  # also EmailField, SlugField, URLField, RegexField
    serializers.UUIDField,
    serializers.PrimaryKeyRelatedField,
    serializers.ReadOnlyField,
)


def _decimal_converter(field: serializers.DecimalField) -> Converter:
    coerce = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
    if field.localize or field.decimal_places is None:
        return field.to_representation
    quantum = decimal.Decimal(".1") ** field.decimal_places
    rounding, normalize, digits = field.rounding, field.normalize_output, field.max_digits
    # DRF copies the thread's context for every value; Django leaves it at Python's default.
    context = decimal.getcontext().copy()
    if digits is not None:
        context.prec = digits

    def convert(value: Any) -> Any:
        if not isinstance(value, decimal.Decimal):
            value = decimal.Decimal(str(value).strip())
        quantized = value.quantize(quantum, rounding=rounding, context=context)
        if normalize:
            quantized = quantized.normalize()
        return f"{quantized:f}" if coerce else quantized

    return convert


def _date_converter(field: serializers.DateField) -> Converter:
    if getattr(field, "format", api_settings.DATE_FORMAT) != ISO_8601:
        return field.to_representation
    # values() gives dates (the backend's converters apply), never strings.
    return datetime.date.isoformat


def _choice_converter(field: serializers.ChoiceField) -> Converter:
    if all(isinstance(key, str) for key in field.choices):
        return _identity
    return field.to_representation


class _DateTimes:
    """DRF's ISO date-time: in the current time zone, ``Z`` for UTC; the zone read once per build."""

    @staticmethod
    def applies(field: serializers.DateTimeField) -> bool:
        return getattr(field, "format", api_settings.DATETIME_FORMAT) == ISO_8601 and not hasattr(field, "timezone")

    @staticmethod
    def convert(value: Any, zone: Any) -> str:
        if isinstance(value, str):
            return value
        if zone is not None:
            value = value.astimezone(zone) if timezone.is_aware(value) else timezone.make_aware(value, zone)
        text: str = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text


@dataclass(frozen=True)
class _Step:
    key: str
    column: str | None  # None: a nested builder or a computed field
    convert: Converter | None = None
    datetime: bool = False
    nested: RowBuilder | None = None
    null_column: str | None = None  # for a nested object: null when this column is
    computed: Computed | None = None


class RowBuilder:
    """Builds a read-only serializer's output from ``values()`` rows (see the module)."""

    def __init__(
        self,
        serializer_class: type[serializers.Serializer[Any]],
        *,
        computed: Mapping[str, Computed] | None = None,
        prefix: str = "",
    ) -> None:
        self.serializer_class = serializer_class
        self.computed = dict(computed or {})
        self.prefix = prefix

    def __repr__(self) -> str:
        return f"RowBuilder({self.serializer_class.__name__})"

    @cached_property
    def steps(self) -> tuple[_Step, ...]:
        serializer = self.serializer_class()
        unknown = {name.split(".", 1)[0] for name in self.computed} - set(serializer.fields)
        if unknown:
            raise ImproperlyConfigured(f"{self!r}: computed fields {sorted(unknown)} are not fields of the serializer.")
        return tuple(self._step(name, field) for name, field in serializer.fields.items() if not field.write_only)

    @cached_property
    def columns(self) -> tuple[str, ...]:
        """The ``values()`` names the rows must carry, in order and without repeats."""
        names: dict[str, None] = {}
        for step in self.steps:
            if step.computed is not None:
                names.update(dict.fromkeys(step.computed.columns))
            elif step.nested is not None:
                names.update(dict.fromkeys(step.nested.columns))
            else:
                names[step.column] = None  # type: ignore[index]
        return tuple(names)

    def _step(self, name: str, field: serializers.Field) -> _Step:
        if name in self.computed:
            return _Step(name, None, computed=self.computed[name])
        source = field.source
        if isinstance(field, serializers.SerializerMethodField) or not isinstance(source, str) or source == "*":
            raise ImproperlyConfigured(
                f"{self!r}: the field {name!r} cannot be read from a row; name it in computed= with its columns."
            )
        column = self.prefix + source.replace(".", "__")
        if isinstance(field, serializers.ModelSerializer) and not getattr(field, "many", False):
            model: type[models.Model] = field.Meta.model
            # A nested serializer's own computed fields are named ``field.inner`` here.
            inner = {key.split(".", 1)[1]: value for key, value in self.computed.items() if key.startswith(f"{name}.")}
            nested = RowBuilder(type(field), computed=inner, prefix=f"{column}__")
            return _Step(name, None, nested=nested, null_column=f"{column}__{model._meta.pk.attname}")
        if isinstance(field, serializers.ListSerializer) and self._is_plain_column(source):
            # Many plain serializers over a JSON column (a list of dicts): DRF's own representation.
            return _Step(name, column, field.to_representation)
        if isinstance(field, serializers.DecimalField):
            return _Step(name, column, _decimal_converter(field))
        if isinstance(field, serializers.DateTimeField):
            if _DateTimes.applies(field):
                return _Step(name, column, datetime=True)
            return _Step(name, column, field.to_representation)
        if isinstance(field, serializers.DateField):
            return _Step(name, column, _date_converter(field))
        if isinstance(field, serializers.ChoiceField):
            return _Step(name, column, _choice_converter(field))
        if isinstance(field, serializers.FloatField):
            return _Step(name, column, float)
        if isinstance(field, serializers.JSONField) and not field.binary:
            return _Step(name, column, _identity)
        if isinstance(field, _IDENTITY_FIELDS):
            return _Step(name, column, _identity)
        if isinstance(field, serializers.Field) and not isinstance(field, serializers.BaseSerializer):
            return _Step(name, column, field.to_representation)
        raise ImproperlyConfigured(f"{self!r}: the field {name!r} ({type(field).__name__}) has no row converter.")

    def _is_plain_column(self, source: str) -> bool:
        """``source`` is a stored column of the serializer's model that is no relation (a JSON list, say)."""
        model = getattr(getattr(self.serializer_class, "Meta", None), "model", None)
        if model is None or "." in source:
            return False
        try:
            found = model._meta.get_field(source)
        except Exception:  # noqa: BLE001  (FieldDoesNotExist: a property or a reverse relation's name)
            return False
        return bool(getattr(found, "concrete", False)) and not found.is_relation

    def _expression(self, namespace: dict[str, Any]) -> str:
        """A dict display that builds one row; the converters it calls are put in ``namespace``."""

        def name(value: Any) -> str:
            key = f"_{len(namespace)}"
            namespace[key] = value
            return key

        items = []
        for step in self.steps:
            if step.computed is not None:
                value = f"{name(step.computed.value)}(row)"
            elif step.nested is not None:
                value = f"(None if row[{step.null_column!r}] is None else {step.nested._expression(namespace)})"
            elif step.datetime:
                item = name(None)
                value = f"(None if ({item} := row[{step.column!r}]) is None else _datetime({item}, _zone))"
            elif step.convert is _identity:
                value = f"row[{step.column!r}]"
            else:
                item = name(None)
                value = f"(None if ({item} := row[{step.column!r}]) is None else {name(step.convert)}({item}))"
            items.append(f"{step.key!r}: {value}")
        return "{" + ", ".join(items) + "}"

    @cached_property
    def _row_function(self) -> Callable[[Row, Any], dict[str, Any]]:
        """One function per serializer, written once: a dict display, no loop over the fields per row."""
        namespace: dict[str, Any] = {"_datetime": _DateTimes.convert}
        expression = self._expression(namespace)
        code = f"def build(row, _zone):\n    return {expression}\n"
        exec(compile(code, f"<RowBuilder {self.serializer_class.__name__}>", "exec"), namespace)  # noqa: S102
        function: Callable[[Row, Any], dict[str, Any]] = namespace["build"]
        return function

    def build(self, rows: Iterable[Row]) -> list[dict[str, Any]]:
        """The serializer's output (``many=True``) for these rows, in their order."""
        zone = timezone.get_current_timezone() if settings.USE_TZ else None
        build = self._row_function
        return [build(row, zone) for row in rows]


class RowListMixin:
    """A list action that reads ``values()`` and builds its rows with ``row_builder``, paginated as before.

    Mixed into a generic view or viewset before ``ListModelMixin``; filters, ordering and
    pagination apply to the queryset as they did, and the schema still comes from the serializer.
    """

    row_builder: RowBuilder

    def complete_rows(self, rows: list[dict[str, Any]]) -> None:
        """Fill in what the page's rows hold of other tables (a list of related rows), in one query.

        The builder leaves such a field to a ``Computed`` placeholder; a view that overrides this
        reads the related rows of the whole page at once (what ``prefetch_related`` did).
        """

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        from rest_framework.response import Response

        view: Any = self
        queryset = view.filter_queryset(view.get_queryset())
        if queryset._prefetch_related_lookups:
            # Rows are dicts: what a prefetch would attach, complete_rows reads.
            queryset = queryset.prefetch_related(None)
        rows = queryset.values(*self.row_builder.columns)
        page = view.paginate_queryset(rows)
        built = self.row_builder.build(page if page is not None else rows)
        self.complete_rows(built)
        if page is not None:
            return view.get_paginated_response(built)
        return Response(built)
