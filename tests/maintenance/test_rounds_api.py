"""The rounds API: a field app reads a round, sends a batch of readings and gets the verdicts back."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from maintenance.models import AssetReading, InspectionPlan, RoundStatus, WorkOrder
from pmo.models import Organization, OrgRole
from tests.conftest import api_client_for
from tests.factories import InspectorFactory, OrganizationFactory, RoundFactory, member
from tests.maintenance.rounds_support import walk

pytestmark = pytest.mark.django_db


def rounds_url(organization: Organization, *rest: Any) -> str:
    tail = "".join(f"{part}/" for part in rest)
    return f"/api/v1/orgs/{organization.slug}/maintenance/rounds/{tail}"


def test_a_round_shows_its_stops_with_the_criteria_and_rules_to_read(organization: Organization) -> None:
    w = walk(organization, assets=2)
    body = api_client_for(w.user).get(rounds_url(organization, w.round.pk)).json()
    assert [stop["asset"] for stop in body["stops"]] == [stop.asset_id for stop in w.stops]
    criteria = body["stops"][0]["criteria"]
    assert [item["criterion"] for item in criteria] == [w.depth.pk, w.cover.pk]
    assert criteria[0]["rule"]
    assert criteria[1]["kind"] == "percentage"
    assert body["stops"][0]["surface"] == "200.00"


def test_a_batch_of_readings_answers_each_verdict_and_opens_a_work_order_for_a_breach(
    organization: Organization,
) -> None:
    w = walk(organization, assets=1)
    stop = w.stops[0]
    response = api_client_for(w.user).post(
        rounds_url(organization, w.round.pk, "readings"),
        {
            "readings": [
                {"stop": stop.pk, "criterion": w.depth.pk, "value": "23"},
                {"asset": stop.asset_id, "criterion": w.cover.pk, "value": "4", "entered_as": "area"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    verdicts = response.json()["verdicts"]
    assert [item["passed"] for item in verdicts] == [False, True]
    assert verdicts[0]["verdict"].startswith("23 mm > 20 mm")
    assert verdicts[0]["work_order_reference"].startswith("WO-")
    assert verdicts[1]["reading"]["value"] == "2.0000"
    assert WorkOrder.objects.for_organization(organization).count() == 1


def test_an_invalid_reading_answers_400_naming_it_and_stores_nothing(organization: Organization) -> None:
    w = walk(organization, assets=1)
    response = api_client_for(w.user).post(
        rounds_url(organization, w.round.pk, "readings"),
        {
            "readings": [
                {"stop": w.stops[0].pk, "criterion": w.depth.pk, "value": "5"},
                {"stop": w.stops[0].pk, "criterion": w.cover.pk, "value": "120", "entered_as": "percent"},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "reading_invalid"
    assert "readings[1].value" in response.json()["error"]["fields"]
    assert not AssetReading.objects.for_organization(organization).exists()


def test_a_round_cannot_be_completed_with_stops_to_do_then_can_once_they_are_not_reached(
    organization: Organization,
) -> None:
    w = walk(organization, assets=1)
    client = api_client_for(w.user)
    refused = client.post(rounds_url(organization, w.round.pk, "complete"))
    assert refused.json()["error"]["code"] == "stops_pending"
    skipped = client.post(
        rounds_url(organization, w.round.pk, "not-reached"),
        {"stop": w.stops[0].pk, "note": "Gate locked"},
        format="json",
    )
    assert skipped.status_code == 200
    assert skipped.json()["stops"][0]["status"] == "skipped"
    done = client.post(rounds_url(organization, w.round.pk, "complete"))
    assert done.status_code == 200
    assert done.json()["status"] == RoundStatus.COMPLETED


def test_a_named_inspector_does_only_the_rounds_given_to_them(organization: Organization) -> None:
    w = walk(organization, assets=1)
    stranger = member(organization, OrgRole.MEMBER).user
    InspectorFactory(organization=organization, user=stranger)
    w.round.inspector = w.user
    w.round.save()
    body = {"readings": [{"stop": w.stops[0].pk, "criterion": w.depth.pk, "value": "3"}]}
    refused = api_client_for(stranger).post(rounds_url(organization, w.round.pk, "readings"), body, format="json")
    assert refused.status_code == 403
    w.round.inspector = stranger
    w.round.save()
    allowed = api_client_for(stranger).post(rounds_url(organization, w.round.pk, "readings"), body, format="json")
    assert allowed.status_code == 200


def test_a_member_who_is_no_inspector_cannot_take_readings(organization: Organization) -> None:
    w = walk(organization, assets=1)
    plain = member(organization, OrgRole.MEMBER).user
    body = {"readings": [{"stop": w.stops[0].pk, "criterion": w.depth.pk, "value": "3"}]}
    response = api_client_for(plain).post(rounds_url(organization, w.round.pk, "readings"), body, format="json")
    assert response.status_code == 403


def test_another_organisations_round_is_404(organization: Organization) -> None:
    w = walk(organization, assets=1)
    other = OrganizationFactory()
    outsider = member(other, OrgRole.ADMIN).user
    response = api_client_for(outsider).get(f"/api/v1/orgs/{other.slug}/maintenance/rounds/{w.round.pk}/")
    assert response.status_code == 404


def test_the_round_list_costs_the_same_queries_for_one_and_many_rounds(
    organization: Organization, django_assert_num_queries: Any
) -> None:
    w = walk(organization, assets=2)
    client: APIClient = api_client_for(w.user)
    url = rounds_url(organization) + "?status=open&overdue=true&mine=false"
    client.get(url)
    with django_assert_num_queries(ROUND_LIST_QUERIES):
        assert client.get(url).status_code == 200
    for day in range(5):
        start = w.round.period_start.replace(day=10 + day)
        RoundFactory(organization=organization, plan=w.plan, period_start=start, period_end=start, due_date=start)
    with django_assert_num_queries(ROUND_LIST_QUERIES):
        assert len(client.get(url).json()["results"]) == 6


def test_the_plan_list_costs_the_same_queries_for_one_and_many_plans(
    organization: Organization, django_assert_num_queries: Any
) -> None:
    w = walk(organization, assets=1)
    client = api_client_for(w.user)
    url = f"/api/v1/orgs/{organization.slug}/maintenance/inspection-plans/"
    client.get(url)
    with django_assert_num_queries(PLAN_LIST_QUERIES):
        assert client.get(url).status_code == 200
    for number in range(4):
        InspectionPlan.objects.create(organization=organization, name=f"Extra {number}", starts_on=w.plan.starts_on)
    with django_assert_num_queries(PLAN_LIST_QUERIES):
        assert len(client.get(url).json()["results"]) == 5


def test_plans_are_made_and_changed_through_the_api(organization: Organization) -> None:
    w = walk(organization, assets=1)
    client = api_client_for(w.user)
    url = f"/api/v1/orgs/{organization.slug}/maintenance/inspection-plans/"
    site = w.stops[0].asset.site
    made = client.post(
        url,
        {
            "name": "Monthly kerbs",
            "frequency": "monthly",
            "starts_on": "2026-04-01",
            "sites": [site.pk],
            "inspector": w.user.pk,
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["sites"] == [site.pk]
    changed = client.patch(f"{url}{made.json()['id']}/", {"is_active": False}, format="json")
    assert changed.status_code == 200
    assert changed.json()["is_active"] is False
    assert changed.json()["sites"] == [site.pk]
    duplicate = client.post(url, {"name": "Monthly kerbs", "starts_on": "2026-04-01"}, format="json")
    assert duplicate.json()["error"]["code"] == "duplicate_name"
    assert client.delete(f"{url}{w.plan.pk}/").json()["error"]["code"] == "plan_has_rounds"


#: The membership, the count and the page of rounds (with their stops counted).
ROUND_LIST_QUERIES = 3
#: The membership, the count and page of plans, and their sites, areas, categories and criteria.
PLAN_LIST_QUERIES = 7


def test_a_round_is_cancelled_by_the_api_with_a_reason_once(organization: Organization) -> None:
    w = walk(organization, assets=1)
    api = api_client_for(w.user)
    url = rounds_url(organization, w.round.pk, "cancel")
    refused = api.post(url, {"reason": ""}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "reason_required"
    answer = api.post(url, {"reason": "Typhoon warning"}, format="json")
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["cancel_reason"]) == ("cancelled", "Typhoon warning")
    again = api.post(url, {"reason": "Again"}, format="json")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "round_closed"
    viewer = api_client_for(member(organization, OrgRole.VIEWER).user)
    assert viewer.post(url, {"reason": "x"}, format="json").status_code == 403
