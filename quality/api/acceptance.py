"""API of a project's acceptance, under ``/api/v1/orgs/{org_slug}/projects/{project_id}/``.

``deliverables/`` lists, flags, shows, edits (criteria and inspections) and unflags deliverables and
signs their acceptance; ``deliverables/{deliverable_id}/conditions/{id}/close/`` closes a condition;
``satisfaction/`` reads and writes the project's customer satisfaction survey.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.api import inputs
from pmo.api.common import ID_PATTERN
from pmo.api.common import actor as _actor
from pmo.api.rows import RowBuilder, RowListMixin
from pmo.api.serializers import UserSummarySerializer
from pmo.concurrency import row_version
from projects.api.base import ProjectScopedMixin
from projects.api.serializers import ProjectElementField
from quality.models import (
    AcceptanceCondition,
    AcceptanceDecision,
    AcceptanceStatus,
    Deliverable,
    Inspection,
    SatisfactionSurvey,
)
from quality.permissions import QualityAction
from quality.services import acceptance as services

TAG = "acceptance"
DELIVERABLE_ID = OpenApiParameter("deliverable_id", int, OpenApiParameter.PATH, description=_("The deliverable's id."))
DECISION_CHOICES = [(value, label) for value, label in AcceptanceStatus.choices if value != AcceptanceStatus.PENDING]


class DeliverableSerializer(inputs.ModelSerializer):
    wbs_code = serializers.CharField(source="wbs_element.code", read_only=True, help_text=_("The WBS code, 1.2.3."))
    wbs_name = serializers.CharField(source="wbs_element.name", read_only=True)
    decided_by = UserSummarySerializer(read_only=True, allow_null=True)
    open_conditions = serializers.IntegerField(
        read_only=True, help_text=_("Conditions of its acceptance not yet closed.")
    )

    class Meta:
        model = Deliverable
        fields = [
            "id",
            "project",
            "wbs_element",
            "wbs_code",
            "wbs_name",
            "criteria",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "non_conformance",
            "open_conditions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


DELIVERABLE_ROWS = RowBuilder(DeliverableSerializer)


class AcceptanceDecisionSerializer(inputs.ModelSerializer):
    signed_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = AcceptanceDecision
        fields = ["id", "status", "note", "signer_role", "signed_by", "signed_at"]
        read_only_fields = fields


class AcceptanceConditionSerializer(inputs.ModelSerializer):
    closed_by = UserSummarySerializer(read_only=True, allow_null=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = AcceptanceCondition
        fields = ["id", "deliverable", "text", "due_date", "is_open", "closed_on", "closed_by", "closing_note"]
        read_only_fields = fields


class DeliverableInspectionSerializer(inputs.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text=_("I-001, I-002… per project."))

    class Meta:
        model = Inspection
        fields = ["id", "code", "status", "outcome", "inspected_on"]
        read_only_fields = fields


class DeliverableDetailSerializer(DeliverableSerializer):
    inspections = DeliverableInspectionSerializer(many=True, read_only=True)
    decisions = AcceptanceDecisionSerializer(many=True, read_only=True, help_text=_("Every sign-off, newest first."))
    conditions = AcceptanceConditionSerializer(many=True, read_only=True)

    class Meta(DeliverableSerializer.Meta):
        fields = [*DeliverableSerializer.Meta.fields, "inspections", "decisions", "conditions"]
        read_only_fields = fields


class ProjectInspectionField(serializers.PrimaryKeyRelatedField):
    """An inspection id of the URL's project; others look nonexistent."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Inspection.objects.all(), **kwargs)

    def get_queryset(self) -> QuerySet[Inspection]:
        project = self.context["project"]
        return Inspection.objects.for_organization(project.organization_id).filter(project=project)


class DeliverableCreateSerializer(inputs.Serializer):
    wbs_element = ProjectElementField(help_text=_("The WBS element of the project that becomes a deliverable."))
    criteria = serializers.CharField(required=False, allow_blank=True, default="")
    inspections = ProjectInspectionField(
        many=True, required=False, default=list, help_text=_("Inspections of the project it relies on.")
    )


class DeliverableUpdateSerializer(inputs.Serializer):
    criteria = serializers.CharField(required=False, allow_blank=True)
    inspections = ProjectInspectionField(
        many=True, required=False, help_text=_("Inspections of the project it relies on; replaces the list.")
    )


class ConditionInputSerializer(inputs.Serializer):
    text = serializers.CharField(max_length=2000)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class AcceptanceSignSerializer(inputs.Serializer):
    decision = serializers.ChoiceField(choices=DECISION_CHOICES)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Reasons (required when rejecting) or remarks.")
    )
    conditions = ConditionInputSerializer(
        many=True,
        required=False,
        default=list,
        help_text=_("At least one when accepting with conditions; none otherwise."),
    )


class ConditionCloseSerializer(inputs.Serializer):
    note = serializers.CharField(help_text=_("How the condition was met."))


@extend_schema_view(
    list=extend_schema(summary=_("List the project's deliverables and their acceptance"), tags=[TAG]),
    retrieve=extend_schema(
        summary=_("Show a deliverable: criteria, inspections, decisions and conditions"),
        tags=[TAG],
        responses={200: DeliverableDetailSerializer},
    ),
    create=extend_schema(
        summary=_("Flag a WBS element of the project as a deliverable"),
        tags=[TAG],
        request=DeliverableCreateSerializer,
        responses={201: DeliverableDetailSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change a deliverable's criteria or the inspections it relies on (until it is accepted)"),
        tags=[TAG],
        request=DeliverableUpdateSerializer,
        responses={200: DeliverableDetailSerializer},
    ),
    destroy=extend_schema(summary=_("Take the deliverable flag off (refused once it has been signed)"), tags=[TAG]),
)
class DeliverableViewSet(
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _(
        "WBS elements the project manager flagged as deliverables, each with its acceptance record: criteria, "
        "the inspections it relies on, and the sign-off of the client representative or the quality role."
    )
    serializer_class = DeliverableSerializer
    row_builder = DELIVERABLE_ROWS
    queryset = Deliverable.objects.all()
    read_action = QualityAction.QUALITY_VIEW
    write_action = QualityAction.PLAN_MANAGE
    action_permissions: ClassVar[dict[str, str]] = {"sign": QualityAction.ACCEPTANCE_SIGN}
    ordering_fields = ["id", "status", "decided_at"]
    ordering = ["wbs_element__sort_key"]
    search_fields: list[str] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Deliverable]:
        return (
            Deliverable.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("wbs_element", "decided_by")
            .annotate(open_conditions=Count("conditions", filter=Q(conditions__closed_on__isnull=True)))
            .order_by("wbs_element__sort_key")
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return DeliverableSerializer if self.action == "list" else DeliverableDetailSerializer

    def _detail(self, pk: int) -> Deliverable:
        organization = self.organization
        deliverable = self.get_queryset().get(pk=pk)
        deliverable.project = self.project
        deliverable.inspections_list = list(  # type: ignore[attr-defined]
            Inspection.objects.for_organization(organization).filter(deliverables=deliverable).order_by("number")
        )
        return deliverable

    def _respond(self, deliverable: Deliverable, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self._data(self._detail(deliverable.pk)), status=status_code)

    def _data(self, deliverable: Deliverable) -> Any:
        organization = self.organization
        data = dict(DeliverableSerializer(deliverable).data)
        data["inspections"] = DeliverableInspectionSerializer(deliverable.inspections_list, many=True).data  # type: ignore[attr-defined]
        data["decisions"] = AcceptanceDecisionSerializer(
            AcceptanceDecision.objects.for_organization(organization)
            .filter(deliverable=deliverable)
            .select_related("signed_by")
            .order_by("-signed_at", "-id"),
            many=True,
        ).data
        data["conditions"] = AcceptanceConditionSerializer(
            AcceptanceCondition.objects.for_organization(organization)
            .filter(deliverable=deliverable)
            .select_related("closed_by")
            .order_by("id"),
            many=True,
        ).data
        return data

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        deliverable = self.get_object()
        return Response(self._data(self._detail(deliverable.pk)))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = DeliverableCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        deliverable = services.deliverable_flag(
            actor=_actor(request),
            project=self.project,
            wbs_element=payload.validated_data["wbs_element"],
            criteria=payload.validated_data["criteria"],
            inspections=list(payload.validated_data["inspections"]),
        )
        return self._respond(deliverable, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        deliverable = self.get_object()
        payload = DeliverableUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        if "inspections" in fields:
            fields["inspections"] = list(fields["inspections"])
        deliverable = services.deliverable_update(actor=_actor(request), deliverable=deliverable, **fields)
        return self._respond(deliverable)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not kwargs.get("partial"):
            raise exceptions.MethodNotAllowed(request.method or "PUT")
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.deliverable_unflag(actor=_actor(request), deliverable=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("Sign a deliverable's acceptance: accepted, accepted with conditions, or rejected"),
        description=_(
            "The client representative of the project or the quality role signs. Accepting with conditions "
            "needs at least one condition; rejecting needs the reasons and opens a major non-conformance linked "
            "on the deliverable. A rejected deliverable is signed again once that non-conformance is closed "
            "(`rejection_open` before); every decision is kept."
        ),
        tags=[TAG],
        request=AcceptanceSignSerializer,
        responses={200: DeliverableDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        deliverable = self.get_object()
        payload = AcceptanceSignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        deliverable = services.deliverable_sign(
            actor=_actor(request),
            deliverable=deliverable,
            decision=data["decision"],
            note=data["note"],
            conditions=[dict(condition) for condition in data["conditions"]],
        )
        return self._respond(deliverable)


class ConditionCloseView(ProjectScopedMixin, generics.GenericAPIView):
    """``POST …/deliverables/{deliverable_id}/conditions/{id}/close/``."""

    schema_description = _("A condition of an acceptance, closed with a note on how it was met.")
    serializer_class = ConditionCloseSerializer
    queryset = AcceptanceCondition.objects.all()
    # The signer closes the conditions they set; otherwise the quality role or the project's managers.
    write_action = QualityAction.QUALITY_VIEW

    @classmethod
    def unowned_action(cls, method: str, viewset_action: str | None = None) -> str | None:
        """What a member who signed nothing needs (``tests/pmo/test_policy.py``)."""
        return QualityAction.PLAN_MANAGE if method.upper() == "POST" else cls.required_action(method, viewset_action)

    @extend_schema(
        summary=_("Close a condition of an acceptance, saying how it was met"),
        description=_("The quality role, the project's managers or whoever signed the acceptance close it."),
        tags=[TAG],
        parameters=[DELIVERABLE_ID],
        request=ConditionCloseSerializer,
        responses={200: AcceptanceConditionSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        condition = get_object_or_404(
            AcceptanceCondition.objects.for_organization(self.organization)
            .filter(deliverable__project=self.project, deliverable_id=kwargs["deliverable_id"])
            .select_related("deliverable"),
            pk=kwargs["pk"],
        )
        signer_id = (
            AcceptanceDecision.objects.for_organization(self.organization)
            .filter(deliverable_id=condition.deliverable_id, status=AcceptanceStatus.CONDITIONAL)
            .order_by("-signed_at", "-id")
            .values_list("signed_by_id", flat=True)
            .first()
        )
        if not services.may_close_condition(self.membership, self.project_role, _actor(request), signer_id):
            raise exceptions.PermissionDenied()
        payload = ConditionCloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        condition = services.condition_close(actor=_actor(request), condition=condition, **payload.validated_data)
        condition = (
            AcceptanceCondition.objects.for_organization(self.organization)
            .select_related("closed_by")
            .get(pk=condition.pk)
        )
        return Response(AcceptanceConditionSerializer(condition).data)


class SatisfactionSurveySerializer(inputs.Serializer):
    project = serializers.IntegerField(source="project_id", read_only=True)
    entered = serializers.BooleanField(read_only=True, help_text=_("False until the survey is first entered."))
    quality = serializers.IntegerField(read_only=True, allow_null=True)
    schedule = serializers.IntegerField(read_only=True, allow_null=True)
    communication = serializers.IntegerField(read_only=True, allow_null=True)
    service = serializers.IntegerField(read_only=True, allow_null=True)
    average = serializers.DecimalField(max_digits=3, decimal_places=2, read_only=True, allow_null=True)
    comments = serializers.CharField(read_only=True)
    respondent = serializers.CharField(read_only=True)
    on_behalf = serializers.BooleanField(
        read_only=True, help_text=_("Entered by someone else than the client representative, on their behalf.")
    )
    entered_by = UserSummarySerializer(read_only=True, allow_null=True)
    entered_at = serializers.DateTimeField(read_only=True, allow_null=True)


class SatisfactionSurveyInputSerializer(inputs.Serializer):
    quality = serializers.IntegerField(min_value=1, max_value=5)
    schedule = serializers.IntegerField(min_value=1, max_value=5)
    communication = serializers.IntegerField(min_value=1, max_value=5)
    service = serializers.IntegerField(min_value=1, max_value=5)
    comments = serializers.CharField(required=False, allow_blank=True, default="")
    respondent = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text=_("Who answered for the client, when entered on their behalf."),
    )


class SatisfactionView(ProjectScopedMixin, generics.GenericAPIView):
    """``GET/PUT …/satisfaction/``: the project's one survey."""

    schema_description = _(
        "The customer's satisfaction at closing: 1 to 5 on quality, schedule, communication and service, "
        "with comments; one per project, entered by the client representative or on their behalf."
    )
    serializer_class = SatisfactionSurveySerializer
    read_action = QualityAction.QUALITY_VIEW
    write_action = QualityAction.SURVEY_ENTER
    versioned_as_setting = True
    http_method_names = ["get", "put", "head", "options"]

    def survey(self) -> SatisfactionSurvey | None:
        return (
            SatisfactionSurvey.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("entered_by")
            .first()
        )

    def setting_version(self) -> str:
        survey = SatisfactionSurvey.objects.for_organization(self.organization).filter(project=self.project).first()
        return row_version(survey) if survey is not None else "none"

    def _data(self, survey: SatisfactionSurvey | None) -> Any:
        if survey is None:
            blank: dict[str, Any] = {
                "project_id": self.project.pk,
                "entered": False,
                "comments": "",
                "respondent": "",
                "on_behalf": False,
            }
            for name in (*services.SCORES, "average", "entered_by", "entered_at"):
                blank[name] = None
            return SatisfactionSurveySerializer(blank).data
        survey.entered = True  # type: ignore[attr-defined]
        return SatisfactionSurveySerializer(survey).data

    @extend_schema(summary=_("Show the project's customer satisfaction survey"), tags=[TAG])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._data(self.survey()))

    @extend_schema(
        summary=_("Enter or change the project's customer satisfaction survey"),
        description=_(
            "Scores from 1 to 5. Entered by anyone other than the project's client representative, it is "
            "marked as entered on the client's behalf. Send `If-Match` with the ETag read to change it safely."
        ),
        tags=[TAG],
        request=SatisfactionSurveyInputSerializer,
        responses={200: SatisfactionSurveySerializer},
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = SatisfactionSurveyInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.survey_save(actor=_actor(request), project=self.project, **payload.validated_data)
        return Response(self._data(self.survey()))
