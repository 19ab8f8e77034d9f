"""API of leveling proposals, under ``/api/v1/orgs/{org_slug}/``.

``leveling-runs/`` lists the organisation's proposals and computes one (``POST``: projects, period,
beyond float or not; over more than ``PMO_LEVELING_JOB_ABOVE`` tasks a job computes it on a worker:
202 and the job, ``resources.leveling_jobs``); ``leveling-runs/{id}/`` shows one with its result
(the moved tasks with old and new dates and delays, each project's finish before and after,
over-allocations before and after); ``apply/`` applies it through the schedule service, all
projects as one change, refused with ``stale`` when the plan changed since; ``discard/`` closes it
unapplied.

Everyone reads; computing, applying and discarding need ``resources.level`` on every project of
the run (the resource office, or a planner of each project): the service checks it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.api import inputs
from pmo.api.base import SAFE_METHODS, OrganizationScopedMixin
from pmo.api.common import EMPTY_BODY, ID_PATTERN, NamedChoiceField
from pmo.api.common import actor as _actor
from pmo.api.jobs import job_responses
from pmo.api.rows import RowBuilder, RowListMixin
from pmo.api.serializers import UserSummarySerializer
from pmo.jobs import job_started_api_response
from pmo.tenancy import BIGINT_LIMIT
from resources import leveling_jobs
from resources.models import LevelingRun, LevelingStatus
from resources.permissions import ResourceAction
from resources.services import leveling as services

TAG = "resource leveling"
STATUS_ENUM = "LevelingStatusEnum"
DEFAULT_WEEKS = 13


class LevelingMoveSerializer(inputs.Serializer[Any]):
    task = serializers.IntegerField(help_text=_("The task's id."))
    code = serializers.CharField(help_text=_("The task's WBS code."))
    name = serializers.CharField()
    project = serializers.IntegerField(help_text=_("The project's id."))
    project_code = serializers.CharField()
    old_start = serializers.DateField()
    old_finish = serializers.DateField()
    new_start = serializers.DateField()
    new_finish = serializers.DateField()
    added_delay = serializers.IntegerField(
        help_text=_("Working days the proposal adds to the task's leveling delay; 0 for a task its predecessors push.")
    )
    delay = serializers.IntegerField(help_text=_("The task's leveling delay once applied (working days)."))
    beyond_float = serializers.BooleanField(
        help_text=_("True when the task starts after its late start before leveling.")
    )
    resources = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("The resources the task was delayed for.")
    )


class LevelingFinishSerializer(inputs.Serializer[Any]):
    project = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    old_finish = serializers.DateField()
    new_finish = serializers.DateField()


class OverAllocationSerializer(inputs.Serializer[Any]):
    resource = serializers.IntegerField()
    resource_code = serializers.CharField()
    resource_name = serializers.CharField()
    day = serializers.DateField()
    load = serializers.FloatField(help_text=_("Hours of assignments and absences on the day."))
    capacity = serializers.FloatField(help_text=_("Hours the resource can work on the day."))


class OverAllocatedResourceSerializer(inputs.Serializer[Any]):
    resource = serializers.IntegerField()
    resource_code = serializers.CharField()
    resource_name = serializers.CharField()
    days = serializers.IntegerField(help_text=_("Days over-allocated in the period."))
    first = serializers.DateField()
    last = serializers.DateField()
    peak_load = serializers.FloatField()
    capacity = serializers.FloatField(help_text=_("The capacity on the day of the peak load."))


class LevelingResultSerializer(inputs.Serializer[Any]):
    moves = LevelingMoveSerializer(many=True, help_text=_("Every task whose dates change, in WBS order."))
    projects = LevelingFinishSerializer(many=True, help_text=_("Each project's finish before and after."))
    before = OverAllocationSerializer(many=True, help_text=_("Over-allocated days before leveling (the first 1,000)."))
    after = OverAllocationSerializer(many=True, help_text=_("Over-allocated days left after it (the first 1,000)."))
    before_count = serializers.IntegerField()
    after_count = serializers.IntegerField()
    before_resources = OverAllocatedResourceSerializer(many=True)
    after_resources = OverAllocatedResourceSerializer(many=True)
    delayed_count = serializers.IntegerField(help_text=_("Tasks the proposal delays."))
    iterations = serializers.IntegerField(help_text=_("Reschedules the engine ran."))
    capped = serializers.BooleanField(help_text=_("True when the engine stopped at its limit of reschedules."))


class LevelingRunSerializer(inputs.ModelSerializer):
    projects = serializers.ListField(child=serializers.IntegerField(), help_text=_("The ids of the projects leveled."))
    status = NamedChoiceField(choices=LevelingStatus.choices, enum_name=STATUS_ENUM, read_only=True)
    created_by = UserSummarySerializer(read_only=True)
    decided_by = UserSummarySerializer(read_only=True, allow_null=True)
    delayed_count = serializers.IntegerField(source="result.delayed_count", read_only=True, allow_null=True)
    before_count = serializers.IntegerField(
        source="result.before_count", read_only=True, allow_null=True, help_text=_("Over-allocated days before.")
    )
    after_count = serializers.IntegerField(
        source="result.after_count", read_only=True, allow_null=True, help_text=_("Over-allocated days left.")
    )

    class Meta:
        model = LevelingRun
        fields = [
            "id",
            "projects",
            "start",
            "finish",
            "allow_beyond_float",
            "status",
            "delayed_count",
            "before_count",
            "after_count",
            "created_by",
            "created_at",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


LEVELING_ROWS = RowBuilder(LevelingRunSerializer)


#: What a result without figures reads as (a run that holds none).
EMPTY_RESULT: dict[str, Any] = {
    "moves": [],
    "projects": [],
    "before": [],
    "after": [],
    "before_count": 0,
    "after_count": 0,
    "before_resources": [],
    "after_resources": [],
    "delayed_count": 0,
    "iterations": 0,
    "capped": False,
}


class LevelingRunDetailSerializer(LevelingRunSerializer):
    result = serializers.SerializerMethodField()

    class Meta(LevelingRunSerializer.Meta):
        fields = [*LevelingRunSerializer.Meta.fields, "result"]
        read_only_fields = fields

    @extend_schema_field(LevelingResultSerializer)
    def get_result(self, run: LevelingRun) -> dict[str, Any]:
        return dict(LevelingResultSerializer({**EMPTY_RESULT, **(run.result or {})}).data)


class LevelingComputeSerializer(inputs.Serializer):
    projects = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=BIGINT_LIMIT - 1),
        min_length=1,
        help_text=_("The ids of the open projects to level together (at most 50)."),
    )
    start = serializers.DateField(required=False, help_text=_("First day to level; empty: today."))
    finish = serializers.DateField(
        required=False, help_text=_("Last day to level; empty: 13 weeks after the start. At most three years.")
    )
    allow_beyond_float = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "False: tasks move only within their total float, no project's finish moves. True: then beyond it, "
            "the lower-priority projects' tasks first."
        ),
    )


@extend_schema_view(
    list=extend_schema(summary=_("List the leveling proposals"), tags=[TAG]),
    retrieve=extend_schema(
        summary=_("Show a leveling proposal with its result"), tags=[TAG], responses={200: LevelingRunDetailSerializer}
    ),
    create=extend_schema(
        summary=_("Compute a leveling proposal over one or more projects"),
        description=_(
            "Delays tasks until no resource is over-allocated in the period (load strictly above capacity), "
            "earliest day first, with the critical path's rules; first within total float, then, if allowed, beyond "
            "it by project priority then task order. Nothing changes until the proposal is applied. Refused with "
            "`permission_denied` (403) unless the resource office or a planner of every project.\n"
            "\n"
            "Projects with at most `PMO_LEVELING_JOB_ABOVE` tasks (300) are leveled in the request: 201 and the "
            "proposal. Larger ones are leveled by a job (`resources.leveling_compute`) on a worker: 202 and the job, "
            "whose `percent` follows the engine; once done (200 when it has already run), its `report` gives the "
            "figures and `run` (the proposal's `id` and `url`), its `link` the proposal's page; a job that failed "
            "(the requester lost the right to level, a project was closed or deleted meanwhile) has the error."
        ),
        tags=[TAG],
        request=LevelingComputeSerializer,
        responses={
            201: OpenApiResponse(
                response=LevelingRunDetailSerializer,
                description=_("At most `PMO_LEVELING_JOB_ABOVE` tasks: the proposal, computed in the request."),
            ),
            **job_responses(file=False),
        },
    ),
)
class LevelingRunViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("Leveling proposals: computed over projects and a period, then applied or discarded.")

    serializer_class = LevelingRunSerializer
    row_builder = LEVELING_ROWS
    queryset = LevelingRun.objects.all()
    read_action = ResourceAction.RESOURCES_VIEW
    # Planners level their own projects: the service checks ``resources.level`` on every project of the run.
    write_action = ResourceAction.RESOURCES_VIEW
    filterset_fields = ["status", "allow_beyond_float"]
    ordering_fields = ["created_at", "start", "status"]
    ordering = ["-created_at", "-id"]
    search_fields: ClassVar[list[str]] = []
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = ID_PATTERN

    @classmethod
    def unowned_action(cls, method: str, viewset_action: str | None = None) -> str | None:
        """A member who plans no project needs the resource office's ``resources.level`` to write."""
        return cls.read_action if method.upper() in SAFE_METHODS else ResourceAction.LEVEL

    def get_queryset(self) -> QuerySet[LevelingRun]:
        return (
            LevelingRun.objects.for_organization(self.organization)
            .select_related("created_by", "decided_by")
            .order_by("-created_at", "-id")
        )

    def _respond(self, run: LevelingRun, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=run.pk)
        return Response(LevelingRunDetailSerializer(fresh).data, status=status_code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(LevelingRunDetailSerializer(self.get_object()).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        if not services.may_level_any(self.membership):
            raise exceptions.PermissionDenied(
                _("Leveling needs the resource office, or a project manager's or coordinator's role on every project.")
            )
        payload = LevelingComputeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = payload.validated_data
        start = values.get("start") or self.organization.today()
        finish = values.get("finish") or start + dt.timedelta(weeks=DEFAULT_WEEKS)
        arguments: dict[str, Any] = {
            "actor": _actor(request),
            "organization": self.organization,
            "projects": values["projects"],
            "start": start,
            "finish": finish,
            "allow_beyond_float": values["allow_beyond_float"],
        }
        if leveling_jobs.in_job(self.organization, values["projects"]):
            return job_started_api_response(request, **leveling_jobs.job_arguments(**arguments))
        return self._respond(services.leveling_compute(**arguments), status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Apply a leveling proposal: the new delays and dates of every project, as one change"),
        description=_(
            "Through the schedule service, audited. Refused with `stale` when the plan changed since the proposal "
            "was computed (the proposal is then out of date), `not_proposed` when it was applied or discarded."
        ),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: LevelingRunDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        run = services.leveling_apply(actor=_actor(request), run=self.get_object())
        return self._respond(run)

    @extend_schema(
        summary=_("Discard a leveling proposal"),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: LevelingRunDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def discard(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        run = services.leveling_discard(actor=_actor(request), run=self.get_object())
        return self._respond(run)
