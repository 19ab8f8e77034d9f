"""The printed work-order sheet (``pmo.pdf``): what and where, the SLA deadlines, the work done, the
history, the verification readings and the photos, with lines to sign on site."""

from __future__ import annotations

from django.utils.translation import gettext as _

from maintenance.models import AssetReading, WorkOrder, WorkOrderEvent
from pmo.attachments.access import attachments_of
from pmo.pdf import attachment_src, embeddable, pdf_filename, render_pdf


def work_order_pdf(work_order: WorkOrder) -> tuple[bytes, str]:
    """The work order as PDF bytes in the active language, and its file name. The caller has checked
    that the reader sees the work order (and so its files)."""
    organization = work_order.organization
    history = list(
        WorkOrderEvent.objects.for_organization(organization)
        .filter(work_order=work_order)
        .select_related("actor")
        .order_by("at", "id")
    )
    readings = list(
        AssetReading.objects.for_organization(organization)
        .filter(verifies=work_order)
        .select_related("criterion_version", "taken_by")
        .order_by("taken_at")
    )
    photos = embeddable(attachments_of(work_order).order_by("uploaded_at", "pk"))
    content = render_pdf(
        "pdf/work_order.html",
        {
            "wo": work_order,
            "history": history,
            "readings": readings,
            "photos": [(photo, attachment_src(photo)) for photo in photos],
        },
        organization=organization,
        title=_("Work order %(reference)s") % {"reference": work_order.reference},
        attachments=photos,
    )
    return content, pdf_filename(work_order.reference)
