"""Assignments of resources to tasks: the one write path, and the bottom-up re-costing it triggers.

An assignment is given either as units (% of one full-time resource) or as total work (hours; a
material's quantity in its unit), never both; the other is derived over the task's working days on
the project's calendar and stored (``resources.services.costing.derived``): units mode, work = units
/ 100 * hours per day * days; work mode, units = work / (hours per day * days) * 100. A material is
always given as work (its quantity) and keeps units at 0, which means nothing for it.

Only a task or a milestone of the project takes assignments (never a summary), only an active
resource of the organisation, once per task. Every write locks the project row first, then the
assignment; an update takes the version it was read with (``version``) and refuses a stale one; each
write is audited and, when the project costs bottom-up, re-costs the tasks it touched.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pmo.alerts.services import project_evaluation_queue
from pmo.audit import audit_record, diff, snapshot
from pmo.concurrency import stale
from pmo.errors import ApplicationError
from pmo.models import User
from projects.models import Project, WbsElement
from projects.services.locks import lock_project
from resources.models import Assignment, AssignmentMode, Resource, ResourceKind, ResourceRequest
from resources.services.costing import derived, project_calendars, recost_tasks, working_days
from resources.services.settings import validated

AUDITED_FIELDS = ["task", "resource", "mode", "units", "work", "note", "request"]
#: The most units one assignment may carry: a hundred full-time resources.
MAX_UNITS = Decimal("10000")
#: The most work (or quantity) one assignment may carry.
MAX_WORK = Decimal("999999999")
RECOST_SOURCE = "resources.assignment"


def _not_found(field: str) -> ApplicationError:
    return ApplicationError(_("Not found."), code="not_found", fields={field: [_("Not found.")]})


def _invalid(field: str, message: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]})


def check_project_open(project: Project) -> None:
    if not project.is_open:
        raise ApplicationError(
            _("The project is %(phase)s: its assignments can no longer change.")
            % {"phase": project.get_phase_display()},
            code="project_not_open",
        )


def check_task(project: Project, task: WbsElement | None, field: str = "task") -> WbsElement:
    """A task or milestone of the project; another project's or organisation's is as if it did not exist."""
    if task is None or task.organization_id != project.organization_id or task.project_id != project.pk:
        raise _not_found(field)
    if not task.is_leaf:
        raise _invalid(
            field,
            _("“%(task)s” is a summary: assign resources to its tasks or milestones.") % {"task": task.name},
            "not_a_task",
        )
    return task


def check_resource(organization_id: int, resource: Resource | None, field: str = "resource") -> Resource:
    if resource is None or resource.organization_id != organization_id:
        raise _not_found(field)
    if not resource.is_active:
        raise _invalid(
            field,
            _("%(resource)s is no longer active: choose another resource.") % {"resource": resource},
            "resource_inactive",
        )
    return resource


def _number(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or number <= 0:
        raise _invalid(field, _("Enter a number above zero."))
    return number


def amounts(resource: Resource, units: Any, work: Any) -> tuple[str, Decimal, Decimal]:
    """``(mode, units, work)`` from what was given: exactly one of units and work, above zero."""
    if units is not None and work is not None:
        message = _("Give either the units or the work, not both: the other is derived.")
        raise ApplicationError(message, code="units_and_work", fields={"units": [message], "work": [message]})
    if resource.kind == ResourceKind.MATERIAL:
        if units is not None:
            message = _("A material is assigned by quantity: give it as work, in %(unit)s.") % {
                "unit": resource.unit or _("its unit")
            }
            raise _invalid("units", message, "material_units")
        if work is None:
            raise _invalid("work", _("Give the quantity of the material."), "amount_missing")
    if units is None and work is None:
        message = _("Give the units (percent of full time) or the total work.")
        raise ApplicationError(message, code="amount_missing", fields={"units": [message], "work": [message]})
    if units is not None:
        given = _number(units, "units")
        if given > MAX_UNITS:
            raise _invalid("units", _("At most 10000 units (a hundred full-time resources)."))
        return AssignmentMode.UNITS, given, Decimal("0")
    given = _number(work, "work")
    if given > MAX_WORK:
        raise _invalid("work", _("At most 999999999."))
    return AssignmentMode.WORK, Decimal("0"), given


def _derive(assignment: Assignment, project: Project) -> None:
    """Fill in the units or the work not given, from the task's working days on the project's calendar."""
    task, resource = assignment.task, assignment.resource
    calendar = project_calendars(project.organization_id, {project.pk: project.calendar_id})[project.pk]
    days = working_days(calendar, task.planned_start, task.planned_finish, task.duration)
    units, work = derived(
        kind=resource.kind,
        mode=assignment.mode,
        units=assignment.units,
        work=assignment.work,
        hours_per_day=resource.hours_per_day,
        days=days,
    )
    if units > MAX_UNITS:
        raise _invalid(
            "work",
            _("That is more work than the task's %(days)s working days can take from a hundred full-time resources.")
            % {"days": days},
        )
    if resource.kind == ResourceKind.MATERIAL:
        assignment.mode = AssignmentMode.WORK
    assignment.units, assignment.work = units, work


def _check_once(assignment: Assignment) -> None:
    taken = (
        Assignment.objects.for_organization(assignment.organization_id)
        .filter(task_id=assignment.task_id, resource_id=assignment.resource_id)
        .exclude(pk=assignment.pk)
        .exists()
    )
    if taken:
        raise _invalid(
            "resource",
            _("%(resource)s is already assigned to this task: change that assignment instead.")
            % {"resource": assignment.resource},
            "duplicate",
        )


@transaction.atomic
def assignment_create(
    *,
    actor: User,
    project: Project,
    task: WbsElement,
    resource: Resource,
    units: Any = None,
    work: Any = None,
    note: str = "",
    request: ResourceRequest | None = None,
) -> Assignment:
    """Assign a resource to a task of the project with units (%) or total work; the other is derived."""
    project = lock_project(project)
    check_project_open(project)
    check_task(project, task)
    check_resource(project.organization_id, resource)
    mode, given_units, given_work = amounts(resource, units, work)
    assignment = Assignment(
        organization_id=project.organization_id,
        project=project,
        task=task,
        resource=resource,
        mode=mode,
        units=given_units,
        work=given_work,
        note=(note or "").strip(),
        request=request,
        created_by=actor,
    )
    _derive(assignment, project)
    _check_once(assignment)
    validated(assignment, exclude=["project", "task", "resource", "request", "created_by"])
    assignment.save()
    audit_record(
        organization=project.organization,
        actor=actor,
        action="assignment.created",
        target=assignment,
        changes=diff({}, snapshot(assignment, AUDITED_FIELDS)),
    )
    recost_tasks(actor=actor, project=project, task_ids=[task.pk], source=RECOST_SOURCE)
    project_evaluation_queue(project)  # over-allocation and "resource away" alerts follow the change
    return assignment


def _locked(assignment: Assignment) -> tuple[Project, Assignment]:
    project = lock_project(assignment.project_id, assignment.organization_id)
    locked = (
        Assignment.objects.for_organization(project.organization_id)
        .select_for_update(of=("self",), no_key=True)
        .select_related("task", "resource")
        .get(pk=assignment.pk)
    )
    locked.project = project
    return project, locked


@transaction.atomic
def assignment_update(
    *,
    actor: User,
    assignment: Assignment,
    task: WbsElement | None = None,
    resource: Resource | None = None,
    units: Any = None,
    work: Any = None,
    note: str | None = None,
    version: int | None = None,
) -> Assignment:
    """Change an assignment's task, resource, amount (units or work: the other is derived again) or note.

    Given neither units nor work, the amount keeps its mode and given value and the other is derived
    again (for a new task, say). ``version`` is the version the change was made from: another one is
    refused as stale (412) and nothing changes.
    """
    project, assignment = _locked(assignment)
    if version is not None and version != assignment.version:
        raise stale()
    check_project_open(project)
    before = snapshot(assignment, AUDITED_FIELDS)
    old_task_id, before_kind = assignment.task_id, assignment.resource.kind
    if task is not None:
        assignment.task = check_task(project, task)
    if resource is not None:
        assignment.resource = check_resource(project.organization_id, resource)
    if units is not None or work is not None:
        assignment.mode, assignment.units, assignment.work = amounts(assignment.resource, units, work)
    elif (assignment.resource.kind == ResourceKind.MATERIAL) != (before_kind == ResourceKind.MATERIAL):
        # Hours are no quantity of a material, nor a quantity hours: the new amount must be given.
        message = _("Give the new amount: the resource is counted in another unit.")
        raise ApplicationError(message, code="amount_missing", fields={"units": [message], "work": [message]})
    if note is not None:
        assignment.note = note.strip()
    _derive(assignment, project)
    _check_once(assignment)
    validated(assignment, exclude=["project", "task", "resource", "request", "created_by"])
    changes = diff(before, snapshot(assignment, AUDITED_FIELDS))
    if not changes:
        return assignment
    assignment.version += 1
    assignment.save()
    audit_record(
        organization=project.organization, actor=actor, action="assignment.updated", target=assignment, changes=changes
    )
    recost_tasks(actor=actor, project=project, task_ids={old_task_id, assignment.task_id}, source=RECOST_SOURCE)
    project_evaluation_queue(project)
    return assignment


@transaction.atomic
def assignment_delete(*, actor: User, assignment: Assignment, version: int | None = None) -> None:
    """Remove an assignment; with bottom-up costing its task is re-costed (to 0 when it was the last)."""
    project, assignment = _locked(assignment)
    if version is not None and version != assignment.version:
        raise stale()
    check_project_open(project)
    task_id = assignment.task_id
    audit_record(
        organization=project.organization,
        actor=actor,
        action="assignment.deleted",
        target=assignment,
        changes=diff(snapshot(assignment, AUDITED_FIELDS), {}),
    )
    assignment.delete()
    recost_tasks(actor=actor, project=project, task_ids=[task_id], source=RECOST_SOURCE)
    project_evaluation_queue(project)
