"""The leveling API: compute (create), list, show, apply and discard proposals; who may; the fast list path."""

from __future__ import annotations

import datetime as dt

import pytest

from pmo.models import AuditEvent, Membership, Organization, OrgRole
from projects.services import plan as plan_services
from resources.api.leveling import LEVELING_ROWS, LevelingRunSerializer
from resources.models import LevelingRun, LevelingStatus
from tests.conftest import api_client_for
from tests.factories import OrganizationFactory, member
from tests.resources.leveling_support import build, day, person, planner, refreshed, within_float_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm(organization: Organization) -> Membership:
    return planner(organization)


def url(organization: Organization, suffix: str = "") -> str:
    return f"/api/v1/orgs/{organization.slug}/leveling-runs/{suffix}"


def payload(*projects: int, **fields: object) -> dict[str, object]:
    return {"projects": list(projects), "start": "2026-03-02", "finish": "2026-06-30", **fields}


def test_a_planner_computes_shows_and_applies_a_proposal(organization: Organization, pm: Membership) -> None:
    built = within_float_plan(organization, pm, person(organization))
    client = api_client_for(pm.user)
    created = client.post(url(organization), payload(built.project.pk), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "proposed"
    assert (body["delayed_count"], body["before_count"], body["after_count"]) == (1, 3, 0)
    move = body["result"]["moves"][0]
    assert (move["name"], move["old_start"], move["new_start"], move["added_delay"]) == (
        "A",
        "2026-03-02",
        "2026-03-09",
        5,
    )
    assert client.get(url(organization, f"{body['id']}/")).json()["result"] == body["result"]
    applied = client.post(url(organization, f"{body['id']}/apply/"), format="json")
    assert applied.status_code == 200
    assert applied.json()["status"] == "applied"
    assert refreshed(built.tasks["A"]).planned_start == day(5)
    again = client.post(url(organization, f"{body['id']}/apply/"), format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (400, "not_proposed")


def test_the_period_defaults_to_thirteen_weeks_from_today(organization: Organization, pm: Membership) -> None:
    built = within_float_plan(organization, pm, person(organization))
    body = api_client_for(pm.user).post(url(organization), {"projects": [built.project.pk]}, format="json").json()
    today = organization.today()
    assert body["start"] == today.isoformat()
    assert body["finish"] == (today + dt.timedelta(weeks=13)).isoformat()


def test_a_changed_plan_makes_apply_refuse_with_stale(organization: Organization, pm: Membership) -> None:
    built = within_float_plan(organization, pm, person(organization))
    client = api_client_for(pm.user)
    run_id = client.post(url(organization), payload(built.project.pk), format="json").json()["id"]
    plan_services.wbs_element_update(actor=pm.user, element=built.tasks["B"], duration=6)
    refused = client.post(url(organization, f"{run_id}/apply/"), format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "stale"
    assert LevelingRun.objects.for_organization(organization).get(pk=run_id).status == LevelingStatus.STALE
    assert refreshed(built.tasks["A"]).leveling_delay == 0
    discarded = client.post(url(organization, f"{run_id}/discard/"), format="json")
    assert discarded.json()["status"] == "discarded"


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"projects": []}, "invalid", "projects"),
        ({"finish": "2026-03-01"}, "invalid", "finish"),
        ({"start": "not a date"}, "invalid", "start"),
    ],
)
def test_bad_input_gets_a_clear_error_and_computes_nothing(
    organization: Organization, pm: Membership, changes: dict[str, object], code: str, field: str
) -> None:
    built = within_float_plan(organization, pm, person(organization))
    response = api_client_for(pm.user).post(url(organization), {**payload(built.project.pk), **changes}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert field in response.json()["error"]["fields"]
    assert not LevelingRun.objects.for_organization(organization).exists()


def test_another_organisations_project_is_not_found_and_its_runs_are_404(
    organization: Organization, pm: Membership
) -> None:
    within_float_plan(organization, pm, person(organization))
    rival = OrganizationFactory(slug="rival-api")
    theirs = within_float_plan(rival, planner(rival, "rpm"), person(rival))
    client = api_client_for(pm.user)
    response = client.post(url(organization), payload(theirs.project.pk), format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "not_found")
    rival_admin = member(rival, OrgRole.ADMIN)
    run_id = api_client_for(rival_admin.user).post(url(rival), payload(theirs.project.pk), format="json").json()["id"]
    assert client.get(url(organization, f"{run_id}/")).status_code == 404
    assert client.post(url(organization, f"{run_id}/apply/"), format="json").status_code == 404


@pytest.mark.parametrize("role", [OrgRole.MEMBER, OrgRole.VIEWER, OrgRole.PROJECT_MANAGER])
def test_only_the_office_or_the_projects_planners_write(organization: Organization, pm: Membership, role: str) -> None:
    built = within_float_plan(organization, pm, person(organization))
    outsider = api_client_for(member(organization, role).user)
    refused = outsider.post(url(organization), payload(built.project.pk), format="json")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")
    run_id = api_client_for(pm.user).post(url(organization), payload(built.project.pk), format="json").json()["id"]
    assert outsider.get(url(organization, f"{run_id}/")).status_code == 200
    assert outsider.post(url(organization, f"{run_id}/apply/"), format="json").status_code == 403
    assert outsider.post(url(organization, f"{run_id}/discard/"), format="json").status_code == 403
    office = api_client_for(member(organization, OrgRole.RESOURCE).user)
    assert office.post(url(organization, f"{run_id}/discard/"), format="json").status_code == 200
    assert AuditEvent.objects.for_organization(organization).filter(action="leveling.discarded").count() == 1


def test_the_list_answers_what_the_serializer_declares_in_a_fixed_number_of_queries(
    organization: Organization, pm: Membership, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    resource = person(organization)
    built = within_float_plan(organization, pm, resource)
    other = build(organization, pm, {"X": 2}, code="P-2")
    client = api_client_for(pm.user)
    client.post(url(organization), payload(built.project.pk), format="json")
    client.post(url(organization), payload(built.project.pk, other.project.pk, allow_beyond_float=True), format="json")
    rows = LevelingRun.objects.for_organization(organization).order_by("-created_at", "-id")
    expected = LevelingRunSerializer(rows.select_related("created_by", "decided_by"), many=True).data
    with django_assert_num_queries(3):
        listed = client.get(url(organization))
    assert listed.json()["results"] == expected
    assert LEVELING_ROWS.build(rows.values(*LEVELING_ROWS.columns)) == expected
    for _ in range(3):
        client.post(url(organization), payload(built.project.pk), format="json")
    with django_assert_num_queries(3):
        assert len(client.get(url(organization)).json()["results"]) == 5
    assert client.get(url(organization), {"status": "applied"}).json()["results"] == []
