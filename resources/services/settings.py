"""The organisation's resource rules, made with the defaults on first read, and their one write path.

:func:`resource_settings` is what every other part of the app reads (hours per day for a new
resource, the over-allocation threshold and look-ahead, the timesheet deadline and approval wait);
:func:`resource_settings_update` changes them, audited as ``resource_settings.updated``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Organization, User
from resources.models import ResourceSettings

SETTINGS_FIELDS = [
    "default_hours_per_day",
    "overallocation_weeks",
    "timesheet_deadline_weekday",
    "timesheet_deadline_time",
]


def validated(instance: models.Model, exclude: list[str] | None = None) -> None:
    """Run the model's validation and constraints; a failure becomes an ``ApplicationError`` naming the fields."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ApplicationError(
            "; ".join(error.messages), code="invalid", fields=getattr(error, "message_dict", {})
        ) from error


def resource_settings(organization: Organization | int) -> ResourceSettings:
    """The organisation's resource settings, created with the defaults on first read."""
    organization_id = organization if isinstance(organization, int) else organization.pk
    found = ResourceSettings.objects.for_organization(organization_id).first()
    if found is not None:
        return found
    with transaction.atomic():
        settings, _created = ResourceSettings.objects.for_organization(organization_id).get_or_create(
            organization_id=organization_id
        )
    return settings


@transaction.atomic
def resource_settings_update(*, actor: User, organization: Organization, **fields: Any) -> ResourceSettings:
    """Change the organisation's resource rules; nothing changes when one value is wrong."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %s") % ", ".join(sorted(unknown)),
            fields={field: [_("This field cannot be changed.")] for field in sorted(unknown)},
        )
    resource_settings(organization)
    settings = ResourceSettings.objects.for_organization(organization).select_for_update().get()
    before = snapshot(settings, SETTINGS_FIELDS)
    for field, value in fields.items():
        setattr(settings, field, value)
    validated(settings, exclude=["organization"])
    changes = diff(before, snapshot(settings, SETTINGS_FIELDS))
    if not changes:
        return settings
    settings.updated_at = timezone.now()
    settings.save()
    audit_record(
        organization=organization, actor=actor, action="resource_settings.updated", target=settings, changes=changes
    )
    return settings
