"""API of status reports and change requests, under ``/api/v1/orgs/{org_slug}/projects/{project_id}/``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.api import inputs
from pmo.api.base import OrganizationRelatedField
from pmo.api.rows import Computed, RowBuilder, RowListMixin
from pmo.api.serializers import UserSummarySerializer
from pmo.models import User
from pmo.pdf import PDF, PdfRenderer, pdf_response
from projects import reports
from projects.api.base import ProjectScopedMixin
from projects.control_forms import ChangeRequestFilter, StatusReportFilter
from projects.models import Baseline, ChangeRequest, ChangeRequestElement, Rag, StatusReport, WbsElement
from projects.permissions import ProjectAction
from projects.services import control

# --- status reports ---------------------------------------------------------------------


class MilestoneSlipSerializer(inputs.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    baseline_date = serializers.DateField()
    planned_date = serializers.DateField(allow_null=True)
    slip_days = serializers.IntegerField(allow_null=True, help_text=_("Working days later than the baseline."))
    done = serializers.BooleanField()


class BaselineRefSerializer(inputs.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OpenChangeCountsSerializer(inputs.Serializer):
    draft = serializers.IntegerField()
    submitted = serializers.IntegerField()
    approved = serializers.IntegerField()
    open = serializers.IntegerField(help_text=_("Draft, submitted and approved but not yet implemented."))


class ComputedRagReasonSerializer(inputs.Serializer):
    code = serializers.ChoiceField(
        choices=["safety_veto", "spi", "cpi", "red_alerts", "amber_alerts", "milestone", "no_baseline"],
        help_text=_("The index, the open alerts, the latest milestone, or no baseline."),
    )
    rag = serializers.CharField(help_text=_("red or amber; unknown for no_baseline."))
    value = serializers.CharField(help_text=_("The index, the number of alerts, or the days late."))


class ComputedRagFigureSerializer(inputs.Serializer):
    rag = serializers.CharField(help_text=_("green, amber or red; unknown without a current baseline."))
    as_of = serializers.DateField()
    reasons = ComputedRagReasonSerializer(many=True)


class StatusReportFiguresSerializer(inputs.Serializer):
    schema_description = _("Figures computed when the draft was created; they do not change afterwards.")

    period_end = serializers.DateField()
    computed_at = serializers.DateTimeField()
    baseline = BaselineRefSerializer(allow_null=True, help_text=_("The current baseline the plan is measured against."))
    weighting = serializers.ChoiceField(
        choices=["cost", "duration"], help_text=_("Tasks weigh by budget, or by duration when nothing is costed.")
    )
    planned_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        help_text=_("Share of the baseline scheduled to be done by the period end; null without a baseline."),
    )
    actual_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text=_("The project's roll-up of task progress.")
    )
    variance_points = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text=_("Actual minus planned, in percentage points.")
    )
    slipped_milestones = MilestoneSlipSerializer(many=True)
    change_requests = OpenChangeCountsSerializer()
    spi = serializers.DecimalField(max_digits=10, decimal_places=4, allow_null=True)
    cpi = serializers.DecimalField(max_digits=10, decimal_places=4, allow_null=True)
    evm_note = serializers.CharField()


class StatusReportSerializer(inputs.ModelSerializer):
    author = UserSummarySerializer(read_only=True)
    reviewed_by = UserSummarySerializer(read_only=True, allow_null=True)
    returned_by = UserSummarySerializer(
        read_only=True, allow_null=True, help_text=_("Who in the PMO office last returned the report to its author.")
    )
    figures = serializers.SerializerMethodField()
    computed_rag = serializers.SerializerMethodField(
        help_text=_(
            "The project's computed RAG (the dashboard's rule) for the week, worked out when the draft was made and "
            "again on submission: an overall rating that differs needs a justification. Null for a report made "
            "without figures and never submitted."
        )
    )

    class Meta:
        model = StatusReport
        fields = [
            "id",
            "project",
            "period_end",
            "status",
            *control.RAG_FIELDS,
            *control.NARRATIVE_FIELDS,
            "rag_override_justification",
            "computed_rag",
            "figures",
            "author",
            "created_at",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "returned_by",
            "returned_at",
            "return_comment",
        ]
        read_only_fields = fields

    @extend_schema_field(StatusReportFiguresSerializer(allow_null=True))
    def get_figures(self, report: StatusReport) -> dict[str, Any] | None:
        """Null for a report made without figures (by an import, say)."""
        figures = {key: value for key, value in (report.figures or {}).items() if key != "computed_rag"}
        if not figures:
            return None
        return StatusReportFiguresSerializer(figures).data

    @extend_schema_field(ComputedRagFigureSerializer(allow_null=True))
    def get_computed_rag(self, report: StatusReport) -> dict[str, Any] | None:
        computed = (report.figures or {}).get("computed_rag")
        return None if computed is None else ComputedRagFigureSerializer(computed).data


STATUS_REPORT_ROWS = RowBuilder(
    StatusReportSerializer,
    computed={
        "figures": Computed.method(StatusReportSerializer, "figures", "figures"),
        "computed_rag": Computed.method(StatusReportSerializer, "computed_rag", "figures"),
    },
)


class StatusReportCreateSerializer(inputs.Serializer):
    period_end = serializers.DateField(
        help_text=_("Any day of the week to report on; the report is dated the week's last working day.")
    )


class StatusReportUpdateSerializer(inputs.Serializer):
    rag_schedule = serializers.ChoiceField(choices=Rag.choices, required=False)
    rag_cost = serializers.ChoiceField(choices=Rag.choices, required=False)
    rag_scope = serializers.ChoiceField(choices=Rag.choices, required=False)
    rag_quality = serializers.ChoiceField(choices=Rag.choices, required=False)
    rag_risk = serializers.ChoiceField(choices=Rag.choices, required=False)
    rag_overall = serializers.ChoiceField(choices=Rag.choices, required=False)
    accomplishments = serializers.CharField(required=False, allow_blank=True)
    next_steps = serializers.CharField(required=False, allow_blank=True)
    issues = serializers.CharField(required=False, allow_blank=True)
    decisions_needed = serializers.CharField(required=False, allow_blank=True)
    rag_override_justification = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Why the overall rating differs from the computed RAG; needed to submit when it does."),
    )


# Submitting takes no input; the body is an empty JSON object.
EMPTY_BODY = {"application/json": OpenApiTypes.OBJECT}


class CommentSerializer(inputs.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(inputs.Serializer):
    comment = serializers.CharField(help_text=_("What the author should change before submitting again."))


class RejectSerializer(inputs.Serializer):
    comment = serializers.CharField(help_text=_("Why the change is rejected."))


class ImplementSerializer(inputs.Serializer):
    create_baseline = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_('Freeze the plan as a new current baseline named "CR-<number> <title>", linked to the change.'),
    )


TAG_REPORTS = "status reports"
TAG_CHANGES = "change requests"


@extend_schema_view(
    list=extend_schema(summary=_("List the project's status reports"), tags=[TAG_REPORTS]),
    retrieve=extend_schema(summary=_("Show a status report"), tags=[TAG_REPORTS]),
    create=extend_schema(
        summary=_("Start the draft report of a week, pre-filled with its figures"),
        tags=[TAG_REPORTS],
        request=StatusReportCreateSerializer,
        responses={201: StatusReportSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change the RAG ratings or narrative of a draft"),
        tags=[TAG_REPORTS],
        request=StatusReportUpdateSerializer,
        responses={200: StatusReportSerializer},
    ),
)
class StatusReportViewSet(
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("Weekly status reports of one project: draft → submitted → reviewed.")

    serializer_class = StatusReportSerializer
    row_builder = STATUS_REPORT_ROWS
    queryset = StatusReport.objects.all()
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.STATUS_REPORT_WRITE
    action_permissions = {
        "submit": ProjectAction.STATUS_REPORT_WRITE,
        "review": ProjectAction.STATUS_REPORT_REVIEW,
        "send_back": ProjectAction.STATUS_REPORT_REVIEW,
    }
    filterset_class = StatusReportFilter
    ordering_fields = ["period_end", "created_at"]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[StatusReport]:
        return (
            StatusReport.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("author", "reviewed_by", "returned_by")
            .order_by("-period_end")
        )

    def _respond(self, report: StatusReport, status_code: int = status.HTTP_200_OK) -> Response:
        report = self.get_queryset().get(pk=report.pk)
        return Response(StatusReportSerializer(report).data, status=status_code)

    @property
    def _actor(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = StatusReportCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = control.status_report_create(actor=self._actor, project=self.project, **payload.validated_data)
        return self._respond(report, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = StatusReportUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = control.status_report_update(actor=self._actor, report=self.get_object(), **payload.validated_data)
        return self._respond(report)

    @extend_schema(
        summary=_("Submit a draft report (its author or the project's manager), saving any ratings or narrative sent"),
        tags=[TAG_REPORTS],
        request=StatusReportUpdateSerializer,
        responses={200: StatusReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = StatusReportUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = control.status_report_save_and_submit(
            actor=self._actor,
            membership=self.membership,
            project_role=self.project_role,
            report=self.get_object(),
            **payload.validated_data,
        )
        return self._respond(report)

    @extend_schema(
        summary=_("Return a submitted report to its author with a comment (PMO office); it is a draft again"),
        tags=[TAG_REPORTS],
        request=ReturnSerializer,
        responses={200: StatusReportSerializer},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ReturnSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = control.status_report_return(
            actor=self._actor,
            membership=self.membership,
            report=self.get_object(),
            comment=payload.validated_data["comment"],
        )
        return self._respond(report)

    @extend_schema(
        summary=_("Review a submitted report, with a comment (PMO office)"),
        tags=[TAG_REPORTS],
        request=CommentSerializer,
        responses={200: StatusReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = CommentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = control.status_report_review(
            actor=self._actor,
            membership=self.membership,
            report=self.get_object(),
            comment=payload.validated_data["comment"],
        )
        return self._respond(report)

    @extend_schema(
        summary=_("Download the report as PDF (A4, in the reader's language)"),
        tags=[TAG_REPORTS],
        request=None,
        responses={(200, PDF): OpenApiTypes.BINARY},
        filters=False,
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PdfRenderer])
    def pdf(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        report = self.get_object()
        report.project = self.project
        content, filename = reports.status_report_pdf(report)
        return pdf_response(content, filename)


# --- change requests --------------------------------------------------------------------


class AffectedElementSerializer(inputs.ModelSerializer):
    class Meta:
        model = WbsElement
        fields = ["id", "code", "name"]
        read_only_fields = fields


class ChangeRequestSerializer(inputs.ModelSerializer):
    requested_by = UserSummarySerializer(read_only=True)
    decided_by = UserSummarySerializer(read_only=True, allow_null=True)
    affected = serializers.SerializerMethodField()
    baseline = serializers.SerializerMethodField(help_text=_("The baseline its implementation created, if any."))

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "project",
            "number",
            "title",
            "kind",
            "description",
            "reason",
            "impact_days",
            "impact_cost",
            "status",
            "affected",
            "requested_by",
            "created_at",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_comment",
            "implemented_at",
            "baseline",
        ]
        read_only_fields = fields

    @extend_schema_field(AffectedElementSerializer(many=True))
    def get_affected(self, change_request: ChangeRequest) -> list[dict[str, Any]]:
        return AffectedElementSerializer(
            [link.element for link in change_request.affected.all()],  # prefetched
            many=True,
        ).data  # type: ignore[return-value]

    @extend_schema_field(BaselineRefSerializer(allow_null=True))
    def get_baseline(self, change_request: ChangeRequest) -> dict[str, Any] | None:
        baseline_id = getattr(change_request, "baseline_id", None)
        if baseline_id is None:
            return None
        return {"id": baseline_id, "name": change_request.baseline_name}  # type: ignore[attr-defined]


AFFECTED_ELEMENT_ROWS = RowBuilder(AffectedElementSerializer, prefix="element__")
CHANGE_REQUEST_ROWS = RowBuilder(
    ChangeRequestSerializer,
    computed={
        # Read for the whole page by ChangeRequestViewSet.complete_rows.
        "affected": Computed(("id",), lambda row: []),
        "baseline": Computed.method(ChangeRequestSerializer, "baseline", "baseline_id", "baseline_name"),
    },
)


class ChangeRequestWriteSerializer(inputs.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ChangeRequest.Kind.choices)
    description = serializers.CharField()
    reason = serializers.CharField()
    impact_days = serializers.IntegerField(
        required=False, default=0, help_text=_("Working days: positive when the finish moves later.")
    )
    impact_cost = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, default=Decimal("0"), help_text=_("Negative for a saving.")
    )
    affected = OrganizationRelatedField(
        queryset=WbsElement.objects.all(),
        many=True,
        required=False,
        default=list,
        help_text=_("Ids of the project's WBS elements the change touches."),
    )


class ChangeRequestUpdateSerializer(ChangeRequestWriteSerializer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


@extend_schema_view(
    list=extend_schema(summary=_("List the project's change requests"), tags=[TAG_CHANGES]),
    retrieve=extend_schema(summary=_("Show a change request"), tags=[TAG_CHANGES]),
    create=extend_schema(
        summary=_("Raise a change request (as a draft)"),
        tags=[TAG_CHANGES],
        request=ChangeRequestWriteSerializer,
        responses={201: ChangeRequestSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change a draft change request"),
        tags=[TAG_CHANGES],
        request=ChangeRequestUpdateSerializer,
        responses={200: ChangeRequestSerializer},
    ),
)
class ChangeRequestViewSet(
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    # Who approves is the service's decision, so approve and reject only ask to see the project here.
    schema_description = _(
        "Change requests of one project: draft → submitted → approved or rejected → implemented.\n"
        "\n"
        "Who approves depends on the change's size (the organisation's thresholds)."
    )

    serializer_class = ChangeRequestSerializer
    row_builder = CHANGE_REQUEST_ROWS
    queryset = ChangeRequest.objects.all()
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.CHANGE_REQUEST_CREATE
    action_permissions = {
        "submit": ProjectAction.CHANGE_REQUEST_CREATE,
        "approve": ProjectAction.PROJECT_VIEW,
        "reject": ProjectAction.PROJECT_VIEW,
        "implement": ProjectAction.PROJECT_MANAGE,
    }
    filterset_class = ChangeRequestFilter
    ordering_fields = ["number", "created_at", "impact_cost", "impact_days"]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _links(self) -> QuerySet[ChangeRequestElement]:
        # A change's affected elements in code order.
        links = ChangeRequestElement.objects.for_organization(self.organization)
        return links.order_by("element__code")

    def get_queryset(self) -> QuerySet[ChangeRequest]:
        organization = self.organization
        baselines = Baseline.objects.for_organization(organization).filter(change_request=OuterRef("pk"))
        return (
            ChangeRequest.objects.for_organization(organization)
            .filter(project=self.project)
            .select_related("requested_by", "decided_by")
            .prefetch_related(Prefetch("affected", queryset=self._links().select_related("element")))
            .annotate(
                baseline_id=Subquery(baselines.values("pk")[:1]),
                baseline_name=Subquery(baselines.values("name")[:1]),
            )
            .order_by("-number")
        )

    def complete_rows(self, rows: list[dict[str, Any]]) -> None:
        """Each change's affected elements, for the whole page in one query (the prefetch's)."""
        if not rows:
            return
        by_change = {row["id"]: row["affected"] for row in rows}
        links = self._links().filter(change_request_id__in=list(by_change))
        columns = ("change_request_id", *AFFECTED_ELEMENT_ROWS.columns)
        values = list(links.values(*columns))
        for link, element in zip(values, AFFECTED_ELEMENT_ROWS.build(values), strict=True):
            by_change[link["change_request_id"]].append(element)

    @property
    def _actor(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def _respond(self, change_request: ChangeRequest, status_code: int = status.HTTP_200_OK) -> Response:
        change_request = self.get_queryset().get(pk=change_request.pk)
        return Response(ChangeRequestSerializer(change_request).data, status=status_code)

    def _who(self) -> dict[str, Any]:
        return {"actor": self._actor, "membership": self.membership, "project_role": self.project_role}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ChangeRequestWriteSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        change_request = control.change_request_create(
            actor=self._actor, project=self.project, **payload.validated_data
        )
        return self._respond(change_request, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ChangeRequestUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        change_request = control.change_request_update(
            **self._who(), change_request=self.get_object(), **payload.validated_data
        )
        return self._respond(change_request)

    @extend_schema(
        summary=_("Submit a draft for decision (its requester or the project's manager)"),
        tags=[TAG_CHANGES],
        request=EMPTY_BODY,
        responses={200: ChangeRequestSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        change_request = control.change_request_submit(**self._who(), change_request=self.get_object())
        return self._respond(change_request)

    @extend_schema(
        summary=_("Approve a submitted change request (the approver its size calls for; never the requester)"),
        tags=[TAG_CHANGES],
        description=_(
            "A cost impact above the organisation's finance threshold is decided by finance (or an "
            "administrator); a schedule impact above its PMO threshold by the PMO office; any other by the "
            "PMO office or the project's manager. The requester never decides: 403 `separation_of_duties`; "
            "another role gets 403 `permission_denied`."
        ),
        request=CommentSerializer,
        responses={200: ChangeRequestSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = CommentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        change_request = control.change_request_approve(
            **self._who(), change_request=self.get_object(), comment=payload.validated_data["comment"]
        )
        return self._respond(change_request)

    @extend_schema(
        summary=_("Reject a submitted change request, saying why"),
        tags=[TAG_CHANGES],
        request=RejectSerializer,
        responses={200: ChangeRequestSerializer},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = RejectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        change_request = control.change_request_reject(
            **self._who(), change_request=self.get_object(), comment=payload.validated_data["comment"]
        )
        return self._respond(change_request)

    @extend_schema(
        summary=_("Mark an approved change as implemented, optionally re-baselining"),
        tags=[TAG_CHANGES],
        request=ImplementSerializer,
        responses={200: ChangeRequestSerializer},
    )
    @action(detail=True, methods=["post"])
    def implement(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ImplementSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        change_request = control.change_request_implement(
            actor=self._actor,
            change_request=self.get_object(),
            create_baseline=payload.validated_data["create_baseline"],
        )
        return self._respond(change_request)
