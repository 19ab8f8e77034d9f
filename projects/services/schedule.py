"""The schedule of a project's plan: the critical-path method and the roll-up of summaries."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from pmo.alerts.services import project_evaluation_queue
from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import User, WorkingCalendar
from pmo.queueing import queue_on_commit
from projects.models import Dependency, DependencyType, Phase, Project, WbsElement
from projects.scheduling import CycleError, DependencyInput, ScheduleOutOfRangeError, TaskInput, compute_schedule
from projects.selectors import project_work_calendar
from projects.services.locks import lock_project

logger = logging.getLogger(__name__)

SCHEDULE_FIELDS = [
    "planned_start",
    "planned_finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "is_critical",
]


def _elements(project: Project) -> list[WbsElement]:
    return list(WbsElement.objects.for_organization(project.organization_id).filter(project=project))


# The phases in which work is done and progress reported against the baseline set on entering them.
PHASES_SCHEDULED_FROM_TODAY = (Phase.EXECUTION, Phase.CLOSING, Phase.OPERATIONS)


def schedule_data_date(project: Project) -> dt.date | None:
    """The data date from which the unfinished work of a project under way is scheduled: its organisation's today.

    A project has no status date of its own, and progress is entered as of a day no later than
    today, so today is the data date of every recompute once the project has passed into execution
    (with its baseline); ``reschedule_stale_projects`` moves, every night, the work that a day's
    passing has left in the past. Before execution a plan states intent and is scheduled from its
    planned start alone; a closed or cancelled project keeps its last schedule.
    """
    if project.phase not in PHASES_SCHEDULED_FROM_TODAY:
        return None
    return project.organization.today()


def schedule_recompute(project: Project, *, elements: list[WbsElement] | None = None) -> None:
    """Run the critical-path method over the project's tasks and roll dates, cost and progress up.

    The data date of an open project is its organisation's today (see ``schedule_data_date``), so
    forecasts of unfinished work are never in the past. Two reads (elements, dependencies) and one
    bulk write of what changed, whatever the size.
    """
    elements = elements if elements is not None else _elements(project)
    leaves = [element for element in elements if element.is_leaf]
    links = list(
        Dependency.objects.for_organization(project.organization_id)
        .filter(project=project)
        .values_list("predecessor_id", "successor_id", "type", "lag")
    )
    calendar = project_work_calendar(project)
    try:
        result = compute_schedule(
            [
                TaskInput(
                    id=leaf.pk,
                    duration=leaf.duration,
                    actual_start=leaf.actual_start,
                    actual_finish=leaf.actual_finish,
                    name=f"{leaf.code} {leaf.name}",
                    percent_complete=leaf.percent_complete,
                    delay=leaf.leveling_delay,
                    constraint=leaf.constraint_type,
                    constraint_date=leaf.constraint_date,
                )
                for leaf in leaves
            ],
            [DependencyInput(p, s, DependencyType(t), lag) for p, s, t, lag in links],  # type: ignore[arg-type]
            calendar,
            project.planned_start,
            data_date=schedule_data_date(project),
            latest=project.organization.latest_date,
        )
    except CycleError as error:  # refused on entry; reaching here means data was written around the services
        raise ApplicationError(str(error), code="cycle") from error
    except ScheduleOutOfRangeError as error:
        shown = error.labels[:5]
        raise ApplicationError(
            _(
                "The schedule would run past %(latest)s, the latest date the organisation accepts; nothing was "
                "saved. Shorten the work or its links: %(tasks)s."
            )
            % {"latest": error.latest.isoformat(), "tasks": ", ".join(shown) + (" …" if len(error.labels) > 5 else "")},
            code="schedule_out_of_range",
        ) from error

    changed: dict[int, WbsElement] = {}

    def assign(element: WbsElement, **values: Any) -> None:
        if any(getattr(element, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(element, field, value)
            changed[element.pk] = element

    for leaf in leaves:
        row = result.tasks[leaf.pk]
        assign(
            leaf,
            planned_start=row.early_start,
            planned_finish=row.early_finish,
            late_start=row.late_start,
            late_finish=row.late_finish,
            total_float=row.total_float,
            free_float=row.free_float,
            is_critical=row.is_critical,
        )
    for summary, values in _roll_up(elements).items():
        assign(summary, **values)
    WbsElement.objects.for_organization(project.organization_id).bulk_update(
        list(changed.values()), [*SCHEDULE_FIELDS, "budgeted_cost", "percent_complete", "duration"], batch_size=500
    )
    start = min((leaf.planned_start for leaf in leaves if leaf.planned_start), default=None)
    finish = max((leaf.planned_finish for leaf in leaves if leaf.planned_finish), default=None)
    if (project.scheduled_start, project.scheduled_finish) != (start, finish):
        Project.objects.for_organization(project.organization_id).filter(pk=project.pk).update(
            scheduled_start=start, scheduled_finish=finish
        )
        project.scheduled_start, project.scheduled_finish = start, finish


@transaction.atomic
def project_schedule_recompute(*, actor: User, project: Project) -> Project:
    """Reschedule the project on request (after a calendar change, say) and audit the outcome."""
    project = lock_project(project)
    before = snapshot(project, ["scheduled_start", "scheduled_finish"])
    schedule_recompute(project)
    audit_record(
        organization=project.organization,
        actor=actor,
        action="schedule.recomputed",
        target=project,
        changes=diff(before, snapshot(project, ["scheduled_start", "scheduled_finish"])),
    )
    return project


@transaction.atomic
def schedule_leveling_delays_set(
    *, actor: User, project: Project, delays: dict[int, int], reason: str = "", source: str = ""
) -> Project:
    """Set the leveling delay of some tasks (working days; 0 clears it), reschedule and audit, as one change.

    Resource leveling calls this to apply a proposal; ``delays`` maps task ids of the project to
    their new delay. Tasks of another project, summaries and negative delays are refused and
    nothing is saved.
    """
    project = lock_project(project)
    tasks = {
        element.pk: element
        for element in WbsElement.objects.for_organization(project.organization_id).filter(
            project=project, pk__in=list(delays)
        )
    }
    unknown = sorted(set(delays) - set(tasks))
    if unknown:
        raise ApplicationError(
            _("These tasks are not in the project: %(ids)s.") % {"ids": ", ".join(str(pk) for pk in unknown)},
            code="not_in_project",
        )
    if any(not element.is_leaf for element in tasks.values()):
        raise ApplicationError(_("Only tasks and milestones can be delayed, not summaries."), code="summary_delay")
    if any(days < 0 for days in delays.values()):
        raise ApplicationError(_("A leveling delay cannot be negative."), code="negative_delay")
    before = snapshot(project, ["scheduled_start", "scheduled_finish"])
    changed = {pk: days for pk, days in delays.items() if tasks[pk].leveling_delay != days}
    elements = _elements(project)
    for element in elements:
        if element.pk in changed:
            element.leveling_delay = changed[element.pk]
    WbsElement.objects.for_organization(project.organization_id).bulk_update(
        [element for element in elements if element.pk in changed], ["leveling_delay"], batch_size=500
    )
    schedule_recompute(project, elements=elements)
    audit_record(
        organization=project.organization,
        actor=actor,
        action="schedule.leveling_delays_set",
        target=project,
        changes={
            **diff(before, snapshot(project, ["scheduled_start", "scheduled_finish"])),
            "leveling_delay": {str(pk): [tasks[pk].leveling_delay, days] for pk, days in sorted(changed.items())},
            **({"reason": [None, reason]} if reason else {}),
            **({"source": [None, source]} if source else {}),
        },
    )
    project_evaluation_queue(project)
    return project


def _roll_up(elements: list[WbsElement]) -> dict[WbsElement, dict[str, Any]]:
    """Summary dates span their leaves; cost sums; progress is weighted by cost, else by duration."""
    children: dict[int | None, list[WbsElement]] = defaultdict(list)
    for element in elements:
        children[element.parent_id].append(element)
    values: dict[WbsElement, dict[str, Any]] = {}

    def leaves_of(element: WbsElement) -> list[WbsElement]:
        if element.is_leaf:
            return [element]
        return [leaf for child in children.get(element.pk, []) for leaf in leaves_of(child)]

    for element in elements:
        if element.is_leaf:
            continue
        leaves = leaves_of(element)
        cost = sum((leaf.budgeted_cost for leaf in leaves), Decimal("0"))
        weights = [leaf.budgeted_cost for leaf in leaves] if cost > 0 else [Decimal(leaf.duration) for leaf in leaves]
        total_weight = sum(weights, Decimal("0"))
        progress = (
            sum((w * leaf.percent_complete for w, leaf in zip(weights, leaves, strict=True)), Decimal("0"))
            / total_weight
            if total_weight > 0
            else Decimal("0")
        )
        starts = [leaf.planned_start for leaf in leaves if leaf.planned_start]
        finishes = [leaf.planned_finish for leaf in leaves if leaf.planned_finish]
        late_starts = [leaf.late_start for leaf in leaves if leaf.late_start]
        late_finishes = [leaf.late_finish for leaf in leaves if leaf.late_finish]
        floats = [leaf.total_float for leaf in leaves if leaf.total_float is not None]
        values[element] = {
            "planned_start": min(starts, default=None),
            "planned_finish": max(finishes, default=None),
            "late_start": min(late_starts, default=None),
            "late_finish": max(late_finishes, default=None),
            "total_float": min(floats, default=None),
            "free_float": None,
            "is_critical": any(leaf.is_critical for leaf in leaves),
            "budgeted_cost": cost,
            "percent_complete": progress.quantize(Decimal("0.01")),
            "duration": 0,
        }
    return values


def reschedule_calendar_projects(*, organization_id: int, calendar_id: int) -> int:
    """Reschedule every open project planned on the calendar (or on the default, if it is).

    Each project is rescheduled in its own transaction; returns how many were.
    """
    from pmo.models import WorkingCalendar
    from projects.models import OPEN_PHASES

    calendar = WorkingCalendar.objects.for_organization(organization_id).filter(pk=calendar_id).first()
    if calendar is None:
        return 0
    projects = Project.objects.for_organization(organization_id).filter(phase__in=OPEN_PHASES)
    on_calendar = Q(calendar_id=calendar_id) | (Q(calendar__isnull=True) if calendar.is_default else Q(pk__in=[]))
    count = 0
    for project in projects.filter(on_calendar).iterator():
        if _recompute_in_background(project):
            count += 1
    return count


def reschedule_stale_projects(*, organization_id: int) -> int:
    """Reschedule the projects under way whose unfinished work the passing days have left in the past.

    One query finds them (a task not started whose start is before today, or a started one whose
    finish is); each is then rescheduled in its own transaction. Returns how many were.
    """
    from pmo.models import Organization

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    today = organization.today()
    stale = (
        WbsElement.objects.for_organization(organization)
        .exclude(kind=WbsElement.Kind.SUMMARY)
        .filter(project__phase__in=PHASES_SCHEDULED_FROM_TODAY, actual_finish__isnull=True)
        .filter(Q(actual_start__isnull=True, planned_start__lt=today) | Q(planned_finish__lt=today))
        .order_by()
        .values_list("project_id", flat=True)
        .distinct()
    )
    count = 0
    for project in Project.objects.for_organization(organization).filter(pk__in=list(stale)).order_by("pk"):
        if _recompute_in_background(project):
            count += 1
    return count


def _recompute_in_background(project: Project) -> bool:
    """Reschedule one project in its own transaction, as a background run does; False if refused.

    A schedule that no longer fits the organisation's date window keeps its last state (the
    next change made by hand reports why), and the run goes on with the other projects.
    """
    try:
        with transaction.atomic():
            schedule_recompute(lock_project(project))
            # The working days spread the planned value: its earned value moves too.
            project_evaluation_queue(project)
    except ApplicationError as error:
        if error.code != "schedule_out_of_range":
            raise
        logger.warning("Schedule of project %s left as it was: %s", project.pk, error.message)
        return False
    return True


def calendar_changed(calendar: WorkingCalendar) -> None:
    """The projects planned on a calendar that changed are rescheduled once the change is committed."""
    from projects.tasks import reschedule_calendar_projects

    queue_on_commit(reschedule_calendar_projects, organization_id=calendar.organization_id, calendar_id=calendar.pk)
