"""Jobs: one piece of work a person asked for (an import, an export, a PDF) done on a worker, with
its progress, its result file or its error report (see ``pmo.jobs``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pmo.tenancy import TenantModel


class JobStatus(models.TextChoices):
    # The words of a run's batch (pmo.models.runs.BatchStatus): one translation for both.
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", pgettext_lazy("run status", "Failed")


#: A job in one of these has not ended yet.
JOB_UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(TenantModel):
    """A job and where it stands: its kind and what it was given, its progress, and how it ended.

    ``upload_key`` and ``result_key`` name files in the ``jobs`` storage; both are deleted once
    ``expires_at`` (the end plus ``PMO_JOB_RESULT_DAYS``) has passed, and the row with them.
    ``reported_at`` is when a worker last said something of it (started, progress, ended): a
    running job that has not reported for ``PMO_RUN_STALE_SECONDS`` lost its worker.
    """

    kind = models.CharField(_("kind"), max_length=60)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(_("status"), max_length=10, choices=JobStatus, default=JobStatus.QUEUED)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("requested"), default=timezone.now, editable=False)
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)
    upload_key = models.CharField(_("upload's storage key"), max_length=200, blank=True)
    upload_name = models.CharField(_("upload's name"), max_length=255, blank=True)
    upload_size = models.PositiveBigIntegerField(_("upload's size"), default=0)
    result_key = models.CharField(_("result's storage key"), max_length=200, blank=True)
    result_name = models.CharField(_("result's name"), max_length=255, blank=True)
    result_type = models.CharField(_("result's type"), max_length=150, blank=True)
    result_size = models.PositiveBigIntegerField(_("result's size"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    #: The error as the API answers it: ``{"code", "message", "fields"}``; empty unless failed.
    error = models.JSONField(_("error"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    #: The requester's language when they asked: the job's report and errors are written in it.
    language = models.CharField(_("language"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(percent__lte=100), name="job_percent_at_most_100"),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running"], finished_at__isnull=True)
                | models.Q(status__in=["done", "failed"], finished_at__isnull=False),
                name="job_finished_when_ended",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "requested_by", "-created_at"], name="job_requester_recent"),
            models.Index(fields=["organization", "-created_at"], name="job_org_recent"),
            # The sweeper's look-ups: the few unfinished jobs, and the ended ones past their keeping.
            models.Index(
                fields=["reported_at"], condition=models.Q(status__in=["queued", "running"]), name="job_unfinished"
            ),
            models.Index(fields=["expires_at"], name="job_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_kind_display(self) -> str:
        """The kind's label in the active language (its code if no app registers it any more)."""
        from pmo.jobs.registry import job_kinds

        return job_kinds.label(self.kind)

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def has_result(self) -> bool:
        return self.status == JobStatus.DONE and bool(self.result_key)

    def is_expired(self, now: object | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())  # type: ignore[operator]
