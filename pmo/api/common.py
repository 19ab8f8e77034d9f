"""Helpers every app's API views share: id patterns, empty bodies, the actor, named enums."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers
from rest_framework.fields import flatten_choices_dict, to_choices_dict
from rest_framework.request import Request

from pmo.models import User

ID_PATTERN = r"[0-9]+"
# Actions that take no input still document a (empty) JSON body.
EMPTY_BODY = {"application/json": OpenApiTypes.OBJECT}


def actor(request: Request) -> User:
    return cast(User, request.user)


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as the enum component ``enum_name``.

    The schema's enum post-processing names enums after their field, and several choice sets
    share the name ``status``; naming the component here keeps the schema free of collisions.
    """

    def __init__(self, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def get_name(self) -> str:
        return str(self.target.enum_name)

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {"type": "string", "enum": [str(value) for value in self.target.choices]}


class RegistryChoiceField(serializers.ChoiceField):
    """A choice field whose choices are read from ``choices_of()`` at each use.

    For choices that apps register in their ``ready()``: the field may be declared before they do,
    and the schema lists what is registered when it is generated.
    """

    def __init__(self, *, choices_of: Callable[[], Iterable[tuple[str, Any]]], **kwargs: Any) -> None:
        self.choices_of = choices_of
        super().__init__(choices=[], **kwargs)

    @property
    def grouped_choices(self) -> dict[Any, Any]:
        return dict(to_choices_dict(list(self.choices_of())))

    @grouped_choices.setter
    def grouped_choices(self, value: Any) -> None:
        pass

    @property
    def choices(self) -> dict[Any, Any]:
        return dict(flatten_choices_dict(self.grouped_choices))

    @choices.setter
    def choices(self, value: Any) -> None:
        pass

    @property
    def choice_strings_to_values(self) -> dict[str, Any]:
        return {str(key): key for key in self.choices}

    @choice_strings_to_values.setter
    def choice_strings_to_values(self, value: Any) -> None:
        pass


class RegistryNamedChoiceField(RegistryChoiceField, NamedChoiceField):
    """A ``RegistryChoiceField`` documented as the enum component ``enum_name``."""
