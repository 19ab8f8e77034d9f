"""The quality app's alert kinds (lane F fills this module)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quality.models import NonConformance


def register() -> None:
    """Register the quality alert kinds with the core's alert engine."""


def on_raised(nc: NonConformance) -> None:
    """Called by ``nc_raise`` in its transaction: a critical non-conformance raises its alert at once."""
