"""API of budgets, commitments, actual costs and the organisation's finance rules.

Every view resolves the organisation (and the project of nested routes) through its base
mixin, validates input with a serializer and calls one service. Money is a string on the wire.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import DecimalField, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from finance import jobs as finance_jobs
from finance.api import serializers as s
from finance.models import (
    ZERO,
    ActualCost,
    BudgetLine,
    BudgetVersion,
    Commitment,
    CostCategory,
    ExchangeRate,
    FinanceSettings,
)
from finance.permissions import FinanceAction
from finance.selectors import (
    budget_by_category,
    budget_reconciliation,
    budget_version_diff,
    offered_change_requests,
    with_reversals,
)
from finance.services import budgets, categories, costs, costs_xlsx, rates
from pmo.api import inputs
from pmo.api.base import OrganizationScopedMixin
from pmo.api.jobs import job_responses
from pmo.api.parsers import MultiPartParser
from pmo.api.rows import RowListMixin
from pmo.api.workbooks import (
    XLSX_RENDERERS,
    XLSX_RESPONSE,
    WorkbookMultiPartParser,
    WorkbookUploadSerializer,
    file_stem,
    uploaded_workbook,
    xlsx_response,
)
from pmo.forms import DateWindowForm
from pmo.jobs import job_started_api_response
from projects.api.base import ProjectScopedMixin
from projects.api.views import CsvParser, PlainTextParser, uploaded_csv
from projects.api.views.common import EMPTY_BODY, ID_PATTERN, _actor

TAGS = ["finance"]


# --- filters --------------------------------------------------------------------------


class CostCategoryFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter(label=gettext_lazy("Active"))

    class Meta:
        model = CostCategory
        fields = ["is_active"]


class ExchangeRateFilter(django_filters.FilterSet):
    currency = django_filters.CharFilter(method="by_currency", label=gettext_lazy("Currency (ISO 4217 code)"))
    date = django_filters.DateFilter(
        method="in_force_on",
        label=gettext_lazy("The rates in force on this day: the latest of each currency from this day or before."),
    )

    class Meta:
        model = ExchangeRate
        form = DateWindowForm
        fields = ["currency", "date"]

    def by_currency(self, queryset: QuerySet[ExchangeRate], name: str, value: str) -> QuerySet[ExchangeRate]:
        return queryset.filter(currency=value.strip().upper())

    def in_force_on(self, queryset: QuerySet[ExchangeRate], name: str, value: Any) -> QuerySet[ExchangeRate]:
        latest = queryset.filter(currency=OuterRef("currency"), valid_from__lte=value).order_by("-valid_from")
        return queryset.filter(pk=Subquery(latest.values("pk")[:1]))


class BudgetVersionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=BudgetVersion.Status.choices, label=gettext_lazy("Status"))
    is_current = django_filters.BooleanFilter(label=gettext_lazy("Current"))

    class Meta:
        model = BudgetVersion
        fields = ["status", "is_current"]


class _CostFilter(django_filters.FilterSet):
    category = django_filters.NumberFilter(field_name="category_id", label=gettext_lazy("Cost category (id)"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=gettext_lazy("From (date)"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=gettext_lazy("To (date)"))
    over_budget = django_filters.BooleanFilter(label=gettext_lazy("Over budget"))

    class Meta:
        form = DateWindowForm


class CommitmentFilter(_CostFilter):
    status = django_filters.ChoiceFilter(choices=Commitment.Status.choices, label=gettext_lazy("Status"))

    class Meta:
        model = Commitment
        form = DateWindowForm
        fields = ["status", "category", "date_from", "date_to", "over_budget"]


class ActualCostFilter(_CostFilter):
    source = django_filters.ChoiceFilter(choices=ActualCost.Source.choices, label=gettext_lazy("Source"))

    class Meta:
        model = ActualCost
        form = DateWindowForm
        fields = ["category", "date_from", "date_to", "source", "over_budget"]


# --- the organisation's finance rules -------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List the cost categories (the defaults arrive with the first read)"), tags=TAGS
    ),
    retrieve=extend_schema(summary=gettext_lazy("Show a cost category"), tags=TAGS),
    create=extend_schema(
        summary=gettext_lazy("Add a cost category"),
        tags=TAGS,
        request=s.CostCategoryCreateSerializer,
        responses={201: s.CostCategorySerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Rename, reorder or switch off a cost category"),
        tags=TAGS,
        request=s.CostCategoryUpdateSerializer,
        responses={200: s.CostCategorySerializer},
    ),
)
class CostCategoryViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy(
        "What budget lines and costs are broken down by. Categories are switched off, never deleted."
    )

    serializer_class = s.CostCategorySerializer
    row_builder = s.COST_CATEGORY_ROWS
    queryset = CostCategory.objects.all()
    read_action = FinanceAction.FINANCE_VIEW
    write_action = FinanceAction.FINANCE_SETTINGS_MANAGE
    filterset_class = CostCategoryFilter
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["order", "code", "name"]
    ordering = ["order", "name", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[CostCategory]:
        return CostCategory.objects.for_organization(self.organization)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        categories.cost_categories_ensure_defaults(self.organization)
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.CostCategoryCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        category = categories.cost_category_create(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return Response(s.CostCategorySerializer(category).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.CostCategoryUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        category = categories.cost_category_update(
            actor=_actor(request), category=self.get_object(), **payload.validated_data
        )
        return Response(s.CostCategorySerializer(category).data)


@extend_schema_view(
    get=extend_schema(summary=gettext_lazy("Show the budget control setting"), tags=TAGS),
    patch=extend_schema(
        summary=gettext_lazy("Choose whether costs over budget are flagged (warn) or refused (block)"),
        tags=TAGS,
        request=s.FinanceSettingsSerializer,
        responses={200: s.FinanceSettingsSerializer},
    ),
)
class FinanceSettingsView(OrganizationScopedMixin, generics.RetrieveUpdateAPIView):
    schema_description = gettext_lazy(
        "What happens when a commitment or actual cost would take a category over its approved budget."
    )

    serializer_class = s.FinanceSettingsSerializer
    queryset = FinanceSettings.objects.all()
    read_action = FinanceAction.FINANCE_VIEW
    write_action = FinanceAction.FINANCE_SETTINGS_MANAGE
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> FinanceSettings:
        return self.remember_version(categories.finance_settings(self.organization))

    def perform_update(self, serializer: BaseSerializer[FinanceSettings]) -> None:
        budget_control = serializer.validated_data.get("budget_control")
        if budget_control is not None:
            serializer.instance = categories.finance_settings_update(
                actor=_actor(self.request), organization=self.organization, budget_control=budget_control
            )


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the exchange rates"), tags=TAGS),
    retrieve=extend_schema(summary=gettext_lazy("Show an exchange rate"), tags=TAGS),
    create=extend_schema(
        summary=gettext_lazy("Add an exchange rate from a date"),
        tags=TAGS,
        request=s.ExchangeRateCreateSerializer,
        responses={201: s.ExchangeRateSerializer},
    ),
    destroy=extend_schema(summary=gettext_lazy("Remove an exchange rate"), tags=TAGS),
)
class ExchangeRateViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy(
        "How many units of the organisation's currency one unit of another is worth, from a date on."
    )

    serializer_class = s.ExchangeRateSerializer
    row_builder = s.EXCHANGE_RATE_ROWS
    queryset = ExchangeRate.objects.all()
    read_action = FinanceAction.FINANCE_VIEW
    write_action = FinanceAction.FINANCE_SETTINGS_MANAGE
    filterset_class = ExchangeRateFilter
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["currency", "valid_from"]
    ordering = ["currency", "-valid_from"]
    http_method_names = ["get", "post", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[ExchangeRate]:
        return ExchangeRate.objects.for_organization(self.organization)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.ExchangeRateCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rate = rates.exchange_rate_create(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return Response(s.ExchangeRateSerializer(rate).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rates.exchange_rate_delete(actor=_actor(request), rate=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- budgets --------------------------------------------------------------------------


def _lines(organization_id: int) -> QuerySet[BudgetLine]:
    return (
        BudgetLine.objects.for_organization(organization_id)
        .select_related("category", "wbs_element")
        .order_by("category__order", "category__name", "id")
    )


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the project's budget versions, newest first"), tags=TAGS),
    retrieve=extend_schema(
        summary=gettext_lazy("Show a budget version with its lines and what it changes against the current one"),
        tags=TAGS,
    ),
    create=extend_schema(
        summary=gettext_lazy("Open a draft budget version, prefilled from the current approved one"),
        description=gettext_lazy(
            "Refused with the code `open_version_exists` while another version is draft or submitted."
        ),
        tags=TAGS,
        request=s.BudgetVersionCreateSerializer,
        responses={201: s.BudgetVersionDetailSerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change a draft's reserves or note"),
        tags=TAGS,
        request=s.BudgetVersionUpdateSerializer,
        responses={200: s.BudgetVersionDetailSerializer},
    ),
)
class BudgetVersionViewSet(
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy(
        "A project's budget in versions: draft → submitted → approved (current) or rejected.\n"
        "\n"
        "Finance approves, never the person who submitted the version; the approved version becomes\n"
        "current and the previous current one superseded."
    )

    serializer_class = s.BudgetVersionSerializer
    row_builder = s.BUDGET_VERSION_ROWS
    queryset = BudgetVersion.objects.all()
    read_action = FinanceAction.FINANCE_VIEW
    write_action = FinanceAction.BUDGET_EDIT
    action_permissions = {
        "submit": FinanceAction.BUDGET_EDIT,
        "approve": FinanceAction.BUDGET_APPROVE,
        "reject": FinanceAction.BUDGET_APPROVE,
        "from_change_request": FinanceAction.BUDGET_EDIT,
        "offered_change_requests": FinanceAction.BUDGET_EDIT,
    }
    filterset_class = BudgetVersionFilter
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["number", "created_at"]
    ordering = ["-number"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[BudgetVersion]:
        organization_id = self.organization.pk
        lines_total = (
            BudgetLine.objects.for_organization(organization_id)
            .filter(version=OuterRef("pk"))
            .order_by()
            .values("version")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return (
            BudgetVersion.objects.for_organization(organization_id)
            .filter(project=self.project)
            .select_related("created_by", "submitted_by", "decided_by")
            .annotate(
                lines_total=Coalesce(
                    Subquery(lines_total), Value(ZERO), output_field=DecimalField(max_digits=20, decimal_places=2)
                )
            )
        )

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return s.BudgetVersionSerializer if self.action == "list" else s.BudgetVersionDetailSerializer

    def _detail(self, pk: Any, status_code: int = status.HTTP_200_OK) -> Response:
        version = (
            self.get_queryset()
            .prefetch_related(Prefetch("lines", queryset=_lines(self.organization.pk)))
            .filter(pk=pk)
            .first()
        )
        if version is None:
            raise Http404
        self.remember_version(version)
        version.comparison = budget_version_diff(version)  # type: ignore[attr-defined]
        return Response(s.BudgetVersionDetailSerializer(version).data, status=status_code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(kwargs["pk"])

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.BudgetVersionCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        version = budgets.budget_version_create(actor=_actor(request), project=self.project, **payload.validated_data)
        return self._detail(version.pk, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.BudgetVersionUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = budgets.budget_version_update(
            actor=_actor(request), version=self.get_object(), **payload.validated_data
        )
        return self._detail(version.pk)

    @extend_schema(
        summary=gettext_lazy("Submit a draft to finance for approval (it needs at least one line)"),
        tags=TAGS,
        request=EMPTY_BODY,
        responses={200: s.BudgetVersionDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        version = budgets.budget_version_submit(actor=_actor(request), version=self.get_object())
        return self._detail(version.pk)

    @extend_schema(
        summary=gettext_lazy(
            "Approve a submitted version, making it the current budget (finance; never its submitter)"
        ),
        description=gettext_lazy(
            "Only members with the finance role approve. The person who submitted the version never "
            "does: 403 `separation_of_duties`. The previous current version becomes `superseded`."
        ),
        tags=TAGS,
        request=s.BudgetApproveSerializer,
        responses={200: s.BudgetVersionDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.BudgetApproveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = budgets.budget_version_approve(
            actor=_actor(request),
            membership=self.membership,
            version=self.get_object(),
            comment=payload.validated_data["comment"],
        )
        return self._detail(version.pk)

    @extend_schema(
        summary=gettext_lazy("Reject a submitted version, saying why (finance)"),
        tags=TAGS,
        request=s.BudgetRejectSerializer,
        responses={200: s.BudgetVersionDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.BudgetRejectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = budgets.budget_version_reject(
            actor=_actor(request),
            membership=self.membership,
            version=self.get_object(),
            comment=payload.validated_data["comment"],
        )
        return self._detail(version.pk)

    @extend_schema(
        summary=gettext_lazy("Open a draft for an approved change request with a cost impact, linked to it"),
        tags=TAGS,
        request=s.FromChangeRequestSerializer,
        responses={201: s.BudgetVersionDetailSerializer},
        filters=False,
    )
    @action(detail=False, methods=["post"], url_path="from-change-request", filter_backends=[])
    def from_change_request(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.FromChangeRequestSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        version = budgets.budget_version_from_change_request(
            actor=_actor(request), change_request=payload.validated_data["change_request"]
        )
        return self._detail(version.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("List the approved change requests a new draft may carry (each is carried once)"),
        tags=TAGS,
        responses={200: s.OfferedChangeRequestSerializer(many=True)},
        filters=False,
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="offered-change-requests",
        filter_backends=[],
        pagination_class=None,
    )
    def offered_change_requests(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        offered = offered_change_requests(self.project).only("id", "number", "title", "status", "impact_cost")
        return Response(s.OfferedChangeRequestSerializer(offered, many=True).data)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List a budget version's lines"), tags=TAGS),
    retrieve=extend_schema(summary=gettext_lazy("Show a budget line"), tags=TAGS),
    create=extend_schema(
        summary=gettext_lazy("Add a line to a draft budget version"),
        tags=TAGS,
        request=s.BudgetLineCreateSerializer,
        responses={201: s.BudgetLineSerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change a line of a draft budget version"),
        tags=TAGS,
        request=s.BudgetLineUpdateSerializer,
        responses={200: s.BudgetLineSerializer},
    ),
    destroy=extend_schema(summary=gettext_lazy("Remove a line from a draft budget version"), tags=TAGS),
)
class BudgetLineViewSet(
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
        "The lines of one budget version, by cost category and optionally WBS element; all in one response."
    )

    serializer_class = s.BudgetLineSerializer
    row_builder = s.BUDGET_LINE_ROWS
    queryset = BudgetLine.objects.all()
    read_action = FinanceAction.FINANCE_VIEW
    write_action = FinanceAction.BUDGET_EDIT
    filter_backends: list[Any] = []
    pagination_class = None
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    version: BudgetVersion

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        version = (
            BudgetVersion.objects.for_organization(self.organization)
            .filter(project=self.project, pk=url_kwargs["budgetversion_id"])
            .first()
        )
        if version is None:
            raise Http404
        version.project = self.project
        self.version = version

    def get_queryset(self) -> QuerySet[BudgetLine]:
        return _lines(self.organization.pk).filter(version=self.version)

    def _output(self, line: BudgetLine, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(s.BudgetLineSerializer(self.get_queryset().get(pk=line.pk)).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.BudgetLineCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        line = budgets.budget_line_add(actor=_actor(request), version=self.version, **payload.validated_data)
        return self._output(line, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.BudgetLineUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        line = self.get_object()
        line.version = self.version
        line = budgets.budget_line_update(actor=_actor(request), line=line, **payload.validated_data)
        return self._output(line)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        line = self.get_object()
        line.version = self.version
        budgets.budget_line_remove(actor=_actor(request), line=line)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BudgetReconciliationView(ProjectScopedMixin, generics.GenericAPIView):
    """The current approved budget against the current baseline: totals, and where they differ."""

    serializer_class = s.ReconciliationSerializer
    queryset = BudgetVersion.objects.all()
    read_action = FinanceAction.FINANCE_VIEW
    filter_backends: list[Any] = []
    pagination_class = None

    @extend_schema(
        summary=gettext_lazy("Reconcile the approved budget with the baseline, per WBS element where they differ"),
        description=gettext_lazy(
            "Approved lines (reserves apart) against the baseline's task budgets. Each row is a WBS element "
            "with lines against the baseline tasks under it (code equal or starting with the element's code and "
            "a dot; a task counts for the innermost such element), plus a row for lines tied to no element "
            "against the tasks under none. Only rows that differ are listed."
        ),
        tags=TAGS,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(s.ReconciliationSerializer(budget_reconciliation(self.project)).data)


class BudgetByCategoryView(ProjectScopedMixin, generics.GenericAPIView):
    schema_description = gettext_lazy(
        "Per cost category: approved, committed, actual, remaining, and whether it is over budget."
    )

    serializer_class = s.CategoryBudgetSerializer
    queryset = CostCategory.objects.all()
    read_action = FinanceAction.FINANCE_VIEW
    filter_backends: list[Any] = []
    pagination_class = None

    @extend_schema(
        summary=gettext_lazy("The project's budget by cost category against commitments and actual costs"),
        tags=TAGS,
        responses={200: s.CategoryBudgetSerializer(many=True)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(s.CategoryBudgetSerializer(budget_by_category(self.project), many=True).data)


# --- commitments and actual costs -----------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the project's commitments"), tags=TAGS),
    retrieve=extend_schema(summary=gettext_lazy("Show a commitment"), tags=TAGS),
    create=extend_schema(
        summary=gettext_lazy("Record a commitment (purchase order or contract), under budget control"),
        description=gettext_lazy(
            "Over its category's approved budget the commitment is saved with `over_budget` (budget control "
            "warn) or refused with the code `over_budget` (block)."
        ),
        tags=TAGS,
        request=s.CommitmentCreateSerializer,
        responses={201: s.CommitmentSerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change an open commitment, or close or cancel it"),
        tags=TAGS,
        request=s.CommitmentUpdateSerializer,
        responses={200: s.CommitmentSerializer},
    ),
)
class CommitmentViewSet(
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy("Purchase orders and contracts: open, then closed or cancelled.")

    serializer_class = s.CommitmentSerializer
    row_builder = s.COMMITMENT_ROWS
    queryset = Commitment.objects.all()
    read_action = FinanceAction.FINANCE_VIEW
    write_action = FinanceAction.COSTS_MANAGE
    filterset_class = CommitmentFilter
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["date", "amount", "created_at"]
    ordering = ["-date", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Commitment]:
        return (
            Commitment.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("category", "wbs_element", "created_by")
        )

    def _output(self, commitment: Commitment, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(s.CommitmentSerializer(self.get_queryset().get(pk=commitment.pk)).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.CommitmentCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        commitment = costs.commitment_create(actor=_actor(request), project=self.project, **payload.validated_data)
        return self._output(commitment, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.CommitmentUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        commitment = costs.commitment_update(
            actor=_actor(request), commitment=self.get_object(), **payload.validated_data
        )
        return self._output(commitment)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the project's actual costs"), tags=TAGS),
    retrieve=extend_schema(summary=gettext_lazy("Show an actual cost"), tags=TAGS),
    create=extend_schema(
        summary=gettext_lazy("Record an invoice or expense, under budget control"),
        description=gettext_lazy(
            "Over its category's approved budget the cost is saved with `over_budget` (budget control warn) "
            "or refused with the code `over_budget` (block)."
        ),
        tags=TAGS,
        request=s.ActualCostCreateSerializer,
        responses={201: s.ActualCostSerializer},
    ),
)
class ActualCostViewSet(
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy("Invoices, expenses and imported costs.")

    serializer_class = s.ActualCostSerializer
    row_builder = s.ACTUAL_COST_ROWS
    queryset = ActualCost.objects.all()
    read_action = FinanceAction.FINANCE_VIEW
    write_action = FinanceAction.COSTS_MANAGE
    action_permissions = {
        "import_csv": FinanceAction.COSTS_MANAGE,
        "import_xlsx": FinanceAction.COSTS_MANAGE,
        "xlsx_template": FinanceAction.COSTS_MANAGE,
        "reverse": FinanceAction.COSTS_MANAGE,
    }
    filterset_class = ActualCostFilter
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["date", "amount", "created_at"]
    ordering = ["-date", "-id"]
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[ActualCost]:
        return with_reversals(
            ActualCost.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("category", "wbs_element", "created_by"),
            self.organization.pk,
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.ActualCostCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        cost = costs.actual_cost_create(actor=_actor(request), project=self.project, **payload.validated_data)
        fresh = self.get_queryset().get(pk=cost.pk)
        return Response(s.ActualCostSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Reverse a cost: record the negative entry that cancels it, with the reason"),
        description=gettext_lazy(
            "Costs are never deleted or edited; a wrong one is reversed. The reversal keeps the cost's date, "
            "category, WBS element, supplier and reference, with the negative amount, and both stay listed "
            "(`reverses` on the reversal, `reversed_by` on the cost). A cost is reversed once (400 "
            "`already_reversed`); a reversal is not reversed (400 `reversal_not_reversible`)."
        ),
        tags=TAGS,
        request=s.ActualCostReverseSerializer,
        responses={201: s.ActualCostSerializer},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reverse(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.ActualCostReverseSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        reversal = costs.actual_cost_reverse(
            actor=_actor(request), cost=self.get_object(), reason=payload.validated_data["reason"]
        )
        fresh = self.get_queryset().get(pk=reversal.pk)
        return Response(s.ActualCostSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Import actual costs from a CSV file: every row, or none"),
        description=costs.COSTS_RULES,
        tags=TAGS,
        request={"multipart/form-data": s.ActualCostImportUploadSerializer, "text/csv": OpenApiTypes.STR},
        responses={201: s.ActualCostImportResultSerializer},
        filters=False,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, CsvParser, PlainTextParser],
        filter_backends=[],
    )
    def import_csv(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        content = uploaded_csv(request)
        created = costs.actual_costs_import(actor=_actor(request), project=self.project, text=content)
        result = {
            "created": len(created),
            "total": sum((cost.amount for cost in created), Decimal(0)),
            "over_budget": sum(1 for cost in created if cost.over_budget),
        }
        return Response(s.ActualCostImportResultSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Export the project's actual costs as an Excel workbook (the import's columns)"),
        description=costs_xlsx.XLSX_RULES,
        tags=TAGS,
        responses={**XLSX_RESPONSE, 202: job_responses(file=True)[202]},
        filters=False,
    )
    @action(detail=False, methods=["get"], url_path="xlsx", renderer_classes=XLSX_RENDERERS, filter_backends=[])
    def export_xlsx(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        rows = ActualCost.objects.for_organization(self.organization).filter(project=self.project).count()
        if finance_jobs.in_job(rows=rows):
            return job_started_api_response(
                request,
                kind=finance_jobs.COSTS_EXPORT,
                organization=self.organization,
                requested_by=_actor(request),
                payload={"project": self.project.pk},
            )
        name = f"{file_stem(self.project.code, f'project-{self.project.pk}')}-actual-costs.xlsx"
        return xlsx_response(costs_xlsx.actual_costs_workbook(self.project), name)

    @extend_schema(
        summary=gettext_lazy("The Excel template of actual costs: an example row and a sheet explaining each column"),
        description=costs_xlsx.XLSX_RULES,
        tags=TAGS,
        responses=XLSX_RESPONSE,
        filters=False,
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="xlsx/template",
        renderer_classes=XLSX_RENDERERS,
        filter_backends=[],
    )
    def xlsx_template(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return xlsx_response(costs_xlsx.actual_costs_template(), "actual-costs-template.xlsx")

    @extend_schema(
        summary=gettext_lazy("Import actual costs from an Excel workbook: every row, or none"),
        description=costs_xlsx.XLSX_RULES,
        tags=TAGS,
        request={"multipart/form-data": WorkbookUploadSerializer},
        responses={**job_responses(file=False), 201: s.ActualCostImportResultSerializer},
        filters=False,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="xlsx/import",
        parser_classes=[WorkbookMultiPartParser],
        filter_backends=[],
    )
    def import_xlsx(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        data = uploaded_workbook(request)
        if finance_jobs.in_job(size=len(data)):
            return job_started_api_response(
                request,
                kind=finance_jobs.COSTS_IMPORT,
                organization=self.organization,
                requested_by=_actor(request),
                payload={"project": self.project.pk},
                upload=data,
                upload_name="actual-costs.xlsx",
            )
        created = costs_xlsx.actual_costs_import_xlsx(actor=_actor(request), project=self.project, data=data)
        result = {
            "created": len(created),
            "total": sum((cost.amount for cost in created), Decimal(0)),
            "over_budget": sum(1 for cost in created if cost.over_budget),
        }
        return Response(s.ActualCostImportResultSerializer(result).data, status=status.HTTP_201_CREATED)
