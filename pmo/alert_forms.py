"""Forms of the alert pages. They parse input; ``pmo.alerts.services`` decides what is allowed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pmo.alerts.kinds import AMOUNT, DAYS, PERCENT, POINTS, RATIO, WORKING_DAYS, alert_kinds
from pmo.models import AlertStatus, OrgRole, Severity, User, WebhookEvent
from pmo.project_directory import project_directory

ACTIVE = "active"
EVERY_STATUS = "all"

#: What a rule's numbers are measured in, as people read it next to the thresholds.
UNIT_LABELS: dict[str, Any] = {
    RATIO: _("index (1 = on plan)"),
    AMOUNT: _("amount in the project's currency"),
    PERCENT: _("percent of the approved budget"),
    POINTS: _("percentage points"),
    DAYS: _("days"),
    WORKING_DAYS: _("working days"),
}

#: The same, short, after a number in a table ("5 days"); a ratio needs none.
UNIT_SHORT: dict[str, Any] = {
    RATIO: "",
    AMOUNT: _("in the project's currency"),
    PERCENT: "%",
    POINTS: _("points"),
    DAYS: _("days"),
    WORKING_DAYS: _("working days"),
}

DIRECTION_LABELS: dict[str, Any] = {
    "below": _("Fires when the measure is below the threshold"),
    "above": _("Fires when the measure is above the threshold"),
}


class AlertFilterForm(forms.Form):
    """The filters of the alert list; an empty status means the active ones (open and acknowledged)."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(ACTIVE, pgettext_lazy("alert status", "Active")), *AlertStatus.choices, (EVERY_STATUS, _("All"))],
    )
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=[("", _("All")), *Severity.choices])
    rule = forms.ChoiceField(
        label=_("Rule"), required=False, choices=lambda: [("", _("All rules")), *alert_kinds.choices]
    )
    project = forms.TypedChoiceField(label=_("Project"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, projects: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [("", _("All projects")), *projects]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The cleaned choices, or the defaults when the query string makes no sense."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status") or ACTIVE,
            "severity": data.get("severity") or "",
            "rule": data.get("rule") or "",
            "project": data.get("project"),
        }


class AlertRuleForm(forms.Form):
    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        help_text=_("The colour of an alert that crosses the threshold but not the red threshold."),
    )
    threshold = forms.DecimalField(label=_("Threshold"), max_digits=14, decimal_places=4)
    red_threshold = forms.DecimalField(
        label=_("Red threshold"),
        max_digits=14,
        decimal_places=4,
        required=False,
        help_text=_("Optional: beyond it the alert turns red. Leave empty for one level only."),
    )
    notify_org_roles = forms.MultipleChoiceField(
        label=_("Organisation roles notified"),
        choices=OrgRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notify_project_roles = forms.MultipleChoiceField(
        label=_("Project roles notified"),
        choices=lambda: project_directory.roles,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People with these roles on the alert's project."),
    )

    def __init__(self, *args: Any, unit: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_label = UNIT_LABELS.get(unit)
        if unit_label is not None:
            self.fields["threshold"].help_text = _("Unit: %(unit)s.") % {"unit": unit_label}


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What receives the events, e.g. “ERP”."))
    url = forms.CharField(
        label=_("URL"),
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "https://", "inputmode": "url", "spellcheck": "false"}),
        help_text=_("Must be a public http:// or https:// address; each delivery is signed with the secret."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(WebhookEvent.values),
    )


class AlertEmailForm(forms.Form):
    alert_email = forms.ChoiceField(
        label=_("When to e-mail me"),
        choices=User.AlertEmail.choices,
        widget=forms.RadioSelect,
        help_text=_("Every alert also stays in this inbox, whatever you choose."),
    )
