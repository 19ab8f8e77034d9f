"""The period lock: finance closes the books through a date, and nothing dated on or before it changes.

``FinanceSettings.locked_through`` is the last closed day (None: nothing is closed). Every write of
money dated on a day (an actual cost, its reversal, an import's rows, a commitment, and the
timesheet hours that become labour cost) asks :func:`check_period_open` first. Finance moves the
date forward as months are closed; moving it back (or clearing it) reopens closed days, which
needs a reason. Both are audited.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from finance.models import FinanceSettings
from finance.services.categories import finance_settings
from pmo.audit import audit_record
from pmo.errors import ApplicationError
from pmo.models import Organization, User

PERIOD_LOCKED = "period_locked"
REASON_LENGTH = 500


def locked_through(organization_id: int) -> dt.date | None:
    """The last closed day of the organisation, or None when no period is closed (one query)."""
    return FinanceSettings.objects.for_organization(organization_id).values_list("locked_through", flat=True).first()


def period_locked_error(day: dt.date, through: dt.date, field: str = "date") -> ApplicationError:
    message = _(
        "The books are closed through %(locked)s: nothing dated on or before that day (here %(day)s) "
        "may be added, changed or reversed."
    ) % {"locked": through.isoformat(), "day": day.isoformat()}
    return ApplicationError(message, code=PERIOD_LOCKED, fields={field: [message]})


def check_period_open(
    organization_id: int, day: dt.date, field: str = "date", *, through: dt.date | None = None
) -> None:
    """Refuse (code ``period_locked``) a change dated on or before the organisation's closed date.

    A caller checking many days reads the date once (:func:`locked_through`) and passes it as
    ``through``.
    """
    closed = through if through is not None else locked_through(organization_id)
    if closed is not None and day <= closed:
        raise period_locked_error(day, closed, field)


@transaction.atomic
def period_lock_set(
    *, actor: User, organization: Organization, locked_through: dt.date | None, reason: str = ""
) -> FinanceSettings:
    """Close the books through ``locked_through`` (None reopens every period).

    Moving the date forward closes more days. Moving it back or clearing it reopens closed days:
    allowed to finance, with a reason, and audited like any change. A date after today cannot be
    closed yet.
    """
    reason = (reason or "").strip()
    if len(reason) > REASON_LENGTH:
        message = _("Use at most %(count)d characters.") % {"count": REASON_LENGTH}
        raise ApplicationError(message, fields={"reason": [message]})
    if locked_through is not None:
        window = organization.date_window
        if not window.contains(locked_through):
            raise ApplicationError(window.message(), fields={"locked_through": [window.message()]})
        if locked_through > organization.today():
            message = _("A period can be closed once it has ended: choose today or an earlier day.")
            raise ApplicationError(message, code="lock_in_future", fields={"locked_through": [message]})
    current = finance_settings(organization)
    settings = FinanceSettings.objects.for_organization(organization).select_for_update().get(pk=current.pk)
    before = settings.locked_through
    if before == locked_through:
        return settings
    reopening = before is not None and (locked_through is None or locked_through < before)
    if reopening and not reason:
        message = _("Say why closed days are reopened.")
        raise ApplicationError(message, code="reason_required", fields={"reason": [message]})
    settings.locked_through = locked_through
    settings.save(update_fields=["locked_through"])
    changes: dict[str, list[object]] = {
        "locked_through": [
            before.isoformat() if before else None,
            locked_through.isoformat() if locked_through else None,
        ]
    }
    if reason:
        changes["reason"] = [None, reason]
    audit_record(
        organization=organization,
        actor=actor,
        action="finance_period.reopened" if reopening else "finance_period.locked",
        target=settings,
        changes=changes,
    )
    return settings
