"""What MS Project XML (MSPDI) and the product agree on: codes, units and limits, for reading and writing.

MSPDI counts durations as ISO 8601 durations of working time (``PT16H0M0S``) and a day as the
project's ``MinutesPerDay`` (480 by default); link lags in tenths of a minute with a ``LagFormat``;
link types 0 = FF, 1 = FS (the default), 2 = SF, 3 = SS; costs in hundredths of the currency and
rates per hour; weekdays 1 = Sunday to 7 = Saturday (0: an exception).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings

NAMESPACE = "http://schemas.microsoft.com/project"
DEFAULT_MINUTES_PER_DAY = 480
#: The project's own summary task (outline level 0) has UID 0 in files of MS Project.
PROJECT_SUMMARY_UID = 0
#: ``ResourceUID`` of an assignment without a resource.
UNASSIGNED_RESOURCE_UIDS = frozenset({-65535, 0})
#: The size of a file when the setting is missing.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

LINK_TYPES = {0: "FF", 1: "FS", 2: "SF", 3: "SS"}
LINK_CODES = {name: code for code, name in LINK_TYPES.items()}
#: LagFormat values (with the "estimated" ones, 35 and above) that count elapsed time, 24 hours a day.
ELAPSED_FORMATS = frozenset({4, 6, 8, 10, 12, 36, 38, 40, 42, 44})
#: LagFormat values of a lag given as a percentage of the predecessor's duration.
PERCENT_FORMATS = frozenset({19, 20, 51, 52})
ELAPSED_MINUTES_PER_DAY = 1440
#: Task types: 0 fixed units (MS Project's default), 1 fixed duration, 2 fixed work.
FIXED_UNITS, FIXED_DURATION, FIXED_WORK = 0, 1, 2
#: Constraint types: 0 as soon as possible, 1 as late as possible (which the product takes as soon as
#: possible); the others hold the task to their ConstraintDate. Codes to the product's ConstraintType values.
CONSTRAINT_ASAP, CONSTRAINT_ALAP = 0, 1
CONSTRAINT_TYPES = {0: "asap", 2: "mso", 3: "mfo", 4: "snet", 5: "snlt", 6: "fnet", 7: "fnlt"}
CONSTRAINT_CODES = {name: code for code, name in CONSTRAINT_TYPES.items()}
#: Resource types: 0 material, 1 work, 2 cost (Project 2007 on).
MATERIAL, WORK, COST = 0, 1, 2
#: The task field Text1, where the product keeps a task's percent-complete method, and its alias.
METHOD_FIELD_ID = "188743731"
METHOD_FIELD_NAME = "Text1"
METHOD_ALIAS = "PMO percent-complete method"
DURATION_FORMAT_DAYS = 7
CENTS = Decimal("100")
HUNDRED = Decimal("100")
#: The product's limits (projects.services.csv_io keeps the same).
MAX_DURATION = 99999
MAX_LAG = 9999
NAME_LENGTH = 255


def max_bytes() -> int:
    """The largest file an exchange accepts (``PMO_EXCHANGE_MAX_BYTES``, read when asked)."""
    return int(getattr(settings, "PMO_EXCHANGE_MAX_BYTES", DEFAULT_MAX_BYTES))


def python_weekday(day_type: int) -> int:
    """MSPDI's DayType (1 Sunday .. 7 Saturday) as ``date.weekday()`` numbers it (0 Monday .. 6 Sunday)."""
    return (day_type - 2) % 7


def day_type(weekday: int) -> int:
    return (weekday + 1) % 7 + 1


def duration_text(minutes: int | Decimal) -> str:
    """Minutes of working time as MSPDI writes them: ``PT16H0M0S``."""
    whole = int(minutes)
    return f"PT{whole // 60}H{whole % 60}M0S"


def datetime_text(day: dt.date, minutes: int) -> str:
    """A day at a time of day (minutes after midnight), as MSPDI writes it."""
    return f"{day.isoformat()}T{minutes // 60:02d}:{minutes % 60:02d}:00"
