"""API of the risk register: a project's risks, the organisation's register, history, settings and categories.

Every view resolves the organisation (and the project of nested routes) through its base mixin,
validates input with a serializer and calls one service. Lists read rows as values
(``pmo.api.rows``). The owner of a risk may assess, review and describe it without the manage action
(``risks.permissions.may_update``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from pmo.api.base import OrganizationScopedMixin
from pmo.api.rows import RowListMixin
from pmo.forms import DateWindowForm
from pmo.models import User
from pmo.tenancy import active_organization
from projects.api.base import ProjectScopedMixin
from projects.models import Project, ProjectMember
from projects.services.locks import lock_project
from risks.api import serializers as s
from risks.models import (
    OPEN_STATUSES,
    Level,
    Risk,
    RiskAssessment,
    RiskCategory,
    RiskKind,
    RiskSettings,
    RiskStatus,
    RiskWbsLink,
)
from risks.permissions import OwnerRule, RiskAction, may_update
from risks.services import register, settings

TAGS = ["risks"]
OPEN = "open"
SCALE = [(str(value), str(value)) for value in range(1, 6)]


class IdFilter(django_filters.NumberFilter):
    """An id: a whole number a database column can hold (a larger one matches nothing, as an unknown id)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class RiskFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=[(OPEN, _("Open (any open status)")), *RiskStatus.choices],
        method="filter_status",
        label=_("Status; 'open' for any open status"),
    )
    level = django_filters.MultipleChoiceFilter(choices=Level.choices, label=_("Level"))
    kind = django_filters.ChoiceFilter(choices=RiskKind.choices, label=_("Threat or opportunity"))
    owner = IdFilter(field_name="owner_id", label=_("Owner (user id)"))
    category = IdFilter(field_name="category_id", label=_("Category (id)"))
    wbs_element = IdFilter(method="filter_element", label=_("Linked to this WBS element (id)"))
    review_overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Open and past its next review date")
    )
    probability = django_filters.TypedChoiceFilter(
        choices=SCALE, coerce=int, method="filter_cell", label=_("Probability 1-5 (with basis)")
    )
    impact = django_filters.TypedChoiceFilter(
        choices=SCALE, coerce=int, method="filter_cell", label=_("Overall impact 1-5 (with basis)")
    )
    basis = django_filters.ChoiceFilter(
        choices=[("current", _("Current")), ("inherent", _("Inherent"))],
        method="filter_basis",
        label=_("Whether probability and impact filter the current or the inherent assessment"),
    )
    q = django_filters.CharFilter(method="search", label=_("Search title, cause, event and effect"))

    class Meta:
        model = Risk
        form = DateWindowForm
        fields = ["status", "level", "kind", "owner", "category", "wbs_element", "review_overdue", "q"]

    def filter_status(self, queryset: QuerySet[Risk], name: str, value: list[str]) -> QuerySet[Risk]:
        wanted = set(value)
        if OPEN in wanted:
            wanted = (wanted - {OPEN}) | set(OPEN_STATUSES)
        return queryset.filter(status__in=wanted)

    def filter_element(self, queryset: QuerySet[Risk], name: str, value: int) -> QuerySet[Risk]:
        links = RiskWbsLink.objects.unscoped().filter(risk=OuterRef("pk"), element_id=value)
        return queryset.filter(Exists(links))

    def filter_overdue(self, queryset: QuerySet[Risk], name: str, value: bool) -> QuerySet[Risk]:
        organization = active_organization()
        assert organization is not None  # the API base activates the URL's organisation
        overdue = Q(status__in=OPEN_STATUSES, next_review__lt=organization.today())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_cell(self, queryset: QuerySet[Risk], name: str, value: int) -> QuerySet[Risk]:
        return queryset  # applied together in filter_queryset below, where the basis is known

    def filter_basis(self, queryset: QuerySet[Risk], name: str, value: str) -> QuerySet[Risk]:
        return queryset

    def filter_queryset(self, queryset: QuerySet[Risk]) -> QuerySet[Risk]:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        inherent = data.get("basis") == "inherent"
        probability, impact = data.get("probability"), data.get("impact")
        if probability not in (None, ""):
            queryset = queryset.filter(**{"inherent_probability" if inherent else "probability": probability})
        if impact not in (None, ""):
            queryset = queryset.filter(**{"inherent_impact" if inherent else "impact": impact})
        return queryset

    def search(self, queryset: QuerySet[Risk], name: str, value: str) -> QuerySet[Risk]:
        return queryset.filter(
            Q(title__icontains=value)
            | Q(cause__icontains=value)
            | Q(event__icontains=value)
            | Q(effect__icontains=value)
        )


class OrganizationRiskFilter(RiskFilter):
    project = IdFilter(field_name="project_id", label=_("Project (id)"))
    scope = django_filters.ChoiceFilter(
        choices=[("organization", _("The organisation's own risks")), ("projects", _("The projects' risks"))],
        method="filter_scope",
        label=_("Only the organisation's own risks, or only the projects'"),
    )

    class Meta(RiskFilter.Meta):
        fields = [*RiskFilter.Meta.fields, "project", "scope"]

    def filter_scope(self, queryset: QuerySet[Risk], name: str, value: str) -> QuerySet[Risk]:
        return queryset.filter(project__isnull=value == "organization")


ORDERING_FIELDS = ["number", "score", "emv", "next_review", "proximity", "raised_at", "title", "status"]


def project_role_of_user(organization_id: int, project_id: int, user_id: int) -> str | None:
    return (
        ProjectMember.objects.for_organization(organization_id)
        .filter(project_id=project_id, user_id=user_id)
        .order_by()
        .values_list("role", flat=True)
        .first()
    )


def _actor(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _points(data: dict[str, Any] | None) -> tuple[Any, Any, Any] | None:
    """Three points sent, or ``None`` to keep the risk's current ones."""
    if not data:
        return None
    return (data["min"], data["likely"], data["max"])


class RiskWritesMixin:
    """Reads and writes shared by the project's and the organisation's risk endpoints."""

    membership: Any
    organization: Any
    project_role: str | None

    if TYPE_CHECKING:

        def get_object(self) -> Risk: ...

        def get_serializer_context(self) -> dict[str, Any]: ...

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The register's filters narrow the list; a risk's own URL finds it whatever the query string says."""
        if getattr(self, "action", None) != "list":
            return queryset
        return super().filter_queryset(queryset)  # type: ignore[misc]

    def raised_in(self) -> Project | None:
        """The project a risk raised here belongs to (``None``: the organisation's own)."""
        raise NotImplementedError

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(s.RiskDetailSerializer(self.get_object()).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.RiskWriteSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        risk = register.risk_raise(
            actor=_actor(request), organization=self.organization, project=self.raised_in(), **payload.validated_data
        )
        return self._detail(risk, status.HTTP_201_CREATED)

    def _detail(self, risk: Risk, status_code: int = status.HTTP_200_OK) -> Response:
        risk = self.detail_queryset().get(pk=risk.pk)
        return Response(s.RiskDetailSerializer(risk).data, status=status_code)

    def detail_queryset(self) -> QuerySet[Risk]:
        links = RiskWbsLink.objects.for_organization(self.organization).order_by("element_id")
        return (
            Risk.objects.for_organization(self.organization)
            .select_related("project", "category", "owner", "raised_by")
            .prefetch_related(Prefetch("wbs_links", queryset=links))
        )

    def _updatable(self) -> Risk:
        """The risk, if the member may change it: with the manage action, or as its owner (else 403)."""
        risk = self.get_object()
        if not may_update(self.membership, self.project_role, risk.owner_id, RiskAction.RISK_MANAGE):
            raise exceptions.PermissionDenied()
        return risk

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        risk = self._updatable()
        payload = s.RiskUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        elements = fields.pop("wbs_elements", None)
        if (
            "owner" in fields
            and fields["owner"] != risk.owner
            and not may_update(self.membership, self.project_role, None, RiskAction.RISK_MANAGE)
        ):
            raise exceptions.PermissionDenied(_("Only a risk manager hands a risk to another owner."))
        risk = register.risk_update(actor=_actor(request), risk=risk, wbs_elements=elements, **fields)
        return self._detail(risk)

    @extend_schema(
        summary=_("Assess the risk (probability, impact per dimension, three-point cost and schedule impact)"),
        tags=TAGS,
        description=_(
            "The first assessment is the inherent one and moves an identified risk to assessed; a reassessment "
            "needs a reason. Score = probability x overall impact (the organisation's rule: highest or average "
            "dimension); the level comes from the organisation's matrix; EMV = probability % x PERT mean "
            "(min + 4 x likely + max) / 6 of the cost impact, negative for an opportunity."
        ),
        request=s.RiskAssessSerializer,
        responses={200: s.RiskDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def assess(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        risk = self._updatable()
        payload = s.RiskAssessSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        risk = register.risk_assess(
            actor=_actor(request),
            risk=risk,
            probability=data["probability"],
            impacts={dimension: data[f"impact_{dimension}"] for dimension in register.DIMENSIONS},
            probability_percent=data["probability_percent"],
            cost=_points(data.get("cost")),
            days=_points(data.get("days")),
            reason=data["reason"],
        )
        return self._detail(risk)

    @extend_schema(
        summary=_("Record a review: the assessment still holds, the next review moves on"),
        tags=TAGS,
        request=s.RiskReviewSerializer,
        responses={200: s.RiskDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        risk = self._updatable()
        payload = s.RiskReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        risk = register.risk_review(actor=_actor(request), risk=risk, note=payload.validated_data["note"])
        return self._detail(risk)

    @extend_schema(
        summary=_(
            "Move the risk along its lifecycle (responding, monitoring, closed; a closed one back to monitoring)"
        ),
        tags=TAGS,
        description=_("Closing needs a reason. A risk that occurred is turned into an issue through its own endpoint."),
        request=s.RiskStatusSerializer,
        responses={200: s.RiskDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        risk = self.get_object()
        payload = s.RiskStatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        risk = register.risk_set_status(actor=_actor(request), risk=risk, **payload.validated_data)
        return self._detail(risk)

    @extend_schema(
        summary=_("The risk's history: every assessment, review and status change, newest first"),
        tags=TAGS,
        responses={200: s.RiskHistorySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        risk = self.get_object()
        rows = (
            RiskAssessment.objects.for_organization(self.organization)
            .filter(risk=risk)
            .order_by("-at", "-id")
            .values(*s.RISK_HISTORY_ROWS.columns)
        )
        return Response(s.RISK_HISTORY_ROWS.build(rows))


_WRITE_ACTIONS: dict[str, str] = {
    "create": RiskAction.RISK_MANAGE,
    "set_status": RiskAction.RISK_MANAGE,
    # The owner rule is checked on the object (``_updatable``).
    "partial_update": RiskAction.RISK_CONTRIBUTE,
    "assess": RiskAction.RISK_CONTRIBUTE,
    "review": RiskAction.RISK_CONTRIBUTE,
}


@extend_schema_view(
    list=extend_schema(summary=_("List the project's risk register"), tags=TAGS),
    retrieve=extend_schema(summary=_("Show a risk"), tags=TAGS, responses={200: s.RiskDetailSerializer}),
    create=extend_schema(
        summary=_("Raise a risk (identified, to be assessed)"),
        tags=TAGS,
        request=s.RiskWriteSerializer,
        responses={201: s.RiskDetailSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change what a risk says: title, cause, event, effect, owner, category, trigger, targets, WBS links"),
        tags=TAGS,
        request=s.RiskUpdateSerializer,
        responses={200: s.RiskDetailSerializer},
    ),
)
class ProjectRiskViewSet(
    OwnerRule,
    ProjectScopedMixin,
    RiskWritesMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _(
        "The project's risk register: risks scored by probability and impact, their EMV, reviews and history."
    )
    serializer_class = s.RiskSerializer
    row_builder = s.RISK_ROWS
    queryset = Risk.objects.all()
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    http_method_names = ["get", "post", "patch", "head", "options"]
    read_action = RiskAction.RISK_VIEW
    write_action = RiskAction.RISK_MANAGE
    action_permissions = _WRITE_ACTIONS
    filterset_class = RiskFilter
    ordering_fields = ORDERING_FIELDS

    def raised_in(self) -> Project | None:
        return self.project

    def get_queryset(self) -> QuerySet[Risk]:
        risks = Risk.objects.for_organization(self.organization).filter(project=self.project)
        if self.action == "list":
            return risks.select_related("category", "owner").order_by("number")
        return self.detail_queryset().filter(project=self.project)


@extend_schema_view(
    list=extend_schema(
        summary=_("List the organisation's register: every project's risks and the organisation's own"), tags=TAGS
    ),
    retrieve=extend_schema(summary=_("Show a risk"), tags=TAGS, responses={200: s.RiskDetailSerializer}),
    create=extend_schema(
        summary=_("Raise an organisation-level risk (not tied to one project; owned by the PMO)"),
        tags=TAGS,
        request=s.RiskWriteSerializer,
        responses={201: s.RiskDetailSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change what a risk says: title, cause, event, effect, owner, category, trigger, targets, WBS links"),
        tags=TAGS,
        request=s.RiskUpdateSerializer,
        responses={200: s.RiskDetailSerializer},
    ),
)
class OrganizationRiskViewSet(
    OwnerRule,
    OrganizationScopedMixin,
    RiskWritesMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _(
        "The organisation's risk register: every project's risks and the organisation's own. A project's risk "
        "reached here is written with the user's role on its project, as under the project's own URL."
    )
    serializer_class = s.RiskSerializer
    row_builder = s.RISK_ROWS
    queryset = Risk.objects.all()
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    http_method_names = ["get", "post", "patch", "head", "options"]
    read_action = RiskAction.RISK_VIEW
    write_action = RiskAction.RISK_MANAGE
    action_permissions = _WRITE_ACTIONS
    filterset_class = OrganizationRiskFilter
    ordering_fields = [*ORDERING_FIELDS, "project__code"]

    def raised_in(self) -> Project | None:
        return None

    def resolve_scope(self, **url_kwargs: Any) -> None:
        """A risk of a project, reached here, counts the user's role on that project (as its own URL would)."""
        super().resolve_scope(**url_kwargs)
        risk_id = url_kwargs.get("pk")
        if risk_id is None or not str(risk_id).isdigit():
            return
        found = (
            Risk.objects.for_organization(self.organization)
            .filter(pk=risk_id, project__isnull=False)
            .values_list("project_id", flat=True)
            .first()
        )
        if found is not None:
            self.risk_project_id = found
            self.project_role = project_role_of_user(self.organization.pk, found, self.membership.user_id)

    risk_project_id: int | None = None

    def lock_scope(self) -> None:
        if self.risk_project_id is not None:
            lock_project(self.risk_project_id, self.organization.pk)

    def get_queryset(self) -> QuerySet[Risk]:
        if self.action == "list":
            return (
                Risk.objects.for_organization(self.organization)
                .select_related("project", "category", "owner")
                .order_by("project__code", "number")
            )
        return self.detail_queryset()


@extend_schema_view(
    get=extend_schema(summary=_("Show the organisation's risk matrix and scoring rules"), tags=TAGS),
    patch=extend_schema(
        summary=_("Change the risk matrix and scoring rules (open risks are re-derived)"),
        tags=TAGS,
        responses={200: s.RiskSettingsSerializer, 400: OpenApiResponse(description=_("Invalid matrix or values."))},
    ),
)
class RiskSettingsView(OrganizationScopedMixin, generics.RetrieveUpdateAPIView):
    schema_description = _(
        "The 5 x 5 matrix (editable cell by cell), the overall impact rule, the default percentage of each "
        "probability band, the review interval of each level, the risk appetite, the confidence level quoted "
        "from Monte Carlo runs and the default spread of three-point estimates."
    )
    serializer_class = s.RiskSettingsSerializer
    queryset = RiskSettings.objects.all()
    read_action = RiskAction.RISK_VIEW
    write_action = RiskAction.RISK_SETTINGS_MANAGE
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> RiskSettings:
        return self.remember_version(settings.risk_settings_for(self.organization))

    def perform_update(self, serializer: BaseSerializer[RiskSettings]) -> None:
        serializer.instance = settings.risk_settings_update(
            actor=_actor(self.request), organization=self.organization, **serializer.validated_data
        )


@extend_schema_view(
    list=extend_schema(summary=_("List the risk categories (the risk breakdown structure)"), tags=TAGS),
    retrieve=extend_schema(summary=_("Show a risk category"), tags=TAGS),
    create=extend_schema(
        summary=_("Add a risk category"),
        tags=TAGS,
        request=s.RiskCategoryCreateSerializer,
        responses={201: s.RiskCategorySerializer},
    ),
    partial_update=extend_schema(
        summary=_("Rename, reorder or switch a risk category on or off (never deleted)"),
        tags=TAGS,
        request=s.RiskCategoryUpdateSerializer,
        responses={200: s.RiskCategorySerializer},
    ),
)
class RiskCategoryViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("The organisation's risk breakdown structure: ten bilingual defaults, editable.")
    serializer_class = s.RiskCategorySerializer
    row_builder = s.RISK_CATEGORY_ROWS
    queryset = RiskCategory.objects.all()
    read_action = RiskAction.RISK_VIEW
    write_action = RiskAction.RISK_SETTINGS_MANAGE
    http_method_names = ["get", "post", "patch", "head", "options"]
    pagination_class = None

    def get_queryset(self) -> QuerySet[RiskCategory]:
        if self.action == "list":
            settings.risk_categories_ensure_defaults(self.organization)
        return RiskCategory.objects.for_organization(self.organization).order_by("order", "code", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.RiskCategoryCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        category = settings.risk_category_create(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return Response(s.RiskCategorySerializer(category).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.RiskCategoryUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        category = settings.risk_category_update(
            actor=_actor(request), category=self.get_object(), **payload.validated_data
        )
        return Response(s.RiskCategorySerializer(category).data)
