"""The schema's texts: implementation docstrings stay out, and the Chinese schema is Chinese."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from pmo.api import base, inputs
from projects.api.base import ProjectScopedMixin

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z]{3,}")

BASE_CLASSES = [
    inputs.StrictInputMixin,
    inputs.Serializer,
    inputs.ModelSerializer,
    inputs.QuerySerializer,
    inputs.EmptyInput,
    base.ConcurrencyControlMixin,
    base.UserResourceMixin,
    base.OrganizationScopedMixin,
    ProjectScopedMixin,
]


def generate(language: str) -> tuple[dict[str, Any], SchemaGenerator]:
    with translation.override(language):
        generator = SchemaGenerator()
        schema = json.loads(JSONRenderer().render(generator.get_schema(request=None, public=True)))
    return schema, generator


def texts(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"description", "summary"} and isinstance(value, str):
                yield (*path, key), value
            else:
                yield from texts(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from texts(value, (*path, index))


def codes_only(text: str) -> bool:
    """An enum's list of values without labels (``* `spi` - spi``): codes, the same in every language."""
    return all(re.fullmatch(r"\* `(\w+)` - \1", line) for line in text.split("\n"))


def english_only(schema: dict[str, Any]) -> list[str]:
    return [
        text for _path, text in texts(schema) if WORD.search(text) and not CJK.search(text) and not codes_only(text)
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_base_class_docstring_describes_an_operation_or_a_component(language: str) -> None:
    schema, _generator = generate(language)
    docstrings = {inspect.cleandoc(cls.__doc__) for cls in BASE_CLASSES if cls.__doc__}
    assert docstrings
    leaked = [path for path, text in texts(schema) if text in docstrings]
    assert not leaked, leaked[:5]


def test_a_serializer_without_a_docstring_gives_its_component_no_description() -> None:
    schema, generator = generate("en")
    components = schema["components"]["schemas"]
    checked = 0
    for component in generator.registry._components.values():
        if component.type != "schemas" or not isinstance(component.object, serializers.BaseSerializer):
            continue
        if component.name.startswith("Paginated"):  # The page around a list, not the serializer's own.
            continue
        own = type(component.object).__dict__.get("schema_description") or type(component.object).__dict__.get(
            "__doc__"
        )
        description = components[component.name].get("description")
        if own:
            with translation.override("en"):
                assert description == inspect.cleandoc(str(own)), component.name
        else:
            assert description is None, f"{component.name}: {description!r}"
        checked += 1
    assert checked > 100


def test_the_chinese_schema_is_chinese_and_the_english_one_english() -> None:
    client = APIClient()
    chinese = client.get("/api/v1/schema/?format=json&lang=zh-hans").json()
    english = client.get("/api/v1/schema/?format=json&lang=en").json()
    left = english_only(chinese)
    assert not left, sorted(set(left))[:20]
    # Every language lists Chinese by its own name (简体中文).
    assert not [text for _path, text in texts(english) if CJK.search(text.replace("简体中文", ""))]
