"""The resource pool and a project's assignments as Excel workbooks: export, templates, imports.

- The pool workbook (sheet "Resources") has the CSV import's columns (``pool_import.CSV_COLUMNS``) as
  typed cells. Its export holds the organisation's active resources by code, each with the cost rate in
  force today (or its first rate, when none is in force yet); rates are left empty for people who may
  not see them. Its import hands the rows to the CSV import's checks and writes
  (``pool_import.pool_rows_add``): a code already in the pool is refused.
- The assignments workbook (sheet "Assignments") is a project's: one row per assignment with the task's
  WBS code, the resource's code, how it was given (units or work), the units and the work. The task's
  and the resource's names are there to read and ignored by the import. The import adds each row with
  the assignment service (``assignment_create``: tasks and milestones only, active resources, once per
  task), giving the units or the work as the row says; the other is derived again.

Both imports check the whole workbook first, report every bad cell by sheet, row and column, and write
nothing on any error. Exporting a pool (or a project's assignments) and importing it into an empty pool
(a project with the same WBS) gives the same workbook back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo.errors import ApplicationError
from pmo.models import Organization, User
from pmo.xlsx import (
    CellType,
    Column,
    Progress,
    Sheet,
    SheetErrors,
    SheetRow,
    WorkbookErrors,
    read_workbook,
    row_cells,
    template_bytes,
    workbook_bytes,
)
from projects.models import Project, WbsElement
from resources.models import Assignment, AssignmentMode, CostRate, Resource, ResourceKind, ResourceSkill
from resources.services import pool_import
from resources.services.assignments import assignment_create, check_project_open

RESOURCES_SHEET = Sheet(
    key="resources",
    title=gettext_lazy("Resources"),
    help=gettext_lazy(
        "One resource a row. A code already in the pool is refused: change existing resources on their pages. "
        "Roles and skills the library lacks are added to it."
    ),
    max_rows=pool_import.MAX_ROWS,
    columns=(
        Column("code", gettext_lazy("Code"), required=True, example="P-001", max_length=32, width=10,
               help=gettext_lazy("Unique in the pool.")),
        Column("name", gettext_lazy("Name"), required=True, example="Wang Fang", max_length=200, width=26),
        Column("kind", gettext_lazy("Kind"), CellType.CHOICE, example=ResourceKind.PERSON,
               choices=tuple(ResourceKind.choices), help=gettext_lazy("Empty: person."), width=12),
        Column("placeholder", gettext_lazy("Placeholder"), CellType.BOOLEAN, example=False, width=12,
               help=gettext_lazy("Yes for a resource that stands for a role until a named one replaces it; "
                                 "it needs a role.")),
        Column("role", gettext_lazy("Role"), example="Civil engineer", width=18,
               help=gettext_lazy("A role's name; a new name is added to the library.")),
        Column("department", gettext_lazy("Department"), example="Engineering", max_length=120, width=16),
        Column("user", gettext_lazy("User"), width=16,
               help=gettext_lazy("A member's username or e-mail address (named people only).")),
        Column("calendar", gettext_lazy("Calendar"), width=16,
               help=gettext_lazy("A calendar's name; empty: the organisation's default calendar.")),
        Column("hours_per_day", gettext_lazy("Hours per day"), CellType.DECIMAL, example=Decimal("8"), width=12,
               help=gettext_lazy("0.25 to 24; empty: the organisation's setting.")),
        Column("max_units", gettext_lazy("Maximum units (%)"), CellType.DECIMAL, example=Decimal("100"), width=12,
               help=gettext_lazy("1 to 10000; 100 is one full-time person or machine. Empty: 100.")),
        Column("unit", gettext_lazy("Unit of measure"), max_length=32, width=10,
               help=gettext_lazy("Materials only, and required for them, e.g. m³, t, piece.")),
        Column("skills", gettext_lazy("Skills"), example="AutoCAD:4;Surveying:3", width=26,
               help=gettext_lazy("Skill:level;Skill:level with levels 1 to 5; new skills are added to the library.")),
        Column("standard_rate", gettext_lazy("Standard rate"), CellType.MONEY, example=Decimal("320.00"),
               width=14, help=gettext_lazy("Per hour; per unit for materials; in the organisation's currency.")),
        Column("overtime_rate", gettext_lazy("Overtime rate"), CellType.MONEY, example=Decimal("480.00"),
               width=14, help=gettext_lazy("Per hour; none for materials.")),
        Column("rate_from", gettext_lazy("Rate from"), CellType.DATE, example=dt.date(2026, 1, 1), width=12,
               help=gettext_lazy("The day the rate holds from; empty: today.")),
        Column("notes", gettext_lazy("Notes"), width=30),
    ),
)  # fmt: skip

ASSIGNMENTS_SHEET = Sheet(
    key="assignments",
    title=gettext_lazy("Assignments"),
    help=gettext_lazy(
        "One resource on one task a row. Give the units for “Units (%)”, the work for “Total work” (materials: "
        "the quantity); the other is derived from the task's working days. A resource assigned to the task "
        "already is refused."
    ),
    columns=(
        Column("task", gettext_lazy("WBS code"), required=True, example="1.2", max_length=64, width=10,
               help=gettext_lazy("The code of a task or milestone of the project (not a summary).")),
        Column("task_name", gettext_lazy("Task"), example="Pour the slab", width=28,
               help=gettext_lazy("For reading only: the import ignores it.")),
        Column("resource", gettext_lazy("Resource code"), required=True, example="P-001", max_length=32, width=12,
               help=gettext_lazy("The code of an active resource of the pool.")),
        Column("resource_name", gettext_lazy("Resource"), example="Wang Fang", width=24,
               help=gettext_lazy("For reading only: the import ignores it.")),
        Column("mode", gettext_lazy("Given as"), CellType.CHOICE, example=AssignmentMode.UNITS,
               choices=tuple(AssignmentMode.choices), width=12,
               help=gettext_lazy("Which of units and work counts. Empty: the one the row fills in.")),
        Column("units", gettext_lazy("Units (%)"), CellType.DECIMAL, example=Decimal("50"), width=10,
               help=gettext_lazy("Percent of one full-time resource, above zero.")),
        Column("work", gettext_lazy("Work"), CellType.DECIMAL, example=Decimal("40"), width=10,
               help=gettext_lazy("Hours; a material's quantity in its unit. Above zero.")),
        Column("note", gettext_lazy("Note"), max_length=255, width=30),
    ),
)  # fmt: skip


# --- the pool ---------------------------------------------------------------------------------


def _rate_for(rates: list[CostRate], today: dt.date) -> CostRate | None:
    """The rate in force today, or the first one when none is yet (``rates`` in date order)."""
    in_force = [rate for rate in rates if rate.effective_from <= today]
    if in_force:
        return in_force[-1]
    return rates[0] if rates else None


def pool_rows(organization: Organization, *, with_rates: bool) -> Iterator[dict[str, Any]]:
    """The organisation's active resources by code as the "Resources" sheet's rows (three queries)."""
    today = organization.today()
    prefetches: list[Any] = [
        Prefetch(
            "skills",
            queryset=ResourceSkill.objects.for_organization(organization)
            .select_related("skill")
            .order_by("skill__name"),
        )
    ]
    if with_rates:
        prefetches.append(
            Prefetch("rates", queryset=CostRate.objects.for_organization(organization).order_by("effective_from", "pk"))
        )
    queryset = (
        Resource.objects.for_organization(organization)
        .filter(is_active=True)
        .select_related("role", "user", "calendar")
        .prefetch_related(*prefetches)
        .order_by("code")
    )
    for resource in queryset.iterator(chunk_size=1000):
        rate = _rate_for(list(resource.rates.all()), today) if with_rates else None
        yield {
            "code": resource.code,
            "name": resource.name,
            "kind": resource.kind,
            "placeholder": resource.is_placeholder,
            "role": resource.role.name if resource.role is not None else "",
            "department": resource.department,
            "user": resource.user.username if resource.user is not None else "",
            "calendar": resource.calendar.name if resource.calendar is not None else "",
            "hours_per_day": resource.hours_per_day,
            "max_units": resource.max_units,
            "unit": resource.unit,
            "skills": ";".join(f"{held.skill.name}:{held.level}" for held in resource.skills.all()),
            "standard_rate": rate.standard_rate if rate is not None else None,
            "overtime_rate": rate.overtime_rate if rate is not None else None,
            "rate_from": rate.effective_from if rate is not None else None,
            "notes": resource.notes,
        }


def pool_workbook(organization: Organization, *, with_rates: bool, progress: Progress | None = None) -> bytes:
    total = Resource.objects.for_organization(organization).filter(is_active=True).count() if progress else 0
    return workbook_bytes(
        [(RESOURCES_SHEET, pool_rows(organization, with_rates=with_rates))], progress=progress, total=total
    )


def pool_template() -> bytes:
    return template_bytes([RESOURCES_SHEET])


def _rows_or_say_none(read: dict[str, list[SheetRow]], sheet: Sheet, errors: WorkbookErrors) -> list[SheetRow]:
    rows = read[sheet.key]
    if not rows and not errors:
        errors.add(sheet, None, "", _("The sheet has no rows under its header."))
    return rows


@transaction.atomic
def pool_import_xlsx(
    *,
    actor: User,
    organization: Organization,
    data: bytes,
    rates_allowed: bool = True,
    progress: Progress | None = None,
) -> list[Resource]:
    """Add every resource of the workbook's "Resources" sheet, or none (``invalid_workbook``)."""
    errors = WorkbookErrors()
    read = read_workbook(data, [RESOURCES_SHEET], errors=errors, progress=progress)
    rows = [
        pool_import.PoolRow(line=row.row, cells=row_cells(row))
        for row in _rows_or_say_none(read, RESOURCES_SHEET, errors)
    ]
    return pool_import.pool_rows_add(
        actor=actor,
        organization=organization,
        rows=rows,
        errors=SheetErrors(errors, RESOURCES_SHEET),
        rates_allowed=rates_allowed,
    )


# --- a project's assignments ------------------------------------------------------------------


def assignment_rows(project: Project) -> Iterator[dict[str, Any]]:
    """The project's assignments in WBS order, then by resource code, as the "Assignments" sheet's rows."""
    queryset = (
        Assignment.objects.for_organization(project.organization_id)
        .filter(project=project)
        .select_related("task", "resource")
        .order_by("task__sort_key", "resource__code", "pk")
    )
    for assignment in queryset.iterator(chunk_size=2000):
        yield {
            "task": assignment.task.code,
            "task_name": assignment.task.name,
            "resource": assignment.resource.code,
            "resource_name": assignment.resource.name,
            "mode": assignment.mode,
            "units": assignment.units,
            "work": assignment.work,
            "note": assignment.note,
        }


def assignments_workbook(project: Project, *, progress: Progress | None = None) -> bytes:
    total = (
        Assignment.objects.for_organization(project.organization_id).filter(project=project).count() if progress else 0
    )
    return workbook_bytes([(ASSIGNMENTS_SHEET, assignment_rows(project))], progress=progress, total=total)


def assignments_template() -> bytes:
    return template_bytes([ASSIGNMENTS_SHEET])


#: Where an assignment service's field problem goes in the sheet.
_ASSIGNMENT_COLUMNS = {"task": "task", "resource": "resource", "units": "units", "work": "work", "note": "note"}


def _amounts(row: SheetRow, resource: Resource) -> tuple[Any, Any]:
    """The units and the work to give the service: the one the mode names (a material's quantity is its
    work), or both as the row fills them in, for the service to say which it needs."""
    mode, units, work = row.values.get("mode"), row.values.get("units"), row.values.get("work")
    if resource.kind == ResourceKind.MATERIAL or mode == AssignmentMode.WORK:
        return None, work
    if mode == AssignmentMode.UNITS:
        return units, None
    return units, work


@transaction.atomic
def assignments_import_xlsx(
    *, actor: User, project: Project, data: bytes, progress: Progress | None = None
) -> list[Assignment]:
    """Add every assignment of the workbook's "Assignments" sheet to the project, or none (``invalid_workbook``).

    Each row goes through ``assignment_create``; the problems of every row are collected before
    anything is kept.
    """
    check_project_open(project)
    errors = WorkbookErrors()
    sheet_errors = SheetErrors(errors, ASSIGNMENTS_SHEET)
    read = read_workbook(data, [ASSIGNMENTS_SHEET], errors=errors, progress=progress)
    rows = _rows_or_say_none(read, ASSIGNMENTS_SHEET, errors)
    organization_id = project.organization_id
    tasks = {task.code: task for task in WbsElement.objects.for_organization(organization_id).filter(project=project)}
    resources = {resource.code.lower(): resource for resource in Resource.objects.for_organization(organization_id)}
    taken = set(
        Assignment.objects.for_organization(organization_id)
        .filter(project=project)
        .values_list("task__code", "resource__code")
    )
    seen: dict[tuple[str, str], int] = {}
    planned: list[tuple[SheetRow, WbsElement, Resource]] = []
    for row in rows:
        code, resource_code = row.values.get("task") or "", row.values.get("resource") or ""
        task = tasks.get(code)
        resource = resources.get(resource_code.lower())
        if code and task is None:
            sheet_errors.add(row.row, "task", _("The project has no WBS element %(code)s.") % {"code": code})
        if resource_code and resource is None:
            sheet_errors.add(row.row, "resource", _("No resource has the code %(code)s.") % {"code": resource_code})
        if task is None or resource is None:
            continue
        key = (task.code, resource.code)
        if key in seen:
            sheet_errors.add(
                row.row, "resource", _("The resource is on this task on row %(row)d too.") % {"row": seen[key]}
            )
            continue
        seen[key] = row.row
        if key in taken:
            sheet_errors.add(
                row.row,
                "resource",
                _("%(resource)s is already assigned to this task: change that assignment instead.")
                % {"resource": resource},
            )
            continue
        planned.append((row, task, resource))
    if errors:
        errors.raise_if_any([ASSIGNMENTS_SHEET])
    created: list[Assignment] = []
    for done, (row, task, resource) in enumerate(planned, start=1):
        units, work = _amounts(row, resource)
        try:
            created.append(
                assignment_create(
                    actor=actor,
                    project=project,
                    task=task,
                    resource=resource,
                    units=units,
                    work=work,
                    note=row.values.get("note") or "",
                )
            )
        except ApplicationError as error:
            for name, messages in (error.fields or {"": [error.message]}).items():
                for message in messages:
                    sheet_errors.add(row.row, _ASSIGNMENT_COLUMNS.get(name, ""), message)
        if progress is not None and done % 500 == 0:
            progress(done, len(planned))
    errors.raise_if_any([ASSIGNMENTS_SHEET])
    return created
