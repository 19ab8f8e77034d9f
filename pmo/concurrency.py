"""Optimistic locking: the version a client read, compared with the stored row under its lock.

A row's version is a hash of its stored columns, so every model has one without a version
column or a migration. The API sends it as the ``ETag`` of a resource and honours
``If-Match`` on writes (``pmo.api.base``); pages put it in a hidden form field
(``pmo.pages``). Both compare it while holding the row lock, after the locks that writers of
the same data take first (the project row, see ``projects.services.locks``), so of many
writers that read the same version exactly one wins and the others are told the item changed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import models
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import gettext as _
from rest_framework.utils.encoders import JSONEncoder

from pmo.errors import ApplicationError

PRECONDITION_FAILED = "precondition_failed"


def row_version(instance: models.Model) -> str:
    """A short hash of the row's stored columns (and its model): changes whenever any of them does."""
    values = {field.attname: field.value_from_object(instance) for field in instance._meta.concrete_fields}
    payload = json.dumps([instance._meta.label_lower, values], cls=JSONEncoder, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def locked_row(instance: models.Model) -> models.Model:
    """Read the row again, locked (its own table only) until the end of the transaction."""
    manager: Any = type(instance)._base_manager
    return manager.select_for_update(of=("self",), no_key=True).get(pk=instance.pk)


def representation_hash(data: Any) -> str:
    """A short hash of a response body as it is sent."""
    payload = json.dumps(data, cls=JSONEncoder, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def etag(version: str, representation: str) -> str:
    """The ETag of a response: the row's version, then the hash of the body sent.

    ``If-Match`` compares the row's version (a write concerns the row); ``If-None-Match``
    compares the whole tag, so a 304 is only ever sent for the very body the client holds.
    """
    return quote_etag(f"{version}-{representation}")


def etag_matches(header: str, version: str) -> bool:
    """``If-Match``: ``*`` or one of the listed tags names the row's current version.

    A tag the client got weakened (``W/"…"``) counts too: Django's ``GZipMiddleware`` weakens every
    ETag of a compressed response, so a client that accepts gzip only ever holds weak tags. Only the
    row-version part is compared, and it names the stored row exactly whatever the encoding.
    """
    tags = parse_etags(header)
    if "*" in tags:
        return True
    return version in [tag.removeprefix("W/").strip('"').split("-")[0] for tag in tags]


def etag_in(header: str, tag: str) -> bool:
    """``If-None-Match``: one of the listed tags (weakly compared) is the response's own."""
    tags = parse_etags(header)
    return "*" in tags or tag.removeprefix("W/") in [listed.removeprefix("W/") for listed in tags]


def stale(message: str | None = None) -> ApplicationError:
    return ApplicationError(
        message
        or _(
            "This item was changed by someone else while you were editing. Review the current values and submit again."
        ),
        code=PRECONDITION_FAILED,
        status_code=412,
    )
