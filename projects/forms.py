"""Forms of the project pages. They parse input; every rule of the domain is the services'."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from pmo.forms import DateWindowFormMixin
from pmo.models import Organization, WorkingCalendar
from pmo.money import validate_money
from projects.filters import PortfolioChoiceField, organization_users, portfolios_in_tree_order
from projects.models import (
    ConstraintType,
    DependencyType,
    PercentCompleteMethod,
    Portfolio,
    Project,
    ProjectRole,
    WbsElement,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.username})" if str(obj) != obj.username else str(obj.username)


class ProjectForm(DateWindowFormMixin, forms.ModelForm):
    """The fields of a project a person enters; the service checks people and portfolios."""

    tags = forms.CharField(label=_("Tags"), required=False, max_length=400, help_text=_("Words separated by commas."))

    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "description",
            "objectives",
            "portfolio",
            "sponsor",
            "manager",
            "client",
            "priority",
            "currency",
            "planned_start",
            "planned_finish",
            "calendar",
        ]
        widgets = {
            "planned_start": DATE_INPUT,
            "planned_finish": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"portfolio": PortfolioChoiceField, "sponsor": PersonChoiceField, "manager": PersonChoiceField}

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        if instance is not None and instance.pk:
            kwargs.setdefault("initial", {})["tags"] = ", ".join(instance.tags or [])
        else:
            kwargs.setdefault("initial", {}).setdefault("currency", organization.default_currency)
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["portfolio"].queryset = portfolios_in_tree_order(organization)
        fields["sponsor"].queryset = organization_users(organization)
        fields["manager"].queryset = organization_users(organization)
        fields["calendar"].queryset = WorkingCalendar.objects.for_organization(organization).order_by("name")
        fields["currency"].widget.attrs.update({"maxlength": 3, "autocapitalize": "characters"})
        self.order_fields([*self.Meta.fields[:10], "tags", *self.Meta.fields[10:]])

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"] or "").strip().upper()

    def service_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class PortfolioForm(forms.ModelForm):
    parent = PortfolioChoiceField(
        label=_("Inside portfolio"),
        queryset=Portfolio.objects.none(),
        required=False,
        empty_label=_("None: this is a portfolio"),
        help_text=_("Choose a portfolio to make this a programme inside it."),
    )
    owner = PersonChoiceField(label=_("Owner"), queryset=Portfolio.objects.none(), required=False)

    class Meta:
        model = Portfolio
        fields = ["name", "parent", "owner", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Portfolio.objects.for_organization(organization).filter(parent__isnull=True).order_by("name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        fields: dict[str, Any] = self.fields
        fields["parent"].queryset = parents
        fields["owner"].queryset = organization_users(organization)

    def service_fields(self) -> dict[str, Any]:
        fields = dict(self.cleaned_data)
        fields["kind"] = Portfolio.Kind.PROGRAMME if fields.get("parent") else Portfolio.Kind.PORTFOLIO
        return fields


class ProjectMemberForm(forms.Form):
    user = PersonChoiceField(label=_("Person"), queryset=Portfolio.objects.none())
    role = forms.ChoiceField(label=_("Project role"), choices=ProjectRole.choices, initial=ProjectRole.MEMBER)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = organization_users(organization)  # type: ignore[attr-defined]


class ProjectMemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Project role"), choices=ProjectRole.choices)


class GateForm(forms.Form):
    passed_criteria = forms.TypedMultipleChoiceField(
        label=_("Checklist"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick every item that is met; all must be met to pass the gate."),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, criteria: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["passed_criteria"].choices = [(c.pk, c.text) for c in criteria]  # type: ignore[attr-defined]


class CancelProjectForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason for cancelling"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


def element_choices(elements: Sequence[WbsElement], *, blank: Any) -> list[tuple[Any, Any]]:
    return [("", blank)] + [(element.pk, f"{element.code} {element.name}") for element in elements]


class WbsElementForm(DateWindowFormMixin, forms.Form):
    """Add or change an element. ``elements`` are the possible parents, already loaded."""

    name = forms.CharField(label=_("Name"), max_length=255)
    parent = forms.TypedChoiceField(label=_("Parent"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (WbsElement.Kind.TASK, _("Task")),
            (WbsElement.Kind.MILESTONE, _("Milestone")),
            (WbsElement.Kind.SUMMARY, _("Summary")),
        ],
        initial=WbsElement.Kind.TASK,
        help_text=_("A summary rolls up the elements under it; a milestone has no duration."),
    )
    duration = forms.IntegerField(label=_("Duration (working days)"), min_value=0, max_value=10000, initial=5)
    budgeted_cost = forms.DecimalField(
        label=_("Budgeted cost"),
        min_value=Decimal("0"),
        max_digits=16,
        decimal_places=2,
        initial=Decimal("0"),
        validators=[validate_money],
    )
    percent_complete_method = forms.ChoiceField(
        label=_("Percent-complete method"),
        choices=PercentCompleteMethod.choices,
        initial=PercentCompleteMethod.PHYSICAL,
    )
    position = forms.IntegerField(
        label=_("Position among its siblings"),
        min_value=1,
        required=False,
        help_text=_("Empty: after the last one."),
    )
    constraint_type = forms.TypedChoiceField(
        label=_("Constraint"),
        choices=ConstraintType.choices,
        initial=ConstraintType.ASAP,
        required=False,
        empty_value=ConstraintType.ASAP,
        help_text=_(
            "A date the task holds to, as in MS Project; “Must start on” and “Must finish on” win over the links."
        ),
    )
    constraint_date = forms.DateField(
        label=_("Constraint date"),
        required=False,
        widget=DATE_INPUT,
        help_text=_(
            "Required unless “As soon as possible”. On a non-working day a start moves to the next working day, "
            "a finish to the working day before."
        ),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self, *args: Any, parents: Sequence[WbsElement], element: WbsElement | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.parents = {parent.pk: parent for parent in parents}
        self.fields["parent"].choices = element_choices(parents, blank=_("(top level)"))  # type: ignore[attr-defined]
        if element is not None and not element.is_leaf:
            # A summary's kind, duration, cost and method come from the elements under it.
            for name in (
                "kind",
                "duration",
                "budgeted_cost",
                "percent_complete_method",
                "constraint_type",
                "constraint_date",
            ):
                del self.fields[name]
        elif element is not None:
            self.fields["kind"].choices = [  # type: ignore[attr-defined]
                (WbsElement.Kind.TASK, _("Task")),
                (WbsElement.Kind.MILESTONE, _("Milestone")),
            ]

    def clean_parent(self) -> WbsElement | None:
        parent_id = self.cleaned_data.get("parent")
        if parent_id is None:
            return None
        parent = self.parents.get(parent_id)
        if parent is None:
            raise forms.ValidationError(_("Choose one of the elements listed."), code="invalid_choice")
        return parent

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == WbsElement.Kind.MILESTONE:
            cleaned["duration"] = 0
        if cleaned.get("constraint_type") == ConstraintType.ASAP:
            cleaned["constraint_date"] = None  # a date left in the field when the constraint was taken off
        return cleaned


class DependencyForm(forms.Form):
    predecessor = forms.TypedChoiceField(label=_("Predecessor"), coerce=int)
    type = forms.ChoiceField(label=_("Type"), choices=DependencyType.choices, initial=DependencyType.FS)
    lag = forms.IntegerField(
        label=_("Lag (working days)"),
        initial=0,
        min_value=-1000,
        max_value=1000,
        help_text=_("Negative for a lead."),
    )

    def __init__(self, *args: Any, candidates: Sequence[WbsElement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {candidate.pk: candidate for candidate in candidates}
        self.fields["predecessor"].choices = element_choices(candidates, blank="—")  # type: ignore[attr-defined]

    def clean_predecessor(self) -> WbsElement:
        element = self.candidates.get(self.cleaned_data["predecessor"])
        if element is None:
            raise forms.ValidationError(_("Choose one of the tasks listed."), code="invalid_choice")
        return element


class ProgressForm(DateWindowFormMixin, forms.Form):
    percent_complete = forms.DecimalField(
        label=_("Percent complete"),
        required=False,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": "any"}),
    )
    actual_start = forms.DateField(label=_("Actual start"), required=False, widget=DATE_INPUT)
    actual_finish = forms.DateField(label=_("Actual finish"), required=False, widget=DATE_INPUT)
    effective_date = forms.DateField(label=_("Effective date"), widget=DATE_INPUT)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    clear_actual_start = forms.BooleanField(label=_("Clear the actual start (not started after all)"), required=False)
    clear_actual_finish = forms.BooleanField(
        label=_("Clear the actual finish (not finished after all)"), required=False
    )

    def __init__(self, *args: Any, task: WbsElement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if task.percent_complete_method != PercentCompleteMethod.PHYSICAL:
            # With 0/100 and 50/50 the percentage follows the actual dates.
            del self.fields["percent_complete"]

    def service_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class BaselineForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    make_current = forms.BooleanField(label=_("Make it the current baseline"), required=False, initial=True)
