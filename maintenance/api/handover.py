"""API of a project's handover to maintenance, under
``/api/v1/orgs/{org_slug}/projects/{project_id}/maintenance/``. ``handover/``: GET the handover (empty fields
until started; its changes are refused with ``handover_not_started``), POST starts it with the proposal from
the project's deliverables (the project in execution, for a finished stage, or in closing), PATCH chooses the
site and keeps notes; ``handover/rows/``: the proposed and added rows with what each still lacks (GET, POST
adds one), a row at ``/maintenance/handover-rows/{id}/`` (PATCH completes one, DELETE removes a row added by hand);
``handover/complete/`` writes the assets and completes the handover (refused with ``handover_incomplete``
while a row lacks something). Everyone reads; the maintenance role and the PMO change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from maintenance.api.assets import COORDINATE, QUANTITY, UNIT_ENUM
from maintenance.models import AssetCategory, Contractor, Handover, HandoverRow, HandoverStatus, Site, Unit
from maintenance.permissions import MaintenanceAction
from maintenance.services import assets as asset_services
from maintenance.services import handover as services
from pmo.api import inputs
from pmo.api.base import OrganizationRelatedField, OrganizationScopedMixin
from pmo.api.common import EMPTY_BODY, ID_PATTERN, NamedChoiceField
from pmo.api.common import actor as _actor
from pmo.api.rows import Computed, RowBuilder, RowListMixin
from pmo.concurrency import locked_row, row_version
from pmo.errors import ApplicationError
from projects.api.base import ProjectScopedMixin

TAG = "maintenance handover"
STATUS_ENUM = "HandoverStatusEnum"
ROW_UNIT_ENUM = "HandoverRowUnitEnum"


class InHandover(ProjectScopedMixin):
    read_action = MaintenanceAction.VIEW
    write_action = MaintenanceAction.MANAGE

    def handover(self) -> Handover:
        handover = services.handover_of(self.project)
        if handover is None:
            raise ApplicationError(
                str(_("The handover to maintenance has not been started: start it first.")),
                code="handover_not_started",
            )
        handover.project = self.project
        handover.organization = self.organization
        return handover


class HandoverSerializer(inputs.ModelSerializer):
    id = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("Empty until the handover is started."))
    status = NamedChoiceField(
        choices=HandoverStatus.choices,
        enum_name=STATUS_ENUM,
        read_only=True,
        allow_null=True,
        help_text=_("Empty until the handover is started."),
    )
    site_code = serializers.CharField(source="site.code", read_only=True, allow_null=True, default=None)
    created_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Handover
        fields = ["id", "project", "site", "site_code", "status", "notes", "completed_by", "completed_at", "created_at"]
        read_only_fields = fields


class NewSiteSerializer(inputs.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)


class HandoverStartSerializer(inputs.Serializer):
    site = OrganizationRelatedField(
        queryset=Site.objects.all(), required=False, allow_null=True, default=None, help_text=_("An existing site.")
    )
    new_site = NewSiteSerializer(
        required=False, allow_null=True, default=None, help_text=_("Or a site to create, delivered by this project.")
    )


class HandoverUpdateSerializer(HandoverStartSerializer):
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class HandoverView(InHandover, generics.GenericAPIView):
    schema_description = _("A project's handover to maintenance: the assets it delivered, confirmed before use.")
    serializer_class = HandoverSerializer
    filter_backends: list[Any] = []
    # One handover per project, or none yet: versioned by its row ("none" before it is started).
    versioned_as_setting = True

    def lock_scope(self) -> None:
        # The lock handover_update takes: the handover row, when there is one.
        handover = services.handover_of(self.project)
        if handover is not None:
            locked_row(handover)

    def setting_version(self) -> str:
        handover = services.handover_of(self.project)
        return row_version(handover) if handover is not None else "none"

    def _site(self, data: dict[str, Any]) -> Site | None:
        if data.get("site") is not None and data.get("new_site"):
            raise ApplicationError(
                str(_("Give an existing site or a new one, not both.")),
                code="invalid",
                fields={"new_site": [str(_("Give an existing site or a new one, not both."))]},
            )
        if data.get("new_site"):
            return asset_services.site_create(
                actor=_actor(self.request), organization=self.organization, project=self.project, **data["new_site"]
            )
        site: Site | None = data.get("site")
        return site

    def _respond(self, handover: Handover, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = services.handover_of(self.project)
        assert fresh is not None
        self.remember_version(fresh)
        return Response(HandoverSerializer(fresh).data, status=status_code)

    @extend_schema(
        summary=_("Show the project's handover to maintenance"),
        description=_("Before it is started, the fields are empty (`id` and `status` null)."),
        tags=[TAG],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        handover = services.handover_of(self.project)
        if handover is None:
            return Response(
                {
                    "id": None,
                    "project": self.project.pk,
                    "site": None,
                    "site_code": None,
                    "status": None,
                    "notes": "",
                    "completed_by": None,
                    "completed_at": None,
                    "created_at": None,
                }
            )
        return self._respond(handover)

    @extend_schema(
        summary=_("Start the handover with the assets proposed from the deliverables"),
        description=_(
            "The project must be in execution (to hand over a finished stage) or in closing. One row per "
            "deliverable (its WBS element) is proposed; a handover already started is answered as it is."
        ),
        tags=[TAG],
        request=HandoverStartSerializer,
        responses={201: HandoverSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = HandoverStartSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        handover = services.handover_start(
            actor=_actor(request), project=self.project, site=self._site(dict(payload.validated_data))
        )
        return self._respond(handover, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Choose the handover's site or keep notes"),
        tags=[TAG],
        request=HandoverUpdateSerializer,
        responses={200: HandoverSerializer},
    )
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = HandoverUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        handover = services.handover_update(
            actor=_actor(request), handover=self.handover(), site=self._site(data), notes=data.get("notes")
        )
        return self._respond(handover)


class HandoverCompleteView(InHandover, generics.GenericAPIView):
    schema_description = _("Completing the handover writes its assets.")
    serializer_class = HandoverSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        summary=_("Complete the handover: write its assets"),
        description=_(
            "Every included row becomes an asset with this project and its WBS element as origin; refused "
            "(`handover_incomplete`, the rows named in `fields`) while a row lacks something."
        ),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: HandoverSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        services.handover_complete(actor=_actor(request), handover=self.handover())
        fresh = services.handover_of(self.project)
        return Response(HandoverSerializer(fresh).data)


class HandoverRowSerializer(inputs.ModelSerializer):
    unit = NamedChoiceField(choices=[("", "—"), *Unit.choices], enum_name=ROW_UNIT_ENUM, read_only=True)
    wbs_code = serializers.CharField(source="wbs_element.code", read_only=True, allow_null=True, default=None)
    missing = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("The fields the row still lacks before the handover can complete (none when left out)."),
    )

    class Meta:
        model = HandoverRow
        fields = [
            "id",
            "position",
            "wbs_element",
            "wbs_code",
            "excluded",
            "site",
            "area_name",
            "code",
            "name",
            "category",
            "location_text",
            "latitude",
            "longitude",
            "quantity",
            "unit",
            "surface_area",
            "install_date",
            "warranty_end",
            "contractor",
            "asset",
            "notes",
            "missing",
        ]
        read_only_fields = fields


def _missing(row: Mapping[str, Any]) -> list[str]:
    """What the row lacks, from its columns (the handover's site is read by the view into ``handover_site``)."""
    if row["excluded"]:
        return []
    missing = [field for field in services.REQUIRED_ROW_FIELDS if row.get(field) in (None, "")]
    if row["site"] is None and row["handover__site"] is None:
        missing.insert(0, "site")
    return missing


ROW_ROWS = RowBuilder(
    HandoverRowSerializer,
    computed={
        "missing": Computed(
            ("excluded", "site", "handover__site", *services.REQUIRED_ROW_FIELDS),
            _missing,
        )
    },
)


class HandoverRowWriteSerializer(inputs.Serializer):
    excluded = serializers.BooleanField(required=False, help_text=_("Not an asset: left out of the handover."))
    site = OrganizationRelatedField(
        queryset=Site.objects.all(), required=False, allow_null=True, help_text=_("Empty: the handover's site.")
    )
    area_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=_("Added to the site when it lacks it.")
    )
    code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    category = OrganizationRelatedField(queryset=AssetCategory.objects.all(), required=False, allow_null=True)
    location_text = serializers.CharField(max_length=255, required=False, allow_blank=True)
    latitude = serializers.DecimalField(**COORDINATE, required=False, allow_null=True)
    longitude = serializers.DecimalField(**COORDINATE, required=False, allow_null=True)
    quantity = serializers.DecimalField(**QUANTITY, required=False, allow_null=True)
    unit = NamedChoiceField(choices=Unit.choices, enum_name=UNIT_ENUM, required=False)
    surface_area = serializers.DecimalField(**QUANTITY, required=False, allow_null=True)
    install_date = serializers.DateField(required=False, allow_null=True)
    warranty_end = serializers.DateField(required=False, allow_null=True)
    contractor = OrganizationRelatedField(queryset=Contractor.objects.all(), required=False, allow_null=True)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


@extend_schema_view(
    list=extend_schema(summary=_("List the handover's rows with what each lacks"), tags=[TAG]),
    create=extend_schema(
        summary=_("Add a row to the handover"),
        tags=[TAG],
        request=HandoverRowWriteSerializer,
        responses={201: HandoverRowSerializer},
    ),
)
class HandoverRowViewSet(
    InHandover,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("The assets a handover proposes and the O&M manager completes.")
    serializer_class = HandoverRowSerializer
    row_builder = ROW_ROWS
    queryset = HandoverRow.objects.all()
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[HandoverRow]:
        return (
            HandoverRow.objects.for_organization(self.organization)
            .filter(handover__project=self.project)
            .select_related("handover", "wbs_element")
            .order_by("position", "pk")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = HandoverRowWriteSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        handover = self.handover()
        row = services.handover_row_add(actor=_actor(request), handover=handover, **payload.validated_data)
        row.handover = handover
        return Response(represent(row), status=status.HTTP_201_CREATED)


def represent(row: HandoverRow) -> dict[str, Any]:
    row.missing = services.row_missing(row, row.handover)  # type: ignore[attr-defined]
    return HandoverRowSerializer(row).data


@extend_schema_view(
    retrieve=extend_schema(summary=_("Show a row of a handover"), tags=[TAG]),
    partial_update=extend_schema(
        summary=_("Confirm and complete a row of a handover"),
        tags=[TAG],
        request=HandoverRowWriteSerializer,
        responses={200: HandoverRowSerializer},
    ),
    destroy=extend_schema(
        summary=_("Remove a row added by hand"),
        description=_("A row proposed from a deliverable is left out with `excluded` instead."),
        tags=[TAG],
        responses={204: None},
    ),
)
class HandoverRowDetailViewSet(
    OrganizationScopedMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """One row of a handover, under ``/api/v1/orgs/{org_slug}/maintenance/handover-rows/{id}/``."""

    schema_description = _("A row of a project's handover, by its id (the project's rows list gives them).")
    read_action = MaintenanceAction.VIEW
    write_action = MaintenanceAction.MANAGE
    serializer_class = HandoverRowSerializer
    queryset = HandoverRow.objects.all()
    filter_backends: list[Any] = []
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[HandoverRow]:
        return HandoverRow.objects.for_organization(self.organization).select_related(
            "handover__project", "wbs_element"
        )

    def _object(self) -> HandoverRow:
        row = self.get_object()
        row.organization = self.organization
        row.handover.organization = self.organization
        return row

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(represent(self._object()))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = HandoverRowWriteSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        current = self._object()
        row = services.handover_row_update(actor=_actor(request), row=current, **payload.validated_data)
        row.handover = current.handover
        self.remember_version(row)
        return Response(represent(row))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.handover_row_remove(actor=_actor(request), row=self._object())
        return Response(status=status.HTTP_204_NO_CONTENT)
