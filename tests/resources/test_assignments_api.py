"""The assignments API: a project's list, create, change and delete; every project's list with filters;
bottom-up costing and re-costing; estimates only for those who may see rates; 404 across organisations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo.models import Organization, OrgRole
from projects.models import ProjectRole
from resources.api.assignments import ASSIGNMENT_ROWS, AssignmentSerializer
from resources.models import Assignment
from resources.services.assignments import assignment_create
from tests.conftest import api_client_for
from tests.factories import ProjectFactory, ProjectMemberFactory, ResourceFactory, WbsElementFactory, member
from tests.resources.assignments_support import Site, another_project, d, make_site

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"


@pytest.fixture
def site(organization: Organization) -> Site:
    return make_site(organization)


def url(site: Site, suffix: str = "") -> str:
    return f"{BASE}/projects/{site.project.pk}/assignments/{suffix}"


def assign(site: Site, **fields: Any) -> Assignment:
    fields.setdefault("task", site.excavation)
    fields.setdefault("resource", site.engineer)
    return assignment_create(actor=site.manager, project=site.project, **fields)


def test_a_project_manager_assigns_on_their_project_and_sees_no_rates(site: Site) -> None:
    client = api_client_for(site.manager)

    response = client.post(
        url(site), {"task": site.excavation.pk, "resource": site.engineer.pk, "work": "40"}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["mode"], body["units"], body["work"]) == ("work", "100.00", "40.00")
    assert (body["task_code"], body["resource_code"]) == ("1.1", "P001")
    # A project manager may not see rates: the estimate is null for them.
    assert (body["cost_estimate"], body["cost_complete"]) == (None, None)


def test_the_resource_office_sees_the_estimate_across_the_rate_change(site: Site) -> None:
    assign(site, work=Decimal("40"))
    client = api_client_for(site.office)

    rows = client.get(url(site)).json()["results"]

    # 3 * 8 * 100 + 2 * 8 * 120 = 4,320.00.
    assert [(row["resource_code"], row["cost_estimate"], row["cost_complete"]) for row in rows] == [
        ("P001", "4320.00", True)
    ]


def test_the_list_answers_what_the_serializer_declares_and_pins_its_queries(site: Site) -> None:
    assign(site, work=Decimal("40"))
    assign(site, resource=site.excavator, units=Decimal("50"))
    assign(site, task=site.backfill, resource=site.concrete, work=Decimal("12.5"))
    client = api_client_for(site.office)
    client.get(url(site))  # warm the session's caches

    with CaptureQueriesContext(connection) as queries:
        body = client.get(url(site)).json()
    for _index in range(5):
        extra = WbsElementFactory(project=site.project, code=f"9.{_index}")
        assign(site, task=extra, resource=ResourceFactory(organization=site.org), units=Decimal("10"))
    with CaptureQueriesContext(connection) as more:
        more_body = client.get(url(site)).json()

    # Access (1), count (1), rows (1), calendars (2), rates (1), whatever the number of rows.
    assert len(queries) == 6, [query["sql"] for query in queries]
    assert len(more) == len(queries)
    assert (body["count"], more_body["count"]) == (3, 8)
    rows = Assignment.objects.for_organization(site.org).filter(project=site.project)
    declared = AssignmentSerializer(rows, many=True).data
    by_id = {row["id"]: row for row in more_body["results"]}
    for row in declared:
        built = by_id[row["id"]]
        assert {key: built[key] for key in row if not key.startswith("cost_")} == {
            key: value for key, value in row.items() if not key.startswith("cost_")
        }
    assert [step.key for step in ASSIGNMENT_ROWS.steps] == list(AssignmentSerializer().fields)


def test_the_list_filters_by_task_and_resource(site: Site) -> None:
    assign(site, work=Decimal("40"))
    assign(site, resource=site.excavator, units=Decimal("50"))
    assign(site, task=site.backfill, units=Decimal("100"))
    client = api_client_for(site.viewer)

    by_task = client.get(url(site), {"task": site.backfill.pk}).json()["results"]
    by_resource = client.get(url(site), {"resource": site.engineer.pk}).json()["results"]

    assert [row["task_code"] for row in by_task] == ["1.2"]
    assert [row["task_code"] for row in by_resource] == ["1.1", "1.2"]


def test_a_project_manager_of_another_project_cannot_assign(site: Site) -> None:
    other = ProjectFactory(organization=site.org)
    other_manager = member(site.org, OrgRole.PROJECT_MANAGER).user
    ProjectMemberFactory(project=other, user=other_manager, role=ProjectRole.MANAGER)
    client = api_client_for(other_manager)

    response = client.post(
        url(site), {"task": site.excavation.pk, "resource": site.engineer.pk, "work": "40"}, format="json"
    )

    assert response.status_code == 403
    assert not Assignment.objects.for_organization(site.org).exists()
    assert client.get(url(site)).status_code == 200  # reading is for everyone


def test_a_viewer_cannot_assign(site: Site) -> None:
    response = api_client_for(site.viewer).post(
        url(site), {"task": site.excavation.pk, "resource": site.engineer.pk, "work": "40"}, format="json"
    )

    assert response.status_code == 403


def test_bad_input_gets_a_clear_error_and_changes_nothing(site: Site) -> None:
    client = api_client_for(site.manager)

    both = client.post(
        url(site), {"task": site.excavation.pk, "resource": site.engineer.pk, "work": "40", "units": "50"}
    )
    summary = client.post(url(site), {"task": site.earthworks.pk, "resource": site.engineer.pk, "work": "40"})
    stranger = client.post(
        url(site),
        {
            "task": WbsElementFactory(project=ProjectFactory(organization=site.org)).pk,
            "resource": site.engineer.pk,
            "work": "4",
        },
    )

    assert (both.status_code, both.json()["error"]["code"]) == (400, "units_and_work")
    assert (summary.status_code, summary.json()["error"]["code"]) == (400, "not_a_task")
    assert stranger.status_code == 400
    assert "task" in stranger.json()["error"]["fields"]
    assert not Assignment.objects.for_organization(site.org).exists()


def test_change_and_delete_re_cost_the_task_with_bottom_up_costing(site: Site) -> None:
    client = api_client_for(site.manager)
    toggled = client.patch(f"{BASE}/projects/{site.project.pk}/resourcing/", {"bottom_up_costing": True}, format="json")
    assert toggled.status_code == 200
    assert toggled.json()["bottom_up_costing"] is True
    created = client.post(url(site), {"task": site.excavation.pk, "resource": site.engineer.pk, "work": "40"}).json()

    changed = client.patch(url(site, f"{created['id']}/"), {"work": "30", "version": 1}, format="json")
    site.refresh()
    assert changed.status_code == 200
    assert changed.json()["version"] == 2
    assert site.excavation.budgeted_cost == Decimal("3240.00")  # 6 h a day: 6 * 540

    stale = client.patch(url(site, f"{created['id']}/"), {"work": "8", "version": 1}, format="json")
    assert (stale.status_code, stale.json()["error"]["code"]) == (412, "precondition_failed")

    assert client.delete(url(site, f"{created['id']}/")).status_code == 204
    site.refresh()
    assert site.excavation.budgeted_cost == Decimal("0.00")


def test_re_cost_now_answers_the_changed_tasks(site: Site) -> None:
    client = api_client_for(site.manager)
    client.patch(f"{BASE}/projects/{site.project.pk}/resourcing/", {"bottom_up_costing": True}, format="json")
    assign(site, work=Decimal("40"))
    site.excavation.budgeted_cost = Decimal("1.00")  # as if entered by hand since
    site.excavation.save()

    response = client.post(f"{BASE}/projects/{site.project.pk}/resourcing/recost/", {}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "bottom_up_costing": True,
        "changed": [{"task": site.excavation.pk, "budgeted_cost": "4320.00"}],
    }


def test_the_organisation_list_filters_by_resource_project_and_period(site: Site) -> None:
    assign(site, work=Decimal("40"))  # excavation: 2 to 6 March
    assign(site, task=site.backfill, units=Decimal("100"))  # backfill: 9 to 11 March
    other = another_project(site, "OTH")
    assignment_create(
        actor=other.admin, project=other.project, task=other.excavation, resource=site.engineer, work=Decimal("8")
    )
    client = api_client_for(site.viewer)
    everything = f"{BASE}/assignments/"

    assert client.get(everything).json()["count"] == 3
    assert client.get(everything, {"project": site.project.pk}).json()["count"] == 2
    assert client.get(everything, {"resource": site.engineer.pk}).json()["count"] == 3
    late = client.get(everything, {"project": site.project.pk, "start": d(9).isoformat()}).json()["results"]
    assert [row["task_code"] for row in late] == ["1.2"]
    early = client.get(everything, {"project": site.project.pk, "finish": d(6).isoformat()}).json()["results"]
    assert [row["task_code"] for row in early] == ["1.1"]


def test_the_organisation_list_pins_its_queries(site: Site) -> None:
    assign(site, work=Decimal("40"))
    client = api_client_for(site.office)
    client.get(f"{BASE}/assignments/")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{BASE}/assignments/")
    other = another_project(site, "OTH")
    for task in (other.excavation, other.backfill):
        assignment_create(
            actor=other.admin, project=other.project, task=task, resource=site.engineer, work=Decimal("8")
        )
    with CaptureQueriesContext(connection) as more:
        body = client.get(f"{BASE}/assignments/").json()

    # Membership (1), count (1), rows (1), calendars (2), rates (1).
    assert len(queries) == 6, [query["sql"] for query in queries]
    assert len(more) == len(queries)
    assert body["count"] == 3


def test_another_organisations_assignment_is_not_found(site: Site, other_organization: Organization) -> None:
    stranger = make_site(other_organization, project_code="RIVAL")
    theirs = assignment_create(
        actor=stranger.manager,
        project=stranger.project,
        task=stranger.excavation,
        resource=stranger.engineer,
        work=Decimal("8"),
    )
    client = api_client_for(site.admin)

    assert client.get(f"{BASE}/projects/{stranger.project.pk}/assignments/").status_code == 404
    assert client.get(url(site, f"{theirs.pk}/")).status_code == 404
    assert client.delete(url(site, f"{theirs.pk}/")).status_code == 404
    foreign_resource = client.post(
        url(site), {"task": site.excavation.pk, "resource": stranger.engineer.pk, "work": "8"}, format="json"
    )
    assert foreign_resource.status_code == 400
    assert "resource" in foreign_resource.json()["error"]["fields"]


def test_an_assignment_has_an_etag_and_refuses_a_stale_if_match(site: Site) -> None:
    assignment = assign(site, work=Decimal("40"))
    client = api_client_for(site.manager)
    tag = client.get(url(site, f"{assignment.pk}/"))["ETag"]
    assert (
        client.patch(url(site, f"{assignment.pk}/"), {"note": "lead"}, format="json", HTTP_IF_MATCH=tag).status_code
        == 200
    )

    stale = client.patch(url(site, f"{assignment.pk}/"), {"note": "again"}, format="json", HTTP_IF_MATCH=tag)

    assert stale.status_code == 412
