"""A project's earned-value snapshots over the API: day by day, as strings, nulls kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from pmo.models import Organization, OrgRole
from projects.models import Project
from tests.conftest import api_client_for
from tests.factories import EvmSnapshotFactory, ProjectFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(organization: Organization) -> Project:
    return ProjectFactory(organization=organization)


def url(project: Project, query: str = "") -> str:
    return f"/api/v1/orgs/acme/projects/{project.pk}/evm/snapshots/{query}"


def dates(response: Any) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["date"] for row in response.json()["results"]]


def test_snapshots_list_oldest_first_with_money_and_ratios_as_strings(project: Project, api: APIClient) -> None:
    EvmSnapshotFactory(project=project, date=dt.date(2026, 3, 16), spi=None, cpi=None)
    EvmSnapshotFactory(
        project=project,
        date=dt.date(2026, 3, 9),
        eac=Decimal("11250.00"),
        etc=Decimal("6750.00"),
        vac=Decimal("-1250.00"),
        tcpi=Decimal("1.0909"),
        approved_budget=Decimal("10000.00"),
    )

    response = api.get(url(project))

    assert dates(response) == ["2026-03-09", "2026-03-16"]
    first, second = response.json()["results"]
    assert {key: value for key, value in first.items() if key != "computed_at"} == {
        "date": "2026-03-09",
        "currency": "CNY",
        "bac": "10000.00",
        "pv": "5000.00",
        "ev": "4000.00",
        "ac": "4500.00",
        "sv": "-1000.00",
        "cv": "-500.00",
        "spi": "0.8000",
        "cpi": "0.8889",
        "eac": "11250.00",
        "etc": "6750.00",
        "vac": "-1250.00",
        "tcpi": "1.0909",
        "approved_budget": "10000.00",
    }
    assert (second["spi"], second["cpi"], second["eac"], second["tcpi"], second["approved_budget"]) == (None,) * 5


def test_snapshots_are_filtered_by_from_and_to_both_included(project: Project, api: APIClient) -> None:
    for day in (2, 9, 16, 23):
        EvmSnapshotFactory(project=project, date=dt.date(2026, 3, day))

    assert dates(api.get(url(project, "?from=2026-03-09"))) == ["2026-03-09", "2026-03-16", "2026-03-23"]
    assert dates(api.get(url(project, "?to=2026-03-09"))) == ["2026-03-02", "2026-03-09"]
    assert dates(api.get(url(project, "?from=2026-03-03&to=2026-03-16"))) == ["2026-03-09", "2026-03-16"]


@pytest.mark.parametrize("query", ["?from=2026-02-30", "?to=soon", "?from=2026-03-10&to=2026-03-09"])
def test_bad_dates_are_refused(query: str, project: Project, api: APIClient) -> None:
    response = api.get(url(project, query))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert set(response.json()["error"]["fields"]) <= {"from", "to"}


def test_only_the_projects_own_snapshots_are_listed(
    organization: Organization, project: Project, api: APIClient
) -> None:
    EvmSnapshotFactory(project=project, date=dt.date(2026, 3, 9))
    EvmSnapshotFactory(project=ProjectFactory(organization=organization), date=dt.date(2026, 3, 10))

    assert dates(api.get(url(project))) == ["2026-03-09"]


def test_every_reader_may_see_snapshots(organization: Organization, project: Project) -> None:
    EvmSnapshotFactory(project=project)
    viewer = api_client_for(member(organization, OrgRole.VIEWER).user)

    assert len(dates(viewer.get(url(project)))) == 1


def test_another_organisations_project_is_not_found(other_organization: Organization, api: APIClient) -> None:
    theirs = ProjectFactory(organization=other_organization)
    EvmSnapshotFactory(project=theirs)

    assert api.get(url(theirs)).status_code == 404


@pytest.mark.parametrize("size", [2, 12])
def test_the_snapshot_list_runs_a_fixed_number_of_queries(
    size: int, project: Project, api: APIClient, django_assert_num_queries: Any
) -> None:
    EvmSnapshotFactory.create_batch(size, project=project)

    # The membership with the project and the user's role on it, the count, the page.
    with django_assert_num_queries(3):
        response = api.get(url(project, "?from=2026-01-01"))

    assert len(response.json()["results"]) == size
