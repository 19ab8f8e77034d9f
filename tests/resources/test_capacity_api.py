"""The utilisation API (utilisation/, utilisation/{id}/, resource-demand/) on the plan of capacity_support.

The figures are those worked by hand in test_capacity_selectors.py: Ann's week of 2 March is 46 h of
40 h (115 %, five days over), Bob's week of 9 March exactly 30 h of 30 h (100 %, not over).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from pmo.models import Organization, OrgRole, WorkingCalendar
from resources.api.capacity import DemandSerializer, ResourceUtilisationSerializer, UtilisationSerializer
from resources.models import ResourceKind
from tests.conftest import api_client_for
from tests.factories import (
    AssignmentFactory,
    OrganizationFactory,
    ResourceExceptionFactory,
    ResourceFactory,
    SkillFactory,
    member,
)
from tests.resources.capacity_support import build_plan, d, task

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"


@pytest.fixture
def plan(organization: Organization) -> dict[str, Any]:
    return build_plan(organization)


@pytest.fixture
def client(organization: Organization) -> APIClient:
    client = api_client_for(member(organization, OrgRole.VIEWER).user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def test_the_grid_gives_each_week_of_each_resource(client: APIClient, plan: dict[str, Any]) -> None:
    response = client.get(f"{BASE}/utilisation/", {"start": "2026-03-04", "weeks": 4})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["start"], body["finish"], body["count"], body["pages"]) == ("2026-03-02", "2026-03-29", 2, 1)
    assert body["weeks"] == ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"]
    ann, bob = body["results"]
    assert (ann["code"], ann["department"], ann["role_name"]) == ("R1", "Civil", "Civil engineer")
    # One value a week, in the order of weeks.
    assert ann["capacity"] == ["40.00", "40.00", "40.00", "40.00"]
    assert ann["load"][0] == "46.00"
    assert ann["utilisation"][:2] == ["115.0", "0.0"]
    assert ann["over_allocated"] == [True, False, False, False]
    assert (bob["capacity"][1], bob["load"][1], bob["utilisation"][1], bob["over_allocated"][1]) == (
        "30.00",
        "30.00",
        "100.0",
        False,
    )
    assert (bob["absence"][2], bob["utilisation"][2]) == ("16.00", "40.0")
    # The document is what its serializer (the schema) declares.
    assert UtilisationSerializer(body).data == body


def test_unknown_capacity_is_null_not_zero() -> None:
    bare = OrganizationFactory(slug="bare")
    WorkingCalendar.objects.for_organization(bare).delete()
    nobody = ResourceFactory(organization=bare, code="U1")
    client = api_client_for(member(bare, OrgRole.VIEWER).user)
    body = client.get("/api/v1/orgs/bare/utilisation/", {"start": "2026-03-02"}).json()
    row = body["results"][0]
    assert (row["capacity"][0], row["utilisation"][0], row["over_allocated"][0]) == (None, None, False)
    detail = client.get(f"/api/v1/orgs/bare/utilisation/{nobody.pk}/", {"start": "2026-03-02"}).json()
    assert detail["days"][0]["capacity"] is None


def test_filters_and_pages(client: APIClient, plan: dict[str, Any]) -> None:
    def codes(**params: Any) -> list[str]:
        response = client.get(f"{BASE}/utilisation/", {"start": "2026-03-02", **params})
        assert response.status_code == 200, response.content
        return [row["code"] for row in response.json()["results"]]

    assert codes(department="Structures") == ["R2"]
    assert codes(skill=plan["welding"].pk) == ["R2"]
    assert codes(project=plan["project_b"].pk) == ["R1"]
    assert codes(role=plan["engineer"].pk) == ["R1", "R2"]
    assert codes(kind=ResourceKind.EQUIPMENT) == []
    assert codes(page_size=1, page=2) == ["R2"]
    assert client.get(f"{BASE}/utilisation/", {"page": 3, "page_size": 1}).status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"weeks": 3}, "weeks"),
        ({"weeks": 53}, "weeks"),
        ({"weeks": "many"}, "weeks"),
        ({"start": "2026-13-01"}, "start"),
        ({"start": "9999-12-31"}, "start"),
        ({"kind": "material"}, "kind"),
        ({"page_size": 501}, "page_size"),
        ({"skill": 2**70}, "skill"),
    ],
)
def test_a_bad_query_is_refused_naming_the_parameter(
    client: APIClient, plan: dict[str, Any], params: dict[str, Any], field: str
) -> None:
    response = client.get(f"{BASE}/utilisation/", params)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_weeks_out_of_range_say_what_is_allowed(client: APIClient, plan: dict[str, Any]) -> None:
    response = client.get(f"{BASE}/utilisation/", {"weeks": 60})
    assert response.json()["error"]["fields"]["weeks"] == ["Give between 4 and 52 weeks."]
    detail = client.get(f"{BASE}/utilisation/{plan['ann'].pk}/", {"weeks": 27})
    assert detail.json()["error"]["fields"]["weeks"] == ["Give between 1 and 26 weeks."]


def test_another_organisations_skill_role_or_project_is_refused(
    client: APIClient, plan: dict[str, Any], other_organization: Organization
) -> None:
    foreign_skill = SkillFactory(organization=other_organization)
    response = client.get(f"{BASE}/utilisation/", {"skill": foreign_skill.pk})
    assert response.json()["error"]["fields"]["skill"] == ["No such skill."]
    demand = client.get(f"{BASE}/resource-demand/", {"role": 10**9})
    assert demand.json()["error"]["fields"]["role"] == ["No such role of people or equipment."]


def test_another_organisation_is_not_found(plan: dict[str, Any], other_organization: Organization) -> None:
    outsider = api_client_for(member(other_organization, OrgRole.ADMIN).user)
    assert outsider.get(f"{BASE}/utilisation/").status_code == 404
    assert outsider.get(f"{BASE}/resource-demand/").status_code == 404
    # A resource of acme asked through the other organisation.
    assert outsider.get(f"/api/v1/orgs/rival/utilisation/{plan['ann'].pk}/").status_code == 404
    assert outsider.get(f"/api/v1/orgs/rival/utilisation/{2**64}/").status_code == 404


def test_the_grid_takes_the_same_queries_for_more_resources_and_assignments(
    client: APIClient, plan: dict[str, Any]
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{BASE}/utilisation/", {"start": "2026-03-02", "weeks": 26}).status_code == 200
        return len(captured)

    few = queries()
    for number in range(6):
        resource = ResourceFactory(organization=plan["ann"].organization, code=f"Z{number}")
        ResourceExceptionFactory(resource=resource, start=d(3), finish=d(4))
        for day in (2, 9, 16):
            AssignmentFactory(
                project=plan["project_a"], task=task(plan["project_a"], d(day), d(day + 4)), resource=resource
            )
    # Access (the membership with its organisation), then the count, the page, the exceptions, the calendars and
    # theirs, the assignments.
    assert queries() == few == 7


def test_one_resource_by_day_and_week(client: APIClient, plan: dict[str, Any]) -> None:
    response = client.get(f"{BASE}/utilisation/{plan['ann'].pk}/", {"start": "2026-03-02", "weeks": 1})
    assert response.status_code == 200, response.content
    body = response.json()
    a, b = plan["project_a"].pk, plan["project_b"].pk
    assert [project["code"] for project in body["projects"]] == ["A", "B"]
    assert body["weeks"][0]["by_project"] == [{"project": a, "hours": "16.00"}, {"project": b, "hours": "30.00"}]
    wednesday = body["days"][2]
    assert (wednesday["date"], wednesday["capacity"], wednesday["load"], wednesday["over_allocated"]) == (
        "2026-03-04",
        "0.00",
        "5.00",
        True,
    )
    assert wednesday["utilisation"] is None  # no capacity: no percentage, yet over-allocated
    assert len(body["days"]) == 7
    assert ResourceUtilisationSerializer(body).data == body


def test_a_material_has_no_capacity(client: APIClient, plan: dict[str, Any]) -> None:
    gravel = ResourceFactory(organization=plan["ann"].organization, code="M1", kind=ResourceKind.MATERIAL, unit="t")
    AssignmentFactory(
        project=plan["project_a"],
        task=task(plan["project_a"], d(2), d(3)),
        resource=gravel,
        mode="work",
        work=12,
        units=0,
    )
    body = client.get(f"{BASE}/utilisation/{gravel.pk}/", {"start": "2026-03-02", "weeks": 1}).json()
    assert [(day["capacity"], day["load"]) for day in body["days"][:2]] == [(None, "6.00"), (None, "6.00")]


def test_demand_by_role(client: APIClient, plan: dict[str, Any]) -> None:
    response = client.get(f"{BASE}/resource-demand/", {"start": "2026-03-02", "weeks": 4})
    assert response.status_code == 200, response.content
    body = response.json()
    (engineers,) = body["roles"]
    first = engineers["weeks"][0]
    assert (first["capacity"], first["demand"], first["gap"], engineers["named"]) == ("80.00", "46.00", "34.00", 2)
    assert DemandSerializer(body).data == body
    assert client.get(f"{BASE}/resource-demand/", {"weeks": 2}).status_code == 400
