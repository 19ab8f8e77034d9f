from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import get_resolver
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from tests.tenancy.discovery import _walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api: APIClient) -> dict:  # type: ignore[type-arg]
    response = api.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_the_openapi_schema_validates(schema: dict) -> None:  # type: ignore[type-arg]
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_every_api_url_is_described(schema: dict) -> None:  # type: ignore[type-arg]
    documented = {re.sub(r"\{[^}]+\}", "{}", path) for path in schema["paths"]}
    for route in _walk(get_resolver().url_patterns, (), ""):
        if not hasattr(route.callback, "cls") or route.name.startswith("api-schema"):
            continue
        if route.name in {"api-docs", "api-redoc"}:
            continue
        from django.urls import reverse

        kwargs = {name: "x" if name == "org_slug" else 1 for name in route.kwargs}
        path = reverse(route.name, kwargs=kwargs)
        generic = re.sub(r"/orgs/x/", "/orgs/{}/", path)
        generic = re.sub(r"/1/", "/{}/", generic)
        assert generic in documented, f"{route.name} ({path}) is missing from the schema"


def test_every_operation_documents_its_errors_and_bodies(schema: dict) -> None:  # type: ignore[type-arg]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"401", "403"} <= set(responses), f"{method} {path}"
            if "{" in path:
                assert "404" in responses, f"{method} {path}"
            if method in {"post", "put", "patch"}:
                assert "400" in responses, f"{method} {path}"
                assert "requestBody" in operation, f"{method} {path} has no request body"
            success = [code for code in responses if code.startswith("2")]
            assert success, f"{method} {path} documents no success response"
            error = responses["403"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"}
    assert "Error" in schema["components"]["schemas"]


def test_every_request_body_refuses_keys_it_does_not_name(schema: dict) -> None:  # type: ignore[type-arg]
    """The API answers 400 unknown_field to a key that is not a writable field; the schema says so."""
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                body = content["schema"]
                body = components[body["$ref"].rsplit("/", 1)[-1]] if "$ref" in body else body
                if body.get("properties"):
                    assert body.get("additionalProperties") is False, f"{method} {path} ({media})"
    assert components["ActualCostCreateRequest"]["additionalProperties"] is False


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_api_docs_load_only_assets_served_by_the_app(url: str, client: Client) -> None:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    external = re.findall(r"""(?:src|href)=["'](https?:)?//""", html)
    assert not external, f"{url} refers to another host"
    assert "/static/drf_spectacular_sidecar/" in html or "/api/v1/redoc-dist/" in html


def test_the_redoc_bundle_fetches_nothing_from_a_cdn(client: Client) -> None:
    response = client.get("/api/v1/redoc-dist/bundles/redoc.standalone.js")
    assert response.status_code == 200
    body = response.content
    assert b"cdn.redoc.ly" not in body
    assert b"/static/pmo/img/favicon.svg" in body
