"""The O&M home, the project's O&M page, their panels and the figures API, on the hand-worked data set
(figures_support.py) moved to today: the page reads the real clock."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from maintenance.panels import PORTFOLIO_QUERIES, PROJECT_QUERIES, portfolio_maintenance, project_maintenance
from maintenance.selectors import BREAKDOWN_QUERIES
from pmo.models import Membership, Organization, OrgRole
from pmo.navigation import PanelContext
from projects.models import Phase
from tests.conftest import api_client_for, page_client_for
from tests.factories import ContractorFactory, ProjectFactory, WorkOrderFactory, member
from tests.maintenance.figures_support import HandWorked, hand_worked

pytestmark = pytest.mark.django_db
HOME = "/o/acme/maintenance/"
API = "/api/v1/orgs/acme/maintenance-figures/"


@pytest.fixture
def data(organization: Organization) -> HandWorked:
    return hand_worked(organization, timezone.now())


@pytest.fixture
def client(organization: Organization) -> Client:
    return page_client_for(member(organization, OrgRole.MAINTENANCE).user)


def figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}"[^>]*>(.*?)</dd>', html, re.S)
    assert found, name
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def link(html: str, name: str) -> str:
    """The first link inside the element marked ``data-figure="name"`` (or that element itself)."""
    found = re.search(rf'data-figure="{name}"[^>]*href="([^"]+)"|data-figure="{name}"[^>]*>\s*<a href="([^"]+)"', html)
    assert found, name
    return unescape(found.group(1) or found.group(2))


def listed(client: Client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return int(response.context["page"].paginator.count)


def test_the_home_shows_the_figures_and_each_count_links_to_a_list_of_as_many(data: HandWorked, client: Client) -> None:
    response = client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert figure(html, "response") == "50.0 %"
    assert figure(html, "resolution") == "33.3 %"
    assert figure(html, "mttr").startswith("59.5")
    assert figure(html, "inspection") == "50.0 %"
    # Open: W3, W4, W5; overdue: W4; past an SLA deadline: W3 and W4.
    assert figure(html, "open") == "3"
    assert listed(client, link(html, "open")) == 3
    assert listed(client, link(html, "overdue")) == 1
    assert listed(client, link(html, "breached")) == 2
    for priority, count in (("P1", 1), ("P3", 1), ("P4", 1)):
        url = re.search(rf'data-priority="{priority}".*?<a href="([^"]+)"', html, re.S)
        assert url, priority
        assert listed(client, unescape(url.group(1))) == count
    # Each age row with open work orders links to a list of as many; together they are all the open ones.
    ages = re.findall(r'<tr data-age="(\w+)">.*?<td class="num">(?:<a href="([^"]+)">)?(\d+)', html, re.S)
    assert sum(int(count) for _key, _url, count in ages) == 3
    for key, url, count in ages:
        if int(count):
            assert listed(client, unescape(url)) == int(count), key
    # Assets in service: A1, A2, A3 on the asset list; the overdue round R3 on the round list.
    assert listed(client, link(html, "assets")) == 3
    assert listed(client, link(html, "rounds-overdue")) == 1
    # The per-site table: S1 has one open work order (W4), overdue; S2 two (W3, W5).
    table = re.search(r'id="om-site-table".*?</table>', html, re.S)
    assert table
    rows = {
        key: re.search(r'data-figure="open"[^>]*>(?:<a href="([^"]+)">)?(\d+)', row).groups()  # type: ignore[union-attr]
        for key, row in re.findall(r'<tr data-key="(\d+)">(.*?)</tr>', table.group(), re.S)
    }
    assert rows[str(data.s1.pk)][1] == "1"
    assert rows[str(data.s2.pk)][1] == "2"
    for key, (url, count) in rows.items():
        if url:
            assert listed(client, unescape(url)) == int(count), key


def test_a_filtered_home_narrows_the_figures_and_its_links(data: HandWorked, client: Client) -> None:
    html = client.get(HOME, {"site": data.s2.pk}).content.decode()
    assert figure(html, "open") == "2"
    url = link(html, "open")
    assert f"site={data.s2.pk}" in url
    assert listed(client, url) == 2
    # The round list has no site filter: the overdue rounds are not linked under a filter.
    assert 'data-figure="rounds-overdue" href' not in html


def test_a_window_ending_before_its_start_is_refused_beside_the_form(data: HandWorked, client: Client) -> None:
    response = client.get(HOME, {"since": "2026-03-10", "until": "2026-03-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["until"]


def test_an_organisation_with_no_asset_sees_how_to_start_in_both_languages(organization: Organization) -> None:
    for language, words in (("en", "No asset is maintained yet"), ("zh-hans", "尚无维护中的资产")):
        user = member(organization, OrgRole.VIEWER, language=language).user
        html = page_client_for(user).get(HOME, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert 'id="om-empty"' in html
        assert words in html


def test_the_home_takes_the_same_queries_whatever_the_data(organization: Organization, client: Client) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HOME).status_code == 200
        return len(queries)

    hand_worked(organization, timezone.now())
    first = count()
    contractor = ContractorFactory(organization=organization)
    for _ in range(5):
        WorkOrderFactory(organization=organization, contractor=contractor)
    assert count() == first


def test_a_contractors_login_sees_its_own_firms_figures(data: HandWorked, organization: Organization) -> None:
    login = member(organization, OrgRole.MEMBER)
    data.k2.user = login.user
    data.k2.save()
    html = page_client_for(login.user).get(HOME).content.decode()
    assert figure(html, "open") == "1"  # W4, assigned to K2


def test_the_project_page_shows_what_the_project_handed_over(data: HandWorked, client: Client) -> None:
    data.project.phase = Phase.OPERATIONS
    data.project.save()
    response = client.get(f"/o/acme/projects/{data.project.pk}/maintenance/")
    assert response.status_code == 200
    html = response.content.decode()
    assert figure(html, "assets") == "2"
    assert figure(html, "defects") == "4"  # D1, D2, D3, D5: all time
    assert figure(html, "claims") == "1"
    assert figure(html, "lifecycle") == "1,800.00"  # W1 1000 + W2 500 + W7 300
    assert listed(client, link(html, "open")) == 1  # W4
    assert html.count("data-defect=") == 4
    assert f'href="/o/acme/projects/{data.project.pk}/maintenance/"' in html  # the O&M tab


def test_a_project_that_handed_nothing_over_says_so(organization: Organization, client: Client) -> None:
    project = ProjectFactory(organization=organization, phase=Phase.CLOSING)
    html = client.get(f"/o/acme/projects/{project.pk}/maintenance/").content.decode()
    assert 'id="om-empty"' in html


def panel_context(membership: Membership, project: Any = None) -> PanelContext:
    from django.test import RequestFactory

    return PanelContext(
        request=RequestFactory().get("/"),
        organization=membership.organization,
        membership=membership,
        project=project,
        project_role=None,
    )


def test_the_dashboard_panel_shows_the_headline_in_its_queries_and_nothing_without_assets(
    organization: Organization, django_assert_num_queries: Any
) -> None:
    viewer = member(organization, OrgRole.VIEWER)
    with django_assert_num_queries(PORTFOLIO_QUERIES):
        assert portfolio_maintenance(panel_context(viewer)) is None
    hand_worked(organization, timezone.now())
    with django_assert_num_queries(PORTFOLIO_QUERIES):
        found = portfolio_maintenance(panel_context(viewer))
    assert found is not None
    assert (found["om_figures"].open_work_orders, found["om_figures"].warranty_claims) == (3, 2)
    html = page_client_for(viewer.user).get("/o/acme/").content.decode()
    assert 'data-panel="portfolio-maintenance"' in html


def test_the_project_panel_shows_the_assets_in_operation(
    data: HandWorked, organization: Organization, django_assert_num_queries: Any
) -> None:
    viewer = member(organization, OrgRole.VIEWER)
    with django_assert_num_queries(PROJECT_QUERIES):
        found = project_maintenance(panel_context(viewer, data.project))
    assert found is not None
    assert (found["om_record"].warranty_claims, found["om_lifecycle"].cost) == (1, Decimal("1800.00"))
    other = ProjectFactory(organization=organization)
    with django_assert_num_queries(PROJECT_QUERIES):
        assert project_maintenance(panel_context(viewer, other)) is None
    html = page_client_for(viewer.user).get(f"/o/acme/projects/{data.project.pk}/").content.decode()
    assert 'data-panel="project-maintenance"' in html


def test_the_figures_api_gives_the_pages_figures_with_the_same_filters(
    data: HandWorked, organization: Organization
) -> None:
    api = api_client_for(member(organization, OrgRole.VIEWER).user)
    body = api.get(API).json()
    assert (body["response"]["compliance"], body["resolution"]["compliance"]) == ("50.0", "33.3")
    assert body["work_orders"]["open_by_priority"] == {"P1": 1, "P2": 0, "P3": 1, "P4": 1}
    assert body["work_orders"]["open_by_age"] == {
        "under_1_day": 1,
        "days_1_to_7": 1,
        "days_7_to_30": 0,
        "days_30_or_more": 1,
    }
    assert (body["cost"]["total"], body["cost"]["per_asset"], body["cost"]["per_m2"]) == ("1500.00", "500.00", "10.00")
    with translation.override("en"):
        road = api.get(API, HTTP_ACCEPT_LANGUAGE="en").json()["defects"]["by_category"][0]
    assert [row["code"] for row in road["criteria"]] == ["pothole", "bump"]
    narrowed = api.get(API, {"site": data.s2.pk, "by": "site"}).json()
    assert narrowed["work_orders"]["open"] == 2
    assert [row["id"] for row in narrowed["breakdown"]] == [data.s2.pk]


def test_the_figures_api_refuses_bad_filters(organization: Organization) -> None:
    api = api_client_for(member(organization, OrgRole.VIEWER).user)
    assert api.get(API, {"since": "2026-03-10", "until": "2026-03-01"}).status_code == 400
    assert api.get(API, {"site": "x"}).status_code == 400
    assert api.get(API, {"by": "colour"}).status_code == 400


def test_the_figures_api_takes_a_fixed_number_of_queries(data: HandWorked, organization: Organization) -> None:
    api = api_client_for(member(organization, OrgRole.VIEWER).user)

    def count(**params: Any) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(API, params).status_code == 200
        return len(queries)

    plain, by_site = count(), count(by="site")
    for _ in range(4):
        WorkOrderFactory(organization=organization)
    assert (count(), count(by="site")) == (plain, by_site)
    assert by_site == plain + BREAKDOWN_QUERIES + 1  # and the rows' names
