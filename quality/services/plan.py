"""A project's inspection and test plan: which checklist applies to which WBS element, milestone or
phase, when, who inspects, and which entries are hold points.

Every write takes the project row's lock first (``projects.services.locks``), checks what a user
could get wrong with a clear error, and writes its audit event in the same transaction. Who may
write is the callers' check (``QualityAction.PLAN_MANAGE``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import OrgRole, User
from projects.models import OPEN_PHASES, Project, ProjectRole, WbsElement
from projects.services.locks import lock_project
from quality.models import ChecklistTemplate, Inspection, PlanEntry
from quality.services.inspections import check_element, check_open_project
from quality.services.settings import validated

#: Who the plan says inspects: the organisation's quality role or one of the project roles.
INSPECTOR_ROLES: list[tuple[str, Any]] = [
    (OrgRole.QUALITY.value, gettext_lazy("Quality role")),
    *((role.value, role.label) for role in ProjectRole),
]
PLAN_FIELDS = [
    "template_code",
    "wbs_element",
    "phase",
    "planned_date",
    "before_task_finish",
    "inspector_role",
    "hold_point",
    "notes",
]


def _invalid(field: str, message: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]})


def _clean(project: Project, values: dict[str, Any]) -> dict[str, Any]:
    """The entry's values checked against the organisation and the project, in the order a form shows them."""
    organization = project.organization
    code = (values.get("template_code") or "").strip()
    if not code:
        raise _invalid("template_code", _("Choose a checklist template."))
    if not ChecklistTemplate.objects.for_organization(organization).filter(code=code, is_current=True).exists():
        raise _invalid("template_code", _("No current checklist template has the code %(code)s.") % {"code": code})
    values["template_code"] = code
    element: WbsElement | None = values.get("wbs_element")
    check_element(project, element)
    phase = (values.get("phase") or "").strip()
    if phase and phase not in OPEN_PHASES:
        raise _invalid("phase", _("Choose an open phase: initiation, planning, execution, closing or operations."))
    values["phase"] = phase
    if element is None and not phase:
        raise _invalid("wbs_element", _("Say where the inspection applies: a WBS element, a milestone or a phase."))
    planned: dt.date | None = values.get("planned_date")
    if planned is not None and not organization.date_window.contains(planned):
        raise _invalid("planned_date", organization.date_window.message(), code="date_out_of_range")
    role = (values.get("inspector_role") or "").strip()
    if role and role not in dict(INSPECTOR_ROLES):
        raise _invalid("inspector_role", _("Choose the quality role or a project role."))
    values["inspector_role"] = role
    if values.get("hold_point") and element is None:
        raise _invalid("hold_point", _("A hold point holds a task: choose the WBS element it holds."))
    if values.get("before_task_finish") and element is None:
        raise _invalid("before_task_finish", _("Choose the task the inspection must come before."))
    values["notes"] = (values.get("notes") or "").strip()
    return values


@transaction.atomic
def plan_entry_add(
    *,
    actor: User,
    project: Project,
    template_code: str,
    wbs_element: WbsElement | None = None,
    phase: str = "",
    planned_date: dt.date | None = None,
    before_task_finish: bool = False,
    inspector_role: str = "",
    hold_point: bool = False,
    notes: str = "",
) -> PlanEntry:
    """Add a line to the project's inspection and test plan."""
    project = lock_project(project)
    check_open_project(project)
    values = _clean(
        project,
        {
            "template_code": template_code,
            "wbs_element": wbs_element,
            "phase": phase,
            "planned_date": planned_date,
            "before_task_finish": bool(before_task_finish),
            "inspector_role": inspector_role,
            "hold_point": bool(hold_point),
            "notes": notes,
        },
    )
    entry = PlanEntry(organization_id=project.organization_id, project=project, **values)
    validated(entry)
    entry.save()
    audit_record(
        organization=project.organization,
        actor=actor,
        action="quality_plan.entry_added",
        target=entry,
        changes=diff({}, snapshot(entry, PLAN_FIELDS)),
    )
    return entry


def _locked_entry(entry: PlanEntry) -> tuple[Project, PlanEntry]:
    project = lock_project(entry.project_id, entry.organization_id)
    locked = (
        PlanEntry.objects.for_organization(entry.organization_id)
        .select_for_update(of=("self",), no_key=True)
        .select_related("wbs_element")
        .get(pk=entry.pk, project=project)
    )
    locked.project = project
    return project, locked


@transaction.atomic
def plan_entry_update(*, actor: User, entry: PlanEntry, **fields: Any) -> PlanEntry:
    """Change a line of the plan; the fields left out keep their values."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"not plan entry fields: {sorted(unknown)}")
    project, entry = _locked_entry(entry)
    check_open_project(project)
    before = snapshot(entry, PLAN_FIELDS)
    values = _clean(project, {**before, **fields})
    for name, value in values.items():
        setattr(entry, name, value)
    validated(entry)
    entry.save()
    changes = diff(before, snapshot(entry, PLAN_FIELDS))
    if changes:
        audit_record(
            organization=project.organization,
            actor=actor,
            action="quality_plan.entry_updated",
            target=entry,
            changes=changes,
        )
    return entry


@transaction.atomic
def plan_entry_delete(*, actor: User, entry: PlanEntry) -> None:
    """Take a line off the plan; refused once an inspection was scheduled from it (that record stays)."""
    project, entry = _locked_entry(entry)
    check_open_project(project)
    used = Inspection.objects.for_organization(project.organization_id).filter(plan_entry=entry).count()
    if used:
        raise ApplicationError(
            _(
                "An inspection was scheduled from this plan entry: it stays on the plan. "
                "Change its date or notes instead."
            ),
            code="plan_entry_used",
        )
    audit_record(
        organization=project.organization,
        actor=actor,
        action="quality_plan.entry_deleted",
        target=entry,
        changes=diff(snapshot(entry, PLAN_FIELDS), {}),
    )
    entry.delete()
