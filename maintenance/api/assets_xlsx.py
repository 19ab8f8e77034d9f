"""The asset register as an Excel workbook: ``asset-export/xlsx/`` (the filtered register, everyone who may
see assets), ``asset-import/template/xlsx/`` and ``asset-import/xlsx/`` (every row, or none; the maintenance
office)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, renderers, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from maintenance import jobs
from maintenance.api.assets import FILTER_PARAMETERS, TAG, AssetImportResultSerializer, Register
from maintenance.permissions import MaintenanceAction
from maintenance.services import assets_xlsx
from pmo.api import inputs
from pmo.api.common import actor as _actor
from pmo.api.jobs import job_responses
from pmo.api.workbooks import WorkbookMultiPartParser, XlsxRenderer, uploaded_workbook
from pmo.jobs import job_started_api_response
from pmo.xlsx import xlsx_response

XLSX_RULES = _(
    "The asset register as an Excel workbook (.xlsx): the sheet “Assets” has the CSV's columns, with headers in "
    "the user's language (either language is read back) and typed cells: coordinates, quantity and surface as "
    "numbers, dates as dates, the unit as its name. The template has an example row and a second sheet that "
    "explains each column.\n"
    "\n"
    "The import checks the whole workbook first, with the CSV import's rules, and writes nothing unless every row "
    "is valid; a code already in the register is refused. Its error (`invalid_workbook`) lists every bad cell: "
    "`fields` maps the cell (`Assets!D5`), the row (`Assets!5`), the sheet (`Assets`) or `file` to messages that "
    "start with the column's header. A file larger than the limit is refused with 413 (`too_large`), a file that "
    "is not a workbook with `invalid_file`.\n"
    "\n"
    "A large export (more than 5,000 assets) or import (a workbook over 512 KB) runs as a job: the answer is "
    "202 with the job resource and its URL in `Location` (with eager Celery the job is done at once: the file, "
    "or the job's report)."
)
BINARY = {(200, XlsxRenderer.media_type): OpenApiTypes.BINARY}


class AssetWorkbookUploadSerializer(inputs.Serializer):
    file = serializers.FileField(help_text=_("The workbook (.xlsx)."))


class AssetWorkbookImportView(Register, generics.GenericAPIView):
    schema_description = XLSX_RULES
    serializer_class = AssetImportResultSerializer
    parser_classes = [WorkbookMultiPartParser]
    filter_backends: list[Any] = []

    @extend_schema(
        summary=_("Import assets from an Excel workbook: every row, or none"),
        description=XLSX_RULES,
        tags=[TAG],
        request={"multipart/form-data": AssetWorkbookUploadSerializer},
        responses={201: AssetImportResultSerializer, **job_responses(file=False)},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        content = uploaded_workbook(request)
        if len(content) > jobs.JOB_UPLOAD_BYTES:
            return job_started_api_response(
                request,
                kind=jobs.IMPORT,
                organization=self.organization,
                requested_by=_actor(request),
                upload=content,
                upload_name=request.FILES["file"].name or "assets.xlsx",
            )
        created = assets_xlsx.assets_import_xlsx(actor=_actor(request), organization=self.organization, content=content)
        result = {"created": len(created), "codes": [asset.code for asset in created]}
        return Response(AssetImportResultSerializer(result).data, status=status.HTTP_201_CREATED)


class AssetWorkbookExportView(Register, generics.GenericAPIView):
    schema_description = XLSX_RULES
    renderer_classes = [renderers.JSONRenderer, XlsxRenderer]
    filter_backends: list[Any] = []

    @extend_schema(
        summary=_("Export the asset register as an Excel workbook (the list's filters apply)"),
        description=XLSX_RULES,
        tags=[TAG],
        parameters=FILTER_PARAMETERS,
        responses={**job_responses(file=True), **BINARY},
        filters=False,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        assets = jobs.filtered(self.organization, request.query_params.urlencode())
        if assets.count() > jobs.JOB_ROWS:
            return job_started_api_response(
                request,
                kind=jobs.EXPORT,
                organization=self.organization,
                requested_by=_actor(request),
                payload={"query": request.query_params.urlencode()},
            )
        return xlsx_response(assets_xlsx.assets_export_xlsx(assets), "assets.xlsx")


class AssetWorkbookTemplateView(Register, generics.GenericAPIView):
    schema_description = XLSX_RULES
    read_action = MaintenanceAction.MANAGE
    renderer_classes = [renderers.JSONRenderer, XlsxRenderer]
    filter_backends: list[Any] = []

    @extend_schema(
        summary=_("An empty asset register workbook to fill in: header, example row, columns explained"),
        description=XLSX_RULES,
        tags=[TAG],
        responses=BINARY,
        filters=False,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return xlsx_response(assets_xlsx.template_xlsx(), "assets-template.xlsx")
