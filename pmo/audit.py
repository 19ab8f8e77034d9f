"""The audit trail: services call :func:`audit_record` inside their transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from pmo.models import AuditEvent, Organization, User


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None


_NO_REQUEST = RequestContext()
_request_context: ContextVar[RequestContext] = ContextVar("pmo_request_context", default=_NO_REQUEST)


@contextmanager
def request_context(context: RequestContext) -> Iterator[None]:
    token = _request_context.set(context)
    try:
        yield
    finally:
        _request_context.reset(token)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal,)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Return ``{field: [old, new]}`` for the fields whose value changed."""
    return {
        field: [_plain(before.get(field)), _plain(after.get(field))]
        for field in sorted(set(before) | set(after))
        if _plain(before.get(field)) != _plain(after.get(field))
    }


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {field: getattr(instance, field) for field in fields}


def _event(
    organization: Organization, actor: User | None, action: str, target: models.Model, changes: dict[str, Any] | None
) -> AuditEvent:
    """The event of a change, unsaved, with the request's id and address."""
    from pmo.models import AuditEvent

    context = _request_context.get()
    return AuditEvent(
        organization=organization,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk or ""),
        target_repr=str(target)[:255],
        changes=_plain(changes or {}),
        request_id=context.request_id,
        ip_address=context.ip_address,
    )


def audit_record(
    *,
    organization: Organization,
    actor: User | None,
    action: str,
    target: models.Model,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    event = _event(organization, actor, action, target, changes)
    event.save(force_insert=True)
    return event


def audit_record_many(
    *,
    organization: Organization,
    actor: User | None,
    action: str,
    entries: Iterable[tuple[models.Model, dict[str, Any]]],
    progress: Callable[[int, int], None] | None = None,
    total: int = 0,
    batch_size: int = 1000,
) -> int:
    """One event per (target, changes), as ``audit_record`` writes them, inserted a batch at a time:
    an import of 100,000 rows writes its 100,000 events in 100 statements, not 100,000. Returns
    how many; ``progress(done, total)`` after each batch."""
    from pmo.models import AuditEvent

    done = 0
    batch: list[AuditEvent] = []

    def flush() -> None:
        nonlocal done
        AuditEvent.objects.for_organization(organization).bulk_create(batch)
        done += len(batch)
        batch.clear()
        if progress is not None:
            progress(done, total)

    for target, changes in entries:
        batch.append(_event(organization, actor, action, target, changes))
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return done
