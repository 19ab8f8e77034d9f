"""Weekly timesheets: a person books hours on tasks (or leave, training, admin), submits the week, and
each line is approved or rejected; approved project hours become labour cost in finance.

Rules, in the words people use:

- A week runs Monday to Sunday. Only the person linked to the resource (``Resource.user``) keeps
  its timesheet. A project line names a task of a project the person is assigned to or a member of.
- Hours per day are 0 to 24 in quarter hours; a day's total across the lines is at most 24.
- Lines are added, changed and removed while draft or rejected; submitting sends every draft and
  rejected line for approval. An empty week, or a line without hours, is not submitted.
- A project line is decided by that project's manager or by the resource office, any other line
  by the resource office (``ResourceAction.TIMESHEET_APPROVE`` with the line's project role); never
  by the person whose line it is. A rejection needs a reason and returns the line to the person.
- Approving a project line turns each day's hours into an actual cost of the project on that day,
  against the line's task, in the "labour" category: hours times the standard rate in force that
  day (``resources.rates``), to the cent (half up, per day). No rate on a day refuses the approval.
- Approved lines are never edited. A correction adds a reversal line (the same hours negated,
  status ``reversed``, its labour costs reversed in finance) and a new draft line to submit.
- Nothing dated on or before finance's closed date (``finance.services.period_lock``) is added,
  changed, submitted, approved or reversed.

Writes lock the project rows first (approvals write costs), then the timesheet, then its lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from finance.services.labour import labour_cost_record, labour_cost_reverse
from finance.services.period_lock import locked_through, period_locked_error
from pmo.alerts.services import evaluations_deferred, project_evaluation_queue
from pmo.audit import audit_record
from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, User
from pmo.policy import can
from projects.models import OPEN_PHASES, Project, ProjectMember, WbsElement
from projects.services.locks import lock_project
from resources.models import (
    DAY_FIELDS,
    ZERO,
    Assignment,
    LabourCost,
    LineCategory,
    LineStatus,
    Resource,
    ResourceKind,
    Timesheet,
    TimesheetLine,
    TimesheetStatus,
)
from resources.permissions import ResourceAction
from resources.rates import rate_histories

QUARTER = Decimal("0.25")
DAY_LIMIT = Decimal("24")
CENT = Decimal("0.01")
NOTE_LENGTH = 255
REASON_LENGTH = 500
#: Lines the person still works on.
OPEN_LINE_STATUSES = frozenset({LineStatus.DRAFT, LineStatus.REJECTED})
#: Lines whose hours count as actual work: approved ones, and the reversals that cancel them.
WORKED_LINE_STATUSES = (LineStatus.APPROVED, LineStatus.REVERSED)


# --- weeks and days ---------------------------------------------------------------------


def week_start_of(day: dt.date) -> dt.date:
    """The Monday of the week ``day`` falls in."""
    return day - dt.timedelta(days=day.weekday())


def week_days(week_start: dt.date) -> list[dt.date]:
    return [week_start + dt.timedelta(days=offset) for offset in range(7)]


def week_label(week_start: dt.date) -> str:
    """The ISO week, e.g. 2026-W10."""
    year, week, _weekday = week_start.isocalendar()
    return f"{year}-W{week:02d}"


def line_label(line: TimesheetLine) -> str:
    """How people name a line: its task's code and name, or its category."""
    if line.category == LineCategory.PROJECT and line.task is not None:
        project_code = line.project.code if line.project is not None else ""
        return f"{project_code} {line.task.code} {line.task.name}".strip()
    return str(LineCategory(line.category).label)


def _error(message: str, code: str = "invalid", field: str | None = None, status_code: int = 400) -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]} if field else None, status_code=status_code)


# --- who keeps and who decides ----------------------------------------------------------


def person_resource(organization: Organization | int, user: User) -> Resource | None:
    """The resource linked to the user in the organisation (a named person), if any."""
    if not user.is_authenticated:
        return None
    return Resource.objects.for_organization(organization).filter(user=user, kind=ResourceKind.PERSON).first()


def _check_keeper(actor: User, resource: Resource) -> None:
    if resource.user_id is None or resource.user_id != actor.pk:
        raise _error(_("Only %(person)s keeps this timesheet.") % {"person": resource.name}, code="not_your_timesheet")


def approver_roles(
    organization_id: int, user: User, project_ids: Iterable[int]
) -> tuple[Membership | None, dict[int, str]]:
    """The user's membership and role on each of the projects (two queries)."""
    membership = Membership.objects.for_organization(organization_id).filter(user=user).first()
    roles = dict(
        ProjectMember.objects.for_organization(organization_id)
        .filter(user=user, project_id__in=list(set(project_ids)))
        .order_by()
        .values_list("project_id", "role")
    )
    return membership, roles


def may_decide(membership: Membership | None, line: TimesheetLine, project_role: str | None) -> bool:
    """The rule: a project line by its project's manager or the resource office, any other by the office."""
    if membership is None:
        return False
    role = project_role if line.category == LineCategory.PROJECT else None
    return can(membership, ResourceAction.TIMESHEET_APPROVE, role)


def _check_decider(
    actor: User, membership: Membership | None, line: TimesheetLine, resource: Resource, role: str | None
) -> None:
    if not may_decide(membership, line, role):
        if line.category == LineCategory.PROJECT:
            message = _("Only the manager of %(project)s or the resource office decides on this line.") % {
                "project": line.project.code if line.project is not None else ""
            }
        else:
            message = _("Only the resource office decides on leave, training and administration lines.")
        raise _error(message, code="not_approver", status_code=403)
    if resource.user_id == actor.pk:
        raise _error(_("Someone else decides on your own timesheet lines."), code="own_line", status_code=403)


# --- what may be booked -----------------------------------------------------------------


def timesheet_projects(resource: Resource) -> QuerySet[Project]:
    """The open projects the person may book hours on: assigned to one of its tasks, or a member."""
    organization_id = resource.organization_id
    assigned = Assignment.objects.for_organization(organization_id).filter(resource=resource).values("project_id")
    condition = Q(pk__in=assigned)
    if resource.user_id is not None:
        member_of = (
            ProjectMember.objects.for_organization(organization_id)
            .filter(user_id=resource.user_id)
            .values("project_id")
        )
        condition |= Q(pk__in=member_of)
    return Project.objects.for_organization(organization_id).filter(condition, phase__in=OPEN_PHASES).order_by("code")


def timesheet_tasks(resource: Resource) -> QuerySet[WbsElement]:
    """The tasks (not summaries nor milestones) of the projects the person may book hours on."""
    return (
        WbsElement.objects.for_organization(resource.organization_id)
        .filter(project__in=timesheet_projects(resource), kind=WbsElement.Kind.TASK)
        .select_related("project")
        .order_by("project__code", "sort_key")
    )


def _check_task(resource: Resource, task: WbsElement | None, category: str) -> None:
    if category not in LineCategory.values:
        raise _error(_("Choose project work, leave, training or administration."), field="category")
    if category != LineCategory.PROJECT:
        if task is not None:
            raise _error(_("Only a project line names a task."), field="task")
        return
    if task is None:
        raise _error(_("Choose the task the hours were spent on."), field="task")
    if task.organization_id != resource.organization_id:
        raise _error(_("Not found."), field="task")
    if not timesheet_tasks(resource).filter(pk=task.pk).exists():
        raise _error(
            _("Hours are booked on tasks of open projects you are assigned to or a member of."),
            code="task_not_bookable",
            field="task",
        )


def clean_hours(hours: Sequence[Any]) -> list[Decimal]:
    """Seven days of hours, Monday first: each 0 to 24 in quarter hours (empty is 0)."""
    if len(hours) != len(DAY_FIELDS):
        raise _error(_("Give the hours of the seven days, Monday first."), field="hours")
    cleaned: list[Decimal] = []
    problems: dict[str, list[str]] = {}
    for name, raw in zip(DAY_FIELDS, hours, strict=True):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            cleaned.append(ZERO)
            continue
        try:
            value = Decimal(str(raw).strip().replace(",", "."))
        except (InvalidOperation, ValueError):
            value = Decimal("NaN")
        if not value.is_finite():
            problems[name] = [_("Enter a number of hours, e.g. 7.5.")]
        elif value < 0 or value > DAY_LIMIT:
            problems[name] = [_("Enter from 0 to 24 hours.")]
        elif value % QUARTER != 0:
            problems[name] = [_("Enter hours in quarter hours (0.25, 0.5, 0.75).")]
        cleaned.append(value.quantize(CENT) if value.is_finite() else ZERO)
    if problems:
        raise ApplicationError(next(iter(problems.values()))[0], code="invalid", fields=problems)
    return cleaned


def _day_totals(timesheet: Timesheet, exclude: int | None = None) -> list[Decimal]:
    """Each day's hours across the timesheet's lines (a reversal cancels its line), one query."""
    lines = TimesheetLine.objects.for_organization(timesheet.organization_id).filter(timesheet=timesheet)
    if exclude is not None:
        lines = lines.exclude(pk=exclude)
    sums = lines.aggregate(**{name: Sum(name) for name in DAY_FIELDS})
    return [sums[name] or ZERO for name in DAY_FIELDS]


def _check_day_totals(timesheet: Timesheet, others: list[Decimal], hours: list[Decimal]) -> None:
    problems = {}
    for name, day, other, value in zip(DAY_FIELDS, week_days(timesheet.week_start), others, hours, strict=True):
        if other + value > DAY_LIMIT:
            problems[name] = [
                _("%(day)s would have %(total)s hours; a day has at most 24.")
                % {"day": day.isoformat(), "total": _plain(other + value)}
            ]
    if problems:
        raise ApplicationError(next(iter(problems.values()))[0], code="day_over_24", fields=problems)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def _check_open_days(week_start: dt.date, hours: list[Decimal], through: dt.date | None) -> None:
    """Refuse hours on a day of a closed period (``period_locked``), naming the day."""
    if through is None:
        return
    for name, day, value in zip(DAY_FIELDS, week_days(week_start), hours, strict=True):
        if value != 0 and day <= through:
            raise period_locked_error(day, through, field=name)


def _check_week_open(week_start: dt.date, through: dt.date | None) -> None:
    last = week_start + dt.timedelta(days=6)
    if through is not None and last <= through:
        raise period_locked_error(last, through, field="week_start")


# --- locks and status -------------------------------------------------------------------


def lock_timesheet(timesheet: Timesheet) -> Timesheet:
    return (
        Timesheet.objects.for_organization(timesheet.organization_id)
        .select_for_update(of=("self",), no_key=True)
        .select_related("resource", "organization")
        .get(pk=timesheet.pk)
    )


def _lock_line(line: TimesheetLine, timesheet: Timesheet) -> TimesheetLine:
    locked: TimesheetLine = (
        TimesheetLine.objects.for_organization(line.organization_id)
        .select_for_update(of=("self",), no_key=True)
        .select_related("project", "task")
        .get(pk=line.pk)
    )
    locked.timesheet = timesheet
    return locked


def status_of(line_statuses: Iterable[str]) -> str:
    """A timesheet's status from its lines': returned, else draft, else submitted, else approved."""
    live = {status for status in line_statuses if status != LineStatus.REVERSED}
    if LineStatus.REJECTED in live:
        return TimesheetStatus.RETURNED
    if not live or LineStatus.DRAFT in live:
        return TimesheetStatus.DRAFT
    if LineStatus.SUBMITTED in live:
        return TimesheetStatus.SUBMITTED
    return TimesheetStatus.APPROVED


def _touch(timesheet: Timesheet) -> None:
    """Follow the lines' status and count a new version of the timesheet (its ETag)."""
    statuses = (
        TimesheetLine.objects.for_organization(timesheet.organization_id)
        .filter(timesheet=timesheet)
        .values_list("status", flat=True)
    )
    timesheet.status = status_of(statuses)
    timesheet.version += 1
    timesheet.save(update_fields=["status", "version", "submitted_at"])


def _hours_changes(before: list[Decimal] | None, after: list[Decimal] | None) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for index, name in enumerate(DAY_FIELDS):
        old = before[index] if before is not None else None
        new = after[index] if after is not None else None
        if old != new:
            changes[name] = [None if old is None else str(old), None if new is None else str(new)]
    return changes


# --- the person's week ------------------------------------------------------------------


def _check_week(organization: Organization, week_start: dt.date) -> None:
    if week_start.weekday() != 0:
        raise _error(_("A timesheet week starts on a Monday."), code="not_a_monday", field="week_start")
    window = organization.date_window
    if not window.contains(week_start) or not window.contains(week_start + dt.timedelta(days=6)):
        raise _error(window.message(), code="date_out_of_range", field="week_start")


@transaction.atomic
def timesheet_for(*, actor: User, resource: Resource, week_start: dt.date) -> Timesheet:
    """The person's timesheet of the week starting ``week_start`` (a Monday), made empty if missing."""
    _check_keeper(actor, resource)
    organization = resource.organization
    _check_week(organization, week_start)
    timesheets = Timesheet.objects.for_organization(resource.organization_id)
    found = timesheets.filter(resource=resource, week_start=week_start).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            timesheet = Timesheet.objects.create(
                organization_id=resource.organization_id, resource=resource, week_start=week_start
            )
    except IntegrityError:
        # Made by a request of the same person a moment ago.
        return timesheets.get(resource=resource, week_start=week_start)
    audit_record(
        organization=organization,
        actor=actor,
        action="timesheet.created",
        target=timesheet,
        changes={"resource": [None, resource.pk], "week_start": [None, week_start.isoformat()]},
    )
    return timesheet


@transaction.atomic
def timesheet_line_add(
    *,
    actor: User,
    timesheet: Timesheet,
    category: str = LineCategory.PROJECT,
    task: WbsElement | None = None,
    hours: Sequence[Any] = (),
    note: str = "",
) -> TimesheetLine:
    """Add a draft line: a task (project work) or leave, training or administration, with its hours."""
    timesheet = lock_timesheet(timesheet)
    resource = timesheet.resource
    _check_keeper(actor, resource)
    through = locked_through(timesheet.organization_id)
    _check_week_open(timesheet.week_start, through)
    _check_task(resource, task, category)
    values = clean_hours(hours or [ZERO] * len(DAY_FIELDS))
    note = _clean_note(note)
    _check_open_days(timesheet.week_start, values, through)
    _check_day_totals(timesheet, _day_totals(timesheet), values)
    line = TimesheetLine(
        organization_id=timesheet.organization_id,
        timesheet=timesheet,
        category=category,
        project_id=task.project_id if task is not None else None,
        task=task,
        note=note,
        **dict(zip(DAY_FIELDS, values, strict=True)),
    )
    line.save()
    _touch(timesheet)
    audit_record(
        organization=timesheet.organization,
        actor=actor,
        action="timesheet_line.added",
        target=line,
        changes={
            "timesheet": [None, timesheet.pk],
            "category": [None, category],
            "task": [None, task.pk if task is not None else None],
            "note": [None, note],
            **_hours_changes(None, values),
        },
    )
    return line


def _clean_note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise _error(_("Use at most %(count)d characters.") % {"count": NOTE_LENGTH}, field="note")
    return note


def _editable_line(actor: User, line: TimesheetLine) -> tuple[Timesheet, TimesheetLine]:
    timesheet = lock_timesheet(line.timesheet)
    _check_keeper(actor, timesheet.resource)
    line = _lock_line(line, timesheet)
    if line.status not in OPEN_LINE_STATUSES:
        raise _error(
            _("%(line)s is %(status)s: only draft and rejected lines change.")
            % {"line": line_label(line), "status": LineStatus(line.status).label},
            code="line_not_editable",
        )
    return timesheet, line


@transaction.atomic
def timesheet_line_update(
    *, actor: User, line: TimesheetLine, hours: Sequence[Any] | None = None, note: str | None = None
) -> TimesheetLine:
    """Change a draft or rejected line's hours or note (a rejected line stays rejected until submitted)."""
    timesheet, line = _editable_line(actor, line)
    before = line.day_hours()
    values = clean_hours(hours) if hours is not None else before
    through = locked_through(timesheet.organization_id)
    _check_open_days(timesheet.week_start, before, through)
    _check_open_days(timesheet.week_start, values, through)
    _check_day_totals(timesheet, _day_totals(timesheet, exclude=line.pk), values)
    changes = _hours_changes(before, values)
    if note is not None:
        note = _clean_note(note)
        if note != line.note:
            changes["note"] = [line.note, note]
            line.note = note
    if not changes:
        return line
    for name, value in zip(DAY_FIELDS, values, strict=True):
        setattr(line, name, value)
    line.save(update_fields=[*DAY_FIELDS, "note"])
    _touch(timesheet)
    audit_record(
        organization=timesheet.organization, actor=actor, action="timesheet_line.updated", target=line, changes=changes
    )
    return line


@transaction.atomic
def timesheet_line_remove(*, actor: User, line: TimesheetLine) -> None:
    """Remove a draft or rejected line; one with hours in a closed period stays."""
    timesheet, line = _editable_line(actor, line)
    _check_open_days(timesheet.week_start, line.day_hours(), locked_through(timesheet.organization_id))
    audit_record(
        organization=timesheet.organization,
        actor=actor,
        action="timesheet_line.removed",
        target=line,
        changes={
            "timesheet": [timesheet.pk, None],
            "task": [line.task_id, None],
            **_hours_changes(line.day_hours(), None),
        },
    )
    line.delete()
    _touch(timesheet)


@transaction.atomic
def timesheet_submit(*, actor: User, timesheet: Timesheet) -> Timesheet:
    """Send every draft and rejected line for approval."""
    timesheet = lock_timesheet(timesheet)
    _check_keeper(actor, timesheet.resource)
    lines = list(
        TimesheetLine.objects.for_organization(timesheet.organization_id)
        .select_for_update(of=("self",), no_key=True)
        .filter(timesheet=timesheet)
        .select_related("project", "task")
        .order_by("pk")
    )
    sending = [line for line in lines if line.status in OPEN_LINE_STATUSES]
    if not lines:
        raise _error(_("Add a line with your hours before submitting the week."), code="empty_timesheet")
    if not sending:
        raise _error(_("Nothing to submit: every line is waiting for approval or decided."), code="nothing_to_submit")
    through = locked_through(timesheet.organization_id)
    for line in sending:
        if line.total_hours == 0:
            raise _error(
                _("%(line)s has no hours: enter them or remove the line.") % {"line": line_label(line)},
                code="line_without_hours",
            )
        _check_open_days(timesheet.week_start, line.day_hours(), through)
    now = timezone.now()
    for line in sending:
        line.status = LineStatus.SUBMITTED
        line.submitted_at = now
        line.rejection_reason = ""
        line.decided_by = None
        line.decided_at = None
    TimesheetLine.objects.for_organization(timesheet.organization_id).bulk_update(
        sending, ["status", "submitted_at", "rejection_reason", "decided_by", "decided_at"]
    )
    timesheet.submitted_at = now
    _touch(timesheet)
    audit_record(
        organization=timesheet.organization,
        actor=actor,
        action="timesheet.submitted",
        target=timesheet,
        changes={"lines": [None, [line.pk for line in sending]], "status": [None, timesheet.status]},
    )
    from resources.services.reminders import reminder_alerts_resolve

    reminder_alerts_resolve(timesheet)
    return timesheet


# --- approval ---------------------------------------------------------------------------


def _reference(resource: Resource, week_start: dt.date) -> str:
    return f"TS {resource.code} {week_label(week_start)}"


def _labour_days(
    line: TimesheetLine, resource: Resource, week_start: dt.date, rates: Any
) -> list[tuple[dt.date, Decimal, Decimal, Decimal]]:
    """(day, hours, rate, amount) of each day with hours; no rate on such a day refuses the approval."""
    days = []
    for day, hours in zip(week_days(week_start), line.day_hours(), strict=True):
        if hours == 0:
            continue
        rate = rates.standard_on(day)
        if rate is None:
            raise _error(
                _(
                    "%(resource)s has no cost rate on %(day)s, so the hours of %(line)s cannot become labour cost: "
                    "the resource office adds a rate first."
                )
                % {"resource": str(resource), "day": day.isoformat(), "line": line_label(line)},
                code="no_rate",
            )
        amount = (hours * rate).quantize(CENT, rounding=ROUND_HALF_UP)
        days.append((day, hours, rate, amount))
    return days


@transaction.atomic
def timesheet_line_approve(*, actor: User, line: TimesheetLine) -> TimesheetLine:
    """Approve one submitted line (see :func:`timesheet_lines_decide`)."""
    return timesheet_lines_decide(actor=actor, lines=[line], approve=True)[0]


@transaction.atomic
def timesheet_line_reject(*, actor: User, line: TimesheetLine, reason: str) -> TimesheetLine:
    """Return one submitted line to the person with the reason."""
    return timesheet_lines_decide(actor=actor, lines=[line], approve=False, reason=reason)[0]


@transaction.atomic
def timesheet_lines_decide(
    *, actor: User, lines: Sequence[TimesheetLine], approve: bool, reason: str = ""
) -> list[TimesheetLine]:
    """Approve or reject submitted lines, all or none; approved project hours become labour cost.

    Every line is checked (waiting, the actor's to decide, outside a closed period, a rate on each
    day) before anything is written, so a refusal names its line and changes nothing.
    """
    reason = (reason or "").strip()
    if not approve and not reason:
        raise _error(_("Say why the hours are returned."), code="reason_required", field="reason")
    if len(reason) > REASON_LENGTH:
        raise _error(_("Use at most %(count)d characters.") % {"count": REASON_LENGTH}, field="reason")
    if not lines:
        raise _error(_("Choose the lines to decide on."), field="lines")
    organization_id = lines[0].organization_id
    if any(line.organization_id != organization_id for line in lines):
        raise _error(_("Not found."), field="lines")
    ids = sorted({line.pk for line in lines})
    all_lines = TimesheetLine.objects.for_organization(organization_id)
    keys = list(all_lines.filter(pk__in=ids).values_list("project_id", "timesheet_id"))
    if len(keys) != len(ids):
        raise _error(_("Not found."), field="lines")
    projects = {pk: lock_project(pk, organization_id) for pk in sorted({pk for pk, _ts in keys if pk is not None})}
    timesheets = {
        timesheet.pk: timesheet
        for timesheet in Timesheet.objects.for_organization(organization_id)
        .select_for_update(of=("self",), no_key=True)
        .select_related("resource", "organization")
        .filter(pk__in=sorted({ts for _pk, ts in keys}))
        .order_by("pk")
    }
    locked = list(
        all_lines.select_for_update(of=("self",), no_key=True).filter(pk__in=ids).select_related("task").order_by("pk")
    )
    membership, roles = approver_roles(organization_id, actor, projects)
    through = locked_through(organization_id)
    rates = rate_histories(organization_id, {timesheet.resource_id for timesheet in timesheets.values()})
    plans: dict[int, list[tuple[dt.date, Decimal, Decimal, Decimal]]] = {}
    for line in locked:
        timesheet = timesheets[line.timesheet_id]
        line.timesheet = timesheet
        line.project = projects.get(line.project_id) if line.project_id is not None else None
        if line.status != LineStatus.SUBMITTED:
            raise _error(
                _("%(line)s is %(status)s, not waiting for approval.")
                % {"line": line_label(line), "status": LineStatus(line.status).label},
                code="line_not_submitted",
            )
        _check_decider(actor, membership, line, timesheet.resource, roles.get(line.project_id or 0))
        _check_open_days(timesheet.week_start, line.day_hours(), through)
        if approve and line.category == LineCategory.PROJECT:
            plans[line.pk] = _labour_days(line, timesheet.resource, timesheet.week_start, rates[timesheet.resource_id])
    now = timezone.now()
    with evaluations_deferred():
        for line in locked:
            line.status = LineStatus.APPROVED if approve else LineStatus.REJECTED
            line.decided_by, line.decided_at = actor, now
            line.rejection_reason = "" if approve else reason
            _post_labour(actor, line, plans.get(line.pk, []))
    TimesheetLine.objects.for_organization(organization_id).bulk_update(
        locked, ["status", "decided_by", "decided_at", "rejection_reason"]
    )
    for project in projects.values():
        project_evaluation_queue(project)
    for timesheet in timesheets.values():
        _touch(timesheet)
    for line in locked:
        changes: dict[str, list[Any]] = {"status": [LineStatus.SUBMITTED.value, line.status]}
        if not approve:
            changes["reason"] = [None, reason]
        elif line.pk in plans:
            changes["labour_cost"] = [None, str(sum((amount for *_rest, amount in plans[line.pk]), ZERO))]
        audit_record(
            organization=line.timesheet.organization,
            actor=actor,
            action="timesheet_line.approved" if approve else "timesheet_line.rejected",
            target=line,
            changes=changes,
        )
    return locked


def _post_labour(actor: User, line: TimesheetLine, days: list[tuple[dt.date, Decimal, Decimal, Decimal]]) -> None:
    """Record each day's labour cost in finance and link it to the line."""
    if not days or line.project is None:
        return
    timesheet = line.timesheet
    reference = _reference(timesheet.resource, timesheet.week_start)
    links = []
    for day, hours, rate, amount in days:
        cost = labour_cost_record(
            actor=actor, project=line.project, date=day, amount=amount, wbs_element=line.task, reference=reference
        )
        links.append(
            LabourCost(organization_id=line.organization_id, line=line, cost=cost, date=day, hours=hours, rate=rate)
        )
    LabourCost.objects.bulk_create(links)


# --- corrections ------------------------------------------------------------------------


@transaction.atomic
def timesheet_line_correct(
    *, actor: User, line: TimesheetLine, hours: Sequence[Any], reason: str
) -> tuple[TimesheetLine, TimesheetLine | None]:
    """Correct an approved line: a reversal line (its labour costs reversed) and a new draft line.

    By the person or by whoever may decide on the line. The new line carries the corrected hours
    (none when all are zero) and is submitted like any other. Returns (reversal, new line).
    """
    reason = (reason or "").strip()
    if not reason:
        raise _error(_("Say why the approved hours are corrected."), code="reason_required", field="reason")
    if len(reason) > REASON_LENGTH:
        raise _error(_("Use at most %(count)d characters.") % {"count": REASON_LENGTH}, field="reason")
    organization_id = line.organization_id
    project = lock_project(line.project_id, organization_id) if line.project_id is not None else None
    timesheet = lock_timesheet(line.timesheet)
    line = _lock_line(line, timesheet)
    line.project = project
    resource = timesheet.resource
    if resource.user_id != actor.pk:
        membership, roles = approver_roles(organization_id, actor, [line.project_id] if line.project_id else [])
        _check_decider(actor, membership, line, resource, roles.get(line.project_id or 0))
    if line.status != LineStatus.APPROVED or line.reverses_id is not None:
        raise _error(_("Only an approved line is corrected."), code="line_not_approved")
    if TimesheetLine.objects.for_organization(organization_id).filter(reverses=line).exists():
        raise _error(_("This line has already been corrected."), code="already_corrected")
    values = clean_hours(hours)
    before = line.day_hours()
    if values == before:
        raise _error(
            _("The corrected hours are the approved ones: nothing to correct."), code="nothing_changes", field="hours"
        )
    through = locked_through(organization_id)
    _check_open_days(timesheet.week_start, before, through)
    _check_open_days(timesheet.week_start, values, through)
    others = _day_totals(timesheet, exclude=line.pk)
    _check_day_totals(timesheet, others, values)
    now = timezone.now()
    reversal = TimesheetLine(
        organization_id=organization_id,
        timesheet=timesheet,
        category=line.category,
        project=project,
        task=line.task,
        note=reason[:NOTE_LENGTH],
        status=LineStatus.REVERSED,
        reverses=line,
        submitted_at=now,
        decided_by=actor,
        decided_at=now,
        **{name: -value for name, value in zip(DAY_FIELDS, before, strict=True)},
    )
    reversal.save()
    links = []
    with evaluations_deferred():
        for labour in (
            LabourCost.objects.for_organization(organization_id)
            .filter(line=line)
            .select_related("cost")
            .order_by("date")
        ):
            reversed_cost = labour_cost_reverse(actor=actor, cost=labour.cost, reason=reason)
            links.append(
                LabourCost(
                    organization_id=organization_id,
                    line=reversal,
                    cost=reversed_cost,
                    date=labour.date,
                    hours=-labour.hours,
                    rate=labour.rate,
                )
            )
    LabourCost.objects.bulk_create(links)
    if project is not None and links:
        project_evaluation_queue(project)
    corrected = None
    if any(values):
        corrected = TimesheetLine(
            organization_id=organization_id,
            timesheet=timesheet,
            category=line.category,
            project=project,
            task=line.task,
            note=line.note,
            **dict(zip(DAY_FIELDS, values, strict=True)),
        )
        corrected.save()
    _touch(timesheet)
    audit_record(
        organization=timesheet.organization,
        actor=actor,
        action="timesheet_line.corrected",
        target=line,
        changes={
            "reversal": [None, reversal.pk],
            "new_line": [None, corrected.pk if corrected is not None else None],
            "reason": [None, reason],
            "labour_cost_reversed": [None, str(-sum((link.cost.amount for link in links), ZERO))],
            **_hours_changes(before, values),
        },
    )
    return reversal, corrected


def register() -> None:
    """Plug timesheets into the layers below: the progress hint of a task and the timesheet reminder.

    Called once from ``ResourcesConfig.ready()``.
    """
    from projects import registries
    from resources.services.reminders import register_alert_kind
    from resources.timesheet_selectors import task_progress_hint

    if task_progress_hint not in registries.progress_hints:
        registries.progress_hints.append(task_progress_hint)
    register_alert_kind()
