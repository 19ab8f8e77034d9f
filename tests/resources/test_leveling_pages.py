"""The leveling pages: compute a proposal, see it, apply or discard it; in both languages; who may."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pmo.models import Membership, Organization, OrgRole
from resources.models import LevelingRun, LevelingStatus
from resources.services.leveling import leveling_compute
from tests.conftest import page_client_for
from tests.factories import member
from tests.resources.leveling_support import day, person, planner, refreshed, within_float_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm(organization: Organization) -> Membership:
    return planner(organization)


def org_url(organization: Organization) -> str:
    return reverse("org-resource-leveling", args=[organization.slug])


def test_the_organisation_page_computes_a_proposal_and_shows_it(organization: Organization, pm: Membership) -> None:
    built = within_float_plan(organization, pm, person(organization))
    client = page_client_for(pm.user)
    page = client.get(org_url(organization))
    assert page.status_code == 200
    assert built.project.code in page.content.decode()
    response = client.post(
        org_url(organization),
        {"projects": [str(built.project.pk)], "start": "2026-03-02", "finish": "2026-06-30"},
    )
    run = LevelingRun.objects.for_organization(organization).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("org-resource-leveling-run", args=[organization.slug, run.pk])
    body = client.get(response["Location"]).content.decode()
    assert "2026-03-09 \u2013 2026-03-11" in body  # A's new dates
    assert "+5" in body
    assert 'name="op" value="apply"' in body
    # Applied from the page: the task's dates move.
    assert client.post(response["Location"], {"op": "apply"}).status_code == 302
    assert refreshed(built.tasks["A"]).planned_start == day(5)
    run.refresh_from_db()
    assert run.status == LevelingStatus.APPLIED
    listing = client.get(org_url(organization)).content.decode()
    assert response["Location"] in listing


def test_bad_input_redisplays_the_form_and_computes_nothing(organization: Organization, pm: Membership) -> None:
    built = within_float_plan(organization, pm, person(organization))
    client = page_client_for(pm.user)
    response = client.post(
        org_url(organization), {"projects": [str(built.project.pk)], "start": "2026-03-09", "finish": "2026-03-02"}
    )
    assert response.status_code == 400
    assert "The period ends before it starts." in response.content.decode()
    response = client.post(org_url(organization), {"start": "2026-03-02", "finish": "2026-06-30"})
    assert response.status_code == 400
    assert not LevelingRun.objects.for_organization(organization).exists()


def test_the_project_page_levels_its_project_and_discards(organization: Organization, pm: Membership) -> None:
    built = within_float_plan(organization, pm, person(organization))
    client = page_client_for(pm.user)
    url = reverse("project-resource-leveling", args=[organization.slug, built.project.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"start": "2026-03-02", "finish": "2026-06-30", "allow_beyond_float": "on"})
    run = LevelingRun.objects.for_organization(organization).get()
    assert run.projects == [built.project.pk]
    assert run.allow_beyond_float
    assert response["Location"] == reverse(
        "project-resource-leveling-run", args=[organization.slug, built.project.pk, run.pk]
    )
    assert client.post(response["Location"], {"op": "discard"}).status_code == 302
    run.refresh_from_db()
    assert run.status == LevelingStatus.DISCARDED
    assert refreshed(built.tasks["A"]).leveling_delay == 0
    assert response["Location"] in client.get(url).content.decode()


def test_a_run_of_another_project_is_not_found_on_a_project_page(organization: Organization, pm: Membership) -> None:
    built = within_float_plan(organization, pm, person(organization))
    other = within_float_plan(organization, pm, person(organization, "R2"), code="P-2")
    run = leveling_compute(
        actor=pm.user, organization=organization, projects=[other.project], start=day(0), finish=day(60)
    )
    client = page_client_for(pm.user)
    url = reverse("project-resource-leveling-run", args=[organization.slug, built.project.pk, run.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", [OrgRole.MEMBER, OrgRole.VIEWER])
def test_members_who_plan_nothing_read_but_may_not_level(organization: Organization, pm: Membership, role: str) -> None:
    built = within_float_plan(organization, pm, person(organization))
    run = leveling_compute(
        actor=pm.user, organization=organization, projects=[built.project], start=day(0), finish=day(60)
    )
    client = page_client_for(member(organization, role).user)
    page = client.get(org_url(organization)).content.decode()
    assert "You cannot level here." in page
    run_url = reverse("org-resource-leveling-run", args=[organization.slug, run.pk])
    body = client.get(run_url).content.decode()
    assert 'value="apply"' not in body
    assert client.post(run_url, {"op": "apply"}).status_code == 403
    assert client.post(org_url(organization), {"projects": [str(built.project.pk)]}).status_code == 403
    run.refresh_from_db()
    assert run.status == LevelingStatus.PROPOSED


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_pages_speak_both_languages(organization: Organization, pm: Membership, language: str) -> None:
    built = within_float_plan(organization, pm, person(organization))
    run = leveling_compute(
        actor=pm.user, organization=organization, projects=[built.project], start=day(0), finish=day(60)
    )
    pm.user.language = language
    pm.user.save(update_fields=["language"])
    client = page_client_for(pm.user)
    client.cookies["django_language"] = language
    expected = {"en": ("Resource leveling", "Moved tasks"), "zh-hans": ("资源平衡", "移动的任务")}[language]
    assert expected[0] in client.get(org_url(organization), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    run_url = reverse("org-resource-leveling-run", args=[organization.slug, run.pk])
    assert expected[1] in client.get(run_url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_the_list_reads_a_fixed_number_of_queries(
    organization: Organization, pm: Membership, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    built = within_float_plan(organization, pm, person(organization))
    client = page_client_for(pm.user)
    url = org_url(organization)

    def make_run() -> None:
        leveling_compute(
            actor=pm.user, organization=organization, projects=[built.project], start=day(0), finish=day(60)
        )

    make_run()
    client.get(url)
    with django_assert_num_queries(QUERIES) as first:
        client.get(url)
    for _ in range(3):
        make_run()
    with django_assert_num_queries(len(first)):
        client.get(url)


QUERIES = 12


def test_a_proposals_page_reads_a_fixed_number_of_queries_whatever_it_holds(
    organization: Organization, pm: Membership, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    small = within_float_plan(organization, pm, person(organization))
    big = [within_float_plan(organization, pm, person(organization, f"R{n}"), code=f"P-{n}") for n in range(2, 5)]
    client = page_client_for(pm.user)
    one = leveling_compute(
        actor=pm.user, organization=organization, projects=[small.project], start=day(0), finish=day(60)
    )
    many = leveling_compute(
        actor=pm.user,
        organization=organization,
        projects=[small.project, *(built.project for built in big)],
        start=day(0),
        finish=day(60),
    )
    assert len(many.result["moves"]) == 4
    for run in (one, many):
        url = reverse("org-resource-leveling-run", args=[organization.slug, run.pk])
        with django_assert_num_queries(RUN_QUERIES):
            assert client.get(url).status_code == 200


RUN_QUERIES = 8
