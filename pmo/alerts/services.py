"""Writes of alerts: rules, raising and clearing alerts, and telling people about it.

Raising an alert, its in-app notifications and its outgoing messages (e-mail, webhooks) are
written in one transaction; the relay (``pmo.alerts.delivery``) sends the messages afterwards.
So a crashed worker or a retried task loses nothing and repeats nothing: either everything of
an evaluation is committed, or nothing is and the evaluation runs again.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pmo.alerts.kinds import BELOW, alert_kinds, alert_message, severity_of
from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import (
    Alert,
    AlertRule,
    AlertStatus,
    Membership,
    Notification,
    Organization,
    OrgRole,
    OutboxMessage,
    Severity,
    User,
    Webhook,
    WebhookEvent,
)
from pmo.project_directory import project_directory
from pmo.queueing import nudge_on_commit

RULE_FIELDS = ["enabled", "severity", "threshold", "red_threshold", "notify_org_roles", "notify_project_roles"]


@dataclass(frozen=True)
class Finding:
    """A rule's condition holding on one subject, with the measure and the figures behind it."""

    subject_type: str
    subject_id: int
    subject_label: str
    project_id: int | None
    measure: Decimal
    figures: dict[str, str]

    @classmethod
    def waiting(
        cls,
        subject_type: str,
        subject_id: int,
        label: str,
        project_id: int,
        at: dt.datetime,
        now: dt.datetime,
    ) -> Finding:
        """Something submitted ``at`` still waits for a decision: the measure is the days it has waited."""
        days = (now - at).days
        return cls(
            subject_type,
            subject_id,
            label,
            project_id,
            Decimal(days),
            {"value": str(days), "submitted_at": at.isoformat()},
        )


@dataclass
class SyncResult:
    opened: int = 0
    updated: int = 0
    escalated: int = 0
    resolved: int = 0
    notifications: int = 0
    messages: int = 0

    def add(self, other: SyncResult) -> None:
        for name in ("opened", "updated", "escalated", "resolved", "notifications", "messages"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


# --- rules ------------------------------------------------------------------------------


def alert_rules_ensure(organization: Organization) -> dict[str, AlertRule]:
    """Every registered kind's rule of the organisation, creating the missing ones with their defaults.

    The rules of kinds no longer registered are left alone: not evaluated, not listed.
    """
    rules = {rule.kind: rule for rule in AlertRule.objects.for_organization(organization) if rule.kind in alert_kinds}
    missing = [
        AlertRule(
            organization=organization,
            kind=spec.code,
            severity=spec.severity,
            threshold=spec.threshold,
            red_threshold=spec.red_threshold,
            notify_org_roles=list(spec.org_roles),
            notify_project_roles=list(spec.project_roles),
        )
        for spec in alert_kinds
        if spec.code not in rules
    ]
    if missing:
        AlertRule.objects.bulk_create(missing, ignore_conflicts=True)
        rules = {
            rule.kind: rule for rule in AlertRule.objects.for_organization(organization) if rule.kind in alert_kinds
        }
    return rules


def _invalid_roles(values: Any, allowed: Iterable[str]) -> bool:
    return not isinstance(values, list) or any(not isinstance(value, str) or value not in allowed for value in values)


@transaction.atomic
def alert_rule_update(*, actor: User, rule: AlertRule, **fields: Any) -> AlertRule:
    """Change a rule's switch, thresholds, severity or recipients; refuses thresholds the wrong way round."""
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    before = snapshot(rule, RULE_FIELDS)
    for name, value in fields.items():
        setattr(rule, name, value)
    errors: dict[str, list[str]] = {}
    if rule.severity not in Severity.values:
        errors["severity"] = [_("Choose amber or red.")]
    if _invalid_roles(rule.notify_org_roles, OrgRole.values):
        errors["notify_org_roles"] = [_("Choose organisation roles from the list.")]
    if _invalid_roles(rule.notify_project_roles, [code for code, _label in project_directory.roles]):
        errors["notify_project_roles"] = [_("Choose project roles from the list.")]
    spec = alert_kinds.get(rule.kind)
    if spec is None:
        raise ApplicationError(_("This kind of alert rule is no longer available."), code="alert_kind_unknown")
    if rule.threshold is None:
        errors["threshold"] = [_("Enter a threshold.")]
    elif rule.red_threshold is not None:
        stricter = (
            rule.red_threshold < rule.threshold if spec.direction == BELOW else rule.red_threshold > rule.threshold
        )
        if not stricter:
            errors["red_threshold"] = [
                _("The red threshold must be lower than the threshold.")
                if spec.direction == BELOW
                else _("The red threshold must be higher than the threshold.")
            ]
    if errors:
        raise ApplicationError(_("The rule was not saved: check the highlighted fields."), fields=errors)
    rule.notify_org_roles = sorted(set(rule.notify_org_roles))
    rule.notify_project_roles = sorted(set(rule.notify_project_roles))
    rule.updated_at = timezone.now()
    rule.updated_by = actor
    rule.save()
    changes = diff(before, snapshot(rule, RULE_FIELDS))
    if changes:
        audit_record(
            organization=rule.organization, actor=actor, action="alert_rule.updated", target=rule, changes=changes
        )
    return rule


def _plain_number(value: Decimal) -> str:
    """0.9500 → 0.95, 20.0000 → 20: thresholds as people write them."""
    text = format(value.normalize(), "f")
    return text


# --- who hears about an alert ---------------------------------------------------------


@dataclass
class Recipients:
    """The people of an organisation by role, loaded once for a batch of evaluations."""

    users: dict[int, User] = field(default_factory=dict)
    by_org_role: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_project_role: dict[tuple[int, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    webhooks: list[Webhook] = field(default_factory=list)

    def for_alert(self, rule: AlertRule, project_id: int | None) -> list[User]:
        chosen: set[int] = set()
        for role in rule.notify_org_roles:
            chosen |= self.by_org_role.get(role, set())
        if project_id is not None:
            for role in rule.notify_project_roles:
                chosen |= self.by_project_role.get((project_id, role), set())
        return [self.users[pk] for pk in sorted(chosen) if pk in self.users]


def _webhooks_only(organization: Organization) -> Recipients:
    """For events people are not told about (resolved, acknowledged): the active webhooks alone."""
    return Recipients(webhooks=list(Webhook.objects.for_organization(organization).filter(is_active=True)))


def recipients_load(organization: Organization, project_ids: Iterable[int]) -> Recipients:
    """Members by organisation role, project members by role, and the active webhooks: three queries."""
    recipients = Recipients()
    for membership in (
        Membership.objects.for_organization(organization).filter(user__is_active=True).select_related("user")
    ):
        recipients.users[membership.user_id] = membership.user
        recipients.by_org_role[membership.role].add(membership.user_id)
    members = project_directory.members(organization).filter(project_id__in=list(project_ids))
    for project_id, user_id, role in members.values_list("project_id", "user_id", "role"):
        if user_id in recipients.users:
            recipients.by_project_role[(project_id, role)].add(user_id)
    recipients.webhooks = _webhooks_only(organization).webhooks
    return recipients


def _figures_text(kind: str, subject: str, figures: dict[str, Any]) -> dict[str, str]:
    messages = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            messages[language] = alert_message(kind, subject, figures)
    return messages


def alert_document(alert: Alert, organization: Organization) -> dict[str, Any]:
    """The alert as receivers see it: in webhook bodies and e-mails."""
    return {
        "id": alert.pk,
        "organization": organization.slug,
        "rule": alert.kind,
        "severity": alert.severity,
        "status": alert.status,
        "subject": {"type": alert.subject_type, "id": alert.subject_id, "label": alert.subject_label},
        "project_id": alert.project_id,
        "figures": alert.figures,
        "message": _figures_text(alert.kind, alert.subject_label, alert.figures),
        "first_seen_at": alert.first_seen_at.isoformat(),
        "last_seen_at": alert.last_seen_at.isoformat(),
        "revision": alert.revision,
    }


@dataclass
class _Pending:
    """Notifications and messages of one evaluation, written together at the end."""

    # The values of each notification, in NOTIFICATION_COLUMNS order: a run may write tens of
    # thousands, and building a model instance for each costs more than writing it.
    notifications: list[tuple[Any, ...]] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)


def _tell(
    pending: _Pending,
    *,
    organization: Organization,
    alert: Alert,
    event: str,
    recipients: Recipients,
    people: bool,
    users: Sequence[User] | None = None,
) -> None:
    """Queue what one alert event sends: inbox entries and e-mails for ``people``, webhook messages.

    ``users``, when given, are the people told instead of the rule's roles.
    """
    now = timezone.now()
    built: dict[str, Any] = {}

    def document() -> dict[str, Any]:
        # Built once, and only when a message carries it: most alerts reach people in the app only.
        if not built:
            built.update(alert_document(alert, organization))
        return built

    if people:
        stamp = connection.ops.adapt_datetimefield_value(now)
        for user in users if users is not None else recipients.for_alert(alert.rule, alert.project_id):
            digest = user.alert_email == User.AlertEmail.DIGEST
            pending.notifications.append(
                (organization.pk, user.pk, alert.pk, alert.revision, event, stamp, None if digest else stamp)
            )
            if user.alert_email == User.AlertEmail.IMMEDIATE and user.email:
                pending.messages.append(
                    OutboxMessage(
                        organization=organization,
                        channel=OutboxMessage.Channel.EMAIL,
                        user=user,
                        event=event,
                        payload={"alerts": [document()]},
                        key=f"alert:{alert.pk}:{alert.revision}:email:{user.pk}",
                    )
                )
    for webhook in recipients.webhooks:
        if event in webhook.events:
            pending.messages.append(
                OutboxMessage(
                    organization=organization,
                    channel=OutboxMessage.Channel.WEBHOOK,
                    webhook=webhook,
                    event=event,
                    payload={"event": event, "alert": document()},
                    key=f"alert:{alert.pk}:{alert.revision}:webhook:{webhook.pk}",
                )
            )


NOTIFICATION_COLUMNS = ("organization_id", "user_id", "alert_id", "revision", "event", "created_at", "digested_at")


def _insert_notifications(rows: list[tuple[Any, ...]]) -> None:
    """Write the notifications with multi-row INSERTs, in the batches ``bulk_create`` would use.

    ``rows`` hold database values (times adapted by ``connection.ops``), so that no model instance
    is built: at tens of thousands of rows a run, building them cost more than the writes.
    """
    if not rows:
        return
    size = min(2000, connection.ops.bulk_batch_size(list(NOTIFICATION_COLUMNS), rows) or 2000)
    placeholder = f"({', '.join(['%s'] * len(NOTIFICATION_COLUMNS))})"
    # The table and columns are the model's own; every value is a parameter.
    insert = f"INSERT INTO {Notification._meta.db_table} ({', '.join(NOTIFICATION_COLUMNS)}) VALUES "  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            cursor.execute(insert + ", ".join([placeholder] * len(chunk)), [value for row in chunk for value in row])


def _flush(pending: _Pending, result: SyncResult) -> None:
    _insert_notifications(pending.notifications)
    OutboxMessage.objects.bulk_create(pending.messages, batch_size=500)
    result.notifications += len(pending.notifications)
    result.messages += len(pending.messages)


def relay_soon(result: SyncResult) -> None:
    """Have the relay send what was written as soon as the transaction commits (the beat also queues it
    every 5 s). The messages are in the outbox already: with the broker down, the beat's relay sends them later.
    """
    if result.messages:
        from pmo.tasks import relay_outbox

        nudge_on_commit(relay_outbox)


_evaluations_deferred: ContextVar[bool] = ContextVar("pmo_evaluations_deferred", default=False)


@contextmanager
def evaluations_deferred() -> Iterator[None]:
    """Queue no evaluation of a project inside: for a caller that evaluates all it wrote afterwards.

    The demo's seeding writes hundreds of changes to a dozen projects and then runs the variance
    run of the organisation once, instead of one evaluation per change.
    """
    token = _evaluations_deferred.set(True)
    try:
        yield
    finally:
        _evaluations_deferred.reset(token)


def project_evaluation_queue(project: Any) -> None:
    """Evaluate the project's earned value and alert rules again once the transaction commits.

    Called by the services whose changes move a rule's measure (progress, costs, budget and
    change-request decisions); the runs the apps registered (the variance run of finance) queue
    the evaluation. Nothing is queued inside ``evaluations_deferred``.
    """
    if _evaluations_deferred.get():
        return
    # The runs queue with pmo.queueing.queue_on_commit: recorded in this transaction, sent after it.
    alert_kinds.run_projects(organization_id=project.organization_id, project_ids=[project.pk])


# --- raising and clearing ------------------------------------------------------------------


def alerts_sync(
    *,
    organization: Organization,
    rule: AlertRule,
    findings: list[Finding],
    project_ids: Iterable[int],
    recipients: Recipients,
) -> SyncResult:
    """Make the rule's active alerts on ``project_ids`` match ``findings``.

    A finding with no active alert opens one; one with an active alert updates its figures and
    last-seen time (raising its severity tells people again); an active alert with no finding is
    resolved. A disabled rule finds nothing, so its alerts resolve. The caller holds the projects'
    locks (two evaluations of one project go one after the other) and the transaction.
    """
    now = timezone.now()
    result = SyncResult()
    pending = _Pending()
    active: dict[tuple[str, int], Alert] = {}
    for alert in Alert.objects.for_organization(organization).filter(
        rule=rule, project_id__in=list(project_ids), status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]
    ):
        alert.rule = rule
        active[(alert.subject_type, alert.subject_id)] = alert
    spec_findings = findings if rule.enabled else []
    fresh: list[Alert] = []
    changed: list[Alert] = []
    unchanged: list[Alert] = []
    resolved: list[Alert] = []
    seen: set[tuple[str, int]] = set()
    subject_types = alert_kinds[rule.kind].subject_types
    for finding in spec_findings:
        if finding.subject_type not in subject_types:
            raise ValueError(f"A finding of {rule.kind} is about a {finding.subject_type}, not one of {subject_types}.")
        severity = severity_of(rule.kind, finding.measure, rule.threshold, rule.red_threshold, rule.severity)
        if severity is None:
            continue
        crossed = rule.red_threshold if severity == Severity.RED and rule.red_threshold is not None else rule.threshold
        finding = replace(finding, figures={**finding.figures, "threshold": _plain_number(crossed)})
        key = (finding.subject_type, finding.subject_id)
        seen.add(key)
        alert = active.get(key)
        if alert is None:
            fresh.append(
                Alert(
                    organization=organization,
                    rule=rule,
                    kind=rule.kind,
                    severity=severity,
                    project_id=finding.project_id,
                    subject_type=finding.subject_type,
                    subject_id=finding.subject_id,
                    subject_label=finding.subject_label[:255],
                    figures=finding.figures,
                    first_seen_at=now,
                    last_seen_at=now,
                )
            )
            continue
        escalated = alert.severity == Severity.AMBER and severity == Severity.RED
        if (alert.severity, alert.figures, alert.subject_label) == (
            severity,
            finding.figures,
            finding.subject_label[:255],
        ):
            unchanged.append(alert)
            result.updated += 1
            continue
        alert.severity = severity
        alert.figures = finding.figures
        alert.subject_label = finding.subject_label[:255]
        alert.last_seen_at = now
        if escalated:
            alert.revision += 1
            result.escalated += 1
            _tell(
                pending,
                organization=organization,
                alert=alert,
                event=WebhookEvent.ALERT_ESCALATED,
                recipients=recipients,
                people=True,
            )
        result.updated += 1
        changed.append(alert)
    for key, alert in active.items():
        if key in seen:
            continue
        alert.status = AlertStatus.RESOLVED
        alert.resolved_at = now
        alert.revision += 1
        result.resolved += 1
        resolved.append(alert)
        _tell(
            pending,
            organization=organization,
            alert=alert,
            event=WebhookEvent.ALERT_RESOLVED,
            recipients=recipients,
            people=False,
        )
    if unchanged:
        Alert.objects.for_organization(organization).filter(pk__in=[alert.pk for alert in unchanged]).update(
            last_seen_at=now
        )
        for alert in unchanged:
            alert.last_seen_at = now
    if changed:
        Alert.objects.for_organization(organization).bulk_update(
            changed, ["severity", "figures", "subject_label", "last_seen_at", "revision"]
        )
    if resolved:
        Alert.objects.for_organization(organization).bulk_update(resolved, ["status", "resolved_at", "revision"])
    if fresh:
        Alert.objects.bulk_create(fresh)
        for alert in fresh:
            _tell(
                pending,
                organization=organization,
                alert=alert,
                event=WebhookEvent.ALERT_OPENED,
                recipients=recipients,
                people=True,
            )
        result.opened += len(fresh)
    _flush(pending, result)
    return result


def alerts_open_for_people(
    *, organization: Organization, kind: str, findings: Sequence[tuple[Finding, Sequence[User]]]
) -> SyncResult:
    """Open an alert of ``kind`` on each finding and tell the people given with it, not the rule's roles.

    For what is addressed to one person (a reminder of their own overdue work) rather than found by
    the variance run. A subject with an active alert of the kind keeps it (its people were told
    already); a disabled rule, or a finding within the rule's threshold, opens nothing.
    """
    rule = alert_rules_ensure(organization)[kind]
    result = SyncResult()
    if not rule.enabled or not findings:
        return result
    active = set(
        Alert.objects.for_organization(organization)
        .filter(rule=rule, status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])
        .values_list("subject_type", "subject_id")
    )
    subject_types = alert_kinds[kind].subject_types
    now = timezone.now()
    fresh: list[tuple[Alert, Sequence[User]]] = []
    for finding, people in findings:
        if finding.subject_type not in subject_types:
            raise ValueError(f"A finding of {kind} is about a {finding.subject_type}, not one of {subject_types}.")
        if (finding.subject_type, finding.subject_id) in active:
            continue
        severity = severity_of(kind, finding.measure, rule.threshold, rule.red_threshold, rule.severity)
        if severity is None:
            continue
        crossed = rule.red_threshold if severity == Severity.RED and rule.red_threshold is not None else rule.threshold
        alert = Alert(
            organization=organization,
            rule=rule,
            kind=kind,
            severity=severity,
            project_id=finding.project_id,
            subject_type=finding.subject_type,
            subject_id=finding.subject_id,
            subject_label=finding.subject_label[:255],
            figures={**finding.figures, "threshold": _plain_number(crossed)},
            first_seen_at=now,
            last_seen_at=now,
        )
        fresh.append((alert, people))
    if not fresh:
        return result
    Alert.objects.bulk_create([alert for alert, _people in fresh])
    result.opened = len(fresh)
    _tell_given_people(organization, fresh, WebhookEvent.ALERT_OPENED, result)
    return result


def _tell_given_people(
    organization: Organization, alerts: Sequence[tuple[Alert, Sequence[User]]], event: str, result: SyncResult
) -> None:
    """Tell each alert's given people, and the webhooks that want ``event``; the relay runs after the commit."""
    pending = _Pending()
    recipients = _webhooks_only(organization)
    for alert, people in alerts:
        _tell(
            pending,
            organization=organization,
            alert=alert,
            event=event,
            recipients=recipients,
            people=True,
            users=people,
        )
    _flush(pending, result)
    relay_soon(result)


def alerts_escalated_tell_people(
    *, organization: Organization, escalated: Sequence[tuple[Alert, Sequence[User]]]
) -> SyncResult:
    """Tell the people given with each alert (and the webhooks that want it) that it turned red.

    For kinds kept up to date outside the variance run, which tell their own people
    (``alerts_open_for_people``); ``alerts_sync`` tells the rule's roles itself. The caller has saved
    each alert red, with a new revision, in the same transaction.
    """
    result = SyncResult()
    if not escalated:
        return result
    result.escalated = len(escalated)
    _tell_given_people(organization, escalated, WebhookEvent.ALERT_ESCALATED, result)
    return result


def alerts_resolve_subjects(
    *, organization: Organization, kind: str, subject_type: str, subject_ids: Iterable[int]
) -> SyncResult:
    """Resolve the active alerts of ``kind`` on these subjects: their condition cleared (a reminder answered)."""
    ids = list(subject_ids)
    result = SyncResult()
    if not ids:
        return result
    alerts = list(
        Alert.objects.for_organization(organization)
        .filter(
            kind=kind,
            subject_type=subject_type,
            subject_id__in=ids,
            status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED],
        )
        .select_related("rule")
    )
    if not alerts:
        return result
    recipients = _webhooks_only(organization)
    pending = _Pending()
    now = timezone.now()
    for alert in alerts:
        alert.status = AlertStatus.RESOLVED
        alert.resolved_at = now
        alert.revision += 1
        _tell(
            pending,
            organization=organization,
            alert=alert,
            event=WebhookEvent.ALERT_RESOLVED,
            recipients=recipients,
            people=False,
        )
    Alert.objects.for_organization(organization).bulk_update(alerts, ["status", "resolved_at", "revision"])
    result.resolved = len(alerts)
    _flush(pending, result)
    relay_soon(result)
    return result


def alerts_resolve_closed_projects(*, organization: Organization, open_project_ids: Iterable[int]) -> SyncResult:
    """Resolve the active alerts of projects that are no longer open (closed or cancelled)."""
    stale = list(
        Alert.objects.for_organization(organization)
        .filter(status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED], project__isnull=False)
        .exclude(project_id__in=list(open_project_ids))
        .select_related("rule")
    )
    result = SyncResult()
    if not stale:
        return result
    recipients = _webhooks_only(organization)
    pending = _Pending()
    now = timezone.now()
    for alert in stale:
        alert.status = AlertStatus.RESOLVED
        alert.resolved_at = now
        alert.revision += 1
        _tell(
            pending,
            organization=organization,
            alert=alert,
            event=WebhookEvent.ALERT_RESOLVED,
            recipients=recipients,
            people=False,
        )
    Alert.objects.for_organization(organization).bulk_update(stale, ["status", "resolved_at", "revision"])
    result.resolved = len(stale)
    _flush(pending, result)
    relay_soon(result)
    return result


def _manual_change(*, actor: User, alert: Alert, status: str, event: str, action: str) -> Alert:
    organization = alert.organization
    before = snapshot(alert, ["status"])
    now = timezone.now()
    alert.status = status
    alert.revision += 1
    if status == AlertStatus.ACKNOWLEDGED:
        alert.acknowledged_at, alert.acknowledged_by = now, actor
    else:
        alert.resolved_at, alert.resolved_by = now, actor
    alert.save(update_fields=["status", "revision", "acknowledged_at", "acknowledged_by", "resolved_at", "resolved_by"])
    result = SyncResult()
    pending = _Pending()
    recipients = _webhooks_only(organization)
    _tell(pending, organization=organization, alert=alert, event=event, recipients=recipients, people=False)
    _flush(pending, result)
    relay_soon(result)
    audit_record(
        organization=organization,
        actor=actor,
        action=action,
        target=alert,
        changes=diff(before, snapshot(alert, ["status"])),
    )
    return alert


def _locked(alert: Alert) -> Alert:
    return (
        Alert.objects.for_organization(alert.organization_id)
        .select_for_update(of=("self",), no_key=True)
        .select_related("organization", "rule")
        .get(pk=alert.pk)
    )


@transaction.atomic
def alert_acknowledge(*, actor: User, alert: Alert) -> Alert:
    """Someone has seen the alert and is on it. Only an open alert can be acknowledged."""
    alert = _locked(alert)
    if alert.status != AlertStatus.OPEN:
        raise ApplicationError(
            _("Only an open alert can be acknowledged; this one is %(status)s.")
            % {"status": alert.get_status_display()},
            code="alert_not_open",
        )
    return _manual_change(
        actor=actor,
        alert=alert,
        status=AlertStatus.ACKNOWLEDGED,
        event=WebhookEvent.ALERT_ACKNOWLEDGED,
        action="alert.acknowledged",
    )


@transaction.atomic
def alert_resolve(*, actor: User, alert: Alert) -> Alert:
    """Close the alert by hand. If the condition still holds, the next evaluation opens a new one."""
    alert = _locked(alert)
    if alert.status == AlertStatus.RESOLVED:
        raise ApplicationError(_("The alert is already resolved."), code="alert_resolved")
    return _manual_change(
        actor=actor,
        alert=alert,
        status=AlertStatus.RESOLVED,
        event=WebhookEvent.ALERT_RESOLVED,
        action="alert.resolved",
    )


# --- inbox --------------------------------------------------------------------------------


def notifications_mark_read(*, user: User, organization: Organization, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ``ids`` is None); returns how many."""
    unread = Notification.objects.for_organization(organization).filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def user_set_alert_email(*, user: User, alert_email: str) -> User:
    if alert_email not in User.AlertEmail.values:
        raise ApplicationError(
            _("Choose immediately, daily digest or never."), fields={"alert_email": [_("Choose a valid option.")]}
        )
    user.alert_email = alert_email
    user.save(update_fields=["alert_email"])
    return user


# --- webhooks -----------------------------------------------------------------------------

WEBHOOK_FIELDS = ["name", "url", "events", "is_active"]


def _webhook_validated(webhook: Webhook) -> None:
    errors: dict[str, list[str]] = {}
    if not webhook.name.strip():
        errors["name"] = [_("Enter a name.")]
    elif (
        Webhook.objects.for_organization(webhook.organization_id)
        .filter(name=webhook.name)
        .exclude(pk=webhook.pk)
        .exists()
    ):
        errors["name"] = [_("Another webhook already has this name.")]
    if (
        not isinstance(webhook.events, list)
        or not webhook.events
        or any(event not in WebhookEvent.values for event in webhook.events)
    ):
        errors["events"] = [_("Choose at least one event from the list.")]
    if errors:
        raise ApplicationError(_("The webhook was not saved: check the highlighted fields."), fields=errors)


def _webhook_saved(webhook: Webhook) -> None:
    """Save, turning a name taken meanwhile by a concurrent writer into the usual field error."""
    try:
        with transaction.atomic():
            webhook.save()
    except IntegrityError as error:
        raise ApplicationError(
            _("The webhook was not saved: check the highlighted fields."),
            fields={"name": [_("Another webhook already has this name.")]},
        ) from error


def webhook_create(*, actor: User, organization: Organization, name: str, url: str, events: list[str]) -> Webhook:
    """A new receiver with a fresh signing secret; the URL is checked for safety first.

    The check resolves the host name, so it runs before the transaction opens.
    """
    from pmo.webhook_transport import check_url

    check_url(url.strip())
    with transaction.atomic():
        return _webhook_create(actor=actor, organization=organization, name=name, url=url, events=events)


def _webhook_create(*, actor: User, organization: Organization, name: str, url: str, events: list[str]) -> Webhook:
    webhook = Webhook(
        organization=organization,
        name=name.strip(),
        url=url.strip(),
        events=sorted(set(events)) if isinstance(events, list) else events,
        secret=secrets.token_hex(32),
        created_by=actor,
    )
    _webhook_validated(webhook)
    _webhook_saved(webhook)
    audit_record(
        organization=organization,
        actor=actor,
        action="webhook.created",
        target=webhook,
        changes=diff({}, snapshot(webhook, WEBHOOK_FIELDS)),
    )
    return webhook


def webhook_update(*, actor: User, webhook: Webhook, rotate_secret: bool = False, **fields: Any) -> Webhook:
    """Change a receiver; a new URL is checked for safety (before the transaction: it resolves names).

    Switching it off, renaming it or rotating its secret works whatever its URL resolves to now.
    """
    from pmo.webhook_transport import check_url

    url = fields.get("url")
    if isinstance(url, str) and url.strip() != webhook.url:
        check_url(url.strip())
    with transaction.atomic():
        return _webhook_update(actor=actor, webhook=webhook, rotate_secret=rotate_secret, **fields)


def _webhook_update(*, actor: User, webhook: Webhook, rotate_secret: bool, **fields: Any) -> Webhook:
    unknown = set(fields) - set(WEBHOOK_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    before = snapshot(webhook, WEBHOOK_FIELDS)
    for name, value in fields.items():
        if name == "events" and isinstance(value, list):
            value = sorted(set(value))
        if name in ("name", "url") and isinstance(value, str):
            value = value.strip()
        setattr(webhook, name, value)
    _webhook_validated(webhook)
    if rotate_secret:
        webhook.secret = secrets.token_hex(32)
    _webhook_saved(webhook)
    changes = diff(before, snapshot(webhook, WEBHOOK_FIELDS))
    if rotate_secret:
        changes["secret"] = ["…", "…"]
    if changes:
        audit_record(
            organization=webhook.organization, actor=actor, action="webhook.updated", target=webhook, changes=changes
        )
    return webhook


@transaction.atomic
def webhook_delete(*, actor: User, webhook: Webhook) -> None:
    """Remove the receiver with its delivery log; messages not yet sent to it are dropped with it."""
    audit_record(
        organization=webhook.organization,
        actor=actor,
        action="webhook.deleted",
        target=webhook,
        changes=diff(snapshot(webhook, WEBHOOK_FIELDS), {}),
    )
    webhook.delete()
