"""The API's renderer writes DRF's bytes: orjson where it writes the same, DRF's encoder for the rest."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.exceptions import ErrorDetail
from rest_framework.test import APIClient
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from pmo.api.renderers import JSONRenderer, _plain
from pmo.models import Membership, Organization, OrgRole
from projects.models import Project

DRF = renderers.JSONRenderer()
OURS = JSONRenderer()


def _moved() -> OrderedDict[str, int]:
    moved = OrderedDict(a=1, b=2, c=3)
    moved.move_to_end("a")
    return moved


DOCUMENTS: list[Any] = [
    None,
    {},
    [],
    {"count": 2, "next": None, "previous": "http://x/?page=1", "results": [{"id": 1}, {"id": 2, "ok": True}]},
    {"name": "总体 Phase é 😀", "notes": "line\u2028break\u2029end", "controls": '\x00\x01\x1f\x7f"\\\t\n\r\b\f'},
    [1, -1, 0, 2**63 - 1, -(2**63), True, False, None, ("a", "b")],
    {"nested": {"deeper": [{"x": [[], {}]}]}},
    {"big": 2**70},
    {1: "a", None: "b"},
    {"small": 0.00001, "tiny": 1.5e-07, "plain": 0.25, "whole": 100.0},
    {"amount": Decimal("1234.50"), "day": dt.date(2026, 3, 4), "at": dt.datetime(2026, 3, 4, 5, 6, 7, 891011)},
    {"label": gettext_lazy("Kind"), "error": ErrorDetail("bad", code="invalid")},
    ReturnDict({"id": 1, "tags": ReturnList(["a"], serializer=None)}, serializer=None),
    _moved(),
    {"surrogate": "\ud800"},
]


@pytest.mark.parametrize("document", DOCUMENTS, ids=range(len(DOCUMENTS)))
@pytest.mark.parametrize("media_type", [None, "application/json", "application/json; indent=2"])
def test_the_renderer_writes_what_drfs_writes_or_fails_as_it_fails(document: Any, media_type: str | None) -> None:
    try:
        expected: Any = DRF.render(document, media_type, {})
    except (ValueError, TypeError, UnicodeError) as error:
        expected = type(error)
    try:
        written: Any = OURS.render(document, media_type, {})
    except (ValueError, TypeError, UnicodeError) as error:
        written = type(error)
    assert written == expected


def test_non_finite_floats_are_refused_as_before() -> None:
    for value in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="JSON compliant"):
            OURS.render({"x": value}, "application/json", {})


def test_the_renderer_is_the_apis_default_with_drfs_media_type() -> None:
    assert settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] == ["pmo.api.renderers.JSONRenderer"]
    assert (OURS.media_type, OURS.format, OURS.charset) == (DRF.media_type, DRF.format, DRF.charset)


@pytest.mark.django_db
def test_every_demo_answer_is_the_body_drf_would_write(api_client_for_demo: tuple[APIClient, Organization]) -> None:
    client, organization = api_client_for_demo
    base = f"/api/v1/orgs/{organization.slug}/"
    urls = [
        base,
        f"{base}members/",
        f"{base}audit-events/",
        f"{base}alerts/",
        f"{base}notifications/",
        f"{base}dashboard/",
        f"{base}portfolios/",
        f"{base}projects/",
        f"{base}gate-criteria/",
        f"{base}cost-categories/",
        f"{base}exchange-rates/",
        f"{base}evm/",
        f"{base}projects/?phase=nonsense",
    ]
    for project in Project.objects.for_organization(organization).order_by("code")[:4]:
        at = f"{base}projects/{project.pk}/"
        urls += [
            at,
            *(
                at + path
                for path in (
                    "members/",
                    "gates/",
                    "wbs/?tree=1",
                    "tasks/",
                    "dependencies/",
                    "baselines/",
                    "schedule/",
                    "status-reports/",
                    "change-requests/",
                    "budgets/",
                    "commitments/",
                    "costs/",
                    "evm/",
                    "evm/series/",
                )
            ),
        ]
    by_orjson = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code in {200, 400}, url
        assert response.content == DRF.render(response.data, "application/json", {}), url
        by_orjson += _plain(response.data)
    assert by_orjson >= len(urls) // 2  # the lists, at least, take the fast way


@pytest.fixture
def api_client_for_demo(db: None) -> tuple[APIClient, Organization]:
    call_command("seed_demo", quiet_logins=True)
    organization = Organization.objects.get(slug="demo")
    admin = Membership.objects.for_organization(organization).filter(role=OrgRole.ADMIN).order_by("id").first()
    assert admin is not None
    client = APIClient()
    client.force_authenticate(admin.user)
    return client, organization
