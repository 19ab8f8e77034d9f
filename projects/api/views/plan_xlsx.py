"""The plan as an Excel workbook: export, template and import (``projects.services.plan_xlsx``)."""

from __future__ import annotations

from typing import Any

from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.api.jobs import job_responses
from pmo.api.workbooks import WORKBOOK_PARSERS, XLSX_RENDERERS, uploaded_workbook, xlsx_response
from pmo.jobs.responses import job_api_response
from pmo.jobs.services import job_start
from pmo.xlsx import XLSX_CONTENT_TYPE
from projects import jobs
from projects.api import serializers as s
from projects.api.base import ProjectScopedMixin
from projects.api.views.common import _actor
from projects.api.views.plan import _file_name
from projects.models import WbsElement
from projects.permissions import ProjectAction
from projects.services import plan_xlsx

PLAN_XLSX_FORMAT = gettext_lazy(
    "A project's plan as an Excel workbook (.xlsx): export any plan, import a whole plan into a project\n"
    "whose plan is empty. A plan of more than `PMO_PLAN_XLSX_JOB_ABOVE` tasks (500) is exported and\n"
    "imported as a background job: the answer is then the job (202 with its `Location`, or 200 once\n"
    "done: the export's file, the import's report).\n"
    "\n"
    "Sheet **Tasks**: one row per WBS element in tree order: WBS code and outline level, name, kind\n"
    "(summary, task, milestone), duration in working days, planned start and finish (for reading; the\n"
    "import schedules again), planned cost (two decimals), percent-complete method, percent complete,\n"
    "actual start and finish, predecessors in MS Project's notation (`1.2FS+2d;1.3SS-1d`: code, type\n"
    "FS/SS/FF/SF with FS the default, lag in working days), leveling delay and notes. Only the WBS code\n"
    "and the name are required.\n"
    "\n"
    "Sheet **Baseline** (optional): the current baseline, one row per task: the plan's task by WBS\n"
    "code, the code and name frozen in the baseline, start, finish, duration, cost and the baseline's\n"
    "name. The import makes it the project's current baseline.\n"
    "\n"
    "Headers and sheet names are written in the user's language and read in either (or by their\n"
    "keys); dates are date cells, amounts numbers. The template has an example row per sheet and a\n"
    "sheet explaining every column.\n"
    "\n"
    "The import checks the whole workbook first and writes nothing unless it is valid. Its error\n"
    "(`invalid_workbook`) lists every problem in `fields`, keyed by the cell (`Tasks!D5`), the row\n"
    "(`Tasks!5`), the sheet (`Tasks`) or `file`; each message starts with the column's header. A file\n"
    "that is not a workbook is refused with `invalid_file`, one too large with 413 `too_large`, and a\n"
    "project that already has a plan with `plan_not_empty`."
)


class PlanWorkbookView(ProjectScopedMixin, generics.GenericAPIView):
    schema_description = gettext_lazy("The project's plan and current baseline as an Excel workbook.")

    queryset = WbsElement.objects.all()
    serializer_class = s.PlanWorkbookImportResultSerializer
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_MANAGE
    parser_classes = WORKBOOK_PARSERS
    renderer_classes = XLSX_RENDERERS

    @extend_schema(
        summary=gettext_lazy("Export the plan as an Excel workbook"),
        description=PLAN_XLSX_FORMAT,
        tags=["plan"],
        responses={**job_responses(file=True), (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if jobs.export_in_job(self.project):
            return job_api_response(request, self._start(jobs.PLAN_XLSX_EXPORT, request))
        return xlsx_response(plan_xlsx.plan_export_xlsx(self.project), f"{_file_name(self.project)}-plan.xlsx")

    def _start(self, kind: str, request: Request, upload: bytes | None = None) -> Any:
        return job_start(
            kind=kind,
            organization=self.organization,
            requested_by=_actor(request),
            payload={"project": self.project.pk},
            upload=upload,
            upload_name="plan.xlsx" if upload is not None else "",
        )

    @extend_schema(
        summary=gettext_lazy("Import a whole plan from an Excel workbook into a project whose plan is empty"),
        description=PLAN_XLSX_FORMAT,
        tags=["plan"],
        request={"multipart/form-data": s.PlanWorkbookUploadSerializer, XLSX_CONTENT_TYPE: OpenApiTypes.BINARY},
        responses={**job_responses(file=False), 201: s.PlanWorkbookImportResultSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        content = uploaded_workbook(request)
        if jobs.import_in_job(content):
            return job_api_response(request, self._start(jobs.PLAN_XLSX_IMPORT, request, content))
        result = plan_xlsx.plan_import_xlsx(actor=_actor(request), project=self.project, content=content)
        return Response(s.PlanWorkbookImportResultSerializer(result).data, status=status.HTTP_201_CREATED)


class PlanWorkbookTemplateView(ProjectScopedMixin, generics.GenericAPIView):
    schema_description = gettext_lazy("The workbook to fill in for a plan import.")

    queryset = WbsElement.objects.all()
    read_action = ProjectAction.PROJECT_VIEW
    renderer_classes = XLSX_RENDERERS

    @extend_schema(
        summary=gettext_lazy(
            "The plan workbook's template: an example row per sheet and a sheet explaining each column"
        ),
        tags=["plan"],
        responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return xlsx_response(plan_xlsx.plan_template_xlsx(), f"{_file_name(self.project)}-plan-template.xlsx")
