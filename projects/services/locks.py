"""Row locks that serialise the writers of one project."""

from __future__ import annotations

from projects.models import Project


def lock_project(project: Project) -> Project:
    """Fetch the project again, locked until the end of the transaction.

    Plan changes (renumbering and rescheduling read the whole tree), report and change numbers,
    and costs checked against the budget all take it, so that two writers of one project go one
    after the other.
    """
    return (
        Project.objects.for_organization(project.organization_id)
        .select_for_update()
        .select_related("organization")
        .get(pk=project.pk)
    )
