"""API of inspections.

Under ``/api/v1/orgs/{org_slug}/projects/{project_id}/``: ``inspections/`` lists (filters: status,
outcome, type, overdue), schedules (ad hoc, from a plan entry, or as a re-inspection of a failed one),
shows one with its checks and readings, and changes who inspects, when and where;
``inspections/{id}/readings/`` records a reading (judged at once), ``…/readings/{reading_id}/`` takes
one back, ``…/sign/`` signs the inspection off and ``…/cancel/`` cancels it.
Under ``/api/v1/orgs/{org_slug}/``: ``inspections/`` lists every project's inspections.

Who records and signs is ``quality.permissions.may_inspect``: the quality role, and for safety and
environment inspections the project roles the organisation's quality settings name.
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from pmo.api import inputs
from pmo.api.base import OrganizationScopedMixin
from pmo.api.common import ID_PATTERN, NamedChoiceField
from pmo.api.common import actor as _actor
from pmo.api.rows import Computed, RowBuilder, RowListMixin
from pmo.api.serializers import UserSummarySerializer
from pmo.pdf import PDF, PdfRenderer, pdf_response
from pmo.policy import can
from projects.api.base import ProjectScopedMixin
from projects.api.serializers import OrganizationMemberField, ProjectElementField
from quality import reports
from quality.inspection_filters import InspectionFilter, OrganizationInspectionFilter, overdue_condition
from quality.models import (
    ChecklistItem,
    ChecklistTemplate,
    Comparator,
    Inspection,
    InspectionStatus,
    InspectionType,
    ItemKind,
    Outcome,
    PlanEntry,
    Reading,
    Severity,
)
from quality.permissions import QualityAction, may_inspect
from quality.services import inspections as services
from quality.services.settings import quality_settings_for

TAG = "inspections"
OUTCOMES = [("", "—"), *Outcome.choices]


def bilingual(zh: str | None, en: str | None) -> str:
    from django.utils.translation import get_language

    if (get_language() or "").lower().startswith("zh"):
        return zh or en or ""
    return en or zh or ""


class InspectionSerializer(inputs.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text=_("I-001, I-002… per project."))
    project_code = serializers.CharField(source="project.code", read_only=True)
    template_code = serializers.CharField(source="template.code", read_only=True)
    template_version = serializers.IntegerField(source="template.version", read_only=True)
    template_name = serializers.CharField(
        source="template.name", read_only=True, help_text=_("In the reader's language.")
    )
    inspection_type_code = serializers.CharField(source="inspection_type.code", read_only=True)
    inspection_type_name = serializers.CharField(source="inspection_type.name", read_only=True)
    discipline = serializers.CharField(source="inspection_type.discipline", read_only=True)
    wbs_code = serializers.CharField(source="wbs_element.code", read_only=True, allow_null=True, default=None)
    inspector = UserSummarySerializer(read_only=True, allow_null=True)
    status = NamedChoiceField(choices=InspectionStatus.choices, enum_name="InspectionStatusEnum", read_only=True)
    outcome = NamedChoiceField(
        choices=OUTCOMES,
        enum_name="InspectionOutcomeEnum",
        read_only=True,
        help_text=_("Computed from the checks when it is signed off; empty before."),
    )
    overdue = serializers.BooleanField(read_only=True, help_text=_("Still to do and planned before today."))

    class Meta:
        model = Inspection
        fields = [
            "id",
            "code",
            "number",
            "project",
            "project_code",
            "template",
            "template_code",
            "template_version",
            "template_name",
            "inspection_type",
            "inspection_type_code",
            "inspection_type_name",
            "discipline",
            "plan_entry",
            "reinspection_of",
            "wbs_element",
            "wbs_code",
            "location",
            "participants",
            "inspector",
            "scheduled_date",
            "inspected_on",
            "status",
            "outcome",
            "overdue",
            "remarks",
            "signed_by",
            "signed_at",
            "cancel_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


INSPECTION_ROWS = RowBuilder(
    InspectionSerializer,
    computed={
        "code": Computed(("number",), lambda row: f"I-{row['number']:03d}"),
        "template_name": Computed(
            ("template__name_zh", "template__name_en"),
            lambda row: bilingual(row["template__name_zh"], row["template__name_en"]),
        ),
        "inspection_type_name": Computed(
            ("inspection_type__name_zh", "inspection_type__name_en"),
            lambda row: bilingual(row["inspection_type__name_zh"], row["inspection_type__name_en"]),
        ),
    },
)


class ChecklistItemBriefSerializer(inputs.ModelSerializer):
    text = serializers.CharField(read_only=True, help_text=_("In the reader's language."))
    kind = NamedChoiceField(choices=ItemKind.choices, enum_name="QualityItemKindEnum", read_only=True)
    severity = NamedChoiceField(choices=Severity.choices, enum_name="QualitySeverityEnum", read_only=True)
    comparator = NamedChoiceField(
        choices=[("", "—"), *Comparator.choices], enum_name="QualityComparatorEnum", read_only=True
    )
    requirement = serializers.CharField(read_only=True, help_text=_("The rule shown next to the check: ≤ 20 mm."))

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "position",
            "text",
            "kind",
            "severity",
            "max_readings",
            "unit",
            "comparator",
            "requirement",
            "second_label",
            "second_unit",
            "options",
        ]
        read_only_fields = fields


class ReadingSerializer(inputs.ModelSerializer):
    passed = serializers.BooleanField(
        read_only=True, allow_null=True, help_text=_("The verdict; null for what is never judged (text).")
    )
    judgement = serializers.CharField(read_only=True, help_text=_("23 mm > 20 mm: defect"))

    class Meta:
        model = Reading
        fields = [
            "id",
            "item",
            "sequence",
            "number",
            "second_number",
            "passed_check",
            "choice",
            "text",
            "passed",
            "judgement",
            "note",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class InspectionDetailSerializer(InspectionSerializer):
    items = ChecklistItemBriefSerializer(
        source="item_rows", many=True, read_only=True, help_text=_("The checks of the template version.")
    )
    readings = ReadingSerializer(source="reading_rows", many=True, read_only=True)
    missing = serializers.ListField(
        source="missing_checks",
        child=serializers.CharField(),
        read_only=True,
        help_text=_("The checks still to record before it can be signed off."),
    )
    outcome_preview = NamedChoiceField(
        choices=OUTCOMES,
        enum_name="InspectionOutcomeEnum",
        read_only=True,
        help_text=_("The outcome signing off would give now; empty while checks are missing."),
    )

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "items", "readings", "missing", "outcome_preview"]
        read_only_fields = fields


class ProjectRecordField(serializers.PrimaryKeyRelatedField):
    """An id of a record of the URL's project; others look nonexistent."""

    def __init__(self, model: type[Any], **kwargs: Any) -> None:
        self.model = model
        super().__init__(queryset=model.objects.all(), **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        project = self.context["project"]
        return self.model.objects.for_organization(project.organization_id).filter(project=project)


class ScheduleSerializer(inputs.Serializer):
    template_code = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("A current checklist template's code; from the plan entry or the failed inspection when empty."),
    )
    plan_entry = ProjectRecordField(PlanEntry, required=False, allow_null=True, default=None)
    reinspection_of = ProjectRecordField(
        Inspection,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A failed inspection of the project to inspect again."),
    )
    inspector = OrganizationMemberField(required=False, allow_null=True, default=None)
    scheduled_date = serializers.DateField(required=False, allow_null=True, default=None)
    wbs_element = ProjectElementField(required=False, allow_null=True, default=None)
    location = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    participants = serializers.CharField(required=False, allow_blank=True, default="")


class InspectionUpdateSerializer(inputs.Serializer):
    inspector = OrganizationMemberField(required=False, allow_null=True)
    scheduled_date = serializers.DateField(required=False, allow_null=True)
    inspected_on = serializers.DateField(required=False, allow_null=True)
    wbs_element = ProjectElementField(required=False, allow_null=True)
    location = serializers.CharField(max_length=255, required=False, allow_blank=True)
    participants = serializers.CharField(required=False, allow_blank=True)
    remarks = serializers.CharField(required=False, allow_blank=True)


class ReadingInputSerializer(inputs.Serializer):
    item = serializers.IntegerField(min_value=1, help_text=_("A check of the inspection's template version."))
    sequence = serializers.IntegerField(
        min_value=1, max_value=50, required=False, default=1, help_text=_("1 up to the readings the check allows.")
    )
    number = serializers.DecimalField(
        max_digits=14,
        decimal_places=4,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The reading of a numeric check, or the first of a compound one."),
    )
    second_number = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True, default=None
    )
    passed_check = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("A pass or fail check: whether it passes.")
    )
    choice = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text=_("The key of one of the options.")
    )
    text = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class SignSerializer(inputs.Serializer):
    remarks = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)


class CancelSerializer(inputs.Serializer):
    reason = serializers.CharField(help_text=_("Why the inspection will not take place."))


READING_ID = OpenApiParameter("reading_id", int, OpenApiParameter.PATH, description=_("The reading's id."))


def annotated(queryset: QuerySet[Inspection], organization: Any) -> QuerySet[Inspection]:
    return queryset.select_related("project", "template", "inspection_type", "wbs_element", "inspector").annotate(
        overdue=ExpressionWrapper(overdue_condition(organization.today()), output_field=BooleanField())
    )


@extend_schema_view(
    list=extend_schema(summary=_("List the project's inspections"), tags=[TAG]),
    retrieve=extend_schema(
        summary=_("Show an inspection with its checks and readings"),
        tags=[TAG],
        responses={200: InspectionDetailSerializer},
    ),
    create=extend_schema(
        summary=_("Schedule an inspection (numbered I-001, I-002… per project)"),
        description=_(
            "Ad hoc with a template's code, from a plan entry (its template, WBS element and date), or as the "
            "re-inspection of a failed inspection. Project managers and coordinators schedule; so do those who "
            "may carry out the inspection."
        ),
        tags=[TAG],
        request=ScheduleSerializer,
        responses={201: InspectionDetailSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change who inspects, when and where, while the inspection is open"),
        tags=[TAG],
        request=InspectionUpdateSerializer,
        responses={200: InspectionDetailSerializer},
    ),
)
class InspectionViewSet(
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _(
        "A project's inspections: scheduled from the plan or ad hoc, readings judged as they are recorded, "
        "an outcome computed from the checks and signed off by the inspector."
    )
    serializer_class = InspectionSerializer
    row_builder = INSPECTION_ROWS
    queryset = Inspection.objects.all()
    read_action = QualityAction.QUALITY_VIEW
    # Safety and environment inspections are open to the project roles the organisation names:
    # the view lets the team past the policy and checks ``may_inspect`` on the inspection's type.
    write_action = QualityAction.INSPECT_FIELD
    filter_backends = [DjangoFilterBackend]
    filterset_class = InspectionFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Inspection]:
        inspections = Inspection.objects.for_organization(self.organization).filter(project=self.project)
        return annotated(inspections, self.organization).order_by("-number")

    def may_inspect(self, inspection_type: InspectionType) -> bool:
        return may_inspect(self.membership, self.project_role, inspection_type, quality_settings_for(self.organization))

    def require_inspector(self, inspection: Inspection) -> None:
        if not self.may_inspect(inspection.inspection_type):
            raise exceptions.PermissionDenied()

    def require_planner_or_inspector(self, inspection_type: InspectionType) -> None:
        if not (
            can(self.membership, QualityAction.PLAN_MANAGE, self.project_role) or self.may_inspect(inspection_type)
        ):
            raise exceptions.PermissionDenied()

    def _detail(self, inspection: Inspection, status_code: int = status.HTTP_200_OK) -> Response:
        inspection = self.get_queryset().get(pk=inspection.pk)
        items, readings, missing = services.item_results(inspection)
        inspection.item_rows = items  # type: ignore[attr-defined]
        inspection.reading_rows = [reading for item in items for reading in readings[item.pk]]  # type: ignore[attr-defined]
        inspection.missing_checks = missing  # type: ignore[attr-defined]
        inspection.outcome_preview = (  # type: ignore[attr-defined]
            inspection.outcome or ("" if missing else services.outcome_of(items, readings))
        )
        return Response(InspectionDetailSerializer(inspection).data, status=status_code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(self.get_object())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ScheduleSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        values = dict(payload.validated_data)
        code = values.pop("template_code")
        template = None
        if code:
            template = (
                ChecklistTemplate.objects.for_organization(self.organization)
                .filter(code=code, is_current=True)
                .select_related("inspection_type")
                .first()
            )
            if template is None:
                raise serializers.ValidationError(
                    {"template_code": [gettext_now("No current template has this code.")]}
                )
            inspection_type = template.inspection_type
        elif values["reinspection_of"] is not None:
            inspection_type = values["reinspection_of"].inspection_type
        elif values["plan_entry"] is not None:
            found = (
                ChecklistTemplate.objects.for_organization(self.organization)
                .filter(code=values["plan_entry"].template_code, is_current=True)
                .select_related("inspection_type")
                .first()
            )
            if found is None:
                raise serializers.ValidationError(
                    {"plan_entry": [gettext_now("The plan entry's template has no current version.")]}
                )
            inspection_type = found.inspection_type
        else:
            raise serializers.ValidationError(
                {"template_code": [gettext_now("Name a template, a plan entry or a failed inspection.")]}
            )
        self.require_planner_or_inspector(inspection_type)
        inspection = services.inspection_schedule(
            actor=_actor(request), project=self.project, template=template, **values
        )
        return self._detail(inspection, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inspection = self.get_object()
        self.require_planner_or_inspector(inspection.inspection_type)
        payload = InspectionUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        inspection = services.inspection_update(actor=_actor(request), inspection=inspection, **payload.validated_data)
        return self._detail(inspection)

    @extend_schema(
        summary=_("Record a reading of a check, judged at once"),
        description=_(
            "Numeric readings are judged against the check's rule (`23 mm > 20 mm: defect`); a choice must be "
            "one of the option keys; a sequence runs from 1 to the readings the check allows. Recording the same "
            "sequence again corrects it. The first reading starts the inspection."
        ),
        tags=[TAG],
        request=ReadingInputSerializer,
        responses={201: ReadingSerializer},
    )
    @action(detail=True, methods=["post"])
    def readings(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inspection = self.get_object()
        self.require_inspector(inspection)
        payload = ReadingInputSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        values = dict(payload.validated_data)
        item = (
            ChecklistItem.objects.for_organization(self.organization)
            .filter(pk=values.pop("item"), template_id=inspection.template_id)
            .first()
        )
        if item is None:
            raise serializers.ValidationError({"item": [gettext_now("Not a check of this inspection.")]})
        reading = services.reading_record(actor=_actor(request), inspection=inspection, item=item, **values)
        return Response(ReadingSerializer(reading).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Take back a reading recorded by mistake"),
        tags=[TAG],
        parameters=[READING_ID],
        request=None,
        responses={204: None},
    )
    @action(detail=True, methods=["delete"], url_path=r"readings/(?P<reading_id>[0-9]+)")
    def reading(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inspection = self.get_object()
        self.require_inspector(inspection)
        reading = get_object_or_404(
            Reading.objects.for_organization(self.organization).filter(inspection=inspection),
            pk=kwargs["reading_id"],
        )
        reading.inspection = inspection
        services.reading_delete(actor=_actor(request), reading=reading)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("Sign the inspection off"),
        description=_(
            "The outcome is computed from the checks: a failed check of major or critical severity fails the "
            "inspection, a failed minor one passes it with remarks. Failed checks open non-conformances. "
            "Refused (`inspection_incomplete`) while a check has no reading; only the inspector signs."
        ),
        tags=[TAG],
        request=SignSerializer,
        responses={200: InspectionDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inspection = self.get_object()
        self.require_inspector(inspection)
        payload = SignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        inspection = services.inspection_sign(actor=_actor(request), inspection=inspection, **payload.validated_data)
        return self._detail(inspection)

    @extend_schema(
        summary=_("Cancel an inspection that will not take place, with the reason"),
        tags=[TAG],
        request=CancelSerializer,
        responses={200: InspectionDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inspection = self.get_object()
        self.require_planner_or_inspector(inspection.inspection_type)
        payload = CancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        inspection = services.inspection_cancel(actor=_actor(request), inspection=inspection, **payload.validated_data)
        return self._detail(inspection)

    @extend_schema(
        summary=_("Download the inspection report with its photos as PDF (A4, in the reader's language)"),
        tags=[TAG],
        responses={(200, PDF): OpenApiTypes.BINARY},
        filters=False,
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PdfRenderer])
    def pdf(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        inspection = self.get_object()
        inspection.project = self.project
        content, filename = reports.inspection_pdf(inspection)
        return pdf_response(content, filename)


@extend_schema_view(list=extend_schema(summary=_("List the inspections of every project"), tags=[TAG]))
class OrganizationInspectionViewSet(
    OrganizationScopedMixin, RowListMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    schema_description = _("Every project's inspections, with the overdue ones a filter away.")
    serializer_class = InspectionSerializer
    row_builder = INSPECTION_ROWS
    queryset = Inspection.objects.all()
    read_action = QualityAction.QUALITY_VIEW
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrganizationInspectionFilter

    def get_queryset(self) -> QuerySet[Inspection]:
        inspections = Inspection.objects.for_organization(self.organization)
        return annotated(inspections, self.organization).order_by("project__code", "-number")


_project_router = SimpleRouter()
_project_router.register("inspections", InspectionViewSet, basename="api-quality-inspection")
_org_router = SimpleRouter()
_org_router.register("inspections", OrganizationInspectionViewSet, basename="api-org-quality-inspection")

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [*_org_router.urls]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = [*_project_router.urls]
