"""The forms of the inspection plan and the inspection pages. They only parse input: the services
check it against the organisation and the project and say what is wrong."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from pmo.forms import DateWindowFormMixin
from pmo.models import Organization, User
from projects.models import OPEN_PHASES, Phase, Project, WbsElement
from quality.models import ChecklistTemplate, Inspection, PlanEntry
from quality.services.plan import INSPECTOR_ROLES

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PHASE_CHOICES = [("", "—"), *((phase.value, phase.label) for phase in Phase if phase in OPEN_PHASES)]


class ElementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name or obj.username)


def project_elements(project: Project) -> QuerySet[WbsElement]:
    return WbsElement.objects.for_organization(project.organization_id).filter(project=project).order_by("sort_key")


def current_templates(organization: Organization) -> QuerySet[ChecklistTemplate]:
    return ChecklistTemplate.objects.for_organization(organization).filter(is_current=True).order_by("code")


def organization_members(organization: Organization) -> QuerySet[User]:
    return User.objects.filter(memberships__organization=organization, is_active=True).order_by("username")


class PlanEntryForm(DateWindowFormMixin, forms.Form):
    template_code = forms.ChoiceField(label=_("Checklist template"))
    wbs_element = ElementChoiceField(
        queryset=WbsElement.objects.none(),
        required=False,
        label=_("WBS element or milestone"),
        empty_label=_("None: a phase"),
    )
    phase = forms.ChoiceField(choices=PHASE_CHOICES, required=False, label=_("Phase"))
    planned_date = forms.DateField(required=False, label=_("Planned date"), widget=DATE_INPUT)
    before_task_finish = forms.BooleanField(required=False, label=_("Before the task may finish"))
    inspector_role = forms.ChoiceField(choices=[("", "—"), *INSPECTOR_ROLES], required=False, label=_("Inspector role"))
    hold_point = forms.BooleanField(
        required=False,
        label=_("Hold point"),
        help_text=_("The task cannot be reported complete until this inspection has passed."),
    )
    notes = forms.CharField(required=False, label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, project: Project, templates: list[ChecklistTemplate], **kwargs: Any) -> None:
        super().__init__(*args, date_window=project.organization.date_window, **kwargs)
        template_code: Any = self.fields["template_code"]
        template_code.choices = [("", "—"), *((t.code, f"{t.code} {t.name}") for t in templates)]
        element: Any = self.fields["wbs_element"]
        element.queryset = project_elements(project)

    @classmethod
    def initial_of(cls, entry: PlanEntry) -> dict[str, Any]:
        return {
            "template_code": entry.template_code,
            "wbs_element": entry.wbs_element_id,
            "phase": entry.phase,
            "planned_date": entry.planned_date,
            "before_task_finish": entry.before_task_finish,
            "inspector_role": entry.inspector_role,
            "hold_point": entry.hold_point,
            "notes": entry.notes,
        }


class ScheduleForm(DateWindowFormMixin, forms.Form):
    plan_entry = forms.ModelChoiceField(
        queryset=PlanEntry.objects.none(),
        required=False,
        label=_("From the plan"),
        empty_label=_("None: an ad hoc inspection"),
    )
    template = forms.ModelChoiceField(
        queryset=ChecklistTemplate.objects.none(),
        required=False,
        label=_("Checklist template"),
        help_text=_("For an ad hoc inspection; a plan entry brings its own."),
    )
    wbs_element = ElementChoiceField(
        queryset=WbsElement.objects.none(), required=False, label=_("WBS element"), empty_label="—"
    )
    location = forms.CharField(max_length=255, required=False, label=_("Location"))
    participants = forms.CharField(required=False, label=_("Participants"), widget=forms.Textarea(attrs={"rows": 2}))
    inspector = MemberChoiceField(
        queryset=User.objects.none(), required=False, label=_("Inspector"), empty_label=_("Whoever records it")
    )
    scheduled_date = forms.DateField(required=False, label=_("Scheduled date"), widget=DATE_INPUT)
    reinspection_of = forms.ModelChoiceField(
        queryset=Inspection.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, project: Project, entries: list[PlanEntry], **kwargs: Any) -> None:
        super().__init__(*args, date_window=project.organization.date_window, **kwargs)
        organization = project.organization
        plan_entry: Any = self.fields["plan_entry"]
        plan_entry.queryset = PlanEntry.objects.for_organization(organization).filter(project=project)
        plan_entry.choices = [("", plan_entry.empty_label), *((entry.pk, entry.label) for entry in entries)]  # type: ignore[attr-defined]
        template: Any = self.fields["template"]
        template.queryset = current_templates(organization)
        template.label_from_instance = lambda t: f"{t.code} {t.name} (v{t.version})"
        element: Any = self.fields["wbs_element"]
        element.queryset = project_elements(project)
        inspector: Any = self.fields["inspector"]
        inspector.queryset = organization_members(organization)
        reinspection: Any = self.fields["reinspection_of"]
        reinspection.queryset = Inspection.objects.for_organization(organization).filter(project=project)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("plan_entry") or data.get("template") or data.get("reinspection_of")):
            self.add_error("template", _("Choose a plan entry or a checklist template."))
        return data


class ReadingForm(forms.Form):
    """One reading of one check; which values it needs depends on the check's kind (the service says)."""

    item = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    sequence = forms.IntegerField(min_value=1, max_value=50, widget=forms.HiddenInput)
    number = forms.CharField(max_length=32, required=False)
    second_number = forms.CharField(max_length=32, required=False)
    passed_check = forms.NullBooleanField(required=False)
    choice = forms.CharField(max_length=64, required=False)
    text = forms.CharField(required=False)
    note = forms.CharField(max_length=255, required=False)


class SignForm(forms.Form):
    remarks = forms.CharField(required=False, label=_("Remarks"), widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 2}))
