from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmo.dates import DEFAULT_EARLIEST, DEFAULT_LATEST, HARD_EARLIEST, HARD_LATEST, DateWindow
from pmo.tenancy import TenantManager, TenantModel, TenantQuerySet


@functools.cache
def known_time_zones() -> frozenset[str]:
    """The IANA names ``zoneinfo`` can load (read once: listing them walks the time zone database)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in known_time_zones():
        raise ValidationError(
            _(
                "“%(value)s” is not a known time zone: use a name from the IANA time zone database, "
                "such as Asia/Shanghai."
            ),
            code="invalid_time_zone",
            params={"value": value},
        )


def validate_weekdays(value: Any) -> None:
    if (
        not isinstance(value, list)
        or not value
        or any(not isinstance(day, int) or not 0 <= day <= 6 for day in value)
        or len(set(value)) != len(value)
    ):
        raise ValidationError(_("Working weekdays must be distinct numbers from 0 (Monday) to 6 (Sunday)."))


def default_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


currency_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code such as CNY."))


class User(AbstractUser):
    class Language(models.TextChoices):
        CHINESE = "zh-hans", "简体中文"
        ENGLISH = "en", "English"

    class AlertEmail(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately")
        DIGEST = "digest", _("Once a day, in a digest")
        OFF = "off", _("Never (in the app only)")

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=Language, default=Language.CHINESE)
    alert_email = models.CharField(_("alert e-mails"), max_length=10, choices=AlertEmail, default=AlertEmail.IMMEDIATE)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_(
            "The time zone pages, reports and calendar feeds show your times in: a name from the IANA "
            "time zone database such as Europe/London; empty for the organisation's time zone."
        ),
    )

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def time_zone_in(self, organization: Organization) -> str:
        """The time zone this person reads times in within ``organization``: their own, else its."""
        return self.time_zone or organization.time_zone


class Organization(models.Model):
    """The tenant. Everything a company owns hangs from one of these."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        validators=[MinLengthValidator(2)],
        help_text=_("Short name used in addresses, e.g. /o/acme/."),
    )
    default_currency = models.CharField(
        _("default currency"), max_length=3, default="CNY", validators=[currency_validator]
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    earliest_date = models.DateField(
        _("earliest date"),
        default=DEFAULT_EARLIEST,
        help_text=_("No date entered (plans, costs, reports, imports) may fall before this day."),
    )
    latest_date = models.DateField(
        _("latest date"),
        default=DEFAULT_LATEST,
        help_text=_("No date entered may fall after this day, and no schedule may run past it."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        limits = {"earliest": HARD_EARLIEST.isoformat(), "latest": HARD_LATEST.isoformat()}
        for field in ("earliest_date", "latest_date"):
            value = getattr(self, field)
            if isinstance(value, dt.date) and not HARD_EARLIEST <= value <= HARD_LATEST:
                errors[field] = [str(_("Choose a day from %(earliest)s to %(latest)s.") % limits)]
        earliest, latest = self.earliest_date, self.latest_date
        if not errors and isinstance(earliest, dt.date) and isinstance(latest, dt.date) and earliest >= latest:
            errors["latest_date"] = [str(_("The latest date must come after the earliest date."))]
        if errors:
            raise ValidationError(errors)

    @property
    def date_window(self) -> DateWindow:
        return DateWindow(self.earliest_date, self.latest_date)

    def today(self) -> dt.date:
        return timezone.now().astimezone(zoneinfo.ZoneInfo(self.time_zone)).date()


class OrgRole(models.TextChoices):
    ADMIN = "admin", _("PMO administrator")
    PMO = "pmo", _("PMO analyst")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    FINANCE = "finance", _("Finance")
    QUALITY = "quality", _("Quality")
    RISK = "risk", _("Risk")
    RESOURCE = "resource", _("Resource manager")
    MAINTENANCE = "maintenance", _("Maintenance")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer")


class Membership(TenantModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=32, choices=OrgRole, default=OrgRole.MEMBER)
    created_at = models.DateTimeField(_("joined"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"],
                name="membership_one_per_user_and_org",
                violation_error_message=_("This person is already a member of the organisation."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization_id} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == OrgRole.ADMIN


class WorkingCalendar(TenantModel):
    """Working weekdays plus exceptions: holidays, and weekend days worked in exchange (调休)."""

    name = models.CharField(_("name"), max_length=120)
    working_weekdays = models.JSONField(_("working weekdays"), default=default_weekdays, validators=[validate_weekdays])
    is_default = models.BooleanField(_("organisation default"), default=False)

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="calendar_name_unique_in_org",
                violation_error_message=_("A calendar with this name already exists."),
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(is_default=True),
                name="calendar_one_default_per_org",
                violation_error_message=_("The organisation already has a default calendar."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CalendarException(TenantModel):
    calendar = models.ForeignKey(
        WorkingCalendar, on_delete=models.CASCADE, related_name="exceptions", verbose_name=_("calendar")
    )
    date = models.DateField(_("date"))
    is_working = models.BooleanField(
        _("working day"), default=False, help_text=_("Ticked for a weekend day worked in exchange for a holiday.")
    )
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "calendar", "date"],
                name="calendar_exception_one_per_day",
                violation_error_message=_("This day already has an exception in the calendar."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ApiToken(models.Model):
    """A personal API token. Only a hash of the secret is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, at: dt.datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)


class AppendOnlyError(RuntimeError):
    """Audit events are never changed or deleted."""


class AuditEventQuerySet(TenantQuerySet):
    def update(self, **kwargs: Any) -> int:
        self._require_scope()
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        self._require_scope()
        raise AppendOnlyError("Audit events are append-only.")


AuditEventManager = TenantManager.from_queryset(AuditEventQuerySet)


class AuditEvent(TenantModel):
    """An append-only record of a change, written in the same transaction as the change."""

    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(_("target type"), max_length=80)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEventManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="audit_org_time"),
            models.Index(fields=["organization", "target_type", "target_id"], name="audit_org_target"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("Audit events are append-only.")
