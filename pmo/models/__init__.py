"""The core's models: tenants, people and roles, calendars, tokens, the audit trail, alerts and
their delivery (in the app, by e-mail and by webhook), the runs of background work in batches, and
the jobs people ask for."""

from pmo.models.alerts import (
    Alert,
    AlertRule,
    AlertStatus,
    DeliveryAttempt,
    Notification,
    OutboxMessage,
    Severity,
    Webhook,
    WebhookEvent,
)
from pmo.models.attachments import Attachment
from pmo.models.calendar_feeds import CalendarFeed
from pmo.models.core import (
    ApiToken,
    AppendOnlyError,
    AuditEvent,
    AuditEventManager,
    AuditEventQuerySet,
    CalendarException,
    Membership,
    Organization,
    OrgRole,
    User,
    WorkingCalendar,
    currency_validator,
    default_weekdays,
    known_time_zones,
    validate_time_zone,
    validate_weekdays,
)
from pmo.models.invitations import Invitation, InvitationStatus
from pmo.models.jobs import JOB_UNFINISHED, Job, JobStatus
from pmo.models.queueing import QueuedTask
from pmo.models.runs import UNFINISHED, BatchStatus, Run, RunBatch, RunStatus

__all__ = [
    "JOB_UNFINISHED",
    "UNFINISHED",
    "Alert",
    "AlertRule",
    "AlertStatus",
    "ApiToken",
    "AppendOnlyError",
    "Attachment",
    "AuditEvent",
    "AuditEventManager",
    "AuditEventQuerySet",
    "BatchStatus",
    "CalendarException",
    "CalendarFeed",
    "DeliveryAttempt",
    "Invitation",
    "InvitationStatus",
    "Job",
    "JobStatus",
    "Membership",
    "Notification",
    "OrgRole",
    "Organization",
    "OutboxMessage",
    "QueuedTask",
    "Run",
    "RunBatch",
    "RunStatus",
    "Severity",
    "User",
    "Webhook",
    "WebhookEvent",
    "WorkingCalendar",
    "currency_validator",
    "default_weekdays",
    "known_time_zones",
    "validate_time_zone",
    "validate_weekdays",
]
