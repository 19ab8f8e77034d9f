"""Alerts and how they reach people: rules, alerts, in-app notifications, the outbox, webhooks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pmo.tenancy import TenantModel


class Severity(models.TextChoices):
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("alert status", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class WebhookEvent(models.TextChoices):
    ALERT_OPENED = "alert.opened", _("Alert opened")
    ALERT_ESCALATED = "alert.escalated", _("Alert escalated to red")
    ALERT_ACKNOWLEDGED = "alert.acknowledged", _("Alert acknowledged")
    ALERT_RESOLVED = "alert.resolved", _("Alert resolved")


class AlertRule(TenantModel):
    """One condition the organisation watches, with its thresholds and who hears about it.

    ``threshold`` raises an alert of ``severity``; ``red_threshold``, when set, raises it to red.
    What the numbers mean depends on the kind, a code an app registered (see ``pmo.alerts.kinds``).
    """

    kind = models.CharField(_("rule"), max_length=32)
    enabled = models.BooleanField(_("enabled"), default=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity, default=Severity.AMBER)
    threshold = models.DecimalField(_("threshold"), max_digits=14, decimal_places=4)
    red_threshold = models.DecimalField(_("red threshold"), max_digits=14, decimal_places=4, null=True, blank=True)
    notify_org_roles = models.JSONField(_("organisation roles notified"), default=list, blank=True)
    notify_project_roles = models.JSONField(_("project roles notified"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["organization", "kind"], name="alert_rule_one_per_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()

    def get_kind_display(self) -> str:
        """The kind's label in the active language (its code if no app registers it any more)."""
        from pmo.alerts.kinds import alert_kinds

        return alert_kinds.label(self.kind)


class Alert(TenantModel):
    """A condition seen on a subject. At most one open or acknowledged alert per rule and subject:
    a recurring condition updates it, a cleared one resolves it."""

    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("rule"))
    kind = models.CharField(_("rule"), max_length=32)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity)
    status = models.CharField(_("status"), max_length=16, choices=AlertStatus, default=AlertStatus.OPEN)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("project"),
    )
    subject_type = models.CharField(_("subject type"), max_length=16)
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    subject_label = models.CharField(_("subject"), max_length=255)
    figures = models.JSONField(_("figures"), default=dict)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # Null with a resolution date: resolved automatically when the condition cleared.
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Raised by every change people hear about (opened, escalated, ...); keys the notifications.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "rule", "subject_type", "subject_id"],
                condition=~models.Q(status="resolved"),
                name="alert_one_active_per_rule_subject",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "status", "severity"], name="alert_org_status"),
            models.Index(fields=["organization", "project", "status"], name="alert_org_project"),
            # The active alerts of every project by severity (the dashboard), read from the index alone.
            models.Index(
                fields=["organization", "project", "severity"],
                condition=models.Q(status__in=["open", "acknowledged"]),
                name="alert_active_by_project",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_type}:{self.subject_id}"

    @property
    def is_active(self) -> bool:
        return self.status != AlertStatus.RESOLVED

    def get_kind_display(self) -> str:
        """The rule's label in the active language (its code if no app registers it any more)."""
        from pmo.alerts.kinds import alert_kinds

        return alert_kinds.label(self.kind)

    def get_subject_type_display(self) -> str:
        """What the subject is (a task, ...) in the active language; the code if no app registers it any more."""
        from pmo.alerts.kinds import alert_kinds

        return alert_kinds.subject_type_label(self.subject_type)

    @property
    def message(self) -> str:
        """What happened, in the active language."""
        from pmo.alerts.kinds import alert_message

        return alert_message(self.kind, self.subject_label, self.figures)


class Notification(TenantModel):
    """An alert event in one person's inbox."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("alert"))
    revision = models.PositiveIntegerField()
    event = models.CharField(_("event"), max_length=32, choices=WebhookEvent)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Set once the notification went out in a daily digest.
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "alert", "revision"], name="notification_once_per_alert_revision"
            )
        ]
        indexes = [models.Index(fields=["organization", "user", "read_at"], name="notification_org_user_read")]

    def __str__(self) -> str:
        return f"{self.event} → {self.user_id}"


class Webhook(TenantModel):
    """An organisation's receiver of alert events, signed with its secret."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=2000)
    secret = models.CharField(_("signing secret"), max_length=64, editable=False)
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="webhook_name_unique_in_org",
                violation_error_message=_("Another webhook already has this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class OutboxMessage(TenantModel):
    """A message to send, written in the same transaction as what it tells about.

    The relay sends pending messages and marks them sent; ``key`` is unique, so writing the
    same message twice is impossible, and receivers get it to recognise a repeated delivery.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, null=True, blank=True, related_name="messages", verbose_name=_("webhook")
    )
    event = models.CharField(_("event"), max_length=32)
    payload = models.JSONField(default=dict)
    key = models.CharField(_("idempotency key"), max_length=200)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="outbox_key_once"),
            models.CheckConstraint(
                condition=(models.Q(channel="email") & models.Q(user__isnull=False))
                | (models.Q(channel="webhook") & models.Q(webhook__isnull=False)),
                name="outbox_has_recipient",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return self.key


class WebhookDelivery(TenantModel):
    """One attempt to deliver a message to a webhook, with what came back."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=32)
    attempt = models.PositiveIntegerField(_("attempt"))
    status_code = models.PositiveIntegerField(_("status code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "webhook", "-created_at"], name="delivery_org_webhook")]

    def __str__(self) -> str:
        return f"{self.webhook_id} #{self.attempt} {self.status_code}"

    @property
    def ok(self) -> bool:
        return self.status_ok(self.status_code)

    @staticmethod
    def status_ok(status_code: int | None) -> bool:
        """The receiver answered with a 2xx status (``ok``; the API's list reads it from a row)."""
        return status_code is not None and 200 <= status_code < 300
