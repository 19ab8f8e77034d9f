"""Cost estimates of assignments, the work or units derived from the other, and bottom-up costing.

An assignment of a person or equipment costs its load, spread over its task's working days on the
project's calendar by ``resources.capacity.spread`` (so that estimates and utilisation agree), times
the standard rate in force on each of those days (``resources.rates``). The sum is kept in
``Decimal``: given as work, ``work / days * Σ rate``; given as units, ``units / 100 * hours per day
* Σ rate``. 40 h over five working days with the rate going from 100 to 120 on the fourth day costs
40 / 5 * (3 * 100 + 2 * 120) = 4,320.00. A material costs its quantity (its work, in its unit) times
its unit cost (the standard rate) in force on the task's start day. Each assignment's amount is
rounded to the cent; a day without a rate in force counts nothing and leaves the estimate marked
incomplete.

With bottom-up costing on (``ProjectResourcing.bottom_up_costing``), each task that has assignments
takes their sum as its planned cost (``WbsElement.budgeted_cost``), written through the projects
app's ``task_costs_set``, again on every change of its assignments (0 when its last one goes); a task
that never had assignments keeps the cost entered in the WBS. A reschedule does not re-cost by itself:
``project_recost`` ("re-cost now") derives the assignments again and re-costs every task that has some.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.audit import audit_record
from pmo.models import CalendarException, User, WorkingCalendar
from pmo.workdays import WorkCalendar
from projects.models import Project, WbsElement
from projects.services.locks import lock_project
from projects.services.wbs import task_costs_set
from resources.capacity import AssignmentLoad, spread, task_working_days
from resources.models import Assignment, AssignmentMode, ProjectResourcing, ResourceKind
from resources.rates import RateHistory, rate_histories

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0")
#: The ``values()`` columns an estimate reads of an assignment (its task's dates, its resource's kind).
FACT_COLUMNS = (
    "id",
    "project_id",
    "project__calendar_id",
    "task_id",
    "task__planned_start",
    "task__planned_finish",
    "task__duration",
    "resource_id",
    "resource__kind",
    "resource__hours_per_day",
    "mode",
    "units",
    "work",
)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Estimate:
    """An assignment's cost estimate; ``complete`` is False when a day of its work had no rate in force."""

    amount: Decimal
    complete: bool = True


@dataclass(frozen=True, slots=True)
class AssignmentFacts:
    """What an estimate needs of one assignment, read as one row."""

    id: int
    project_id: int
    calendar_id: int | None
    task_id: int
    start: dt.date | None
    finish: dt.date | None
    duration: int
    resource_id: int
    kind: str
    hours_per_day: Decimal
    mode: str
    units: Decimal
    work: Decimal

    @classmethod
    def of(cls, row: dict[str, object]) -> AssignmentFacts:
        return cls(
            id=row["id"],  # type: ignore[arg-type]
            project_id=row["project_id"],  # type: ignore[arg-type]
            calendar_id=row["project__calendar_id"],  # type: ignore[arg-type]
            task_id=row["task_id"],  # type: ignore[arg-type]
            start=row["task__planned_start"],  # type: ignore[arg-type]
            finish=row["task__planned_finish"],  # type: ignore[arg-type]
            duration=row["task__duration"],  # type: ignore[arg-type]
            resource_id=row["resource_id"],  # type: ignore[arg-type]
            kind=row["resource__kind"],  # type: ignore[arg-type]
            hours_per_day=row["resource__hours_per_day"],  # type: ignore[arg-type]
            mode=row["mode"],  # type: ignore[arg-type]
            units=row["units"],  # type: ignore[arg-type]
            work=row["work"],  # type: ignore[arg-type]
        )

    @property
    def by_work(self) -> bool:
        return self.mode == AssignmentMode.WORK or self.kind == ResourceKind.MATERIAL

    def load(self) -> AssignmentLoad:
        return AssignmentLoad(
            start=self.start,
            finish=self.finish,
            units=float(self.units),
            work=float(self.work),
            by_work=self.by_work,
            hours_per_day=float(self.hours_per_day),
        )


def working_days(calendar: WorkCalendar, start: dt.date | None, finish: dt.date | None, duration: int) -> int:
    """The task's working days as the spreading counts them; its duration (at least 1) when not scheduled."""
    if start is None:
        return max(duration, 1)
    return len(task_working_days(calendar, start, max(finish or start, start)))


def derived(
    *, kind: str, mode: str, units: Decimal, work: Decimal, hours_per_day: Decimal, days: int
) -> tuple[Decimal, Decimal]:
    """``(units, work)`` with the one not given derived from the other over ``days`` working days.

    Units mode: work = units / 100 * hours per day * days. Work mode: units = work / (hours per day
    * days) * 100. A material has no units (0): its work is its quantity.
    """
    if kind == ResourceKind.MATERIAL:
        return ZERO, cents(work)
    if mode == AssignmentMode.UNITS:
        return cents(units), cents(units / HUNDRED * hours_per_day * days)
    return cents(work / (hours_per_day * days) * HUNDRED), cents(work)


def estimate(facts: AssignmentFacts, calendar: WorkCalendar, history: RateHistory) -> Estimate:
    """The assignment's cost: its load on each working day times the standard rate in force that day."""
    if facts.kind == ResourceKind.MATERIAL:
        if facts.start is None:
            return Estimate(ZERO, complete=facts.work == 0)
        unit_cost = history.standard_on(facts.start)
        if unit_cost is None:
            return Estimate(ZERO, complete=facts.work == 0)
        return Estimate(cents(facts.work * unit_cost))
    daily = spread(facts.load(), calendar)
    if not daily:
        return Estimate(ZERO, complete=facts.work == 0 and facts.units == 0)
    rates = [history.standard_on(day) for day in sorted(daily)]
    total_rate = sum((rate for rate in rates if rate is not None), ZERO)
    complete = all(rate is not None for rate in rates)
    if facts.by_work:
        amount = facts.work * total_rate / len(rates)
    else:
        amount = facts.units / HUNDRED * facts.hours_per_day * total_rate
    return Estimate(cents(amount), complete)


def project_calendars(organization_id: int, calendar_of: dict[int, int | None]) -> dict[int, WorkCalendar]:
    """Each project's working calendar (its own, else the organisation's default), in two queries.

    ``calendar_of`` maps project ids to their calendar id (None: the default).
    """
    if not calendar_of:
        return {}
    own = {pk for pk in calendar_of.values() if pk is not None}
    rows = list(
        WorkingCalendar.objects.for_organization(organization_id)
        .filter(Q(pk__in=own) | Q(is_default=True))
        .values_list("pk", "working_weekdays", "is_default")
    )
    default_id = next((pk for pk, _weekdays, is_default in rows if is_default), None)
    holidays: dict[int, list[dt.date]] = defaultdict(list)
    extra: dict[int, list[dt.date]] = defaultdict(list)
    for calendar_id, day, is_working in (
        CalendarException.objects.for_organization(organization_id)
        .filter(calendar_id__in=[pk for pk, _weekdays, _default in rows])
        .values_list("calendar_id", "date", "is_working")
    ):
        (extra if is_working else holidays)[calendar_id].append(day)
    calendars = {pk: WorkCalendar(weekdays, holidays.get(pk, []), extra.get(pk, [])) for pk, weekdays, _default in rows}
    fallback = calendars.get(default_id) if default_id is not None else None
    found: dict[int, WorkCalendar] = {}
    for project_id, calendar_id in calendar_of.items():
        own_calendar = calendars.get(calendar_id) if calendar_id is not None else None
        found[project_id] = own_calendar or fallback or WorkCalendar()
    return found


def estimates(organization_id: int, facts: Iterable[AssignmentFacts]) -> dict[int, Estimate]:
    """The estimate of each assignment, in three queries whatever their number (calendars, rates)."""
    facts = list(facts)
    if not facts:
        return {}
    calendars = project_calendars(organization_id, {item.project_id: item.calendar_id for item in facts})
    histories = rate_histories(organization_id, {item.resource_id for item in facts})
    return {item.id: estimate(item, calendars[item.project_id], histories[item.resource_id]) for item in facts}


def project_facts(project: Project, task_ids: Iterable[int] | None = None) -> list[AssignmentFacts]:
    """The project's assignments (of some tasks only, if given) as estimates read them: one query."""
    rows = Assignment.objects.for_organization(project.organization_id).filter(project=project)
    if task_ids is not None:
        rows = rows.filter(task_id__in=list(task_ids))
    return [AssignmentFacts.of(row) for row in rows.order_by("id").values(*FACT_COLUMNS)]


def task_costs(project: Project, task_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """Each task's cost from its assignments (of the given tasks: those without any cost 0)."""
    facts = project_facts(project, task_ids)
    found = estimates(project.organization_id, facts)
    costs: dict[int, Decimal] = dict.fromkeys(task_ids or (), ZERO)
    for item in facts:
        costs[item.task_id] = costs.get(item.task_id, ZERO) + found[item.id].amount
    return costs


def resourcing_of(project: Project) -> ProjectResourcing | None:
    return ProjectResourcing.objects.for_organization(project.organization_id).filter(project=project).first()


def project_resourcing(project: Project) -> ProjectResourcing:
    """The project's resourcing row, made (bottom-up costing off) on first read."""
    found = resourcing_of(project)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ProjectResourcing.objects.for_organization(project.organization_id).create(
                organization_id=project.organization_id, project=project
            )
    except IntegrityError:  # another request made it meanwhile
        return ProjectResourcing.objects.for_organization(project.organization_id).get(project=project)


def bottom_up(project: Project) -> bool:
    resourcing = resourcing_of(project)
    return resourcing is not None and resourcing.bottom_up_costing


def typed_cost_refusal(task: WbsElement) -> str | None:
    """Why a task's planned cost cannot be typed in the WBS (``projects.registries.cost_guards``): under
    bottom-up costing, a task with assignments takes their cost, which the next re-cost would write over
    a typed amount."""
    if not Assignment.objects.for_organization(task.organization_id).filter(task_id=task.pk).exists():
        return None
    if not bottom_up(task.project):
        return None
    return str(
        _(
            "This task's planned cost comes from its assignments (bottom-up costing): change its assignments, "
            "or turn bottom-up costing off for the project."
        )
    )


def register() -> None:
    """Keep typed amounts off the tasks bottom-up costing derives; called once from ``ResourcesConfig.ready()``."""
    from projects import registries

    if typed_cost_refusal not in registries.cost_guards:
        registries.cost_guards.append(typed_cost_refusal)


def recost_tasks(*, actor: User, project: Project, task_ids: Iterable[int], source: str) -> dict[int, Decimal]:
    """Within a caller's transaction holding the project lock: give the tasks their assignments' cost, if the
    project costs bottom-up. Returns the costs that changed."""
    ids = sorted(set(task_ids))
    if not ids or not bottom_up(project):
        return {}
    return task_costs_set(actor=actor, project=project, costs=task_costs(project, ids), source=source)


@transaction.atomic
def project_recost(*, actor: User, project: Project) -> dict[int, Decimal]:
    """Re-cost now: refresh every assignment's derived work or units from the current schedule, and with
    bottom-up costing give every task that has assignments their cost (dated rates move with the dates).

    Returns the task costs that changed.
    """
    project = lock_project(project)
    refreshed = assignments_refresh(project)
    changed: dict[int, Decimal] = {}
    if bottom_up(project):
        tasks = set(
            Assignment.objects.for_organization(project.organization_id)
            .filter(project=project)
            .values_list("task_id", flat=True)
        )
        if tasks:
            changed = task_costs_set(
                actor=actor, project=project, costs=task_costs(project, tasks), source="resources.recost"
            )
    audit_record(
        organization=project.organization,
        actor=actor,
        action="project.resources_recosted",
        target=project,
        changes={
            "assignments_refreshed": [None, refreshed],
            "tasks_recosted": [None, len(changed)],
        },
    )
    return changed


def assignments_refresh(project: Project) -> int:
    """Derive again the work (units mode) or units (work mode) of the project's assignments from their
    tasks' current working days; returns how many changed. The caller holds the project lock."""
    facts = project_facts(project)
    if not facts:
        return 0
    calendar = project_calendars(project.organization_id, {project.pk: project.calendar_id})[project.pk]
    rows = {
        row.pk: row
        for row in Assignment.objects.for_organization(project.organization_id).filter(
            pk__in=[item.id for item in facts]
        )
    }
    changed = []
    for item in facts:
        days = working_days(calendar, item.start, item.finish, item.duration)
        units, work = derived(
            kind=item.kind,
            mode=item.mode,
            units=item.units,
            work=item.work,
            hours_per_day=item.hours_per_day,
            days=days,
        )
        row = rows[item.id]
        if (row.units, row.work) != (units, work):
            row.units, row.work = units, work
            row.version += 1
            changed.append(row)
    Assignment.objects.for_organization(project.organization_id).bulk_update(
        changed, ["units", "work", "version"], batch_size=500
    )
    return len(changed)


@transaction.atomic
def project_resourcing_set(*, actor: User, project: Project, bottom_up_costing: bool) -> ProjectResourcing:
    """Turn bottom-up costing on or off for the project; turning it on costs every task that has assignments."""
    project = lock_project(project)
    resourcing, _created = ProjectResourcing.objects.for_organization(project.organization_id).get_or_create(
        organization_id=project.organization_id, project=project
    )
    if resourcing.bottom_up_costing == bottom_up_costing:
        return resourcing
    resourcing.bottom_up_costing = bottom_up_costing
    resourcing.updated_at = timezone.now()
    resourcing.save(update_fields=["bottom_up_costing", "updated_at"])
    audit_record(
        organization=project.organization,
        actor=actor,
        action="project_resourcing.updated",
        target=resourcing,
        changes={"bottom_up_costing": [not bottom_up_costing, bottom_up_costing]},
    )
    if bottom_up_costing:
        tasks = (
            Assignment.objects.for_organization(project.organization_id)
            .filter(project=project)
            .values_list("task_id", flat=True)
        )
        recost_tasks(actor=actor, project=project, task_ids=set(tasks), source="resources.bottom_up_on")
    return resourcing
