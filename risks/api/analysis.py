"""API of the quantitative analysis: Monte Carlo runs of a project and its tasks' three-point estimates.

Under ``/api/v1/orgs/{org}/projects/{project_id}/``: ``risk-analyses/`` (list, request or join a run,
a run with its results, its inputs snapshot) and ``task-estimates/`` (the stored three points: list,
set, replace, clear, and set or clear in bulk by WBS branch). Reading needs ``risk.view``; running
and estimating need ``risk.analyse``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from pmo.api import inputs
from pmo.api.common import ID_PATTERN
from pmo.api.common import actor as _actor
from pmo.api.rows import RowBuilder, RowListMixin
from pmo.api.serializers import UserSummarySerializer
from projects.api.base import ProjectScopedMixin
from projects.models import WbsElement
from risks.models import MonteCarloRun, TaskEstimate
from risks.permissions import RiskAction
from risks.services import analysis

TAGS = ["risk analysis"]


# --- serializers ------------------------------------------------------------------------------


class MonteCarloRunSerializer(inputs.ModelSerializer):
    requested_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = MonteCarloRun
        fields = [
            "id",
            "status",
            "iterations",
            "seed",
            "confidence",
            "progress",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
            "error",
            "deterministic_finish",
            "p50_finish",
            "confident_finish",
            "confident_cost",
            "baseline_finish",
            "finish_probability",
            "budget",
            "budget_probability",
        ]
        read_only_fields = fields


MONTE_CARLO_RUN_ROWS = RowBuilder(MonteCarloRunSerializer)


class _Share(serializers.FloatField):
    """A probability: a share of the iterations, 0 to 1."""


class FinishBinSerializer(inputs.Serializer):
    start = serializers.DateField(help_text=_("First finish date of the bin."))
    end = serializers.DateField(help_text=_("Last finish date of the bin."))
    count = serializers.IntegerField(help_text=_("Iterations finishing within the bin."))


class FinishPointSerializer(inputs.Serializer):
    date = serializers.DateField()
    probability = _Share(help_text=_("Share of the iterations finished by this date."))


class FinishDistributionSerializer(inputs.Serializer):
    deterministic = serializers.DateField(
        help_text=_("The critical path's finish with every task at its likely value.")
    )
    percentiles = serializers.DictField(
        child=serializers.DateField(),
        help_text=_('Finish date by percentile: keys "10", "50", "80", "90".'),
    )
    mean = serializers.DateField()
    min = serializers.DateField()
    max = serializers.DateField()
    histogram = FinishBinSerializer(many=True)
    s_curve = FinishPointSerializer(many=True)


class CostBinSerializer(inputs.Serializer):
    low = serializers.DecimalField(max_digits=16, decimal_places=2)
    high = serializers.DecimalField(max_digits=16, decimal_places=2)
    count = serializers.IntegerField()


class CostPointSerializer(inputs.Serializer):
    value = serializers.DecimalField(max_digits=16, decimal_places=2)
    probability = _Share(help_text=_("Share of the iterations costing at most this value."))


class CostDistributionSerializer(inputs.Serializer):
    deterministic = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text=_("The sum of the tasks' likely costs.")
    )
    percentiles = serializers.DictField(
        child=serializers.DecimalField(max_digits=16, decimal_places=2),
        help_text=_('Cost by percentile: keys "10", "50", "80", "90".'),
    )
    mean = serializers.DecimalField(max_digits=16, decimal_places=2)
    min = serializers.DecimalField(max_digits=16, decimal_places=2)
    max = serializers.DecimalField(max_digits=16, decimal_places=2)
    histogram = CostBinSerializer(many=True)
    s_curve = CostPointSerializer(many=True)


class CriticalitySerializer(inputs.Serializer):
    id = serializers.IntegerField(help_text=_("The task (WBS element) id."))
    code = serializers.CharField()
    name = serializers.CharField()
    index = _Share(help_text=_("Share of the iterations in which the task was on the critical path."))


class TornadoBarSerializer(inputs.Serializer):
    kind = serializers.ChoiceField(choices=[("task", _("Task")), ("risk", _("Risk"))])
    id = serializers.IntegerField(help_text=_("The task's or the risk's id."))
    label = serializers.CharField()  # type: ignore[assignment]
    coefficient = serializers.FloatField(
        help_text=_("Correlation of the task's duration (or the risk's schedule impact) with the finish, -1 to 1.")
    )


class RiskOccurrenceSerializer(inputs.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    occurrence = _Share(help_text=_("Share of the iterations in which the risk occurred."))


class MonteCarloResultsSerializer(inputs.Serializer):
    iterations = serializers.IntegerField()
    confidence = serializers.IntegerField(help_text=_("The organisation's confidence level (%) at the request."))
    seconds = serializers.FloatField(help_text=_("Time the simulation took."))
    finish = FinishDistributionSerializer()
    cost = CostDistributionSerializer()
    confident_finish = serializers.DateField()
    confident_cost = serializers.DecimalField(max_digits=16, decimal_places=2)
    baseline_finish = serializers.DateField(allow_null=True)
    finish_probability = _Share(allow_null=True, help_text=_("Share finishing by the baseline finish."))
    budget = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    budget_probability = _Share(allow_null=True, help_text=_("Share costing at most the budget."))
    criticality = CriticalitySerializer(many=True, help_text=_("Every task, most critical first."))
    tornado = TornadoBarSerializer(many=True, help_text=_("The tasks and risks driving the finish most, at most 15."))
    risks = RiskOccurrenceSerializer(many=True)


class MonteCarloRunDetailSerializer(MonteCarloRunSerializer):
    results = serializers.SerializerMethodField()

    class Meta(MonteCarloRunSerializer.Meta):
        fields = [*MonteCarloRunSerializer.Meta.fields, "results"]
        read_only_fields = fields

    @extend_schema_field(MonteCarloResultsSerializer(allow_null=True))
    def get_results(self, run: MonteCarloRun) -> dict[str, Any] | None:
        return run.results or None


class MonteCarloRequestSerializer(inputs.Serializer):
    iterations = serializers.IntegerField(
        required=False,
        default=5000,
        min_value=analysis.MIN_ITERATIONS,
        max_value=analysis.MAX_ITERATIONS,
        help_text=_("Iterations to run (100 to 100,000)."),
    )
    seed = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=analysis.MAX_SEED,
        help_text=_("Seed of the random numbers: the same seed and inputs give the same results. Random if empty."),
    )


class TaskPointsSerializer(inputs.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    duration = serializers.IntegerField(help_text=_("Planned duration (working days)."))
    duration_points = serializers.ListField(
        child=serializers.DecimalField(max_digits=12, decimal_places=2),
        help_text=_("Optimistic, most likely and pessimistic duration (working days)."),
    )
    cost_points = serializers.ListField(child=serializers.DecimalField(max_digits=16, decimal_places=2))
    estimated = serializers.BooleanField(help_text=_("Stored three points; otherwise the organisation's defaults."))
    actual_start = serializers.DateField(allow_null=True)
    actual_finish = serializers.DateField(allow_null=True)
    percent_complete = serializers.DecimalField(max_digits=5, decimal_places=2)


class RiskPointsSerializer(inputs.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    probability = serializers.DecimalField(max_digits=5, decimal_places=2, help_text=_("Per cent."))
    days = serializers.ListField(child=serializers.IntegerField())
    cost = serializers.ListField(child=serializers.DecimalField(max_digits=16, decimal_places=2))
    task_ids = serializers.ListField(child=serializers.IntegerField())


class CalendarSnapshotSerializer(inputs.Serializer):
    working_weekdays = serializers.ListField(child=serializers.IntegerField(), help_text=_("0 is Monday."))
    holidays = serializers.ListField(child=serializers.DateField())
    extra_working_days = serializers.ListField(child=serializers.DateField())


class MonteCarloInputsSerializer(inputs.Serializer):
    project_start = serializers.DateField()
    data_date = serializers.DateField(allow_null=True)
    calendar = CalendarSnapshotSerializer()
    optimistic_percent = serializers.IntegerField()
    pessimistic_percent = serializers.IntegerField()
    tasks = TaskPointsSerializer(many=True)
    dependencies = serializers.ListField(
        child=serializers.ListField(),
        help_text=_("[predecessor id, successor id, type (FS, SS, FF, SF), lag in working days]"),
    )
    risks = RiskPointsSerializer(many=True)
    baseline_finish = serializers.DateField(allow_null=True)
    budget = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)


class TaskEstimateSerializer(inputs.ModelSerializer):
    element_code = serializers.CharField(source="element.code", read_only=True)
    element_name = serializers.CharField(source="element.name", read_only=True)

    class Meta:
        model = TaskEstimate
        fields = [
            "id",
            "element",
            "element_code",
            "element_name",
            "optimistic_days",
            "likely_days",
            "pessimistic_days",
            "optimistic_cost",
            "likely_cost",
            "pessimistic_cost",
        ]
        read_only_fields = fields


TASK_ESTIMATE_ROWS = RowBuilder(TaskEstimateSerializer)


class TaskEstimatePointsSerializer(inputs.Serializer):
    optimistic_days = serializers.IntegerField(min_value=0)
    likely_days = serializers.IntegerField(min_value=0)
    pessimistic_days = serializers.IntegerField(min_value=0)
    optimistic_cost = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    likely_cost = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    pessimistic_cost = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)


class ProjectTaskField(serializers.PrimaryKeyRelatedField):
    """A WBS element id of the URL's project; elements of other projects look nonexistent."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=WbsElement.objects.all(), **kwargs)

    def get_queryset(self) -> QuerySet[WbsElement]:
        project = self.context.get("project")
        if project is None:
            return WbsElement.objects.none()
        return WbsElement.objects.for_organization(project.organization_id).filter(project=project)


class TaskEstimateSetSerializer(TaskEstimatePointsSerializer):
    element = ProjectTaskField(help_text=_("The task (WBS element) id."))


class TaskEstimatesBulkSerializer(inputs.Serializer):
    branch = ProjectTaskField(
        required=False, allow_null=True, default=None, help_text=_("A WBS element: its tasks. Empty: every task.")
    )
    optimistic_percent = serializers.IntegerField(min_value=0, max_value=99, help_text=_("Per cent shorter/cheaper."))
    pessimistic_percent = serializers.IntegerField(min_value=0, max_value=1000, help_text=_("Per cent longer/dearer."))


class TaskEstimatesClearSerializer(inputs.Serializer):
    branch = ProjectTaskField(
        required=False, allow_null=True, default=None, help_text=_("A WBS element: its tasks. Empty: every task.")
    )


class CountSerializer(inputs.Serializer):
    count = serializers.IntegerField(help_text=_("How many tasks were changed."))


# --- views ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("List the project's Monte Carlo runs, newest first"), tags=TAGS),
    retrieve=extend_schema(summary=_("Show a Monte Carlo run with its results"), tags=TAGS),
    create=extend_schema(
        summary=_("Run a Monte Carlo analysis (or join the run already queued or running)"),
        description=_(
            "Queues a run of the project: each iteration samples every task's duration and cost from its "
            "three points and which open risks occur, and schedules the network as the critical path does. "
            "A project has one run queued or running at a time: a request while one is answers that run. "
            "Poll the run until its status is done or failed; progress is in per cent."
        ),
        tags=TAGS,
        request=MonteCarloRequestSerializer,
        responses={202: MonteCarloRunDetailSerializer},
    ),
)
class MonteCarloRunViewSet(
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _(
        "Monte Carlo analyses of a project's schedule and cost: finish and cost distributions, the probability "
        "of meeting the baseline finish and the budget, criticality of each task and a tornado of the drivers."
    )

    serializer_class = MonteCarloRunSerializer
    row_builder = MONTE_CARLO_RUN_ROWS
    queryset = MonteCarloRun.objects.all()
    read_action = RiskAction.RISK_VIEW
    write_action = RiskAction.RISK_ANALYSE
    filterset_fields = ["status"]
    ordering_fields = ["requested_at"]
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[MonteCarloRun]:
        runs = (
            MonteCarloRun.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("requested_by")
            .order_by("-requested_at", "-id")
        )
        if self.action == "list":
            return runs.defer("inputs", "results")
        return runs

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return MonteCarloRunSerializer if self.action == "list" else MonteCarloRunDetailSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = MonteCarloRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        run = analysis.monte_carlo_request(actor=_actor(request), project=self.project, **payload.validated_data)
        fresh = self.get_queryset().get(pk=run.pk)
        return Response(MonteCarloRunDetailSerializer(fresh).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary=_("Show the inputs a run simulated from (its snapshot)"),
        tags=TAGS,
        responses={
            200: MonteCarloInputsSerializer,
            409: OpenApiResponse(description=_("The run has not started yet: its inputs are read when it starts.")),
        },
    )
    @action(detail=True, methods=["get"])
    def inputs(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        run = self.get_object()
        if not run.inputs:
            return Response(
                {"error": {"code": "not_started", "message": str(_("The run has not started yet.")), "fields": {}}},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(run.inputs)


@extend_schema_view(
    list=extend_schema(
        summary=_("List the project's stored three-point estimates"),
        description=_(
            "Only the tasks with stored estimates: the others take their planned duration and budgeted cost less "
            "the organisation's optimistic percentage and plus its pessimistic one (risk settings)."
        ),
        tags=TAGS,
    ),
    retrieve=extend_schema(summary=_("Show a task's stored three-point estimate"), tags=TAGS),
    create=extend_schema(
        summary=_("Set a task's three points (replacing any it had)"),
        tags=TAGS,
        request=TaskEstimateSetSerializer,
        responses={200: TaskEstimateSerializer},
    ),
    update=extend_schema(
        summary=_("Replace the three points of a stored estimate"),
        tags=TAGS,
        request=TaskEstimatePointsSerializer,
        responses={200: TaskEstimateSerializer},
    ),
    destroy=extend_schema(summary=_("Clear a task's stored estimate: runs take the defaults again"), tags=TAGS),
)
class TaskEstimateViewSet(
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("Three-point estimates (optimistic, most likely, pessimistic) of a project's tasks.")

    serializer_class = TaskEstimateSerializer
    row_builder = TASK_ESTIMATE_ROWS
    queryset = TaskEstimate.objects.all()
    read_action = RiskAction.RISK_VIEW
    write_action = RiskAction.RISK_ANALYSE
    filterset_fields = ["element"]
    http_method_names = ["get", "post", "put", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[TaskEstimate]:
        return (
            TaskEstimate.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("element")
            .order_by("element__sort_key")
        )

    def _row(self, estimate: TaskEstimate) -> dict[str, Any]:
        rows = self.get_queryset().filter(pk=estimate.pk).values(*TASK_ESTIMATE_ROWS.columns)
        return TASK_ESTIMATE_ROWS.build(rows)[0]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = TaskEstimateSetSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        estimate = analysis.task_estimate_set(actor=_actor(request), **payload.validated_data)
        return Response(self._row(estimate))

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        current = self.get_object()
        payload = TaskEstimatePointsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        estimate = analysis.task_estimate_set(actor=_actor(request), element=current.element, **payload.validated_data)
        return Response(self._row(estimate))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        estimate = self.get_object()
        analysis.task_estimate_clear(actor=_actor(request), element=estimate.element)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("Set the three points of a WBS branch's tasks by percentages"),
        description=_(
            "Every task of the branch (every task of the project without one) gets optimistic = planned less "
            "optimistic_percent, most likely = planned, pessimistic = planned plus pessimistic_percent, for its "
            "duration (rounded half up to whole days) and its budgeted cost (to cents)."
        ),
        tags=TAGS,
        request=TaskEstimatesBulkSerializer,
        responses={200: CountSerializer},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = TaskEstimatesBulkSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        count = analysis.task_estimates_bulk(actor=_actor(request), project=self.project, **payload.validated_data)
        return Response({"count": count})

    @extend_schema(
        summary=_("Clear the stored three points of a WBS branch's tasks"),
        tags=TAGS,
        request=TaskEstimatesClearSerializer,
        responses={200: CountSerializer},
    )
    @action(detail=False, methods=["post"])
    def clear(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = TaskEstimatesClearSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        count = analysis.task_estimates_clear(actor=_actor(request), project=self.project, **payload.validated_data)
        return Response({"count": count})
