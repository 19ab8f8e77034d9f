"""Baselines: saving one, choosing the current one, and comparing the plan against it."""

from __future__ import annotations

import itertools

import pytest

from pmo.models import Organization, OrgRole
from projects.models import Baseline, Project
from projects.services import plan
from tests.factories import member
from tests.projects.test_pages_support import add, client_with_role, make_project, refreshed

pytestmark = pytest.mark.django_db


def url(project: Project, rest: str = "baselines/") -> str:
    return f"/o/acme/projects/{project.pk}/{rest}"


def test_the_project_manager_saves_baselines_and_chooses_the_current_one(organization: Organization) -> None:
    client, pm = client_with_role(organization, OrgRole.PROJECT_MANAGER)
    admin = member(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user, manager=pm.user)
    add(project, admin.user, "Survey")
    baselines = Baseline.objects.for_organization(organization).filter(project=project)

    assert client.post(url(project), {"name": "Approved", "make_current": "on"}).status_code == 302
    assert client.post(url(project), {"name": "What-if"}).status_code == 302
    approved, what_if = baselines.get(name="Approved"), baselines.get(name="What-if")
    assert (approved.is_current, what_if.is_current) == (True, False)

    page = client.get(url(project))
    assert [b.name for b in page.context["baselines"]] == ["What-if", "Approved"]
    assert page.context["baselines"][1].task_count == 1

    assert client.post(url(project, f"baselines/{what_if.pk}/current/")).status_code == 302
    assert baselines.get(is_current=True).pk == what_if.pk


def test_a_bad_baseline_is_refused_beside_the_field(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    empty_plan = client.post(url(project), {"name": "Too early", "make_current": "on"})
    assert empty_plan.status_code == 400
    assert empty_plan.context["form"].non_field_errors()
    add(project, admin.user, "Survey")
    client.post(url(project), {"name": "Approved", "make_current": "on"})
    duplicate = client.post(url(project), {"name": "Approved"})
    assert duplicate.status_code == 400
    assert "name" in duplicate.context["form"].errors
    assert client.post(url(project), {"name": ""}).status_code == 400
    assert Baseline.objects.for_organization(organization).filter(project=project).count() == 1


def test_viewers_read_baselines_but_cannot_change_them(organization: Organization) -> None:
    client, _viewer = client_with_role(organization, OrgRole.VIEWER)
    admin = member(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    add(project, admin.user, "Survey")
    first = plan.baseline_create(actor=admin.user, project=project, name="One")
    plan.baseline_create(actor=admin.user, project=project, name="Two")
    page = client.get(url(project))
    assert page.status_code == 200
    assert "form" not in page.context
    assert client.post(url(project), {"name": "Three"}).status_code == 403
    assert client.post(url(project, f"baselines/{first.pk}/current/")).status_code == 403
    assert not refreshed_baseline(first).is_current


def refreshed_baseline(baseline: Baseline) -> Baseline:
    return Baseline.objects.for_organization(baseline.organization_id).get(pk=baseline.pk)


def test_the_comparison_shows_slip_cost_and_added_and_removed_tasks(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    summary = add(project, admin.user, "Design", kind="summary", duration=0)
    tasks = [add(project, admin.user, f"Task {index}", parent=summary, budgeted_cost=100) for index in range(1, 11)]
    gone = add(project, admin.user, "Dropped", budgeted_cost=50)
    for before, after in itertools.pairwise(tasks):
        plan.dependency_create(actor=admin.user, project=project, predecessor=before, successor=after)
    baseline = plan.baseline_create(actor=admin.user, project=project, name="Approved")
    plan.wbs_element_update(actor=admin.user, element=refreshed(tasks[0]), duration=8, budgeted_cost=130)
    add(project, admin.user, "New work", parent=summary, budgeted_cost=20)
    plan.wbs_element_delete(actor=admin.user, element=gone)

    response = client.get(url(project, f"baselines/{baseline.pk}/compare/"))

    assert response.status_code == 200
    rows = {item["row"].name: item["row"] for item in response.context["rows"]}
    assert [item["row"].code for item in response.context["rows"]][:3] == ["1", "1.1", "1.2"]
    assert [item["row"].code for item in response.context["rows"]][10:12] == ["1.10", "1.11"]
    assert rows["Task 1"].finish_slip_days == 3
    assert rows["Task 1"].cost_difference == 30
    assert rows["Task 10"].start_slip_days == 3
    assert rows["New work"].status == "added"
    assert rows["Dropped"].status == "removed"
    total = response.context["total"]
    assert total.finish_slip_days == 3
    assert total.cost_difference == 30 + 20 - 50
    assert response.context["counts"] == {"changed": 10, "added": 1, "removed": 1}
    html = response.content.decode()
    assert 'class="worse"' in html
    assert "cmp-added" in html
    assert "cmp-removed" in html


def test_an_earlier_finish_shows_as_better(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    task = add(project, admin.user, "Survey", duration=10)
    baseline = plan.baseline_create(actor=admin.user, project=project, name="Approved")
    plan.wbs_element_update(actor=admin.user, element=refreshed(task), duration=6)
    response = client.get(url(project, f"baselines/{baseline.pk}/compare/"))
    assert response.context["total"].finish_slip_days == -4
    assert 'class="better"' in response.content.decode()
