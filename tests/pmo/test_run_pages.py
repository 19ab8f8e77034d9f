"""The runs the PMO office sees, on the settings page and through the API: its own part of each run."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from pmo.api.runs import RUN_BATCH_ROWS, RUN_ROWS, RunBatchSerializer, RunSerializer
from pmo.models import BatchStatus, Organization, OrgRole, Run, RunBatch, RunStatus, User
from pmo.runs.selectors import organization_runs
from tests.conftest import api_client_for, page_client_for
from tests.factories import OrganizationFactory, RunBatchFactory, RunFactory, member

pytestmark = pytest.mark.django_db

RUNS = "/o/acme/settings/runs/"
API = "/api/v1/orgs/acme/runs/"


def started(minutes_ago: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes_ago)


def run_with(
    organization: Organization,
    statuses: list[str],
    *,
    kind: str = "finance.variance",
    every_organization: bool = False,
    minutes_ago: float = 10,
    **fields: Any,
) -> Run:
    """A run with one batch of ``organization`` in each status, reported two minutes after the start."""
    start = started(minutes_ago)
    run = RunFactory(
        organization=None if every_organization else organization,
        kind=kind,
        with_batch=False,
        started_at=start,
        batch_count=len(statuses),
        **fields,
    )
    for number, status in enumerate(statuses, start=1):
        finished = status in (BatchStatus.DONE, BatchStatus.FAILED)
        RunBatchFactory(
            organization=organization,
            run=run,
            key=f"projects-{number:05d}",
            payload={"as_of": "2026-03-09", "project_ids": list(range(number))},
            status=status,
            attempts=0 if status == BatchStatus.QUEUED else 1,
            queued_at=start,
            reported_at=start + dt.timedelta(minutes=2) if finished else None,
            error="RuntimeError: the sky fell" if status == BatchStatus.FAILED else "",
        )
    return run  # type: ignore[no-any-return]


def api_for(user: User) -> APIClient:
    """The API in English (it answers in the request's language, Chinese by default)."""
    client = api_client_for(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def pmo_of(organization: Organization, **fields: Any) -> User:
    return member(organization, OrgRole.PMO, **fields).user  # type: ignore[no-any-return]


# --- the page ------------------------------------------------------------------------------


def test_the_pmo_sees_the_recent_runs_with_their_progress_status_and_duration(organization: Organization) -> None:
    pmo = pmo_of(organization)
    running = run_with(organization, [BatchStatus.DONE, BatchStatus.RUNNING, BatchStatus.QUEUED], started_by=pmo)
    complete = run_with(organization, [BatchStatus.DONE, BatchStatus.DONE], minutes_ago=60)
    failed = run_with(organization, [BatchStatus.DONE, BatchStatus.FAILED], kind="maintenance.rounds", minutes_ago=90)

    response = page_client_for(pmo).get(RUNS)

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row["run"], row["status"]) for row in rows] == [
        (running, RunStatus.RUNNING),
        (complete, RunStatus.COMPLETE),
        (failed, RunStatus.FAILED),
    ]
    assert [(row["part"].done, row["part"].batches) for row in rows] == [(1, 3), (2, 2), (1, 2)]
    assert [row["duration"] for row in rows] == ["", "2 min 0 s", "2 min 0 s"]
    html = response.content.decode()
    assert "1 of 3 batches" in html
    assert "1 failed" in html
    assert "Inspection rounds made ahead" in html
    assert 'class="badge badge-red run-status">Failed' in html
    assert f'href="{RUNS}{running.pk}/"' in html
    assert f'href="{RUNS}"' in html  # the settings tab


def test_a_run_over_every_organisation_shows_each_organisation_only_its_own_part(
    organization: Organization, other_organization: Organization
) -> None:
    nightly = run_with(organization, [BatchStatus.DONE], every_organization=True)
    for number in range(3):
        RunBatchFactory(organization=other_organization, run=nightly, key=f"theirs-{number}", status=BatchStatus.QUEUED)
    theirs_alone = run_with(other_organization, [BatchStatus.DONE])

    mine = page_client_for(pmo_of(organization))
    [row] = mine.get(RUNS).context["rows"]
    assert (row["run"], row["status"], row["part"].batches) == (nightly, RunStatus.COMPLETE, 1)
    detail = mine.get(f"{RUNS}{nightly.pk}/")
    assert [item["batch"].key for item in detail.context["batches"]] == ["projects-00001"]
    assert "Every organisation; only this organisation" in detail.content.decode()
    assert "theirs-" not in detail.content.decode()

    assert mine.get(f"{RUNS}{theirs_alone.pk}/").status_code == 404
    theirs = page_client_for(pmo_of(other_organization)).get("/o/rival/settings/runs/")
    assert [(row["run"], row["status"], row["part"].batches) for row in theirs.context["rows"]] == [
        (theirs_alone, RunStatus.COMPLETE, 1),
        (nightly, RunStatus.RUNNING, 3),
    ]


def test_a_run_page_lists_its_batches_with_what_each_covers_its_attempts_and_error(organization: Organization) -> None:
    run = run_with(organization, [BatchStatus.DONE, BatchStatus.FAILED, BatchStatus.QUEUED])

    response = page_client_for(pmo_of(organization)).get(f"{RUNS}{run.pk}/")

    assert response.status_code == 200
    assert [(item["batch"].key, item["what"]) for item in response.context["batches"]] == [
        ("projects-00001", "1 project as of 2026-03-09"),
        ("projects-00002", "2 projects as of 2026-03-09"),
        ("projects-00003", "3 projects as of 2026-03-09"),
    ]
    html = response.content.decode()
    assert "RuntimeError: the sky fell" in html
    assert "still running" in html
    assert "on schedule" in html


def test_the_runs_page_says_so_when_there_are_none_and_filters_by_kind(organization: Organization) -> None:
    client = page_client_for(pmo_of(organization))

    assert "No runs yet." in client.get(RUNS).content.decode()

    variance = run_with(organization, [BatchStatus.DONE])
    run_with(organization, [BatchStatus.DONE], kind="maintenance.rounds")
    assert [row["run"] for row in client.get(f"{RUNS}?kind=finance.variance").context["rows"]] == [variance]
    assert "No runs of this kind." in client.get(f"{RUNS}?kind=pmo.digests").content.decode()
    assert len(client.get(f"{RUNS}?kind=nonsense").context["rows"]) == 2


def test_the_runs_page_is_paginated(organization: Organization) -> None:
    for minutes in range(27):
        run_with(organization, [BatchStatus.DONE], minutes_ago=minutes)
    client = page_client_for(pmo_of(organization))

    first, second = client.get(RUNS), client.get(f"{RUNS}?page=2")

    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 2
    assert "Page 1 of 2 · 27 items" in first.content.decode()


def test_the_runs_page_is_in_chinese_for_a_chinese_reader(organization: Organization) -> None:
    run_with(organization, [BatchStatus.DONE, BatchStatus.QUEUED])

    html = page_client_for(pmo_of(organization, language="zh-hans")).get(RUNS).content.decode()

    assert '<html lang="zh-hans"' in html
    assert "偏差检查" in html
    assert "Variance check" not in html
    assert "Running" not in html


@pytest.mark.parametrize("size", [2, 12])
def test_the_runs_pages_run_a_fixed_number_of_queries(size: int, organization: Organization) -> None:
    client = page_client_for(pmo_of(organization))
    pmo = pmo_of(organization)
    for minutes in range(size):
        run_with(organization, [BatchStatus.DONE, BatchStatus.RUNNING], minutes_ago=minutes, started_by=pmo)
    last = run_with(organization, [BatchStatus.DONE] * size)

    counts = []
    for url in (RUNS, f"{RUNS}{last.pk}/"):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))

    assert counts == QUERIES_OF_THE_RUN_PAGES


# The session, the user and the membership; the list's count and page (one run: the run, then the
# count and page of its batches); the header's memberships and the bell.
QUERIES_OF_THE_RUN_PAGES = [7, 8]


@pytest.mark.parametrize("role", [OrgRole.MEMBER, OrgRole.VIEWER, OrgRole.FINANCE, OrgRole.PROJECT_MANAGER])
def test_only_the_pmo_office_sees_the_runs(organization: Organization, role: str) -> None:
    run = run_with(organization, [BatchStatus.DONE])
    client = page_client_for(member(organization, role).user)

    assert client.get(RUNS).status_code == 403
    assert client.get(f"{RUNS}{run.pk}/").status_code == 403
    assert f'href="{RUNS}"' not in client.get("/o/acme/settings/").content.decode()


# --- the API -------------------------------------------------------------------------------


def test_the_api_lists_the_runs_with_the_organisations_part_of_each(
    organization: Organization, other_organization: Organization
) -> None:
    pmo = pmo_of(organization)
    mine = run_with(organization, [BatchStatus.DONE, BatchStatus.FAILED], started_by=pmo)
    nightly = run_with(organization, [BatchStatus.DONE, BatchStatus.RUNNING], every_organization=True, minutes_ago=5)
    RunBatchFactory(organization=other_organization, run=nightly, status=BatchStatus.FAILED)
    run_with(other_organization, [BatchStatus.DONE])

    answer = api_for(pmo).get(API).json()

    assert answer["count"] == 2
    first, second = answer["results"]
    assert first == {
        "id": nightly.pk,
        "kind": "finance.variance",
        "kind_label": "Variance check",
        "every_organization": True,
        "started_at": first["started_at"],
        "started_by": None,
        "status": "running",
        "batches": 2,
        "batches_done": 1,
        "batches_failed": 0,
        "finished_at": None,
        "duration_seconds": None,
    }
    assert (second["id"], second["status"], second["batches_failed"], second["duration_seconds"]) == (
        mine.pk,
        "failed",
        1,
        120.0,
    )
    assert second["started_by"]["username"] == pmo.username
    assert second["finished_at"] is not None


def test_the_api_shows_one_run_and_its_batches_and_another_organisations_run_is_not_found(
    organization: Organization, other_organization: Organization
) -> None:
    run = run_with(organization, [BatchStatus.DONE, BatchStatus.FAILED])
    theirs = run_with(other_organization, [BatchStatus.DONE])
    api = api_for(pmo_of(organization))

    detail = api.get(f"{API}{run.pk}/")
    assert detail.status_code == 200
    assert (detail.json()["status"], detail.json()["batches"]) == ("failed", 2)
    batches = api.get(f"{API}{run.pk}/batches/").json()["results"]
    assert [(item["key"], item["status"], item["attempts"], item["description"]) for item in batches] == [
        ("projects-00001", "done", 1, "1 project as of 2026-03-09"),
        ("projects-00002", "failed", 1, "2 projects as of 2026-03-09"),
    ]
    assert batches[1]["error"] == "RuntimeError: the sky fell"
    assert batches[1]["payload"] == {"as_of": "2026-03-09", "project_ids": [0, 1]}

    assert api.get(f"{API}{theirs.pk}/").status_code == 404
    assert api.get(f"{API}{theirs.pk}/batches/").status_code == 404
    assert api.get(f"{API}99999999999999999999/").status_code == 404


def test_the_api_filters_runs_by_kind(organization: Organization) -> None:
    run_with(organization, [BatchStatus.DONE])
    rounds = run_with(organization, [BatchStatus.DONE], kind="maintenance.rounds")
    api = api_for(pmo_of(organization))

    assert [item["id"] for item in api.get(f"{API}?kind=maintenance.rounds").json()["results"]] == [rounds.pk]
    assert api.get(f"{API}?kind=nonsense").status_code == 400


@pytest.mark.parametrize("role", [OrgRole.MEMBER, OrgRole.VIEWER, OrgRole.FINANCE, OrgRole.PROJECT_MANAGER])
def test_only_the_pmo_office_reads_runs_through_the_api(organization: Organization, role: str) -> None:
    run = run_with(organization, [BatchStatus.DONE])
    api = api_for(member(organization, role).user)

    assert api.get(API).status_code == 403
    assert api.get(f"{API}{run.pk}/").status_code == 403
    assert api.get(f"{API}{run.pk}/batches/").status_code == 403


@pytest.mark.parametrize("size", [2, 12])
def test_the_run_lists_of_the_api_run_a_fixed_number_of_queries(
    size: int, organization: Organization, django_assert_num_queries: Any
) -> None:
    pmo = pmo_of(organization)
    api = api_for(pmo)
    for minutes in range(size):
        run_with(organization, [BatchStatus.DONE, BatchStatus.QUEUED], minutes_ago=minutes, started_by=pmo)
    last = run_with(organization, [BatchStatus.DONE] * size)

    # The membership, the count, the page (the starters joined).
    with django_assert_num_queries(3):
        assert len(api.get(API).json()["results"]) == size + 1
    # The membership, the run's batches here, the count, the page.
    with django_assert_num_queries(4):
        assert len(api.get(f"{API}{last.pk}/batches/").json()["results"]) == size


def test_the_run_rows_are_what_the_serializers_declare(
    organization: Organization, other_organization: Organization
) -> None:
    pmo = pmo_of(organization, language="zh-hans")
    run_with(organization, [BatchStatus.DONE, BatchStatus.FAILED], started_by=pmo)
    nightly = run_with(organization, [BatchStatus.QUEUED], every_organization=True)
    RunBatchFactory(organization=other_organization, run=nightly)

    runs = organization_runs(organization)
    assert dumped(RUN_ROWS.build(runs.values(*RUN_ROWS.columns))) == dumped(RunSerializer(runs, many=True).data)
    batches = RunBatch.objects.for_organization(organization).annotate(run_kind=F("run__kind"))
    assert dumped(RUN_BATCH_ROWS.build(batches.values(*RUN_BATCH_ROWS.columns))) == dumped(
        RunBatchSerializer(batches, many=True).data
    )


def dumped(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def test_an_organisation_with_no_runs_lists_none(organization: Organization) -> None:
    OrganizationFactory()
    answer = api_for(pmo_of(organization)).get(API).json()
    assert (answer["count"], answer["results"]) == (0, [])
