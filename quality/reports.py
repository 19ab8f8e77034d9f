"""The printed inspection report (``pmo.pdf``): header, each check with its readings and verdicts, and
the photographs of the inspection and of its readings, embedded at print size."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from pmo.models import Attachment
from pmo.pdf import attachment_src, embeddable, pdf_filename, render_pdf
from quality.models import ChecklistItem, Inspection, ItemKind, Reading
from quality.services import inspections as services


def _judgement(item: ChecklistItem, reading: Reading) -> str:
    """The verdict in the reader's language (the stored text is in the recorder's)."""
    if item.kind == ItemKind.TEXT:
        return reading.text
    try:
        return services.judge(item, reading).text
    except (AssertionError, KeyError):
        return reading.judgement


def _photos(inspection: Inspection, readings: list[Reading]) -> tuple[list[Attachment], dict[int, list[Attachment]]]:
    """The images attached to the inspection, and to each reading (one query)."""
    inspection_type = ContentType.objects.get_for_model(Inspection)
    reading_type = ContentType.objects.get_for_model(Reading)
    own: list[Attachment] = []
    by_reading: dict[int, list[Attachment]] = defaultdict(list)
    attachments = (
        Attachment.objects.for_organization(inspection.organization_id)
        .filter(content_type__in=[inspection_type, reading_type])
        .filter(object_id__in=[inspection.pk, *[reading.pk for reading in readings]])
        .order_by("uploaded_at", "pk")
    )
    for attachment in embeddable(attachments):
        if attachment.content_type_id == inspection_type.pk and attachment.object_id == inspection.pk:
            own.append(attachment)
        elif attachment.content_type_id == reading_type.pk:
            by_reading[attachment.object_id].append(attachment)
    return own, by_reading


def inspection_pdf(inspection: Inspection) -> tuple[bytes, str]:
    """The inspection as PDF bytes in the active language, and its file name. The caller has checked that
    the reader sees the inspection (and so its files)."""
    items, readings, missing = services.item_results(inspection)
    every_reading = [reading for item in items for reading in readings[item.pk]]
    own, by_reading = _photos(inspection, every_reading)
    sections: list[dict[str, Any]] = []
    for index, item in enumerate(items, start=1):
        sections.append(
            {
                "index": index,
                "item": item,
                "requirement": item.requirement(),
                "readings": [
                    {
                        "reading": reading,
                        "judgement": _judgement(item, reading),
                        "photos": [(photo, attachment_src(photo)) for photo in by_reading.get(reading.pk, [])],
                    }
                    for reading in readings[item.pk]
                ],
            }
        )
    title = _("Inspection report %(code)s") % {"code": inspection.code}
    content = render_pdf(
        "pdf/inspection.html",
        {
            "inspection": inspection,
            "project": inspection.project,
            "sections": sections,
            "missing": missing,
            "photos": [(photo, attachment_src(photo)) for photo in own],
            "has_photos": bool(own or by_reading),
        },
        organization=inspection.project.organization,
        title=title,
        attachments=[*own, *[photo for photos in by_reading.values() for photo in photos]],
    )
    return content, pdf_filename(inspection.project.code, inspection.code)
