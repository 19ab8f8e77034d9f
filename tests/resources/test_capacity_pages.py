"""The utilisation pages: heat map, a resource's days and weeks, the week behind a cell, demand by role.

The figures are those of capacity_support, worked by hand in test_capacity_selectors.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmo.models import Organization, OrgRole
from tests.conftest import page_client_for
from tests.factories import AssignmentFactory, ResourceExceptionFactory, ResourceFactory, member
from tests.resources.capacity_support import build_plan, d, task

pytestmark = pytest.mark.django_db
BASE = "/o/acme/resources"


@pytest.fixture
def plan(organization: Organization) -> dict[str, Any]:
    return build_plan(organization)


@pytest.fixture
def client(organization: Organization) -> Client:
    return page_client_for(member(organization, OrgRole.VIEWER).user)


def test_the_heat_map_marks_over_allocation_and_a_full_week_apart(client: Client, plan: dict[str, Any]) -> None:
    response = client.get(f"{BASE}/", {"start": "2026-03-02", "weeks": 4})
    assert response.status_code == 200
    page = response.content.decode()
    ann, bob = plan["ann"].pk, plan["bob"].pk
    assert f'class="util-cell util-over" data-cell="{ann}-2026-03-02"' in page
    assert f'class="util-cell util-full" data-cell="{bob}-2026-03-09"' in page  # exactly 100 %: not over
    assert f'href="{BASE}/{ann}/utilisation/week/?week=2026-03-02"' in page  # the cell drills down
    assert f'href="{BASE}/{ann}/utilisation/?start=2026-03-02&amp;weeks=4"' in page  # the name to the detail
    assert "Over-allocated" in page  # the legend
    assert "Capacity unknown (no calendar)" in page
    assert "1 over-allocated on this page" in page


def test_the_heat_map_filters_and_refuses_a_bad_period(client: Client, plan: dict[str, Any]) -> None:
    page = client.get(f"{BASE}/", {"start": "2026-03-02", "department": "Structures"}).content.decode()
    assert f'data-resource="{plan["bob"].pk}"' in page
    assert f'data-resource="{plan["ann"].pk}"' not in page
    refused = client.get(f"{BASE}/", {"weeks": 99})
    assert refused.status_code == 200
    assert "Ensure this value is less than or equal to 52." in refused.content.decode()
    assert "util-grid" not in refused.content.decode()
    nothing = client.get(f"{BASE}/", {"kind": "equipment"}).content.decode()
    assert "No resource matches these filters." in nothing


def test_an_empty_pool_says_so(client: Client, organization: Organization) -> None:
    page = client.get(f"{BASE}/").content.decode()
    assert "No people or equipment in the pool yet." in page


def test_the_heat_map_reads_the_same_queries_for_a_bigger_pool(client: Client, plan: dict[str, Any]) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{BASE}/", {"start": "2026-03-02", "weeks": 26}).status_code == 200
        return len(captured)

    few = queries()
    for number in range(6):
        resource = ResourceFactory(organization=plan["ann"].organization, code=f"Z{number}", department=f"D{number}")
        ResourceExceptionFactory(resource=resource, start=d(3), finish=d(4))
        for day in (2, 9):
            AssignmentFactory(
                project=plan["project_b"], task=task(plan["project_b"], d(day), d(day + 4)), resource=resource
            )
    assert queries() == few == 15


def test_the_heat_map_pages_fifty_resources_at_a_time(client: Client, organization: Organization) -> None:
    ResourceFactory.create_batch(51, organization=organization)
    first = client.get(f"{BASE}/").content.decode()
    assert first.count('data-resource="') == 50
    assert "Page 1 of 2" in first
    assert client.get(f"{BASE}/", {"page": 2}).content.decode().count('data-resource="') == 1
    assert client.get(f"{BASE}/", {"page": 3}).status_code == 404


def test_a_resource_detail_shows_days_and_weeks_by_project(client: Client, plan: dict[str, Any]) -> None:
    response = client.get(f"{BASE}/{plan['ann'].pk}/utilisation/", {"start": "2026-03-02", "weeks": 2})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<tr class="util-row-') == 2  # two weeks
    assert "115% over-allocated" in page
    assert f'href="/o/acme/resources/pool/{plan["ann"].pk}/"' in page  # the pool's page of the resource
    assert ">A</th>" in page  # a column a project
    assert ">B</th>" in page


def test_the_week_behind_a_cell_lists_each_assignment_and_absence(client: Client, plan: dict[str, Any]) -> None:
    page = client.get(f"{BASE}/{plan['ann'].pk}/utilisation/week/", {"week": "2026-03-05"}).content.decode()
    assert page.count("data-assignment=") == 2
    assert "46 h of 40 h" in page
    leave = client.get(f"{BASE}/{plan['bob'].pk}/utilisation/week/", {"week": "2026-03-16"}).content.decode()
    assert 'class="util-absence"' in leave
    assert client.get(f"{BASE}/{plan['bob'].pk}/utilisation/week/", {"week": "2026-02-30"}).status_code == 404
    assert client.get(f"{BASE}/{plan['bob'].pk}/utilisation/week/").status_code == 200  # this week


def test_another_organisations_resource_is_not_found(plan: dict[str, Any], other_organization: Organization) -> None:
    outsider = page_client_for(member(other_organization, OrgRole.ADMIN).user)
    assert outsider.get(f"/o/rival/resources/{plan['ann'].pk}/utilisation/").status_code == 404
    assert outsider.get(f"/o/rival/resources/{plan['ann'].pk}/utilisation/week/").status_code == 404
    assert outsider.get(f"{BASE}/").status_code == 404
    assert outsider.get(f"/o/rival/resources/{2**64}/utilisation/").status_code == 404


def test_demand_by_role_shows_a_shortfall(client: Client, plan: dict[str, Any]) -> None:
    placeholder = ResourceFactory(organization=plan["ann"].organization, is_placeholder=True, role=plan["engineer"])
    AssignmentFactory(
        project=plan["project_a"], task=task(plan["project_a"], d(9), d(13)), resource=placeholder, units=300
    )
    page = client.get(f"{BASE}/demand/", {"start": "2026-03-02", "weeks": 4}).content.decode()
    # Week of 9 March: 70 h available, 30 h on Bob + 5 x 24 h on the placeholder = 150 h: 80 h short.
    assert '<td class="num demand-short"><strong>-80</strong></td>' in page
    assert "2 named" in page
    assert "1 placeholder" in page


def test_the_pages_speak_chinese(organization: Organization, plan: dict[str, Any]) -> None:
    user = member(organization, OrgRole.VIEWER).user
    user.language = "zh-hans"
    user.save(update_fields=["language"])
    client = page_client_for(user)
    for path in ("/", f"/{plan['ann'].pk}/utilisation/", f"/{plan['ann'].pk}/utilisation/week/", "/demand/"):
        page = client.get(f"{BASE}{path}", {"start": "2026-03-02"}).content.decode()
        assert '<html lang="zh-hans"' in page, path
        assert "Utilisation by week" not in page, path
        assert "Demand against capacity by role" not in page, path
    assert "超负荷" in client.get(f"{BASE}/", {"start": "2026-03-02"}).content.decode()


def test_names_in_the_heat_map_are_escaped(client: Client, organization: Organization) -> None:
    ResourceFactory(organization=organization, code="R<1>", name='<script>alert("x")</script>')
    page = client.get(f"{BASE}/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_the_pools_resource_page_shows_the_next_weeks_and_links_here(client: Client, plan: dict[str, Any]) -> None:
    ann = plan["ann"].pk
    page = client.get(reverse("org-resource", args=["acme", ann])).content.decode()
    assert 'id="utilisation"' in page
    assert f'href="{BASE}/{ann}/utilisation/"' in page
