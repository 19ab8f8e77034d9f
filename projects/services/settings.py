"""Writes of the organisation's project rules: gate checklists and change-approval thresholds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Organization, User
from projects.models import OPEN_PHASES, GateCriterion, ProjectSettings
from projects.services.projects import gate_criteria_ensure_defaults, project_settings

CRITERION_FIELDS = ["text", "order", "is_active"]
SETTINGS_FIELDS = ["finance_approval_above", "pmo_approval_above_days"]


def _validated(instance: Any) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ApplicationError(
            "; ".join(error.messages), code="invalid", fields=getattr(error, "message_dict", {})
        ) from error


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ApplicationError(_("Write the criterion."), fields={"text": [_("This field is required.")]})
    return text


@transaction.atomic
def gate_criterion_create(
    *, actor: User, organization: Organization, from_phase: str, text: str, order: int | None = None
) -> GateCriterion:
    """Add a line to the checklist for leaving ``from_phase`` (last, unless ``order`` is given)."""
    # The defaults arrive with the first checklist read; adding a line first must not lose them.
    gate_criteria_ensure_defaults(organization)
    if from_phase not in OPEN_PHASES:
        raise ApplicationError(
            _("Only the open phases have a gate to leave them."),
            fields={"from_phase": [_("Choose an open phase.")]},
        )
    if order is None:
        last = (
            GateCriterion.objects.for_organization(organization)
            .filter(from_phase=from_phase)
            .aggregate(last=Max("order"))["last"]
        )
        order = (last or 0) + 1
    criterion = GateCriterion(organization=organization, from_phase=from_phase, text=_clean_text(text), order=order)
    _validated(criterion)
    criterion.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="gate_criterion.created",
        target=criterion,
        changes=diff({}, snapshot(criterion, ["from_phase", *CRITERION_FIELDS])),
    )
    return criterion


@transaction.atomic
def gate_criterion_update(*, actor: User, criterion: GateCriterion, **fields: Any) -> GateCriterion:
    """Change a criterion's text or order, or switch it off; criteria are never deleted."""
    unknown = set(fields) - set(CRITERION_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    criterion = (
        GateCriterion.objects.for_organization(criterion.organization_id).select_for_update().get(pk=criterion.pk)
    )
    if "text" in fields:
        fields["text"] = _clean_text(fields["text"])
    before = snapshot(criterion, CRITERION_FIELDS)
    for field, value in fields.items():
        setattr(criterion, field, value)
    _validated(criterion)
    changes = diff(before, snapshot(criterion, CRITERION_FIELDS))
    if changes:
        criterion.save(update_fields=list(changes))
        audit_record(
            organization=criterion.organization,
            actor=actor,
            action="gate_criterion.updated",
            target=criterion,
            changes=changes,
        )
    return criterion


@transaction.atomic
def project_settings_update(*, actor: User, organization: Organization, **fields: Any) -> ProjectSettings:
    """Change the thresholds above which a change request needs finance or PMO approval."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    current = project_settings(organization)
    settings = ProjectSettings.objects.for_organization(organization).select_for_update().get(pk=current.pk)
    threshold = fields.get("finance_approval_above")
    if threshold is not None and Decimal(threshold) < 0:
        raise ApplicationError(
            _("The threshold cannot be negative."), fields={"finance_approval_above": [_("Enter zero or more.")]}
        )
    before = snapshot(settings, SETTINGS_FIELDS)
    for field, value in fields.items():
        setattr(settings, field, value)
    _validated(settings)
    changes = diff(before, snapshot(settings, SETTINGS_FIELDS))
    if changes:
        settings.save(update_fields=list(changes))
        audit_record(
            organization=organization,
            actor=actor,
            action="project_settings.updated",
            target=settings,
            changes=changes,
        )
    return settings
