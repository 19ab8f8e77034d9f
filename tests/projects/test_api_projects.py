"""The projects API: portfolios, projects, project teams, stage gates and the organisation's project rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from pmo.models import AuditEvent, Membership, Organization, OrgRole
from projects.models import GateCriterion, Phase, Portfolio, Project, ProjectMember, ProjectSettings, StageGate
from projects.services import plan
from projects.services import projects as services
from tests.conftest import api_client_for
from tests.factories import PortfolioFactory, member
from tests.projects.helpers import add_task, make_project

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"


@pytest.fixture
def pm(organization: Organization) -> Membership:
    return member(organization, OrgRole.PROJECT_MANAGER, username="pia")


@pytest.fixture
def project(organization: Organization, pm: Membership) -> Project:
    return make_project(organization, code="P-1", manager=pm.user)


@pytest.fixture
def other_project(organization: Organization) -> Project:
    return make_project(organization, code="P-2", name="Plaza")


def error(response) -> dict:  # type: ignore[no-untyped-def,type-arg]
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]  # type: ignore[no-any-return]


# --- portfolios -----------------------------------------------------------------------


def test_the_pmo_creates_a_portfolio_and_a_programme_inside_it(organization: Organization, api: APIClient) -> None:
    portfolio = api.post(f"{BASE}/portfolios/", {"name": "Parks"})
    assert portfolio.status_code == 201, portfolio.json()
    assert portfolio.json()["kind"] == "portfolio"
    programme = api.post(f"{BASE}/portfolios/", {"name": "Riverside", "parent": portfolio.json()["id"]})
    assert programme.status_code == 201, programme.json()
    assert (programme.json()["kind"], programme.json()["parent_name"]) == ("programme", "Parks")
    listed = api.get(f"{BASE}/portfolios/?parent={portfolio.json()['id']}").json()
    assert [row["name"] for row in listed["results"]] == ["Riverside"]
    assert AuditEvent.objects.for_organization(organization).filter(action="portfolio.created").count() == 2


def test_a_portfolio_is_renamed_and_a_duplicate_name_is_refused(organization: Organization, api: APIClient) -> None:
    parks = PortfolioFactory(organization=organization, name="Parks")
    PortfolioFactory(organization=organization, name="Roads")
    response = api.patch(f"{BASE}/portfolios/{parks.pk}/", {"name": "Parks and gardens"})
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Parks and gardens"
    duplicate = api.patch(f"{BASE}/portfolios/{parks.pk}/", {"name": "Roads"})
    assert duplicate.status_code == 400
    parks.refresh_from_db()
    assert parks.name == "Parks and gardens"


def test_a_project_manager_may_not_create_portfolios(make_member, organization: Organization) -> None:  # type: ignore[no-untyped-def]
    client = api_client_for(make_member(OrgRole.PROJECT_MANAGER).user)
    response = client.post(f"{BASE}/portfolios/", {"name": "Mine"})
    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    assert not Portfolio.objects.for_organization(organization).exists()


def test_a_portfolio_of_another_organisation_cannot_be_a_parent(
    api: APIClient, other_organization: Organization, organization: Organization
) -> None:
    foreign = PortfolioFactory(organization=other_organization)
    response = api.post(f"{BASE}/portfolios/", {"name": "Sneaky", "parent": foreign.pk})
    assert response.status_code == 400
    assert "parent" in error(response)["fields"]
    assert not Portfolio.objects.for_organization(organization).exists()


# --- projects -------------------------------------------------------------------------


def test_a_project_manager_creates_a_project_and_manages_it(
    organization: Organization, pm: Membership, make_member
) -> None:  # type: ignore[no-untyped-def]
    client = api_client_for(pm.user)
    response = client.post(
        f"{BASE}/projects/",
        {
            "code": "PRJ-7",
            "name": "Greenway",
            "planned_start": "2026-04-01",
            "manager": pm.user.pk,
            "tags": ["park", "river"],
            "priority": "high",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["phase"], body["manager"]["username"], body["my_project_role"]) == ("initiation", "pia", "manager")
    assert "project.manage" in body["my_permissions"]
    assert body["percent_complete"] == "0.00"
    update = client.patch(f"{BASE}/projects/{body['id']}/", {"name": "Riverside greenway", "client": "City"})
    assert update.status_code == 200, update.json()
    assert update.json()["name"] == "Riverside greenway"
    event = AuditEvent.objects.for_organization(organization).get(action="project.updated")
    assert event.changes["name"] == ["Greenway", "Riverside greenway"]


def test_a_project_manager_changes_their_project_but_not_another(
    project: Project, other_project: Project, pm: Membership
) -> None:
    client = api_client_for(pm.user)
    assert client.patch(f"{BASE}/projects/{project.pk}/", {"client": "City"}).status_code == 200
    refused = client.patch(f"{BASE}/projects/{other_project.pk}/", {"client": "City"})
    assert refused.status_code == 403
    other_project.refresh_from_db()
    assert other_project.client == ""


def test_viewers_and_team_members_read_projects_but_do_not_change_them(
    project: Project, organization: Organization, make_member
) -> None:  # type: ignore[no-untyped-def]
    viewer = make_member(OrgRole.VIEWER)
    teammate = make_member(OrgRole.MEMBER)
    ProjectMember.objects.create(organization=organization, project=project, user=teammate.user, role="member")
    for who in (viewer, teammate):
        client = api_client_for(who.user)
        assert client.get(f"{BASE}/projects/{project.pk}/").status_code == 200
        assert client.patch(f"{BASE}/projects/{project.pk}/", {"name": "X"}).status_code == 403
        assert (
            client.post(f"{BASE}/projects/", {"code": "X", "name": "X", "planned_start": "2026-01-01"}).status_code
            == 403
        )
    project.refresh_from_db()
    assert project.name == "Riverside park"


def test_a_duplicate_code_and_a_finish_before_the_start_are_refused(
    organization: Organization, api: APIClient, project: Project
) -> None:
    duplicate = api.post(f"{BASE}/projects/", {"code": "P-1", "name": "Again", "planned_start": "2026-04-01"})
    assert duplicate.status_code == 400
    backwards = api.post(
        f"{BASE}/projects/",
        {"code": "P-9", "name": "Backwards", "planned_start": "2026-04-01", "planned_finish": "2026-03-01"},
    )
    assert error(backwards)["code"] == "invalid"
    assert Project.objects.for_organization(organization).count() == 1


def test_people_and_portfolios_of_another_organisation_look_nonexistent(
    api: APIClient, organization: Organization, other_organization: Organization
) -> None:
    outsider = member(other_organization, OrgRole.PROJECT_MANAGER)
    foreign_portfolio = PortfolioFactory(organization=other_organization)
    payload = {"code": "P-5", "name": "Leaky", "planned_start": "2026-04-01"}
    by_manager = api.post(f"{BASE}/projects/", {**payload, "manager": outsider.user.pk})
    assert by_manager.status_code == 400
    assert "manager" in error(by_manager)["fields"]
    by_portfolio = api.post(f"{BASE}/projects/", {**payload, "portfolio": foreign_portfolio.pk})
    assert by_portfolio.status_code == 400
    assert "portfolio" in error(by_portfolio)["fields"]
    assert not Project.objects.for_organization(organization).exists()


def test_the_project_list_filters_and_orders(
    organization: Organization, api: APIClient, admin_member: Membership
) -> None:
    parks = PortfolioFactory(organization=organization, name="Parks")
    riverside = PortfolioFactory(organization=organization, name="Riverside", parent=parks, kind="programme")
    roads = PortfolioFactory(organization=organization, name="Roads")
    start = dt.date(2026, 3, 2)
    make_project(organization, actor=admin_member, code="A-1", name="Alpha", portfolio=parks, priority="low",
                 planned_start=start, tags=["桥梁"], client="City of Suzhou")  # fmt: skip
    make_project(organization, actor=admin_member, code="B-1", name="Bravo", portfolio=riverside,
                 priority="critical", planned_start=start + dt.timedelta(days=30))  # fmt: skip
    make_project(organization, actor=admin_member, code="C-1", name="Charlie", portfolio=roads, priority="high",
                 planned_start=start + dt.timedelta(days=60), tags=["road"])  # fmt: skip

    def codes(query: str) -> list[str]:
        response = api.get(f"{BASE}/projects/?{query}")
        assert response.status_code == 200, response.json()
        return [row["code"] for row in response.json()["results"]]

    assert codes(f"portfolio={parks.pk}") == ["A-1", "B-1"]
    assert codes("tag=桥梁") == ["A-1"]
    assert codes("priority=high&priority=critical") == ["B-1", "C-1"]
    assert codes("q=suzhou") == ["A-1"]
    assert codes("planned_start_after=2026-03-15&planned_start_before=2026-04-15") == ["B-1"]
    assert codes("ordering=-priority") == ["B-1", "C-1", "A-1"]
    assert codes("ordering=-planned_start") == ["C-1", "B-1", "A-1"]
    assert codes("phase=planning") == []
    row = api.get(f"{BASE}/projects/?q=Alpha").json()["results"][0]
    assert row["portfolio_name"] == "Parks"


def test_the_list_shows_each_projects_progress_weighted_by_cost(
    organization: Organization, api: APIClient, project: Project, pm: Membership
) -> None:
    paving = add_task(project, "Paving", actor=pm, budgeted_cost=100)
    add_task(project, "Planting", actor=pm, budgeted_cost=300)
    plan.task_progress_update(
        actor=pm.user, task=paving, percent_complete=Decimal("50"), effective_date=dt.date(2026, 3, 4)
    )
    make_project(organization, code="P-3", name="Empty")
    rows = {row["code"]: row for row in api.get(f"{BASE}/projects/").json()["results"]}
    assert rows["P-1"]["percent_complete"] == "12.50"
    assert rows["P-1"]["scheduled_finish"] == "2026-03-06"
    assert rows["P-1"]["manager"]["username"] == "pia"
    assert rows["P-3"]["percent_complete"] == "0.00"


# --- the team -------------------------------------------------------------------------


def test_the_project_manager_builds_the_team(
    organization: Organization, project: Project, pm: Membership, make_member
) -> None:  # type: ignore[no-untyped-def]
    client = api_client_for(pm.user)
    engineer = make_member(OrgRole.MEMBER, username="eng")
    added = client.post(f"{BASE}/projects/{project.pk}/members/", {"user": engineer.user.pk, "role": "member"})
    assert added.status_code == 201, added.json()
    member_id = added.json()["id"]
    again = client.post(f"{BASE}/projects/{project.pk}/members/", {"user": engineer.user.pk, "role": "client"})
    assert error(again)["code"] == "already_member"
    changed = client.patch(f"{BASE}/projects/{project.pk}/members/{member_id}/", {"role": "coordinator"})
    assert changed.json()["role"] == "coordinator"
    team = client.get(f"{BASE}/projects/{project.pk}/members/").json()["results"]
    assert sorted((row["user"]["username"], row["role"]) for row in team) == [
        ("eng", "coordinator"),
        ("pia", "manager"),
    ]
    assert client.delete(f"{BASE}/projects/{project.pk}/members/{member_id}/").status_code == 204
    assert not ProjectMember.objects.for_organization(organization).filter(pk=member_id).exists()


def test_the_manager_stays_on_the_team_and_outsiders_cannot_join(
    project: Project, pm: Membership, api: APIClient, other_organization: Organization
) -> None:
    manager = ProjectMember.objects.for_organization(project.organization_id).get(project=project, user=pm.user)
    refused = api.delete(f"{BASE}/projects/{project.pk}/members/{manager.pk}/")
    assert error(refused)["code"] == "manager_required"
    outsider = member(other_organization, OrgRole.MEMBER)
    response = api.post(f"{BASE}/projects/{project.pk}/members/", {"user": outsider.user.pk, "role": "member"})
    assert response.status_code == 400
    assert "user" in error(response)["fields"]


def test_a_team_member_cannot_change_the_team(project: Project, organization: Organization, make_member) -> None:  # type: ignore[no-untyped-def]
    teammate = make_member(OrgRole.MEMBER)
    ProjectMember.objects.create(organization=organization, project=project, user=teammate.user, role="member")
    client = api_client_for(teammate.user)
    response = client.post(f"{BASE}/projects/{project.pk}/members/", {"user": teammate.user.pk, "role": "manager"})
    assert response.status_code == 403


# --- stage gates ----------------------------------------------------------------------


def test_the_checklist_lists_the_criteria_for_leaving_the_current_phase(project: Project, pm: Membership) -> None:
    body = api_client_for(pm.user).get(f"{BASE}/projects/{project.pk}/gates/checklist/").json()
    assert (body["from_phase"], body["to_phase"]) == ("initiation", "planning")
    assert body["can_approve"] is False  # the PMO office passes the initiation gate
    assert [c["text"] for c in body["criteria"]] == [
        c.text for c in services.gate_criteria(project.organization, Phase.INITIATION)
    ]


def test_the_pmo_passes_a_gate_with_every_criterion_met(organization: Organization, project: Project) -> None:
    pmo = member(organization, OrgRole.PMO)
    client = api_client_for(pmo.user)
    criteria = [c["id"] for c in client.get(f"{BASE}/projects/{project.pk}/gates/checklist/").json()["criteria"]]
    incomplete = client.post(
        f"{BASE}/projects/{project.pk}/gates/", {"to_phase": "planning", "passed_criteria": criteria[:-1]}
    )
    assert error(incomplete)["code"] == "checklist_incomplete"
    project.refresh_from_db()
    assert project.phase == Phase.INITIATION
    passed = client.post(
        f"{BASE}/projects/{project.pk}/gates/",
        {"to_phase": "planning", "passed_criteria": criteria, "comment": "Go"},
    )
    assert passed.status_code == 201, passed.json()
    assert passed.json()["from_phase"] == "initiation"
    assert all(item["passed"] for item in passed.json()["checklist"])
    project.refresh_from_db()
    assert project.phase == Phase.PLANNING
    gates = client.get(f"{BASE}/projects/{project.pk}/gates/").json()["results"]
    assert [(g["from_phase"], g["to_phase"]) for g in gates] == [("initiation", "planning")]


def test_a_gate_the_role_may_not_pass_is_refused_with_403(project: Project, pm: Membership) -> None:
    criteria = [c.pk for c in services.gate_criteria(project.organization, Phase.INITIATION)]
    response = api_client_for(pm.user).post(
        f"{BASE}/projects/{project.pk}/gates/", {"to_phase": "planning", "passed_criteria": criteria}
    )
    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    assert not StageGate.objects.for_organization(project.organization_id).exists()


def test_the_project_manager_passes_the_execution_gate_of_their_project(
    organization: Organization, project: Project, pm: Membership
) -> None:
    Project.objects.for_organization(organization).filter(pk=project.pk).update(phase=Phase.EXECUTION)
    client = api_client_for(pm.user)
    checklist = client.get(f"{BASE}/projects/{project.pk}/gates/checklist/").json()
    assert checklist["can_approve"] is True
    response = client.post(
        f"{BASE}/projects/{project.pk}/gates/",
        {"to_phase": "closing", "passed_criteria": [c["id"] for c in checklist["criteria"]]},
    )
    assert response.status_code == 201, response.json()


def test_a_gate_into_a_phase_that_is_not_next_is_refused(api: APIClient, project: Project) -> None:
    response = api.post(f"{BASE}/projects/{project.pk}/gates/", {"to_phase": "closing"})
    assert error(response)["code"] == "illegal_move"
    assert "to_phase" in error(response)["fields"]


# --- gate criteria and project settings -----------------------------------------------


def test_the_pmo_adds_rewords_and_switches_off_criteria(organization: Organization) -> None:
    client = api_client_for(member(organization, OrgRole.PMO).user)
    every = client.get(f"{BASE}/gate-criteria/").json()["results"]
    phases = list(dict.fromkeys(row["from_phase"] for row in every))
    assert phases == ["initiation", "planning", "execution", "closing", "operations"]  # the defaults, in order
    listed = client.get(f"{BASE}/gate-criteria/?from_phase=initiation").json()["results"]
    assert len(listed) == 3
    created = client.post(f"{BASE}/gate-criteria/", {"from_phase": "initiation", "text": "Site survey done"})
    assert created.status_code == 201, created.json()
    assert created.json()["order"] == 4
    criterion_id = created.json()["id"]
    reworded = client.patch(f"{BASE}/gate-criteria/{criterion_id}/", {"text": "Site survey signed off"})
    assert reworded.json()["text"] == "Site survey signed off"
    off = client.patch(f"{BASE}/gate-criteria/{listed[0]['id']}/", {"is_active": False})
    assert off.json()["is_active"] is False
    texts = [c.text for c in services.gate_criteria(organization, Phase.INITIATION)]
    assert texts == [listed[1]["text"], listed[2]["text"], "Site survey signed off"]
    assert client.delete(f"{BASE}/gate-criteria/{criterion_id}/").status_code == 405
    actions = set(AuditEvent.objects.for_organization(organization).values_list("action", flat=True))
    assert {"gate_criterion.created", "gate_criterion.updated"} <= actions


def test_adding_the_first_criterion_keeps_the_default_checklist(organization: Organization, api: APIClient) -> None:
    api.post(f"{BASE}/gate-criteria/", {"from_phase": "planning", "text": "Permits filed"})
    assert len(services.gate_criteria(organization, Phase.PLANNING)) == 5


def test_criteria_for_a_closed_phase_and_blank_texts_are_refused(organization: Organization, api: APIClient) -> None:
    closed = api.post(f"{BASE}/gate-criteria/", {"from_phase": "closed", "text": "Nothing"})
    assert "from_phase" in error(closed)["fields"]
    blank = api.post(f"{BASE}/gate-criteria/", {"from_phase": "planning", "text": "   "})
    assert blank.status_code == 400
    assert not GateCriterion.objects.for_organization(organization).filter(text__in=["Nothing", ""]).exists()


def test_members_read_the_checklists_but_do_not_edit_them(organization: Organization, make_member) -> None:  # type: ignore[no-untyped-def]
    client = api_client_for(make_member(OrgRole.PROJECT_MANAGER).user)
    assert client.get(f"{BASE}/gate-criteria/").status_code == 200
    assert client.post(f"{BASE}/gate-criteria/", {"from_phase": "planning", "text": "Mine"}).status_code == 403


def test_the_pmo_changes_the_change_approval_thresholds(organization: Organization, make_member) -> None:  # type: ignore[no-untyped-def]
    client = api_client_for(make_member(OrgRole.PMO).user)
    shown = client.get(f"{BASE}/project-settings/").json()
    assert shown == {"finance_approval_above": "100000.00", "pmo_approval_above_days": 10}
    changed = client.patch(f"{BASE}/project-settings/", {"finance_approval_above": "250000.50"})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["finance_approval_above"] == "250000.50"
    settings = ProjectSettings.objects.for_organization(organization).get()
    assert settings.finance_approval_above == Decimal("250000.50")
    event = AuditEvent.objects.for_organization(organization).get(action="project_settings.updated")
    assert event.changes == {"finance_approval_above": ["100000.00", "250000.50"]}


def test_thresholds_stay_with_the_pmo_office_and_cannot_be_negative(
    organization: Organization, make_member, api: APIClient
) -> None:  # type: ignore[no-untyped-def]
    client = api_client_for(make_member(OrgRole.FINANCE).user)
    assert client.patch(f"{BASE}/project-settings/", {"pmo_approval_above_days": 1}).status_code == 403
    negative = api.patch(f"{BASE}/project-settings/", {"finance_approval_above": "-1"})
    assert "finance_approval_above" in error(negative)["fields"]
    assert services.project_settings(organization).pmo_approval_above_days == 10
