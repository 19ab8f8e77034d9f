"""The resource request lists' filters (pages and API) and the forms of the request pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from pmo.forms import DateWindowFormMixin
from projects.models import WbsElement
from resources.forms_assignments import IdFilter, task_label
from resources.models import OPEN_REQUEST_STATUSES, RequestStatus, ResourceRequest, ResourceRole, Skill

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: The status filter's value for "open or proposed": what the resource office still has to decide.
WAITING = "waiting"
STATUS_CHOICES = [(WAITING, _("Waiting for a decision (open or proposed)")), *RequestStatus.choices]


class RequestFilter(django_filters.FilterSet):
    """Filters of a request list: status, role, skill (and project, on the organisation's)."""

    status = django_filters.ChoiceFilter(
        method="in_status", choices=STATUS_CHOICES, label=_("Status"), empty_label=_("Any status")
    )
    role = IdFilter(field_name="role_id", label=_("Role (id)"))
    skill = IdFilter(field_name="skill_id", label=_("Skill (id)"))

    class Meta:
        model = ResourceRequest
        fields = ["status", "role", "skill"]

    def in_status(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == WAITING:
            return queryset.filter(status__in=OPEN_REQUEST_STATUSES)
        return queryset.filter(status=value)


class OrganizationRequestFilter(RequestFilter):
    project = IdFilter(field_name="project_id", label=_("Project (id)"))

    class Meta:
        model = ResourceRequest
        fields = ["status", "role", "skill", "project"]


class RequestListFilter(forms.Form):
    """The request pages' filters: status and role (and project, on the organisation's page)."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    role = forms.TypedChoiceField(label=_("Role"), coerce=int, required=False, empty_value=None)
    project = forms.TypedChoiceField(label=_("Project"), coerce=int, required=False, empty_value=None)

    def __init__(
        self, *args: Any, roles: list[ResourceRole], projects: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        status: Any = self.fields["status"]
        status.choices = [("", _("Any status")), *STATUS_CHOICES]
        role: Any = self.fields["role"]
        role.choices = [("", _("Any role")), *((item.pk, item.name) for item in roles)]
        if projects is None:
            del self.fields["project"]
        else:
            project: Any = self.fields["project"]
            project.choices = [("", _("Every project")), *projects]


class RequestForm(DateWindowFormMixin, forms.Form):
    """A project manager's request: a role or a skill (with a least level), hours, a period, a task."""

    task = forms.TypedChoiceField(label=_("Task"), coerce=int)
    role = forms.TypedChoiceField(label=_("Role"), coerce=int, required=False, empty_value=None)
    skill = forms.TypedChoiceField(label=_("Skill"), coerce=int, required=False, empty_value=None)
    min_level = forms.TypedChoiceField(
        label=_("At least level"),
        coerce=int,
        choices=[(level, str(level)) for level in range(1, 6)],
        initial=1,
        help_text=_("Of the skill, from 1 (basic) to 5 (expert)."),
    )
    hours = forms.DecimalField(
        label=_("Hours"),
        min_value=Decimal("0.25"),
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
    )
    start = forms.DateField(label=_("From"), widget=DATE_INPUT)
    finish = forms.DateField(label=_("To"), widget=DATE_INPUT)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self,
        *args: Any,
        tasks: list[WbsElement],
        roles: list[ResourceRole],
        skills: list[Skill],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.tasks = {task.pk: task for task in tasks}
        self.roles = {role.pk: role for role in roles}
        self.skills = {skill.pk: skill for skill in skills}
        task: Any = self.fields["task"]
        task.choices = [("", _("Choose a task")), *((item.pk, task_label(item)) for item in tasks)]
        role: Any = self.fields["role"]
        role.choices = [("", _("Any role")), *((item.pk, item.name) for item in roles)]
        skill: Any = self.fields["skill"]
        skill.choices = [("", _("No particular skill")), *((item.pk, item.name) for item in skills)]

    def clean_task(self) -> WbsElement:
        return self.tasks[self.cleaned_data["task"]]

    def clean_role(self) -> ResourceRole | None:
        value = self.cleaned_data.get("role")
        return self.roles[value] if value is not None else None

    def clean_skill(self) -> Skill | None:
        value = self.cleaned_data.get("skill")
        return self.skills[value] if value is not None else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, finish = data.get("start"), data.get("finish")
        if isinstance(start, dt.date) and isinstance(finish, dt.date) and finish < start:
            self.add_error("finish", _("The period ends before it starts."))
        if "role" in data and "skill" in data and data.get("role") is None and data.get("skill") is None:
            self.add_error("role", _("Ask for a role or a skill."))
        return data


class ProposeForm(forms.Form):
    resource = forms.TypedChoiceField(label=_("Resource"), coerce=int)
    hours = forms.DecimalField(
        label=_("Hours"),
        min_value=Decimal("0.25"),
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
    )


class FulfilForm(forms.Form):
    note = forms.CharField(label=_("Note to the requester"), required=False, max_length=2000)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), help_text=_("Required.")
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
