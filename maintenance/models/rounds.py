"""Inspection plans, the rounds the beat makes from them (exactly one per plan and period), the
stops of a round in route order and the readings taken at each stop."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from maintenance.models.assets import Area, Asset, Site
from maintenance.models.standards import AssetCategory, Criterion, CriterionVersion
from pmo.tenancy import TenantModel


class Frequency(models.TextChoices):
    DAILY = "daily", pgettext_lazy("inspection frequency", "Daily")
    WEEKLY = "weekly", pgettext_lazy("inspection frequency", "Weekly")
    MONTHLY = "monthly", pgettext_lazy("inspection frequency", "Monthly")
    QUARTERLY = "quarterly", pgettext_lazy("inspection frequency", "Quarterly")


class DayRule(models.TextChoices):
    WORKING_DAYS = "working", _("On the organisation's working days")
    EVERY_DAY = "every_day", _("Every day")


class InspectionPlan(TenantModel):
    """Which assets are inspected how often against which criteria, and by whom.

    The assets are those of ``sites``, ``areas`` and ``categories`` (each empty set means "any");
    the criteria are ``criteria``, or every current criterion of each asset's category when empty.
    A period is a day, an ISO week, a month or a quarter; its round is due on its last day (the
    last working day under ``DayRule.WORKING_DAYS``).
    """

    name = models.CharField(_("name"), max_length=200)
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency, default=Frequency.WEEKLY)
    day_rule = models.CharField(_("days"), max_length=16, choices=DayRule, default=DayRule.WORKING_DAYS)
    sites = models.ManyToManyField(Site, blank=True, related_name="+", verbose_name=_("sites"))
    areas = models.ManyToManyField(Area, blank=True, related_name="+", verbose_name=_("areas"))
    categories = models.ManyToManyField(AssetCategory, blank=True, related_name="+", verbose_name=_("categories"))
    criteria = models.ManyToManyField(Criterion, blank=True, related_name="+", verbose_name=_("criteria"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inspector"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="maintenance_plan_unique_name",
                violation_error_message=_("An inspection plan with this name already exists."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="maintenance_plan_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RoundStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("round status", "Scheduled")
    IN_PROGRESS = "in_progress", pgettext_lazy("round status", "In progress")
    COMPLETED = "completed", pgettext_lazy("round status", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("round status", "Cancelled")


class Round(TenantModel):
    """One period's inspection round of a plan; overdue when not completed by ``due_date``."""

    plan = models.ForeignKey(
        InspectionPlan, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("inspection plan")
    )
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    due_date = models.DateField(_("due on"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inspector"),
    )
    status = models.CharField(_("status"), max_length=16, choices=RoundStatus, default=RoundStatus.SCHEDULED)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancel_reason = models.TextField(_("why cancelled"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        ordering = ["-due_date", "plan"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "plan", "period_start"], name="maintenance_round_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="maintenance_round_period_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(status=RoundStatus.COMPLETED) | Q(completed_at__isnull=False),
                name="maintenance_round_completed_dated",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "due_date"], name="maint_round_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.period_start}"

    @property
    def is_open(self) -> bool:
        return self.status in (RoundStatus.SCHEDULED, RoundStatus.IN_PROGRESS)

    def is_overdue(self, today: object) -> bool:
        return self.is_open and self.due_date < today  # type: ignore[operator]


class StopStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("round stop status", "To do")
    DONE = "done", pgettext_lazy("round stop status", "Done")
    SKIPPED = "skipped", pgettext_lazy("round stop status", "Not reached")


class RoundStop(TenantModel):
    """One asset of a round, in route order; done when every criterion has a reading."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="stops", verbose_name=_("round"))
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+", verbose_name=_("asset"))
    position = models.PositiveIntegerField(_("position"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=StopStatus, default=StopStatus.PENDING)
    notes = models.TextField(_("notes"), blank=True)
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)

    class Meta:
        verbose_name = _("round stop")
        verbose_name_plural = _("round stops")
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "round", "asset"], name="maintenance_stop_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}#{self.position}"


class EnteredAs(models.TextChoices):
    VALUE = "value", _("Measured value")
    AREA = "area", _("Area in m², judged against the asset's surface")
    PERCENT = "percent", _("Percentage of the surface")


class AssetReading(TenantModel):
    """A reading of one criterion on one asset, judged against the version in force when taken.

    Taken on a round's stop, or when verifying a work order (``verifies``). ``value`` is what was
    judged: for a percentage criterion entered as an area, the area's share of the asset's surface
    (the area itself is kept in ``entered_value``).
    """

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, null=True, blank=True, related_name="readings", verbose_name=_("round")
    )
    stop = models.ForeignKey(
        RoundStop, on_delete=models.CASCADE, null=True, blank=True, related_name="readings", verbose_name=_("stop")
    )
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="readings", verbose_name=_("asset"))
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion"))
    criterion_version = models.ForeignKey(
        CriterionVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion version")
    )
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    entered_as = models.CharField(_("entered as"), max_length=8, choices=EnteredAs, default=EnteredAs.VALUE)
    entered_value = models.DecimalField(_("entered value"), max_digits=14, decimal_places=4, null=True, blank=True)
    value = models.DecimalField(_("reading"), max_digits=14, decimal_places=4, null=True, blank=True)
    second_value = models.DecimalField(_("second reading"), max_digits=14, decimal_places=4, null=True, blank=True)
    passed = models.BooleanField(_("within the standard"), null=True)
    notes = models.TextField(_("notes"), blank=True)
    verifies = models.ForeignKey(
        "maintenance.WorkOrder",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="verification_readings",
        verbose_name=_("verifies work order"),
    )
    defect = models.ForeignKey(
        "maintenance.Defect",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="readings",
        verbose_name=_("defect"),
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken by"),
    )
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)

    class Meta:
        verbose_name = _("asset reading")
        verbose_name_plural = _("asset readings")
        ordering = ["-taken_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "round", "asset", "criterion"],
                condition=Q(round__isnull=False),
                name="maintenance_reading_once_per_round",
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=True) & Q(value__isnull=True) & Q(passed__isnull=True)
                | Q(not_applicable=False) & Q(value__isnull=False) & Q(passed__isnull=False),
                name="maintenance_reading_judged_or_not_applicable",
            ),
            models.CheckConstraint(
                condition=Q(round__isnull=False) | Q(verifies__isnull=False),
                name="maintenance_reading_on_round_or_verification",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "asset", "criterion", "taken_at"], name="maint_reading_asset_crit"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id}/{self.criterion_id}: {self.value}"
