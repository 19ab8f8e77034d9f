"""Which computed gate checks apply, per organisation and phase; evaluating them at a gate."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.audit import audit_record
from pmo.errors import ApplicationError
from pmo.models import Organization, User
from projects.gate_checks import GateCheck, GateCheckResult, evaluate, gate_checks
from projects.models import OPEN_PHASES, GateCheckChoice, Phase, Project

Selection = dict[str, list[str]]


def _choices(organization: Organization | int, phase: str | None = None) -> dict[tuple[str, str], bool]:
    rows = GateCheckChoice.objects.for_organization(organization)
    if phase is not None:
        rows = rows.filter(from_phase=phase)
    return {(row.from_phase, row.code): row.applies for row in rows}


def _applying(phase: str, choices: dict[tuple[str, str], bool]) -> list[GateCheck]:
    return [
        check
        for check in gate_checks.for_phase(phase)
        if choices.get((phase, check.code), check.applies_by_default(phase))
    ]


def gate_check_selection(organization: Organization | int) -> Selection:
    """For every open phase, the codes of the registered checks that apply when leaving it (one query)."""
    choices = _choices(organization)
    return {phase.value: [check.code for check in _applying(phase, choices)] for phase in OPEN_PHASES}


def gate_checks_applying(organization: Organization | int, phase: str) -> list[GateCheck]:
    """The checks that apply when leaving ``phase``: one query, none if no check is registered for it."""
    if phase not in OPEN_PHASES or not gate_checks.for_phase(phase):
        return []
    return _applying(phase, _choices(organization, phase))


def gate_checks_evaluate(project: Project) -> list[GateCheckResult]:
    """The applying checks for leaving the project's current phase, evaluated on the project as it is."""
    return evaluate(gate_checks_applying(project.organization_id, project.phase), project)


def gate_checks_enforce(project: Project) -> list[dict[str, Any]]:
    """Evaluate the checks for leaving the project's phase; refuse the gate if one fails.

    Returns the results as the gate records them, in every language (``GateCheckResult.record``);
    the refusal speaks the requester's language. The error's code is the first failing check's
    ``failure_code``; ``fields["computed_checks"]`` lists every failing check as ``"<code>: <reason>"``.
    """
    results = gate_checks_evaluate(project)
    failing = [result for result in results if not result.passed]
    if failing:
        message = (
            str(failing[0].reason)
            if len(failing) == 1
            else _("The gate is blocked: %(reasons)s") % {"reasons": " ".join(str(r.reason) for r in failing)}
        )
        raise ApplicationError(
            message,
            code=failing[0].check.failure_code,
            fields={"computed_checks": [f"{result.code}: {result.reason}" for result in failing]},
        )
    evaluated_at = timezone.now()
    return [result.record(evaluated_at) for result in results]


def validate_selection(selection: dict[str, Any]) -> Selection:
    """Check a selection by phase: open phases only, registered codes only, each meant for its phase."""
    errors: dict[str, list[str]] = {}
    cleaned: Selection = {}
    for phase, codes in selection.items():
        if phase not in OPEN_PHASES:
            errors[str(phase)] = [_("Only the open phases have a gate to leave them.")]
            continue
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            errors[phase] = [_("A list of check codes.")]
            continue
        problems = []
        for code in codes:
            check = gate_checks.get(code)
            if check is None:
                problems.append(_("Unknown gate check: %(code)s.") % {"code": code})
            elif phase not in check.phases:
                problems.append(
                    _("The check %(code)s is not meant for leaving %(phase)s.")
                    % {"code": code, "phase": Phase(phase).label}
                )
        if problems:
            errors[phase] = problems
        else:
            cleaned[phase] = list(dict.fromkeys(codes))
    if errors:
        raise ApplicationError(
            "; ".join(message for messages in errors.values() for message in messages),
            code="invalid_gate_check",
            fields=errors,
        )
    return cleaned


@transaction.atomic
def gate_check_selection_update(*, actor: User, organization: Organization, selection: dict[str, Any]) -> Selection:
    """Set which registered checks apply when leaving each phase named in ``selection``.

    A phase left out keeps its selection. Every check meant for a phase named is recorded as
    chosen or not, so that a later change of a check's default does not change the organisation's choice.
    """
    cleaned = validate_selection(selection)
    # One writer of an organisation's selection at a time: the organisation row serialises them.
    Organization.objects.select_for_update(no_key=True).filter(pk=organization.pk).first()
    rows = GateCheckChoice.objects.for_organization(organization)
    existing = {(row.from_phase, row.code): row for row in rows.filter(from_phase__in=list(cleaned))}
    before = gate_check_selection(organization)
    to_create: list[GateCheckChoice] = []
    to_update: list[GateCheckChoice] = []
    for phase, codes in cleaned.items():
        for check in gate_checks.for_phase(phase):
            applies = check.code in codes
            row = existing.get((phase, check.code))
            if row is None:
                to_create.append(
                    GateCheckChoice(organization=organization, from_phase=phase, code=check.code, applies=applies)
                )
            elif row.applies != applies:
                row.applies = applies
                to_update.append(row)
    rows.bulk_create(to_create)
    if to_update:
        now = timezone.now()
        for row in to_update:
            row.updated_at = now
        rows.bulk_update(to_update, ["applies", "updated_at"])
    after = gate_check_selection(organization)
    changes = {phase: [before[phase], after[phase]] for phase in cleaned if before[phase] != after[phase]}
    if changes:
        audit_record(
            organization=organization,
            actor=actor,
            action="gate_checks.updated",
            target=organization,
            changes=changes,
        )
    return after
