"""A project's actual costs as workbook jobs (``pmo.jobs``), for the large ones: the views start one when
an upload or an export passes ``JOB_UPLOAD_BYTES`` or ``JOB_ROWS``; smaller ones run in the request."""

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

COSTS_IMPORT = "finance.actual_costs_xlsx_import"
COSTS_EXPORT = "finance.actual_costs_xlsx_export"


def in_job(*, size: int = 0, rows: int = 0) -> bool:
    """Whether an upload of ``size`` bytes or an export of ``rows`` rows is large enough for a job."""
    return size > JOB_UPLOAD_BYTES or rows > JOB_ROWS


def _project(context: JobContext) -> Project:
    return Project.objects.for_organization(context.organization).get(pk=context.payload["project"])


def costs_import_job(context: JobContext) -> JobOutcome:
    from finance.services import costs_xlsx

    project = _project(context)
    created = costs_xlsx.actual_costs_import_xlsx(
        actor=context.requester(), project=project, data=context.upload(), progress=context.progress
    )
    return JobOutcome(
        report={"counts": {_("Actual costs recorded"): len(created)}},
        link=reverse("project-actual-costs", args=[context.organization.slug, project.pk]),
    )


def costs_export_job(context: JobContext) -> JobOutcome:
    from finance.services import costs_xlsx

    project = _project(context)
    return JobOutcome(
        content=costs_xlsx.actual_costs_workbook(project, progress=context.progress),
        filename=f"{file_stem(project.code, f'project-{project.pk}')}-actual-costs.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


KINDS = (
    JobKind(COSTS_IMPORT, gettext_lazy("Actual costs import (Excel)"), costs_import_job),
    JobKind(COSTS_EXPORT, gettext_lazy("Actual costs export (Excel)"), costs_export_job),
)
