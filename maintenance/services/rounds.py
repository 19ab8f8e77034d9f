"""Doing an inspection round: readings taken stop by stop, judged at once against the criterion's
version in force, breaches turned into defects and work orders, stops not reached, the round
completed.

Who may do a round is the callers' check (``may_do_round``). A round takes readings while it is
scheduled or in progress; the first reading starts it. A reading may be taken again while the
round is open (a typing slip), unless it already found a defect: that one stays, with its work order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maintenance import judging
from maintenance.generation import criteria_by_category
from maintenance.models import (
    AssetReading,
    CriterionVersion,
    EnteredAs,
    Round,
    RoundStatus,
    RoundStop,
    StopStatus,
    WorkOrder,
)
from maintenance.permissions import MaintenanceAction, may_inspect
from pmo.audit import audit_record
from pmo.errors import ApplicationError
from pmo.models import Membership, User
from pmo.policy import can

#: The most readings one submission takes (a field app sends a stop, or a whole short round).
MAX_BATCH = 200
NOTE_LENGTH = 2000


def may_do_round(membership: Membership, round_: Round) -> bool:
    """The maintenance office does any round; a named inspector the rounds given to them or to nobody."""
    if can(membership, MaintenanceAction.INSPECT):
        return True
    return may_inspect(membership) and round_.inspector_id in (None, membership.user_id)


@dataclass(frozen=True)
class ReadingInput:
    """One reading as a form or the API sends it: at a stop (or the round's stop of an asset)."""

    criterion_id: int
    stop_id: int | None = None
    asset_id: int | None = None
    value: Decimal | None = None
    second_value: Decimal | None = None
    entered_as: str = EnteredAs.VALUE
    not_applicable: bool = False
    notes: str = ""


@dataclass
class ReadingResult:
    """What became of one input: the stored reading, its verdict (None when not applicable), and the
    work order its breach opened or joined."""

    reading: AssetReading
    verdict: judging.Verdict | None
    work_order: WorkOrder | None = None
    rule: str = ""


def _invalid(index: int, field_name: str, message: str, code: str = "reading_invalid") -> ApplicationError:
    return ApplicationError(
        _("Reading %(number)s: %(message)s") % {"number": index + 1, "message": message},
        code=code,
        fields={f"readings[{index}].{field_name}": [message]},
    )


def _locked_round(round_: Round) -> Round:
    locked = (
        Round.objects.for_organization(round_.organization_id)
        .select_for_update(of=("self",), no_key=True)
        .select_related("organization", "plan")
        .get(pk=round_.pk)
    )
    return locked


def _check_open(round_: Round) -> None:
    if not round_.is_open:
        raise ApplicationError(
            _("The round is %(status)s: it takes no more readings.") % {"status": round_.get_status_display()},
            code="round_closed",
        )


def _stop_criteria(round_: Round, stops: Sequence[RoundStop]) -> dict[int, list[int]]:
    """The criteria the round reads at each stop, by stop id (the plan's, for the stop's category)."""
    by_category = criteria_by_category(round_.plan, {stop.asset.category_id for stop in stops})
    return {stop.pk: by_category.get(stop.asset.category_id, []) for stop in stops}


@transaction.atomic
def round_submit_readings(
    *,
    actor: User,
    round: Round,
    readings: Sequence[ReadingInput],
    stop: RoundStop | None = None,
) -> list[ReadingResult]:
    """Judge and store a batch of readings (at most ``MAX_BATCH``) all or none.

    Each reading is at ``stop`` or at the stop its input names (by stop or asset), of a criterion
    the plan reads there; it is judged against the criterion's current version and stored with
    it. Breaches go to ``defects.record_breaches``. A stop whose criteria are all read is done.

    The queries do not grow with the number of readings: the round, its stops, the criteria and
    their versions, the readings already taken, the inserts, the stops' and round's status and the
    audit, plus the opening of each new work order for a breach.
    """
    from maintenance.services.defects import record_breaches

    if not readings:
        raise ApplicationError(_("Send at least one reading."), code="no_readings")
    if len(readings) > MAX_BATCH:
        raise ApplicationError(
            _("Send at most %(count)s readings at once.") % {"count": MAX_BATCH}, code="too_many_readings"
        )
    round_ = _locked_round(round)
    _check_open(round_)
    organization = round_.organization
    stops_query = (
        RoundStop.objects.for_organization(organization).filter(round=round_).select_related("asset", "asset__area")
    )
    if stop is not None:
        if stop.round_id != round_.pk:
            raise ApplicationError(_("The stop is not on this round."), code="not_found")
        stops_query = stops_query.filter(pk=stop.pk)
    else:
        stop_ids = {item.stop_id for item in readings if item.stop_id is not None}
        asset_ids = {item.asset_id for item in readings if item.asset_id is not None}
        stops_query = stops_query.filter(Q(pk__in=stop_ids) | Q(asset_id__in=asset_ids))
    stops = list(stops_query)
    by_id = {each.pk: each for each in stops}
    by_asset = {each.asset_id: each for each in stops}
    read_at = _stop_criteria(round_, stops)
    criterion_ids = {item.criterion_id for item in readings}
    versions = {
        version.criterion_id: version
        for version in CriterionVersion.objects.for_organization(organization).filter(
            criterion_id__in=criterion_ids, is_current=True
        )
    }
    now = timezone.now()
    placed: list[tuple[ReadingInput, RoundStop]] = []
    seen: set[tuple[int, int]] = set()
    for index, item in enumerate(readings):
        at = stop or (by_id.get(item.stop_id) if item.stop_id is not None else by_asset.get(item.asset_id or 0))
        if at is None:
            raise _invalid(index, "stop", _("Choose a stop of this round."), code="not_found")
        if item.criterion_id not in read_at.get(at.pk, []):
            raise _invalid(index, "criterion", _("The round does not read this criterion at this stop."), "not_found")
        if (at.pk, item.criterion_id) in seen:
            raise _invalid(index, "criterion", _("The batch has this criterion twice at the same stop."))
        seen.add((at.pk, item.criterion_id))
        if len(item.notes or "") > NOTE_LENGTH:
            raise _invalid(index, "notes", _("The note is too long (at most 2000 characters)."))
        placed.append((item, at))

    existing = {
        (reading.stop_id, reading.criterion_id): reading
        for reading in AssetReading.objects.for_organization(organization).filter(
            round=round_, stop_id__in=[at.pk for at in stops]
        )
    }
    results: list[ReadingResult] = []
    replaced: list[int] = []
    for index, (item, at) in enumerate(placed):
        version = versions[item.criterion_id]
        earlier = existing.get((at.pk, item.criterion_id))
        if earlier is not None:
            if earlier.defect_id is not None:
                raise _invalid(
                    index,
                    "criterion",
                    _("This criterion was already read here and found a defect: that reading stays."),
                    code="reading_recorded",
                )
            replaced.append(earlier.pk)
        reading = AssetReading(
            organization=organization,
            round=round_,
            stop=at,
            asset=at.asset,
            criterion_id=item.criterion_id,
            criterion_version=version,
            notes=(item.notes or "").strip(),
            taken_by=actor,
            taken_at=now,
        )
        verdict = None
        if item.not_applicable:
            reading.not_applicable = True
        else:
            if item.value is None:
                raise _invalid(index, "value", _("Enter the reading, or mark it not applicable."))
            try:
                verdict = judging.judge(
                    version,
                    value=item.value,
                    second_value=item.second_value,
                    entered_as=item.entered_as or EnteredAs.VALUE,
                    surface=at.asset.judged_surface(),
                )
            except ApplicationError as error:
                raise _invalid(index, next(iter(error.fields), "value"), error.message, code=error.code) from error
            reading.entered_as = item.entered_as or EnteredAs.VALUE
            reading.entered_value = item.value
            reading.value = verdict.judged_value
            reading.second_value = item.second_value
            reading.passed = verdict.passed
        results.append(ReadingResult(reading=reading, verdict=verdict, rule=judging.rule_text(version)))

    if replaced:
        AssetReading.objects.for_organization(organization).filter(pk__in=replaced).delete()
    created = AssetReading.objects.bulk_create([result.reading for result in results])
    for result, saved in zip(results, created, strict=True):
        result.reading = saved
    breaches = [result.reading for result in results if result.reading.passed is False]
    if breaches:
        orders = record_breaches(actor=actor, organization=organization, readings=breaches)
        for result in results:
            result.work_order = orders.get(result.reading.pk)

    _update_stops(round_, stops, read_at, now)
    Round.objects.for_organization(organization).filter(pk=round_.pk, status=RoundStatus.SCHEDULED).update(
        status=RoundStatus.IN_PROGRESS, started_at=now
    )
    counts = Counter(
        "passed" if r.reading.passed else "failed" if r.reading.passed is False else "n/a" for r in results
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="maintenance_round.readings_taken",
        target=round_,
        changes={
            "readings": [None, len(results)],
            "passed": [None, counts["passed"]],
            "breached": [None, counts["failed"]],
            "not_applicable": [None, counts["n/a"]],
        },
    )
    return results


def _update_stops(round_: Round, stops: Sequence[RoundStop], read_at: dict[int, list[int]], now: Any) -> None:
    """Mark the stops whose criteria are all read as done (two queries)."""
    taken: Counter[int] = Counter(
        AssetReading.objects.for_organization(round_.organization_id)
        .filter(round=round_, stop_id__in=[each.pk for each in stops])
        .values_list("stop_id", flat=True)
    )
    done = [each.pk for each in stops if taken[each.pk] >= len(read_at.get(each.pk, [])) > 0]
    RoundStop.objects.for_organization(round_.organization_id).filter(pk__in=done).exclude(
        status=StopStatus.DONE
    ).update(status=StopStatus.DONE, visited_at=now)


@transaction.atomic
def round_stop_skip(*, actor: User, stop: RoundStop, note: str) -> RoundStop:
    """Mark a stop "not reached" (the gate was locked, the path flooded): a note says why."""
    round_ = _locked_round(stop.round)
    _check_open(round_)
    note = (note or "").strip()
    if not note:
        message = _("Say why the stop was not reached.")
        raise ApplicationError(message, code="note_required", fields={"note": [message]})
    if len(note) > NOTE_LENGTH:
        message = _("The note is too long (at most 2000 characters).")
        raise ApplicationError(message, code="invalid", fields={"note": [message]})
    stop = RoundStop.objects.for_organization(round_.organization_id).select_related("asset").get(pk=stop.pk)
    if stop.status == StopStatus.DONE:
        raise ApplicationError(_("Every criterion of this stop is read: it was reached."), code="stop_done")
    before = stop.status
    stop.status, stop.notes, stop.visited_at = StopStatus.SKIPPED, note, timezone.now()
    stop.save(update_fields=["status", "notes", "visited_at"])
    audit_record(
        organization=round_.organization,
        actor=actor,
        action="maintenance_round.stop_not_reached",
        target=round_,
        changes={"stop": [None, stop.asset.code], "status": [before, stop.status], "note": ["", note]},
    )
    return stop


@transaction.atomic
def round_stop_reopen(*, actor: User, stop: RoundStop) -> RoundStop:
    """Take back "not reached" while the round is open: the stop is to do again."""
    round_ = _locked_round(stop.round)
    _check_open(round_)
    stop = RoundStop.objects.for_organization(round_.organization_id).select_related("asset").get(pk=stop.pk)
    if stop.status != StopStatus.SKIPPED:
        return stop
    stop.status, stop.visited_at = StopStatus.PENDING, None
    stop.save(update_fields=["status", "visited_at"])
    audit_record(
        organization=round_.organization,
        actor=actor,
        action="maintenance_round.stop_reopened",
        target=round_,
        changes={"stop": [None, stop.asset.code], "status": [StopStatus.SKIPPED, StopStatus.PENDING]},
    )
    return stop


def may_cancel_round(membership: Membership) -> bool:
    """Only the maintenance office calls a round off, not the inspector it is given to."""
    return can(membership, MaintenanceAction.INSPECT)


@transaction.atomic
def round_cancel(*, actor: User, round: Round, reason: str) -> Round:
    """Call an open round off with a reason (the park closed for works, a typhoon warning).

    A cancelled round is no longer overdue and leaves the inspection completion figure; its readings,
    defects and work orders stay. The period is not made again: the round stays, cancelled.
    Refused with ``reason_required`` and ``round_closed``.
    """
    round_ = _locked_round(round)
    _check_open(round_)
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why the round is cancelled.")
        raise ApplicationError(message, code="reason_required", fields={"reason": [message]})
    if len(reason) > NOTE_LENGTH:
        message = _("The reason is too long (at most 2000 characters).")
        raise ApplicationError(message, code="invalid", fields={"reason": [message]})
    before = round_.status
    round_.status, round_.cancel_reason = RoundStatus.CANCELLED, reason
    round_.save(update_fields=["status", "cancel_reason"])
    audit_record(
        organization=round_.organization,
        actor=actor,
        action="maintenance_round.cancelled",
        target=round_,
        changes={"status": [before, round_.status], "reason": ["", reason]},
    )
    return round_


@transaction.atomic
def round_complete(*, actor: User, round: Round) -> Round:
    """Complete the round; refused while a stop is to do (read it, or mark it not reached with a note)."""
    round_ = _locked_round(round)
    _check_open(round_)
    pending = RoundStop.objects.for_organization(round_.organization_id).filter(round=round_, status=StopStatus.PENDING)
    left = pending.count()
    if left:
        raise ApplicationError(
            ngettext(
                "%(count)s stop is still to do: take its readings, or mark it not reached with a note saying why.",
                "%(count)s stops are still to do: take their readings, or mark them not reached with a note "
                "saying why.",
                left,
            )
            % {"count": left},
            code="stops_pending",
        )
    now = timezone.now()
    before = round_.status
    round_.status, round_.completed_at = RoundStatus.COMPLETED, now
    round_.started_at = round_.started_at or now
    round_.save(update_fields=["status", "completed_at", "started_at"])
    audit_record(
        organization=round_.organization,
        actor=actor,
        action="maintenance_round.completed",
        target=round_,
        changes={"status": [before, round_.status]},
    )
    return round_
