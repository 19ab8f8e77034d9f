"""The work-order list's filter and orderings (pages and API share them), and the forms of the work
order and settings pages.

The filter names are those the O&M figures link to: ``status`` (``any_open`` for every open one),
``priority``, ``kind``, ``site``, ``category``, ``contractor``, ``origin_project``, ``overdue``,
``breached`` (``true``/``false``), ``assignee`` (a member's id, or ``me``) and ``q``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import Case, F, IntegerField, OrderBy, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from maintenance.models import (
    OPEN_STATUSES,
    AssetCategory,
    Contractor,
    EnteredAs,
    Priority,
    Site,
    WorkOrder,
    WorkOrderKind,
    WorkOrderStatus,
)
from maintenance.selectors import AGE_KEYS, age_q
from maintenance.visibility import breached_q, overdue_q
from pmo.forms import QuickSelect
from pmo.models import Organization, User
from pmo.tenancy import active_organization, active_organization_id
from projects.models import Project

ANY_OPEN = "any_open"
#: The O&M home's age buckets of open work orders, by their key in ``AGE_BUCKETS``.
AGE_LABELS = {
    "lt1": _("Under a day"),
    "1to7": _("1 to 7 days"),
    "7to30": _("7 to 30 days"),
    "gt30": _("30 days or more"),
}
STATUS_CHOICES = [(ANY_OPEN, _("Open (not yet completed)")), *WorkOrderStatus.choices]
YES_NO = [("true", _("Yes")), ("false", _("No"))]
ME = "me"
CODE = re.compile(r"^\s*(?:WO-?)?0*(\d{1,9})\s*$", re.IGNORECASE)
PRIORITY_RANK = Case(
    *(When(priority=priority, then=Value(index)) for index, priority in enumerate(Priority.values)),
    default=Value(9),
    output_field=IntegerField(),
)
STATUS_RANK = Case(
    *(When(status=status, then=Value(index)) for index, status in enumerate(WorkOrderStatus.values)),
    default=Value(99),
    output_field=IntegerField(),
)


def _asc(name: str) -> OrderBy:
    return F(name).asc(nulls_last=True)


def _desc(name: str) -> OrderBy:
    return F(name).desc(nulls_last=True)


ORDERINGS: dict[str, tuple[Any, ...]] = {
    "number": ("number",),
    "-number": ("-number",),
    "priority": (PRIORITY_RANK.asc(), "resolution_due_at", "number"),
    "-priority": (PRIORITY_RANK.desc(), "resolution_due_at", "number"),
    "status": (STATUS_RANK.asc(), "resolution_due_at", "number"),
    "-status": (STATUS_RANK.desc(), "resolution_due_at", "number"),
    "due": (_asc("resolution_due_at"), "number"),
    "-due": (_desc("resolution_due_at"), "-number"),
    "opened": (_asc("opened_at"), "number"),
    "-opened": (_desc("opened_at"), "-number"),
}
DEFAULT_ORDERING = "-number"
SORTABLE = ("number", "priority", "status", "due", "opened")


def ordering_of(value: str | None) -> str:
    return value if value in ORDERINGS else DEFAULT_ORDERING


def _scope() -> Organization | int | None:
    return active_organization() or active_organization_id()


def organization_members(organization: Organization | int | None) -> QuerySet[User]:
    if organization is None:
        return User.objects.none()
    return User.objects.filter(memberships__organization=organization, is_active=True).order_by(
        "display_name", "username"
    )


def _sites(request: Any) -> QuerySet[Site]:
    organization = _scope()
    return Site.objects.for_organization(organization).order_by("code") if organization else Site.objects.none()


def _categories(request: Any) -> QuerySet[AssetCategory]:
    organization = _scope()
    if organization is None:
        return AssetCategory.objects.none()
    return AssetCategory.objects.for_organization(organization).order_by("code")


def _contractors(request: Any) -> QuerySet[Contractor]:
    organization = _scope()
    if organization is None:
        return Contractor.objects.none()
    return Contractor.objects.for_organization(organization).order_by("name")


def _projects(request: Any) -> QuerySet[Project]:
    organization = _scope()
    if organization is None:
        return Project.objects.none()
    return Project.objects.for_organization(organization).order_by("code")


class NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        code = getattr(obj, "code", "")
        name = getattr(obj, "name", str(obj))
        return f"{code} {name}".strip() if code and not isinstance(obj, AssetCategory) else str(name)


class WorkOrderFilter(django_filters.FilterSet):
    """Filters of the work-order list, for the page and the API."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        method="in_status", choices=STATUS_CHOICES, label=_("Status"), empty_label=_("Any status")
    )
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Priority"), empty_label=_("Any priority"))
    kind = django_filters.ChoiceFilter(
        choices=WorkOrderKind.choices, label=pgettext_lazy("work order", "Kind"), empty_label=_("Any kind")
    )
    site = django_filters.ModelChoiceFilter(queryset=_sites, label=_("Site"), empty_label=_("Any site"))
    category = django_filters.ModelChoiceFilter(
        field_name="asset__category",
        queryset=_categories,
        label=pgettext_lazy("asset category", "Category"),
        empty_label=_("Any category"),
    )
    contractor = django_filters.ModelChoiceFilter(
        queryset=_contractors, label=_("Contractor"), empty_label=_("Any contractor")
    )
    origin_project = django_filters.ModelChoiceFilter(
        queryset=_projects, label=_("Origin project"), empty_label=_("Any project"), widget=QuickSelect
    )
    overdue = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_overdue", label=_("Overdue"), empty_label=_("Any")
    )
    breached = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_breached", label=_("SLA breached"), empty_label=_("Any")
    )
    age = django_filters.ChoiceFilter(
        choices=[(key, AGE_LABELS[key]) for key in AGE_KEYS],
        method="filter_age",
        label=_("Open for"),
        empty_label=_("Any age"),
        help_text=_("Time since the work order was opened, as the O&M home groups open work orders."),
    )
    assignee = django_filters.CharFilter(
        method="filter_assignee", label=_("Assigned to"), help_text=_("A member's id, or “me”.")
    )

    class Meta:
        model = WorkOrder
        fields = [
            "q",
            "status",
            "priority",
            "kind",
            "site",
            "category",
            "contractor",
            "origin_project",
            "overdue",
            "breached",
            "age",
            "assignee",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("site", "category", "contractor", "origin_project"):
            self.filters[name].field_class = NamedChoiceField

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Words in the title, the description, the location, the asset or the reporter; "WO-12" or "12"
        finds number 12."""
        value = value.strip()
        if not value:
            return queryset
        condition = (
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(location_text__icontains=value)
            | Q(asset__code__icontains=value)
            | Q(asset__name__icontains=value)
            | Q(reporter_name__icontains=value)
        )
        code = CODE.match(value)
        if code:
            condition |= Q(number=int(code.group(1)))
        return queryset.filter(condition)

    def in_status(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == ANY_OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        late = overdue_q(timezone.now())
        return queryset.filter(late) if value == "true" else queryset.exclude(late)

    def filter_breached(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        missed = breached_q(timezone.now())
        return queryset.filter(missed) if value == "true" else queryset.exclude(missed)

    def filter_age(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(age_q(value, timezone.now()))

    def filter_assignee(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        if value == ME:
            request = getattr(self, "request", None)
            user_id = getattr(getattr(request, "user", None), "pk", None)
            return queryset.filter(assignee_id=user_id)
        if value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset.none()


# --- the forms of the pages -------------------------------------------------------------------


def _choices(rows: list[Any], label: Any = str) -> list[tuple[Any, str]]:
    return [("", "—"), *((row.pk, label(row)) for row in rows)]


class PickMixin:
    """Forms choosing among rows the page read once: each field's value maps to its row."""

    fields: dict[str, forms.Field]

    def set_rows(self, name: str, rows: list[Any], label: Any = str) -> None:
        self.fields[name].choices = _choices(rows, label)  # type: ignore[attr-defined]
        if not hasattr(self, "rows"):
            self.rows: dict[str, dict[int, Any]] = {}
        self.rows[name] = {row.pk: row for row in rows}

    def row(self, name: str, value: Any) -> Any:
        if value in (None, ""):
            return None
        found = self.rows[name].get(int(value))
        if found is None:
            raise forms.ValidationError(_("Choose one of the list."))
        return found


def pick(label: Any, required: bool = False, **options: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, coerce=int, required=required, empty_value=None, **options)


def member_label(user: User) -> str:
    return str(user.display_name or user.username)


class RequestForm(PickMixin, forms.Form):
    title = forms.CharField(label=_("What needs doing"), max_length=255)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.P3)
    asset = pick(_("Asset"))
    site = pick(_("Site"))
    location_text = forms.CharField(
        label=_("Or describe the place"),
        max_length=255,
        required=False,
        help_text=_("When it is not an asset of the register."),
    )
    reporter_name = forms.CharField(label=_("Reported by (a caller, a citizen)"), max_length=120, required=False)
    reporter_contact = forms.CharField(label=_("Their phone or e-mail"), max_length=120, required=False)

    def clean_asset(self) -> Any:
        return self.row("asset", self.cleaned_data.get("asset"))

    def clean_site(self) -> Any:
        return self.row("site", self.cleaned_data.get("site"))


class AssignForm(PickMixin, forms.Form):
    assignee = pick(_("Member"))
    contractor = pick(_("Contractor"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def clean_assignee(self) -> Any:
        return self.row("assignee", self.cleaned_data.get("assignee"))

    def clean_contractor(self) -> Any:
        return self.row("contractor", self.cleaned_data.get("contractor"))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class HoldForm(PickMixin, forms.Form):
    reason = pick(_("Reason"), required=True)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def clean_reason(self) -> Any:
        return self.row("reason", self.cleaned_data.get("reason"))


class CompleteForm(forms.Form):
    work_done = forms.CharField(label=_("Work done"), widget=forms.Textarea(attrs={"rows": 3}))
    labour_hours = forms.DecimalField(
        label=_("Labour hours"), min_value=Decimal("0"), max_digits=8, decimal_places=2, initial=Decimal("0")
    )
    materials = forms.CharField(label=_("Materials"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    cost = forms.DecimalField(
        label=_("Cost"), min_value=Decimal("0"), max_digits=14, decimal_places=2, initial=Decimal("0")
    )


class VerifyForm(forms.Form):
    value = forms.DecimalField(label=_("New reading"), required=False, max_digits=14, decimal_places=4)
    second_value = forms.DecimalField(label=_("Second reading"), required=False, max_digits=14, decimal_places=4)
    entered_as = forms.ChoiceField(label=_("Entered as"), choices=EnteredAs.choices, initial=EnteredAs.VALUE)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why cancel"), max_length=2000)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    note = forms.CharField(label=_("Why"), required=False, max_length=2000)


# --- settings ---------------------------------------------------------------------------------


class WorkingHoursForm(PickMixin, forms.Form):
    calendar = pick(_("Working calendar"), help_text=_("Empty: the organisation's default calendar."))
    workday_start = forms.TimeField(label=_("Working day starts at"), widget=forms.TimeInput(attrs={"type": "time"}))
    workday_end = forms.TimeField(label=_("Working day ends at"), widget=forms.TimeInput(attrs={"type": "time"}))
    round_lead_days = forms.IntegerField(label=_("Make inspection rounds ahead (days)"), min_value=0, max_value=92)

    def clean_calendar(self) -> Any:
        return self.row("calendar", self.cleaned_data.get("calendar"))


class SlaTargetForm(forms.Form):
    response_hours = forms.DecimalField(
        label=_("Respond within (hours)"), min_value=Decimal("0.25"), max_digits=7, decimal_places=2
    )
    resolution_hours = forms.DecimalField(
        label=_("Resolve within (hours)"), min_value=Decimal("0.25"), max_digits=7, decimal_places=2
    )
    around_the_clock = forms.BooleanField(label=_("Around the clock"), required=False)


class HoldReasonForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    pauses_clock = forms.BooleanField(label=_("Pauses the SLA clock"), required=False)


class HoldReasonEditForm(forms.Form):
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    pauses_clock = forms.BooleanField(label=_("Pauses the SLA clock"), required=False)
    is_active = forms.BooleanField(label=_("In use"), required=False)


class InspectorForm(PickMixin, forms.Form):
    user = pick(_("Member"), required=True)

    def clean_user(self) -> Any:
        return self.row("user", self.cleaned_data.get("user"))
