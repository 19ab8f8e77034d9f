"""The resource requests API: a project's create and list, every project's list with filters, candidates,
and the lifecycle (propose, withdraw, fulfil, decline, cancel) with permissions, 409s and pinned queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo.models import Organization, OrgRole
from projects.models import ProjectRole
from resources.api.requests import REQUEST_ROWS, ResourceRequestSerializer
from resources.models import Assignment, RequestStatus, ResourceRequest
from resources.services import requests as services
from tests.conftest import api_client_for
from tests.factories import ProjectFactory, ProjectMemberFactory, ResourceFactory, member
from tests.resources.assignments_support import Site, another_project, d, make_site

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"


@pytest.fixture
def site(organization: Organization) -> Site:
    return make_site(organization)


def project_url(site: Site) -> str:
    return f"{BASE}/projects/{site.project.pk}/resource-requests/"


def url(suffix: str = "") -> str:
    return f"{BASE}/resource-requests/{suffix}"


def body(site: Site, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "task": site.excavation.pk,
        "role": site.engineer_role.pk,
        "hours": "40",
        "start": d(2).isoformat(),
        "finish": d(6).isoformat(),
    }
    values.update(fields)
    return values


def ask(site: Site, **fields: Any) -> ResourceRequest:
    values: dict[str, Any] = {
        "task": site.excavation,
        "role": site.engineer_role,
        "hours": Decimal("40"),
        "start": d(2),
        "finish": d(6),
    }
    values.update(fields)
    return services.resource_request_create(actor=site.manager, project=site.project, **values)


def test_a_project_manager_asks_and_the_request_is_numbered(site: Site) -> None:
    client = api_client_for(site.manager)

    first = client.post(project_url(site), body(site, note="Surveyor too"), format="json")
    second = client.post(project_url(site), body(site, hours="8"), format="json")

    assert first.status_code == 201, first.content
    assert (first.json()["code"], second.json()["code"]) == ("RQ-001", "RQ-002")
    assert first.json()["status"] == "open"
    assert first.json()["requested_by"]["id"] == site.manager.pk
    assert client.get(project_url(site)).json()["count"] == 2


def test_bad_requests_are_refused_and_change_nothing(site: Site) -> None:
    client = api_client_for(site.manager)

    neither = client.post(project_url(site), body(site, role=None), format="json")
    backwards = client.post(project_url(site), body(site, start=d(6).isoformat(), finish=d(2).isoformat()))
    unknown = client.post(project_url(site), {**body(site), "status": "fulfilled"}, format="json")

    assert (neither.status_code, neither.json()["error"]["code"]) == (400, "role_or_skill")
    assert backwards.status_code == 400
    assert "finish" in backwards.json()["error"]["fields"]
    assert unknown.status_code == 400
    assert not ResourceRequest.objects.for_organization(site.org).exists()


def test_only_planners_of_the_project_ask(site: Site) -> None:
    other_manager = member(site.org, OrgRole.PROJECT_MANAGER).user
    ProjectMemberFactory(project=ProjectFactory(organization=site.org), user=other_manager, role=ProjectRole.MANAGER)

    assert api_client_for(other_manager).post(project_url(site), body(site), format="json").status_code == 403
    assert api_client_for(site.viewer).post(project_url(site), body(site), format="json").status_code == 403


def test_the_resource_office_proposes_and_fulfils_and_the_task_gets_the_work(site: Site) -> None:
    asked = ask(site)
    client = api_client_for(site.office)

    candidates = client.get(url(f"{asked.pk}/candidates/")).json()
    proposed = client.post(url(f"{asked.pk}/propose/"), {"resource": site.engineer.pk}, format="json")
    fulfilled = client.post(url(f"{asked.pk}/fulfil/"), {"note": "From Monday."}, format="json")

    assert [(row["code"], row["free_hours"], row["proposed"]) for row in candidates] == [("P001", 40.0, False)]
    assert proposed.status_code == 200, proposed.content
    assert proposed.json()["status"] == "proposed"
    assert [(p["resource_code"], p["hours"]) for p in proposed.json()["proposals"]] == [("P001", "40.00")]
    assert fulfilled.status_code == 200
    assert (fulfilled.json()["status"], fulfilled.json()["decision_reason"]) == ("fulfilled", "From Monday.")
    made = Assignment.objects.for_organization(site.org).get(request=asked)
    assert (made.task_id, made.resource_id, made.work) == (site.excavation.pk, site.engineer.pk, Decimal("40.00"))


def test_withdrawing_a_proposal_opens_the_request_again(site: Site) -> None:
    asked = ask(site)
    proposal = services.resource_request_propose(actor=site.office, request=asked, resource=site.engineer)
    client = api_client_for(site.office)

    response = client.post(url(f"{asked.pk}/withdraw/"), {"proposal": proposal.pk}, format="json")
    missing = client.post(url(f"{asked.pk}/withdraw/"), {"proposal": proposal.pk}, format="json")

    assert (response.status_code, response.json()["status"], response.json()["proposals"]) == (200, "open", [])
    assert missing.status_code == 400


def test_decline_needs_a_reason_and_a_decided_request_answers_409(site: Site) -> None:
    asked = ask(site)
    client = api_client_for(site.office)

    no_reason = client.post(url(f"{asked.pk}/decline/"), {"reason": ""}, format="json")
    declined = client.post(url(f"{asked.pk}/decline/"), {"reason": "Nobody free."}, format="json")
    again = client.post(url(f"{asked.pk}/propose/"), {"resource": site.engineer.pk}, format="json")
    fulfil = client.post(url(f"{asked.pk}/fulfil/"), {}, format="json")

    assert no_reason.status_code == 400
    assert declined.json()["status"] == "declined"
    assert (again.status_code, again.json()["error"]["code"]) == (409, "invalid_state")
    assert (fulfil.status_code, fulfil.json()["error"]["code"]) == (409, "invalid_state")


def test_fulfilling_without_a_proposal_answers_409(site: Site) -> None:
    asked = ask(site)

    response = api_client_for(site.office).post(url(f"{asked.pk}/fulfil/"), {}, format="json")

    assert (response.status_code, response.json()["error"]["code"]) == (409, "no_proposal")


def test_a_project_manager_cannot_propose_fulfil_or_decline(site: Site) -> None:
    asked = ask(site)
    client = api_client_for(site.manager)

    for step, data in (("propose", {"resource": site.engineer.pk}), ("fulfil", {}), ("decline", {"reason": "x"})):
        assert client.post(url(f"{asked.pk}/{step}/"), data, format="json").status_code == 403, step
    asked.refresh_from_db()
    assert asked.status == RequestStatus.OPEN


def test_the_requester_cancels_and_a_stranger_may_not(site: Site) -> None:
    asked = ask(site)

    assert api_client_for(site.viewer).post(url(f"{asked.pk}/cancel/"), {}, format="json").status_code == 403
    response = api_client_for(site.manager).post(
        url(f"{asked.pk}/cancel/"), {"reason": "Done in house."}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_the_organisation_list_filters_and_answers_what_the_serializer_declares(site: Site) -> None:
    waiting = ask(site)
    declined = ask(site, skill=site.survey, role=None)
    services.resource_request_decline(actor=site.office, request=declined, reason="No.")
    other = ask(another_project(site, "OTH"))
    services.resource_request_propose(actor=site.office, request=other, resource=site.engineer)
    client = api_client_for(site.viewer)

    everything = client.get(url()).json()
    waiting_only = client.get(url(), {"status": "waiting"}).json()["results"]
    by_project = client.get(url(), {"project": site.project.pk}).json()["results"]
    by_skill = client.get(url(), {"skill": site.survey.pk}).json()["results"]

    assert everything["count"] == 3
    assert sorted(row["id"] for row in waiting_only) == sorted([waiting.pk, other.pk])
    assert sorted(row["id"] for row in by_project) == sorted([waiting.pk, declined.pk])
    assert [row["id"] for row in by_skill] == [declined.pk]
    rows = ResourceRequest.objects.for_organization(site.org).order_by("start", "project__code", "number")
    declared = ResourceRequestSerializer(rows, many=True).data
    assert [{k: v for k, v in row.items() if k != "proposals"} for row in everything["results"]] == [
        {k: v for k, v in row.items() if k != "proposals"} for row in declared
    ]
    assert [step.key for step in REQUEST_ROWS.steps] == list(ResourceRequestSerializer().fields)


def test_the_lists_pin_their_queries(site: Site) -> None:
    ask(site)
    client = api_client_for(site.office)
    client.get(url())
    with CaptureQueriesContext(connection) as few:
        client.get(url())
    with CaptureQueriesContext(connection) as few_project:
        client.get(project_url(site))
    for _index in range(4):
        more = ask(site)
        services.resource_request_propose(
            actor=site.office, request=more, resource=ResourceFactory(organization=site.org)
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url()).json()["count"] == 5
    with CaptureQueriesContext(connection) as many_project:
        client.get(project_url(site))

    # Membership (1), count (1), rows (1), the page's proposals (1).
    assert len(few) == 4, [query["sql"] for query in few]
    assert len(many) == len(few)
    assert len(many_project) == len(few_project)


def test_another_organisations_request_is_not_found(site: Site, other_organization: Organization) -> None:
    stranger = make_site(other_organization, project_code="RIVAL")
    theirs = services.resource_request_create(
        actor=stranger.manager,
        project=stranger.project,
        task=stranger.excavation,
        role=stranger.engineer_role,
        hours=Decimal("8"),
        start=d(2),
        finish=d(6),
    )
    client = api_client_for(site.admin)

    assert client.get(url(f"{theirs.pk}/")).status_code == 404
    assert client.post(url(f"{theirs.pk}/decline/"), {"reason": "x"}, format="json").status_code == 404
    assert client.get(f"{BASE}/projects/{stranger.project.pk}/resource-requests/").status_code == 404
    foreign_role = client.post(project_url(site), body(site, role=stranger.engineer_role.pk), format="json")
    assert foreign_role.status_code == 400
