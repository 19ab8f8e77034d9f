"""One error type for what a user can get wrong, and one JSON body for every API error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A rule the user broke. Becomes a 400 with a stable code in the API and a message on pages."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        fields: dict[str, list[str]] | None = None,
        status_code: int = status.HTTP_400_BAD_REQUEST,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}
        self.status_code = status_code


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [str(item) for item in detail]
        return [_flatten(item) for item in detail]
    return [str(detail)]


def _field_messages(detail: dict[str, Any]) -> dict[str, list[str]]:
    """Every field's messages as a list of strings, as the schema says.

    A client finds a field's errors under the field's own name; a problem inside it (an item of a
    list, a field of a nested object) says where at the start of its message: ``0: …``,
    ``1.amount: …``.
    """
    return {str(key): _messages_within(value) for key, value in detail.items()}


def _messages_within(detail: Any, path: str = "") -> list[str]:
    if isinstance(detail, dict):
        items: Any = detail.items()
    elif isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        items = ((index, item) for index, item in enumerate(detail) if item)
    else:
        return [f"{path}: {message}" if path else message for message in _flatten(detail)]
    messages: list[str] = []
    for key, value in items:
        messages.extend(_messages_within(value, f"{path}.{key}" if path else str(key)))
    return messages


# Validation codes that name the whole error when every problem of a request has them.
SPECIFIC_VALIDATION_CODES = frozenset({"unknown_field", "date_out_of_range", "money_out_of_range"})


def _leaf_codes(codes: Any) -> set[str]:
    if isinstance(codes, dict):
        return set().union(*(_leaf_codes(value) for value in codes.values()))
    if isinstance(codes, list):
        return set().union(*(_leaf_codes(value) for value in codes))
    return {str(codes)}


def _shared_code(codes: Any) -> str | None:
    """The one specific code all of a validation error's problems share, if they do."""
    leaves = _leaf_codes(codes)
    return next(iter(leaves)) if len(leaves) == 1 and leaves <= SPECIFIC_VALIDATION_CODES else None


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = "; ".join(exc.messages)
        return Response(error_body("invalid", message, fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        return Response(_too_large_body(), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        # An object another request deleted after this one found it is as gone as one never there.
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        code = _shared_code(exc.get_codes())
        if isinstance(detail, dict):
            fields = _field_messages(detail)
            non_field = fields.pop("non_field_errors", None)
            if code == "unknown_field":
                message = _("Unknown fields: %s") % ", ".join(fields)
            else:
                message = "; ".join(non_field) if non_field else _("Some fields are not valid.")
        else:
            fields = {}
            message = "; ".join(_flatten(detail))
        response.data = error_body(code or "invalid", message, fields)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = error_body(code, exc.detail if isinstance(exc.detail, str) else str(exc.detail))
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _too_large_body() -> dict[str, Any]:
    return error_body("too_large", _("The request body is too large."))


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        if _wants_json(request):
            return JsonResponse(_too_large_body(), status=413)
        return HttpResponse(_("The request body is too large."), status=413, content_type="text/plain")
    if _wants_json(request):
        return JsonResponse(error_body("bad_request", _("The request is not valid.")), status=400)
    return defaults.bad_request(request, exception)  # type: ignore[arg-type]


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        from pmo.authentication import bearer_token_user
        from pmo.middleware import activate_user_language

        # No view authenticated this request: a token's or a session's user still gets their own language.
        user = bearer_token_user(request)
        if user is None:
            session_user = getattr(request, "user", None)
            user = session_user if session_user is not None and session_user.is_authenticated else None
        if user is not None:
            activate_user_language(request, user)
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return render(request, "404.html", status=404)


def handler500(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body("server_error", _("Something went wrong on our side.")), status=500)
    return render(request, "500.html", status=500)


class ApiErrorBodyMiddleware:
    """Give an API path's error the one JSON body even where Django answers it itself.

    With ``DEBUG`` on, Django shows its own HTML page for an unknown path instead of calling
    ``handler404``; an API client must get the same JSON body in every profile.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and _wants_json(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return handler404(request)
        return response
