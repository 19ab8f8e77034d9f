"""A project's budget in versions: draft → submitted → approved (current) or rejected.

A new version starts as a copy of the current approved one (its lines and reserves) and is
edited as a draft; a project has at most one draft or submitted version at a time. Finance
approves a submitted version, never the person who submitted it (separation of duties);
approving makes it the project's current budget and the previous current version
``superseded``, so a project has exactly one current approved version once it has any. An
approved or implemented change request with a cost impact opens a new draft linked to it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from finance.models import ZERO, BudgetLine, BudgetVersion, CostCategory
from finance.selectors import BUDGETED_CHANGES, current_budget_version
from finance.services.categories import (
    check_category,
    check_element,
    cost_categories_ensure_defaults,
    validated,
)
from pmo.alerts.services import project_evaluation_queue
from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Membership, OrgRole, User
from projects.models import ChangeRequest, ChangeRequestElement, Project, WbsElement
from projects.services.locks import lock_project, lock_project_row

OPEN_STATUSES = (BudgetVersion.Status.DRAFT, BudgetVersion.Status.SUBMITTED)
VERSION_FIELDS = ["contingency_reserve", "management_reserve", "note"]
LINE_FIELDS = ["category", "amount", "wbs_element", "note"]


def _locked_version(version: BudgetVersion) -> BudgetVersion:
    return lock_project_row(version, "organization")


def _require_draft(version: BudgetVersion) -> None:
    if version.status != BudgetVersion.Status.DRAFT:
        raise ApplicationError(
            _("Only a draft budget version can be changed; v%(number)d is %(status)s.")
            % {"number": version.number, "status": BudgetVersion.Status(version.status).label},
            code="not_draft",
        )


def _illegal(version: BudgetVersion, wanted: str) -> ApplicationError:
    return ApplicationError(
        _("Budget version v%(number)d is %(status)s; it cannot be %(wanted)s.")
        % {"number": version.number, "status": BudgetVersion.Status(version.status).label, "wanted": wanted},
        code="illegal_transition",
    )


def _require_finance(membership: Membership, version: BudgetVersion) -> None:
    if membership.organization_id != version.organization_id or membership.role != OrgRole.FINANCE:
        raise ApplicationError(
            _("Only finance approves or rejects budget versions."), code="permission_denied", status_code=403
        )


def _check_reserve(field: str, value: Decimal) -> None:
    if value < 0:
        raise ApplicationError(_("A reserve cannot be negative."), fields={field: [_("Enter zero or more.")]})


def _check_change_request(project: Project, change_request: ChangeRequest) -> None:
    """A change request opens a budget version when it is decided in favour and moves the cost."""
    if change_request.organization_id != project.organization_id or change_request.project_id != project.pk:
        raise ApplicationError(_("Not found."), fields={"change_request": [_("Not found.")]})
    if change_request.status not in BUDGETED_CHANGES:
        raise ApplicationError(
            _("Only an approved or implemented change request changes the budget."),
            code="change_not_approved",
            fields={"change_request": [_("Not approved.")]},
        )
    if not change_request.impact_cost:
        raise ApplicationError(
            _("The change request has no cost impact; the budget stays as it is."),
            code="no_cost_impact",
            fields={"change_request": [_("No cost impact.")]},
        )
    already = (
        BudgetVersion.objects.for_organization(project.organization_id)
        .filter(change_request=change_request)
        .exclude(status=BudgetVersion.Status.REJECTED)
        .values_list("number", flat=True)
        .first()
    )
    if already is not None:
        raise ApplicationError(
            _("Budget version v%(number)d already carries this change request.") % {"number": already},
            code="change_already_budgeted",
            fields={"change_request": [_("Already in a budget version.")]},
        )


def _change_request_line(version: BudgetVersion, change_request: ChangeRequest) -> BudgetLine:
    """The change's cost impact as a line of the draft: the first active category, and the one
    WBS element the change affects if it names exactly one; the editor adjusts it as needed."""
    cost_categories_ensure_defaults(version.organization)
    category = (
        CostCategory.objects.for_organization(version.organization_id)
        .filter(is_active=True)
        .order_by("order", "name")
        .first()
    )
    if category is None:
        raise ApplicationError(
            _("Add an active cost category first: the change request's cost impact needs one."),
            code="no_cost_category",
            fields={"change_request": [_("No active cost category.")]},
        )
    affected = list(
        ChangeRequestElement.objects.for_organization(version.organization_id)
        .filter(change_request=change_request)
        .values_list("element_id", flat=True)[:2]
    )
    note = _("CR-%(number)d %(title)s") % {"number": change_request.number, "title": change_request.title}
    line = BudgetLine(
        organization_id=version.organization_id,
        version=version,
        category=category,
        wbs_element_id=affected[0] if len(affected) == 1 else None,
        amount=change_request.impact_cost,
        note=note[:255],
        change_request=change_request,
    )
    line.save()
    return line


# --- versions -------------------------------------------------------------------------


@transaction.atomic
def budget_version_create(
    *, actor: User, project: Project, note: str = "", change_request: ChangeRequest | None = None
) -> BudgetVersion:
    """Open a draft: the next number, prefilled with the current approved version's lines and reserves."""
    project = lock_project(project)
    if not project.is_open:
        raise ApplicationError(_("A closed or cancelled project takes no budget changes."), code="project_closed")
    if change_request is not None:
        _check_change_request(project, change_request)
    versions = BudgetVersion.objects.for_organization(project.organization_id).filter(project=project)
    pending = versions.filter(status__in=OPEN_STATUSES).values_list("number", flat=True).first()
    if pending is not None:
        raise ApplicationError(
            _("Budget version v%(number)d is still open; approve, reject or finish it first.") % {"number": pending},
            code="open_version_exists",
        )
    current = current_budget_version(project)
    version = BudgetVersion.objects.create(
        organization_id=project.organization_id,
        project=project,
        number=(versions.aggregate(last=Max("number"))["last"] or 0) + 1,
        status=BudgetVersion.Status.DRAFT,
        contingency_reserve=current.contingency_reserve if current is not None else ZERO,
        management_reserve=current.management_reserve if current is not None else ZERO,
        note=(note or "").strip(),
        change_request=change_request,
        created_by=actor,
    )
    copied: list[BudgetLine] = []
    if current is not None:
        copied = BudgetLine.objects.bulk_create(
            [
                BudgetLine(
                    organization_id=project.organization_id,
                    version=version,
                    category_id=line.category_id,
                    wbs_element_id=line.wbs_element_id,
                    amount=line.amount,
                    note=line.note,
                    change_request_id=line.change_request_id,
                )
                for line in BudgetLine.objects.for_organization(project.organization_id)
                .filter(version=current)
                .order_by("pk")
            ]
        )
    if change_request is not None:
        copied.append(_change_request_line(version, change_request))
    audit_record(
        organization=project.organization,
        actor=actor,
        action="budget_version.created",
        target=version,
        changes={
            "project": [None, project.pk],
            "number": [None, version.number],
            "copied_from": [None, current.number if current is not None else None],
            "lines": [0, len(copied)],
            "change_request": [None, change_request.pk if change_request is not None else None],
        },
    )
    return version


@transaction.atomic
def budget_version_update(
    *,
    actor: User,
    version: BudgetVersion,
    contingency_reserve: Decimal | None = None,
    management_reserve: Decimal | None = None,
    note: str | None = None,
) -> BudgetVersion:
    """Change a draft's reserves or note; what is None stays."""
    version = _locked_version(version)
    _require_draft(version)
    before = snapshot(version, VERSION_FIELDS)
    if contingency_reserve is not None:
        _check_reserve("contingency_reserve", contingency_reserve)
        version.contingency_reserve = contingency_reserve
    if management_reserve is not None:
        _check_reserve("management_reserve", management_reserve)
        version.management_reserve = management_reserve
    if note is not None:
        version.note = note.strip()
    validated(version, exclude=["created_by", "submitted_by", "decided_by", "change_request", "project"])
    changes = diff(before, snapshot(version, VERSION_FIELDS))
    if changes:
        version.save(update_fields=list(changes))
        audit_record(
            organization=version.organization,
            actor=actor,
            action="budget_version.updated",
            target=version,
            changes=changes,
        )
    return version


@transaction.atomic
def budget_version_submit(*, actor: User, version: BudgetVersion) -> BudgetVersion:
    """Send a draft to finance for approval; it needs at least one line."""
    version = _locked_version(version)
    if version.status != BudgetVersion.Status.DRAFT:
        raise _illegal(version, _("submitted"))
    if not BudgetLine.objects.for_organization(version.organization_id).filter(version=version).exists():
        raise ApplicationError(_("Add at least one budget line before submitting."), code="no_lines")
    version.status = BudgetVersion.Status.SUBMITTED
    version.submitted_by = actor
    version.submitted_at = timezone.now()
    version.save(update_fields=["status", "submitted_by", "submitted_at"])
    audit_record(
        organization=version.organization,
        actor=actor,
        action="budget_version.submitted",
        target=version,
        changes={"status": [BudgetVersion.Status.DRAFT, BudgetVersion.Status.SUBMITTED]},
    )
    project_evaluation_queue(version.project)
    return version


@transaction.atomic
def budget_version_approve(
    *, actor: User, membership: Membership, version: BudgetVersion, comment: str = ""
) -> BudgetVersion:
    """Finance approves a submitted version, which becomes current; the previous one is superseded.

    The person who submitted the version may not approve it (403 ``separation_of_duties``).
    """
    _require_finance(membership, version)
    version = _locked_version(version)
    if version.status != BudgetVersion.Status.SUBMITTED:
        raise _illegal(version, _("approved"))
    if version.submitted_by_id in (actor.pk, membership.user_id):
        raise ApplicationError(
            _("You submitted this budget version; someone else in finance must approve it."),
            code="separation_of_duties",
            status_code=403,
        )
    previous = (
        BudgetVersion.objects.for_organization(version.organization_id)
        .select_for_update(of=("self",), no_key=True)
        .filter(project_id=version.project_id, is_current=True)
        .first()
    )
    if previous is not None:
        previous.is_current = False
        previous.status = BudgetVersion.Status.SUPERSEDED
        previous.save(update_fields=["is_current", "status"])
        audit_record(
            organization=version.organization,
            actor=actor,
            action="budget_version.superseded",
            target=previous,
            changes={
                "status": [BudgetVersion.Status.APPROVED, BudgetVersion.Status.SUPERSEDED],
                "by": [None, version.pk],
            },
        )
    version.status = BudgetVersion.Status.APPROVED
    version.is_current = True
    version.decided_by = actor
    version.decided_at = timezone.now()
    version.decision_comment = (comment or "").strip()
    version.save(update_fields=["status", "is_current", "decided_by", "decided_at", "decision_comment"])
    audit_record(
        organization=version.organization,
        actor=actor,
        action="budget_version.approved",
        target=version,
        changes={
            "status": [BudgetVersion.Status.SUBMITTED, BudgetVersion.Status.APPROVED],
            "is_current": [False, True],
            "supersedes": [None, previous.pk if previous is not None else None],
        },
    )
    project_evaluation_queue(version.project)
    return version


@transaction.atomic
def budget_version_reject(
    *, actor: User, membership: Membership, version: BudgetVersion, comment: str
) -> BudgetVersion:
    """Finance sends a submitted version back with a reason; the current budget stays as it is."""
    _require_finance(membership, version)
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError(
            _("Say why the budget version is rejected."), fields={"comment": [_("This field is required.")]}
        )
    version = _locked_version(version)
    if version.status != BudgetVersion.Status.SUBMITTED:
        raise _illegal(version, _("rejected"))
    version.status = BudgetVersion.Status.REJECTED
    version.decided_by = actor
    version.decided_at = timezone.now()
    version.decision_comment = comment
    version.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    audit_record(
        organization=version.organization,
        actor=actor,
        action="budget_version.rejected",
        target=version,
        changes={"status": [BudgetVersion.Status.SUBMITTED, BudgetVersion.Status.REJECTED], "comment": [None, comment]},
    )
    project_evaluation_queue(version.project)
    return version


@transaction.atomic
def budget_version_from_change_request(*, actor: User, change_request: ChangeRequest) -> BudgetVersion:
    """Open a draft for an approved (or implemented) change request with a cost impact, linked to it."""
    change_request = (
        ChangeRequest.objects.for_organization(change_request.organization_id)
        .select_related("project")
        .get(pk=change_request.pk)
    )
    note = _("CR-%(number)d %(title)s (cost impact %(impact)s)") % {
        "number": change_request.number,
        "title": change_request.title,
        "impact": change_request.impact_cost,
    }
    return budget_version_create(actor=actor, project=change_request.project, note=note, change_request=change_request)


# --- lines ----------------------------------------------------------------------------


def _check_line(
    version: BudgetVersion,
    category: CostCategory | None,
    element: WbsElement | None,
    amount: Decimal,
    *,
    carries_change: bool = False,
) -> None:
    """``category`` is None when it is not being chosen (a line keeps a category switched off since).

    Only the line carrying a change request may be negative: the change saves money.
    """
    if category is not None:
        check_category(version.organization_id, category)
    check_element(version.project, element)
    if amount < 0 and not carries_change:
        raise ApplicationError(_("A budget line cannot be negative."), fields={"amount": [_("Enter zero or more.")]})


def _line_snapshot(line: BudgetLine) -> dict[str, Any]:
    return {
        "category": line.category_id,
        "amount": line.amount,
        "wbs_element": line.wbs_element_id,
        "note": line.note,
    }


@transaction.atomic
def budget_line_add(
    *,
    actor: User,
    version: BudgetVersion,
    category: CostCategory,
    amount: Decimal,
    wbs_element: WbsElement | None = None,
    note: str = "",
) -> BudgetLine:
    version = _locked_version(version)
    _require_draft(version)
    _check_line(version, category, wbs_element, amount)
    line = BudgetLine(
        organization_id=version.organization_id,
        version=version,
        category=category,
        wbs_element=wbs_element,
        amount=amount,
        note=(note or "").strip(),
    )
    validated(line, exclude=["version", "category", "wbs_element"])
    line.save()
    audit_record(
        organization=version.organization,
        actor=actor,
        action="budget_line.added",
        target=line,
        changes={"version": [None, version.pk], **diff({}, _line_snapshot(line))},
    )
    return line


@transaction.atomic
def budget_line_update(*, actor: User, line: BudgetLine, **fields: Any) -> BudgetLine:
    """Change a line of a draft: its category, amount, WBS element (None: the whole project) or note."""
    unknown = set(fields) - set(LINE_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    for field in ("category", "amount"):
        if field in fields and fields[field] is None:
            raise ApplicationError(_("This field is required."), fields={field: [_("This field is required.")]})
    version = _locked_version(line.version)
    _require_draft(version)
    line = BudgetLine.objects.for_organization(version.organization_id).select_for_update().get(pk=line.pk)
    line.version = version
    before = _line_snapshot(line)
    if "note" in fields:
        fields["note"] = (fields["note"] or "").strip()
    for field, value in fields.items():
        setattr(line, field, value)
    _check_line(
        version,
        fields.get("category"),
        line.wbs_element,
        line.amount,
        carries_change=line.change_request_id is not None,
    )
    validated(line, exclude=["version", "category", "wbs_element"])
    changes = diff(before, _line_snapshot(line))
    if changes:
        line.save()
        audit_record(
            organization=version.organization,
            actor=actor,
            action="budget_line.updated",
            target=line,
            changes=changes,
        )
    return line


@transaction.atomic
def budget_line_remove(*, actor: User, line: BudgetLine) -> None:
    version = _locked_version(line.version)
    _require_draft(version)
    line = BudgetLine.objects.for_organization(version.organization_id).select_for_update().get(pk=line.pk)
    audit_record(
        organization=version.organization,
        actor=actor,
        action="budget_line.removed",
        target=line,
        changes={"version": [version.pk, None], **diff(_line_snapshot(line), {})},
    )
    line.delete()
