"""Helpers shared by the API views of the projects app (the generic ones live in ``pmo.api.common``)."""

from __future__ import annotations

from pmo.api.common import EMPTY_BODY, ID_PATTERN
from pmo.api.common import actor as _actor

__all__ = ["EMPTY_BODY", "ID_PATTERN", "_actor"]
