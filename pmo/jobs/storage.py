"""Where jobs' uploads and results live: the ``jobs`` storage (a local folder or an S3-compatible bucket)."""

from __future__ import annotations

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages


def job_storage() -> Storage:
    return storages["jobs"]


def new_key(organization_id: int, part: str) -> str:
    """A random name that says nothing of the file: the organisation's folder, the part and 32 hex digits."""
    return f"{organization_id}/{part}-{secrets.token_hex(16)}"


def store_bytes(key: str, data: bytes, content_type: str = "") -> str:
    content = ContentFile(data)
    if content_type:
        content.content_type = content_type  # type: ignore[attr-defined]  # S3 stores it
    return job_storage().save(key, content)


def read(key: str) -> bytes:
    with job_storage().open(key, "rb") as handle:
        data: bytes = handle.read()
    return data


def remove(*keys: str) -> None:
    storage = job_storage()
    for key in keys:
        if key:
            storage.delete(key)
