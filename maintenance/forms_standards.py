"""Forms of the standards pages: they parse what was typed; ``maintenance.services.standards`` judges it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maintenance.models import AssetCategory, Criterion, CriterionKind, CriterionVersion, DefectWhen, Priority
from quality.rules import plain

DEFECT_WHEN_CHOICES = [
    (DefectWhen.GT, _("> more than")),
    (DefectWhen.GTE, _("≥ at least")),
    (DefectWhen.LT, _("< less than")),
    (DefectWhen.LTE, _("≤ at most")),
]


def _decimal_input() -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


class CategoryForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("Letters, digits, hyphens and underscores, e.g. kiosk.")
    )
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, required=False)

    def __init__(self, *args: Any, builtin: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if builtin:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("A built-in category keeps its code.")

    @staticmethod
    def initial_from(category: AssetCategory) -> dict[str, Any]:
        return {field: getattr(category, field) for field in ("code", "name_zh", "name_en", "position")}

    def service_fields(self) -> dict[str, Any]:
        fields = {name: value for name, value in self.cleaned_data.items() if not self.fields[name].disabled}
        if fields.get("position") is None:
            fields.pop("position", None)
        return fields


class CriterionForm(forms.Form):
    """A criterion's code and place, and its rule: saving a changed rule makes a new version."""

    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("Letters, digits, hyphens and underscores, e.g. pothole-depth.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=CriterionKind.choices, initial=CriterionKind.NUMERIC)
    measure_zh = forms.CharField(label=_("Measure (Chinese)"), max_length=120, required=False)
    measure_en = forms.CharField(label=_("Measure (English)"), max_length=120, required=False)
    unit = forms.CharField(
        label=_("Unit"), max_length=16, required=False, help_text=_("mm, m, m², °… A percentage criterion is in %.")
    )
    defect_when = forms.ChoiceField(label=_("A defect when the reading is"), choices=DEFECT_WHEN_CHOICES)
    limit = forms.CharField(
        label=_("Limit"), max_length=24, widget=_decimal_input(), help_text=_("A percentage's limit is 0 to 100.")
    )
    second_measure_zh = forms.CharField(label=_("Second measure (Chinese)"), max_length=120, required=False)
    second_measure_en = forms.CharField(label=_("Second measure (English)"), max_length=120, required=False)
    second_unit = forms.CharField(label=_("Second unit"), max_length=16, required=False)
    second_defect_when = forms.ChoiceField(
        label=_("And the second reading is"), choices=[("", "—"), *DEFECT_WHEN_CHOICES], required=False
    )
    second_limit = forms.CharField(label=_("Second limit"), max_length=24, required=False, widget=_decimal_input())
    priority = forms.ChoiceField(label=_("Default priority of the defect"), choices=Priority.choices, initial="P3")
    notes_zh = forms.CharField(
        label=_("Guidance (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )
    notes_en = forms.CharField(
        label=_("Guidance (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, required=False)

    SECOND = ("second_measure_zh", "second_measure_en", "second_unit", "second_defect_when", "second_limit")

    def __init__(self, *args: Any, builtin: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if builtin:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("A built-in criterion keeps its code.")

    @staticmethod
    def initial_from(criterion: Criterion, version: CriterionVersion) -> dict[str, Any]:
        initial: dict[str, Any] = {"code": criterion.code, "position": criterion.position}
        for field in (
            "kind",
            "measure_zh",
            "measure_en",
            "unit",
            "defect_when",
            "second_measure_zh",
            "second_measure_en",
            "second_unit",
            "second_defect_when",
            "priority",
            "notes_zh",
            "notes_en",
        ):
            initial[field] = getattr(version, field)
        initial["limit"] = _plain(version.limit)
        initial["second_limit"] = _plain(version.second_limit)
        return initial

    def rule_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name not in ("code", "position", *self.SECOND)]

    def second_fields(self) -> list[Any]:
        return [self[name] for name in self.SECOND]

    def service_fields(self) -> dict[str, Any]:
        fields = {name: value for name, value in self.cleaned_data.items() if not self.fields[name].disabled}
        if fields.get("position") is None:
            fields.pop("position", None)
        return fields


def _plain(value: Any) -> str:
    return "" if value is None else plain(value)
