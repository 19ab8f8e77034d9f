"""API of a risk's responses and their actions, under
``/api/v1/orgs/{org_slug}/projects/{project_id}/risks/{risk_id}/``.

The risk's owner plans and changes its responses and actions as risk managers do; an action's owner
updates their own action. Adding an action's cost to the draft budget is finance's write: it needs
the right to prepare budget versions.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from finance.models import BudgetVersion, CostCategory
from finance.permissions import FinanceAction
from pmo.api import inputs
from pmo.api.base import OrganizationRelatedField
from pmo.api.common import ID_PATTERN
from pmo.api.common import actor as _actor
from pmo.api.rows import RowBuilder, RowListMixin
from pmo.api.serializers import UserSummarySerializer
from pmo.models import Membership
from pmo.tenancy import resolve_membership
from projects.api.base import ProjectScopedMixin
from projects.api.serializers import OrganizationMemberField, ProjectElementField
from projects.models import Project, ProjectMember
from risks.models import ZERO, ActionStatus, ResponseAction, ResponseStrategy, Risk, RiskResponse
from risks.permissions import OwnerRule, RiskAction, may_update
from risks.services import responses as services

TAG = "risk responses"
MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}
RISK_ID = OpenApiParameter("risk_id", int, OpenApiParameter.PATH, description=_("The risk's id."))


class RiskResponseSerializer(inputs.ModelSerializer):
    created_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = RiskResponse
        fields = ["id", "risk", "strategy", "description", "created_by", "created_at"]
        read_only_fields = fields


RESPONSE_ROWS = RowBuilder(RiskResponseSerializer)


class ResponseActionSerializer(inputs.ModelSerializer):
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    budget_version = serializers.IntegerField(
        source="budget_line.version_id",
        read_only=True,
        allow_null=True,
        default=None,
        help_text=_("The budget version its cost was added to, if any."),
    )

    class Meta:
        model = ResponseAction
        fields = [
            "id",
            "response",
            "risk",
            "title",
            "owner",
            "due",
            "status",
            "cost",
            "budget_line",
            "budget_version",
            "done_at",
        ]
        read_only_fields = fields


ACTION_ROWS = RowBuilder(ResponseActionSerializer)


class ResponseWriteSerializer(inputs.Serializer):
    strategy = serializers.ChoiceField(
        choices=ResponseStrategy.choices,
        help_text=_(
            "Threats: avoid, mitigate, transfer, accept, escalate; opportunities: exploit, enhance, share, accept, "
            "escalate."
        ),
    )
    description = serializers.CharField()


class ResponseUpdateSerializer(ResponseWriteSerializer):
    strategy = serializers.ChoiceField(choices=ResponseStrategy.choices, required=False)
    description = serializers.CharField(required=False)


class RiskResponseField(serializers.PrimaryKeyRelatedField):
    """A response id of the URL's risk; others look nonexistent."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=RiskResponse.objects.all(), **kwargs)

    def get_queryset(self) -> QuerySet[RiskResponse]:
        risk = self.context["risk"]
        return RiskResponse.objects.for_organization(risk.organization_id).filter(risk=risk)


class ActionCreateSerializer(inputs.Serializer):
    response = RiskResponseField(help_text=_("The response of this risk the action carries out."))
    title = serializers.CharField(max_length=200)
    owner = OrganizationMemberField(required=False, allow_null=True, default=None)
    due = serializers.DateField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False, default=ActionStatus.PLANNED)
    cost = serializers.DecimalField(required=False, default=ZERO, min_value=ZERO, **MONEY)


class ActionUpdateSerializer(inputs.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    owner = OrganizationMemberField(required=False, allow_null=True)
    due = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=ActionStatus.choices, required=False, help_text=_("Done stamps `done_at`; leaving done clears it.")
    )
    cost = serializers.DecimalField(
        required=False, min_value=ZERO, help_text=_("Fixed once the cost is in a budget."), **MONEY
    )


class DraftVersionField(OrganizationRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=BudgetVersion.objects.all(), **kwargs)

    def get_queryset(self) -> QuerySet[BudgetVersion]:
        project = self.context.get("project")
        if project is None:
            return BudgetVersion.objects.none()
        return BudgetVersion.objects.for_organization(self.context["organization"]).filter(project=project)


class AddToBudgetSerializer(inputs.Serializer):
    version = DraftVersionField(
        required=False, allow_null=True, default=None, help_text=_("Empty: the project's latest draft version.")
    )
    category = OrganizationRelatedField(
        queryset=CostCategory.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_('Empty: the category "other" (else the first active one).'),
    )
    wbs_element = ProjectElementField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Empty: the risk's WBS element when it is linked to exactly one; else the whole project."),
    )


def project_role_of(project: Project, user_id: int) -> str | None:
    return (
        ProjectMember.objects.for_organization(project.organization_id)
        .filter(project=project, user_id=user_id)
        .order_by()
        .values_list("role", flat=True)
        .first()
    )


class RiskChildMixin(OwnerRule, ProjectScopedMixin):
    """Resolves ``risk_id``: a risk of the URL's project, or, under the organisation's routes, any risk of the
    organisation (with the user's role on its project, if it has one). Another organisation's risk is 404."""

    risk: Risk
    project: Project | None  # type: ignore[assignment]
    lookup_value_regex = ID_PATTERN
    read_action = RiskAction.RISK_VIEW
    # The risk's owner may write as risk managers do: each write checks ``may_update``.
    write_action = RiskAction.RISK_CONTRIBUTE

    def resolve_access(self, request: Any, **url_kwargs: Any) -> Membership:
        if "project_id" in url_kwargs:
            return super().resolve_access(request, **url_kwargs)
        self.project, self.project_role = None, None
        return resolve_membership(request, url_kwargs["org_slug"])

    def lock_scope(self) -> None:
        if self.project is not None:
            super().lock_scope()

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        risks = Risk.objects.for_organization(self.organization).filter(pk=url_kwargs["risk_id"])
        if "project_id" in url_kwargs:
            risks = risks.filter(project=self.project)
        risk = risks.select_related("organization", "project").first()
        if risk is None:
            raise Http404
        if "project_id" not in url_kwargs and risk.project is not None:
            self.project = risk.project
            self.project_role = project_role_of(risk.project, self.membership.user_id)
        risk.project = self.project
        self.risk = risk

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["risk"] = getattr(self, "risk", None)
        return context

    def may_respond(self, *owners: int | None) -> None:
        """The risk's owner (or one of ``owners``) with the contributor's right, or a risk manager."""
        candidates = (self.risk.owner_id, *owners)
        if not any(
            may_update(self.membership, self.project_role, owner, RiskAction.RISK_MANAGE) for owner in candidates
        ):
            raise exceptions.PermissionDenied()


@extend_schema_view(
    list=extend_schema(summary=_("List a risk's responses"), tags=[TAG], parameters=[RISK_ID]),
    retrieve=extend_schema(summary=_("Show a response"), tags=[TAG], parameters=[RISK_ID]),
    create=extend_schema(
        summary=_("Plan a response; the first one moves an assessed risk to responding"),
        tags=[TAG],
        parameters=[RISK_ID],
        request=ResponseWriteSerializer,
        responses={201: RiskResponseSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change a response's strategy or description"),
        tags=[TAG],
        parameters=[RISK_ID],
        request=ResponseUpdateSerializer,
        responses={200: RiskResponseSerializer},
    ),
    destroy=extend_schema(
        summary=_("Remove a response and its actions; a responding risk left without one is assessed again"),
        tags=[TAG],
        parameters=[RISK_ID],
    ),
)
class RiskResponseViewSet(
    RiskChildMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("A risk's planned responses: the strategy and what it does.")

    serializer_class = RiskResponseSerializer
    row_builder = RESPONSE_ROWS
    queryset = RiskResponse.objects.all()
    filterset_fields = ["strategy"]
    ordering_fields = ["id", "created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[RiskResponse]:
        return (
            RiskResponse.objects.for_organization(self.organization)
            .filter(risk=self.risk)
            .select_related("created_by")
            .order_by("id")
        )

    def _respond(self, response: RiskResponse, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(RiskResponseSerializer(self.get_queryset().get(pk=response.pk)).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.may_respond()
        payload = ResponseWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        response = services.response_add(actor=_actor(request), risk=self.risk, **payload.validated_data)
        return self._respond(response, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.may_respond()
        payload = ResponseUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        response = services.response_update(actor=_actor(request), response=self.get_object(), **payload.validated_data)
        return self._respond(response)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.may_respond()
        services.response_remove(actor=_actor(request), response=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary=_("List the actions of a risk's responses"), tags=[TAG], parameters=[RISK_ID]),
    retrieve=extend_schema(summary=_("Show a response action"), tags=[TAG], parameters=[RISK_ID]),
    create=extend_schema(
        summary=_("Add an action to one of the risk's responses"),
        tags=[TAG],
        parameters=[RISK_ID],
        request=ActionCreateSerializer,
        responses={201: ResponseActionSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Update an action (its owner may, as may the risk's owner and risk managers)"),
        tags=[TAG],
        parameters=[RISK_ID],
        request=ActionUpdateSerializer,
        responses={200: ResponseActionSerializer},
    ),
)
class ResponseActionViewSet(
    RiskChildMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("The actions that carry out a risk's responses: owner, due date, status and cost.")

    serializer_class = ResponseActionSerializer
    row_builder = ACTION_ROWS
    queryset = ResponseAction.objects.all()
    filterset_fields = ["response", "status"]
    ordering_fields = ["due", "id", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_permissions = {"add_to_budget": FinanceAction.BUDGET_EDIT}

    def get_queryset(self) -> QuerySet[ResponseAction]:
        return (
            ResponseAction.objects.for_organization(self.organization)
            .filter(risk=self.risk)
            .select_related("owner", "budget_line")
            .order_by("response_id", "due", "id")
        )

    def _respond(self, action: ResponseAction, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(ResponseActionSerializer(self.get_queryset().get(pk=action.pk)).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.may_respond()
        payload = ActionCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        action = services.action_add(actor=_actor(request), **payload.validated_data)
        return self._respond(action, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        action: ResponseAction = self.get_object()
        self.may_respond(action.owner_id)
        payload = ActionUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        action = services.action_update(actor=_actor(request), action=action, **payload.validated_data)
        return self._respond(action)

    @extend_schema(
        summary=_("Add the action's cost as a line of the project's draft budget version (once)"),
        description=_(
            "Refused with `no_draft_budget` when the project has no draft version (open one first), "
            "`already_budgeted` when the cost is already a line, `no_cost` when the action has none."
        ),
        tags=[TAG],
        parameters=[RISK_ID],
        request=AddToBudgetSerializer,
        responses={200: ResponseActionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="add-to-budget")
    def add_to_budget(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = AddToBudgetSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        action = services.action_add_to_budget(
            actor=_actor(request), action=self.get_object(), **payload.validated_data
        )
        return self._respond(action)
