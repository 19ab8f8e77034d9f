"""The risk register over the API: raise, assess, review, close, history, filters, owners, settings, tenancy."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from pmo.models import Organization, OrgRole
from risks.api.serializers import RiskSerializer
from risks.models import Risk, RiskAssessment
from risks.services.settings import risk_categories
from tests.conftest import api_client_for
from tests.factories import ProjectFactory, ProjectMemberFactory, RiskFactory, WbsElementFactory, member

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"


@pytest.fixture
def project(organization: Organization):
    return ProjectFactory(organization=organization, code="P-1")


@pytest.fixture
def risk_client(organization: Organization) -> APIClient:
    return api_client_for(member(organization, OrgRole.RISK, username="rita").user)


def url(project, suffix: str = "") -> str:
    return f"{BASE}/projects/{project.pk}/risks/{suffix}"


def raise_one(client: APIClient, project, **fields) -> dict:
    category = risk_categories(project.organization)[2]
    body = {"title": "Steel price rise", "category": category.pk, **fields}
    response = client.post(url(project), body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_risk_manager_raises_assesses_reviews_and_closes_a_risk(risk_client: APIClient, project) -> None:
    element = WbsElementFactory(project=project)
    raised = raise_one(risk_client, project, cause="Tariffs", wbs_elements=[element.pk])
    assert (raised["code"], raised["status"], raised["category_code"], raised["wbs_elements"]) == (
        "R-001",
        "identified",
        "cost",
        [element.pk],
    )

    assessed = risk_client.post(
        url(project, f"{raised['id']}/assess/"),
        {
            "probability": 4,
            "impact_cost": 4,
            "impact_schedule": 2,
            "cost": {"min": "100000", "likely": "160000", "max": "340000"},
            "days": {"min": 0, "likely": 5, "max": 20},
        },
        format="json",
    )
    assert assessed.status_code == 200, assessed.json()
    body = assessed.json()
    # 4 x 4 = 16, high; band 4 is 70 %: EMV 0.7 x 180 000 = 126 000.
    assert (body["score"], body["level"], body["probability_percent"], body["emv"]) == (
        16,
        "high",
        "70.00",
        "126000.00",
    )
    assert (body["inherent_score"], body["status"]) == (16, "assessed")

    reassessed = risk_client.post(
        url(project, f"{raised['id']}/assess/"), {"probability": 2, "impact_cost": 4}, format="json"
    )
    assert reassessed.status_code == 400
    assert reassessed.json()["error"]["code"] == "reason_required"

    reviewed = risk_client.post(url(project, f"{raised['id']}/review/"), {"note": "Unchanged"}, format="json")
    assert reviewed.status_code == 200

    closed = risk_client.post(url(project, f"{raised['id']}/status/"), {"status": "closed"}, format="json")
    assert closed.status_code == 400
    closed = risk_client.post(
        url(project, f"{raised['id']}/status/"), {"status": "closed", "reason": "Prices fixed"}, format="json"
    )
    assert closed.json()["status"] == "closed"

    history = risk_client.get(url(project, f"{raised['id']}/history/")).json()
    assert [entry["kind"] for entry in history] == ["status", "reviewed", "assessed", "raised"]


def test_bad_input_is_refused_with_the_field_named_and_nothing_changes(risk_client: APIClient, project) -> None:
    raised = raise_one(risk_client, project)
    for body in (
        {"probability": 0, "impact_cost": 3},
        {"probability": 3},
        {"probability": 3, "impact_cost": 3, "cost": {"min": "9", "likely": "5", "max": "10"}},
        {"probability": 3, "impact_cost": 3, "surprise": 1},
        {"probability": "x", "impact_cost": 3},
    ):
        response = risk_client.post(url(project, f"{raised['id']}/assess/"), body, format="json")
        assert response.status_code == 400, body
        assert response.json()["error"]["fields"], body
    assert risk_client.get(url(project, f"{raised['id']}/")).json()["status"] == "identified"
    foreign = WbsElementFactory()
    response = risk_client.post(
        url(project), {"title": "x", "category": raised["category"], "wbs_elements": [foreign.pk]}, format="json"
    )
    assert response.status_code == 400
    assert Risk.objects.for_organization(project.organization).count() == 1


def test_the_owner_assesses_their_own_risk_but_not_anothers(organization: Organization, project) -> None:
    owner = member(organization, OrgRole.MEMBER, username="owen").user
    ProjectMemberFactory(project=project, user=owner, role="member")
    mine = RiskFactory(project=project, owner=owner)
    theirs = RiskFactory(project=project)
    client = api_client_for(owner)
    assert (
        client.post(url(project, f"{mine.pk}/assess/"), {"probability": 2, "impact_cost": 2}, format="json").status_code
        == 200
    )
    assert (
        client.post(
            url(project, f"{theirs.pk}/assess/"), {"probability": 2, "impact_cost": 2}, format="json"
        ).status_code
        == 403
    )
    assert client.patch(url(project, f"{mine.pk}/"), {"owner": None}, format="json").status_code == 403
    assert client.post(url(project), {"title": "x", "category": mine.category_id}, format="json").status_code == 403


def test_a_viewer_reads_but_cannot_write(organization: Organization, project) -> None:
    client = api_client_for(member(organization, OrgRole.VIEWER).user)
    risk = RiskFactory(project=project)
    assert client.get(url(project)).status_code == 200
    assert (
        client.post(url(project, f"{risk.pk}/assess/"), {"probability": 2, "impact_cost": 2}, format="json").status_code
        == 403
    )
    assert client.get(f"{BASE}/risk-settings/").status_code == 200
    assert client.patch(f"{BASE}/risk-settings/", {"appetite": 9}, format="json").status_code == 403


def test_another_organisations_risks_answer_not_found(risk_client: APIClient, project, other_organization) -> None:
    foreign = RiskFactory(project=ProjectFactory(organization=other_organization))
    assert risk_client.get(url(foreign.project, f"{foreign.pk}/")).status_code == 404
    assert risk_client.get(url(project, f"{foreign.pk}/")).status_code == 404
    assert risk_client.get(f"{BASE}/risks/{foreign.pk}/").status_code == 404
    assert risk_client.post(url(project, f"{foreign.pk}/assess/"), {"probability": 1}, format="json").status_code == 404


def test_the_list_answers_what_the_serializer_declares_in_a_fixed_number_of_queries(
    risk_client: APIClient, project, django_assert_num_queries
) -> None:
    owner = member(project.organization, OrgRole.RISK).user
    RiskFactory.create_batch(2, project=project, owner=owner)
    risk_client.get(url(project))
    # The membership with the project and its role, the count, the page.
    with django_assert_num_queries(3):
        body = risk_client.get(url(project)).json()
    RiskFactory.create_batch(5, project=project)
    with django_assert_num_queries(3):
        risk_client.get(url(project))
    rows = Risk.objects.for_organization(project.organization).filter(project=project).order_by("number")[:2]
    assert body["results"] == RiskSerializer(rows, many=True).data


def test_the_register_filters_by_level_status_overdue_and_heat_map_cell(risk_client: APIClient, project) -> None:
    first = raise_one(risk_client, project)
    raise_one(risk_client, project, title="Typhoon")
    risk_client.post(url(project, f"{first['id']}/assess/"), {"probability": 5, "impact_safety": 4}, format="json")
    assert [r["code"] for r in risk_client.get(url(project), {"level": "high"}).json()["results"]] == ["R-001"]
    assert [r["code"] for r in risk_client.get(url(project), {"status": "identified"}).json()["results"]] == ["R-002"]
    cell = risk_client.get(url(project), {"probability": 5, "impact": 4, "basis": "inherent"}).json()["results"]
    assert [r["code"] for r in cell] == ["R-001"]
    assert risk_client.get(url(project), {"review_overdue": "true"}).json()["results"] == []
    Risk.objects.for_organization(project.organization).filter(pk=first["id"]).update(next_review="2020-01-01")
    assert [r["code"] for r in risk_client.get(url(project), {"review_overdue": "true"}).json()["results"]] == ["R-001"]
    assert risk_client.get(url(project), {"level": "enormous"}).status_code == 400


def test_organisation_risks_are_raised_at_the_top_and_the_register_shows_every_projects(
    risk_client: APIClient, project
) -> None:
    category = risk_categories(project.organization)[0]
    created = risk_client.post(f"{BASE}/risks/", {"title": "Exchange rate", "category": category.pk}, format="json")
    assert created.status_code == 201
    assert (created.json()["project"], created.json()["code"]) == (None, "R-001")
    raise_one(risk_client, project)
    everything = risk_client.get(f"{BASE}/risks/").json()["results"]
    assert sorted((row["project_code"] or "", row["code"]) for row in everything) == [("", "R-001"), ("P-1", "R-001")]
    own = risk_client.get(f"{BASE}/risks/", {"scope": "organization"}).json()["results"]
    assert [row["title"] for row in own] == ["Exchange rate"]
    project_risk = Risk.objects.for_organization(project.organization).get(project=project)
    # A project's risk reached from the organisation's register counts the user's role on its project.
    manager = member(project.organization, OrgRole.PROJECT_MANAGER).user
    outsider = member(project.organization, OrgRole.PROJECT_MANAGER).user
    ProjectMemberFactory(project=project, user=manager, role="manager")
    body = {"probability": 1, "impact_cost": 1}
    assert (
        api_client_for(outsider).post(f"{BASE}/risks/{project_risk.pk}/assess/", body, format="json").status_code == 403
    )
    assert (
        api_client_for(manager).post(f"{BASE}/risks/{project_risk.pk}/assess/", body, format="json").status_code == 200
    )


def test_settings_change_the_matrix_and_rederive_open_risks(risk_client: APIClient, project) -> None:
    raised = raise_one(risk_client, project)
    risk_client.post(url(project, f"{raised['id']}/assess/"), {"probability": 2, "impact_cost": 3}, format="json")
    settings = risk_client.get(f"{BASE}/risk-settings/")
    matrix = settings.json()["matrix"]
    assert matrix[1][2] == "medium"
    matrix[1][2] = "high"
    matrix[1][3] = "high"
    matrix[1][4] = "high"
    for row in matrix[2:]:
        row[2:] = ["high", "high", "high"]
    changed = risk_client.patch(
        f"{BASE}/risk-settings/", {"matrix": matrix}, format="json", HTTP_IF_MATCH=settings["ETag"]
    )
    assert changed.status_code == 200, changed.json()
    assert risk_client.get(url(project, f"{raised['id']}/")).json()["level"] == "high"
    stale = risk_client.patch(f"{BASE}/risk-settings/", {"appetite": 5}, format="json", HTTP_IF_MATCH=settings["ETag"])
    assert stale.status_code == 412
    bad = [["low"] * 5] * 4
    assert risk_client.patch(f"{BASE}/risk-settings/", {"matrix": bad}, format="json").status_code == 400


def test_categories_list_the_bilingual_defaults_in_the_readers_language(risk_client: APIClient) -> None:
    body = risk_client.get(f"{BASE}/risk-categories/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [row["code"] for row in body][:3] == ["technical", "schedule", "cost"]
    assert body[0]["name_zh"] == "技术"
    created = risk_client.post(f"{BASE}/risk-categories/", {"code": "permits", "name_en": "Permits"}, format="json")
    assert created.status_code == 201
    assert risk_client.post(f"{BASE}/risk-categories/", {"code": "permits2"}, format="json").status_code == 400


def test_history_keeps_who_when_why_and_old_to_new(risk_client: APIClient, project) -> None:
    raised = raise_one(risk_client, project)
    risk_client.post(url(project, f"{raised['id']}/assess/"), {"probability": 3, "impact_cost": 3}, format="json")
    risk_client.post(
        url(project, f"{raised['id']}/assess/"),
        {"probability": 1, "impact_cost": 3, "reason": "Supplier hedged"},
        format="json",
    )
    latest = RiskAssessment.objects.for_organization(project.organization).filter(risk_id=raised["id"]).first()
    assert (latest.reason, latest.changes["score"], latest.actor.username) == ("Supplier hedged", [9, 3], "rita")
    assert latest.emv == Decimal("0.00")


def test_a_reassessment_that_leaves_out_the_three_points_keeps_them(risk_client: APIClient, project) -> None:
    raised = raise_one(risk_client, project)
    first = {"probability": 3, "impact_cost": 3, "cost": {"min": "60000", "likely": "90000", "max": "120000"}}
    first["days"] = {"min": 2, "likely": 5, "max": 9}
    risk_client.post(url(project, f"{raised['id']}/assess/"), first, format="json")
    again = risk_client.post(
        url(project, f"{raised['id']}/assess/"),
        {"probability": 2, "impact_cost": 3, "reason": "Owner update"},
        format="json",
    ).json()
    assert (again["cost_likely"], again["days_max"], again["emv"]) == ("90000.00", 9, "27000.00")
