"""The navigation apps contribute: main entries, project tabs, and panels in named slots of other apps' pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from pmo import navigation
from pmo.models import Organization, OrgRole
from pmo.navigation import NavEntry, Panel, PanelContext, ProjectTab
from pmo.policy import Action
from projects.models import Project, WbsElement
from projects.permissions import ProjectAction
from tests.conftest import page_client_for
from tests.factories import member
from tests.finance.test_pages_support import Books, build_books
from tests.projects.test_pages_support import add, client_with_role, make_project

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).parent / "templates"


def nav_links(html: str) -> list[tuple[str, str, bool]]:
    """(label, href, current) of each main navigation entry, in order."""
    nav = re.search(r'<ul role="list" id="mainnav-list">(.*?)</ul>', html, re.S)
    assert nav is not None
    return [
        (label, href, "aria-current" in attributes)
        for href, attributes, label in re.findall(r'<li><a href="([^"]*)"([^>]*)>([^<]*)</a></li>', nav.group(1))
    ]


@pytest.fixture
def registered() -> Iterator[list[NavEntry | ProjectTab | Panel]]:
    """Entries a test registers, taken out again afterwards."""
    added: list[NavEntry | ProjectTab | Panel] = []
    yield added
    for entry in added:
        if isinstance(entry, NavEntry):
            navigation.main.unregister(entry)
        elif isinstance(entry, ProjectTab):
            navigation.project_tabs.unregister(entry)
        else:
            navigation.panels.unregister(entry)


@pytest.fixture
def panel_templates(settings: Any) -> None:
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES]}]


def test_the_apps_fill_the_main_navigation_in_the_order_of_before(organization: Organization) -> None:
    assert [entry.key for entry in navigation.main] == [
        "dashboard",
        "projects",
        "resources",
        "risks",
        "quality",
        "finance",
        "maintenance",
        "alerts",
        "settings",
    ]
    admin = member(organization, OrgRole.ADMIN)
    with translation.override("en"):
        html = page_client_for(admin.user).get("/o/acme/projects/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert nav_links(html) == [
        ("Dashboard", "/o/acme/", False),
        ("Projects", "/o/acme/projects/", True),
        ("Resources", "/o/acme/resources/", False),
        ("Risks", "/o/acme/risks/", False),
        ("Quality", "/o/acme/quality/", False),
        ("Finance", "/o/acme/finance/", False),
        ("Maintenance", "/o/acme/maintenance/", False),
        ("Alerts", "/o/acme/alerts/", False),
        ("Settings", "/o/acme/settings/", False),
    ]


def test_an_entry_shows_only_to_members_who_may_take_its_action(organization: Organization) -> None:
    viewer = member(organization, OrgRole.VIEWER)
    html = page_client_for(viewer.user).get("/o/acme/risks/").content.decode()
    links = nav_links(html)
    assert "/o/acme/settings/" not in [href for _label, href, _current in links]
    assert [(href, current) for _label, href, current in links if current] == [("/o/acme/risks/", True)]


def test_an_app_adds_an_entry_without_touching_the_core(
    organization: Organization, registered: list[NavEntry | ProjectTab | Panel]
) -> None:
    entry = navigation.main.register(
        NavEntry("audit", _("Audit trail"), "org-audit", order=85, action=Action.AUDIT_VIEW)
    )
    registered.append(entry)
    admin, viewer = member(organization, OrgRole.ADMIN), member(organization, OrgRole.VIEWER)
    with translation.override("en"):
        html = page_client_for(admin.user).get("/o/acme/audit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    links = nav_links(html)
    assert [label for label, _href, _current in links][-3:] == ["Alerts", "Audit trail", "Settings"]
    # The page is the entry's own URL, so the entry is the current one.
    assert ("Audit trail", "/o/acme/audit/", True) in links
    assert "/o/acme/audit/" not in page_client_for(viewer.user).get("/o/acme/").content.decode()


def test_a_key_registered_twice_with_another_entry_is_refused(
    registered: list[NavEntry | ProjectTab | Panel],
) -> None:
    entry = NavEntry("x-test", "X", "org-home", order=1, action=Action.ORG_VIEW)
    registered.append(navigation.main.register(entry))
    navigation.main.register(entry)  # the same entry again (ready() run twice) is fine
    with pytest.raises(ImproperlyConfigured):
        navigation.main.register(NavEntry("x-test", "X", "org-projects", order=1, action=Action.ORG_VIEW))


def tab_keys(client: Client, project: Project) -> list[str]:
    return [tab.key for tab in client.get(f"/o/acme/projects/{project.pk}/").context["tabs"]]


def test_the_project_tabs_come_from_projects_finance_and_risks_and_edit_stays_last(
    organization: Organization,
) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    keys = tab_keys(client, project)
    assert keys[:11] == [
        "overview",
        "wbs",
        "gantt",
        "baselines",
        "status",
        "changes",
        "changelog",
        "gates",
        "finance",
        "earned_value",
        "risks",
    ]
    # The risks app's other tabs (issues, analysis…) follow its register; editing stays last.
    assert keys[-1] == "edit"
    assert keys == [tab.key for tab in navigation.project_tabs]


def test_a_tab_may_depend_on_the_project_row(
    organization: Organization, registered: list[NavEntry | ProjectTab | Panel]
) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    odd = ProjectTab("odd", "Odd", "project-gate", order=5, action=Action.ORG_VIEW, when=lambda p: p.code.endswith("1"))
    registered.append(navigation.project_tabs.register(odd))
    assert "odd" in tab_keys(client, project)
    assert "odd" not in tab_keys(client, make_project(organization, admin.user, code="P-2"))


# --- panels ------------------------------------------------------------------------------


def tasks_panel(given: PanelContext) -> Mapping[str, Any]:
    """One query for all the project's WBS rows, however many there are."""
    tasks = list(WbsElement.objects.for_organization(given.organization).filter(project=given.project))
    return {"panel_title": f"{len(tasks)} rows", "panel_tasks": tasks}


def hidden_panel(given: PanelContext) -> None:
    return None


def page_queries(client: Client, url: str) -> tuple[int, str]:
    client.get(url)  # anything cached on a first visit is cached before counting
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("rows", [2, 12])
def test_a_panel_on_the_project_overview_costs_exactly_its_declared_queries(
    rows: int,
    organization: Organization,
    registered: list[NavEntry | ProjectTab | Panel],
    panel_templates: None,
) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    for number in range(rows):
        add(project, admin.user, f"Task {number}")
    url = f"/o/acme/projects/{project.pk}/"
    before, html = page_queries(client, url)
    assert 'data-panel="test-tasks"' not in html

    panel = Panel("project_overview", "test-tasks", "test_panels/tasks.html", tasks_panel, queries=1)
    registered.append(navigation.panels.register(panel))
    registered.append(
        navigation.panels.register(Panel("project_overview", "hidden", "test_panels/tasks.html", hidden_panel, 0))
    )
    after, html = page_queries(client, url)

    assert after == before + panel.queries
    section = re.search(r'<section class="card" data-panel="test-tasks">.*?</section>', html, re.S)
    assert section is not None
    assert f"<h2>{rows} rows</h2>" in section.group()
    assert "<p>P-1</p>" in section.group()
    assert section.group().count("<li>") == rows
    # Inside the overview's grid, after the team.
    assert html.index('id="team"') < section.start() < html.index("</main>")


def test_a_panel_is_shown_only_to_members_who_may_take_its_action(
    organization: Organization, registered: list[NavEntry | ProjectTab | Panel], panel_templates: None
) -> None:
    _client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    registered.append(
        navigation.panels.register(
            Panel(
                "project_overview",
                "test-tasks",
                "test_panels/tasks.html",
                tasks_panel,
                queries=1,
                action=ProjectAction.PROJECT_MANAGE,
            )
        )
    )
    url = f"/o/acme/projects/{project.pk}/"
    assert 'data-panel="test-tasks"' in page_client_for(admin.user).get(url).content.decode()
    viewer = member(organization, OrgRole.VIEWER)
    assert 'data-panel="test-tasks"' not in page_client_for(viewer.user).get(url).content.decode()


def risk_eac_panel(given: PanelContext) -> Mapping[str, Any]:
    evm = given.values["evm"]
    return {
        "panel_bac": evm.figures.bac,
        "panel_as_of": given.values["as_of"],
        "panel_risks": Project.objects.for_organization(given.organization).count(),
    }


def test_a_panel_in_the_forecasts_of_the_earned_value_page_gets_the_figures_and_costs_its_queries(
    organization: Organization, registered: list[NavEntry | ProjectTab | Panel], panel_templates: None
) -> None:
    books: Books = build_books(organization)
    client = books.client(books.viewer)
    url = books.url(f"earned-value/?as_of={dt.date(2026, 3, 13).isoformat()}")
    before, html = page_queries(client, url)

    panel = Panel("evm_forecast", "test-eac", "test_panels/eac.html", risk_eac_panel, queries=1)
    registered.append(navigation.panels.register(panel))
    after, html = page_queries(client, url)

    assert after == before + panel.queries
    forecasts = re.search(r'<section class="card" aria-labelledby="forecasts-title">.*?</section>', html, re.S)
    assert forecasts is not None
    assert '<p data-panel="test-eac">4000.00 · 2026-03-13 · 1</p>' in forecasts.group()


def test_the_registered_panels_stay_within_their_declared_queries(organization: Organization) -> None:
    """Whatever panels the apps registered, each slot's page grows by exactly their declared queries."""
    books = build_books(organization)
    client = books.client(books.manager)
    pages = {
        "project_overview": books.url(),
        "evm_forecast": books.url("earned-value/"),
        "portfolio_dashboard": f"/o/{organization.slug}/",
    }
    assert set(pages) == set(navigation.panels.slots)
    for slot, url in pages.items():
        shown = navigation.panels.in_slot(slot)
        with_panels, _html = page_queries(client, url)
        for panel in shown:
            navigation.panels.unregister(panel)
        try:
            without, _html = page_queries(client, url)
        finally:
            for panel in shown:
                navigation.panels.register(panel)
        assert with_panels == without + sum(panel.queries for panel in shown), slot


def test_every_panel_fills_a_slot_that_a_page_declares(registered: list[NavEntry | ProjectTab | Panel]) -> None:
    assert navigation.panels.problems() == []
    stray = Panel("nowhere", "stray", "test_panels/tasks.html", hidden_panel, queries=0)
    registered.append(navigation.panels.register(stray))
    assert navigation.panels.problems() == ["The panel 'stray' fills the slot 'nowhere' that no app declares."]


def test_a_panel_running_more_queries_than_it_declares_is_an_error_while_developing_and_a_warning_after(
    organization: Organization,
    registered: list[NavEntry | ProjectTab | Panel],
    panel_templates: None,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    add(project, admin.user, "Survey")
    registered.append(
        navigation.panels.register(Panel("project_overview", "sly", "test_panels/tasks.html", tasks_panel, queries=0))
    )
    url = f"/o/acme/projects/{project.pk}/"

    settings.DEBUG = True
    with pytest.raises(ImproperlyConfigured, match="project_overview:sly ran 1 queries; it declares 0"):
        client.get(url)

    settings.DEBUG = False
    response = client.get(url)
    assert response.status_code == 200
    assert 'data-panel="test-tasks"' in response.content.decode()
    assert "project_overview:sly ran 1 queries; it declares 0." in caplog.text
