"""Answering a download: streamed through the application, or redirected to a short-lived signed URL."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase

from pmo.attachments import storage
from pmo.models import Attachment


def download_response(attachment: Attachment) -> HttpResponseBase:
    seconds = settings.PMO_ATTACHMENT_PRESIGNED_SECONDS
    url = storage.presigned_url(
        attachment.storage_key, filename=attachment.name, media_type=attachment.media_type, seconds=seconds
    )
    if url is not None:
        return HttpResponseRedirect(url)
    return _stream(attachment.storage_key, attachment.media_type, filename=attachment.name)


def thumbnail_response(attachment: Attachment) -> HttpResponseBase:
    if not attachment.thumbnail_key:
        raise Http404
    return _stream(attachment.thumbnail_key, "image/jpeg")


def _stream(key: str, media_type: str, filename: str | None = None) -> HttpResponseBase:
    try:
        handle = storage.attachment_storage().open(key, "rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(
        handle, content_type=media_type, as_attachment=filename is not None, filename=filename or ""
    )
    # The bytes are the user's: never let a browser guess another type (the site's policy applies too).
    response["X-Content-Type-Options"] = "nosniff"
    return response
