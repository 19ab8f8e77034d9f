"""The standards pages: categories, a category with its criteria, a criterion with its versions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maintenance.models import AssetCategory, Criterion, CriterionVersion
from maintenance.standards import CATALOGUE, ensure_catalogue
from pmo.models import AuditEvent, Organization, OrgRole
from tests.conftest import page_client_for
from tests.factories import AssetCategoryFactory, CriterionFactory, member

pytestmark = pytest.mark.django_db


def client_as(organization: Organization, role: str, language: str = "en") -> Client:
    client = page_client_for(member(organization, role).user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def manager(organization: Organization) -> Client:
    return client_as(organization, OrgRole.MAINTENANCE)


def url(name: str, organization: Organization, *args: object) -> str:
    return reverse(name, args=[organization.slug, *args])


def criterion_post(**fields: str) -> dict[str, str]:
    data = {
        "op": "edit",
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
    data.update(fields)
    return data


def test_the_list_brings_the_catalogue_and_pins_its_queries(organization, manager, django_assert_max_num_queries):
    response = manager.get(url("org-maintenance-standards", organization))
    assert response.status_code == 200
    assert "Asphalt road" in response.content.decode()
    assert AssetCategory.objects.for_organization(organization).count() == len(CATALOGUE)
    for number in range(10):
        AssetCategoryFactory(organization=organization, code=f"more-{number}")
    with django_assert_max_num_queries(14) as captured:
        manager.get(url("org-maintenance-standards", organization))
    first = len(captured.captured_queries)
    for number in range(10, 15):
        AssetCategoryFactory(organization=organization, code=f"more-{number}")
    with django_assert_max_num_queries(first):
        response = manager.get(url("org-maintenance-standards", organization) + "?page=2")
    assert response.status_code == 200


def test_the_list_reads_in_chinese(organization):
    client = client_as(organization, OrgRole.VIEWER, "zh-hans")
    body = client.get(url("org-maintenance-standards", organization)).content.decode()
    assert "沥青混凝土路面" in body
    assert "古树名木" in body


def test_a_category_shows_its_criteria_with_their_rules_in_fixed_queries(organization, manager):
    ensure_catalogue(organization)
    road = AssetCategory.objects.for_organization(organization).get(code="asphalt-road")
    with CaptureQueriesContext(connection) as few:
        response = manager.get(url("org-maintenance-standards-category", organization, road.pk))
    body = response.content.decode()
    assert "Defect when &gt; 20 mm" in body
    assert "Defect when alligator cracking: crack width ≥ 3 mm and crack spacing ≤ 100 mm" in body
    for number in range(6):
        CriterionFactory(organization=organization, category=road, code=f"more-{number}")
    with CaptureQueriesContext(connection) as many:
        manager.get(url("org-maintenance-standards-category", organization, road.pk))
    assert len(many) == len(few)


def test_a_manager_adds_a_category_and_lands_on_it(organization, manager):
    response = manager.post(url("org-maintenance-standards", organization), {"code": "kiosk", "name_en": "Kiosk"})
    category = AssetCategory.objects.for_organization(organization).get(code="kiosk")
    assert response.status_code == 302
    assert response["Location"] == url("org-maintenance-standards-category", organization, category.pk)


def test_a_bad_category_shows_the_error_beside_the_field(organization, manager):
    ensure_catalogue(organization)
    response = manager.post(url("org-maintenance-standards", organization), {"code": "seat", "name_en": "Seat"})
    assert response.status_code == 400
    assert "A category with this code already exists." in response.content.decode()


def test_a_manager_adds_a_compound_criterion(organization, manager):
    category = AssetCategoryFactory(organization=organization)
    response = manager.post(
        url("org-maintenance-standards-criterion-create", organization, category.pk), criterion_post()
    )
    criterion = Criterion.objects.for_organization(organization).get(category=category, code="crack")
    assert response.status_code == 302
    assert response["Location"] == url("org-maintenance-standards-criterion", organization, criterion.pk)


def test_a_compound_criterion_without_its_second_limit_is_refused_on_the_page(organization, manager):
    category = AssetCategoryFactory(organization=organization)
    response = manager.post(
        url("org-maintenance-standards-criterion-create", organization, category.pk), criterion_post(second_limit="")
    )
    assert response.status_code == 400
    assert "A compound criterion needs the second reading&#x27;s limit." in response.content.decode()
    assert not Criterion.objects.for_organization(organization).exists()


def test_editing_the_rule_on_the_page_makes_a_new_version_shown_in_the_history(organization, manager):
    criterion = CriterionFactory(organization=organization)
    page = url("org-maintenance-standards-criterion", organization, criterion.pk)
    data = criterion_post(code=criterion.code, kind="numeric", measure_en="Pothole depth", defect_when="gt", limit="25")
    response = manager.post(page, data, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "saved as version 2" in body
    assert "Defect when &gt; 25 mm" in body
    assert "Defect when &gt; 20 mm" in body
    versions = CriterionVersion.objects.for_organization(organization).filter(criterion=criterion)
    assert sorted(versions.values_list("version", "is_current", "limit")) == [
        (1, False, Decimal("20.0000")),
        (2, True, Decimal("25.0000")),
    ]


def test_a_criterion_is_retired_and_restored_on_its_page(organization, manager):
    criterion = CriterionFactory(organization=organization)
    page = url("org-maintenance-standards-criterion", organization, criterion.pk)
    assert manager.post(page, {"op": "retire"}).status_code == 302
    criterion.refresh_from_db()
    assert criterion.is_retired
    assert manager.post(page, {"op": "restore"}).status_code == 302
    criterion.refresh_from_db()
    assert not criterion.is_retired
    assert AuditEvent.objects.for_organization(organization).filter(action="maintenance_criterion.restored").exists()


def test_a_category_is_retired_on_its_page(organization, manager):
    category = AssetCategoryFactory(organization=organization)
    page = url("org-maintenance-standards-category", organization, category.pk)
    assert manager.post(page, {"op": "retire"}).status_code == 302
    category.refresh_from_db()
    assert not category.is_active
    assert "Put the category back in use" in manager.get(page).content.decode()


@pytest.mark.parametrize("role", [OrgRole.PMO, OrgRole.ADMIN])
def test_the_pmo_manages_the_standards_on_the_pages(organization, role):
    client = client_as(organization, role)
    response = client.post(url("org-maintenance-standards", organization), {"code": "kiosk", "name_en": "Kiosk"})
    assert response.status_code == 302


@pytest.mark.parametrize("role", [OrgRole.VIEWER, OrgRole.MEMBER, OrgRole.FINANCE])
def test_others_read_the_pages_without_forms_and_cannot_post(organization, role):
    client = client_as(organization, role)
    criterion = CriterionFactory(organization=organization)
    category_page = url("org-maintenance-standards-category", organization, criterion.category_id)
    criterion_page = url("org-maintenance-standards-criterion", organization, criterion.pk)
    for page in (url("org-maintenance-standards", organization), category_page, criterion_page):
        response = client.get(page)
        assert response.status_code == 200
        assert 'name="op"' not in response.content.decode()
        assert "Add asset category" not in response.content.decode()
    assert client.post(criterion_page, {"op": "retire"}).status_code == 403
    assert client.post(category_page, {"op": "retire"}).status_code == 403
    create = url("org-maintenance-standards-criterion-create", organization, criterion.category_id)
    assert client.get(create).status_code == 403
    criterion.refresh_from_db()
    assert not criterion.is_retired


def test_another_organisations_standards_answer_404(organization, other_organization, manager):
    theirs = CriterionFactory(organization=other_organization)
    assert manager.get(url("org-maintenance-standards-criterion", organization, theirs.pk)).status_code == 404
    assert manager.get(url("org-maintenance-standards-category", organization, theirs.category_id)).status_code == 404
    create = url("org-maintenance-standards-criterion-create", organization, theirs.category_id)
    assert manager.post(create, criterion_post()).status_code == 404


def test_the_section_appears_in_the_sub_navigation(organization, manager):
    body = manager.get(url("org-maintenance-standards", organization)).content.decode()
    assert f'href="{url("org-maintenance-standards", organization)}" aria-current="page"' in body
