"""Preventive maintenance: plans by calendar or by meter, and the meters and their readings."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from maintenance.models.assets import Asset, Contractor
from maintenance.models.settings import Priority
from maintenance.models.standards import AssetCategory
from pmo.tenancy import TenantModel


class Meter(TenantModel):
    """A counter on an asset that only goes up: a lamp's operating hours, a pump's running hours.

    When the counter itself is replaced (or reset), the new one starts low: ``carried_over`` keeps
    the units the replaced counters had counted, so that ``total`` (what meter plans fall due on)
    goes on rising across replacements.
    """

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="meters", verbose_name=_("asset"))
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("The same code on every asset of a kind, e.g. lamp-hours.")
    )
    name = models.CharField(_("name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=16, default="h")
    current_value = models.DecimalField(_("current reading"), max_digits=14, decimal_places=2, default=Decimal("0"))
    read_at = models.DateTimeField(_("last read at"), null=True, blank=True)
    carried_over = models.DecimalField(
        _("counted by replaced meters"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text=_("The units counted before the meter was last replaced or reset."),
    )

    class Meta:
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        ordering = ["asset", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "asset", "code"], name="maintenance_meter_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id}/{self.code}"

    @property
    def total(self) -> Decimal:
        """The units counted over the asset's life, across replaced meters."""
        return self.carried_over + self.current_value


class MeterReading(TenantModel):
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="readings", verbose_name=_("meter"))
    value = models.DecimalField(_("reading"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    read_at = models.DateTimeField(_("read at"), default=timezone.now)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("read by"),
    )
    replaced = models.BooleanField(
        _("meter replaced or reset"),
        default=False,
        help_text=_("The first reading of a new or reset meter: it may be lower than the last one."),
    )

    class Meta:
        verbose_name = _("meter reading")
        verbose_name_plural = _("meter readings")
        ordering = ["meter", "-read_at"]

    def __str__(self) -> str:
        return f"{self.meter_id}: {self.value}"


class PmTrigger(models.TextChoices):
    CALENDAR = "calendar", pgettext_lazy("preventive trigger", "By calendar")
    METER = "meter", pgettext_lazy("preventive trigger", "By meter")


class IntervalUnit(models.TextChoices):
    DAYS = "days", pgettext_lazy("interval unit", "days")
    WEEKS = "weeks", pgettext_lazy("interval unit", "weeks")
    MONTHS = "months", pgettext_lazy("interval unit", "months")
    YEARS = "years", pgettext_lazy("interval unit", "years")


class PmSchedule(models.TextChoices):
    FIXED = "fixed", _("Fixed dates (from the start date)")
    FLOATING = "floating", _("Floating (from the last completion)")


class PmPlan(TenantModel):
    """Work to do on an asset, or on every asset of a category, at each due point.

    Calendar plans fall due every ``interval`` ``interval_unit`` from ``starts_on`` (fixed) or from
    the last completed work order (floating), and open ``lead_days`` before. Meter plans fall due
    every ``meter_interval`` units of the assets' meter ``meter_code`` and open ``meter_lead``
    units before. One work order per asset and due point (a unique constraint).
    """

    name = models.CharField(_("name"), max_length=200)
    asset = models.ForeignKey(
        Asset, on_delete=models.CASCADE, null=True, blank=True, related_name="pm_plans", verbose_name=_("asset")
    )
    category = models.ForeignKey(
        AssetCategory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pm_plans",
        verbose_name=_("category"),
    )
    trigger = models.CharField(_("trigger"), max_length=16, choices=PmTrigger, default=PmTrigger.CALENDAR)
    interval = models.PositiveIntegerField(_("every"), null=True, blank=True, validators=[MinValueValidator(1)])
    interval_unit = models.CharField(_("unit"), max_length=8, choices=IntervalUnit, blank=True)
    schedule = models.CharField(_("schedule"), max_length=16, choices=PmSchedule, default=PmSchedule.FIXED)
    starts_on = models.DateField(_("first due on"), null=True, blank=True)
    lead_days = models.PositiveSmallIntegerField(_("open ahead (days)"), default=7)
    meter_code = models.SlugField(_("meter"), max_length=40, blank=True)
    meter_interval = models.DecimalField(
        _("every (meter units)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    meter_lead = models.DecimalField(
        _("open ahead (meter units)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    priority = models.CharField(_("priority"), max_length=2, choices=Priority, default=Priority.P4)
    instructions = models.TextField(_("instructions"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assign to"),
    )
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("contractor")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("preventive plan")
        verbose_name_plural = _("preventive plans")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="maintenance_pm_plan_unique_name",
                violation_error_message=_("A preventive plan with this name already exists."),
            ),
            models.CheckConstraint(
                condition=Q(asset__isnull=False, category__isnull=True) | Q(asset__isnull=True, category__isnull=False),
                name="maintenance_pm_plan_asset_or_category",
            ),
            models.CheckConstraint(
                condition=~Q(trigger=PmTrigger.CALENDAR)
                | (Q(interval__isnull=False) & ~Q(interval_unit="") & Q(starts_on__isnull=False)),
                name="maintenance_pm_calendar_complete",
            ),
            models.CheckConstraint(
                condition=~Q(trigger=PmTrigger.METER) | (~Q(meter_code="") & Q(meter_interval__isnull=False)),
                name="maintenance_pm_meter_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.name
