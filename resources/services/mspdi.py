"""MS Project XML (MSPDI): import a file into a new or an empty project, export any project.

The import reads the whole file first (``resources.exchange.mspdi_read``: every problem named,
nothing written on any) and then writes in one transaction, the way the CSV plan import does
(``projects.services.csv_io``): the WBS, links and progress in bulk, renumbered and scheduled once;
then the baseline (Baseline 0) as the file has it, the calendar (an identical calendar of the
organisation is reused, otherwise one is created through the core's calendar services), the
resources (matched by code, then by name; new ones added through the pool's services when the
importer may edit the pool) and the assignments, whose units or work are derived from the
schedule as ``resources.services.assignments`` derives them. One audit event; a report lists what
the product could not represent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pmo.alerts.services import project_evaluation_queue
from pmo.audit import audit_record
from pmo.errors import ApplicationError
from pmo.models import CalendarException, Organization, User, WorkingCalendar
from pmo.services import calendar_create, calendar_exception_add
from projects.models import Baseline, BaselineTask, Dependency, ProgressUpdate, Project, WbsElement, wbs_sort_key
from projects.services.baselines import BaselineTaskValues, baseline_restore
from projects.services.locks import lock_project
from projects.services.plan import renumber, schedule_recompute
from projects.services.projects import project_create, project_update
from resources.exchange.mspdi_read import BaselineEntry, Plan, PlanCalendar, PlanResource, read_plan
from resources.exchange.mspdi_write import (
    ExportAssignment,
    ExportCalendar,
    ExportLink,
    ExportProject,
    ExportResource,
    ExportTask,
    write_project,
)
from resources.models import Assignment, AssignmentMode, CostRate, Resource, ResourceKind
from resources.services.assignments import check_project_open
from resources.services.costing import assignments_refresh, recost_tasks
from resources.services.pool import resource_create
from resources.services.rates_service import cost_rate_add
from resources.services.settings import resource_settings

Progress = Callable[[int, int], None]
#: An import's progress in hundredths: reading the file is the first READ_SHARE, then the plan is
#: written (WRITTEN), scheduled (SCHEDULED), and the baseline, resources and assignments follow.
READ_SHARE = 20
WRITTEN = 30
SCHEDULED = 80
RECOST_SOURCE = "resources.mspdi"
CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class MspdiImport:
    project: Project
    tasks: int
    links: int
    assignments: int
    resources_matched: int
    resources_created: int
    baseline: Baseline | None
    calendar: WorkingCalendar | None
    report: list[str] = field(default_factory=list)


# --- export ---------------------------------------------------------------------------


def _calendar_of(project: Project) -> ExportCalendar:
    calendars = WorkingCalendar.objects.for_organization(project.organization_id)
    calendar = (
        calendars.filter(pk=project.calendar_id).first()
        if project.calendar_id
        else calendars.filter(is_default=True).first()
    )
    if calendar is None:
        return ExportCalendar(name="Standard", weekdays=(0, 1, 2, 3, 4), exceptions=())
    exceptions = (
        CalendarException.objects.for_organization(project.organization_id)
        .filter(calendar=calendar)
        .order_by("date")
        .values_list("date", "is_working", "name")
    )
    return ExportCalendar(
        name=calendar.name, weekdays=tuple(sorted(calendar.working_weekdays)), exceptions=tuple(exceptions)
    )


def _rates(organization_id: int, resource_ids: set[int], on: dt.date) -> dict[int, CostRate]:
    """Each resource's rate in force on ``on``, or its first one when none is yet."""
    chosen: dict[int, CostRate] = {}
    for rate in (
        CostRate.objects.for_organization(organization_id)
        .filter(resource_id__in=resource_ids)
        .order_by("effective_from")
    ):
        current = chosen.get(rate.resource_id)
        if current is None or rate.effective_from <= on:
            chosen[rate.resource_id] = rate
    return chosen


def minutes_per_day(organization: Organization | int) -> int:
    """Minutes in the organisation's working day (its resources' default hours per day)."""
    return int(resource_settings(organization).default_hours_per_day * 60)


def project_export_mspdi(*, project: Project, rates_visible: bool, progress: Progress | None = None) -> bytes:
    """The project as an MSPDI file: its plan, links, calendar, assigned resources, assignments and
    its current baseline as Baseline 0. Rates are written only when ``rates_visible``."""
    organization_id = project.organization_id
    elements = list(WbsElement.objects.for_organization(organization_id).filter(project=project).order_by("sort_key"))
    uid = {element.pk: number for number, element in enumerate(elements, start=1)}
    links: dict[int, list[ExportLink]] = defaultdict(list)
    for predecessor_id, successor_id, link_type, lag in (
        Dependency.objects.for_organization(organization_id)
        .filter(project=project)
        .order_by("pk")
        .values_list("predecessor_id", "successor_id", "type", "lag")
    ):
        links[successor_id].append(ExportLink(uid[predecessor_id], link_type, lag))
    baseline = Baseline.objects.for_organization(organization_id).filter(project=project, is_current=True).first()
    frozen: dict[int, BaselineEntry] = {}
    if baseline is not None:
        for row in BaselineTask.objects.for_organization(organization_id).filter(baseline=baseline, task__isnull=False):
            assert row.task_id is not None
            frozen[row.task_id] = BaselineEntry(row.start, row.finish, row.duration, row.budgeted_cost)
    rows = list(
        Assignment.objects.for_organization(organization_id)
        .filter(project=project)
        .order_by("task__sort_key", "resource__code")
        .values("task_id", "resource_id", "mode", "units", "work", "note")
    )
    resources = list(
        Resource.objects.for_organization(organization_id)
        .filter(pk__in={row["resource_id"] for row in rows})
        .order_by("code")
    )
    rates = (
        _rates(organization_id, {resource.pk for resource in resources}, project.planned_start) if rates_visible else {}
    )
    resource_uid = {resource.pk: number for number, resource in enumerate(resources, start=1)}
    assigned = {row["task_id"] for row in rows}
    tasks = tuple(
        ExportTask(
            uid=uid[element.pk],
            level=element.code.count(".") + 1,
            code=element.code,
            name=element.name,
            kind=element.kind,
            duration=element.duration,
            start=element.planned_start,
            finish=element.planned_finish,
            budgeted_cost=element.budgeted_cost,
            percent=element.percent_complete,
            method=element.percent_complete_method,
            actual_start=element.actual_start if element.is_leaf else None,
            actual_finish=element.actual_finish if element.is_leaf else None,
            notes=element.notes,
            is_critical=element.is_critical,
            links=tuple(links.get(element.pk, ())),
            baseline=frozen.get(element.pk),
            has_assignments=element.pk in assigned,
            constraint_type=element.constraint_type,
            constraint_date=element.constraint_date,
        )
        for element in elements
    )
    document = ExportProject(
        code=project.code,
        name=project.name,
        start=project.planned_start,
        finish=project.scheduled_finish,
        currency=project.currency,
        minutes_per_day=minutes_per_day(organization_id),
        created=timezone.localtime(project.created_at).replace(tzinfo=None),
        calendar=_calendar_of(project),
        tasks=tasks,
        resources=tuple(
            ExportResource(
                uid=resource_uid[resource.pk],
                code=resource.code,
                name=resource.name,
                kind=resource.kind,
                max_units=resource.max_units,
                unit=resource.unit,
                standard_rate=rates[resource.pk].standard_rate if resource.pk in rates else None,
                overtime_rate=rates[resource.pk].overtime_rate if resource.pk in rates else None,
                notes=resource.notes,
            )
            for resource in resources
        ),
        assignments=tuple(
            ExportAssignment(
                uid=number,
                task_uid=uid[row["task_id"]],
                resource_uid=resource_uid[row["resource_id"]],
                mode=row["mode"],
                units=row["units"],
                work=row["work"],
                note=row["note"],
            )
            for number, row in enumerate(rows, start=1)
        ),
    )
    return write_project(document, progress)


# --- import ---------------------------------------------------------------------------


def _calendar_for(actor: User, organization: Organization, plan: PlanCalendar) -> tuple[WorkingCalendar, bool]:
    """An identical calendar of the organisation, or a new one; and whether it was created."""
    calendars = list(WorkingCalendar.objects.for_organization(organization.pk))
    days: dict[int, dict[dt.date, bool]] = defaultdict(dict)
    for calendar_id, day, working in CalendarException.objects.for_organization(organization.pk).values_list(
        "calendar_id", "date", "is_working"
    ):
        days[calendar_id][day] = working
    wanted = dict.fromkeys(plan.holidays, False) | dict.fromkeys(plan.workdays, True)
    for calendar in sorted(calendars, key=lambda item: (not item.is_default, item.name != plan.name, item.pk)):
        if sorted(calendar.working_weekdays) == plan.weekdays and days[calendar.pk] == wanted:
            return calendar, False
    taken = {calendar.name for calendar in calendars}
    name, number = plan.name, 2
    while name in taken:
        name = f"{plan.name[:110]} ({number})"
        number += 1
    created = calendar_create(actor=actor, organization=organization, name=name, working_weekdays=plan.weekdays)
    for day, label in sorted(plan.holidays.items()):
        calendar_exception_add(actor=actor, calendar=created, date=day, is_working=False, name=label)
    for day, label in sorted(plan.workdays.items()):
        calendar_exception_add(actor=actor, calendar=created, date=day, is_working=True, name=label)
    return created, True


def _write_plan(
    actor: User, project: Project, plan: Plan, today: dt.date, progress: Progress | None = None
) -> tuple[dict[int, WbsElement], int]:
    organization_id = project.organization_id
    codes: dict[int, str] = {}
    depth_of: dict[int, int] = {}
    for task in plan.tasks:  # parents come before their children
        prefix = f"{codes[task.parent_uid]}." if task.parent_uid is not None else ""
        codes[task.uid] = f"{prefix}{task.position}"
        depth_of[task.uid] = codes[task.uid].count(".")
    created: dict[int, WbsElement] = {}
    for depth in sorted(set(depth_of.values())):
        level = [task for task in plan.tasks if depth_of[task.uid] == depth]
        elements = WbsElement.objects.bulk_create(
            [
                WbsElement(
                    organization_id=organization_id,
                    project=project,
                    parent=created[task.parent_uid] if task.parent_uid is not None else None,
                    position=task.position,
                    code=codes[task.uid],
                    sort_key=wbs_sort_key(codes[task.uid]),
                    name=task.name,
                    kind=task.kind,
                    duration=task.duration if task.kind != WbsElement.Kind.SUMMARY else 0,
                    budgeted_cost=task.budgeted_cost if task.kind != WbsElement.Kind.SUMMARY else Decimal("0"),
                    percent_complete_method=task.method,
                    percent_complete=task.percent,
                    actual_start=task.actual_start,
                    actual_finish=task.actual_finish,
                    constraint_type=task.constraint_type,
                    constraint_date=task.constraint_date,
                    notes=task.notes,
                )
                for task in level
            ],
            batch_size=500,
        )
        for task, element in zip(level, elements, strict=True):
            created[task.uid] = element
    links = Dependency.objects.bulk_create(
        [
            Dependency(
                organization_id=organization_id,
                project=project,
                predecessor=created[link.predecessor_uid],
                successor=created[link.successor_uid],
                type=link.type,
                lag=link.lag,
            )
            for link in plan.links
        ],
        batch_size=1000,
    )
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(
                organization_id=organization_id,
                task=element,
                project=project,
                effective_date=today,
                percent_complete=element.percent_complete,
                previous_percent_complete=Decimal("0"),
                actual_start=element.actual_start,
                actual_finish=element.actual_finish,
                note=_("Imported from MS Project"),
                updated_by=actor,
            )
            for element in created.values()
            if element.is_leaf and (element.percent_complete > 0 or element.actual_start is not None)
        ],
        batch_size=1000,
    )
    elements = renumber(project, list(created.values()))
    if progress is not None:
        progress(WRITTEN, 100)
    schedule_recompute(project, elements=elements)  # the longest step: the bar waits at WRITTEN
    return created, len(links)


def _write_baseline(actor: User, project: Project, plan: Plan, created: dict[int, WbsElement]) -> Baseline | None:
    """The file's Baseline 0 as the project's current baseline, under a name not taken yet (audited)."""
    entries = [(created[task.uid], task.baseline) for task in plan.tasks if task.baseline is not None]
    if not entries:
        return None
    taken = set(
        Baseline.objects.for_organization(project.organization_id)
        .filter(project=project)
        .values_list("name", flat=True)
    )
    name, number = _("MS Project Baseline 0"), 2
    base = name
    while name in taken:
        name = f"{base} ({number})"
        number += 1
    return baseline_restore(
        actor=actor,
        project=project,
        name=name,
        tasks=[
            BaselineTaskValues(
                task=element,
                code=element.code,
                name=element.name,
                is_milestone=element.kind == WbsElement.Kind.MILESTONE,
                start=entry.start,
                finish=entry.finish,
                duration=entry.duration,
                budgeted_cost=entry.cost,
            )
            for element, entry in entries
        ],
    )


def _resources_for(
    actor: User,
    organization: Organization,
    plan: Plan,
    start: dt.date,
    *,
    pool_allowed: bool,
    rates_allowed: bool,
    report: list[str],
) -> tuple[dict[int, Resource], int, int]:
    """The pool's resource for each of the file's (by code, then by name), created when allowed."""
    pool = list(Resource.objects.for_organization(organization.pk))
    by_code = {resource.code: resource for resource in pool}
    by_name: dict[str, list[Resource]] = defaultdict(list)
    for resource in pool:
        by_name[resource.name].append(resource)
    chosen: dict[int, Resource] = {}
    missing: list[PlanResource] = []
    inactive = 0
    for item in plan.resources:
        named = by_name.get(item.name, [])
        match = by_code.get(item.code) if item.code else (named[0] if len(named) == 1 else None)
        if match is None:
            missing.append(item)
        elif not match.is_active:
            inactive += 1
        else:
            chosen[item.uid] = match
    matched = len(chosen)
    if inactive:
        report.append(
            ngettext(
                "%(count)d resource of the file is inactive in the pool: its assignments were not imported.",
                "%(count)d resources of the file are inactive in the pool: their assignments were not imported.",
                inactive,
            )
            % {"count": inactive}
        )
    if missing and not pool_allowed:
        report.append(
            ngettext(
                "%(count)d resource is not in the pool and only the resource office may add it: its assignments were "
                "not imported.",
                "%(count)d resources are not in the pool and only the resource office may add them: their "
                "assignments were not imported.",
                len(missing),
            )
            % {"count": len(missing)}
        )
        return chosen, matched, 0
    hours = Decimal(plan.minutes_per_day) / 60
    rates_left = 0
    for item in missing:
        code = item.code or _free_code(by_code, item.uid)
        resource = resource_create(
            actor=actor,
            organization=organization,
            code=code,
            name=item.name,
            kind=item.kind,
            hours_per_day=hours if item.kind != ResourceKind.MATERIAL else None,
            max_units=item.max_units if item.kind != ResourceKind.MATERIAL else Decimal("100"),
            unit=item.unit if item.kind == ResourceKind.MATERIAL else "",
            notes=item.notes,
        )
        by_code[code] = resource
        chosen[item.uid] = resource
        if item.standard_rate:
            if rates_allowed:
                cost_rate_add(
                    actor=actor,
                    resource=resource,
                    effective_from=start,
                    standard_rate=item.standard_rate.quantize(Decimal("0.01")),
                    overtime_rate=item.overtime_rate.quantize(Decimal("0.01")) if item.overtime_rate else None,
                    note=_("Imported from MS Project"),
                )
            else:
                rates_left += 1
    if rates_left:
        report.append(
            ngettext(
                "%(count)d new resource's rate was not imported: only the resource office may set rates.",
                "%(count)d new resources' rates were not imported: only the resource office may set rates.",
                rates_left,
            )
            % {"count": rates_left}
        )
    return chosen, matched, len(missing)


def _free_code(taken: dict[str, Resource], uid: int) -> str:
    code, number = f"MSP-{uid}", 2
    while code in taken:
        code = f"MSP-{uid}-{number}"
        number += 1
    return code


def _write_assignments(
    actor: User, project: Project, plan: Plan, created: dict[int, WbsElement], resources: dict[int, Resource]
) -> int:
    rows = []
    for item in plan.assignments:
        resource = resources.get(item.resource_uid)
        if resource is None:
            continue
        material = resource.kind == ResourceKind.MATERIAL
        by_units = item.units is not None and not material
        rows.append(
            Assignment(
                organization_id=project.organization_id,
                project=project,
                task=created[item.task_uid],
                resource=resource,
                mode=AssignmentMode.UNITS if by_units else AssignmentMode.WORK,
                units=item.units if by_units and item.units is not None else Decimal("0"),
                work=Decimal("0") if by_units else (item.work or Decimal("0")),
                note=item.note,
                created_by=actor,
            )
        )
    if not rows:
        return 0
    check_project_open(project)
    Assignment.objects.bulk_create(rows, batch_size=1000)
    assignments_refresh(project)
    recost_tasks(actor=actor, project=project, task_ids=[row.task_id for row in rows], source=RECOST_SOURCE)
    return len(rows)


def _import(
    *,
    actor: User,
    project: Project,
    plan: Plan,
    pool_allowed: bool,
    rates_allowed: bool,
    progress: Progress | None,
) -> MspdiImport:
    organization = project.organization
    report = list(plan.notes)
    calendar, calendar_created = (None, False)
    changes: dict[str, object] = {}
    if plan.calendar is not None:
        calendar, calendar_created = _calendar_for(actor, organization, plan.calendar)
        wanted = None if calendar.is_default else calendar
        if (wanted.pk if wanted else None) != project.calendar_id:
            changes["calendar"] = wanted
    if plan.start is not None and plan.start != project.planned_start:
        changes["planned_start"] = plan.start
        if project.planned_finish is not None and project.planned_finish < plan.start:
            changes["planned_finish"] = None
    if changes:
        project = project_update(actor=actor, project=project, **changes)
    if calendar_created and calendar is not None:
        report.append(_("The calendar “%(name)s” was added to the organisation.") % {"name": calendar.name})
    created, links = _write_plan(actor, project, plan, organization.today(), progress)
    if progress is not None:
        progress(SCHEDULED, 100)
    baseline = _write_baseline(actor, project, plan, created)
    resources, matched, added = _resources_for(
        actor,
        organization,
        plan,
        project.planned_start,
        pool_allowed=pool_allowed,
        rates_allowed=rates_allowed,
        report=report,
    )
    assignments = _write_assignments(actor, project, plan, created, resources)
    audit_record(
        organization=organization,
        actor=actor,
        action="wbs.imported_mspdi",
        target=project,
        changes={
            "elements": [0, len(created)],
            "dependencies": [0, links],
            "assignments": [0, assignments],
            "resources_created": [0, added],
            "baseline": [None, baseline.name if baseline else None],
        },
    )
    if assignments or baseline is not None:
        project_evaluation_queue(project)
    return MspdiImport(
        project=project,
        tasks=len(created),
        links=links,
        assignments=assignments,
        resources_matched=matched,
        resources_created=added,
        baseline=baseline,
        calendar=calendar,
        report=report,
    )


def _plan_of(organization: Organization, content: bytes, progress: Progress | None) -> Plan:
    def reading(done: int, total: int) -> None:
        if progress is not None and total > 0:
            progress(done * READ_SHARE, total * 100)

    return read_plan(content, window=organization.date_window, today=organization.today(), progress=reading)


@transaction.atomic
def project_import_mspdi(
    *,
    actor: User,
    project: Project,
    content: bytes,
    pool_allowed: bool = False,
    rates_allowed: bool = False,
    progress: Progress | None = None,
) -> MspdiImport:
    """Import an MSPDI file into a project whose plan is empty; nothing is written on any error."""
    project = lock_project(project)
    if WbsElement.objects.for_organization(project.organization_id).filter(project=project).exists():
        raise ApplicationError(
            _("The project already has a plan; import into a project whose plan is empty."),
            code="plan_not_empty",
            fields={"file": [_("The plan is not empty.")]},
        )
    plan = _plan_of(project.organization, content, progress)
    return _import(
        actor=actor,
        project=project,
        plan=plan,
        pool_allowed=pool_allowed,
        rates_allowed=rates_allowed,
        progress=progress,
    )


@transaction.atomic
def project_create_from_mspdi(
    *,
    actor: User,
    organization: Organization,
    content: bytes,
    code: str,
    name: str = "",
    pool_allowed: bool = False,
    rates_allowed: bool = False,
    progress: Progress | None = None,
) -> MspdiImport:
    """A new project (managed by ``actor``) with the file's plan; nothing is written on any error."""
    plan = _plan_of(organization, content, progress)
    fields: dict[str, object] = {
        "code": code.strip(),
        "name": (name or "").strip() or plan.name or code.strip(),
        "planned_start": plan.start or organization.today(),
        "manager": actor,
    }
    if CURRENCY.match(plan.currency):
        fields["currency"] = plan.currency
    project = project_create(actor=actor, organization=organization, **fields)
    return _import(
        actor=actor,
        project=project,
        plan=plan,
        pool_allowed=pool_allowed,
        rates_allowed=rates_allowed,
        progress=progress,
    )
