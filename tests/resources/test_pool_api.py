"""The pool's API: lists on the fast path with pinned queries, writes through the services, ETags, rates
only for those who may see them, 404 for another organisation, and a complete schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from pmo.models import Organization, OrgRole, User
from resources.api.pool import (
    CostRateSerializer,
    ResourceExceptionSerializer,
    ResourceRoleSerializer,
    ResourceSerializer,
    SkillSerializer,
)
from resources.models import CostRate, Resource, ResourceException, ResourceRole, ResourceSkill, Skill
from tests.conftest import api_client_for
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
    WorkingCalendarFactory,
    member,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/orgs/acme/"


def client_for(user: User) -> APIClient:
    client = api_client_for(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def manager(organization: Organization) -> APIClient:
    return client_for(member(organization, OrgRole.RESOURCE, username="rm").user)


@pytest.fixture
def viewer(organization: Organization) -> APIClient:
    return client_for(member(organization, OrgRole.VIEWER, username="vera").user)


def pool_of(organization: Organization, count: int) -> list[Resource]:
    role = ResourceRoleFactory(organization=organization)
    skills = [SkillFactory(organization=organization) for _n in range(2)]
    user = member(organization, OrgRole.MEMBER).user
    resources = []
    for number in range(count):
        resource = ResourceFactory(
            organization=organization,
            code=f"P-{number:03d}",
            role=role,
            user=user if number == 0 else None,
            calendar=WorkingCalendarFactory(organization=organization) if number == 1 else None,
        )
        for skill in skills:
            ResourceSkillFactory(resource=resource, skill=skill, level=number % 5 + 1)
        resources.append(resource)
    return resources


# Lists


def test_the_resource_list_answers_what_the_serializer_declares(organization: Organization, viewer: APIClient) -> None:
    pool_of(organization, 3)
    rows = Resource.objects.for_organization(organization).order_by("code")

    body = viewer.get(API + "resources/").json()

    assert body["results"] == ResourceSerializer(rows, many=True).data
    assert [skill["level"] for skill in body["results"][2]["skills"]] == [3, 3]
    assert body["results"][0]["user"]["username"]
    assert "standard_rate" not in str(body)


def test_the_resource_list_reads_a_fixed_number_of_queries(organization: Organization, viewer: APIClient) -> None:
    pool_of(organization, 2)
    with CaptureQueriesContext(connection) as few:
        assert viewer.get(API + "resources/").status_code == 200
    pool_of(OrganizationFactory(), 1)
    pool_of(organization, 0)
    for number in range(6):
        ResourceSkillFactory(resource=ResourceFactory(organization=organization, code=f"X-{number}"))
    with CaptureQueriesContext(connection) as many:
        assert len(viewer.get(API + "resources/").json()["results"]) == 8

    # Membership, count, page, the page's skills.
    assert len(many) == len(few) == 4, [query["sql"] for query in many]


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("kind=equipment", ["E-1"]),
        ("placeholder=true", ["PH-1"]),
        ("active=false", ["P-OLD"]),
        ("department=civil", ["P-1", "PH-1"]),
        ("q=excav", ["E-1"]),
        ("ordering=-code", ["PH-1", "P-OLD", "P-1", "E-1"]),
    ],
)
def test_the_resource_list_filters_and_orders(
    organization: Organization, viewer: APIClient, query: str, codes: list[str]
) -> None:
    role = ResourceRoleFactory(organization=organization)
    ResourceFactory(organization=organization, code="P-1", department="Civil")
    ResourceFactory(organization=organization, code="P-OLD", is_active=False)
    ResourceFactory(organization=organization, code="PH-1", department="Civil", is_placeholder=True, role=role)
    ResourceFactory(organization=organization, code="E-1", name="Excavator", kind="equipment")

    body = viewer.get(f"{API}resources/?{query}").json()

    assert [row["code"] for row in body["results"]] == codes


def test_filtering_by_role_and_skill(organization: Organization, viewer: APIClient) -> None:
    welder, other = ResourceRoleFactory(organization=organization), ResourceRoleFactory(organization=organization)
    skill = SkillFactory(organization=organization)
    ResourceFactory(organization=organization, code="A", role=welder)
    ResourceSkillFactory(resource=ResourceFactory(organization=organization, code="B", role=other), skill=skill)

    by_role = viewer.get(f"{API}resources/?role={welder.pk}").json()["results"]
    by_skill = viewer.get(f"{API}resources/?skill={skill.pk}").json()["results"]
    foreign = viewer.get(f"{API}resources/?role={ResourceRoleFactory(organization=OrganizationFactory()).pk}")

    assert [row["code"] for row in by_role] == ["A"]
    assert [row["code"] for row in by_skill] == ["B"]
    assert foreign.status_code == 400


def test_role_skill_exception_and_rate_lists_answer_what_their_serializers_declare(
    organization: Organization, manager: APIClient
) -> None:
    resource = pool_of(organization, 2)[0]
    ResourceExceptionFactory(resource=resource)
    CostRateFactory(resource=resource, effective_from=dt.date(2026, 1, 1))
    CostRateFactory(resource=resource, effective_from=dt.date(2026, 4, 1), overtime_rate=Decimal("150"))
    roles = ResourceRole.objects.for_organization(organization).order_by("name")
    with CaptureQueriesContext(connection) as queries:
        body = manager.get(API + "resource-roles/").json()
    assert len(queries) == 3  # membership, count, page

    assert body["results"] == [{**row, "resource_count": 2} for row in ResourceRoleSerializer(roles, many=True).data]
    skills = manager.get(API + "skills/").json()["results"]
    assert skills == [
        {**row, "holder_count": 2}
        for row in SkillSerializer(Skill.objects.for_organization(organization).order_by("name"), many=True).data
    ]
    exceptions = manager.get(f"{API}resources/{resource.pk}/exceptions/").json()["results"]
    assert (
        exceptions
        == ResourceExceptionSerializer(ResourceException.objects.for_organization(organization), many=True).data
    )
    with CaptureQueriesContext(connection) as queries:
        rates = manager.get(f"{API}resources/{resource.pk}/rates/").json()["results"]
    assert len(queries) == 4  # membership, resource, count, page
    ordered = CostRate.objects.for_organization(organization).order_by("-effective_from")
    assert rates == CostRateSerializer(ordered, many=True).data
    assert [(rate["standard_rate"], rate["overtime_rate"], rate["currency"]) for rate in rates] == [
        ("100.00", "150.00", organization.default_currency),
        ("100.00", None, organization.default_currency),
    ]


# Writes


def test_a_resource_is_created_with_its_skills_read_changed_with_an_etag_and_deactivated(
    organization: Organization, manager: APIClient
) -> None:
    role = ResourceRoleFactory(organization=organization, kind="person")
    skill = SkillFactory(organization=organization, name="Surveying")
    person = member(organization, OrgRole.MEMBER, username="wang").user

    created = manager.post(
        API + "resources/",
        {
            "code": "P-001",
            "name": "Wang Fang",
            "role": role.pk,
            "user": person.pk,
            "skills": [{"skill": skill.pk, "level": 4}],
        },
        format="json",
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["hours_per_day"], body["max_units"], body["user"]["username"]) == ("8.00", "100.00", "wang")
    assert body["skills"] == [{"skill": skill.pk, "name": "Surveying", "level": 4}]
    url = f"{API}resources/{body['id']}/"
    tag = manager.get(url)["ETag"]
    changed = manager.patch(url, {"department": "Survey", "skills": []}, format="json", HTTP_IF_MATCH=tag)
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["department"], changed.json()["skills"], changed.json()["version"]) == ("Survey", [], 2)
    stale = manager.patch(url, {"department": "Civil"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    deactivated = manager.post(url + "deactivate/", {}, format="json")
    assert deactivated.json()["is_active"] is False
    assert manager.post(url + "reactivate/", {}, format="json").json()["is_active"] is True


def test_bad_input_gets_a_clear_error_and_changes_nothing(organization: Organization, manager: APIClient) -> None:
    ResourceFactory(organization=organization, code="P-001")

    duplicate = manager.post(API + "resources/", {"code": "p-001", "name": "Again"}, format="json")
    placeholder = manager.post(
        API + "resources/", {"code": "PH", "name": "To hire", "is_placeholder": True}, format="json"
    )
    unknown = manager.post(API + "resources/", {"code": "X", "name": "X", "rate": "3"}, format="json")
    foreign_role = manager.post(
        API + "resources/",
        {"code": "X", "name": "X", "role": ResourceRoleFactory(organization=OrganizationFactory()).pk},
        format="json",
    )

    assert duplicate.status_code == 400
    assert duplicate.json()["error"]["fields"]["code"] == ["A resource with this code already exists."]
    assert placeholder.json()["error"]["fields"]["role"] == ["A placeholder stands for a role: choose one."]
    assert unknown.json()["error"]["code"] == "unknown_field"
    assert foreign_role.status_code == 400
    assert "role" in foreign_role.json()["error"]["fields"]
    assert Resource.objects.for_organization(organization).count() == 1


def test_a_resource_on_a_task_is_not_deleted_and_a_role_in_use_answers_409(
    organization: Organization, manager: APIClient
) -> None:
    role = ResourceRoleFactory(organization=organization)
    resource = ResourceFactory(organization=organization, role=role)
    AssignmentFactory(project=ProjectFactory(organization=organization), resource=resource)
    unused = ResourceFactory(organization=organization)

    kept = manager.delete(f"{API}resources/{resource.pk}/")
    role_kept = manager.delete(f"{API}resource-roles/{role.pk}/")

    assert kept.status_code == 409
    assert kept.json()["error"]["code"] == "in_use"
    assert role_kept.status_code == 409
    assert "1 resources" in role_kept.json()["error"]["message"]
    assert manager.delete(f"{API}resources/{unused.pk}/").status_code == 204
    assert list(Resource.objects.for_organization(organization).values_list("pk", flat=True)) == [resource.pk]


def test_a_placeholder_is_replaced_through_the_api(organization: Organization, manager: APIClient) -> None:
    role = ResourceRoleFactory(organization=organization)
    placeholder = ResourceFactory(organization=organization, is_placeholder=True, role=role)
    named = ResourceFactory(organization=organization, code="N-1")
    assignment = AssignmentFactory(project=ProjectFactory(organization=organization), resource=placeholder)

    response = manager.post(f"{API}resources/{placeholder.pk}/replace/", {"resource": named.pk}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["code"] == "N-1"
    assignment.refresh_from_db()
    assert assignment.resource_id == named.pk
    assert manager.get(f"{API}resources/{placeholder.pk}/").json()["replaced_by"] == named.pk


def test_roles_and_skills_are_added_renamed_and_deleted(organization: Organization, manager: APIClient) -> None:
    role = manager.post(API + "resource-roles/", {"name": "Excavator crew", "kind": "equipment"}, format="json").json()
    skill = manager.post(API + "skills/", {"name": "焊接 Welding"}, format="json").json()

    assert (role["kind"], role["resource_count"]) == ("equipment", 0)
    renamed = manager.patch(f"{API}skills/{skill['id']}/", {"name": "Welding"}, format="json").json()
    assert renamed == {"id": skill["id"], "name": "Welding", "holder_count": 0}
    duplicate = manager.post(API + "skills/", {"name": "WELDING"}, format="json")
    assert duplicate.status_code == 400
    assert manager.delete(f"{API}resource-roles/{role['id']}/").status_code == 204
    assert manager.delete(f"{API}skills/{skill['id']}/").status_code == 204


def test_a_period_is_recorded_and_an_overlap_is_refused_naming_the_other(
    organization: Organization, manager: APIClient
) -> None:
    resource = ResourceFactory(organization=organization)
    url = f"{API}resources/{resource.pk}/exceptions/"

    added = manager.post(url, {"kind": "leave", "start": "2026-03-02", "finish": "2026-03-06"}, format="json")
    overlap = manager.post(
        url, {"kind": "part_time", "start": "2026-03-05", "finish": "2026-03-31", "hours_per_day": "4"}, format="json"
    )
    outside = manager.post(url, {"kind": "leave", "start": "2150-01-01", "finish": "2150-01-02"}, format="json")

    assert added.status_code == 201, added.json()
    assert overlap.status_code == 400
    assert overlap.json()["error"]["message"] == "The period overlaps leave from 2026-03-02 to 2026-03-06."
    assert outside.status_code == 400
    assert manager.delete(f"{url}{added.json()['id']}/").status_code == 204
    assert not ResourceException.objects.for_organization(organization).exists()


def test_settings_are_read_by_everyone_and_changed_by_the_pool_managers(
    organization: Organization, manager: APIClient, viewer: APIClient
) -> None:
    read = viewer.get(API + "resource-settings/")
    assert (read.json()["overallocation_weeks"], read.json()["timesheet_deadline_time"]) == (4, "12:00")
    assert "overallocation_threshold" not in read.json()
    assert viewer.patch(API + "resource-settings/", {"overallocation_weeks": 8}, format="json").status_code == 403

    changed = manager.patch(
        API + "resource-settings/",
        {"overallocation_weeks": 8, "timesheet_deadline_time": "09:30"},
        format="json",
        HTTP_IF_MATCH=manager.get(API + "resource-settings/")["ETag"],
    )

    assert changed.status_code == 200
    assert (changed.json()["overallocation_weeks"], changed.json()["timesheet_deadline_time"]) == (8, "09:30")
    bad = manager.patch(API + "resource-settings/", {"overallocation_weeks": 0}, format="json")
    assert bad.status_code == 400


# Rates


@pytest.mark.parametrize("role", [OrgRole.VIEWER, OrgRole.MEMBER, OrgRole.PROJECT_MANAGER])
def test_rates_answer_403_to_those_who_may_not_see_them(organization: Organization, role: str) -> None:
    resource = ResourceFactory(organization=organization)
    rate = CostRateFactory(resource=resource, standard_rate=Decimal("123.45"))
    client = client_for(member(organization, role).user)

    assert client.get(f"{API}resources/{resource.pk}/rates/").status_code == 403
    assert client.get(f"{API}resources/{resource.pk}/rates/{rate.pk}/").status_code == 403
    assert "123.45" not in client.get(f"{API}resources/{resource.pk}/").content.decode()
    assert "123.45" not in client.get(f"{API}resources/").content.decode()


def test_finance_reads_rates_but_does_not_change_them(organization: Organization) -> None:
    resource = ResourceFactory(organization=organization)
    CostRateFactory(resource=resource)
    finance = client_for(member(organization, OrgRole.FINANCE).user)
    url = f"{API}resources/{resource.pk}/rates/"

    assert finance.get(url).status_code == 200
    refused = finance.post(url, {"effective_from": "2026-05-01", "standard_rate": "120.00"}, format="json")
    assert refused.status_code == 403


def test_a_rate_is_added_a_future_one_corrected_and_one_in_force_kept(
    organization: Organization, manager: APIClient
) -> None:
    resource = ResourceFactory(organization=organization)
    url = f"{API}resources/{resource.pk}/rates/"
    today = organization.today()
    future = (today + dt.timedelta(days=10)).isoformat()

    in_force = manager.post(
        url, {"effective_from": today.isoformat(), "standard_rate": "300.00", "overtime_rate": "450.00"}, format="json"
    )
    later = manager.post(url, {"effective_from": future, "standard_rate": "320.00"}, format="json")
    again = manager.post(url, {"effective_from": future, "standard_rate": "1.00"}, format="json")

    assert (in_force.status_code, later.status_code, again.status_code) == (201, 201, 400)
    assert later.json()["currency"] == organization.default_currency
    rate_url = f"{url}{later.json()['id']}/"
    corrected = manager.patch(
        rate_url, {"standard_rate": "325.50"}, format="json", HTTP_IF_MATCH=manager.get(rate_url)["ETag"]
    )
    assert corrected.json()["standard_rate"] == "325.50"
    kept = manager.patch(f"{url}{in_force.json()['id']}/", {"standard_rate": "1.00"}, format="json")
    assert kept.status_code == 409
    assert manager.delete(f"{url}{in_force.json()['id']}/").status_code == 409
    assert manager.delete(rate_url).status_code == 204
    assert CostRate.objects.for_organization(organization).count() == 1


# Tenancy and schema


def test_another_organisations_resources_look_nonexistent(organization: Organization, manager: APIClient) -> None:
    other = OrganizationFactory()
    resource = ResourceFactory(organization=other)
    rate = CostRateFactory(resource=resource)
    exception = ResourceExceptionFactory(resource=resource)
    skill = SkillFactory(organization=other)
    role = ResourceRoleFactory(organization=other)

    for url in (
        f"resources/{resource.pk}/",
        f"resources/{resource.pk}/rates/",
        f"resources/{resource.pk}/rates/{rate.pk}/",
        f"resources/{resource.pk}/exceptions/",
        f"resources/{resource.pk}/exceptions/{exception.pk}/",
        f"skills/{skill.pk}/",
        f"resource-roles/{role.pk}/",
    ):
        assert manager.get(API + url).status_code == 404, url
    assert manager.post(f"{API}resources/{resource.pk}/deactivate/", {}, format="json").status_code == 404
    assert manager.get(f"/api/v1/orgs/{other.slug}/resources/").status_code == 404


def test_the_schema_documents_the_pool(organization: Organization, manager: APIClient) -> None:
    schema = manager.get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]

    for path in (
        "/api/v1/orgs/{org_slug}/resources/",
        "/api/v1/orgs/{org_slug}/resources/{id}/replace/",
        "/api/v1/orgs/{org_slug}/resources/{resource_id}/exceptions/",
        "/api/v1/orgs/{org_slug}/resources/{resource_id}/rates/{id}/",
        "/api/v1/orgs/{org_slug}/resource-roles/",
        "/api/v1/orgs/{org_slug}/skills/",
        "/api/v1/orgs/{org_slug}/resource-settings/",
        "/api/v1/orgs/{org_slug}/resource-import/",
    ):
        assert path in paths, path
        for operation in paths[path].values():
            if isinstance(operation, dict) and "responses" in operation:
                assert operation.get("summary"), path
    components = schema["components"]["schemas"]
    assert components["ResourceKindEnum"]["enum"] == ["person", "equipment", "material"]
    assert "skills" in components["Resource"]["properties"]
    assert "standard_rate" not in components["Resource"]["properties"]


def test_skills_of_a_page_are_read_in_one_query_whatever_their_number(
    organization: Organization, viewer: APIClient
) -> None:
    resource = ResourceFactory(organization=organization)
    for _number in range(5):
        ResourceSkillFactory(resource=resource)

    row = viewer.get(API + "resources/").json()["results"][0]

    assert len(row["skills"]) == ResourceSkill.objects.for_organization(organization).count() == 5
