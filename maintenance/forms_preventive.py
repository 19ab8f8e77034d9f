"""Forms of the preventive pages: a plan, a meter, a meter reading (the service checks every rule again)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from maintenance.models import (
    Asset,
    AssetCategory,
    Contractor,
    IntervalUnit,
    PmPlan,
    PmSchedule,
    PmTrigger,
    Priority,
)
from maintenance.services.preventive import MAX_INTERVAL, MAX_LEAD_DAYS
from pmo.forms import DateWindowFormMixin
from pmo.models import Organization, User

DECIMAL: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}
READING: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
#: A phone's numeric keypad with a decimal point.
NUMERIC = {"inputmode": "decimal", "autocomplete": "off"}


class PmPlanForm(DateWindowFormMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    asset_code = forms.CharField(
        label=_("asset code"), max_length=40, required=False, help_text=_("One asset, by its code…")
    )
    category = forms.ModelChoiceField(
        label=_("asset category"),
        queryset=AssetCategory.objects.none(),
        required=False,
        help_text=_("… or every asset in service of a category."),
    )
    trigger = forms.ChoiceField(label=_("falls due"), choices=PmTrigger.choices, widget=forms.RadioSelect)
    interval = forms.IntegerField(label=_("every"), min_value=1, max_value=MAX_INTERVAL, required=False)
    interval_unit = forms.ChoiceField(label=_("unit"), choices=[("", "—"), *IntervalUnit.choices], required=False)
    schedule = forms.ChoiceField(
        label=pgettext_lazy("preventive plan", "dates"),
        choices=PmSchedule.choices,
        initial=PmSchedule.FIXED,
        required=False,
    )
    starts_on = forms.DateField(label=_("first due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    lead_days = forms.IntegerField(
        label=_("open ahead (days)"),
        min_value=0,
        max_value=MAX_LEAD_DAYS,
        initial=7,
        required=False,
        help_text=_("The work order appears this many days before its due date."),
    )
    meter_code = forms.SlugField(
        label=_("meter code"),
        max_length=40,
        required=False,
        help_text=_("The code of the assets' meter, e.g. lamp-hours."),
    )
    meter_interval = forms.DecimalField(
        label=_("every (meter units)"),
        min_value=Decimal("0.01"),
        required=False,
        widget=forms.NumberInput(attrs=NUMERIC),
        **DECIMAL,
    )
    meter_lead = forms.DecimalField(
        label=_("open ahead (meter units)"),
        min_value=Decimal("0"),
        required=False,
        help_text=_("The work order appears when the reading reaches the due point minus this."),
        widget=forms.NumberInput(attrs=NUMERIC),
        **DECIMAL,
    )
    priority = forms.ChoiceField(label=_("priority"), choices=Priority.choices, initial=Priority.P4)
    assignee = forms.ModelChoiceField(label=_("assign to"), queryset=User.objects.none(), required=False)
    contractor = forms.ModelChoiceField(label=_("contractor"), queryset=Contractor.objects.none(), required=False)
    instructions = forms.CharField(
        label=_("instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )

    CALENDAR_FIELDS = ("interval", "interval_unit", "schedule", "starts_on", "lead_days")
    METER_FIELDS = ("meter_code", "meter_interval", "meter_lead")
    COMMON_FIELDS = ("priority", "assignee", "contractor", "instructions")

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        category: Any = self.fields["category"]
        category.queryset = AssetCategory.objects.for_organization(organization).filter(is_active=True).order_by("code")
        category.label_from_instance = lambda item: item.name
        assignee: Any = self.fields["assignee"]
        assignee.queryset = User.objects.filter(memberships__organization=organization, is_active=True).order_by(
            "display_name", "username"
        )
        contractor: Any = self.fields["contractor"]
        contractor.queryset = Contractor.objects.for_organization(organization).filter(is_active=True)

    def group(self, names: tuple[str, ...]) -> list[Any]:
        return [self[name] for name in names]

    def basics(self) -> list[Any]:
        return self.group(("name", "asset_code", "category", "trigger"))

    def calendar(self) -> list[Any]:
        return self.group(self.CALENDAR_FIELDS)

    def meter(self) -> list[Any]:
        return self.group(self.METER_FIELDS)

    def common(self) -> list[Any]:
        return self.group(self.COMMON_FIELDS)

    def clean_asset_code(self) -> Asset | None:
        code = (self.cleaned_data.get("asset_code") or "").strip()
        if not code:
            return None
        asset = Asset.objects.for_organization(self.organization).filter(code=code).first()
        if asset is None:
            raise forms.ValidationError(_("No asset has the code %(code)s.") % {"code": code})
        return asset

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["asset"] = data.pop("asset_code")
        data["schedule"] = data.get("schedule") or PmSchedule.FIXED
        if data.get("lead_days") is None:
            data["lead_days"] = 7
        if data.get("meter_lead") is None:
            data["meter_lead"] = Decimal("0")
        return data

    @classmethod
    def initial_from(cls, plan: PmPlan) -> dict[str, Any]:
        return {
            "name": plan.name,
            "asset_code": plan.asset.code if plan.asset else "",
            "category": plan.category_id,
            "trigger": plan.trigger,
            "interval": plan.interval,
            "interval_unit": plan.interval_unit,
            "schedule": plan.schedule,
            "starts_on": plan.starts_on,
            "lead_days": plan.lead_days,
            "meter_code": plan.meter_code,
            "meter_interval": plan.meter_interval,
            "meter_lead": plan.meter_lead,
            "priority": plan.priority,
            "assignee": plan.assignee_id,
            "contractor": plan.contractor_id,
            "instructions": plan.instructions,
        }


class MeterForm(forms.Form):
    code = forms.SlugField(
        label=_("code"), max_length=40, help_text=_("The same code on every asset of a kind, e.g. lamp-hours.")
    )
    name = forms.CharField(label=_("name"), max_length=120)
    unit = forms.CharField(label=_("unit"), max_length=16, initial="h")
    initial_value = forms.DecimalField(
        label=_("current reading"),
        min_value=Decimal("0"),
        initial=Decimal("0"),
        widget=forms.NumberInput(attrs=NUMERIC),
        **READING,
    )


class MeterReadingForm(forms.Form):
    value = forms.DecimalField(
        label=_("reading"),
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={**NUMERIC, "step": "any", "autofocus": True}),
        **READING,
    )
    replaced = forms.BooleanField(
        label=_("The meter was replaced or reset"),
        required=False,
        help_text=_("Only then may a reading be lower than the last one; the old count is carried over."),
    )
