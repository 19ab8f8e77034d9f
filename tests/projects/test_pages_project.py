"""One project's pages: overview, team, edit, and the stage gate through the lifecycle."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from pmo.models import Organization, OrgRole
from projects.models import GateCriterion, Phase, Project, ProjectMember, ProjectRole, StageGate
from projects.services import plan
from projects.services import projects as project_services
from tests.factories import ProjectFactory, member
from tests.projects.test_pages_support import add, client_with_role, make_project

pytestmark = pytest.mark.django_db


def url(project: Project, rest: str = "") -> str:
    return f"/o/acme/projects/{project.pk}/{rest}"


def test_the_overview_shows_the_facts_the_lifecycle_and_the_tabs(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user, manager=admin.user, tags=["park"], objectives="One\nTwo")
    task = add(project, admin.user, "Survey", budgeted_cost=100)
    add(project, admin.user, "Handover", kind="milestone", duration=0)
    plan.task_progress_update(actor=admin.user, task=task, percent_complete=40, effective_date=project.planned_start)

    response = client.get(url(project))

    assert response.status_code == 200
    assert response.context["figures"] == {"tasks": 2, "critical": 1, "milestones": 1}
    assert response.context["percent"] == 40
    assert response.context["objectives"] == ["One", "Two"]
    assert [step["state"] for step in response.context["lifecycle"]] == [
        "current",
        "todo",
        "todo",
        "todo",
        "todo",
        "todo",
    ]
    tabs = {tab.key: tab.url for tab in response.context["tabs"]}
    assert tabs["wbs"] == url(project, "wbs/")
    assert tabs["gantt"] == url(project, "gantt/")
    assert tabs["baselines"] == url(project, "baselines/")
    assert tabs["gates"] == url(project, "gate/")
    assert tabs["edit"] == url(project, "edit/")
    html = response.content.decode()
    assert 'aria-current="step"' in html
    for key, href in tabs.items():
        assert f'href="{href}"' in html, key


def test_the_tabs_link_to_status_reports_change_requests_and_the_change_log_when_they_exist(
    organization: Organization,
) -> None:
    from django.urls import NoReverseMatch, reverse

    client, _admin = client_with_role(organization, OrgRole.ADMIN)
    project = ProjectFactory(organization=organization)
    tabs = {tab.key: tab.url for tab in client.get(url(project)).context["tabs"]}
    for key, name in (
        ("status", "project-status-reports"),
        ("changes", "project-change-requests"),
        ("changelog", "project-change-log"),
    ):
        try:
            expected = reverse(name, kwargs={"org_slug": "acme", "project_id": project.pk})
        except NoReverseMatch:
            assert key not in tabs
        else:
            assert tabs[key] == expected


def test_viewers_see_the_overview_without_controls(organization: Organization) -> None:
    client, _viewer = client_with_role(organization, OrgRole.VIEWER)
    project = ProjectFactory(organization=organization)
    response = client.get(url(project))
    assert response.status_code == 200
    assert "member_form" not in response.context
    assert "edit" not in {tab.key for tab in response.context["tabs"]}
    assert client.get(url(project, "edit/")).status_code == 403


def test_a_cancelled_project_shows_where_it_stopped(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    client.post(url(project, "gate/"), {"decision": "cancel", "comment": "Funding withdrawn"})
    steps = client.get(url(project)).context["lifecycle"]
    assert [step["state"] for step in steps] == ["cancelled", "todo", "todo", "todo", "todo", "todo", "todo"]


# --- the team ---------------------------------------------------------------------------


def test_the_project_manager_adds_changes_and_removes_team_members(organization: Organization) -> None:
    pm = member(organization, OrgRole.PROJECT_MANAGER)
    admin = member(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user, manager=pm.user)
    client = Client()
    client.force_login(pm.user)
    newcomer = member(organization, OrgRole.MEMBER).user

    added = client.post(url(project), {"user": newcomer.pk, "role": ProjectRole.COORDINATOR})
    assert added.status_code == 302
    team = ProjectMember.objects.for_organization(organization).filter(project=project)
    joined = team.get(user=newcomer)
    assert joined.role == ProjectRole.COORDINATOR

    client.post(url(project, f"team/{joined.pk}/"), {"role": ProjectRole.CONTROLLER})
    joined.refresh_from_db()
    assert joined.role == ProjectRole.CONTROLLER

    assert client.get(url(project, f"team/{joined.pk}/remove/")).status_code == 200
    client.post(url(project, f"team/{joined.pk}/remove/"))
    assert not team.filter(user=newcomer).exists()


def _role_form(page: str, joined: ProjectMember) -> str:
    form = re.search(rf'action="[^"]*/team/{joined.pk}/"(.*?)</form>', page, re.S)
    assert form is not None, "the member has no role form"
    return form.group(1)


def _version_of(form: str) -> str:
    version = re.search(r'name="row_version" value="([0-9a-f]+)"', form)
    assert version, "the role form carries no version"
    return version.group(1)


def test_a_stale_team_role_change_is_refused_with_the_choice_kept(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user, manager=admin.user)
    newcomer = member(organization, OrgRole.MEMBER).user
    joined = project_services.project_member_add(
        actor=admin.user, project=project, user=newcomer, role=ProjectRole.COORDINATOR
    )
    version = _version_of(_role_form(client.get(url(project)).content.decode(), joined))
    project_services.project_member_change_role(actor=admin.user, member=joined, role=ProjectRole.MEMBER)
    change = url(project, f"team/{joined.pk}/")

    stale = client.post(change, {"role": ProjectRole.CONTROLLER, "row_version": version})

    assert stale.status_code == 412
    page = stale.content.decode()
    assert "changed by someone else while you were editing" in page
    form = _role_form(page, joined)
    assert f'value="{ProjectRole.CONTROLLER}" selected' in form
    joined.refresh_from_db()
    assert joined.role == ProjectRole.MEMBER
    assert client.post(change, {"role": ProjectRole.CONTROLLER, "row_version": _version_of(form)}).status_code == 302
    joined.refresh_from_db()
    assert joined.role == ProjectRole.CONTROLLER


def test_adding_someone_twice_or_from_outside_is_refused_beside_the_field(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user, manager=admin.user)
    again = client.post(url(project), {"user": admin.user.pk, "role": ProjectRole.MEMBER})
    assert again.status_code == 400
    assert "user" in again.context["member_form"].errors
    nobody = client.post(url(project), {"user": "", "role": "boss"})
    assert nobody.status_code == 400
    assert {"user", "role"} <= set(nobody.context["member_form"].errors)
    assert ProjectMember.objects.for_organization(organization).filter(project=project).count() == 1


def test_the_manager_cannot_be_removed_from_the_team(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user, manager=admin.user)
    manager = ProjectMember.objects.for_organization(organization).get(project=project)
    response = client.post(url(project, f"team/{manager.pk}/remove/"), follow=True)
    assert "message-error" in response.content.decode()
    assert ProjectMember.objects.for_organization(organization).filter(pk=manager.pk).exists()


# --- editing ----------------------------------------------------------------------------


def test_the_project_manager_edits_their_project_but_not_another(organization: Organization) -> None:
    pm = member(organization, OrgRole.PROJECT_MANAGER)
    admin = member(organization, OrgRole.ADMIN)
    mine = make_project(organization, admin.user, code="A", manager=pm.user)
    theirs = make_project(organization, admin.user, code="B", manager=admin.user)
    client = Client()
    client.force_login(pm.user)
    data = {"code": "A", "name": "Renamed", "priority": "high", "currency": "CNY", "planned_start": "2026-03-02"}

    assert client.get(url(mine, "edit/")).status_code == 200
    assert client.post(url(mine, "edit/"), data | {"tags": "a, b", "manager": pm.user.pk}).status_code == 302
    mine.refresh_from_db()
    assert (mine.name, mine.priority, mine.tags) == ("Renamed", "high", ["a", "b"])

    assert client.get(url(theirs, "edit/")).status_code == 403
    assert client.post(url(theirs, "edit/"), data | {"code": "B"}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.name == "Riverside park"


def test_a_bad_edit_shows_errors_beside_the_fields_and_changes_nothing(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    make_project(organization, admin.user, code="OTHER")
    project = make_project(organization, admin.user, code="MINE")
    response = client.post(
        url(project, "edit/"),
        {"code": "OTHER", "name": "", "priority": "urgent", "currency": "CNY", "planned_start": "2026-03-02"},
    )
    assert response.status_code == 400
    assert {"name", "priority"} <= set(response.context["form"].errors)
    duplicate = client.post(
        url(project, "edit/"),
        {"code": "OTHER", "name": "Same", "priority": "low", "currency": "CNY", "planned_start": "2026-03-02"},
    )
    assert duplicate.status_code == 400
    assert duplicate.context["form"].errors
    project.refresh_from_db()
    assert (project.code, project.name) == ("MINE", "Riverside park")
    # The header keeps showing the saved project, not the rejected input.
    assert duplicate.context["project"].code == "MINE"


# --- the stage gate ---------------------------------------------------------------------


def _criteria(organization: Organization, phase: str) -> list[int]:
    return [criterion.pk for criterion in project_services.gate_criteria(organization, phase)]


def test_the_gate_moves_a_project_from_initiation_through_planning_to_execution(organization: Organization) -> None:
    client, pmo = client_with_role(organization, OrgRole.PMO)
    project = make_project(organization, pmo.user, manager=pmo.user)
    add(project, pmo.user, "Survey")
    gate = url(project, "gate/")

    page = client.get(gate)
    assert page.status_code == 200
    assert page.context["next_phase"] == Phase.PLANNING
    assert page.context["may_advance"] is True

    response = client.post(gate, {"passed_criteria": _criteria(organization, "initiation"), "comment": "Approved"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.phase == Phase.PLANNING

    # Leaving planning needs a baseline: refused, and nothing changes.
    refused = client.post(gate, {"passed_criteria": _criteria(organization, "planning")})
    assert refused.status_code == 400
    assert refused.context["gate_form"].non_field_errors()
    assert refused.context["needs_baseline"] is True
    project.refresh_from_db()
    assert project.phase == Phase.PLANNING

    assert client.post(url(project, "baselines/"), {"name": "Approved", "make_current": "on"}).status_code == 302
    assert client.post(gate, {"passed_criteria": _criteria(organization, "planning")}).status_code == 302
    project.refresh_from_db()
    assert project.phase == Phase.EXECUTION

    history = client.get(gate).context["history"]
    assert [(h["gate"].from_phase, h["gate"].to_phase) for h in history] == [
        ("planning", "execution"),
        ("initiation", "planning"),
    ]
    assert history[1]["gate"].comment == "Approved"
    assert history[1]["gate"].approved_by == pmo.user
    assert all(item["passed"] for item in history[1]["gate"].checklist)


def test_an_incomplete_checklist_is_refused_and_lists_what_is_not_met(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    criteria = _criteria(organization, "initiation")
    response = client.post(url(project, "gate/"), {"passed_criteria": criteria[:1]})
    assert response.status_code == 400
    errors = response.context["gate_form"].errors["passed_criteria"]
    missing = GateCriterion.objects.for_organization(organization).filter(pk__in=criteria[1:])
    assert set(errors) == {criterion.text for criterion in missing}
    project.refresh_from_db()
    assert project.phase == Phase.INITIATION
    assert not StageGate.objects.for_organization(organization).exists()


def test_a_viewer_may_read_the_gate_but_not_pass_it(organization: Organization) -> None:
    client, _viewer = client_with_role(organization, OrgRole.VIEWER)
    project = ProjectFactory(organization=organization)
    page = client.get(url(project, "gate/"))
    assert page.status_code == 200
    assert page.context["may_advance"] is False
    assert 'name="passed_criteria"' not in page.content.decode()
    response = client.post(url(project, "gate/"), {"passed_criteria": _criteria(organization, "initiation")})
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.phase == Phase.INITIATION


def test_the_project_manager_may_not_approve_leaving_initiation_and_is_told_why(organization: Organization) -> None:
    pm = member(organization, OrgRole.PROJECT_MANAGER)
    admin = member(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user, manager=pm.user)
    client = Client()
    client.force_login(pm.user)
    assert client.get(url(project, "gate/")).context["may_advance"] is False
    response = client.post(url(project, "gate/"), {"passed_criteria": _criteria(organization, "initiation")})
    assert response.status_code == 403
    assert response.context["gate_form"].non_field_errors()
    assert 'class="form-errors"' in response.content.decode()
    project.refresh_from_db()
    assert project.phase == Phase.INITIATION


def test_cancelling_needs_a_reason_and_the_pmo_office(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    gate = url(project, "gate/")
    without_reason = client.post(gate, {"decision": "cancel", "comment": " "})
    assert without_reason.status_code == 400
    assert "comment" in without_reason.context["cancel_form"].errors
    project.refresh_from_db()
    assert project.phase == Phase.INITIATION

    assert client.post(gate, {"decision": "cancel", "comment": "Funding withdrawn"}).status_code == 302
    project.refresh_from_db()
    assert project.phase == Phase.CANCELLED
    page = client.get(gate)
    assert page.context["is_open"] is False
    assert page.context["history"][0]["gate"].comment == "Funding withdrawn"
    # Nothing further: a closed project has no gate.
    assert client.post(gate, {"passed_criteria": []}).status_code == 400


READ_PAGES = ["", "gate/", "wbs/", "gantt/", "baselines/", "wbs/{task}/history/", "baselines/{baseline}/compare/"]
MANAGE_PAGES = ["edit/", "wbs/new/", "wbs/{task}/edit/", "wbs/{task}/delete/"]


def test_each_page_renders_for_the_projects_manager_and_read_pages_for_a_viewer(organization: Organization) -> None:
    admin = member(organization, OrgRole.ADMIN)
    pm = member(organization, OrgRole.PROJECT_MANAGER)
    project = make_project(organization, admin.user, manager=pm.user)
    task = add(project, admin.user, "Survey")
    baseline = plan.baseline_create(actor=admin.user, project=project, name="B1")
    names = {"task": task.pk, "baseline": baseline.pk}
    manager_client = Client()
    manager_client.force_login(pm.user)
    viewer_client, _viewer = client_with_role(organization, OrgRole.VIEWER)
    outsider_pm_client, _other_pm = client_with_role(organization, OrgRole.PROJECT_MANAGER)

    for page in READ_PAGES:
        address = url(project, page.format(**names))
        assert manager_client.get(address).status_code == 200, address
        assert viewer_client.get(address).status_code == 200, address
    for page in [*MANAGE_PAGES, f"wbs/{task.pk}/progress/"]:
        address = url(project, page.format(**names))
        assert manager_client.get(address).status_code == 200, address
        assert viewer_client.get(address).status_code == 403, address
        assert outsider_pm_client.get(address).status_code == 403, address


def _nav_and_tabs(client: Client, project: Project) -> tuple[str, str]:
    import re

    html = client.get(url(project)).content.decode()
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S)
    tabs = re.search(r'<nav class="tabs project-tabs".*?</nav>', html, re.S)
    assert nav is not None
    assert tabs is not None
    return nav.group(0), tabs.group(0)


@pytest.mark.django_db
def test_a_viewer_sees_no_settings_or_edit_links_they_cannot_use(organization: Organization) -> None:
    viewer, _membership = client_with_role(organization, OrgRole.VIEWER, language="en")
    pmo, pmo_member = client_with_role(organization, OrgRole.PMO, language="en")
    manager, manager_member = client_with_role(organization, OrgRole.PROJECT_MANAGER, language="en")
    project = make_project(organization, pmo_member.user, manager=manager_member.user)

    viewer_nav, viewer_tabs = _nav_and_tabs(viewer, project)
    pmo_nav, pmo_tabs = _nav_and_tabs(pmo, project)
    _manager_nav, manager_tabs = _nav_and_tabs(manager, project)

    assert "/o/acme/settings/" not in viewer_nav
    assert "/edit/" not in viewer_tabs
    assert "/o/acme/settings/" in pmo_nav
    assert "/edit/" in pmo_tabs
    assert "/edit/" in manager_tabs  # the project's manager edits the project's settings
