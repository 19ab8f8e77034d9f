"""The WBS pages: the table, adding, editing and deleting elements, dependencies and progress."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pmo.models import Organization, OrgRole
from projects.models import Dependency, ProgressUpdate, Project, ProjectRole, WbsElement
from projects.services import plan
from projects.services import projects as project_services
from tests.factories import member
from tests.projects.test_pages_support import (
    START,
    add,
    bar_fill_width,
    build_plan,
    client_with_role,
    make_project,
    refreshed,
)

pytestmark = pytest.mark.django_db


def url(project: Project, rest: str = "") -> str:
    return f"/o/acme/projects/{project.pk}/{rest}"


def elements(project: Project) -> list[WbsElement]:
    return list(WbsElement.objects.for_organization(project.organization_id).filter(project=project))


def test_the_wbs_lists_elements_in_tree_order_with_rolled_up_summaries(organization: Organization) -> None:
    client, _viewer = client_with_role(organization, OrgRole.VIEWER)
    actor = member(organization, OrgRole.ADMIN).user
    project = make_project(organization, actor)
    summary = add(project, actor, "设计 Design", kind="summary", duration=0)
    tasks = [add(project, actor, f"Task {index}", parent=summary, budgeted_cost=100) for index in range(1, 12)]
    plan.dependency_create(actor=actor, project=project, predecessor=tasks[0], successor=tasks[1], type="SS", lag=2)
    plan.task_progress_update(actor=actor, task=tasks[0], percent_complete=Decimal(50), effective_date=START)

    response = client.get(url(project, "wbs/"))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.element.code for row in rows][:4] == ["1", "1.1", "1.2", "1.3"]
    assert [row.element.code for row in rows][-2:] == ["1.10", "1.11"]
    assert rows[0].element.budgeted_cost == Decimal("1100.00")
    assert rows[0].span == 7  # 1.2 starts two working days after 1.1 (SS+2) and lasts five
    assert rows[2].predecessors == ["1.1 SS+2"]
    html = response.content.decode()
    assert 'class="wbs-summary' in html
    assert f'id="e{tasks[0].pk}"' in html
    assert "<progress" in html
    # A viewer sees the plan but no form or edit link.
    assert "progress/" not in html
    assert "/edit/" not in html.split("<tbody>")[1]


def test_the_wbs_escapes_user_text(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    add(project, admin.user, '<script>alert("x")</script> & co')
    html = client.get(url(project, "wbs/")).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html


def _wbs_queries(client: Client, project: Project, actor, tasks: int) -> int:  # type: ignore[no-untyped-def]
    build_plan(project, actor, tasks)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(project, "wbs/"))
    assert response.status_code == 200
    assert sum(1 for row in response.context["rows"] if row.element.is_leaf) == tasks
    return len(queries)


def test_the_wbs_page_runs_a_fixed_number_of_queries(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    small = _wbs_queries(client, make_project(organization, admin.user, code="S"), admin.user, 3)
    large = _wbs_queries(client, make_project(organization, admin.user, code="L"), admin.user, 30)
    assert (small, large) == (11, 11)


def test_the_project_manager_of_a_edits_the_wbs_of_a_but_not_of_b(organization: Organization) -> None:
    pm = member(organization, OrgRole.PROJECT_MANAGER)
    admin = member(organization, OrgRole.ADMIN)
    project_a = make_project(organization, admin.user, code="A", manager=pm.user)
    project_b = make_project(organization, admin.user, code="B", manager=admin.user)
    task_b = add(project_b, admin.user, "Theirs")
    client = Client()
    client.force_login(pm.user)

    assert client.get(url(project_a, "wbs/new/")).status_code == 200
    response = client.post(
        url(project_a, "wbs/new/"),
        {
            "name": "Survey",
            "kind": "task",
            "duration": 4,
            "budgeted_cost": "1000",
            "percent_complete_method": "physical",
        },
    )
    assert response.status_code == 302
    created = WbsElement.objects.for_organization(organization).get(project=project_a)
    assert response["Location"] == url(project_a, f"wbs/#e{created.pk}")
    assert (created.name, created.duration, created.budgeted_cost) == ("Survey", 4, Decimal("1000.00"))

    assert client.get(url(project_b, "wbs/")).status_code == 200
    assert client.get(url(project_b, "wbs/new/")).status_code == 403
    assert (
        client.post(
            url(project_b, "wbs/new/"),
            {
                "name": "Sneaky",
                "kind": "task",
                "duration": 1,
                "budgeted_cost": "0",
                "percent_complete_method": "physical",
            },
        ).status_code
        == 403
    )
    assert client.post(url(project_b, f"wbs/{task_b.pk}/edit/"), {"name": "Renamed"}).status_code == 403
    assert client.post(url(project_b, f"wbs/{task_b.pk}/delete/")).status_code == 403
    assert [element.name for element in elements(project_b)] == ["Theirs"]


def test_a_coordinator_manages_the_wbs_of_their_project(organization: Organization) -> None:
    admin = member(organization, OrgRole.ADMIN)
    coordinator = member(organization, OrgRole.MEMBER)
    project = make_project(organization, admin.user)
    project_services.project_member_add(
        actor=admin.user, project=project, user=coordinator.user, role=ProjectRole.COORDINATOR
    )
    client = Client()
    client.force_login(coordinator.user)
    assert client.get(url(project, "wbs/new/")).status_code == 200


def test_a_bad_new_element_shows_errors_beside_the_fields_and_adds_nothing(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    milestone = add(project, admin.user, "Handover", kind="milestone", duration=0)
    response = client.post(
        url(project, "wbs/new/"),
        {"name": "", "kind": "task", "duration": "-1", "budgeted_cost": "-5", "percent_complete_method": "physical"},
    )
    assert response.status_code == 400
    assert {"name", "duration", "budgeted_cost"} <= set(response.context["form"].errors)
    under_milestone = client.post(
        url(project, "wbs/new/"),
        {
            "name": "Child",
            "parent": milestone.pk,
            "kind": "task",
            "duration": 1,
            "budgeted_cost": "0",
            "percent_complete_method": "physical",
        },
    )
    assert under_milestone.status_code == 400
    assert "parent" in under_milestone.context["form"].errors
    assert [element.name for element in elements(project)] == ["Handover"]


def test_adding_under_a_summary_from_its_row_preselects_it(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    summary = add(project, admin.user, "Design", kind="summary", duration=0)
    form = client.get(url(project, f"wbs/new/?parent={summary.pk}")).context["form"]
    assert str(form["parent"].value()) == str(summary.pk)
    response = client.post(
        url(project, "wbs/new/"),
        {
            "name": "Drawings",
            "parent": summary.pk,
            "kind": "task",
            "duration": 3,
            "budgeted_cost": "10",
            "percent_complete_method": "physical",
            "add_another": "1",
        },
    )
    assert response["Location"] == url(project, f"wbs/new/?parent={summary.pk}")
    assert WbsElement.objects.for_organization(organization).get(name="Drawings").code == "1.1"


def test_an_element_is_edited_and_a_refused_change_is_shown_beside_the_field(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    summary = add(project, admin.user, "Design", kind="summary", duration=0)
    task = add(project, admin.user, "Survey", parent=summary)
    edit = url(project, f"wbs/{task.pk}/edit/")
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "name": "Site survey",
            "parent": summary.pk,
            "kind": "task",
            "duration": 8,
            "budgeted_cost": "250",
            "percent_complete_method": "physical",
        },
    )
    assert response.status_code == 302
    task = refreshed(task)
    assert (task.name, task.duration, task.budgeted_cost) == ("Site survey", 8, Decimal("250.00"))
    # A summary cannot be moved under its own child.
    moved = client.post(url(project, f"wbs/{summary.pk}/edit/"), {"name": "Design", "parent": task.pk})
    assert moved.status_code == 400
    assert "parent" in moved.context["form"].errors
    assert refreshed(summary).parent_id is None


def test_deleting_asks_for_confirmation_and_removes_the_branch(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    summary = add(project, admin.user, "Design", kind="summary", duration=0)
    add(project, admin.user, "Survey", parent=summary)
    keep = add(project, admin.user, "Build")
    confirm = client.get(url(project, f"wbs/{summary.pk}/delete/"))
    assert confirm.status_code == 200
    assert confirm.context["descendants"] == 1
    assert elements(project)  # nothing deleted by looking
    assert client.post(url(project, f"wbs/{summary.pk}/delete/")).status_code == 302
    assert [element.pk for element in elements(project)] == [keep.pk]
    assert refreshed(keep).code == "1"


def test_dependencies_are_added_and_removed_on_the_element_page(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    first = add(project, admin.user, "Survey", duration=5)
    second = add(project, admin.user, "Design", duration=5)
    links = Dependency.objects.for_organization(organization).filter(project=project)

    for kind in ("FS", "SS", "FF", "SF"):
        response = client.post(
            url(project, f"wbs/{second.pk}/dependencies/"), {"predecessor": first.pk, "type": kind, "lag": 1}
        )
        assert response.status_code == 302, kind
        link = links.get()
        assert (link.type, link.lag) == (kind, 1)
        page = client.get(url(project, f"wbs/{second.pk}/edit/"))
        assert [d.pk for d in page.context["predecessors"]] == [link.pk]
        assert client.post(url(project, f"dependencies/{link.pk}/delete/")).status_code == 302
        assert not links.exists()

    client.post(url(project, f"wbs/{second.pk}/dependencies/"), {"predecessor": first.pk, "type": "FS", "lag": 0})
    assert refreshed(second).planned_start == dt.date(2026, 3, 9)
    cycle = client.post(
        url(project, f"wbs/{first.pk}/dependencies/"), {"predecessor": second.pk, "type": "FS", "lag": 0}
    )
    assert cycle.status_code == 400
    assert "predecessor" in cycle.context["dependency_form"].errors
    itself = client.post(
        url(project, f"wbs/{first.pk}/dependencies/"), {"predecessor": first.pk, "type": "FS", "lag": 0}
    )
    assert itself.status_code == 400
    assert "predecessor" in itself.context["dependency_form"].errors
    assert links.count() == 1


def test_the_inline_form_records_progress_and_the_gantt_bar_fills(organization: Organization) -> None:
    pm = member(organization, OrgRole.PROJECT_MANAGER)
    admin = member(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user, manager=pm.user)
    task = add(project, admin.user, "Survey", duration=10, budgeted_cost=100)
    client = Client()
    client.force_login(pm.user)

    wbs = client.get(url(project, "wbs/")).content.decode()
    form = re.search(rf'<form method="post" action="{task.pk}/progress/">(.*?)</form>', wbs, re.S)
    assert form is not None, "the row has no inline progress form"
    assert {"percent_complete", "actual_start", "actual_finish", "effective_date"} <= set(
        re.findall(r'name="(\w+)"', form.group(1))
    )
    before = bar_fill_width(client.get(url(project, "gantt/?zoom=week")).content.decode(), task.pk)
    assert before == 0

    response = client.post(
        url(project, f"wbs/{task.pk}/progress/"),
        {"percent_complete": "40", "actual_start": "2026-03-02", "actual_finish": "", "effective_date": "2026-03-06"},
    )

    assert response.status_code == 302
    assert response["Location"] == url(project, f"wbs/#e{task.pk}")
    task = refreshed(task)
    assert (task.percent_complete, task.actual_start) == (Decimal("40.00"), dt.date(2026, 3, 2))
    gantt = client.get(url(project, "gantt/?zoom=week")).content.decode()
    assert re.search(rf'<g id="t{task.pk}"[^>]*data-pct="40"', gantt)
    assert bar_fill_width(gantt, task.pk) > 0
    update = ProgressUpdate.objects.for_organization(organization).get(task=task)
    assert (update.updated_by, update.effective_date) == (pm.user, dt.date(2026, 3, 6))


def test_bad_progress_is_shown_beside_the_fields_and_changes_nothing(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    task = add(project, admin.user, "Survey", duration=10)
    progress = url(project, f"wbs/{task.pk}/progress/")

    over = client.post(progress, {"percent_complete": "140", "effective_date": "2026-03-06"})
    assert over.status_code == 400
    assert "percent_complete" in over.context["form"].errors
    future = client.post(
        progress, {"percent_complete": "10", "actual_start": "2026-04-01", "effective_date": "2026-03-06"}
    )
    assert future.status_code == 400
    assert "actual_start" in future.context["form"].errors
    assert 'class="field-error"' in future.content.decode()
    no_date = client.post(progress, {"percent_complete": "10"})
    assert no_date.status_code == 400
    assert "effective_date" in no_date.context["form"].errors

    task = refreshed(task)
    assert (task.percent_complete, task.actual_start) == (Decimal("0.00"), None)
    assert not ProgressUpdate.objects.for_organization(organization).exists()


def test_progress_on_a_summary_is_refused(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    summary = add(project, admin.user, "Design", kind="summary", duration=0)
    add(project, admin.user, "Survey", parent=summary)
    response = client.post(
        url(project, f"wbs/{summary.pk}/progress/"), {"percent_complete": "10", "effective_date": "2026-03-06"}
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


def test_a_team_member_reports_progress_but_a_viewer_may_not(organization: Organization) -> None:
    admin = member(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    task = add(project, admin.user, "Survey")
    worker = member(organization, OrgRole.MEMBER)
    project_services.project_member_add(actor=admin.user, project=project, user=worker.user, role=ProjectRole.MEMBER)
    worker_client = Client()
    worker_client.force_login(worker.user)
    data = {"percent_complete": "20", "effective_date": "2026-03-04"}
    assert worker_client.post(url(project, f"wbs/{task.pk}/progress/"), data).status_code == 302
    viewer_client, _viewer = client_with_role(organization, OrgRole.VIEWER)
    assert viewer_client.get(url(project, f"wbs/{task.pk}/progress/")).status_code == 403
    assert (
        viewer_client.post(url(project, f"wbs/{task.pk}/progress/"), {**data, "percent_complete": "90"}).status_code
        == 403
    )
    assert refreshed(task).percent_complete == Decimal("20.00")


def test_the_history_page_lists_every_update_newest_first(organization: Organization) -> None:
    client, _viewer = client_with_role(organization, OrgRole.VIEWER)
    actor = member(organization, OrgRole.ADMIN).user
    project = make_project(organization, actor)
    task = add(project, actor, "Survey", duration=10)
    for day, percent in ((4, 10), (6, 30), (10, 60)):
        plan.task_progress_update(
            actor=actor, task=task, percent_complete=Decimal(percent), effective_date=dt.date(2026, 3, day)
        )
    response = client.get(url(project, f"wbs/{task.pk}/history/"))
    assert response.status_code == 200
    assert [update.percent_complete for update in response.context["page"].object_list] == [60, 30, 10]
    assert response.context["page"].object_list[0].previous_percent_complete == 30


def test_an_element_deleted_by_another_request_while_its_edit_is_saved_answers_not_found(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    task = add(project, admin.user, "Survey")
    edit = url(project, f"wbs/{task.pk}/edit/")
    assert client.get(edit).status_code == 200

    def gone_meanwhile(**kwargs: object) -> WbsElement:
        WbsElement.objects.for_organization(organization).filter(pk=task.pk).delete()
        return WbsElement.objects.for_organization(organization).get(pk=task.pk)

    monkeypatch.setattr(plan, "wbs_element_update", gone_meanwhile)
    response = client.post(
        edit,
        {
            "name": "Site survey",
            "kind": "task",
            "duration": 8,
            "budgeted_cost": "250",
            "percent_complete_method": "physical",
        },
    )
    assert response.status_code == 404


def test_a_stale_inline_progress_form_is_refused_with_the_input_kept(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    task = add(project, admin.user, "Survey", duration=10)
    wbs = client.get(url(project, "wbs/")).content.decode()
    form = re.search(rf'<form method="post" action="{task.pk}/progress/">(.*?)</form>', wbs, re.S)
    assert form is not None
    version = re.search(r'name="row_version" value="([0-9a-f]+)"', form.group(1))
    assert version, "the inline progress form carries no version"
    plan.task_progress_update(
        actor=admin.user, task=task, percent_complete=Decimal("20"), effective_date=dt.date(2026, 3, 4)
    )
    progress = url(project, f"wbs/{task.pk}/progress/")
    data = {"percent_complete": "40", "effective_date": "2026-03-06", "row_version": version.group(1)}

    stale = client.post(progress, data)

    assert stale.status_code == 412
    page = stale.content.decode()
    assert "changed by someone else while you were editing" in page
    assert 'name="percent_complete" value="40"' in page
    assert refreshed(task).percent_complete == Decimal("20.00")
    current = re.search(r'name="row_version" value="([0-9a-f]+)"', page)
    assert current is not None
    assert client.post(progress, data | {"row_version": current.group(1)}).status_code == 302
    assert refreshed(task).percent_complete == Decimal("40.00")
