"""Monte Carlo schedule and cost analysis of a task network: numpy, no Django.

Each iteration samples every task's duration and cost from its three points (triangular
distribution), draws which risk events occur, and schedules the network by the rules of the
critical path method in ``projects.scheduling`` (the four dependency types, lags, actual dates,
the data date and the remaining work of started tasks). The iterations are the columns of the
arrays: one forward and one backward pass over the tasks in topological order schedule a whole
chunk of iterations at once.

Conventions (those of ``projects.scheduling``, extended to durations that are not whole days):

- Time is counted in working days from the project start, index 0 being its first working day;
  finishes are exclusive boundaries. A sampled duration is a real number of working days, so a
  boundary may fall inside a day: the last working day of a task is ``ceil(EF) - 1`` (never before
  the day it starts on), a milestone falls due on the day of its start, and the finish day of an
  iteration is the latest of these. With whole-day durations (no variance) every figure is the
  one ``compute_schedule`` gives.
- A task's duration is ``offset + scale * sample``: a task not started has offset 0 and scale 1;
  a started, unfinished task under a data date D with actual start a keeps that start, and its
  remaining work, ``remaining * sample / planned`` (the remaining working days of the plan scaled
  by how the sampled duration compares with the planned one), runs from max(D, a): offset
  max(D, a) - a. A finished task keeps its actual span, with no variance.
- A risk event occurs in an iteration with its probability; when it does, its sampled schedule
  impact (working days) is added to the duration of each task it is linked to (subtracted, for an
  opportunity, never below zero) and its sampled cost impact to the iteration's cost.
- A task is critical in an iteration when its total float (late start - early start, the project
  finish being that iteration's latest early finish) is not positive; its criticality index is the
  share of iterations in which it is critical.
- The tornado is the Pearson correlation, over the iterations, of each task's sampled duration and
  of each risk's schedule impact (its occurrence, for a risk without one) with the finish
  boundary, gathered chunk by chunk from running sums.

Triangular samples come from the inverse of the distribution function applied to uniform numbers
of a seeded ``numpy.random.Generator``: a seed, a number of iterations and a chunk size give the
same results every time, and a point estimate (optimistic = likely = pessimistic) gives its value
exactly.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from pmo.workdays import WorkCalendar
from projects.scheduling import remaining_duration

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# A dependency type leaves the predecessor from its finish (FS, FF) or start (SS, SF) and reaches
# the successor's start (FS, SS) or finish (FF, SF).
FROM_FINISH = {"FS": True, "SS": False, "FF": True, "SF": False}
TO_FINISH = {"FS": False, "SS": False, "FF": True, "SF": True}

DEFAULT_CHUNK = 500
# Finish boundaries are sums of real numbers: a float this close to zero is zero.
TOLERANCE = 1e-7
_ONE_DAY = timedelta(days=1)

Points = tuple[float, float, float]


class NetworkError(ValueError):
    """The network cannot be analysed: a cycle, an unknown or repeated task, points out of order."""


@dataclass(frozen=True, slots=True)
class Task:
    """A task in index form. ``duration`` and ``cost`` are three points (optimistic, likely, pessimistic)."""

    duration: Points
    cost: Points = (0.0, 0.0, 0.0)
    fixed_start: int | None = None  # an actual start the network cannot move
    duration_offset: float = 0.0
    duration_scale: float = 1.0
    cost_offset: float = 0.0
    cost_scale: float = 1.0
    delayable: bool = True  # risk events may lengthen it (not once finished)


@dataclass(frozen=True, slots=True)
class Link:
    predecessor: int  # positions in the task list
    successor: int
    type: str = "FS"
    lag: int = 0


@dataclass(frozen=True, slots=True)
class RiskEvent:
    probability: float  # 0..1
    days: Points = (0.0, 0.0, 0.0)
    cost: Points = (0.0, 0.0, 0.0)
    tasks: tuple[int, ...] = ()  # positions of the tasks its schedule impact lands on
    opportunity: bool = False


@dataclass(frozen=True, slots=True)
class Simulation:
    """What the iterations gave, one value per iteration or per task / risk."""

    finish: FloatArray  # finish boundary of each iteration (working-day index, real)
    finish_day: IntArray  # index of the last working day of each iteration
    cost: FloatArray
    criticality: FloatArray  # per task: share of the iterations in which it was critical
    task_correlation: FloatArray  # per task, with the finish boundary
    risk_correlation: FloatArray  # per risk, with the finish boundary
    risk_occurrence: FloatArray  # per risk: share of the iterations in which it occurred


@dataclass(frozen=True, slots=True)
class Schedule:
    """One deterministic pass, by task position."""

    early_start: FloatArray
    early_finish: FloatArray
    late_start: FloatArray
    late_finish: FloatArray
    total_float: FloatArray
    critical: BoolArray
    finish: float
    finish_day: int


def triangular(uniform: FloatArray, low: FloatArray, mode: FloatArray, high: FloatArray) -> FloatArray:
    """Triangular samples by the inverse distribution function; ``low == high`` gives ``low`` exactly.

    ``uniform`` has shape (points, iterations); the points are columns of shape (points, 1).
    """
    width = high - low
    below = mode - low
    split = np.divide(below, width, out=np.zeros_like(width), where=width > 0)
    rising = uniform < split
    # One square root per sample: of u·w·(c - a) on the rising side, of (1 - u)·w·(b - c) on the falling one.
    root = np.where(rising, uniform, 1.0 - uniform)
    root *= np.where(rising, width * below, width * (high - mode))
    np.sqrt(root, out=root)
    return np.where(rising, low + root, high - root)


class Network:
    """Tasks in topological order with their links, ready for the passes."""

    def __init__(self, tasks: Sequence[Task], links: Sequence[Link], *, earliest: int = 0) -> None:
        count = len(tasks)
        for link in links:
            if not (0 <= link.predecessor < count and 0 <= link.successor < count):
                raise NetworkError(f"A link refers to a task position out of range: {link}.")
            if link.type not in FROM_FINISH:
                raise NetworkError(f"Unknown dependency type {link.type!r}.")
        for i, task in enumerate(tasks):
            for name, points in (("duration", task.duration), ("cost", task.cost)):
                if not points[0] <= points[1] <= points[2]:
                    raise NetworkError(f"Task {i}: {name} points out of order {points}.")
            if task.duration[0] < 0:
                raise NetworkError(f"Task {i}: negative duration.")
        self.size = count
        self.order = _topological_order(count, links)
        self.earliest = max(earliest, 0)
        self.predecessors: list[list[tuple[int, bool, bool, int]]] = [[] for _ in range(count)]
        self.successors: list[list[tuple[int, bool, bool, int]]] = [[] for _ in range(count)]
        for link in links:
            from_finish, to_finish = FROM_FINISH[link.type], TO_FINISH[link.type]
            self.predecessors[link.successor].append((link.predecessor, from_finish, to_finish, link.lag))
            self.successors[link.predecessor].append((link.successor, from_finish, to_finish, link.lag))

        def column(values: list[float]) -> FloatArray:
            return np.asarray(values, dtype=np.float64).reshape(count, 1)

        self.low = column([task.duration[0] for task in tasks])
        self.mode = column([task.duration[1] for task in tasks])
        self.high = column([task.duration[2] for task in tasks])
        self.offset = column([task.duration_offset for task in tasks])
        self.scale = column([task.duration_scale for task in tasks])
        self.cost_low = column([task.cost[0] for task in tasks])
        self.cost_mode = column([task.cost[1] for task in tasks])
        self.cost_high = column([task.cost[2] for task in tasks])
        self.cost_offset = column([task.cost_offset for task in tasks])
        self.cost_scale = column([task.cost_scale for task in tasks])
        self.fixed_start: list[int | None] = [task.fixed_start for task in tasks]
        self.delayable = np.asarray([task.delayable for task in tasks], dtype=bool)
        self.varies = (self.high > self.low).ravel()

    def durations(self, samples: FloatArray) -> FloatArray:
        return self.offset + self.scale * samples

    def forward(self, duration: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Early start and early finish boundary of every task (rows) in every iteration (columns)."""
        early_start = np.empty_like(duration)
        early_finish = np.empty_like(duration)
        for s in self.order:
            fixed = self.fixed_start[s]
            start = early_start[s]
            if fixed is not None:
                start.fill(fixed)
            else:
                start.fill(self.earliest)
                for p, from_finish, to_finish, lag in self.predecessors[s]:
                    bound = (early_finish[p] if from_finish else early_start[p]) + lag
                    if to_finish:
                        bound -= duration[s]
                    np.maximum(start, bound, out=start)
            np.add(start, duration[s], out=early_finish[s])
        return early_start, early_finish

    def backward(self, duration: FloatArray, finish: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Late start and late finish boundary, the project finishing at ``finish`` (one per iteration)."""
        late_start = np.empty_like(duration)
        late_finish = np.empty_like(duration)
        for p in reversed(self.order):
            bound_all = late_finish[p]
            bound_all[...] = finish
            for s, from_finish, to_finish, lag in self.successors[p]:
                bound = (late_finish[s] if to_finish else late_start[s]) - lag
                if not from_finish:
                    bound += duration[p]
                np.minimum(bound_all, bound, out=bound_all)
            np.subtract(bound_all, duration[p], out=late_start[p])
        return late_start, late_finish

    def finish_days(self, early_start: FloatArray, early_finish: FloatArray) -> IntArray:
        """Index of the last working day of each iteration: the latest last day of its tasks."""
        if self.size == 0:
            return np.zeros(early_start.shape[1], dtype=np.int64)
        last = np.maximum(np.ceil(early_finish - TOLERANCE) - 1, np.floor(early_start + TOLERANCE))
        return last.max(axis=0).astype(np.int64)

    def schedule(self) -> Schedule:
        """The network with every task at its likely values and no risk events."""
        duration = self.durations(self.mode)
        early_start, early_finish = self.forward(duration)
        finish = early_finish.max(axis=0) if self.size else np.zeros(1)
        late_start, late_finish = self.backward(duration, finish)
        total_float = late_start - early_start
        return Schedule(
            early_start=early_start[:, 0],
            early_finish=early_finish[:, 0],
            late_start=late_start[:, 0],
            late_finish=late_finish[:, 0],
            total_float=total_float[:, 0],
            critical=total_float[:, 0] <= TOLERANCE,
            finish=float(finish[0]),
            finish_day=int(self.finish_days(early_start, early_finish)[0]),
        )


def simulate(
    network: Network,
    risks: Sequence[RiskEvent] = (),
    *,
    iterations: int,
    seed: int | None,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[int, int], None] | None = None,
) -> Simulation:
    """Run ``iterations`` iterations, ``chunk`` at a time; ``progress(done, iterations)`` after each chunk."""
    if iterations < 1:
        raise ValueError("At least one iteration.")
    rng = np.random.default_rng(seed)
    n, r = network.size, len(risks)
    probability = np.asarray([risk.probability for risk in risks], dtype=np.float64).reshape(r, 1)
    days = [np.asarray([risk.days[k] for risk in risks], dtype=np.float64).reshape(r, 1) for k in range(3)]
    risk_cost = [np.asarray([risk.cost[k] for risk in risks], dtype=np.float64).reshape(r, 1) for k in range(3)]
    sign = np.asarray([-1.0 if risk.opportunity else 1.0 for risk in risks]).reshape(r, 1)
    has_days = (days[2] > 0).ravel()
    # Where each risk's days land: (risk, task) pairs over the tasks risk events may lengthen.
    pairs = [(j, t) for j, risk in enumerate(risks) for t in sorted(set(risk.tasks)) if network.delayable[t]]
    pair_risk = np.asarray([j for j, _ in pairs], dtype=np.int64)
    pair_task = np.asarray([t for _, t in pairs], dtype=np.int64)

    finish = np.empty(iterations)
    finish_day = np.empty(iterations, dtype=np.int64)
    cost = np.empty(iterations)
    critical_count = np.zeros(n, dtype=np.int64)
    occurred_count = np.zeros(r, dtype=np.int64)
    # Running sums for the correlations, of values shifted by their likely value for precision.
    deterministic = network.schedule().finish
    task_sums = _Moments(n)
    risk_sums = _Moments(r)
    finish_sums = _Moments(1)

    done = 0
    while done < iterations:
        width = min(chunk, iterations - done)
        samples = triangular(rng.random((n, width)), network.low, network.mode, network.high)
        duration = network.durations(samples)
        task_cost = network.cost_offset + network.cost_scale * triangular(
            rng.random((n, width)), network.cost_low, network.cost_mode, network.cost_high
        )
        iteration_cost = task_cost.sum(axis=0)
        if r:
            occurs = rng.random((r, width)) < probability
            impact_days = triangular(rng.random((r, width)), *days) * occurs
            impact_cost = triangular(rng.random((r, width)), *risk_cost) * occurs
            occurred_count += occurs.sum(axis=1)
            iteration_cost += (sign * impact_cost).sum(axis=0)
            if len(pairs):
                np.add.at(duration, pair_task, (sign * impact_days)[pair_risk])
                np.maximum(duration, 0.0, out=duration)
            risk_driver = np.where(has_days[:, None], impact_days, occurs.astype(np.float64))
        early_start, early_finish = network.forward(duration)
        chunk_finish = early_finish.max(axis=0) if n else np.zeros(width)
        late_start, _late_finish = network.backward(duration, chunk_finish)
        critical_count += (late_start - early_start <= TOLERANCE).sum(axis=1)

        span = slice(done, done + width)
        finish[span] = chunk_finish
        finish_day[span] = network.finish_days(early_start, early_finish)
        cost[span] = iteration_cost
        shifted_finish = (chunk_finish - deterministic).reshape(1, width)
        finish_sums.add(shifted_finish, shifted_finish)
        task_sums.add(samples - network.mode, shifted_finish)
        if r:
            risk_sums.add(risk_driver, shifted_finish)
        done += width
        if progress is not None:
            progress(done, iterations)

    return Simulation(
        finish=finish,
        finish_day=finish_day,
        cost=cost,
        criticality=critical_count / iterations,
        task_correlation=task_sums.correlation(finish_sums, iterations),
        risk_correlation=risk_sums.correlation(finish_sums, iterations),
        risk_occurrence=occurred_count / iterations,
    )


@dataclass(slots=True)
class _Moments:
    """Running sums of x, x², and x·y over the iterations, per row."""

    rows: int
    sum_x: FloatArray = field(init=False)
    sum_xx: FloatArray = field(init=False)
    sum_xy: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        self.sum_x = np.zeros(self.rows)
        self.sum_xx = np.zeros(self.rows)
        self.sum_xy = np.zeros(self.rows)

    def add(self, x: FloatArray, y: FloatArray) -> None:
        self.sum_x += x.sum(axis=1)
        self.sum_xx += np.einsum("ij,ij->i", x, x)
        self.sum_xy += x @ y.ravel()

    def correlation(self, other: _Moments, count: int) -> FloatArray:
        """Pearson correlation of each row with the single row of ``other``; 0 where either does not vary."""
        mean_x = self.sum_x / count
        mean_y = other.sum_x[0] / count
        covariance = self.sum_xy / count - mean_x * mean_y
        variance_x = np.maximum(self.sum_xx / count - mean_x**2, 0.0)
        variance_y = max(other.sum_xx[0] / count - mean_y**2, 0.0)
        scale = np.sqrt(variance_x * variance_y)
        # Variances below the rounding noise of the sums are no variation at all.
        noise = 1e-12 * (1.0 + self.sum_xx / count) * (1.0 + other.sum_xx[0] / count)
        return np.divide(covariance, scale, out=np.zeros(self.rows), where=scale > np.sqrt(noise))


def _topological_order(count: int, links: Sequence[Link]) -> list[int]:
    """Kahn's algorithm over positions; a cycle is refused."""
    successors: list[list[int]] = [[] for _ in range(count)]
    waiting_on = [0] * count
    for link in links:
        successors[link.predecessor].append(link.successor)
        waiting_on[link.successor] += 1
    ready = deque(i for i in range(count) if waiting_on[i] == 0)
    order: list[int] = []
    while ready:
        p = ready.popleft()
        order.append(p)
        for s in successors[p]:
            waiting_on[s] -= 1
            if waiting_on[s] == 0:
                ready.append(s)
    if len(order) < count:
        raise NetworkError("The dependencies form a cycle.")
    return order


# Dated inputs: the project's tasks as the scheduling service reads them, with their three points.


@dataclass(frozen=True, slots=True)
class PlannedTask:
    id: int
    duration: int  # planned, working days
    duration_points: Points
    cost_points: Points = (0.0, 0.0, 0.0)
    actual_start: date | None = None
    actual_finish: date | None = None
    percent_complete: Decimal = Decimal("0")


@dataclass(frozen=True, slots=True)
class PlannedLink:
    predecessor_id: int
    successor_id: int
    type: str = "FS"
    lag: int = 0


@dataclass(frozen=True, slots=True)
class PlannedRisk:
    id: int
    probability: float  # 0..1
    days: Points = (0.0, 0.0, 0.0)
    cost: Points = (0.0, 0.0, 0.0)
    task_ids: tuple[int, ...] = ()
    opportunity: bool = False


@dataclass(frozen=True)
class DatedNetwork:
    """A project's network in index form, with what turns indices back into dates."""

    network: Network
    risks: list[RiskEvent]
    task_ids: list[int]  # by position
    calendar: WorkCalendar
    project_start: date
    # The latest actual finish of a finished task: reported as its own date even off the calendar.
    finished_by: date | None

    def day_at(self, index: int) -> date:
        return self.calendar.day_at(index, self.project_start)

    def finish_date(self, finish_day: int) -> date:
        day = self.day_at(finish_day)
        return max(day, self.finished_by) if self.finished_by is not None else day

    def index_of(self, day: date) -> int:
        return self.calendar.index_of(day, self.project_start)


def dated_network(
    tasks: Sequence[PlannedTask],
    links: Sequence[PlannedLink],
    calendar: WorkCalendar,
    project_start: date,
    *,
    data_date: date | None = None,
    risks: Sequence[PlannedRisk] = (),
) -> DatedNetwork:
    """The index form of a project's tasks, by the rules of ``projects.scheduling.compute_schedule``.

    A task with an actual start keeps it (unless it is a milestone reported started but not finished
    under a data date); a finished one keeps its actual span and cost; a started one's remaining work
    runs from the data date (see the module docstring). Risk links to unknown tasks are ignored.
    """
    position: dict[int, int] = {}
    for task in tasks:
        if task.id in position:
            raise NetworkError(f"Task id {task.id} appears more than once.")
        position[task.id] = len(position)
    data_index = calendar.index_of(data_date, project_start) if data_date is not None else None
    indexed: list[Task] = []
    finished_by: date | None = None
    for task in tasks:
        keeps_start = task.actual_start is not None and (
            task.actual_finish is not None or task.duration > 0 or data_index is None
        )
        if not keeps_start or task.actual_start is None:
            indexed.append(Task(duration=task.duration_points, cost=task.cost_points))
            continue
        start = calendar.index_of(task.actual_start, project_start)
        done = float(task.percent_complete) / 100.0
        if task.actual_finish is not None:
            span = float(calendar.index_of(task.actual_finish + _ONE_DAY, project_start) - start)
            likely_cost = task.cost_points[1]
            indexed.append(
                Task(
                    duration=(span, span, span),
                    cost=(likely_cost, likely_cost, likely_cost),
                    fixed_start=start,
                    delayable=False,
                )
            )
            finished_by = task.actual_finish if finished_by is None else max(finished_by, task.actual_finish)
            continue
        cost_offset, cost_scale = task.cost_points[1] * done, 1.0 - done
        if data_index is None:
            indexed.append(
                Task(
                    duration=task.duration_points,
                    cost=task.cost_points,
                    fixed_start=start,
                    cost_offset=cost_offset,
                    cost_scale=cost_scale,
                )
            )
            continue
        remaining = remaining_duration(task.duration, task.percent_complete)
        if not remaining:
            # Done by percentage without an actual finish: it keeps its planned span.
            planned = float(task.duration)
            indexed.append(
                Task(
                    duration=(planned, planned, planned),
                    cost=(task.cost_points[1],) * 3,
                    fixed_start=start,
                    delayable=False,
                )
            )
            continue
        indexed.append(
            Task(
                duration=task.duration_points,
                cost=task.cost_points,
                fixed_start=start,
                duration_offset=float(max(data_index, start) - start),
                duration_scale=remaining / task.duration,
                cost_offset=cost_offset,
                cost_scale=cost_scale,
            )
        )
    unknown = sorted(
        {task_id for link in links for task_id in (link.predecessor_id, link.successor_id) if task_id not in position}
    )
    if unknown:
        raise NetworkError(f"Dependencies refer to unknown task ids: {', '.join(map(str, unknown))}.")
    network = Network(
        indexed,
        [Link(position[link.predecessor_id], position[link.successor_id], link.type, link.lag) for link in links],
        earliest=data_index or 0,
    )
    events = [
        RiskEvent(
            probability=risk.probability,
            days=risk.days,
            cost=risk.cost,
            tasks=tuple(position[task_id] for task_id in risk.task_ids if task_id in position),
            opportunity=risk.opportunity,
        )
        for risk in risks
    ]
    return DatedNetwork(
        network=network,
        risks=events,
        task_ids=[task.id for task in tasks],
        calendar=calendar,
        project_start=project_start,
        finished_by=finished_by,
    )


def percentile_days(finish_day: IntArray, percents: Sequence[int]) -> dict[int, int]:
    """The working-day index by which ``p`` per cent of the iterations have finished (inverted CDF)."""
    ordered = np.sort(finish_day)
    count = len(ordered)
    return {p: int(ordered[max(0, math.ceil(p * count / 100) - 1)]) for p in percents}


def percentile_values(values: FloatArray, percents: Sequence[int]) -> dict[int, float]:
    """The value not exceeded by ``p`` per cent of the iterations (inverted CDF, no interpolation)."""
    ordered = np.sort(values)
    count = len(ordered)
    return {p: float(ordered[max(0, math.ceil(p * count / 100) - 1)]) for p in percents}


def share_at_most(values: FloatArray | IntArray, limit: float) -> float:
    """Share of the iterations whose value is at most ``limit``."""
    if len(values) == 0:
        return 0.0
    return float(np.count_nonzero(values <= limit) / len(values))
