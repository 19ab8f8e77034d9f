"""The plan: the WBS, tasks and their progress, CSV export and import, dependencies and the schedule."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.api import inputs
from pmo.api.parsers import MAX_FILE_BYTES, MultiPartParser, RawBodyParser
from pmo.api.rows import RowListMixin
from pmo.errors import ApplicationError
from projects.api import serializers as s
from projects.api.base import ProjectScopedMixin
from projects.api.filters import TaskFilter, WbsOrderingFilter
from projects.api.views.common import EMPTY_BODY, ID_PATTERN, _actor
from projects.models import Dependency, ProgressUpdate, Project, WbsElement
from projects.permissions import ProjectAction
from projects.services import csv_io, plan

MAX_UPLOAD_BYTES = MAX_FILE_BYTES
TRUE_VALUES = {"1", "true", "yes", "on"}


# --- the WBS --------------------------------------------------------------------------


def _wbs_tree(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Nest built elements (already in tree order) under their parents."""
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for row in rows:
        nodes[row["id"]] = {**row, "children": []}
    for row in rows:
        parent = nodes.get(row["parent"]) if row["parent"] is not None else None
        (parent["children"] if parent is not None else roots).append(nodes[row["id"]])
    return roots


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("The project's WBS, flat in WBS order or as a tree"),
        tags=["plan"],
        parameters=[
            OpenApiParameter(
                "tree", OpenApiTypes.BOOL, description=gettext_lazy("Nest elements under their parents (`children`).")
            )
        ],
        responses={200: s.WbsTreeNodeSerializer(many=True)},
    ),
    retrieve=extend_schema(summary=gettext_lazy("Show a WBS element"), tags=["plan"]),
    create=extend_schema(
        summary=gettext_lazy("Add a WBS element (a task under a task makes that task a summary)"),
        tags=["plan"],
        request=s.WbsElementCreateSerializer,
        responses={201: s.WbsElementSerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change, move or reorder a WBS element"),
        tags=["plan"],
        request=s.WbsElementUpdateSerializer,
        responses={200: s.WbsElementSerializer},
    ),
    destroy=extend_schema(summary=gettext_lazy("Delete a WBS element and everything under it"), tags=["plan"]),
)
class WbsElementViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy(
        "The work breakdown structure. The whole plan comes in one response, in WBS order."
    )

    serializer_class = s.WbsElementSerializer
    queryset = WbsElement.objects.all()
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_MANAGE
    filter_backends: list[Any] = []
    pagination_class = None
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[WbsElement]:
        # One project's elements: its WBS order is the sort key's (the model's ordering would join
        # the project only to sort by its code, the same for every row).
        return WbsElement.objects.for_organization(self.organization).filter(project=self.project).order_by("sort_key")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = self.get_queryset().values(*s.WBS_ELEMENT_ROWS.columns)
        rows = s.WBS_ELEMENT_ROWS.build(sorted(values, key=lambda row: csv_io.code_key(row["code"])))
        if request.query_params.get("tree", "").lower() in TRUE_VALUES:
            return Response(_wbs_tree(rows))
        return Response(rows)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.WbsElementCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        element = plan.wbs_element_create(actor=_actor(request), project=self.project, **payload.validated_data)
        return Response(s.WbsElementSerializer(element).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.WbsElementUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        element = plan.wbs_element_update(actor=_actor(request), element=self.get_object(), **payload.validated_data)
        return Response(s.WbsElementSerializer(element).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan.wbs_element_delete(actor=_actor(request), element=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- tasks, progress and CSV ----------------------------------------------------------


class CsvRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``text/csv``; the export writes its CSV itself, errors stay JSON text."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return b"" if data is None else json.dumps(data).encode()


def uploaded_csv(request: Request) -> bytes:
    """The CSV an import endpoint was sent: the multipart field ``file`` (at most ``MAX_UPLOAD_BYTES``,
    413 beyond) or the request body; refused with ``invalid_file`` when there is none."""
    upload = request.FILES.get("file") if request.content_type.startswith("multipart/") else None
    if upload is not None and upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("The file is too large."),
            code="too_large",
            fields={"file": [_("Send at most 5 MB.")]},
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    content = upload.read() if upload is not None else request.data
    if not isinstance(content, bytes) or not content.strip():
        raise ApplicationError(
            _("Send the CSV file as the field “file” or as the request body."),
            code="invalid_file",
            fields={"file": [_("This field is required.")]},
        )
    return content


class CsvParser(RawBodyParser):
    """A CSV file sent as the request body, kept as bytes (at most 5 MB) for the import to decode."""

    media_type = "text/csv"


class PlainTextParser(CsvParser):
    media_type = "text/plain"


def _file_name(project: Project) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", project.code).strip("-") or f"project-{project.pk}"


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the project's tasks and milestones"), tags=["plan"]),
    retrieve=extend_schema(summary=gettext_lazy("Show a task or milestone"), tags=["plan"]),
)
class TaskViewSet(
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy(
        "The plan's leaves (tasks and milestones): what is scheduled, reported on and baselined."
    )

    serializer_class = s.WbsElementSerializer
    row_builder = s.WBS_ELEMENT_ROWS
    queryset = WbsElement.objects.all()
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROGRESS_UPDATE
    action_permissions = {"import_csv": ProjectAction.PROJECT_MANAGE}
    filterset_class = TaskFilter
    filter_backends = [DjangoFilterBackend, WbsOrderingFilter]
    ordering_fields = ["code", "name", "planned_start", "planned_finish", "total_float", "duration"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[WbsElement]:
        # The WBS order of one project (see WbsElementViewSet.get_queryset); ``?ordering=`` replaces it.
        return (
            WbsElement.objects.for_organization(self.organization)
            .filter(project=self.project)
            .leaves()
            .order_by("sort_key")
        )

    @extend_schema(
        summary=gettext_lazy("A task's progress history"),
        tags=["plan"],
        responses={200: s.ProgressUpdateSerializer(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="progress", filter_backends=[])
    def progress(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = self.get_object()
        updates = (
            ProgressUpdate.objects.for_organization(self.organization)
            .filter(task=task)
            .select_related("updated_by")
            .order_by("-effective_date", "-created_at", "-id")
        )
        page = self.paginate_queryset(updates)
        return self.get_paginated_response(s.ProgressUpdateSerializer(page, many=True).data)

    @extend_schema(
        summary=gettext_lazy("Report progress on a task"),
        description=gettext_lazy(
            "A physical percent complete is entered; with 0/100 and 50/50 the percentage follows the actual "
            "dates. The project is rescheduled."
        ),
        tags=["plan"],
        request=s.ProgressInputSerializer,
        responses={201: s.ProgressResultSerializer},
    )
    @progress.mapping.post
    def record_progress(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = self.get_object()
        payload = s.ProgressInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = dict(payload.validated_data)
        values.setdefault("effective_date", self.organization.today())
        update = plan.task_progress_update(actor=_actor(request), task=task, **values)
        task = self.get_queryset().get(pk=task.pk)
        return Response(
            s.ProgressResultSerializer({"progress": update, "task": task}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary=gettext_lazy("Export the plan as CSV"),
        description=csv_io.CSV_FORMAT,
        tags=["plan"],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        filters=False,
    )
    @action(detail=False, methods=["get"], url_path="export", renderer_classes=[renderers.JSONRenderer, CsvRenderer])
    def export_csv(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        # A byte-order mark lets spreadsheet programs open UTF-8 (Chinese names) correctly.
        body = "\ufeff" + csv_io.plan_export_csv(self.project)
        response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_file_name(self.project)}-plan.csv"'
        return response

    @extend_schema(
        summary=gettext_lazy("Import a whole plan from CSV into a project whose plan is empty"),
        description=csv_io.CSV_FORMAT,
        tags=["plan"],
        request={"multipart/form-data": s.PlanImportUploadSerializer, "text/csv": OpenApiTypes.STR},
        responses={201: s.PlanImportResultSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, CsvParser, PlainTextParser],
    )
    def import_csv(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        content = uploaded_csv(request)
        result = csv_io.plan_import_csv(actor=_actor(request), project=self.project, content=content)
        return Response(s.PlanImportResultSerializer(result).data, status=status.HTTP_201_CREATED)


# --- dependencies and the schedule ----------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the links between tasks"), tags=["plan"]),
    retrieve=extend_schema(summary=gettext_lazy("Show a link between tasks"), tags=["plan"]),
    create=extend_schema(
        summary=gettext_lazy("Link two tasks (refused with the code `cycle` when it would close a loop)"),
        tags=["plan"],
        request=s.DependencyCreateSerializer,
        responses={201: s.DependencySerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change a link's type or lag"),
        tags=["plan"],
        request=s.DependencyUpdateSerializer,
        responses={200: s.DependencySerializer},
    ),
    destroy=extend_schema(summary=gettext_lazy("Remove a link between tasks"), tags=["plan"]),
)
class DependencyViewSet(
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy(
        "Dependencies (finish-to-start and the others, with a lag in working days) between tasks."
    )

    serializer_class = s.DependencySerializer
    row_builder = s.DEPENDENCY_ROWS
    queryset = Dependency.objects.all()
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_MANAGE
    filterset_fields = ["type", "predecessor", "successor"]
    ordering_fields = ["id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Dependency]:
        return (
            Dependency.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("predecessor", "successor")
        )

    def _output(self, dependency: Dependency) -> dict[str, Any]:
        return s.DependencySerializer(self.get_queryset().get(pk=dependency.pk)).data

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.DependencyCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        dependency = plan.dependency_create(actor=_actor(request), project=self.project, **payload.validated_data)
        return Response(self._output(dependency), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.DependencyUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        dependency = plan.dependency_update(
            actor=_actor(request), dependency=self.get_object(), **payload.validated_data
        )
        return Response(self._output(dependency))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan.dependency_delete(actor=_actor(request), dependency=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def _schedule(project: Project) -> dict[str, Any]:
    """The stored output of the scheduler: every task's dates and floats, and the critical path."""
    tasks = sorted(
        WbsElement.objects.for_organization(project.organization_id).filter(project=project).leaves(),
        key=lambda task: csv_io.code_key(task.code),
    )
    critical = sorted(
        (task for task in tasks if task.is_critical),
        key=lambda task: (task.planned_start or dt.date.max, csv_io.code_key(task.code)),
    )
    return {
        "planned_start": project.planned_start,
        "scheduled_start": project.scheduled_start,
        "scheduled_finish": project.scheduled_finish,
        "tasks": tasks,
        "critical_path": critical,
    }


class ScheduleView(ProjectScopedMixin, generics.GenericAPIView):
    schema_description = gettext_lazy("The project's schedule from the critical-path method, as last computed.")

    serializer_class = s.ScheduleSerializer
    queryset = WbsElement.objects.all()
    read_action = ProjectAction.PROJECT_VIEW

    @extend_schema(
        summary=gettext_lazy("The schedule: early and late dates, float and the critical path"), tags=["plan"]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(s.ScheduleSerializer(_schedule(self.project)).data)


class ScheduleRecomputeView(ProjectScopedMixin, generics.GenericAPIView):
    schema_description = gettext_lazy(
        "Recompute the schedule now (it is recomputed after every change of the plan anyway)."
    )

    serializer_class = s.ScheduleSerializer
    queryset = WbsElement.objects.all()
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_MANAGE

    @extend_schema(
        summary=gettext_lazy("Recompute the schedule"),
        tags=["plan"],
        request=EMPTY_BODY,
        responses={200: s.ScheduleSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        project = plan.project_schedule_recompute(actor=_actor(request), project=self.project)
        return Response(s.ScheduleSerializer(_schedule(project)).data)
