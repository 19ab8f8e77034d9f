"""The quality overview pages, the project overview's panel and the figures API: what they show, the
drill-down links, both languages, and a fixed number of queries however many projects and records."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pmo import navigation
from pmo.models import Organization, OrgRole
from projects.models import Phase, Project
from quality.models import Discipline
from tests.conftest import api_client_for, page_client_for
from tests.factories import (
    InspectionFactory,
    InspectionTypeFactory,
    NonConformanceFactory,
    PlanEntryFactory,
    ProjectFactory,
    SatisfactionSurveyFactory,
    member,
)

pytestmark = pytest.mark.django_db


def stocked(organization: Organization, code: str) -> Project:
    project = ProjectFactory(organization=organization, code=code, name=f"Road {code}", phase=Phase.EXECUTION)
    today = organization.today()
    for outcome in ("passed", "passed", "passed_with_remarks", "failed"):
        InspectionFactory(project=project, status="signed", outcome=outcome, signed_at=timezone.now())
    InspectionFactory(project=project, status="scheduled", scheduled_date=today - dt.timedelta(days=4))
    PlanEntryFactory(project=project, planned_date=today - dt.timedelta(days=2))
    NonConformanceFactory(project=project, severity="major", due_date=today - dt.timedelta(days=3), title="Rut")
    NonConformanceFactory(
        project=project,
        status="closed",
        severity="minor",
        closed_on=today,
        days_to_close=6,
        verification_note="ok",
        raised_on=today - dt.timedelta(days=6),
    )
    SatisfactionSurveyFactory(project=project)
    return project


def count(client: Any, url: str) -> tuple[int, str]:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


def test_the_project_overview_shows_the_figures_and_drills_down(organization: Organization) -> None:
    project = stocked(organization, "R1")
    client = page_client_for(member(organization, OrgRole.VIEWER).user)
    html = client.get(f"/o/acme/projects/{project.pk}/quality/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="q-fpy" data-value="75.0"' in html
    assert "3 of 4 first inspections passed" in html
    assert 'id="q-overdue" data-value="1"' in html
    assert 'id="q-planned" data-value="2"' in html
    assert f"/o/acme/projects/{project.pk}/quality/ncs/?overdue=true" in html
    assert f"/o/acme/projects/{project.pk}/quality/ncs/?severity=major&amp;status=open" in html
    assert "Rut" in html  # the overdue list
    assert 'id="safety-veto"' not in html


def test_the_pages_read_in_chinese(organization: Organization) -> None:
    project = stocked(organization, "R1")
    user = member(organization, OrgRole.VIEWER).user
    user.language = "zh-hans"
    user.save()
    client = page_client_for(user)
    html = client.get(f"/o/acme/projects/{project.pk}/quality/").content.decode()
    assert "一次合格率" in html
    assert "按严重程度和状态统计的质量问题" in html
    html = client.get("/o/acme/quality/").content.decode()
    assert "各进行中项目的质量" in html


def test_a_safety_veto_is_shown_on_the_pages(organization: Organization) -> None:
    project = stocked(organization, "R1")
    safety = InspectionTypeFactory(organization=organization, code="safety", discipline=Discipline.SAFETY)
    NonConformanceFactory(project=project, severity="critical", inspection_type=safety)
    client = page_client_for(member(organization, OrgRole.VIEWER).user)
    html = client.get(f"/o/acme/projects/{project.pk}/quality/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="safety-veto"' in html
    html = client.get("/o/acme/quality/").content.decode()
    assert f'id="quality-project-{project.pk}" data-veto="true"' in html
    html = client.get(f"/o/acme/projects/{project.pk}/").content.decode()
    assert 'data-panel="project-quality"' in html
    assert 'data-veto="true"' in html


def test_the_org_page_and_the_api_read_a_fixed_number_of_queries(organization: Organization) -> None:
    viewer = member(organization, OrgRole.VIEWER).user
    client, api = page_client_for(viewer), api_client_for(viewer)
    stocked(organization, "A1")
    page_one, html = count(client, "/o/acme/quality/")
    api_one, _body = count(api, "/api/v1/orgs/acme/quality-figures/")
    for code in ("B1", "C1", "D1"):
        stocked(organization, code)
    page_many, html = count(client, "/o/acme/quality/")
    api_many, _body = count(api, "/api/v1/orgs/acme/quality-figures/")
    assert (page_one, api_one) == (page_many, api_many) == (PINNED_ORG_PAGE, PINNED_ORG_API)
    assert len(re.findall(r'id="quality-project-\d+"', html)) == 4


def test_the_project_page_and_api_read_a_fixed_number_of_queries(organization: Organization) -> None:
    viewer = member(organization, OrgRole.VIEWER).user
    client, api = page_client_for(viewer), api_client_for(viewer)
    small = ProjectFactory(organization=organization, code="S1")
    large = stocked(organization, "L1")
    for _ in range(5):
        NonConformanceFactory(project=large, due_date=organization.today() - dt.timedelta(days=1))
    counts = {
        name: count(client, f"/o/acme/projects/{project.pk}/quality/")[0] for name, project in ((1, small), (2, large))
    }
    assert counts[1] == counts[2] == PINNED_PROJECT_PAGE
    api_counts = [count(api, f"/api/v1/orgs/acme/projects/{p.pk}/quality-figures/")[0] for p in (small, large)]
    assert api_counts == [PINNED_PROJECT_API, PINNED_PROJECT_API]


def test_the_api_answers_the_figures(organization: Organization) -> None:
    project = stocked(organization, "R1")
    api = api_client_for(member(organization, OrgRole.VIEWER).user)
    body = api.get(f"/api/v1/orgs/acme/projects/{project.pk}/quality-figures/").json()
    figures = body["figures"]
    assert figures["inspections"]["first_pass_yield"] == "75.0"
    assert figures["inspections"]["planned_overdue"] == 2
    assert figures["non_conformances"]["overdue"] == 1
    assert figures["non_conformances"]["by_severity"] == {"minor": 1, "major": 1, "critical": 0}
    assert figures["days_to_close"] == {"closed": 1, "mean_days": "6.0", "p90_days": "6.0"}
    assert figures["satisfaction"] == {"average": "4.00", "surveys": 1}
    portfolio = api.get("/api/v1/orgs/acme/quality-figures/").json()
    assert [row["code"] for row in portfolio["projects"]] == ["R1"]
    assert portfolio["totals"]["inspections"]["first_inspections"] == 4


def test_another_organisation_gets_404(organization: Organization, other_organization: Organization) -> None:
    project = stocked(organization, "R1")
    outsider = member(other_organization, OrgRole.ADMIN).user
    assert api_client_for(outsider).get(f"/api/v1/orgs/acme/projects/{project.pk}/quality-figures/").status_code == 404
    assert page_client_for(outsider).get(f"/o/acme/projects/{project.pk}/quality/").status_code == 404


def test_the_panel_declares_its_queries() -> None:
    [panel] = [p for p in navigation.panels.in_slot("project_overview") if p.key == "project_quality"]
    assert panel.queries == 5


# The session, the user, the membership and the header's organisations and alert bell (the page's own);
# the open projects and the five figure queries.
PINNED_ORG_PAGE = 11
# The membership, the open projects and the five figure queries.
PINNED_ORG_API = 7
# The page's own (session, user, project with membership and role, tabs, header) and eight: the five
# figure queries and the three overdue lists.
PINNED_PROJECT_PAGE = 15
# The project with the membership, and the five figure queries.
PINNED_PROJECT_API = 6


def _links(html: str, severity: str, status: str) -> list[str]:
    """The hrefs of the severity by status table's cells (``&amp;`` unescaped)."""
    pattern = rf'href="([^"]*\?[^"]*severity={severity}[^"]*status={status}[^"]*)"'
    return [href.replace("&amp;", "&") for href in re.findall(pattern, html)]


def test_the_open_column_links_to_the_open_step_only(organization: Organization) -> None:
    project = ProjectFactory(organization=organization, code="R1", phase=Phase.EXECUTION)
    NonConformanceFactory(project=project, severity="major", title="Fresh rut")
    NonConformanceFactory(project=project, severity="major", status="analysis", title="Analysed rut")
    client = page_client_for(member(organization, OrgRole.VIEWER).user)
    html = client.get(f"/o/acme/projects/{project.pk}/quality/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    [cell] = _links(html, "major", "open")
    listed = client.get(cell, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Fresh rut" in listed
    assert "Analysed rut" not in listed
    # the "open non-conformances" figure still lists every open step
    [figure] = re.findall(r'id="q-open" data-value="2"><a href="([^"]+)"', html)
    listed = client.get(figure.replace("&amp;", "&"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Fresh rut" in listed
    assert "Analysed rut" in listed


def test_the_org_tables_links_keep_to_the_open_projects_it_counts(organization: Organization) -> None:
    running = ProjectFactory(organization=organization, code="R1", phase=Phase.EXECUTION)
    done = ProjectFactory(organization=organization, code="D1", phase=Phase.CLOSED)
    NonConformanceFactory(project=running, severity="minor", title="Running rut")
    NonConformanceFactory(project=done, severity="minor", title="Finished rut")
    client = page_client_for(member(organization, OrgRole.VIEWER).user)
    html = client.get("/o/acme/quality/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="q-open" data-value="1"' in html
    links = [*_links(html, "minor", "open"), *re.findall(r'id="q-open" data-value="1"><a href="([^"]+)"', html)]
    assert len(links) == 2
    for link in links:
        listed = client.get(link.replace("&amp;", "&"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Running rut" in listed, link
        assert "Finished rut" not in listed, link
    # so do the inspection lists the figures link to
    InspectionFactory(project=running, status="signed", outcome="passed", signed_at=timezone.now())
    finished = InspectionFactory(project=done, status="signed", outcome="passed", signed_at=timezone.now())
    html = client.get("/o/acme/quality/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    [signed] = re.findall(r'id="q-fpy" data-value="100.0"><a href="([^"]+)"', html)
    listed = client.get(signed.replace("&amp;", "&"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="muted small">R1<' in listed
    assert 'class="muted small">D1<' not in listed
    assert f"/quality/inspections/{finished.pk}/" not in listed
