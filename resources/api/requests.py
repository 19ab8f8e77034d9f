"""API of resource requests.

``projects/{project_id}/resource-requests/`` lists a project's requests and makes one (RQ-001… per
project); ``resource-requests/`` lists every project's (filters: status, project, role, skill) and
holds each request's steps: ``candidates/`` (named resources of its role and skill, with their free
hours in its period), ``propose/``, ``withdraw/``, ``fulfil/`` and ``decline/`` (the resource office)
and ``cancel/`` (the requester, or a planner of the project). A step in the wrong state answers 409.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
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
from projects.api.base import ProjectScopedMixin
from projects.api.serializers import ProjectElementField
from projects.models import ProjectMember
from resources.forms_requests import OrganizationRequestFilter, RequestFilter
from resources.models import (
    RequestProposal,
    RequestStatus,
    Resource,
    ResourceKind,
    ResourceRequest,
    ResourceRole,
    Skill,
)
from resources.permissions import ResourceAction
from resources.services import requests as services

TAG = "resource requests"
STATUS_ENUM = "ResourceRequestStatusEnum"
KIND_ENUM = "ResourceKindEnum"
ORDERING_FIELDS = ["number", "start", "finish", "requested_at", "status"]
DECIDED = OpenApiResponse(
    description=_("The request is fulfilled, declined or cancelled already (`invalid_state`): nothing changed.")
)
NOTHING_PROPOSED = OpenApiResponse(
    description=_(
        "Nothing is proposed yet (`no_proposal`), or the request is decided already (`invalid_state`): nothing changed."
    )
)


def request_code(number: int) -> str:
    return f"RQ-{number:03d}"


class RequestProposalSerializer(inputs.Serializer[Any]):
    id = serializers.IntegerField()
    resource = serializers.IntegerField(source="resource_id", help_text=_("The proposed resource's id."))
    resource_code = serializers.CharField(source="resource.code")
    resource_name = serializers.CharField(source="resource.name")
    hours = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text=_("The hours it would take on: its work once fulfilled.")
    )


class ResourceRequestSerializer(inputs.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text=_("RQ-001, RQ-002… per project."))
    project_code = serializers.CharField(source="project.code", read_only=True, help_text=_("The project's code."))
    task_code = serializers.CharField(source="task.code", read_only=True)
    task_name = serializers.CharField(source="task.name", read_only=True)
    role_name = serializers.CharField(source="role.name", read_only=True, allow_null=True)
    skill_name = serializers.CharField(source="skill.name", read_only=True, allow_null=True)
    status = NamedChoiceField(choices=RequestStatus.choices, enum_name=STATUS_ENUM, read_only=True)
    requested_by = UserSummarySerializer(read_only=True)
    decided_by = UserSummarySerializer(read_only=True, allow_null=True)
    proposals = RequestProposalSerializer(many=True, read_only=True, help_text=_("The resources proposed so far."))

    class Meta:
        model = ResourceRequest
        fields = [
            "id",
            "code",
            "number",
            "project",
            "project_code",
            "task",
            "task_code",
            "task_name",
            "role",
            "role_name",
            "skill",
            "skill_name",
            "min_level",
            "hours",
            "start",
            "finish",
            "note",
            "status",
            "proposals",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_reason",
            "version",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "min_level": {"help_text": _("The least level of the skill asked for (1 to 5).")},
            "hours": {"help_text": _("The work asked for, in hours.")},
            "decision_reason": {"help_text": _("Why it was declined, or the resource office's note on fulfilling.")},
        }


REQUEST_ROWS = RowBuilder(
    ResourceRequestSerializer,
    computed={
        "code": Computed(("number",), lambda row: request_code(row["number"])),
        # Filled for the whole page at once (``complete_rows``).
        "proposals": Computed(("id",), lambda row: []),
    },
)


class RequestRowsMixin:
    organization: Any

    def complete_rows(self, rows: list[dict[str, Any]]) -> None:
        """Every row's proposals, in one query."""
        found: dict[int, list[dict[str, Any]]] = defaultdict(list)
        proposals = (
            RequestProposal.objects.for_organization(self.organization)
            .filter(request_id__in=[row["id"] for row in rows])
            .order_by("id")
            .values("id", "request_id", "resource_id", "resource__code", "resource__name", "hours")
        )
        for proposal in proposals:
            found[proposal["request_id"]].append(
                {
                    "id": proposal["id"],
                    "resource": proposal["resource_id"],
                    "resource_code": proposal["resource__code"],
                    "resource_name": proposal["resource__name"],
                    "hours": f"{proposal['hours']:.2f}",
                }
            )
        for row in rows:
            row["proposals"] = found.get(row["id"], [])

    def requests(self) -> QuerySet[ResourceRequest]:
        return ResourceRequest.objects.for_organization(self.organization)

    def row_of(self, pk: int) -> dict[str, Any]:
        rows = REQUEST_ROWS.build(self.requests().filter(pk=pk).values(*REQUEST_ROWS.columns))
        self.complete_rows(rows)
        return rows[0]


class RequestCreateSerializer(inputs.Serializer):
    task = ProjectElementField(help_text=_("The task or milestone the work is for."))
    role = OrganizationRelatedField(queryset=ResourceRole.objects.all(), required=False, allow_null=True, default=None)
    skill = OrganizationRelatedField(
        queryset=Skill.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A role, a skill or both; at least one."),
    )
    min_level = serializers.IntegerField(min_value=1, max_value=5, required=False, default=1)
    hours = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.25"))
    start = serializers.DateField()
    finish = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class RequestProposeSerializer(inputs.Serializer):
    resource = OrganizationRelatedField(
        queryset=Resource.objects.all(), help_text=_("An active named person or equipment.")
    )
    hours = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.25"),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Empty: the hours asked for."),
    )


class RequestWithdrawSerializer(inputs.Serializer):
    proposal = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text=_("The id of the proposal to take back.")
    )


class RequestFulfilSerializer(inputs.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RequestDeclineSerializer(inputs.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("Why the request is declined; the requester reads it."))


class RequestCancelSerializer(inputs.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RequestCandidateSerializer(inputs.Serializer[Any]):
    resource = serializers.IntegerField(source="resource.pk")
    code = serializers.CharField(source="resource.code")
    name = serializers.CharField(source="resource.name")
    kind = NamedChoiceField(source="resource.kind", choices=ResourceKind.choices, enum_name=KIND_ENUM)
    department = serializers.CharField(source="resource.department")
    role = serializers.CharField(source="resource.role.name", allow_null=True, default=None)
    level = serializers.IntegerField(allow_null=True, help_text=_("Its level of the skill asked for, if one was."))
    free_hours = serializers.FloatField(
        allow_null=True,
        help_text=_("Capacity minus load in the request's period; negative when over-booked, null when unknown."),
    )
    proposed = serializers.BooleanField()


@extend_schema_view(
    list=extend_schema(summary=_("List the project's resource requests"), tags=[TAG]),
    retrieve=extend_schema(summary=_("Show a resource request"), tags=[TAG]),
    create=extend_schema(
        summary=_("Ask for a role or skill, hours and a period, on a task (numbered RQ-001… per project)"),
        tags=[TAG],
        request=RequestCreateSerializer,
        responses={201: ResourceRequestSerializer},
    ),
)
class ProjectRequestViewSet(
    RequestRowsMixin,
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("A project's requests for resources; the resource office answers them.")

    serializer_class = ResourceRequestSerializer
    row_builder = REQUEST_ROWS
    queryset = ResourceRequest.objects.all()
    read_action = ResourceAction.RESOURCES_VIEW
    write_action = ResourceAction.REQUEST
    filterset_class = RequestFilter
    ordering_fields = ORDERING_FIELDS
    search_fields: list[str] = []
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[ResourceRequest]:
        return self.requests().filter(project=self.project).order_by("-number")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.row_of(self.get_object().pk))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = RequestCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        created = services.resource_request_create(
            actor=_actor(request), project=self.project, **payload.validated_data
        )
        return Response(self.row_of(created.pk), status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary=_("List every project's resource requests"), tags=[TAG]),
    retrieve=extend_schema(summary=_("Show a resource request"), tags=[TAG]),
)
class RequestViewSet(
    RequestRowsMixin,
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _(
        "Every project's resource requests: the resource office proposes named resources, then fulfils or "
        "declines; the requester may cancel."
    )

    serializer_class = ResourceRequestSerializer
    row_builder = REQUEST_ROWS
    queryset = ResourceRequest.objects.all()
    read_action = ResourceAction.RESOURCES_VIEW
    write_action = ResourceAction.FULFIL
    # Cancelling is for the requester or a planner of the project: ``cancel`` checks it.
    action_permissions = {"cancel": ResourceAction.RESOURCES_VIEW}
    filterset_class = OrganizationRequestFilter
    ordering_fields = ORDERING_FIELDS
    search_fields: list[str] = []
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[ResourceRequest]:
        return self.requests().order_by("start", "project__code", "number")

    @classmethod
    def unowned_action(cls, method: str, viewset_action: str | None = None) -> str | None:
        """A member who asked for nothing and plans no project cancels with the planners' action."""
        if viewset_action == "cancel":
            return ResourceAction.REQUEST
        return cls.required_action(method, viewset_action)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.row_of(self.get_object().pk))

    def _respond(self, pk: int) -> Response:
        return Response(self.row_of(pk))

    @extend_schema(
        summary=_("Named resources that could fill the request, with their free hours in its period"),
        description=_(
            "Active people and equipment of the role asked for and with the skill at the level asked for or "
            "above; proposed ones first, then the most free hours."
        ),
        tags=[TAG],
        responses={200: RequestCandidateSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def candidates(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        found = services.request_candidates(self.organization, self.get_object())
        return Response(RequestCandidateSerializer(found, many=True).data)

    @extend_schema(
        summary=_("Propose a named resource with the hours it would take on"),
        description=_("The request becomes proposed. Refused with `invalid_state` (409) once decided."),
        tags=[TAG],
        request=RequestProposeSerializer,
        responses={200: ResourceRequestSerializer, 409: DECIDED},
    )
    @action(detail=True, methods=["post"])
    def propose(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = RequestProposeSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        asked = self.get_object()
        services.resource_request_propose(actor=_actor(request), request=asked, **payload.validated_data)
        return self._respond(asked.pk)

    @extend_schema(
        summary=_("Take back a proposal"),
        description=_("Without proposals left the request is open again."),
        tags=[TAG],
        request=RequestWithdrawSerializer,
        responses={200: ResourceRequestSerializer, 409: DECIDED},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = RequestWithdrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        asked = self.get_object()
        proposal = (
            RequestProposal.objects.for_organization(self.organization)
            .filter(request=asked, pk=payload.validated_data["proposal"])
            .first()
        )
        if proposal is None:
            raise exceptions.ValidationError({"proposal": [_("Not found.")]})
        services.resource_request_withdraw_proposal(actor=_actor(request), proposal=proposal)
        return self._respond(asked.pk)

    @extend_schema(
        summary=_("Fulfil the request: each proposal becomes an assignment on its task"),
        description=_(
            "The proposals' hours become the assignments' work. Refused with `no_proposal` (409) while nothing "
            "is proposed, `invalid_state` (409) once decided, and `duplicate` when a proposed resource is "
            "already on the task."
        ),
        tags=[TAG],
        request=RequestFulfilSerializer,
        responses={200: ResourceRequestSerializer, 409: NOTHING_PROPOSED},
    )
    @action(detail=True, methods=["post"])
    def fulfil(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = RequestFulfilSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        asked = self.get_object()
        services.resource_request_fulfil(actor=_actor(request), request=asked, **payload.validated_data)
        return self._respond(asked.pk)

    @extend_schema(
        summary=_("Decline the request, with the reason"),
        tags=[TAG],
        request=RequestDeclineSerializer,
        responses={200: ResourceRequestSerializer, 409: DECIDED},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = RequestDeclineSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        asked = self.get_object()
        services.resource_request_decline(actor=_actor(request), request=asked, **payload.validated_data)
        return self._respond(asked.pk)

    @extend_schema(
        summary=_("Cancel the request (the requester, or a planner of the project)"),
        tags=[TAG],
        request=RequestCancelSerializer,
        responses={200: ResourceRequestSerializer, 409: DECIDED},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = RequestCancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        asked = self.get_object()
        role = (
            ProjectMember.objects.for_organization(self.organization)
            .filter(project_id=asked.project_id, user_id=self.membership.user_id)
            .order_by()
            .values_list("role", flat=True)
            .first()
        )
        if not services.may_cancel(self.membership, role, asked):
            raise exceptions.PermissionDenied()
        services.resource_request_cancel(actor=_actor(request), request=asked, **payload.validated_data)
        return self._respond(asked.pk)
