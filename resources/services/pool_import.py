"""Import of the resource pool from a CSV file: every row is checked first, then all are added, or none.

Columns (header names without case; only ``code`` and ``name`` are required):

- ``code`` (unique in the pool and in the file), ``name``, ``kind`` (person, equipment or material,
  in either language; empty: person), ``placeholder`` (yes/no; a placeholder needs a role);
- ``role`` and ``skills`` (``Skill:level;Skill:level``, levels 1 to 5) by name: names the library
  does not have yet are added to it; ``department``;
- ``user``: a member's username or e-mail address (named people only), ``calendar``: the name of one
  of the organisation's calendars (empty: the default);
- ``hours_per_day`` (empty: the organisation's setting), ``max_units`` (% , empty: 100), ``unit``
  (materials only, and required for them);
- ``standard_rate``, ``overtime_rate`` (not for materials) and ``rate_from`` (YYYY-MM-DD, empty:
  today): the first cost rate, in the organisation's currency.

A code already in the pool is refused (resources are changed on their own pages). Every problem is
reported with its line (the header is line 1) and its column, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo.csv_table import CsvErrors, RowErrors, csv_writer, decode_csv, read_table
from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, User, WorkingCalendar
from pmo.money import money_limit_message, within_money_limit
from resources.models import Resource, ResourceKind, ResourceRole, Skill
from resources.services import pool
from resources.services.rates_service import cost_rate_add
from resources.services.settings import resource_settings

CSV_COLUMNS = [
    "code",
    "name",
    "kind",
    "placeholder",
    "role",
    "department",
    "user",
    "calendar",
    "hours_per_day",
    "max_units",
    "unit",
    "skills",
    "standard_rate",
    "overtime_rate",
    "rate_from",
    "notes",
]
REQUIRED_COLUMNS = ["code", "name"]
COLUMN_ALIASES = {"calendar name": "calendar", "is_placeholder": "placeholder", "role name": "role"}
MAX_ROWS = 1000
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")
YES = {"yes", "y", "true", "1", "x", "是"}
NO = {"", "no", "n", "false", "0", "否"}
#: Where a service's field problem goes in the file.
FIELD_COLUMNS = {"is_placeholder": "placeholder"}

POOL_IMPORT_RULES = gettext_lazy(
    "Import resources from a CSV file: every row is checked first; with any problem nothing is imported and "
    "every problem is listed by line and column.\n"
    "\n"
    "Columns: code and name (required), kind (person, equipment or material), placeholder (yes/no), role, "
    "department, user (a member's username or e-mail address), calendar (a calendar's name), hours_per_day, "
    "max_units, unit (materials), skills (Skill:level;Skill:level), standard_rate, overtime_rate and rate_from "
    "(YYYY-MM-DD). Roles and skills the library does not have are added. A code already in the pool is refused."
)

TEMPLATE_ROWS = [
    CSV_COLUMNS,
    [
        "P-001",
        "Wang Fang",
        "person",
        "no",
        "Civil engineer",
        "Engineering",
        "",
        "",
        "8",
        "100",
        "",
        "AutoCAD:4;Surveying:3",
        "320.00",
        "480.00",
        "2026-01-01",
        "",
    ],
    [
        "P-900",
        "Site engineer (to hire)",
        "person",
        "yes",
        "Civil engineer",
        "Engineering",
        "",
        "",
        "",
        "",
        "",
        "",
        "300.00",
        "",
        "",
        "",
    ],
    [
        "E-001",
        "Excavator crew",
        "equipment",
        "no",
        "Excavator crew",
        "Plant",
        "",
        "",
        "10",
        "300",
        "",
        "",
        "650.00",
        "",
        "2026-01-01",
        "",
    ],
    [
        "M-001",
        "Ready-mix concrete C30",
        "material",
        "no",
        "",
        "",
        "",
        "",
        "",
        "",
        "m³",
        "",
        "480.00",
        "",
        "2026-01-01",
        "",
    ],
]


@dataclass
class PoolRow:
    """A row of a pool import: its line (or sheet row), its cells by column name, and what they say."""

    line: int
    cells: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    skills: list[tuple[str, int]] = field(default_factory=list)
    rate: dict[str, Any] | None = None


def template_csv() -> str:
    """A CSV file with the columns and one example of each kind, to fill in."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerows(TEMPLATE_ROWS)
    return out.getvalue()


#: The kinds' usual Chinese names, whatever the catalogue says.
KIND_NAMES = {"人员": ResourceKind.PERSON, "设备": ResourceKind.EQUIPMENT, "材料": ResourceKind.MATERIAL}


def _kinds() -> dict[str, str]:
    """Every way a kind may be written: its code, its usual Chinese name and its label in each language."""
    names: dict[str, str] = dict(KIND_NAMES)
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, label in ResourceKind.choices:
                names[str(label).lower()] = value
    for value in ResourceKind.values:
        names[value] = value
    return names


def _decimal(raw: str, places: int) -> tuple[Decimal | None, str]:
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None, _("Enter a number, with a decimal point.")
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int):
        return None, _("Enter a number, with a decimal point.")
    if -exponent > places:
        return None, _("Use at most %(places)d decimal places.") % {"places": places}
    return value, ""


def _bounded(
    row: PoolRow, errors: RowErrors, column: str, low: Decimal, high: Decimal, places: int = 2
) -> Decimal | None:
    raw = row.cells.get(column, "")
    if not raw:
        return None
    value, problem = _decimal(raw, places)
    if value is None:
        errors.add(row.line, column, problem)
        return None
    if not low <= value <= high:
        errors.add(row.line, column, _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high})
        return None
    return value


def _money(row: PoolRow, errors: RowErrors, column: str) -> Decimal | None:
    raw = row.cells.get(column, "")
    if not raw:
        return None
    value, problem = _decimal(raw, 2)
    if value is None:
        errors.add(row.line, column, problem)
    elif value < 0:
        errors.add(row.line, column, _("A rate cannot be negative."))
    elif not within_money_limit(value):
        errors.add(row.line, column, money_limit_message())
    else:
        return value
    return None


def _date(raw: str) -> dt.date | None:
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


class _Library:
    """The organisation's roles, skills, calendars and members, read once, and the names the file adds."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self.roles = {role.name.lower(): role for role in ResourceRole.objects.for_organization(organization)}
        self.skills = {skill.name.lower(): skill for skill in Skill.objects.for_organization(organization)}
        self.calendars = {
            calendar.name.lower(): calendar for calendar in WorkingCalendar.objects.for_organization(organization)
        }
        members = list(
            User.objects.filter(
                pk__in=Membership.objects.for_organization(organization).values("user_id"), is_active=True
            )
        )
        self.by_username = {user.username.lower(): user for user in members}
        self.by_email: dict[str, list[User]] = {}
        for user in members:
            if user.email:
                self.by_email.setdefault(user.email.lower(), []).append(user)
        self.new_roles: dict[str, tuple[str, str, int]] = {}  # lower name -> (name, kind, first line)
        self.new_skills: dict[str, str] = {}

    def role(self, row: PoolRow, errors: RowErrors, name: str, kind: str) -> ResourceRole | None:
        found = self.roles.get(name.lower())
        if found is not None:
            return found
        if len(name) > pool.NAME_LENGTH:
            errors.add(row.line, "role", _("Use at most %(count)d characters.") % {"count": pool.NAME_LENGTH})
            return None
        known = self.new_roles.setdefault(name.lower(), (name, kind, row.line))
        if known[1] != kind:
            errors.add(
                row.line,
                "role",
                _("The new role “%(role)s” is given to another kind of resource on line %(line)d.")
                % {"role": name, "line": known[2]},
            )
            return None
        return ResourceRole(organization=self.organization, name=known[0], kind=kind)

    def user(self, row: PoolRow, errors: RowErrors, raw: str) -> User | None:
        key = raw.lower()
        found = self.by_username.get(key)
        if found is not None:
            return found
        by_email = self.by_email.get(key, [])
        if len(by_email) == 1:
            return by_email[0]
        if by_email:
            errors.add(row.line, "user", _("Several members have this e-mail address; give the username."))
        else:
            errors.add(row.line, "user", _("No member of the organisation has this username or e-mail address."))
        return None


def _parse_skills(row: PoolRow, errors: RowErrors, library: _Library) -> None:
    raw = row.cells.get("skills", "")
    seen: set[str] = set()
    for part in (piece.strip() for piece in raw.split(";")):
        if not part:
            continue
        name, separator, level_text = part.rpartition(":")
        name = " ".join(name.split())
        if not separator or not name:
            errors.add(row.line, "skills", _("Write each skill as Skill:level, e.g. Welding:3."))
            continue
        try:
            level = int(level_text.strip())
        except ValueError:
            level = 0
        if not 1 <= level <= 5:
            errors.add(row.line, "skills", _("%(skill)s: a level is from 1 to 5.") % {"skill": name})
            continue
        if name.lower() in seen:
            errors.add(row.line, "skills", _("%(skill)s is given twice.") % {"skill": name})
            continue
        if len(name) > pool.NAME_LENGTH:
            errors.add(row.line, "skills", _("Use at most %(count)d characters.") % {"count": pool.NAME_LENGTH})
            continue
        seen.add(name.lower())
        if name.lower() not in library.skills:
            library.new_skills.setdefault(name.lower(), name)
        row.skills.append((name, level))


def _parse_row(
    row: PoolRow,
    errors: RowErrors,
    library: _Library,
    kinds: dict[str, str],
    default_hours: Decimal,
    rates_allowed: bool,
) -> None:
    cells = row.cells
    kind_text = cells.get("kind", "").lower()
    kind = kinds.get(kind_text) if kind_text else ResourceKind.PERSON
    if kind is None:
        errors.add(row.line, "kind", _("Write person, equipment or material."))
        kind = ResourceKind.PERSON
    placeholder_text = cells.get("placeholder", "").lower()
    if placeholder_text not in YES | NO:
        errors.add(row.line, "placeholder", _("Write yes or no."))
    values: dict[str, Any] = {
        "code": cells.get("code", ""),
        "name": cells.get("name", ""),
        "kind": kind,
        "is_placeholder": placeholder_text in YES,
        "department": cells.get("department", ""),
        "unit": cells.get("unit", ""),
        "notes": cells.get("notes", ""),
        "role": None,
        "user": None,
        "calendar": None,
    }
    for column, limit in (("code", pool.CODE_LENGTH), ("name", 200), ("department", 120), ("unit", 32)):
        if len(values[column]) > limit:
            errors.add(row.line, column, _("Use at most %(count)d characters.") % {"count": limit})
    if cells.get("role"):
        values["role"] = library.role(row, errors, " ".join(cells["role"].split()), kind)
    if cells.get("user"):
        values["user"] = library.user(row, errors, cells["user"])
    if cells.get("calendar"):
        values["calendar"] = library.calendars.get(cells["calendar"].lower())
        if values["calendar"] is None:
            errors.add(row.line, "calendar", _("The organisation has no calendar with this name."))
    hours = _bounded(row, errors, "hours_per_day", Decimal("0.25"), Decimal("24"))
    values["hours_per_day"] = hours if hours is not None else default_hours
    units = _bounded(row, errors, "max_units", Decimal("1"), Decimal("10000"))
    values["max_units"] = units if units is not None else Decimal("100")
    _parse_skills(row, errors, library)
    row.values = values
    _parse_rate(row, errors, kind, rates_allowed, library.organization)


def _parse_rate(row: PoolRow, errors: RowErrors, kind: str, rates_allowed: bool, organization: Organization) -> None:
    given = [column for column in ("standard_rate", "overtime_rate", "rate_from") if row.cells.get(column)]
    if not given:
        return
    if not rates_allowed:
        for column in given:
            errors.add(row.line, column, _("You may not set cost rates; leave the rate columns empty."))
        return
    standard = _money(row, errors, "standard_rate")
    overtime = _money(row, errors, "overtime_rate")
    if not row.cells.get("standard_rate"):
        errors.add(row.line, "standard_rate", _("Give the standard rate with the other rate columns."))
    if kind == ResourceKind.MATERIAL and row.cells.get("overtime_rate"):
        errors.add(row.line, "overtime_rate", _("A material has a cost per unit and no overtime rate."))
    day: dt.date | None = organization.today()
    if row.cells.get("rate_from"):
        day = _date(row.cells["rate_from"])
        if day is None:
            errors.add(row.line, "rate_from", _("Enter a date as YYYY-MM-DD."))
        elif not organization.date_window.contains(day):
            errors.add(row.line, "rate_from", organization.date_window.message())
            day = None
    if standard is not None and day is not None:
        row.rate = {"effective_from": day, "standard_rate": standard, "overtime_rate": overtime}


def _check_against_pool(rows: list[PoolRow], errors: RowErrors, organization: Organization) -> None:
    """The pool's own rules for each row (the resource service's), and what rows of the file share."""
    codes: dict[str, int] = {}
    users: dict[int, int] = {}
    for row in rows:
        code = row.values["code"].lower()
        if code and code in codes:
            errors.add(row.line, "code", _("The code is also on line %(line)d.") % {"line": codes[code]})
        codes.setdefault(code, row.line)
        user = row.values["user"]
        if user is not None:
            if user.pk in users:
                errors.add(row.line, "user", _("The user is also on line %(line)d.") % {"line": users[user.pk]})
            users.setdefault(user.pk, row.line)
        resource = Resource(organization=organization, **row.values)
        problems: dict[str, list[str]] = {}
        pool._check_resource(resource, problems)
        try:
            resource.full_clean(exclude=["organization", "user", "role", "calendar", "code", "name", "unit"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                problems.setdefault(name, []).extend(messages)
        for name, messages in problems.items():
            column = FIELD_COLUMNS.get(name, name)
            for message in messages:
                errors.add(row.line, column if column in CSV_COLUMNS else "", message)


@transaction.atomic
def pool_import(
    *, actor: User, organization: Organization, text: str | bytes, rates_allowed: bool = True
) -> list[Resource]:
    """Add every resource of a CSV file (see the module's docstring), or none; answers the new resources.

    ``rates_allowed``: whether the importer may set cost rates (``ResourceAction.RATES_MANAGE``); a row
    with a rate is refused otherwise.
    """
    content = decode_csv(text)
    errors = CsvErrors()
    table = read_table(
        content, errors, columns=CSV_COLUMNS, required=REQUIRED_COLUMNS, max_rows=MAX_ROWS, aliases=COLUMN_ALIASES
    )
    errors.raise_if_any()
    rows = [PoolRow(line=row.line, cells=row.cells) for row in table]
    return pool_rows_add(actor=actor, organization=organization, rows=rows, errors=errors, rates_allowed=rates_allowed)


@transaction.atomic
def pool_rows_add(
    *, actor: User, organization: Organization, rows: list[PoolRow], errors: RowErrors, rates_allowed: bool = True
) -> list[Resource]:
    """Check every row of a pool import (CSV lines or a sheet's rows, cells by column name), then add them
    all, or raise with every problem in ``errors`` and add nothing."""
    library = _Library(organization)
    kinds = _kinds()
    default_hours = resource_settings(organization).default_hours_per_day
    for row in rows:
        _parse_row(row, errors, library, kinds, default_hours, rates_allowed)
    _check_against_pool(rows, errors, organization)
    errors.raise_if_any()

    for key, (name, kind, _line) in library.new_roles.items():
        library.roles[key] = pool.resource_role_create(actor=actor, organization=organization, name=name, kind=kind)
    for key, name in library.new_skills.items():
        library.skills[key] = pool.skill_create(actor=actor, organization=organization, name=name)
    created: list[Resource] = []
    for row in rows:
        values = dict(row.values)
        if values["role"] is not None:
            values["role"] = library.roles[values["role"].name.lower()]
        skills = [(library.skills[name.lower()], level) for name, level in row.skills]
        try:
            resource = pool.resource_create(actor=actor, organization=organization, skills=skills, **values)
            if row.rate is not None:
                cost_rate_add(actor=actor, resource=resource, **row.rate)
        except ApplicationError as error:
            # The checks above follow the same rules; a row refused here still names its line.
            for name, messages in (error.fields or {"": [error.message]}).items():
                for message in messages:
                    errors.add(row.line, FIELD_COLUMNS.get(name, name), message)
            errors.raise_if_any()
        created.append(resource)
    return created
