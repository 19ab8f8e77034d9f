"""API of the organisation's quality library: settings, standards, inspection types, checklist templates.

Every member reads the library; the quality role and the PMO change it (``QualityAction.LIBRARY_MANAGE``).
Lists read rows as values (``pmo.api.rows``); a template's items come with the template itself.
Editing a template version that inspections used answers with the next version it made.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from pmo.api import inputs
from pmo.api.base import OrganizationRelatedField, OrganizationScopedMixin
from pmo.api.common import NamedChoiceField
from pmo.api.rows import Computed, RowBuilder, RowListMixin
from pmo.models import User
from projects.models.project import ProjectRole
from quality.models import (
    ChecklistItem,
    ChecklistTemplate,
    Comparator,
    Discipline,
    InspectionType,
    ItemKind,
    NcMode,
    QualitySettings,
    Severity,
    Standard,
    _bilingual,
)
from quality.permissions import QualityAction
from quality.services import library
from quality.services.settings import inspection_types_ensure_defaults, quality_settings_for

TAGS = ["quality library"]
LIMIT = {"max_digits": 14, "decimal_places": 4, "allow_null": True, "required": False}
NAME_HELP = _("The name in the reader's language, else the other.")


def _actor(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class Library(OrganizationScopedMixin):
    read_action = QualityAction.QUALITY_VIEW
    write_action = QualityAction.LIBRARY_MANAGE


# Settings


class QualitySettingsSerializer(inputs.ModelSerializer):
    field_inspector_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=ProjectRole.choices),
        max_length=len(ProjectRole.choices),
        help_text=_("Project roles that may carry out safety and environment inspections besides the quality role."),
    )

    class Meta:
        model = QualitySettings
        fields = [
            "nc_mode",
            "due_days_critical",
            "due_days_major",
            "due_days_minor",
            "field_inspector_roles",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        extra_kwargs = {
            "nc_mode": {"choices": NcMode.choices},
            "due_days_critical": {"min_value": 1, "max_value": library.MAX_DUE_DAYS},
            "due_days_major": {"min_value": 1, "max_value": library.MAX_DUE_DAYS},
            "due_days_minor": {"min_value": 1, "max_value": library.MAX_DUE_DAYS},
        }


@extend_schema_view(
    get=extend_schema(summary=_("Show the organisation's quality settings"), tags=TAGS),
    patch=extend_schema(summary=_("Change the organisation's quality settings"), tags=TAGS),
)
class QualitySettingsView(Library, generics.RetrieveUpdateAPIView):
    schema_description = _(
        "How a failed inspection opens non-conformances (one per failed item or one per inspection), the days a "
        "non-conformance of each severity is due in, and the project roles that may inspect safety and environment."
    )
    serializer_class = QualitySettingsSerializer
    queryset = QualitySettings.objects.all()
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> QualitySettings:
        return self.remember_version(quality_settings_for(self.organization))

    def perform_update(self, serializer: BaseSerializer[QualitySettings]) -> None:
        serializer.instance = library.quality_settings_update(
            actor=_actor(self.request), organization=self.organization, **serializer.validated_data
        )


# Standards


class StandardSerializer(inputs.ModelSerializer):
    class Meta:
        model = Standard
        fields = ["id", "code", "title", "clause", "notes", "created_at"]
        read_only_fields = fields


STANDARD_ROWS = RowBuilder(StandardSerializer)


class StandardInputSerializer(inputs.Serializer):
    code = serializers.CharField(max_length=64)
    title = serializers.CharField(max_length=255)
    clause = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")


class StandardUpdateSerializer(inputs.Serializer):
    code = serializers.CharField(max_length=64, required=False)
    title = serializers.CharField(max_length=255, required=False)
    clause = serializers.CharField(max_length=64, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


@extend_schema_view(
    list=extend_schema(summary=_("List the standards library"), tags=TAGS),
    retrieve=extend_schema(summary=_("Show a standard"), tags=TAGS),
    create=extend_schema(
        summary=_("Add a standard's clause"),
        tags=TAGS,
        request=StandardInputSerializer,
        responses={201: StandardSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Correct a standard"),
        tags=TAGS,
        request=StandardUpdateSerializer,
        responses={200: StandardSerializer},
    ),
    destroy=extend_schema(
        summary=_("Delete a standard no checklist item cites"),
        tags=TAGS,
        responses={
            204: None,
            409: OpenApiResponse(description=_("Checklist items cite this standard: it cannot be deleted.")),
        },
    ),
)
class StandardViewSet(
    Library,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("The standards and clauses that checklist items cite; a number and clause appear once.")
    serializer_class = StandardSerializer
    row_builder = STANDARD_ROWS
    queryset = Standard.objects.all()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Standard]:
        return Standard.objects.for_organization(self.organization).order_by("code", "clause", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = StandardInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        standard = library.standard_create(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return Response(StandardSerializer(standard).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = StandardUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        standard = library.standard_update(actor=_actor(request), standard=self.get_object(), **payload.validated_data)
        return Response(StandardSerializer(standard).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        library.standard_delete(actor=_actor(request), standard=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# Inspection types


class InspectionTypeSerializer(inputs.ModelSerializer):
    name = serializers.SerializerMethodField(help_text=NAME_HELP)

    class Meta:
        model = InspectionType
        fields = ["id", "code", "name", "name_zh", "name_en", "discipline", "builtin", "position"]
        read_only_fields = fields
        extra_kwargs = {"discipline": {"choices": Discipline.choices}}

    def get_name(self, inspection_type: InspectionType) -> str:
        return inspection_type.name


INSPECTION_TYPE_ROWS = RowBuilder(
    InspectionTypeSerializer,
    computed={"name": Computed(("name_zh", "name_en"), lambda row: _bilingual(row["name_zh"], row["name_en"]))},
)


class InspectionTypeInputSerializer(inputs.Serializer):
    code = serializers.SlugField(max_length=32)
    name_zh = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    discipline = serializers.ChoiceField(choices=Discipline.choices, default=Discipline.QUALITY)
    position = serializers.IntegerField(min_value=0, max_value=1000, required=False)


class InspectionTypeUpdateSerializer(inputs.Serializer):
    code = serializers.SlugField(max_length=32, required=False, help_text=_("A built-in type keeps its code."))
    name_zh = serializers.CharField(max_length=100, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True)
    discipline = serializers.ChoiceField(
        choices=Discipline.choices, required=False, help_text=_("A built-in type keeps its discipline.")
    )
    position = serializers.IntegerField(min_value=0, max_value=1000, required=False)


@extend_schema_view(
    list=extend_schema(summary=_("List the inspection types"), tags=TAGS),
    retrieve=extend_schema(summary=_("Show an inspection type"), tags=TAGS),
    create=extend_schema(
        summary=_("Add an inspection type"),
        tags=TAGS,
        request=InspectionTypeInputSerializer,
        responses={201: InspectionTypeSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Rename an inspection type (a built-in one keeps its code and discipline)"),
        tags=TAGS,
        request=InspectionTypeUpdateSerializer,
        responses={200: InspectionTypeSerializer},
    ),
)
class InspectionTypeViewSet(
    Library,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("Quality, safety, environment and audit, built in, and the organisation's own types.")
    serializer_class = InspectionTypeSerializer
    row_builder = INSPECTION_TYPE_ROWS
    queryset = InspectionType.objects.all()
    http_method_names = ["get", "post", "patch", "head", "options"]
    pagination_class = None

    def get_queryset(self) -> QuerySet[InspectionType]:
        if self.action == "list":
            inspection_types_ensure_defaults(self.organization)
        return InspectionType.objects.for_organization(self.organization).order_by("position", "code", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = InspectionTypeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        added = library.inspection_type_create(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return Response(InspectionTypeSerializer(added).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = InspectionTypeUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        saved = library.inspection_type_update(
            actor=_actor(request), inspection_type=self.get_object(), **payload.validated_data
        )
        return Response(InspectionTypeSerializer(saved).data)


# Checklist templates


class ChecklistOptionSerializer(inputs.Serializer):
    key = serializers.CharField(max_length=64, help_text=_("What a reading stores; letters, digits, - and _."))
    label = serializers.CharField(  # type: ignore[assignment]
        max_length=100, required=False, allow_blank=True, default=""
    )
    acceptable = serializers.BooleanField(default=False, help_text=_("Whether choosing it passes the check."))


class ChecklistItemSerializer(inputs.ModelSerializer):
    text = serializers.CharField(read_only=True, help_text=_("The check in the reader's language, else the other."))
    requirement = serializers.CharField(read_only=True, help_text=_("The rule as shown: ≤ 20 mm."))
    options = ChecklistOptionSerializer(many=True, read_only=True)
    kind = NamedChoiceField(choices=ItemKind.choices, enum_name="QualityItemKindEnum", read_only=True)
    severity = NamedChoiceField(choices=Severity.choices, enum_name="QualitySeverityEnum", read_only=True)
    # Blank for an item that is not numeric: the enum lists "" too (as on the inspection's checks).
    comparator = NamedChoiceField(
        choices=[("", "—"), *Comparator.choices], enum_name="QualityComparatorEnum", read_only=True
    )
    second_comparator = NamedChoiceField(
        choices=[("", "—"), *Comparator.choices], enum_name="QualityComparatorEnum", read_only=True
    )

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "position",
            "text",
            "requirement",
            *library.ITEM_FIELDS,
        ]
        read_only_fields = fields


class ChecklistItemInputSerializer(inputs.Serializer):
    text_zh = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    text_en = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    kind = NamedChoiceField(choices=ItemKind.choices, enum_name="QualityItemKindEnum")
    severity = NamedChoiceField(choices=Severity.choices, enum_name="QualitySeverityEnum", default=Severity.MINOR)
    standard = OrganizationRelatedField(
        queryset=Standard.objects.all(), required=False, allow_null=True, default=None, help_text=_("A standard's id.")
    )
    max_readings = serializers.IntegerField(min_value=1, max_value=50, default=1)
    unit = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    comparator = serializers.ChoiceField(choices=Comparator.choices, required=False, allow_blank=True, default="")
    limit_a = serializers.DecimalField(**LIMIT, help_text=_("The limit, the lower limit or the target."))  # type: ignore[arg-type]
    limit_b = serializers.DecimalField(**LIMIT, help_text=_("The upper limit or the tolerance."))  # type: ignore[arg-type]
    second_label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    second_unit = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    second_comparator = serializers.ChoiceField(
        choices=Comparator.choices, required=False, allow_blank=True, default=""
    )
    second_limit_a = serializers.DecimalField(**LIMIT)  # type: ignore[arg-type]
    second_limit_b = serializers.DecimalField(**LIMIT)  # type: ignore[arg-type]
    options = ChecklistOptionSerializer(many=True, required=False, help_text=_("A choice item's options."))


class ChecklistTemplateSerializer(inputs.ModelSerializer):
    name = serializers.SerializerMethodField(help_text=NAME_HELP)
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ChecklistTemplate
        fields = [
            "id",
            "code",
            "version",
            "is_current",
            "name",
            "name_zh",
            "name_en",
            "inspection_type",
            "description",
            "item_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_name(self, template: ChecklistTemplate) -> str:
        return template.name


TEMPLATE_ROWS = RowBuilder(
    ChecklistTemplateSerializer,
    computed={"name": Computed(("name_zh", "name_en"), lambda row: _bilingual(row["name_zh"], row["name_en"]))},
)


class ChecklistTemplateDetailSerializer(ChecklistTemplateSerializer):
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta(ChecklistTemplateSerializer.Meta):
        fields = [*ChecklistTemplateSerializer.Meta.fields, "items"]
        read_only_fields = fields


class ChecklistTemplateInputSerializer(inputs.Serializer):
    code = serializers.CharField(max_length=32, help_text=_("Names the template across its versions."))
    name_zh = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    inspection_type = OrganizationRelatedField(queryset=InspectionType.objects.all())
    description = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    items = ChecklistItemInputSerializer(many=True, max_length=library.MAX_ITEMS)  # type: ignore[call-arg]


class ChecklistTemplateUpdateSerializer(inputs.Serializer):
    name_zh = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    inspection_type = OrganizationRelatedField(queryset=InspectionType.objects.all(), required=False)
    description = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    items = ChecklistItemInputSerializer(  # type: ignore[call-arg]
        many=True,
        required=False,
        max_length=library.MAX_ITEMS,
        help_text=_("All the items, in order, replacing the current ones; left out, the items stay."),
    )


CODE_FILTER = OpenApiParameter(
    "code",
    OpenApiTypes.STR,
    description=_("Every version of the template with this code, newest first (without it: current versions)."),
)


@extend_schema_view(
    list=extend_schema(summary=_("List the checklist templates"), tags=TAGS, parameters=[CODE_FILTER]),
    retrieve=extend_schema(summary=_("Show a checklist template version with its items"), tags=TAGS),
    create=extend_schema(
        summary=_("Create a checklist template with its items"),
        tags=TAGS,
        request=ChecklistTemplateInputSerializer,
        responses={201: ChecklistTemplateDetailSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Edit the current version of a checklist template"),
        description=_(
            "When inspections used this version, the change makes the next version, which the response shows; "
            "the old version stays as it was."
        ),
        tags=TAGS,
        request=ChecklistTemplateUpdateSerializer,
        responses={
            200: ChecklistTemplateDetailSerializer,
            409: OpenApiResponse(description=_("An old version: edit the current version of the template.")),
        },
    ),
)
class ChecklistTemplateViewSet(
    Library,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("Versioned checklists: numeric, compound, choice, pass/fail, text and photo items.")
    serializer_class = ChecklistTemplateSerializer
    row_builder = TEMPLATE_ROWS
    queryset = ChecklistTemplate.objects.all()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "retrieve":
            return ChecklistTemplateDetailSerializer
        return ChecklistTemplateSerializer

    def get_queryset(self) -> QuerySet[ChecklistTemplate]:
        templates = ChecklistTemplate.objects.for_organization(self.organization).annotate(item_count=Count("items"))
        if self.action != "list":
            return templates.order_by("code", "-version")
        code = self.request.query_params.get("code", "").strip()
        if code:
            return templates.filter(code=code).order_by("-version")
        return templates.filter(is_current=True).order_by("code")

    def _detail(self, template: ChecklistTemplate) -> dict[str, Any]:
        template = self.get_queryset().prefetch_related("items").get(pk=template.pk)
        return ChecklistTemplateDetailSerializer(template).data

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        template = self.get_object()
        return Response(self._detail(template))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ChecklistTemplateInputSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        template = library.template_create(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return Response(self._detail(template), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ChecklistTemplateUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        saved = library.template_update(actor=_actor(request), template=self.get_object(), **payload.validated_data)
        self.remember_version(saved)
        return Response(self._detail(saved))
