"""The projects app's records that carry files: status reports, change requests and passed stage gates."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pmo.attachments import register_attachable
from pmo.attachments.registry import set_project_role_resolver
from projects.models import ChangeRequest, ProjectMember, StageGate, StatusReport
from projects.permissions import ProjectAction


def _project_role(project: Any, user_id: int) -> str | None:
    role: str | None = (
        ProjectMember.objects.for_organization(project.organization_id)
        .filter(project=project, user_id=user_id)
        .values_list("role", flat=True)
        .first()
    )
    return role


def _on_project(name: str) -> Any:
    def url(record: Any) -> str:
        kwargs = {"org_slug": record.project.organization.slug, "project_id": record.project_id}
        if name != "project-gate":
            kwargs["pk"] = record.pk
        return reverse(name, kwargs=kwargs)

    return url


def _status_report_title(report: StatusReport) -> str:
    return _("Week ending %(date)s") % {"date": date_format(report.period_end, "Y-m-d")}


def _change_request_title(change_request: ChangeRequest) -> str:
    return f"CR-{change_request.number} {change_request.title}"


def _gate_title(gate: StageGate) -> str:
    return f"{gate.get_from_phase_display()} → {gate.get_to_phase_display()}"


TITLES: dict[type[Any], Any] = {
    StatusReport: _status_report_title,
    ChangeRequest: _change_request_title,
    StageGate: _gate_title,
}


# Each record, the action that attaches files (and deletes one's own), the action that deletes
# anybody's, and the page that shows it. Seeing the files needs what seeing the project needs; the
# evidence on a change request or a status report is removed only by its uploader or by whoever
# decides or reviews it; signed gate documents are filed by whoever manages the project.
RECORDS = (
    (StatusReport, ProjectAction.STATUS_REPORT_WRITE, ProjectAction.STATUS_REPORT_REVIEW, "project-status-report"),
    (ChangeRequest, ProjectAction.CHANGE_REQUEST_CREATE, ProjectAction.CHANGE_REQUEST_DECIDE, "project-change-request"),
    (StageGate, ProjectAction.PROJECT_MANAGE, ProjectAction.PROJECT_MANAGE, "project-gate"),
)


def register() -> None:
    set_project_role_resolver(_project_role)
    for model, change, manage, page in RECORDS:
        register_attachable(
            model,
            view=ProjectAction.PROJECT_VIEW,
            change=change,
            manage=manage,
            project=attrgetter("project"),
            url=_on_project(page),
            title=TITLES[model],
        )


def attach_demo_files(change_request: ChangeRequest, actor: Any) -> None:
    """The demo's evidence on a change request: a site photo and the signed approval, drawn here."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    from pmo.attachments.services import attachments_add

    photo = Image.new("RGB", (1200, 800), (176, 196, 222))
    draw = ImageDraw.Draw(photo)
    draw.rectangle((0, 520, 1200, 800), fill=(150, 140, 120))
    for left in range(80, 1200, 160):
        draw.rectangle((left, 330, left + 120, 560), fill=(230, 190, 40), outline=(60, 60, 60), width=4)
    draw.text((40, 40), "Site hoarding along the footpath", fill=(20, 20, 20), font_size=48)
    photo_bytes = io.BytesIO()
    photo.save(photo_bytes, format="JPEG", quality=85)

    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    lines = [f"Change request CR-{change_request.number}", "Approved by the project manager", "Signed: ____________"]
    for row, line in enumerate(lines):
        draw.text((120, 160 + row * 90), line, fill="black", font_size=44)
    approval = io.BytesIO()
    page.save(approval, format="PDF", resolution=150)

    attachments_add(
        actor=actor,
        organization=change_request.organization,
        parent=change_request,
        uploads=[
            SimpleUploadedFile("site-hoarding.jpg", photo_bytes.getvalue(), "image/jpeg"),
            SimpleUploadedFile("signed-approval.pdf", approval.getvalue(), "application/pdf"),
        ],
    )
