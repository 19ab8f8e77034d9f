"""Forms of the issues log and of responses and actions, and the issue filter the page and the API share."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pmo.forms import DateWindowFormMixin
from pmo.models import Organization, User
from pmo.money import validate_money
from pmo.tenancy import active_organization, active_organization_id
from projects.models import ChangeRequest
from risks.models import (
    OPPORTUNITY_STRATEGIES,
    THREAT_STRATEGIES,
    ActionStatus,
    Issue,
    IssueSeverity,
    IssueStatus,
    ResponseStrategy,
    Risk,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("true", _("Yes")), ("false", _("No"))]


def organization_members(organization: Organization | int | None) -> QuerySet[User]:
    """The organisation's active members, by name (owners are chosen from them)."""
    if organization is None:
        return User.objects.none()
    return User.objects.filter(memberships__organization=organization, is_active=True).order_by("username")


def _scope_members(request: Any) -> QuerySet[User]:
    return organization_members(active_organization() or active_organization_id())


class IssueFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=IssueStatus.choices, label=_("Status"), empty_label=_("Any status"))
    severity = django_filters.ChoiceFilter(
        choices=IssueSeverity.choices, label=pgettext_lazy("issue", "Severity"), empty_label=_("Any severity")
    )
    owner = django_filters.ModelChoiceFilter(queryset=_scope_members, label=_("Owner"), empty_label=_("Anyone"))
    overdue = django_filters.ChoiceFilter(
        choices=YES_NO,
        method="filter_overdue",
        label=_("Overdue"),
        empty_label=_("Any"),
        help_text=_("Open or in progress, and due before today."),
    )
    text = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Issue
        fields = ["status", "severity", "owner", "overdue", "text"]

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        organization = active_organization() or Organization.objects.get(pk=active_organization_id() or 0)
        today = organization.today()
        late = Q(status__in=(IssueStatus.OPEN, IssueStatus.IN_PROGRESS), due__lt=today)
        return queryset.filter(late) if value == "true" else queryset.exclude(late)

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Words in the title, description or resolution; "I-3" or "3" also finds issue 3."""
        value = value.strip()
        if not value:
            return queryset
        condition = Q(title__icontains=value) | Q(description__icontains=value) | Q(resolution__icontains=value)
        number = value.upper().removeprefix("I-").strip()
        if number.isdigit():
            condition |= Q(number=int(number))
        return queryset.filter(condition)


class OwnerMixin:
    """A form with an ``owner`` chosen among members read once by the page (no query per form)."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    people: dict[int, User]

    def set_owners(self, owners: list[User]) -> None:
        self.people = {user.pk: user for user in owners}
        field = self.fields["owner"]
        field.choices = [("", "—"), *((user.pk, user.display_name or user.username) for user in owners)]  # type: ignore[attr-defined]

    def clean_owner(self) -> User | None:
        value = self.cleaned_data.get("owner")
        if value is None or value == "":
            return None
        user = self.people.get(int(value))
        if user is None:
            raise forms.ValidationError(_("Choose a member of the organisation."))
        return user


def owner_field(**options: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None, **options)


class IssueForm(OwnerMixin, DateWindowFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(
        label=pgettext_lazy("issue", "Severity"), choices=IssueSeverity.choices, initial=IssueSeverity.MEDIUM
    )
    owner = owner_field()
    due = forms.DateField(label=_("Due"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, organization: Organization, owners: list[User], **kwargs: Any) -> None:
        super().__init__(*args, date_window=organization.date_window, **kwargs)
        self.set_owners(owners)


class IssueEditForm(IssueForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(IssueStatus.OPEN, IssueStatus.OPEN.label), (IssueStatus.IN_PROGRESS, IssueStatus.IN_PROGRESS.label)],
    )


class ResolutionForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed if the issue was never resolved."),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why reopen it?"), required=False)


class ChangeRequestFromIssueForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of change"), choices=ChangeRequest.Kind.choices)
    impact_days = forms.IntegerField(label=_("Schedule impact (working days)"), initial=0)
    impact_cost = forms.DecimalField(
        label=_("Cost impact"), max_digits=16, decimal_places=2, initial=0, validators=[validate_money]
    )


class OccurredForm(OwnerMixin, DateWindowFormMixin, forms.Form):
    severity = forms.ChoiceField(
        label=pgettext_lazy("issue", "Severity"), choices=IssueSeverity.choices, initial=IssueSeverity.HIGH
    )
    owner = owner_field(help_text=_("Empty: the risk's owner."))
    due = forms.DateField(label=_("Due"), required=False, widget=DATE_INPUT)
    description = forms.CharField(
        label=pgettext_lazy("issue", "What happened"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Empty: the risk's event and effect."),
    )

    def __init__(self, *args: Any, organization: Organization, owners: list[User], **kwargs: Any) -> None:
        super().__init__(*args, date_window=organization.date_window, **kwargs)
        self.set_owners(owners)


# --- responses and actions ----------------------------------------------------------------


THREAT_ORDER = ("avoid", "mitigate", "transfer", "accept", "escalate")
OPPORTUNITY_ORDER = ("exploit", "enhance", "share", "accept", "escalate")


def strategy_choices(risk: Risk) -> list[tuple[str, Any]]:
    """The strategies for the risk's kind, in the order they are usually weighed."""
    order = OPPORTUNITY_ORDER if risk.is_opportunity else THREAT_ORDER
    allowed = OPPORTUNITY_STRATEGIES if risk.is_opportunity else THREAT_STRATEGIES
    return [(value, ResponseStrategy(value).label) for value in order if value in allowed]


class ResponseForm(forms.Form):
    strategy = forms.ChoiceField(label=_("Strategy"))
    description = forms.CharField(label=_("What it does"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, risk: Risk, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["strategy"].choices = strategy_choices(risk)  # type: ignore[attr-defined]


class ActionForm(OwnerMixin, DateWindowFormMixin, forms.Form):
    """An action's fields; adding one also names the response it carries out (when the risk has several)."""

    response = forms.TypedChoiceField(label=pgettext_lazy("risk", "Response"), coerce=int)
    title = forms.CharField(label=pgettext_lazy("response action", "Action"), max_length=200)
    owner = owner_field()
    due = forms.DateField(label=_("Due"), required=False, widget=DATE_INPUT)
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices, initial=ActionStatus.PLANNED)
    cost = forms.DecimalField(
        label=_("Cost"), max_digits=16, decimal_places=2, min_value=0, initial=0, validators=[validate_money]
    )

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        owners: list[User],
        responses: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, date_window=organization.date_window, **kwargs)
        self.set_owners(owners)
        if responses is None:
            del self.fields["response"]
        else:
            self.fields["response"].choices = responses  # type: ignore[attr-defined]
            if len(responses) == 1:
                self.fields["response"].widget = forms.HiddenInput()
                self.fields["response"].initial = responses[0][0]


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
