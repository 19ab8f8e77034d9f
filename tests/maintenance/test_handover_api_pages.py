"""The handover through the API and on the project's page: start, complete the rows, complete the handover;
who may do it."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from maintenance.models import Asset, Handover, HandoverRow, HandoverStatus
from pmo.models import OrgRole
from projects.models import Phase
from tests.conftest import api_client_for, page_client_for
from tests.factories import (
    AssetCategoryFactory,
    DeliverableFactory,
    ProjectFactory,
    SiteFactory,
    UserFactory,
    WbsElementFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def project():
    project = ProjectFactory(phase=Phase.CLOSING)
    for name in ("Greenway path", "Heron sculpture"):
        element = WbsElementFactory(project=project, organization=project.organization, name=name)
        DeliverableFactory(
            project=project,
            wbs_element=element,
            status="accepted",
            decided_by=UserFactory(),
            decided_at=timezone.now(),
        )
    return project


def api_url(project, path: str = "") -> str:
    return f"/api/v1/orgs/{project.organization.slug}/projects/{project.pk}/maintenance/handover/{path}"


def row_url(project, pk: int) -> str:
    return f"/api/v1/orgs/{project.organization.slug}/maintenance/handover-rows/{pk}/"


def page_url(project) -> str:
    return f"/o/{project.organization.slug}/projects/{project.pk}/maintenance/handover/"


COMPLETE = {
    "location_text": "North gate",
    "quantity": "1",
    "unit": "count",
    "install_date": "2026-05-30",
    "warranty_end": "2028-05-30",
}


def test_the_handover_through_the_api(project, django_assert_num_queries) -> None:
    org = project.organization
    client = api_client_for(member(org, OrgRole.MAINTENANCE).user)
    assert client.get(api_url(project)).json()["status"] is None
    started = client.post(api_url(project), {"new_site": {"code": "RIV", "name": "Riverside park"}}, format="json")
    assert started.status_code == 201, started.json()
    assert started.json()["site_code"] == "RIV"
    client.get(api_url(project, "rows/"))
    with django_assert_num_queries(3):
        rows = client.get(api_url(project, "rows/")).json()["results"]
    assert [row["name"] for row in rows] == ["Greenway path", "Heron sculpture"]
    assert rows[0]["missing"] == ["category", "location_text", "unit", "install_date", "warranty_end"]

    refused = client.post(api_url(project, "complete/"), {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "handover_incomplete"
    assert not Asset.objects.for_organization(org).exists()

    category = AssetCategoryFactory(organization=org)
    for row in rows:
        answer = client.patch(row_url(project, row["id"]), {**COMPLETE, "category": category.pk}, format="json")
        assert answer.status_code == 200, answer.json()
        assert answer.json()["missing"] == []
    added = client.post(api_url(project, "rows/"), {"name": "Leftover", "excluded": True}, format="json")
    assert added.status_code == 201
    assert client.delete(row_url(project, added.json()["id"])).status_code == 204

    completed = client.post(api_url(project, "complete/"), {}, format="json")
    assert completed.status_code == 200, completed.json()
    assert completed.json()["status"] == HandoverStatus.COMPLETED
    assert set(Asset.objects.for_organization(org).values_list("origin_project", flat=True)) == {project.pk}


def test_others_read_the_handover_and_may_not_change_it(project) -> None:
    org = project.organization
    manager = api_client_for(member(org, OrgRole.MAINTENANCE).user)
    manager.post(api_url(project), {"site": SiteFactory(organization=org).pk}, format="json")
    for role in (OrgRole.VIEWER, OrgRole.MEMBER):
        client = api_client_for(member(org, role).user)
        assert client.get(api_url(project, "rows/")).status_code == 200
        assert client.post(api_url(project, "complete/"), {}, format="json").status_code == 403
        assert client.post(api_url(project, "rows/"), {"name": "X"}, format="json").status_code == 403
    pmo = api_client_for(member(org, OrgRole.PMO).user)
    assert pmo.post(api_url(project, "rows/"), {"name": "By the PMO"}, format="json").status_code == 201


def test_the_handover_page_starts_completes_a_row_and_completes_the_handover(project) -> None:
    org = project.organization
    client = page_client_for(member(org, OrgRole.MAINTENANCE, language="en").user)
    text = client.get(page_url(project)).content.decode()
    assert "Start the handover" in text
    answer = client.post(page_url(project), {"op": "start", "site-new_code": "RIV", "site-new_name": "Riverside"})
    assert answer.status_code == 302
    handover = Handover.objects.for_organization(org).get()
    assert handover.site.code == "RIV"
    category = AssetCategoryFactory(organization=org)
    text = client.get(page_url(project)).content.decode()
    assert "Greenway path" in text
    assert "Lacks:" in text
    refused = client.post(page_url(project), {"op": "complete"})
    assert refused.status_code == 400
    assert "not complete yet" in refused.content.decode()
    for row in HandoverRow.objects.for_organization(org).filter(handover=handover):
        prefix = f"r{row.pk}"
        data = {f"{prefix}-{key}": value for key, value in COMPLETE.items()}
        data.update(
            {
                "op": "row",
                "row": row.pk,
                f"{prefix}-code": row.code,
                f"{prefix}-name": row.name,
                f"{prefix}-category": category.pk,
                f"{prefix}-area_name": "North bank",
            }
        )
        answer = client.post(page_url(project), data)
        assert answer.status_code == 302, answer.content.decode()[:2000]
    assert client.post(page_url(project), {"op": "complete"}).status_code == 302
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.COMPLETED
    assert Asset.objects.for_organization(org).filter(area__name="North bank").count() == 2


def test_a_viewer_sees_the_handover_page_without_its_forms(project) -> None:
    viewer = page_client_for(member(project.organization, OrgRole.VIEWER, language="en").user)
    answer = viewer.get(page_url(project))
    assert answer.status_code == 200
    assert 'name="op" value="start"' not in answer.content.decode()
    assert (
        viewer.post(page_url(project), {"op": "start", "site-new_code": "X", "site-new_name": "X"}).status_code == 403
    )
