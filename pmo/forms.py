from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any, ClassVar, cast

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from pmo.authentication import login_failed, login_is_locked, login_succeeded
from pmo.dates import DateWindow, within_date_window
from pmo.middleware import client_ip
from pmo.models import Organization, OrgRole, User, known_time_zones
from pmo.xlsx import XLSX_CONTENT_TYPE, is_workbook


class DateWindowFormMixin:
    """Keeps every date field of a page's form within the organisation's date window (``pmo.dates``).

    Mixed into every form with a date field (the tests find the forms that lack it);
    ``unbounded_date_fields`` names the fields that set the window itself.
    """

    unbounded_date_fields: ClassVar[tuple[str, ...]] = ()
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, date_window: DateWindow | None = None, **kwargs: Any) -> None:
        """``date_window``: the organisation's, when the page has it at hand (saves reading it)."""
        super().__init__(*args, **kwargs)
        validator = date_window.validate if date_window is not None else within_date_window
        for name, field in self.fields.items():
            if name not in self.unbounded_date_fields and isinstance(field, (forms.DateField, forms.DateTimeField)):
                field.validators = [*field.validators, validator]


class DateWindowForm(DateWindowFormMixin, forms.Form):
    """The form of filter sets with dates (``Meta.form``)."""


class LoginLockoutMixin:
    """Refuses further sign-in tries after repeated failures, for any authentication form.

    Failures are counted per account (the normalised username) and per client address in
    the cache, so the app's sign-in and the admin's share one count.
    """

    request: Any
    data: Any
    error_messages: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        from django.conf import settings

        username = str(self.data.get("username") or "")
        ip_address = client_ip(self.request) if self.request is not None else None
        if username and login_is_locked(username, ip_address):
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": max(1, settings.PMO_LOGIN_LOCKOUT_SECONDS // 60)},
            )
        try:
            cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            if username:
                login_failed(username, ip_address)
            raise
        login_succeeded(username, ip_address)
        return cleaned


LOCKED_MESSAGE = _("Too many failed sign-in attempts. Wait %(minutes)s minutes and try again.")


class LockoutAuthenticationForm(LoginLockoutMixin, AuthenticationForm):
    """The login form."""

    error_messages = {**AuthenticationForm.error_messages, "locked": LOCKED_MESSAGE}


class LockoutAdminAuthenticationForm(LoginLockoutMixin, AdminAuthenticationForm):
    """The Django admin's login form, under the same lockout as the app's."""

    error_messages = {**AdminAuthenticationForm.error_messages, "locked": LOCKED_MESSAGE}


class InviteMemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    display_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=OrgRole.choices, initial=OrgRole.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=OrgRole.choices)


class OrganizationSettingsForm(DateWindowFormMixin, forms.ModelForm):
    unbounded_date_fields = ("earliest_date", "latest_date")

    class Meta:
        model = Organization
        fields = ["name", "default_currency", "time_zone", "earliest_date", "latest_date"]
        widgets = {
            "earliest_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "latest_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.unbounded_date_fields:
            self.fields[name].required = False


class ApiTokenForm(DateWindowFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “ERP sync”."))
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text=_("Leave empty for a token that does not expire."),
    )


#: Offered first in a time-zone choice: where the organisations' people mostly work.
COMMON_TIME_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
)


def time_zone_label(name: str, now: dt.datetime) -> str:
    """``Asia/Shanghai (UTC+08:00)``: the zone's offset at ``now``, which daylight saving time moves."""
    offset = now.astimezone(zoneinfo.ZoneInfo(name)).strftime("%z")
    return f"{name} (UTC{offset[:3]}:{offset[3:]})"


def time_zone_choices(organization_zones: Iterable[str]) -> list[tuple[str, Any]]:
    """The organisation's zone (empty) first, then the common zones, then every other zone by name."""
    zones = sorted(set(organization_zones))
    if zones:
        default = str(_("Organisation's time zone (%(zones)s)") % {"zones": ", ".join(zones)})
    else:
        default = str(_("Organisation's time zone"))
    now = timezone.now()
    others = sorted(known_time_zones() - set(COMMON_TIME_ZONES))
    return [
        ("", default),
        (str(_("Common time zones")), [(name, time_zone_label(name, now)) for name in COMMON_TIME_ZONES]),
        (str(_("All time zones")), [(name, time_zone_label(name, now)) for name in others]),
    ]


class ProfileForm(forms.Form):
    """The person's own preferences: the same fields the API's ``/me/`` changes."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=150,
        required=False,
        help_text=_("The name others see; empty for your full name or user name."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=User.Language.choices)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Pages, PDF reports and your calendar feed show times in it."),
    )

    def __init__(self, *args: Any, organization_zones: Iterable[str] = (), **kwargs: Any) -> None:
        """``organization_zones``: the time zones of the person's organisations, named by the first choice."""
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = time_zone_choices(organization_zones)


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class WorkingCalendarForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    working_weekdays = forms.TypedMultipleChoiceField(
        label=_("Working weekdays"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
    )
    is_default = forms.BooleanField(
        label=_("Organisation default"),
        required=False,
        help_text=_("Projects without a calendar of their own use the default."),
    )


class CalendarExceptionForm(DateWindowFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_working = forms.BooleanField(
        label=_("Make-up working day"),
        required=False,
        help_text=_("Ticked: a day off that is worked (调休). Empty: a holiday on a working day."),
    )
    name = forms.CharField(label=_("Name"), max_length=120, required=False)


class QuickSelect(forms.Select):
    """A select whose options are written as one string instead of through a template each: a filter
    offering an organisation's thousand projects renders in milliseconds, not a second.

    Flat choices only (no groups); the option values and labels are escaped as the template would.
    """

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        chosen = {str(item) for item in self.format_value(value)}
        parts: list[str] = [format_html("<select{}>", flatatt(final))]
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                raise ValueError("QuickSelect takes flat choices only.")
            text = "" if option_value is None else str(option_value)
            selected = " selected" if text in chosen else ""
            parts.append(f'<option value="{escape(text)}"{selected}>{escape(label)}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class WorkbookUploadForm(forms.Form):
    """An Excel workbook (.xlsx) to import; ``clean_file`` gives its bytes for ``pmo.xlsx.read_workbook``."""

    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        limit = settings.PMO_EXCHANGE_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": f"{limit / (1024 * 1024):g}"}, code="too_large"
            )
        return bytes(upload.read())


#: What a file field that takes a CSV file or a workbook accepts.
CSV_OR_WORKBOOK_ACCEPT = f".csv,text/csv,.xlsx,{XLSX_CONTENT_TYPE}"


def csv_or_workbook_bytes(upload: Any, csv_limit: int) -> bytes:
    """An upload's bytes for a page that imports a CSV file or a workbook (``pmo.xlsx.is_workbook`` tells them
    apart): a CSV file up to ``csv_limit`` bytes, a workbook up to ``PMO_EXCHANGE_MAX_BYTES``."""
    head = upload.read(4)
    upload.seek(0)
    limit = settings.PMO_EXCHANGE_MAX_BYTES if is_workbook(head) else csv_limit
    if upload.size > limit:
        raise forms.ValidationError(
            _("The file is larger than %(size)s MB.") % {"size": f"{limit / (1024 * 1024):g}"}, code="too_large"
        )
    return bytes(upload.read())
