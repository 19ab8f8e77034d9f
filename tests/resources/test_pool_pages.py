"""The pool's pages: who reads and who changes, rates only for those who may see them, forms that name the
wrong field and keep the input, stale edits refused, and list queries pinned."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pmo.models import AuditEvent, Organization, OrgRole, User
from resources.models import Assignment, CostRate, Resource, ResourceException, ResourceRole, ResourceSettings, Skill
from resources.services.settings import resource_settings
from tests.conftest import page_client_for
from tests.factories import (
    AssignmentFactory,
    CostRateFactory,
    OrganizationFactory,
    ProjectFactory,
    ResourceExceptionFactory,
    ResourceFactory,
    ResourceRoleFactory,
    ResourceSkillFactory,
    SkillFactory,
    member,
)

pytestmark = pytest.mark.django_db

BASE = "/o/acme/resources/"


def client_as(organization: Organization, role: str) -> tuple[Client, User]:
    user = member(organization, role).user
    client = page_client_for(user)
    client.cookies["django_language"] = "en"
    return client, user


@pytest.fixture
def manager(organization: Organization) -> Client:
    return client_as(organization, OrgRole.RESOURCE)[0]


@pytest.fixture
def viewer(organization: Organization) -> Client:
    return client_as(organization, OrgRole.VIEWER)[0]


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def version_in(page: str) -> str:
    match = re.search(r'name="row_version" value="([0-9a-f]+)"', page)
    assert match, "the edit form carries no version"
    return match.group(1)


# The list


def test_the_pool_lists_active_resources_with_their_skills_and_offers_changes_to_managers(
    organization: Organization, manager: Client, viewer: Client
) -> None:
    skill = SkillFactory(organization=organization, name="Surveying")
    ResourceSkillFactory(
        resource=ResourceFactory(organization=organization, code="P-001", name="Wang Fang"), skill=skill, level=4
    )
    ResourceFactory(organization=organization, code="P-OLD", name="Retired", is_active=False)

    page = text(manager.get(BASE + "pool/"))
    read_only = text(viewer.get(BASE + "pool/"))

    assert "Wang Fang" in page
    assert "Surveying" in page
    assert "Retired" not in page
    assert "Add a resource" in page
    assert "Add a resource" not in read_only
    assert "Retired" in text(viewer.get(BASE + "pool/?active="))


def test_the_pool_filters_sorts_and_shows_an_empty_state(organization: Organization, viewer: Client) -> None:
    assert "The pool is empty." in text(viewer.get(BASE + "pool/"))
    ResourceFactory(organization=organization, code="A-1", name="Alpha", department="Civil")
    ResourceFactory(organization=organization, code="B-1", name="Bravo excavator", kind="equipment")

    by_kind = text(viewer.get(BASE + "pool/?kind=equipment"))
    none = text(viewer.get(BASE + "pool/?q=nothing-like-it"))
    sorted_desc = text(viewer.get(BASE + "pool/?ordering=-code"))

    assert "Bravo excavator" in by_kind
    assert "Alpha" not in by_kind
    assert "No resources match these filters." in none
    assert sorted_desc.index("B-1") < sorted_desc.index("A-1")
    assert '<option value="Civil">Civil</option>' in text(viewer.get(BASE + "pool/"))


def test_the_pool_list_reads_a_fixed_number_of_queries(organization: Organization, viewer: Client) -> None:
    def count() -> int:
        viewer.get(BASE + "pool/")
        with CaptureQueriesContext(connection) as captured:
            assert viewer.get(BASE + "pool/").status_code == 200
        return len(captured)

    ResourceSkillFactory(resource=ResourceFactory(organization=organization))
    few = count()
    role = ResourceRoleFactory(organization=organization)
    for number in range(8):
        resource = ResourceFactory(organization=organization, role=role, department=f"D{number}")
        ResourceSkillFactory(resource=resource)
        ResourceSkillFactory(resource=resource)

    assert count() == few


# A resource's page


def test_rates_show_only_to_those_who_may_see_them(organization: Organization, manager: Client) -> None:
    resource = ResourceFactory(organization=organization)
    CostRateFactory(resource=resource, standard_rate=Decimal("321.45"))
    url = f"{BASE}pool/{resource.pk}/"

    assert "321.45" in text(manager.get(url))
    assert "321.45" in text(client_as(organization, OrgRole.FINANCE)[0].get(url))
    for role in (OrgRole.VIEWER, OrgRole.MEMBER, OrgRole.PROJECT_MANAGER):
        page = text(client_as(organization, role)[0].get(url))
        assert "321.45" not in page, role
        assert "Cost rates" not in page, role
    viewer = client_as(organization, OrgRole.VIEWER)[0]
    assert viewer.get(f"{BASE}pool/{resource.pk}/rates/").status_code == 403


def test_a_resources_page_shows_its_periods_and_assignments(organization: Organization, viewer: Client) -> None:
    resource = ResourceFactory(organization=organization)
    ResourceExceptionFactory(resource=resource, kind="training", start=dt.date(2026, 5, 4), finish=dt.date(2026, 5, 8))
    project = ProjectFactory(organization=organization, code="RIV-01")
    AssignmentFactory(project=project, resource=resource, work=Decimal("40"))

    page = text(viewer.get(f"{BASE}pool/{resource.pk}/"))

    assert "2026-05-04" in page
    assert "Training" in page
    assert "RIV-01" in page
    assert "Record a period" not in page  # a viewer records nothing
    assert viewer.post(f"{BASE}pool/{resource.pk}/", {"op": "deactivate"}).status_code == 403


def test_a_manager_adds_a_period_and_an_overlap_is_shown_beside_the_form(
    organization: Organization, manager: Client
) -> None:
    resource = ResourceFactory(organization=organization)
    url = f"{BASE}pool/{resource.pk}/exceptions/"

    added = manager.post(
        url, {"kind": "leave", "start": "2026-03-02", "finish": "2026-03-06", "note": "Spring Festival"}
    )
    overlap = manager.post(url, {"kind": "training", "start": "2026-03-06", "finish": "2026-03-06"})

    assert added.status_code == 302
    assert overlap.status_code == 400
    assert "The period overlaps leave from 2026-03-02 to 2026-03-06." in text(overlap)
    (exception,) = ResourceException.objects.for_organization(organization)
    removed = manager.post(f"{url}{exception.pk}/remove/")
    assert removed.status_code == 302
    assert not ResourceException.objects.for_organization(organization).exists()


def test_a_rate_is_added_on_the_page_and_a_future_one_corrected(organization: Organization, manager: Client) -> None:
    resource = ResourceFactory(organization=organization)
    future = organization.today() + dt.timedelta(days=20)

    added = manager.post(
        f"{BASE}pool/{resource.pk}/rates/",
        {"effective_from": future.isoformat(), "standard_rate": "310.00", "overtime_rate": "", "note": ""},
    )
    assert added.status_code == 302
    rate = CostRate.objects.for_organization(organization).get()
    edit = f"{BASE}pool/{resource.pk}/rates/{rate.pk}/"
    version = version_in(text(manager.get(edit)))
    saved = manager.post(
        edit,
        {
            "op": "save",
            "row_version": version,
            "effective_from": future.isoformat(),
            "standard_rate": "315.00",
            "note": "",
        },
    )

    assert saved.status_code == 302
    rate.refresh_from_db()
    assert rate.standard_rate == Decimal("315.00")
    stale = manager.post(
        edit,
        {
            "op": "save",
            "row_version": version,
            "effective_from": future.isoformat(),
            "standard_rate": "1.00",
            "note": "",
        },
    )
    assert stale.status_code == 412
    assert "changed by someone else" in text(stale)
    assert manager.post(edit, {"op": "delete"}).status_code == 302
    assert not CostRate.objects.for_organization(organization).exists()


def test_finance_cannot_add_rates_on_the_page(organization: Organization) -> None:
    resource = ResourceFactory(organization=organization)
    finance = client_as(organization, OrgRole.FINANCE)[0]

    refused = finance.post(f"{BASE}pool/{resource.pk}/rates/", {"effective_from": "2026-01-01", "standard_rate": "1"})

    assert refused.status_code == 403
    assert not CostRate.objects.for_organization(organization).exists()


# Forms


def test_a_resource_is_created_with_its_skills_and_a_bad_form_keeps_the_input(
    organization: Organization, manager: Client
) -> None:
    role = ResourceRoleFactory(organization=organization, name="Surveyor")
    skill = SkillFactory(organization=organization, name="GNSS")
    data = {
        "code": "P-010",
        "name": "Li Wei",
        "kind": "person",
        "role": role.pk,
        "department": "Survey",
        "hours_per_day": "",
        "max_units": "",
        "unit": "kg",
        f"skill_{skill.pk}": "5",
        "notes": "",
    }

    bad = manager.post(BASE + "pool/new/", data)
    assert bad.status_code == 400
    assert "Only materials have a unit of measure." in text(bad)
    assert 'value="Li Wei"' in text(bad)
    data["unit"] = ""
    created = manager.post(BASE + "pool/new/", data)

    assert created.status_code == 302
    resource = Resource.objects.for_organization(organization).get(code="P-010")
    assert (resource.hours_per_day, resource.max_units) == (Decimal("8.00"), Decimal("100.00"))
    assert list(resource.skills.values_list("skill__name", "level")) == [("GNSS", 5)]
    assert created["Location"] == f"{BASE}pool/{resource.pk}/"


def test_a_stale_resource_edit_keeps_the_input_and_says_someone_else_changed_it(
    organization: Organization, manager: Client
) -> None:
    resource = ResourceFactory(organization=organization, code="P-1", name="Zhang")
    edit = f"{BASE}pool/{resource.pk}/edit/"
    version = version_in(text(manager.get(edit)))
    data = {"code": "P-1", "kind": "person", "hours_per_day": "8", "max_units": "100", "row_version": version}

    assert manager.post(edit, {**data, "name": "Zhang San"}).status_code == 302
    stale = manager.post(edit, {**data, "name": "Zhang Wu"})

    assert stale.status_code == 412
    assert 'value="Zhang Wu"' in text(stale)
    resource.refresh_from_db()
    assert (resource.name, resource.version) == ("Zhang San", 2)


def test_only_the_pool_managers_open_the_forms(organization: Organization, viewer: Client) -> None:
    resource = ResourceFactory(organization=organization)
    role = ResourceRoleFactory(organization=organization)
    for url in (
        "pool/new/",
        f"pool/{resource.pk}/edit/",
        "pool/import/",
        f"library/roles/{role.pk}/",
        f"pool/{resource.pk}/replace/",
    ):
        assert viewer.get(BASE + url).status_code == 403, url
    assert viewer.get(BASE + "library/").status_code == 200


def test_a_placeholder_is_replaced_on_its_page(organization: Organization, manager: Client) -> None:
    role = ResourceRoleFactory(organization=organization)
    placeholder = ResourceFactory(organization=organization, code="PH-1", is_placeholder=True, role=role)
    named = ResourceFactory(organization=organization, code="P-1")
    assignment = AssignmentFactory(project=ProjectFactory(organization=organization), resource=placeholder)
    url = f"{BASE}pool/{placeholder.pk}/replace/"

    assert "P-1" in text(manager.get(url))
    response = manager.post(url, {"resource": named.pk})

    assert response.status_code == 302
    assert Assignment.objects.for_organization(organization).get(pk=assignment.pk).resource_id == named.pk


def test_deactivating_and_deleting_from_the_resources_page(organization: Organization, manager: Client) -> None:
    used = ResourceFactory(organization=organization)
    AssignmentFactory(project=ProjectFactory(organization=organization), resource=used)
    mistake = ResourceFactory(organization=organization)

    refused = manager.post(f"{BASE}pool/{used.pk}/", {"op": "delete"})
    assert refused.status_code == 409
    assert manager.post(f"{BASE}pool/{used.pk}/", {"op": "deactivate"}).status_code == 302
    assert manager.post(f"{BASE}pool/{mistake.pk}/", {"op": "delete"}).status_code == 302
    used.refresh_from_db()
    assert not used.is_active
    assert not Resource.objects.for_organization(organization).filter(pk=mistake.pk).exists()


# Roles, skills, settings


def test_roles_and_skills_are_added_and_one_in_use_is_not_deleted(organization: Organization, manager: Client) -> None:
    assert (
        manager.post(BASE + "library/", {"op": "role", "role-name": "Crane crew", "role-kind": "equipment"}).status_code
        == 302
    )
    assert manager.post(BASE + "library/", {"op": "skill", "skill-name": "Rigging"}).status_code == 302
    duplicate = manager.post(BASE + "library/", {"op": "skill", "skill-name": "rigging"})
    assert duplicate.status_code == 400
    assert "A skill with this name already exists." in text(duplicate)
    role = ResourceRole.objects.for_organization(organization).get()
    ResourceFactory(organization=organization, kind="equipment", role=role)

    refused = manager.post(f"{BASE}library/roles/{role.pk}/", {"op": "delete"})

    assert refused.status_code == 409
    assert ResourceRole.objects.for_organization(organization).exists()
    skill = Skill.objects.for_organization(organization).get()
    assert manager.post(f"{BASE}library/skills/{skill.pk}/", {"op": "delete"}).status_code == 302


def test_settings_are_read_by_everyone_and_saved_by_managers(
    organization: Organization, manager: Client, viewer: Client
) -> None:
    page = text(viewer.get(BASE + "settings/"))
    assert "You can read these settings" in page
    assert viewer.post(BASE + "settings/", {}).status_code == 403
    data = {
        "default_hours_per_day": "7.5",
        "overallocation_weeks": "6",
        "timesheet_deadline_weekday": "1",
        "timesheet_deadline_time": "10:00",
        "row_version": version_in(text(manager.get(BASE + "settings/"))),
    }

    assert manager.post(BASE + "settings/", data).status_code == 302
    bad = manager.post(BASE + "settings/", {**data, "overallocation_weeks": "99", "row_version": ""})

    assert bad.status_code == 400
    settings = resource_settings(organization)
    assert (settings.default_hours_per_day, settings.overallocation_weeks, settings.timesheet_deadline_time) == (
        Decimal("7.50"),
        6,
        dt.time(10, 0),
    )
    assert AuditEvent.objects.for_organization(organization).filter(action="resource_settings.updated").count() == 1
    assert ResourceSettings.objects.for_organization(organization).count() == 1


def test_another_organisations_resource_is_not_found(organization: Organization, manager: Client) -> None:
    foreign = ResourceFactory(organization=OrganizationFactory())
    assert manager.get(f"{BASE}pool/{foreign.pk}/").status_code == 404
    assert manager.post(f"{BASE}pool/{foreign.pk}/", {"op": "deactivate"}).status_code == 404


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_pool_page_renders_in_both_languages(organization: Organization, language: str) -> None:
    client, user = client_as(organization, OrgRole.ADMIN)
    client.cookies["django_language"] = language
    user.language = language
    user.save(update_fields=["language"])
    role = ResourceRoleFactory(organization=organization)
    skill = SkillFactory(organization=organization)
    resource = ResourceFactory(organization=organization, role=role)
    ResourceSkillFactory(resource=resource, skill=skill)
    rate = CostRateFactory(resource=resource, effective_from=organization.today() + dt.timedelta(days=5))
    placeholder = ResourceFactory(organization=organization, is_placeholder=True, role=role)

    for url in (
        "pool/",
        "pool/new/",
        "pool/import/",
        f"pool/{resource.pk}/",
        f"pool/{resource.pk}/edit/",
        f"pool/{resource.pk}/rates/{rate.pk}/",
        f"pool/{placeholder.pk}/replace/",
        "library/",
        f"library/roles/{role.pk}/",
        f"library/skills/{skill.pk}/",
        "settings/",
    ):
        response = client.get(BASE + url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == language, url
    template = client.get(BASE + "pool/import/template.csv")
    assert template["Content-Type"].startswith("text/csv")
