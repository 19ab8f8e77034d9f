"""API of the resource pool, under ``/api/v1/orgs/{org_slug}/``.

``resources/`` (filters: q, kind, department, role, skill, placeholder, active; deactivate, reactivate,
replace a placeholder), ``resources/{id}/exceptions/`` (leave, training, part-time),
``resources/{id}/rates/`` (dated cost rates), ``resource-roles/``, ``skills/``, ``resource-settings/`` and
``resource-import/`` (CSV). Everyone reads the pool; the resource office and the PMO change it.

Rates are a separate endpoint that answers 403 to anyone without ``resource_rates.view`` (viewers,
project members): no other answer of the pool carries a rate.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from pmo.api import inputs
from pmo.api.base import OrganizationRelatedField, OrganizationScopedMixin
from pmo.api.common import EMPTY_BODY, ID_PATTERN, NamedChoiceField
from pmo.api.common import actor as _actor
from pmo.api.parsers import MultiPartParser
from pmo.api.rows import Computed, RowBuilder, RowListMixin
from pmo.api.serializers import UserSummarySerializer
from pmo.models import WorkingCalendar
from pmo.policy import can
from projects.api.serializers import OrganizationMemberField
from projects.api.views import CsvParser, PlainTextParser, uploaded_csv
from resources.forms_pool import ResourceFilter
from resources.models import (
    CostRate,
    ExceptionKind,
    Resource,
    ResourceException,
    ResourceKind,
    ResourceRole,
    ResourceSettings,
    ResourceSkill,
    Skill,
)
from resources.permissions import ResourceAction
from resources.services import pool, pool_import, rates_service
from resources.services.settings import SETTINGS_FIELDS, resource_settings, resource_settings_update

TAG = "resource pool"
RATES_TAG = "resource rates"
KIND_ENUM = "ResourceKindEnum"
EXCEPTION_KIND_ENUM = "ResourceExceptionKindEnum"
HOURS: dict[str, Any] = {"max_digits": 4, "decimal_places": 2, "min_value": Decimal("0.25"), "max_value": Decimal("24")}
UNITS: dict[str, Any] = {"max_digits": 6, "decimal_places": 2, "min_value": Decimal("1"), "max_value": Decimal("10000")}
RATE: dict[str, Any] = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}
RESOURCE_ID = OpenApiParameter("resource_id", int, OpenApiParameter.PATH, description=_("The resource's id."))


class Pool(OrganizationScopedMixin):
    read_action = ResourceAction.RESOURCES_VIEW
    write_action = ResourceAction.POOL_MANAGE


# Settings


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", "example": "12:00"}
)
class ClockTimeField(serializers.TimeField):
    """A time of day as HH:MM, in the organisation's time zone (an OpenAPI ``time`` would need an offset)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


class ResourceSettingsSerializer(inputs.ModelSerializer):
    timesheet_deadline_time = ClockTimeField(
        label=_("at"), help_text=_("The time of day (HH:MM), in the organisation's time zone."), required=False
    )

    class Meta:
        model = ResourceSettings
        fields = [*SETTINGS_FIELDS, "updated_at"]
        read_only_fields = ["updated_at"]
        extra_kwargs = {
            "timesheet_deadline_weekday": {"help_text": _("0 is Monday, 6 is Sunday.")},
        }


@extend_schema_view(
    get=extend_schema(summary=_("Show the organisation's resource settings"), tags=[TAG]),
    patch=extend_schema(summary=_("Change the organisation's resource settings"), tags=[TAG]),
)
class ResourceSettingsView(Pool, generics.RetrieveUpdateAPIView):
    schema_description = _(
        "Hours per working day for new resources, the utilisation above which a resource counts as "
        "over-allocated and how far ahead to look, and the timesheet deadline and approval wait."
    )
    serializer_class = ResourceSettingsSerializer
    queryset = ResourceSettings.objects.all()
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> ResourceSettings:
        return self.remember_version(resource_settings(self.organization))

    def perform_update(self, serializer: BaseSerializer[ResourceSettings]) -> None:
        serializer.instance = resource_settings_update(
            actor=_actor(self.request), organization=self.organization, **serializer.validated_data
        )


# Roles and skills


class ResourceRoleSerializer(inputs.ModelSerializer):
    kind = NamedChoiceField(choices=ResourceKind.choices, enum_name=KIND_ENUM, read_only=True)
    resource_count = serializers.IntegerField(read_only=True, help_text=_("Resources holding the role."))

    class Meta:
        model = ResourceRole
        fields = ["id", "name", "kind", "resource_count"]
        read_only_fields = fields


ROLE_ROWS = RowBuilder(ResourceRoleSerializer)


class ResourceRoleInputSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=pool.NAME_LENGTH, help_text=_("Unique in the organisation, without case."))
    kind = NamedChoiceField(choices=ResourceKind.choices, enum_name=KIND_ENUM, default=ResourceKind.PERSON)


class ResourceRoleUpdateSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=pool.NAME_LENGTH, required=False)
    kind = NamedChoiceField(choices=ResourceKind.choices, enum_name=KIND_ENUM, required=False)


IN_USE = OpenApiResponse(description=_("In use: the answer says by what; nothing was deleted."))


@extend_schema_view(
    list=extend_schema(summary=_("List the organisation's resource roles"), tags=[TAG]),
    retrieve=extend_schema(summary=_("Show a resource role"), tags=[TAG]),
    create=extend_schema(
        summary=_("Add a resource role"),
        tags=[TAG],
        request=ResourceRoleInputSerializer,
        responses={201: ResourceRoleSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Rename a resource role or change its kind"),
        tags=[TAG],
        request=ResourceRoleUpdateSerializer,
        responses={200: ResourceRoleSerializer},
    ),
    destroy=extend_schema(
        summary=_("Delete a role no resource or request names"), tags=[TAG], responses={204: None, 409: IN_USE}
    ),
)
class ResourceRoleViewSet(
    Pool,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("Disciplines and roles that resources fill and requests ask for; a role in use is kept.")
    serializer_class = ResourceRoleSerializer
    row_builder = ROLE_ROWS
    queryset = ResourceRole.objects.all()
    filterset_fields = ["kind"]
    ordering_fields = ["name", "kind"]
    search_fields: list[str] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[ResourceRole]:
        return (
            ResourceRole.objects.for_organization(self.organization)
            .annotate(resource_count=Count("resources"))
            .order_by("name", "pk")
        )

    def _respond(self, role: ResourceRole, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(ResourceRoleSerializer(self.get_queryset().get(pk=role.pk)).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ResourceRoleInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        role = pool.resource_role_create(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return self._respond(role, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ResourceRoleUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        role = pool.resource_role_update(actor=_actor(request), role=self.get_object(), **payload.validated_data)
        return self._respond(role)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pool.resource_role_delete(actor=_actor(request), role=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class SkillSerializer(inputs.ModelSerializer):
    holder_count = serializers.IntegerField(read_only=True, help_text=_("Resources holding the skill."))

    class Meta:
        model = Skill
        fields = ["id", "name", "holder_count"]
        read_only_fields = fields


SKILL_ROWS = RowBuilder(SkillSerializer)


class SkillInputSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=pool.NAME_LENGTH, help_text=_("Unique in the organisation, without case."))


@extend_schema_view(
    list=extend_schema(summary=_("List the organisation's skills"), tags=[TAG]),
    retrieve=extend_schema(summary=_("Show a skill"), tags=[TAG]),
    create=extend_schema(
        summary=_("Add a skill"), tags=[TAG], request=SkillInputSerializer, responses={201: SkillSerializer}
    ),
    partial_update=extend_schema(
        summary=_("Rename a skill"), tags=[TAG], request=SkillInputSerializer, responses={200: SkillSerializer}
    ),
    destroy=extend_schema(
        summary=_("Delete a skill no resource holds and no request asks for"),
        tags=[TAG],
        responses={204: None, 409: IN_USE},
    ),
)
class SkillViewSet(
    Pool,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("The skills resources hold (with a level from 1 to 5) and requests ask for.")
    serializer_class = SkillSerializer
    row_builder = SKILL_ROWS
    queryset = Skill.objects.all()
    ordering_fields = ["name"]
    search_fields: list[str] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Skill]:
        return (
            Skill.objects.for_organization(self.organization)
            .annotate(holder_count=Count("holders"))
            .order_by("name", "pk")
        )

    def _respond(self, skill: Skill, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(SkillSerializer(self.get_queryset().get(pk=skill.pk)).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = SkillInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        skill = pool.skill_create(actor=_actor(request), organization=self.organization, **payload.validated_data)
        return self._respond(skill, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = SkillInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        skill = pool.skill_update(actor=_actor(request), skill=self.get_object(), **payload.validated_data)
        return self._respond(skill)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pool.skill_delete(actor=_actor(request), skill=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# Resources


class ResourceSkillSerializer(inputs.Serializer):
    skill = serializers.IntegerField(source="skill_id", read_only=True, help_text=_("The skill's id."))
    name = serializers.CharField(source="skill.name", read_only=True)
    level = serializers.IntegerField(read_only=True, help_text=_("From 1 to 5."))


SKILL_LEVEL_ROWS = RowBuilder(ResourceSkillSerializer)


class ResourceSerializer(inputs.ModelSerializer):
    kind = NamedChoiceField(choices=ResourceKind.choices, enum_name=KIND_ENUM, read_only=True)
    user = UserSummarySerializer(read_only=True, allow_null=True)
    role_name = serializers.CharField(source="role.name", read_only=True, allow_null=True, default=None)
    calendar_name = serializers.CharField(
        source="calendar.name",
        read_only=True,
        allow_null=True,
        default=None,
        help_text=_("Empty: the organisation's default calendar."),
    )
    skills = ResourceSkillSerializer(many=True, read_only=True)

    class Meta:
        model = Resource
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "is_placeholder",
            "user",
            "role",
            "role_name",
            "department",
            "calendar",
            "calendar_name",
            "hours_per_day",
            "max_units",
            "unit",
            "is_active",
            "replaced_by",
            "notes",
            "skills",
            "version",
            "created_at",
        ]
        read_only_fields = fields


RESOURCE_ROWS = RowBuilder(
    ResourceSerializer,
    # Read for the whole page by ResourceViewSet.complete_rows.
    computed={"skills": Computed(("id",), lambda row: [])},
)


class ResourceSkillInputSerializer(inputs.Serializer):
    skill = OrganizationRelatedField(queryset=Skill.objects.all(), help_text=_("A skill's id."))
    level = serializers.IntegerField(min_value=1, max_value=5)


class ResourceWriteSerializer(inputs.Serializer):
    code = serializers.CharField(max_length=pool.CODE_LENGTH, help_text=_("Unique in the pool, without case."))
    name = serializers.CharField(max_length=200)
    kind = NamedChoiceField(choices=ResourceKind.choices, enum_name=KIND_ENUM, default=ResourceKind.PERSON)
    is_placeholder = serializers.BooleanField(
        default=False, help_text=_("Stands for a role until a named resource replaces it; needs a role.")
    )
    user = OrganizationMemberField(
        required=False, allow_null=True, default=None, help_text=_("A member's user id; named people only.")
    )
    role = OrganizationRelatedField(
        queryset=ResourceRole.objects.all(), required=False, allow_null=True, default=None, help_text=_("A role's id.")
    )
    department = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    calendar = OrganizationRelatedField(
        queryset=WorkingCalendar.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A calendar's id; empty: the organisation's default calendar."),
    )
    hours_per_day = serializers.DecimalField(
        **HOURS, required=False, allow_null=True, default=None, help_text=_("Empty: the organisation's setting.")
    )
    max_units = serializers.DecimalField(
        **UNITS,
        required=False,
        default=Decimal("100"),
        help_text=_("In %: 100 is one full-time resource, a crew of three 300."),
    )
    unit = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Materials only, and required for them."),
    )
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    skills = ResourceSkillInputSerializer(
        many=True, required=False, default=list, help_text=_("The skills held, with their levels.")
    )


class ResourceUpdateSerializer(inputs.Serializer):
    code = serializers.CharField(max_length=pool.CODE_LENGTH, required=False)
    name = serializers.CharField(max_length=200, required=False)
    kind = NamedChoiceField(
        choices=ResourceKind.choices,
        enum_name=KIND_ENUM,
        required=False,
        help_text=_("Kept while the resource is on tasks or timesheets."),
    )
    is_placeholder = serializers.BooleanField(required=False)
    user = OrganizationMemberField(required=False, allow_null=True)
    role = OrganizationRelatedField(queryset=ResourceRole.objects.all(), required=False, allow_null=True)
    department = serializers.CharField(max_length=120, required=False, allow_blank=True)
    calendar = OrganizationRelatedField(queryset=WorkingCalendar.objects.all(), required=False, allow_null=True)
    hours_per_day = serializers.DecimalField(**HOURS, required=False)
    max_units = serializers.DecimalField(**UNITS, required=False)
    unit = serializers.CharField(max_length=32, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    skills = ResourceSkillInputSerializer(
        many=True,
        required=False,
        help_text=_("Every skill held, replacing the current ones; left out, the skills stay."),
    )


class PlaceholderReplaceSerializer(inputs.Serializer):
    resource = OrganizationRelatedField(
        queryset=Resource.objects.all(), help_text=_("The named resource, of the placeholder's kind, that takes over.")
    )


def _skill_pairs(items: list[dict[str, Any]]) -> list[tuple[Skill, int]]:
    return [(item["skill"], item["level"]) for item in items]


def _resources(organization: Any) -> QuerySet[Resource]:
    return Resource.objects.for_organization(organization).select_related("user", "role", "calendar")


@extend_schema_view(
    list=extend_schema(summary=_("List the resource pool"), tags=[TAG]),
    retrieve=extend_schema(summary=_("Show a resource with its skills"), tags=[TAG]),
    create=extend_schema(
        summary=_("Add a person, equipment or a material to the pool"),
        tags=[TAG],
        request=ResourceWriteSerializer,
        responses={201: ResourceSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change a resource"),
        tags=[TAG],
        request=ResourceUpdateSerializer,
        responses={200: ResourceSerializer},
    ),
    destroy=extend_schema(
        summary=_("Delete a resource entered by mistake"),
        description=_("A resource on tasks, timesheets or request proposals is kept (409): deactivate it instead."),
        tags=[TAG],
        responses={204: None, 409: IN_USE},
    ),
)
class ResourceViewSet(
    Pool,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _(
        "People, equipment and materials of the organisation, shared by every project; placeholders stand for "
        "a role until a named resource replaces them. Rates are under each resource's rates/."
    )
    serializer_class = ResourceSerializer
    row_builder = RESOURCE_ROWS
    queryset = Resource.objects.all()
    filterset_class = ResourceFilter
    ordering_fields = ["code", "name", "kind", "department", "role__name", "created_at"]
    ordering = ["code"]
    search_fields: list[str] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Resource]:
        return _resources(self.organization).order_by("code", "pk")

    def complete_rows(self, rows: list[dict[str, Any]]) -> None:
        """Each resource's skills, for the whole page in one query."""
        if not rows:
            return
        by_resource = {row["id"]: row["skills"] for row in rows}
        columns = ("resource_id", *SKILL_LEVEL_ROWS.columns)
        values = list(
            ResourceSkill.objects.for_organization(self.organization)
            .filter(resource_id__in=list(by_resource))
            .order_by("-level", "skill__name")
            .values(*columns)
        )
        for value, built in zip(values, SKILL_LEVEL_ROWS.build(values), strict=True):
            by_resource[value["resource_id"]].append(built)

    def _respond(self, resource: Resource, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().prefetch_related("skills__skill").get(pk=resource.pk)
        return Response(ResourceSerializer(fresh).data, status=status_code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._respond(self.get_object())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ResourceWriteSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        skills = _skill_pairs(fields.pop("skills"))
        resource = pool.resource_create(actor=_actor(request), organization=self.organization, skills=skills, **fields)
        return self._respond(resource, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ResourceUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        skills = _skill_pairs(fields.pop("skills")) if "skills" in fields else None
        resource = pool.resource_update(actor=_actor(request), resource=self.get_object(), skills=skills, **fields)
        self.remember_version(resource)
        return self._respond(resource)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pool.resource_delete(actor=_actor(request), resource=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("Deactivate a resource"),
        description=_("It keeps its history, assignments and timesheets but is no longer offered for new work."),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: ResourceSerializer},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def deactivate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        return self._respond(pool.resource_deactivate(actor=_actor(request), resource=self.get_object()))

    @extend_schema(
        summary=_("Make a deactivated resource active again"),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: ResourceSerializer},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reactivate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        return self._respond(pool.resource_reactivate(actor=_actor(request), resource=self.get_object()))

    @extend_schema(
        summary=_("Replace a placeholder by a named resource"),
        description=_(
            "Moves the placeholder's assignments to the named resource (where it is on the same task already, the "
            "work and units are added to its assignment), deactivates the placeholder and records `replaced_by`. "
            "Answers the named resource."
        ),
        tags=[TAG],
        request=PlaceholderReplaceSerializer,
        responses={200: ResourceSerializer},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def replace(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = PlaceholderReplaceSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        named = pool.placeholder_replace(
            actor=_actor(request), placeholder=self.get_object(), resource=payload.validated_data["resource"]
        )
        return self._respond(named)


class ResourceChild(Pool):
    """A view of one resource's rows, under ``resources/{resource_id}/``."""

    resource: Resource

    def resolve_scope(self, **url_kwargs: Any) -> None:
        resource = Resource.objects.for_organization(self.organization).filter(pk=url_kwargs["resource_id"]).first()
        if resource is None:
            raise Http404
        resource.organization = self.organization
        self.resource = resource


# Exceptions


class ResourceExceptionSerializer(inputs.ModelSerializer):
    kind = NamedChoiceField(choices=ExceptionKind.choices, enum_name=EXCEPTION_KIND_ENUM, read_only=True)

    class Meta:
        model = ResourceException
        fields = ["id", "resource", "kind", "start", "finish", "hours_per_day", "note", "created_by", "created_at"]
        read_only_fields = fields


EXCEPTION_ROWS = RowBuilder(ResourceExceptionSerializer)


class ResourceExceptionInputSerializer(inputs.Serializer):
    kind = NamedChoiceField(choices=ExceptionKind.choices, enum_name=EXCEPTION_KIND_ENUM)
    start = serializers.DateField()
    finish = serializers.DateField(help_text=_("The last day of the period, on or after its start."))
    hours_per_day = serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Part-time only: the hours worked on each working day, less than the resource's hours per day."),
    )
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        summary=_("List a resource's leave, training and part-time periods"), tags=[TAG], parameters=[RESOURCE_ID]
    ),
    retrieve=extend_schema(summary=_("Show a personal period"), tags=[TAG], parameters=[RESOURCE_ID]),
    create=extend_schema(
        summary=_("Record leave, training, another absence or a part-time period"),
        description=_(
            "Refused when it overlaps another period of the resource (the message names it), ends before it "
            "starts, or falls outside the organisation's dates; materials have none."
        ),
        tags=[TAG],
        parameters=[RESOURCE_ID],
        request=ResourceExceptionInputSerializer,
        responses={201: ResourceExceptionSerializer},
    ),
    destroy=extend_schema(summary=_("Remove a personal period"), tags=[TAG], parameters=[RESOURCE_ID]),
)
class ResourceExceptionViewSet(
    ResourceChild,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _(
        "A resource's periods off its calendar: leave, training and other absences count as load; a part-time "
        "period replaces its hours per day."
    )
    serializer_class = ResourceExceptionSerializer
    row_builder = EXCEPTION_ROWS
    queryset = ResourceException.objects.all()
    filterset_fields = ["kind"]
    ordering_fields = ["start", "finish"]
    search_fields: list[str] = []
    http_method_names = ["get", "post", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[ResourceException]:
        return (
            ResourceException.objects.for_organization(self.organization)
            .filter(resource=self.resource)
            .order_by("-start", "pk")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ResourceExceptionInputSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        added = pool.resource_exception_add(actor=_actor(request), resource=self.resource, **payload.validated_data)
        return Response(ResourceExceptionSerializer(added).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        exception = self.get_object()
        exception.resource = self.resource
        pool.resource_exception_remove(actor=_actor(request), exception=exception)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Rates


class CostRateSerializer(inputs.ModelSerializer):
    currency = serializers.CharField(
        source="organization.default_currency", read_only=True, help_text=_("The organisation's currency.")
    )

    class Meta:
        model = CostRate
        fields = [
            "id",
            "resource",
            "effective_from",
            "standard_rate",
            "overtime_rate",
            "currency",
            "note",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "standard_rate": {"help_text": _("Per hour for people and equipment; per unit for materials.")},
            "overtime_rate": {"help_text": _("Per hour; none for materials.")},
        }


RATE_ROWS = RowBuilder(CostRateSerializer)


class CostRateInputSerializer(inputs.Serializer):
    effective_from = serializers.DateField(help_text=_("The rate holds from this day until the next rate's."))
    standard_rate = serializers.DecimalField(
        **RATE, help_text=_("Per hour for people and equipment; per unit for materials.")
    )
    overtime_rate = serializers.DecimalField(
        **RATE, required=False, allow_null=True, default=None, help_text=_("Per hour; none for materials.")
    )
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class CostRateUpdateSerializer(inputs.Serializer):
    effective_from = serializers.DateField(required=False, help_text=_("After today."))
    standard_rate = serializers.DecimalField(**RATE, required=False)
    overtime_rate = serializers.DecimalField(**RATE, required=False, allow_null=True)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


RATE_IN_FORCE = OpenApiResponse(description=_("The rate is in force already and stays in the history."))


@extend_schema_view(
    list=extend_schema(
        summary=_("List a resource's rate history, newest first"), tags=[RATES_TAG], parameters=[RESOURCE_ID]
    ),
    retrieve=extend_schema(summary=_("Show a rate"), tags=[RATES_TAG], parameters=[RESOURCE_ID]),
    create=extend_schema(
        summary=_("Add a rate from a date on"),
        tags=[RATES_TAG],
        parameters=[RESOURCE_ID],
        request=CostRateInputSerializer,
        responses={201: CostRateSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Correct a rate that is not in force yet"),
        tags=[RATES_TAG],
        parameters=[RESOURCE_ID],
        request=CostRateUpdateSerializer,
        responses={200: CostRateSerializer, 409: RATE_IN_FORCE},
    ),
    destroy=extend_schema(
        summary=_("Remove a rate that is not in force yet"),
        tags=[RATES_TAG],
        parameters=[RESOURCE_ID],
        responses={204: None, 409: RATE_IN_FORCE},
    ),
)
class CostRateViewSet(
    ResourceChild,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _(
        "A resource's dated cost rates in the organisation's currency: the rate in force on a day is the latest "
        "one from on or before it. Only the resource office, the PMO and finance read them (403 for others)."
    )
    serializer_class = CostRateSerializer
    row_builder = RATE_ROWS
    queryset = CostRate.objects.all()
    read_action = ResourceAction.RATES_VIEW
    write_action = ResourceAction.RATES_MANAGE
    ordering_fields = ["effective_from"]
    search_fields: list[str] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[CostRate]:
        return (
            CostRate.objects.for_organization(self.organization)
            .filter(resource=self.resource)
            .select_related("organization")
            .order_by("-effective_from", "pk")
        )

    def _respond(self, rate: CostRate, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(CostRateSerializer(self.get_queryset().get(pk=rate.pk)).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = CostRateInputSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        rate = rates_service.cost_rate_add(actor=_actor(request), resource=self.resource, **payload.validated_data)
        return self._respond(rate, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = CostRateUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        rate = self.get_object()
        rate.resource = self.resource
        rate = rates_service.cost_rate_update(actor=_actor(request), rate=rate, **payload.validated_data)
        self.remember_version(rate)
        return self._respond(rate)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rate = self.get_object()
        rate.resource = self.resource
        rates_service.cost_rate_remove(actor=_actor(request), rate=rate)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Import


class PoolImportUploadSerializer(inputs.Serializer):
    file = serializers.FileField(help_text=_("The CSV file (UTF-8, or GB18030 as Excel saves it)."))


class PoolImportResultSerializer(inputs.Serializer):
    created = serializers.IntegerField(help_text=_("Resources added."))
    codes = serializers.ListField(child=serializers.CharField(), help_text=_("Their codes, in the file's order."))


class PoolImportView(Pool, generics.GenericAPIView):
    schema_description = pool_import.POOL_IMPORT_RULES
    serializer_class = PoolImportResultSerializer
    parser_classes = [MultiPartParser, CsvParser, PlainTextParser]
    filter_backends: list[Any] = []

    @extend_schema(
        summary=_("Import resources from a CSV file: every row, or none"),
        description=pool_import.POOL_IMPORT_RULES,
        tags=[TAG],
        request={"multipart/form-data": PoolImportUploadSerializer, "text/csv": OpenApiTypes.STR},
        responses={201: PoolImportResultSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        content = uploaded_csv(request)
        created = pool_import.pool_import(
            actor=_actor(request),
            organization=self.organization,
            text=content,
            rates_allowed=can(self.membership, ResourceAction.RATES_MANAGE),
        )
        result = {"created": len(created), "codes": [resource.code for resource in created]}
        return Response(PoolImportResultSerializer(result).data, status=status.HTTP_201_CREATED)
