"""Weekly status reports of a project, and who may submit them.

Status reports are dated by the week they cover: ``period_end`` is the week's last working
day on the project's calendar (the Friday of an ordinary Monday-to-Friday week, the Thursday
when Friday is a holiday, a make-up Saturday when one is worked). Any date given is
normalised to that day, so "any day of the week" names the week.

A draft report is pre-filled with figures computed at its date and RAG suggestions drawn
from them; its author or the project's manager submits it, and the PMO office reviews it.
Every write is audited in its own transaction. The checks and refusals shared with change
requests (``projects.services.change_requests``) live here.

The overall rating may differ from the project's computed RAG (the portfolio dashboard's rule,
``dashboard.portfolio.rag.computed_rag``, which the dashboard app gives through
``projects.registries.computed_rag``) only with a justification: on submission the computed RAG is
worked out again, as of the week's end or today if that is earlier, and kept in the report's
figures; a different overall rating without a justification is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, OrgRole, User
from pmo.policy import PMO_OFFICE, can
from projects import registries
from projects.models import Project, ProjectRole, Rag, StatusReport
from projects.permissions import ProjectAction
from projects.selectors import project_work_calendar
from projects.selectors.control import report_week_end, status_report_figures, suggested_rag
from projects.services.locks import lock_project, lock_project_row

RAG_FIELDS = ["rag_schedule", "rag_cost", "rag_scope", "rag_quality", "rag_risk", "rag_overall"]
NARRATIVE_FIELDS = ["accomplishments", "next_steps", "issues", "decisions_needed"]
JUSTIFICATION_FIELD = "rag_override_justification"
REPORT_FIELDS = [*RAG_FIELDS, *NARRATIVE_FIELDS, JUSTIFICATION_FIELD]
TEXT_FIELDS = [*NARRATIVE_FIELDS, JUSTIFICATION_FIELD]


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


def _computed_rag(organization: Organization, project: Project, week_end: dt.date) -> dict[str, Any]:
    """The project's computed RAG for the report's week: as of its end, or today if that is earlier."""
    as_of = min(week_end, organization.today())
    return registries.provider(registries.computed_rag, "a project's computed RAG")(organization, project, as_of)


# --- status reports: writes -------------------------------------------------------------


def _locked_report(report: StatusReport) -> StatusReport:
    return lock_project_row(report, "organization")


@transaction.atomic
def status_report_create(*, actor: User, project: Project, period_end: dt.date) -> StatusReport:
    """Start the draft report of the week containing ``period_end``, pre-filled with its figures."""
    project = lock_project(project)
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
    figures["computed_rag"] = _computed_rag(project.organization, project, week_end)
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
        setattr(report, field, value.strip() if field in TEXT_FIELDS else value)
    _validated(report)
    changes = diff(before, snapshot(report, REPORT_FIELDS))
    if not changes:
        return report
    report.save(update_fields=list(changes))
    audit_record(
        organization=report.organization, actor=actor, action="status_report.updated", target=report, changes=changes
    )
    return report


def _require_narrative(report: StatusReport) -> None:
    if not any(getattr(report, field).strip() for field in NARRATIVE_FIELDS):
        raise ApplicationError(
            _("Write the narrative before submitting: what was done, what comes next, issues or decisions needed."),
            code="narrative_required",
            fields={"accomplishments": [_("Say what the project achieved this week.")]},
        )


@transaction.atomic
def status_report_submit(
    *, actor: User, membership: Membership, project_role: str | None, report: StatusReport
) -> StatusReport:
    """Send a draft to the PMO office; it needs a narrative, and a justification for an overridden rating."""
    report = _locked_report(report)
    if report.status != StatusReport.Status.DRAFT:
        raise _illegal(_("Only a draft report can be submitted."))
    if not status_report_may_submit(membership=membership, project_role=project_role, report=report):
        raise _denied(_("Only the author, the project's manager or the PMO office submits this report."))
    computed = _computed_rag(report.organization, report.project, report.period_end)
    overridden = computed["rag"] in Rag.values and report.rag_overall != computed["rag"]
    if overridden and not report.rag_override_justification:
        message = _(
            "The overall rating (%(reported)s) differs from the computed one (%(computed)s): "
            "say why in the justification, save the draft, then submit."
        ) % {"reported": Rag(report.rag_overall).label, "computed": Rag(computed["rag"]).label}
        raise ApplicationError(
            message,
            code="justification_required",
            fields={JUSTIFICATION_FIELD: [_("Explain why the overall rating differs from the computed one.")]},
        )
    _require_narrative(report)
    report.status = StatusReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.figures = {**(report.figures or {}), "computed_rag": computed}
    report.save(update_fields=["status", "submitted_at", "figures"])
    audit_record(
        organization=report.organization,
        actor=actor,
        action="status_report.submitted",
        target=report,
        changes={
            "status": [StatusReport.Status.DRAFT, StatusReport.Status.SUBMITTED],
            "computed_rag": [None, computed["rag"]],
        },
    )
    return report


def status_report_save_and_submit(
    *, actor: User, membership: Membership, project_role: str | None, report: StatusReport, **fields: Any
) -> StatusReport:
    """Save the ratings and narrative the author has in hand, then submit the report.

    Two transactions on purpose: what was typed is kept as the draft even when the submission
    is refused (a missing narrative or justification), so nothing written is lost.
    """
    if fields:
        report = status_report_update(actor=actor, report=report, **fields)
    return status_report_submit(actor=actor, membership=membership, project_role=project_role, report=report)


@transaction.atomic
def status_report_return(*, actor: User, membership: Membership, report: StatusReport, comment: str) -> StatusReport:
    """The PMO office sends a submitted report back to its author, saying what to change; it is a draft again."""
    report = _locked_report(report)
    if report.status != StatusReport.Status.SUBMITTED:
        raise _illegal(_("Only a submitted report can be returned to its author."))
    if not can(membership, ProjectAction.STATUS_REPORT_REVIEW):
        raise _denied(_("The PMO office returns status reports."))
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError(
            _("Say what the author should change."), code="invalid", fields={"comment": [_("This field is required.")]}
        )
    report.status = StatusReport.Status.DRAFT
    report.submitted_at = None
    report.returned_by = actor
    report.returned_at = timezone.now()
    report.return_comment = comment
    report.save(update_fields=["status", "submitted_at", "returned_by", "returned_at", "return_comment"])
    audit_record(
        organization=report.organization,
        actor=actor,
        action="status_report.returned",
        target=report,
        changes={
            "status": [StatusReport.Status.SUBMITTED, StatusReport.Status.DRAFT],
            "return_comment": [None, comment],
        },
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
    if not can(membership, ProjectAction.STATUS_REPORT_REVIEW):
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
