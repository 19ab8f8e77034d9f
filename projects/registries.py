"""Hooks the projects app offers to the apps above it, filled in their ``AppConfig.ready()``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from projects.models import Project

#: Each says whether a project holds amounts in its currency (costs, budgets, ...), so that the
#: currency can no longer change without relabelling them unconverted.
money_holders: list[Callable[[Project], bool]] = []
