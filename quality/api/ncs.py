"""API of non-conformances, under ``/api/v1/orgs/{org_slug}/projects/{project_id}/``.

``non-conformances/`` lists (filters: status, severity, type, overdue, responsible, q), raises and
changes them, and moves them along their lifecycle (``transition/``, ``verify/``, ``cancel/``) and
records their rework cost (``rework-costs/``); ``non-conformances/{id}/actions/`` holds their
corrective and preventive actions. ``/api/v1/orgs/{org_slug}/non-conformances/`` lists every
project's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.api import inputs
from pmo.api.base import OrganizationRelatedField, OrganizationScopedMixin
from pmo.api.common import ID_PATTERN, NamedChoiceField
from pmo.api.common import actor as _actor
from pmo.api.rows import Computed, RowBuilder, RowListMixin
from pmo.api.serializers import UserSummarySerializer
from pmo.policy import can
from projects.api.base import ProjectScopedMixin
from projects.api.serializers import OrganizationMemberField, ProjectElementField
from quality.models import (
    ActionKind,
    ActionStatus,
    CorrectiveAction,
    Inspection,
    InspectionType,
    NcStatus,
    NonConformance,
    PartyKind,
    ReworkCost,
    Severity,
)
from quality.nc_forms import NcFilter, OrganizationNcFilter
from quality.nc_permissions import ActionOwnerRule, may_update_action
from quality.permissions import QualityAction
from quality.services import ncs as services

TAG = "non-conformances"
MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}
NC_ID = OpenApiParameter("nonconformance_id", int, OpenApiParameter.PATH, description=_("The non-conformance's id."))
ORDERING_FIELDS = ["number", "due_date", "raised_on", "severity", "status", "updated_at"]
SEVERITY_ENUM = "QualitySeverityEnum"
STATUS_ENUM = "NcStatusEnum"
PARTY_ENUM = "NcPartyKindEnum"
ACTION_KIND_ENUM = "CorrectiveActionKindEnum"
ACTION_STATUS_ENUM = "CorrectiveActionStatusEnum"


def nc_code(number: int) -> str:
    return f"NC-{number:03d}"


class NonConformanceSerializer(inputs.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text=_("NC-001, NC-002… per project."))
    project_code = serializers.CharField(source="project.code", read_only=True, help_text=_("The project's code."))
    inspection_type_code = serializers.CharField(
        source="inspection_type.code", read_only=True, help_text=_("The code of its type (quality, safety…).")
    )
    severity = NamedChoiceField(choices=Severity.choices, enum_name=SEVERITY_ENUM, read_only=True)
    status = NamedChoiceField(choices=NcStatus.choices, enum_name=STATUS_ENUM, read_only=True)
    responsible_kind = NamedChoiceField(choices=PartyKind.choices, enum_name=PARTY_ENUM, read_only=True)
    responsible_user = UserSummarySerializer(read_only=True, allow_null=True)
    raised_by = UserSummarySerializer(read_only=True, allow_null=True)
    verified_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = NonConformance
        fields = [
            "id",
            "code",
            "number",
            "project",
            "project_code",
            "title",
            "description",
            "severity",
            "status",
            "inspection_type",
            "inspection_type_code",
            "inspection",
            "item",
            "reading",
            "wbs_element",
            "location",
            "responsible_kind",
            "responsible_user",
            "responsible_name",
            "due_date",
            "root_cause",
            "verification_note",
            "cancel_reason",
            "rework_cost",
            "raised_by",
            "raised_on",
            "verified_by",
            "closed_on",
            "days_to_close",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "due_date": {"help_text": _("By default the raising day plus the organisation's days for the severity.")},
            "days_to_close": {"help_text": _("Calendar days from raised to closed, once closed.")},
            "rework_cost": {"help_text": _("The sum of its rework costs, recorded as actual costs of the project.")},
        }


NC_ROWS = RowBuilder(
    NonConformanceSerializer, computed={"code": Computed(("number",), lambda row: nc_code(row["number"]))}
)


class InspectionField(OrganizationRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Inspection.objects.all(), **kwargs)

    def get_queryset(self) -> QuerySet[Inspection]:
        project = self.context["project"]
        return Inspection.objects.for_organization(project.organization_id).filter(project=project)


class NcCreateSerializer(inputs.Serializer):
    title = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    severity = NamedChoiceField(
        choices=Severity.choices, enum_name=SEVERITY_ENUM, required=False, default=Severity.MINOR
    )
    inspection_type = OrganizationRelatedField(
        queryset=InspectionType.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Empty: the inspection's type, else the built-in quality type."),
    )
    inspection = InspectionField(
        required=False, allow_null=True, default=None, help_text=_("The project's inspection it came from, if any.")
    )
    wbs_element = ProjectElementField(required=False, allow_null=True, default=None)
    location = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    responsible_kind = NamedChoiceField(
        choices=PartyKind.choices, enum_name=PARTY_ENUM, required=False, default=PartyKind.MEMBER
    )
    responsible_user = OrganizationMemberField(required=False, allow_null=True, default=None)
    responsible_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The contractor or supplier; needed unless a member is responsible."),
    )
    due_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Empty: today plus the organisation's days for the severity (critical 2, major 7, minor 14)."),
    )


class NcUpdateSerializer(inputs.Serializer):
    title = serializers.CharField(max_length=255, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    severity = NamedChoiceField(choices=Severity.choices, enum_name=SEVERITY_ENUM, required=False)
    wbs_element = ProjectElementField(required=False, allow_null=True)
    location = serializers.CharField(max_length=255, required=False, allow_blank=True)
    responsible_kind = NamedChoiceField(choices=PartyKind.choices, enum_name=PARTY_ENUM, required=False)
    responsible_user = OrganizationMemberField(required=False, allow_null=True)
    responsible_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    due_date = serializers.DateField(required=False)
    root_cause = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Needed before the actions are planned.")
    )


class NcTransitionSerializer(inputs.Serializer):
    to_status = serializers.ChoiceField(
        choices=[
            (status_.value, status_.label)
            for status_ in (NcStatus.ANALYSIS, NcStatus.ACTION_PLAN, NcStatus.IN_PROGRESS, NcStatus.VERIFICATION)
        ],
        help_text=_(
            "One step on (open → analysis → action_plan → in_progress → verification) or one back (action_plan → "
            "analysis, in_progress → action_plan). Closing is `verify/`, cancelling `cancel/`."
        ),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class NcVerifySerializer(inputs.Serializer):
    passed = serializers.BooleanField(
        help_text=_("True closes the non-conformance; false sends it back to the corrective work.")
    )
    note = serializers.CharField(help_text=_("The verification evidence, or why it failed."))


class NcCancelSerializer(inputs.Serializer):
    reason = serializers.CharField(help_text=_("Why it is cancelled (raised in error, a duplicate…)."))


class ReworkCostSerializer(inputs.ModelSerializer):
    date = serializers.DateField(source="actual_cost.date", read_only=True)
    amount = serializers.DecimalField(source="actual_cost.amount", read_only=True, **MONEY)
    category = serializers.CharField(
        source="actual_cost.category.code", read_only=True, help_text=_('The cost category: "rework".')
    )
    supplier = serializers.CharField(source="actual_cost.supplier", read_only=True)
    reference = serializers.CharField(source="actual_cost.reference", read_only=True)
    recorded_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = ReworkCost
        fields = [
            "id",
            "non_conformance",
            "actual_cost",
            "date",
            "amount",
            "category",
            "supplier",
            "reference",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"actual_cost": {"help_text": _("The project's actual cost it was recorded as.")}}


REWORK_ROWS = RowBuilder(ReworkCostSerializer)


class NcReworkCostInputSerializer(inputs.Serializer):
    amount = serializers.DecimalField(min_value=Decimal("0.01"), **MONEY)
    date = serializers.DateField(help_text=_("The date of the cost."))
    supplier = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text=_("Empty: the responsible party.")
    )
    reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text=_("Empty: the non-conformance's code.")
    )


class CorrectiveActionSerializer(inputs.ModelSerializer):
    kind = NamedChoiceField(choices=ActionKind.choices, enum_name=ACTION_KIND_ENUM, read_only=True)
    status = NamedChoiceField(choices=ActionStatus.choices, enum_name=ACTION_STATUS_ENUM, read_only=True)
    owner = UserSummarySerializer(read_only=True)
    completed_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "non_conformance",
            "kind",
            "description",
            "owner",
            "due_date",
            "status",
            "completed_by",
            "completed_on",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


ACTION_ROWS = RowBuilder(CorrectiveActionSerializer)


class NcActionCreateSerializer(inputs.Serializer):
    kind = NamedChoiceField(
        choices=ActionKind.choices, enum_name=ACTION_KIND_ENUM, required=False, default=ActionKind.CORRECTIVE
    )
    description = serializers.CharField()
    owner = OrganizationMemberField()
    due_date = serializers.DateField()


#: What an action's owner may change on their own action; the rest needs ``nc.manage``.
OWNER_FIELDS = frozenset({"status", "note"})


class NcActionUpdateSerializer(inputs.Serializer):
    kind = NamedChoiceField(choices=ActionKind.choices, enum_name=ACTION_KIND_ENUM, required=False)
    description = serializers.CharField(required=False)
    owner = OrganizationMemberField(required=False)
    due_date = serializers.DateField(required=False)
    status = NamedChoiceField(
        choices=ActionStatus.choices,
        enum_name=ACTION_STATUS_ENUM,
        required=False,
        help_text=_("Done records who and when. The action's owner may change the status and the note."),
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class NcQuerysetMixin:
    organization: Any

    def ncs(self) -> QuerySet[NonConformance]:
        return NonConformance.objects.for_organization(self.organization).select_related(
            "project", "inspection_type", "responsible_user", "raised_by", "verified_by"
        )


@extend_schema_view(
    list=extend_schema(summary=_("List the project's non-conformances"), tags=[TAG]),
    retrieve=extend_schema(summary=_("Show a non-conformance"), tags=[TAG]),
    create=extend_schema(
        summary=_("Raise a non-conformance (numbered NC-001, NC-002… per project)"),
        description=_("Anyone on the project may raise one; its due date follows its severity unless given."),
        tags=[TAG],
        request=NcCreateSerializer,
        responses={201: NonConformanceSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change what an open non-conformance says, or record its root cause"),
        tags=[TAG],
        request=NcUpdateSerializer,
        responses={200: NonConformanceSerializer},
    ),
)
class NonConformanceViewSet(
    NcQuerysetMixin,
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("A project's non-conformances, driven through corrective action to verified closure.")

    serializer_class = NonConformanceSerializer
    row_builder = NC_ROWS
    queryset = NonConformance.objects.all()
    read_action = QualityAction.QUALITY_VIEW
    write_action = QualityAction.NC_MANAGE
    action_permissions = {
        "create": QualityAction.NC_RAISE,
        "verify": QualityAction.NC_VERIFY,
        "rework_cost_record": QualityAction.NC_MANAGE,
    }
    filterset_class = NcFilter
    ordering_fields = ORDERING_FIELDS
    ordering = ["-number"]
    search_fields: list[str] = []
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[NonConformance]:
        return self.ncs().filter(project=self.project).order_by("-number")

    def get_object(self) -> NonConformance:
        nc: NonConformance = super().get_object()
        nc.project = self.project
        nc.organization = self.organization
        return nc

    def _respond(self, nc: NonConformance, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(NonConformanceSerializer(self.get_queryset().get(pk=nc.pk)).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = NcCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        nc = services.nc_raise(actor=_actor(request), project=self.project, **payload.validated_data)
        return self._respond(nc, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = NcUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        nc = services.nc_update(actor=_actor(request), nc=self.get_object(), **payload.validated_data)
        return self._respond(nc)

    @extend_schema(
        summary=_("Move a non-conformance one step along its lifecycle"),
        description=_(
            "Refused with `root_cause_missing` (planning without a root cause), `no_corrective_action` (starting "
            "without a corrective action, or verifying without one done), `actions_open` (verification while "
            "actions are not ended) and `invalid_transition`."
        ),
        tags=[TAG],
        request=NcTransitionSerializer,
        responses={200: NonConformanceSerializer},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = NcTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        nc = services.nc_transition(actor=_actor(request), nc=self.get_object(), **payload.validated_data)
        return self._respond(nc)

    @extend_schema(
        summary=_("Verify the corrective work: pass closes it, fail sends it back to the work"),
        description=_(
            "By the quality role, never by someone who did the corrective work (`verifier_did_the_work`); "
            "only a non-conformance awaiting verification."
        ),
        tags=[TAG],
        request=NcVerifySerializer,
        responses={200: NonConformanceSerializer},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = NcVerifySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        nc = services.nc_verify(actor=_actor(request), nc=self.get_object(), **payload.validated_data)
        return self._respond(nc)

    @extend_schema(
        summary=_("Cancel an open non-conformance, with the reason"),
        tags=[TAG],
        request=NcCancelSerializer,
        responses={200: NonConformanceSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = NcCancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        nc = services.nc_cancel(actor=_actor(request), nc=self.get_object(), **payload.validated_data)
        return self._respond(nc)

    def _reworks(self, nc: NonConformance) -> list[dict[str, Any]]:
        rows = (
            ReworkCost.objects.for_organization(self.organization)
            .filter(non_conformance=nc)
            .order_by("recorded_at", "id")
            .values(*REWORK_ROWS.columns)
        )
        return REWORK_ROWS.build(rows)

    @extend_schema(
        summary=_("List a non-conformance's rework costs"),
        tags=[TAG],
        responses={200: ReworkCostSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="rework-costs", pagination_class=None)
    def rework_costs(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._reworks(self.get_object()))

    @extend_schema(
        summary=_('Record rework cost: an actual cost of the project in the category "rework"'),
        description=_(
            "The cost goes through finance's cost service (budget control applies) and counts in earned value; "
            "the category is created if the organisation has none."
        ),
        tags=[TAG],
        request=NcReworkCostInputSerializer,
        responses={201: ReworkCostSerializer},
    )
    @rework_costs.mapping.post
    def rework_cost_record(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = NcReworkCostInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rework = services.rework_cost_record(actor=_actor(request), nc=self.get_object(), **payload.validated_data)
        row = ReworkCost.objects.for_organization(self.organization).filter(pk=rework.pk).values(*REWORK_ROWS.columns)
        return Response(REWORK_ROWS.build(row)[0], status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary=_("List a non-conformance's actions"), tags=[TAG], parameters=[NC_ID]),
    retrieve=extend_schema(summary=_("Show a corrective or preventive action"), tags=[TAG], parameters=[NC_ID]),
    create=extend_schema(
        summary=_("Plan a corrective or preventive action (from the analysis on)"),
        tags=[TAG],
        parameters=[NC_ID],
        request=NcActionCreateSerializer,
        responses={201: CorrectiveActionSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Update an action (its owner reports status and note; managers change the rest)"),
        tags=[TAG],
        parameters=[NC_ID],
        request=NcActionUpdateSerializer,
        responses={200: CorrectiveActionSerializer},
    ),
)
class CorrectiveActionViewSet(
    ActionOwnerRule,
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("The corrective and preventive actions of a non-conformance: owner, due date, status.")

    serializer_class = CorrectiveActionSerializer
    row_builder = ACTION_ROWS
    queryset = CorrectiveAction.objects.all()
    read_action = QualityAction.QUALITY_VIEW
    # Owners report the progress of their own actions: ``partial_update`` checks ``may_update_action``.
    write_action = QualityAction.NC_RAISE
    action_permissions = {"create": QualityAction.NC_MANAGE}
    filterset_fields = ["kind", "status"]
    ordering_fields = ["due_date", "id", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_PATTERN
    nc: NonConformance

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        nc = (
            NonConformance.objects.for_organization(self.organization)
            .filter(project=self.project, pk=url_kwargs["nonconformance_id"])
            .first()
        )
        if nc is None:
            raise Http404
        nc.project = self.project
        nc.organization = self.organization
        self.nc = nc

    def get_queryset(self) -> QuerySet[CorrectiveAction]:
        return (
            CorrectiveAction.objects.for_organization(self.organization)
            .filter(non_conformance=self.nc)
            .select_related("owner", "completed_by")
            .order_by("due_date", "id")
        )

    def _respond(self, action: CorrectiveAction, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(CorrectiveActionSerializer(self.get_queryset().get(pk=action.pk)).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = NcActionCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        action = services.action_add(actor=_actor(request), nc=self.nc, **payload.validated_data)
        return self._respond(action, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        action: CorrectiveAction = self.get_object()
        if not may_update_action(self.membership, self.project_role, action.owner_id):
            raise exceptions.PermissionDenied()
        payload = NcActionUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        if set(fields) - OWNER_FIELDS and not self.membership_may_manage():
            raise exceptions.PermissionDenied(_("The owner of an action may change its status and note only."))
        action.non_conformance = self.nc
        action = services.action_update(actor=_actor(request), action=action, **fields)
        return self._respond(action)

    def membership_may_manage(self) -> bool:
        return can(self.membership, QualityAction.NC_MANAGE, self.project_role)


@extend_schema_view(list=extend_schema(summary=_("List every project's non-conformances"), tags=[TAG]))
class OrganizationNonConformanceViewSet(
    NcQuerysetMixin, OrganizationScopedMixin, RowListMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    schema_description = _("The non-conformances of every project of the organisation.")

    serializer_class = NonConformanceSerializer
    row_builder = NC_ROWS
    queryset = NonConformance.objects.all()
    read_action = QualityAction.QUALITY_VIEW
    filterset_class = OrganizationNcFilter
    ordering_fields = ORDERING_FIELDS
    ordering = ["project__code", "-number"]
    search_fields: list[str] = []
    http_method_names = ["get", "head", "options"]

    def get_queryset(self) -> QuerySet[NonConformance]:
        return self.ncs().order_by("project__code", "-number")
