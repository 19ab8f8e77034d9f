"""Resource leveling: delay tasks until no resource carries more than it can, day by day.

Pure Python: no Django, no database. The caller reads the plans, the assignments and the
resources' calendars, this module proposes leveling delays, the caller applies them through the
projects' schedule service. Every schedule is the critical path's own (``projects.scheduling``:
``ScheduleNetwork``, the code ``compute_schedule`` runs, rescheduled with the tasks' leveling delays,
``TaskInput.delay``), so a delayed task's successors follow by its rules: dependency types and
lags, the project's calendar, actual dates and the data date.

Conventions (hand-worked in ``tests/resources/test_leveling_engine.py``):

- Load and capacity are those of ``resources.capacity``: a task loads each of its resources on
  its working days (the project's calendar) with a fixed number of hours a day: ``units / 100 *
  the resource's hours per day``, or its total work over its working days (a milestone: all of it
  on its day); absences count as load; a resource is over-allocated on a day when its load is
  strictly greater than its capacity; unknown capacity is never over-allocated. Load from projects
  that are not being leveled (``fixed_load``) stays where it is.
- Only the days of the period ``start`` .. ``finish`` are leveled and checked, and a task is never
  moved to start after the period.
- Serial, earliest first, as MS Project's leveling: take the earliest over-allocated day (then the
  smallest resource id); among the tasks loading that resource that day which have not started
  (a task with an actual start never moves), delay first the one that yields first, then the
  next, until the day fits. A task yields before another when its project's priority is lower;
  then (tasks have no priority of their own) when it has more total float, then a later early
  start, then a later WBS sort key, then a larger id.
- A delayed task goes to the first start after the over-allocated day where it fits: where none
  of its resources is over-allocated on any of its days with it there; else where the resource
  in question is not; a task that fits nowhere allowed is not moved for that day. Its delay
  grows by the working days it moved; the project is rescheduled with the new delays and every
  task that moved (the delayed one and the successors it pushed) moves its load.
- Phase 1 moves tasks within their total float: a task may start no later than its late start as
  the schedule stands (never later than before leveling), and a project's finish never moves; a
  change that would move it is undone. Phase 2, only if ``allow_beyond_float``, takes the
  over-allocations left in the same order without that limit, so the lower-priority projects'
  tasks are delayed first and their finishes move.
- It stops when no over-allocation is left, when none of those left can be resolved, or after
  ``max_iterations`` reschedules (``LevelingResult.capped``).
- Deterministic: everything is visited in a sorted order; the same input gives the same result.
- ``level(problem, progress)`` reports how far it got to ``progress(done, total)`` (a job's bar):
  the tasks laid out, then the period's days as each phase resolves them, earliest first. It is
  called when at least 1 % more is done, and once at the end; it changes nothing of the result.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from pmo.workdays import WorkCalendar
from projects.scheduling import (
    DependencyInput,
    ScheduleNetwork,
    ScheduleOutOfRangeError,
    SchedulePasses,
    ScheduleResult,
    TaskInput,
)
from resources.capacity import PLACES, ResourceCalendar, rounded

ONE_DAY = dt.timedelta(days=1)
#: Load shifted by the moves chosen so far, by (resource id, ordinal).
_Overlay = dict[tuple[int, int], float]
DEFAULT_MAX_ITERATIONS = 5000
#: ``progress(done, total)``: how far leveling got, as ``pmo.jobs.JobContext.progress`` takes it.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Demand:
    """What a task asks of one resource: hours a working day (given in units), or total work."""

    resource_id: int
    hours_per_day: float = 0.0  # units / 100 * the resource's hours per day
    work: float | None = None  # total work, spread evenly over the task's working days


@dataclass(frozen=True, slots=True)
class LevelingTask:
    id: int
    duration: int  # working days; 0 is a milestone
    actual_start: dt.date | None = None
    actual_finish: dt.date | None = None
    percent_complete: Decimal = Decimal("0")
    delay: int = 0  # its leveling delay now
    constraint: str = "asap"  # its date constraint (``projects.scheduling.Constraint``)
    constraint_date: dt.date | None = None
    sort_key: str = ""  # the WBS order, a tie-breaker
    name: str = ""
    demands: tuple[Demand, ...] = ()


@dataclass(frozen=True)
class LevelingProject:
    id: int
    start: dt.date  # the planned start the schedule counts from
    calendar: WorkCalendar
    tasks: tuple[LevelingTask, ...]
    dependencies: tuple[DependencyInput, ...] = ()
    priority: int = 0  # higher is more important: its tasks yield last
    data_date: dt.date | None = None
    latest: dt.date | None = None  # no task may finish after it


@dataclass(frozen=True)
class LevelingInput:
    projects: tuple[LevelingProject, ...]
    resources: Mapping[int, ResourceCalendar]
    start: dt.date
    finish: dt.date
    #: Load that does not move: other projects' assignments, per resource and day.
    fixed_load: Mapping[int, Mapping[dt.date, float]] = field(default_factory=dict)
    allow_beyond_float: bool = False
    max_iterations: int = DEFAULT_MAX_ITERATIONS


@dataclass(frozen=True, slots=True)
class Move:
    """A task whose dates change: delayed itself (``added_delay`` > 0) or pushed by a predecessor."""

    task_id: int
    project_id: int
    old_start: dt.date
    old_finish: dt.date
    new_start: dt.date
    new_finish: dt.date
    added_delay: int  # working days added to its leveling delay
    delay: int  # its leveling delay after leveling
    beyond_float: bool  # starts after its late start before leveling
    resource_ids: tuple[int, ...]  # the resources it was delayed for


@dataclass(frozen=True, slots=True)
class ProjectFinish:
    project_id: int
    old_finish: dt.date
    new_finish: dt.date


@dataclass(frozen=True, slots=True)
class OverAllocation:
    resource_id: int
    day: dt.date
    load: float
    capacity: float


@dataclass(frozen=True)
class LevelingResult:
    moves: tuple[Move, ...]
    projects: tuple[ProjectFinish, ...]
    before: tuple[OverAllocation, ...]
    after: tuple[OverAllocation, ...]
    iterations: int
    capped: bool  # stopped by ``max_iterations`` with over-allocations it might still have resolved

    def delays(self) -> dict[int, dict[int, int]]:
        """The new leveling delays, by project and task: only the tasks whose delay changed."""
        found: dict[int, dict[int, int]] = {}
        for move in self.moves:
            if move.added_delay:
                found.setdefault(move.project_id, {})[move.task_id] = move.delay
        return found


def level(problem: LevelingInput, progress: Progress | None = None) -> LevelingResult:
    """Propose leveling delays for the projects of ``problem``; see the module docstring."""
    return _Leveler(problem, progress).run()


class _Meter:
    """The engine's progress: one step a task laid out, then one a day of the period in each phase.

    Phases resolve the days earliest first, so the day at hand measures how far a phase got. The
    callback hears of it only when at least 1 % more is done (and at the end): a loop of thousands
    of reschedules makes at most about a hundred calls.
    """

    def __init__(self, progress: Progress | None, problem: LevelingInput) -> None:
        self.progress = progress
        self.tasks = sum(len(project.tasks) for project in problem.projects)
        self.days = max(problem.finish.toordinal() - problem.start.toordinal() + 1, 1)
        self.phases = 2 if problem.allow_beyond_float else 1
        self.total = self.tasks + self.phases * self.days
        self.step = max(self.total // 100, 1)
        self.done = 0
        self.told = 0

    def at(self, done: int) -> None:
        if self.progress is None or done <= self.done:
            return
        self.done = min(done, self.total)
        if self.done - self.told >= self.step or self.done == self.total:
            self.told = self.done
            self.progress(self.done, self.total)

    def task_laid_out(self) -> None:
        self.at(self.done + 1)

    def day_reached(self, phase: int, ordinal: int, first_ordinal: int) -> None:
        """Phase ``phase`` (0 or 1) is at the day ``ordinal``: every day before it is resolved."""
        self.at(self.tasks + phase * self.days + min(max(ordinal - first_ordinal, 0), self.days))

    def finished(self) -> None:
        self.at(self.total)


@dataclass
class _Network:
    """One project as it is being leveled: its network, its tasks' current delays and passes."""

    project: LevelingProject
    network: ScheduleNetwork
    delays: dict[int, int]  # task id -> delay, for the tasks leveling delayed
    passes: SchedulePasses
    first: ScheduleResult
    period_finish: dt.date
    day_cache: dict[int, int] = field(default_factory=dict)  # working-day index -> ordinal
    #: The tasks with load that follow the logic, by position: their load moves when their dates do.
    loaded: dict[int, _Task] = field(default_factory=dict)

    def ordinal_at(self, index: int) -> int:
        ordinal = self.day_cache.get(index)
        if ordinal is None:
            ordinal = self.day_cache[index] = self.project.calendar.day_at(index, self.project.start).toordinal()
        return ordinal

    def index_of(self, day: dt.date) -> int:
        return self.project.calendar.index_of(day, self.project.start)

    @cached_property
    def period_last(self) -> int:
        """The index of the last working day of the leveling period: no task is moved to start after it."""
        return self.index_of(self.period_finish + ONE_DAY) - 1

    def last_day(self, passes: SchedulePasses | None = None) -> int:
        """The index of the project's finish as reported: the last working day of a task, a milestone's day."""
        passes = passes or self.passes
        last = max(passes.early_finish, default=1) - 1
        return max([last, *(passes.early_start[i] for i in self.milestones)])

    @cached_property
    def milestones(self) -> list[int]:
        return [i for i, duration in enumerate(self.network.duration) if not duration]


@dataclass
class _Task:
    spec: LevelingTask
    network: _Network
    position: int
    hours: dict[int, float]  # resource id -> hours a working day
    follows_logic: bool  # False: its actual start holds it where it is
    days: tuple[int, ...] = ()  # ordinals it loads now
    delayed_for: set[int] = field(default_factory=set)

    @property
    def movable(self) -> bool:
        return self.spec.actual_start is None

    @property
    def delay(self) -> int:
        return self.network.delays.get(self.spec.id, max(self.spec.delay, 0))

    @property
    def early_start(self) -> int:
        return self.network.passes.early_start[self.position]

    @property
    def late_start(self) -> int:
        return self.network.passes.late_start[self.position]


class _Leveler:
    def __init__(self, problem: LevelingInput, progress: Progress | None = None) -> None:
        self.problem = problem
        self.meter = _Meter(progress, problem)
        self.first_ordinal = problem.start.toordinal()
        self.last_ordinal = problem.finish.toordinal()
        self.resources = problem.resources
        self.load: dict[int, dict[int, float]] = {resource_id: {} for resource_id in sorted(self.resources)}
        # Per resource and day: (capacity rounded, absence load), filled as days are first seen; shared by
        # the resources of one calendar, hours, units and periods (most of a pool).
        shared: dict[ResourceCalendar, dict[int, tuple[float | None, float]]] = {}
        self.figures = {
            resource_id: shared.setdefault(self.resources[resource_id], {}) for resource_id in sorted(self.resources)
        }
        self.by_resource: dict[int, list[_Task]] = {resource_id: [] for resource_id in self.resources}
        self.conflicts: list[tuple[int, int]] = []  # heap of (ordinal, resource id)
        self.queued: set[tuple[int, int]] = set()
        self.given_up: set[tuple[int, int]] = set()
        self.networks: list[_Network] = []
        self.tasks: dict[int, _Task] = {}
        self.iterations = 0
        for resource_id in sorted(problem.fixed_load):
            if resource_id not in self.resources:
                continue
            row = self.load[resource_id]
            for day, hours in sorted(problem.fixed_load[resource_id].items()):
                ordinal = day.toordinal()
                if hours and self.first_ordinal <= ordinal <= self.last_ordinal:
                    row[ordinal] = row.get(ordinal, 0.0) + hours
                    self._check(resource_id, ordinal, row[ordinal])
        for project in sorted(problem.projects, key=lambda item: item.id):
            self._add_network(project)

    # --- set-up ------------------------------------------------------------------------------

    def _add_network(self, project: LevelingProject) -> None:
        inputs = [
            TaskInput(
                id=task.id,
                duration=task.duration,
                actual_start=task.actual_start,
                actual_finish=task.actual_finish,
                name=task.name,
                percent_complete=task.percent_complete,
                delay=max(task.delay, 0),
                constraint=task.constraint,
                constraint_date=task.constraint_date,
            )
            for task in project.tasks
        ]
        schedule_network = ScheduleNetwork(
            inputs,
            project.dependencies,
            project.calendar,
            project.start,
            data_date=project.data_date,
            latest=project.latest,
        )
        passes = schedule_network.passes()
        network = _Network(project, schedule_network, {}, passes, schedule_network.result(passes), self.problem.finish)
        self.networks.append(network)
        for spec in sorted(project.tasks, key=lambda item: item.id):
            if spec.id in self.tasks:
                raise ValueError(f"Task id {spec.id} appears in more than one project.")
            position = schedule_network.position[spec.id]
            follows_logic = not schedule_network.keeps_actual_start[position]
            span = self._span(network, position) if follows_logic else self._dated_span(network, network.first, spec.id)
            hours: dict[int, float] = {}
            for demand in sorted(spec.demands, key=lambda item: item.resource_id):
                if demand.resource_id not in self.resources:
                    continue
                each = demand.work / len(span) if demand.work is not None else demand.hours_per_day
                if each > 0:
                    hours[demand.resource_id] = hours.get(demand.resource_id, 0.0) + each
            task = self.tasks[spec.id] = _Task(spec, network, position, hours, follows_logic)
            if hours:
                self._place(task, self._within(span))
                if follows_logic:
                    network.loaded[position] = task
                for resource_id in hours:
                    self.by_resource[resource_id].append(task)
            self.meter.task_laid_out()

    def _span(self, network: _Network, position: int) -> tuple[int, ...]:
        """The ordinals of the working days the passes give the task (a milestone: its day)."""
        start = network.passes.early_start[position]
        finish = max(network.passes.early_finish[position], start + 1)
        return tuple(network.ordinal_at(index) for index in range(start, finish))

    def _dated_span(self, network: _Network, schedule: ScheduleResult, task_id: int) -> tuple[int, ...]:
        """The ordinals of a started task's working days from its start to its finish (its start alone if none)."""
        row = schedule.tasks[task_id]
        first = network.index_of(row.early_start)
        last = network.index_of(row.early_finish + ONE_DAY) - 1
        if last < first:
            return (row.early_start.toordinal(),)
        return tuple(network.ordinal_at(index) for index in range(first, last + 1))

    def _within(self, days: tuple[int, ...]) -> tuple[int, ...]:
        """The days of the period: no other is leveled or checked."""
        if days and self.first_ordinal <= days[0] and days[-1] <= self.last_ordinal:
            return days
        return tuple(ordinal for ordinal in days if self.first_ordinal <= ordinal <= self.last_ordinal)

    # --- figures ----------------------------------------------------------------------------

    def _figures(self, resource_id: int, ordinal: int) -> tuple[float | None, float]:
        """The resource's capacity (rounded; None when unknown) and absence load on the day."""
        known = self.figures[resource_id]
        figures = known.get(ordinal)
        if figures is None:
            calendar = self.resources[resource_id]
            day = dt.date.fromordinal(ordinal)
            capacity = calendar.capacity(day)
            figures = known[ordinal] = (
                None if capacity is None else rounded(capacity),
                calendar.absence_load(day),
            )
        return figures

    def _is_over(self, resource_id: int, ordinal: int, load: float | None = None) -> bool:
        capacity, absence = self._figures(resource_id, ordinal)
        if capacity is None:
            return False
        if load is None:
            load = self.load[resource_id].get(ordinal, 0.0)
        return load + absence > capacity and rounded(load + absence) > capacity

    def _check(self, resource_id: int, ordinal: int, load: float) -> None:
        """Queue the day if the load just laid on it over-allocates the resource."""
        if self._is_over(resource_id, ordinal, load):
            self._queue(resource_id, ordinal)

    def _queue(self, resource_id: int, ordinal: int) -> None:
        """An over-allocated day to resolve, again if it was given up before: more load came onto it."""
        key = (ordinal, resource_id)
        self.given_up.discard(key)
        if key not in self.queued:
            self.queued.add(key)
            heapq.heappush(self.conflicts, key)

    def _over_allocations(self) -> tuple[OverAllocation, ...]:
        found = []
        for resource_id, row in self.load.items():
            for ordinal in sorted(row):
                if self._is_over(resource_id, ordinal):
                    capacity, absence = self._figures(resource_id, ordinal)
                    found.append(
                        OverAllocation(
                            resource_id, dt.date.fromordinal(ordinal), rounded(row[ordinal] + absence), capacity or 0.0
                        )
                    )
        return tuple(found)

    # --- load ---------------------------------------------------------------------------------

    def _place(self, task: _Task, days: tuple[int, ...]) -> None:
        """Lay the task's load on ``days`` (of the period), lifting it from the days it leaves."""
        old = task.days
        if old == days:
            return
        task.days = days
        if not old or not days or days[0] > old[-1] or days[-1] < old[0]:
            left, reached = old, days
        else:
            left = tuple(ordinal for ordinal in old if ordinal not in days)
            reached = tuple(ordinal for ordinal in days if ordinal not in old)
        for resource_id, hours in task.hours.items():
            row = self.load[resource_id]
            known = self.figures[resource_id]
            for ordinal in left:
                row[ordinal] -= hours
            for ordinal in reached:
                load = row[ordinal] = row.get(ordinal, 0.0) + hours
                capacity, absence = known.get(ordinal) or self._figures(resource_id, ordinal)
                # Rounded as ``capacity`` compares, only when it might be over (rounding keeps the order).
                if capacity is not None and load + absence > capacity and round(load + absence, PLACES) > capacity:
                    self._queue(resource_id, ordinal)

    # --- choosing --------------------------------------------------------------------------

    def _yield_order(self, task: _Task) -> tuple[Any, ...]:
        """Sorts first the task that yields first (see the module docstring)."""
        return (
            task.network.project.priority,
            task.early_start - task.late_start,  # more total float first
            -task.early_start,
            _Descending(task.spec.sort_key),
            -task.spec.id,
        )

    def _fits(self, task: _Task, start: int, resource_ids: Iterable[int], overlay: _Overlay) -> int | None:
        """None when the task fits at working-day index ``start`` for these resources, else the index that fails.

        ``overlay`` holds the load the moves already chosen for the same day will shift.
        """
        network = task.network
        own = task.days
        wanted = [(resource_id, task.hours[resource_id], self.load[resource_id]) for resource_id in resource_ids]
        for offset in range(max(task.spec.duration, 1)):
            ordinal = network.ordinal_at(start + offset)
            if ordinal > self.last_ordinal:
                return None
            if ordinal < self.first_ordinal:
                continue
            mine = ordinal in own
            for resource_id, hours, row in wanted:
                load = row.get(ordinal, 0.0) + overlay.get((resource_id, ordinal), 0.0) + (0.0 if mine else hours)
                if self._is_over(resource_id, ordinal, load):
                    return start + offset
        return None

    def _target(self, task: _Task, ordinal: int, resource_id: int, beyond_float: bool, overlay: _Overlay) -> int | None:
        """The working-day index the task should start at to leave ``ordinal`` free, or None."""
        network = task.network
        earliest = network.index_of(dt.date.fromordinal(ordinal) + ONE_DAY)
        latest = network.period_last
        if not beyond_float:
            latest = min(latest, task.late_start)
        for resource_ids in (sorted(task.hours), [resource_id]):
            start = earliest
            while start <= latest:
                failed = self._fits(task, start, resource_ids, overlay)
                if failed is None:
                    return start
                start = failed + 1
        return None

    # --- the loop ---------------------------------------------------------------------------

    def run(self) -> LevelingResult:
        before = self._over_allocations()
        capped = self._phase(beyond_float=False)
        if self.problem.allow_beyond_float and not capped:
            self.given_up.clear()
            self.conflicts = [(over.day.toordinal(), over.resource_id) for over in self._over_allocations()]
            self.queued = set(self.conflicts)
            heapq.heapify(self.conflicts)
            capped = self._phase(beyond_float=True)
        self.meter.finished()
        finals = {network.project.id: network.network.result(network.passes) for network in self.networks}
        return LevelingResult(
            moves=self._moves(finals),
            projects=tuple(
                ProjectFinish(
                    network.project.id, network.first.project_finish, finals[network.project.id].project_finish
                )
                for network in self.networks
            ),
            before=before,
            after=self._over_allocations(),
            iterations=self.iterations,
            capped=capped,
        )

    def _phase(self, *, beyond_float: bool) -> bool:
        """Resolve over-allocations earliest first; True when stopped by the iteration cap."""
        phase = 1 if beyond_float else 0
        while self.conflicts:
            key = heapq.heappop(self.conflicts)
            self.queued.discard(key)
            ordinal, resource_id = key
            self.meter.day_reached(phase, ordinal, self.first_ordinal)
            if key in self.given_up or not self._is_over(resource_id, ordinal):
                continue
            if self.iterations >= self.problem.max_iterations:
                return True
            if self._resolve(ordinal, resource_id, beyond_float=beyond_float):
                self.iterations += 1
                self._check(resource_id, ordinal, self.load[resource_id].get(ordinal, 0.0))
            else:
                self.given_up.add(key)
        self.meter.day_reached(phase, self.last_ordinal + 1, self.first_ordinal)
        return False

    def _resolve(self, ordinal: int, resource_id: int, *, beyond_float: bool) -> bool:
        """Delay the tasks that yield first until the day fits; False when none could move."""
        candidates = sorted(
            (
                task
                for task in self.by_resource[resource_id]
                if task.movable and task.days and task.days[0] <= ordinal <= task.days[-1] and ordinal in task.days
            ),
            key=self._yield_order,
        )
        load = self.load[resource_id][ordinal]
        planned: list[tuple[_Task, int]] = []
        overlay: _Overlay = {}
        for task in candidates:
            target = self._target(task, ordinal, resource_id, beyond_float, overlay)
            if target is None:
                continue
            planned.append((task, target))
            network = task.network
            reached = self._within(
                tuple(network.ordinal_at(index) for index in range(target, target + max(task.spec.duration, 1)))
            )
            for other, hours in task.hours.items():
                for day in task.days:
                    overlay[other, day] = overlay.get((other, day), 0.0) - hours
                for day in reached:
                    overlay[other, day] = overlay.get((other, day), 0.0) + hours
            load -= task.hours[resource_id]
            if not self._is_over(resource_id, ordinal, load):
                break
        if not planned:
            return False
        if self._apply(planned, resource_id, beyond_float=beyond_float):
            return True
        # Together the moves went too far (a successor pushed past its float): one at a time.
        return len(planned) > 1 and self._apply(planned[:1], resource_id, beyond_float=beyond_float)

    def _apply(self, planned: Sequence[tuple[_Task, int]], resource_id: int, *, beyond_float: bool) -> bool:
        """Add the delays and reschedule; False, with nothing changed, if a finish moves in phase 1 or runs too late."""
        delays: dict[int, dict[int, int]] = {}
        for task, target in planned:
            network = task.network
            changed = delays.setdefault(network.project.id, dict(network.delays))
            changed[task.spec.id] = task.delay + target - task.early_start
        networks = {network.project.id: network for network in self.networks if network.project.id in delays}
        passes: dict[int, SchedulePasses] = {}
        for project_id in sorted(delays):
            network = networks[project_id]
            try:
                passes[project_id] = network.network.passes(delays[project_id])
            except ScheduleOutOfRangeError:
                return False
            if not beyond_float and network.last_day(passes[project_id]) > network.last_day():
                return False
        for project_id in sorted(delays):
            network = networks[project_id]
            old, new = network.passes, passes[project_id]
            network.delays, network.passes = delays[project_id], new
            # A task that follows the logic keeps its duration: its finish moves with its start.
            moved = [
                i
                for i, (before, after) in enumerate(zip(old.early_start, new.early_start, strict=True))
                if before != after
            ]
            last = network.period_last
            for i in moved:
                follower = network.loaded.get(i)
                if follower is not None:
                    # A task that starts after the period loads none of its days.
                    days = () if new.early_start[i] > last else self._within(self._span(network, i))
                    self._place(follower, days)
        for task, _target in planned:
            task.delayed_for.add(resource_id)
        return True

    def _moves(self, finals: Mapping[int, ScheduleResult]) -> tuple[Move, ...]:
        moves = []
        for network in self.networks:
            first, final = network.first, finals[network.project.id]
            for spec in sorted(network.project.tasks, key=lambda item: (item.sort_key, item.id)):
                old, new = first.tasks[spec.id], final.tasks[spec.id]
                if (old.early_start, old.early_finish) == (new.early_start, new.early_finish):
                    continue
                delay = network.delays.get(spec.id, max(spec.delay, 0))
                moves.append(
                    Move(
                        task_id=spec.id,
                        project_id=network.project.id,
                        old_start=old.early_start,
                        old_finish=old.early_finish,
                        new_start=new.early_start,
                        new_finish=new.early_finish,
                        added_delay=delay - max(spec.delay, 0),
                        delay=delay,
                        beyond_float=new.early_start > old.late_start,
                        resource_ids=tuple(sorted(self.tasks[spec.id].delayed_for)),
                    )
                )
        return tuple(moves)


@dataclass(frozen=True, slots=True)
class _Descending:
    """A string that sorts in reverse order."""

    text: str

    def __lt__(self, other: _Descending) -> bool:
        return self.text > other.text


def result_as_json(result: LevelingResult) -> dict[str, Any]:
    """The result as plain JSON values (dates in ISO form), in the result's own order."""
    return {
        "moves": [
            {
                "task": move.task_id,
                "project": move.project_id,
                "old_start": move.old_start.isoformat(),
                "old_finish": move.old_finish.isoformat(),
                "new_start": move.new_start.isoformat(),
                "new_finish": move.new_finish.isoformat(),
                "added_delay": move.added_delay,
                "delay": move.delay,
                "beyond_float": move.beyond_float,
                "resources": list(move.resource_ids),
            }
            for move in result.moves
        ],
        "projects": [
            {
                "project": finish.project_id,
                "old_finish": finish.old_finish.isoformat(),
                "new_finish": finish.new_finish.isoformat(),
            }
            for finish in result.projects
        ],
        "before": [_over_as_json(over) for over in result.before],
        "after": [_over_as_json(over) for over in result.after],
        "iterations": result.iterations,
        "capped": result.capped,
    }


def _over_as_json(over: OverAllocation) -> dict[str, Any]:
    return {"resource": over.resource_id, "day": over.day.isoformat(), "load": over.load, "capacity": over.capacity}
