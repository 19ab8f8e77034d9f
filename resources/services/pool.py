"""Writes of the organisation's resource pool: roles, skills, resources, placeholders and personal exceptions.

- Roles and skills form the organisation's library; one in use (by a resource or a request) is never
  deleted: the refusal is a 409 naming what uses it.
- A resource is a person, a piece or pool of equipment, or a material. A placeholder stands for a role
  (so it needs one) until :func:`placeholder_replace` moves its assignments to a named resource.
  Only a named person is linked to a user, who must be a member of the organisation.
- A resource with assignments, timesheets or proposals is never deleted: it is deactivated.
- Every change is audited (``resource.created``, ``resource.updated``, ...) and bumps the resource's
  ``version``; editors compare row versions (``pmo.concurrency``) before calling these services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import status

from pmo.alerts.services import project_evaluation_queue
from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, User, WorkingCalendar
from projects.models import Project, WbsElement
from projects.services.locks import lock_project
from resources.models import (
    Assignment,
    ExceptionKind,
    RequestProposal,
    Resource,
    ResourceException,
    ResourceKind,
    ResourceRequest,
    ResourceRole,
    ResourceSkill,
    Skill,
    Timesheet,
)
from resources.services import costing
from resources.services.settings import resource_settings, validated

NAME_LENGTH = 120
CODE_LENGTH = 32
#: What a resource's editor may change; ``skills`` replaces the resource's skills as a whole.
RESOURCE_FIELDS = [
    "code",
    "name",
    "kind",
    "is_placeholder",
    "user",
    "role",
    "department",
    "calendar",
    "hours_per_day",
    "max_units",
    "unit",
    "notes",
]
AUDITED_FIELDS = [*RESOURCE_FIELDS, "is_active"]
#: ``skills`` is a list of ``(skill, level)`` pairs.
SkillLevels = Iterable[tuple[Skill, int]]


def _refuse_unknown(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %s") % ", ".join(unknown),
            fields={field: [_("This field cannot be changed.")] for field in unknown},
        )


def _not_found(field: str) -> ApplicationError:
    return ApplicationError(_("Not found."), fields={field: [_("Not found.")]})


def _in_use(message: str) -> ApplicationError:
    return ApplicationError(message, code="in_use", status_code=status.HTTP_409_CONFLICT)


# Roles and skills


def _clean_name(name: str, field: str = "name") -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError(_("Give it a name."), fields={field: [_("This field is required.")]})
    if len(name) > NAME_LENGTH:
        message = _("Use at most %(count)d characters.") % {"count": NAME_LENGTH}
        raise ApplicationError(message, fields={field: [message]})
    return name


def _refuse_duplicate_name(model: Any, organization_id: int, name: str, exclude: int | None, message: str) -> None:
    taken = model.objects.for_organization(organization_id).filter(name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ApplicationError(message, code="duplicate_name", fields={"name": [message]})


@transaction.atomic
def resource_role_create(
    *, actor: User, organization: Organization, name: str, kind: str = ResourceKind.PERSON
) -> ResourceRole:
    """Add a role to the organisation's library ("civil engineer", "excavator crew")."""
    name = _clean_name(name)
    _refuse_duplicate_name(ResourceRole, organization.pk, name, None, _("A role with this name already exists."))
    role = ResourceRole(organization=organization, name=name, kind=kind)
    validated(role, exclude=["organization"])
    role.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="resource_role.created",
        target=role,
        changes=diff({}, snapshot(role, ["name", "kind"])),
    )
    return role


@transaction.atomic
def resource_role_update(*, actor: User, role: ResourceRole, **fields: Any) -> ResourceRole:
    """Rename a role or change its kind (only while no resource of another kind holds it)."""
    _refuse_unknown(fields, ["name", "kind"])
    role = ResourceRole.objects.for_organization(role.organization_id).select_for_update().get(pk=role.pk)
    before = snapshot(role, ["name", "kind"])
    if "name" in fields:
        role.name = _clean_name(fields["name"])
        _refuse_duplicate_name(
            ResourceRole, role.organization_id, role.name, role.pk, _("A role with this name already exists.")
        )
    if "kind" in fields:
        role.kind = fields["kind"]
        other = Resource.objects.for_organization(role.organization_id).filter(role=role).exclude(kind=role.kind)
        if other.exists():
            message = _("Resources of another kind hold this role; change them first.")
            raise ApplicationError(message, code="role_kind_in_use", fields={"kind": [message]})
    validated(role, exclude=["organization"])
    changes = diff(before, snapshot(role, ["name", "kind"]))
    if changes:
        role.save()
        audit_record(
            organization=role.organization, actor=actor, action="resource_role.updated", target=role, changes=changes
        )
    return role


def role_in_use(role: ResourceRole) -> dict[str, int]:
    """How many resources and requests name the role (a role in use cannot be deleted)."""
    return {
        "resources": Resource.objects.for_organization(role.organization_id).filter(role=role).count(),
        "requests": ResourceRequest.objects.for_organization(role.organization_id).filter(role=role).count(),
    }


@transaction.atomic
def resource_role_delete(*, actor: User, role: ResourceRole) -> None:
    """Delete a role nothing names; one in use is refused (409) with what uses it."""
    role = ResourceRole.objects.for_organization(role.organization_id).select_for_update().get(pk=role.pk)
    use = role_in_use(role)
    if use["resources"] or use["requests"]:
        raise _in_use(
            _(
                "The role “%(name)s” is in use by %(resources)d resources and %(requests)d requests; "
                "give them another role first."
            )
            % {"name": role.name, **use}
        )
    audit_record(
        organization=role.organization,
        actor=actor,
        action="resource_role.deleted",
        target=role,
        changes=diff(snapshot(role, ["name", "kind"]), {}),
    )
    role.delete()


@transaction.atomic
def skill_create(*, actor: User, organization: Organization, name: str) -> Skill:
    """Add a skill to the organisation's library."""
    name = _clean_name(name)
    _refuse_duplicate_name(Skill, organization.pk, name, None, _("A skill with this name already exists."))
    skill = Skill(organization=organization, name=name)
    validated(skill, exclude=["organization"])
    skill.save()
    audit_record(
        organization=organization, actor=actor, action="skill.created", target=skill, changes={"name": [None, name]}
    )
    return skill


@transaction.atomic
def skill_update(*, actor: User, skill: Skill, name: str) -> Skill:
    """Rename a skill; the resources holding it keep it."""
    skill = Skill.objects.for_organization(skill.organization_id).select_for_update().get(pk=skill.pk)
    name = _clean_name(name)
    _refuse_duplicate_name(Skill, skill.organization_id, name, skill.pk, _("A skill with this name already exists."))
    if name != skill.name:
        changes = {"name": [skill.name, name]}
        skill.name = name
        validated(skill, exclude=["organization"])
        skill.save()
        audit_record(
            organization=skill.organization, actor=actor, action="skill.updated", target=skill, changes=changes
        )
    return skill


def skill_in_use(skill: Skill) -> dict[str, int]:
    """How many resources hold the skill and how many requests ask for it."""
    return {
        "resources": ResourceSkill.objects.for_organization(skill.organization_id).filter(skill=skill).count(),
        "requests": ResourceRequest.objects.for_organization(skill.organization_id).filter(skill=skill).count(),
    }


@transaction.atomic
def skill_delete(*, actor: User, skill: Skill) -> None:
    """Delete a skill nothing names; one in use is refused (409) with what uses it."""
    skill = Skill.objects.for_organization(skill.organization_id).select_for_update().get(pk=skill.pk)
    use = skill_in_use(skill)
    if use["resources"] or use["requests"]:
        raise _in_use(
            _(
                "The skill “%(name)s” is held by %(resources)d resources and asked for by %(requests)d requests; "
                "remove it from them first."
            )
            % {"name": skill.name, **use}
        )
    audit_record(
        organization=skill.organization,
        actor=actor,
        action="skill.deleted",
        target=skill,
        changes={"name": [skill.name, None]},
    )
    skill.delete()


# Resources


def _check_resource(resource: Resource, problems: dict[str, list[str]]) -> None:
    """The pool's rules for one resource, each broken one under its field."""

    def refuse(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    organization_id = resource.organization_id
    resource.code = (resource.code or "").strip()
    resource.name = " ".join((resource.name or "").split())
    resource.department = " ".join((resource.department or "").split())
    resource.unit = (resource.unit or "").strip()
    if not resource.code:
        refuse("code", _("This field is required."))
    elif len(resource.code) > CODE_LENGTH:
        refuse("code", _("Use at most %(count)d characters.") % {"count": CODE_LENGTH})
    elif (
        Resource.objects.for_organization(organization_id)
        .filter(code__iexact=resource.code)
        .exclude(pk=resource.pk)
        .exists()
    ):
        refuse("code", _("A resource with this code already exists."))
    if not resource.name:
        refuse("name", _("This field is required."))
    if resource.kind not in ResourceKind.values:
        refuse("kind", _("Choose a person, equipment or a material."))
        return
    is_material = resource.kind == ResourceKind.MATERIAL
    if resource.is_placeholder:
        if is_material:
            refuse("is_placeholder", _("Only people and equipment can be placeholders."))
        if resource.role is None:
            refuse("role", _("A placeholder stands for a role: choose one."))
    if resource.role is not None:
        if resource.role.organization_id != organization_id:
            refuse("role", _("Not found."))
        elif resource.role.kind != resource.kind:
            refuse(
                "role",
                _("The role “%(role)s” is for %(kind)s, not for this kind of resource.")
                % {"role": resource.role.name, "kind": ResourceKind(resource.role.kind).label.lower()},
            )
    if resource.calendar is not None and resource.calendar.organization_id != organization_id:
        refuse("calendar", _("Not found."))
    if resource.user is not None:
        if resource.kind != ResourceKind.PERSON or resource.is_placeholder:
            refuse("user", _("Only a named person can be linked to a user."))
        elif not Membership.objects.for_organization(organization_id).filter(user=resource.user).exists():
            refuse("user", _("This user is not a member of the organisation."))
        else:
            holder = (
                Resource.objects.for_organization(organization_id)
                .filter(user=resource.user)
                .exclude(pk=resource.pk)
                .values_list("code", flat=True)
                .first()
            )
            if holder is not None:
                refuse("user", _("This user is already the resource %(code)s.") % {"code": holder})
    if is_material and not resource.unit:
        refuse("unit", _("Give the material's unit of measure, e.g. m³, t or piece."))
    if not is_material and resource.unit:
        refuse("unit", _("Only materials have a unit of measure."))


def _save_checked(resource: Resource) -> None:
    problems: dict[str, list[str]] = {}
    _check_resource(resource, problems)
    if problems:
        first = next(iter(problems.values()))[0]
        raise ApplicationError(first, code="invalid", fields=problems)
    validated(resource, exclude=["organization", "user", "role", "calendar"])
    resource.save()


def _clean_skills(organization_id: int, skills: SkillLevels) -> dict[int, tuple[Skill, int]]:
    chosen: dict[int, tuple[Skill, int]] = {}
    problems: list[str] = []
    for skill, level in skills:
        if skill.organization_id != organization_id:
            problems.append(_("Not found."))
        elif isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
            problems.append(_("%(skill)s: a level is from 1 to 5.") % {"skill": skill.name})
        elif skill.pk in chosen:
            problems.append(_("%(skill)s is given twice.") % {"skill": skill.name})
        else:
            chosen[skill.pk] = (skill, level)
    if problems:
        raise ApplicationError(problems[0], code="invalid", fields={"skills": problems})
    return chosen


def _skills_of(resource: Resource) -> dict[str, int]:
    rows = ResourceSkill.objects.for_organization(resource.organization_id).filter(resource=resource)
    return dict(rows.values_list("skill__name", "level").order_by("skill__name"))


def _skills_set(resource: Resource, chosen: dict[int, tuple[Skill, int]]) -> None:
    held = ResourceSkill.objects.for_organization(resource.organization_id).filter(resource=resource)
    held.exclude(skill_id__in=chosen).delete()
    current = {row.skill_id: row for row in held}
    for skill_id, (skill, level) in chosen.items():
        row = current.get(skill_id)
        if row is None:
            ResourceSkill.objects.create(
                organization_id=resource.organization_id, resource=resource, skill=skill, level=level
            )
        elif row.level != level:
            row.level = level
            row.save(update_fields=["level"])


def _resource_snapshot(resource: Resource) -> dict[str, Any]:
    state = snapshot(resource, AUDITED_FIELDS)
    for field in ("user", "role", "calendar"):
        state[field] = getattr(resource, f"{field}_id")
    return state


@transaction.atomic
def resource_create(
    *,
    actor: User,
    organization: Organization,
    code: str,
    name: str,
    kind: str = ResourceKind.PERSON,
    is_placeholder: bool = False,
    user: User | None = None,
    role: ResourceRole | None = None,
    department: str = "",
    calendar: WorkingCalendar | None = None,
    hours_per_day: Decimal | None = None,
    max_units: Decimal = Decimal("100"),
    unit: str = "",
    notes: str = "",
    skills: SkillLevels = (),
) -> Resource:
    """Add a resource to the pool; hours per day default to the organisation's (settings)."""
    if hours_per_day is None:
        hours_per_day = resource_settings(organization).default_hours_per_day
    resource = Resource(
        organization=organization,
        code=code,
        name=name,
        kind=kind,
        is_placeholder=is_placeholder,
        user=user,
        role=role,
        department=department,
        calendar=calendar,
        hours_per_day=hours_per_day,
        max_units=max_units,
        unit=unit,
        notes=(notes or "").strip(),
    )
    chosen = _clean_skills(organization.pk, skills)
    _save_checked(resource)
    _skills_set(resource, chosen)
    changes = diff({}, _resource_snapshot(resource))
    if chosen:
        changes["skills"] = [None, _skills_of(resource)]
    audit_record(organization=organization, actor=actor, action="resource.created", target=resource, changes=changes)
    return resource


def _locked(resource: Resource) -> Resource:
    return (
        Resource.objects.for_organization(resource.organization_id)
        .select_for_update(of=("self",), no_key=True)
        .select_related("organization", "role", "calendar", "user")
        .get(pk=resource.pk)
    )


@transaction.atomic
def resource_update(*, actor: User, resource: Resource, skills: SkillLevels | None = None, **fields: Any) -> Resource:
    """Change a resource's fields (and, given ``skills``, its skills as a whole); nothing changes on one error.

    A resource that is on tasks or timesheets keeps its kind: its load and costs are counted in its unit.
    """
    _refuse_unknown(fields, RESOURCE_FIELDS)
    resource = _locked(resource)
    before = _resource_snapshot(resource)
    skills_before = _skills_of(resource)
    if "kind" in fields and fields["kind"] != resource.kind and resource_in_use(resource):
        message = _("The resource is on tasks or timesheets, so its kind cannot change.")
        raise ApplicationError(message, code="kind_in_use", fields={"kind": [message]})
    for field, value in fields.items():
        setattr(resource, field, value)
    if "notes" in fields:
        resource.notes = (resource.notes or "").strip()
    chosen = _clean_skills(resource.organization_id, skills) if skills is not None else None
    problems: dict[str, list[str]] = {}
    _check_resource(resource, problems)
    if problems:
        first = next(iter(problems.values()))[0]
        raise ApplicationError(first, code="invalid", fields=problems)
    changes = diff(before, _resource_snapshot(resource))
    if chosen is not None:
        _skills_set(resource, chosen)
        skills_after = _skills_of(resource)
        if skills_after != skills_before:
            changes["skills"] = [skills_before, skills_after]
    if not changes:
        return resource
    resource.version += 1
    validated(resource, exclude=["organization", "user", "role", "calendar"])
    resource.save()
    audit_record(
        organization=resource.organization, actor=actor, action="resource.updated", target=resource, changes=changes
    )
    return resource


def resource_in_use(resource: Resource) -> bool:
    """Whether assignments, timesheets or request proposals name the resource (then it is never deleted)."""
    organization_id = resource.organization_id
    return (
        Assignment.objects.for_organization(organization_id).filter(resource=resource).exists()
        or Timesheet.objects.for_organization(organization_id).filter(resource=resource).exists()
        or RequestProposal.objects.for_organization(organization_id).filter(resource=resource).exists()
    )


def _set_active(actor: User, resource: Resource, active: bool) -> Resource:
    resource = _locked(resource)
    if resource.is_active == active:
        return resource
    resource.is_active = active
    resource.version += 1
    resource.save(update_fields=["is_active", "version"])
    audit_record(
        organization=resource.organization,
        actor=actor,
        action="resource.reactivated" if active else "resource.deactivated",
        target=resource,
        changes={"is_active": [not active, active]},
    )
    return resource


@transaction.atomic
def resource_deactivate(*, actor: User, resource: Resource) -> Resource:
    """Take a resource out of use: it keeps its history and assignments but is no longer offered."""
    return _set_active(actor, resource, False)


@transaction.atomic
def resource_reactivate(*, actor: User, resource: Resource) -> Resource:
    return _set_active(actor, resource, True)


@transaction.atomic
def resource_delete(*, actor: User, resource: Resource) -> None:
    """Delete a resource entered by mistake; one on tasks, timesheets or proposals is refused (409)."""
    resource = _locked(resource)
    if resource_in_use(resource):
        raise _in_use(
            _("%(resource)s is on tasks, timesheets or request proposals, so it is kept: deactivate it instead.")
            % {"resource": resource}
        )
    if Resource.objects.for_organization(resource.organization_id).filter(replaced_by=resource).exists():
        raise _in_use(
            _("%(resource)s replaced a placeholder, so it is kept: deactivate it instead.") % {"resource": resource}
        )
    audit_record(
        organization=resource.organization,
        actor=actor,
        action="resource.deleted",
        target=resource,
        changes=diff(_resource_snapshot(resource), {}),
    )
    resource.delete()


# Placeholders


@transaction.atomic
def placeholder_replace(*, actor: User, placeholder: Resource, resource: Resource) -> Resource:
    """Give a placeholder's assignments to a named resource of the same kind and mark the placeholder replaced.

    Where the named resource is already on the task, the placeholder's work and units are added to
    its assignment; the figure not given (work or units) is derived again from the named resource's
    hours per day, and a project costed bottom-up re-costs the tasks (the named resource's rates).
    The placeholder is deactivated and keeps ``replaced_by``. Answers the named resource.
    """
    organization_id = placeholder.organization_id
    if resource.organization_id != organization_id:
        raise _not_found("resource")
    project_ids = sorted(
        set(
            Assignment.objects.for_organization(organization_id)
            .filter(resource_id__in=[placeholder.pk, resource.pk])
            .values_list("project_id", flat=True)
        )
    )
    projects = [lock_project(project_id, organization_id) for project_id in project_ids]
    placeholder = _locked(placeholder)
    resource = _locked(resource)
    problems: dict[str, list[str]] = {}
    if not placeholder.is_placeholder:
        problems["placeholder"] = [_("%(resource)s is not a placeholder.") % {"resource": placeholder}]
    elif placeholder.replaced_by_id is not None:
        problems["placeholder"] = [_("%(resource)s has already been replaced.") % {"resource": placeholder}]
    if resource.is_placeholder:
        problems["resource"] = [_("Choose a named resource, not a placeholder.")]
    elif not resource.is_active:
        problems["resource"] = [_("%(resource)s is not active.") % {"resource": resource}]
    elif resource.kind != placeholder.kind:
        problems["resource"] = [
            _("Choose a resource of the same kind as the placeholder (%(kind)s).")
            % {"kind": ResourceKind(placeholder.kind).label.lower()}
        ]
    if problems:
        raise ApplicationError(next(iter(problems.values()))[0], code="invalid", fields=problems)

    assignments = Assignment.objects.for_organization(organization_id)
    theirs = {row.task_id: row for row in assignments.filter(resource=resource).select_for_update(of=("self",))}
    moved, merged = [], []
    touched: list[Assignment] = []
    for assignment in assignments.filter(resource=placeholder).select_for_update(of=("self",)).order_by("pk"):
        existing = theirs.get(assignment.task_id)
        if existing is None:
            assignment.resource = resource
            moved.append(assignment.pk)
            touched.append(assignment)
            continue
        existing.work += assignment.work
        existing.units += assignment.units
        merged.append([assignment.pk, existing.pk])
        touched.append(existing)
        assignment.delete()
    _rederive(touched, resource, {project.pk: project for project in projects})
    for project in projects:
        tasks = [row.task_id for row in touched if row.project_id == project.pk]
        costing.recost_tasks(actor=actor, project=project, task_ids=tasks, source="resources.placeholder_replace")
    placeholder.replaced_by = resource
    placeholder.is_active = False
    placeholder.version += 1
    placeholder.save(update_fields=["replaced_by", "is_active", "version"])
    audit_record(
        organization=placeholder.organization,
        actor=actor,
        action="resource.placeholder_replaced",
        target=placeholder,
        changes={
            "replaced_by": [None, resource.pk],
            "is_active": [True, False],
            "assignments_moved": [None, moved],
            "assignments_merged": [None, merged],
        },
    )
    return resource


def _rederive(rows: list[Assignment], resource: Resource, projects: dict[int, Project]) -> None:
    """Save the assignments on ``resource``, their derived work or units from its hours per day."""
    if not rows:
        return
    calendars = costing.project_calendars(
        resource.organization_id, {pk: project.calendar_id for pk, project in projects.items()}
    )
    tasks = {
        task.pk: task
        for task in WbsElement.objects.for_organization(resource.organization_id).filter(
            pk__in={row.task_id for row in rows}
        )
    }
    for row in rows:
        task = tasks[row.task_id]
        days = costing.working_days(calendars[row.project_id], task.planned_start, task.planned_finish, task.duration)
        row.units, row.work = costing.derived(
            kind=resource.kind,
            mode=row.mode,
            units=row.units,
            work=row.work,
            hours_per_day=resource.hours_per_day,
            days=days,
        )
        row.version += 1
        row.save(update_fields=["resource", "units", "work", "version"])


# Personal exceptions


def _check_exception(resource: Resource, exception: ResourceException) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    window = resource.organization.date_window
    if resource.kind == ResourceKind.MATERIAL:
        problems["kind"] = [_("A material has no working time, so it has no leave or part-time periods.")]
        return problems
    for field in ("start", "finish"):
        value = getattr(exception, field)
        if not isinstance(value, dt.date):
            problems[field] = [_("Enter a date.")]
        elif not window.contains(value):
            problems[field] = [window.message()]
    if problems:
        return problems
    if exception.finish < exception.start:
        problems["finish"] = [_("The period ends before it starts.")]
    if exception.kind == ExceptionKind.PART_TIME:
        hours = exception.hours_per_day
        if hours is None:
            problems["hours_per_day"] = [_("Give the hours worked on each working day of the part-time period.")]
        elif not Decimal("0") < hours < resource.hours_per_day:
            problems["hours_per_day"] = [
                _("Part-time hours are more than 0 and less than the resource's %(hours)s hours per day.")
                % {"hours": f"{resource.hours_per_day.normalize():f}"}
            ]
    elif exception.hours_per_day is not None:
        problems["hours_per_day"] = [_("Only a part-time period has hours per day.")]
    if problems:
        return problems
    overlap = (
        ResourceException.objects.for_organization(resource.organization_id)
        .filter(resource=resource, start__lte=exception.finish, finish__gte=exception.start)
        .exclude(pk=exception.pk)
        .order_by("start")
        .first()
    )
    if overlap is not None:
        problems["start"] = [
            _("The period overlaps %(kind)s from %(start)s to %(finish)s.")
            % {
                "kind": ExceptionKind(overlap.kind).label.lower(),
                "start": overlap.start.isoformat(),
                "finish": overlap.finish.isoformat(),
            }
        ]
    return problems


def _evaluate_assigned_projects(resource: Resource) -> None:
    """Queue the alert evaluation of the projects the resource is assigned on: their alerts follow its absences."""
    project_ids = (
        Assignment.objects.for_organization(resource.organization_id)
        .filter(resource=resource)
        .values_list("project_id", flat=True)
        .distinct()
    )
    for project in Project.objects.for_organization(resource.organization_id).filter(pk__in=list(project_ids)):
        project_evaluation_queue(project)


@transaction.atomic
def resource_exception_add(
    *,
    actor: User,
    resource: Resource,
    kind: str,
    start: dt.date,
    finish: dt.date,
    hours_per_day: Decimal | None = None,
    note: str = "",
) -> ResourceException:
    """Record leave, training, another absence or a part-time period of a person or a piece of equipment."""
    resource = _locked(resource)
    if kind not in ExceptionKind.values:
        raise ApplicationError(
            _("Choose leave, training, part-time or another absence."), fields={"kind": [_("Not a valid choice.")]}
        )
    exception = ResourceException(
        organization_id=resource.organization_id,
        resource=resource,
        kind=kind,
        start=start,
        finish=finish,
        hours_per_day=hours_per_day,
        note=" ".join((note or "").split()),
        created_by=actor,
    )
    problems = _check_exception(resource, exception)
    if problems:
        raise ApplicationError(next(iter(problems.values()))[0], code="invalid", fields=problems)
    validated(exception, exclude=["organization", "resource", "created_by"])
    exception.save()
    audit_record(
        organization=resource.organization,
        actor=actor,
        action="resource_exception.created",
        target=exception,
        changes=diff(
            {}, {"resource": resource.pk, **snapshot(exception, ["kind", "start", "finish", "hours_per_day", "note"])}
        ),
    )
    _evaluate_assigned_projects(resource)
    return exception


@transaction.atomic
def resource_exception_remove(*, actor: User, exception: ResourceException) -> None:
    """Remove a personal period (recorded by mistake, or cancelled leave)."""
    resource = _locked(exception.resource)
    exception = ResourceException.objects.for_organization(resource.organization_id).get(pk=exception.pk)
    audit_record(
        organization=resource.organization,
        actor=actor,
        action="resource_exception.deleted",
        target=exception,
        changes=diff(
            {"resource": resource.pk, **snapshot(exception, ["kind", "start", "finish", "hours_per_day", "note"])}, {}
        ),
    )
    exception.delete()
    _evaluate_assigned_projects(resource)
