"""A project's risk register as CSV: import a file of risks (or check it in a dry run), export, template."""

from __future__ import annotations

import re
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
from pmo.api.parsers import MultiPartParser
from projects.api.base import ProjectScopedMixin
from projects.api.views import TRUE_VALUES, CsvParser, CsvRenderer, PlainTextParser, uploaded_csv
from projects.models import Project
from risks import csv_io
from risks.permissions import RiskAction

TAGS = ["risks"]


class RegisterImportUploadSerializer(inputs.Serializer):
    file = serializers.FileField(help_text=gettext_lazy("The CSV file (UTF-8, or GB18030 as Excel saves it)."))
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text=gettext_lazy("Check the file only; write nothing.")
    )


class RegisterImportResultSerializer(inputs.Serializer):
    created = serializers.IntegerField(help_text=gettext_lazy("Risks added (or that would be, in a dry run)."))
    dry_run = serializers.BooleanField()
    codes = serializers.ListField(child=serializers.CharField(), help_text=gettext_lazy("Their codes."))
    high = serializers.IntegerField(help_text=gettext_lazy("How many of them are open and high."))
    exposure = serializers.DecimalField(
        max_digits=18, decimal_places=2, help_text=gettext_lazy("Their EMV: threats minus opportunities.")
    )


def file_name(project: Project, suffix: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", project.code).strip("-") or f"project-{project.pk}"
    return f"{stem}-{suffix}.csv"


def csv_response(body: str, name: str) -> HttpResponse:
    """CSV text with a byte-order mark, so that spreadsheet programs open UTF-8 (Chinese) correctly."""
    response = HttpResponse(("\ufeff" + body).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class RiskRegisterCsvViewSet(ProjectScopedMixin, viewsets.GenericViewSet):
    schema_description = csv_io.CSV_FORMAT
    serializer_class = RegisterImportResultSerializer
    read_action = RiskAction.RISK_VIEW
    write_action = RiskAction.RISK_MANAGE
    action_permissions = {"import_csv": RiskAction.RISK_MANAGE}

    @extend_schema(
        summary=gettext_lazy("Import risks from a CSV file into the project's register: every row, or none"),
        description=csv_io.CSV_FORMAT,
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "dry_run",
                OpenApiTypes.BOOL,
                description=gettext_lazy("Check the file only (every row through the services), write nothing."),
            )
        ],
        request={"multipart/form-data": RegisterImportUploadSerializer, "text/csv": OpenApiTypes.STR},
        responses={201: RegisterImportResultSerializer, 200: RegisterImportResultSerializer},
        filters=False,
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, CsvParser, PlainTextParser])
    def import_csv(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        content = uploaded_csv(request)
        multipart = request.content_type.startswith("multipart/")
        flag = request.query_params.get("dry_run") or (request.data.get("dry_run") if multipart else "")
        dry_run = str(flag or "").strip().lower() in TRUE_VALUES
        result = csv_io.register_import_csv(
            actor=actor(request), project=self.project, content=content, dry_run=dry_run
        )
        return Response(
            RegisterImportResultSerializer(result).data,
            status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=gettext_lazy("Export the project's risk register as CSV (the import's columns)"),
        description=csv_io.CSV_FORMAT,
        tags=TAGS,
        responses={(200, "text/csv"): OpenApiTypes.STR},
        filters=False,
    )
    @action(detail=False, methods=["get"], renderer_classes=[renderers.JSONRenderer, CsvRenderer])
    def export_csv(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return csv_response(csv_io.register_export_csv(self.project), file_name(self.project, "risks"))

    @extend_schema(
        summary=gettext_lazy("An empty risk register to fill in: the header row of an import file"),
        description=csv_io.CSV_FORMAT,
        tags=TAGS,
        responses={(200, "text/csv"): OpenApiTypes.STR},
        filters=False,
    )
    @action(detail=False, methods=["get"], renderer_classes=[renderers.JSONRenderer, CsvRenderer])
    def template(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return csv_response(csv_io.template_csv(), file_name(self.project, "risks-template"))


def csv_route(method: str, name: str) -> Any:
    """The view of one of the CSV actions, with its parsers and renderers, as a router would build it."""
    return RiskRegisterCsvViewSet.as_view({method: name}, **getattr(RiskRegisterCsvViewSet, name).kwargs)
