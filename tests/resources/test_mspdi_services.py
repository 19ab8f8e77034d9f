"""MS Project XML (MSPDI) through the services: the round trip reproduces a project exactly (tasks,
links, calendar, resources, assignments, baseline and the critical path), what cannot be represented
is reported, and every kind of bad file is refused with nothing written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import translation

from pmo.errors import ApplicationError
from pmo.models import AuditEvent, CalendarException, Organization, WorkingCalendar
from projects.models import Baseline, BaselineTask, Dependency, PercentCompleteMethod, Project, WbsElement
from projects.services.baselines import baseline_create
from projects.services.progress import task_progress_update
from projects.services.wbs import dependency_create, wbs_element_create, wbs_element_update
from resources.models import Assignment, CostRate, Resource
from resources.services.assignments import assignment_create
from resources.services.mspdi import project_create_from_mspdi, project_export_mspdi, project_import_mspdi
from tests.factories import CalendarExceptionFactory, OrganizationFactory, ProjectFactory, member
from tests.resources.assignments_support import Site, d, make_site

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The reports' words are checked in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def site(organization: Organization) -> Site:
    return make_site(organization)


def rich_plan(site: Site) -> None:
    """The site's plan with every link type and lags both ways, progress, a 50/50 task, notes,
    holidays and a make-up working day on its calendar, assignments of each kind and a baseline."""
    calendar = WorkingCalendar.objects.for_organization(site.org).get(is_default=True)
    CalendarExceptionFactory(calendar=calendar, date=d(10), name="Spring holiday")
    CalendarExceptionFactory(calendar=calendar, date=d(14), is_working=True, name="Make-up day")
    admin, project = site.admin, site.project
    fitout = wbs_element_create(actor=admin, project=project, name="Fit-out", duration=1)
    walls = wbs_element_create(actor=admin, project=project, name="Walls", parent=fitout, duration=4)
    roof = wbs_element_create(
        actor=admin,
        project=project,
        name="Roof",
        parent=fitout,
        duration=6,
        budgeted_cost=Decimal("12500.50"),
        percent_complete_method=PercentCompleteMethod.FIFTY_FIFTY,
        notes="Check the <flashing> & gutters",
    )
    paint = wbs_element_create(actor=admin, project=project, name="Paint 油漆", parent=fitout, duration=2)
    # Constraints of each end: a finish the links cannot meet (negative float), a start on a Saturday
    # (the Monday after), and a milestone pinned to its day.
    wbs_element_update(actor=admin, element=roof, constraint_type="fnlt", constraint_date=d(5))
    wbs_element_update(actor=admin, element=paint, constraint_type="snet", constraint_date=d(28))
    wbs_element_update(actor=admin, element=site.handover, constraint_type="mfo", constraint_date=d(17, 4))
    dependency_create(actor=admin, project=project, predecessor=site.excavation, successor=walls, type="SS", lag=2)
    dependency_create(actor=admin, project=project, predecessor=walls, successor=roof, type="FF", lag=-1)
    dependency_create(actor=admin, project=project, predecessor=roof, successor=paint, type="FS", lag=3)
    dependency_create(actor=admin, project=project, predecessor=paint, successor=site.handover, type="SF", lag=1)
    baseline_create(actor=admin, project=project, name="Approved plan")
    task_progress_update(actor=admin, task=site.excavation, actual_start=d(2), actual_finish=d(6), effective_date=d(6))
    task_progress_update(
        actor=admin, task=site.backfill, actual_start=d(9), percent_complete=Decimal("40"), effective_date=d(9)
    )
    assignment_create(actor=admin, project=project, task=site.excavation, resource=site.engineer, units=Decimal("50"))
    assignment_create(actor=admin, project=project, task=site.excavation, resource=site.excavator, work=Decimal("30"))
    assignment_create(
        actor=admin, project=project, task=site.backfill, resource=site.concrete, work=Decimal("12.5"), note="C30"
    )


def plan_rows(project: Project) -> list[tuple[Any, ...]]:
    return list(
        WbsElement.objects.for_organization(project.organization_id)
        .filter(project=project)
        .order_by("sort_key")
        .values_list(
            "code",
            "name",
            "kind",
            "duration",
            "budgeted_cost",
            "percent_complete_method",
            "percent_complete",
            "actual_start",
            "actual_finish",
            "notes",
            "planned_start",
            "planned_finish",
            "total_float",
            "is_critical",
            "constraint_type",
            "constraint_date",
        )
    )


def link_rows(project: Project) -> list[tuple[Any, ...]]:
    return sorted(
        Dependency.objects.for_organization(project.organization_id)
        .filter(project=project)
        .values_list("predecessor__code", "successor__code", "type", "lag")
    )


def assignment_rows(project: Project) -> list[tuple[Any, ...]]:
    return sorted(
        Assignment.objects.for_organization(project.organization_id)
        .filter(project=project)
        .values_list("task__code", "resource__code", "mode", "units", "work", "note")
    )


def baseline_rows(project: Project) -> list[tuple[Any, ...]]:
    baseline = Baseline.objects.for_organization(project.organization_id).get(project=project, is_current=True)
    return list(
        BaselineTask.objects.for_organization(project.organization_id)
        .filter(baseline=baseline)
        .order_by("sort_key")
        .values_list("code", "name", "is_milestone", "start", "finish", "duration", "budgeted_cost")
    )


def critical_path(project: Project) -> list[str]:
    return list(
        WbsElement.objects.for_organization(project.organization_id)
        .filter(project=project, is_critical=True)
        .order_by("planned_start", "sort_key")
        .values_list("code", flat=True)
    )


def test_export_then_import_reproduces_the_project_exactly(site: Site) -> None:
    rich_plan(site)
    content = project_export_mspdi(project=site.project, rates_visible=True)
    resources_before = Resource.objects.for_organization(site.org).count()

    result = project_create_from_mspdi(actor=site.admin, organization=site.org, content=content, code="RIV-2")

    copy = result.project
    assert result.report == []
    assert (copy.name, copy.planned_start, copy.calendar_id) == ("Riverside", site.project.planned_start, None)
    assert plan_rows(copy) == plan_rows(site.project)
    assert link_rows(copy) == link_rows(site.project)
    assert assignment_rows(copy) == assignment_rows(site.project)
    assert baseline_rows(copy) == baseline_rows(site.project)
    restored = AuditEvent.objects.for_organization(site.org).get(action="baseline.restored")
    assert restored.changes["name"] == [None, "MS Project Baseline 0"]
    assert critical_path(copy) == critical_path(site.project)
    assert critical_path(copy)  # the plan has one
    # The constraints are written in the schema's order, a finish's at the end of its day.
    assert (
        b"<ConstraintType>7</ConstraintType><CalendarUID>-1</CalendarUID>"
        b"<ConstraintDate>2026-03-05T17:00:00</ConstraintDate>" in content
    )
    assert min(row[12] for row in plan_rows(copy) if row[12] is not None) < 0  # the roof cannot finish in time
    projects = Project.objects.for_organization(site.org)
    assert projects.get(pk=copy.pk).scheduled_finish == projects.get(pk=site.project.pk).scheduled_finish
    # The pool's resources and the organisation's calendar were matched, not copied.
    assert Resource.objects.for_organization(site.org).count() == resources_before
    assert WorkingCalendar.objects.for_organization(site.org).count() == 1
    assert (result.resources_matched, result.resources_created) == (3, 0)


def test_a_project_on_its_own_calendar_comes_back_on_that_calendar(site: Site) -> None:
    six_days = WorkingCalendar.objects.create(
        organization=site.org, name="Six days", working_weekdays=[0, 1, 2, 3, 4, 5]
    )
    CalendarException.objects.create(organization=site.org, calendar=six_days, date=d(3), name="Lantern festival")
    site.project.calendar = six_days
    site.project.save()
    content = project_export_mspdi(project=site.project, rates_visible=False)
    empty = ProjectFactory(organization=site.org, code="EMPTY", planned_start=d(1, 2))

    result = project_import_mspdi(actor=site.admin, project=empty, content=content)

    empty.refresh_from_db()
    assert (empty.calendar_id, empty.planned_start) == (six_days.pk, site.project.planned_start)
    assert result.calendar == six_days


def test_a_new_organisation_gets_the_calendar_resources_and_rates_of_the_file(site: Site) -> None:
    rich_plan(site)
    content = project_export_mspdi(project=site.project, rates_visible=True)
    other = OrganizationFactory(slug="other")
    admin = member(other, "admin").user

    result = project_create_from_mspdi(
        actor=admin, organization=other, content=content, code="RIV", pool_allowed=True, rates_allowed=True
    )

    assert result.resources_created == 3
    calendar = result.project.calendar
    assert calendar is not None
    assert not calendar.is_default
    assert sorted(calendar.exceptions.values_list("date", "is_working")) == [(d(10), False), (d(14), True)]
    rates = sorted(
        CostRate.objects.for_organization(other).values_list("resource__code", "effective_from", "standard_rate")
    )
    # The rate in force on the project's start, from its start.
    assert rates == [
        ("E001", d(2), Decimal("75.00")),
        ("M001", d(2), Decimal("450.50")),
        ("P001", d(2), Decimal("100.00")),
    ]
    assert assignment_rows(result.project) == assignment_rows(site.project)
    assert critical_path(result.project) == critical_path(site.project)


def test_without_the_pool_right_unknown_resources_are_reported_not_added(site: Site) -> None:
    rich_plan(site)
    content = project_export_mspdi(project=site.project, rates_visible=False)
    other = OrganizationFactory(slug="other")
    manager = member(other, "project_manager").user

    result = project_create_from_mspdi(actor=manager, organization=other, content=content, code="RIV")

    assert result.assignments == 0
    assert Resource.objects.for_organization(other).count() == 0
    assert any("only the resource office may add them" in line for line in result.report)


def test_a_plan_that_is_not_empty_is_refused(site: Site) -> None:
    content = project_export_mspdi(project=site.project, rates_visible=False)

    with pytest.raises(ApplicationError) as refused:
        project_import_mspdi(actor=site.admin, project=site.project, content=content)

    assert refused.value.code == "plan_not_empty"


# --- files written the way MS Project and ProjectLibre write them ----------------------------


def test_an_ms_project_file_is_imported_with_its_report(site: Site) -> None:
    content = (FIXTURES / "ms_project_2019.xml").read_bytes()

    result = project_create_from_mspdi(
        actor=site.admin, organization=site.org, content=content, code="MSP", pool_allowed=True, rates_allowed=True
    )

    project = result.project
    rows = {row[0]: row for row in plan_rows(project)}
    assert project.planned_start == dt.date(2026, 4, 6)
    assert [(code, rows[code][1], rows[code][2], rows[code][3]) for code in sorted(rows)] == [
        ("1", "Design", "summary", 0),
        ("1.1", "Survey", "task", 3),
        ("1.2", "Drawings", "task", 5),
        ("1.3", "Design approved", "milestone", 0),
        ("2", "Build", "summary", 0),
        ("2.1", "Foundations", "task", 10),
        ("2.2", "Structure", "task", 2),
        ("2.3", "Handover", "milestone", 0),
    ]
    assert link_rows(project) == [
        ("1.1", "1.2", "FS", 0),
        ("1.2", "1.3", "FS", 0),  # no Type: finish-to-start
        ("1.3", "2.1", "FS", 2),  # 9600 tenths of a minute: 2 days of 480 minutes
        ("2.1", "2.2", "SS", -1),  # Type 3, a negative lag
        ("2.1", "2.3", "FF", 0),  # Type 0
        ("2.2", "2.3", "FS", 1),  # 50 % (LagFormat 19) of the 2 working days of Structure
    ]
    assert rows["1.1"][7] == dt.date(2026, 4, 6)
    assert rows["1.1"][8] == dt.date(2026, 4, 8)
    assert rows["1.2"][6] == Decimal("60.00")
    assert rows["2.1"][4] == Decimal("15000.00")
    report = " ".join(result.report)
    assert "tasks use the Fixed Units type" in report
    assert "1 task uses the Fixed Work type" in report
    assert "1 task uses As late as possible: imported as As soon as possible." in report
    assert "constraint" not in report  # the others are stored
    assert (rows["2.1"][14], rows["2.1"][15]) == ("snet", dt.date(2026, 4, 20))
    assert (rows["2.3"][14], rows["2.3"][15]) == ("mfo", dt.date(2026, 5, 15))
    assert rows["2.3"][10] == rows["2.3"][11] == dt.date(2026, 5, 15)  # the handover waits for its date
    assert rows["1.2"][14:] == ("asap", None)
    assert "lags in percent" in report or "lag in percent" in report
    assert "part of a working day" in report
    calendar = project.calendar or WorkingCalendar.objects.for_organization(site.org).get(is_default=True)
    assert sorted(calendar.exceptions.values_list("date", "is_working")) == [
        (dt.date(2026, 4, 18), True),
        (dt.date(2026, 5, 1), False),
    ]
    assert assignment_rows(project) == [
        ("1.1", "MSP-1", "units", Decimal("100.00"), Decimal("24.00"), ""),
        ("2.1", "MSP-2", "units", Decimal("50.00"), Decimal("40.00"), ""),
    ]
    assert baseline_rows(project)[0][3:] == (dt.date(2026, 4, 6), dt.date(2026, 4, 8), 3, Decimal("1200.00"))


def test_a_projectlibre_file_without_namespace_ids_or_link_types_is_imported(site: Site) -> None:
    content = (FIXTURES / "projectlibre.xml").read_bytes()

    result = project_create_from_mspdi(actor=site.admin, organization=site.org, content=content, code="PL")

    project = result.project
    assert [row[:4] for row in plan_rows(project)] == [
        ("1", "Phase A", "summary", 0),
        ("1.1", "Dig", "task", 2),
        ("1.2", "Pour", "task", 1),
        ("2", "Done", "milestone", 0),
    ]
    # No Type: finish-to-start; LinkLag in tenths of minutes with LagFormat 7 (days), 5 (hours).
    assert link_rows(project) == [("1.1", "1.2", "FS", 1), ("1.2", "2", "FS", 0)]
    assert "lag that is not whole working days" in " ".join(result.report)


# --- bad files: refused, nothing written -----------------------------------------------------


def nothing_written(org: Organization, projects_before: int) -> bool:
    return (
        Project.objects.for_organization(org).count() == projects_before
        and not AuditEvent.objects.for_organization(org).filter(action="wbs.imported_mspdi").exists()
    )


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&lol3;</Name><Tasks/></Project>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY x SYSTEM "http://example.com/x">]><Project><Name>&x;</Name><Tasks/></Project>"""


def task(uid: int, name: str = "T", level: int = 1, extra: str = "", duration: str = "PT8H0M0S") -> str:
    return (
        f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><OutlineLevel>{level}</OutlineLevel>"
        f"<Duration>{duration}</Duration>{extra}</Task>"
    )


def mspdi(*tasks: str, start: str = "2026-03-02T08:00:00") -> bytes:
    return (
        f'<Project xmlns="http://schemas.microsoft.com/project"><StartDate>{start}</StartDate>'
        f"<Tasks>{''.join(tasks)}</Tasks></Project>"
    ).encode()


def link(uid: int, type: int = 1) -> str:
    return f"<PredecessorLink><PredecessorUID>{uid}</PredecessorUID><Type>{type}</Type></PredecessorLink>"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        pytest.param(b"PK\x03\x04 this is a zip file", "not_xml", id="not XML"),
        pytest.param(b"", "not_xml", id="empty"),
        pytest.param(BOMB, "xml_forbidden", id="XML bomb"),
        pytest.param(EXTERNAL, "xml_forbidden", id="external entity"),
        pytest.param(b"<Workbook><Sheet/></Workbook>", "not_mspdi", id="another root"),
        pytest.param(b'<Project xmlns="urn:other"><Tasks/></Project>', "not_mspdi", id="another namespace"),
        pytest.param(b"<Project><Name>x</Name></Project>", "not_mspdi", id="no tasks"),
        pytest.param(mspdi(task(1), task(1)), "duplicate_uid", id="duplicate UID"),
        pytest.param(mspdi(task(1, extra=link(2)), task(2, extra=link(1))), "cycle", id="cycle"),
        pytest.param(
            mspdi(task(1, extra="<ActualStart>1850-01-01T08:00:00</ActualStart><PercentComplete>10</PercentComplete>")),
            "date_out_of_range",
            id="date out of range",
        ),
        pytest.param(mspdi(task(1), start="2999-01-01T08:00:00"), "date_out_of_range", id="start out of range"),
        pytest.param(mspdi(task(1, extra=link(7))), "invalid_plan", id="unknown predecessor"),
        pytest.param(mspdi(task(1, duration="eight hours")), "invalid_plan", id="bad duration"),
        pytest.param(mspdi(task(1, level=1), task(2, level=3)), "invalid_plan", id="outline skips a level"),
    ],
)
def test_a_bad_file_is_refused_with_its_kind_and_nothing_is_written(site: Site, content: bytes, code: str) -> None:
    before = Project.objects.for_organization(site.org).count()

    with pytest.raises(ApplicationError) as refused:
        project_create_from_mspdi(actor=site.admin, organization=site.org, content=content, code="BAD")

    assert refused.value.code == code, refused.value.fields
    assert refused.value.fields
    assert nothing_written(site.org, before)


@override_settings(PMO_EXCHANGE_MAX_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused(site: Site) -> None:
    before = Project.objects.for_organization(site.org).count()

    with pytest.raises(ApplicationError) as refused:
        project_create_from_mspdi(
            actor=site.admin, organization=site.org, content=mspdi(*(task(n) for n in range(1, 40))), code="BIG"
        )

    assert (refused.value.code, refused.value.status_code) == ("too_large", 413)
    assert nothing_written(site.org, before)


def test_a_cycle_is_named_by_its_tasks(site: Site) -> None:
    content = mspdi(task(1, "Dig", extra=link(3)), task(2, "Pour", extra=link(1)), task(3, "Cure", extra=link(2)))

    with pytest.raises(ApplicationError) as refused:
        project_create_from_mspdi(actor=site.admin, organization=site.org, content=content, code="CYC")

    assert "Dig (UID 1)" in refused.value.fields["file"][0]
    assert "Cure (UID 3)" in refused.value.fields["file"][0]


def test_a_file_with_an_unknown_version_and_no_namespace_is_accepted_when_its_structure_is_valid(site: Site) -> None:
    content = b"<Project><SaveVersion>99</SaveVersion><Tasks>" + task(1, "Only").encode() + b"</Tasks></Project>"

    result = project_create_from_mspdi(actor=site.admin, organization=site.org, content=content, code="V99")

    assert [row[:4] for row in plan_rows(result.project)] == [("1", "Only", "task", 1)]


def test_the_services_report_progress(site: Site) -> None:
    content = mspdi(*(task(n, f"Task {n}") for n in range(1, 121)))
    calls: list[tuple[int, int]] = []

    result = project_create_from_mspdi(
        actor=site.admin,
        organization=site.org,
        content=content,
        code="PRG",
        progress=lambda done, total: calls.append((done, total)),
    )
    exported: list[tuple[int, int]] = []
    project_export_mspdi(
        project=result.project, rates_visible=False, progress=lambda done, total: exported.append((done, total))
    )

    # Reading is the first fifth of the bar; then the plan is written, scheduled, and the rest follows.
    percents = [100 * done // total for done, total in calls]
    assert percents == [8, 16, 30, 80]
    assert exported == [(50, 120), (100, 120)]
