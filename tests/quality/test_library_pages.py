"""The quality library's pages: who reads and who changes, forms that name the wrong field, pinned queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from pmo.models import Organization, OrgRole, User
from quality.models import ChecklistTemplate, InspectionType, Standard
from quality.services import library
from quality.services.settings import builtin_type, quality_settings_for
from tests.conftest import page_client_for
from tests.factories import (
    ChecklistItemFactory,
    ChecklistTemplateFactory,
    InspectionFactory,
    ProjectFactory,
    StandardFactory,
    member,
)

pytestmark = pytest.mark.django_db

BASE = "/o/acme/quality/"


def client_as(organization: Organization, role: str) -> tuple[Client, User]:
    user = member(organization, role).user
    client = page_client_for(user)
    client.cookies["django_language"] = "en"
    return client, user


def queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def item_data(prefix: str = "items-0", **fields: Any) -> dict[str, Any]:
    data = {
        "text_zh": "坑槽深度",
        "text_en": "Pothole depth",
        "kind": "numeric",
        "severity": "major",
        "max_readings": "1",
        "unit": "mm",
        "comparator": "lte",
        "limit_a": "20",
    }
    data.update(fields)
    return {f"{prefix}-{key}": value for key, value in data.items()}


def template_post(organization: Organization, items: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "EW-01",
        "name_en": "Earthworks",
        "name_zh": "土方",
        "inspection_type": builtin_type(organization, "quality").pk,
        "description": "",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
    }
    for item in items:
        data.update(item)
    data.update(fields)
    return data


@pytest.mark.parametrize(
    "path", ["templates/", "templates/new/", "standards/", "types/", "settings/"], ids=lambda p: p.strip("/")
)
def test_the_quality_role_opens_every_library_page_in_both_languages(organization, path) -> None:
    client, _user = client_as(organization, OrgRole.QUALITY)

    english = client.get(BASE + path)
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(BASE + path)

    assert english.status_code == 200
    assert chinese.status_code == 200
    assert 'lang="zh-hans"' in chinese.content.decode() or 'lang="zh-Hans"' in chinese.content.decode()


def test_a_member_reads_the_library_but_may_not_change_it(organization) -> None:
    client, _user = client_as(organization, OrgRole.MEMBER)
    template = ChecklistItemFactory(organization=organization).template
    standard = StandardFactory(organization=organization)

    assert client.get(BASE + "templates/").status_code == 200
    assert client.get(f"{BASE}templates/{template.pk}/").status_code == 200
    assert client.get(BASE + "settings/").status_code == 200
    assert client.get(BASE + "templates/new/").status_code == 403
    assert client.get(f"{BASE}templates/{template.pk}/edit/").status_code == 403
    assert client.get(f"{BASE}standards/{standard.pk}/").status_code == 403
    assert client.post(BASE + "standards/", {"code": "GB 1", "title": "T"}).status_code == 403
    assert client.post(BASE + "settings/", {"nc_mode": "per_inspection"}).status_code == 403
    assert Standard.objects.for_organization(organization).count() == 1


def test_another_organisations_template_is_not_found(organization, other_organization) -> None:
    client, _user = client_as(organization, OrgRole.QUALITY)
    foreign = ChecklistTemplateFactory(organization=other_organization)

    assert client.get(f"{BASE}templates/{foreign.pk}/").status_code == 404
    assert client.get(f"{BASE}templates/{foreign.pk}/edit/").status_code == 404


def test_a_template_is_built_on_the_page_and_its_detail_shows_the_rule(organization) -> None:
    client, _user = client_as(organization, OrgRole.QUALITY)
    data = template_post(
        organization,
        [
            item_data(),
            item_data(
                "items-1",
                kind="choice",
                text_en="Kerb line",
                text_zh="",
                comparator="",
                limit_a="",
                options_ok="straight | Straight",
                options_bad="wavy | Wavy",
            ),
            item_data(
                "items-2",
                kind="pass_fail",
                text_zh="",
                text_en="",
                severity="minor",
                unit="",
                comparator="",
                limit_a="",
            ),
        ],
    )

    response = client.post(BASE + "templates/new/", data)

    assert response.status_code == 302, response.context and response.context["formset"].errors
    template = ChecklistTemplate.objects.for_organization(organization).get(code="EW-01")
    assert template.items.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "≤ 20 mm" in page
    assert "Wavy" in page


def test_a_numeric_item_without_its_upper_limit_is_refused_beside_the_field(organization) -> None:
    client, _user = client_as(organization, OrgRole.QUALITY)
    data = template_post(organization, [item_data(comparator="between", limit_a="10")])

    with translation.override("en"):
        response = client.post(BASE + "templates/new/", data)

    assert response.status_code == 400
    assert response.context["formset"].forms[0].errors == {"limit_b": ["Enter the upper limit."]}
    assert not ChecklistTemplate.objects.for_organization(organization).exists()


def test_add_an_item_shows_one_more_blank_item_and_saves_nothing(organization) -> None:
    client, _user = client_as(organization, OrgRole.QUALITY)
    data = template_post(organization, [item_data()], op="add_item")

    response = client.post(BASE + "templates/new/", data)

    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 2
    assert not ChecklistTemplate.objects.for_organization(organization).exists()


def test_editing_a_used_template_on_the_page_makes_version_two(organization) -> None:
    client, user = client_as(organization, OrgRole.QUALITY)
    template = library.template_create(
        actor=user,
        organization=organization,
        code="EW-01",
        name_en="Earthworks",
        inspection_type=builtin_type(organization, "quality"),
        items=[{"text_en": "Depth", "kind": "numeric", "comparator": "lte", "limit_a": 20, "unit": "mm"}],
    )
    InspectionFactory(organization=organization, project=ProjectFactory(organization=organization), template=template)
    form = client.get(f"{BASE}templates/{template.pk}/edit/").context["form"]
    data = template_post(
        organization, [item_data(limit_a="15")], **{"items-INITIAL_FORMS": "1", "row_version": form.row_version}
    )
    del data["code"]

    response = client.post(f"{BASE}templates/{template.pk}/edit/", data)

    assert response.status_code == 302
    newer = ChecklistTemplate.objects.for_organization(organization).get(code="EW-01", is_current=True)
    assert newer.version == 2
    assert response["Location"].endswith(f"/templates/{newer.pk}/")
    history = client.get(BASE + "templates/?code=EW-01").context["templates"]
    assert [t.version for t in history] == [2, 1]


def test_a_standard_is_added_edited_and_deleted(organization) -> None:
    client, _user = client_as(organization, OrgRole.QUALITY)

    added = client.post(BASE + "standards/", {"code": "GB 50204-2015", "title": "Concrete", "clause": "5.1"})
    again = client.post(BASE + "standards/", {"code": "GB 50204-2015", "title": "Concrete", "clause": "5.1"})
    standard = Standard.objects.for_organization(organization).get()
    url = f"{BASE}standards/{standard.pk}/"
    form = client.get(url).context["form"]
    edited = client.post(
        url,
        {
            "op": "save",
            "code": "GB 50204-2015",
            "title": "Concrete works",
            "clause": "5.1",
            "row_version": form.row_version,
        },
    )
    deleted = client.post(url, {"op": "delete"})

    assert added.status_code == 302
    assert again.status_code == 400
    assert "code" in again.context["form"].errors
    assert edited.status_code == 302
    assert deleted.status_code == 302
    assert not Standard.objects.for_organization(organization).exists()


def test_a_built_in_type_form_cannot_change_its_discipline(organization) -> None:
    client, _user = client_as(organization, OrgRole.QUALITY)
    safety = builtin_type(organization, "safety")

    response = client.post(
        f"{BASE}types/{safety.pk}/",
        {"code": "x", "name_en": "HSE walk", "name_zh": "安全巡查", "discipline": "quality"},
    )

    assert response.status_code == 302
    safety.refresh_from_db()
    assert (safety.code, safety.discipline, safety.name_en) == ("safety", "safety", "HSE walk")
    assert client.post(BASE + "types/", {"code": "fire", "name_en": "Fire", "discipline": "safety"}).status_code == 302
    assert InspectionType.objects.for_organization(organization).filter(code="fire", builtin=False).exists()


def test_settings_save_with_their_version_and_a_stale_form_is_refused(organization) -> None:
    client, user = client_as(organization, OrgRole.QUALITY)
    form = client.get(BASE + "settings/").context["form"]
    data = {
        "nc_mode": "per_inspection",
        "due_days_critical": "1",
        "due_days_major": "5",
        "due_days_minor": "10",
        "field_inspector_roles": ["manager", "member"],
        "row_version": form.row_version,
    }
    library.quality_settings_update(actor=user, organization=organization, due_days_minor=20)

    stale = client.post(BASE + "settings/", data)
    data["row_version"] = stale.context["form"].row_version
    saved = client.post(BASE + "settings/", data)

    assert stale.status_code == 412
    assert saved.status_code == 302
    settings = quality_settings_for(organization)
    assert (settings.nc_mode, settings.due_days_critical, settings.field_inspector_roles) == (
        "per_inspection",
        1,
        ["manager", "member"],
    )


def test_the_template_list_and_detail_keep_their_number_of_queries(organization) -> None:
    client, _user = client_as(organization, OrgRole.QUALITY)
    template = ChecklistItemFactory(
        organization=organization, standard=StandardFactory(organization=organization)
    ).template
    few_list = queries(client, BASE + "templates/")
    few_detail = queries(client, f"{BASE}templates/{template.pk}/")
    for _n in range(4):
        more = ChecklistTemplateFactory(organization=organization)
        ChecklistItemFactory.create_batch(
            3, organization=organization, template=more, standard=StandardFactory(organization=organization)
        )
    ChecklistItemFactory.create_batch(
        5, organization=organization, template=template, standard=StandardFactory(organization=organization)
    )

    assert queries(client, BASE + "templates/") == few_list
    assert queries(client, f"{BASE}templates/{template.pk}/") == few_detail


def test_the_standards_and_types_lists_keep_their_number_of_queries(organization) -> None:
    client, _user = client_as(organization, OrgRole.QUALITY)
    StandardFactory(organization=organization)
    few_standards = queries(client, BASE + "standards/")
    few_types = queries(client, BASE + "types/")
    StandardFactory.create_batch(5, organization=organization)
    library.inspection_type_create(actor=_user, organization=organization, code="fire", name_en="Fire")

    assert queries(client, BASE + "standards/") == few_standards
    assert queries(client, BASE + "types/") == few_types
