"""Where attachment bytes live: the ``attachments`` storage (local folder or S3-compatible bucket)."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages


def attachment_storage() -> Storage:
    return storages["attachments"]


def new_key(organization_id: int) -> str:
    """A random name that says nothing of the file: the organisation's folder and 32 hex digits."""
    return f"{organization_id}/{secrets.token_hex(16)}"


class _Typed(File):
    """A file that tells the storage its sniffed type (S3 stores it), never the browser's claim."""

    def __init__(self, file: Any, content_type: str) -> None:
        super().__init__(file)
        self.content_type = content_type


def store(key: str, content: Any, media_type: str) -> str:
    content.seek(0)
    return attachment_storage().save(key, _Typed(getattr(content, "file", content), media_type))


def store_bytes(key: str, data: bytes, media_type: str) -> str:
    return attachment_storage().save(key, _Typed(ContentFile(data), media_type))


def remove(*keys: str) -> None:
    storage = attachment_storage()
    for key in keys:
        if key:
            storage.delete(key)


def presigned_url(key: str, *, filename: str, media_type: str, seconds: int) -> str | None:
    """A URL of the object store valid for ``seconds``, or None when the storage cannot sign one."""
    storage: Any = attachment_storage()
    if seconds <= 0 or not getattr(storage, "querystring_auth", False) or not hasattr(storage, "bucket_name"):
        return None
    from django.utils.http import content_disposition_header

    parameters = {
        "ResponseContentDisposition": content_disposition_header(as_attachment=True, filename=filename),
        "ResponseContentType": media_type,
    }
    return str(storage.url(key, parameters=parameters, expire=seconds))
