"""Forms of the timesheet pages: a new line, a correction of an approved line, a decision on lines.

Hours are typed as text with a decimal keyboard (``inputmode="decimal"``), so that a phone shows
digits and a point; the service checks them (0 to 24 in quarter hours).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from projects.models import WbsElement
from resources.models import DAY_FIELDS, LineCategory

HOURS_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "class": "ts-hours", "size": "4", "maxlength": "6"}


def hours_field(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=6, widget=forms.TextInput(attrs=HOURS_ATTRS))


class TaskChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.project.code} · {obj.code} {obj.name}"


class HoursForm(forms.Form):
    """Seven day fields, Monday first, labelled with the week's dates."""

    def __init__(self, *args: Any, days: list[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, day in zip(DAY_FIELDS, days, strict=True):
            label = f"{_weekday(day)} {day.strftime('%m-%d')}"
            self.fields[name] = hours_field(label)

    def hours(self) -> list[str]:
        return [self.cleaned_data.get(name) or "" for name in DAY_FIELDS]


def _weekday(day: dt.date) -> str:
    names = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
    return str(names[day.weekday()])


class TimesheetLineForm(HoursForm):
    """Add a line: project work on a task (of my projects), or leave, training or administration."""

    category = forms.ChoiceField(label=_("Kind of work"), choices=LineCategory.choices, initial=LineCategory.PROJECT)
    task = TaskChoiceField(
        label=_("Task"),
        queryset=WbsElement.objects.none(),
        required=False,
        empty_label=_("— choose a task —"),
        help_text=_("Tasks of the open projects you are assigned to or a member of."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
    field_order = ["category", "task", *DAY_FIELDS, "note"]

    def __init__(self, *args: Any, tasks: QuerySet[WbsElement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        task_field: Any = self.fields["task"]
        task_field.queryset = tasks
        self.order_fields(self.field_order)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("category") == LineCategory.PROJECT and not cleaned.get("task"):
            self.add_error("task", _("Choose the task the hours were spent on."))
        if cleaned.get("category") != LineCategory.PROJECT:
            cleaned["task"] = None
        return cleaned


class CorrectionForm(HoursForm):
    reason = forms.CharField(label=_("Why the approved hours change"), max_length=500)
    field_order = [*DAY_FIELDS, "reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (to reject)"),
        max_length=500,
        required=False,
        help_text=_("Rejected lines go back to the person with this reason."),
    )
