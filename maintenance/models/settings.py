"""The organisation's maintenance rules: working hours, SLA targets per priority, hold reasons."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pmo.tenancy import TenantModel


def bilingual(name_zh: str, name_en: str) -> str:
    """The name in the active language, falling back to the other one."""
    if (get_language() or "").lower().startswith("zh"):
        return name_zh or name_en
    return name_en or name_zh


class Priority(models.TextChoices):
    P1 = "P1", _("P1 urgent")
    P2 = "P2", _("P2 high")
    P3 = "P3", _("P3 normal")
    P4 = "P4", _("P4 low")


class MaintenanceSettings(TenantModel):
    """One row per organisation, made on first read (``maintenance.services.settings``).

    SLA clocks of the priorities counted in working hours run on ``calendar`` (the organisation's
    default calendar when empty) between ``workday_start`` and ``workday_end`` in the organisation's
    time zone.
    """

    calendar = models.ForeignKey(
        "pmo.WorkingCalendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("working calendar"),
        help_text=_("Empty: the organisation's default calendar."),
    )
    workday_start = models.TimeField(_("working day starts at"), default=dt.time(9, 0))
    workday_end = models.TimeField(_("working day ends at"), default=dt.time(17, 0))
    round_lead_days = models.PositiveSmallIntegerField(
        _("make inspection rounds ahead (days)"),
        default=7,
        validators=[MaxValueValidator(92)],
        help_text=_("Rounds of the coming days are made this many days before they start."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("maintenance settings")
        verbose_name_plural = _("maintenance settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="maintenance_settings_one_per_org"),
            models.CheckConstraint(condition=Q(workday_end__gt=F("workday_start")), name="maintenance_workday_order"),
        ]

    def __str__(self) -> str:
        return str(_("Maintenance settings"))

    @property
    def workday_hours(self) -> Decimal:
        start = dt.datetime.combine(dt.date.min, self.workday_start)
        end = dt.datetime.combine(dt.date.min, self.workday_end)
        return Decimal((end - start).total_seconds()) / Decimal(3600)


class SlaTarget(TenantModel):
    """How soon a work order of one priority must be responded to (work started) and resolved
    (completed), in hours: working hours of the organisation's calendar, or around the clock."""

    priority = models.CharField(_("priority"), max_length=2, choices=Priority)
    response_hours = models.DecimalField(
        _("respond within (hours)"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )
    resolution_hours = models.DecimalField(
        _("resolve within (hours)"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )
    around_the_clock = models.BooleanField(
        _("around the clock"), default=False, help_text=_("Unticked: counted in working hours of the calendar.")
    )

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["priority"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "priority"], name="maintenance_sla_one_per_priority"),
            models.CheckConstraint(
                condition=Q(resolution_hours__gte=F("response_hours")), name="maintenance_sla_resolve_after_respond"
            ),
            models.CheckConstraint(condition=Q(response_hours__gt=0), name="maintenance_sla_response_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.priority}: {self.response_hours} h / {self.resolution_hours} h"


class HoldReason(TenantModel):
    """Why a work order is on hold; the reasons marked as pausing stop its SLA clock."""

    code = models.SlugField(_("code"), max_length=32)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    pauses_clock = models.BooleanField(_("pauses the SLA clock"), default=False)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("hold reason")
        verbose_name_plural = _("hold reasons")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="maintenance_hold_reason_unique_code"),
            models.CheckConstraint(condition=~Q(name_zh="") | ~Q(name_en=""), name="maintenance_hold_reason_named"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)


class Inspector(TenantModel):
    """A member the maintenance role named to do inspection rounds and verify repairs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("member")
    )
    is_active = models.BooleanField(_("active"), default=True)
    since = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("inspector")
        verbose_name_plural = _("inspectors")
        ordering = ["user__username"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="maintenance_inspector_once"),
        ]

    def __str__(self) -> str:
        return f"inspector {self.user_id}"
