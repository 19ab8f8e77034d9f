"""The query forms of the utilisation pages: the heat map's filters, a resource's period, the demand table's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pmo.forms import DateWindowFormMixin
from pmo.models import Organization
from projects.models import Project
from resources.models import TIMED_KINDS, Resource, ResourceKind, ResourceRole, Skill
from resources.selectors import DEFAULT_WEEKS, MAX_WEEKS, MIN_WEEKS, UtilisationFilters, week_start

#: People and equipment: the kinds with a capacity (materials have none).
KIND_CHOICES = [("", _("People and equipment"))] + [
    (kind.value, kind.label) for kind in ResourceKind if kind in TIMED_KINDS
]
DETAIL_MAX_WEEKS = 26
DETAIL_DEFAULT_WEEKS = 4


class QuickSelect(forms.Select):
    """A select whose options are written in Python: Django renders each option through a template, and
    the open projects' 1,000 options took most of the heat map's time at L."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(item) for item in self.format_value(value)}
        options = []
        for option, label in self.choices:
            key = "" if option is None else str(option)
            selected = " selected" if key in chosen else ""
            options.append(f'<option value="{escape(key)}"{selected}>{escape(label)}</option>')
        return mark_safe(f"<select{flatatt(final)}>{''.join(options)}</select>")  # noqa: S308  (escaped above)


class _CodeNameChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class _PeriodForm(DateWindowFormMixin, forms.Form):
    """A week to start from (any day of it; this week by default) and a number of weeks."""

    start = forms.DateField(
        label=_("From the week of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    min_weeks, max_weeks, default_weeks = MIN_WEEKS, MAX_WEEKS, DEFAULT_WEEKS

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["weeks"] = forms.IntegerField(
            label=pgettext_lazy("number of weeks", "Weeks"),
            required=False,
            min_value=self.min_weeks,
            max_value=self.max_weeks,
            widget=forms.NumberInput(attrs={"placeholder": str(self.default_weeks)}),
        )
        self.order_fields(["start", "weeks"])

    def first_week(self) -> dt.date:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return week_start(data.get("start") or self.organization.today())

    def week_count(self) -> int:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return int(data.get("weeks") or self.default_weeks)


class UtilisationFilterForm(_PeriodForm):
    """The heat map's period and filters; each choice is the organisation's own."""

    department = forms.ChoiceField(label=_("Department"), required=False, widget=QuickSelect)
    skill = forms.ModelChoiceField(
        label=_("Skill"),
        queryset=Skill.objects.none(),
        required=False,
        empty_label=_("Any skill"),
        widget=QuickSelect,
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, required=False, widget=QuickSelect)
    role = forms.ModelChoiceField(
        label=_("Role"),
        queryset=ResourceRole.objects.none(),
        required=False,
        empty_label=_("Any role"),
        widget=QuickSelect,
    )
    project = _CodeNameChoice(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("Any project"),
        widget=QuickSelect,
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        departments = (
            Resource.objects.for_organization(organization)
            .exclude(department="")
            .order_by("department")
            .values_list("department", flat=True)
            .distinct()
        )
        department: Any = self.fields["department"]
        department.choices = [("", _("Any department")), *((name, name) for name in departments)]
        skill: Any = self.fields["skill"]
        skill.queryset = Skill.objects.for_organization(organization).order_by("name")
        role: Any = self.fields["role"]
        role.queryset = (
            ResourceRole.objects.for_organization(organization).filter(kind__in=sorted(TIMED_KINDS)).order_by("name")
        )
        project: Any = self.fields["project"]
        project.queryset = Project.objects.for_organization(organization).open().order_by("code")

    def filters(self) -> UtilisationFilters:
        if not (self.is_bound and self.is_valid()):
            return UtilisationFilters()
        data = self.cleaned_data
        return UtilisationFilters(
            department=data.get("department") or "",
            skill_id=data["skill"].pk if data.get("skill") else None,
            kind=data.get("kind") or "",
            project_id=data["project"].pk if data.get("project") else None,
            role_id=data["role"].pk if data.get("role") else None,
        )


class ResourcePeriodForm(_PeriodForm):
    """One resource's utilisation: from a week, for one to 26 weeks (four by default)."""

    min_weeks, max_weeks, default_weeks = 1, DETAIL_MAX_WEEKS, DETAIL_DEFAULT_WEEKS


class DemandFilterForm(_PeriodForm):
    """The demand table's period, role and kind."""

    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, required=False)
    role = forms.ModelChoiceField(
        label=_("Role"), queryset=ResourceRole.objects.none(), required=False, empty_label=_("Any role")
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        role: Any = self.fields["role"]
        role.queryset = (
            ResourceRole.objects.for_organization(organization).filter(kind__in=sorted(TIMED_KINDS)).order_by("name")
        )


class WeekForm(DateWindowFormMixin, forms.Form):
    """The week behind a cell of the heat map: any day of it."""

    week = forms.DateField(label=_("Week of"), required=False)
