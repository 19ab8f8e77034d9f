"""The project's Resources tab: tasks with their assignments and estimates, adding, changing and removing
assignments, bottom-up costing and "re-cost now", permissions, empty state and pinned queries."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo.models import Organization, OrgRole
from projects.models import ProjectRole
from resources.models import Assignment, ProjectResourcing
from resources.services.assignments import assignment_create, assignment_update
from tests.conftest import page_client_for
from tests.factories import ProjectFactory, ProjectMemberFactory, ResourceFactory, WbsElementFactory, member
from tests.resources.assignments_support import Site, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(organization: Organization) -> Site:
    return make_site(organization)


def page(site: Site, suffix: str = "") -> str:
    return f"/o/acme/projects/{site.project.pk}/resources/{suffix}"


def assign(site: Site, **fields: object) -> Assignment:
    fields.setdefault("task", site.excavation)
    fields.setdefault("resource", site.engineer)
    return assignment_create(actor=site.manager, project=site.project, **fields)  # type: ignore[arg-type]


def test_the_project_has_a_resources_tab_listing_tasks_and_their_assignments(site: Site) -> None:
    assign(site, work=Decimal("40"))
    client = page_client_for(site.office)

    body = client.get(page(site), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert f'href="/o/acme/projects/{site.project.pk}/resources/"' in body
    assert "Excavation" in body
    assert "Handover" in body
    assert "P001 Li Wei" in body
    assert "4,320.00" in body  # 3 * 8 * 100 + 2 * 8 * 120, for those who may see rates


def test_a_project_manager_sees_no_estimate_but_may_assign(site: Site) -> None:
    assign(site, work=Decimal("40"))
    client = page_client_for(site.manager)

    body = client.get(page(site)).content.decode()

    assert "4,320.00" not in body
    assert 'name="op" value="add"' in body


def test_a_viewer_reads_without_forms(site: Site) -> None:
    body = page_client_for(site.viewer).get(page(site)).content.decode()

    assert 'name="op" value="add"' not in body
    assert 'value="recost"' not in body


def test_adding_an_assignment_by_units_derives_the_work(site: Site) -> None:
    client = page_client_for(site.manager)

    response = client.post(
        page(site),
        {"op": "add", "task": site.excavation.pk, "resource": site.engineer.pk, "mode": "units", "amount": "50"},
    )

    assert response.status_code == 302
    made = Assignment.objects.for_organization(site.org).get()
    assert (made.units, made.work) == (Decimal("50.00"), Decimal("20.00"))


def test_bad_input_keeps_the_form_with_the_error_and_changes_nothing(site: Site) -> None:
    client = page_client_for(site.manager)

    summary = client.post(
        page(site),
        {"op": "add", "task": site.earthworks.pk, "resource": site.engineer.pk, "mode": "work", "amount": "8"},
    )
    material_units = client.post(
        page(site),
        {"op": "add", "task": site.excavation.pk, "resource": site.concrete.pk, "mode": "units", "amount": "8"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert summary.status_code == 400  # a summary is not offered: not a valid choice
    assert material_units.status_code == 400
    assert "A material is assigned by quantity" in material_units.content.decode()
    assert not Assignment.objects.for_organization(site.org).exists()


def test_a_project_manager_of_another_project_cannot_assign_here(site: Site) -> None:
    other_manager = member(site.org, OrgRole.PROJECT_MANAGER).user
    ProjectMemberFactory(project=ProjectFactory(organization=site.org), user=other_manager, role=ProjectRole.MANAGER)
    client = page_client_for(other_manager)

    response = client.post(
        page(site),
        {"op": "add", "task": site.excavation.pk, "resource": site.engineer.pk, "mode": "work", "amount": "8"},
    )

    assert response.status_code == 403
    assert not Assignment.objects.for_organization(site.org).exists()


def test_bottom_up_costing_is_toggled_and_re_cost_now_brings_the_plan_up_to_date(site: Site) -> None:
    assign(site, work=Decimal("40"))
    client = page_client_for(site.manager)

    assert client.post(page(site), {"op": "bottom_up", "bottom_up_costing": "on"}).status_code == 302
    site.refresh()
    assert site.excavation.budgeted_cost == Decimal("4320.00")
    site.excavation.budgeted_cost = Decimal("10.00")
    site.excavation.save()

    assert client.post(page(site), {"op": "recost"}).status_code == 302
    site.refresh()
    assert site.excavation.budgeted_cost == Decimal("4320.00")

    assert client.post(page(site), {"op": "bottom_up"}).status_code == 302
    assert not ProjectResourcing.objects.for_organization(site.org).get(project=site.project).bottom_up_costing


def test_the_edit_page_changes_and_removes_an_assignment(site: Site) -> None:
    assignment = assign(site, work=Decimal("40"))
    client = page_client_for(site.manager)
    edit = page(site, f"assignments/{assignment.pk}/")
    form = client.get(edit).content.decode()
    assert 'name="row_version"' in form

    saved = client.post(
        edit, {"task": site.backfill.pk, "resource": site.engineer.pk, "mode": "work", "amount": "24", "note": "x"}
    )

    assert saved.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.task_id, assignment.work, assignment.units) == (
        site.backfill.pk,
        Decimal("24.00"),
        Decimal("100.00"),
    )
    assert client.post(edit, {"op": "delete"}).status_code == 302
    assert not Assignment.objects.for_organization(site.org).exists()


def test_a_stale_edit_is_refused_with_the_input_kept(site: Site) -> None:
    assignment = assign(site, work=Decimal("40"))
    client = page_client_for(site.manager)
    edit = page(site, f"assignments/{assignment.pk}/")
    data = {"task": site.excavation.pk, "resource": site.engineer.pk, "mode": "work", "amount": "30"}
    version = re.search(r'name="row_version" value="([0-9a-f]+)"', client.get(edit).content.decode())
    assert version
    assignment_update(actor=site.admin, assignment=assignment, note="meanwhile")  # another writer

    refused = client.post(edit, {**data, "row_version": version.group(1)})

    assert refused.status_code == 412
    assert 'value="30"' in refused.content.decode()
    assignment.refresh_from_db()
    assert assignment.work == Decimal("40.00")


def test_an_empty_plan_says_what_to_do(organization: Organization) -> None:
    project = ProjectFactory(organization=organization)
    manager = member(organization, OrgRole.ADMIN).user

    body = page_client_for(manager).get(f"/o/acme/projects/{project.pk}/resources/", HTTP_ACCEPT_LANGUAGE="en")

    assert body.status_code == 200
    assert "The plan has no tasks yet." in body.content.decode()


def test_the_page_filters_by_task_and_resource(site: Site) -> None:
    assign(site, work=Decimal("40"))
    assign(site, task=site.backfill, resource=site.excavator, units=Decimal("100"))
    client = page_client_for(site.office)

    by_resource = client.get(page(site), {"resource": site.excavator.pk}).content.decode()
    by_task = client.get(page(site), {"task": site.excavation.pk}).content.decode()

    assert "Backfill" in by_resource
    assert "Excavation</h4>" not in by_resource
    assert "E001 Excavator<div" in by_resource
    assert "P001 Li Wei<div" not in by_resource
    assert "Backfill</h4>" not in by_task


def test_the_page_pins_its_queries_whatever_the_number_of_tasks(site: Site) -> None:
    assign(site, work=Decimal("40"))
    client = page_client_for(site.office)
    client.get(page(site))
    with CaptureQueriesContext(connection) as few:
        assert client.get(page(site)).status_code == 200
    for index in range(6):
        task = WbsElementFactory(project=site.project, code=f"9.{index}", sort_key=f"9{index}")
        assign(site, task=task, resource=ResourceFactory(organization=site.org), units=Decimal("10"))
    with CaptureQueriesContext(connection) as many:
        assert client.get(page(site)).status_code == 200

    assert len(many) == len(few), [query["sql"] for query in many]


def test_another_organisations_project_and_assignment_are_not_found(
    site: Site, other_organization: Organization
) -> None:
    stranger = make_site(other_organization, project_code="RIVAL")
    theirs = assignment_create(
        actor=stranger.manager,
        project=stranger.project,
        task=stranger.excavation,
        resource=stranger.engineer,
        work=Decimal("8"),
    )
    client = page_client_for(site.admin)

    assert client.get(f"/o/acme/projects/{stranger.project.pk}/resources/").status_code == 404
    assert client.get(page(site, f"assignments/{theirs.pk}/")).status_code == 404
