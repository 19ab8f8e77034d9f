"""Portfolios and programmes, projects, the gate checklists and the project settings of the organisation."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from pmo.api.base import OrganizationScopedMixin
from pmo.api.rows import RowListMixin
from pmo.models import Membership
from projects.api import serializers as s
from projects.api.base import resolve_project, resolve_project_access
from projects.api.filters import ChoiceOrderingFilter, GateCriterionFilter, PortfolioFilter, ProjectFilter
from projects.api.views.common import ID_PATTERN, _actor
from projects.models import GateCriterion, Phase, Portfolio, Priority, Project, ProjectSettings
from projects.permissions import ProjectAction
from projects.services import projects as services
from projects.services import settings as settings_services


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List portfolios and programmes"), tags=["portfolios"]),
    retrieve=extend_schema(summary=gettext_lazy("Show a portfolio or programme"), tags=["portfolios"]),
    create=extend_schema(
        summary=gettext_lazy("Create a portfolio, or a programme inside one"),
        tags=["portfolios"],
        request=s.PortfolioCreateSerializer,
        responses={201: s.PortfolioSerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Rename a portfolio, describe it or change its owner"),
        tags=["portfolios"],
        request=s.PortfolioUpdateSerializer,
        responses={200: s.PortfolioSerializer},
    ),
)
class PortfolioViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy(
        "Portfolios, and programmes (portfolios inside a portfolio). The PMO office manages them."
    )

    serializer_class = s.PortfolioSerializer
    row_builder = s.PORTFOLIO_ROWS
    queryset = Portfolio.objects.all()
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PORTFOLIO_MANAGE
    filterset_class = PortfolioFilter
    ordering_fields = ["name", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Portfolio]:
        return (
            Portfolio.objects.for_organization(self.organization)
            .select_related("parent", "owner")
            .annotate(project_count=Count("projects"))
            .order_by("name")
        )

    def _output(self, portfolio: Portfolio) -> dict[str, Any]:
        return s.PortfolioSerializer(self.get_queryset().get(pk=portfolio.pk)).data

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.PortfolioCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        portfolio = services.portfolio_create(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return Response(self._output(portfolio), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.PortfolioUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        portfolio = services.portfolio_update(
            actor=_actor(request), portfolio=self.get_object(), **payload.validated_data
        )
        return Response(self._output(portfolio))


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List projects"), tags=["projects"]),
    retrieve=extend_schema(
        summary=gettext_lazy("Show a project, with my role and permissions on it"), tags=["projects"]
    ),
    create=extend_schema(
        summary=gettext_lazy("Create a project (it starts in initiation)"),
        tags=["projects"],
        request=s.ProjectWriteSerializer,
        responses={201: s.ProjectDetailSerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change a project's charter, team leads, dates or calendar"),
        tags=["projects"],
        request=s.ProjectWriteSerializer(partial=True),
        responses={200: s.ProjectDetailSerializer},
    ),
)
class ProjectViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy(
        "Projects of the organisation. Their managers and coordinators change them; the PMO office creates them."
    )

    serializer_class = s.ProjectSerializer
    row_builder = s.PROJECT_ROWS
    queryset = Project.objects.all()
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_MANAGE
    action_permissions = {"create": ProjectAction.PROJECT_CREATE}
    filterset_class = ProjectFilter
    filter_backends = [DjangoFilterBackend, ChoiceOrderingFilter]
    ordering_fields = ["code", "name", "planned_start", "planned_finish", "phase", "priority"]
    ordering_by_choice_order = {"phase": Phase, "priority": Priority}
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def resolve_access(self, request: Any, **url_kwargs: Any) -> Membership:
        # On a project's own URL the user's project role joins the policy check.
        if "pk" not in url_kwargs:
            return super().resolve_access(request, **url_kwargs)
        membership, _project, self.project_role = resolve_project_access(
            request, url_kwargs["org_slug"], url_kwargs["pk"]
        )
        return membership

    def get_queryset(self) -> QuerySet[Project]:
        return (
            Project.objects.for_organization(self.organization)
            .select_related("manager", "sponsor", "portfolio")
            .with_percent_complete_sql(self.organization.pk)
        )

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return s.ProjectSerializer if self.action == "list" else s.ProjectDetailSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["project_role"] = self.project_role
        return context

    def _output(self, project: Project) -> dict[str, Any]:
        _project, self.project_role = resolve_project(self.organization.pk, project.pk, self.membership.user_id)
        fresh = self.get_queryset().get(pk=project.pk)
        return s.ProjectDetailSerializer(fresh, context=self.get_serializer_context()).data

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.ProjectWriteSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        project = services.project_create(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return Response(self._output(project), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.ProjectWriteSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        project = services.project_update(actor=_actor(request), project=self.get_object(), **payload.validated_data)
        return Response(self._output(project))


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the gate checklists"), tags=["project settings"]),
    retrieve=extend_schema(summary=gettext_lazy("Show a gate criterion"), tags=["project settings"]),
    create=extend_schema(
        summary=gettext_lazy("Add a criterion to the checklist for leaving a phase"),
        tags=["project settings"],
        request=s.GateCriterionCreateSerializer,
        responses={201: s.GateCriterionSerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Reword, reorder or switch off a gate criterion"),
        tags=["project settings"],
        request=s.GateCriterionUpdateSerializer,
        responses={200: s.GateCriterionSerializer},
    ),
)
class GateCriterionViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy(
        "The organisation's checklists for leaving each phase. Criteria are switched off, never deleted."
    )

    serializer_class = s.GateCriterionSerializer
    row_builder = s.GATE_CRITERION_ROWS
    queryset = GateCriterion.objects.all()
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_SETTINGS_MANAGE
    filterset_class = GateCriterionFilter
    filter_backends = [DjangoFilterBackend, ChoiceOrderingFilter]
    ordering_fields = ["from_phase", "order"]
    ordering = ["from_phase", "order", "id"]
    ordering_by_choice_order = {"from_phase": Phase}
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[GateCriterion]:
        return GateCriterion.objects.for_organization(self.organization)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.gate_criteria_ensure_defaults(self.organization)
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.GateCriterionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        criterion = settings_services.gate_criterion_create(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return Response(s.GateCriterionSerializer(criterion).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.GateCriterionUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        criterion = settings_services.gate_criterion_update(
            actor=_actor(request), criterion=self.get_object(), **payload.validated_data
        )
        return Response(s.GateCriterionSerializer(criterion).data)


@extend_schema_view(
    get=extend_schema(summary=gettext_lazy("Show the change approval thresholds"), tags=["project settings"]),
    patch=extend_schema(
        summary=gettext_lazy("Change the change approval thresholds"),
        tags=["project settings"],
        request=s.ProjectSettingsSerializer,
        responses={200: s.ProjectSettingsSerializer},
    ),
)
class ProjectSettingsView(OrganizationScopedMixin, generics.RetrieveUpdateAPIView):
    schema_description = gettext_lazy(
        "Above which cost or schedule impact a change request needs finance or PMO approval."
    )

    serializer_class = s.ProjectSettingsSerializer
    queryset = ProjectSettings.objects.all()
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_SETTINGS_MANAGE
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> ProjectSettings:
        return self.remember_version(services.project_settings(self.organization))

    def perform_update(self, serializer: BaseSerializer[ProjectSettings]) -> None:
        serializer.instance = settings_services.project_settings_update(
            actor=_actor(self.request), organization=self.organization, **serializer.validated_data
        )
