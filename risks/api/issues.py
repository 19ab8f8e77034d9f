"""API of a project's issues log, under ``/api/v1/orgs/{org_slug}/projects/{project_id}/``.

``issues/`` lists (filters: status, severity, owner, overdue, text), raises, edits, resolves, closes
and reopens issues and opens a change request from one; ``risks/{risk_id}/occurred/`` turns an open
risk into its issue.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.api import inputs
from pmo.api.common import ID_PATTERN
from pmo.api.common import actor as _actor
from pmo.api.rows import Computed, RowBuilder, RowListMixin
from pmo.api.serializers import UserSummarySerializer
from projects.api.base import ProjectScopedMixin
from projects.api.control import ChangeRequestSerializer
from projects.api.serializers import OrganizationMemberField, ProjectElementField
from projects.models import ChangeRequest
from projects.permissions import ProjectAction
from risks.api.responses import RISK_ID, RiskChildMixin
from risks.issue_forms import IssueFilter
from risks.models import Issue, IssueSeverity, IssueStatus, risk_code
from risks.permissions import OwnerRule, RiskAction, may_update
from risks.services import issues as services

TAG = "issues"
MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}


def issue_code(number: int) -> str:
    return f"I-{number:03d}"


class IssueSerializer(inputs.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text=_("I-001, I-002… per project."))
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    raised_by = UserSummarySerializer(read_only=True)
    risk_code = serializers.SerializerMethodField(help_text=_("The code of the risk it came from, if any."))
    change_request_number = serializers.IntegerField(
        source="change_request.number",
        read_only=True,
        allow_null=True,
        default=None,
        help_text=_("The number of the change request it opened (CR-n), if any."),
    )
    change_request_status = serializers.ChoiceField(
        source="change_request.status",
        choices=ChangeRequest.Status.choices,
        read_only=True,
        allow_null=True,
        default=None,
    )

    class Meta:
        model = Issue
        fields = [
            "id",
            "code",
            "number",
            "project",
            "title",
            "description",
            "severity",
            "status",
            "owner",
            "due",
            "resolution",
            "risk",
            "risk_code",
            "change_request",
            "change_request_number",
            "change_request_status",
            "raised_by",
            "raised_at",
            "resolved_at",
        ]
        read_only_fields = fields

    def get_risk_code(self, issue: Issue) -> str | None:
        return issue.risk.code if issue.risk is not None else None


ISSUE_ROWS = RowBuilder(
    IssueSerializer,
    computed={
        "code": Computed(("number",), lambda row: issue_code(row["number"])),
        "risk_code": Computed(
            ("risk__number",), lambda row: risk_code(row["risk__number"]) if row["risk__number"] is not None else None
        ),
    },
)


class IssueCreateSerializer(inputs.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    severity = serializers.ChoiceField(choices=IssueSeverity.choices, required=False, default=IssueSeverity.MEDIUM)
    owner = OrganizationMemberField(required=False, allow_null=True, default=None)
    due = serializers.DateField(required=False, allow_null=True, default=None)


class IssueUpdateSerializer(inputs.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=IssueSeverity.choices, required=False)
    status = serializers.ChoiceField(
        choices=[IssueStatus.OPEN, IssueStatus.IN_PROGRESS],
        required=False,
        help_text=_("Open or in progress; resolve, close and reopen have their own actions."),
    )
    owner = OrganizationMemberField(required=False, allow_null=True)
    due = serializers.DateField(required=False, allow_null=True)


class ResolveSerializer(inputs.Serializer):
    resolution = serializers.CharField(help_text=_("How the issue was resolved."))


class CloseSerializer(inputs.Serializer):
    resolution = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Needed when the issue was never resolved.")
    )


class ReopenSerializer(inputs.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class IssueChangeRequestSerializer(inputs.Serializer):
    kind = serializers.ChoiceField(choices=ChangeRequest.Kind.choices)
    title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=_("Empty: the issue's code and title.")
    )
    description = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Empty: the issue's description.")
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Empty: the issue, its severity and title.")
    )
    impact_days = serializers.IntegerField(required=False, default=0, min_value=-100_000, max_value=100_000)
    impact_cost = serializers.DecimalField(required=False, default=Decimal("0"), **MONEY)
    affected = ProjectElementField(
        many=True, required=False, help_text=_("Empty: the WBS elements of the risk the issue came from.")
    )


class OccurredSerializer(inputs.Serializer):
    severity = serializers.ChoiceField(choices=IssueSeverity.choices)
    owner = OrganizationMemberField(
        required=False, allow_null=True, default=None, help_text=_("Empty: the risk's owner.")
    )
    due = serializers.DateField(required=False, allow_null=True, default=None)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Empty: the risk's event and effect.")
    )


@extend_schema_view(
    list=extend_schema(summary=_("List the project's issues"), tags=[TAG]),
    retrieve=extend_schema(summary=_("Show an issue"), tags=[TAG]),
    create=extend_schema(
        summary=_("Raise an issue (numbered I-001, I-002… per project)"),
        tags=[TAG],
        request=IssueCreateSerializer,
        responses={201: IssueSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change an issue (its owner may, as may issue managers)"),
        tags=[TAG],
        request=IssueUpdateSerializer,
        responses={200: IssueSerializer},
    ),
)
class IssueViewSet(
    OwnerRule,
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("The project's issues log: raised directly or from an occurred risk, then resolved.")

    serializer_class = IssueSerializer
    row_builder = ISSUE_ROWS
    queryset = Issue.objects.all()
    read_action = RiskAction.RISK_VIEW
    # Owners change their own issues: the view checks ``may_update`` on the issue.
    write_action = RiskAction.RISK_CONTRIBUTE
    manage_action = RiskAction.ISSUE_MANAGE
    action_permissions = {
        "create": RiskAction.ISSUE_MANAGE,
        "close": RiskAction.ISSUE_MANAGE,
        "reopen": RiskAction.ISSUE_MANAGE,
        "change_request": ProjectAction.CHANGE_REQUEST_CREATE,
    }
    filterset_class = IssueFilter
    ordering_fields = ["number", "due", "raised_at", "severity", "status"]
    ordering = ["-number"]
    search_fields: list[str] = []
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Issue]:
        return (
            Issue.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("owner", "raised_by", "risk", "change_request")
            .order_by("-number")
        )

    def _respond(self, issue: Issue, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(IssueSerializer(self.get_queryset().get(pk=issue.pk)).data, status=status_code)

    def _owned(self) -> Issue:
        issue: Issue = self.get_object()
        if not may_update(self.membership, self.project_role, issue.owner_id, RiskAction.ISSUE_MANAGE):
            raise exceptions.PermissionDenied()
        return issue

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = IssueCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        issue = services.issue_raise(actor=_actor(request), project=self.project, **payload.validated_data)
        return self._respond(issue, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        issue = self._owned()
        payload = IssueUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        issue = services.issue_update(actor=_actor(request), issue=issue, **payload.validated_data)
        return self._respond(issue)

    @extend_schema(
        summary=_("Resolve an open issue, saying how (its owner may, as may issue managers)"),
        tags=[TAG],
        request=ResolveSerializer,
        responses={200: IssueSerializer},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        issue = self._owned()
        payload = ResolveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        issue = services.issue_resolve(actor=_actor(request), issue=issue, **payload.validated_data)
        return self._respond(issue)

    @extend_schema(
        summary=_("Close an issue; one never resolved needs its resolution"),
        tags=[TAG],
        request=CloseSerializer,
        responses={200: IssueSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = CloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        issue = services.issue_close(actor=_actor(request), issue=self.get_object(), **payload.validated_data)
        return self._respond(issue)

    @extend_schema(
        summary=_("Reopen a resolved or closed issue"),
        tags=[TAG],
        request=ReopenSerializer,
        responses={200: IssueSerializer},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ReopenSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        issue = services.issue_reopen(actor=_actor(request), issue=self.get_object(), **payload.validated_data)
        return self._respond(issue)

    @extend_schema(
        summary=_("Open a draft change request prefilled from the issue, linked to it"),
        description=_(
            "Fields left out are taken from the issue. Refused (`change_request_open`) while the change "
            "request the issue already opened is a draft, submitted or approved."
        ),
        tags=[TAG],
        request=IssueChangeRequestSerializer,
        responses={201: ChangeRequestSerializer},
    )
    @action(detail=True, methods=["post"], url_path="change-request")
    def change_request(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = IssueChangeRequestSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        if "affected" in fields:
            fields["affected"] = list(fields["affected"])
        change = services.issue_open_change_request(actor=_actor(request), issue=self.get_object(), **fields)
        change = (
            ChangeRequest.objects.for_organization(self.organization).select_related("requested_by").get(pk=change.pk)
        )
        return Response(ChangeRequestSerializer(change).data, status=status.HTTP_201_CREATED)


class RiskOccurredView(RiskChildMixin, generics.GenericAPIView):
    """``POST …/risks/{risk_id}/occurred/``: the risk happened; it becomes an issue of the project."""

    schema_description = _("An open risk that happened becomes one issue of its project, linked to it.")
    serializer_class = OccurredSerializer
    write_action = RiskAction.RISK_MANAGE

    @extend_schema(
        summary=_("Record that a risk occurred: it becomes an issue linked to it"),
        description=_(
            "The risk becomes `occurred` (out of the exposure, its history kept with an entry naming the issue) "
            "and one issue is raised with the risk's title. A closed risk, or one that already occurred, is refused."
        ),
        tags=[TAG],
        parameters=[RISK_ID],
        request=OccurredSerializer,
        responses={201: IssueSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = OccurredSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        issue = services.risk_occurred(actor=_actor(request), risk=self.risk, **payload.validated_data)
        issue = (
            Issue.objects.for_organization(self.organization)
            .select_related("owner", "raised_by", "risk", "change_request")
            .get(pk=issue.pk)
        )
        return Response(IssueSerializer(issue).data, status=status.HTTP_201_CREATED)
