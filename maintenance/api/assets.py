"""API of the asset register, under ``/api/v1/orgs/{org_slug}/maintenance/``.

``contractors/`` (deactivate, reactivate), ``sites/``, ``areas/`` (filter ``site``), ``assets/`` (filters q,
site, area, category, status, contractor, origin_project, under_warranty; ``move/``, ``retire/`` and
``restore/`` actions) and ``asset-import/`` (CSV: every row, or none). Everyone in the organisation reads;
the maintenance role and the PMO change them. Every write goes through ``maintenance.services.assets``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from maintenance.forms_assets import AssetFilter
from maintenance.models import Area, Asset, AssetCategory, AssetStatus, Contractor, Site, Unit
from maintenance.permissions import MaintenanceAction
from maintenance.services import assets as services
from maintenance.services import assets_import
from pmo.api import inputs
from pmo.api.base import OrganizationRelatedField, OrganizationScopedMixin
from pmo.api.common import EMPTY_BODY, ID_PATTERN, NamedChoiceField
from pmo.api.common import actor as _actor
from pmo.api.parsers import MultiPartParser
from pmo.api.rows import RowBuilder, RowListMixin
from pmo.api.serializers import UserSummarySerializer
from pmo.errors import ApplicationError
from projects.api.serializers import OrganizationMemberField
from projects.api.views import CsvParser, PlainTextParser, uploaded_csv
from projects.models import Project, WbsElement

TAG = "maintenance assets"
STATUS_ENUM = "AssetStatusEnum"
UNIT_ENUM = "AssetUnitEnum"
COORDINATE: dict[str, Any] = {"max_digits": 9, "decimal_places": 6}
QUANTITY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}


class Register(OrganizationScopedMixin):
    read_action = MaintenanceAction.VIEW
    write_action = MaintenanceAction.MANAGE
    lookup_value_regex = ID_PATTERN


def _bool(value: str | None) -> bool | None:
    if value in (None, ""):
        return None
    return str(value).lower() in ("1", "true", "yes")


# Contractors


class ContractorSerializer(inputs.ModelSerializer):
    user = UserSummarySerializer(read_only=True, allow_null=True, help_text=_("The firm's login, when it has one."))
    # Blank when not known, which an OpenAPI e-mail format refuses.
    email = serializers.CharField(read_only=True, help_text=_("An e-mail address, or empty."))

    class Meta:
        model = Contractor
        fields = ["id", "name", "contact", "phone", "email", "user", "is_active", "created_at"]
        read_only_fields = fields


CONTRACTOR_ROWS = RowBuilder(ContractorSerializer)


class ContractorWriteSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=200, help_text=_("Unique in the organisation, without case."))
    contact = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True)
    user = OrganizationMemberField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A member who works for the firm: they see the work orders assigned to it."),
    )


class ContractorUpdateSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    contact = serializers.CharField(max_length=120, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    user = OrganizationMemberField(required=False, allow_null=True)


ACTIVE = OpenApiParameter(
    "active", bool, OpenApiParameter.QUERY, required=False, description=_("Only active (true) or inactive (false).")
)


@extend_schema_view(
    list=extend_schema(summary=_("List the contractors"), tags=[TAG], parameters=[ACTIVE]),
    retrieve=extend_schema(summary=_("Show a contractor"), tags=[TAG]),
    create=extend_schema(
        summary=_("Add a contractor"),
        tags=[TAG],
        request=ContractorWriteSerializer,
        responses={201: ContractorSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change a contractor"),
        tags=[TAG],
        request=ContractorUpdateSerializer,
        responses={200: ContractorSerializer},
    ),
)
class ContractorViewSet(
    Register,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("The firms that built or maintain the assets; warranty claims are against them.")
    serializer_class = ContractorSerializer
    row_builder = CONTRACTOR_ROWS
    queryset = Contractor.objects.all()
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Contractor]:
        contractors = Contractor.objects.for_organization(self.organization).select_related("user").order_by("name")
        active = _bool(self.request.query_params.get("active"))
        if active is not None:
            contractors = contractors.filter(is_active=active)
        return contractors

    def _respond(self, contractor: Contractor, status_code: int = status.HTTP_200_OK) -> Response:
        self.remember_version(contractor)
        return Response(ContractorSerializer(contractor).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ContractorWriteSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        contractor = services.contractor_create(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return self._respond(contractor, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ContractorUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        contractor = self.get_object()
        contractor.organization = self.organization
        return self._respond(
            services.contractor_update(actor=_actor(request), contractor=contractor, **payload.validated_data)
        )

    @extend_schema(
        summary=_("Deactivate a contractor"),
        description=_("It stays on its assets and work orders and is offered for no new ones."),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: ContractorSerializer},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def deactivate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        contractor = self.get_object()
        contractor.organization = self.organization
        return self._respond(services.contractor_deactivate(actor=_actor(request), contractor=contractor))

    @extend_schema(
        summary=_("Make a deactivated contractor active again"),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: ContractorSerializer},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reactivate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        contractor = self.get_object()
        contractor.organization = self.organization
        return self._respond(services.contractor_reactivate(actor=_actor(request), contractor=contractor))


# Sites and areas


class SiteSerializer(inputs.ModelSerializer):
    project_code = serializers.CharField(source="project.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Site
        fields = ["id", "code", "name", "project", "project_code", "created_at"]
        read_only_fields = fields


SITE_ROWS = RowBuilder(SiteSerializer)


class SiteWriteSerializer(inputs.Serializer):
    code = serializers.CharField(max_length=32, help_text=_("Unique in the organisation, without case."))
    name = serializers.CharField(max_length=200)
    project = OrganizationRelatedField(
        queryset=Project.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The project that delivered the site, when known."),
    )


class SiteUpdateSerializer(inputs.Serializer):
    code = serializers.CharField(max_length=32, required=False)
    name = serializers.CharField(max_length=200, required=False)
    project = OrganizationRelatedField(queryset=Project.objects.all(), required=False, allow_null=True)


@extend_schema_view(
    list=extend_schema(summary=_("List the sites"), tags=[TAG]),
    retrieve=extend_schema(summary=_("Show a site"), tags=[TAG]),
    create=extend_schema(
        summary=_("Add a site"), tags=[TAG], request=SiteWriteSerializer, responses={201: SiteSerializer}
    ),
    partial_update=extend_schema(
        summary=_("Change a site"), tags=[TAG], request=SiteUpdateSerializer, responses={200: SiteSerializer}
    ),
)
class SiteViewSet(
    Register,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("The places the organisation maintains (a park, a greenway), each with its areas.")
    serializer_class = SiteSerializer
    row_builder = SITE_ROWS
    queryset = Site.objects.all()
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Site]:
        return Site.objects.for_organization(self.organization).select_related("project").order_by("code")

    def _respond(self, site: Site, status_code: int = status.HTTP_200_OK) -> Response:
        self.remember_version(site)
        return Response(SiteSerializer(site).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = SiteWriteSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        site = services.site_create(actor=_actor(request), organization=self.organization, **payload.validated_data)
        return self._respond(site, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = SiteUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        site = self.get_object()
        site.organization = self.organization
        return self._respond(services.site_update(actor=_actor(request), site=site, **payload.validated_data))


class AreaSerializer(inputs.ModelSerializer):
    site_code = serializers.CharField(source="site.code", read_only=True)

    class Meta:
        model = Area
        fields = ["id", "site", "site_code", "name", "position"]
        read_only_fields = fields


AREA_ROWS = RowBuilder(AreaSerializer)


#: The largest position a PositiveIntegerField stores on every database.
POSITION_MAX = 2_147_483_647


class AreaWriteSerializer(inputs.Serializer):
    site = OrganizationRelatedField(queryset=Site.objects.all())
    name = serializers.CharField(max_length=200, help_text=_("Unique in its site, without case."))
    position = serializers.IntegerField(
        min_value=0,
        max_value=POSITION_MAX,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Empty: after the site's last area."),
    )


class AreaUpdateSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    position = serializers.IntegerField(min_value=0, max_value=POSITION_MAX, required=False)


SITE_FILTER = OpenApiParameter("site", int, OpenApiParameter.QUERY, required=False, description=_("A site's id."))


@extend_schema_view(
    list=extend_schema(summary=_("List the areas of the sites"), tags=[TAG], parameters=[SITE_FILTER]),
    retrieve=extend_schema(summary=_("Show an area"), tags=[TAG]),
    create=extend_schema(
        summary=_("Add an area to a site"), tags=[TAG], request=AreaWriteSerializer, responses={201: AreaSerializer}
    ),
    partial_update=extend_schema(
        summary=_("Rename or reorder an area"),
        tags=[TAG],
        request=AreaUpdateSerializer,
        responses={200: AreaSerializer},
    ),
)
class AreaViewSet(
    Register,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("The parts of a site (north bank, plaza) its assets are grouped in.")
    serializer_class = AreaSerializer
    row_builder = AREA_ROWS
    queryset = Area.objects.all()
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Area]:
        areas = (
            Area.objects.for_organization(self.organization)
            .select_related("site")
            .order_by("site__code", "position", "name")
        )
        site = self.request.query_params.get("site", "")
        if site:
            areas = areas.filter(site_id=int(site) if site.isdigit() else 0)
        return areas

    def _respond(self, area: Area, status_code: int = status.HTTP_200_OK) -> Response:
        self.remember_version(area)
        return Response(AreaSerializer(area).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = AreaWriteSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        site = data.pop("site")
        site.organization = self.organization
        return self._respond(services.area_create(actor=_actor(request), site=site, **data), status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = AreaUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        area = self.get_object()
        area.organization = self.organization
        return self._respond(services.area_update(actor=_actor(request), area=area, **payload.validated_data))


# Assets


class AssetSerializer(inputs.ModelSerializer):
    status = NamedChoiceField(choices=AssetStatus.choices, enum_name=STATUS_ENUM, read_only=True)
    unit = NamedChoiceField(choices=Unit.choices, enum_name=UNIT_ENUM, read_only=True)
    category_code = serializers.CharField(source="category.code", read_only=True)
    site_code = serializers.CharField(source="site.code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True, allow_null=True, default=None)
    contractor_name = serializers.CharField(source="contractor.name", read_only=True, allow_null=True, default=None)
    origin_project_code = serializers.CharField(
        source="origin_project.code", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Asset
        fields = [
            "id",
            "code",
            "name",
            "category",
            "category_code",
            "site",
            "site_code",
            "area",
            "area_name",
            "location_text",
            "latitude",
            "longitude",
            "quantity",
            "unit",
            "surface_area",
            "install_date",
            "warranty_end",
            "contractor",
            "contractor_name",
            "origin_project",
            "origin_project_code",
            "origin_wbs_element",
            "handover",
            "route_order",
            "status",
            "retired_on",
            "retired_reason",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


ASSET_ROWS = RowBuilder(AssetSerializer)


class AssetWriteSerializer(inputs.Serializer):
    code = serializers.CharField(max_length=40, help_text=_("Unique in the organisation, without case."))
    name = serializers.CharField(max_length=200)
    category = OrganizationRelatedField(queryset=AssetCategory.objects.all())
    site = OrganizationRelatedField(queryset=Site.objects.all())
    area = OrganizationRelatedField(
        queryset=Area.objects.all(), required=False, allow_null=True, default=None, help_text=_("An area of the site.")
    )
    location_text = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(
        **COORDINATE, required=False, allow_null=True, default=None, help_text=_("-90 to 90, with the longitude.")
    )
    longitude = serializers.DecimalField(
        **COORDINATE, required=False, allow_null=True, default=None, help_text=_("-180 to 180, with the latitude.")
    )
    quantity = serializers.DecimalField(**QUANTITY, required=False, default=Decimal("1"), help_text=_("0 or more."))
    unit = NamedChoiceField(choices=Unit.choices, enum_name=UNIT_ENUM, required=False, default=Unit.COUNT)
    surface_area = serializers.DecimalField(
        **QUANTITY,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("m²: what a percentage criterion judges an area against."),
    )
    install_date = serializers.DateField(required=False, allow_null=True, default=None)
    warranty_end = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Not before the install date.")
    )
    contractor = OrganizationRelatedField(
        queryset=Contractor.objects.all(), required=False, allow_null=True, default=None
    )
    origin_project = OrganizationRelatedField(
        queryset=Project.objects.all(), required=False, allow_null=True, default=None
    )
    origin_wbs_element = OrganizationRelatedField(
        queryset=WbsElement.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A WBS element of the origin project."),
    )
    route_order = serializers.IntegerField(min_value=0, required=False, default=0)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")


class AssetUpdateSerializer(inputs.Serializer):
    code = serializers.CharField(max_length=40, required=False)
    name = serializers.CharField(max_length=200, required=False)
    category = OrganizationRelatedField(queryset=AssetCategory.objects.all(), required=False)
    quantity = serializers.DecimalField(**QUANTITY, required=False)
    unit = NamedChoiceField(choices=Unit.choices, enum_name=UNIT_ENUM, required=False)
    surface_area = serializers.DecimalField(**QUANTITY, required=False, allow_null=True)
    install_date = serializers.DateField(required=False, allow_null=True)
    warranty_end = serializers.DateField(required=False, allow_null=True)
    contractor = OrganizationRelatedField(queryset=Contractor.objects.all(), required=False, allow_null=True)
    origin_project = OrganizationRelatedField(queryset=Project.objects.all(), required=False, allow_null=True)
    origin_wbs_element = OrganizationRelatedField(queryset=WbsElement.objects.all(), required=False, allow_null=True)
    route_order = serializers.IntegerField(min_value=0, required=False)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class AssetMoveSerializer(inputs.Serializer):
    site = OrganizationRelatedField(queryset=Site.objects.all())
    area = OrganizationRelatedField(queryset=Area.objects.all(), required=False, allow_null=True, default=None)
    location_text = serializers.CharField(
        max_length=255, required=False, allow_blank=True, help_text=_("Left out: the current text stays.")
    )
    latitude = serializers.DecimalField(**COORDINATE, required=False, allow_null=True, default=None)
    longitude = serializers.DecimalField(**COORDINATE, required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AssetRetireSerializer(inputs.Serializer):
    retired_on = serializers.DateField(help_text=_("Not in the future, not before the install date."))
    reason = serializers.CharField(max_length=2000)


FILTER_PARAMETERS = [
    OpenApiParameter("q", str, OpenApiParameter.QUERY, required=False, description=_("Words in code, name, location.")),
    OpenApiParameter("site", int, OpenApiParameter.QUERY, required=False, description=_("A site's id.")),
    OpenApiParameter("area", int, OpenApiParameter.QUERY, required=False, description=_("An area's id.")),
    OpenApiParameter("category", int, OpenApiParameter.QUERY, required=False, description=_("A category's id.")),
    OpenApiParameter("status", str, OpenApiParameter.QUERY, required=False, enum=AssetStatus.values),
    OpenApiParameter("contractor", int, OpenApiParameter.QUERY, required=False, description=_("A contractor's id.")),
    OpenApiParameter(
        "origin_project", int, OpenApiParameter.QUERY, required=False, description=_("The delivering project's id.")
    ),
    OpenApiParameter(
        "under_warranty",
        str,
        OpenApiParameter.QUERY,
        required=False,
        enum=["yes", "no"],
        description=_("Warranty ending today or later (yes), or ended or unknown (no)."),
    ),
]


@extend_schema_view(
    list=extend_schema(summary=_("List the assets"), tags=[TAG], parameters=FILTER_PARAMETERS, filters=False),
    retrieve=extend_schema(summary=_("Show an asset"), tags=[TAG]),
    create=extend_schema(
        summary=_("Add an asset"), tags=[TAG], request=AssetWriteSerializer, responses={201: AssetSerializer}
    ),
    partial_update=extend_schema(
        summary=_("Change what an asset is"),
        description=_("Where it is changes through `move/`, which the audit trail records with before and after."),
        tags=[TAG],
        request=AssetUpdateSerializer,
        responses={200: AssetSerializer},
    ),
)
class AssetViewSet(
    Register,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _(
        "The maintained things (path segments, kerbs, sculptures, trees), where they are, who built them and "
        "which project delivered them."
    )
    serializer_class = AssetSerializer
    row_builder = ASSET_ROWS
    queryset = Asset.objects.all()
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Asset]:
        return (
            Asset.objects.for_organization(self.organization)
            .select_related("site", "area", "category", "contractor", "origin_project")
            .order_by("site__code", "route_order", "code")
        )

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.action != "list":
            return queryset
        filterset = AssetFilter(self.request.query_params, queryset=queryset)
        if not filterset.is_valid():
            raise ApplicationError(
                gettext("A filter is not valid."),
                code="invalid_filter",
                fields={name: [str(message) for message in errors] for name, errors in filterset.errors.items()},
            )
        return filterset.qs

    def _object(self) -> Asset:
        asset = self.get_object()
        asset.organization = self.organization
        return asset

    def _respond(self, asset: Asset, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=asset.pk)
        self.remember_version(fresh)
        return Response(AssetSerializer(fresh).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = AssetWriteSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        asset = services.asset_create(actor=_actor(request), organization=self.organization, **payload.validated_data)
        return self._respond(asset, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = AssetUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        asset = services.asset_update(actor=_actor(request), asset=self._object(), **payload.validated_data)
        return self._respond(asset)

    @extend_schema(
        summary=_("Move an asset"),
        description=_(
            "Sets its site, area, location and coordinates (left out: none); the audit trail keeps where it was "
            "and where it went."
        ),
        tags=[TAG],
        request=AssetMoveSerializer,
        responses={200: AssetSerializer},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def move(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = AssetMoveSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.setdefault("location_text", None)
        return self._respond(services.asset_move(actor=_actor(request), asset=self._object(), **data))

    @extend_schema(
        summary=_("Retire an asset"),
        description=_(
            "Takes it out of service with the day and the reason; refused (`asset_has_open_work_orders`) while it "
            "has a work order that is not closed or cancelled."
        ),
        tags=[TAG],
        request=AssetRetireSerializer,
        responses={200: AssetSerializer},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def retire(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = AssetRetireSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        asset = services.asset_retire(
            actor=_actor(request),
            asset=self._object(),
            retired_on=payload.validated_data["retired_on"],
            reason=payload.validated_data["reason"],
        )
        return self._respond(asset)

    @extend_schema(
        summary=_("Put a retired asset back in service"),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: AssetSerializer},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def restore(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        return self._respond(services.asset_restore(actor=_actor(request), asset=self._object()))


# Import


class AssetImportUploadSerializer(inputs.Serializer):
    file = serializers.FileField(help_text=_("The CSV file (UTF-8, or GB18030 as Excel saves it)."))


class AssetImportResultSerializer(inputs.Serializer):
    created = serializers.IntegerField(help_text=_("Assets added."))
    codes = serializers.ListField(child=serializers.CharField(), help_text=_("Their codes, in the file's order."))


class AssetImportView(Register, generics.GenericAPIView):
    schema_description = assets_import.ASSET_IMPORT_RULES
    serializer_class = AssetImportResultSerializer
    parser_classes = [MultiPartParser, CsvParser, PlainTextParser]
    filter_backends: list[Any] = []

    @extend_schema(
        summary=_("Import assets from a CSV file: every row, or none"),
        description=assets_import.ASSET_IMPORT_RULES,
        tags=[TAG],
        request={"multipart/form-data": AssetImportUploadSerializer, "text/csv": OpenApiTypes.STR},
        responses={201: AssetImportResultSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        content = uploaded_csv(request)
        created = assets_import.assets_import(actor=_actor(request), organization=self.organization, text=content)
        result = {"created": len(created), "codes": [asset.code for asset in created]}
        return Response(AssetImportResultSerializer(result).data, status=status.HTTP_201_CREATED)
