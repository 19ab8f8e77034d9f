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

    ``key`` is unique, so writing the same message twice is impossible; it is the idempotency key
    receivers get on every attempt. The relay claims a due message (``claimed``, with a
    ``claim_token`` and a lease until ``lease_until``) in a committed transaction before sending it,
    and records the result only while the token is still its own. A claimed message falls due again
    when its lease ends (``next_attempt_at`` follows the lease), so the attempt of a relay that died
    is made again, with the same key.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CLAIMED = "claimed", _("Being sent")
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
    # Attempts started, including one whose relay died before recording its outcome.
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
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
            models.CheckConstraint(
                condition=~models.Q(status="claimed")
                | (models.Q(claim_token__isnull=False) & models.Q(lease_until__isnull=False)),
                name="outbox_claim_has_token_and_lease",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return self.key


class DeliveryAttempt(TenantModel):
    """One attempt to deliver an outgoing message, an e-mail or a webhook call, with what came back.

    The row is written and committed before the message leaves (``started``) and completed after it,
    each in a transaction of its own, so every attempt is in the log whatever happens to the relay:
    an attempt still ``started`` after its lease is one whose relay stopped before it heard the
    outcome (the receiver may have got the message).
    """

    class Outcome(models.TextChoices):
        STARTED = "started", _("Outcome unknown")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=8, choices=OutboxMessage.Channel)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries")
    event = models.CharField(_("event"), max_length=32)
    attempt = models.PositiveIntegerField(_("attempt"))
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    outcome = models.CharField(_("attempt outcome"), max_length=10, choices=Outcome, default=Outcome.STARTED)
    status_code = models.PositiveIntegerField(_("status code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel="email") | models.Q(webhook__isnull=False),
                name="delivery_attempt_webhook_named",
            )
        ]
        indexes = [models.Index(fields=["organization", "webhook", "-created_at"], name="delivery_org_webhook")]

    def __str__(self) -> str:
        return f"{self.message_id} #{self.attempt} {self.outcome}"

    @property
    def ok(self) -> bool:
        return self.outcome == self.Outcome.DELIVERED

    @staticmethod
    def status_ok(status_code: int | None) -> bool:
        """The receiver answered with a 2xx status (``ok`` of a webhook call; the API's list reads it from a row)."""
        return status_code is not None and 200 <= status_code < 300
