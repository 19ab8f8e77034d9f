"""Leveling proposals: compute one over a set of projects, apply it through the schedule service, or discard it.

:func:`leveling_compute` reads the plans (tasks, dependencies, assignments), the resources'
capacity and the load other projects put on them in a fixed number of queries, runs the pure
engine (``resources.leveling``) and keeps the proposal as a ``LevelingRun`` with a fingerprint of
the plan it read. :func:`leveling_apply` reads the plan again under the projects' locks: if it
changed, the run is marked out of date and refused; else each project's new leveling delays go
through ``projects.services.schedule.schedule_leveling_delays_set``, all projects in one
transaction. :func:`leveling_discard` closes a proposal unapplied. Proposals over large plans are
computed by the job ``resources.leveling_compute`` (``resources.leveling_jobs``) with the engine's
progress; :func:`leveling_check` refuses at once what the job would.

Who: ``resources.level`` — the resource office anywhere, or a project's planners (manager,
coordinator) on their project; a run over several projects needs the office or a planner's role
on each of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.audit import audit_record
from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, User
from pmo.policy import can
from pmo.tenancy import BIGINT_LIMIT
from projects.models import OPEN_PHASES, Dependency, Priority, Project, ProjectMember, WbsElement
from projects.scheduling import CycleError, DependencyInput, DependencyType, ScheduleOutOfRangeError
from projects.services.locks import lock_project
from projects.services.schedule import schedule_data_date, schedule_leveling_delays_set
from resources.leveling import (
    Demand,
    LevelingInput,
    LevelingProject,
    LevelingResult,
    LevelingTask,
    Progress,
    level,
    result_as_json,
)
from resources.models import TIMED_KINDS, Assignment, AssignmentMode, LevelingRun, LevelingStatus, Resource
from resources.permissions import ResourceAction
from resources.selectors import assignment_loads, organization_calendars, resource_calendars

#: The longest period one run levels (days).
MAX_PERIOD_DAYS = 3 * 366
#: Over-allocations kept in a run's result, before and after (the counts are always kept).
MAX_LISTED = 1000
#: The most projects one run levels.
MAX_PROJECTS = 50
PRIORITY_RANK = {Priority.LOW: 0, Priority.MEDIUM: 1, Priority.HIGH: 2, Priority.CRITICAL: 3}
DECIDABLE = (LevelingStatus.PROPOSED,)


def _error(
    message: str, *, code: str = "invalid", field: str | None = None, status_code: int = 400
) -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]} if field else None, status_code=status_code)


# --- who ----------------------------------------------------------------------------------------


def may_level(membership: Membership | None, project_roles: dict[int, str | None], project_ids: Iterable[int]) -> bool:
    """The resource office anywhere; otherwise a planner's role on every one of the projects."""
    if membership is None:
        return False
    if can(membership, ResourceAction.LEVEL):
        return True
    ids = list(project_ids)
    return bool(ids) and all(can(membership, ResourceAction.LEVEL, project_roles.get(pk)) for pk in ids)


def project_roles(organization: Organization | int, user: User, project_ids: Iterable[int]) -> dict[int, str | None]:
    """The user's role on each of the projects (one query)."""
    return dict(
        ProjectMember.objects.for_organization(organization)
        .filter(user=user, project_id__in=list(project_ids))
        .order_by()
        .values_list("project_id", "role")
    )


def may_level_any(membership: Membership) -> bool:
    """The resource office, or a planner of some project: who may ask for a proposal at all (one query at most)."""
    if can(membership, ResourceAction.LEVEL):
        return True
    roles = (
        ProjectMember.objects.for_organization(membership.organization_id)
        .filter(user_id=membership.user_id)
        .order_by()
        .values_list("role", flat=True)
        .distinct()
    )
    return any(can(membership, ResourceAction.LEVEL, role) for role in roles)


def levelable_projects(organization: Organization, user: User) -> list[Project]:
    """The open projects the user may level, by code (two or three queries)."""
    membership = Membership.objects.for_organization(organization).filter(user=user).first()
    if membership is None:
        return []
    projects = Project.objects.for_organization(organization).filter(phase__in=list(OPEN_PHASES)).order_by("code")
    if can(membership, ResourceAction.LEVEL):
        return list(projects)
    roles = project_roles(organization, user, projects.values_list("pk", flat=True))
    return [
        project
        for project in projects.filter(pk__in=list(roles))
        if can(membership, ResourceAction.LEVEL, roles[project.pk])
    ]


def _check_may_level(organization: Organization, actor: User, project_ids: Sequence[int]) -> None:
    membership = Membership.objects.for_organization(organization).filter(user=actor).first()
    if membership is not None and can(membership, ResourceAction.LEVEL):
        return
    if not may_level(membership, project_roles(organization, actor, project_ids), project_ids):
        raise _error(
            _("Leveling needs the resource office, or a project manager's or coordinator's role on every project."),
            code="permission_denied",
            status_code=403,
        )


# --- reading the plan -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """What a run reads of the projects, as values."""

    projects: list[Project]
    elements: list[dict[str, Any]]
    links: list[tuple[int, int, str, int]]
    assignments: list[dict[str, Any]]
    data_dates: dict[int, dt.date | None]

    def fingerprint(self) -> str:
        """A hash of the plan inputs the proposal depends on: dates, durations, delays, progress, links, assignments."""
        payload = {
            "projects": [
                [project.pk, project.planned_start, project.calendar_id, project.phase, project.priority]
                for project in self.projects
            ],
            "data_dates": sorted(self.data_dates.items()),
            "tasks": [
                [row[column] for column in ELEMENT_COLUMNS] for row in sorted(self.elements, key=lambda row: row["pk"])
            ],
            "links": sorted(self.links),
            "assignments": [
                [row[column] for column in ASSIGNMENT_COLUMNS]
                for row in sorted(self.assignments, key=lambda row: row["pk"])
            ],
        }
        text = json.dumps(payload, default=str, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


ELEMENT_COLUMNS = (
    "pk",
    "project_id",
    "code",
    "name",
    "sort_key",
    "kind",
    "duration",
    "actual_start",
    "actual_finish",
    "percent_complete",
    "leveling_delay",
    "constraint_type",
    "constraint_date",
    "planned_start",
    "planned_finish",
)
ASSIGNMENT_COLUMNS = ("pk", "project_id", "task_id", "resource_id", "mode", "units", "work", "resource__hours_per_day")


def _read_plan(organization: Organization, projects: list[Project]) -> _Plan:
    """The leaves, links and timed assignments of the projects: three queries."""
    ids = [project.pk for project in projects]
    elements = list(
        WbsElement.objects.for_organization(organization)
        .filter(project_id__in=ids)
        .exclude(kind=WbsElement.Kind.SUMMARY)
        .order_by("project_id", "sort_key", "pk")
        .values(*ELEMENT_COLUMNS)
    )
    links = [
        (predecessor, successor, kind, lag)
        for predecessor, successor, kind, lag in Dependency.objects.for_organization(organization)
        .filter(project_id__in=ids)
        .order_by("pk")
        .values_list("predecessor_id", "successor_id", "type", "lag")
    ]
    assignments = list(
        Assignment.objects.for_organization(organization)
        .filter(project_id__in=ids, resource__kind__in=list(TIMED_KINDS))
        .order_by("pk")
        .values(*ASSIGNMENT_COLUMNS)
    )
    return _Plan(
        projects, elements, links, assignments, {project.pk: schedule_data_date(project) for project in projects}
    )


def _projects(organization: Organization, projects: Iterable[Project | int], *, lock: bool = False) -> list[Project]:
    """The projects named, of the organisation and open, by id; another organisation's are not found."""
    ids = sorted({project.pk if isinstance(project, Project) else int(project) for project in projects})
    if not ids:
        raise _error(_("Choose at least one project to level."), field="projects")
    if any(not 0 < pk < BIGINT_LIMIT for pk in ids):
        raise _error(_("Some of these projects were not found."), code="not_found", field="projects")
    if len(ids) > MAX_PROJECTS:
        raise _error(_("Level at most %(count)d projects at a time.") % {"count": MAX_PROJECTS}, field="projects")
    if lock:
        try:
            found = [lock_project(pk, organization.pk) for pk in ids]
        except Project.DoesNotExist:
            found = []
    else:
        found = list(Project.objects.for_organization(organization).filter(pk__in=ids).order_by("pk"))
    if len(found) != len(ids):
        raise _error(_("Some of these projects were not found."), code="not_found", field="projects")
    for project in found:
        project.organization = organization
    closed = [project.code for project in found if not project.is_open]
    if closed:
        raise _error(
            _("Closed and cancelled projects are not leveled: %(codes)s.") % {"codes": ", ".join(closed)},
            code="project_closed",
            field="projects",
        )
    return found


# --- the engine's input ---------------------------------------------------------------------------


def _problem(
    organization: Organization, plan: _Plan, *, start: dt.date, finish: dt.date, allow_beyond_float: bool
) -> tuple[LevelingInput, dict[int, Resource]]:
    """The engine's input: the plan, the resources' capacity and the other projects' load (five queries)."""
    calendars = organization_calendars(organization)
    demands: dict[int, list[Demand]] = {}
    for row in plan.assignments:
        if row["mode"] == AssignmentMode.WORK:
            demand = Demand(row["resource_id"], work=float(row["work"]))
        else:
            demand = Demand(
                row["resource_id"], hours_per_day=float(row["units"]) / 100.0 * float(row["resource__hours_per_day"])
            )
        demands.setdefault(row["task_id"], []).append(demand)
    resource_ids = sorted({row["resource_id"] for row in plan.assignments})
    leveled = {project.pk for project in plan.projects}
    fixed: dict[int, dict[dt.date, float]] = {}
    if resource_ids:
        for resource_id, rows in assignment_loads(
            organization, start=start, finish=finish, resource_ids=resource_ids, calendars=calendars
        ).items():
            for load in rows:
                if load.project_id in leveled:
                    continue
                daily = fixed.setdefault(resource_id, {})
                for day, hours in load.daily.items():
                    daily[day] = daily.get(day, 0.0) + hours
    capacities = (
        resource_calendars(organization, resource_ids, start=start, finish=finish, calendars=calendars)
        if resource_ids
        else {}
    )
    resources = {
        resource.pk: resource
        for resource in Resource.objects.for_organization(organization)
        .filter(pk__in=resource_ids)
        .only("pk", "code", "name")
    }
    tasks: dict[int, list[LevelingTask]] = {project.pk: [] for project in plan.projects}
    for row in plan.elements:
        tasks[row["project_id"]].append(
            LevelingTask(
                id=row["pk"],
                duration=row["duration"],
                actual_start=row["actual_start"],
                actual_finish=row["actual_finish"],
                percent_complete=row["percent_complete"],
                delay=row["leveling_delay"],
                constraint=row["constraint_type"],
                constraint_date=row["constraint_date"],
                sort_key=row["sort_key"],
                name=f"{row['code']} {row['name']}",
                demands=tuple(demands.get(row["pk"], ())),
            )
        )
    links: dict[int, list[DependencyInput]] = {project.pk: [] for project in plan.projects}
    project_of = {row["pk"]: row["project_id"] for row in plan.elements}
    for predecessor, successor, kind, lag in plan.links:
        if predecessor in project_of and successor in project_of:
            links[project_of[successor]].append(DependencyInput(predecessor, successor, DependencyType(kind), lag))
    problem = LevelingInput(
        projects=tuple(
            LevelingProject(
                id=project.pk,
                start=project.planned_start,
                calendar=calendars.for_project(project.calendar_id),
                tasks=tuple(tasks[project.pk]),
                dependencies=tuple(links[project.pk]),
                priority=PRIORITY_RANK.get(project.priority, 1),  # type: ignore[call-overload]
                data_date=plan.data_dates[project.pk],
                latest=organization.latest_date,
            )
            for project in plan.projects
        ),
        resources={pk: capacities[pk] for pk in resource_ids if pk in capacities},
        start=start,
        finish=finish,
        fixed_load=fixed,
        allow_beyond_float=allow_beyond_float,
    )
    return problem, resources


def _run_engine(problem: LevelingInput, progress: Progress | None = None) -> LevelingResult:
    try:
        return level(problem, progress)
    except CycleError as error:
        raise _error(str(error), code="cycle") from error
    except ScheduleOutOfRangeError as error:
        raise _error(
            _("The schedule would run past %(latest)s, the latest date the organisation accepts: %(tasks)s.")
            % {"latest": error.latest.isoformat(), "tasks": ", ".join(error.labels[:5])},
            code="schedule_out_of_range",
        ) from error


def _described(result: LevelingResult, plan: _Plan, resources: dict[int, Resource]) -> dict[str, Any]:
    """The engine's result with the names a preview shows, and counts that stay when lists are cut."""
    body = result_as_json(result)
    elements = {row["pk"]: row for row in plan.elements}
    projects = {project.pk: project for project in plan.projects}
    for move in body["moves"]:
        element = elements[move["task"]]
        move["code"], move["name"] = element["code"], element["name"]
        move["project_code"] = projects[move["project"]].code
    for finish in body["projects"]:
        project = projects[finish["project"]]
        finish["code"], finish["name"] = project.code, project.name
    for key in ("before", "after"):
        rows = body[key]
        body[f"{key}_count"] = len(rows)
        body[f"{key}_resources"] = _by_resource(rows, resources)
        body[key] = rows[:MAX_LISTED]
        for row in body[key]:
            resource = resources.get(row["resource"])
            row["resource_code"] = resource.code if resource else ""
            row["resource_name"] = resource.name if resource else ""
    body["delayed_count"] = sum(1 for move in body["moves"] if move["added_delay"])
    return body


def _by_resource(rows: list[dict[str, Any]], resources: dict[int, Resource]) -> list[dict[str, Any]]:
    """Over-allocations summed up by resource: days over, first and last day, highest load against capacity."""
    summary: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = summary.get(row["resource"])
        if entry is None:
            resource = resources.get(row["resource"])
            entry = summary[row["resource"]] = {
                "resource": row["resource"],
                "resource_code": resource.code if resource else "",
                "resource_name": resource.name if resource else "",
                "days": 0,
                "first": row["day"],
                "last": row["day"],
                "peak_load": row["load"],
                "capacity": row["capacity"],
            }
        entry["days"] += 1
        entry["last"] = max(entry["last"], row["day"])
        if row["load"] > entry["peak_load"]:
            entry["peak_load"], entry["capacity"] = row["load"], row["capacity"]
    return [summary[key] for key in sorted(summary)]


# --- the services ---------------------------------------------------------------------------------


def _check_period(organization: Organization, start: dt.date, finish: dt.date) -> None:
    window = organization.date_window
    for field, day in (("start", start), ("finish", finish)):
        if not window.contains(day):
            raise _error(window.message(), code="date_out_of_range", field=field)
    if finish < start:
        raise _error(_("The period ends before it starts."), field="finish")
    if (finish - start).days > MAX_PERIOD_DAYS:
        raise _error(_("Level at most three years at a time."), field="finish")


def leveling_check(
    *, actor: User, organization: Organization, projects: Iterable[Project | int], start: dt.date, finish: dt.date
) -> list[Project]:
    """What a computation is refused for (the period, the projects, who may level them), checked
    before it is queued as a job; the job checks again. The projects chosen, by id."""
    _check_period(organization, start, finish)
    chosen = _projects(organization, projects)
    _check_may_level(organization, actor, [project.pk for project in chosen])
    return chosen


def leveling_compute(
    *,
    actor: User,
    organization: Organization,
    projects: Iterable[Project | int],
    start: dt.date,
    finish: dt.date,
    allow_beyond_float: bool = False,
    progress: Progress | None = None,
) -> LevelingRun:
    """Compute a leveling proposal over the projects for the period and keep it, proposed, with its fingerprint.

    ``progress(done, total)`` follows the engine (a job's bar). The plan is read and leveled outside
    a transaction: each read is one statement either way, the fingerprint guards the apply, and a
    long computation then holds no transaction open while a job's progress is written at once. The
    run and its audit event are written in one.
    """
    chosen = leveling_check(actor=actor, organization=organization, projects=projects, start=start, finish=finish)
    plan = _read_plan(organization, chosen)
    problem, resources = _problem(organization, plan, start=start, finish=finish, allow_beyond_float=allow_beyond_float)
    result = _run_engine(problem, progress)
    with transaction.atomic():
        run = LevelingRun.objects.create(
            organization=organization,
            projects=[project.pk for project in chosen],
            allow_beyond_float=allow_beyond_float,
            start=start,
            finish=finish,
            result=_described(result, plan, resources),
            fingerprint=plan.fingerprint(),
            created_by=actor,
        )
        audit_record(
            organization=organization,
            actor=actor,
            action="leveling.computed",
            target=run,
            changes={
                "projects": [None, run.projects],
                "period": [None, [start.isoformat(), finish.isoformat()]],
                "allow_beyond_float": [None, allow_beyond_float],
                "moves": [None, len(result.moves)],
                "over_allocations": [len(result.before), len(result.after)],
            },
        )
    return run


def _locked_run(run: LevelingRun) -> LevelingRun:
    return LevelingRun.objects.for_organization(run.organization_id).select_for_update().get(pk=run.pk)


def leveling_apply(*, actor: User, run: LevelingRun) -> LevelingRun:
    """Apply a proposal: every project's new leveling delays through the schedule service, as one change.

    Refused, and the run marked out of date, when the plan changed since it was computed; nothing
    else changes then.
    """
    run, stale = _apply(actor=actor, run=run)
    if stale:
        raise _error(
            _(
                "The plan changed since this proposal was computed (dates, durations, progress, links or "
                "assignments): it is out of date and was not applied. Compute a new one."
            ),
            code="stale",
        )
    return run


@transaction.atomic
def _apply(*, actor: User, run: LevelingRun) -> tuple[LevelingRun, bool]:
    organization = Organization.objects.get(pk=run.organization_id)
    _check_may_level(organization, actor, run.projects)
    # The projects' locks first, as every plan change takes them, then the run's.
    projects = _projects(organization, run.projects, lock=True)
    run = _locked_run(run)
    if run.status not in DECIDABLE:
        raise _error(_("Only a proposed leveling can be applied."), code="not_proposed")
    plan = _read_plan(organization, projects)
    if plan.fingerprint() != run.fingerprint:
        run.status = LevelingStatus.STALE
        run.save(update_fields=["status"])
        audit_record(organization=organization, actor=actor, action="leveling.stale", target=run, changes={})
        return run, True
    delays: dict[int, dict[int, int]] = {}
    for move in run.result.get("moves", []):
        if move["added_delay"]:
            delays.setdefault(move["project"], {})[move["task"]] = move["delay"]
    finishes = {}
    for project in projects:
        if project.pk not in delays:
            continue
        before = project.scheduled_finish
        updated = schedule_leveling_delays_set(
            actor=actor,
            project=project,
            delays=delays[project.pk],
            reason=_("Resource leveling"),
            source=f"leveling run {run.pk}",
        )
        finishes[str(project.pk)] = [
            before.isoformat() if before else None,
            updated.scheduled_finish.isoformat() if updated.scheduled_finish else None,
        ]
    run.status = LevelingStatus.APPLIED
    run.decided_by = actor
    run.decided_at = timezone.now()
    run.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        organization=organization,
        actor=actor,
        action="leveling.applied",
        target=run,
        changes={
            "status": [LevelingStatus.PROPOSED, LevelingStatus.APPLIED],
            "delays": [
                None,
                {
                    str(pk): {str(task): days for task, days in sorted(tasks.items())}
                    for pk, tasks in sorted(delays.items())
                },
            ],
            "finishes": finishes,
        },
    )
    return run, False


@transaction.atomic
def leveling_discard(*, actor: User, run: LevelingRun) -> LevelingRun:
    """Close a proposal (or an out-of-date one) without applying it."""
    organization = Organization.objects.get(pk=run.organization_id)
    _check_may_level(organization, actor, run.projects)
    run = _locked_run(run)
    if run.status not in (LevelingStatus.PROPOSED, LevelingStatus.STALE):
        raise _error(_("Only a proposed or out-of-date leveling can be discarded."), code="not_proposed")
    before = run.status
    run.status = LevelingStatus.DISCARDED
    run.decided_by = actor
    run.decided_at = timezone.now()
    run.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        organization=organization,
        actor=actor,
        action="leveling.discarded",
        target=run,
        changes={"status": [before, LevelingStatus.DISCARDED]},
    )
    return run
