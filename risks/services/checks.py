"""Checks and locks shared by the writes of responses, actions and issues."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, User
from projects.services.locks import lock_project_row
from risks.models import Risk


def locked_risk(risk: Risk) -> Risk:
    """The risk again, locked: after its project row for a project's risk (the house order)."""
    if risk.project_id is not None:
        return lock_project_row(risk, "organization")
    return (
        Risk.objects.for_organization(risk.organization_id)
        .select_for_update(of=("self",), no_key=True)
        .select_related("organization")
        .get(pk=risk.pk)
    )


def validated(instance: models.Model, exclude: list[str] | None = None) -> None:
    """The model's field validation; a failure becomes an ``ApplicationError`` naming the fields."""
    try:
        instance.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        raise ApplicationError(
            "; ".join(error.messages), code="invalid", fields=getattr(error, "message_dict", {})
        ) from error


def required_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ApplicationError(message, fields={field: [_("This field is required.")]})
    return text


def check_member(organization: Organization, user: User | None, field: str = "owner") -> None:
    """An owner must be a member of the organisation; anyone else looks nonexistent."""
    if user is None:
        return
    if not Membership.objects.for_organization(organization).filter(user_id=user.pk).exists():
        raise ApplicationError(
            _("%(user)s is not a member of the organisation.") % {"user": user},
            fields={field: [_("Not found.")]},
        )


def check_date(organization: Organization, value: dt.date | None, field: str = "due") -> None:
    if value is None:
        return
    window = organization.date_window
    if not window.contains(value):
        raise ApplicationError(window.message(), code="date_out_of_range", fields={field: [window.message()]})


def check_amount(value: Decimal, field: str = "cost") -> None:
    if value < 0:
        raise ApplicationError(_("An amount cannot be negative."), fields={field: [_("Enter zero or more.")]})
