"""The API answers in the signed-in user's language, then the request's Accept-Language.

A token's user is known only once DRF has authenticated the request (after every middleware),
so the language is resolved there too, not only for a session's user.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from pmo.models import Membership, Organization, OrgRole
from pmo.services import api_token_create
from tests.factories import member

pytestmark = pytest.mark.django_db

UNKNOWN_ORG = "/api/v1/orgs/nowhere/"


def speaker(organization: Organization, language: str) -> Membership:
    someone = member(organization, OrgRole.VIEWER)
    someone.user.language = language
    someone.user.save(update_fields=["language"])
    return someone


def bearer(membership: Membership) -> APIClient:
    _token, raw = api_token_create(user=membership.user, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def not_found_in(language: str) -> str:
    with translation.override(language):
        return str(translation.gettext("Not found."))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_token_users_errors_are_in_their_saved_language(organization: Organization, language: str) -> None:
    response = bearer(speaker(organization, language)).get(UNKNOWN_ORG)

    assert response.status_code == 404
    assert response["Content-Language"] == language
    assert response.json()["error"]["message"] == not_found_in(language)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_mistyped_api_path_answers_a_token_user_in_their_saved_language(
    organization: Organization, language: str
) -> None:
    response = bearer(speaker(organization, language)).get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": not_found_in(language), "fields": {}}


def test_a_mistyped_api_path_with_a_bad_token_answers_in_the_default_language() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer pmo_nope_nope")
    response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == not_found_in("en")


def test_an_english_viewers_validation_errors_are_in_english_over_a_token(organization: Organization) -> None:
    viewer = speaker(organization, "en")
    response = bearer(viewer).patch("/api/v1/me/", {"language": "fr"}, format="json")
    assert response.status_code == 400
    assert response["Content-Language"] == "en"
    assert "valid choice" in str(response.json()["error"]["fields"]["language"])


def test_the_users_language_comes_before_accept_language(organization: Organization) -> None:
    response = bearer(speaker(organization, "en")).get(UNKNOWN_ORG, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response["Content-Language"] == "en"
    assert response.json()["error"]["message"] == not_found_in("en")


def test_a_session_users_language_comes_before_accept_language_and_an_old_cookie(organization: Organization) -> None:
    client = Client()
    client.force_login(speaker(organization, "en").user)
    client.cookies["django_language"] = "zh-hans"

    api = client.get(UNKNOWN_ORG, HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = client.get("/o/acme/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert api["Content-Language"] == "en"
    assert api.json()["error"]["message"] == not_found_in("en")
    assert page["Content-Language"] == "en"
    assert '<html lang="en"' in page.content.decode()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_without_a_user_accept_language_chooses(language: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer pmo_nope_nope")
    response = client.get(UNKNOWN_ORG, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 401
    assert response["Content-Language"] == language
    with translation.override(language):
        expected = translation.gettext("The token is not valid, has expired or was revoked.")
    assert response.json()["error"]["message"] == expected
