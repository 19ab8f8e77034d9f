"""Progress reported on a project's tasks, kept as history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from pmo.alerts.services import project_evaluation_queue
from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import User
from projects import registries
from projects.models import PercentCompleteMethod, ProgressUpdate, WbsElement
from projects.services.locks import lock_project
from projects.services.schedule import schedule_recompute

HUNDRED = Decimal("100")


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
    project = lock_project(task.project)
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
    if percent >= HUNDRED > task.percent_complete:
        held = [reason for guard in registries.completion_guards if (reason := guard(task))]
        if held:
            raise ApplicationError(" ".join(held), code="completion_held", fields={"percent_complete": held})

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
    project_evaluation_queue(project)
    return update
