"""Writes to a project's plan: WBS, dependencies, the schedule, baselines and progress."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import User
from projects.models import (
    Baseline,
    BaselineTask,
    Dependency,
    DependencyType,
    PercentCompleteMethod,
    ProgressUpdate,
    Project,
    WbsElement,
    wbs_sort_key,
)
from projects.scheduling import CycleError, DependencyInput, TaskInput, compute_schedule, find_cycle
from projects.selectors import project_work_calendar

ELEMENT_FIELDS = ["name", "kind", "duration", "budgeted_cost", "percent_complete_method", "notes"]
SCHEDULE_FIELDS = [
    "planned_start",
    "planned_finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "is_critical",
]
HUNDRED = Decimal("100")


def _elements(project: Project) -> list[WbsElement]:
    return list(WbsElement.objects.for_organization(project.organization_id).filter(project=project))


def _lock_project(project: Project) -> Project:
    """Serialise plan changes of one project (renumbering and rescheduling read the whole tree)."""
    return Project.objects.for_organization(project.organization_id).select_for_update().get(pk=project.pk)


# --- the tree -------------------------------------------------------------------------


def renumber(project: Project, elements: list[WbsElement] | None = None) -> list[WbsElement]:
    """Give every element its WBS code (1, 1.2, 1.2.3) from the tree order; save what changed."""
    elements = elements if elements is not None else _elements(project)
    children: dict[int | None, list[WbsElement]] = defaultdict(list)
    for element in elements:
        children[element.parent_id].append(element)
    changed: list[WbsElement] = []

    def walk(parent_id: int | None, prefix: str) -> None:
        siblings = sorted(children.get(parent_id, []), key=lambda e: (e.position, e.pk))
        for index, element in enumerate(siblings, start=1):
            code = f"{prefix}{index}"
            if element.code != code or element.position != index or not element.sort_key:
                element.code, element.position, element.sort_key = code, index, wbs_sort_key(code)
                changed.append(element)
            walk(element.pk, f"{code}.")

    walk(None, "")
    WbsElement.objects.for_organization(project.organization_id).bulk_update(
        changed, ["code", "position", "sort_key"], batch_size=500
    )
    return elements


def _validate_parent(project: Project, parent: WbsElement | None, element: WbsElement | None = None) -> None:
    if parent is None:
        return
    if parent.project_id != project.pk:
        raise ApplicationError(_("The parent belongs to another project."), fields={"parent": [_("Not found.")]})
    if parent.kind == WbsElement.Kind.MILESTONE:
        raise ApplicationError(
            _("A milestone cannot have children."), fields={"parent": [_("Choose a summary element or a task.")]}
        )
    if element is not None:
        ancestor: WbsElement | None = parent
        while ancestor is not None:
            if ancestor.pk == element.pk:
                raise ApplicationError(
                    _("An element cannot be moved under itself or its own descendants."),
                    fields={"parent": [_("Choose an element outside this branch.")]},
                )
            ancestor = ancestor.parent


def _promote_to_summary(parent: WbsElement | None) -> None:
    """A task that receives children becomes a summary, if nothing of its own would be lost."""
    if parent is None or parent.kind != WbsElement.Kind.TASK:
        return
    links = Dependency.objects.for_organization(parent.organization_id).filter(
        Q(predecessor=parent) | Q(successor=parent)
    )
    if links.exists() or parent.actual_start is not None or parent.percent_complete > 0:
        raise ApplicationError(
            _("“%(task)s” has dependencies or progress of its own; remove them before giving it sub-elements.")
            % {"task": parent.name},
            code="task_in_use",
            fields={"parent": [_("Choose a summary element or an untouched task.")]},
        )
    parent.kind = WbsElement.Kind.SUMMARY
    parent.save(update_fields=["kind"])


def _clean_leaf_fields(element: WbsElement) -> None:
    if element.kind == WbsElement.Kind.MILESTONE:
        element.duration = 0
    if element.budgeted_cost < 0:
        raise ApplicationError(
            _("The budgeted cost cannot be negative."), fields={"budgeted_cost": [_("Enter zero or more.")]}
        )


@transaction.atomic
def wbs_element_create(
    *,
    actor: User,
    project: Project,
    name: str,
    parent: WbsElement | None = None,
    kind: str = WbsElement.Kind.TASK,
    duration: int = 1,
    budgeted_cost: Decimal = Decimal("0"),
    percent_complete_method: str = PercentCompleteMethod.PHYSICAL,
    position: int | None = None,
    notes: str = "",
) -> WbsElement:
    project = _lock_project(project)
    _validate_parent(project, parent)
    _promote_to_summary(parent)
    siblings = WbsElement.objects.for_organization(project.organization_id).filter(project=project, parent=parent)
    last = siblings.count()
    slot = last + 1 if position is None else min(max(1, position), last + 1)
    # Make room: siblings at or after the requested position move one down.
    siblings.filter(position__gte=slot).update(position=F("position") + 1)
    element = WbsElement(
        organization_id=project.organization_id,
        project=project,
        parent=parent,
        name=name.strip(),
        kind=kind,
        duration=duration,
        budgeted_cost=budgeted_cost,
        percent_complete_method=percent_complete_method,
        position=slot,
        notes=notes,
        code="",
    )
    _clean_leaf_fields(element)
    element.full_clean(exclude=["code"])
    element.save()
    elements = renumber(project)
    schedule_recompute(project, elements=elements)
    element.refresh_from_db()
    audit_record(
        organization=project.organization,
        actor=actor,
        action="wbs.created",
        target=element,
        changes=diff({}, snapshot(element, ["code", *ELEMENT_FIELDS])),
    )
    return element


@transaction.atomic
def wbs_element_update(*, actor: User, element: WbsElement, **fields: Any) -> WbsElement:
    project = _lock_project(element.project)
    element = WbsElement.objects.for_organization(project.organization_id).get(pk=element.pk)
    unknown = set(fields) - {*ELEMENT_FIELDS, "parent", "position"}
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    before = snapshot(element, [*ELEMENT_FIELDS, "parent_id", "position"])
    if "kind" in fields and fields["kind"] != element.kind:
        if fields["kind"] == WbsElement.Kind.SUMMARY:
            raise ApplicationError(
                _("An element becomes a summary when sub-elements are added under it."),
                fields={"kind": [_("Choose task or milestone.")]},
            )
        has_children = WbsElement.objects.for_organization(project.organization_id).filter(parent=element).exists()
        if has_children:
            raise ApplicationError(
                _("An element with children is a summary; move or delete its children first."),
                fields={"kind": [_("Keep it a summary.")]},
            )
    if "parent" in fields:
        _validate_parent(project, fields["parent"], element)
    if "parent" in fields or "position" in fields:
        parent = fields.pop("parent", element.parent)
        siblings = (
            WbsElement.objects.for_organization(project.organization_id)
            .filter(project=project, parent=parent)
            .exclude(pk=element.pk)
        )
        count = siblings.count()
        requested = fields.pop("position", None)
        slot = count + 1 if requested is None else min(max(1, requested), count + 1)
        siblings.filter(position__gte=slot).update(position=F("position") + 1)
        _promote_to_summary(parent)
        element.parent, element.position = parent, slot
    for field, value in fields.items():
        setattr(element, field, value)
    _clean_leaf_fields(element)
    element.full_clean(exclude=["code"])
    changes = diff(before, snapshot(element, [*ELEMENT_FIELDS, "parent_id", "position"]))
    if not changes:
        return element
    element.save()
    elements = renumber(project)
    schedule_recompute(project, elements=elements)
    element.refresh_from_db()
    audit_record(organization=project.organization, actor=actor, action="wbs.updated", target=element, changes=changes)
    return element


@transaction.atomic
def wbs_element_delete(*, actor: User, element: WbsElement) -> None:
    project = _lock_project(element.project)
    baselined = BaselineTask.objects.for_organization(project.organization_id).filter(task=element).exists()
    audit_record(
        organization=project.organization,
        actor=actor,
        action="wbs.deleted",
        target=element,
        changes={"code": [element.code, None], "name": [element.name, None], "baselined": [baselined, None]},
    )
    element.delete()
    elements = renumber(project)
    schedule_recompute(project, elements=elements)


# --- dependencies ---------------------------------------------------------------------


def _task_names(project: Project) -> dict[int, str]:
    return {
        pk: f"{code} {name}"
        for pk, code, name in WbsElement.objects.for_organization(project.organization_id)
        .filter(project=project)
        .values_list("pk", "code", "name")
    }


@transaction.atomic
def dependency_create(
    *,
    actor: User,
    project: Project,
    predecessor: WbsElement,
    successor: WbsElement,
    type: str = DependencyType.FS,
    lag: int = 0,
) -> Dependency:
    project = _lock_project(project)
    for field, element in (("predecessor", predecessor), ("successor", successor)):
        if element.project_id != project.pk:
            raise ApplicationError(_("The task belongs to another project."), fields={field: [_("Not found.")]})
        if not element.is_leaf:
            raise ApplicationError(
                _("Only tasks and milestones can be linked, not summary elements."),
                fields={field: [_("Choose a task or a milestone.")]},
            )
    if predecessor.pk == successor.pk:
        raise ApplicationError(_("A task cannot depend on itself."), fields={"successor": [_("Choose another task.")]})
    links = Dependency.objects.for_organization(project.organization_id).filter(project=project)
    if links.filter(predecessor=predecessor, successor=successor).exists():
        raise ApplicationError(_("These two tasks are already linked."), code="duplicate")
    existing = [DependencyInput(p, s) for p, s in links.values_list("predecessor_id", "successor_id")]
    cycle = find_cycle([], [*existing, DependencyInput(predecessor.pk, successor.pk)])
    if cycle:
        names = _task_names(project)
        raise ApplicationError(
            _("This link would create a cycle: %(cycle)s") % {"cycle": " → ".join(names.get(i, str(i)) for i in cycle)},
            code="cycle",
            fields={"predecessor": [_("Creates a cycle.")]},
        )
    dependency = Dependency(
        organization_id=project.organization_id,
        project=project,
        predecessor=predecessor,
        successor=successor,
        type=type,
        lag=lag,
    )
    dependency.full_clean()
    dependency.save()
    schedule_recompute(project)
    audit_record(
        organization=project.organization,
        actor=actor,
        action="dependency.created",
        target=dependency,
        changes={"link": [None, f"{predecessor.code} {type}{lag:+d} {successor.code}"]},
    )
    return dependency


@transaction.atomic
def dependency_update(
    *, actor: User, dependency: Dependency, type: str | None = None, lag: int | None = None
) -> Dependency:
    project = _lock_project(dependency.project)
    before = snapshot(dependency, ["type", "lag"])
    if type is not None:
        dependency.type = type
    if lag is not None:
        dependency.lag = lag
    dependency.full_clean()
    changes = diff(before, snapshot(dependency, ["type", "lag"]))
    if changes:
        dependency.save(update_fields=["type", "lag"])
        schedule_recompute(project)
        audit_record(
            organization=project.organization,
            actor=actor,
            action="dependency.updated",
            target=dependency,
            changes=changes,
        )
    return dependency


@transaction.atomic
def dependency_delete(*, actor: User, dependency: Dependency) -> None:
    project = _lock_project(dependency.project)
    audit_record(
        organization=project.organization,
        actor=actor,
        action="dependency.deleted",
        target=dependency,
        changes={"link": [str(dependency), None]},
    )
    dependency.delete()
    schedule_recompute(project)


# --- the schedule ---------------------------------------------------------------------


def schedule_recompute(project: Project, *, elements: list[WbsElement] | None = None) -> None:
    """Run the critical-path method over the project's tasks and roll dates, cost and progress up.

    Two reads (elements, dependencies) and one bulk write of what changed, whatever the size.
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
                )
                for leaf in leaves
            ],
            [DependencyInput(p, s, DependencyType(t), lag) for p, s, t, lag in links],  # type: ignore[arg-type]
            calendar,
            project.planned_start,
        )
    except CycleError as error:  # refused on entry; reaching here means data was written around the services
        raise ApplicationError(str(error), code="cycle") from error

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
    project = _lock_project(project)
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


# --- baselines ------------------------------------------------------------------------


@transaction.atomic
def baseline_create(
    *, actor: User, project: Project, name: str, make_current: bool = True, change_request: Any = None
) -> Baseline:
    """Freeze every task's scheduled start, finish, duration and budgeted cost."""
    project = _lock_project(project)
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the baseline a name."), fields={"name": [_("This field is required.")]})
    baselines = Baseline.objects.for_organization(project.organization_id).filter(project=project)
    if baselines.filter(name=name).exists():
        raise ApplicationError(
            _("The project already has a baseline with this name."), fields={"name": [_("Choose another name.")]}
        )
    elements = _elements(project)
    schedule_recompute(project, elements=elements)
    leaves = [element for element in elements if element.is_leaf]
    if not leaves:
        raise ApplicationError(_("A baseline needs at least one task in the plan."), code="empty_plan")
    if make_current:
        baselines.filter(is_current=True).update(is_current=False)
    baseline = Baseline.objects.create(
        organization_id=project.organization_id,
        project=project,
        name=name,
        is_current=make_current,
        created_by=actor,
        change_request=change_request,
    )
    BaselineTask.objects.bulk_create(
        [
            BaselineTask(
                organization_id=project.organization_id,
                baseline=baseline,
                task=leaf,
                code=leaf.code,
                sort_key=leaf.sort_key,
                name=leaf.name,
                is_milestone=leaf.kind == WbsElement.Kind.MILESTONE,
                start=leaf.planned_start or project.planned_start,
                finish=leaf.planned_finish or project.planned_start,
                duration=leaf.duration,
                budgeted_cost=leaf.budgeted_cost,
            )
            for leaf in leaves
        ],
        batch_size=1000,
    )
    audit_record(
        organization=project.organization,
        actor=actor,
        action="baseline.created",
        target=baseline,
        changes={"name": [None, name], "tasks": [None, len(leaves)], "current": [None, make_current]},
    )
    return baseline


@transaction.atomic
def baseline_set_current(*, actor: User, baseline: Baseline) -> Baseline:
    project = _lock_project(baseline.project)
    baselines = Baseline.objects.for_organization(project.organization_id).filter(project=project)
    previous = baselines.filter(is_current=True).first()
    if previous is not None and previous.pk == baseline.pk:
        return baseline
    baselines.filter(is_current=True).update(is_current=False)
    baselines.filter(pk=baseline.pk).update(is_current=True)
    baseline.is_current = True
    audit_record(
        organization=project.organization,
        actor=actor,
        action="baseline.made_current",
        target=baseline,
        changes={"current_baseline": [previous.name if previous else None, baseline.name]},
    )
    return baseline


# --- progress -------------------------------------------------------------------------


def _as_scheduled(scheduled: dt.date | None, effective_date: dt.date) -> dt.date:
    """The scheduled date when it is not after the day of the report, else the day of the report."""
    return scheduled if scheduled is not None and scheduled <= effective_date else effective_date


def _derived_percent(method: str, actual_start: dt.date | None, actual_finish: dt.date | None) -> Decimal:
    if actual_finish is not None:
        return HUNDRED
    if method == PercentCompleteMethod.FIFTY_FIFTY and actual_start is not None:
        return Decimal("50")
    return Decimal("0")


@transaction.atomic
def task_progress_update(
    *,
    actor: User,
    task: WbsElement,
    percent_complete: Decimal | None = None,
    actual_start: dt.date | None = None,
    actual_finish: dt.date | None = None,
    effective_date: dt.date,
    note: str = "",
    clear_actual_start: bool = False,
    clear_actual_finish: bool = False,
) -> ProgressUpdate:
    """Record progress on a task (kept as history) and reschedule.

    Physical % complete is entered; with 0/100 and 50/50 it follows the actual dates. A task
    reported started without an actual start is taken to have started as scheduled (or on the
    effective date, if it was scheduled later); one reported 100 % without an actual finish is
    taken to have finished as scheduled in the same way. Dates and percentages never disagree.
    """
    project = _lock_project(task.project)
    task = WbsElement.objects.for_organization(project.organization_id).get(pk=task.pk)
    if not task.is_leaf:
        raise ApplicationError(
            _("Progress is reported on tasks and milestones; summaries roll it up."), code="not_a_task"
        )
    new_start = None if clear_actual_start else (actual_start or task.actual_start)
    new_finish = None if clear_actual_finish or clear_actual_start else (actual_finish or task.actual_finish)
    errors: dict[str, list[str]] = {}
    if task.percent_complete_method == PercentCompleteMethod.PHYSICAL:
        percent = task.percent_complete if percent_complete is None else Decimal(percent_complete)
        if not Decimal("0") <= percent <= HUNDRED:
            errors["percent_complete"] = [_("Enter a percentage from 0 to 100.")]
        if percent > 0 and new_start is None:
            new_start = _as_scheduled(task.planned_start, effective_date)
        if percent >= HUNDRED and new_finish is None:
            new_finish = _as_scheduled(task.planned_finish, effective_date)
            if new_start is not None and new_finish < new_start:
                new_finish = effective_date
        if new_finish is not None and "percent_complete" not in errors:
            percent = HUNDRED
    else:
        if percent_complete is not None and Decimal(percent_complete) != _derived_percent(
            task.percent_complete_method, new_start, new_finish
        ):
            errors["percent_complete"] = [
                _("With the 0/100 and 50/50 methods the percentage follows the actual dates; enter those instead.")
            ]
        if new_finish is not None and new_start is None:
            new_start = new_finish
        percent = _derived_percent(task.percent_complete_method, new_start, new_finish)
    if new_finish is not None and new_start is not None and new_finish < new_start:
        errors["actual_finish"] = [_("The actual finish cannot be before the actual start.")]
    today_limit = effective_date
    for field, value in (("actual_start", new_start), ("actual_finish", new_finish)):
        if value is not None and value > today_limit and value != getattr(task, field):
            errors.setdefault(field, []).append(_("An actual date cannot be after the effective date of the update."))
    if effective_date > project.organization.today():
        errors.setdefault("effective_date", []).append(_("Progress cannot be reported for a day still to come."))
    if errors:
        raise ApplicationError(_("The progress update is not valid."), fields=errors)

    update = ProgressUpdate.objects.create(
        organization_id=project.organization_id,
        task=task,
        project=project,
        effective_date=effective_date,
        percent_complete=percent,
        previous_percent_complete=task.percent_complete,
        actual_start=new_start,
        previous_actual_start=task.actual_start,
        actual_finish=new_finish,
        previous_actual_finish=task.actual_finish,
        note=note,
        updated_by=actor,
    )
    changes = diff(
        snapshot(task, ["percent_complete", "actual_start", "actual_finish"]),
        {"percent_complete": percent, "actual_start": new_start, "actual_finish": new_finish},
    )
    task.percent_complete, task.actual_start, task.actual_finish = percent, new_start, new_finish
    task.save(update_fields=["percent_complete", "actual_start", "actual_finish"])
    schedule_recompute(project)
    audit_record(
        organization=project.organization, actor=actor, action="task.progress_updated", target=task, changes=changes
    )
    return update


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
        with transaction.atomic():
            schedule_recompute(_lock_project(project))
        count += 1
    return count
