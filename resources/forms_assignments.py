"""The assignment lists' filters (API) and the forms of the assignment pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from pmo.forms import DateWindowForm
from projects.models import WbsElement
from resources.models import Assignment, AssignmentMode, Resource, ResourceKind


class IdFilter(django_filters.NumberFilter):
    """An id: a whole number a database column can hold (a larger one is refused, never sent to the database)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class AssignmentFilter(django_filters.FilterSet):
    """Filters of a project's assignments."""

    task = IdFilter(field_name="task_id", label=_("Task (id)"))
    resource = IdFilter(field_name="resource_id", label=_("Resource (id)"))

    class Meta:
        model = Assignment
        fields = ["task", "resource"]


class OrganizationAssignmentFilter(AssignmentFilter):
    """Filters of every project's assignments: by resource, project, and a period their tasks overlap."""

    project = IdFilter(field_name="project_id", label=_("Project (id)"))
    start = django_filters.DateFilter(method="finishing_from", label=_("Tasks finishing on or after (YYYY-MM-DD)"))
    finish = django_filters.DateFilter(method="starting_by", label=_("Tasks starting on or before (YYYY-MM-DD)"))

    class Meta:
        model = Assignment
        fields = ["task", "resource", "project", "start", "finish"]
        form = DateWindowForm

    def finishing_from(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(task__planned_finish__gte=value)

    def starting_by(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(task__planned_start__lte=value)


def task_label(task: WbsElement) -> str:
    return f"{task.code} {task.name}"


def resource_label(resource: Resource) -> str:
    """A resource with its department (and unit, for a material); its kind is the group it is listed in."""
    details = [resource.department] if resource.department else []
    if resource.kind == ResourceKind.MATERIAL and resource.unit:
        details.append(resource.unit)
    if resource.is_placeholder:
        details.append(str(_("placeholder")))
    return " · ".join([f"{resource.code} {resource.name}", *details])


def resource_choices(resources: list[Resource]) -> list[Any]:
    """Resources grouped by kind (people, equipment, materials), in code order within each."""
    groups: list[Any] = []
    for kind in ResourceKind:
        members = [(resource.pk, resource_label(resource)) for resource in resources if resource.kind == kind]
        if members:
            groups.append((kind.label, members))
    return groups


class AssignmentForm(forms.Form):
    """Add or change an assignment: the task, the resource and one amount, as units (%) or as work."""

    task = forms.TypedChoiceField(label=_("Task"), coerce=int)
    resource = forms.TypedChoiceField(label=_("Resource"), coerce=int)
    mode = forms.ChoiceField(
        label=_("Given as"),
        choices=AssignmentMode.choices,
        initial=AssignmentMode.UNITS,
        widget=forms.RadioSelect,
        help_text=_(
            "Units: percent of the resource's full time on each working day. Work: total hours, or a "
            "material's quantity in its unit. The other is derived from the task's working days."
        ),
    )
    amount = forms.DecimalField(
        label=_("Units or work"),
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, tasks: list[WbsElement], resources: list[Resource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tasks = {task.pk: task for task in tasks}
        self.resources = {resource.pk: resource for resource in resources}
        task_field: Any = self.fields["task"]
        resource_field: Any = self.fields["resource"]
        task_field.choices = [("", _("Choose a task")), *((task.pk, task_label(task)) for task in tasks)]
        resource_field.choices = [("", _("Choose a resource")), *resource_choices(resources)]

    def clean_task(self) -> WbsElement:
        return self.tasks[self.cleaned_data["task"]]

    def clean_resource(self) -> Resource:
        return self.resources[self.cleaned_data["resource"]]

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the service takes it: ``units`` or ``work``."""
        data = self.cleaned_data
        amount_key = "units" if data["mode"] == AssignmentMode.UNITS else "work"
        return {"task": data["task"], "resource": data["resource"], amount_key: data["amount"], "note": data["note"]}


class AssignmentListFilter(forms.Form):
    """The project page's filters: one task, one resource."""

    task = forms.TypedChoiceField(label=_("Task"), coerce=int, required=False, empty_value=None)
    resource = forms.TypedChoiceField(label=_("Resource"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, tasks: list[WbsElement], resources: list[Resource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        task_field: Any = self.fields["task"]
        resource_field: Any = self.fields["resource"]
        task_field.choices = [("", _("Every task")), *((task.pk, task_label(task)) for task in tasks)]
        resource_field.choices = [("", _("Every resource")), *resource_choices(resources)]


class BottomUpForm(forms.Form):
    bottom_up_costing = forms.BooleanField(
        label=_("Take each task's planned cost from its assignments (bottom-up costing)"), required=False
    )
