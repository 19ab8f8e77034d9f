"""Utilisation over the API: the resource x week grid (``utilisation/``), one resource's days and weeks
(``utilisation/{resource_id}/``) and demand against capacity by role (``resource-demand/``).

Hours are strings with two places and utilisation a string with one (per cent); an unknown capacity
(no calendar) is null, never zero. The figures come from ``resources.selectors`` and take a fixed
number of queries whatever the size of the pool. The documents are built as plain dicts (a page of
500 resources x 52 weeks is 26,000 cells); the serializers below declare them for the schema, and the
tests hold the two to the same output.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.api import inputs
from pmo.api.base import OrganizationScopedMixin
from pmo.api.schema import QueryCheckedSchema
from pmo.tenancy import BIGINT_LIMIT
from projects.models import Project
from resources.capacity import DayFigures, WeekFigures
from resources.models import TIMED_KINDS, Resource, ResourceKind, ResourceRole, Skill
from resources.permissions import ResourceAction
from resources.selectors import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    MIN_WEEKS,
    UtilisationFilters,
    resource_detail,
    role_demand,
    utilisation,
    week_start,
)

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
#: No pool has this many pages; a larger number would overflow the database's offset.
MAX_PAGE = 100_000
DETAIL_MAX_WEEKS = 26
DETAIL_DEFAULT_WEEKS = 4
TIMED_KIND_VALUES = [kind.value for kind in ResourceKind if kind in TIMED_KINDS]


def _hours(**options: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=None, decimal_places=2, read_only=True, **options)


def _percent(**options: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=None, decimal_places=1, read_only=True, allow_null=True, **options)


def _weeks_field(least: int, most: int, default: int) -> serializers.IntegerField:
    message = format_lazy(gettext_lazy("Give between {least} and {most} weeks."), least=least, most=most)
    return serializers.IntegerField(
        required=False,
        min_value=least,
        max_value=most,
        default=default,
        error_messages={"min_value": message, "max_value": message},
    )


# --- the query ----------------------------------------------------------------------------


class _PeriodQuery(inputs.QuerySerializer):
    start = serializers.DateField(required=False)

    def first_week(self) -> dt.date:
        organization = self.context["organization"]
        return week_start(self.validated_data.get("start") or organization.today())


class UtilisationQuerySerializer(_PeriodQuery):
    weeks = _weeks_field(MIN_WEEKS, MAX_WEEKS, DEFAULT_WEEKS)
    department = serializers.CharField(required=False, allow_blank=True, max_length=120)
    skill = serializers.IntegerField(required=False, min_value=1, max_value=BIGINT_LIMIT - 1)
    kind = serializers.ChoiceField(choices=TIMED_KIND_VALUES, required=False)
    project = serializers.IntegerField(required=False, min_value=1, max_value=BIGINT_LIMIT - 1)
    role = serializers.IntegerField(required=False, min_value=1, max_value=BIGINT_LIMIT - 1)
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=PAGE_SIZE)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        organization = self.context["organization"]
        errors = {}
        if "skill" in attrs and not Skill.objects.for_organization(organization).filter(pk=attrs["skill"]).exists():
            errors["skill"] = [_("No such skill.")]
        if "role" in attrs and not _roles(organization).filter(pk=attrs["role"]).exists():
            errors["role"] = [_("No such role of people or equipment.")]
        if (
            "project" in attrs
            and not Project.objects.for_organization(organization).filter(pk=attrs["project"]).exists()
        ):
            errors["project"] = [_("No such project.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def filters(self) -> UtilisationFilters:
        data = self.validated_data
        return UtilisationFilters(
            department=data.get("department") or "",
            skill_id=data.get("skill"),
            kind=data.get("kind") or "",
            project_id=data.get("project"),
            role_id=data.get("role"),
        )


class DetailQuerySerializer(_PeriodQuery):
    weeks = _weeks_field(1, DETAIL_MAX_WEEKS, DETAIL_DEFAULT_WEEKS)


class DemandQuerySerializer(_PeriodQuery):
    weeks = _weeks_field(MIN_WEEKS, MAX_WEEKS, DEFAULT_WEEKS)
    kind = serializers.ChoiceField(choices=TIMED_KIND_VALUES, required=False)
    role = serializers.IntegerField(required=False, min_value=1, max_value=BIGINT_LIMIT - 1)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "role" in attrs and not _roles(self.context["organization"]).filter(pk=attrs["role"]).exists():
            raise serializers.ValidationError({"role": [_("No such role of people or equipment.")]})
        return attrs


def _roles(organization: Any) -> Any:
    return ResourceRole.objects.for_organization(organization).filter(kind__in=TIMED_KIND_VALUES)


def _start_parameter() -> OpenApiParameter:
    return OpenApiParameter(
        "start",
        OpenApiTypes.DATE,
        description=gettext_lazy("Any day of the first week (weeks start on Monday); this week when absent."),
    )


def _weeks_parameter(least: int, most: int, default: int) -> OpenApiParameter:
    return OpenApiParameter(
        "weeks",
        OpenApiTypes.INT,
        description=format_lazy(
            gettext_lazy("Number of weeks, {least} to {most}; {default} when absent."),
            least=least,
            most=most,
            default=default,
        ),
    )


def _kind_parameter() -> OpenApiParameter:
    return OpenApiParameter(
        "kind",
        OpenApiTypes.STR,
        enum=TIMED_KIND_VALUES,
        description=gettext_lazy("Only people or only equipment (materials have no capacity)."),
    )


def _role_parameter() -> OpenApiParameter:
    return OpenApiParameter("role", OpenApiTypes.INT, description=gettext_lazy("Only this role's resources."))


UTILISATION_PARAMETERS = [
    _start_parameter(),
    _weeks_parameter(MIN_WEEKS, MAX_WEEKS, DEFAULT_WEEKS),
    OpenApiParameter("department", OpenApiTypes.STR, description=gettext_lazy("Only this department.")),
    OpenApiParameter("skill", OpenApiTypes.INT, description=gettext_lazy("Only the resources with this skill.")),
    _kind_parameter(),
    OpenApiParameter(
        "project",
        OpenApiTypes.INT,
        description=gettext_lazy(
            "Only the resources with work on this project in the period (their load still counts every project)."
        ),
    ),
    _role_parameter(),
    OpenApiParameter("page", OpenApiTypes.INT, description=gettext_lazy("The page of resources, from 1.")),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description=format_lazy(
            gettext_lazy("Resources per page, {default} unless given, {most} at most."),
            default=PAGE_SIZE,
            most=MAX_PAGE_SIZE,
        ),
    ),
]


# --- the answers ---------------------------------------------------------------------------


CAPACITY_HELP = gettext_lazy("Hours the resource can work; null when unknown (no calendar), never zero for unknown.")
LOAD_HELP = gettext_lazy("Hours of work assigned on the open projects plus leave, training and other absences.")
UTILISATION_HELP = gettext_lazy("Load / capacity in per cent; null when the capacity is unknown or zero.")
OVER_HELP = gettext_lazy(
    "Load strictly greater than capacity (in the week, or on any day of it); exactly 100 per cent is not."
)


class UtilisationWeekSerializer(inputs.Serializer):
    week_start = serializers.DateField(help_text=gettext_lazy("The Monday of the week."))
    capacity = _hours(allow_null=True, help_text=CAPACITY_HELP)
    load = _hours(help_text=LOAD_HELP)
    absence = _hours(help_text=gettext_lazy("Of the load: hours of leave, training and other absences."))
    utilisation = _percent(help_text=UTILISATION_HELP)
    over_allocated = serializers.BooleanField(help_text=OVER_HELP)
    over_allocated_days = serializers.IntegerField(help_text=gettext_lazy("Days of the week over-allocated."))


class UtilisationRowSerializer(inputs.Serializer):
    resource = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text=gettext_lazy("person or equipment"))
    department = serializers.CharField()
    role = serializers.IntegerField(allow_null=True)
    role_name = serializers.CharField()
    capacity = serializers.ListField(child=_hours(allow_null=True), help_text=CAPACITY_HELP)
    load = serializers.ListField(child=_hours(), help_text=LOAD_HELP)
    absence = serializers.ListField(
        child=_hours(), help_text=gettext_lazy("Of the load: hours of leave, training and other absences.")
    )
    utilisation = serializers.ListField(child=_percent(), help_text=UTILISATION_HELP)
    over_allocated = serializers.ListField(child=serializers.BooleanField(), help_text=OVER_HELP)


class UtilisationSerializer(inputs.Serializer):
    start = serializers.DateField(help_text=gettext_lazy("The Monday of the first week."))
    finish = serializers.DateField(help_text=gettext_lazy("The Sunday of the last week."))
    weeks = serializers.ListField(child=serializers.DateField(), help_text=gettext_lazy("The Monday of each week."))
    count = serializers.IntegerField(help_text=gettext_lazy("Resources matching the filters, over all pages."))
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = UtilisationRowSerializer(
        many=True,
        help_text=gettext_lazy(
            "The active named people and equipment kept by the filters, by code, a page of them; each figure is a "
            "list of one value a week, in the order of weeks."
        ),
    )


class ProjectLoadSerializer(inputs.Serializer):
    project = serializers.IntegerField()
    hours = _hours()


class UtilisationProjectSerializer(inputs.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class DetailWeekSerializer(UtilisationWeekSerializer):
    by_project = ProjectLoadSerializer(many=True, help_text=gettext_lazy("The assigned hours of each project."))


class DetailDaySerializer(inputs.Serializer):
    date = serializers.DateField()
    capacity = _hours(allow_null=True, help_text=CAPACITY_HELP)
    load = _hours(help_text=LOAD_HELP)
    absence = _hours(help_text=gettext_lazy("Of the load: hours of leave, training and other absences."))
    utilisation = _percent(help_text=UTILISATION_HELP)
    over_allocated = serializers.BooleanField(help_text=OVER_HELP)
    by_project = ProjectLoadSerializer(many=True, help_text=gettext_lazy("The assigned hours of each project."))


class ResourceRefSerializer(inputs.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text=gettext_lazy("person, equipment or material"))
    hours_per_day = _hours()
    max_units = _hours(help_text=gettext_lazy("Maximum units in per cent."))


class ResourceUtilisationSerializer(inputs.Serializer):
    resource = ResourceRefSerializer()
    start = serializers.DateField(help_text=gettext_lazy("The Monday of the first week."))
    finish = serializers.DateField(help_text=gettext_lazy("The Sunday of the last week."))
    projects = UtilisationProjectSerializer(many=True, help_text=gettext_lazy("The projects with work in the period."))
    weeks = DetailWeekSerializer(many=True)
    days = DetailDaySerializer(
        many=True, help_text=gettext_lazy("Every day of the period; a material's load is in its unit, no capacity.")
    )


class RoleWeekSerializer(inputs.Serializer):
    week_start = serializers.DateField(help_text=gettext_lazy("The Monday of the week."))
    capacity = _hours(help_text=gettext_lazy("Capacity of the role's named resources whose calendar is known."))
    absence = _hours(help_text=gettext_lazy("Their leave, training and other absences."))
    available = _hours(help_text=gettext_lazy("capacity - absence"))
    demand = _hours(help_text=gettext_lazy("Assigned hours on the role's resources, named and placeholders."))
    placeholder_demand = _hours(help_text=gettext_lazy("Of the demand: the hours on placeholders."))
    gap = _hours(help_text=gettext_lazy("available - demand; negative when the role is short."))
    unknown_capacity = serializers.IntegerField(
        help_text=gettext_lazy("Named resources of the role whose capacity is unknown (not counted).")
    )


class RoleDemandSerializer(inputs.Serializer):
    role = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text=gettext_lazy("person or equipment"))
    named = serializers.IntegerField(help_text=gettext_lazy("Active named resources of the role."))
    placeholders = serializers.IntegerField(help_text=gettext_lazy("Active placeholders of the role."))
    weeks = RoleWeekSerializer(many=True)


class DemandSerializer(inputs.Serializer):
    start = serializers.DateField(help_text=gettext_lazy("The Monday of the first week."))
    finish = serializers.DateField(help_text=gettext_lazy("The Sunday of the last week."))
    weeks = serializers.ListField(child=serializers.DateField(), help_text=gettext_lazy("The Monday of each week."))
    roles = RoleDemandSerializer(many=True, help_text=gettext_lazy("Roles of people and equipment, by name."))


def hours(value: float | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def percent(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}"


def week_document(figures: WeekFigures, absence: float) -> dict[str, Any]:
    return {
        "week_start": figures.week_start.isoformat(),
        "capacity": hours(figures.capacity),
        "load": hours(figures.load),
        "absence": hours(absence),
        "utilisation": percent(figures.utilisation),
        "over_allocated": figures.over_allocated,
        "over_allocated_days": figures.over_allocated_days,
    }


class _Texts:
    """Figures as the API writes them, each value formatted once (a grid repeats the same few many times)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.known: dict[float, str] = {}

    def __call__(self, values: list[Any]) -> list[str | None]:
        known, pattern = self.known, self.pattern
        result: list[str | None] = []
        for value in values:
            if value is None:
                result.append(None)
                continue
            text = known.get(value)
            if text is None:
                text = known[value] = pattern % value
            result.append(text)
        return result


def day_document(figures: DayFigures, by_project: dict[int, float]) -> dict[str, Any]:
    return {
        "date": figures.day.isoformat(),
        "capacity": hours(figures.capacity),
        "load": hours(figures.load),
        "absence": hours(figures.absence),
        "utilisation": percent(figures.utilisation),
        "over_allocated": figures.over_allocated,
        "by_project": [{"project": pk, "hours": hours(value)} for pk, value in sorted(by_project.items())],
    }


# --- the views -----------------------------------------------------------------------------


class _ReadView(OrganizationScopedMixin, generics.GenericAPIView):
    read_action = ResourceAction.RESOURCES_VIEW
    schema = QueryCheckedSchema()
    filter_backends: list[Any] = []
    pagination_class = None
    http_method_names = ["get", "head", "options"]


class UtilisationView(_ReadView):
    """The resource x week utilisation grid."""

    serializer_class = UtilisationSerializer

    @extend_schema(
        summary=gettext_lazy("Utilisation of the resources by week"),
        description=gettext_lazy(
            "For each active named person and piece of equipment, a page at a time, and for each week of the "
            "period: capacity, load across all open projects (assignments spread over their tasks' working days, "
            "plus absences), utilisation and over-allocation, as the heat map shows them."
        ),
        tags=["resources"],
        parameters=UTILISATION_PARAMETERS,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = UtilisationQuerySerializer(data=request.query_params, context={"organization": self.organization})
        query.is_valid(raise_exception=True)
        values = query.validated_data
        size, page = values["page_size"], values["page"]
        grid = utilisation(
            self.organization,
            start=query.first_week(),
            weeks=values["weeks"],
            filters=query.filters(),
            offset=(page - 1) * size,
            limit=size,
        )
        pages = max(1, -(-grid.count // size))
        if page > pages:
            raise NotFound(_("There are %(pages)s pages of resources.") % {"pages": pages})
        as_hours, as_percent = _Texts("%.2f"), _Texts("%.1f")
        return Response(
            {
                "start": grid.start.isoformat(),
                "finish": grid.finish.isoformat(),
                "weeks": [monday.isoformat() for monday in grid.weeks],
                "count": grid.count,
                "page": page,
                "page_size": size,
                "pages": pages,
                "results": [
                    {
                        "resource": row.id,
                        "code": row.code,
                        "name": row.name,
                        "kind": row.kind,
                        "department": row.department,
                        "role": row.role_id,
                        "role_name": row.role_name,
                        "capacity": as_hours(row.columns.capacity),
                        "load": as_hours(row.columns.load),
                        "absence": as_hours(row.columns.absence),
                        "utilisation": as_percent(row.columns.utilisation),
                        "over_allocated": row.columns.over_allocated,
                    }
                    for row in grid.rows
                ],
            }
        )


class ResourceUtilisationView(_ReadView):
    """One resource's days and weeks."""

    queryset = Resource.objects.none()  # names the model of the path's id (schema, tenancy walk)
    serializer_class = ResourceUtilisationSerializer

    @extend_schema(
        operation_id="orgs_utilisation_resource_retrieve",
        summary=gettext_lazy("Utilisation of one resource by day and week"),
        description=gettext_lazy(
            "Capacity, load by project, absences, utilisation and over-allocation of each day and week of the "
            "period (one to 26 weeks). A material has no capacity: its load is its assigned quantity."
        ),
        tags=["resources"],
        parameters=[_start_parameter(), _weeks_parameter(1, DETAIL_MAX_WEEKS, DETAIL_DEFAULT_WEEKS)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pk = int(kwargs["pk"])
        resource = (
            Resource.objects.for_organization(self.organization).filter(pk=pk).first()
            if -BIGINT_LIMIT <= pk < BIGINT_LIMIT
            else None
        )
        if resource is None:
            raise NotFound(_("No such resource."))
        query = DetailQuerySerializer(data=request.query_params, context={"organization": self.organization})
        query.is_valid(raise_exception=True)
        detail = resource_detail(
            self.organization, resource, start=query.first_week(), weeks=query.validated_data["weeks"]
        )
        return Response(
            {
                "resource": {
                    "id": resource.pk,
                    "code": resource.code,
                    "name": resource.name,
                    "kind": resource.kind,
                    "hours_per_day": hours(float(resource.hours_per_day)),
                    "max_units": hours(float(resource.max_units)),
                },
                "start": detail.start.isoformat(),
                "finish": (detail.start + dt.timedelta(days=7 * len(detail.weeks) - 1)).isoformat(),
                "projects": [{"id": ref.id, "code": ref.code, "name": ref.name} for ref in detail.projects],
                "weeks": [
                    {
                        **week_document(week.figures, week.absence),
                        "by_project": [
                            {"project": project, "hours": hours(value)}
                            for project, value in sorted(week.by_project.items())
                        ],
                    }
                    for week in detail.weeks
                ],
                "days": [day_document(day.figures, day.by_project) for day in detail.days],
            }
        )


class DemandView(_ReadView):
    """Demand against capacity by role."""

    serializer_class = DemandSerializer

    @extend_schema(
        summary=gettext_lazy("Demand against capacity by role"),
        description=gettext_lazy(
            "For each role of people or equipment and each week: the capacity of its named resources less their "
            "absences, the demand of every assignment on its resources (placeholders included) and the gap."
        ),
        tags=["resources"],
        parameters=[
            _start_parameter(),
            _weeks_parameter(MIN_WEEKS, MAX_WEEKS, DEFAULT_WEEKS),
            _kind_parameter(),
            _role_parameter(),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = DemandQuerySerializer(data=request.query_params, context={"organization": self.organization})
        query.is_valid(raise_exception=True)
        values = query.validated_data
        table = role_demand(
            self.organization,
            start=query.first_week(),
            weeks=values["weeks"],
            role_id=values.get("role"),
            kind=values.get("kind") or "",
        )
        return Response(
            {
                "start": table.start.isoformat(),
                "finish": (table.start + dt.timedelta(days=7 * len(table.weeks) - 1)).isoformat(),
                "weeks": [monday.isoformat() for monday in table.weeks],
                "roles": [
                    {
                        "role": role.role_id,
                        "name": role.name,
                        "kind": role.kind,
                        "named": role.named,
                        "placeholders": role.placeholders,
                        "weeks": [
                            {
                                "week_start": week.week_start.isoformat(),
                                "capacity": hours(week.capacity),
                                "absence": hours(week.absence),
                                "available": hours(week.available),
                                "demand": hours(week.demand),
                                "placeholder_demand": hours(week.placeholder_demand),
                                "gap": hours(week.gap),
                                "unknown_capacity": week.unknown,
                            }
                            for week in role.weeks
                        ],
                    }
                    for role in table.roles
                ],
            }
        )
