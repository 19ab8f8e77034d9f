"""The alert kinds of maintenance: a work order's resolution deadline near, an SLA deadline missed, an
inspection round overdue, and the same asset failing the same criterion again and again.

Registered in ``MaintenanceConfig.ready()``. Maintenance after handover is the organisation's
business, not a project's: its alerts belong to no project (``project`` is empty), so the variance
run, which evaluates open projects in batches, leaves them alone. :func:`maintenance_alerts_sync`
raises, updates and resolves them for one organisation in a fixed number of queries (besides the
writes); the task ``maintenance.sync_alerts`` runs it every quarter of an hour for every organisation
("run the check now" on the alert rules page is the variance run's, and leaves them to that beat).
The thresholds are the alert rules' (the organisation changes them on the alert rules page); each
alert is told to the members of the rule's organisation roles (the maintenance role by default) and,
for a work order, to its assignee (for a round, its inspector).

- **SLA resolution deadline near**: an open work order, not on a hold that pauses its clock and not
  yet past its resolution deadline, that has used more than the threshold (80 %) of the time
  between its opening and that deadline, counted on the order's own SLA clock: working hours of the
  organisation's calendar, or around the clock for the priorities set so (the deadline already
  includes time paused). A P2 order opened on Friday afternoon has used little of its three working
  days on Monday morning, though most of the calendar time has passed.
- **SLA breached**: an open work order that missed its response or resolution deadline
  (``maintenance.visibility.breached_q``); the measure is the days since the deadline it missed
  first, red past the red threshold.
- **Inspection round overdue**: a round still open after its due day; days late.
- **Repeated failure**: an asset whose readings failed the same criterion more than the threshold
  times (2: the third failure raises it) within the last ``REPEAT_WINDOW_DAYS`` days.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import Count, Exists, Max, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from maintenance.models import AssetReading, Round, WorkOrder, WorkOrderPause
from maintenance.selectors import open_q, round_overdue_q
from maintenance.sla import AroundTheClock, Clock, working_hours_for
from maintenance.visibility import breached_q
from pmo.alerts.kinds import ABOVE, DAYS, PERCENT, POINTS, AlertKindSpec, alert_kinds, severity_of
from pmo.alerts.services import (
    Finding,
    SyncResult,
    alert_rules_ensure,
    alerts_escalated_tell_people,
    alerts_open_for_people,
    alerts_resolve_subjects,
)
from pmo.models import Alert, AlertRule, AlertStatus, Membership, Organization, OrgRole, Severity, User

#: Subject ids of repeated failures: the asset's id times this plus the criterion's id.
PAIR = 1 << 32
#: The days a repeated failure is counted over.
REPEAT_WINDOW_DAYS = 90
ACTIVE = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class MaintenanceSubjectType(models.TextChoices):
    WORK_ORDER = "maint_wo", _("Work order")
    ROUND = "maint_round", _("Inspection round")
    ASSET_CRITERION = "maint_asset_crit", _("Asset and criterion")


class MaintenanceAlertKind(models.TextChoices):
    SLA_NEAR = "maintenance_sla_near", _("SLA resolution deadline near")
    SLA_BREACHED = "maintenance_sla_breached", _("SLA deadline missed")
    ROUND_OVERDUE = "maintenance_round_overdue", _("Inspection round overdue")
    REPEATED_FAILURE = "maintenance_repeated_failure", _("Asset failing the same criterion again")


O_AND_M = (OrgRole.MAINTENANCE.value,)
FIGURES = (
    ("work_order", _("Work order")),
    ("priority", _("Priority")),
    ("asset", _("Asset")),
    ("opened", _("Opened at")),
    ("due", _("Due")),
    ("response_due", _("Respond by")),
    ("resolution_due", _("Resolve by")),
    ("plan", pgettext_lazy("maintenance", "Inspection plan")),
    ("criterion", _("Criterion")),
    ("failures", _("Failed readings")),
    ("window", _("Within (days)")),
    ("last", _("Last failed on")),
    ("as_of", _("As of")),
)


def _page(names: Sequence[tuple[str, str | None]], fallback: str) -> Callable[[Alert, str], str | None]:
    """A ``link``: the first of ``names`` (URL name, the kwarg the subject's id goes in) mounted, else
    the list ``fallback``; None when neither is mounted yet."""

    def link(alert: Alert, org_slug: str) -> str | None:
        subject = alert.subject_id
        if alert.subject_type == MaintenanceSubjectType.ASSET_CRITERION:
            subject = subject // PAIR
        for name, kwarg in names:
            kwargs: dict[str, Any] = {"org_slug": org_slug}
            if kwarg is not None:
                kwargs[kwarg] = subject
            try:
                return reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue
        try:
            return reverse(fallback, kwargs={"org_slug": org_slug})
        except NoReverseMatch:
            return None

    return link


_WORK_ORDER_PAGE = _page(
    [("org-maintenance-work-order", "work_order_id"), ("org-maintenance-work-order", "pk")],
    "org-maintenance-work-orders",
)
_ROUND_PAGE = _page([("org-maintenance-round", "round_id"), ("org-maintenance-round", "pk")], "org-maintenance-rounds")
_ASSET_PAGE = _page([("org-maintenance-asset", "asset_id"), ("org-maintenance-asset", "pk")], "org-maintenance-assets")

KINDS = (
    AlertKindSpec(
        code=MaintenanceAlertKind.SLA_NEAR.value,
        label=MaintenanceAlertKind.SLA_NEAR.label,
        direction=ABOVE,
        unit=PERCENT,
        threshold=Decimal("80"),
        red_threshold=None,
        severity=Severity.AMBER,
        org_roles=O_AND_M,
        project_roles=(),
        explanation=_(
            "The share of the time from an open work order's opening to its resolution deadline already "
            "used, above the threshold, before the deadline passes (a hold that pauses the clock stops it)."
        ),
        message=_("%(subject)s has used %(value)s%% of its time to resolve; it is due %(due)s."),
        subject_types=(MaintenanceSubjectType.WORK_ORDER,),
        position=410,
        figures=FIGURES,
        link=_WORK_ORDER_PAGE,
    ),
    AlertKindSpec(
        code=MaintenanceAlertKind.SLA_BREACHED.value,
        label=MaintenanceAlertKind.SLA_BREACHED.label,
        direction=ABOVE,
        unit=DAYS,
        threshold=Decimal("0"),
        red_threshold=Decimal("3"),
        severity=Severity.AMBER,
        org_roles=O_AND_M,
        project_roles=(),
        explanation=_(
            "Days since an open work order missed its response or resolution deadline, above the threshold: "
            "with 0 every missed deadline raises an alert."
        ),
        message=_(
            "%(subject)s missed a deadline %(value)s days ago (respond by %(response_due)s, "
            "resolve by %(resolution_due)s)."
        ),
        subject_types=(MaintenanceSubjectType.WORK_ORDER,),
        position=420,
        figures=FIGURES,
        link=_WORK_ORDER_PAGE,
    ),
    AlertKindSpec(
        code=MaintenanceAlertKind.ROUND_OVERDUE.value,
        label=MaintenanceAlertKind.ROUND_OVERDUE.label,
        direction=ABOVE,
        unit=DAYS,
        threshold=Decimal("0"),
        red_threshold=Decimal("7"),
        severity=Severity.AMBER,
        org_roles=O_AND_M,
        project_roles=(),
        explanation=_("Days since an inspection round still not completed was due, above the threshold."),
        message=_("%(subject)s was due on %(due)s (%(value)s days ago) and is not completed."),
        subject_types=(MaintenanceSubjectType.ROUND,),
        position=430,
        figures=FIGURES,
        link=_ROUND_PAGE,
    ),
    AlertKindSpec(
        code=MaintenanceAlertKind.REPEATED_FAILURE.value,
        label=MaintenanceAlertKind.REPEATED_FAILURE.label,
        direction=ABOVE,
        unit=POINTS,
        threshold=Decimal("2"),
        red_threshold=Decimal("4"),
        severity=Severity.AMBER,
        org_roles=O_AND_M,
        project_roles=(),
        explanation=_(
            "Readings of one asset that failed the same criterion in the last 90 days, above the threshold: "
            "with 2, the third failure raises an alert."
        ),
        message=_("%(subject)s failed %(value)s times in %(window)s days, last on %(last)s."),
        subject_types=(MaintenanceSubjectType.ASSET_CRITERION,),
        position=440,
        figures=FIGURES,
        link=_ASSET_PAGE,
    ),
)


def repeat_subject(asset_id: int, criterion_id: int) -> int:
    """The subject id of a repeated failure: the asset and the criterion packed."""
    return asset_id * PAIR + criterion_id


def repeat_parts(subject_id: int) -> tuple[int, int]:
    return divmod(subject_id, PAIR)


def _one_place(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _shown(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _local(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _label(number: int, title: str, asset_code: str | None) -> str:
    reference = f"WO-{number:05d}"
    return f"{reference} {asset_code} · {title}" if asset_code else f"{reference} {title}"


#: (finding, ids of the users told besides the rule's roles).
Found = list[tuple[Finding, list[int]]]

_ORDER_FIELDS = (
    "pk",
    "number",
    "title",
    "priority",
    "asset__code",
    "assignee_id",
    "opened_at",
    "started_at",
    "response_due_at",
    "resolution_due_at",
)


def _paused_now() -> Exists:
    return Exists(WorkOrderPause.objects.filter(work_order=OuterRef("pk"), ended_at__isnull=True, pauses_clock=True))


def _near_findings(organization: Organization, now: dt.datetime, threshold: Decimal) -> Found:
    """Open work orders before their resolution deadline that used more than ``threshold`` % of their
    time on their SLA clock.

    One query, and the working-hours clock's settings and calendar when an order runs on it."""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    rows = (
        WorkOrder.objects.for_organization(organization)
        .filter(open_q(), resolution_due_at__gte=now, opened_at__lt=now)
        .exclude(_paused_now())
        .order_by("pk")
        .values_list(*_ORDER_FIELDS, "around_the_clock")
    )
    found: Found = []
    working: Clock | None = None
    for pk, number, title, priority, asset, assignee, opened, _started, _respond, resolve, around in rows:
        if around:
            clock: Clock = AroundTheClock()
        else:
            working = working or working_hours_for(organization)
            clock = working
        total = clock.elapsed(opened, resolve).total_seconds()
        if total <= 0:
            continue
        used = _one_place(Decimal(str(clock.elapsed(opened, now).total_seconds() * 100 / total)))
        if used <= threshold:
            continue
        figures = {
            "value": _shown(used),
            "work_order": f"WO-{number:05d}",
            "priority": priority,
            "asset": asset or "",
            "opened": _local(opened, zone),
            "due": _local(resolve, zone),
            "as_of": _local(now, zone),
        }
        finding = Finding(MaintenanceSubjectType.WORK_ORDER, pk, _label(number, title, asset), None, used, figures)
        found.append((finding, [assignee] if assignee else []))
    return found


def _breached_findings(organization: Organization, now: dt.datetime) -> Found:
    """Open work orders that missed a deadline, with the days since the first missed: one query."""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    rows = (
        WorkOrder.objects.for_organization(organization)
        .filter(open_q() & breached_q(now))
        .order_by("pk")
        .values_list(*_ORDER_FIELDS)
    )
    found: Found = []
    for pk, number, title, priority, asset, assignee, opened, started, respond, resolve in rows:
        response_missed = (started is not None and started > respond) or (started is None and respond < now)
        due = respond if response_missed else resolve
        days = _one_place(Decimal(str(max((now - due).total_seconds(), 0) / 86400)))
        figures = {
            "value": _shown(days),
            "work_order": f"WO-{number:05d}",
            "priority": priority,
            "asset": asset or "",
            "opened": _local(opened, zone),
            "response_due": _local(respond, zone),
            "resolution_due": _local(resolve, zone),
            "as_of": _local(now, zone),
        }
        finding = Finding(MaintenanceSubjectType.WORK_ORDER, pk, _label(number, title, asset), None, days, figures)
        found.append((finding, [assignee] if assignee else []))
    return found


def _round_findings(organization: Organization, today: dt.date) -> Found:
    """Open rounds past their due day: one query."""
    rows = (
        Round.objects.for_organization(organization)
        .filter(round_overdue_q(today))
        .order_by("pk")
        .values_list("pk", "plan__name", "period_start", "period_end", "due_date", "inspector_id")
    )
    found: Found = []
    for pk, plan, start, end, due, inspector in rows:
        days = (today - due).days
        figures = {"value": str(days), "plan": plan, "due": due.isoformat(), "as_of": today.isoformat()}
        label = f"{plan} · {start.isoformat()}/{end.isoformat()}"
        finding = Finding(MaintenanceSubjectType.ROUND, pk, label, None, Decimal(days), figures)
        found.append((finding, [inspector] if inspector else []))
    return found


def _repeat_findings(organization: Organization, now: dt.datetime, threshold: Decimal) -> Found:
    """Asset and criterion pairs failing more than ``threshold`` times in the window: one query."""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    since = now - dt.timedelta(days=REPEAT_WINDOW_DAYS)
    rows = (
        AssetReading.objects.for_organization(organization)
        .filter(passed=False, taken_at__gt=since, taken_at__lte=now)
        .values("asset_id", "criterion_id")
        .annotate(
            n=Count("pk"),
            last=Max("taken_at"),
            code=Max("asset__code"),
            name=Max("asset__name"),
            criterion_code=Max("criterion__code"),
        )
        .filter(n__gt=math.floor(threshold))
        .order_by("asset_id", "criterion_id")
        .values_list("asset_id", "criterion_id", "n", "last", "code", "name", "criterion_code")
    )
    found: Found = []
    for asset_id, criterion_id, count, last, code, name, criterion in rows:
        figures = {
            "value": str(count),
            "asset": f"{code} {name}",
            "criterion": criterion,
            "failures": str(count),
            "window": str(REPEAT_WINDOW_DAYS),
            "last": last.astimezone(zone).date().isoformat(),
            "as_of": now.astimezone(zone).date().isoformat(),
        }
        finding = Finding(
            MaintenanceSubjectType.ASSET_CRITERION,
            repeat_subject(asset_id, criterion_id),
            f"{code} {name} · {criterion}",
            None,
            Decimal(count),
            figures,
        )
        found.append((finding, []))
    return found


def maintenance_findings(organization: Organization, rules: dict[str, AlertRule], now: dt.datetime) -> dict[str, Found]:
    """Every maintenance kind's findings: four queries."""
    today = now.astimezone(zoneinfo.ZoneInfo(organization.time_zone)).date()
    return {
        MaintenanceAlertKind.SLA_NEAR: _near_findings(
            organization, now, rules[MaintenanceAlertKind.SLA_NEAR].threshold
        ),
        MaintenanceAlertKind.SLA_BREACHED: _breached_findings(organization, now),
        MaintenanceAlertKind.ROUND_OVERDUE: _round_findings(organization, today),
        MaintenanceAlertKind.REPEATED_FAILURE: _repeat_findings(
            organization, now, rules[MaintenanceAlertKind.REPEATED_FAILURE].threshold
        ),
    }


def _people(
    organization: Organization, rules: Iterable[AlertRule], extra: Iterable[int]
) -> tuple[dict[str, list[User]], dict[int, User]]:
    """The active members of each role the rules name, and the users named besides: two queries."""
    roles = sorted({role for rule in rules for role in rule.notify_org_roles})
    by_role: dict[str, list[User]] = defaultdict(list)
    for membership in (
        Membership.objects.for_organization(organization)
        .filter(role__in=roles, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    ):
        by_role[membership.role].append(membership.user)
    wanted = sorted(set(extra))
    members = Membership.objects.for_organization(organization).filter(user_id__in=wanted).values("user_id")
    users = {user.pk: user for user in User.objects.filter(pk__in=members, is_active=True)} if wanted else {}
    return by_role, users


@transaction.atomic
def maintenance_alerts_sync(*, organization: Organization, now: dt.datetime | None = None) -> SyncResult:
    """Raise, update and resolve the organisation's maintenance alerts as they stand at ``now``.

      A finding with no active alert opens one, told to the rule's roles and the work order's assignee
      (the round's inspector); an active alert still found takes the new figures and severity; one no
      longer found (or whose rule is off) is resolved; one that turns from amber to red tells the same
    people again. Idempotent.
    """
    now = now or timezone.now()
    result = SyncResult()
    all_rules = alert_rules_ensure(organization)
    rules = {kind: all_rules[kind] for kind in MaintenanceAlertKind.values}
    findings = maintenance_findings(organization, rules, now)
    extra = [user for found in findings.values() for _finding, users in found for user in users]
    by_role, users = _people(organization, rules.values(), extra)
    active: dict[str, dict[tuple[str, int], Alert]] = defaultdict(dict)
    for alert in Alert.objects.for_organization(organization).filter(
        kind__in=MaintenanceAlertKind.values, project__isnull=True, status__in=ACTIVE
    ):
        active[alert.kind][(alert.subject_type, alert.subject_id)] = alert
    changed: list[Alert] = []
    escalated: list[tuple[Alert, list[User]]] = []
    for kind, rule in rules.items():
        found = findings[kind] if rule.enabled else []
        office = {user.pk: user for role in rule.notify_org_roles for user in by_role.get(role, [])}
        fresh: list[tuple[Finding, Sequence[User]]] = []
        seen: set[tuple[str, int]] = set()
        for finding, told in found:
            severity = severity_of(kind, finding.measure, rule.threshold, rule.red_threshold, rule.severity)
            if severity is None:
                continue
            key = (finding.subject_type, finding.subject_id)
            seen.add(key)
            alert = active[kind].get(key)
            if alert is None:
                people = dict(office)
                people.update({pk: users[pk] for pk in told if pk in users})
                fresh.append((finding, list(people.values())))
                continue
            crossed = (
                rule.red_threshold if severity == Severity.RED and rule.red_threshold is not None else rule.threshold
            )
            figures = {**finding.figures, "threshold": _shown(Decimal(crossed))}
            if (alert.severity, alert.figures, alert.subject_label) != (severity, figures, finding.subject_label[:255]):
                if alert.severity == Severity.AMBER and severity == Severity.RED:
                    people = dict(office)
                    people.update({pk: users[pk] for pk in told if pk in users})
                    escalated.append((alert, list(people.values())))
                alert.severity, alert.figures = severity, figures
                alert.subject_label, alert.last_seen_at = finding.subject_label[:255], now
                alert.revision += 1
                changed.append(alert)
            result.updated += 1
        if fresh:
            result.add(alerts_open_for_people(organization=organization, kind=kind, findings=fresh))
        gone: dict[str, list[int]] = defaultdict(list)
        for (subject_type, subject_id), _alert in active[kind].items():
            if (subject_type, subject_id) not in seen:
                gone[subject_type].append(subject_id)
        for subject_type, ids in gone.items():
            result.add(
                alerts_resolve_subjects(
                    organization=organization, kind=kind, subject_type=subject_type, subject_ids=ids
                )
            )
    if changed:
        Alert.objects.for_organization(organization).bulk_update(
            changed, ["severity", "figures", "subject_label", "last_seen_at", "revision"]
        )
    # Turning red tells the same people again (the rule's roles, the assignee or inspector).
    result.add(alerts_escalated_tell_people(organization=organization, escalated=escalated))
    return result


def run_now(organization_id: int, as_of: str | None, started_by: User | None) -> None:
    """ "Run the check now" (alert rules page and API) also brings the maintenance alerts up to date,
    as a recorded run of one batch (``maintenance.runs``): the SLA clocks run by the hour, so
    ``as_of`` (a past status date) does not apply to them."""
    from maintenance.runs import ALERTS
    from pmo.runs.services import BatchPlan, run_start

    organization = Organization.objects.get(pk=organization_id)
    run_start(
        kind=ALERTS,
        organization=organization,
        started_by=started_by,
        batches=[BatchPlan(organization_id, "organisation")],
    )


def register() -> None:
    """Register the maintenance alert kinds with the core's alert engine."""
    for subject_type in MaintenanceSubjectType:
        alert_kinds.register_subject_type(subject_type.value, subject_type.label)
    for spec in KINDS:
        alert_kinds.register(spec)
    alert_kinds.runner(run_now)
