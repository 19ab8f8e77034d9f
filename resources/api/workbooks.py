"""The resource pool and a project's assignments as Excel workbooks: export, template and import.

Under ``/api/v1/orgs/{org_slug}/``: ``resources/xlsx/`` (the active pool; rates only with
``resource_rates.view``), ``resources/xlsx/template/`` and ``resources/xlsx/import/`` (the resource office);
under ``projects/{project_id}/``: ``assignments/xlsx/`` (who sees the assignments), ``assignments/xlsx/template/``
and ``assignments/xlsx/import/`` (who assigns). Imports take the multipart field ``file``. An upload over
``resources.jobs.JOB_UPLOAD_BYTES`` or an export over ``JOB_ROWS`` rows starts a job (``pmo.jobs``): 202 and
the job to follow, or its answer at once when it has already run (eager Celery).
"""

from __future__ import annotations

from typing import Any

from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.api import inputs
from pmo.api.common import actor
from pmo.api.jobs import job_responses
from pmo.api.workbooks import (
    XLSX_RENDERERS,
    XLSX_RESPONSE,
    WorkbookMultiPartParser,
    WorkbookUploadSerializer,
    file_stem,
    uploaded_workbook,
    xlsx_response,
)
from pmo.jobs import job_started_api_response
from pmo.policy import can
from projects.api.base import ProjectScopedMixin
from resources import jobs as resource_jobs
from resources.api.pool import Pool, PoolImportResultSerializer
from resources.models import Assignment, Resource
from resources.permissions import ResourceAction
from resources.services import workbooks

TAG = "resource pool"
ASSIGNMENTS_TAG = "assignments"

POOL_RULES = _(
    "A workbook (.xlsx) with the sheet “Resources” (its name and headers in English or Chinese) with the CSV "
    "import's columns as typed cells: Code and Name (required), Kind, Placeholder (yes/no), Role, Department, "
    "User, Calendar, Hours per day, Maximum units (%), Unit of measure, Skills (Skill:level;Skill:level), "
    "Standard rate, Overtime rate, Rate from (a date) and Notes; the template's sheet “Columns explained” "
    "describes each. The export holds the active resources by code with the rate in force today (empty for "
    "those who may not see rates) and imports as it is into a pool without those codes.\n"
    "\n"
    "The whole workbook is checked first and nothing is added unless every row is valid: the error (code "
    "`invalid_workbook`) maps each bad cell (`Resources!D5`), row (`Resources!5`) or sheet to its problems, each "
    "starting with the column's header, and `file` to problems of the file as a whole (`invalid_file`: not a "
    "workbook; 413 `too_large`)."
)
ASSIGNMENTS_RULES = _(
    "A workbook (.xlsx) with the sheet “Assignments”: WBS code (a task or milestone of the project) and "
    "Resource code (an active resource) are required; Given as (units or work) says which of Units (%) and Work "
    "counts, the other is derived from the task's working days (a material is given by its quantity, as work); "
    "Note is optional; Task and Resource (the names) are for reading and ignored. The export has the same "
    "columns, in WBS order, and imports as it is into a project with the same WBS and no assignments.\n"
    "\n"
    "Each row is added as `POST assignments/` would add it; a resource assigned to the task already, or twice "
    "in the workbook, is refused. The whole workbook is checked first and nothing is added unless every row "
    "is valid: the error (code `invalid_workbook`) maps each bad cell (`Assignments!C5`), row or sheet to its "
    "problems, and `file` to problems of the file as a whole."
)


#: An export's answers: the workbook, or a job for a large one.
EXPORT_RESPONSES: dict[Any, Any] = {**XLSX_RESPONSE, 202: job_responses(file=True)[202]}


class AssignmentImportResultSerializer(inputs.Serializer):
    created = serializers.IntegerField(help_text=_("Assignments added."))
    ids = serializers.ListField(child=serializers.IntegerField(), help_text=_("Their ids, in the sheet's order."))


class PoolWorkbookView(Pool, generics.GenericAPIView):
    schema_description = POOL_RULES
    serializer_class = PoolImportResultSerializer
    renderer_classes = XLSX_RENDERERS
    filter_backends: list[Any] = []

    @extend_schema(
        summary=_("Export the active resource pool as an Excel workbook"),
        description=POOL_RULES,
        tags=[TAG],
        responses=EXPORT_RESPONSES,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with_rates = can(self.membership, ResourceAction.RATES_VIEW)
        if resource_jobs.in_job(
            rows=Resource.objects.for_organization(self.organization).filter(is_active=True).count()
        ):
            return job_started_api_response(
                request,
                kind=resource_jobs.POOL_EXPORT,
                organization=self.organization,
                requested_by=actor(request),
                payload={"with_rates": with_rates},
            )
        data = workbooks.pool_workbook(self.organization, with_rates=with_rates)
        return xlsx_response(data, f"{file_stem(self.organization.slug, 'organisation')}-resource-pool.xlsx")


class PoolWorkbookTemplateView(Pool, generics.GenericAPIView):
    schema_description = POOL_RULES
    serializer_class = PoolImportResultSerializer
    renderer_classes = XLSX_RENDERERS
    read_action = ResourceAction.POOL_MANAGE
    filter_backends: list[Any] = []

    @extend_schema(
        summary=_("The Excel template of the pool: an example row and a sheet explaining each column"),
        description=POOL_RULES,
        tags=[TAG],
        responses=XLSX_RESPONSE,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return xlsx_response(workbooks.pool_template(), "resource-pool-template.xlsx")


class PoolWorkbookImportView(Pool, generics.GenericAPIView):
    schema_description = POOL_RULES
    serializer_class = PoolImportResultSerializer
    parser_classes = [WorkbookMultiPartParser]
    filter_backends: list[Any] = []

    @extend_schema(
        summary=_("Import resources from an Excel workbook: every row, or none"),
        description=POOL_RULES,
        tags=[TAG],
        request={"multipart/form-data": WorkbookUploadSerializer},
        responses={**job_responses(file=False), 201: PoolImportResultSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        data = uploaded_workbook(request)
        rates_allowed = can(self.membership, ResourceAction.RATES_MANAGE)
        if resource_jobs.in_job(size=len(data)):
            return job_started_api_response(
                request,
                kind=resource_jobs.POOL_IMPORT,
                organization=self.organization,
                requested_by=actor(request),
                payload={"rates_allowed": rates_allowed},
                upload=data,
                upload_name="resource-pool.xlsx",
            )
        created = workbooks.pool_import_xlsx(
            actor=actor(request), organization=self.organization, data=data, rates_allowed=rates_allowed
        )
        result = {"created": len(created), "codes": [resource.code for resource in created]}
        return Response(PoolImportResultSerializer(result).data, status=status.HTTP_201_CREATED)


class AssignmentsWorkbook(ProjectScopedMixin, generics.GenericAPIView):
    schema_description = ASSIGNMENTS_RULES
    serializer_class = AssignmentImportResultSerializer
    read_action = ResourceAction.RESOURCES_VIEW
    write_action = ResourceAction.ASSIGN
    filter_backends: list[Any] = []


class AssignmentsWorkbookView(AssignmentsWorkbook):
    renderer_classes = XLSX_RENDERERS

    @extend_schema(
        summary=_("Export the project's assignments as an Excel workbook"),
        description=ASSIGNMENTS_RULES,
        tags=[ASSIGNMENTS_TAG],
        responses=EXPORT_RESPONSES,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        rows = Assignment.objects.for_organization(self.organization).filter(project=self.project).count()
        if resource_jobs.in_job(rows=rows):
            return job_started_api_response(
                request,
                kind=resource_jobs.ASSIGNMENTS_EXPORT,
                organization=self.organization,
                requested_by=actor(request),
                payload={"project": self.project.pk},
            )
        name = f"{file_stem(self.project.code, f'project-{self.project.pk}')}-assignments.xlsx"
        return xlsx_response(workbooks.assignments_workbook(self.project), name)


class AssignmentsTemplateView(AssignmentsWorkbook):
    renderer_classes = XLSX_RENDERERS
    read_action = ResourceAction.ASSIGN

    @extend_schema(
        summary=_("The Excel template of assignments: an example row and a sheet explaining each column"),
        description=ASSIGNMENTS_RULES,
        tags=[ASSIGNMENTS_TAG],
        responses=XLSX_RESPONSE,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return xlsx_response(workbooks.assignments_template(), "assignments-template.xlsx")


class AssignmentsImportView(AssignmentsWorkbook):
    parser_classes = [WorkbookMultiPartParser]

    @extend_schema(
        summary=_("Import assignments from an Excel workbook into the project: every row, or none"),
        description=ASSIGNMENTS_RULES,
        tags=[ASSIGNMENTS_TAG],
        request={"multipart/form-data": WorkbookUploadSerializer},
        responses={**job_responses(file=False), 201: AssignmentImportResultSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        data = uploaded_workbook(request)
        if resource_jobs.in_job(size=len(data)):
            return job_started_api_response(
                request,
                kind=resource_jobs.ASSIGNMENTS_IMPORT,
                organization=self.organization,
                requested_by=actor(request),
                payload={"project": self.project.pk},
                upload=data,
                upload_name="assignments.xlsx",
            )
        created = workbooks.assignments_import_xlsx(actor=actor(request), project=self.project, data=data)
        result = {"created": len(created), "ids": [assignment.pk for assignment in created]}
        return Response(AssignmentImportResultSerializer(result).data, status=status.HTTP_201_CREATED)
