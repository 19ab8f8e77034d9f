"""Project control: weekly status reports and change requests, with who may move them on.

Status reports are dated by the week they cover: ``period_end`` is the week's last working
day on the project's calendar (the Friday of an ordinary Monday-to-Friday week, the Thursday
when Friday is a holiday, a make-up Saturday when one is worked). Any date given is
normalised to that day, so "any day of the week" names the week.

A draft report is pre-filled with figures computed at its date and RAG suggestions drawn
from them; its author or the project's manager submits it, and the PMO office reviews it.

A change request is raised as a draft, submitted, then approved or rejected by the role its
size calls for (``pmo.policy.change_request_approver_roles``, with the organisation's
thresholds), never by its requester, and finally implemented, optionally re-baselining the
project. Every write is audited in its own transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Membership, OrgRole, User
from pmo.policy import PMO_OFFICE, Action, can, change_request_approver_roles
from projects.models import (
    Baseline,
    ChangeRequest,
    ChangeRequestElement,
    Project,
    ProjectRole,
    ProjectSettings,
    Rag,
    StatusReport,
    WbsElement,
)
from projects.selectors import project_work_calendar
from projects.selectors.control import (
    report_week_end,
    status_report_figures,
    suggested_rag,
)
from projects.services.plan import baseline_create
from projects.services.projects import project_settings

HUNDRED = Decimal("100")
CENT = Decimal("0.01")
# Schedule RAG: green while actual % complete is at most this many points behind plan, amber up to
# the red limit, red beyond it.
SCHEDULE_AMBER_POINTS = Decimal("5")
SCHEDULE_RED_POINTS = Decimal("10")
EVM_NOTE = "SPI and CPI come with the finance module."

RAG_FIELDS = ["rag_schedule", "rag_cost", "rag_scope", "rag_quality", "rag_risk", "rag_overall"]
NARRATIVE_FIELDS = ["accomplishments", "next_steps", "issues", "decisions_needed"]
REPORT_FIELDS = [*RAG_FIELDS, *NARRATIVE_FIELDS]
CHANGE_FIELDS = ["title", "kind", "description", "reason", "impact_days", "impact_cost"]
OPEN_CHANGE_STATUSES = (ChangeRequest.Status.DRAFT, ChangeRequest.Status.SUBMITTED, ChangeRequest.Status.APPROVED)
_RAG_ORDER = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}


def _illegal(message: str) -> ApplicationError:
    return ApplicationError(message, code="illegal_transition")


def _denied(message: str, code: str = "permission_denied") -> ApplicationError:
    return ApplicationError(message, code=code, status_code=403)


def _validated(instance: Any, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ApplicationError(
            "; ".join(error.messages), fields=getattr(error, "message_dict", {}), code="invalid"
        ) from error


def _lock_project(project: Project) -> Project:
    return Project.objects.for_organization(project.organization_id).select_for_update().get(pk=project.pk)


# --- who may -------------------------------------------------------------------------


def _acts_for_project(membership: Membership, project_role: str | None, project: Project) -> bool:
    """The PMO office, or the project's manager."""
    return (
        OrgRole(membership.role) in PMO_OFFICE
        or project_role == ProjectRole.MANAGER
        or (project.manager_id is not None and project.manager_id == membership.user_id)
    )


def status_report_may_submit(*, membership: Membership, project_role: str | None, report: StatusReport) -> bool:
    """The author submits a report; so may the project's manager, and the PMO office for them."""
    return report.author_id == membership.user_id or _acts_for_project(membership, project_role, report.project)


def change_request_may_edit(*, membership: Membership, project_role: str | None, change_request: ChangeRequest) -> bool:
    """The requester edits and submits a draft; so may the project's manager and the PMO office."""
    return change_request.requested_by_id == membership.user_id or _acts_for_project(
        membership, project_role, change_request.project
    )


@dataclass(frozen=True)
class DecisionRule:
    """Who decides a change request of its size, and why."""

    org_roles: frozenset[OrgRole]
    project_roles: frozenset[str]
    cost_over_threshold: bool
    days_over_threshold: bool


def change_request_decision_rule(change_request: ChangeRequest, rules: ProjectSettings) -> DecisionRule:
    """Reductions count as much as increases: a large cut of cost or time is as big a decision."""
    cost_over = abs(change_request.impact_cost) > rules.finance_approval_above
    days_over = abs(change_request.impact_days) > rules.pmo_approval_above_days
    org_roles, project_roles = change_request_approver_roles(
        cost_over_threshold=cost_over, days_over_threshold=days_over
    )
    return DecisionRule(org_roles, project_roles, cost_over, days_over)


def change_request_may_decide(
    *,
    membership: Membership,
    project_role: str | None,
    change_request: ChangeRequest,
    rules: ProjectSettings,
) -> bool:
    """Approvers by size (see :func:`change_request_decision_rule`), never the requester."""
    if change_request.requested_by_id == membership.user_id:
        return False
    rule = change_request_decision_rule(change_request, rules)
    if OrgRole(membership.role) in rule.org_roles:
        return True
    if ProjectRole.MANAGER in rule.project_roles:
        project = change_request.project
        return project_role == ProjectRole.MANAGER or (
            project.manager_id is not None and project.manager_id == membership.user_id
        )
    return project_role is not None and project_role in rule.project_roles


# --- status reports: writes -------------------------------------------------------------


def _locked_report(report: StatusReport) -> StatusReport:
    return (
        StatusReport.objects.for_organization(report.organization_id)
        .select_for_update()
        .select_related("project", "organization")
        .get(pk=report.pk)
    )


@transaction.atomic
def status_report_create(*, actor: User, project: Project, period_end: dt.date) -> StatusReport:
    """Start the draft report of the week containing ``period_end``, pre-filled with its figures."""
    project = _lock_project(project)
    calendar = project_work_calendar(project)
    week_end = report_week_end(calendar, period_end)
    monday = week_end - dt.timedelta(days=week_end.weekday())
    existing = StatusReport.objects.for_organization(project.organization_id).filter(
        project=project, period_end__range=(monday, monday + dt.timedelta(days=6))
    )
    if existing.exists():
        raise ApplicationError(
            _("The project already has a status report for the week ending %(date)s.") % {"date": week_end},
            code="duplicate",
            fields={"period_end": [_("Choose another week.")]},
        )
    figures = status_report_figures(project, week_end)
    report = StatusReport(
        organization_id=project.organization_id,
        project=project,
        period_end=week_end,
        author=actor,
        figures=figures,
        **suggested_rag(figures),
    )
    _validated(report)
    report.save()
    audit_record(
        organization=project.organization,
        actor=actor,
        action="status_report.created",
        target=report,
        changes=diff({}, snapshot(report, ["period_end", "status", *RAG_FIELDS])),
    )
    return report


@transaction.atomic
def status_report_update(*, actor: User, report: StatusReport, **fields: Any) -> StatusReport:
    """Change the RAG ratings and the narrative of a draft."""
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    report = _locked_report(report)
    if report.status != StatusReport.Status.DRAFT:
        raise _illegal(_("Only a draft report can be changed."))
    errors = {
        field: [_("Choose green, amber or red.")]
        for field in RAG_FIELDS
        if field in fields and fields[field] not in Rag.values
    }
    if errors:
        raise ApplicationError(_("Some fields are not valid."), fields=errors)
    before = snapshot(report, REPORT_FIELDS)
    for field, value in fields.items():
        setattr(report, field, value.strip() if field in NARRATIVE_FIELDS else value)
    _validated(report)
    changes = diff(before, snapshot(report, REPORT_FIELDS))
    if not changes:
        return report
    report.save(update_fields=list(changes))
    audit_record(
        organization=report.organization, actor=actor, action="status_report.updated", target=report, changes=changes
    )
    return report


@transaction.atomic
def status_report_submit(
    *, actor: User, membership: Membership, project_role: str | None, report: StatusReport
) -> StatusReport:
    report = _locked_report(report)
    if report.status != StatusReport.Status.DRAFT:
        raise _illegal(_("Only a draft report can be submitted."))
    if not status_report_may_submit(membership=membership, project_role=project_role, report=report):
        raise _denied(_("Only the author, the project's manager or the PMO office submits this report."))
    report.status = StatusReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.save(update_fields=["status", "submitted_at"])
    audit_record(
        organization=report.organization,
        actor=actor,
        action="status_report.submitted",
        target=report,
        changes={"status": [StatusReport.Status.DRAFT, StatusReport.Status.SUBMITTED]},
    )
    return report


@transaction.atomic
def status_report_review(
    *, actor: User, membership: Membership, report: StatusReport, comment: str = ""
) -> StatusReport:
    """The PMO office marks a submitted report as read, with its comment."""
    report = _locked_report(report)
    if report.status != StatusReport.Status.SUBMITTED:
        raise _illegal(_("Only a submitted report can be reviewed."))
    if not can(membership, Action.STATUS_REPORT_REVIEW):
        raise _denied(_("The PMO office reviews status reports."))
    report.status = StatusReport.Status.REVIEWED
    report.reviewed_by = actor
    report.reviewed_at = timezone.now()
    report.review_comment = comment.strip()
    report.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    audit_record(
        organization=report.organization,
        actor=actor,
        action="status_report.reviewed",
        target=report,
        changes={
            "status": [StatusReport.Status.SUBMITTED, StatusReport.Status.REVIEWED],
            "review_comment": [None, report.review_comment],
        },
    )
    return report


# --- change requests --------------------------------------------------------------------


def _locked_change(change_request: ChangeRequest) -> ChangeRequest:
    return (
        ChangeRequest.objects.for_organization(change_request.organization_id)
        .select_for_update()
        .select_related("project", "organization")
        .get(pk=change_request.pk)
    )


def _check_affected(project: Project, elements: list[WbsElement]) -> list[WbsElement]:
    """Affected elements must be in the project; others look as if they did not exist."""
    foreign = [element for element in elements if element.project_id != project.pk]
    if foreign:
        raise ApplicationError(
            _("Affected elements must belong to the project."),
            fields={"affected": [_("Not found: %(ids)s") % {"ids": ", ".join(str(e.pk) for e in foreign)}]},
        )
    return list({element.pk: element for element in elements}.values())


def _check_open(project: Project) -> None:
    if not project.is_open:
        raise ApplicationError(_("A closed or cancelled project takes no change requests."), code="project_closed")


@transaction.atomic
def change_request_create(
    *,
    actor: User,
    project: Project,
    title: str,
    kind: str,
    description: str,
    reason: str,
    impact_days: int = 0,
    impact_cost: Decimal = Decimal("0"),
    affected: list[WbsElement] | None = None,
) -> ChangeRequest:
    """Raise a draft change request; numbers run 1, 2, 3 per project (the project row is locked)."""
    project = _lock_project(project)
    _check_open(project)
    elements = _check_affected(project, affected or [])
    latest = (
        ChangeRequest.objects.for_organization(project.organization_id)
        .filter(project=project)
        .aggregate(latest=Max("number"))["latest"]
    )
    change_request = ChangeRequest(
        organization_id=project.organization_id,
        project=project,
        number=(latest or 0) + 1,
        title=title.strip(),
        kind=kind,
        description=description.strip(),
        reason=reason.strip(),
        impact_days=impact_days,
        impact_cost=impact_cost,
        requested_by=actor,
    )
    _validated(change_request)
    change_request.save()
    ChangeRequestElement.objects.bulk_create(
        [
            ChangeRequestElement(organization_id=project.organization_id, change_request=change_request, element=e)
            for e in elements
        ]
    )
    audit_record(
        organization=project.organization,
        actor=actor,
        action="change_request.created",
        target=change_request,
        changes=diff(
            {}, {**snapshot(change_request, ["number", "status", *CHANGE_FIELDS]), "affected": _ids(elements)}
        ),
    )
    return change_request


def _ids(elements: list[WbsElement]) -> list[int]:
    return sorted(element.pk for element in elements)


@transaction.atomic
def change_request_update(
    *,
    actor: User,
    membership: Membership,
    project_role: str | None,
    change_request: ChangeRequest,
    **fields: Any,
) -> ChangeRequest:
    """Change a draft; ``affected`` replaces the list of affected elements."""
    unknown = set(fields) - {*CHANGE_FIELDS, "affected"}
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    change_request = _locked_change(change_request)
    if change_request.status != ChangeRequest.Status.DRAFT:
        raise _illegal(_("Only a draft change request can be changed."))
    if not change_request_may_edit(membership=membership, project_role=project_role, change_request=change_request):
        raise _denied(_("Only the requester, the project's manager or the PMO office changes this draft."))
    links = ChangeRequestElement.objects.for_organization(change_request.organization_id).filter(
        change_request=change_request
    )
    before = {**snapshot(change_request, CHANGE_FIELDS), "affected": sorted(links.values_list("element_id", flat=True))}
    elements = fields.pop("affected", None)
    if elements is not None:
        elements = _check_affected(change_request.project, elements)
    for field, value in fields.items():
        setattr(change_request, field, value.strip() if isinstance(value, str) and field != "kind" else value)
    _validated(change_request)
    after = {
        **snapshot(change_request, CHANGE_FIELDS),
        "affected": _ids(elements) if elements is not None else before["affected"],
    }
    changes = diff(before, after)
    if not changes:
        return change_request
    changed_fields = [field for field in CHANGE_FIELDS if field in changes]
    if changed_fields:
        change_request.save(update_fields=changed_fields)
    if elements is not None and "affected" in changes:
        links.delete()
        ChangeRequestElement.objects.bulk_create(
            [
                ChangeRequestElement(
                    organization_id=change_request.organization_id, change_request=change_request, element=element
                )
                for element in elements
            ]
        )
    audit_record(
        organization=change_request.organization,
        actor=actor,
        action="change_request.updated",
        target=change_request,
        changes=changes,
    )
    return change_request


@transaction.atomic
def change_request_submit(
    *, actor: User, membership: Membership, project_role: str | None, change_request: ChangeRequest
) -> ChangeRequest:
    change_request = _locked_change(change_request)
    if change_request.status != ChangeRequest.Status.DRAFT:
        raise _illegal(_("Only a draft change request can be submitted."))
    if not change_request_may_edit(membership=membership, project_role=project_role, change_request=change_request):
        raise _denied(_("Only the requester, the project's manager or the PMO office submits this change request."))
    _check_open(change_request.project)
    change_request.status = ChangeRequest.Status.SUBMITTED
    change_request.submitted_at = timezone.now()
    change_request.save(update_fields=["status", "submitted_at"])
    audit_record(
        organization=change_request.organization,
        actor=actor,
        action="change_request.submitted",
        target=change_request,
        changes={"status": [ChangeRequest.Status.DRAFT, ChangeRequest.Status.SUBMITTED]},
    )
    return change_request


def _decide(
    *,
    actor: User,
    membership: Membership,
    project_role: str | None,
    change_request: ChangeRequest,
    outcome: str,
    comment: str,
) -> ChangeRequest:
    change_request = _locked_change(change_request)
    if change_request.status != ChangeRequest.Status.SUBMITTED:
        raise _illegal(_("Only a submitted change request can be approved or rejected."))
    if change_request.requested_by_id == actor.pk:
        raise _denied(_("A change request is decided by someone other than its requester."), "separation_of_duties")
    rules = project_settings(change_request.organization)
    if not change_request_may_decide(
        membership=membership, project_role=project_role, change_request=change_request, rules=rules
    ):
        rule = change_request_decision_rule(change_request, rules)
        if rule.cost_over_threshold:
            message = _("Its cost impact is above %(limit)s: finance decides this change request.") % {
                "limit": rules.finance_approval_above
            }
        elif rule.days_over_threshold:
            message = _("Its schedule impact is above %(days)s working days: the PMO decides this change request.") % {
                "days": rules.pmo_approval_above_days
            }
        else:
            message = _("The PMO office or the project's manager decides this change request.")
        raise _denied(message)
    comment = comment.strip()
    if outcome == ChangeRequest.Status.REJECTED and not comment:
        raise ApplicationError(
            _("Say why the change request is rejected."), fields={"comment": [_("This field is required.")]}
        )
    change_request.status = outcome
    change_request.decided_by = actor
    change_request.decided_at = timezone.now()
    change_request.decision_comment = comment
    change_request.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    audit_record(
        organization=change_request.organization,
        actor=actor,
        action=f"change_request.{outcome}",
        target=change_request,
        changes={"status": [ChangeRequest.Status.SUBMITTED, outcome], "decision_comment": [None, comment]},
    )
    return change_request


@transaction.atomic
def change_request_approve(
    *,
    actor: User,
    membership: Membership,
    project_role: str | None,
    change_request: ChangeRequest,
    comment: str = "",
) -> ChangeRequest:
    return _decide(
        actor=actor,
        membership=membership,
        project_role=project_role,
        change_request=change_request,
        outcome=ChangeRequest.Status.APPROVED,
        comment=comment,
    )


@transaction.atomic
def change_request_reject(
    *,
    actor: User,
    membership: Membership,
    project_role: str | None,
    change_request: ChangeRequest,
    comment: str,
) -> ChangeRequest:
    return _decide(
        actor=actor,
        membership=membership,
        project_role=project_role,
        change_request=change_request,
        outcome=ChangeRequest.Status.REJECTED,
        comment=comment,
    )


def change_request_baseline_name(change_request: ChangeRequest) -> str:
    return f"CR-{change_request.number} {change_request.title}"[: Baseline._meta.get_field("name").max_length]


@transaction.atomic
def change_request_implement(
    *, actor: User, change_request: ChangeRequest, create_baseline: bool = False
) -> ChangeRequest:
    """Mark an approved change as carried out; optionally freeze the plan as the new current baseline."""
    change_request = _locked_change(change_request)
    if change_request.status != ChangeRequest.Status.APPROVED:
        raise _illegal(_("Only an approved change request can be implemented."))
    baseline = None
    if create_baseline:
        baseline = baseline_create(
            actor=actor,
            project=change_request.project,
            name=change_request_baseline_name(change_request),
            make_current=True,
            change_request=change_request,
        )
    change_request.status = ChangeRequest.Status.IMPLEMENTED
    change_request.implemented_at = timezone.now()
    change_request.save(update_fields=["status", "implemented_at"])
    audit_record(
        organization=change_request.organization,
        actor=actor,
        action="change_request.implemented",
        target=change_request,
        changes={
            "status": [ChangeRequest.Status.APPROVED, ChangeRequest.Status.IMPLEMENTED],
            "baseline": [None, baseline.name if baseline is not None else None],
        },
    )
    return change_request
