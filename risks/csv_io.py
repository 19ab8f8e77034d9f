"""A project's risk register as CSV: export it, download an empty template, import a whole file of risks.

The format is ``CSV_FORMAT`` below, which the API and the import page show (translated). The import
checks every row of the file, with the rules the register's services apply (an active category, an
owner who is a member, the project's own WBS elements, scores 1 to 5, three points in order, a
status the lifecycle reaches without a response), before it writes anything. Then it writes the
risks in bulk, as ``risk_raise``, ``risk_assess`` and ``risk_set_status`` would leave them: numbered
after the project's last risk, figures derived by ``risks.services.register.derive`` over the
organisation's settings (the first assessment is also the inherent one), and each risk's history
(raised, assessed, status changed). Through the services one row costs some sixty queries; in bulk
the whole file costs a fixed handful, so that a file of 2,000 risks imports within a request. The
import writes one audit event for the project, as the plan's import does. A dry run does the
same and rolls everything back.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import count
from typing import TYPE_CHECKING, Any, Protocol

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo.audit import audit_record, diff, snapshot
from pmo.csv_table import CsvErrors, csv_writer, decode_csv, read_table
from pmo.dates import DateWindow
from pmo.errors import ApplicationError
from pmo.models import Membership, User
from pmo.money import money_limit_message, within_money_limit
from projects.models import Project, WbsElement
from projects.services.locks import lock_project
from risks.models import (
    OPEN_STATUSES,
    Risk,
    RiskAssessment,
    RiskCategory,
    RiskKind,
    RiskSettings,
    RiskStatus,
    RiskWbsLink,
    risk_code,
)
from risks.services import register
from risks.services.settings import risk_categories_ensure_defaults, risk_settings_for

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CSV_FORMAT = gettext_lazy(
    "A project's risk register as CSV: export it, or import a whole file of new risks.\n"
    "\n"
    "One risk a row. The header row names the columns; only ``title`` and ``category`` are required,\n"
    "the order is free, and a column may be left out:\n"
    "\n"
    "``code``\n"
    "    R-001 on export. On import a risk keeps its code, and a code the project already has is\n"
    "    refused (the import adds risks, it does not update them); rows without a code take the\n"
    "    numbers after the project's last risk and the file's highest code, in file order.\n"
    "``title``, ``cause``, ``event``, ``effect``, ``trigger``\n"
    "    Text: cause → event → effect, and the early-warning sign. A value that a spreadsheet would\n"
    "    take for a formula (=, +, -, @) is exported with a leading apostrophe, which the import removes.\n"
    "``category``\n"
    "    The category's code (technical, schedule, cost, ...) or its name in either language.\n"
    "``kind``\n"
    "    threat (the default) or opportunity.\n"
    "``owner``\n"
    "    The owner's username, a member of the organisation; empty for none.\n"
    "``proximity``\n"
    "    When the risk could occur: YYYY-MM-DD (YYYY/MM/DD is accepted).\n"
    "``wbs``\n"
    "    WBS codes of the project's elements the risk bears on, separated by semicolons: 1.2;2.3.\n"
    "``probability``, ``impact_schedule``, ``impact_cost``, ``impact_quality``, ``impact_safety``, "
    "``impact_reputation``\n"
    "    The assessment, 1 to 5: the probability and at least one impact, or none of them (the risk\n"
    "    is then only identified). The overall impact, score and level follow the organisation's rules.\n"
    "``probability_percent``\n"
    "    0 to 100; empty: the organisation's percentage for the probability band.\n"
    "``cost_min``, ``cost_likely``, ``cost_max``\n"
    "    The cost impact in the project's currency, with a decimal point; ``days_min``,\n"
    "    ``days_likely``, ``days_max``: the schedule impact in working days. Minimum ≤ most likely ≤\n"
    "    maximum; an empty minimum or maximum takes the most likely. Recorded with an assessment.\n"
    "``target_probability``, ``target_impact``\n"
    "    The target residual assessment, 1 to 5, both or neither.\n"
    "``status``\n"
    "    identified, assessed, responding, monitoring or closed; empty: assessed when the row has an\n"
    "    assessment, identified otherwise. An occurred risk becomes an issue: import it open and record\n"
    "    its occurrence on the register.\n"
    "``score``, ``level``, ``emv``\n"
    "    Written on export for reading; the import computes them again.\n"
    "\n"
    "Files are UTF-8 (with or without a byte-order mark) or GB18030 as Excel saves them in China, of at\n"
    "most 5 MB and 2,000 rows. The import checks the whole file first and writes nothing unless every\n"
    "row is valid. Its error lists the problems per line of the file: ``fields`` maps the line number\n"
    '(the header is line 1) to messages that start with the column\'s name, and ``"file"`` to problems\n'
    "of the file as a whole. ``dry_run`` (a query parameter or a form field) runs the whole import,\n"
    "services included, and writes nothing: the answer (200) says what would have been added."
)

DIMENSIONS = ("schedule", "cost", "quality", "safety", "reputation")
IMPACT_COLUMNS = tuple(f"impact_{dimension}" for dimension in DIMENSIONS)
COLUMNS = [
    "code",
    "title",
    "category",
    "kind",
    "cause",
    "event",
    "effect",
    "owner",
    "trigger",
    "proximity",
    "wbs",
    "probability",
    *IMPACT_COLUMNS,
    "probability_percent",
    "cost_min",
    "cost_likely",
    "cost_max",
    "days_min",
    "days_likely",
    "days_max",
    "target_probability",
    "target_impact",
    "status",
    "score",
    "level",
    "emv",
]
READ_ONLY_COLUMNS = frozenset({"score", "level", "emv"})
REQUIRED_COLUMNS = ("title", "category")
# Other names a header may use for a column.
COLUMN_ALIASES = {"wbs_codes": "wbs", "wbs_code": "wbs", "category_code": "category", "number": "code"}
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
MAX_DAYS = 99999
TITLE_LENGTH = Risk._meta.get_field("title").max_length or 200
TEXT_LENGTH = 10_000
CODE_PATTERN = re.compile(r"^R-?(\d{1,6})$", re.IGNORECASE | re.ASCII)
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")
ASSESSED_STATUSES = frozenset({RiskStatus.ASSESSED, RiskStatus.RESPONDING, RiskStatus.MONITORING})
ZERO = Decimal("0.00")
POINTS = ("min", "likely", "max")


# --- export ---------------------------------------------------------------------------


def plain(value: Decimal | None) -> str:
    """A decimal as written in the file: no exponent, no trailing zeros after the point."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def template_csv() -> str:
    """The header row of an import file, for a spreadsheet to fill in."""
    out = io.StringIO()
    csv_writer(out).writerow([column for column in COLUMNS if column not in READ_ONLY_COLUMNS])
    return out.getvalue()


def register_rows(project: Project) -> Iterator[dict[str, Any]]:
    """Every risk of the project as typed values by column, by number (two queries): what the CSV and the
    workbook export write (``None``: an empty cell)."""
    organization_id = project.organization_id
    risks = list(
        Risk.objects.for_organization(organization_id)
        .filter(project=project)
        .select_related("category", "owner")
        .order_by("number")
    )
    links: dict[int, list[str]] = {}
    for risk_id, code in (
        RiskWbsLink.objects.for_organization(organization_id)
        .filter(risk__project=project)
        .order_by("element__sort_key")
        .values_list("risk_id", "element__code")
    ):
        links.setdefault(risk_id, []).append(code)
    for risk in risks:
        assessed = risk.probability is not None
        yield {
            "code": risk.code,
            "title": risk.title,
            "category": risk.category.code,
            "kind": risk.kind,
            "cause": risk.cause,
            "event": risk.event,
            "effect": risk.effect,
            "owner": risk.owner.username if risk.owner is not None else None,
            "trigger": risk.trigger,
            "proximity": risk.proximity,
            "wbs": ";".join(links.get(risk.pk, [])),
            "probability": risk.probability or None,
            **{column: getattr(risk, column) or None for column in IMPACT_COLUMNS},
            "probability_percent": risk.probability_percent if assessed and not risk.percent_is_default else None,
            **{f"cost_{point}": getattr(risk, f"cost_{point}") if assessed else None for point in POINTS},
            **{f"days_{point}": getattr(risk, f"days_{point}") if assessed else None for point in POINTS},
            "target_probability": risk.target_probability or None,
            "target_impact": risk.target_impact or None,
            "status": risk.status,
            "score": risk.score or None,
            "level": risk.level or None,
            "emv": risk.emv,
            "next_review": risk.next_review,
        }


def _csv_cell(column: str, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def register_export_csv(project: Project) -> str:
    """Every risk of the project as CSV text in the import's columns, by number (two queries)."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(COLUMNS)
    for values in register_rows(project):
        writer.writerow([_csv_cell(column, values[column]) for column in COLUMNS])
    return out.getvalue()


# --- reading and checking ---------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    line: int | None  # None: the file as a whole
    column: str
    message: str


@dataclass
class RiskRow:
    line: int
    cells: dict[str, str]
    number: int | None = None
    title: str = ""
    category: RiskCategory | None = None
    kind: str = RiskKind.THREAT
    owner: User | None = None
    proximity: dt.date | None = None
    elements: list[WbsElement] = field(default_factory=list)
    probability: int | None = None
    impacts: dict[str, int | None] = field(default_factory=dict)
    percent: Decimal | None = None
    cost: tuple[Decimal, Decimal, Decimal] = (ZERO, ZERO, ZERO)
    days: tuple[int, int, int] = (0, 0, 0)
    target_probability: int | None = None
    target_impact: int | None = None
    status: str = ""

    def text(self, column: str) -> str:
        return self.cells.get(column, "")


class RowErrors(Protocol):
    """Where the row checks put a problem: a line (or row) of the upload, a column, a message."""

    @property
    def same_code(self) -> StrOrPromise:
        """The message for a code already on an earlier line (or row), with ``%(line)d``."""
        ...

    def add(self, line: int | str, column: str, message: str) -> None: ...


class _Errors(CsvErrors):
    """The file's problems first, then each line's in order."""

    same_code = gettext_lazy("Line %(line)d has the same code.")

    def raise_if_any(self) -> None:
        if self.by_line:
            ordered = dict(sorted(self.by_line.items(), key=lambda item: _line_key(item[0])))
            raise ApplicationError(_("The file has errors; nothing was imported."), code="invalid_file", fields=ordered)


def _line_key(key: str) -> int:
    return int(key) if key.isdigit() else -1


def row_errors(error: ApplicationError) -> list[RowError]:
    """A refused import's problems as (line, column, message): the file's first, then each line's in order."""
    found: list[RowError] = []
    for key, messages in sorted(error.fields.items(), key=lambda item: _line_key(str(item[0]))):
        line = int(key) if str(key).isdigit() else None
        for message in messages:
            column, separator, rest = str(message).partition(": ")
            if separator and column in COLUMNS:
                found.append(RowError(line, column, rest))
            else:
                found.append(RowError(line, "", str(message)))
    return found


@dataclass(frozen=True)
class Lookups:
    """What the rows name, read once: categories, members, WBS elements, numbers taken, the date window."""

    categories: dict[str, RiskCategory]
    members: dict[str, User]
    elements: dict[str, WbsElement]
    numbers: frozenset[int]
    window: DateWindow
    statuses: dict[str, str]
    kinds: dict[str, str]


def _choice_names(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Value and label in every language (lower case) → value."""
    names: dict[str, str] = {}
    pairs = list(choices)
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.update({str(label).strip().lower(): value for value, label in pairs})
    names.update({value: value for value, _label in pairs})
    return names


def _lookups(project: Project) -> Lookups:
    organization = project.organization
    risk_categories_ensure_defaults(organization)
    categories: dict[str, RiskCategory] = {}
    for category in RiskCategory.objects.for_organization(organization).order_by("-is_active", "order", "pk"):
        for name in filter(None, (category.code, category.name_en, category.name_zh)):
            categories.setdefault(name.strip().lower(), category)
    members = {
        membership.user.username.lower(): membership.user
        for membership in Membership.objects.for_organization(organization)
        .filter(user__is_active=True)
        .select_related("user")
    }
    elements = {
        element.code: element
        for element in WbsElement.objects.for_organization(organization).filter(project=project).only("pk", "code")
    }
    numbers = frozenset(
        Risk.objects.for_organization(organization).filter(project=project).values_list("number", flat=True)
    )
    return Lookups(
        categories=categories,
        members=members,
        elements=elements,
        numbers=numbers,
        window=organization.date_window,
        statuses=_choice_names((status, RiskStatus(status).label) for status in RiskStatus.values),
        kinds=_choice_names(RiskKind.choices),
    )


def _one_to_five(row: RiskRow, column: str, errors: RowErrors) -> int | None:
    raw = row.cells.get(column, "")
    if not raw:
        return None
    if raw not in {"1", "2", "3", "4", "5"}:
        errors.add(row.line, column, _("Enter a whole number from 1 to 5."))
        return None
    return int(raw)


def _decimal(row: RiskRow, column: str, errors: RowErrors, *, places: int, money: bool) -> Decimal | None:
    raw = row.cells.get(column, "").replace(",", "") if money else row.cells.get(column, "")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.add(row.line, column, _("Enter a number, with a decimal point."))
        return None
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int) or value < 0:
        errors.add(row.line, column, _("Enter zero or more."))
        return None
    if -exponent > places:
        errors.add(row.line, column, _("Use at most %(places)d decimal places.") % {"places": places})
        return None
    if money and not within_money_limit(value):
        errors.add(row.line, column, money_limit_message())
        return None
    return value


def _whole(row: RiskRow, column: str, errors: RowErrors) -> int | None:
    raw = row.cells.get(column, "")
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_DAYS:
        errors.add(row.line, column, _("Enter a whole number of working days."))
        return None
    return int(raw)


def _three_points(row: RiskRow, name: str, values: Iterable[Any], errors: RowErrors) -> tuple[Any, Any, Any] | None:
    """Minimum, most likely, maximum: empty ends take the most likely; None when none is given."""
    low, likely, high = tuple(values)
    if low is None and likely is None and high is None:
        return None
    if likely is None:
        errors.add(row.line, f"{name}_likely", _("Enter the most likely value too."))
        return None
    low = likely if low is None else low
    high = likely if high is None else high
    if not low <= likely <= high:
        errors.add(row.line, f"{name}_likely", _("Minimum ≤ most likely ≤ maximum."))
        return None
    return low, likely, high


def _check_row(row: RiskRow, lookups: Lookups, seen_codes: dict[int, int], errors: RowErrors) -> None:
    line = row.line
    code = row.cells.get("code", "")
    if code:
        match = CODE_PATTERN.match(code)
        if match is None or int(match[1]) == 0:
            errors.add(line, "code", _("Enter a code such as R-001, or leave it empty."))
        else:
            number = int(match[1])
            if number in lookups.numbers:
                errors.add(
                    line,
                    "code",
                    _("The project already has the risk %(code)s; the import adds new risks.")
                    % {"code": risk_code(number)},
                )
            elif number in seen_codes:
                errors.add(line, "code", str(errors.same_code) % {"line": seen_codes[number]})
            else:
                seen_codes[number] = line
                row.number = number

    row.title = row.text("title")
    if not row.title:
        errors.add(line, "title", _("This field is required."))
    elif len(row.title) > TITLE_LENGTH:
        errors.add(line, "title", _("Use at most %(count)d characters.") % {"count": TITLE_LENGTH})
    for column in ("cause", "event", "effect", "trigger"):
        if len(row.text(column)) > TEXT_LENGTH:
            errors.add(line, column, _("Use at most %(count)d characters.") % {"count": TEXT_LENGTH})

    name = row.cells.get("category", "")
    category = lookups.categories.get(name.lower()) if name else None
    if not name:
        errors.add(line, "category", _("This field is required."))
    elif category is None:
        errors.add(line, "category", _("No risk category has the code or name “%(name)s”.") % {"name": name})
    elif not category.is_active:
        errors.add(line, "category", _("The risk category “%(name)s” is switched off.") % {"name": category.label})
    else:
        row.category = category

    kind = row.cells.get("kind", "")
    if kind:
        if kind.lower() not in lookups.kinds:
            errors.add(line, "kind", _("Enter threat or opportunity."))
        else:
            row.kind = lookups.kinds[kind.lower()]

    owner = row.cells.get("owner", "")
    if owner:
        row.owner = lookups.members.get(owner.lower())
        if row.owner is None:
            errors.add(line, "owner", _("No member of the organisation has the username “%(name)s”.") % {"name": owner})

    proximity = row.cells.get("proximity", "")
    if proximity:
        row.proximity = _date(proximity)
        if row.proximity is None:
            errors.add(line, "proximity", _("Enter a date as YYYY-MM-DD."))
        elif not lookups.window.contains(row.proximity):
            errors.add(line, "proximity", lookups.window.message())

    for wbs_code in dict.fromkeys(filter(None, (part.strip() for part in re.split(r"[;,]", row.cells.get("wbs", ""))))):
        element = lookups.elements.get(wbs_code)
        if element is None:
            errors.add(line, "wbs", _("The project has no WBS element %(code)s.") % {"code": wbs_code})
        else:
            row.elements.append(element)

    row.probability = _one_to_five(row, "probability", errors)
    row.impacts = {dimension: _one_to_five(row, f"impact_{dimension}", errors) for dimension in DIMENSIONS}
    rated = any(value is not None for value in row.impacts.values())
    if row.cells.get("probability") and not rated and row.probability is not None:
        errors.add(line, "probability", _("An assessment rates at least one impact as well as the probability."))
        row.probability = None
    elif rated and not row.cells.get("probability"):
        errors.add(line, "probability", _("An assessment rates the probability as well as the impacts."))

    row.percent = _decimal(row, "probability_percent", errors, places=2, money=False)
    if row.percent is not None and row.percent > 100:
        errors.add(line, "probability_percent", _("Enter a percentage from 0 to 100."))
        row.percent = None

    cost = _three_points(
        row, "cost", tuple(_decimal(row, f"cost_{p}", errors, places=2, money=True) for p in POINTS), errors
    )
    days = _three_points(row, "days", tuple(_whole(row, f"days_{p}", errors) for p in POINTS), errors)
    if cost is not None:
        row.cost = cost
    if days is not None:
        row.days = days
    assessment_given = bool(row.cells.get("probability")) or rated
    if not assessment_given:
        quantified = [
            column
            for column in (
                "probability_percent",
                "cost_min",
                "cost_likely",
                "cost_max",
                "days_min",
                "days_likely",
                "days_max",
            )
            if row.cells.get(column)
        ]
        if quantified:
            errors.add(
                line,
                quantified[0],
                _(
                    "The percentage and the cost and schedule impacts are recorded with an assessment: "
                    "rate the probability and an impact too."
                ),
            )

    row.target_probability = _one_to_five(row, "target_probability", errors)
    row.target_impact = _one_to_five(row, "target_impact", errors)
    if bool(row.cells.get("target_probability")) != bool(row.cells.get("target_impact")):
        errors.add(line, "target_probability", _("Give the target probability and the target impact, or neither."))

    status = row.cells.get("status", "")
    if status:
        value = lookups.statuses.get(status.lower())
        if value is None:
            errors.add(line, "status", _("Enter identified, assessed, responding, monitoring or closed."))
        elif value == RiskStatus.OCCURRED:
            errors.add(
                line,
                "status",
                _("An occurred risk becomes an issue: import it open, then record that it occurred on the register."),
            )
        elif value in ASSESSED_STATUSES and not assessment_given:
            errors.add(
                line,
                "status",
                _("A risk that is %(status)s has an assessment: rate its probability and impacts.")
                % {"status": RiskStatus(value).label},
            )
        else:
            row.status = value


def _date(raw: str) -> dt.date | None:
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


def check_rows(rows: Iterable[RiskRow], lookups: Lookups, errors: RowErrors) -> None:
    """Every row against the register's rules (what the services check), whatever file it came from."""
    seen: dict[int, int] = {}
    for row in rows:
        _check_row(row, lookups, seen, errors)


def _validated_rows(text: str, lookups: Callable[[], Lookups]) -> list[RiskRow]:
    errors = _Errors()
    rows = [
        RiskRow(line=row.line, cells=row.cells)
        for row in read_table(
            text,
            errors,
            columns=COLUMNS,
            required=REQUIRED_COLUMNS,
            max_rows=MAX_ROWS,
            aliases=COLUMN_ALIASES,
            blank_header_is_empty=True,
        )
    ]
    errors.raise_if_any()
    check_rows(rows, lookups(), errors)
    errors.raise_if_any()
    return rows


# --- import ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterImport:
    created: int
    dry_run: bool
    codes: list[str]
    high: int
    exposure: Decimal


#: Reads and checks an upload's rows, given the lookups to check them against (read once, when needed).
RowSource = Callable[[Callable[[], Lookups]], list[RiskRow]]


def register_import_csv(
    *, actor: User, project: Project, content: str | bytes, dry_run: bool = False
) -> RegisterImport:
    """Add every risk of a CSV file (see ``CSV_FORMAT`` and the module's docstring) to the project, or none.

    With ``dry_run`` the whole import runs and is rolled back: the answer says what it would have
    done, and its errors are those the import would meet.
    """
    if isinstance(content, bytes) and len(content) > MAX_BYTES:
        raise ApplicationError(
            _("The file is too large."), code="too_large", fields={"file": [_("Send at most 5 MB.")]}, status_code=413
        )
    text = decode_csv(content)
    return import_rows(
        actor=actor,
        project=project,
        rows=lambda lookups: _validated_rows(text, lookups),
        dry_run=dry_run,
        reason=_("Imported from CSV"),
    )


def import_rows(*, actor: User, project: Project, rows: RowSource, dry_run: bool, reason: str) -> RegisterImport:
    """Lock the project, read and check every row (``rows`` raises with every problem), then add them all.

    A row with a code keeps its number; the others take the numbers after the project's last risk
    and the file's highest code, in file order. With ``dry_run`` everything is rolled back.
    """
    with transaction.atomic():
        result = _import(actor=actor, project=project, rows=rows, dry_run=dry_run, reason=reason)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _import(*, actor: User, project: Project, rows: RowSource, dry_run: bool, reason: str) -> RegisterImport:
    project = lock_project(project)
    if not project.is_open:
        raise ApplicationError(
            _("The project is closed: its risk register can no longer change."), code="project_closed"
        )
    checked = rows(lambda: _lookups(project))
    organization = project.organization
    settings = risk_settings_for(organization)
    today = organization.today()
    now = timezone.now()
    last = Risk.objects.for_organization(organization).filter(project=project).aggregate(latest=Max("number"))["latest"]
    following = count(max([last or 0, *(row.number or 0 for row in checked)]) + 1)
    risks: list[Risk] = []
    links: list[RiskWbsLink] = []
    history: list[RiskAssessment] = []
    for row in checked:
        number = row.number or next(following)
        risk, entries = _built(row, project, number, actor, settings, today, now, reason)
        risks.append(risk)
        links.extend(
            RiskWbsLink(organization=organization, risk=risk, element=element)
            for element in dict.fromkeys(row.elements)
        )
        history.extend(entries)
    Risk.objects.bulk_create(risks, batch_size=500)
    RiskWbsLink.objects.bulk_create(links, batch_size=500)
    RiskAssessment.objects.bulk_create(history, batch_size=500)
    if not dry_run:
        audit_record(
            organization=organization,
            actor=actor,
            action="risk.imported",
            target=project,
            changes={"risks": [0, len(risks)], "codes": [None, [risk.code for risk in risks]]},
        )
    return RegisterImport(
        created=len(risks),
        dry_run=dry_run,
        codes=[risk.code for risk in risks],
        high=sum(1 for risk in risks if risk.level == "high" and risk.status in OPEN_STATUSES),
        exposure=sum((risk.emv for risk in risks if risk.status in OPEN_STATUSES), ZERO),
    )


def _built(
    row: RiskRow,
    project: Project,
    number: int,
    actor: User,
    settings: RiskSettings,
    today: dt.date,
    now: dt.datetime,
    reason: str,
) -> tuple[Risk, list[RiskAssessment]]:
    """The risk of a checked row and its history, as raising, assessing and moving it by the services leaves them."""
    assert row.category is not None  # every checked row has its category
    organization = project.organization
    risk = Risk(
        organization=organization,
        project=project,
        number=number,
        title=row.title.strip(),
        kind=row.kind,
        category=row.category,
        cause=row.text("cause").strip(),
        event=row.text("event").strip(),
        effect=row.text("effect").strip(),
        owner=row.owner,
        trigger=row.text("trigger").strip(),
        proximity=row.proximity,
        target_probability=row.target_probability,
        target_impact=row.target_impact,
        raised_by=actor,
        raised_at=now,
        updated_at=now,
    )
    register.derive(risk, settings, today)
    entries = [_entry(risk, actor, now, RiskAssessment.Kind.RAISED)]
    if row.probability is not None:
        before = snapshot(risk, register.ASSESSMENT_FIELDS)
        risk.probability = row.probability
        for dimension, value in row.impacts.items():
            setattr(risk, f"impact_{dimension}", value)
        risk.percent_is_default = row.percent is None
        if row.percent is not None:
            risk.probability_percent = row.percent
        risk.cost_min, risk.cost_likely, risk.cost_max = row.cost
        risk.days_min, risk.days_likely, risk.days_max = row.days
        risk.assessed_at = now
        risk.status = RiskStatus.ASSESSED
        risk._reviewed_on = today  # type: ignore[attr-defined]
        register.derive(risk, settings, today)
        risk.inherent_probability, risk.inherent_impact = risk.probability, risk.impact
        risk.inherent_score, risk.inherent_level = risk.score, risk.level
        changes = diff(before, snapshot(risk, register.ASSESSMENT_FIELDS))
        changes["status"] = [RiskStatus.IDENTIFIED.value, risk.status]
        entries.append(_entry(risk, actor, now, RiskAssessment.Kind.ASSESSED, reason=reason, changes=changes))
    if row.status and row.status != risk.status:
        old = risk.status
        risk.status = row.status
        risk.closed_at = now if row.status == RiskStatus.CLOSED else None
        risk.next_review = register.next_review(risk, settings, today)
        entries.append(
            _entry(risk, actor, now, RiskAssessment.Kind.STATUS, reason=reason, changes={"status": [old, row.status]})
        )
    return risk, entries


def _entry(
    risk: Risk, actor: User, at: dt.datetime, kind: str, *, reason: str = "", changes: dict[str, Any] | None = None
) -> RiskAssessment:
    """A history entry with the risk's figures after the change, as ``record_history`` writes it."""
    return RiskAssessment(
        organization_id=risk.organization_id,
        risk=risk,
        project_id=risk.project_id,
        kind=kind,
        actor=actor,
        at=at,
        reason=reason,
        changes=changes or {},
        score=risk.score,
        level=risk.level,
        emv=risk.emv,
        is_open=risk.status in OPEN_STATUSES,
    )
