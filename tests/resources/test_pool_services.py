"""The pool's writes: settings, roles and skills, resources, placeholders, personal exceptions and dated rates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation

from finance.models import FinanceSettings
from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Organization, OrgRole, User
from resources.models import (
    Assignment,
    CostRate,
    Resource,
    ResourceException,
    ResourceRole,
    ResourceSettings,
    ResourceSkill,
    Skill,
)
from resources.rates import rate_histories
from resources.services import pool, rates_service
from resources.services.settings import resource_settings, resource_settings_update
from tests.factories import (
    AssignmentFactory,
    CostRateFactory,
    OrganizationFactory,
    ProjectFactory,
    ProjectResourcingFactory,
    ResourceExceptionFactory,
    ResourceFactory,
    ResourceRequestFactory,
    ResourceRoleFactory,
    SkillFactory,
    TimesheetFactory,
    WbsElementFactory,
    WorkingCalendarFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def manager(organization: Organization) -> User:
    return member(organization, OrgRole.RESOURCE, username="rm").user


def events(organization: Organization, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.for_organization(organization).filter(action=action).order_by("pk"))


def refused(call, field: str | None = None, status: int = 400) -> ApplicationError:  # type: ignore[no-untyped-def]
    with pytest.raises(ApplicationError) as caught:
        call()
    error = caught.value
    assert error.status_code == status, error.message
    if field is not None:
        assert field in error.fields, error.fields
    return error


def create(organization: Organization, actor: User, **fields) -> Resource:  # type: ignore[no-untyped-def]
    fields.setdefault("code", "P-001")
    fields.setdefault("name", "Wang Fang")
    return pool.resource_create(actor=actor, organization=organization, **fields)


# Settings


def test_settings_are_made_once_with_the_defaults(organization: Organization) -> None:
    first = resource_settings(organization)
    again = resource_settings(organization.pk)

    assert first.pk == again.pk
    assert ResourceSettings.objects.for_organization(organization).count() == 1
    assert (first.default_hours_per_day, first.overallocation_weeks) == (8, 4)
    assert (first.timesheet_deadline_weekday, first.timesheet_deadline_time) == (0, dt.time(12, 0))


def test_a_settings_change_is_audited_and_a_bad_value_changes_nothing(
    organization: Organization, manager: User
) -> None:
    resource_settings_update(actor=manager, organization=organization, overallocation_weeks=6)

    (event,) = events(organization, "resource_settings.updated")
    assert event.changes == {"overallocation_weeks": [4, 6]}
    error = refused(
        lambda: resource_settings_update(
            actor=manager, organization=organization, default_hours_per_day=Decimal("7"), overallocation_weeks=0
        ),
        "overallocation_weeks",
    )
    assert error.code == "invalid"
    settings = resource_settings(organization)
    assert (settings.overallocation_weeks, settings.default_hours_per_day) == (6, 8)
    refused(
        lambda: resource_settings_update(actor=manager, organization=organization, organization_id=3), "organization_id"
    )


# Roles and skills


def test_a_role_name_is_unique_without_case_and_a_rename_is_audited(organization: Organization, manager: User) -> None:
    role = pool.resource_role_create(actor=manager, organization=organization, name="  Civil   engineer ")
    assert role.name == "Civil engineer"
    refused(lambda: pool.resource_role_create(actor=manager, organization=organization, name="civil ENGINEER"), "name")

    pool.resource_role_update(actor=manager, role=role, name="土木工程师 Civil engineer")

    (event,) = events(organization, "resource_role.updated")
    assert event.changes == {"name": ["Civil engineer", "土木工程师 Civil engineer"]}


def test_a_role_in_use_is_not_deleted_and_the_refusal_says_by_what(organization: Organization, manager: User) -> None:
    role = ResourceRoleFactory(organization=organization, name="Surveyor")
    ResourceFactory(organization=organization, role=role)
    ResourceRequestFactory(organization=organization, project=ProjectFactory(organization=organization), role=role)

    error = refused(lambda: pool.resource_role_delete(actor=manager, role=role), status=409)

    assert error.code == "in_use"
    assert "1 resources and 1 requests" in error.message
    assert ResourceRole.objects.for_organization(organization).filter(pk=role.pk).exists()
    unused = ResourceRoleFactory(organization=organization)
    pool.resource_role_delete(actor=manager, role=unused)
    assert not ResourceRole.objects.for_organization(organization).filter(pk=unused.pk).exists()
    assert len(events(organization, "resource_role.deleted")) == 1


def test_a_role_keeps_its_kind_while_resources_of_that_kind_hold_it(organization: Organization, manager: User) -> None:
    role = ResourceRoleFactory(organization=organization, kind="person")
    ResourceFactory(organization=organization, role=role, kind="person")

    refused(lambda: pool.resource_role_update(actor=manager, role=role, kind="equipment"), "kind")


def test_a_skill_held_by_a_resource_is_not_deleted(organization: Organization, manager: User) -> None:
    skill = pool.skill_create(actor=manager, organization=organization, name="Welding")
    create(organization, manager, skills=[(skill, 4)])
    refused(lambda: pool.skill_create(actor=manager, organization=organization, name="welding"), "name")

    error = refused(lambda: pool.skill_delete(actor=manager, skill=skill), status=409)

    assert "held by 1 resources" in error.message
    pool.skill_update(actor=manager, skill=skill, name="Welding (TIG)")
    assert Skill.objects.for_organization(organization).get(pk=skill.pk).name == "Welding (TIG)"


# Resources


def test_a_new_resource_takes_the_organisations_hours_per_day_and_is_audited(
    organization: Organization, manager: User
) -> None:
    resource_settings_update(actor=manager, organization=organization, default_hours_per_day=Decimal("7.5"))
    welding, survey = SkillFactory(organization=organization), SkillFactory(organization=organization)

    resource = create(organization, manager, department=" Civil  works ", skills=[(welding, 4), (survey, 2)])

    assert resource.hours_per_day == Decimal("7.5")
    assert resource.max_units == 100
    assert resource.department == "Civil works"
    assert resource.version == 1
    levels = dict(
        ResourceSkill.objects.for_organization(organization).filter(resource=resource).values_list("skill_id", "level")
    )
    assert levels == {welding.pk: 4, survey.pk: 2}
    (event,) = events(organization, "resource.created")
    assert event.changes["code"] == [None, "P-001"]
    assert event.changes["skills"] == [None, {survey.name: 2, welding.name: 4}]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"code": "p-001"}, "code", "already exists"),
        ({"code": " "}, "code", "required"),
        ({"is_placeholder": True}, "role", "stands for a role"),
        (
            {"kind": "material", "unit": "m³", "is_placeholder": True, "role": None},
            "is_placeholder",
            "people and equipment",
        ),
        ({"kind": "material"}, "unit", "unit of measure"),
        ({"unit": "t"}, "unit", "Only materials"),
        ({"kind": "equipment", "user": "member"}, "user", "named person"),
        ({"user": "outsider"}, "user", "not a member"),
        ({"role": "equipment role"}, "role", "is for equipment"),
        ({"skills": "level 6"}, "skills", "from 1 to 5"),
        ({"max_units": Decimal("0")}, "max_units", ""),
        ({"hours_per_day": Decimal("25")}, "hours_per_day", ""),
    ],
)
def test_a_resource_breaking_a_rule_is_refused_with_its_field_and_nothing_is_added(
    organization: Organization, manager: User, fields: dict, field: str, words: str
) -> None:
    create(organization, manager)
    values = dict(fields)
    if values.get("user") == "member":
        values["user"] = member(organization, OrgRole.MEMBER).user
    elif values.get("user") == "outsider":
        values["user"] = member(OrganizationFactory(), OrgRole.MEMBER).user
    if values.get("role") == "equipment role":
        values["role"] = ResourceRoleFactory(organization=organization, kind="equipment")
    if values.get("skills") == "level 6":
        values["skills"] = [(SkillFactory(organization=organization), 6)]
    values.setdefault("code", "P-002")

    error = refused(lambda: create(organization, manager, **values), field)

    assert words in " ".join(error.fields[field])
    assert Resource.objects.for_organization(organization).count() == 1


def test_a_user_is_one_resource_and_another_organisations_calendar_is_not_found(
    organization: Organization, manager: User
) -> None:
    person = member(organization, OrgRole.MEMBER).user
    create(organization, manager, user=person)

    error = refused(lambda: create(organization, manager, code="P-002", user=person), "user")
    assert "P-001" in error.fields["user"][0]
    foreign = WorkingCalendarFactory(organization=OrganizationFactory())
    refused(lambda: create(organization, manager, code="P-003", calendar=foreign), "calendar")


def test_an_update_changes_the_fields_and_skills_bumps_the_version_and_audits_the_difference(
    organization: Organization, manager: User
) -> None:
    welding, survey = (
        SkillFactory(organization=organization, name="Welding"),
        SkillFactory(organization=organization, name="Survey"),
    )
    resource = create(organization, manager, skills=[(welding, 2)])

    updated = pool.resource_update(
        actor=manager, resource=resource, name="Wang Fang (site)", max_units=Decimal("50"), skills=[(survey, 5)]
    )

    assert updated.version == 2
    (event,) = events(organization, "resource.updated")
    assert event.changes == {
        "name": ["Wang Fang", "Wang Fang (site)"],
        "max_units": ["100.00", "50"],
        "skills": [{"Welding": 2}, {"Survey": 5}],
    }
    same = pool.resource_update(actor=manager, resource=updated, name="Wang Fang (site)")
    assert same.version == 2
    assert len(events(organization, "resource.updated")) == 1


def test_a_refused_update_changes_nothing(organization: Organization, manager: User) -> None:
    welding = SkillFactory(organization=organization)
    resource = create(organization, manager, skills=[(welding, 3)])

    refused(lambda: pool.resource_update(actor=manager, resource=resource, name="New", unit="kg", skills=[]), "unit")

    resource.refresh_from_db()
    assert (resource.name, resource.version) == ("Wang Fang", 1)
    assert ResourceSkill.objects.for_organization(organization).filter(resource=resource).count() == 1


def test_a_resource_on_tasks_keeps_its_kind_is_never_deleted_and_is_deactivated_instead(
    organization: Organization, manager: User
) -> None:
    resource = create(organization, manager)
    AssignmentFactory(project=ProjectFactory(organization=organization), resource=resource)

    refused(lambda: pool.resource_update(actor=manager, resource=resource, kind="equipment"), "kind")
    error = refused(lambda: pool.resource_delete(actor=manager, resource=resource), status=409)
    assert "deactivate it instead" in error.message
    pool.resource_deactivate(actor=manager, resource=resource)
    pool.resource_deactivate(actor=manager, resource=resource)

    resource.refresh_from_db()
    assert (resource.is_active, resource.version) == (False, 2)
    assert len(events(organization, "resource.deactivated")) == 1
    pool.resource_reactivate(actor=manager, resource=resource)
    resource.refresh_from_db()
    assert resource.is_active


def test_a_resource_with_a_timesheet_is_kept_and_an_unused_one_is_deleted(
    organization: Organization, manager: User
) -> None:
    kept = create(organization, manager, user=member(organization, OrgRole.MEMBER).user)
    TimesheetFactory(resource=kept)
    mistake = create(organization, manager, code="P-002")

    refused(lambda: pool.resource_delete(actor=manager, resource=kept), status=409)
    pool.resource_delete(actor=manager, resource=mistake)

    assert list(Resource.objects.for_organization(organization).values_list("code", flat=True)) == ["P-001"]
    (event,) = events(organization, "resource.deleted")
    assert event.changes["code"] == ["P-002", None]


# Placeholders


def test_replacing_a_placeholder_moves_its_assignments_and_merges_where_the_named_one_is_on_the_task(
    organization: Organization, manager: User
) -> None:
    project = ProjectFactory(organization=organization)
    ProjectResourcingFactory(project=project, bottom_up_costing=True)
    monday, friday = dt.date(2026, 3, 2), dt.date(2026, 3, 6)  # five working days
    first = WbsElementFactory(project=project, planned_start=monday, planned_finish=friday)
    shared = WbsElementFactory(project=project, planned_start=monday, planned_finish=friday)
    role = ResourceRoleFactory(organization=organization)
    placeholder = create(
        organization, manager, code="PH-1", is_placeholder=True, role=role, hours_per_day=Decimal("10")
    )
    named = create(organization, manager, code="P-002", role=role)  # 8 h a day
    CostRateFactory(resource=named, effective_from=dt.date(2026, 1, 1), standard_rate=Decimal("100.00"))
    moved = AssignmentFactory(
        project=project, task=first, resource=placeholder, mode="work", units=Decimal("80"), work=Decimal("40")
    )
    merged = AssignmentFactory(
        project=project, task=shared, resource=placeholder, mode="units", units=Decimal("25"), work=Decimal("12.50")
    )
    kept = AssignmentFactory(
        project=project, task=shared, resource=named, mode="units", units=Decimal("50"), work=Decimal("20")
    )

    pool.placeholder_replace(actor=manager, placeholder=placeholder, resource=named)

    rows = {row.pk: row for row in Assignment.objects.for_organization(organization)}
    assert set(rows) == {moved.pk, kept.pk}
    # Moved, given as 40 h of work: on 8 h days over five days that is 40 / (8 * 5) = 100 %.
    assert (rows[moved.pk].resource_id, rows[moved.pk].units, rows[moved.pk].work) == (
        named.pk,
        Decimal("100.00"),
        Decimal("40.00"),
    )
    # Merged, given as units: 50 % + 25 % = 75 %, which is 0.75 * 8 h * 5 days = 30 h.
    assert (rows[kept.pk].units, rows[kept.pk].work) == (Decimal("75.00"), Decimal("30.00"))
    # Bottom-up costing at the named resource's 100.00 an hour: 40 h = 4,000.00 and 30 h = 3,000.00.
    first.refresh_from_db()
    shared.refresh_from_db()
    assert (first.budgeted_cost, shared.budgeted_cost) == (Decimal("4000.00"), Decimal("3000.00"))
    placeholder.refresh_from_db()
    assert (placeholder.replaced_by_id, placeholder.is_active) == (named.pk, False)
    (event,) = events(organization, "resource.placeholder_replaced")
    assert event.changes["assignments_moved"] == [None, [moved.pk]]
    assert event.changes["assignments_merged"] == [None, [[merged.pk, kept.pk]]]


def test_only_an_unreplaced_placeholder_goes_to_an_active_named_resource_of_its_kind(
    organization: Organization, manager: User
) -> None:
    role = ResourceRoleFactory(organization=organization)
    placeholder = create(organization, manager, code="PH-1", is_placeholder=True, role=role)
    named = create(organization, manager, code="P-002")
    machine = create(organization, manager, code="E-001", kind="equipment")
    other_placeholder = create(organization, manager, code="PH-2", is_placeholder=True, role=role)
    idle = create(organization, manager, code="P-003")
    pool.resource_deactivate(actor=manager, resource=idle)

    refused(lambda: pool.placeholder_replace(actor=manager, placeholder=named, resource=placeholder), "placeholder")
    refused(lambda: pool.placeholder_replace(actor=manager, placeholder=placeholder, resource=machine), "resource")
    refused(
        lambda: pool.placeholder_replace(actor=manager, placeholder=placeholder, resource=other_placeholder), "resource"
    )
    refused(lambda: pool.placeholder_replace(actor=manager, placeholder=placeholder, resource=idle), "resource")
    foreign = ResourceFactory(organization=OrganizationFactory())
    refused(lambda: pool.placeholder_replace(actor=manager, placeholder=placeholder, resource=foreign), "resource")
    pool.placeholder_replace(actor=manager, placeholder=placeholder, resource=named)
    refused(lambda: pool.placeholder_replace(actor=manager, placeholder=placeholder, resource=named), "placeholder")


# Personal exceptions


def test_a_period_is_recorded_and_one_overlapping_it_is_refused_naming_it(
    organization: Organization, manager: User
) -> None:
    resource = create(organization, manager)
    pool.resource_exception_add(
        actor=manager, resource=resource, kind="leave", start=dt.date(2026, 3, 2), finish=dt.date(2026, 3, 6)
    )

    error = refused(
        lambda: pool.resource_exception_add(
            actor=manager, resource=resource, kind="training", start=dt.date(2026, 3, 6), finish=dt.date(2026, 3, 9)
        ),
        "start",
    )

    assert error.fields["start"] == ["The period overlaps leave from 2026-03-02 to 2026-03-06."]
    pool.resource_exception_add(
        actor=manager, resource=resource, kind="training", start=dt.date(2026, 3, 7), finish=dt.date(2026, 3, 9)
    )
    assert ResourceException.objects.for_organization(organization).filter(resource=resource).count() == 2
    assert len(events(organization, "resource_exception.created")) == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"start": dt.date(2026, 3, 6), "finish": dt.date(2026, 3, 2)}, "finish"),
        ({"start": dt.date(1980, 1, 1), "finish": dt.date(1980, 1, 2)}, "start"),
        ({"kind": "part_time"}, "hours_per_day"),
        ({"kind": "part_time", "hours_per_day": Decimal("8")}, "hours_per_day"),
        ({"kind": "part_time", "hours_per_day": Decimal("0")}, "hours_per_day"),
        ({"kind": "leave", "hours_per_day": Decimal("4")}, "hours_per_day"),
        ({"kind": "sabbatical"}, "kind"),
    ],
)
def test_a_wrong_period_is_refused_with_its_field(
    organization: Organization, manager: User, fields: dict, field: str
) -> None:
    resource = create(organization, manager)
    values = {"kind": "leave", "start": dt.date(2026, 3, 2), "finish": dt.date(2026, 3, 6), **fields}

    refused(lambda: pool.resource_exception_add(actor=manager, resource=resource, **values), field)

    assert not ResourceException.objects.for_organization(organization).exists()


def test_part_time_hours_below_the_resources_day_are_kept_and_materials_have_no_periods(
    organization: Organization, manager: User
) -> None:
    resource = create(organization, manager)
    concrete = create(organization, manager, code="M-001", kind="material", unit="m³")

    added = pool.resource_exception_add(
        actor=manager,
        resource=resource,
        kind="part_time",
        start=dt.date(2026, 4, 1),
        finish=dt.date(2026, 6, 30),
        hours_per_day=Decimal("4"),
    )

    assert added.hours_per_day == Decimal("4")
    refused(
        lambda: pool.resource_exception_add(
            actor=manager, resource=concrete, kind="leave", start=dt.date(2026, 4, 1), finish=dt.date(2026, 4, 2)
        ),
        "kind",
    )
    pool.resource_exception_remove(actor=manager, exception=added)
    assert not ResourceException.objects.for_organization(organization).exists()
    (event,) = events(organization, "resource_exception.deleted")
    assert event.changes["kind"] == ["part_time", None]


def test_another_resources_period_does_not_overlap(organization: Organization, manager: User) -> None:
    ResourceExceptionFactory(resource=ResourceFactory(organization=organization))
    resource = create(organization, manager)

    pool.resource_exception_add(
        actor=manager, resource=resource, kind="leave", start=dt.date(2026, 3, 2), finish=dt.date(2026, 3, 6)
    )


# Rates


def test_rates_are_kept_as_a_history_and_the_one_in_force_on_a_day_is_used(
    organization: Organization, manager: User
) -> None:
    resource = create(organization, manager)
    rates_service.cost_rate_add(
        actor=manager,
        resource=resource,
        effective_from=dt.date(2026, 1, 1),
        standard_rate=Decimal("300.00"),
        overtime_rate=Decimal("450.00"),
    )
    rates_service.cost_rate_add(
        actor=manager, resource=resource, effective_from=dt.date(2026, 4, 1), standard_rate=Decimal("320.00")
    )

    history = rate_histories(organization.pk, [resource.pk])[resource.pk]
    # Before the first rate nothing is known; 31 March is the last day at 300, 1 April the first at 320.
    assert history.standard_on(dt.date(2025, 12, 31)) is None
    assert history.standard_on(dt.date(2026, 3, 31)) == Decimal("300.00")
    assert history.standard_on(dt.date(2026, 4, 1)) == Decimal("320.00")
    created = events(organization, "resource_rate.created")
    assert [event.changes["standard_rate"] for event in created] == [[None, "300.00"], [None, "320.00"]]
    assert created[0].changes["resource"] == [None, resource.pk]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"effective_from": dt.date(2026, 1, 1)}, "effective_from"),
        ({"standard_rate": Decimal("-1")}, "standard_rate"),
        ({"standard_rate": Decimal("1.005")}, "standard_rate"),
        ({"overtime_rate": Decimal("-5")}, "overtime_rate"),
        ({"effective_from": dt.date(2200, 1, 1)}, "effective_from"),
        ({"standard_rate": Decimal("1000000000000")}, "standard_rate"),
    ],
)
def test_a_wrong_rate_is_refused_with_its_field(
    organization: Organization, manager: User, fields: dict, field: str
) -> None:
    resource = create(organization, manager)
    CostRateFactory(resource=resource, effective_from=dt.date(2026, 1, 1))
    values = {"effective_from": dt.date(2026, 2, 1), "standard_rate": Decimal("100"), **fields}

    refused(lambda: rates_service.cost_rate_add(actor=manager, resource=resource, **values), field)

    assert CostRate.objects.for_organization(organization).count() == 1


def test_a_rate_back_dated_into_a_closed_period_is_refused_and_one_after_it_is_added(
    organization: Organization, manager: User
) -> None:
    resource = create(organization, manager)
    CostRateFactory(resource=resource, effective_from=dt.date(2026, 1, 1), standard_rate=Decimal("300"))
    FinanceSettings.objects.for_organization(organization).update_or_create(
        organization=organization, defaults={"locked_through": dt.date(2026, 3, 31)}
    )

    error = refused(
        lambda: rates_service.cost_rate_add(
            actor=manager, resource=resource, effective_from=dt.date(2026, 3, 31), standard_rate=Decimal("320")
        ),
        "effective_from",
    )

    assert error.code == "period_locked"
    assert CostRate.objects.for_organization(organization).count() == 1
    rates_service.cost_rate_add(
        actor=manager, resource=resource, effective_from=dt.date(2026, 4, 1), standard_rate=Decimal("320")
    )
    assert CostRate.objects.for_organization(organization).count() == 2


def test_a_material_has_a_unit_cost_and_no_overtime(organization: Organization, manager: User) -> None:
    concrete = create(organization, manager, code="M-001", kind="material", unit="m³")

    refused(
        lambda: rates_service.cost_rate_add(
            actor=manager,
            resource=concrete,
            effective_from=dt.date(2026, 1, 1),
            standard_rate=Decimal("480"),
            overtime_rate=Decimal("500"),
        ),
        "overtime_rate",
    )
    rates_service.cost_rate_add(
        actor=manager, resource=concrete, effective_from=dt.date(2026, 1, 1), standard_rate=Decimal("480")
    )


def test_only_a_rate_not_yet_in_force_is_corrected_or_removed(organization: Organization, manager: User) -> None:
    resource = create(organization, manager)
    today = organization.today()
    in_force = CostRateFactory(resource=resource, effective_from=today, standard_rate=Decimal("300"))
    future = CostRateFactory(
        resource=resource, effective_from=today + dt.timedelta(days=30), standard_rate=Decimal("320")
    )

    error = refused(
        lambda: rates_service.cost_rate_update(actor=manager, rate=in_force, standard_rate=Decimal("1")), status=409
    )
    assert error.code == "rate_in_force"
    refused(lambda: rates_service.cost_rate_remove(actor=manager, rate=in_force), status=409)
    refused(lambda: rates_service.cost_rate_update(actor=manager, rate=future, effective_from=today), "effective_from")
    rates_service.cost_rate_update(
        actor=manager, rate=future, standard_rate=Decimal("330"), effective_from=today + dt.timedelta(days=31)
    )

    future.refresh_from_db()
    assert (future.standard_rate, future.effective_from) == (Decimal("330.00"), today + dt.timedelta(days=31))
    (event,) = events(organization, "resource_rate.updated")
    assert event.changes["standard_rate"] == ["320.00", "330"]
    rates_service.cost_rate_remove(actor=manager, rate=future)
    assert list(CostRate.objects.for_organization(organization).values_list("pk", flat=True)) == [in_force.pk]
    assert len(events(organization, "resource_rate.deleted")) == 1
