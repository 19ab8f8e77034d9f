"""Answering a download: streamed through the application, or redirected to a short-lived signed URL."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase

from pmo.attachments import storage
from pmo.models import Attachment

#: Types a browser shows by itself; on the pages they open in the browser (a photo on a phone),
#: everything else is saved. Only types the upload accepted are ever served.
VIEWABLE = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf"})


def download_response(attachment: Attachment, *, viewable_inline: bool = False) -> HttpResponseBase:
    seconds = settings.PMO_ATTACHMENT_PRESIGNED_SECONDS
    url = storage.presigned_url(
        attachment.storage_key, filename=attachment.name, media_type=attachment.media_type, seconds=seconds
    )
    if url is not None:
        return HttpResponseRedirect(url)
    inline = viewable_inline and attachment.media_type in VIEWABLE
    return _stream(attachment.storage_key, attachment.media_type, filename=attachment.name, inline=inline)


def thumbnail_response(attachment: Attachment) -> HttpResponseBase:
    if not attachment.thumbnail_key:
        raise Http404
    return _stream(attachment.thumbnail_key, "image/jpeg", filename=thumbnail_name(attachment.name), inline=True)


def thumbnail_name(name: str) -> str:
    """``site-hoarding.jpg`` gives ``site-hoarding-thumbnail.jpg``: the original's name, never the storage key."""
    stem, dot, _extension = name.rpartition(".")
    return f"{stem if dot and stem else name}-thumbnail.jpg"


def _stream(key: str, media_type: str, *, filename: str = "", inline: bool = False) -> HttpResponseBase:
    try:
        handle = storage.attachment_storage().open(key, "rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=media_type, as_attachment=not inline, filename=filename)
    # The bytes are the user's: never let a browser guess another type (the site's policy applies too).
    response["X-Content-Type-Options"] = "nosniff"
    return response
