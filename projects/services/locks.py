"""Row locks that serialise the writers of one project, always taken in one order.

The order is: the project row first, then the one row the write changes (a change request,
a status report, a budget version, then its line). A lock names its own table only
(``of=("self",)``), so rows read along with it (the organisation, the project) are not locked
by the way, and it is ``FOR NO KEY UPDATE``: inserting a row that refers to a locked row (a
cost, an audit event) takes only a key-share lock on it, which does not wait for this one.
Two writers of one project therefore queue on the project row and never deadlock on
foreign-key checks.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from projects.models import Project

RowT = TypeVar("RowT", bound=models.Model)


def lock_project(project: Project | int, organization_id: int | None = None) -> Project:
    """Fetch the project again, locked until the end of the transaction.

    Plan changes (renumbering and rescheduling read the whole tree), report and change numbers,
    and costs checked against the budget all take it, so that two writers of one project go one
    after the other.
    """
    if isinstance(project, Project):
        project_id, organization_id = project.pk, project.organization_id
    else:
        project_id = project
    return (
        Project.objects.for_organization(organization_id)
        .select_for_update(of=("self",), no_key=True)
        .select_related("organization")
        .get(pk=project_id)
    )


def lock_project_row(row: RowT, *related: str) -> RowT:
    """Lock the row's project, then fetch the row (a project's child) again, locked too.

    ``related`` are read along with it, unlocked; the locked project replaces the row's own.
    """
    project = lock_project(row.project_id, row.organization_id)  # type: ignore[attr-defined]
    model: Any = type(row)
    locked: RowT = (
        model.objects.for_organization(row.organization_id)  # type: ignore[attr-defined]
        .select_for_update(of=("self",), no_key=True)
        .select_related(*related)
        .get(pk=row.pk)
    )
    locked.project = project  # type: ignore[attr-defined]
    return locked
