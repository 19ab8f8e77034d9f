"""The resource request pages: asking on a project, the resource office's list of waiting requests,
proposing a candidate, fulfilling, declining with a reason, cancelling; permissions and pinned queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo.models import Organization
from resources.models import Assignment, RequestStatus, ResourceRequest
from resources.services import requests as services
from tests.conftest import page_client_for
from tests.factories import ResourceFactory
from tests.resources.assignments_support import Site, another_project, d, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(organization: Organization) -> Site:
    return make_site(organization)


def project_page(site: Site, suffix: str = "") -> str:
    return f"/o/acme/projects/{site.project.pk}/resources/requests/{suffix}"


def org_page(suffix: str = "") -> str:
    return f"/o/acme/resources/requests/{suffix}"


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


def test_a_project_manager_asks_through_the_form(site: Site) -> None:
    client = page_client_for(site.manager)
    form = client.get(project_page(site, f"new/?task={site.excavation.pk}")).content.decode()
    assert 'value="2026-03-02"' in form  # the task's dates are the default period

    response = client.post(
        project_page(site, "new/"),
        {
            "task": site.excavation.pk,
            "role": site.engineer_role.pk,
            "min_level": 1,
            "hours": "40",
            "start": "2026-03-02",
            "finish": "2026-03-06",
            "note": "Someone who knows the site",
        },
    )

    asked = ResourceRequest.objects.for_organization(site.org).get()
    assert response.status_code == 302
    assert response["Location"] == project_page(site, f"{asked.pk}/")
    assert (asked.code, asked.status, asked.requested_by) == ("RQ-001", RequestStatus.OPEN, site.manager)


def test_the_form_refuses_a_request_for_neither_role_nor_skill(site: Site) -> None:
    response = page_client_for(site.manager).post(
        project_page(site, "new/"),
        {"task": site.excavation.pk, "min_level": 1, "hours": "40", "start": "2026-03-02", "finish": "2026-03-06"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "Ask for a role or a skill." in response.content.decode()
    assert not ResourceRequest.objects.for_organization(site.org).exists()


def test_a_viewer_cannot_ask(site: Site) -> None:
    assert page_client_for(site.viewer).get(project_page(site, "new/")).status_code == 403


def test_the_resource_office_sees_the_waiting_requests_of_every_project(site: Site) -> None:
    waiting = ask(site)
    declined = ask(site, hours=Decimal("8"))
    services.resource_request_decline(actor=site.office, request=declined, reason="No.")
    elsewhere = ask(another_project(site, "OTH"))
    client = page_client_for(site.office)

    default = client.get(org_page()).content.decode()
    every = client.get(org_page(), {"status": ""}).content.decode()

    assert f'href="{org_page(f"{waiting.pk}/")}"' in default
    assert f'href="{org_page(f"{elsewhere.pk}/")}"' in default
    assert f'href="{org_page(f"{declined.pk}/")}"' not in default
    assert f'href="{org_page(f"{declined.pk}/")}"' in every


def test_the_list_pins_its_queries(site: Site) -> None:
    ask(site)
    client = page_client_for(site.office)
    client.get(org_page())
    with CaptureQueriesContext(connection) as few:
        client.get(org_page())
    for _index in range(5):
        ask(another_project(site, f"P{_index}"))
    with CaptureQueriesContext(connection) as many:
        client.get(org_page())

    assert len(many) == len(few), [query["sql"] for query in many]


def test_proposing_a_candidate_and_fulfilling_make_the_assignment(site: Site) -> None:
    asked = ask(site)
    client = page_client_for(site.office)
    detail = client.get(org_page(f"{asked.pk}/"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "P001 Li Wei" in detail
    assert "Free hours" in detail

    proposed = client.post(org_page(f"{asked.pk}/"), {"op": "propose", "resource": site.engineer.pk, "hours": "32"})
    fulfilled = client.post(org_page(f"{asked.pk}/"), {"op": "fulfil", "note": ""})

    assert (proposed.status_code, fulfilled.status_code) == (302, 302)
    asked.refresh_from_db()
    assert asked.status == RequestStatus.FULFILLED
    made = Assignment.objects.for_organization(site.org).get(request=asked)
    assert (made.resource_id, made.work, made.units) == (site.engineer.pk, Decimal("32.00"), Decimal("80.00"))


def test_only_candidates_can_be_proposed_from_the_page(site: Site) -> None:
    asked = ask(site)
    outsider = ResourceFactory(organization=site.org, code="X001")

    response = page_client_for(site.office).post(
        org_page(f"{asked.pk}/"), {"op": "propose", "resource": outsider.pk, "hours": "8"}
    )

    assert response.status_code == 400
    asked.refresh_from_db()
    assert asked.status == RequestStatus.OPEN


def test_declining_without_a_reason_keeps_the_form_and_changes_nothing(site: Site) -> None:
    asked = ask(site)
    client = page_client_for(site.office)

    refused = client.post(org_page(f"{asked.pk}/"), {"op": "decline", "reason": ""})
    declined = client.post(org_page(f"{asked.pk}/"), {"op": "decline", "reason": "Nobody before April."})

    assert (refused.status_code, declined.status_code) == (400, 302)
    asked.refresh_from_db()
    assert (asked.status, asked.decision_reason) == (RequestStatus.DECLINED, "Nobody before April.")


def test_a_project_manager_cannot_decline_but_may_cancel_their_own_request(site: Site) -> None:
    asked = ask(site)
    client = page_client_for(site.manager)
    page = client.get(project_page(site, f"{asked.pk}/")).content.decode()
    assert 'value="decline"' not in page
    assert 'value="cancel"' in page

    assert client.post(project_page(site, f"{asked.pk}/"), {"op": "decline", "reason": "x"}).status_code == 403
    assert client.post(project_page(site, f"{asked.pk}/"), {"op": "cancel", "reason": ""}).status_code == 302
    asked.refresh_from_db()
    assert asked.status == RequestStatus.CANCELLED


def test_a_viewer_may_not_cancel(site: Site) -> None:
    asked = ask(site)

    response = page_client_for(site.viewer).post(org_page(f"{asked.pk}/"), {"op": "cancel"})

    assert response.status_code == 403


def test_a_decided_request_refuses_a_step_with_a_conflict(site: Site) -> None:
    asked = ask(site)
    services.resource_request_decline(actor=site.office, request=asked, reason="No.")

    response = page_client_for(site.office).post(org_page(f"{asked.pk}/"), {"op": "fulfil"})

    assert response.status_code == 409


def test_an_empty_project_list_says_what_to_do(site: Site) -> None:
    body = page_client_for(site.manager).get(project_page(site), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "No resource requests yet." in body
    assert project_page(site, "new/") in body


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
    client = page_client_for(site.admin)

    assert client.get(org_page(f"{theirs.pk}/")).status_code == 404
    assert client.get(project_page(site, f"{theirs.pk}/")).status_code == 404
