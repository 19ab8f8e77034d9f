"""The asset register as an Excel workbook: ``asset-export/xlsx/`` (the filtered register, everyone who may
see assets), ``asset-import/template/xlsx/`` and ``asset-import/xlsx/`` (every row, or none; the maintenance
office)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, renderers, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from maintenance.api.assets import FILTER_PARAMETERS, TAG, AssetImportResultSerializer, Register
from maintenance.forms_assets import AssetFilter
from maintenance.models import Asset
from maintenance.permissions import MaintenanceAction
from maintenance.services import assets_xlsx
from pmo.api import inputs
from pmo.api.common import actor as _actor
from pmo.errors import ApplicationError
from pmo.xlsx_http import WorkbookMultiPartParser, XlsxRenderer, uploaded_workbook, workbook_response

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
    "is not a workbook with `invalid_file`."
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
        responses={201: AssetImportResultSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        content = uploaded_workbook(request.FILES)
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
        responses=BINARY,
        filters=False,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        queryset = Asset.objects.for_organization(self.organization).order_by("site__code", "route_order", "code")
        filterset = AssetFilter(request.query_params, queryset=queryset)
        if not filterset.is_valid():
            raise ApplicationError(
                gettext("A filter is not valid."),
                code="invalid_filter",
                fields={name: [str(message) for message in errors] for name, errors in filterset.errors.items()},
            )
        return workbook_response(assets_xlsx.assets_export_xlsx(filterset.qs), "assets.xlsx")


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
        return workbook_response(assets_xlsx.template_xlsx(), "assets-template.xlsx")
