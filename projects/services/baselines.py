"""Baselines: frozen copies of a project's plan, one of them current."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pmo.alerts.services import project_evaluation_queue
from pmo.audit import audit_record
from pmo.errors import ApplicationError
from pmo.models import User
from projects.models import Baseline, BaselineTask, Project, WbsElement, wbs_sort_key
from projects.services.locks import lock_project
from projects.services.schedule import _elements, schedule_recompute


@transaction.atomic
def baseline_create(
    *, actor: User, project: Project, name: str, make_current: bool = True, change_request: Any = None
) -> Baseline:
    """Freeze every task's scheduled start, finish, duration and budgeted cost."""
    project = lock_project(project)
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
    if make_current:
        project_evaluation_queue(project)
    return baseline


@transaction.atomic
def baseline_set_current(*, actor: User, baseline: Baseline) -> Baseline:
    project = lock_project(baseline.project)
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
    project_evaluation_queue(project)
    return baseline


@dataclass(frozen=True)
class BaselineTaskValues:
    """A task of a baseline as given (an import's row): the plan's task it measures, if any, and its values."""

    task: WbsElement | None
    code: str
    name: str
    is_milestone: bool
    start: dt.date
    finish: dt.date
    duration: int
    budgeted_cost: Decimal


@transaction.atomic
def baseline_restore(*, actor: User, project: Project, name: str, tasks: Sequence[BaselineTaskValues]) -> Baseline:
    """Make a baseline of the given values the project's current one (an imported plan's baseline).

    Unlike ``baseline_create`` the values are not the plan's as it stands but those given, which
    the caller has checked; a task from another project is refused.
    """
    project = lock_project(project)
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the baseline a name."), fields={"name": [_("This field is required.")]})
    if not tasks:
        raise ApplicationError(_("A baseline needs at least one task in the plan."), code="empty_plan")
    if any(
        (values.task is not None and values.task.project_id != project.pk) or values.finish < values.start
        for values in tasks
    ):
        raise ApplicationError(_("The baseline's tasks do not fit the project."), code="invalid_baseline")
    baselines = Baseline.objects.for_organization(project.organization_id).filter(project=project)
    if baselines.filter(name=name).exists():
        raise ApplicationError(
            _("The project already has a baseline with this name."), fields={"name": [_("Choose another name.")]}
        )
    baselines.filter(is_current=True).update(is_current=False)
    baseline = Baseline.objects.create(
        organization_id=project.organization_id, project=project, name=name, is_current=True, created_by=actor
    )
    BaselineTask.objects.bulk_create(
        [
            BaselineTask(
                organization_id=project.organization_id,
                baseline=baseline,
                task=values.task,
                code=values.code,
                sort_key=wbs_sort_key(values.code),
                name=values.name,
                is_milestone=values.is_milestone,
                start=values.start,
                finish=values.finish,
                duration=values.duration,
                budgeted_cost=values.budgeted_cost,
            )
            for values in tasks
        ],
        batch_size=1000,
    )
    audit_record(
        organization=project.organization,
        actor=actor,
        action="baseline.restored",
        target=baseline,
        changes={"name": [None, name], "tasks": [None, len(tasks)], "current": [None, True]},
    )
    project_evaluation_queue(project)
    return baseline
