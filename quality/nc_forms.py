"""The non-conformance list's filter and orderings (pages and API share them) and the forms of its pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import django_filters
from django import forms
from django.db.models import Case, F, IntegerField, OrderBy, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pmo.forms import DateWindowFormMixin
from pmo.models import Organization, User
from pmo.money import validate_money
from pmo.tenancy import active_organization, active_organization_id
from projects.models import OPEN_PHASES, Project, WbsElement
from quality.models import (
    OPEN_NC_STATUSES,
    ActionKind,
    ActionStatus,
    InspectionType,
    NcStatus,
    NonConformance,
    PartyKind,
    Severity,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: The status filter's value for "any open status" (``open`` is the first step's own status).
ANY_OPEN = "any_open"
STATUS_CHOICES = [(ANY_OPEN, _("Open (any step)")), *NcStatus.choices]
#: The organisation list's filter for the open projects' non-conformances (what the figures count).
OPEN_PROJECTS = "open"
PROJECT_STATE_CHOICES = [(OPEN_PROJECTS, _("Open projects only"))]
YES_NO = [("true", _("Yes")), ("false", _("No"))]
CODE = re.compile(r"^\s*NC-?0*(\d{1,9})\s*$", re.IGNORECASE)

#: Critical first: the order a reader weighs them in.
SEVERITY_RANK = Case(
    When(severity=Severity.CRITICAL, then=Value(0)),
    When(severity=Severity.MAJOR, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
#: The lifecycle's order, cancelled last.
STATUS_RANK = Case(
    *(When(status=status, then=Value(index)) for index, status in enumerate(NcStatus.values)),
    default=Value(99),
    output_field=IntegerField(),
)


def _asc(name: str) -> OrderBy:
    return F(name).asc(nulls_last=True)


def _desc(name: str) -> OrderBy:
    return F(name).desc(nulls_last=True)


#: Ordering keys of the list pages → the columns they sort by (ties by project and number).
ORDERINGS: dict[str, tuple[Any, ...]] = {
    "code": ("project__code", "number"),
    "-code": (_desc("project__code"), "-number"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "severity": (SEVERITY_RANK.asc(), "due_date", "number"),
    "-severity": (SEVERITY_RANK.desc(), "due_date", "number"),
    "status": (STATUS_RANK.asc(), "due_date", "number"),
    "-status": (STATUS_RANK.desc(), "due_date", "number"),
    "due": (_asc("due_date"), "project__code", "number"),
    "-due": (_desc("due_date"), "project__code", "-number"),
    "raised": (_asc("raised_on"), "project__code", "number"),
    "-raised": (_desc("raised_on"), "project__code", "-number"),
}
DEFAULT_ORDERING = "-code"
SORTABLE = ("code", "title", "severity", "status", "due", "raised")


def ordering_of(value: str | None) -> str:
    return value if value in ORDERINGS else DEFAULT_ORDERING


def organization_members(organization: Organization | int | None) -> QuerySet[User]:
    """The organisation's active members, by name (owners and responsible members are chosen from them)."""
    if organization is None:
        return User.objects.none()
    return User.objects.filter(memberships__organization=organization, is_active=True).order_by(
        "display_name", "username"
    )


def _scope_organization() -> Organization | int | None:
    return active_organization() or active_organization_id()


def _scope_members(request: Any) -> QuerySet[User]:
    return organization_members(_scope_organization())


def _scope_types(request: Any) -> QuerySet[InspectionType]:
    organization = _scope_organization()
    if organization is None:
        return InspectionType.objects.none()
    return InspectionType.objects.for_organization(organization).order_by("position", "code")


def _scope_projects(request: Any) -> QuerySet[Project]:
    organization = _scope_organization()
    if organization is None:
        return Project.objects.none()
    return Project.objects.for_organization(organization).order_by("code")


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class TypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name or obj.username)


class NcFilter(django_filters.FilterSet):
    """Filters of a non-conformance list (a project's, or the organisation's with ``project``)."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        method="in_status", choices=STATUS_CHOICES, label=_("Status"), empty_label=_("Any status")
    )
    severity = django_filters.ChoiceFilter(
        choices=Severity.choices, label=pgettext_lazy("quality", "Severity"), empty_label=_("Any severity")
    )
    type = django_filters.ModelChoiceFilter(
        field_name="inspection_type",
        queryset=_scope_types,
        label=_("Type"),
        empty_label=_("Any type"),
    )
    overdue = django_filters.ChoiceFilter(
        choices=YES_NO,
        method="filter_overdue",
        label=_("Overdue"),
        empty_label=_("Any"),
    )
    responsible = django_filters.ModelChoiceFilter(
        field_name="responsible_user",
        queryset=_scope_members,
        label=_("Responsible member"),
        empty_label=_("Anyone"),
    )

    class Meta:
        model = NonConformance
        fields = ["q", "status", "severity", "type", "overdue", "responsible"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["type"].field_class = TypeChoiceField
        self.filters["responsible"].field_class = MemberChoiceField

    @staticmethod
    def today() -> dt.date:
        organization = _scope_organization()
        if isinstance(organization, Organization):
            return organization.today()
        return Organization.objects.get(pk=organization or 0).today()

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Words in the title, description, location or contractor; "NC-3" or "3" also finds number 3."""
        value = value.strip()
        if not value:
            return queryset
        condition = (
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(location__icontains=value)
            | Q(responsible_name__icontains=value)
        )
        code = CODE.match(value) or re.match(r"^\s*(\d{1,9})\s*$", value)
        if code:
            condition |= Q(number=int(code.group(1)))
        return queryset.filter(condition)

    def in_status(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == ANY_OPEN:
            return queryset.filter(status__in=OPEN_NC_STATUSES)
        return queryset.filter(status=value)

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        late = Q(status__in=OPEN_NC_STATUSES, due_date__lt=self.today())
        return queryset.filter(late) if value == "true" else queryset.exclude(late)


class OrganizationNcFilter(NcFilter):
    """The organisation's list: every project's, or one project's."""

    project = django_filters.ModelChoiceFilter(
        queryset=_scope_projects, label=_("Project"), empty_label=_("Any project")
    )
    project_state = django_filters.ChoiceFilter(
        choices=PROJECT_STATE_CHOICES,
        method="in_project_state",
        label=_("Projects"),
        empty_label=_("All projects"),
    )

    class Meta(NcFilter.Meta):
        fields = [*NcFilter.Meta.fields, "project", "project_state"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["project"].field_class = ProjectChoiceField

    def in_project_state(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(project__phase__in=OPEN_PHASES) if value == OPEN_PROJECTS else queryset


class PeopleMixin:
    """Forms whose member fields choose among members read once by the page (no query per form)."""

    fields: dict[str, forms.Field]

    def set_people(self, people: list[User], *names: str) -> None:
        choices = [("", "—"), *((user.pk, user.display_name or user.username) for user in people)]
        self.people = {user.pk: user for user in people}
        for name in names:
            self.fields[name].choices = choices  # type: ignore[attr-defined]

    def person(self, value: Any) -> User | None:
        if value in (None, ""):
            return None
        user = self.people.get(int(value))
        if user is None:
            raise forms.ValidationError(_("Choose a member of the organisation."))
        return user


def member_field(label: Any, required: bool = False, **options: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, coerce=int, required=required, empty_value=None, **options)


class NcForm(PeopleMixin, DateWindowFormMixin, forms.Form):
    """Raise a non-conformance (and, without the type, change one)."""

    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(
        label=pgettext_lazy("quality", "Severity"), choices=Severity.choices, initial=Severity.MINOR
    )
    inspection_type = forms.TypedChoiceField(label=_("Type"), coerce=int)
    location = forms.CharField(label=_("Location"), max_length=255, required=False)
    wbs_element = forms.TypedChoiceField(label=_("WBS element"), coerce=int, required=False, empty_value=None)
    responsible_kind = forms.ChoiceField(
        label=_("Responsible party"), choices=PartyKind.choices, initial=PartyKind.MEMBER
    )
    responsible_user = member_field(_("Responsible member"))
    responsible_name = forms.CharField(
        label=_("Contractor or supplier"),
        max_length=200,
        required=False,
        help_text=_("The name of the contractor or supplier, when one is responsible."),
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_INPUT)

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        people: list[User],
        types: list[InspectionType] | None,
        elements: list[WbsElement],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, date_window=organization.date_window, **kwargs)
        self.set_people(people, "responsible_user")
        if types is None:
            del self.fields["inspection_type"]
        else:
            self.types = {kind.pk: kind for kind in types}
            self.fields["inspection_type"].choices = [(kind.pk, kind.name) for kind in types]  # type: ignore[attr-defined]
        self.elements = {element.pk: element for element in elements}
        self.fields["wbs_element"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((element.pk, f"{element.code} {element.name}") for element in elements),
        ]

    def clean_responsible_user(self) -> User | None:
        return self.person(self.cleaned_data.get("responsible_user"))

    def clean_inspection_type(self) -> InspectionType:
        kind = self.types.get(self.cleaned_data["inspection_type"])
        if kind is None:
            raise forms.ValidationError(_("Choose a type."))
        return kind

    def clean_wbs_element(self) -> WbsElement | None:
        value = self.cleaned_data.get("wbs_element")
        if value is None:
            return None
        element = self.elements.get(value)
        if element is None:
            raise forms.ValidationError(_("Choose an element of this project."))
        return element


class RootCauseForm(forms.Form):
    root_cause = forms.CharField(
        label=_("Root cause"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why it happened, not only what: the cause the corrective action removes."),
    )


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=NcStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class VerifyForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("true", _("Passed: close it")), ("false", _("Failed: back to the corrective work"))],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Evidence or reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was checked and found; when it failed, why."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 2}))


class ActionForm(PeopleMixin, DateWindowFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActionKind.choices, initial=ActionKind.CORRECTIVE)
    description = forms.CharField(
        label=pgettext_lazy("corrective action", "Action"), widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = member_field(_("Owner"), required=True)
    due_date = forms.DateField(label=_("Due date"), widget=DATE_INPUT)

    def __init__(self, *args: Any, organization: Organization, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, date_window=organization.date_window, **kwargs)
        self.set_people(people, "owner")

    def clean_owner(self) -> User | None:
        return self.person(self.cleaned_data.get("owner"))


class ActionUpdateForm(forms.Form):
    """An action's progress: what its owner reports (managers also change the rest in the API)."""

    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class ReworkCostForm(DateWindowFormMixin, forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=16, decimal_places=2, min_value=0, validators=[validate_money]
    )
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    supplier = forms.CharField(
        label=_("Supplier"),
        max_length=200,
        required=False,
        help_text=_("Empty: the responsible contractor or supplier."),
    )
    reference = forms.CharField(
        label=_("Invoice or expense reference"),
        max_length=100,
        required=False,
        help_text=_("Empty: the non-conformance's code."),
    )
