"""The plan's Excel export and import as background jobs (``pmo.jobs``), for plans too large for one request.

The views start a job above ``PMO_PLAN_XLSX_JOB_ABOVE`` tasks (an upload counts as ``PLAN_BYTES_PER_TASK``
bytes a task); below it they answer at once, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo.errors import ApplicationError
from pmo.jobs import JobKind, JobOutcome, job_kinds
from pmo.xlsx import XLSX_CONTENT_TYPE
from projects.models import Project, WbsElement

if TYPE_CHECKING:
    from pmo.jobs.context import JobContext

PLAN_XLSX_EXPORT = "projects.plan_xlsx_export"
PLAN_XLSX_IMPORT = "projects.plan_xlsx_import"
#: About what one task takes in a plan workbook (a 2,000-task plan with its baseline: 230 KB).
PLAN_BYTES_PER_TASK = 100


def export_in_job(project: Project) -> bool:
    """Whether the plan's export is large enough to run as a job."""
    limit = int(settings.PMO_PLAN_XLSX_JOB_ABOVE)
    return (
        WbsElement.objects.for_organization(project.organization_id).filter(project=project)[limit : limit + 1].exists()
    )


def import_in_job(content: bytes) -> bool:
    """Whether an uploaded plan workbook is large enough to be imported as a job."""
    return len(content) > int(settings.PMO_PLAN_XLSX_JOB_ABOVE) * PLAN_BYTES_PER_TASK


def _project(context: JobContext) -> Project:
    project = (
        Project.objects.for_organization(context.organization)
        .select_related("organization")
        .filter(pk=context.payload.get("project"))
        .first()
    )
    if project is None:
        raise ApplicationError(_("The project no longer exists."), code="not_found")
    return project


def plan_xlsx_export(context: JobContext) -> JobOutcome:
    from projects.api.views.plan import _file_name
    from projects.services.plan_xlsx import plan_export_xlsx

    project = _project(context)
    content = plan_export_xlsx(project, progress=context.progress)
    return JobOutcome(content=content, filename=f"{_file_name(project)}-plan.xlsx", content_type=XLSX_CONTENT_TYPE)


def plan_xlsx_import(context: JobContext) -> JobOutcome:
    from projects.services.plan_xlsx import plan_import_xlsx

    project = _project(context)
    result = plan_import_xlsx(
        actor=context.requester(), project=project, content=context.upload(), progress=context.progress
    )
    return JobOutcome(
        report={
            "counts": {
                _("Elements"): result.elements,
                _("Links"): result.dependencies,
                _("Baseline tasks"): result.baseline_tasks,
            }
        },
        link=reverse("project-wbs", kwargs={"org_slug": context.organization.slug, "project_id": project.pk}),
    )


def register() -> None:
    job_kinds.register(JobKind(PLAN_XLSX_EXPORT, gettext_lazy("Plan export (Excel)"), plan_xlsx_export))
    job_kinds.register(JobKind(PLAN_XLSX_IMPORT, gettext_lazy("Plan import (Excel)"), plan_xlsx_import))
