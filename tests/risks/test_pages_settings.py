"""The risk settings page: the matrix cell by cell, the rules, the categories; who may change them."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from pmo.models import Organization, OrgRole
from risks.models import RiskCategory
from risks.services.settings import risk_settings_for
from tests.risks.pages_support import assess, make_project, raise_risk, role_client

pytestmark = pytest.mark.django_db

URL = "/o/acme/risks/settings/"


def settings_data(client: Any) -> dict[str, Any]:
    """What the page's settings form sends unchanged."""
    form = client.get(URL).context["settings_form"]
    data = {name: form[name].value() for name in form.fields}
    data["op"] = "settings"
    data["row_version"] = form.row_version
    return data


def test_a_viewer_reads_the_settings_but_may_not_change_them(organization: Organization) -> None:
    client, _viewer = role_client(organization, OrgRole.VIEWER)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="cell_5_5"' in response.content.decode()
    assert response.context["may_manage"] is False
    assert client.post(URL, {"op": "settings"}).status_code == 403
    assert client.post(URL, {"op": "category", "code": "x", "name_en": "X"}).status_code == 403


def test_the_risk_office_changes_a_cell_and_open_risks_take_the_new_level(organization: Organization) -> None:
    client, manager = role_client(organization, OrgRole.RISK)
    project = make_project(organization, manager)
    risk = assess(raise_risk(organization, manager, project), manager, 3, 4)  # 12: medium
    data = settings_data(client)
    data["cell_3_4"] = "high"
    data["cell_3_5"] = "high"
    data["cell_4_4"] = "high"
    data["cell_4_5"] = "high"

    response = client.post(URL, data)

    assert response.status_code == 302
    assert risk_settings_for(organization).matrix[2][3] == "high"
    risk.refresh_from_db()
    assert risk.level == "high"


def test_a_matrix_that_falls_as_probability_rises_is_refused_and_nothing_changes(organization: Organization) -> None:
    client, _manager = role_client(organization, OrgRole.RISK)
    data = settings_data(client)
    data["cell_1_1"] = "high"

    with translation.override("en"):
        response = client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "is lower than cell" in response.content.decode()
    assert risk_settings_for(organization).matrix[0][0] == "low"


def test_probability_bands_must_rise_and_the_appetite_stay_within_the_scores(organization: Organization) -> None:
    client, _manager = role_client(organization, OrgRole.RISK)
    data = settings_data(client)

    bands = client.post(URL, {**data, "percent_2": "5"})
    appetite = client.post(URL, {**data, "appetite": "30"})

    assert bands.status_code == 400
    assert appetite.status_code == 400
    assert "appetite" in appetite.context["settings_form"].errors
    settings = risk_settings_for(organization)
    assert (settings.percent_2, settings.appetite) == (30, 12)


def test_the_rules_save_review_days_confidence_and_the_default_spread(organization: Organization) -> None:
    client, _admin = role_client(organization, OrgRole.ADMIN)
    data = settings_data(client)
    data.update(
        review_days_high="14",
        confidence="90",
        optimistic_percent="5",
        pessimistic_percent="40",
        impact_rule="average",
        appetite="10",
    )

    assert client.post(URL, data).status_code == 302

    settings = risk_settings_for(organization)
    assert (settings.review_days_high, settings.confidence, settings.optimistic_percent) == (14, 90, 5)
    assert (settings.pessimistic_percent, settings.impact_rule, settings.appetite) == (40, "average", 10)


def test_categories_are_added_edited_and_switched_off(organization: Organization) -> None:
    client, _manager = role_client(organization, OrgRole.RISK)
    client.get(URL)  # the defaults arrive with the first read

    response = client.post(
        URL, {"op": "category", "code": "permits", "name_zh": "许可", "name_en": "Permits", "order": "5"}
    )
    assert response.status_code == 302
    category = RiskCategory.objects.for_organization(organization).get(code="permits")

    duplicate = client.post(URL, {"op": "category", "code": "permits", "name_en": "Again", "order": "1"})
    assert duplicate.status_code == 400
    assert "code" in duplicate.context["category_form"].errors

    edit_url = f"/o/acme/risks/settings/categories/{category.pk}/"
    form = client.get(edit_url).context["form"]
    data = {"name_zh": "许可证", "name_en": "Permits", "order": "5", "row_version": form.row_version}
    assert client.post(edit_url, data).status_code == 302  # is_active unticked: switched off
    category.refresh_from_db()
    assert (category.name_zh, category.is_active) == ("许可证", False)


def test_a_category_needs_a_name_in_one_language(organization: Organization) -> None:
    client, _manager = role_client(organization, OrgRole.RISK)
    response = client.post(URL, {"op": "category", "code": "nameless", "order": "1"})
    assert response.status_code == 400
    assert not RiskCategory.objects.for_organization(organization).filter(code="nameless").exists()


def test_another_organisations_category_answers_404(organization: Organization, other_organization) -> None:
    _c, outsider_user = role_client(other_organization, OrgRole.ADMIN)
    client, _manager = role_client(organization, OrgRole.RISK)
    client.get(URL)
    category = RiskCategory.objects.for_organization(organization).first()
    from tests.conftest import page_client_for

    outsider = page_client_for(outsider_user)
    assert outsider.get(f"/o/acme/risks/settings/categories/{category.pk}/").status_code == 404
    assert outsider.get(f"/o/rival/risks/settings/categories/{category.pk}/").status_code == 404
