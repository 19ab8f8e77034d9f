"""Forms of the status report and change request pages, and the filter sets pages and API share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from pmo.forms import DateWindowForm, DateWindowFormMixin
from pmo.money import validate_money
from projects.models import ChangeRequest, Project, Rag, StatusReport, WbsElement

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatusReportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=StatusReport.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    period_end_after = django_filters.DateFilter(
        field_name="period_end", lookup_expr="gte", label=_("Week ending from"), widget=DATE_INPUT
    )
    period_end_before = django_filters.DateFilter(
        field_name="period_end", lookup_expr="lte", label=_("Week ending to"), widget=DATE_INPUT
    )

    class Meta:
        model = StatusReport
        form = DateWindowForm
        fields = ["status", "period_end_after", "period_end_before"]


class ChangeRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=ChangeRequest.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    kind = django_filters.ChoiceFilter(choices=ChangeRequest.Kind.choices, label=_("Kind"), empty_label=_("Any kind"))
    text = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = ChangeRequest
        fields = ["status", "kind", "text"]

    def search(self, queryset: QuerySet[ChangeRequest], name: str, value: str) -> QuerySet[ChangeRequest]:
        """Words in the title, description or reason; "CR-12" or "12" also finds change request 12."""
        value = value.strip()
        if not value:
            return queryset
        condition = Q(title__icontains=value) | Q(description__icontains=value) | Q(reason__icontains=value)
        number = value.upper().removeprefix("CR-").strip()
        if number.isdigit():
            condition |= Q(number=int(number))
        return queryset.filter(condition)


class StatusReportCreateForm(DateWindowFormMixin, forms.Form):
    period_end = forms.DateField(
        label=_("Week ending"),
        widget=DATE_INPUT,
        help_text=_("Any day of the week will do: the report is dated the week's last working day."),
    )


def _rag_field(label: StrOrPromise) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=Rag.choices)


class StatusReportForm(forms.Form):
    rag_schedule = _rag_field(_("Schedule"))
    rag_cost = _rag_field(_("Cost"))
    rag_scope = _rag_field(_("Scope"))
    rag_quality = _rag_field(_("Quality"))
    rag_risk = _rag_field(_("Risk"))
    rag_overall = _rag_field(_("Overall"))
    accomplishments = forms.CharField(
        label=_("Accomplishments this week"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_steps = forms.CharField(label=_("Next steps"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    issues = forms.CharField(label=_("Issues"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    decisions_needed = forms.CharField(
        label=_("Decisions needed"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    rag_override_justification = forms.CharField(
        label=_("Why the overall rating differs from the computed one"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to submit when your overall rating is not the computed RAG."),
    )

    RAG_FIELDS = ("rag_schedule", "rag_cost", "rag_scope", "rag_quality", "rag_risk", "rag_overall")
    NARRATIVE_FIELDS = ("accomplishments", "next_steps", "issues", "decisions_needed")

    def rag_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.RAG_FIELDS]

    def narrative_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.NARRATIVE_FIELDS]


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    """The PMO office's reason for sending a submitted report back to its author."""

    prefix = "return"  # beside the review form's own comment on the same page

    comment = forms.CharField(
        label=_("What to change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The author sees this on the report, which becomes a draft again."),
    )


class ElementChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class ChangeRequestForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ChangeRequest.Kind.choices)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("What changes.")
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_("Why."))
    impact_days = forms.IntegerField(
        label=_("Schedule impact (working days)"),
        initial=0,
        help_text=_("Positive when the finish moves later, negative when earlier."),
    )
    impact_cost = forms.DecimalField(
        label=_("Cost impact"),
        max_digits=16,
        decimal_places=2,
        initial=0,
        validators=[validate_money],
        help_text=_("Negative for a saving."),
    )
    affected = ElementChoiceField(
        label=_("Affected WBS elements"),
        queryset=WbsElement.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        elements = WbsElement.objects.for_organization(project.organization_id).filter(project=project)
        self.fields["affected"].queryset = elements.order_by("sort_key")  # type: ignore[attr-defined]


class ImplementForm(forms.Form):
    create_baseline = forms.BooleanField(
        label=_("Create a new current baseline from the plan as it now stands"), required=False, initial=True
    )
