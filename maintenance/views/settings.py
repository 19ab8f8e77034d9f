"""The O&M settings page: the calendar and working hours the SLA clocks run on, the SLA targets per
priority, the hold reasons (pausing or not) and the inspectors. Everyone who sees maintenance reads
it; the maintenance office changes it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from maintenance.forms_work_orders import (
    HoldReasonEditForm,
    HoldReasonForm,
    InspectorForm,
    SlaTargetForm,
    WorkingHoursForm,
    member_label,
)
from maintenance.models import HoldReason, Inspector, Priority
from maintenance.permissions import MaintenanceAction
from maintenance.services import settings as services
from maintenance.views.base import MaintenancePage
from maintenance.views.work_orders import workers
from pmo.models import WorkingCalendar


def _days(hours: Decimal, day: Decimal) -> Decimal | None:
    """Whole or half working days the hours make, when they make some (16 h of 8 h days: 2)."""
    if day <= 0 or hours < day:
        return None
    days = hours / day
    return days.normalize() if (days * 2) == (days * 2).to_integral_value() else None


class MaintenanceSettingsView(MaintenancePage):
    template_name = "maintenance/settings.html"
    section = "settings"
    write_action = MaintenanceAction.MANAGE
    operations = ("hours", "target", "reason_add", "reason_edit", "inspector_add", "inspector_remove")

    def calendars(self) -> list[WorkingCalendar]:
        return list(WorkingCalendar.objects.for_organization(self.organization).order_by("-is_default", "name"))

    def hours_form(self, data: Any = None) -> WorkingHoursForm:
        settings = services.maintenance_settings_for(self.organization)
        form = WorkingHoursForm(
            data,
            initial={
                "calendar": settings.calendar_id,
                "workday_start": settings.workday_start,
                "workday_end": settings.workday_end,
                "round_lead_days": settings.round_lead_days,
            },
        )
        form.set_rows("calendar", self.calendars(), lambda calendar: calendar.name)
        return form

    def target_forms(self, bound: tuple[str, SlaTargetForm] | None = None) -> list[dict[str, Any]]:
        rows = []
        day = services.maintenance_settings_for(self.organization).workday_hours
        for priority, target in sorted(services.sla_targets_for(self.organization).items()):
            form = (
                bound[1]
                if bound and bound[0] == priority
                else SlaTargetForm(
                    prefix=priority,
                    initial={
                        "response_hours": target.response_hours,
                        "resolution_hours": target.resolution_hours,
                        "around_the_clock": target.around_the_clock,
                    },
                )
            )
            rows.append(
                {
                    "priority": priority,
                    "label": Priority(priority).label,
                    "target": target,
                    "form": form,
                    "response_days": _days(target.response_hours, day) if not target.around_the_clock else None,
                    "resolution_days": _days(target.resolution_hours, day) if not target.around_the_clock else None,
                }
            )
        return rows

    def reasons(self) -> list[HoldReason]:
        return services.hold_reasons_for(self.organization, active_only=False)

    def inspector_form(self, data: Any = None) -> InspectorForm:
        form = InspectorForm(data)
        form.set_rows("user", workers(self.organization), member_label)
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        manage = self.can(MaintenanceAction.MANAGE)
        settings = services.maintenance_settings_for(self.organization)
        bound_reason = kwargs.get("reason_edit")
        reason_rows = [
            {
                "reason": reason,
                "form": (
                    bound_reason[1]
                    if bound_reason and bound_reason[0] == reason.pk
                    else HoldReasonEditForm(
                        prefix=f"r{reason.pk}",
                        initial={
                            "name_zh": reason.name_zh,
                            "name_en": reason.name_en,
                            "pauses_clock": reason.pauses_clock,
                            "is_active": reason.is_active,
                        },
                    )
                )
                if manage
                else None,
            }
            for reason in self.reasons()
        ]
        calendar = next(
            (
                calendar
                for calendar in self.calendars()
                if calendar.pk == settings.calendar_id or (settings.calendar_id is None and calendar.is_default)
            ),
            None,
        )
        context.update(
            manage=manage,
            settings=settings,
            calendar=calendar,
            targets=self.target_forms(kwargs.get("target")),
            reason_rows=reason_rows,
            inspectors=list(
                Inspector.objects.for_organization(self.organization)
                .select_related("user")
                .order_by("-is_active", "user__username")
            ),
        )
        if manage:
            context.update(
                hours_form=kwargs.get("hours_form") or self.hours_form(),
                reason_form=kwargs.get("reason_form") or HoldReasonForm(prefix="new"),
                inspector_form=kwargs.get("inspector_form") or self.inspector_form(),
            )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        op = request.POST.get("op", "")
        if op not in self.operations:
            messages.error(request, _("Unknown action."))
            return self.render_page(400)
        response: HttpResponse = getattr(self, op)(request)
        return response

    def _done(self, message: str, anchor: str) -> HttpResponse:
        messages.success(self.request, message)
        return redirect(reverse("org-maintenance-settings", args=[self.organization.slug]) + f"#{anchor}")

    def hours(self, request: HttpRequest) -> HttpResponse:
        form = self.hours_form(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            saved, status = self.attempt(
                lambda: services.maintenance_settings_update(
                    actor=self.actor,
                    organization=self.organization,
                    calendar=data["calendar"],
                    clear_calendar=data["calendar"] is None,
                    workday_start=data["workday_start"],
                    workday_end=data["workday_end"],
                    round_lead_days=data["round_lead_days"],
                ),
                form,
            )
            if saved is not None:
                return self._done(_("Working hours saved."), "hours")
        return self.render_page(status, hours_form=form)

    def target(self, request: HttpRequest) -> HttpResponse:
        priority = request.POST.get("priority", "")
        if priority not in Priority.values:
            messages.error(request, _("Choose a priority."))
            return self.render_page(400)
        form = SlaTargetForm(request.POST, prefix=priority)
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: services.sla_target_update(
                    actor=self.actor, organization=self.organization, priority=priority, **form.cleaned_data
                ),
                form,
            )
            if saved is not None:
                return self._done(_("SLA target of %(priority)s saved.") % {"priority": priority}, "targets")
        return self.render_page(status, target=(priority, form))

    def reason_add(self, request: HttpRequest) -> HttpResponse:
        form = HoldReasonForm(request.POST, prefix="new")
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: services.hold_reason_create(
                    actor=self.actor, organization=self.organization, **form.cleaned_data
                ),
                form,
            )
            if saved is not None:
                return self._done(_("Hold reason added."), "reasons")
        return self.render_page(status, reason_form=form)

    def reason_edit(self, request: HttpRequest) -> HttpResponse:
        reason = next((reason for reason in self.reasons() if str(reason.pk) == request.POST.get("reason")), None)
        if reason is None:
            messages.error(request, _("That hold reason is not one of the organisation's."))
            return self.render_page(400)
        form = HoldReasonEditForm(request.POST, prefix=f"r{reason.pk}")
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: services.hold_reason_update(actor=self.actor, reason=reason, **form.cleaned_data), form
            )
            if saved is not None:
                return self._done(_("Hold reason saved."), "reasons")
        return self.render_page(status, reason_edit=(reason.pk, form))

    def inspector_add(self, request: HttpRequest) -> HttpResponse:
        form = self.inspector_form(request.POST)
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: services.inspector_name(
                    actor=self.actor, organization=self.organization, user=form.cleaned_data["user"]
                ),
                form,
            )
            if saved is not None:
                return self._done(_("Inspector named."), "inspectors")
        return self.render_page(status, inspector_form=form)

    def inspector_remove(self, request: HttpRequest) -> HttpResponse:
        inspector = (
            Inspector.objects.for_organization(self.organization)
            .filter(pk=request.POST.get("inspector") or 0, is_active=True)
            .first()
            if (request.POST.get("inspector") or "").isdigit()
            else None
        )
        if inspector is None:
            messages.error(request, _("That member is not an inspector."))
            return self.render_page(400)
        saved, status = self.attempt(lambda: services.inspector_remove(actor=self.actor, inspector=inspector))
        if saved is not None:
            return self._done(_("The member is no longer an inspector."), "inspectors")
        return self.render_page(status)
