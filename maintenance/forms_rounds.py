"""Forms of the inspection plan and round pages, and the round lists' filters (pages and API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from maintenance.models import (
    Area,
    AssetCategory,
    Criterion,
    DayRule,
    Frequency,
    InspectionPlan,
    Round,
    RoundStatus,
    Site,
)
from pmo.forms import DateWindowFormMixin
from pmo.models import User

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: The status filter's value for "scheduled or in progress".
OPEN = "open"
STATUS_CHOICES = [(OPEN, _("Open (scheduled or in progress)")), *RoundStatus.choices]
MINE, EVERYONE = "mine", "all"


def user_label(user: User) -> str:
    return user.get_full_name() or user.username


class ChoicesField(forms.ModelMultipleChoiceField):
    """A multiple choice of the organisation's rows, labelled by the given function."""

    def __init__(self, *args: Any, label_of: Any = str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label_of = label_of

    def label_from_instance(self, obj: Any) -> str:
        return str(self.label_of(obj))


class PlanForm(DateWindowFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices, initial=Frequency.WEEKLY)
    day_rule = forms.ChoiceField(
        label=_("Days"),
        choices=DayRule.choices,
        initial=DayRule.WORKING_DAYS,
        help_text=_("On working days, a round is due on the last working day of its period."),
    )
    inspector = forms.ModelChoiceField(
        label=_("Inspector"), queryset=User.objects.none(), required=False, empty_label=_("Nobody yet")
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE_INPUT, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    sites = ChoicesField(
        label=_("Sites"),
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every site."),
    )
    areas = ChoicesField(
        label=_("Areas"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every area of the sites."),
    )
    categories = ChoicesField(
        label=_("Asset categories"),
        queryset=AssetCategory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every category."),
    )
    criteria = ChoicesField(
        label=_("Criteria"),
        queryset=Criterion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every criterion in force of each asset's category."),
    )

    def __init__(self, *args: Any, organization: Any, inspectors: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["inspector"].queryset = User.objects.filter(pk__in=[user.pk for user in inspectors]).order_by("username")
        fields["inspector"].label_from_instance = user_label
        fields["sites"].queryset = Site.objects.for_organization(organization).order_by("code")
        fields["sites"].label_of = lambda site: f"{site.code} {site.name}"
        fields["areas"].queryset = (
            Area.objects.for_organization(organization).select_related("site").order_by("site__code", "position")
        )
        fields["areas"].label_of = lambda area: f"{area.site.code} · {area.name}"
        fields["categories"].queryset = AssetCategory.objects.for_organization(organization).filter(is_active=True)
        fields["categories"].label_of = lambda category: category.name
        fields["criteria"].queryset = (
            Criterion.objects.for_organization(organization)
            .filter(retired_at__isnull=True, versions__is_current=True)
            .select_related("category")
            .prefetch_related("versions")
            .order_by("category__position", "category__code", "position", "code")
        )
        fields["criteria"].label_of = criterion_label

    @staticmethod
    def initial_of(plan: InspectionPlan) -> dict[str, Any]:
        return {
            "name": plan.name,
            "frequency": plan.frequency,
            "day_rule": plan.day_rule,
            "inspector": plan.inspector_id,
            "starts_on": plan.starts_on,
            "ends_on": plan.ends_on,
            "is_active": plan.is_active,
            "sites": list(plan.sites.values_list("pk", flat=True)),
            "areas": list(plan.areas.values_list("pk", flat=True)),
            "categories": list(plan.categories.values_list("pk", flat=True)),
            "criteria": list(plan.criteria.values_list("pk", flat=True)),
        }


def criterion_label(criterion: Criterion) -> str:
    current = next((version for version in criterion.versions.all() if version.is_current), None)
    measure = current.measure if current is not None else criterion.code
    return f"{criterion.category.name} · {measure}"


class RoundListFilter(forms.Form):
    """The round list's filters: whose, status, overdue."""

    whose = forms.ChoiceField(
        label=_("Rounds"), required=False, choices=[(MINE, _("Mine")), (EVERYONE, _("Everyone's"))]
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")), *STATUS_CHOICES])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class RoundFilter(django_filters.FilterSet):
    """The API's round filters: status (``open`` for scheduled or in progress), overdue, mine, plan."""

    status = django_filters.ChoiceFilter(method="in_status", choices=STATUS_CHOICES, label=_("Status"))
    overdue = django_filters.BooleanFilter(method="is_overdue", label=_("Open and past its due date"))
    mine = django_filters.BooleanFilter(method="is_mine", label=_("Given to me"))
    plan = django_filters.NumberFilter(field_name="plan_id", label=_("Inspection plan (id)"))

    class Meta:
        model = Round
        fields = ["status", "overdue", "mine", "plan"]

    def in_status(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == OPEN:
            return queryset.filter(status__in=[RoundStatus.SCHEDULED, RoundStatus.IN_PROGRESS])
        return queryset.filter(status=value)

    def is_overdue(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        today = self.request.organization_today
        overdue = queryset.filter(status__in=[RoundStatus.SCHEDULED, RoundStatus.IN_PROGRESS], due_date__lt=today)
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    def is_mine(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        user_id = self.request.user.pk
        return queryset.filter(inspector_id=user_id) if value else queryset.exclude(inspector_id=user_id)


class CancelRoundForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the round cancelled?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SkipForm(forms.Form):
    note = forms.CharField(
        label=_("Why was it not reached?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
