"""The quality library's API: settings with ETags, standards, inspection types, versioned templates."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from pmo.models import Organization, OrgRole
from quality.api.library import ChecklistTemplateSerializer, InspectionTypeSerializer, StandardSerializer
from quality.models import ChecklistTemplate, InspectionType, Standard
from quality.services.settings import builtin_type, quality_settings_for
from tests.conftest import api_client_for
from tests.factories import (
    ChecklistItemFactory,
    ChecklistTemplateFactory,
    InspectionFactory,
    ProjectFactory,
    StandardFactory,
    member,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/orgs/acme/"


@pytest.fixture
def quality(organization: Organization) -> APIClient:
    client = api_client_for(member(organization, OrgRole.QUALITY).user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def template_body(organization: Organization, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "AP-01",
        "name_en": "Asphalt pavement",
        "inspection_type": builtin_type(organization, "quality").pk,
        "items": [
            {
                "text_en": "Rut depth",
                "kind": "numeric",
                "severity": "major",
                "unit": "mm",
                "comparator": "lte",
                "limit_a": "20",
            },
            {
                "text_en": "Alligator cracking",
                "kind": "compound",
                "unit": "mm",
                "comparator": "lt",
                "limit_a": "3",
                "second_label": "spacing",
                "second_unit": "mm",
                "second_comparator": "gt",
                "second_limit_a": "100",
            },
            {
                "text_en": "Surface",
                "kind": "choice",
                "options": [{"key": "ok", "label": "Sound", "acceptable": True}, {"key": "ravel", "label": "Ravelled"}],
            },
        ],
    }
    body.update(fields)
    return body


def test_a_template_is_created_with_nested_items_and_read_back(organization, quality) -> None:
    response = quality.post(API + "checklist-templates/", template_body(organization), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [item["requirement"] for item in body["items"]] == ["≤ 20 mm", "< 3 mm; spacing > 100 mm", ""]
    assert body["items"][2]["options"][1] == {"key": "ravel", "label": "Ravelled", "acceptable": False}
    detail = quality.get(f"{API}checklist-templates/{body['id']}/")
    assert detail.status_code == 200
    assert detail["ETag"]


def test_a_bad_item_is_refused_with_its_place_and_nothing_is_created(organization, quality) -> None:
    body = template_body(organization)
    body["items"][0]["comparator"] = "between"

    response = quality.post(API + "checklist-templates/", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"items": ["0.limit_b: Enter the upper limit."]}
    assert not ChecklistTemplate.objects.for_organization(organization).exists()


def test_an_unknown_item_field_and_another_organisations_standard_are_refused(
    organization, other_organization, quality
) -> None:
    body = template_body(organization)
    body["items"][0]["colour"] = "red"
    body["items"][1]["standard"] = StandardFactory(organization=other_organization).pk

    response = quality.post(API + "checklist-templates/", body, format="json")

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "items" in fields
    assert not ChecklistTemplate.objects.for_organization(organization).exists()


def test_patching_a_used_template_answers_with_the_next_version(organization, quality) -> None:
    created = quality.post(API + "checklist-templates/", template_body(organization), format="json").json()
    template = ChecklistTemplate.objects.for_organization(organization).get(pk=created["id"])
    InspectionFactory(organization=organization, project=ProjectFactory(organization=organization), template=template)
    etag = quality.get(f"{API}checklist-templates/{template.pk}/")["ETag"]

    response = quality.patch(
        f"{API}checklist-templates/{template.pk}/", {"name_en": "Asphalt (2025)"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["version"], response.json()["is_current"]) == (2, True)
    assert len(response.json()["items"]) == 3
    history = quality.get(API + "checklist-templates/?code=AP-01").json()["results"]
    assert [row["version"] for row in history] == [2, 1]
    stale = quality.patch(
        f"{API}checklist-templates/{template.pk}/", {"name_en": "Again"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code in (409, 412)


def test_the_settings_patch_with_if_match_and_bad_roles_change_nothing(organization, quality) -> None:
    read = quality.get(API + "quality-settings/")
    etag = read["ETag"]

    bad = quality.patch(
        API + "quality-settings/", {"field_inspector_roles": ["boss"]}, format="json", HTTP_IF_MATCH=etag
    )
    unknown = quality.patch(API + "quality-settings/", {"colour": "red"}, format="json", HTTP_IF_MATCH=etag)
    good = quality.patch(
        API + "quality-settings/",
        {"field_inspector_roles": ["member"], "due_days_major": 5},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    stale = quality.patch(API + "quality-settings/", {"due_days_major": 6}, format="json", HTTP_IF_MATCH=etag)

    assert read.json()["due_days_critical"] == 2
    assert bad.status_code == 400
    assert unknown.status_code == 400
    assert good.status_code == 200
    assert stale.status_code == 412
    settings = quality_settings_for(organization)
    assert (settings.field_inspector_roles, settings.due_days_major) == (["member"], 5)


def test_a_member_reads_the_library_but_may_not_change_it(organization) -> None:
    client = api_client_for(member(organization, OrgRole.MEMBER).user)

    assert client.get(API + "checklist-templates/").status_code == 200
    assert client.get(API + "quality-settings/").status_code == 200
    assert client.post(API + "standards/", {"code": "GB 1", "title": "T"}, format="json").status_code == 403
    assert client.patch(API + "quality-settings/", {"due_days_major": 3}, format="json").status_code == 403
    assert not Standard.objects.for_organization(organization).exists()


def test_another_organisations_library_is_not_found(organization, other_organization, quality) -> None:
    template = ChecklistTemplateFactory(organization=other_organization)
    standard = StandardFactory(organization=other_organization)

    assert quality.get(f"{API}checklist-templates/{template.pk}/").status_code == 404
    assert quality.patch(f"{API}checklist-templates/{template.pk}/", {"name_en": "x"}, format="json").status_code == 404
    assert quality.delete(f"{API}standards/{standard.pk}/").status_code == 404
    assert Standard.objects.for_organization(other_organization).filter(pk=standard.pk).exists()


def test_standards_are_added_refused_twice_and_deleted_unless_cited(organization, quality) -> None:
    body = {"code": "JTG F80/1-2017", "title": "Highway quality inspection", "clause": "7.2"}
    added = quality.post(API + "standards/", body, format="json")
    twice = quality.post(API + "standards/", body, format="json")
    cited = StandardFactory(organization=organization)
    ChecklistItemFactory(organization=organization, standard=cited)

    assert added.status_code == 201
    assert twice.status_code == 400
    assert twice.json()["error"]["code"] == "duplicate_standard"
    assert quality.delete(f"{API}standards/{cited.pk}/").status_code == 409
    assert quality.delete(f"{API}standards/{added.json()['id']}/").status_code == 204


def test_a_built_in_types_discipline_cannot_change_through_the_api(organization, quality) -> None:
    safety = builtin_type(organization, "safety")

    refused = quality.patch(f"{API}inspection-types/{safety.pk}/", {"discipline": "quality"}, format="json")
    added = quality.post(
        API + "inspection-types/", {"code": "fire", "name_en": "Fire", "discipline": "safety"}, format="json"
    )

    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "builtin_type"
    assert added.status_code == 201
    assert InspectionType.objects.for_organization(organization).get(pk=safety.pk).discipline == "safety"


def test_the_lists_answer_what_the_serializers_declare_in_a_fixed_number_of_queries(organization, quality) -> None:
    ChecklistItemFactory(organization=organization)
    StandardFactory(organization=organization)
    quality.get(API + "inspection-types/")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert quality.get(url).status_code == 200
        return len(captured)

    few = [count(API + path) for path in ("checklist-templates/", "standards/", "inspection-types/")]
    for _n in range(3):
        ChecklistItemFactory.create_batch(
            2, organization=organization, template=ChecklistTemplateFactory(organization=organization)
        )
        StandardFactory(organization=organization)

    assert [count(API + path) for path in ("checklist-templates/", "standards/", "inspection-types/")] == few
    templates = ChecklistTemplate.objects.for_organization(organization).filter(is_current=True).order_by("code")
    from django.db.models import Count

    assert (
        quality.get(API + "checklist-templates/").json()["results"]
        == ChecklistTemplateSerializer(templates.annotate(item_count=Count("items")), many=True).data
    )
    assert (
        quality.get(API + "standards/").json()["results"]
        == StandardSerializer(
            Standard.objects.for_organization(organization).order_by("code", "clause", "pk"), many=True
        ).data
    )
    assert (
        quality.get(API + "inspection-types/").json()
        == InspectionTypeSerializer(
            InspectionType.objects.for_organization(organization).order_by("position", "code", "pk"), many=True
        ).data
    )
