"""What the core knows of projects and their members, filled in by the projects app.

The projects app sits above the core, so the core does not import it: ``ProjectsConfig.ready()``
installs the directory's sources, and the core's alert pages, API and recipients read them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet


def _missing(organization: Any) -> QuerySet[Any]:
    raise LookupError("No app has installed the project directory (the projects app does in its ready()).")


class ProjectDirectory:
    """The sources of project data for the core.

    ``projects(organization)``: the organisation's projects, a queryset with ``pk``, ``code``
    and ``name``. ``members(organization)``: its project memberships, a queryset with
    ``project_id``, ``user_id`` and ``role``. ``roles``: the project roles as (code, label).
    """

    def __init__(self) -> None:
        self._projects: Callable[[Any], QuerySet[Any]] = _missing
        self._members: Callable[[Any], QuerySet[Any]] = _missing
        self._roles: Sequence[tuple[str, Any]] = ()

    def install(
        self,
        *,
        projects: Callable[[Any], QuerySet[Any]],
        members: Callable[[Any], QuerySet[Any]],
        roles: Sequence[tuple[str, Any]],
    ) -> None:
        self._projects, self._members, self._roles = projects, members, tuple(roles)

    def projects(self, organization: Any) -> QuerySet[Any]:
        return self._projects(organization)

    def members(self, organization: Any) -> QuerySet[Any]:
        return self._members(organization)

    @property
    def roles(self) -> list[tuple[str, Any]]:
        return list(self._roles)

    def role_label(self, code: str) -> str | None:
        return next((str(label) for value, label in self._roles if value == code), None)


project_directory = ProjectDirectory()
