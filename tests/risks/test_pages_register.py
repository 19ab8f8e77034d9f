"""The register pages: a project's and the organisation's, filters, sorting, empty states, query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation

from pmo.models import Organization, OrgRole
from projects.models import ProjectRole
from risks.models import Risk
from risks.services.register import risk_set_status
from tests.factories import PortfolioFactory, WbsElementFactory
from tests.risks.pages_support import (
    assess,
    join,
    make_project,
    page_queries,
    raise_risk,
    role_client,
    text_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def risk_manager(organization: Organization):
    return role_client(organization, OrgRole.RISK, username="rita")


@pytest.fixture
def project(organization: Organization, risk_manager):
    return make_project(organization, risk_manager[1])


def linked_cells(html: str) -> dict[str, str]:
    """Cell "p-i" → its link, for the heat map's cells that hold risks."""
    return {cell: href for href, cell in re.findall(r'<a href="([^"]*)" aria-label="[^"]*" data-cell="(\d-\d)"', html)}


def codes_in(html: str) -> list[str]:
    return re.findall(r'<td class="nowrap risk-code"><a href="[^"]*">(R-\d{3})</a>', html)


def test_a_viewer_reads_the_project_register_with_its_heat_map_and_risks(organization, project, risk_manager) -> None:
    _client, manager = risk_manager
    risk = assess(raise_risk(organization, manager, project, title="Transformer arrives late"), manager, 4, 4)
    viewer_client, _viewer = role_client(organization, OrgRole.VIEWER)

    response = viewer_client.get(f"/o/acme/projects/{project.pk}/risks/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Transformer arrives late" in html
    assert 'class="heatmap"' in html
    # The cell (4, 4) holds the risk and links to the register filtered to it.
    cells = linked_cells(html)
    assert list(cells) == ["4-4"]
    assert "probability=4" in cells["4-4"]
    assert "impact=4" in cells["4-4"]
    assert "status=open" in cells["4-4"]
    assert f"/o/acme/projects/{project.pk}/risks/{risk.pk}/" in html
    # A viewer may not raise risks.
    assert f"/o/acme/projects/{project.pk}/risks/new/" not in html
    assert response.context["tab"] == "risks"


def test_the_risks_tab_shows_on_the_project_pages(organization, project, risk_manager) -> None:
    client, _manager = risk_manager
    tabs = [tab.key for tab in client.get(f"/o/acme/projects/{project.pk}/").context["tabs"]]
    assert "risks" in tabs


def test_the_main_navigation_leads_to_the_organisation_register(organization, project, risk_manager) -> None:
    client, manager = risk_manager
    raise_risk(organization, manager, None, title="Key supplier insolvency")
    raise_risk(organization, manager, project, title="Rain delays earthworks")

    response = client.get("/o/acme/risks/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Key supplier insolvency" in html
    assert "Rain delays earthworks" in html
    assert 'aria-current="page">Risks<' in html or response.context["nav_active"] == "risks"


def test_an_empty_register_says_so_and_offers_to_raise_the_first_risk(organization, project, risk_manager) -> None:
    client, _manager = risk_manager
    with translation.override("en"):
        html = client.get(f"/o/acme/projects/{project.pk}/risks/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No risks yet." in html
    assert f"/o/acme/projects/{project.pk}/risks/new/" in html


def test_filters_narrow_the_register_and_say_when_nothing_matches(organization, project, risk_manager) -> None:
    client, manager = risk_manager
    owner = role_client(organization, OrgRole.MEMBER, username="olga")[1]
    element = WbsElementFactory(project=project, organization=organization, name="Foundations")
    high = assess(raise_risk(organization, manager, project, title="High one", owner=owner), manager, 5, 4)
    low = assess(raise_risk(organization, manager, project, title="Low one", wbs_elements=[element]), manager, 1, 2)
    raise_risk(organization, manager, project, title="Not yet assessed", kind="opportunity")
    url = f"/o/acme/projects/{project.pk}/risks/"

    assert codes_in(client.get(url, {"level": "high"}).content.decode()) == [high.code]
    assert codes_in(client.get(url, {"owner": owner.pk}).content.decode()) == [high.code]
    assert codes_in(client.get(url, {"wbs": element.pk}).content.decode()) == [low.code]
    assert codes_in(client.get(url, {"kind": "opportunity"}).content.decode()) == ["R-003"]
    assert codes_in(client.get(url, {"status": "identified"}).content.decode()) == ["R-003"]
    assert codes_in(client.get(url, {"probability": 5, "impact": 4, "basis": "current"}).content.decode()) == [
        high.code
    ]
    assert codes_in(client.get(url, {"q": "R-002"}).content.decode()) == [low.code]
    with translation.override("en"):
        html = client.get(url, {"q": "nothing like it"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No risks match these filters." in html


def test_the_overdue_filter_finds_open_risks_past_their_review_date(organization, project, risk_manager) -> None:
    client, manager = risk_manager
    late = assess(raise_risk(organization, manager, project, title="Late review"), manager, 3, 3)
    assess(raise_risk(organization, manager, project, title="On time"), manager, 3, 3)
    Risk.objects.for_organization(organization).filter(pk=late.pk).update(next_review=dt.date(2020, 1, 1))

    html = client.get(f"/o/acme/projects/{project.pk}/risks/", {"overdue": "on"}).content.decode()

    assert codes_in(html) == [late.code]
    assert "overdue" in text_of(html)


def test_the_heat_map_cells_filter_by_the_inherent_assessment_when_asked(organization, project, risk_manager) -> None:
    client, manager = risk_manager
    risk = assess(raise_risk(organization, manager, project), manager, 5, 5)
    assess(risk, manager, 2, 2, reason="Mitigated")
    url = f"/o/acme/projects/{project.pk}/risks/"

    inherent = client.get(url, {"map": "inherent"}).content.decode()
    current = client.get(url).content.decode()

    assert 'data-basis="inherent"' in inherent
    assert 'data-basis="current"' in current
    assert list(linked_cells(inherent)) == ["5-5"]
    assert "basis=inherent" in linked_cells(inherent)["5-5"]
    assert list(linked_cells(current)) == ["2-2"]
    assert "basis=current" in linked_cells(current)["2-2"]
    assert codes_in(client.get(url, {"basis": "inherent", "probability": 5, "impact": 5}).content.decode()) == [
        risk.code
    ]
    assert codes_in(client.get(url, {"basis": "current", "probability": 5, "impact": 5}).content.decode()) == []


def test_sorting_by_score_puts_the_highest_first_and_can_reverse(organization, project, risk_manager) -> None:
    client, manager = risk_manager
    low = assess(raise_risk(organization, manager, project, title="Low"), manager, 1, 1)
    high = assess(raise_risk(organization, manager, project, title="High"), manager, 5, 5)
    unassessed = raise_risk(organization, manager, project, title="Unassessed")
    url = f"/o/acme/projects/{project.pk}/risks/"

    assert codes_in(client.get(url).content.decode()) == [high.code, low.code, unassessed.code]
    assert codes_in(client.get(url, {"ordering": "score"}).content.decode()) == [low.code, high.code, unassessed.code]
    assert codes_in(client.get(url, {"ordering": "code"}).content.decode()) == [low.code, high.code, unassessed.code]


def test_the_organisation_register_filters_by_portfolio_and_by_organisation_level(organization, risk_manager) -> None:
    client, manager = risk_manager
    portfolio = PortfolioFactory(organization=organization, name="Energy")
    inside = make_project(organization, manager, code="P-1", portfolio=portfolio)
    outside = make_project(organization, manager, code="P-2")
    a = raise_risk(organization, manager, inside, title="Inside")
    raise_risk(organization, manager, outside, title="Outside")
    org_risk = raise_risk(organization, manager, None, title="Organisation")

    inside_html = client.get("/o/acme/risks/", {"portfolio": portfolio.pk}).content.decode()
    org_html = client.get("/o/acme/risks/", {"scope": "organisation"}).content.decode()

    assert "Inside" in inside_html
    assert "Outside" not in inside_html
    assert a.code in codes_in(inside_html)
    assert codes_in(org_html) == [org_risk.code]


def test_a_closed_risk_leaves_the_heat_map_but_stays_in_the_register(organization, project, risk_manager) -> None:
    client, manager = risk_manager
    risk = assess(raise_risk(organization, manager, project), manager, 3, 3)
    risk_set_status(actor=manager, risk=risk, status="closed", reason="Done")

    response = client.get(f"/o/acme/projects/{project.pk}/risks/")

    assert response.context["heat_map"].total == 0
    assert codes_in(response.content.decode()) == [risk.code]


@pytest.mark.parametrize("page", ["project", "organisation"])
def test_the_register_pages_run_a_fixed_number_of_queries(organization, project, risk_manager, page) -> None:
    client, manager = risk_manager
    url = f"/o/acme/projects/{project.pk}/risks/" if page == "project" else "/o/acme/risks/"
    assess(raise_risk(organization, manager, project, title="First"), manager, 2, 3)
    one, _html = page_queries(client, url)
    for number in range(29):
        risk = raise_risk(organization, manager, project, title=f"Risk {number}", owner=manager)
        if number % 2:
            assess(risk, manager, 1 + number % 5, 1 + (number * 3) % 5)
    raise_risk(organization, manager, None, title="Organisation-level")
    thirty, html = page_queries(client, url)
    assert thirty == one
    assert len(codes_in(html)) == 25


def test_a_member_of_the_project_team_sees_the_register(organization, project, risk_manager) -> None:
    _client, manager = risk_manager
    client, member_user = role_client(organization, OrgRole.MEMBER)
    join(project, manager, member_user, ProjectRole.MEMBER)
    assert client.get(f"/o/acme/projects/{project.pk}/risks/").status_code == 200


def test_another_organisations_project_register_answers_404(organization, other_organization, project) -> None:
    client, _outsider = role_client(other_organization, OrgRole.ADMIN)
    assert client.get(f"/o/acme/projects/{project.pk}/risks/").status_code == 404
    assert client.get(f"/o/rival/projects/{project.pk}/risks/").status_code == 404


def test_the_register_and_its_heat_map_speak_chinese(organization, project, risk_manager) -> None:
    client, manager = risk_manager
    assess(raise_risk(organization, manager, project), manager, 4, 4)
    manager.language = "zh-hans"
    manager.save(update_fields=["language"])
    html = client.get(f"/o/acme/projects/{project.pk}/risks/").content.decode()
    assert "风险登记册" in html
    assert "热力图" in html
    assert "概率 4，影响 4（高）：1 个风险" in html


def test_nonsense_in_the_query_string_shows_no_rows_rather_than_an_error(organization, project, risk_manager) -> None:
    client, manager = risk_manager
    assess(raise_risk(organization, manager, project), manager, 4, 4)
    url = f"/o/acme/projects/{project.pk}/risks/"

    bad = client.get(url, {"probability": "9", "owner": "abc", "ordering": "bogus", "map": "sideways"})
    odd_order = client.get(url, {"ordering": "bogus", "map": "sideways"})

    assert bad.status_code == 200
    assert codes_in(bad.content.decode()) == []
    assert odd_order.status_code == 200
    assert codes_in(odd_order.content.decode()) == ["R-001"]
    assert odd_order.context["heat_map_basis"] == "current"
