"""Assignments through their services: derived work and units, cost estimates across a rate change,
bottom-up costing to the cent, validation, and re-costing after a reschedule (the site is described in
tests/resources/assignments_support.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pmo.errors import ApplicationError
from pmo.models import CalendarException, Organization, WorkingCalendar
from projects.models import Phase, WbsElement
from projects.services.wbs import task_costs_set, wbs_element_update
from resources.models import Assignment, AssignmentMode, ProjectResourcing
from resources.services import costing
from resources.services.assignments import assignment_create, assignment_delete, assignment_update
from tests.factories import CostRateFactory, OrganizationFactory, ProjectFactory, ResourceFactory, WbsElementFactory
from tests.resources.assignments_support import Site, audit_actions, d, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(organization: Organization) -> Site:
    return make_site(organization)


def assign(site: Site, task: WbsElement | None = None, **fields: object) -> Assignment:
    resource = fields.pop("resource", site.engineer)
    return assignment_create(
        actor=site.manager, project=site.project, task=task or site.excavation, resource=resource, **fields
    )


def estimate_of(site: Site, assignment: Assignment) -> costing.Estimate:
    facts = costing.project_facts(site.project)
    return costing.estimates(site.org.pk, facts)[assignment.pk]


def bottom_up(site: Site) -> None:
    costing.project_resourcing_set(actor=site.manager, project=site.project, bottom_up_costing=True)


# --- derived values --------------------------------------------------------------------


def test_work_given_derives_the_units_over_the_tasks_working_days(site: Site) -> None:
    # 40 h over the excavation's 5 working days at 8 h a day: 40 / (8 * 5) * 100 = 100 %.
    assignment = assign(site, work=Decimal("40"))

    assert (assignment.mode, assignment.units, assignment.work) == (
        AssignmentMode.WORK,
        Decimal("100.00"),
        Decimal("40.00"),
    )


def test_units_given_derive_the_work(site: Site) -> None:
    # 50 % of 8 h a day over 5 days: 0.5 * 8 * 5 = 20 h.
    assignment = assign(site, units=Decimal("50"))

    assert (assignment.mode, assignment.units, assignment.work) == (
        AssignmentMode.UNITS,
        Decimal("50.00"),
        Decimal("20.00"),
    )


def test_a_part_time_resource_derives_with_its_own_hours_per_day(site: Site) -> None:
    half_days = ResourceFactory(organization=site.org, code="P002", hours_per_day=Decimal("4"))
    # 30 h over 3 backfill days at 4 h a day: 30 / 12 * 100 = 250 %.
    assignment = assign(site, site.backfill, resource=half_days, work=Decimal("30"))

    assert assignment.units == Decimal("250.00")


def test_a_holiday_is_not_a_working_day_of_the_spread(organization: Organization) -> None:
    # Wednesday 4 March is a holiday: the 5-day excavation runs Mon 2, Tue 3, Thu 5, Fri 6, Mon 9.
    calendar, _created = WorkingCalendar.objects.for_organization(organization).get_or_create(
        organization=organization, is_default=True, defaults={"name": "Standard"}
    )
    CalendarException.objects.for_organization(organization).create(
        organization=organization, calendar=calendar, date=d(4), is_working=False
    )
    site = make_site(organization)
    assert site.excavation.planned_finish == d(9)

    # 40 h: 8 h on each of the 5 days; Mon 2 and Tue 3 at 100, Thu 5, Fri 6 and Mon 9 at 120:
    # 2 * 8 * 100 + 3 * 8 * 120 = 1,600 + 2,880 = 4,480.00.
    assignment = assign(site, work=Decimal("40"))

    assert assignment.units == Decimal("100.00")
    assert estimate_of(site, assignment) == costing.Estimate(Decimal("4480.00"), complete=True)


def test_a_material_is_given_as_its_quantity_and_keeps_no_units(site: Site) -> None:
    assignment = assign(site, resource=site.concrete, work=Decimal("12.5"))

    assert (assignment.mode, assignment.units, assignment.work) == (AssignmentMode.WORK, Decimal("0"), Decimal("12.50"))


# --- cost estimates -------------------------------------------------------------------------


def test_forty_hours_across_a_rate_change_cost_three_days_at_the_old_rate_and_two_at_the_new(site: Site) -> None:
    # 8 h a day, Mon 2 to Wed 4 at 100.00 and Thu 5, Fri 6 at 120.00:
    # 3 * 8 * 100 + 2 * 8 * 120 = 2,400 + 1,920 = 4,320.00.
    assignment = assign(site, work=Decimal("40"))

    assert estimate_of(site, assignment) == costing.Estimate(Decimal("4320.00"), complete=True)


def test_units_cost_their_daily_hours_at_each_days_rate(site: Site) -> None:
    # 50 %: 4 h a day; 4 * (3 * 100 + 2 * 120) = 4 * 540 = 2,160.00.
    assignment = assign(site, units=Decimal("50"))

    assert estimate_of(site, assignment).amount == Decimal("2160.00")


def test_work_in_thirds_is_costed_exactly_to_the_cent(site: Site) -> None:
    CostRateFactory(resource=site.excavator, effective_from=d(11), standard_rate=Decimal("130.00"))
    CostRateFactory(resource=site.excavator, effective_from=d(9), standard_rate=Decimal("100.00"))
    # 10 h over the backfill's Mon 9, Tue 10 (100.00) and Wed 11 (130.00): 10 / 3 h a day;
    # 10 / 3 * (100 + 100 + 130) = 10 * 110 = 1,100.00 (not 1,099.99 from 3.3333 h days).
    assignment = assign(site, site.backfill, resource=site.excavator, work=Decimal("10"))

    assert estimate_of(site, assignment).amount == Decimal("1100.00")


def test_a_material_costs_its_quantity_at_the_unit_cost_of_the_tasks_start_day(site: Site) -> None:
    # The excavation starts Mon 2 March, before 480.00 takes over on Tue 3: 12.5 * 450.50 = 5,631.25.
    on_excavation = assign(site, resource=site.concrete, work=Decimal("12.5"))
    # The backfill starts Mon 9 March: 12.5 * 480.00 = 6,000.00.
    on_backfill = assign(site, site.backfill, resource=site.concrete, work=Decimal("12.5"))

    assert estimate_of(site, on_excavation).amount == Decimal("5631.25")
    assert estimate_of(site, on_backfill).amount == Decimal("6000.00")


def test_days_without_a_rate_count_nothing_and_mark_the_estimate_incomplete(site: Site) -> None:
    newcomer = ResourceFactory(organization=site.org, code="P009")
    CostRateFactory(resource=newcomer, effective_from=d(5), standard_rate=Decimal("90.00"))
    # Only Thu 5 and Fri 6 have a rate: 2 * 8 * 90 = 1,440.00, incomplete.
    assignment = assign(site, resource=newcomer, work=Decimal("40"))

    assert estimate_of(site, assignment) == costing.Estimate(Decimal("1440.00"), complete=False)


def test_a_milestone_puts_its_work_on_its_day(site: Site) -> None:
    # The handover on Thu 12 March: 100 % is 8 h on that day, at 120.00: 960.00.
    assignment = assign(site, site.handover, units=Decimal("100"))

    assert assignment.work == Decimal("8.00")
    assert estimate_of(site, assignment).amount == Decimal("960.00")


# --- bottom-up costing ----------------------------------------------------------------------


def test_turning_bottom_up_costing_on_costs_the_tasks_from_their_assignments_and_rolls_up(site: Site) -> None:
    assign(site, work=Decimal("40"))  # 4,320.00
    assign(site, resource=site.excavator, units=Decimal("50"))  # 20 h * 75 = 1,500.00
    assign(site, site.backfill, units=Decimal("100"))  # 3 * 8 * 120 = 2,880.00
    wbs_element_update(actor=site.admin, element=site.handover, budgeted_cost=Decimal("999.99"))
    site.refresh()
    assert site.excavation.budgeted_cost == Decimal("0.00")  # off: assignments leave the plan alone

    bottom_up(site)

    site.refresh()
    assert site.excavation.budgeted_cost == Decimal("5820.00")  # 4,320.00 + 1,500.00
    assert site.backfill.budgeted_cost == Decimal("2880.00")
    assert site.earthworks.budgeted_cost == Decimal("8700.00")  # the summary: 5,820.00 + 2,880.00
    assert site.handover.budgeted_cost == Decimal("999.99")  # no assignments: as entered
    assert "project_resourcing.updated" in audit_actions(site.org)
    assert "wbs.costs_set" in audit_actions(site.org)


def test_every_assignment_change_re_costs_its_task_to_the_cent(site: Site) -> None:
    bottom_up(site)
    engineer = assign(site, work=Decimal("40"))
    site.refresh()
    assert site.excavation.budgeted_cost == Decimal("4320.00")

    # 30 h: 6 h a day; 6 * 540 = 3,240.00.
    assignment_update(actor=site.manager, assignment=engineer, work=Decimal("30"))
    site.refresh()
    assert site.excavation.budgeted_cost == Decimal("3240.00")

    # Moved to the backfill (Mon 9 to Wed 11, at 120.00): 30 * 120 = 3,600.00; the excavation has none left.
    assignment_update(actor=site.manager, assignment=engineer, task=site.backfill)
    site.refresh()
    assert (site.excavation.budgeted_cost, site.backfill.budgeted_cost) == (Decimal("0.00"), Decimal("3600.00"))
    assert site.earthworks.budgeted_cost == Decimal("3600.00")

    assignment_delete(actor=site.manager, assignment=engineer)
    site.refresh()
    assert site.backfill.budgeted_cost == Decimal("0.00")


def test_a_rescheduled_task_is_re_costed_on_demand_with_its_new_days_and_rates(site: Site) -> None:
    bottom_up(site)
    by_work = assign(site, work=Decimal("40"))  # 4,320.00
    by_units = assign(site, resource=site.excavator, units=Decimal("50"))  # 20 h, 1,500.00
    wbs_element_update(actor=site.admin, element=site.excavation, duration=10)  # Mon 2 to Fri 13 March
    site.refresh()
    assert site.excavation.budgeted_cost == Decimal("5820.00")  # not re-costed by the reschedule itself

    changed = costing.project_recost(actor=site.manager, project=site.project)

    # 40 h over 10 days: 4 h a day, 3 days at 100 and 7 at 120: 4 * (300 + 840) = 4,560.00.
    # 50 % over 10 days: 4 h a day, 40 h * 75 = 3,000.00. Together 7,560.00.
    site.refresh()
    assert site.excavation.budgeted_cost == Decimal("7560.00")
    assert changed == {site.excavation.pk: Decimal("7560.00")}
    by_work.refresh_from_db()
    by_units.refresh_from_db()
    assert (by_work.units, by_work.work) == (Decimal("50.00"), Decimal("40.00"))  # 40 / 80 h
    assert (by_units.units, by_units.work) == (Decimal("50.00"), Decimal("40.00"))  # 4 h * 10 days
    assert "project.resources_recosted" in audit_actions(site.org)


def test_turning_bottom_up_costing_off_leaves_the_costs_and_stops_following(site: Site) -> None:
    bottom_up(site)
    engineer = assign(site, work=Decimal("40"))
    costing.project_resourcing_set(actor=site.manager, project=site.project, bottom_up_costing=False)

    assignment_update(actor=site.manager, assignment=engineer, work=Decimal("10"))

    site.refresh()
    assert site.excavation.budgeted_cost == Decimal("4320.00")
    resourcing = ProjectResourcing.objects.for_organization(site.org).get(project=site.project)
    assert resourcing.bottom_up_costing is False


def test_a_typed_cost_on_a_task_that_bottom_up_costing_derives_is_refused_and_changes_nothing(site: Site) -> None:
    bottom_up(site)
    assign(site, work=Decimal("40"))  # 4,320.00

    with pytest.raises(ApplicationError) as refused_edit:
        wbs_element_update(actor=site.admin, element=site.excavation, budgeted_cost=Decimal("1000.00"))

    assert refused_edit.value.code == "cost_derived"
    assert "budgeted_cost" in refused_edit.value.fields
    site.refresh()
    assert site.excavation.budgeted_cost == Decimal("4320.00")
    # The same amount, another field, a task without assignments, or bottom-up costing off: allowed.
    wbs_element_update(actor=site.admin, element=site.excavation, budgeted_cost=Decimal("4320.00"), name="Dig")
    wbs_element_update(actor=site.admin, element=site.handover, budgeted_cost=Decimal("250.00"))
    costing.project_resourcing_set(actor=site.manager, project=site.project, bottom_up_costing=False)
    wbs_element_update(actor=site.admin, element=site.excavation, budgeted_cost=Decimal("1000.00"))
    site.refresh()
    assert (site.excavation.name, site.excavation.budgeted_cost) == ("Dig", Decimal("1000.00"))
    assert site.handover.budgeted_cost == Decimal("250.00")


def test_task_costs_set_refuses_another_projects_task_and_a_summary_and_changes_nothing(site: Site) -> None:
    stranger = WbsElementFactory(project=ProjectFactory(organization=site.org))
    with pytest.raises(ApplicationError) as error:
        task_costs_set(
            actor=site.admin, project=site.project, costs={site.excavation.pk: Decimal("1"), stranger.pk: Decimal("2")}
        )
    assert error.value.code == "not_in_project"
    with pytest.raises(ApplicationError) as error:
        task_costs_set(actor=site.admin, project=site.project, costs={site.earthworks.pk: Decimal("1")})
    assert error.value.code == "summary_cost"
    with pytest.raises(ApplicationError):
        task_costs_set(actor=site.admin, project=site.project, costs={site.excavation.pk: Decimal("-1")})
    site.refresh()
    assert site.excavation.budgeted_cost == Decimal("0.00")


# --- validation -----------------------------------------------------------------------------


def refused(call: object, **fields: object) -> ApplicationError:
    with pytest.raises(ApplicationError) as error:
        call(**fields)  # type: ignore[operator]
    return error.value


def test_units_and_work_together_or_neither_are_refused(site: Site) -> None:
    both = refused(assign, site=site, units=Decimal("50"), work=Decimal("10"))
    neither = refused(assign, site=site)

    assert both.code == "units_and_work"
    assert set(both.fields) == {"units", "work"}
    assert neither.code == "amount_missing"
    assert not Assignment.objects.for_organization(site.org).exists()


@pytest.mark.parametrize("value", [Decimal("0"), Decimal("-5"), "abc", Decimal("10001")])
def test_units_must_be_above_zero_and_at_most_ten_thousand(site: Site, value: object) -> None:
    error = refused(assign, site=site, units=value)

    assert "units" in error.fields


def test_a_summary_is_refused(site: Site) -> None:
    error = refused(assign, site=site, task=site.earthworks, work=Decimal("8"))

    assert error.code == "not_a_task"
    assert "Earthworks" in error.message


def test_another_projects_task_or_another_organisations_resource_is_not_found(site: Site) -> None:
    stranger_task = WbsElementFactory(project=ProjectFactory(organization=site.org))
    stranger_resource = ResourceFactory(organization=OrganizationFactory())

    missing_task = refused(assign, site=site, task=stranger_task, work=Decimal("8"))
    assert (missing_task.code, list(missing_task.fields)) == ("not_found", ["task"])
    assert refused(assign, site=site, resource=stranger_resource, work=Decimal("8")).code == "not_found"


def test_an_inactive_resource_is_refused(site: Site) -> None:
    site.engineer.is_active = False
    site.engineer.save()

    assert refused(assign, site=site, work=Decimal("8")).code == "resource_inactive"


def test_a_material_given_in_units_is_refused(site: Site) -> None:
    error = refused(assign, site=site, resource=site.concrete, units=Decimal("100"))

    assert error.code == "material_units"
    assert "m³" in error.message


def test_a_resource_is_assigned_once_per_task(site: Site) -> None:
    assign(site, work=Decimal("8"))

    assert refused(assign, site=site, work=Decimal("8")).code == "duplicate"
    assert Assignment.objects.for_organization(site.org).count() == 1


def test_a_closed_project_takes_no_assignments(site: Site) -> None:
    site.project.phase = Phase.CLOSED
    site.project.save()

    assert refused(assign, site=site, work=Decimal("8")).code == "project_not_open"


def test_a_stale_version_is_refused_and_changes_nothing(site: Site) -> None:
    assignment = assign(site, work=Decimal("40"))
    assignment_update(actor=site.manager, assignment=assignment, work=Decimal("20"), version=1)

    error = refused(assignment_update, actor=site.manager, assignment=assignment, work=Decimal("8"), version=1)

    assert (error.code, error.status_code) == ("precondition_failed", 412)
    assignment.refresh_from_db()
    assert (assignment.work, assignment.version) == (Decimal("20.00"), 2)


def test_every_write_is_audited(site: Site) -> None:
    assignment = assign(site, work=Decimal("40"))
    assignment_update(actor=site.manager, assignment=assignment, note="crew lead")
    assignment_delete(actor=site.manager, assignment=assignment)

    actions = audit_actions(site.org)
    assert [a for a in actions if a.startswith("assignment.")] == [
        "assignment.created",
        "assignment.updated",
        "assignment.deleted",
    ]


def test_changing_to_a_material_needs_its_quantity(site: Site) -> None:
    assignment = assign(site, work=Decimal("40"))

    error = refused(assignment_update, actor=site.manager, assignment=assignment, resource=site.concrete)
    changed = assignment_update(actor=site.manager, assignment=assignment, resource=site.concrete, work=Decimal("3"))

    assert error.code == "amount_missing"
    assert (changed.mode, changed.units, changed.work) == (AssignmentMode.WORK, Decimal("0"), Decimal("3.00"))
