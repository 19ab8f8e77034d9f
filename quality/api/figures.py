"""The quality figures over the API: one project's (``…/projects/{id}/quality-figures/``) and the portfolio's
(``…/quality-figures/``: the open projects', pooled and each), from ``quality.selectors``.

A ratio is a string with one place (days, per cent) or two (satisfaction), null when nothing is counted
yet. The project's figures take five queries, the portfolio's six, whatever the data.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.api import inputs
from pmo.api.base import OrganizationScopedMixin
from projects.api.base import ProjectScopedMixin
from projects.models import Project
from quality.models import NcStatus, Severity
from quality.permissions import QualityAction
from quality.selectors import QualityFigures, portfolio_quality, quality_figures


def _ratio(places: int, help_text: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12, decimal_places=places, allow_null=True, coerce_to_string=True, help_text=help_text
    )


class CountBySeveritySerializer(inputs.Serializer):
    minor = serializers.IntegerField()
    major = serializers.IntegerField()
    critical = serializers.IntegerField()


class CountByStatusSerializer(inputs.Serializer):
    open = serializers.IntegerField()
    analysis = serializers.IntegerField()
    action_plan = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    verification = serializers.IntegerField()
    closed = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class NcCellSerializer(inputs.Serializer):
    severity = serializers.ChoiceField(choices=Severity.choices)
    status = serializers.ChoiceField(choices=NcStatus.choices)
    count = serializers.IntegerField()


class NonConformanceFiguresSerializer(inputs.Serializer):
    total = serializers.IntegerField()
    open = serializers.IntegerField(help_text=_("Open, in analysis, action plan, in progress or verification."))
    overdue = serializers.IntegerField(help_text=_("Open and due before today."))
    safety_vetoes = serializers.IntegerField(
        help_text=_("Open critical non-conformances of a safety inspection type: each one is a safety veto.")
    )
    by_severity = CountBySeveritySerializer()
    open_by_severity = CountBySeveritySerializer()
    by_status = CountByStatusSerializer()
    by_severity_and_status = NcCellSerializer(many=True, help_text=_("Only the pairs that occur."))


class ClosingSerializer(inputs.Serializer):
    closed = serializers.IntegerField(help_text=_("Closed non-conformances."))
    mean_days = _ratio(1, _("Mean calendar days from raised to closed; null before any is closed."))
    p90_days = _ratio(1, _("90th percentile of the days to close (linear interpolation)."))


class InspectionFiguresSerializer(inputs.Serializer):
    first_inspections = serializers.IntegerField(help_text=_("Signed inspections that are not re-inspections."))
    first_passed = serializers.IntegerField(help_text=_("Of those, passed or passed with remarks."))
    first_pass_yield = _ratio(1, _("first_passed / first_inspections in per cent; null before any is signed."))
    overdue = serializers.IntegerField(help_text=_("Open inspections scheduled before today."))
    plan_entries_overdue = serializers.IntegerField(
        help_text=_("Plan entries whose planned date is past with no inspection scheduled for them.")
    )
    planned_overdue = serializers.IntegerField(help_text=_("overdue + plan_entries_overdue."))


class SatisfactionSerializer(inputs.Serializer):
    average = _ratio(2, _("Average of the surveys' averages of their four scores from 1 to 5; null without a survey."))
    surveys = serializers.IntegerField()


class QualityFiguresSerializer(inputs.Serializer):
    inspections = InspectionFiguresSerializer()
    non_conformances = NonConformanceFiguresSerializer()
    days_to_close = ClosingSerializer()
    satisfaction = SatisfactionSerializer()


def figures_document(figures: QualityFigures) -> dict[str, Any]:
    return {
        "inspections": {
            "first_inspections": figures.first_inspections,
            "first_passed": figures.first_passed,
            "first_pass_yield": figures.first_pass_yield,
            "overdue": figures.overdue_inspections,
            "plan_entries_overdue": figures.overdue_plan_entries,
            "planned_overdue": figures.planned_overdue,
        },
        "non_conformances": {
            "total": figures.total_ncs,
            "open": figures.open_ncs,
            "overdue": figures.overdue_ncs,
            "safety_vetoes": figures.safety_vetoes,
            "by_severity": figures.by_severity,
            "open_by_severity": figures.open_by_severity,
            "by_status": figures.by_status,
            "by_severity_and_status": [
                {"severity": severity, "status": status, "count": count}
                for (severity, status), count in sorted(figures.ncs.items())
            ],
        },
        "days_to_close": {
            "closed": figures.closed_ncs,
            "mean_days": figures.mean_days_to_close,
            "p90_days": figures.p90_days_to_close,
        },
        "satisfaction": {"average": figures.satisfaction, "surveys": figures.surveys},
    }


class ProjectFiguresSerializer(inputs.Serializer):
    as_of = serializers.DateField(help_text=_("The organisation's today: what is overdue is counted against it."))
    figures = QualityFiguresSerializer()


class PortfolioProjectSerializer(inputs.Serializer):
    project = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    figures = QualityFiguresSerializer()


class PortfolioFiguresSerializer(inputs.Serializer):
    as_of = serializers.DateField(help_text=_("The organisation's today: what is overdue is counted against it."))
    totals = QualityFiguresSerializer(help_text=_("Pooled over the open projects."))
    projects = PortfolioProjectSerializer(many=True, help_text=_("Each open project, by code."))


def _representation(serializer: serializers.Field) -> Callable[[Any], Any]:
    """``serializer.to_representation`` of a document of dicts and lists, compiled once from its fields: the same
    output, without DRF's lookups field by field (L: 1,001 projects' figures, 44,000 fields, took two thirds of the
    portfolio's endpoint). Each field reads the key of its name; a None stays None, as DRF leaves it."""
    if isinstance(serializer, serializers.ListSerializer):
        if serializer.child is None:
            raise TypeError("A list serializer without a child is not compiled.")
        child = _representation(serializer.child)
        return lambda items: [child(item) for item in items]
    if isinstance(serializer, serializers.Serializer):
        parts: list[tuple[str, Callable[[Any], Any]]] = []
        for field in serializer._readable_fields:
            name = str(field.field_name)
            if field.source_attrs != [name]:
                raise TypeError(f"{name}: only fields read from the key of their name are compiled.")
            parts.append((name, _representation(field)))

        def represent(document: Any) -> dict[str, Any]:
            return {name: None if (value := document[name]) is None else convert(value) for name, convert in parts}

        return represent
    return serializer.to_representation


@cache
def portfolio_representation() -> Callable[[Any], Any]:
    return _representation(PortfolioFiguresSerializer())


class ProjectQualityFiguresView(ProjectScopedMixin, generics.GenericAPIView):
    """A project's quality figures."""

    read_action = QualityAction.QUALITY_VIEW
    serializer_class = ProjectFiguresSerializer
    filter_backends: list[Any] = []
    pagination_class = None
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary=_("A project's quality figures"),
        description=_(
            "First-pass yield, non-conformances by severity and status, overdue counts, mean and 90th-percentile "
            "days to close, planned inspections overdue and customer satisfaction, as the project's quality page "
            "shows them."
        ),
        tags=["quality"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        today = self.organization.today()
        figures = quality_figures(self.organization, self.project.pk, today=today)
        return Response(ProjectFiguresSerializer({"as_of": today, "figures": figures_document(figures)}).data)


class PortfolioQualityFiguresView(OrganizationScopedMixin, generics.GenericAPIView):
    """The quality figures of the open projects, pooled and each."""

    read_action = QualityAction.QUALITY_VIEW
    serializer_class = PortfolioFiguresSerializer
    filter_backends: list[Any] = []
    pagination_class = None
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary=_("The portfolio's quality figures"),
        description=_(
            "The quality figures of the organisation's open projects, pooled and each, as the quality section's "
            "home page shows them."
        ),
        tags=["quality"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        organization = self.organization
        today = organization.today()
        open_projects = Project.objects.for_organization(organization).open()
        projects = list(open_projects.order_by("code", "id").values_list("pk", "code", "name"))
        portfolio = portfolio_quality(organization, open_projects, today=today)
        document = {
            "as_of": today,
            "totals": figures_document(portfolio.total),
            "projects": [
                {"project": pk, "code": code, "name": name, "figures": figures_document(portfolio.of(pk))}
                for pk, code, name in projects
            ],
        }
        return Response(portfolio_representation()(document))
