from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class QueuedTask(models.Model):
    """A Celery task a write queued, recorded in the write's own transaction (pmo.queueing).

    The row lives until a worker takes the task: a broker that is down when the write commits, or
    that loses its messages, leaves it here, and the dispatcher sends it again. Not a tenant
    model: the dispatcher sends every organisation's tasks, and a task's arguments carry its
    organisation.
    """

    task = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    #: The broker refused it (or was known to be down): the dispatcher sends it as soon as it answers.
    waiting = models.BooleanField(_("waiting for the broker"), default=False)
    #: When the dispatcher last handed it to the broker.
    sent_at = models.DateTimeField(_("sent by the dispatcher at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("sent by the dispatcher"), default=0)

    class Meta:
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"
