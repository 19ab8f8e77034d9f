"""Date constraints on tasks through the services, the API and the pages: checked, audited, scheduled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation
from rest_framework.test import APIClient

from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Membership, Organization, OrgRole
from projects.models import ConstraintType, Project, WbsElement
from projects.services import plan
from tests.conftest import api_client_for, page_client_for
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
    return make_project(organization, code="P-1", manager=pm.user)  # starts on Monday 2 March 2026


@pytest.fixture
def pm_client(pm: Membership) -> APIClient:
    return api_client_for(pm.user)


def chain(project: Project, pm: Membership) -> tuple[WbsElement, WbsElement]:
    """Survey (3 days) → Drawings (2 days): 2-4 March, then 5-6 March."""
    survey = add_task(project, "Survey", actor=pm, duration=3)
    drawings = add_task(project, "Drawings", actor=pm, duration=2)
    plan.dependency_create(actor=pm.user, project=project, predecessor=survey, successor=drawings)
    return survey, drawings


def test_a_constraint_set_on_a_task_reschedules_it_and_is_audited(project: Project, pm: Membership) -> None:
    survey, drawings = chain(project, pm)

    plan.wbs_element_update(actor=pm.user, element=drawings, constraint_type="snet", constraint_date=D(2026, 3, 14))

    drawings = refreshed(drawings)
    assert (drawings.planned_start, drawings.planned_finish) == (D(2026, 3, 16), D(2026, 3, 17))  # Saturday: Monday
    assert refreshed(survey).total_float == 7
    event = AuditEvent.objects.for_organization(project.organization).filter(action="wbs.updated").latest("pk")
    assert event.changes == {"constraint_type": ["asap", "snet"], "constraint_date": [None, "2026-03-14"]}


def test_a_constraint_the_links_cannot_meet_shows_negative_float(project: Project, pm: Membership) -> None:
    survey, drawings = chain(project, pm)

    plan.wbs_element_update(actor=pm.user, element=drawings, constraint_type="mfo", constraint_date=D(2026, 3, 4))

    drawings, survey = refreshed(drawings), refreshed(survey)
    assert (drawings.planned_start, drawings.planned_finish) == (D(2026, 3, 3), D(2026, 3, 4))
    assert (survey.total_float, survey.is_critical) == (-2, True)


def test_a_task_is_created_with_its_constraint(project: Project, pm: Membership) -> None:
    opening = add_task(
        project, "Opening", actor=pm, kind="milestone", constraint_type="mfo", constraint_date=D(2026, 3, 31)
    )

    assert (opening.constraint_type, opening.planned_start, opening.planned_finish) == (
        "mfo",
        D(2026, 3, 31),
        D(2026, 3, 31),
    )
    with translation.override("en"):
        assert opening.constraint_text == "Must finish on 2026-03-31"
    with translation.override("zh-hans"):
        assert opening.constraint_text.endswith(" 2026-03-31")
    created = AuditEvent.objects.for_organization(project.organization).get(action="wbs.created")
    assert created.changes["constraint_type"] == [None, "mfo"]


def test_as_soon_as_possible_alone_takes_the_date_off(project: Project, pm: Membership) -> None:
    task = add_task(project, "Survey", actor=pm, constraint_type="fnlt", constraint_date=D(2026, 3, 20))

    plan.wbs_element_update(actor=pm.user, element=task, constraint_type="asap")

    assert (refreshed(task).constraint_type, refreshed(task).constraint_date) == ("asap", None)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"constraint_type": "mso"}, "constraint_date", "needs a date"),
        ({"constraint_type": "asap", "constraint_date": D(2026, 3, 9)}, "constraint_date", "takes no date"),
        ({"constraint_date": D(2026, 3, 9)}, "constraint_date", "takes no date"),
        ({"constraint_type": "snet", "constraint_date": D(1950, 1, 2)}, "constraint_date", "Enter a date from"),
    ],
    ids=["date missing", "date with asap", "date alone", "outside the window"],
)
def test_a_constraint_without_its_date_or_a_date_without_one_is_refused(
    project: Project, pm: Membership, fields: dict, field: str, words: str
) -> None:
    task = add_task(project, "Survey", actor=pm)

    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        plan.wbs_element_update(actor=pm.user, element=task, **fields)

    assert field in refused.value.fields
    assert words in refused.value.message
    assert refreshed(task).constraint_type == "asap"


def test_a_summary_has_no_constraint(project: Project, pm: Membership) -> None:
    phase = add_task(project, "Design", actor=pm)
    add_task(project, "Survey", actor=pm, parent=phase)

    with pytest.raises(ApplicationError) as refused:
        plan.wbs_element_update(
            actor=pm.user, element=refreshed(phase), constraint_type="snet", constraint_date=D(2026, 3, 9)
        )

    assert "constraint_type" in refused.value.fields
    with pytest.raises(IntegrityError), transaction.atomic():
        WbsElement.objects.for_organization(project.organization).filter(pk=phase.pk).update(
            constraint_type="snet", constraint_date=D(2026, 3, 9)
        )


def test_a_constrained_task_does_not_become_a_summary(project: Project, pm: Membership) -> None:
    task = add_task(project, "Design", actor=pm, constraint_type="snet", constraint_date=D(2026, 3, 9))

    with pytest.raises(ApplicationError) as refused:
        add_task(project, "Survey", actor=pm, parent=task)

    assert refused.value.code == "task_in_use"
    assert refreshed(task).kind == "task"


def test_the_database_refuses_a_type_without_its_date(project: Project, pm: Membership) -> None:
    task = add_task(project, "Survey", actor=pm)

    with pytest.raises(IntegrityError), transaction.atomic():
        WbsElement.objects.for_organization(project.organization).filter(pk=task.pk).update(constraint_type="mso")


# --- the API ---------------------------------------------------------------------------------


def test_the_api_sets_a_constraint_with_if_match_and_shows_it(project: Project, pm: Membership, pm_client: APIClient):
    _survey, drawings = chain(project, pm)
    detail = f"{BASE}/projects/{project.pk}/wbs/{drawings.pk}/"
    read = pm_client.get(detail)
    assert (read.json()["constraint_type"], read.json()["constraint_date"]) == ("asap", None)

    changed = pm_client.patch(
        detail,
        {"constraint_type": "fnet", "constraint_date": "2026-03-13"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )

    assert changed.status_code == 200, changed.json()
    body = changed.json()
    assert (body["constraint_type"], body["constraint_date"], body["planned_finish"]) == (
        "fnet",
        "2026-03-13",
        "2026-03-13",
    )
    stale = pm_client.patch(detail, {"constraint_type": "asap"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    tasks = pm_client.get(f"{BASE}/projects/{project.pk}/tasks/").json()
    rows = tasks["results"] if isinstance(tasks, dict) else tasks
    assert {row["name"]: row["constraint_type"] for row in rows} == {"Survey": "asap", "Drawings": "fnet"}


def test_the_api_creates_a_constrained_task_and_names_the_field_it_refuses(project: Project, pm_client: APIClient):
    wbs = f"{BASE}/projects/{project.pk}/wbs/"
    created = pm_client.post(
        wbs, {"name": "Opening", "kind": "milestone", "constraint_type": "mso", "constraint_date": "2026-03-10"}
    )
    assert created.status_code == 201, created.json()
    assert created.json()["planned_start"] == "2026-03-10"

    missing = pm_client.post(wbs, {"name": "Paving", "constraint_type": "snlt"})
    unknown = pm_client.post(wbs, {"name": "Paving", "constraint_type": "alap", "constraint_date": "2026-03-10"})

    assert missing.status_code == 400
    assert "constraint_date" in missing.json()["error"]["fields"]
    assert unknown.status_code == 400
    assert "constraint_type" in unknown.json()["error"]["fields"]


# --- the pages -------------------------------------------------------------------------------


def test_the_edit_page_sets_a_constraint_and_the_wbs_shows_it_in_both_languages(
    organization: Organization, project: Project, pm: Membership
) -> None:
    task = add_task(project, "Survey", actor=pm)
    client = page_client_for(pm.user)
    edit = f"/o/acme/projects/{project.pk}/wbs/{task.pk}/edit/"
    page = client.get(edit).content.decode()
    assert 'name="constraint_type"' in page
    assert 'type="date" name="constraint_date"' in page

    response = client.post(
        edit,
        {
            "name": "Survey",
            "kind": "task",
            "duration": 5,
            "budgeted_cost": "0",
            "percent_complete_method": "physical",
            "constraint_type": ConstraintType.MFO,
            "constraint_date": "2026-03-31",
        },
    )

    assert response.status_code == 302
    assert refreshed(task).constraint_type == "mfo"
    wbs = f"/o/acme/projects/{project.pk}/wbs/"
    pm.user.language = "en"
    pm.user.save()
    english = client.get(wbs).content.decode()
    assert "Must finish on 2026-03-31" in english
    with translation.override("zh-hans"):
        label = str(ConstraintType.MFO.label)
    pm.user.language = "zh-hans"
    pm.user.save()
    chinese = client.get(wbs).content.decode()
    assert f"{label} 2026-03-31" in chinese
    progress = client.get(f"/o/acme/projects/{project.pk}/wbs/{task.pk}/progress/").content.decode()
    assert f"{label} 2026-03-31" in progress


def test_the_edit_page_shows_a_missing_date_beside_its_field(project: Project, pm: Membership) -> None:
    task = add_task(project, "Survey", actor=pm)
    client = page_client_for(pm.user)

    response = client.post(
        f"/o/acme/projects/{project.pk}/wbs/{task.pk}/edit/",
        {
            "name": "Survey",
            "kind": "task",
            "duration": 5,
            "budgeted_cost": "0",
            "percent_complete_method": "physical",
            "constraint_type": "snlt",
        },
    )

    assert response.status_code == 400
    assert "constraint_date" in response.context["form"].errors
