from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard import portfolio as dashboard
from pmo.forms import DateWindowFormMixin
from projects.models import OPEN_PHASES


class DashboardFilterForm(DateWindowFormMixin, forms.Form):
    """The dashboard's filters; choices the organisation does not have are refused like unknown ones."""

    portfolio = forms.TypedChoiceField(label=gettext_lazy("Portfolio or programme"), required=False, coerce=int)
    manager = forms.TypedChoiceField(label=gettext_lazy("Project manager"), required=False, coerce=int)
    phase = forms.ChoiceField(label=gettext_lazy("Phase"), required=False)
    as_of = forms.DateField(
        label=gettext_lazy("Status date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, choices: dashboard.FilterChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = cast(dict[str, forms.ChoiceField], self.fields)
        fields["portfolio"].choices = [
            ("", _("All portfolios")),
            *[(pk, f"— {name}" if is_programme else name) for pk, name, is_programme in choices.portfolios],
        ]
        fields["manager"].choices = [("", _("Anyone")), *choices.managers]
        fields["phase"].choices = [("", _("Every open phase")), *[(p.value, p.label) for p in OPEN_PHASES]]

    def filters(self, today: dt.date) -> dashboard.Filters:
        """The cleaned filters; a field that makes no sense is left out (and shown in error)."""
        data = self.cleaned_data if self.is_bound else {}
        return dashboard.Filters(
            as_of=data.get("as_of") or today,
            portfolio_id=data.get("portfolio") or None,
            manager_id=data.get("manager") or None,
            phase=data.get("phase") or None,
        )
