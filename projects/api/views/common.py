"""Helpers shared by the API views of the projects app."""

from __future__ import annotations

from typing import cast

from drf_spectacular.types import OpenApiTypes
from rest_framework.request import Request

from pmo.models import User

ID_PATTERN = r"[0-9]+"
# Actions that take no input still document a (empty) JSON body.
EMPTY_BODY = {"application/json": OpenApiTypes.OBJECT}


def _actor(request: Request) -> User:
    return cast(User, request.user)
