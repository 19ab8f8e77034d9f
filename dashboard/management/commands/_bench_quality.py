"""The quality records of ``seed_bench``: a checklist, and on every project an inspection plan, inspections
with their readings, non-conformances and, on projects in closing, a customer survey.

Each project gets ``INSPECTIONS_PER_PROJECT`` inspections of a template of ``READINGS_PER_INSPECTION``
numeric items, one reading per item judged as ``quality.rules`` judges it; most inspections are signed
(the outcome follows from the failed items' severity, as ``quality.rules.outcome`` computes it), a few
are scheduled (some of them overdue) or cancelled, and each failed one was inspected again. A failed
inspection opens one non-conformance (a few of a safety walk, one in fifty critical and still open: a
safety veto), most of them closed after some days. Rows are built unsaved and bulk-inserted with the
project's other rows, around the services (no audit events), from a generator of their own so that
the rest of the bench's data is the same with or without quality. The readings (L: 1,000,000) are kept
as plain rows rather than model instances and written with ``COPY`` on PostgreSQL (``bulk_create``
elsewhere): building and inserting a million ``Reading`` instances took most of the quality's share of
seeding L.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import zoneinfo
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection

from pmo.models import Organization, User
from projects.models import Phase, Project, WbsElement
from quality import rules
from quality.models import (
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionStatus,
    InspectionType,
    NcStatus,
    NonConformance,
    PlanEntry,
    Reading,
    SatisfactionSurvey,
)
from quality.services.settings import inspection_types_ensure_defaults

INSPECTIONS_PER_PROJECT = 50
READINGS_PER_INSPECTION = 20
PLAN_ENTRIES_PER_PROJECT = 10
LIMIT = Decimal("20")

#: A reading before it is inserted: its inspection (a model, its pk set once inserted), item id, value,
#: verdict and its words, and when it was recorded.
ReadingRow = tuple[Inspection, int, Decimal, bool, str, dt.datetime]


@dataclass
class Records:
    """One project's quality rows, linked by object until inserted."""

    plan: list[PlanEntry] = field(default_factory=list)
    inspections: list[Inspection] = field(default_factory=list)
    reinspections: list[Inspection] = field(default_factory=list)
    readings: list[ReadingRow] = field(default_factory=list)
    ncs: list[NonConformance] = field(default_factory=list)
    surveys: list[SatisfactionSurvey] = field(default_factory=list)


class QualitySeeder:
    def __init__(
        self,
        *,
        organization: Organization,
        users: dict[str, User],
        status_date: dt.date,
        seed: int,
        inspections: int = INSPECTIONS_PER_PROJECT,
        readings: int = READINGS_PER_INSPECTION,
    ) -> None:
        self.organization = organization
        self.users = users
        self.status_date = status_date
        self.inspections_per_project = inspections
        self.rng = random.Random(f"quality-{seed}")  # noqa: S311  (synthetic data, not secrets)
        self.zone = zoneinfo.ZoneInfo(organization.time_zone)
        inspection_types_ensure_defaults(organization)
        types = {kind.code: kind for kind in InspectionType.objects.for_organization(organization)}
        self.quality_type, self.safety_type = types["quality"], types["safety"]
        self.template = ChecklistTemplate.objects.create(
            organization=organization,
            code="BENCH-PAVE",
            name_en="Pavement acceptance (bench)",
            name_zh="路面验收（基准）",
            inspection_type=self.quality_type,
        )
        severities = [rules.MINOR] * 14 + [rules.MAJOR] * 5 + [rules.CRITICAL]
        self.items = ChecklistItem.objects.bulk_create(
            [
                ChecklistItem(
                    organization=organization,
                    template=self.template,
                    position=number,
                    text_en=f"Deviation {number}",
                    text_zh=f"偏差 {number}",
                    kind="numeric",
                    severity=severities[number % len(severities)],
                    unit="mm",
                    comparator=rules.LTE,
                    limit_a=LIMIT,
                )
                for number in range(readings)
            ]
        )
        self.limit = rules.Limit(rules.LTE, LIMIT, None, "mm")
        #: Each value drawn (in tenths) judged once: (value, passed, judgement).
        self.verdicts: dict[int, tuple[Decimal, bool, str]] = {}

    def verdict(self, tenths: int) -> tuple[Decimal, bool, str]:
        found = self.verdicts.get(tenths)
        if found is None:
            value = Decimal(tenths) / 10
            judged = rules.judge_numeric(self.limit, value)
            found = self.verdicts[tenths] = (value, bool(judged.passed), judged.text[:255])
        return found

    def moment(self, day: dt.date, hour: int = 10) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=self.zone)

    def records(self, project: Project, leaves: list[WbsElement]) -> Records:
        rng, organization, today = self.rng, self.organization, self.status_date
        found = Records()
        inspector = self.users["quality"]
        start = project.planned_start or today - dt.timedelta(days=200)
        span = max((today - start).days, 1)
        tasks = [leaf for leaf in leaves if leaf.kind == WbsElement.Kind.TASK] or leaves
        for number in range(PLAN_ENTRIES_PER_PROJECT):
            found.plan.append(
                PlanEntry(
                    organization=organization,
                    project=project,
                    template_code=self.template.code,
                    wbs_element=tasks[number % len(tasks)] if tasks else None,
                    phase="" if tasks else Phase.EXECUTION,
                    planned_date=start + dt.timedelta(days=rng.randint(0, span + 60)),
                )
            )
        numbers = 0
        for index in range(self.inspections_per_project):
            numbers += 1
            day = start + dt.timedelta(days=rng.randint(0, span))
            due = found.plan[index].planned_date if index < len(found.plan) else None
            entry = found.plan[index] if due is not None and due <= today else None
            draw = rng.random()
            if draw < 0.06:
                status = InspectionStatus.SCHEDULED
                day = today + dt.timedelta(days=rng.randint(-20, 30))
            elif draw < 0.08:
                status = InspectionStatus.CANCELLED
            else:
                status = InspectionStatus.SIGNED
            inspection = self.inspection(project, numbers, status, day, entry, inspector)
            found.inspections.append(inspection)
            if status != InspectionStatus.SIGNED:
                continue
            self.readings(found, inspection, inspector)
            if inspection.outcome == rules.FAILED:
                self.non_conformance(found, project, inspection, day)
                numbers += 1
                again = min(today, day + dt.timedelta(days=rng.randint(3, 20)))
                reinspection = self.inspection(project, numbers, InspectionStatus.SIGNED, again, None, inspector)
                reinspection.reinspection_of = inspection
                reinspection.outcome = rules.PASSED
                found.reinspections.append(reinspection)
        if project.phase == Phase.CLOSING:
            found.surveys.append(
                SatisfactionSurvey(
                    organization=organization,
                    project=project,
                    quality=rng.randint(3, 5),
                    schedule=rng.randint(2, 5),
                    communication=rng.randint(3, 5),
                    service=rng.randint(3, 5),
                    respondent="Client representative",
                    entered_by=project.manager,
                    entered_at=self.moment(today),
                )
            )
        return found

    def inspection(
        self, project: Project, number: int, status: str, day: dt.date, entry: PlanEntry | None, inspector: User
    ) -> Inspection:
        signed = status == InspectionStatus.SIGNED
        return Inspection(
            organization=self.organization,
            project=project,
            number=number,
            template=self.template,
            inspection_type=self.quality_type,
            plan_entry=entry,
            wbs_element=entry.wbs_element if entry is not None else None,
            location="Chainage K0+000",
            inspector=inspector,
            scheduled_date=day,
            inspected_on=day if signed else None,
            status=status,
            signed_by=inspector if signed else None,
            signed_at=self.moment(day, 16) if signed else None,
            cancel_reason="Weather." if status == InspectionStatus.CANCELLED else "",
            created_by=inspector,
            created_at=self.moment(day - dt.timedelta(days=7)),
        )

    def readings(self, found: Records, inspection: Inspection, inspector: User) -> None:
        """One reading per item, judged; the outcome from the failed items' severities."""
        rng = self.rng
        failed: list[str] = []
        # Most inspections pass; one in eight has a reading above the limit (failed when its item is major).
        defect = rng.randrange(len(self.items)) if rng.random() < 0.125 else None
        recorded_at = inspection.signed_at or self.moment(self.status_date)
        for position, item in enumerate(self.items):
            value, passed, judgement = self.verdict(
                rng.randint(210, 300) if position == defect else rng.randint(20, 200)
            )
            if not passed:
                failed.append(item.severity)
            found.readings.append((inspection, item.pk, value, passed, judgement, recorded_at))
        inspection.outcome = rules.outcome([rules.ItemResult(severity, False) for severity in failed])

    def non_conformance(self, found: Records, project: Project, inspection: Inspection, day: dt.date) -> None:
        rng, today = self.rng, self.status_date
        safety = rng.random() < 0.1
        severity = rules.CRITICAL if rng.random() < 0.02 else rng.choice([rules.MAJOR, rules.MAJOR, rules.MINOR])
        due = day + dt.timedelta(days={rules.CRITICAL: 2, rules.MAJOR: 7}.get(severity, 14))
        status = NcStatus.CLOSED if rng.random() < 0.7 else rng.choice(list(NcStatus)[:5])
        days = rng.randint(1, 40)
        closed_on = min(today, day + dt.timedelta(days=days)) if status == NcStatus.CLOSED else None
        found.ncs.append(
            NonConformance(
                organization=self.organization,
                project=project,
                number=len(found.ncs) + 1,
                title=f"Deviation above limit at {inspection.location}",
                severity=severity,
                inspection_type=self.safety_type if safety else self.quality_type,
                inspection=inspection,
                wbs_element=inspection.wbs_element,
                due_date=due,
                status=status,
                raised_by=inspection.inspector,
                raised_on=day,
                verified_by=self.users["quality"] if closed_on else None,
                verification_note="Re-measured within the limit." if closed_on else "",
                closed_on=closed_on,
                days_to_close=(closed_on - day).days if closed_on else None,
            )
        )


def insert(
    records: list[Records],
    create: Callable[[type[Any], list[Any]], None],
    counts: MutableMapping[str, int] | None = None,
) -> None:
    """Every project's quality rows, parents before children, through the seeder's bulk ``create(model, rows)``;
    the readings with ``COPY`` on PostgreSQL, counted in ``counts`` as ``create`` counts its rows."""

    def gather(attribute: str) -> list[Any]:
        return [row for one in records for row in getattr(one, attribute)]

    create(PlanEntry, gather("plan"))
    create(Inspection, gather("inspections"))
    create(Inspection, gather("reinspections"))
    readings = gather("readings")
    if connection.vendor == "postgresql" and counts is not None:
        copy_readings(readings)
        counts[Reading.__name__] = counts.get(Reading.__name__, 0) + len(readings)
    else:
        create(
            Reading,
            [
                Reading(
                    organization_id=inspection.organization_id,
                    inspection=inspection,
                    item_id=item_id,
                    number=value,
                    passed=passed,
                    judgement=judgement,
                    recorded_by_id=inspection.inspector_id,
                    recorded_at=recorded_at,
                )
                for inspection, item_id, value, passed, judgement, recorded_at in readings
            ],
        )
    create(NonConformance, gather("ncs"))
    create(SatisfactionSurvey, gather("surveys"))


READING_COLUMNS = (
    "organization_id",
    "inspection_id",
    "item_id",
    "sequence",
    "number",
    "passed",
    "choice",
    "text",
    "judgement",
    "note",
    "recorded_by_id",
    "recorded_at",
)


def _copy_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_readings(readings: list[ReadingRow]) -> None:
    """Write the readings with one ``COPY ... FROM STDIN`` (PostgreSQL): the columns of ``READING_COLUMNS``, the
    defaults ``bulk_create`` would give the others (``second_number`` and ``passed_check`` null)."""
    if not readings:
        return
    buffer = io.StringIO()
    write = buffer.write
    judgements: dict[str, str] = {}
    for inspection, item_id, value, passed, judgement, recorded_at in readings:
        text = judgements.get(judgement)
        if text is None:
            text = judgements[judgement] = _copy_text(judgement)
        inspector = "\\N" if inspection.inspector_id is None else str(inspection.inspector_id)
        write(
            f"{inspection.organization_id}\t{inspection.pk}\t{item_id}\t1\t{value}\t{'t' if passed else 'f'}\t\t\t"
            f"{text}\t\t{inspector}\t{recorded_at.isoformat()}\n"
        )
    buffer.seek(0)
    table = connection.ops.quote_name(Reading._meta.db_table)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(READING_COLUMNS)}) FROM STDIN", buffer)
