"""Forms of the finance pages. They parse input; the services decide what is allowed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from finance.models import Commitment, CostCategory, FinanceSettings
from pmo.forms import CSV_OR_WORKBOOK_ACCEPT, DateWindowFormMixin, csv_or_workbook_bytes
from pmo.models import currency_validator
from pmo.money import validate_money
from projects.models import ChangeRequest, WbsElement

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ZERO = Decimal("0.00")
IMPORT_MAX_BYTES = 2 * 1024 * 1024


def money_field(label: Any, *, minimum: Decimal | None = ZERO, **options: Any) -> forms.DecimalField:
    """An amount: two places, within the money limit (``pmo.money``), and at least ``minimum`` when given."""
    validators: list[Any] = [validate_money]
    if minimum is not None:
        validators.append(MinValueValidator(minimum))
    attrs = {"inputmode": "decimal", "step": "0.01"}
    if minimum is not None:
        attrs["min"] = str(minimum)
    return forms.DecimalField(
        label=label,
        max_digits=16,
        decimal_places=2,
        validators=validators,
        widget=forms.NumberInput(attrs=attrs),
        **options,
    )


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ElementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class ProjectCostForm(DateWindowFormMixin, forms.Form):
    """A form with a cost category and, optionally, a WBS element of one project."""

    category = CategoryChoiceField(
        label=_("Cost category"), queryset=CostCategory.objects.none(), empty_label=_("Choose a category")
    )
    wbs_element = ElementChoiceField(
        label=_("WBS element"), queryset=WbsElement.objects.none(), required=False, empty_label=_("Whole project")
    )

    def __init__(
        self,
        *args: Any,
        categories: QuerySet[CostCategory],
        elements: QuerySet[WbsElement],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        category_field: Any = self.fields["category"]
        category_field.queryset = categories
        element_field: Any = self.fields["wbs_element"]
        element_field.queryset = elements


# --- organisation settings ----------------------------------------------------------------


class CostCategoryForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=32,
        help_text=_("Letters, digits and hyphens, e.g. labour; CSV files name the category by it. It cannot change."),
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=0, help_text=_("Smaller numbers come first."))


class CostCategoryEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    order = forms.IntegerField(label=_("Order"), min_value=0, help_text=_("Smaller numbers come first."))
    is_active = forms.BooleanField(label=_("Active: offered for new lines and costs"), required=False)


class BudgetControlForm(forms.Form):
    budget_control = forms.ChoiceField(
        label=_("Budget control"),
        choices=FinanceSettings.BudgetControl.choices,
        widget=forms.RadioSelect,
        help_text=_("What happens when a commitment or cost would take a category over its approved budget."),
    )


class PeriodLockForm(DateWindowFormMixin, forms.Form):
    locked_through = forms.DateField(
        label=_("Books closed through"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("No cost or timesheet hours dated on or before this day may be added, changed or reversed."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        help_text=_("Needed to reopen closed days (an earlier date, or none)."),
    )


class ExchangeRateForm(DateWindowFormMixin, forms.Form):
    currency = forms.CharField(
        label=_("Currency"),
        min_length=3,
        max_length=3,
        help_text=_("Three-letter ISO 4217 code, e.g. USD."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 4}),
    )
    rate = forms.DecimalField(
        label=_("Rate"),
        max_digits=18,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
        widget=forms.NumberInput(attrs={"step": "0.000001", "min": "0.000001", "inputmode": "decimal"}),
        help_text=_("Units of the organisation's currency for one unit of this currency."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE_INPUT)

    def clean_currency(self) -> str:
        currency = str(self.cleaned_data["currency"]).strip().upper()
        currency_validator(currency)
        return currency


# --- budget versions ------------------------------------------------------------------------


class BudgetVersionCreateForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    change_request = forms.ModelChoiceField(
        label=_("Change request"),
        queryset=ChangeRequest.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("The approved change this version puts into the budget, if any."),
    )

    def __init__(self, *args: Any, change_requests: QuerySet[ChangeRequest], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["change_request"]
        field.queryset = change_requests


class ReservesForm(forms.Form):
    contingency_reserve = money_field(_("Contingency reserve"), help_text=_("For known risks, inside the budget."))
    management_reserve = money_field(
        _("Management reserve"), help_text=_("For unknown risks, held outside the performance baseline.")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BudgetLineForm(ProjectCostForm):
    amount = money_field(_("Amount"))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, carries_change: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if carries_change:
            # A change request's saving is carried as a negative line.
            self.fields["amount"] = money_field(
                _("Amount"), minimum=None, help_text=_("The change request's cost impact; negative for a saving.")
            )


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reject: say what must change."),
    )


# --- commitments, actual costs, forecast ----------------------------------------------------


class CommitmentForm(ProjectCostForm):
    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    reference = forms.CharField(label=_("Reference"), max_length=100, help_text=_("Purchase order or contract number."))
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    amount = money_field(_("Amount"))

    field_order = ["supplier", "reference", "date", "amount", "category", "wbs_element"]


class CommitmentEditForm(CommitmentForm):
    status = forms.ChoiceField(label=_("Status"), choices=Commitment.Status.choices)


class ActualCostForm(ProjectCostForm):
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    amount = money_field(_("Amount"), minimum=None, help_text=_("Negative for a credit note."))
    supplier = forms.CharField(label=_("Supplier"), max_length=200, required=False)
    reference = forms.CharField(label=_("Invoice or expense reference"), max_length=100, required=False)

    field_order = ["date", "amount", "category", "wbs_element", "supplier", "reference"]


class ActualCostImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file or Excel workbook"),
        help_text=_(
            "A header row, then one cost a row. Columns: date, amount, category (its code); optional: "
            "wbs_code, supplier, reference. CSV in UTF-8 or GB18030 (as Excel saves it), or an Excel workbook "
            "(.xlsx) with the sheet “Actual costs” as the template has it."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": CSV_OR_WORKBOOK_ACCEPT}),
    )

    def clean_file(self) -> bytes:
        """The file's bytes (a CSV file up to 2 MB); the service decodes, parses and checks every row."""
        return csv_or_workbook_bytes(self.cleaned_data["file"], IMPORT_MAX_BYTES)


class ManualForecastForm(forms.Form):
    estimate_to_complete = money_field(
        _("Estimate to complete (ETC)"), help_text=_("What the remaining work will cost.")
    )
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this estimate differs from the computed ones."),
    )


# --- earned value ---------------------------------------------------------------------------


class StatusDateForm(DateWindowFormMixin, forms.Form):
    INTERVALS = [("", _("Automatic")), ("week", _("By week")), ("month", _("By month"))]

    as_of = forms.DateField(label=_("Status date"), widget=DATE_INPUT, required=False)
    interval = forms.ChoiceField(label=_("Points"), choices=INTERVALS, required=False)
