"""The acceptance gate check: leaving closing needs every deliverable accepted and every condition closed.

Registered with the other quality gate checks in ``QualityConfig.ready()``; it applies when leaving
closing unless the organisation chooses otherwise. It reads the project's deliverables and their open
conditions in two queries.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, ngettext_lazy

from projects.gate_checks import GateCheck, interpolate_lazy
from projects.models import Phase, Project
from quality.models import ACCEPTED_STATUSES, AcceptanceCondition, Deliverable

ACCEPTANCE = "quality_acceptance"


def deliverables_accepted(project: Project) -> tuple[bool, str | Promise]:
    """Every deliverable accepted (or accepted with conditions) and every acceptance condition closed."""
    counts = (
        Deliverable.objects.for_organization(project.organization_id)
        .filter(project=project)
        .aggregate(total=Count("pk"), waiting=Count("pk", filter=~Q(status__in=ACCEPTED_STATUSES)))
    )
    total, waiting = counts["total"], counts["waiting"]
    if not total:
        return True, gettext_lazy("The project has no deliverable flagged for acceptance.")
    if waiting:
        return False, interpolate_lazy(
            ngettext_lazy(
                "%(count)s of %(total)s deliverables is not accepted yet.",
                "%(count)s of %(total)s deliverables are not accepted yet.",
                waiting,
            ),
            {"count": waiting, "total": total},
        )
    open_conditions = (
        AcceptanceCondition.objects.for_organization(project.organization_id)
        .filter(deliverable__project=project, closed_on__isnull=True)
        .count()
    )
    if open_conditions:
        return False, interpolate_lazy(
            ngettext_lazy(
                "%(count)s acceptance condition is still open.",
                "%(count)s acceptance conditions are still open.",
                open_conditions,
            ),
            {"count": open_conditions},
        )
    return True, interpolate_lazy(
        ngettext_lazy(
            "%(count)s deliverable accepted, every condition closed.",
            "All %(count)s deliverables accepted, every condition closed.",
            total,
        ),
        {"count": total},
    )


ACCEPTANCE_CHECK = GateCheck(
    code=ACCEPTANCE,
    label=gettext_lazy("Every deliverable is accepted"),
    explanation=gettext_lazy(
        "Each deliverable is accepted, or accepted with conditions, and every condition of an acceptance is closed."
    ),
    phases=frozenset({Phase.CLOSING}),
    default_phases=frozenset({Phase.CLOSING}),
    evaluate=deliverables_accepted,
    failure_code="deliverables_not_accepted",
    remedy_url_name="project-quality-deliverables",
)
