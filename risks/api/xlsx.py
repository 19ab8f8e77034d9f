"""A project's risk register as an Excel workbook: import a workbook of risks (or check it), export, template."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.api import inputs
from pmo.api.common import actor
from pmo.api.workbooks import WorkbookMultiPartParser, XlsxRenderer, uploaded_workbook
from pmo.xlsx import workbook_name, xlsx_response
from projects.api.base import ProjectScopedMixin
from projects.api.views import TRUE_VALUES
from risks import xlsx_io
from risks.api.csv import RegisterImportResultSerializer
from risks.permissions import RiskAction

TAGS = ["risks"]
XLSX_FORMAT = gettext_lazy(
    "A project's risk register as an Excel workbook (.xlsx): the sheet “Risks” has the CSV's columns, with "
    "headers in the user's language (either language is read back) and typed cells: dates as dates, amounts as "
    "numbers with two decimals, kind, status and level as their names. The template has an example row and a "
    "second sheet that explains each column.\n"
    "\n"
    "The import checks the whole workbook first, with the CSV import's rules, and writes nothing unless every "
    "row is valid. A risk keeps its code (a code the project already has is refused); rows without one take the "
    "next numbers. Score, level, EMV and next review are written for reading and worked out again on import. "
    "Its error (`invalid_workbook`) lists every bad cell: `fields` maps the cell (`Risks!D5`), the row "
    "(`Risks!5`), the sheet (`Risks`) or `file` to messages that start with the column's header. A file larger "
    "than the limit is refused with 413 (`too_large`), a file that is not a workbook with `invalid_file`. "
    "`dry_run` (a query parameter or a form field) runs the whole import and writes nothing."
)


class RegisterWorkbookUploadSerializer(inputs.Serializer):
    file = serializers.FileField(help_text=gettext_lazy("The workbook (.xlsx)."))
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text=gettext_lazy("Check the workbook only; write nothing.")
    )


class RiskRegisterXlsxViewSet(ProjectScopedMixin, viewsets.GenericViewSet):
    schema_description = XLSX_FORMAT
    serializer_class = RegisterImportResultSerializer
    read_action = RiskAction.RISK_VIEW
    write_action = RiskAction.RISK_MANAGE
    action_permissions = {"import_xlsx": RiskAction.RISK_MANAGE}

    @extend_schema(
        summary=gettext_lazy("Import risks from an Excel workbook into the project's register: every row, or none"),
        description=XLSX_FORMAT,
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "dry_run",
                OpenApiTypes.BOOL,
                description=gettext_lazy("Check the workbook only (every row through the services), write nothing."),
            )
        ],
        request={"multipart/form-data": RegisterWorkbookUploadSerializer},
        responses={201: RegisterImportResultSerializer, 200: RegisterImportResultSerializer},
        filters=False,
    )
    @action(detail=False, methods=["post"], parser_classes=[WorkbookMultiPartParser])
    def import_xlsx(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        content = uploaded_workbook(request)
        flag = request.query_params.get("dry_run") or request.data.get("dry_run")
        dry_run = str(flag or "").strip().lower() in TRUE_VALUES
        result = xlsx_io.register_import_xlsx(
            actor=actor(request), project=self.project, content=content, dry_run=dry_run
        )
        return Response(
            RegisterImportResultSerializer(result).data,
            status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=gettext_lazy("Export the project's risk register as an Excel workbook"),
        description=XLSX_FORMAT,
        tags=TAGS,
        responses={(200, XlsxRenderer.media_type): OpenApiTypes.BINARY},
        filters=False,
    )
    @action(detail=False, methods=["get"], renderer_classes=[renderers.JSONRenderer, XlsxRenderer])
    def export_xlsx(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return xlsx_response(xlsx_io.register_export_xlsx(self.project), workbook_name(self.project.code, "risks"))

    @extend_schema(
        summary=gettext_lazy("An empty risk register workbook to fill in: header, example row, columns explained"),
        description=XLSX_FORMAT,
        tags=TAGS,
        responses={(200, XlsxRenderer.media_type): OpenApiTypes.BINARY},
        filters=False,
    )
    @action(detail=False, methods=["get"], renderer_classes=[renderers.JSONRenderer, XlsxRenderer])
    def template_xlsx(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return xlsx_response(xlsx_io.template_xlsx(), workbook_name(self.project.code, "risks-template"))


def xlsx_route(method: str, name: str) -> Any:
    """The view of one of the workbook actions, with its parsers and renderers, as a router would build it."""
    return RiskRegisterXlsxViewSet.as_view({method: name}, **getattr(RiskRegisterXlsxViewSet, name).kwargs)
