"""The issues log of a project: raised directly or from an occurred risk, resolved, closed, reopened.

Issues are numbered I-001, I-002… per project under the project's lock. A risk that occurs becomes
one issue linked to it: the risk keeps its history (a status entry says which issue it became) and
leaves the exposure. An issue can open a change request prefilled from it, one open at a time.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import User
from projects.models import ChangeRequest, Project, WbsElement
from projects.services.change_requests import change_request_create
from projects.services.locks import lock_project, lock_project_row
from risks.models import Issue, IssueSeverity, IssueStatus, Risk, RiskAssessment, RiskStatus, RiskWbsLink
from risks.services.checks import check_date, check_member, locked_risk, required_text, validated

ISSUE_FIELDS = ["title", "description", "severity", "owner", "due", "status"]
OPEN_ISSUE = (IssueStatus.OPEN, IssueStatus.IN_PROGRESS)
# A change request still waiting for its decision or its implementation.
OPEN_CHANGES = (ChangeRequest.Status.DRAFT, ChangeRequest.Status.SUBMITTED, ChangeRequest.Status.APPROVED)


def _illegal(issue: Issue, wanted: str) -> ApplicationError:
    return ApplicationError(
        _("%(issue)s is %(status)s; it cannot be %(wanted)s.")
        % {"issue": issue.code, "status": IssueStatus(issue.status).label, "wanted": wanted},
        code="illegal_transition",
    )


def _check_project_open(project: Project) -> None:
    if not project.is_open:
        raise ApplicationError(_("A closed or cancelled project takes no new issues."), code="project_closed")


def _check_severity(severity: str) -> None:
    if severity not in IssueSeverity.values:
        message = _("Choose a valid severity.")
        raise ApplicationError(message, fields={"severity": [message]})


def _snapshot(issue: Issue) -> dict[str, Any]:
    return {
        **snapshot(issue, ["title", "description", "severity", "due", "status", "resolution"]),
        "owner": issue.owner_id,
    }


def _next_number(project: Project) -> int:
    latest = Issue.objects.for_organization(project.organization_id).filter(project=project).aggregate(n=Max("number"))
    return (latest["n"] or 0) + 1


def _create(
    *,
    actor: User,
    project: Project,
    title: str,
    description: str,
    severity: str,
    owner: User | None,
    due: dt.date | None,
    risk: Risk | None = None,
) -> Issue:
    """The issue on a project locked by the caller."""
    _check_project_open(project)
    _check_severity(severity)
    check_member(project.organization, owner)
    check_date(project.organization, due)
    issue = Issue(
        organization_id=project.organization_id,
        project=project,
        number=_next_number(project),
        title=required_text(title, "title", _("Give the issue a title.")),
        description=(description or "").strip(),
        severity=severity,
        owner=owner,
        due=due,
        risk=risk,
        raised_by=actor,
    )
    validated(issue, exclude=["project", "owner", "risk", "raised_by", "change_request"])
    issue.save()
    audit_record(
        organization=project.organization,
        actor=actor,
        action="issue.raised",
        target=issue,
        changes={
            "number": [None, issue.number],
            "risk": [None, risk.pk if risk else None],
            **diff({}, _snapshot(issue)),
        },
    )
    return issue


@transaction.atomic
def issue_raise(
    *,
    actor: User,
    project: Project,
    title: str,
    description: str = "",
    severity: str = IssueSeverity.MEDIUM,
    owner: User | None = None,
    due: dt.date | None = None,
) -> Issue:
    """Log an issue of the project: the next number I-001, I-002… (the project row is locked)."""
    project = lock_project(project)
    return _create(
        actor=actor, project=project, title=title, description=description, severity=severity, owner=owner, due=due
    )


def _locked(issue: Issue) -> Issue:
    return lock_project_row(issue, "organization", "owner")


def _save(issue: Issue, *, actor: User, before: dict[str, Any], action: str) -> Issue:
    changes = diff(before, _snapshot(issue))
    if changes:
        issue.save()
        audit_record(organization=issue.project.organization, actor=actor, action=action, target=issue, changes=changes)
    return issue


@transaction.atomic
def issue_update(*, actor: User, issue: Issue, **fields: Any) -> Issue:
    """Change an open or resolved issue's title, description, severity, owner, due date, or open ↔ in progress."""
    unknown = set(fields) - set(ISSUE_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    for field in ("title", "severity", "status"):
        if field in fields and fields[field] is None:
            raise ApplicationError(_("This field is required."), fields={field: [_("This field is required.")]})
    issue = _locked(issue)
    if issue.status == IssueStatus.CLOSED:
        raise ApplicationError(_("%(issue)s is closed; reopen it to change it.") % {"issue": issue.code}, code="closed")
    before = _snapshot(issue)
    status = fields.pop("status", issue.status)
    if status != issue.status:
        if status not in OPEN_ISSUE or issue.status not in OPEN_ISSUE:
            message = _("Resolve, close or reopen the issue with its own action.")
            raise ApplicationError(message, code="illegal_transition", fields={"status": [message]})
        issue.status = status
    if "title" in fields:
        fields["title"] = required_text(fields["title"], "title", _("Give the issue a title."))
    if "description" in fields:
        fields["description"] = (fields["description"] or "").strip()
    if "severity" in fields:
        _check_severity(fields["severity"])
    if "owner" in fields:
        check_member(issue.project.organization, fields["owner"])
    if "due" in fields:
        check_date(issue.project.organization, fields["due"])
    for field, value in fields.items():
        setattr(issue, field, value)
    validated(issue, exclude=["project", "owner", "risk", "raised_by", "change_request"])
    return _save(issue, actor=actor, before=before, action="issue.updated")


@transaction.atomic
def issue_resolve(*, actor: User, issue: Issue, resolution: str) -> Issue:
    """An open or in-progress issue is resolved, saying how."""
    resolution = required_text(resolution, "resolution", _("Say how the issue was resolved."))
    issue = _locked(issue)
    if issue.status not in OPEN_ISSUE:
        raise _illegal(issue, _("resolved"))
    before = _snapshot(issue)
    issue.status = IssueStatus.RESOLVED
    issue.resolution = resolution
    issue.resolved_at = timezone.now()
    return _save(issue, actor=actor, before=before, action="issue.resolved")


@transaction.atomic
def issue_close(*, actor: User, issue: Issue, resolution: str = "") -> Issue:
    """Close an issue; one never resolved needs its resolution now."""
    issue = _locked(issue)
    if issue.status == IssueStatus.CLOSED:
        raise _illegal(issue, _("closed"))
    text = (resolution or "").strip()
    if not text and not issue.resolution:
        message = _("Say how the issue was resolved before closing it.")
        raise ApplicationError(message, fields={"resolution": [_("This field is required.")]})
    before = _snapshot(issue)
    if text:
        issue.resolution = text
    issue.status = IssueStatus.CLOSED
    issue.resolved_at = issue.resolved_at or timezone.now()
    return _save(issue, actor=actor, before=before, action="issue.closed")


@transaction.atomic
def issue_reopen(*, actor: User, issue: Issue, reason: str = "") -> Issue:
    """A resolved or closed issue is open again; its last resolution stays on record."""
    issue = _locked(issue)
    if issue.status in OPEN_ISSUE:
        raise _illegal(issue, _("reopened"))
    before = _snapshot(issue)
    issue.status = IssueStatus.OPEN
    issue.resolved_at = None
    changes = diff(before, _snapshot(issue))
    issue.save()
    audit_record(
        organization=issue.project.organization,
        actor=actor,
        action="issue.reopened",
        target=issue,
        changes={**changes, "reason": [None, (reason or "").strip()]},
    )
    return issue


# --- from a risk ------------------------------------------------------------------------


@transaction.atomic
def risk_occurred(
    *,
    actor: User,
    risk: Risk,
    severity: str,
    owner: User | None = None,
    due: dt.date | None = None,
    description: str = "",
) -> Issue:
    """The risk happened: it becomes "occurred" (out of the exposure) and one issue of its project, linked to it.

    The issue takes the risk's title, the description given (else the risk's event and effect) and
    the risk's owner unless another is named. The risk keeps its history, with an entry naming the issue.
    """
    risk = locked_risk(risk)
    if risk.project_id is None:
        raise ApplicationError(
            _("An organisation-level risk has no project issues log; raise the issue on the project it hit."),
            code="no_project",
        )
    existing = Issue.objects.for_organization(risk.organization_id).filter(risk=risk).first()
    if existing is not None:
        raise ApplicationError(
            _("%(risk)s already occurred as issue %(issue)s.") % {"risk": risk.code, "issue": existing.code},
            code="already_occurred",
        )
    if not risk.is_open:
        raise ApplicationError(
            _("%(risk)s is %(status)s; only an open risk can occur.")
            % {"risk": risk.code, "status": RiskStatus(risk.status).label},
            code="risk_not_open",
        )
    project = risk.project
    assert project is not None
    if description is None or not description.strip():
        description = "\n\n".join(part for part in (risk.event.strip(), risk.effect.strip()) if part)
    issue = _create(
        actor=actor,
        project=project,
        title=risk.title,
        description=description,
        severity=severity,
        owner=owner if owner is not None else risk.owner,
        due=due,
        risk=risk,
    )
    old = risk.status
    now = timezone.now()
    risk.status = RiskStatus.OCCURRED
    risk.occurred_at = now
    risk.next_review = None  # out of the review cycle, as a closed risk is
    risk.updated_at = now
    risk.save(update_fields=["status", "occurred_at", "next_review", "updated_at"])
    audit_record(
        organization=project.organization,
        actor=actor,
        action="risk.occurred",
        target=risk,
        changes={"status": [old, risk.status], "issue": [None, issue.code]},
    )
    from risks.services.register import record_history

    record_history(
        risk,
        actor=actor,
        kind=RiskAssessment.Kind.STATUS,
        reason=_("Occurred: logged as issue %(issue)s.") % {"issue": issue.code},
        changes={"status": [old, risk.status]},
    )
    return issue


# --- change requests ----------------------------------------------------------------------


def _risk_elements(issue: Issue) -> list[WbsElement]:
    if issue.risk_id is None:
        return []
    links = (
        RiskWbsLink.objects.for_organization(issue.organization_id)
        .filter(risk_id=issue.risk_id, element__project_id=issue.project_id)
        .select_related("element")
        .order_by("element__sort_key")
    )
    return [link.element for link in links]


@transaction.atomic
def issue_open_change_request(
    *,
    actor: User,
    issue: Issue,
    kind: str,
    title: str | None = None,
    description: str | None = None,
    reason: str | None = None,
    impact_days: int = 0,
    impact_cost: Decimal = Decimal("0"),
    affected: list[WbsElement] | None = None,
) -> ChangeRequest:
    """Raise a draft change request prefilled from the issue and link it; one open change at a time.

    What is None is taken from the issue: the title (“I-003 …”), the description, the reason (the
    issue and its severity) and the affected elements (those of the risk it came from).
    """
    issue = _locked(issue)
    if issue.status == IssueStatus.CLOSED:
        raise ApplicationError(_("%(issue)s is closed; reopen it first.") % {"issue": issue.code}, code="closed")
    if issue.change_request_id is not None:
        linked = (
            ChangeRequest.objects.for_organization(issue.organization_id)
            .filter(pk=issue.change_request_id)
            .values_list("number", "status")
            .first()
        )
        if linked is not None and linked[1] in OPEN_CHANGES:
            raise ApplicationError(
                _("%(issue)s already has change request CR-%(number)d (%(status)s); decide or implement it first.")
                % {"issue": issue.code, "number": linked[0], "status": ChangeRequest.Status(linked[1]).label},
                code="change_request_open",
            )
    if kind not in ChangeRequest.Kind.values:
        message = _("Choose a valid kind of change.")
        raise ApplicationError(message, fields={"kind": [message]})
    prefilled_reason = _("Issue %(issue)s (%(severity)s severity): %(title)s") % {
        "issue": issue.code,
        "severity": IssueSeverity(issue.severity).label,
        "title": issue.title,
    }
    change = change_request_create(
        actor=actor,
        project=issue.project,
        title=(title if title and title.strip() else f"{issue.code} {issue.title}")[:200],
        kind=kind,
        description=description if description and description.strip() else (issue.description or issue.title),
        reason=reason if reason and reason.strip() else prefilled_reason,
        impact_days=impact_days,
        impact_cost=impact_cost,
        affected=affected if affected is not None else _risk_elements(issue),
    )
    old = issue.change_request_id
    issue.change_request = change
    issue.save(update_fields=["change_request"])
    audit_record(
        organization=issue.project.organization,
        actor=actor,
        action="issue.change_requested",
        target=issue,
        changes={"change_request": [old, change.pk]},
    )
    return change
