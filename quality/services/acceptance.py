"""Acceptance (验收) of deliverables and the customer satisfaction survey.

The project manager flags WBS elements as deliverables with their acceptance criteria and the
inspections they rely on. The client representative (a project role) or the quality role signs each
one off: accepted, accepted with conditions (tracked to closure) or rejected with reasons, which opens
a major non-conformance. A rejected deliverable may be offered and signed again; every decision is kept.
The customer's satisfaction survey is one per project, entered by the client representative or on
their behalf.

Every write takes the project row's lock first and writes its audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo.audit import audit_record, diff, snapshot
from pmo.concurrency import locked_row
from pmo.errors import ApplicationError
from pmo.models import Membership, User
from pmo.policy import can
from projects.models import Project, ProjectMember, ProjectRole, WbsElement
from projects.services.locks import lock_project, lock_project_row
from quality.models import (
    ACCEPTED_STATUSES,
    AcceptanceCondition,
    AcceptanceDecision,
    AcceptanceStatus,
    Deliverable,
    Inspection,
    SatisfactionSurvey,
    Severity,
)
from quality.permissions import QualityAction
from quality.services.inspections import check_element, check_open_project, in_both_languages
from quality.services.settings import validated

#: The decisions a signer may take.
DECISIONS = (AcceptanceStatus.ACCEPTED, AcceptanceStatus.CONDITIONAL, AcceptanceStatus.REJECTED)
#: Statuses from which a deliverable may be signed (again).
SIGNABLE = (AcceptanceStatus.PENDING, AcceptanceStatus.REJECTED)
SCORES = ("quality", "schedule", "communication", "service")
SURVEY_FIELDS = [*SCORES, "comments", "respondent", "on_behalf"]
#: A condition's text at most, and how many one decision may carry.
MAX_CONDITIONS = 50
#: The title of the non-conformance a rejection opens, after the element (in both languages).
ACCEPTANCE_REJECTED = gettext_lazy("Acceptance rejected")


def _not_found(field: str) -> ApplicationError:
    return ApplicationError(_("Not found."), code="not_found", fields={field: [_("Not found.")]})


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid", fields={field: [message]})


def roles_of(project: Project, user: User) -> tuple[Membership | None, str | None]:
    """The user's membership of the project's organisation and their role on the project."""
    membership = Membership.objects.for_organization(project.organization_id).filter(user=user).first()
    project_role = (
        ProjectMember.objects.for_organization(project.organization_id)
        .filter(project=project, user=user)
        .order_by()
        .values_list("role", flat=True)
        .first()
    )
    return membership, project_role


def signer_role_of(membership: Membership | None, project_role: str | None) -> str | None:
    """What a signer signs as: the client representative of the project, or their organisation role
    (the quality role); None for someone who may not sign acceptance."""
    if membership is None:
        return None
    if project_role == ProjectRole.CLIENT:
        return ProjectRole.CLIENT.value
    if can(membership, QualityAction.ACCEPTANCE_SIGN, None):
        return str(membership.role)
    return None


def may_close_condition(
    membership: Membership | None, project_role: str | None, user: User, signer_id: int | None
) -> bool:
    """The quality role and the project's managers close conditions, and so does whoever set them."""
    if membership is None:
        return False
    if signer_id is not None and signer_id == user.pk:
        return True
    return can(membership, QualityAction.PLAN_MANAGE, project_role)


def _lock(deliverable: Deliverable) -> tuple[Project, Deliverable]:
    locked = lock_project_row(deliverable)
    locked.organization = locked.project.organization
    return locked.project, locked


def _inspections(project: Project, inspections: Iterable[Inspection | int]) -> list[Inspection]:
    """The inspections named, each of the project (another project's or organisation's is not found)."""
    wanted = {item.pk if isinstance(item, Inspection) else int(item) for item in inspections}
    if not wanted:
        return []
    found = list(Inspection.objects.for_organization(project.organization_id).filter(project=project, pk__in=wanted))
    if len(found) != len(wanted):
        raise _not_found("inspections")
    return found


def _check_undecided(deliverable: Deliverable) -> None:
    if deliverable.status in ACCEPTED_STATUSES:
        raise ApplicationError(
            _("The deliverable is %(status)s: its acceptance record can no longer change.")
            % {"status": deliverable.get_status_display()},
            code="deliverable_decided",
        )


def _inspection_codes(deliverable: Deliverable) -> list[str]:
    return sorted(
        f"I-{number:03d}"
        for number in Inspection.objects.for_organization(deliverable.organization_id)
        .filter(deliverables=deliverable)
        .values_list("number", flat=True)
    )


@transaction.atomic
def deliverable_flag(
    *,
    actor: User,
    project: Project,
    wbs_element: WbsElement,
    criteria: str = "",
    inspections: Sequence[Inspection | int] = (),
) -> Deliverable:
    """Flag a WBS element of the project as a deliverable, with its acceptance criteria."""
    project = lock_project(project)
    check_open_project(project)
    check_element(project, wbs_element)
    if Deliverable.objects.for_organization(project.organization_id).filter(wbs_element=wbs_element).exists():
        message = _("%(element)s is already a deliverable.") % {"element": f"{wbs_element.code} {wbs_element.name}"}
        raise ApplicationError(message, code="already_deliverable", fields={"wbs_element": [message]})
    chosen = _inspections(project, inspections)
    deliverable = Deliverable(
        organization_id=project.organization_id,
        project=project,
        wbs_element=wbs_element,
        criteria=(criteria or "").strip(),
    )
    validated(deliverable, exclude=["wbs_element"])
    deliverable.save()
    deliverable.inspections.set(chosen)
    audit_record(
        organization=project.organization,
        actor=actor,
        action="deliverable.flagged",
        target=deliverable,
        changes=diff(
            {},
            {
                "wbs_element": wbs_element.code,
                "criteria": deliverable.criteria,
                "inspections": sorted(inspection.code for inspection in chosen),
            },
        ),
    )
    return deliverable


@transaction.atomic
def deliverable_unflag(*, actor: User, deliverable: Deliverable) -> None:
    """Take the deliverable flag off a WBS element, which is refused once anyone has signed it."""
    project, deliverable = _lock(deliverable)
    check_open_project(project)
    decided = AcceptanceDecision.objects.for_organization(project.organization_id).filter(deliverable=deliverable)
    if deliverable.status != AcceptanceStatus.PENDING or decided.exists():
        raise ApplicationError(
            _("The deliverable has been signed: it stays a deliverable, with its decisions."),
            code="deliverable_decided",
        )
    audit_record(
        organization=project.organization,
        actor=actor,
        action="deliverable.unflagged",
        target=deliverable,
        changes={"wbs_element": [deliverable.wbs_element_id, None], "criteria": [deliverable.criteria, None]},
    )
    deliverable.delete()


@transaction.atomic
def deliverable_update(
    *,
    actor: User,
    deliverable: Deliverable,
    criteria: str | None = None,
    inspections: Sequence[Inspection | int] | None = None,
) -> Deliverable:
    """Change the acceptance criteria and the inspections the deliverable relies on, until it is accepted."""
    project, deliverable = _lock(deliverable)
    check_open_project(project)
    _check_undecided(deliverable)
    before = snapshot(deliverable, ["criteria"])
    before["inspections"] = _inspection_codes(deliverable)
    if criteria is not None:
        deliverable.criteria = criteria.strip()
    if inspections is not None:
        deliverable.inspections.set(_inspections(project, inspections))
    deliverable.updated_at = timezone.now()
    validated(deliverable, exclude=["wbs_element"])
    deliverable.save()
    after = snapshot(deliverable, ["criteria"])
    after["inspections"] = _inspection_codes(deliverable)
    changes = diff(before, after)
    if changes:
        audit_record(
            organization=project.organization,
            actor=actor,
            action="deliverable.updated",
            target=deliverable,
            changes=changes,
        )
    return deliverable


def _conditions(conditions: Iterable[Any]) -> list[tuple[str, dt.date | None]]:
    """``[{"text": ..., "due_date": ...}]`` or ``[(text, due_date)]`` or ``[text]``, the empty ones left out."""
    cleaned: list[tuple[str, dt.date | None]] = []
    for condition in conditions:
        if isinstance(condition, str):
            text, due = condition, None
        elif isinstance(condition, dict):
            text, due = condition.get("text", ""), condition.get("due_date")
        else:
            text, due = condition
        text = (text or "").strip()
        if text:
            cleaned.append((text, due))
        elif due is not None:
            raise _invalid("conditions", _("A condition with a due date needs its text."))
    return cleaned


@transaction.atomic
def deliverable_sign(
    *,
    actor: User,
    deliverable: Deliverable,
    decision: str,
    note: str = "",
    conditions: Iterable[Any] = (),
) -> Deliverable:
    """Sign the deliverable's acceptance as the client representative or the quality role.

    Accepted; accepted with conditions (at least one, each with an optional due date, tracked to
    closure); or rejected with reasons, which opens a major non-conformance linked on the deliverable.
    A rejected deliverable is signed again once the non-conformance its rejection opened is closed;
    every decision is kept.
    """
    project, deliverable = _lock(deliverable)
    check_open_project(project)
    membership, project_role = roles_of(project, actor)
    signer_role = signer_role_of(membership, project_role)
    if signer_role is None:
        raise ApplicationError(
            _("Only the client representative or the quality role signs acceptance."),
            code="not_a_signer",
            status_code=403,
        )
    if deliverable.status not in SIGNABLE:
        raise ApplicationError(
            _("The deliverable is already %(status)s.") % {"status": deliverable.get_status_display()},
            code="deliverable_decided",
        )
    if decision not in DECISIONS:
        raise _invalid("decision", _("Choose accepted, accepted with conditions or rejected."))
    rejection = deliverable.non_conformance
    if decision != AcceptanceStatus.REJECTED and rejection is not None and rejection.is_open:
        raise ApplicationError(
            _("%(code)s, opened when the deliverable was rejected, must be closed before it is accepted.")
            % {"code": rejection.code},
            code="rejection_open",
        )
    note = (note or "").strip()
    cleaned = _conditions(conditions)
    today = project.organization.today()
    if decision == AcceptanceStatus.CONDITIONAL:
        if not cleaned:
            raise _invalid("conditions", _("State at least one condition of the acceptance."))
        if len(cleaned) > MAX_CONDITIONS:
            raise _invalid("conditions", _("At most %(count)s conditions.") % {"count": MAX_CONDITIONS})
        if any(due is not None and due < today for _text, due in cleaned):
            raise _invalid("conditions", _("A condition cannot be due in the past."))
    elif cleaned:
        raise _invalid("conditions", _("Only an acceptance with conditions has conditions."))
    if decision == AcceptanceStatus.REJECTED and not note:
        raise _invalid("note", _("Give the reasons for rejecting."))
    before = snapshot(deliverable, ["status", "decided_by_id", "decision_note"])
    now = timezone.now()
    deliverable.status = decision
    deliverable.decided_by, deliverable.decided_at = actor, now
    deliverable.decision_note = note
    deliverable.updated_at = now
    validated(deliverable, exclude=["wbs_element", "inspections"])
    AcceptanceDecision.objects.create(
        organization_id=project.organization_id,
        deliverable=deliverable,
        status=decision,
        note=note,
        signer_role=signer_role,
        signed_by=actor,
        signed_at=now,
    )
    for text, due in cleaned:
        condition = AcceptanceCondition(
            organization_id=project.organization_id, deliverable=deliverable, text=text, due_date=due
        )
        validated(condition, exclude=["deliverable"])
        condition.save()
    if decision == AcceptanceStatus.REJECTED:
        from quality.services.ncs import nc_raise

        element = deliverable.wbs_element
        deliverable.non_conformance = nc_raise(
            actor=actor,
            project=project,
            title=f"{element.code} {element.name}: {in_both_languages(ACCEPTANCE_REJECTED)}"[:255],
            severity=Severity.MAJOR,
            description=note,
            wbs_element=element,
        )
    deliverable.save()
    audit_record(
        organization=project.organization,
        actor=actor,
        action="deliverable.signed",
        target=deliverable,
        changes={
            **diff(before, snapshot(deliverable, ["status", "decided_by_id", "decision_note"])),
            "signer_role": [None, signer_role],
            **({"conditions": [None, [text for text, _due in cleaned]]} if cleaned else {}),
            **(
                {"non_conformance": [None, deliverable.non_conformance.code]}
                if decision == AcceptanceStatus.REJECTED and deliverable.non_conformance is not None
                else {}
            ),
        },
    )
    if decision == AcceptanceStatus.REJECTED:
        from quality import alert_kinds

        alert_kinds.on_rejected(deliverable)
    return deliverable


@transaction.atomic
def condition_close(*, actor: User, condition: AcceptanceCondition, note: str) -> AcceptanceCondition:
    """Close a condition of an acceptance, saying how it was met (the quality role, the project's
    managers or whoever signed it)."""
    deliverable = condition.deliverable
    project, deliverable = _lock(deliverable)
    check_open_project(project)
    condition = cast(AcceptanceCondition, locked_row(condition))
    condition.deliverable = deliverable
    signer_id = (
        AcceptanceDecision.objects.for_organization(project.organization_id)
        .filter(deliverable=deliverable, status=AcceptanceStatus.CONDITIONAL)
        .order_by("-signed_at", "-id")
        .values_list("signed_by_id", flat=True)
        .first()
    )
    membership, project_role = roles_of(project, actor)
    if not may_close_condition(membership, project_role, actor, signer_id):
        raise ApplicationError(
            _("Only the quality role, the project manager or the signer closes a condition."),
            code="not_allowed",
            status_code=403,
        )
    if not condition.is_open:
        raise ApplicationError(_("The condition is already closed."), code="condition_closed")
    note = (note or "").strip()
    if not note:
        raise _invalid("note", _("Say how the condition was met."))
    condition.closed_on = project.organization.today()
    condition.closed_by = actor
    condition.closing_note = note
    condition.save(update_fields=["closed_on", "closed_by", "closing_note"])
    audit_record(
        organization=project.organization,
        actor=actor,
        action="deliverable.condition_closed",
        target=deliverable,
        changes={"condition": [condition.text, None], "closing_note": [None, note]},
    )
    return condition


def _score(field: str, value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if isinstance(value, bool) or str(number) != str(value).strip() or not 1 <= number <= 5:
        raise _invalid(field, _("Give a score from 1 to 5."))
    return number


@transaction.atomic
def survey_save(
    *,
    actor: User,
    project: Project,
    quality: Any,
    schedule: Any,
    communication: Any,
    service: Any,
    comments: str = "",
    respondent: str = "",
) -> SatisfactionSurvey:
    """Enter or change the project's customer satisfaction survey (1 to 5 on each of four dimensions).

    Entered by anyone else than the project's client representative, it is marked as entered on the
    client's behalf.
    """
    project = lock_project(project)
    check_open_project(project)
    scores = {
        field: _score(field, value)
        for field, value in zip(SCORES, (quality, schedule, communication, service), strict=True)
    }
    _membership, project_role = roles_of(project, actor)
    survey = (
        SatisfactionSurvey.objects.for_organization(project.organization_id)
        .select_for_update(of=("self",), no_key=True)
        .filter(project=project)
        .first()
    )
    created = survey is None
    if survey is None:
        survey = SatisfactionSurvey(organization_id=project.organization_id, project=project, **scores)
        before: dict[str, Any] = {}
    else:
        before = snapshot(survey, SURVEY_FIELDS)
    for field, value in scores.items():
        setattr(survey, field, value)
    survey.comments = (comments or "").strip()
    survey.respondent = (respondent or "").strip()
    survey.on_behalf = project_role != ProjectRole.CLIENT
    survey.entered_by = actor
    survey.entered_at = timezone.now()
    validated(survey, exclude=["project"])
    survey.save()
    survey.project = project
    changes = diff(before, snapshot(survey, SURVEY_FIELDS))
    if changes or created:
        audit_record(
            organization=project.organization,
            actor=actor,
            action="satisfaction.entered" if created else "satisfaction.updated",
            target=survey,
            changes=changes,
        )
    return survey
