"""The standards' API: categories and criteria (current version nested), versions read-only, actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from maintenance.models import AssetCategory, Criterion, CriterionVersion
from maintenance.standards import CATALOGUE, ensure_catalogue
from pmo.models import AuditEvent, Organization, OrgRole
from tests.conftest import api_client_for
from tests.factories import AssetCategoryFactory, CriterionFactory, member

pytestmark = pytest.mark.django_db

API = "/api/v1/orgs/acme/maintenance/"


def client_as(organization: Organization, role: str) -> APIClient:
    client = api_client_for(member(organization, role).user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def manager(organization: Organization) -> APIClient:
    return client_as(organization, OrgRole.MAINTENANCE)


def criterion_body(category: AssetCategory, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": category.pk,
        "code": "crack",
        "kind": "compound",
        "measure_en": "Crack width",
        "unit": "mm",
        "defect_when": "gte",
        "limit": "3",
        "second_measure_en": "crack spacing",
        "second_unit": "mm",
        "second_defect_when": "lte",
        "second_limit": "100",
        "priority": "P2",
    }
    body.update(fields)
    return body


def test_the_first_read_of_the_categories_brings_the_catalogue(organization, manager):
    response = manager.get(f"{API}categories/")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()["results"]}
    assert len(rows) == len(CATALOGUE)
    assert rows["asphalt-road"]["name"] == "Asphalt road"
    assert rows["asphalt-road"]["criteria_count"] == 5
    assert rows["footbridge"]["criteria_count"] == 0


def test_the_category_list_answers_in_a_fixed_number_of_queries(organization, manager, django_assert_num_queries):
    ensure_catalogue(organization)
    for number in range(5):
        AssetCategoryFactory(organization=organization, code=f"extra-{number}")
    with django_assert_num_queries(5):
        response = manager.get(f"{API}categories/")
    assert response.json()["count"] == len(CATALOGUE) + 5


def test_the_criteria_list_nests_the_current_version_in_a_fixed_number_of_queries(organization, manager):
    ensure_catalogue(organization)
    manager.get(f"{API}criteria/")
    sign = AssetCategory.objects.for_organization(organization).get(code="sign")
    with CaptureQueriesContext(connection) as few:
        manager.get(f"{API}criteria/?category={sign.pk}")
    with CaptureQueriesContext(connection) as many:
        response = manager.get(f"{API}criteria/")
    assert len(many) == len(few)
    rows = response.json()["results"]
    pothole = next(row for row in rows if row["category_code"] == "asphalt-road" and row["code"] == "pothole-depth")
    assert pothole["current_version"]["rule_text"] == "Defect when > 20 mm"
    assert pothole["current_version"]["limit"] == "20.0000"
    assert pothole["current_version"]["version"] == 1


def test_the_criteria_list_pins_its_queries(organization, manager, django_assert_num_queries):
    ensure_catalogue(organization)
    with django_assert_num_queries(6):
        response = manager.get(f"{API}criteria/?retired=false")
    assert response.status_code == 200
    assert response.json()["count"] == sum(len(spec.criteria) for spec in CATALOGUE)


def test_a_compound_criterion_is_added_and_judges_with_both_readings(organization, manager):
    category = AssetCategoryFactory(organization=organization)
    response = manager.post(f"{API}criteria/", criterion_body(category), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["current_version"]["rule_text"] == "Defect when crack width ≥ 3 mm and crack spacing ≤ 100 mm"
    assert body["current_version"]["priority"] == "P2"


def test_a_compound_criterion_without_its_second_limit_is_a_clear_400(organization, manager):
    category = AssetCategoryFactory(organization=organization)
    response = manager.post(f"{API}criteria/", criterion_body(category, second_limit=None), format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"]["second_limit"] == ["A compound criterion needs the second reading's limit."]
    assert not Criterion.objects.for_organization(organization).exists()


def test_a_percentage_limit_above_100_is_refused(organization, manager):
    category = AssetCategoryFactory(organization=organization)
    body = criterion_body(category, kind="percentage", limit="120")
    response = manager.post(f"{API}criteria/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["limit"] == ["A percentage limit is between 0 and 100."]


def test_unknown_fields_in_a_criterion_are_refused(organization, manager):
    category = AssetCategoryFactory(organization=organization)
    response = manager.post(f"{API}criteria/", criterion_body(category, builtin=True), format="json")
    assert response.status_code == 400


def test_editing_the_rule_answers_with_the_new_version_and_keeps_the_old(organization, manager):
    criterion = CriterionFactory(organization=organization)
    response = manager.patch(f"{API}criteria/{criterion.pk}/", {"limit": "25"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["current_version"]["version"] == 2
    assert response.json()["current_version"]["limit"] == "25.0000"
    versions = manager.get(f"{API}criterion-versions/?criterion={criterion.pk}").json()["results"]
    assert [(row["version"], row["is_current"], row["limit"]) for row in versions] == [
        (2, True, "25.0000"),
        (1, False, "20.0000"),
    ]


def test_versions_are_read_only(organization, manager):
    version = CriterionFactory(organization=organization).versions.get()
    assert manager.patch(f"{API}criterion-versions/{version.pk}/", {"limit": "1"}, format="json").status_code == 405
    assert manager.get(f"{API}criterion-versions/{version.pk}/").json()["rule_text"] == "Defect when > 20 mm"


def test_a_criterion_is_retired_and_restored_by_its_actions(organization, manager):
    criterion = CriterionFactory(organization=organization)
    response = manager.post(f"{API}criteria/{criterion.pk}/retire/", format="json")
    assert response.status_code == 200
    assert response.json()["is_retired"] is True
    again = manager.post(f"{API}criteria/{criterion.pk}/retire/", format="json")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid_state"
    assert manager.post(f"{API}criteria/{criterion.pk}/restore/", format="json").json()["is_retired"] is False
    assert AuditEvent.objects.for_organization(organization).filter(action="maintenance_criterion.retired").exists()


def test_an_action_refuses_a_body(organization, manager):
    category = AssetCategoryFactory(organization=organization)
    response = manager.post(f"{API}categories/{category.pk}/retire/", {"why": "x"}, format="json")
    assert response.status_code == 400
    category.refresh_from_db()
    assert category.is_active


def test_a_category_is_added_renamed_retired_and_restored(organization, manager):
    response = manager.post(f"{API}categories/", {"code": "kiosk", "name_en": "Kiosk"}, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    assert manager.patch(f"{API}categories/{pk}/", {"name_zh": "售货亭"}, format="json").json()["name_zh"] == "售货亭"
    assert manager.post(f"{API}categories/{pk}/retire/").json()["is_active"] is False
    assert manager.get(f"{API}categories/?active=false").json()["count"] == 1
    assert manager.post(f"{API}categories/{pk}/restore/").json()["is_active"] is True


def test_a_duplicate_category_code_is_a_400(organization, manager):
    ensure_catalogue(organization)
    response = manager.post(f"{API}categories/", {"code": "seat", "name_en": "Seat again"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "duplicate_code"


@pytest.mark.parametrize("role", [OrgRole.MEMBER, OrgRole.VIEWER, OrgRole.QUALITY])
def test_others_read_the_standards_but_do_not_change_them(organization, role):
    client = client_as(organization, role)
    category = AssetCategoryFactory(organization=organization)
    criterion = CriterionFactory(organization=organization, category=category)
    assert client.get(f"{API}categories/").status_code == 200
    assert client.get(f"{API}criteria/{criterion.pk}/").status_code == 200
    assert client.post(f"{API}categories/", {"code": "x", "name_en": "X"}, format="json").status_code == 403
    assert client.patch(f"{API}criteria/{criterion.pk}/", {"limit": "1"}, format="json").status_code == 403
    assert client.post(f"{API}criteria/{criterion.pk}/retire/").status_code == 403
    assert CriterionVersion.objects.for_organization(organization).filter(criterion=criterion).count() == 1


@pytest.mark.parametrize("role", [OrgRole.PMO, OrgRole.ADMIN])
def test_the_pmo_manages_the_standards(organization, role):
    client = client_as(organization, role)
    assert client.post(f"{API}categories/", {"code": "kiosk", "name_en": "Kiosk"}, format="json").status_code == 201


def test_another_organisations_standards_answer_404(organization, other_organization, manager):
    theirs = CriterionFactory(organization=other_organization)
    assert manager.get(f"{API}criteria/{theirs.pk}/").status_code == 404
    assert manager.get(f"{API}categories/{theirs.category_id}/").status_code == 404
    assert manager.get(f"{API}criterion-versions/{theirs.versions.get().pk}/").status_code == 404
    assert manager.post(f"{API}criteria/{theirs.pk}/retire/").status_code == 404
    response = manager.post(f"{API}criteria/", criterion_body(theirs.category), format="json")
    assert response.status_code == 400
    assert "category" in response.json()["error"]["fields"]
