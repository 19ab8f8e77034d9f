"""Writes to a project's WBS: the tree of elements, its codes, and the dependencies between tasks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from pmo.alerts.services import project_evaluation_queue
from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import User
from pmo.money import validate_money
from projects import registries
from projects.models import (
    BaselineTask,
    ConstraintType,
    Dependency,
    DependencyType,
    PercentCompleteMethod,
    Project,
    WbsElement,
    wbs_sort_key,
)
from projects.scheduling import DependencyInput, find_cycle
from projects.services.locks import lock_project
from projects.services.schedule import _elements, schedule_recompute

ELEMENT_FIELDS = [
    "name",
    "kind",
    "duration",
    "budgeted_cost",
    "percent_complete_method",
    "notes",
    "constraint_type",
    "constraint_date",
]
#: Levels a WBS may nest (1 is the top); deeper plans are refused, and their codes stay within the column.
MAX_WBS_DEPTH = 20


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
    longest = WbsElement._meta.get_field("code").max_length or 0
    too_long = next((element.code for element in changed if len(element.code) > longest), None)
    if too_long is not None:
        raise ApplicationError(
            _("The WBS code %(code)s would be longer than %(count)d characters; flatten the plan.")
            % {"code": too_long, "count": longest},
            code="wbs_too_deep",
        )
    WbsElement.objects.for_organization(project.organization_id).bulk_update(
        changed, ["code", "position", "sort_key"], batch_size=500
    )
    return elements


def _depth(element: WbsElement) -> int:
    """The level of an element in its tree (1 at the top), read from its code."""
    return element.code.count(".") + 1


def _branch_height(element: WbsElement) -> int:
    """Levels in the branch an element heads: 1 for a leaf."""
    descendants = WbsElement.objects.for_organization(element.organization_id).filter(
        project_id=element.project_id, code__startswith=f"{element.code}."
    )
    deepest = max((code.count(".") + 1 for code in descendants.values_list("code", flat=True)), default=0)
    return max(deepest - _depth(element), 0) + 1


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
    height = _branch_height(element) if element is not None and element.code else 1
    if _depth(parent) + height > MAX_WBS_DEPTH:
        raise ApplicationError(
            _("A WBS may nest at most %(count)d levels.") % {"count": MAX_WBS_DEPTH},
            code="wbs_too_deep",
            fields={
                "parent": [_("Choose an element at most %(level)d levels deep.") % {"level": MAX_WBS_DEPTH - height}]
            },
        )


def _promote_to_summary(parent: WbsElement | None) -> None:
    """A task that receives children becomes a summary, if nothing of its own would be lost."""
    if parent is None or parent.kind != WbsElement.Kind.TASK:
        return
    links = Dependency.objects.for_organization(parent.organization_id).filter(
        Q(predecessor=parent) | Q(successor=parent)
    )
    if parent.constraint_type != ConstraintType.ASAP:
        raise ApplicationError(
            _("“%(task)s” has a date constraint; set it to “As soon as possible” before giving it sub-elements.")
            % {"task": parent.name},
            code="task_in_use",
            fields={"parent": [_("Choose a summary element or an unconstrained task.")]},
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


def _check_constraint(project: Project, element: WbsElement) -> None:
    """A constraint's date is given exactly when it is not as soon as possible, on a task or milestone,
    within the organisation's date window."""
    if element.constraint_type == ConstraintType.ASAP:
        if element.constraint_date is not None:
            raise ApplicationError(
                _("“As soon as possible” takes no date."),
                code="invalid_constraint",
                fields={"constraint_date": [_("Leave the date empty, or choose another constraint.")]},
            )
        return
    if element.kind == WbsElement.Kind.SUMMARY:
        raise ApplicationError(
            _("A summary element has no constraint: constrain its tasks."),
            code="invalid_constraint",
            fields={"constraint_type": [_("Choose “As soon as possible”.")]},
        )
    if element.constraint_date is None:
        raise ApplicationError(
            _("“%(constraint)s” needs a date.") % {"constraint": element.get_constraint_type_display()},
            code="invalid_constraint",
            fields={"constraint_date": [_("Enter the constraint's date.")]},
        )
    window = project.organization.date_window
    if not window.contains(element.constraint_date):
        raise ApplicationError(
            window.message(), code="date_out_of_range", fields={"constraint_date": [window.message()]}
        )


def _validated(element: WbsElement) -> None:
    """The model's checks (the money limit among them) as the one error body, on a page as in the API."""
    try:
        element.full_clean(exclude=["code"])
    except ValidationError as error:
        raise ApplicationError(
            "; ".join(error.messages), fields=getattr(error, "message_dict", {}), code="invalid"
        ) from error


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
    constraint_type: str = ConstraintType.ASAP,
    constraint_date: dt.date | None = None,
) -> WbsElement:
    project = lock_project(project)
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
        constraint_type=constraint_type,
        constraint_date=constraint_date,
        code="",
    )
    _clean_leaf_fields(element)
    _check_constraint(project, element)
    _validated(element)
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
    project = lock_project(element.project)
    element = WbsElement.objects.for_organization(project.organization_id).get(pk=element.pk)
    unknown = set(fields) - {*ELEMENT_FIELDS, "parent", "position"}
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    before = snapshot(element, [*ELEMENT_FIELDS, "parent_id", "position"])
    if "budgeted_cost" in fields and fields["budgeted_cost"] != element.budgeted_cost:
        derived = [reason for guard in registries.cost_guards if (reason := guard(element))]
        if derived:
            raise ApplicationError(" ".join(derived), code="cost_derived", fields={"budgeted_cost": derived})
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
    if fields.get("constraint_type") == ConstraintType.ASAP and "constraint_date" not in fields:
        element.constraint_date = None  # as soon as possible clears the date it no longer needs
    _clean_leaf_fields(element)
    _check_constraint(project, element)
    _validated(element)
    changes = diff(before, snapshot(element, [*ELEMENT_FIELDS, "parent_id", "position"]))
    if not changes:
        return element
    element.save()
    elements = renumber(project)
    schedule_recompute(project, elements=elements)
    element.refresh_from_db()
    audit_record(organization=project.organization, actor=actor, action="wbs.updated", target=element, changes=changes)
    if "percent_complete_method" in changes:
        project_evaluation_queue(project)  # the method turns progress into earned value
    return element


@transaction.atomic
def wbs_element_delete(*, actor: User, element: WbsElement) -> None:
    project = lock_project(element.project)
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
    if baselined:
        project_evaluation_queue(project)  # its baseline entry, budget and progress go with it


@transaction.atomic
def task_costs_set(*, actor: User, project: Project, costs: dict[int, Decimal], source: str = "") -> dict[int, Decimal]:
    """Set the budgeted cost of some tasks at once, roll it up to the summaries and audit it as one change.

    An app that prices the plan (bottom-up costing from resource assignments) calls this; ``costs``
    maps task ids of the project to their new cost. Ids of another project, summaries, and amounts
    that are negative or beyond the money limit are refused and nothing is saved. Returns the
    costs that changed.
    """
    project = lock_project(project)
    elements = _elements(project)
    by_id = {element.pk: element for element in elements}
    unknown = sorted(set(costs) - set(by_id))
    if unknown:
        raise ApplicationError(
            _("These tasks are not in the project: %(ids)s.") % {"ids": ", ".join(str(pk) for pk in unknown)},
            code="not_in_project",
        )
    if any(not by_id[pk].is_leaf for pk in costs):
        raise ApplicationError(
            _("Only tasks and milestones have a cost of their own, not summaries."), code="summary_cost"
        )
    for amount in costs.values():
        if amount < 0:
            raise ApplicationError(_("The budgeted cost cannot be negative."), code="invalid")
        try:
            validate_money(amount)
        except ValidationError as error:
            raise ApplicationError("; ".join(error.messages), code="money_out_of_range") from error
    cents = Decimal("0.01")
    changed = {
        pk: amount.quantize(cents) for pk, amount in costs.items() if by_id[pk].budgeted_cost != amount.quantize(cents)
    }
    if not changed:
        return {}
    before = {pk: by_id[pk].budgeted_cost for pk in changed}
    for pk, amount in changed.items():
        by_id[pk].budgeted_cost = amount
    WbsElement.objects.for_organization(project.organization_id).bulk_update(
        [by_id[pk] for pk in changed], ["budgeted_cost"], batch_size=500
    )
    schedule_recompute(project, elements=elements)
    audit_record(
        organization=project.organization,
        actor=actor,
        action="wbs.costs_set",
        target=project,
        changes={
            "budgeted_cost": {str(pk): [str(before[pk]), str(amount)] for pk, amount in sorted(changed.items())},
            **({"source": [None, source]} if source else {}),
        },
    )
    project_evaluation_queue(project)  # the planned value follows the budgeted cost
    return changed


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
    project = lock_project(project)
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
    project = lock_project(dependency.project)
    # Another request may have deleted it while this one waited for the lock: then it is not found.
    dependency = Dependency.objects.for_organization(project.organization_id).get(pk=dependency.pk)
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
    project = lock_project(dependency.project)
    audit_record(
        organization=project.organization,
        actor=actor,
        action="dependency.deleted",
        target=dependency,
        changes={"link": [str(dependency), None]},
    )
    dependency.delete()
    schedule_recompute(project)
