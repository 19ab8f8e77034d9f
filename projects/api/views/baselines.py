"""Baselines of the plan and the comparison of the plan with one."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from pmo.api import inputs
from pmo.api.rows import RowListMixin
from projects.api import serializers as s
from projects.api.base import ProjectScopedMixin
from projects.api.views.common import EMPTY_BODY, ID_PATTERN, _actor
from projects.models import Baseline, BaselineTask
from projects.permissions import ProjectAction
from projects.selectors import baseline_comparison
from projects.services import plan


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the project's baselines"), tags=["plan"]),
    retrieve=extend_schema(summary=gettext_lazy("Show a baseline with its frozen tasks"), tags=["plan"]),
    create=extend_schema(
        summary=gettext_lazy("Freeze the current plan as a baseline"),
        tags=["plan"],
        request=s.BaselineCreateSerializer,
        responses={201: s.BaselineDetailSerializer},
    ),
)
class BaselineViewSet(
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy(
        "Baselines: frozen copies of the plan, immutable once taken; one of them is current."
    )

    serializer_class = s.BaselineSerializer
    row_builder = s.BASELINE_ROWS
    queryset = Baseline.objects.all()
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_MANAGE
    filterset_fields = ["is_current"]
    ordering_fields = ["created_at", "name"]
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Baseline]:
        baselines = (
            Baseline.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("created_by")
            .annotate(task_count=Count("tasks"))
            .order_by("-created_at", "-id")
        )
        if self.action == "list":
            return baselines
        tasks = BaselineTask.objects.for_organization(self.organization).order_by("sort_key")
        return baselines.prefetch_related(Prefetch("tasks", queryset=tasks))

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return s.BaselineSerializer if self.action == "list" else s.BaselineDetailSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.BaselineCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        baseline = plan.baseline_create(actor=_actor(request), project=self.project, **payload.validated_data)
        fresh = self.get_queryset().get(pk=baseline.pk)
        return Response(s.BaselineDetailSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Make this baseline the current one"),
        tags=["plan"],
        request=EMPTY_BODY,
        responses={200: s.BaselineSerializer},
    )
    @action(detail=True, methods=["post"], url_path="make-current")
    def make_current(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        baseline = plan.baseline_set_current(actor=_actor(request), baseline=self.get_object())
        fresh = self.get_queryset().get(pk=baseline.pk)
        return Response(s.BaselineSerializer(fresh).data)


class BaselineComparisonView(ProjectScopedMixin, generics.GenericAPIView):
    schema_description = gettext_lazy(
        "The plan against a baseline: slips in working days and cost differences, per element and in total."
    )

    serializer_class = s.BaselineComparisonSerializer
    queryset = Baseline.objects.all()
    read_action = ProjectAction.PROJECT_VIEW

    @extend_schema(summary=gettext_lazy("Compare the plan with a baseline"), tags=["plan"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        baseline = get_object_or_404(
            Baseline.objects.for_organization(self.organization).filter(project=self.project).select_related("project"),
            pk=kwargs["baseline_id"],
        )
        rows, total = baseline_comparison(baseline)
        data = {"baseline": baseline, "rows": rows, "total": total}
        return Response(s.BaselineComparisonSerializer(data).data)
