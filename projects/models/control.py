"""Project control: weekly status reports and change requests."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmo.money import validate_money
from pmo.tenancy import TenantModel
from projects.models.plan import WbsElement
from projects.models.project import Project


class Rag(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


class ChangeRequest(TenantModel):
    class Kind(models.TextChoices):
        SCOPE = "scope", _("Scope")
        SCHEDULE = "schedule", _("Schedule")
        COST = "cost", _("Cost")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        IMPLEMENTED = "implemented", _("Implemented")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="change_requests", verbose_name=_("project")
    )
    number = models.PositiveIntegerField(_("number"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    description = models.TextField(_("description"))
    reason = models.TextField(_("reason"))
    impact_days = models.IntegerField(_("schedule impact (working days)"), default=0)
    impact_cost = models.DecimalField(
        _("cost impact"), max_digits=16, decimal_places=2, default=Decimal("0.00"), validators=[validate_money]
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    implemented_at = models.DateTimeField(_("implemented at"), null=True, blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "project", "number"], name="change_request_number_once")
        ]

    def __str__(self) -> str:
        return f"CR-{self.number} {self.title}"


class ChangeRequestElement(TenantModel):
    """A WBS element affected by a change request."""

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="affected")
    element = models.ForeignKey(WbsElement, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("affected element")
        verbose_name_plural = _("affected elements")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "change_request", "element"], name="change_request_element_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.change_request_id} → {self.element_id}"


class StatusReport(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        REVIEWED = "reviewed", _("Reviewed")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="status_reports", verbose_name=_("project")
    )
    period_end = models.DateField(_("week ending"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    rag_schedule = models.CharField(_("schedule"), max_length=8, choices=Rag, default=Rag.GREEN)
    rag_cost = models.CharField(_("cost"), max_length=8, choices=Rag, default=Rag.GREEN)
    rag_scope = models.CharField(_("scope"), max_length=8, choices=Rag, default=Rag.GREEN)
    rag_quality = models.CharField(_("quality"), max_length=8, choices=Rag, default=Rag.GREEN)
    rag_risk = models.CharField(_("risk"), max_length=8, choices=Rag, default=Rag.GREEN)
    rag_overall = models.CharField(_("overall"), max_length=8, choices=Rag, default=Rag.GREEN)
    # Why the overall rating differs from the computed one; required on submission when it does.
    rag_override_justification = models.TextField(_("justification of the overall rating"), blank=True)
    accomplishments = models.TextField(_("accomplishments"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    issues = models.TextField(_("issues"), blank=True)
    decisions_needed = models.TextField(_("decisions needed"), blank=True)
    figures = models.JSONField(_("computed figures"), default=dict, blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    # The PMO office's last return of the report to its author: what to change before submitting again.
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("returned by"),
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_comment = models.TextField(_("return comment"), blank=True)

    class Meta:
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        ordering = ["project", "-period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "project", "period_end"],
                name="status_report_once_per_week",
                violation_error_message=_("The project already has a status report for this week."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.period_end}"
