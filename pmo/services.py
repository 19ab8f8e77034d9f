"""Writes of the core: organisations, memberships, API tokens, user preferences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.audit import audit_record, diff, snapshot
from pmo.authentication import format_token, hash_secret, new_token_parts
from pmo.errors import ApplicationError
from pmo.models import (
    ApiToken,
    CalendarException,
    Membership,
    Organization,
    OrgRole,
    User,
    WorkingCalendar,
    validate_time_zone,
)

ORGANIZATION_FIELDS = ["name", "default_currency", "time_zone", "earliest_date", "latest_date"]


def _validated(instance: object, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)  # type: ignore[attr-defined]
    except ValidationError as error:
        raise ApplicationError(
            "; ".join(error.messages), code="invalid", fields=getattr(error, "message_dict", {})
        ) from error


@transaction.atomic
def organization_create(
    *,
    actor: User | None,
    name: str,
    slug: str,
    default_currency: str = "CNY",
    time_zone: str = "Asia/Shanghai",
    admin: User | None = None,
) -> Organization:
    """Create a tenant with its default working calendar and, optionally, its first admin."""
    organization = Organization(name=name, slug=slug, default_currency=default_currency, time_zone=time_zone)
    _validated(organization)
    organization.save()
    calendar = WorkingCalendar(organization=organization, name=_("Standard (Mon-Fri)"), is_default=True)
    calendar.save()
    if admin is not None:
        Membership.objects.create(organization=organization, user=admin, role=OrgRole.ADMIN)
    audit_record(
        organization=organization,
        actor=actor,
        action="organization.created",
        target=organization,
        changes=diff({}, snapshot(organization, ["name", "slug", *ORGANIZATION_FIELDS[1:]])),
    )
    return organization


@transaction.atomic
def organization_update(*, actor: User, organization: Organization, **fields: object) -> Organization:
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    # Not the key: rows being written that refer to the organisation need not wait for this.
    organization = Organization.objects.select_for_update(no_key=True).get(pk=organization.pk)
    before = snapshot(organization, ORGANIZATION_FIELDS)
    for field, value in fields.items():
        setattr(organization, field, value)
    _validated(organization)
    changes = diff(before, snapshot(organization, ORGANIZATION_FIELDS))
    if changes:
        organization.save(update_fields=list(changes))
        audit_record(
            organization=organization, actor=actor, action="organization.updated", target=organization, changes=changes
        )
    return organization


def _remaining_admins(membership: Membership) -> int:
    return (
        Membership.objects.for_organization(membership.organization_id)
        .filter(role=OrgRole.ADMIN, user__is_active=True)
        .exclude(pk=membership.pk)
        .count()
    )


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    if role not in OrgRole.values:
        raise ApplicationError(_("Unknown role “%s”.") % role, fields={"role": [_("Choose a valid role.")]})
    membership = (
        Membership.objects.for_organization(membership.organization_id).select_for_update().get(pk=membership.pk)
    )
    if membership.role == role:
        return membership
    if membership.role == OrgRole.ADMIN and _remaining_admins(membership) == 0:
        raise ApplicationError(
            _("The organisation needs at least one administrator; appoint another before changing this role."),
            code="last_admin",
        )
    old_role = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        organization=membership.organization,
        actor=actor,
        action="membership.role_changed",
        target=membership,
        changes={"role": [old_role, role]},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    membership = (
        Membership.objects.for_organization(membership.organization_id).select_for_update().get(pk=membership.pk)
    )
    if membership.role == OrgRole.ADMIN and _remaining_admins(membership) == 0:
        raise ApplicationError(
            _("The organisation needs at least one administrator; appoint another before removing this one."),
            code="last_admin",
        )
    audit_record(
        organization=membership.organization,
        actor=actor,
        action="membership.removed",
        target=membership,
        changes={"user": [membership.user.username, None], "role": [membership.role, None]},
    )
    membership.delete()


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token and return it with the one and only copy of its plain text."""
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the token a name."), fields={"name": [_("This field is required.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError(
            _("The expiry must be in the future."), fields={"expires_at": [_("The expiry must be in the future.")]}
        )
    prefix, secret = new_token_parts()
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=prefix, secret_hash=hash_secret(secret), expires_at=expires_at
    )
    return token, format_token(prefix, secret)


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    if token.user_id != user.pk:
        raise ApplicationError(_("Token not found."), code="not_found", status_code=404)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def user_update_profile(
    *, user: User, display_name: str | None = None, language: str | None = None, time_zone: str | None = None
) -> User:
    """Change what is given of the person's own preferences; ``time_zone`` "" is the organisation's."""
    if language is not None:
        user_set_language(user=user, language=language)
    if time_zone is not None:
        user_set_time_zone(user=user, time_zone=time_zone)
    if display_name is not None and display_name != user.display_name:
        user.display_name = display_name.strip()[:150]
        user.save(update_fields=["display_name"])
    return user


def user_set_language(*, user: User, language: str) -> User:
    if language not in User.Language.values:
        raise ApplicationError(_("Unknown language."), fields={"language": [_("Choose a valid language.")]})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def user_set_time_zone(*, user: User, time_zone: str) -> User:
    """The person's own time zone for pages, reports and calendar feeds; "" follows each organisation's."""
    if time_zone:
        try:
            validate_time_zone(time_zone)
        except ValidationError as error:
            raise ApplicationError(error.messages[0], fields={"time_zone": error.messages}) from error
    if user.time_zone != time_zone:
        user.time_zone = time_zone
        user.save(update_fields=["time_zone"])
    return user


# --- working calendars ----------------------------------------------------------------

CALENDAR_FIELDS = ["name", "working_weekdays", "is_default"]


#: Told of each change to a working calendar (its days, holidays, being the default), inside the
#: change's transaction: the projects app reschedules the projects planned on it once committed.
calendar_change_listeners: list[Callable[[WorkingCalendar], None]] = []


def _after_calendar_change(calendar: WorkingCalendar) -> None:
    for listener in calendar_change_listeners:
        listener(calendar)


@transaction.atomic
def calendar_create(
    *, actor: User, organization: Organization, name: str, working_weekdays: list[int], is_default: bool = False
) -> WorkingCalendar:
    calendar = WorkingCalendar(
        organization=organization, name=name.strip(), working_weekdays=sorted(working_weekdays), is_default=False
    )
    _validated(calendar)
    calendar.save()
    if is_default:
        _make_default(calendar)
    audit_record(
        organization=organization,
        actor=actor,
        action="calendar.created",
        target=calendar,
        changes=diff({}, snapshot(calendar, CALENDAR_FIELDS)),
    )
    return calendar


def _make_default(calendar: WorkingCalendar) -> None:
    calendars = WorkingCalendar.objects.for_organization(calendar.organization_id)
    previous = calendars.filter(is_default=True).exclude(pk=calendar.pk).first()
    calendars.filter(is_default=True).exclude(pk=calendar.pk).update(is_default=False)
    calendars.filter(pk=calendar.pk).update(is_default=True)
    calendar.is_default = True
    if previous is not None:
        # Projects without a calendar of their own follow the default: they move too.
        _after_calendar_change(previous)


@transaction.atomic
def calendar_update(*, actor: User, calendar: WorkingCalendar, **fields: Any) -> WorkingCalendar:
    unknown = set(fields) - set(CALENDAR_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    calendar = (
        WorkingCalendar.objects.for_organization(calendar.organization_id).select_for_update().get(pk=calendar.pk)
    )
    before = snapshot(calendar, CALENDAR_FIELDS)
    make_default = fields.pop("is_default", None)
    if make_default is False and calendar.is_default:
        raise ApplicationError(
            _("Make another calendar the default instead; the organisation always has one."),
            fields={"is_default": [_("The organisation always has a default calendar.")]},
        )
    for field, value in fields.items():
        setattr(calendar, field, sorted(value) if field == "working_weekdays" else value)
    _validated(calendar)
    calendar.save()
    if make_default:
        _make_default(calendar)
    changes = diff(before, snapshot(calendar, CALENDAR_FIELDS))
    if changes:
        audit_record(
            organization=calendar.organization, actor=actor, action="calendar.updated", target=calendar, changes=changes
        )
        _after_calendar_change(calendar)
    return calendar


@transaction.atomic
def calendar_exception_add(
    *, actor: User, calendar: WorkingCalendar, date: dt.date, is_working: bool = False, name: str = ""
) -> CalendarException:
    exception = CalendarException(
        organization_id=calendar.organization_id, calendar=calendar, date=date, is_working=is_working, name=name.strip()
    )
    _validated(exception)
    if is_working and date.weekday() in calendar.working_weekdays:
        raise ApplicationError(
            _("%(date)s is a working day already; a make-up working day falls on a day off.") % {"date": date},
            fields={"is_working": [_("Only a day off can be made a working day.")]},
        )
    if not is_working and date.weekday() not in calendar.working_weekdays:
        raise ApplicationError(
            _("%(date)s is not a working day anyway.") % {"date": date},
            fields={"date": [_("Choose a working day to make it a holiday.")]},
        )
    exception.save()
    audit_record(
        organization=calendar.organization,
        actor=actor,
        action="calendar.exception_added",
        target=calendar,
        changes={"date": [None, date], "working": [None, is_working], "name": [None, exception.name]},
    )
    _after_calendar_change(calendar)
    return exception


@transaction.atomic
def calendar_exception_remove(*, actor: User, exception: CalendarException) -> None:
    calendar = exception.calendar
    audit_record(
        organization=calendar.organization,
        actor=actor,
        action="calendar.exception_removed",
        target=calendar,
        changes={
            "date": [exception.date, None],
            "working": [exception.is_working, None],
            "name": [exception.name, None],
        },
    )
    exception.delete()
    _after_calendar_change(calendar)
