"""Critical path method (CPM): early and late dates, float and the critical path of a task network.

Pure Python: no Django, no database. The caller loads tasks and dependencies, this module
computes, the caller stores.

Conventions:

- Time is counted in working days of the ``WorkCalendar``, as integer indices from the project
  start: index 0 is the first working day on or after ``project_start``.
- Finishes are exclusive boundaries: a task of duration d starting at index s occupies indices
  s .. s + d - 1 and its finish boundary is s + d. The finish boundary of a date is the index of
  the day after it (for a working day, its own index + 1).
- Reported dates: start = ``day_at(ES)``; finish = ``day_at(EF - 1)`` for a task of one day or more;
  a milestone (duration 0) has start = finish = ``day_at(ES)``, the working day on which it falls
  due, so a milestone after a task finishing on a Friday falls on the Monday. Late dates are
  reported the same way from LS and LF.
- A dependency from predecessor P to successor S with lag L (working days, may be negative):
  FS: S.ES >= P.EF + L;  SS: S.ES >= P.ES + L;  FF: S.EF >= P.EF + L;  SF: S.EF >= P.ES + L.
- Forward pass in topological order: ES is the largest bound from the predecessors and never less
  than 0; EF = ES + duration.
- Actual dates override the network: a task with an actual start has ES = index of that day
  whatever its predecessors say (negative when it started before the project start); with an
  actual finish too, EF = the finish boundary of that day, and its duration becomes that span.
  Early start and early finish are reported as the actual dates themselves.
- A data date (the status date, as Primavera P6 and MS Project's "reschedule uncompleted work" use
  it) schedules what is left from that day on, so no unfinished work lies before it: a task not
  started starts no earlier than the index D of the data date; a started, unfinished task keeps its
  actual start and its remaining duration (``remaining_duration``: the share of the duration not
  yet complete, rounded up) runs from max(D, its start), so EF = max(D, ES) + remaining and its
  span EF - ES stands for its duration in the backward pass, as a finished task's does; a
  milestone reported started but not finished is due no earlier than D. Finished tasks keep
  their actual dates; successors follow by logic (retained logic). Without a data date nothing
  moves: actual dates alone override the network.
- The project finish boundary PF is the largest EF, or the finish boundary of ``project_finish``
  when it is imposed (then float can be negative).
- Backward pass in reverse order, each bound solved for the predecessor:
  FS: P.LF <= S.LS - L;  SS: P.LS <= S.LS - L;  FF: P.LF <= S.LF - L;  SF: P.LS <= S.LF - L.
  LF is the smallest of these and PF (a task with no successor has LF = PF; no task may finish
  after the project, even one whose successors are tied to its start only); LS = LF - duration.
- A leveling delay d (working days, what resource leveling puts before a task, as MS Project's
  leveling delay) moves an unstarted task's ES to d days after what its predecessors and the data
  date allow. In the backward pass a predecessor's bound from a delayed successor is taken d days
  earlier (its LS and LF less d), so that the delay is not counted as the predecessor's float.
  A task with an actual start ignores its delay.
- A date constraint (MS Project's, with "tasks honour their constraint dates") holds a task not yet
  started to a date. A start constraint's date counts as the working day on or after it (its index
  C); a finish constraint's as the working day on or before it (its finish boundary C, the index of
  the day after it, as actual finishes are counted; a milestone's, that day itself, C - 1, since a
  milestone's finish is its start). Forward pass: start no earlier than: ES >= C; finish no earlier
  than: EF >= C; must start on: ES = C and must finish on: EF = C, whatever the links say; these
  hard constraints give way to the data date and the project start only (no unfinished work before
  either). Backward pass: start no later than and must start on: LS <= C; finish no later than and
  must finish on: LF <= C. A constraint the links cannot meet shows as negative float. A leveling
  delay is added on top of whatever start the constraint gives. A task with an actual start keeps
  its actual dates and its constraint no longer applies.
- Total float = LS - ES. Free float = the smallest slack of the task's outgoing links in the forward
  pass (FS: S.ES - (P.EF + L); SS: S.ES - (P.ES + L); FF: S.EF - (P.EF + L); SF: S.EF - (P.ES + L))
  and PF - EF, which is the whole of it for a task with no successor.
- A task is critical when its total float is 0 or less. The critical path lists the critical tasks
  by early start, then id.

The passes run over adjacency lists in the order of Kahn's algorithm: O(tasks + dependencies).
``ScheduleNetwork`` checks and orders a network once and runs the passes again with other leveling
delays, for resource leveling, which reschedules one network many times.
"""

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum

from pmo.workdays import WorkCalendar

_ONE_DAY = timedelta(days=1)


class Constraint(StrEnum):
    """A task's date constraint; the values are ``projects.models.ConstraintType``'s."""

    ASAP = "asap"  # as soon as possible: none
    SNET = "snet"  # start no earlier than
    SNLT = "snlt"  # start no later than
    FNET = "fnet"  # finish no earlier than
    FNLT = "fnlt"  # finish no later than
    MSO = "mso"  # must start on
    MFO = "mfo"  # must finish on


_START_CONSTRAINTS = frozenset({Constraint.SNET, Constraint.SNLT, Constraint.MSO})


class DependencyType(StrEnum):
    FS = "FS"  # finish-to-start
    SS = "SS"  # start-to-start
    FF = "FF"  # finish-to-finish
    SF = "SF"  # start-to-finish


# Which end of the predecessor a dependency leaves from, and which end of the successor it reaches.
_FROM_FINISH = {DependencyType.FS: True, DependencyType.SS: False, DependencyType.FF: True, DependencyType.SF: False}
_TO_FINISH = {DependencyType.FS: False, DependencyType.SS: False, DependencyType.FF: True, DependencyType.SF: True}


@dataclass(frozen=True, slots=True)
class TaskInput:
    id: int
    duration: int  # working days, >= 0; 0 is a milestone
    actual_start: date | None = None
    actual_finish: date | None = None
    name: str = ""  # for messages
    percent_complete: Decimal = Decimal("0")  # of a started task: what is left runs from the data date
    delay: int = 0  # leveling delay: working days after the start the logic allows (a task not yet started)
    constraint: str = Constraint.ASAP  # a ``Constraint`` value
    constraint_date: date | None = None  # the constraint's date (None for as soon as possible)


@dataclass(frozen=True, slots=True)
class DependencyInput:
    predecessor_id: int
    successor_id: int
    type: DependencyType = DependencyType.FS
    lag: int = 0  # working days, may be negative


@dataclass(frozen=True, slots=True)
class TaskSchedule:
    id: int
    early_start: date
    early_finish: date
    late_start: date
    late_finish: date
    total_float: int
    free_float: int
    is_critical: bool


@dataclass(frozen=True, slots=True)
class ScheduleResult:
    tasks: dict[int, TaskSchedule]
    critical_path: list[int]
    project_start: date  # the first working day on or after the start asked for, or an earlier actual start
    project_finish: date  # the latest early finish


class CycleError(ValueError):
    """The dependencies loop back on themselves; ``cycle`` lists the task ids around the loop."""

    def __init__(self, cycle: list[int], names: Mapping[int, str] | None = None) -> None:
        self.cycle = cycle
        names = names or {}
        labels = " → ".join(names.get(task_id) or f"task {task_id}" for task_id in cycle)
        super().__init__(f"The dependencies form a cycle: {labels}.")


class ScheduleOutOfRangeError(ValueError):
    """Some tasks would finish after ``latest``; ``task_ids`` lists them."""

    def __init__(self, latest: date, task_ids: list[int], names: Mapping[int, str] | None = None) -> None:
        self.latest = latest
        self.task_ids = task_ids
        names = names or {}
        self.labels = [names.get(task_id) or f"task {task_id}" for task_id in task_ids]
        super().__init__(f"The schedule runs past {latest.isoformat()}: {', '.join(self.labels)}.")


# A link as the passes read it: (other task's position, leaves P's finish, reaches S's finish, lag).
_Link = tuple[int, bool, bool, int]


def compute_schedule(
    tasks: Sequence[TaskInput],
    dependencies: Sequence[DependencyInput],
    calendar: WorkCalendar,
    project_start: date,
    *,
    project_finish: date | None = None,
    data_date: date | None = None,
    latest: date | None = None,
) -> ScheduleResult:
    """Schedule the network by forward and backward pass; see the module docstring for the conventions.

    With ``data_date``, unfinished work is scheduled from that day on (see the module docstring).

    Raises ``CycleError`` when the dependencies contain a cycle and ``ValueError`` for a negative
    duration, a duplicated task id, an unknown task id in a dependency or inconsistent actual dates.
    """
    network = ScheduleNetwork(
        tasks, dependencies, calendar, project_start, project_finish=project_finish, data_date=data_date, latest=latest
    )
    return network.result(network.passes())


@dataclass(frozen=True, slots=True)
class SchedulePasses:
    """The passes' working-day indices, by task position (``ScheduleNetwork.position``); finishes exclusive."""

    early_start: list[int]
    early_finish: list[int]
    late_start: list[int]
    late_finish: list[int]
    free_float: list[int]


class ScheduleNetwork:
    """A network checked and ordered once, to be scheduled again with other leveling delays.

    ``compute_schedule`` is ``result(passes())``; resource leveling, which reschedules one network
    many times with growing delays, calls ``passes(delays)`` and reads the indices, and turns into
    dates only what it reports. Raises as ``compute_schedule`` does.
    """

    def __init__(
        self,
        tasks: Sequence[TaskInput],
        dependencies: Sequence[DependencyInput],
        calendar: WorkCalendar,
        project_start: date,
        *,
        project_finish: date | None = None,
        data_date: date | None = None,
        latest: date | None = None,
    ) -> None:
        self.tasks = tasks
        self.calendar = calendar
        self.project_start = project_start
        self.latest = latest
        self.position = _positions(tasks)
        self.successors, self.predecessors = _links(self.position, dependencies)
        self.order = _topological_order(self.successors, self.predecessors)
        if len(self.order) < len(tasks):
            done = set(self.order)
            loop = _cycle_through(next(i for i in range(len(tasks)) if i not in done), self.predecessors, done)
            raise CycleError(_closed_from_smallest([tasks[i].id for i in loop]), {task.id: task.name for task in tasks})

        duration = [task.duration for task in tasks]
        fixed_start: list[int | None] = [None] * len(tasks)
        data_index = calendar.index_of(data_date, project_start) if data_date is not None else None
        # A milestone reported started but not finished has no span to keep: it is scheduled as not started.
        self.keeps_actual_start = [
            task.actual_start is not None
            and (task.actual_finish is not None or task.duration > 0 or data_index is None)
            for task in tasks
        ]
        for i, task in enumerate(tasks):
            if self.keeps_actual_start[i] and task.actual_start is not None:
                actual_index = fixed_start[i] = calendar.index_of(task.actual_start, project_start)
                if task.actual_finish is not None:
                    duration[i] = calendar.index_of(task.actual_finish + _ONE_DAY, project_start) - actual_index
                elif data_index is not None:
                    remaining = remaining_duration(task.duration, task.percent_complete)
                    if remaining:
                        duration[i] = max(data_index, actual_index) + remaining - actual_index
        self.duration = duration
        self.fixed_start = fixed_start
        self.earliest = data_index or 0
        self.finish_boundary = (
            calendar.index_of(project_finish + _ONE_DAY, project_start) if project_finish is not None else None
        )
        self.horizon = calendar.index_of(latest + _ONE_DAY, project_start) if latest is not None else None
        # A task reported started keeps no delay, even a milestone scheduled as not started (above).
        self.delay = [0 if task.actual_start is not None else max(task.delay, 0) for task in tasks]
        # By position: the constraint and its index (a start's, or a finish boundary), of tasks not started.
        self.constraints: dict[int, tuple[Constraint, int]] = {}
        for i, task in enumerate(tasks):
            kind = Constraint(task.constraint)
            if kind == Constraint.ASAP or task.constraint_date is None or task.actual_start is not None:
                continue
            if kind in _START_CONSTRAINTS:
                index = calendar.index_of(task.constraint_date, project_start)
            else:
                boundary = calendar.index_of(task.constraint_date + _ONE_DAY, project_start)
                index = boundary - 1 if duration[i] == 0 else boundary
            self.constraints[i] = (kind, index)

    def passes(self, delays: Mapping[int, int] | None = None) -> SchedulePasses:
        """The forward and backward passes, with ``delays`` (task id: working days) instead of the tasks' own.

        Raises ``ScheduleOutOfRangeError`` when a task would finish after ``latest``.
        """
        tasks = self.tasks
        delay = list(self.delay)
        for task_id, days in (delays or {}).items():
            i = self.position[task_id]
            if tasks[i].actual_start is None:
                delay[i] = max(days, 0)
        duration = self.duration
        early_start, early_finish = _forward_pass(
            self.order, self.predecessors, duration, self.fixed_start, self.earliest, delay, self.constraints
        )
        finish_boundary = self.finish_boundary if self.finish_boundary is not None else max(early_finish, default=0)
        late_start, late_finish, free_float = _backward_pass(
            self.order, self.successors, duration, early_start, early_finish, finish_boundary, delay, self.constraints
        )
        if self.horizon is not None and self.latest is not None:
            # Checked on the indices, before any becomes a date: a date past year 9999 does not exist.
            beyond = [
                tasks[i].id
                for i in range(len(tasks))
                if (early_finish[i] - 1 if duration[i] else early_start[i]) >= self.horizon
            ]
            if beyond:
                raise ScheduleOutOfRangeError(self.latest, beyond, {task.id: task.name for task in tasks})
        return SchedulePasses(early_start, early_finish, late_start, late_finish, free_float)

    def result(self, passes: SchedulePasses) -> ScheduleResult:
        """The passes as dates, floats and the critical path."""
        tasks, calendar, project_start, duration = self.tasks, self.calendar, self.project_start, self.duration
        early_start, early_finish = passes.early_start, passes.early_finish
        late_start, late_finish = passes.late_start, passes.late_finish
        dates: dict[int, date] = {}

        def day_at(index: int) -> date:
            day = dates.get(index)
            if day is None:
                day = dates[index] = calendar.day_at(index, project_start)
            return day

        schedules: dict[int, TaskSchedule] = {}
        for i, task in enumerate(tasks):
            total_float = late_start[i] - early_start[i]
            last_day = early_finish[i] - 1 if duration[i] else early_start[i]
            last_late_day = late_finish[i] - 1 if duration[i] else late_start[i]
            schedules[task.id] = TaskSchedule(
                id=task.id,
                early_start=task.actual_start
                if self.keeps_actual_start[i] and task.actual_start
                else day_at(early_start[i]),
                early_finish=day_at(last_day) if task.actual_finish is None else task.actual_finish,
                late_start=day_at(late_start[i]),
                late_finish=day_at(last_late_day),
                total_float=total_float,
                free_float=passes.free_float[i],
                is_critical=total_float <= 0,
            )

        critical = sorted((early_start[i], task.id) for i, task in enumerate(tasks) if schedules[task.id].is_critical)
        first_day = day_at(0)
        return ScheduleResult(
            tasks=schedules,
            critical_path=[task_id for _, task_id in critical],
            project_start=min([first_day, *(schedule.early_start for schedule in schedules.values())]),
            project_finish=max((schedule.early_finish for schedule in schedules.values()), default=first_day),
        )


def remaining_duration(duration: int, percent_complete: Decimal) -> int:
    """Working days left of a task ``percent_complete`` done: the share not done, rounded up.

    Never 0 while work remains (a task 99.99 % done still needs a day), 0 once it is complete.
    """
    left = Decimal(duration) * (Decimal(100) - percent_complete) / Decimal(100)
    return max(0, int(left.to_integral_value(rounding=ROUND_CEILING)))


def _forward_pass(
    order: list[int],
    predecessors: list[list[_Link]],
    duration: list[int],
    fixed_start: list[int | None],
    earliest: int,
    delay: list[int],
    constraints: Mapping[int, tuple[Constraint, int]],
) -> tuple[list[int], list[int]]:
    """Early start and early finish boundary of every task, by position; nothing unstarted before ``earliest``."""
    early_start = [0] * len(duration)
    early_finish = [0] * len(duration)
    floor = max(earliest, 0)
    for s in order:
        start = fixed_start[s]
        if start is None:
            start = floor
            for p, from_finish, to_finish, lag in predecessors[s]:
                bound = (early_finish[p] if from_finish else early_start[p]) + lag
                if to_finish:
                    bound -= duration[s]
                if bound > start:
                    start = bound
            if s in constraints:
                start = _constrained_start(start, floor, duration[s], *constraints[s])
            start += delay[s]
        early_start[s] = start
        early_finish[s] = start + duration[s]
    return early_start, early_finish


def _constrained_start(start: int, floor: int, duration: int, kind: Constraint, index: int) -> int:
    """The early start a constraint makes of the one the links allow (``start``), never before ``floor``."""
    if kind == Constraint.SNET:
        return max(start, index)
    if kind == Constraint.FNET:
        return max(start, index - duration)
    if kind == Constraint.MSO:
        return max(floor, index)
    if kind == Constraint.MFO:
        return max(floor, index - duration)
    return start  # the "no later than" constraints bound the late dates only


def _backward_pass(
    order: list[int],
    successors: list[list[_Link]],
    duration: list[int],
    early_start: list[int],
    early_finish: list[int],
    finish_boundary: int,
    delay: list[int],
    constraints: Mapping[int, tuple[Constraint, int]],
) -> tuple[list[int], list[int], list[int]]:
    """Late start, late finish boundary and free float of every task, by position."""
    late_start = [0] * len(duration)
    late_finish = [0] * len(duration)
    free_float = [0] * len(duration)
    for p in reversed(order):
        finish = finish_boundary
        slack = finish_boundary - early_finish[p]
        for s, from_finish, to_finish, lag in successors[p]:
            bound = (late_finish[s] if to_finish else late_start[s]) - lag - delay[s]
            if not from_finish:
                bound += duration[p]
            if bound < finish:
                finish = bound
            link_slack = (
                (early_finish[s] if to_finish else early_start[s])
                - delay[s]
                - ((early_finish[p] if from_finish else early_start[p]) + lag)
            )
            if link_slack < slack:
                slack = link_slack
        if p in constraints:
            kind, index = constraints[p]
            if kind in (Constraint.SNLT, Constraint.MSO):
                finish = min(finish, index + duration[p])
            elif kind in (Constraint.FNLT, Constraint.MFO):
                finish = min(finish, index)
        late_finish[p] = finish
        late_start[p] = finish - duration[p]
        free_float[p] = slack
    return late_start, late_finish, free_float


def find_cycle(task_ids: Iterable[int], dependencies: Sequence[DependencyInput]) -> list[int] | None:
    """Return a cycle in the dependencies as task ids, the first repeated at the end, or None.

    Meant for refusing a new dependency: pass the existing ones and the proposed one. Ids that
    appear only in the dependencies are taken as tasks too.
    """
    position: dict[int, int] = {}
    for task_id in task_ids:
        position.setdefault(task_id, len(position))
    for dependency in dependencies:
        position.setdefault(dependency.predecessor_id, len(position))
        position.setdefault(dependency.successor_id, len(position))
    successors, predecessors = _links(position, dependencies)
    order = _topological_order(successors, predecessors)
    if len(order) == len(position):
        return None
    ids = list(position)
    done = set(order)
    loop = _cycle_through(next(i for i in range(len(ids)) if i not in done), predecessors, done)
    return _closed_from_smallest([ids[i] for i in loop])


def _positions(tasks: Sequence[TaskInput]) -> dict[int, int]:
    position: dict[int, int] = {}
    for i, task in enumerate(tasks):
        label = task.name or f"task {task.id}"
        if task.id in position:
            raise ValueError(f"Task id {task.id} appears more than once.")
        if task.duration < 0:
            raise ValueError(f"{label} has a negative duration ({task.duration}).")
        if task.actual_finish is not None:
            if task.actual_start is None:
                raise ValueError(f"{label} has an actual finish but no actual start.")
            if task.actual_finish < task.actual_start:
                raise ValueError(f"{label} has an actual finish before its actual start.")
        position[task.id] = i
    return position


def _links(
    position: Mapping[int, int], dependencies: Sequence[DependencyInput]
) -> tuple[list[list[_Link]], list[list[_Link]]]:
    """Adjacency lists by task position: the outgoing and the incoming links of every task."""
    unknown = sorted(
        {
            task_id
            for dependency in dependencies
            for task_id in (dependency.predecessor_id, dependency.successor_id)
            if task_id not in position
        }
    )
    if unknown:
        raise ValueError(f"Dependencies refer to unknown task ids: {', '.join(map(str, unknown))}.")
    successors: list[list[_Link]] = [[] for _ in position]
    predecessors: list[list[_Link]] = [[] for _ in position]
    for dependency in dependencies:
        p = position[dependency.predecessor_id]
        s = position[dependency.successor_id]
        from_finish = _FROM_FINISH[dependency.type]
        to_finish = _TO_FINISH[dependency.type]
        successors[p].append((s, from_finish, to_finish, dependency.lag))
        predecessors[s].append((p, from_finish, to_finish, dependency.lag))
    return successors, predecessors


def _topological_order(successors: list[list[_Link]], predecessors: list[list[_Link]]) -> list[int]:
    """Kahn's algorithm; the order is short of some positions exactly when there is a cycle."""
    waiting_on = [len(incoming) for incoming in predecessors]
    ready = deque(i for i, count in enumerate(waiting_on) if count == 0)
    order: list[int] = []
    while ready:
        p = ready.popleft()
        order.append(p)
        for s, *_ in successors[p]:
            waiting_on[s] -= 1
            if waiting_on[s] == 0:
                ready.append(s)
    return order


def _cycle_through(start: int, predecessors: list[list[_Link]], done: set[int]) -> list[int]:
    """A cycle among the positions Kahn's algorithm could not order, as positions in link order.

    Every such position has a predecessor that could not be ordered either, so walking back
    through them must come round to a position already seen.
    """
    seen_at: dict[int, int] = {}
    walk: list[int] = []
    current = start
    while current not in seen_at:
        seen_at[current] = len(walk)
        walk.append(current)
        current = next(p for p, *_ in predecessors[current] if p not in done)
    return walk[seen_at[current] :][::-1]


def _closed_from_smallest(loop: list[int]) -> list[int]:
    """Rotate a cycle to start from its smallest id, and close it by repeating that id."""
    first = loop.index(min(loop))
    rotated = loop[first:] + loop[:first]
    return [*rotated, rotated[0]]
