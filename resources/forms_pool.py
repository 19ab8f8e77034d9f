"""Forms and filters of the pool's pages (the filters serve the API's resource list too).

The forms only parse; the pool's rules live in the services (``resources.services.pool`` and
``rates_service``), which name the field that is wrong and change nothing.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pmo.forms import CSV_OR_WORKBOOK_ACCEPT, DateWindowFormMixin, csv_or_workbook_bytes
from pmo.models import Organization, User, WorkingCalendar
from pmo.tenancy import active_organization, active_organization_id
from resources.models import (
    CostRate,
    Resource,
    ResourceException,
    ResourceKind,
    ResourceRole,
    ResourceSettings,
    Skill,
)
from resources.services.settings import SETTINGS_FIELDS

YES_NO = [("true", _("Yes")), ("false", _("No"))]
LEVELS = [("", "—"), *((str(level), str(level)) for level in range(1, 6))]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: The pool list's orderings: the key the URL carries → the database ordering.
ORDERINGS: dict[str, tuple[str, ...]] = {
    "code": ("code", "pk"),
    "-code": ("-code", "-pk"),
    "name": ("name", "code"),
    "-name": ("-name", "-code"),
    "kind": ("kind", "code"),
    "-kind": ("-kind", "-code"),
    "department": ("department", "code"),
    "-department": ("-department", "-code"),
    "role": ("role__name", "code"),
    "-role": ("-role__name", "-code"),
}
SORTABLE = ("code", "name", "kind", "department", "role")
DEFAULT_ORDERING = "code"


def ordering_of(value: str | None) -> str:
    return value if value in ORDERINGS else DEFAULT_ORDERING


def _scope() -> Organization | int | None:
    return active_organization() or active_organization_id()


def _scope_roles(request: Any) -> QuerySet[ResourceRole]:
    organization = _scope()
    return ResourceRole.objects.none() if organization is None else ResourceRole.objects.for_organization(organization)


def _scope_skills(request: Any) -> QuerySet[Skill]:
    organization = _scope()
    return Skill.objects.none() if organization is None else Skill.objects.for_organization(organization)


class ResourceFilter(django_filters.FilterSet):
    """The pool's filters: words, kind, department, role, skill, placeholder, active."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(
        choices=ResourceKind.choices, label=_("Kind"), empty_label=pgettext_lazy("resource kind", "Any kind")
    )
    department = django_filters.CharFilter(field_name="department", lookup_expr="iexact", label=_("Department"))
    role = django_filters.ModelChoiceFilter(queryset=_scope_roles, label=_("Role"), empty_label=_("Any role"))
    skill = django_filters.ModelChoiceFilter(
        field_name="skills__skill", queryset=_scope_skills, label=_("Skill"), empty_label=_("Any skill")
    )
    placeholder = django_filters.ChoiceFilter(
        field_name="is_placeholder", choices=YES_NO, method="yes_no", label=_("Placeholder"), empty_label=_("Any")
    )
    active = django_filters.ChoiceFilter(
        field_name="is_active", choices=YES_NO, method="yes_no", label=_("Active"), empty_label=_("Any")
    )

    class Meta:
        model = Resource
        fields = ["q", "kind", "department", "role", "skill", "placeholder", "active"]

    def __init__(self, *args: Any, departments: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None:
            choices = [("", _("Any department")), *((name, name) for name in departments)]
            self.filters["department"].extra["widget"] = forms.Select(choices=choices)

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value)
            | Q(name__icontains=value)
            | Q(department__icontains=value)
            | Q(notes__icontains=value)
        )

    def yes_no(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value not in ("true", "false"):
            return queryset
        return queryset.filter(**{name: value == "true"})


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name or obj.username} ({obj.username})"


class ResourceForm(forms.ModelForm):
    """A resource's fields; the skills of the library are one level choice each (empty: not held)."""

    user = MemberChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No user"),
        label=_("user"),
        help_text=_("Named people only: the member whose timesheet this resource keeps."),
    )

    class Meta:
        model = Resource
        fields = [
            "code",
            "name",
            "kind",
            "is_placeholder",
            "user",
            "role",
            "department",
            "calendar",
            "hours_per_day",
            "max_units",
            "unit",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(
        self, *args: Any, organization: Organization, skill_levels: dict[int, int] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        user_field: Any = self.fields["user"]
        user_field.queryset = User.objects.filter(memberships__organization=organization, is_active=True).order_by(
            "display_name", "username"
        )
        role_field: Any = self.fields["role"]
        role_field.queryset = ResourceRole.objects.for_organization(organization).order_by("name")
        role_field.empty_label = _("No role")
        calendar_field: Any = self.fields["calendar"]
        calendar_field.queryset = WorkingCalendar.objects.for_organization(organization).order_by("name")
        calendar_field.empty_label = _("The organisation's default calendar")
        for field in ("hours_per_day", "max_units"):
            self.fields[field].required = False
        self.skills = list(Skill.objects.for_organization(organization).order_by("name"))
        levels = skill_levels or {}
        for skill in self.skills:
            self.fields[f"skill_{skill.pk}"] = forms.TypedChoiceField(
                label=skill.name,
                choices=LEVELS,
                coerce=int,
                empty_value=None,
                required=False,
                initial=str(levels[skill.pk]) if skill.pk in levels else "",
            )

    def _post_clean(self) -> None:
        """The services validate the resource; the form does not run the model's checks."""

    def skill_fields(self) -> list[Any]:
        return [self[f"skill_{skill.pk}"] for skill in self.skills]

    def main_fields(self) -> list[Any]:
        return [self[name] for name in self.Meta.fields]

    def service_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        for name in ("department", "unit", "notes"):
            data[name] = data[name] or ""
        if data["max_units"] is None:
            data.pop("max_units")
        if data["hours_per_day"] is None:
            data.pop("hours_per_day")
        return data

    def skill_levels(self) -> list[tuple[Skill, int]]:
        return [
            (skill, self.cleaned_data[f"skill_{skill.pk}"])
            for skill in self.skills
            if self.cleaned_data.get(f"skill_{skill.pk}") is not None
        ]


class RoleForm(forms.ModelForm):
    class Meta:
        model = ResourceRole
        fields = ["name", "kind"]

    def _post_clean(self) -> None:
        """The service checks the name (unique without case) and the kind."""


class SkillForm(forms.ModelForm):
    class Meta:
        model = Skill
        fields = ["name"]

    def _post_clean(self) -> None:
        """The service checks the name (unique without case)."""


class ExceptionForm(DateWindowFormMixin, forms.ModelForm):
    class Meta:
        model = ResourceException
        fields = ["kind", "start", "finish", "hours_per_day", "note"]
        widgets = {"start": DATE, "finish": DATE}

    def _post_clean(self) -> None:
        """The service checks the period (order, overlaps) and the part-time hours."""


class RateForm(DateWindowFormMixin, forms.ModelForm):
    class Meta:
        model = CostRate
        fields = ["effective_from", "standard_rate", "overtime_rate", "note"]
        widgets = {"effective_from": DATE}

    def __init__(self, *args: Any, material: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if material:
            del self.fields["overtime_rate"]
            self.fields["standard_rate"].label = _("cost per unit")
            self.fields["standard_rate"].help_text = ""

    def _post_clean(self) -> None:
        """The service checks the date (unique per resource) and the amounts."""


class ReplaceForm(forms.Form):
    resource = forms.ModelChoiceField(
        queryset=Resource.objects.none(),
        label=_("named resource"),
        help_text=_("Gets the placeholder's assignments; where it is on the same task, the work is added."),
    )

    def __init__(self, *args: Any, placeholder: Resource, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = (  # type: ignore[attr-defined]
            Resource.objects.for_organization(placeholder.organization_id)
            .filter(kind=placeholder.kind, is_placeholder=False, is_active=True)
            .order_by("code")
        )


class ResourceSettingsForm(forms.ModelForm):
    class Meta:
        model = ResourceSettings
        fields = SETTINGS_FIELDS
        widgets = {
            "timesheet_deadline_weekday": forms.Select(
                choices=[
                    (0, _("Monday")),
                    (1, _("Tuesday")),
                    (2, _("Wednesday")),
                    (3, _("Thursday")),
                    (4, _("Friday")),
                    (5, _("Saturday")),
                    (6, _("Sunday")),
                ]
            ),
            "timesheet_deadline_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def _post_clean(self) -> None:
        """The service validates and saves."""


#: The largest CSV file the pool import takes (a workbook: ``PMO_EXCHANGE_MAX_BYTES``).
CSV_MAX_BYTES = 5 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file or Excel workbook"),
        help_text=_("CSV in UTF-8, or GB18030 as Excel saves it, or an Excel workbook (.xlsx); at most 1,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": CSV_OR_WORKBOOK_ACCEPT}),
    )

    def clean_file(self) -> bytes:
        return csv_or_workbook_bytes(self.cleaned_data["file"], CSV_MAX_BYTES)
