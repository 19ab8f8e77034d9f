"""OpenAPI generation: every operation documents the one error body it can return."""

from __future__ import annotations

import inspect
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_override
from drf_spectacular.utils import OpenApiParameter

ERROR_COMPONENT = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": _("Stable machine-readable code, e.g. `invalid`.")},
                "message": {"type": "string", "description": _("Human-readable message in the request's language.")},
                "fields": {
                    "type": "object",
                    "description": _("Messages per input field, when the input was at fault."),
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}

_ERRORS = {
    "400": _("The input is not valid or breaks a rule; nothing was changed."),
    "401": _("No valid credentials (session or `Authorization: Bearer <token>`)."),
    "403": _("Your role may not do this."),
    "404": _("No such object in an organisation you belong to, or (in a list) no such page."),
    "412": _("`If-Match` names a version that is no longer current: someone else changed the resource."),
    "413": _("The request body is too large (JSON over 2.5 MB, a file over 5 MB); nothing was read or changed."),
    "429": _("Too many requests for this token; retry later."),
}


_IF_MATCH = _(
    "Apply the change only if the resource is still the version with this ETag (from a read or an "
    "earlier write); otherwise 412 `precondition_failed`. Without it the write is unconditional."
)
_IF_NONE_MATCH = _("Answer 304 without a body when the resource is still exactly the one with this ETag.")
_ETAG = _("The version of the resource; send it back as `If-Match` to change it only if nobody else has meanwhile.")
CONDITIONAL_METHODS = ("PATCH", "PUT", "DELETE", "POST")
# drf-spectacular's own description of a response without a body; it ships no Chinese, so the
# project's catalogue carries it (named here so that makemessages keeps it).
NO_RESPONSE_BODY = _("No response body")


def own_doc(obj: Any) -> str:
    """The docstring ``obj`` itself has, never one it inherits.

    drf-spectacular takes the first docstring up a class's MRO, so a serializer or view without
    one would be described by a base class's implementation notes (``StrictInputMixin``'s, say).
    """
    doc = obj.__dict__.get("__doc__") if inspect.isclass(obj) else getattr(obj, "__doc__", None)
    if not isinstance(doc, str) or not doc.strip():
        return ""
    return "\n".join(line.rstrip() for line in inspect.cleandoc(doc).rstrip().split("\n"))


class PmoAutoSchema(AutoSchema):
    """Descriptions come from a class's own ``schema_description`` (translatable), else its own docstring.

    A docstring cannot be translated: a view or serializer whose description the schema shows
    says it with ``schema_description = gettext_lazy(...)``; inherited ones never count.
    """

    def get_description(self) -> str:  # type: ignore[override]
        """The action's own docstring, else the view's translatable ``schema_description`` or own docstring."""
        action_or_method = getattr(self.view, getattr(self.view, "action", self.method.lower()), None)
        action_doc = own_doc(action_or_method) if action_or_method is not None else ""
        if action_doc:
            return action_doc
        view_class = type(self.view)
        description = view_class.__dict__.get("schema_description")
        return str(description) if description else own_doc(view_class)

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        if not get_override(serializer, "description"):
            schema.pop("description", None)
            description = type(serializer).__dict__.get("schema_description") or own_doc(type(serializer))
            if description:
                schema["description"] = str(description)
        return schema

    def _is_versioned_resource(self) -> bool:
        from pmo.api.base import ConcurrencyControlMixin

        return isinstance(self.view, ConcurrencyControlMixin) and self.view.is_resource_view()

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = super().get_override_parameters()
        if not self._is_versioned_resource():
            return parameters
        if self.method in CONDITIONAL_METHODS:
            parameters = [
                *parameters,
                OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False, description=_IF_MATCH),
            ]
        if self.method == "GET":
            parameters = [
                *parameters,
                OpenApiParameter(
                    "If-None-Match", str, OpenApiParameter.HEADER, required=False, description=_IF_NONE_MATCH
                ),
            ]
        if self.method != "DELETE":
            parameters = [
                *parameters,
                OpenApiParameter("ETag", str, OpenApiParameter.HEADER, response=[200], description=_ETAG),
            ]
        return parameters

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        codes = ["401", "403", "429"]
        if self.method != "GET" or self._is_list_view():
            codes.insert(0, "400")
        # DRF's page-number pagination answers an invalid or past-the-end ``page`` with 404.
        if "{" in self.path or (self._is_list_view() and self._get_paginator() is not None):
            codes.append("404")
        if self.method in CONDITIONAL_METHODS and self._is_versioned_resource():
            codes.append("412")
        if self.method in {"POST", "PUT", "PATCH"}:
            codes.append("413")
        if self.method == "GET" and self._is_versioned_resource():
            responses.setdefault("304", {"description": _("Not modified: the ETag in `If-None-Match` is current.")})
        for code in codes:
            responses.setdefault(
                code,
                {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    "description": _ERRORS[code],
                },
            )
        return responses


def add_error_component(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular hook: define the ``Error`` schema every operation refers to."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_COMPONENT
    return result


def close_request_bodies(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular hook: request bodies say ``additionalProperties: false``.

    Every input serializer refuses keys that are not its writable fields (``pmo.api.inputs``), so
    the schema says so too: a generated client, or a fuzzer, knows an unknown key is an error.
    """
    schemas = result.get("components", {}).get("schemas", {})
    pending: list[dict[str, Any]] = []
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict):
                for media in operation.get("requestBody", {}).get("content", {}).values():
                    pending.append(media.get("schema", {}))
    closed: set[str] = set()
    while pending:
        schema = pending.pop()
        reference = schema.get("$ref", "")
        if reference:
            name = reference.rsplit("/", 1)[-1]
            if name not in closed and name in schemas:
                closed.add(name)
                pending.append(schemas[name])
            continue
        if schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
            pending.extend(schema["properties"].values())
        if isinstance(schema.get("items"), dict):
            pending.append(schema["items"])
        for key in ("allOf", "oneOf", "anyOf"):
            pending.extend(item for item in schema.get(key, []) if isinstance(item, dict))
    return result


class QueryCheckedSchema(PmoAutoSchema):
    """For reads that check their query: the schema documents the 400 a GET can answer, listed
    before the other errors as the other operations list it. ``invalid_query`` says when it comes."""

    invalid_query: Any = _("The query is not valid: the error names each parameter at fault.")

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if "400" in responses:
            return responses
        invalid = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            "description": self.invalid_query,
        }
        success = {code: body for code, body in responses.items() if code.startswith("2")}
        errors = {code: body for code, body in responses.items() if not code.startswith("2")}
        return {**success, "400": invalid, **errors}
