"""Filters of the inspection lists (a project's and the organisation's), shared by the pages and the API,
and the reads the inspection plan shows beside each entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from pmo.models import Organization
from pmo.tenancy import active_organization, active_organization_id
from projects.models import OPEN_PHASES, Project
from quality.models import Inspection, InspectionStatus, InspectionType, Outcome

OPEN_INSPECTION_STATUSES = (InspectionStatus.SCHEDULED, InspectionStatus.IN_PROGRESS)
YES_NO = [("true", _("Yes")), ("false", _("No"))]
#: The organisation list's filter for the open projects' inspections (what the figures count).
OPEN_PROJECTS = "open"
PROJECT_STATE_CHOICES = [(OPEN_PROJECTS, _("Open projects only"))]


def overdue_condition(today: dt.date) -> Q:
    """Still to be done and planned before today."""
    return Q(status__in=OPEN_INSPECTION_STATUSES, scheduled_date__lt=today)


def is_overdue(inspection: Inspection, today: dt.date) -> bool:
    return bool(inspection.is_open and inspection.scheduled_date and inspection.scheduled_date < today)


def latest_inspection(field: str) -> Subquery:
    """``field`` of the newest inspection scheduled from the plan entry (an annotation of plan entries)."""
    return Subquery(
        Inspection.objects.filter(organization_id=OuterRef("organization_id"), plan_entry_id=OuterRef("pk"))
        .order_by("-number")
        .values(field)[:1]
    )


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class InspectionFilter(django_filters.FilterSet):
    """Status, outcome, type and overdue; the organisation's list also filters by project."""

    status = django_filters.ChoiceFilter(
        choices=InspectionStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices, label=_("Outcome"), empty_label=_("Any outcome"))
    type = django_filters.ModelChoiceFilter(
        field_name="inspection_type",
        to_field_name="code",
        queryset=InspectionType.objects.none(),
        label=_("Inspection type"),
        empty_label=_("Any type"),
        help_text=_("The inspection type's code."),
    )
    overdue = django_filters.ChoiceFilter(
        choices=YES_NO,
        method="filter_overdue",
        label=_("Overdue"),
        empty_label=_("Any"),
        help_text=_("Scheduled or in progress, and planned before today."),
    )
    project = django_filters.ModelChoiceFilter(
        queryset=Project.objects.none(), label=_("Project"), empty_label=_("Any project")
    )
    project_state = django_filters.ChoiceFilter(
        choices=PROJECT_STATE_CHOICES,
        method="in_project_state",
        label=_("Projects"),
        empty_label=_("All projects"),
    )

    class Meta:
        model = Inspection
        fields = ["status", "outcome", "type", "overdue", "project", "project_state"]

    def __init__(self, *args: Any, in_project: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = self._organization()
        self.filters["type"].queryset = InspectionType.objects.for_organization(organization).order_by(
            "position", "code"
        )
        if in_project:
            del self.filters["project"]
            del self.filters["project_state"]
        else:
            self.filters["project"].queryset = Project.objects.for_organization(organization).order_by("code")
            self.filters["project"].field_class = ProjectChoiceField

    @staticmethod
    def _organization() -> Organization:
        return active_organization() or Organization.objects.get(pk=active_organization_id() or 0)

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        late = overdue_condition(self._organization().today())
        return queryset.filter(late) if value == "true" else queryset.exclude(late)

    def in_project_state(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(project__phase__in=OPEN_PHASES) if value == OPEN_PROJECTS else queryset


class OrganizationInspectionFilter(InspectionFilter):
    """The organisation's list: every project's inspections, with the project filter."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["in_project"] = False
        super().__init__(*args, **kwargs)
