"""Hand-written reads of whole rows for the request path: the SQL is text, the rows are model instances.

Every request reads its token, membership, organisation and (on a project's URL) project in the same
shape. Building those queries through the ORM costs several times their execution (about 3 ms of
Python for a 0.3 ms query), so the resolvers write them once as SQL over the models' own column
lists and turn each row back into instances here, with the same conversions the ORM applies
(``from_db_value`` and the backend's converters, so SQLite's dates and JSON columns come back as the
ORM would give them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.db import connections, models

Converter = Callable[[Any, Any, Any], Any]


@cache
def _fields(model: type[models.Model]) -> tuple[models.Field[Any, Any], ...]:
    return tuple(model._meta.concrete_fields)


def select_list(model: type[models.Model], alias: str) -> str:
    """The model's columns, in field order, for a SELECT list: ``alias."column", …``."""
    return ", ".join(f'{alias}."{field.column}"' for field in _fields(model))


def width(model: type[models.Model]) -> int:
    return len(_fields(model))


@cache
def _converters(model: type[models.Model], alias: str) -> tuple[tuple[int, Any, tuple[Converter, ...]], ...]:
    connection = connections[alias]
    found = []
    for index, field in enumerate(_fields(model)):
        column = field.get_col(model._meta.db_table)
        functions = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
        if functions:
            found.append((index, column, tuple(functions)))
    return tuple(found)


def instance(model: type[models.Model], values: Sequence[Any], using: str = "default") -> Any:
    """A model instance from the values of ``select_list(model, …)``, converted as the ORM converts them."""
    row = list(values)
    connection = connections[using]
    for index, column, functions in _converters(model, using):
        for function in functions:
            row[index] = function(row[index], column, connection)
    return model.from_db(using, [field.attname for field in _fields(model)], row)


def fetch_one(sql: str, params: Sequence[Any], using: str = "default") -> tuple[Any, ...] | None:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row: tuple[Any, ...] | None = cursor.fetchone()
        return row
