"""The organisation's gate rules: which computed checks apply when a project leaves each phase."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from pmo.errors import ApplicationError
from pmo.pages import OrganizationPageMixin
from projects.gate_checks import GateCheck, gate_checks
from projects.models import OPEN_PHASES, Phase
from projects.permissions import ProjectAction
from projects.services.gate_checks import gate_check_selection, gate_check_selection_update


class GateCheckSelectionForm(forms.Form):
    """One set of checkboxes per open phase that has checks meant for it."""

    def __init__(self, *args: Any, disabled: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for phase in OPEN_PHASES:
            checks = gate_checks.for_phase(phase)
            if checks:
                self.fields[phase.value] = forms.MultipleChoiceField(
                    label=Phase(phase).label,
                    choices=[(check.code, check.label) for check in checks],
                    required=False,
                    disabled=disabled,
                    widget=forms.CheckboxSelectMultiple,
                )


class GateCheckSettingsView(OrganizationPageMixin, TemplateView):
    """Every registered check with the phases it may apply to; the PMO office chooses where it does."""

    template_name = "projects/gate_checks.html"
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_SETTINGS_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        may_manage = self.can(ProjectAction.PROJECT_SETTINGS_MANAGE)
        form = kwargs.get("form") or GateCheckSelectionForm(
            initial=gate_check_selection(self.organization), disabled=not may_manage
        )
        context.update(
            may_manage=may_manage,
            form=form,
            phases=[self._phase_block(form, phase) for phase in OPEN_PHASES if phase.value in form.fields],
            nav_active="projects",
        )
        return context

    @staticmethod
    def _phase_block(form: GateCheckSelectionForm, phase: Phase) -> dict[str, Any]:
        field = form[phase.value]
        checks: list[GateCheck] = gate_checks.for_phase(phase)
        return {
            "phase": phase,
            "field": field,
            "options": [
                {"widget": widget, "check": check, "by_default": check.applies_by_default(phase)}
                for widget, check in zip(field.subwidgets, checks, strict=True)
            ],
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = GateCheckSelectionForm(request.POST)
        if form.is_valid():
            try:
                gate_check_selection_update(
                    actor=request.user,  # type: ignore[arg-type]
                    organization=self.organization,
                    selection={phase: list(codes) for phase, codes in form.cleaned_data.items()},
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("The gate checks were saved."))
                return HttpResponseRedirect(reverse("project-gate-checks", args=[self.organization.slug]))
        return self.render_to_response(self.get_context_data(form=form), status=400)
