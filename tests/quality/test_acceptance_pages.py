"""The acceptance pages: deliverables, one deliverable's record and sign-off, the satisfaction survey."""

from __future__ import annotations

from collections.abc import Iterator

import django.db
import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from quality.models import AcceptanceCondition, AcceptanceDecision, Deliverable, NonConformance, SatisfactionSurvey
from quality.services import acceptance as services
from tests.conftest import page_client_for
from tests.factories import (
    InspectionFactory,
    OrganizationFactory,
    ProjectFactory,
    WbsElementFactory,
)
from tests.quality.acceptance_support import Acceptance, make_acceptance, register_attachments

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    register_attachments()
    with translation.override("en"):
        yield


@pytest.fixture
def site() -> Acceptance:
    return make_acceptance()


def base(site: Acceptance) -> str:
    return f"/o/{site.org.slug}/projects/{site.project.pk}/quality/"


def as_(user) -> Client:
    client = page_client_for(user)
    client.cookies["django_language"] = "en"
    return client


def flag(site: Acceptance, element=None) -> Deliverable:
    return services.deliverable_flag(
        actor=site.manager, project=site.project, wbs_element=element or site.element, criteria="Line within 5 mm"
    )


def test_the_project_manager_flags_a_deliverable_from_the_list(site) -> None:
    client = as_(site.manager)
    page = client.get(base(site) + "deliverables/")
    assert page.status_code == 200
    assert b"Flag a deliverable" in page.content
    answer = client.post(base(site) + "deliverables/", {"wbs_element": site.element.pk, "criteria": "Per drawings"})
    deliverable = Deliverable.objects.for_organization(site.org).get()
    assert answer.status_code == 302
    assert answer["Location"] == base(site) + f"deliverables/{deliverable.pk}/"
    assert deliverable.criteria == "Per drawings"


def test_a_team_member_sees_the_list_without_the_flag_form_and_cannot_post(site) -> None:
    flag(site)
    client = as_(site.worker)
    page = client.get(base(site) + "deliverables/")
    assert page.status_code == 200
    assert b"Kerbs and footpaths" in page.content
    assert b"Flag a deliverable" not in page.content
    assert client.post(base(site) + "deliverables/", {"wbs_element": site.element.pk}).status_code == 403


def test_bad_flag_input_is_a_400_and_flags_nothing(site) -> None:
    other = WbsElementFactory(project=ProjectFactory(organization=site.org), organization=site.org)
    answer = as_(site.manager).post(base(site) + "deliverables/", {"wbs_element": other.pk})
    assert answer.status_code == 400
    assert not Deliverable.objects.for_organization(site.org).exists()


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(django.db.connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_runs_a_fixed_number_of_queries(site) -> None:
    client = as_(site.manager)
    flag(site)
    url = base(site) + "deliverables/"
    client.get(url)
    one = queries(client, url)
    for index in range(4):
        element = WbsElementFactory(project=site.project, organization=site.org, name=f"Section {index}")
        deliverable = flag(site, element)
        services.deliverable_sign(actor=site.client, deliverable=deliverable, decision="conditional", conditions=["x"])
    assert queries(client, url) == one


def test_the_client_representative_signs_with_conditions_on_the_deliverable_page(site) -> None:
    deliverable = flag(site)
    inspection = InspectionFactory(
        project=site.project, organization=site.org, outcome="passed", status="signed", signed_at=timezone.now()
    )
    deliverable.inspections.add(inspection)
    client = as_(site.client)
    url = base(site) + f"deliverables/{deliverable.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"Sign the acceptance" in page.content
    assert inspection.code.encode() in page.content
    assert b"Criteria and inspections" not in page.content
    answer = client.post(url, {"op": "sign", "decision": "conditional", "conditions": "Fix kerb\nClean gullies"})
    assert answer.status_code == 302
    deliverable.refresh_from_db()
    assert deliverable.status == "conditional"
    assert AcceptanceCondition.objects.for_organization(site.org).count() == 2
    page = client.get(url)
    assert b"Close condition" in page.content
    assert b"Sign the acceptance" not in page.content


def test_a_rejection_on_the_page_needs_reasons_and_opens_a_non_conformance(site) -> None:
    deliverable = flag(site)
    client = as_(site.quality)
    url = base(site) + f"deliverables/{deliverable.pk}/"
    answer = client.post(url, {"op": "sign", "decision": "rejected", "note": ""})
    assert answer.status_code == 400
    assert not AcceptanceDecision.objects.for_organization(site.org).exists()
    answer = client.post(url, {"op": "sign", "decision": "rejected", "note": "Joints open"})
    assert answer.status_code == 302
    nc = NonConformance.objects.for_organization(site.org).get()
    page = client.get(url)
    assert nc.code.encode() in page.content
    assert b"Joints open" in page.content


def test_a_team_member_and_the_project_manager_cannot_sign(site) -> None:
    deliverable = flag(site)
    url = base(site) + f"deliverables/{deliverable.pk}/"
    for who in (site.worker, site.manager):
        client = as_(who)
        assert b"Sign the acceptance" not in client.get(url).content
        assert client.post(url, {"op": "sign", "decision": "accepted"}).status_code == 403
    assert not AcceptanceDecision.objects.for_organization(site.org).exists()


def test_conditions_are_closed_with_a_note_by_the_manager_but_not_by_a_team_member(site) -> None:
    deliverable = services.deliverable_sign(
        actor=site.client, deliverable=flag(site), decision="conditional", conditions=["Fix kerb"]
    )
    condition = AcceptanceCondition.objects.for_organization(site.org).get()
    url = base(site) + f"deliverables/{deliverable.pk}/"
    worker = as_(site.worker)
    assert b"Close condition" not in worker.get(url).content
    assert worker.post(url, {"op": "close_condition", "condition": condition.pk, "note": "x"}).status_code == 403
    manager = as_(site.manager)
    assert manager.post(url, {"op": "close_condition", "condition": condition.pk, "note": ""}).status_code == 400
    answer = manager.post(url, {"op": "close_condition", "condition": condition.pk, "note": "Replaced"})
    assert answer.status_code == 302
    condition.refresh_from_db()
    assert condition.closing_note == "Replaced"


def test_the_manager_edits_criteria_and_unflags_an_unsigned_deliverable(site) -> None:
    deliverable = flag(site)
    inspection = InspectionFactory(project=site.project, organization=site.org)
    client = as_(site.manager)
    url = base(site) + f"deliverables/{deliverable.pk}/"
    answer = client.post(url, {"op": "save", "criteria": "Level ± 5 mm", "inspections": [inspection.pk]})
    assert answer.status_code == 302
    deliverable.refresh_from_db()
    assert (deliverable.criteria, list(deliverable.inspections.all())) == ("Level ± 5 mm", [inspection])
    assert client.post(url, {"op": "unflag"}).status_code == 302
    assert not Deliverable.objects.for_organization(site.org).exists()


def test_the_detail_page_runs_a_fixed_number_of_queries(site) -> None:
    deliverable = flag(site)
    client = as_(site.client)
    url = base(site) + f"deliverables/{deliverable.pk}/"
    client.get(url)
    services.deliverable_sign(actor=site.client, deliverable=deliverable, decision="rejected", note="No")
    deliverable.inspections.add(InspectionFactory(project=site.project, organization=site.org))
    one = queries(client, url)
    for _ in range(3):
        deliverable.inspections.add(InspectionFactory(project=site.project, organization=site.org))
    deliverable.refresh_from_db()
    NonConformance.objects.for_organization(site.org).update(status="cancelled", cancel_reason="Duplicate")
    services.deliverable_sign(actor=site.client, deliverable=deliverable, decision="conditional", conditions=["a", "b"])
    assert queries(client, url) == one


def test_the_client_enters_the_survey_and_the_manager_changes_it_on_their_behalf(site) -> None:
    url = base(site) + "satisfaction/"
    client = as_(site.client)
    page = client.get(url)
    assert page.status_code == 200
    assert b'type="radio"' in page.content
    answer = client.post(url, {"quality": 4, "schedule": 3, "communication": 5, "service": 4, "comments": "Good"})
    assert answer.status_code == 302
    survey = SatisfactionSurvey.objects.for_organization(site.org).get()
    assert survey.on_behalf is False
    assert (
        as_(site.manager).post(url, {"quality": 9, "schedule": 3, "communication": 5, "service": 4}).status_code == 400
    )
    survey.refresh_from_db()
    assert survey.quality == 4
    answer = as_(site.manager).post(
        url, {"quality": 5, "schedule": 3, "communication": 5, "service": 4, "respondent": "Mr Li"}
    )
    assert answer.status_code == 302
    survey.refresh_from_db()
    assert (survey.quality, survey.on_behalf, survey.respondent) == (5, True, "Mr Li")
    assert b"on the client's behalf" in client.get(url).content


def test_a_team_member_reads_the_survey_but_does_not_enter_it(site) -> None:
    url = base(site) + "satisfaction/"
    client = as_(site.worker)
    page = client.get(url)
    assert page.status_code == 200
    assert b'type="radio"' not in page.content
    assert client.post(url, {"quality": 4, "schedule": 3, "communication": 5, "service": 4}).status_code == 403


def test_another_organisations_deliverable_is_404(site) -> None:
    other = make_acceptance(OrganizationFactory(slug="rival"))
    deliverable = services.deliverable_flag(actor=other.manager, project=other.project, wbs_element=other.element)
    client = as_(site.quality)
    assert client.get(f"/o/rival/projects/{other.project.pk}/quality/deliverables/{deliverable.pk}/").status_code == 404
    assert client.get(base(site) + f"deliverables/{deliverable.pk}/").status_code == 404


@pytest.mark.parametrize(("language", "word"), [("zh-hans", "验收"), ("en", "Deliverables")])
def test_the_pages_speak_both_languages(site, language, word) -> None:
    deliverable = flag(site)
    site.client.language = language
    site.client.save(update_fields=["language"])
    client = page_client_for(site.client)
    with translation.override(language):
        for path in ("deliverables/", f"deliverables/{deliverable.pk}/", "satisfaction/"):
            page = client.get(base(site) + path, HTTP_ACCEPT_LANGUAGE=language)
            assert page.status_code == 200, path
        assert word in client.get(base(site) + "deliverables/", HTTP_ACCEPT_LANGUAGE=language).content.decode()


@pytest.mark.parametrize("decision", ["accepted", "conditional"])
def test_a_signed_deliverable_without_a_form_to_fill_is_laid_out_full_width(site, decision) -> None:
    deliverable = services.deliverable_sign(
        actor=site.client,
        deliverable=flag(site),
        decision=decision,
        conditions=["Fix kerb"] if decision == "conditional" else [],
    )
    url = base(site) + f"deliverables/{deliverable.pk}/"
    for reader in (site.worker, site.manager):
        html = as_(reader).get(url).content.decode()
        assert "Acceptance record" in html
        assert "grid-main" not in html
        assert 'op" value="sign"' not in html
        assert 'op" value="save"' not in html
    # who still has a form to fill keeps the side column
    html = (
        as_(site.manager)
        .get(
            base(site)
            + f"deliverables/{flag(site, WbsElementFactory(project=site.project, organization=site.org)).pk}/"
        )
        .content.decode()
    )
    assert "grid-main" in html
