"""Runs of background work fanned out in batches, each batch recorded until a worker reports it done.

A broker may lose what it holds (a Redis restart without persistence); the database does not. A
run is complete only when every one of its batches has reported, and the sweeper sends again the
batches that have not reported in time (see ``pmo.runs``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pmo.tenancy import TenantModel


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    COMPLETE = "complete", _("Complete")
    # Every batch has reported, and at least one gave up after its last attempt: the work is incomplete.
    FAILED = "failed", pgettext_lazy("run status", "Failed")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", pgettext_lazy("run status", "Failed")


#: A batch in one of these has not reported its end yet.
UNFINISHED = (BatchStatus.QUEUED, BatchStatus.RUNNING)


class Run(models.Model):
    """One fan-out of work (a variance run, the hourly inspection rounds) and what it has come to.

    A run the beat starts over every organisation has no organisation; each of its batches has one,
    and an organisation sees such a run through its own batches only (``pmo.runs.selectors``).
    """

    kind = models.CharField(_("kind"), max_length=60)
    organization = models.ForeignKey(
        "pmo.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("Empty for a run over every organisation."),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus, default=RunStatus.RUNNING)
    batch_count = models.PositiveIntegerField(_("batches"), default=0)
    done_count = models.PositiveIntegerField(_("batches done"), default=0)
    failed_count = models.PositiveIntegerField(_("batches failed"), default=0)

    class Meta:
        verbose_name = _("run")
        verbose_name_plural = _("runs")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["status", "started_at"], name="run_status_started"),
            models.Index(fields=["finished_at"], name="run_finished"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_kind_display(self) -> str:
        """The kind's label in the active language (its code if no app registers it any more)."""
        from pmo.runs.registry import run_kinds

        return run_kinds.label(self.kind)


class RunBatch(TenantModel):
    """One batch of a run: what to do (``key``, ``payload``), where it stands and how often it was tried.

    ``queued_at`` is when its task was last sent to the broker, ``reported_at`` when a worker last
    said something of it (started, done, failed); ``attempts`` counts the times a worker started it.
    """

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="batches", verbose_name=_("run"))
    key = models.CharField(_("key"), max_length=100)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus, default=BatchStatus.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("run batch")
        verbose_name_plural = _("run batches")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["organization", "run", "key"], name="run_batch_key_once")]
        indexes = [
            models.Index(fields=["run", "status"], name="run_batch_run_status"),
            # The sweeper's look-up: the few batches not yet reported, oldest first.
            models.Index(
                fields=["queued_at"],
                condition=models.Q(status__in=["queued", "running"]),
                name="run_batch_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.key}"
