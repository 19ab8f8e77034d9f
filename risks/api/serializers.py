"""Serializers of the register's API: outputs mirror the models, inputs are what the services take."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pmo.api import inputs
from pmo.api.rows import Computed, RowBuilder
from pmo.api.serializers import UserSummarySerializer
from pmo.models import User
from projects.models import WbsElement
from risks.models import (
    ImpactRule,
    Level,
    Risk,
    RiskAssessment,
    RiskCategory,
    RiskKind,
    RiskSettings,
    RiskStatus,
    category_label,
    risk_code,
)


class OrganizationMemberField(serializers.PrimaryKeyRelatedField):
    """A user id that must be an active member of the request's organisation; others look nonexistent."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=User.objects.all(), **kwargs)

    def get_queryset(self) -> QuerySet[User]:
        return User.objects.filter(memberships__organization=self.context["organization"], is_active=True)


class ProjectElementField(serializers.PrimaryKeyRelatedField):
    """A WBS element id of the URL's project; elements of other projects or organisations look nonexistent."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=WbsElement.objects.all(), **kwargs)

    def get_queryset(self) -> QuerySet[WbsElement]:
        project = self.context.get("project")
        if project is None:
            return WbsElement.objects.none()
        return WbsElement.objects.for_organization(project.organization_id).filter(project=project)


class CategoryField(serializers.PrimaryKeyRelatedField):
    """A risk category id of the organisation; the service refuses one switched off."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=RiskCategory.objects.all(), **kwargs)

    def get_queryset(self) -> QuerySet[RiskCategory]:
        return RiskCategory.objects.for_organization(self.context["organization"])


# --- categories and settings ---------------------------------------------------------------------


class RiskCategorySerializer(inputs.ModelSerializer):
    name = serializers.SerializerMethodField(help_text=_("The name in the reader's language, else the other."))

    class Meta:
        model = RiskCategory
        fields = ["id", "code", "name", "name_zh", "name_en", "order", "is_active"]
        read_only_fields = fields

    def get_name(self, category: RiskCategory) -> str:
        return category.label


RISK_CATEGORY_ROWS = RowBuilder(
    RiskCategorySerializer,
    computed={"name": Computed(("name_zh", "name_en"), lambda row: category_label(row["name_zh"], row["name_en"]))},
)


class RiskCategoryCreateSerializer(inputs.Serializer):
    code = serializers.SlugField(max_length=32)
    name_zh = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    name_en = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    order = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, default=0)


class RiskCategoryUpdateSerializer(inputs.Serializer):
    name_zh = serializers.CharField(max_length=120, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    order = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    is_active = serializers.BooleanField(required=False)


class RiskSettingsSerializer(inputs.ModelSerializer):
    matrix = serializers.ListField(
        child=serializers.ListField(child=serializers.ChoiceField(choices=Level.choices), min_length=5, max_length=5),
        min_length=5,
        max_length=5,
        help_text=_(
            "The 5 x 5 probability-impact matrix: row p - 1 is probability p, column i - 1 impact i; each cell a level."
        ),
    )

    class Meta:
        model = RiskSettings
        fields = [
            "impact_rule",
            "matrix",
            "appetite",
            "percent_1",
            "percent_2",
            "percent_3",
            "percent_4",
            "percent_5",
            "review_days_high",
            "review_days_medium",
            "review_days_low",
            "confidence",
            "optimistic_percent",
            "pessimistic_percent",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        extra_kwargs = {"impact_rule": {"choices": ImpactRule.choices}}


# --- the register ------------------------------------------------------------------------------


def _level(help_text: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=Level.choices, allow_blank=True, read_only=True, help_text=help_text)


class RiskSerializer(inputs.ModelSerializer):
    code = serializers.SerializerMethodField(help_text=_("R-001, R-002… per project (per organisation without one)."))
    project_code = serializers.CharField(source="project.code", read_only=True, allow_null=True, default=None)
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.SerializerMethodField()
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    level = _level(_("Level of the current assessment; empty until assessed."))
    inherent_level = _level(_("Level of the first assessment, before responses; empty until assessed."))
    target_level = _level(_("Level of the target residual assessment; empty until a target is set."))
    emv = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        read_only=True,
        help_text=_(
            "Expected monetary value: probability x PERT mean of the cost impact; negative for an opportunity."
        ),
    )

    class Meta:
        model = Risk
        fields = [
            "id",
            "code",
            "project",
            "project_code",
            "title",
            "kind",
            "category",
            "category_code",
            "category_name",
            "cause",
            "event",
            "effect",
            "owner",
            "trigger",
            "proximity",
            "status",
            "probability",
            "impact_schedule",
            "impact_cost",
            "impact_quality",
            "impact_safety",
            "impact_reputation",
            "impact",
            "score",
            "level",
            "probability_percent",
            "percent_is_default",
            "cost_min",
            "cost_likely",
            "cost_max",
            "days_min",
            "days_likely",
            "days_max",
            "emv",
            "inherent_score",
            "inherent_level",
            "target_probability",
            "target_impact",
            "target_score",
            "target_level",
            "assessed_at",
            "next_review",
            "raised_at",
            "closed_at",
            "occurred_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_code(self, risk: Risk) -> str:
        return risk.code

    def get_category_name(self, risk: Risk) -> str:
        return risk.category.label


RISK_ROWS = RowBuilder(
    RiskSerializer,
    computed={
        "code": Computed(("number",), lambda row: risk_code(row["number"])),
        "category_name": Computed(
            ("category__name_zh", "category__name_en"),
            lambda row: category_label(row["category__name_zh"], row["category__name_en"]),
        ),
    },
)


class RiskDetailSerializer(RiskSerializer):
    wbs_elements = serializers.SerializerMethodField(help_text=_("Ids of the WBS elements the risk bears on."))
    raised_by = UserSummarySerializer(read_only=True)

    class Meta(RiskSerializer.Meta):
        fields = [*RiskSerializer.Meta.fields, "wbs_elements", "raised_by"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_wbs_elements(self, risk: Risk) -> list[int]:
        return sorted(link.element_id for link in risk.wbs_links.all())  # prefetched


class RiskWriteSerializer(inputs.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=RiskKind.choices, required=False, default=RiskKind.THREAT)
    category = CategoryField()
    cause = serializers.CharField(required=False, default="", allow_blank=True)
    event = serializers.CharField(required=False, default="", allow_blank=True)
    effect = serializers.CharField(required=False, default="", allow_blank=True)
    owner = OrganizationMemberField(required=False, allow_null=True, default=None)
    trigger = serializers.CharField(required=False, default="", allow_blank=True)
    proximity = serializers.DateField(required=False, allow_null=True, default=None)
    wbs_elements = ProjectElementField(many=True, required=False, default=list)
    target_probability = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True, default=None
    )
    target_impact = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True, default=None)


class RiskUpdateSerializer(RiskWriteSerializer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


def _amount() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, min_value=Decimal(0))


class ThreePointsSerializer(inputs.Serializer):
    min = _amount()
    likely = _amount()
    max = _amount()


class ThreeDaysSerializer(inputs.Serializer):
    min = serializers.IntegerField(min_value=0, max_value=100_000)
    likely = serializers.IntegerField(min_value=0, max_value=100_000)
    max = serializers.IntegerField(min_value=0, max_value=100_000)


def _impact() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True, default=None)


class RiskAssessSerializer(inputs.Serializer):
    probability = serializers.IntegerField(min_value=1, max_value=5)
    impact_schedule = _impact()
    impact_cost = _impact()
    impact_quality = _impact()
    impact_safety = _impact()
    impact_reputation = _impact()
    probability_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Leave out to take the organisation's percentage for the probability band."),
    )
    cost = ThreePointsSerializer(
        required=False, help_text=_("Cost impact in the project's currency; left out, the current three points stay.")
    )
    days = ThreeDaysSerializer(
        required=False, help_text=_("Schedule impact in working days; left out, the current three points stay.")
    )
    reason = serializers.CharField(
        required=False, default="", allow_blank=True, help_text=_("Required when reassessing.")
    )


class RiskReviewSerializer(inputs.Serializer):
    note = serializers.CharField(required=False, default="", allow_blank=True)


class RiskStatusSerializer(inputs.Serializer):
    status = serializers.ChoiceField(
        choices=RiskStatus.choices,
        help_text=_(
            "Responding, monitoring or closed; a closed risk back to monitoring. Occurred has its own endpoint."
        ),
    )
    reason = serializers.CharField(required=False, default="", allow_blank=True, help_text=_("Required to close."))


class RiskHistorySerializer(inputs.ModelSerializer):
    actor = UserSummarySerializer(read_only=True)
    level = _level(_("The risk's level after the change; empty while not assessed."))

    class Meta:
        model = RiskAssessment
        fields = ["id", "risk", "kind", "actor", "at", "reason", "changes", "score", "level", "emv", "is_open"]
        read_only_fields = fields


RISK_HISTORY_ROWS = RowBuilder(RiskHistorySerializer)
