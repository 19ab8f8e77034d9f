"""Defects found by readings and the work orders that repair them, with their SLA clocks.

An asset and criterion have at most one open corrective work order (a partial unique constraint):
a further breach adds its reading to that work order's defect instead of opening another.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from maintenance.models.assets import Asset, Contractor, Site
from maintenance.models.settings import HoldReason, Priority
from maintenance.models.standards import Criterion, CriterionVersion
from pmo.tenancy import TenantModel

ZERO = Decimal("0.00")


class DefectStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("defect status", "Open")
    RESOLVED = "resolved", pgettext_lazy("defect status", "Resolved")
    CANCELLED = "cancelled", pgettext_lazy("defect status", "Cancelled")


class Defect(TenantModel):
    """An asset failing a criterion, from the first breaching reading until its work order closes.

    ``warranty_claim`` is set when it was found on or before the asset's warranty end; the claim is
    against ``contractor`` (the asset's, when found) and counts for ``origin_project``.
    """

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="defects", verbose_name=_("asset"))
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion"))
    criterion_version = models.ForeignKey(
        CriterionVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion version")
    )
    priority = models.CharField(_("priority"), max_length=2, choices=Priority)
    status = models.CharField(_("status"), max_length=16, choices=DefectStatus, default=DefectStatus.OPEN)
    found_at = models.DateTimeField(_("found at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    warranty_claim = models.BooleanField(_("warranty claim"), default=False)
    contractor = models.ForeignKey(
        Contractor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="defects",
        verbose_name=_("contractor"),
    )
    origin_project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("origin project"),
    )

    class Meta:
        verbose_name = _("defect")
        verbose_name_plural = _("defects")
        ordering = ["-found_at"]
        indexes = [
            models.Index(fields=["organization", "asset", "criterion", "found_at"], name="maint_defect_asset_crit"),
            models.Index(fields=["organization", "origin_project"], name="maint_defect_origin_project"),
            models.Index(fields=["organization", "contractor"], name="maint_defect_contractor"),
        ]

    def __str__(self) -> str:
        return f"defect {self.pk} on {self.asset_id}"


class WorkOrderKind(models.TextChoices):
    CORRECTIVE = "corrective", pgettext_lazy("work order kind", "Corrective")
    PREVENTIVE = "preventive", pgettext_lazy("work order kind", "Preventive")
    REQUEST = "request", pgettext_lazy("work order kind", "Request")


class WorkOrderStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("work order status", "Open")
    ASSIGNED = "assigned", pgettext_lazy("work order status", "Assigned")
    IN_PROGRESS = "in_progress", pgettext_lazy("work order status", "In progress")
    ON_HOLD = "on_hold", pgettext_lazy("work order status", "On hold")
    COMPLETED = "completed", pgettext_lazy("work order status", "Completed")
    VERIFIED = "verified", pgettext_lazy("work order status", "Verified")
    CLOSED = "closed", pgettext_lazy("work order status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("work order status", "Cancelled")


#: Statuses of a work order still to be done (its resolution clock runs unless paused).
OPEN_STATUSES = (
    WorkOrderStatus.OPEN,
    WorkOrderStatus.ASSIGNED,
    WorkOrderStatus.IN_PROGRESS,
    WorkOrderStatus.ON_HOLD,
)
#: Statuses in which the repair is not yet verified and closed: a breach of the same criterion joins it.
UNCLOSED_STATUSES = (*OPEN_STATUSES, WorkOrderStatus.COMPLETED, WorkOrderStatus.VERIFIED)


class WorkOrder(TenantModel):
    """A job on an asset: corrective (from a defect), preventive (from a plan) or a request.

    Response is when work starts (``started_at``), resolution when it is completed
    (``completed_at``); the due times are set at opening from the priority's SLA target and moved
    by the paused time of hold reasons that pause the clock (``paused_seconds``).
    """

    number = models.PositiveIntegerField(_("number"), editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=WorkOrderKind)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    asset = models.ForeignKey(
        Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="work_orders", verbose_name=_("asset")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="work_orders", verbose_name=_("site")
    )
    location_text = models.CharField(_("location"), max_length=255, blank=True)
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("criterion")
    )
    defect = models.ForeignKey(
        Defect, on_delete=models.PROTECT, null=True, blank=True, related_name="work_orders", verbose_name=_("defect")
    )
    pm_plan = models.ForeignKey(
        "maintenance.PmPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("preventive plan"),
    )
    #: The due point a preventive work order was made for: ``2027-03-01`` or ``meter:12000``.
    pm_due_key = models.CharField(_("due point"), max_length=40, blank=True)
    origin_project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("origin project"),
    )
    priority = models.CharField(_("priority"), max_length=2, choices=Priority, default=Priority.P3)
    status = models.CharField(_("status"), max_length=16, choices=WorkOrderStatus, default=WorkOrderStatus.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    contractor = models.ForeignKey(
        Contractor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("contractor"),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reporter_name = models.CharField(
        _("reported by (outside)"), max_length=120, blank=True, help_text=_("A citizen or caller, with their contact.")
    )
    reporter_contact = models.CharField(_("reporter's contact"), max_length=120, blank=True)
    warranty_claim = models.BooleanField(_("warranty claim"), default=False)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    response_due_at = models.DateTimeField(_("respond by"))
    resolution_due_at = models.DateTimeField(_("resolve by"))
    around_the_clock = models.BooleanField(_("clock runs around the clock"), default=False)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    started_at = models.DateTimeField(_("work started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("why cancelled"), blank=True)
    hold_reason = models.ForeignKey(
        HoldReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("on hold because")
    )
    paused_seconds = models.PositiveIntegerField(_("time paused (s)"), default=0)
    response_breached = models.BooleanField(_("response deadline missed"), default=False)
    resolution_breached = models.BooleanField(_("resolution deadline missed"), default=False)
    work_done = models.TextField(_("work done"), blank=True)
    labour_hours = models.DecimalField(
        _("labour hours"), max_digits=8, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    materials = models.TextField(_("materials"), blank=True)
    cost = models.DecimalField(
        _("cost"), max_digits=14, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    due_date = models.DateField(_("planned for"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-opened_at", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="maintenance_work_order_unique_number"),
            models.UniqueConstraint(
                fields=["organization", "asset", "criterion"],
                condition=Q(kind=WorkOrderKind.CORRECTIVE) & Q(status__in=UNCLOSED_STATUSES),
                name="maintenance_one_unclosed_corrective_per_criterion",
            ),
            models.UniqueConstraint(
                fields=["organization", "pm_plan", "asset", "pm_due_key"],
                condition=Q(pm_plan__isnull=False),
                name="maintenance_pm_once_per_due_point",
            ),
            models.CheckConstraint(
                condition=~Q(kind=WorkOrderKind.CORRECTIVE) | Q(defect__isnull=False),
                name="maintenance_corrective_has_defect",
            ),
            models.CheckConstraint(
                condition=~Q(kind=WorkOrderKind.PREVENTIVE) | Q(pm_plan__isnull=False),
                name="maintenance_preventive_has_plan",
            ),
            models.CheckConstraint(
                condition=Q(asset__isnull=False) | Q(site__isnull=False) | ~Q(location_text=""),
                name="maintenance_work_order_located",
            ),
            models.CheckConstraint(
                condition=Q(resolution_due_at__gte=models.F("response_due_at")),
                name="maintenance_work_order_due_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status=WorkOrderStatus.CANCELLED) | ~Q(cancel_reason=""),
                name="maintenance_work_order_cancel_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=WorkOrderStatus.ON_HOLD) | Q(hold_reason__isnull=False),
                name="maintenance_work_order_hold_reason",
            ),
            models.CheckConstraint(condition=Q(cost__gte=0), name="maintenance_work_order_cost_not_negative"),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "priority"], name="maint_wo_status_priority"),
            models.Index(fields=["organization", "asset", "status"], name="maint_wo_asset_status"),
            models.Index(fields=["organization", "origin_project"], name="maint_wo_origin_project"),
            models.Index(fields=["organization", "contractor", "status"], name="maint_wo_contractor_status"),
            models.Index(fields=["organization", "opened_at"], name="maint_wo_opened"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"WO-{self.number:05d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class WorkOrderEvent(TenantModel):
    """One transition of a work order, kept as its history besides the audit trail."""

    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="events", verbose_name=_("work order")
    )
    from_status = models.CharField(_("from"), max_length=16, choices=WorkOrderStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=WorkOrderStatus)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("work order event")
        verbose_name_plural = _("work order events")
        ordering = ["work_order", "at", "id"]

    def __str__(self) -> str:
        return f"{self.work_order_id}: {self.from_status} → {self.to_status}"


class WorkOrderPause(TenantModel):
    """A stretch on hold; it moves the SLA due times when its reason pauses the clock."""

    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("work order")
    )
    reason = models.ForeignKey(HoldReason, on_delete=models.PROTECT, related_name="+", verbose_name=_("reason"))
    pauses_clock = models.BooleanField(_("pauses the SLA clock"), default=False)
    note = models.TextField(_("note"), blank=True)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("clock time paused (s)"), default=0)

    class Meta:
        verbose_name = _("work order pause")
        verbose_name_plural = _("work order pauses")
        ordering = ["work_order", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "work_order"],
                condition=Q(ended_at__isnull=True),
                name="maintenance_one_running_pause",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="maintenance_pause_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_order_id} paused {self.started_at}"
