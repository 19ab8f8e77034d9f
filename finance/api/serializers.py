"""Serializers of the finance API: outputs mirror the models and reads, inputs are what the services take.

Money is a string with two decimal places on the wire, both ways.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from finance.models import (
    ActualCost,
    BudgetLine,
    BudgetVersion,
    Commitment,
    CostCategory,
    ExchangeRate,
    FinanceSettings,
)
from pmo.api import inputs
from pmo.api.base import OrganizationRelatedField
from pmo.api.common import NamedChoiceField
from pmo.api.rows import RowBuilder
from pmo.api.serializers import UserSummarySerializer
from projects.api.serializers import ProjectElementField
from projects.models import ChangeRequest


def money(**options: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, **options)


def sum_field(**options: Any) -> serializers.DecimalField:
    """A sum of many amounts: wider than one amount."""
    return serializers.DecimalField(max_digits=20, decimal_places=2, **options)


class ProjectChangeRequestField(serializers.PrimaryKeyRelatedField):
    """A change request id of the URL's project; those of other projects or organisations look nonexistent."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=ChangeRequest.objects.all(), **kwargs)

    def get_queryset(self) -> QuerySet[ChangeRequest]:
        project = self.context["project"]
        return ChangeRequest.objects.for_organization(project.organization_id).filter(project=project)


# --- categories, settings, rates ------------------------------------------------------


class CostCategorySerializer(inputs.ModelSerializer):
    class Meta:
        model = CostCategory
        fields = ["id", "code", "name", "order", "is_active"]
        read_only_fields = fields


COST_CATEGORY_ROWS = RowBuilder(CostCategorySerializer)


class CostCategoryCreateSerializer(inputs.Serializer):
    code = serializers.SlugField(max_length=32, help_text=_("How CSV files name it; kept in lower case."))
    name = serializers.CharField(max_length=120)
    order = serializers.IntegerField(min_value=0, required=False, default=0)


class CostCategoryUpdateSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    order = serializers.IntegerField(min_value=0, required=False)
    is_active = serializers.BooleanField(required=False, help_text=_("Categories are switched off, never deleted."))


class FinanceSettingsSerializer(inputs.ModelSerializer):
    budget_control = serializers.ChoiceField(
        choices=FinanceSettings.BudgetControl.choices,
        required=False,
        help_text=_(
            "What a commitment or cost over its category's approved budget does: "
            "warn (saved and flagged over_budget) or block (refused with the code over_budget)."
        ),
    )

    class Meta:
        model = FinanceSettings
        fields = ["budget_control"]


class ExchangeRateSerializer(inputs.ModelSerializer):
    rate = serializers.DecimalField(max_digits=18, decimal_places=6, read_only=True)

    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "rate", "valid_from"]
        read_only_fields = fields


EXCHANGE_RATE_ROWS = RowBuilder(ExchangeRateSerializer)


class ExchangeRateCreateSerializer(inputs.Serializer):
    currency = serializers.RegexField(
        r"^[A-Za-z]{3}$", help_text=_("ISO 4217 code, e.g. USD; not the organisation's own currency.")
    )
    rate = serializers.DecimalField(
        max_digits=18,
        decimal_places=6,
        min_value=Decimal("0.000001"),
        help_text=_("Units of the organisation's currency that one unit of this currency is worth."),
    )
    valid_from = serializers.DateField(help_text=_("Holds from this day until the next rate of the currency."))


# --- budgets --------------------------------------------------------------------------


class BudgetLineSerializer(inputs.ModelSerializer):
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    wbs_code = serializers.CharField(source="wbs_element.code", read_only=True, allow_null=True, default=None)
    wbs_name = serializers.CharField(source="wbs_element.name", read_only=True, allow_null=True, default=None)
    amount = money(read_only=True)

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "category",
            "category_code",
            "category_name",
            "wbs_element",
            "wbs_code",
            "wbs_name",
            "amount",
            "note",
            "change_request",
        ]
        read_only_fields = fields
        extra_kwargs = {"change_request": {"help_text": _("The approved change whose cost impact the line carries.")}}


BUDGET_LINE_ROWS = RowBuilder(BudgetLineSerializer)


class BudgetLineCreateSerializer(inputs.Serializer):
    category = OrganizationRelatedField(queryset=CostCategory.objects.all(), help_text=_("An active cost category."))
    amount = money(min_value=Decimal("0"))
    wbs_element = ProjectElementField(
        required=False, allow_null=True, default=None, help_text=_("Empty: the project as a whole.")
    )
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class BudgetLineUpdateSerializer(inputs.Serializer):
    category = OrganizationRelatedField(queryset=CostCategory.objects.all(), required=False)
    amount = money(required=False, help_text=_("Zero or more; negative only on the line carrying a change's saving."))
    wbs_element = ProjectElementField(required=False, allow_null=True)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


class BudgetVersionSerializer(inputs.ModelSerializer):
    created_by = UserSummarySerializer(read_only=True)
    submitted_by = UserSummarySerializer(read_only=True, allow_null=True)
    decided_by = UserSummarySerializer(read_only=True, allow_null=True)
    contingency_reserve = money(read_only=True)
    management_reserve = money(read_only=True)
    lines_total = sum_field(read_only=True, help_text=_("The sum of the version's lines, reserves apart."))
    status = NamedChoiceField(choices=BudgetVersion.Status.choices, enum_name="BudgetVersionStatusEnum", read_only=True)

    class Meta:
        model = BudgetVersion
        fields = [
            "id",
            "number",
            "status",
            "is_current",
            "lines_total",
            "contingency_reserve",
            "management_reserve",
            "note",
            "change_request",
            "created_by",
            "created_at",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_comment",
        ]
        read_only_fields = fields


BUDGET_VERSION_ROWS = RowBuilder(BudgetVersionSerializer)


class VersionDiffRowSerializer(inputs.Serializer):
    category = CostCategorySerializer()
    amount = sum_field(help_text=_("This version's lines of the category."))
    current = sum_field(help_text=_("The current approved version's lines of the category (zero without one)."))
    difference = sum_field()


class BudgetVersionDetailSerializer(BudgetVersionSerializer):
    lines = BudgetLineSerializer(many=True, read_only=True)
    comparison = VersionDiffRowSerializer(
        many=True, read_only=True, help_text=_("Per category: this version against the current approved one.")
    )

    class Meta(BudgetVersionSerializer.Meta):
        fields = [*BudgetVersionSerializer.Meta.fields, "lines", "comparison"]
        read_only_fields = fields


class BudgetVersionCreateSerializer(inputs.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    change_request = ProjectChangeRequestField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("An approved or implemented change request with a cost impact that the version carries."),
    )


class BudgetVersionUpdateSerializer(inputs.Serializer):
    contingency_reserve = money(min_value=Decimal("0"), required=False)
    management_reserve = money(min_value=Decimal("0"), required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class FromChangeRequestSerializer(inputs.Serializer):
    change_request = ProjectChangeRequestField(
        help_text=_("An approved or implemented change request of the project with a cost impact.")
    )


class OfferedChangeRequestSerializer(inputs.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    impact_cost = money(help_text=_("What the change adds to the budget (negative: saves)."))


class BudgetApproveSerializer(inputs.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class BudgetRejectSerializer(inputs.Serializer):
    comment = serializers.CharField(help_text=_("Why the version is rejected."))


class CategoryBudgetSerializer(inputs.Serializer):
    category = CostCategorySerializer()
    approved = sum_field(help_text=_("The current approved version's lines of the category."))
    committed = sum_field(help_text=_("Open and closed commitments."))
    actual = sum_field(help_text=_("Actual costs."))
    remaining = sum_field(help_text=_("Approved less the larger of committed and actual."))
    over = serializers.BooleanField(help_text=_("Committed or actual above the approved amount."))


class ReconciliationRowSerializer(inputs.Serializer):
    element_id = serializers.IntegerField(allow_null=True, help_text=_("Null: the lines tied to no WBS element."))
    code = serializers.CharField()
    name = serializers.CharField()
    lines = sum_field(help_text=_("Budget lines on the element."))
    baseline = sum_field(help_text=_("Baseline budget of the tasks under the element."))
    difference = sum_field(help_text=_("Lines less baseline."))


class ReconciliationSerializer(inputs.Serializer):
    version = serializers.IntegerField(
        source="version.pk", allow_null=True, default=None, help_text=_("The current approved budget version.")
    )
    approved_total = sum_field(help_text=_("The current approved version's lines, reserves apart."))
    contingency_reserve = money()
    management_reserve = money()
    reserves = sum_field()
    baseline = serializers.IntegerField(source="baseline_id", allow_null=True, help_text=_("The current baseline."))
    baseline_total = sum_field(allow_null=True, help_text=_("Null without a current baseline."))
    difference = sum_field(allow_null=True, help_text=_("Approved lines less the baseline; null without a baseline."))
    is_equal = serializers.BooleanField()
    rows = ReconciliationRowSerializer(many=True, help_text=_("The WBS elements where the two differ."))


# --- commitments and actual costs -----------------------------------------------------


class CommitmentSerializer(inputs.ModelSerializer):
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    wbs_code = serializers.CharField(source="wbs_element.code", read_only=True, allow_null=True, default=None)
    amount = money(read_only=True)
    status = NamedChoiceField(choices=Commitment.Status.choices, enum_name="CommitmentStatusEnum", read_only=True)
    created_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "supplier",
            "reference",
            "date",
            "amount",
            "category",
            "category_code",
            "category_name",
            "wbs_element",
            "wbs_code",
            "status",
            "over_budget",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


COMMITMENT_ROWS = RowBuilder(CommitmentSerializer)


class CommitmentCreateSerializer(inputs.Serializer):
    supplier = serializers.CharField(max_length=200)
    reference = serializers.CharField(max_length=100, help_text=_("Purchase order or contract number."))
    date = serializers.DateField()
    amount = money(min_value=Decimal("0"))
    category = OrganizationRelatedField(queryset=CostCategory.objects.all())
    wbs_element = ProjectElementField(required=False, allow_null=True, default=None)


class CommitmentUpdateSerializer(inputs.Serializer):
    supplier = serializers.CharField(max_length=200, required=False)
    reference = serializers.CharField(max_length=100, required=False)
    date = serializers.DateField(required=False)
    amount = money(min_value=Decimal("0"), required=False)
    category = OrganizationRelatedField(queryset=CostCategory.objects.all(), required=False)
    wbs_element = ProjectElementField(required=False, allow_null=True)
    status = NamedChoiceField(
        choices=Commitment.Status.choices,
        enum_name="CommitmentStatusEnum",
        required=False,
        help_text=_("An open commitment may be closed or cancelled; both are final."),
    )


class ActualCostSerializer(inputs.ModelSerializer):
    reversed_by = serializers.IntegerField(
        source="reversed_by_id",
        read_only=True,
        allow_null=True,
        default=None,
        help_text=_("The reversal that cancels this cost, if any."),
    )
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    wbs_code = serializers.CharField(source="wbs_element.code", read_only=True, allow_null=True, default=None)
    amount = money(read_only=True)
    created_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = ActualCost
        fields = [
            "id",
            "date",
            "amount",
            "category",
            "category_code",
            "category_name",
            "wbs_element",
            "wbs_code",
            "supplier",
            "reference",
            "source",
            "over_budget",
            "reverses",
            "reversed_by",
            "reversal_reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


ACTUAL_COST_ROWS = RowBuilder(ActualCostSerializer)


class ActualCostReverseSerializer(inputs.Serializer):
    reason = serializers.CharField(max_length=500, help_text=_("Why the cost is reversed."))


class ActualCostCreateSerializer(inputs.Serializer):
    date = serializers.DateField()
    amount = money(help_text=_("Negative for a credit."))
    category = OrganizationRelatedField(queryset=CostCategory.objects.all())
    wbs_element = ProjectElementField(
        required=False, allow_null=True, default=None, help_text=_("A WBS element or task of the project.")
    )
    supplier = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ActualCostImportUploadSerializer(inputs.Serializer):
    file = serializers.FileField(help_text=_("The CSV file (UTF-8, or GB18030 as Excel saves it)."))


class ActualCostImportResultSerializer(inputs.Serializer):
    created = serializers.IntegerField(help_text=_("Costs recorded."))
    total = sum_field(help_text=_("Their sum."))
    over_budget = serializers.IntegerField(help_text=_("Costs flagged over budget (budget control warn)."))
