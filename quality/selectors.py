"""The quality figures of a project and of the portfolio, read in a fixed number of queries.

- first-pass yield: of the signed inspections that are not re-inspections, the share that passed
  (with or without remarks); a re-inspection never counts, so a failure stays a failure;
- non-conformances by severity and by status (one count per pair), the open ones past their due
  date, and the open critical ones of a safety inspection type (the safety veto);
- days to close: the mean and the 90th percentile (``rules.percentile``) of the closed ones'
  ``days_to_close``;
- planned inspections overdue: open inspections scheduled before today, and plan entries whose
  planned date is past with no inspection scheduled for them (a cancelled one does not count);
- customer satisfaction: the average of the survey's four scores (of each project's survey, then
  of those averages for several projects).

``quality_figures`` reads one project, ``portfolio_quality`` any number of them (a list of ids or
a queryset of projects used as a subquery), both in ``FIGURE_QUERIES`` queries; ``safety_vetoes``
reads the veto alone in one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from pmo.models import Organization
from quality import rules
from quality.models import (
    OPEN_NC_STATUSES,
    Discipline,
    Inspection,
    InspectionStatus,
    NcStatus,
    NonConformance,
    Outcome,
    PlanEntry,
    SatisfactionSurvey,
    Severity,
)

#: Queries of ``quality_figures`` and ``portfolio_quality``, whatever the data.
FIGURE_QUERIES = 5
OPEN_INSPECTION_STATUSES = (InspectionStatus.SCHEDULED, InspectionStatus.IN_PROGRESS)
PASSING = (Outcome.PASSED, Outcome.PASSED_WITH_REMARKS)
ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")
#: The choices' values, read once: ``Severity.values`` builds its list on every call (L: 3,000 calls a request).
SEVERITIES: tuple[str, ...] = tuple(Severity.values)
NC_STATUSES: tuple[str, ...] = tuple(NcStatus.values)

#: Project ids: a list, or a queryset of projects (or of their ``pk`` values) used as a subquery.
Scope = Iterable[int] | QuerySet[Any]


def _ids(scope: Scope) -> Any:
    if isinstance(scope, QuerySet):
        return scope.values("pk") if scope.query.values_select == () else scope
    return list(scope)


def _rounded(value: float | Decimal | None, places: Decimal = ONE_PLACE) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


@dataclass
class QualityFigures:
    """One project's quality figures (or the portfolio's, pooled)."""

    #: Signed inspections that are not re-inspections, and those of them that passed.
    first_inspections: int = 0
    first_passed: int = 0
    #: Non-conformances by (severity, status).
    ncs: dict[tuple[str, str], int] = field(default_factory=dict)
    overdue_ncs: int = 0
    #: Open critical non-conformances of a safety inspection type: each vetoes the project's gates and RAG.
    safety_vetoes: int = 0
    #: Closed non-conformances' days to close: {days: how many}.
    closing_days: dict[int, int] = field(default_factory=dict)
    overdue_inspections: int = 0
    overdue_plan_entries: int = 0
    #: Each survey's average (one per project at most).
    survey_averages: list[Decimal] = field(default_factory=list)

    # --- derived -------------------------------------------------------------------------------

    @property
    def first_pass_yield(self) -> Decimal | None:
        """Per cent, one place; None before any first inspection is signed."""
        if not self.first_inspections:
            return None
        return _rounded(Decimal(self.first_passed) * 100 / Decimal(self.first_inspections))

    @property
    def by_severity(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for (severity, _status), count in self.ncs.items():
            counts[severity] = counts.get(severity, 0) + count
        return counts

    @property
    def by_status(self) -> dict[str, int]:
        counts = dict.fromkeys(NC_STATUSES, 0)
        for (_severity, status), count in self.ncs.items():
            counts[status] = counts.get(status, 0) + count
        return counts

    @property
    def open_by_severity(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for (severity, status), count in self.ncs.items():
            if status in OPEN_NC_STATUSES:
                counts[severity] = counts.get(severity, 0) + count
        return counts

    @property
    def total_ncs(self) -> int:
        return sum(self.ncs.values())

    @property
    def open_ncs(self) -> int:
        return sum(count for (_severity, status), count in self.ncs.items() if status in OPEN_NC_STATUSES)

    @property
    def closed_ncs(self) -> int:
        return sum(self.closing_days.values())

    def _days(self) -> list[int]:
        return [days for days, count in sorted(self.closing_days.items()) for _ in range(count)]

    @property
    def mean_days_to_close(self) -> Decimal | None:
        closed = self.closed_ncs
        if not closed:
            return None
        total = sum(days * count for days, count in self.closing_days.items())
        return _rounded(Decimal(total) / Decimal(closed))

    @property
    def p90_days_to_close(self) -> Decimal | None:
        return _rounded(rules.percentile(self._days(), 0.9))

    @property
    def planned_overdue(self) -> int:
        return self.overdue_inspections + self.overdue_plan_entries

    @property
    def satisfaction(self) -> Decimal | None:
        """The average of the surveys' averages (1 to 5, two places); None without a survey."""
        if not self.survey_averages:
            return None
        return _rounded(sum(self.survey_averages, Decimal(0)) / len(self.survey_averages), TWO_PLACES)

    @property
    def surveys(self) -> int:
        return len(self.survey_averages)

    def add(self, other: QualityFigures) -> None:
        """Pool ``other`` into these figures (the portfolio's total)."""
        self.first_inspections += other.first_inspections
        self.first_passed += other.first_passed
        for key, count in other.ncs.items():
            self.ncs[key] = self.ncs.get(key, 0) + count
        self.overdue_ncs += other.overdue_ncs
        self.safety_vetoes += other.safety_vetoes
        for days, count in other.closing_days.items():
            self.closing_days[days] = self.closing_days.get(days, 0) + count
        self.overdue_inspections += other.overdue_inspections
        self.overdue_plan_entries += other.overdue_plan_entries
        self.survey_averages.extend(other.survey_averages)


@dataclass
class PortfolioQuality:
    """Each project's figures (only projects with any quality record are in ``projects``) and the pooled total."""

    as_of: dt.date
    projects: dict[int, QualityFigures]
    total: QualityFigures

    def of(self, project_id: int) -> QualityFigures:
        return self.projects.get(project_id) or QualityFigures()

    @property
    def vetoed(self) -> list[int]:
        """Projects with an open critical safety non-conformance."""
        return sorted(project_id for project_id, figures in self.projects.items() if figures.safety_vetoes)


def _survey_average(quality: int, schedule: int, communication: int, service: int) -> Decimal:
    return (Decimal(quality + schedule + communication + service) / 4).quantize(TWO_PLACES)


def _read(organization: Organization | int, scope: Scope, today: dt.date) -> dict[int, QualityFigures]:
    """Five queries: inspections, non-conformances, closing days, unscheduled plan entries, surveys."""
    ids = _ids(scope)
    found: dict[int, QualityFigures] = defaultdict(QualityFigures)
    first = Q(status=InspectionStatus.SIGNED, reinspection_of__isnull=True)
    inspections = (
        Inspection.objects.for_organization(organization)
        .filter(project_id__in=ids)
        .values("project_id")
        .annotate(
            first=Count("pk", filter=first),
            passed=Count("pk", filter=first & Q(outcome__in=PASSING)),
            overdue=Count("pk", filter=Q(status__in=OPEN_INSPECTION_STATUSES, scheduled_date__lt=today)),
        )
        .order_by()
        .values_list("project_id", "first", "passed", "overdue")
    )
    for project_id, first_count, passed, overdue in inspections:
        figures = found[project_id]
        figures.first_inspections, figures.first_passed, figures.overdue_inspections = first_count, passed, overdue
    is_open = Q(status__in=OPEN_NC_STATUSES)
    ncs = (
        NonConformance.objects.for_organization(organization)
        .filter(project_id__in=ids)
        .values("project_id", "severity", "status")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=is_open & Q(due_date__lt=today)),
            vetoes=Count(
                "pk",
                filter=is_open & Q(severity=Severity.CRITICAL, inspection_type__discipline=Discipline.SAFETY),
            ),
        )
        .order_by()
        .values_list("project_id", "severity", "status", "n", "overdue", "vetoes")
    )
    for project_id, severity, status, count, overdue, vetoes in ncs:
        figures = found[project_id]
        figures.ncs[(severity, status)] = count
        figures.overdue_ncs += overdue
        figures.safety_vetoes += vetoes
    closing = (
        NonConformance.objects.for_organization(organization)
        .filter(project_id__in=ids, status=NcStatus.CLOSED, days_to_close__isnull=False)
        .values("project_id", "days_to_close")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("project_id", "days_to_close", "n")
    )
    for project_id, days, count in closing:
        found[project_id].closing_days[days] = count
    scheduled = Inspection.objects.filter(plan_entry=OuterRef("pk")).exclude(status=InspectionStatus.CANCELLED)
    entries = (
        PlanEntry.objects.for_organization(organization)
        .filter(project_id__in=ids, planned_date__lt=today)
        .exclude(Exists(scheduled))
        .values("project_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("project_id", "n")
    )
    for project_id, count in entries:
        found[project_id].overdue_plan_entries = count
    surveys = (
        SatisfactionSurvey.objects.for_organization(organization)
        .filter(project_id__in=ids)
        .values_list("project_id", "quality", "schedule", "communication", "service")
    )
    for project_id, *scores in surveys:
        found[project_id].survey_averages.append(_survey_average(*scores))
    return dict(found)


def quality_figures(organization: Organization, project_id: int, *, today: dt.date | None = None) -> QualityFigures:
    """One project's figures on the organisation's today: five queries."""
    today = today or organization.today()
    return _read(organization, [project_id], today).get(project_id) or QualityFigures()


def portfolio_quality(organization: Organization, scope: Scope, *, today: dt.date | None = None) -> PortfolioQuality:
    """Every project's figures in ``scope`` and their pooled total: five queries whatever their number."""
    today = today or organization.today()
    projects = _read(organization, scope, today)
    total = QualityFigures()
    for figures in projects.values():
        total.add(figures)
    return PortfolioQuality(as_of=today, projects=projects, total=total)


def safety_vetoes(organization: Organization | int, scope: Scope) -> dict[int, int]:
    """Open critical non-conformances of a safety inspection type, by project (vetoed projects only): one query."""
    rows = (
        NonConformance.objects.for_organization(organization)
        .filter(
            project_id__in=_ids(scope),
            status__in=OPEN_NC_STATUSES,
            severity=Severity.CRITICAL,
            inspection_type__discipline=Discipline.SAFETY,
        )
        .values("project_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("project_id", "n")
    )
    return dict(rows)


def nc_matrix(figures: QualityFigures) -> list[dict[str, Any]]:
    """The table of severity by status: a row per severity (highest first), its count per status and total."""
    statuses = NcStatus.values
    rows = []
    for severity in reversed(Severity.values):
        counts = [figures.ncs.get((severity, status), 0) for status in statuses]
        rows.append({"severity": severity, "label": Severity(severity).label, "counts": counts, "total": sum(counts)})
    return rows


def counts_by_label(counts: Mapping[str, int], choices: Any) -> list[tuple[str, Any, int]]:
    """(value, label, count) in the choices' order."""
    return [(value, label, counts.get(value, 0)) for value, label in choices.choices]
