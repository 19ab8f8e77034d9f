"""API of MS Project XML (MSPDI) exchange.

``projects/{project_id}/mspdi/``: GET exports the project as an MSPDI file, POST imports a file into
the project when its plan is empty. ``projects/mspdi/``: POST creates a project from a file. A file
is sent as the multipart field ``file`` or as the request body (``application/xml``), at most
``PMO_EXCHANGE_MAX_BYTES``; the import answers with its figures and its report.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, renderers, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.api import inputs
from pmo.api.base import OrganizationScopedMixin
from pmo.api.common import actor as _actor
from pmo.api.jobs import job_responses
from pmo.api.parsers import MultiPartParser, RawBodyParser, read_body
from pmo.errors import ApplicationError
from pmo.jobs import job_api_response
from pmo.jobs import storage as job_storage
from pmo.models import Job, JobStatus
from pmo.policy import can
from projects.api.base import ProjectScopedMixin
from projects.models import Project
from projects.permissions import ProjectAction
from resources.exchange import mspdi_format
from resources.exchange.mspdi_read import check_size
from resources.mspdi_jobs import inline_result, ran_inline, start_export, start_import
from resources.permissions import ResourceAction

TAG = "exchange"
XML_TYPE = "application/xml"


class XmlRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``application/xml``; the export writes its XML itself, errors stay JSON text."""

    media_type = XML_TYPE
    format = "xml"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        import json

        return b"" if data is None else json.dumps(data).encode()


class XmlParser(RawBodyParser):
    """An MSPDI file sent as the request body, kept as bytes up to the exchange's size limit."""

    media_type = XML_TYPE

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> bytes:  # type: ignore[override]
        return read_body(stream, parser_context, mspdi_format.max_bytes())


class TextXmlParser(XmlParser):
    media_type = "text/xml"


class ExchangeMultiPartParser(MultiPartParser):
    def limit(self) -> int:
        return mspdi_format.max_bytes()


PARSERS = [ExchangeMultiPartParser, XmlParser, TextXmlParser]


def uploaded(request: Request) -> tuple[bytes, str]:
    """The file the request carries and its name (empty when sent as the body)."""
    upload = request.FILES.get("file") if request.content_type.startswith("multipart/") else None
    if upload is not None and upload.size is not None:
        check_size(upload.size)
    content = upload.read() if upload is not None else request.data
    if not isinstance(content, bytes) or not content.strip():
        raise ApplicationError(
            gettext_now("Send the MS Project XML file as the field “file” or as the request body."),
            code="invalid_file",
            fields={"file": [gettext_now("This field is required.")]},
        )
    return content, (upload.name or "") if upload is not None else ""


def file_name(project: Project) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", project.code).strip("-") or f"project-{project.pk}"


def export_answer(job: Job) -> HttpResponse | None:
    """A small plan's export, done in the request: the file itself, as before exports were jobs."""
    if not (ran_inline(job) and job.status == JobStatus.DONE and job.result_key):
        return None
    response = HttpResponse(job_storage.read(job.result_key), content_type=job.result_type)
    response["Content-Disposition"] = f'attachment; filename="{job.result_name}"'
    return response


class MspdiUploadSerializer(inputs.Serializer[Any]):
    file = serializers.FileField(
        help_text=_("The MS Project XML file (MSPDI, as MS Project or ProjectLibre saves it).")
    )


class MspdiNewProjectUploadSerializer(MspdiUploadSerializer):
    code = serializers.CharField(max_length=32, help_text=_("The new project's code, unique in the organisation."))
    name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=_("Empty: the file's title.")
    )


class MspdiProjectSerializer(inputs.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class MspdiImportSerializer(inputs.Serializer[Any]):
    project = MspdiProjectSerializer()
    tasks = serializers.IntegerField(help_text=_("WBS elements created (summaries, tasks and milestones)."))
    links = serializers.IntegerField(help_text=_("Dependencies created."))
    assignments = serializers.IntegerField()
    resources_matched = serializers.IntegerField(help_text=_("The file's resources found in the pool."))
    resources_created = serializers.IntegerField(help_text=_("Resources added to the pool."))
    baseline = serializers.CharField(
        source="baseline.name", allow_null=True, default=None, help_text=_("The baseline made from Baseline 0.")
    )
    calendar = serializers.CharField(
        source="calendar.name", allow_null=True, default=None, help_text=_("The working calendar the plan uses.")
    )
    report = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("What the product could not represent and how it was imported instead; empty when nothing."),
    )


def _pool_allowed(view: Any) -> bool:
    return can(view.membership, ResourceAction.POOL_MANAGE)


def _rates_allowed(view: Any) -> bool:
    return can(view.membership, ResourceAction.RATES_MANAGE)


def _answer(request: Request, job: Job) -> HttpResponseBase:
    """An import done in the request answers 201 with its figures, as before imports were jobs; a
    queued one 202 with the job (200 once done, 400 with every problem once failed)."""
    result = inline_result(job)
    if result is not None:
        return Response(result, status=status.HTTP_201_CREATED)
    return job_api_response(request, job)


IMPORT_RESPONSES = {
    201: OpenApiResponse(
        response=MspdiImportSerializer,
        description=_("A small file (at most `PMO_JOB_INLINE_BYTES`) was imported in the request: the figures."),
    ),
    **job_responses(file=False),
}


FORMAT_NOTE = _(
    "Tasks with outline levels and WBS codes, durations in working days (hours ÷ MinutesPerDay), "
    "milestones, summaries, actual dates and percent complete, the four link types with lags, the "
    "calendar with its holidays and make-up working days, resources with rates, assignments with "
    "work and the current baseline as Baseline 0. The import checks the whole file first and writes "
    "nothing on any problem (the error's code says which kind: too_large, not_xml, xml_forbidden, "
    "not_mspdi, duplicate_uid, date_out_of_range, invalid_plan, cycle, plan_not_empty); its "
    "``report`` lists what the product could not represent. Resources are matched by code, then by "
    "name; new ones are added only for those who may edit the pool, rates only for those who may "
    "edit rates."
)


class ProjectMspdiView(ProjectScopedMixin, generics.GenericAPIView):
    schema_description = _("The project as MS Project XML (MSPDI): export it, or import a file into an empty plan.")

    serializer_class = MspdiImportSerializer
    queryset = Project.objects.all()
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_MANAGE
    parser_classes = PARSERS
    renderer_classes = [renderers.JSONRenderer, XmlRenderer]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        summary=_("Export the project as MS Project XML"),
        description=_(
            "An MSPDI file that MS Project and ProjectLibre open. Resources' rates are included only for "
            "those who may see rates."
        ),
        tags=[TAG],
        responses={
            **job_responses(file=True),
            (200, XML_TYPE): OpenApiResponse(
                response=OpenApiTypes.STR,
                description=_(
                    "The MSPDI file, when the plan has at most `PMO_JOB_INLINE_TASKS` WBS elements or once "
                    "the export's job is done; a bigger plan is exported on a worker (202 and the job)."
                ),
            ),
        },
        filters=False,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        job = start_export(
            project=self.project,
            user=_actor(request),
            rates_visible=can(self.membership, ResourceAction.RATES_VIEW),
        )
        return export_answer(job) or job_api_response(request, job)

    @extend_schema(
        summary=_("Import an MS Project XML file into the project, whose plan must be empty"),
        description=FORMAT_NOTE,
        tags=[TAG],
        request={"multipart/form-data": MspdiUploadSerializer, XML_TYPE: OpenApiTypes.STR},
        responses=IMPORT_RESPONSES,
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        content, name = uploaded(request)
        job = start_import(
            user=_actor(request),
            organization=self.organization,
            project=self.project,
            content=content,
            upload_name=name,
            pool_allowed=_pool_allowed(self),
            rates_allowed=_rates_allowed(self),
        )
        return _answer(request, job)


class OrganizationMspdiView(OrganizationScopedMixin, generics.GenericAPIView):
    schema_description = _("Create a project from an MS Project XML (MSPDI) file.")

    serializer_class = MspdiImportSerializer
    queryset = Project.objects.all()
    read_action = ProjectAction.PROJECT_CREATE
    write_action = ProjectAction.PROJECT_CREATE
    parser_classes = PARSERS
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="orgs_projects_mspdi_create_project",
        summary=_("Create a project from an MS Project XML file"),
        description=FORMAT_NOTE,
        tags=[TAG],
        parameters=[
            OpenApiParameter("code", OpenApiTypes.STR, description=_("With the file as the body: the project's code.")),
            OpenApiParameter("name", OpenApiTypes.STR, description=_("With the file as the body: its name.")),
        ],
        request={"multipart/form-data": MspdiNewProjectUploadSerializer, XML_TYPE: OpenApiTypes.STR},
        responses=IMPORT_RESPONSES,
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        content, file_name_sent = uploaded(request)
        fields = request.POST if request.content_type.startswith("multipart/") else request.query_params
        code = (fields.get("code") or "").strip()
        name = fields.get("name") or ""
        if "\x00" in code or "\x00" in name:
            raise ApplicationError(
                gettext_now("Null characters are not allowed."),
                code="invalid",
                fields={"code" if "\x00" in code else "name": [gettext_now("Null characters are not allowed.")]},
            )
        if not code:
            raise ApplicationError(
                gettext_now("Give the new project a code."),
                code="invalid",
                fields={"code": [gettext_now("This field is required.")]},
            )
        job = start_import(
            user=_actor(request),
            organization=self.organization,
            content=content,
            upload_name=file_name_sent,
            code=code,
            name=name,
            pool_allowed=_pool_allowed(self),
            rates_allowed=_rates_allowed(self),
        )
        return _answer(request, job)
