"""The OpenAPI schema is generated in one language per request and cached per language and code state."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from pmo.api import schema_view

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def chinese_in(content: bytes) -> bool:
    """Chinese apart from the language's own name (简体中文), which every language lists as it is."""
    return bool(CJK.search(content.decode().replace("简体中文", "")))


@pytest.fixture
def generated() -> mock.MagicMock:
    with mock.patch.object(SchemaGenerator, "get_schema", autospec=True, side_effect=SchemaGenerator.get_schema) as spy:
        yield spy


def test_the_schema_is_generated_once_per_language(generated: mock.MagicMock) -> None:
    client = APIClient()

    first = client.get("/api/v1/schema/?format=json&lang=en")
    again = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/v1/schema/?format=json&lang=zh-hans")
    chinese_again = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert [r.status_code for r in (first, again, chinese, chinese_again)] == [200] * 4
    assert generated.call_count == 2
    assert first.content == again.content
    assert chinese.content == chinese_again.content != first.content


def test_each_schema_speaks_its_language_only(generated: mock.MagicMock) -> None:
    client = APIClient()
    english = client.get("/api/v1/schema/?format=json&lang=en")
    chinese = client.get("/api/v1/schema/?format=json&lang=zh-hans")

    assert english["Content-Language"] == "en"
    assert chinese["Content-Language"] == "zh-hans"
    assert not chinese_in(english.content)
    assert chinese_in(chinese.content)


def test_the_language_of_the_request_chooses_when_lang_is_missing_or_unknown() -> None:
    client = APIClient()
    response = client.get("/api/v1/schema/?format=json&lang=fr", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert not chinese_in(response.content)


def test_a_new_code_state_generates_the_schema_again(generated: mock.MagicMock) -> None:
    client = APIClient()
    client.get("/api/v1/schema/?format=json&lang=en")
    with mock.patch.object(schema_view, "code_state", return_value="another-release"):
        client.get("/api/v1/schema/?format=json&lang=en")
        client.get("/api/v1/schema/?format=json&lang=en")
    assert generated.call_count == 2


def test_the_code_state_is_a_hash_of_the_sources_and_catalogues() -> None:
    state = schema_view.code_state()
    assert re.fullmatch(r"[0-9a-f]{16}", state)
    assert schema_view.schema_cache_key("en", "json") != schema_view.schema_cache_key("zh-hans", "json")
    assert state in schema_view.schema_cache_key("en", "json")


def test_yaml_and_json_are_cached_apart(generated: mock.MagicMock) -> None:
    client = APIClient()
    as_json = client.get("/api/v1/schema/?format=json&lang=en")
    as_yaml = client.get("/api/v1/schema/?lang=en")
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert as_yaml.content.startswith(b"openapi:")
    assert generated.call_count == 1


def test_concurrent_first_requests_generate_the_schema_once(generated: mock.MagicMock) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def fetch(_: int) -> int:
        try:
            return APIClient().get("/api/v1/schema/?format=json&lang=en").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(fetch, range(4)))

    assert codes == [200] * 4
    assert generated.call_count == 1


def test_every_operation_is_named_in_the_schemas_language() -> None:
    client = APIClient()
    for language, named in (("en", lambda text: not CJK.search(text)), ("zh-hans", lambda text: CJK.search(text))):
        schema = client.get(f"/api/v1/schema/?format=json&lang={language}").json()
        summaries = [operation["summary"] for path in schema["paths"].values() for operation in path.values()]
        assert summaries
        assert [summary for summary in summaries if not named(summary)] == [], language
