"""The plan API: WBS, tasks and progress, dependencies, the schedule and baselines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from pmo.models import AuditEvent, Membership, Organization, OrgRole
from projects.models import Baseline, Dependency, ProgressUpdate, Project, ProjectMember, WbsElement
from projects.services import plan
from tests.conftest import api_client_for
from tests.factories import member
from tests.projects.helpers import add_task, make_project, refreshed

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"
D = dt.date


@pytest.fixture
def pm(organization: Organization) -> Membership:
    return member(organization, OrgRole.PROJECT_MANAGER, username="pia")


@pytest.fixture
def project(organization: Organization, pm: Membership) -> Project:
    return make_project(organization, code="P-1", manager=pm.user)


@pytest.fixture
def teammate(organization: Organization, project: Project) -> Membership:
    """An ordinary member of the organisation, on the project team as a member."""
    who = member(organization, OrgRole.MEMBER, username="tom")
    ProjectMember.objects.create(organization=organization, project=project, user=who.user, role="member")
    return who


@pytest.fixture
def pm_client(pm: Membership) -> APIClient:
    return api_client_for(pm.user)


def url(project: Project, path: str) -> str:
    return f"{BASE}/projects/{project.pk}/{path}"


def error(response) -> dict:  # type: ignore[no-untyped-def,type-arg]
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]  # type: ignore[no-any-return]


def elements(project: Project) -> list[tuple[str, str, str]]:
    return sorted(
        WbsElement.objects.for_organization(project.organization_id)
        .filter(project=project)
        .values_list("code", "name", "kind")
    )


# --- WBS ------------------------------------------------------------------------------


def test_the_wbs_is_built_through_the_api_and_listed_flat_and_as_a_tree(project: Project, pm_client: APIClient) -> None:
    design = pm_client.post(url(project, "wbs/"), {"name": "Design", "budgeted_cost": "1200.50"})
    assert design.status_code == 201, design.json()
    assert design.json()["budgeted_cost"] == "1200.50"
    build = pm_client.post(url(project, "wbs/"), {"name": "Build"}).json()
    for name in ["Earthworks", "Paving"]:
        assert pm_client.post(url(project, "wbs/"), {"name": name, "parent": build["id"]}).status_code == 201
    pm_client.post(url(project, "wbs/"), {"name": "Opening", "kind": "milestone", "duration": 3})
    flat = pm_client.get(url(project, "wbs/")).json()
    assert [(row["code"], row["name"], row["kind"]) for row in flat] == [
        ("1", "Design", "task"),
        ("2", "Build", "summary"),
        ("2.1", "Earthworks", "task"),
        ("2.2", "Paving", "task"),
        ("3", "Opening", "milestone"),
    ]
    assert flat[-1]["duration"] == 0
    tree = pm_client.get(url(project, "wbs/?tree=1")).json()
    assert [node["code"] for node in tree] == ["1", "2", "3"]
    assert [child["name"] for child in tree[1]["children"]] == ["Earthworks", "Paving"]
    assert tree[1]["children"][0]["children"] == []


def test_the_flat_wbs_lists_codes_in_tree_order_past_nine_siblings(project: Project, pm: Membership) -> None:
    for number in range(1, 12):
        add_task(project, f"Task {number}", actor=pm)
    codes = [row["code"] for row in api_client_for(pm.user).get(url(project, "wbs/")).json()]
    assert codes == [str(number) for number in range(1, 12)]


def test_an_element_is_moved_renamed_and_deleted(project: Project, pm: Membership, pm_client: APIClient) -> None:
    design = add_task(project, "Design", actor=pm)
    build = add_task(project, "Build", actor=pm)
    add_task(project, "Paving", actor=pm, parent=build)
    moved = pm_client.patch(url(project, f"wbs/{design.pk}/"), {"parent": build.pk, "name": "Detailed design"})
    assert moved.status_code == 200, moved.json()
    assert moved.json()["code"] == "1.2"
    assert elements(project) == [
        ("1", "Build", "summary"),
        ("1.1", "Paving", "task"),
        ("1.2", "Detailed design", "task"),
    ]
    back = pm_client.patch(url(project, f"wbs/{design.pk}/"), {"parent": None, "position": 1})
    assert back.json()["code"] == "1"
    assert pm_client.delete(url(project, f"wbs/{build.pk}/")).status_code == 204
    assert elements(project) == [("1", "Detailed design", "task")]


def test_invalid_wbs_input_changes_nothing(project: Project, pm: Membership, pm_client: APIClient) -> None:
    task = add_task(project, "Design", actor=pm, budgeted_cost=100)
    before = elements(project)
    negative = pm_client.patch(url(project, f"wbs/{task.pk}/"), {"budgeted_cost": "-5"})
    assert "budgeted_cost" in error(negative)["fields"]
    nameless = pm_client.post(url(project, "wbs/"), {"kind": "task"})
    assert "name" in error(nameless)["fields"]
    to_summary = pm_client.patch(url(project, f"wbs/{task.pk}/"), {"kind": "summary"})
    assert "kind" in error(to_summary)["fields"]
    assert elements(project) == before
    assert refreshed(task).budgeted_cost == Decimal("100.00")


def test_a_parent_from_another_project_or_organisation_looks_nonexistent(
    organization: Organization,
    other_organization: Organization,
    project: Project,
    pm_client: APIClient,
    admin_member: Membership,
) -> None:
    elsewhere = make_project(organization, actor=admin_member, code="P-2")
    foreign_project = make_project(other_organization, code="R-1")
    for parent in (
        add_task(elsewhere, "Elsewhere", actor=admin_member),
        add_task(foreign_project, "Foreign", actor=member(other_organization, OrgRole.ADMIN)),
    ):
        response = pm_client.post(url(project, "wbs/"), {"name": "Child", "parent": parent.pk})
        assert response.status_code == 400
        assert "parent" in error(response)["fields"]
    assert elements(project) == []


def test_a_project_manager_edits_the_wbs_of_their_project_only(
    project: Project, pm_client: APIClient, organization: Organization, admin_member: Membership
) -> None:
    other = make_project(organization, actor=admin_member, code="P-2")
    assert pm_client.post(url(project, "wbs/"), {"name": "Mine"}).status_code == 201
    assert pm_client.post(url(other, "wbs/"), {"name": "Theirs"}).status_code == 403
    assert elements(other) == []


def test_a_team_member_reports_progress_but_does_not_edit_the_wbs(
    project: Project, pm: Membership, teammate: Membership
) -> None:
    task = add_task(project, "Paving", actor=pm)
    client = api_client_for(teammate.user)
    assert client.get(url(project, "wbs/")).status_code == 200
    assert client.post(url(project, "wbs/"), {"name": "Extra"}).status_code == 403
    assert client.patch(url(project, f"wbs/{task.pk}/"), {"name": "Renamed"}).status_code == 403
    assert client.delete(url(project, f"wbs/{task.pk}/")).status_code == 403
    report = client.post(
        url(project, f"tasks/{task.pk}/progress/"), {"percent_complete": "40", "effective_date": "2026-03-04"}
    )
    assert report.status_code == 201, report.json()
    assert refreshed(task).name == "Paving"


def test_a_viewer_reads_the_plan_and_changes_nothing(
    organization: Organization, project: Project, pm: Membership
) -> None:
    task = add_task(project, "Paving", actor=pm)
    client = api_client_for(member(organization, OrgRole.VIEWER).user)
    for path in ["wbs/", "tasks/", "dependencies/", "schedule/", "baselines/", f"tasks/{task.pk}/progress/"]:
        assert client.get(url(project, path)).status_code == 200, path
    assert client.post(url(project, f"tasks/{task.pk}/progress/"), {"percent_complete": "10"}).status_code == 403
    assert client.post(url(project, "schedule/recompute/")).status_code == 403
    assert client.post(url(project, "baselines/"), {"name": "B1"}).status_code == 403
    assert not ProgressUpdate.objects.for_organization(organization).exists()


# --- tasks and progress ---------------------------------------------------------------


@pytest.fixture
def park(project: Project, pm: Membership) -> dict[str, WbsElement]:
    """Design (done), Build > Earthworks (started, critical) and Paving, and an Opening milestone."""
    design = add_task(project, "Design", actor=pm, duration=3)
    build = add_task(project, "Build", actor=pm)
    earthworks = add_task(project, "Earthworks", actor=pm, parent=build, duration=10)
    paving = add_task(project, "Paving", actor=pm, parent=build, duration=2, notes="Permeable asphalt")
    opening = add_task(project, "Opening", actor=pm, kind="milestone")
    plan.dependency_create(actor=pm.user, project=project, predecessor=design, successor=earthworks)
    plan.dependency_create(actor=pm.user, project=project, predecessor=earthworks, successor=opening)
    plan.task_progress_update(actor=pm.user, task=design, percent_complete=Decimal("100"), effective_date=D(2026, 3, 4))
    plan.task_progress_update(
        actor=pm.user, task=earthworks, percent_complete=Decimal("20"), effective_date=D(2026, 3, 6)
    )
    return {"design": design, "build": build, "earthworks": earthworks, "paving": paving, "opening": opening}


def test_the_task_list_holds_leaves_only_and_filters_them(
    project: Project, park: dict[str, WbsElement], pm_client: APIClient
) -> None:
    def names(query: str = "") -> list[str]:
        response = pm_client.get(url(project, f"tasks/?{query}"))
        assert response.status_code == 200, response.json()
        return sorted(row["name"] for row in response.json()["results"])

    assert names() == ["Design", "Earthworks", "Opening", "Paving"]
    assert names("status=done") == ["Design"]
    assert names("status=in_progress") == ["Earthworks"]
    assert names("status=not_started") == ["Opening", "Paving"]
    assert names("kind=milestone") == ["Opening"]
    assert names("critical=true") == ["Design", "Earthworks", "Opening"]
    assert names("q=asphalt") == ["Paving"]
    summary = pm_client.get(url(project, f"tasks/{park['build'].pk}/"))
    assert summary.status_code == 404


def test_progress_is_reported_and_its_history_kept(
    organization: Organization, project: Project, pm: Membership, pm_client: APIClient
) -> None:
    task = add_task(project, "Paving", actor=pm)
    first = pm_client.post(
        url(project, f"tasks/{task.pk}/progress/"),
        {"percent_complete": "30", "actual_start": "2026-03-03", "effective_date": "2026-03-04", "note": "Base"},
    )
    assert first.status_code == 201, first.json()
    assert first.json()["task"]["status"] == "in_progress"
    assert first.json()["progress"]["previous_percent_complete"] == "0.00"
    today = pm_client.post(url(project, f"tasks/{task.pk}/progress/"), {"percent_complete": "60"})
    assert today.json()["progress"]["effective_date"] == organization.today().isoformat()
    history = pm_client.get(url(project, f"tasks/{task.pk}/progress/")).json()["results"]
    assert [(row["previous_percent_complete"], row["percent_complete"]) for row in history] == [
        ("30.00", "60.00"),
        ("0.00", "30.00"),
    ]
    assert history[1]["updated_by"]["username"] == "pia"
    assert history[1]["note"] == "Base"


def test_invalid_progress_is_refused_and_nothing_recorded(
    project: Project, pm: Membership, pm_client: APIClient
) -> None:
    task = add_task(project, "Paving", actor=pm)
    too_much = pm_client.post(url(project, f"tasks/{task.pk}/progress/"), {"percent_complete": "150"})
    assert "percent_complete" in error(too_much)["fields"]
    future = pm_client.post(
        url(project, f"tasks/{task.pk}/progress/"),
        {"actual_start": "2026-03-10", "effective_date": "2026-03-05", "percent_complete": "10"},
    )
    assert "actual_start" in error(future)["fields"]
    assert not ProgressUpdate.objects.for_organization(project.organization_id).exists()
    assert refreshed(task).percent_complete == 0


# --- dependencies ---------------------------------------------------------------------


def test_tasks_are_linked_and_the_schedule_follows(project: Project, pm: Membership, pm_client: APIClient) -> None:
    design = add_task(project, "Design", actor=pm, duration=5)
    build = add_task(project, "Build", actor=pm, duration=5)
    created = pm_client.post(url(project, "dependencies/"), {"predecessor": design.pk, "successor": build.pk, "lag": 2})
    assert created.status_code == 201, created.json()
    link = created.json()
    assert (link["predecessor_code"], link["type"], link["lag"]) == ("1", "FS", 2)
    assert refreshed(build).planned_start == D(2026, 3, 11)
    changed = pm_client.patch(url(project, f"dependencies/{link['id']}/"), {"type": "SS", "lag": 0})
    assert changed.json()["type"] == "SS"
    assert refreshed(build).planned_start == D(2026, 3, 2)
    assert [row["id"] for row in pm_client.get(url(project, "dependencies/")).json()["results"]] == [link["id"]]
    assert pm_client.delete(url(project, f"dependencies/{link['id']}/")).status_code == 204
    assert not Dependency.objects.for_organization(project.organization_id).exists()


def test_a_link_that_closes_a_loop_is_refused_with_the_cycle_named(
    project: Project, pm: Membership, pm_client: APIClient
) -> None:
    a, b, c = (add_task(project, name, actor=pm) for name in ["Survey", "Design", "Build"])
    plan.dependency_create(actor=pm.user, project=project, predecessor=a, successor=b)
    plan.dependency_create(actor=pm.user, project=project, predecessor=b, successor=c)
    response = pm_client.post(url(project, "dependencies/"), {"predecessor": c.pk, "successor": a.pk})
    assert response.status_code == 400
    body = error(response)
    assert body["code"] == "cycle"
    assert "predecessor" in body["fields"]
    assert all(name in body["message"] for name in ["Survey", "Design", "Build"])
    assert Dependency.objects.for_organization(project.organization_id).count() == 2


def test_links_to_tasks_of_another_project_or_organisation_are_refused(
    organization: Organization,
    other_organization: Organization,
    project: Project,
    pm: Membership,
    pm_client: APIClient,
    admin_member: Membership,
) -> None:
    mine = add_task(project, "Mine", actor=pm)
    theirs = add_task(make_project(organization, actor=admin_member, code="P-2"), "Theirs", actor=admin_member)
    foreign = add_task(
        make_project(other_organization, code="R-1"), "Foreign", actor=member(other_organization, "admin")
    )
    for other in (theirs, foreign):
        response = pm_client.post(url(project, "dependencies/"), {"predecessor": other.pk, "successor": mine.pk})
        assert "predecessor" in error(response)["fields"]
    assert not Dependency.objects.for_organization(organization).exists()


# --- the schedule ---------------------------------------------------------------------


def test_the_schedule_shows_dates_float_and_the_critical_path(
    project: Project, park: dict[str, WbsElement], pm_client: APIClient
) -> None:
    body = pm_client.get(url(project, "schedule/")).json()
    assert body["planned_start"] == "2026-03-02"
    assert body["scheduled_start"] == "2026-03-02"
    tasks = {row["name"]: row for row in body["tasks"]}
    assert list(tasks) == ["Design", "Earthworks", "Paving", "Opening"]
    paving = tasks["Paving"]
    assert (paving["early_start"], paving["early_finish"], paving["is_critical"]) == ("2026-03-02", "2026-03-03", False)
    assert paving["total_float"] > 0
    assert [step["code"] for step in body["critical_path"]] == ["1", "2.1", "3"]
    assert body["scheduled_finish"] == tasks["Opening"]["early_finish"]


def test_the_schedule_is_recomputed_on_request_by_the_project_manager_only(
    organization: Organization, project: Project, pm: Membership, teammate: Membership
) -> None:
    add_task(project, "Paving", actor=pm, duration=5)
    Project.objects.for_organization(organization).filter(pk=project.pk).update(scheduled_finish=None)
    assert api_client_for(teammate.user).post(url(project, "schedule/recompute/")).status_code == 403
    response = api_client_for(pm.user).post(url(project, "schedule/recompute/"))
    assert response.status_code == 200, response.json()
    assert response.json()["scheduled_finish"] == "2026-03-06"
    event = AuditEvent.objects.for_organization(organization).get(action="schedule.recomputed")
    assert event.changes == {"scheduled_finish": [None, "2026-03-06"]}


# --- baselines ------------------------------------------------------------------------


def test_a_baseline_is_taken_made_current_and_never_changed(
    project: Project, park: dict[str, WbsElement], pm_client: APIClient
) -> None:
    first = pm_client.post(url(project, "baselines/"), {"name": "Approved plan"})
    assert first.status_code == 201, first.json()
    assert first.json()["is_current"] is True
    assert [task["code"] for task in first.json()["tasks"]] == ["1", "2.1", "2.2", "3"]
    second = pm_client.post(url(project, "baselines/"), {"name": "Re-plan", "make_current": False}).json()
    assert second["is_current"] is False
    duplicate = pm_client.post(url(project, "baselines/"), {"name": "Re-plan"})
    assert "name" in error(duplicate)["fields"]
    made = pm_client.post(url(project, f"baselines/{second['id']}/make-current/"))
    assert made.json()["is_current"] is True
    listed = pm_client.get(url(project, "baselines/")).json()["results"]
    assert [(row["name"], row["is_current"], row["task_count"]) for row in listed] == [
        ("Re-plan", True, 4),
        ("Approved plan", False, 4),
    ]
    detail = url(project, f"baselines/{second['id']}/")
    for method in ("put", "patch", "delete"):
        assert getattr(pm_client, method)(detail, {"name": "Edited"}).status_code == 405
    assert Baseline.objects.for_organization(project.organization_id).get(pk=second["id"]).name == "Re-plan"


def test_the_comparison_shows_slips_and_cost_differences_against_a_baseline(
    project: Project, pm: Membership, pm_client: APIClient
) -> None:
    paving = add_task(project, "Paving", actor=pm, duration=5, budgeted_cost=1000)
    baseline = plan.baseline_create(actor=pm.user, project=project, name="Approved")
    plan.wbs_element_update(actor=pm.user, element=paving, duration=7, budgeted_cost=Decimal("1250.25"))
    body = pm_client.get(url(project, f"baselines/{baseline.pk}/comparison/")).json()
    assert body["baseline"]["name"] == "Approved"
    row = body["rows"][0]
    assert (row["code"], row["status"], row["finish_slip_days"]) == ("1", "changed", 2)
    assert (row["baseline_cost"], row["current_cost"], row["cost_difference"]) == ("1000.00", "1250.25", "250.25")
    assert body["total"]["cost_difference"] == "250.25"


def test_the_comparison_of_another_projects_baseline_is_not_found(
    organization: Organization, project: Project, pm: Membership, admin_member: Membership
) -> None:
    other = make_project(organization, actor=admin_member, code="P-2")
    add_task(other, "Theirs", actor=admin_member)
    baseline = plan.baseline_create(actor=admin_member.user, project=other, name="Theirs")
    response = api_client_for(admin_member.user).get(url(project, f"baselines/{baseline.pk}/comparison/"))
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


def test_a_baseline_of_an_empty_plan_is_refused(project: Project, pm_client: APIClient) -> None:
    response = pm_client.post(url(project, "baselines/"), {"name": "Nothing"})
    assert error(response)["code"] == "empty_plan"
    assert not Baseline.objects.for_organization(project.organization_id).exists()
