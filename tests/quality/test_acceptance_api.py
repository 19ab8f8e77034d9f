"""The acceptance API: deliverables (list, flag, show, edit with ETag, sign, unflag), conditions, the survey."""

from __future__ import annotations

import datetime as dt

import pytest

from quality.api.acceptance import DELIVERABLE_ROWS, DeliverableSerializer
from quality.models import AcceptanceCondition, AcceptanceDecision, Deliverable, NonConformance, SatisfactionSurvey
from quality.services import acceptance as services
from tests.conftest import api_client_for
from tests.factories import InspectionFactory, OrganizationFactory, ProjectFactory, WbsElementFactory
from tests.quality.acceptance_support import Acceptance, make_acceptance

pytestmark = pytest.mark.django_db


@pytest.fixture
def site() -> Acceptance:
    return make_acceptance()


def url(site: Acceptance, suffix: str = "") -> str:
    return f"/api/v1/orgs/{site.org.slug}/projects/{site.project.pk}/{suffix}"


def flag(site: Acceptance, element=None) -> Deliverable:
    return services.deliverable_flag(actor=site.manager, project=site.project, wbs_element=element or site.element)


def test_the_project_manager_flags_a_deliverable_and_reads_it_back(site) -> None:
    inspection = InspectionFactory(project=site.project, organization=site.org)
    api = api_client_for(site.manager)
    answer = api.post(
        url(site, "deliverables/"),
        {"wbs_element": site.element.pk, "criteria": "Per drawings", "inspections": [inspection.pk]},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["wbs_code"], body["status"], body["criteria"], body["open_conditions"]) == (
        site.element.code,
        "pending",
        "Per drawings",
        0,
    )
    assert [i["code"] for i in body["inspections"]] == [inspection.code]
    shown = api.get(url(site, f"deliverables/{body['id']}/"))
    assert shown.status_code == 200
    assert shown["ETag"]
    assert shown.json()["decisions"] == []


def test_the_list_answers_what_the_serializer_declares_in_a_fixed_number_of_queries(
    site, django_assert_num_queries
) -> None:
    api = api_client_for(site.quality)
    for index in range(3):
        deliverable = flag(site, WbsElementFactory(project=site.project, organization=site.org, name=f"S{index}"))
        services.deliverable_sign(actor=site.client, deliverable=deliverable, decision="conditional", conditions=["x"])
    rows = (
        Deliverable.objects.for_organization(site.org)
        .filter(project=site.project)
        .select_related("wbs_element", "decided_by")
        .order_by("wbs_element__sort_key")
    )
    for row in rows:
        row.open_conditions = 1
    with django_assert_num_queries(3):
        body = api.get(url(site, "deliverables/")).json()
    assert body["results"] == DeliverableSerializer(rows, many=True).data
    assert [r["open_conditions"] for r in body["results"]] == [1, 1, 1]
    assert DELIVERABLE_ROWS.columns


def test_patch_with_a_stale_etag_is_refused_and_changes_nothing(site) -> None:
    deliverable = flag(site)
    api = api_client_for(site.manager)
    detail = url(site, f"deliverables/{deliverable.pk}/")
    tag = api.get(detail)["ETag"]
    answer = api.patch(detail, {"criteria": "First"}, format="json", HTTP_IF_MATCH=tag)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["criteria"] == "First"
    stale = api.patch(detail, {"criteria": "Second"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    deliverable.refresh_from_db()
    assert deliverable.criteria == "First"


def test_the_client_signs_with_conditions_and_the_signer_closes_one(site) -> None:
    deliverable = flag(site)
    client = api_client_for(site.client)
    due = (site.org.today() + dt.timedelta(days=7)).isoformat()
    answer = client.post(
        url(site, f"deliverables/{deliverable.pk}/sign/"),
        {"decision": "conditional", "note": "Mostly fine", "conditions": [{"text": "Fix kerb", "due_date": due}]},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["status"], body["decisions"][0]["signer_role"], body["open_conditions"]) == (
        "conditional",
        "client",
        1,
    )
    [condition] = body["conditions"]
    assert (condition["due_date"], condition["is_open"]) == (due, True)
    closed = client.post(
        url(site, f"deliverables/{deliverable.pk}/conditions/{condition['id']}/close/"), {"note": "Done"}, format="json"
    )
    assert closed.status_code == 200, closed.json()
    assert (closed.json()["is_open"], closed.json()["closing_note"]) == (False, "Done")


def test_a_rejection_opens_a_non_conformance_and_the_deliverable_is_signed_again(site) -> None:
    deliverable = flag(site)
    quality = api_client_for(site.quality)
    sign = url(site, f"deliverables/{deliverable.pk}/sign/")
    answer = quality.post(sign, {"decision": "rejected", "note": "Cracks"}, format="json")
    assert answer.status_code == 200
    nc = NonConformance.objects.for_organization(site.org).get()
    assert (answer.json()["non_conformance"], nc.severity) == (nc.pk, "major")
    early = quality.post(sign, {"decision": "accepted"}, format="json")
    assert (early.status_code, early.json()["error"]["code"]) == (400, "rejection_open")
    NonConformance.objects.for_organization(site.org).update(
        status="closed", verification_note="Sealed", closed_on=site.org.today()
    )
    again = quality.post(sign, {"decision": "accepted"}, format="json")
    assert [d["status"] for d in again.json()["decisions"]] == ["accepted", "rejected"]


def test_a_team_member_and_the_manager_cannot_sign_and_the_client_cannot_flag(site) -> None:
    deliverable = flag(site)
    sign = url(site, f"deliverables/{deliverable.pk}/sign/")
    for user in (site.worker, site.manager, site.outsider):
        assert api_client_for(user).post(sign, {"decision": "accepted"}, format="json").status_code == 403
    assert not AcceptanceDecision.objects.for_organization(site.org).exists()
    element = WbsElementFactory(project=site.project, organization=site.org)
    answer = api_client_for(site.client).post(url(site, "deliverables/"), {"wbs_element": element.pk}, format="json")
    assert answer.status_code == 403


def test_a_team_member_cannot_close_a_condition(site) -> None:
    deliverable = services.deliverable_sign(
        actor=site.client, deliverable=flag(site), decision="conditional", conditions=["Fix"]
    )
    condition = AcceptanceCondition.objects.for_organization(site.org).get()
    close = url(site, f"deliverables/{deliverable.pk}/conditions/{condition.pk}/close/")
    assert api_client_for(site.worker).post(close, {"note": "x"}, format="json").status_code == 403
    condition.refresh_from_db()
    assert condition.is_open


def test_bad_input_is_a_400_and_changes_nothing(site) -> None:
    deliverable = flag(site)
    manager = api_client_for(site.manager)
    foreign_element = WbsElementFactory(project=ProjectFactory(organization=site.org), organization=site.org)
    foreign_inspection = InspectionFactory(project=ProjectFactory(organization=site.org), organization=site.org)
    for bad in (
        {},
        {"wbs_element": foreign_element.pk},
        {"wbs_element": site.element.pk},  # already a deliverable
        {
            "wbs_element": WbsElementFactory(project=site.project, organization=site.org).pk,
            "inspections": [foreign_inspection.pk],
        },
        {"wbs_element": foreign_element.pk, "extra": 1},
    ):
        answer = manager.post(url(site, "deliverables/"), bad, format="json")
        assert answer.status_code == 400, bad
        assert set(answer.json()["error"]) == {"code", "message", "fields"}
    assert Deliverable.objects.for_organization(site.org).count() == 1
    client = api_client_for(site.client)
    sign = url(site, f"deliverables/{deliverable.pk}/sign/")
    for bad in (
        {"decision": "pending"},
        {"decision": "rejected"},
        {"decision": "conditional"},
        {"decision": "conditional", "conditions": [{"text": ""}]},
        {"decision": "accepted", "conditions": [{"text": "x"}]},
        {"decision": "conditional", "conditions": [{"text": "x", "due_date": "2000-01-01"}]},
    ):
        answer = client.post(sign, bad, format="json")
        assert answer.status_code == 400, bad
    deliverable.refresh_from_db()
    assert deliverable.status == "pending"
    assert not AcceptanceDecision.objects.for_organization(site.org).exists()
    assert not NonConformance.objects.for_organization(site.org).exists()


def test_a_signed_deliverable_is_not_unflagged_but_an_unsigned_one_is(site) -> None:
    deliverable = flag(site)
    manager = api_client_for(site.manager)
    services.deliverable_sign(actor=site.client, deliverable=deliverable, decision="rejected", note="No")
    answer = manager.delete(url(site, f"deliverables/{deliverable.pk}/"))
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "deliverable_decided")
    other = flag(site, WbsElementFactory(project=site.project, organization=site.org))
    assert manager.delete(url(site, f"deliverables/{other.pk}/")).status_code == 204
    assert list(Deliverable.objects.for_organization(site.org).values_list("pk", flat=True)) == [deliverable.pk]


def test_the_survey_is_read_before_it_exists_then_put_with_its_etag(site) -> None:
    client = api_client_for(site.client)
    satisfaction = url(site, "satisfaction/")
    empty = client.get(satisfaction)
    assert empty.status_code == 200
    assert (empty.json()["entered"], empty.json()["quality"]) == (False, None)
    tag = empty["ETag"]
    scores = {"quality": 4, "schedule": 3, "communication": 5, "service": 4, "comments": "Good"}
    answer = client.put(satisfaction, scores, format="json", HTTP_IF_MATCH=tag)
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["entered"], answer.json()["average"], answer.json()["on_behalf"]) == (True, "4.00", False)
    stale = api_client_for(site.manager).put(satisfaction, {**scores, "quality": 1}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert SatisfactionSurvey.objects.for_organization(site.org).get().quality == 4
    fresh = client.get(satisfaction)["ETag"]
    behalf = api_client_for(site.manager).put(
        satisfaction, {**scores, "quality": 2}, format="json", HTTP_IF_MATCH=fresh
    )
    assert (behalf.status_code, behalf.json()["on_behalf"], behalf.json()["quality"]) == (200, True, 2)


def test_a_bad_survey_is_a_400_and_a_team_member_may_not_enter_it(site) -> None:
    satisfaction = url(site, "satisfaction/")
    client = api_client_for(site.client)
    for bad in (
        {"quality": 6, "schedule": 3, "communication": 5, "service": 4},
        {"quality": 0, "schedule": 3, "communication": 5, "service": 4},
        {"schedule": 3, "communication": 5, "service": 4},
        {"quality": "x", "schedule": 3, "communication": 5, "service": 4},
        {"quality": 3, "schedule": 3, "communication": 5, "service": 4, "mood": "happy"},
    ):
        assert client.put(satisfaction, bad, format="json").status_code == 400, bad
    worker = api_client_for(site.worker)
    assert worker.get(satisfaction).status_code == 200
    good = {"quality": 3, "schedule": 3, "communication": 5, "service": 4}
    assert worker.put(satisfaction, good, format="json").status_code == 403
    assert not SatisfactionSurvey.objects.for_organization(site.org).exists()


def test_another_organisations_deliverables_are_404(site) -> None:
    other = make_acceptance(OrganizationFactory(slug="rival"))
    deliverable = services.deliverable_flag(actor=other.manager, project=other.project, wbs_element=other.element)
    api = api_client_for(site.quality)
    assert api.get(f"/api/v1/orgs/rival/projects/{other.project.pk}/deliverables/").status_code == 404
    assert api.get(url(site, f"deliverables/{deliverable.pk}/")).status_code == 404
    assert (
        api.post(url(site, f"deliverables/{deliverable.pk}/sign/"), {"decision": "accepted"}, format="json").status_code
        == 404
    )
    deliverable.refresh_from_db()
    assert deliverable.status == "pending"
