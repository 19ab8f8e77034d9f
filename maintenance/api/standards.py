"""API of the maintenance standards, under ``/api/v1/orgs/{org_slug}/maintenance/``.

``categories/`` are the kinds of asset (the built-in ones arrive with the first read of the list);
``criteria/`` their measurable standards, each with its current version nested; editing a
criterion's rule makes a new version, and ``criterion-versions/`` lists every version, read-only.
Categories and criteria are retired and restored by their actions (``retire/``, ``restore/``).
Everyone in the organisation reads; the maintenance role and the PMO change them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from maintenance.judging import rule_text
from maintenance.models import AssetCategory, Criterion, CriterionKind, CriterionVersion, DefectWhen, Priority
from maintenance.models.settings import bilingual
from maintenance.permissions import MaintenanceAction
from maintenance.services import standards as services
from maintenance.standards import ensure_catalogue
from pmo.api import inputs
from pmo.api.base import OrganizationRelatedField, OrganizationScopedMixin
from pmo.api.common import EMPTY_BODY, NamedChoiceField
from pmo.api.common import actor as _actor
from pmo.api.rows import Computed, RowBuilder, RowListMixin

TAG = "maintenance standards"
PRIORITY_ENUM = "MaintenancePriorityEnum"
KIND_ENUM = "CriterionKindEnum"
DEFECT_WHEN_ENUM = "CriterionDefectWhenEnum"
SECOND_DEFECT_WHEN_ENUM = "CriterionSecondDefectWhenEnum"
SECOND_DEFECT_WHEN = [("", "—"), *DefectWhen.choices]
NAME_HELP = _("The name in the reader's language, else the other.")
LIMIT: dict[str, Any] = {"max_digits": 12, "decimal_places": 4}


class Standards(OrganizationScopedMixin):
    read_action = MaintenanceAction.VIEW
    write_action = MaintenanceAction.MANAGE


def _boolean_filter(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.lower() in ("1", "true", "yes")


# Categories


class CategorySerializer(inputs.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=NAME_HELP)
    criteria_count = serializers.IntegerField(read_only=True, help_text=_("Criteria in use (not retired)."))

    class Meta:
        model = AssetCategory
        fields = ["id", "code", "name", "name_zh", "name_en", "builtin", "is_active", "position", "criteria_count"]
        read_only_fields = fields


CATEGORY_ROWS = RowBuilder(
    CategorySerializer,
    computed={"name": Computed(("name_zh", "name_en"), lambda row: bilingual(row["name_zh"], row["name_en"]))},
)


class CategoryInputSerializer(inputs.Serializer):
    code = serializers.CharField(max_length=40, help_text=_("Letters, digits, hyphens and underscores."))
    name_zh = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False, allow_null=True)


class CategoryUpdateSerializer(inputs.Serializer):
    code = serializers.CharField(max_length=40, required=False, help_text=_("A built-in category keeps its code."))
    name_zh = serializers.CharField(max_length=100, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


def categories_with_counts(organization: Any) -> QuerySet[AssetCategory]:
    return AssetCategory.objects.for_organization(organization).annotate(
        criteria_count=Count("criteria", filter=Q(criteria__retired_at__isnull=True))
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("List the asset categories"),
        description=_("The built-in categories arrive with the first read."),
        tags=[TAG],
        parameters=[
            OpenApiParameter(
                "active", OpenApiTypes.BOOL, description=_("Only those in use (true) or retired (false).")
            ),
        ],
    ),
    retrieve=extend_schema(summary=_("Show an asset category"), tags=[TAG]),
    create=extend_schema(
        summary=_("Add an asset category"),
        tags=[TAG],
        request=CategoryInputSerializer,
        responses={201: CategorySerializer},
    ),
    partial_update=extend_schema(
        summary=_("Rename, recode or reorder an asset category"),
        tags=[TAG],
        request=CategoryUpdateSerializer,
        responses={200: CategorySerializer},
    ),
)
class CategoryViewSet(
    Standards,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("Kinds of asset, each with its maintenance criteria.")
    serializer_class = CategorySerializer
    row_builder = CATEGORY_ROWS
    queryset = AssetCategory.objects.all()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[AssetCategory]:
        if self.action == "list":
            ensure_catalogue(self.organization)
        categories = categories_with_counts(self.organization)
        active = _boolean_filter(self.request.query_params.get("active"))
        if active is not None:
            categories = categories.filter(is_active=active)
        return categories.order_by("position", "code", "pk")

    def _respond(self, category: AssetCategory, code: int = status.HTTP_200_OK) -> Response:
        fresh = categories_with_counts(self.organization).get(pk=category.pk)
        return Response(CategorySerializer(fresh).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = CategoryInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        category = services.category_create(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return self._respond(category, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = CategoryUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        category = services.category_update(actor=_actor(request), category=self.get_object(), **payload.validated_data)
        return self._respond(category)

    @extend_schema(
        summary=_("Retire an asset category"),
        description=_("No new assets or criteria in it; its assets and criteria stay."),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: CategorySerializer},
    )
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        return self._respond(services.category_retire(actor=_actor(request), category=self.get_object()))

    @extend_schema(
        summary=_("Put a retired asset category back in use"),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: CategorySerializer},
    )
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        return self._respond(services.category_restore(actor=_actor(request), category=self.get_object()))


# Criteria and their versions


class CriterionVersionSerializer(inputs.ModelSerializer):
    kind = NamedChoiceField(choices=CriterionKind.choices, enum_name=KIND_ENUM, read_only=True)
    defect_when = NamedChoiceField(choices=DefectWhen.choices, enum_name=DEFECT_WHEN_ENUM, read_only=True)
    second_defect_when = NamedChoiceField(choices=SECOND_DEFECT_WHEN, enum_name=SECOND_DEFECT_WHEN_ENUM, read_only=True)
    priority = NamedChoiceField(choices=Priority.choices, enum_name=PRIORITY_ENUM, read_only=True)
    measure = serializers.CharField(read_only=True, help_text=NAME_HELP)
    second_measure = serializers.CharField(read_only=True, help_text=NAME_HELP)
    rule_text = serializers.SerializerMethodField(help_text=_("The defect condition in the reader's language."))

    class Meta:
        model = CriterionVersion
        fields = [
            "id",
            "criterion",
            "version",
            "is_current",
            "kind",
            "measure",
            "measure_zh",
            "measure_en",
            "unit",
            "defect_when",
            "limit",
            "second_measure",
            "second_measure_zh",
            "second_measure_en",
            "second_unit",
            "second_defect_when",
            "second_limit",
            "priority",
            "notes_zh",
            "notes_en",
            "rule_text",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_rule_text(self, version: CriterionVersion) -> str:
        return rule_text(version)


RULE_COLUMNS = tuple(services.JUDGED_FIELDS)


def _row_rule_text(row: Any) -> str:
    # An unsaved version holding the row's rule: rule_text stays the one rule, no query.
    return rule_text(CriterionVersion(**{name: row[name] for name in RULE_COLUMNS}))


VERSION_ROWS = RowBuilder(
    CriterionVersionSerializer,
    computed={
        "measure": Computed(("measure_zh", "measure_en"), lambda row: bilingual(row["measure_zh"], row["measure_en"])),
        "second_measure": Computed(
            ("second_measure_zh", "second_measure_en"),
            lambda row: bilingual(row["second_measure_zh"], row["second_measure_en"]),
        ),
        "rule_text": Computed(RULE_COLUMNS, _row_rule_text),
    },
)


class CriterionSerializer(inputs.ModelSerializer):
    category_code = serializers.CharField(source="category.code", read_only=True)
    is_retired = serializers.BooleanField(read_only=True)
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = Criterion
        fields = [
            "id",
            "category",
            "category_code",
            "code",
            "builtin",
            "position",
            "retired_at",
            "is_retired",
            "current_version",
        ]
        read_only_fields = fields

    @extend_schema_field(CriterionVersionSerializer)
    def get_current_version(self, criterion: Criterion) -> dict[str, Any]:
        return CriterionVersionSerializer(services.current_version(criterion)).data


CRITERION_ROWS = RowBuilder(
    CriterionSerializer,
    computed={
        "is_retired": Computed(("retired_at",), lambda row: row["retired_at"] is not None),
        "current_version": Computed((), lambda row: None),  # filled in by complete_rows
    },
)


class RuleInputSerializer(inputs.Serializer):
    kind = NamedChoiceField(choices=CriterionKind.choices, enum_name=KIND_ENUM, required=False)
    measure_zh = serializers.CharField(max_length=120, required=False, allow_blank=True)
    measure_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=16, required=False, allow_blank=True, help_text=_("A percentage is in %."))
    defect_when = NamedChoiceField(
        choices=DefectWhen.choices,
        enum_name=DEFECT_WHEN_ENUM,
        required=False,
        help_text=_("The comparison that makes a reading a defect."),
    )
    limit = serializers.DecimalField(
        **LIMIT, required=False, help_text=_("The defect condition's limit; a percentage's is 0 to 100.")
    )
    second_measure_zh = serializers.CharField(max_length=120, required=False, allow_blank=True)
    second_measure_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    second_unit = serializers.CharField(max_length=16, required=False, allow_blank=True)
    second_defect_when = NamedChoiceField(
        choices=SECOND_DEFECT_WHEN,
        enum_name=SECOND_DEFECT_WHEN_ENUM,
        required=False,
        allow_blank=True,
        help_text=_("Compound criteria only."),
    )
    second_limit = serializers.DecimalField(
        **LIMIT, required=False, allow_null=True, help_text=_("Compound criteria only.")
    )
    priority = NamedChoiceField(
        choices=Priority.choices,
        enum_name=PRIORITY_ENUM,
        required=False,
        help_text=_("The default priority of the defect."),
    )
    notes_zh = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    notes_en = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class CriterionInputSerializer(RuleInputSerializer):
    category = OrganizationRelatedField(queryset=AssetCategory.objects.all())
    code = serializers.CharField(max_length=40)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False, allow_null=True)


class CriterionUpdateSerializer(RuleInputSerializer):
    code = serializers.CharField(max_length=40, required=False, help_text=_("A built-in criterion keeps its code."))
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


def criteria_of(organization: Any) -> QuerySet[Criterion]:
    current = CriterionVersion.objects.for_organization(organization).filter(is_current=True)
    return (
        Criterion.objects.for_organization(organization)
        .select_related("category")
        .prefetch_related(Prefetch("versions", queryset=current, to_attr="current_versions"))
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("List the maintenance criteria"),
        description=_("Each with its current version; the built-in criteria arrive with the first read."),
        tags=[TAG],
        parameters=[
            OpenApiParameter("category", OpenApiTypes.INT, description=_("Only those of this category.")),
            OpenApiParameter("retired", OpenApiTypes.BOOL, description=_("Only retired (true) or in use (false).")),
        ],
    ),
    retrieve=extend_schema(summary=_("Show a maintenance criterion with its current version"), tags=[TAG]),
    create=extend_schema(
        summary=_("Add a maintenance criterion"),
        description=_("A compound criterion needs its second measure, condition and limit."),
        tags=[TAG],
        request=CriterionInputSerializer,
        responses={201: CriterionSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Edit a maintenance criterion"),
        description=_("A changed rule becomes a new current version; the old one stays for the readings judged by it."),
        tags=[TAG],
        request=CriterionUpdateSerializer,
        responses={200: CriterionSerializer},
    ),
)
class CriterionViewSet(
    Standards,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("Measurable standards of asset categories, with versioned rules.")
    serializer_class = CriterionSerializer
    row_builder = CRITERION_ROWS
    queryset = Criterion.objects.all()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def complete_rows(self, rows: list[dict[str, Any]]) -> None:
        """Each criterion's version in force, the page's in one query."""
        if not rows:
            return
        current = (
            CriterionVersion.objects.for_organization(self.organization)
            .filter(is_current=True, criterion_id__in=[row["id"] for row in rows])
            .values(*VERSION_ROWS.columns)
        )
        built = {row["criterion"]: row for row in VERSION_ROWS.build(current)}
        for row in rows:
            row["current_version"] = built.get(row["id"])

    def get_queryset(self) -> QuerySet[Criterion]:
        criteria = criteria_of(self.organization)
        if self.action == "list":
            ensure_catalogue(self.organization)
            category = self.request.query_params.get("category", "")
            if category:
                criteria = criteria.filter(category_id=int(category) if category.isdigit() else 0)
            retired = _boolean_filter(self.request.query_params.get("retired"))
            if retired is not None:
                criteria = criteria.filter(retired_at__isnull=not retired)
        return criteria.order_by("category__position", "category__code", "position", "code", "pk")

    def _respond(self, criterion: Criterion, code: int = status.HTTP_200_OK) -> Response:
        fresh = criteria_of(self.organization).get(pk=criterion.pk)
        return Response(CriterionSerializer(fresh).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = CriterionInputSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        criterion = services.criterion_add(actor=_actor(request), **payload.validated_data)
        return self._respond(criterion, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = CriterionUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        criterion = services.criterion_update(
            actor=_actor(request), criterion=self.get_object(), **payload.validated_data
        )
        return self._respond(criterion)

    @extend_schema(
        summary=_("Retire a maintenance criterion"),
        description=_("Rounds stop reading it; its versions and the readings judged by them stay."),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: CriterionSerializer},
    )
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        return self._respond(services.criterion_retire(actor=_actor(request), criterion=self.get_object()))

    @extend_schema(
        summary=_("Put a retired maintenance criterion back in use"),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: CriterionSerializer},
    )
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        return self._respond(services.criterion_restore(actor=_actor(request), criterion=self.get_object()))


@extend_schema_view(
    list=extend_schema(
        summary=_("List the versions of maintenance criteria"),
        description=_("Newest first; a reading names the version it was judged by."),
        tags=[TAG],
        parameters=[OpenApiParameter("criterion", OpenApiTypes.INT, description=_("Only this criterion's."))],
    ),
    retrieve=extend_schema(summary=_("Show a version of a maintenance criterion"), tags=[TAG]),
)
class CriterionVersionViewSet(
    Standards, RowListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    schema_description = _("Every rule a criterion has had; read-only.")
    serializer_class = CriterionVersionSerializer
    row_builder = VERSION_ROWS
    queryset = CriterionVersion.objects.all()

    def get_queryset(self) -> QuerySet[CriterionVersion]:
        versions = CriterionVersion.objects.for_organization(self.organization)
        criterion = self.request.query_params.get("criterion", "")
        if self.action == "list" and criterion:
            versions = versions.filter(criterion_id=int(criterion) if criterion.isdigit() else 0)
        return versions.order_by("criterion_id", "-version", "pk")
