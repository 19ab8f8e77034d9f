"""The portfolio pages: the project list with its filters, new projects, portfolios and programmes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo.models import Organization, OrgRole
from projects.models import Phase, Portfolio, Project, ProjectMember, ProjectRole
from tests.factories import PortfolioFactory, ProjectFactory, StatusReportFactory, member
from tests.projects.test_pages_support import START, add, client_with_role, make_project

pytestmark = pytest.mark.django_db

LIST = "/o/acme/projects/"


def codes(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["project"].code for row in response.context["rows"]]


def test_every_role_sees_the_project_list(organization: Organization) -> None:
    ProjectFactory(organization=organization, code="A-1")
    for role in OrgRole:
        client, _membership = client_with_role(organization, role)
        response = client.get(LIST)
        assert response.status_code == 200, role
        assert codes(response) == ["A-1"]


def test_the_list_shows_progress_and_the_rag_of_the_latest_status_report(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user, code="A-1")
    add(project, admin.user, "Survey", budgeted_cost=300)
    task = add(project, admin.user, "Design", budgeted_cost=100)
    from projects.services import plan

    plan.task_progress_update(actor=admin.user, task=task, percent_complete=50, effective_date=START)
    StatusReportFactory(project=project, period_end=dt.date(2026, 3, 6), rag_overall="red")
    StatusReportFactory(project=project, period_end=dt.date(2026, 3, 13), rag_overall="amber")
    silent = ProjectFactory(organization=organization, code="B-1")

    response = client.get(LIST)

    rows = {row["project"].code: row for row in response.context["rows"]}
    assert rows["A-1"]["project"].rag == "amber"
    assert rows["A-1"]["percent"] == pytest.approx(12.5)
    assert rows["B-1"]["project"].rag is None
    assert rows["B-1"]["percent"] is None
    html = response.content.decode()
    assert 'class="badge badge-amber rag"' in html
    assert silent.code in html


def test_the_list_filters_by_phase_portfolio_with_its_programmes_manager_text_and_dates(
    organization: Organization,
) -> None:
    client, _admin = client_with_role(organization, OrgRole.ADMIN)
    boss = member(organization, OrgRole.PROJECT_MANAGER).user
    portfolio = PortfolioFactory(organization=organization, name="Urban renewal")
    programme = PortfolioFactory(organization=organization, name="Greenway", parent=portfolio, kind="programme")
    ProjectFactory(organization=organization, code="P-1", name="Park", portfolio=portfolio, phase=Phase.EXECUTION)
    ProjectFactory(
        organization=organization,
        code="P-2",
        name="Bridge",
        portfolio=programme,
        manager=boss,
        planned_start=dt.date(2027, 1, 4),
        client="River district",
    )
    ProjectFactory(organization=organization, code="P-3", name="Depot", planned_finish=dt.date(2026, 4, 30))

    assert codes(client.get(LIST, {"phase": "execution"})) == ["P-1"]
    assert codes(client.get(LIST, {"portfolio": portfolio.pk})) == ["P-1", "P-2"]
    assert codes(client.get(LIST, {"portfolio": programme.pk})) == ["P-2"]
    assert codes(client.get(LIST, {"manager": boss.pk})) == ["P-2"]
    assert codes(client.get(LIST, {"q": "river"})) == ["P-2"]
    assert codes(client.get(LIST, {"q": "dep"})) == ["P-3"]
    assert codes(client.get(LIST, {"date_from": "2026-06-01"})) == ["P-1", "P-2"]
    assert codes(client.get(LIST, {"date_to": "2026-12-31"})) == ["P-1", "P-3"]
    assert client.get(LIST, {"q": "nothing like it"}).context["filtered"] is True


def test_another_organisations_portfolio_or_manager_is_not_a_valid_filter(
    organization: Organization, other_organization: Organization
) -> None:
    client, _admin = client_with_role(organization, OrgRole.ADMIN)
    ProjectFactory(organization=organization, code="P-1")
    foreign = PortfolioFactory(organization=other_organization)
    response = client.get(LIST, {"portfolio": foreign.pk})
    assert response.status_code == 200
    assert codes(response) == []
    assert "portfolio" in response.context["filter"].form.errors


def test_the_list_orders_by_the_column_asked_for_and_paginates_by_25(organization: Organization) -> None:
    client, _admin = client_with_role(organization, OrgRole.ADMIN)
    for index in range(30):
        ProjectFactory(organization=organization, code=f"C-{index:02d}", name=f"Name {29 - index:02d}")
    first = client.get(LIST)
    assert len(first.context["rows"]) == 25
    assert codes(first)[0] == "C-00"
    assert first.context["page"].paginator.num_pages == 2
    by_name = client.get(LIST, {"ordering": "name"})
    assert codes(by_name)[0] == "C-29"
    descending = client.get(LIST, {"ordering": "-code", "page": 2})
    assert codes(descending) == ["C-04", "C-03", "C-02", "C-01", "C-00"]
    assert descending.context["sort"]["code"]["state"] == "descending"


def test_an_empty_list_invites_whoever_may_create_a_project(organization: Organization) -> None:
    pm_client, _pm = client_with_role(organization, OrgRole.PROJECT_MANAGER)
    html = pm_client.get(LIST).content.decode()
    assert "empty-state" in html
    assert 'href="/o/acme/projects/new/"' in html
    viewer_client, _viewer = client_with_role(organization, OrgRole.VIEWER)
    assert 'href="/o/acme/projects/new/"' not in viewer_client.get(LIST).content.decode()


def _list_queries(client, organization: Organization, count: int) -> int:  # type: ignore[no-untyped-def]
    portfolio = PortfolioFactory(organization=organization)
    programme = PortfolioFactory(organization=organization, parent=portfolio, kind="programme")
    boss = member(organization, OrgRole.PROJECT_MANAGER).user
    for _index in range(count):
        project = ProjectFactory(organization=organization, portfolio=programme, manager=boss)
        StatusReportFactory(project=project, rag_overall="green")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(count, 25)
    return len(queries)


def test_the_project_list_runs_a_fixed_number_of_queries(organization: Organization) -> None:
    client, _admin = client_with_role(organization, OrgRole.ADMIN)
    small = _list_queries(client, organization, 2)
    Project.objects.for_organization(organization).delete()
    large = _list_queries(client, organization, 40)
    assert (small, large) == (10, 10)


# --- new project --------------------------------------------------------------------------


def test_a_project_manager_creates_a_project_and_joins_its_team(organization: Organization) -> None:
    client, pm = client_with_role(organization, OrgRole.PROJECT_MANAGER)
    assert client.get(f"{LIST}new/").status_code == 200
    response = client.post(
        f"{LIST}new/",
        {
            "code": "GW-9",
            "name": "滨河绿道 Riverside greenway",
            "manager": pm.user.pk,
            "priority": "high",
            "currency": "cny",
            "planned_start": "2026-03-02",
            "tags": "park, greenway",
        },
    )
    project = Project.objects.for_organization(organization).get(code="GW-9")
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{project.pk}/"
    assert project.currency == "CNY"
    assert project.tags == ["greenway", "park"]
    assert ProjectMember.objects.for_organization(organization).get(project=project).role == ProjectRole.MANAGER


def test_a_bad_new_project_shows_errors_beside_the_fields_and_creates_nothing(organization: Organization) -> None:
    client, _admin = client_with_role(organization, OrgRole.ADMIN)
    ProjectFactory(organization=organization, code="TAKEN")
    outsider = member(OrganizationFactoryFor.other(), OrgRole.ADMIN).user

    missing = client.post(f"{LIST}new/", {"code": "", "name": "", "planned_start": "not a date"})
    assert missing.status_code == 400
    assert {"code", "name", "planned_start"} <= set(missing.context["form"].errors)
    assert 'class="field-error"' in missing.content.decode()

    backwards = client.post(
        f"{LIST}new/",
        {
            "code": "NEW",
            "name": "Backwards",
            "priority": "low",
            "currency": "CNY",
            "planned_start": "2026-05-01",
            "planned_finish": "2026-04-01",
        },
    )
    assert backwards.status_code == 400
    assert backwards.context["form"].errors

    duplicate = client.post(
        f"{LIST}new/",
        {"code": "TAKEN", "name": "Again", "priority": "low", "currency": "CNY", "planned_start": "2026-05-01"},
    )
    assert duplicate.status_code == 400
    assert duplicate.context["form"].errors

    foreign_manager = client.post(
        f"{LIST}new/",
        {
            "code": "NEW2",
            "name": "Foreign",
            "priority": "low",
            "currency": "CNY",
            "planned_start": "2026-05-01",
            "manager": outsider.pk,
        },
    )
    assert foreign_manager.status_code == 400
    assert "manager" in foreign_manager.context["form"].errors
    assert list(Project.objects.for_organization(organization).values_list("code", flat=True)) == ["TAKEN"]


class OrganizationFactoryFor:
    @staticmethod
    def other() -> Organization:
        from tests.factories import OrganizationFactory

        return OrganizationFactory(slug="elsewhere")


def test_members_without_the_right_cannot_open_or_post_the_new_project_form(organization: Organization) -> None:
    client, _viewer = client_with_role(organization, OrgRole.VIEWER)
    assert client.get(f"{LIST}new/").status_code == 403
    data = {"code": "X", "name": "X", "priority": "low", "currency": "CNY", "planned_start": "2026-05-01"}
    assert client.post(f"{LIST}new/", data).status_code == 403
    assert not Project.objects.for_organization(organization).exists()


# --- portfolios -------------------------------------------------------------------------


def test_the_portfolios_page_counts_projects_including_those_of_programmes(organization: Organization) -> None:
    client, _pm = client_with_role(organization, OrgRole.PROJECT_MANAGER)
    portfolio = PortfolioFactory(organization=organization, name="Urban renewal")
    programme = PortfolioFactory(organization=organization, name="Greenway", parent=portfolio, kind="programme")
    ProjectFactory(organization=organization, portfolio=portfolio)
    ProjectFactory.create_batch(2, organization=organization, portfolio=programme)
    ProjectFactory(organization=organization)

    response = client.get(f"{LIST}portfolios/")

    rows = {row["portfolio"].name: row for row in response.context["rows"]}
    assert [row["portfolio"].name for row in response.context["rows"]] == ["Urban renewal", "Greenway"]
    assert (rows["Urban renewal"]["direct"], rows["Urban renewal"]["total"]) == (1, 3)
    assert rows["Greenway"]["direct"] == 2
    assert response.context["unassigned"] == 1
    assert "form" not in response.context


def test_the_pmo_creates_a_portfolio_and_a_programme_inside_it(organization: Organization) -> None:
    client, _pmo = client_with_role(organization, OrgRole.PMO)
    assert client.post(f"{LIST}portfolios/", {"name": "Urban renewal"}).status_code == 302
    portfolio = Portfolio.objects.for_organization(organization).get(name="Urban renewal")
    client.post(f"{LIST}portfolios/", {"name": "Greenway", "parent": portfolio.pk})
    programme = Portfolio.objects.for_organization(organization).get(name="Greenway")
    assert (programme.kind, programme.parent_id) == (Portfolio.Kind.PROGRAMME, portfolio.pk)


def test_a_duplicate_portfolio_name_is_refused_beside_the_field(organization: Organization) -> None:
    client, _pmo = client_with_role(organization, OrgRole.PMO)
    PortfolioFactory(organization=organization, name="Urban renewal")
    response = client.post(f"{LIST}portfolios/", {"name": "Urban renewal"})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert Portfolio.objects.for_organization(organization).count() == 1


def test_the_pmo_renames_a_portfolio_and_others_may_not(organization: Organization) -> None:
    client, _pmo = client_with_role(organization, OrgRole.PMO)
    portfolio = PortfolioFactory(organization=organization, name="Old")
    url = f"{LIST}portfolios/{portfolio.pk}/edit/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "New"}).status_code == 302
    portfolio.refresh_from_db()
    assert portfolio.name == "New"
    pm_client, _pm = client_with_role(organization, OrgRole.PROJECT_MANAGER)
    assert pm_client.post(url, {"name": "Hijacked"}).status_code == 403
    assert pm_client.post(f"{LIST}portfolios/", {"name": "Mine"}).status_code == 403
    portfolio.refresh_from_db()
    assert portfolio.name == "New"
