"""The window of dates an organisation accepts, and the one validator that keeps input inside it.

Every date a user enters (API input and query parameters, page forms, CSV imports) is checked
against the organisation's window (``Organization.earliest_date`` to ``latest_date``, by default
1990-01-01 to 2100-12-31), so that no schedule, chart or roll-up meets a year it cannot count to.
The window itself stays within ``HARD_EARLIEST`` to ``HARD_LATEST``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_EARLIEST = dt.date(1990, 1, 1)
DEFAULT_LATEST = dt.date(2100, 12, 31)
HARD_EARLIEST = dt.date(1900, 1, 1)
HARD_LATEST = dt.date(2199, 12, 31)
DATE_OUT_OF_RANGE = "date_out_of_range"


@dataclass(frozen=True, slots=True)
class DateWindow:
    earliest: dt.date = DEFAULT_EARLIEST
    latest: dt.date = DEFAULT_LATEST

    def contains(self, value: dt.date | dt.datetime) -> bool:
        day = value.date() if isinstance(value, dt.datetime) else value
        return self.earliest <= day <= self.latest

    def message(self) -> str:
        return _("Enter a date from %(earliest)s to %(latest)s.") % {
            "earliest": self.earliest.isoformat(),
            "latest": self.latest.isoformat(),
        }

    def validate(self, value: Any) -> None:
        """A validator: raise ``ValidationError`` (code ``date_out_of_range``) for a date outside."""
        if isinstance(value, dt.date) and not self.contains(value):
            raise ValidationError(self.message(), code=DATE_OUT_OF_RANGE)


def active_date_window() -> DateWindow:
    """The window of the organisation in scope (the request's), or the default one outside any."""
    from pmo.models import Organization
    from pmo.tenancy import active_organization, active_organization_id

    organization = active_organization()
    if organization is not None:
        return organization.date_window
    organization_id = active_organization_id()
    if organization_id is None:
        return DateWindow()
    bounds = Organization.objects.filter(pk=organization_id).values_list("earliest_date", "latest_date").first()
    return DateWindow(*bounds) if bounds else DateWindow()


class WithinDateWindow:
    """The validator given to every date field of forms and serializers.

    A serializer field passes itself (DRF's ``requires_context``), so the organisation in the
    serializer's context is used without a query; a form field runs in the page's tenant scope.
    """

    requires_context = True

    def __call__(self, value: Any, serializer_field: Any = None) -> None:
        window = None
        if serializer_field is not None:
            organization = serializer_field.context.get("organization")
            if organization is not None:
                window = organization.date_window
        (window or active_date_window()).validate(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WithinDateWindow)

    def __hash__(self) -> int:
        return hash(WithinDateWindow)


within_date_window = WithinDateWindow()
