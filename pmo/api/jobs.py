"""Jobs (``pmo.jobs``) as resources: one's own, or the organisation's for its administrators, and their results."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request

from pmo.api import inputs
from pmo.api.base import OrganizationScopedMixin
from pmo.api.common import ID_PATTERN, NamedChoiceField
from pmo.api.rows import Computed, RowBuilder, RowListMixin
from pmo.api.serializers import UserSummarySerializer
from pmo.jobs.access import visible_jobs
from pmo.jobs.registry import job_kinds
from pmo.jobs.responses import result_response
from pmo.models import Job, JobStatus
from pmo.policy import Action

JOB_TAGS = ["jobs"]

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "fields"],
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "nullable": True,
}


@extend_schema_field(ERROR_SCHEMA)
class JobErrorField(serializers.JSONField):
    """The error as the API's error body has it (``code``, ``message``, ``fields``), or null."""

    def to_representation(self, value: Any) -> Any:
        return value or None


class JobSerializer(inputs.ModelSerializer):
    schema_description = _(
        "A job: work done on the workers (an import, an export, a report) with its progress and, once it has\n"
        "ended, its result, its report or its error."
    )

    kind = serializers.CharField(
        read_only=True,
        help_text=_("The kind's code, kept by the app that does the work (e.g. `projects.plan_export`)."),
    )
    kind_label = serializers.SerializerMethodField(help_text=_("The kind in the request's language."))
    status = NamedChoiceField(choices=JobStatus.choices, enum_name="JobStatusEnum", read_only=True)
    requested_by = UserSummarySerializer(read_only=True, allow_null=True, help_text=_("Who asked for it."))
    report = serializers.JSONField(
        read_only=True, help_text=_("What the job says of its work (counts, warnings); empty until it has ended.")
    )
    error = JobErrorField(
        read_only=True,
        help_text=_(
            "Why it failed, as the API's error body says it (`fields` names each bad cell or field); null unless "
            "`status` is `failed`."
        ),
    )
    result_url = serializers.SerializerMethodField(
        help_text=_("Where to fetch the result file (a path of this API); null while there is none or once expired.")
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "kind_label",
            "status",
            "percent",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "upload_name",
            "result_name",
            "result_size",
            "report",
            "error",
            "result_url",
            "link",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "percent": {"help_text": _("How much is done, 0 to 100 (100 once done).")},
            "created_at": {"help_text": _("When it was asked for.")},
            "started_at": {"help_text": _("When a worker last started it; null while queued.")},
            "finished_at": {"help_text": _("When it ended (done or failed); null until then.")},
            "expires_at": {"help_text": _("Its result and report are deleted after this; null until it has ended.")},
            "upload_name": {"help_text": _("The name of the file it was started with, if any.")},
            "result_name": {"help_text": _("The result file's name, if it made one.")},
            "result_size": {"help_text": _("The result file's size in bytes (0 without one).")},
            "link": {"help_text": _("A page of the application to go to afterwards (the imported project), or empty.")},
        }

    def get_kind_label(self, job: Any) -> str:
        return job_kinds.label(job.kind)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_result_url(self, job: Any) -> str | None:
        if job.status != JobStatus.DONE or not job.result_key:
            return None
        return reverse("api-job-result", kwargs={"org_slug": job.organization.slug, "pk": job.pk})


JOB_ROWS = RowBuilder(
    JobSerializer,
    computed={
        "kind_label": Computed.method(JobSerializer, "kind_label", "kind"),
        "error": Computed(("error",), lambda row: row["error"] or None),
        "result_url": Computed(
            ("status", "result_key", "organization__slug", "id"),
            lambda row: (
                reverse("api-job-result", kwargs={"org_slug": row["organization__slug"], "pk": row["id"]})
                if row["status"] == JobStatus.DONE and row["result_key"]
                else None
            ),
        ),
    },
)

RESULT_RESPONSES = {
    (200, "application/octet-stream"): OpenApiResponse(
        response=OpenApiTypes.BINARY, description=_("The result file, as an attachment, with its type.")
    ),
    410: OpenApiResponse(
        response={"$ref": "#/components/schemas/Error"},
        description=_("The result was kept its number of days and has expired."),
    ),
}


def job_responses(*, file: bool) -> dict[Any, Any]:
    """The responses of an operation answered by ``job_api_response``, for its ``extend_schema``."""
    pending = OpenApiResponse(
        response=JobSerializer,
        description=_("The job is queued or running: follow it at the URL in `Location`."),
    )
    responses: dict[Any, Any] = {202: pending}
    if file:
        responses[(200, "application/octet-stream")] = OpenApiResponse(
            response=OpenApiTypes.BINARY, description=_("The job is done: its result file.")
        )
    else:
        responses[200] = OpenApiResponse(response=JobSerializer, description=_("The job is done: its report."))
    responses[400] = OpenApiResponse(
        response={"$ref": "#/components/schemas/Error"},
        description=_("The job failed: its error, with every bad cell or field in `fields`."),
    )
    return responses


@extend_schema_view(
    list=extend_schema(
        summary=_("List your jobs, the newest first (an administrator sees the organisation's)"), tags=JOB_TAGS
    ),
    retrieve=extend_schema(summary=_("Show a job: its status, progress, report or error"), tags=JOB_TAGS),
    result=extend_schema(
        summary=_("Fetch a job's result file"),
        description=_("The job's result file; 410 once it has expired, 404 for a job without one."),
        tags=JOB_TAGS,
        responses=RESULT_RESPONSES,
    ),
)
class JobViewSet(OrganizationScopedMixin, RowListMixin, viewsets.ReadOnlyModelViewSet):
    schema_description = _(
        "Imports, exports and reports done on the workers. Each job is its requester's; the organisation's\n"
        "administrators see every job. Results are kept a number of days after the job ends."
    )

    serializer_class = JobSerializer
    row_builder = JOB_ROWS
    queryset = Job.objects.all()
    read_action = Action.ORG_VIEW
    filter_backends: list[Any] = []
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Job]:
        return visible_jobs(self.membership).select_related("organization", "requested_by")

    @action(detail=True, methods=["get"])
    def result(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return result_response(self.get_object())
