"""Forms of the acceptance pages: flagging a deliverable, its record, the sign-off, closing a condition, the survey."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pmo.forms import DateWindowFormMixin
from projects.models import Project, WbsElement
from quality.models import AcceptanceStatus, Deliverable, Inspection

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCORE_CHOICES = [(score, str(score)) for score in range(1, 6)]
DECISION_CHOICES = [
    (AcceptanceStatus.ACCEPTED, AcceptanceStatus.ACCEPTED.label),
    (AcceptanceStatus.CONDITIONAL, AcceptanceStatus.CONDITIONAL.label),
    (AcceptanceStatus.REJECTED, AcceptanceStatus.REJECTED.label),
]


class InspectionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        outcome = obj.get_outcome_display() if obj.outcome else obj.get_status_display()
        return f"{obj.code} {obj.template} · {outcome}"


class ElementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


def project_inspections(project: Project) -> QuerySet[Inspection]:
    return (
        Inspection.objects.for_organization(project.organization_id)
        .filter(project=project)
        .select_related("template")
        .order_by("number")
    )


class DeliverableForm(forms.Form):
    criteria = forms.CharField(
        label=_("Acceptance criteria"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the client checks before accepting: drawings, specifications, tests."),
    )
    inspections = InspectionChoiceField(
        label=_("Inspections it relies on"),
        queryset=Inspection.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspections"].queryset = project_inspections(project)  # type: ignore[attr-defined]


class FlagForm(DeliverableForm):
    wbs_element = ElementChoiceField(label=_("WBS element"), queryset=WbsElement.objects.none())

    field_order = ["wbs_element", "criteria", "inspections"]

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, project=project, **kwargs)
        flagged = Deliverable.objects.for_organization(project.organization_id).filter(project=project)
        self.fields["wbs_element"].queryset = (  # type: ignore[attr-defined]
            WbsElement.objects.for_organization(project.organization_id)
            .filter(project=project)
            .exclude(pk__in=flagged.values("wbs_element_id"))
            .order_by("sort_key")
        )


class SignForm(DateWindowFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=pgettext_lazy("acceptance", "Decision"), choices=DECISION_CHOICES, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Reasons or remarks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when rejecting: a major non-conformance is opened with these reasons."),
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One condition per line; needed when accepting with conditions."),
    )
    due_date = forms.DateField(
        label=_("Conditions due by"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Optional; applies to each condition above."),
    )

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        due = data.get("due_date")
        lines = [line.strip() for line in (data.get("conditions") or "").splitlines() if line.strip()]
        return {
            "decision": data["decision"],
            "note": data.get("note") or "",
            "conditions": [{"text": line, "due_date": due} for line in lines],
        }


class ConditionCloseForm(forms.Form):
    condition = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("How it was met"), widget=forms.Textarea(attrs={"rows": 2}))


class SurveyForm(forms.Form):
    quality = forms.TypedChoiceField(
        label=_("Quality"), choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect(attrs={"class": "scale"})
    )
    schedule = forms.TypedChoiceField(
        label=_("Schedule"), choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect(attrs={"class": "scale"})
    )
    communication = forms.TypedChoiceField(
        label=_("Communication"), choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect(attrs={"class": "scale"})
    )
    service = forms.TypedChoiceField(
        label=_("Service"), choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect(attrs={"class": "scale"})
    )
    respondent = forms.CharField(
        label=_("Respondent"),
        required=False,
        max_length=200,
        help_text=_("Who answered for the client, when you enter it on their behalf."),
    )
    comments = forms.CharField(label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
