"""MS Project XML exchange as jobs (``pmo.jobs``; the workbooks' jobs are in ``resources.jobs``): the
export of a project, the import into an empty plan and a new project from a file. The API and the
pages start them with ``start_export`` and ``start_import``: in the request when the work is small
(``PMO_JOB_INLINE_TASKS`` WBS elements to export, ``PMO_JOB_INLINE_BYTES`` to import), on a worker
otherwise, with the import's progress on the job's page. The handlers call the services; a refused
file fails the job with every problem in its fields.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo.jobs import JobContext, JobKind, JobOutcome, job_kinds
from pmo.models import Job, JobStatus, User
from projects.models import Project, WbsElement

EXPORT = "resources.mspdi_export"
IMPORT = "resources.mspdi_import"
CREATE = "resources.mspdi_create"
XML_CONTENT_TYPE = "application/xml; charset=utf-8"


def export_inline(project: Project) -> bool:
    """Whether the project is small enough to export in the request."""
    elements = WbsElement.objects.for_organization(project.organization_id).filter(project=project).count()
    return elements <= int(settings.PMO_JOB_INLINE_TASKS)


def import_inline(size: int) -> bool:
    """Whether a file of ``size`` bytes is small enough to import in the request."""
    return size <= int(settings.PMO_JOB_INLINE_BYTES)


def _progress(context: JobContext) -> Any:
    # Work done in the request has no one watching its bar: no progress writes (on SQLite they
    # would also wait for the import's own transaction).
    return None if context.payload.get("inline") else context.progress


def _project(context: JobContext) -> Project:
    return Project.objects.for_organization(context.organization).get(pk=context.payload["project_id"])


def export_handler(context: JobContext) -> JobOutcome:
    from resources.api.mspdi import file_name
    from resources.services.mspdi import project_export_mspdi

    project = _project(context)
    content = project_export_mspdi(
        project=project, rates_visible=bool(context.payload.get("rates_visible")), progress=_progress(context)
    )
    return JobOutcome(
        content=content,
        filename=f"{file_name(project)}.xml",
        content_type=XML_CONTENT_TYPE,
        report={"counts": {_("WBS elements"): project_elements(project)}},
    )


def project_elements(project: Project) -> int:
    return WbsElement.objects.for_organization(project.organization_id).filter(project=project).count()


def import_result(result: Any) -> dict[str, Any]:
    """An import's figures as the API answers them (``MspdiImportSerializer``), kept in the job's report."""
    from resources.api.mspdi import MspdiImportSerializer

    return dict(MspdiImportSerializer(result).data)


def import_outcome(result: Any) -> JobOutcome:
    """The report of an import: its figures, what could not be represented, the link to the plan."""
    project = result.project
    report: dict[str, Any] = {
        "counts": {
            _("WBS elements"): result.tasks,
            _("Links"): result.links,
            _("Assignments"): result.assignments,
            _("Resources found in the pool"): result.resources_matched,
            _("Resources added to the pool"): result.resources_created,
        },
        "messages": [str(line) for line in result.report],
        _("Project"): f"{project.code} · {project.name}",
    }
    if result.baseline is not None:
        report[_("Baseline")] = result.baseline.name
    if result.calendar is not None:
        report[_("Calendar")] = result.calendar.name
    report["result"] = import_result(result)
    link = reverse("project-wbs", args=[project.organization.slug, project.pk])
    return JobOutcome(report=report, link=link)


def import_handler(context: JobContext) -> JobOutcome:
    from resources.services.mspdi import project_import_mspdi

    result = project_import_mspdi(
        actor=context.requester(),
        project=_project(context),
        content=context.upload(),
        pool_allowed=bool(context.payload.get("pool_allowed")),
        rates_allowed=bool(context.payload.get("rates_allowed")),
        progress=_progress(context),
    )
    return import_outcome(result)


def create_handler(context: JobContext) -> JobOutcome:
    from resources.services.mspdi import project_create_from_mspdi

    result = project_create_from_mspdi(
        actor=context.requester(),
        organization=context.organization,
        content=context.upload(),
        code=str(context.payload.get("code") or ""),
        name=str(context.payload.get("name") or ""),
        pool_allowed=bool(context.payload.get("pool_allowed")),
        rates_allowed=bool(context.payload.get("rates_allowed")),
        progress=_progress(context),
    )
    return import_outcome(result)


def ran_inline(job: Job) -> bool:
    """Whether the job was done in the request that started it (small work)."""
    return bool(job.payload.get("inline"))


def inline_result(job: Job) -> dict[str, Any] | None:
    """The figures of an import done in the request (what the API answered before imports were jobs)."""
    if not ran_inline(job) or job.status != JobStatus.DONE:
        return None
    result = (job.report or {}).get("result")
    return result if isinstance(result, dict) else None


KINDS = (
    JobKind(EXPORT, gettext_lazy("MS Project XML export"), export_handler),
    JobKind(IMPORT, gettext_lazy("MS Project XML import"), import_handler),
    JobKind(CREATE, gettext_lazy("New project from MS Project XML"), create_handler),
)


def register() -> None:
    for kind in KINDS:
        job_kinds.register(kind)


def start_export(*, project: Project, user: User, rates_visible: bool) -> Job:
    """Export the project: in the request when it is small, otherwise on a worker."""
    from pmo.jobs import job_start

    inline = export_inline(project)
    return job_start(
        kind=EXPORT,
        organization=project.organization,
        requested_by=user,
        payload={"project_id": project.pk, "rates_visible": rates_visible, "inline": inline},
        inline=inline,
    )


def start_import(
    *,
    user: User,
    organization: Any,
    content: bytes,
    upload_name: str,
    pool_allowed: bool,
    rates_allowed: bool,
    project: Project | None = None,
    code: str = "",
    name: str = "",
) -> Job:
    """Import a file into ``project`` (its plan empty) or, without one, into a new project ``code``."""
    from pmo.jobs import job_start

    inline = import_inline(len(content))
    payload: dict[str, Any] = {"pool_allowed": pool_allowed, "rates_allowed": rates_allowed, "inline": inline}
    if project is not None:
        payload["project_id"] = project.pk
    else:
        payload.update(code=code, name=name)
    return job_start(
        kind=IMPORT if project is not None else CREATE,
        organization=organization,
        requested_by=user,
        payload=payload,
        upload=content,
        upload_name=upload_name or "project.xml",
        inline=inline,
    )
