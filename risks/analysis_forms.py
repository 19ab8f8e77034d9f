"""Forms of the risk analysis pages: run a Monte Carlo analysis, edit a task's three points, set a branch's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from pmo.money import validate_money
from projects.models import WbsElement
from risks.services.analysis import MAX_ITERATIONS, MAX_SEED, MIN_ITERATIONS

WHOLE_PROJECT = ""


class RunForm(forms.Form):
    iterations = forms.IntegerField(
        label=_("Iterations"),
        initial=5000,
        min_value=MIN_ITERATIONS,
        max_value=MAX_ITERATIONS,
        help_text=_("100 to 100,000. More iterations, steadier figures."),
    )
    seed = forms.IntegerField(
        label=_("Seed (optional)"),
        required=False,
        min_value=0,
        max_value=MAX_SEED,
        help_text=_("The same seed and inputs give the same results."),
    )


def _money(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=16, decimal_places=2, min_value=0, validators=[validate_money], localize=False
    )


class EstimateForm(forms.Form):
    optimistic_days = forms.IntegerField(label=_("Optimistic (days)"), min_value=0)
    likely_days = forms.IntegerField(label=_("Most likely (days)"), min_value=0)
    pessimistic_days = forms.IntegerField(label=_("Pessimistic (days)"), min_value=0)
    optimistic_cost = _money(_("Optimistic cost"))
    likely_cost = _money(_("Most likely cost"))
    pessimistic_cost = _money(_("Pessimistic cost"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for kind, fields in (
            ("days", ("optimistic_days", "likely_days", "pessimistic_days")),
            ("cost", ("optimistic_cost", "likely_cost", "pessimistic_cost")),
        ):
            values: list[Any] = [data.get(field) for field in fields]
            if None not in values and not values[0] <= values[1] <= values[2]:
                message = (
                    _("Optimistic ≤ most likely ≤ pessimistic duration.")
                    if kind == "days"
                    else _("Optimistic ≤ most likely ≤ pessimistic cost.")
                )
                self.add_error(fields[1], message)
        return data


class BulkEstimateForm(forms.Form):
    branch = forms.ChoiceField(label=_("WBS branch"), required=False)
    optimistic_percent = forms.IntegerField(
        label=_("Optimistic (percent shorter and cheaper)"),
        validators=[MinValueValidator(0), MaxValueValidator(99)],
    )
    pessimistic_percent = forms.IntegerField(
        label=_("Pessimistic (percent longer and dearer)"),
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
    )

    def __init__(self, *args: Any, summaries: list[WbsElement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.summaries = {str(element.pk): element for element in summaries}
        field: forms.ChoiceField = self.fields["branch"]  # type: ignore[assignment]
        field.choices = [
            (WHOLE_PROJECT, _("The whole project")),
            *((str(element.pk), f"{element.code} {element.name}") for element in summaries),
        ]

    def selected_branch(self) -> WbsElement | None:
        return self.summaries.get(self.cleaned_data.get("branch") or "")
