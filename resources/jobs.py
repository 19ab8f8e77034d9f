"""The pool's and assignments' workbooks as jobs (``pmo.jobs``), for the large ones: the views start
one when an upload or an export passes ``JOB_UPLOAD_BYTES`` or ``JOB_ROWS``; smaller ones run in the
request. Each handler calls the same service as the request would, with the job's progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo.jobs import JobKind, JobOutcome
from pmo.xlsx import XLSX_CONTENT_TYPE, file_stem
from projects.models import Project

if TYPE_CHECKING:
    from pmo.jobs import JobContext

#: An upload larger than this is imported by a job on a worker.
JOB_UPLOAD_BYTES = 1024 * 1024
#: An export of more rows than this is written by a job on a worker.
JOB_ROWS = 5000

POOL_IMPORT = "resources.pool_xlsx_import"
POOL_EXPORT = "resources.pool_xlsx_export"
ASSIGNMENTS_IMPORT = "resources.assignments_xlsx_import"
ASSIGNMENTS_EXPORT = "resources.assignments_xlsx_export"


def in_job(*, size: int = 0, rows: int = 0) -> bool:
    """Whether an upload of ``size`` bytes or an export of ``rows`` rows is large enough for a job."""
    return size > JOB_UPLOAD_BYTES or rows > JOB_ROWS


def pool_import_job(context: JobContext) -> JobOutcome:
    from resources.services import workbooks

    created = workbooks.pool_import_xlsx(
        actor=context.requester(),
        organization=context.organization,
        data=context.upload(),
        rates_allowed=bool(context.payload.get("rates_allowed")),
        progress=context.progress,
    )
    return JobOutcome(
        report={"counts": {_("Resources added"): len(created)}},
        link=reverse("org-resource-pool", args=[context.organization.slug]),
    )


def pool_export_job(context: JobContext) -> JobOutcome:
    from resources.services import workbooks

    data = workbooks.pool_workbook(
        context.organization, with_rates=bool(context.payload.get("with_rates")), progress=context.progress
    )
    name = f"{file_stem(context.organization.slug, 'organisation')}-resource-pool.xlsx"
    return JobOutcome(content=data, filename=name, content_type=XLSX_CONTENT_TYPE)


def _project(context: JobContext) -> Project:
    return Project.objects.for_organization(context.organization).get(pk=context.payload["project"])


def assignments_import_job(context: JobContext) -> JobOutcome:
    from resources.services import workbooks

    project = _project(context)
    created = workbooks.assignments_import_xlsx(
        actor=context.requester(), project=project, data=context.upload(), progress=context.progress
    )
    return JobOutcome(
        report={"counts": {_("Assignments added"): len(created)}},
        link=reverse("project-resources", args=[context.organization.slug, project.pk]),
    )


def assignments_export_job(context: JobContext) -> JobOutcome:
    from resources.services import workbooks

    project = _project(context)
    name = f"{file_stem(project.code, f'project-{project.pk}')}-assignments.xlsx"
    return JobOutcome(
        content=workbooks.assignments_workbook(project, progress=context.progress),
        filename=name,
        content_type=XLSX_CONTENT_TYPE,
    )


KINDS = (
    JobKind(POOL_IMPORT, gettext_lazy("Resource pool import (Excel)"), pool_import_job),
    JobKind(POOL_EXPORT, gettext_lazy("Resource pool export (Excel)"), pool_export_job),
    JobKind(ASSIGNMENTS_IMPORT, gettext_lazy("Assignments import (Excel)"), assignments_import_job),
    JobKind(ASSIGNMENTS_EXPORT, gettext_lazy("Assignments export (Excel)"), assignments_export_job),
)
