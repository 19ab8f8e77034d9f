"""Forms of the risk pages. They parse input; the services (``risks.services``) decide what is allowed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.forms import money_field
from pmo.forms import DateWindowFormMixin
from pmo.models import Organization, User
from projects.filters import organization_users
from projects.models import WbsElement
from risks import scoring
from risks.filters import CategoryChoiceField
from risks.models import ImpactRule, Level, Risk, RiskCategory, RiskKind, RiskSettings, RiskStatus
from risks.services.register import DIMENSIONS, TRANSITIONS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ZERO = Decimal("0.00")

PROBABILITY_CHOICES = [
    (1, _("1 · Very unlikely")),
    (2, _("2 · Unlikely")),
    (3, _("3 · Possible")),
    (4, _("4 · Likely")),
    (5, _("5 · Almost certain")),
]
IMPACT_CHOICES = [
    (1, _("1 · Very low")),
    (2, _("2 · Low")),
    (3, _("3 · Moderate")),
    (4, _("4 · High")),
    (5, _("5 · Very high")),
]


def scale_field(
    label: Any, choices: list[tuple[int, Any]], *, required: bool, empty: Any = ""
) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("", empty or "—"), *choices],
        coerce=int,
        empty_value=None,
        required=required,
    )


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class ElementsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class RiskForm(DateWindowFormMixin, forms.Form):
    """What a risk is: raised by the register's managers, edited by them while it is open."""

    title = forms.CharField(label=_("Title"), max_length=200)
    category = CategoryChoiceField(
        label=pgettext_lazy("risk", "Category"),
        queryset=RiskCategory.objects.none(),
        empty_label=_("Choose a category"),
    )
    kind = forms.ChoiceField(label=_("Threat or opportunity"), choices=RiskKind.choices, initial=RiskKind.THREAT)
    cause = forms.CharField(
        label=_("Cause"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Because of …")
    )
    event = forms.CharField(
        label=_("Event"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("… this may happen …")
    )
    effect = forms.CharField(
        label=_("Effect"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("… leading to.")
    )
    owner = OwnerChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("Nobody yet")
    )
    trigger = forms.CharField(
        label=_("Trigger / early-warning sign"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    proximity = forms.DateField(
        label=_("Proximity"), required=False, widget=DATE_INPUT, help_text=_("When the risk could occur.")
    )
    wbs_elements = ElementsChoiceField(
        label=_("WBS elements"),
        queryset=WbsElement.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Where its schedule impact lands in a Monte Carlo run. Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    target_probability = scale_field(_("Target probability"), PROBABILITY_CHOICES, required=False, empty=_("Not set"))
    target_impact = scale_field(_("Target impact"), IMPACT_CHOICES, required=False, empty=_("Not set"))

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        categories: QuerySet[RiskCategory],
        elements: QuerySet[WbsElement] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        category: Any = self.fields["category"]
        category.queryset = categories
        owner: Any = self.fields["owner"]
        owner.queryset = organization_users(organization)
        if elements is None:
            del self.fields["wbs_elements"]
        else:
            wbs: Any = self.fields["wbs_elements"]
            wbs.queryset = elements


class RiskAssessForm(forms.Form):
    """A new current assessment: the service derives impact, score, level, EMV and the next review."""

    probability = scale_field(_("Probability"), PROBABILITY_CHOICES, required=True)
    impact_schedule = scale_field(_("Schedule"), IMPACT_CHOICES, required=False, empty=_("Not rated"))
    impact_cost = scale_field(_("Cost"), IMPACT_CHOICES, required=False, empty=_("Not rated"))
    impact_quality = scale_field(_("Quality"), IMPACT_CHOICES, required=False, empty=_("Not rated"))
    impact_safety = scale_field(_("Safety and environment"), IMPACT_CHOICES, required=False, empty=_("Not rated"))
    impact_reputation = scale_field(_("Reputation"), IMPACT_CHOICES, required=False, empty=_("Not rated"))
    probability_percent = forms.DecimalField(
        label=_("Probability (%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0", "max": "100"}),
        help_text=_("Leave blank for the percentage of the probability's band."),
    )
    cost_min = money_field(_("Minimum"), required=False)
    cost_likely = money_field(_("Most likely"), required=False)
    cost_max = money_field(_("Maximum"), required=False)
    days_min = forms.IntegerField(label=_("Minimum"), required=False, min_value=0, max_value=100_000)
    days_likely = forms.IntegerField(label=_("Most likely"), required=False, min_value=0, max_value=100_000)
    days_max = forms.IntegerField(label=_("Maximum"), required=False, min_value=0, max_value=100_000)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the assessment changes; kept in the history."),
    )

    IMPACT_FIELDS = tuple(f"impact_{dimension}" for dimension in DIMENSIONS)

    def impact_bound_fields(self) -> list[Any]:
        return [self[name] for name in self.IMPACT_FIELDS]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "probability": data["probability"],
            "impacts": {dimension: data.get(f"impact_{dimension}") for dimension in DIMENSIONS},
            "probability_percent": data.get("probability_percent"),
            "cost": tuple(data.get(f"cost_{point}") or ZERO for point in ("min", "likely", "max")),
            "days": tuple(data.get(f"days_{point}") or 0 for point in ("min", "likely", "max")),
            "reason": data.get("reason", ""),
        }


class RiskReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Review note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Reviewed and nothing changed: the next review moves on."),
    )


class RiskStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=())
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, risk: Risk, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status: Any = self.fields["status"]
        allowed = TRANSITIONS.get(risk.status, frozenset())
        status.choices = [(value, label) for value, label in RiskStatus.choices if value in allowed]


# --- settings -----------------------------------------------------------------------------------


def cell_name(probability: int, impact: int) -> str:
    return f"cell_{probability}_{impact}"


class RiskSettingsForm(forms.Form):
    """The organisation's scoring and review rules; the matrix is 25 cells, each a level."""

    impact_rule = forms.ChoiceField(label=_("Overall impact"), choices=ImpactRule.choices, widget=forms.RadioSelect)
    appetite = forms.IntegerField(
        label=_("Risk appetite (score)"),
        min_value=1,
        max_value=25,
        help_text=_("Risks scoring above this line need a response; the heat map draws it."),
    )
    percent_1 = forms.DecimalField(label=_("Probability 1 (%)"), min_value=0, max_value=100, decimal_places=2)
    percent_2 = forms.DecimalField(label=_("Probability 2 (%)"), min_value=0, max_value=100, decimal_places=2)
    percent_3 = forms.DecimalField(label=_("Probability 3 (%)"), min_value=0, max_value=100, decimal_places=2)
    percent_4 = forms.DecimalField(label=_("Probability 4 (%)"), min_value=0, max_value=100, decimal_places=2)
    percent_5 = forms.DecimalField(label=_("Probability 5 (%)"), min_value=0, max_value=100, decimal_places=2)
    review_days_high = forms.IntegerField(label=_("High risks (days)"), min_value=1, max_value=3650)
    review_days_medium = forms.IntegerField(label=_("Medium risks (days)"), min_value=1, max_value=3650)
    review_days_low = forms.IntegerField(label=_("Low risks (days)"), min_value=1, max_value=3650)
    confidence = forms.IntegerField(
        label=_("Confidence level (%)"),
        min_value=50,
        max_value=99,
        help_text=_("The percentile of a Monte Carlo run that is quoted as the date and cost to commit to."),
    )
    optimistic_percent = forms.IntegerField(label=_("Optimistic (percent shorter)"), min_value=0, max_value=99)
    pessimistic_percent = forms.IntegerField(label=_("Pessimistic (percent longer)"), min_value=0, max_value=1000)

    PERCENT_FIELDS = ("percent_1", "percent_2", "percent_3", "percent_4", "percent_5")
    REVIEW_FIELDS = ("review_days_high", "review_days_medium", "review_days_low")
    SPREAD_FIELDS = ("confidence", "optimistic_percent", "pessimistic_percent")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for probability in scoring.SCALE:
            for impact in scoring.SCALE:
                self.fields[cell_name(probability, impact)] = forms.ChoiceField(
                    label=_("Probability %(p)s, impact %(i)s") % {"p": probability, "i": impact},
                    choices=Level.choices,
                )

    @classmethod
    def initial_from(cls, settings: RiskSettings) -> dict[str, Any]:
        names = ("impact_rule", "appetite", *cls.PERCENT_FIELDS, *cls.REVIEW_FIELDS, *cls.SPREAD_FIELDS)
        initial: dict[str, Any] = {name: getattr(settings, name) for name in names}
        for probability in scoring.SCALE:
            for impact in scoring.SCALE:
                initial[cell_name(probability, impact)] = scoring.level(settings.matrix, probability, impact)
        return initial

    def matrix_rows(self) -> list[dict[str, Any]]:
        """The cells as the page lays them out: probability 5 at the top, impact 1 to 5 across."""
        return [
            {"probability": p, "cells": [self[cell_name(p, i)] for i in scoring.SCALE]} for p in reversed(scoring.SCALE)
        ]

    def plain_fields(self, names: tuple[str, ...]) -> list[Any]:
        return [self[name] for name in names]

    def percent_bound_fields(self) -> list[Any]:
        return self.plain_fields(self.PERCENT_FIELDS)

    def review_bound_fields(self) -> list[Any]:
        return self.plain_fields(self.REVIEW_FIELDS)

    def spread_bound_fields(self) -> list[Any]:
        return self.plain_fields(self.SPREAD_FIELDS)

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in ("impact_rule", "appetite", *self.PERCENT_FIELDS, *self.REVIEW_FIELDS, *self.SPREAD_FIELDS)
        }
        fields["matrix"] = [[data[cell_name(p, i)] for i in scoring.SCALE] for p in scoring.SCALE]
        return fields


class RiskCategoryForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"), max_length=32, help_text=_("Lower case, no spaces; CSV files name the category by it.")
    )
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    order = forms.IntegerField(label=pgettext_lazy("position", "Order"), min_value=0, initial=0)


class RiskCategoryEditForm(forms.Form):
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    order = forms.IntegerField(label=pgettext_lazy("position", "Order"), min_value=0)
    is_active = forms.BooleanField(label=_("Active"), required=False)
