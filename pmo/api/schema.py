"""OpenAPI generation: every operation documents the one error body it can return."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

ERROR_COMPONENT = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": "Stable machine-readable code, e.g. `invalid`."},
                "message": {"type": "string", "description": "Human-readable message in the request's language."},
                "fields": {
                    "type": "object",
                    "description": "Messages per input field, when the input was at fault.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}

_ERRORS = {
    "400": "The input is not valid or breaks a rule; nothing was changed.",
    "401": "No valid credentials (session or `Authorization: Bearer <token>`).",
    "403": "Your role may not do this.",
    "404": "No such object in an organisation you belong to.",
    "429": "Too many requests for this token; retry later.",
}


class PmoAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        codes = ["401", "403", "429"]
        if self.method != "GET" or self._is_list_view():
            codes.insert(0, "400")
        if "{" in self.path:
            codes.append("404")
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
