"""The organisation's maintenance settings: working hours, SLA targets per priority, hold reasons and
inspectors, made with the defaults on first read (:func:`maintenance_settings_for`).

Default SLA targets (hours; "working" hours run on the organisation's calendar between the start
and end of the working day, 09:00 to 17:00 = 8 h by default):

- P1 respond 2 h, resolve 24 h, around the clock;
- P2 respond 8 working hours, resolve 3 working days;
- P3 respond 2 working days, resolve 10 working days;
- P4 respond 5 working days, resolve 20 working days.

Default hold reasons: waiting for the client, for access, for the weather (pausing the clock) and
waiting for parts (not pausing: the organisation's own supply is its own delay).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenance.models import HoldReason, Inspector, MaintenanceSettings, Priority, SlaTarget
from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, OrgRole, User, WorkingCalendar

#: Hours of the default working day the defaults in working days were counted with.
DEFAULT_WORKDAY_HOURS = 8
#: ``priority: (respond in working days or hours, resolve in …, unit, around the clock)``.
DEFAULT_TARGETS: dict[str, tuple[Decimal, Decimal, bool]] = {
    Priority.P1: (Decimal("2"), Decimal("24"), True),
    Priority.P2: (Decimal("8"), Decimal(3 * DEFAULT_WORKDAY_HOURS), False),
    Priority.P3: (Decimal(2 * DEFAULT_WORKDAY_HOURS), Decimal(10 * DEFAULT_WORKDAY_HOURS), False),
    Priority.P4: (Decimal(5 * DEFAULT_WORKDAY_HOURS), Decimal(20 * DEFAULT_WORKDAY_HOURS), False),
}
#: ``(code, Chinese, English, pauses the clock)`` of the reasons every organisation starts with.
DEFAULT_HOLD_REASONS: list[tuple[str, str, str, bool]] = [
    ("waiting_client", "等待业主", "Waiting for the client", True),
    ("waiting_access", "等待进场许可", "Waiting for access", True),
    ("waiting_parts", "等待材料", "Waiting for parts", False),
    ("weather", "天气原因", "Weather", True),
]
SETTINGS_FIELDS = ["calendar", "workday_start", "workday_end", "round_lead_days"]
TARGET_FIELDS = ["response_hours", "resolution_hours", "around_the_clock"]
REASON_FIELDS = ["name_zh", "name_en", "pauses_clock", "is_active", "position"]


def _organization_id(organization: Organization | int) -> int:
    return organization if isinstance(organization, int) else organization.pk


def validated(instance: models.Model, exclude: list[str] | None = None) -> None:
    """Run the model's validation and constraints; a failure becomes an ``ApplicationError`` naming the fields."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ApplicationError(
            "; ".join(error.messages), code="invalid", fields=getattr(error, "message_dict", {})
        ) from error


def _ensure_defaults(organization_id: int) -> None:
    have_targets = set(SlaTarget.objects.for_organization(organization_id).values_list("priority", flat=True))
    targets = [
        SlaTarget(
            organization_id=organization_id,
            priority=priority,
            response_hours=response,
            resolution_hours=resolution,
            around_the_clock=around,
        )
        for priority, (response, resolution, around) in DEFAULT_TARGETS.items()
        if priority not in have_targets
    ]
    have_reasons = HoldReason.objects.for_organization(organization_id).exists()
    reasons = (
        []
        if have_reasons
        else [
            HoldReason(
                organization_id=organization_id,
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                pauses_clock=pauses,
                position=position,
            )
            for position, (code, name_zh, name_en, pauses) in enumerate(DEFAULT_HOLD_REASONS, start=1)
        ]
    )
    if targets or reasons:
        try:
            with transaction.atomic():
                SlaTarget.objects.bulk_create(targets)
                HoldReason.objects.bulk_create(reasons)
        except IntegrityError:
            pass  # another request made them meanwhile


def maintenance_settings_for(organization: Organization | int) -> MaintenanceSettings:
    """The organisation's maintenance settings, made with the default SLA targets and hold reasons
    on first read (one query when they exist)."""
    organization_id = _organization_id(organization)
    found = MaintenanceSettings.objects.for_organization(organization_id).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            settings, _created = MaintenanceSettings.objects.for_organization(organization_id).get_or_create(
                organization_id=organization_id
            )
    except IntegrityError:
        settings = MaintenanceSettings.objects.for_organization(organization_id).get()
    _ensure_defaults(organization_id)
    return settings


def sla_targets_for(organization: Organization | int) -> dict[str, SlaTarget]:
    """The organisation's SLA target of every priority, by priority (defaults made if missing)."""
    organization_id = _organization_id(organization)
    targets = {target.priority: target for target in SlaTarget.objects.for_organization(organization_id)}
    if len(targets) < len(Priority.values):
        maintenance_settings_for(organization_id)
        _ensure_defaults(organization_id)
        targets = {target.priority: target for target in SlaTarget.objects.for_organization(organization_id)}
    return targets


def hold_reasons_for(organization: Organization | int, *, active_only: bool = True) -> list[HoldReason]:
    organization_id = _organization_id(organization)
    maintenance_settings_for(organization_id)
    reasons = HoldReason.objects.for_organization(organization_id)
    if active_only:
        reasons = reasons.filter(is_active=True)
    return list(reasons)


@transaction.atomic
def maintenance_settings_update(
    *,
    actor: User,
    organization: Organization,
    calendar: WorkingCalendar | None = None,
    workday_start: dt.time | None = None,
    workday_end: dt.time | None = None,
    round_lead_days: int | None = None,
    clear_calendar: bool = False,
) -> MaintenanceSettings:
    """Change the calendar the SLA clocks run on (None with ``clear_calendar``: the organisation's
    default), the working day's hours and how far ahead rounds are made. Work orders already open keep
    their due times."""
    settings = maintenance_settings_for(organization)
    settings = MaintenanceSettings.objects.for_organization(organization).select_for_update().get(pk=settings.pk)
    if calendar is not None and calendar.organization_id != organization.pk:
        raise ApplicationError(_("Not found."), code="not_found", fields={"calendar": [_("Not found.")]})
    before = snapshot(settings, SETTINGS_FIELDS)
    if calendar is not None or clear_calendar:
        settings.calendar = calendar
    if workday_start is not None:
        settings.workday_start = workday_start
    if workday_end is not None:
        settings.workday_end = workday_end
    if round_lead_days is not None:
        settings.round_lead_days = round_lead_days
    if settings.workday_end <= settings.workday_start:
        message = _("The working day must end after it starts.")
        raise ApplicationError(message, code="invalid", fields={"workday_end": [message]})
    settings.updated_at = timezone.now()
    validated(settings)
    settings.save()
    changes = diff(before, snapshot(settings, SETTINGS_FIELDS))
    if changes:
        audit_record(
            organization=organization,
            actor=actor,
            action="maintenance_settings.updated",
            target=settings,
            changes=changes,
        )
    return settings


def _hours(value: Any, field: str) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        hours = Decimal("NaN")
    if not hours.is_finite() or hours < Decimal("0.25") or hours >= Decimal("100000"):
        message = _("Enter a number of hours from 0.25 to 99999.")
        raise ApplicationError(message, code="invalid", fields={field: [message]})
    return hours.quantize(Decimal("0.01"))


@transaction.atomic
def sla_target_update(
    *,
    actor: User,
    organization: Organization,
    priority: str,
    response_hours: Any,
    resolution_hours: Any,
    around_the_clock: bool,
) -> SlaTarget:
    """Set how soon work orders of a priority must be responded to and resolved. Applies to work
    orders opened (or re-prioritised) from now on."""
    if priority not in Priority.values:
        raise ApplicationError(_("Choose a priority."), code="invalid", fields={"priority": [_("Choose a priority.")]})
    response = _hours(response_hours, "response_hours")
    resolution = _hours(resolution_hours, "resolution_hours")
    if resolution < response:
        message = _("The resolution time cannot be shorter than the response time.")
        raise ApplicationError(message, code="invalid", fields={"resolution_hours": [message]})
    sla_targets_for(organization)
    target = SlaTarget.objects.for_organization(organization).select_for_update().get(priority=priority)
    before = snapshot(target, TARGET_FIELDS)
    target.response_hours, target.resolution_hours, target.around_the_clock = (
        response,
        resolution,
        bool(around_the_clock),
    )
    target.save()
    changes = diff(before, snapshot(target, TARGET_FIELDS))
    if changes:
        audit_record(
            organization=organization,
            actor=actor,
            action="sla_target.updated",
            target=target,
            changes={"priority": [priority, priority], **changes},
        )
    return target


def _check_reason_names(name_zh: str, name_en: str) -> None:
    if not name_zh and not name_en:
        message = _("Name the reason in at least one language.")
        raise ApplicationError(message, code="invalid", fields={"name_en": [message]})


@transaction.atomic
def hold_reason_create(
    *,
    actor: User,
    organization: Organization,
    code: str,
    name_zh: str = "",
    name_en: str = "",
    pauses_clock: bool = False,
) -> HoldReason:
    """Add a reason a work order may be put on hold for; ``pauses_clock`` stops its SLA clock meanwhile."""
    maintenance_settings_for(organization)
    name_zh, name_en, code = (name_zh or "").strip(), (name_en or "").strip(), (code or "").strip()
    _check_reason_names(name_zh, name_en)
    reasons = HoldReason.objects.for_organization(organization)
    if reasons.filter(code=code).exists():
        message = _("A hold reason with this code already exists.")
        raise ApplicationError(message, code="invalid", fields={"code": [message]})
    position = (reasons.aggregate(highest=Max("position"))["highest"] or 0) + 1
    reason = HoldReason(
        organization=organization,
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        pauses_clock=bool(pauses_clock),
        position=position,
    )
    validated(reason)
    reason.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="hold_reason.created",
        target=reason,
        changes=diff({}, snapshot(reason, ["code", *REASON_FIELDS])),
    )
    return reason


@transaction.atomic
def hold_reason_update(*, actor: User, reason: HoldReason, **fields: Any) -> HoldReason:
    """Rename a hold reason, change whether it pauses the clock (for holds from now on), retire it."""
    unknown = set(fields) - set(REASON_FIELDS)
    if unknown:
        raise ValueError(f"not hold reason fields: {sorted(unknown)}")
    reason = HoldReason.objects.for_organization(reason.organization_id).select_for_update().get(pk=reason.pk)
    before = snapshot(reason, REASON_FIELDS)
    for name, value in fields.items():
        setattr(reason, name, value.strip() if isinstance(value, str) else value)
    _check_reason_names(reason.name_zh, reason.name_en)
    validated(reason)
    reason.save()
    changes = diff(before, snapshot(reason, REASON_FIELDS))
    if changes:
        audit_record(
            organization=reason.organization, actor=actor, action="hold_reason.updated", target=reason, changes=changes
        )
    return reason


def _check_named_member(organization: Organization, user: User | None) -> Membership:
    membership = Membership.objects.for_organization(organization).filter(user=user).first() if user else None
    if membership is None:
        raise ApplicationError(_("Not found."), code="not_found", fields={"user": [_("Not found.")]})
    if membership.role == OrgRole.VIEWER:
        message = _("A viewer cannot be named an inspector.")
        raise ApplicationError(message, code="invalid", fields={"user": [message]})
    return membership


@transaction.atomic
def inspector_name(*, actor: User, organization: Organization, user: User) -> Inspector:
    """Name a member (not a viewer) an inspector: they may then do rounds and verify repairs."""
    _check_named_member(organization, user)
    inspector = Inspector.objects.for_organization(organization).select_for_update().filter(user=user).first()
    if inspector is not None and inspector.is_active:
        message = _("%(user)s is already an inspector.") % {"user": user.get_username()}
        raise ApplicationError(message, code="invalid", fields={"user": [message]})
    if inspector is None:
        inspector = Inspector.objects.create(organization=organization, user=user)
    else:
        inspector.is_active, inspector.since = True, timezone.now()
        inspector.save(update_fields=["is_active", "since"])
    audit_record(
        organization=organization,
        actor=actor,
        action="inspector.named",
        target=inspector,
        changes={"user": [None, user.pk], "is_active": [False, True]},
    )
    return inspector


@transaction.atomic
def inspector_remove(*, actor: User, inspector: Inspector) -> Inspector:
    """Stop a member being an inspector (their past readings stay theirs)."""
    inspector = Inspector.objects.for_organization(inspector.organization_id).select_for_update().get(pk=inspector.pk)
    if not inspector.is_active:
        raise ApplicationError(_("This member is no longer an inspector."), code="invalid")
    inspector.is_active = False
    inspector.save(update_fields=["is_active"])
    audit_record(
        organization=inspector.organization,
        actor=actor,
        action="inspector.removed",
        target=inspector,
        changes={"is_active": [True, False]},
    )
    return inspector
